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

import functools
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

import numpy as np

from index.nlp import CONTENT_POS, NAME_LABELS, NUMBER_LABELS, TIME_LABELS, content_lemmas, stop_words

WH_WORDS = {"who", "whom", "whose", "what", "which", "when", "where", "why", "how"}
# words a chat message opens with that join it to the talk ("and when?", "so did he …"), no part of the question
LEADING_FILLERS = frozenset({"and", "so", "but", "ok", "okay", "then", "also", "well", "hm", "hmm", "right"})
# Words that say how a question is asked, not what it is about.
GENERIC = {
    "say", "state", "tell", "warn", "mention", "article", "piece", "story", "report", "accord", "describe", "call", "refer",
    "do", "be", "have", "get", "make", "happen", "take", "give", "go", "come", "name", "kind", "type", "sort",
    "thing", "way", "exactly", "actually", "specifically", "main", "also", "there", "here", "so", "then",
    "true", "really",  # "is it true that …", "did he really …": how sure the asker is, not what is asked
    "officially", "publicly",  # "what reason did Minsk officially give": a statement the article reports
    "overall", "altogether",  # "how many were freed overall": the count itself ("total" is not: "the total value")
    "write", "use", "mean", "cite", "quote", "think", "believe", "many", "much", "long", "number", "people",
    "mainly", "chiefly", "primarily", "principally", "particular", "particularly", "especially",
    "roughly", "approximately", "about", "around", "still", "now", "currently", "according", "view", "opinion",
    "question", "answer", "fact", "point", "likely", "whether", "want", "consider", "telling",
    "stuff",  # "what stuff did Trump give him": what things
    "word",  # "what words did Lukashenko call out": what he said, which no article calls "words"
    # "how does X characterise / portray Y": asks for the words used, like "describe"
    "characterise", "characterize", "portray", "depict",
    # "what is X's role / position / job": the answer is the title next to the name, which
    # never repeats these words ("U.S. Special Representative for Ukraine John Kellogg")
    "role", "position", "title", "job", "occupation", "profession", "official",
}
# "this guy", "that man": a person pointed at, who is the one named
POINTED_PEOPLE = frozenset({"guy", "man", "woman", "person", "fellow", "dude", "chap", "bloke", "lady", "gentleman"})
# verbs of holding a view, which ask for what the subject says as "say" and "think" do (GENERIC)
OPINION_VERBS = frozenset({"argue", "contend", "assert", "maintain", "reckon", "opine", "insist"})
# the nouns that say what kind of institution a name is ("… Ministry", "… Endowment for …")
INSTITUTION_HEADS = frozenset({
    "ministry", "fund", "institute", "endowment", "foundation", "committee", "council", "department", "agency",
    "commission", "court", "office", "bank", "company", "corporation", "university", "centre", "center", "academy",
    "association", "embassy", "bureau", "tribunal", "parliament",
})
TITLE_WORDS = {"president", "mr", "mrs", "ms", "dr", "minister", "leader", "envoy", "special", "the", "of"}

DURATION_HEADS = {"term", "sentence"}
# small numbers as words, which articles write them in ("three waves of releases"): CARDINALS[k] is k
CARDINALS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
             " seventeen eighteen nineteen twenty").split()
NUMBER_NAMES = {str(k): w for k, w in enumerate(CARDINALS) if k}  # "3" -> "three"
LIKELIHOOD_HEADS = {"chance", "chances", "odds", "likelihood", "probability", "possibility"}
LIKELIHOOD_LEMMAS = LIKELIHOOD_HEADS | {"odd"}  # spaCy lemmatises "odds" to "odd"
# "which leader", "what analyst": a person is asked for
PERSON_HEADS = frozenset({"person", "politician", "leader", "king", "analyst", "envoy", "journalist", "official", "man", "woman",
                          "president", "secretary", "researcher", "expert", "lawyer", "author", "scientist", "candidate",
                          # titles: "which US senator accompanied Kellogg" asks for a person
                          "senator", "minister", "ambassador", "diplomat", "spokesman", "spokeswoman", "spokesperson",
                          "adviser", "advisor", "deputy", "governor", "mayor", "editor", "reporter", "correspondent",
                          "commentator", "activist", "chancellor", "negotiator", "historian", "economist", "professor",
                          "director", "chairman", "chairwoman", "representative"})
