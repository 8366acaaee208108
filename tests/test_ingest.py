"""Incremental ingest into real (embedded) Chroma: add, no-op, update, delete, rebuild."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import CORPUS
from index.lexical import LexicalIndex, tokenize

KEEP = "001_3d31b8ba4ffd7bb4.txt"
EDIT = "003_a249e923c2b6cff2.txt"
NEW_SENTENCE = "A brand new closing sentence mentions zebras grazing near Klaipeda."


def rows_by_source(store, kind: str) -> dict[str, list[str]]:
    rows = store.all_rows(kind, ["metadatas"])
    out: dict[str, list[str]] = {}
    for i, m in zip(rows["ids"], rows["metadatas"]):
        out.setdefault(m["source"], []).append(i)
    return out


def test_incremental_ingest(tmp_path, make_settings, embed):
    from bot import services
    from index.ingest import ingest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in (KEEP, EDIT):
        shutil.copy(CORPUS / name, corpus)
    settings = make_settings(tmp_path / "data")
    data = settings.data_dir
    store = services.store(settings)

    def run(**kw):
        return ingest(corpus, store, embed, data, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap, **kw)

    # 1. first ingest embeds everything
    first = run()
    assert first.added == [KEEP, EDIT] and first.updated == [] and first.removed == []
    assert first.articles == 2 and first.unchanged == 0 and not first.rebuilt
    assert first.chunks_embedded > 0 and first.sentences_embedded > first.chunks_embedded
    assert first.chunks_total == first.chunks_embedded
    assert len(store.all_rows("chunks", [])["ids"]) == first.chunks_embedded
    assert len(store.all_rows("sentences", [])["ids"]) == first.sentences_embedded
    records = store.article_records()
    assert set(records) == {KEEP, EDIT}
    old_hash = records[EDIT]["content_hash"]
    assert records[KEEP]["url"] == "https://www.toutiao.com/article/7554769283600794138/"
    # BM25 files on disk, covering exactly the chunks in Chroma
    bm25 = data / "bm25"
    assert (bm25 / "citebot.json").is_file() and (bm25 / "vocab.index.json").is_file()
    assert sorted(LexicalIndex.load(bm25).ids) == sorted(store.all_rows("chunks", [])["ids"])

    # 2. nothing changed: nothing embedded
    again = run()
    assert again.chunks_embedded == 0 and again.sentences_embedded == 0
    assert again.unchanged == 2 and again.added == again.updated == again.removed == []
    assert again.chunks_total == first.chunks_total

    # 3. edit one article: only it is re-embedded; old rows gone, new text searchable
    edited = corpus / EDIT
    edited.write_text(edited.read_text(encoding="utf-8") + "\n" + NEW_SENTENCE + "\n", encoding="utf-8")
    changed = run()
    assert changed.updated == [EDIT] and changed.added == [] and changed.removed == []
    assert changed.unchanged == 1 and changed.chunks_embedded > 0
    records = store.article_records()
    new_hash = records[EDIT]["content_hash"]
    assert new_hash != old_hash
    assert NEW_SENTENCE in records[EDIT]["text"]
    for kind in ("chunks", "sentences"):
        ids = rows_by_source(store, kind)[EDIT]
        assert ids and all(i.startswith(new_hash + ":") for i in ids), kind  # no stale rows of the old version
    chunk_rows = store.all_rows("chunks", ["metadatas", "documents"])
    assert len(chunk_rows["ids"]) == changed.chunks_total
    assert any(NEW_SENTENCE in d for d, m in zip(chunk_rows["documents"], chunk_rows["metadatas"]) if m["source"] == EDIT)
    # ... and found by retrieval over the index as it is on disk
    library = services.library(settings, embed=embed)
    hits = library.search("zebras grazing near Klaipeda", embed.get_query_embedding("zebras grazing near Klaipeda"), top=3)
    assert hits and hits[0].chunk.source == EDIT and "zebras" in hits[0].chunk.text
    assert hits[0].lexical_rank == 0
    assert any(s.text == NEW_SENTENCE for s in library.sentences)

    # 4. delete a file: its article, chunks and sentences leave Chroma and BM25
    (corpus / KEEP).unlink()
    removed = run()
    assert removed.removed == [KEEP] and removed.articles == 1 and removed.unchanged == 1
    assert removed.chunks_embedded == 0
    assert set(store.article_records()) == {EDIT}
    for kind in ("chunks", "sentences"):
        rows = store.all_rows(kind, ["metadatas"])
        assert rows["ids"], kind
        assert all(m["source"] != KEEP for m in rows["metadatas"]), kind
    remaining = store.all_rows("chunks", [])["ids"]
    assert sorted(LexicalIndex.load(bm25).ids) == sorted(remaining)
    assert removed.chunks_total == len(remaining)

    # 5. rebuild drops everything and embeds the corpus from scratch
    rebuilt = run(rebuild=True)
    assert rebuilt.rebuilt is True
    assert rebuilt.added == [EDIT] and rebuilt.articles == 1
    assert rebuilt.chunks_embedded == removed.chunks_total
    assert set(store.article_records()) == {EDIT}
    assert (bm25 / "citebot.json").is_file()


def test_changed_chunk_settings_rebuild_the_index(tmp_path, make_settings, embed):
    from bot import services
    from index.ingest import ingest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / EDIT, corpus)
    settings = make_settings(tmp_path / "data")
    store = services.store(settings)
    first = ingest(corpus, store, embed, settings.data_dir, chunk_size=160, chunk_overlap=32)
    assert not first.rebuilt
    second = ingest(corpus, store, embed, settings.data_dir, chunk_size=96, chunk_overlap=16)
    assert second.rebuilt and second.added == [EDIT]
    assert second.chunks_total > first.chunks_total


def test_missing_corpus_dir_raises(tmp_path, make_settings, embed):
    from bot import services
    from index.ingest import ingest

    settings = make_settings(tmp_path / "data")
    with pytest.raises(FileNotFoundError):
        ingest(tmp_path / "nope", services.store(settings), embed, settings.data_dir)


def test_direct_onnx_runner_gives_sentence_transformers_vectors(embed):
    """The ONNX model served without torch/sentence-transformers gives the same vectors (the
    fp32 export: int8's dynamic quantisation scales activations per batch, so its vectors
    depend a little on the batch they were computed in, see the int8 test)."""
    from sentence_transformers import SentenceTransformer

    from index.embedding import MiniLMEmbedding, OnnxMiniLM

    folder = MiniLMEmbedding(embed.model_dir, "onnx", embed.cache_dir, precision="fp32")._onnx_dir()
    texts = ["Which outlet interviewed Boris Shmelyev?", "hi", "Lukashenko " * 400]  # the last one is truncated
    ours = OnnxMiniLM(folder).encode(texts, batch_size=2)
    theirs = SentenceTransformer(str(folder), device="cpu", backend="onnx").encode(texts, normalize_embeddings=True)
    assert ours.shape == (3, 384)
    assert abs(ours - theirs).max() < 1e-5


def test_int8_model_is_quantised_once_and_stays_close_to_fp32(embed, make_settings, tmp_path):
    """The default int8 model is made from the fp32 export (kept beside it); its vectors are
    the fp32 ones within a small angle, and an index built with one is rebuilt for the other."""
    from bot import services
    from index.embedding import onnx_path
    from index.ingest import fingerprint

    assert embed.precision == "int8" and embed.model_id.endswith("-int8-exact")
    cache = Path(embed.cache_dir)
    int8, fp32 = onnx_path(cache, "int8"), onnx_path(cache, "fp32")
    assert int8.exists() and fp32.exists()
    assert int8.stat().st_size < fp32.stat().st_size / 3  # really quantised: 23 MB against 90
    other = services.embedding(make_settings(tmp_path, embed_precision="fp32")).load()
    texts = ["Which outlet interviewed Boris Shmelyev?", "Lukashenko released 123 political prisoners.", "potash"]
    a, b = embed.encode(texts), other.encode(texts)
    cos = (a * b).sum(axis=1)
    assert cos.min() > 0.97 and not np.allclose(a, b, atol=1e-4)
    # a text's vector does not depend on the texts embedded with it (int8's activation
    # scales would otherwise be the whole batch's): a question alone = the same sentence at ingest
    alone = np.vstack([embed.encode([t]) for t in texts])
    assert np.allclose(alone, a, atol=1e-6)
    assert fingerprint(160, 32, embed.model_id) != fingerprint(160, 32, other.model_id)


def test_chunk_vectors_are_pooled_from_the_sentences_they_overlap():
    import numpy as np

    from index.chunking import Chunk, Sentence
    from index.ingest import pool_chunk_vectors

    sents = {"a": [Sentence("a", 0, 0, 10, "x" * 10, 0), Sentence("a", 1, 11, 50, "y" * 39, 0)]}
    vecs = np.zeros((2, 384), np.float32)
    vecs[0, 0] = vecs[1, 1] = 1.0
    chunks = [Chunk("h:0", "a", 0, 0, 10, ""), Chunk("h:1", "a", 1, 0, 50, ""), Chunk("h:2", "a", 2, 60, 70, "")]
    out = pool_chunk_vectors(chunks, sents, vecs, {"a": 0})
    assert np.allclose(out[0], vecs[0])  # one sentence: its own vector
    assert np.isclose(np.linalg.norm(out[1]), 1.0)  # two: a normalised mix, weighted by sqrt(shared chars)
    assert np.isclose(out[1, 1] / out[1, 0], (39 / 10) ** 0.5)
    assert not out[2].any()  # no sentence: left for the caller to embed


def test_bulk_encoding_over_threads_gives_the_same_vectors(embed):
    """Ingest embeds on every core (a single-threaded session run from N threads): the vectors
    must be the query session's, bit for bit, so ingest and serving agree exactly."""
    import numpy as np

    texts = [f"Sentence {i}: " + "the council met in Minsk to discuss prisoners " * (1 + i % 7) for i in range(70)]
    one = embed.encode(texts)
    assert np.array_equal(embed.encode(texts, workers=2), one)
    assert np.array_equal(embed.encode(texts, workers=3), one)
    assert np.array_equal(embed.encode_bulk(texts), one)


