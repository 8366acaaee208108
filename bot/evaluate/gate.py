"""The quality gate: the run's numbers against the minimums in evals/thresholds.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.evaluate import metrics


class GateFileError(ValueError):
    pass


@dataclass(frozen=True)
class Miss:
    metric: str
    value: float | None
    bound: float
    kind: str  # "minimum" or "maximum"

    def __str__(self) -> str:
        label = dict(metrics.LABELS + REFERENCE_LABELS).get(self.metric, self.metric)
        shown = metrics.fmt(self.metric, self.value)
        word = "below the minimum" if self.kind == "minimum" else "above the maximum"
        return f"{label} {shown} is {word} {metrics.fmt(self.metric, self.bound)}"


# Follow-up metrics of a conversation run (metrics["follow_up_turns"]["references"]).
REFERENCE_LABELS = [
    ("reference_resolved", "follow-up reference resolved"),
    ("answered_about_wrong_entity", "follow-ups answered about the wrong entity"),
]
BLOCKS = ("questions", "turns", "follow_up_turns")


def load(path: Path) -> dict:
    """{"minimum": {metric: bound}, "maximum": {metric: bound}} from a TOML file, plus "block"
    when the file names which part of the run it bounds: `block = "follow_up_turns"` checks a
    conversation run's follow-up turns (and their reference metrics) instead of the top level."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise GateFileError(f"cannot read {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise GateFileError(f"{path}: not valid TOML ({exc})") from exc
    known = {k for k, _ in metrics.LABELS + REFERENCE_LABELS}
    out: dict = {}
    block = data.get("block")
    if block is not None:
        if block not in BLOCKS:
            raise GateFileError(f"{path}: block must be one of {', '.join(BLOCKS)}, not {block!r}")
        out["block"] = block
    for kind in ("minimum", "maximum"):
        table = data.get(kind, {})
        if not isinstance(table, dict):
            raise GateFileError(f"{path}: [{kind}] must be a table of metric = number")
        for key, bound in table.items():
            if key not in known:
                raise GateFileError(f"{path}: unknown metric {key!r} in [{kind}] (known: {', '.join(sorted(known))})")
            if isinstance(bound, bool) or not isinstance(bound, (int, float)):
                raise GateFileError(f"{path}: {kind}.{key} must be a number")
        out[kind] = dict(table)
    if not out["minimum"] and not out["maximum"]:
        raise GateFileError(f"{path}: no [minimum] or [maximum] bounds")
    return out


def check(report: dict, bounds: dict) -> list[Miss]:
    """Every bound the run misses; a metric the run could not measure (n/a) misses too."""
    block = bounds.get("block")
    if block and block != "questions":
        block_metrics = report.get(block) or {}
        report = {**(block_metrics.get("references") or {}), **block_metrics}
    misses = []
    for key, bound in bounds.get("minimum", {}).items():
        value = report.get(key)
        if value is None or value < bound:
            misses.append(Miss(key, value, bound, "minimum"))
    for key, bound in bounds.get("maximum", {}).items():
        value = report.get(key)
        if value is None or value > bound:
            misses.append(Miss(key, value, bound, "maximum"))
    return misses