# "which country", "what date", "which outlet": the noun after the wh-word says what kind of answer is wanted.
HEAD_TYPES = {
    frozenset({"date", "day", "year", "month", "time", "week"}): TIME_LABELS,
    frozenset({"country", "countries", "city", "cities", "port", "place", "region", "capital", "town", "state"}): frozenset({"GPE", "LOC", "FAC"}),
    frozenset({"percent", "percentage", "share", "proportion", "%"}): frozenset({"PERCENT", "CARDINAL"}),
    # "which prison": a named one ("Penal Colony No. 17"), which a country it was left for is not
    frozenset({"prison", "jail", "colony"}): frozenset({"FAC", "ORG"}),
    # "what prison term / sentence": a duration ("18 years")
    frozenset(DURATION_HEADS): TIME_LABELS | frozenset({"QUANTITY", "CARDINAL"}),
    # "what dollar amount", "what sum": money or a number
    frozenset({"amount", "sum", "dollar", "dollars", "euro", "euros", "price", "cost"}): frozenset({"MONEY", "CARDINAL", "QUANTITY", "PERCENT"}),
    # "what is the range of the missile": a measure, which a description of it ("a remote missile system") is not
    frozenset({"range", "distance", "length", "weight", "speed", "capacity", "height", "population", "volume", "value",
               "budget", "revenue", "turnover"}): frozenset({"QUANTITY", "CARDINAL", "MONEY", "PERCENT"}),
    PERSON_HEADS: frozenset({"PERSON"}),
    frozenset({"outlet", "newspaper", "company", "airline", "organisation", "organization", "agency", "institute",
               "party", "media", "publication", "think-tank", "firm", "bank", "ministry", "court"}): frozenset({"ORG", "PERSON", "NORP"}),
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
TIME_UNITS = {"year", "years", "month", "months", "day", "days", "week", "weeks", "hour", "hours", "decade", "decades"}


def fold(text: str) -> str:
    if text.isascii():  # nothing to strip: most English text, and much faster
        return text.lower()
    # only the non-ASCII runs need decomposing (a whole article otherwise goes char by char)
    return _NON_ASCII_RE.sub(_strip_accents, text).lower()


# a part of a person's name asked for (not "full name", which an outlet or a fund has too)
_PERSONAL_NAME_RE = re.compile(r"\b(?:(?:first|given|last|middle|maiden|christian)\s+name|surname|forename)\b(?!s)", re.I)
_NAME_WORDS = frozenset({"name", "surname", "forename"})
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")


def _strip_accents(m: re.Match) -> str:
    text = unicodedata.normalize("NFKD", m.group(0))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


_WORD_RE = re.compile(r"[0-9A-Za-zÀ-ÿ]+(?:[.'’-][0-9A-Za-zÀ-ÿ]+)*")


def words(text: str) -> list[str]:
    out = []
    for w in _WORD_RE.findall(fold(text)):
        if w.endswith(("'s", "’s")):
            w = w[:-2]
        out.append(w.replace(".", "") if "." in w else w)
        if "-" in w:  # "polish-belarusian" also holds "polish" and "belarusian"
            out.extend(p for p in w.split("-") if p)
    return out


@lru_cache(maxsize=100_000)
def _similar(a: str, b: str, ratio: float) -> bool:
    if a == b:
        return True
    la, lb = len(a), len(b)
    if min(la, lb) < 4:
        return False
    need = ratio if min(la, lb) >= 6 else max(ratio, 0.85)
    # difflib's ratio is 2·matches / total length; the lengths and the letters in common bound
    # it from above (its real_quick_ratio and quick_ratio), so most pairs are settled without it
    if 2.0 * min(la, lb) / (la + lb) < need:
        return False
    if 2.0 * sum((Counter(a) & Counter(b)).values()) / (la + lb) < need:
        return False
    return SequenceMatcher(None, a, b).ratio() >= need


class IndexedWords(frozenset):
    """A large word set (the whole corpus's) that also finds its words of a given first letter
    and length quickly: `_name_in` looks there for spelling variants instead of going through
    every word (≈ 10 ms a name over a 10k-article corpus's vocabulary)."""

    def __new__(cls, words=()):
        self = super().__new__(cls, words)
        self.by_shape = {}
        for w in self:
            self.by_shape.setdefault((w[:1], len(w)), []).append(w)
        self._counts = {}
        return self

    def shaped(self, first: str, lo: int, hi: int) -> list[str]:
        """The words starting with `first` whose length is in [lo, hi]."""
        return [w for n in range(lo, hi + 1) for w in self.by_shape.get((first, n), ())]

    def similar(self, t: str, ratio: float) -> list[str]:
        """[w for w in _shaped_like(t, self) if _similar(t, w, ratio)], with `_similar`'s bound on
        the letters in common worked out for all the words of a shape at once (LetterCounts),
        so that only the words that can reach the ratio are compared. Over a 67k-word
        vocabulary a name took 10–35 ms word by word."""
        slack = max(2, len(t) // 3)
        found = []
        for lb in range(len(t) - slack, len(t) + slack + 1):
            bucket = self.by_shape.get((t[:1], lb))
            if not bucket:
                continue
            if min(len(t), lb) < 4:  # _similar accepts only the word itself
                found.extend(w for w in bucket if w == t)
                continue
            counts = self._counts.get((t[:1], lb))
            if counts is None:  # made when a shape is first asked for (a race only makes it twice)
                counts = self._counts[(t[:1], lb)] = LetterCounts(bucket)
            need = ratio if min(len(t), lb) >= 6 else max(ratio, 0.85)
            found.extend(w for w in counts.reachable(t, need) if _similar(t, w, ratio))
        return found


class LetterCounts:
    """How often each letter is in each of a list of words, to bound SequenceMatcher's ratio for
    all of them at once: ratio(a, b) ≤ 2·I / (|a| + |b|), I the letters a and b have in common
    counted with repeats (its quick_ratio, the second bound `_similar` checks)."""

    def __init__(self, words_: list[str]) -> None:
        self.words = words_
        self.lengths = np.array([len(w) for w in words_], np.int64)
        # all the words' letters as code points in one array, counted per (word, letter) at once
        letters = np.frombuffer("".join(words_).encode("utf-32-le"), np.uint32)
        codes, column = np.unique(letters, return_inverse=True)
        self.alphabet = {chr(c): k for k, c in enumerate(codes.tolist())}
        row = np.repeat(np.arange(len(words_)), self.lengths)
        counts = np.bincount(row * len(codes) + column.ravel(), minlength=len(words_) * len(codes))
        self.counts = np.minimum(counts, 255).astype(np.uint8).reshape(len(words_), len(codes))  # a letter's count, up to 255

    def reachable(self, word: str, ratio: float) -> list[str]:
        """The words whose bound with `word` reaches `ratio`: all those SequenceMatcher could
        find that close, and some it will not."""
        own = np.zeros(len(self.alphabet), np.uint8)
        for ch, k in Counter(word).items():
            if ch in self.alphabet:  # a letter none of the words has is shared with none
                own[self.alphabet[ch]] = min(k, 255)  # as the counts it meets: 500 a's would wrap round
        shared = np.minimum(self.counts, own).sum(axis=1)
        return [self.words[k] for k in np.flatnonzero(2.0 * shared / (self.lengths + len(word)) >= ratio - 1e-9)]


# "Washington" for the United States, as news writes it: "Washington uses China and India as
# sticks" is said in the text as "the United States is …". Only Washington everywhere: with other
# capitals (Minsk for Belarus, Vilnius for Lithuania, the Kremlin for Russia) near misses about the
# city itself got answered ("When did Kellogg arrive in Minsk?") — measured on the public and train
# sets; those stand for their country only where they act (ACTING_CAPITALS).
METONYMS = {
    "washington": (("united", "states"), ("america",)),
    # "what does Lukashenko want from the Americans": the United States, as the articles say it
    "americans": (("united", "states"), ("america",)), "american": (("united", "states"), ("america",)),
    # "USA" is not the initials of "United States" (those are "U.S."), nor a spelling of "US"
    "usa": (("united", "states"), ("america",)),
}
# Other capitals stand for their country only where the question makes the city act or own:
# the active subject of a verb ("what could Minsk get", "Minsk might stop sending balloons") or
# a possessor ("Minsk's finances", not "Minsk's mayor": CITY_OWN), which a city as a place
# cannot be; "arrive in Minsk", "concessions to Minsk", "when was Minsk founded" keep the city.
ACTING_CAPITALS = {
    "minsk": ("belarus",), "moscow": ("russia",), "kyiv": ("ukraine",), "kiev": ("ukraine",),
    "vilnius": ("lithuania",), "warsaw": ("poland",), "riga": ("latvia",), "tallinn": ("estonia",),
    "beijing": ("china",), "tehran": ("iran",), "ankara": ("turkey",), "caracas": ("venezuela",),
    "pyongyang": ("north", "korea"), "tokyo": ("japan",), "berlin": ("germany",), "paris": ("france",),
}
AGENT_LABELS = frozenset({"ORG", "GPE", "NORP"})
# Places with other names in other languages or older English ("Mensk" is Minsk in Belarusian,
# "Vilna" Vilnius, "Byelorussia" Belarus): a question's name the articles never use is asked as
# the one of its group they do (Answerer._place_names). Too unlike to pass as spelling variants.
PLACE_NAME_GROUPS = (
    ("minsk", "mensk"), ("vilnius", "vilna", "wilno"), ("kyiv", "kiev"), ("odesa", "odessa"),
    ("belarus", "byelorussia", "belorussia", "bielorussia"), ("kharkiv", "kharkov"), ("lviv", "lvov", "lwow"),
    ("gdansk", "danzig"), ("klaipeda", "memel"), ("moldova", "moldavia"), ("chisinau", "kishinev"),
    ("belarusian", "byelorussian", "belorussian"),
)
PLACE_NAMES = {w: group for group in PLACE_NAME_GROUPS for w in group}  # each name -> its group


def the_country(name: tuple[str, ...]) -> tuple[str, ...]:
    """The country a capital, Washington or the Americans stand for ("minsk" → belarus, "u.s."
    → united states), else the name itself."""
    if len(name) == 1 and name[0] in ACTING_CAPITALS:
        return ACTING_CAPITALS[name[0]]
    if len(name) == 1 and name[0] in METONYMS:
        return METONYMS[name[0]][0]
    if name in (("us",), ("u.s.",), ("usa",), ("america",), ("u.s",)):
        return ("united", "states")
    return name


def stands_for_a_country(word: str) -> bool:
    """A capital (or Washington) that may stand for its country's government: never a person."""
    return word in ACTING_CAPITALS or word in METONYMS


# Verbs of handing something to someone: a capital receiving ("hand missiles over to Kyiv", "give
# Minsk concessions") is its government, as the subject of a verb is; "fly to Minsk" keeps the city.
# (Not the other side of dealings, "relations between Vilnius and Minsk": measured, it moved
# retrieval off the right passage.)
TRANSFER_VERBS = {
    "give", "hand", "send", "sell", "supply", "provide", "deliver", "transfer", "offer", "grant", "lend", "ship", "export",
}


def _capital_acts(t) -> bool:
    """Does this capital stand for its government in the question? As the active subject of a
    verb ("what could Minsk get"; not "when was Minsk founded"), a possessor of what is not the
    city's own ("Minsk's finances", not "Minsk's mayor"), or the one a thing is handed to ("give
    Minsk concessions", "hand them over to Kyiv")."""
    head = t.head
    if t.dep_ == "poss":
        return head.lemma_.lower() not in CITY_OWN
    if t.dep_ == "nsubj":
        return head.lemma_.lower() != "be" and not any(c.dep_ == "auxpass" for c in head.children)
    if t.dep_ == "dative":
        return head.lemma_.lower() in TRANSFER_VERBS
    if t.dep_ == "pobj" and head.lower_ == "to":
        return head.head.lemma_.lower() in TRANSFER_VERBS
    return False


# what a city has as a place, not as its government: "Minsk's mayor" is not Belarus's
CITY_OWN = {
    "mayor", "population", "resident", "inhabitant", "street", "airport", "station", "centre", "center", "district",
    "suburb", "outskirts", "square", "hotel", "weather", "metro", "river", "history", "founding", "council",
}


def name_in(name_tokens: tuple[str, ...], window_words: set[str], ratio: float) -> bool:
    """A name is present when one of its significant tokens is (spelling variants
    allowed), or its initials are ("United States" ~ "U.S." / "US"), or — for a capital
    standing for its country — the country is."""
    if len(name_tokens) == 1 and name_tokens[0] in METONYMS and name_tokens[0] not in window_words:
        if any(_name_in(alias, window_words, ratio) for alias in METONYMS[name_tokens[0]]):
            return True
    return _name_in(name_tokens, window_words, ratio)


# a Slavic surname's feminine endings: "Tikhanyovskaya" is Tikhanyovski's wife, not another
# spelling of his name ("Kolesnikova" and "Kalesnikava" are one woman)
FEMININE_ENDINGS = ("aya", "aja", "ova", "ava", "eva", "ina", "yna", "ska")


def _feminine(w: str) -> bool:
    return len(w) >= 6 and w.endswith(FEMININE_ENDINGS)


def surname_in(surname: str, window_words, ratio: float) -> bool:
    """`name_in` of a surname, in the same form: a wife's feminine surname is not her husband's
    ("Tikhanyovskaya", "Tikhanyovski"). (`name_in` takes either for the other: the articles
    write "The release of this candidate's husband, Svetlana Tikhanyovskaya, …" of him.)"""
    if len(surname) < 6:
        return name_in((surname,), window_words, ratio)
    form = _feminine(surname)
    return any(_feminine(w) == form for w in window_words if w == surname or _similar(surname, w, ratio))


def same_person(name_tokens: tuple[str, ...], person_words, ratio: float) -> bool:
    """Is the person whose name's words are `person_words` (a speaker) the one the question
    names? The surname must match, in the same form (`surname_in`), and the first name too when
    both give one: Vladimir Vasilyev is not Vladimir Zarikhin (`name_in` accepts any one
    significant word)."""
    if not surname_in(name_tokens[-1], person_words, ratio):
        return False
    return len(name_tokens) == 1 or len(person_words) == 1 or name_in(name_tokens[:1], person_words, ratio)


def _name_parts(name_tokens: tuple[str, ...]) -> tuple[str | None, list[str]]:
    """(the name's initials, None for a one-word name or initials that spell a common word; its
    significant words) — what `_name_in` looks for. "United States" is "US" ("U.S."), but Igor
    Shatov is not every "is" nor Artyom Shraibman every "as"."""
    stop = stop_words()
    initials = "".join(t[0] for t in name_tokens if t not in ("the", "of")) if len(name_tokens) > 1 else None
    if initials is not None and initials != "us" and initials in stop:
        initials = None
    sig = [t for t in name_tokens if t not in TITLE_WORDS and len(t) >= 3 and t not in stop]
    # an institution is named by its kind: "the Belarusian Foreign Ministry" is not present
    # wherever "Belarusian" is, nor "the Carnegie Endowment for International Peace" wherever "peace"
    heads = [t for t in sig if t in INSTITUTION_HEADS]
    return initials, (heads if heads and len(sig) > 1 else sig) or list(name_tokens)


def _name_in(name_tokens: tuple[str, ...], window_words: set[str], ratio: float) -> bool:
    initials, sig = _name_parts(name_tokens)
    if initials is not None and initials in window_words:
        return True
    if any(t in window_words for t in sig):
        return True
    # spelling variants keep their first letter and roughly their length
    return any(any(_similar(t, w, ratio) for w in _shaped_like(t, window_words)) for t in sig)


def name_variants(name_tokens: tuple[str, ...], vocabulary: IndexedWords, ratio: float) -> frozenset[str]:
    """The words of `vocabulary` that make the name present: for every set S of its words,
    `name_in(name_tokens, S, ratio) == not name_variants(…).isdisjoint(S)`. Found once per name
    through the vocabulary's shapes, the spelling-variant search need not go through each
    article's words again (`Answerer._name_in_text`)."""
    found = _variant_words(name_tokens, vocabulary, ratio)
    if len(name_tokens) == 1 and name_tokens[0] in METONYMS:
        # name_in tries the country only when the capital is absent; where the capital is
        # present it is among the variants anyway, so the union says the same
        for alias in METONYMS[name_tokens[0]]:
            found |= _variant_words(alias, vocabulary, ratio)
    return frozenset(found)


def _variant_words(name_tokens: tuple[str, ...], vocabulary: IndexedWords, ratio: float) -> set[str]:
    """`_name_in`'s three tests turned round: the vocabulary's words each of them accepts."""
    initials, sig = _name_parts(name_tokens)
    found = {initials} if initials is not None and initials in vocabulary else set()
    for t in sig:
        if t in vocabulary:
            found.add(t)
        found.update(vocabulary.similar(t, ratio))
    return found


def _shaped_like(t: str, window_words: set[str]):
    """The words that could be a spelling variant of `t`: same first letter, length within a third."""
    slack = max(2, len(t) // 3)
    if isinstance(window_words, IndexedWords):
        return window_words.shaped(t[:1], len(t) - slack, len(t) + slack)
    return (w for w in window_words if w[:1] == t[:1] and abs(len(w) - len(t)) <= slack)


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
    focus_terms: set[str] = field(default_factory=set)  # the asked-for attribute / action
    hard_type: bool = False  # expected type is required (who/when/how many), not just preferred
    sources: tuple[int, ...] = ()  # names[k] whose words or view is asked for ("what does X think", "according to X")
    type_head: str | None = None  # the noun that says what kind of answer is wanted ("which year", "what country")
    role: bool = False  # "who is X?", "what position does X hold?": the answer is X's title or description
    asked_noun: str | None = None  # the noun after what/which, a term of the question ("what catchphrase", "which outlet")
    persons: tuple[int, ...] = ()  # names[k] that may be a person: tagged PERSON, or untagged and no capital (not a country or an office, which speaks through others)
    name_of: tuple[int, ...] = ()  # names[k] whose first / last name … is asked ("Tsikenovich's first name")
    # (names[k], verb, passive): a person named as the subject of the question's verb ("how many did
    # Putin release", "how long was Lukashenko sentenced" — passive): the one the answer must say
    # did it (or had it done)
    doer: tuple[int, str, bool] | None = None
    # "what is the name of the potash company …": the answer is a proper name of that kind
    # (type_head), other than the names the question gives
    proper_name: bool = False
    predicate_word: str | None = None  # the predicate as the question writes it ("sent" for "send")
    # names[k] of the publication an article is by or from ("the Svobodnaya Pressa piece", "according
    # to European Pravda"): the whole of an article that names it counts as naming it
    outlets: tuple[int, ...] = ()
    # "the senior researcher at the Institute for U.S. and Canada Studies", "the Carnegie analyst":
    # a person the question describes instead of naming — the content lemmas of the description
    # and the names[k] inside it, which the article's introduction of the span's speaker may give
    described: frozenset[str] = frozenset()
    described_names: tuple[int, ...] = ()
    # the words that cite that person ("according to the chief researcher at the Institute for
    # the United States and Canada"), as the question writes them; "" when none
    described_as: str = ""
    # the article the question says it asks about ("in the 'Secret Diplomacy' piece", "according
    # to the article on Lukashenko's proposed deal"): its source, the only one answers come from
    article: str | None = None
    # a query in keywords, no question word nor finite verb ("Lukashenko press sec name",
    # "Tikhanovsky sentence length"): the Answerer asks it as "What is …?"
    fragment: bool = False
    # that person as the subject of the question's verb (mostly one of saying or thinking), as
    # the question writes it ("the senior researcher at the Institute for U.S. and Canada Studies"
    # in "What does the senior researcher … expect …?"); "" when none
    described_subject: str = ""
    # terms only the sentences before the question say ("I'm prepping a segment on the Kellogg
    # trip. Where did …?"): the asker's setting — they count where a span has them, and are
    # never missing
    setting_terms: frozenset[str] = frozenset()


_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})  # a verb that makes a clause ("quoted" as VBN does not)
_YES_NO_STARTS = frozenset({"be", "do", "have", "can", "will", "would", "should", "could", "is", "did", "does"})
# "Did Kellogg say when he would return?" asks when: a wh-clause after these verbs is the question
_INDIRECT_QUESTION_VERBS = frozenset({
    "say", "tell", "know", "explain", "reveal", "announce", "mention", "specify", "indicate", "disclose",
    "confirm", "report", "state", "ask", "show", "learn", "decide", "clarify",
})


_RELATIVE_PRONOUNS = frozenset({"who", "whom", "whose", "which"})


def analyse(text: str, nlp, wordnet: bool = True) -> Question:
    """The question's analysis. wordnet=False (WORDNET=0): no rule that looks a word up in WordNet
    ("receive" a person = "meet" them only for a name the question tags as a person)."""
    doc = nlp(text)
    toks = [t for t in doc if not t.is_space]
    low = [t.lower_ for t in toks]
    wh = "other"
    # "And did Lukashenko agree to that?": a leading "and" / "so" / "but" is no part of the question
    opening = next((t for t in toks if not t.is_punct and t.lower_ not in LEADING_FILLERS), None)
    yes_no_start = opening is not None and opening.lemma_.lower() in _YES_NO_STARTS
    root_lemma = next((t.lemma_.lower() for t in toks if t.dep_ == "ROOT"), "")
    time_clause: set[int] = set()  # "when the two met": when it happened, not what is asked
    # "When Lukashenko hugged a member of the delegation …, who was that man?": a leading clause
    # that sets the scene, the question word after its comma
    # — or a statement first: "Shemov mentions an American released earlier - on what date was that?"
    scene = 0
    opens_scene = len(low) > 1 and low[0] in ("when", "while", "after", "before", "once", "as") and low[1] not in _QUESTION_AUX
    # (not "an American who was", nor a question word a preposition embeds: "In the discussion of
    # how dependent Lukashenko is on Moscow, what is Russia said to give Belarus?" asks what)
    # ("Of what crime was Bialiatski convicted, and when …" asks what: a preposition first is the question's own)
    asks_first = any(w in WH_WORDS and toks[i].head.dep_ != "relcl" and not (i > 1 and low[i - 1] in ("of", "about", "regarding"))
                     for i, w in enumerate(low[:6]))
    if opens_scene or not (asks_first or (low and low[0] in _YES_NO_STARTS)):
        marks = (",",) if opens_scene else (".", "..", "...", "…", ",", "-", "—", "–", ":", ";")  # ".": "Lukashenko hugged one of them. Who was that?"
        # the last dash, colon or full stop before a question word, else the first mark: "Trump rang
        # Lukashenko on his way, I gather, that's how it all started - what date was that phone
        # call?" asks what date, not how; "… - what's his job, who is he an advisor to?" what
        # (after a comma a question word, not a relative pronoun: "Unlike the majority of the
        # released prisoners, who were sent to Ukraine, where was Bialiatski deported?" asks where)
        cuts = [i for i, w in enumerate(low) if w in marks and any(
            low[j] in WH_WORDS and not (w == "," and low[j] in _RELATIVE_PRONOUNS and toks[j].head.dep_ == "relcl")
            for j in range(i + 1, min(i + 4, len(low))))]
        strong = [i for i in cuts if low[i] != ","]
        cut = strong[-1] if strong else (cuts[0] if cuts else None)
        if cut is not None:
            scene = cut + 1
        elif opens_scene:
            # no comma: "when luka yelled 'hey good guy' at kellogg who was he actually talking to" —
            # a later question word followed by an auxiliary opens the question
            later = next((i for i in range(2, len(low) - 1) if low[i] in WH_WORDS - {"when"} and low[i + 1] in _QUESTION_AUX), None)
            if later is not None:
                scene = later
    for i, w in enumerate(low[scene : scene + 6], start=scene):
        if (yes_no_start and i > 0 and w in WH_WORDS and toks[i].head.dep_ in ("advcl", "relcl")
                and root_lemma not in _INDIRECT_QUESTION_VERBS):
            if w == "when" and toks[i].head.dep_ == "advcl":
                time_clause = {t.i for t in toks[i].head.subtree}
            continue  # "Did Lukashenko embrace Kellogg when the two met?": a clause of a yes/no question
        if w == "how" and i + 1 < len(low) and low[i + 1] in ("many", "much", "long", "old"):
            wh = "how_" + low[i + 1]
            if wh == "how_much" and i + 2 < len(low) and low[i + 2] == "time":
                wh = "how_long"  # "in how much time could they be released": a duration
            break
        if w == "how" and i + 1 < len(low) and low[i + 1] == "come":  # "how come Trump cared about him"
            wh = "why"
            break
        if w in WH_WORDS:
            wh = w if w != "whom" else "who"
            break
    else:
        if yes_no_start:
            wh = "yes_no"
    expected = frozenset(EXPECTED.get(wh, set()))
    describing: set[int] = set()  # tokens between "which" and its noun ("which Ukrainian leader")
    likelihood_head = False
    type_head = None
    if wh in ("what", "which", "other"):
        wh_at = next((i for i, w in enumerate(low) if w in ("what", "which")), None)
        if wh_at is not None:
            # the noun the wh-word determines ("which two freed opposition leaders"), then the next few words
            head = None
            for t in toks[wh_at + 1 : wh_at + 7]:
                if t.pos_ in ("AUX", "ADP") or (t.pos_ == "VERB" and t.dep_ != "amod"):
                    break
                if t.pos_ in ("NOUN", "PROPN") and t.dep_ != "compound":
                    head = t
                    break
            if head is not None:
                describing = set(range(toks[wh_at].i + 1, head.i))
            elif (len(low) > wh_at + 4 and low[wh_at + 1] in ("is", "was", "are", "were") and low[wh_at + 2] == "the"
                  and toks[wh_at + 3].pos_ == "NOUN" and low[wh_at + 4] == "of"):
                head = toks[wh_at + 3]  # "what is the capital of Venezuela": a city, as "which city" asks
            # "what official reason": an adjective describing the head is no head of its own
            after = [t.lower_ for t in toks[wh_at + 1 : wh_at + 4] if head is None or t.pos_ != "ADJ"]
            for w in ([head.lemma_.lower()] if head is not None else []) + after:
                if w in LIKELIHOOD_HEADS:  # "what chance …": like "how likely"
                    likelihood_head = True
                    type_head = head.lemma_.lower() if head is not None else w
                    break
                hit = next((types for nouns, types in HEAD_TYPES.items() if w in nouns), None)
                if hit is not None:
                    expected = frozenset(hit)
                    type_head = w
                    if w in DURATION_HEADS:  # "what prison term" asks "how long", not "when"
                        wh = "how_long"
                    break
                if w in ("did", "does", "do", "is", "was", "are", "were", "has", "have", "will", "would", "can"):
                    break
    if wh == "how_many" and not (set(low) & TIME_UNITS):
        expected = expected - {"DATE"}
    # "how likely …": a percentage when the articles give one, but "quite high" answers it
    # too, so the type is preferred, not required
    likelihood = (wh == "how" and "likely" in low[:4]) or likelihood_head
    if likelihood:
        expected = frozenset({"PERCENT", "CARDINAL"})
    # "how soon …": a time ("within a month") preferred, but "quickly" answers it too
    soon = wh == "how" and any(w == "how" and nxt == "soon" for w, nxt in zip(low, low[1:]))
    if soon:
        expected = frozenset(TIME_LABELS)
    # "what is the first name of Tsikenovich?": a name longer than the one asked about
    # (has_answer_type), not a sentence that names him
    asks_name = wh in ("what", "which", "other") and _PERSONAL_NAME_RE.search(text) is not None
    if asks_name:
        expected, type_head = frozenset({"PERSON", "ORG"}), "name"
    # "what is the name of the potash company / of his party": a proper name of that kind, which
    # a sentence about the company that names none ("Belarus's potash industry") does not give
    named_thing = None if asks_name or wh not in ("what", "which", "other") else _named_thing(toks)
    if named_thing is not None:
        # any kind of name: the small model's labels are not to be trusted here ("Svobodnaya
        # Pressa", an outlet, is a WORK_OF_ART to it)
        type_head, expected = named_thing.lemma_.lower(), PROPER_NAME_LABELS

    names: list[tuple[str, ...]] = []
    name_token_ids: set[int] = set()
    name_spans: list[range] = []
    name_labels: list[str | None] = []  # spaCy's label of each name (None: a proper noun it did not tag)
    persons: list[int] = []
    for ent in doc.ents:
        if ent.label_ == "NORP" and set(range(ent.start, ent.end)) <= describing:
            continue  # a nationality describing the answer, not a name the answer must repeat
        if ent.label_ in NAME_LABELS:
            tk = tuple(w for w in words(ent.text) if w not in WH_WORDS)
            if tk:
                if ent.label_ == "PERSON":
                    persons.append(len(names))
                names.append(tk)
                name_labels.append(ent.label_)
                name_token_ids.update(range(ent.start, ent.end))
                name_spans.append(range(ent.start, ent.end))
    for t in toks:  # proper nouns spaCy did not tag as entities (or took for common nouns:
        # "Who is Zelenskyy?" tags Zelenskyy NOUN; a common noun is not capitalised mid-question)
        proper = t.pos_ == "PROPN" or (t.pos_ == "NOUN" and t.i > 0 and t.text[:1].isupper() and doc[t.i - 1].text not in ('"', "“", "'", "‘", ":"))
        if proper and t.i not in name_token_ids and t.lower_ not in WH_WORDS and not t.is_stop:
            tk = tuple(words(t.text))
            if tk and (t.i == 0 or t.text[:1].isupper()):
                if not stands_for_a_country(t.lower_):
                    persons.append(len(names))  # untagged: as likely a person ("Zelenskyy") as not
                names.append(tk)
                name_labels.append(None)
                name_token_ids.add(t.i)
                name_spans.append(range(t.i, t.i + 1))
    for t in toks:  # a capital acting: the city's name or its country's makes it present
        if t.lower_ in ACTING_CAPITALS and (t.lower_,) in names and _capital_acts(t):
            names[names.index((t.lower_,))] = (t.lower_, *ACTING_CAPITALS[t.lower_])
    name_of = _name_owner(toks, name_spans, persons) if asks_name else ()
    # "Who is Artyom Shraibman?" / "What position does Zarikhin hold?": asks for a description
    # of the person named ("political analyst", "vice director of …"), not another person
    root = next((t for t in toks if t.dep_ == "ROOT"), None)
    identity = wh == "who" and root is not None and root.lemma_.lower() == "be" and bool(names) and all(
        t.i in name_token_ids or t.is_stop or t.is_punct or t.lower_ in WH_WORDS or t.lemma_.lower() in ROLE_HEADS for t in toks)
    stances = {t.i for t in toks if t.lemma_.lower() in ROLE_HEADS and t.pos_ == "NOUN"
               and t.head.lemma_.lower() in STANCE_VERBS and t.dep_ in ("dobj", "nsubjpass")}
    # "What positions have Babariko and Kolesnikova taken": the parse may make the asked noun the
    # subject of "have"; a "what / which" role noun and a stance verb in the question are a stance
    if any(t.lemma_.lower() in STANCE_VERBS and t.pos_ == "VERB" for t in toks):
        stances |= {t.i for t in toks if t.lemma_.lower() in ROLE_HEADS and t.pos_ == "NOUN"
                    and any(c.lower_ in ("what", "which") for c in t.children)}
    # (of a person: "what roles do China and India play, according to the researcher at the
    # Institute …" asks no title — places, and names in whose words it is asked, hold none)
    in_source = {x.i for t in toks if _is_source(t) for x in t.subtree}
    role = identity or (wh in ("what", "which", "other") and any(
        label not in ("GPE", "LOC", "NORP") and not set(span) <= in_source for label, span in zip(name_labels, name_spans)) and any(
        t.lemma_.lower() in ROLE_HEADS and t.pos_ == "NOUN" and not _of_a_thing(t, name_token_ids) and t.i not in stances
        for t in toks))
    if role:
        expected = frozenset()
    source_ids = {t.i for t in toks if _is_source(t)}
    sources = tuple(k for k, span in enumerate(name_spans) if source_ids.intersection(span))
    outlets, outlet_words = _outlets(doc, name_spans, name_labels, persons)
    name_token_ids |= outlet_words
    numbers = [w for t in toks if t.like_num or any(ch.isdigit() for ch in t.text) for w in words(t.text) if any(ch.isdigit() for ch in w)]
    phrasal, phrasal_verbs = _phrasal_verbs(toks)
    phrasal |= _complex_prepositions(toks)
    hosting = _receives_a_person(toks, {i for k in persons for i in name_spans[k]}, wordnet)
    manner = _reduplicated(doc)
    terms = []
    for t in toks:
        # "what is the US using Belarus as": a use of something as something is what is asked,
        # not how the question asks it ("what word did he use"; "using" is a stop word)
        used_as = t.lemma_.lower() == "use" and t.pos_ == "VERB" and any(c.lower_ == "as" for c in t.children)
        if t.lower_ == "most" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "of" and t.i not in name_token_ids:
            terms.append("majority")  # "where were most of the prisoners sent": "the majority of the prisoners"
            continue
        if (t.i in name_token_ids or t.i in phrasal or t.i in time_clause or t.i in manner or (t.is_stop and not used_as)
                or t.is_punct or t.pos_ not in CONTENT_POS):
            continue
        lemma = "meet" if t.i in hosting else _LEMMA_FIXES.get(t.lower_, t.lemma_.lower())
        if lemma == "know" and t.i >= 2 and doc[t.i - 1].text == "-" and doc[t.i - 2].lower_ in ("well", "best", "widely"):
            lemma = "famous"  # "which well-known prisoners": "some of the most famous", not a knowing
        if (lemma in GENERIC and t.i not in stances and not used_as) or lemma in WH_WORDS or any(ch.isdigit() for ch in lemma):
            continue
        if lemma == "expect" and t.tag_ == "VBN":  # "Trump is expected to visit": a hedge, not what is asked
            continue
        if (lemma in _DEEMED and t.tag_ in ("VBN", "VBD") and any(c.lower_ == "as" or c.dep_ in ("oprd", "acomp") for c in t.children)
                and not any(c.dep_ in ("nsubj", "csubj") for c in t.children)):
            # "why is shipping via Odesa seen as unlikely", "… considered unlikely": whose view is not
            # asked, the unlikeliness is (not "who regarded the deal as important", an active view)
            continue
        if lemma in POINTED_PEOPLE and any(c.lower_ in ("this", "that") for c in t.children):
            continue  # "igor shatov, who is this guy": the person just named
        if lemma in OPINION_VERBS and t.pos_ == "VERB" and any(c.dep_ == "nsubj" for c in t.children):
            continue  # "what does the author argue …": whose view is asked, which an article's "says" gives
        if lemma in LIGHT_VERBS and t.pos_ == "VERB" and any(
                (c.dep_ == "dobj" or (c.dep_ == "nsubjpass" and not any(x.dep_ == "nsubj" for x in t.children)))
                and c.pos_ == "NOUN" and c.lemma_.lower() not in GENERIC for c in t.children):
            continue  # "who granted the pardon", "where did they hold talks": the noun says what was done
        if lemma == "matter" and wh == "why":  # "why does X matter" (spaCy may tag it a noun): why X is important
            continue
        terms.append(lemma)
    terms += [v for v in dict.fromkeys(phrasal_verbs) if v not in terms]
    if role:  # "what position does X hold", "what is X's professional background": the title alone says it
        terms = [t for t in terms if t not in ("hold", "occupy", "professional") and t not in ROLE_HEADS]
    if soon:  # "how soon": like "long" in "how long", it says what kind of answer is wanted
        terms = [t for t in terms if t != "soon"]
    predicate = None
    predicate_word = None
    doer = None

    def doer_of(verb) -> tuple[int, str, bool] | None:
        """(names[k], lemma, passive) of the verb's subject, a person or an organisation or state
        that acts ("why did the EU lift …"); the last one found."""
        found = None
        for c in verb.children:
            k = next((k for k, span in enumerate(name_spans) if c.i in span), None) if c.dep_ in ("nsubj", "nsubjpass") else None
            if k is not None and (k in persons or name_labels[k] in AGENT_LABELS):
                # passive whatever the subject's label: "How long was Svetlana Tikhanovskaya
                # sentenced?" (an "auxpass" beside an "nsubj"), "… was X sentenced to" (a "be" root)
                passive = c.dep_ == "nsubjpass" or any(a.dep_ == "auxpass" for a in verb.children) or verb.tag_ == "VBN" and (
                    verb.dep_ == "ccomp" and verb.head.lemma_.lower() == "be"
                    or any(a.dep_ == "aux" and a.lemma_.lower() == "be" for a in verb.children))
                found = (k, verb.lemma_.lower(), passive)
        return found

    for t in toks:
        hedged = _hedged_verb(t) if t.dep_ in ("ROOT", "ccomp") else None
        if hedged is not None and hedged.lemma_.lower() not in GENERIC and (t.dep_ == "ROOT" or t.head.lemma_ == "be"):
            # "what is Russia said to provide …", "what is Belarus said to have received": the
            # verb after the hedge is what is asked, done by the hedge's subject
            predicate, predicate_word = hedged.lemma_.lower(), hedged.text
            found = doer_of(t)
            if found is not None:
                doer = (found[0], predicate, any(c.dep_ == "auxpass" for c in hedged.children))
            continue
        if t.dep_ == "ROOT" and t.pos_ == "VERB" and t.lemma_.lower() not in GENERIC:
            predicate = t.lemma_.lower()
            predicate_word = t.text
            doer = doer_of(t) or doer
    if doer is None:  # "How many years had X been sentenced to?": the parse makes "had" the root
        for t in toks:
            if t.dep_ == "ccomp" and t.pos_ == "VERB" and t.head.dep_ == "ROOT" and t.head.lemma_.lower() in ("have", "do", "be") \
                    and t.head.i < t.i and t.lemma_.lower() not in GENERIC:
                doer = doer_of(t) or doer
    if doer is None:  # "did Putin release": the small parser reads do + a noun "release" at times
        for k in persons:
            span = name_spans[k]
            if span.start >= 1 and span.stop < len(doc) and doc[span.start - 1].lower_ in _QUESTION_AUX:
                verb = doc[span.stop]
                if verb.is_alpha and verb.pos_ in ("VERB", "NOUN") and verb.lemma_.lower() not in GENERIC:
                    passive = doc[span.start - 1].lower_ in _PASSIVE_AUX and verb.tag_ == "VBN"
                    doer = (k, verb.lemma_.lower(), passive)
                    break
    name_words = {w for n in names for w in n}
    # "what did X say …" reports speech; "what … does the Svobodnaya Pressa piece say …" what an article states
    # (not the hedge "Belarus is said to have received": a passive "said" with "to" after it)
    speech = wh == "what" and any(
        t.lemma_.lower() in SPEECH_VERBS and t.pos_ == "VERB"
        and not any(c.dep_ == "nsubj" and (c.lemma_.lower() in _REPORTING_SUBJECTS or c.lower_ in _REPORTING_SUBJECTS) for c in t.children)
        and not _hedging_passive(t) for t in toks)
    if not speech and wh in ("what", "which") and _asks_wording_of_a_person(toks, {i for k in persons for i in name_spans[k]}):
        speech = True  # "what phrase did John Coale use to describe …": his words, as "what did he say"
    focus_terms: set[str] = set()
    asked_noun = None
    wh_at = next((t.i for t in toks if t.lower_ in ("what", "which")), None)
    if wh_at is not None:  # "what range", "which Ukrainian city", "what is the range of"
        for t in doc[wh_at + 1 : wh_at + 6]:
            if t.pos_ == "NOUN" and t.lemma_.lower() in terms:
                focus_terms.add(t.lemma_.lower())
                asked_noun = t.lemma_.lower()
                break
            if t.pos_ in ("VERB", "ADP", "AUX") and t.lemma_.lower() not in ("be",):
                break  # "what did the commentator say": the noun after "did" is its subject, not what is asked
    if asked_noun in REASON_NOUNS:  # "what reason did Minsk give for …": why
        wh, terms, expected, type_head = "why", [t for t in terms if t != asked_noun], frozenset(EXPECTED.get("why", ())), None
        focus_terms.discard(asked_noun)
        asked_noun = None
    explaining = {t.lemma_.lower() for t in toks if t.lemma_.lower() in EXPLAIN_VERBS and t.pos_ == "VERB" and t.dep_ == "ROOT"}
    if wh == "how" and explaining:  # "how does Vasilyev explain Lukashenko's rush …", "how did Minsk justify …": why
        wh, terms, expected = "why", [t for t in terms if t not in explaining], frozenset(EXPECTED.get("why", ()))
    if predicate and predicate in terms:
        focus_terms.add(predicate)
    hard_type = not likelihood and not soon and not role and (
        wh in ("who", "when", "how_many", "how_much", "how_long", "how_old") or asks_name or named_thing is not None
        or bool(expected) and expected <= (TIME_LABELS | NUMBER_LABELS | {"PERCENT", "MONEY", "QUANTITY"})
    )
    described, described_names, described_as, described_subject = _description(toks, name_spans, name_labels, terms)
    # (opening with a content word: "and in return?", "any other way around …?" are a
    # conversation's ellipses, not keywords)
    fragment = (wh == "other" and bool(toks) and toks[0].pos_ in ("PROPN", "NOUN", "ADJ", "NUM")
                and not any(t.tag_ in _FINITE_TAGS for t in toks))
    return Question(
        text, wh, expected, names, numbers, terms, predicate, content_lemmas(doc), name_words, speech, focus_terms, hard_type,
        sources, type_head, role, asked_noun, tuple(persons), name_of, doer, named_thing is not None, predicate_word,
        outlets, described, described_names, described_as, fragment=fragment, described_subject=described_subject,
    )


def _hedged_verb(t):
    """The verb a hedge is about ("provide" in "what is Russia said to provide", "thought to
    provide"), or None when the token is no hedge."""
    if t.lemma_.lower() not in HEDGE_VERBS or not _hedging_passive(t):
        return None
    return next((c for c in t.children if c.dep_ in ("xcomp", "ccomp") and c.pos_ in ("VERB", "AUX")
                 and any(x.lower_ == "to" for x in c.children)), None)


# verbs of a report or a belief a passive makes a hedge of: "is said / reported / thought to …"
HEDGE_VERBS = frozenset({"say", "report", "think", "believe", "allege", "claim", "understand", "rumour", "rumor", "repute"})


def _hedging_passive(t) -> bool:
    """A speech verb as a hedge: "is said to have received", "was reported to be" (a passive
    participle with a "to" infinitive after it), which asks what is so, not what was said.
    The small parser tags "said" in "what is Belarus said to have received" a past tense under
    "is" at times, and "are" in "what are the prisoners said to …" an "aux": a form of "be"
    before it is the passive all the same; not in a cleft ("What was it that Trump said to
    expect"), nor a verb with an object ("… told Kellogg to do")."""
    be_before = any(c.dep_ in ("auxpass", "aux") and c.lemma_ == "be" and c.i < t.i for c in t.children) or (
        t.head.lemma_ == "be" and t.head.i < t.i and not any(c.dep_ in ("nsubj", "expl") and c.lower_ == "it" for c in t.head.children))
    passive = t.tag_ in ("VBN", "VBD") and be_before and not any(c.dep_ in ("dobj", "dative", "mark") for c in t.children)
    return passive and any(
        c.dep_ in ("xcomp", "ccomp") and any(x.lower_ == "to" for x in c.children) for c in t.children)


def _titled_noun(t) -> bool:
    """A role noun with another role noun or a common adjective of a title before it ("special
    representative", "press secretary", "vice director"), not a name's adjective alone ("the
    Belarusian leader")."""
    return any(c.dep_ in ("amod", "compound") and c.i < t.i and c.pos_ != "PROPN" and c.text[:1].islower()
               for c in t.children)


def _description(toks, name_spans: list[range], labels: list[str | None], terms: list[str]) -> tuple[frozenset[str], tuple[int, ...], str, str]:
    """The terms and names of the question's descriptions of an unnamed person whose words or
    view it asks ("according to the senior researcher at the Institute for U.S. and Canada
    Studies", "the researcher's image"): the subtree of a role noun that holds no person's name
    and names none ("political analyst Artyom Shraibman" is named); and the words that cite
    the first of them ("according to the …", "per the …"), or "", and the first as the subject of
    a verb ("the senior researcher … " in "What does the senior researcher … expect …?"), or ""."""
    lemmas: set[str] = set()
    inside: set[int] = set()
    cited = subject = ""
    for t in toks:
        if t.pos_ != "NOUN" or t.lemma_.lower() not in ROLE_NOUNS or any(t.i in span for span in name_spans):
            continue
        if not (_is_source(t) or t.dep_ == "poss" or (t.dep_ == "nsubj" and t.head.lemma_ != "be" and _titled_noun(t))):
            # only one whose words or view are asked: "the Belarusian leader embraced him" is no
            # speaker — or the doer of the question's verb described by a title of more words
            # ("how many did the American special representative take out of Belarus": the
            # article calls Kellogg "U.S. Special Representative for Ukraine"; not the one "who
            # is the press secretary" asks for)
            continue
        if any(c.lower_ in WH_WORDS for c in t.children):
            continue  # "which political analyst wrote …": the one asked for, no one described
        if (t.head.pos_ == "PROPN" and t.head.i > t.i) or any(c.dep_ == "appos" and c.pos_ == "PROPN" for c in t.children):
            continue  # "analyst Artyom Shraibman", "the analyst, Shraibman": a title of the name
        ids = {x.i for x in t.subtree}
        ks = [k for k, span in enumerate(name_spans) if set(span) <= ids]
        if any(labels[k] == "PERSON" and t.doc[name_spans[k].stop - 1].dep_ != "poss" for k in ks):
            continue  # a person named in it is the one described (not "Trump's" in "Trump's former lawyer")
        lemmas.update(x.lemma_.lower() for x in t.subtree)
        inside.update(ks)
        if not cited and t.dep_ == "pobj":
            start = t.head.head if t.head.lower_ == "to" and t.head.head.lower_ == "according" else t.head
            cited = t.doc[start.i : t.right_edge.i + 1].text
        if not subject and t.dep_ == "nsubj":
            subject = t.doc[t.left_edge.i : t.right_edge.i + 1].text
    return frozenset(lemmas & set(terms)), tuple(sorted(inside)), cited, subject


# "what reason / justification did X give": the question asks why; a sentence gives the reason
# without the word ("was purely humanitarian - to allow him to …")
REASON_NOUNS = frozenset({"reason", "motive", "justification", "rationale", "explanation", "grounds"})
# "how does X explain / justify Y" asks why Y, in X's words
EXPLAIN_VERBS = frozenset({"explain", "justify"})


# a publication's text or its people: "the Svobodnaya Pressa piece", "the Siberian Newspaper interview"
MEDIA_NOUNS = frozenset({
    "piece", "article", "report", "comment", "commentary", "interview", "interviewer", "story", "column", "editorial",
    "publication", "outlet", "op-ed", "website", "feature",
})
# what reports as a publication does ("media", whose lemma the parser gives as "medium"): "what
# did American media say was the purpose …" asks what the articles state the media reported,
# not a person's words
_REPORTING_SUBJECTS = MEDIA_NOUNS | {"media", "press"}
# the people behind a publication's text: "the bne IntelliNews author", "the European Pravda
# columnist" — the publication's byline, which no sentence of the article repeats
# (not "editor", "journalist", "reporter": a Tut.by editor is one of the prisoners)
STAFF_NOUNS = frozenset({"author", "writer", "columnist"})
_PUBLICATION_HEADS = MEDIA_NOUNS | STAFF_NOUNS


def _outlets(doc, name_spans: list[range], labels: list[str | None], persons: list[int]) -> tuple[tuple[int, ...], set[int]]:
    """(the names[k] that name a publication, the tokens that go with them and are no terms).
    A publication is named before a word for its text ("the bne IntelliNews comment": the
    lower-case "bne" goes with the name), or as an organisation the question cites ("according
    to European Pravda"). Not a person: what a person says is their own words (the Answerer
    drops a name the articles give a person, whatever label spaCy gave it)."""
    out, words_of = [], set()
    for k, span in enumerate(name_spans):
        last = doc[span[-1]]
        head = last.head
        a_noun = head.pos_ == "NOUN" or head.dep_ in ("pobj", "dobj", "nsubj", "nsubjpass", "attr")  # "comment" tagged VERB
        # a one-word PERSON is no guide ("the svobodnaya Pressa piece"); "Sergei Lavrov" is one
        if (last.dep_ in ("compound", "poss", "amod", "nmod") and a_noun and head.lemma_.lower() in _PUBLICATION_HEADS
                and head.i not in span and (labels[k] != "PERSON" or len(span) == 1)):
            out.append(k)
            if head.lemma_.lower() in STAFF_NOUNS and not any(c.lower_ in ("which", "what", "whose") for c in head.children):
                words_of.add(head.i)  # "the bne IntelliNews author": whose text, which no sentence of it names
            # "the bne IntelliNews comment", "the svobodnaya Pressa piece" (a first word the parse
            # left out of the name): the words just before the name that go with it
            start = span[0]
            while start > 0 and doc[start - 1].dep_ in ("compound", "amod") and doc[start - 1].head.i in (head.i, *span) and (
                    doc[start - 1].is_lower or doc[start - 1].text[:1].isupper()) and doc[start - 1].is_alpha:
                start -= 1
                words_of.add(start)
        elif (labels[k] in ("ORG", "WORK_OF_ART") and k not in persons and last.dep_ == "pobj"
              and (head.lower_ == "to" and head.head.lower_ == "according" or head.lower_ == "per")):
            out.append(k)
    return tuple(out), words_of


PROPER_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW"})


def _reduplicated(doc) -> set[int]:
    """Tokens of a hyphenated word that repeats its first part ("face-to-face", "step-by-step",
    "day-to-day", "one-on-one"): a manner, not a thing the answer must name ("How likely did
    Vasilyev consider a face-to-face meeting …?" looked for faces). Written apart ("from time to
    time") they stay terms: dropping them made "how does Trump encourage Lukashenko from time to
    time?" an answer from the wrong sentence instead of a refusal."""
    out: set[int] = set()
    for i in range(len(doc) - 4):
        w = doc[i : i + 5]
        if (w[1].text == "-" and w[3].text == "-" and w[0].lower_ == w[4].lower_ and w[0].is_alpha
                and not any(t.whitespace_ for t in w[:4])):
            out.update(range(i, i + 5))
    return out


def _named_thing(toks):
    """The noun whose proper name a question asks for — "company" in "What is the name of the
    Belarusian potash company …?", "commentary" in "What is the title of Shraibman's
    commentary?" — or None. Not a person's first name or surname (asks_name)."""
    for i, t in enumerate(toks[:-1]):
        if t.lower_ in ("name", "title") and t.pos_ == "NOUN" and toks[i + 1].lower_ == "of":
            obj = next((c for c in toks[i + 1].children if c.dep_ == "pobj"), None)
            if obj is not None and obj.pos_ == "NOUN":
                return obj
    return None


_QUESTION_AUX = frozenset({"did", "does", "do", "was", "were", "is", "are", "has", "have", "had", "will", "would", "could", "can"})
_PASSIVE_AUX = frozenset({"was", "were", "is", "are", "been", "be", "being"})


# verbs whose subject gives a view or an estimate: "what does X think / say / expect", "what chance did X give"
SOURCE_VERBS = {
    "say", "think", "believe", "expect", "predict", "argue", "see", "describe", "call", "consider", "compare", "suggest",
    "claim", "assess", "view", "explain", "warn", "note", "write", "give", "estimate", "reckon", "feel", "mean", "tell",
    "put", "rate", "name",
}


def _of_a_thing(t, name_token_ids: set[int]) -> bool:
    """"the title of Shraibman's commentary": the role word belongs to a thing, not a person."""
    for prep in t.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            return any(o.dep_ == "pobj" and o.i not in name_token_ids for o in prep.children)
    return False


# what a question asks for when it asks for someone's words ("what phrase did Lukashenko use")
WORDING_NOUNS = frozenset({"phrase", "expression", "word", "wording", "slogan", "catchphrase", "nickname", "metaphor",
                           "greeting", "quote", "quotation", "label", "epithet", "insult", "compliment"})
_WORDING_VERBS = frozenset({"use", "coin", "choose", "employ", "pick", "utter", "shout", "say", "call", "give"})


def _asks_wording_of_a_person(toks, person_token_ids: set[int]) -> bool:
    """"What phrase did John Coale use …?", "Which words did Trump use to greet …?": a wording
    noun right after what / which, then "did" / "does", a name, and a verb of using words (the
    small model tags "use" a noun at times, so the words' order is read, not the parse)."""
    wh_at = next((t.i for t in toks if t.lower_ in ("what", "which")), None)
    if wh_at is None:
        return False
    doc = toks[0].doc
    noun = next((t.i for t in doc[wh_at + 1 : wh_at + 3] if t.lemma_.lower() in WORDING_NOUNS), None)
    if noun is None or noun + 2 >= len(doc) or doc[noun + 1].lower_ not in ("did", "does", "do", "has", "had", "would", "will"):
        return False
    k = noun + 2
    while k < len(doc) and k in person_token_ids:  # a person's name ("the Siberian Newspaper" uses no words of its own)
        k += 1
    return k > noun + 2 and k < len(doc) and doc[k].lemma_.lower() in _WORDING_VERBS


def _is_source(t) -> bool:
    """The token names whose words or view the question asks for: the subject of a verb of
    saying or thinking, "according to X", "in X's view", "in the view of X"."""
    if t.dep_ == "nsubj" and t.head.lemma_.lower() in SOURCE_VERBS:
        # (not the subject of a hedge: in "what is Russia said to provide", Russia provides; but
        # "what was Lukashenko said to have told Kellogg" asks his words)
        hedged = _hedged_verb(t.head)
        return hedged is None or hedged.lemma_.lower() in SPEECH_VERBS
    if t.dep_ == "pobj" and (t.head.lower_ == "to" and t.head.head.lower_ == "according" or t.head.lower_ == "per"):
        return True
    if t.dep_ == "pobj" and t.head.lower_ == "of" and t.head.head.lemma_.lower() in VIEW_NOUNS:
        return True  # "in the view of the chief researcher …", "in the opinion of Shatov"
    if t.dep_ in ("dep", "appos") and t.head.lower_ == "according":
        return True  # "According to the RAS researcher Boris Shmelev, …" (the small model hangs the name on "According")
    if t.dep_ == "appos" and t.head is not t and _is_source(t.head):
        return True  # "What does the political analyst Artyom Shraibman think …"
    return t.dep_ == "poss" and t.head.lemma_.lower() in VIEW_NOUNS


# "in X's view", "by her estimate": the words of the person whose view is asked
VIEW_NOUNS = frozenset({"view", "opinion", "words", "estimate", "estimation", "assessment", "judgment", "judgement", "reading", "mind",
                        "telling", "account"})


@lru_cache(maxsize=200_000)
def stem(w: str) -> str:
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
            df.update({stem(lm) for lm in s.lemmas})
        self.df = df

    @classmethod
    def from_counts(cls, n: int, df: dict[str, int]) -> "Vocabulary":
        """The vocabulary of `n` sentences whose stems have these document frequencies."""
        vocab = cls.__new__(cls)
        vocab.n, vocab.df = max(1, n), df
        return vocab

    def idf(self, lemma: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(stem(lemma), 0)))


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
    focus_coverage: float = 0.0
    names_in_corpus: bool = True
    hard_type: bool = False
    features: dict = field(default_factory=dict)

    @property
    def names_ok(self) -> bool:
        """Every name of the question is in the answer's window or, at least,
        elsewhere in its article (interviews name the speaker once)."""
        return self.names_in_corpus and self.names_found == self.names_total

    @property
    def type_ok_required(self) -> bool:
        return self.type_ok is not False or not self.hard_type


