"""Corpus loading and cleaning: boilerplate goes, metadata is captured, kept text is verbatim."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import CORPUS, seed_files
from index.corpus import load_corpus, read_article

TITLES = {
    "000": '"Hey, good guy, how are you!": Lukashenko reaches out to Kellogg as Tikhanyovski is released',
    "001": "Secret Diplomacy: What Can Lukashenko Offer Zelenskyy, and in the Name of Whom?",
    "002": "Belarus proposes a deal to the United States: Is Lukashenko willing to establish a union state",
    "003": "What is Trump’s goal in the deal with Lukashenko, and will it lead anywhere?",
    "004": "COMMENT: Lukashenko plays the Trump card",
}
URLS = {
    "000": "https://www.toutiao.com/article/751894365776880147/",
    "001": "https://www.toutiao.com/article/7554769283600794138/",
    "002": "https://www.toutiao.com/article/7561351465957212706/",
}


@pytest.fixture(scope="module")
def seed():
    report = load_corpus(CORPUS)
    return report, {a.doc: a for a in report.articles}


def raw_of(article) -> str:
    return (CORPUS / article.source).read_text(encoding="utf-8")


def test_seed_corpus_loads_completely(seed):
    report, by_doc = seed
    assert report.skipped == []
    assert sorted(by_doc) == ["000", "001", "002", "003", "004"]
    assert [a.source for a in report.articles] == [p.name for p in seed_files()]
    assert len({a.content_hash for a in report.articles}) == 5


@pytest.mark.parametrize("doc", sorted(TITLES))
def test_title_extracted_and_not_repeated_in_text(seed, doc):
    a = seed[1][doc]
    assert a.title.startswith(TITLES[doc])
    paragraphs = a.text.split("\n\n")
    assert a.title not in paragraphs  # not kept as a body line
    assert not a.text.startswith(a.title)


def test_004_dateline_comments_and_byline(seed):
    a = seed[1]["004"]
    raw = raw_of(a)
    # the boilerplate really is in the raw file, and gone from the cleaned text
    for junk in ("Wednesday, December 24, 2025", "No comments:", "Post a Comment"):
        assert junk in raw
        assert junk not in a.text
    assert raw.count(a.title) == 2 and a.title not in a.text
    assert a.date == "2025-12-23"
    assert a.publisher == "bne IntelliNews"
    assert a.text.startswith("Belarusian president Lukashenko is trying to lift sanctions")
    assert a.text.rstrip().endswith("Shraibman concluded.")


@pytest.mark.parametrize("doc", ["000", "001", "002"])
def test_toutiao_disclaimer_and_source_lines_dropped_and_url_kept(seed, doc):
    a = seed[1][doc]
    raw = raw_of(a)
    assert URLS[doc] in raw
    assert a.url == URLS[doc]
    lines = a.text.split("\n\n")
    for prefix in ("Disclaimer:", "Statement:", "Original Source:", "Original:"):
        assert not any(line.startswith(prefix) for line in lines), prefix
    assert "toutiao.com" not in a.text
    assert "Please express your opinion" not in a.text


def test_toutiao_raw_files_really_have_the_boilerplate(seed):
    """Guards the cleaning tests above against a corpus that never had the lines."""
    by_doc = seed[1]
    assert "Original Source: https://www.toutiao.com/" in raw_of(by_doc["000"])
    assert "Original: https://www.toutiao.com/" in raw_of(by_doc["001"])
    assert "Statement: This article" in raw_of(by_doc["002"])
    assert "Disclaimer: This article" in raw_of(by_doc["000"])


def test_001_image_caption_and_follow_promo_dropped(seed):
    a = seed[1]["001"]
    raw = raw_of(a)
    assert "Image caption:" in raw and "For the latest news" in raw
    assert "Image caption:" not in a.text
    assert "For the latest news" not in a.text and "follow the author" not in a.text
    assert a.text.startswith("Will the bridge between Moscow and Kyiv be rebuilt again through Minsk?")
    assert a.text.endswith("even if it is conducted through mediators.")


def test_000_picture_caption_dropped_and_the_sentence_after_it_kept(seed):
    a = seed[1]["000"]
    assert "The picture shows Belarusian President" in raw_of(a)
    assert "The picture shows" not in a.text
    assert "Hey, good guy, how are you!" in a.text


@pytest.mark.parametrize("line, caption", [
    ("The picture shows Belarusian President Alexander Lukashenko meeting with Kellogg.", True),
    ("Photo shows the Independence Palace.", True),
    ("The image above shows the delegations.", True),
    ("Photo: Reuters", True),
    ("The pictures show a country at a crossroads, the analyst said.", False),
    ("A photo shows that Lukashenko was extremely friendly, the agency wrote.", False),
])
def test_caption_lines_are_recognised(line, caption):
    from index.corpus import BOILERPLATE

    assert bool(BOILERPLATE["image caption"].match(line)) is caption


def test_000_author_captured_and_content_kept(seed):
    a = seed[1]["000"]
    assert a.author == "Dmitriy Rodionov"
    assert "Belarusian President Alexander Lukashenko met with U.S. Special Representative for Ukraine John Kellogg at the Independence Palace in Minsk." in a.text


def test_003_has_no_metadata_and_keeps_every_body_line(seed):
    a = seed[1]["003"]
    assert (a.date, a.url, a.publisher) == (None, None, None)
    raw_lines = [ln.strip() for ln in raw_of(a).splitlines() if ln.strip()]
    assert a.text.split("\n\n") == raw_lines[1:]  # nothing but the title is dropped


@pytest.mark.parametrize("path", seed_files(), ids=lambda p: p.name[:3])
def test_every_cleaned_line_is_verbatim_and_in_order(path):
    a = read_article(path)
    raw = path.read_text(encoding="utf-8")
    lines = [ln for ln in a.text.split("\n") if ln.strip()]
    assert lines
    cursor = 0
    for line in lines:
        assert line == line.strip()
        found = raw.find(line, cursor)
        assert found >= 0, line[:80]
        cursor = found + len(line)
    # paragraphs are joined by exactly one blank line
    assert "\n\n\n" not in a.text and a.text == a.text.strip()


# --- bad files ----------------------------------------------------------------------------
GOOD = "003_a249e923c2b6cff2.txt"  # 3,917 bytes: under the small size limit used below


@pytest.fixture
def messy_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / GOOD, corpus)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blank.txt").write_text("  \n\t\n \u00a0\n", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"PK\x03\x04\x00\x00binary\x00data")
    (corpus / "latin1.txt").write_bytes("Un caf\xe9 au lait\n\nUne phrase en fran\xe7ais.\n".encode("latin-1"))
    (corpus / "huge.txt").write_text("Huge title\n\n" + "A long sentence of filler text. " * 200, encoding="utf-8")
    (corpus / "only_boilerplate.txt").write_text("A title\n\nNo comments:\n\nPost a Comment\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret title\n\nA secret sentence outside the corpus.\n", encoding="utf-8")
    os.symlink(outside / "secret.txt", corpus / "escape.txt")
    os.symlink("loop_b.txt", corpus / "loop_a.txt")  # a symlink loop: resolving it raises
    os.symlink("loop_a.txt", corpus / "loop_b.txt")
    os.symlink("gone.txt", corpus / "dangling.txt")
    (corpus / "utf16.txt").write_bytes("A title\n\nA sentence saved as UTF-16.\n".encode("utf-16"))
    (corpus / "notes.md").write_text("A markdown title\n\nA sentence written in markdown.\n", encoding="utf-8")
    (corpus / "table.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (corpus / "data.json").write_text('{"title": "x"}\n', encoding="utf-8")
    (corpus / "README").write_text("No suffix title\n\nNot an article.\n", encoding="utf-8")
    return corpus


def test_bad_files_are_skipped_by_name_and_good_ones_load(messy_corpus):
    report = load_corpus(messy_corpus, max_bytes=5000)
    skipped = dict(report.skipped)
    assert set(skipped) == {"empty.txt", "blank.txt", "binary.txt", "latin1.txt", "huge.txt", "only_boilerplate.txt", "escape.txt",
                            "loop_a.txt", "loop_b.txt", "dangling.txt", "utf16.txt"}
    assert skipped["loop_a.txt"] == skipped["loop_b.txt"] == "it is a symlink loop"
    assert skipped["dangling.txt"] == "it is a symlink to a file that does not exist"
    assert skipped["utf16.txt"] == "it is UTF-16 text: save it as UTF-8"
    assert "empty" in skipped["empty.txt"] and "empty" in skipped["blank.txt"]
    assert "binary" in skipped["binary.txt"]
    assert "UTF-8" in skipped["latin1.txt"]
    assert "limit" in skipped["huge.txt"]
    assert "boilerplate" in skipped["only_boilerplate.txt"]
    assert "symlink" in skipped["escape.txt"]
    # the good files still load; other suffixes are ignored (neither loaded nor reported)
    assert [a.source for a in report.articles] == [GOOD, "notes.md"]
    md = report.articles[1]
    assert md.title == "A markdown title" and md.text == "A sentence written in markdown."
    assert md.doc == "notes"
    assert report.articles[0].text == read_article(CORPUS / GOOD).text


def test_size_limit_applies_only_over_the_limit(messy_corpus):
    report = load_corpus(messy_corpus)  # default 5 MB limit: the big file is fine now
    assert "huge.txt" not in dict(report.skipped)
    assert "huge.txt" in [a.source for a in report.articles]


def test_symlink_inside_the_corpus_is_followed(tmp_path):
    """A symlink to a file inside the corpus is read; as the file it points to is then a
    second copy of the same article, the first of the two by name is indexed, the other named
    as its duplicate."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / GOOD, corpus / "real.txt")
    os.symlink(corpus / "real.txt", corpus / "alias.txt")
    report = load_corpus(corpus)
    assert [a.source for a in report.articles] == ["alias.txt"]
    assert report.articles[0].text == read_article(CORPUS / GOOD).text
    assert report.skipped == [("real.txt", "it has the same content as alias.txt, which is indexed instead (a duplicate)")]


