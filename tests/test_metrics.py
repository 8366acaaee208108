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
    # every Unicode dash and the minus sign, angle quotes, full-width forms
    for dash in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\uff0d":
        assert answer_correct(f"Maduro{dash}another", [["Maduro-another"]]), hex(ord(dash))
    assert answer_correct("«Svobodnaya Pressa» and ‹Belta›", [['"Svobodnaya Pressa" and \'Belta\'']])
    assert answer_correct("Ｍｉｎｓｋ", [["Minsk"]])


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
    # words of any script are words, not cut at their first accented letter
    assert metrics.content_words("port of Klaipėda, Über Straße") == ["port", "klaipėda", "über", "strasse"]  # case folded
    assert metrics.content_words("Лукашенко освободил 123 заключённых") == ["лукашенко", "освободил", "123", "заключённых"]


def test_a_quote_in_another_script_can_be_supported():
    evidence = [{"doc": "004", "quote": "Лукашенко освободил 123 заключённых"}]
    assert citation_supports(cite("004_a.txt", "В субботу Лукашенко освободил 123 заключённых."), evidence)
    assert not citation_supports(cite("004_a.txt", "В субботу никого не освободили."), evidence)


def test_a_numeric_doc_is_the_file_names_number():
    assert citation_supports(cite("000_a.txt", "Lukashenko released 123 political prisoners"), [{"doc": 0, "quote": EVIDENCE[0]["quote"]}])
    assert citation_supports(cite("004_a.txt", "Lukashenko released 123 political prisoners"), [{"doc": 4, "quote": EVIDENCE[0]["quote"]}])
    assert not citation_supports(cite("004_a.txt", "Lukashenko released 123 political prisoners"), [{"doc": 40, "quote": EVIDENCE[0]["quote"]}])


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


def test_an_evidence_doc_given_as_the_whole_file_name_is_that_article():
    """"doc": "002_b4c17ae533b9d5da.txt" scored a citation from that very article 0."""
    from bot.evaluate.metrics import evidence_doc, retrieval_rank

    quote = "Lukashenko released 123 political prisoners"
    for doc in ("004_a24a6e3f3a2234d6.txt", "004_a24a6e3f3a2234d6", " 004_a24a6e3f3a2234d6.txt "):
        evidence = [{"doc": doc, "quote": quote}]
        assert evidence_doc(evidence[0]) == "004"
        assert citation_supports(cite("004_a24a6e3f3a2234d6.txt", quote), evidence), doc
        assert not citation_supports(cite("003_a249e923c2b6cff2.txt", quote), evidence), doc
    text = "Intro. " + quote + "."
    chunks = [{"source": "004_a24a6e3f3a2234d6.txt", "start": 0, "end": len(text)}]
    assert retrieval_rank(chunks, [{"doc": "004_a24a6e3f3a2234d6.txt", "quote": quote}], {chunks[0]["source"]: text}) == 1
    assert evidence_doc({"doc": "004"}) == "004" and evidence_doc({"doc": 4}) == "004"
    # a corpus whose names are not NNN_…: the whole name still names the article
    for name in ("1000_x.txt", "article-12.txt"):
        assert citation_supports(cite(name, quote), [{"doc": name, "quote": quote}])
        assert citation_supports(cite(name, quote), [{"doc": name.rsplit(".", 1)[0], "quote": quote}])
        assert not citation_supports(cite("other.txt", quote), [{"doc": name, "quote": quote}])


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


def test_citations_of_an_answerable_question_without_labels_are_not_judged():
    """answerable: true with neither `expected` nor `evidence` gives nothing to judge its
    citations by: citation precision leaves them out (not available when no row has labels),
    instead of counting them as imprecise. Unanswerable questions' citations still count."""
    row = {"answer": "x", "refused": False, "citations": [cite("004_a.txt", "Lukashenko released 123 political prisoners")],
           "latency_ms": 1.0, "verbatim": [True]}
    bare = {"id": "a", "question": "q", "answerable": True}
    assert compute([row], [bare])["citation_precision"] is None
    rows, questions = _rows_and_questions()
    assert compute(rows + [row], questions + [bare])["citation_precision"] == compute(rows, questions)["citation_precision"]
    unanswerable = {"id": "u", "question": "q", "answerable": False}
    assert compute([row], [unanswerable])["citation_precision"] == 0.0


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


