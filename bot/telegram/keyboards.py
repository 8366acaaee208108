"""Inline keyboards under answers, and their callback data.

Callback data carries the citation itself, not a key into process memory, so a button
keeps working after a restart as long as the article is still indexed with the same text:

    x:<doc>:<start>:<end>:<check>   show the paragraph around characters start–end of doc
    s:<doc>,<doc>,…                 list the indexed articles, marking the cited ones

<doc> is the article's short id (Article.doc, "002") when it is unique, else its file name
when that fits, else "#" + 12 hex digits of the file name's SHA-1. <check> (optional when
parsing) is 6 hex digits of the CRC-32 of the quoted text: if the article was re-ingested
with other text at those offsets, the button says the source is no longer available
instead of showing the wrong passage. Telegram allows at most 64 bytes.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import Counter
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

MAX_BYTES = 64
CITE, SOURCES = "x", "s"
PER_ROW = 5
_CITE_RE = re.compile(r"^x:(?P<doc>.+):(?P<start>\d{1,9}):(?P<end>\d{1,9})(?::(?P<check>[0-9a-f]{6}))?$")


def _fits(data: str) -> bool:
    return len(data.encode("utf-8")) <= MAX_BYTES


def _hash(source: str) -> str:
    return "#" + hashlib.sha1(source.encode("utf-8")).hexdigest()[:12]


def check(text: str) -> str:
    return f"{zlib.crc32(text.encode('utf-8')) & 0xFFFFFF:06x}"


def doc_id(source: str, articles: dict) -> str:
    article = articles.get(source)
    if article is not None:
        doc = article.doc
        plain = len(doc.encode("utf-8")) <= 32 and ":" not in doc and "," not in doc and not doc.startswith("#")
        if plain and Counter(a.doc for a in articles.values())[doc] == 1:
            return doc
    if "," not in source and not source.startswith("#") and len(source.encode("utf-8")) <= 32:
        return source
    return _hash(source)


def resolve_doc(doc: str, articles: dict):
    """The Article a doc id names, or None."""
    if doc.startswith("#"):
        return next((a for s, a in articles.items() if _hash(s) == doc), None)
    if doc in articles:
        return articles[doc]
    found = [a for a in articles.values() if a.doc == doc]
    return found[0] if len(found) == 1 else None


def cite_data(citation, articles: dict) -> str | None:
    base = f"{CITE}:{doc_id(citation.source, articles)}:{citation.start}:{citation.end}"
    for data in (f"{base}:{check(citation.quote)}", base):
        if _fits(data):
            return data
    return None


@dataclass(frozen=True)
class Excerpt:
    article: object
    start: int
    end: int


def resolve_cite(data: str, articles: dict) -> Excerpt | None:
    """The article and offsets a citation button names, or None if they no longer exist."""
    m = _CITE_RE.match(data or "")
    if not m:
        return None
    article = resolve_doc(m["doc"], articles)
    start, end = int(m["start"]), int(m["end"])
    if article is None or not 0 <= start < end <= len(article.text):
        return None
    if m["check"] and check(article.text[start:end]) != m["check"]:
        return None
    return Excerpt(article, start, end)


def sources_data(sources, articles: dict) -> str:
    data = SOURCES + ":"
    for i, source in enumerate(dict.fromkeys(sources)):
        more = ("," if i else "") + doc_id(source, articles)
        if not _fits(data + more):
            break
        data += more
    return data


def cited_sources(data: str, articles: dict) -> set[str]:
    """The file names a sources button marks as cited (unknown ids are ignored)."""
    if not data.startswith(SOURCES + ":"):
        return set()
    found = (resolve_doc(doc, articles) for doc in data[2:].split(",") if doc)
    return {a.source for a in found if a is not None}


def answer_keyboard(answer, articles: dict, sources_label: str = "📚 Sources") -> InlineKeyboardMarkup | None:
    """One "📄 n" button per citation (the full passage) and a sources button."""
    if answer.refused or not answer.citations:
        return None
    buttons = [
        InlineKeyboardButton(f"📄 {i}", callback_data=data)
        for i, c in enumerate(answer.citations, 1)
        if (data := cite_data(c, articles)) is not None
    ]
    rows = [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
    rows.append([InlineKeyboardButton(sources_label, callback_data=sources_data([c.source for c in answer.citations], articles))])
    return InlineKeyboardMarkup(rows)
