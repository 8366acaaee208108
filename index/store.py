"""Chroma storage: chunks and sentences through llama-index's ChromaVectorStore,
article texts (the reference for quote checks) in a third collection.

Embedded PersistentClient under DATA_DIR/chroma by default; HttpClient against a
`chroma run` server when a host is given.

Index generations: every ingest that changes something writes a complete new set
of collections, PREFIX_g<N>_chunks / _sentences / _articles, and only then moves
the "current" pointer (one row in PREFIX_state) to it. Readers always open the
generation the pointer names, so an ingest killed at any point leaves the
previous index serving; the next ingest resumes the unfinished generation
(its "building" row). The previous generation is kept one round longer so
processes still answering from it can switch over; older ones are dropped.
An index written before generations existed (PREFIX_chunks, ...) is read as
generation "" until the next ingest replaces it. A delta generation holds only the
articles a small change added or changed, and reads the others from a base generation
(`layers`; its PREFIX_state row "layers:<generation>" names the base and what it hides).
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import stat
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
# what Chroma says when a segment file is cut short or garbled
_DAMAGED_RE = re.compile(r"deserializ|pickle|corrupt|truncat|unexpected end of file|invalid (header|file|data)", re.I)

KINDS = ("chunks", "sentences", "articles")
_GEN_RE = re.compile(r"^g(\d+)$")


class IndexUnavailable(RuntimeError):
    """Chroma cannot be reached or opened; the message says what to do."""


class IndexMissing(RuntimeError):
    """There is no index yet (nothing ingested)."""


class IngestLocked(RuntimeError):
    """Another ingest is writing this index; the message says who and until when."""


# Candidates Chroma's HNSW search looks at per query (Chroma's default is 100). The synthetic
# 100k-chunk benchmark index (many near-duplicate sentences) showed how little 100 finds there:
# recall@10 of the exact closest 0.73 for sentences and 0.86 for chunks at 100, 0.88 and 0.96 at
# 400, for about 1 ms more a query. The warm answers then agree with an exact search (what a
# one-shot `citebot ask` does, index.retrieve) on 116 of 120 questions instead of 96; ask p50
# there rose from 80-85 to 94-96 ms (retrieval +2 ms, the rest the other sentences it finds).
HNSW_EF_SEARCH = 400

# Server mode: the longest wait for one request to the Chroma server (CHROMA_TIMEOUT_S), generous
# for the upserts of a large ingest (up to the client's max batch size, 5,461 rows, each; at 100k
# chunks such a write into the embedded store took ≈ 8 s). chromadb's own HTTP client waits forever.
REQUEST_TIMEOUT_S = 60.0
# ...and the longest wait (CHROMA_TIMEOUT_S if less) for a connection and for the connectivity
# check — a heartbeat on a fresh connection — made before the client's first request and by every
# heartbeat(): a live server answers it in milliseconds, so one that accepts connections but never
# answers (hung, or not Chroma) fails a command within seconds instead of hanging it.
CHECK_TIMEOUT_S = 5.0


def import_chromadb():
    """The chromadb package. It marks ≈ 170 methods with `overrides.override`, whose default
    compares each method's signature with its base class's as the class is defined: ≈ 0.25 s of
    the ≈ 1.4 s import on this machine (a cold `citebot ask` waits for it), for a check
    chromadb's own tests make. The decorator's documented `check_signature` option is off for
    this import only and restored after; the overriding methods are still checked to exist."""
    import contextlib

    with contextlib.ExitStack() as restore:
        try:
            import overrides

            for fn in {getattr(overrides, "override", None), getattr(overrides, "overrides", None)}:
                defaults = getattr(fn, "__kwdefaults__", None)
                if isinstance(defaults, dict) and defaults.get("check_signature") is True:
                    defaults["check_signature"] = False
                    restore.callback(defaults.__setitem__, "check_signature", True)
        except ImportError:  # chromadb without overrides: nothing to turn off
            pass
        import chromadb
    return chromadb


def _chroma_settings():
    import_chromadb()
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


_timed_lock = threading.Lock()
_TimedSettings: Any = None


def _server_settings(request_s: float, connect_s: float):
    """chromadb Settings for an HttpClient whose HTTP requests wait at most `request_s` for a
    reply and `connect_s` for a connection.

    chromadb (1.5) makes the httpx session of its HTTP client (chromadb.api.fastapi.FastAPI) with
    timeout=None, and no chromadb setting changes that (its *_timeout_seconds settings are the
    server's); HttpClient() itself already sends requests (user identity, then tenant and
    database through a second session, its admin client's). So FastAPI.__init__ is wrapped, once
    per process, to give every session it makes the timeouts its Settings carry: the fields of
    this Settings subclass. A client made with plain Settings keeps chromadb's behaviour."""
    global _TimedSettings
    with _timed_lock:
        if _TimedSettings is None:
            import_chromadb()
            import httpx
            from chromadb.api.fastapi import FastAPI
            from chromadb.config import Settings as ChromaSettings

            class TimedSettings(ChromaSettings):
                citebot_request_timeout_s: float | None = None
                citebot_connect_timeout_s: float | None = None

            init = FastAPI.__init__
            if not getattr(init, "_citebot_timeouts", False):

                def __init__(self, system, *args, **kwargs):
                    init(self, system, *args, **kwargs)
                    read = getattr(system.settings, "citebot_request_timeout_s", None)
                    if read is None:
                        return
                    session = getattr(self, "_session", None)
                    if isinstance(session, httpx.Client):
                        connect = getattr(system.settings, "citebot_connect_timeout_s", None) or read
                        session.timeout = httpx.Timeout(read, connect=connect)
                    else:  # a chromadb whose client is built differently: the check still bounds the start
                        log.warning("chromadb's HTTP client has no httpx session to set CHROMA_TIMEOUT_S on")

                __init__._citebot_timeouts = True  # type: ignore[attr-defined]
                __init__.__wrapped__ = init  # type: ignore[attr-defined]
                FastAPI.__init__ = __init__
            _TimedSettings = TimedSettings
    return _TimedSettings(anonymized_telemetry=False, citebot_request_timeout_s=request_s, citebot_connect_timeout_s=connect_s)


def _timeout_in(exc: BaseException | None):
    """The httpx timeout that caused `exc` (chromadb re-raises some as ValueError), or None."""
    httpx = sys.modules.get("httpx")
    seen = set()
    while httpx is not None and exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, httpx.TimeoutException):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


