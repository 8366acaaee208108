"""Delta generations: a small change to the index writes only the changed articles and reads
the rest from the generation before (index.store.Layer), with the same rows as a complete one."""

from __future__ import annotations

import numpy as np
import pytest

from test_generations import make_corpus, run_ingest


def make_corpus_of_one(path):
    path.mkdir()
    (path / "950_new.txt").write_text(NEW, encoding="utf-8")
    return path

NEW = "A new title\n\nThe harbour at Klaipeda took its first ship of Belarusian potash on Tuesday, port officials said.\n"


def _table(store, gen):
    from index import table

    return table.from_chroma(store.at(gen), "k")


def _articles(t):
    """Each article's metadata and text (a table read from its files keeps the texts apart)."""
    return {s: ({k: v for k, v in m.items() if k not in ("text", "_row")}, t.article_text(s)) for s, m in t.articles.items()}


def assert_same_rows(a, b):
    """Two serving tables with the same rows, in the same order (vectors within float rounding
    of the embedding): sentences and chunks are in (source, position) order, whatever order
    Chroma holds them in."""
    assert a.sources == b.sources and _articles(a) == _articles(b)
    for f in ("s_source", "s_position", "s_start", "s_end", "s_paragraph"):
        assert (getattr(a, f) == getattr(b, f)).all(), f
    assert list(a.s_entities) == list(b.s_entities) and list(a.s_lemmas) == list(b.s_lemmas)
    assert np.allclose(a.vectors, b.vectors, atol=1e-5)
    assert a.c_ids == b.c_ids
    for f in ("c_source", "c_position", "c_start", "c_end"):
        assert (getattr(a, f) == getattr(b, f)).all(), f
    assert (a.chunk_vectors is None) == (b.chunk_vectors is None)  # none through a Chroma server
    assert a.chunk_vectors is None or np.allclose(a.chunk_vectors, b.chunk_vectors, atol=1e-5)


@pytest.fixture()
def twenty(tmp_path, make_settings, embed):
    """A 20-article corpus ingested complete (g1)."""
    corpus = make_corpus(tmp_path / "corpus", variants=15)
    settings = make_settings(tmp_path / "data")
    first = run_ingest(corpus, settings, embed, delta_fraction=0.25)
    assert first.generation == "g1" and first.base is None and first.articles == 20
    return corpus, settings, first


def test_small_changes_make_delta_generations_with_the_rows_of_a_complete_one(twenty, tmp_path, make_settings, embed):
    from bot import services

    corpus, settings, first = twenty  # changes of up to 5 of the 20 articles make deltas
    (corpus / "950_new.txt").write_text(NEW, encoding="utf-8")
    added = run_ingest(corpus, settings, embed, delta_fraction=0.25)
    assert added.generation == "g2" and added.base == "g1" and added.added == ["950_new.txt"]
    # nothing copied: the new article embedded, the other 20 read from g1
    assert added.chunks_copied == 0 and added.chunks_shared == first.chunks_total
    assert added.chunks_total == first.chunks_total + added.chunks_embedded
    store = services.store(settings)
    assert store.base_of("g2") == "g1" and store.collection("chunks", create=False, generation="g2").count() == added.chunks_embedded
    assert store.count("chunks", "g2") == added.chunks_total and store.count("articles", "g2") == 21

    # a changed article: its old rows in g1 are hidden, the new version lives in the delta, and
    # the article added before is carried from g2 (few rows) to stay over the same base
    edited = corpus / "905_variant.txt"
    old_hash = store.article_hashes("g1")["905_variant.txt"]
    edited.write_text(edited.read_text(encoding="utf-8").replace("Klaipeda", "Klaipėda port"), encoding="utf-8")
    changed = run_ingest(corpus, settings, embed, delta_fraction=0.25)
    assert changed.generation == "g3" and changed.base == "g1" and changed.updated == ["905_variant.txt"]
    assert changed.chunks_copied == added.chunks_embedded
    store = services.store(settings)
    layers = store.layers("g3")
    assert [x.generation for x in layers] == ["g1", "g3"] and layers[0].hidden == {"905_variant.txt"}
    assert layers[0].hidden_hashes == {old_hash}
    hashes = store.article_hashes("g3")
    assert len(hashes) == 21 and hashes["905_variant.txt"] != old_hash
    ids = store.all_rows("sentences", [], generation="g3")["ids"]
    assert len(ids) == len(set(ids)) == store.count("sentences", "g3")
    assert not any(i.startswith(old_hash + ":") for i in ids)

    # the old version's rows are still in g1's collection, and a query that would find them
    # finds the new version's instead
    old = store.collection("sentences", create=False, generation="g1").get(
        where={"source": "905_variant.txt"}, include=["embeddings"])
    near = store.nearest("sentences", old["embeddings"][-1], 5, generation="g3")
    assert near and not any(i.startswith(old_hash + ":") for i in near)
    assert near[0].startswith(hashes["905_variant.txt"] + ":")
    assert old["ids"][-1] in store.nearest("sentences", old["embeddings"][-1], 5, generation="g1")

    # a removed article; the previous generation and the base stay, g2 goes
    (corpus / "903_variant.txt").unlink()
    removed = run_ingest(corpus, settings, embed, delta_fraction=0.25)
    assert removed.generation == "g4" and removed.base == "g1" and removed.removed == ["903_variant.txt"]
    store = services.store(settings)
    assert store.generations() == ["g1", "g3", "g4"]
    assert store.layers("g4")[0].hidden == {"905_variant.txt", "903_variant.txt"}

    # the same corpus ingested whole gives the same rows
    full = run_ingest(corpus, make_settings(tmp_path / "full"), embed, delta_fraction=0)
    assert full.base is None and full.chunks_total == removed.chunks_total
    assert_same_rows(_table(store, "g4"), _table(services.store(make_settings(tmp_path / "full")), full.generation))


