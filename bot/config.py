"""One typed Settings object, read once from the environment and .env."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # where things live
    data_dir: Path = Path("data")
    corpus_dir: Path = Path("corpus")
    # Chroma: embedded under DATA_DIR/chroma unless CHROMA_HOST is set
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_collection_prefix: str = "citebot"
    # serving processes (Telegram bot, REPL): how often to look for a newly published index
    # generation (one small Chroma read), and the longest wait between reconnection attempts
    index_check_seconds: float = 2.0
    # a new generation loads on a thread; the question that found it waits this long for it and
    # is otherwise answered from the current one (a worker without the ingest's DATA_DIR files
    # rebuilds them: minutes at 100k chunks)
    index_reload_wait_seconds: float = Field(5.0, ge=0)
    chroma_retry_max_seconds: float = 30.0
    # server mode: the longest wait for one request to the Chroma server (a connection, and the
    # connectivity check before the first request, wait at most 5 s, or this if less)
    chroma_timeout_s: float = Field(60.0, gt=0, description="longest wait in seconds for one request to a Chroma server")

    # ingest
    chunk_size: int = 160
    chunk_overlap: int = 32
    embed_backend: str = "onnx"  # onnx | torch
    # ONNX weights: int8 (quantised once from the fp32 export; ≈ 3x faster, same answers on the
    # eval sets within noise) or fp32. Part of the index fingerprint: a change re-embeds.
    embed_precision: Literal["int8", "fp32"] = "int8"
    model_cache: Path | None = None  # where the ONNX export is kept (default DATA_DIR/models)
    embed_batch_size: int = 16  # small batches pad less: faster on CPU (measured 8–16 best)
    # articles read, embedded and written per batch (memory stays bounded by one batch)
    ingest_batch_articles: int = 32
    # a change of at most this fraction of the index's articles makes a delta generation, which
    # shares the unchanged rows with the one before instead of copying them (0: never)
    ingest_delta_fraction: float = Field(0.1, ge=0.0, le=1.0)
    # corpus files larger than this are skipped with a warning (MAX_ARTICLE_BYTES is an alias)
    max_file_bytes: int = Field(5_000_000, validation_alias=AliasChoices("max_file_bytes", "max_article_bytes"))

    # retrieval
    dense_top_k: int = 10
    lexical_top_k: int = 10
    rrf_k: int = 60
    fused_top_k: int = 6
    sentence_top_k: int = 10
    # an index of more sentences than this is not scanned for the closest ones: Chroma's HNSW
    # index of the sentence collection is asked (rescored exactly; see index.retrieve)
    sentence_scan_max: int = Field(20_000, ge=0)
    # candidates Chroma's HNSW search looks at per query, set on the collections an ingest makes
    # (index.store.HNSW_EF_SEARCH)
    hnsw_ef_search: int = Field(400, ge=10)

    # answering
    max_question_chars: int = 1000
    max_answer_words: int = 40
    max_quote_chars: int = 300
    # support check (calibrated on the dev split of evals/questions.jsonl)
    support_threshold: float = Field(0.66, description="minimum support score to answer")
    min_term_coverage: float = Field(0.44, description="share of the question's content terms found near the answer")
    # Calibrated scoring model (JSON from `citebot calibrate`); "none" uses the thresholds above.
    support_model: Path | None = None
    # Overrides the model's own answerability threshold (probability, 0–1).
    answer_threshold: float | None = None
    # The reader (bot/reader.py): an extractive QA model that reads the best few candidate spans
    # with the question. Off: the support model's plain ranker / answerability model / threshold.
    reader: bool = Field(True, description="re-rank and check the best spans with the extractive reader")
    reader_dir: Path | None = None  # default bot/reader_model (model.onnx)
    name_match_ratio: float = Field(0.75, description="string similarity for two spellings of a name")
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
    llm_timeout_s: float = Field(30.0, gt=0, description="hard limit for one LLM answer, then the extractive fallback")
    llm_max_tokens: int = Field(400, gt=0, description="longest generated answer, in tokens")
    llm_context_tokens: int = Field(1500, gt=0, description="excerpt budget sent to the model (tiktoken cl100k)")
    llm_temperature: float = 0.0
    # share of a generated sentence's key terms (rarity-weighted) that its cited excerpts must hold
    llm_min_term_coverage: float = Field(0.6, ge=0, le=1)

    # Telegram (`citebot telegram`)
    telegram_bot_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"  # Bot API root; a self-hosted server works too
    telegram_webhook_url: str | None = None  # set to run in webhook mode instead of long polling
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: str | None = None
    telegram_allowed_chats: str | None = None  # comma-separated chat ids; empty: everyone
    # Access: comma-separated ids; empty: everyone. When both are set, the sender must be in
    # ALLOWED_USER_IDS and the chat in ALLOWED_CHAT_IDS (a private chat's id is the user's id).
    # TELEGRAM_ALLOWED_CHATS is an alias of ALLOWED_CHAT_IDS (if both are set, both lists count).
    allowed_user_ids: str | None = None
    allowed_chat_ids: str | None = None
    telegram_rate_limit_per_minute: int = 10  # questions per user (sliding minute); 0: no limit
    log_questions: bool = False  # include the question text in the per-question log record

    log_level: str = "WARNING"

    @property
    def model_cache_dir(self) -> Path:
        return self.model_cache or self.data_dir / "models"
