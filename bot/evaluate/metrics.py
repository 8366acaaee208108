"""Metrics over result rows, as defined in EVAL_FORMAT.md. Pure functions on dicts."""

from __future__ import annotations

import re
import statistics
import unicodedata

_FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
                       "–": "-", "—": "-", "―": "-", "‐": "-", "‑": "-", "−": "-", "\u00a0": " "})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_FOLD).lower()
    return " ".join(text.split())


def _stopwords() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def content_words(text: str) -> list[str]:
    stop = _stopwords()
    return [w for w in _WORD.findall(normalise(text)) if w not in stop]


def answer_correct(answer: str, expected: list[list[str]]) -> bool:
    norm = normalise(answer)
    return bool(expected) and all(any(normalise(alt) in norm for alt in group) for group in expected)


def doc_of(source: str) -> str:
    return source[:3]


def citation_supports(citation: dict, evidence: list[dict]) -> bool:
    """From the evidence's article, and holding ≥ 60 % of its quote's content words."""
    quote_words = set(content_words(citation.get("quote", "")))
    for ev in evidence or []:
        if doc_of(citation.get("source", "")) != str(ev.get("doc", "")):
            continue
        words = content_words(ev.get("quote", ""))
        if words and sum(1 for w in words if w in quote_words) / len(words) >= 0.6:
            return True
    return False


def citation_holds_answer(citation: dict, expected: list[list[str]]) -> bool:
    return answer_correct(citation.get("quote", ""), expected)


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return round(values[lo] + (values[hi] - values[lo]) * (k - lo), 2)


def compute(rows: list[dict], questions: list[dict]) -> dict:
    """rows[i] answers questions[i]. Each row: answer, refused, citations, latency_ms, verbatim (list[bool])."""
    n = len(rows)
    labelled = [(r, q) for r, q in zip(rows, questions) if "answerable" in q]
    answerable = [(r, q) for r, q in labelled if q["answerable"]]
    unanswerable = [(r, q) for r, q in labelled if not q["answerable"]]
    with_expected = [(r, q) for r, q in answerable if q.get("expected")]
    with_evidence = [(r, q) for r, q in answerable if q.get("evidence")]

    cited = [(c, q) for r, q in labelled for c in r["citations"]]
    precise = sum(
        1 for c, q in cited
        if q["answerable"] and (citation_supports(c, q.get("evidence")) or citation_holds_answer(c, q.get("expected") or []))
    )
    verbatim = [ok for r in rows for ok in r.get("verbatim", [])]
    answered = [r for r in rows if not r["refused"]]
    return {
        "questions": n,
        "answerable": len(answerable) if labelled else None,
        "unanswerable": len(unanswerable) if labelled else None,
        "answered_rate": _rate(len(answered), n),
        "answer_correct": _rate(sum(1 for r, q in with_expected if not r["refused"] and answer_correct(r["answer"], q["expected"])), len(with_expected)),
        "supporting_citation": _rate(sum(1 for r, q in with_evidence if any(citation_supports(c, q["evidence"]) for c in r["citations"])), len(with_evidence)),
        "citation_precision": _rate(precise, len(cited)) if labelled else None,
        "refused_unanswerable": _rate(sum(1 for r, _ in unanswerable if r["refused"]), len(unanswerable)),
        "false_refusal": _rate(sum(1 for r, _ in answerable if r["refused"]), len(answerable)),
        "verbatim_quote_rate": _rate(sum(verbatim), len(verbatim)),
        "answer_words_median": statistics.median([len(r["answer"].split()) for r in answered]) if answered else None,
        "latency_ms_p50": _pct([r["latency_ms"] for r in rows], 0.50),
        "latency_ms_p95": _pct([r["latency_ms"] for r in rows], 0.95),
        **generative(rows),
    }


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


LABELS = [
    ("answered_rate", "answered rate"),
    ("answer_correct", "answer correct (answerable)"),
    ("supporting_citation", "supporting citation"),
    ("citation_precision", "citation precision"),
    ("refused_unanswerable", "refused unanswerable"),
    ("false_refusal", "false refusal"),
    ("verbatim_quote_rate", "verbatim quote rate"),
    ("answer_words_median", "answer words (median)"),
    ("latency_ms_p50", "latency p50 (ms)"),
    ("latency_ms_p95", "latency p95 (ms)"),
]
# shown only for generative runs (`citebot eval --mode generative`)
GENERATIVE_LABELS = [
    ("generative_rate", "generative answers"),
    ("fallback_rate", "extractive fallback"),
    ("sentence_support_rate", "sentence support rate"),
    ("dropped_sentences", "dropped sentences"),
    ("dropped_markers", "dropped citation markers"),
]
