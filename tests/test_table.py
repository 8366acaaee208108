"""The serving table (index.table): written by ingest, equal to what Chroma holds, rebuilt when stale."""

from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest


def test_ingest_writes_the_table_the_library_reads(seed_settings, library):
    from index import table

    folder = table.folder_for(seed_settings.data_dir, library.generation)
    assert (folder / "meta.json").is_file() and (folder / "vectors.npy").is_file()
    fresh = table.from_chroma(library.store, "x")
    saved = table.load(folder, table.key(library.stamp, library.fingerprint))
    assert saved is not None and fresh.sources == saved.sources
    assert np.array_equal(fresh.vectors, saved.vectors)
    assert np.array_equal(fresh.vectors, library.sentence_vectors)  # the same float32 values as in Chroma
    assert fresh.s_lemmas == saved.s_lemmas and fresh.s_entities == saved.s_entities
    assert [tuple(lm.split()) for lm in fresh.s_lemmas] == [s.lemmas for s in library.sentences]
    assert fresh.c_ids == saved.c_ids == list(library.chunks)
    rows = library.store.all_rows("chunks", ["documents"])
    assert {i: d for i, d in zip(rows["ids"], rows["documents"])} == {c.id: c.text for c in library.chunks.values()}
    assert all(s.text == library.articles[s.source].text[s.start : s.end] for s in library.sentences)


def test_the_table_is_read_from_chroma_a_page_at_a_time(library):
    """from_chroma reads Chroma's rows in pages into compact columns and one vector array, then puts
    the sentences in (source, position) order in place: pages of 7 rows give the table one page gives."""
    from index import table

    whole = table.from_chroma(library.store, "x", page=100_000)
    paged = table.from_chroma(library.store, "x", page=7)
    for field in ("sources", "c_ids"):
        assert getattr(paged, field) == getattr(whole, field)
    for field in ("s_source", "s_position", "s_start", "s_end", "s_paragraph", "vectors", "c_source", "c_position",
                  "c_start", "c_end", "chunk_vectors"):
        a, b = getattr(paged, field), getattr(whole, field)
        assert a.dtype == b.dtype and np.array_equal(a, b), field
    assert list(paged.s_lemmas) == list(whole.s_lemmas) and list(paged.s_entities) == list(whole.s_entities)
    keys = list(zip(np.asarray(whole.s_source).tolist(), np.asarray(whole.s_position).tolist()))
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert np.array_equal(whole.vectors, library.sentence_vectors)


def test_rows_are_put_in_order_in_place():
    from index.table import _permuted

    rng = np.random.default_rng(3)
    for n in (0, 1, 2, 50, 1000):
        for order in (rng.permutation(n), np.arange(n), np.arange(n)[::-1].copy()):
            rows = rng.normal(size=(n, 4)).astype(np.float32)
            expected = rows[order]
            got = _permuted(rows, order)
            assert got is rows and np.array_equal(got, expected)


def test_a_missing_or_stale_table_is_rebuilt_from_chroma(seed_settings, seed_index, embed, tmp_path):
    from bot import services
    from index import table

    data = tmp_path / "data"
    shutil.copytree(seed_settings.data_dir, data)
    settings = seed_settings.model_copy(update={"data_dir": data})
    gen = services.store(settings).current_generation()
    folder = table.folder_for(data, gen)
    meta = (folder / "meta.json").read_text()
    (folder / "meta.json").write_text(meta.replace('"stamp": "', '"stamp": "other'))  # another index's table
    first = services.library(settings, embed=embed)
    assert table.load(folder, table.key(first.stamp, first.fingerprint)) is not None  # rebuilt and saved
    shutil.rmtree(data / "table")
    second = services.library(settings, embed=embed)
    assert (folder / "meta.json").is_file()
    assert [s.text for s in second.sentences] == [s.text for s in first.sentences]
    assert np.array_equal(second.sentence_vectors, first.sentence_vectors)


def test_prune_keeps_only_the_given_generations(tmp_path):
    from index import table

    for gen in ("g1", "g2", "g3"):
        (table.folder_for(tmp_path, gen)).mkdir(parents=True)
    table.prune(tmp_path, {"g2", "g3"})
    assert sorted(p.name for p in (tmp_path / "table").iterdir()) == ["g2", "g3"]