def window_words(sentences) -> set[str]:
    out: set[str] = set()
    for s in sentences:
        out.update(words(s.text))
    return out


SOFT_FLOOR, SOFT_FULL = 0.5, 0.8  # word-embedding similarity: no credit below, full credit above
FOCUS_WEIGHT = 1.0  # extra weight of the asked-for attribute or action


def term_credits(
    q: Question, lemmas: set[str], wordset: set[str], soft=None, wordnet=None, typed: bool = False, stems: set[str] | None = None
) -> tuple[float, ...]:
    """How well these words cover each of the question's terms, in order: 1 for the
    term itself (lemma or stem) or a derivation of it, or with `wordnet` (bot/wordnet.py)
    a synonym or a kind of it ("free" ~ "release", "building" ~ "palace"); with `soft(term, lemmas) ->
    similarity`, partial credit for a paraphrase ("video" ~ "footage"); else 0.

    `typed`: the sentences hold an answer of the asked type, which covers the noun that asked
    for it ("In which year …?" — "2022 Nobel Peace Prize winner" says the year without the word).

    Credits of a group of sentences are the best credit over its sentences, so they
    are computed once per sentence and combined with `coverage`. `stems`: those of the lemmas
    and words, when the caller keeps them (`sentence_stems`).
    """
    if not q.terms:
        return ()
    if stems is None:
        stems = sentence_stems(lemmas, wordset)
    prefixes: dict[str, list[str]] | None = None
    covered = None
    out = []
    for term in q.terms:
        st = stem(term)
        if st in stems or (typed and term == q.type_head):
            out.append(1.0)
            continue
        if len(st) == 4 and any(st + suffix in stems for suffix in AGENT_SUFFIXES):
            out.append(1.0)  # "edit" ~ "editor", "lead" ~ "leader": too short for `_derived`
            continue
        if any(alt in stems for alt in alternations(st)):
            out.append(1.0)  # "decide" ~ "decision", "permit" ~ "permission"
            continue
        if len(st) >= 5:
            if prefixes is None:
                prefixes = {}
                for other in stems:
                    prefixes.setdefault(other[:5], []).append(other)
            if _derived(st, prefixes.get(st[:5], ())):  # only stems with the same first five letters
                out.append(1.0)
                continue
        same = PARAPHRASES.get(term)
        if same is not None and not same.isdisjoint(lemmas):
            out.append(1.0)  # "carrier" ~ "airline", "previously" ~ "in the past"
            continue
        kinds = VERB_KINDS.get(term)
        if kinds is not None and not kinds.isdisjoint(lemmas):
            out.append(1.0)  # "sent" ~ "deported": a way of doing what the question asks
            continue
        if wordnet is not None:
            if covered is None:
                covered = wordnet.matcher(lemmas)
            if covered(term):
                out.append(1.0)  # a synonym, or a kind of the thing asked about (bot/wordnet.py)
                continue
        credit = 0.0
        if soft is not None:
            sim = soft(term, lemmas)
            credit = max(0.0, min(1.0, (sim - SOFT_FLOOR) / (SOFT_FULL - SOFT_FLOOR)))
        out.append(credit)
    return tuple(out)


