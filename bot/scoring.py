"""The learned part of answering: two small linear models over support features.

- the *ranker* scores each candidate answer span (which sentence answers?);
- the *answerability* model gives the probability that the best span really
  answers the question; below `threshold` the Answerer refuses.

Both are logistic regressions fitted by `citebot calibrate` (bot/evaluate/calibrate.py)
on a training question set, stored as plain JSON (bot/support_model.json), and
applied with a dot product: no ML library is needed at run time.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("support_model.json")

# Per candidate span (see support.assess and Answerer._candidates).
CANDIDATE_FEATURES = [
    "dense", "dense_focus", "cov_window", "cov_focus", "asked_cov",
    "names_focus", "names_window", "names_article", "numbers_ok", "type_ok", "type_missing_hard",
    "is_question", "after_question", "pair", "retrieved", "n_words", "missing_idf", "missing_terms",
    "asked_sim", "dense_ctx", "dense_next", "names_near",
]
# The best span's features plus these describe the question as a whole.
ANSWER_FEATURES = CANDIDATE_FEATURES + ["margin", "q_terms", "q_names", "q_typed", "q_speech"]
# With the reader (bot/reader.py), for the ranker's best `k` spans: how much its best answer
# inside the span ("reader") and inside the span with its neighbours ("reader_window") beats
# "no answer", the share of that answer's words the question already says ("reader_echo") and
# whether it holds an entity of the asked type ("reader_typed": +1, -1, 0 for untyped
# questions). They re-rank those k spans, and join the answerability features with the best
# reader score over the k ("reader_max").
READER_FEATURES = ["reader", "reader_window", "reader_echo", "reader_typed"]
READER_RANK_FEATURES = CANDIDATE_FEATURES + READER_FEATURES
READER_ANSWER_FEATURES = ANSWER_FEATURES + READER_FEATURES + ["reader_max"]


@dataclass
class LinearModel:
    features: list[str]
    weights: list[float]
    bias: float
    mean: list[float]
    scale: list[float]

    def decision(self, values: dict[str, float]) -> float:
        z = self.bias
        get = values.get
        for name, w, m, s in self._terms:
            z += w * ((float(get(name, 0.0)) - m) / s)
        return z

    @functools.cached_property
    def _terms(self) -> list[tuple[str, float, float, float]]:
        return list(zip(self.features, self.weights, self.mean, self.scale))

    def probability(self, values: dict[str, float]) -> float:
        z = self.decision(values)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def to_dict(self) -> dict:
        return {"features": self.features, "weights": self.weights, "bias": self.bias, "mean": self.mean, "scale": self.scale}

    @classmethod
    def from_dict(cls, d: dict) -> "LinearModel":
        return cls(d["features"], d["weights"], d["bias"], d["mean"], d["scale"])


@dataclass
class ReaderPart:
    """The models used when the reader is on: a re-ranker of the ranker's best `k` spans and an
    answerability model (with its own threshold) that also reads the reader's scores."""

    reranker: LinearModel
    answerable: LinearModel
    threshold: float
    k: int  # spans read per question
    context: int = 1  # sentences read on each side of a span

    def to_dict(self) -> dict:
        return {"k": self.k, "context": self.context, "threshold": self.threshold, "reranker": self.reranker.to_dict(), "answerable": self.answerable.to_dict()}

    @classmethod
    def from_dict(cls, d: dict) -> "ReaderPart":
        return cls(LinearModel.from_dict(d["reranker"]), LinearModel.from_dict(d["answerable"]), d["threshold"], d["k"], d.get("context", 1))


@dataclass
class SupportModel:
    ranker: LinearModel
    answerable: LinearModel
    threshold: float
    trained_on: str = ""
    reader: ReaderPart | None = None  # fitted with the reader's scores (None: no reader)

    @property
    def reranker(self) -> LinearModel | None:
        return self.reader.reranker if self.reader else None

    def with_reader(self) -> "SupportModel":
        """This model as used with the reader on: the same first-stage ranker, then the reader
        part's re-ranker, answerability model and threshold."""
        if self.reader is None:
            return self
        return SupportModel(self.ranker, self.reader.answerable, self.reader.threshold, self.trained_on, self.reader)

    def without_reader(self) -> "SupportModel":
        return SupportModel(self.ranker, self.answerable, self.threshold, self.trained_on) if self.reader else self

    @classmethod
    def load(cls, path: Path | None = None) -> "SupportModel":
        d = json.loads(Path(path or DEFAULT_PATH).read_text(encoding="utf-8"))
        reader = ReaderPart.from_dict(d["reader"]) if d.get("reader") else None
        return cls(LinearModel.from_dict(d["ranker"]), LinearModel.from_dict(d["answerable"]), d["threshold"], d.get("trained_on", ""), reader)

    def save(self, path: Path | None = None) -> None:
        data = {
            "trained_on": self.trained_on,
            "threshold": self.threshold,
            "ranker": self.ranker.to_dict(),
            "answerable": self.answerable.to_dict(),
        }
        if self.reader is not None:
            data["reader"] = self.reader.to_dict()
        Path(path or DEFAULT_PATH).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
