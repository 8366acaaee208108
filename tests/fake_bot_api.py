"""A fake Telegram Bot API server on 127.0.0.1 for driving a real python-telegram-bot app.

It runs an aiohttp server on its own event loop in a daemon thread, so both an
in-process Application (on the test's loop) and a `citebot telegram` subprocess can
talk to it. Requests go to /bot<token>/<method>; another token gets 401 Unauthorized.
Every call is recorded (method + decoded parameters); updates you add are served by
getUpdates (long polling held at most `hold` seconds); `fail()` makes the next call(s)
of a method return an error (with `parameters`, e.g. {"retry_after": 1} for a 429).
Each call records the status it was answered with (`Call.ok`: delivered), each update
the time it became available to getUpdates (`available_at`).

Forum topics: a message in an update with is_topic_message (as `topic_message()` makes)
is in topic message_thread_id. Like Telegram, a sendMessage lands in the topic it names
(message_thread_id), else in the topic of the message it replies to, else in General (or
a chat without topics); `Call.topic` records where it landed, the message it returns carries
that topic (so a button under it is pressed in that topic), and a sendChatAction's topic
is its message_thread_id.

Like Telegram, sendMessage / editMessageText reject text it would reject: parse_mode=HTML
text that is not valid Telegram HTML (`parse_html`: only Telegram's tags, balanced, with
<, > and & escaped) with 400 "Bad Request: can't parse entities: …", and text that is
empty or longer than 4096 characters once parsed. `rejected` lists those calls.

Network faults (`fault()`): "reset" closes the connection without an answer before the
call is processed (nothing happens), "lost" processes the call (a message is delivered,
updates are handed out) and then closes the connection without an answer, "slow" answers
only after `delay` seconds (a client that times out first never sees the answer, although
the call was processed), "stall" waits `delay` seconds before processing it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field

from aiohttp import web

MAX_TEXT = 4096  # characters (UTF-16 code units) of a message once its entities are parsed
# Telegram's HTML subset (https://core.telegram.org/bots/api#html-style): tag -> allowed attributes
HTML_TAGS = {
    "b": (), "strong": (), "i": (), "em": (), "u": (), "ins": (), "s": (), "strike": (), "del": (),
    "tg-spoiler": (), "span": ("class",), "a": ("href",), "code": ("class",), "pre": (),
    "blockquote": ("expandable",), "tg-emoji": ("emoji-id",),
}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_TAG_RE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s\"'<>=]+))?)*)\s*>"
)
_ATTR_RE = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'<>=]+)))?")
_SPECIAL_RE = re.compile(r"[<>&]")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HTMLParseError(ValueError):
    """Why Telegram would answer 400 "can't parse entities" (the description after the colon)."""


def _offset(text: str, i: int) -> int:
    return len(text[:i].encode("utf-8", "surrogatepass"))


def parse_html(text: str) -> str:
    """The visible text of a parse_mode=HTML message, or HTMLParseError the way Telegram's
    parser reports it. Stricter than Telegram in one way: every & must start an entity."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "&":
            m = _ENTITY_RE.match(text, i)
            if not m:
                raise HTMLParseError(f"Unescaped \"&\" at byte offset {_offset(text, i)}")
            if m[1]:
                out.append(_NAMED[m[1]])
            else:
                code = int(m[2]) if m[2] else int(m[3], 16)
                if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise HTMLParseError(f"Invalid character entity at byte offset {_offset(text, i)}")
                out.append(chr(code))
            i = m.end()
        elif ch == "<":
            m = _TAG_RE.match(text, i)
            if not m:
                raise HTMLParseError(f"Unclosed start tag at byte offset {_offset(text, i)}")
            closing, name, attrs = m[1], m[2].lower(), m[3]
            if name not in HTML_TAGS:
                kind = "end" if closing else "start"
                raise HTMLParseError(f"Unsupported {kind} tag \"{name}\" at byte offset {_offset(text, i)}")
            if closing:
                if attrs.strip():
                    raise HTMLParseError(f"Unexpected attributes in end tag at byte offset {_offset(text, i)}")
                if not stack:
                    raise HTMLParseError(f"Unexpected end tag at byte offset {_offset(text, i)}")
                if stack[-1] != name:
                    raise HTMLParseError(
                        f"Unmatched end tag at byte offset {_offset(text, i)}, expected \"</{stack[-1]}>\", found \"</{name}>\""
                    )
                stack.pop()
            else:
                for a in _ATTR_RE.finditer(attrs):
                    if a[1].lower() not in HTML_TAGS[name]:
                        raise HTMLParseError(f"Unsupported attribute \"{a[1]}\" in tag \"{name}\" at byte offset {_offset(text, i)}")
                if name == "span" and "tg-spoiler" not in attrs:
                    raise HTMLParseError(f"Tag \"span\" must have class \"tg-spoiler\" at byte offset {_offset(text, i)}")
                stack.append(name)
            i = m.end()
        elif ch == ">":
            raise HTMLParseError(f"Unescaped \">\" at byte offset {_offset(text, i)}")
        else:  # plain text up to the next <, > or &
            m = _SPECIAL_RE.search(text, i)
            end = m.start() if m else len(text)
            out.append(text[i:end])
            i = end
    if stack:
        raise HTMLParseError(f"Can't find end tag corresponding to start tag \"{stack[-1]}\"")
    return "".join(out)


