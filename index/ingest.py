"""Incremental, crash-safe ingest: corpus files -> cleaned articles -> chunks + sentences -> Chroma + BM25.

Articles are tracked by content hash (raw bytes + cleaner version). Every ingest
that changes anything writes a new index generation (see index.store): unchanged
articles are copied into it with their vectors (no re-embedding), new and changed
ones are embedded, removed ones are left out — or, for a small change, a delta
generation holds the new and changed ones only and reads the rest from a base
generation (DELTA_FRACTION); only when the generation is complete
does the "current" pointer move to it. Killing ingest at any moment therefore
leaves the previous index serving, and the next run resumes the unfinished
generation: articles already complete in it are not redone.

Work streams in batches of articles (texts and vectors of one batch in memory at
a time). One ingest at a time: a file lock in DATA_DIR, plus a lease row in
Chroma when it is a server other hosts may write to. If the chunking or
embedding settings change, the new generation is embedded from scratch.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from index.chunking import make_splitter, paragraphs, split_chunks, split_sentences
from index.corpus import CLEANER_VERSION, DEFAULT_MAX_BYTES, SCAN_CACHE, CorpusFileError, duplicate_of, read_article, scan_corpus
from index.embedding import DIMENSIONS, MODEL_NAME, encode_on_every_core
from index import table
from index.lexical import LexicalIndex
from index.store import ChromaStore, IndexUnavailable, IngestLocked, _timeout_in, encode_meta, file_in_the_way, not_a_directory

log = logging.getLogger(__name__)

LEASE_SECONDS = 300.0

# A change of at most this fraction of the base generation's articles (new, changed and removed
# together, counted since the base) makes a delta generation (index.store) instead of a complete
# one; more makes a complete generation again, with every row copied into it. 0: always complete.
DELTA_FRACTION = 0.1


@dataclass(frozen=True)
class _DeltaPlan:
    base: str
    keep: frozenset[str]  # articles read from the base
    hidden: frozenset[str]  # the base's articles not read from it
    hidden_hashes: frozenset[str]


def _delta_plan(store: ChromaStore, cur_gen: str, stored: dict[str, str], wanted: dict[str, str], fraction: float) -> _DeltaPlan | None:
    """A delta generation over the current generation's base (itself when it is complete) for
    the corpus `wanted`, or None when the change since that base is too large for one."""
    if fraction <= 0:
        return None
    base = store.base_of(cur_gen)
    base_hashes = stored if base is None else store.article_hashes(base, own=True)
    base = cur_gen if base is None else base
    if not base_hashes:
        return None
    keep = {s for s, h in base_hashes.items() if wanted.get(s) == h}
    hidden = set(base_hashes) - keep
    if (len(wanted) - len(keep)) + len(hidden) > fraction * len(base_hashes):
        return None
    hidden_hashes = {base_hashes[s] for s in hidden} - {base_hashes[s] for s in keep}
    return _DeltaPlan(base, frozenset(keep), frozenset(hidden), frozenset(hidden_hashes))


class EmptyCorpus(ValueError):
    """The corpus directory holds no usable article: ingest changes nothing (an index of no
    articles answers nothing, and a mistyped --corpus would otherwise remove every article).
    `skipped`: (file, reason) of the files that were not usable."""

    def __init__(self, message: str, skipped: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.skipped = skipped


class DataDirError(IndexUnavailable):
    """DATA_DIR cannot be written (read-only, no permission, disk full)."""


@dataclass
class IngestReport:
    articles: int = 0  # articles in the index after ingest
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks_embedded: int = 0
    sentences_embedded: int = 0
    chunks_copied: int = 0  # unchanged articles' chunks carried into the new generation
    base: str | None = None  # a delta generation's base (index.store), whose rows it shares
    chunks_shared: int = 0  # chunks read from the base, not copied
    chunks_total: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    rebuilt: bool = False
    resumed: bool = False  # finished a generation an interrupted ingest had started
    restarted: bool = False  # an interrupted ingest's generation could not be read back: built again
    generation: str | None = None
    seconds: float = 0.0


def fingerprint(chunk_size: int, chunk_overlap: int, model: str = MODEL_NAME) -> str:
    """The settings an index was built with (`model`: index.embedding.model_id); another
    fingerprint means the next ingest rebuilds."""
    # v2: chunk vectors pooled from sentence vectors (pool_chunk_vectors), not embedded
    return f"{model}|cs{chunk_size}|co{chunk_overlap}|clean{CLEANER_VERSION}|v2"


def lexical_stamp(hashes: dict[str, str]) -> str:
    return hashlib.sha256(repr(sorted(hashes.items())).encode()).hexdigest()[:16]


def _disk_nearly_full(data_dir: Path, floor: int = 8 * 1024 * 1024) -> bool:
    """Less than 8 MB free where DATA_DIR lives (an ingest batch needs more than that)."""
    try:
        return shutil.disk_usage(data_dir).free < floor
    except OSError:
        return False


def _data_dir_error(data_dir: Path, exc: BaseException) -> DataDirError:
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    if code in (errno.EEXIST, errno.ENOTDIR):
        # a file where a directory is wanted: named, with what to do ("File exists" said neither)
        file = file_in_the_way(Path(getattr(exc, "filename", None) or data_dir))
        if file is not None:
            return DataDirError(f"Cannot write the index in DATA_DIR {data_dir}: {not_a_directory(data_dir, file)}")
    if code == errno.ENOSPC or "disk is full" in text or "no space" in text:
        why = "the disk is full"
    elif code in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly" in text or "read-only" in text:
        why = "it is read-only or not writable by this user"
    elif code == errno.ENOTDIR:
        why = "part of the path is a file, not a directory"
    else:
        why = getattr(exc, "strerror", None) or str(exc)
    advice = "Free some space there, or point DATA_DIR at another disk." if why == "the disk is full" else "Point DATA_DIR at a writable directory."
    return DataDirError(f"Cannot write the index in DATA_DIR {data_dir}: {why}. {advice}")


# the folders citebot keeps in DATA_DIR (DATA_DIR/chroma: the embedded store's)
DATA_FOLDERS = ("chroma", "table", "bm25", "answerer", "lexicon")


def folder_problem(data_dir: Path, embedded: bool = True) -> str | None:
    """What to say (after "... DATA_DIR <data_dir>: ") when a file stands where DATA_DIR, a parent
    of it or one of its folders should be a directory (`embedded`: DATA_DIR/chroma counts), else
    None. Found before an ingest spends minutes on Chroma only to fail at the serving table with
    "File exists"."""
    data_dir = Path(data_dir)
    for name in DATA_FOLDERS:
        if name == "chroma" and not embedded:
            continue
        file = file_in_the_way(data_dir / name)
        if file is not None:
            return not_a_directory(data_dir, file)
    return None


def check_writable(data_dir: Path, embedded: bool = True) -> None:
    """Fail early and clearly when DATA_DIR cannot take the index (`embedded`: the store's files
    go in DATA_DIR/chroma)."""
    from index.atomic import write_problem

    if (problem := folder_problem(data_dir, embedded)) is not None:
        raise DataDirError(f"Cannot write the index in DATA_DIR {data_dir}: {problem}")
    exc = write_problem(data_dir)
    if exc is not None:
        raise _data_dir_error(Path(data_dir), exc) from exc


def preflight(store: ChromaStore, data_dir: Path) -> None:
    """The cheap checks, before a caller spends seconds loading the model: DATA_DIR
    writable, Chroma reachable, no other ingest running. Raises like ingest()."""
    check_writable(data_dir, embedded=not store.host)
    store.heartbeat()
    with ingest_lock(store, data_dir):
        pass


def lock_path(data_dir: Path) -> Path:
    """The file whose lock a running ingest holds (one ingest per DATA_DIR)."""
    return Path(data_dir) / "ingest.lock"


def ingest_running_here(data_dir: Path) -> bool | None:
    """Does an ingest on this machine hold DATA_DIR's lock right now? True / False, None when
    that cannot be told (no permission to open the lock file). Nothing is created: a missing
    lock file means no ingest has run here since DATA_DIR was made, so none is running."""
    from filelock import FileLock, Timeout

    path = lock_path(data_dir)
    if not path.exists():
        return False
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return True
    except OSError:
        return None
    lock.release()
    return False


@contextmanager
def ingest_lock(store: ChromaStore, data_dir: Path):
    """One ingest at a time. Yields a function to call now and then to renew the lease."""
    from filelock import FileLock, Timeout

    # a second to wait: `citebot doctor` takes the lock for an instant to see whether an ingest holds it
    lock = FileLock(str(lock_path(data_dir)), timeout=1.0)
    try:
        lock.acquire()
    except Timeout:
        raise IngestLocked(
            f"Another ingest is already running on this index (lock file {lock_path(data_dir)}); "
            "wait for it to finish and try again."
        ) from None
    try:
        if store.host:
            store.acquire_lease(LEASE_SECONDS)
            last = [time.monotonic()]

            def renew() -> None:
                if time.monotonic() - last[0] > LEASE_SECONDS / 5:
                    store.acquire_lease(LEASE_SECONDS)
                    last[0] = time.monotonic()
        else:
            def renew() -> None:
                pass

        try:
            yield renew
        finally:
            if store.host:
                try:
                    store.release_lease()
                except Exception:  # noqa: BLE001 - the server went away; the lease expires by itself
                    log.warning("could not release the ingest lease; it expires in %.0f s", LEASE_SECONDS)
    finally:
        lock.release()


def ingest(
    corpus_dir: Path,
    store: ChromaStore,
    embed,
    data_dir: Path,
    chunk_size: int = 160,
    chunk_overlap: int = 32,
    rebuild: bool = False,
    max_file_bytes: int = DEFAULT_MAX_BYTES,
    batch_articles: int = 32,
    progress: Callable[[int, int, str], None] | None = None,
    delta_fraction: float = DELTA_FRACTION,
) -> IngestReport:
    """Bring the index in line with `corpus_dir`. Raises FileNotFoundError (no corpus),
    EmptyCorpus (no usable article in it: nothing is changed), IngestLocked, DataDirError,
    IndexUnavailable."""
    t0 = time.perf_counter()
    report = IngestReport()
    # the skipped files are logged at INFO only: the report lists them (the command's summary)
    found, report.skipped = scan_corpus(corpus_dir, max_file_bytes, cache=Path(data_dir) / SCAN_CACHE, log_level=logging.INFO,
                                        indexed=_indexed_hashes(store))
    if not found:
        skipped = f" ({len(report.skipped)} file{'s' if len(report.skipped) != 1 else ''} skipped as unusable)" if report.skipped else ""
        raise EmptyCorpus(f"No usable articles in {corpus_dir}{skipped}: nothing was indexed, and the index was left as it is "
                          "(to remove an index, delete its DATA_DIR).", report.skipped)
    data_dir = Path(data_dir)
    check_writable(data_dir, embedded=not getattr(store, "host", None))
    try:
        with ingest_lock(store, data_dir) as renew:
            _ingest(found, store, embed, data_dir, chunk_size, chunk_overlap, rebuild, max_file_bytes, batch_articles,
                    progress, renew, report, delta_fraction)
    except OSError as exc:
        raise _data_dir_error(data_dir, exc) from exc
    except (IngestLocked, DataDirError):
        raise
    except Exception as exc:
        if isinstance(exc, IndexUnavailable) and (getattr(store, "host", None) or exc.__cause__ is None):
            raise  # the store's one line (a server that went away mid-ingest, ...)
        # an embedded store's failure (IndexUnavailable from index.store, or raw) that a full or
        # read-only DATA_DIR explains better
        cause = exc.__cause__ if isinstance(exc, IndexUnavailable) else exc
        text = str(cause).lower()
        if any(k in text for k in ("disk is full", "readonly database", "read-only", "no space left")):
            raise _data_dir_error(data_dir, cause) from exc
        if not getattr(store, "host", None) and _disk_nearly_full(data_dir):
            # embedded Chroma reports a full disk as e.g. "Error in compaction: Failed to apply
            # logs to the metadata segment"; the free space tells what really happened
            raise _data_dir_error(data_dir, OSError(errno.ENOSPC, "No space left on device")) from exc
        if getattr(store, "host", None) and _timeout_in(exc) is not None:
            # a server that stopped answering mid-ingest: the one-line error, not httpx's traceback
            # (the unfinished generation is resumed by the next ingest)
            raise store._unavailable(exc) from exc
        raise
    report.seconds = time.perf_counter() - t0
    return report


def _indexed_hashes(store) -> dict[str, str]:
    """The current generation's articles (file name -> content hash), or none: which of two
    identical files the index holds already (index.corpus._dedupe keeps that one)."""
    try:
        current = store.pointer()
        return store.article_hashes(str(current.get("generation", ""))) if current is not None else {}
    except Exception:  # an unreachable server is reported by the ingest itself, in its place
        return {}


def _ingest(found, store, embed, data_dir, chunk_size, chunk_overlap, rebuild, max_file_bytes, batch_articles, progress, renew, report,
            delta_fraction=DELTA_FRACTION) -> None:
    fp = fingerprint(chunk_size, chunk_overlap, getattr(embed, "model_id", MODEL_NAME))
    current = store.pointer()
    cur_gen = None if current is None else str(current.get("generation", ""))
    if current is not None and (rebuild or current.get("fingerprint") != fp):
        if not rebuild:
            log.info("index settings changed (%s -> %s): rebuilding", current.get("fingerprint"), fp)
        report.rebuilt = True
    reuse = current is not None and not report.rebuilt
    stored = store.article_hashes(cur_gen) if reuse else {}
    wanted = {name: h for name, (_, h) in found.items()}
    unchanged = [n for n in wanted if stored.get(n) == wanted[n]]
    todo = [n for n in wanted if stored.get(n) != wanted[n]]
    building = store.building()

    if reuse and not todo and not set(stored) - set(wanted):
        # nothing changed: no new generation; drop a half-built one, refresh BM25 if needed
        if building:
            store.drop_generation(building["generation"])
            store._delete_state("building")
        report.unchanged, report.articles, report.generation = len(unchanged), len(stored), cur_gen
        store.use(cur_gen)
        stamp = current.get("stamp", "")
        made = _save_table(store, data_dir, cur_gen, table.key(stamp, current.get("fingerprint"))) if stamp else None
        report.chunks_total = len(_ensure_lexical(store, data_dir, stamp, cur_gen, made).ids)
        return

    plan = _delta_plan(store, cur_gen, stored, wanted, delta_fraction) if reuse else None
    resumable = building and building.get("fingerprint") == fp and building.get("generation") != cur_gen and not rebuild
    if resumable and store.base_of(building["generation"]) != (plan.base if plan else None):
        resumable = False  # begun as a delta over another base (or as a complete one): start afresh
    if resumable and not store.generation_readable(building["generation"]):
        log.warning("the unfinished index generation %s is damaged (an ingest was stopped while Chroma was "
                    "writing it): building it again from the start", building["generation"])
        report.restarted = True
        resumable = False
    if resumable:
        gen = building["generation"]
        report.resumed = True
        log.info("resuming the unfinished index generation %s", gen)
    else:
        if building:
            store.drop_generation(building["generation"])
        gen = store.start_generation(fp)
    report.generation = gen
    if plan is not None:
        store.set_layers(gen, plan.base, set(plan.hidden), set(plan.hidden_hashes))
        report.base = plan.base
    elif store.base_of(gen) is not None:  # a row left by a generation of that name dropped mid-way
        store.set_layers(gen, None)
    from_base = plan.keep if plan is not None else frozenset()
    done = store.article_hashes(gen, own=True)
    for src, h in done.items():  # in the half-built generation but no longer wanted as is
        if wanted.get(src) != h or src in from_base:
            store.delete_article(src, gen)
    done = {s: h for s, h in done.items() if wanted.get(s) == h and s not in from_base}
    to_copy = [n for n in unchanged if n not in done and n not in from_base]
    to_embed = [n for n in todo if n not in done and n not in from_base]
    total, finished = len(to_copy) + len(to_embed), 0
    t_write = time.perf_counter()

    for i in range(0, len(to_copy), 256):
        batch = to_copy[i : i + 256]
        report.chunks_copied += store.copy_articles(batch, cur_gen, gen)
        finished += len(batch)
        renew()
        if progress:
            progress(finished, total, batch[-1])

    splitter = make_splitter(chunk_size, chunk_overlap) if to_embed else None
    # Three stages: this thread reads, chunks and analyses batch i + 2 while a worker embeds
    # batch i + 1 (ONNX Runtime on every core, GIL released) and another writes batch i to
    # Chroma (whose bindings hold the GIL while they write). With more than one batch the
    # spaCy pass runs in a worker process (index.nlp.ProcessAnalyser), a batch ahead, so
    # neither the writes nor the embedding's Python side stall it. Writes keep the batches'
    # order; at most five batches are in memory.
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    batches = [to_embed[i : i + batch_articles] for i in range(0, len(to_embed), batch_articles)]
    owner = {h: name for name, h in wanted.items()}  # one file per content hash (index.corpus._dedupe)
    with ThreadPoolExecutor(1, thread_name_prefix="citebot-embed") as embedder, ThreadPoolExecutor(1, thread_name_prefix="citebot-write") as writer, \
            _analyser(len(batches)) as analyser:
        pending: deque = deque()  # (future of the write, names), oldest first
        # batches read and chunked whose spaCy pass is under way (in the worker process), oldest
        # first: the worker has the next batch to analyse while this thread waits for one
        started: deque = deque()
        lookahead = 2 if analyser else 1
        queued = iter(batches)

        def start(names: list[str]) -> _Started:
            articles = []
            for name in names:
                try:
                    article = read_article(found[name][0], max_file_bytes)
                    # changed since the scan into a copy of another file: its rows' ids would collide
                    if owner.get(article.content_hash, name) != name:
                        raise CorpusFileError(duplicate_of(owner[article.content_hash]))
                    articles.append(article)
                except CorpusFileError as exc:  # changed or vanished since the scan
                    log.info("skipped %s: %s", name, exc)
                    report.skipped.append((name, str(exc)))
            chunks = [c for a in articles for c in split_chunks(a, splitter)]
            analysing = analyser.submit(paragraphs(articles)) if analyser and articles else None
            return _Started(names, articles, chunks, analysing)

        def wait() -> None:
            nonlocal finished
            future, done_names = pending.popleft()
            future.result()
            finished += len(done_names)
            renew()
            if progress:
                progress(finished, total, done_names[-1])

        for _ in batches:
            while len(started) < lookahead and (names := next(queued, None)) is not None:
                started.append(start(names))
            batch = started.popleft()
            names = batch.names
            prepared = batch.prepared() if batch.articles else None
            while len(pending) >= 2:
                wait()
            if prepared:
                embedded = embedder.submit(_embed_batch, prepared, embed)
                future = writer.submit(lambda e=embedded: _store_batch(e.result(), store, report, gen))
            else:
                future = writer.submit(lambda: None)
            pending.append((future, names))
        while pending:
            wait()

    log.info("generation %s: %d articles written in %.1f s", gen, total, time.perf_counter() - t_write)
    hashes = store.article_hashes(gen)
    kept = set(unchanged)  # not the list: 11 s of an ingest at 40,000 articles went to `in` on it
    for name in wanted:
        if name in hashes and name not in kept:
            (report.updated if name in stored else report.added).append(name)
    report.unchanged = sum(1 for n in unchanged if n in hashes)
    report.removed = sorted(set(stored) - set(hashes))
    report.articles = len(hashes)
    stamp = f"{gen}:{lexical_stamp(hashes)}"
    # the serving table and BM25, before publishing: the first reader finds them
    before = (cur_gen, table.key(current["stamp"], current.get("fingerprint"))) if reuse and current.get("stamp") else None
    made = _save_table(store, data_dir, gen, table.key(stamp, fp), before, hashes)
    t = time.perf_counter()
    # the chunks' texts from the table (as a serving process rebuilding BM25 takes them), not read
    # out of Chroma again: 10 of the 17 s of BM25 at 40,000 articles
    lexical = LexicalIndex.build(made.c_ids, table.chunk_texts(made), stamp)
    del made
    lexical.save(data_dir / "bm25")
    log.info("BM25 index of %d chunks in %.1f s", len(lexical.ids), time.perf_counter() - t)
    report.chunks_total = len(lexical.ids)
    if plan is not None:
        with store._calling():
            report.chunks_shared = report.chunks_total - store.collection("chunks", create=False, generation=gen).count()
    store.publish(gen, fp, stamp, {"articles": len(hashes), "chunks": len(lexical.ids)})
    table.prune(data_dir, set(store.generations()))


def _save_table(store: ChromaStore, data_dir: Path, gen: str | None, key: str, before: tuple[str | None, str] | None = None,
                hashes: dict[str, str] | None = None) -> table.Table:
    """The serving table of a generation (index.table), read back from Chroma once here
    instead of by every serving process at start; made from the table of the generation
    `before` (generation, table key) when this DATA_DIR has it (only what changed is read)."""
    folder = table.folder_for(data_dir, gen or "")
    # verified (every file against its checksum): a no-change ingest repairs a damaged table
    saved = table.load(folder, key, mmap=True, verify=True)
    if saved is not None:
        return saved
    t = time.perf_counter()
    old = table.load(table.folder_for(data_dir, before[0] or ""), before[1], mmap=True, verify=True) if before else None
    if old is not None and old.articles is not None:
        made, how = table.updated(old, store.at(gen), key, hashes), f"from generation {before[0]}'s"
    else:
        made, how = table.from_chroma(store.at(gen), key), "from Chroma"
    del old
    table.save(made, folder)
    log.info("serving table of %d sentences made %s in %.1f s", len(made), how, time.perf_counter() - t)
    return made


def _ensure_lexical(store: ChromaStore, data_dir: Path, stamp: str, gen: str | None, made: table.Table | None = None) -> LexicalIndex:
    """The generation's BM25 index: this DATA_DIR's when it is current, else made again, from
    the generation's serving table `made` when there is one (as ingest makes it), else from the
    chunks' texts in Chroma."""
    lexical = LexicalIndex.load(Path(data_dir) / "bm25", verify=True)
    if lexical is None or lexical.stamp != stamp:
        if made is not None:
            lexical = LexicalIndex.build(made.c_ids, table.chunk_texts(made), stamp)
        else:
            lexical = build_lexical(store, stamp, gen)
        lexical.save(Path(data_dir) / "bm25")
    return lexical


