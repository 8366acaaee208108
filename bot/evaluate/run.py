"""`citebot eval`: run a question set through the Answerer and write the results contract.

`answer_row` turns one question into one results row (the contract's fields plus the extra
fields the report, the sweep and `compare` use); `run` answers a whole file, serially or on
a thread pool over one shared Answerer, and writes results.jsonl and metrics.json.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bot.evaluate import metrics
from bot.evaluate.dialogue import follow_up_report
from bot.verify import is_verbatim

RETRIEVAL_DEPTH = max(metrics.HIT_KS)
# Kept in memory for the metrics, left out of results.jsonl.
_PRIVATE = {"verbatim"}

log = logging.getLogger(__name__)


class QuestionFileError(ValueError):
    pass


def jsonl_lines(text: str) -> list[str]:
    """The lines of a JSON Lines text: split at "\n" only (and a "\r" before it dropped).
    str.splitlines would also split at U+2028, U+2029 and U+0085, which JSON allows unescaped
    inside a string."""
    return [line.removesuffix("\r") for line in text.split("\n")]


_BOOLEAN_WORDS = {"true": True, "false": False}


def _labels(row: dict, where: str) -> dict:
    """A question's (or turn's) labels read leniently where the meaning is plain: `answerable`
    given as "true"/"false" is that boolean, as null it is absent (unlabelled); `expected` as a
    string or a flat list of strings is one group of alternatives each. Other shapes are an
    error naming the line, not something scored silently."""
    row = dict(row)
    if "answerable" in row:
        value = row["answerable"]
        if isinstance(value, str) and value.strip().lower() in _BOOLEAN_WORDS:
            row["answerable"] = _BOOLEAN_WORDS[value.strip().lower()]
        elif value is None:
            del row["answerable"]
        elif not isinstance(value, bool):
            raise QuestionFileError(f"{where}: \"answerable\" must be true or false, not {value!r}")
    if "expected" in row and row["expected"] is not None:
        value = row["expected"]
        if isinstance(value, str):
            value = [[value]]
        if not isinstance(value, list):
            raise QuestionFileError(f"{where}: \"expected\" must be a list of groups of alternatives")
        groups = []
        for group in value:
            group = [group] if isinstance(group, str) else group
            if not isinstance(group, list) or not all(isinstance(alt, str) for alt in group):
                raise QuestionFileError(f"{where}: \"expected\" must be a list of groups (lists) of strings")
            groups.append(group)
        row["expected"] = groups
    if "evidence" in row and row["evidence"] is not None:
        if not isinstance(row["evidence"], list) or not all(isinstance(ev, dict) for ev in row["evidence"]):
            raise QuestionFileError(f"{where}: \"evidence\" must be a list of {{\"doc\", \"quote\"}} objects")
        for ev in row["evidence"]:
            if ev.get("quote") is not None and not isinstance(ev["quote"], str):
                raise QuestionFileError(f"{where}: an evidence \"quote\" must be a string")
        # an item with neither a doc nor a quote ({} or {"doc": "", "quote": ""}, a template's
        # placeholder) says nothing: left out
        row["evidence"] = [ev for ev in row["evidence"] if metrics.evidence_doc(ev) or (ev.get("quote") or "").strip()]
    if "answerable" not in row and (row.get("expected") or row.get("evidence")):
        # each field is optional on its own: an expected answer or evidence says there is an answer
        row["answerable"] = True
    return row


MAX_LISTED_ERRORS = 20  # a file's line errors listed at once; the rest counted


def _question_row(line: str, where: str) -> dict:
    """One non-blank line of a question file → its row; a QuestionFileError naming `where` if
    it is not one. An id is a string or a number (kept as given); null is not an id."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise QuestionFileError(f"{where}: not valid JSON ({exc.msg})") from exc
    if not isinstance(row, dict) or "id" not in row:
        raise QuestionFileError(f"{where}: each line must be an object with an \"id\"")
    if isinstance(row["id"], bool) or not isinstance(row["id"], (str, int, float)):
        raise QuestionFileError(f"{where}: \"id\" must be a string or a number, not {json.dumps(row['id'])}")
    if isinstance(row["id"], float) and not math.isfinite(row["id"]):
        raise QuestionFileError(f"{where}: \"id\" is a number too large to write back as JSON")
    if "turns" in row:
        if not isinstance(row["turns"], list) or not row["turns"] or not all(
                isinstance(t, dict) and isinstance(t.get("question"), str) for t in row["turns"]):
            raise QuestionFileError(f"{where}: \"turns\" must be a non-empty list of objects with a \"question\"")
        return {**row, "turns": [_labels(t, f"{where}, turn {k}") for k, t in enumerate(row["turns"], 1)]}
    if not isinstance(row.get("question"), str):
        raise QuestionFileError(f"{where}: missing \"question\" (a string)")
    return _labels(row, where)


