"""The read side of the index: hybrid retrieval over chunks and the sentence table.

Dense search is a query of the Chroma chunk collection (the one ingest writes through
llama-index's ChromaVectorStore), lexical search bm25s; the two rankings are fused with
reciprocal-rank fusion. Articles and sentences (with their entities and lemmas) are held
in memory, read from the generation's serving table (index.table): the answerer scores sentences, not chunks.

The sentences closest to a question (top_sentences) are found by an exact scan of the sentence
vectors in memory while there are at most `scan_max` of them. A larger index is not scanned:
the sentence collection's HNSW index in Chroma gives the closest k, rescored exactly with their
float32 vectors (the same similarities the answerer computes); those vectors are read from the table file mapped into
memory, so a serving process holds only the rows questions touch, and in server mode the HNSW
index lives in the Chroma server, not in every worker. A process that answers one question and
exits (`citebot ask`) on an embedded index scans the mapped sentence and chunk vectors instead:
for one query that costs less than Chroma loading the HNSW indexes (`one_question`).
"""

from __future__ import annotations

import logging
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import table as table_mod
from index.chunking import Chunk, Sentence
from index.corpus import Article
from index.ingest import lexical_stamp
from index.lexical import LexicalIndex
from index.store import ChromaStore, IndexMissing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused RRF score
    dense_rank: int | None
    lexical_rank: int | None


def rrf(rankings: list[list[str]], k: int = 60) -> list[tuple[str, float]]:
    scores: dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for rank, key in enumerate(ranking):
            scores[key] += 1.0 / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: -kv[1])


_FIELDS = ("source", "position", "start", "end", "text", "paragraph", "entities", "lemmas")


def _sentence(*values) -> Sentence:
    """Sentence(*values) without the frozen dataclass's per-field object.__setattr__ calls
    (half the cost of building one; a full pass over 430k sentences builds every one)."""
    s = object.__new__(Sentence)
    s.__dict__.update(zip(_FIELDS, values))
    return s


class SentenceRows(Sequence):
    """library.sentences: the table's sentence rows as Sentence objects, made on access.

    A list of Sentence objects cost ≈ 1 KB per sentence (text copy, entity and lemma tuples,
    the object itself): ≈ 45 MB at 10k chunks, ≈ 450 MB at 100k. The table keeps the same
    data in numpy columns and packed strings; a Sentence is built from them when indexed
    (≈ 3 µs) and the ones a question touches are kept in a bounded cache."""

    CACHE = 20_000

    def __init__(self, t: table_mod.Table, texts: dict[str, str]) -> None:
        from array import array

        self._t, self._texts, self._n = t, texts, len(t)
        self._cache: dict[int, Sentence] = {}
        # the int columns as arrays: as compact as numpy's, and indexing one gives a Python int
        # in a third of the time (a question builds ~140 rows and looks up ~2,000)
        self._cols = tuple(
            array("i", np.ascontiguousarray(c, dtype=np.int32).tobytes())
            for c in (t.s_source, t.s_position, t.s_start, t.s_end, t.s_paragraph)
        )

    def __len__(self) -> int:
        return self._n

    def _make(self, k: int) -> Sentence:
        t = self._t
        source, position, starts, ends, paragraph = self._cols
        src = t.sources[source[k]]
        start, end = starts[k], ends[k]
        return _sentence(
            src, position[k], start, end, self._texts[src][start:end], paragraph[k],
            table_mod.unpack_entities(t.s_entities[k]),
            tuple(map(sys.intern, t.s_lemmas[k].split())),
        )

    def __getitem__(self, k):
        try:  # the hot path (≈ 2,000 lookups per question): one dict lookup
            return self._cache[k]
        except (KeyError, TypeError):
            pass
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        if k < 0:
            k += self._n
            if k >= 0:
                return self[k]
        if not 0 <= k < self._n:
            raise IndexError(k)
        if len(self._cache) >= self.CACHE:
            self._cache.clear()
        got = self._cache[k] = self._make(k)
        return got

    def lemma_strings(self):
        """Each row's lemmas as one space-separated string, in order (no row is built)."""
        return iter(self._t.s_lemmas)

    def rows_with_lemma(self, lemma: str, limit: int | None = None) -> list[int]:
        """Rows whose lemmas include `lemma`, in order (at most `limit`): a search of the packed
        lemma buffer, without building a row or copying any lemma list."""
        from bisect import bisect_right

        lemmas = self._t.s_lemmas
        if not isinstance(lemmas, table_mod.PackedStrings):
            return [k for k, lm in enumerate(lemmas) if lemma in lm.split()][:limit]
        data, offsets, needle = lemmas.data, lemmas.offsets, lemma.encode("utf-8")
        out: list[int] = []
        if not needle:
            return out
        at = data.find(needle)
        while at >= 0 and (limit is None or len(out) < limit):
            row = bisect_right(offsets, at) - 1
            end = at + len(needle)
            # a whole lemma: a space or the row's edge on both sides
            if (at == offsets[row] or data[at - 1] == 32) and (end == offsets[row + 1] or data[end] == 32):
                if not out or out[-1] != row:
                    out.append(row)
                at = data.find(needle, offsets[row + 1])  # the next row
            else:
                at = data.find(needle, at + 1)
        return out

    def __iter__(self):
        """Every row in order; a full pass (the answerer's vocabulary, the lexicon) builds each
        row once without caching it, reading the columns as lists (faster than per-row numpy
        scalars)."""
        t, texts, unpack = self._t, self._texts, table_mod.unpack_entities
        sources = t.sources
        cols = zip(*self._cols, t.s_entities, t.s_lemmas)
        for src_id, position, start, end, paragraph, ents, lemmas in cols:
            src = sources[src_id]
            yield _sentence(
                src, position, start, end, texts[src][start:end], paragraph,
                unpack(ents) if ents else (),
                tuple(lemmas.split()),
            )


