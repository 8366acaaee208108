"""Typos in questions: bot/spelling.py on its own, and through the Answerer."""

from __future__ import annotations

import pytest

from bot.spelling import Speller, distance, stems

VOCAB = {"interviewed", "sanctions", "released", "prisoners", "shmelyev", "lifted", "potash", "release", "relented"}
ENGLISH = {"spot", "exclaim", "literally", "commentary", "tank", "mediate", "embassy"}


@pytest.fixture()
def speller() -> Speller:
    return Speller(VOCAB, lambda w: w in ENGLISH)


@pytest.mark.parametrize("a, b, d", [
    ("intervewed", "interviewed", 1), ("sanctons", "sanctions", 1), ("releasde", "released", 1),  # a swap is one edit
    ("potash", "potash", 0), ("prisonners", "prisoners", 1), ("abcdef", "uvwxyz", 2),  # over the limit: limit + 1
])
def test_distance_counts_edits_up_to_the_limit(a, b, d):
    assert distance(a, b, 1) == d


def test_stems_undo_regular_endings():
    assert "spot" in set(stems("spotted")) and "release" in set(stems("released")) and "party" in set(stems("parties"))


@pytest.mark.parametrize("question, corrected", [
    ("which outlet intervewed boris shmeleyev", "which outlet interviewed boris shmelyev"),
    ("what sanctons were lifted", "what sanctions were lifted"),
    ("how many prisonners were freed", "how many prisoners were freed"),
    ("what was relesed", "what was released"),  # 'relented' is further away
])
def test_unknown_words_take_the_nearest_article_word(speller, question, corrected):
    assert speller.correct(question) == corrected


@pytest.mark.parametrize("question", [
    "What did Lukashenko exclaim when he spotted Coale?",  # English words (after 'spotted' -> 'spot') stay
    "what does oreshnik literally mean",  # unknown, but nothing in the articles is near it
    "Which think tank published the commentary?",
    "Who is Tsikhanouski?",  # capitalised: a name, matched by the name variants instead
])
def test_known_words_names_and_far_words_are_left_alone(speller, question):
    assert speller.correct(question) == question


def test_a_tie_is_left_alone():
    speller = Speller({"sanction", "santion"})
    assert speller.nearest("sanxtion") is None  # one edit from both


def test_keep_leaves_the_words_it_accepts():
    assert Speller(VOCAB).correct("which outlet intervewed him", keep=lambda w: w == "intervewed") == "which outlet intervewed him"


# through the Answerer, on the session index: the articles' words, WordNet, the names


def test_a_mistyped_question_is_answered_as_if_typed_right(answerer):
    answer = answerer.ask("Which outlet intervewed Boris Shmelyev?")
    assert not answer.refused and "Svobodnaya Pressa" in answer.text
    assert answer.support["read_as"] == "Which outlet interviewed Boris Shmelyev?"


def test_typos_are_fixed_but_lower_case_names_are_left_to_the_name_matching(answerer):
    """All lower case: 'shmeleyev' (another spelling of a name of the articles) is not made
    into an article word; 'intervewed' is no first name before 'boris', but a typo."""
    assert answerer.spell("which outlet intervewed boris shmeleyev") == "which outlet interviewed boris shmeleyev"
    assert answerer.spell("what did zelensky say") == "what did zelensky say"


@pytest.mark.parametrize("question", [
    "Who among the released prisoners is a Nobel laureate?",  # function words: no WordNet sense, still English
    "Whose decision was it to send the prisoners to Ukraine?",
    "What did Macron say about the prisoner release?",
])
def test_english_words_are_not_corrected(answerer, question):
    assert answerer.spell(question) == question


def test_spelling_can_be_switched_off(seed_settings, library):
    from bot import services

    off = services.answerer(seed_settings.model_copy(update={"spelling": False}), library)
    assert off.spell("Which outlet intervewed Boris Shmelyev?") == "Which outlet intervewed Boris Shmelyev?"


