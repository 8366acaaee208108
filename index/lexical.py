"""BM25 over chunk texts with bm25s (sparse index, Snowball stemming), persisted on disk.

A damaged copy on disk is one that is not there: LexicalIndex.load returns None (one warning
naming the file) whatever fails in reading it or when its parts do not fit together, and the
caller builds it again; citebot.json holds the crc32 of bm25s's files, checked when the caller
asks (`load(..., verify=True)`: ingest)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from index.table import IndexFileDamaged, file_checksum, set_aside

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

    def __init__(self, retriever, ids: list[str], stamp: str, directory: Path | None = None, meta_id: tuple | None = None):
        self.retriever, self.ids, self.stamp = retriever, ids, stamp
        # where it was loaded from (what IndexFileDamaged names), and which citebot.json
        self.directory, self._meta_id = directory, meta_id

    @classmethod
    def build(cls, ids: list[str], texts: list[str], stamp: str) -> "LexicalIndex":
        bm25s = _bm25s()
        retriever = bm25s.BM25()
        if texts:
            retriever.index(tokenize(texts), show_progress=False)
        return cls(retriever, list(ids), stamp)

    def save(self, directory: Path) -> None:
        """Write to a private temp dir, then swap it in (readers never see half a save;
        two processes saving at once do not trip over each other). citebot.json, written last,
        holds the crc32 of bm25s's files (load(verify=True))."""
        import os
        import shutil

        directory = Path(directory)
        tmp = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.ids:
            self.retriever.save(str(tmp), show_progress=False)
        checksums = {p.name: file_checksum(p) for p in sorted(tmp.iterdir())}
        (tmp / "citebot.json").write_text(json.dumps({"ids": self.ids, "stamp": self.stamp, "checksums": checksums}))
        from index.atomic import swap_in

        swap_in(tmp, directory, directory.with_name(f"{directory.name}.old-{os.getpid()}"))

    @classmethod
    def load(cls, directory: Path, verify: bool = False) -> "LexicalIndex | None":
        """The index saved in `directory`, or None: none saved there, or (one warning naming the
        file) one of its files cannot be read or does not fit the others — cut short, garbled, of
        another save. The postings stay in their files, mapped: only their small parts (the
        vocabulary, each word's offset) are checked here, not read whole.
        verify: every file checked against its crc32 in citebot.json (≈ 0.05 s per 100 MB), which
        finds bytes garbled in place; a copy saved without checksums is loaded unchecked."""
        directory = Path(directory)
        meta_path = directory / "citebot.json"
        if not meta_path.exists():
            return None
        at: str | None = meta_path.name  # the file being read: what the warning names
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            st = meta_path.stat()
            meta_id = (st.st_dev, st.st_ino)
            ids, stamp = meta["ids"], meta["stamp"]
            if not isinstance(ids, list) or not isinstance(stamp, str) or not all(isinstance(i, str) for i in ids):
                raise ValueError("not citebot's BM25 metadata")
            if verify:
                _verify(directory, meta.get("checksums"))
            if not ids:
                return cls(_bm25s().BM25(), ids, stamp, directory, meta_id)
            at = None  # one of bm25s's files, found below if loading fails
            # the score matrix stays in its files, mapped (a query reads its tokens' columns only):
            # ≈ 9 MB of a serving process at 10k chunks, ≈ 90 MB at 100k; the same scores
            retriever = _bm25s().BM25.load(str(directory), show_progress=False, mmap=True)
            _check(retriever, len(ids))
        except Exception as exc:  # noqa: BLE001 - whatever is wrong with its files, the index is not there
            at = exc.name if isinstance(exc, _Damaged) else at or _unreadable(directory)
            log.warning("ignoring the unreadable BM25 index in %s (%s: %s: %s)", directory, at, type(exc).__name__, exc)
            return None
        return cls(retriever, ids, stamp, directory, meta_id)

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
        try:
            scores = self.retriever.get_scores(tokens[0])
        except (IndexError, ValueError) as exc:  # postings that point past the chunks, or nowhere
            self._damaged(exc)
        hits = np.flatnonzero(scores > 0)
        if hits.size > k:
            hits = hits[np.argpartition(-scores[hits], k - 1)[:k]]
            # the k-th score may tie with chunks the partition left out: keep the first of them
            kth = scores[hits].min()
            hits = np.union1d(hits[scores[hits] > kth], np.flatnonzero(scores == kth))
        order = hits[np.lexsort((hits, -scores[hits]))][:k]
        return [(self.ids[int(d)], float(scores[d])) for d in order]

    def _damaged(self, exc: Exception):
        """IndexFileDamaged, once the saved copy is set aside (its citebot.json renamed, if it
        is still the one this was loaded from): the next load does not find it, the caller builds
        it again."""
        if self.directory is not None and self._meta_id is not None:
            set_aside(self.directory, self._meta_id, "citebot.json")  # best effort: gone already, a read-only DATA_DIR
        log.warning("the BM25 index in %s is damaged (%s: %s): set aside, it is made again at the next start or "
                    "`citebot ingest`", self.directory, type(exc).__name__, exc)
        raise IndexFileDamaged(self.directory or "the BM25 index", f"{type(exc).__name__}: {exc}") from exc