def test_missing_corpus_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="corpus directory not found"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="is a file, not a directory"):
        load_corpus(CORPUS / GOOD)


def test_of_two_identical_files_the_one_the_index_holds_is_kept(tmp_path):
    """A copy added later that sorts first ("000 copy.txt", "002 (1).txt") took the original's
    place in the index (review): the file the index already holds for that content is kept."""
    from index.corpus import scan_corpus

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seed = seed_files()[0]
    shutil.copy(seed, corpus)
    found, _ = scan_corpus(corpus)
    indexed = {seed.name: found[seed.name][1]}
    shutil.copy(seed, corpus / "000 copy.txt")  # a space sorts before "_"
    found, skipped = scan_corpus(corpus, indexed=indexed)
    assert list(found) == [seed.name]
    assert skipped == [("000 copy.txt", f"it has the same content as {seed.name}, which is indexed instead (a duplicate)")]
    found, _ = scan_corpus(corpus)  # without an index: the first by name
    assert list(found) == ["000 copy.txt"]
    found, _ = scan_corpus(corpus, indexed={seed.name: "another hash"})  # the index holds other content under that name
    assert list(found) == ["000 copy.txt"]


def test_a_copy_of_a_file_is_skipped_as_a_duplicate_of_the_first_by_name(tmp_path):
    """Two files with the same bytes would give the same chunk and sentence ids (made from the
    content hash): the first in name order is kept, whatever the order of the directory or the
    scan cache, the others are skipped naming it; scan (ingest, doctor) and load agree. Removing
    the kept file makes the next copy the kept one."""
    from index.corpus import scan_corpus

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = seed_files()[:2]
    for path in seeds:
        shutil.copy(path, corpus)
    first = seeds[0].name
    for copy in ("zz_copy.txt", "000_000_copy.txt"):  # one after the original by name, one before it
        shutil.copy(seeds[0], corpus / copy)
    old = 1_000_000_000
    for p in corpus.iterdir():
        os.utime(p, (old, old))
    cache = tmp_path / "corpus-scan.json"
    expected_skipped = [(first, "it has the same content as 000_000_copy.txt, which is indexed instead (a duplicate)"),
                        ("zz_copy.txt", "it has the same content as 000_000_copy.txt, which is indexed instead (a duplicate)")]
    for _ in range(2):  # cold, then from the cache
        found, skipped = scan_corpus(corpus, cache=cache)
        assert sorted(found) == ["000_000_copy.txt", seeds[1].name]
        assert skipped == expected_skipped
    report = load_corpus(corpus)
    assert [a.source for a in report.articles] == ["000_000_copy.txt", seeds[1].name]
    assert report.skipped == expected_skipped

    (corpus / "000_000_copy.txt").unlink()
    found, skipped = scan_corpus(corpus, cache=cache)
    assert sorted(found) == sorted([first, seeds[1].name])
    assert skipped == [("zz_copy.txt", f"it has the same content as {first}, which is indexed instead (a duplicate)")]
    # a copy edited is an article of its own again
    with open(corpus / "zz_copy.txt", "a", encoding="utf-8") as f:
        f.write("One more closing sentence of the edited copy.\n")
    found, skipped = scan_corpus(corpus, cache=cache)
    assert sorted(found) == sorted([first, seeds[1].name, "zz_copy.txt"]) and skipped == []