AGENT_SUFFIXES = ("er", "or")

# words that put what is asked before now: any says it ("Which country had previously received
# the released prisoners?" — "In the past, all released prisoners have been deported to …")
PAST_WORDS = frozenset({"previously", "formerly", "earlier", "past", "prior", "hitherto"})

# Words news writing uses for one another that WordNet does not take for synonyms (its senses
# are finer: an "airline" is not a "carrier" there, nor "stated" "announced"). General English,
# each group a set of interchangeable words; kept short: every pair in it must hold both ways.
# Tried and left out: trip ~ visit and gift ~ present (each made a right answer lose to a
# sentence that merely mentions "the visit" or "the gifts", and answered nothing new); stop ~
# prevent ("what might Lukashenko stop sending …" then found "the main obstacle preventing …");
# reporter ~ journalist and sanction ~ restriction (no answer changed)
PARAPHRASE_GROUPS = (
    frozenset({"announce", "state", "declare", "proclaim"}),
    frozenset({"spokesman", "spokeswoman", "spokesperson", "secretary"}),  # "the leader's spokeswoman" ~ "Press Secretary Natalia Eisenmont"
    frozenset({"airline", "carrier"}),
    frozenset({"ship", "transport", "export", "transit"}),
    frozenset({"barrier", "obstacle", "hurdle", "impediment", "obstruction"}),
    frozenset({"care", "interest"}),
    frozenset({"leader", "president"}),  # "the Belarusian leader" ~ "the president of Belarus"
    frozenset({"pledge", "commitment"}),
    frozenset({"repeat", "catchphrase"}),  # "what did Lukashenko keep repeating" ~ "Lukashenko had a catchphrase: …"
    frozenset({"profit", "benefit"}),  # "what stops Belarus profiting from …" ~ "from fully benefiting from …"
    frozenset({"war", "conflict"}),
    frozenset({"team", "delegation"}),
    frozenset({"mutiny", "rebellion", "revolt", "uprising"}),
    frozenset({"end", "lift"}),  # "the end of the sanctions" ~ "the lifting of the sanctions"
    frozenset({"lift", "remove"}),  # "removed sanctions from the airline" ~ "lifted sanctions against"
    frozenset({"friction", "tension", "conflict", "clash", "dispute"}),
    frozenset({"cause", "lead"}),  # "what caused friction" ~ "led to several conflicts"
    frozenset({"close", "block", "shut"}),
    frozenset({"trip", "visit", "journey"}),
    frozenset({"head", "chairman", "chairwoman", "chair"}),  # "the adviser to the head of …" ~ "advisor to the Chairman of …"
    frozenset({"adviser", "advisor"}),  # two spellings: "the adviser from the Baltic Sea research body" ~ "Vsevolod Shemov, advisor to …"
    frozenset({"historian", "history"}),  # "according to the historian" ~ "Boris Shmelyev, a doctor of history"
    frozenset({"winner", "laureate"}),  # "the Nobel Peace Prize winner" ~ "Nobel laureate Ales Bialiatski"
    frozenset({"journalist", "editor", "reporter"}),  # "which Tut.by journalist was freed" ~ "Tut.by editor Maryna Zolatava"
    frozenset({"famous", "prominent", "notable", "renowned"}),  # "well-known prisoners" ~ "the most famous"
    frozenset({"majority", "most"}),  # "most of the prisoners" ~ "the majority of the political prisoners"
    frozenset({"ask", "request"}),  # "because Trump asked" ~ "at the request of Donald Trump"
    frozenset({"compare", "liken", "similar", "resemble", "akin", "comparable"}),  # "compare Trump to" ~ "the situation is similar"
    frozenset(LIKELIHOOD_LEMMAS),  # "Vasilyev put odds on …" ~ "the possibility is quite high"
    PAST_WORDS,
)
PARAPHRASES: dict[str, frozenset[str]] = {}
for _group in PARAPHRASE_GROUPS:  # a word in two groups ("conflict") stands for the words of both
    for _w in _group:
        PARAPHRASES[_w] = PARAPHRASES.get(_w, frozenset()) | (_group - {_w})