def test_the_serving_table_after_a_change_is_made_from_the_one_before(twenty, embed):
    """Ingest makes the new generation's table from the previous one's (index.table.updated),
    reading only the changed articles' rows from Chroma: the same rows as reading them all."""
    from bot import services
    from index import table

    corpus, settings, first = twenty
    store = services.store(settings)
    g1 = table.load(table.folder_for(settings.data_dir, "g1"), table.key(store.pointer()["stamp"], first_fp := store.fingerprint()), mmap=True)
    assert g1 is not None and len(g1.sources) == 20
    (corpus / "950_new.txt").write_text(NEW, encoding="utf-8")
    (corpus / "901_variant.txt").unlink()
    edited = corpus / "905_variant.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more closing line.\n", encoding="utf-8")
    for fraction in (0.25, 0):  # a delta generation, then a complete one
        report = run_ingest(corpus, settings, embed, delta_fraction=fraction)
        store = services.store(settings)
        assert (report.base is None) == (fraction == 0)
        whole = _table(store, report.generation)
        assert_same_rows(table.updated(g1, store.at(report.generation), "k"), whole)
        saved = table.load(table.folder_for(settings.data_dir, report.generation), table.key(store.pointer()["stamp"], first_fp), mmap=True)
        assert_same_rows(saved, whole)
        (corpus / "951_new.txt").write_text(NEW.replace("Tuesday", "Friday"), encoding="utf-8")
    # nothing in common: every row read
    other = make_corpus_of_one(corpus.parent / "one")
    assert len(table.updated(g1, store.at(run_ingest(other, settings, embed).generation), "k").sources) == 1


def test_answers_come_from_the_delta_and_never_from_what_it_hides(twenty, embed):
    from bot import services

    corpus, settings, first = twenty
    (corpus / "950_new.txt").write_text(NEW, encoding="utf-8")
    (corpus / "901_variant.txt").unlink()
    assert run_ingest(corpus, settings, embed).base == "g1"
    lib = services.library(settings, embed=embed)
    assert lib.generation == "g2" and len(lib.articles) == 20 and "901_variant.txt" not in lib.articles.keys()
    answer = services.answerer(settings, lib).ask("What did the harbour at Klaipeda take its first ship of on Tuesday?")
    assert not answer.refused and "potash" in answer.text.lower()
    assert answer.citations[0].source == "950_new.txt"
    # the removed article's text (the seed article it copies, plus its closing line) is cited
    # from the other articles that hold it, never from the removed one
    for q in ("Which outlet interviewed Boris Shmelyev?", "What does the added closing line number 1 mention?"):
        a = services.answerer(settings, lib).ask(q)
        assert all(c.source != "901_variant.txt" for c in a.citations), q
    for hit in lib.search("closing line number 1 harbour", embed.encode(["closing line number 1 harbour"])[0].tolist(), top=20):
        assert hit.chunk.source != "901_variant.txt"


