"""bot.evaluate.metrics on hand-made rows (the definitions of EVAL_FORMAT.md)."""

from __future__ import annotations

import pytest

from bot.evaluate import metrics
from bot.evaluate.metrics import LABELS, answer_correct, citation_supports, compute

LABELLED_KEYS = ["answerable", "unanswerable", "answer_correct", "supporting_citation", "citation_precision",
                 "refused_unanswerable", "false_refusal"]


# --- answer_correct ------------------------------------------------------------------------
def test_every_group_must_match():
    expected = [["Svobodnaya Pressa"], ["doctor of history"]]
    assert answer_correct("Svobodnaya Pressa interviewed a doctor of history", expected)
    assert not answer_correct("Svobodnaya Pressa interviewed him", expected)
    assert not answer_correct("a doctor of history spoke", expected)


def test_any_alternative_of_a_group_matches():
    expected = [["Cole", "Coale"]]
    assert answer_correct("John Coale visited Minsk", expected)
    assert answer_correct("John Cole visited Minsk", expected)
    assert not answer_correct("John Kellogg visited Minsk", expected)


def test_case_whitespace_quotes_and_dashes_are_folded():
    assert answer_correct("The “SVOBODNAYA   Pressa” said", [['"Svobodnaya Pressa"']])
    assert answer_correct("‘good guy’", [["'good guy'"]])
    assert answer_correct("the Russia–Belarus Union State", [["Russia-Belarus union state"]])
    assert answer_correct("China—EU rail freight", [["china-eu"]])
    assert answer_correct("18\u00a0years\nin prison", [["18 years in prison"]])
    assert answer_correct('the "Minsk Protocol 3.0."', [["“Minsk Protocol 3.0.”"]])


def test_no_expected_answer_is_never_correct():
    assert not answer_correct("anything at all", [])
    assert not answer_correct("", [["123"]])


def test_substring_semantics():
    assert answer_correct("released 123 political prisoners", [["123"]])
    assert not answer_correct("released 12 political prisoners", [["123"]])


# --- citation_supports ---------------------------------------------------------------------
EVIDENCE = [{"doc": "004", "quote": "Lukashenko released 123 political prisoners"}]  # 5 content words


def cite(source: str, quote: str) -> dict:
    return {"source": source, "quote": quote}


def test_content_words_of_the_evidence():
    assert metrics.content_words(EVIDENCE[0]["quote"]) == ["lukashenko", "released", "123", "political", "prisoners"]
    assert metrics.content_words("It was the one of them") == []


def test_sixty_percent_of_content_words_rule():
    src = "004_a24a6e3f3a2234d6.txt"
    assert citation_supports(cite(src, "Lukashenko released 123 political prisoners on Saturday"), EVIDENCE)  # 5/5
    assert citation_supports(cite(src, "Lukashenko released 123 detainees"), EVIDENCE)  # 3/5 = 60 %
    assert not citation_supports(cite(src, "Lukashenko freed 123 detainees"), EVIDENCE)  # 2/5 = 40 %
    assert not citation_supports(cite(src, "The weather in Minsk"), EVIDENCE)
    # folding applies to citation words as well
    assert citation_supports(cite(src, "LUKASHENKO Released 123"), EVIDENCE)


def test_citation_must_come_from_the_evidence_document():
    quote = "Lukashenko released 123 political prisoners"
    assert citation_supports(cite("004_anything.txt", quote), EVIDENCE)
    assert not citation_supports(cite("003_a249e923c2b6cff2.txt", quote), EVIDENCE)
    assert not citation_supports(cite("", quote), EVIDENCE)
    two = EVIDENCE + [{"doc": "003", "quote": "released 123 political prisoners"}]
    assert citation_supports(cite("003_a249e923c2b6cff2.txt", quote), two)  # any evidence item


def test_no_evidence_supports_nothing():
    assert not citation_supports(cite("004_x.txt", "Lukashenko released 123 political prisoners"), [])
    assert not citation_supports(cite("004_x.txt", "Lukashenko"), [{"doc": "004", "quote": "the of and"}])