def test_a_repeated_text_is_encoded_once_and_keeps_its_place(embed):
    """A syndicated sentence or a byline met many times is embedded once: each row is the text's
    own vector, where the text stood."""
    import numpy as np

    texts = ["Minsk freed 52 prisoners.", "Vilnius welcomed them.", "Minsk freed 52 prisoners.", "By Staff", "By Staff"]
    runs = []
    model = embed.model
    real = model._encode_rows
    model._encode_rows = lambda session, batch, rows: runs.append([batch[i] for i in rows]) or real(session, batch, rows)
    try:
        out = embed.encode(texts)
    finally:
        model._encode_rows = real
    assert sorted(r[0] for r in runs) == sorted(set(texts))  # three runs, not five
    for row, text in zip(out, texts):
        assert np.array_equal(row, embed.encode([text])[0])


def test_every_article_is_read_back_past_sqlites_variable_limit(tmp_path):
    """Chroma answers one `get` of every row with 'too many SQL variables' past ~32k rows: the
    100k-chunk ingest (40k articles) failed there, on writing the serving table. The store reads
    the articles in pages."""
    from types import SimpleNamespace

    from index.store import ChromaStore

    store = ChromaStore(tmp_path / "data")
    gen = store.start_generation("fp")
    n = 33_000
    articles = [
        SimpleNamespace(source=f"{i:06d}.txt", title=f"Title {i}", date=None, url=None, publisher=None, author=None,
                        content_hash=f"h{i}", text=f"Text of article {i}.")
        for i in range(n)
    ]
    for i in range(0, n, 5000):
        batch = articles[i : i + 5000]
        store.put_articles(batch, [[1.0, 0.0]] * len(batch), gen)
    records = store.article_records(gen)
    assert len(records) == n
    assert records["032999.txt"]["text"] == "Text of article 32999." and records["000000.txt"]["title"] == "Title 0"
    assert len(store.article_hashes(gen)) == n