# Verbs an article uses for a particular way of doing what a question's plainer verb asks
# ("Where was Bialiatski sent?" — "deported to Lithuania"). WordNet (bot/wordnet.py) takes
# verbs' synonyms only: a verb's broader senses are too general on the whole ("visit" is a
# way to "meet"). General English, not this corpus's.
VERB_KINDS = {
    "send": frozenset({"deport", "exile", "expel", "extradite", "dispatch", "transfer", "ship", "export"}),
    "give": frozenset({"provide", "supply", "deliver", "grant", "hand", "donate"}),
    "sell": frozenset({"offer", "supply", "export"}),  # "what could Belarus sell the US" ~ "Belarus can offer the U.S. potash"
}


def sentence_stems(lemmas, wordset) -> set[str]:
    """The stems `term_credits` matches a question's terms against."""
    return {stem(lm) for lm in lemmas} | {stem(w) for w in wordset}


def term_weights(q: Question, vocab: Vocabulary) -> list[float]:
    """Each term's weight: its rarity, more for the asked-for attribute or action."""
    return [vocab.idf(t) * (FOCUS_WEIGHT if t in q.focus_terms else 1.0) for t in q.terms]


def coverage(
    q: Question, rows: list[tuple[float, ...]], weights: list[float], only: set[str] | None = None
) -> tuple[float, list[str]]:
    """(weighted share of the question's terms covered by these sentences' credits
    (`term_credits` per sentence), the terms not covered). `only`: just these terms."""
    total = found = 0.0
    missing = []
    for k, term in enumerate(q.terms):
        if only is not None and term not in only:
            continue
        c = max((r[k] for r in rows), default=0.0)
        if c < 0.5 and term in q.setting_terms:
            continue
        total += weights[k]
        found += weights[k] * c
        if c < 0.5:
            missing.append(term)
    return (found / total if total else 1.0), missing


