"""Dump candidate spans + labels exactly as `citebot calibrate` builds them (cal.collect)."""
import os
WORK = os.environ.get("READER_WORK", "/tmp/xenc")  # dump, models, scores
RUNS = os.environ.get("READER_RUNS", "/tmp/xenc-runs")  # eval runs (citebot eval --out RUNS/<name>)
import json, pickle, sys, time
from pathlib import Path
from bot import services
from bot.config import Settings
from bot.evaluate import calibrate as cal
from bot.evaluate.run import load_questions

settings = Settings()
answerer = services.answerer(settings.model_copy(update={"support_model": Path("none"), "answer_mode": "extractive"}))
out = {}
for name in ["train", "train2", "questions", "holdout"]:
    rows = load_questions(Path(f"evals/{name}.jsonl"))
    t = time.time()
    samples = cal.collect(answerer, rows)
    recs = []
    for row, s in zip([r for r in rows if "question" in r and "answerable" in r], samples):
        assert str(row["id"]) == s.id
        cands = []
        for c, pos, hard in zip(s.cands, s.positive, s.hard_ok):
            src, text = answerer.span_text(c.focus)
            cands.append(dict(focus=c.focus, source=src, text=text, title=answerer.library.articles[src].title,
                              positive=pos, hard_ok=hard, rank=c.rank_score, features=c.features))
        recs.append(dict(id=s.id, set=name, split=row.get("split"), answerable=s.answerable, question=row["question"],
                         docs=sorted({e["doc"] for e in row.get("evidence") or []}), cands=cands))
    out[name] = recs
    n = [len(r["cands"]) for r in recs]
    print(name, len(recs), "cands/q mean", sum(n) / len(n), "max", max(n), "has pos", sum(any(c["positive"] for c in r["cands"]) for r in recs), f"{time.time()-t:.0f}s", flush=True)
pickle.dump(out, open(f"{WORK}/dump.pkl", "wb"))
