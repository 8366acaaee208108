"""Follow-up questions in context, without an LLM.

People chat: "Which outlet interviewed Boris Shmelyev?" then "What degree does he hold?".
Retrieval needs a standalone question, so a follow-up is rewritten before it reaches the
Answerer, from the previous question and answer:

- pronouns: he/she/him/her/his/they/them/their → the person (or group) last discussed (a
  surname alone written with the articles' one full name for it), it/its/this/that → the thing
  last asked about (never a person, nor its own clause's subject; as a verb's object, one the
  articles use as that verb's object), "that rebellion" → the one rebellion the last turn
  named, there → the place last asked about;
- ellipsis: "And when?", "Why?", "When did that happen?", "And for what?", "Why, according to
  him?", "How many?" → the previous question asked again with the new question word ("When did
  Svobodnaya Pressa interview Boris Shmelyev?"); "in return" → in return for the last event;
- "What about X?" / "And X?" → the previous question with its entity of X's kind replaced by X
  (or, for a person, with the group of people it asked about); "And the other one?" → the other
  of a pair an earlier answer named.

Which person "he" is: after a who-question the person the answer introduced (the one its
read answer names, when the reader read one: not an envoy mentioned after it; a passive's
subject, "how long was he sentenced?", too); otherwise the person the previous question was
about (not a name inside a prepositional phrase: "which prisoner was of interest to Trump?"). "she"/"he" prefer names that look female/male when
both kinds are in play. A pronoun whose antecedent is in the same question ("Who is Maria
Kalesnikava and why was she jailed?") is left alone; so is expletive "it" ("Is it true
that …"), and "it"/"that" meaning an event ("who announced it?", "how much would that cost?").
After a question asking for a person that the answer did not name ("which ancient king …?"
refused), "he" is not given to anyone else. A follow-up that cannot be resolved is answered as it stands — never attached to
a guessed entity — and the Answerer's support check (which applies to the rewritten
question) refuses it if the articles do not answer it. The rewritten question is returned so
that front ends can show it ("Answering: …").

One Conversation per REPL session, per Telegram private chat, and per user within a group
(ConversationStore). History is bounded (max_turns) and forgotten after idle_seconds.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field, replace

import prompts
from bot.answer import _TOPIC_PRONOUN_RE, SINGULAR, Answer, _as_topic, clean_question, split_compound
from bot.support import LEADING_FILLERS, MEDIA_NOUNS, PARAPHRASES, VIEW_NOUNS, _similar, stem

MALE = {"he": "subj", "him": "obj", "his": "poss", "himself": "obj"}
FEMALE = {"she": "subj", "her": "obj", "hers": "obj", "herself": "obj"}
PLURAL = {"they": "subj", "them": "obj", "their": "poss", "theirs": "obj", "themselves": "obj"}
THING = {"it": "subj", "its": "poss", "itself": "obj"}
DEMONSTRATIVE = {"this", "that"}
REPORTING_VERBS = {"announce", "confirm", "report", "deny", "reveal", "approve", "criticize", "criticise", "welcome",
                   "condemn", "decide", "order", "predict", "explain", "know", "believe"}
# verbs of going or sending somewhere: "sent to Ukraine", not "sent in Ukraine"
MOTION_VERBS = frozenset({"send", "deport", "go", "move", "fly", "travel", "take", "bring", "flee", "transfer", "exile",
                          "expel", "head", "return", "come", "ship", "export", "release", "free"})
LIGHT_VERBS = {"be", "have", "do", "get", "make", "take", "give", "say", "see", "go", "come", "use"}
IN_RETURN = re.compile(r"\bin return\b(?!\s+for\b)", re.IGNORECASE)
RECIPROCAL = re.compile(r"\b(?:each other|one another)\b", re.IGNORECASE)
PERSON_PRONOUNS = {"he", "she", "they", "him", "her", "them"}
# what two people do together: "they" after a question naming both is the two of them
JOINT_VERBS = frozenset({"meet", "talk", "discuss", "negotiate", "speak", "agree", "sign", "call", "hug", "embrace", "greet", "shake"})
# words by which a question leans on an earlier one (besides the pronouns above): "that deal",
# "there", "the other one", "those prisoners", "whose"
REFERRING = {"this", "that", "these", "those", "there", "other", "others", "same", "former", "latter", "whose", "such"}
_REFERS_BACK = frozenset(MALE) | frozenset(FEMALE) | frozenset(PLURAL) | frozenset(THING) | REFERRING


def needs_context(question: str) -> bool:
    """Could the rewriter make anything of this question? False for a question of six words or
    more with no pronoun, demonstrative, "there", "in return" or "what about …": one the rewriter
    returns as it is (checked on every question of the project's sets, as a follow-up), so its
    parse can be skipped (a one-shot `citebot ask` of two questions in one then loads no spaCy
    pipeline of its own)."""
    low = re.findall(r"[a-z]+", question.lower().replace("’", "'"))
    if len(low) < 6 or low[:2] in (["what", "about"], ["how", "about"]) or low[0] == "and" and len(low) <= 8:
        return True
    if IN_RETURN.search(question):
        return True
    return not _REFERS_BACK.isdisjoint(low)


# "tell me more", "more please", "go on": more of what the articles say about the last subject
_MORE_RE = re.compile(r"^(?:(?:please\s+)?tell\s+me\s+more|more|more\s+please|go\s+on|keep\s+going|(?:anything|what)\s+else|and)$")
# "the other analyst", "and the other one?": another expert of the article (Rewriter._other_expert)
_OTHER_EXPERT_RE = re.compile(
    r"\bthe other (?:(?:guest|political|invited|interviewed|quoted)\s+)?(analyst|commentator|expert|researcher|scientist|specialist|professor|"
    r"one|person|guy)\b", re.IGNORECASE)
# what happens to a person, which a follow-up names as "the pardon", "the arrest": the one
# person the last question was about ("who announced the pardon?" after "How long was Sergey
# Tikhanyovski sentenced to?")
OWNED_EVENTS = frozenset({"pardon", "arrest", "conviction", "trial", "detention", "imprisonment", "deportation", "appointment"})
# verbs that put a name on what was just said: "what did he call that?", "how did she describe this?"
NAMING_VERBS = frozenset({"call", "describe", "term", "label", "dub", "characterise", "characterize", "name"})
OTHER_ONE = {"the other one", "the other", "the other person", "the other man", "the other woman", "the other figure"}
WH = {"who", "whom", "whose", "what", "which", "when", "where", "why", "how"}
HOW_X = {"many", "much", "long", "old", "often", "far"}
# Content that an elliptical follow-up may carry besides its question word:
# "when did that happen", "why did he do that", "and when was that".
EVENT_WORDS = {"happen", "occur", "do", "be", "take", "place", "that", "this", "it", "he", "she", "they", "him",
               "her", "them", "so", "exactly", "then", "again", "there",
               "tho", "though", "please", "pls", "lol"}  # chat fillers: "why tho", "when exactly pls"
AUX = {"do", "does", "did", "is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could",
       "should", "may", "might", "must", "shall"}
DO_SUPPORT = {"VBD": "did", "VBZ": "does", "VBP": "do"}
PERSON_NOUNS = {"person", "politician", "leader", "analyst", "envoy", "journalist", "official", "man", "woman",
                "president", "secretary", "researcher", "expert", "lawyer", "author", "scientist", "candidate",
                "winner", "laureate", "figure", "figures", "citizen", "activist", "opponent", "prisoner", "minister",
                "representative", "diplomat", "commentator", "spokesman", "spokeswoman", "people", "persons", "deputy",
                "king", "queen", "ruler", "dictator", "husband", "wife", "editor", "chairman", "advisor", "adviser",
                "reporter", "professor", "ambassador"}
PERSON_LABELS = {"PERSON"}
GROUP_LABELS = {"NORP", "ORG"}
PLACE_LABELS = {"GPE", "LOC", "FAC"}
THING_LABELS = {"ORG", "GPE", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART", "FAC", "LOC", "NORP"}
TIME_LABELS = {"DATE", "TIME"}
FEMALE_FIRST = {"maria", "sviatlana", "svetlana", "kaja", "ursula", "kamala", "hillary", "olga", "maryna", "marina",
                "natalia", "natalya", "tatiana", "tatsiana", "anna", "elena", "yelena", "irina", "iryna", "veronika",
                "liudmila", "ludmila", "kristina", "nina", "julia", "yulia", "victoria", "viktoria", "maryia", "volha",
                "melania", "ivanka", "giorgia", "angela", "theresa", "annalena", "kaja", "tulsi", "susie", "karoline"}
FEMALE_SURNAME = re.compile(r"(?:aya|ava|ova|eva|ina|yna|ska|skaya|ienė|aitė)$")
FEMALE_SURNAME_STRONG = re.compile(r"(?:skaya|ovna|evna|kava|nova|ova)$")
SPEECH = {"say", "think", "believe", "speculate", "argue", "claim", "predict", "warn", "call", "describe",
          "compare", "suggest", "expect", "assess", "write", "tell", "explain", "mean", "see", "consider", "estimate"}
TITLES = {"president", "press", "secretary", "minister", "prime", "special", "representative", "envoy", "spokesman",
          "spokeswoman", "deputy", "director", "chief", "leader", "adviser", "advisor", "general", "ambassador", "mr",
          "mrs", "ms", "dr", "sir", "lady", "lord", "vice", "foreign", "state", "senator", "governor"}
QUANTIFIERS = {"most", "some", "all", "many", "few", "several", "half", "none", "each", "one", "both"}
PLURAL_VERB = {v: k for k, v in SINGULAR.items()}
EVENT_VERBS = {"cost", "happen", "occur", "mean", "matter", "cause", "lead", "last", "work", "change", "end", "start",
               "begin"}
# nouns for an act or what it said ("this decision was made …"): "that decision" may be given the last
# question as its topic; never a person, time or place ("that man", "that year": "the year about …")
ACT_NOUNS = {"decision", "move", "step", "plan", "deal", "agreement", "statement", "announcement", "claim", "proposal",
             "offer", "policy", "choice", "measure", "order", "request", "promise", "demand", "arrangement", "idea",
             "approach", "initiative", "gesture", "concession", "exchange", "trade", "compromise", "reaction", "response",
             "warning", "threat", "assessment", "estimate", "prediction", "suggestion", "condition", "conditions"}
# "that guy", "this fellow": chat for "he" / "him" / "his"
_THAT_GUY_RE = re.compile(r"\b(?:that|this)\s+(?:guy|fellow|dude|bloke)(['’]s)?\b", re.IGNORECASE)


def _as_pronoun(m: re.Match) -> str:
    if m.group(1):
        return "his"
    before = m.string[: m.start()].split()
    return "him" if before and (before[-1].lower() in _BEFORE_AN_OBJECT or before[-1].lower().endswith("ed")) else "he"


# words after which "that guy" is an object ("interviewed that guy", "with that guy")
_BEFORE_AN_OBJECT = {"to", "with", "about", "for", "of", "from", "by", "on", "at", "against", "than", "like", "interview",
                        "interviewed", "meet", "met", "ask", "asked", "call", "called", "quote", "quoted"}
# "How likely does Vladimir Zarikhin think a meeting … is?": a degree asked of a clause ending in its verb
_HOW_ADJ_RE = re.compile(r"^\s*how\s+\w+\s+(does|do|did|is|was|are|were|would|will)\s+(.+?)\s+(is|was|are|were|be)\s*\??\s*$",
                         re.IGNORECASE)
# getting or giving something for an event: "what would Belarus get for that"
FOR_THAT = re.compile(r"\b((?:get|gets|got|receive|receives|received|give|gives|gave|offer|offers|offered|pay|pays|paid|"
                      r"want|wants|wanted|ask|asks|asked|demand|demands|demanded|expect|expects|expected|gain|gains|gained)"
                      r"(?:\s+in\s+exchange)?)\s+for\s+(?:that|this)\b", re.IGNORECASE)
# what a prepositional question phrase asks of a whole event: "on what condition", "for what reason"
ADJUNCT_NOUNS = {"condition", "conditions", "terms", "reason", "reasons", "purpose", "grounds", "basis", "cost", "price",
                 "circumstances", "pretext"}
GENERIC_NOUNS = {"article", "articles", "text", "story", "report", "question", "answer", "thing", "one", "lot"}


def _without_fillers(doc) -> list:
    """The question's tokens after a leading "and", "so", "ok," …."""
    tokens = [t for t in doc if not t.is_space]
    i = 0
    while i < len(tokens) and (tokens[i].lower_ in LEADING_FILLERS or tokens[i].is_punct):
        i += 1
    return tokens[i:]


def _plural(noun: str) -> str:
    if re.search(r"(?:s|x|z|ch|sh)$", noun):
        return noun + "es"
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    return noun + "s"


@dataclass(frozen=True)
class Mention:
    text: str  # as written ("Boris Shmelyev", "the Oreshnik missile")
    kind: str  # person | group | place | thing | time
    plural: bool = False
    from_answer: bool = False
    common: bool = False  # a name the corpus mentions everywhere ("Lukashenko"): background, not focus
    before: tuple[str, ...] = ()  # the words just before it ("political analyst" Artyom Shraibman)
    after: tuple[str, ...] = ()  # the words just after it ("Svobodnaya Pressa" interviewed …)
    modifier: bool = False  # a name describing a noun ("the Trump proposal"): not whom the turn is about


@dataclass
class Turn:
    question: str
    rewritten: str
    answer: Answer
    at: float
    wh: str | None = None
    mentions: list[Mention] = field(default_factory=list)  # question's, then the answer's new ones
    asks_person: bool = False  # "who …", "which analyst …": the answer introduces the person in focus
    identity: bool = False  # "who is X?": X stays in focus
    wh_subject: bool = False  # "who announced …" (the answer is the subject) vs "who did X meet"
    subject: str | None = None  # the person the question is about as its grammatical subject
    source: str | None = None  # "according to X": the person whose words the question asks about
    asked: frozenset = frozenset()  # the words of "which political analyst": matched against the answer
    reported: str | None = None  # "what does X think Y expects": Y, the person in the reported clause
    content: frozenset = frozenset()  # the question's nouns, names and verbs (lemmas)
    asks_many: bool = False  # "which two figures …", "which prisoners …": the answer names several
    verbs: frozenset = frozenset()  # the stems of its verbs ("sentenc" of "sentenced": "the sentence" is its)


@dataclass(frozen=True)
class Reply:
    question: str  # as typed
    rewritten: str  # what was answered (== question when nothing was rewritten)
    answer: Answer

    @property
    def was_rewritten(self) -> bool:
        return self.rewritten != clean_question(self.question)

    def to_dict(self) -> dict:
        row = self.answer.to_dict()
        row["question"] = self.question
        row["rewritten"] = self.rewritten
        return row


def _read_answer(turn) -> str | None:
    """The reader's answer the turn's answer was cut around (lower case), when it has one."""
    support = turn.answer.support if turn.answer is not None else None
    read = (support or {}).get("reader_answer") if not turn.answer.refused else None
    return read.lower() if isinstance(read, str) and read.strip() else None


def _looks_female(name: str) -> bool:
    toks = name.lower().replace("the ", "").split()
    if not toks:
        return False
    return toks[0] in FEMALE_FIRST or bool(FEMALE_SURNAME.search(toks[-1]))


def _leading_preposition(tokens) -> int:
    """How many words of a prepositional phrase come before the question word: 1 for "In
    which year?", 3 for "In support of which bid?"; 0 when the tokens do not start so."""
    if not tokens or tokens[0].pos_ != "ADP":
        return 0
    for k, t in enumerate(tokens[:5]):
        if t.lower_ in WH:
            return k if k and tokens[k - 1].pos_ == "ADP" else 0
        if t.pos_ not in ("ADP", "NOUN", "DET", "ADJ"):
            return 0
    return 0


def _clause_of(t):
    """The nearest head above a token that has a subject: the verb of the token's clause (None at the top)."""
    return next((a for a in t.ancestors if any(c.dep_ in ("nsubj", "nsubjpass") for c in a.children)), None)


def _wh_phrase_end(doc) -> int:
    """Where a leading "which/what …" phrase ends ("which ancient King" of "which ancient king does
    he compare Trump to", which truecasing may have made a name): 0 when the question does not
    open with one. Its words name what is asked, never someone a pronoun after it could mean."""
    i = 0
    while i < len(doc) and (doc[i].is_punct or doc[i].lower_ in LEADING_FILLERS):
        i += 1
    if i >= len(doc) or doc[i].lower_ not in ("which", "what", "whose"):
        return 0
    i += 1
    while i < len(doc) and doc[i].pos_ in ("ADJ", "NOUN", "PROPN", "DET", "NUM") and doc[i].lower_ not in AUX:
        i += 1
    return i


def _cap(text: str, at_start: bool) -> str:
    if at_start:
        return text[:1].upper() + text[1:]
    if text.lower().startswith(("the ", "a ", "an ")):
        return text[:1].lower() + text[1:]
    return text


OBJECT_SAMPLE = 200  # sentences parsed to learn what a verb takes as its object


def corpus_names(sentences) -> dict:
    """What the rewriter knows of the corpus's names, from one pass over its sentences (rows with
    .text and .entities): JSON-ready lists, kept with the answerer's corpus facts.

    - person_words: words the corpus tags as a person's name. spaCy's small model often tags a
      name as ORG or GPE in a short question (and sometimes in the articles too: "Kellogg" is
      ORG 8 times and PERSON 4), so a word counts when the articles tag it PERSON at least twice
      or in at least a third of its mentions;
    - common_words: names in a fifth or more of the sentences that name anyone (the corpus's
      protagonists);
    - lower_words: words the articles also write in lower case ("press", "president"), which
      are not names on their own;
    - full_names: "zarikhin" -> "Vladimir Zarikhin", the one full name the articles give a
      surname (a rewritten question matches the articles better with it); none when two people
      share it;
    - place_words: likewise a place's name (spaCy tags "Vilnius" ORG in "What has Vilnius said …?").
    """
    votes: dict[str, Counter] = {}
    lower: set[str] = set()
    full: dict[str, set[str]] = {}
    total = 0
    for s in sentences:
        lower.update(_LOWER_WORD.findall(s.text))
        if s.entities:
            total += 1
        for label, text in s.entities:
            for w in text.lower().split():
                votes.setdefault(w.strip(".,\"'“”’"), Counter())[label] += 1
            ws = " ".join(text.split()).strip(".,\"'“”’").split()
            if label == "PERSON" and 2 <= len(ws) <= 3 and all(w[:1].isupper() and w.isalpha() for w in ws):
                full.setdefault(ws[-1].lower(), set()).add(" ".join(ws))
    total = total or 1
    person = {w for w, c in votes.items() if (c["PERSON"] >= 2 or c["PERSON"] * 3 >= sum(c.values())) and w not in TITLES}
    return {
        "person_words": sorted(person),
        "lower_words": sorted(lower),
        "common_words": sorted(w for w, c in votes.items() if c["PERSON"] >= 10 and sum(c.values()) * 5 >= total * 0.5),
        "full_names": {k: next(iter(v)) for k, v in sorted(full.items()) if len(v) == 1},
        "place_words": sorted(w for w, c in votes.items() if w not in person
                              and (c["GPE"] + c["LOC"]) * 2 >= sum(c.values()) and c["GPE"] + c["LOC"] >= 1),
    }


_LOWER_WORD = re.compile(r"\b[a-z]{3,}\b")


_AUTHOR_VERBS = frozenset({"write", "author", "publish", "pen", "run", "print", "sign"})


# a topic, a dash or a colon, then the question asked about it
_THEN_ASK = r"\s*(?:\s[-–—]+|[,:;])\s*(\S.*\?)\s*$"
_ABOUT_THEN_ASK_RE = re.compile(
    r"^\s*(?:(?:and\s+|so\s+|ok(?:ay)?,?\s+)?(?:what|how)\s+about\s+(.+?)|(?:and|so|ok(?:ay)?)\s*,?\s+(the\s+(?:other|second|first|third|last)\s+.+?))"
    + _THEN_ASK, re.IGNORECASE)
_SUBJECT_PRONOUN_RE = re.compile(r"\b(?:he|she|it|they)\b", re.IGNORECASE)
# "the deputy", "the special representative": a person by the title an answer gave him (not "the
# deputy, Cole," nor "the deputy of …", which say who is meant themselves, nor "the deputy's name",
# which asks for it)
_ROLE_PHRASE_RE = re.compile(
    r"\bthe\s+((?:[a-z][a-z.]*\s+){0,2}(?:deputy|envoy|representative|analyst|commentator|editor|adviser|advisor|researcher"
    r"|spokesman|spokeswoman|ambassador|lawyer|laureate|diplomat|professor|chairman|secretary|journalist|activist|candidate))\b"
    r"(?!\s*,\s*[A-Z]|\s+(?:of|for|to|from|at|in|on|who|whom|whose)\b|\s+[A-Z]|['’]s\s+(?:\w+\s+)?name)")
# a yes/no question whether someone of a kind is among those meant: "Was any well-known opposition
# figure among those released?", "Is there a journalist among them?", "Were any Americans freed?"
_ANY_PERSON_RE = re.compile(
    r"^\W*(?:was|were|is|are|has|have|had|did)\s+(?:there\s+)?(?:any|a|an|some)\s+((?:[\w-]+)(?:\s+[\w-]+){0,2})",
    re.IGNORECASE)
# "Back to the special representative: what commitment did he want …?", "Going back to Shatov -
# where does he think …?": the person or thing returned to, then the question about it
_BACK_TO_RE = re.compile(
    r"^\s*(?:(?:and|so|ok(?:ay)?|now)\s*,?\s+)?(?:(?:going|coming|getting|get|go)\s+)?back\s+to\s+(.+?)" + _THEN_ASK, re.IGNORECASE)
# "Shatov — his job?", "And Klaipeda - why is it blocked?": a name, then the question about it
_NAME_THEN_ASK_RE = re.compile(r"^\s*(?i:(?:and|so|ok(?:ay)?|now)\s*,?\s+)?((?:[A-Z][\w'’.-]*\s+){0,2}[A-Z][\w'’.-]*)" + _THEN_ASK)
_THING_PRONOUN_RE = re.compile(r"\b(?:(it)|(its))\b", re.IGNORECASE)


def _a_publication(m: Mention) -> bool:
    """A mention that says where something was read: "the Siberian Newspaper article", a name
    before "piece" / "interview", or after "according to" / "per"."""
    last = m.text.lower().split()[-1] if m.text.split() else ""
    cites = any(m.before[i : i + 2] in (("according", "to"), ("accord", "to")) for i in range(len(m.before) - 1))
    return last in MEDIA_NOUNS or bool(m.after[:1] and m.after[0] in MEDIA_NOUNS) or cites or "per" in m.before[-2:]


def _proper_runs(span) -> list[list]:
    """Runs of two or more proper nouns in a row ("Natalia Eisenmont")."""
    runs, run = [], []
    for x in span:
        if x.pos_ == "PROPN" and x.text[:1].isupper():
            run.append(x)
            continue
        if len(run) >= 2:
            runs.append(run)
        run = []
    if len(run) >= 2:
        runs.append(run)
    return runs


class Rewriter:
    """Turns a follow-up into a standalone question using earlier turns (newest last)."""

    def __init__(self, nlp, sentences=(), truecase=None, names: dict | None = None, experts_at=None) -> None:
        """names: `corpus_names(sentences)` when the caller keeps it (the answerer's corpus facts,
        made once per index: a pass over every sentence took 3.6 s at 10k chunks)."""
        self.nlp = nlp
        # an all-lower-case question gets the corpus's names capitalised before it is parsed
        # (Answerer.truecase): "why has tikhanovsky clashed with his wife's circle" then has a
        # person for "his" in it, as the same question typed with capitals does
        self._truecase = truecase or (lambda text: text)
        # (source, offset) -> (the experts who speak in that article, the one speaking there):
        # Answerer.experts_at, for "the other analyst"
        self._experts_at = experts_at
        names = corpus_names(sentences) if names is None else names
        self.person_words: set[str] = set(names["person_words"])
        self.lower_words: set[str] = set(names["lower_words"])
        self.common_words: set[str] = set(names["common_words"])
        self.full_names: dict[str, str] = dict(names["full_names"])
        self.place_words: set[str] = set(names["place_words"])
        self._sentences = sentences  # the library's rows, not a copy of every sentence's lemmas
        self._objects: dict[str, frozenset] = {}
        self._lock = threading.Lock()  # one Rewriter serves every conversation of a store

    def _person_name(self, text: str) -> bool:
        """A name the corpus calls a person's, a woman's first name, a woman's Slavic surname, or
        several words none of which the articles also write in lower case (so not "Press Secretary")."""
        words = [w.strip(".,\"'“”’") for w in text.lower().split()]
        if any(w in self.person_words or w in FEMALE_FIRST for w in words):
            return True
        if len(words) == 1 and FEMALE_SURNAME_STRONG.search(words[0]) and words[0] not in self.place_words and words[0] not in self.lower_words:
            return True  # "Tikhanovskaya", which spaCy tags ORG more often than PERSON
        return len(words) >= 2 and not any(w in self.lower_words or w in TITLES for w in words)

    @classmethod
    def for_answerer(cls, answerer) -> "Rewriter":
        facts = getattr(answerer, "_facts", None)
        return cls(answerer.nlp, getattr(answerer.library, "sentences", ()), getattr(answerer, "truecase", None),
                   getattr(facts, "names", None), getattr(answerer, "experts_at", None))

    def _is_person(self, ent) -> bool:
        return self._label(ent) == "PERSON"

    def _label(self, ent) -> str:
        """The entity's label; upgraded to PERSON when it looks like a person's name."""
        if ent.label_ in PERSON_LABELS or ent.label_ in TIME_LABELS or ent.label_ not in THING_LABELS:
            return ent.label_
        toks = ent.text.lower().split()
        last = toks[-1].strip(".,\"'“”’") if toks else ""
        if last in self.person_words or (_looks_female(ent.text) and (len(toks) >= 2 or FEMALE_SURNAME_STRONG.search(last))):
            return "PERSON"
        if ent.label_ in ("ORG", "NORP") and len(toks) == 1 and last in self.place_words:
            return "GPE"
        return ent.label_

    # ---- what a turn is about ------------------------------------------------------------
    def analyse_turn(self, question: str, answer: Answer | None, when: float) -> Turn:
        """What a finished turn is about: its question word, and who/what it and its answer name."""
        question = self._truecase(question)  # "who met kellogg in minsk": a name, not a word
        doc = self.nlp(question)
        wh = self._wh(doc)
        found = self._doc_mentions(doc, from_answer=False)
        if answer is not None and not answer.refused and answer.text:
            seen = {m.text.lower() for m in found}
            for m in self._doc_mentions(self.nlp(answer.text), from_answer=True):
                low = m.text.lower()
                if low not in seen and not any(low in x or x in low for x in seen):
                    found.append(m)
                    seen.add(low)
        toks = [t for t in doc if not t.is_punct]
        low = [t.lower_ for t in toks]
        # "which Nobel Peace Prize winner …": the noun phrase of the question word names a person
        wh_chunk = next((c for c in doc.noun_chunks if any(t.lower_ in ("which", "what", "whose") for t in c)), None)
        at = next((i for i, w in enumerate(low[:4]) if w in ("which", "what", "whose")), None)
        near = set(low[at + 1 : at + 4]) if at is not None else set()  # "which American citizen …"
        asks_many = False  # "which two freed opposition figures …": several people
        if at is not None:  # "which two freed opposition figures …": the head noun of the run after "which"
            head = None
            for t in toks[at + 1 : at + 7]:
                if t.pos_ in ("NOUN", "PROPN"):
                    head = t
                elif not (t.pos_ in ("ADJ", "NUM") or t.tag_ == "VBN" or t.dep_ == "amod"):  # "freed" may be tagged VBD
                    break
            if head is not None:
                near.add(head.lemma_.lower())
                asks_many = head.tag_ in ("NNS", "NNPS")
        asks_person = wh in ("who", "whom", "whose") or (wh_chunk is not None and wh_chunk.root.lemma_.lower() in PERSON_NOUNS) or bool(
            near & PERSON_NOUNS)
        asked = {t.lemma_.lower() for t in wh_chunk if t.is_alpha and t.lower_ not in WH} if wh_chunk is not None else set()
        asked |= near - WH
        anyone = _ANY_PERSON_RE.match(question) if wh is None else None
        kind = anyone.group(1).lower().split() if anyone is not None else []
        head = next((k for k, w in enumerate(kind) if w in PERSON_NOUNS or w.rstrip("s") in PERSON_NOUNS), None)
        if head is not None:
            # "Was any well-known opposition figure among those released?": the answer names one,
            # who is then "he" as a "who …?" question's answer would be
            asks_person = True
            asked |= {w for x in kind[: head + 1] for w in x.split("-")}
        # "who is X?", "what kind of activist is X?": X stays in focus
        # — X not inside a prepositional phrase: "which prisoner was of interest to Trump?" asks
        # for a person other than Trump
        # — nor the owner of a person asked for: "who is Trump's special envoy?" asks for the envoy
        outside_preps = " ".join(t.text.lower() for t in doc if t.dep_ != "prep" and not any(a.dep_ == "prep" for a in t.ancestors)
                                 and not (t.dep_ == "poss" and t.head.lemma_.lower() in PERSON_NOUNS))
        identity = any(w in ("is", "was", "are", "were") for w in low[1:5]) and any(
            m.kind == "person" and not m.from_answer and m.text.lower() in outside_preps for m in found) and (
            wh in ("who", "whom") or any(t.dep_ == "ROOT" and t.lemma_ == "be" for t in doc))
        at = next((i for i, t in enumerate(toks[:4]) if t.lower_ in WH), None)
        wh_subject = False
        if at is not None:
            n = at + len(self._wh_phrase(toks[at:]).split())
            # "which journalist did X tell" (object) vs "who announced", "which citizen was released"
            wh_subject = not (len(toks) > n + 1 and toks[n].lower_ in AUX and toks[n + 1].tag_ not in ("VBN", "VBG"))
        source = None  # "according to Vasilyev, …", "per Vasilyev": whose view the question asks for
        for i, t in enumerate(toks[:-1]):
            at_source = i + 2 if t.lower_ == "according" and toks[i + 1].lower_ == "to" else i + 1 if t.lower_ == "per" else None
            if at_source is not None:
                rest = " ".join(x.text for x in toks[at_source : at_source + 4]).lower()
                source = next((m.text for m in found if m.kind == "person" and not m.from_answer and rest.startswith(m.text.lower())), None)
        subject = None
        for t in doc:
            if t.dep_ in ("nsubj", "nsubjpass") and t.lower_ not in WH:
                span = doc[t.left_edge.i : t.right_edge.i + 1].text.lower()
                people = [m.text for m in found if m.kind == "person" and not m.from_answer and m.text.lower() in span]
                # "Trump's envoy John Coale": the subject's own words name him, not the possessor's
                own = [p for p in people if t.lower_ in p.lower().split()] + [
                    p for p in people if not re.search(rf"{re.escape(p.lower())}\s*['’]s?\b", span)]
                subject = (own or people or [None])[0]
                if subject:
                    if source is None and t.head.lemma_.lower() in SPEECH:
                        source = subject  # "what does Vasilyev say Lukashenko expects": his view, as "according to Vasilyev"
                    break
        reported = None  # "what does X think Y expects …": Y
        if subject:
            for t in doc:
                if t.dep_ == "ccomp" and t.head.lemma_.lower() in SPEECH:
                    for c in t.children:
                        if c.dep_ in ("nsubj", "nsubjpass"):
                            span = doc[c.left_edge.i : c.right_edge.i + 1].text.lower()
                            # the subject itself a person, not "a Lukashenko–Zelenskyy meeting" (parsed
                            # as "Lukashenko" with "meeting" in apposition)
                            if c.i + 1 < len(doc) and doc[c.i + 1].text in ("-", "–", "—") and not doc[c.i].whitespace_:
                                continue
                            reported = next((m.text for m in found if m.kind == "person" and not m.from_answer
                                             and m.text != subject and m.text.lower() in span and c.lower_ in m.text.lower()), None)
                    if reported:
                        break
        answer_for = Answer(question, "") if answer is None else answer
        return Turn(question, question, answer_for, when, wh, found, asks_person, identity, wh_subject, subject, source,
                    # the asked words as an answer may say them ("which journalist" ~ "Tut.by editor Maryna Zolatava")
                    frozenset(asked).union(*(PARAPHRASES.get(w, ()) for w in asked)), reported,
                    frozenset(t.lemma_.lower() for t in doc if t.pos_ in ("NOUN", "PROPN", "VERB") and t.lower_ not in WH),
                    asks_many, frozenset(stem(t.lemma_.lower()) for t in doc if t.pos_ == "VERB"))

    def _wh(self, doc) -> str | None:
        for t in doc[:6]:
            if t.lower_ in WH:
                return t.lower_
        return None

    def _doc_mentions(self, doc, from_answer: bool) -> list[Mention]:
        out: list[Mention] = []
        covered: set[int] = set()
        asked = 0 if from_answer else _wh_phrase_end(doc)
        for ent in doc.ents:
            text = ent.text.strip(" \"'“”‘’")
            label = self._label(ent)
            if label in PERSON_LABELS and ent.end <= asked:
                continue  # "which ancient King …": the one asked for, whom the answer names
            if label == "NORP" and ent.root.dep_ in ("amod", "compound") and ent.root.head.pos_ == "NOUN" and ent.root.head.i >= ent.end:
                continue  # "What American goods …": a word describing the goods, not a group "them" could mean
            if label in PERSON_LABELS:
                kind = "person"
            elif label in PLACE_LABELS:
                kind = "place"
            elif label in TIME_LABELS:
                kind = "time"
            elif label in THING_LABELS:
                kind = "group" if label in GROUP_LABELS else "thing"
            else:
                continue
            if not text or text.lower() in WH:
                continue
            end = ent.end
            if kind == "person" or (len(text.split()) == 1 and text.lower() in FEMALE_FIRST):
                kind = "person"  # "Natalia" + "Eisenmont": a first name and the surname spaCy left out
                # (capitalised: "… did Lukashenko hug?" is not a name "Lukashenko hug")
                while end < len(doc) and doc[end].pos_ == "PROPN" and not doc[end].ent_type_ and doc[end].text[:1].isupper():
                    end += 1
                text = doc[ent.start : end].text.strip(" \"'“”‘’")
            if kind == "person" and not self._person_name(text):
                continue  # "Press Secretary" of "President Press Secretary Natalia …"
            text = re.sub(r"'s$|’s$", "", text)
            last = text.lower().split()[-1] if text.split() else ""
            before = tuple(x.lemma_.lower() for x in doc[max(0, ent.start - 4) : ent.start] if x.is_alpha)
            modifier = ent.root.dep_ in ("compound", "amod") and ent.root.head.pos_ == "NOUN" and ent.root.head.i >= end
            # "the interview about Kellogg's visit": whose visit describes which interview
            modifier = modifier or (ent.root.dep_ == "poss" and ent.root.head.dep_ == "pobj"
                                    and ent.root.head.head.lower_ in ("about", "on", "concerning", "regarding"))
            out.append(Mention(text, kind, plural=label == "NORP", from_answer=from_answer,
                               common=kind == "person" and last in self.common_words, before=before,
                               after=tuple(x.lemma_.lower() for x in doc[end : end + 3] if x.is_alpha), modifier=modifier))
            covered.update(range(ent.start, end))
        # names spaCy did not tag at all ("What kind of activist is Ales Bialiatski?")
        i = 0
        toks = list(doc)
        while i < len(toks):
            if toks[i].pos_ == "PROPN" and toks[i].i not in covered and toks[i].i >= asked:
                j = i
                while j + 1 < len(toks) and toks[j + 1].pos_ == "PROPN" and toks[j + 1].i not in covered:
                    j += 1
                if toks[j].lower_ in self.person_words or (toks[i].lower_ in FEMALE_FIRST and j > i):
                    text = doc[toks[i].i : toks[j].i + 1].text
                    out.append(Mention(text, "person", from_answer=from_answer, common=toks[j].lower_ in self.common_words,
                                       before=tuple(x.lemma_.lower() for x in doc[max(0, toks[i].i - 4) : toks[i].i] if x.is_alpha),
                                       after=tuple(x.lemma_.lower() for x in doc[toks[j].i + 1 : toks[j].i + 4] if x.is_alpha)))
                    covered.update(range(toks[i].i, toks[j].i + 1))
                i = j + 1
            else:
                i += 1
        if not from_answer:  # noun phrases the question is about: "the prisoner release"
            things = []
            for chunk in doc.noun_chunks:
                root = chunk.root
                if root.pos_ != "NOUN" or root.lemma_.lower() in GENERIC_NOUNS:
                    continue  # names were taken above; pronouns are not antecedents
                if len(chunk) == 1 and root.tag_ == "NN" and root.dep_ == "pobj" and root.head.lower_ in ("in", "at", "on", "by"):
                    continue  # "in return", "at least", "by rail": an idiom, not a thing "it" could mean
                if root.tag_ == "NN" and root.lemma_.lower() in PERSON_NOUNS:
                    # "which Nobel Peace Prize winner": a person is not what "it" means, the prize may be
                    names = []
                    for t in reversed(chunk[: root.i - chunk.start]):
                        if t.pos_ != "PROPN":
                            break
                        names.insert(0, t)
                    if len(names) >= 2:
                        things.append((False, False, Mention("the " + " ".join(t.text for t in names), "thing")))
                    continue
                # "how many political prisoners" → "the political prisoners"
                words = [t for t in chunk if t.lower_ not in WH and t.lower_ not in HOW_X and t.pos_ != "PRON"
                         and (t.pos_ != "DET" or t.lower_ == "the")]
                text = "".join(t.text_with_ws for t in words).strip()
                if not text:
                    continue
                if not text.lower().startswith("the ") and not any(t.dep_ == "poss" for t in words):
                    text = "the " + text
                has_name = any(t.pos_ == "PROPN" for t in chunk)
                # "the range of the Oreshnik missile": the asked-for attribute is not what "it" means
                attribute = any(c.dep_ == "prep" and c.lower_ == "of" for c in root.children) and not has_name
                things.append((not has_name, attribute, Mention(text, "thing", plural=root.tag_ in ("NNS", "NNPS"))))
            out.extend(m for *_, m in sorted(things, key=lambda x: (x[0], x[1])))
        return out

    # ---- rewriting -----------------------------------------------------------------------
    def rewrite(self, question: str, history: list[Turn]) -> str:
        """The standalone form of `question` (unchanged when it needs no context or none fits)."""
        question = clean_question(question)
        if not history or not question:
            return question
        question = _THAT_GUY_RE.sub(_as_pronoun, question)  # "what's that guy's title": his
        about = _ABOUT_THEN_ASK_RE.match(question)
        back = _BACK_TO_RE.match(question) if about is None else None
        if about is not None or back is not None:
            # "and what about his deputy - who was he?": "who was his deputy?" (or "and the
            # other guest commentator, who is he and what's his job?"); "back to the special
            # representative: what did he want?": "what did the special representative want?"
            topic, asked = (about.group(1) or about.group(2), about.group(3)) if about is not None else back.groups()
            topic, asked = topic.strip(), asked.strip()
            said = _SUBJECT_PRONOUN_RE.sub(topic, asked, count=1)
            if said != asked and not _SUBJECT_PRONOUN_RE.fullmatch(topic):
                question = said[:1].upper() + said[1:]
            elif back is not None:  # nothing to put the topic in: the question as it goes on
                question = asked[:1].upper() + asked[1:]
        else:
            question = self._name_then_ask(question) or question
        question = self._role_named(question, history) or question
        doc = self.nlp(self._truecase(question))
        prev = history[-1]
        body = _without_fillers(doc)
        if not body:
            return question

        if _MORE_RE.match(" ".join(t.lower_ for t in body if not t.is_punct)):
            topic = self._topic(prev)  # "tell me more": what the articles say about the last turn's subject
            return f"Tell me about {topic}" if topic else question
        other = _OTHER_EXPERT_RE.search(question)
        if other is not None and not (other.group(1).lower() in ("one", "person") and self._other(history)):
            name = self._other_expert(history)  # "and the other analyst?": the other expert of the article
            if name is not None:
                return self.rewrite(question[: other.start()] + name + question[other.end() :], history)
        bare = [t.lower_ for t in body if not t.is_punct]
        if bare in (["in", "return"], ["what", "in", "return"]):  # "and in return?"
            return self._in_return(prev) or question
        if len(bare) == 3 and bare[:2] == ["why", "so"]:  # "why so low" after "how likely does X think Y is?"
            m = _HOW_ADJ_RE.match(prev.rewritten)
            if m is not None:
                return self._finish(f"why {m.group(1)} {m.group(2)} {m.group(3)} so {bare[2]}")
        about = self._what_about(body)
        if about is not None and self._doing(about):
            # "what about shipping it via russia": another way of doing it, a question of its own
            return self._resolve_pronouns(question, doc, history)
        if about is not None:
            if about.lower() in OTHER_ONE:  # "And the other one?": the other of the pair named before
                about = self._other(history)
                if about is None:
                    return question
            about = self._truecase(about)  # "and odesa?": a name typed in lower case
            return self._substitute(about, history) or self._in_place_of_last(about, prev) or question
        # "Why, according to him?": an elliptical question with its source named after it
        core, source, cut = body, None, False
        for k in range(1, len(body) - 2):
            if body[k].lower_ == "according" and body[k + 1].lower_ == "to":
                after = body[k + 2 :]
                comma = next((i for i, t in enumerate(after) if t.text == ","), None)
                if comma is not None and any(not t.is_punct for t in after[comma + 1 :]):
                    break  # "Why, according to Minsk, was Tikhanyovski let go?": an aside, the question goes on
                core, source, cut = body[:k], self._source(after, history), True
                break
        while core and core[-1].is_punct:
            core = core[:-1]
        words = [t.lower_ for t in core if not t.is_punct]
        prep = ""
        if words in (["for", "what"], ["what", "for"]):  # "And for what?": the reason
            core, wh_phrase = core[-1:] if words[0] == "for" else core[:1], "why"
        elif k := _leading_preposition(core):  # "In which year?", "In support of which bid?"
            prep, core = " ".join(t.lower_ for t in core[:k]), core[k:]
            wh_phrase = self._wh_phrase(core)
        else:
            wh_phrase = self._wh_phrase(core)
        if core and (source is not None or not cut) and self._elliptical(core):
            if wh_phrase:
                rewritten = self._retarget(prev, f"{prep} {wh_phrase}".strip(), history)
                if rewritten is None and bare == ["how", "many"]:  # after "who brokered the prisoner release …"
                    rewritten = self._how_many_in(prev)
                if rewritten is None:
                    return question
                if source and source.lower() not in rewritten.lower():
                    rewritten = f"{rewritten[:-1]}, according to {source}?"
                return rewritten
            return question
        counted = self._count_of(body, prev)
        if counted is not None:
            return counted
        exchanged = FOR_THAT.sub(r"\1 in return", question, count=1)
        if exchanged != question and self._passive_event(prev.rewritten) is not None:
            # "what would Belarus get for that" after "when could the political prisoners be
            # freed": in return for the last question's event, as "in return" is
            question = self._truecase(exchanged)
            doc = self.nlp(question)
        resolved = self._resolve_pronouns(question, doc, history)
        if resolved == question:
            resolved = self._event_owned(question, doc, prev) or resolved
        if IN_RETURN.search(resolved):  # "What would the US give in return?" — for the last turn's event
            event = self._passive_event(prev.rewritten)
            if event is not None:
                resolved = self._finish(IN_RETURN.sub(lambda m: f"{m.group(0)} for {event}", resolved, count=1))
        return self._parallel_tail(resolved, prev) or resolved

    def resolve(self, question: str, context: str) -> str:
        """The question with its pronouns and "that X" said as the sentences before it in the
        same message name them ("Igor Shatov … says the trip wasn't only about sizing Lukashenko
        up. According to him, how many …?" → "According to Igor Shatov, how many …?"): those
        sentences are read as an earlier turn with no answer; none of the follow-up rewrites."""
        turn = self.analyse_turn(context, None, 0.0)
        return self._resolve_pronouns(question, self.nlp(self._truecase(question)), [turn])

    def _name_then_ask(self, question: str) -> str | None:
        """"Shatov — his job?" → "Igor Shatov's job?", "And Klaipeda - why is it blocked?" → "why
        is Klaipeda blocked?": a person's pronoun (or a place's "it") of the question after a name
        the articles give said as that name (a surname as the articles' one full name for it).
        None when the question opens otherwise or has no such pronoun."""
        m = _NAME_THEN_ASK_RE.match(question)
        if m is None:
            return None
        name, asked = m.group(1).strip(), m.group(2).strip()
        low = [w.strip(".,'’").lower() for w in name.split()]
        if any(w in self.person_words for w in low):
            full = self.full_names.get(low[0], name) if len(low) == 1 else name  # "Shemov": "Vsevolod Shemov"
            said = _TOPIC_PRONOUN_RE.sub(lambda p: _as_topic(p, full), asked, count=1)
        elif low[-1] in self.place_words:
            said = _THING_PRONOUN_RE.sub(lambda p: name if p.group(1) else f"{name}'s", asked, count=1)
        else:
            return None
        return said[:1].upper() + said[1:] if said != asked else None

    def _event_owned(self, question: str, doc, prev: Turn) -> str | None:
        """"Why was Sergey Tikhanyovski sentenced to prison?" … "how long was the sentence": the
        noun of the last question's verb ("sentence" for "sentenced", "release", "visit") is the
        one person's it was about — "how long was Sergey Tikhanyovski's sentence". Only when
        the last question named one person and the follow-up names no one; None otherwise."""
        if any(t.lower_ in PERSON_PRONOUNS or t.ent_type_ in PERSON_LABELS for t in doc):
            return None
        people = list(dict.fromkeys(self._full(m) for m in prev.mentions if m.kind == "person" and not m.from_answer))
        if len(people) != 1:
            return None
        for t in doc:
            if ((t.tag_ == "NN" or t.tag_ == "NNP" and t.text.islower())  # "the pardon" may be tagged NNP
                    and (stem(t.lower_) in prev.verbs or t.lemma_.lower() in OWNED_EVENTS)
                    and any(c.dep_ == "det" and c.lower_ == "the" and c.i == t.i - 1 for c in t.children)
                    and not any(c.dep_ in ("poss", "prep") for c in t.children)):
                det = doc[t.i - 1]
                return self._finish(doc[: det.i].text_with_ws + f"{people[0]}'s {t.text}" + doc[t.i].whitespace_ + doc[t.i + 1 :].text)
        return None

    def _parallel_tail(self, question: str, prev: Turn) -> str | None:
        """"What odds did Vasilyev give for a Lukashenko-Zelensky meeting?" … "What odds did
        Zarikhin give?": the same question about someone else, its prepositional phrase left
        unsaid — put back from the last question ("… give for a Lukashenko-Zelensky meeting?").
        Only for the same question word and noun and the same verb, in a short question with no
        prepositional phrase of its own; None otherwise."""
        def opening(text: str) -> list[str]:
            return [w for w in re.findall(r"[a-z]+", text.lower()) if w not in LEADING_FILLERS][:2]

        first = opening(question)
        if not first or first[0] not in WH or first != opening(prev.rewritten):
            return None  # not the same question word and noun: no need to parse either
        doc, before = self.nlp(question), self.nlp(prev.rewritten)
        toks = [t for t in doc if not t.is_punct and t.lower_ not in LEADING_FILLERS]
        if not toks or len(toks) > 8 or toks[0].lower_ not in WH:
            return None
        old = [t for t in before if not t.is_punct and t.lower_ not in LEADING_FILLERS]
        if not old or self._wh_phrase(toks).lower() != self._wh_phrase(old).lower():
            return None
        root, root_before = doc[:].root, before[:].root
        if root.pos_ != "VERB" or root.lemma_.lower() != root_before.lemma_.lower():
            return None
        if any(c.dep_ in ("prep", "dative", "agent") for c in root.children):
            return None
        tail = [c for c in root_before.children if c.dep_ == "prep" and c.i > root_before.i]
        if len(tail) != 1:
            return None
        phrase = before[tail[0].left_edge.i : tail[0].right_edge.i + 1].text
        if phrase.lower() in question.lower():
            return None
        return self._finish(self._truecase(question).rstrip(" ?.!") + " " + phrase)

    @staticmethod
    def _topic(prev: Turn) -> str | None:
        """What the last turn was about, for "tell me more": the person or thing its question
        named (not the corpus's protagonists), else the one its answer introduced."""
        for from_answer in (False, True):
            for kind in ("person", "thing", "group", "place"):
                m = next((m for m in prev.mentions if m.from_answer == from_answer and m.kind == kind and not m.common), None)
                if m is not None:
                    return m.text
        return None

    def _count_of(self, body, prev: Turn) -> str | None:
        """"How many are left?" after a question about "the political prisoners still held in
        Belarus": how many of the plural thing the last question named ("How many political
        prisoners are left?"); None when it named no one such thing, or the count has its noun."""
        low = [t.lower_ for t in body]
        if low[:2] != ["how", "many"] or len(body) < 4 or body[2].pos_ not in ("AUX", "VERB"):
            return None
        plural = [m for m in prev.mentions if not m.from_answer and m.kind in ("thing", "group") and m.plural
                  and m.text.lower().startswith("the ")]
        if len(plural) != 1:
            return None
        noun = re.sub(r"^the\s+(?:[\d,.]+\s+)?", "", plural[0].text, flags=re.IGNORECASE)
        return self._finish("How many " + noun + " " + "".join(t.text_with_ws for t in body[2:]).strip())

    def _other_expert(self, history: list[Turn]) -> str | None:
        """"What chance did Vasilyev give …?" … "and the other one?": the one other expert who
        speaks in the article the last answer came from (its introduction calls them an analyst,
        a researcher …), not one the last turns named or whose words the answer quoted; None
        unless exactly one is left."""
        if self._experts_at is None:
            return None
        turn = next((t for t in reversed(history[-2:]) if not t.answer.refused and t.answer.citations), None)
        if turn is None:
            return None
        cited = turn.answer.citations[0]
        experts, speaking = self._experts_at(cited.source, cited.start)
        named = {m.text.split()[-1].lower() for t in history[-3:] for m in t.mentions if m.kind == "person"}  # surnames
        left = [e for e in experts if e != speaking and e.split()[-1].lower() not in named]
        return left[0] if len(left) == 1 else None

    def _in_return(self, prev: Turn) -> str | None:
        """"How soon could the political prisoners be freed according to Coale?" … "and in
        return?": what is given in return for that event ("What would be given in return for the
        political prisoners being freed, according to Coale?"); None unless the last question
        is passive (then its event is a phrase)."""
        event = self._passive_event(re.sub(r",?\s+according to .*$", "", prev.rewritten.rstrip("?.! ")))
        if event is None:
            return None
        tail = f", according to {prev.source}" if prev.source else ""
        return self._finish(f"What would be given in return for {event}{tail}")

    def _how_many_in(self, prev: Turn) -> str | None:
        """"Who brokered the Belarus prisoner release on 13 December?" … "how many?": how many of
        the noun that names what the event is of ("How many prisoners were in the Belarus
        prisoner release on 13 December?"); None when no one noun does."""
        doc = self.nlp(prev.rewritten)
        found = [t for t in doc if t.pos_ == "NOUN" and t.dep_ == "compound" and t.head.pos_ == "NOUN"
                 and t.tag_ == "NN" and t.lower_ not in GENERIC_NOUNS]
        if len(found) != 1:
            return None
        noun, head = found[0], found[0].head
        end = head.right_edge.i + 1
        while end < len(doc) and doc[end].dep_ == "prep":  # "… release on 13 December", the parser's verb's
            end = doc[end].right_edge.i + 1
        return self._finish(f"How many {_plural(noun.lower_)} were in {doc[head.left_edge.i : end].text}")

    def _passive_event(self, question: str) -> str | None:
        """"How soon could the political prisoners be freed?" → "the political prisoners being
        freed": the event of a passive question, as a phrase; None for any other question."""
        doc = self.nlp(question)
        for t in doc:
            if t.dep_ == "ROOT" and t.pos_ == "VERB" and t.tag_ == "VBN" and any(
                    c.dep_ in ("auxpass", "aux") and c.lemma_ == "be" for c in t.children):
                subj = next((c for c in t.children if c.dep_ in ("nsubjpass", "nsubj") and c.lower_ not in WH), None)
                if subj is None or subj.pos_ == "PRON":
                    return None
                return f"{doc[subj.left_edge.i : subj.right_edge.i + 1].text} being {t.text}"
        return None

    def _other(self, history: list[Turn]) -> str | None:
        """"Which two figures …?" (Babariko and Kolesnikova), "When was Babariko released?",
        "And the other one?": Kolesnikova. None unless the last question names exactly one of
        a pair an earlier answer gave."""
        prev = history[-1]
        asked = {m.text.split()[-1].lower() for m in prev.mentions if not m.from_answer and m.kind == "person"}
        for turn in reversed(history[-3:-1]):
            if not (turn.asks_person and turn.asks_many):
                continue
            people = [m.text for m in turn.mentions if m.from_answer and m.kind == "person"]
            here = [p for p in people if p.split()[-1].lower() in asked]
            others = [p for p in people if p.split()[-1].lower() not in asked]
            if len(people) == 2 and len(here) == 1:
                return others[0]
        return None

    def _source(self, tokens, history: list[Turn]) -> str | None:
        """The speaker of "according to him/her/X"; None when a pronoun has no antecedent."""
        toks = [t for t in tokens if not t.is_punct]
        if len(toks) == 1 and toks[0].lower_ in ("him", "her"):
            m = self._person(history, "m" if toks[0].lower_ == "him" else "f", role="subj", speech=True)
            return self._full(m) if m else None
        text = " ".join(t.text for t in toks)
        return text or None

    def _what_about(self, body) -> str | None:
        low = [t.lower_ for t in body]
        if len(low) >= 3 and low[0] in ("what", "how") and low[1] == "about":
            rest = body[2:]
        elif (body[0].i > 0 and body[0].doc[0].lower_ == "and" and len(body) <= 5 and not any(t.lower_ in WH for t in body)
              and not any(t.pos_ in ("VERB", "AUX") for t in body)):
            rest = body  # "and Bialiatski?" (not "and did lukashenko agree to that", a question of its own)
        else:
            return None
        text = "".join(t.text_with_ws for t in rest).strip().rstrip("?.! ").strip()
        return text or None

    def _doing(self, about: str) -> bool:
        """"shipping it via Russia": an action (a gerund first), not a thing to put in the last
        question's place."""
        first = next(iter(self.nlp(about)), None)
        return first is not None and first.tag_ == "VBG" and first.lower_.endswith("ing")

    def _elliptical(self, body) -> bool:
        if not body or body[0].lower_ not in WH:
            return False
        phrase = self._wh_phrase(body)
        n = len(phrase.split()) if phrase else 1
        rest = [t for t in body[n:] if not t.is_punct]
        # "how old is he?", "what power did he have?": a whole question about a person, not the
        # last question asked again ("why did he do that?", "when did they do it?")
        verbs = [t.lemma_.lower() for t in (rest[1:] if rest and rest[0].lower_ in AUX else rest)]  # not the inverted "did"
        words = {t.lower_ for t in rest}
        event = "happen" in verbs or "occur" in verbs or ("take" in verbs and "place" in words) or (
            "do" in verbs and bool(words & {"that", "this", "it", "so"}))  # "why did he do that?"; not "what did he do then?"
        if words & PERSON_PRONOUNS and not event:
            return False
        return all(t.lemma_.lower() in EVENT_WORDS or t.lower_ in EVENT_WORDS or t.lower_ in AUX for t in rest)

    def _wh_phrase(self, tokens) -> str:
        """'when', 'how many', 'which country' …: the question word and the noun it asks about."""
        if not tokens or tokens[0].lower_ not in WH:
            return ""
        out = [tokens[0].lower_]
        j = 1
        if tokens[0].lower_ == "how" and j < len(tokens) and tokens[j].lower_ in HOW_X:
            out.append(tokens[j].lower_)
            j += 1
        if tokens[0].lower_ in ("which", "what", "whose") or out[-1] in ("many", "much"):
            k = j
            while k < len(tokens) and (tokens[k].pos_ == "ADJ" or tokens[k].tag_ == "VBN"):  # "how many convicted individuals"
                k += 1
            if k < len(tokens) and tokens[k].pos_ in ("NOUN", "PROPN") and tokens[k].lower_ not in AUX:
                # "which Lithuanian port": a compound noun is one phrase
                while k + 1 < len(tokens) and tokens[k + 1].pos_ in ("NOUN", "PROPN") and tokens[k].dep_ == "compound":
                    k += 1
                out.extend(t.text for t in tokens[j : k + 1])
        return " ".join(out)

    def _retarget(self, prev: Turn, new_wh: str, history: list[Turn]) -> str | None:
        """The previous question asked with another question word. A leading "According to
        X," is set aside and put back at the end ("According to Shraibman, what may Trump get
        the credit for?" + "In support of which bid?" → "In support of which bid may Trump get
        the credit, according to Shraibman?")."""
        doc = self.nlp(prev.rewritten)
        toks = [t for t in doc if not t.is_space and not (t.is_punct and t.i == len(doc) - 1)]
        while toks and toks[-1].is_punct:
            toks = toks[:-1]
        source = ""
        if len(toks) > 4 and toks[0].lower_ == "according" and toks[1].lower_ == "to":
            comma = next((k for k, t in enumerate(toks[:8]) if t.text == ","), None)
            if comma is None or comma < 3:
                return None
            source, toks = doc[toks[2].i : toks[comma].i].text, toks[comma + 1 :]
        found = self._retarget_tokens(prev, new_wh, toks)
        if found is None or not source or found == prev.rewritten:
            return found
        return f"{found[:-1]}, according to {source}?"

    def _retarget_tokens(self, prev: Turn, new_wh: str, toks) -> str | None:
        prep = ""  # "Through which Lithuanian port are its exports blocked?"
        k = _leading_preposition(toks) if len(toks) > 2 else 0
        if k and len(toks) > k + 1:
            prep, toks = " ".join(t.text.lower() for t in toks[:k]), toks[k:]
        old = self._wh_phrase(toks)
        if not old:
            asks = new_wh.split()
            if toks and toks[0].lower_ in AUX and not prep and len(toks) > 2 and (
                    asks[-1] in WH | {"year", "date", "day", "month"} or (asks[0] not in WH and asks[-1] in ADJUNCT_NOUNS)):
                # "Did Bialiatski win a Nobel prize?" "In which year?" → "In which year did Bialiatski
                # win …?"; "Did he say he is willing to reach a deal?" "On what condition?" (not "in
                # support of which bid?", which asks for something the question never had)
                first = toks[0].text.lower() if toks[0].text[1:].islower() or len(toks[0].text) == 1 else toks[0].text
                return self._finish(f"{new_wh} {first} " + " ".join(t.text for t in toks[1:]))
            return None
        n = len(old.split())
        partitive = (old in ("which", "who") and len(toks) > n + 2 and toks[n].lower_ == "of"
                     and toks[n + 1].lower_ in ("the", "these", "those", "all") and toks[n + 2].pos_ == "NOUN")
        if partitive:  # "which of the prisoners was Trump interested in": the prisoners are what it asks about
            n += 3
        kind_of = (old.split()[-1] in ("kind", "sort", "type") and len(toks) > n + 2 and toks[n].lower_ == "of"
                   and toks[n + 1].pos_ == "NOUN")
        if kind_of:  # "what kind of agreement did he say …": the agreement is what it asks about
            n += 2
        wh_toks, rest = toks[:n], toks[n:]
        if not rest:
            return None
        if f"{prep} {old}".strip() == new_wh:
            return prev.rewritten
        if partitive or kind_of:
            noun = wh_toks[-1].text
        else:
            noun = " ".join(t.text for t in wh_toks[1:] if t.lower_ not in HOW_X) if len(wh_toks) > 1 else ""
        head = wh_toks[-1].lemma_.lower() if noun else None  # "which Belarusian airline" → airline
        if new_wh in ("how many", "how much"):
            if noun and not prep and wh_toks[-1].tag_ in ("NNS", "NNPS"):
                # "Which political prisoners were released?" "How many?" → "How many political prisoners were released?"
                return self._finish(f"{new_wh} {noun} " + " ".join(t.text for t in rest))
            if old not in ("who", "whom"):  # "Who did X release?" "How many?" is the one other count
                return None
        # "when was X released" / "who did X meet": an auxiliary, then the subject. "who was
        # released" / "who has visited": an auxiliary, then the verb — the question word is the subject.
        aux_first = rest[0].lower_ in AUX and len(rest) >= 2 and rest[1].tag_ not in ("VBN", "VBG")
        subject_wh = not aux_first
        if aux_first and not subject_wh:
            words = [t.text for t in rest]
            kind = old.split()[0]
            if kind == "where" and not prep:
                # "where were most of them deported to?" … "why tho": why there ("… deported to
                # Ukraine?"), the place the reader read in the answer
                read = _read_answer(prev)
                places = list(dict.fromkeys(m.text for m in prev.mentions if m.from_answer and m.kind == "place"
                                            and read is not None and m.text.lower() in read))
                if len(places) == 1:
                    verb = next((t.lemma_.lower() for t in reversed(rest) if t.pos_ == "VERB"), "")
                    tail = places[0] if rest[-1].pos_ == "ADP" else f"{'to' if verb in MOTION_VERBS else 'in'} {places[0]}"
                    return self._finish(f"{new_wh} " + " ".join(words) + " " + tail)
            # "what practice …" is answered by a description, named only when the answer calls
            # the name a practice; "which outlet …" by a name near the question's words too
            filler = self._answer_entity(prev, head, strict=kind == "what") if kind in ("who", "whom", "which", "what") else None
            if filler is None and noun:
                filler = f"the {noun}"
            if filler and kind != "what" or (filler and noun):
                # the last verb ("… pardon before the latest releases" → after "pardon"); a last word
                # tagged a noun only when there is no verb ("who did Lukashenko hug" parsed as a noun)
                verbs = [k for k, t in enumerate(rest) if k > 0 and t.pos_ == "VERB"] or [
                    k for k, t in enumerate(rest) if k == len(rest) - 1 and k > 0 and t.pos_ == "NOUN"]
                if prep:  # "through which port are its exports blocked" → "… blocked through Klaipeda"
                    words.append(f"{prep} {filler}")
                elif rest[-1].pos_ == "ADP" or not verbs:  # "which outlet did he talk to" → "… talk to X"
                    words.append(filler)
                else:  # "who did X meet in Minsk" → "… meet Y in Minsk"
                    words.insert(verbs[-1] + 1, filler)
            elif rest[-1].pos_ == "ADP" and len(words) > 2:
                words = words[:-1]  # "how long was he sentenced to" → "why was he sentenced"
            return self._finish(f"{new_wh} " + " ".join(words))
        if prep or new_wh.startswith(("how many", "how much")):
            return None  # "Which team won the cup?" "How many?": no question to ask again
        # the question word was the subject: the previous answer supplies it
        subject = self._answer_entity(prev, head)
        if subject is None:
            subject = f"the {noun}" if noun else None
        if subject is None and old == "what" and new_wh in ("why", "when", "where", "how"):
            # "What happened between X and his wife's circle?" … "why tho": the reader's answer
            # ("several conflicts") is what happened — "Why did several conflicts happen …?"
            read = ((prev.answer.support or {}).get("reader_answer") or "").strip() if not prev.answer.refused else ""
            subject = read if read and len(read.split()) <= 6 else None
        if subject is None:
            return None
        first = rest[0]
        if first.lower_ in AUX:  # "who was released" → "when was X released"
            clause = f"{first.text} {subject} " + " ".join(t.text for t in rest[1:])
        elif first.tag_ in DO_SUPPORT:  # "who interviewed Y" → "when did X interview Y"
            clause = f"{DO_SUPPORT[first.tag_]} {subject} {first.lemma_} " + " ".join(t.text for t in rest[1:])
        else:
            return None
        return self._finish(f"{new_wh} {clause}")

    def _answer_entity(self, prev: Turn, head: str | None = None, strict: bool = False) -> str | None:
        """The name the previous answer gave for its question word. "which airline …" is answered
        by an organisation, never by a person the answer mentions, and only by one the answer
        calls an airline ('Belarusian airline "Belavia"'); "what practice …" by none."""
        wanted = ("person", "group") if prev.asks_person else ("thing", "group", "place")
        if prev.asks_person:
            # the reader's answer is what the answer says for the question word: a person named
            # in it, or none when it names nobody ("who did X pardon?" answered "… pardoned 16
            # convicted individuals" has not introduced the envoy named after it)
            read = _read_answer(prev)
            if read is not None:
                inside = [m for m in prev.mentions if m.from_answer and m.kind in wanted and m.text.lower() in read]
                return sorted(inside, key=lambda m: m.common)[0].text if inside else None
        if head is not None and not prev.asks_person:  # "the Lithuanian port of Klaipeda", whatever its label
            named = [m for m in prev.mentions if m.from_answer and m.kind != "time" and head in m.before]
            if named:
                return named[0].text
            if strict:
                return None
        for kind in wanted:
            # otherwise a name next to the question's words ('"Svobodnaya Pressa" interviewed'),
            # not one elsewhere in the quote ("… and its working. / bne IntelliNews")
            found = [m for m in prev.mentions if m.from_answer and m.kind == kind
                     and (prev.asks_person or head is None or (set(m.before[-3:]) | set(m.after)) & prev.content)]
            if found:
                return sorted(found, key=lambda m: m.common)[0].text
        return None

    def _finish(self, text: str) -> str:
        text = re.sub(r"\s+([,.;:?!'’])", r"\1", text.strip())
        text = re.sub(r"\s+(n't|'s|’s)\b", r"\1", text)
        return text[:1].upper() + text[1:].rstrip("?.! ") + "?"

    def _substitute(self, new: str, history: list[Turn]) -> str | None:
        """'What about Bialiatski?': the previous question with its entity of that kind replaced."""
        prev = history[-1]
        new_doc = self.nlp(new)
        root = next((t for t in new_doc if t.dep_ == "ROOT"), None)
        if (root is not None and root.pos_ == "NOUN" and root.text[:1].islower() and root.lower_ not in self.person_words
                and any(c.dep_ == "poss" for c in root.children)):
            # "And Trump's influence?": a thing, never put in a person's place ("What does Trump's
            # influence say …?"); it replaces the one possessed thing of the last question
            # ("Lukashenko's authority"), and nothing else
            owned = [m for m in prev.mentions if not m.from_answer and m.kind == "thing" and re.search(r"['’]s ", m.text)
                     and m.text in prev.rewritten]
            if len(owned) != 1:
                return None
            before, after = prev.rewritten.split(owned[0].text, 1)
            if root.tag_ == "NNS" and not owned[0].plural:  # "Why is Poland's port …" → "Why are Russia's ports …"
                before = re.sub(r"\b(is|was|has|does)(\s+)$", lambda x: PLURAL_VERB[x.group(1).lower()] + x.group(2), before)
            return self._finish(before + new + after)
        kinds = [m.kind for m in self._doc_mentions(new_doc, from_answer=True)]
        kind = kinds[0] if kinds else ("person" if new[:1].isupper() else None)
        if kind is None:
            return None
        for m in prev.mentions:
            if not m.from_answer and m.kind == kind and m.text in prev.rewritten:
                return self._finish(prev.rewritten.replace(m.text, new, 1))
        if kind == "person" and new[:1].isupper():
            return self._one_of_them(prev.rewritten, new)
        return None

    def _in_place_of_last(self, new: str, prev: Turn) -> str | None:
        """"What about Gdansk?" … "and odesa?": the name the last "what about" put in, replaced
        again, when no mention of its kind was found (the small model tags no entity in "Why
        is Gdansk closed to Belarusian potash?")."""
        if prev.rewritten.lower() == clean_question(prev.question).lower():
            return None  # the last "what about" was not put in place either
        body = _without_fillers(self.nlp(self._truecase(prev.question)))
        last = self._what_about(body) if body else None
        if not last or last.lower() in OTHER_ONE or last == prev.rewritten or last not in prev.rewritten:
            return None
        return self._finish(prev.rewritten.replace(last, new, 1))

    def _one_of_them(self, question: str, name: str) -> str | None:
        """"Where were most of the political prisoners deported to?" + "What about Bialiatski?":
        the person in place of the people the question asked about ("Where was Bialiatski
        deported to?") — only when the question names no person and has one such group."""
        doc = self.nlp(question)
        if any(self._is_person(e) for e in doc.ents):
            return None
        groups = [c for c in doc.noun_chunks if c.root.tag_ == "NNS" and c.root.lemma_.lower() in PERSON_NOUNS | {"prisoner"}]
        if len(groups) != 1:
            return None
        chunk = groups[0]
        if any(t.lower_ in WH or t.lower_ in HOW_X for t in doc[max(0, chunk.start - 2) : chunk.end]):
            return None  # "how many political prisoners …": the group is what was asked for
        start, end = chunk.start, chunk.end
        prep = chunk.root.head  # "most of the political prisoners"
        if prep.lower_ == "of" and prep.head.lower_ in QUANTIFIERS and prep.head.i < start:
            start = prep.head.i
        span_root = doc[start] if start != chunk.start else chunk.root
        if span_root.dep_ not in ("nsubj", "nsubjpass"):
            return None  # only the subject: its verb is made singular
        words = []
        for t in doc:
            if start <= t.i < end:
                if t.i == start:
                    words.append(name + t.whitespace_)
                continue
            text = t.text
            if t.lower_ in SINGULAR and (t.i == start - 1 or t.i == end):  # "were" → "was"
                text = SINGULAR[t.lower_]
                text = text.capitalize() if t.text[:1].isupper() else text
            words.append(text + t.whitespace_)
        return self._finish("".join(words))

    def _resolve_pronouns(self, question: str, doc, history: list[Turn]) -> str:
        pieces: list[str] = []
        changed = False
        named: set[str] = set()
        skip: set[int] = set()
        things: set[tuple[int, str]] = set()  # (verb, thing) an "it" was given
        for t in doc:
            if t.i in skip:
                continue
            if t.lower_ in DEMONSTRATIVE and t.dep_ == "det" and t.head.pos_ == "NOUN" and t.head.i == t.i + 1:
                phrase = self._that_noun(t.head, history)  # "that call" → "the warm phone call"
                if phrase is not None:
                    at_start = t.i == 0 or all(x.is_punct or x.lower_ in LEADING_FILLERS for x in doc[: t.i])
                    pieces.append(_cap(phrase, at_start) + t.head.whitespace_)
                    skip.add(t.head.i)
                    changed = True
                    continue
            repl = self._resolve_token(t, doc, history)
            # "… before his release?": a second pronoun for the name just written stays a pronoun
            base = re.sub(r"['’]s?$", "", repl).lower() if repl else None
            if t.lower_ in THING and base is not None and (t.head.i, base) in things:
                return question  # "When did it receive it?" with one thing for both: not guessed
            if t.lower_ in THING and base is not None:
                things.add((t.head.i, base))
            if repl is None or (base in named and t.lower_ not in DEMONSTRATIVE):
                pieces.append(t.text_with_ws)
            else:
                changed = True
                named.add(base)
                pieces.append(repl + t.whitespace_)
        if not changed:
            return question
        return self._finish("".join(pieces))

    def _resolve_token(self, t, doc, history: list[Turn]) -> str | None:
        low = t.lower_
        if low in ("itself", "themselves"):
            return None  # a reflexive means its own clause's subject ("what does Minsk keep for itself")
        at_start = t.i == 0 or all(x.is_punct or x.lower_ in LEADING_FILLERS for x in doc[: t.i])
        if low in MALE or low in FEMALE:
            role = (MALE | FEMALE)[low]
            if low == "her":  # object or possessive
                role = "poss" if t.tag_ == "PRP$" or t.dep_ == "poss" else "obj"
            # "in his view", "by her estimate": whose view is asked, like "according to him" — his
            # own clause's subject's if that is a person ("why does Lukashenko, in his view, …"), else
            # the speaker of the talk, not a name it mentions ("why would meeting Lukashenko be a
            # downgrade for Zelensky in his view")
            viewpoint = role == "poss" and t.head.lemma_.lower() in VIEW_NOUNS and t.head.dep_ == "pobj" and (
                t.head.head.lower_ in ("in", "by", "to"))
            if viewpoint and self._subject_of_clause(t, "person"):
                return None
            # "Who is Maria Kalesnikava and why was she jailed?": she is Maria. An object
            # pronoun never means the clause's own subject ("what is Trump doing to him").
            if not viewpoint and self._bound_inside(doc, t, role):
                return None
            gender = "m" if low in MALE else "f"
            named_here = {w for e in doc.ents for w in e.text.lower().split()} | {x.lower_ for x in doc if x.pos_ == "PROPN"}
            # "according to him", "per him": a speaker
            according = (t.head.lower_ == "to" and t.head.head.lower_ == "according") or t.head.lower_ == "per" or viewpoint
            # "what does he think/say …": the source the talk is about. Not "which aircraft does he
            # expect to get?": a verb with a to-infinitive tells the person's own doing
            speech = according or (role == "subj" and t.head.lemma_.lower() in SPEECH
                                   and not any(c.dep_ == "xcomp" for c in t.head.children))
            role = "subj" if according else role
            if t.dep_ == "nsubjpass":  # "how long was he sentenced?": the one it was done to, an object's part
                role = "obj"
            # "what did he warn …?" goes on with the event of "which journalist did X tell …?" (X);
            # "where does he work?" asks about the person that answer introduced
            verb = t.head
            past = verb.tag_ == "VBD" or any(c.dep_ in ("aux", "auxpass") and c.tag_ == "VBD" for c in verb.children)
            m = self._person(history, gender, named_here, role, speech, past)
            if m is None:
                return None
            return _cap(self._full(m) + ("'s" if role == "poss" or viewpoint else ""), at_start)
        if low in PLURAL:
            if self._antecedent_inside(doc, t, "group"):
                return None
            named = {x.lower_ for x in doc} & self.person_words
            text = self._group(history, pair=not named, named_pair=PLURAL[low] != "obj")
            if text is None:
                return None
            return _cap(text + (("'" if text.endswith("s") else "'s") if PLURAL[low] == "poss" else ""), at_start)
        if low in DEMONSTRATIVE and t.dep_ == "det" and t.head.pos_ == "NOUN":
            return self._whose(t.head, history)  # "that rebellion" → "Yevgeny Prigozhin's rebellion"
        if low in THING or (low in DEMONSTRATIVE and t.pos_ == "PRON" and t.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "obj")):
            if low in ("it", "this", "that") and self._expletive(t):
                return None
            if low in DEMONSTRATIVE and t.i > 0 and t.doc[t.i - 1].lower_ == "all":
                return None  # "what does trump have to do in all this": everything talked about, no one thing
            if t.tag_ == "WDT":
                return None  # "the proposal that Lukashenko backs": a relative pronoun
            if low in DEMONSTRATIVE and (t.head.head if t.dep_ == "pobj" else t.head).dep_ == "conj":
                return None  # "what becomes of anyone Trump speaks with, and which king does he compare this to": the first part
            if low in DEMONSTRATIVE and t.dep_ in ("nsubj", "nsubjpass") and t.head.lemma_.lower() in EVENT_VERBS:
                return None  # "how much would that cost": an event, not a thing named before
            if t.dep_ in ("dobj", "obj") and t.head.lemma_.lower() in REPORTING_VERBS:
                # "who announced it?": the news, not a thing named before; "who decided that?"
                # alone after "where were most of the prisoners sent?" (answered): "who decided
                # where most of the prisoners were sent?"
                return self._news(doc, t, history)
            if low in DEMONSTRATIVE and t.head.dep_ in ("relcl", "ccomp"):
                return None
            if low in DEMONSTRATIVE and t.dep_ in ("dobj", "obj") and t.head.lemma_.lower() in SPEECH:
                return None  # "where did he say that?": what he said, not a thing named before
            if low in DEMONSTRATIVE and t.dep_ == "pobj" and t.head.lower_ == "like":
                return None  # "talking like that": a manner, not a thing named before
            if low in DEMONSTRATIVE and t.dep_ in ("dobj", "obj", "oprd") and t.head.lemma_.lower() in NAMING_VERBS:
                return None  # "what did he call that?": what the last answer said ("Coale called this "a fair trade"")
            if self._antecedent_inside(doc, t, "thing"):
                return None
            if THING.get(low) == "poss" and self._subject_of_clause(t, "thing"):
                return None  # "when did the EU impose its sanctions": the subject's
            governor = t.head.head if t.dep_ == "pobj" else t.head
            verb = governor.lemma_.lower() if governor.pos_ == "VERB" and t.dep_ in ("dobj", "obj", "nsubjpass") else None
            m = self._parallel_thing(t, history) or self._thing(history, verb)
            if m is None:
                return None
            if t.dep_ in ("dobj", "obj", "pobj") and any(
                    c.dep_ in ("nsubj", "nsubjpass") and c.lower_ == m.text.lower() for c in governor.children):
                return None  # never its own clause's subject ("what would Belarus get for Belarus")
            return _cap(m.text + ("'s" if THING.get(low) == "poss" else ""), at_start)
        if low == "there" and t.dep_ == "advmod":
            if self._existential(doc, t):
                return None  # "how many missiles are there in Belarus": no place meant
            m = self._there(history)
            if m is None:
                return None
            return f"in {m.text}"
        return None

    def _role_named(self, question: str, history: list[Turn]) -> str | None:
        """"When had the deputy been to Belarus before?" after an answer about "Kellogg's deputy
        John Cole": the one person the conversation introduced with that title ("the special
        representative" → "U.S. Special Representative for Ukraine John Kellogg"), searched from
        the last turn back; None when no one, or more than one person, fits at the nearest turn."""
        m = _ROLE_PHRASE_RE.search(question)
        if m is None:
            return None
        wanted = m.group(1).lower().split()
        for turn in reversed(history):
            found = {self._full(x) for x in turn.mentions if x.kind == "person" and all(w in x.before for w in wanted)}
            if len(found) > 1:
                return None
            if found:
                name = found.pop()
                if name.lower() in question.lower():
                    return None  # "the deputy, Cole,": named already
                return self._finish(question[: m.start()] + name + question[m.end() :])
        return None

    def _full(self, m: Mention) -> str:
        """A surname alone ("Zarikhin") as the articles' one full name for it; the corpus's
        protagonists ("Lukashenko") are left as they are."""
        if len(m.text.split()) == 1 and not m.common:
            return self.full_names.get(m.text.lower(), m.text)
        return m.text

    def _objects_of(self, verb: str) -> frozenset:
        """The nouns the articles use as the object of `verb` ("close" → {"border"}); parsed on
        first use, from at most OBJECT_SAMPLE sentences holding the verb (a common verb in a large
        corpus would otherwise mean parsing thousands of sentences while a user waits)."""
        if verb not in self._objects:
            found = set()
            rows = self._sentences
            if hasattr(rows, "rows_with_lemma"):  # the library's table: a search of its packed lemmas
                texts = [rows[k].text for k in rows.rows_with_lemma(verb, OBJECT_SAMPLE)]
            else:
                texts = [s.text for s in rows if verb in (getattr(s, "lemmas", ()) or ())][:OBJECT_SAMPLE]
            for doc in self.nlp.pipe(texts, batch_size=64):
                for t in doc:
                    if t.lemma_.lower() == verb and t.pos_ == "VERB":
                        found.update(c.lemma_.lower() for c in t.children if c.dep_ in ("dobj", "nsubjpass"))
            with self._lock:
                self._objects[verb] = frozenset(found)
        return self._objects[verb]

    def _that_noun(self, noun, history: list[Turn]) -> str | None:
        """"that <noun>" as a standalone phrase, or None:
        - the one owner the last turns give the noun: "that rebellion" → "Yevgeny Prigozhin's rebellion";
        - the last question's own phrase for it: "… during their warm phone call?" → "that call" is
          "the warm phone call";
        - a noun for an act (ACT_NOUNS) the last answer used for something it reported ("… were
          deported to Ukraine. It was later reported that this decision was made …"): the noun
          with the last question as its topic, "the decision about where Maria Kalesnikava …
          were deported to".
        Only the newest turn is looked at for the last two, and a noun with two phrases in it is
        not guessed."""
        whose = self._whose(noun, history)
        if whose is not None:
            return f"{whose} {noun.text}"
        prev = history[-1]
        forms = {noun.lower_, noun.lemma_.lower()}
        if forms & PERSON_NOUNS:
            return None  # "that analyst" after "which political analyst …?" means the person the answer named
        phrases = {m.text for m in prev.mentions if m.kind == "thing" and not m.from_answer and len(m.text.split()) > 1
                   and m.text.split()[-1].lower() in forms | {f + "s" for f in forms}}
        if len(phrases) > 1:
            return None
        if phrases:
            words = phrases.pop().split()
            if [w.lower() for w in words[:-1]] in (["the"], ["a"], ["an"]):
                return None  # "the call" for "that call": nothing gained
            return " ".join(words[:-1] + [noun.text])
        if prev.answer.refused or not prev.answer.text or noun.lemma_.lower() not in ACT_NOUNS:
            return None
        if noun.lemma_.lower() in prev.content or noun.lower_ in prev.content:
            return None  # "… when he called Lukashenko?" + "that call": the call asked about, not one "about" it
        if not re.search(rf"\b(?:this|that|the|such a) {re.escape(noun.text)}\b", prev.answer.text, re.IGNORECASE):
            return None
        topic = self._indirect(prev.rewritten)
        return f"the {noun.text} about {topic}" if topic else None

    def _indirect(self, question: str) -> str | None:
        """"Where were X deported to?" → "where X were deported to"; "Who was released?" → "who was
        released"; None for a question with do-support ("when did X meet Y?": its verb would
        need inflecting) or without a question word in front."""
        doc = self.nlp(question)
        toks = [t for t in doc if not t.is_space]
        while toks and toks[-1].is_punct:
            toks = toks[:-1]
        phrase = self._wh_phrase(toks)
        if not phrase:
            return None
        n = len(phrase.split())
        rest = toks[n:]
        if len(rest) < 2 or any(t.text == "," for t in rest):
            return None
        wh = " ".join(t.text for t in toks[:n]).lower()
        aux = rest[0]
        if aux.lower_ in ("do", "does", "did") or aux.lower_ not in AUX:
            return None
        subj = next((t for t in rest[1:] if t.dep_ in ("nsubj", "nsubjpass") and t.head.i in (aux.i, aux.head.i)), None)
        if subj is None:  # the question word is the subject: "who was released"
            return None if rest[1].tag_ not in ("VBN", "VBG", "JJ") else f"{wh} " + " ".join(t.text for t in rest)
        if subj.left_edge.i != rest[1].i:
            return None
        subject = [t for t in rest if subj.left_edge.i <= t.i <= subj.right_edge.i]
        after = [t for t in rest[1:] if t.i > subj.right_edge.i]
        return re.sub(r"\s+([,.;:?!'’])", r"\1", " ".join([wh] + [t.text for t in subject] + [aux.text] + [t.text for t in after]))

    def _news(self, doc, t, history: list[Turn]) -> str | None:
        """The last question as an indirect one, for the object of a reporting verb in a question
        that says nothing else ("who decided that?", "and who announced it?"); None when the last
        turn was refused or its question does not turn into an indirect one (`_indirect`)."""
        words = [x for x in _without_fillers(doc) if not x.is_punct]
        if not words or len(words) > 4 or words[-1].i != t.i or words[0].lower_ not in WH:
            return None
        prev = history[-1]
        if prev.answer is None or prev.answer.refused:
            return None
        return self._indirect(prev.rewritten)

    def _whose(self, noun, history: list[Turn]) -> str | None:
        """"that rebellion" after an answer about "the rebellion of Yevgeny Prigozhin" (or
        "Prigozhin's rebellion"): the one name the last turn gives that noun, as a possessive."""
        word = re.escape(noun.text)
        name = r"((?:[A-Z][\w’'-]+ ){0,2}[A-Z][\w’'-]+)"
        patterns = (rf"\b{word} of (?:the )?{name}", rf"{name}['’]s {word}\b")
        for turn in reversed(history[-2:]):
            found = set()
            for text in (turn.rewritten, "" if turn.answer.refused else turn.answer.text):
                for pat in patterns:
                    found.update(m.group(1) for m in re.finditer(pat, text or ""))
            found = {f for f in found if f.split()[0] not in ("The", "A", "An", "This", "That")}
            if len(found) == 1:
                return found.pop() + "'s"
            if found:
                return None  # two rebellions: not guessed
        return None

    def unresolved_person(self, question: str) -> str | None:
        """A he/she/him/her/his left in a question with no antecedent inside it, or None."""
        doc = self.nlp(self._truecase(question))
        for t in doc:
            low = t.lower_
            if low in MALE or low in FEMALE:
                role = (MALE | FEMALE)[low]
                if low == "her":
                    role = "poss" if t.tag_ == "PRP$" or t.dep_ == "poss" else "obj"
                if self._bound_inside(doc, t, role):
                    continue
                if role == "obj" and any(e.label_ == "PERSON" for e in doc.ents) and t.head.lemma_ in ("tell", "ask", "give", "call"):
                    continue
                if role == "poss" and any(self._is_person(e) for e in doc.ents if e.start > t.i):
                    continue  # "since his release, who has Sergei Tikhanovsky clashed with": named after it
                return t.text
        return None

    def unresolved_group(self, question: str) -> str | None:
        """A they/them/their in a question with nothing before it inside the question that it
        could stand for (two names, a country or an organisation, a plural noun), or None."""
        doc = self.nlp(self._truecase(question))
        for t in doc:
            if t.lower_ not in PLURAL or t.lower_ == "themselves" or self._antecedent_inside(doc, t, "group"):
                continue
            if any(e.label_ == "GPE" and e.end <= t.i for e in doc.ents):
                continue  # one country ("why did Lithuania close the border and what did they demand?"): an organisation is one already
            return t.text
        return None

    def _expletive(self, t) -> bool:
        if t.dep_ == "expl":
            return True
        head = t.head
        # "it" standing for a clause that follows: "is it reasonable to use …", "did it become
        # known that …", "how much does it cost to move …", "Lukashenko said it was time to start …"
        if t.dep_ in ("nsubj", "nsubjpass") and head.lemma_ in ("be", "become", "seem", "appear", "cost", "take") and any(
                x.i > t.i and (x.tag_ == "TO" or (x.dep_ == "mark" and x.lower_ == "that")) for x in head.subtree):
            return True
        if head.lemma_ in ("take", "seem", "appear", "rain", "snow", "hail", "freeze") and t.dep_ == "nsubj":
            return True
        if t.dep_ == "nsubjpass" and any(c.dep_ in ("ccomp", "xcomp") and c.i > t.i for c in head.children):
            return True  # "is it known what …", "is it expected that …"
        if t.dep_ in ("dobj", "obj") and head.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in head.children):
            return True  # "as Shemov sees it", "as he put it"
        if head.lemma_ == "be" and any(c.dep_ in ("acomp", "attr") and c.lemma_ in ("true", "possible", "clear", "likely", "known", "reported", "necessary") for c in head.children):
            return True
        return any(c.dep_ in ("ccomp", "xcomp") and c.i > t.i for c in head.children) and head.lemma_ == "be"

    @staticmethod
    def _existential(doc, t) -> bool:
        """"there is …", "are there any …", "how many X are there …" — not "who else was there?"."""
        nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
        prev = doc[t.i - 1] if t.i > 0 else None
        if nxt is not None and nxt.lemma_ == "be":
            return True
        if prev is None or prev.lemma_ != "be":
            return False
        how_many = len(doc) > 1 and doc[0].lower_ == "how" and doc[1].lower_ in ("many", "much")
        return how_many or (nxt is not None and nxt.pos_ in ("DET", "NOUN", "ADJ", "NUM", "PROPN"))

    def _subject_of_clause(self, t, kind: str) -> bool:
        """Is the subject of the pronoun's clause a `kind` ("person" / "thing") named in the
        question? A possessive means it by default, before it or after ("how many years of his
        sentence had Tikhanyovski served", "when did the EU impose its sanctions")."""
        clause = _clause_of(t)
        if clause is None:
            return False
        for c in clause.children:
            if c.dep_ not in ("nsubj", "nsubjpass") or c.i == t.i or c.pos_ == "PRON" or c.lower_ in WH:
                continue
            span = c.doc[c.left_edge.i : c.right_edge.i + 1]
            if t.i in range(span.start, span.end):
                continue
            person = any(self._is_person(e) for e in span.ents) or (
                c.pos_ == "PROPN" and (c.lower_ in self.person_words or self._person_name(span.text))
            ) or (c.pos_ == "NOUN" and c.lower_ in PERSON_NOUNS)  # "which journalist regained her freedom"
            if kind == "person" and person:
                return True
            # spaCy's tags of a short lower-case subject are a guess ("the eu" PERSON): for "its",
            # a subject the articles never name as a person will do
            if kind == "thing" and c.pos_ in ("NOUN", "PROPN") and c.lower_ not in self.person_words and not self._person_name(span.text):
                return True
        return False

    def _bound_inside(self, doc, t, role: str) -> bool:
        """Does this he/she/him/her/his refer to someone in its own question? A subject or
        possessive pronoun does when a name comes before it ("Who is Maria Kalesnikava and why
        was she jailed?"); an object pronoun only inside a modifier clause, where it means the
        main clause's person ("which deputy did Lukashenko greet, calling him a good guy") —
        never its own clause's subject ("what is Trump seeking to do to him")."""
        if t.lower_ in ("himself", "herself"):
            return True  # reflexives always mean someone in their own sentence
        if role == "poss" and self._subject_of_clause(t, "person"):
            return True  # "how many years of his sentence had Tikhanyovski served": the subject's
        if role == "poss" and any(x.lower_ in WH for x in doc[t.i + 1 :]) and not any(x.lower_ in WH for x in doc[: t.i]) and any(
                self._is_person(e) for e in doc.ents if e.start > t.i):
            return True  # "since his release, who has Sergei Tikhanovsky clashed with": fronted, named after
        if role != "obj":
            return self._antecedent_inside(doc, t, "person")
        verb = t.head.head if t.dep_ == "pobj" else t.head
        if verb.dep_ in ("advcl", "acl", "relcl"):
            return True
        if t.dep_ == "pobj" and t.head.lower_ == "with" and verb.lemma_.lower() in ("take", "bring", "carry", "lead"):
            return True  # "how many prisoners did Kellogg take out of Belarus with him": the one who took them
        # "… and how many were released together with him": a name earlier in the question that
        # is not the subject of the pronoun's own clause ("what is Trump seeking to do to him")
        clause = _clause_of(t)
        subjects = {c.i for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")} if clause is not None else set()
        named = [e for e in doc.ents if e.end <= t.i and self._is_person(e)]
        return any(not any(i in subjects for i in range(e.start, e.end)) for e in named)

    def _antecedent_inside(self, doc, t, kind: str) -> bool:
        before = doc[: t.i]
        if kind == "person":  # a name before the pronoun, judged as mentions are (corpus labels too)
            asked = _wh_phrase_end(doc)  # "which ancient king does he …": the asked one is no antecedent
            return any(
                (self._is_person(e)
                 or (e.label_ not in PLACE_LABELS and len(e.text.split()) >= 2 and self._person_name(e.text)))
                and e.start >= asked
                for e in doc.ents if e.end <= t.i
            ) or any(
                x.pos_ == "PROPN" and not x.ent_type_ and x.lower_ in self.person_words and x.i >= asked for x in before
            ) or any(  # "Who is Natalia Eisenmont, and what did she …": a name spaCy cut ("Natalia" a GPE)
                self._person_name(" ".join(w.text for w in run)) for run in _proper_runs(before) if run[0].i >= asked
            ) or any(  # "who granted the opposition politician his pardon"
                x.pos_ == "NOUN" and x.tag_ == "NN" and x.lower_ in PERSON_NOUNS  # a definite one: not the asked
                and any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in x.children) for x in before  # "which king", "what kind of activist"
            )
        if kind == "group":
            people = {e.start for e in doc.ents if e.end <= t.i and (e.label_ in ("GPE", "ORG", "NORP") or self._is_person(e) or self._person_name(e.text))}
            people |= {x.i for x in before if x.pos_ == "PROPN" and not x.ent_type_ and x.lower_ in self.person_words}
            # "what did Lukashenko say would happen if they played mind games with each other": a
            # reciprocal "they" holds the person named before it
            reciprocal = bool(people) and RECIPROCAL.search(doc.text) is not None
            return len(people) >= 2 or reciprocal or any(e.label_ in GROUP_LABELS and e.end <= t.i for e in doc.ents) or any(
                x.tag_ in ("NNS", "NNPS") for x in before
            )  # "where were Babariko and Kolesnikova sent after their release", "what does Russia give Belarus under their arrangement"
        # "it" never means a person ("what does Lukashenko believe he'll get after it") nor, as
        # an object, the subject of its own clause ("when did Poland close it")
        own_subjects: set[int] = set()
        if t.dep_ in ("dobj", "pobj", "obj"):
            verb = t.head.head if t.dep_ == "pobj" else t.head
            own_subjects = {x.i for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") for x in c.subtree}
        people = {i for e in doc.ents if self._is_person(e) for i in range(e.start, e.end)}
        return any(x.pos_ in ("NOUN", "PROPN") and x.lower_ not in WH and x.i not in own_subjects and x.i not in people
                   and not (x.pos_ == "PROPN" and x.lower_ in self.person_words)
                   for x in before if x.dep_ in ("nsubj", "dobj", "pobj", "nsubjpass"))

    # ---- choosing the antecedent -----------------------------------------------------------
    def _person(self, history: list[Turn], gender: str, exclude: set[str] = frozenset(), role: str = "subj",
                speech: bool = False, past: bool = True) -> Mention | None:
        """The most salient person of the last turns: the newer the turn the better; the
        question's person (its subject first) unless the turn asked for a person ("who …",
        "which analyst …"): then the person its answer introduced — preferring a specific name
        over the corpus's protagonist — except that after "who did X meet?" a subject "he"
        stays with X ("what did he say then?") while "his"/"him" go to the answer. "she" needs a name that looks female, "he" one that does not: an
        unresolved pronoun is better than a question about the wrong person."""
        best: dict[str, tuple[float, int, Mention]] = {}
        order = 0
        topic = history[-1].subject if len(history) >= 2 and history[-1].subject and history[-2].subject and (
            history[-1].subject.split()[-1].lower() == history[-2].subject.split()[-1].lower()) else None
        for d, turn in enumerate(reversed(history[-3:])):
            asked_for = turn.asks_person and not turn.identity
            if asked_for and d == 0 and not any(m.from_answer and m.kind == "person" and not self._unvouched(turn, m)
                                                for m in turn.mentions):
                # "which ancient king did Zarikhin mention?" unanswered (or answered with no one
                # called a king): "what power did he have?" means the unknown king — not guessed
                return None
            for m in turn.mentions:
                order += 1
                if m.kind != "person" or _looks_female(m.text) != (gender == "f"):
                    continue
                if asked_for and m.from_answer and self._unvouched(turn, m):
                    continue
                words = set(m.text.lower().split())
                if words & exclude or any(_similar(w, x, 0.8) for w in words for x in exclude if len(w) >= 6 and len(x) >= 6):
                    continue  # "what does he think Lukashenko wants" (or "Lukashneko"): he is not Lukashenko
                is_subject = not m.from_answer and turn.subject == m.text
                if speech and not m.from_answer and turn.source == m.text:
                    base = 4.5  # "according to Vasilyev …" → "what does he say …": Vasilyev
                elif turn.asks_person and not turn.identity:
                    if m.from_answer:
                        base = 2.5 if not m.common else 1.2
                        read = _read_answer(turn)
                        if turn.asked & set(m.before):  # "… political analyst Artyom Shraibman wrote"
                            base += 1.0
                        elif read is not None and m.text.lower() in read:
                            base += 1.0  # the one the answer gives ("… stated that X pardoned Y": Y)
                    elif not turn.wh_subject and role == "subj" and is_subject and (past or speech):
                        base = 4.0 if d == 0 else 2.0  # "what did he say then?" right after "who did X meet?"
                    else:
                        base = 1.5
                elif m.from_answer:
                    base = 1.0
                elif role == "obj":  # parallel roles: "what has X offered Y?" … "what is Z doing to him?" → Y
                    # — unless X is the subject of the last two questions, whom the talk is about ("When
                    # was Coale made envoy?" "What did he do for Trump before?" "When did Lukashenko meet him?")
                    base = (2.4 if m.text == topic else 1.7) if is_subject else 2.2
                elif role == "subj" and not speech and d == 0 and turn.reported == m.text:
                    # "what does X think Y expects?" … "how would he pay?": Y, whose doing was asked
                    # about; a speech verb ("what does he say …") keeps X
                    base = 2.3
                else:
                    base = 2.0
                if m.modifier:  # "what is the trump proposal he supports" … "what did he say": not Trump
                    base *= 0.5
                score = base * 0.6**d * (0.95 if m.common else 1.0)  # ties go to the specific name
                key = m.text.lower().split()[-1]
                if key not in best or score > best[key][0]:
                    best[key] = (score, -order, m)
        if not best and gender == "f":
            # "… according to her?" four turns after "Who is Natalia Eisenmont …?": a woman the
            # conversation named before the last three turns, when it named only one
            women = {m.text.lower().split()[-1]: m for turn in history[:-3] for m in turn.mentions
                     if m.kind == "person" and _looks_female(m.text) and not set(m.text.lower().split()) & exclude}
            return next(iter(women.values())) if len(women) == 1 else None
        if not best:
            return None
        return max(best.values(), key=lambda x: (x[0], x[1]))[2]

    @staticmethod
    def _unvouched(turn: Turn, m: Mention) -> bool:
        """After "which political scientist …?", an answer that names the corpus's protagonist
        (Trump) but never calls him a political scientist has not said who the scientist is."""
        return m.common and bool(turn.asked - WH) and not (turn.asked & set(m.before + m.after))

    def _group(self, history: list[Turn], pair: bool = True, named_pair: bool = True) -> str | None:
        """'they': the people a "which two figures …" answer named, else the group or plural
        thing the last turns asked about, else the two people a question named (`named_pair`:
        not for "them", which is as often the things that answer named: "how would he pay for
        them" after Boeing airplanes)."""
        for turn in reversed(history[-3:]):
            if turn.asks_person and turn.asks_many:  # not "whom did X meet?" answered with two names
                people = [m.text for m in turn.mentions if m.from_answer and m.kind == "person"]
                if len(people) >= 2:
                    return f"{people[0]} and {people[1]}"
            for m in turn.mentions:
                if not m.from_answer and (m.kind == "group" or (m.kind == "thing" and m.plural)) and not _a_publication(m):
                    # (not "European Pravda" of "according to European Pravda": where it was read)
                    # "the 123 political prisoners" → "the political prisoners": the count was the
                    # last question's detail, and "most of them" are no longer 123
                    return re.sub(r"^(the\s+)\d[\d,.]*\s+(?=\w)", r"\1", m.text, flags=re.IGNORECASE)
            # "who did Lukashenko meet?" … "where was their meeting?": the two people of that turn
            people = [m for m in turn.mentions if m.kind == "person"]
            asker = next((m for m in people if not m.from_answer), None)
            # the one the answer gave for "who": the reader's answer says which, protagonist or not
            read = _read_answer(turn)
            answered = next((m for m in people if m.from_answer and read is not None and m.text.lower() in read), None) or next(
                (m for m in people if m.from_answer and not m.common), None)
            if pair and turn.asks_person and asker is not None and answered is not None:
                return f"{asker.text} and {answered.text}"
            # "where did Lukashenko meet Kellogg?" … "what did they agree?": the two it named
            # doing something together (not "did Lukashenko pardon Tikhanovsky?" … "when were
            # they released?")
            asked = list(dict.fromkeys(m.text for m in people if not m.from_answer))
            if pair and named_pair and len(asked) == 2 and (
                    turn.content & JOINT_VERBS or re.search(rf"{re.escape(asked[0])}\W+and\W+{re.escape(asked[1])}", turn.rewritten)):
                return f"{asked[0]} and {asked[1]}"
        return None

    def _thing(self, history: list[Turn], verb: str | None = None) -> Mention | None:
        """The thing the newest turn asked about — unless the pronoun's verb says otherwise:
        "when did Poland close it?" after questions about "the Polish-Belarusian border" and
        then "that transit" is the border, the one the articles ever say is closed."""
        picks = []
        for turn in reversed(history):
            q = [m for m in turn.mentions if not m.from_answer and m.kind in ("thing", "place", "group") and not m.plural]
            named = [m for m in q if m.kind != "thing" or m.text[:1].isupper() or any(w[:1].isupper() for w in m.text.split()[1:])]
            things = [m for m in q if m.kind == "thing"]
            pick = things + [m for m in named if m not in things]
            # "According to the Siberian Newspaper article, who did Lukashenko meet at the
            # Independence Palace?" … "so it was in Minsk?": where the question read, not what it
            # asked about; the publication only when the turn names nothing else ("who wrote it?")
            read = [m if m.text.lower().split()[-1] in MEDIA_NOUNS or not (m.after[:1] and m.after[0] in MEDIA_NOUNS)
                    else replace(m, text=f"the {m.text} {m.after[0]}", kind="thing")  # "Who wrote the Svobodnaya Pressa article?"
                    for m in pick if _a_publication(m)]
            rest = [m for m in pick if not _a_publication(m)]
            picks.append(read + rest if verb in _AUTHOR_VERBS else rest + read)
        default = next((p[0] for p in picks if p), None)
        if verb is None or default is None or verb in LIGHT_VERBS:
            return default
        candidates = [m for p in picks[:2] for m in p]

        objects = self._objects_of(verb)

        def fits(m: Mention) -> bool:
            return m.text.lower().split()[-1].strip(".,'’") in objects

        if fits(default):
            return default
        fitting = [m for m in candidates if fits(m)]
        return fitting[0] if len({m.text for m in fitting}) == 1 else default

    def _parallel_thing(self, t, history: list[Turn]) -> Mention | None:
        """"it" as subject or object of the verb the last question asked with: the thing in
        that role there. "Which Russian missile has Belarus already received?" + "When did it
        receive it?": the subject is Belarus, the object the missile. None when the verb is
        not the last question's, or its role there is a person or a question word alone."""
        if t.dep_ not in ("nsubj", "nsubjpass", "dobj", "obj") or t.head.pos_ != "VERB":
            return None
        verb = t.head.lemma_.lower()
        if verb in LIGHT_VERBS:
            return None
        prev = history[-1]
        doc = self.nlp(prev.rewritten)
        v = next((x for x in doc if x.lemma_.lower() == verb and x.pos_ == "VERB"), None)
        if v is None:
            return None
        active_subject = t.dep_ == "nsubj"
        want = ("nsubj",) if active_subject else ("dobj", "obj", "nsubjpass")
        arg = next((c for c in v.children if c.dep_ in want), None)
        if arg is None:
            return None
        span = doc[arg.left_edge.i : arg.right_edge.i + 1].text.lower()
        inside = [m for m in prev.mentions if not m.from_answer
                  and (m.text.lower() in span or (m.text.lower().startswith("the ") and m.text.lower()[4:] in span))]
        if any(m.kind == "person" for m in inside):
            return None
        things = [m for m in inside if m.kind in ("thing", "place", "group")]
        # the whole phrase, not a name inside it ("the Polish-Belarusian border", not "Polish")
        return max(things, key=lambda m: len(m.text)) if things else None

    def _there(self, history: list[Turn]) -> Mention | None:
        """The place of the newest turn whose question names one (or whose answer gives the one
        place a where-question asked for). A turn whose question names an organisation and no
        place stops the search: spaCy tags many a city ORG ("What has Vilnius said …?"), and an
        older place (Lithuania) would be a guess; so does an answer naming places in passing."""
        for turn in reversed(history):
            asked = [m for m in turn.mentions if m.kind == "place" and not m.from_answer]
            if asked:
                return asked[0]
            if any(m.kind == "group" and not m.from_answer and not m.plural for m in turn.mentions):
                return None
            # a place only the answer names is "there" when the question asked where ("Where were
            # they deported?" "To Ukraine."), and only one; an answer to "who has been lobbying the
            # EU there?" that mentions Minsk in passing has not said where "there" is
            answered = {m.text: m for m in turn.mentions if m.kind == "place" and m.from_answer}
            if turn.wh == "where" and len(answered) == 1:
                return next(iter(answered.values()))
            if answered:
                return None
        return None


class Conversation:
    """One history: ask() rewrites a follow-up, answers it, and remembers the turn."""

    def __init__(self, answerer, max_turns: int = 5, idle_seconds: float = 1800.0, clock=time.monotonic,
                 rewriter: Rewriter | None = None) -> None:
        self.answerer = answerer
        self.rewriter = rewriter or Rewriter.for_answerer(answerer)
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.turns: deque[Turn] = deque(maxlen=max(1, max_turns))
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.turns.clear()

    def history(self) -> list[Turn]:
        now = self.clock()
        if self.turns and now - self.turns[-1].at > self.idle_seconds:
            self.turns.clear()
        return list(self.turns)

    def ask(self, question: str) -> Reply:
        with self._lock:
            if self._too_long(question):  # refused as it is: never parsed for rewriting or pronouns
                return Reply(question, clean_question(question), self.answerer.ask(question))
            history = self.history()
            said = self._whose_words(question, history) or self._article_of(question, history)
            if said is not None:  # "who said that?": the person whose words the last answer gave; "which article says that?" its article
                turn = self.rewriter.analyse_turn(clean_question(question), said, self.clock())
                turn.question = question
                self.turns.append(turn)
                return Reply(question, clean_question(question), said)
            rewritten = self.rewriter.rewrite(question, history) if history else clean_question(question)
            pronoun = self.rewriter.unresolved_person(rewritten) if rewritten else None
            if pronoun is not None and self._first_part_names(rewritten):
                pronoun = None
            if pronoun is not None:  # "what is his job?" with nobody discussed: never a guessed person
                t0 = time.perf_counter()
                text = prompts.render("unresolved_reference", pronoun=pronoun, be="is")
                answer = Answer(rewritten, text, (), True, "unresolved_reference", timings={"total_ms": (time.perf_counter() - t0) * 1000})
                return Reply(question, rewritten, answer)
            answer = self.answerer.ask(rewritten)
            if answer.reason in ("empty_question", "too_long", "not_english", "small_talk"):  # nothing to follow up on
                return Reply(question, clean_question(question), answer)
            if answer.refused and answer.reason == "unsupported" and (group := self.rewriter.unresolved_group(rewritten)):
                # "where did they meet?" with nobody discussed: answered when the articles answer
                # it whoever "they" are, but a refusal asks who they are rather than saying the
                # articles do not state it
                text = prompts.render("unresolved_reference", pronoun=group, be="are")
                return Reply(question, rewritten, replace(answer, text=text, reason="unresolved_reference"))
            turn = self.rewriter.analyse_turn(rewritten, answer, self.clock())
            turn.question = question
            self.turns.append(turn)
            return Reply(question, rewritten, answer)

    def _first_part_names(self, question: str) -> bool:
        """"Which Nobel laureate was among those released, and where was he sent?": the pronoun
        is the person the first part asks for (the Answerer reads the second part in the light of
        the first part's answer)."""
        parts = split_compound(question)
        if len(parts) != 2 or self.rewriter.unresolved_person(parts[0]) is not None:
            return False
        return self.rewriter.analyse_turn(parts[0], None, 0.0).asks_person

    def _whose_words(self, question: str, history: list[Turn]) -> Answer | None:
        return self._of_last_answer(question, history, "whose_words", "WHO_SAID_THAT_RE")

    def _article_of(self, question: str, history: list[Turn]) -> Answer | None:
        return self._of_last_answer(question, history, "article_of", "WHICH_ARTICLE_RE")

    def _of_last_answer(self, question: str, history: list[Turn], method: str, pattern_name: str) -> Answer | None:
        """"who said that?" (whose_words), "which article says that?" (article_of): the
        answerer's reply about the last answer given, when the question matches its pattern."""
        ask = getattr(self.answerer, method, None)
        pattern = getattr(self.answerer, pattern_name, None)
        if not history or ask is None or pattern is None or not pattern.match(clean_question(question)):
            return None
        # the last answer given: "that" is what the bot last showed, past a refusal in between
        last = next((t.answer for t in reversed(history) if t.answer is not None and not t.answer.refused), None)
        return ask(clean_question(question), last) if last is not None else None

    def _too_long(self, question: str) -> bool:
        """Over the answerer's MAX_QUESTION_CHARS: a follow-up that long is not rewritten (its
        parse could exceed spaCy's limit, and a question refused as too long needs none)."""
        limit = getattr(getattr(self.answerer, "settings", None), "max_question_chars", None)
        return limit is not None and len(clean_question(question)) > limit


class ConversationStore:
    """Conversations by key (a chat, or a user within a group chat); bounded, idle ones dropped."""

    def __init__(self, answerer, max_turns: int = 5, idle_seconds: float = 1800.0, max_conversations: int = 10_000,
                 clock=time.monotonic) -> None:
        self.answerer = answerer
        self.max_turns = max_turns
        self.idle_seconds = idle_seconds
        self.max_conversations = max_conversations
        self.clock = clock
        self._items: OrderedDict[object, Conversation] = OrderedDict()
        self._lock = threading.Lock()
        # one for all conversations, built on first use and again when the answerer has switched
        # to another index (services.LiveAnswerer after a re-ingest): the names it knows are the
        # corpus's, and it reads that index's sentences
        self._rewriter: Rewriter | None = None
        self._rewriter_library = None

    def get(self, key) -> Conversation:
        with self._lock:
            library = getattr(self.answerer, "library", None)
            if self._rewriter is None or library is not self._rewriter_library:
                self._rewriter, self._rewriter_library = Rewriter.for_answerer(self.answerer), library
                for other in self._items.values():
                    other.rewriter = self._rewriter
            conv = self._items.get(key)
            if conv is None:
                conv = Conversation(self.answerer, self.max_turns, self.idle_seconds, self.clock, self._rewriter)
                self._items[key] = conv
            self._items.move_to_end(key)
            while len(self._items) > self.max_conversations:
                self._items.popitem(last=False)
            return conv

    def continue_with(self, key, turns) -> None:
        """The conversation `key` takes up `turns` (another conversation's history as it stood
        at one of its answers) when it has none of its own: in a group, someone replying to the
        answer another member got asks a follow-up of *that* exchange ("What is his job?" under
        the answer about Shmelyev, whatever that member asked since)."""
        conv = self.get(key)
        with conv._lock:  # held briefly: the chat's own answers are serialised by the caller
            if not conv.history():
                conv.turns.extend(turns)

    def reset(self, key) -> None:
        with self._lock:
            conv = self._items.pop(key, None)
        if conv is not None:
            conv.reset()

    def __len__(self) -> int:
        return len(self._items)