@dataclass(frozen=True)
class Layer:
    """The rows one generation's collections give another: all of them (its own collections),
    or — the base of a delta generation — all but those of `hidden` articles (removed or changed
    since), found by their sources (article rows) or content hashes (chunk and sentence ids are
    "<content hash>:...")."""

    generation: str
    hidden: frozenset[str] = frozenset()
    hidden_hashes: frozenset[str] = frozenset()

    def shows(self, kind: str, row_id: str) -> bool:
        if not self.hidden:
            return True
        if kind == "articles":
            return row_id not in self.hidden
        return row_id.rpartition(":")[0] not in self.hidden_hashes


def _only(got: dict, keep: list[bool], include: list[str]) -> dict:
    """A get() result with only the rows where `keep` is true."""
    out = dict(got)
    out["ids"] = [i for i, k in zip(got["ids"], keep) if k]
    for field in include:
        vals = got.get(field)
        if vals is None:
            continue
        if hasattr(vals, "shape"):  # numpy (embeddings)
            import numpy as np

            out[field] = vals[np.asarray(keep, dtype=bool)]
        else:
            out[field] = [v for v, k in zip(vals, keep) if k]
    return out


def _get_articles(col, kind: str, sources: list[str], include: list[str]) -> dict:
    """The rows of these articles in one collection: article rows by id (their source), chunk
    and sentence rows by their "source" metadata."""
    if kind == "articles":
        return col.get(ids=sources, include=include)
    return col.get(where={"source": {"$in": sources}}, include=include)


def file_in_the_way(path: Path) -> Path | None:
    """The file (not a directory) at `path` or at one of its parents: where a directory is wanted
    and none can be made until it is moved. None when there is none."""
    path = Path(path)
    for p in (path, *path.parents):
        try:
            mode = p.stat().st_mode
        except OSError:  # missing, or below a file (ENOTDIR): look further up
            continue
        return None if stat.S_ISDIR(mode) else p
    return None


def not_a_directory(data_dir: Path, file: Path) -> str:
    """What to say, after "... DATA_DIR <data_dir>: ", when `file` stands where DATA_DIR, one of its
    parents or one of its folders should be a directory (readers said "no index yet" and ingest
    "File exists", naming neither the file nor what to do)."""
    data_dir, file = Path(data_dir), Path(file)
    if file == data_dir:
        return "it is a file, not a directory. Point DATA_DIR at a directory (or move that file away)."
    if data_dir in file.parents:
        return (f"{file} is a file, not a directory: citebot keeps a folder of the index there. Move the file away "
                "(the next `citebot ingest` makes the folder), or point DATA_DIR at another directory.")
    return f"{file}, part of that path, is a file, not a directory. Point DATA_DIR at a directory."


