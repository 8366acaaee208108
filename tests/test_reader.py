"""The reader (bot/reader.py): the shipped extractive QA model, read as citebot serves it, and
its part in answering."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace

import numpy as np
import pytest

from bot import reader as reader_mod
from bot.reader import MAX_ANSWER_TOKENS, Passage
from bot.support import stem, words
from bot.scoring import READER_ANSWER_FEATURES, READER_RANK_FEATURES, SupportModel
from conftest import CORPUS, EVALS, MACRON_Q, SHMELYEV_Q, SHMELYEV_SOURCE

INTERVIEW = (
    '"Svobodnaya Pressa" interviewed Boris Shmelyev, a doctor of history, professor, and chief researcher '
    "at the Post-Soviet Studies Center of the Institute of Economics of the Russian Academy of Sciences."
)


@pytest.fixture(scope="module")
def reader():
    r = reader_mod.load()
    assert r is not None, "bot/reader_model/model.onnx is missing"
    return r


def test_the_shipped_model_finds_the_answer_and_says_when_there_is_none(reader):
    found = reader.read(SHMELYEV_Q, [INTERVIEW])[0]
    score, start, end = found.best()
    assert found.gap() > 0 and "Svobodnaya Pressa" in INTERVIEW[start:end]
    # a near miss: the passage is on topic, the fact asked for is not in it
    missing = reader.read("Which university did Boris Shmelyev graduate from?", [INTERVIEW])[0]
    assert missing.gap() < 0 < found.gap()


def test_best_answer_within_bounds(reader):
    text = "Minsk is the capital of Belarus. Vilnius is the capital of Lithuania."
    p = reader.read("What is the capital of Lithuania?", [text])[0]
    score, start, end = p.best()
    assert text[start:end] == "Vilnius"
    first = text.index(".") + 1
    inside, s2, e2 = p.best(0, first)  # only the first sentence
    assert e2 <= first and inside < score
    assert p.best(len(text), len(text)) == (-math.inf, -1, -1)  # no token there


def _grid_best(p: Passage, lo: int = 0, hi: int | None = None) -> tuple[float, int, int]:
    """Passage.best by its definition: every (start, end) pair of the tokens inside text[lo:hi]
    scored, those that may not answer set to -inf, the first best in row-major order."""
    hi = len(p.text) if hi is None else hi
    idx = np.flatnonzero((p.offsets[:, 0] >= lo) & (p.offsets[:, 1] <= hi))
    if idx.size == 0:
        return float("-inf"), -1, -1
    grid = p.start_scores[idx][:, None] + p.end_scores[idx][None, :]
    a, b = np.indices(grid.shape)
    grid[(b < a) | (b - a >= MAX_ANSWER_TOKENS)] = -np.inf
    i, j = np.unravel_index(int(np.argmax(grid)), grid.shape)
    return float(grid[i, j]), int(p.offsets[idx[i], 0]), int(p.offsets[idx[j], 1])


def test_best_scores_only_the_band_of_possible_answers_and_finds_the_same_span():
    """The banded search gives what scoring every pair gives, ties included (scores drawn from
    a few values, so equal sums are common), on passages shorter and longer than
    MAX_ANSWER_TOKENS, within bounds and with tokens whose offsets skip about."""
    rng = np.random.default_rng(7)
    checked = 0
    for n in (1, 2, 5, MAX_ANSWER_TOKENS - 1, MAX_ANSWER_TOKENS, MAX_ANSWER_TOKENS + 1, 130, 250):
        for trial in range(40):
            ties = trial % 2 == 0
            draw = (lambda: rng.integers(-3, 3, n).astype(np.float32)) if ties else (lambda: rng.normal(0, 3, n).astype(np.float32))
            starts = np.sort(rng.integers(0, 6 * n, n))
            offsets = np.stack([starts, starts + rng.integers(1, 5, n)], axis=1).astype(np.int64)
            p = Passage("x" * int(offsets[:, 1].max() + 3), 0.0, draw(), draw(), offsets)
            lo, hi = sorted(rng.integers(0, len(p.text) + 1, 2))
            for bounds in ((), (int(lo),), (int(lo), int(hi))):
                assert p.best(*bounds) == _grid_best(p, *bounds), (n, trial, bounds)
                checked += 1
    assert checked == 8 * 40 * 3


def test_a_passage_reads_the_same_alone_or_with_others(reader):
    """Read one at a time: the int8 model's activation scales are a batch's, so a passage must
    not score differently because of the passages read beside it."""
    other = "The U.S. has lifted sanctions against Belarusian airline Belavia."
    alone = reader.read(SHMELYEV_Q, [INTERVIEW])[0]
    together = reader.read(SHMELYEV_Q, [other, INTERVIEW, other * 3])[1]
    assert together.null == alone.null and (together.start_scores == alone.start_scores).all()


def test_pairs_are_read_side_by_side_and_come_back_in_order(reader):
    """read_pairs runs the passages on several threads; each result is its own pair's."""
    questions = [SHMELYEV_Q, "Which university did Boris Shmelyev graduate from?"] * 3
    together = reader.read_pairs([(q, INTERVIEW) for q in questions])
    for q, p in zip(questions, together):
        alone = reader.read(q, [INTERVIEW])[0]
        assert p.null == alone.null and (p.end_scores == alone.end_scores).all()
    assert together[0].gap() > 0 > together[1].gap()


