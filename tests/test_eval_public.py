"""The public set on the session index: the quality gate (evals/thresholds.toml), the sweep,
the HTML/Markdown report and `compare`, on real runs.

`make test` runs this file, so a change that lowers answer quality below the gate fails CI.
"""

from __future__ import annotations

import json
import re

import pytest

from bot.evaluate import compare, gate, metrics, report
from bot.evaluate.run import load_questions, run
from bot.evaluate.sweep import analyse
from conftest import EVALS, flat

THRESHOLDS = EVALS / "thresholds.toml"
CONVERSATION_THRESHOLDS = EVALS / "conversation_thresholds.toml"


@pytest.fixture(scope="module")
def public_run(answerer, tmp_path_factory):
    """The public set answered once by the session Answerer (as `make eval` does)."""
    out = tmp_path_factory.mktemp("public-run")
    return run(answerer, load_questions(EVALS / "questions.jsonl"), out), out


@pytest.fixture(scope="module")
def broken_run(seed_settings, library, tmp_path_factory):
    """The same set with refusal deliberately broken: ANSWER_THRESHOLD=0 (answer whenever the hard rules allow)."""
    from bot import services

    broken = services.answerer(seed_settings.model_copy(update={"answer_threshold": 0.0}), library)
    out = tmp_path_factory.mktemp("broken-run")
    return run(broken, load_questions(EVALS / "questions.jsonl"), out), out


# --- the gate ----------------------------------------------------------------------------------
def test_public_set_passes_the_quality_gate(public_run):
    result, _ = public_run
    misses = gate.check(result.metrics, gate.load(THRESHOLDS))
    assert not misses, "quality gate (evals/thresholds.toml): " + "; ".join(map(str, misses))


def test_gate_fails_when_refusal_is_broken(broken_run):
    result, _ = broken_run
    misses = {m.metric: m for m in gate.check(result.metrics, gate.load(THRESHOLDS))}
    assert "refused_unanswerable" in misses, result.metrics["refused_unanswerable"]
    assert "below the minimum" in str(misses["refused_unanswerable"])


@pytest.fixture(scope="module")
def conversation_run(answerer, tmp_path_factory):
    """The conversation set answered once, each dialogue in a fresh conversation (as `make eval` does)."""
    from bot.conversation import Conversation, Rewriter

    rewriter = Rewriter.for_answerer(answerer)
    out = tmp_path_factory.mktemp("conversation-run")
    result = run(answerer, load_questions(EVALS / "conversations.jsonl"), out,
                 conversation_factory=lambda: Conversation(answerer, rewriter=rewriter))
    return result


def test_conversation_set_passes_its_gate(conversation_run):
    """Issue #5's bar: follow-ups correct >= 0.85, none answered about the wrong entity."""
    follow_ups = conversation_run.metrics["follow_up_turns"]
    misses = gate.check(conversation_run.metrics, gate.load(CONVERSATION_THRESHOLDS))
    assert not misses, "conversation gate: " + "; ".join(map(str, misses))
    assert follow_ups["questions"] >= 60 and follow_ups["references"]["answered_about_wrong_entity"] == 0


def test_a_follow_up_gate_reads_the_follow_up_block(tmp_path):
    bounds_file = tmp_path / "g.toml"
    bounds_file.write_text('block = "follow_up_turns"\n[minimum]\nanswer_correct = 0.85\n[maximum]\nanswered_about_wrong_entity = 0\n')
    bounds = gate.load(bounds_file)
    run_metrics = {"answer_correct": 0.99, "follow_up_turns": {"answer_correct": 0.80, "references": {"answered_about_wrong_entity": 1}}}
    assert [str(m) for m in gate.check(run_metrics, bounds)] == [
        "answer correct (answerable) 0.800 is below the minimum 0.850",
        "follow-ups answered about the wrong entity 1 is above the maximum 0"]
    bounds_file.write_text('block = "follow_ups"\n[minimum]\nanswer_correct = 0.85\n')
    with pytest.raises(gate.GateFileError, match="block must be one of"):
        gate.load(bounds_file)


def test_gate_file_errors(tmp_path):
    bad = tmp_path / "t.toml"
    for text, message in [("[minimum\n", "not valid TOML"), ("[minimum]\nanswer_corect = 0.5\n", "unknown metric 'answer_corect'"),
                          ("[minimum]\nanswer_correct = 'high'\n", "must be a number"), ("title = 1\n", "no \\[minimum\\]")]:
        bad.write_text(text)
        with pytest.raises(gate.GateFileError, match=message):
            gate.load(bad)
    assert [str(m) for m in gate.check({"answer_correct": None, "false_refusal": 0.3}, {"minimum": {"answer_correct": 0.5}, "maximum": {"false_refusal": 0.2}})] == [
        "answer correct (answerable) n/a is below the minimum 0.500", "false refusal 0.300 is above the maximum 0.200"]


