"""Typos in a question: a word that is neither in the articles nor an English word is read as
the article word it is one or two keystrokes from ("intervewed" → "interviewed",
"sanctons" → "sanctions"), so a mistyped question is not refused for a word the articles
"lack".

Only lower-case words of five letters or more are touched (capitalised words are names, and
names have their own spelling-variant matching), only when exactly one article word is
nearest, and never a word that some English dictionary sense (WordNet, after stripping a
regular ending) already explains.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from typing import Callable, Iterable

_WORD_RE = re.compile(r"(?<![\w'’-])([a-z]{5,})(?![\w'’-])")
_ENDINGS = ("", "s", "es", "ed", "d", "ing", "ly", "er", "est", "ies", "ied")


def distance(a: str, b: str, limit: int) -> int:
    """Damerau–Levenshtein distance (optimal string alignment) of a and b, or limit + 1 as
    soon as it must exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def stems(word: str) -> Iterable[str]:
    """The word and what it may be an inflection of ("released" → "release", "stopped" → "stop")."""
    for end in _ENDINGS:
        if end and not word.endswith(end):
            continue
        base = word[: len(word) - len(end)] if end else word
        if len(base) < 2:
            continue
        yield base
        if end in ("ed", "ing", "er", "est"):
            yield base + "e"  # "released", "closing"
            if len(base) > 2 and base[-1] == base[-2]:
                yield base[:-1]  # "stopped"
        if end in ("ies", "ied"):
            yield base + "y"  # "parties", "tried"


class Speller:
    """Corrects a question's unknown words to the nearest word of `vocabulary`."""

    def __init__(self, vocabulary: Iterable[str], is_word: Callable[[str], bool] | None = None) -> None:
        # the caller's set as it is (the answerer's corpus words: tens of thousands at scale)
        self._known = vocabulary if isinstance(vocabulary, (set, frozenset)) else set(vocabulary)
        self._is_word = is_word

    @functools.cached_property
    def _buckets(self) -> dict[tuple[str, int], list[str]]:
        """Candidates by first letter and length (a typo rarely hits the first letter), built
        when a question first has an unknown word: ≈ 35 ms at 100k chunks, not every process's
        first question."""
        buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for w in self._known:
            if len(w) >= 4 and w.isalpha():
                buckets[(w[0], len(w))].append(w)
        return buckets

    def known(self, word: str) -> bool:
        if word in self._known:
            return True
        return self._is_word is not None and any(self._is_word(s) for s in stems(word))

    def nearest(self, word: str) -> str | None:
        """The one article word nearest to `word` (at most 1 edit for words under 8 letters,
        2 from 8), or None when there is none or a tie."""
        limit = 1 if len(word) < 8 else 2
        best: list[str] = []
        best_d = limit + 1
        for n in range(len(word) - limit, len(word) + limit + 1):
            for cand in self._buckets.get((word[0], n), ()):
                d = distance(word, cand, min(limit, best_d))
                if d < best_d:
                    best, best_d = [cand], d
                elif d == best_d and d <= limit:
                    best.append(cand)
        return best[0] if len(best) == 1 else None

    def correct(self, question: str, keep: Callable[[str], bool] | None = None) -> str:
        """The question with each unknown lower-case word replaced by its nearest article word;
        words `keep` accepts are left as they are."""

        def fix(m: re.Match) -> str:
            w = m.group(1)
            if self.known(w) or (keep is not None and keep(w)):
                return w
            return self.nearest(w) or w

        return _WORD_RE.sub(fix, question)