def term_coverage(
    q: Question, window_lemmas: set[str], window_wordset: set[str], vocab: Vocabulary, soft=None
) -> tuple[float, list[str]]:
    """Share of the question's content terms (idf-weighted) present in the window.

    Exact lemma/stem matches count fully; with `soft(term, lemmas) -> similarity`
    a paraphrase ("video" ~ "footage", "obtain" ~ "receive") earns partial credit.
    """
    if not q.terms:
        return 1.0, []
    return coverage(q, [term_credits(q, window_lemmas, window_wordset, soft)], term_weights(q, vocab))


# Latin verbs whose noun changes the stem's last letters, which Snowball keeps apart ("decid" /
# "decis", "permit" / "permiss"): each pair of endings stands for the other. General English.
STEM_ALTERNATIONS = (("cid", "cis"), ("clud", "clus"), ("vad", "vas"), ("vid", "vis"), ("suad", "suas"),
                     ("plod", "plos"), ("lid", "lis"), ("mit", "miss"), ("scrib", "script"), ("ceiv", "cept"),
                     ("sum", "sumpt"), ("olv", "olut"))


@functools.lru_cache(maxsize=4096)  # term_credits asks it of each question term for every candidate sentence
def alternations(st: str) -> tuple[str, ...]:
    """The stem with its ending swapped for its pair's (STEM_ALTERNATIONS): "decid" → ("decis",)."""
    if len(st) < 5:
        return ()
    out = []
    for a, b in STEM_ALTERNATIONS:
        if st.endswith(a):
            out.append(st[: -len(a)] + b)
        elif st.endswith(b):
            out.append(st[: -len(b)] + a)
    return tuple(out)