def test_a_batch_with_more_rows_than_chroma_takes_at_once_is_written_in_parts(tmp_path):
    """An embedded Chroma takes at most get_max_batch_size() rows a write (5,461); llama-index's
    ChromaVectorStore.add splits at 41,665 only, so a batch of long articles (a few dozen of 190
    sentences) failed with "Batch size of 6080 is greater than max batch size of 5461". The
    store writes nodes in parts; so do the article rows."""
    from types import SimpleNamespace

    from llama_index.core.schema import TextNode

    from index.store import ChromaStore

    store = ChromaStore(tmp_path / "data")
    gen = store.start_generation("fp")
    n = store.client.get_max_batch_size() + 100
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(n, 4)).astype(np.float32)
    nodes = [TextNode(id_=f"h:s{i}", text=f"Sentence {i}.", embedding=vectors[i].tolist(), metadata={"source": "a.txt", "position": i})
             for i in range(n)]
    store.add_nodes("sentences", nodes, generation=gen)
    assert store.collection("sentences", generation=gen).count() == n
    articles = [SimpleNamespace(source=f"{i:06d}.txt", title="T", date=None, url=None, publisher=None, author=None,
                                content_hash=f"h{i}", text="Text.") for i in range(n)]
    store.put_articles(articles, [[1.0, 0.0]] * n, gen)
    assert len(store.article_hashes(gen)) == n


