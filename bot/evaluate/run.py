"""`citebot eval`: run a question set through the Answerer and write the results contract."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bot.evaluate import metrics
from bot.verify import is_verbatim


class QuestionFileError(ValueError):
    pass


def load_questions(path: Path) -> list[dict]:
    rows, seen = [], set()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"cannot read {path}: {exc}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or "id" not in row:
            raise QuestionFileError(f"{path}:{n}: each line must be an object with an \"id\"")
        if "turns" in row:
            if not isinstance(row["turns"], list) or not all(isinstance(t, dict) and isinstance(t.get("question"), str) for t in row["turns"]):
                raise QuestionFileError(f"{path}:{n}: \"turns\" must be a list of objects with a \"question\"")
        elif not isinstance(row.get("question"), str):
            raise QuestionFileError(f"{path}:{n}: missing \"question\" (a string)")
        if str(row["id"]) in seen:
            raise QuestionFileError(f"{path}:{n}: duplicate id {row['id']!r}")
        seen.add(str(row["id"]))
        rows.append(row)
    if not rows:
        raise QuestionFileError(f"{path}: no questions found")
    return rows


@dataclass
class EvalRun:
    results: list[dict]
    metrics: dict


def _row(answer, articles) -> dict:
    """An Answer as a results row, with each citation's verbatim check (kept out of the file)."""
    row = answer.to_dict()
    row["verbatim"] = [
        c.source in articles and is_verbatim(articles[c.source].text, c.quote, c.start, c.end) for c in answer.citations
    ]
    return row


def run(answerer, questions: list[dict], out_dir: Path, progress: Callable[[int, int], None] | None = None, conversation_factory=None) -> EvalRun:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    plain: list[tuple[dict, dict]] = []
    turns: list[tuple[dict, dict, int]] = []
    for i, q in enumerate(questions):
        if "turns" in q:
            convo = conversation_factory() if conversation_factory else None
            out_turns = []
            for t_index, turn in enumerate(q["turns"]):
                if convo is not None:
                    rewritten, answer = convo.ask(turn["question"])
                else:
                    rewritten, answer = turn["question"], answerer.ask(turn["question"])
                row = _row(answer, answerer.library.articles)
                row["question"] = turn["question"]
                row["rewritten"] = rewritten
                out_turns.append(row)
                turns.append((row, turn, t_index))
            results.append({"id": q["id"], "turns": out_turns})
        else:
            row = {"id": q["id"], **_row(answerer.ask(q["question"]), answerer.library.articles)}
            results.append(row)
            plain.append((row, q))
        if progress:
            progress(i + 1, len(questions))

    report = metrics.compute([r for r, _ in plain], [q for _, q in plain]) if plain else {}
    if turns:
        report["turns"] = metrics.compute([r for r, _, _ in turns], [t for _, t, _ in turns])
        follow = [(r, t) for r, t, k in turns if k > 0]
        report["follow_up_turns"] = metrics.compute([r for r, _ in follow], [t for _, t in follow]) if follow else {}
    with open(out_dir / "results.jsonl", "w", encoding="utf-8") as fh:
        for row in results:
            fh.write(json.dumps(_public(row), ensure_ascii=False) + "\n")
    (out_dir / "metrics.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return EvalRun(results, report)


def _public(row: dict) -> dict:
    if "turns" in row:
        return {"id": row["id"], "turns": [_public(t) for t in row["turns"]]}
    return {k: v for k, v in row.items() if k != "verbatim"}
