"""Build the expensive objects once from Settings (model, Chroma, index, answerer).

Front ends call these; nothing is loaded at import time, so `citebot --help` is instant.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

from bot.config import Settings

log = logging.getLogger(__name__)


def quiet_libraries() -> None:
    """Offline switches and log hygiene for the libraries we use."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    for name in ("httpx", "httpcore", "chromadb", "sentence_transformers", "transformers", "bm25s", "optimum"):
        logging.getLogger(name).setLevel(logging.WARNING)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # without importing it (seconds)
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    transformers = sys.modules.get("transformers")
    if transformers is not None:  # already imported (the torch backend, the ONNX export)
        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()


def store(settings: Settings):
    from index.store import ChromaStore

    return ChromaStore(settings.data_dir, settings.chroma_host, settings.chroma_port, settings.chroma_collection_prefix,
                       ef_search=settings.hnsw_ef_search, timeout_s=settings.chroma_timeout_s)


def embedding(settings: Settings):
    from index.embedding import MiniLMEmbedding

    quiet_libraries()
    return MiniLMEmbedding(
        backend=settings.embed_backend, cache_dir=settings.model_cache_dir, embed_batch_size=settings.embed_batch_size,
        precision=settings.embed_precision,
    )


def library(settings: Settings, embed=None, chroma=None, one_question: bool = False, previous=None):
    """Open the index for answering. Raises IndexMissing / IndexUnavailable.

    one_question: the process answers one question and exits (index.retrieve.Library).
    previous: the Library this process served from until now (its table starts the new one's)."""
    from index.retrieve import Library
    from index.store import IndexMissing

    chroma = chroma or store(settings)
    if not chroma.may_hold_an_index():  # said without opening (creating) an embedded store
        raise IndexMissing("no index in DATA_DIR")
    if chroma.pointer() is None:  # say so before spending seconds loading the model
        raise IndexMissing("the index is empty")
    loading = None
    if embed is None:
        embed = embedding(settings)
        # the model loads in ONNX Runtime (C++, GIL released) while this thread reads the index
        loading = _in_background(embed.load) if _onnx_ready(settings) else embed.load()
    try:
        lib = Library(
            chroma,
            embed,
            settings.data_dir,
            dense_k=settings.dense_top_k,
            lexical_k=settings.lexical_top_k,
            rrf_k=settings.rrf_k,
            scan_max=settings.sentence_scan_max,
            one_question=one_question,
            previous=previous,
        )
    except BaseException:
        # Ctrl-C or an error while the model loads: let the load finish first. A process that
        # exits with ONNX Runtime still building its session on another thread can abort in
        # C++ ("terminate called without an active exception") instead of exiting cleanly.
        if isinstance(loading, _Background):
            loading.join()
        raise
    if isinstance(loading, _Background):
        loading.result()
    return lib


class _Background(threading.Thread):
    """A function run in a daemon thread; result() joins it and re-raises its exception."""

    def __init__(self, fn) -> None:
        super().__init__(daemon=True, name=f"citebot-load-{getattr(fn, '__name__', 'fn')}")
        self._fn, self._value, self._error = fn, None, None

    def run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller in result()
            self._error = exc

    def result(self):
        self.join()
        if self._error is not None:
            raise self._error
        return self._value


def _in_background(fn) -> _Background:
    job = _Background(fn)
    job.start()
    return job


def _onnx_ready(settings: Settings) -> bool:
    """The ONNX backend with its export already cached: loading it imports onnxruntime and
    tokenizers only (never torch, which spaCy's loader hides while it imports)."""
    from index.embedding import onnx_path

    return settings.embed_backend == "onnx" and onnx_path(settings.model_cache_dir, settings.embed_precision).exists()


def warm_lexicon(settings: Settings, embed) -> None:
    """Embed the new index's vocabulary into the lexicon cache now, at the end of an ingest,
    so the first serving process after it does not (seconds per 10k words). Best effort: a
    failure only leaves the work to that process."""
    from bot.answer import CorpusFacts, Lexicon
    from index.embedding import MODEL_NAME

    try:
        lib = library(settings, embed=embed)
        facts = CorpusFacts.load_or_build(lib, settings.data_dir)  # and the corpus facts (bot.answer)
        Lexicon.build(lib, settings.data_dir, facts.lemmas, bulk=True)
        Lexicon.prune(settings.data_dir, keep=getattr(lib.embed, "model_id", MODEL_NAME))  # the index is this model's now
    except Exception as exc:  # noqa: BLE001 - never fail an ingest that has succeeded
        log.warning("could not prepare the lexicon cache now (%s); the first answer will", exc)


