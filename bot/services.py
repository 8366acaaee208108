"""Build the expensive objects once from Settings (model, Chroma, index, answerer).

Front ends call these; nothing is loaded at import time, so `citebot --help` is instant.
"""

from __future__ import annotations

import logging
import os

from bot.config import Settings


def quiet_libraries() -> None:
    """Offline switches and log hygiene for the libraries we use."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    for name in ("httpx", "httpcore", "chromadb", "sentence_transformers", "transformers", "bm25s", "optimum"):
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        import transformers

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
    except Exception:  # noqa: BLE001 - cosmetic only
        pass


def store(settings: Settings):
    from index.store import ChromaStore

    return ChromaStore(settings.data_dir, settings.chroma_host, settings.chroma_port, settings.chroma_collection_prefix)


def embedding(settings: Settings):
    from index.embedding import MiniLMEmbedding

    quiet_libraries()
    return MiniLMEmbedding(
        backend=settings.embed_backend, cache_dir=settings.model_cache_dir, embed_batch_size=settings.embed_batch_size
    )


def library(settings: Settings, embed=None, chroma=None):
    """Open the index for answering. Raises IndexMissing / IndexUnavailable."""
    from index.retrieve import Library
    from index.store import IndexMissing

    chroma = chroma or store(settings)
    if not chroma.article_hashes():  # say so before spending seconds loading the model
        raise IndexMissing("the index is empty")
    return Library(
        chroma,
        embed or embedding(settings).load(),
        settings.data_dir,
        dense_k=settings.dense_top_k,
        lexical_k=settings.lexical_top_k,
        rrf_k=settings.rrf_k,
    )


def answerer(settings: Settings, lib=None):
    """The Answerer in settings.answer_mode. Generative mode checks its LLM settings
    (LLMConfigError) before the index is opened, and builds its client once here."""
    from bot.answer import Answerer

    if settings.answer_mode == "generative":
        from bot.generative import check_settings

        check_settings(settings)
    ans = Answerer(lib or library(settings), settings)
    if settings.answer_mode == "generative":
        ans.generator  # noqa: B018 - load the prompts and the LLM client at start, not at the first question
    return ans
