"""bot.evaluate.run: the question-file format and the results contract of EVAL_FORMAT.md."""

from __future__ import annotations

import json

import pytest

from bot.evaluate.metrics import LABELS
from bot.evaluate.run import QuestionFileError, load_questions, run, select
from conftest import EVALS, MACRON_Q, SHMELYEV_Q, SHMELYEV_SOURCE

ROW_FIELDS = {"id", "question", "answer", "refused", "citations", "latency_ms"}
CITATION_FIELDS = {"source", "title", "date", "url", "quote", "start", "end"}
METRIC_KEYS = {"questions", "answerable", "unanswerable"} | {k for k, _ in LABELS}

QUESTIONS = [
    {"id": "a1", "question": SHMELYEV_Q, "answerable": True, "expected": [["Svobodnaya Pressa"]],
     "evidence": [{"doc": "002", "quote": "\"Svobodnaya Pressa\" interviewed Boris Shmelyev"}]},
    {"id": "c1", "turns": [
        {"question": SHMELYEV_Q, "answerable": True, "expected": [["Svobodnaya Pressa"]], "evidence": []},
        {"question": "What was Tikhanyovski sentenced to?", "answerable": True, "expected": [["18 years"]], "evidence": []},
        {"question": MACRON_Q, "answerable": False, "expected": [], "evidence": []}]},
    {"id": 7, "question": "How many political prisoners did Lukashenko release on December 13?"},
    {"id": "u1", "question": MACRON_Q, "answerable": False, "expected": [], "evidence": []},
    {"id": "zz-last", "question": "What was Tikhanyovski sentenced to?", "answerable": True, "expected": [["18 years"]],
     "evidence": [{"doc": "000", "quote": "Tikhanyovski was sentenced to 18 years in prison"}]},
]


