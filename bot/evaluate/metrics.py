"""Metrics over result rows, as defined in EVAL_FORMAT.md. Pure functions on lists of dicts.

Every function takes `rows` (results rows: answer, refused, citations, latency_ms and the
run's extra fields) and `questions` (the matching question-file rows, or conversation
turns), so the same code scores plain questions and per-turn rows.

Each rate is defined once, per question, as a (numerator, denominator) pair
(`indicators`); `compute` sums them and `confidence_intervals` resamples them.
"""

from __future__ import annotations

import functools
import json
import re
import statistics
import unicodedata
from collections import defaultdict
from typing import Callable, Iterable

# Curly (and angle) quotes to plain ones, the minus sign to "-" and a no-break space to a space;
# every Unicode dash (category Pd) is folded to "-" by `normalise` (EVAL_FORMAT.md: "curly
# quotes and dashes folded to plain ones"). NFKC folds the full-width and compatibility forms
# first ("－", "﹘", "＂").
_FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "‹": "'", "›": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
                       "«": '"', "»": '"', "\u00a0": " ", "\u2212": "-"})
# a word: letters and digits of any script ("Klaipėda", "Минск"), with an apostrophe's ending kept
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
HIT_KS = (1, 5, 10)
# A retrieved chunk "holds" the gold evidence when it covers this share of the quote's characters
# (quotes longer than a chunk can straddle two neighbouring chunks).
CHUNK_COVER = 0.6


def normalise(text: str) -> str:
    """Compatibility forms, quotes and dashes folded, case folded ("STRASSE" is "straße"),
    whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "").translate(_FOLD)
    text = "".join("-" if unicodedata.category(ch) == "Pd" else ch for ch in text) if not text.isascii() else text
    return " ".join(text.casefold().split())


@functools.lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from index.nlp import stop_words

    return stop_words()


def content_words(text: str) -> list[str]:
    stop = _stopwords()
    return [w for w in _WORD.findall(normalise(text)) if w not in stop]


def answer_correct(answer: str, expected: list[list[str]]) -> bool:
    norm = normalise(answer)
    return bool(expected) and all(any(normalise(alt) in norm for alt in group) for group in expected)


def doc_of(source: str) -> str:
    return source[:3]


def evidence_doc(ev: dict) -> str:
    """An evidence item's `doc`: the first three characters of the article's file name. A number
    is read as the file name's number ("doc": 2 is "002"); "" when it gives none. The whole file
    name, as people also write it ("002_b4c17ae533b9d5da.txt", or without ".txt"), is read as
    its first three characters: a citation from that article met nothing before."""
    doc = ev.get("doc")
    if isinstance(doc, int) and not isinstance(doc, bool):
        return f"{doc:03d}"
    doc = "" if doc is None else str(doc).strip()
    return doc[:3] if _FILE_NAME_RE.match(doc) else doc


def doc_matches(source: str, ev: dict) -> bool:
    """Is `source` (a citation's or a text's file name) the evidence item's article? Its `doc`
    (evidence_doc) is the file name's first three characters, or the whole file name with or
    without its extension, whatever the name's shape ("1000_x.txt", "article-12.txt")."""
    raw = ev.get("doc")
    if isinstance(raw, str) and raw.strip() and raw.strip() in (source, source.rsplit(".", 1)[0]):
        return True
    return doc_of(source) == evidence_doc(ev)


# "002_b4c17ae533b9d5da.txt", "002_b4c17ae533b9d5da", "002-shmelyev.md": three characters, then
# a separator and the rest of a file name
_FILE_NAME_RE = re.compile(r"^[^\s/\\]{3}[_.\-][^\s/\\]+$")