def test_a_subdirectory_is_skipped_with_a_note_and_not_read(tmp_path):
    from index.corpus import scan_corpus

    corpus = tmp_path / "corpus"
    (corpus / "more").mkdir(parents=True)
    (corpus / "drafts.txt").mkdir()  # named like an article
    (corpus / ".git").mkdir()  # hidden: not named
    shutil.copy(CORPUS / GOOD, corpus)
    (corpus / "more" / "inner.txt").write_text("Inner title\n\nA sentence in a subdirectory.\n", encoding="utf-8")
    os.symlink(corpus / "more", corpus / "link")  # a symlink to a directory inside the corpus
    found, skipped = scan_corpus(corpus)
    assert sorted(found) == [GOOD]
    assert [name for name, _ in skipped] == ["drafts.txt", "link", "more"]
    for _, reason in skipped:
        assert reason.startswith("it is a directory (subdirectories are not read")
    assert load_corpus(corpus).skipped == skipped


def test_ingest_scan_skips_the_same_files_with_a_named_warning(messy_corpus, caplog):
    from index.corpus import scan_corpus

    with caplog.at_level("WARNING", logger="index.corpus"):
        found, skipped = scan_corpus(messy_corpus, max_bytes=5000)
    assert dict(skipped) == dict(load_corpus(messy_corpus, max_bytes=5000).skipped)
    assert sorted(found) == [GOOD, "notes.md"]
    assert found[GOOD][1] == read_article(CORPUS / GOOD).content_hash
    warned = " ".join(r.getMessage() for r in caplog.records)
    for name in ("binary.txt", "latin1.txt", "huge.txt", "escape.txt"):
        assert f"skipped {name}:" in warned


