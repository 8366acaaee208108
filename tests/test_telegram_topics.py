"""Forum topics and the start against a Bot API that is away: a real python-telegram-bot
Application (build_application / run / check_api) around the session's real Answerer,
talking to the fake Bot API server on 127.0.0.1 (tests/fake_bot_api.py).

Topics: Telegram puts a message in a topic only when it names the topic (message_thread_id)
or replies to a message in it; the fake records where each message landed (Call.topic).
Start: check_api is what `citebot telegram` runs before the index and model load.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

import prompts
from bot.answer import Answerer
from bot.telegram import render
from bot.telegram.app import check_api, run
from conftest import ROOT, SHMELYEV_Q, cli_env
from fake_bot_api import BOT_USERNAME, FORUM, GROUP, TOKEN, FakeBotAPI, drive

TOPIC, OTHER_TOPIC = 77, 78  # forum topics (the id of the message that opened each)
FAST = (0.1, 0.4)  # backoff: first pause, longest pause (API_BACKOFF is 1 s up to 30 s)


@pytest.fixture
def tg_settings(make_settings, tmp_path, api):
    def make(**overrides):
        values = {"telegram_bot_token": TOKEN, "telegram_api_url": api.url, "telegram_rate_limit_per_minute": 0, **overrides}
        return make_settings(tmp_path / "data", **values)

    return make


def free_port() -> int:
    with socket.socket() as s:  # a port nobody listens on (connections are refused)
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ask_in(api, text: str, topic: int | None, chat: dict = FORUM, **extra) -> dict:
    message = api.topic_message(text, topic, chat, **extra) if topic is not None else api.message(text, chat, **extra)
    api.add_update(message=message)
    return message


def buttons(call) -> list[dict]:
    return [b for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


HARBOUR_Q = "Which ship brought the first cargo of Belarusian potash to Klaipeda?"
HARBOUR = "Nordic Amber"  # in the answer


@pytest.fixture(scope="module")
def long_answerer(make_settings, embed, tmp_path_factory):
    """A real Answerer over an index of one article that is one paragraph of ~5,000
    characters: the excerpt behind its 📄 button takes more than one message."""
    from bot import services
    from index.ingest import ingest

    corpus = tmp_path_factory.mktemp("long-corpus")
    days = " ".join(
        f"On day {i} of the month the harbour master at Klaipeda logged {1200 + 37 * i} tonnes of grain and "
        f"{40 + i} containers at berth {i % 7 + 1}, with {i % 4 + 2} tugboats on duty."
        for i in range(1, 31)
    )
    paragraph = (f"The first cargo of Belarusian potash to reach Klaipeda came on the bulk carrier {HARBOUR} on Tuesday, "
                 f"port officials said. {days}")
    (corpus / "800_harbour.txt").write_text(f"Klaipeda harbour log for December\n\n{paragraph}\n", encoding="utf-8")
    settings = make_settings(tmp_path_factory.mktemp("long-data"))
    ingest(corpus, services.store(settings), embed, settings.data_dir, chunk_size=settings.chunk_size,
           chunk_overlap=settings.chunk_overlap, max_file_bytes=settings.max_file_bytes)
    return services.answerer(settings, services.library(settings, embed=embed))


class ExplodingAnswerer(Answerer):
    def __init__(self, real: Answerer) -> None:  # noqa: D107 - shares the real one's state
        self.__dict__.update(real.__dict__)

    def ask(self, question: str):
        raise RuntimeError("the index went away")


# --- forum topics ------------------------------------------------------------------------------
def test_everything_said_in_answer_to_a_topic_goes_to_that_topic(api, tg_settings, long_answerer):
    """The answer, "typing…", every part of a long excerpt and the sources list (buttons on the
    answer), a command's reply: all in the question's topic. The General topic and a reply
    thread in a group without topics get no message_thread_id."""
    (cited,) = long_answerer.ask(HARBOUR_Q).citations
    parts = len(render.render_excerpt(long_answerer.library.articles[cited.source], cited.start, cited.end))
    assert parts >= 2  # the whole paragraph does not fit one message

    async def scenario(app):
        async def sent(count: int):
            return (await api.wait_for("sendMessage", len(api.called("sendMessage")) + count))[-count:]

        question = ask_in(api, f"@{BOT_USERNAME} {HARBOUR_Q}", TOPIC)
        (answer,) = await sent(1)
        excerpt_key, sources_key = buttons(answer)
        api.press(excerpt_key["callback_data"], message=answer.result)  # 📄 1: the long paragraph
        excerpt = await sent(parts)
        api.press(sources_key["callback_data"], message=answer.result)  # 📚 Sources
        (listing,) = await sent(1)
        ask_in(api, f"/sources@{BOT_USERNAME}", OTHER_TOPIC)
        (command,) = await sent(1)
        ask_in(api, f"@{BOT_USERNAME} {HARBOUR_Q}", None)  # the forum's General topic
        (general,) = await sent(1)
        ask_in(api, HARBOUR_Q, None, GROUP, reply_to_message=api.bot_message("an earlier answer", GROUP),
               message_thread_id=4242)  # a reply thread in a group without topics: not a topic
        (group_reply,) = await sent(1)
        return question, answer, excerpt, listing, command, general, group_reply

    question, answer, excerpt, listing, command, general, group_reply = drive(tg_settings(), long_answerer, scenario)
    assert HARBOUR in answer.params["text"] and answer.params["reply_parameters"]["message_id"] == question["message_id"]
    assert excerpt[0].params["reply_parameters"]["message_id"] == answer.result["message_id"]
    assert all("reply_parameters" not in part.params for part in excerpt[1:])  # only message_thread_id puts these in the topic
    assert "I have 1 article" in listing.params["text"] and "I have 1 article" in command.params["text"]
    in_topic = (answer, *excerpt, listing)  # where Telegram puts them, then that each names its topic
    assert [c.topic for c in in_topic] == [TOPIC] * len(in_topic)
    assert [c.params.get("message_thread_id") for c in in_topic] == [TOPIC] * len(in_topic)
    assert command.topic == OTHER_TOPIC and command.params["message_thread_id"] == OTHER_TOPIC
    topic_typing, general_typing, group_typing = api.called("sendChatAction")
    assert topic_typing.topic == TOPIC and topic_typing.params["message_thread_id"] == TOPIC
    assert general.params["chat_id"] == FORUM["id"] and group_reply.params["chat_id"] == GROUP["id"]
    for call in (general, group_reply, general_typing, group_typing):
        assert "message_thread_id" not in call.params and call.topic is None


def test_the_error_note_and_typing_go_to_the_topic(api, tg_settings, answerer):
    async def scenario(app):
        ask_in(api, f"@{BOT_USERNAME} {SHMELYEV_Q}", TOPIC)
        return await api.wait_for("sendMessage")

    (sorry,) = drive(tg_settings(), ExplodingAnswerer(answerer), scenario)
    assert sorry.params["text"] == prompts.render("telegram_error")
    assert sorry.topic == TOPIC and sorry.params["message_thread_id"] == TOPIC
    (typing,) = api.called("sendChatAction")
    assert typing.topic == TOPIC


# --- the start: the token and the API before anything slow ---------------------------------------
def test_a_rejected_token_or_a_wrong_url_fails_at_once_without_waiting(api, make_settings, tmp_path):
    said: list[str] = []
    wrong = "987654321:" + "B" * 35  # well-formed; the server answers 401 Unauthorized
    t0 = time.monotonic()
    assert check_api(make_settings(tmp_path, telegram_bot_token=wrong, telegram_api_url=api.url), said.append) == 2
    assert check_api(make_settings(tmp_path, telegram_bot_token=TOKEN, telegram_api_url=f"{api.url}/bot"), said.append) == 2
    api.fail("getMe", 502, "Bad Gateway")  # a failure that may pass is waited out; the 401 after it still ends it
    api.fail("getMe", 401, "Unauthorized")
    assert check_api(make_settings(tmp_path, telegram_bot_token=TOKEN, telegram_api_url=api.url), said.append, FAST) == 2
    assert check_api(make_settings(tmp_path, telegram_bot_token="12345:not-a-token!"), said.append) == 2  # never sent
    assert time.monotonic() - t0 < 3
    assert [c.status for c in api.called("getMe")] == [401, 502, 401]  # the wrong path never reached the API's routes
    rejected, not_found, waited, rejected_again, malformed = said
    assert rejected == rejected_again == "Telegram rejected TELEGRAM_BOT_TOKEN (unauthorized): check the token from @BotFather."
    assert "answered getMe with 404 Not Found" in not_found
    assert "Bad Gateway" in waited and "Retrying in 0.1 s" in waited
    assert "does not look like a bot token" in malformed
    assert not any(TOKEN in s or "B" * 35 in s or "\n" in s for s in said)


def test_an_api_refusing_connections_is_waited_for_until_it_answers(make_settings, tmp_path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # not listening yet: connections are refused
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    said: list[str] = []
    server = FakeBotAPI(TOKEN, sock=sock)
    opened = threading.Timer(1.2, server.start)  # comes up on that address while check_api waits
    opened.start()
    try:
        assert check_api(make_settings(tmp_path, telegram_bot_token=TOKEN, telegram_api_url=url), said.append, FAST) is None
        assert len(server.called("getMe")) == 1  # the attempt that worked
    finally:
        opened.join()
        server.stop()
        sock.close()
    assert len(said) >= 3, said
    for i, line in enumerate(said, 1):
        assert line.startswith(f"Cannot reach the Telegram Bot API at {url} (attempt {i}): ") and "\n" not in line
        assert TOKEN not in line and TOKEN.split(":")[1] not in line
    pauses = [float(line.split("Retrying in ")[1].split(" s")[0]) for line in said]
    assert pauses[:4] == [0.1, 0.2, 0.4, 0.4][: len(pauses[:4])]  # doubling, capped


def test_server_errors_resets_and_flood_control_are_waited_out_with_capped_backoff(api, make_settings, tmp_path):
    said: list[str] = []
    api.fault("getMe", "reset")
    api.fail("getMe", 502, "Bad Gateway", times=4)
    api.fail("getMe", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1})
    settings = make_settings(tmp_path, telegram_bot_token=TOKEN, telegram_api_url=api.url)
    assert check_api(settings, said.append, FAST) is None
    calls = api.called("getMe")
    assert [c.status for c in calls] == [0, 502, 502, 502, 502, 429, 200]
    pauses = [float(line.split("Retrying in ")[1].split(" s")[0]) for line in said]
    assert pauses == [0.1, 0.2, 0.4, 0.4, 0.4, 1.0]  # doubling, capped at 0.4; the 429's retry_after when longer
    gaps = [b.at - a.at for a, b in zip(calls, calls[1:])]
    assert all(pause * 0.9 <= gap < pause + 2 for gap, pause in zip(gaps, pauses)), gaps  # and really waited
    assert "Flood control exceeded" in said[-1] and all("Bad Gateway" in line for line in said[1:5])


def test_ctrl_c_while_waiting_for_the_api_ends_with_one_line_and_130(make_settings, tmp_path, model_cache):
    url = f"http://127.0.0.1:{free_port()}"
    code = "import sys; from bot.config import Settings; from bot.telegram.app import check_api; sys.exit(check_api(Settings(_env_file=None)) or 0)"
    env = cli_env(tmp_path / "data", model_cache, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=url, PYTHONPATH=str(ROOT))
    # SIGINT as a terminal leaves it: a CI runner starting jobs in the background starts them with it ignored
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = proc.stderr.readline()  # the first failed attempt
        assert first.startswith(f"Cannot reach the Telegram Bot API at {url} (attempt 1): ") and "Retrying in 1 s" in first
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=15)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, rest
    assert rest.strip().splitlines()[-1] == prompts.render("interrupted") and "Traceback" not in rest
    assert TOKEN not in first + rest


def test_run_with_wait_rides_out_an_api_that_is_away_then_polls(api, make_settings, tmp_path, answerer):
    """run(wait=True), for an API that went away while the index loaded: six failed getMe
    (the RateLimiter alone gives up after four) are waited out, then it polls; SIGTERM stops it."""
    said: list[str] = []
    api.fail("getMe", 502, "Bad Gateway", times=6)
    settings = make_settings(tmp_path, telegram_bot_token=TOKEN, telegram_api_url=api.url)

    def stop_when_polling():
        api.wait_for_sync("getUpdates", timeout=30)  # run_polling's stop signals are wired by then
        os.kill(os.getpid(), signal.SIGTERM)

    stopper = threading.Thread(target=stop_when_polling, daemon=True)
    stopper.start()
    assert run(settings, answerer, said.append, wait=True, backoff=(0.05, 0.2)) == 0
    stopper.join(5)
    waits = [s for s in said if s.startswith("Cannot reach the Telegram Bot API")]
    assert len(waits) == 6 and all("Bad Gateway" in s for s in waits)
    assert said[-2:] == [f"citebot is on Telegram as @{BOT_USERNAME} (long polling). Ctrl-C to stop.", "citebot stopped."]