def test_packed_strings_round_trip():
    from index.table import PackedStrings

    strings = ["", "Лукашенко", '[["PERSON","John Kellogg"]]', "a b c", ""]
    packed = PackedStrings.pack(strings)
    assert list(packed) == strings and len(packed) == 5 and packed == strings
    assert packed[1] == "Лукашенко" and packed[-1] == "" and packed[1:3] == strings[1:3]
    again = PackedStrings.from_arrays(*packed.arrays())
    assert again == packed and list(again) == strings
    assert PackedStrings.pack([]) == [] and len(PackedStrings.from_arrays(*PackedStrings.pack([]).arrays())) == 0


def test_library_rows_are_made_on_access_and_match_the_table(library):
    sents = library.sentences
    every = list(sents)
    assert len(every) == len(sents) and every[-1] == sents[-1] == sents[len(sents) - 1]
    assert sents[3] is sents[3]  # cached while a question uses it
    for source, rows in library.by_source.items():
        assert all(every[i].source == source for i in rows)
        s = every[rows[0]]
        want = [i for i in rows if every[i].start < s.end + 50 and every[i].end > s.start]
        assert library.sentence_indices(source, s.start, s.end + 50) == want
    assert sum(len(r) for r in library.by_source.values()) == len(sents)
    cid = next(iter(library.chunks))
    chunk = library.chunks[cid]
    assert chunk.id == cid and chunk.text == library.articles[chunk.source].text[chunk.start : chunk.end]
    assert cid in library.chunks and "nope" not in library.chunks and library.chunks.get("nope") is None


def test_fast_sentence_constructor_knows_every_field():
    from dataclasses import fields

    from index.chunking import Sentence
    from index.retrieve import _FIELDS, _sentence

    assert tuple(f.name for f in fields(Sentence)) == _FIELDS
    args = ("a.txt", 1, 2, 3, "text", 4, (("PERSON", "Ann"),), ("x",))
    assert _sentence(*args) == Sentence(*args) and hash(_sentence(*args)) == hash(Sentence(*args))


def test_entities_pack_and_unpack_like_the_json_in_chroma():
    import json

    from index.table import pack_entities, unpack_entities
    from index.store import encode_meta

    for ents in [(), (("PERSON", "Ann Lee"), ("GPE", "Minsk")), (("ORG", "odd\x1fname\x1e"),), (("WORK_OF_ART", "[x]"),)]:
        meta = encode_meta(ents)
        assert unpack_entities(pack_entities(meta)) == tuple(tuple(p) for p in json.loads(meta)) == ents


def test_the_table_stores_the_neighbour_dot_products(seed_settings, library):
    from index import table

    folder = table.folder_for(seed_settings.data_dir, library.generation)
    saved = np.load(folder / "neighbours.npy")
    assert saved.shape == (3, len(library.sentences))
    assert np.array_equal(saved, np.stack(table.neighbour_dots(np.load(folder / "vectors.npy"))))
    assert np.array_equal(library.neighbour_dots, saved)


def test_a_table_without_neighbours_gets_them_computed_and_saved(seed_settings, library, tmp_path):
    from index import table

    folder = tmp_path / "t"
    shutil.copytree(table.folder_for(seed_settings.data_dir, library.generation), folder)
    expected = np.load(folder / "neighbours.npy")
    (folder / "neighbours.npy").unlink()  # a table written before they were stored
    got = table.load(folder, table.key(library.stamp, library.fingerprint), mmap=True)
    assert got is not None and np.array_equal(got.neighbours, expected)
    assert np.array_equal(np.load(folder / "neighbours.npy"), expected)
    assert table.load(folder, table.key(library.stamp, library.fingerprint), verify=True) is not None  # the file as written
    assert not isinstance(got.vectors, np.memmap) and not got.vectors.flags.owndata  # a view of the mapped file
    assert np.array_equal(got.vectors, library.sentence_vectors)


