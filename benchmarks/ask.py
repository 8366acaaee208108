"""Warm `ask` latency vs. the floor (one query embedding + one Chroma query), from one run.

Usage: python benchmarks/ask.py [--data-dir DIR] [--rounds N]
Prints p50/p95 of Answerer.ask over the public question set, the floor measured
on the same questions in the same process, and their ratio; also seed ingest time
after the model is loaded (into a temporary data dir): the second ingest in the process, the
first's one-time imports of llama-index, Chroma and bm25s (≈ 4 s) printed beside it; and the
p50 of each stage of `ask` (Answer.timings).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round((len(values) - 1) * p)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=ROOT / "data")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()

    from bot import services
    from bot.config import Settings
    from index.ingest import ingest

    settings = Settings(data_dir=args.data_dir)
    embed = services.embedding(settings).load()
    from index.nlp import load

    load()
    ingest_s = []  # the first ingest in this process also imports llama-index, Chroma, bm25s
    for _ in range(2):
        with tempfile.TemporaryDirectory() as tmp:
            tmp_settings = Settings(data_dir=Path(tmp), model_cache=settings.model_cache_dir)
            t = time.perf_counter()
            report = ingest(ROOT / "corpus", services.store(tmp_settings), embed, Path(tmp),
                            batch_articles=settings.ingest_batch_articles)
            ingest_s.append(time.perf_counter() - t)

    lib = services.library(settings, embed=embed)
    answerer = services.answerer(settings, lib)
    questions = [json.loads(l)["question"] for l in (ROOT / "evals" / "questions.jsonl").read_text().splitlines() if l.strip()]
    chunks = lib.store.collection("chunks")
    for q in questions[:5]:  # warm up
        answerer.ask(q)
    ask_ms, floor_ms, stages = [], [], {}
    for _ in range(args.rounds):
        for q in questions:
            t = time.perf_counter()
            answer = answerer.ask(q)
            ask_ms.append((time.perf_counter() - t) * 1000)
            for stage, ms in answer.timings.items():
                stages.setdefault(stage, []).append(ms)
            t = time.perf_counter()
            vec = embed.get_query_embedding(q)
            chunks.query(query_embeddings=[vec], n_results=10)
            floor_ms.append((time.perf_counter() - t) * 1000)
    p50, p95 = statistics.median(ask_ms), pct(ask_ms, 0.95)
    f50, f95 = statistics.median(floor_ms), pct(floor_ms, 0.95)
    print(f"seed ingest (model loaded): {ingest_s[1]:.2f} s for {report.articles} articles, {report.chunks_total} chunks"
          f"   (first in the process, with its library imports: {ingest_s[0]:.2f} s)")
    print(f"ask   p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   (n={len(ask_ms)})")
    print(f"floor p50 {f50:7.2f} ms   p95 {f95:7.2f} ms   (query embedding + Chroma query)")
    print(f"ratio p50 {p50 / f50:5.2f}x  p95 {p95 / f95:5.2f}x")
    # where a question's time goes (a stage a question skips, e.g. reading a yes/no one, is left out)
    print("stages p50  " + "   ".join(f"{k.removesuffix('_ms')} {statistics.median(v):.1f}" for k, v in stages.items() if k != "total_ms") + "  (ms)")


if __name__ == "__main__":
    main()
