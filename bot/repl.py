"""Interactive loop over the same Answerer: line editing and history when on a terminal,
plain line-by-line input and output when piped."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console

from bot.render import print_answer, print_sources

HELP = """Ask a question about the articles, or:
  /sources   show the full passages behind the last answer
  /json      show the last answer as JSON
  /help      this text
  /quit      leave (Ctrl-D works too)"""


def _reader(history_file: Path | None):
    if sys.stdin.isatty() and sys.stdout.isatty():
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory, InMemoryHistory

        history = InMemoryHistory()
        if history_file is not None:
            try:
                history_file.parent.mkdir(parents=True, exist_ok=True)
                history = FileHistory(str(history_file))
            except OSError:
                pass
        session = PromptSession(history=history)
        return lambda: session.prompt("citebot> ")

    def plain() -> str:
        print("citebot> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    return plain


def run(answerer, console: Console | None = None, history_file: Path | None = None) -> int:
    console = console or Console(highlight=False)
    read = _reader(history_file)
    stats = answerer.library.stats()
    console.print(f"citebot — {stats['articles']} articles, {stats['chunks']} chunks. /help for commands, Ctrl-D to quit.")
    last = None
    while True:
        try:
            line = read().strip()
        except KeyboardInterrupt:
            continue  # Ctrl-C cancels the current line
        except EOFError:
            console.print()
            return 0
        if not line:
            continue
        if line.startswith("/"):
            cmd = line.split()[0].lower()
            if cmd in ("/quit", "/exit", "/q"):
                return 0
            if cmd == "/help":
                console.print(HELP)
            elif cmd == "/sources":
                print_sources(console, last, answerer.library)
            elif cmd == "/json":
                console.print_json(json.dumps(last.to_dict() if last else {}, ensure_ascii=False))
            else:
                console.print(f"Unknown command {line.split()[0]!r}. /help lists the commands.")
            continue
        try:
            last = answerer.ask(line)
        except KeyboardInterrupt:
            console.print("(cancelled)")
            continue
        print_answer(console, last)