def text_error(text, parse_mode: str | None) -> str | None:
    """The 400 description Telegram would answer a sendMessage with, or None."""
    if not isinstance(text, str):
        return "Bad Request: message text is empty"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Bad Request: strings must be encoded in UTF-8"
    if (parse_mode or "").upper() == "HTML":
        try:
            text = parse_html(text)
        except HTMLParseError as exc:
            return f"Bad Request: can't parse entities: {exc}"
    if not text.strip():
        return "Bad Request: message text is empty"
    if len(text.encode("utf-16-le")) // 2 > MAX_TEXT:
        return "Bad Request: message is too long"
    return None

BOT_ID = 7000001
BOT_USERNAME = "citebot_test_bot"
USER = {"id": 501, "is_bot": False, "first_name": "Ann", "username": "ann"}
OTHER_USER = {"id": 502, "is_bot": False, "first_name": "Bob"}
PRIVATE = {"id": 501, "type": "private", "first_name": "Ann", "username": "ann"}
OTHER_PRIVATE = {"id": 502, "type": "private", "first_name": "Bob"}
GROUP = {"id": -1002003004005, "type": "supergroup", "title": "News club"}
OTHER_GROUP = {"id": -1009008007006, "type": "supergroup", "title": "Elsewhere"}
FORUM = {"id": -1001112223334, "type": "supergroup", "title": "Readers' forum", "is_forum": True}  # with topics
# Anonymous group admins post as the group: `from` is this bot, `sender_chat` the group.
ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}

# Parameters that are plain strings on the wire even when they look like JSON.
_RAW = {"text", "caption", "callback_query_id", "parse_mode", "action", "url", "secret_token", "description"}


@dataclass
class Call:
    method: str
    params: dict
    path: str
    at: float = field(default_factory=time.monotonic)
    status: int = 200  # what the fake answered: 200, or the injected failure's status
    fault: str | None = None  # the network fault injected on this call ("reset", "lost", "slow", "stall")
    result: dict | None = None  # the message a sendMessage made (to reply to it)
    topic: int | None = None  # sendMessage / sendChatAction: the forum topic it went to (None: General, no topics)

    @property
    def ok(self) -> bool:
        return self.status == 200


