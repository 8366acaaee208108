"""Soak: the real bot against the fake Bot API for N minutes at a steady rate.

Usage: python benchmarks/soak.py [--minutes 10] [--users 200] [--rate 3] [--data-dir DIR]
           [--answer-timeout 30] [--seed 1] [--threads N]

A real Application from build_application() (long polling, the real Answerer on the real
index: run `citebot ingest` first) talks to the fake Bot API server of
tests/fake_bot_api.py, which runs with the simulated users in a child process (as Telegram
would be elsewhere). --users users, each in a private chat, ask --rate questions per
second in total, steadily (one question every 1/rate s, from a user who is not waiting for
an answer): a seeded mix of good (answerable), unanswerable and bad questions (empty,
too long, markup, gibberish, emoji) — 50 / 30 / 20 %.

Reports: messages in (questions sent) and out (messages delivered), answers complete,
lost (no complete answer within --answer-timeout), duplicated (messages beyond the
expected answer, or to a chat with no question waiting), wrong content (compared with the
Answerer's own answer rendered the same way), errors (log records at ERROR or above in the
bot, failed API calls), p50/p95/max latency (update available → answer complete), and the
bot process's RSS: at the start (after warm-up), the peak, at the end, growth in %. The
exit code is 0 when nothing was lost, duplicated or wrong, there were no errors and RSS
grew less than 10 %.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import logging
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or os.getcwd()).resolve() != HERE]  # benchmarks/telegram.py
sys.path.insert(0, str(ROOT))


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# The Telegram benchmark's pieces: the fake API loader, percentiles, bad questions, /ask parsing.
tg_bench = _load("tg_bench", HERE / "telegram.py")
TOKEN, BAD, pct, bot_question, load_fake_api = tg_bench.TOKEN, tg_bench.BAD, tg_bench.pct, tg_bench.bot_question, tg_bench.load_fake_api
FIRST_CHAT = 30_000_001
RSS_GROWTH_LIMIT = 10.0  # %


def question_pool(seed: int, n: int) -> list[str]:
    import json

    rows = [json.loads(line) for line in (ROOT / "evals" / "questions.jsonl").read_text().splitlines() if line.strip()]
    good = [r["question"] for r in rows if r.get("answerable", True)]
    unanswerable = [r["question"] for r in rows if not r.get("answerable", True)]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        x = rng.random()
        out.append(rng.choice(good if x < 0.5 else unanswerable if x < 0.8 else BAD))
    return out


def rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def telegram_side(conn, opts: dict, questions: list[str], want: dict[str, int]) -> None:
    """The fake Bot API and the users, in a child process. Sends the server URL, waits for
    "go", runs for opts["seconds"], sends back what happened."""
    fake = load_fake_api()
    api = fake.FakeBotAPI(TOKEN, hold=1.0).start()
    outstanding: dict[int, dict] = {}  # chat -> the question waiting for its answer
    asked: list[dict] = []
    stray: list = []
    latencies: list[float] = []

    def on_call(call) -> None:  # on the server's loop
        if call.method != "sendMessage" or not call.ok:
            return
        chat = int(call.params["chat_id"])
        q = outstanding.get(chat)
        if q is None:
            stray.append((chat, call.params["text"][:80]))
            return
        q["got"].append(call.params["text"])
        if len(q["got"]) >= q["want"]:
            q["done_at"] = call.at
            latencies.append((call.at - q["available_at"]) * 1000)
            del outstanding[chat]

    async def drive() -> float:
        rng = random.Random(opts["seed"])
        users = list(range(opts["users"]))
        period = 1.0 / opts["rate"]
        t0 = time.monotonic()
        end = t0 + opts["seconds"]
        i = 0
        next_at = t0
        while time.monotonic() < end:
            now = time.monotonic()
            for q in list(outstanding.values()):  # give up on answers that never came
                if now - q["available_at"] > opts["answer_timeout"]:
                    outstanding.pop(q["chat"], None)
            idle = [u for u in rng.sample(users, min(len(users), 20)) if FIRST_CHAT + u not in outstanding]
            if idle:
                u = idle[0]
                chat_id = FIRST_CHAT + u
                text = questions[i % len(questions)]
                i += 1
                q = {"chat": chat_id, "text": text, "want": want[text], "got": [], "done_at": None}
                outstanding[chat_id] = q
                person = {"id": chat_id, "is_bot": False, "first_name": f"User{u}"}
                chat = {"id": chat_id, "type": "private", "first_name": f"User{u}"}
                update_id = api.add_update(message=api.message(text, chat, person))
                q["available_at"] = api.available_at[update_id]
                asked.append(q)
            next_at += period
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        drain_until = time.monotonic() + opts["answer_timeout"]
        while outstanding and time.monotonic() < drain_until:  # the last answers
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # room for late duplicates
        return time.monotonic() - t0

    try:
        conn.send(api.url)
        if not conn.poll(120) or conn.recv() != "go":
            return
        api.listeners.append(on_call)
        wall = asyncio.run_coroutine_threadsafe(drive(), api._loop).result(opts["seconds"] + opts["answer_timeout"] + 60)
        conn.send({
            "wall": wall,
            "asked": asked,
            "stray": stray,
            "latencies": latencies,
            "delivered": len(api.delivered("sendMessage")),
            "failed_calls": sum(1 for c in api.calls if not c.ok),
            "rejected": len(api.rejected),
        })
        conn.poll(60)
    finally:
        api.stop()


class Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.warnings = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.errors.append(f"{record.name}: {record.getMessage()[:200]}")
        else:
            self.warnings += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--rate", type=float, default=3.0, help="questions per second, all users together")
    ap.add_argument("--data-dir", type=Path, default=None, help="the index (default: DATA_DIR or ./data)")
    ap.add_argument("--answer-timeout", type=float, default=30.0)
    ap.add_argument("--threads", type=int, default=None, help="answer threads (default: the bot's, one per core)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from bot import services

    services.quiet_libraries()  # offline switches (HF_HUB_OFFLINE, …) and library log levels
    from bot.config import Settings
    from bot.telegram import render
    from bot.telegram.app import ALLOWED_UPDATES, build_application
    from index.store import IndexMissing

    base = Settings()
    data_dir = args.data_dir or base.data_dir
    if args.data_dir is None and not data_dir.exists() and (ROOT / data_dir).exists():
        data_dir = ROOT / data_dir
    seconds = args.minutes * 60
    settings = Settings(
        data_dir=data_dir, telegram_bot_token=TOKEN, telegram_allowed_chats=None, allowed_user_ids=None,
        allowed_chat_ids=None, telegram_rate_limit_per_minute=0, log_questions=False,
    )
    try:
        answerer = services.answerer(settings)
    except IndexMissing:
        print(f"No index in {data_dir}: run `citebot ingest` first (or pass --data-dir).", file=sys.stderr)
        return 2
    questions = question_pool(args.seed, int(seconds * args.rate) + 10)
    expected = {text: render.render_answer(answerer.ask(bot_question(text))) for text in set(questions)}
    want = {text: len(messages) for text, messages in expected.items()}
    kinds = {"bad": sum(q in BAD for q in questions[: int(seconds * args.rate)])}
    print(f"{len(expected)} distinct questions warmed up; {args.users} users, {args.rate} questions/s for "
          f"{args.minutes:g} min ({int(seconds * args.rate)} questions, {kinds['bad']} bad); {os.cpu_count()} cores")

    counter = Count()
    logging.getLogger().addHandler(counter)

    opts = {"seed": args.seed, "users": args.users, "rate": args.rate, "seconds": seconds, "answer_timeout": args.answer_timeout}
    ctx = multiprocessing.get_context("spawn")
    conn, child_conn = ctx.Pipe()
    side = ctx.Process(target=telegram_side, args=(child_conn, opts, questions, want), daemon=True)
    side.start()
    if not conn.poll(60):
        print("the fake Bot API server did not start", file=sys.stderr)
        return 3
    settings = settings.model_copy(update={"telegram_api_url": conn.recv()})
    rss: list[tuple[float, float]] = []

    async def sample_rss(t0: float) -> None:
        while True:
            rss.append((time.monotonic() - t0, rss_mb()))
            await asyncio.sleep(5.0)

    async def bot() -> dict | None:
        app = build_application(settings, answerer, answer_threads=args.threads)
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=10, allowed_updates=ALLOWED_UPDATES)
            sampler = asyncio.create_task(sample_rss(time.monotonic()))
            try:
                conn.send("go")
                ready = await asyncio.to_thread(conn.poll, seconds + args.answer_timeout + 90)
                return conn.recv() if ready else None
            finally:
                sampler.cancel()
                rss.append((float("nan"), rss_mb()))
                await app.updater.stop()
                await app.stop()

    try:
        result = asyncio.run(bot())
    finally:
        conn.send("stop")
        side.join(10)
        if side.is_alive():
            side.terminate()
    if result is None:
        print("the run did not finish in time", file=sys.stderr)
        return 1

    asked = result["asked"]
    answered = [q for q in asked if q["done_at"] is not None]
    lost = [q for q in asked if q["done_at"] is None]
    wrong = [q for q in answered if q["got"] != expected[q["text"]]]
    extra = sum(max(0, len(q["got"]) - q["want"]) for q in asked)
    duplicated = len(result["stray"]) + extra
    lat = result["latencies"]
    # RSS: the start is the first sample once the bot is polling (model, index, caches loaded
    # and warmed up); growth compares the last sample with it.
    start_mb, end_mb = rss[0][1], rss[-1][1]
    peak_mb = max(m for _, m in rss)
    growth = (end_mb - start_mb) / start_mb * 100
    errors = counter.errors
    print(f"\nsoak: {args.minutes:g} min ({result['wall']:.0f} s with the drain), {args.users} users, {args.rate} questions/s")
    print(f"messages in {len(asked)}, messages out {result['delivered']}; answers complete {len(answered)}")
    print(f"lost {len(lost)}, duplicated {duplicated}, wrong content {len(wrong)}")
    print(f"errors {len(errors)} (log records ≥ ERROR), warnings {counter.warnings}, failed API calls {result['failed_calls']}, "
          f"HTML rejected by the fake Telegram {result['rejected']}")
    print(f"latency update → answer (ms): p50 {pct(lat, .5):.0f}, p95 {pct(lat, .95):.0f}, max {max(lat, default=float('nan')):.0f}")
    print(f"RSS (MB): start {start_mb:.0f}, peak {peak_mb:.0f}, end {end_mb:.0f}; growth {growth:+.1f} % ({len(rss)} samples)")
    for line in errors[:10]:
        print("  error:", line)
    ok = not lost and not duplicated and not wrong and not errors and growth < RSS_GROWTH_LIMIT
    print("OK" if ok else "NOT OK")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