def generation_number(gen: str | None) -> int:
    m = _GEN_RE.match(gen or "")
    return int(m.group(1)) if m else 0


class ChromaStore:
    def __init__(
        self,
        data_dir: Path,
        host: str | None = None,
        port: int = 8000,
        prefix: str = "citebot",
        generation: str | None = None,
        ef_search: int = HNSW_EF_SEARCH,
        timeout_s: float = REQUEST_TIMEOUT_S,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host, self.port, self.prefix = host, port, prefix
        self.ef_search = ef_search
        # server mode: the longest wait for one request, and for a connection or the connectivity check
        self.timeout_s = float(timeout_s)
        self.check_s = min(CHECK_TIMEOUT_S, self.timeout_s)
        self._heartbeat_url: str | None = None
        self._client = None
        self._collections: dict[str, Any] = {}
        self._layers: dict[str, tuple[Layer, ...]] = {}
        self._hidden_rows: dict[tuple[str, str], int] = {}
        self._sizes: dict[tuple[str, str], int] = {}  # rows of a layer's collection (nearest)
        # None: follow the current pointer (resolved on first use); else pinned
        self._generation = generation

    # --- connection ---------------------------------------------------------
    @property
    def location(self) -> str:
        return f"http://{self.host}:{self.port}" if self.host else str(self.data_dir / "chroma")

    def may_hold_an_index(self) -> bool:
        """False for an embedded store nothing was ever written to (no DATA_DIR/chroma/chroma.sqlite3):
        readers say "no index" without opening it, which would create it (a mistyped DATA_DIR left an
        empty store behind). A server may always hold one. True when a file stands where DATA_DIR or
        DATA_DIR/chroma should be a directory: opening says so (and can create nothing there), where
        "no index yet, run `citebot ingest`" sent the user to an ingest that fails."""
        if self.host or (self.data_dir / "chroma" / "chroma.sqlite3").is_file():
            return True
        return file_in_the_way(self.data_dir / "chroma") is not None

    def _unavailable(self, exc: BaseException, waited: float | None = None) -> IndexUnavailable:
        """The error for a failed Chroma call: a server that did not answer in time (`waited`
        seconds, or the timeout that `exc` comes from) says so and how long it was given."""
        if self.host and (waited is not None or (timeout := _timeout_in(exc)) is not None):
            if waited is None:
                waited = self.check_s if type(timeout).__name__ == "ConnectTimeout" else self.timeout_s
            slow = "; if it is only slow, raise CHROMA_TIMEOUT_S" if waited > self.check_s else ""
            return IndexUnavailable(
                f"Cannot reach the Chroma index: the server at {self.host}:{self.port} did not answer within "
                f"{waited:g} s (is `chroma run` up and healthy at that address?{slow})"
            )
        hint = ("is `chroma run` up at that address?" if self.host else
                f"check that DATA_DIR is readable and writable; if its files are damaged, move {self.data_dir / 'chroma'} "
                "aside and run `citebot ingest` to build the index again.")
        return IndexUnavailable(f"Cannot reach the Chroma index at {self.location}: {hint} ({exc})")

    @contextmanager
    def _calling(self):
        """Around Chroma calls on collections, reads and writes alike: a failure of the store (a
        server that went away mid-ingest, httpx.ConnectError; a chroma.sqlite3 damaged inside its
        pages, an InternalError from its compactor) is IndexUnavailable with _unavailable's one
        line, which every command prints with exit code 3 — as for the client and the pointer."""
        try:
            yield
        except (IndexUnavailable, IndexMissing):
            raise
        except Exception as exc:
            raise self._unavailable(exc) from exc

    def _check_server(self, url: str) -> None:
        """GET the server's heartbeat on a fresh connection, waiting at most `check_s`: raises
        IndexUnavailable when it refuses, does not answer in time or answers with a server error."""
        import httpx

        try:
            status = httpx.get(url, timeout=self.check_s).status_code
        except httpx.TimeoutException as exc:
            raise self._unavailable(exc, waited=self.check_s) from exc
        except httpx.HTTPError as exc:
            raise self._unavailable(exc) from exc
        if status >= 500:
            raise self._unavailable(RuntimeError(f"HTTP {status} from {url}"))

    @property
    def client(self):
        if self._client is None:
            chromadb = import_chromadb()
            try:
                if self.host:
                    settings = _server_settings(self.timeout_s, self.check_s)
                    from chromadb.api.fastapi import FastAPI

                    url = FastAPI.resolve_url(
                        chroma_server_host=self.host, chroma_server_http_port=self.port,
                        default_api_path=settings.chroma_server_api_default_path,
                    ) + "/heartbeat"
                    self._check_server(url)  # a silent server fails here, within check_s
                    client = chromadb.HttpClient(host=self.host, port=self.port, settings=settings)
                    client.heartbeat()
                    self._heartbeat_url = url
                else:
                    if (file := file_in_the_way(self.data_dir / "chroma")) is not None:
                        raise IndexUnavailable(f"Cannot open the Chroma index in DATA_DIR {self.data_dir}: {not_a_directory(self.data_dir, file)}")
                    (self.data_dir / "chroma").mkdir(parents=True, exist_ok=True)
                    client = chromadb.PersistentClient(path=str(self.data_dir / "chroma"), settings=_chroma_settings())
            except IndexUnavailable:
                raise
            except Exception as exc:
                raise self._unavailable(exc) from exc
            self._client = client
        return self._client

    def heartbeat(self) -> None:
        """Raises IndexUnavailable when the server (or the embedded store) does not answer (a
        server: within CHECK_TIMEOUT_S, or CHROMA_TIMEOUT_S if less)."""
        try:
            if self.host and self._client is not None and self._heartbeat_url:
                self._check_server(self._heartbeat_url)
            else:
                self.client.heartbeat()
        except IndexUnavailable:
            if self._client is not None:
                self.disconnect()
            raise
        except Exception as exc:
            self.disconnect()
            raise self._unavailable(exc) from exc

    def disconnect(self) -> None:
        """Forget the client and collection handles: the next call connects afresh."""
        self._client = None
        self._collections.clear()
        self._layers.clear()
        self._hidden_rows.clear()
        self._sizes.clear()

    def at(self, generation: str | None) -> "ChromaStore":
        """The same connection, pinned to one generation (a reader's consistent view)."""
        other = ChromaStore(self.data_dir, self.host, self.port, self.prefix, generation, self.ef_search, self.timeout_s)
        other._client, other._heartbeat_url = self._client, self._heartbeat_url
        return other

    # --- generations ------------------------------------------------------
    def _state(self):
        return self._get_collection(f"{self.prefix}_state", create=True, space="l2")

    def _state_row(self, key: str) -> dict | None:
        with self._calling():
            got = self._state().get(ids=[key], include=["metadatas"])
        return dict(got["metadatas"][0] or {}) if got["ids"] else None

    def _put_state(self, key: str, meta: dict) -> None:
        with self._calling():
            self._state().upsert(ids=[key], embeddings=[[1.0]], metadatas=[meta])

    def _delete_state(self, key: str) -> None:
        with self._calling():
            self._state().delete(ids=[key])

    def pointer(self) -> dict | None:
        """The current generation's record {generation, fingerprint, stamp, ...}, or None."""
        try:
            row = self._state_row("current")
            if row is None and self._exists(f"{self.prefix}_articles"):
                legacy = self.client.get_collection(f"{self.prefix}_articles").metadata or {}
                return {"generation": "", "fingerprint": legacy.get("fingerprint"), "stamp": ""}
            return row
        except IndexUnavailable:
            raise
        except Exception as exc:
            raise self._unavailable(exc) from exc

    def current_generation(self) -> str | None:
        """Name of the generation readers should use ("" = pre-generation index), None if none."""
        row = self.pointer()
        return None if row is None else str(row.get("generation", ""))

    @property
    def generation(self) -> str | None:
        if self._generation is None:
            self._generation = self.current_generation()
        return self._generation

    def use(self, generation: str | None) -> None:
        self._generation = generation
        self._collections.clear()

    def collection_name(self, kind: str, generation: str | None = None) -> str:
        gen = self.generation if generation is None else generation
        return f"{self.prefix}_{kind}" if not gen else f"{self.prefix}_{gen}_{kind}"

    def generations(self) -> list[str]:
        """Every generation that has collections (complete or not), oldest first."""
        gens = set()
        pat = re.compile(rf"^{re.escape(self.prefix)}_(g\d+)_(?:{'|'.join(KINDS)})$")
        with self._calling():
            listed = self.client.list_collections()
        for col in listed:
            name = col if isinstance(col, str) else col.name
            if m := pat.match(name):
                gens.add(m.group(1))
            elif name in {f"{self.prefix}_{k}" for k in KINDS}:
                gens.add("")
        return sorted(gens, key=generation_number)

    def building(self) -> dict | None:
        return self._state_row("building")

    def start_generation(self, fingerprint: str) -> str:
        """A new generation name (after every existing one), recorded as being built."""
        used = [generation_number(g) for g in self.generations()]
        cur = self.pointer()
        used.append(generation_number(cur.get("generation") if cur else None))
        gen = f"g{max(used, default=0) + 1}"
        for kind in KINDS:
            self.collection(kind, generation=gen)
        self._put_state("building", {"generation": gen, "fingerprint": fingerprint, "started": time.time()})
        return gen

    def publish(self, generation: str, fingerprint: str, stamp: str, counts: dict[str, int]) -> None:
        """Make `generation` the one readers use (one row write), then collect garbage."""
        previous = self.current_generation()
        self._put_state(
            "current",
            {"generation": generation, "fingerprint": fingerprint, "stamp": stamp, "published": time.time(), **counts},
        )
        self._delete_state("building")
        self.use(generation)
        keep = {generation, previous}
        keep |= {layer.generation for gen in list(keep) if gen is not None for layer in self._layers_or_none(gen)}
        for gen in self.generations():
            if gen not in keep:
                self.drop_generation(gen)

    # --- delta generations --------------------------------------------------
    # A small change to a large index need not copy every unchanged row into new collections
    # (at 40,000 articles that copy took 738 of the 892 s of adding 100 articles: Chroma indexes
    # each row again). A delta generation holds only its new and changed articles and reads the
    # rest from a base generation's collections, less the rows of the articles it hides
    # (changed or removed since). One level: the base is always a complete generation; the
    # next delta starts from the same base (the last delta's own rows are copied, few), until
    # ingest makes a complete generation again (index.ingest decides).
    def layers(self, generation: str | None = None) -> tuple[Layer, ...]:
        """The layers a generation's rows come from: (its own,) or (base, its own)."""
        gen = self.generation if generation is None else generation
        if gen is None:
            raise IndexMissing("the index is empty")
        if gen not in self._layers:
            row = self._state_row(f"layers:{gen}") if gen else None
            if row and row.get("base") is not None:
                base = Layer(str(row["base"]), frozenset(json.loads(row.get("hidden") or "[]")),
                             frozenset(json.loads(row.get("hidden_hashes") or "[]")))
                self._layers[gen] = (base, Layer(gen))
            else:
                self._layers[gen] = (Layer(gen),)
        return self._layers[gen]

    def _layers_or_none(self, generation: str) -> tuple[Layer, ...]:
        try:
            return self.layers(generation)
        except IndexMissing:
            return ()

    def set_layers(self, generation: str, base: str | None, hidden: set[str] = frozenset(), hidden_hashes: set[str] = frozenset()) -> None:
        """Make `generation` a delta over `base` hiding `hidden` (sources) and `hidden_hashes`
        (their content hashes), or (base None) a complete generation."""
        if base is None:
            self._delete_state(f"layers:{generation}")
        else:
            self._put_state(f"layers:{generation}", {
                "base": base, "hidden": json.dumps(sorted(hidden)), "hidden_hashes": json.dumps(sorted(hidden_hashes)),
            })
        self._layers.pop(generation, None)
        self._hidden_rows.clear()

    def base_of(self, generation: str | None = None) -> str | None:
        """The base generation of a delta generation; None for a complete one."""
        layers = self.layers(generation)
        return layers[0].generation if len(layers) > 1 else None

    def open(self, kind: str, generation: str | None = None) -> None:
        """Open the collections a generation's rows of `kind` come from (IndexMissing when one
        is gone)."""
        for layer in self.layers(generation):
            self.collection(kind, create=False, generation=layer.generation)

    def _hidden_count(self, kind: str, layer: Layer) -> int:
        """How many rows of `kind` in the layer's collection it hides."""
        key = (layer.generation, kind)
        if key not in self._hidden_rows:
            col = self.collection(kind, create=False, generation=layer.generation)
            hidden, n = sorted(layer.hidden), 0
            for i in range(0, len(hidden), 5000):  # SQLite's limit on a statement's variables
                part = hidden[i : i + 5000]
                with self._calling():
                    got = _get_articles(col, kind, part, [])
                n += sum(1 for row_id in got["ids"] if not layer.shows(kind, row_id))
            self._hidden_rows[key] = n
        return self._hidden_rows[key]

    def nearest(self, kind: str, embedding, n: int, generation: str | None = None) -> list[str]:
        """Ids of the n rows of `kind` closest to `embedding` (Chroma's HNSW query), closest
        first, over every layer of the generation."""
        layers = self.layers(generation)
        query = [embedding.tolist() if hasattr(embedding, "tolist") else list(embedding)]
        if len(layers) == 1:
            col = self.collection(kind, create=False, generation=layers[0].generation)
            with self._calling():
                got = col.query(query_embeddings=query, n_results=n, include=[])
            return list(got["ids"][0]) if got["ids"] else []
        found: list[tuple[float, str]] = []
        for layer in layers:
            col = self.collection(kind, create=False, generation=layer.generation)
            size = self._sizes.get((layer.generation, kind))
            if size is None:  # a published generation's collections do not change
                with self._calling():
                    size = self._sizes[(layer.generation, kind)] = col.count()
            hidden = self._hidden_count(kind, layer) if layer.hidden else 0
            # hidden rows among the closest are passed over: ask for more than n, as many more as
            # there could be in the way (n at first, four times as many each time that does not
            # leave n — a question about a changed article finds its old sentences first —, up to
            # every hidden row)
            extra = min(hidden, n)
            while True:
                k = min(size, n + extra)
                if k <= 0:
                    break
                with self._calling():
                    got = col.query(query_embeddings=query, n_results=k, include=["distances"])
                ids, dists = (got["ids"][0], got["distances"][0]) if got["ids"] else ([], [])
                shown = [(float(d), i) for i, d in zip(ids, dists) if layer.shows(kind, i)]
                if len(shown) >= n or k >= size or extra >= hidden:
                    break
                extra = min(hidden, 4 * max(extra, 1))
            found.extend(shown[:n])
        found.sort(key=lambda x: x[0])
        return list(dict.fromkeys(i for _, i in found))[:n]

    def generation_readable(self, generation: str) -> bool:
        """False when Chroma cannot read a collection of the generation back because a file of
        its vector index is damaged — left cut short by an ingest killed while Chroma was writing
        it ("Error deserializing pickle file"). Other failures are not taken for damage (a client
        of this process that watched another one write can fail to see its newest segment files;
        the writing carries on regardless). Raises IndexUnavailable when the store is unreachable."""
        for kind in KINDS:
            try:
                col = self.collection(kind, create=False, generation=generation)
                got = col.get(limit=1, include=["embeddings"])
                if got["ids"]:
                    col.query(query_embeddings=[list(got["embeddings"][0])], n_results=1, include=[])
            except IndexMissing:
                continue  # not created yet: resuming creates it
            except IndexUnavailable:
                raise
            except Exception as exc:  # noqa: BLE001 - chromadb's InternalError and kin
                self.heartbeat()  # unreachable: IndexUnavailable, not damage
                if not _DAMAGED_RE.search(str(exc)):
                    log.info("index generation %s: reading the %s collection back failed (%s)", generation, kind, exc)
                    continue
                log.warning("index generation %s: the %s collection cannot be read back (%s)", generation, kind, exc)
                return False
        return True

    def drop_generation(self, generation: str) -> None:
        for kind in KINDS:
            name = self.collection_name(kind, generation) if generation else f"{self.prefix}_{kind}"
            try:
                self.client.delete_collection(name)
            except Exception:  # noqa: BLE001 - already gone
                pass
            self._collections.pop(name, None)
        if generation:
            self._delete_state(f"layers:{generation}")
        self._layers.pop(generation, None)
        self._hidden_rows.clear()
        log.info("dropped index generation %s", generation or "(legacy)")

    # --- ingest lease (server mode: several hosts can reach one Chroma) ------
    def acquire_lease(self, ttl: float = 300.0) -> None:
        """Take (or renew) the ingest lease; IngestLocked if another live ingest holds it."""
        me = f"{socket.gethostname()}:{os.getpid()}"
        row = self._state_row("lease")
        now = time.time()
        if row and row.get("owner") != me and float(row.get("expires", 0)) > now:
            if not lease_holder_gone(str(row.get("owner", ""))):
                until = time.strftime("%H:%M:%S", time.localtime(float(row["expires"])))
                raise IngestLocked(
                    f"Another ingest ({row.get('owner')}) is writing the index at {self.location}; "
                    f"wait for it to finish (its lease expires at {until} if it died)."
                )
        self._put_state("lease", {"owner": me, "expires": now + ttl})

    def release_lease(self) -> None:
        row = self._state_row("lease")
        if row and row.get("owner") == f"{socket.gethostname()}:{os.getpid()}":
            self._delete_state("lease")

    # --- collections --------------------------------------------------------
    def _exists(self, name: str) -> bool:
        try:
            self.client.get_collection(name)
            return True
        except IndexUnavailable:
            raise
        except Exception:  # noqa: BLE001 - NotFoundError, ValueError depending on client
            return False

    def _get_collection(self, name: str, create: bool, space: str = "cosine"):
        if name not in self._collections:
            try:
                if create:
                    # ef_search is fixed when a collection is made (each ingest that changes
                    # anything makes a new generation's collections, so a new value applies there)
                    hnsw = {"space": space, "ef_search": self.ef_search}
                    col = self.client.get_or_create_collection(name, configuration={"hnsw": hnsw})
                else:
                    col = self.client.get_collection(name)
            except IndexUnavailable:
                raise
            except Exception as exc:
                if not create and "does not exist" in str(exc).lower():
                    raise IndexMissing(f"collection {name} does not exist") from exc
                raise self._unavailable(exc) from exc
            self._collections[name] = col
        return self._collections[name]

    def collection(self, kind: str, create: bool = True, generation: str | None = None):
        if generation is None and self.generation is None:
            raise IndexMissing("the index is empty")
        return self._get_collection(self.collection_name(kind, generation), create)

    def vector_store(self, kind: str, create: bool = True, generation: str | None = None):
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self.collection(kind, create, generation))

    def add_nodes(self, kind: str, nodes: list, generation: str | None = None) -> None:
        """Write llama-index nodes (with their embeddings) through ChromaVectorStore, at most the
        client's max batch size a call: ChromaVectorStore.add splits at 41,665 rows, an embedded
        Chroma takes 5,461 at most (a batch of long articles has more sentences than that)."""
        store = self.vector_store(kind, generation=generation)
        with self._calling():
            step = max(1, self.client.get_max_batch_size())
            for i in range(0, len(nodes), step):
                store.add(nodes[i : i + step])

    # --- index-wide state -------------------------------------------------
    def fingerprint(self) -> str | None:
        row = self.pointer()
        return row.get("fingerprint") if row else None

    def reset(self) -> None:
        """Drop every citebot collection and the pointer (tests, disaster recovery)."""
        for gen in self.generations():
            self.drop_generation(gen)
        for key in ("current", "building", "lease"):
            self._delete_state(key)
        self.use(None)

    def article_records(self, generation: str | None = None, sources: list[str] | None = None) -> dict[str, dict]:
        """source -> metadata (+ "text") of every stored article (or of these `sources`)."""
        if generation is None and self.generation is None:
            return {}
        include = ["metadatas", "documents"]
        # in pages: one get of every row fails past ~32k articles ("too many SQL variables")
        got = self.pages("articles", include, generation=generation) if sources is None else self.rows_of("articles", sources, include, generation)
        return {i: {**(m or {}), "text": d} for page in got for i, m, d in zip(page["ids"], page["metadatas"], page["documents"])}

    def article_hashes(self, generation: str | None = None, own: bool = False) -> dict[str, str]:
        """source -> content hash of every article of the generation (`own`: of those in its own
        collections only, without a delta's base)."""
        if generation is None and self.generation is None:
            return {}
        out: dict[str, str] = {}
        for got in self.pages("articles", ["metadatas"], generation=generation, own=own):
            out.update({i: (m or {}).get("content_hash", "") for i, m in zip(got["ids"], got["metadatas"])})
        return out

    def delete_article(self, source: str, generation: str | None = None) -> None:
        with self._calling():
            for kind in ("chunks", "sentences"):
                self.collection(kind, generation=generation).delete(where={"source": source})
            self.collection("articles", generation=generation).delete(ids=[source])

    def delete_sources(self, sources: list[str], generation: str | None = None) -> None:
        with self._calling():
            for kind in ("chunks", "sentences"):
                self.collection(kind, generation=generation).delete(where={"source": {"$in": list(sources)}})
            self.collection("articles", generation=generation).delete(ids=list(sources))

    def put_article(self, article, title_embedding, generation: str | None = None) -> None:
        self.put_articles([article], [title_embedding], generation)

    def put_articles(self, articles, title_embeddings, generation: str | None = None) -> None:
        """Article rows (text, metadata, title vector), after the article's other rows: the row marks
        an article complete."""
        if not articles:
            return
        metas = [
            {
                "title": a.title,
                "date": a.date or "",
                "url": a.url or "",
                "publisher": a.publisher or "",
                "author": a.author or "",
                "content_hash": a.content_hash,
            }
            for a in articles
        ]
        self._add(self.collection("articles", generation=generation), {
            "ids": [a.source for a in articles],
            "embeddings": [list(map(float, v)) for v in title_embeddings],
            "documents": [a.text for a in articles],
            "metadatas": metas,
        })

    def copy_articles(self, sources: list[str], source_gen: str, target_gen: str) -> int:
        """Copy the rows of `sources` (vectors included) from one generation (every layer of it)
        to another's own collections. The article rows go last, as in a fresh ingest. Returns the
        chunks copied."""
        copied = 0
        for kind in ("chunks", "sentences", "articles"):
            target = self.collection(kind, generation=target_gen)
            for got in self.rows_of(kind, sources, ["embeddings", "documents", "metadatas"], source_gen):
                self._add(target, got)
                if kind == "chunks":
                    copied += len(got["ids"])
        return copied

    def rows_of(self, kind: str, sources: list[str], include: list[str], generation: str | None = None, batch: int = 256):
        """The rows of `kind` of these articles in the generation (from whichever layer shows
        them), a get() result at a time."""
        for layer in self.layers(generation):
            mine = [s for s in sources if s not in layer.hidden]
            if not mine:
                continue
            col = self.collection(kind, create=False, generation=layer.generation)
            for i in range(0, len(mine), batch):
                with self._calling():
                    got = _get_articles(col, kind, mine[i : i + batch], include)
                if layer.hidden:
                    got = _only(got, [layer.shows(kind, row_id) for row_id in got["ids"]], include)
                if got["ids"]:
                    yield got

    def _add(self, col, got: dict) -> None:
        if not got["ids"]:
            return
        with self._calling():
            step = max(1, self.client.get_max_batch_size())
            for i in range(0, len(got["ids"]), step):
                col.upsert(
                    ids=got["ids"][i : i + step],
                    embeddings=got["embeddings"][i : i + step],
                    documents=got["documents"][i : i + step],
                    metadatas=got["metadatas"][i : i + step],
                )

    def count(self, kind: str, generation: str | None = None) -> int:
        """Rows of `kind` in the generation (every layer)."""
        total = 0
        for layer in self.layers(generation):
            col = self.collection(kind, create=False, generation=layer.generation)
            with self._calling():
                total += col.count()
            if layer.hidden:
                total -= self._hidden_count(kind, layer)
        return total

    def all_rows(self, kind: str, include: list[str], batch: int = 5000, generation: str | None = None) -> dict[str, list]:
        """Every row of a collection, fetched in pages (bounded memory per call)."""
        out: dict[str, list] = {"ids": [], **{k: [] for k in include}}
        for got in self.pages(kind, include, batch, generation):
            out["ids"].extend(got["ids"])
            for k in include:
                vals = got[k]
                out[k].extend(list(vals) if vals is not None else [None] * len(got["ids"]))
        return out

    def pages(self, kind: str, include: list[str], batch: int = 5000, generation: str | None = None, own: bool = False):
        """The rows of `kind` in the generation, a page (Chroma's get result) at a time: every
        layer's (a delta's base first, less what it hides), or with `own` its own collection's."""
        layers = self.layers(generation)
        for layer in layers[-1:] if own else layers:
            col = self.collection(kind, create=False, generation=layer.generation)
            offset = 0
            while True:
                with self._calling():
                    got = col.get(include=include, limit=batch, offset=offset)
                if not got["ids"]:
                    break
                offset += len(got["ids"])
                if layer.hidden:
                    got = _only(got, [layer.shows(kind, i) for i in got["ids"]], include)
                    if not got["ids"]:
                        continue
                yield got


def lease_holder_gone(owner: str) -> bool:
    """True when the ingest lease's holder ("host:pid") ran on this host and its process is gone:
    it died without releasing the lease, which need not be waited out (another host's cannot be
    told until the lease expires)."""
    host, _, pid = owner.rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def encode_meta(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
