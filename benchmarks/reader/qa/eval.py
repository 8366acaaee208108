"""The shipped reader (bot/reader_model/model.onnx, as citebot serves it) on the held-out NYT dev
split of qa/data.py: exact match and F1 of its best span (SQuAD's answer normalisation) on
the answerable questions, and how well "best span less no-answer" separates answerable from
unanswerable ones (ROC AUC; share with the right sign at 0).

Usage: python benchmarks/reader/qa/eval.py DATA_DIR [READER_DIR=bot/reader_model]
"""

from __future__ import annotations

import collections
import json
import re
import string
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from bot.reader import Reader  # noqa: E402


def norm(s: str) -> str:
    s = "".join(ch for ch in s.lower() if ch not in set(string.punctuation))
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", s).split())


def f1(pred: str, gold: str) -> float:
    p, g = norm(pred).split(), norm(gold).split()
    common = sum((collections.Counter(p) & collections.Counter(g)).values())
    if not common:
        return 0.0
    return 2 * common / (len(p) + len(g))


def main(data: Path, folder: Path | None) -> None:
    reader = Reader(folder)
    dev = json.loads((data / "dev.json").read_text())
    F, EM, pos, neg = [], [], [], []
    t0 = time.perf_counter()
    for e in dev:
        passage = reader.read(e["q"], [e["c"]])[0]
        score, start, end = passage.best()
        if e["s"] >= 0:
            pred = e["c"][start:end]
            F.append(f1(pred, e["a"]))
            EM.append(norm(pred) == norm(e["a"]))
            pos.append(score - passage.null)
        else:
            neg.append(score - passage.null)
    p, n = np.array(pos), np.array(neg)
    auc = float(np.mean((p[:, None] > n[None, :]) + 0.5 * (p[:, None] == n[None, :])))
    print(f"{len(dev)} questions ({len(neg)} without answer): F1 {np.mean(F):.3f}, EM {np.mean(EM):.3f}; "
          f"answer vs no answer AUC {auc:.3f} (answerable > 0: {np.mean(p > 0):.2f}, unanswerable < 0: {np.mean(n < 0):.2f}); "
          f"{(time.perf_counter() - t0) * 1000 / len(dev):.1f} ms a question")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