class ChunkRows(Mapping):
    """library.chunks: chunk id -> Chunk, made on access from the table's chunk columns
    (a dict of Chunk objects held a copy of every chunk's text)."""

    def __init__(self, t: table_mod.Table, texts: dict[str, str]) -> None:
        self._t, self._texts = t, texts
        self._row = {cid: k for k, cid in enumerate(t.c_ids)}

    def __len__(self) -> int:
        return len(self._row)

    def __iter__(self):
        return iter(self._t.c_ids)

    def __contains__(self, cid) -> bool:
        return cid in self._row

    def __getitem__(self, cid: str) -> Chunk:
        k = self._row[cid]
        t = self._t
        src = t.sources[t.c_source[k]]
        start, end = int(t.c_start[k]), int(t.c_end[k])
        # chunk offsets are verified against the article text at ingest (split_chunks)
        return Chunk(cid, src, int(t.c_position[k]), start, end, self._texts[src][start:end])


SCAN_MAX = 20_000  # sentences searched exactly in memory; a larger index asks Chroma's HNSW index


def _closest_rows(vectors: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k vectors with the largest dot product with q, largest first: an exact scan."""
    sims = vectors @ q
    k = min(k, len(sims))
    idx = np.argpartition(-sims, k - 1)[:k]
    return idx[np.argsort(-sims[idx])]


class ArticleRows(Mapping):
    """library.articles: source -> Article, made on access from the table's article rows (and
    kept for the last CACHE articles). The texts are not held whole: a table's texts.bin is
    mapped into memory and an article's text decoded when its Article is made."""

    CACHE = 2_000

    def __init__(self, records: dict[str, dict], text_of) -> None:
        self._records, self._text_of = records, text_of
        self._sources = sorted(records)
        self._cache: dict[str, Article] = {}
        self.texts = _ArticleTexts(self)  # source -> text (what SentenceRows and ChunkRows slice)

    def __len__(self) -> int:
        return len(self._sources)

    def __iter__(self):
        return iter(self._sources)

    def __contains__(self, source) -> bool:
        return source in self._records

    def __getitem__(self, source: str) -> Article:
        got = self._cache.get(source)
        if got is None:
            m = self._records[source]
            if len(self._cache) >= self.CACHE:
                self._cache.clear()
            got = self._cache[source] = Article(
                source=source,
                title=m.get("title", ""),
                text=self._text_of(source),
                content_hash=m.get("content_hash", ""),
                date=m.get("date") or None,
                url=m.get("url") or None,
                publisher=m.get("publisher") or None,
                author=m.get("author") or None,
            )
        return got

    def meta(self, source: str) -> dict:
        """The article's metadata row (title, date, url, publisher, author, content_hash), without
        making its Article (no text is decoded)."""
        return self._records[source]


class _ArticleTexts(Mapping):
    def __init__(self, rows: ArticleRows) -> None:
        self._rows = rows

    def __getitem__(self, source: str) -> str:
        return self._rows[source].text

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self):
        return iter(self._rows)


