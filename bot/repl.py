"""Interactive loop over the same Answerer: line editing and history when on a terminal,
plain line-by-line input and output when piped."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from bot.conversation import ConversationStore
from bot.render import output_console, print_answer, print_articles, print_sources

HELP = """Ask a question about the articles; follow-ups ("when was he released?") refer to
the previous question and answer. Name a topic ("tell me about potash", or just a name) for up
to three excerpts that name it. Commands:
  /sources [N]  show the full passages behind the last answer (or only citation N)
  /articles     the articles in the index
  /json         the last answer as JSON
  /reset        forget the conversation (the next question starts fresh)
  /help         this text
  /quit         leave (Ctrl-D works too)"""
# given anything after them, these answer with a usage line instead of acting
NO_ARGUMENT = {"/articles", "/json", "/reset", "/help", "/quit", "/exit", "/q"}


def _history(history_file: Path | None, note):
    """The line history: DATA_DIR/repl_history when it can be read and written, else kept in
    memory for the session with one note (`note(text)`) saying why — a read-only DATA_DIR, a
    history file left owned by another user, a folder in its place. prompt_toolkit's own
    FileHistory fails on every line then (its write raises inside the prompt, and no question
    is answered) or logs an error at every prompt (its read). A write failing later (a full
    disk) is noted once too, and the session goes on."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    if history_file is None:
        return InMemoryHistory()

    def unsaved(exc: OSError) -> str:
        return f"(Line history is not saved this session: {history_file}: {exc.strerror or exc}.)"

    try:
        history_file.parent.mkdir(parents=True, exist_ok=True)
        with open(history_file, "ab"):  # can be written (and is a file)
            pass
        with open(history_file, "rb"):  # and read
            pass
    except OSError as exc:
        note(unsaved(exc))
        return InMemoryHistory()

    class SafeFileHistory(FileHistory):
        broken = False

        def load_history_strings(self):
            try:
                yield from super().load_history_strings()
            except OSError as exc:
                self._fail(exc)

        def store_string(self, string: str) -> None:
            if not self.broken:
                try:
                    super().store_string(string)
                except OSError as exc:
                    self._fail(exc)

        def _fail(self, exc: OSError) -> None:
            if not self.broken:
                self.broken = True
                note(unsaved(exc))

    return SafeFileHistory(str(history_file))


def _reader(history_file: Path | None, note=lambda text: None):
    if sys.stdin.isatty() and sys.stdout.isatty():
        from prompt_toolkit import PromptSession

        session = PromptSession(history=_history(history_file, note))
        return lambda: session.prompt("citebot> ")

    def plain() -> str:
        print("citebot> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    return plain


def run(answerer, console: Console | None = None, history_file: Path | None = None, settings=None) -> int:
    console = console or output_console()
    notes: list[str] = []  # said between prompts, not from inside one
    read = _reader(history_file, notes.append)
    # a store of one: its conversation follows the answerer to a new index after a re-ingest
    conversations = ConversationStore(
        answerer,
        max_turns=settings.conversation_max_turns if settings else 5,
        idle_seconds=settings.conversation_idle_minutes * 60 if settings else 1800.0,
    )
    stats = answerer.library.stats()
    n = stats["articles"]
    console.print(f"citebot — {n} article{'' if n == 1 else 's'}, {stats['chunks']} chunks. /help for commands, Ctrl-D to quit.")
    last = None
    while True:
        while notes:
            console.print(Text(notes.pop(0), style="dim"))
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
            cmd, *args = line.split()
            cmd = cmd.lower()
            if cmd in NO_ARGUMENT and args:  # "/quit now" is a typo to point out, not a quit
                console.print(f"Usage: {escape(cmd)} on its own (it takes no argument).")
            elif cmd in ("/quit", "/exit", "/q"):
                return 0
            elif cmd == "/help":
                console.print(HELP)
            elif cmd == "/sources":
                arg = args[0] if args else None
                if len(args) > 1 or (arg is not None and not (arg.isascii() and arg.isdigit())):  # "²" is a digit int() refuses
                    console.print("Usage: /sources or /sources N (the citation number).")
                else:
                    print_sources(console, last.answer if last else None, answerer.library, int(arg) if arg else None)
            elif cmd == "/articles":
                refresh = getattr(answerer, "refresh", None)
                if refresh is not None:  # a serving answerer: the index a re-ingest published, not the one loaded at start
                    refresh()
                print_articles(console, answerer.library)
            elif cmd == "/reset":
                conversations.get("repl").reset()
                console.print("Conversation cleared: your next question starts fresh.")
            elif cmd == "/json":
                if last is None:
                    console.print("No answer yet: ask a question first.")
                else:
                    console.print_json(json.dumps(last.to_dict(), ensure_ascii=False))
            else:
                console.print(f"Unknown command {escape(repr(line.split()[0]))}. /help lists the commands.")
            continue
        try:
            last = conversations.get("repl").ask(line)
        except KeyboardInterrupt:
            console.print("(cancelled)")
            continue
        print_answer(console, last.answer, last.rewritten if last.was_rewritten else None)
