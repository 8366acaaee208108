"""Plain-text and rich rendering of an Answer for terminal front ends (CLI, REPL)."""

from __future__ import annotations

import unicodedata

from rich.console import Console
from rich.markup import escape
from rich.text import Text

import prompts


def output_console() -> Console:
    """The console answers are printed on: on a terminal, wrapped to its width; piped or redirected,
    lines are not wrapped at all (a fixed 80 columns put newlines inside the verbatim quotes)."""
    console = Console(highlight=False)
    return console if console.is_terminal else Console(highlight=False, soft_wrap=True)


def one_line(name: str) -> str:
    """A file name (or title, url) as shown on one terminal line: escaped as Python's repr does, in
    its quotes, when it holds a character that does not print (a newline would break the line, an
    ESC would drive the terminal, a bidirectional override would reverse it); otherwise as it is.
    JSON output keeps the real name."""
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in _BIDI for ch in name):
        return repr(name)
    return name


# bidirectional controls: a right-to-left override would turn the line round ("evil\u202etxt.md")
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def citation_label(c) -> str:
    date = f", {c.date}" if c.date else ""
    return f"{one_line(c.title)}{date} — {one_line(c.source)}"


def print_answer(console: Console, answer, rewritten: str | None = None) -> None:
    shown = answer.answered_as(rewritten)
    if shown:
        console.print(Text(prompts.render("answering", question=shown), style="italic dim"))
    if answer.fallback:
        code, _, detail = answer.fallback.partition(": ")  # "http_error: the model server returned HTTP 429 …"
        rejected = code == "rejected"
        console.print(Text(prompts.render("generative_rejected" if rejected else "generative_fallback",
                                          reason=detail or code), style="dim"))
    if answer.refused:
        console.print(Text(answer.text, style="yellow"))
        return
    if answer.cites_inline:  # generative: every sentence carries its own [n]
        console.print(Text(answer.text, style="bold"))
    else:
        marks = "".join(f"[{i}]" for i in range(1, len(answer.citations) + 1))
        console.print(Text(answer.shown, style="bold") + Text(f" {marks}", style="cyan"))
    for i, c in enumerate(answer.citations, 1):
        console.print(f"[cyan]\\[{i}][/cyan] {escape(citation_label(c))}")
        if c.quote == answer.text:  # extractive answers are the quote itself: say where, not it again
            console.print(Text(f"    verbatim, chars {c.start}–{c.end} of the article", style="dim"))
        else:
            console.print(Text(f"    “{c.quote}” (chars {c.start}–{c.end})", style="dim"))


def print_sources(console: Console, answer, library, number: int | None = None) -> None:
    """The full paragraph around each citation of the last answer (or only citation `number`)."""
    if answer is None:
        console.print("No sources yet: ask a question first.")
        return
    if not answer.citations:
        console.print("The last answer has no citations.")
        return
    if number is not None and not 1 <= number <= len(answer.citations):
        n = len(answer.citations)
        console.print(f"The last answer has {n} citation{'s' if n != 1 else ''}: /sources 1{f' … /sources {n}' if n > 1 else ''}.")
        return
    for i, c in enumerate(answer.citations, 1):
        if number is not None and i != number:
            continue
        text = library.articles[c.source].text
        p_start = text.rfind("\n\n", 0, c.start)
        p_start = 0 if p_start < 0 else p_start + 2
        p_end = text.find("\n\n", c.end)
        p_end = len(text) if p_end < 0 else p_end
        console.print(f"[cyan]\\[{i}][/cyan] {escape(citation_label(c))}")
        if c.url:
            console.print(f"    {escape(one_line(c.url))}")
        para = Text("    ")
        para.append(text[p_start : c.start])
        para.append(text[c.start : c.end], style="bold")
        para.append(text[c.end : p_end])
        console.print(para)


def print_articles(console: Console, library) -> None:
    """The indexed articles: number, title, date, source file."""
    articles = sorted(library.articles.values(), key=lambda a: a.source)
    console.print(f"{len(articles)} article{'s' if len(articles) != 1 else ''}:")
    for i, a in enumerate(articles, 1):
        date = f" ({a.date})" if a.date else ""
        console.print(f"[cyan]{i:>3}.[/cyan] {escape(one_line(a.title or a.source))}{escape(date)}")
        console.print(Text(f"     {one_line(a.source)}", style="dim"))