# --- outcomes, retrieval, intervals, breakdowns ------------------------------------------------
def test_outcome_of_each_kind():
    rows, questions = _rows_and_questions()
    assert [metrics.outcome(r, q) for r, q in zip(rows, questions)] == [
        "correct", "wrong", "false_refusal", "refused_ok", "answered_unanswerable"]
    assert metrics.outcome(rows[0], {"id": "x", "question": "?"}) == "answered"
    assert metrics.outcome(rows[2], {}) == "refused"
    assert metrics.outcome(rows[0], {"answerable": True, "expected": []}) == "answered"


TEXTS = {"004_a.txt": "Intro sentence. Lukashenko released 123 political prisoners on Saturday. The end.",
         "003_b.txt": "Lukashenko released 123 political prisoners"}


def test_retrieval_rank_needs_the_evidence_article_and_most_of_the_quote():
    quote_at = TEXTS["004_a.txt"].index("Lukashenko")
    end = quote_at + len(EVIDENCE[0]["quote"])
    wrong_doc = {"source": "003_b.txt", "start": 0, "end": 44}  # same words, other article
    partial = {"source": "004_a.txt", "start": 0, "end": quote_at + 10}  # 10 of 43 characters
    holds = {"source": "004_a.txt", "start": quote_at - 5, "end": end + 3}
    most = {"source": "004_a.txt", "start": quote_at + 10, "end": end + 20}  # 33 of 43 ≥ 60 %
    assert metrics.retrieval_rank([wrong_doc, partial, holds], EVIDENCE, TEXTS) == 3
    assert metrics.retrieval_rank([most], EVIDENCE, TEXTS) == 1
    assert metrics.retrieval_rank([wrong_doc, partial], EVIDENCE, TEXTS) is None
    assert metrics.retrieval_rank([holds], [], TEXTS) is None
    assert metrics.retrieval_rank([holds], [{"doc": "004", "quote": "not in the article"}], TEXTS) is None


def test_retrieval_finds_an_evidence_quote_copied_across_a_line_break():
    """The cleaned text may hold a paragraph break where the corpus file had a line break: the
    quote is found with its whitespace differing, not counted as missing."""
    texts = {"004_a.txt": "Intro.\n\nLukashenko released 123\n\npolitical prisoners on Saturday."}
    quote = [{"doc": "004", "quote": "Lukashenko released 123\npolitical prisoners"}]
    assert metrics.find_quote(texts["004_a.txt"], quote[0]["quote"]) == (8, 52)
    assert metrics.retrieval_rank([{"source": "004_a.txt", "start": 0, "end": 60}], quote, texts) == 1
    assert metrics.find_quote(texts["004_a.txt"], "released 124 political") is None