def build_lexical(store: ChromaStore, stamp: str, generation: str | None = None) -> LexicalIndex:
    rows = store.all_rows("chunks", ["documents"], generation=generation)
    return LexicalIndex.build(rows["ids"], rows["documents"], stamp)


POOL_POWER = 0.5  # chunk vector = sum of its sentences' vectors weighted by (shared characters) ** 0.5


def pool_chunk_vectors(chunks: list, sentences: dict, sentence_vectors: np.ndarray, base: dict[str, int]) -> np.ndarray:
    """Each chunk's vector from the vectors of the sentences it overlaps: their sum weighted by the
    square root of the characters they share with the chunk, L2-normalised (MiniLM mean-pools
    its tokens, so a chunk's own vector is close to such a mix of its sentences'). Rows of chunks
    that overlap no sentence are left zero (the caller embeds those). `base[source]` is the row of
    that article's first sentence in `sentence_vectors`."""
    out = np.zeros((len(chunks), DIMENSIONS), np.float32)
    for k, c in enumerate(chunks):
        rows, weights = [], []
        for s in sentences[c.source]:
            shared = min(s.end, c.end) - max(s.start, c.start)
            if shared > 0:
                rows.append(base[c.source] + s.position)
                weights.append(shared**POOL_POWER)
        if rows:
            v = np.asarray(weights, np.float32) @ sentence_vectors[rows]
            norm = float(np.linalg.norm(v))
            if norm > 0:
                out[k] = v / norm
    return out


