"""Scale benchmark: ingest and answer at 1k / 10k / 100k chunks, embedded and against a Chroma server.

Usage: python benchmarks/scale.py [--sizes 1000 10000 100000] [--modes embedded server] [--work DIR]
       [--questions 40] [--reuse] [--budget-minutes 30]

For every size (in chunks) a synthetic corpus is generated once (benchmarks/make_corpus.py,
cached under --work), then for every mode:
  ingest      chunks/s of `ingest` with the model already loaded (sentences embedded, chunk vectors pooled)
  size        index size on disk (Chroma files + BM25 + serving table)
  load        start of the first serving process after ingest (Answerer ready; it also builds the
              answerer's lexicon cache, which later starts reuse)
  ask         p50 / p95 of warm Answerer.ask in a separate serving process
  floor       p50 of one query embedding + one Chroma query (top 10) in that process; ratio = ask / floor
  rss         resident memory of that serving process after the questions (MB), and the anonymous
              part of it (the rest is pages of mapped files: the model, the table's vectors, the
              lexicon — shared by the workers of a host); server mode: also the Chroma server's RSS
  cold ask    wall time of one `citebot ask` process, start to answer, and its CPU seconds (on a
              busy machine the wall time mostly measures the load)
Prints a table and writes benchmarks/results/scale-<timestamp>.json.

Run time is dominated by ingest, which embeds every sentence (≈ 4 per chunk; chunk vectors are
pooled from them) and runs spaCy over every article. --budget-minutes (default 30) skips a size
whose ingest, estimated from the chunks/s measured earlier in the run, would not fit; the row
says so. --reuse keeps an index an earlier run built under --work with the same ingest
fingerprint and reports that run's ingest numbers, marked "(reused, <when>)" in the table and
"reused_ingest_from" in the JSON, so a 100k index can be built once
(`python benchmarks/scale.py --sizes 100000 --modes embedded --budget-minutes 0 --reuse`) and its
serving side measured again later. A build that was interrupted is resumed by the next --reuse
run (its chunks/s then counts only the chunks that run embedded). In server mode --reuse without a server index of that size
serves a copy of the embedded one (`chroma run` reads the same directory), so the corpus is
ingested once for both modes. Corpora are cached under --work.
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


def rss_mb(pid: int | str = "self", key: str = "VmRSS") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
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
    ask_ms, floor_ms, stages = [], [], {}
    for q in questions:
        t = time.perf_counter()
        answer = answerer.ask(q)
        ask_ms.append((time.perf_counter() - t) * 1000)
        for key, ms in answer.timings.items():
            stages.setdefault(key, []).append(ms)
        t = time.perf_counter()
        chunks.query(query_embeddings=[embed.encode([q])[0].tolist()], n_results=10)
        floor_ms.append((time.perf_counter() - t) * 1000)
    print(json.dumps({
        "load_s": load_s, "ask_p50_ms": statistics.median(ask_ms), "ask_p95_ms": pct(ask_ms, 0.95),
        "floor_p50_ms": statistics.median(floor_ms), "floor_p95_ms": pct(floor_ms, 0.95), "rss_mb": rss_mb(),
        # anonymous memory vs pages of mapped files (model, table vectors, lexicon): the latter are
        # shared by every worker on the host and can be dropped by the kernel under pressure
        "rss_anon_mb": rss_mb(key="RssAnon"), "rss_file_mb": rss_mb(key="RssFile"),
        "questions": len(questions),
        # medians of Answer.timings (questions refused before retrieval have fewer stages)
        "stages_p50_ms": {k: statistics.median(v) for k, v in stages.items()},
    }))


# --- one size x mode ----------------------------------------------------------------------
def _server_from_embedded(work: Path, size: int, data: Path, fp: str) -> dict | None:
    """--reuse in server mode without a server index of this size: serve a copy of the embedded
    index of the same size (`chroma run --path` reads a PersistentClient's directory), with its
    DATA_DIR files, instead of ingesting the same corpus again (an hour at 100k chunks). Its
    ingest numbers are the embedded run's, marked reused."""
    source = work / f"embedded-{size}"
    record = source / "ingest.json"
    if not record.exists() or not (source / "data" / "chroma").is_dir():
        return None
    measured = json.loads(record.read_text())
    if measured.get("fingerprint") != fp:
        return None
    shutil.rmtree(data, ignore_errors=True)
    (data / "data").mkdir(parents=True)
    shutil.copytree(source / "data" / "chroma", data / "server")
    for part in ("table", "bm25", "lexicon", "answerer"):
        if (source / "data" / part).exists():
            shutil.copytree(source / "data" / part, data / "data" / part)
    measured = {**measured, "copied_from": str(source), "measured_at": f"embedded {measured['measured_at']}"}
    (data / "ingest.json").write_text(json.dumps(measured, indent=2))
    return measured


def run_one(size: int, mode: str, corpus: Path, work: Path, embed, n_questions: int, reuse: bool = False) -> dict:
    from bot import services
    from index.embedding import model_id
    from index.ingest import fingerprint, ingest

    data = work / f"{mode}-{size}"
    record = data / "ingest.json"  # what the ingest that built this index measured
    settings = settings_for(data / "data", None)
    fp = fingerprint(settings.chunk_size, settings.chunk_overlap, model_id(settings.embed_backend, settings.embed_precision))
    previous = json.loads(record.read_text()) if reuse and record.exists() else None
    if previous is not None and previous.get("fingerprint") != fp:
        previous = None  # built by other code or settings: not this index
    # --reuse and an index this run's predecessor did not finish (killed, out of time): ingest
    # resumes its unfinished generation (articles already written are not embedded again)
    resuming = previous is None and reuse and (data / "data").is_dir() and not record.exists()
    if previous is None and reuse and mode == "server" and not resuming:
        previous = _server_from_embedded(work, size, data, fp)
    if previous is None and not resuming:
        shutil.rmtree(data, ignore_errors=True)
    server, port = (None, None)
    if mode == "server":
        server, port = start_server(data / "server")
    try:
        settings = settings_for(data / "data", port)
        if previous is None:
            t = time.perf_counter()
            report = ingest(corpus, services.store(settings), embed, settings.data_dir,
                            chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap,
                            batch_articles=settings.ingest_batch_articles)
            ingest_s = time.perf_counter() - t
            # the rate of the chunks embedded by this run (all of them, unless it resumed a build)
            measured = {"articles": report.articles, "chunks": report.chunks_total, "sentences": report.sentences_embedded,
                        "ingest_s": ingest_s, "ingest_chunks_per_s": report.chunks_embedded / ingest_s,
                        "resumed": report.resumed, "chunks_embedded": report.chunks_embedded,
                        "fingerprint": fp, "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"), "loadavg": os.getloadavg()}
            record.write_text(json.dumps(measured, indent=2))
            reused_from = None
        else:
            measured, reused_from = previous, previous["measured_at"]
        # the first serving process after ingest also builds the answerer's lexicon cache; a
        # reused index already has it, so its load_s is a restart's (see "reused_ingest_from")
        qfile = data / "questions.json"
        qfile.write_text(json.dumps(questions_for(corpus, n_questions)))
        cmd = [sys.executable, __file__, "--serve", str(qfile), "--data-dir", str(settings.data_dir)]
        if port:
            cmd += ["--port", str(port)]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "MODEL_CACHE": str(settings.model_cache_dir)}
        served = json.loads(subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout.strip().splitlines()[-1])
        server_rss = rss_mb(server.pid) if server else None  # the Chroma server holding the HNSW indexes
        cold_env = {**env, "DATA_DIR": str(settings.data_dir), **({"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(port)} if port else {})}
        cpu0 = os.times()
        t = time.perf_counter()
        subprocess.run([str(CITEBOT), "ask", "What did the council decide?"], env=cold_env, cwd=data, capture_output=True, check=True)
        cold_s = time.perf_counter() - t
        cpu1 = os.times()
        # CPU seconds of the cold process: on a busy machine its wall time mostly says how busy
        cold_cpu_s = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
        return {
            "size": size, "mode": mode, "articles": measured["articles"], "chunks": measured["chunks"],
            "sentences": measured["sentences"], "ingest_s": measured["ingest_s"],
            "ingest_chunks_per_s": measured["ingest_chunks_per_s"], "reused_ingest_from": reused_from,
            "index_mb": du(data) / 2**20, **served,
            "ratio_p50": served["ask_p50_ms"] / served["floor_p50_ms"], "cold_ask_s": cold_s, "cold_ask_cpu_s": cold_cpu_s,
            "server_rss_mb": server_rss, "loadavg_after": os.getloadavg(),
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
    ap.add_argument("--reuse", action="store_true",
                    help="keep an index an earlier run built under --work (same ingest fingerprint) and report "
                         "that run's ingest numbers, marked as reused, instead of ingesting again")
    ap.add_argument("--budget-minutes", type=float, default=30.0,
                    help="skip a size whose ingest, estimated from the chunks/s measured so far, would end past "
                         "this budget (the row says so); 0: no budget")
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
    started = time.monotonic()
    rate = None  # ingest chunks/s measured so far in this run (the slowest mode)
    for size in args.sizes:
        corpus = args.work / f"corpus-{size}"
        for mode in args.modes:
            reusable = args.reuse and any((args.work / f"{m}-{size}" / "ingest.json").exists() for m in {mode, "embedded"})
            left = args.budget_minutes * 60 - (time.monotonic() - started)
            # ingest plus about as long again for serving, cold start and the table (measured ≈ 1.2x at 10k)
            estimate = None if rate is None or reusable else 2 * size / rate
            if args.budget_minutes and estimate is not None and estimate > left:
                print(f"… {size} chunks, {mode}: skipped, estimated {estimate / 60:.0f} min > {left / 60:.0f} min left",
                      file=sys.stderr, flush=True)
                rows.append({"size": size, "mode": mode, "skipped": f"estimated {estimate / 60:.0f} min, {left / 60:.0f} min left of the budget"})
                continue
            if not (corpus / ".complete").exists():
                shutil.rmtree(corpus, ignore_errors=True)
                make(corpus, max(1, round(size / CHUNKS_PER_ARTICLE)))
                (corpus / ".complete").touch()
            print(f"… {size} chunks, {mode}", file=sys.stderr, flush=True)
            row = run_one(size, mode, corpus, args.work, embed, args.questions, reuse=args.reuse)
            rows.append(row)
            if not row.get("reused_ingest_from"):
                rate = min(rate or row["ingest_chunks_per_s"], row["ingest_chunks_per_s"])

    from rich.console import Console
    from rich.table import Table

    table = Table(title="citebot scale benchmark")
    cols = [("size", "target chunks", "{}"), ("mode", "mode", "{}"), ("chunks", "chunks", "{}"),
            ("ingest_chunks_per_s", "ingest chunks/s", "{:.0f}"), ("index_mb", "index MB", "{:.0f}"),
            ("ask_p50_ms", "ask p50 ms", "{:.1f}"), ("ask_p95_ms", "ask p95 ms", "{:.1f}"),
            ("floor_p50_ms", "floor p50 ms", "{:.1f}"), ("ratio_p50", "ratio", "{:.1f}x"),
            ("rss_mb", "serving RSS MB", "{:.0f}"), ("rss_anon_mb", "of it anon MB", "{:.0f}"),
            ("load_s", "load s", "{:.1f}"), ("cold_ask_s", "cold ask s", "{:.1f}"), ("cold_ask_cpu_s", "cold ask CPU s", "{:.1f}"),
            ("server_rss_mb", "Chroma server RSS MB", "{:.0f}")]
    for _, title, _ in cols:
        table.add_column(title, justify="right")
    for r in rows:
        if r.get("skipped"):
            table.add_row(str(r["size"]), r["mode"], f"skipped: {r['skipped']}", *[""] * (len(cols) - 3))
            continue
        cells = [fmt.format(r[key]) if r.get(key) is not None else "" for key, _, fmt in cols]
        if r.get("reused_ingest_from"):  # not measured in this run: say whose numbers these are
            cells[3] += f" (reused, {r['reused_ingest_from']})"
        table.add_row(*cells)
    Console(width=180).print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"scale-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"targets": TARGETS, "cpu_count": os.cpu_count(), "loadavg_start": load_start, "loadavg_end": os.getloadavg(), "rows": rows}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
