"""Telegram network faults, injected by the fake Bot API server (tests/fake_bot_api.py):
429 with retry_after, 500/502, connection resets, lost answers, slow responses and
timeouts, on sendMessage and on getUpdates. A real Application (build_application)
around the session's real Answerer.

The properties: every answer is delivered, or — after bounded retries — logged as not
delivered with its chat id; polling goes on; nothing is answered twice. Delivery is at
most once: a request Telegram may have carried out (sent, then no answer) is not resent
(bot/telegram/delivery.py explains the trade-off).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram.app import ConfigError, build_application, check_settings, webhook_options
from bot.telegram.delivery import NotDelivered, not_carried_out
from conftest import SHMELYEV_Q
import fake_bot_api
from fake_bot_api import PRIVATE, TOKEN, USER

FAST_RETRIES = (0.05, 0.1, 0.2)  # the policy's pauses, shortened (RETRY_DELAYS is 1, 2, 4 s)
READ_TIMEOUT = 0.6  # s the bot waits for Telegram's answer (PTB's default is 5 s)
ANSWER = "Svobodnaya Pressa"  # in the answer to SHMELYEV_Q


@pytest.fixture
def settings(make_settings, tmp_path, api):
    return make_settings(tmp_path / "data", telegram_bot_token=TOKEN, telegram_api_url=api.url, telegram_rate_limit_per_minute=0)


def drive(settings, answerer, scenario, poll_timeout: float = 0.5):
    """A real Application polling the fake server, with the retry pauses and read timeout shortened."""
    return fake_bot_api.drive(settings, answerer, scenario, poll_interval=0.0, poll_timeout=poll_timeout, limit=90,
                              retry_delays=FAST_RETRIES, read_timeout=READ_TIMEOUT)


def chat(i: int) -> tuple[dict, dict]:
    user = {**USER, "id": 10_000 + i, "first_name": f"U{i}"}
    return {"id": 10_000 + i, "type": "private", "first_name": f"U{i}"}, user


def answers_to(api, chat_id: int):
    return api.delivered("sendMessage", where=lambda p: int(p["chat_id"]) == chat_id)


async def settle(api, seconds: float = 0.3) -> None:
    """Wait until no call but getUpdates has reached the server for `seconds` (retries, late answers)."""
    def count():
        return sum(1 for c in api.calls if c.method != "getUpdates")

    while True:
        before = count()
        await asyncio.sleep(seconds)
        if count() == before:
            return


def not_delivered_logs(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("not delivered:")]


# --- the classification behind the retry policy ------------------------------------------------
def _caused(error, cause):
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (NetworkError("Internal Server Error"), True),  # Telegram answered 500: not carried out
        (NetworkError("Bad Gateway"), True),
        (_caused(NetworkError("httpx.ConnectError: refused"), httpx.ConnectError("refused")), True),
        (_caused(TimedOut(), httpx.ConnectTimeout("connect")), True),
        (_caused(TimedOut("Pool timeout"), httpx.PoolTimeout("pool")), True),
        (_caused(TimedOut(), httpx.WriteTimeout("write")), True),
        (_caused(TimedOut(), httpx.ReadTimeout("read")), None),  # sent, no answer: maybe carried out
        (_caused(NetworkError("httpx.RemoteProtocolError"), httpx.RemoteProtocolError("disconnected")), None),
        (_caused(NetworkError("httpx.ReadError"), httpx.ReadError("reset")), None),
        (BadRequest("Bad Request: chat not found"), False),
        (Forbidden("Forbidden: bot was blocked by the user"), False),
        (RetryAfter(3), False),
    ],
)
def test_which_failures_are_resent(error, expected):
    assert not_carried_out(error) is expected


# --- sendMessage ---------------------------------------------------------------------------------
def test_server_errors_on_send_are_retried_and_the_answer_arrives_once(api, settings, answerer, caplog):
    caplog.set_level(logging.INFO)

    async def scenario(app):
        api.fail("sendMessage", 500, "Internal Server Error")
        api.fail("sendMessage", 502, "Bad Gateway")
        api.send_text(SHMELYEV_Q)
        await api.wait_for("sendMessage", 3)
        await settle(api)

    drive(settings, answerer, scenario)
    calls = api.called("sendMessage")
    assert [c.status for c in calls] == [500, 502, 200]
    assert len({c.params["text"] for c in calls}) == 1 and ANSWER in calls[-1].params["text"]
    assert calls[1].at - calls[0].at >= FAST_RETRIES[0] and calls[2].at - calls[1].at >= FAST_RETRIES[1]
    retries = [r.getMessage() for r in caplog.records if "retrying in" in r.getMessage()]
    assert len(retries) == 2 and all(f"chat {PRIVATE['id']}" in m for m in retries)
    assert not not_delivered_logs(caplog)


def test_an_answer_that_keeps_failing_is_given_up_and_logged_with_its_chat_id(api, settings, answerer, caplog):
    caplog.set_level(logging.INFO)

    async def scenario(app):
        api.fail("sendMessage", 502, "Bad Gateway", times=len(FAST_RETRIES) + 1)
        api.send_text(SHMELYEV_Q)
        await api.wait_for("sendMessage", len(FAST_RETRIES) + 1)
        await settle(api)
        api.send_text(SHMELYEV_Q)  # the bot is still answering
        await api.wait_for("sendMessage", len(FAST_RETRIES) + 2)
        await settle(api)

    drive(settings, answerer, scenario)
    calls = api.called("sendMessage")
    assert [c.status for c in calls] == [502] * (len(FAST_RETRIES) + 1) + [200]  # bounded: 1 + 3 retries
    (failed,) = not_delivered_logs(caplog)
    assert f"sendMessage to chat {PRIVATE['id']} failed after 4 attempts: Bad Gateway" in failed
    assert [r.levelname for r in caplog.records if r.getMessage() == failed] == ["ERROR"]


def test_flood_control_then_a_server_error_still_delivers_once(api, settings, answerer):
    async def scenario(app):
        api.fail("sendMessage", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1})
        api.fail("sendMessage", 500, "Internal Server Error")
        api.send_text(SHMELYEV_Q)
        await api.wait_for("sendMessage", 3, timeout=10)
        await settle(api)

    drive(settings, answerer, scenario)
    calls = api.called("sendMessage")
    assert [c.status for c in calls] == [429, 500, 200]
    assert calls[1].at - calls[0].at >= 1.0  # retry_after respected
    assert len(api.delivered("sendMessage")) == 1


def test_a_reset_before_telegram_answers_is_not_resent_and_is_logged(api, settings, answerer, caplog):
    """Reset with the request sent: we cannot know whether Telegram carried it out, so the
    answer is not sent again (no duplicate); the log names the chat. The next question works."""
    caplog.set_level(logging.INFO)

    async def scenario(app):
        api.fault("sendMessage", "reset")
        api.send_text(SHMELYEV_Q)
        await api.wait_for("sendMessage")
        await settle(api)
        api.send_text(SHMELYEV_Q)
        await api.wait_for("sendMessage", 2)
        await settle(api)

    drive(settings, answerer, scenario)
    first, second = api.called("sendMessage")
    assert (first.fault, first.ok, second.fault, second.ok) == ("reset", False, None, True)
    (failed,) = not_delivered_logs(caplog)
    assert f"sendMessage to chat {PRIVATE['id']}: no answer from Telegram" in failed and "not sent again" in failed


@pytest.mark.parametrize("kind", ["lost", "slow"])
def test_an_answer_delivered_without_confirmation_is_not_duplicated(api, settings, answerer, caplog, kind):
    """Telegram carried the sendMessage out, but its answer was lost (connection dropped) or
    came after our read timeout: exactly one message in the chat, and a log line."""
    caplog.set_level(logging.INFO)

    async def scenario(app):
        api.fault("sendMessage", kind, delay=READ_TIMEOUT + 0.6)
        api.send_text(SHMELYEV_Q)
        await api.wait_for("sendMessage")
        await asyncio.sleep(READ_TIMEOUT + 0.8)
        await settle(api)

    drive(settings, answerer, scenario)
    (call,) = api.called("sendMessage")
    assert call.fault == kind and call.ok and ANSWER in call.params["text"]
    (failed,) = not_delivered_logs(caplog)
    assert f"chat {PRIVATE['id']}" in failed and "may have arrived" in failed


def test_a_slow_but_timely_answer_is_just_waited_for(api, settings, answerer, caplog):
    caplog.set_level(logging.INFO)

    async def scenario(app):
        api.fault("sendMessage", "slow", delay=READ_TIMEOUT / 3)
        api.fault("sendMessage", "stall", delay=READ_TIMEOUT / 3)
        api.send_text(SHMELYEV_Q)
        api.send_text(SHMELYEV_Q)
        await api.wait_for("sendMessage", 2)
        await settle(api)

    drive(settings, answerer, scenario)
    assert [c.fault for c in api.called("sendMessage")] == ["slow", "stall"]
    assert len(api.delivered("sendMessage")) == 2 and not not_delivered_logs(caplog)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# --- getUpdates ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "inject",
    [
        pytest.param(lambda api: api.fail("getUpdates", 500, "Internal Server Error", times=2), id="500"),
        pytest.param(lambda api: api.fail("getUpdates", 502, "Bad Gateway", times=2), id="502"),
        pytest.param(lambda api: api.fail("getUpdates", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1}), id="429"),
        pytest.param(lambda api: api.fault("getUpdates", "reset", times=2), id="reset"),
        pytest.param(lambda api: api.fault("getUpdates", "lost", times=2), id="lost"),
        pytest.param(lambda api: api.fault("getUpdates", "slow", times=2, delay=2.5), id="timeout"),
    ],
)
def test_polling_survives_get_updates_faults_and_answers_each_question_once(api, settings, answerer, inject):
    async def scenario(app):
        api.send_text(SHMELYEV_Q)
        await api.wait_for("sendMessage")
        inject(api)
        (pa, ua), (pb, ub) = chat(1), chat(2)
        api.send_text(SHMELYEV_Q, chat=pa, user=ua)  # handed out by the faulty calls ("lost")
        deadline = asyncio.get_running_loop().time() + 20
        while api.failures.get("getUpdates") or api.faults.get("getUpdates"):  # every fault served
            assert asyncio.get_running_loop().time() < deadline, "the bot stopped polling"
            await asyncio.sleep(0.05)
        api.send_text(SHMELYEV_Q, chat=pb, user=ub)  # only a poll after the faults can fetch this
        await api.wait_for("sendMessage", 3, where=lambda p: True, timeout=20)
        await settle(api, 0.5)
        return pa["id"], pb["id"]

    a, b = drive(settings, answerer, scenario)
    assert any(not c.ok or c.fault for c in api.called("getUpdates"))  # the faults happened
    for chat_id in (PRIVATE["id"], a, b):
        (answer,) = answers_to(api, chat_id)  # exactly once each
        assert ANSWER in answer.params["text"]


# --- many chats, many faults ----------------------------------------------------------------------
def test_under_mixed_faults_every_answer_arrives_once_or_is_logged(api, settings, answerer, caplog):
    """30 chats ask at once while sendMessage and getUpdates fail in every way. Each chat
    gets its answer exactly once, or a "not delivered" log line names it; none twice."""
    caplog.set_level(logging.INFO)
    n = 30

    async def scenario(app):
        api.fail("sendMessage", 500, "Internal Server Error", times=4)
        api.fault("sendMessage", "lost")
        api.fail("sendMessage", 502, "Bad Gateway", times=3)
        api.fault("sendMessage", "reset")
        api.fail("sendMessage", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1})
        api.fault("sendMessage", "slow", delay=READ_TIMEOUT + 0.3)
        api.fault("getUpdates", "lost")
        api.fail("getUpdates", 502, "Bad Gateway")
        for i in range(n):
            p, u = chat(100 + i)
            api.send_text(SHMELYEV_Q, chat=p, user=u)
        await api.wait_for("sendMessage", n, where=lambda params: True, timeout=40)
        await asyncio.sleep(READ_TIMEOUT + 0.5)
        await settle(api, 0.5)

    drive(settings, answerer, scenario)
    logged = " ".join(not_delivered_logs(caplog))
    unconfirmed = 0
    for i in range(n):
        chat_id = chat(100 + i)[0]["id"]
        delivered = answers_to(api, chat_id)
        assert len(delivered) <= 1, f"chat {chat_id} answered twice"
        if not delivered or any(c.fault in ("lost", "slow") for c in delivered):
            assert re.search(rf"\bchat {chat_id}\b", logged), f"chat {chat_id}: no answer and no log line"
            unconfirmed += 1
    assert unconfirmed >= 3  # the lost, the reset and the slow one (500/502/429 are retried, bounded)


# --- an update this python-telegram-bot cannot read -----------------------------------------------
def test_an_update_ptb_cannot_read_is_skipped_and_its_text_never_logged(api, settings, answerer, caplog):
    """A self-hosted Bot API server older than PTB, or a field PTB newly requires: PTB parses a
    getUpdates batch as a whole, so one such update failed every poll, the offset never moved
    past it and no chat was answered (and the user's text was logged at CRITICAL each time)."""
    secret = "MY PRIVATE QUESTION about my diagnosis"

    async def scenario(app):
        api.send_text(SHMELYEV_Q)
        await api.wait_for("sendMessage")
        # an entity without its required "offset"
        api.add_update(message=api.message(secret, entities=[{"type": "bold", "length": 2}]))
        pa, ua = chat(1)
        api.send_text(SHMELYEV_Q, chat=pa, user=ua)
        await api.wait_for("sendMessage", 2, where=lambda p: True, timeout=20)
        await settle(api, 0.5)
        return pa["id"]

    with caplog.at_level(logging.DEBUG):
        other = drive(settings, answerer, scenario)
    for chat_id in (PRIVATE["id"], other):
        (answer,) = answers_to(api, chat_id)
        assert ANSWER in answer.params["text"]
    assert len(api.delivered("sendMessage")) == 2  # the unreadable one got nothing
    assert len(api.called("getUpdates")) < 40  # no storm of polls re-fetching it
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert secret not in logged
    assert re.search(r"skipped update \d+: python-telegram-bot cannot read it", logged)
    assert not [r for r in caplog.records if r.levelno >= logging.CRITICAL]


def test_ptb_records_of_unreadable_data_hide_the_users_text():
    from bot.telegram.app import HideUserText

    for template in ("Error while parsing updates! Received data was %r",
                     "Something went wrong processing the data received from Telegram. "
                     "Received data was *not* processed! Received data was: %r"):
        record = logging.LogRecord("telegram.ext.ExtBot", logging.CRITICAL, __file__, 1, template,
                                   ([{"message": {"text": "MY PRIVATE QUESTION"}}],), None)
        HideUserText().filter(record)
        assert "MY PRIVATE QUESTION" not in record.getMessage()


# --- webhook mode: posts PTB's webhook handler cannot read ----------------------------------------
WEBHOOK_SECRET = "s3cret-webhook-token"
PRIVATE_TEXT = "MY PRIVATE QUESTION about my diagnosis"


@pytest.fixture
def webhook_settings(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return settings.model_copy(update={
        "telegram_webhook_url": f"http://127.0.0.1:{port}/tg", "telegram_webhook_listen": "127.0.0.1",
        "telegram_webhook_port": port, "telegram_webhook_secret": WEBHOOK_SECRET,
    })


def drive_webhook(settings, answerer, scenario, limit: float = 60.0):
    """A real Application in webhook mode — PTB's tornado server on 127.0.0.1, set up as `citebot
    telegram --webhook` sets it up (webhook_options), the fake server as Telegram — around
    `await scenario(post)`. post(body, secret=WEBHOOK_SECRET) POSTs to the webhook like Telegram
    (a dict as JSON, bytes as they are) and returns the HTTP status."""

    async def main():
        app = build_application(settings, answerer, retry_delays=FAST_RETRIES, read_timeout=READ_TIMEOUT)
        async with app, httpx.AsyncClient(timeout=10, trust_env=False) as client:
            await app.start()
            await app.updater.start_webhook(**webhook_options(settings))

            async def post(body, secret: str = WEBHOOK_SECRET) -> int:
                content = json.dumps(body).encode() if isinstance(body, dict) else body
                headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
                return (await client.post(settings.telegram_webhook_url, content=content, headers=headers)).status_code

            try:
                return await scenario(post)
            finally:
                await app.updater.stop()
                await app.stop()

    return asyncio.run(asyncio.wait_for(main(), limit))


def test_a_webhook_update_ptb_cannot_read_is_acknowledged_skipped_and_logged_by_id(api, webhook_settings, answerer, caplog):
    """PTB's webhook handler answered an update it cannot read (here an entity without its
    "offset") with 400, logging it whole (the user's text) at CRITICAL; Telegram resends an update
    until it gets a 2xx, so the same one came back again and again. It is acknowledged now."""

    async def scenario(post):
        assert await post({"update_id": 1, "message": api.message(SHMELYEV_Q)}) == 200
        await api.wait_for("sendMessage")
        unreadable = {"update_id": 2, "message": api.message(PRIVATE_TEXT, entities=[{"type": "bold", "length": 2}])}
        assert await post(unreadable) == 200
        pa, ua = chat(1)
        assert await post({"update_id": 3, "message": api.message(SHMELYEV_Q, chat=pa, user=ua)}) == 200
        await api.wait_for("sendMessage", 2, where=lambda p: True)
        await settle(api)
        return pa["id"]

    with caplog.at_level(logging.DEBUG):
        other = drive_webhook(webhook_settings, answerer, scenario)
    for chat_id in (PRIVATE["id"], other):
        (answer,) = answers_to(api, chat_id)
        assert ANSWER in answer.params["text"]
    assert len(api.delivered("sendMessage")) == 2  # the unreadable one got nothing
    logged = [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    assert PRIVATE_TEXT not in "\n".join(logged)
    assert [m for m in logged if "python-telegram-bot cannot read it" in m] == ["skipped update 2: python-telegram-bot cannot read it (TypeError)"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_a_webhook_post_that_is_no_update_gets_400_and_one_warning_line(api, webhook_settings, answerer, caplog):
    """PTB's webhook handler answered a body that is not JSON with 500 (a traceback at debug
    level), and JSON that is no update object with 400 and the body at CRITICAL, with tracebacks."""
    not_updates = [
        PRIVATE_TEXT.encode(),  # not JSON
        b"\xff\xfe" + PRIVATE_TEXT.encode("utf-16-le"),  # not UTF-8
        b"",
        json.dumps([PRIVATE_TEXT]).encode(),
        json.dumps(PRIVATE_TEXT).encode(),
        b"null",
        json.dumps({"message": api.message(PRIVATE_TEXT)}).encode(),  # no update_id
        b"[" * 100_000 + b"]" * 100_000,  # JSON nested too deep for the parser (RecursionError)
    ]

    async def scenario(post):
        statuses = [await post(body) for body in not_updates]
        records = list(caplog.records)  # of these posts (each is logged before it is answered)
        wrong_secret = await post(b"not JSON", secret="wrong-secret")  # the secret is checked first (PTB's 403)
        answered = await post({"update_id": 1, "message": api.message(SHMELYEV_Q)})
        await api.wait_for("sendMessage")
        await settle(api)
        return statuses, records, wrong_secret, answered

    with caplog.at_level(logging.DEBUG):
        statuses, records, wrong_secret, answered = drive_webhook(webhook_settings, answerer, scenario)
    assert statuses == [400] * len(not_updates) and wrong_secret == 403 and answered == 200
    (answer,) = answers_to(api, PRIVATE["id"])
    assert ANSWER in answer.params["text"]
    warnings = [r for r in records if r.levelno >= logging.WARNING]
    assert len(warnings) == len(not_updates)
    assert all(r.levelno == logging.WARNING and "is not a Telegram update" in r.getMessage() for r in warnings)
    assert not [r for r in records if r.exc_info or r.exc_text]  # no traceback, not even at debug level
    assert not [r for r in caplog.records if PRIVATE_TEXT in r.getMessage() + (r.exc_text or "")]


def test_webhook_mode_refuses_a_python_telegram_bot_whose_webhook_handler_changed(webhook_settings, monkeypatch):
    """The webhook checks replace one PTB internal (use_checked_webhooks); a PTB upgrade that
    changed it stops webhook mode at start, with one line, instead of silently losing them."""
    from telegram.ext._utils import webhookhandler

    check_settings(webhook_settings)  # this PTB: fine (and its handler replaced, for the process)
    (ptb_handler,) = [c for c in webhookhandler.TelegramHandler.__mro__ if c.__module__ == webhookhandler.__name__]
    monkeypatch.setattr(webhookhandler, "TelegramHandler", type("TelegramHandler", (), {"post": None}))
    with pytest.raises(ConfigError, match="Webhook mode does not support python-telegram-bot"):
        check_settings(webhook_settings)

    class RoutesElsewhere(webhookhandler.WebhookAppClass):
        def __init__(self, *args):  # to a handler by another name
            super(webhookhandler.WebhookAppClass, self).__init__([])

    monkeypatch.setattr(webhookhandler, "TelegramHandler", ptb_handler)
    monkeypatch.setattr(webhookhandler, "WebhookAppClass", RoutesElsewhere)
    with pytest.raises(ConfigError, match="Webhook mode does not support python-telegram-bot"):
        check_settings(webhook_settings)


def test_a_read_that_got_no_answer_is_not_called_possibly_delivered():
    timeout = _caused(TimedOut(), httpx.ReadTimeout("read"))
    assert str(NotDelivered("getMe", None, 1, timeout, maybe=True)) == "getMe: no answer from Telegram (Timed out)"
    sent = str(NotDelivered("sendMessage", 7, 1, timeout, maybe=True))
    assert sent == "sendMessage to chat 7: no answer from Telegram (Timed out); it may have arrived, so it is not sent again"


def test_flood_control_that_outlasts_the_retries_is_logged_as_not_delivered(api, settings, answerer, caplog):
    caplog.set_level(logging.INFO)

    async def scenario(app):
        api.fail("sendMessage", 429, "Too Many Requests: retry after 1", times=4, parameters={"retry_after": 1})
        api.send_text(SHMELYEV_Q)
        await api.wait_for("sendMessage", 4, timeout=20)
        await settle(api)

    drive(settings, answerer, scenario)
    assert [c.status for c in api.called("sendMessage")] == [429] * 4  # 1 + MAX_RETRIES, then given up
    (failed,) = not_delivered_logs(caplog)
    assert f"sendMessage to chat {PRIVATE['id']} failed after 4 attempts: Flood control exceeded" in failed
    assert not [r for r in caplog.records if r.name == "telegram.ext.AIORateLimiter" and r.levelno >= logging.ERROR]