def test_the_scan_cache_skips_reading_files_whose_stat_is_unchanged(messy_corpus, tmp_path):
    """scan_corpus with a cache: a file whose size, mtime and inode are unchanged is not read
    again (shown by a change that keeps all three, which the scan then does not see — the
    documented limit); any other change is read; files changed within RACY_SECONDS of the scan,
    and bad files, are not cached; the cache holds for one directory, size limit and cleaner."""
    import json
    import os

    from index.corpus import scan_corpus

    cache = tmp_path / "corpus-scan.json"
    old = 1_000_000_000
    for p in messy_corpus.iterdir():
        os.utime(p, (old, old), follow_symlinks=False)
    plain = scan_corpus(messy_corpus, max_bytes=5000)
    assert scan_corpus(messy_corpus, max_bytes=5000, cache=cache) == plain
    assert sorted(json.loads(cache.read_text())["files"]) == sorted(plain[0])  # the usable files only
    assert scan_corpus(messy_corpus, max_bytes=5000, cache=cache) == plain

    good = messy_corpus / GOOD
    text = good.read_text(encoding="utf-8")
    same_size = text.replace("Lukashenko", "Lukashenkx", 1)
    assert len(same_size) == len(text) and same_size != text
    good.write_text(same_size, encoding="utf-8")
    os.utime(good, (old, old))
    assert scan_corpus(messy_corpus, max_bytes=5000, cache=cache)[0][GOOD][1] == plain[0][GOOD][1]  # not read
    assert scan_corpus(messy_corpus, max_bytes=5000)[0][GOOD][1] != plain[0][GOOD][1]
    # another limit (or directory) does not use the cache
    assert scan_corpus(messy_corpus, max_bytes=6000, cache=cache)[0][GOOD][1] != plain[0][GOOD][1]

    good.write_text(text + "\nA new line.\n", encoding="utf-8")  # mtime now: read, and not cached
    changed = scan_corpus(messy_corpus, max_bytes=5000, cache=cache)[0][GOOD][1]
    assert changed == read_article(good).content_hash != plain[0][GOOD][1]
    assert GOOD not in json.loads(cache.read_text())["files"]
    # read-only use (doctor) leaves the cache as it is
    before = cache.read_text()
    os.utime(good, (old, old))
    assert scan_corpus(messy_corpus, max_bytes=5000, cache=cache, update_cache=False)[0][GOOD][1] == changed
    assert cache.read_text() == before


def test_max_article_bytes_setting(monkeypatch):
    from bot.config import Settings

    monkeypatch.setenv("MAX_ARTICLE_BYTES", "1234")
    assert Settings(_env_file=None).max_file_bytes == 1234


def test_the_byline_that_dates_an_article_is_found_in_its_cleaned_text():
    from index.corpus import dated_byline

    text = "Lead paragraph.\n\nBy bne IntelliNews\xa0December 23, 2025\n\nOn December 23, 2025 it rained."
    start, end = dated_byline(text, "2025-12-23")
    assert text[start:end] == "By bne IntelliNews\xa0December 23, 2025"
    assert dated_byline(text, "2025-12-24") is None and dated_byline("No byline.", "2025-12-23") is None
