"""`citebot doctor`: what index is in use and whether it is healthy, without loading the model."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from index.store import ChromaStore, IndexUnavailable, file_in_the_way, generation_number, lease_holder_gone

OK, NO_INDEX, STALE, UNREACHABLE = 0, 2, 1, 3


@dataclass
class Check:
    name: str
    status: str  # ok | warn | fail | info
    detail: str


@dataclass
class Diagnosis:
    checks: list[Check] = field(default_factory=list)
    exit_code: int = OK
    facts: dict = field(default_factory=dict)

    def add(self, name: str, status: str, detail: str) -> None:
        self.checks.append(Check(name, status, detail))

    def to_dict(self) -> dict:
        return {
            "exit_code": self.exit_code,
            "checks": [c.__dict__ for c in self.checks],
            **self.facts,
        }


def diagnose(
    store: ChromaStore,
    data_dir: Path,
    corpus_dir: Path,
    chunk_size: int,
    chunk_overlap: int,
    max_file_bytes: int,
    embed_backend: str,
    model_cache: Path,
    embed_precision: str = "int8",
    corpus_given: bool = False,
) -> Diagnosis:
    """What index is in use and whether it is healthy. corpus_given: `corpus_dir` was named by
    the caller (doctor --corpus), not the configured default — one that cannot be read is then
    a failure (exit 1: the index cannot be said to be up to date with it), not the note a
    serving machine without its default corpus gets."""
    d = Diagnosis()
    try:
        _diagnose(d, store, data_dir, corpus_dir, chunk_size, chunk_overlap, max_file_bytes, embed_backend, model_cache, embed_precision)
    except IndexUnavailable as exc:  # answered the heartbeat, then failed a read: a damaged store, a server gone meanwhile
        d.add("index", "fail", str(exc))
        d.exit_code = UNREACHABLE
    if corpus_given:
        from index.corpus import corpus_problem

        problem = corpus_problem(corpus_dir)
        if problem is not None:
            check = Check("corpus", "fail", f"{problem}; freshness not checked")
            at = next((i for i, c in enumerate(d.checks) if c.name == "corpus"), None)  # the note below, if made
            if at is None:
                d.checks.append(check)
            else:
                d.checks[at] = check
            d.exit_code = max(d.exit_code, STALE)
    return d


def _diagnose(d: Diagnosis, store: ChromaStore, data_dir: Path, corpus_dir: Path, chunk_size: int, chunk_overlap: int,
              max_file_bytes: int, embed_backend: str, model_cache: Path, embed_precision: str) -> None:
    """The checks, added to `d` in order (a failed read ends them: diagnose records it)."""
    from index.corpus import SCAN_CACHE, scan_corpus
    from index.embedding import model_id, onnx_path
    from index.ingest import fingerprint, folder_problem, ingest_running_here, lock_path
    from index.lexical import LexicalIndex

    mode = "server" if store.host else "embedded"
    d.facts.update(mode=mode, location=store.location, prefix=store.prefix, data_dir=str(data_dir), corpus_dir=str(corpus_dir))
    d.add("chroma", "info", f"{mode} at {store.location} (collection prefix {store.prefix!r})")
    model = model_id(embed_backend, embed_precision)
    if embed_backend == "onnx":
        model_note = f"{embed_precision} ONNX export " + ("cached" if onnx_path(model_cache, embed_precision).exists() else "made on first use")
    else:
        model_note = "fp32"
    d.add("embedding model", "info", f"{model}, backend {embed_backend} ({model_note} in {Path(model_cache)})")
    d.facts["embedding_model"] = model

    # a file where DATA_DIR (or a folder of it) should be: what ingest says too, not "no index yet"
    problem = folder_problem(data_dir, embedded=not store.host)
    if problem is not None:
        d.add("data dir", "fail", f"DATA_DIR {data_dir}: {problem}")
        d.exit_code = UNREACHABLE
        if not store.host and file_in_the_way(store.data_dir / "chroma") is not None:
            return d  # the embedded store cannot be opened: nothing more to look at
    if not store.may_hold_an_index():  # nothing ingested here: said without opening (creating) the store
        d.add("index", "fail", "no index yet: run `citebot ingest`")
        d.exit_code = max(d.exit_code, NO_INDEX)
        return
    t = time.perf_counter()
    try:
        store.heartbeat()
        pointer = store.pointer()
    except IndexUnavailable as exc:
        d.add("connection", "fail", str(exc))
        d.exit_code = UNREACHABLE
        return
    d.add("connection", "ok", f"answered in {(time.perf_counter() - t) * 1000:.0f} ms")

    # an ingest is running when it holds the lease (server mode, any machine) or DATA_DIR's lock
    # (this machine); an unfinished generation nobody holds is an interrupted ingest's
    lease = store._state_row("lease")
    leased = bool(lease and float(lease.get("expires", 0)) > time.time())
    building = store.building()
    if leased and lease_holder_gone(str(lease.get("owner", ""))):
        # died on this host without releasing the lease: not running, however long the lease still runs
        leased = False
        pid = str(lease.get("owner")).rpartition(":")[2]
        d.add("ingest", "warn", f"the ingest that held the lease ({lease.get('owner')}) has stopped: no process {pid} runs on this host"
                                + ("" if building else "; the next `citebot ingest` takes the lease over"))
    locked = ingest_running_here(data_dir)
    if leased:
        d.add("ingest", "info", f"an ingest is running ({lease.get('owner')})")
    elif locked:
        d.add("ingest", "info", f"an ingest is running (it holds {lock_path(data_dir)})")
    # None: embedded, and the lock could not be probed (in server mode the lease tells)
    running = True if (leased or locked) else (None if locked is None and not store.host else False)
    d.facts["ingest_running"] = running
    if building:
        gen = building.get("generation")
        if running:
            d.add("ingest", "info", f"generation {gen} is being built; answers come from the published one until it is done")
        elif running is None:
            d.add("ingest", "warn", f"generation {gen} is unfinished (an ingest is running, or was interrupted: the next `citebot ingest` resumes it)")
        else:
            d.add("ingest", "warn", f"an interrupted ingest left generation {gen} unfinished; the next `citebot ingest` resumes it")

    if pointer is None:
        d.add("index", "fail", "no index yet: run `citebot ingest`")
        d.exit_code = max(d.exit_code, NO_INDEX)
        return
    gen = str(pointer.get("generation", ""))
    counts = {kind: store.count(kind, generation=gen) for kind in ("articles", "chunks", "sentences")}
    d.facts.update(generation=gen, **counts)
    names = ", ".join(store.collection_name(k, gen) for k in ("chunks", "sentences", "articles"))
    published = pointer.get("published")
    when = time.strftime(" published %Y-%m-%d %H:%M:%S UTC", time.gmtime(float(published))) if published else ""
    d.add("index", "ok", f"generation {gen or '(legacy)'}{when}: {counts['articles']} articles, {counts['chunks']} chunks, {counts['sentences']} sentences ({names})")
    layers = store.layers(gen)
    if len(layers) > 1:
        base = layers[0]
        with store._calling():
            own = store.collection("articles", create=False, generation=gen).count()
        d.facts["base"] = base.generation
        d.add("delta", "info", f"generation {gen} holds {own} article{'s' if own != 1 else ''} of its own and reads the rest "
                               f"from generation {base.generation or '(legacy)'} (less {len(base.hidden)} changed or removed since); an ingest "
                               "that changes more than INGEST_DELTA_FRACTION of the articles since then writes a complete one")
    others = [g for g in store.generations() if g != gen and generation_number(g) != generation_number((building or {}).get("generation"))]
    if others:
        bases = {layers[0].generation} if len(layers) > 1 else set()
        said = [f"{g or '(legacy)'} (the base of {gen}: kept while a delta reads it)" if g in bases
                else f"{g or '(legacy)'} (dropped by the next ingest)" for g in others]
        d.add("generations", "info", f"also kept: {', '.join(said)}")

    _check_hnsw(d, store, gen)

    fp = fingerprint(chunk_size, chunk_overlap, model)
    if pointer.get("fingerprint") != fp:
        d.add("settings", "warn", f"the index was built with {pointer.get('fingerprint')}, the settings say {fp}: the next ingest rebuilds it")
        d.exit_code = max(d.exit_code, STALE)
    else:
        d.add("settings", "ok", fp)

    try:
        # the cache ingest keeps (read, not written: doctor changes nothing)
        found, skipped = scan_corpus(corpus_dir, max_file_bytes, cache=Path(data_dir) / SCAN_CACHE, update_cache=False,
                                     indexed=store.article_hashes(gen))
    except (FileNotFoundError, NotADirectoryError):
        d.add("corpus", "warn", f"corpus directory {corpus_dir} not found: freshness not checked")
    else:
        stored = store.article_hashes(gen)
        wanted = {n: h for n, (_, h) in found.items()}
        new = [n for n in wanted if n not in stored]
        changed = [n for n in wanted if n in stored and stored[n] != wanted[n]]
        removed = [n for n in stored if n not in wanted]
        d.facts.update(corpus_files=len(found), new=len(new), changed=len(changed), removed=len(removed), skipped=len(skipped))
        skip_note = f"; {len(skipped)} file{'' if len(skipped) == 1 else 's'} skipped (unusable, a duplicate or a folder)" if skipped else ""
        if new or changed or removed:
            d.add("freshness", "warn", f"the index is behind {corpus_dir}: {len(new)} new, {len(changed)} changed, {len(removed)} removed{skip_note} — run `citebot ingest`")
            d.exit_code = max(d.exit_code, STALE)
        else:
            d.add("freshness", "ok", f"up to date with {corpus_dir} ({len(found)} files{skip_note})")

    lexical = LexicalIndex.load(Path(data_dir) / "bm25")
    if lexical is not None and lexical.stamp == pointer.get("stamp"):
        d.add("bm25", "ok", f"{len(lexical.ids)} chunks in {Path(data_dir) / 'bm25'}")
    else:
        d.add("bm25", "info", f"no current copy in {Path(data_dir) / 'bm25'}: rebuilt from Chroma when the bot starts")
    return


def _check_hnsw(d: Diagnosis, store: ChromaStore, gen: str) -> None:
    """The ef_search the index's chunk and sentence collections were made with, against
    HNSW_EF_SEARCH: an index built before the setting (or with another value) keeps its own
    until an ingest makes new collections. Information, not a fault."""
    found = {}
    for kind in ("chunks", "sentences"):
        try:
            found[kind] = int(store.collection(kind, create=False, generation=gen).configuration["hnsw"]["ef_search"])
        except Exception:  # noqa: BLE001 - an older Chroma or an odd configuration: say nothing
            return
    d.facts["hnsw_ef_search"] = found
    if set(found.values()) == {store.ef_search}:
        d.add("hnsw", "info", f"chunk and sentence collections search with ef_search {store.ef_search}")
    else:
        said = ", ".join(f"{k} {v}" for k, v in found.items())
        d.add("hnsw", "info", f"the collections search with ef_search {said}; HNSW_EF_SEARCH is {store.ef_search}: "
                             "it applies from the next ingest that changes the index, or `citebot ingest --rebuild`")
