"""Quote and interview attribution (bot/speakers.py): whose words each sentence reports."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.speakers import Speakers, attribute
from bot.support import analyse


@dataclass
class S:  # the fields of a library Sentence that attribution reads
    text: str
    paragraph: int
    entities: tuple = ()


def article(*paragraphs):
    """Sentences from paragraphs given as (text, [PERSON names]) or lists of them."""
    out = []
    for p, para in enumerate(paragraphs):
        for text, people in para if isinstance(para, list) else [para]:
            out.append(S(text, p, tuple(("PERSON", n) for n in people)))
    return out


def test_interview_answers_belong_to_the_interviewee_until_another_is_introduced():
    sents = article(
        ("Lukashenko met the envoy.", ["Lukashenko"]),
        [("What is the real purpose?", []), ('To answer, "SP" interviewed Boris Shmelyev, a historian.', ["Boris Shmelyev"])],
        ("— Lukashenko first hopes to obtain economic aid.", ["Lukashenko"]),
        ("In this call, the presidents greeted each other warmly.", []),  # the answer goes on
        ('"SP": What can he offer in return?', []),
        ("— Belarus can offer potash.", []),
        ('To answer this, "SP" interviewed Vladimir Vasilyev.', ["Vladimir Vasilyev"]),
        ("— Any agreement includes two levels.", []),
    )
    assert attribute(sents) == [
        None, None, None, "Boris Shmelyev", "Boris Shmelyev", None, "Boris Shmelyev", None, "Vladimir Vasilyev",
    ]


def test_a_quote_is_its_attributed_speakers_and_goes_on_in_the_next_quote_paragraph():
    sents = article(
        ('"It won\'t succeed," said Igor Shatov, head of the committee.', ["Igor Shatov"]),
        ('"I am sure Trump won\'t miss this opportunity; he wants to test the relationship.', ["Trump"]),
        ("Siberian Newspaper: Why Kellogg?", ["Kellogg"]),
        ('"All of this relates to the second part of the negotiations."', []),  # the interviewee answers
        ("Analysts disagree.", []),  # in an interview an answer goes on over plain paragraphs
        [("What's next?", []), ("Some worry about the visit.", [])],  # until the author asks
    )
    assert attribute(sents) == ["Igor Shatov", "Igor Shatov", None, "Igor Shatov", "Igor Shatov", None, None]


def test_reporting_verb_subject_is_the_speaker_not_a_name_after_that():
    sents = article(
        ('Press Secretary Natalia Eisenmont stated that Lukashenko pardoned him, "for humanitarian reasons".',
         ["Natalia Eisenmont", "Lukashenko"]),
        ('“The structure must become more polyphonic,” Shraibman says. “Capital is not easy to pass on.”'.split(". ")[0] + ".", []),
        ("Lukashenko candidly told journalist Pavel Zarubin: \"It's time.\"", ["Lukashenko", "Pavel Zarubin"]),
    )
    # "Shraibman" counts as a person because the article tags him as one elsewhere
    sents.append(S("Political analyst Artyom Shraibman wrote about it.", 3, (("PERSON", "Artyom Shraibman"),)))
    assert attribute(sents)[:3] == ["Natalia Eisenmont", "Shraibman", "Lukashenko"]


def test_narration_without_an_interview_has_no_speaker():
    sents = article(
        ("Trump has appointed his former lawyer, John Coale, as special envoy.", ["Trump", "John Coale"]),
        ("Guest Commentators:", []),
        ("Author: Dmitriy Rodionov", ["Dmitriy Rodionov"]),
        ("Lukashenko released 123 prisoners.", ["Lukashenko"]),
    )
    assert attribute(sents) == [None, None, None, None]


def test_the_seed_interview_answer_counts_its_speaker_as_named(answerer):
    lib = answerer.library
    speakers = Speakers(lib)
    (j,) = [j for j in range(len(lib.sentences)) if lib.sentences[j].text.startswith("— Lukashenko first hopes")]
    assert speakers.words(j) == frozenset({"boris", "shmelyev"})
    (k,) = [k for k in range(len(lib.sentences)) if lib.sentences[k].text.startswith("Trump has appointed his former lawyer")]
    assert speakers.words(k) == frozenset()


def test_speakers_worked_out_at_ingest_are_those_of_attributing_each_article(answerer, tmp_path):
    """attribute_all (kept with the answerer's corpus facts, so no question attributes the
    articles it meets) gives every sentence the speaker that per-article attribution does, and
    the answerer serves from it."""
    from bot.answer import CorpusFacts
    from bot.speakers import attribute_all

    lib = answerer.library
    lazy, kept = Speakers(lib), Speakers(lib, attribute_all(lib))
    assert [kept.words(j) for j in range(len(lib.sentences))] == [lazy.words(j) for j in range(len(lib.sentences))]
    assert any(kept.words(j) for j in range(len(lib.sentences)))
    for source in lib.by_source:
        assert kept.in_article(source) == lazy.in_article(source)
    assert frozenset({"boris", "shmelyev"}) in kept.in_article(next(s for s in lib.by_source if s.startswith("002")))
    assert not kept._cache  # nothing attributed per article
    facts = CorpusFacts.load_or_build(lib, tmp_path)
    back = CorpusFacts.load_or_build(lib, tmp_path)  # read back from DATA_DIR/answerer
    assert back.speakers[0] == facts.speakers[0] and back.speakers[1].tolist() == facts.speakers[1].tolist()
    assert answerer._speakers._ids is not None


def test_what_an_interviewee_thinks_is_answered_from_his_answer(answerer):
    answer = answerer.ask("What does Igor Shatov say Trump wants to test?")
    assert not answer.refused
    assert "strength of the relationship" in answer.text


def test_a_speech_question_answered_by_the_speakers_own_words_is_not_refused(answerer):
    # "what does X say …" questions are often near misses (a quote nobody in the question said);
    # when the span is X's own words, that risk is gone
    answer = answerer.ask("What does Artyom Shraibman say the opposition's structure must become?")
    assert not answer.refused
    assert "polyphonic" in answer.text


@pytest.mark.parametrize(
    "question, sources",
    [
        ("What chance did Zarikhin give of Lukashenko meeting Zelenskyy?", [("zarikhin",)]),
        ("What does Boris Shmelyev think Lukashenko wants first from the United States?", [("boris", "shmelyev")]),
        ("What could Belarus offer in return, according to Boris Shmelyev?", [("boris", "shmelyev")]),
        ("How likely is a Lukashenko Zelenskyy meeting in Vasilyev's view?", [("vasilyev",)]),
        ("When was Tikhanovsky released?", []),
        ("Who did Lukashenko meet in Minsk?", []),
    ],
)
def test_the_question_knows_whose_view_it_asks_for(answerer, question, sources):
    q = analyse(question, answerer.nlp)
    assert [q.names[k] for k in q.sources] == sources


def test_one_experts_estimate_is_not_anothers_from_the_same_interview(answerer):
    # Vasilyev gives 50 %, Zarikhin 5 %, both in the Svoboda interviews of one article
    zarikhin = answerer.ask("What chance did Zarikhin give of Lukashenko meeting Zelenskyy?")
    assert not zarikhin.refused and "5%" in zarikhin.text and "50%" not in zarikhin.text
    vasilyev = answerer.ask("What chance did Vladimir Vasilyev give of Lukashenko meeting Zelenskyy?")
    assert not vasilyev.refused and "50%" in vasilyev.text


def test_a_speaker_sharing_a_first_name_is_another_person(answerer):
    from bot.support import same_person

    assert same_person(("vladimir", "zarikhin"), frozenset({"vladimir", "zarikhin"}), 0.75)
    assert same_person(("zarikhin",), frozenset({"vladimir", "zarikhin"}), 0.75)
    assert not same_person(("vladimir", "zarikhin"), frozenset({"vladimir", "vasilyev"}), 0.75)
    answer = answerer.ask("What chance does Vladimir Zarikhin give of Lukashenko meeting Zelenskyy?")
    assert not answer.refused and "5%" in answer.text and "50%" not in answer.text