def test_shipped_support_model_has_a_reader_part_in_sync_with_the_features():
    model = SupportModel.load()
    assert model.reader is not None
    assert model.reader.reranker.features == READER_RANK_FEATURES
    assert model.reader.answerable.features == READER_ANSWER_FEATURES
    assert 0 < model.reader.threshold < 1 and model.reader.k >= 1
    view = model.with_reader()
    assert view.answerable is model.reader.answerable and view.threshold == model.reader.threshold
    assert model.without_reader().reader is None


def test_answers_say_what_the_reader_read(answerer):
    assert answerer.reader is not None
    answer = answerer.ask(SHMELYEV_Q)
    assert not answer.refused and "Svobodnaya Pressa" in answer.text
    assert answer.citations[0].source == SHMELYEV_SOURCE
    assert answer.support["reader"] > 0 and "Svobodnaya Pressa" in answer.support["reader_answer"]
    assert "read_ms" in answer.timings
    assert answerer.ask(MACRON_Q).refused


def test_a_yes_no_question_is_left_to_the_plain_model(answerer, plain_answerer):
    """An extractive reader has no span to find for a yes/no question: it is not read, and the
    plain model (with its own threshold) decides it — unless a rule refuses it first: that
    Maduro accepted the offer is a reaction no span reports, whatever the model gives it."""
    accepted = answerer.ask("Has Nicolás Maduro accepted Lukashenko's offer of a safe haven?")
    assert accepted.refused and accepted.support["p_answerable"] >= answerer.plain_model.threshold
    q = "Has Lukashenko offered Nicolás Maduro a safe haven?"
    answer = answerer.ask(q)
    assert answer.support["wh"] == "yes_no"
    assert "reader" not in answer.support and "read_ms" not in answer.timings
    plain = answerer.plain_model
    assert plain is not answerer.model and plain.reader is None
    assert answer.support["p_answerable"] == plain_answerer.ask(q).support["p_answerable"]
    assert answer.refused == (answer.support["p_answerable"] < plain.threshold)
    wh = answerer.ask(SHMELYEV_Q)  # a wh-question is read, and decided by the reader's model
    assert "reader" in wh.support and wh.support["p_answerable"] >= answerer.model.threshold


def test_the_reader_answer_is_judged_against_the_question(answerer):
    """reader_echo: the share of the reader's answer the question already says; reader_typed:
    whether it holds an entity of the asked type (+1 / -1; 0 for an untyped question)."""
    q, _hits, cands = answerer.retrieve(SHMELYEV_Q, {})
    top = cands[:4]
    answerer.read_candidates(q, top)
    best = max(top, key=lambda c: c.features["reader"])
    assert "Svobodnaya Pressa" in best.reader_answer and best.features["reader_echo"] == 0.0
    c = top[0]
    c.reader_answer = "Minsk"
    echo = answerer.retrieve("Where did Kellogg fly after leaving Minsk?", {})[0]
    assert answerer._judge_read(echo, c, {"kellogg", "fly", "leav", "minsk"})[0] == 1.0
    c.reader_answer = None  # nothing found: all echo, and of no type
    assert answerer._judge_read(q, c, set()) == (1.0, -1.0 if q.expected else 0.0)


