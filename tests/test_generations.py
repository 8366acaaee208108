"""Crash-safe ingest: generations, SIGKILL mid-run, resume, lock, unwritable DATA_DIR."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CITEBOT, CORPUS, SHMELYEV_Q, cli_env, terminate_when

EXTRA = "An added closing line number {i} mentions the harbour at Klaipeda."


def make_corpus(path, variants: int = 0):
    path.mkdir(parents=True, exist_ok=True)
    seeds = sorted(CORPUS.glob("*.txt"))
    for p in seeds:
        shutil.copy(p, path)
    for i in range(variants):  # distinct articles (different hashes), cheap to make
        src = seeds[i % len(seeds)]
        (path / f"9{i:02d}_variant.txt").write_text(
            src.read_text(encoding="utf-8") + "\n" + EXTRA.format(i=i) + "\n", encoding="utf-8"
        )
    return path


def run_ingest(corpus, settings, embed, **kw):
    from bot import services
    from index.ingest import ingest

    return ingest(corpus, services.store(settings), embed, settings.data_dir, **kw)


def test_generations_switch_only_when_complete_and_old_ones_are_dropped(tmp_path, make_settings, embed):
    from bot import services

    corpus = make_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data")
    first = run_ingest(corpus, settings, embed)
    assert first.generation == "g1" and first.chunks_copied == 0
    store = services.store(settings)
    assert store.generations() == ["g1"] and store.current_generation() == "g1"

    again = run_ingest(corpus, settings, embed)  # nothing changed: no new generation
    assert again.generation == "g1" and again.chunks_embedded == 0 and again.chunks_copied == 0
    assert services.store(settings).generations() == ["g1"]

    (corpus / "900_new.txt").write_text("A new title\n\nA short new article about Klaipeda harbour.\n", encoding="utf-8")
    second = run_ingest(corpus, settings, embed)
    assert second.generation == "g2" and second.added == ["900_new.txt"] and second.unchanged == 5
    # unchanged articles are copied with their vectors, not embedded again
    assert second.chunks_copied == first.chunks_total and second.chunks_embedded == second.chunks_total - first.chunks_total
    store = services.store(settings)
    assert store.generations() == ["g1", "g2"]  # the previous one stays for readers still on it
    assert store.count("chunks", generation="g2") == second.chunks_total
    g1_vectors = store.all_rows("chunks", ["embeddings"], generation="g1")
    g2_vectors = store.all_rows("chunks", ["embeddings"], generation="g2")
    some = g1_vectors["ids"][0]
    assert list(g2_vectors["embeddings"][g2_vectors["ids"].index(some)]) == list(g1_vectors["embeddings"][0])

    (corpus / "900_new.txt").unlink()
    third = run_ingest(corpus, settings, embed)
    assert third.generation == "g3" and third.removed == ["900_new.txt"]
    assert services.store(settings).generations() == ["g2", "g3"]  # g1 collected


def test_sigkill_mid_ingest_keeps_the_old_index_and_the_next_ingest_resumes(tmp_path, make_settings, embed, model_cache):
    from filelock import FileLock

    from bot import services

    corpus = make_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data")
    base = run_ingest(corpus, settings, embed)
    make_corpus(corpus, variants=12)
    env = cli_env(settings.data_dir, model_cache, INGEST_BATCH_ARTICLES="2")
    proc = subprocess.Popen(
        [str(CITEBOT), "ingest", "--corpus", str(corpus)], env=env, cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    watcher = services.store(settings)
    deadline = time.monotonic() + 240
    try:
        while True:  # kill once the new generation holds some, not all, of the new articles
            assert proc.poll() is None, "ingest finished before it could be killed: " + proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the new generation never filled"
            building = watcher.building()
            if building:
                done = watcher.article_hashes(building["generation"])
                if sum(1 for s in done if "variant" in s) >= 2:
                    break
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    # the previous generation is still the one served, complete
    store = services.store(settings)
    assert store.current_generation() == base.generation
    assert store.building()["generation"] == "g2"
    lib = services.library(settings, embed=embed)
    assert lib.generation == base.generation and len(lib.articles) == 5
    answer = services.answerer(settings, lib).ask(SHMELYEV_Q)
    assert not answer.refused and "Svobodnaya Pressa" in answer.text

    # doctor tells the killed ingest from a running one: nobody holds DATA_DIR's lock now
    def doctor() -> tuple[dict, str]:
        out = subprocess.run([str(CITEBOT), "doctor", "--json"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=240)
        report = json.loads(out.stdout)
        return report, " ".join(c["detail"] for c in report["checks"] if c["name"] == "ingest")

    report, said = doctor()
    assert report["ingest_running"] is False and "an interrupted ingest left generation g2 unfinished" in said
    with FileLock(str(settings.data_dir / "ingest.lock")):  # what a running ingest holds
        report, said = doctor()
    assert report["ingest_running"] is True and "an ingest is running" in said and "g2 is being built" in said
    assert "interrupted" not in said

    # the next ingest finishes the same generation without redoing finished articles
    resumed = run_ingest(corpus, settings, embed)
    assert resumed.resumed and resumed.generation == "g2"
    assert resumed.articles == 17 and sorted(resumed.added) == sorted(p.name for p in corpus.glob("9*_variant.txt"))
    assert 0 < resumed.chunks_embedded < resumed.chunks_total - base.chunks_total
    store = services.store(settings)
    assert store.current_generation() == "g2" and store.building() is None
    assert store.count("articles") == 17
    ids = store.all_rows("chunks", [])["ids"]
    assert len(ids) == len(set(ids)) == resumed.chunks_total  # no duplicates from the killed run


def _vector_segments(chroma_dir: Path, collections: list[str]) -> list[Path]:
    """The directories of the vector (HNSW) segments of the named collections."""
    import sqlite3

    with sqlite3.connect(f"file:{chroma_dir / 'chroma.sqlite3'}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT s.id FROM segments s JOIN collections c ON s.collection = c.id "
            f"WHERE s.scope = 'VECTOR' AND c.name IN ({','.join('?' * len(collections))})", collections,
        ).fetchall()
    return [chroma_dir / r[0] for r in rows]


def test_sigterm_stops_ingest_cleanly_and_a_damaged_unfinished_generation_is_built_again(tmp_path, make_settings, embed, model_cache):
    """`kill` (SIGTERM) stops an ingest the way Ctrl-C does. When the run left its unfinished
    generation unreadable (a vector index file cut short while Chroma wrote it: "Error
    deserializing pickle file"), the next ingest builds that generation again instead of
    failing on it."""
    from bot import services

    corpus = make_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data")
    run_ingest(corpus, settings, embed)
    make_corpus(corpus, variants=12)
    env = cli_env(settings.data_dir, model_cache, INGEST_BATCH_ARTICLES="2")
    proc = subprocess.Popen(
        [str(CITEBOT), "ingest", "--corpus", str(corpus)], env=env, cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    watcher = services.store(settings)
    building = None

    def filled() -> bool:  # the new generation holds two of the new articles
        nonlocal building
        building = watcher.building()
        return bool(building and sum(1 for s in watcher.article_hashes(building["generation"]) if "variant" in s) >= 2)

    err = terminate_when(proc, filled, "the new generation filling")
    assert proc.returncode == 130, err[-2000:]
    assert "Interrupted. The previous index is still the one in use" in " ".join(err.split())
    assert "Traceback" not in err
    gen = building["generation"]
    names = [watcher.collection_name(kind, gen) for kind in ("chunks", "sentences", "articles")]
    segments = _vector_segments(settings.data_dir / "chroma", names)
    assert len(segments) == 3
    for seg in segments:
        seg.mkdir(exist_ok=True)
        (seg / "index_metadata.pickle").write_bytes(b"\x80\x04\x95")  # cut short

    result = subprocess.run(
        [str(CITEBOT), "ingest", "--corpus", str(corpus)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "built again from the start" in " ".join(result.stdout.split())
    assert "Indexed 17 articles" in result.stdout
    asked = subprocess.run(
        [str(CITEBOT), "ask", "--json", SHMELYEV_Q], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=240,
    )
    answer = json.loads(asked.stdout)
    assert not answer["refused"] and "Svobodnaya Pressa" in answer["answer"]
    doctor = subprocess.run([str(CITEBOT), "doctor", "--json"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=240)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr[-2000:]


def test_two_ingests_at_once_are_refused_with_a_clear_message(tmp_path, make_settings, embed):
    from filelock import FileLock

    from index.store import IngestLocked

    corpus = make_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data")
    settings.data_dir.mkdir(parents=True)
    with FileLock(str(settings.data_dir / "ingest.lock")):  # what a running ingest holds
        with pytest.raises(IngestLocked, match="Another ingest is already running"):
            run_ingest(corpus, settings, embed)
    assert run_ingest(corpus, settings, embed).articles == 5  # free again


def test_unwritable_data_dir_is_a_clear_error(tmp_path, make_settings, embed):
    from index.ingest import DataDirError

    corpus = make_corpus(tmp_path / "corpus")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(DataDirError, match="Cannot write the index in DATA_DIR .*not a directory"):
        run_ingest(corpus, make_settings(blocker / "data"), embed)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only directories")
def test_read_only_data_dir_is_a_clear_error(tmp_path, make_settings, embed):
    from index.ingest import DataDirError

    corpus = make_corpus(tmp_path / "corpus")
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o555)
    try:
        with pytest.raises(DataDirError, match="read-only or not writable"):
            run_ingest(corpus, make_settings(data), embed)
    finally:
        data.chmod(0o755)


def test_ingest_cli_reports_a_held_lock(tmp_path, make_settings, model_cache):
    from filelock import FileLock

    corpus = make_corpus(tmp_path / "corpus")
    data = tmp_path / "data"
    data.mkdir()
    with FileLock(str(data / "ingest.lock")):
        result = subprocess.run(
            [str(CITEBOT), "ingest", "--corpus", str(corpus)], capture_output=True, text=True,
            env=cli_env(data, model_cache), cwd=tmp_path, timeout=240,
        )
    assert result.returncode == 4
    assert "Another ingest is already running" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def test_ingest_cli_with_an_unwritable_data_dir(tmp_path, model_cache):
    corpus = make_corpus(tmp_path / "corpus")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = subprocess.run(
        [str(CITEBOT), "ingest", "--corpus", str(corpus)], capture_output=True, text=True,
        env=cli_env(blocker / "data", model_cache), cwd=tmp_path, timeout=240,
    )
    assert result.returncode == 3
    assert "Cannot write the index in DATA_DIR" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def _small_filesystem(path: Path, size: str, read_only: bool = False) -> bool:
    """Mount a tmpfs of `size` at path (root with mount rights only); False when not possible."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    options = f"size={size}" + (",ro" if read_only else "")
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True).returncode == 0