def test_deltas_give_way_to_a_complete_generation_past_the_fraction(twenty, embed):
    from bot import services

    corpus, settings, first = twenty
    (corpus / "950_new.txt").write_text(NEW, encoding="utf-8")
    assert run_ingest(corpus, settings, embed, delta_fraction=0.1).base == "g1"  # 1 of 20
    (corpus / "951_new.txt").write_text(NEW.replace("Tuesday", "Friday"), encoding="utf-8")
    second = run_ingest(corpus, settings, embed, delta_fraction=0.1)  # 2 of 20 since g1
    assert second.base == "g1" and second.chunks_copied > 0
    (corpus / "952_new.txt").write_text(NEW.replace("Tuesday", "Sunday"), encoding="utf-8")
    third = run_ingest(corpus, settings, embed, delta_fraction=0.1)  # 3 of 20: past 10 %
    assert third.generation == "g4" and third.base is None and third.chunks_copied == third.chunks_total - third.chunks_embedded
    store = services.store(settings)
    assert store.layers("g4") == (store.layers("g4")[0],) and store.count("articles", "g4") == 23
    # kept: the new one, the previous one and its base; the next delta is over g4
    assert store.generations() == ["g1", "g3", "g4"]
    (corpus / "952_new.txt").unlink()
    assert run_ingest(corpus, settings, embed).base == "g4"
    assert services.store(settings).generations() == ["g4", "g5"]


def test_an_interrupted_delta_ingest_resumes_over_the_same_base(twenty, embed):
    from bot import services

    corpus, settings, first = twenty
    for i in range(5):
        (corpus / f"95{i}_new.txt").write_text(NEW.replace("Tuesday", f"day {i}"), encoding="utf-8")

    def stop(done, total, name):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # after the first batch's write (a few more are under way)
        run_ingest(corpus, settings, embed, batch_articles=1, progress=stop, delta_fraction=0.25)
    store = services.store(settings)
    assert store.current_generation() == "g1" and store.building()["generation"] == "g2" and store.base_of("g2") == "g1"
    written = len(store.article_hashes("g2", own=True))
    assert 1 <= written < 5
    again = run_ingest(corpus, settings, embed, batch_articles=1, delta_fraction=0.25)
    assert again.resumed and again.generation == "g2" and again.base == "g1" and again.articles == 25
    assert len(again.added) == 5 and again.chunks_embedded == again.sentences_embedded == 5 - written  # one sentence each
    assert services.store(settings).count("articles", "g2") == 25