def test_the_noun_asking_for_the_kind_of_answer_is_no_echo(answerer):
    """"Which ancient king …?" read "King Midas": a king was found, not the question's word.
    Read as only the question's words around that noun, it is all echo."""
    q = answerer.retrieve("Which ancient king did Zarikhin compare Trump's influence to?", {})[0]
    assert q.type_head == "king"
    asked = {stem(w) for w in words(q.text)}
    c = answerer.retrieve(SHMELYEV_Q, {})[2][0]
    c.reader_answer = "King Midas"
    assert answerer._judge_read(q, c, asked)[0] == 0.0
    c.reader_answer = "ancient king"
    assert answerer._judge_read(q, c, asked)[0] == 1.0
    q2 = answerer.retrieve("Which Eurasian integration organizations is Belarus a member of?", {})[0]
    c.reader_answer = "Eurasian integration organizations"
    assert answerer._judge_read(q2, c, {stem(w) for w in words(q2.text)})[0] == 1.0
    answer = answerer.ask("Which ancient king did Zarikhin compare Trump's influence to?")
    assert not answer.refused and "King Midas" in answer.text


def test_a_trimmed_answer_keeps_the_reader_answer_over_the_question_words(answerer):
    """The span is two sentences: the first repeats the question's names (Lukashenko, Trump,
    Putin, Shraibman), the second holds what the reader found ("flattery")."""
    answer = answerer.ask("What approach does Lukashenko use with senior partners such as Putin and Trump, according to Shraibman?")
    assert not answer.refused and "flattery" in answer.text
    assert len(answer.text.split()) <= answerer.settings.max_answer_words


def test_names_are_read_as_the_passage_spells_them(answerer):
    """The reader knows no transliteration: the question's name is respelled as the passage
    writes it before reading."""
    q = answerer.retrieve("what was tsikhanouskiy sentenced to", {})[0]
    passage = "Tikhanyovski was sentenced to 18 years in prison."
    assert answerer._spelled_as(q, passage) == "what was Tikhanyovski sentenced to"
    assert answerer._spelled_as(q, "Nothing about him here.") == q.text
    answer = answerer.ask("what was tsikhanouskiy sentenced to")
    assert not answer.refused and "18 years" in answer.support["reader_answer"]
    # a first name transliterated past recognition ("Siarhei" / "Sergey") is left out beside the
    # respelled surname; one the passage does write is kept
    full = answerer.retrieve("Who announced that Siarhei Tsikhanouski had been pardoned?", {})[0]
    said = "Natalia Eisenmont stated that Lukashenko pardoned opposition politician Sergey Tikhanyovski."
    assert answerer._spelled_as(full, said) == "Who announced that Tikhanyovski had been pardoned?"
    assert answerer._spelled_as(full, "Siarhei Tikhanyovski was pardoned.") == "Who announced that Siarhei Tikhanyovski had been pardoned?"
    q, cands = answerer.explain("Who announced that Siarhei Tsikhanouski had been pardoned?")
    assert cands[0].reader_answer == "Natalia Eisenmont" and cands[0].features["reader"] > 2


def test_reader_off_uses_the_plain_models(seed_settings, library):
    from bot import services

    plain = services.answerer(seed_settings.model_copy(update={"reader": False}), library)
    assert plain.reader is None and plain.model.reader is None
    assert plain.model.threshold == SupportModel.load().threshold
    answer = plain.ask(SHMELYEV_Q)
    assert "Svobodnaya Pressa" in answer.text and "reader" not in answer.support and "read_ms" not in answer.timings


def test_a_missing_reader_model_falls_back_to_the_plain_models(seed_settings, library, tmp_path):
    from bot import services

    assert reader_mod.load(tmp_path) is None
    plain = services.answerer(seed_settings.model_copy(update={"reader_dir": tmp_path}), library)
    assert plain.reader is None and plain.model.reader is None
    assert not plain.ask(SHMELYEV_Q).refused


def test_corpus_file_holds_the_interview_sentence():
    assert INTERVIEW in (CORPUS / SHMELYEV_SOURCE).read_text(encoding="utf-8")


def test_washington_is_read_as_the_passage_names_the_united_states(answerer):
    """"Washington" / "America" for the United States: the reader gets the passage's own name
    for it (the question as asked when the passage says "Washington" or names no country), and
    the question is embedded saying "the United States"."""
    asked = "What does Washington hope to restart in America's relations with Minsk?"
    assert answerer._us_as_in(asked, "The U.S. has lifted sanctions.") == (
        "What does the U.S. hope to restart in the U.S.'s relations with Minsk?"
    )
    assert answerer._us_as_in(asked, "Washington says so, and the United States agrees.") == (
        "What does Washington hope to restart in the United States's relations with Minsk?"
    )
    assert answerer._us_as_in(asked, "Minsk is the capital of Belarus.") == asked
    for other in ("Who met Lukashenko?", "What did the Washington Post report?", "Which Latin America trip?"):
        assert answerer._us_as_in(other, "The U.S. has lifted sanctions.") == other
    # refused before: embedded as asked, the embassy sentence ranked below others on "Washington"
    answer = answerer.ask("Which diplomatic facility in Minsk does Washington want working again?")
    assert not answer.refused and "embassy" in answer.text