# --- the sweep -----------------------------------------------------------------------------------
def test_sweep_at_the_operating_point_reproduces_the_run(public_run):
    result, _ = public_run
    rows, questions = result.results, result.questions
    operating = result.metrics["operating_threshold"]
    (point,) = metrics.sweep(rows, questions, [operating])
    for key in metrics.SWEEP_KEYS:
        assert point[key] == result.metrics[key], key
    # threshold refusals carry the answer they would have given; lowering the threshold uses it
    held = [r for r in rows if r.get("if_answered")]
    assert held and all(r["refused"] and r["reason"] == "unsupported" and r["p_answerable"] < operating for r in held)


def test_sweep_matches_a_real_run_at_threshold_zero(public_run, broken_run):
    """Recomputing the outcomes at threshold 0 from one run gives what answering again at 0 gives."""
    result, _ = public_run
    broken, _ = broken_run
    # two questions in one are answered part by part, each with its own probability: the sweep
    # holds such a row as it is (one threshold cannot say which parts would be answered)
    single = [i for i, r in enumerate(result.results) if "parts" not in (r.get("support") or {})]
    assert 0 < len(result.results) - len(single) < 10
    rows, questions = [result.results[i] for i in single], [result.questions[i] for i in single]
    (point,) = metrics.sweep(rows, questions, [0.0])
    again = metrics.compute([broken.results[i] for i in single], questions)
    for key in metrics.SWEEP_KEYS:
        assert point[key] == again[key], key


def test_sweep_tunes_on_dev_and_reports_test(public_run):
    analysis = analyse(public_run[0])
    assert analysis["tuned_on"] == "the dev split" and list(analysis["by_split"]) == ["test"]
    assert len(analysis["points"]) == 101 and analysis["best"]
    best, others = analysis["best"][0]
    assert best["low"] <= best["high"] and len(others) == 2
    assert analysis["operating_row"] in [p["threshold"] for p in analysis["table"]]


# --- the report -------------------------------------------------------------------------------------
def test_report_is_self_contained_and_lists_every_failure(public_run, tmp_path):
    result, _ = public_run
    paths = report.write(result, tmp_path, title="questions.jsonl")
    assert [p.name for p in paths] == ["report.html", "report.md"]
    page = paths[0].read_text(encoding="utf-8")
    assert page.count("src='data:image/png;base64,") == 3  # sweep, retrieval hit@k, latency
    assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:|//)""", page) and "<script" not in page and "<link" not in page
    failures = [r for r in result.results if r["outcome"] in metrics.FAILURES]
    assert failures and page.count("class=fail>") == len(failures)
    for row in failures:
        assert f"<h3>{row['id']} <span" in page
    for text in ("95 % CI", "dev (82)", "Refusal threshold sweep", "By question type", "By evidence article", "bootstrap"):
        assert text in page, text
    md = paths[1].read_text(encoding="utf-8")
    assert "| answer correct (answerable) |" in md and "95 % CI" in md and "Failures:" in md
    assert_tables_are_even(md)
    # a set without splits: header, separator and rows still have the same number of cells
    from bot.evaluate.run import EvalRun

    plain = EvalRun(result.results, {**result.metrics, "by_split": {}}, result.questions)
    assert "| metric | all | 95 % CI |\n| --- | ---: | ---: |" in report.render_markdown(plain, "x")
    assert_tables_are_even(report.render_markdown(plain, "x"))


def assert_tables_are_even(md: str) -> None:
    """Every row of a Markdown table has as many cells as its header (GitHub drops the table otherwise)."""
    rows = [line for line in md.splitlines() if line.startswith("|")]
    assert rows and len({line.count("|") for line in rows}) == 1, rows[:3]


# --- compare ---------------------------------------------------------------------------------------
def test_compare_two_real_runs(public_run, broken_run):
    (result, run_a), (broken, run_b) = public_run, broken_run
    diff = compare.compare(run_a, run_b)
    assert diff.common == len(result.results) and not diff.only_a and not diff.only_b
    by_key = {m[0]: m for m in diff.metrics}
    _, _, a, b, delta, verdict = by_key["refused_unanswerable"]
    assert (a, b) == (result.metrics["refused_unanswerable"], broken.metrics["refused_unanswerable"])
    assert delta == pytest.approx(b - a, abs=1e-4) and delta < 0 and verdict == "worse"
    assert by_key["false_refusal"][5] == "better"
    changed = {c.id: c for c in diff.changed}
    moved = [r["id"] for r, s in zip(result.results, broken.results) if r["outcome"] != s["outcome"]]
    assert sorted(changed) == sorted(moved) and moved
    newly_answered = [c for c in changed.values() if c.a == metrics.OUTCOMES["refused_ok"]]
    assert newly_answered and all(c.verdict == "worse" and c.b == metrics.OUTCOMES["answered_unanswerable"] for c in newly_answered)
    assert diff.changed[0].verdict == "worse"  # regressions first
    assert not compare.compare(run_a, run_a).changed


