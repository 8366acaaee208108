"""A fake Telegram Bot API server on 127.0.0.1 for driving a real python-telegram-bot app.

It runs an aiohttp server on its own event loop in a daemon thread, so both an
in-process Application (on the test's loop) and a `citebot telegram` subprocess can
talk to it. Requests go to /bot<token>/<method>; another token gets 401 Unauthorized.
Every call is recorded (method + decoded parameters); updates you add are served by
getUpdates (long polling held at most `hold` seconds); `fail()` makes the next call(s)
of a method return an error (with `parameters`, e.g. {"retry_after": 1} for a 429).
Each call records the status it was answered with (`Call.ok`: delivered), each update
the time it became available to getUpdates (`available_at`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field

from aiohttp import web

BOT_ID = 7000001
BOT_USERNAME = "citebot_test_bot"
USER = {"id": 501, "is_bot": False, "first_name": "Ann", "username": "ann"}
OTHER_USER = {"id": 502, "is_bot": False, "first_name": "Bob"}
PRIVATE = {"id": 501, "type": "private", "first_name": "Ann", "username": "ann"}
OTHER_PRIVATE = {"id": 502, "type": "private", "first_name": "Bob"}
GROUP = {"id": -1002003004005, "type": "supergroup", "title": "News club"}
OTHER_GROUP = {"id": -1009008007006, "type": "supergroup", "title": "Elsewhere"}
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
    def __init__(self, token: str, hold: float = 0.2) -> None:
        self.token = token
        self.hold = hold
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
            self.chats: dict[int, dict] = {PRIVATE["id"]: PRIVATE, GROUP["id"]: GROUP}

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
        if self._loop is not None and self._new_update is not None:
            self._loop.call_soon_threadsafe(self._new_update.set)  # wake a waiting getUpdates
        return update_id

    def fail(self, method: str, status: int, description: str, times: int = 1, parameters: dict | None = None) -> None:
        """The next `times` calls of `method` answer {"ok": false, "error_code": status,
        "description": ..., "parameters": ...} (e.g. parameters={"retry_after": 1} with 429)."""
        with self._lock:
            self.failures.setdefault(method, []).extend([(status, description, parameters)] * times)

    def delivered(self, method: str = "sendMessage", where=None) -> list[Call]:
        """The calls of `method` that succeeded."""
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

    def _sent(self, params: dict) -> dict:
        chat_id = int(params["chat_id"])
        chat = self.chats.get(chat_id, {"id": chat_id, "type": "private", "first_name": "Someone"})
        return {
            "message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
            "from": self.bot_user, "text": params.get("text", ""),
        }

    async def _handle(self, request: web.Request) -> web.Response:
        at = time.monotonic()
        token, method = request.match_info["token"], request.match_info["method"]
        if request.content_type == "application/json":
            params = await request.json()
        else:
            form = await request.post()
            params = {k: _decode(k, v) for k, v in form.items() if isinstance(v, str)}
        call = Call(method, params, request.path, at)
        response = await self._respond(call, token, method, params)
        for listener in self.listeners:
            listener(call)
        return response

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
            return self._ok(self._sent(params))
        if method == "getWebhookInfo":
            return self._ok({"url": "", "has_custom_certificate": False, "pending_update_count": 0})
        if method == "getMyCommands":
            return self._ok([])
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
            self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", 0).start())
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