def _derived(st: str, candidates) -> bool:
    """A derivation of the word is there ("advise" ~ "advisor", "sentence" ~ "sentenced"):
    one of `candidates` (stems sharing the first five letters of `st`) shares most of the
    shorter word with it."""
    for other in candidates:
        n = 5
        while n < min(len(st), len(other)) and st[n] == other[n]:
            n += 1
        if n >= 0.8 * min(len(st), len(other)):
            return True
    return False


def missing_weight(q: Question, missing: list[str], vocab: Vocabulary) -> tuple[float, float]:
    """(largest rarity weight among the missing terms relative to the largest of all
    terms, number of missing terms): one rare term missing is the typical near miss."""
    if not q.terms or not missing:
        return 0.0, 0.0
    top = max(vocab.idf(t) for t in q.terms)
    return max(vocab.idf(t) for t in missing) / top if top else 0.0, float(len(set(missing)))


# en_core_web_sm's lemmas that are another word ("hoping" -> "hop"): the term is the word's own
# lemma, which the articles' "hopes", "hoped" and "hoping" all stem to
_LEMMA_FIXES = {"hoping": "hope", "coping": "cope"}

# Phrasal verbs, the commonest paraphrase of a question ("how many did Minsk let go", "who is he
# hoping to sit down with"), read as the one verb an article writes: the verb and its particle
# say nothing an article's words match ("let" and "go" are not even terms), the verb does.
# General English, not this corpus's.
PHRASAL_VERBS = {
    "let go": "release", "let out": "release", "set free": "release", "walk free": "release", "go free": "release",
    "hand over": "give", "give back": "return", "send back": "return", "sit down": "meet", "put forward": "propose",
    "turn down": "reject", "step down": "resign", "call off": "cancel", "take part": "participate",
    "set up": "establish", "shut down": "close", "close down": "close", "lock up": "imprison", "put behind bars": "imprison",
    "pull out": "withdraw", "find out": "learn", "throw out": "expel", "kick out": "expel",
    "crack down": "suppress", "bring about": "cause", "take delivery": "receive",
    "leave prison": "release", "leave jail": "release",
    "make public": "announce", "mix up": "confuse",
    "cash in": "benefit",  # "what stops Belarus cashing in on the lifted sanctions": "fully benefiting from", not "cash cow"
    "hold back": "prevent",  # "what is holding Belarus back from …": "the main obstacle preventing …"
    "end up": None,  # "where did Bialiatski end up": where he went, which "deported to Lithuania" says
}


# verbs of a view held, passive before what is held: "seen as unlikely", "considered a threat"
_DEEMED = frozenset({"see", "consider", "regard", "view", "deem", "think", "perceive"})
# verbs that say little beside their object noun, which names what was done ("grant a pardon",
# "hold talks", "pay a visit", "issue a statement", "conduct negotiations"): an article says
# "pardoned", "met", "visited", "stated"
LIGHT_VERBS = frozenset({"grant", "issue", "hold", "pay", "conduct", "undertake", "deliver", "extend", "perform", "stage"})


_PHRASAL_BEFORE_OF = frozenset({"take delivery"})  # "taken delivery of the missile": received it
_PHRASAL_BEFORE_FROM = frozenset({"hold back"})  # "holding Belarus back from …": preventing it


# Complex prepositions ("in terms of", "with respect to", "apart from"): their words say how
# the question is put together, not what it asks, and an article answering it rarely repeats
# them. Their tokens are not terms. "*" is one adjective, kept as a term ("on good terms with":
# "good" is asked, "terms" is not). General English, not this corpus's.
COMPLEX_PREPOSITIONS = tuple(tuple(p.split()) for p in (
    "in terms of", "on * terms", "with respect to", "in respect of", "with regard to", "in regard to",
    "apart from", "aside from", "instead of", "in place of", "on behalf of", "in addition to",
    "by means of", "by way of",
))
# Not "as a result of", "in light of", "in the wake of", "in view of": a cause or a time the
# answer must be about ("what did Belarus get as a result of the release?")


def _complex_prepositions(toks) -> set[int]:
    """The tokens of the question's complex prepositions (COMPLEX_PREPOSITIONS) that are not terms."""
    spanned: set[int] = set()
    low = [t.lower_ for t in toks]
    for pattern in COMPLEX_PREPOSITIONS:
        n = len(pattern)
        for at in range(len(toks) - n + 1):
            if all(w == "*" and toks[at + k].pos_ == "ADJ" or w == low[at + k] for k, w in enumerate(pattern)):
                spanned.update(toks[at + k].i for k, w in enumerate(pattern) if w != "*")
    return spanned


def _receives_a_person(toks, person_tokens: set[int], use_wordnet: bool = True) -> set[int]:
    """The tokens of "receive" whose object is a person ("where did Lukashenko receive the envoy /
    Kellogg"): to receive someone is to meet them, the word an article writes ("met with …").
    A person: a name the question tags as one, or a noun WordNet knows only as a kind of person
    ("envoy", "representative"); not a prize, a sentence or missiles. The subject a person too (a
    name, a noun naming a kind of person, a personal pronoun): a country receiving prisoners takes
    them in, it does not meet them. use_wordnet=False: only tagged names are people."""
    from bot import wordnet

    out: set[int] = set()

    def a_person(tok) -> bool:
        if tok.i in person_tokens or any(c.i in person_tokens for c in tok.children if c.dep_ in ("appos", "compound")):
            return True
        wn = wordnet.get() if use_wordnet and tok.pos_ == "NOUN" else None  # loaded only for a question that has "receive"
        return wn is not None and wn.kind_of(tok.lemma_.lower(), "person") and not wn.kind_of(tok.lemma_.lower(), "abstraction")

    for t in toks:
        if t.lemma_.lower() != "receive" or t.pos_ != "VERB":
            continue
        # someone receiving a visitor: not a country taking in prisoners ("which country received Bialiatski")
        subjects = [c for c in t.children if c.dep_ == "nsubj"]
        if not any(a_person(c) or (c.pos_ == "PRON" and c.lower_ in ("he", "she", "they", "who")) for c in subjects):
            continue
        for obj in (c for c in t.children if c.dep_ == "dobj"):
            if a_person(obj):
                out.add(t.i)
    return out


def _phrasal_verbs(toks) -> tuple[set[int], list[str]]:
    """The phrasal verbs of a question (PHRASAL_VERBS): the tokens they span (the verb and its
    particle: among the verb's later dependents, or the next one or two words) and the one-word
    verbs they stand for. Not before "of": "take part of", "let go of" mean something else."""
    spanned: set[int] = set()
    verbs: list[str] = []
    for n, t in enumerate(toks):
        if t.pos_ not in ("VERB", "AUX") and t.lower_ != "let":
            continue
        lemma = t.lemma_.lower()
        after = toks[n + 1 : n + 3]
        options = [(f"{lemma} {c.lower_}", [c]) for c in t.children if c.i > t.i]  # "let Tsikhanouski go", "set them free"
        options += [(f"{lemma} {' '.join(x.lower_ for x in after[:k])}", after[:k]) for k in (2, 1) if len(after) >= k]
        for key, particles in options:
            if key not in PHRASAL_VERBS:
                continue
            after_particle = particles[-1].i + 1
            if after_particle < len(t.doc) and t.doc[after_particle].lower_ == "of" and key not in _PHRASAL_BEFORE_OF:
                continue
            if key in _PHRASAL_BEFORE_FROM and not any(x.lower_ == "from" for x in t.doc[after_particle:]):
                continue  # "what did Lukashenko hold back in 2020": no holding anyone back from anything
            spanned.update([t.i, *(x.i for x in particles)])
            if PHRASAL_VERBS[key] is not None:
                verbs.append(PHRASAL_VERBS[key])
            break
    return spanned, verbs


def _extends_asked_name(entity: str, q: Question) -> bool:
    """A name holding the one whose first / last name is asked (Question.name_of), written
    as the question writes it, and a capitalised word besides that is not a stop word ("Will
    Lukashenko" is a sentence's "Will"; "Sergey Tikhanovsky" is no name of Tikhanovskaya's).
    spaCy's label is left aside: it tags "Tsikenovich" in a question, and "Artyom Shraibman"
    in an article, as organisations."""
    asked = {w for k in q.name_of for w in q.names[k]}
    tokens = _WORD_RE.findall(entity)
    ours = [w for w in tokens if w.lower() in asked]
    return bool(ours) and any(w[:1].isupper() and w.lower() not in asked and w.lower() not in stop_words() for w in tokens)