# --- compute ---------------------------------------------------------------------------------
def _rows_and_questions():
    questions = [
        {"answerable": True, "expected": [["123"]], "evidence": EVIDENCE},
        {"answerable": True, "expected": [["18 years"]],
         "evidence": [{"doc": "000", "quote": "Tikhanyovski was sentenced to 18 years in prison"}]},
        {"answerable": True, "expected": [["Newsmax"]], "evidence": [{"doc": "004", "quote": "pro-Trump outlet Newsmax"}]},
        {"answerable": False, "expected": [], "evidence": []},
        {"answerable": False, "expected": [], "evidence": []},
    ]
    rows = [
        {"answer": "Lukashenko released 123 political prisoners", "refused": False,
         "citations": [cite("004_a.txt", "Lukashenko released 123 political prisoners")], "latency_ms": 10, "verbatim": [True]},
        {"answer": "He got 20 years", "refused": False,
         "citations": [cite("003_b.txt", "He got 20 years")], "latency_ms": 20, "verbatim": [False]},
        {"answer": "I can't answer that", "refused": True, "citations": [], "latency_ms": 30, "verbatim": []},
        {"answer": "I can't answer that", "refused": True, "citations": [], "latency_ms": 40, "verbatim": []},
        {"answer": "Macron said nothing", "refused": False,
         "citations": [cite("001_c.txt", "Macron said nothing")], "latency_ms": 50, "verbatim": [True]},
    ]
    return rows, questions


def test_compute_rates_on_hand_made_rows():
    rows, questions = _rows_and_questions()
    m = compute(rows, questions)
    assert m["questions"] == 5 and m["answerable"] == 3 and m["unanswerable"] == 2
    assert m["answered_rate"] == 0.6  # rows 1, 2, 5
    assert m["answer_correct"] == pytest.approx(1 / 3, abs=1e-4)  # only row 1
    assert m["supporting_citation"] == pytest.approx(1 / 3, abs=1e-4)  # only row 1's citation
    assert m["citation_precision"] == pytest.approx(1 / 3, abs=1e-4)  # 1 of 3 citations
    assert m["refused_unanswerable"] == 0.5
    assert m["false_refusal"] == pytest.approx(1 / 3, abs=1e-4)
    assert m["verbatim_quote_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["answer_words_median"] == 4  # 5, 4, 3 words
    assert m["latency_ms_p50"] == 30
    assert m["latency_ms_p95"] == pytest.approx(48.0)
    assert {k for k, _ in LABELS} <= set(m)


def test_citation_holding_the_expected_answer_counts_as_precise():
    rows, questions = _rows_and_questions()
    rows[1]["citations"] = [cite("003_b.txt", "sentenced to 18 years")]  # wrong doc, but holds the answer
    assert compute(rows, questions)["citation_precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert compute(rows, questions)["supporting_citation"] == pytest.approx(1 / 3, abs=1e-4)


def test_perfect_run():
    rows, questions = _rows_and_questions()
    rows[1] = {"answer": "18 years in prison", "refused": False,
               "citations": [cite("000_x.txt", "Tikhanyovski was sentenced to 18 years in prison")], "latency_ms": 5, "verbatim": [True]}
    rows[2] = {"answer": "Newsmax", "refused": False,
               "citations": [cite("004_x.txt", "pro-Trump outlet Newsmax")], "latency_ms": 5, "verbatim": [True]}
    rows[4] = {"answer": "no", "refused": True, "citations": [], "latency_ms": 5, "verbatim": []}
    m = compute(rows, questions)
    for key in ("answer_correct", "supporting_citation", "citation_precision", "refused_unanswerable", "verbatim_quote_rate"):
        assert m[key] == 1.0, key
    assert m["false_refusal"] == 0.0 and m["answered_rate"] == 0.6


def test_unlabelled_set_reports_labelled_metrics_as_not_available():
    rows, _ = _rows_and_questions()
    bare = [{"id": f"x{i}", "question": "?"} for i in range(len(rows))]
    m = compute(rows, bare)
    for key in LABELLED_KEYS:
        assert m[key] is None, key
    assert m["questions"] == 5 and m["answered_rate"] == 0.6
    assert m["verbatim_quote_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["latency_ms_p50"] == 30


def test_empty_set():
    m = compute([], [])
    assert m["questions"] == 0
    assert all(m[k] is None for k in ("answered_rate", "answer_words_median", "latency_ms_p50", "verbatim_quote_rate"))