def test_the_reingest_benchmark_changes_a_copy_of_the_corpus_only(tmp_path):
    """benchmarks/reingest.py's corpus: hard links to the original, with new, edited and removed
    files — the original's files untouched."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT))
    from benchmarks.reingest import changed_corpus

    source = tmp_path / "source"
    source.mkdir()
    for i in range(20):
        (source / f"{i:03d}.txt").write_text(f"Title {i}\n\nText {i}.\n", encoding="utf-8")
    before = {p.name: p.read_text() for p in source.iterdir()}
    changed_corpus(source, tmp_path / "changed", add=3, change=2, remove=4)
    after = {p.name: p.read_text() for p in (tmp_path / "changed").iterdir()}
    assert {p.name: p.read_text() for p in source.iterdir()} == before
    assert len([n for n in after if n.endswith("_added.txt")]) == 3
    assert len(set(before) - set(after)) == 4
    assert sum(1 for n in before if n in after and after[n] != before[n]) == 2


def test_a_layer_row_left_behind_does_not_make_a_complete_generation_a_delta(twenty, embed):
    """A generation dropped mid-way (a crash between its collections and its layer row) can leave
    the row; a later complete generation of the same name must not read it."""
    from bot import services

    corpus, settings, first = twenty
    services.store(settings).set_layers("g2", "g1", {"900_variant.txt"}, {"nohash"})
    for i in range(5):  # 5 of 20: a complete generation
        (corpus / f"95{i}_new.txt").write_text(NEW.replace("Tuesday", f"day {i}"), encoding="utf-8")
    report = run_ingest(corpus, settings, embed)
    store = services.store(settings)
    assert report.generation == "g2" and report.base is None and store.base_of("g2") is None
    assert store.count("articles", "g2") == 25 and "900_variant.txt" in store.article_hashes("g2")


def test_nearest_looks_past_as_many_hidden_rows_as_crowd_the_top(twenty, embed):
    """Three removed articles that copy a seed article leave three hidden copies of each of its
    sentences at the top of the base's results: nearest asks for more until the visible one
    (the seed article's own, same vector) is found, and never returns a hidden one."""
    from bot import services

    corpus, settings, first = twenty
    seed = sorted(corpus.glob("0*.txt"))[0].name
    store = services.store(settings)
    hashes = store.article_hashes("g1")
    copies = ["900_variant.txt", "905_variant.txt", "910_variant.txt"]  # seed article 0 plus a line
    for name in copies:
        (corpus / name).unlink()
    assert run_ingest(corpus, settings, embed, delta_fraction=0.25).base == "g1"
    store = services.store(settings)
    rows = store.collection("sentences", create=False, generation="g1").get(where={"source": seed}, include=["embeddings"])
    hidden = {hashes[c] for c in copies}
    for vector in rows["embeddings"][:5]:
        for n in (1, 2, 4):
            near = store.nearest("sentences", vector, n, generation="g2")
            assert len(near) == n and not any(i.rpartition(":")[0] in hidden for i in near)
            assert near[0].startswith(hashes[seed] + ":")


def test_the_corpus_facts_of_the_next_index_carry_the_speakers_of_unchanged_articles(twenty, embed, caplog):
    """After an ingest the answerer's corpus facts are made again (a new index key); the
    speakers of articles whose content did not change are taken from the facts of the index
    before (bot.speakers.attribute_all), the same as attributing them again."""
    import logging

    from bot import services
    from bot.answer import CorpusFacts

    corpus, settings, first = twenty
    CorpusFacts.load_or_build(services.library(settings, embed=embed), settings.data_dir)  # g1's facts
    (corpus / "950_new.txt").write_text(NEW, encoding="utf-8")
    (corpus / "901_variant.txt").unlink()
    assert run_ingest(corpus, settings, embed).base == "g1"
    lib = services.library(settings, embed=embed)
    with caplog.at_level(logging.INFO, logger="bot.answer"):
        carried = CorpusFacts.load_or_build(lib, settings.data_dir)
    assert "speakers of 20 articles carried over" in caplog.text
    fresh = CorpusFacts.compute(lib)
    assert carried.speakers[0] == fresh.speakers[0] and (carried.speakers[1] == fresh.speakers[1]).all()
    assert (fresh.speakers[1] >= 0).sum() > 50  # the seed articles' quotes have speakers


def test_a_delta_over_an_index_from_before_generations(twenty, tmp_path, make_settings, embed):
    """An index made before generations (collections named without one, no state collection,
    its fingerprint on the articles collection) is the base of a delta like any complete
    generation: a small change writes only the changed article, the rows equal a complete
    ingest's, and `doctor` names the base "(legacy)"."""
    from bot import services
    from index import health

    corpus, settings, first = twenty
    store = services.store(settings)
    fp = store.fingerprint()
    for kind in ("articles", "chunks", "sentences"):
        col = store.client.get_collection(store.collection_name(kind, "g1"))
        col.modify(name=store.collection_name(kind, ""), metadata={**(col.metadata or {}), "fingerprint": fp})
    store.client.delete_collection(f"{store.prefix}_state")
    store = services.store(settings)
    assert store.pointer() == {"generation": "", "fingerprint": fp, "stamp": ""}

    (corpus / "950_new.txt").write_text(NEW, encoding="utf-8")
    added = run_ingest(corpus, settings, embed, delta_fraction=0.25)
    assert added.base == "" and added.added == ["950_new.txt"] and added.chunks_shared == first.chunks_total
    store = services.store(settings)
    gen = store.current_generation()
    assert [x.generation for x in store.layers(gen)] == ["", gen] and store.count("articles", gen) == 21

    full = run_ingest(corpus, make_settings(tmp_path / "full"), embed, delta_fraction=0)
    assert_same_rows(_table(store, gen), _table(services.store(make_settings(tmp_path / "full")), full.generation))
    d = health.diagnose(store, settings.data_dir, corpus, settings.chunk_size, settings.chunk_overlap,
                        settings.max_file_bytes, settings.embed_backend, settings.model_cache_dir)
    delta = next(c.detail for c in d.checks if c.name == "delta")
    assert "from generation (legacy) (less 0 changed" in delta and d.facts["base"] == ""
    assert next(c.status for c in d.checks if c.name == "freshness") == "ok"