class Library:
    """Everything needed to answer from the index, loaded once per process."""

    def __init__(self, store: ChromaStore, embed, data_dir: Path, dense_k: int = 10, lexical_k: int = 10, rrf_k: int = 60,
                 scan_max: int = SCAN_MAX, one_question: bool = False, previous: "Library | None" = None):
        # one consistent view: the generation current now, even if an ingest publishes another
        pointer = store.pointer()
        if pointer is None:
            raise IndexMissing("the index is empty")
        self.generation: str = str(pointer.get("generation", ""))
        self.store = store.at(self.generation)
        self.embed, self.data_dir = embed, Path(data_dir)
        self.dense_k, self.lexical_k, self.rrf_k = dense_k, lexical_k, rrf_k
        # a process that answers one question and exits (`citebot ask`) with an embedded Chroma
        # scans the sentence vectors where they lie, mapped from the table file, however many
        # there are, and the chunk vectors too when the table has them (_closest_chunks):
        # loading the collections' HNSW indexes would cost it seconds (≈ 3 s for 430k sentences,
        # 0.6 s for 107k chunks) against a fraction of a second for one pass over the mapped
        # rows. With a Chroma server the HNSW indexes are loaded there already: the queries stay.
        self.scan_mapped = one_question and not self.store.host
        self.scan_max = scan_max
        self.fingerprint = pointer.get("fingerprint")
        # a worker switching generations: the table it serves from now is the start of the next one's
        self._load(pointer.get("stamp") or "", getattr(previous, "table", None))

    def _load(self, stamp: str, before: table_mod.Table | None = None) -> None:
        # the article rows come with the serving table (index.table), not out of Chroma: reading
        # them there left ≈ 70 MB of Chroma's caches resident at 10k chunks. An index from before
        # stamps (no stamp in its pointer) needs them first, to compute its stamp.
        t = None
        if stamp:
            t = self._table(stamp, before)
            records = t.articles if t.articles is not None else self.store.article_records()
        else:
            records = self.store.article_records()
        if not records:
            raise IndexMissing("the index is empty")
        texts_of = t.article_text if t is not None and records is t.articles else (lambda src: records[src]["text"])
        self.articles: ArticleRows = ArticleRows(records, texts_of)
        self.stamp = stamp or f"{self.generation}:{lexical_stamp({s: m.get('content_hash', '') for s, m in records.items()})}"

        # the table's columns are kept as they are (numpy arrays, packed strings); Sentence and
        # Chunk objects are made when asked for (SentenceRows, ChunkRows), not one per row at start
        if t is None:
            t = self._table(self.stamp, before)
        texts = self.articles.texts
        self.table = t
        self.sentences = SentenceRows(t, texts)
        # float32, read from the table file: the same values Chroma holds (mapped, not read, for
        # an index too large to scan: see top_sentences)
        self.sentence_vectors = t.vectors
        self.neighbour_dots = t.neighbour_dots()  # (3, n): each sentence's dots with itself and the next two
        self.scans = self.scan_mapped or len(t) <= self.scan_max
        # rows are ordered by (source, position): an article's sentences are one run of rows
        self.by_source: dict[str, range] = t.by_source()
        self._s_start, self._s_end, self._s_position = t.s_start, t.s_end, t.s_position
        # sentence ids in Chroma are "<article content hash>:s<position>"
        self.content_hashes: dict[str, str] = {src: m.get("content_hash", "") for src, m in records.items()}
        self._hash_source = {h: src for src, h in self.content_hashes.items()}
        if not self.scans:
            self.store.open("sentences")  # searched in Chroma (nearest): missing collections fail here
        self.chunks = ChunkRows(t, texts)
        self.chunk_ids, self.chunk_vectors = t.c_ids, t.chunk_vectors
        lexical = LexicalIndex.load(self.data_dir / "bm25")
        if lexical is None or lexical.stamp != self.stamp:
            # another process ingested (shared Chroma server), or the files were lost:
            # the chunks in Chroma are the truth; keep a copy for the next start
            log.info("BM25 index missing or stale; rebuilding it from the chunks of the serving table")
            lexical = LexicalIndex.build(list(self.chunks.keys()), [c.text for c in self.chunks.values()], self.stamp)
            try:
                lexical.save(self.data_dir / "bm25")
            except OSError as exc:  # a read-only DATA_DIR can still serve
                log.warning("could not save the BM25 index in %s: %s", self.data_dir, exc)
        self.lexical = lexical
        # dense search: the chunk collection queried directly (what llama-index's ChromaVectorStore
        # retriever does, without importing llama-index into every serving process), each layer
        # of a delta generation (ChromaStore.nearest)
        self.store.open("chunks")

    def _table(self, stamp: str, before: table_mod.Table | None = None) -> table_mod.Table:
        """This generation's serving table from DATA_DIR, or built (and saved): from `before`, the
        table this process served from, with the changed articles read from Chroma, else all
        from Chroma."""
        folder = table_mod.folder_for(self.data_dir, self.generation)
        key = table_mod.key(stamp, self.fingerprint)
        table = self._load_table(folder, key)
        if table is None:
            if before is not None and before.articles is not None:
                # only the articles that changed are read from Chroma (table.updated)
                log.info("index table missing or stale; making it from generation %s's", before.stamp.split(":", 1)[0])
                table = table_mod.updated(before, self.store, key)
            else:
                log.info("index table missing or stale; reading it from Chroma")
                table = table_mod.from_chroma(self.store, key)
            try:
                table_mod.save(table, folder)
            except OSError as exc:  # a read-only DATA_DIR can still serve
                log.warning("could not save the index table in %s: %s", folder, exc)
            else:
                if len(table) > self.scan_max:  # serve from the file, without the copy read from Chroma
                    table = self._load_table(folder, key) or table
        return table

    def _load_table(self, folder: Path, key: str) -> table_mod.Table | None:
        """The saved table; its vectors mapped from the file when there are too many to scan."""
        table = table_mod.load(folder, key, mmap=True)
        if table is not None and table.articles and table.article_texts is None:
            # written before the texts were kept apart (texts.bin): write it again, once
            try:
                table_mod.save(table, folder)
                table = table_mod.load(folder, key, mmap=True) or table
            except OSError as exc:  # a read-only DATA_DIR serves the texts from memory
                log.warning("could not rewrite the index table in %s: %s", folder, exc)
        if table is not None and len(table) <= self.scan_max and not self.scan_mapped:
            table.vectors = np.array(table.vectors)  # scanned for every question: in memory
        return table

    # ------------------------------------------------------------------
    def search(self, question: str, query_embedding: list[float], top: int = 6) -> list[Hit]:
        dense_ids = self._closest_chunks(query_embedding)
        lexical_ids = [cid for cid, _ in self.lexical.search(question, self.lexical_k)]
        hits = []
        for cid, score in rrf([dense_ids, lexical_ids], self.rrf_k)[:top]:
            chunk = self.chunks.get(cid)
            if chunk is None:
                continue
            hits.append(
                Hit(
                    chunk,
                    score,
                    dense_ids.index(cid) if cid in dense_ids else None,
                    lexical_ids.index(cid) if cid in lexical_ids else None,
                )
            )
        return hits

    def _closest_chunks(self, query_embedding) -> list[str]:
        """Ids of the dense_k chunks closest to the query, closest first: the chunk collection's
        (HNSW) query, or, in a one-question process with the table's chunk vectors, an exact scan
        of them mapped from the file (loading the HNSW index for one query costs more: ≈ 0.6 s at
        100k chunks)."""
        if self.scan_mapped and self.chunk_vectors is not None and len(self.chunk_vectors):
            rows = _closest_rows(self.chunk_vectors, np.asarray(query_embedding, dtype=np.float32), self.dense_k)
            return [self.chunk_ids[int(i)] for i in rows]
        return self.store.nearest("chunks", query_embedding, self.dense_k)

    def sentence_indices(self, source: str, start: int, end: int) -> list[int]:
        """Sentences of `source` overlapping [start, end)."""
        rows = self.by_source.get(source)
        if not rows:
            return []
        lo, hi = rows.start, rows.stop
        hit = (self._s_start[lo:hi] < end) & (self._s_end[lo:hi] > start)
        return (np.flatnonzero(hit) + lo).tolist()

    @property
    def sentence_search_waits(self) -> bool:
        """Does top_sentences wait on something that lets another thread run (Chroma's HNSW query,
        or the scan of vectors mapped from disk, both outside the GIL), so that it is worth running
        beside other work? A small index's scan of vectors in memory is quicker than the hand-off."""
        return not self.scans or self.scan_mapped

    def top_sentences(self, query_embedding, k: int = 10) -> list[int]:
        """Rows of the k sentences closest to the query, closest first: an exact scan of every
        sentence vector, or (more than scan_max sentences) the HNSW index's closest k, rescored
        exactly (the graph search looks at the collection's ef_search candidates, HNSW_EF_SEARCH)."""
        if not len(self.sentences):
            return []
        q = np.asarray(query_embedding, dtype=np.float32)
        if self.scans:
            return [int(i) for i in _closest_rows(self.sentence_vectors, q, k)]
        found = self.store.nearest("sentences", q, min(len(self.sentences), k))
        rows = sorted({r for r in map(self._sentence_row, found) if r is not None})
        if not rows:
            return []
        sims = self.sentence_vectors[rows] @ q
        order = np.argsort(-sims, kind="stable")[:k]
        return [rows[i] for i in order]

    def _sentence_row(self, sentence_id: str) -> int | None:
        """The table row of a sentence id in Chroma ("<content hash>:s<position>")."""
        content_hash, sep, position = sentence_id.rpartition(":s")
        rows = self.by_source.get(self._hash_source.get(content_hash, ""))
        if not sep or rows is None or not position.isdigit():
            return None
        row = rows.start + int(position)
        if row < rows.stop and self._s_position[row] == int(position):
            return row
        at = rows.start + int(np.searchsorted(self._s_position[rows.start : rows.stop], int(position)))
        return at if at < rows.stop and self._s_position[at] == int(position) else None

    def stats(self) -> dict:
        return {
            "articles": len(self.articles), "chunks": len(self.chunks), "sentences": len(self.sentences),
            "generation": self.generation,
        }