def answerer(settings: Settings, lib=None, quick_start: bool = False):
    """The Answerer in settings.answer_mode. Generative mode checks its LLM settings
    (LLMConfigError) before the index is opened, and builds its client once here.

    quick_start (a one-shot `citebot ask`): questions are parsed by spaCy in a worker process
    (index.nlp.QuestionWorker), which loads on the second core while this process opens the
    index; without a second core, or should the worker fail to start, as below."""
    from bot.answer import Answerer

    if settings.answer_mode == "generative":
        from bot.generative import check_settings

        check_settings(settings)
    nlp = worker = None
    if lib is None and _onnx_ready(settings):
        if quick_start and settings.answer_mode == "extractive" and (os.cpu_count() or 1) >= 2:
            worker = _question_worker(settings.wordnet)
        if worker is None:
            # spaCy's pipeline loads while the index and the embedding model do
            from index.nlp import load

            nlp = _in_background(load)
    try:
        lib = lib or library(settings, one_question=quick_start)
    except BaseException:
        if worker is not None:
            worker.close()
        raise
    finally:
        nlp = nlp.result() if nlp is not None else None
    ans = Answerer(lib, settings, nlp=nlp, analyser=worker)
    if settings.answer_mode == "generative":
        ans.generator  # noqa: B018 - load the prompts and the LLM client at start, not at the first question
    return ans


def _question_worker(wordnet: bool = True):
    """A QuestionWorker running bot.support.analyse (with WordNet or not: WORDNET), or None
    (with a warning) when no process can be started here."""
    import functools

    from bot.support import analyse
    from index.nlp import QuestionWorker

    try:
        return QuestionWorker(functools.partial(analyse, wordnet=wordnet))
    except Exception as exc:  # noqa: BLE001 - e.g. no /dev/shm or process limits: parse here
        log.warning("could not start the spaCy worker process (%s); parsing questions in this process", exc)
        return None


def serving_answerer(settings: Settings, wait: bool = False, on_retry=None):
    """The Answerer for a long-running process (Telegram bot, REPL): follows the current
    index generation and rides out Chroma outages (see LiveAnswerer).

    wait=True: while Chroma is unreachable at start, retry with backoff (calling
    on_retry(error, seconds) before each sleep) instead of raising IndexUnavailable.
    """
    from index.store import IndexUnavailable

    delay = 1.0
    while True:
        try:
            chroma = store(settings)
            return LiveAnswerer(settings, answerer(settings, library(settings, chroma=chroma)), chroma)
        except IndexUnavailable as exc:
            if not wait:
                raise
            if on_retry:
                on_retry(exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, settings.chroma_retry_max_seconds)


