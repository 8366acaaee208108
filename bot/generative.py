"""Generative answers from any OpenAI-compatible LLM, verified after the fact.

The model sees the same retrieved passages the extractive answerer scores, as
numbered excerpts (title, date, text), and must answer only from them with [n]
markers after every sentence — or reply with a fixed refusal marker. Article
sentences addressed to AI systems (planted instructions) are withheld from it and
never count as support. Nothing it writes is trusted:

1. the reply is split into sentences and their citation markers;
2. markers pointing to no excerpt are dropped;
3. each sentence must be supported by its cited excerpts: its numbers, names and
   dates appear there (spelling variants allowed, as in the extractive support
   check) and enough of its key terms do (rarity-weighted, paraphrases get partial
   credit). A sentence that fails, or has no marker, is re-cited to the one excerpt
   that supports it, or removed;
4. each surviving citation carries a verbatim quote — the excerpt sentence that
   supports the claim — checked against the stored article like in extractive mode.

If the model returned the refusal marker, the answer is a refusal. If nothing of
its reply survives (it made things up, or answered something else), the extractive
answer is returned when it answers — verified on its own, it does not depend on the
rejected reply — with `fallback` "rejected: …"; a refusal otherwise. If the model
cannot be reached, errs, times out or returns nothing usable, the extractive answer
is returned instead, with `fallback` saying why.
The LLM client (llama-index's OpenAILike) is imported only here, on first use.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import os
import re
import threading
import time
from dataclasses import dataclass

import prompts
from bot.answer import Answer, Citation
from bot.support import TITLE_WORDS, Question, analyse, name_in, stem, term_coverage, words
from bot.verify import is_verbatim
from index.tokens import count as count_tokens

log = logging.getLogger(__name__)

REFUSAL_MARKER = "NOT_IN_EXCERPTS"
MAX_SENTENCES = 6  # asked of the model; longer replies are cut after verification
_MARKER_RE = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
_MARKER_RUN_RE = re.compile(r"(?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+")
_THINK_RE = re.compile(r"<think>.*?(?:</think>|\Z)", re.S | re.I)
_BULLET_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
# Text addressed to an AI system rather than to readers: prompt injection planted in an article.
_INJECTION_RE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?]{0,60}\b(?:instructions?|rules|prompts?|guidelines|directives)\b"
    r"|\b(?:system prompt|prompt injection)\b"
    r"|\b(?:you are|act as|pretend to be)\s+(?:an?\s+)?(?:ai|assistant|language model|chatbot|llm)\b"
    r"|\b(?:ai|assistants?|language models?|chatbots?|llms?)\b[^.!?]{0,40}\b(?:must|should|have to|are instructed to)\s+(?:say|answer|reply|respond|tell|write|state)\b",
    re.I,
)
WITHHELD = "[…]"
_CAPITALISED_RE = re.compile(r"\b[A-Z][\w'’.-]*")
_REFUSAL_RE = re.compile(r"NOT[\s_-]*IN[\s_-]*EXCERPTS", re.I)


class LLMConfigError(ValueError):
    """Generative mode without the settings it needs."""


class LLMFailure(Exception):
    """The model gave no usable reply; `reason` is the short code recorded as `fallback`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Excerpt:
    n: int
    source: str
    sentences: tuple[int, ...]  # indices into library.sentences, consecutive, one article


@dataclass
class Claim:
    text: str  # the sentence without its markers
    markers: list[int]  # as written by the model, in order, without duplicates


def check_settings(settings) -> None:
    missing = [name for name in ("llm_base_url", "llm_model") if not getattr(settings, name)]
    if missing:
        raise LLMConfigError(
            "Generative mode needs " + " and ".join(n.upper() for n in missing)
            + " (an OpenAI-compatible server, e.g. LLM_BASE_URL=http://127.0.0.1:11434/v1 and LLM_MODEL=llama3.2 for Ollama);"
            " see .env.example, or use --mode extractive."
        )


