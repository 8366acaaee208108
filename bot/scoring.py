"""The learned part of answering: two small linear models over support features.

- the *ranker* scores each candidate answer span (which sentence answers?);
- the *answerability* model gives the probability that the best span really
  answers the question; below `threshold` the Answerer refuses.

Both are logistic regressions fitted by `citebot calibrate` (bot/evaluate/calibrate.py)
on a training question set, stored as plain JSON (bot/support_model.json), and
applied with a dot product: no ML library is needed at run time.
"""

from __future__ import annotations

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


@dataclass
class LinearModel:
    features: list[str]
    weights: list[float]
    bias: float
    mean: list[float]
    scale: list[float]

    def decision(self, values: dict[str, float]) -> float:
        z = self.bias
        for name, w, m, s in zip(self.features, self.weights, self.mean, self.scale):
            z += w * ((float(values.get(name, 0.0)) - m) / s)
        return z

    def probability(self, values: dict[str, float]) -> float:
        z = self.decision(values)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def to_dict(self) -> dict:
        return {"features": self.features, "weights": self.weights, "bias": self.bias, "mean": self.mean, "scale": self.scale}

    @classmethod
    def from_dict(cls, d: dict) -> "LinearModel":
        return cls(d["features"], d["weights"], d["bias"], d["mean"], d["scale"])


@dataclass
class SupportModel:
    ranker: LinearModel
    answerable: LinearModel
    threshold: float
    trained_on: str = ""

    @classmethod
    def load(cls, path: Path | None = None) -> "SupportModel":
        d = json.loads(Path(path or DEFAULT_PATH).read_text(encoding="utf-8"))
        return cls(LinearModel.from_dict(d["ranker"]), LinearModel.from_dict(d["answerable"]), d["threshold"], d.get("trained_on", ""))

    def save(self, path: Path | None = None) -> None:
        data = {
            "trained_on": self.trained_on,
            "threshold": self.threshold,
            "ranker": self.ranker.to_dict(),
            "answerable": self.answerable.to_dict(),
        }
        Path(path or DEFAULT_PATH).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