def test_hit_at_k_mrr_and_latency_max():
    rows, questions = _rows_and_questions()
    for row, rank in zip(rows, [1, 7, None, None, None]):
        row["retrieval_rank"] = rank
    m = compute(rows, questions)  # ranked: the three answerable questions (ranks 1, 7, none)
    assert m["hit_at_1"] == pytest.approx(1 / 3, abs=1e-4)
    assert m["hit_at_5"] == pytest.approx(1 / 3, abs=1e-4)
    assert m["hit_at_10"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["mrr"] == pytest.approx((1 + 1 / 7) / 3, abs=1e-4)
    assert m["latency_ms_max"] == 50
    assert compute(*_rows_and_questions())["hit_at_5"] is None  # a run without retrieval ranks


def test_confidence_intervals_bracket_the_rate_and_are_reproducible():
    rows, questions = _rows_and_questions()
    rows, questions = rows * 8, questions * 8
    m, ci = compute(rows, questions), metrics.confidence_intervals(rows, questions)
    assert ci == metrics.confidence_intervals(rows, questions)  # fixed seed
    for key in ("answer_correct", "refused_unanswerable", "false_refusal", "citation_precision", "answered_rate"):
        low, high = ci[key]
        assert 0 <= low < m[key] < high <= 1, key
    assert ci["verbatim_quote_rate"][1] <= 1
    assert ci["hit_at_1"] is None  # not measured, no interval
    perfect = [{"answer": "123", "refused": False, "citations": [], "latency_ms": 1}] * 5
    assert metrics.confidence_intervals(perfect, [{"answerable": True, "expected": [["123"]]}] * 5)["answer_correct"] == [1.0, 1.0]
    more = metrics.confidence_intervals(rows * 4, questions * 4)
    assert more["answer_correct"][1] - more["answer_correct"][0] < ci["answer_correct"][1] - ci["answer_correct"][0]


def test_breakdowns_by_split_type_and_article():
    rows, questions = _rows_and_questions()
    for q, split, kind in zip(questions, ["dev", "dev", "test", "test", "dev"], ["how_many", "what", "which", "near", "near"]):
        q["split"], q["type"] = split, kind
    by_split = metrics.breakdown(rows, questions, metrics.by_split)
    assert list(by_split) == ["dev", "test"]
    assert by_split["dev"]["questions"] == 3 and by_split["dev"]["answer_correct"] == 0.5
    assert by_split["test"]["refused_unanswerable"] == 1.0 and by_split["test"]["false_refusal"] == 1.0
    by_type = metrics.breakdown(rows, questions, metrics.by_type)
    assert by_type["near"]["questions"] == 2 and by_type["near"]["refused_unanswerable"] == 0.5
    by_article = metrics.breakdown(rows, questions, metrics.by_article)
    assert set(by_article) == {"000", "004"}  # unanswerable questions have no evidence article
    assert by_article["004"]["questions"] == 2 and by_article["004"]["answer_correct"] == 0.5
    assert metrics.breakdown(rows, [{}] * 5, metrics.by_split) == {}


# --- threshold sweep -----------------------------------------------------------------------------
def _scored_rows():
    """Operating threshold 0.5: answered when p ≥ 0.5; `if_answered` for threshold refusals."""
    rows, questions = _rows_and_questions()
    rows[0]["p_answerable"] = 0.9  # answered, correct
    rows[1]["p_answerable"] = 0.6  # answered, wrong
    rows[2]["p_answerable"] = 0.3  # refused by the threshold; would have been correct
    rows[2]["if_answered"] = {"answer": "the pro-Trump outlet Newsmax", "citations": [cite("004_x.txt", "pro-Trump outlet Newsmax")]}
    rows[3]["p_answerable"] = 0.2  # refused by a hard rule: no if_answered
    rows[4]["p_answerable"] = 0.55  # answered an unanswerable question
    return rows, questions


def test_at_threshold_moves_only_threshold_decisions():
    rows, _ = _scored_rows()
    assert metrics.at_threshold(rows[2], 0.5)["refused"]
    lowered = metrics.at_threshold(rows[2], 0.25)
    assert not lowered["refused"] and lowered["answer"] == "the pro-Trump outlet Newsmax" and lowered["citations"]
    assert metrics.at_threshold(rows[3], 0.0)["refused"]  # hard rule: refused at every threshold
    raised = metrics.at_threshold(rows[0], 0.95)
    assert raised["refused"] and raised["citations"] == []
    assert metrics.at_threshold(rows[0], 0.9) is rows[0]
    no_score = {"answer": "x", "refused": False, "citations": [], "latency_ms": 1}
    assert metrics.at_threshold(no_score, 0.99) is no_score


def test_sweep_recomputes_rates_per_threshold():
    rows, questions = _scored_rows()
    points = {p["threshold"]: p for p in metrics.sweep(rows, questions)}
    assert len(points) == 101
    at = points[0.5]  # the operating point reproduces compute()
    m = compute(rows, questions)
    for key in metrics.SWEEP_KEYS:
        assert at[key] == m[key], key
    assert points[0.3]["answer_correct"] == pytest.approx(2 / 3, abs=1e-4) and points[0.3]["false_refusal"] == 0
    assert points[0.56]["refused_unanswerable"] == 1.0 and points[0.56]["answer_correct"] == pytest.approx(1 / 3, abs=1e-4)
    assert points[0.95]["answered_rate"] == 0 and points[0.95]["refused_unanswerable"] == 1.0
    assert points[0.3]["balanced"] == pytest.approx((2 / 3 + 0.5) / 2, abs=1e-4)
    assert metrics.sweep(*_rows_and_questions()) == []  # no scores, no sweep


def test_best_points_are_plateaus_ranked_by_balanced_score():
    rows, questions = _scored_rows()
    best = metrics.best_points(metrics.sweep(rows, questions))
    top = best[0]  # 0.56–0.60: correct 1/3, refused unanswerable 1.0 -> 0.667; 0.21–0.30 ties at 2/3·½+½·½ = 0.583
    assert (top["low"], top["high"]) == (0.56, 0.6) and top["balanced"] == pytest.approx(2 / 3, abs=1e-3)
    assert [p["balanced"] for p in best] == sorted((p["balanced"] for p in best), reverse=True)
    lows = [p["low"] for p in metrics.plateaus(metrics.sweep(rows, questions))]
    assert lows == sorted(lows) and lows[0] == 0.0


def test_deltas_and_formatting():
    assert metrics.deltas({"a": 0.5, "b": None}, {"a": 0.75, "b": 1}, ["a", "b"]) == [("a", 0.5, 0.75, 0.25), ("b", None, 1, None)]
    assert metrics.fmt("answer_correct", 0.69901) == "0.699"
    assert metrics.fmt("hit_at_1", -0.00001) == "0.000"
    assert metrics.fmt("latency_ms_p50", 64.53) == "64.5"
    assert metrics.fmt("answer_words_median", 33) == "33"
    assert metrics.fmt("false_refusal", None) == "n/a"


def test_a_reference_is_resolved_inside_hyphenated_and_punctuated_words():
    from bot.evaluate.dialogue import resolved

    assert resolved("the Polish-Belarusian border", "When did Poland close the Polish-Belarusian border?")
    assert resolved("Boris Shmelyev", "What is Shmelyev's job?")
    assert not resolved("Boris Shmelyev", "What is Kellogg's job?")
    assert resolved("the border", "When did it close?") is None  # nothing checkable


def test_case_and_every_dash_are_folded():
    assert metrics.answer_correct("Die Hauptstraße", [["HAUPTSTRASSE"]])
    assert metrics.answer_correct("Belarus\U00010eadUS relations", [["Belarus-US"]])  # a dash of any script


def test_evidence_given_by_article_or_by_quote_alone():
    by_doc, by_quote = [{"doc": "000"}], [{"quote": "Lukashenko released 123 political prisoners"}]
    assert citation_supports(cite("000_a.txt", "Anything from article 000."), by_doc)
    assert not citation_supports(cite("001_a.txt", "Anything from article 001."), by_doc)
    assert citation_supports(cite("003_a.txt", "On Saturday Lukashenko released 123 political prisoners."), by_quote)
    assert not citation_supports(cite("003_a.txt", "Nothing of the kind."), by_quote)


def test_a_repeated_evidence_word_counts_once():
    # {kellogg, minsk, talks}: the citation holds one of three (counted with repeats, 3 of 5 = 0.6)
    evidence = [{"doc": "000", "quote": "Kellogg, Kellogg, Kellogg: Minsk talks"}]
    assert not citation_supports(cite("000_a.txt", "Kellogg visited."), evidence)
    assert citation_supports(cite("000_a.txt", "Kellogg held talks in Minsk."), evidence)