class LiveAnswerer:
    """An Answerer for serving: same `ask`, plus

    - follows re-ingests: at most every INDEX_CHECK_SECONDS it reads the generation
      pointer (one small Chroma read); when another process has published a new
      generation, the index is reloaded (model, spaCy and support model reused) and
      questions switch to it;
    - survives Chroma outages: a question that cannot reach Chroma gets a polite
      "index unavailable" refusal instead of an exception, and the connection is
      retried with exponential backoff (1 s doubling up to CHROMA_RETRY_MAX_SECONDS)
      on later questions, so the bot recovers on its own when the server is back.
    """

    def __init__(self, settings: Settings, answerer, chroma, clock=time.monotonic) -> None:
        self.settings, self._answerer, self._store, self._clock = settings, answerer, chroma, clock
        self._lock = threading.Lock()
        self._last_check = clock()
        self._down: str | None = None  # the error while Chroma is unreachable (or holds no index)
        self._missing = False  # Chroma answers, with no index: "ingest", not "try again"
        self._delay = 1.0
        self._next_try = 0.0
        self.reloads = 0
        self.reloading: threading.Thread | None = None  # the thread loading a new generation, once one was found

    @property
    def library(self):
        return self._answerer.library

    @property
    def answerer(self):
        return self._answerer

    def __getattr__(self, name):  # explain, span_text, ... of the current Answerer
        return getattr(self._answerer, name)

    def ask(self, question: str):
        t0 = time.perf_counter()
        self._refresh()
        if self._down:
            return self._unavailable(question, t0)
        answerer = self._answerer
        from index.table import IndexFileDamaged

        try:
            return answerer.ask(question)
        except IndexFileDamaged as exc:  # its copy is set aside: loaded again (made anew) in the background
            log.warning("%s; loading the index again", exc)
            if self._lock.acquire(blocking=False):
                self.reloading = self._reload_thread()
                self.reloading.start()
            return self._unavailable(question, t0)
        except Exception as exc:  # noqa: BLE001 - decide below whether Chroma is the cause
            if not self._chroma_failed(exc):
                raise
            if self._refresh(force=True) and self._answerer is not answerer and not self._down:
                return self._answerer.ask(question)  # the generation it read was dropped: retry once
            return self._unavailable(question, t0)

    def refresh(self) -> None:
        """Follow a re-ingest now, as a question would (at most every INDEX_CHECK_SECONDS): for
        what lists the index without asking (the REPL's /articles)."""
        self._refresh()

    # ------------------------------------------------------------------
    def _unavailable(self, question: str, t0: float):
        """The polite refusal while the index cannot be read: the server not answering, or
        answering with no index at all (`_missing`: restarted on an empty --path, or emptied),
        which is not "try again in a minute" but "ingest"."""
        import prompts

        return self._answerer._refuse(question, prompts.render("index_missing" if self._missing else "index_unavailable"),
                                      "index_unavailable", t0)

    def _chroma_failed(self, exc: Exception) -> bool:
        from index.store import IndexUnavailable

        try:
            self._store.heartbeat()
        except IndexUnavailable as down:
            self._mark_down(down)
            return True
        return isinstance(exc, IndexUnavailable) or type(exc).__module__.startswith(("chromadb", "httpx"))

    def _mark_down(self, exc: Exception) -> None:
        from index.store import IndexMissing

        missing = isinstance(exc, IndexMissing)
        if not self._down or missing != self._missing:
            if missing:
                log.warning("Chroma at %s answers but holds no index (%s): run `citebot ingest`", self._store.location, exc)
            else:
                log.warning("Chroma unreachable, answering 'index unavailable' until it is back: %s", exc)
        self._missing = missing
        if not self._down:
            self._delay = 1.0
        else:
            self._delay = min(self._delay * 2, self.settings.chroma_retry_max_seconds)
        self._down = str(exc)
        self._store.disconnect()
        self._next_try = self._clock() + self._delay

    def _refresh(self, force: bool = False) -> bool:
        """Check connection and generation when due. True if a check ran."""
        from index.store import IndexMissing, IndexUnavailable

        now = self._clock()
        if self._down:
            if now < self._next_try and not force:
                return False
        elif not force and now - self._last_check < self.settings.index_check_seconds:
            return False
        if not self._lock.acquire(blocking=False):
            return False  # another thread is checking or reloading: go on with what we have
        handed_over = False  # the lock goes to the thread loading a new generation
        try:
            self._last_check = now
            try:
                self._store.heartbeat()
                try:
                    gen = self._store.current_generation()
                except IndexUnavailable:  # up, but the handles are stale: a server restarted (maybe empty)
                    self._store.disconnect()
                    gen = self._store.current_generation()
                if gen is None:  # answering, with no index (emptied, or restarted on an empty --path)
                    raise IndexMissing("no index on the server")
                recovered = self._down is not None
                if recovered and gen is not None and (gen != self.library.generation or not self._probe()):
                    self._reload()  # after an outage the old handles may be dead: nothing to answer from meanwhile
                elif gen is not None and gen != self.library.generation:
                    self.reloading = self._reload_thread()
                    self.reloading.start()
                    handed_over = True  # the thread releases the lock when it is done
                    self.reloading.join(self.settings.index_reload_wait_seconds)
                    return True  # Chroma was up (not `recovered`); the thread may mark it down from here on
            except (IndexUnavailable, IndexMissing) as exc:
                self._mark_down(exc)
                return True
            if self._down:
                log.warning("Chroma is reachable again at %s", self._store.location)
            self._down, self._missing = None, False
            return True
        finally:
            if not handed_over:
                self._lock.release()

    def _reload_thread(self) -> threading.Thread:
        """A thread loading the new generation and releasing the lock when done. The question
        that found the generation waits for it at most INDEX_RELOAD_WAIT_SECONDS: meanwhile
        questions are answered from the current generation, which the store keeps one round
        longer for this. A worker without the ingest's DATA_DIR files (serving table, BM25, corpus
        facts) rebuilds them first: the first start after a 100k ingest took 109 s."""
        from index.store import IndexMissing, IndexUnavailable

        def run() -> None:
            try:
                self._reload()
            except (IndexUnavailable, IndexMissing) as exc:
                self._mark_down(exc)
            except Exception:  # noqa: BLE001 - keep serving the current generation, try again later
                log.exception("could not load the new index generation; answering from generation %s", self.library.generation)
            finally:
                self._last_check = self._clock()
                self._lock.release()

        return threading.Thread(target=run, name="citebot-reload", daemon=True)

    def _probe(self) -> bool:
        try:
            self.library.store.count("chunks")
            return True
        except Exception:  # noqa: BLE001 - stale handles after a restart: reload
            return False

    def _reload(self) -> None:
        from bot.answer import Answerer

        old = self._answerer
        t = time.perf_counter()
        lib = library(self.settings, embed=old.library.embed, chroma=self._store, previous=old.library)
        self._answerer = Answerer(lib, self.settings, nlp=old.nlp, model=old.model)
        self.reloads += 1
        log.warning("switched to index generation %s in %.1f s", lib.generation, time.perf_counter() - t)
