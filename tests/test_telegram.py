"""The Telegram front end: a real python-telegram-bot Application, built by
build_application() around the session's real Answerer, talking to a fake Bot API
server on 127.0.0.1 (tests/fake_bot_api.py). Plus the renderer and `citebot telegram`.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
import signal
import subprocess
import time
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

import prompts
from bot.answer import Answer, Answerer, Citation
from bot.telegram import keyboards, render
from bot.telegram.app import ConfigError, access_policy, allowed_chats, check_settings, run
from conftest import CITEBOT, MACRON_Q, SHMELYEV_Q, SHMELYEV_SOURCE, cli_env, flat
from fake_bot_api import (
    ANONYMOUS_ADMIN,
    BOT_USERNAME,
    GROUP,
    OTHER_GROUP,
    OTHER_PRIVATE,
    OTHER_USER,
    PRIVATE,
    TOKEN,
    USER,
    drive,
)

SECRET_HALF = TOKEN.split(":")[1]
TAGS = {"b", "i", "u", "s", "code", "pre", "a", "blockquote", "tg-spoiler"}


# --- fixtures and helpers -----------------------------------------------------------------
@pytest.fixture
def tg_settings(make_settings, tmp_path, api):
    def make(**overrides):
        values = {"telegram_bot_token": TOKEN, "telegram_api_url": api.url, **overrides}
        return make_settings(tmp_path / "data", **values)

    return make


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        assert tag in TAGS, tag
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, (tag, self.stack)

    def handle_data(self, data):
        self.text.append(data)


def checked_plain(text: str) -> str:
    """The visible text of a Telegram HTML message, asserting its tags are balanced."""
    parser = _Tags()
    parser.feed(text)
    parser.close()
    assert not parser.stack, parser.stack
    return "".join(parser.text)


def texts(calls) -> list[str]:
    return [c.params["text"] for c in calls]


def buttons(call) -> list[dict]:
    return [b for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


# --- answering in a private chat ------------------------------------------------------------
def test_private_question_gets_cited_html_answer_and_working_buttons(api, tg_settings, answerer):
    article = answerer.library.articles[SHMELYEV_SOURCE]

    async def scenario(app):
        api.send_text(SHMELYEV_Q)
        (answer,) = await api.wait_for("sendMessage")
        (typing,) = api.called("sendChatAction")
        assert typing.params == {"chat_id": PRIVATE["id"], "action": "typing"}
        assert typing.at <= answer.at

        p = answer.params
        assert p["chat_id"] == PRIVATE["id"] and p["parse_mode"] == "HTML"
        assert "reply_parameters" not in p  # private chats: a plain message, not a reply
        assert "Svobodnaya Pressa" in p["text"]
        assert f"<code>{SHMELYEV_SOURCE}</code>" in p["text"]
        assert f"<b>{html.escape(article.title, quote=False)}</b>" in p["text"]
        (quote,) = re.findall(r"<blockquote>(.*?)</blockquote>", p["text"], re.S)
        assert html.unescape(quote) in article.text  # verbatim
        checked_plain(p["text"])

        keys = buttons(answer)
        assert [b["text"] for b in keys] == ["📄 1", "📚 Sources"]
        assert all(len(b["callback_data"].encode()) <= 64 for b in keys)

        # 📄 1: the whole paragraph around the quote, as a reply to the answer
        api.press(keys[0]["callback_data"])
        await api.wait_for("answerCallbackQuery")
        _, excerpt = await api.wait_for("sendMessage", 2)
        start = article.text.index(html.unescape(quote))
        p_start, p_end = render.paragraph_bounds(article.text, start, start + len(html.unescape(quote)))
        shown = checked_plain(excerpt.params["text"])
        assert article.text[p_start:p_end] in shown
        assert len(article.text[p_start:p_end]) > len(html.unescape(quote))
        assert f"<b>{quote}</b>" in excerpt.params["text"]  # the quoted part stands out
        assert article.url in shown and SHMELYEV_SOURCE in shown

        # 📚 Sources: every article, the cited one marked
        api.press(keys[1]["callback_data"])
        _, _, listing = await api.wait_for("sendMessage", 3)
        shown = checked_plain(listing.params["text"])
        for a in answerer.library.articles.values():
            assert a.title in shown and a.source in shown
        assert shown.count("cited above") == 1
        assert len(api.called("answerCallbackQuery")) == 2

    drive(tg_settings(), answerer, scenario)


def test_stale_or_unknown_buttons_get_a_polite_message(api, tg_settings, answerer):
    text = answerer.library.articles[SHMELYEV_SOURCE].text
    changed = f"x:002:0:40:{keyboards.check(text[0:40] + 'x')}"  # the article's text changed since
    good = f"x:002:0:40:{keyboards.check(text[0:40])}"

    async def scenario(app):
        for data in ("x:999:0:5", f"x:002:0:{len(text) + 10}", changed, "garbage"):
            api.press(data)
        # a button on an inline message has no chat to send the excerpt or the list to
        for data in (good, "s"):
            api.add_update(callback_query={"id": f"cq-inline-{data}", "from": USER, "chat_instance": "ci-2",
                                           "data": data, "inline_message_id": "inline-1"})
        calls = await api.wait_for("answerCallbackQuery", 6)
        for call in calls:
            assert call.params["text"] == prompts.render("telegram_expired_button")
            assert "no longer available" in call.params["text"]
            assert call.params["show_alert"] is True
        await asyncio.sleep(0.2)
        assert not api.called("sendMessage")

    drive(tg_settings(), answerer, scenario)


def test_refusals_and_bad_input_are_rendered_as_the_answerer_says(api, tg_settings, answerer):
    long_question = "Why " + "really " * 200 + "?"

    async def scenario(app):
        api.send_text(MACRON_Q)
        (refusal,) = await api.wait_for("sendMessage")
        api.send_text("/ask")
        api.send_text(long_question)
        _, empty, too_long = await api.wait_for("sendMessage", 3)
        return refusal, empty, too_long

    refusal, empty, too_long = drive(tg_settings(), answerer, scenario)
    expected = answerer.ask(MACRON_Q)
    assert expected.refused
    assert refusal.params["text"] == html.escape(expected.text, quote=False)
    assert "I can't answer that" in refusal.params["text"]
    assert "reply_markup" not in refusal.params  # no buttons under a refusal
    assert empty.params["text"] == html.escape(prompts.render("empty_question"), quote=False)
    assert too_long.params["text"] == html.escape(answerer.ask(long_question).text, quote=False)
    assert "too long" in too_long.params["text"]


def test_a_topic_gets_its_excerpts_with_a_button_each_and_a_greeting_gets_a_reply(api, tg_settings, answerer):
    async def scenario(app):
        api.send_text("Tell me about potash")
        (overview,) = await api.wait_for("sendMessage")
        api.send_text("hello")
        _, greeting = await api.wait_for("sendMessage", 2)
        return overview, greeting

    overview, greeting = drive(tg_settings(), answerer, scenario)
    expected = answerer.ask("Tell me about potash")
    assert not expected.refused and len(expected.citations) == 3
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", overview.params["text"], re.S)
    assert [html.unescape(q) for q in quotes] == [c.quote for c in expected.citations]
    for c in expected.citations:
        assert c.quote in answerer.library.articles[c.source].text and "potash" in c.quote.lower()
    assert [b["text"] for b in buttons(overview)] == ["📄 1", "📄 2", "📄 3", "📚 Sources"]
    checked_plain(overview.params["text"])
    assert greeting.params["text"] == html.escape(answerer.ask("hello").text, quote=False)
    assert greeting.params["text"].startswith("Hi!") and "reply_markup" not in greeting.params


# --- groups ---------------------------------------------------------------------------------
def test_groups_answer_only_mentions_replies_and_ask(api, tg_settings, answerer):
    silent = [
        api.message(SHMELYEV_Q, chat=GROUP),
        api.message(f"/ask@other_bot {SHMELYEV_Q}", chat=GROUP),
        api.message("/frobnicate", chat=GROUP),  # bare unknown commands may be another bot's
    ]
    asked = [
        api.message(f"@{BOT_USERNAME}, which outlet interviewed Boris Shmelyev?", chat=GROUP),
        api.message(f"/ask@{BOT_USERNAME} {SHMELYEV_Q}", chat=GROUP, user=OTHER_USER),
        api.message(SHMELYEV_Q, chat=GROUP, reply_to_message=api.bot_message("an earlier answer", GROUP)),
    ]

    async def scenario(app):
        for m in silent + asked:
            api.add_update(message=m)
        await api.wait_for("sendMessage", 3)
        await asyncio.sleep(0.3)

    drive(tg_settings(), answerer, scenario)
    calls = api.called("sendMessage")
    assert len(calls) == 3 and len(api.called("sendChatAction")) == 3
    for call in calls:
        assert call.params["chat_id"] == GROUP["id"]
        assert "Svobodnaya Pressa" in call.params["text"]  # the mention was stripped from the question
    # groups: each answer is a reply to its question; one chat answers in order
    assert [c.params["reply_parameters"]["message_id"] for c in calls] == [m["message_id"] for m in asked]


def test_group_unknown_command_addressed_to_the_bot_gets_a_hint(api, tg_settings, answerer):
    async def scenario(app):
        api.send_text(f"/frobnicate@{BOT_USERNAME}", chat=GROUP)
        return await api.wait_for("sendMessage")

    (call,) = drive(tg_settings(), answerer, scenario)
    assert call.params["text"] == render.render_prompt("telegram_unknown_command")[0]


# --- commands, menu, other messages ---------------------------------------------------------
def test_commands_menu_start_sources_help_about(api, tg_settings, answerer):
    articles = answerer.library.articles

    async def scenario(app):
        await app.post_init(app)  # run_polling / run_webhook call it; here by hand
        for command in ("/start", "/sources", "/help", "/about"):
            api.send_text(command)
            await api.wait_for("sendMessage", len(api.called("sendMessage")) + 1)

    drive(tg_settings(), answerer, scenario)
    (menu,) = api.called("setMyCommands")
    assert [c["command"] for c in menu.params["commands"]] == ["start", "ask", "reset", "sources", "help", "about"]
    start, sources, help_, about = [checked_plain(t) for t in texts(api.called("sendMessage"))]
    assert len(articles) == 5
    assert "5 articles" in start and f"@{BOT_USERNAME}" in start and "/ask" in start
    assert "2025-12-23" in start  # the date range of the dated articles
    for a in articles.values():
        assert a.title in start
        assert a.title in sources and a.source in sources
    assert "I have 5 articles" in sources
    assert "/ask" in help_ and "/sources" in help_
    assert "verbatim" in about
    assert not api.called("sendChatAction")  # commands answer at once


def test_unknown_commands_non_text_and_edited_messages(api, tg_settings, answerer):
    photo = api.message(None, photo=[{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}])
    sticker = api.message(None, sticker={
        "file_id": "s1", "file_unique_id": "u2", "width": 512, "height": 512,
        "is_animated": False, "is_video": False, "type": "regular",
    })
    voice = api.message(None, voice={"file_id": "v1", "file_unique_id": "u3", "duration": 2})
    group_photo = api.message(None, chat=GROUP, photo=photo["photo"])

    async def scenario(app):
        api.add_update(edited_message=api.message(SHMELYEV_Q))  # ignored
        api.add_update(message=group_photo)  # ignored: not addressed to the bot
        api.send_text("/frobnicate")
        for m in (photo, sticker, voice):
            api.add_update(message=m)
        await api.wait_for("sendMessage", 4)
        await asyncio.sleep(0.3)

    drive(tg_settings(), answerer, scenario)
    calls = api.called("sendMessage")
    assert len(calls) == 4 and all(c.params["chat_id"] == PRIVATE["id"] for c in calls)
    hint = render.render_prompt("telegram_non_text")[0]
    assert sorted(texts(calls)) == sorted([render.render_prompt("telegram_unknown_command")[0]] + [hint] * 3)
    assert not api.called("sendChatAction")  # the edited question was not answered


# --- resilience ----------------------------------------------------------------------------
def test_plain_text_fallback_when_telegram_cannot_parse_the_html(api, tg_settings, answerer):
    async def scenario(app):
        api.fail("sendMessage", 400, "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 3")
        api.send_text(SHMELYEV_Q)
        return await api.wait_for("sendMessage", 2)

    rejected, plain = drive(tg_settings(), answerer, scenario)
    assert rejected.params["parse_mode"] == "HTML"
    assert "parse_mode" not in plain.params
    assert plain.params["text"] == render.to_plain(rejected.params["text"])
    assert "<" not in plain.params["text"] and "Svobodnaya Pressa" in plain.params["text"]
    assert plain.params["reply_markup"] == rejected.params["reply_markup"]


def test_api_errors_are_logged_with_chat_id_and_the_token_never(api, tg_settings, answerer, caplog):
    caplog.set_level(logging.DEBUG)

    async def scenario(app):
        api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
        api.send_text(SHMELYEV_Q)
        await api.wait_for("sendMessage")
        api.send_text(SHMELYEV_Q)  # still running
        (_, answer) = await api.wait_for("sendMessage", 2)
        api.press(buttons(answer)[0]["callback_data"])
        await api.wait_for("sendMessage", 3)
        api.fail("sendMessage", 500, "Internal Server Error")
        api.send_text("/help")
        await api.wait_for("sendMessage", 4)
        await asyncio.sleep(0.2)

    drive(tg_settings(), answerer, scenario)
    assert "Svobodnaya Pressa" in api.called("sendMessage")[1].params["text"]
    assert all(c.path.startswith(f"/bot{TOKEN}/") for c in api.calls)  # {API}/bot{token}/{method}
    logs = caplog.text
    assert TOKEN not in logs and SECRET_HALF not in logs
    assert "/bot***" in logs  # PTB logged the API URL at debug level, redacted
    assert f"chat {PRIVATE['id']}" in logs and "blocked by the user" in logs
    assert "Internal Server Error" in logs
    for record in caplog.records:
        assert TOKEN not in record.getMessage()


def test_allowlist_ignores_other_chats(api, tg_settings, answerer, caplog):
    """TELEGRAM_ALLOWED_CHATS, the older name of ALLOWED_CHAT_IDS, still works."""
    caplog.set_level(logging.INFO, logger="bot.telegram.handlers")

    async def scenario(app):
        api.send_text(f"@{BOT_USERNAME} {SHMELYEV_Q}", chat=GROUP)
        api.press("x:999:0:5", message=api.bot_message("old", GROUP))
        api.send_text("/help")
        await api.wait_for("sendMessage")
        await asyncio.sleep(0.2)

    drive(tg_settings(telegram_allowed_chats=f"12345, {PRIVATE['id']}"), answerer, scenario)
    (call,) = api.called("sendMessage")
    assert call.params["chat_id"] == PRIVATE["id"]
    assert not api.called("answerCallbackQuery") and not api.called("sendChatAction")
    assert caplog.text.count(f"ignoring an update from chat {GROUP['id']}, sender {USER['id']}") == 2


# --- access and abuse control -----------------------------------------------------------------
NOT_ALLOWED = prompts.render("telegram_not_allowed")


def forwarded_from(user: dict) -> dict:
    return {"forward_origin": {"type": "user", "sender_user": user, "date": int(time.time()) - 60}}


def anonymous_admin(text: str, group: dict) -> dict:
    """A group admin posting anonymously: `from` is GroupAnonymousBot, `sender_chat` the group."""
    return {"text": text, "user": ANONYMOUS_ADMIN, "chat": group, "sender_chat": {k: group[k] for k in ("id", "type", "title")}}


def test_user_allowlist_answers_allowed_users_and_refuses_others_once(api, tg_settings, answerer):
    mention = f"@{BOT_USERNAME} {SHMELYEV_Q}"

    async def scenario(app):
        # Bob's first message in his private chat is a forward of Ann's: it counts as Bob's
        api.send_text(SHMELYEV_Q, chat=OTHER_PRIVATE, user=OTHER_USER, **forwarded_from(USER))
        (refusal,) = await api.wait_for("sendMessage", where=lambda p: p["chat_id"] == OTHER_PRIVATE["id"])
        api.send_text(SHMELYEV_Q, chat=OTHER_PRIVATE, user=OTHER_USER)  # told once already: nothing
        api.send_text("/start", chat=OTHER_PRIVATE, user=OTHER_USER)
        api.send_text(mention, chat=GROUP, user=OTHER_USER)  # groups: nothing at all
        api.add_update(message=api.message(**anonymous_admin(mention, GROUP)))  # the group is not listed
        api.send_text(SHMELYEV_Q)  # Ann, allowed
        api.send_text(SHMELYEV_Q, **forwarded_from(OTHER_USER))  # Ann forwards Bob's message: hers
        api.send_text(mention, chat=GROUP)  # Ann in a group
        await api.wait_for("sendMessage", 4)
        await asyncio.sleep(0.4)
        return refusal

    refusal = drive(tg_settings(allowed_user_ids=str(USER["id"])), answerer, scenario)
    calls = api.called("sendMessage")
    assert len(calls) == 4, texts(calls)
    assert refusal.params["text"] == NOT_ALLOWED and "private" in refusal.params["text"]
    assert [c.params["chat_id"] for c in calls].count(OTHER_PRIVATE["id"]) == 1
    answers = [c for c in calls if c is not refusal]
    assert sorted(c.params["chat_id"] for c in answers) == sorted([PRIVATE["id"], PRIVATE["id"], GROUP["id"]])
    assert all("Svobodnaya Pressa" in c.params["text"] for c in answers)
    assert len(api.called("sendChatAction")) == 3  # nothing was computed for the others


def test_chat_allowlist_with_user_allowlist_and_anonymous_admins(api, tg_settings, answerer):
    mention = f"@{BOT_USERNAME} {SHMELYEV_Q}"

    async def scenario(app):
        api.add_update(message=api.message(**anonymous_admin(mention, GROUP)))  # counts by the allowed group
        api.add_update(message=api.message(**anonymous_admin(mention, OTHER_GROUP)))
        api.send_text(mention, chat=OTHER_GROUP)  # Ann, but not in an allowed chat
        api.send_text(mention, chat=GROUP, user=OTHER_USER)  # allowed chat, but not an allowed user
        api.send_text(mention, chat=GROUP)  # allowed chat and user
        api.send_text(SHMELYEV_Q)  # Ann's private chat is not in ALLOWED_CHAT_IDS: one polite refusal
        await api.wait_for("sendMessage", 3)
        api.send_text(SHMELYEV_Q)
        await asyncio.sleep(0.4)

    settings = tg_settings(allowed_user_ids=f" {USER['id']}, 42", allowed_chat_ids=str(GROUP["id"]))
    drive(settings, answerer, scenario)
    calls = api.called("sendMessage")
    assert len(calls) == 3, texts(calls)
    private = [c for c in calls if c.params["chat_id"] == PRIVATE["id"]]
    group = [c for c in calls if c.params["chat_id"] == GROUP["id"]]
    assert texts(private) == [NOT_ALLOWED]
    assert len(group) == 2 and all("Svobodnaya Pressa" in c.params["text"] for c in group)
    assert not api.called("sendMessage", where=lambda p: p["chat_id"] == OTHER_GROUP["id"])


def test_rate_limit_per_user_with_a_sliding_window(api, tg_settings, answerer, caplog):
    caplog.set_level(logging.INFO, logger="citebot.telegram.questions")
    now = [1000.0]
    limit = 2

    async def next_message(count: int):
        return (await api.wait_for("sendMessage", count))[-1]

    async def scenario(app):
        for i in range(2):  # 1, 2: answered
            api.send_text(SHMELYEV_Q)
            assert "Svobodnaya Pressa" in (await next_message(i + 1)).params["text"]
        now[0] += 15
        api.send_text(SHMELYEV_Q)  # 3: over the limit -> one slow-down note
        slow = await next_message(3)
        api.send_text(SHMELYEV_Q)  # 4: still over the limit, already told -> nothing
        api.send_text(f"/ask@{BOT_USERNAME} {SHMELYEV_Q}", chat=GROUP, user=OTHER_USER)  # Bob has his own budget
        bob = await next_message(4)
        await asyncio.sleep(0.3)
        assert len(api.called("sendMessage")) == 4
        now[0] += 46  # the first two questions leave the 60 s window
        for i in range(2):  # 5, 6: answered again
            api.send_text(SHMELYEV_Q)
            assert "Svobodnaya Pressa" in (await next_message(5 + i)).params["text"]
        api.send_text(SHMELYEV_Q)  # 7: a new window over the limit: told again
        again = await next_message(7)
        return slow, bob, again

    slow, bob, again = drive(tg_settings(telegram_rate_limit_per_minute=limit), answerer, scenario, clock=lambda: now[0])
    assert slow.params["chat_id"] == PRIVATE["id"]
    assert slow.params["text"] == render.render_prompt("telegram_slow_down", limit=limit, seconds=45)[0]
    assert "try again in 45 s" in slow.params["text"] and "2 a minute" in slow.params["text"]
    assert bob.params["chat_id"] == GROUP["id"] and "Svobodnaya Pressa" in bob.params["text"]
    assert "try again in 60 s" in again.params["text"]
    assert len(api.called("sendChatAction")) == 5  # the limited questions were not answered
    reasons = [r.reason for r in caplog.records if r.name == "citebot.telegram.questions"]
    assert reasons.count("rate_limited") == 3 and len(reasons) == 8


def test_sender_is_the_forwarder_or_the_group_of_an_anonymous_admin(api):
    from telegram import Update

    from bot.telegram import access

    def update(message: dict) -> Update:
        return Update.de_json({"update_id": 1, "message": message}, None)

    forwarded = update(api.message("hi", chat=GROUP, user=OTHER_USER, **forwarded_from(USER)))
    assert access.sender(forwarded) == access.Sender(OTHER_USER["id"], OTHER_USER["id"])
    anonymous = update(api.message(**anonymous_admin("hi", GROUP)))
    assert access.sender(anonymous) == access.Sender(GROUP["id"], ANONYMOUS_ADMIN["id"], as_chat=True)
    both = access.Policy(frozenset({USER["id"]}), frozenset({GROUP["id"]}))
    assert both.allows(anonymous) and not both.allows(forwarded)
    assert not access.Policy(frozenset({USER["id"]})).allows(anonymous)  # the group itself is not listed
    assert access.Policy(frozenset({GROUP["id"]})).allows(anonymous)  # …unless it is, as a sender
    assert access.Policy().allows(forwarded) and not access.Policy().active


def test_rate_limiter_window_and_notes():
    from bot.telegram.access import RateLimiter

    now = [0.0]
    rl = RateLimiter(3, 60, clock=lambda: now[0])
    for t in (0, 5, 10):
        now[0] = t
        assert rl.hit(1).allowed
    now[0] = 20
    first, second = rl.hit(1), rl.hit(1)
    assert not first.allowed and first.notify and first.seconds == 40
    assert not second.allowed and not second.notify
    assert rl.hit(2).allowed  # per sender
    now[0] = 60  # the window slides: the question at 0 leaves it, those at 5 and 10 not yet
    assert rl.hit(1).allowed
    third = rl.hit(1)
    assert not third.allowed and third.notify and third.seconds == 5  # a new window: told again
    assert RateLimiter(0).hit(1).allowed  # 0: no limit
    small = RateLimiter(1, 60, clock=lambda: now[0], max_senders=2)
    for key in range(10):
        small.hit(key)
    assert len(small._hits) <= 3  # memory stays bounded


# --- hostile input, Telegram flood control, errors ----------------------------------------------
def test_html_looking_question_is_escaped_in_whatever_comes_back(api, tg_settings, answerer):
    hostile = "<b>bold</b> & <script>alert(1)</script>"

    async def scenario(app):
        api.send_text(hostile)
        api.send_text(f"/ask@{BOT_USERNAME} {hostile}", chat=GROUP)
        api.send_text(f"Which outlet interviewed <i>Boris Shmelyev</i>? {hostile}")
        api.send_text(hostile * 60)  # too long
        return await api.wait_for("sendMessage", 4)

    calls = drive(tg_settings(), answerer, scenario)
    for call in calls:
        text = call.params["text"]
        assert call.params["parse_mode"] == "HTML"
        assert "<script" not in text.lower() and "<b>bold" not in text
        checked_plain(text)  # only Telegram's tags, balanced
    assert any("too long" in c.params["text"] for c in calls)


def test_flood_control_429_is_waited_out_and_the_answer_arrives_once(api, tg_settings, answerer):
    async def scenario(app):
        api.fail("sendMessage", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1})
        api.send_text(SHMELYEV_Q)
        await api.wait_for("sendMessage", 2, timeout=10)
        await asyncio.sleep(0.3)

    drive(tg_settings(), answerer, scenario)
    first, second = api.called("sendMessage")
    assert first.status == 429 and second.ok
    assert second.at - first.at >= 1.0  # retry_after was respected
    (delivered,) = api.delivered("sendMessage")
    assert "Svobodnaya Pressa" in delivered.params["text"] and delivered.params["text"] == first.params["text"]


class ExplodingAnswerer(Answerer):
    """Test double for the Answerer dependency only: the real one, except that ask() fails."""

    def __init__(self, real: Answerer) -> None:  # noqa: D107 - shares the real one's state
        self.__dict__.update(real.__dict__)

    def ask(self, question: str):
        raise RuntimeError("the index went away")


def test_error_handler_logs_and_says_something_went_wrong(api, tg_settings, answerer, caplog):
    caplog.set_level(logging.INFO)

    async def scenario(app):
        api.send_text(SHMELYEV_Q)
        (sorry,) = await api.wait_for("sendMessage")
        api.send_text("/help")  # the bot keeps running
        await api.wait_for("sendMessage", 2)
        return sorry

    sorry = drive(tg_settings(), ExplodingAnswerer(answerer), scenario)
    assert sorry.params["chat_id"] == PRIVATE["id"]
    assert sorry.params["text"] == prompts.render("telegram_error") and "something went wrong" in sorry.params["text"]
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert f"chat {PRIVATE['id']}" in error.getMessage() and "the index went away" in caplog.text
    (record,) = [r for r in caplog.records if r.name == "citebot.telegram.questions"]
    assert record.reason == "error" and record.refused is True


# --- the per-question log -----------------------------------------------------------------------
def _question_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "citebot.telegram.questions"]


def test_each_question_is_logged_once_with_fields_and_without_its_text(api, tg_settings, answerer, caplog):
    caplog.set_level(logging.DEBUG)  # not even PTB's debug records show the question
    secret_question, refused_question = SHMELYEV_Q, MACRON_Q

    async def scenario(app):
        api.send_text(secret_question)
        await api.wait_for("sendMessage")
        api.send_text(f"@{BOT_USERNAME} {refused_question}", chat=GROUP, user=OTHER_USER)
        await api.wait_for("sendMessage", 2)
        await asyncio.sleep(0.1)

    drive(tg_settings(), answerer, scenario)
    answered, refused = _question_records(caplog)
    assert answered.levelno == logging.INFO
    for record, chat, user in ((answered, PRIVATE, USER), (refused, GROUP, OTHER_USER)):
        message = record.getMessage()
        for key in ("chat_id", "user_id", "latency_ms", "refused", "reason", "citations", "mode"):
            assert f" {key}=" in message, (key, message)
        assert record.chat_id == chat["id"] and record.user_id == user["id"]
        assert f"chat_id={chat['id']} user_id={user['id']} " in message
        assert isinstance(record.latency_ms, float) and record.latency_ms > 0
        assert record.mode == "extractive" and f"mode={record.mode}" in message
        assert not hasattr(record, "question") and "question=" not in message
    assert answered.refused is False and answered.reason is None and answered.citations == 1
    assert "refused=false reason=none citations=1" in answered.getMessage()
    assert refused.refused is True and refused.reason in ("unsupported", "no_evidence") and refused.citations == 0
    assert f"refused=true reason={refused.reason} citations=0" in refused.getMessage()
    assert caplog.text.count("Svobodnaya Pressa") >= 1  # the debug records are there…
    for question in (secret_question, refused_question):  # …but not the questions
        assert question not in caplog.text
        assert not any(question in r.getMessage() for r in caplog.records)


def test_log_questions_true_puts_the_question_text_in_the_record(api, tg_settings, answerer, caplog):
    caplog.set_level(logging.INFO, logger="citebot.telegram.questions")
    question = 'Which outlet interviewed Boris Shmelyev? "quoted" \n new'

    async def scenario(app):
        api.send_text(question)
        await api.wait_for("sendMessage")
        await asyncio.sleep(0.1)

    drive(tg_settings(log_questions=True), answerer, scenario)
    (record,) = _question_records(caplog)
    assert record.question == question
    assert record.getMessage().endswith(" question=" + json.dumps(question, ensure_ascii=False))


# --- rendering and callback data ------------------------------------------------------------
def _citation(i: int, quote: str) -> Citation:
    return Citation(f"{i:03d}_source.txt", f"Title <{i}> & “quotes”", "2025-12-23", None, quote, 10 * i, 10 * i + len(quote))


def test_the_answer_says_how_a_question_was_read():
    """A follow-up rewritten from the chat, a question whose typos were corrected, or both: the
    reply says first which question it answers; the corrected form wins when there is one."""
    quote = "Svobodnaya Pressa interviewed Boris Shmelyev."
    typed = Answer("q", quote, (_citation(1, quote),))
    assert not render.answer_blocks(typed)[0].plain.startswith("Answering")
    assert render.answer_blocks(typed, "Which outlet interviewed Shmelyev?")[0].plain == "Answering: Which outlet interviewed Shmelyev?"
    spelled = Answer("q", quote, (_citation(1, quote),), support={"read_as": "Which outlet interviewed him?"})
    assert render.answer_blocks(spelled)[0].plain == "Answering: Which outlet interviewed him?"
    assert render.answer_blocks(spelled, "Which outlet intervewed him?")[0].plain == "Answering: Which outlet interviewed him?"


def test_long_answers_split_into_balanced_messages_that_join_back():
    sentence = "Lukashenko said <that> the A&B deal was “major”, and Kellogg agreed. "
    text = (sentence * 80 + "\n\n") * 2 + "Ünïcödé 🇧🇾 tail."  # ≈ 11,000 characters
    answer = Answer("q", text, tuple(_citation(i, sentence * 3) for i in range(1, 41)))
    messages = render.render_answer(answer)
    assert len(messages) >= 5
    shown = []
    for m in messages:
        assert 0 < len(m) <= 4096 and render.tg_len(m) <= 4096
        shown.append(checked_plain(m))
    expected = " ".join(b.plain for b in render.answer_blocks(answer))
    assert flat(" ".join(shown)) == flat(expected)
    # cuts fall on sentence ends, never inside a word
    assert all(s.rstrip().endswith((".", "]", "txt")) for s in shown[:-1])
    assert "&lt;that&gt; the A&amp;B deal" in messages[0]


def test_long_paragraph_and_unbreakable_text_still_fit():
    from index.corpus import Article

    word = "x" * 5000  # no boundary at all: a hard cut, still balanced
    body = ("A sentence in a long paragraph. " * 300) + word
    article = Article("009_long.txt", "Long <one>", body, "h", None, "https://example.org/a?b=1&c=2")
    start = body.index("A sentence", 200)
    messages = render.render_excerpt(article, start, start + 31)
    assert len(messages) >= 3
    plain = [checked_plain(m) for m in messages]
    assert all(render.tg_len(m) <= 4096 for m in messages)
    squeeze = lambda t: re.sub(r"\s+", "", t)  # noqa: E731
    assert squeeze(body) in squeeze("".join(plain))  # all of it, in order, cut only at spaces or inside the long word
    assert max(len(m) for m in messages) > 3500  # pages are full, not one per sentence
    assert "https://example.org/a?b=1&c=2" in plain[0]
    assert sum(m.count("<b>") for m in messages) >= 2  # title + quoted part


def test_callback_data_round_trips_and_fits_64_bytes(answerer):
    articles = answerer.library.articles
    for source, article in articles.items():
        c = Citation(source, article.title, article.date, article.url, article.text[5:60], 5, 60)
        data = keyboards.cite_data(c, articles)
        assert len(data.encode()) <= 64 and data.startswith(f"x:{article.doc}:5:60:")
        found = keyboards.resolve_cite(data, articles)
        assert found.article is article and (found.start, found.end) == (5, 60)
    assert keyboards.resolve_cite("x:999:0:5", articles) is None
    assert keyboards.resolve_cite("x:002:0:5", articles).article.source == SHMELYEV_SOURCE  # no check part
    # a long file name is replaced by a hash that still resolves
    from index.corpus import Article

    name = "averylongfilename" + "z" * 80 + ".txt"  # its doc id (the stem) is too long as well
    many = {name: Article(name, "T", "some text here", "h"), **articles}
    data = keyboards.cite_data(Citation(name, "T", None, None, "text", 5, 9), many)
    assert len(data.encode()) <= 64 and data.startswith("x:#")
    assert keyboards.resolve_cite(data, many).article.source == name
    assert len(keyboards.sources_data(list(articles) * 10, articles).encode()) <= 64


# --- the command ------------------------------------------------------------------------------
def test_cli_without_a_token_exits_2_with_one_line(run_citebot, tmp_path):
    proc = run_citebot(["telegram"], tmp_path / "no-data", timeout=60)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stderr.strip().count("\n") == 0
    assert "TELEGRAM_BOT_TOKEN is not set" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_with_a_malformed_token_exits_2(tmp_path, monkeypatch):
    from bot.cli import cli

    monkeypatch.chdir(tmp_path)  # no .env
    bad = "12345:not-a-token!"
    result = CliRunner().invoke(cli, ["telegram"], env={"TELEGRAM_BOT_TOKEN": bad, "DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2, result.output
    assert "does not look like a bot token" in result.stderr and bad not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_settings_checks_allowlist_and_webhook(tmp_path, make_settings, monkeypatch):
    base = {"telegram_bot_token": TOKEN}
    with pytest.raises(ConfigError, match="TELEGRAM_ALLOWED_CHATS"):
        check_settings(make_settings(tmp_path, telegram_allowed_chats="12,abc", **base))
    with pytest.raises(ConfigError, match="TELEGRAM_API_URL"):
        check_settings(make_settings(tmp_path, telegram_api_url="api.telegram.org", **base))
    assert allowed_chats(" 12, -100345 ,") == {12, -100345}
    with pytest.raises(ConfigError, match="ALLOWED_USER_IDS"):
        check_settings(make_settings(tmp_path, allowed_user_ids="12,@bob", **base))
    with pytest.raises(ConfigError, match="ALLOWED_CHAT_IDS"):
        check_settings(make_settings(tmp_path, allowed_chat_ids="-100x", **base))
    policy = access_policy(make_settings(tmp_path, allowed_user_ids="5", allowed_chat_ids="1,2", telegram_allowed_chats="3", **base))
    assert policy.users == {5} and policy.chats == {1, 2, 3}  # the alias adds to ALLOWED_CHAT_IDS
    with pytest.raises(ConfigError, match="TELEGRAM_RATE_LIMIT_PER_MINUTE"):
        check_settings(make_settings(tmp_path, telegram_rate_limit_per_minute=-1, **base))
    defaults = make_settings(tmp_path, **base)
    assert defaults.telegram_rate_limit_per_minute == 10 and defaults.log_questions is False
    assert not access_policy(defaults).active
    webhook = make_settings(tmp_path, telegram_webhook_url="https://bot.example.org/tg", **base)
    try:
        import tornado  # noqa: F401
    except ImportError:  # webhook mode needs python-telegram-bot[webhooks]: said in one line
        with pytest.raises(ConfigError, match="webhooks"):
            check_settings(webhook)
        from bot.cli import cli

        monkeypatch.chdir(tmp_path)
        result = CliRunner().invoke(cli, ["telegram", "--webhook", "https://bot.example.org/tg", "--port", "8443"], env={"TELEGRAM_BOT_TOKEN": TOKEN})
        assert result.exit_code == 2 and "webhooks" in result.stderr
    else:
        assert check_settings(webhook) == TOKEN


def test_run_reports_a_rejected_token_and_an_unreachable_api(make_settings, tmp_path, api, answerer, capsys):
    wrong = "987654321:" + "B" * 35  # well-formed, but the server says 401 Unauthorized
    assert run(make_settings(tmp_path, telegram_bot_token=wrong, telegram_api_url=api.url), answerer) == 2
    err = capsys.readouterr().err
    assert "rejected TELEGRAM_BOT_TOKEN" in err and wrong not in err and "B" * 35 not in err
    assert err.strip().count("\n") == 0

    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert run(make_settings(tmp_path, telegram_bot_token=TOKEN, telegram_api_url=f"http://127.0.0.1:{port}"), answerer) == 3
    err = capsys.readouterr().err
    assert "Cannot reach the Telegram Bot API" in err and TOKEN not in err

    # the right server, a wrong path: 404 is about the URL more likely than the token
    assert run(make_settings(tmp_path, telegram_bot_token=TOKEN, telegram_api_url=f"{api.url}/bot"), answerer) == 2
    err = capsys.readouterr().err
    assert "answered getMe with 404 Not Found" in err and "rejected TELEGRAM_BOT_TOKEN" not in err and TOKEN not in err

    # a server that is not a Bot API (200, JSON without "result"): one line, no traceback
    import http.server
    import threading

    class NotBotAPI(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotBotAPI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        assert run(make_settings(tmp_path, telegram_bot_token=TOKEN, telegram_api_url=url), answerer) == 2
    finally:
        server.shutdown()
    err = capsys.readouterr().err
    assert "did not answer getMe like a Telegram Bot API server" in err and TOKEN not in err
    assert err.strip().count("\n") == 0


def test_citebot_telegram_polls_answers_and_stops_on_sigterm(api, seed_data_dir, model_cache, tmp_path):
    env = cli_env(seed_data_dir, model_cache, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.url)
    proc = subprocess.Popen([str(CITEBOT), "-v", "telegram"], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not api.called("getUpdates"):  # model and index loaded, polling
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert api.called("setMyCommands")
        api.send_text(SHMELYEV_Q)
        (answer,) = api.wait_for_sync("sendMessage", timeout=30)
        assert "Svobodnaya Pressa" in answer.params["text"]
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
        stopped = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert stopped < 5
    assert f"citebot is on Telegram as @{BOT_USERNAME} (long polling)" in err
    assert "citebot stopped." in err
    assert TOKEN not in err + out and SECRET_HALF not in err + out
    assert "Traceback" not in err


def test_citebot_telegram_webhook_mode_answers_posted_updates(api, seed_data_dir, model_cache, tmp_path):
    """Webhook mode for real: PTB's tornado server on 127.0.0.1, updates POSTed to it with
    the secret token header, answers sent to the (fake) Bot API; wrong secret is rejected."""
    import json
    import socket
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    secret = "s3cret-webhook-token"
    url = f"http://127.0.0.1:{port}/tg"
    env = cli_env(seed_data_dir, model_cache, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.url)
    proc = subprocess.Popen(
        [str(CITEBOT), "telegram", "--webhook", url, "--listen", "127.0.0.1", "--port", str(port), "--secret", secret],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )

    def post(update: dict, token: str) -> int:
        req = urllib.request.Request(url, data=json.dumps(update).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": token})
        try:
            return urllib.request.urlopen(req, timeout=10).status
        except urllib.error.HTTPError as exc:
            return exc.code

    try:
        (hook,) = api.wait_for_sync("setWebhook", timeout=120)
        assert hook.params["url"] == url and hook.params.get("secret_token") == secret
        assert not api.called("getUpdates")  # no polling in webhook mode
        deadline = time.monotonic() + 30
        while True:  # the local server comes up right after setWebhook
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        assert post({"update_id": 1, "message": api.message("Who is Kellogg?")}, "wrong-secret") == 403
        assert post({"update_id": 2, "message": api.message(SHMELYEV_Q)}, secret) == 200
        (answer,) = api.wait_for_sync("sendMessage", timeout=30)
        assert "Svobodnaya Pressa" in answer.params["text"]
        assert post({"update_id": 2, "message": api.message(SHMELYEV_Q)}, secret) == 200  # a retried post
        # answers in one chat keep the order of the questions: had the repeat been answered, its
        # answer would come before this one's
        assert post({"update_id": 3, "message": api.message("Who is Kellogg?")}, secret) == 200
        _, last = api.wait_for_sync("sendMessage", 2, timeout=30)
        assert "Svobodnaya Pressa" not in last.params["text"]
        time.sleep(0.5)
        assert len(api.called("sendMessage")) == 2  # the wrong-secret update and the repeat were not answered
        # a second worker on the same port says so in one line, and never calls setWebhook
        # (its URL and secret would have replaced the running worker's at Telegram)
        second = subprocess.run(
            [str(CITEBOT), "telegram", "--webhook", url, "--listen", "127.0.0.1", "--port", str(port), "--secret", "other-secret"],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )
        assert second.returncode == 2, second.stderr
        assert f"Cannot listen for the webhook on 127.0.0.1:{port}: Address already in use" in second.stderr
        assert "Traceback" not in second.stderr and len(api.called("setWebhook")) == 1
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "webhook" in err and TOKEN not in out + err and secret not in out + err