def _name_owner(toks, name_spans: list[range], persons: list[int]) -> tuple[int, ...]:
    """The names (indices into the question's names) whose first / last name … is asked: the
    one right before "'s first name", or the object of "first name of" or a name beside it
    ("the first name of Trump's envoy" asks for no name of Trump's: any person's name then)."""
    at = {i: k for k, span in enumerate(name_spans) for i in span}
    for i, t in enumerate(toks):
        if t.lower_ not in _NAME_WORDS:
            continue
        lead = i - 1 if t.lower_ == "name" else i  # "first name": the modifier before it
        if lead >= 2 and toks[lead - 1].lower_ in ("'s", "’s") and toks[lead - 2].i in at:
            return (at[toks[lead - 2].i],)
        if lead >= 1 and toks[lead - 1].i in at:  # "Tsikenovich first name?"
            return (at[toks[lead - 1].i],)
        if i + 1 < len(toks) and toks[i + 1].lower_ == "of":
            # the object of "of", or a name in apposition to it ("of the analyst Shraibman")
            for obj in (c for c in toks[i + 1].children if c.dep_ == "pobj"):
                beside = [at[x.i] for dep in ("appos", "compound") for x in obj.children if x.dep_ == dep and x.i in at]
                found = ([at[obj.i]] if obj.i in at else []) + beside
                if found:  # a person before a country ("of the US envoy Coale")
                    return (next((k for k in found if k in persons), found[0]),)
    return ()


def _is_question_name(ent_words: set[str], q: Question, ratio: float) -> bool:
    return all(any(_similar(w, n, ratio) for n in q.name_words | set(q.numbers)) for w in ent_words)


ROLE_HEADS = {"role", "position", "title", "job", "post", "occupation", "profession", "affiliation", "background"}
# "What position have Babaryka and Kalesnikava taken?": a stance taken, not a post held
STANCE_VERBS = {"take", "adopt"}
# nouns that name what a person is, written next to the name ("political analyst Artyom
# Shraibman", "Vladimir Zarikhin, vice director of …", "Boris Shmelyev, a doctor of history")
ROLE_NOUNS = {
    "president", "leader", "analyst", "journalist", "editor", "laureate", "winner", "activist", "minister",
    "secretary", "representative", "envoy", "spokesman", "spokeswoman", "spokesperson", "advisor", "adviser",
    "director", "researcher", "professor", "scientist", "candidate", "head", "chairman", "chairwoman", "chief",
    "deputy", "lawyer", "ambassador", "commentator", "expert", "author", "politician", "figure", "citizen",
    "dictator", "member", "doctor", "officer", "official", "general", "founder", "ceo", "owner", "correspondent",
    "reporter", "economist", "historian", "vice", "governor", "mayor", "senator", "prime", "king", "queen",
    "chancellor", "diplomat", "negotiator", "blogger", "writer", "lecturer", "fellow", "wife", "husband",
}
_APPOSITIVE_RE = re.compile(r"\s*(?:\([^)]*\)\s*)?,\s+(?:(?:a|an|the|who is|who was)\s+)?([\w.’'-]+(?:\s+[\w.’'-]+){0,3})")


# the role nouns that are a post or an occupation, not a description ("an American citizen",
# "a key figure", "his wife", "Nobel laureate", "presidential candidate")
TITLE_NOUNS = frozenset(ROLE_NOUNS - {"citizen", "figure", "wife", "husband", "laureate", "winner", "dictator", "candidate"})


def has_role(q: Question, sentences, ratio: float = 0.75, nouns=ROLE_NOUNS) -> bool:
    """Some sentence describes a person the question names: a role noun (of `nouns`) right
    before the name ("political analyst Artyom Shraibman", "U.S. Special Representative for
    Ukraine John Kellogg") or in an apposition after it ("Vladimir Zarikhin, vice director of …")."""
    for s in sentences:
        text = s.text
        spans = []  # (where the name starts, the name as written)
        for _label, ent in s.entities:  # any label: spaCy's small model tags some people as organisations
            ent_words = set(words(ent))
            # the surname (not a shared first name), and the first name too when both give one
            # (spouses share a surname)
            if not any(name_in(n[-1:], ent_words, ratio) and (len(n) == 1 or len(ent_words) == 1 or name_in(n[:1], ent_words, ratio))
                       for n in q.names):
                continue
            at = text.find(ent)
            if at >= 0:
                spans.append((at, ent))
        if not spans:  # the name not tagged as one ("Press Secretary Natalia Eisenmont": Natalia a place, Eisenmont nothing)
            for m in _WORD_RE.finditer(text):
                if m.group(0)[:1].isupper() and any(len(n) == 1 and name_in(n, {m.group(0).lower()}, ratio) for n in q.names):
                    spans.append((m.start(), m.group(0)))
        for at, ent in spans:
            before = [w.lower().strip(".,") for w in text[max(0, at - 60) : at].split()[-6:]]
            if before and (before[-1] in nouns or any(w in nouns for w in before[-4:]) and text[at - 1 : at] == " "
                           and all(w[:1].isupper() or w in ("for", "of", "the") for w in text[max(0, at - 60) : at].split()[-3:])):
                return True
            # "An American citizen accused of organizing a conspiracy, Tsikenovich, …"
            clause = text[max(0, at - 90) : at]
            if clause.rstrip().endswith(",") and any(
                    w.lower().strip(".,") in nouns for w in re.split(r"[.;:!?]", clause)[-1].split()[:4]):
                return True
            m = _APPOSITIVE_RE.match(text, at + len(ent))
            if m and any(w.lower().strip(".,") in nouns for w in m.group(1).split()):
                return True
    return False


# An occasion answers "when …?" as a date does: "Trump called Lukashenko on his way to Anchorage",
# "during his visit to Minsk", "on the sidelines of the summit".
OCCASION_RE = re.compile(
    r"\bon (?:his|her|their|its|the) way (?:to|from|back|home)\b"
    r"|\bduring (?:his|her|their|its|the|a) (?:\w+ )?(?:visit|trip|summit|meeting|talks|flight|tour|stay|call)\b"
    r"|\bon the (?:eve|sidelines) of\b",
    re.IGNORECASE,
)


def has_answer_type(q: Question, sentences, ratio: float = 0.75) -> bool:
    """Some sentence holds an entity of the expected type that the question does
    not already name (for counts: a number in a sentence about the question; for "when …?" an
    occasion, OCCASION_RE)."""
    if q.wh == "when" and not q.type_head and any(OCCASION_RE.search(s.text) for s in sentences):
        return True
    for s in sentences:
        for label, text in s.entities:
            if label not in q.expected:
                continue
            ent_words = set(words(text))
            if q.type_head == "name" and q.name_of:
                if _extends_asked_name(text, q):
                    return True  # "Yuras Tsikenovich" for "Tsikenovich's first name"
                continue
            if q.type_head == "name" and label != "PERSON":
                continue  # "the first name of Trump's envoy": a person's name
            if not ent_words or _is_question_name(ent_words, q, ratio):
                continue  # the entity is the question's own subject, not an answer
            if (q.wh == "how_long" or (q.wh == "how_many" and label == "DATE")) and not (ent_words & TIME_UNITS):
                continue  # "how long", "how many years": a duration ("18 years"), not a date ("2020")
            if q.type_head in DAY_HEADS and label == "DATE" and (ent_words & TIME_UNITS or not _DAY_RE.search(text)):
                continue  # "on what date", "which day": a day ("December 12", "Saturday"), not "this summer"
            return True
    return False


DAY_HEADS = frozenset({"date", "day"})
_DAY_RE = re.compile(
    r"(?<![\d,.])(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?(?![\d,.]\d)|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|today|yesterday|tomorrow)\b", re.IGNORECASE)


def reports_speech(sentences) -> bool:
    return any(_QUOTE_RE.search(s.text) for s in sentences)


def assess(
    q: Question, focus, window, dense: float, vocab: Vocabulary, name_ratio: float,
    article_names: list[bool] | None = None, soft=None, names_in_corpus: bool = True,
    wwords: set[str] | None = None, fwords: set[str] | None = None,
    name_flags: tuple[list[bool], list[bool]] | None = None,
    credit_rows: tuple[list[tuple[float, ...]], list[tuple[float, ...]], list[float]] | None = None,
) -> Support:
    """Support of `focus` (the answer sentences) within `window` (focus + neighbours).

    A name missing from the window may still be found elsewhere in the same
    article (`article_names[k]`: interviews name the speaker once, "according to
    Vasilyev"). `wwords`/`fwords` are the window's and focus's word sets when the
    caller has them precomputed, `credit_rows` the `term_credits` of the window's and
    the focus's sentences and the term weights. The Support carries the raw feature values the
    scoring model (bot/scoring.py) combines.
    """
    # the word sets are only needed for what the caller did not precompute (and for numbers)
    if wwords is None and (name_flags is None or credit_rows is None or q.numbers):
        wwords = window_words(window)
    if fwords is None and (name_flags is None or credit_rows is None):
        fwords = window_words(focus)
    names_found = 0
    in_focus = in_window = 0
    missing = []
    if name_flags is None:  # (in focus, in window) per name, unless the caller cached them
        name_flags = ([name_in(n, fwords, name_ratio) for n in q.names], [name_in(n, wwords, name_ratio) for n in q.names])
    for k, n in enumerate(q.names):
        if name_flags[0][k]:
            in_focus += 1
            in_window += 1
            names_found += 1
        elif name_flags[1][k]:
            in_window += 1
            names_found += 1
        elif article_names is not None and article_names[k]:
            names_found += 1
        else:
            missing.append(" ".join(n))
    # the number itself, not one that holds its digits ("5" is not in "50%")
    # ("3" is "three": "after the 3 waves" of "Despite three waves of releases")
    numbers_ok = all(num in wwords or NUMBER_NAMES.get(num) in wwords or any(re.search(rf"(?<!\d){re.escape(num)}(?!\d)", w) for w in wwords if num in w)
                     for num in q.numbers)
    if credit_rows is None:
        wlemmas = {lm for s in window for lm in s.lemmas}
        flemmas = {lm for s in focus for lm in s.lemmas}
        credit_rows = ([term_credits(q, wlemmas, wwords, soft)], [term_credits(q, flemmas, fwords, soft)], term_weights(q, vocab))
    window_rows, focus_rows, weights = credit_rows
    cov, missing_terms = coverage(q, window_rows, weights)
    focus_cov, _ = coverage(q, focus_rows, weights)
    # the asked-for attribute / action alone (all of them carry FOCUS_WEIGHT: the ratio is the same)
    asked_cov = coverage(q, focus_rows, weights, q.focus_terms)[0] if q.focus_terms else 1.0
    type_ok = has_answer_type(q, focus, name_ratio) if q.expected else (has_role(q, focus, name_ratio) if q.role else None)
    if q.speech:
        type_ok = reports_speech(focus)
    n_names = len(q.names)
    features = {
        "dense": dense,
        "cov_window": cov,
        "cov_focus": focus_cov,
        "asked_cov": asked_cov,
        "names_focus": in_focus / n_names if n_names else 1.0,
        "names_window": in_window / n_names if n_names else 1.0,
        "names_article": names_found / n_names if n_names else 1.0,
        "numbers_ok": 1.0 if numbers_ok else 0.0,
        "type_ok": 0.5 if type_ok is None else float(type_ok),
        "type_missing_hard": 1.0 if (type_ok is False and q.hard_type) else 0.0,
    }
    features["missing_idf"], features["missing_terms"] = missing_weight(q, missing_terms, vocab)
    score = 0.45 * cov + 0.25 * (in_window + 0.5 * (names_found - in_window)) / max(1, n_names) + 0.30 * max(0.0, min(1.0, (dense - 0.2) / 0.5))
    if not n_names:
        score += 0.25
    if type_ok is False:
        score -= 0.25 if q.hard_type else 0.1
    if not numbers_ok:
        score -= 0.3
    return Support(
        score, cov, names_found, n_names, numbers_ok, type_ok, dense, missing + missing_terms, focus_cov,
        names_in_corpus, q.hard_type, features,
    )
