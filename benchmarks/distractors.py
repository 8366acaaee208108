"""Quality at scale: a question set against the seed corpus alone and among synthetic distractors.

Usage: python benchmarks/distractors.py [--articles 1000] [--questions evals/questions.jsonl]
       [--work DIR] [--reuse] [--results DIR]

The synthetic articles (benchmarks/make_corpus.py) are made of the seed corpus's own sentences
with their names, numbers and dates swapped: near duplicates of the evidence that say something
else about someone else. A question set written for the seed corpus keeps its answers (the seed
articles are ingested beside the distractors, under their own file names), so any change in its
numbers is what the distractors cost: retrieval that fills its few slots with look-alikes, spans
that cover the question's words but not its names.

Runs `citebot eval` twice — on an index of corpus/ alone and on one of corpus/ plus N distractor
articles — and prints the metrics side by side; writes benchmarks/results/distractors-<time>.json.
--reuse keeps the indexes built under --work by an earlier run (same corpus and code: the ingest
is incremental, so only what changed is embedded again).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
CITEBOT = Path(sys.executable).parent / "citebot"
METRICS = [
    ("answer_correct", "answer correct"), ("supporting_citation", "supporting citation"),
    ("citation_precision", "citation precision"), ("refused_unanswerable", "refused unanswerable"),
    ("false_refusal", "false refusal"), ("verbatim_quote_rate", "verbatim quotes"), ("hit_at_5", "retrieval hit@5"),
    ("latency_ms_p50", "latency p50 ms"),
]


def run(corpus: Path, data: Path, questions: Path, out: Path) -> dict:
    env = {**os.environ, "DATA_DIR": str(data), "MODEL_CACHE": os.environ.get("MODEL_CACHE") or str(ROOT / "data" / "models")}
    t = time.perf_counter()
    subprocess.run([str(CITEBOT), "ingest", "--corpus", str(corpus)], env=env, check=True, capture_output=True)
    ingest_s = time.perf_counter() - t
    subprocess.run([str(CITEBOT), "eval", str(questions), "--out", str(out)], env=env, check=True, capture_output=True)
    metrics = json.loads((out / "metrics.json").read_text())
    metrics = metrics.get("overall", metrics)
    values = {k: (v.get("value") if isinstance(v, dict) else v) for k, v in metrics.items()}
    return {"ingest_s": ingest_s, "articles": len(list(corpus.glob("*.txt"))), **{k: values.get(k) for k, _ in METRICS}}


def _fmt(key: str, value) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if key.startswith("latency") else f"{value:.3f}"


def main() -> None:
    from benchmarks.make_corpus import make

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1000, help="distractor articles (≈ 2.6 chunks each)")
    ap.add_argument("--questions", type=Path, default=ROOT / "evals" / "questions.jsonl")
    ap.add_argument("--work", type=Path, default=None, help="where corpora and indexes are kept (default: a temp dir)")
    ap.add_argument("--reuse", action="store_true", help="keep the indexes an earlier run left under --work")
    ap.add_argument("--results", type=Path, default=RESULTS, help="where the JSON is written")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="citebot-distractors-"))
    rows = {}
    for name, n in (("seed", 0), (f"seed+{args.articles}", args.articles)):
        corpus, data = work / f"corpus-{n}", work / f"data-{n}"
        if not args.reuse:
            shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(corpus, ignore_errors=True)
        if n:
            make(corpus, n)
        corpus.mkdir(parents=True, exist_ok=True)
        for p in (ROOT / "corpus").glob("*.txt"):
            shutil.copy(p, corpus)
        print(f"… {name}: ingest and eval", file=sys.stderr, flush=True)
        rows[name] = run(corpus, data, args.questions, work / f"eval-{n}")

    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{args.questions.name} without and with {args.articles} distractor articles")
    table.add_column("metric")
    for name in rows:
        table.add_column(name, justify="right")
    for key, label in METRICS:
        table.add_row(label, *(_fmt(key, r[key]) for r in rows.values()))
    table.add_row("articles", *(str(r["articles"]) for r in rows.values()))
    Console().print(table)
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"distractors-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"questions": args.questions.name, "distractors": args.articles, "rows": rows,
                               "loadavg": os.getloadavg()}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
