"""Settings out of range or of an unknown kind: one line per setting through the CLI's handler
("Invalid setting NAME: … See .env.example.", exit 78, EX_CONFIG), never a traceback from deep inside
logging, llama-index or the ingest, and never silently ignored."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings
from conftest import CITEBOT, ROOT, cli_env, flat


def _citebot(args: list[str], tmp_path: Path, model_cache: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CITEBOT), *args], capture_output=True, text=True, encoding="utf-8",
        env=cli_env(tmp_path / "data", model_cache, **env), cwd=tmp_path, timeout=120,
    )


def _assert_invalid(proc: subprocess.CompletedProcess, tmp_path: Path, *expected: str) -> None:
    assert proc.returncode == 78, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Error:" not in proc.stderr, proc.stderr
    assert proc.stdout == ""
    err = flat(proc.stderr)
    for text in expected:
        assert text in err, err
    # one "Invalid setting" line per named setting, nothing else
    assert err.count("Invalid setting ") == err.count("See .env.example.") == len([e for e in expected if e.startswith("Invalid setting ")])
    assert not (tmp_path / "data").exists()  # refused before anything was touched


@pytest.mark.parametrize(
    "args,env,expected",
    [
        (["doctor"], {"LOG_LEVEL": "LOUD"},
         ["Invalid setting LOG_LEVEL: should be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (got 'LOUD')"]),
        (["ingest"], {"CHUNK_SIZE": "50", "CHUNK_OVERLAP": "60"},
         ["Invalid setting CHUNK_OVERLAP: should be less than CHUNK_SIZE (50) (got '60')"]),
        (["ingest"], {"CHUNK_SIZE": "0"}, ["Invalid setting CHUNK_SIZE: Input should be greater than or equal to 32 (got '0')"]),
        (["ingest"], {"CHUNK_SIZE": "-5"}, ["Invalid setting CHUNK_SIZE: Input should be greater than or equal to 32 (got '-5')"]),
        (["ingest"], {"CHUNK_OVERLAP": "-1"}, ["Invalid setting CHUNK_OVERLAP: Input should be greater than or equal to 0 (got '-1')"]),
        (["ingest", "--rebuild"], {"INGEST_BATCH_ARTICLES": "0"},
         ["Invalid setting INGEST_BATCH_ARTICLES: Input should be greater than or equal to 1 (got '0')"]),
        (["ingest"], {"EMBED_BACKEND": "foo"}, ["Invalid setting EMBED_BACKEND: Input should be 'onnx' or 'torch' (got 'foo')"]),
    ],
    ids=["log-level", "overlap-over-size", "chunk-size-0", "chunk-size-negative", "overlap-negative", "batch-0", "embed-backend"],
)
def test_a_bad_setting_is_one_line_not_a_traceback(tmp_path, model_cache, args, env, expected):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    if args[0] == "ingest":  # an empty corpus: nothing slow, even if the setting got through
        args = [*args, "--corpus", str(corpus)]
    _assert_invalid(_citebot(args, tmp_path, model_cache, **env), tmp_path, *expected)


def test_missing_support_model_and_reader_dir_are_named(tmp_path, model_cache):
    missing = tmp_path / "nowhere.json"
    proc = _citebot(["doctor"], tmp_path, model_cache, SUPPORT_MODEL=str(missing), READER_DIR=str(tmp_path / "no-reader"))
    _assert_invalid(
        proc, tmp_path,
        "Invalid setting SUPPORT_MODEL: file not found", f"(got '{missing}')",
        "Invalid setting READER_DIR: model.onnx not found in this folder (READER=0 switches the reader off)",
    )


def test_out_of_range_numbers_are_named(tmp_path, model_cache):
    proc = _citebot(
        ["doctor"], tmp_path, model_cache,
        DENSE_TOP_K="0", FUSED_TOP_K="-1", RRF_K="-1", EMBED_BATCH_SIZE="0", SUPPORT_THRESHOLD="1.5",
        ANSWER_THRESHOLD="-0.1", NAME_MATCH_RATIO="2", CHROMA_PORT="70000", MAX_ANSWER_WORDS="0",
    )
    _assert_invalid(
        proc, tmp_path,
        "Invalid setting DENSE_TOP_K: Input should be greater than or equal to 1 (got '0')",
        "Invalid setting FUSED_TOP_K: Input should be greater than or equal to 1 (got '-1')",
        "Invalid setting RRF_K: Input should be greater than or equal to 0 (got '-1')",
        "Invalid setting EMBED_BATCH_SIZE: Input should be greater than or equal to 1 (got '0')",
        "Invalid setting SUPPORT_THRESHOLD: Input should be less than or equal to 1 (got '1.5')",
        "Invalid setting ANSWER_THRESHOLD: Input should be greater than or equal to 0 (got '-0.1')",
        "Invalid setting NAME_MATCH_RATIO: Input should be less than or equal to 1 (got '2')",
        "Invalid setting CHROMA_PORT: Input should be less than or equal to 65535 (got '70000')",
        "Invalid setting MAX_ANSWER_WORDS: Input should be greater than or equal to 1 (got '0')",
    )


def test_log_level_is_case_insensitive_and_normalised():
    assert Settings(_env_file=None, log_level="debug").log_level == "DEBUG"
    assert Settings(_env_file=None, log_level=" Error ").log_level == "ERROR"
    # the other names Python's logging takes were valid before the check: still are
    assert Settings(_env_file=None, log_level="warn").log_level == "WARNING"
    assert Settings(_env_file=None, log_level="FATAL").log_level == "CRITICAL"
    with pytest.raises(ValidationError, match="LOUD"):
        Settings(_env_file=None, log_level="LOUD")


def test_support_model_and_reader_dir_accept_what_the_code_does(tmp_path):
    s = Settings(_env_file=None)  # defaults: bot/support_model.json, bot/reader_model
    assert s.support_model is None and s.reader_dir is None
    assert str(Settings(_env_file=None, support_model="none").support_model) == "none"
    assert str(Settings(_env_file=None, support_model="None").support_model) == "None"
    shipped = ROOT / "bot" / "support_model.json"
    assert Settings(_env_file=None, support_model=str(shipped)).support_model == shipped
    assert Settings(_env_file=None, reader_dir=str(ROOT / "bot" / "reader_model")).reader_dir == ROOT / "bot" / "reader_model"
    # empty (SUPPORT_MODEL= / READER_DIR= as in .env.example): the defaults, not the current directory
    assert Settings(_env_file=None, support_model="", reader_dir="").reader_dir is None
    # READER=0 switches the reader off whatever READER_DIR says
    assert Settings(_env_file=None, reader=False, reader_dir=str(tmp_path / "gone")).reader is False
    with pytest.raises(ValidationError, match="support_model"):
        Settings(_env_file=None, support_model=str(tmp_path / "missing.json"))
    with pytest.raises(ValidationError, match="support_model"):
        Settings(_env_file=None, support_model=str(tmp_path))  # a folder is not a model file
    with pytest.raises(ValidationError, match="reader_dir"):
        Settings(_env_file=None, reader_dir=str(tmp_path))  # exists, but holds no model.onnx


def test_defaults_and_documented_values_stay_valid():
    """Every value .env.example sets is accepted (and the defaults, by construction)."""
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.lower()] = value
    values.pop("data_dir", None), values.pop("corpus_dir", None)
    s = Settings(_env_file=None, **values)
    assert (s.chunk_size, s.chunk_overlap, s.embed_backend, s.log_level) == (160, 32, "onnx", "WARNING")
    # the edges the test suite and README use
    Settings(_env_file=None, index_check_seconds=0, sentence_scan_max=0, ingest_delta_fraction=0, chunk_size=32, chunk_overlap=31)
    with pytest.raises(ValidationError, match="chunk_overlap"):
        Settings(_env_file=None, chunk_size=64, chunk_overlap=64)


def test_new_checks_name_the_setting(tmp_path, model_cache):
    proc = _citebot(
        ["doctor"], tmp_path, model_cache,
        MAX_ARTICLE_BYTES="-5", LLM_BASE_URL="127.0.0.1:11434/v1", LLM_TIMEOUT_S="1e10", CHROMA_COLLECTION_PREFIX="a b",
        LLM_MAX_TOKENS="4000",
    )
    _assert_invalid(
        proc, tmp_path,
        # the alias the user set is named beside the setting's own name
        "Invalid setting MAX_FILE_BYTES / MAX_ARTICLE_BYTES: Input should be greater than 0 (got '-5')",
        # no scheme: every generative question would fall back, one at a time
        "Invalid setting LLM_BASE_URL: should be an http(s) URL, such as http://127.0.0.1:11434/v1",
        # a timeout the clock cannot add ("timestamp out of range" on every question)
        "Invalid setting LLM_TIMEOUT_S: Input should be less than or equal to 600",
        "Invalid setting CHROMA_COLLECTION_PREFIX:",
        # once silently asked for 400 instead
        "Invalid setting LLM_MAX_TOKENS: Input should be less than or equal to 400",
    )


def test_an_empty_value_is_the_default_not_the_working_directory(tmp_path):
    """CORPUS_DIR= would have been ".": an ingest from the project folder indexed README.md and
    SECURITY.md and removed every article. Empty is unset."""
    (tmp_path / ".env").write_text("CORPUS_DIR=\nDATA_DIR=\nCHROMA_COLLECTION_PREFIX=\nLLM_BASE_URL=\n", encoding="utf-8")
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        s = Settings()
    finally:
        os.chdir(cwd)
    assert (s.corpus_dir, s.data_dir, s.chroma_collection_prefix, s.llm_base_url) == (Path("corpus"), Path("data"), "citebot", None)


def test_a_broken_env_file_is_named_and_does_not_block_help(tmp_path, model_cache):
    (tmp_path / ".env").write_bytes(b"LOG_LEVEL=\xff\xfe\n")
    helped = _citebot(["ask", "--help"], tmp_path, model_cache)
    assert helped.returncode == 0 and "Usage: citebot ask" in helped.stdout, helped.stderr
    proc = _citebot(["ask", "Who?"], tmp_path, model_cache)
    assert proc.returncode == 78 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert flat(proc.stderr).strip() == "Invalid settings: .env is not UTF-8 text (invalid start byte at byte 10). See .env.example."
