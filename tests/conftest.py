"""Shared fixtures: one model, one seed index, one Answerer for the whole session.

Everything is real: the embedding model (ONNX export cached once per session in
MODEL_CACHE), embedded Chroma in temp dirs, spaCy, BM25. Nothing of citebot's own
code is mocked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
EVALS = ROOT / "evals"
CITEBOT = Path(sys.executable).parent / "citebot"
if not CITEBOT.exists():  # pragma: no cover - a venv without the console script
    CITEBOT = Path(shutil.which("citebot") or CITEBOT)

SHMELYEV_Q = "Which outlet interviewed Boris Shmelyev?"
SHMELYEV_SOURCE = "002_b4c17ae533b9d5da.txt"
MACRON_Q = "What did Macron say about the prisoner release?"

# Every Settings field can be overridden from the environment; a developer's shell
# (or CI) must not change what the tests see, so these are cleared for the session.
_SETTINGS_ENV = {name.upper() for name in Settings.model_fields}
# Colour forcing would defeat the "plain text when piped" checks.
_COLOUR_ENV = {"FORCE_COLOR", "CLICOLOR_FORCE", "PY_COLORS", "TTY_COMPATIBLE", "TTY_INTERACTIVE"}

_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def pytest_configure(config):
    # Emitted once by torch while exporting the embedding model to ONNX; not ours.
    config.addinivalue_line("filterwarnings", "ignore:torch.tensor results are registered as constants")


def flat(text: str) -> str:
    """Collapse whitespace (rich wraps long lines at the terminal width)."""
    return " ".join(text.split())


def strip_ansi(text: str) -> str:
    return _ANSI_RE.sub("", text)


def seed_files() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))


# --- environment ------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _release_embedded_chroma(request):
    """After a test, the embedded Chroma systems it opened in its own tmp_path are stopped:
    chromadb keeps one per path for the life of the process (sqlite, HNSW files), and the
    suite's hundreds of scratch indexes had held over a thousand file descriptors by its end.
    Only paths under the test's tmp_path: session and module fixtures keep theirs."""
    if "tmp_path" not in request.fixturenames:
        yield
        return
    mine = str(request.getfixturevalue("tmp_path"))  # now: torn down after this fixture
    yield
    from chromadb.api.shared_system_client import SharedSystemClient

    for identifier in [i for i in list(SharedSystemClient._identifier_to_system) if i.startswith(mine)]:
        SharedSystemClient._identifier_to_refcount.pop(identifier, None)
        system = SharedSystemClient._identifier_to_system.pop(identifier, None)
        if system is not None:
            try:
                system.stop()
            except Exception:  # noqa: BLE001 - a system half torn down by the test itself
                pass


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    """ONE cache dir for the ONNX export, shared by every test and subprocess."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="session", autouse=True)
def _hermetic_env(model_cache):
    mp = pytest.MonkeyPatch()
    for key in list(os.environ):
        if key.upper() in _SETTINGS_ENV or key.upper() in _COLOUR_ENV:
            mp.delenv(key)
    mp.setenv("MODEL_CACHE", str(model_cache))
    mp.setenv("HF_HUB_OFFLINE", "1")
    mp.setenv("TRANSFORMERS_OFFLINE", "1")
    mp.setenv("ANONYMIZED_TELEMETRY", "False")
    mp.setenv("TOKENIZERS_PARALLELISM", "false")
    yield
    mp.undo()


@pytest.fixture(scope="session")
def make_settings(model_cache):
    """Settings for a data dir: defaults otherwise, no .env file, shared model cache."""

    def make(data_dir: Path, **overrides) -> Settings:
        return Settings(_env_file=None, data_dir=Path(data_dir), model_cache=model_cache, **overrides)

    return make


def terminate_when(proc: subprocess.Popen, ready, what: str, timeout: float = 240) -> str:
    """Wait (polling `ready()`) until `what` has happened in the running command, then stop it
    with SIGTERM, as `kill` does; its stderr. Fails if the command ends first or `what` never
    happens within `timeout` seconds."""
    import signal
    import time

    deadline = time.monotonic() + timeout
    try:
        while True:
            assert proc.poll() is None, "the command finished before it could be stopped: " + proc.stderr.read()
            assert time.monotonic() < deadline, f"{what} never happened"
            if ready():
                break
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    return err


def cli_env(data_dir: Path, model_cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in _SETTINGS_ENV and k.upper() not in _COLOUR_ENV}
    env.update(
        DATA_DIR=str(data_dir),
        MODEL_CACHE=str(model_cache),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        TOKENIZERS_PARALLELISM="false",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def run_citebot(model_cache, tmp_path_factory):
    """Run the installed `citebot` console script in a scratch cwd (so no .env is read)."""
    cwd = tmp_path_factory.mktemp("cli-cwd")

    def run(args: list[str], data_dir: Path, input: str | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(CITEBOT), *args],
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=cli_env(data_dir, model_cache),
            cwd=cwd,
            timeout=timeout,
        )

    return run


# --- the expensive objects, built once -------------------------------------------------
@pytest.fixture(scope="session")
def embed(make_settings, tmp_path_factory):
    """The real embedding model, loaded once (exports to ONNX into MODEL_CACHE once)."""
    from bot import services

    return services.embedding(make_settings(tmp_path_factory.mktemp("embed-data"))).load()


@pytest.fixture(scope="session")
def seed_settings(make_settings, tmp_path_factory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("seed-data"))


@pytest.fixture(scope="session")
def seed_index(seed_settings, embed):
    """The seed corpus ingested once into a temp DATA_DIR. Returns the IngestReport."""
    from bot import services
    from index.ingest import ingest

    s = seed_settings
    report = ingest(
        CORPUS, services.store(s), embed, s.data_dir,
        chunk_size=s.chunk_size, chunk_overlap=s.chunk_overlap, max_file_bytes=s.max_file_bytes,
    )
    assert report.articles == 5 and not report.skipped, report
    return report


@pytest.fixture(scope="session")
def library(seed_settings, seed_index, embed):
    from bot import services

    return services.library(seed_settings, embed=embed)


@pytest.fixture(scope="session")
def answerer(seed_settings, library):
    from bot import services

    return services.answerer(seed_settings, library)


@pytest.fixture(scope="session")
def plain_answerer(seed_settings, library):
    """The Answerer without the reader (READER=0): for tests of the first-stage mechanisms
    (support features, ranking, trimming) that the reader's re-ranking would otherwise mask."""
    from bot import services

    return services.answerer(seed_settings.model_copy(update={"reader": False}), library)


@pytest.fixture(scope="session")
def seed_data_dir(seed_settings, answerer) -> Path:
    """The session index's DATA_DIR, for subprocesses (the in-process answerer has
    already built its caches there, so the subprocess only reads)."""
    return seed_settings.data_dir


# --- the fake Telegram Bot API (tests/fake_bot_api.py) -------------------------------------
@pytest.fixture(scope="module")
def fake_api():
    from fake_bot_api import TOKEN, FakeBotAPI

    with FakeBotAPI(TOKEN) as server:
        yield server


@pytest.fixture
def api(fake_api):
    fake_api.reset()
    return fake_api
