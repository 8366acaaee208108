import os
WORK = os.environ.get("READER_WORK", "/tmp/xenc")  # dump, models, scores
RUNS = os.environ.get("READER_RUNS", "/tmp/xenc-runs")  # eval runs (citebot eval --out RUNS/<name>)
import pickle, time, numpy as np, sys
from bot.reader import Reader
from bot.scoring import SupportModel
r = Reader(os.path.join(os.path.dirname(__file__), "..", "..", "bot", "reader"))
d = pickle.load(open(f"{WORK}/dump.pkl", "rb")); rk = SupportModel.load().ranker
qs = []
for row in d["questions"] + d["holdout"]:
    cs = sorted(row["cands"], key=lambda c: -rk.decision(c["features"]))
    qs.append((row["question"], [c["text"] for c in cs[:5]]))
for K in (1, 2, 3):
    for q, t in qs[:10]: r.score(q, t[:K])
    ts = []
    for q, t in qs:
        t0 = time.perf_counter(); r.score(q, t[:K]); ts.append((time.perf_counter() - t0) * 1000)
    print(f"K={K}: p50 {np.median(ts):.2f} ms  p90 {np.percentile(ts, 90):.2f}  min {min(ts):.2f}  (n={len(ts)})", flush=True)
