"""Question analysis and the support check: does this evidence answer this question?

A similarity score alone cannot tell "the articles discuss this event" from "the
articles state the asked-for fact". The check therefore looks at what the
question *asks for*:

- its key names (people, places, organisations; matched with spelling variants:
  Tikhanyovski / Tikhanovsky / Tsikhanouskiy) and its numbers must all appear in
  the evidence window (the sentence and its neighbours), not just somewhere in
  the corpus;
- its content terms (lemmas, weighted by rarity) must be mostly covered there;
- a typed question (who / when / where / how many) needs an answer of that type
  in the evidence: a name, date, place or number that is not already in the question.

The features are combined into one support score; the thresholds live in Settings.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from index.nlp import CONTENT_POS, NAME_LABELS, NUMBER_LABELS, TIME_LABELS, content_lemmas

WH_WORDS = {"who", "whom", "whose", "what", "which", "when", "where", "why", "how"}
# Words that say how a question is asked, not what it is about.
GENERIC = {
    "say", "state", "tell", "mention", "article", "report", "accord", "describe", "call", "refer",
    "do", "be", "have", "get", "make", "happen", "take", "give", "go", "come", "name", "kind", "type",
    "thing", "way", "exactly", "actually", "specifically", "main", "also", "there", "here", "so", "then",
    "write", "use", "mean", "cite", "quote", "think", "believe", "many", "much", "long", "number", "people",
}
TITLE_WORDS = {"president", "mr", "mrs", "ms", "dr", "minister", "leader", "envoy", "special", "the", "of"}

# "which country", "what date", "which outlet": the noun after the wh-word says what kind of answer is wanted.
HEAD_TYPES = {
    frozenset({"date", "day", "year", "month", "time", "week"}): TIME_LABELS,
    frozenset({"country", "countries", "city", "cities", "port", "place", "region", "capital", "town", "state"}): frozenset({"GPE", "LOC", "FAC"}),
    frozenset({"percent", "percentage", "share", "proportion"}): frozenset({"PERCENT", "CARDINAL"}),
    frozenset({"person", "politician", "leader", "king", "analyst", "envoy", "journalist", "official", "man", "woman",
               "president", "secretary", "researcher", "expert", "lawyer", "author", "scientist", "candidate"}): frozenset({"PERSON"}),
    frozenset({"outlet", "newspaper", "company", "airline", "organisation", "organization", "agency", "institute",
               "party", "media", "publication", "think-tank", "firm", "bank"}): frozenset({"ORG", "PERSON", "NORP"}),
}

EXPECTED = {
    "who": {"PERSON", "ORG", "NORP"},
    "whom": {"PERSON", "ORG", "NORP"},
    "when": TIME_LABELS,
    "where": {"GPE", "LOC", "FAC", "ORG"},
    "how_many": NUMBER_LABELS | {"DATE", "PERCENT", "MONEY", "QUANTITY"},
    "how_much": NUMBER_LABELS | {"MONEY", "PERCENT", "QUANTITY"},
    "how_long": TIME_LABELS | {"QUANTITY", "CARDINAL"},
    "how_old": TIME_LABELS | {"CARDINAL", "QUANTITY"},
}
SPEECH_VERBS = {"say", "tell", "reply", "respond", "answer", "state", "exclaim", "declare", "announce", "claim", "remark", "comment", "add", "write"}
_QUOTE_RE = re.compile(r"[\"“”«»]|\b(?:said|says|stated|told|added|noted|wrote|concluded|emphasi[sz]ed|expressed|exclaimed|responded|replied|announced|declared|asked)\b")
TIME_UNITS = {"year", "years", "month", "months", "day", "days", "week", "weeks", "hour", "hours"}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


_WORD_RE = re.compile(r"[0-9A-Za-zÀ-ÿ]+(?:[.'’-][0-9A-Za-zÀ-ÿ]+)*")


def words(text: str) -> list[str]:
    out = []
    for w in _WORD_RE.findall(fold(text)):
        w = re.sub(r"['’]s$", "", w)
        out.append(w.replace(".", "") if "." in w else w)
    return out


@lru_cache(maxsize=100_000)
def _similar(a: str, b: str, ratio: float) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 4:
        return False
    need = ratio if min(len(a), len(b)) >= 6 else max(ratio, 0.85)
    return SequenceMatcher(None, a, b).ratio() >= need


def name_in(name_tokens: tuple[str, ...], window_words: set[str], ratio: float) -> bool:
    """A name is present when one of its significant tokens is (spelling variants
    allowed), or its initials are ("United States" ~ "U.S." / "US")."""
    if len(name_tokens) > 1:
        initials = "".join(t[0] for t in name_tokens if t not in ("the", "of"))
        if initials in window_words:
            return True
    sig = [t for t in name_tokens if t not in TITLE_WORDS and len(t) >= 3] or list(name_tokens)
    return any(any(_similar(t, w, ratio) for w in window_words) for t in sig)


@dataclass
class Question:
    text: str
    wh: str  # who, when, where, how_many, how_much, what, which, why, how, yes_no, other
    expected: frozenset[str]
    names: list[tuple[str, ...]]  # each name as folded tokens
    numbers: list[str]
    terms: list[str]  # content lemmas (names and numbers excluded)
    predicate: str | None
    lemmas: tuple[str, ...] = ()
    name_words: set[str] = field(default_factory=set)
    speech: bool = False  # "what did X say/reply …": the answer must report speech


def analyse(text: str, nlp) -> Question:
    doc = nlp(text)
    toks = [t for t in doc if not t.is_space]
    low = [t.lower_ for t in toks]
    wh = "other"
    for i, w in enumerate(low[:6]):
        if w == "how" and i + 1 < len(low) and low[i + 1] in ("many", "much", "long", "old"):
            wh = "how_" + low[i + 1]
            break
        if w in WH_WORDS:
            wh = w if w != "whom" else "who"
            break
    else:
        if toks and toks[0].lemma_.lower() in {"be", "do", "have", "can", "will", "would", "should", "could", "is", "did", "does"}:
            wh = "yes_no"
    expected = frozenset(EXPECTED.get(wh, set()))
    if wh in ("what", "which", "other") or (wh == "how_many" and False):
        wh_at = next((i for i, w in enumerate(low) if w in ("what", "which")), None)
        if wh_at is not None:
            for w in low[wh_at + 1 : wh_at + 4]:
                hit = next((types for nouns, types in HEAD_TYPES.items() if w in nouns), None)
                if hit is not None:
                    expected = frozenset(hit)
                    break
                if w in ("did", "does", "do", "is", "was", "are", "were", "has", "have", "will", "would", "can"):
                    break
    if wh == "how_many" and not (set(low) & TIME_UNITS):
        expected = expected - {"DATE"}

    names: list[tuple[str, ...]] = []
    name_token_ids: set[int] = set()
    for ent in doc.ents:
        if ent.label_ in NAME_LABELS:
            tk = tuple(w for w in words(ent.text) if w not in WH_WORDS)
            if tk:
                names.append(tk)
                name_token_ids.update(range(ent.start, ent.end))
    for t in toks:  # proper nouns spaCy did not tag as entities
        if t.pos_ == "PROPN" and t.i not in name_token_ids and t.lower_ not in WH_WORDS and not t.is_stop:
            tk = tuple(words(t.text))
            if tk and (t.i == 0 or t.text[:1].isupper()):
                names.append(tk)
                name_token_ids.add(t.i)
    numbers = [w for t in toks if t.like_num or any(ch.isdigit() for ch in t.text) for w in words(t.text) if any(ch.isdigit() for ch in w)]
    terms = []
    for t in toks:
        if t.i in name_token_ids or t.is_stop or t.is_punct or t.pos_ not in CONTENT_POS:
            continue
        lemma = t.lemma_.lower()
        if lemma in GENERIC or lemma in WH_WORDS or any(ch.isdigit() for ch in lemma):
            continue
        terms.append(lemma)
    predicate = None
    for t in toks:
        if t.dep_ == "ROOT" and t.pos_ == "VERB" and t.lemma_.lower() not in GENERIC:
            predicate = t.lemma_.lower()
    name_words = {w for n in names for w in n}
    speech = wh == "what" and any(t.lemma_.lower() in SPEECH_VERBS and t.pos_ == "VERB" for t in toks)
    return Question(text, wh, expected, names, numbers, terms, predicate, content_lemmas(doc), name_words, speech)


@lru_cache(maxsize=200_000)
def _stem(w: str) -> str:
    """Snowball stem (PyStemmer) — "meeting"/"meet", "sanctions"/"sanction"."""
    try:
        import Stemmer
    except ImportError:  # pragma: no cover - PyStemmer is a dependency
        return w[:5]
    global _STEMMER
    if _STEMMER is None:
        _STEMMER = Stemmer.Stemmer("english")
    return _STEMMER.stemWord(w)


_STEMMER = None


class Vocabulary:
    """Document frequencies of lemmas over the sentence table (for term weights)."""

    def __init__(self, sentences) -> None:
        self.n = max(1, len(sentences))
        df: Counter[str] = Counter()
        for s in sentences:
            df.update({_stem(lm) for lm in s.lemmas})
        self.df = df

    def idf(self, lemma: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(_stem(lemma), 0)))


@dataclass
class Support:
    score: float
    term_coverage: float
    names_found: int
    names_total: int
    numbers_ok: bool
    type_ok: bool | None  # None: the question has no expected answer type
    dense: float
    missing: list[str]

    @property
    def names_ok(self) -> bool:
        return self.names_found == self.names_total


def window_words(sentences) -> set[str]:
    out: set[str] = set()
    for s in sentences:
        out.update(words(s.text))
    return out


def term_coverage(q: Question, window_lemmas: set[str], window_wordset: set[str], vocab: Vocabulary) -> tuple[float, list[str]]:
    if not q.terms:
        return 1.0, []
    stems = {_stem(lm) for lm in window_lemmas} | {_stem(w) for w in window_wordset}
    total = found = 0.0
    missing = []
    for term in q.terms:
        w = vocab.idf(term)
        total += w
        if _stem(term) in stems:
            found += w
        else:
            missing.append(term)
    return (found / total if total else 1.0), missing


def _is_question_name(ent_words: set[str], q: Question, ratio: float) -> bool:
    return all(any(_similar(w, n, ratio) for n in q.name_words | set(q.numbers)) for w in ent_words)


def has_answer_type(q: Question, sentences, ratio: float = 0.75) -> bool:
    """Some sentence holds an entity of the expected type that the question does
    not already name (for counts: a number in a sentence about the question)."""
    for s in sentences:
        for label, text in s.entities:
            if label not in q.expected:
                continue
            ent_words = set(words(text))
            if not ent_words or _is_question_name(ent_words, q, ratio):
                continue  # the entity is the question's own subject, not an answer
            return True
    return False


def reports_speech(sentences) -> bool:
    return any(_QUOTE_RE.search(s.text) for s in sentences)


def assess(q: Question, focus, window, dense: float, vocab: Vocabulary, name_ratio: float, article_words: set[str] | None = None) -> Support:
    """Support of `focus` (the answer sentences) within `window` (focus + neighbours).

    A name missing from the window may still be found elsewhere in the same
    article (interviews name the speaker once: "according to Vasilyev"); that
    counts at half weight. A name absent from the article is missing.
    """
    wwords = window_words(window)
    wlemmas = {lm for s in window for lm in s.lemmas}
    names_found = 0
    name_part = 0.0
    missing = []
    for n in q.names:
        if name_in(n, wwords, name_ratio):
            names_found += 1
            name_part += 1.0
        elif article_words is not None and name_in(n, article_words, name_ratio):
            names_found += 1
            name_part += 0.5
        else:
            missing.append(" ".join(n))
    numbers_ok = all(num in wwords or any(num in w for w in wwords) for num in q.numbers)
    cov, missing_terms = term_coverage(q, wlemmas, wwords, vocab)
    type_ok = has_answer_type(q, focus, name_ratio) if q.expected else None
    if q.speech:
        type_ok = reports_speech(focus)
    name_part = name_part / len(q.names) if q.names else 1.0
    score = 0.45 * cov + 0.25 * name_part + 0.30 * max(0.0, min(1.0, (dense - 0.2) / 0.5))
    if type_ok is False:
        score -= 0.25
    if not numbers_ok:
        score -= 0.3
    return Support(score, cov, names_found, len(q.names), numbers_ok, type_ok, dense, missing + missing_terms)
