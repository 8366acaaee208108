import os
WORK = os.environ.get("READER_WORK", "/tmp/xenc")  # dump, models, scores
RUNS = os.environ.get("READER_RUNS", "/tmp/xenc-runs")  # eval runs (citebot eval --out RUNS/<name>)
import json, sys, numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
S = json.load(open(sys.argv[1])); fit_on = sys.argv[2].split(",")
base = {}
for f in ["base-pub", "base-hold", "base-train", "base-train2"]:
    for l in open(f"{RUNS}/{f}/results.jsonl"):
        r = json.loads(l); base[r["id"]] = r
def rows(pred):
    X, y, ids = [], [], []
    for qid, s in S.items():
        if not pred(s) or not s["xenc"] or qid not in base: continue
        p = (base[qid].get("support") or {}).get("p_answerable")
        if p is None: continue
        p = min(max(p, 1e-4), 1 - 1e-4)
        x = np.array(s["xenc"])
        X.append([np.log(p / (1 - p)), x[0], x.max(), x[0] - np.delete(x, 0).max() if len(x) > 1 else 0.0])
        y.append(int(s["answerable"] and s["positive"][0])); ids.append(qid)
    return np.array(X), np.array(y), ids
Xf, yf, _ = rows(lambda s: s["set"] in fit_on)
COLS = eval(sys.argv[3]) if len(sys.argv) > 3 else [0,1,2,3]
lr = LogisticRegression(C=1.0).fit(Xf[:, COLS], yf)
print("fit on", fit_on, len(yf), "coef", lr.coef_.round(2), lr.intercept_.round(2))
for name, pred in [("public dev", lambda s: s["set"] == "questions" and s["split"] == "dev"), ("public test", lambda s: s["set"] == "questions" and s["split"] == "test"), ("holdout", lambda s: s["set"] == "holdout")]:
    X, y, _ = rows(pred)
    if len(y) == 0: continue
    print(f"{name:12s} n={len(y)} answerability AUC base {roc_auc_score(y, X[:,0]):.3f}  xenc-top1 {roc_auc_score(y, X[:,1]):.3f}  combined {roc_auc_score(y, lr.decision_function(X[:, COLS])):.3f}")