def write_jsonl(path, rows) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture(scope="module")
def eval_run(answerer, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("eval")
    qfile = tmp / "questions.jsonl"
    write_jsonl(qfile, QUESTIONS)
    progress = []
    result = run(answerer, load_questions(qfile), tmp / "out", progress=lambda done, total: progress.append((done, total)))
    out = [json.loads(line) for line in (tmp / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    metrics = json.loads((tmp / "out" / "metrics.json").read_text(encoding="utf-8"))
    return result, out, metrics, progress


def check_answer_row(answerer, row) -> None:
    assert ROW_FIELDS - {"id"} <= set(row), set(row)
    assert isinstance(row["answer"], str) and row["answer"]
    assert isinstance(row["refused"], bool)
    assert isinstance(row["latency_ms"], (int, float)) and row["latency_ms"] > 0
    if row["refused"]:
        assert row["citations"] == []
    for c in row["citations"]:
        assert CITATION_FIELDS <= set(c)
        article = answerer.library.articles[c["source"]]
        assert article.text[c["start"] : c["end"]] == c["quote"]
        assert c["title"] == article.title and c["url"] == article.url and c["date"] == article.date


def test_one_row_per_id_in_order(eval_run):
    _, out, _, progress = eval_run
    assert [r["id"] for r in out] == [q["id"] for q in QUESTIONS]  # ids kept as given (7 stays an int)
    assert progress[-1] == (5, 5) and len(progress) == 5


def test_plain_rows_have_the_contract_fields(answerer, eval_run):
    _, out, _, _ = eval_run
    by_id = {r["id"]: r for r in out}
    for q in QUESTIONS:
        if "turns" in q:
            continue
        row = by_id[q["id"]]
        assert ROW_FIELDS <= set(row)
        assert row["question"] == q["question"]
        check_answer_row(answerer, row)
    a1 = by_id["a1"]
    assert not a1["refused"] and "Svobodnaya Pressa" in a1["answer"]
    assert a1["citations"][0]["source"] == SHMELYEV_SOURCE
    assert by_id["u1"]["refused"] and by_id["u1"]["answer"].startswith("I can't answer that")
    assert "123" in by_id[7]["answer"]
    assert all("verbatim" not in r for r in out)  # internal bookkeeping stays out of the file


def test_turn_rows(answerer, eval_run):
    _, out, _, _ = eval_run
    c1 = next(r for r in out if r["id"] == "c1")
    assert set(c1) == {"id", "turns"}
    turns = QUESTIONS[1]["turns"]
    assert len(c1["turns"]) == len(turns)
    for row, turn in zip(c1["turns"], turns):
        check_answer_row(answerer, row)
        assert row["question"] == turn["question"]
        assert row["rewritten"] == turn["question"]  # standalone questions: nothing to rewrite
    assert "Svobodnaya Pressa" in c1["turns"][0]["answer"]
    assert "18 years" in c1["turns"][1]["answer"]
    assert c1["turns"][2]["refused"]


def test_metrics_file(eval_run):
    result, _, metrics, _ = eval_run
    assert result.metrics == metrics
    assert METRIC_KEYS <= set(metrics)
    # plain rows only: a1, 7 (unlabelled), u1, zz-last
    assert metrics["questions"] == 4 and metrics["answerable"] == 2 and metrics["unanswerable"] == 1
    assert metrics["answer_correct"] == 1.0
    assert metrics["supporting_citation"] == 1.0
    assert metrics["refused_unanswerable"] == 1.0 and metrics["false_refusal"] == 0.0
    assert metrics["answered_rate"] == 0.75
    assert metrics["verbatim_quote_rate"] == 1.0
    turns, follow = metrics["turns"], metrics["follow_up_turns"]
    assert METRIC_KEYS <= set(turns) and METRIC_KEYS <= set(follow)
    assert turns["questions"] == 3 and turns["answer_correct"] == 1.0 and turns["refused_unanswerable"] == 1.0
    assert follow["questions"] == 2 and follow["answerable"] == 1 and follow["unanswerable"] == 1


def test_unlabelled_only_file(answerer, tmp_path):
    qfile = tmp_path / "bare.jsonl"
    write_jsonl(qfile, [{"id": "b1", "question": SHMELYEV_Q}, {"id": "b2", "question": MACRON_Q}])
    result = run(answerer, load_questions(qfile), tmp_path / "out")
    m = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert m["questions"] == 2 and m["answered_rate"] == 0.5
    for key in ("answerable", "answer_correct", "supporting_citation", "citation_precision", "refused_unanswerable", "false_refusal"):
        assert m[key] is None, key
    assert "turns" not in m
    assert [r["id"] for r in result.results] == ["b1", "b2"]


def test_a_file_saved_with_a_bom_and_windows_line_ends_reads_as_any_other(tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_bytes('{"id": 7, "question": "Who?"}\r\n\r\n{"id": "b", "question": "Whät?"}\r\n'.encode("utf-8-sig"))
    rows = load_questions(f)
    assert [r["id"] for r in rows] == [7, "b"] and rows[1]["question"] == "Whät?"


# --- load_questions errors ----------------------------------------------------------------------
def test_invalid_json_names_the_line(tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "1", "question": "ok"}\n\n{not json}\n', encoding="utf-8")
    with pytest.raises(QuestionFileError, match=r":3:") as err:
        load_questions(f)
    assert "JSON" in str(err.value) and str(f) in str(err.value)


def test_missing_id(tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "1", "question": "ok"}\n{"question": "no id"}\n', encoding="utf-8")
    with pytest.raises(QuestionFileError, match=r":2:.*id"):
        load_questions(f)


@pytest.mark.parametrize("value", ["null", "true", "[1]", '{"a": 1}'])
def test_an_id_that_is_not_a_string_or_number_names_the_line(tmp_path, value):
    """EVAL_FORMAT.md: `id` is required; null (or an id that is no string or number) is no id."""
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "1", "question": "ok"}\n{"id": ' + value + ', "question": "q"}\n', encoding="utf-8")
    with pytest.raises(QuestionFileError, match=r":2: \"id\" must be a string or a number, not ") as err:
        load_questions(f)
    assert str(err.value).endswith(json.dumps(json.loads(value)))


def test_every_invalid_line_is_reported_at_once(tmp_path):
    """Not one error a run: all of them (up to 20, then a count), and no question is kept."""
    f = tmp_path / "q.jsonl"
    bad = ['{"id": "1", "question": "ok"}', "{oops", '{"id": null, "question": "q"}', '{"id": "3", "question": "ok"}',
           '{"id": "4", "question": "q", "answerable": "maybe"}', '{"id": "5", "turns": "nope"}']
    f.write_text("\n".join(bad) + "\n", encoding="utf-8")
    with pytest.raises(QuestionFileError) as err:
        load_questions(f)
    lines = str(err.value).split("\n")
    assert lines[0] == f"{f}: 4 lines are not valid questions:"
    assert [line.split(": ", 1)[0] for line in lines[1:]] == [f"{f}:2", f"{f}:3", f"{f}:5", f"{f}:6"]

    f.write_text("".join('{"id": %d}\n' % n for n in range(1, 26)), encoding="utf-8")  # 25 rows without a question
    with pytest.raises(QuestionFileError) as err:
        load_questions(f)
    lines = str(err.value).split("\n")
    assert lines[0] == f"{f}: 25 lines are not valid questions:" and lines[-1] == "… and 5 more"
    assert [line.split(": ", 1)[0] for line in lines[1:-1]] == [f"{f}:{n}" for n in range(1, 21)]


def test_a_repeated_id_is_answered_again_with_a_warning(tmp_path, caplog):
    """EVAL_FORMAT.md: assume nothing about ids. A repeated id (and 1 beside "1") is not an
    error: every row is answered, in file order, and the log names the lines."""
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "q1", "question": "a"}\n{"id": 1, "question": "b"}\n{"id": "1", "question": "b2"}\n'
                 '{"id": "q1", "question": "c"}\n', encoding="utf-8")
    with caplog.at_level("WARNING"):
        rows = load_questions(f)
    assert [(r["id"], r["question"]) for r in rows] == [("q1", "a"), (1, "b"), ("1", "b2"), ("q1", "c")]
    assert [m for m in caplog.messages if "q1" in m and ":4:" in m and "line 1" in m]
    assert not [m for m in caplog.messages if "'1'" in m]  # 1 and "1" are different ids


def test_compare_keeps_rows_of_a_repeated_id_apart():
    from bot.evaluate.compare import _flatten

    rows = [{"id": "q1", "answer": "a"}, {"id": "q1", "answer": "c"}, {"id": "c", "turns": [{"answer": "t"}]},
            {"id": "c", "turns": [{"answer": "u"}]}]
    assert {k: r["answer"] for k, r in _flatten(rows).items()} == {"q1": "a", "q1@2": "c", "c#1": "t", "c@2#1": "u"}


def test_lines_split_only_at_newlines(tmp_path):
    """JSON allows U+2028, U+2029 and U+0085 unescaped inside a string: they do not end a line."""
    f = tmp_path / "q.jsonl"
    question = "Who said \u2028this\u2029 and \u0085that?"
    f.write_text(json.dumps({"id": "x", "question": question}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert [r["question"] for r in load_questions(f)] == [question]


def test_labels_given_loosely_are_read_as_meant(tmp_path):
    f = tmp_path / "q.jsonl"
    rows = [{"id": 1, "question": "a", "answerable": "false"}, {"id": 2, "question": "b", "answerable": "True", "expected": ["Tokyo Tower", "Tokyo"]},
            {"id": 3, "question": "c", "answerable": None, "expected": "Minsk"},
            {"id": 4, "turns": [{"question": "d", "answerable": "true", "expected": [["x"], "y"]}]}]
    f.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    got = load_questions(f)
    assert got[0]["answerable"] is False and got[1]["answerable"] is True
    assert got[1]["expected"] == [["Tokyo Tower"], ["Tokyo"]]  # a flat list: one group per string
    # null is unlabelled, but an expected answer says there is one (each field is optional on its own)
    assert got[2]["answerable"] is True and got[2]["expected"] == [["Minsk"]]
    assert got[3]["turns"][0]["answerable"] is True and got[3]["turns"][0]["expected"] == [["x"], ["y"]]


@pytest.mark.parametrize("labels", ['"answerable": 3', '"answerable": "maybe"', '"expected": 5', '"expected": [[1]]', '"evidence": "004"'])
def test_labels_of_another_shape_name_the_line(tmp_path, labels):
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "1", "question": "ok"}\n{"id": "2", "question": "q", ' + labels + '}\n', encoding="utf-8")
    with pytest.raises(QuestionFileError, match=r":2:"):
        load_questions(f)


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file(tmp_path, content):
    f = tmp_path / "q.jsonl"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(QuestionFileError, match="no questions"):
        load_questions(f)


@pytest.mark.parametrize(
    "line",
    ['["a list"]', '{"id": "1"}', '{"id": "1", "question": 5}', '{"id": "1", "turns": "nope"}', '{"id": "1", "turns": [{"q": "x"}]}',
     # rows the results could not hold or score
     '{"id": 1e400, "question": "q"}', '{"id": "c", "turns": []}', '{"id": "e", "question": "q", "evidence": [{"doc": "000", "quote": 7}]}'],
)
def test_malformed_rows(tmp_path, line):
    f = tmp_path / "q.jsonl"
    f.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(QuestionFileError, match=r":1:"):
        load_questions(f)


def test_an_empty_evidence_item_is_a_placeholder_left_out(tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "u", "question": "q", "answerable": false, "evidence": [{"doc": "", "quote": ""}, {}]}\n', encoding="utf-8")
    row = load_questions(f)[0]
    assert row["evidence"] == [] and row["answerable"] is False


def test_missing_file(tmp_path):
    with pytest.raises(QuestionFileError):
        load_questions(tmp_path / "nope.jsonl")


def test_only_id_and_question_are_required(tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "x", "question": "Who?"}\r\n{"id": 2, "question": "What?", "extra": {"any": 1}}\n', encoding="utf-8")
    rows = load_questions(f)
    assert [r["id"] for r in rows] == ["x", 2]
    assert rows[1]["extra"] == {"any": 1}


# --- the run's extra fields, selection, parallel answering -----------------------------------------
def test_rows_carry_score_outcome_and_retrieval_rank(eval_run):
    result, out, _, _ = eval_run
    by_id = {r["id"]: r for r in out}
    a1, u1, bare = by_id["a1"], by_id["u1"], by_id[7]
    assert a1["outcome"] == "correct" and u1["outcome"] == "refused_ok" and bare["outcome"] == "answered"
    assert a1["retrieval_rank"] is not None and 1 <= a1["retrieval_rank"] <= 10
    assert "retrieval_rank" not in u1 and "retrieval_rank" not in bare  # no evidence, nothing to find
    from bot.scoring import SupportModel

    threshold = SupportModel.load().with_reader().threshold  # the shipped model's operating point (reader on)
    assert threshold <= a1["p_answerable"] <= 1 and a1["p_answerable"] == a1["support"]["p_answerable"]
    turns = by_id["c1"]["turns"]
    assert [t["outcome"] for t in turns] == ["correct", "correct", "refused_ok"]
    assert result.metrics["operating_threshold"] == pytest.approx(threshold)
    assert set(result.metrics["ci"]) >= {"answer_correct", "refused_unanswerable", "hit_at_5"}


def test_select_by_ids_and_limit():
    qs = [{"id": i, "question": "?"} for i in ("a", "b", 3, "d")]
    assert [q["id"] for q in select(qs, ["d", "3"])] == [3, "d"]  # file order, ids compared as text
    assert [q["id"] for q in select(qs, limit=2)] == ["a", "b"]
    assert [q["id"] for q in select(qs, ["d", "a", "b"], limit=2)] == ["a", "b"]
    assert select(qs) == qs
    with pytest.raises(QuestionFileError, match="no question with id zz, yy"):
        select(qs, ["a", "zz", "yy"])


def _comparable(row: dict) -> dict:
    """A results row without the wall-clock fields."""
    if "turns" in row:
        return {"id": row["id"], "turns": [_comparable(t) for t in row["turns"]]}
    return {k: v for k, v in row.items() if k not in ("latency_ms", "timings")}


def test_parallel_answering_gives_the_serial_rows(answerer, tmp_path):
    public = load_questions(EVALS / "questions.jsonl")
    picked = public[::12] + [q for q in public if not q["answerable"]][:4] + [QUESTIONS[1]]
    serial = run(answerer, picked, tmp_path / "serial")
    parallel = run(answerer, picked, tmp_path / "parallel", jobs=4)
    assert [_comparable(r) for r in parallel.results] == [_comparable(r) for r in serial.results]
    assert any(r.get("refused") for r in serial.results) and any(r.get("refused") is False for r in serial.results)
    for key in ("answer_correct", "refused_unanswerable", "supporting_citation", "hit_at_5", "ci"):
        assert parallel.metrics[key] == serial.metrics[key], key


def test_conversation_turn_rows_carry_the_id_their_wall_time_and_the_question_as_asked(answerer, tmp_path):
    """A turn row has the fields of a results row (its row's id too); `latency_ms` is the turn's
    wall time, rewriting included (at least the answer's own time); `rewritten` equals the
    question as asked when nothing was rewritten, spacing and all."""
    from bot.conversation import Conversation, Rewriter

    rewriter = Rewriter.for_answerer(answerer)
    asked = "Which outlet  interviewed Boris Shmelyev?"
    qfile = tmp_path / "c.jsonl"
    write_jsonl(qfile, [{"id": "c9", "turns": [{"question": asked}, {"question": "What academic degree does he hold?"}]}])
    result = run(answerer, load_questions(qfile), tmp_path / "out", conversation_factory=lambda: Conversation(answerer, rewriter=rewriter))
    (row,) = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    first, second = row["turns"]
    assert first["id"] == second["id"] == "c9"
    assert first["rewritten"] == asked and second["rewritten"] != second["question"]  # "he" is Shmelyev
    for turn in (first, second):
        assert turn["latency_ms"] >= turn["timings"]["total_ms"] > 0
    assert result.metrics["follow_up_turns"]["questions"] == 1


def test_the_first_question_is_answered_once_before_the_timed_run(answerer, tmp_path, monkeypatch):
    """latency_ms is measured with the index loaded: one unrecorded answer first, then every
    question once, rows unchanged."""
    asked = []
    real = type(answerer).ask

    def ask(self, question, *args, **kwargs):
        if self is answerer:  # not the permissive copy that learns what a refusal would answer
            asked.append(question)
        return real(self, question, *args, **kwargs)

    monkeypatch.setattr(type(answerer), "ask", ask)
    qfile = tmp_path / "q.jsonl"
    write_jsonl(qfile, [QUESTIONS[0], QUESTIONS[3]])
    result = run(answerer, load_questions(qfile), tmp_path / "out")
    assert asked == [SHMELYEV_Q, SHMELYEV_Q, MACRON_Q]
    assert [r["id"] for r in result.results] == ["a1", "u1"]
