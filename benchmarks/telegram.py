"""The Telegram front end under load: many private chats at once, through the fake Bot API.

Usage: python benchmarks/telegram.py [--data-dir DIR] [--chats 50] [--questions 10]
           [--think 2.0] [--ramp 0] [--threads N] [--answer-timeout 30] [--timeout 300] [--seed 1]

A real Application from build_application() (long polling, AIORateLimiter, the real
Answerer on the real index: run `citebot ingest` first) talks to the fake Bot API server
of tests/fake_bot_api.py on 127.0.0.1. Each of --chats simulated users has a private chat
and asks --questions questions, one at a time: it sends a question, waits for the answer,
"reads" for --think seconds (uniform 0.5×–1.5×; 0: no pause), then asks the next. All
users start at once (--ramp 0: the worst burst) or spread over --ramp seconds. The
questions are a seeded mix from evals/questions.jsonl (answerable and unanswerable) and
bad input (empty /ask, too long, HTML, gibberish).

Per question: the time from the update becoming available to getUpdates to the
sendMessage that completes its answer (as the fake server receives it). Every message is
checked against the answer the Answerer gives for that question (rendered the same way),
so lost, duplicated and wrong messages are counted. Prints p50/p95/max of that latency,
the bot's own time (handler start → answer sent) and the Answerer's, from the
per-question log records, and delivered vs expected. Bounded: each question waits at
most --answer-timeout s, the whole run at most --timeout s. The fake server and the
users run in a child process, as Telegram would be elsewhere (--in-process: in this
one, sharing the bot's GIL). Exit code 0 when every answer arrived once, as expected.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import logging
import multiprocessing
import os
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
# This file is named telegram.py: its own directory must not shadow the telegram package.
sys.path[:] = [p for p in sys.path if Path(p or os.getcwd()).resolve() != HERE]
sys.path.insert(0, str(ROOT))

TOKEN = "123456789:AAFk3Fq9_ZxYwVuT-sRqPoNmLkJiHgFeDcB"  # fake, well-formed
BAD = [
    "/ask",  # empty question
    "?",
    "<b>bold</b> & <script>alert(1)</script>",
    "Why " + "really " * 200 + "?",  # too long
    "asdf qwerty zxcv uiop",
    "🤔🤔🤔",
    "Which outlet interviewed Boris Shmelyev? " * 30,  # too long
]


def load_fake_api():
    path = ROOT / "tests" / "fake_bot_api.py"
    spec = importlib.util.spec_from_file_location("fake_bot_api", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["fake_bot_api"] = module
    spec.loader.exec_module(module)
    return module


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round((len(values) - 1) * p)))]


def question_mix(n_chats: int, per_chat: int, seed: int) -> list[list[str]]:
    rows = [json.loads(line) for line in (ROOT / "evals" / "questions.jsonl").read_text().splitlines() if line.strip()]
    answerable = [r["question"] for r in rows if r.get("answerable", True)]
    unanswerable = [r["question"] for r in rows if not r.get("answerable", True)]
    rng = random.Random(seed)
    out = []
    for _ in range(n_chats):
        chat = []
        for _ in range(per_chat):
            x = rng.random()
            pool = answerable if x < 0.6 else unanswerable if x < 0.85 else BAD
            chat.append(rng.choice(pool))
        out.append(chat)
    return out


def bot_question(text: str) -> str:
    """What the handlers pass to the Answerer for a private message."""
    if text.startswith("/ask"):
        parts = text.split(None, 1)
        return parts[1] if len(parts) > 1 else ""
    return text


@dataclass
class Asked:
    chat: int
    text: str
    want: int  # messages that make up its answer
    available_at: float = 0.0
    got: list = field(default_factory=list)  # (time, text) of the messages attributed to it
    done_at: float | None = None


def telegram_side(conn, opts: dict, chats: list[list[str]], want: dict[str, int]) -> None:
    """The fake Bot API server and the simulated users ("Telegram"), in a child process by
    default so that their CPU time does not share the bot's GIL. Sends the server's URL,
    waits for "go" (the bot is polling), runs the users, sends back what happened."""
    fake = load_fake_api()
    api = fake.FakeBotAPI(TOKEN, hold=1.0).start()
    asked: list[Asked] = []
    stray: list = []  # messages to a chat with no question waiting for them
    outstanding: dict[int, Asked] = {}
    arrived: dict[int, asyncio.Event] = {}
    first_chat = 10_000_001

    def on_call(call) -> None:  # on the server's loop
        if call.method != "sendMessage" or not call.ok:
            return
        chat = int(call.params["chat_id"])
        q = outstanding.get(chat)
        if q is None:
            stray.append((chat, call.params["text"]))
            return
        q.got.append((call.at, call.params["text"]))
        if len(q.got) >= q.want:
            q.done_at = call.at
            del outstanding[chat]
            arrived[chat].set()

    async def user(i: int, questions: list[str], deadline: float) -> None:
        chat_id = first_chat + i
        person = {"id": chat_id, "is_bot": False, "first_name": f"User{i}"}
        chat = {"id": chat_id, "type": "private", "first_name": f"User{i}"}
        rng = random.Random(opts["seed"] * 1000 + i)
        arrived[chat_id] = asyncio.Event()
        await asyncio.sleep(rng.random() * opts["ramp"])
        for text in questions:
            if time.monotonic() > deadline:
                return
            arrived[chat_id].clear()
            q = outstanding[chat_id] = Asked(chat_id, text, want[text])
            update_id = api.add_update(message=api.message(text, chat, person))
            q.available_at = api.available_at[update_id]
            asked.append(q)
            try:
                await asyncio.wait_for(arrived[chat_id].wait(), min(opts["answer_timeout"], max(0.1, deadline - time.monotonic())))
            except asyncio.TimeoutError:
                outstanding.pop(chat_id, None)  # lost (or late: then it shows up as stray)
            if opts["think"]:
                await asyncio.sleep(opts["think"] * (0.5 + rng.random()))

    async def drive() -> float:
        deadline = time.monotonic() + opts["timeout"]
        t0 = time.monotonic()
        await asyncio.gather(*(user(i, qs, deadline) for i, qs in enumerate(chats)))
        await asyncio.sleep(1.0)  # room for late duplicates
        return time.monotonic() - t0

    try:
        conn.send(api.url)
        if not conn.poll(120) or conn.recv() != "go":
            return
        api.listeners.append(on_call)
        wall = asyncio.run_coroutine_threadsafe(drive(), api._loop).result(opts["timeout"] + 30)
        conn.send({
            "wall": wall,
            "asked": [vars(q) for q in asked],
            "stray": stray,
            "messages": len(api.delivered("sendMessage")),
            "actions": len(api.called("sendChatAction")),
            "failed": sum(1 for c in api.calls if not c.ok),
        })
        conn.poll(60)  # until the bot has stopped polling
    finally:
        api.stop()


class Records(logging.Handler):
    """Collects the per-question log records (citebot.telegram.questions)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.rows: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.rows.append({k: getattr(record, k, None) for k in ("chat_id", "latency_ms", "answer_ms", "reason", "refused")})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=None, help="the index (default: DATA_DIR or ./data)")
    ap.add_argument("--chats", type=int, default=50)
    ap.add_argument("--questions", type=int, default=10, help="questions per chat")
    ap.add_argument("--think", type=float, default=2.0, help="mean pause (s) between an answer and the next question")
    ap.add_argument("--ramp", type=float, default=0.0, help="users start at random within this many seconds (0: all at once)")
    ap.add_argument("--threads", type=int, default=None, help="answer threads (default: the bot's, one per core)")
    ap.add_argument("--in-process", action="store_true", help="run the fake server and users in this process (shares the GIL)")
    ap.add_argument("--answer-timeout", type=float, default=30.0)
    ap.add_argument("--timeout", type=float, default=300.0, help="stop the whole run after this many seconds")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from bot import services

    services.quiet_libraries()  # offline switches (HF_HUB_OFFLINE, …) and library log levels
    from bot.config import Settings
    from bot.telegram import render
    from bot.telegram.app import ALLOWED_UPDATES, ANSWER_THREADS, build_application
    from index.store import IndexMissing

    base = Settings()
    data_dir = args.data_dir or base.data_dir  # DATA_DIR, else ./data as `citebot ingest` uses it
    if args.data_dir is None and not data_dir.exists() and (ROOT / data_dir).exists():
        data_dir = ROOT / data_dir  # run from another directory
    settings = Settings(
        data_dir=data_dir,
        telegram_bot_token=TOKEN,
        telegram_allowed_chats=None, allowed_user_ids=None, allowed_chat_ids=None,
        telegram_rate_limit_per_minute=max(base.telegram_rate_limit_per_minute, args.questions),
        log_questions=False,
    )
    t = time.perf_counter()
    try:
        answerer = services.answerer(settings)
    except IndexMissing:
        print(f"No index in {data_dir}: run `citebot ingest` first (or pass --data-dir).", file=sys.stderr)
        return 2
    load_s = time.perf_counter() - t

    chats = question_mix(args.chats, args.questions, args.seed)
    expected: dict[str, list[str]] = {}
    t = time.perf_counter()
    for text in {q for chat in chats for q in chat}:
        expected[text] = render.render_answer(answerer.ask(bot_question(text)))
    warm_s = time.perf_counter() - t
    threads = args.threads or ANSWER_THREADS
    print(f"index {data_dir} loaded in {load_s:.1f} s; {len(expected)} distinct questions answered once "
          f"in {warm_s:.1f} s ({warm_s / len(expected) * 1000:.0f} ms each, one at a time); {os.cpu_count()} cores")

    records = Records()
    qlog = logging.getLogger("citebot.telegram.questions")
    qlog.addHandler(records)
    qlog.setLevel(logging.INFO)
    qlog.propagate = False

    opts = {k: getattr(args, k) for k in ("seed", "ramp", "think", "answer_timeout", "timeout")}
    want = {text: len(messages) for text, messages in expected.items()}
    ctx = multiprocessing.get_context("spawn")
    conn, child_conn = ctx.Pipe()
    if args.in_process:
        side = threading.Thread(target=telegram_side, args=(child_conn, opts, chats, want), daemon=True)
    else:
        side = ctx.Process(target=telegram_side, args=(child_conn, opts, chats, want), daemon=True)
    side.start()
    if not conn.poll(60):
        print("the fake Bot API server did not start", file=sys.stderr)
        return 3
    settings = settings.model_copy(update={"telegram_api_url": conn.recv()})

    async def bot() -> dict | None:
        app = build_application(settings, answerer, answer_threads=args.threads)
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=10, allowed_updates=ALLOWED_UPDATES)
            try:
                conn.send("go")
                ready = await asyncio.to_thread(conn.poll, args.timeout + 45)
                return conn.recv() if ready else None
            finally:
                await app.updater.stop()
                await app.stop()

    try:
        result = asyncio.run(bot())
    finally:
        conn.send("stop")
        side.join(10)
        if isinstance(side, multiprocessing.process.BaseProcess) and side.is_alive():
            side.terminate()
    if result is None:
        print("the run did not finish in time", file=sys.stderr)
        return 1

    # --- results ---------------------------------------------------------------------
    wall = result["wall"]
    asked = [Asked(**q) for q in result["asked"]]
    answered = [q for q in asked if q.done_at is not None]
    lost = [q for q in asked if q.done_at is None]
    wrong = [q for q in answered if [text for _, text in q.got] != expected[q.text]]
    latencies = [(q.done_at - q.available_at) * 1000 for q in answered]
    firsts: dict[int, Asked] = {}
    for q in answered:
        firsts.setdefault(q.chat, q)
    first_ms = [(q.done_at - q.available_at) * 1000 for q in firsts.values()]
    later_ms = [(q.done_at - q.available_at) * 1000 for q in answered if firsts[q.chat] is not q]
    expected_total = args.chats * args.questions
    rows = records.rows
    handler_ms = [r["latency_ms"] for r in rows]
    answer_ms = [r["answer_ms"] for r in rows if r["answer_ms"] is not None]
    waiting_ms = [r["latency_ms"] - r["answer_ms"] for r in rows if r["answer_ms"] is not None]

    def line(name, values):
        return f"{name:<40} p50 {pct(values, .5):6.0f}   p95 {pct(values, .95):6.0f}   max {max(values, default=float('nan')):6.0f}"

    where = "in this process" if args.in_process else "in a child process"
    print(f"\n{args.chats} chats × {args.questions} questions, think {args.think} s, ramp {args.ramp} s, "
          f"{threads} answer thread(s), fake Telegram {where}: {wall:.1f} s, {len(answered) / wall:.1f} answers/s")
    print(line("update available → answer sent (ms)", latencies))
    print(line("  each chat's first question (ms)", first_ms))
    print(line("  the later questions (ms)", later_ms))
    print(line("bot: handler start → answer sent (ms)", handler_ms))
    print(line("  Answerer.ask itself (ms)", answer_ms))
    print(line("  waiting for a thread + sending (ms)", waiting_ms))
    print(f"answers delivered {len(answered)} / expected {expected_total} (asked {len(asked)}); lost {len(lost)}; "
          f"duplicated/stray messages {len(result['stray'])}; wrong content {len(wrong)}")
    print(f"sendMessage delivered {result['messages']}, sendChatAction {result['actions']}, "
          f"failed API calls {result['failed']}, question log records {len(rows)}")
    reasons: dict = {}
    for r in rows:
        reasons[r["reason"] or "answered"] = reasons.get(r["reason"] or "answered", 0) + 1
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    ok = not lost and not result["stray"] and not wrong and len(answered) == expected_total
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
