"""The read side of the index: hybrid retrieval over chunks and the sentence table.

Dense search is a query of the Chroma chunk collection (the one ingest writes through
llama-index's ChromaVectorStore), lexical search bm25s; the two rankings are fused with
reciprocal-rank fusion. Articles and sentences (with their entities and lemmas) are held
in memory, read from the generation's serving table (index.table): the answerer scores sentences, not chunks.
"""

from __future__ import annotations

import json
import logging
import sys
from collections import defaultdict
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


class Library:
    """Everything needed to answer from the index, loaded once per process."""

    def __init__(self, store: ChromaStore, embed, data_dir: Path, dense_k: int = 10, lexical_k: int = 10, rrf_k: int = 60):
        # one consistent view: the generation current now, even if an ingest publishes another
        pointer = store.pointer()
        if pointer is None:
            raise IndexMissing("the index is empty")
        self.generation: str = str(pointer.get("generation", ""))
        self.store = store.at(self.generation)
        self.embed, self.data_dir = embed, Path(data_dir)
        self.dense_k, self.lexical_k, self.rrf_k = dense_k, lexical_k, rrf_k
        self.fingerprint = pointer.get("fingerprint")
        self._load(pointer.get("stamp") or "")

    def _load(self, stamp: str) -> None:
        records = self.store.article_records()
        if not records:
            raise IndexMissing("the index is empty")
        self.articles: dict[str, Article] = {
            src: Article(
                source=src,
                title=m.get("title", ""),
                text=m["text"],
                content_hash=m.get("content_hash", ""),
                date=m.get("date") or None,
                url=m.get("url") or None,
                publisher=m.get("publisher") or None,
                author=m.get("author") or None,
            )
            for src, m in sorted(records.items())
        }
        self.stamp = stamp or f"{self.generation}:{lexical_stamp({s: a.content_hash for s, a in self.articles.items()})}"

        # only the vectors are kept: the rest of the table is turned into Sentence / Chunk objects
        t = self._table()
        texts = {src: a.text for src, a in self.articles.items()}
        intern = sys.intern
        self.sentences: list[Sentence] = []
        for k in range(len(t)):
            src = t.sources[t.s_source[k]]
            start, end = int(t.s_start[k]), int(t.s_end[k])
            self.sentences.append(
                Sentence(
                    src, int(t.s_position[k]), start, end, texts[src][start:end], int(t.s_paragraph[k]),
                    tuple((intern(label), text) for label, text in json.loads(t.s_entities[k])),
                    tuple(intern(lm) for lm in t.s_lemmas[k].split()),
                )
            )
        # float32, read from the table file: the same values Chroma holds
        self.sentence_vectors = t.vectors
        self.by_source: dict[str, list[int]] = defaultdict(list)
        for idx, s in enumerate(self.sentences):
            self.by_source[s.source].append(idx)

        self.chunks: dict[str, Chunk] = {}
        for k, cid in enumerate(t.c_ids):
            src = t.sources[t.c_source[k]]
            start, end = int(t.c_start[k]), int(t.c_end[k])
            # chunk offsets are verified against the article text at ingest (split_chunks)
            self.chunks[cid] = Chunk(cid, src, int(t.c_position[k]), start, end, texts[src][start:end])
        lexical = LexicalIndex.load(self.data_dir / "bm25")
        if lexical is None or lexical.stamp != self.stamp:
            # another process ingested (shared Chroma server), or the files were lost:
            # the chunks in Chroma are the truth; keep a copy for the next start
            log.info("BM25 index missing or stale; rebuilding it from the chunks in Chroma")
            lexical = LexicalIndex.build(self.chunks.keys(), [c.text for c in self.chunks.values()], self.stamp)
            try:
                lexical.save(self.data_dir / "bm25")
            except OSError as exc:  # a read-only DATA_DIR can still serve
                log.warning("could not save the BM25 index in %s: %s", self.data_dir, exc)
        self.lexical = lexical
        # dense search: the chunk collection queried directly (what llama-index's ChromaVectorStore
        # retriever does, without importing llama-index into every serving process)
        self._chunk_collection = self.store.collection("chunks", create=False)

    def _table(self) -> table_mod.Table:
        """This generation's serving table from DATA_DIR, or built from Chroma (and saved)."""
        folder = table_mod.folder_for(self.data_dir, self.generation)
        key = table_mod.key(self.stamp, self.fingerprint)
        table = table_mod.load(folder, key)
        if table is None:
            log.info("index table missing or stale; reading it from Chroma")
            table = table_mod.from_chroma(self.store, key)
            try:
                table_mod.save(table, folder)
            except OSError as exc:  # a read-only DATA_DIR can still serve
                log.warning("could not save the index table in %s: %s", folder, exc)
        return table

    # ------------------------------------------------------------------
    def search(self, question: str, query_embedding: list[float], top: int = 6) -> list[Hit]:
        got = self._chunk_collection.query(query_embeddings=[list(query_embedding)], n_results=self.dense_k, include=[])
        dense_ids = list(got["ids"][0]) if got["ids"] else []
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

    def sentence_indices(self, source: str, start: int, end: int) -> list[int]:
        """Sentences of `source` overlapping [start, end)."""
        return [i for i in self.by_source.get(source, []) if self.sentences[i].start < end and self.sentences[i].end > start]

    def top_sentences(self, query_embedding, k: int = 10) -> list[int]:
        if not len(self.sentences):
            return []
        sims = self.sentence_vectors @ np.asarray(query_embedding, dtype=np.float32)
        k = min(k, len(sims))
        idx = np.argpartition(-sims, k - 1)[:k]
        return [int(i) for i in idx[np.argsort(-sims[idx])]]

    def stats(self) -> dict:
        return {
            "articles": len(self.articles), "chunks": len(self.chunks), "sentences": len(self.sentences),
            "generation": self.generation,
        }
