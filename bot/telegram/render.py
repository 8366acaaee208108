"""Telegram HTML for answers, excerpts and listings, split into messages Telegram accepts.

Everything is built from Blocks: runs of *plain* text, each with the tags that wrap it.
Text is escaped here and only here. A block too long for one message is cut in its plain
text (paragraph, then line, then sentence, then word boundaries) and every piece is
rendered on its own, so a message never cuts through a tag or an entity. Whole pieces
are then packed into messages of at most 4096 characters.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import prompts

LIMIT = 4096  # telegram.constants.MessageLimit.MAX_TEXT_LENGTH
SEP = "\n\n"  # between blocks
MAX_LISTED = 100  # /sources lists at most this many articles
START_TITLES = 10  # /start names at most this many

_TAG_RE = re.compile(r"<[^>]*>")
# Where a long text may be cut (group 1 is the whitespace cut out), best first:
# paragraph, line, sentence end (after any closing quote or bracket), any space.
_BOUNDARIES = (
    re.compile(r"(\n\s*\n)"),
    re.compile(r"(\n)"),
    re.compile(r"[.!?…][\"'”’)\]]*(\s+)"),
    re.compile(r"(\s+)"),
)


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def to_plain(html_text: str) -> str:
    """The text a reader sees, for the plain-text fallback (tags dropped, entities decoded)."""
    return html.unescape(_TAG_RE.sub("", html_text))


@dataclass(frozen=True)
class Block:
    """Runs of plain text, each with the tags around it, e.g. ("Title", ("b",)).

    `raw` is ready-made HTML (a prompt template); it is never cut, and if it were ever
    too long it would be sent as its plain text instead.
    """

    runs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    raw: str | None = None

    @property
    def plain(self) -> str:
        return to_plain(self.raw) if self.raw is not None else "".join(t for t, _ in self.runs)

    def html(self) -> str:
        if self.raw is not None:
            return self.raw
        out = []
        for text, tags in self.runs:
            if text:
                out.append("".join(f"<{t}>" for t in tags) + esc(text) + "".join(f"</{t.split()[0]}>" for t in reversed(tags)))
        return "".join(out)

    def slice(self, a: int, b: int) -> "Block":
        """The runs covering plain[a:b]."""
        runs, pos = [], 0
        for text, tags in self.runs:
            lo, hi = max(a, pos), min(b, pos + len(text))
            if lo < hi:
                runs.append((text[lo - pos : hi - pos], tags))
            pos += len(text)
        return Block(tuple(runs))


def block(*runs: str | tuple[str, ...]) -> Block:
    """block("plain ", ("Title", "b"), ...): a str is untagged; a tuple is (text, *tags)."""
    return Block(tuple((r, ()) if isinstance(r, str) else (r[0], tuple(r[1:])) for r in runs))


def raw(html_text: str) -> Block:
    return Block(raw=html_text)


def _cut(plain: str, a: int, e: int) -> int:
    """The best place ≤ e to end a piece starting at a: the last paragraph / line /
    sentence / word boundary in the second half of the window, else e itself."""
    floor = a + (e - a) // 2
    for pattern in _BOUNDARIES:
        last = None
        for m in pattern.finditer(plain, floor, e):
            last = m
        if last is not None and last.start(1) > a:
            return last.start(1)
    return e


def split_block(b: Block, limit: int = LIMIT) -> list[Block]:
    """The block, or pieces of it, each rendering to at most `limit` characters."""
    if tg_len(b.html()) <= limit:
        return [b]
    if b.raw is not None:
        b = block(b.plain)
    plain = b.plain
    fits = lambda a, e: tg_len(b.slice(a, e).html()) <= limit  # noqa: E731 - monotone in e
    pieces: list[Block] = []
    a = len(plain) - len(plain.lstrip())
    while a < len(plain):
        if fits(a, len(plain)):
            e = len(plain)
        else:
            lo, hi = a + 1, len(plain)  # largest e with fits(a, e)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                lo, hi = (mid, hi) if fits(a, mid) else (lo, mid - 1)
            e = _cut(plain, a, lo)
        piece = plain[a:e]
        pieces.append(b.slice(a, a + len(piece.rstrip())))
        a = e
        while a < len(plain) and plain[a].isspace():
            a += 1
    return [p for p in pieces if p.plain.strip()]


def pack(blocks: list[Block], limit: int = LIMIT) -> list[str]:
    """HTML messages of whole (pieces of) blocks, each at most `limit` characters."""
    parts = [p.html() for b in blocks for p in split_block(b, limit) if p.plain.strip()]
    messages: list[str] = []
    for part in parts:
        if messages and tg_len(messages[-1]) + tg_len(SEP) + tg_len(part) <= limit:
            messages[-1] += SEP + part
        else:
            messages.append(part)
    return messages


# --- what the bot says --------------------------------------------------------------
def _title_runs(title: str, date: str | None) -> list:
    runs: list = [(title, "b")]
    if date:
        runs.append(f" · {date}")
    return runs


def answer_blocks(answer, rewritten: str | None = None) -> list[Block]:
    """The answer text with its citation marks, then per citation: title, date, the
    verbatim quote in a blockquote and the source file. A follow-up that was rewritten
    says first which question was answered ("Answering: When was … released?"), and so does
    one whose typos were corrected."""
    shown = answer.answered_as(rewritten)
    head = [block((prompts.render("answering", question=shown), "i"))] if shown else []
    if answer.refused or not answer.citations:
        return head + [block(answer.text)]
    marks = "" if getattr(answer, "cites_inline", False) else " " + "".join(f"[{i}]" for i in range(1, len(answer.citations) + 1))
    out = head + [block(getattr(answer, "shown", answer.text), marks)]
    for i, c in enumerate(answer.citations, 1):
        out.append(block(f"[{i}] ", *_title_runs(c.title or c.source, c.date), "\n", (c.quote, "blockquote"), "\n", (c.source, "code")))
    return out


def render_answer(answer, rewritten: str | None = None) -> list[str]:
    return pack(answer_blocks(answer, rewritten))


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph(s) around text[start:end] (paragraphs are separated by blank lines)."""
    p_start = text.rfind("\n\n", 0, start)
    p_start = 0 if p_start < 0 else p_start + 2
    p_end = text.find("\n\n", end)
    return p_start, len(text) if p_end < 0 else p_end