def test_a_large_index_finds_the_closest_sentences_in_chromas_hnsw_index(seed_settings, library, embed):
    """Above SENTENCE_SCAN_MAX sentences, top_sentences asks the sentence collection's HNSW
    index instead of scanning every vector, and reads the vectors from the mapped table file:
    on the seed index it finds the same sentences as the exact scan."""
    from bot import services

    assert library.scans  # the seed index is small: scanned exactly
    ann = services.library(seed_settings.model_copy(update={"sentence_scan_max": 0}), embed=embed)
    assert not ann.scans and not ann.sentence_vectors.flags.owndata
    questions = ["Which outlet interviewed Boris Shmelyev?", "Where did Lukashenko meet U.S. envoy Kellogg?",
                 "How long was Tikhanovsky's sentence?", "What is the capital of Peru?"]
    for q, v in zip(questions, embed.encode(questions)):
        exact, approx = library.top_sentences(v, 10), ann.top_sentences(v, 10)
        assert approx == exact, q
    assert ann._sentence_row("no-such-hash:s0") is None and ann._sentence_row("garbage") is None


def test_a_one_question_process_scans_the_mapped_vectors_of_a_large_index(seed_settings, library, embed):
    """`citebot ask` (one question, then exit) on an embedded index above SENTENCE_SCAN_MAX scans
    the sentence vectors where they lie, mapped from the table file, instead of loading the
    sentence collection's HNSW index (seconds at 430k sentences): nothing copied, the
    collection never opened, and the exact scan's sentences."""
    from bot import services

    one = services.library(seed_settings.model_copy(update={"sentence_scan_max": 0}), embed=embed, one_question=True)
    assert one.scans and one.store.collection_name("sentences") not in one.store._collections
    assert not one.sentence_vectors.flags.owndata  # a view of the mapped file, not a copy
    assert one.chunk_vectors is not None and not one.chunk_vectors.flags.owndata
    questions = ["Which outlet interviewed Boris Shmelyev?", "How long was Tikhanovsky's sentence?", "What is the capital of Peru?"]
    for q, v in zip(questions, embed.encode(questions)):
        assert one.top_sentences(v, 10) == library.top_sentences(v, 10), q
        # the closest chunks by an exact scan of the table's chunk vectors, as Chroma's query finds them
        assert one._closest_chunks(v.tolist()) == library._closest_chunks(v.tolist()), q
    answers = services.answerer(seed_settings, one), services.answerer(seed_settings, library)
    for q in questions:
        a, b = (ans.ask(q).to_dict() for ans in answers)
        timed = ("timings", "latency_ms")
        assert {k: v for k, v in a.items() if k not in timed} == {k: v for k, v in b.items() if k not in timed}, q


