"""`citebot doctor` against the session index, an empty data dir, a stale corpus and a dead server."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess

from conftest import CITEBOT, CORPUS, cli_env, flat


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_doctor_reports_a_healthy_index(run_citebot, seed_data_dir, model_cache, tmp_path):
    result = run_citebot(["doctor", "--corpus", str(CORPUS)], seed_data_dir)
    out = flat(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"embedded at {seed_data_dir / 'chroma'}" in out
    assert "all-MiniLM-L6-v2" in out
    assert "5 articles" in out and "chunks" in out and "sentences" in out
    assert "up to date" in out
    assert "search with ef_search 400" in out
    # the setting changed after the index was built: the index keeps its own value, and says so
    env = cli_env(seed_data_dir, model_cache, HNSW_EF_SEARCH="250")
    other = subprocess.run([str(CITEBOT), "doctor", "--json", "--corpus", str(CORPUS)], capture_output=True, text=True,
                           env=env, cwd=tmp_path, timeout=180)
    assert other.returncode == 0, other.stdout + other.stderr
    facts = json.loads(other.stdout)
    assert facts["hnsw_ef_search"] == {"chunks": 400, "sentences": 400}
    assert any(c["name"] == "hnsw" and "HNSW_EF_SEARCH is 250" in c["detail"] and "--rebuild" in c["detail"] for c in facts["checks"])


def test_doctor_json_and_stale_corpus(run_citebot, seed_data_dir, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(CORPUS.glob("*.txt"))[:2]:
        shutil.copy(path, corpus)
    (corpus / "new.txt").write_text("A new title\n\nA new article about something else.\n", encoding="utf-8")
    result = run_citebot(["doctor", "--json", "--corpus", str(corpus)], seed_data_dir)
    assert result.returncode == 1, result.stdout + result.stderr
    facts = json.loads(result.stdout)
    assert facts["mode"] == "embedded" and facts["articles"] == 5 and facts["chunks"] > 0
    assert (facts["new"], facts["changed"], facts["removed"]) == (1, 0, 3)
    assert any(c["name"] == "freshness" and c["status"] == "warn" and "citebot ingest" in c["detail"] for c in facts["checks"])


def test_doctor_without_an_index(run_citebot, tmp_path):
    result = run_citebot(["doctor", "--corpus", str(CORPUS)], tmp_path / "empty")
    assert result.returncode == 2
    assert "no index yet" in flat(result.stdout) and "citebot ingest" in result.stdout


def test_reading_commands_leave_a_data_dir_without_an_index_as_it_was(run_citebot, tmp_path):
    """doctor and ask on a DATA_DIR nothing was ingested into (a mistyped path) say there is no
    index and create nothing there; ask --json says it in JSON on stdout."""
    data = tmp_path / "typo" / "deep"
    assert run_citebot(["doctor"], data).returncode == 2
    result = run_citebot(["ask", "--json", "Who?"], data)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    said = json.loads(result.stdout)
    assert said["error"] == "no_index" and "citebot ingest" in said["message"] and said["question"] == "Who?"
    assert not (tmp_path / "typo").exists()


def test_server_down_gives_a_clear_message_and_non_zero_exit(model_cache, tmp_path):
    env = cli_env(tmp_path / "data", model_cache, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(_free_port()))
    doctor = subprocess.run([str(CITEBOT), "doctor"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert doctor.returncode == 3
    assert "chroma run" in flat(doctor.stdout) and "Traceback" not in doctor.stdout + doctor.stderr
    ask = subprocess.run([str(CITEBOT), "ask", "Who?"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert ask.returncode == 3
    assert "chroma run" in flat(ask.stderr) and "Traceback" not in ask.stderr
