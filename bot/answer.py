"""The Answerer: question -> Answer (short extractive answer with verified citations, or a refusal).

Every front end (CLI, REPL, eval, Telegram) calls `Answerer.ask` and only formats
the Answer it gets back.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import asdict, dataclass, field

import numpy as np

import prompts
from bot.support import Question, Support, Vocabulary, stem, analyse, assess, name_in, words
from bot.verify import is_verbatim

log = logging.getLogger(__name__)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Where an answer may be cut: after clause punctuation, before a dash, between sentences.
_CLAUSE_RE = re.compile(r"(?<=[,;:—–.!?])\s+|\s+(?=[—–]\s)")


@dataclass(frozen=True)
class Citation:
    source: str
    title: str
    date: str | None
    url: str | None
    quote: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    refused: bool = False
    reason: str | None = None  # why it refused: empty_question, too_long, unsupported, no_evidence
    mode: str = "extractive"
    timings: dict = field(default_factory=dict)
    support: dict | None = None

    @property
    def latency_ms(self) -> float:
        return round(self.timings.get("total_ms", 0.0), 2)

    def to_dict(self) -> dict:
        """The fields of an eval results row (without the id)."""
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
            "latency_ms": self.latency_ms,
            "reason": self.reason,
            "mode": self.mode,
            "support": self.support,
            "timings": {k: round(v, 2) for k, v in self.timings.items()},
        }


class Lexicon:
    """Embeddings of the corpus's content lemmas, for paraphrase-tolerant term matching.

    Computed once per index version and cached under DATA_DIR (≈ 1 s per 1,000 lemmas).
    """

    def __init__(self, embed, lemmas: list[str], vectors: np.ndarray) -> None:
        self.embed = embed
        self.index = {lm: i for i, lm in enumerate(lemmas)}
        self.vectors = vectors

    @classmethod
    def build(cls, library, data_dir) -> "Lexicon":
        import hashlib
        from pathlib import Path

        lemmas = sorted({lm for s in library.sentences for lm in s.lemmas})
        key = hashlib.sha256("\n".join(lemmas).encode()).hexdigest()[:16]
        path = Path(data_dir) / "lexicon" / f"{key}.npy"
        vectors = None
        if path.exists():
            try:
                vectors = np.load(path)
            except (OSError, ValueError):
                vectors = None
        if vectors is None or vectors.shape[0] != len(lemmas):
            vectors = library.embed.encode(lemmas)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, vectors)
            except OSError:
                pass  # a read-only data dir only costs the recomputation
        return cls(library.embed, lemmas, vectors)

    def matcher(self, terms: list[str]):
        """soft(term, lemmas) -> best cosine similarity of term to any of lemmas."""
        if not terms:
            return None
        uniq = list(dict.fromkeys(terms))
        tvecs = dict(zip(uniq, self.embed.encode(uniq)))

        def soft(term: str, lemmas: set[str]) -> float:
            rows = [self.index[lm] for lm in lemmas if lm in self.index]
            if not rows or term not in tvecs:
                return 0.0
            return float(np.max(self.vectors[rows] @ tvecs[term]))

        return soft


@dataclass
class _Candidate:
    focus: list[int]  # sentence indices answering
    support: Support
    rank_score: float


def clean_question(text: str) -> str:
    return " ".join(_CONTROL_RE.sub(" ", text or "").split())


class Answerer:
    def __init__(self, library, settings, nlp=None) -> None:
        from index.nlp import load

        self.library = library
        self.settings = settings
        self.nlp = nlp or load()
        self.vocab = Vocabulary(library.sentences)
        self._topics = self._describe_topics()
        self._words_cache: dict[str, set[str]] = {}
        self._lexicon = Lexicon.build(library, settings.data_dir)
        from bot.support import words

        self._corpus_words = {w for a in library.articles.values() for w in words(a.text)}
        self._sentence_words = [set(words(s.text)) for s in library.sentences]

    # ------------------------------------------------------------------
    def ask(self, question: str) -> Answer:
        t0 = time.perf_counter()
        q_text = clean_question(question)
        if not q_text:
            return self._refuse(question, prompts.render("empty_question"), "empty_question", t0)
        if len(q_text) > self.settings.max_question_chars:
            msg = prompts.render("question_too_long", length=len(q_text), limit=self.settings.max_question_chars)
            return self._refuse(question, msg, "too_long", t0)

        timings: dict[str, float] = {}
        t = time.perf_counter()
        q_emb = self.library.embed.get_query_embedding(q_text)
        timings["embed_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        hits = self.library.search(q_text, q_emb, top=self.settings.fused_top_k)
        timings["retrieve_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        q = analyse(q_text, self.nlp)
        soft = self._lexicon.matcher(q.terms)
        best = self._select(q, np.asarray(q_emb, dtype=np.float32), hits, soft)
        timings["select_ms"] = (time.perf_counter() - t) * 1000
        if best is None:
            return self._refuse(question, self._refusal_text(), "no_evidence", t0, timings)
        support = self._support_dict(q, best)
        if not self._supported(best.support):
            return self._refuse(question, self._refusal_text(), "unsupported", t0, timings, support)

        text, citation = self._compose(best.focus, q)
        article = self.library.articles[citation.source]
        if not is_verbatim(article.text, citation.quote, citation.start, citation.end):
            return self._refuse(question, self._refusal_text(), "quote_unverified", t0, timings, support)
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return Answer(question, text, (citation,), False, None, "extractive", timings, support)

    # ------------------------------------------------------------------
    def _supported(self, s: Support) -> bool:
        cfg = self.settings
        return (
            s.names_ok
            and s.numbers_ok
            and s.type_ok_required
            and s.term_coverage >= cfg.min_term_coverage
            and s.score >= cfg.support_threshold
        )

    def _select(self, q: Question, q_emb: np.ndarray, hits, soft=None) -> _Candidate | None:
        lib = self.library
        cand: set[int] = set()
        for hit in hits:
            cand.update(lib.sentence_indices(hit.chunk.source, hit.chunk.start, hit.chunk.end))
        cand.update(lib.top_sentences(q_emb, self.settings.sentence_top_k))
        if not cand:
            return None
        sims = {i: float(lib.sentence_vectors[i] @ q_emb) for i in cand}
        ratio = self.settings.name_match_ratio
        names_in_corpus = all(name_in(n, self._corpus_words, ratio) for n in q.names)
        article_names: dict[str, list[bool]] = {}
        best: _Candidate | None = None
        for i in sorted(cand):
            for focus in self._focus_options(i):
                window = self._window(focus)
                wsims = [sims.get(j) if j in sims else float(lib.sentence_vectors[j] @ q_emb) for j in window]
                dense = max(max(sims.get(j, -1) for j in focus if j in sims) if any(j in sims for j in focus) else 0.0, 0.85 * max(wsims))
                src = lib.sentences[i].source
                if src not in article_names:
                    aw = self._article_words(src)
                    article_names[src] = [name_in(n, aw, ratio) for n in q.names]
                sup = assess(
                    q, [lib.sentences[j] for j in focus], [lib.sentences[j] for j in window], dense,
                    self.vocab, ratio, article_names[src], soft, names_in_corpus,
                    set().union(*(self._sentence_words[j] for j in window)),
                    set().union(*(self._sentence_words[j] for j in focus)),
                )
                focus_dense = max((sims[j] for j in focus if j in sims), default=0.0)
                rank = sup.score + 0.4 * sup.focus_coverage + 0.3 * focus_dense
                if sup.type_ok:
                    rank += 0.1
                if not sup.names_ok:
                    rank -= 0.5  # a sentence about someone else is never the answer
                if lib.sentences[focus[-1]].text.rstrip().endswith("?"):
                    rank -= 0.2  # a question in the article is not an answer
                if len(focus) > 1:
                    rank -= 0.03  # prefer one sentence unless the second adds something
                log.debug("candidate %s rank %.3f %s", focus, rank, sup)
                if best is None or rank > best.rank_score:
                    best = _Candidate(focus, sup, rank)
        return best

    def _article_words(self, source: str) -> set[str]:
        if source not in self._words_cache:
            from bot.support import words

            self._words_cache[source] = set(words(self.library.articles[source].text))
        return self._words_cache[source]

    def _focus_options(self, i: int) -> list[list[int]]:
        lib = self.library
        out = [[i]]
        if i + 1 < len(lib.sentences) and lib.sentences[i + 1].source == lib.sentences[i].source:
            out.append([i, i + 1])
        return out

    def _window(self, focus: list[int]) -> list[int]:
        lib = self.library
        src = lib.sentences[focus[0]].source
        lo, hi = focus[0] - 1, focus[-1] + 1
        return [j for j in range(lo, hi + 1) if 0 <= j < len(lib.sentences) and lib.sentences[j].source == src]

    def _compose(self, focus: list[int], q: Question | None = None) -> tuple[str, Citation]:
        lib = self.library
        first, last = lib.sentences[focus[0]], lib.sentences[focus[-1]]
        article = lib.articles[first.source]
        start, end = self._trim(article.text, first.start, last.end, q)
        quote = article.text[start:end]
        citation = Citation(article.source, article.title, article.date, article.url, quote, start, end)
        return quote, citation

    def _trim(self, text: str, start: int, end: int, q: Question | None = None) -> tuple[int, int]:
        """Shorten a long span to at most max_answer_words words and max_quote_chars
        characters: the run of whole clauses that shares most with the question
        (its terms, names, numbers), or failing that a cut at a word boundary."""
        limit_w, limit_c = self.settings.max_answer_words, self.settings.max_quote_chars
        span = text[start:end]
        if len(span.split()) <= limit_w and len(span) <= limit_c:
            return start, end
        wanted = set()
        if q is not None:
            wanted = {stem(t) for t in q.terms} | {stem(w) for w in q.name_words} | set(q.numbers)
        cuts = sorted({0, len(span), *(m.end() for m in _CLAUSE_RE.finditer(span))})
        best: tuple[float, int, int] | None = None
        for a in range(len(cuts) - 1):
            for b in range(a + 1, len(cuts)):
                piece = span[cuts[a] : cuts[b]]
                if len(piece.split()) > limit_w or len(piece.strip()) > limit_c:
                    break
                overlap = len({stem(w) for w in words(piece)} & wanted)
                key = (overlap + 0.001 * len(piece) - 0.0001 * a, cuts[a], cuts[b])
                if best is None or key[0] > best[0]:
                    best = key
        if best is not None:
            _, a, b = best
            piece = span[a:b]
            lead = len(piece) - len(piece.lstrip())
            return start + a + lead, start + a + len(piece.rstrip())
        # no clause fits: the longest prefix of whole words within both limits
        cut = 0
        for n, m in enumerate(re.finditer(r"\S+", span), 1):
            if n > limit_w or m.end() > limit_c:
                break
            cut = m.end()
        return start, start + (cut or min(len(span), limit_c))

    # ------------------------------------------------------------------
    def _support_dict(self, q: Question, cand: _Candidate) -> dict:
        s = cand.support
        return {
            "score": round(s.score, 3),
            "term_coverage": round(s.term_coverage, 3),
            "names": f"{s.names_found}/{s.names_total}",
            "numbers_ok": s.numbers_ok,
            "type_ok": s.type_ok,
            "dense": round(s.dense, 3),
            "missing": s.missing,
            "wh": q.wh,
        }

    def _describe_topics(self) -> str:
        titles = [a.title for a in self.library.articles.values() if a.title]
        dates = sorted(a.date for a in self.library.articles.values() if a.date)
        shown = "; ".join(f"“{t}”" for t in titles[:5])
        more = f" and {len(titles) - 5} more" if len(titles) > 5 else ""
        span = ""
        if dates:
            span = f" (dated {dates[0]}" + (f" to {dates[-1]})" if dates[-1] != dates[0] else ")")
        return f"{len(titles)} article{'s' if len(titles) != 1 else ''}{span}: {shown}{more}"

    def _refusal_text(self) -> str:
        return prompts.render("refusal", topics=self._topics)

    def _refuse(self, question, text, reason, t0, timings=None, support=None) -> Answer:
        timings = dict(timings or {})
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return Answer(question, text, (), True, reason, "extractive", timings, support)
