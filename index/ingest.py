"""Incremental ingest: corpus files -> cleaned articles -> chunks + sentences -> Chroma + BM25.

Articles are tracked by content hash (raw bytes + cleaner version): an unchanged
article is not touched, a changed one is replaced, a removed one deleted. If the
chunking or embedding settings change, the stored index no longer matches and
the whole corpus is rebuilt. The article record is written last, so an
interrupted ingest simply redoes that article next time.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from index.chunking import make_splitter, split_chunks, split_sentences
from index.corpus import CLEANER_VERSION, DEFAULT_MAX_BYTES, load_corpus
from index.embedding import MODEL_NAME
from index.lexical import LexicalIndex
from index.store import ChromaStore, encode_meta

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    articles: int = 0  # articles in the index after ingest
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks_embedded: int = 0
    sentences_embedded: int = 0
    chunks_total: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    rebuilt: bool = False
    seconds: float = 0.0


def fingerprint(chunk_size: int, chunk_overlap: int) -> str:
    return f"{MODEL_NAME}|cs{chunk_size}|co{chunk_overlap}|clean{CLEANER_VERSION}|v1"


def lexical_stamp(hashes: dict[str, str]) -> str:
    return hashlib.sha256(repr(sorted(hashes.items())).encode()).hexdigest()[:16]


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
) -> IngestReport:
    t0 = time.perf_counter()
    report = IngestReport()
    loaded = load_corpus(corpus_dir, max_file_bytes)
    report.skipped = loaded.skipped

    fp = fingerprint(chunk_size, chunk_overlap)
    if rebuild or (store.fingerprint() not in (None, fp)):
        if not rebuild:
            log.info("index settings changed (%s -> %s): rebuilding", store.fingerprint(), fp)
        store.reset()
        report.rebuilt = True
    stored = store.article_hashes()
    if not stored:
        store.set_fingerprint(fp)

    current = {a.source: a for a in loaded.articles}
    for source in sorted(set(stored) - set(current)):
        store.delete_article(source)
        report.removed.append(source)
    todo = []
    for a in loaded.articles:
        if stored.get(a.source) == a.content_hash:
            report.unchanged += 1
        else:
            (report.updated if a.source in stored else report.added).append(a.source)
            todo.append(a)

    splitter = make_splitter(chunk_size, chunk_overlap) if todo else None
    done = 0
    for i in range(0, len(todo), batch_articles):
        batch = todo[i : i + batch_articles]
        _ingest_batch(batch, store, embed, splitter, report)
        done += len(batch)
        if progress:
            progress(done, len(todo), batch[-1].source)

    hashes = store.article_hashes()
    report.articles = len(hashes)
    stamp = lexical_stamp(hashes)
    lexical = LexicalIndex.load(Path(data_dir) / "bm25")
    if lexical is None or lexical.stamp != stamp or report.added or report.updated or report.removed:
        lexical = build_lexical(store, stamp)
        lexical.save(Path(data_dir) / "bm25")
    report.chunks_total = len(lexical.ids)
    report.seconds = time.perf_counter() - t0
    return report


def build_lexical(store: ChromaStore, stamp: str) -> LexicalIndex:
    rows = store.all_rows("chunks", ["documents"])
    return LexicalIndex.build(rows["ids"], rows["documents"], stamp)


def _ingest_batch(batch, store: ChromaStore, embed, splitter, report: IngestReport) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from llama_index.core.schema import TextNode

    chunk_nodes = []
    for a in batch:
        for c in split_chunks(a, splitter):
            chunk_nodes.append(
                TextNode(
                    id_=c.id,
                    text=c.text,
                    metadata={"source": a.source, "position": c.position, "start": c.start, "end": c.end},
                    start_char_idx=c.start,
                    end_char_idx=c.end,
                )
            )
    # Chunk (and title) embeddings do not depend on the sentence analysis: compute them
    # in a worker thread (ONNX Runtime releases the GIL) while spaCy splits sentences.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(embed.encode, [n.text for n in chunk_nodes] + [a.title or a.source for a in batch])
        sentences = split_sentences(batch)
        chunk_and_title_vectors = pending.result()
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
                )
            )
    sentence_vectors = embed.encode([n.text for n in sent_nodes])
    for node, vec in zip(chunk_nodes, chunk_and_title_vectors):
        node.embedding = vec.tolist()
    for node, vec in zip(sent_nodes, sentence_vectors):
        node.embedding = vec.tolist()
    for a in batch:  # replace: old chunks/sentences of a changed article go first
        store.delete_article(a.source)
    if chunk_nodes:
        store.vector_store("chunks").add(chunk_nodes)
    if sent_nodes:
        store.vector_store("sentences").add(sent_nodes)
    titles = chunk_and_title_vectors[len(chunk_nodes) :]
    for a, vec in zip(batch, titles):
        store.put_article(a, vec)  # written last: marks the article complete
    report.chunks_embedded += len(chunk_nodes)
    report.sentences_embedded += len(sent_nodes)
