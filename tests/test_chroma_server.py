"""Server mode against a real `chroma run` process on 127.0.0.1 (CHROMA_HOST/CHROMA_PORT)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import CORPUS, SHMELYEV_Q, SHMELYEV_SOURCE

CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def chroma_server(tmp_path):
    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("chroma run did not come up")
            time.sleep(0.3)
    yield port, proc
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_ingest_and_answer_through_a_chroma_server(chroma_server, tmp_path, make_settings, embed):
    from bot import services
    from index.ingest import ingest
    from index.store import IndexUnavailable

    port, proc = chroma_server
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / SHMELYEV_SOURCE, corpus)
    settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port)
    store = services.store(settings)
    assert store.location == f"http://127.0.0.1:{port}"
    report = ingest(corpus, store, embed, settings.data_dir)
    assert report.articles == 1 and report.chunks_embedded > 0
    assert not (settings.data_dir / "chroma").exists()  # nothing went to the embedded store
    assert ingest(corpus, services.store(settings), embed, settings.data_dir).chunks_embedded == 0

    answer = services.answerer(settings, services.library(settings, embed=embed)).ask(SHMELYEV_Q)
    assert not answer.refused and "Svobodnaya Pressa" in answer.text
    assert answer.citations[0].source == SHMELYEV_SOURCE

    proc.terminate()
    proc.wait(timeout=10)
    with pytest.raises(IndexUnavailable, match="chroma run"):
        services.library(make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port), embed=embed)