def test_the_collections_an_ingest_makes_search_with_hnsw_ef_search(tmp_path, make_settings, embed, library):
    """HNSW_EF_SEARCH (candidates per HNSW query; Chroma's own default, 100, found 73 % of the
    exact closest sentences in the 100k benchmark index) is set on the chunk and sentence
    collections an ingest makes; the default index has the default value."""
    from bot import services
    from bot.config import Settings
    from index.ingest import ingest
    from index.store import HNSW_EF_SEARCH

    assert Settings().hnsw_ef_search == HNSW_EF_SEARCH
    for kind in ("chunks", "sentences"):
        assert library.store.collection(kind, create=False).configuration["hnsw"]["ef_search"] == HNSW_EF_SEARCH
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "002_b4c17ae533b9d5da.txt", corpus)
    settings = make_settings(tmp_path / "data", hnsw_ef_search=123)
    ingest(corpus, services.store(settings), embed, settings.data_dir)
    store = services.store(settings)
    for kind in ("chunks", "sentences"):
        assert store.collection(kind, create=False).configuration["hnsw"]["ef_search"] == 123
    assert "Svobodnaya Pressa" in services.answerer(settings, services.library(settings, embed=embed)).ask(
        "Which outlet interviewed Boris Shmelyev?").text


def test_bm25_search_ranks_the_scoring_chunks_by_score_then_position(tmp_path):
    """LexicalIndex.search ranks only the chunks that score (bm25s's own top-k partitions every
    chunk's score, most of them 0, which is slow with many ties): the k best, by score, ties
    in index order, the same chunks and scores bm25s's `retrieve` gives; saved and loaded
    (mapped) alike."""
    texts = [
        "Lukashenko met Kellogg in Minsk.", "Kellogg flew to Minsk.", "The talks in Minsk lasted hours.",
        "Lukashenko met Kellogg in Minsk.", "Nothing about the envoy here.", "Lukashenko met Kellogg in Minsk.",
        "Rain fell on Vilnius.", "Minsk, Minsk, Minsk.",
    ]
    ids = [f"c{i}" for i in range(len(texts))]
    built = LexicalIndex.build(ids, texts, "s")
    built.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    for lex in (built, loaded):
        got = lex.search("Where did Lukashenko meet Kellogg in Minsk?", 10)
        scores = lex.retriever.get_scores(tokenize(["Where did Lukashenko meet Kellogg in Minsk?"])[0])
        expected = sorted((i for i in range(len(texts)) if scores[i] > 0), key=lambda i: (-scores[i], i))
        assert [cid for cid, _ in got] == [ids[i] for i in expected]
        assert got[0][0] == "c0" and [cid for cid, _ in got[:3]] == ["c0", "c3", "c5"]  # three equal: by position
        assert all(s > 0 for _, s in got) and "c6" not in dict(got)
        # k smaller than the chunks that score: the k best, the tie at the k-th score kept in order
        assert [cid for cid, _ in lex.search("Lukashenko Kellogg Minsk", 2)] == ["c0", "c3"]
        top = lex.retriever.retrieve(tokenize(["Lukashenko Kellogg Minsk"]), k=4, show_progress=False)
        assert sorted(float(s) for s in top[1][0]) == sorted(s for _, s in lex.search("Lukashenko Kellogg Minsk", 4))
        assert lex.search("Vilnius", 0) == [] and lex.search("zzzz qqqq", 5) == []
    # sixty chunks of one score among ninety: the first five of them (bm25s's partition gave
    # c89, c88, c86, c85, c82)
    many = LexicalIndex.build([f"c{i}" for i in range(90)], [("Minsk talks went on." if i % 3 else "Rain in Vilnius today.") for i in range(90)], "s")
    assert [cid for cid, _ in many.search("Minsk talks", 5)] == ["c1", "c2", "c4", "c5", "c7"]




