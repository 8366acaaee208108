"""Deterministic synthetic news corpus for scale benchmarks.

Usage: python benchmarks/make_corpus.py OUT_DIR --articles N [--seed 7]
       python benchmarks/make_corpus.py OUT_DIR --chunks N   (about N chunks at the default chunk size)

Articles are built from the seed corpus's sentences (spaCy finds their entities
once); in every generated sentence the people, organisations, places, numbers,
money amounts and dates are replaced by values drawn for that article, so many
articles share wording but differ in the facts — retrieval is not trivial.
Same seed, same files, byte for byte.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHUNKS_PER_ARTICLE = 2.5  # measured: articles of 8-14 seed sentences at CHUNK_SIZE=160
MONTHS = "January February March April May June July August September October November December".split()
SYLLABLES = "ka ri mo sa ven to lu dra mir os an el via gor tek bal un ser zo pa li na vo dan ko".split()
PUBLISHERS = ["Northern Ledger", "Baltic Wire", "Evening Courier", "Capital Review", "Daily Meridian", "River Post"]
LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "DATE", "CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"}


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def _value(label: str, rng: random.Random) -> str:
    if label == "PERSON":
        return f"{_word(rng, 2)} {_word(rng, rng.randint(2, 3))}"
    if label == "ORG":
        return rng.choice(["the ", ""]) + f"{_word(rng, 2)} {rng.choice(['Institute', 'Council', 'Group', 'Agency', 'Bank', 'Party'])}"
    if label in ("GPE", "LOC"):
        return _word(rng, rng.randint(2, 3)) + rng.choice(["", "", "ia", "stan", " City"])
    if label == "NORP":
        return _word(rng, 2) + rng.choice(["ian", "ese", "ish"])
    if label == "DATE":
        return f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(1990, 2030)}"
    if label == "MONEY":
        return f"${rng.randint(1, 999)} {rng.choice(['million', 'billion', 'thousand'])}"
    if label == "PERCENT":
        return f"{rng.randint(1, 99)}%"
    if label == "ORDINAL":
        return rng.choice(["first", "second", "third", "fourth", "fifth", "tenth"])
    return str(rng.randint(2, 9999))  # CARDINAL, QUANTITY


def seed_sentences() -> list[tuple[str, list[tuple[int, int, str]]]]:
    """(sentence, [(start, end, label), ...]) for every seed sentence, in corpus order."""
    from index.corpus import load_corpus
    from index.nlp import load

    nlp = load()
    out = []
    for article in load_corpus(ROOT / "corpus").articles:
        for doc in nlp.pipe(article.text.split("\n\n")):
            for sent in doc.sents:
                text = sent.text.strip()
                if len(text.split()) < 6:
                    continue
                ents = [
                    (e.start_char - sent.start_char, e.end_char - sent.start_char, e.label_)
                    for e in sent.ents if e.label_ in LABELS
                ]
                out.append((sent.text, ents))
    return out


def fill(sentence: str, ents, values: dict, rng: random.Random) -> str:
    """The sentence with each entity replaced by this article's value for it."""
    parts, cursor = [], 0
    for start, end, label in ents:
        key = (label, sentence[start:end])
        if key not in values:
            values[key] = _value(label, rng)
        parts += [sentence[cursor:start], values[key]]
        cursor = end
    parts.append(sentence[cursor:])
    return "".join(parts).strip()


def article(i: int, pool, seed: int) -> str:
    rng = random.Random(seed * 1_000_003 + i)
    values: dict = {}
    n = rng.randint(8, 14)
    picked = [pool[rng.randrange(len(pool))] for _ in range(n)]
    sentences = [fill(s, ents, values, rng) for s, ents in picked]
    title = sentences[0].rstrip(".") if len(sentences[0]) < 110 else sentences[0][:100].rsplit(" ", 1)[0]
    date = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(2018, 2026)}"
    paragraphs, k = [], 1
    while k < len(sentences):
        step = rng.randint(1, 3)
        paragraphs.append(" ".join(sentences[k : k + step]))
        k += step
    return "\n\n".join([title, f"By {rng.choice(PUBLISHERS)} {date}", *paragraphs]) + "\n"


def make(out: Path, articles: int, seed: int = 7) -> int:
    out.mkdir(parents=True, exist_ok=True)
    pool = seed_sentences()
    width = len(str(max(articles - 1, 1)))
    for i in range(articles):
        (out / f"{i:0{width}d}_synthetic.txt").write_text(article(i, pool, seed), encoding="utf-8")
    return articles


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    size = ap.add_mutually_exclusive_group(required=True)
    size.add_argument("--articles", type=int)
    size.add_argument("--chunks", type=int, help=f"target chunk count (≈ {CHUNKS_PER_ARTICLE} chunks per article)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    n = args.articles or max(1, round(args.chunks / CHUNKS_PER_ARTICLE))
    make(args.out, n, args.seed)
    print(f"wrote {n} articles to {args.out}")


if __name__ == "__main__":
    main()