def render_excerpt(article, start: int, end: int, number: str | None = None) -> list[str]:
    """The whole paragraph around a citation, the quoted part in bold, with its source."""
    text = article.text
    p_start, p_end = paragraph_bounds(text, start, end)
    head = [f"[{number}] " if number else "📄 ", *_title_runs(article.title or article.source, article.date)]
    if article.url:
        head.append("\n" + article.url)
    return pack([
        block(*head),
        block(text[p_start:start], (text[start:end], "b"), text[end:p_end]),
        block((article.source, "code"), f" · characters {start}–{end}"),
    ])


def article_span(articles) -> str:
    """" (dated A to B)", " (2 dated A to B)" when only some have a date, or ""."""
    articles = list(articles)
    dates = sorted(a.date for a in articles if a.date)
    if not dates:
        return ""
    some = f"{len(dates)} " if len(dates) < len(articles) else ""
    return f" ({some}dated {dates[0]})" if dates[0] == dates[-1] else f" ({some}dated {dates[0]} to {dates[-1]})"


def _count(n: int) -> str:
    return f"{n} article{'s' if n != 1 else ''}"


def render_sources(articles: dict, cited: set[str] = frozenset()) -> list[str]:
    """/sources: every indexed article (up to MAX_LISTED) with title, date, url and file."""
    items = list(articles.values())
    blocks = [raw(prompts.render("telegram_sources", count=esc(_count(len(items))), span=esc(article_span(items))))]
    for i, a in enumerate(items[:MAX_LISTED], 1):
        runs = [f"{i}. ", *_title_runs(a.title or a.source, a.date)]
        if a.source in cited:
            runs.append(" · cited above")
        if a.url:
            runs.append("\n" + a.url)
        runs += ["\n", (a.source, "code")]
        blocks.append(block(*runs))
    if len(items) > MAX_LISTED:
        blocks.append(block(f"… and {len(items) - MAX_LISTED} more."))
    return pack(blocks)


def render_start(articles: dict, bot_username: str) -> list[str]:
    items = list(articles.values())
    titles = "\n".join(
        f"• {esc(a.title or a.source)}" + (f" ({esc(a.date)})" if a.date else "") for a in items[:START_TITLES]
    )
    if len(items) > START_TITLES:
        titles += f"\n• … and {len(items) - START_TITLES} more (/sources)"
    return pack([raw(prompts.render(
        "telegram_start", count=esc(_count(len(items))), span=esc(article_span(items)), titles=titles, bot=esc(bot_username),
    ))])


def render_prompt(name: str, **values: str) -> list[str]:
    """A prompts/telegram_*.txt template (HTML) with escaped values."""
    return pack([raw(prompts.render(name, **{k: esc(str(v)) for k, v in values.items()}))])
