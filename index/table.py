"""The serving table: every sentence (offsets, paragraph, entities, lemmas), its vector,
every chunk's vector (read only by one-question processes: index.retrieve),
every chunk's offsets and every article row (metadata and text), for one index generation,
as plain files under DATA_DIR/table/<generation>.

Chroma stays the truth; this is a cache of what a serving process needs at start, in a form
that loads in a fraction of a second: reading the sentence rows (vectors and metadata) back
out of Chroma took most of a serving process's start-up and left Chroma's copy of the
sentence collection resident in the process (≈ 30 KB per sentence). The vectors are a
float32 .npy read into memory whole (not memory-mapped: a matrix-vector product over a
memory-mapped file measured 5–25x slower than over the same matrix in anonymous memory) —
unless the table is large: then the library never scans it (the sentence collection's HNSW
index in Chroma finds the closest sentences) and reads only the rows a question scores, from
the file mapped into memory (`load(..., mmap=True)`), so a serving process does not hold
every vector (≈ 660 MB at 100k chunks). neighbours.npy holds each sentence's dot products with
itself and the next two (what the answerer needs for a span read with its neighbours),
computed once when the table is written.

Ingest writes the table of a generation before publishing it. A reader whose generation has
no table (or a table of another stamp: another host ingested through a shared Chroma server,
the files were lost) builds it from Chroma and saves it for the next start. Tables of
generations no longer in Chroma are removed by ingest.

A damaged table is one that is not there: load() returns None (one warning naming the file)
whatever fails in reading its files, and the reader builds it again. What reading cannot see —
bytes garbled in place, the file's size unchanged — the checksums in meta.json (crc32 of every
file, written by save) find when the caller asks (`load(..., verify=True)`: ingest; ≈ 0.4 s
for the ≈ 1 GB of a table of 100k chunks), and an article's own crc32 (text_checksums.npy)
finds when its text is read: the mapped texts are never read whole at a serving process's
start. A text found damaged in use raises IndexFileDamaged and sets the table aside, so the
next start builds it again.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.atomic import swap_in
from index.embedding import DIMENSIONS

log = logging.getLogger(__name__)

FORMAT = 3  # 2: entities and lemmas packed (PackedStrings) instead of JSON lists of strings;
# 3: article texts in texts.bin, articles.json without them (a reader of format 2 would not find
# the texts: it rebuilds the table instead). Format 2 tables are still read (and rewritten).
READABLE = (2, 3)

_PAIR, _ITEM = "\x1f", "\x1e"


class IndexFileDamaged(RuntimeError):
    """A file of this DATA_DIR's serving table or BM25 index found damaged while in use (after it
    loaded): an article text whose bytes are not those written, BM25 postings pointing nowhere.
    `path` is the file; the message says to run `citebot ingest`, which makes it again."""

    def __init__(self, path: Path | str, detail: str = "") -> None:
        self.path = Path(path)
        super().__init__(f"the index file {self.path} is damaged{f' ({detail})' if detail else ''}: "
                         "run `citebot ingest` to repair it")


def file_checksum(path: Path | str, block: int = 1 << 20) -> int:
    """crc32 of a file, read a block at a time into one buffer (not mapped: the pages read do not
    count in the process's memory): ≈ 0.05 s for 160 MB in the page cache."""
    buf = bytearray(block)
    view, crc = memoryview(buf), 0
    with open(path, "rb", buffering=0) as fh:
        while got := fh.readinto(buf):
            crc = zlib.crc32(view[:got], crc)
    return crc


def pack_entities(meta: str) -> str:
    """The entities of a sentence as stored in Chroma (JSON [[label, text], ...]) in the table's
    form: "label\x1ftext\x1elabel\x1ftext" ("" for none), which decodes five times faster than
    JSON (a pass over every sentence decodes them all). JSON is kept in the rare case a text
    holds one of the two separators."""
    pairs = json.loads(meta)
    if not pairs:
        return ""
    if any(_PAIR in t or _ITEM in t or _PAIR in lb or _ITEM in lb for lb, t in pairs):
        return meta
    return _ITEM.join(f"{lb}{_PAIR}{t}" for lb, t in pairs)


def unpack_entities(packed: str, intern=sys.intern) -> tuple[tuple[str, str], ...]:
    """pack_entities undone: ((label, text), ...) with the labels interned."""
    if not packed:
        return ()
    if packed[0] == "[":
        return tuple((intern(lb), t) for lb, t in json.loads(packed))
    out = []
    for item in packed.split(_ITEM):
        lb, _, t = item.partition(_PAIR)
        out.append((intern(lb), t))
    return tuple(out)


class PackedStrings(Sequence):
    """A read-only list of strings kept as one UTF-8 buffer and an offset per string: about
    one byte per character plus eight per string, where a list of str objects costs some 60
    bytes per string on top (≈ 90 MB for the entities and lemmas of 100k chunks' sentences)."""

    __slots__ = ("data", "offsets")

    def __init__(self, data: bytes, offsets: array) -> None:
        self.data, self.offsets = data, offsets

    @classmethod
    def pack(cls, strings: Iterable[str]) -> "PackedStrings":
        offsets, parts, at = array("q", [0]), [], 0
        for text in strings:
            b = text.encode("utf-8")
            parts.append(b)
            at += len(b)
            offsets.append(at)
        return cls(b"".join(parts), offsets)

    @classmethod
    def from_arrays(cls, data: np.ndarray, offsets: np.ndarray) -> "PackedStrings":
        return cls(data.tobytes(), array("q", np.asarray(offsets, dtype=np.int64).tobytes()))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.frombuffer(self.data, dtype=np.uint8), np.frombuffer(self.offsets, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._text(i, self.data[self.offsets[i] : self.offsets[i + 1]])

    def _text(self, i: int, raw) -> str:
        """String i from its bytes."""
        return raw.decode("utf-8")

    def __iter__(self):
        data, off = self.data, self.offsets
        for k in range(len(off) - 1):
            yield data[off[k] : off[k + 1]].decode("utf-8")

    def __eq__(self, other) -> bool:
        if isinstance(other, PackedStrings):
            return self.data == other.data and self.offsets == other.offsets
        return isinstance(other, Sequence) and not isinstance(other, str) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PackedStrings({len(self)} strings, {len(self.data)} bytes)"


class CheckedTexts(PackedStrings):
    """The article texts of a loaded table (texts.bin, mapped): each text checked when it is
    decoded — its crc32 against text_checksums.npy (tables written without it: only that it is
    UTF-8), ≈ 3 µs for 16 KB, less than decoding it costs (≈ 5 µs). A damaged text raises
    IndexFileDamaged and sets the table aside (its meta.json renamed), so that the next process
    to load it builds it again instead of failing the same way."""

    __slots__ = ("checksums", "folder", "meta_id")

    def __init__(self, data, offsets: array, checksums: np.ndarray | None, folder: Path, meta_id: tuple | None = None) -> None:
        super().__init__(data, offsets)
        self.checksums, self.folder, self.meta_id = checksums, Path(folder), meta_id

    def _text(self, i: int, raw) -> str:
        if self.checksums is not None and zlib.crc32(raw) != int(self.checksums[i]):
            self._damaged(i, "checksum mismatch")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self._damaged(i, f"not UTF-8: {exc.reason} at byte {self.offsets[i] + exc.start}")

    def __iter__(self):
        for k in range(len(self)):
            yield self[k]

    def _damaged(self, k: int, why: str):
        path = self.folder / "texts.bin"
        set_aside(self.folder, self.meta_id)
        log.warning("the article text %d in %s is damaged (%s): the index table is set aside and made again "
                    "at the next start or `citebot ingest`", k, path, why)
        raise IndexFileDamaged(path, f"article {k}: {why}")


def set_aside(folder: Path, meta_id: tuple | None = None, meta_name: str = "meta.json") -> bool:
    """Make the table (or, with meta_name="citebot.json", the BM25 index) in `folder` one that
    load() does not find (its metadata file renamed to damaged-<name>), so the next reader builds
    it again; only if that file is still the one `meta_id` (st_dev, st_ino) names, when given: not
    one another process has saved there since. Best effort (a read-only DATA_DIR: False)."""
    meta = Path(folder) / meta_name
    try:
        if meta_id is not None:
            st = os.stat(meta)
            if (st.st_dev, st.st_ino) != meta_id:
                return False
        os.replace(meta, Path(folder) / f"damaged-{meta_name}")
        return True
    except OSError:
        return False


@dataclass
class Table:
    stamp: str
    sources: list[str]  # source names; the int columns below index into this
    # sentences, ordered by (source, position)
    s_source: np.ndarray  # int32
    s_position: np.ndarray
    s_start: np.ndarray
    s_end: np.ndarray
    s_paragraph: np.ndarray
    s_entities: Sequence[str]  # pack_entities() of Chroma's JSON metadata (PackedStrings)
    s_lemmas: Sequence[str]  # space-separated (PackedStrings)
    vectors: np.ndarray  # float32 (n_sentences, 384)
    # chunks, ordered by (source, position)
    c_ids: list[str]
    c_source: np.ndarray
    c_position: np.ndarray
    c_start: np.ndarray
    c_end: np.ndarray
    # source -> the article row's metadata and "text" (ChromaStore.article_records); None in a
    # table made without them. A loaded table keeps the texts apart (article_texts) and its
    # metadata rows have no "text"
    articles: dict[str, dict] | None = None
    # neighbour_dots(vectors): float32 (3, n_sentences); computed from the vectors when None
    neighbours: np.ndarray | None = None
    # the article texts in sorted(articles) order, kept in texts.bin (UTF-8) and read from it
    # mapped into memory: an article's text is decoded when asked for (≈ 16 MB at 10k chunks,
    # 160 MB at 100k, otherwise in every serving process)
    article_texts: "PackedStrings | None" = None
    # float32 (n_chunks, 384) in c_ids order, read mapped from chunk_vectors.npy; None in a table
    # written without them. Only a one-question process reads them (index.retrieve.Library.search):
    # an exact scan for the closest chunks costs it less than loading the chunk collection's HNSW
    # index for one query
    chunk_vectors: np.ndarray | None = None

    def article_text(self, source: str) -> str:
        row = self.articles[source]
        return row["text"] if "text" in row else self.article_texts[row["_row"]]

    def by_source(self) -> dict[str, range]:
        """Each article's rows of sentences (they are ordered by source, then position)."""
        out: dict[str, range] = {}
        if len(self):
            cuts = np.flatnonzero(np.diff(self.s_source)) + 1
            for lo, hi in zip(np.concatenate(([0], cuts)).tolist(), np.concatenate((cuts, [len(self)])).tolist()):
                out[self.sources[int(self.s_source[lo])]] = range(lo, hi)
        return out

    def neighbour_dots(self) -> np.ndarray:
        if self.neighbours is None:
            self.neighbours = np.stack(neighbour_dots(self.vectors))
        return self.neighbours

    def __len__(self) -> int:
        return len(self.s_source)


def neighbour_dots(v: np.ndarray, block: int = 50_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row j: v_j·v_j, v_j·v_j+1, v_j·v_j+2 (0 past the end), `block` rows at a time."""
    n = len(v)
    self_dot, next_dot, skip_dot = (np.zeros(n, np.float32) for _ in range(3))
    for start in range(0, n, block):
        stop = min(n, start + block + 2)  # two rows of overlap: the pairs across the boundary
        part = np.asarray(v[start:stop], dtype=np.float32)
        k = min(block, n - start)
        self_dot[start : start + k] = np.einsum("ij,ij->i", part[:k], part[:k])
        nd = np.einsum("ij,ij->i", part[:-1], part[1:])
        sd = np.einsum("ij,ij->i", part[:-2], part[2:]) if len(part) > 2 else np.zeros(0, np.float32)
        next_dot[start : start + min(k, len(nd))] = nd[:k]
        skip_dot[start : start + min(k, len(sd))] = sd[:k]
    return self_dot, next_dot, skip_dot


def key(stamp: str, fingerprint: str | None) -> str:
    """What a table must match to be used: the generation's stamp (generation name + article
    hashes) and its settings fingerprint (a generation name can recur after a reset)."""
    return f"{stamp}|{fingerprint or ''}"


def folder_for(data_dir: Path, generation: str) -> Path:
    return Path(data_dir) / "table" / (generation or "legacy")


def from_chroma(store, stamp: str, page: int = 5000, sources: list[str] | None = None) -> Table:
    """Read the table of `store`'s generation out of Chroma, a page at a time: each page's vectors
    go straight into one float32 array and its metadata into compact columns. (All the rows'
    metadata dicts and vectors as lists first took 4.6 GB at 433k sentences.) `sources`: the
    table of these articles only."""
    names: dict[str, int] = {}  # source -> its number, in the order first met

    def read(kind: str, include: list[str], fields: tuple[str, ...], each=None):
        size = store.count(kind) if sources is None else 0
        vectors = np.zeros((size, DIMENSIONS), np.float32) if "embeddings" in include else None
        ids, source, columns, n = [], array("i"), {f: array("i") for f in fields}, 0
        for got in store.pages(kind, include, page) if sources is None else store.rows_of(kind, sources, include):
            if vectors is not None:
                if n + len(got["ids"]) > len(vectors):  # rows added since the count: room for them
                    vectors = np.concatenate([vectors, np.zeros((n + len(got["ids"]) - len(vectors), DIMENSIONS), np.float32)])
                vectors[n : n + len(got["ids"])] = np.asarray(got["embeddings"], dtype=np.float32).reshape(-1, DIMENSIONS)
            for m in got["metadatas"]:
                source.append(names.setdefault(m["source"], len(names)))
                for f in fields:
                    columns[f].append(m[f])
                if each is not None:
                    each(m)
            ids.extend(got["ids"])
            n += len(got["ids"])
        return ids, source, columns, None if vectors is None else vectors[:n]

    entities, lemmas = [], []

    def strings(m: dict) -> None:
        entities.append(pack_entities(m["entities"]))
        lemmas.append(m["lemmas"])

    _, s_src, s_cols, vectors = read("sentences", ["metadatas", "embeddings"], ("position", "start", "end", "paragraph"), strings)
    # the chunk vectors are for one-question processes on an embedded index (index.retrieve):
    # through a Chroma server they are not read back (≈ 160 MB at 100k chunks, never used)
    c_ids, c_src, c_cols, chunk_vectors = read("chunks", ["metadatas"] if store.host else ["metadatas", "embeddings"], ("position", "start", "end"))
    found = sorted(names)
    renumber = np.empty(len(names), np.int32)  # first-met number -> place in `found`
    for k, name in enumerate(found):
        renumber[names[name]] = k

    def ints(values: array) -> np.ndarray:
        return np.frombuffer(values, dtype=np.intc).astype(np.int32)

    s_source = renumber[ints(s_src)]
    s_position = ints(s_cols["position"])
    order = np.lexsort((s_position, s_source))  # sentences by (source, position)
    return Table(
        stamp, found,
        s_source[order], s_position[order], ints(s_cols["start"])[order], ints(s_cols["end"])[order],
        ints(s_cols["paragraph"])[order], PackedStrings.pack(entities[i] for i in order.tolist()),
        PackedStrings.pack(lemmas[i] for i in order.tolist()), _permuted(vectors, order),
        articles=store.article_records(sources=sources),
        **_chunks_in_order(c_ids, renumber[ints(c_src)], ints(c_cols["position"]), ints(c_cols["start"]), ints(c_cols["end"]), chunk_vectors),
    )


def _chunks_in_order(c_ids: list[str], c_source: np.ndarray, c_position: np.ndarray, c_start: np.ndarray, c_end: np.ndarray,
                     chunk_vectors: np.ndarray | None) -> dict:
    """The chunk columns ordered by (source, position), whatever order Chroma gave the rows in
    (the order they were written in: a delta's base rows first, a resumed ingest's in batches),
    so the table — and the BM25 index built from it, whose ties go to the earlier chunk — is the
    same for the same corpus however the index was written. A complete ingest writes them in
    this order already: nothing moves then."""
    order = np.lexsort((c_position, c_source))
    if not (order == np.arange(len(order))).all():
        c_ids, c_source, c_position = [c_ids[i] for i in order.tolist()], c_source[order], c_position[order]
        c_start, c_end = c_start[order], c_end[order]
        chunk_vectors = None if chunk_vectors is None else _permuted(chunk_vectors, order)
    return dict(c_ids=c_ids, c_source=c_source, c_position=c_position, c_start=c_start, c_end=c_end, chunk_vectors=chunk_vectors)


def chunk_texts(t: Table) -> list[str]:
    """The text of every chunk of the table, in c_ids order: its article's text between its
    offsets (verified against the text at ingest, index.chunking.split_chunks), each article's
    text decoded once."""
    out: list[str] = [""] * len(t.c_ids)
    if not len(t.c_ids):
        return out
    order = np.argsort(t.c_source, kind="stable")
    text, at = "", -1
    for k in order.tolist():
        if t.c_source[k] != at:
            at = int(t.c_source[k])
            text = t.article_text(t.sources[at])
        out[k] = text[int(t.c_start[k]) : int(t.c_end[k])]
    return out


def updated(old: Table, store, stamp: str, hashes: dict[str, str] | None = None, block: int = 50_000) -> Table:
    """The table of `store`'s generation made from `old`, another generation's table: the rows of
    the articles whose content is the same in both are taken from it, the rest read from Chroma
    (from_chroma). Reading every row back took 80-100 s at 40,000 articles; after a small change
    this reads the changed articles' rows only. The same table as from_chroma's. `hashes`:
    store.article_hashes(), when the caller has them."""
    hashes = store.article_hashes() if hashes is None else hashes
    before = {s: (m or {}).get("content_hash") for s, m in (old.articles or {}).items()}
    keep = {s for s, h in hashes.items() if before.get(s) == h}
    try:  # first: a damaged text of `old` (IndexFileDamaged) is found before anything is read from Chroma
        kept_texts = {s: old.article_text(s) for s in keep}
    except IndexFileDamaged:  # said (CheckedTexts): the whole table from Chroma, as without `old`
        return from_chroma(store, stamp)
    part = from_chroma(store, stamp, sources=sorted(set(hashes) - keep))
    sources = sorted(keep | set(part.sources))
    number = {s: k for k, s in enumerate(sources)}
    old_to_new = np.array([number[s] if s in keep else -1 for s in old.sources] or [-1], np.int32)
    part_to_new = np.array([number[s] for s in part.sources] or [-1], np.int32)
    s_keep = np.flatnonzero(old_to_new[old.s_source] >= 0) if len(old.s_source) else np.zeros(0, np.int64)
    c_keep = np.flatnonzero(old_to_new[old.c_source] >= 0) if len(old.c_source) else np.zeros(0, np.int64)

    s_source = np.concatenate([old_to_new[old.s_source[s_keep]], part_to_new[part.s_source]]).astype(np.int32)
    s_position = np.concatenate([old.s_position[s_keep], part.s_position]).astype(np.int32)
    order = np.lexsort((s_position, s_source))  # sentences by (source, position)

    def column(a: np.ndarray, b: np.ndarray, rows: np.ndarray, reorder: bool = True) -> np.ndarray:
        out = np.concatenate([np.asarray(a)[rows], b]).astype(np.int32)
        return out[order] if reorder else out

    def rows(a: np.ndarray, b: np.ndarray, taken: np.ndarray) -> np.ndarray:
        """a[taken] then b in one new float32 array, copied a block at a time (`a` may be mapped
        from a file)."""
        out = np.empty((len(taken) + len(b), DIMENSIONS), np.float32)
        for i in range(0, len(taken), block):
            part = taken[i : i + block]
            out[i : i + len(part)] = a[part]
        out[len(taken):] = b
        return out

    entities = [old.s_entities[i] for i in s_keep.tolist()] + list(part.s_entities)
    lemmas = [old.s_lemmas[i] for i in s_keep.tolist()] + list(part.s_lemmas)
    articles = {s: {**{k: v for k, v in old.articles[s].items() if k != "_row"}, "text": kept_texts[s]} for s in keep}
    articles.update(part.articles or {})
    chunk_vectors = None
    if old.chunk_vectors is not None and part.chunk_vectors is not None:
        chunk_vectors = rows(old.chunk_vectors, part.chunk_vectors, c_keep)
    return Table(
        stamp, sources,
        s_source[order], s_position[order], column(old.s_start, part.s_start, s_keep), column(old.s_end, part.s_end, s_keep),
        column(old.s_paragraph, part.s_paragraph, s_keep),
        PackedStrings.pack(entities[i] for i in order.tolist()), PackedStrings.pack(lemmas[i] for i in order.tolist()),
        _permuted(rows(old.vectors, part.vectors, s_keep), order),
        articles=articles,
        **_chunks_in_order(
            [old.c_ids[i] for i in c_keep.tolist()] + list(part.c_ids),
            np.concatenate([old_to_new[old.c_source[c_keep]], part_to_new[part.c_source]]).astype(np.int32),
            column(old.c_position, part.c_position, c_keep, False), column(old.c_start, part.c_start, c_keep, False),
            column(old.c_end, part.c_end, c_keep, False), chunk_vectors,
        ),
    )


def _permuted(rows: np.ndarray, order: np.ndarray) -> np.ndarray:
    """rows[order], made in place (following the permutation's cycles, one row aside at a time)
    instead of as a copy: 665 MB less at 433k sentences, for about a second."""
    done = order == np.arange(len(order))
    for start in np.flatnonzero(~done).tolist():
        if done[start]:
            continue
        aside, j = rows[start].copy(), start
        while True:
            done[j] = True
            k = int(order[j])
            if k == start:
                rows[j] = aside
                break
            rows[j] = rows[k]
            j = k
    return rows


def save(table: Table, folder: Path) -> None:
    """Write to a private temp dir, then rename it into place (readers never see half a table).
    meta.json, written last, holds the crc32 of every other file (what load(verify=True) checks)
    and text_checksums.npy each article text's (what a text is checked against when decoded)."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    np.save(tmp / "vectors.npy", np.ascontiguousarray(table.vectors, dtype=np.float32))
    np.save(tmp / "neighbours.npy", table.neighbour_dots())
    if table.chunk_vectors is not None:
        np.save(tmp / "chunk_vectors.npy", np.ascontiguousarray(table.chunk_vectors, dtype=np.float32))
    entities, lemmas = (v if isinstance(v, PackedStrings) else PackedStrings.pack(v) for v in (table.s_entities, table.s_lemmas))
    e_data, e_off = entities.arrays()
    l_data, l_off = lemmas.arrays()
    np.savez(
        tmp / "columns.npz",
        s_source=table.s_source, s_position=table.s_position, s_start=table.s_start, s_end=table.s_end,
        s_paragraph=table.s_paragraph, c_source=table.c_source, c_position=table.c_position, c_start=table.c_start,
        c_end=table.c_end, e_data=e_data, e_offsets=e_off, l_data=l_data, l_offsets=l_off,
    )
    (tmp / "strings.json").write_text(
        json.dumps({"sources": table.sources, "chunks": table.c_ids}, ensure_ascii=False), encoding="utf-8"
    )
    articles = table.articles or {}
    names = sorted(articles)
    texts = PackedStrings.pack(table.article_text(src) for src in names)
    with open(tmp / "texts.bin", "wb") as fh:
        fh.write(texts.data)
    np.save(tmp / "text_offsets.npy", np.frombuffer(texts.offsets, dtype=np.int64))
    view, off = memoryview(texts.data), texts.offsets
    np.save(tmp / "text_checksums.npy", np.array([zlib.crc32(view[off[k] : off[k + 1]]) for k in range(len(texts))], np.uint32))
    rows = {src: {**{k: v for k, v in articles[src].items() if k not in ("text", "_row")}, "_row": k} for k, src in enumerate(names)}
    (tmp / "articles.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    # read back from the page cache: ≈ 0.35 s a GB (≈ 1 GB of files at 100k chunks)
    checksums = {p.name: file_checksum(p) for p in sorted(tmp.iterdir())}
    # written last: a table without its meta file is ignored
    (tmp / "meta.json").write_text(json.dumps({"format": FORMAT, "stamp": table.stamp, "sentences": len(table), "chunks": len(table.c_ids),
                                               "texts": True, "checksums": checksums}))
    swap_in(tmp, folder, folder.with_name(f".{folder.name}.old-{os.getpid()}"))


class _Reader:
    """Reads the files of a table, remembering which one it is at (what the warning names when
    one of them cannot be read or does not fit the others)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.at = folder, "meta.json"

    def path(self, name: str) -> Path:
        self.at = name
        return self.folder / name

    def json(self, name: str):
        return json.loads(self.path(name).read_text(encoding="utf-8"))

    def npy(self, name: str, mmap: bool = False) -> np.ndarray:
        got = np.load(self.path(name), mmap_mode="r" if mmap else None, allow_pickle=False)
        # a plain ndarray over the mapping: indexing it skips np.memmap's per-call overhead
        return np.asarray(got) if mmap else got

    def check(self, ok: bool, name: str, why: str) -> None:
        if not ok:
            self.at = name
            raise ValueError(why)


def load(folder: Path, stamp: str, mmap: bool = False, verify: bool = False) -> Table | None:
    """The table saved in `folder` if it is complete and of this stamp, else None — None too, with
    one warning naming the file, when any of its files cannot be read or does not fit the others
    (cut short, garbled, of another table): the caller builds the table again.
    mmap: the vectors stay in the file, mapped into memory (read as rows are used).
    verify: every file checked against the crc32 meta.json holds, which finds bytes garbled in
    place (≈ 0.4 s a GB in the page cache, 0.7 s from disk: ingest asks; a serving process
    checks each article text when it decodes it instead, CheckedTexts). A table written without
    checksums: only that texts.bin is UTF-8 (≈ 0.17 s for 160 MB)."""
    folder = Path(folder)
    read = _Reader(folder)
    try:
        return _load(read, stamp, mmap, verify)
    except Exception as exc:  # noqa: BLE001 - whatever is wrong with its files, the table is not there
        if (folder / "meta.json").exists():
            log.warning("ignoring the unreadable index table in %s (%s: %s: %s)", folder, read.at, type(exc).__name__, exc)
        return None


def _load(read: _Reader, stamp: str, mmap: bool, verify: bool) -> Table | None:
    folder = read.folder
    meta = read.json("meta.json")
    st = os.stat(folder / "meta.json")
    meta_id = (st.st_dev, st.st_ino)  # which meta.json CheckedTexts may set aside
    read.check(isinstance(meta, dict), "meta.json", "not a table's meta.json")
    if meta.get("format") not in READABLE or meta.get("stamp") != stamp:
        return None
    if verify:
        _verify(read, meta)
    strings = read.json("strings.json")
    sources, c_ids = strings["sources"], strings["chunks"]
    read.check(isinstance(sources, list) and isinstance(c_ids, list), "strings.json", "not a table's strings.json")
    with np.load(read.path("columns.npz"), allow_pickle=False) as z:  # each array checked against its zip crc32 as read
        cols = {k: z[k] for k in z.files}
    n = len(cols["s_source"])
    entities = _packed(read, cols.pop("e_data"), cols.pop("e_offsets"), n)
    lemmas = _packed(read, cols.pop("l_data"), cols.pop("l_offsets"), n)
    s_cols, c_cols = ("s_source", "s_position", "s_start", "s_end", "s_paragraph"), ("c_source", "c_position", "c_start", "c_end")
    read.check(all(cols[k].shape == (n,) for k in s_cols) and len({cols[k].shape for k in c_cols}) == 1
               and all(cols[k].ndim == 1 for k in c_cols), "columns.npz", "columns of different lengths")
    # columns.npz is checked against its zip crc32s as it is read, strings.json is not: when they
    # do not fit together, strings.json is the likelier one to be damaged
    read.check(cols["c_source"].shape == (len(c_ids),) and _in_range(cols["s_source"], len(sources))
               and _in_range(cols["c_source"], len(sources)), "strings.json",
               f"{len(sources)} sources and {len(c_ids)} chunks: not those of columns.npz")
    vectors = read.npy("vectors.npy", mmap)
    read.check(vectors.shape == (n, DIMENSIONS) and vectors.dtype == np.float32, "vectors.npy", f"{vectors.shape} {vectors.dtype} vectors for {n} sentences")
    articles = read.json("articles.json")
    read.check(isinstance(articles, dict), "articles.json", "not a table's articles.json")
    article_texts = None
    if meta.get("texts"):  # else: texts inside articles.json
        article_texts = _mapped_texts(read, meta_id)
        read.at = "articles.json"
        rows = sorted(m["_row"] for m in articles.values())
        read.check(rows == list(range(len(article_texts))), "articles.json", f"{len(articles)} articles for {len(article_texts)} texts")
    table = Table(
        stamp, sources, cols["s_source"], cols["s_position"], cols["s_start"], cols["s_end"], cols["s_paragraph"],
        entities, lemmas, vectors, c_ids, cols["c_source"], cols["c_position"],
        cols["c_start"], cols["c_end"], articles, article_texts=article_texts, chunk_vectors=_chunk_vectors(folder),
    )
    if table.chunk_vectors is not None and table.chunk_vectors.shape != (len(table.c_ids), DIMENSIONS):
        log.warning("ignoring the chunk vectors of the index table in %s: they do not match its chunks", folder)
        table.chunk_vectors = None
    read.at = "neighbours.npy"
    table.neighbours = _neighbours(folder, len(table))
    return table


def _verify(read: _Reader, meta: dict) -> None:
    """Every file of the table against its crc32 in meta.json (written by save), or, in a table
    written before them, texts.bin decoded as UTF-8 (a block at a time: nothing kept)."""
    sums = meta.get("checksums")
    if sums is None:
        if meta.get("texts"):
            import codecs

            decoder, buf = codecs.getincrementaldecoder("utf-8")(), bytearray(1 << 20)
            with open(read.path("texts.bin"), "rb", buffering=0) as fh:
                while got := fh.readinto(buf):
                    decoder.decode(memoryview(buf)[:got])
            decoder.decode(b"", final=True)
        return
    read.check(isinstance(sums, dict) and all(isinstance(k, str) and Path(k).name == k for k in sums), "meta.json", "bad checksums")
    for name, crc in sums.items():
        read.check(file_checksum(read.path(name)) == crc, name, "checksum mismatch: not the file that was written")


def _packed(read: _Reader, data: np.ndarray, offsets: np.ndarray, n: int) -> PackedStrings:
    read.check(data.dtype == np.uint8 and data.ndim == 1 and offsets.dtype == np.int64 and _offsets_fit(offsets, len(data), n),
               "columns.npz", "packed strings whose offsets do not fit")
    return PackedStrings.from_arrays(data, offsets)


def _offsets_fit(offsets: np.ndarray, size: int, n: int) -> bool:
    """n strings' offsets into `size` bytes: from 0 to size, never going back."""
    return offsets.shape == (n + 1,) and int(offsets[0]) == 0 and int(offsets[-1]) == size and not (np.diff(offsets) < 0).any()


def _in_range(a: np.ndarray, n: int) -> bool:
    return not len(a) or (int(a.min()) >= 0 and int(a.max()) < n)


def _chunk_vectors(folder: Path) -> np.ndarray | None:
    """chunk_vectors.npy mapped into memory (read only by one-question processes), or None when
    the table has none or the file cannot be read: they are an optimisation, the table is whole
    without them (the closest chunks then come from Chroma)."""
    path = folder / "chunk_vectors.npy"
    if not path.exists():
        return None
    try:
        return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))
    except Exception as exc:  # noqa: BLE001 - whatever is wrong with the file: the table without them
        log.warning("ignoring the unreadable chunk vectors of the index table in %s: %s: %s", folder, type(exc).__name__, exc)
        return None


def _mapped_texts(read: _Reader, meta_id: tuple | None = None) -> CheckedTexts:
    """texts.bin mapped into memory (read-only; pages are read as articles are asked for), with
    the texts' checksums when the table has them (text_checksums.npy)."""
    import mmap

    offsets = read.npy("text_offsets.npy")
    read.check(offsets.dtype == np.int64 and offsets.ndim == 1 and len(offsets) > 0 and int(offsets[0]) == 0
               and not (np.diff(offsets) < 0).any(), "text_offsets.npy", "not text offsets")
    checksums = None
    if (read.folder / "text_checksums.npy").exists():
        checksums = read.npy("text_checksums.npy")
        read.check(checksums.dtype == np.uint32 and checksums.shape == (len(offsets) - 1,), "text_checksums.npy",
                   f"{checksums.shape} checksums for {len(offsets) - 1} texts")
    with open(read.path("texts.bin"), "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
    read.check(int(offsets[-1]) == size, "texts.bin", f"{size} bytes where its offsets say {int(offsets[-1])}")
    return CheckedTexts(data, array("q", offsets.tobytes()), checksums, read.folder, meta_id)


def _neighbours(folder: Path, n: int) -> np.ndarray:
    """neighbours.npy of a table, or (a table written before it existed, or the file cannot be
    read) computed from a separate mapping of its vectors — unmapped afterwards, so the pass over
    every vector does not stay resident — and saved beside them for the next start."""
    path = folder / "neighbours.npy"
    try:
        got = np.load(path, allow_pickle=False)
        if got.shape == (3, n) and got.dtype == np.float32:
            return got
    except Exception:  # noqa: BLE001 - made again below
        pass
    mapped = np.load(folder / "vectors.npy", mmap_mode="r")
    got = np.stack(neighbour_dots(mapped))
    del mapped
    try:
        tmp = folder / f".neighbours.{os.getpid()}.npy"
        np.save(tmp, got)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only DATA_DIR only costs the recomputation
    return got


def prune(data_dir: Path, keep: set[str]) -> None:
    """Remove the tables of generations not in `keep`."""
    root = Path(data_dir) / "table"
    if not root.is_dir():
        return
    names = {folder_for(data_dir, g).name for g in keep}
    for child in root.iterdir():
        if child.name not in names:
            shutil.rmtree(child, ignore_errors=True)
