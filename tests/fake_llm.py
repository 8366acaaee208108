"""A fake OpenAI-compatible server on 127.0.0.1 with scripted /v1/chat/completions replies.

Each request is answered by the first rule whose `when` text occurs in the request's
last user message (or by the default rule). A rule is one of:

    Reply("text")              a normal completion whose message content is the text
    Reply(status=500)          an HTTP error with an OpenAI-style error body
    Reply(delay=5, text=...)   the reply after a delay (a timeout when longer than LLM_TIMEOUT_S)
    Reply(raw=b"...")          a 200 response whose body is these bytes (garbage / malformed JSON)
    Reply(flood=N)             a 200 completion whose content is N bytes of "x", sent in pieces with no
                               Content-Length (a server that runs on; it stops when the client hangs up)

Every request body is recorded in `requests` (the prompts the model was shown), its headers in `headers`.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    text: str | None = None
    status: int = 200
    delay: float = 0.0
    raw: bytes | None = None
    flood: int = 0


class FakeLLM:
    def __init__(self) -> None:
        self.rules: list[tuple[str, Reply]] = []
        self.default = Reply("NOT_IN_EXCERPTS")
        self.requests: list[dict] = []
        self.headers: list[dict] = []  # each request's HTTP headers
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    request = json.loads(body)
                except json.JSONDecodeError:
                    request = {}
                with fake._lock:
                    fake.requests.append(request)
                    fake.headers.append(dict(self.headers))
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    return self._send(404, json.dumps({"error": {"message": "not found"}}).encode())
                reply = fake.reply_for(request)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.raw is not None:
                    return self._send(reply.status, reply.raw)
                if reply.flood:
                    return self._flood(reply.flood, request.get("model", "fake"))
                if reply.status != 200:
                    return self._send(reply.status, json.dumps({"error": {"message": "scripted failure", "type": "server_error"}}).encode())
                return self._send(200, json.dumps(completion(reply.text or "", request.get("model", "fake"))).encode())

            def _flood(self, size: int, model: str) -> None:
                """HTTP/1.0 without a Content-Length: the body ends when the connection closes, so
                the client cannot know its size before reading it."""
                head, tail = json.dumps(completion("\0", model)).encode().split(b"\\u0000")
                piece = b"x" * 65536
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(head)
                    for _ in range(size // len(piece)):
                        self.wfile.write(piece)
                    self.wfile.write(tail)
                except (BrokenPipeError, ConnectionResetError):  # the client stopped reading: as it should
                    pass

            def _send(self, status: int, payload: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-llm", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> "FakeLLM":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def script(self, rules: dict[str, Reply] | None = None, default: Reply | None = None) -> None:
        """Replace the rules (and the default reply); clears the recorded requests."""
        with self._lock:
            self.rules = list((rules or {}).items())
            self.default = default or Reply("NOT_IN_EXCERPTS")
            self.requests.clear()
            self.headers.clear()

    def reply_for(self, request: dict) -> Reply:
        messages = request.get("messages") or []
        user = next((m.get("content") or "" for m in reversed(messages) if m.get("role") == "user"), "")
        question = user.rsplit("Question:", 1)[-1]
        with self._lock:
            for when, reply in self.rules:
                if when in question:
                    return reply
            return self.default


def completion(text: str, model: str) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }
