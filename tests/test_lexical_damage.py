"""The BM25 index on disk (index.lexical.LexicalIndex): a copy that cannot be read — cut short,
garbled, not of this index — is one that is not there (load() returns None with one warning
naming the file, the caller builds it again), never an exception of bm25s or its JSON parser."""

from __future__ import annotations

import json
import logging
import shutil

import numpy as np
import pytest

from test_table import _cut, _overwrite

TEXTS = [
    "Svobodnaya Pressa interviewed Boris Shmelyev about the union state.",
    "Lukashenko met the U.S. envoy Kellogg in Minsk on Friday.",
    "The prisoner release was welcomed by Macron in a statement.",
    "Potash exports through Klaipeda stopped after the sanctions.",
    "Tikhanovsky was sentenced to eighteen years in a penal colony.",
    "The harbour took its first ship of the season on Tuesday.",
]
IDS = [f"c{k}" for k in range(len(TEXTS))]


def _saved(tmp_path):
    from index.lexical import LexicalIndex

    directory = tmp_path / "bm25"
    LexicalIndex.build(IDS, TEXTS, "s1").save(directory)
    return directory


def _json_edit(path, edit) -> None:
    got = json.loads(path.read_text(encoding="utf-8"))
    edit(got)
    path.write_text(json.dumps(got), encoding="utf-8")


def _payload_at(path) -> int:
    """Where an .npy file's array data starts (after its header)."""
    with open(path, "rb") as fh:
        major, _ = np.lib.format.read_magic(fh)
        (np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0)(fh)
        return fh.tell()