def make_llm(settings):
    """llama-index's OpenAI-compatible chat LLM for these settings (imported lazily)."""
    import httpx
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        # made here, at start (TLS setup included), so the first question does not pay for it
        http_client=httpx.Client(timeout=settings.llm_timeout_s),
        model=settings.llm_model,
        api_base=settings.llm_base_url.rstrip("/"),
        api_key=settings.llm_api_key or "not-needed",  # local servers ignore it; the client requires one
        is_chat_model=True,
        context_window=settings.llm_context_tokens + settings.llm_max_tokens + 1024,
        max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
        timeout=settings.llm_timeout_s,
        max_retries=0,  # one attempt: the whole answer must fit in LLM_TIMEOUT_S
    )


class Generator:
    """Generative mode on top of an Answerer: same retrieval, same verification primitives."""

    def __init__(self, answerer, settings, llm=None) -> None:
        check_settings(settings)
        self.answerer = answerer
        self.library = answerer.library
        self.settings = settings
        # loaded at start: a missing or broken template fails here, not at the first question
        self.system_prompt = prompts.render("generative_system", max_sentences=MAX_SENTENCES, refusal_marker=REFUSAL_MARKER)
        prompts.load("generative_user")
        prompts.load("generative_excerpt")
        self.llm = llm if llm is not None else make_llm(settings)
        # the computing part of an answer (retrieval, reading, the extractive fallback,
        # verification) one per core at a time: a front end runs several answers at once so
        # that LLM waits overlap (bot/telegram/app.py: 4 per core), and when the LLM fails fast
        # they would otherwise all compute at once, each slower than alone
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        self.computing = threading.BoundedSemaphore(max(1, cores or 1))

    # ------------------------------------------------------------------
    def ask(self, question: str) -> Answer:
        a = self.answerer
        t0 = time.perf_counter()
        q_text, refusal = a.check_question(question, t0)
        if refusal is not None:
            return dataclasses.replace(refusal, mode="generative")
        timings: dict[str, float] = {}
        with self.computing:
            q, hits, cands = a.candidates(q_text, timings)
            excerpts = self.excerpts(hits, cands)
            if not excerpts:  # nothing retrieved (a refusal), or LLM_CONTEXT_TOKENS too small for one sentence
                answer = a.decide(question, q, cands, timings, t0)
                if answer.refused:
                    return dataclasses.replace(answer, mode="generative")
                log.warning("no excerpt fits LLM_CONTEXT_TOKENS=%d; using the extractive answer", self.settings.llm_context_tokens)
                return dataclasses.replace(answer, fallback=f"no_excerpts: nothing fits LLM_CONTEXT_TOKENS={self.settings.llm_context_tokens}")
            messages = self.messages(q_text, excerpts)
        t = time.perf_counter()
        try:
            reply = self.complete(messages)
        except LLMFailure as exc:
            timings["llm_ms"] = (time.perf_counter() - t) * 1000
            log.warning("LLM answer failed (%s); using the extractive answer", exc)
            with self.computing:
                return dataclasses.replace(a.decide(question, q, cands, timings, t0), fallback=str(exc))
        timings["llm_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        with self.computing:
            answer = self.verified_answer(question, q, reply, excerpts, timings, t0, lambda: a.decide(question, q, cands, timings, t0))
        answer.timings["verify_ms"] = (time.perf_counter() - t) * 1000
        return answer

    # --- excerpts -------------------------------------------------------
    def excerpts(self, hits, cands, extra_spans: int = 3) -> list[Excerpt]:
        """The retrieved chunks (best first), widened to whole sentences and merged where they
        overlap or touch, plus the best extractive candidate spans with their neighbours;
        numbered 1.. and trimmed to LLM_CONTEXT_TOKENS."""
        lib = self.library
        groups: list[range] = []  # sentence index ranges, in order of first retrieval

        def add(indices: list[int]) -> None:
            if not indices:
                return
            new = range(min(indices), max(indices) + 1)
            src = lib.sentences[new[0]].source
            touching = [k for k, g in enumerate(groups) if lib.sentences[g[0]].source == src and new[0] <= g[-1] + 1 and new[-1] >= g[0] - 1]
            if not touching:
                groups.append(new)
                return
            merged = [new, *(groups[k] for k in touching)]
            groups[touching[0]] = range(min(g[0] for g in merged), max(g[-1] for g in merged) + 1)
            for k in reversed(touching[1:]):
                del groups[k]

        for hit in hits:
            add(lib.sentence_indices(hit.chunk.source, hit.chunk.start, hit.chunk.end))
        for cand in cands[:extra_spans]:
            add(self.answerer._window(cand.focus))

        budget = self.settings.llm_context_tokens
        out: list[Excerpt] = []
        for g in groups:
            keep = list(g)
            while keep:
                ex = Excerpt(len(out) + 1, lib.sentences[keep[0]].source, tuple(keep))
                cost = count_tokens(self.excerpt_prompt(ex))
                if cost <= budget:
                    budget -= cost
                    out.append(ex)
                    break
                keep.pop()  # drop trailing sentences until it fits
            if budget <= 0:
                break
        return out

    def excerpt_text(self, ex: Excerpt) -> str:
        first, last = self.library.sentences[ex.sentences[0]], self.library.sentences[ex.sentences[-1]]
        return self.library.articles[ex.source].text[first.start : last.end]

    def is_injection(self, j: int) -> bool:
        """Is sentence j written to an AI system ("ignore previous instructions …")? Such a
        sentence is withheld from the model and can never support a claim."""
        return bool(_INJECTION_RE.search(self.library.sentences[j].text))

    def model_text(self, ex: Excerpt) -> str:
        """The excerpt as the model sees it: sentences addressed to AI systems replaced by […]."""
        lib = self.library
        text = lib.articles[ex.source].text
        base = lib.sentences[ex.sentences[0]].start
        out, pos = [], base
        for j in ex.sentences:
            s = lib.sentences[j]
            if self.is_injection(j):
                out.append(text[pos : s.start] + WITHHELD)
                pos = s.end
        out.append(text[pos : lib.sentences[ex.sentences[-1]].end])
        return "".join(out)

    def excerpt_prompt(self, ex: Excerpt) -> str:
        article = self.library.articles[ex.source]
        return prompts.render(
            "generative_excerpt", n=ex.n, title=_attr(article.title or article.source), date=_attr(article.date or "unknown"),
            text=_data(self.model_text(ex)),
        )

    def messages(self, question: str, excerpts: list[Excerpt]) -> list:
        from llama_index.core.llms import ChatMessage

        user = prompts.render(
            "generative_user", excerpts="\n\n".join(self.excerpt_prompt(ex) for ex in excerpts),
            question=_data(question), refusal_marker=REFUSAL_MARKER,
        )
        return [ChatMessage(role="system", content=self.system_prompt), ChatMessage(role="user", content=user)]

    # --- the model ------------------------------------------------------
    def complete(self, messages) -> str:
        """The model's reply text, within LLM_TIMEOUT_S, or LLMFailure."""
        limit = self.settings.llm_timeout_s
        # a daemon thread per call: the caller waits at most `limit`; an abandoned request ends at
        # the client's own timeout and can never keep the process from exiting
        future: concurrent.futures.Future = concurrent.futures.Future()

        def work() -> None:
            try:
                future.set_result(self._chat(messages))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                future.set_exception(exc)

        threading.Thread(target=work, name="citebot-llm", daemon=True).start()
        try:
            return future.result(timeout=limit)
        except concurrent.futures.TimeoutError:
            raise LLMFailure("timeout", f"no reply within {limit:g} s") from None

    def _chat(self, messages) -> str:
        import openai

        try:
            response = self.llm.chat(messages)
        except openai.APITimeoutError:
            raise LLMFailure("timeout", f"no reply within {self.settings.llm_timeout_s:g} s") from None
        except openai.APIConnectionError as exc:
            raise LLMFailure("unreachable", f"cannot reach {self.settings.llm_base_url} ({_cause(exc)})") from None
        except openai.APIStatusError as exc:
            raise LLMFailure("http_error", f"HTTP {exc.status_code} from {self.settings.llm_base_url}") from None
        except Exception as exc:  # noqa: BLE001 - a reply the client cannot parse is a model failure, not ours
            raise LLMFailure("malformed_output", f"{type(exc).__name__}: {exc}"[:200]) from None
        content = response.message.content
        if content is not None and not isinstance(content, str):
            raise LLMFailure("malformed_output", "the reply's content is not text")
        text = _THINK_RE.sub("", content or "").strip()
        if not text:
            raise LLMFailure("empty_output", "the model returned no text")
        return text

    # --- verification ---------------------------------------------------
    def parse(self, reply: str) -> list[Claim]:
        """Sentences with their [n] markers. Markers the model put after the full stop
        ("… Minsk. [2]") belong to the sentence before them."""
        nlp = self.answerer.nlp
        claims: list[Claim] = []
        for line in reply.splitlines():
            line = _BULLET_RE.sub("", line).strip()
            if not line:
                continue
            for sent in nlp(line).sents:
                raw = sent.text.strip()
                lead = _MARKER_RUN_RE.match(raw)
                if lead and claims:
                    _merge(claims[-1].markers, _numbers(lead.group(0)))
                    raw = raw[lead.end() :].strip()
                if not raw:
                    continue
                markers = list(dict.fromkeys(_numbers(raw)))
                text = " ".join(_MARKER_RUN_RE.sub(" ", raw).split())
                text = re.sub(r"\s+([.,;:!?])", r"\1", text)
                if not re.search(r"\w", text):  # only markers / punctuation left: they close the sentence before
                    if claims:
                        _merge(claims[-1].markers, markers)
                        claims[-1].text += text.strip()
                    continue
                same = next((c for c in claims if c.text.casefold() == text.casefold()), None)
                if same is not None:  # a model looping on one sentence: said once, its markers kept
                    _merge(same.markers, markers)
                    continue
                claims.append(Claim(text, markers))
        return claims

    def verified_answer(self, question, q: Question, reply: str, excerpts: list[Excerpt], timings, t0, extractive) -> Answer:
        a = self.answerer
        dropped: list[dict] = []

        def refuse(reason: str, support: dict | None = None) -> Answer:
            timings["total_ms"] = (time.perf_counter() - t0) * 1000
            return Answer(question, a.refusal_text(), (), True, reason, "generative", dict(timings), support, None, tuple(dropped))

        def rejected(why: str, support: dict) -> Answer:
            """Nothing of the reply verified: the extractive answer, checked on its own, when
            it answers ("Who interviewed Shmelyev?" is no less answerable because the model
            made up its reply), else the refusal with what was dropped."""
            ans = extractive()
            if ans.refused:
                return refuse("unsupported", support)
            log.warning("no sentence of the LLM reply was verified (%s); using the extractive answer", why)
            return dataclasses.replace(ans, fallback=f"rejected: {why}", dropped=tuple(dropped))

        if _REFUSAL_RE.search(reply):
            return refuse("not_in_excerpts")
        claims = self.parse(reply)
        if not claims:
            log.warning("LLM reply has no sentences; using the extractive answer")
            return dataclasses.replace(extractive(), fallback="malformed_output: no sentences in the reply")
        by_n = {ex.n: ex for ex in excerpts}
        kept: list[tuple[Claim, Question, list[tuple[Excerpt, int]]]] = []  # claim, its analysis, [(excerpt, supporting sentence)]
        any_marker = any(c.markers for c in claims)
        recited = 0
        for claim in claims:
            valid = []
            for n in claim.markers:
                if n in by_n:
                    valid.append(n)
                else:
                    dropped.append({"kind": "marker", "marker": f"[{n}]", "sentence": claim.text, "reason": f"no excerpt [{n}] (there are {len(excerpts)})"})
            cq = analyse(claim.text, a.nlp, self.settings.wordnet)
            soft = self._soft(cq)
            support = self.support(cq, [by_n[n] for n in valid], soft) if valid else None
            if support is None or not support[0]:
                reason = support[1] if support else "no citation marker"
                # re-cite: the one excerpt that does support the sentence, if any
                best = None
                for ex in excerpts:
                    ok, _why, single = self.support(cq, [ex], soft)
                    if ok and (best is None or single[0][2] > best[2][0][2]):
                        best = (ex, _why, single)
                if best is None:
                    dropped.append({"kind": "sentence", "sentence": claim.text, "markers": [f"[{n}]" for n in claim.markers], "reason": reason})
                    continue
                for n in valid:
                    dropped.append({"kind": "marker", "marker": f"[{n}]", "sentence": claim.text, "reason": f"{reason}; re-cited to [{best[0].n}]"})
                recited += 1
                support = (True, "", best[2])
            used = []
            for ex, sentence, score in support[2]:
                if score > 0:
                    used.append((ex, sentence))
                else:
                    dropped.append({"kind": "marker", "marker": f"[{ex.n}]", "sentence": claim.text, "reason": "the excerpt holds nothing of the sentence"})
            kept.append((claim, cq, used))

        stats = {"sentences": len(claims), "supported": len(kept), "recited": recited,
                 "markers_dropped": sum(1 for d in dropped if d["kind"] == "marker"), "excerpts": len(excerpts)}
        if not kept:
            if not any_marker:  # the model ignored the format altogether
                log.warning("LLM reply has no citation markers and no supported sentence; using the extractive answer")
                ans = extractive()
                return dataclasses.replace(ans, fallback="malformed_output: no citation markers", dropped=tuple(dropped))
            return rejected("no sentence of the reply is supported by the excerpts it cites", stats)
        for claim, _cq, _used in kept[MAX_SENTENCES:]:
            dropped.append({"kind": "sentence", "sentence": claim.text, "reason": f"beyond {MAX_SENTENCES} sentences"})
        kept = kept[:MAX_SENTENCES]

        # the answer must be about the question: its names and numbers are in the cited articles
        cited_sources = {ex.source for _, _, used in kept for ex, _ in used}
        cited_words = set().union(*(a._article_words(src) | set(words(self.library.articles[src].title)) for src in cited_sources))
        ratio = self.settings.name_match_ratio
        absent = [" ".join(n) for n in q.names if not name_in(n, cited_words, ratio)]
        absent += [num for num in q.numbers if not any(num in w for w in cited_words)]
        if absent:
            dropped.append({"kind": "answer", "reason": "the cited articles never mention " + ", ".join(absent)})
            return rejected("the cited articles never mention " + ", ".join(absent), stats)

        citations: list[Citation] = []
        parts: list[str] = []
        for claim, cq, used in kept:
            marks = []
            for ex, sentence in used:
                s = self.library.sentences[sentence]
                article = self.library.articles[s.source]
                start, end = a._trim(article.text, s.start, s.end, cq)
                cit = Citation(article.source, article.title, article.date, article.url, article.text[start:end], start, end)
                if not is_verbatim(article.text, cit.quote, cit.start, cit.end):
                    dropped.append({"kind": "marker", "marker": f"[{ex.n}]", "sentence": claim.text, "reason": "quote not verbatim"})
                    continue
                if cit not in citations:
                    citations.append(cit)
                marks.append(citations.index(cit) + 1)
            if not marks:
                dropped.append({"kind": "sentence", "sentence": claim.text, "reason": "no verified quote"})
                continue
            parts.append(_with_marks(claim.text, sorted(set(marks))))
        stats["supported"] = len(parts)
        if not parts:
            return rejected("no quote of the reply verified", stats)
        stats["support_rate"] = round(len(parts) / len(claims), 3)
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return Answer(question, " ".join(parts), tuple(citations), False, None, "generative", dict(timings), stats, None, tuple(dropped))

    def _proper_words(self, cq: Question) -> list[tuple[str, ...]]:
        """Capitalised words spaCy did not tag as names ("Wojciechowski: after …"): they must be in
        the cited text too — except an ordinary word that merely opens the sentence."""
        from index.nlp import stop_words

        stop = stop_words()

        out = []
        for k, m in enumerate(_CAPITALISED_RE.finditer(cq.text)):
            folded = tuple(words(m.group()))
            if not folded or folded[0] in stop or folded[0] in cq.name_words:
                continue
            if k == 0 and m.start() == _first_word_at(cq.text) and folded[0] in self.answerer._corpus_words:
                continue
            out.append(folded)
        return out

    def _soft(self, cq: Question):
        """Paraphrase-tolerant term matching for this claim (the corpus lexicon's embeddings)."""
        terms = list(dict.fromkeys(cq.terms))
        lexicon = self.answerer._lexicon
        return lexicon.matcher(terms, lexicon.vectors_for(terms))

    def support(self, cq: Question, cited: list[Excerpt], soft=None) -> tuple[bool, str, list[tuple[Excerpt, int, float]]]:
        """Does the text of these excerpts support the claim? (ok, why not, [(excerpt,
        its best supporting sentence, how much of the claim that excerpt holds)])."""
        lib = self.library
        a = self.answerer
        ratio = self.settings.name_match_ratio
        idx = [j for ex in cited for j in ex.sentences if not self.is_injection(j)]
        wset = set().union(*(a._sentence_words[j] for j in idx))
        lemmas = {lm for j in idx for lm in lib.sentences[j].lemmas}
        for num in cq.numbers:
            if not _number_in(num, wset):
                return False, f"number {num} is not in the cited excerpt", []
        for name in cq.names + self._proper_words(cq):
            if not _name_present(name, wset, ratio):
                return False, f"“{' '.join(name)}” is not in the cited excerpt", []
        cov, missing = term_coverage(cq, lemmas, wset, a.vocab, soft)
        if cov < self.settings.llm_min_term_coverage:
            return False, f"key terms not in the cited excerpt: {', '.join(dict.fromkeys(missing))}", []
        # per excerpt: its best sentence for the claim, and how many of the claim's items it holds
        items_names = cq.names
        stems = {stem(t) for t in cq.terms}
        used = []
        for ex in cited:
            best_j, best_score = ex.sentences[0], 0.0
            for j in ex.sentences:
                if self.is_injection(j):
                    continue
                sw = a._sentence_words[j]
                score = sum(2.0 for n in items_names if name_in(n, sw, ratio))
                score += sum(2.0 for num in cq.numbers if _number_in(num, sw))
                score += len(stems & ({stem(lm) for lm in lib.sentences[j].lemmas} | {stem(w) for w in sw}))
                if score > best_score:
                    best_j, best_score = j, score
            if not (cq.names or cq.numbers or cq.terms):
                best_score = 1.0  # nothing to check ("Yes [1].")
            used.append((ex, best_j, best_score))
        # a marker the sentence does not need: the other cited excerpts support it without this
        # one, and this one holds less than half of what the best one does
        used.sort(key=lambda u: -u[2])
        for k in range(len(used) - 1, 0, -1):
            ex, _j, score = used[k]
            rest = [u[0] for u in used if u[0] is not ex and u[2] > 0]
            if score < used[0][2] / 2 and rest and self.support(cq, rest, soft)[0]:
                used[k] = (ex, _j, 0.0)
        used.sort(key=lambda u: cited.index(u[0]))
        return True, "", used


def _numbers(text: str) -> list[int]:
    return [int(n) for m in _MARKER_RE.finditer(text) for n in re.split(r"\s*[,;]\s*", m.group(1))]


def _name_present(name: tuple[str, ...], wordset: set[str], ratio: float) -> bool:
    """Stricter than the question-side `name_in` (one token of a name is enough there): every
    significant word of a claimed name must be in the cited text, spelling variants allowed
    ("the Wojciechowski Protocol" is not backed by a text that only says "protocol");
    initials still stand for the whole name ("U.S.")."""
    from index.nlp import stop_words

    stop = stop_words()

    if not name_in(name, wordset, ratio):
        return False
    if len(name) > 1 and "".join(t[0] for t in name if t not in ("the", "of")) in wordset:
        return True
    sig = [t for t in name if len(t) >= 3 and "-" not in t and t not in TITLE_WORDS and t not in stop]
    return all(name_in((t,), wordset, ratio) for t in sig)


def _first_word_at(text: str) -> int:
    m = re.search(r"\w", text)
    return m.start() if m else -1


def _merge(markers: list[int], more: list[int]) -> None:
    for n in more:
        if n not in markers:
            markers.append(n)


def _number_in(num: str, wordset: set[str]) -> bool:
    """The number as a word of the text, or with a suffix ("1990s", "5th"); never inside another number."""
    return num in wordset or any(w.startswith(num) and w[len(num):].isalpha() for w in wordset)


def _with_marks(text: str, marks: list[int]) -> str:
    tag = "".join(f"[{m}]" for m in marks)
    m = re.search(r"[.!?…]+[\"'”’)]*$", text)
    if m:
        return f"{text[: m.start()].rstrip()} {tag}{text[m.start():]}"
    return f"{text} {tag}"


def _data(text: str) -> str:
    """Article or question text inside the prompt: it cannot close or open an <excerpt> tag."""
    return text.replace("<", "‹").replace(">", "›")


def _attr(text: str) -> str:
    return _data(text).replace('"', "'").replace("\n", " ")


def _cause(exc: BaseException) -> str:
    inner = exc.__cause__ or exc.__context__
    return type(inner).__name__ if inner else type(exc).__name__

