"""The installed `citebot` command, as a user runs it (subprocesses: kept few, each costs ~10 s).

`citebot eval` is covered in-process by test_eval.py (same `run()` the command calls)
to stay within the subprocess budget.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CITEBOT, CORPUS, SHMELYEV_Q, SHMELYEV_SOURCE, cli_env, flat, terminate_when
from fake_bot_api import TOKEN, FakeBotAPI
from index.corpus import read_article

GOOD = "003_a249e923c2b6cff2.txt"


def test_ingest_reports_and_skips_bad_files(tmp_path, run_citebot, embed, make_settings):
    corpus = tmp_path / "corpus [red]"  # brackets in paths and file names are printed, not read as markup
    corpus.mkdir()
    shutil.copy(CORPUS / GOOD, corpus)
    (corpus / "empty [bold].txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    data = tmp_path / "data"
    stale = data / "lexicon" / "all-MiniLM-L6-v2-int8"  # an earlier embedding model's word vectors
    stale.mkdir(parents=True)
    (stale / "words.txt").write_text("prisoner", encoding="utf-8")
    proc = run_citebot(["ingest", "--corpus", str(corpus)], data)
    assert proc.returncode == 0, proc.stderr
    out = flat(proc.stdout)
    assert "Indexed 1 article (" in out
    assert "1 added, 0 updated, 0 removed, 0 unchanged" in out
    assert "2 files skipped" in out
    err = flat(proc.stderr)
    assert "skipped empty [bold].txt: it is empty" in err
    assert "skipped binary.txt: it looks binary" in err
    assert "Traceback" not in proc.stderr
    # the index it wrote is usable: exactly the good article, with its cleaned text
    from bot import services

    records = services.store(make_settings(data)).article_records()
    assert list(records) == [GOOD]
    assert records[GOOD]["text"] == read_article(CORPUS / GOOD).text
    assert (data / "bm25" / "citebot.json").is_file()
    # the answerer's word vectors were prepared by the ingest, not left to the first question
    # (one cache per embedding model: int8 by default)
    words = (data / "lexicon" / "all-MiniLM-L6-v2-int8-exact" / "words.txt").read_text(encoding="utf-8").split("\n")
    assert "prisoner" in words and "DEBUG" not in proc.stderr
    assert not stale.exists()  # the index is this model's now: the other cache is deleted

    # a corpus left with no usable article (a mistyped --corpus, a failed sync) changes
    # nothing: the index keeps its article instead of being emptied
    (corpus / GOOD).unlink()
    proc = run_citebot(["ingest", "--corpus", str(corpus)], data)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    err = flat(proc.stderr)
    assert f"No usable articles in {corpus} (2 files skipped as unusable): nothing was indexed" in err
    assert "skipped empty [bold].txt: it is empty" in err
    assert list(services.store(make_settings(data)).article_records()) == [GOOD]


def test_ask_prints_answer_and_source(run_citebot, seed_data_dir):
    proc = run_citebot(["ask", SHMELYEV_Q], seed_data_dir)
    assert proc.returncode == 0, proc.stderr
    out = flat(proc.stdout)
    assert "Svobodnaya Pressa" in out
    assert SHMELYEV_SOURCE in out
    assert "[1]" in out
    assert "Belarus proposes a deal to the United States" in out  # the cited article's title
    assert "Traceback" not in proc.stderr
    # piped, lines are not wrapped: the verbatim quote is one line, as the article has it
    assert ('"Svobodnaya Pressa" interviewed Boris Shmelyev, a doctor of history, professor, and chief researcher at the '
            "Post-Soviet Studies Center of the Institute of Economics of the Russian Academy of Sciences.") in proc.stdout


def test_a_file_name_with_control_characters_is_shown_escaped_on_one_line():
    """A newline or ESC in a corpus file name would break (or colour) the citation line `ask`
    prints: it is shown escaped, as repr does; other names, non-ASCII ones too, as they are.
    The JSON (`ask --json`, eval rows) keeps the real name."""
    from io import StringIO

    from rich.console import Console

    from bot.answer import Answer, Citation
    from bot.render import print_answer

    odd, plain, bidi = "002_b4c17ae533b9d5da\nnext\x1b[31m\t\u2028.txt", "004_Минск_Klaipėda on\xa0it.txt", "evil\u202etxt.md"
    quote = '"Svobodnaya Pressa" interviewed Boris Shmelyev'
    answer = Answer(SHMELYEV_Q, quote, tuple(Citation(name, "A title", None, None, quote, 0, len(quote)) for name in (odd, plain, bidi)))
    out = StringIO()
    print_answer(Console(file=out, width=400, color_system=None), answer)
    lines = out.getvalue().splitlines()
    assert lines[1] == "[1] A title — '002_b4c17ae533b9d5da\\nnext\\x1b[31m\\t\\u2028.txt'"
    assert lines[3] == f"[2] A title — {plain}"  # a no-break space is printed as it is
    assert lines[5] == "[3] A title — 'evil\\u202etxt.md'" and len(lines) == 7  # a right-to-left override is not
    assert "\x1b" not in out.getvalue() and "\t" not in out.getvalue()
    assert [c["source"] for c in json.loads(json.dumps(answer.to_dict()))["citations"]] == [odd, plain, bidi]


def test_ask_says_how_it_read_a_mistyped_question(run_citebot, seed_data_dir):
    proc = run_citebot(["ask", "Which outlet intervewed Boris Shmelyev?"], seed_data_dir)
    assert proc.returncode == 0, proc.stderr
    out = flat(proc.stdout)
    assert out.startswith("Answering: Which outlet interviewed Boris Shmelyev?")
    assert "Svobodnaya Pressa" in out
    plain = flat(run_citebot(["ask", SHMELYEV_Q], seed_data_dir).stdout)
    assert "Answering:" not in plain  # typed right: nothing to say


def test_ask_json_prints_only_json(run_citebot, seed_data_dir):
    proc = run_citebot(["ask", "--json", "Which", "outlet", "interviewed", "Boris", "Shmelyev?"], seed_data_dir)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # nothing but JSON on stdout
    assert {"question", "answer", "refused", "citations", "latency_ms"} <= set(data)
    assert data["question"] == SHMELYEV_Q  # the words are joined back into one question
    assert data["refused"] is False and "Svobodnaya Pressa" in data["answer"]
    assert isinstance(data["latency_ms"], (int, float)) and data["latency_ms"] > 0
    (c,) = data["citations"]
    assert {"source", "title", "date", "url", "quote", "start", "end"} <= set(c)
    assert c["source"] == SHMELYEV_SOURCE
    article = read_article(CORPUS / c["source"])
    assert article.text[c["start"] : c["end"]] == c["quote"]
    assert c["url"] == article.url and c["title"] == article.title


def test_ask_of_no_question_exits_1_with_the_polite_message(run_citebot, seed_data_dir):
    """An empty or too long question got its message and exit 0, like an answer: a script could
    only tell them apart by --json's reason (fresh-eyes review)."""
    for args in (["ask", ""], ["ask", "   "], ["ask", "???"], ["ask", "--json", "x" * 5000]):
        proc = run_citebot(args, seed_data_dir)
        assert proc.returncode == 1, (args[:2], proc.stdout[-300:], proc.stderr[-300:])
        assert "Traceback" not in proc.stderr and proc.stdout.strip()
    assert json.loads(proc.stdout)["reason"] == "too_long"  # --json still prints the row
    assert run_citebot(["ask", "What did Macron say about the prisoner release?"], seed_data_dir).returncode == 0  # a refusal


