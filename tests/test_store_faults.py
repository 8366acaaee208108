"""Faults of the store met outside a clean run: a Chroma server that dies during an ingest, a
chroma.sqlite3 damaged inside its pages, an ingest that died holding the lease, and a file where
DATA_DIR (or one of its folders) should be a directory. Each is one line and a clear exit code,
not a traceback or a message that sends the user in a circle."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CORPUS, SHMELYEV_SOURCE, flat
from test_chroma_server import chroma_server  # noqa: F401 - the fixture: a real `chroma run`


def _corpus(path: Path, files: int) -> Path:
    path.mkdir()
    for p in sorted(CORPUS.glob("*.txt"))[:files]:
        shutil.copy(p, path)
    return path


def test_a_server_that_dies_during_an_ingest_is_index_unavailable_and_the_next_ingest_resumes(
        chroma_server, tmp_path, make_settings, embed):  # noqa: F811
    """The server stopped after the first articles are written: the writes that follow (and
    anything else the ingest asks) fail as IndexUnavailable — the CLI's one line and exit 3 —
    not httpx.ConnectError's traceback; with the server back, the next ingest resumes."""
    from bot import services
    from index.ingest import ingest
    from index.store import IndexUnavailable

    corpus = _corpus(tmp_path / "corpus", 3)  # three batches: the third is written after the server stopped
    settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=chroma_server.port)

    def progress(done: int, total: int, name: str) -> None:
        if done and chroma_server.proc.poll() is None:  # an article is in: the server goes away with more to write
            chroma_server.stop()

    with pytest.raises(IndexUnavailable, match=f"127.0.0.1:{chroma_server.port}.*chroma run") as raised:
        ingest(corpus, services.store(settings), embed, settings.data_dir, batch_articles=1, progress=progress)
    assert "\n" not in str(raised.value)

    chroma_server.start()
    report = ingest(corpus, services.store(settings), embed, settings.data_dir, batch_articles=1)
    assert report.resumed and report.articles == 3


def _stop_embedded(path: Path) -> None:
    """Close this process's embedded Chroma on `path` (as conftest does after each test), so
    that nothing of it touches the file while it is damaged and read by other processes."""
    from chromadb.api.shared_system_client import SharedSystemClient

    for identifier in [i for i in list(SharedSystemClient._identifier_to_system) if i.startswith(str(path))]:
        SharedSystemClient._identifier_to_refcount.pop(identifier, None)
        system = SharedSystemClient._identifier_to_system.pop(identifier, None)
        if system is not None:
            system.stop()


def test_a_chroma_sqlite3_damaged_inside_fails_doctor_and_ingest_in_one_line(tmp_path, make_settings, embed, run_citebot):
    """One byte of the article's row in Chroma's write log (embeddings_queue) made invalid UTF-8,
    the file's header and pages' structure intact: the pointer still reads, the article
    collection does not (Chroma's compactor panics: "Error sending backfill request to
    compactor"). doctor and ingest say what a garbled header gets — move DATA_DIR/chroma aside
    and ingest again — with exit code 3 and no traceback."""
    from bot import services
    from index.ingest import ingest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / SHMELYEV_SOURCE, corpus)
    settings = make_settings(tmp_path / "data")
    store = services.store(settings)
    ingest(corpus, store, embed, settings.data_dir)
    (content_hash,) = store.article_hashes().values()
    _stop_embedded(settings.data_dir)

    db = settings.data_dir / "chroma" / "chroma.sqlite3"
    data = bytearray(db.read_bytes())
    at = data.find(f'"content_hash":"{content_hash}"'.encode())
    assert at > 0, "the article's row is not in Chroma's log"
    data[at] = 0xFF  # its metadata JSON no longer UTF-8; same length, so SQLite still reads the page
    db.write_bytes(bytes(data))

    aside = f"move {settings.data_dir / 'chroma'} aside"
    doctor = run_citebot(["doctor", "--corpus", str(corpus)], settings.data_dir)
    assert doctor.returncode == 3, doctor.stdout + doctor.stderr
    assert aside in flat(doctor.stdout) and "citebot ingest" in doctor.stdout
    assert "Traceback" not in doctor.stdout + doctor.stderr
    again = run_citebot(["ingest", "--corpus", str(corpus)], settings.data_dir)
    assert again.returncode == 3, again.stderr
    assert aside in flat(again.stderr) and "Traceback" not in again.stderr


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_doctor_tells_an_ingest_that_died_holding_the_lease_from_a_running_one(tmp_path, make_settings):
    """A lease row of this host whose process is gone (and the generation it was building):
    doctor says the ingest stopped and that the next ingest resumes it, not that it is running
    for the rest of the lease's five minutes. A live holder is still running."""
    from bot import services
    from index.health import diagnose

    settings = make_settings(tmp_path / "data")
    store = services.store(settings)
    store._put_state("building", {"generation": "g1", "fingerprint": "x", "started": time.time()})

    def doctor(owner: str) -> dict:
        store._put_state("lease", {"owner": owner, "expires": time.time() + 300})
        d = diagnose(services.store(settings), settings.data_dir, tmp_path / "corpus", settings.chunk_size, settings.chunk_overlap,
                     settings.max_file_bytes, settings.embed_backend, settings.model_cache_dir, settings.embed_precision)
        return {"running": d.facts["ingest_running"], "said": " | ".join(c.detail for c in d.checks if c.name == "ingest")}

    dead = f"{socket.gethostname()}:{_dead_pid()}"
    got = doctor(dead)
    assert got["running"] is False, got
    assert f"the ingest that held the lease ({dead}) has stopped" in got["said"]
    assert "generation g1 unfinished; the next `citebot ingest` resumes it" in got["said"]
    assert "is running" not in got["said"] and "is being built" not in got["said"]

    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        got = doctor(f"{socket.gethostname()}:{alive.pid}")
    finally:
        alive.kill()
        alive.wait()
    assert got["running"] is True and "an ingest is running" in got["said"] and "is being built" in got["said"]


@pytest.mark.parametrize("where", ["DATA_DIR", "DATA_DIR/chroma", "DATA_DIR/table"])
def test_a_file_where_data_dir_should_be_a_directory_is_named_by_doctor_and_ingest(where, tmp_path, run_citebot):
    """A regular file at DATA_DIR, DATA_DIR/chroma or DATA_DIR/table: doctor fails naming it (not
    "no index yet", which sent the user to an ingest that failed) and ingest says, before any
    work, which path is a file and what to do (not "File exists"). Both exit with code 3."""
    corpus = _corpus(tmp_path / "corpus", 1)
    data = tmp_path / "data"
    file = data if where == "DATA_DIR" else data / where.split("/")[1]
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text("not a directory\n")
    named = "it is a file, not a directory" if file == data else f"{file} is a file, not a directory"

    doctor = run_citebot(["doctor", "--corpus", str(corpus)], data)
    out = flat(doctor.stdout)
    assert doctor.returncode == 3, doctor.stdout + doctor.stderr
    assert f"DATA_DIR {data}: {named}" in out
    if where != "DATA_DIR/table":  # (with DATA_DIR/chroma free and empty, there is also no index yet)
        assert "no index yet" not in out
    ingest = run_citebot(["ingest", "--corpus", str(corpus)], data)
    said = flat(ingest.stderr)
    assert ingest.returncode == 3, ingest.stderr
    assert f"Cannot write the index in DATA_DIR {data}: {named}" in said
    assert ("Point DATA_DIR at a directory" if file == data else "Move the file away") in said
    assert "File exists" not in said and "Traceback" not in ingest.stderr
    assert file.read_text() == "not a directory\n"  # left as it was