def test_ingest_builds_bm25_from_the_table_with_the_chunks_chroma_holds(seed_settings, seed_index):
    """Ingest takes the chunks' texts for BM25 from the serving table it has just made (article
    text between the chunk's offsets) instead of reading them out of Chroma again: the same
    chunks, in the same order, with the same texts, hence the same index."""
    from bot import services
    from index import table
    from index.ingest import build_lexical
    from index.lexical import LexicalIndex

    store = services.store(seed_settings)
    saved = LexicalIndex.load(seed_settings.data_dir / "bm25")
    rows = store.all_rows("chunks", ["documents"])
    assert saved.ids == rows["ids"]
    t = table.load(table.folder_for(seed_settings.data_dir, store.current_generation()),
                   table.key(store.pointer()["stamp"], store.fingerprint()), mmap=True)
    assert table.chunk_texts(t) == rows["documents"]
    from_chroma = build_lexical(store, saved.stamp)
    for q in ("Which outlet interviewed Boris Shmelyev?", "potash Klaipeda port sanctions", "Kellogg Minsk"):
        assert saved.search(q, 10) == from_chroma.search(q, 10), q


def test_an_unchanged_corpus_remakes_a_lost_bm25_index_from_the_serving_table(tmp_path, make_settings, embed, monkeypatch):
    """Nothing changed, but this DATA_DIR lost its BM25 files (or its table too): ingest makes
    them again without embedding, BM25 from the serving table as a full ingest does, not from
    the chunks' texts read out of Chroma again. The same index comes back."""
    from bot import services
    from index import ingest as ingest_mod
    from index.lexical import LexicalIndex

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in (KEEP, EDIT):
        shutil.copy(CORPUS / name, corpus)
    settings = make_settings(tmp_path / "data")
    data, store = settings.data_dir, services.store(settings)

    def run():
        return ingest_mod.ingest(corpus, store, embed, data, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)

    first = run()
    before = LexicalIndex.load(data / "bm25")
    q = "Which outlet interviewed Boris Shmelyev?"

    def from_chroma(*args, **kwargs):
        raise AssertionError("BM25 was rebuilt from the chunks in Chroma")

    monkeypatch.setattr(ingest_mod, "build_lexical", from_chroma)
    for lost in (["bm25"], ["bm25", "table"]):
        for name in lost:
            shutil.rmtree(data / name)
        again = run()
        assert again.chunks_embedded == 0 and again.chunks_total == first.chunks_total, lost
        remade = LexicalIndex.load(data / "bm25")
        assert remade.stamp == before.stamp and remade.ids == before.ids, lost
        assert remade.search(q, 10) == before.search(q, 10), lost


ORIGINAL = "000_979f3109055ecc6f.txt"
COPY = "000_copy.txt"  # after ORIGINAL by name: ORIGINAL is the one kept
DUPLICATE = f"it has the same content as {ORIGINAL}, which is indexed instead (a duplicate)"
ORIGINAL_PHRASE = "Vsevolod Shemov"  # a name only that article has


def _diagnose(settings, corpus, **kw):
    from bot import services
    from index.health import diagnose

    s = settings
    return diagnose(services.store(s), s.data_dir, corpus, s.chunk_size, s.chunk_overlap, s.max_file_bytes, s.embed_backend,
                    s.model_cache_dir, s.embed_precision, **kw)


def test_diagnose_fails_a_named_corpus_it_cannot_read_and_notes_a_missing_default(seed_settings, seed_index, tmp_path):
    """doctor --corpus X (corpus_given): X missing or a file is a failure, exit 1; the configured
    CORPUS_DIR missing is a note (a serving machine may have none), the index healthy."""
    a_file = tmp_path / "article.txt"
    a_file.write_text("Title\n\nText.\n", encoding="utf-8")
    for corpus, said in ((tmp_path / "nope", "Corpus directory not found"), (a_file, "is a file, not a directory")):
        named = _diagnose(seed_settings, corpus, corpus_given=True)
        checks = {c.name: c for c in named.checks}
        assert named.exit_code == 1 and checks["corpus"].status == "fail" and said in checks["corpus"].detail
        assert [c.name for c in named.checks].count("corpus") == 1
        default = _diagnose(seed_settings, corpus)
        assert default.exit_code == 0 and {c.name: c for c in default.checks}["corpus"].status == "warn"


