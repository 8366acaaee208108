import os
WORK = os.environ.get("READER_WORK", "/tmp/xenc")  # dump, models, scores
RUNS = os.environ.get("READER_RUNS", "/tmp/xenc-runs")  # eval runs (citebot eval --out RUNS/<name>)
import json, sys
out = {}
for path in sys.argv[2:]:
    path, sets = path.split(":")
    S = json.load(open(path))
    for qid, s in S.items():
        if s["set"] in sets.split(","):
            out[qid] = {",".join(map(str, f)): round(v, 4) for f, v in zip(s["focus"], s["xenc"])}
json.dump(out, open(sys.argv[1], "w"), sort_keys=True)
print(len(out), "questions")
