"""What a small re-ingest costs on a large index: a delta generation against a full copy.

Usage: python benchmarks/reingest.py --work DIR [--size 100000] [--add 100] [--change 20] [--remove 20]
       [--full] [--keep]

Takes the embedded index and corpus benchmarks/scale.py built under --work (embedded-SIZE,
corpus-SIZE), copies the index to a scratch directory beside them (it is not changed), makes a
corpus of hard links to the original with --add new articles (copies of existing ones with a
line added), --change articles edited and --remove articles gone, and runs `ingest` on it with
the model already loaded (as benchmarks/scale.py measures ingest), then prepares the answerer's
corpus facts and word vectors as `citebot ingest` does after it. It prints the seconds of each
part (writing, serving table, BM25: from the ingest's log), whether the result is a delta
generation, and with --full also the same change made as a complete generation
(INGEST_DELTA_FRACTION=0; at 40,000 articles that takes about a quarter of an hour) and the ratio.
Results go to benchmarks/results/reingest-<timestamp>.json. --keep leaves the scratch copies.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"


class _Phases(logging.Handler):
    """The ingest's own timing lines (index.ingest logs them at INFO)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def changed_corpus(source: Path, target: Path, add: int, change: int, remove: int) -> None:
    """Hard links to `source`'s files, then the changes (new files; edited and removed links only)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    files = sorted(source.glob("*.txt"))
    for f in files:
        os.link(f, target / f.name)
    step = max(1, len(files) // max(1, add + change + remove))
    picks = files[::step]
    for i, f in enumerate(picks[:add]):
        (target / f"9{i:05d}_added.txt").write_text(f.read_text(encoding="utf-8") + f"\nA closing line added, number {i}.\n", encoding="utf-8")
    for f in picks[add : add + change]:
        text = (target / f.name).read_text(encoding="utf-8")
        (target / f.name).unlink()  # the link, not the original
        (target / f.name).write_text(text + "\nAn update to the article.\n", encoding="utf-8")
    for f in picks[add + change : add + change + remove]:
        (target / f.name).unlink()


def run(label: str, corpus: Path, data: Path, embed, fraction: float) -> dict:
    from benchmarks.scale import settings_for
    from bot import services
    from index.ingest import ingest

    settings = settings_for(data, None)
    handler = _Phases()
    logging.getLogger("index.ingest").addHandler(handler)
    logging.getLogger("index.ingest").setLevel(logging.INFO)
    t = time.perf_counter()
    try:
        report = ingest(corpus, services.store(settings), embed, data, chunk_size=settings.chunk_size,
                        chunk_overlap=settings.chunk_overlap, batch_articles=settings.ingest_batch_articles,
                        delta_fraction=fraction)
    finally:
        logging.getLogger("index.ingest").removeHandler(handler)
    ingest_s = time.perf_counter() - t
    t = time.perf_counter()
    services.warm_lexicon(settings, embed)
    facts_s = time.perf_counter() - t
    row = {
        "label": label, "ingest_s": round(ingest_s, 1), "facts_s": round(facts_s, 1),
        "total_s": round(ingest_s + facts_s, 1), "generation": report.generation, "base": report.base,
        "added": len(report.added), "updated": len(report.updated), "removed": len(report.removed),
        "chunks_embedded": report.chunks_embedded, "chunks_copied": report.chunks_copied,
        "chunks_shared": report.chunks_shared, "chunks_total": report.chunks_total, "phases": handler.lines,
    }
    print(f"{label}: ingest {ingest_s:.1f} s + facts and word vectors {facts_s:.1f} s; generation {report.generation}"
          + (f" (delta over {report.base}, {report.chunks_shared} chunks shared)" if report.base else
             f" (complete, {report.chunks_copied} chunks copied)"))
    for line in handler.lines:
        print(f"    {line}")
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--add", type=int, default=100)
    ap.add_argument("--change", type=int, default=20)
    ap.add_argument("--remove", type=int, default=20)
    ap.add_argument("--full", action="store_true", help="also make the same change as a complete generation")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    from benchmarks.scale import settings_for
    from bot import services
    from index.ingest import DELTA_FRACTION

    index, corpus = args.work / f"embedded-{args.size}" / "data", args.work / f"corpus-{args.size}"
    if not (index / "chroma").is_dir() or not corpus.is_dir():
        sys.exit(f"no index or corpus of size {args.size} under {args.work}: run benchmarks/scale.py --sizes {args.size} first")
    scratch = args.work / "reingest"
    changed_corpus(corpus, scratch / "corpus", args.add, args.change, args.remove)
    embed = services.embedding(settings_for(index, None)).load()
    rows = []
    runs = [("delta", DELTA_FRACTION)] + ([("complete", 0.0)] if args.full else [])
    for label, fraction in runs:
        data = scratch / f"data-{label}"
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(index, data, symlinks=True)
        rows.append(run(label, scratch / "corpus", data, embed, fraction))
    if len(rows) == 2:
        print(f"complete / delta: {rows[1]['total_s'] / rows[0]['total_s']:.1f}x")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"reingest-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"size": args.size, "add": args.add, "change": args.change, "remove": args.remove,
                               "load": os.getloadavg(), "runs": rows}, indent=1))
    print(f"written {out}")
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
