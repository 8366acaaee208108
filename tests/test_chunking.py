"""Chunks and sentences carry character offsets that map back to the cleaned article text."""

from __future__ import annotations

import pytest

from bot.config import Settings
from conftest import seed_files
from index.chunking import make_splitter, split_chunks, split_sentences
from index.corpus import read_article
from index.tokens import count

DEFAULTS = Settings.model_construct()  # field defaults, not the environment
ARTICLES = [read_article(p) for p in seed_files()]
IDS = [a.doc for a in ARTICLES]


@pytest.fixture(scope="module")
def splitter():
    return make_splitter(DEFAULTS.chunk_size, DEFAULTS.chunk_overlap)


@pytest.fixture(scope="module")
def sentences():
    return split_sentences(ARTICLES)


@pytest.mark.parametrize("article", ARTICLES, ids=IDS)
def test_chunk_offsets_map_back_and_fit_the_token_budget(article, splitter):
    chunks = split_chunks(article, splitter)
    assert len(chunks) >= 2  # every seed article is longer than one chunk
    for i, c in enumerate(chunks):
        assert article.text[c.start : c.end] == c.text
        assert c.text.strip()
        assert count(c.text) <= DEFAULTS.chunk_size
        assert c.source == article.source and c.position == i
        assert c.id == f"{article.content_hash}:{i}"
    starts = [c.start for c in chunks]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    # together the chunks cover (nearly) all of the text: nothing is silently lost
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    non_space = [i for i, ch in enumerate(article.text) if not ch.isspace()]
    assert sum(1 for i in non_space if i in covered) >= 0.98 * len(non_space)


@pytest.mark.parametrize("size,overlap", [(64, 16), (300, 0)])
def test_other_chunk_sizes_respect_the_budget(size, overlap):
    splitter = make_splitter(size, overlap)
    for article in ARTICLES:
        for c in split_chunks(article, splitter):
            assert article.text[c.start : c.end] == c.text
            assert count(c.text) <= size


def test_smaller_chunks_make_more_chunks():
    a = ARTICLES[2]
    assert len(split_chunks(a, make_splitter(64, 16))) > len(split_chunks(a, make_splitter(300, 0)))


@pytest.mark.parametrize("article", ARTICLES, ids=IDS)
def test_sentence_offsets_map_back(article, sentences):
    sents = sentences[article.source]
    assert len(sents) >= 10
    prev_end = 0
    for i, s in enumerate(sents):
        assert article.text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert "\n" not in s.text  # a sentence never spans paragraphs
        assert s.position == i and s.source == article.source
        assert s.start >= prev_end  # in order, no overlaps
        prev_end = s.end
    paragraphs = [s.paragraph for s in sents]
    assert paragraphs == sorted(paragraphs)
    assert paragraphs[-1] == article.text.count("\n\n")  # every paragraph has a sentence


def test_sentence_boundaries_respect_abbreviations_and_quotes(sentences):
    texts = [s.text for s in sentences["000_979f3109055ecc6f.txt"]]
    # "U.S." does not end a sentence
    assert "Belarusian President Alexander Lukashenko met with U.S. Special Representative for Ukraine John Kellogg at the Independence Palace in Minsk." in texts
    # '"Hey, good guy, how are you!" he exclaimed ...' stays one sentence
    assert any(t.startswith('"Hey, good guy, how are you!" he exclaimed') for t in texts)


def test_sentences_carry_entities_and_lemmas(sentences):
    s = next(s for s in sentences["003_a249e923c2b6cff2.txt"] if "123 political prisoners" in s.text)
    labels = {label for label, _ in s.entities}
    assert "CARDINAL" in labels or "DATE" in labels
    assert any(text == "123" for _, text in s.entities)
    assert "prisoner" in s.lemmas and "release" in s.lemmas


def test_the_spacy_worker_process_analyses_exactly_as_in_process(sentences):
    """Ingest runs spaCy in a worker process (index.nlp.ProcessAnalyser): the same sentences,
    entities and lemmas come back as from the in-process pass."""
    from index.chunking import paragraphs
    from index.nlp import ProcessAnalyser

    analyser = ProcessAnalyser()
    try:
        analysed = analyser.submit(paragraphs(ARTICLES))()
    finally:
        analyser.close()
    assert split_sentences(ARTICLES, analysed) == sentences


def test_a_dead_spacy_worker_loses_nothing(sentences, caplog):
    """The worker killed mid-ingest: the batch it held and every later one are analysed in
    the ingest process instead, with a warning."""
    import os
    import signal

    from index.chunking import paragraphs
    from index.nlp import ProcessAnalyser

    analyser = ProcessAnalyser()
    try:
        analyser.submit(["Warm up."])()  # the worker is up
        for pid in list(analyser._pool._processes):
            os.kill(pid, signal.SIGKILL)
        first = analyser.submit(paragraphs(ARTICLES))
        later = analyser.submit(paragraphs(ARTICLES))
        assert split_sentences(ARTICLES, first()) == sentences
        assert split_sentences(ARTICLES, later()) == sentences
    finally:
        analyser.close()
    assert sum("spaCy worker process stopped" in r.getMessage() for r in caplog.records) == 1


def test_a_killed_ingest_leaves_no_spacy_worker_behind(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "hold.py"
    script.write_text(
        "from index.nlp import ProcessAnalyser\n"
        "if __name__ == '__main__':\n"
        "    a = ProcessAnalyser()\n"
        "    a.submit(['Warm up.'])()\n"
        "    print(*a._pool._processes, flush=True)\n"
        "    import time; time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(proc.stdout.readline())
        os.kill(worker, 0)  # running (the check below reads /proc: Linux, like CI)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:  # gone, or a zombie nobody has reaped yet
                if "\nState:\tZ" in open(f"/proc/{worker}/status").read():
                    break
            except FileNotFoundError:
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"the spaCy worker {worker} outlived the killed ingest")
    finally:
        proc.kill()


def test_a_paragraph_longer_than_spacy_reads_at_once_is_read_in_pieces(monkeypatch):
    """spaCy refuses a text over 1,000,000 characters (a file that is one block of text killed
    the whole ingest): a paragraph over PIECE_CHARS is read in pieces cut after a sentence end,
    every sentence's offsets pointing into the whole paragraph, as when it is read at once."""
    from index import nlp

    sentences = [f"Minsk released {n} prisoners on Saturday." for n in range(40)]
    long = " ".join(sentences)
    whole = nlp.analyse_paragraphs(["A short one. Two sentences.", long])
    monkeypatch.setattr(nlp, "PIECE_CHARS", 300)
    pieces = nlp._pieces(long)
    assert len(pieces) > 4 and all(len(p) <= 300 for _, p in pieces) and "".join(p for _, p in pieces) == long
    assert all(long[at - 1 : at + 1] == ". " for at, _ in pieces[1:])  # cut right after a sentence end
    cut = nlp.analyse_paragraphs(["A short one. Two sentences.", long])
    assert cut == whole
    assert [long[s.start : s.end] for s in cut[1]] == sentences
    # no sentence end in the window: cut at a space, else anywhere
    assert [len(p) for _, p in nlp._pieces("word " * 100)] == [299, 201]  # at the last space
    assert [len(p) for _, p in nlp._pieces("x" * 700)] == [300, 300, 100]