def citation_supports(citation: dict, evidence: list[dict]) -> bool:
    """From the evidence's article, and holding ≥ 60 % of its quote's content words (each
    distinct word once). An item without a `doc` is judged by its quote alone, in whichever
    article; one without a quote by its article alone."""
    quote_words = set(content_words(citation.get("quote", "")))
    for ev in evidence or []:
        doc = evidence_doc(ev)
        if doc and not doc_matches(citation.get("source", ""), ev):
            continue
        words = set(content_words(ev.get("quote") or ""))
        if not words:
            if doc and not (ev.get("quote") or "").strip():
                return True  # the article alone was given
            continue
        if len(words & quote_words) / len(words) >= 0.6:
            return True
    return False


def citation_holds_answer(citation: dict, expected: list[list[str]]) -> bool:
    return answer_correct(citation.get("quote", ""), expected)


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """(start, end) of the evidence quote in an article's cleaned text: verbatim, or with its
    whitespace differing (a quote copied from the corpus file across a line break that
    cleaning made a paragraph break); None when it is not there."""
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    parts = quote.split()
    if not parts:
        return None
    m = re.search(r"\s+".join(map(re.escape, parts)), text)
    return (m.start(), m.end()) if m else None


def retrieval_rank(chunks: list[dict], evidence: list[dict], texts: dict[str, str]) -> int | None:
    """1-based rank of the first retrieved chunk holding a gold evidence quote, or None.

    chunks: [{"source", "start", "end"}] best first; texts: article file name -> cleaned text.
    A chunk holds a quote when it is from the quote's article and covers ≥ CHUNK_COVER of the
    quote's characters where the quote occurs in the text.
    """
    spans = []
    for ev in evidence or []:
        doc = evidence_doc(ev)
        for source, text in texts.items():
            if (doc and not doc_matches(source, ev)) or not ev.get("quote"):
                continue
            found = find_quote(text, ev["quote"])
            if found is not None:
                spans.append((source, *found))
    for rank, c in enumerate(chunks, 1):
        for source, start, end in spans:
            overlap = min(end, c["end"]) - max(start, c["start"])
            if c["source"] == source and overlap >= CHUNK_COVER * (end - start):
                return rank
    return None


# --- outcomes ------------------------------------------------------------------------------
OUTCOMES = {
    "correct": "answered correctly",
    "wrong": "answered, but not the expected answer",
    "false_refusal": "refused an answerable question",
    "refused_ok": "refused an unanswerable question",
    "answered_unanswerable": "answered an unanswerable question",
    "answered": "answered (no label)",
    "refused": "refused (no label)",
}
FAILURES = ("wrong", "false_refusal", "answered_unanswerable")


def outcome(row: dict, q: dict) -> str:
    """One word for what happened to a question (see OUTCOMES)."""
    if "answerable" not in q:
        return "refused" if row["refused"] else "answered"
    if not q["answerable"]:
        return "refused_ok" if row["refused"] else "answered_unanswerable"
    if row["refused"]:
        return "false_refusal"
    if not q.get("expected"):
        return "answered"
    return "correct" if answer_correct(row["answer"], q["expected"]) else "wrong"


# --- per-question indicators ---------------------------------------------------------------
RATES = ["answered_rate", "answer_correct", "supporting_citation", "citation_precision", "refused_unanswerable",
         "false_refusal", "verbatim_quote_rate"] + [f"hit_at_{k}" for k in HIT_KS] + ["mrr"]