DAMAGE = {  # file -> what is done to it; each makes the saved index unreadable
    "vocab cut short": ("vocab.index.json", lambda p: _cut(p, 100)),  # the QA pass's repro
    "vocab emptied": ("vocab.index.json", lambda p: _cut(p, 0)),
    "vocab not UTF-8": ("vocab.index.json", lambda p: _overwrite(p, 0, b"\xff\xfe")),
    "vocab of another index": ("vocab.index.json", lambda p: p.write_text('{"x": 0}')),
    "vocab numbers out of range": ("vocab.index.json", lambda p: _json_edit(p, lambda v: v.update({k: n + 1000 for k, n in list(v.items())[:1]}))),
    "vocab numbers not numbers": ("vocab.index.json", lambda p: _json_edit(p, lambda v: v.update({k: str(n) for k, n in list(v.items())[:1]}))),
    "vocab missing": ("vocab.index.json", lambda p: p.unlink()),
    "params cut short": ("params.index.json", lambda p: _cut(p, 10)),
    "params of another index": ("params.index.json", lambda p: _json_edit(p, lambda v: v.update(num_docs=2))),
    "indptr cut short": ("indptr.csc.index.npy", lambda p: _cut(p, 100)),
    "indptr out of order": ("indptr.csc.index.npy", lambda p: np.save(p, np.load(p)[::-1].copy())),
    "indices cut short": ("indices.csc.index.npy", lambda p: _cut(p, p.stat().st_size // 2)),
    "data emptied": ("data.csc.index.npy", lambda p: _cut(p, 0)),
    "data not an array": ("data.csc.index.npy", lambda p: p.write_bytes(b"\x93NUMPY garbage" * 20)),
    "citebot.json cut short": ("citebot.json", lambda p: _cut(p, 30)),
    "citebot.json of other chunks": ("citebot.json", lambda p: _json_edit(p, lambda v: v.update(ids=v["ids"][:2]))),
    "citebot.json not an object": ("citebot.json", lambda p: p.write_text("[]")),
}


def test_a_saved_index_loads_with_its_checksums_and_finds_the_same_chunks(tmp_path):
    from index.lexical import LexicalIndex

    directory = _saved(tmp_path)
    meta = json.loads((directory / "citebot.json").read_text())
    assert sorted(meta["checksums"]) == sorted(p.name for p in directory.iterdir() if p.name != "citebot.json")
    built = LexicalIndex.build(IDS, TEXTS, "s1")
    for got in (LexicalIndex.load(directory), LexicalIndex.load(directory, verify=True)):
        assert got is not None and got.ids == IDS and got.stamp == "s1" and got.directory == directory
        for q in ("Who interviewed Shmelyev?", "Kellogg Minsk", "potash harbour ship", "the of and"):
            assert got.search(q, 3) == built.search(q, 3), q
    assert LexicalIndex.load(tmp_path / "nothing") is None


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_file_makes_the_index_unreadable_with_one_warning(tmp_path, caplog, damage):
    from index.lexical import LexicalIndex

    directory = _saved(tmp_path)
    name, damage_it = DAMAGE[damage]
    damage_it(directory / name)
    with caplog.at_level(logging.WARNING, logger="index.lexical"):
        assert LexicalIndex.load(directory) is None
        assert LexicalIndex.load(directory, verify=True) is None
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 2 and all(name in m and "unreadable BM25 index" in m for m in said), said


def test_verify_finds_bytes_garbled_in_place(tmp_path, caplog):
    """Scores garbled in place (the file's size and header intact) are not seen by an unverified
    load; load(verify=True) (ingest) finds them against the crc32 in citebot.json. A copy saved
    before the checksums loads either way."""
    from index.lexical import LexicalIndex

    directory = _saved(tmp_path)
    path = directory / "data.csc.index.npy"
    _overwrite(path, _payload_at(path), np.float32([7.5, 7.5]).tobytes())
    assert LexicalIndex.load(directory) is not None
    with caplog.at_level(logging.WARNING, logger="index.lexical"):
        assert LexicalIndex.load(directory, verify=True) is None
    assert [("(data.csc.index.npy: " in r.getMessage() and "checksum mismatch" in r.getMessage()) for r in caplog.records] == [True]
    _json_edit(directory / "citebot.json", lambda v: v.pop("checksums"))
    assert LexicalIndex.load(directory, verify=True) is not None


def test_postings_that_point_past_the_chunks_raise_index_file_damaged(tmp_path):
    """Chunk numbers garbled in place (not read at load: the postings stay mapped) fail a search
    that reads them with IndexFileDamaged naming the index, not an IndexError of numpy; the
    saved copy is set aside, so the next load builds it again."""
    from index.lexical import LexicalIndex
    from index.table import IndexFileDamaged

    directory = _saved(tmp_path)
    path = directory / "indices.csc.index.npy"
    n = len(np.load(path))
    _overwrite(path, _payload_at(path), np.full(n, 10**6, np.int32).tobytes())
    got = LexicalIndex.load(directory)
    assert got is not None
    with pytest.raises(IndexFileDamaged, match="citebot ingest") as exc:
        got.search("Shmelyev", 3)
    assert exc.value.path == directory
    assert not (directory / "citebot.json").exists() and LexicalIndex.load(directory) is None


def _damaged_copy(seed_settings, tmp_path, name: str, damage):
    data = tmp_path / "data"
    shutil.copytree(seed_settings.data_dir, data)
    damage(data / "bm25" / name)
    return seed_settings.model_copy(update={"data_dir": data})


@pytest.mark.parametrize("damage", ["vocab cut short", "indptr cut short", "citebot.json cut short"])
def test_a_library_over_a_damaged_bm25_index_rebuilds_it_and_answers(seed_settings, library, embed, tmp_path, damage):
    from conftest import SHMELYEV_Q, SHMELYEV_SOURCE

    from bot import services
    from index.lexical import LexicalIndex

    settings = _damaged_copy(seed_settings, tmp_path, *DAMAGE[damage])
    lib = services.library(settings, embed=embed)
    again = LexicalIndex.load(settings.data_dir / "bm25", verify=True)  # rebuilt and saved
    assert again is not None and again.stamp == lib.stamp and again.ids == library.lexical.ids
    answer = services.answerer(settings, lib).ask(SHMELYEV_Q)
    assert not answer.refused and answer.citations[0].source == SHMELYEV_SOURCE


def test_ingest_over_a_damaged_bm25_index_makes_it_again(seed_settings, library, embed, tmp_path):
    """`citebot ingest` with nothing to do and vocab.index.json cut short (the QA pass's repro:
    it crashed with orjson.JSONDecodeError) makes the BM25 index again."""
    from conftest import CORPUS

    from bot import services
    from index.ingest import ingest
    from index.lexical import LexicalIndex

    settings = _damaged_copy(seed_settings, tmp_path, *DAMAGE["vocab cut short"])
    report = ingest(CORPUS, services.store(settings), embed, settings.data_dir, chunk_size=settings.chunk_size,
                    chunk_overlap=settings.chunk_overlap, max_file_bytes=settings.max_file_bytes)
    assert report.unchanged == 5 and report.chunks_total == len(library.lexical.ids)
    again = LexicalIndex.load(settings.data_dir / "bm25", verify=True)
    assert again is not None and again.ids == library.lexical.ids


def test_ingest_with_nothing_to_do_repairs_a_garbled_bm25_index(seed_settings, library, embed, tmp_path):
    from conftest import CORPUS

    from bot import services
    from index.ingest import ingest
    from index.lexical import LexicalIndex

    def garble(path):
        _overwrite(path, _payload_at(path), np.float32([7.5, 7.5]).tobytes())

    settings = _damaged_copy(seed_settings, tmp_path, "data.csc.index.npy", garble)
    ingest(CORPUS, services.store(settings), embed, settings.data_dir, chunk_size=settings.chunk_size,
           chunk_overlap=settings.chunk_overlap, max_file_bytes=settings.max_file_bytes)
    assert LexicalIndex.load(settings.data_dir / "bm25", verify=True) is not None
