"""Who is speaking in each sentence of an article (quote and interview attribution).

News articles give an expert's view without repeating the name in every sentence:

- interviews: "Svobodnaya Pressa interviewed Boris Shmelyev, …", then the answers as
  paragraphs opening with a dash ("— Lukashenko first hopes to obtain economic aid …")
  or as bare quotes, separated by the interviewer's questions ("Svoboda": …?);
- quotes: "“The structure of the opposition must become more polyphonic,” Shraibman says.
  “Personal capital in the West is not easy to pass on …”" — the second sentence is
  Shraibman's too, and so is a following paragraph that opens with a quote of its own.

`attribute(sentences)` gives each sentence of one article (in order) the name of the person
whose words it reports, or None. The answerer counts that speaker as named in the sentence,
so "What does Shmelyev think Lukashenko wants?" is supported by the dash answer that never
names him. Only people the text itself introduces as speakers count: a name merely
mentioned near a quote is not its speaker.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: numpy is imported where the arrays are made
    import numpy as np

_DASH = re.compile(r"^\s*[—–]\s*|^\s*-\s+")
_QUOTE_OPEN = re.compile(r"^\s*[\"“«„]")
# the interviewer's turn: a quoted or plain outlet name and a colon ("Svoboda": …,
# Siberian Newspaper: …), or a paragraph that asks a question
INTERVIEWER_RE = re.compile(r"^\s*[\"“«]?[A-Z][\w .'’&-]{0,40}[\"”»]?\s*(\([^)]{0,20}\))?\s*:\s")
# the speaker introduced for the answers that follow
_INTRO = re.compile(
    r"\b(interviewed|spoke (?:with|to)|talked (?:with|to)|sought the (?:interpretation|opinion|view|views|comments?) of"
    r"|in an interview with)\b",
    re.I,
)
# reporting verbs next to a speaker outside the quotation marks
_SAYS = re.compile(
    r"\b(said|says|say|noted|notes|stated|states|wrote|writes|added|adds|told|tells|explained|explains|continued|continues"
    r"|concluded|concludes|argued|argues|believes|believed|thinks|thought|insisted|insists|warned|warns|stressed|stresses"
    r"|emphasized|emphasised|remarked|according to|exclaimed|responded|replied|recalled|recalls"
    r"|announced|declared|claimed|proposed|suggested|admitted|acknowledged|repeated|promised|predicted|joked)\b",
    re.I,
)
# "Shraibman says", "Igor Shatov, head of …, said" is left out (the apposition could name anyone)
_SAYS_AFTER = re.compile(r"\s*(?:has |had |also |then |\w+ly )?" + _SAYS.pattern, re.I)
# "said Igor Shatov", "wrote political analyst Artyom Shraibman", "according to Vasilyev":
# the verb, then only title words up to the name
_SAYS_BEFORE = re.compile(
    _SAYS.pattern.replace("|told|tells", "") + r"(?:\s+(?!(?:that|to|with|about|by|for|in|on|at|of|whether|if|how|what|why|he|she|they|it)\b)[A-Za-z.’'-]+){0,5}?\s+$",
    re.I,
)
# a name, a few lower-case words of its own clause, a colon and the quotation they introduce
_INTRODUCES_QUOTE = re.compile(r"(?:\s+[a-z][\w’'-]*){1,5}\s*:\s*[\"“«]")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»")


_CAPS = re.compile(r"[A-Z][\w’'-]+(?:\s+(?:[A-Z][\w’'-]+|de|van|von|al|bin))*")


def _people(text: str, person_words: set[str]) -> list[tuple[int, str]]:
    """(offset, name) of the people named in a paragraph: capitalised words of which one is
    part of a name the article tags as a PERSON somewhere (spaCy's small model tags
    "Artyom Shraibman" as an organisation in one sentence and a person in the next)."""
    out = []
    for m in _CAPS.finditer(text):
        name = m.group().rstrip("’'")
        if name.endswith(("’s", "'s")):
            name = name[:-2]
        parts = name.split()
        keep = next((k for k, w in enumerate(parts) if w in person_words), None)
        if keep is not None:  # "Press Secretary Natalia Eisenmont" → "Natalia Eisenmont"
            out.append((m.start() + len(" ".join(parts[:keep])) + (1 if keep else 0), " ".join(parts[keep:])))
    return out


def _outside_quotes(text: str) -> list[tuple[int, int]]:
    """Spans of `text` outside quotation marks."""
    spans, at = [], 0
    for m in _QUOTED.finditer(text):
        spans.append((at, m.start()))
        at = m.end()
    spans.append((at, len(text)))
    return spans


def _reported_speaker(text: str, people: list[tuple[int, str]]) -> str | None:
    """The person a quote paragraph attributes its words to: a PERSON outside the quotation
    marks who is the subject of a reporting verb ("Shraibman says", "…,” said political analyst
    Artyom Shraibman", "according to Vasilyev") or stands right after the closing quote
    ("…” Vsevolod Shemov, advisor to …). A name merely near the verb ("stated that
    Lukashenko pardoned …") is not the speaker."""
    outside = _outside_quotes(text)
    for at, name in people:
        if not any(a <= at < b for a, b in outside):
            continue
        end = at + len(name)
        if _SAYS_AFTER.match(text, end) or _SAYS_BEFORE.search(text[max(0, at - 60) : at]):
            return name
        if re.search(r"[”\"»][.,]?\s*$", text[max(0, at - 4) : at]):
            return name
        if _INTRODUCES_QUOTE.match(text, end):  # "… after which Lukashenko had a catchphrase: "Trump promised …""
            return name
    return None


def quotes(text: str, at: int, name: str) -> bool:
    """Does the name at `at` (outside quotation marks) introduce words of its own: the subject
    of a reporting verb ("Lukashenko proposed, "If …"") or of a clause that ends in a colon
    before a quotation ("… after which Lukashenko had a catchphrase: "Trump promised …"")? Not
    a name after the verb ("… he exclaimed upon seeing Kellogg's deputy"): that one is spoken to."""
    if not any(a <= at < b for a, b in _outside_quotes(text)):
        return False
    end = at + len(name)
    return bool(_SAYS_AFTER.match(text, end) or _INTRODUCES_QUOTE.match(text, end))


def _introduced(text: str, people: list[tuple[int, str]]) -> str | None:
    """The interviewee a narrative paragraph introduces ("… interviewed Boris Shmelyev, …")."""
    m = _INTRO.search(text)
    if not m:
        return None
    after = [name for at, name in people if at >= m.start()]
    return after[0] if after else None


def attribute(sentences) -> list[str | None]:
    """The speaker of each sentence of one article (Sentence rows in order: .text,
    .paragraph, .entities)."""
    paragraphs: list[list[int]] = []
    for i, s in enumerate(sentences):
        if paragraphs and sentences[paragraphs[-1][0]].paragraph == s.paragraph:
            paragraphs[-1].append(i)
        else:
            paragraphs.append([i])
    out: list[str | None] = [None] * len(sentences)
    person_words = {w for s in sentences for label, text in s.entities if label == "PERSON" for w in text.split() if w[:1].isupper()}
    person_words -= {"The", "President", "Mr", "Mrs", "Ms", "Dr"}
    interviewee: str | None = None  # who answers the interviewer: introduced, or the last one quoted
    turn: str | None = None  # whose words are running (a quote or an answer continues)
    interview = False  # the article has interviewer turns: its narrative paragraphs can be answers
    for rows in paragraphs:
        sents = [sentences[i] for i in rows]
        text = " ".join(s.text for s in sents)
        people = _people(text, person_words)
        dash = bool(_DASH.match(text))
        if not dash:
            new = _introduced(text, people)
            if new:  # "… interviewed Boris Shmelyev, a doctor of history …"
                interviewee, turn = new, None
                continue
            if "?" in text and INTERVIEWER_RE.match(text):  # "Svoboda": How do you assess …?
                interview, turn = True, None
                continue
        if dash:  # an interview answer
            interview, speaker = True, interviewee
        elif _QUOTE_OPEN.match(text):  # a quote paragraph: its own attribution, or the quote goes on
            speaker = _reported_speaker(text, people)
            if speaker is not None:
                interviewee = speaker
            else:
                speaker = turn or (interviewee if interview else None)
        elif interview and turn is not None and "?" not in text:  # an answer goes on over plain paragraphs
            speaker = turn
        elif _QUOTED.search(text):  # a report with a quote inside ("… stated that …")
            speaker = _reported_speaker(text, people)
        else:  # narration, or the author asks: whoever spoke before is done
            speaker = None
        if speaker is not None:
            for i in rows:
                out[i] = speaker
        turn = speaker
    return out


def attribute_all(library, carried: dict[str, list[str | None]] | None = None) -> tuple[list[str], "np.ndarray"]:
    """`attribute` for every article of a library, as (the speakers' names, each sentence's index
    into them or -1): what `Speakers` looks up instead of attributing an article when a question
    first meets it (0.6 ms an article at 10k chunks: a question meets a dozen new ones in a large
    corpus). Kept with the answerer's corpus facts (bot.answer.CorpusFacts). `carried`: each
    article's speakers by content hash, worked out for another index by this same code: an
    article of the same content (the same sentences) is not attributed again (11 s at 40,000
    articles)."""
    import numpy as np

    names: dict[str, int] = {}
    ids = np.full(len(library.sentences), -1, dtype=np.int32)
    hashes = getattr(library, "content_hashes", {}) if carried else {}
    for source, rows in library.by_source.items():
        got = carried.get(hashes.get(source, "")) if carried else None
        if got is None or len(got) != len(rows):
            got = attribute([library.sentences[i] for i in rows])
        for k, name in enumerate(got):
            if name:
                ids[rows.start + k] = names.setdefault(name, len(names))
    return list(names), ids


class Speakers:
    """The speaker's words (support.words of the name) for each sentence of a library:
    looked up in `precomputed` (attribute_all's names and indices) when the caller keeps it,
    else attributed per article when one of its sentences is first asked about, the last
    `CACHE` articles kept."""

    CACHE = 2_000

    def __init__(self, library, precomputed: tuple[list[str], "np.ndarray"] | None = None) -> None:
        self._library = library
        self._cache: dict[str, tuple[int, list[frozenset[str]]]] = {}
        self._names, self._ids = precomputed if precomputed is not None else (None, None)
        self._name_words: dict[int, frozenset[str]] = {}

    def words(self, j: int) -> frozenset[str]:
        if self._ids is not None:
            return self._words_of(int(self._ids[j]))
        start, per_sentence = self._article(self._library.sentences[j].source)
        return per_sentence[j - start]

    def in_article(self, source: str) -> set[frozenset[str]]:
        """The speakers of an article (their words)."""
        if self._ids is not None:
            rows = self._library.by_source[source]
            return {w for k in set(self._ids[rows.start : rows.stop].tolist()) if (w := self._words_of(k))}
        return {w for w in self._article(source)[1] if w}

    def _words_of(self, k: int) -> frozenset[str]:
        if k < 0:
            return frozenset()
        got = self._name_words.get(k)
        if got is None:
            from bot.support import words

            got = self._name_words[k] = frozenset(words(self._names[k]))
        return got

    def _article(self, source: str) -> tuple[int, list[frozenset[str]]]:
        lib = self._library
        got = self._cache.get(source)
        if got is None:
            from bot.support import words

            rows = lib.by_source[source]
            names = attribute([lib.sentences[i] for i in range(rows.start, rows.stop)])
            if len(self._cache) >= self.CACHE:
                self._cache.clear()
            got = self._cache[source] = (rows.start, [frozenset(words(n)) if n else frozenset() for n in names])
        return got
