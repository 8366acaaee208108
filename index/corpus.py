"""Load corpus files and clean them into Articles.

Cleaning works line by line and only ever *drops* whole lines (boilerplate) — it
never rewrites characters inside a kept line, so every sentence of the cleaned
text is a verbatim copy of the original article and quotes can be checked
against it. Kept lines are joined with a blank line between them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

# Bump when cleaning rules change: every article's hash changes with it, so
# the next ingest re-processes the corpus instead of serving stale text.
CLEANER_VERSION = "2"  # 2: "The picture shows …" caption lines
SUFFIXES = (".txt", ".md")
DEFAULT_MAX_BYTES = 5_000_000

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
_DATE_RE = re.compile(
    rf"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}"
)
_DATELINE_RE = re.compile(rf"^\s*{_DATE_RE.pattern}\s*$")
_BYLINE_RE = re.compile(rf"^By\s+(?P<who>.+?)\s+(?P<date>(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}})\s*$")
_AUTHOR_RE = re.compile(r"^Author\s*:\s*(?P<who>.+)$", re.I)
_URL_LINE_RE = re.compile(r"^(?:Original(?:\s+Source)?|Source)\s*:\s*(?P<url>https?://\S+)\s*$", re.I)

# Lines that are page furniture, never article content. Each has a name so a
# debug log can say what was dropped.
BOILERPLATE: dict[str, re.Pattern[str]] = {
    "disclaimer": re.compile(r"^(?:Disclaimer|Statement)\s*:", re.I),
    "comments": re.compile(r"^(?:No comments:?|Post a Comment|\d+ comments?:?)$", re.I),
    "page number": re.compile(r"^(?:Page\s+)?\d{1,3}$", re.I),
    "image caption": re.compile(
        r"^(?:(?:Image caption|Picture|Photo|Image)\s*:|(?:The |This )?(?:picture|photo|image)(?: above| below)? shows\b)", re.I),
    "follow promo": re.compile(r"^For the latest news\b.*\bfollow\b", re.I),
}


class CorpusFileError(Exception):
    """A corpus file that cannot be ingested; the message names the reason."""


@dataclass(frozen=True)
class Article:
    source: str  # file name in corpus/, e.g. "002_b4c17ae533b9d5da.txt"
    title: str
    text: str  # cleaned text: the reference for every quote and offset
    content_hash: str
    date: str | None = None  # ISO yyyy-mm-dd when the text gives one
    url: str | None = None
    publisher: str | None = None
    author: str | None = None

    @property
    def doc(self) -> str:
        """Short document id: the file name's prefix before the first '_' ("002")."""
        return self.source.split("_", 1)[0] if "_" in self.source else Path(self.source).stem


@dataclass
class LoadReport:
    articles: list[Article] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)


