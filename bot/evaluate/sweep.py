"""The refusal-threshold sweep of one run, tuned on the dev split when the set has one."""

from __future__ import annotations

from bot.evaluate import metrics
from bot.evaluate.run import pairs

TABLE_STEP = 0.05


def _rows(result, split: str | None = None) -> tuple[list[dict], list[dict]]:
    plain, _ = pairs(result.results, result.questions)
    chosen = [(r, q) for r, q in plain if split is None or metrics.tag(q, "split") == split]
    return [r for r, _ in chosen], [q for _, q in chosen]


def analyse(result) -> dict | None:
    """Sweep points (every 0.01), a printable table (every 0.05 plus the operating point) and
    the best points on the tuning split, each with the other split's numbers beside it.
    None when the run has no p_answerable (no support model)."""
    splits = {metrics.tag(q, "split") for _, q in pairs(result.results, result.questions)[0]}
    tuned_on = "dev" if "dev" in splits else None
    points = metrics.sweep(*_rows(result, tuned_on))
    if not points:
        return None
    others = sorted(s for s in splits if s and s != tuned_on)
    other_points = {s: {p["threshold"]: p for p in metrics.sweep(*_rows(result, s))} for s in others}
    operating = result.metrics.get("operating_threshold")
    op_row = round(operating, 2) if operating is not None else None
    table = [p for p in points if round(p["threshold"] / TABLE_STEP, 6).is_integer() or p["threshold"] == op_row]
    other_labels = [f"{s} {k}" for s in others for k in ("correct", "refused unans.")]
    best = [
        (p, [other_points[s][round(p["threshold"], 2)][k] for s in others for k in ("answer_correct", "refused_unanswerable")])
        for p in metrics.best_points(points)
    ]
    return {
        "tuned_on": f"the {tuned_on} split" if tuned_on else "all questions",
        "points": points,
        "by_split": {s: list(v.values()) for s, v in other_points.items()},
        "operating": operating,
        "operating_row": op_row,
        "table": table,
        "best": best,
        "other_labels": other_labels,
    }