# --- the command line ----------------------------------------------------------------------------------
def test_cli_eval_subset_sweep_and_gate(tmp_path, run_citebot, seed_data_dir):
    impossible = tmp_path / "thresholds.toml"
    impossible.write_text("[minimum]\nanswer_correct = 0.5\nrefused_unanswerable = 1.01\n")
    out = tmp_path / "run"
    proc = run_citebot(["eval", str(EVALS / "questions.jsonl"), "--out", str(out), "--ids", "u001,q002", "--ids", "q001",
                        "--limit", "2", "--sweep", "--gate", str(impossible)], seed_data_dir)
    assert proc.returncode == 4, proc.stderr
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["q001", "q002"]  # file order, then the limit
    err = flat(proc.stderr)
    assert "Quality gate failed" in err and "refused unanswerable n/a is below the minimum 1.010" in err
    assert "Answering" not in proc.stderr and "Traceback" not in proc.stderr  # no progress bar when not a TTY
    text = flat(proc.stdout)
    assert "Refusal threshold sweep" in text and "Best operating points" in text
    assert (out / "report.html").exists() and (out / "report.md").exists()


def test_cli_eval_takes_every_shape_the_format_allows(tmp_path, run_citebot, seed_data_dir):
    """Shapes another team's file may well have (found by a conformance review): a "split" that
    is a number or a list, labels without "answerable", evidence by article or by quote alone, an
    id with a lone surrogate escape. The run and its report complete; each is scored as meant."""
    kellogg = "Where did Lukashenko hold his meeting with U.S. envoy Kellogg?"
    lines = [
        {"id": "n1", "question": kellogg, "split": 1, "expected": [["Independence Palace"]], "evidence": [{"doc": "000"}]},
        {"id": "n2", "question": "Which outlet interviewed Boris Shmelyev?", "split": ["a", "b"],
         "evidence": [{"quote": "interviewed Boris Shmelyev"}]},
        {"id": "n3", "question": "What did Macron say about the prisoner release?", "split": "test", "answerable": False},
    ]
    qfile = tmp_path / "q.jsonl"
    qfile.write_text("".join(json.dumps(r) + "\n" for r in lines) + '{"id": "x\\ud800", "question": "Who is Boris Shmelyev?"}\n', encoding="utf-8")
    out = tmp_path / "run"
    proc = run_citebot(["eval", str(qfile), "--out", str(out), "--sweep"], seed_data_dir)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["n1", "n2", "n3", "x\ud800"]  # the lone surrogate written escaped, read back as given
    m = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert m["answer_correct"] == 1.0 and m["supporting_citation"] == 1.0 and m["refused_unanswerable"] == 1.0
    assert set(m["by_split"]) == {"1", '["a", "b"]', "test"}
    assert (out / "report.html").exists()


def test_cli_compare_help_and_bad_ids(tmp_path, public_run, broken_run):
    """In-process (no model load on these paths): compare, the group's help, an unknown id."""
    from click.testing import CliRunner

    from bot.cli import cli

    env = {"DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli, ["eval", "compare", str(public_run[1]), str(broken_run[1])], env=env)
    assert result.exit_code == 0, result.output
    text = flat(result.stdout)
    assert "refused unanswerable" in text and "questions changed outcome" in text and "answered an unanswerable question" in text
    assert text.index("worse") < text.index("better")  # regressions first

    result = CliRunner().invoke(cli, ["eval", "compare", str(public_run[1]), str(tmp_path)], env=env)
    assert result.exit_code == 1 and "not an eval run directory" in flat(result.stderr)
    result = CliRunner().invoke(cli, ["eval", "--help"], env=env)
    assert result.exit_code == 0 and "compare" in result.stdout and "run" in result.stdout
    result = CliRunner().invoke(cli, ["eval", str(EVALS / "questions.jsonl"), "--out", str(tmp_path / "x"), "--ids", "nope"], env=env)
    assert result.exit_code == 1 and "no question with id nope" in flat(result.stderr)
    bad_gate = tmp_path / "t.toml"
    bad_gate.write_text("[minimum]\nanswer_corect = 1\n")
    result = CliRunner().invoke(cli, ["eval", str(EVALS / "questions.jsonl"), "--out", str(tmp_path / "x"), "--gate", str(bad_gate)], env=env)
    assert result.exit_code == 1 and "unknown metric 'answer_corect'" in flat(result.stderr)


def test_compare_a_run_without_outcomes(public_run, tmp_path):
    """Runs written before rows carried `outcome` compare on answered / refused."""
    result, run_a = public_run
    old = tmp_path / "old"
    old.mkdir()
    rows = [{k: v for k, v in r.items() if k not in ("outcome", "verbatim")} for r in result.results]
    flipped = next(r for r in rows if r["refused"])
    flipped["refused"] = False
    (old / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (old / "metrics.json").write_text(json.dumps(result.metrics), encoding="utf-8")
    diff = compare.compare(old, run_a)
    assert [c.id for c in diff.changed] == [flipped["id"]]
    assert (diff.changed[0].a, diff.changed[0].b) == (metrics.OUTCOMES["answered"], metrics.OUTCOMES["refused"])
