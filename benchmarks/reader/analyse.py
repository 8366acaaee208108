import os
WORK = os.environ.get("READER_WORK", "/tmp/xenc")  # dump, models, scores
RUNS = os.environ.get("READER_RUNS", "/tmp/xenc-runs")  # eval runs (citebot eval --out RUNS/<name>)
import json, sys, numpy as np
from sklearn.metrics import roc_auc_score
def load_p(path):
    out = {}
    for l in open(path):
        r = json.loads(l); sp = r.get("support") or {}
        out[r["id"]] = sp.get("p_answerable")
    return out
for path in sys.argv[1:]:
    S = json.load(open(path))
    base = {}
    for f in (f"{RUNS}/base-pub/results.jsonl", f"{RUNS}/base-hold/results.jsonl"):
        base.update(load_p(f))
    groups = {}
    for qid, s in S.items():
        key = s["set"] + (f"/{s['split']}" if s["split"] else "")
        groups.setdefault(key, []).append((qid, s))
    for key, items in sorted(groups.items()):
        ys, xs = [], []
        r1, rx, n = 0, 0, 0
        ay, ax, ap = [], [], []
        for qid, s in items:
            if not s["xenc"]: continue
            ys += s["positive"]; xs += s["xenc"]
            if s["answerable"] and any(s["positive"]):
                n += 1; r1 += s["positive"][0]; rx += s["positive"][int(np.argmax(s["xenc"]))]
            ay.append(int(s["answerable"] and s["positive"][0])); ax.append(s["xenc"][0])
            ap.append(base.get(qid) if base.get(qid) is not None else 0.0)
        print(f"{path.split('/')[-2]:>10} {key:>15} n={len(items):3d} pairAUC {roc_auc_score(ys, xs):.3f} | rerank@1 stage1 {r1/n:.3f} xenc {rx/n:.3f} (n={n}) | answerability AUC xenc(top1) {roc_auc_score(ay, ax):.3f} base p_ans {roc_auc_score(ay, ap):.3f}" if len(set(ys))>1 and len(set(ay))>1 else key)
