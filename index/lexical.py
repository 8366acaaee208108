"""BM25 over chunk texts with bm25s (sparse index, Snowball stemming), persisted on disk."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


def _stemmer():
    try:
        import Stemmer

        return Stemmer.Stemmer("english").stemWords
    except ImportError:  # PyStemmer is optional: plain tokens still work
        return None


def _bm25s():
    """bm25s, imported with its logger quiet: the package sets it to DEBUG when first imported,
    undoing services.quiet_libraries() if that ran earlier ("DEBUG bm25s: Building index …")."""
    import bm25s

    logging.getLogger("bm25s").setLevel(max(logging.getLogger("bm25s").level, logging.WARNING))
    return bm25s


def tokenize(texts: list[str]) -> list[list[str]]:
    bm25s = _bm25s()

    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)


class LexicalIndex:
    """BM25 over chunks; `ids[i]` is the chunk id of document i."""

    def __init__(self, retriever, ids: list[str], stamp: str):
        self.retriever, self.ids, self.stamp = retriever, ids, stamp

    @classmethod
    def build(cls, ids: list[str], texts: list[str], stamp: str) -> "LexicalIndex":
        bm25s = _bm25s()
        retriever = bm25s.BM25()
        if texts:
            retriever.index(tokenize(texts), show_progress=False)
        return cls(retriever, list(ids), stamp)

    def save(self, directory: Path) -> None:
        """Write to a private temp dir, then swap it in (readers never see half a save;
        two processes saving at once do not trip over each other)."""
        import os
        import shutil

        directory = Path(directory)
        tmp = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.ids:
            self.retriever.save(str(tmp), show_progress=False)
        (tmp / "citebot.json").write_text(json.dumps({"ids": self.ids, "stamp": self.stamp}))
        from index.atomic import swap_in

        swap_in(tmp, directory, directory.with_name(f"{directory.name}.old-{os.getpid()}"))

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex | None":
        bm25s = _bm25s()

        meta_path = Path(directory) / "citebot.json"
        if not meta_path.exists():
            return None
        meta = json.loads(meta_path.read_text())
        # the score matrix stays in its files, mapped (a query reads its tokens' columns only):
        # ≈ 9 MB of a serving process at 10k chunks, ≈ 90 MB at 100k; the same scores
        retriever = bm25s.BM25.load(str(directory), show_progress=False, mmap=True) if meta["ids"] else bm25s.BM25()
        return cls(retriever, meta["ids"], meta["stamp"])

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        if not self.ids:
            return []
        tokens = tokenize([query])
        vocab = self.retriever.vocab_dict
        tokens = [[t for t in tokens[0] if t in vocab]]
        if not tokens[0]:
            return []
        # bm25s's own top-k (`retrieve`) partitions the scores of every chunk, most of them 0:
        # numpy's argpartition on an array of that many ties took ≈ 3.4 ms at 107k chunks against
        # 0.2 ms on distinct values. Only the chunks that score are ranked here, by score and
        # then by position, so chunks of equal score also keep one order (bm25s's was arbitrary).
        k = min(k, len(self.ids))
        if k <= 0:
            return []
        scores = self.retriever.get_scores(tokens[0])
        hits = np.flatnonzero(scores > 0)
        if hits.size > k:
            hits = hits[np.argpartition(-scores[hits], k - 1)[:k]]
            # the k-th score may tie with chunks the partition left out: keep the first of them
            kth = scores[hits].min()
            hits = np.union1d(hits[scores[hits] > kth], np.flatnonzero(scores == kth))
        order = hits[np.lexsort((hits, -scores[hits]))][:k]
        return [(self.ids[int(d)], float(scores[d])) for d in order]