def test_a_copy_added_to_an_indexed_corpus_is_skipped_and_takes_over_when_the_original_goes(tmp_path, make_settings, embed):
    """A file with the same bytes as an indexed one was merged into it silently (its article row
    written, its chunks not: their ids, made from the content hash, were the original's). It is
    skipped naming the original; nothing is embedded, doctor agrees the index is up to date, and
    deleting the original makes the copy the indexed one (here through a delta generation,
    which hides the original's rows by that same hash)."""
    from bot import services
    from index.ingest import ingest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(CORPUS.glob("*.txt")):
        shutil.copy(path, corpus)
    assert ORIGINAL_PHRASE in (corpus / ORIGINAL).read_text(encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    store = services.store(settings)

    def run(**kw):
        return ingest(corpus, store, embed, settings.data_dir, chunk_size=settings.chunk_size,
                      chunk_overlap=settings.chunk_overlap, **kw)

    first = run()
    assert first.articles == 5
    shutil.copy(corpus / ORIGINAL, corpus / COPY)
    added = run()
    assert added.skipped == [(COPY, DUPLICATE)]
    assert added.chunks_embedded == added.sentences_embedded == 0 and added.added == [] and added.unchanged == 5
    assert added.articles == 5 and added.chunks_total == first.chunks_total
    assert COPY not in store.article_records()
    d = _diagnose(settings, corpus)
    assert d.exit_code == 0 and (d.facts["new"], d.facts["changed"], d.facts["removed"]) == (0, 0, 0)

    (corpus / ORIGINAL).unlink()
    moved = run(delta_fraction=0.5)
    assert moved.base is not None  # a delta generation over the first
    assert moved.added == [COPY] and moved.removed == [ORIGINAL] and moved.skipped == []
    assert moved.articles == 5 and moved.chunks_total == first.chunks_total
    assert set(store.article_records()) == {p.name for p in CORPUS.glob("*.txt")} - {ORIGINAL} | {COPY}
    library = services.library(settings, embed=embed)
    hits = library.search(ORIGINAL_PHRASE, embed.get_query_embedding(ORIGINAL_PHRASE), top=10)
    assert hits and {h.chunk.source for h in hits if ORIGINAL_PHRASE in h.chunk.text} == {COPY}
    again = run(delta_fraction=0.5)
    assert again.chunks_embedded == 0 and again.unchanged == 5 and again.added == again.removed == []
    assert _diagnose(settings, corpus).exit_code == 0


def test_a_first_ingest_of_a_corpus_with_a_copy_is_interrupted_and_resumed(tmp_path, make_settings, embed):
    """A fresh ingest of a corpus holding two files with the same bytes failed with Chroma's
    DuplicateIDError, and every ingest after it (resuming, or --rebuild) did too. The copy is
    skipped in the first run, in the run that resumes it, and in a rebuild."""
    from bot import services
    from index.ingest import ingest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(CORPUS.glob("*.txt"))[:3]:
        shutil.copy(path, corpus)
    shutil.copy(CORPUS / ORIGINAL, corpus / COPY)
    settings = make_settings(tmp_path / "data")
    store = services.store(settings)

    def run(**kw):
        return ingest(corpus, store, embed, settings.data_dir, chunk_size=settings.chunk_size,
                      chunk_overlap=settings.chunk_overlap, batch_articles=1, **kw)

    def stop(done, total, name):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(progress=stop)
    assert store.pointer() is None and store.building()
    done = store.article_hashes(store.building()["generation"], own=True)
    assert ORIGINAL in done and COPY not in done
    resumed = run()
    assert resumed.resumed and resumed.skipped == [(COPY, DUPLICATE)]
    assert resumed.articles == 3 and COPY not in resumed.added
    assert set(store.article_records()) == {p.name for p in sorted(CORPUS.glob("*.txt"))[:3]}
    chunk_ids = store.all_rows("chunks", [])["ids"]
    assert len(chunk_ids) == len(set(chunk_ids)) == resumed.chunks_total
    rebuilt = run(rebuild=True)
    assert rebuilt.rebuilt and rebuilt.skipped == [(COPY, DUPLICATE)] and rebuilt.articles == 3
