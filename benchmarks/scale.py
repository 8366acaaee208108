"""Scale benchmark: ingest and answer at 1k / 10k / 100k chunks, embedded and against a Chroma server.

Usage: python benchmarks/scale.py [--sizes 1000 10000 100000] [--modes embedded server] [--work DIR]
       [--questions 40]

For every size (in chunks) a synthetic corpus is generated once (benchmarks/make_corpus.py,
cached under --work), then for every mode:
  ingest      chunks/s of `ingest` with the model already loaded (chunks + sentences embedded)
  size        index size on disk (Chroma files + BM25)
  ask         p50 / p95 of warm Answerer.ask in a separate serving process
  floor       p50 of one query embedding + one Chroma query (top 10) in that process; ratio = ask / floor
  rss         resident memory of that serving process after the questions (MB)
  cold ask    wall time of one `citebot ask` process, start to answer
Prints a table and writes benchmarks/results/scale-<timestamp>.json.

Run time is dominated by ingest, which embeds every chunk and every sentence (≈ 4 sentences per
chunk) and runs spaCy over every article: ≈ 13 chunks/s on an idle 2-core machine (seed corpus),
2.4 chunks/s measured with the CPU shared 4 ways. So: 1k ≈ 2 min per mode idle (7 min shared),
10k ≈ 15–20 min per mode, 100k ≈ 2–3 h per mode idle plus the serving process's load
(`python benchmarks/scale.py --sizes 100000 --modes embedded`; corpora are cached under --work).
The load average at start and end is recorded with the results: numbers taken on a busy machine
are not comparable with the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
CITEBOT = Path(sys.executable).parent / "citebot"
CHROMA = Path(sys.executable).parent / "chroma"
TARGETS = {"ask_p50_ms": 50, "ratio": 3, "cold_ask_s": 3, "rss_mb": 400, "ingest_chunks_per_s": 100}


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round((len(values) - 1) * p)))]


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) if Path(path).exists() else 0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).read()
            return proc, port
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit("chroma run did not come up")
            time.sleep(0.3)


def settings_for(data_dir: Path, port: int | None):
    from bot.config import Settings

    extra = {"chroma_host": "127.0.0.1", "chroma_port": port} if port else {}
    return Settings(_env_file=None, data_dir=data_dir, model_cache=os.environ.get("MODEL_CACHE") or ROOT / "data" / "models", **extra)


def questions_for(corpus: Path, n: int) -> list[str]:
    """Half public eval questions (mostly refusals here), half built from article titles."""
    evals = [json.loads(line)["question"] for line in (ROOT / "evals" / "questions.jsonl").read_text().splitlines() if line.strip()]
    files = sorted(corpus.glob("*.txt"))
    rng = random.Random(11)
    titled = []
    for path in rng.sample(files, min(n - n // 2, len(files))):
        title = path.read_text(encoding="utf-8").split("\n", 1)[0]
        titled.append(f"What happened when {title[:80].rstrip('.')}?")
    return evals[: n // 2] + titled


# --- the serving process ------------------------------------------------------------------
def serve(args) -> None:
    from bot import services

    settings = settings_for(args.data_dir, args.port)
    t = time.perf_counter()
    answerer = services.answerer(settings)
    load_s = time.perf_counter() - t
    questions = json.loads(Path(args.serve).read_text())
    embed = answerer.library.embed
    chunks = answerer.library.store.collection("chunks", create=False)
    for q in questions[:5]:
        answerer.ask(q)
    ask_ms, floor_ms = [], []
    for q in questions:
        t = time.perf_counter()
        answerer.ask(q)
        ask_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        chunks.query(query_embeddings=[embed.get_query_embedding(q)], n_results=10)
        floor_ms.append((time.perf_counter() - t) * 1000)
    print(json.dumps({
        "load_s": load_s, "ask_p50_ms": statistics.median(ask_ms), "ask_p95_ms": pct(ask_ms, 0.95),
        "floor_p50_ms": statistics.median(floor_ms), "floor_p95_ms": pct(floor_ms, 0.95), "rss_mb": rss_mb(),
        "questions": len(questions),
    }))


# --- one size x mode ----------------------------------------------------------------------
def run_one(size: int, mode: str, corpus: Path, work: Path, embed, n_questions: int) -> dict:
    from bot import services
    from index.ingest import ingest

    data = work / f"{mode}-{size}"
    shutil.rmtree(data, ignore_errors=True)
    server, port = (None, None)
    if mode == "server":
        server, port = start_server(data / "server")
    try:
        settings = settings_for(data / "data", port)
        t = time.perf_counter()
        report = ingest(corpus, services.store(settings), embed, settings.data_dir,
                        chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap,
                        batch_articles=settings.ingest_batch_articles)
        ingest_s = time.perf_counter() - t
        qfile = data / "questions.json"
        qfile.write_text(json.dumps(questions_for(corpus, n_questions)))
        cmd = [sys.executable, __file__, "--serve", str(qfile), "--data-dir", str(settings.data_dir)]
        if port:
            cmd += ["--port", str(port)]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "MODEL_CACHE": str(settings.model_cache_dir)}
        served = json.loads(subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout.strip().splitlines()[-1])
        cold_env = {**env, "DATA_DIR": str(settings.data_dir), **({"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(port)} if port else {})}
        t = time.perf_counter()
        subprocess.run([str(CITEBOT), "ask", "What did the council decide?"], env=cold_env, cwd=data, capture_output=True, check=True)
        cold_s = time.perf_counter() - t
        return {
            "size": size, "mode": mode, "articles": report.articles, "chunks": report.chunks_total,
            "sentences": report.sentences_embedded, "ingest_s": ingest_s,
            "ingest_chunks_per_s": report.chunks_total / ingest_s,
            "index_mb": du(data) / 2**20, **served,
            "ratio_p50": served["ask_p50_ms"] / served["floor_p50_ms"], "cold_ask_s": cold_s,
        }
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description="citebot scale benchmark")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--modes", nargs="+", default=["embedded", "server"], choices=["embedded", "server"])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "citebot-scale")
    ap.add_argument("--questions", type=int, default=40)
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    ap.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if args.serve:
        return serve(args)

    from bot import services
    from benchmarks.make_corpus import CHUNKS_PER_ARTICLE, make

    args.work.mkdir(parents=True, exist_ok=True)
    settings = settings_for(args.work / "model-data", None)
    embed = services.embedding(settings).load()
    from index.nlp import load

    load()
    rows = []
    load_start = os.getloadavg()
    for size in args.sizes:
        corpus = args.work / f"corpus-{size}"
        if not (corpus / ".complete").exists():
            shutil.rmtree(corpus, ignore_errors=True)
            make(corpus, max(1, round(size / CHUNKS_PER_ARTICLE)))
            (corpus / ".complete").touch()
        for mode in args.modes:
            print(f"… {size} chunks, {mode}", file=sys.stderr, flush=True)
            rows.append(run_one(size, mode, corpus, args.work, embed, args.questions))

    from rich.console import Console
    from rich.table import Table

    table = Table(title="citebot scale benchmark")
    cols = [("size", "target chunks", "{}"), ("mode", "mode", "{}"), ("chunks", "chunks", "{}"),
            ("ingest_chunks_per_s", "ingest chunks/s", "{:.0f}"), ("index_mb", "index MB", "{:.0f}"),
            ("ask_p50_ms", "ask p50 ms", "{:.1f}"), ("ask_p95_ms", "ask p95 ms", "{:.1f}"),
            ("floor_p50_ms", "floor p50 ms", "{:.1f}"), ("ratio_p50", "ratio", "{:.1f}x"),
            ("rss_mb", "serving RSS MB", "{:.0f}"), ("load_s", "load s", "{:.1f}"), ("cold_ask_s", "cold ask s", "{:.1f}")]
    for _, title, _ in cols:
        table.add_column(title, justify="right")
    for r in rows:
        table.add_row(*(fmt.format(r[key]) for key, _, fmt in cols))
    Console(width=160).print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"scale-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"targets": TARGETS, "cpu_count": os.cpu_count(), "loadavg_start": load_start, "loadavg_end": os.getloadavg(), "rows": rows}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