def indicators(row: dict, q: dict) -> dict[str, tuple[float, int]]:
    """(numerator, denominator) of every rate for one question; denominator 0 = not counted."""
    labelled = "answerable" in q
    answerable = labelled and bool(q["answerable"])
    expected, evidence = q.get("expected") or [], q.get("evidence") or []
    cites = row.get("citations") or []
    verbatim = row.get("verbatim", [])
    out: dict[str, tuple[float, int]] = {
        "answered_rate": (int(not row["refused"]), 1),
        "answer_correct": (int(outcome(row, q) == "correct"), 1) if answerable and expected else (0, 0),
        "supporting_citation": (int(any(citation_supports(c, evidence) for c in cites)), 1) if answerable and evidence else (0, 0),
        # an answerable question with neither expected answers nor evidence gives nothing to judge
        # its citations by: they are not counted (an unanswerable one's citations never support)
        "citation_precision": (
            sum(1 for c in cites if answerable and (citation_supports(c, evidence) or citation_holds_answer(c, expected))),
            len(cites),
        ) if labelled and (not answerable or expected or evidence) else (0, 0),
        "refused_unanswerable": (int(row["refused"]), 1) if labelled and not answerable else (0, 0),
        "false_refusal": (int(row["refused"]), 1) if answerable else (0, 0),
        "verbatim_quote_rate": (sum(bool(v) for v in verbatim), len(verbatim)),
    }
    ranked = answerable and evidence and "retrieval_rank" in row
    rank = row.get("retrieval_rank")
    for k in HIT_KS:
        out[f"hit_at_{k}"] = (int(rank is not None and rank <= k), 1) if ranked else (0, 0)
    out["mrr"] = ((1.0 / rank) if rank else 0.0, 1) if ranked else (0, 0)
    return out


def _rate(num: float, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return round(values[lo] + (values[hi] - values[lo]) * (k - lo), 2)


def compute(rows: list[dict], questions: list[dict]) -> dict:
    """rows[i] answers questions[i]. Each row: answer, refused, citations, latency_ms, verbatim (list[bool]),
    optionally retrieval_rank (for hit@k / MRR)."""
    n = len(rows)
    labelled = [q for q in questions if "answerable" in q]
    ind = [indicators(r, q) for r, q in zip(rows, questions)]
    sums = {key: (sum(i[key][0] for i in ind), sum(i[key][1] for i in ind)) for key in RATES}
    answered = [r for r in rows if not r["refused"]]
    latencies = [r["latency_ms"] for r in rows]
    out = {
        "questions": n,
        "answerable": sum(1 for q in labelled if q["answerable"]) if labelled else None,
        "unanswerable": sum(1 for q in labelled if not q["answerable"]) if labelled else None,
    }
    out.update({key: _rate(*sums[key]) for key in RATES})
    if not labelled:
        out["citation_precision"] = None
    out.update({
        "answer_words_median": statistics.median([len(r["answer"].split()) for r in answered]) if answered else None,
        "latency_ms_p50": _pct(latencies, 0.50),
        "latency_ms_p95": _pct(latencies, 0.95),
        "latency_ms_max": round(max(latencies), 2) if latencies else None,
        **generative(rows),
    })
    return out


def generative(rows: list[dict]) -> dict:
    """Generative-mode figures (empty for extractive runs): how often the LLM answered or the
    extractive fallback was used, the share of generated sentences that survived verification,
    and how many sentences / citation markers verification dropped."""
    if not any(r.get("mode") == "generative" or r.get("fallback") for r in rows):
        return {}
    stats = [r["support"] for r in rows if r.get("mode") == "generative" and isinstance(r.get("support"), dict) and "sentences" in r["support"]]
    dropped = [d for r in rows for d in r.get("dropped") or []]
    return {
        "generative_rate": _rate(sum(1 for r in rows if r.get("mode") == "generative"), len(rows)),
        "fallback_rate": _rate(sum(1 for r in rows if r.get("fallback")), len(rows)),
        "sentence_support_rate": _rate(sum(s["supported"] for s in stats), sum(s["sentences"] for s in stats)),
        "dropped_sentences": sum(1 for d in dropped if d.get("kind") == "sentence"),
        "dropped_markers": sum(1 for d in dropped if d.get("kind") == "marker"),
    }


def confidence_intervals(rows: list[dict], questions: list[dict], resamples: int = 2000, seed: int = 0, level: float = 0.95) -> dict:
    """Percentile bootstrap intervals for every rate: questions are resampled with replacement
    (a fixed seed, so a run's report is reproducible). {rate: [low, high]} or None when not defined."""
    import numpy as np

    if not rows:
        return {key: None for key in RATES}
    ind = [indicators(r, q) for r, q in zip(rows, questions)]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(rows), size=(resamples, len(rows)))
    out = {}
    for key in RATES:
        num = np.array([i[key][0] for i in ind], dtype=float)
        den = np.array([i[key][1] for i in ind], dtype=float)
        if den.sum() == 0:
            out[key] = None
            continue
        n, d = num[picks].sum(axis=1), den[picks].sum(axis=1)
        values = n[d > 0] / d[d > 0]
        lo, hi = np.quantile(values, [(1 - level) / 2, 1 - (1 - level) / 2])
        out[key] = [round(float(lo), 4), round(float(hi), 4)]
    return out