def _decode(key: str, value: str):
    if key in _RAW:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class FakeBotAPI:
    def __init__(self, token: str, hold: float = 0.2, sock=None) -> None:
        self.token = token
        self.hold = hold
        # a socket bound on 127.0.0.1 to serve on (until start() it refuses connections: an API
        # that is down, then comes up on the same address); None: any free port
        self.sock = sock
        self.bot_user = {
            "id": BOT_ID, "is_bot": True, "first_name": "citebot", "username": BOT_USERNAME,
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
        }
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(9000)
        self.reset()
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._new_update: asyncio.Event | None = None
        # called on the server's loop with each answered Call (e.g. a benchmark's driver)
        self.listeners: list = []

    # --- test side ----------------------------------------------------------------------
    def reset(self) -> None:
        with getattr(self, "_lock", threading.Lock()):
            self.calls: list[Call] = []
            self.updates: list[dict] = []
            self.available_at: dict[int, float] = {}  # update_id -> time.monotonic() it was queued
            self.failures: dict[str, list[tuple[int, str, dict | None]]] = {}
            self.faults: dict[str, list[tuple[str, float]]] = {}
            self.rejected: list[Call] = []  # sendMessage/editMessageText answered 400 for their text
            self.chats: dict[int, dict] = {PRIVATE["id"]: PRIVATE, GROUP["id"]: GROUP, FORUM["id"]: FORUM}
            self.topics: dict[tuple[int, int], int] = {}  # (chat id, message id) -> the forum topic it is in

    def add_update(self, **payload) -> int:
        """Queue an update ({"message": {...}} or {"callback_query": {...}}); returns its id."""
        with self._lock:
            update_id = next(self._ids)
            self.updates.append({"update_id": update_id, **payload})
            self.available_at[update_id] = time.monotonic()
            for value in payload.values():
                chat = value.get("chat") or (value.get("message") or {}).get("chat")
                if chat:
                    self.chats.setdefault(chat["id"], chat)
                for msg in (value, value.get("message") or {}, value.get("reply_to_message") or {}):
                    if msg.get("is_topic_message") and msg.get("chat"):
                        self.topics[(msg["chat"]["id"], msg["message_id"])] = msg["message_thread_id"]
        if self._loop is not None and self._new_update is not None:
            self._loop.call_soon_threadsafe(self._new_update.set)  # wake a waiting getUpdates
        return update_id

    def fail(self, method: str, status: int, description: str, times: int = 1, parameters: dict | None = None) -> None:
        """The next `times` calls of `method` answer {"ok": false, "error_code": status,
        "description": ..., "parameters": ...} (e.g. parameters={"retry_after": 1} with 429)."""
        with self._lock:
            self.failures.setdefault(method, []).extend([(status, description, parameters)] * times)

    def fault(self, method: str, kind: str, times: int = 1, delay: float = 0.0) -> None:
        """A network fault on the next `times` calls of `method`: "reset" (connection closed
        before the call is processed), "lost" (processed, then closed without an answer),
        "slow" (processed, answered after `delay` s), "stall" (processed after `delay` s)."""
        if kind not in ("reset", "lost", "slow", "stall"):
            raise ValueError(kind)
        with self._lock:
            self.faults.setdefault(method, []).extend([(kind, delay)] * times)

    def delivered(self, method: str = "sendMessage", where=None) -> list[Call]:
        """The calls of `method` that the server carried out (status 200, including "lost" and
        "slow" ones whose answer the client may never have seen)."""
        return [c for c in self.called(method, where) if c.ok]

    def called(self, method: str, where=None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and (where is None or where(c.params))]

    def _check(self, method: str, count: int, where) -> list[Call] | None:
        found = self.called(method, where)
        return found if len(found) >= count else None

    async def wait_for(self, method: str, count: int = 1, where=None, timeout: float = 15.0) -> list[Call]:
        """The calls of `method` (matching `where`) once there are `count` of them."""
        deadline = time.monotonic() + timeout
        while (found := self._check(method, count, where)) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {count}× {method} within {timeout} s; calls: {[c.method for c in self.calls]}")
            await asyncio.sleep(0.02)
        return found

    def wait_for_sync(self, method: str, count: int = 1, where=None, timeout: float = 15.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while (found := self._check(method, count, where)) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {count}× {method} within {timeout} s; calls: {[c.method for c in self.calls]}")
            time.sleep(0.05)
        return found

    # --- update builders ----------------------------------------------------------------
    def message(self, text: str | None, chat: dict = PRIVATE, user: dict = USER, entities=None, **extra) -> dict:
        msg = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat, "from": user, **extra}
        if text is not None:
            msg["text"] = text
            ents = list(entities or [])
            if text.startswith("/"):
                ents.insert(0, {"type": "bot_command", "offset": 0, "length": len(text.split()[0])})
            at = f"@{BOT_USERNAME}"
            start = text.find(at)
            if start >= 0 and not text.startswith("/"):
                ents.append({"type": "mention", "offset": start, "length": len(at)})
            if ents:
                msg["entities"] = ents
        return msg

    def bot_message(self, text: str, chat: dict = PRIVATE) -> dict:
        return {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat, "from": self.bot_user, "text": text}

    def topic_message(self, text: str | None, topic: int, chat: dict = FORUM, user: dict = USER, **extra) -> dict:
        """A message in forum topic `topic` (its message_thread_id is the topic's first message)."""
        return self.message(text, chat, user, message_thread_id=topic, is_topic_message=True, **extra)

    def send_text(self, text: str, chat: dict = PRIVATE, user: dict = USER, **extra) -> int:
        return self.add_update(message=self.message(text, chat, user, **extra))

    def press(self, data: str, message: dict | None = None, user: dict = USER) -> int:
        """A callback query from a button under `message` (a bot message in the private chat by default)."""
        message = message or self.bot_message("an answer")
        return self.add_update(callback_query={
            "id": f"cq{next(self._ids)}", "from": user, "chat_instance": "ci-1", "data": data, "message": message,
        })

    # --- server side --------------------------------------------------------------------
    def _ok(self, result) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    def _topic(self, params: dict) -> int | None:
        """The forum topic a message sent with `params` lands in, as Telegram decides it."""
        if params.get("message_thread_id") is not None:
            return int(params["message_thread_id"])
        reply = params.get("reply_parameters")
        if isinstance(reply, dict) and reply.get("message_id") is not None:
            with self._lock:
                return self.topics.get((int(reply.get("chat_id") or params["chat_id"]), int(reply["message_id"])))
        return None

    def _sent(self, params: dict, topic: int | None = None) -> dict:
        chat_id = int(params["chat_id"])
        chat = self.chats.get(chat_id, {"id": chat_id, "type": "private", "first_name": "Someone"})
        sent = {
            "message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
            "from": self.bot_user, "text": params.get("text", ""),
        }
        if topic is not None:
            sent.update(message_thread_id=topic, is_topic_message=True)
            with self._lock:
                self.topics[(chat_id, sent["message_id"])] = topic
        return sent

    async def _handle(self, request: web.Request) -> web.Response:
        at = time.monotonic()
        token, method = request.match_info["token"], request.match_info["method"]
        try:
            if request.content_type == "application/json":
                params = await request.json()
            else:
                form = await request.post()
                params = {k: _decode(k, v) for k, v in form.items() if isinstance(v, str)}
        except ConnectionResetError:
            # the client went away while sending (its application stopping mid-request): no call
            # was made, and a real Bot API would not answer either. Raised as an HTTP error so that
            # aiohttp does not log the server's own "Error handling request" for it
            raise web.HTTPBadRequest(text="connection lost while the request was sent") from None
        call = Call(method, params, request.path, at)
        with self._lock:
            fault = self.faults.get(method, []).pop(0) if self.faults.get(method) and token == self.token else None
        kind, delay = fault or (None, 0.0)
        call.fault = kind
        if kind == "reset":
            with self._lock:
                self.calls.append(call)
            call.status = 0
            return self._drop(request, call)
        if kind == "stall":
            await asyncio.sleep(delay)
        response = await self._respond(call, token, method, params)
        for listener in self.listeners:
            listener(call)
        if kind == "lost":
            return self._drop(request, call)
        if kind == "slow":
            await asyncio.sleep(delay)
        return response

    def _drop(self, request: web.Request, call: Call) -> web.Response:
        """Close the connection without an answer (the client sees a reset / disconnect)."""
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=499)  # never written: the transport is gone

    async def _respond(self, call: Call, token: str, method: str, params: dict) -> web.Response:
        with self._lock:
            self.calls.append(call)
            failure = self.failures.get(method, []).pop(0) if self.failures.get(method) and token == self.token else None
        if token != self.token:
            call.status = 401
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        if failure:
            status, description, parameters = failure
            call.status = status
            body = {"ok": False, "error_code": status, "description": description}
            if parameters:
                body["parameters"] = parameters
            return web.json_response(body, status=status)
        if method == "getUpdates":
            return self._ok(await self._get_updates(params))
        if method == "getMe":
            return self._ok(self.bot_user)
        if method in ("sendMessage", "editMessageText"):
            error = text_error(params.get("text"), params.get("parse_mode"))
            if error:
                call.status = 400
                with self._lock:
                    self.rejected.append(call)
                return web.json_response({"ok": False, "error_code": 400, "description": error}, status=400)
            call.topic = self._topic(params)
            call.result = self._sent(params, call.topic)
            return self._ok(call.result)
        if method == "getWebhookInfo":
            return self._ok({"url": "", "has_custom_certificate": False, "pending_update_count": 0})
        if method == "getMyCommands":
            return self._ok([])
        if method == "sendChatAction":
            call.topic = self._topic(params)
        if method in ("sendChatAction", "answerCallbackQuery", "setMyCommands", "deleteWebhook", "setWebhook", "close", "logOut", "deleteMyCommands"):
            return self._ok(True)
        call.status = 404
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found: method not found"}, status=404)

    async def _get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, self.hold)
        while True:
            self._new_update.clear()
            with self._lock:
                if offset:
                    self.updates = [u for u in self.updates if u["update_id"] >= offset]  # confirmed
                pending = list(self.updates)
            left = deadline - time.monotonic()
            if pending or left <= 0:
                return pending
            with contextlib.suppress(asyncio.TimeoutError):  # woken by add_update, or at most 50 ms
                await asyncio.wait_for(self._new_update.wait(), min(left, 0.05))

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> "FakeBotAPI":
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._new_update = asyncio.Event()
            app = web.Application()
            app.router.add_route("*", "/bot{token}/{method}", self._handle)
            self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
            self._loop.run_until_complete(self._runner.setup())
            self._loop.run_until_complete((web.SockSite(self._runner, self.sock) if self.sock else web.TCPSite(self._runner, "127.0.0.1", 0)).start())
            port = self._runner.addresses[0][1]
            self.url = f"http://127.0.0.1:{port}"
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=serve, name="fake-bot-api", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake Bot API server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> "FakeBotAPI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


TOKEN = "123456789:AAFk3Fq9_ZxYwVuT-sRqPoNmLkJiHgFeDcB"  # well-formed, fake


def drive(settings, answerer, scenario, *, poll_interval: float = 0.05, poll_timeout: float = 1.0,
          limit: float = 60.0, **build):
    """Run a real Application (built by build_application(settings, answerer, **build), polling
    the fake server) around `await scenario(app)`; at most `limit` seconds."""
    from bot.telegram.app import ALLOWED_UPDATES, build_application

    async def main():
        app = build_application(settings, answerer, **build)
        async with app:  # initialize (getMe) … shutdown
            await app.start()
            await app.updater.start_polling(poll_interval=poll_interval, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES)
            try:
                return await scenario(app)
            finally:
                await app.updater.stop()
                await app.stop()

    return asyncio.run(asyncio.wait_for(main(), limit))