def test_a_question_typed_without_its_question_mark_is_read_with_one(answerer):
    """The reader learnt from questions that end with "?": a chat-style one is read with it
    (case costs nothing: the reader's vocabulary is lower-case)."""
    assert answerer._as_asked("where did lukashenko hold his meeting with u.s. envoy kellogg ") == (
        "where did lukashenko hold his meeting with u.s. envoy kellogg?"
    )
    for asked in ("Where did they meet?", "Tell me where they met."):
        assert answerer._as_asked(asked) == asked
    # refused before (p(answerable) 0.46: the reader's answer "Minsk", 1.4 over "no answer")
    answer = answerer.ask("where did lukashenko hold his meeting with u.s. envoy kellogg")
    assert not answer.refused and "Independence Palace" in answer.text


def test_a_where_question_read_as_no_place_is_refused(answerer):
    """"Where …?" read as something that is no place of any kind (a common noun WordNet knows
    as none of Answerer.PLACE_KINDS, and no place entity) is refused: the articles date the
    meeting but never place it. A website, a summit, a palace still answer."""
    answer = answerer.ask("Where did Lukashenko and Coale meet on December 12?")
    assert answer.refused and answer.support.get("wrong_kind")  # read "praising Trump's latest efforts …"
    posted = answerer.ask("Where was footage of the meeting between the delegations published?")
    assert not posted.refused and "presidential website" in posted.text
    # "where does it come from" asks for no place: the check stays out of it
    q = answerer.retrieve("Where does Lukashenko's authority come from?", {})[0]
    assert answerer._NO_PLACE_ASKED_RE.search(q.text)


def test_the_reader_reads_the_best_spans_that_fit_in_one_round_of_passages(answerer):
    """Answerer.to_read: of the best k spans, the leading ones whose windows share at most
    READ_PASSAGES passages; a span that would open another passage (a second round of runs on
    two cores) ends the list, the rest stay unread and rank after the read ones."""
    k, context = answerer.model.reader.k, answerer.model.reader.context
    questions = [json.loads(line)["question"] for line in (EVALS / "questions.jsonl").read_text().splitlines()[:60]]
    capped = 0
    for question in questions:
        _q, _hits, cands = answerer.retrieve(question, {})
        read = answerer.to_read(cands, k, context)
        assert read == cands[: len(read)] and 1 <= len(read) <= k
        assert len(answerer._regions(read, context)[0]) <= answerer.READ_PASSAGES
        if len(read) < min(k, len(cands)):
            capped += 1
            assert len(answerer._regions(cands[: len(read) + 1], context)[0]) > answerer.READ_PASSAGES
    assert capped  # some question's best four spans would need a third passage


def test_a_clear_refusal_of_the_plain_model_is_not_read(answerer):
    """Answerer.worth_reading: when the plain model gives the best span less than READ_FLOOR,
    the reader is not run (it overturns no such refusal) and the plain model refuses."""
    clear = "How long had Maryna Zolatava been in prison?"  # the articles name her, not her sentence
    q, _hits, cands = answerer.retrieve(clear, {})
    p = answerer.plain_model.answerable.probability(answerer.answer_features(q, cands))
    assert p < answerer.READ_FLOOR and answerer.reads(q) and not answerer.worth_reading(q, cands)
    answer = answerer.ask(clear)
    assert answer.refused and answer.reason == "unsupported"
    assert "read_ms" not in answer.timings and "reader" not in answer.support
    assert answer.support["p_answerable"] < answerer.READ_FLOOR
    # a question the plain model is unsure of is read
    q, _hits, cands = answerer.retrieve(SHMELYEV_Q, {})
    assert answerer.worth_reading(q, cands)
    # calibration passes the plain model it fits: one that refuses nothing reads every question
    plain = answerer.plain_model
    eager = replace(plain, answerable=replace(plain.answerable, weights=[0.0] * len(plain.answerable.weights), bias=5.0))
    q, _hits, cands = answerer.retrieve(clear, {})
    assert answerer.worth_reading(q, cands, plain=eager)