# --- breakdowns ------------------------------------------------------------------------------
def breakdown(rows: list[dict], questions: list[dict], groups: Callable[[dict], Iterable[str]]) -> dict[str, dict]:
    """compute() per group; `groups(question)` names the groups a question belongs to (zero or more)."""
    members: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(questions):
        for g in groups(q):
            members[str(g)].append(i)
    return {g: compute([rows[i] for i in idx], [questions[i] for i in idx]) for g, idx in sorted(members.items())}


def tag(q: dict, field: str) -> str | None:
    """An optional grouping field of a question ("split", "type") as a name: a string as it is,
    any other JSON value as its JSON text (a file may hold "split": 1 or a list: EVAL_FORMAT.md
    promises nothing of extra fields); None when absent, null or empty."""
    value = q.get(field)
    if value is None or value == "" or value == [] or value == {}:
        return None
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)


def by_split(q: dict) -> list[str]:
    return [tag(q, "split")] if tag(q, "split") else []


def by_type(q: dict) -> list[str]:
    return [tag(q, "type")] if tag(q, "type") else []


def by_article(q: dict) -> list[str]:
    """The articles holding the evidence (a multi-hop question counts for each)."""
    return sorted({doc for ev in q.get("evidence") or [] if (doc := evidence_doc(ev))})


# --- threshold sweep ----------------------------------------------------------------------------
def at_threshold(row: dict, threshold: float) -> dict:
    """The row as it would have been with the refusal threshold at `threshold`.

    Uses the run's extra fields: `p_answerable` (the model's probability, None when there is
    no model or the question never reached it) and, for questions refused only because p was
    below the operating threshold, `if_answered` (the answer it would have given). Hard-rule
    refusals stay refusals at every threshold, and so does a two-part answer (two questions in
    one: each part has its own probability, so it has no single `p_answerable`)."""
    p = row.get("p_answerable")
    if p is None:
        return row
    could_answer = not row["refused"] or row.get("if_answered") is not None
    if p >= threshold and could_answer:
        if row["refused"]:
            return {**row, **row["if_answered"], "refused": False}
        return row
    if row["refused"]:
        return row
    return {**row, "refused": True, "citations": [], "verbatim": [], "answer": ""}


SWEEP_KEYS = ["answered_rate", "answer_correct", "supporting_citation", "refused_unanswerable", "false_refusal", "citation_precision"]


def sweep(rows: list[dict], questions: list[dict], thresholds: Iterable[float] | None = None) -> list[dict]:
    """compute()'s rates at each threshold, from one run (no re-answering).
    Default thresholds: 0.00, 0.01, …, 1.00. Empty when the run has no p_answerable."""
    if not any(r.get("p_answerable") is not None for r in rows):
        return []
    thresholds = [round(t / 100, 2) for t in range(101)] if thresholds is None else list(thresholds)
    out = []
    cache: dict[tuple[int, bool], dict] = {}  # a row is in one of two states: answered or refused
    for t in thresholds:
        ind = []
        for i, (r, q) in enumerate(zip(rows, questions)):
            moved = at_threshold(r, t)
            key = (i, bool(moved["refused"]))
            if key not in cache:
                cache[key] = indicators(moved, q)
            ind.append(cache[key])
        point = {"threshold": t}
        for key in SWEEP_KEYS:
            point[key] = _rate(sum(i[key][0] for i in ind), sum(i[key][1] for i in ind))
        point["balanced"] = _balanced(point)
        out.append(point)
    return out


