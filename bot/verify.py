"""Verbatim quote checks against the stored article text."""

from __future__ import annotations

ELLIPSIS = "..."


def is_verbatim(article_text: str, quote: str, start: int, end: int) -> bool:
    """True when `quote` is exactly article_text[start:end], or — joined by '...' —
    consecutive verbatim spans of the article in order, the first starting at
    `start` and the last ending at `end`."""
    if not quote or not (0 <= start < end <= len(article_text)):
        return False
    if article_text[start:end] == quote:
        return True
    parts = [p.strip() for p in quote.split(ELLIPSIS)]
    if len(parts) < 2 or not all(parts):
        return False
    pos = start
    for i, part in enumerate(parts):
        found = article_text.find(part, pos)
        if found < 0 or (i == 0 and found != start):
            return False
        pos = found + len(part)
    return pos == end
