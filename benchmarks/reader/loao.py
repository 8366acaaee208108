"""LOAO: same questions (train2, article X), scored by A (trained on train.jsonl, all articles)
vs by the fold model (train.jsonl minus article X, no span of X seen)."""
import os
WORK = os.environ.get("READER_WORK", "/tmp/xenc")  # dump, models, scores
RUNS = os.environ.get("READER_RUNS", "/tmp/xenc-runs")  # eval runs (citebot eval --out RUNS/<name>)
import json, sys, numpy as np
from sklearn.metrics import roc_auc_score
A = json.load(open(f"{WORK}/a3/scores.json"))
def stats(S, ids):
    ys, xs, ay, ax, r1, rx, n = [], [], [], [], 0, 0, 0
    for q in ids:
        s = S[q]
        if not s["xenc"]: continue
        ys += s["positive"]; xs += s["xenc"]
        ay.append(int(s["answerable"] and s["positive"][0])); ax.append(s["xenc"][0])
        if s["answerable"] and any(s["positive"]):
            n += 1; r1 += s["positive"][0]; rx += s["positive"][int(np.argmax(s["xenc"]))]
    return f"pairAUC {roc_auc_score(ys, xs):.3f}  top1-answerability AUC {roc_auc_score(ay, ax):.3f}  xenc-alone rerank@1 {rx/max(1,n):.3f} (stage1 {r1/max(1,n):.3f})"
for art in sys.argv[1:]:
    F = json.load(open(f"{WORK}/l{art}/scores.json"))
    ids = [q for q, s in F.items() if s["set"] == "train2" and q in A]
    na = sum(F[q]["answerable"] for q in ids)
    print(f"article {art}: {len(ids)} train2 q ({na} answerable)")
    print(f"   A (saw article {art}):   {stats(A, ids)}")
    print(f"   LOAO (never saw it):  {stats(F, ids)}")
    idt = [q for q, s in F.items() if s["set"] == "train"]
    print(f"   LOAO on its train.jsonl q of {art} ({len(idt)}): {stats(F, idt)}")
