"""The calibrated support model: file format, shipped model in sync with the code, and fitting."""

from __future__ import annotations

import json
import math

import pytest

from bot.evaluate import calibrate as cal
from bot.evaluate.run import load_questions
from bot.scoring import ANSWER_FEATURES, CANDIDATE_FEATURES, DEFAULT_PATH, LinearModel, SupportModel
from conftest import EVALS, MACRON_Q, SHMELYEV_Q


def test_linear_model_standardises_then_applies_weights(tmp_path):
    m = LinearModel(["a", "b"], [2.0, -1.0], 0.5, [1.0, 0.0], [2.0, 1.0])
    # z = 0.5 + 2 * (3 - 1) / 2 - 1 * (4 - 0) / 1 = -1.5
    assert m.decision({"a": 3.0, "b": 4.0}) == pytest.approx(-1.5)
    assert m.probability({"a": 3.0, "b": 4.0}) == pytest.approx(1 / (1 + math.exp(1.5)))
    assert m.decision({}) == pytest.approx(0.5 + 2 * (-0.5))  # missing features count as 0
    model = SupportModel(m, m, 0.42, "unit")
    model.save(tmp_path / "m.json")
    again = SupportModel.load(tmp_path / "m.json")
    assert again.threshold == 0.42 and again.ranker.to_dict() == m.to_dict() and again.trained_on == "unit"


def test_shipped_model_matches_the_feature_lists():
    """Changing the features without running `citebot calibrate` again must fail here."""
    model = SupportModel.load(DEFAULT_PATH)
    assert model.ranker.features == CANDIDATE_FEATURES
    assert model.answerable.features == ANSWER_FEATURES
    assert 0.0 < model.threshold < 1.0
    assert "train.jsonl" in model.trained_on
    data = json.loads(DEFAULT_PATH.read_text())
    assert all(len(data[k]["weights"]) == len(data[k]["features"]) == len(data[k]["mean"]) for k in ("ranker", "answerable"))


def test_answers_carry_the_answerability_probability(answerer):
    assert answerer.model is not None
    answer = answerer.ask(SHMELYEV_Q)
    assert 0.0 <= answer.support["p_answerable"] <= 1.0
    assert answer.support["p_answerable"] >= answerer.model.threshold
    refused = answerer.ask(MACRON_Q)
    assert refused.refused


def test_fit_on_a_small_labelled_set(answerer):
    dev = [r for r in load_questions(EVALS / "questions.jsonl") if r.get("split") == "dev"]
    rows = [r for r in dev if r["answerable"]][:20] + [r for r in dev if not r["answerable"]][:10]
    assert any(not r["answerable"] for r in rows) and any(r["answerable"] for r in rows)
    samples = cal.collect(answerer, rows)
    assert len(samples) == 30
    assert sum(any(s.positive) for s in samples if s.answerable) >= 15  # gold spans are found among candidates
    model, train = cal.fit(answerer, samples, name="unit")
    assert model.ranker.features == CANDIDATE_FEATURES and 0.05 <= model.threshold <= 0.95
    assert train["ranked_right"] >= 0.6
    # the fitted ranker must prefer gold spans: top-1 better than a random pick among candidates
    chance = sum(sum(s.positive) / len(s.positive) for s in samples if s.answerable and s.positive) / sum(1 for s in samples if s.answerable)
    assert train["ranked_right"] > chance


def test_calibration_ranks_candidates_with_the_answerers_rule_penalties(plain_answerer):
    answerer = plain_answerer  # the first-stage order, as calibrate.collect sees it
    """The ranker is fitted on the order the Answerer will use: its score less the penalties
    (another speaker's words, a number of the question missing), not its score alone."""
    q, cands = answerer.explain("Why can't Lukashenko forget 2020?")
    assert any(c.penalty > 0 for c in cands) and any(c.penalty == 0 for c in cands)
    sample = cal.Sample("x", True, q, list(cands), [False] * len(cands), [True] * len(cands))
    cal._rerank([sample], answerer.model.ranker)
    assert [round(c.rank_score, 9) for c in sample.cands] == sorted((round(answerer.model.ranker.decision(c.features) - c.penalty, 9) for c in cands), reverse=True)
    assert [c.focus for c in sample.cands][:3] == [c.focus for c in cands][:3]  # the Answerer's own order


def test_threshold_choice_takes_the_refusing_end_of_a_flat_top():
    """The best balanced score wins; scores within TIE of it count as equal, and of those the
    highest threshold (the refusing side) is taken."""

    def outcome(correct_until: float, bump_from: float, bump: float):
        def at(t: float) -> dict:
            return {"correct": 0.9 if t <= correct_until + 1e-9 else 0.8, "refused_unanswerable": 0.7 + (bump if t >= bump_from - 1e-9 else 0.0)}

        return at

    # 0.30–0.40 score 0.825, below 0.30 0.800, above 0.40 0.775: the peak's top end
    assert cal.choose_threshold(outcome(0.40, 0.30, 0.05))[0] == 0.40
    # 0.30–0.60 score 0.802 against 0.800 below: a tie, taken at its refusing end, 0.60
    t, m = cal.choose_threshold(outcome(0.60, 0.30, 0.004))
    assert t == 0.60 and m["correct"] == 0.9  # not 0.61, where answers are lost (0.752)


def test_calibration_decides_with_the_answerers_refusal_rules(answerer):
    """The threshold is chosen for the questions the model decides: a span the Answerer's
    rules refuse (here a read answer of the wrong kind, "Lithuania" for a city) is counted
    refused at any threshold, as the Answerer refuses it."""
    row = {"id": "x", "question": "In which Ukrainian city did the deported prisoners arrive?", "answerable": False}
    q, _hits, cands = answerer.candidates(row["question"], {})
    sample = cal.Sample("x", False, q, list(cands), [False] * len(cands), [True] * len(cands))
    cal._mark_rules(answerer, [sample], reader=True)
    assert sample.ruled and answerer.rule_check(q, cands[0])[1] == "wrong_kind"
    assert cal.decide(answerer, [sample], answerer.model, 0.0)["refused_unanswerable"] == 1.0
    sample.ruled = False  # without the rule, a threshold of 0 answers it
    assert cal.decide(answerer, [sample], answerer.model, 0.0)["refused_unanswerable"] == 0.0
