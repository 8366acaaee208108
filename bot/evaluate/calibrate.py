"""`citebot calibrate`: fit the support model (bot/scoring.py) on a training question set.

Labels come from the set itself: a candidate span is a positive when it holds the
expected answer or supports the gold evidence (the EVAL_FORMAT rule); a question
is answerable-and-right when its best-ranked span is a positive. Both models are
L2-regularised logistic regressions on standardised features. The answerability
threshold maximises the mean of "answerable answered correctly" and
"unanswerable refused" on the training set, with the Answerer's hard rules and its refusal
rules (Answerer.rule_check: a reaction not reported, a read answer of the wrong kind) applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bot.evaluate.metrics import answer_correct, citation_supports
from bot.scoring import (
    ANSWER_FEATURES,
    CANDIDATE_FEATURES,
    READER_ANSWER_FEATURES,
    READER_FEATURES,
    READER_RANK_FEATURES,
    LinearModel,
    ReaderPart,
    SupportModel,
)

# fewer labelled questions of either kind than this and there is nothing to fit (one class, or a
# threshold chosen on a handful): `citebot calibrate` says so instead
MIN_PER_CLASS = 5
READER_K = 4  # spans per question the reader reads (its cost grows with them: ≈ 3 ms a passage)


@dataclass
class Sample:
    id: str
    answerable: bool
    question: object
    cands: list  # _Candidate, best first under the current model
    positive: list[bool] = field(default_factory=list)
    hard_ok: list[bool] = field(default_factory=list)
    ruled: bool = False  # the first span is refused by one of the Answerer's rules (rule_check)
    n_read: int = 0  # how many of the first candidates the reader read (Answerer.to_read)


def collect(answerer, rows: list[dict], progress=None) -> list[Sample]:
    out = []
    for n, row in enumerate(rows, 1):
        if "question" not in row or "answerable" not in row:
            continue
        q, cands = answerer.explain(row["question"])
        s = Sample(str(row["id"]), bool(row["answerable"]), q, cands)
        for c in cands:
            source, text = answerer.span_text(c.focus)
            pos = bool(row["answerable"]) and (
                answer_correct(text, row.get("expected") or [])
                or citation_supports({"source": source, "quote": text}, row.get("evidence") or [])
            )
            s.positive.append(pos)
            s.hard_ok.append(bool(c.support.names_ok and c.support.numbers_ok and c.support.type_ok_required))
        out.append(s)
        if progress:
            progress(n, len(rows))
    return out


def _fit(X: np.ndarray, y: np.ndarray, names: list[str], c: float) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-6] = 1.0
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    clf.fit((X - mean) / scale, y)
    return LinearModel(names, [float(w) for w in clf.coef_[0]], float(clf.intercept_[0]), mean.tolist(), scale.tolist())


def _rerank(samples: list[Sample], ranker: LinearModel, read: bool = False) -> None:
    """Order each question's candidates (the ones the reader read with `read`; all without)
    as the Answerer would with this ranker: its score less the rule penalties (another
    speaker's words, a missing number)."""
    for s in samples:
        n = s.n_read if read else len(s.cands)
        for c in s.cands[:n]:
            c.rank_score = ranker.decision(c.features) - c.penalty
        order = sorted(range(n), key=lambda i: -s.cands[i].rank_score) + list(range(n, len(s.cands)))
        s.cands = [s.cands[i] for i in order]
        s.positive = [s.positive[i] for i in order]
        s.hard_ok = [s.hard_ok[i] for i in order]


def _mark_rules(answerer, samples: list[Sample], reader: bool) -> None:
    """Which questions' first span the Answerer's rules refuse whatever the model says
    (Answerer.rule_check; `reader`: with the reader's answers, as the reader's view decides)."""
    for s in samples:
        s.ruled = bool(s.cands) and answerer.rule_check(s.question, s.cands[0], reader=reader and "reader" in s.cands[0].features)[1] is not None


def _rank_rows(samples: list[Sample], features: list[str], read: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A ranker's training rows: each candidate (each the reader read, with `read`) of the
    answerable questions that have a gold span among them, labelled gold or not."""
    X, y = [], []
    for s in samples:
        k = s.n_read if read else None
        if s.answerable and any(s.positive[:k]):
            for cand, pos in zip(s.cands[:k], s.positive[:k]):
                X.append([cand.features.get(f, 0.0) for f in features])
                y.append(int(pos))
    return np.asarray(X, float), np.asarray(y)


def _answer_rows(answerer, samples: list[Sample], features: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """An answerability model's training rows: each question's features with its ranked
    candidates, labelled "answerable and the first span is gold"."""
    X, y = [], []
    for s in samples:
        if not s.cands:
            continue
        feats = answerer.answer_features(s.question, s.cands)
        X.append([feats.get(f, 0.0) for f in features])
        y.append(int(s.answerable and s.positive[0]))
    return np.asarray(X, float), np.asarray(y)


def fit(answerer, samples: list[Sample], c_rank: float = 0.3, c_answer: float = 0.1, name: str = "") -> tuple[SupportModel, dict]:
    ranker = _fit(*_rank_rows(samples, CANDIDATE_FEATURES), CANDIDATE_FEATURES, c_rank)
    _rerank(samples, ranker)
    _mark_rules(answerer, samples, reader=False)
    answerable = _fit(*_answer_rows(answerer, samples, ANSWER_FEATURES), ANSWER_FEATURES, c_answer)

    model = SupportModel(ranker, answerable, 0.5, name)
    model.threshold, metrics = choose_threshold(lambda t: decide(answerer, samples, model, t))
    return model, metrics


# Balanced scores this close to the best count as the best: on ≈ 550 training questions one
# question moves a rate by 0.2–0.5 points, and the balanced score is flat over a wide range
TIE = 0.005


def choose_threshold(outcome) -> tuple[float, dict]:
    """The refusal threshold from the training-set outcome at each threshold (`outcome(t)` →
    decide's metrics): the best balanced score (mean of answer correct and refused
    unanswerable) — and among thresholds within TIE of it, the highest. The score is flat near
    its top, where the first maximum is one question's chance; of points that score the same a
    refusal is the safer side to err on (a wrong answer misleads, a refusal does not)."""
    sweep = [(round(float(t), 2), outcome(float(t))) for t in np.arange(0.05, 0.96, 0.01)]
    score = [0.5 * (m["correct"] + m["refused_unanswerable"]) for _t, m in sweep]
    top = max(score)
    i = max(j for j, v in enumerate(score) if v >= top - TIE)
    return sweep[i]


def fit_reader(answerer, samples: list[Sample], model: SupportModel, k: int = READER_K, context: int = 1,
               c_rank: float = 0.3, c_answer: float = 0.1) -> tuple[SupportModel, dict]:
    """The reader's part of the model (bot/scoring.ReaderPart), fitted after `fit` has ranked
    the samples with its ranker: the reader (answerer.reader) reads each question's best `k`
    spans; a re-ranker of those and an answerability model with the reader's features are
    fitted like the plain ones, and the threshold chosen the same way. The reader never learnt
    from these questions (bot/reader.py), so its scores need no cross-fitting."""
    for s in samples:
        for c in s.cands:
            for f in READER_FEATURES:
                c.features.pop(f, None)
            c.reader_answer = None
        s.n_read = 0
        # as the Answerer does: a yes/no question, or one the plain model clearly refuses, is
        # left to the plain model
        if answerer.worth_reading(s.question, s.cands, plain=model):
            chosen = answerer.to_read(s.cands, k, context)  # as the Answerer chooses them
            answerer.read_candidates(s.question, chosen, context)
            s.n_read = len(chosen)
    read = [s for s in samples if s.cands and "reader" in s.cands[0].features]
    reranker = _fit(*_rank_rows(read, READER_RANK_FEATURES, read=True), READER_RANK_FEATURES, c_rank)
    _rerank(read, reranker, read=True)
    _mark_rules(answerer, samples, reader=True)
    answerable = _fit(*_answer_rows(answerer, read, READER_ANSWER_FEATURES), READER_ANSWER_FEATURES, c_answer)
    part = ReaderPart(reranker, answerable, 0.5, k, context)
    view = SupportModel(model.ranker, answerable, 0.5, model.trained_on, part)
    part.threshold, metrics = choose_threshold(lambda t: decide(answerer, samples, view, t, plain=model))
    model.reader = part
    return model, metrics


def decide(answerer, samples: list[Sample], model: SupportModel, threshold: float, plain: SupportModel | None = None) -> dict:
    """Training-set outcome of a threshold (top-1 span, hard rules, probability). With
    `plain`, `model` is the reader's view: a question the reader did not read is decided by
    `plain` and its own threshold, as the Answerer does."""
    answerable = [s for s in samples if s.answerable]
    unanswerable = [s for s in samples if not s.answerable]

    def answers(s: Sample) -> bool:
        if not s.cands or not s.hard_ok[0] or s.ruled:
            return False
        m, t = (model, threshold) if plain is None or "reader" in s.cands[0].features else (plain, plain.threshold)
        return m.answerable.probability(answerer.answer_features(s.question, s.cands)) >= t

    return {
        "correct": sum(1 for s in answerable if answers(s) and s.positive[0]) / max(1, len(answerable)),
        "ranked_right": sum(1 for s in answerable if s.positive and s.positive[0]) / max(1, len(answerable)),
        "false_refusal": sum(1 for s in answerable if not answers(s)) / max(1, len(answerable)),
        "refused_unanswerable": sum(1 for s in unanswerable if not answers(s)) / max(1, len(unanswerable)),
    }