def _ingest_on_a_mount(tmp_path, model_cache, size: str, read_only: bool = False):
    """`citebot ingest` of the seed corpus with DATA_DIR on a fresh tmpfs (unmounted after)."""
    corpus = make_corpus(tmp_path / "corpus")
    data = tmp_path / "mnt"
    if not _small_filesystem(data, size, read_only):
        pytest.skip("cannot mount a tmpfs here (needs root with mount rights)")
    try:
        return subprocess.run(
            [str(CITEBOT), "ingest", "--corpus", str(corpus)], capture_output=True, text=True,
            env=cli_env(data, model_cache), cwd=tmp_path, timeout=240,
        )
    finally:
        subprocess.run(["umount", str(data)], capture_output=True)


def test_ingest_cli_on_a_read_only_filesystem_says_so(tmp_path, model_cache):
    """Root can write to a chmod 555 directory, but not to a read-only mount."""
    result = _ingest_on_a_mount(tmp_path, model_cache, "1m", read_only=True)
    assert result.returncode == 3, result.stderr[-2000:]
    assert "read-only or not writable" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def test_ingest_cli_on_a_full_disk_says_so(tmp_path, model_cache):
    """A real full filesystem (a 512 KB tmpfs): one clear line and exit 3, no traceback."""
    result = _ingest_on_a_mount(tmp_path, model_cache, "512k")
    assert result.returncode == 3, result.stderr[-2000:]
    assert "the disk is full" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