LIST = ("On December 13 after a US-brokered deal, Lukashenko released 123 political prisoners, including some of the most "
        "famous: presidential candidate Viktor Babariko, protest leader Maria Kolesnikova, Nobel laureate Ales Bialiatski, "
        "and Tut.by editor Maryna Zolatava. In return, the US lifted sanctions on Belarus’s potash industry.")


def test_a_list_of_people_is_read_with_the_one_the_question_names(answerer, reader):
    """Read against the whole list of four, "Which outlet did Maryna Zolatava edit?" found little
    or no answer; read against the list cut to her item it finds Tut.by, placed where it is in the
    whole passage."""
    question = "Which outlet did Maryna Zolatava edit?"
    q = answerer.retrieve(question, {})[0]
    cut, kept = answerer._one_of_list(q, LIST)
    assert cut == ("On December 13 after a US-brokered deal, Lukashenko released 123 political prisoners, including some of "
                   "the most famous: Tut.by editor Maryna Zolatava. In return, the US lifted sanctions on Belarus’s potash industry.")
    whole, alone = reader.read_pairs([(question, LIST), (question, cut)])
    placed = alone.placed(LIST, kept)
    _score, start, end = placed.best()
    assert LIST[start:end] == "Tut"  # "Tut.by" is three tokens; the trimmed answer takes whole words
    assert placed.gap() == alone.gap() and placed.gap() > whole.gap() + 2
    # every token of the cut reading points at the same characters in the whole passage
    assert [LIST[a:b] for a, b in placed.offsets] == [cut[a:b] for a, b in alone.offsets]
    # the answer itself, through the Answerer
    read = answerer.ask(question).support
    assert read["reader_answer"] == "Tut.by" and read["reader"] > 3


@pytest.mark.parametrize("question, text", [
    ("Which outlet did Maryna Zolatava edit?", "Lukashenko released Viktor Babariko and Maryna Zolatava, the Tut.by editor."),  # no list after a colon
    ("Which outlet did Maryna Zolatava edit?", "Among those freed: Viktor Babariko and Tut.by editor Maryna Zolatava."),  # two items
    ("Who was freed with Babariko and Kolesnikova?", LIST),  # the question names two of them
    ("Who is Vladimir Putin?", LIST),  # it names none
    ("When was Maryna Zolatava freed?", "She was freed at last: in the summer, in the autumn, and Maryna Zolatava in winter."),  # an item without a capital
])
def test_a_list_is_not_cut_unless_the_question_names_one_of_three_or_more_people(answerer, question, text):
    q = answerer.retrieve(question, {})[0]
    assert answerer._one_of_list(q, text) is None


def test_a_list_is_not_cut_to_an_item_the_question_only_describes(answerer):
    # "which Nobel laureate …" names no one in the list: cut to "Nobel laureate Ales Bialiatski",
    # the near miss "… freed together with Tikhanovsky in the summer?" was answered with him
    q = answerer.retrieve("Per bne IntelliNews, which Nobel laureate was freed together with Tikhanovsky in the summer?", {})[0]
    assert answerer._one_of_list(q, LIST) is None
    assert answerer.ask(q.text).refused


def test_where_in_a_place_reads_beside_it_at_the_passages_own_offsets(answerer):
    """"Where in Minsk …?" read "Minsk": the answer beside it. The place is found in the passage
    as written: three ellipses before it ("…" folds to "...") must not move where it is cut."""
    text = "Wait… what… really… They met at the Independence Palace in Minsk."
    spans = [m.span() for m in re.finditer(r"\w+|[^\w\s]", text)]
    tokens = [text[a:b] for a, b in spans]
    score = {"Minsk": 10.0, "Independence": 5.0, "Palace": 5.0}
    start = np.array([score.get(t, -5.0) if t != "Palace" else -5.0 for t in tokens])
    end = np.array([score.get(t, -5.0) if t != "Independence" else -5.0 for t in tokens])
    passage = Passage(text, 0.0, start, end, np.array(spans))
    q = answerer.retrieve("Where in Minsk did Lukashenko receive Kellogg?", {})[0]
    _score, a, b = answerer._best_read(q, passage, 0, len(text))
    assert text[a:b] == "Independence Palace"
    # a question that does not ask inside a place keeps the reader's best answer
    other = answerer.retrieve("Where did Lukashenko receive Kellogg?", {})[0]
    _score, a, b = answerer._best_read(other, passage, 0, len(text))
    assert text[a:b] == "Minsk"
