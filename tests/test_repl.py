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
        encoding="utf-8", timeout=60, dimensions=(50, 200),
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