def load_questions(path: Path) -> list[dict]:
    """The rows of a question file (EVAL_FORMAT.md), in file order. Ids are kept as they are;
    a repeated id is answered again (with a warning), each row its own results row. Every
    invalid line is reported at once (the first MAX_LISTED_ERRORS of them, then a count)."""
    rows, seen, errors = [], {}, []
    try:
        lines = jsonl_lines(Path(path).read_text(encoding="utf-8-sig"))  # utf-8-sig: a BOM (Windows editors) is not JSON
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"cannot read {path}: {exc}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = _question_row(line, f"{path}:{n}")
        except QuestionFileError as exc:
            errors.append(str(exc))
            continue
        key = json.dumps(row["id"], sort_keys=True)
        if key in seen:
            log.warning("%s:%d: id %r is used before, on line %d; both rows are answered", path, n, row["id"], seen[key])
        seen.setdefault(key, n)
        rows.append(row)
    if len(errors) == 1:
        raise QuestionFileError(errors[0])
    if errors:
        listed = errors[:MAX_LISTED_ERRORS]
        more = f"\n… and {len(errors) - len(listed)} more" if len(errors) > len(listed) else ""
        raise QuestionFileError(f"{path}: {len(errors)} lines are not valid questions:\n" + "\n".join(listed) + more)
    if not rows:
        raise QuestionFileError(f"{path}: no questions found")
    return rows


def select(questions: list[dict], ids: list[str] | None = None, limit: int | None = None) -> list[dict]:
    """The questions with these ids (in file order), then the first `limit` of them."""
    if ids:
        wanted = [str(i) for i in ids]
        known = {str(q["id"]) for q in questions}
        unknown = [i for i in wanted if i not in known]
        if unknown:
            raise QuestionFileError(f"no question with id {', '.join(unknown)}")
        questions = [q for q in questions if str(q["id"]) in set(wanted)]
    if limit is not None:
        questions = questions[: max(limit, 0)]
    return questions


@dataclass
class EvalRun:
    results: list[dict]
    metrics: dict
    questions: list[dict]


def operating_threshold(answerer) -> float | None:
    """The p_answerable threshold the Answerer refuses below (None without a support model)."""
    if getattr(answerer, "model", None) is None:
        return None
    configured = answerer.settings.answer_threshold
    return configured if configured is not None else answerer.model.threshold


def permissive(answerer):
    """The same Answerer (shared index, caches and model) refusing on the hard rules only,
    to learn what a threshold-refused question would have been answered; None without a model."""
    if getattr(answerer, "model", None) is None:
        return None
    clone = copy.copy(answerer)
    clone.settings = answerer.settings.model_copy(update={"answer_threshold": 0.0})
    return clone


def _citations(answer, articles) -> tuple[list[dict], list[bool]]:
    cites = [c.to_dict() for c in answer.citations]
    ok = [c.source in articles and is_verbatim(articles[c.source].text, c.quote, c.start, c.end) for c in answer.citations]
    return cites, ok