def _iso(date_text: str) -> str | None:
    text = re.sub(r"\s+", " ", date_text.replace(",", "")).strip()
    for fmt in ("%A %B %d %Y", "%B %d %Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def dated_byline(text: str, iso: str) -> tuple[int, int] | None:
    """Where a cleaned article text states its date `iso` in a byline ("By bne IntelliNews
    December 23, 2025", which clean() keeps and reads the date from): the line's (start, end),
    None when no byline gives that date."""
    for m in re.finditer(r"[^\n]+", text):
        line = m.group().rstrip()
        b = _BYLINE_RE.match(line)
        if b and _iso(b["date"]) == iso:
            return m.start(), m.start() + len(line)
    return None


def clean(raw: str) -> dict:
    """Clean one article's text. Returns title, text and metadata found."""
    lines = [ln.strip() for ln in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [ln for ln in lines if ln]  # str.strip() also removes NBSP-only lines
    meta: dict[str, str | None] = {"date": None, "url": None, "publisher": None, "author": None}

    # A leading dateline ("Wednesday, December 24, 2025") is a header, not content.
    while lines and _DATELINE_RE.match(lines[0]):
        meta["date"] = meta["date"] or _iso(lines.pop(0))
    title = lines.pop(0) if lines else ""
    kept: list[str] = []
    for line in lines:
        if line == title:
            continue  # title repeated as the first line of the body
        if m := _URL_LINE_RE.match(line):
            meta["url"] = meta["url"] or m["url"]
            continue
        if (name := next((n for n, rx in BOILERPLATE.items() if rx.search(line)), None)) is not None:
            log.debug("dropped %s line: %.60s", name, line)
            continue
        if m := _BYLINE_RE.match(line):
            meta["publisher"] = m["who"].strip()
            meta["date"] = _iso(m["date"]) or meta["date"]
        elif m := _AUTHOR_RE.match(line):
            meta["author"] = m["who"].strip()
        kept.append(line)
    return {"title": title, "text": "\n\n".join(kept), **meta}


def read_article(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read and clean one file; raises CorpusFileError with a readable reason."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CorpusFileError(f"cannot read it ({exc.strerror})") from exc
    if size > max_bytes:
        raise CorpusFileError(f"it is {size:,} bytes, over the {max_bytes:,}-byte limit")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusFileError(f"cannot read it ({exc.strerror})") from exc
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise CorpusFileError("it is UTF-16 text: save it as UTF-8")
    if b"\x00" in data:
        raise CorpusFileError("it looks binary (contains NUL bytes)")
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusFileError(f"it is not valid UTF-8 (byte {exc.start})") from exc
    if not raw.strip():
        raise CorpusFileError("it is empty")
    cleaned = clean(raw)
    if not cleaned["text"].strip():
        raise CorpusFileError("nothing is left after removing boilerplate")
    return Article(source=path.name, content_hash=content_hash(data), **cleaned)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(CLEANER_VERSION.encode() + b"\0" + data).hexdigest()[:16]


def _check_path(path: Path, root: Path) -> None:
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except FileNotFoundError as exc:
            raise CorpusFileError("it is a symlink to a file that does not exist") from exc
        except (RuntimeError, OSError) as exc:  # RuntimeError: Python before 3.13 on a loop
            raise CorpusFileError("it is a symlink loop") from exc
        if root not in target.parents:
            raise CorpusFileError("it is a symlink pointing outside the corpus directory")
    if path.is_dir():
        raise CorpusFileError(SUBDIRECTORY)
    if not path.is_file():
        raise CorpusFileError("it is not a regular file")


def corpus_problem(corpus: Path) -> str | None:
    """Why `corpus` cannot be read as the corpus directory, or None when it can."""
    corpus = Path(corpus)
    if corpus.is_dir():
        return None
    if corpus.exists():
        return f"Corpus path {corpus} is a file, not a directory (--corpus names the directory that holds the articles)"
    return f"Corpus directory not found: {corpus}"


def corpus_paths(directory: Path) -> list[Path]:
    """The candidate entries (.txt/.md directly in `directory`, and its subdirectories, which
    are skipped with a note: they are not read), none hidden, sorted by name."""
    directory = Path(directory)
    if not directory.is_dir():
        if directory.exists():
            raise FileNotFoundError(f"the corpus path is a file, not a directory: {directory}")
        raise FileNotFoundError(f"corpus directory not found: {directory}")
    return [
        p for p in sorted(directory.iterdir())
        if not p.name.startswith(".") and (p.suffix.lower() in SUFFIXES or _is_subdirectory(p))
    ]


def _is_subdirectory(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a symlink loop, no permission: not one to name
        return False


SUBDIRECTORY = "it is a directory (subdirectories are not read: only the .txt and .md files directly in the corpus directory)"


def duplicate_of(kept: str) -> str:
    """The reason a file with the same content as `kept` (the first of them by name) is skipped."""
    return f"it has the same content as {kept}, which is indexed instead (a duplicate)"


def _dedupe(found: dict[str, tuple[Path, str]], skipped: list[tuple[str, str]],
            indexed: dict[str, str] | None = None) -> dict[str, tuple[Path, str]]:
    """Files whose content hash another file already has are skipped: their chunk and sentence
    ids (made from the hash) would collide. The one the index already holds for that content
    (`indexed`: file name -> content hash) is kept, so a copy added later ("002 (1).txt", which
    sorts first) does not take the original's place; otherwise the first in name order, so which
    one is indexed does not depend on the order the files were found or cached in."""
    owner: dict[str, str] = {}
    kept: dict[str, tuple[Path, str]] = {}
    held = {name for name, digest in (indexed or {}).items() if name in found and found[name][1] == digest}
    for name in sorted(found, key=lambda n: (n not in held, n)):
        digest = found[name][1]
        if digest in owner:
            skipped.append((name, duplicate_of(owner[digest])))
        else:
            owner[digest] = name
            kept[name] = found[name]
    return kept


SCAN_CACHE = "corpus-scan.json"  # in DATA_DIR: each usable file's content hash by its stat
RACY_SECONDS = 2.0  # a file changed this recently may change again without its mtime moving


def scan_corpus(directory: Path, max_bytes: int = DEFAULT_MAX_BYTES, cache: Path | None = None,
                update_cache: bool = True, log_level: int = logging.WARNING,
                indexed: dict[str, str] | None = None) -> tuple[dict[str, tuple[Path, str]], list[tuple[str, str]]]:
    """First pass for ingest: file name -> (path, content hash) of every usable file,
    keeping no text (each file is read and checked, then dropped), plus the files
    skipped with their reasons (in name order), each also logged at `log_level` (ingest, which
    lists them in its summary, logs them at INFO). A file with the same content as one before it
    in name order (or than the one `indexed` holds) is skipped as a duplicate (see _dedupe).

    `cache` (DATA_DIR/corpus-scan.json): a file whose size, mtime and inode are those the cache
    has for it is not read again; its hash is taken from there (reading and cleaning 40,000
    articles took 6 s). As with git's index, a file modified within RACY_SECONDS of a scan is
    not cached (its next change could leave the mtime as it was), and the cache holds for one
    corpus directory, size limit and cleaner version. Written back (`update_cache`) best effort."""
    root = Path(directory).resolve()
    header = {"directory": str(root), "max_bytes": max_bytes, "cleaner": CLEANER_VERSION}
    known = _read_scan_cache(cache, header)
    fresh: dict[str, list] = {}
    found: dict[str, tuple[Path, str]] = {}
    skipped: list[tuple[str, str]] = []
    now = time.time()
    for path in corpus_paths(directory):
        try:
            _check_path(path, root)
            try:
                st = path.stat()
            except OSError as exc:
                raise CorpusFileError(f"cannot read it ({exc.strerror})") from exc
            stat = [st.st_size, st.st_mtime_ns, st.st_ino]
            hit = known.get(path.name)
            digest = hit[3] if hit is not None and hit[:3] == stat else read_article(path, max_bytes).content_hash
            found[path.name] = (path, digest)
            if st.st_mtime < now - RACY_SECONDS:
                fresh[path.name] = [*stat, digest]
        except CorpusFileError as exc:
            skipped.append((path.name, str(exc)))
    if cache is not None and update_cache and fresh != known:
        _write_scan_cache(Path(cache), {**header, "files": fresh})
    found = _dedupe(found, skipped, indexed)
    skipped.sort()
    for name, reason in skipped:
        log.log(log_level, "skipped %s: %s", name, reason)
    return found, skipped


def _read_scan_cache(cache: Path | None, header: dict) -> dict[str, list]:
    if cache is None:
        return {}
    try:
        got = json.loads(Path(cache).read_text(encoding="utf-8"))
        if all(got.get(k) == v for k, v in header.items()) and isinstance(got.get("files"), dict):
            return {name: row for name, row in got["files"].items() if isinstance(row, list) and len(row) == 4}
    except (OSError, ValueError, AttributeError):
        pass
    return {}


def _write_scan_cache(cache: Path, content: dict) -> None:
    try:
        if not cache.parent.is_dir():
            return
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}")
        tmp.write_text(json.dumps(content, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError as exc:  # a read-only DATA_DIR: the next scan reads every file, as before
        log.debug("could not write the corpus scan cache %s: %s", cache, exc)


def load_corpus(directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadReport:
    """Every .txt/.md file directly in `directory`, sorted by name.

    Files that cannot be used (and subdirectories, and a file with the same content as one
    before it) are skipped with a warning naming them; the rest load.
    """
    report = LoadReport()
    root = Path(directory).resolve()
    owner: dict[str, str] = {}  # content hash -> the file kept with it (as scan_corpus keeps it)
    for path in corpus_paths(directory):
        try:
            _check_path(path, root)
            article = read_article(path, max_bytes)
            if article.content_hash in owner:
                raise CorpusFileError(duplicate_of(owner[article.content_hash]))
            owner[article.content_hash] = article.source
            report.articles.append(article)
        except CorpusFileError as exc:
            log.warning("skipped %s: %s", path.name, exc)
            report.skipped.append((path.name, str(exc)))
    return report
