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

A sentence that names, counts and claims nothing ("Yes [1].") supports nothing: any
excerpt would "hold" it. Text the reply puts in quotation marks must be in a cited
excerpt word for word (case, spacing, quote and dash styles aside): a quotation is
the one claim whose exact words matter.

If the model's whole reply is the refusal marker, the answer is a refusal. If nothing of
its reply survives (it made things up, or answered something else), or the reply is
too long to be an answer (MAX_REPLY_CHARS; it is not parsed), the extractive answer is
returned when it answers — exactly what extractive mode answers to the question,
verified on its own, it does not depend on the rejected reply — with `fallback`
"rejected: …"; a refusal otherwise. If the model cannot be reached, errs, times out or
returns nothing usable, the extractive answer is returned instead, with `fallback`
saying why in words a reader understands ("http_error: the model server returned
HTTP 429 (rate limited)").
The reply is cleaned of terminal control sequences and bidirectional overrides the
way questions are, before it is verified or shown.
The LLM client (llama-index's OpenAILike) is imported only here, on first use.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import json
import logging
import os
import re
import threading
import time
from dataclasses import dataclass

import prompts
from bot.answer import _CONTROL_RE, _INVISIBLE_RE, Answer, Citation
from bot.evaluate.metrics import normalise
from bot.support import CARDINALS, TITLE_WORDS, Question, analyse, name_in, stem, term_coverage, words
from bot.verify import is_verbatim
from index.tokens import count as count_tokens

log = logging.getLogger(__name__)

REFUSAL_MARKER = "NOT_IN_EXCERPTS"
MAX_SENTENCES = 6  # asked of the model; longer replies are cut after verification
# The completion asked for (LLM_MAX_TOKENS may ask for less, never more): MAX_SENTENCES cited
# sentences are ≈ 250 tokens. More only lets a looping model run on until LLM_TIMEOUT_S.
MAX_REPLY_TOKENS = 400
# A reply longer than this is rejected unparsed (spaCy took 40 s and 1.7 GB for 300 KB, and
# refuses 1 MB with an error). MAX_REPLY_TOKENS of English are ≈ 1,600 characters, MAX_SENTENCES
# long sentences with their markers ≈ 2,000: twice that is no answer the prompt asked for, and
# still parses in ≈ 50 ms. Characters, not sentences: counting sentences needs the parse.
MAX_REPLY_CHARS = 4_000
# The HTTP body read at most (the JSON around the reply, escapes, a <think> block within
# MAX_REPLY_TOKENS: all far below it): a server that ignores max_tokens is not read to the end.
MAX_REPLY_BYTES = 256 * 1024
TOO_LONG = "the reply is too long"
NOTHING_TO_CHECK = "nothing in the sentence to check (no name, number or key term)"
# escapes left by bot/answer.py's _INVISIBLE_RE: ESC c (reset), ESC 7 / ESC 8, ESC ( B …
_ESCAPE_RE = re.compile(r"\x1b[\x20-\x2f]*[\x30-\x7e]")
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
# The refusal marker as the model may write it ("NOT_IN_EXCERPTS", "not in the excerpts"). The
# whole reply is a refusal only when it opens with it (markup and punctuation before it aside):
# within an answer it is a sentence saying that something is not there, which supports nothing.
_REFUSAL = r"NOT[\s_-]*IN[\s_-]*(?:THE[\s_-]+)?EXCERPTS"
_REFUSAL_RE = re.compile(_REFUSAL, re.I)
_REFUSAL_REPLY_RE = re.compile(rf"^[\W_]*{_REFUSAL}(?![^\W_])", re.I)
# Quotation marks: double ones in any style; single curly ones (’ closes only where it is not an
# apostrophe inside a word: "Lukashenko’s"). Straight single quotes are apostrophes too often.
_OPENING_QUOTES = "“„‟«"
_CLOSING_QUOTES = "”»"
_SINGLE_QUOTED_RE = re.compile(r"‘([^‘’]*(?:’\w[^‘’]*)*)(?:’(?!\w)|$)")
_ELLIPSIS_RE = re.compile(r"\.\.\.+|…|\[\s*(?:\.\.\.|…)\s*\]")
# primes, which models write for quotes at times; the rest of the folding is the eval's own
# (bot.evaluate.metrics.normalise: quotes, every dash, case, spacing, compatibility forms)
_PRIMES = str.maketrans({"′": "'", "″": '"'})
# Numbers written as words: spaCy counts them as stop words (no key term) and `numbers` holds
# digits only, yet "third [1]." answers "which release was it?" and must be in its excerpt — as
# the word, or in digits ("3", "3rd").
_ORDINALS = ("zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth"
             " fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth").split()
_NUMBER_WORDS = {w: str(k) for k, w in enumerate(CARDINALS)} | {w: str(k) for k, w in enumerate(_ORDINALS)}
_NUMBER_WORDS |= {w: w for w in ("thirty forty fifty sixty seventy eighty ninety hundred thousand million billion trillion"
                                 " thirtieth fortieth fiftieth hundredth thousandth millionth dozen").split()}
_HTTP_REASONS = {
    400: "bad request: check LLM_MODEL", 401: "not authorised: check LLM_API_KEY", 403: "forbidden: check LLM_API_KEY",
    404: "not found: check LLM_BASE_URL and LLM_MODEL", 408: "request timeout", 413: "request too large",
    422: "request not accepted", 429: "rate limited", 500: "server error", 502: "bad gateway",
    503: "unavailable", 504: "gateway timeout",
}


class LLMConfigError(ValueError):
    """Generative mode without the settings it needs."""


class LLMFailure(Exception):
    """The model gave no usable reply; `reason` is the short code recorded as `fallback`, `detail`
    says why in words a reader understands (it is shown in the fallback note)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class ReplyTooLarge(Exception):
    """The HTTP body of the reply passed MAX_REPLY_BYTES: it is not read further."""


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


def reply_tokens(settings) -> int:
    """The max_tokens asked for: LLM_MAX_TOKENS (which the settings keep at most MAX_REPLY_TOKENS)."""
    return min(settings.llm_max_tokens, MAX_REPLY_TOKENS)


def make_llm(settings):
    """llama-index's OpenAI-compatible chat LLM for these settings (imported lazily)."""
    import httpx
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        # made here, at start (TLS setup included), so the first question does not pay for it;
        # the body of a reply is read up to MAX_REPLY_BYTES, uncompressed (so that the bytes
        # counted are the bytes kept), whatever the server sends
        http_client=httpx.Client(timeout=settings.llm_timeout_s, headers={"Accept-Encoding": "identity"},
                                 event_hooks={"response": [_cap_body]}),
        model=settings.llm_model,
        api_base=settings.llm_base_url.rstrip("/"),
        api_key=settings.llm_api_key or "not-needed",  # local servers ignore it; the client requires one
        is_chat_model=True,
        context_window=settings.llm_context_tokens + reply_tokens(settings) + 1024,
        max_tokens=reply_tokens(settings),
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
                answer = self.extractive(question, timings, t0)
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
            with self.computing:
                if exc.reason == "rejected":  # a body over MAX_REPLY_BYTES: too long, as a long text is
                    return self.rejected(question, exc.detail, timings, t0, [{"kind": "answer", "reason": f"{TOO_LONG} (over {MAX_REPLY_BYTES} bytes)"}])
                log.warning("LLM answer failed (%s); using the extractive answer", exc)
                return dataclasses.replace(self.extractive(question, timings, t0), fallback=str(exc))
        timings["llm_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        with self.computing:
            answer = self.verified_answer(question, q, reply, excerpts, timings, t0, lambda: self.extractive(question, timings, t0))
        answer.timings["verify_ms"] = (time.perf_counter() - t) * 1000
        return answer

    def extractive(self, question: str, timings: dict[str, float], t0: float) -> Answer:
        """Exactly what extractive mode answers (topic overviews, bylines, two questions in one
        included: `Answerer.decide` alone skips them), with this attempt's timings kept.
        It retrieves and reads again rather than reuse this attempt's candidates: the Answerer
        has no entry point that takes them, and a copy of `extractive`'s steps here would drift
        from it. It costs one extractive answer (≈ 50 ms), only when the model’s reply is not used."""
        answer = self.answerer.extractive(question)
        return dataclasses.replace(answer, timings={**timings, **answer.timings, "total_ms": (time.perf_counter() - t0) * 1000})

    def rejected(self, question: str, why: str, timings, t0, dropped: list[dict], support: dict | None = None, extractive=None) -> Answer:
        """Nothing of the reply verified (or it was too long to try): the extractive answer,
        checked on its own, when it answers ("Who interviewed Shmelyev?" is no less answerable
        because the model made up its reply), else the refusal with what was dropped."""
        ans = extractive() if extractive is not None else self.extractive(question, timings, t0)
        if ans.refused:
            timings["total_ms"] = (time.perf_counter() - t0) * 1000
            return Answer(question, self.answerer.refusal_text(), (), True, "unsupported", "generative", dict(timings), support, None, tuple(dropped))
        log.warning("the LLM reply was rejected (%s); using the extractive answer", why)
        return dataclasses.replace(ans, fallback=f"rejected: {why}", dropped=tuple(dropped))

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
        """The reply's text, cleaned; or LLMFailure with a reason a reader understands (the
        exception's own words name Python types: "IndexError: list index out of range")."""
        import openai

        try:
            response = self.llm.chat(messages)
        except openai.APITimeoutError:
            raise LLMFailure("timeout", f"no reply within {self.settings.llm_timeout_s:g} s") from None
        except openai.APIConnectionError as exc:
            if _caused_by(exc, ReplyTooLarge):
                raise LLMFailure("rejected", TOO_LONG) from None
            log.info("LLM connection failed: %s", _cause(exc))
            raise LLMFailure("unreachable", f"cannot reach the model server at {self.settings.llm_base_url} ({_connection_reason(exc)})") from None
        except openai.APIStatusError as exc:
            log.info("LLM server %s returned HTTP %s", self.settings.llm_base_url, exc.status_code)
            raise LLMFailure("http_error", _http_reason(exc.status_code)) from None
        except Exception as exc:  # noqa: BLE001 - a reply the client cannot parse is a model failure, not ours
            if _caused_by(exc, ReplyTooLarge):  # the body of an error status, read outside the client's guard
                raise LLMFailure("rejected", TOO_LONG) from None
            log.info("LLM reply not understood: %s", f"{type(exc).__name__}: {exc}"[:200])
            if isinstance(exc, IndexError):  # llama-index reads choices[0]: there was none
                raise LLMFailure("malformed_output", "the model sent no answer") from None
            if _caused_by(exc, json.JSONDecodeError) or _caused_by(exc, UnicodeDecodeError):
                raise LLMFailure("malformed_output", "the model's reply was not valid JSON") from None
            raise LLMFailure("malformed_output", "the model's reply was not a chat completion") from None
        content = response.message.content
        if content is not None and not isinstance(content, str):
            raise LLMFailure("malformed_output", "the model's answer was not text")
        text = clean_reply(_THINK_RE.sub("", content or "")).strip()
        if not text:
            raise LLMFailure("empty_output", "the model sent no answer")
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

        def rejected(why: str, support: dict | None) -> Answer:
            return self.rejected(question, why, timings, t0, dropped, support, extractive)

        if len(reply) > MAX_REPLY_CHARS:  # before anything reads it: the parse is what costs
            dropped.append({"kind": "answer", "reason": f"{TOO_LONG} ({len(reply)} characters, at most {MAX_REPLY_CHARS})"})
            return rejected(TOO_LONG, None)
        reply = clean_reply(reply)
        if _REFUSAL_REPLY_RE.match(reply):
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
            if _REFUSAL_RE.search(claim.text):  # "His age is not in excerpts.": it says nothing of the articles
                dropped.append({"kind": "sentence", "sentence": claim.text, "markers": [f"[{n}]" for n in claim.markers],
                                "reason": "it says the excerpts do not hold something"})
                continue
            valid = []
            for n in claim.markers:
                if n in by_n:
                    valid.append(n)
                else:
                    dropped.append({"kind": "marker", "marker": f"[{n}]", "sentence": claim.text, "reason": f"no excerpt [{n}] (there are {len(excerpts)})"})
            cq = analyse(claim.text, a.nlp, self.settings.wordnet)
            if not self._checkable(cq):  # "Yes [1].": any excerpt would hold it, so none supports it
                dropped.append({"kind": "sentence", "sentence": claim.text, "markers": [f"[{n}]" for n in claim.markers], "reason": NOTHING_TO_CHECK})
                continue
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

    def _checkable(self, cq: Question) -> bool:
        """Does the sentence say anything an excerpt can hold or lack — a name, a number, a key
        term, a capitalised word? "Yes.", "No.", "ok.", "Yes, he did." (or a quoted "Yes") do not:
        they would pass against any excerpt, so they support nothing (a "yes" inside a sentence
        that says what is so is checked with the rest of it)."""
        return bool(cq.names or cq.numbers or cq.terms or self._proper_words(cq) or _number_words(cq.text))

    def _holds_quotation(self, ex: Excerpt, pieces: tuple[str, ...]) -> bool:
        """Are the quoted words in the excerpt, in order (pieces: the quotation cut at its
        ellipses), as the model saw it (withheld sentences are not there)?"""
        text = _fold(self.model_text(ex))
        pos = 0
        for piece in pieces:
            at = text.find(piece, pos)
            if at < 0:
                return False
            pos = at + len(piece)
        return True

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
        if not self._checkable(cq):
            return False, NOTHING_TO_CHECK, []
        for quoted in _quotations(cq.text):
            if not any(self._holds_quotation(ex, quoted) for ex in cited):
                return False, f"the quotation “{' … '.join(quoted)}” is not in the cited excerpt", []
        idx = [j for ex in cited for j in ex.sentences if not self.is_injection(j)]
        wset = set().union(*(a._sentence_words[j] for j in idx))
        lemmas = {lm for j in idx for lm in lib.sentences[j].lemmas}
        for num in cq.numbers:
            if not _number_in(num, wset):
                return False, f"number {num} is not in the cited excerpt", []
        number_words = _number_words(cq.text)
        for word in number_words:
            if not _number_word_in(word, wset):
                return False, f"number “{word}” is not in the cited excerpt", []
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
                score += sum(2.0 for word in number_words if _number_word_in(word, sw))
                score += len(stems & ({stem(lm) for lm in lib.sentences[j].lemmas} | {stem(w) for w in sw}))
                if score > best_score:
                    best_j, best_score = j, score
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


def _number_words(text: str) -> list[str]:
    return [w for w in dict.fromkeys(words(text)) if w in _NUMBER_WORDS]


def _number_word_in(word: str, wordset: set[str]) -> bool:
    return word in wordset or _number_in(_NUMBER_WORDS[word], wordset)


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


def _caused_by(exc: BaseException, kind: type) -> bool:
    """Is `exc`, or an exception it was raised from, a `kind`? (The client wraps what the
    transport raised.)"""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _http_reason(status: int) -> str:
    what = _HTTP_REASONS.get(status) or ("server error" if status >= 500 else "request refused")
    return f"the model server returned HTTP {status} ({what})"


def _connection_reason(exc: BaseException) -> str:
    """Why the connection failed, in words: the transport's message, not its exception's name."""
    text = str(exc.__cause__ or exc.__context__ or exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text or "name resolution" in text:
        return "unknown host name"
    if "certificate" in text or "ssl" in text:
        return "TLS certificate not accepted"
    if "disconnected" in text or "reset" in text or "closed" in text:
        return "the server closed the connection"
    return "no connection"


def clean_reply(text: str) -> str:
    """The model's text cleaned as questions are (bot/answer.py: clean_question): terminal escape
    sequences, bidirectional overrides and invisible format characters removed, other control
    characters made spaces; line breaks kept (they separate the reply's sentences). Also the
    two-character escapes the question patterns leave a letter of ("ESC c", a terminal reset,
    left "Shmelyev c" in a verified answer)."""
    return _CONTROL_RE.sub(" ", _ESCAPE_RE.sub("", _INVISIBLE_RE.sub("", text or "")))



def _fold(text: str) -> str:
    """For comparing a quotation with the excerpt: case, spacing, quote and dash styles folded."""
    return normalise(text.translate(_PRIMES))


def _quotations(text: str) -> list[tuple[str, ...]]:
    """The text inside quotation marks (each quotation folded, cut at its ellipses into the
    pieces that must be there in order). A quotation the sentence splitter cut in two counts in
    each part: a quote with no closing mark runs to the end of the sentence, a closing mark
    with no opening one closes a quotation begun at its start."""
    spans: list[str] = []
    start, last = None, 0
    for i, ch in enumerate(text):
        # a straight quote opens unless it closes a word with no quotation open ('… state" [1].')
        closes = ch == '"' and (start is not None or (i > 0 and not text[i - 1].isspace() and not text[i + 1 : i + 2].isalnum()))
        if ch in _OPENING_QUOTES or (ch == '"' and not closes):
            if start is None:
                start = i + 1
        elif ch in _CLOSING_QUOTES or closes:
            spans.append(text[start:i] if start is not None else text[last:i])
            start = None
            last = i + 1
    if start is not None:
        spans.append(text[start:])
    spans += [m.group(1) for m in _SINGLE_QUOTED_RE.finditer(text)]
    out = []
    for span in spans:
        pieces = tuple(p for p in (_fold(part).strip(" .,;:!?-'\"") for part in _ELLIPSIS_RE.split(span)) if re.search(r"\w", p))
        if pieces:
            out.append(pieces)
    return out


def _cap_body(response) -> None:
    """httpx response hook (called before the body is read): a body announced as, or found to
    be, over MAX_REPLY_BYTES raises ReplyTooLarge as soon as that is known, not after reading
    it whole. (A server that compresses although asked not to is capped on the compressed
    bytes: text grows a few times, not without bound, when it runs on.)"""
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > MAX_REPLY_BYTES:
        raise ReplyTooLarge(f"{length} bytes announced")
    response.stream = _capped_stream_type()(response.stream, MAX_REPLY_BYTES)


@functools.cache
def _capped_stream_type():
    import httpx

    class CappedStream(httpx.SyncByteStream):
        def __init__(self, inner, limit: int) -> None:
            self.inner, self.limit = inner, limit

        def __iter__(self):
            read = 0
            for chunk in self.inner:
                read += len(chunk)
                if read > self.limit:
                    raise ReplyTooLarge(f"over {self.limit} bytes")
                yield chunk

        def close(self) -> None:
            close = getattr(self.inner, "close", None)
            if close is not None:
                close()

    return CappedStream