def _retrieval_rank(answerer, question: str, evidence: list[dict]) -> int | None:
    lib = answerer.library
    emb = lib.embed.encode([question])[0]
    hits = lib.search(question, emb.tolist(), top=RETRIEVAL_DEPTH)
    chunks = [{"source": h.chunk.source, "start": h.chunk.start, "end": h.chunk.end} for h in hits]
    return metrics.retrieval_rank(chunks, evidence, {s: a.text for s, a in lib.articles.items()})


def answer_row(answerer, question: str, labels: dict | None = None, probe=None, answer=None) -> dict:
    """One question → one results row: the Answer's fields, `verbatim` (each citation checked
    against the article, kept out of the file) and the extras: p_answerable, if_answered (what a
    threshold refusal would have answered, from `probe`), retrieval_rank (when `labels` has
    evidence), outcome, split, type. `answer`: an Answer already computed for `question`."""
    labels = labels or {}
    answer = answer if answer is not None else answerer.ask(question)
    articles = answerer.library.articles
    row = answer.to_dict()
    row["citations"], row["verbatim"] = _citations(answer, articles)
    p = (answer.support or {}).get("p_answerable")
    row["p_answerable"] = p
    if probe is not None and answer.refused and answer.reason == "unsupported" and p is not None:
        alt = probe.ask(question)
        if not alt.refused:
            row["if_answered"] = {"answer": alt.text, "citations": _citations(alt, articles)[0]}
    if labels.get("evidence"):
        row["retrieval_rank"] = _retrieval_rank(answerer, question, labels["evidence"])
    row["outcome"] = metrics.outcome(row, labels)
    for key in ("split", "type"):
        if key in labels:
            row[key] = labels[key]
    return row


def _answer_item(answerer, q: dict, probe, conversation_factory) -> dict:
    """One question-file row → its results row (a conversation is answered turn by turn)."""
    if "turns" not in q:
        return {"id": q["id"], **answer_row(answerer, q["question"], q, probe)}
    convo = conversation_factory() if conversation_factory else None
    out_turns = []
    for turn in q["turns"]:
        if convo is not None:
            t = time.perf_counter()
            reply = convo.ask(turn["question"])
            took = (time.perf_counter() - t) * 1000  # the turn's wall time: rewriting included
            rewritten, answer = reply.rewritten, reply.answer
            if " ".join(rewritten.split()) == " ".join(turn["question"].split()):
                rewritten = turn["question"]  # nothing rewritten: the question as it was asked
        else:
            rewritten, answer, took = turn["question"], None, None
        row = {"id": q["id"], **answer_row(answerer, rewritten, turn, probe, answer=answer)}
        row["question"] = turn["question"]
        row["rewritten"] = rewritten
        if took is not None:
            row["latency_ms"] = round(took, 2)
        out_turns.append(row)
    return {"id": q["id"], "turns": out_turns}


def warm_up(answerer, questions: list[dict]) -> None:
    """Answer the file's first question once, unrecorded, before the timed run: `latency_ms` is
    the time of answering with the index loaded (EVAL_FORMAT.md), and the first answer of a
    process also pays for the models' first runs (a cold first embedding took 45-68 ms against
    3-8 ms). Answers depend on the question only, so this changes no row."""
    for q in questions[:1]:
        text = q["turns"][0]["question"] if "turns" in q else q["question"]
        if text.strip():
            answerer.ask(text)