def _balanced(point: dict) -> float | None:
    """Mean of answer-correct and refused-unanswerable: both halves of the job count equally
    (a set without one kind of question is scored on the other)."""
    halves = [v for v in (point.get("answer_correct"), point.get("refused_unanswerable")) if v is not None]
    return round(sum(halves) / len(halves), 4) if halves else None


def plateaus(points: list[dict]) -> list[dict]:
    """Runs of consecutive sweep points with the same outcomes, as one point each: the
    middle threshold of the run, with `low`/`high` its ends."""
    out: list[dict] = []
    for p in points:
        same = out and all(out[-1][k] == p[k] for k in SWEEP_KEYS)
        if same:
            out[-1]["high"] = p["threshold"]
        else:
            out.append({**p, "low": p["threshold"], "high": p["threshold"]})
    for p in out:
        p["threshold"] = round((p["low"] + p["high"]) / 2, 3)
    return out


def best_points(points: list[dict], top: int = 5) -> list[dict]:
    """The sweep's best operating ranges (see `plateaus`) by balanced score; ties go to the
    lower false-refusal rate, then the wider range."""
    scored = [p for p in plateaus(points) if p.get("balanced") is not None]
    return sorted(scored, key=lambda p: (-p["balanced"], p["false_refusal"] or 0, p["low"] - p["high"]))[:top]


# --- comparing two runs ----------------------------------------------------------------------------
def deltas(a: dict, b: dict, keys: Iterable[str]) -> list[tuple[str, float | None, float | None, float | None]]:
    """(key, value in a, value in b, b − a) for every numeric metric."""
    out = []
    for key in keys:
        va, vb = a.get(key), b.get(key)
        num = isinstance(va, (int, float)) and isinstance(vb, (int, float))
        out.append((key, va, vb, round(vb - va, 4) if num else None))
    return out


def fmt(key: str, value) -> str:
    """A metric value for tables: rates with 3 decimals, milliseconds with 1, "n/a" when undefined."""
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if key in RATES or key in SWEEP_KEYS or key in ("balanced", "threshold"):
        text = f"{value:.3f}"
    elif key.startswith("latency"):
        text = f"{value:.1f}"
    else:
        text = f"{value:g}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text  # no "-0.000"


# Higher is better except for these.
LOWER_IS_BETTER = {"false_refusal", "latency_ms_p50", "latency_ms_p95", "latency_ms_max"}

LABELS = [
    ("answered_rate", "answered rate"),
    ("answer_correct", "answer correct (answerable)"),
    ("supporting_citation", "supporting citation"),
    ("citation_precision", "citation precision"),
    ("refused_unanswerable", "refused unanswerable"),
    ("false_refusal", "false refusal"),
    ("verbatim_quote_rate", "verbatim quote rate"),
    ("answer_words_median", "answer words (median)"),
    ("hit_at_1", "retrieval hit@1"),
    ("hit_at_5", "retrieval hit@5"),
    ("hit_at_10", "retrieval hit@10"),
    ("mrr", "retrieval MRR"),
    ("latency_ms_p50", "latency p50 (ms)"),
    ("latency_ms_p95", "latency p95 (ms)"),
    ("latency_ms_max", "latency max (ms)"),
]
# shown only for generative runs (`citebot eval --mode generative`)
GENERATIVE_LABELS = [
    ("generative_rate", "generative answers"),
    ("fallback_rate", "extractive fallback"),
    ("sentence_support_rate", "sentence support rate"),
    ("dropped_sentences", "dropped sentences"),
    ("dropped_markers", "dropped citation markers"),
]
