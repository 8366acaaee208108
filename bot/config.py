"""One typed Settings object, read once from the environment and .env."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# the other names Python's logging takes, read as the level they stand for
LOG_LEVEL_ALIASES = {"WARN": "WARNING", "FATAL": "CRITICAL", "NOTSET": "DEBUG"}
# fewer tokens than this and llama-index's splitter fails on long words ("Single token exceeded
# chunk size") or warns that every chunk is too small to be useful
MIN_CHUNK_SIZE = 32


class Settings(BaseSettings):
    # an empty value (CORPUS_DIR= in .env or the environment) is the default, as if unset: an
    # empty path would otherwise be the working directory, an empty prefix an invalid name
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    # where things live
    data_dir: Path = Path("data")
    corpus_dir: Path = Path("corpus")
    # Chroma: embedded under DATA_DIR/chroma unless CHROMA_HOST is set
    chroma_host: str | None = None
    chroma_port: int = Field(8000, ge=1, le=65535)
    chroma_collection_prefix: str = Field("citebot", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$",
                                          description="3–40 letters, digits, _ or -, starting with a letter or digit")
    # serving processes (Telegram bot, REPL): how often to look for a newly published index
    # generation (one small Chroma read), and the longest wait between reconnection attempts
    index_check_seconds: float = Field(2.0, ge=0)
    # a new generation loads on a thread; the question that found it waits this long for it and
    # is otherwise answered from the current one (a worker without the ingest's DATA_DIR files
    # rebuilds them: minutes at 100k chunks)
    index_reload_wait_seconds: float = Field(5.0, ge=0)
    chroma_retry_max_seconds: float = Field(30.0, gt=0)
    # server mode: the longest wait for one request to the Chroma server (a connection, and the
    # connectivity check before the first request, wait at most 5 s, or this if less)
    chroma_timeout_s: float = Field(60.0, gt=0, description="longest wait in seconds for one request to a Chroma server")

    # ingest
    chunk_size: int = Field(160, ge=MIN_CHUNK_SIZE)
    chunk_overlap: int = Field(32, ge=0)  # and less than chunk_size (checked below)
    embed_backend: Literal["onnx", "torch"] = "onnx"
    # ONNX weights: int8 (quantised once from the fp32 export; ≈ 3x faster, same answers on the
    # eval sets within noise) or fp32. Part of the index fingerprint: a change re-embeds.
    embed_precision: Literal["int8", "fp32"] = "int8"
    model_cache: Path | None = None  # where the ONNX export is kept (default DATA_DIR/models)
    embed_batch_size: int = Field(16, ge=1)  # small batches pad less: faster on CPU (measured 8–16 best)
    # articles read, embedded and written per batch (memory stays bounded by one batch)
    ingest_batch_articles: int = Field(32, ge=1)
    # a change of at most this fraction of the index's articles makes a delta generation, which
    # shares the unchanged rows with the one before instead of copying them (0: never)
    ingest_delta_fraction: float = Field(0.1, ge=0.0, le=1.0)
    # corpus files larger than this are skipped with a warning (MAX_ARTICLE_BYTES is an alias)
    max_file_bytes: int = Field(5_000_000, gt=0, validation_alias=AliasChoices("max_file_bytes", "max_article_bytes"))

    # retrieval
    dense_top_k: int = Field(10, ge=1)
    lexical_top_k: int = Field(10, ge=1)
    rrf_k: int = Field(60, ge=0)
    fused_top_k: int = Field(6, ge=1)
    sentence_top_k: int = Field(10, ge=1)
    # an index of more sentences than this is not scanned for the closest ones: Chroma's HNSW
    # index of the sentence collection is asked (rescored exactly; see index.retrieve)
    sentence_scan_max: int = Field(20_000, ge=0)
    # candidates Chroma's HNSW search looks at per query, set on the collections an ingest makes
    # (index.store.HNSW_EF_SEARCH)
    hnsw_ef_search: int = Field(400, ge=10)

    # answering
    max_question_chars: int = Field(1000, ge=1)
    max_answer_words: int = Field(40, ge=1)
    max_quote_chars: int = Field(300, ge=1)
    # support check (calibrated on the dev split of evals/questions.jsonl)
    support_threshold: float = Field(0.66, ge=0, le=1, description="minimum support score to answer")
    min_term_coverage: float = Field(0.44, ge=0, le=1, description="share of the question's content terms found near the answer")
    # Calibrated scoring model (JSON from `citebot calibrate`); "none" uses the thresholds above.
    support_model: Path | None = None  # must exist unless "none"
    # Overrides the model's own answerability threshold (probability, 0–1).
    answer_threshold: float | None = Field(None, ge=0, le=1)
    # A "why" question whose chosen span gives a reason in so many words ("as Lukashenko has
    # refused …", "is meant to …"): answered from this probability up, though words of the
    # question are missing (a reason seldom repeats what it explains). Measured on the held-out
    # sets at 0.30; 1 turns it off.
    why_reason_threshold: float = Field(0.30, ge=0, le=1)
    # The reader (bot/reader.py): an extractive QA model that reads the best few candidate spans
    # with the question. Off: the support model's plain ranker / answerability model / threshold.
    reader: bool = Field(True, description="re-rank and check the best spans with the extractive reader")
    reader_dir: Path | None = None  # default bot/reader_model; must hold model.onnx
    name_match_ratio: float = Field(0.75, ge=0, le=1, description="string similarity for two spellings of a name")
    wordnet: bool = Field(True, description="match a question's words to synonyms and kinds of them (bot/wordnet.py)")
    spelling: bool = Field(True, description="read a mistyped word as the article word it is one or two keystrokes from (bot/spelling.py)")

    # conversations (REPL session, Telegram chat; per user within a group)
    conversation_max_turns: int = Field(5, ge=1, description="earlier turns a follow-up may refer to")
    conversation_idle_minutes: float = Field(30.0, gt=0, description="history is forgotten after this idle time")

    # generative answers (ANSWER_MODE=generative): any OpenAI-compatible chat completions server
    answer_mode: Literal["extractive", "generative"] = "extractive"
    llm_base_url: str | None = None  # e.g. http://127.0.0.1:11434/v1 (Ollama)
    llm_model: str | None = None
    llm_api_key: str | None = Field(None, repr=False)  # optional; never logged
    llm_timeout_s: float = Field(30.0, gt=0, le=600, description="hard limit for one LLM answer, then the extractive fallback")
    # at most 400: a longer completion is no short answer, and only lets a looping model run on
    llm_max_tokens: int = Field(400, gt=0, le=400, description="longest generated answer, in tokens")
    llm_context_tokens: int = Field(1500, gt=0, description="excerpt budget sent to the model (tiktoken cl100k)")
    llm_temperature: float = Field(0.0, ge=0)
    # share of a generated sentence's key terms (rarity-weighted) that its cited excerpts must hold
    llm_min_term_coverage: float = Field(0.6, ge=0, le=1)

    # Telegram (`citebot telegram`)
    telegram_bot_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"  # Bot API root; a self-hosted server works too
    telegram_webhook_url: str | None = None  # set to run in webhook mode instead of long polling
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = Field(8443, ge=1, le=65535)
    telegram_webhook_secret: str | None = None
    telegram_allowed_chats: str | None = None  # comma-separated chat ids; empty: everyone
    # Access: comma-separated ids; empty: everyone. When both are set, the sender must be in
    # ALLOWED_USER_IDS and the chat in ALLOWED_CHAT_IDS (a private chat's id is the user's id).
    # TELEGRAM_ALLOWED_CHATS is an alias of ALLOWED_CHAT_IDS (if both are set, both lists count).
    allowed_user_ids: str | None = None
    allowed_chat_ids: str | None = None
    telegram_rate_limit_per_minute: int = 10  # questions per user (sliding minute); 0: no limit
    log_questions: bool = False  # include the question text in the per-question log record

    log_level: str = "WARNING"  # DEBUG | INFO | WARNING | ERROR | CRITICAL (any case; WARN, FATAL, NOTSET too)

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        level = LOG_LEVEL_ALIASES.get(level, level)
        if level not in LOG_LEVELS:
            raise PydanticCustomError("log_level", "should be one of {levels}", {"levels": ", ".join(LOG_LEVELS)})
        return level

    @field_validator("llm_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        """LLM_BASE_URL=127.0.0.1:11434/v1 (no scheme) would fail every question later, one
        fallback at a time: said at start instead."""
        if value is not None and not re.match(r"^https?://[^/\s:]+(:\d+)?(/\S*)?$", value.strip()):
            raise PydanticCustomError("llm_base_url", "should be an http(s) URL, such as http://127.0.0.1:11434/v1")
        return value.strip() if value is not None else None

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_below_size(cls, value: int, info: ValidationInfo) -> int:
        size = info.data.get("chunk_size")  # absent when CHUNK_SIZE itself is invalid
        if size is not None and value >= size:
            raise PydanticCustomError("chunk_overlap", "should be less than CHUNK_SIZE ({size})", {"size": size})
        return value

    @field_validator("support_model", "reader_dir", "model_cache", mode="before")
    @classmethod
    def _empty_is_default(cls, value):
        """SUPPORT_MODEL= / READER_DIR= / MODEL_CACHE= (empty, as in .env.example): the default, not the current directory."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("support_model")
    @classmethod
    def _support_model_exists(cls, value: Path | None) -> Path | None:
        if value is None or str(value).strip().lower() == "none":
            return value
        if not value.is_file():
            raise PydanticCustomError(
                "support_model", "file not found (a model JSON written by `citebot calibrate`, or none for the hand-set thresholds)"
            )
        return value

    @field_validator("reader_dir")
    @classmethod
    def _reader_model_exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        """Checked only while the reader is on (READER=0 ignores READER_DIR)."""
        if value is not None and info.data.get("reader", True) and not (value / "model.onnx").is_file():
            raise PydanticCustomError("reader_dir", "model.onnx not found in this folder (READER=0 switches the reader off)")
        return value

    @property
    def model_cache_dir(self) -> Path:
        return self.model_cache or self.data_dir / "models"