def test_ask_without_an_index_says_how_to_build_it(tmp_path, run_citebot, embed):
    proc = run_citebot(["ask", "anything"], tmp_path / "empty-data")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "citebot ingest" in flat(proc.stderr)
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr


def test_eval_command_writes_results_and_prints_the_table(tmp_path, run_citebot, seed_data_dir):
    qfile = tmp_path / "q.jsonl"
    qfile.write_text(
        json.dumps({"id": "x1", "question": SHMELYEV_Q, "answerable": True, "expected": [["Svobodnaya Pressa"]], "evidence": []}) + "\n"
        + json.dumps({"id": "x2", "question": "What did Macron say about the prisoner release?", "answerable": False}) + "\n"
    )
    out = tmp_path / "run"
    proc = run_citebot(["eval", str(qfile), "--out", str(out)], seed_data_dir)
    assert proc.returncode == 0, proc.stderr
    text = flat(proc.stdout)
    assert "answer correct (answerable)" in text and "refused unanswerable" in text
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["x1", "x2"] and rows[1]["refused"]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["answer_correct"] == 1.0 and metrics["refused_unanswerable"] == 1.0
    assert (out / "report.html").is_file() and (out / "report.md").is_file()
    # --no-report into the same folder: the report of the run before would describe other results
    proc = run_citebot(["eval", str(qfile), "--out", str(out), "--no-report", "--ids", "x2"], seed_data_dir)
    assert proc.returncode == 0, proc.stderr
    assert not (out / "report.html").exists() and not (out / "report.md").exists()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{oops\n{"id": "x3", "question": "ok"}\n{"id": [null], "question": "q"}\n')
    proc = run_citebot(["eval", str(bad), "--out", str(out)], seed_data_dir)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    err = flat(proc.stderr)  # every bad line at once, the file's text shown as it is (not read as markup)
    assert "bad.jsonl:1: not valid JSON" in err and 'bad.jsonl:3: "id" must be a string or a number, not [null]' in err
    # an --out that cannot be written is found before any question is answered
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    proc = run_citebot(["eval", str(qfile), "--out", str(blocked / "sub")], seed_data_dir)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"Cannot write the results to {blocked / 'sub'}: Not a directory" in flat(proc.stderr)


def test_a_cold_ask_imports_neither_torch_nor_spacy(seed_data_dir, model_cache, tmp_path):
    """spaCy's import pulls in torch through thinc unless it is hidden (index/nlp.py): ~2 s and
    ~150 MB on every cold `citebot ask`. Any spaCy import on the ask path, even of its stop
    words, must go through index.nlp. With two cores spaCy is not imported in the process at
    all: a worker process parses the question while the index opens (≈ 1.7 s of a cold ask)."""
    import subprocess
    import sys

    from conftest import cli_env

    code = (
        "import sys\n"
        "from bot.cli import main\n"
        f"sys.argv = ['citebot', 'ask', {SHMELYEV_Q!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('TORCH', 'torch' in sys.modules and sys.modules['torch'] is not None, file=sys.stderr)\n"
        "print('SPACY', 'spacy' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8",
                          env=cli_env(seed_data_dir, model_cache), cwd=tmp_path, timeout=180)
    assert "Svobodnaya Pressa" in done.stdout, done.stderr[-2000:]
    assert "TORCH False" in done.stderr
    if (os.cpu_count() or 1) >= 2:  # the question is parsed in a worker process (index.nlp.QuestionWorker)
        assert "SPACY False" in done.stderr


def test_ctrl_c_while_the_command_line_imports_ends_without_a_traceback(tmp_path):
    """A Ctrl-C in the first few hundred milliseconds of `citebot …` lands in an import (click,
    pydantic), before the command line's own Ctrl-C handling: the console script's entry point
    (bot.entry) ends it the same way. The interrupt is raised by an import hook, at the import
    of click, so the test does not depend on timing."""
    import subprocess
    import sys
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "citebot"]
    assert script.value == "bot.entry:main"
    code = (
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'click':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "sys.argv = ['citebot', '--help']\n"
        "from bot.entry import main\n"
        "main()\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=60)
    assert done.returncode == 130 and done.stderr.strip() == "Interrupted.", done.stderr
    assert done.stdout == ""


@contextlib.contextmanager
def _as_from_a_terminal(args: list[str], env: dict, cwd: Path):
    """`citebot ARGS` in a session of its own (a process group to send SIGINT to, as a terminal
    does), with SIGINT as a terminal leaves it, whatever this test process got: a CI runner that
    starts jobs in the background starts them with SIGINT ignored, and a command inherits that.
    Killed if still running when the block ends."""
    proc = subprocess.Popen([str(CITEBOT), *args], env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_ctrl_c_during_an_eval_ends_with_one_line_and_status_130(seed_data_dir, model_cache, tmp_path):
    """A Ctrl-C no command handles itself (here: an eval answering its questions) ended with
    click's "Aborted!" and status 1; now one line and 130, as while loading. The interrupt is
    raised where the eval starts answering (its warm-up), through the console script's real
    entry point, so the test does not depend on timing (a SIGINT timed from outside landed in
    the loading on a slow machine, whose own message is another)."""
    import sys

    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "x1", "question": SHMELYEV_Q}) + "\n")
    out = tmp_path / "run"
    code = (
        "import sys\n"
        "import bot.evaluate.run as run\n"
        "def interrupted(*args, **kwargs):\n"
        "    raise KeyboardInterrupt\n"
        "run.warm_up = interrupted\n"
        f"sys.argv = ['citebot', 'eval', {str(questions)!r}, '--out', {str(out)!r}, '--no-report']\n"
        "from bot.entry import main\n"
        "main()\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], env=cli_env(seed_data_dir, model_cache), cwd=root,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 130 and done.stderr.strip().splitlines()[-1] == "Interrupted.", done.stderr[-2000:]
    assert "Aborted" not in done.stderr and "Traceback" not in done.stderr
    assert not (out / "results.jsonl").exists()  # nothing half-written


@pytest.mark.parametrize("args", [["ask", SHMELYEV_Q], ["ask", "--json", SHMELYEV_Q], ["repl"], ["telegram"]],
                         ids=["ask", "ask-json", "repl", "telegram"])
def test_ctrl_c_while_the_index_loads_ends_with_one_line_and_status_130(seed_data_dir, model_cache, tmp_path, args):
    """Ctrl-C while a command loads the index and models: click said "Aborted!" with status 1.
    The index is on a Chroma server that accepts the connection and never answers, so the
    command is surely loading (opening the index) when the test has accepted it; then SIGINT
    goes to the whole process group, as a terminal sends it (the spaCy worker of `ask` too).
    `telegram` checks the Bot API before it loads: a fake one answers getMe."""
    with socket.socket() as chroma, FakeBotAPI(TOKEN) as api:
        chroma.bind(("127.0.0.1", 0))
        chroma.listen()
        chroma.settimeout(120)
        env = cli_env(seed_data_dir, model_cache, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(chroma.getsockname()[1]),
                      TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.url)
        with _as_from_a_terminal(args, env, tmp_path) as proc:
            connection, _ = chroma.accept()
            with connection:  # unanswered until the command has ended
                os.killpg(proc.pid, signal.SIGINT)
                out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip() == "Interrupted — nothing was changed."
    if "--json" in args:  # scripts reading --json get JSON either way
        assert json.loads(out) == {"question": SHMELYEV_Q, "error": "interrupted", "message": err.strip()}
    else:
        assert out == ""


def test_a_setting_of_the_wrong_kind_is_one_line_naming_it(tmp_path, model_cache):
    import subprocess

    from conftest import CITEBOT, cli_env

    env = {**cli_env(tmp_path / "data", model_cache), "CHROMA_PORT": "abc", "MAX_QUESTION_CHARS": "many"}
    proc = subprocess.run([str(CITEBOT), "ask", "Who?"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert proc.returncode == 78 and "Traceback" not in proc.stderr and proc.stdout == ""  # EX_CONFIG
    err = flat(proc.stderr)
    assert "Invalid setting CHROMA_PORT: Input should be a valid integer" in err and "(got 'abc')" in err
    assert "Invalid setting MAX_QUESTION_CHARS" in err and "(got 'many')" in err


def test_first_ingest_on_a_fresh_machine_names_each_skipped_entry_once_and_no_export_warnings(tmp_path):
    """The first ingest with no ONNX export cached makes it: the third-party warnings of that
    export (torch's TracerWarning, sentence-transformers' "Saving the exported ONNX model is
    heavily recommended …") are not shown. A copy of another file (whose chunk ids would collide
    with the original's: Chroma's DuplicateIDError), an empty file and a subdirectory are each
    named once on stderr, in the summary, not again as a log line."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    original = "000_979f3109055ecc6f.txt"
    for name in (original, SHMELYEV_SOURCE):
        shutil.copy(CORPUS / name, corpus)
    shutil.copy(CORPUS / original, corpus / "000_copy.txt")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "older").mkdir()
    (corpus / "older" / "inner.txt").write_text("Inner title\n\nA sentence in a subdirectory.\n", encoding="utf-8")
    data = tmp_path / "data"
    env = cli_env(data, tmp_path / "fresh-model-cache")
    proc = subprocess.run([str(CITEBOT), "ingest", "--corpus", str(corpus)], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "fresh-model-cache" / "all-MiniLM-L6-v2-onnx-int8" / "onnx" / "model.onnx").is_file()
    assert "Indexed 2 articles (2 added" in flat(proc.stdout) and "3 files skipped" in proc.stdout
    err = flat(proc.stderr)
    assert f"skipped 000_copy.txt: it has the same content as {original}, which is indexed instead (a duplicate)" in err
    assert "skipped older: it is a directory (subdirectories are not read" in err
    for name in ("000_copy.txt", "empty.txt", "older"):
        assert err.count(f"skipped {name}:") == 1, err
    for noise in ("TracerWarning", "heavily recommended", "Exporting the model to ONNX", "WARNING", "Traceback"):
        assert noise not in err, err
    assert "inner.txt" not in err

    # a file given as the corpus is said to be one; doctor with a --corpus that does not exist is
    # not healthy (1), where it said "freshness not checked" and exited 0
    proc = subprocess.run([str(CITEBOT), "ingest", "--corpus", str(corpus / original)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and "is a file, not a directory" in flat(proc.stderr) and "not found" not in proc.stderr
    assert subprocess.run([str(CITEBOT), "doctor", "--corpus", str(corpus)], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120).returncode == 0
    for missing, said in ((tmp_path / "nope", "Corpus directory not found"), (corpus / original, "is a file, not a directory")):
        proc = subprocess.run([str(CITEBOT), "doctor", "--json", "--corpus", str(missing)], capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=120)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        facts = json.loads(proc.stdout)
        assert facts["exit_code"] == 1
        assert [c["status"] for c in facts["checks"] if c["name"] == "corpus"] == ["fail"]
        assert any(said in c["detail"] for c in facts["checks"] if c["name"] == "corpus")


def test_an_interrupted_first_ingest_says_there_is_no_index_yet(tmp_path, make_settings, model_cache):
    """SIGTERM (or Ctrl-C) during the first ingest into an empty DATA_DIR: there is no previous
    index to keep answering, so the message says there is none yet and the next ingest finishes
    it — which it does, resuming."""
    from bot import services

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = sorted(CORPUS.glob("*.txt"))
    for p in seeds:
        shutil.copy(p, corpus)
    for i in range(10):  # distinct articles, cheap to make
        (corpus / f"9{i:02d}_variant.txt").write_text(
            seeds[i % len(seeds)].read_text(encoding="utf-8") + f"\nAn added closing line number {i}.\n", encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    env = cli_env(settings.data_dir, model_cache, INGEST_BATCH_ARTICLES="1")
    proc = subprocess.Popen([str(CITEBOT), "ingest", "--corpus", str(corpus)], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    watcher = None

    def filling() -> bool:  # the first generation is being built and has an article
        nonlocal watcher
        if watcher is None and (settings.data_dir / "ingest.lock").exists():
            watcher = services.store(settings)
        building = watcher.building() if watcher is not None else None
        return bool(building and watcher.article_hashes(building["generation"]))

    err = terminate_when(proc, filling, "the first generation filling")
    assert proc.returncode == 130, err[-2000:]
    said = flat(err)
    assert "No index exists yet" in said and "run `citebot ingest` again to finish it" in said, said
    assert "previous index" not in said and "Traceback" not in err
    assert watcher.pointer() is None
    done = subprocess.run([str(CITEBOT), "ingest", "--corpus", str(corpus)], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Indexed 15 articles" in flat(done.stdout) and "resumed an interrupted ingest" in flat(done.stdout)


def test_calibrate_on_too_few_labelled_questions_says_so(tmp_path, run_citebot, seed_data_dir):
    """No labels (or one kind only) crashed with a numpy TypeError or sklearn's "only one class"."""
    questions = tmp_path / "few.jsonl"
    questions.write_text(
        '{"id": 1, "question": "Who?"}\n'
        '{"id": 2, "question": "Which outlet interviewed Boris Shmelyev?", "answerable": true, "expected": [["Svobodnaya Pressa"]]}\n',
        encoding="utf-8",
    )
    out = tmp_path / "model.json"
    proc = run_citebot(["calibrate", str(questions), "--out", str(out)], seed_data_dir)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-500:]
    err = flat(proc.stderr)
    assert "Nothing to fit: calibrate needs labelled questions" in err and "few.jsonl has 1 answerable" in err
    assert not out.exists()


def test_no_question_is_said_before_any_index_is_loaded(tmp_path, run_citebot):
    """`citebot ask ""` loaded the index (seconds at scale) to say "Please ask a question"; where
    there is no index it said how to build one instead."""
    for args in (["ask", ""], ["ask", "???"], ["ask", "--json", "x" * 5000]):
        proc = run_citebot(args, tmp_path / "no-index-here")
        assert proc.returncode == 1 and "citebot ingest" not in proc.stderr, (args[:2], proc.stderr[-300:])
        assert "Please ask a question" in proc.stdout or json.loads(proc.stdout)["reason"] == "too_long"
    assert not (tmp_path / "no-index-here").exists()