class _Damaged(ValueError):
    """`name`, a file of the saved index, is not as written or does not fit the others."""

    def __init__(self, name: str, why: str) -> None:
        super().__init__(why)
        self.name = name


def _verify(directory: Path, checksums) -> None:
    """Every file `checksums` (citebot.json's) names against its crc32; None: saved before
    checksums, nothing to check."""
    if checksums is None:
        return
    if not isinstance(checksums, dict) or not all(isinstance(k, str) and Path(k).name == k for k in checksums):
        raise _Damaged("citebot.json", "bad checksums")
    for name, crc in checksums.items():
        try:
            same = file_checksum(directory / name) == crc
        except OSError as exc:
            raise _Damaged(name, f"{type(exc).__name__}: {exc}") from exc
        if not same:
            raise _Damaged(name, "checksum mismatch: not the file that was written")


def _check(retriever, n_docs: int) -> None:
    """That the files of a loaded bm25s index fit together and `n_docs` chunks (_Damaged
    names the one that does not). Reads the vocabulary and the postings' offsets (one per
    word), not the mapped postings themselves."""
    scores, vocab = retriever.scores, retriever.vocab_dict
    data, indices, indptr = scores["data"], scores["indices"], scores["indptr"]
    if scores.get("num_docs") != n_docs:
        raise _Damaged("params.index.json", f"{scores.get('num_docs')} documents where citebot.json has {n_docs} chunks")
    if not isinstance(vocab, dict):
        raise _Damaged("vocab.index.json", "not a vocabulary")
    if indptr.ndim != 1 or indptr.dtype.kind not in "iu" or not len(indptr) or int(indptr[0]) != 0 or (np.diff(indptr) < 0).any():
        raise _Damaged("indptr.csc.index.npy", "not the offsets of postings")
    # one offset per word with postings, and one more; bm25s's vocabulary may also hold "" (the
    # last number: no postings)
    if not len(indptr) - 1 <= len(vocab) <= len(indptr):
        raise _Damaged("vocab.index.json", f"{len(vocab)} words where indptr.csc.index.npy has the postings of {len(indptr) - 1}")
    if data.ndim != 1 or data.dtype.kind != "f" or int(indptr[-1]) != len(data):
        raise _Damaged("data.csc.index.npy", f"not {int(indptr[-1])} scores")
    if indices.shape != data.shape or indices.dtype.kind not in "iu":
        raise _Damaged("indices.csc.index.npy", f"not {len(data)} chunk numbers")
    words = retriever.unique_token_ids_set  # the vocabulary's numbers, each once
    try:  # ≈ 5 ms for 170k words; a str among ints: TypeError
        lo, hi = (min(words), max(words)) if words else (0, -1)
        fits = type(lo) is int and type(hi) is int and lo >= 0 and hi < len(vocab) == len(words)
    except TypeError:
        fits = False
    if not fits:
        raise _Damaged("vocab.index.json", "word numbers that do not fit the postings")


def _unreadable(directory: Path) -> str:
    """Which of bm25s's files failed to load: each read again, once loading has failed."""
    for name in ("params.index.json", "vocab.index.json"):
        try:
            json.loads((directory / name).read_text(encoding="utf-8"))
        except Exception:  # noqa: BLE001 - this one
            return name
    for name in ("data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy"):
        try:
            np.load(directory / name, mmap_mode="r", allow_pickle=False)
        except Exception:  # noqa: BLE001 - this one
            return name
    return "bm25s's files"