def test_the_table_keeps_every_chunks_vector_as_chroma_holds_it(seed_settings, library, tmp_path):
    """chunk_vectors.npy: each chunk's vector in c_ids order, equal to the chunk collection's;
    a table written before it loads without them, and a one-question library then asks Chroma."""
    from bot import services
    from index import table

    folder = table.folder_for(seed_settings.data_dir, library.generation)
    stamp = table.key(library.stamp, library.fingerprint)
    got = table.load(folder, stamp, mmap=True)
    rows = library.store.all_rows("chunks", ["embeddings"])
    chroma = dict(zip(rows["ids"], np.asarray(rows["embeddings"], np.float32)))
    assert sorted(got.c_ids) == sorted(chroma) and got.chunk_vectors.shape == (len(chroma), 384)
    assert all(np.array_equal(got.chunk_vectors[i], chroma[cid]) for i, cid in enumerate(got.c_ids))

    old = tmp_path / "t"
    shutil.copytree(folder, old)
    (old / "chunk_vectors.npy").unlink()
    assert table.load(old, stamp, mmap=True).chunk_vectors is None
    np.save(old / "chunk_vectors.npy", np.zeros((3, 384), np.float32))  # not this table's
    assert table.load(old, stamp, mmap=True).chunk_vectors is None
    data = (folder / "chunk_vectors.npy").read_bytes()
    (old / "chunk_vectors.npy").write_bytes(data[: len(data) // 2])  # cut short: the rest of the table still loads
    cut = table.load(old, stamp, mmap=True)
    assert cut is not None and cut.chunk_vectors is None and np.array_equal(cut.vectors, got.vectors)

    (folder / "chunk_vectors.npy").rename(tmp_path / "cv.npy")
    try:
        one = services.library(seed_settings, embed=library.embed, one_question=True)
        assert one.chunk_vectors is None
        v = library.embed.encode(["Which outlet interviewed Boris Shmelyev?"])[0]
        assert one._closest_chunks(v.tolist()) == library._closest_chunks(v.tolist())  # Chroma's query
    finally:
        (tmp_path / "cv.npy").rename(folder / "chunk_vectors.npy")


def test_rows_with_a_lemma_are_found_in_the_packed_lemmas(library):
    """SentenceRows.rows_with_lemma (what the conversation rewriter samples a verb's sentences
    with) finds exactly the rows whose lemmas hold the lemma, without building every row."""
    rows = library.sentences
    lemmas = [tuple(s.lemmas) for s in rows]
    vocab = sorted({lm for ls in lemmas for lm in ls})
    probes = vocab[::7] + ["close", "say", "meet", "no-such-lemma", "a", "e"]
    for lm in probes:
        expected = [k for k, ls in enumerate(lemmas) if lm in ls]
        assert rows.rows_with_lemma(lm) == expected, lm
        assert rows.rows_with_lemma(lm, 2) == expected[:2], lm


def test_article_texts_are_kept_apart_and_mapped(seed_settings, library, tmp_path):
    """The table keeps the article texts in texts.bin (read mapped, decoded per article) and
    their metadata in articles.json; a table written before that is rewritten once on load."""
    import json

    from bot import services
    from index import table

    folder = table.folder_for(seed_settings.data_dir, library.generation)
    assert (folder / "texts.bin").is_file() and json.loads((folder / "meta.json").read_text())["texts"]
    rows = json.loads((folder / "articles.json").read_text(encoding="utf-8"))
    assert all("text" not in m for m in rows.values())
    records = library.store.article_records()
    assert sorted(library.articles) == sorted(records)
    for src, m in records.items():
        a = library.articles[src]
        assert a.text == m["text"] and a.title == m["title"] and a.content_hash == m["content_hash"]
        assert library.articles.meta(src)["title"] == m["title"]

    # an older table: texts inside articles.json, no texts.bin
    data = tmp_path / "data"
    shutil.copytree(seed_settings.data_dir, data)
    old = table.folder_for(data, library.generation)
    (old / "texts.bin").unlink()
    (old / "text_offsets.npy").unlink()
    meta = json.loads((old / "meta.json").read_text())
    del meta["texts"]
    (old / "meta.json").write_text(json.dumps(meta))
    (old / "articles.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    lib = services.library(seed_settings.model_copy(update={"data_dir": data}), embed=library.embed)
    assert {s: lib.articles[s].text for s in lib.articles} == {s: m["text"] for s, m in records.items()}
    assert (old / "texts.bin").is_file()  # rewritten in the new layout


# --- damaged files: a table that cannot be read is one that is not there ----------------------
def _copy(seed_settings, library, tmp_path):
    """A copy of the session index's table folder, and the key it loads with."""
    from index import table

    folder = tmp_path / "t"
    shutil.copytree(table.folder_for(seed_settings.data_dir, library.generation), folder)
    return folder, table.key(library.stamp, library.fingerprint)


def _cut(path, size: int) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(size)


def _overwrite(path, at: int, data: bytes) -> None:
    """`data` written over the file's bytes from `at` on (its size unchanged)."""
    with open(path, "r+b") as fh:
        fh.seek(at)
        fh.write(data)


def _huge_header(path) -> None:
    """The .npy header rewritten to claim 10^12 rows (the payload left as it was)."""
    import io

    a = np.load(path)
    head = io.BytesIO()
    np.lib.format.write_array_header_1_0(head, {"descr": np.lib.format.dtype_to_descr(a.dtype), "fortran_order": False,
                                                "shape": (10**12,) + a.shape[1:]})
    path.write_bytes(head.getvalue() + a.tobytes())


def _text_at(folder, k: int) -> int:
    """Where the k-th article's text starts in texts.bin."""
    return int(np.load(folder / "text_offsets.npy")[k])


DAMAGE = {  # file -> what is done to it; each makes the table unreadable
    "columns.npz cut short": ("columns.npz", lambda p: _cut(p, 500)),
    "columns.npz emptied": ("columns.npz", lambda p: _cut(p, 0)),
    "columns.npz garbled": ("columns.npz", lambda p: _overwrite(p, p.stat().st_size // 2, b"\xff" * 64)),
    "vectors.npy cut short": ("vectors.npy", lambda p: _cut(p, p.stat().st_size // 2)),
    "vectors.npy header garbled": ("vectors.npy", _huge_header),
    "vectors.npy not an array": ("vectors.npy", lambda p: p.write_bytes(b"garbage" * 100)),
    "texts.bin cut short": ("texts.bin", lambda p: _cut(p, p.stat().st_size - 10)),
    "text_offsets.npy cut short": ("text_offsets.npy", lambda p: _cut(p, 100)),
    "text_offsets.npy out of order": ("text_offsets.npy", lambda p: np.save(p, np.load(p)[::-1].copy())),
    "text_checksums.npy cut short": ("text_checksums.npy", lambda p: _cut(p, 90)),
    "meta.json garbled": ("meta.json", lambda p: p.write_bytes(p.read_bytes()[:40])),
    "meta.json not an object": ("meta.json", lambda p: p.write_text("[1, 2]")),
    "strings.json garbled": ("strings.json", lambda p: p.write_bytes(b"\xff\xfe" + p.read_bytes()[2:])),
    "strings.json of another table": ("strings.json", lambda p: p.write_text('{"sources": ["a.txt"], "chunks": []}')),
    "articles.json cut short": ("articles.json", lambda p: _cut(p, 100)),
    "articles.json not rows": ("articles.json", lambda p: p.write_text("[]")),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("mmap", [False, True])
def test_a_damaged_table_file_makes_the_table_unreadable_with_one_warning(seed_settings, library, tmp_path, caplog, damage, mmap):
    """Whatever is wrong with one of its files — cut short, garbled, not of this table — load()
    returns None (the caller builds the table again) with one warning that names the file,
    never an exception of the reading library (BadZipFile, JSONDecodeError, EOFError...)."""
    from index import table

    folder, key = _copy(seed_settings, library, tmp_path)
    assert table.load(folder, key, mmap=mmap) is not None
    name, damage_it = DAMAGE[damage]
    damage_it(folder / name)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="index.table"):
        assert table.load(folder, key, mmap=mmap) is None
        assert table.load(folder, key, mmap=mmap, verify=True) is None
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 2 and all(f"({name}: " in m and "unreadable index table" in m for m in said), said


@pytest.mark.parametrize("garble", [b"\xff\xfe\xff", b"xyz"], ids=["not UTF-8", "still UTF-8"])
def test_a_garbled_article_text_is_found_when_it_is_read(seed_settings, library, tmp_path, garble):
    """Bytes of texts.bin garbled in place (its size unchanged) are not read at load — a serving
    process maps the texts, it does not read them — but found when that article's text is:
    IndexFileDamaged, naming the file (not UnicodeDecodeError, nor a wrong text), and the table
    is set aside so the next load builds it again. The other articles still read."""
    from index import table

    folder, key = _copy(seed_settings, library, tmp_path)
    good = table.load(folder, key, mmap=True)
    names = sorted(good.articles)
    texts = {s: good.article_text(s) for s in names}
    _overwrite(folder / "texts.bin", _text_at(folder, 2) + 10, garble)
    t = table.load(folder, key, mmap=True)
    assert t is not None  # unverified: nothing read yet
    assert t.article_text(names[0]) == texts[names[0]] and t.article_text(names[3]) == texts[names[3]]
    with pytest.raises(table.IndexFileDamaged, match="citebot ingest") as got:
        t.article_text(names[2])
    assert got.value.path == folder / "texts.bin" and "texts.bin" in str(got.value)
    with pytest.raises(table.IndexFileDamaged):
        list(t.article_texts)
    assert not (folder / "meta.json").exists() and table.load(folder, key) is None  # set aside: built again


def test_verify_finds_bytes_garbled_in_place(seed_settings, library, tmp_path, caplog):
    """load(verify=True) (ingest) checks every file against its crc32 in meta.json: bytes garbled
    in place, which an unverified load cannot see, make the table unreadable; intact, it loads."""
    from index import table

    folder, key = _copy(seed_settings, library, tmp_path)
    assert table.load(folder, key, verify=True) is not None
    for name, at in (("texts.bin", _text_at(folder, 1) + 5), ("vectors.npy", 4000), ("neighbours.npy", 500), ("chunk_vectors.npy", 3000)):
        before = (folder / name).read_bytes()
        _overwrite(folder / name, at, b"xyz")
        assert table.load(folder, key) is not None, name  # unverified: still loads
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="index.table"):
            assert table.load(folder, key, verify=True) is None, name
        assert [f"({name}: ValueError: checksum mismatch" in r.getMessage() for r in caplog.records] == [True], name
        (folder / name).write_bytes(before)
    assert table.load(folder, key, verify=True) is not None


def test_a_table_written_without_checksums_still_loads_and_its_texts_are_checked_as_utf8(seed_settings, library, tmp_path):
    """A table saved before the checksums (no "checksums" in meta.json, no text_checksums.npy)
    loads as before; verify checks that texts.bin is UTF-8, and reading a text that is not raises
    IndexFileDamaged."""
    import json

    from index import table

    folder, key = _copy(seed_settings, library, tmp_path)
    meta = json.loads((folder / "meta.json").read_text())
    del meta["checksums"]
    (folder / "meta.json").write_text(json.dumps(meta))
    (folder / "text_checksums.npy").unlink()
    t = table.load(folder, key, verify=True)
    assert t is not None and t.article_texts.checksums is None
    assert {s: t.article_text(s) for s in t.articles} == {s: library.articles[s].text for s in library.articles}
    _overwrite(folder / "texts.bin", _text_at(folder, 1) + 5, b"\xff\xfe")
    assert table.load(folder, key, verify=True) is None
    t = table.load(folder, key)
    with pytest.raises(table.IndexFileDamaged, match="not UTF-8"):
        t.article_text(sorted(t.articles)[1])


def test_a_table_made_from_a_damaged_one_is_read_from_chroma(seed_settings, library, tmp_path):
    """table.updated (a new generation's table from the one before: ingest, a serving process
    switching generations) over a table whose texts are damaged reads the table from Chroma
    instead of failing: the same table."""
    from index import table

    folder, key = _copy(seed_settings, library, tmp_path)
    _overwrite(folder / "texts.bin", _text_at(folder, 4) + 1, b"\xff")
    old = table.load(folder, key, mmap=True)
    made = table.updated(old, library.store, "k")
    whole = table.from_chroma(library.store, "k")
    assert made.sources == whole.sources and made.c_ids == whole.c_ids
    assert {s: made.article_text(s) for s in made.articles} == {s: whole.article_text(s) for s in whole.articles}
    assert np.array_equal(made.vectors, whole.vectors)


def _damaged_copy(seed_settings, tmp_path, name: str, damage):
    """A copy of the session's DATA_DIR whose current table has `damage` done to its file `name`."""
    from bot import services
    from index import table

    data = tmp_path / "data"
    shutil.copytree(seed_settings.data_dir, data)
    settings = seed_settings.model_copy(update={"data_dir": data})
    folder = table.folder_for(data, services.store(settings).current_generation())
    damage(folder / name)
    return settings, folder


@pytest.mark.parametrize("damage", ["columns.npz cut short", "texts.bin cut short", "vectors.npy header garbled"])
def test_a_library_over_a_damaged_table_rebuilds_it_and_answers(seed_settings, library, embed, tmp_path, caplog, damage):
    from conftest import SHMELYEV_Q, SHMELYEV_SOURCE

    from bot import services
    from index import table

    settings, folder = _damaged_copy(seed_settings, tmp_path, *DAMAGE[damage])
    with caplog.at_level(logging.WARNING, logger="index.table"):
        lib = services.library(settings, embed=embed)
    assert any(f"({DAMAGE[damage][0]}: " in r.getMessage() for r in caplog.records)
    assert table.load(folder, table.key(lib.stamp, lib.fingerprint), verify=True) is not None  # rebuilt and saved
    answer = services.answerer(settings, lib).ask(SHMELYEV_Q)
    assert not answer.refused and answer.citations[0].source == SHMELYEV_SOURCE


def test_a_garbled_text_fails_one_question_and_the_next_start_rebuilds_the_table(seed_settings, library, embed, tmp_path):
    from conftest import SHMELYEV_Q, SHMELYEV_SOURCE

    from bot import services
    from index import table

    source = library.articles[SHMELYEV_SOURCE]
    k = sorted(library.articles).index(SHMELYEV_SOURCE)
    at = source.text.index("Shmelyev")
    settings, folder = _damaged_copy(
        seed_settings, tmp_path, "texts.bin",
        lambda p: _overwrite(p, _text_at(p.parent, k) + len(source.text[:at].encode()), b"\xff\xfe\xff"))
    with pytest.raises(table.IndexFileDamaged, match="texts.bin"):
        services.answerer(settings, services.library(settings, embed=embed)).ask(SHMELYEV_Q)
    lib = services.library(settings, embed=embed)  # the next start: the table set aside, made again
    assert lib.articles[SHMELYEV_SOURCE].text == source.text
    answer = services.answerer(settings, lib).ask(SHMELYEV_Q)
    assert not answer.refused and answer.citations[0].source == SHMELYEV_SOURCE


def test_ingest_over_a_damaged_previous_table_makes_the_new_one_from_chroma(seed_settings, library, embed, tmp_path):
    """A changed corpus: ingest makes the new generation's table from the previous one's — whose
    columns.npz is cut short here and texts.bin garbled — it reads it from Chroma instead."""
    from conftest import CORPUS

    from bot import services
    from index import table
    from index.ingest import ingest

    for name, damage in (("columns.npz", lambda p: _cut(p, 500)), ("texts.bin", lambda p: _overwrite(p, 50, b"\xff\xfe"))):
        settings, _ = _damaged_copy(seed_settings, tmp_path / name, name, damage)
        corpus = tmp_path / name / "corpus"
        shutil.copytree(CORPUS, corpus)
        (corpus / "950_new.txt").write_text("A new title\n\nThe harbour at Klaipeda took its first ship of potash on Tuesday.\n", encoding="utf-8")
        store = services.store(settings)
        report = ingest(corpus, store, embed, settings.data_dir, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap,
                        max_file_bytes=settings.max_file_bytes)
        assert report.added == ["950_new.txt"], name
        pointer = services.store(settings).pointer()
        made = table.load(table.folder_for(settings.data_dir, report.generation), table.key(pointer["stamp"], pointer["fingerprint"]), verify=True)
        whole = table.from_chroma(services.store(settings).at(report.generation), "k")
        assert made is not None and made.sources == whole.sources and made.c_ids == whole.c_ids, name
        assert {s: made.article_text(s) for s in made.articles} == {s: whole.article_text(s) for s in whole.articles}, name


def test_an_ingest_with_nothing_to_do_repairs_a_garbled_table(seed_settings, library, embed, tmp_path):
    from conftest import CORPUS

    from bot import services
    from index import table
    from index.ingest import ingest

    settings, folder = _damaged_copy(seed_settings, tmp_path, "texts.bin", lambda p: _overwrite(p, 50, b"xyz"))
    report = ingest(CORPUS, services.store(settings), embed, settings.data_dir, chunk_size=settings.chunk_size,
                    chunk_overlap=settings.chunk_overlap, max_file_bytes=settings.max_file_bytes)
    assert report.unchanged == 5 and not report.added
    pointer = services.store(settings).pointer()
    t = table.load(folder, table.key(pointer["stamp"], pointer["fingerprint"]), verify=True)
    assert t is not None and {s: t.article_text(s) for s in t.articles} == {s: library.articles[s].text for s in library.articles}