def test_the_candidate_index_is_built_only_for_a_question_with_an_unknown_word(speller):
    speller.correct("the prisoners were released")  # every word known: nothing to look up
    assert "_buckets" not in speller.__dict__
    assert speller.correct("the prisonners were released") == "the prisoners were released"
    assert "_buckets" in speller.__dict__


def test_name_variants_are_found_as_by_comparing_every_capitalised_word():
    """CorpusFacts.spelled_like_capitalised compares a word only with the capitalised words
    that can reach the ratio (by shared letters): the same answers as comparing with all."""
    import itertools
    import random

    from bot.answer import CorpusFacts
    from bot.support import _similar

    rng = random.Random(5)
    names = ["tikhanovsky", "tsikhanouski", "lukashenko", "zelenskyy", "kolesnikova", "babariko", "shraibman",
             "bialiatski", "kellogg", "coale", "minsk", "vilnius", "klaipeda", "svobodnaya", "zarikhin"]
    letters = "abcdefghijklmnopqrstuvwxyz"
    made = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 12))) for _ in range(400)]
    facts = CorpusFacts(0, {}, [], set(), frozenset(names + made))
    mutated = []
    for name in names:  # one or two letters changed, dropped or added
        for _ in range(6):
            w = list(name)
            for _ in range(rng.randint(1, 2)):
                k = rng.randrange(len(w))
                rng.choice([lambda: w.__setitem__(k, rng.choice(letters)), lambda: w.pop(k), lambda: w.insert(k, rng.choice(letters))])()
            mutated.append("".join(w))
    probes = mutated + names + made[:50] + ["zelensky", "tikhanyovski", "lukashenka", "xyz", "é" + "lan"]
    for word, ratio in itertools.product(probes, (0.75, 0.6, 0.9)):
        brute = any(c[:1] == word[:1] and _similar(word, c, ratio) for c in facts.capitalised)
        assert facts.spelled_like_capitalised(word, ratio) == brute, (word, ratio)
    assert facts.spelled_like_capitalised("zelensky", 0.75) and not facts.spelled_like_capitalised("zebra", 0.75)