def run(answerer, questions: list[dict], out_dir: Path, progress: Callable[[int, int], None] | None = None,
        conversation_factory=None, jobs: int = 1) -> EvalRun:
    """Answer every question (on `jobs` threads sharing the Answerer; same rows as serial)
    and write out_dir/results.jsonl and out_dir/metrics.json."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    probe = permissive(answerer)
    total = len(questions)
    warm_up(answerer, questions)

    def one(q: dict) -> dict:
        return _answer_item(answerer, q, probe, conversation_factory)

    if jobs <= 1:
        results = []
        for i, q in enumerate(questions, 1):
            results.append(one(q))
            if progress:
                progress(i, total)
    else:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="citebot-eval") as pool:
            futures = [pool.submit(one, q) for q in questions]
            for i, _ in enumerate(as_completed(futures), 1):
                if progress:
                    progress(i, total)
            results = [f.result() for f in futures]  # file order; re-raises a worker's exception

    report = summarise(results, questions)
    report["operating_threshold"] = operating_threshold(answerer)
    with open(out_dir / "results.jsonl", "w", encoding="utf-8") as fh:
        for row in results:
            fh.write(_json_line(public(row)) + "\n")
    (out_dir / "metrics.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return EvalRun(results, report, questions)


def _json_line(row: dict) -> str:
    """A results row as one JSON line: UTF-8 as it is, except a row holding a lone surrogate
    (an id or question written "\\ud800" in the file, valid JSON but not encodable as UTF-8),
    which is written with every non-ASCII character escaped: the same values, read back."""
    line = json.dumps(row, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(row)
    return line


def pairs(results: list[dict], questions: list[dict]) -> tuple[list[tuple[dict, dict]], list[tuple[dict, dict, int]]]:
    """(row, question) of the plain questions and (row, turn, turn index) of the conversation turns."""
    plain, turns = [], []
    for row, q in zip(results, questions):
        if "turns" in q:
            turns += [(r, t, k) for k, (r, t) in enumerate(zip(row["turns"], q["turns"]))]
        else:
            plain.append((row, q))
    return plain, turns


def _block(rows: list[dict], qs: list[dict]) -> dict:
    out = metrics.compute(rows, qs)
    out["ci"] = metrics.confidence_intervals(rows, qs)
    for name, groups in (("by_split", metrics.by_split), ("by_type", metrics.by_type), ("by_article", metrics.by_article)):
        parts = metrics.breakdown(rows, qs, groups)
        if parts:
            out[name] = parts
    return out


def summarise(results: list[dict], questions: list[dict]) -> dict:
    """metrics.json: the plain questions' metrics at the top level (the contract), their
    confidence intervals and breakdowns, then per-turn and follow-up-turn blocks."""
    plain, turns = pairs(results, questions)
    report = _block([r for r, _ in plain], [q for _, q in plain]) if plain else {}
    if turns:
        report["turns"] = _block([r for r, _, _ in turns], [t for _, t, _ in turns])
        follow = [(r, t) for r, t, k in turns if k > 0]
        report["follow_up_turns"] = _block([r for r, _ in follow], [t for _, t in follow]) if follow else {}
        if follow:
            ids = [f"{q['id']}.{k + 1}" for row, q in zip(results, questions) if "turns" in q for k in range(1, len(row["turns"]))]
            report["follow_up_turns"]["references"] = follow_up_report([(dict(r, turn_id=i), t) for (r, t), i in zip(follow, ids)])
    return report


def public(row: dict) -> dict:
    """A row as written to results.jsonl."""
    if "turns" in row:
        return {"id": row["id"], "turns": [public(t) for t in row["turns"]]}
    return {k: v for k, v in row.items() if k not in _PRIVATE}


def load_run(run_dir: Path) -> tuple[list[dict], dict]:
    """results.jsonl rows and metrics.json of an earlier run (for `compare`)."""
    run_dir = Path(run_dir)
    try:
        rows = [json.loads(line) for line in jsonl_lines((run_dir / "results.jsonl").read_text(encoding="utf-8")) if line.strip()]
        report = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise QuestionFileError(f"{run_dir} is not an eval run directory (no {Path(exc.filename).name})") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise QuestionFileError(f"cannot read the run in {run_dir}: {exc}") from exc
    return rows, report