@dataclass
class _Prepared:
    """One batch of articles split into chunks and analysed sentences (the CPU-bound,
    GIL-holding part: spaCy), ready to embed and write."""

    articles: list
    chunks: list
    sentences: dict


@dataclass
class _Started:
    """A batch read and chunked, its spaCy pass running in the worker process or, without
    one, still to run here."""

    names: list[str]
    articles: list
    chunks: list
    analysing: Callable[[], list] | None  # ProcessAnalyser.submit's: waits for the analysis

    def prepared(self) -> _Prepared:
        analysed = self.analysing() if self.analysing is not None else None
        return _Prepared(self.articles, self.chunks, split_sentences(self.articles, analysed))


@contextmanager
def _analyser(batches: int):
    """A spaCy worker process for an ingest of more than one batch on more than one core;
    None (spaCy in this process) otherwise: starting the worker costs about as much as
    analysing one batch."""
    if batches < 2 or (os.cpu_count() or 1) < 2:
        yield None
        return
    from index.nlp import ProcessAnalyser

    analyser = ProcessAnalyser()
    try:
        yield analyser
    finally:
        analyser.close()


@dataclass
class _Embedded:
    prep: _Prepared
    chunk_nodes: list
    sent_nodes: list
    title_vectors: np.ndarray


def _embed_batch(prep: _Prepared, embed) -> _Embedded:
    """Embed the sentences and titles of a prepared batch (ONNX Runtime, which releases the GIL,
    so the next batch's spaCy pass runs meanwhile) and pool the chunk vectors."""
    from llama_index.core.schema import TextNode

    batch, chunks, sentences = prep.articles, prep.chunks, prep.sentences
    base, texts = {}, []
    for a in batch:
        base[a.source] = len(texts)
        texts.extend(s.text for s in sentences[a.source])
    vectors = encode_on_every_core(embed, texts + [a.title or a.source for a in batch])
    sentence_vectors, title_vectors = vectors[: len(texts)], vectors[len(texts) :]
    chunk_vectors = pool_chunk_vectors(chunks, sentences, sentence_vectors, base)
    lone = [k for k in range(len(chunks)) if not chunk_vectors[k].any()]
    if lone:  # no sentence inside (cannot happen with spaCy's splitting; kept safe)
        chunk_vectors[lone] = embed.encode([chunks[k].text for k in lone])

    chunk_nodes = [
        TextNode(
            id_=c.id,
            text=c.text,
            metadata={"source": c.source, "position": c.position, "start": c.start, "end": c.end},
            start_char_idx=c.start,
            end_char_idx=c.end,
            embedding=vec.tolist(),
        )
        for c, vec in zip(chunks, chunk_vectors)
    ]
    sent_nodes = []
    for a in batch:
        for s in sentences[a.source]:
            sent_nodes.append(
                TextNode(
                    id_=f"{a.content_hash}:s{s.position}",
                    text=s.text,
                    metadata={
                        "source": a.source,
                        "position": s.position,
                        "start": s.start,
                        "end": s.end,
                        "paragraph": s.paragraph,
                        "entities": encode_meta(s.entities),
                        "lemmas": " ".join(s.lemmas),
                    },
                    start_char_idx=s.start,
                    end_char_idx=s.end,
                    embedding=sentence_vectors[base[a.source] + s.position].tolist(),
                )
            )
    return _Embedded(prep, chunk_nodes, sent_nodes, title_vectors)


def _store_batch(done: _Embedded, store: ChromaStore, report: IngestReport, gen: str) -> None:
    """Write an embedded batch: chunks, sentences, then the article rows (which mark it complete)."""
    batch = done.prep.articles
    if report.resumed:  # leftovers of an interrupted attempt at these articles go first
        store.delete_sources([a.source for a in batch], gen)
    if done.chunk_nodes:
        store.add_nodes("chunks", done.chunk_nodes, generation=gen)
    if done.sent_nodes:
        store.add_nodes("sentences", done.sent_nodes, generation=gen)
    store.put_articles(batch, done.title_vectors, generation=gen)  # written last: marks the articles complete
    report.chunks_embedded += len(done.chunk_nodes)
    report.sentences_embedded += len(done.sent_nodes)