def test_a_very_long_word_is_compared_without_overflowing_letter_counts():
    """A question of one 500-letter word counted its letters in 8 bits: a NumPy overflow
    warning on the user's terminal, and a wrong answer where the counts wrapped round."""
    import warnings

    from bot.answer import CorpusFacts

    facts = CorpusFacts(0, {}, [], set(), frozenset({"a" * 300, "ab" * 150, "lukashenko"}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert facts.spelled_like_capitalised("a" * 300, 0.75)  # the same word
        assert facts.spelled_like_capitalised("a" * 299 + "b", 0.75)
        assert not facts.spelled_like_capitalised("a" * 500, 0.9)
        assert not facts.spelled_like_capitalised("l" * 500, 0.75)


def test_name_variant_lookups_over_the_corpus_vocabulary_find_what_a_scan_finds():
    """`_similar` settles most pairs by the bounds of difflib's ratio before computing it, and a
    large word set (IndexedWords) is searched by first letter and length: the same answers as
    the plain ratio over every word."""
    import random
    from difflib import SequenceMatcher

    from bot.support import IndexedWords, _similar, name_in

    rng = random.Random(7)
    vocab = ["tikhanovsky", "tikhanyovski", "tsikhanouskiy", "kolesnikova", "kalesnikava", "zelensky",
             "zelenskyy", "coale", "cole", "kellogg", "lukashenko", "babariko", "babaryka", "minsk", "gdansk"]
    vocab += ["".join(rng.choice("abcdeiklmnorstuvyz") for _ in range(rng.randint(3, 13))) for _ in range(3000)]
    for a in vocab[:40]:
        for b in vocab:
            need = 0.75 if min(len(a), len(b)) >= 6 else 0.85
            plain = a == b or (min(len(a), len(b)) >= 4 and SequenceMatcher(None, a, b).ratio() >= need)
            assert _similar(a, b, 0.75) == plain, (a, b)
    indexed, words = IndexedWords(vocab), set(vocab)
    names = [("tsikhanovskiy",), ("kolesnikova",), ("kalesnikova",), ("vladimir", "zelenskiy"), ("john", "cole"),
             ("kelog",), ("macron",), ("emmanuel", "macron"), ("babarika",), ("gdańsk",), ("united", "states")]
    found = [name_in(n, indexed, 0.75) for n in names]
    assert found == [name_in(n, words, 0.75) for n in names]
    assert found[:5] == [True] * 5 and not found[6]  # variants found, an absent name is not


def test_a_names_variants_in_the_vocabulary_say_where_the_name_is():
    """support.name_variants finds once, in the corpus vocabulary, the words that make a name present,
    so an article is asked only whether it holds one of them: for any set of vocabulary words,
    `name_in` and "holds a variant" agree — initials ("U.S."), spelling variants, title words, and
    Washington for the United States included. IndexedWords.similar (the letter-count bound over a
    word shape at once) finds what comparing word by word finds."""
    import random

    from bot.support import IndexedWords, _shaped_like, _similar, name_in, name_variants

    rng = random.Random(11)
    vocab = ["tikhanovsky", "tikhanyovski", "tsikhanouskiy", "kolesnikova", "kalesnikava", "zelensky", "us",
             "united", "states", "stated", "washington", "coale", "cole", "kellogg", "lukashenko", "lukashenka",
             "president", "minsk", "un", "aaaa", "aaab"]
    vocab += ["".join(rng.choice("abcdeiklmnorstuvyz") for _ in range(rng.randint(2, 14))) for _ in range(4000)]
    indexed = IndexedWords(vocab)
    for t in vocab[:60] + ["tsikhanovskaya", "kelog", "macron", "aaa", "zz"]:
        for ratio in (0.75, 0.9):
            assert sorted(indexed.similar(t, ratio)) == sorted(w for w in _shaped_like(t, set(vocab)) if _similar(t, w, ratio)), t
    names = [("tsikhanovskiy",), ("kolesnikova",), ("washington",), ("united", "states"), ("president", "lukashenko"),
             ("john", "cole"), ("macron",), ("u", "n"), ("the", "kremlin"), ("aaaa",)]
    names += [(rng.choice(vocab), rng.choice(vocab)) for _ in range(20)] + [(rng.choice(vocab),) for _ in range(20)]
    words = sorted(indexed)
    present = 0
    for n in names:
        variants = name_variants(n, indexed, 0.75)
        assert variants <= indexed
        for _ in range(30):
            window = set(rng.sample(words, 200)) | set(rng.sample(sorted(variants), min(len(variants), rng.randint(0, 1))))
            assert name_in(n, window, 0.75) == (not variants.isdisjoint(window)), (n, variants & window)
            present += name_in(n, window, 0.75)
    assert 0 < present < 30 * len(names)  # both answers were checked
    assert {"tikhanovsky", "tikhanyovski", "tsikhanouskiy"} <= name_variants(("tsikhanovskiy",), indexed, 0.75)
    assert {"united", "states", "us"} <= name_variants(("washington",), indexed, 0.75)  # the country for its capital
    assert name_variants(("macron",), indexed, 0.75) == frozenset()


def test_initials_that_spell_a_common_word_do_not_make_a_person_present():
    """"United States" is there where "U.S." is, but Igor Shatov is not wherever "is" is, nor
    Artyom Shraibman wherever "as" is — a window without them failed no name check before."""
    from bot.support import IndexedWords, name_in, name_variants

    window = {"some", "worry", "that", "the", "purpose", "is", "not", "as", "before", "us"}
    assert name_in(("united", "states"), window, 0.75)
    assert not name_in(("igor", "shatov"), window, 0.75)
    assert not name_in(("artyom", "shraibman"), window, 0.75)
    assert name_in(("igor", "shatov"), window | {"shatov"}, 0.75)
    vocabulary = IndexedWords(sorted(window | {"shatov", "shraibman"}))
    assert name_variants(("igor", "shatov"), vocabulary, 0.75) == {"shatov"}
    assert name_variants(("united", "states"), vocabulary, 0.75) == {"us"}
