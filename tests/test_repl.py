"""`citebot repl` driven like a person at a terminal (pexpect), and piped."""

from __future__ import annotations

import pytest

from conftest import CITEBOT, MACRON_Q, SHMELYEV_Q, SHMELYEV_SOURCE, cli_env, flat

SHMELYEV_URL = "https://www.toutiao.com/article/7561351465957212706/"
PROMPT = "citebot>"  # prompt_toolkit draws the trailing space as a cursor move


def test_repl_on_a_terminal(seed_data_dir, model_cache, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        str(CITEBOT), ["repl"], env=cli_env(seed_data_dir, model_cache, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1"), cwd=str(tmp_path),
        encoding="utf-8", timeout=60, dimensions=(50, 200), use_poll=True,  # select() fails past fd 1023
    )
    try:
        child.expect(r"citebot — 5 articles, \d+ chunks")  # the banner
        child.expect_exact(PROMPT)

        child.sendline(SHMELYEV_Q)
        child.expect_exact("Svobodnaya Pressa")
        child.expect_exact(SHMELYEV_SOURCE)  # the citation line under the answer
        child.expect_exact(PROMPT)

        child.sendline("/sources")
        child.expect_exact(SHMELYEV_SOURCE)
        child.expect_exact(SHMELYEV_URL)  # only /sources prints the url
        child.expect_exact(PROMPT)

        child.sendline(MACRON_Q)
        child.expect_exact("I can't answer that")
        child.expect_exact(PROMPT)

        child.sendline("/help")
        child.expect_exact("show the full passages behind the last answer")
        child.expect_exact(PROMPT)

        child.sendeof()  # Ctrl-D leaves cleanly
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, (child.exitstatus, child.signalstatus)


def test_a_history_file_that_cannot_be_written_costs_only_the_history(seed_data_dir, model_cache, tmp_path):
    """A folder where DATA_DIR/repl_history should be (as a read-only DATA_DIR or a file left
    owned by root would): prompt_toolkit's history failed on every line, inside the prompt, and
    no question was answered. Now one note, then the REPL works as ever."""
    import shutil

    pexpect = pytest.importorskip("pexpect")
    data = tmp_path / "data"
    shutil.copytree(seed_data_dir, data, ignore=shutil.ignore_patterns("repl_history"))
    (data / "repl_history").mkdir()
    child = pexpect.spawn(
        str(CITEBOT), ["repl"], env=cli_env(data, model_cache, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1"), cwd=str(tmp_path),
        encoding="utf-8", timeout=60, dimensions=(50, 200), use_poll=True,
    )
    try:
        child.expect_exact("Line history is not saved this session")
        child.expect_exact(PROMPT)
        child.sendline(SHMELYEV_Q)
        child.expect_exact("Svobodnaya Pressa")
        child.expect_exact(PROMPT)
        child.sendline(MACRON_Q)
        child.expect_exact("I can't answer that")
        child.expect_exact(PROMPT)
        child.sendeof()
        child.expect(pexpect.EOF)
        assert "Traceback" not in child.before and "Unhandled exception" not in child.before
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, (child.exitstatus, child.signalstatus)


def test_a_history_write_failing_later_is_noted_once(tmp_path):
    from bot.repl import _history

    notes: list[str] = []
    path = tmp_path / "repl_history"
    history = _history(path, notes.append)
    history.append_string("first question")
    assert "first question" in path.read_text(encoding="utf-8") and notes == []
    path.unlink()
    path.mkdir()  # the file gone, a folder in its place (a disk full fails the same way)
    history.append_string("second question")
    history.append_string("third question")
    assert len(notes) == 1 and "not saved" in notes[0]
    assert history.get_strings()[-1] == "third question"  # still kept for the session


def test_repl_piped_is_plain_text(run_citebot, seed_data_dir):
    proc = run_citebot(["repl"], seed_data_dir, input="/json\n" + SHMELYEV_Q + "\n/json\n/quit\n")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout and "\x1b[" not in proc.stderr
    out = flat(proc.stdout)
    assert "5 articles" in out
    assert "Svobodnaya Pressa" in out and SHMELYEV_SOURCE in out
    # /json before any answer says so (as /sources does), after one prints it
    assert "No answer yet: ask a question first." in out and '"refused": false' in proc.stdout
    assert proc.stdout.count(PROMPT + " ") == 4  # one prompt per line read
    assert "Traceback" not in proc.stderr


def test_commands_given_an_argument_they_do_not_take_say_so(run_citebot, seed_data_dir):
    """`/help me`, `/json foo` … answer with a usage line and do nothing else; `/quit now` does
    not quit (a typo should not end the session)."""
    lines = ["/help me", "/json foo", "/reset now", "/articles all", "/sources 1 2", "/sources ²", "/quit now", "/exit please", "/q!", "/QUIT"]
    proc = run_citebot(["repl"], seed_data_dir, input="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = flat(proc.stdout)
    for cmd in ("/help", "/json", "/reset", "/articles", "/quit", "/exit"):
        assert f"Usage: {cmd} on its own (it takes no argument)." in out, cmd
    assert out.count("Usage: /sources or /sources N (the citation number).") == 2  # "²" is a digit int() refuses
    assert "Unknown command '/q!'" in out
    # none of them acted: no help text, no "no answer yet", no reset, no article list
    assert "show the full passages" not in out and "No answer yet" not in out and "Conversation cleared" not in out
    assert "5 articles:" not in out and "No sources yet" not in out
    assert proc.stdout.count(PROMPT + " ") == len(lines)  # still reading after "/quit now"; "/QUIT" left
    assert "Traceback" not in proc.stderr


def test_sources_and_articles_show_a_file_name_with_control_characters_on_one_line():
    """/sources and /articles print the file name escaped (as repr does) when it holds a control
    character, as the citation line does; an ordinary name as it is."""
    from io import StringIO
    from types import SimpleNamespace

    from rich.console import Console

    from bot.answer import Answer, Citation
    from bot.render import print_articles, print_sources

    odd = "002_b4c17ae533b9d5da\nnext\x1b[31m.txt"
    text = "First paragraph.\n\nSvobodnaya Pressa interviewed Boris Shmelyev.\n\nLast paragraph."
    start = text.index("Svobodnaya")
    end = text.index("\n\nLast")
    article = SimpleNamespace(source=odd, title="", date=None, text=text)
    library = SimpleNamespace(articles={odd: article, SHMELYEV_SOURCE: SimpleNamespace(source=SHMELYEV_SOURCE, title="T", date=None)})
    answer = Answer("q", text[start:end], (Citation(odd, "A title", None, None, text[start:end], start, end),))
    out = StringIO()
    console = Console(file=out, width=400, color_system=None)
    print_sources(console, answer, library)
    print_articles(console, library)
    assert out.getvalue().splitlines() == [
        "[1] A title — '002_b4c17ae533b9d5da\\nnext\\x1b[31m.txt'",
        "    Svobodnaya Pressa interviewed Boris Shmelyev.",
        "2 articles:",
        "  1. '002_b4c17ae533b9d5da\\nnext\\x1b[31m.txt'",  # no title: the file name stands in
        "     '002_b4c17ae533b9d5da\\nnext\\x1b[31m.txt'",
        "  2. T",
        f"     {SHMELYEV_SOURCE}",
    ]
