"""`citebot eval compare RUN_A RUN_B`: metric deltas and the questions whose outcome changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.evaluate import metrics
from bot.evaluate.run import load_run

# Outcomes from best to worst; a move between two of the same rank is just "changed".
_RANK = {"correct": 2, "refused_ok": 2, "answered": 1, "refused": 1, "wrong": 0, "false_refusal": 0, "answered_unanswerable": 0}


@dataclass
class Change:
    id: str
    question: str
    a: str
    b: str
    verdict: str  # better, worse, changed


@dataclass
class Diff:
    metrics: list[tuple[str, str, object, object, float | None, str]] = field(default_factory=list)  # key, label, A, B, B − A, verdict
    changed: list[Change] = field(default_factory=list)
    common: int = 0
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    answers_changed: int = 0


def _flatten(rows: list[dict]) -> dict[str, dict]:
    """id -> answer row; conversation turns as `id#1`, `id#2`, …; an id used again (a question
    file may repeat one) as `id@2`, `id@3`, … in file order, so each row meets its counterpart."""
    out, uses = {}, {}
    for row in rows:
        key = str(row["id"])
        uses[key] = uses.get(key, 0) + 1
        if uses[key] > 1:
            key = f"{key}@{uses[key]}"
        if "turns" in row:
            for k, turn in enumerate(row["turns"], 1):
                out[f"{key}#{k}"] = turn
        else:
            out[key] = row
    return out


def _outcome(row: dict) -> str:
    return row.get("outcome") or ("refused" if row.get("refused") else "answered")


def _verdict(key: str, delta: float | None) -> str:
    if not delta:
        return ""
    better = delta < 0 if key in metrics.LOWER_IS_BETTER else delta > 0
    return "better" if better else "worse"


def compare(run_a: Path, run_b: Path) -> Diff:
    rows_a, report_a = load_run(run_a)
    rows_b, report_b = load_run(run_b)
    diff = Diff()
    labels = dict(metrics.LABELS)
    for key, a, b, delta in metrics.deltas(report_a, report_b, labels):
        diff.metrics.append((key, labels[key], a, b, delta, _verdict(key, delta)))
    a, b = _flatten(rows_a), _flatten(rows_b)
    diff.only_a = [i for i in a if i not in b]
    diff.only_b = [i for i in b if i not in a]
    for rid, ra in a.items():
        rb = b.get(rid)
        if rb is None:
            continue
        diff.common += 1
        if "outcome" in ra and "outcome" in rb:
            oa, ob = ra["outcome"], rb["outcome"]
        else:  # a run from before outcomes were recorded: compare answered / refused only
            oa, ob = _outcome({"refused": ra.get("refused")}), _outcome({"refused": rb.get("refused")})
        if ra.get("answer") != rb.get("answer"):
            diff.answers_changed += 1
        if oa == ob:
            continue
        ka, kb = _RANK.get(oa, 1), _RANK.get(ob, 1)
        verdict = "better" if kb > ka else "worse" if kb < ka else "changed"
        diff.changed.append(Change(rid, rb.get("question") or ra.get("question") or "", metrics.OUTCOMES.get(oa, oa), metrics.OUTCOMES.get(ob, ob), verdict))
    order = {"worse": 0, "changed": 1, "better": 2}
    diff.changed.sort(key=lambda c: order[c.verdict])
    return diff
