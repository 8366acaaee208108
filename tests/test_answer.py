"""The Answerer on the session index: answers with verbatim citations, refuses what the articles don't state."""

from __future__ import annotations

import json
import re

import pytest

import prompts
from bot.answer import Answerer, context_and_question, split_compound
from bot.support import words
from bot.verify import is_verbatim
from conftest import CORPUS, EVALS, MACRON_Q, SHMELYEV_Q, SHMELYEV_SOURCE

REFUSAL_PREFIX = prompts.load("refusal").split("{")[0]  # "I can't answer that from the articles I have: ..."
TOO_LONG_PREFIX = prompts.load("question_too_long").split("{")[0]

# A fixed mix from the public set: answerable and unanswerable, short and long answers.
MIXED_IDS = ["q002", "q005", "q010", "q020", "q029", "q050", "q064", "q068", "q083", "q088", "q094", "q102",
             "u001", "u011", "u031"]


def assert_citation_is_verbatim(answerer, c) -> None:
    article = answerer.library.articles[c.source]
    assert article.text[c.start : c.end] == c.quote
    assert is_verbatim(article.text, c.quote, c.start, c.end)
    assert (c.title, c.date, c.url) == (article.title, article.date, article.url)


def test_refusal_prompt_is_what_the_tests_expect():
    assert REFUSAL_PREFIX.startswith("I can't answer that")


def test_answers_shmelyev_with_a_verbatim_citation(answerer):
    answer = answerer.ask(SHMELYEV_Q)
    assert not answer.refused and answer.reason is None
    assert "Svobodnaya Pressa" in answer.text
    assert len(answer.citations) == 1
    (c,) = answer.citations
    assert c.source == SHMELYEV_SOURCE
    assert "Svobodnaya Pressa" in c.quote and "Boris Shmelyev" in c.quote
    assert_citation_is_verbatim(answerer, c)
    assert c.url == "https://www.toutiao.com/article/7561351465957212706/"
    assert c.title.startswith("Belarus proposes a deal to the United States")
    assert len(answer.text.split()) <= 40
    row = answer.to_dict()
    assert row["answer"] == answer.text and row["citations"][0]["start"] == c.start
    assert row["latency_ms"] > 0


def test_refuses_macron_with_the_refusal_prompt(answerer):
    answer = answerer.ask(MACRON_Q)
    assert answer.refused
    assert answer.citations == ()
    assert answer.reason in ("unsupported", "no_evidence")
    assert answer.text.startswith(REFUSAL_PREFIX)
    assert answer.text.startswith("I can't answer that")
    assert "5 articles" in answer.text  # the refusal says what the articles do cover
    assert "Macron" not in answer.text
    assert "nearest" not in answer.text  # five articles are all listed by title
    # only one of the five gives a date: the refusal does not date them all by it
    assert "5 articles (1 of them dated 2025-12-23)" in answer.text, answer.text


OFF_TOPIC = {
    "900_bakery.txt": "A new bakery opens in Tartu's old town\n\nThe bakery on Raekoja square opened on Monday with "
    "rye bread baked in wood-fired ovens brought from Finland. Its owner, Kadri Tamm, said the queue reached the "
    "corner of the square before nine in the morning.\n",
    "901_football.txt": "Riga side wins the Baltic cup final on penalties\n\nThe final in Kaunas ended goalless after "
    "extra time. The Riga goalkeeper saved two penalties, and the cup returns to Latvia for the first time in a "
    "decade.\n",
    "902_weather.txt": "Early snow closes mountain passes in Georgia\n\nHeavy snow fell overnight in the Caucasus, and "
    "the road through the Jvari pass was closed to lorries. Forecasters expect the snow to melt by the weekend.\n",
}


def answerer_over_seed_and(extra: dict[str, str], tmp_path, make_settings, embed):
    """A fresh index of the seed corpus plus the `extra` articles (file name -> text), and its Answerer."""
    import shutil

    from bot import services
    from index.ingest import ingest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in CORPUS.glob("*.txt"):
        shutil.copy(p, corpus)
    for name, text in extra.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    ingest(corpus, services.store(settings), embed, settings.data_dir)
    return services.answerer(settings)


def test_a_refusal_over_a_larger_corpus_names_the_articles_nearest_the_question(tmp_path, make_settings, embed):
    """Over more articles than a refusal can list, it says how many there are and which come
    nearest the question (and that they do not state it), instead of five arbitrary titles."""
    answerer = answerer_over_seed_and(OFF_TOPIC, tmp_path, make_settings, embed)
    off_topic_titles = [t.split("\n")[0] for t in OFF_TOPIC.values()]

    answer = answerer.ask(MACRON_Q)
    assert answer.refused and answer.text.startswith(REFUSAL_PREFIX)
    assert "They cover 8 articles" in answer.text and "nearest to your question" in answer.text
    nearest = re.findall(r"“([^”]+)”", answer.text.split("nearest to your question", 1)[1])
    seed_titles = {answerer.library.articles[p.name].title for p in CORPUS.glob("*.txt")}
    assert 1 <= len(nearest) <= 3 and len(set(nearest)) == len(nearest)
    assert set(nearest) <= seed_titles  # the prisoner-release articles, not the bakery or the snow

    bakery = answerer.ask("How much did the new bakery in Tartu pay for its wood-fired ovens?")
    assert bakery.refused and "“A new bakery opens in Tartu's old town”" in bakery.text
    assert not any(t in answer.text for t in off_topic_titles)
    # a greeting says how many articles there are, not a handful of their titles
    assert "8 articles" in answerer.ask("hello").text


@pytest.mark.parametrize("question", ["", "   ", " \t\n ", "\x00\x01\x02", "???", "…", "👍"])
def test_empty_questions_are_refused_politely(answerer, question):
    answer = answerer.ask(question)
    assert answer.refused and answer.reason == "empty_question"
    assert answer.text == prompts.render("empty_question")
    assert answer.citations == ()


def test_too_long_question_is_refused(answerer):
    question = ("Why did Lukashenko release prisoners " * 200)[:5000]
    assert len(question) == 5000
    answer = answerer.ask(question)
    assert answer.refused and answer.reason == "too_long"
    assert answer.text.startswith(TOO_LONG_PREFIX)
    assert str(answerer.settings.max_question_chars) in answer.text
    assert answer.citations == ()


def test_question_just_under_the_limit_is_not_too_long(answerer):
    limit = answerer.settings.max_question_chars
    question = ("Which outlet interviewed Boris Shmelyev? " * 100)[: limit - 1]
    assert answerer.ask(question).reason != "too_long"


@pytest.mark.parametrize(
    "question",
    [
        "Who\x00 was released\x07 in December?",
        "Which outlet\x1b[31m interviewed Boris Shmelyev?",
        "Who was \ud800 released? <b>&amp;</b> {topics} %s",
        "\x7fHow many political prisoners\x0b were released on December 13?",
    ],
)
def test_control_characters_do_not_crash(answerer, question):
    answer = answerer.ask(question)
    assert answer.text
    assert answer.question == question
    for c in answer.citations:
        assert_citation_is_verbatim(answerer, c)
    json.dumps(answer.to_dict())  # still serialisable (--json, eval)


def test_control_characters_are_ignored_not_fatal(answerer):
    answer = answerer.ask("Which outlet\x00 interviewed\x07 Boris Shmelyev?")
    assert not answer.refused and "Svobodnaya Pressa" in answer.text


@pytest.mark.parametrize("question", [
    "Which outlet interviewed Boris Shmelyev?\x1b[0m",  # a terminal colour code pasted along
    "\x1b[1;31mWhich outlet interviewed\x1b[0m Boris Shmelyev?",
    "Which outlet interviewed Bo\u00adris Shme\u200blyev?",  # soft hyphen, zero-width space inside words
    "\u202eWhich outlet interviewed Boris Shmelyev?\u202c",  # a right-to-left override
    "\x1bcWhich outlet interviewed Boris Shmelyev?\x1b7",  # ESC c (reset), ESC 7: once left a stray "c", "7"
])
def test_escape_sequences_and_invisible_characters_are_removed(answerer, question):
    """They are not words: left in, "Shmelyev?\x1b[0m" was no name the articles know and the
    question was refused; a bidirectional control would be echoed back in a refusal."""
    from bot.answer import clean_question

    assert clean_question(question) == "Which outlet interviewed Boris Shmelyev?"
    answer = answerer.ask(question)
    assert not answer.refused and "Svobodnaya Pressa" in answer.text


@pytest.fixture(scope="module")
def mixed_answers(answerer):
    rows = {r["id"]: r for r in map(json.loads, (EVALS / "questions.jsonl").read_text(encoding="utf-8").splitlines())}
    return [(rows[i], answerer.ask(rows[i]["question"])) for i in MIXED_IDS]


def test_mixed_questions_cite_verbatim_and_answer_briefly(answerer, mixed_answers):
    answered = 0
    for row, answer in mixed_answers:
        if answer.refused:
            assert answer.citations == (), row["id"]
            continue
        answered += 1
        assert answer.citations, row["id"]
        for c in answer.citations:
            assert answerer.library.articles[c.source].text[c.start : c.end] == c.quote, row["id"]
            assert len(c.quote) <= answerer.settings.max_quote_chars, row["id"]
        assert len(answer.text.split()) <= 40, (row["id"], answer.text)
    assert answered >= 8  # the set is mostly answerable: a mass refusal would pass the loop vacuously


def test_mixed_questions_cite_the_evidence_article(mixed_answers):
    for row, answer in mixed_answers:
        if answer.refused or not row.get("evidence"):
            continue
        docs = {ev["doc"] for ev in row["evidence"]}
        assert answer.citations[0].source[:3] in docs, (row["id"], answer.citations[0].source)


@pytest.mark.parametrize(
    "question,expected,source",
    [
        ("How many political prisoners did Lukashenko release on December 13?", "123", None),
        ("What was Tikhanyovski sentenced to?", "18 years", "000_979f3109055ecc6f.txt"),
        ("To which pro-Trump outlet did Lukashenko give an interview?", "Newsmax", "004_a24a6e3f3a2234d6.txt"),
        # the name the article writes longer than the question ("Artyom Shraibman", tagged an organisation)
        ("What is the first name of the analyst Shraibman?", "Artyom", "004_a24a6e3f3a2234d6.txt"),
        # no name given: any person's ("Trump's" is a possessor, not the one asked about)
        ("What is the first name of Trump's special envoy for Belarus?", "John Coale", None),
    ],
)
def test_plain_questions_are_answered(answerer, question, expected, source):
    answer = answerer.ask(question)
    assert not answer.refused, answer.support
    assert expected in answer.text
    if source:
        assert answer.citations[0].source == source


@pytest.mark.parametrize(
    "question",
    [
        MACRON_Q,
        "How many years was Babaryka sentenced to?",
        "Who won the 2022 FIFA World Cup final?",
        # a count of years: a year ("He cannot forget 2020") is no answer
        "How many years has Lukashenka been in power?",
        # a first name: the article names him "Tsikenovich" only
        "What is the first name of Tsikenovich, the American released before Tikhanyovski?",
    ],
)
def test_near_misses_are_refused(answerer, question):
    answer = answerer.ask(question)
    assert answer.refused, (answer.text, answer.support)
    assert answer.citations == ()
    assert answer.text.startswith(REFUSAL_PREFIX)


def test_answers_are_deterministic(answerer):
    a, b = answerer.ask(SHMELYEV_Q), answerer.ask(SHMELYEV_Q)
    assert (a.text, a.citations) == (b.text, b.citations)


def test_long_answer_is_trimmed_at_a_boundary_within_the_word_limit(answerer):
    # The evidence sentence holds non-breaking spaces and is over 300 characters long.
    answer = answerer.ask("What approach does Lukashenko use with senior partners such as Putin and Trump, according to Shraibman?")
    assert not answer.refused
    (c,) = answer.citations
    assert len(answer.text.split()) <= answerer.settings.max_answer_words
    assert len(c.quote) <= answerer.settings.max_quote_chars
    assert_citation_is_verbatim(answerer, c)
    assert not c.quote[-1].isalnum() or c.end == len(answerer.library.articles[c.source].text) or not answerer.library.articles[c.source].text[c.end].isalnum()


def test_trimmed_answer_keeps_the_sentence_that_answers(answerer):
    # The chosen span is two sentences, 61 words; the question's names and terms are all in
    # the second one, which holds the answer. The cut falls at the sentence start even though
    # the first sentence ends in a closing quote ('…the whole Ukraine."').
    answer = answerer.ask("If Kyiv keeps confronting Russia, what will Moscow do according to Lukashenko?")
    assert not answer.refused
    assert answer.text.startswith("Lukashenko pointed out")
    assert "resume the offensive pace" in answer.text
    assert len(answer.text.split()) <= answerer.settings.max_answer_words


def test_trimmed_answer_keeps_the_entity_asked_for_and_whole_sentences(answerer):
    # "which two … leaders": the answer must keep the two names, not the clause that only
    # repeats the question ('calling for dialogue with Minsk …').
    answer = answerer.ask("Which two freed opposition leaders have called for dialogue with Minsk and a rethink of European sanctions?")
    assert not answer.refused
    assert answer.text.startswith("Babariko and Kolesnikova")
    assert answer.text.rstrip()[-1] in '.!?"”'


def test_excerpt_may_be_longer_than_the_answer_and_contains_it(answerer):
    for question in (
        "If Kyiv keeps confronting Russia, what will Moscow do according to Lukashenko?",
        "Which two freed opposition leaders have called for dialogue with Minsk and a rethink of European sanctions?",
    ):
        answer = answerer.ask(question)
        (c,) = answer.citations
        assert answer.text in c.quote
        assert len(c.quote) <= answerer.settings.max_quote_chars
        assert_citation_is_verbatim(answerer, c)


@pytest.mark.parametrize(
    "question, parts",
    [
        ("How long was X's sentence, and how many were released with him?", ["How long was X's sentence?", "How many were released with him?"]),
        ("Which airline had sanctions lifted and which industry was relieved?", ["Which airline had sanctions lifted?", "Which industry was relieved?"]),
        ("Did the talks happen, and what did they agree on?", ["Did the talks happen?", "What did they agree on?"]),
        # "and if so" before the second question, a preposition before its question word
        ("Did Bialiatski win a Nobel prize, and if so in which year?", ["Did Bialiatski win a Nobel prize?", "In which year?"]),
        ("Did Trump call Lukashenko, and if so, when?", ["Did Trump call Lukashenko?", "When?"]),
        # a question word alone asks the first question's reason, time or place
        ("Which of the prisoners was Trump personally interested in, and why?",
         ["Which of the prisoners was Trump personally interested in?", "Why?"]),
        # two names asked about one by one
        ("How likely did Vasilyev and Zarikhin each think a meeting was?",
         ["How likely did Vasilyev think a meeting was?", "How likely did Zarikhin think a meeting was?"]),
        ("How long were Babariko and Maria Kolesnikova each sentenced to?",
         ["How long was Babariko sentenced to?", "How long was Maria Kolesnikova sentenced to?"]),
        # two words are a question when they ask who or what someone is, apostrophe or not
        ("whos coale and when did trump make him envoy", ["whos coale?", "When did trump make him envoy"]),
        ("What's Belavia and why was it sanctioned?", ["What's Belavia?", "Why was it sanctioned?"]),
        # a setting before the question word, up to a comma, is the setting of both
        ("According to Vasilyev, which market does Lukashenko want to swap out, and what is Trump trying to weaken?",
         ["According to Vasilyev, which market does Lukashenko want to swap out?", "According to Vasilyev, what is Trump trying to weaken?"]),
        ("Before Poland shut the border, how much rail freight crossed it, and what is the transit worth each year?",
         ["Before Poland shut the border, how much rail freight crossed it?", "Before Poland shut the border, what is the transit worth each year?"]),
        ("In Shmelyev's opinion, what could Belarus offer, and what would Minsk hope to get?",
         ["In Shmelyev's opinion, what could Belarus offer?", "In Shmelyev's opinion, what would Minsk hope to get?"]),
    ],
)
def test_two_questions_in_one_are_split(question, parts):
    from bot.answer import split_compound

    assert split_compound(question) == parts


@pytest.mark.parametrize(
    "question",
    [
        "How and why did Lukashenko release the prisoners?",
        "Who met whom and where?",
        "What did Lukashenko and Kellogg discuss?",
        "Sanctions on potash and what else?",  # the first part is not a question
        "Why did the US lift sanctions and what for",  # "what for" is not a question of its own
        "Who met Kellogg, and when?",  # too short a first question to be one of two
        "whos in charge and why",
        "What did each of them say?",
        "Babariko and Kolesnikova each called for what?",  # not a question's start
        "According to Vasilyev, which city links Moscow and Kyiv, and why?",  # the setting, then "…, and why?"
        "In 2024, what did Trump say, and in which year did Kellogg visit?",  # the second opens with its own setting
        "In which month was Coale appointed, according to the article?",
    ],
)
def test_single_questions_are_not_split(question):
    from bot.answer import split_compound

    assert split_compound(question) == [question]


@pytest.mark.parametrize(
    "question, topic",
    [
        ("Tell me about potash", "potash"),
        ("can you tell me more about Tikhanovsky?", "Tikhanovsky"),
        ("What do the articles say about the prisoner release?", "the prisoner release"),
        ("Any news on Belavia?", "Belavia"),
        ("Summarise the potash dispute", "the potash dispute"),
        ("Tikhanovsky", "Tikhanovsky"),
        ("potash?", "potash"),
        ("What about Lithuania?", "Lithuania"),  # not a follow-up here: no conversation before it
        ("What are the articles saying about Coale?", "Coale"),
    ],
)
def test_requests_for_what_the_articles_say_about_a_topic_are_recognised(question, topic):
    from bot.answer import overview_topic

    assert overview_topic(question) == topic


@pytest.mark.parametrize(
    "question",
    [
        "Who is Kellogg?",
        "Tell me how Lukashenko met Kellogg",  # a question after all
        "Explain how photosynthesis works.",
        "What about him?",  # a follow-up that names nothing
        "And Zarikhin?",
        "Why?",
        "hello",
        "Kellogg met Lukashenko in Minsk",
        "Tell me about the reasons Lukashenko gave for releasing the prisoners in December this year",  # too long for a topic
        "At whose request?",  # a follow-up
        "Tell me about his release",
    ],
)
def test_questions_are_not_taken_for_topics(question):
    from bot.answer import overview_topic

    assert overview_topic(question) is None


def test_a_topic_gets_excerpts_from_several_articles_that_all_name_it(answerer):
    answer = answerer.ask("Tell me about potash")
    assert not answer.refused and answer.support["overview"] == "potash"
    assert 2 <= len(answer.citations) <= 3
    assert len({c.source for c in answer.citations}) >= 2  # other articles before a second excerpt of one
    for c in answer.citations:
        assert_citation_is_verbatim(answerer, c)
        assert "potash" in c.quote.lower()
    assert answer.citations[0].quote.startswith(answer.text.strip()[:40]) or answer.text in answer.citations[0].quote
    assert len(answer.text.split()) <= 40


def test_a_name_alone_is_a_topic_not_a_question_to_refuse(answerer):
    answer = answerer.ask("Tikhanovsky")
    assert not answer.refused
    for c in answer.citations:
        assert_citation_is_verbatim(answerer, c)
        assert any(w.startswith(("tikhanovsk", "tikhanyovsk", "tsikhanousk")) for w in words(c.quote))


def test_a_person_as_a_topic_leads_with_who_they_are(answerer):
    # "Coale" alone is tagged a common noun: as a topic it is still a name, and of the sentences
    # naming him the one that says who he is comes first
    answer = answerer.ask("Tell me about Coale")
    assert not answer.refused and answer.text.startswith("Trump has appointed his former lawyer, John Coale, as special envoy")
    assert all("Coale" in c.quote or "Cole" in c.quote for c in answer.citations)


def test_a_topic_the_articles_never_mention_is_refused_saying_so(answerer):
    answer = answerer.ask("Tell me about the FIFA World Cup")
    assert answer.refused and answer.reason == "unsupported" and not answer.citations
    assert "“the FIFA World Cup”" in answer.text


@pytest.mark.parametrize(
    "message, reply",
    [("hello", "greeting"), ("Hi there!", "greeting"), ("Who are you?", "greeting"), ("👋 hey", "greeting"),
     ("Thanks!", "thanks"), ("ok, thank you very much", "thanks"), ("bye", "thanks"),
     ("What are the articles about?", "corpus"), ("which articles do you have", "corpus"), ("What do you know?", "corpus"),
     # a greeting before small talk: the articles' "Hey, good guy, how are you!" is no answer to it
     ("hi how are you", "greeting"), ("Hello, how are you?", "greeting"), ("hey thanks", "thanks"),
     ("hey, what are the articles about?", "corpus"), ("what's up", "greeting"), ("lol ok", "thanks"),
     ("can you summarize the articles", "corpus"), ("give me a summary of the news please", "corpus")],
)
def test_greetings_and_thanks_get_a_reply_not_a_refusal(answerer, message, reply):
    answer = answerer.ask(message)
    assert answer.refused and answer.reason == "small_talk" and not answer.citations
    assert answer.text == prompts.render(reply, topics=answerer._topics)
    assert not answer.text.startswith(REFUSAL_PREFIX)


@pytest.mark.parametrize(
    "question",
    ["Hello, who interviewed Boris Shmelyev?", "Is Lukashenko good?", "thanks for nothing", "hey, who met Kellogg in Minsk?",
     "summarize the article about Kellogg", "what's up with the potash sanctions",
     "What do you know about Kellogg?", "What sources does Shraibman cite?"],  # a topic, a question
)
def test_a_question_that_starts_like_small_talk_is_still_a_question(question):
    from bot.answer import small_talk

    assert small_talk(question) is None


def test_two_questions_in_one_get_both_answers_with_their_citations(answerer):
    answer = answerer.ask("How long was Tikhanovsky's prison sentence, and how many prisoners were released together with him this summer?")
    assert not answer.refused
    assert "18 years" in answer.text and "16" in answer.text
    assert len(answer.citations) == 2
    for c in answer.citations:
        assert_citation_is_verbatim(answerer, c)
    # the second part was read with the first one's subject in place of "him"
    assert "Tikhanovsky" in answer.support["parts"][1]["question"]


def test_two_questions_answered_by_one_passage_show_it_once(answerer):
    # the second part's answer (the quote and who said it) holds the first's (who Shemov is)
    answer = answerer.ask("Who is Vsevolod Shemov and what does he hope the U.S. delegation's visit to Minsk is part of?")
    assert not answer.refused and "normalizing" in answer.text
    assert answer.text.count("Vsevolod Shemov, advisor to the Chairman") == 1
    assert len(answer.citations) == 1
    assert_citation_is_verbatim(answerer, answer.citations[0])


def test_a_part_the_articles_do_not_support_is_named_not_guessed(answerer):
    answer = answerer.ask("How long was Tikhanovsky's prison sentence, and what did Macron say about the prisoner release?")
    assert not answer.refused
    assert "18 years" in answer.text
    assert prompts.render("part_unsupported", question="What did Macron say about the prisoner release?") in answer.text
    assert all("Macron" not in c.quote for c in answer.citations)


def test_a_part_the_other_parts_excerpt_answers_is_not_said_unanswered(answerer):
    """holdout19 h19-033: "When was John Coale made special envoy to Belarus, and what was his
    earlier connection to Trump?" showed "Trump has appointed his former lawyer, John Coale, …" and
    then "(The articles don't say: “What was his earlier connection to Trump?”)" — the excerpt
    says it. The reader reads the refused part in the other's excerpt first."""
    answer = answerer.ask("When was John Coale made special envoy to Belarus, and what was his earlier connection to Trump?")
    assert not answer.refused and "former lawyer" in answer.text and "don't say" not in answer.text, answer.text
    assert [p.get("in_other_excerpt", False) for p in answer.support["parts"]] == [False, True]
    # two parts asked with one setting: the second read without it ("that person" is in the excerpt)
    answer = answerer.ask("According to bne IntelliNews, whom did Trump appoint as special envoy to Belarus in November, "
                          "and what had that person previously been to Trump?")
    assert not answer.refused and "former lawyer" in answer.text and "don't say" not in answer.text, answer.text
    # the second part unanswered alone ("According to Vasilyev, which as a 'carrot'?"): the whole
    # asked as one, its excerpt answering both (holdout26 h26-018)
    answer = answerer.ask('According to Vasilyev, which countries is the United States using as "sticks" against Russia, '
                          'and which as a "carrot"?')
    assert "parts" not in answer.support and '"carrots."' in answer.text and "don't say" not in answer.text, answer.text
    # a part with a name the excerpt does not give is still said to be unanswered (a near miss)
    answer = answerer.ask("When was John Coale made special envoy to Belarus, and what did he previously do for Putin?")
    assert "November" in answer.text
    assert prompts.render("part_unsupported", question="What did he previously do for Putin?") in answer.text


def test_two_unsupported_questions_in_one_are_refused(answerer):
    answer = answerer.ask("What did Macron say about the prisoner release, and what did Merkel say about it?")
    assert answer.refused and not answer.citations
    assert answer.text.startswith(REFUSAL_PREFIX)


def test_a_question_typed_in_lower_case_finds_its_names(answerer):
    # the corpus writes these words capitalised; spelling variants of a name count too
    assert answerer.truecase("what was tsikhanouskiy sentenced to") == "what was Tsikhanouskiy sentenced to"
    assert answerer.truecase("would a meeting help zelensky") == "would a meeting help Zelensky"  # corpus: Zelenskyy
    assert answerer.truecase("what goods could belarus sell to the us") == "what goods could Belarus sell to the us"
    # a question with any capital letter is taken as typed
    assert answerer.truecase("What was tsikhanouskiy sentenced to") == "What was tsikhanouskiy sentenced to"
    # … but not an acronym typed in capitals in a lower-case question
    assert answerer.truecase("what does shatov think the US may offer minsk?") == "what does Shatov think the US may offer Minsk?"
    answer = answerer.ask("what was tsikhanouskiy sentenced to")
    assert not answer.refused and "18 years" in answer.text
    # a first name spelled unlike the articles' ("Artyom"), no English word, before a name: part of it
    assert answerer.truecase("what does artem shraibman say") == "what does Artem Shraibman say"
    assert answerer.truecase("what did the envoy say") == "what did the envoy say"
    # an acronym the articles write in capitals is restored as one ("Eu" is no name to the
    # question analysis); "us" is mostly the pronoun in them, so it stays
    assert answerer.truecase("how could us companies help belarus get around the eu sanctions") == (
        "how could us companies help Belarus get around the EU sanctions"
    )
    # answered before from "unless the European Union lifts sanctions …", the wrong sentence
    answer = answerer.ask("how could us companies help belarus get around the remaining eu sanctions")
    assert not answer.refused and "US companies buy Belarusian potash" in answer.text


def test_a_question_typed_in_capitals_is_read_in_lower_case_with_its_names_restored(answerer):
    # in capitals every word looked like a name: the public set so typed answered 0.679 (0.893 now)
    assert answerer._unshouted("WHICH INSTITUTE EMPLOYS VLADIMIR VASILYEV?") == "which institute employs vladimir vasilyev?"
    for typed in ("Which EU body?", "EU?", "what about the US"):
        assert answerer._unshouted(typed) == typed
    answer = answerer.ask("WHICH INSTITUTE EMPLOYS VLADIMIR VASILYEV AS A RESEARCHER?")  # refused before
    assert not answer.refused and "Institute for the United States and Canada" in answer.text


def test_acronyms_are_words_the_articles_write_in_capitals_nearly_every_time():
    from bot.answer import capitalised_words

    texts = ["The EU and NATO met. The EU said so. Tell us how the US did it, and us too, and us again."]
    capitalised, acronyms = capitalised_words(texts)
    assert {"eu", "nato"} <= acronyms and "us" not in acronyms and "the" not in acronyms


def _capitalised_by_match(texts):
    """capitalised_words as first written, one match at a time: the definition it must keep."""
    from bot.answer import _ACRONYM_RE, _TRUECASE_RE

    upper, lower, caps, other = {}, {}, {}, {}
    for text in texts:
        for m in _TRUECASE_RE.finditer(text):
            w = m.group(1)
            if m.start(1) == 0 or text[max(0, m.start(1) - 2) : m.start(1)].strip()[-1:] in (".", "!", "?", "\n", '"', "“", "—", ""):
                continue
            counts = upper if w[0].isupper() else lower
            counts[w.lower()] = counts.get(w.lower(), 0) + 1
        for m in _ACRONYM_RE.finditer(text):
            w = m.group(1)
            counts = caps if w.isupper() else other
            counts[w.lower()] = counts.get(w.lower(), 0) + 1
    return (frozenset(w for w, n in upper.items() if n >= 9 * lower.get(w, 0)),
            frozenset(w for w, n in caps.items() if n >= 9 * other.get(w, 0)))


def test_capitalised_words_counted_by_the_regex_engine_are_those_counted_match_by_match():
    from bot.answer import capitalised_words
    from index.corpus import read_article

    seed = [read_article(p).text for p in sorted(CORPUS.glob("*.txt"))]
    edges = [
        "Minsk said so. Minsk agreed! \u201cMinsk\u201d \u2014Minsk \"Minsk\" x Minsk, yes Minsk.",
        "Minsk", " Minsk", "aMinsk", "(Minsk) [Vilnius]\u00a0Riga \u2003Kyiv\nWarsaw \t Oslo", "?  Paris .Rome", "",
    ]
    for texts in (seed, edges, seed + edges, [t.lower() for t in seed], [t.upper() for t in seed]):
        assert capitalised_words(texts) == _capitalised_by_match(texts)
    assert len(capitalised_words(seed)[0]) > 100


@pytest.mark.parametrize(
    "line, fragment",
    [("Author: Dmitriy Rodionov", True), ("Guest Commentators:", True), ("• Igor Shatov", True),
     ('"My friend!"', False), ("We are ready.", False), ("What's next?", False),
     ("Lukashenko met Kellogg in Minsk on Thursday afternoon", False)],
)
def test_bylines_and_list_items_are_fragments(line, fragment):
    from bot.answer import _is_fragment

    assert _is_fragment(line) is fragment


def test_a_byline_is_never_part_of_an_answer(answerer):
    # the byline "Author: Dmitriy Rodionov" sits right before the sentence this question retrieves
    answer = answerer.ask("Which Ukrainian leader does Lukashenko want to meet?")
    assert "Author:" not in answer.text and all("Author:" not in c.quote for c in answer.citations)


def test_a_derivation_of_a_question_word_counts_as_present():
    from bot.support import Question, Vocabulary, term_coverage

    q = Question("Whom does he advise?", "who", frozenset(), [], [], ["advise"], None)
    vocab = Vocabulary([])
    assert term_coverage(q, {"advisor"}, {"advisor"}, vocab) == (1.0, [])  # "advis" ~ "advisor"
    assert term_coverage(q, {"adventure"}, {"adventure"}, vocab) == (0.0, ["advise"])  # "adven" is not


@pytest.mark.parametrize("term, text, found", [
    ("decide", "decision", True), ("decision", "decided", True), ("conclude", "conclusion", True),
    ("permission", "permitted", True), ("describe", "description", True), ("receive", "reception", True),
    ("decide", "deceive", False), ("permit", "perish", False), ("decision", "decimal", False),
])
def test_a_latin_verb_and_its_noun_count_as_one_word(term, text, found):
    # Snowball keeps "decid" and "decis" apart; the pairs of endings in STEM_ALTERNATIONS join them
    from bot.support import Question, Vocabulary, term_coverage

    q = Question(f"Who would {term}?", "who", frozenset(), [], [], [term], None)
    assert term_coverage(q, {text}, {text}, Vocabulary([]))[1] == ([] if found else [term])


def test_coverage_of_a_span_is_combined_from_its_sentences_credits():
    # the Answerer scores each sentence once and combines; it must equal scoring the union
    from bot.support import Question, Vocabulary, coverage, term_coverage, term_credits, term_weights

    q = Question("Where were the videos posted?", "where", frozenset(), [], [], ["video", "post", "delegation"], None,
                 focus_terms={"post"})
    vocab = Vocabulary([])
    soft = lambda term, lemmas: 0.7 if term == "video" and "footage" in lemmas else 0.0  # noqa: E731
    a, b = ({"footage", "publish"}, {"footage", "published"}), ({"delegate"}, {"delegated", "posts"})
    whole = term_coverage(q, a[0] | b[0], a[1] | b[1], vocab, soft)
    combined = coverage(q, [term_credits(q, *a, soft), term_credits(q, *b, soft)], term_weights(q, vocab))
    assert combined == whole
    assert whole[1] == []  # video ~ footage (partial credit >= 0.5), post, delegation ~ delegated
    assert coverage(q, [term_credits(q, *a, soft)], term_weights(q, vocab))[1] == ["post", "delegation"]


def test_a_speaker_named_a_few_sentences_earlier_is_near_the_answer(answerer):
    # "Vsevolod Shemov, advisor to …, stated." then his quote runs on for several sentences
    _q, cands = answerer.explain("What does Shemov think about dialogue with Minsk and Russia?")
    later = [c for c in cands if c.features["names_near"] > c.features["names_window"]]
    assert later, "a sentence of Shemov's quote beyond its window should still count him as near"
    for c in later:
        source, text = answerer.span_text(c.focus)
        assert "Shemov" not in text


@pytest.mark.parametrize(
    "question, wh, label",
    [("What prison term had Ales Bialiatski been serving?", "how_long", "DATE"),
     ("What sentence did Tikhanovsky get?", "how_long", "DATE"),
     ("What dollar amount of investment has the US pledged to Belarus?", "what", "MONEY")],
)
def test_a_head_noun_asking_for_a_duration_or_an_amount_sets_the_answer_type(answerer, question, wh, label):
    from bot.support import analyse

    q = analyse(question, answerer.nlp)
    assert q.wh == wh and label in q.expected and q.hard_type


def test_a_prison_term_question_without_a_duration_in_the_articles_is_refused(answerer):
    # the articles name Bialiatski's Nobel prize (2022), never his sentence: a year is not a term
    assert answerer.ask("What prison term had Ales Bialiatski been serving before his release?").refused
    assert not answerer.ask("What prison term had Tikhanovsky been given?").refused



@pytest.mark.parametrize(
    "question, verb, gone",
    [
        ("How soon could the remaining prisoners be let go?", "release", {"let", "go"}),
        ("Which Ukrainian president is Lukashenko hoping to sit down with?", "meet", {"sit", "down"}),
        ("What weapons has Washington threatened to hand over to Kyiv?", "give", {"hand", "over"}),
        ("For what offence had Tikhanovsky been put behind bars?", "imprison", {"put", "bar"}),
        ("Were the prisoners set free?", "release", {"set", "free"}),
        ("Why did Belarus let Tsikhanouski go?", "release", {"let", "go"}),  # the particle after the object
        ("What stops Belarus cashing in on the lifted sanctions?", "benefit", {"cash"}),  # not the "cash cow"
        ("What is holding Belarus back from selling potash?", "prevent", {"hold", "back"}),
    ],
)
def test_a_phrasal_verb_is_read_as_its_one_word_verb(answerer, question, verb, gone):
    from bot.support import analyse

    terms = analyse(question, answerer.nlp).terms
    assert verb in terms and not gone & set(terms), terms


def test_what_someone_kept_repeating_is_their_catchphrase(answerer):
    """holdout52 h52-050, holdout9 h9-011 (and four more sets): "what did Lukashenko keep
    repeating after the call" was refused or answered with another sentence; the article says
    "Lukashenko had a catchphrase: "Trump promised to visit (Belarus).""; a question about when
    the promised visit is stays refused."""
    answer = answerer.ask("What did Lukashenka keep repeating after his phone call with Trump?")
    assert not answer.refused and "catchphrase" in answer.text
    assert answerer.ask('After that phone call Lukashenko kept repeating "Trump promised to visit." When is Trump scheduled to visit?').refused


def test_held_back_in_a_year_is_no_holding_back(answerer):
    from bot.support import analyse

    assert "prevent" not in analyse("What did Lukashenko hold back in 2020?", answerer.nlp).terms


def test_cashing_in_is_benefiting_not_a_cash_cow(answerer):
    """holdout14 h14-074, holdout57 h57-072: "cashing in" was the word "cash", which found "its
    biggest cash cow"; the article says "the main obstacle preventing Lukashenko from fully
    benefiting from the lifting of the potash sanctions is the lack of maritime logistics"."""
    for question in ("whats stopping belarus from really cashing in on the potash sanctions being lifted",
                     "What's the main thing holding Belarus back from cashing in on the potash relief?"):
        answer = answerer.ask(question)
        assert not answer.refused and "maritime logistics" in answer.text, question


def test_a_question_word_a_preposition_embeds_is_not_the_question_word(answerer):
    """holdout5 h5a10: "In the discussion of how dependent Lukashenko is on Moscow, what …" was
    read as a "how" question; "On what date …" still asks what."""
    from bot.support import analyse

    assert analyse("In the discussion of how dependent Lukashenko is on Moscow, what is Russia said to give Belarus?", answerer.nlp).wh == "what"
    assert analyse("On what date was Tikhanovsky released?", answerer.nlp).wh == "what"
    assert analyse("Of what crime was Bialiatski convicted, and when was he released?", answerer.nlp).wh == "what"
    assert analyse("How dependent is Lukashenko on Moscow?", answerer.nlp).wh == "how"


def test_a_first_name_is_found_in_a_longer_name_of_the_one_asked_about(answerer):
    from bot.support import _extends_asked_name, analyse

    q = analyse("What is Lukashenko's first name?", answerer.nlp)
    assert [q.names[k] for k in q.name_of] == [("lukashenko",)] and q.type_head == "name" and q.hard_type
    assert _extends_asked_name("Alexander Lukashenko", q)
    assert not _extends_asked_name("Will Lukashenko", q)  # a sentence's "Will", not a name
    assert not _extends_asked_name("Lukashenko", q) and not _extends_asked_name("Alexander Putin", q)
    q = analyse("What is Tikhanovskaya's first name?", answerer.nlp)
    assert not _extends_asked_name("Sergey Tikhanovsky", q)  # her husband's name is not hers
    q = analyse("What is the first name of the US envoy Coale?", answerer.nlp)
    assert [q.names[k] for k in q.name_of] == [("coale",)]  # the person, not the country beside him
    q = analyse("What is the first name of Trump's special envoy?", answerer.nlp)
    assert q.name_of == () and q.type_head == "name"  # Trump is the possessor: any person's name
    assert analyse("What are the first names of the prisoners?", answerer.nlp).type_head != "name"


def test_a_lemma_spacy_gets_wrong_is_the_words_own(answerer):
    from bot.support import analyse

    assert "hope" in analyse("Which president is Lukashenko hoping to meet?", answerer.nlp).terms  # not "hop"


def test_only_the_phrasal_verbs_own_words_are_read_as_it(answerer):
    from bot.support import analyse

    terms = analyse("What steps did the envoy take before he stepped down?", answerer.nlp).terms
    assert "step" in terms and "resign" in terms  # the noun "steps" stays a term
    assert "release" not in analyse("Did Minsk let go of its demand?", answerer.nlp).terms  # "let go of": give up
    q = analyse("Tikhanyovski left prison together with how many so-called accomplices?", answerer.nlp)
    assert "release" in q.terms and "leave" not in q.terms and "prison" not in q.terms  # left prison: was released


def test_a_complex_prepositions_words_are_not_terms(answerer):
    from bot.support import analyse

    terms = analyse("How does Shemov characterise the U.S. visit with respect to the European Union?", answerer.nlp).terms
    assert terms == ["visit"], terms  # "characterise" asks for the words used, like "describe"
    terms = analyse("Which Latin American leader is on good terms with Lukashenko?", answerer.nlp).terms
    assert "good" in terms and "term" not in terms, terms  # the adjective is asked, "terms" is not
    assert "instead" not in analyse("Why were they sent to Ukraine instead of Lithuania?", answerer.nlp).terms
    assert "term" in analyse("What were the terms of the deal?", answerer.nlp).terms  # a noun of its own
    # a cause or a time the answer must be about stays asked (review)
    assert "result" in analyse("What did Belarus get as a result of the release?", answerer.nlp).terms
    assert "light" in analyse("In light of the sanctions, what did Lukashenko do?", answerer.nlp).terms
    # "why does X matter" asks why X is important; spaCy may tag "matter" a noun there
    assert "matter" not in analyse("Why do potash sales matter so much for the state's finances?", answerer.nlp).terms
    assert "matter" in analyse("What matter did the envoy raise?", answerer.nlp).terms


def test_a_hyphenated_manner_repeating_its_word_is_not_a_term(answerer):
    from bot.support import analyse

    q = analyse("How likely did Vasilyev consider a face-to-face meeting between Lukashenko and Zelensky?", answerer.nlp)
    assert q.terms == ["meeting"], q.terms  # not "face" twice: no answer says "face"
    assert "plan" in analyse("What step-by-step plan did he offer?", answerer.nlp).terms
    assert "step" not in analyse("What step-by-step plan did he offer?", answerer.nlp).terms
    assert "face" in analyse("Did they meet face to face?", answerer.nlp).terms  # not hyphenated: left to the model
    assert "sort" not in analyse("What sort of deal is Lukashenko ready to make?", answerer.nlp).terms  # like "kind"


def test_previously_is_said_by_in_the_past(answerer):
    from bot.support import PAST_WORDS, term_credits

    q = answerer.analyse("Which country had received all previously released Belarusian political prisoners?")
    credits = dict(zip(q.terms, term_credits(q, {"in", "the", "past", "deport"}, {"in", "the", "past", "deported"})))
    assert credits["previously"] == 1.0 and "past" in PAST_WORDS
    assert dict(zip(q.terms, term_credits(q, {"now", "deport"}, {"now", "deported"})))["previously"] < 1.0
    answer = answerer.ask("Which country had received all previously released Belarusian political prisoners?")
    assert not answer.refused and "In the past, all released prisoners have been deported to Lithuania" in answer.text


def test_news_paraphrases_wordnet_does_not_join_count_as_the_word(answerer):
    from bot.support import PARAPHRASES, term_credits

    assert "airline" in PARAPHRASES["carrier"] and "carrier" in PARAPHRASES["airline"]  # both ways
    q = answerer.analyse("Which Belarusian carrier has Washington taken off its sanctions list?")
    credits = dict(zip(q.terms, term_credits(q, {"airline", "lift", "sanction"}, {"airline", "lifted", "sanctions"})))
    assert credits["carrier"] == 1.0
    answer = answerer.ask("Which Belarusian carrier has Washington taken off its sanctions list?")
    assert not answer.refused and "Belavia" in answer.text
    answer = answerer.ask("Who announced that Tikhanovsky had been pardoned?")  # "Eisenmont stated that …"
    assert not answer.refused and "Eisenmont" in answer.text
    assert answerer.ask("Which Belarusian carrier has the EU taken off its sanctions list?").refused  # a near miss still
    # "cared about" ~ "of personal interest to"; "in particular" asks nothing of its own
    answer = answerer.ask("Why did Trump care about Bialiatski in particular?")
    assert not answer.refused and "personal interest to Trump" in answer.text and "Nobel Peace Prize" in answer.text
    assert "particular" not in answerer.analyse("Why did Trump care about Bialiatski in particular?").terms
    # "the Belarusian leader" ~ "the president of Belarus"; a "pledge" ~ a "commitment"
    answer = answerer.ask("Which journalist did the Belarusian leader tell that it was time to begin peace talks?")
    assert not answer.refused and "Zarubin" in answer.text
    answer = answerer.ask("What pledge does Kellogg hope Lukashenko will give?")
    assert not answer.refused and "no longer participate" in answer.text
    # a "team" ~ a "delegation"; a "mutiny" ~ a "rebellion"; the "end" of sanctions ~ their "lifting"
    answer = answerer.ask('Which member of Kellogg\'s team did the Belarusian president embrace and greet as a "good guy"?')  # holdout9 h9-014
    assert not answer.refused and "Cole" in answer.text
    q = answerer.analyse("Who put down the Prigozhin mutiny, and what followed the end of the sanctions?")
    credits = dict(zip(q.terms, term_credits(q, {"rebellion", "lift"}, {"rebellion", "lifting"})))
    assert credits["mutiny"] == 1.0 and credits["end"] == 1.0
    answer = answerer.ask("why is klaipeda closed to belarusian potash")  # "closed" ~ "blocked" (conversations3 cv3-24)
    assert not answer.refused and "balloon" in answer.text
    # a word in two groups stands for both: "conflict" ~ "war" and ~ "clash"
    assert {"war", "clash", "friction"} <= PARAPHRASES["conflict"] and "conflict" in PARAPHRASES["clash"]
    answer = answerer.ask("since his release who has sergei tikhanovsky clashed with")  # holdout2 x145
    assert not answer.refused and "his wife’s inner circle" in answer.text
    # "removed" ~ "lifted" sanctions, and "is it true" asks nothing of the answer (holdout15 h15-040)
    assert "true" not in answerer.analyse("Is it true that the US removed sanctions from Belavia?").terms
    answer = answerer.ask("is it true US removed sanctions from belarus airline? which one")
    assert not answer.refused and "Belavia" in answer.text
    assert answerer.ask("Is it true that Macron visited Minsk?").refused
    # "overall" asks for the count itself (conversations6 cv6-25); "the total value" keeps its word
    assert "123" in answerer.ask("how many people were freed in the December 13 release overall?").text
    assert "total" in answerer.analyse("What was the total value of the rare earth agreement?").terms
    # "in Vasilyev's telling" asks his view, and "telling" is no word the answer must hold
    q = answerer.analyse("What symbolic present from Trump, in Vasilyev's telling, led Lukashenko to expect great riches?")
    assert "telling" not in q.terms and q.sources
    answer = answerer.ask("What symbolic present from Trump, in Vasilyev's telling, led Lukashenko to expect great riches?")  # holdout11 h11-044
    assert not answer.refused and "golden boot" in answer.text


def test_providing_and_supplying_are_ways_of_giving(answerer):
    """"hand over" reads as "give", and "provide" is a way of giving (VERB_KINDS): the US
    "threatening to provide Tomahawk missiles" answers what it threatened to hand over (holdout9
    h9-057)."""
    from bot.support import term_credits

    q = answerer.analyse("What American weapons does the interviewer say the US threatened to hand over to Kyiv?")
    assert "give" in q.terms
    credits = dict(zip(q.terms, term_credits(q, {"threaten", "provide", "missile"}, {"threatening", "provide", "missiles"})))
    assert credits["give"] == 1.0
    answer = answerer.ask("What American weapons does the interviewer say the US threatened to hand over to Kyiv?")
    assert not answer.refused and "Tomahawk" in answer.text


def test_receiving_a_person_is_meeting_them(answerer):
    from bot.support import analyse

    for question in ("In which building did Lukashenko receive the American envoy Kellogg?",
                     "Where did the Belarusian leader receive Washington's special envoy?"):
        terms = analyse(question, answerer.nlp).terms
        assert "meet" in terms and "receive" not in terms, terms
    for question in ("In which year did Bialiatski receive the Nobel Peace Prize?", "What missile has Belarus received?",
                     # a country receiving people takes them in (review)
                     "Which country received Bialiatski?", "How many political prisoners did Lithuania receive?"):
        assert "receive" in analyse(question, answerer.nlp).terms, question  # a thing received, not a visitor
    # WORDNET=0: "the belarusian leader" is a person only through WordNet; a tagged name still is
    assert "receive" in analyse("Where did the Belarusian leader receive Washington's special envoy?", answerer.nlp, False).terms
    assert "meet" in analyse("In which building did Lukashenko receive the American envoy Kellogg?", answerer.nlp, False).terms


def test_a_span_where_someone_else_did_it_is_refused(answerer):
    """Found by a fresh-eyes review: "How many political prisoners did Putin release?" was answered
    with "… Lukashenko released 123 political prisoners …" (every term and name in the window)."""
    for question in ("How many political prisoners did Putin release?", "How long was Lukashenko sentenced to?"):
        answer = answerer.ask(question)
        assert answer.refused and answer.support.get("other_doer"), (question, answer.text)
    # the one who did it, in any spelling, is answered
    assert "123" in answerer.ask("How many political prisoners did Lukashenko release?").text
    # a person the question names, before a passive verb, is the one it was done to (review)
    deported = answerer.ask("Where did Lukashenko deport Maria Kalesnikava?")
    assert not deported.support.get("other_doer") and "Ukraine" in deported.text, deported.text
    assert "18 years" in answerer.ask("How long was Tikhanovsky sentenced to?").text
    from bot.support import analyse

    q = analyse("How many political prisoners did Putin release?", answerer.nlp)  # parsed as do + a noun "release"
    assert q.doer == (0, "release", False) and q.names[0] == ("putin",)
    assert analyse("How long was Lukashenko sentenced to?", answerer.nlp).doer == (0, "sentence", True)  # passive
    assert analyse("Who released the prisoners?", answerer.nlp).doer is None  # no person named as the subject
    # an organisation or a state as the doer: another one doing it is a near miss (holdout15
    # h15-054), but a person acts for a state and a capital or Washington is its country
    for question in ("why EU lifted sanctions on belarus potash in december", "Why did the EU lift sanctions on Belarusian potash?"):
        answer = answerer.ask(question)
        assert answer.refused and answer.support.get("other_doer"), (question, answer.text)
    # the doer of a verb the news writes for the question's ("remove" ~ "lift"; holdout52 h52-077)
    answer = answerer.ask("Which Belarusian airline did the European Union remove from its sanctions list?")
    assert answer.refused and answer.support.get("other_doer"), answer.text
    # (Washington is the US: not another doer. The article gives no reason for it, so the
    # question is refused all the same, as one that only restates the event: _event_aside.)
    answer = answerer.ask("Why did Washington lift sanctions on Belavia?")
    assert answer.refused and not answer.support.get("other_doer"), answer.support
    for question, expected in (("Which Belarusian airline did the US remove from its sanctions list?", "Belavia"),
                               ("Why did the US lift sanctions on Belarusian potash?", "potash"),
                               ("How many political prisoners did Belarus release on December 13?", "123")):
        answer = answerer.ask(question)
        assert not answer.refused and expected in answer.text, (question, answer.text)


def test_a_question_about_a_described_article_is_answered_from_it(answerer):
    """"In the 'Secret Diplomacy' piece, …", "… in the piece on the Kellogg visit to Minsk":
    the description says which article is meant (its title and first sentences) and is no part
    of what is asked; both questions were refused ("secret", "diplomacy" taken for names;
    "union" and "ask" for terms)."""
    for question, expected, source in (
        ("In the 'Secret Diplomacy' piece, which leader does Lukashenko hope to meet?", "Zelenskyy", "001_"),
        ("In the Secret Diplomacy piece, which leader does Lukashenko hope to meet?", "Zelenskyy", "001_"),  # unquoted
        # the pronoun's name is in the description
        ("In the piece asking whether Lukashenko wants a union state with the US, what does he say Ukraine should be?",
         "independent sovereign", "002_"),
        ("What job title is Igor Shatov given in the piece on the Kellogg visit to Minsk?", "Strategic Development Fund", "000_"),
        ("Whose byline is on the piece about Lukashenko greeting the Americans with 'Hey, good guy, how are you'?",
         "Dmitriy Rodionov", "000_"),
    ):
        answer = answerer.ask(question)
        assert not answer.refused and expected in answer.text, (question, answer.text)
        assert answer.citations[0].source.startswith(source)
    cut, source = answerer._article_reference("In the piece asking whether Lukashenko wants a union state with the US, "
                                              "what does he say Ukraine should be?")
    assert (cut, source[:4]) == ("What does Lukashenko say Ukraine should be?", "002_")
    # a description no one article fits better than the others is left as asked, and so is a
    # piece about what no article covers
    for question in ("Which missile does the article on Lukashenko's 'major agreement' offer say Belarus has?",
                     "In the piece about Macron's visit to Paris, what did Kellogg say?"):
        assert answerer._article_reference(question) == (question, None)
    assert answerer.ask("In the piece about Macron's visit to Paris, what did Kellogg say?").refused
    # an index from each word to the articles whose title (2) or first sentences (1) hold it
    about = answerer._article_about
    assert about["secret"] == {"001_3d31b8ba4ffd7bb4.txt": 2} and about["major"].get("002_b4c17ae533b9d5da.txt") == 1


def test_who_said_it_is_answered_by_the_speaker_of_an_interview_answer(answerer):
    """An interview's answers never name the speaker (bot/speakers.py attributes them): "who said
    …" of one was refused for want of a person in it. The answer names the speaker, cited from
    the sentence that introduces them; what was asked about is said in the span itself."""
    from bot.verify import is_verbatim

    answer = answerer.ask("who said Trump will exploit Lukashenko like chewing gum")
    assert not answer.refused and answer.text.startswith("Vladimir Vasilyev: ") and "chewing gum" in answer.text
    assert len(answer.citations) == 2 and "Vladimir Vasilyev" in answer.citations[1].quote
    for c in answer.citations:
        assert is_verbatim(answerer.library.articles[c.source].text, c.quote, c.start, c.end)
    # a span that names its speaker is answered as before
    answer = answerer.ask("who said it won't succeed")
    assert not answer.refused and "said Igor Shatov" in answer.text and "speaker" not in answer.support
    assert answerer.ask("who said Macron would visit Minsk").refused
    # "only 5%" is Zarikhin's: Vasilyev's "about 50%" beside it does not hold the number ("5" is not in "50%")
    answer = answerer.ask("Who said the possibility of Lukashenko meeting Zelenskyy was only 5%?")
    assert "Vasilyev" not in answer.text and "50%" not in answer.text


def test_who_wrote_an_article_is_answered_by_its_byline(answerer):
    """"Author: Dmitriy Rodionov" is kept in article 000's cleaned text and metadata; "who wrote
    the article about …" was refused, or answered with a sentence naming no writer."""
    from bot.verify import is_verbatim

    for question in ("Who wrote the article about Lukashenko greeting Kellogg as a good guy?",
                     "Who wrote the article about Lukashenko's friendly welcome for Kellogg?",  # half its words there
                     "Who wrote the article about Lukashenko reaching out to Kellogg?",  # the title's words
                     "Who is Dmitriy Rodionov?"):  # named nowhere else
        answer = answerer.ask(question)
        assert not answer.refused and answer.text == "Author: Dmitriy Rodionov" and answer.support.get("byline"), question
        c = answer.citations[0]
        assert c.source.startswith("000_") and is_verbatim(answerer.library.articles[c.source].text, c.quote, c.start, c.end)
    # article 004 gives no author, and no article is about Macron's visit: refused, not a sentence about potash
    for question in ("Who wrote the article about the potash sanctions?", "Who wrote the article about Macron's visit to Minsk?"):
        assert answerer.ask(question).refused, question
    # the byline as the cleaner reads it: any case, a name ending in a dot or a bracket (review)
    from bot.answer import Answerer

    for line, author in (("AUTHOR: Jane Roe", "Jane Roe"), ("Author: John Smith Jr.", "John Smith Jr."),
                         ("By Anna Lee (Kyiv)", "Anna Lee (Kyiv)")):
        pattern = Answerer._BYLINE_LINE_RE.format(name=re.escape(author))
        assert re.search(pattern, f"Title\n{line}\nText.", re.MULTILINE | re.IGNORECASE).group(0) == line
    # a writer the text names is still found by reading it
    assert "Shraibman" in str(answerer.ask("Who wrote the commentary for the Carnegie Endowment?").support.get("reader_answer"))


def test_a_yes_no_questions_when_clause_is_not_what_it_asks(answerer):
    """"Did Lukashenko embrace Kellogg when the two met?" was read as a when-question: a date
    was wanted, and "met" a term the embracing sentence lacks, so it was refused."""
    from bot.support import analyse

    q = analyse("Did Lukashenko embrace Kellogg when the two met?", answerer.nlp)
    assert q.wh == "yes_no" and q.terms == ["embrace"], (q.wh, q.terms)
    assert analyse("Is the man who met Kellogg a lawyer?", answerer.nlp).wh == "yes_no"
    assert analyse("Did Kellogg say when he would return?", answerer.nlp).wh == "when"  # asks when, indirectly
    answer = answerer.ask("Did Lukashenko embrace Kellogg when the two met?")
    assert not answer.refused and "embracing Kellogg" in answer.text
    assert answerer.ask("Did Lukashenko embrace Macron when the two met?").refused


def test_if_so_and_a_bare_question_word_ask_about_the_first_part(answerer):
    answer = answerer.ask("Did Ales Bialiatski win a Nobel prize, and if so in which year?")
    assert not answer.refused and "2022" in answer.text
    assert [p["question"] for p in answer.support["parts"]][1] == "In which year did Ales Bialiatski win a Nobel prize?"
    assert answerer.ask("Did Macron win a Nobel prize, and if so in which year?").refused
    # "…, and why?" with no reason of its own found: answered as the one question it was before
    answer = answerer.ask("What kind of conversation did Lukashenko hope to have with Kellogg, and why?")
    assert not answer.refused and "candid" in answer.text and "don't say" not in answer.text


def test_a_plainer_verb_is_answered_by_a_particular_way_of_doing_it(answerer):
    from bot.support import VERB_KINDS, analyse

    assert "deport" in VERB_KINDS["send"]
    answer = answerer.ask("Where were most of the freed prisoners, among them Babariko and Kolesnikova, sent?")
    assert not answer.refused and "Ukraine" in answer.text
    # "taken delivery of" is "received"; "the piece on …" says where, not what
    terms = analyse("which missile has belarus taken delivery of, according to the piece on a deal", answerer.nlp).terms
    assert "receive" in terms and "delivery" not in terms and "piece" not in terms, terms


def test_a_phrasal_verb_question_is_answered(answerer):
    answer = answerer.ask("How soon does John Cole think the remaining prisoners could be let go?")
    assert not answer.refused and "within a month" in answer.text, answer.support

def test_a_nationality_describing_the_asked_for_person_is_not_a_required_name(answerer):
    # "Which Ukrainian leader …": the answer says Zelenskyy, not necessarily "Ukrainian"
    from bot.support import analyse

    q = analyse("Which Ukrainian leader does Lukashenko want to meet?", answerer.nlp)
    assert q.names == [("lukashenko",)] and "ukrainian" in q.terms
    # outside the "which …" phrase it stays a name the evidence must have
    q = analyse("Which leader met the Ukrainian delegation?", answerer.nlp)
    assert ("ukrainian",) in q.names


def test_how_likely_prefers_a_percentage_without_requiring_one(answerer):
    from bot.support import analyse

    q = analyse("How likely does Vladimir Vasilyev think a Lukashenko-Zelensky meeting is?", answerer.nlp)
    assert "PERCENT" in q.expected and not q.hard_type
    answer = answerer.ask("How likely does Vladimir Vasilyev think a Lukashenko-Zelensky meeting is?")
    assert not answer.refused and "50%" in answer.text


def test_wordnet_relates_synonyms_and_kinds_not_neighbours():
    from bot import wordnet

    wn = wordnet.get()
    assert wn is not None, "bot/wordnet.npz is missing (python -m bot.wordnet DICT_DIR builds it)"
    assert wn.related("free", "release") and wn.related("building", "palace")  # synonym; a kind of building
    assert wn.related("season", "spring") and wn.related("city", "minsk")  # instance of a city
    assert not wn.related("palace", "building")  # a building is not necessarily a palace
    # … but a kind of person is asked about by the class just above it: detainees are
    # prisoners, an envoy is a representative; not things ("state" is no "region")
    assert wn.related("detainee", "prisoner") and wn.related("envoy", "representative")
    assert not wn.related("state", "region") and not wn.related("detainee", "person")
    assert not wn.related("leader", "person") and not wn.related("winner", "person")  # too broad a class
    assert not wn.related("replace", "appoint") and not wn.related("season", "minsk")
    assert not wn.related("meet", "visit") and not wn.related("free", "pardon")  # verbs: synonyms only
    assert not wn.related("zzzz", "release") and not wn.related("free", "zzzz")
    # a form WordNet does not list has its base form's senses: "the freed prisoners"
    assert wn.related("freed", "release") and wn.related("free", "freed") and wn.related("cities", "minsk")
    assert "free" in wordnet.base_forms("freed") and wordnet.base_forms("sent") == []
    # verb senses only, an inflected form's base form's ("embracing" is listed as a noun)
    assert wn.verb_synonym("free", "released") and wn.verb_synonym("hug", "embracing")
    assert not wn.verb_synonym("pardon", "released") and not wn.verb_synonym("city", "minsk")
    assert not wn.verb_synonym("weigh", "count")  # only in count's third sense ("matter"); "count on" is no weighing


def test_the_reader_is_asked_with_the_spans_own_verb(answerer):
    """The reader matches words: "sent" read against "… deported to Lithuania, including … Ales
    Bialiatski" scored barely above no answer, "deported" far above it."""
    from bot.support import analyse

    span = "A small number of prisoners were, however, deported to Lithuania, including Ales Bialiatski."
    q = analyse("Where was Bialiatski sent after his release?", answerer.nlp)
    assert answerer._worded_as(q, q.text, span) == "Where was Bialiatski deported after his release?"
    q = analyse("Why was Tikhanovsky freed?", answerer.nlp)
    assert answerer._worded_as(q, q.text, "Tikhanyovski was released to reunite the family.") == "Why was Tikhanovsky released?"
    # the question's own verb in the span, or none related: as asked; a noun is never replaced
    q = analyse("Where was Bialiatski deported?", answerer.nlp)
    assert answerer._worded_as(q, q.text, span) == q.text
    q = analyse("Which city did Kellogg visit?", answerer.nlp)
    assert answerer._worded_as(q, q.text, "Kellogg met Lukashenko in Minsk.") == q.text
    answer = answerer.ask("Where was Byalyatski sent after being let out?")
    assert not answer.refused and "Lithuania" in answer.text


def test_a_stance_taken_is_asked_for_by_its_word_and_answered(answerer):
    from bot.support import analyse

    q = analyse("What positions have Babaryka and Kalesnikava taken since being freed?", answerer.nlp)
    assert "position" in q.terms and not q.role  # "position" is no term of "what position does X hold"
    answer = answerer.ask("What positions have Babaryka and Kalesnikava taken since being freed?")
    assert not answer.refused and "moderate stances" in answer.text
    # "mainly", like "main", says how much, not what
    assert "mainly" not in analyse("What was Kellogg's trip to Minsk mainly for?", answerer.nlp).terms


def test_a_country_the_question_names_by_its_adjective_is_no_answer(answerer):
    """"Which country had received all previously released Belarusian political prisoners?" was
    answered with a sentence whose read answer was "Belarus", the question's own country."""
    from bot.answer import _nationality_of

    assert _nationality_of("belarus", "belarusian") and _nationality_of("ukraine", "ukrainian")
    assert _nationality_of("lithuania", "lithuanian") and not _nationality_of("tikhanovsky", "tikhanovskaya")
    answer = answerer.ask("Which country had received all previously released Belarusian political prisoners?")
    assert answer.refused or "Belarus" != (answer.support or {}).get("reader_answer")


def test_the_reader_answer_guides_the_trim_when_it_names_a_person_of_the_article(answerer):
    """"Who decided …?": the reader found "Lukashenko" in the first sentence of the span; the
    second names another person (Ales Bialiatski) and shares more of the question's words."""
    answer = answerer.ask("Who decided that the prisoners would be sent to Ukraine rather than Lithuania?")
    assert not answer.refused and "personally by Lukashenko" in answer.text
    assert "Bialiatski" not in answer.text
    j = next(i for i in range(len(answerer.library.sentences)) if "made personally by" in answerer.library.sentences[i].text)
    assert answerer._names_person("Lukashenko", j) and not answerer._names_person("the deportation", j)


def test_a_question_word_is_found_through_its_synonym_or_a_kind_of_it(plain_answerer):
    answerer = plain_answerer  # the first-stage ranking (the reader's re-ranking: tests/test_reader.py)
    from bot import wordnet
    from bot.support import Question, term_credits

    q = Question("In which building …", "where", frozenset(), [], [], ["building", "free"], None)
    assert term_credits(q, {"palace", "release"}, {"palace", "released"}) == (0.0, 0.0)
    assert term_credits(q, {"palace", "release"}, {"palace", "released"}, wordnet=wordnet.get()) == (1.0, 1.0)
    # the best span is the one naming the palace, and "building" is not missing from it
    _q, cands = answerer.explain("In which building did Lukashenko receive the American envoy Kellogg?")
    assert "Independence Palace" in answerer.span_text(cands[0].focus)[1]
    assert "building" not in cands[0].support.missing


@pytest.mark.parametrize("block", [1, 2, 3, 50_000])
def test_neighbour_dot_products_match_direct_ones_across_blocks(block):
    import numpy as np

    from index.table import neighbour_dots

    v = np.random.default_rng(0).normal(size=(11, 5)).astype(np.float32)
    self_dot, next_dot, skip_dot = neighbour_dots(v, block)
    assert np.allclose(self_dot, (v * v).sum(1))
    assert np.allclose(next_dot[:-1], (v[:-1] * v[1:]).sum(1)) and next_dot[-1] == 0
    assert np.allclose(skip_dot[:-2], (v[:-2] * v[2:]).sum(1)) and not skip_dot[-2:].any()


def test_sentence_words_cache_stays_bounded_and_right(monkeypatch):
    from types import SimpleNamespace

    from bot.answer import _SentenceWords

    monkeypatch.setattr(_SentenceWords, "CACHE", 3)
    sw = _SentenceWords([SimpleNamespace(text=f"Word{j} and Minsk's") for j in range(10)])
    for j in range(10):
        assert sw[j] == {f"word{j}", "and", "minsk"}
        assert len(sw._cache) <= 3


def test_a_year_in_the_evidence_covers_the_word_year_but_a_country_is_no_city(answerer):
    # "2022 Nobel Peace Prize winner Ales Bialiatski" says the year without the word "year"
    won = answerer.ask("In which year did Bialiatski win the Nobel Peace Prize?")
    assert not won.refused and "2022" in won.text
    assert "year" not in won.support["missing"]
    # the articles name the country the prisoners were sent to, never a city: the support
    # features say the city is missing, and the reader's confident country is no city ("Ukraine";
    # "Lithuania" before a5e1121 left aside what "in the past" had been)
    deported = answerer.ask("In which Ukrainian city did the deported prisoners arrive?")
    assert "city" in deported.support["missing"]
    assert deported.refused and deported.support["wrong_kind"] and deported.support["reader_answer"] in ("Ukraine", "Lithuania")
    # a city the articles do name is one
    met = answerer.ask("In which city did Lukashenko meet Kellogg?")
    assert not met.refused and "Minsk" in met.text and "wrong_kind" not in met.support


def test_wordnet_tells_what_kind_of_thing_a_word_names():
    from bot import wordnet

    wn = wordnet.get()
    assert wn.kind_of("minsk", "city") and wn.kind_of("klaipeda", "city") and wn.kind_of("lawyer", "person")
    assert wn.kind_of("lithuania", "city") is False and wn.kind_of("industry", "company") is False
    assert wn.kind_of("sanctions", "company") is False  # the plural read as its singular
    assert wn.kind_of("kyiv", "city") is None and wn.kind_of("city", "zzzz") is None  # unknown: no verdict


@pytest.mark.parametrize(
    "question, answer, found, wrong",
    [
        ("Which Belarusian potash company had its US sanctions lifted?", "Belarus’s potash industry", ["Belarus"], True),
        ("Which US company has agreed to buy Belarusian potash?", "EU sanctions", ["EU"], True),
        ("Which outlet interviewed Lukashenko for Newsmax?", "pro-Trump outlet Newsmax", ["Trump"], True),
        ("In which Ukrainian city did the prisoners arrive?", "Lithuania", ["Lithuania"], True),
        ("In which city did Lukashenko meet Kellogg?", "Independence Palace in Minsk", ["Independence Palace", "Minsk"], False),
        ("Which organisation's committee does Igor Shatov head?", "Strategic Development Fund", ["the Strategic Development Fund"], False),
        ("Which outlet interviewed Boris Shmelyev?", "Svobodnaya Pressa", [], False),  # a name WordNet does not know
    ],
)
def test_an_answer_of_another_kind_than_asked_is_told(answerer, question, answer, found, wrong):
    from bot import wordnet
    from bot.answer import Answerer
    from bot.support import analyse

    q = analyse(question, answerer.nlp)
    assert q.type_head
    assert Answerer._wrong_kind(q, answer, found, wordnet.get()) is wrong


@pytest.mark.parametrize("question", [
    "On what exact date was Sergei Tikhanovsky released from prison?",  # "this summer" is no day
    "On which day did Tikhanovsky walk free?",
])
def test_a_date_asked_for_is_a_day_not_a_season_or_a_duration(answerer, question):
    answer = answerer.ask(question)
    assert answer.refused and answer.reason == "unsupported", answer.text


def test_the_length_of_a_sentence_is_answered_by_a_sentence_that_speaks_of_one(answerer):
    # "in the last few hours before the deportation" is a length, but not of a prison term
    answer = answerer.ask("How long was Maria Kolesnikova's prison sentence?")
    assert answer.refused and answer.reason == "unsupported", answer.text
    answer = answerer.ask("How long was Tikhanovsky's prison term?")
    assert not answer.refused and "18 years" in answer.text


def test_a_day_asked_for_is_answered_by_one(answerer):
    from bot.support import _DAY_RE

    assert not answerer.ask("On what date did Lukashenko meet Coale?").refused  # "on December 12"
    assert "Saturday 13 December" in answerer.ask("On what day did it become known that 123 political prisoners had been freed?").text
    assert [bool(_DAY_RE.search(t)) for t in ("December 12", "the 1st", "Saturday", "this summer", "2020", "in November")] == [
        True, True, True, False, False, False]


def test_a_name_the_question_gives_is_no_answer_to_who_or_when(answerer):
    from bot.answer import Answerer
    from bot.support import analyse

    q = analyse("Who interviewed Lukashenko for Newsmax?", answerer.nlp)
    assert q.hard_type and not q.type_head
    assert Answerer._wrong_kind(q, "pro-Trump outlet Newsmax", ["Trump"], None)
    assert not Answerer._wrong_kind(q, "Boris Shmelyev", ["Boris Shmelyev"], None)
    near_miss = answerer.ask("Who interviewed Lukashenko for Newsmax?")
    assert near_miss.refused and near_miss.support["wrong_kind"]
    # nor by an answer without a person, organisation or group in it
    successor = answerer.ask("Who will replace John Coale as special envoy to Belarus?")
    assert successor.refused and successor.support["wrong_kind"] and successor.support["reader_answer"] == "lawyer"
    # only a read answer the answer is cut around is judged: here the reader read the wife's
    # name, the answer keeps the person beside "husband"
    husband = answerer.ask("Who is Svetlana Tikhanovskaya's husband?")
    assert not husband.refused and "Sergey Tikhanovsky" in husband.text and "wrong_kind" not in husband.support
    # not for questions that are not bound to an entity: "what did Lukashenko warn Ukraine
    # would lose" is answered by "whole Ukraine"
    what = analyse("What did Lukashenko warn Ukraine would lose if it turns down the offer?", answerer.nlp)
    assert not what.hard_type and not what.type_head


def test_how_soon_prefers_a_time_without_requiring_one(answerer):
    from bot.support import analyse

    q = analyse("How soon could the political prisoners be freed?", answerer.nlp)
    assert "DATE" in q.expected and not q.hard_type
    answer = answerer.ask("How soon could the political prisoners be freed, according to Coale?")
    assert not answer.refused and "within a month" in answer.text
    # "soon" says what kind of answer is wanted, like "long" in "how long": it is no term the
    # evidence must cover — wherever "how soon" stands in the question
    assert "soon" not in q.terms
    later = analyse("According to Coale, how soon could the remaining prisoners walk free?", answerer.nlp)
    assert "DATE" in later.expected and "soon" not in later.terms and "remain" in later.terms


def test_expect_is_asked_about_when_someone_expects_not_when_something_is_expected(answerer):
    from bot.support import analyse

    assert "expect" in analyse("What does Vasilyev think Lukashenko expects to get from the US?", answerer.nlp).terms
    assert "expect" not in analyse("On what date is Trump expected to visit Belarus?", answerer.nlp).terms


def test_a_view_held_of_something_is_not_asked_about(answerer):
    """holdout54 h54-076: "Why is shipping potash through Odesa seen as unlikely?" was refused for
    "see", which no sentence about Odesa has: "seen as" / "considered" says whose view it is, and
    what is asked is why it is unlikely ("But that is also unlikely as Kyiv considers …")."""
    from bot.support import analyse

    for question in ("Why is shipping potash through Odesa seen as unlikely?",
                     "Why is exporting potash through Odesa considered unlikely?",
                     "Why is Lukashenko regarded as a mediator?"):
        terms = analyse(question, answerer.nlp).terms
        assert not {"see", "consider", "regard"} & set(terms), (question, terms)
    # the view of someone who holds it (an active verb) is asked about
    assert "regard" in analyse("Why do analysts regard the deal as important?", answerer.nlp).terms
    assert "regard" in analyse("Who regarded the deal as important?", answerer.nlp).terms
    assert "see" in analyse("Who saw Lukashenko as a partner?", answerer.nlp).terms
    answer = answerer.ask("Why is shipping potash through Odesa seen as unlikely?")
    assert not answer.refused and "complicit" in answer.text


def test_washington_stands_for_the_united_states():
    from bot.support import name_in

    assert name_in(("washington",), {"the", "united", "states", "is"}, 0.75)
    assert name_in(("washington",), {"us", "officials"}, 0.75)
    assert not name_in(("washington",), {"russia", "belarus"}, 0.75)
    assert not name_in(("minsk",), {"belarus"}, 0.75)  # only Washington: Minsk the city is not Belarus
    # "USA" (holdout10, holdout23: "what can belarus sell to the usa") is neither the initials of
    # "United States" nor a spelling of "U.S."
    assert name_in(("usa",), set(words("Belarus can offer the U.S. potash.")), 0.75)
    assert name_in(("usa",), set(words("the United States lifted sanctions")), 0.75)
    assert not name_in(("usa",), set(words("Belarus can offer Russia potash.")), 0.75)


def test_passages_about_other_people_make_the_answerer_look_further_for_the_questions_names(answerer):
    """Answerer._with_names: when fewer than half of the first k passages come from articles that
    hold the question's names (look-alikes about someone else filled them), up to k // 2 more are
    taken from further down — only passages that name them all themselves."""
    from bot.support import analyse

    lib = answerer.library
    q = analyse(SHMELYEV_Q, answerer.nlp)
    rows = range(len(lib.sentences))
    shmelyev = next(j for j in rows if "interviewed Boris Shmelyev" in lib.sentences[j].text)
    article = lib.sentences[shmelyev].source
    others = [j for j in rows if lib.sentences[j].source != article][:10]
    silent = next(j for j in lib.by_source[article] if "shmelyev" not in answerer._words_around(j))
    source = lambda j: lib.sentences[j].source  # noqa: E731

    got = answerer._with_names(q, others + [silent, shmelyev], 10, source, answerer._words_around)
    assert got == others + [shmelyev]  # not the sentence of his article that does not name him
    # half of the first ten from his article: nothing is added
    half = others[:5] + list(lib.by_source[article])[:5]
    assert answerer._with_names(q, half + [shmelyev], 10, source, answerer._words_around) == half
    # a question without names: the first k as they are
    plain = analyse("what happened to the prisoners", answerer.nlp)
    assert answerer._with_names(plain, others + [shmelyev], 10, source, answerer._words_around) == others


def test_the_odds_asked_for_are_a_percentage_in_the_evidence(answerer):
    # spaCy reads "odds" as the adjective "odd"; a percentage answers "what odds"
    answer = answerer.ask("what odds does zarikhin give for lukashenko and zelenskyy actually meeting")
    assert not answer.refused and "5%" in answer.text and "50%" not in answer.text


def test_a_reaction_the_articles_do_not_report_is_refused(answerer):
    # the offer is in the articles; a response to it is not
    assert answerer.ask("How did Zelenskyy respond to Lukashenko's offer to meet?").refused
    assert not answerer.ask("What has Lukashenko offered Venezuela's President Nicolás Maduro?").refused


@pytest.mark.parametrize("question", [
    "What did Zelenskyy reply to Lukashenko's offer to meet?",  # 'reply' is no focus term of the parse
    "What was Maduro's response to Lukashenko's offer of a safe haven?",  # a paraphrase's soft credit
])
def test_a_reaction_asked_in_other_words_is_refused_too(answerer, question):
    answer = answerer.ask(question)
    assert answer.refused and answer.reason == "unsupported"


@pytest.mark.parametrize(
    "question, role",
    [
        ("Who is Artyom Shraibman?", True),
        ("What position does Vladimir Zarikhin hold?", True),
        ("What's John Kellogg's official role in the U.S. government?", True),
        ("what is the title of shraibman's commentary for the carnegie endowment", False),  # a thing's title
        ("Who met Kellogg in Minsk?", False),  # asks for a person
        ("Who is the US ambassador to Belarus?", False),
        ("Who is Zelenskyy?", True),  # spaCy tags the name a common noun: capitalised mid-question, it is a name
        ("What positions have Babaryka and Kalesnikava taken since being freed?", False),  # a stance taken, not a post
    ],
)
def test_identity_and_role_questions_ask_for_a_description_not_another_person(answerer, question, role):
    from bot.support import analyse

    q = analyse(answerer.truecase(question), answerer.nlp)
    assert q.role is role
    if role:
        assert not q.expected and not q.hard_type


def test_a_role_is_found_before_or_after_the_name():
    from bot.support import Question, has_role

    q = Question("Who is Zarikhin?", "who", frozenset(), [("vladimir", "zarikhin")], [], [], None, role=True)

    class S:
        def __init__(self, text, ents):
            self.text, self.entities = text, ents

    assert has_role(q, [S("Svoboda interviewed Vladimir Zarikhin, vice director of the institute.", [("PERSON", "Vladimir Zarikhin")])])
    assert has_role(q, [S("said political analyst Vladimir Zarikhin on Monday.", [("PERSON", "Vladimir Zarikhin")])])
    assert not has_role(q, [S("Vladimir Zarikhin met the envoy.", [("PERSON", "Vladimir Zarikhin")])])
    # a shared first name is not the person asked about
    assert not has_role(q, [S("Russian President Vladimir Putin spoke.", [("PERSON", "Vladimir Putin")])])
    # a name spaCy did not tag ("Natalia" a place, "Eisenmont" nothing) is found in the words
    q1 = Question("Who is Eisenmont?", "who", frozenset(), [("eisenmont",)], [], [], None, role=True)
    text = "Belarusian President Press Secretary Natalia Eisenmont stated that Lukashenko pardoned him."
    assert has_role(q1, [S(text, [("PERSON", "Press"), ("GPE", "Natalia"), ("PERSON", "Lukashenko")])])
    assert not has_role(q1, [S("Natalia Eisenmont stated that Lukashenko pardoned him.", [("GPE", "Natalia")])])


def test_who_someone_is_is_refused_when_the_articles_only_mention_them(answerer):
    # the articles name Zelenskyy often and never say who he is: a sentence that mentions him
    # ("… to become Zelenskyy's negotiating partner") is not an answer
    answer = answerer.ask("Who is Zelenskyy?")
    assert answer.refused and answer.reason == "unsupported"
    assert answerer.ask("Who is Eisenmont?").text.startswith("Belarusian President Press Secretary Natalia Eisenmont")


def test_an_answer_leaves_out_the_question_its_span_starts_with_the_quote_keeps_it(answerer):
    # the span is "What requirements will be included? Obviously, the U.S. will probably ask for
    # joint development of Belarus's natural resources, such as …": the question is the article's
    answer = answerer.ask("Which Belarusian natural resource might the U.S. want to develop jointly?")
    assert not answer.refused and answer.text.startswith("Obviously, the U.S. will probably ask")
    (c,) = answer.citations
    assert c.quote.startswith("What requirements will be included?") and answer.text in c.quote
    assert_citation_is_verbatim(answerer, c)


def test_what_position_someone_holds_is_answered_with_the_title(answerer):
    answer = answerer.ask("What position does Vladimir Zarikhin hold?")
    assert not answer.refused and "vice director" in answer.text


def test_a_why_answer_keeps_the_sentence_that_gives_the_reason(plain_answerer):
    # the first-stage span choice (with the reader the chosen span is the sentence before it)
    answer = plain_answerer.ask("Why was Trump personally interested in Ales Bialiatski?")
    assert not answer.refused and "meant to" in answer.text and "Nobel Peace Prize" in answer.text


def test_a_why_answer_adds_the_next_sentence_when_it_gives_the_purpose(answerer):
    # the chosen span says what the question says ("… the only one of personal interest to
    # Trump."); the purpose is the sentence after it ("… is meant to increase the chances …")
    answer = answerer.ask("Why was Trump personally interested in Ales Bialiatski?")
    assert not answer.refused and "personal interest to Trump" in answer.text
    assert "meant to" in answer.text and "Nobel Peace Prize" in answer.text
    (c,) = answer.citations
    assert answer.text in c.quote
    assert_citation_is_verbatim(answerer, c)


def test_a_why_answer_opening_with_thats_why_adds_the_sentence_before(answerer):
    answer = answerer.ask("Why did Lukashenko decide to get ahead of Moscow with the US, according to Vasilyev?")
    assert not answer.refused
    assert "only get some leftovers" in answer.text and "That's why he decided" in answer.text
    assert_citation_is_verbatim(answerer, answer.citations[0])


BRIDGE = {
    "903_bridge.txt": "Tartu closes its wooden bridge for the winter\n\nEngineers found rot in three of the oak "
    "beams that carry the Kaarsild footbridge over the Emajõgi river. That is why the town council decided to close "
    "the bridge until April. Pedestrians are asked to use the Vabaduse bridge instead.\n",
}


def test_a_why_answer_opening_with_that_is_why_written_out_adds_the_sentence_before(tmp_path, make_settings, embed):
    """"That is why …" written out gives no reason of its own, as "That's why …" does not: the
    sentence before it, which does, is added to the answer."""
    answerer = answerer_over_seed_and(BRIDGE, tmp_path, make_settings, embed)
    answer = answerer.ask("Why did the town council decide to close the Kaarsild footbridge?")
    assert not answer.refused, answer.text
    assert "rot in three of the oak beams" in answer.text and "That is why the town council" in answer.text
    assert_citation_is_verbatim(answerer, answer.citations[0])


def test_a_why_answer_takes_the_neighbour_where_the_reader_finds_the_reason(answerer):
    # the span names the pardon; the reader's best answer beside it is "humanitarian", in the
    # sentence after the next, which the span's window holds
    answer = answerer.ask("Why was Tikhanyovski pardoned, according to Lukashenko's press secretary?")
    assert not answer.refused and "purely humanitarian" in answer.text
    assert_citation_is_verbatim(answerer, answer.citations[0])


def test_a_why_answer_that_gives_a_reason_is_not_extended(answerer):
    answer = answerer.ask("Why can't Lukashenko forget 2020?")
    assert not answer.refused and "nearly lost power" in answer.text
    assert len(answer.text.split()) <= answerer.settings.max_answer_words


def test_an_interview_answer_is_read_with_its_speaker_as_he(answerer):
    # "— I think the possibility is quite high, about 50%." never names Vasilyev: the reader
    # reads the question with "he" for him as well, and keeps the surer reading
    answer = answerer.ask("What odds did Vladimir Vasilyev give for a Lukashenko-Zelensky meeting?")
    assert not answer.refused and "50%" in answer.text
    assert answerer.ask("What odds did Artyom Shraibman give for a Lukashenko-Zelensky meeting?").refused  # not his words


def test_the_speaker_becomes_a_pronoun_only_in_a_passage_of_their_words_without_their_name(answerer):
    lib = answerer.library
    question = "How likely did Vladimir Vasilyev think a meeting was, according to Vladimir Vasilyev's answer?"
    q = answerer.analyse(question)
    said = [j for j in range(len(lib.sentences)) if "possibility is quite high" in lib.sentences[j].text]
    (j,) = said
    text = lib.sentences[j].text
    assert answerer._speaker_as_pronoun(q, question, text, range(j, j + 1)) == (
        "How likely did he think a meeting was, according to his answer?")
    named = next(k for k in range(len(lib.sentences)) if "Vasilyev" in lib.sentences[k].text)
    assert answerer._speaker_as_pronoun(q, question, lib.sentences[named].text, range(named, named + 1)) == question
    q2 = answerer.analyse("What did Lukashenko say to Vladimir Vasilyev?")
    assert answerer._speaker_as_pronoun(q2, q2.text, text, range(j, j + 1)) == "What did Lukashenko say to him?"


def test_a_question_setting_something_aside_is_answered_by_the_alternative(answerer):
    # "I don't think … comes from his role in quelling the rebellion … ⏎ This is more likely the
    # result of his wise policy …"
    answer = answerer.ask("If not from putting down Prigozhin's mutiny, where does Lukashenko's authority come from in Zarikhin's view?")
    assert not answer.refused and "wise policy" in answer.text and "balance" in answer.text
    assert_citation_is_verbatim(answerer, answer.citations[0])
    # the denial itself answers a question about what it denies
    answer = answerer.ask("Whose rebellion was Lukashenko said to have quelled, in the Svoboda interview with Zarikhin?")
    assert not answer.refused and "Prigozhin" in answer.text


def test_two_names_asked_about_each_get_an_answer_each(answerer):
    answer = answerer.ask("How likely did Vasilyev and Zarikhin each think a Lukashenko-Zelensky meeting was?")
    assert not answer.refused and "50%" in answer.text and "5%" in answer.text
    assert {c.source[:3] for c in answer.citations} == {"001"}
    # interview answers that name no one: each shown with whose it is, cited from the introduction
    assert answer.text.startswith("Vladimir Vasilyev: ") and "Vladimir Zarikhin: " in answer.text
    assert answer.text.index("Vladimir Zarikhin: ") < answer.text.index("5%")
    assert any("interviewed Vladimir Vasilyev" in c.quote for c in answer.citations)
    for c in answer.citations:
        assert_citation_is_verbatim(answerer, c)


def test_two_parts_answered_from_overlapping_text_show_it_once(answerer):
    answer = answerer.ask("Which of the prisoners was Trump personally interested in, and why?")
    assert not answer.refused
    assert answer.text.count("personal interest to Trump") == 1
    assert "Bialiatski" in answer.text and "Nobel Peace Prize" in answer.text
    for c in answer.citations:
        assert_citation_is_verbatim(answerer, c)


def test_a_trimmed_answer_keeps_the_piece_naming_the_noun_asked_about(answerer):
    # The best span is two sentences (42 words): the first shares more of the question's words
    # ('started', 'phone call'), the second names the catchphrase asked about and gives it.
    question = "What catchphrase did Lukashenko start repeating after the phone call?"
    q, _ = answerer.explain(question)
    assert q.asked_noun == "catchphrase"
    answer = answerer.ask(question)
    assert not answer.refused and "Trump promised to visit" in answer.text
    assert len(answer.text.split()) <= answerer.settings.max_answer_words


def test_a_span_holding_the_number_asked_about_outranks_one_without_it(answerer):
    # 'did not forget to consider the interests of its partners' shares more with the question
    # on the surface, but only the interview answer holds the 2020 the question asks about
    answer = answerer.ask("Why can't Lukashenko forget 2020?")
    assert not answer.refused and "nearly lost power" in answer.text
    assert "2020" in answer.citations[0].quote


def test_article_words_cache_stays_bounded_and_right(answerer, monkeypatch):
    monkeypatch.setattr(answerer, "_words_cache", {})
    monkeypatch.setattr(type(answerer), "ARTICLE_WORDS_CACHE", 2)
    sources = sorted(answerer.library.articles)
    for source in sources + sources:
        got = answerer._article_words(source)
        assert "lukashenko" in got and len(answerer._words_cache) <= 2
    assert answerer._article_words(sources[0]) == set(words(answerer.library.articles[sources[0]].text))


def test_corpus_facts_are_the_full_passes_results_and_cached_per_index(answerer, seed_settings, tmp_path):
    """CorpusFacts (vocabulary, lemmas, corpus words, capitalised words) equal what the full passes over the
    sentences and articles give, are read back from DATA_DIR, and are recomputed for another index."""
    import json

    from bot.answer import CorpusFacts
    from bot.conversation import corpus_names
    from bot.support import Vocabulary, words

    lib = answerer.library
    facts = CorpusFacts.load_or_build(lib, tmp_path)
    assert facts.df == dict(Vocabulary(lib.sentences).df)
    assert facts.lemmas == sorted({lm for s in lib.sentences for lm in s.lemmas})
    assert facts.corpus_words == {w for a in lib.articles.values() for w in words(a.text)}
    # the names the truecasing and the typo step leave alone: computed here once, not per process
    assert {"shraibman", "belarus", "lukashenko"} <= facts.capitalised and "prisoner" not in facts.capitalised
    # the conversation rewriter's names of the corpus, likewise
    assert facts.names == json.loads(json.dumps(corpus_names(lib.sentences)))
    assert "zarikhin" in facts.names["person_words"] and facts.names["full_names"]["zarikhin"] == "Vladimir Zarikhin"
    path = tmp_path / "answerer" / "facts.json"
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["key"] == CorpusFacts.key(lib)
    saved["lemmas"] = ["changed"]
    path.write_text(json.dumps(saved), encoding="utf-8")
    back = CorpusFacts.load_or_build(lib, tmp_path)
    assert back.lemmas == ["changed"] and back.capitalised == facts.capitalised  # read back, not recomputed
    assert back.names == facts.names
    saved["key"] = "another index"
    path.write_text(json.dumps(saved), encoding="utf-8")
    assert CorpusFacts.load_or_build(lib, tmp_path).lemmas == facts.lemmas
    assert answerer.vocab.df == facts.df and answerer._corpus_words == facts.corpus_words


def test_the_articles_words_are_kept_with_the_facts_and_answer_the_name_checks(answerer, tmp_path):
    """CorpusFacts keeps which words each article holds (ArticleWords, two arrays beside facts.json,
    mapped when read back): they are the article's words(), and the answerer's "is this name in that
    article" is what name_in over the article's words says. Arrays of another index are not used."""
    import numpy as np

    from bot.answer import CorpusFacts
    from bot.support import name_in, words

    lib = answerer.library
    facts = CorpusFacts.load_or_build(lib, tmp_path)
    back = CorpusFacts.load_or_build(lib, tmp_path)
    assert isinstance(back.article_words.ids.base, np.memmap)  # read back (mapped), not recomputed
    for got in (facts.article_words, back.article_words):
        for source, article in lib.articles.items():
            own = got.ids[got.offsets[got._row[source]] : got.offsets[got._row[source] + 1]]
            assert [got.vocabulary[k] for k in own] == sorted(set(words(article.text)))
    source = next(s for s, a in lib.articles.items() if "Lukashenko" in a.text)
    assert back.article_words.holds_any(source, frozenset({"nosuchword", "lukashenko"}))
    assert not back.article_words.holds_any(source, frozenset({"nosuchword", "zzz"}))
    assert not back.article_words.holds_any(source, frozenset())
    ratio = answerer.settings.name_match_ratio
    names = [("tsikhanouskiy",), ("shmelyev",), ("boris", "shmelyev"), ("washington",), ("macron",), ("kellogg",),
             ("united", "nations"), ("zarikhin",), ("kolesnikova",), ("coale",), ("u", "s")]
    seen = set()
    answerer._words_cache.clear()
    answerer._name_cache.clear()
    for n in names:
        for source, article in lib.articles.items():
            expected = name_in(n, set(words(article.text)), ratio)
            assert answerer._name_in_text(n, source) == expected, (n, source)
            seen.add(expected)
        assert answerer._name_in_text(n, None) == name_in(n, answerer._corpus_words, ratio)
    assert seen == {True, False}
    assert not answerer._words_cache  # no article's word set was made for it
    # a sentence's or chunk's words likewise, words the corpus does not have included
    sets = [set(words(s.text)) for s in list(lib.sentences)[:300]] + [{"tsikhanouskaya", "minsk"}, {"shmelyeff"}, {"u.s"}, {"washingtonn"}]
    checked = {(answerer._name_in_words(n, ws), name_in(n, ws, ratio)) for n in names for ws in sets}
    assert checked == {(True, True), (False, False)}
    assert "shmelyeff" not in answerer._corpus_words and answerer._name_in_words(("shmelyev",), {"shmelyeff"})
    # arrays that do not fit the index (here: one article short) are not used: the facts are recomputed;
    # rewriting them removes another index's arrays, not this index's
    offsets = next((tmp_path / "answerer").glob("article-offsets-*.npy"))
    np.save(offsets, np.asarray(back.article_words.offsets)[:-1])
    stale = tmp_path / "answerer" / "article-words-0123456789abcdef.npy"
    np.save(stale, np.zeros(3, np.uint32))
    again = CorpusFacts.load_or_build(lib, tmp_path)
    assert len(again.article_words.offsets) == len(lib.articles) + 1
    assert not stale.exists() and offsets.exists()
    assert len(np.load(offsets)) == len(lib.articles) + 1


def test_the_rewriter_of_an_answerer_takes_the_corpus_names_from_its_facts(answerer):
    """Rewriter.for_answerer does not pass over every sentence (3.6 s at 10k chunks, on the first
    follow-up or compound question a server met): the names come from the answerer's corpus
    facts, and are the ones that pass would find."""
    from bot.conversation import Rewriter

    class NoFullPass(list):
        def __iter__(self):
            raise AssertionError("a pass over every sentence")

    lib = answerer.library
    every = [lib.sentences[j] for j in range(len(lib.sentences))]
    plain = Rewriter(answerer.nlp, every)
    rows = NoFullPass(every)
    try:
        answerer.library = type("L", (), {"sentences": rows})()
        fast = Rewriter.for_answerer(answerer)
    finally:
        answerer.library = lib
    for attr in ("person_words", "lower_words", "common_words", "full_names", "place_words"):
        assert getattr(fast, attr) == getattr(plain, attr), attr
    assert "zarikhin" in fast.person_words and "minsk" in fast.place_words


def test_a_footnote_mark_after_the_sentence_is_left_out_of_answer_and_quote(answerer):
    """004 writes "… expressing his support for them.”3": the answer and its quote stop before
    the mark, and stay verbatim."""
    from bot.answer import _before_footnote

    answer = answerer.ask("Whom did Lukashenko meet on December 12?")
    assert not answer.refused and "Coale" in answer.text
    assert answer.text.rstrip().endswith("support for them.”")
    (c,) = answer.citations
    assert c.quote.endswith("support for them.”")
    assert answerer.library.articles[c.source].text[c.start : c.end] == c.quote
    # only a mark right after a sentence's end: not a number the sentence ends with
    for text, kept in [("support for them.”3", "support for them.”"), ("released on May 3", "released on May 3"),
                       ("grew by 3.5", "grew by 3.5"), ("in 2025.", "in 2025."), ("him.12", "him.")]:
        assert text[: _before_footnote(text, 0, len(text))] == kept


def test_an_answer_drops_the_other_paragraphs_question_or_fragment_the_quote_keeps_it(answerer):
    """A two-sentence span across a paragraph break whose answer is all in one sentence, the
    other being the interviewer's question or a few words, answers with the one; the excerpt
    keeps both for context."""
    answer = answerer.ask("How likely does Vasilyev think a Lukashenko–Zelensky meeting is?")
    assert not answer.refused and "50%" in answer.text
    assert answer.text.startswith("— I think the possibility is quite high") and "?" not in answer.text
    (c,) = answer.citations
    assert "How do you assess the possibility" in c.quote and answer.text in c.quote
    assert_citation_is_verbatim(answerer, c)
    answer = answerer.ask("who is natalia eisenmont")
    assert not answer.refused and answer.text.startswith("Belarusian President Press Secretary Natalia Eisenmont")
    # cut around the people a span names (not the reader's answer), both sentences stay: the
    # other may be what they said ('"It won't work." ⏎ Shemov said.')
    lib = answerer.library
    j = next(i for i, s in enumerate(lib.sentences) if s.text.startswith("Some results have already been achieved"))
    q = answerer.analyse("Who is the press secretary?")
    read = "Belarusian President Press Secretary Natalia Eisenmont"
    assert answerer._compose([j, j + 1], q, [read], read)[0].startswith(read)
    assert answerer._compose([j, j + 1], q, ["Natalia Eisenmont"], None)[0].startswith("Some results")
    # a whole sentence beside it is not dropped: here the reader's answer is in the other one
    answer = answerer.ask("Which sanctions weigh more heavily on the Belarusian economy, the EU's or the American ones?")
    assert not answer.refused and "EU sanctions" in answer.text


def test_an_excerpt_cut_inside_a_sentence_is_shown_with_an_ellipsis():
    from bot.answer import Answer

    def shown(text, **kw):
        return Answer(question="q", text=text, **kw).shown

    assert shown("but if the war continues, he will remain dependent on Moscow.") == "…but if the war continues, he will remain dependent on Moscow."
    assert shown("He hugged him.\n\n“My friend!”") == "He hugged him. “My friend!”"  # one line
    assert shown("Lukashenko hopes to meet with Zelenskyy, saying") == "Lukashenko hopes to meet with Zelenskyy, saying…"
    assert shown("expressing his support for them.”3") == "…expressing his support for them.”3"  # a footnote mark ends it
    # refusals and generative answers are shown as written
    assert shown("they don't state it", refused=True) == "they don't state it"
    assert shown("it was 18 years [1]", mode="generative") == "it was 18 years [1]"


def test_a_mid_sentence_answer_stays_verbatim_and_is_shown_with_an_ellipsis(answerer):
    from io import StringIO

    from rich.console import Console

    from bot.render import print_answer

    answer = answerer.ask("What happens to Lukashenko if the war goes on?")
    assert not answer.refused and answer.text.startswith("but if the war continues")
    assert answer.shown == "…" + answer.text
    (c,) = answer.citations
    assert_citation_is_verbatim(answerer, c)
    assert answer.text in c.quote
    out = StringIO()
    print_answer(Console(file=out, width=400, color_system=None), answer)
    assert out.getvalue().startswith("…but if the war continues")
    from bot.telegram.render import answer_blocks

    assert answer_blocks(answer)[0].plain == answer.shown + " [1]"  # Telegram shows it the same way
    assert json.loads(json.dumps(answer.to_dict()))["answer"] == answer.text  # the eval row keeps the excerpt as is


def test_a_question_in_another_script_is_told_to_ask_in_english(answerer):
    """The articles, the embedding model and the parser are English: "Кто такой Лукашенко?" was
    answered "I found nothing in the articles about “Кто такой Лукашенко”"."""
    for question in ("Кто такой Лукашенко?", "מי זה לוקשנקו?", "卢卡申科是谁？"):
        answer = answerer.ask(question)
        assert answer.refused and answer.reason == "not_english" and not answer.citations, question
        assert answer.text.startswith("I read English-language articles and answer questions asked in English")
    # a name written in another script inside an English question is still searched
    mixed = answerer.ask("Which outlet interviewed Boris Shmelyev (Борис)?")
    assert mixed.reason != "not_english"


def test_a_latin_script_question_in_another_language_is_told_to_ask_in_english(answerer):
    """"Wo hat Lukaschenko Kellogg getroffen?" was refused "they don't state it"."""
    for question in ("Wo hat Lukaschenko Kellogg getroffen?", "¿Dónde se reunió Lukashenko con Kellogg?",
                     "Qui a rencontré Kellogg ?", "Wie viele Gefangene wurden freigelassen?", "Kto uwolnił więźniów?"):
        answer = answerer.ask(question)
        assert answer.refused and answer.reason == "not_english" and not answer.citations, question
    from bot.answer import in_another_language

    # English, even without a question word, misspelt, or starting with a word other languages share;
    # names' particles and Latin phrases are no sign of another language (review)
    for question in ("Who did Lukashenko meet?", "Was Kellogg in Minsk?", "lukashenko kellogg meeting", "El Paso?",
                     "what did tikhanovskaya say", "Who is a political prisoner?", "wat did lukashenko sey to kelog",
                     "Potash sanctions de facto lifted?", "Ursula von der Leyen statement?", "Lula da Silva comments?",
                     "Charles de Gaulle mention?", "Lukashenko con man?", "Babaryka y Kalesnikava released?",
                     "Lukashenko met Kellogg when?"):
        assert not in_another_language(question, answerer._english_word), question
    assert answerer.ask("Potash sanctions de facto lifted?").reason != "not_english"
    assert answerer.ask("Where did Lukashenko meet Kellogg?").reason != "not_english"


def test_an_acronym_no_article_writes_is_read_as_the_name_a_retrieved_article_spells_out(answerer):
    from bot.answer import Answerer

    assert Answerer._spelled_in("cis", "the Russian Institute for the Commonwealth of Independent States and") == (
        "commonwealth", "of", "independent", "states")
    assert Answerer._spelled_in("cis", "Commonwealth Independent") is None
    assert Answerer._spelled_in("tp", "Minsk Talks\n\nThe President") is None  # not across lines or from "The"
    assert Answerer._spelled_in("nato", "the North Atlantic Treaty Organization said") == ("north", "atlantic", "treaty", "organization")
    # the seed articles never write "CIS"; one names Zarikhin's institute in full
    answer = answerer.ask("What post does Vladimir Zarikhin hold at the Russian institute for the CIS?")
    assert not answer.refused, answer.text
    assert "vice director" in answer.text and "Commonwealth of Independent States" in answer.text
    # an acronym no retrieved article spells out is still a name the articles lack
    assert answerer.ask("What post does Vladimir Zarikhin hold at the CIA?").refused


def test_a_capital_stands_for_its_country_only_where_it_acts_or_owns(answerer):
    from bot.support import analyse, name_in

    acting = analyse("What could Minsk get in return for releasing all political prisoners?", answerer.nlp)
    assert ("minsk", "belarus") in acting.names and name_in(("minsk", "belarus"), {"belarus", "sanctions"}, 0.75)
    assert ("moscow", "russia") in analyse("Why does Moscow's economy depend on oil?", answerer.nlp).names
    # a place the question is about keeps the city: "in Minsk" is not "in Belarus"
    assert ("minsk",) in analyse("When did Kellogg arrive in Minsk?", answerer.nlp).names
    assert ("minsk",) in analyse("What concessions will Lithuania make to Minsk?", answerer.nlp).names
    assert ("minsk",) in analyse("Is Minsk the capital?", answerer.nlp).names  # "be": no act
    assert ("minsk",) in analyse("When was Minsk founded?", answerer.nlp).names  # done to it, not by it
    assert ("berlin",) in analyse("Who is Berlin's mayor?", answerer.nlp).names  # the city's own
    # the one a thing is handed to is the government (holdout2 x047, x091); a destination is the city
    assert ("minsk", "belarus") in analyse("Is Lithuania prepared to give Minsk any concessions?", answerer.nlp).names
    assert ("kyiv", "ukraine") in analyse("What weapons has Washington threatened to hand over to Kyiv?", answerer.nlp).names
    assert ("minsk",) in analyse("Which city did Kellogg fly to after leaving Minsk?", answerer.nlp).names
    assert ("kyiv",) in analyse("Did Kellogg travel to Kyiv?", answerer.nlp).names
    # the article says "Belarus" (and "Lukashenko"), never "Minsk", for what it gets
    answer = answerer.ask("What could Minsk get in return for releasing all political prisoners?")
    assert not answer.refused and "sanctions" in answer.text, answer.text
    assert answerer.ask("When did Kellogg arrive in Minsk?").refused


@pytest.mark.parametrize("decorated", [
    f"{SHMELYEV_Q} 🤔", f"🇧🇾 {SHMELYEV_Q}", f"{SHMELYEV_Q} :)", f"{SHMELYEV_Q} ;-) 👍🏽", f"hmm 🧐🧐 {SHMELYEV_Q} xD",
])
def test_emoji_and_emoticons_are_not_part_of_the_question(answerer, decorated):
    from bot.answer import clean_question

    assert clean_question(decorated).replace("hmm ", "") == SHMELYEV_Q
    answer = answerer.ask(decorated)
    assert not answer.refused and "Svobodnaya Pressa" in answer.text


def test_a_question_of_emoji_only_is_an_empty_question(answerer):
    assert answerer.ask("🤔 👍🏽 :)").reason == "empty_question"
    # symbols that can be the question's own stay: degrees, currency, percent, copyright
    from bot.answer import clean_question

    assert clean_question("Is it 5°C, 10% or €3 © AP?") == "Is it 5°C, 10% or €3 © AP?"
    # emoticons go only before or after the question: inside it they may be its words
    for kept in ("Which towns are <3 km from the border?", "Who owns XD Inc?", "Is the score =3 now?"):
        assert clean_question(kept) == kept
    assert clean_question("Which country is 🇺🇸?") == "Which country is?"


def test_a_persons_view_is_not_answered_with_someone_elses_words(answerer):
    """Zelenskyy never speaks in the articles; Vasilyev's "Obviously, Lukashenko expects to get
    Boeing airplanes …" is his view, not Zelenskyy's (found as a follow-up: "What about
    Zelenskyy?" after asking what Vasilyev thinks)."""
    vasilyev = answerer.ask("What does Vladimir Vasilyev think Lukashenko expects to get from the US?")
    assert not vasilyev.refused and "Boeing" in vasilyev.text
    for asked in ("What does Zelenskyy think Lukashenko expects to get from the US?",
                  # spaCy tags "Zelenskyy" ORG here: a name the articles give a person counts as one
                  "What does Zelenskyy think about Lukashenko's expectations of the US?"):
        other = answerer.ask(asked)
        assert other.refused, other.text
    # a country or an office speaks through a spokesperson: its words are its view
    minsk = answerer.ask("Why, according to Minsk, was Tikhanyovski pardoned?")
    assert not minsk.refused and "was purely humanitarian" in minsk.text
    _, cands = answerer.explain("Why, according to Minsk, was Tikhanyovski let go?")
    assert not any(c.other_speaker for c in cands[:5])


def test_a_persons_words_are_not_a_narrators_sentence_or_an_interviewers_question(answerer):
    """A span whose one speaker is someone else, beside a sentence of narration, is not Putin's
    words; nor is an interviewer's question Zarikhin's assessment (holdout11 h11-038, h11-045:
    neither is quoted on it)."""
    assert answerer.ask('What did Vladimir Putin say about Lukashenko\'s offer of a "major agreement" with the United States?').refused
    assert answerer.ask("How did Vladimir Zarikhin assess the US threat to supply Tomahawk missiles to Ukraine?").refused
    answer = answerer.ask('What did Lukashenko say about a "major agreement" with the United States?')
    assert not answer.refused and "major agreement" in answer.text


def test_the_name_of_a_thing_must_be_a_name_the_question_does_not_give(answerer):
    from bot.support import analyse

    q = analyse("What is the name of the Belarusian potash company covered by the lifted US sanctions?", answerer.nlp)
    assert q.proper_name and q.hard_type and q.type_head == "company"
    # the articles say the sanctions on "Belarus's potash industry" were lifted, never which
    # company's: a name the question gives itself ("Belarus") is no answer
    company = answerer.ask("What is the name of the Belarusian potash company covered by the lifted US sanctions?")
    assert company.refused and company.support["wrong_kind"], (company.text, company.support)
    # a name of any label (spaCy calls the outlet "Svobodnaya Pressa" a work of art)
    outlet = answerer.ask("What is the name of the outlet that interviewed Boris Shmelyev?")
    assert not outlet.refused and "Svobodnaya Pressa" in outlet.text, outlet.support
    airline = answerer.ask("what is the name of the belarusian airline taken off the sanctions list")
    assert not airline.refused and "Belavia" in airline.text, airline.support
    # the title of a work: a name too ("the Carnegie Endowment for International Peace", which
    # the question gives itself, is not the commentary's title)
    title = answerer.ask("What is the title of Artyom Shraibman's commentary for the Carnegie Endowment?")
    assert title.refused and title.support["wrong_kind"], (title.text, title.support)
    # a person's first name stays the person-name rule's
    first = analyse("What is the first name of the analyst Shraibman?", answerer.nlp)
    assert not first.proper_name and first.type_head == "name"


def test_a_person_serving_the_role_asked_about_does_not_hold_it(answerer):
    # "Vsevolod Shemov, advisor to the Chairman of the Baltic Sea Research Association of
    # Russia": the chairman is never named
    chairman = answerer.ask("Who is the chairman of the Baltic Sea Research Association of Russia?")
    assert chairman.refused and chairman.support["other_role"], (chairman.text, chairman.support)
    # the role the person does hold is still an answer
    deputy = answerer.ask("Who is Kellogg's deputy?")
    assert not deputy.refused and "John Cole" in deputy.text


def test_an_untagged_name_read_as_the_answer_is_a_person_and_the_answer_its_sentence(answerer):
    # spaCy's small model tags "Natalia" a place and "Eisenmont" nothing: the read name is still
    # the person asked for, and the answer is its sentence, not the filler before the paragraph break
    answer = answerer.ask("Who is the press secretary of the Belarusian president?")
    assert not answer.refused and "wrong_kind" not in answer.support, answer.support
    assert answer.text.startswith("Belarusian President Press Secretary Natalia Eisenmont stated")
    assert "Some results have already been achieved" not in answer.text


def test_untagged_names():
    from bot.answer import _untagged_name

    assert _untagged_name("Natalia Eisenmont") and _untagged_name("Maryna Zolatava")
    assert not _untagged_name("Press Secretary") and not _untagged_name("The West")
    assert not _untagged_name("Eisenmont") and not _untagged_name("a lawyer") and not _untagged_name("EU Council")


def test_an_agent_noun_covers_its_short_verb(answerer):
    from bot.support import analyse, term_credits

    q = analyse("Which outlet did Maryna Zolatava edit?", answerer.nlp)
    assert "edit" in q.terms
    credits = dict(zip(q.terms, term_credits(q, {"tut.by", "editor", "maryna", "zolatava"}, {"tut.by", "editor", "maryna", "zolatava"})))
    assert credits["edit"] == 1.0 and credits["outlet"] == 0.0


def test_words_a_span_quotes_from_the_person_asked_about_are_theirs(answerer):
    # in Shmelyev's answer: "… after which Lukashenko had a catchphrase: "Trump promised to visit
    # (Belarus).""; the quote is Lukashenko's though the paragraph is Shmelyev's
    said = answerer.ask("After the phone call, what did Lukashenko keep saying Trump had promised him?")
    assert not said.refused and "Trump promised to visit" in said.text, said.support
    # the person spoken to is not the speaker: Kellogg's own words are never given
    spoken_to = answerer.ask("What did Kellogg himself say to Lukashenko during their meeting in Minsk?")
    assert spoken_to.refused, (spoken_to.text, spoken_to.support)


def test_a_name_that_introduces_a_quotation():
    from bot.speakers import quotes

    text = 'In this call, the presidents greeted each other warmly, after which Lukashenko had a catchphrase: "Trump promised to visit (Belarus)."'
    assert quotes(text, text.index("Lukashenko"), "Lukashenko")
    proposed = '"Svoboda": Lukashenko proposed, "If Zelenskyy refuses peace, he will lose the entire Ukraine."'
    assert quotes(proposed, proposed.index("Lukashenko"), "Lukashenko")
    assert not quotes(proposed, proposed.index("Zelenskyy"), "Zelenskyy")  # inside the quotation
    seen = '"Hey, good guy, how are you!" he exclaimed upon seeing Kellogg\'s deputy John Cole and hugged him.'
    assert not quotes(seen, seen.index("Kellogg"), "Kellogg")


@pytest.mark.parametrize("question, expected", [
    ("whos maryna zolatava exactly", "Tut.by editor Maryna Zolatava"),
    ("whats the name of lukashenkos press secretary", "Natalia Eisenmont"),
])
def test_a_contraction_typed_without_its_apostrophe_is_read_as_one(answerer, question, expected):
    """"whos" was parsed "who" + a verb "s", a term no article holds: refused."""
    q = answerer.analyse(answerer.truecase(question))
    assert "s" not in q.terms
    answer = answerer.ask(question)
    assert not answer.refused and expected in answer.citations[0].quote, answer.support


@pytest.mark.parametrize("fragment", ["😀💩", "👍🏽👨\u200d👩\u200d👧\u200d👦🇺🇦", ":) ", "\x00", " \t"])
def test_the_patterns_that_look_at_spaces_never_see_a_run_of_them(fragment, monkeypatch):
    """100 KB of emoji became 100 KB of spaces, over which the space-before-a-mark pattern
    backtracked quadratically: minutes for one question (the fuzz test's 100 KB examples). The
    patterns now see single spaces only (checked on what they are given, not by a clock)."""
    from bot import answer as answer_mod

    seen = []

    class Watch:
        def __init__(self, pattern):
            self.pattern = pattern

        def sub(self, repl, text):
            seen.append(text)
            return self.pattern.sub(repl, text)

    monkeypatch.setattr(answer_mod, "_SPACE_BEFORE_MARK_RE", Watch(answer_mod._SPACE_BEFORE_MARK_RE))
    monkeypatch.setattr(answer_mod, "_EMOTICONS_AROUND_RE", Watch(answer_mod._EMOTICONS_AROUND_RE))
    big = (fragment * (100_000 // len(fragment) + 1))[:100_000]
    answer_mod.clean_question(big)
    assert seen and not any("  " in text or "\t" in text or "\n" in text for text in seen)
    assert answer_mod.clean_question("Which country is 🇺🇸 ?") == "Which country is?"
    assert answer_mod.clean_question("  Who   met \t Kellogg ?  :) ") == "Who met Kellogg ?"


def test_a_publication_the_question_cites_is_named_by_its_whole_article(answerer):
    """"The Svobodnaya Pressa piece", "according to European Pravda", "the bne IntelliNews
    comment": the publication an article is by or from. Its article names it once (an
    interviewer's label, a byline), never beside the answer, so the whole article counts as
    naming it; and the piece "saying" something is what the article states, not reported speech."""
    q = answerer.analyse("Which missile does the Svobodnaya Pressa article say Belarus already has?")
    (k,) = q.outlets
    assert q.names[k][-2:] == ("svobodnaya", "pressa") and not q.speech
    q = answerer.analyse("Which analyst is quoted in the bne IntelliNews comment?")
    assert [q.names[k] for k in q.outlets] == [("intellinews",)] and "bne" not in q.terms
    assert answerer.analyse("Why, according to European Pravda, was Bialiatski deported?").outlets
    # a person is no publication, whatever spaCy's label: their words are their own
    assert not answerer.analyse("Why, according to Lukashenko, was Tikhanyovski pardoned?").outlets
    assert not answerer.analyse("Did Sergei Lavrov comment on Minsk's overtures?").outlets

    answer = answerer.ask("Which missile does the Svobodnaya Pressa article say Belarus already has?")
    assert not answer.refused and "Izumrud" in answer.text
    assert_citation_is_verbatim(answerer, answer.citations[0])
    answer = answerer.ask("Why, according to European Pravda, did Trump care personally about Bialiatski?")
    assert not answer.refused and "Nobel" in answer.text
    # still a near miss when the article does not say it
    assert answerer.ask("What does the Svobodnaya Pressa article say Maduro received?").refused
    assert answerer.ask("According to European Pravda, what did Macron say about the prisoners?").refused


def test_the_reader_reads_a_question_without_the_publication_it_cites():
    from types import SimpleNamespace

    from bot.answer import Answerer

    pravda = SimpleNamespace(outlets=(0,), names=[("european", "pravda")])
    svoboda = SimpleNamespace(outlets=(0,), names=[("svoboda",)])
    assert Answerer._without_outlets(pravda, "Why, according to European Pravda, did Trump care?") == "Why did Trump care?"
    assert Answerer._without_outlets(pravda, "According to European Pravda, what did Trump want?") == "What did Trump want?"
    assert Answerer._without_outlets(pravda, "What did Trump want, according to European Pravda?") == "What did Trump want?"
    assert Answerer._without_outlets(svoboda, "Where does Vasilyev work, per the Svoboda interview?") == "Where does Vasilyev work?"
    assert Answerer._without_outlets(svoboda, "What did Svoboda ask Vasilyev?") == "What did Svoboda ask Vasilyev?"  # its own doing


def test_a_compound_second_part_about_someone_else_takes_the_first_parts_phrase(answerer):
    """"What odds did Vasilyev give for a Lukashenko-Zelensky meeting, and what odds did Zarikhin
    give?": the second part is the first about Zarikhin, "for a … meeting" left unsaid."""
    answer = answerer.ask("What chance did Vladimir Vasilyev give for a Lukashenko-Zelensky meeting, "
                          "and what chance did Vladimir Zarikhin give?")
    assert not answer.refused and "50%" in answer.text and "5%" in answer.text
    parts = answer.support["parts"]
    assert parts[1]["question"] == "What chance did Vladimir Zarikhin give for a Lukashenko-Zelensky meeting?"


def test_who_is_a_person_with_a_description_after_the_name_asks_who_they_are(answerer):
    """"Who is Igor Shatov, the political scientist quoted about Kellogg's trip?": the description
    says which Igor Shatov; the answer is his description in the articles, whatever words the
    question's description used."""
    from bot.answer import Answerer

    assert Answerer._without_apposition("Who is Igor Shatov, the analyst quoted on the Kellogg visit?") == "Who is Igor Shatov?"
    assert Answerer._without_apposition("Who is Igor Shatov, and what did he say?") == "Who is Igor Shatov, and what did he say?"
    # a relative clause says which one too (conversations7 cv7-08, cv7-12: Vasilyev's introduction, a refusal)
    assert Answerer._without_apposition("Who is Boris Shmelyev, whom Svobodnaya Pressa interviewed about the deal?") == (
        "Who is Boris Shmelyev?")
    answer = answerer.ask("Who is Vladimir Zarikhin, whom Svoboda interviewed about Lukashenko?")
    assert not answer.refused and "vice director" in answer.text
    answer = answerer.ask("Who is Igor Shatov, the analyst quoted on the Kellogg visit?")
    assert not answer.refused and "Strategic Development Fund" in answer.text
    assert answer.question == "Who is Igor Shatov, the analyst quoted on the Kellogg visit?"  # as asked


def test_the_americans_are_the_united_states_the_articles_name(answerer):
    """"for the Americans", "American firms": the country, which the articles call the U.S. or
    the United States — as "Washington" already was."""
    from bot.support import name_in, words

    assert name_in(("americans",), set(words("the U.S. could conduct")), answerer.settings.name_match_ratio)
    answer = answerer.ask("What kind of imports could Lukashenko broker to Russia for the Americans?")
    assert not answer.refused and "parallel imports" in answer.text
    answer = answerer.ask("How could American firms help Belarusian potash get around the EU sanctions?")
    assert not answer.refused and "export it as their own" in answer.text
    assert answerer.ask("What did the Americans give Lukashenko in exchange for Bialiatski?").refused  # a near miss still


def test_chat_short_forms_and_openings_are_read_as_words():
    from bot.answer import Answerer

    assert Answerer._unabbreviated("quick q: whos the press sec of the belarus pres") == (
        "whos the press secretary of the belarus president")
    assert Answerer._unabbreviated("hey, how many yrs did he get") == "how many years did he get"
    assert Answerer._unabbreviated("how many ppl were freed approx") == "how many people were freed approximately"
    assert Answerer._unabbreviated("What did the U.S. say?") == "What did the U.S. say?"  # no short form inside a word
    assert Answerer._unabbreviated("hi") == "hi"  # a greeting alone stays one


def test_chat_questions_are_answered(answerer):
    answer = answerer.ask("quick q: how many yrs did tikhanovsky get")
    assert not answer.refused and "18 years" in answer.text
    answer = answerer.ask("who is the press sec of the belarusian pres")
    assert not answer.refused and "Eisenmont" in answer.text
    # a misspelled name opening the message is a name, not a word ("zarihin" for Zarikhin)
    q, _cands = answerer._run("zarihin odds on a lukashenko zelenskyy meeting?", {})
    assert ("zarihin",) in q.names and "zarihin" not in q.terms
    # a publication the parse took for a person: "the svobodnaya Pressa piece"
    q = answerer.analyse("what missile did Belarus receive? the svobodnaya Pressa piece mentions one")
    assert q.outlets and "svobodnaya" not in q.terms


def test_who_else_is_not_answered_by_the_person_the_question_names(answerer):
    """"Who else won the Nobel Peace Prize with Bialiatski?": the only laureate the articles name
    is Bialiatski, whose first name the reader read ("Ales"): nobody else, so a refusal."""
    answer = answerer.ask("who else won the nobel peace prize with bialiatski in 2022")  # holdout10 h10-61
    assert answer.refused
    answer = answerer.ask("Which Nobel Peace Prize winner was deported to Lithuania?")  # the plain question still
    assert not answer.refused and "Bialiatski" in answer.text


def test_a_speaker_named_by_first_name_and_patronymic_is_the_person_the_article_names_in_full(answerer):
    """'"Ukraine should be an independent sovereign country," Alexander Grigorievich clearly
    stated': the polite form of Alexander Lukashenko, whom the article names in full — his words
    for "what did Lukashenko say …"."""
    lib = answerer.library
    j = next(j for j in range(len(lib.sentences)) if "Alexander Grigorievich clearly stated" in lib.sentences[j].text)
    said = answerer._speakers.words(j)
    assert {"alexander", "lukashenko"} <= answerer._by_patronymic(said, lib.sentences[j].source)
    assert answerer._by_patronymic(frozenset({"ivanovich", "petrovich"}), lib.sentences[j].source) == frozenset()  # no first name
    assert answerer._by_patronymic(frozenset({"alexander", "said"}), lib.sentences[j].source) == frozenset()  # no patronymic
    answer = answerer.ask("What kind of country did Lukashenko say Ukraine should be?")
    assert not answer.refused and "independent sovereign country" in answer.text
    assert answerer.ask("What kind of country did Zelensky say Ukraine should be?").refused  # not his words


def test_what_reason_asks_why(answerer):
    """"What official reason did Minsk give for …": a why-question. The sentence that answers
    it gives the reason without the word ("was purely humanitarian - to allow him to …"), and
    "official" describing the reason is no asked type (it had asked for a person, an official)."""
    q = answerer.analyse("What official reason did Minsk give for letting Tikhanovskaya's husband go free?")
    assert q.wh == "why" and "reason" not in q.terms and not q.expected
    answer = answerer.ask("What official reason did Minsk give for letting Tikhanovskaya's husband go free?")  # holdout9 h9-054
    assert not answer.refused and "humanitarian" in answer.text
    assert answerer.analyse("Which official announced the pardon?").expected  # a head noun "official" still asks a type


def test_who_a_named_writer_wrote_for_is_not_a_question_about_the_author(answerer):
    """"Who did Artyom Shraibman write his commentary for?" gives the writer and asks for whom
    (the small model tags the name an ORG, so it is no doer): not "who wrote the commentary"."""
    answer = answerer.ask("Who did Artyom Shraibman write his commentary on Lukashenko for?")  # conversations4 cv4-21
    assert not answer.refused and "Carnegie" in answer.text
    answer = answerer.ask("who wrote the commentary on Lukashenko's approach to Trump?")
    assert not answer.refused and "Shraibman" in answer.text


def test_a_professional_background_asks_for_the_title_and_a_noun_after_did_is_not_asked(answerer):
    """"What was the professional background of Maryna Zolatava?" asks what she is ("Tut.by
    editor Maryna Zolatava"), a sentence that never says "background"; "what did the
    commentator say …" asks what was said, not for a commentator."""
    q = answerer.analyse("What was the professional background of Maryna Zolatava?")
    assert q.role and "background" not in q.terms and "professional" not in q.terms
    answer = answerer.ask("What was the professional background of Maryna Zolatava, one of the prisoners freed in December?")  # holdout11 h11-061
    assert not answer.refused and "editor" in answer.text
    assert answerer.analyse("What did the commentator say the visit looked like?").asked_noun is None
    assert answerer.analyse("What is the range of the missile?").asked_noun == "range"  # "is" still lets the noun through


def test_a_speaker_the_question_describes_is_the_one_the_article_introduces_so(answerer):
    """"the senior researcher at the Institute for U.S. and Canada Studies" is Vladimir Vasilyev,
    whom the article introduces so and whose dash answers never name him: the description's
    words count as the span's when its speaker's introduction holds them (holdout11 h11-041,
    holdout9 h9-004). Another description (the Carnegie analyst, Shraibman) is not his."""
    q = answerer.analyse("What American products does the senior researcher at the Institute for U.S. and Canada Studies "
                         "think Lukashenko expects to receive?")
    assert q.described == {"senior", "researcher"} and q.described_names
    answer = answerer.ask("What American products does the senior researcher at the Institute for U.S. and Canada Studies "
                          "think Lukashenko expects to receive?")
    assert not answer.refused and "Boeing" in answer.text
    answer = answerer.ask("Which city, rather than Istanbul, does the researcher from the US and Canada institute see as "
                          "the real link between Moscow and Kyiv?")
    assert not answer.refused and "Minsk" in answer.text
    assert answerer.ask("What American products does the Carnegie analyst think Lukashenko expects to receive?").refused
    assert answerer.ask("Which city does the Carnegie analyst see as the real link between Moscow and Kyiv?").refused
    # only a speaker is described: "the Belarusian leader embraced him" asks for no one's words,
    # and a title before a name ("political analyst Artyom Shraibman") names the person
    assert not answerer.analyse("How did John Coale reply when the Belarusian leader embraced him?").described
    assert not answerer.analyse("What did political analyst Artyom Shraibman write?").described
    # a possessor is not the one described ("Trump's former lawyer"), and "which political
    # analyst wrote …" asks for the analyst: no one is described
    assert answerer.analyse("What did Trump's former lawyer, now his envoy to Belarus, call a fair trade?").described == {"lawyer", "envoy"}
    assert not answerer.analyse("Which political analyst wrote the Carnegie Endowment commentary?").described
    # a person the span names counts as well as its speaker: "… said Igor Shatov, head of the
    # expert committee of the Strategic Development Fund" (train3 p213)
    answer = answerer.ask("What does the head of the Strategic Development Fund's expert committee think of Washington's "
                          "attempt to pull Minsk away from Moscow?")
    assert not answer.refused and "won't succeed" in answer.text


def test_places_hold_no_title(answerer):
    """"What roles do China and India play …?" asks for no person's title, as "What role does
    John Cole play?" does."""
    assert not answerer.analyse("What roles do China and India play in US pressure on Russia?").role
    assert answerer.analyse("What role does John Cole play on the American special representative's team?").role


def test_a_speakers_introduction_is_the_sentence_with_their_whole_name(answerer):
    """Not the first with one of its words: "John" alone found "… Special Representative for
    Ukraine John Kellogg" for John Cole, and which word was looked for depended on the order of
    a set (the answers changed with PYTHONHASHSEED)."""
    lib = answerer.library
    source = next(s.source for s in lib.sentences if "Kellogg's deputy John Cole" in s.text)
    lemmas, said = answerer._introduction(source, frozenset({"john", "cole"}))
    assert "deputy" in lemmas and "representative" not in lemmas and "cole" in said


def test_how_come_asks_why_and_actually_asks_what_is_so_instead_of_a_denial(answerer):
    """"How come Trump cared about Bialiatski?" is a why-question (its answer takes the sentence
    with the reason); "where does his authority actually come from" is answered by what the
    speaker says it comes from, after his "I don't think it comes from …" (train3 p040)."""
    assert answerer.analyse("How come Trump cared about Ales Bialiatski in particular?").wh == "why"
    answer = answerer.ask("How come Trump cared about Ales Bialiatski in particular?")
    assert not answer.refused and "Nobel Peace Prize" in answer.text
    answer = answerer.ask("where does lukashenko's authority actually come from according to zarikhin")
    assert not answer.refused and "balance" in answer.text
    answer = answerer.ask("Where does Lukashenko's authority come from, according to Zarikhin?")  # no "actually": as before
    assert not answer.refused


def test_a_scene_setting_clause_is_not_the_question_and_a_compound_may_be_answered_whole(answerer):
    """"When Lukashenko hugged a member of the US delegation …, who was that man and how was he
    related to Kellogg?" asks who (the "when" clause sets the scene), and its first part alone
    — "who was that man?" without "Kellogg" — is not answered: the whole is, as one question
    (holdout11 h11-002)."""
    question = 'When Lukashenko hugged a member of the US delegation and called him a "good guy", who was that man and how was he related to Kellogg?'
    assert answerer.analyse(question).wh == "who"
    assert answerer.analyse("When did Lukashenko meet Kellogg, and where?").wh == "when"
    answer = answerer.ask(question)
    assert not answer.refused and "Kellogg's deputy John Cole" in answer.text and "don't say" not in answer.text


def test_what_is_the_noun_of_asks_for_that_kind(answerer):
    """"What is the capital of Venezuela?" asks for a place, as "which city" does: the span that
    names only Venezuela and Belarus does not answer it (holdout12 h12-043, off-topic)."""
    q = answerer.analyse("What is the capital of Venezuela?")
    assert q.type_head == "capital" and "GPE" in q.expected
    assert answerer.ask("What is the capital of Venezuela?").refused


def test_why_takes_the_next_sentences_purpose_unless_a_sentence_already_gives_the_reason(answerer):
    """"Why was Tikhanyovski released, according to the press secretary?": the span about his
    sentence gives no reason for the release, the next one does ("was purely humanitarian - to
    allow him to reunite with his family"); "Why had Tikhanyovski been put in prison?" is
    answered by the sentence's own "for organizing mass unrest", without the release."""
    answer = answerer.ask("Why was Tikhanyovski released, according to the Belarusian presidential press secretary?")  # holdout12 h12-069
    assert not answer.refused and "reunite with his family" in answer.text
    answer = answerer.ask("Why had Tikhanyovski been put in prison?")
    assert not answer.refused and "mass unrest" in answer.text and "humanitarian" not in answer.text


def test_a_name_read_for_why_is_no_reason_to_cut_the_answer_around(answerer):
    """"Why is Kyiv unlikely to let Belarusian potash go through its ports?": the reader read
    "Odesa" in the two sentences, and the answer was cut to the one naming the port; the reason
    is the other one (holdout12 h12-011)."""
    answer = answerer.ask("Why is Kyiv unlikely to let Belarusian potash go through its ports?")
    assert not answer.refused and "complicit" in answer.text


def test_a_statement_then_the_question_asks_what_follows_the_dash(answerer):
    """"Vsevolod Shemov mentions an American who was released before Tikhanyovski - on what date
    was that?": the question is after the dash (a date the articles never give), not the
    relative "who" of the statement."""
    q = answerer.analyse("Vsevolod Shemov mentions an American who was released before Tikhanyovski - on what date was that?")
    assert q.wh == "what" and "DATE" in q.expected
    assert answerer.ask("Vsevolod Shemov mentions an American who was released before Tikhanyovski - on what date was that?").refused
    assert answerer.analyse("Which American was released before Tikhanyovski?").wh == "which"


def test_a_described_speaker_is_read_without_the_description_where_the_passage_introduces_him(answerer):
    """"According to the chief researcher at the Institute for the United States and Canada, what
    roles do China and India … play?": the passage that introduces Vasilyev answers "who", and
    the reader took his name; without the description it reads "sticks" (holdout11 h11-019)."""
    q = answerer.analyse("According to the chief researcher at the Institute for the United States and Canada, what roles do "
                         "China and India play?")
    assert q.described_as == "According to the chief researcher at the Institute for the United States and Canada"
    assert Answerer._without_described(q, q.text) == "What roles do China and India play?"
    answer = answerer.ask("According to the chief researcher at the Institute for the United States and Canada, what roles do "
                          "China and India, on the one hand, and Belarus, on the other, play in Washington's pressure on Russia?")
    assert not answer.refused and "sticks" in answer.text and "interviewed" not in answer.text


def test_the_expert_alone_is_any_expert_the_article_introduces(answerer):
    """"according to the expert" / "the analyst" describes no one in particular: any speaker the
    article introduces as an expert of some kind counts (Zarikhin is "vice director of the
    Russian Institute …", no "expert"; holdout14 h14-021 was refused)."""
    for question in ("why would meeting lukashenko be a bad look for zelensky according to the expert",
                     "According to the analyst, why could meeting Lukashenko mean downgrading for Zelenskyy?"):
        answer = answerer.ask(question)
        assert not answer.refused and "downgrading" in answer.text, (question, answer.text)
    assert answerer.ask("According to the analyst, what did Macron say about Lukashenko?").refused


def test_a_surname_is_read_as_the_passage_writes_the_whole_name_where_a_role_is_asked(answerer):
    """The reader matches words: "What is Shatov's affiliation?" read 0.1 above "no answer" against
    "… said Igor Shatov, head of the expert committee …", "What is Igor Shatov's affiliation?"
    8.1. Only for what a person is or where they work (holdout10 h10-08, holdout16 h16-037),
    one person asked about, and not the corpus's protagonists (any passage writes them so)."""
    passage = "\"It won't succeed,\" said Igor Shatov, head of the expert committee of the Strategic Development Fund."
    q = answerer.analyse("What is Shatov's affiliation?")
    assert answerer._in_full(q, q.text, passage) == "What is Igor Shatov's affiliation?"
    q = answerer.analyse("Why does Shatov doubt it?")  # not a role: as asked
    assert answerer._in_full(q, q.text, passage) == q.text
    q = answerer.analyse("Where does Lukashenko work?")
    assert answerer._in_full(q, q.text, "Belarusian President Alexander Lukashenko met Kellogg.") == q.text
    for question, expected in (("What is Shatov's affiliation?", "Strategic Development Fund"),
                               ("quick q: where does shemov work", "Baltic Sea Research Association")):
        answer = answerer.ask(question)
        assert not answer.refused and expected in answer.text, (question, answer.text)


def test_a_note_to_self_about_a_person_is_a_question_about_them(answerer):
    """An analyst's notes (holdout16): a person first, then what is asked of them."""
    for note, question in (("Zarikhin - which institute?", "Which institute is Zarikhin from?"),
                           ("Shatov affiliation?", "What is Shatov's affiliation?"),
                           ("Shemov - which organisation does he advise?", "Which organisation does Shemov advise?"),
                           ("Bialiatski: which country was he deported to?", "Which country was Bialiatski deported to?")):
        assert answerer._topic_first(note) == question
    # not a person the articles name, or nothing asked of them: as written
    for note in ("Belarus potash export volume - tonnes per year?", "Macron - which institute?",
                 "Svoboda interviews: Vasilyev vs Zarikhin - what odds?", "Trump's envoy for Belarus: who is it?"):
        assert answerer._topic_first(note) == note
    for note, expected in (("Zarikhin - which institute?", "Commonwealth of Independent States"),
                           ("Shatov affiliation?", "Strategic Development Fund")):
        answer = answerer.ask(note)
        assert not answer.refused and expected in answer.text, (note, answer.text)


def test_a_contrast_drawn_in_the_question_is_no_term():
    assert Answerer._without_asides("What roles do China and India, on the one hand, and Belarus, on the other, play?") == (
        "What roles do China and India and Belarus play?")
    assert Answerer._without_asides("On the other hand, what did he say?") == "What did he say?"
    assert Answerer._without_asides("Who is on the other side?") == "Who is on the other side?"


def test_a_name_cut_short_in_chat_is_the_name(answerer):
    """"luka" for Lukashenko, "lukas method" for his (holdout14): a word that is neither the
    articles' nor English and begins exactly one of their names. "tikh" begins two people's."""
    assert answerer.spell("which journalist did luka tell its time to start negotiations") == (
        "which journalist did lukashenko tell its time to start negotiations")
    assert answerer.spell("what does shraibman think lukas method with trump is") == (
        "what does shraibman think lukashenko's method with trump is")
    assert answerer.spell("Why did Luka go?") == "Why did Lukashenko go?"
    assert answerer.spell("what did tikh say") == "what did tikh say"
    assert answerer.spell("what did the plan say") == "what did the plan say"  # an English word
    answer = answerer.ask("which journalist did luka tell its time to start negotiations")
    assert not answer.refused and "Zarubin" in answer.text


@pytest.mark.parametrize("question", [
    "What exactly are the conditions of Lukashenko's 'good proposal' for mediation?",
    "whats actually in the 'good proposal' luka says trump heard in alaska",
    "whats in that 'future development plan for belarus-us relations' luka ordered",
])
def test_what_a_thing_holds_is_answered_only_by_a_span_that_says_it(answerer, question):
    """The spans name the proposal or the plan ("there is already a 'good proposal' for conflict
    mediation") and never say what is in it."""
    answer = answerer.ask(question)
    assert answer.refused and answer.reason == "unsupported", answer.text


def test_a_condition_asked_is_answered_by_one(answerer):
    answer = answerer.ask("On what condition would Minsk take Washington's demands into account?")
    assert not answer.refused and "as long as" in answer.text


def test_a_use_of_something_as_something_is_what_is_asked(answerer):
    """"using" is a stop word and "use" a word of asking ("what word did he use"); "using
    Belarus as" is the question (conversations5 cv5-13)."""
    assert "use" in answerer.analyse("What does Vladimir Vasilyev say the US is using Belarus as?").terms
    assert "use" not in answerer.analyse("What word did Vasilyev use?").terms
    answer = answerer.ask("What does Vladimir Vasilyev say the US is using Belarus as?")
    assert not answer.refused and "carrots" in answer.text


def test_the_condition_the_next_sentence_gives_is_the_answer(answerer):
    """"… willing to reach a 'major agreement' … ⏎ He said that as long as the United States
    considers the interests of Belarus, …" (conversations5 cv5-11)."""
    answer = answerer.ask("On what condition did Lukashenko say he is willing to reach the agreement with the US government?")
    assert not answer.refused and answer.text.startswith("He said that as long as")


def test_a_leading_and_keeps_a_yes_no_question_one(answerer):
    assert answerer.analyse("And did Lukashenko agree to the commitment?").wh == "yes_no"
    assert answerer.analyse("so is Vilnius willing?").wh == "yes_no"


def test_an_organisation_named_inside_the_read_answer_is_of_the_asked_kind(answerer):
    """"Whom does he advise, i.e. what organisation?" read "advisor to the Chairman of the Baltic
    Sea Research Association of Russia": its head is a person, the organisation is inside
    (holdout13 h13-002)."""
    answer = answerer.ask("Vsevolod Shemov is quoted on the US delegation's trip to Minsk. Whom does he advise, i.e. what organisation?")
    assert not answer.refused and "Baltic Sea Research Association" in answer.text


def test_what_the_asker_is_doing_is_no_part_of_the_question(answerer):
    from bot.answer import Answerer

    assert Answerer._unabbreviated("I'm checking the rail stat in the mediation piece: what share went through it?") == (
        "What share went through it?")
    assert Answerer._unabbreviated("I'm sure: what share?") == "I'm sure: what share?"
    answer = answerer.ask("I'm checking the rail stat in the Lukashenko mediation piece: before Poland shut the "
                          "Polish-Belarusian border, what share of China-EU railway freight went through it?")  # holdout13 h13-066
    assert not answer.refused and "90%" in answer.text


def test_a_measure_asked_is_answered_by_a_quantity(answerer):
    """"What is the range of the Izumrud missile system?": the article calls it "a remote missile
    system" and gives no range (holdout13 h13-001)."""
    q = answerer.analyse("What is the range of the Izumrud missile system Belarus has received?")
    assert q.type_head == "range" and "QUANTITY" in q.expected
    answer = answerer.ask("What is the range of the Izumrud missile system Belarus has received?")
    assert answer.refused and answer.reason == "unsupported", answer.text


@pytest.mark.parametrize("question", [
    "when luka yelled 'hey good guy' at kellogg who was he actually talking to",  # holdout14 h14-048: no comma
    "Lukashenko hugged one of Kellogg's people and called him a good guy. Who was that, and when had he last been to Belarus?",  # h13-053
])
def test_the_question_after_a_scene_or_a_statement_asks_who(answerer, question):
    assert answerer.analyse(question).wh == "who"
    answer = answerer.ask(question)
    assert not answer.refused and "Cole" in answer.text


def test_a_person_named_inside_the_read_answer_is_of_the_asked_kind(answerer):
    """"which other leader is luka trying to compete with" read "Erdogan's frequent participation
    in international mediation, …": its head is no leader, Erdogan inside it is (holdout14 h14-005)."""
    answer = answerer.ask("which other leader is luka trying to compete with as a world mediator")
    assert not answer.refused and "Erdogan" in answer.text


def test_an_adverb_before_a_name_is_no_first_name(answerer):
    """WordNet has no adverbs: "actually" before a capitalised word is not taken for a first name."""
    assert "Actually" not in answerer.truecase("what did trump actually post about shraibman")
    assert answerer.truecase("what does artem shraibman say").startswith("what does Artem Shraibman")


def test_a_second_round_of_reading_when_the_first_finds_no_answer(answerer):
    """"what did lukashenko say ukraine should be": the first two passages read hold no answer;
    the next best span does ("Ukraine should be an independent sovereign country")."""
    answer = answerer.ask("what did lukashenko say ukraine should be")
    assert not answer.refused and "independent sovereign country" in answer.text


def test_what_positions_have_they_taken_asks_a_stance_whatever_the_parse(answerer):
    """The parse makes "positions" the subject of "have" (holdout14 h14-004); the stance is asked
    all the same: "more moderate stances, calling for dialogue"."""
    q = answerer.analyse("What positions have Babariko and Kolesnikova taken since their release?")
    assert "position" in q.terms
    answer = answerer.ask("What positions have Babariko and Kolesnikova taken since their release?")
    assert not answer.refused and "moderate stances" in answer.text


def test_what_is_so_in_theory_after_a_denial(answerer):
    """"what can belarus actually offer the us in return": "… he has not proposed any substantial
    conditions. ⏎ Theoretically, Belarus can offer the U.S. potash, …" (holdout14 h14-043); the
    interviewer's question before the denial is no part of the answer."""
    answer = answerer.ask("what can belarus actually offer the us in return, according to shmelyev")
    assert not answer.refused and "potash" in answer.text and "What can he offer" not in answer.text


def test_a_correction_before_the_question_is_no_part_of_it():
    from bot.answer import Answerer

    assert Answerer._unabbreviated("No, I mean his other interview, the one about the deal with the us. what does Vladimir "
                                   "Vasilyev think Lukashenko expects to get?") == (
        "What does Vladimir Vasilyev think Lukashenko expects to get?")  # conversations5 cv5-13
    # the name the question's pronoun means is in the correction: kept
    assert Answerer._unabbreviated("no i mean kellogg. when did he arrive?") == "no i mean kellogg. when did he arrive?"


def test_what_someone_warned_is_what_they_said(answerer):
    """"What did Lukashenko warn would happen if Kyiv says no?": the article has him propose it
    ("If Zelenskyy refuses peace, he will lose the entire Ukraine"); "warn" asks for words, as
    "say" does (conversations3 cv3-06)."""
    assert "warn" not in answerer.analyse("What did Lukashenko warn would happen if Kyiv says no?").terms
    answer = answerer.ask("What did Lukashenko warn would happen if Kyiv says no?")
    assert not answer.refused and "lose the entire Ukraine" in answer.text


def test_a_statement_ending_in_dots_before_the_question(answerer):
    """"so trump promised to visit belarus.. when is he going" asks when (holdout14 h14-016): the
    articles report the promise and give no date."""
    assert answerer.analyse("so trump promised to visit belarus.. when is he going").wh == "when"
    answer = answerer.ask("so trump promised to visit belarus.. when is he going")
    assert answer.refused and answer.reason == "unsupported", answer.text


@pytest.mark.parametrize("question", [
    "did maduro accept lukas offer of a safe haven in belarus",  # holdout14 h14-024
    "Did Zelenskyy accept Putin's invitation to come to Moscow?",  # holdout2 x044
])
def test_taking_up_an_offer_is_a_reaction_the_offer_does_not_report(answerer, question):
    answer = answerer.ask(question)
    assert answer.refused and answer.reason == "unsupported", answer.text


def test_odds_are_a_likelihood_whatever_the_word(answerer):
    """"zarihin odds on a lukashenko zelenskyy meeting?" (holdout10 h10-11): the article says
    "the possibility of both sides meeting is low, only 5%"; odds, chances, probability,
    likelihood and possibility are one another's words."""
    answer = answerer.ask("zarihin odds on a lukashenko zelenskyy meeting?")
    assert not answer.refused and "5%" in answer.text


def test_a_claim_given_to_be_checked_is_asked_as_is_it_true():
    """A fact-checker's wrappers (holdout17): "right", "correct", "draft" are no terms."""
    for asked, expected in (
        ("Is it right that Vladimir Zarikhin puts the odds at only 5%?", "Is it true that Vladimir Zarikhin puts the odds at only 5%?"),
        ("Can you confirm that Lukashenko met Kellogg in Minsk?", "Is it true that Lukashenko met Kellogg in Minsk?"),
        ("My draft says Tsikhanouski got a 15-year term. Is that number right?", "Is it true that Tsikhanouski got a 15-year term?"),
        ("The draft says 52 prisoners were freed - correct?", "Is it true that 52 prisoners were freed?"),
        ("Our draft says Babaryka took a tougher line. Does the article support that?", "Is it true that Babaryka took a tougher line?"),
    ):
        assert Answerer._claim_checked(asked) == expected
    for asked in ("Who is right?", "Is Shatov right?", "Which figure is correct?",
                  "Copy has Lukashenko meeting Kellogg somewhere in Minsk - which building?"):
        assert Answerer._claim_checked(asked) == asked


def test_a_claim_with_a_figure_or_place_the_articles_contradict_is_answered_with_theirs(answerer):
    """"My draft says … 15-year prison term. Is that number right?" (holdout17 h17-003): asked
    again without the figure, the answer gives the article's 18 years; "in Geneva" gets
    "in Alaska". An institution no article names ("a vote in Congress") is no place to correct:
    refused."""
    for question, expected in (
        ("My draft says Tsikhanouski had been given a 15-year prison term. Is that number right?", "18 years"),
        ("Our draft says Trump was briefed on the conditions of Lukashenko's mediation proposal in Geneva. Correct?", "Alaska"),
    ):
        answer = answerer.ask(question)
        assert not answer.refused and expected in answer.text, (question, answer.text)
        assert answer.question == question
    assert answerer.ask("Our draft says the lifting of U.S. sanctions on Belavia followed a vote in Congress - is that correct?").refused


def test_a_publication_the_question_cites_is_the_article_read(answerer):
    """"In the Svobodnaya Pressa article, …" (conversations8 cv8-15): the one retrieved article
    that names the publication word for word is the one answered from ("Svoboda" is another's)."""
    answer = answerer.ask("In the Svobodnaya Pressa article, how does Vasilyev say Trump will treat Lukashenko?")
    assert not answer.refused and "chewing gum" in answer.text
    assert answer.citations[0].source.startswith("002_")


def test_who_is_x_with_a_participle_after_the_name_asks_who_x_is(answerer):
    assert Answerer._without_apposition("Who is Boris Shmelyev, interviewed by Svobodnaya Pressa?") == "Who is Boris Shmelyev?"
    answer = answerer.ask("Who is Boris Shmelyev, interviewed by Svobodnaya Pressa?")
    assert not answer.refused and "doctor of history" in answer.text


def test_how_long_is_not_answered_by_a_year(answerer):
    """"How long had Bialiatski been in prison?" (holdout18 h18-060): the reader's "2022" is a
    date, no duration; the articles never say how long."""
    assert answerer.ask("How long had Ales Bialiatski been in prison?").refused
    answer = answerer.ask("How long was Tikhanovsky sentenced to?")
    assert not answer.refused and "18 years" in answer.text


def test_how_old_is_not_answered_by_a_year(answerer):
    """"How old is Lukashenko?" (holdout18 h18-051): the reader's "2025" is the article's date."""
    assert answerer.ask("How old is the Belarusian president Alexander Lukashenko?").refused


def test_a_why_answer_of_two_sentences_is_cut_around_the_one_the_reader_read(answerer):
    """holdout18 h18-052: the span is "A more radical option … via Odesa has been floated. But
    that is also unlikely as Kyiv considers Lukashenko complicit …"; the answer is the second."""
    answer = answerer.ask("Why is Kyiv unlikely to let Belarus export potash through the port of Odesa?")
    assert not answer.refused and "complicit" in answer.text and "floated" not in answer.text


def test_who_wrote_is_answered_by_a_writer_not_by_an_interviewee(answerer):
    """"Who wrote the Svobodnaya Pressa article?": it has no byline, and "Svobodnaya Pressa
    interviewed Vladimir Vasilyev" names no writer; "the article by Yurii Panchenko" does."""
    assert answerer.ask("Who wrote the Svobodnaya Pressa article?").refused
    answer = answerer.ask("Who wrote the European Pravda analysis of Trump's deal with Belarus's dictator?")
    assert not answer.refused and "Yurii Panchenko" in answer.text


def test_a_yes_no_question_about_a_persons_view_is_answered_with_their_words(answerer):
    """"Does Igor Shatov believe Washington can succeed in pulling Belarus away from Russia?"
    (in six question sets): the span that says what the question says names no Shatov; two
    sentences on, past the article's own question, is his verdict, which the answer keeps."""
    answer = answerer.ask("Does Igor Shatov believe Washington can succeed in pulling Belarus away from Russia?")
    assert not answer.refused and "It won't succeed" in answer.text and "said Igor Shatov" in answer.text


def test_the_piece_by_an_author_is_the_article_their_byline_names(answerer):
    """"In the piece by Dmitriy Rodionov, …" (conversations9 cv9-05): the article whose author
    he is; an author no article has leaves the question as it is."""
    cut, source = answerer._article_reference("In the piece by Dmitriy Rodionov, what does the commentator say the U.S. may offer Minsk?")
    assert source.startswith("000_") and cut == "What does the commentator say the U.S. may offer Minsk?"
    assert answerer._article_reference("In the piece by John Smith, what did Lukashenko say?") == (
        "In the piece by John Smith, what did Lukashenko say?", None)


def test_a_laureate_is_a_winner(answerer):
    """holdout5 h5a33: "the Nobel laureate Ales Byalyatski" is the article's "2022 Nobel Peace
    Prize winner Ales Bialiatski", who was deported to Lithuania."""
    answer = answerer.ask("Where was the Nobel laureate Ales Byalyatski sent after being freed?")
    assert not answer.refused and "Lithuania" in answer.text


def test_the_same_thing_asked_of_two_people_is_asked_of_each():
    """"How did Vasilyev's and Zarikhin's estimates … differ?" (holdout19 h19-078), "Vasilyev vs
    Zarikhin - what odds does each give …?" (holdout16 h16-033): one question per person. A
    comparison with a third party is not split."""
    assert split_compound("How did Vasilyev's and Zarikhin's estimates of the chances of a meeting differ?") == [
        "What were Vasilyev's estimates of the chances of a meeting?", "What were Zarikhin's estimates of the chances of a meeting?"]
    assert split_compound("Svoboda interviews: Vasilyev vs Zarikhin - what odds does each give a meeting?") == [
        "What odds does Vasilyev give a meeting?", "What odds does Zarikhin give a meeting?"]
    for question in ("How do Babaryka and Kalesnikava's positions differ from Tsikhanouskaya's since their release?",
                     "How did Lukashenko and Kellogg meet?"):
        assert split_compound(question) == [question]


def test_two_peoples_estimates_compared_are_each_shown_with_whose_they_are(answerer):
    answer = answerer.ask("How did Vasilyev's and Zarikhin's estimates of the chances of a Lukashenko-Zelensky meeting differ?")
    assert not answer.refused and "Vladimir Vasilyev: " in answer.text and "Vladimir Zarikhin: " in answer.text
    assert "50%" in answer.text and "5%" in answer.text


def test_an_articles_publisher_is_a_publication_however_the_question_words_it(answerer):
    """"Which well-known prisoners does bne IntelliNews name …?" (conversations9 cv9-20): bne
    IntelliNews is the publisher in article 004's metadata, so it is cited as a publication
    (its article read, "bne" no term); "well-known" is the article's "most famous"."""
    q, _hits, _cands = answerer.retrieve("Which well-known prisoners does bne IntelliNews name among the 123 released on December 13?", {})
    assert q.outlets and q.article.startswith("004_") and "bne" not in q.terms and "famous" in q.terms
    answer = answerer.ask("Which well-known prisoners does bne IntelliNews name among the 123 released on December 13?")
    assert not answer.refused and "Bialiatski" in answer.text


def test_a_second_question_opening_with_a_preposition_is_a_second_question():
    """"…, and after whose visit to Minsk did this happen?" (holdout18 h18-041)."""
    assert split_compound("How many people did he pardon, and after whose visit to Minsk did this happen?") == [
        "How many people did he pardon?", "After whose visit to Minsk did this happen?"]


def test_most_of_is_the_majority_of(answerer):
    """"Where were most of the political prisoners freed in December deported to?"
    (conversations6 cv6-17): "The majority of the political prisoners … were deported to
    Ukraine", not the sentence before it about where they went in the past."""
    q = answerer.analyse("Where were most of the political prisoners deported to?")
    assert "majority" in q.terms
    answer = answerer.ask("Where were most of the political prisoners freed in December deported to?")
    assert not answer.refused and "Ukraine" in answer.text


def test_a_first_question_opening_with_a_preposition_is_split_too():
    """"To which country were most of the prisoners … deported, and who reportedly took that
    decision?" (holdout8 h8-068)."""
    assert split_compound("To which country were most of the prisoners deported, and who reportedly took that decision?") == [
        "To which country were most of the prisoners deported?", "Who reportedly took that decision?"]


def test_a_publisher_asked_as_the_one_quoting_is_read_as_the_article(answerer):
    """"Which analyst does bne IntelliNews quote on how Lukashenko handles Trump?" (conversations6
    cv6-21): the publisher is named in full and the reader reads "… does the article quote …",
    since the article's sentences never name their publisher; a date asked of the publisher keeps it."""
    q = answerer.analyse("Which analyst does bne IntelliNews quote on how Lukashenko handles Trump?")
    q = answerer._publisher_named(q)
    assert ("bne", "intellinews") in q.names
    passage = "“Lukashenko is using the same approach …,” political analyst Artyom Shraibman wrote."
    assert answerer._without_outlets(q, q.text, passage) == "Which analyst does the article quote on how Lukashenko handles Trump?"
    assert answerer._without_outlets(q, q.text, "By bne IntelliNews December 23, 2025") == q.text  # a passage that names it
    answer = answerer.ask("Which analyst does bne IntelliNews quote on how Lukashenko handles Trump?")
    assert not answer.refused and "Artyom Shraibman" in answer.text
    q = answerer._publisher_named(answerer.analyse("On what date did bne IntelliNews publish its comment?"))
    assert "bne IntelliNews" in answerer._without_outlets(q, q.text, passage)


def test_a_claim_putting_something_in_a_place_the_articles_know_is_corrected_with_theirs(answerer):
    """"most of the freed prisoners were sent to poland right?" (holdout14 h14-077): Poland is in
    the articles, but not as where they went; asked again without "to poland", the answer says
    Ukraine. A claim about a place whose answer names no other place stays refused."""
    answer = answerer.ask("most of the freed prisoners were sent to poland right?")
    assert not answer.refused and "Ukraine" in answer.text and "Poland" not in answer.text
    assert answerer.ask("Is it right that Maria Kalesnikava held a press conference in Kyiv right after she was deported?").refused


def test_a_publications_author_and_an_opinion_verb_ask_for_what_the_article_says(answerer):
    """holdout19 h19-019: "What does the bne IntelliNews author argue …?" was refused for
    "author" and "argue", which no sentence of the article says; the byline's author is the
    publication's, and "argue" asks for a view as "say" does. "Which Newsmax journalist …"
    still asks for the journalist."""
    q = answerer.analyse("What does the bne IntelliNews author argue Lukashenko is doing with Trump?")
    assert "author" not in q.terms and "argue" not in q.terms
    answer = answerer.ask("What does the bne IntelliNews author argue Lukashenko is doing with Trump?")
    assert not answer.refused and answer.citations[0].source.startswith("004_") and "flatter" in answer.text
    assert "journalist" in answerer.analyse("Which Newsmax journalist did the interview with Lukashenko?").terms


def test_per_a_publication_the_model_tags_a_person_cites_the_publication(answerer):
    """holdout20 h20-017: "per Svobodnaya Pressa" (tagged PERSON) was refused: a name the articles
    give no person, that a question cites, is a publication, as "according to" one is."""
    answer = answerer.ask("What missile has Belarus already received, per Svobodnaya Pressa?")
    assert not answer.refused and "Izumrud" in answer.text


@pytest.mark.parametrize("asked, read", [
    ("Where were most of the Dec 13 releasees deported?", "Where were most of the December 13 releasees deported?"),
    ("released on 13 dec. 2025?", "released on 13 December 2025?"),
    ("annual transit value thru that border, EUR", "annual transit value through that border, euros"),
    ("can you tell me who boris shmeliov is", "who is boris shmeliov?"),
    ("Do you know how many prisoners kellogg took out of belarus", "How many prisoners kellogg took out of belarus"),
    ("Quote exactly what he says about the structure of the opposition.", "What does he say about the structure of the opposition?"),
    ("Check why Russia's northern ports don't work as an outlet for the potash.",
     "Why Russia's northern ports don't work as an outlet for the potash?"),
    ("List the goods Shmelyev says Belarus could in theory sell to the US.",
     "What are the goods Shmelyev says Belarus could in theory sell to the US?"),
    ("For the 6 o'clock bulletin, I want the sarcastic label Lukashenko pinned on Kellogg. What was it?",
     "What is the sarcastic label Lukashenko pinned on Kellogg?"),
    ("Give me the number of prisoners freed on 13 December", "What is the number of prisoners freed on 13 December?"),
    ("Name the press secretary of Lukashenko", "What is the name of the press secretary of Lukashenko?"),
    ("Name the two countries Zarikhin says Trump may mix up.", "What are the two countries Zarikhin says Trump may mix up?"),
    ("How many political prisoners does Belarus still hold? Need it for the intro.", "How many political prisoners does Belarus still hold?"),
    ("One for the producer: what gift from Trump does Vasilyev mention?", "What gift from Trump does Vasilyev mention?"),
    ("Different article now: when did Trump phone Lukashenko?", "When did Trump phone Lukashenko?"),
    ("Switching gears - who is Igor Shatov?", "Who is Igor Shatov?"),
    ("I'm presenting on Sergey Tikhanyovski. Who announced that Lukashenko had pardoned him?",
     "Who announced that Lukashenko had pardoned Sergey Tikhanyovski?"),
    ("I'm writing about Maria Kolesnikova: what was her role?", "what was Maria Kolesnikova's role?"),
    ("We're doing a project on the potash sanctions. What did the US lift?", "What did the US lift?"),
    ("I mar 3 things", "I mar 3 things"),  # a verb, not March
    ("can you tell me what happened", "can you tell me what happened"),  # too short to be read alone
])
def test_chat_short_forms_and_indirect_questions_are_read_as_plain_questions(asked, read):
    """holdout20/holdout21/holdout22/conversations10: month and currency short forms, "thru", a
    question asked indirectly ("can you tell me who …", "quote what he says …", "check why …"),
    a request for a thing ("List the goods …", "Name the …") and what is said around a question
    ("For the 6 o'clock bulletin, …", "… Need it for the intro.")."""
    assert Answerer._unabbreviated(asked) == read


def test_an_indirect_who_is_question_is_an_identity_question(answerer):
    """holdout21 h21-052: "can you tell me who boris shmeliov is" was refused (its root "tell"
    was no "who is"); and "who is this guy" asks who the person named is (h21-024)."""
    answer = answerer.ask("can you tell me who boris shmeliov is")
    assert not answer.refused and "doctor of history" in answer.text
    assert "guy" not in answerer.analyse("igor shatov, who is this guy").terms


def test_the_reader_reads_the_passages_spelling_of_a_name_and_its_paraphrase(answerer):
    """"Who announced that Tikhanovsky was pardoned?" was refused: the reader read it as
    "Tikhanyovskaya" (his wife, whom SequenceMatcher rated closer than "Tikhanyovski") and
    "announced" where the passage says "stated". Fewest edits first, and the paraphrase."""
    q = answerer.analyse("Who announced that Tikhanovsky was pardoned?")
    passage = ("Belarusian President Press Secretary Natalia Eisenmont stated that Lukashenko pardoned opposition politician "
               "Sergey Tikhanyovski. The release of this candidate's husband, Svetlana Tikhanyovskaya, was humanitarian.")
    asked = answerer._worded_as(q, answerer._spelled_as(q, passage), passage)
    assert asked == "Who stated that Tikhanyovski was pardoned?"
    answer = answerer.ask("Who announced that Tikhanovsky was pardoned?")
    assert not answer.refused and "Eisenmont" in answer.text and answer.support["reader_answer"] == "Natalia Eisenmont"
    q = answerer.analyse("Which Nobel Peace Prize winner was freed?")
    assert answerer._paraphrased_as(q, q.text, "including Nobel laureate Ales Bialiatski") == "Which Nobel Peace Prize laureate was freed?"


def test_a_query_in_keywords_is_asked_as_a_question(answerer):
    """holdout20 h20-074 / holdout10 h10-17: "Lukashenko press sec name" and "kelog deputy name?"
    were refused, read as keywords by a reader and ranker that learnt from questions: asked as
    "What is …?". A bare topic ("Tikhanovsky") stays an overview, and a fragment that asks one
    fact of its topic ("Tsikenovich first name?", whose first name no article gives) is no topic
    but a question, refused (h20-041)."""
    answer = answerer.ask("Lukashenko press sec name")
    assert not answer.refused and "Eisenmont" in answer.text and answer.support["read_as"].startswith("What is ")
    assert "overview" in answerer.ask("Tikhanovsky").support
    answer = answerer.ask("Tsikenovich first name?")
    assert answer.refused and "overview" not in answer.support
    assert not answerer.analyse("and in return?").fragment  # a conversation's ellipsis, not keywords


def test_which_prison_asks_for_a_named_prison(answerer):
    """holdout2 x054, holdout9 h9-064, holdout19 h19-077: "In which prison was X held?" was
    answered with the sentence about his pardon or the country he was deported to; a prison is a
    named place. (holdout20's "Which prison was Bialiatski held in?" is still answered.)"""
    assert answerer.ask("In which prison was Sergei Tikhanovsky held before his pardon?").refused
    assert answerer.ask("In which prison was Viktar Babaryka held before his release?").refused


@pytest.mark.parametrize("asked", ["When did Trump phone Lukashenko?", "when did trump phone lukashenko"])
def test_an_occasion_answers_when(answerer, asked):
    """holdout and dialogue sets: "when did Trump phone Lukashenko?" was refused because the
    articles give no date, only the occasion ("during his trip to the Anchorage summit"), which
    answers "when" as well."""
    answer = answerer.ask(asked)
    assert not answer.refused and "Anchorage" in answer.text


def test_an_occasion_is_no_date_for_what_date(answerer):
    """The occasion answers "when", not "on what date": the articles give none for the call."""
    assert answerer.ask("On what date did Trump phone Lukashenko?").refused


def test_a_title_asked_as_a_position_is_read_as_a_job(answerer):
    """conversations10 cv10-08: "What is Vladimir Zarikhin's position …?" was answered with the
    sentence introducing Vasilyev — the reader read "position" as a stance; asked for his job it
    reads the title ("vice director of the Russian Institute …")."""
    answer = answerer.ask("What is Vladimir Zarikhin's position, according to the Svoboda article on Lukashenko's peace initiative?")
    assert not answer.refused and "vice director" in answer.text
    q = answerer.analyse("Give me Vsevolod Shemov's job title as the commentary piece describes it.")
    assert "job job" not in Answerer._as_job(q, q.text)


def test_a_view_asked_for_is_what_the_speaker_thinks_instead_of_what_he_denies(answerer):
    """conversations7/12, conversations_dev: "Where does Zarikhin think Lukashenko's authority
    comes from?" was answered with his denial ("I don't think … comes from his role in quelling
    the rebellion …"); his view is the next sentence."""
    answer = answerer.ask("Where does Vladimir Zarikhin think Lukashenko's authority comes from?")
    assert not answer.refused and "wise policy" in answer.text
    # conversations13 cv13-10: what he says, as what he thinks
    answer = answerer.ask("Where does Vladimir Zarikhin say Lukashenko's authority comes from?")
    assert not answer.refused and "wise policy" in answer.text


@pytest.mark.parametrize("asked", [
    "how many years of his 18 year sentence did tikhanyovski actually serve",
    "How much time did Tikhanyovski spend in prison?",
])
def test_time_served_is_not_the_sentence_passed(answerer, asked):
    """The articles give Tikhanyovski's sentence (18 years), never how long he served: the
    sentence's length does not answer the time served (holdout11/17/22, conversations9/11)."""
    assert answerer.ask(asked).refused
    answer = answerer.ask("How long was Tikhanyovski sentenced to?")
    assert not answer.refused and "18 years" in answer.text


def test_a_reading_that_only_names_the_asked_thing_answers_no_which(answerer):
    """holdout24 h24-064, train tu004: "Which specific proposal of Donald Trump …?" read "Donald
    Trump's proposal" — the asked thing named, not which one; a choice the question offers is
    still answered with one of its options."""
    assert answerer.ask("Which specific proposal of Donald Trump was Lukashenko referring to when he said he fully supports it?").refused
    answer = answerer.ask("Which sanctions are more significant for the Belarusian economy, the EU ones or the American ones?")
    assert not answer.refused and "EU sanctions" in answer.text


def test_a_journalist_asked_for_is_the_editor_the_articles_name(answerer):
    """holdout2/15/21, conversations12: "which tut.by journalist was freed in december" was
    refused — the articles call her "Tut.by editor Maryna Zolatava"."""
    answer = answerer.ask("which tut.by journalist was freed in december")
    assert not answer.refused and "Zolatava" in answer.text


def test_a_read_answer_cut_at_a_dot_inside_a_name_is_taken_to_the_names_end(answerer):
    """The reader's tokens stop at the dot of "Tut.by": read for "the editor of which outlet?" it
    gave "Tut"; the answer it found is the whole name."""
    from bot.answer import _whole_words

    text = "Nobel laureate Ales Bialiatski, and Tut.by editor Maryna Zolatava."
    at = text.index("Tut")
    assert _whole_words(text, at, at + 3) == "Tut.by"
    assert _whole_words(text, 0, 5) == "Nobel"  # a whole word stays as it is
    answer = answerer.ask("Maryna Zolatava, freed on December 13, is described as the editor of which outlet?")
    assert (answer.support or {}).get("reader_answer") == "Tut.by"


@pytest.mark.parametrize("text, parts", [
    ("I'm prepping a segment on the Kellogg visit. Before the quotes I want the setting right: where exactly did "
     "Lukashenko sit down with Kellogg? I forget which palace.",
     ("I'm prepping a segment on the Kellogg visit. Before the quotes I want the setting right",
      "Where exactly did Lukashenko sit down with Kellogg?")),
    ("Lukashenko met U.S. Special Representative John Kellogg in Minsk. Who else was there?",
     ("Lukashenko met U.S. Special Representative John Kellogg in Minsk.", "Who else was there?")),
    ("Correct me if I'm wrong, but he said it to Cole, right? Who is Cole?",
     ("Correct me if I'm wrong, but he said it to Cole, right?", "Who is Cole?")),
    ("Prisoners used to go to Lithuania. This time was different, so where were most of them sent?",
     ("Prisoners used to go to Lithuania. This time was different", "Where were most of them sent?")),
    ("Where did Lukashenko meet Kellogg?", None),
    ("When did the U.S. Special Representative meet Lukashenko?", None),  # an initial, a title: no sentence ends
    ("Why did Mr. Coale go to Minsk?", None),
    ("Mr. Coale went to Minsk. Why?", ("Mr. Coale went to Minsk.", "Why?")),
    ("Vasilyev on a Lukashenko-Zelenskyy meeting: what odds did he give?", None),  # one question
    # holdout34 (radio phone-in callers): a remark, a dash, the question, in one sentence
    ("Sorry, I missed the start - who was it that announced Lukashenko had pardoned Tikhanyovski?",
     ("Sorry, I missed the start", "Who was it that announced Lukashenko had pardoned Tikhanyovski?")),
    ("Morning! I caught a clip of Lukashenko meeting the American envoy - whereabouts in Minsk did that meeting take place?",
     ("Morning! I caught a clip of Lukashenko meeting the American envoy", "Whereabouts in Minsk did that meeting take place?")),
    ("Lukashenko-Zelensky meeting - what odds did Vasilyev give?", None),  # a topic, no remark: one question
    ("People talk like Belarus is just a puppet of Moscow, but according to the analyst, what does Russia provide for Belarus?",
     ("People talk like Belarus is just a puppet of Moscow", "According to the analyst, what does Russia provide for Belarus?")),
    ("There was a political scientist in that piece - Igor Shatov, what's the organisation he heads?",
     ("There was a political scientist in that piece", "Igor Shatov, what's the organisation he heads?")),
    ("Who met Kellogg? Where?", None),  # questions only
    ("Lukashenko met Kellogg.", None),
])
def test_a_question_is_told_from_the_sentences_that_set_it_up(text, parts):
    """holdout25 (a podcast host's questions): a sentence or two of setting, then the question,
    then perhaps an aside. A tag ("…, right?") asks nothing; an initial ("U.S.") ends no sentence."""
    assert context_and_question(text) == parts


@pytest.mark.parametrize("asked, said", [
    ("Boris Shmelyev is quoted in the union state piece. Correct me if I'm wrong, but he is a historian, right? Where does he "
     "work as a chief researcher?", "Post-Soviet Studies Center"),
    ("I'm prepping a segment on the Kellogg visit. Before the quotes I want the setting right: where exactly did Lukashenko "
     "sit down with Kellogg? I forget which palace.", "Independence Palace"),
    # a question that still points back at its setting: the whole message analysed (its words
    # counted where a span has them, never missing), the question sentence read
    ("In the piece on the proposed major agreement, Vasilyev lists one concrete step Washington has taken, lifting sanctions "
     "on a Belarusian carrier (plus hopes of reopening its embassy). Which airline?", "Belavia"),
    # a person the setting describes but does not name: the whole message is the question, as before
    ("Shemov mentions an American citizen who was freed before Tikhanyovski. What was his name?", "Tsikenovich"),
    # the fact the setting leaves out is still refused
    ("Lukashenko met Kellogg in Minsk, at the Independence Palace. On what date was that meeting held?", None),
])
def test_the_setting_before_a_question_is_not_asked_for(answerer, asked, said):
    """holdout25 (a podcast host's questions): the asker's setting ("prepping a segment",
    "correct me if I'm wrong") was searched for in the answer and the question refused (0.320
    answer correct, 0.660 false refusal). The question sentence is analysed and read, its "he"
    named from the setting; the whole message still finds the passage."""
    answer = answerer.ask(asked)
    if said is None:
        assert answer.refused
        return
    assert not answer.refused and said in answer.text
    if "Shmelyev" in asked:
        assert answer.support["read_as"] == "Where does Boris Shmelyev work as a chief researcher?"


@pytest.mark.parametrize("asked, back", [
    ("Which outlet was it?", True),
    ("How many prisoners were in that summer release?", True),
    ("Which of them gave the lower estimate?", True),
    ("How many prisoners does the piece say were released this summer with Tikhanovsky?", False),  # a time
    ("What did Shmelyev say that Trump wants?", False),  # "say that …"
])
def test_a_question_points_back_at_its_setting_by_it_they_and_that_noun(answerer, asked, back):
    """holdout26 h26-034: "… released this summer together with Tikhanovsky?" was taken to
    point back at its setting ("this"), so the setting's names (Shatov, Kellogg) were asked for."""
    assert answerer._points_back(asked) is back
    if not back:
        answer = answerer.ask("Shatov says Kellogg took 14 pardoned prisoners out of Belarus. How many prisoners does the "
                              "bne IntelliNews piece say were freed this summer along with Tikhanovsky?")
        assert not answer.refused and "16" in answer.text


def test_the_setting_terms_count_where_a_span_has_them_and_are_never_missing(answerer):
    q = answerer.analyse("The summer release freed an opposition leader's husband. How many prisoners were in that release?")
    q = Answerer._asked_only(q, "How many prisoners were in that release?")
    assert "husband" in q.setting_terms and "prisoner" not in q.setting_terms
    from bot.support import coverage

    k = q.terms.index("husband")
    row = tuple(0.0 if i == k else 1.0 for i in range(len(q.terms)))
    assert coverage(q, [row], [1.0] * len(q.terms)) == (1.0, [])


def test_a_span_that_denies_what_the_question_takes_as_done_does_not_answer_it(answerer):
    """holdout26 h26-013 (a false premise): "Which Polish citizens did Lukashenko release …?"
    was answered with "… as Lukashenko has refused to release Polish citizens in Minsk's jails"."""
    assert answerer.ask("Which Polish prisoners did Lukashenko release from Minsk's jails?").refused
    # the denial answers a yes/no question, and one that asks about the refusal itself
    yes_no = answerer.ask("Did Lukashenko release the Polish citizens held in Minsk?")
    assert not yes_no.refused and "refused to release" in yes_no.text
    q = answerer.analyse("Why has Lukashenko refused to release Polish citizens?")
    assert q.predicate and not answerer._denied(q, answerer._run(q.text, {})[1][0])


def test_a_span_that_only_supposes_what_the_question_takes_as_done_does_not_answer_it(answerer):
    """holdout26 h26-076 (a false premise): "Why did Vilnius agree to unblock the transit …?"
    was answered with "… could have a tangible impact were Lithuania to agree to unblock the
    transit …". A supposition ("were … to", "if", a modal right before the verb) does not say
    it was done; a question that supposes it too is answered by it."""
    assert answerer.ask("Why did Vilnius agree to unblock the transit of Belarusian fertilisers?").refused
    answer = answerer.ask("What would happen if Lithuania agreed to unblock the transit of Belarusian fertilisers?")
    assert not answer.refused and "tangible impact" in answer.text
    said = words("In the past, all released prisoners were deported to Lithuania.")
    assert not answerer._supposed(said, said.index("were"), "deport")  # done, in the passive


def test_names_inside_a_compound_answer_a_which_noun_question_of_their_kind(answerer):
    """holdout26 h26-056: "… must not harm Belarus's relationships with which two countries?" read
    "the Belarus-Russia relationship, the Belarus-China", whose head ("relationship") is no
    country, and was refused as an answer of the wrong kind; Russia and China are countries."""
    answer = answerer.ask("A deal with the U.S. must not harm Belarus's relations with which two countries, according to Lukashenko?")
    assert not answer.refused and "Belarus-Russia" in answer.text and "Belarus-China" in answer.text
    q = answerer.analyse("Which country does Belarus want closer ties with?")
    from bot import wordnet

    assert Answerer._wrong_kind(q, "the Belarus-Lukashenko relationship", [], wordnet.get())  # the question's own name, a person
    assert not Answerer._wrong_kind(q, "the Belarus-Russia relationship", [], wordnet.get())


@pytest.mark.parametrize("question, title", [
    # the reader reads a title run into the name ("U.S. Special Representative for Ukraine John
    # Kellogg") as a weak answer: conversations7/12/13 refused "his title" / "his job"
    ("What is John Kellogg's title?", "Special Representative"),
    # retrieval finds the passages that say "position" and "hold", not the one with the title
    ("What position does John Kellogg hold?", "Special Representative"),
    ("What is Eisenmont's position?", "Press Secretary"),
])
def test_a_title_only_question_is_answered_with_the_sentence_that_gives_the_title(answerer, question, title):
    answer = answerer.ask(question)
    assert not answer.refused and title in answer.text
    # the sentence that gives it, not the one before it that the span took in
    assert not answer.text.startswith("Some results")
    for c in answer.citations:
        assert_citation_is_verbatim(answerer, c)


@pytest.mark.parametrize("question", [
    "What position does Witkoff hold?",  # named beside Kellogg, never given a title
    "What is Tsikenovich's job?",  # "An American citizen accused of …": a description, no post
])
def test_a_title_the_articles_do_not_give_is_refused(answerer, question):
    assert answerer.ask(question).refused


def test_a_title_only_question_is_one_person_and_nothing_else(answerer):
    assert Answerer._asks_title(answerer.analyse("What position does John Kellogg hold?"))
    assert not Answerer._asks_title(answerer.analyse("Who is John Kellogg?"))  # a description answers it
    # other words must be found too
    assert not Answerer._asks_title(answerer.analyse("What job did John Coale do for Trump before he became envoy?"))


def test_a_described_persons_words_are_found_past_his_introduction(answerer):
    """holdout28 h28-035: the description finds the sentence that introduces Zarikhin; what he
    said ("… only 5%") is twenty sentences later, and the chief researcher's "about 50%" was
    chosen instead — refused for the "vice director" it does not fit."""
    answer = answerer.ask("What percentage chance does the vice director of the Russian Institute for the "
                          "Commonwealth of Independent States give for a meeting between Lukashenko and Zelensky?")
    assert not answer.refused and "5%" in answer.text and "50%" not in answer.text
    # a description of one expert noun alone fits anyone: nothing is added for it
    q = answerer.analyse("What odds does the expert give for a meeting between Lukashenko and Zelensky?")
    assert answerer._described_sentences(q, set(range(3))) == set()


def test_an_expert_noun_in_a_description_counts_only_with_the_rest_of_it(answerer):
    """train3 p213: "the head of the Strategic Development Fund's expert committee" is Shatov;
    Shraibman, a "political analyst", is an expert too but not the head of that committee, and
    his sentence must not be credited with "expert". (The span ranked first is Shatov's; whether it
    is answered is the answerability model's borderline call — p 0.42 since the institution rule of
    dd10629 stopped a passage of another article being credited with "Strategic Development Fund"
    for its word "development", 0.46 before — so the ranking is what is checked.)"""
    asked = "Does the head of the Strategic Development Fund's expert committee believe Washington can peel Minsk away from Moscow?"
    _q, _hits, cands = answerer.candidates(asked, {})
    first = " ".join(answerer.library.sentences[j].text for j in cands[0].focus)
    assert "Igor Shatov" in first and "Shraibman" not in first
    answer = answerer.ask(asked)
    assert answer.refused or "Igor Shatov" in answer.text


def test_a_light_verbs_object_says_what_was_done(answerer):
    """holdout27 h27-033: "Who granted the pardon …" — the article says "pardoned"."""
    q = answerer.analyse("Who granted the pardon to Siarhei Tsikhanouski?")
    assert "grant" not in q.terms and "pardon" in q.terms
    assert "hold" not in answerer.analyse("Where did Lukashenko hold talks with Kellogg?").terms
    # not a verb of its own: "held" in prison is asked
    assert "hold" in answerer.analyse("In which prison was Ales Bialiatski held?").terms


def test_a_percentage_is_said_by_a_figure_in_per_cent(answerer):
    q = answerer.analyse("What percentage of rail freight went through Poland before the border closed?")
    assert "percentage" in q.terms
    answer = answerer.ask("What percentage of Belarusian rail transit went through Poland before the border was closed?")
    assert not answer.refused and "90%" in answer.text and "percentage" not in answer.support["missing"]


def test_the_doer_described_by_a_title_is_the_person_the_article_gives_it(answerer):
    """holdout27 h27-028: "the American special representative" is Kellogg, whom the article
    introduces as "U.S. Special Representative for Ukraine"; the sentence with the answer
    ("Kellogg took away 14 prisoners …") says only his name."""
    q = answerer.analyse("How many pardoned prisoners did the American special representative take out of Belarus with him?")
    assert {"special", "representative"} <= q.described
    answer = answerer.ask("How many pardoned prisoners did the American special representative take out of Belarus with him?")
    assert not answer.refused and "14" in answer.text
    # the one "who is the press secretary" asks for is described by nobody
    assert "secretary" not in answerer.analyse("Who is the Belarusian leader's press secretary?").described


@pytest.mark.parametrize("question, expert", [
    ("What percentage chance does the vice director of the Russian Institute for the CIS give for the meeting?", True),
    ("Which legendary king did the analyst from the CIS institute compare Trump's influence to?", True),
    ("What does the historian say Belarus can offer the U.S.?", True),
    ("What odds does the expert give for the meeting?", False),  # any expert
    # officials, named where they act: the words of nobody in particular are asked
    ("Within what period of time did Trump's special envoy suggest the prisoners could be freed?", False),
    ("What was the main goal of the U.S. special representative's trip to Minsk?", False),
])
def test_only_an_expert_described_in_enough_words_is_looked_for_among_speakers(answerer, question, expert):
    assert answerer._describes_an_expert(answerer.analyse(question)) is expert


def test_words_asked_for_are_what_was_said(answerer):
    """holdout2 x064: "Which words did Lukashenko use …" — no article calls them "words"."""
    assert "word" not in answerer.analyse("Which words did Lukashenko use to hail John Cole as they met?").terms


@pytest.mark.parametrize("question, answer_has", [
    # holdout27 h27-041: "trip" ~ "visit" ("after the visit of the U.S. presidential envoy Kit Kellogg")
    ("How many convicts did Lukashenko pardon at Trump's request, and whose trip to Minsk did that follow?", "Kellogg"),
])
def test_a_trip_is_a_visit(answerer, question, answer_has):
    answer = answerer.ask(question)
    assert not answer.refused and answer_has in answer.text


def test_a_historian_is_introduced_as_a_doctor_of_history(answerer):
    """"according to the historian" is Boris Shmelyev, "a doctor of history"."""
    q = answerer.analyse("What does the historian say Belarus can offer the U.S.?")
    src = next(s.source for s in answerer.library.sentences if "doctor of history" in s.text)
    shmelyev = next(v for v in answerer._speakers.in_article(src) if "shmelyev" in v)
    assert answerer._fits_description(q, src, shmelyev)


def test_a_why_answer_is_the_sentence_that_gives_the_term_and_its_reason(answerer):
    """holdout27 h27-063: the span "But that is also unlikely as Kyiv considers Lukashenko
    complicit … ⏎ One option for circumventing the remaining EU sanctions is …": the reader,
    unsure, picked the second; the first says "unlikely" and why right after it."""
    answer = answerer.ask("Why is exporting Belarusian potash via Odessa unlikely?")
    assert not answer.refused and "complicit" in answer.text and "circumventing" not in answer.text
    for c in answer.citations:
        assert_citation_is_verbatim(answerer, c)


@pytest.mark.parametrize("text, reason", [
    ("But that is also unlikely as Kyiv considers Lukashenko complicit.", True),
    ("The border is closed since the talks have failed.", True),
    ("It was unlikely because of the sanctions.", True),
    ("He was released as part of the deal.", False),  # "as" with no clause: no reason
    ("It is unlikely, as everyone knows.", True),
])
def test_a_reason_clause_follows_the_term(text, reason):
    term = "unlikely" if "unlikely" in text else ("closed" if "closed" in text else "released")
    found = re.search(rf"\b{term[:-2]}\w*{Answerer._REASON_CONJUNCTION}", text, re.IGNORECASE)
    assert bool(found) is reason


def test_an_organisations_name_the_parse_tags_only_in_part_answers_whom(answerer):
    """holdout13 h13-002: "Whom does he advise, i.e. what organisation?" read "Baltic Sea
    Research Association of Russia", of which the small model tags only "Russia" (a place):
    refused as no person or organisation."""
    answer = answerer.ask("Vsevolod Shemov is quoted on the US delegation's trip to Minsk. Whom does he advise, i.e. what organisation?")
    assert not answer.refused and "Baltic Sea Research Association" in answer.text


def test_a_title_asked_with_which_wants_a_person(answerer):
    """holdout28 h28-020: "Which US senator accompanied Kellogg …?" — the articles name no
    senator; "the U.S. presidential envoy" Kellogg is the question's own person."""
    assert answerer.analyse("Which US senator accompanied Kellogg on his trip to Minsk?").expected == frozenset({"PERSON"})
    assert answerer.ask("Which US senator accompanied Kellogg on his trip to Minsk?").refused
    # holdout5/6/24/28: the span says what was said ("Vilnius has been clear that it will make
    # no concessions …"), by no minister
    answer = answerer.ask("Which Lithuanian minister said Vilnius would make no concessions to the Belarusian regime?")
    assert answer.refused
    # the title the span gives, or another word for it, answers
    assert not answerer.ask("Which spokeswoman announced the pardon?").refused
    assert not answerer.ask("Which journalist did Lukashenko tell it was time to negotiate?").refused


def test_a_why_span_with_a_reason_clause_of_its_own_is_answered(answerer):
    """holdout h040, holdout19 h19-035: "Poland's Gdansk port remains politically off limits, as
    Lukashenko has refused to release Polish citizens in Minsk's jails" gives the reason."""
    answer = answerer.ask("Why can't Belarus ship its potash through Gdansk?")
    assert not answer.refused and "Polish citizens" in answer.text


def test_a_publication_is_named_by_its_staff(answerer):
    """holdout4 h4a48, holdout23/24: "Which outlet did Maryna Zolatava edit?" — "Tut.by editor
    Maryna Zolatava" names the outlet without the word."""
    answer = answerer.ask("Which outlet did Maryna Zolatava edit?")
    assert "outlet" not in answer.support["missing"]


def test_making_public_is_announcing(answerer):
    q = answerer.analyse("Who made public the pardon of Tikhanovsky?")
    assert "announce" in q.terms and "public" not in q.terms


def test_a_hedge_with_said_asks_what_is_so_not_what_was_said(answerer):
    """holdout22 h22-015: "… the missile system Belarus is said to have already received" was
    scored as a speech question (a risky kind) and refused though the reader read "Izumrud"."""
    assert not answerer.analyse("What is the name of the missile system Belarus is said to have already received?").speech
    assert answerer.analyse("What was said about the missile?").speech
    answer = answerer.ask("What is the name of the missile system Belarus is said to have already received?")
    assert not answer.refused and "Izumrud" in answer.text


def test_a_hedge_the_parser_reads_as_a_past_tense_is_still_a_hedge(answerer):
    """holdout53 h53-073: in "What commitment is Kellogg said to want …" the small parser tags
    "said" a past tense under "is", not a passive participle; it was scored as a speech question
    and refused. What Kellogg said to Lukashenko, and a cleft ("What was it that Trump said to
    expect …"), are still speech; "thought to" is a hedge as "said to" is."""
    assert not answerer.analyse("What commitment is Kellogg said to want from Lukashenko regarding the war?").speech
    assert not answerer.analyse("What missile system is Belarus said to have already received?").speech
    assert answerer.analyse("What did Kellogg say to Lukashenko about the war?").speech
    assert answerer.analyse("What was it that Trump said to expect from Minsk?").speech
    assert answerer.analyse("What are the prisoners said to have been accused of?").speech is False
    assert answerer.analyse("What is Russia thought to provide for Belarus?").sources == ()
    answer = answerer.ask("What commitment is Kellogg said to want from Lukashenko regarding the war?")
    assert not answer.refused and "no longer participate" in answer.text


def test_the_subject_of_a_hedge_is_no_speaker(answerer):
    """holdout56 h56-070: in "what is Russia said to provide …" Russia was read as the speaker
    whose words are asked (only spans in Russia's words count); the hedge's subject provides,
    nobody speaks. "What did Vasilyev say Russia provides?" asks Vasilyev's words."""
    q = answerer.analyse("What is Russia said to provide for Belarus?")
    assert q.sources == () and q.predicate == "provide" and q.doer is not None and q.doer[1] == "provide"
    assert answerer.analyse("What did Vasilyev say Russia provides?").sources == (0,)
    answer = answerer.ask("In the Siberian Newspaper interview, what is Russia said to provide Belarus with?")
    assert not answer.refused and "security umbrella" in answer.text


def test_what_the_media_said_is_what_the_articles_report(answerer):
    """holdout52 h52-055: "What did American media say was the main purpose …" asks what the
    articles state the media reported ("As previously reported by American media, the main
    purpose …"), not a person's words; it was scored as a speech question and refused. A person
    who says something on social media is still speech."""
    assert not answerer.analyse("What did American media say was the main purpose of Kellogg's visit to Belarus?").speech
    assert not answerer.analyse("what did us media say kellog's trip to minsk was mainly for").speech
    assert answerer.analyse("What did Trump write on social media about the release of the prisoners?").speech
    answer = answerer.ask("What did American media say was the main purpose of Kellogg's visit to Belarus?")
    assert not answer.refused and "mediation of the conflict in Ukraine" in answer.text


@pytest.mark.parametrize("question", [
    "What gift did Lukashenko send Trump in return for the golden boot?",  # holdout27 h27-031
    "What did Lukashenko give Trump in return for the golden boot?",  # public u027
    "what did lukashenko give trump back for the golden boot 🥾",  # holdout10 h10-20
])
def test_a_gift_received_is_no_gift_given(answerer, question):
    """"After receiving a golden boot as a gift from Trump, …" says what Lukashenko got."""
    assert answerer.ask(question).refused


def test_a_gift_given_is_still_answered(answerer):
    """(Which of the two gift sentences comes first is a near tie: "the gifts given to Lukashenko
    are as cheap as trinkets" on one CPU, "After receiving a golden boot as a gift from Trump" on
    another, both with exact int8 products; either is a gift given, not refused.)"""
    answer = answerer.ask("What gifts did Trump give Lukashenko?")
    assert not answer.refused and "gift" in answer.text and ("Trump" in answer.text or "Lukashenko" in answer.text)


def test_how_someone_explains_or_justifies_asks_why(answerer):
    q = answerer.analyse("How does Vasilyev explain Lukashenko's decision to rush ahead with warming ties to Washington?")
    assert q.wh == "why" and "explain" not in q.terms
    assert answerer.analyse("How did Minsk justify freeing Tikhanovsky?").wh == "why"
    assert answerer.analyse("How did Lukashenko greet Cole?").wh == "how"


def test_an_abstract_asked_noun_is_given_by_words_of_its_kind(answerer):
    """holdout30 h30-003: "What risk does Vasilyev see …?" — "Trump will exploit him, taking
    everything from Belarus like peeling off chewing gum" is a risk without the word."""
    answer = answerer.ask("What risk does Vasilyev see for Belarus in dealing with Trump?")
    assert not answer.refused and "chewing gum" in answer.text
    assert "risk" not in answer.support["missing"]


def test_a_span_that_only_introduces_the_described_expert_gives_way(answerer):
    """The reader read "Vsevolod Shemov" in "Vsevolod Shemov, advisor to the Chairman of the Baltic
    Sea Research Association of Russia, stated. ⏎ "In the context of …"" for a question about
    what the adviser thinks: his introduction answers nothing about his words ("adviser" and
    "advisor" are one word)."""
    q = answerer.analyse("According to the adviser to the chairman of the Baltic Sea Research Association, what does Russia provide for Belarus?")
    src = next(s.source for s in answerer.library.sentences if "Vsevolod Shemov, advisor" in s.text)
    assert answerer._fits_description(q, src, frozenset({"vsevolod", "shemov"}))
    answer = answerer.ask("According to the adviser to the chairman of the Baltic Sea Research Association, what does Russia provide for Belarus?")
    assert answer.refused or "advisor to the Chairman" not in answer.text


@pytest.mark.parametrize("asked, said", [
    ("Love him or hate him, the man knows how to greet people - what was it Lukashenko shouted when he spotted Kellogg's deputy John Cole?",
     "good guy"),
    ("I fly quite a bit so this caught my eye - which Belarusian airline did the Americans lift sanctions on?", "Belavia"),
])
def test_a_remark_before_a_dash_is_not_asked_for(answerer, asked, said):
    """holdout34 (radio phone-in callers, 0.520 answer correct when first measured): the caller's
    remark ("I fly quite a bit") was searched for in the answer and the question refused."""
    answer = answerer.ask(asked)
    assert not answer.refused and said in answer.text


def test_a_remark_that_the_question_points_back_at_stays_part_of_it(answerer):
    """"what's that missile called?" says nothing alone: the whole sentence is read; "what was
    it?" says nothing at all: the remark is what is asked."""
    answer = answerer.ask("They say Belarus has already got some fancy remote missile system from Russia - what's that missile called?")
    assert not answer.refused and "Izumrud" in answer.text
    answer = answerer.ask("After that phone call on the way to Anchorage, Lukashenko apparently had a catchphrase about Trump - what was it?")
    assert not answer.refused and "promised to visit" in answer.text
    # the question after the last remark is what is asked ("that's how it all started" asks no "how")
    q = answerer.analyse("Trump rang Lukashenko on his way to Anchorage, I gather, that's how it all started - what date was that phone call?")
    assert q.wh == "what" and q.type_head == "date"


def test_what_a_described_expert_said_is_his_own_words(answerer):
    """holdout34 h34-020: "what did the professor say …" answered by Shmelyev (a "professor" in his
    introduction) was scored as a quote nobody in the question said, and refused."""
    answer = answerer.ask("What did the professor say Belarus could theoretically offer the U.S.?")
    assert not answer.refused and "potash" in answer.text


def test_a_fact_of_before_an_event_does_not_answer_after_it(answerer):
    """holdout33 h33-068: "… before Poland closed the Polish-Belarusian border, 90% of railway
    freight … passed through this border" answered what still went through after it closed."""
    assert answerer.ask("After Poland closed the border, what percentage of China-EU rail freight still went through Belarus?").refused
    answer = answerer.ask("What share of China-EU rail freight went through the Polish-Belarusian border before Poland closed it?")
    assert not answer.refused and "90%" in answer.text
    # "…, after which relations began to ease": what it follows came before the easing
    answer = answerer.ask("At Trump's request, how many convicted people did Lukashenko pardon before relations between Minsk and Washington began to ease?")
    assert not answer.refused and "16" in answer.text
    # holdout56 h56-003: "since" it closed is after it too
    assert answerer.ask("What share of China–EU rail freight has passed through Belarus since Poland closed the border?").refused


def test_what_used_to_be_does_not_answer_what_is_now(answerer):
    """holdout57 h57-056: "Where were most of the freed prisoners sent this time?" read "Lithuania"
    in "In the past, all released prisoners have been deported to Lithuania, but this time things
    were done differently." A question about the past still reads it."""
    answer = answerer.ask("Where were most of the freed prisoners sent this time?")
    assert not answer.refused and "Ukraine" in answer.text
    assert (answer.support or {}).get("reader_answer") != "Lithuania"
    for question in ("Where were the released prisoners previously deported?",
                     "In earlier releases, to which country had all released prisoners been deported?"):
        answer = answerer.ask(question)
        assert not answer.refused and "Lithuania" in answer.text and "Ukraine" not in answer.text, question


def test_a_place_by_another_of_its_names(answerer):
    """holdout32 h32-001: "Mensk" (Minsk in Belarusian) was a name missing from every span."""
    assert answerer._place_names("Where in Mensk did Lukashenka receive Kellogg? Is Vilna near?") == (
        "Where in Minsk did Lukashenka receive Kellogg? Is Vilnius near?")
    q = answerer.analyse(answerer._place_names("How many prisoners did Kellogg take out of Byelorussia?"))
    assert ("belarus",) in q.names


def test_where_in_a_place_is_not_answered_by_the_place(answerer):
    """"Where in Minsk …?" read "Minsk" (the reader's answer is the place named in the question)."""
    answer = answerer.ask("Where in Minsk did Lukashenka receive the American envoy Kellogg?")
    assert answer.refused or "Independence Palace" in answer.text


def test_why_is_answered_by_the_reason_clause_whatever_the_reader_picked(answerer):
    """holdout27 h27-063: the reader picked "if US companies buy Belarusian potash …" in the
    sentence after "But that is also unlikely as Kyiv considers Lukashenko complicit …"."""
    answer = answerer.ask("Why is exporting Belarusian potash via Odesa unlikely?")
    assert not answer.refused and "complicit" in answer.text


@pytest.mark.parametrize("asked, cleaned", [
    ("I heard Kellogg didn't go home empty-handed, how many prisoners did he take out of Belarus with him, was it a dozen or more?",
     "I heard Kellogg didn't go home empty-handed, how many prisoners did he take out of Belarus with him?"),
    ("Who was it that actually announced Lukashenko had pardoned Tikhanyovski, was it his press secretary or somebody else?",
     "Who actually announced Lukashenko had pardoned Tikhanyovski?"),
    ("Was it Kellogg or Coale who met Lukashenko?", "Was it Kellogg or Coale who met Lukashenko?"),  # the choice is the question
    ("Who met Lukashenko, Kellogg or Coale?", "Who met Lukashenko, Kellogg or Coale?"),
])
def test_a_guess_after_the_question_and_a_cleft_are_not_asked(asked, cleaned):
    """holdout34: callers add their guess ("…, was it a dozen or more?") and ask in clefts ("who
    was it that announced …", which the reader read as asking for the person the span names)."""
    assert Answerer._without_asides(asked) == cleaned


def test_the_view_of_a_described_person_is_a_source(answerer):
    """holdout30 h30-011: "In the view of the chief researcher at the Institute for the US and
    Canada, …" described nobody, and his introduction was the answer."""
    q = answerer.analyse("In the view of the chief researcher at the Institute for the US and Canada, what part does Belarus play?")
    assert {"chief", "researcher"} <= q.described
    q = answerer.analyse("According to the RAS researcher Boris Shmelev, what is Lukashenko's first aim?")
    assert any(q.names[k][-1] == "shmelev" for k in q.sources)


def test_what_the_cited_person_says_is_not_his_introduction(answerer):
    """holdout18 h18-015: the reader read Shemov's introduction ("advisor to the Chairman of the
    Baltic Sea Research Association of Russia") for what he says the visit seems like."""
    answer = answerer.ask("What does Vsevolod Shemov say the American visit to Minsk seems more like?")
    assert not answer.refused and "slap at the EU" in answer.text


@pytest.mark.parametrize("asked, written", [
    ("Where were most pol. prisoners deported in the Dec release, if not LT?",
     "Where were most political prisoners deported in the December release, if not Lithuania?"),
    ("What % of China-EU rail freight went via the PL-BY border before PL closed it?",
     "What percentage of China-EU rail freight went via the Polish-Belarusian border before Poland closed it?"),
    ("Which BY airline got US sanctions lifted?", "Which Belarusian airline got US sanctions lifted?"),
    ("US uses CN & IN as sticks - and BY as what?", "US uses China & India as sticks - and Belarus as what?"),
    ("What can BY offer the US in return for econ aid? (approx.)", "What can Belarus offer the US in return for economic aid? (approximately)"),
    ("Who met on Dec 13 in the US?", "Who met on December 13 in the US?"),  # "US" is the articles' own
    ("Which outlet was it by?", "Which outlet was it by?"),  # "by" is a word
    ("It was 90% of it?", "It was 90% of it?"),
])
def test_forum_abbreviations_are_written_out(asked, written):
    """holdout35 (forum post titles, 0.520 answer correct when first measured): country codes in
    capitals, "pol.", "econ", "mtg", a month alone, "%" for the word."""
    assert Answerer._unabbreviated(asked) == written


@pytest.mark.parametrize("asked, setting", [
    ("Which Nobel laureate was sent to Lithuania and not Ukraine? (December release)",
     "December release. Which Nobel laureate was sent to Lithuania and not Ukraine?"),
    ("What can Belarus offer the US in return for economic aid? (Shmelyev)",
     "Shmelyev. What can Belarus offer the US in return for economic aid?"),
    ("Zarikhin's estimate of Lukashenko meeting Zelensky (percentage)", None),  # says what is asked
    ("Who met Kellogg (and where)?", None),  # part of the question
])
def test_what_a_title_adds_in_brackets_is_its_setting(asked, setting):
    assert Answerer._bracketed_setting(asked) == (setting or asked)


def test_a_forum_title_is_answered(answerer):
    answer = answerer.ask("Which Nobel laureate was sent to LT and not UA? (Dec release)")
    assert not answer.refused and "Bialiatski" in answer.text


def test_the_words_a_named_person_used_are_his_own(answerer):
    """holdout36 (a translator's wording questions, refused unanswerable 0.733 when first
    measured): "What phrase did John Coale use to describe Belarus's potash industry?" answered
    with the article's own "its biggest cash cow"; "What expression does the bne IntelliNews
    comment use …?" read a name ("Carnegie Endowment for International Peace")."""
    assert answerer.analyse("What phrase did John Coale use to describe Belarus's potash industry?").speech
    assert answerer.analyse("Which metaphor did Vladimir Vasilyev use for the roles of China and India?").speech
    assert not answerer.analyse("What expression does the bne IntelliNews comment use for Belarus's potash industry?").speech
    assert answerer.ask("What phrase did John Coale use to describe Belarus's potash industry?").refused
    answer = answerer.ask("Which metaphor did Vladimir Vasilyev use for the roles of China and India versus Belarus in U.S. pressure on Russia?")
    assert not answer.refused and "carrots" in answer.text
    answer = answerer.ask("What expression does the bne IntelliNews comment use for Belarus's potash industry?")
    assert answer.refused or "Carnegie" not in answer.text


def test_who_is_a_named_person_stands_alone_after_its_setting(answerer):
    """holdout35 h35-050: "Igor Shatov - who is he? (expert quoted on Kellogg visit)" — two words
    of its own, "Who is Igor Shatov?" was taken to point back at its setting and the whole
    message asked who (Lukashenko met Kellogg …)."""
    answer = answerer.ask("Igor Shatov - who is he? (expert quoted on Kellogg visit)")
    assert not answer.refused and "Strategic Development Fund" in answer.text


def test_a_small_number_in_digits_is_the_number_in_words(answerer):
    """holdout35 h35-039: "after the 3 waves" of "Despite three waves of releases"."""
    answer = answerer.ask("How many political prisoners are still in Belarus after the 3 waves?")
    assert not answer.refused and "thousand" in answer.text


def test_a_quote_he_said_is_the_words_of_the_person_the_sentence_before_names(answerer):
    """train t003: ""Hey, good guy, how are you!" he exclaimed …" after "… showing Lukashenko being
    extremely friendly." — Lukashenko's words."""
    answer = answerer.ask("What did Lukashenko exclaim when he caught sight of Kellogg's deputy?")
    assert not answer.refused and "good guy" in answer.text


def test_a_date_of_another_event_does_not_date_the_asked_one(answerer):
    """holdout37 h37-038, holdout31 h31-067: "In what year was Tikhanyovski sentenced?" read "2020"
    in "… following the 2020 Belarusian presidential election" — the election's year."""
    assert answerer.ask("In what year was Sergey Tikhanyovski sentenced to 18 years?").refused
    answer = answerer.ask("When was the Belarusian presidential election?")
    assert not answer.refused and "2020" in answer.text


@pytest.mark.parametrize("question", [
    "what products could belarus sell to the usa",  # train2 v076: a list of goods, "sell" by offering
    "according to shmelyev what could belarus sell to america",  # holdout21 h21-080
])
def test_goods_a_country_could_sell_are_the_list_it_could_offer(question, answerer):
    """"Theoretically, Belarus can offer the U.S. potash, cheap gasoline, diesel, and starch." has
    neither "goods" nor "sell": a list of things is goods of some kind, and selling is offering."""
    answer = answerer.ask(question)
    assert not answer.refused and "potash" in answer.text


def test_how_a_statement_was_made_is_no_term_and_a_head_is_a_chairman(answerer):
    """holdout34 h34-024 ("what reason did Minsk officially give") and holdout30 h30-075 ("the
    adviser to the head of …" ~ "advisor to the Chairman of …")."""
    assert "officially" not in answerer.analyse("What reason did Minsk officially give for letting Tikhanyovski go?").terms
    q = answerer.analyse("What does the adviser to the head of the Baltic Sea Research Association of Russia think Minsk gains?")
    src = next(s.source for s in answerer.library.sentences if "Vsevolod Shemov, advisor" in s.text)
    assert "head" in q.described and answerer._fits_description(q, src, frozenset({"vsevolod", "shemov"}))


@pytest.mark.parametrize("typed, read", [
    ("who is boris shmel yev", "who is boris shmelyev"),  # holdout39 h39-039: a dictated name in syllables
    ("what did luka shenko say about bialy atski", "what did lukashenko say about bialiatski"),
    ("who is artyom shribe man writing for", "who is artyom shraibman writing for"),  # two keystrokes off
    ("how many prisoners were freed after he met zelensky in minsk", None),  # "zelensky" is a name alone
    ("what is the place of the meeting in minsk", None),  # "placeof" is three keystrokes from "palace"
])
def test_a_name_written_as_syllables_is_read_as_the_name(typed, read, answerer):
    assert answerer._syllables_joined(typed) == (read or typed)


def test_a_name_with_s_and_no_apostrophe_is_a_possessive(answerer):
    """holdout39 h39-063 "what did trumps envoy call the deal …", as a dictation writes it."""
    assert answerer._possessives("what did trumps envoy call the deal") == "what did trump's envoy call the deal"
    assert answerer._possessives("what do the russians want") == "what do the russians want"  # no person's name
    answer = answerer.ask("what did trumps envoy call the deal of prisoners for sanctions")
    assert not answer.refused and "fair trade" in answer.text


def test_a_description_of_the_article_never_runs_into_the_question(answerer):
    """holdout41 h41-012: "The article on Trump's goal in the deal … counts the 13 December release
    as which release …?" was cut to "The article?" (no verb the description stops at)."""
    question = ("The article on Trump's goal in the deal with Lukashenko counts the 13 December release as which "
                "release of hostages brokered by the Trump administration?")
    assert answerer._article_reference(question) == (question, None)
    # a description that stops before the question is still read
    cut, source = answerer._article_reference("In the piece asking whether Lukashenko wants a union state with the US, "
                                              "which Ukraine does he want?")
    assert (cut, source[:4]) == ("Which Ukraine does Lukashenko want?", "002_")


@pytest.mark.parametrize("keywords", [
    "belarus potash export revenue per year",  # holdout40 h40-062: "… the main sources of revenue" has no year
    "dollar figure of US investment offered to Minsk",  # holdout20 h20-044: "a lot of investment"
])
def test_keywords_that_name_a_kind_of_fact_want_one(keywords, answerer):
    answer = answerer.ask(keywords)
    assert answer.refused, answer.text
    answer = answerer.ask("transit value euros per year")  # "annually reaches 25 to 30 billion euros"
    assert not answer.refused and "30 billion" in answer.text


def test_an_interviewers_question_gives_way_to_the_reply_after_it(answerer):
    """holdout40 h40-043, holdout20 h20-078: the Svoboda question ("How do you assess the
    possibility of Lukashenko meeting with Zelenskyy?") ranked first alone; the reply holds 50%."""
    answer = answerer.ask("vasilyev chance lukashenko zelenskyy meeting")
    assert not answer.refused and "50%" in answer.text


def test_a_relative_clause_after_a_comma_does_not_ask(answerer):
    """holdout42 h42-046: "Unlike the majority of the released prisoners, who were sent to
    Ukraine, where was Ales Bialiatski deported?" asks where, not who."""
    q = answerer.analyse("Unlike the majority of the released prisoners, who were sent to Ukraine, where was Ales Bialiatski deported?")
    assert q.wh == "where"
    # after a dash "who" still asks (holdout34 h34-058)
    q = answerer.analyse("They say Lukashenko competes with another leader always doing mediation - who was that other leader?")
    assert q.wh == "who"


@pytest.mark.parametrize("question, asked", [
    # holdout42 h42-041: the compared estimate's 50% is not a figure Zarikhin's answer must repeat
    ("Unlike Vasilyev's estimate of about 50%, what chance did Zarikhin give for a meeting?",
     "Unlike Vasilyev's estimate of about 50%. What chance did Zarikhin give for a meeting?"),
    # holdout45: a premise before the question, and a preposition before its question word
    ("Given that Washington wants ties with Minsk, in which month was Coale appointed?",
     "Given that Washington wants ties with Minsk. In which month was Coale appointed?"),
    ("Besides Tikhanyovski himself, how many others were freed?", None),  # "others": the rest of the exception
    ("After Poland closed the border, what share of freight went through Belarus?", None),  # a time places the fact
    ("Since 2020, how many prisoners were freed?", None),
])
def test_a_comparison_or_premise_before_the_question_is_its_setting(question, asked, answerer):
    assert answerer._opening_setting(question) == (asked or question)


def test_a_premise_before_the_question_is_never_missing(answerer):
    answer = answerer.ask("Unlike Vasilyev's estimate of about 50%, what chance did Zarikhin give for a meeting between "
                          "Lukashenko and Zelenskyy?")
    assert not answer.refused and "5%" in answer.text
    answer = answerer.ask("Whilst Washington now appears willing to deepen its ties with Minsk, in which month did Trump "
                          "appoint his former lawyer, John Coale, as special envoy to Belarus?")  # holdout45 h45-015
    assert not answer.refused and "November" in answer.text


def test_a_condition_by_inversion_is_a_condition(answerer):
    """holdout44 h44-017: "… could have a tangible impact were Lithuania to agree to unblock …"."""
    answer = answerer.ask("Under what condition could the removal of the potash sanctions have a tangible impact?")
    assert not answer.refused and "Lithuania" in answer.text


def test_an_article_named_by_its_quoted_title_after_the_noun(answerer):
    """holdout41 h41-005: "According to the article "What is Trump's goal in the deal with
    Lukashenko, and will it lead anywhere?", how many …": the title's words are no question's."""
    cut, source = answerer._article_reference(
        "According to the article \"What is Trump's goal in the deal with Lukashenko, and will it lead anywhere?\", "
        "how many political prisoners was it learned on 13 December that Lukashenko had released?")
    assert source.startswith("003_")
    assert cut == "How many political prisoners was it learned on 13 December that Lukashenko had released?"


def test_older_british_forms_are_read_in_their_usual_spelling():
    """holdout45: "whilst", "amongst" — "whilst" had been a term no span holds ("missing: whilst")."""
    assert Answerer._unabbreviated("Whilst Minsk waits, who was amongst the freed?") == "While Minsk waits, who was among the freed?"


def test_a_court_or_a_ministry_asked_for_is_an_organisation(answerer):
    """holdout37 h37-040, holdout43 h43-009: "Which court sentenced Sergey Tikhanyovski …?" was answered
    with the sentence that says only that he was sentenced."""
    for asked, head in (("Which court sentenced Sergey Tikhanyovski to 18 years in prison?", "court"),
                        ("Which ministry announced the pardon?", "ministry")):
        q = answerer.analyse(asked)
        assert q.type_head == head and "ORG" in q.expected
    assert answerer.ask("Which court sentenced Sergey Tikhanyovski to 18 years in prison?").refused


def test_an_institution_is_present_by_its_kind_not_by_any_word_of_its_name():
    """holdout43 h43-002, h43-055: "the Carnegie Endowment for International Peace" had been found
    wherever "for" or "peace" was, "the Belarusian Foreign Ministry" wherever "Belarusian" was."""
    from bot.support import name_in

    carnegie = ("the", "carnegie", "endowment", "for", "international", "peace")
    assert not name_in(carnegie, set(words("peace talks for Ukraine")), 0.75)
    assert name_in(carnegie, set(words("a commentary for the Carnegie Endowment for International Peace")), 0.75)
    ministry = ("the", "belarusian", "foreign", "ministry")
    assert not name_in(ministry, set(words("Belarusian President Press Secretary Natalia Eisenmont")), 0.75)
    assert name_in(("the", "strategic", "development", "fund"), set(words("the Strategic Development Fund")), 0.75)
    assert name_in(("igor", "shatov"), set(words("said Igor Shatov")), 0.75)  # a person: any word, as before


def test_a_wife_is_not_another_spelling_of_her_husband():
    """holdout49 h49-041: "Tikhanyovskaya" was taken for "Tikhanyovski" and got his sentence. A
    name in a passage still stands for either ("The release of this candidate's husband, Svetlana
    Tikhanyovskaya, …" is about him), but as the person who did or underwent something it does not."""
    from bot.support import name_in, same_person, surname_in

    assert not surname_in("tikhanyovskaya", {"tikhanyovski", "was", "sentenced"}, 0.75)
    assert surname_in("tikhanovskaya", {"tikhanyovskaya"}, 0.75)
    assert surname_in("kolesnikova", {"kalesnikava"}, 0.75)
    assert surname_in("tsikhanouski", {"tikhanyovski"}, 0.75)
    assert not same_person(("svetlana", "tikhanyovskaya"), {"tikhanyovski"}, 0.75)
    assert same_person(("sergey", "tikhanovsky"), {"tikhanyovski"}, 0.75)
    assert name_in(("tikhanyovski",), {"svetlana", "tikhanyovskaya"}, 0.75)


def test_how_long_was_the_wife_sentenced_is_refused(answerer):
    """holdout49 h49-041: the sentence says her husband was sentenced to 18 years; her name is in
    the next sentence of the span, not as the one sentenced."""
    for asked in ("How many years in prison had Svetlana Tikhanyovskaya been sentenced to?",
                  "How long was Tikhanovskaya sentenced to?", "how many years in prison was svetlana tikhanovskaya sentenced to"):
        assert answerer.ask(asked).refused, asked
    answer = answerer.ask("How long was Sergei Tikhanovsky sentenced to?")
    assert not answer.refused and "18 years" in answer.text


def test_who_is_a_person_is_answered_by_their_description(answerer):
    """holdout46 h46-080, h46-007: "Who is Tsikenovich?" and "Who is Kellogg?" were refused (the
    reader read "Alexander Lukashenko" in the sentence that introduces Kellogg)."""
    answer = answerer.ask("Who is Kellogg?")
    assert not answer.refused and "Special Representative" in answer.text
    answer = answerer.ask("Who is Tsikenovich?")
    assert not answer.refused and "American citizen" in answer.text
    assert answerer.ask("Who is Macron?").refused


def test_who_said_a_quote_whose_speaker_the_parse_did_not_tag(answerer):
    """holdout48 h48-079: "“… will not be forgotten,” Shraibman concluded." — the reader read
    "Shraibman", which the parse tagged as no person, and the answer was refused as the wrong kind."""
    for verb in ("said", "concluded"):
        answer = answerer.ask(f'Who {verb} that "the enthusiasm and desire to be helpful will not be forgotten"?')
        assert not answer.refused and "Shraibman" in answer.text, verb


def test_why_is_not_answered_by_a_sentence_that_only_dates_the_event(answerer):
    """holdout44 h44-061, holdout49 h49-073: "Why did Poland close the border?" was answered with
    "… before Poland closed the Polish-Belarusian border, 90% of railway freight …"; holdout50
    h50-030, h50-062, h50-055: the event in an "as" clause, after "refuse to", or a visit whose
    purpose is asked and which the span gives only in a relative clause."""
    for asked in ("Why did Poland close the Polish-Belarusian border?",
                  "Why had Kellogg's deputy John Cole visited Belarus in the spring?",
                  "Why has Lukashenko refused to release the Polish citizens held in Belarusian jails?",
                  "Why did the West refuse to recognize the results of the 2020 Belarusian presidential election?",
                  "What was the purpose of John Cole's earlier visit to Belarus in the spring?",
                  # holdout50 h50-017: read "November" in "Trump has appointed … John Coale … in November"
                  "Why did Trump choose his former lawyer John Coale as special envoy to Belarus?"):
        assert answerer.ask(asked).refused, asked
    # a reason given, or a clause the parse only takes for one ("… see her position as de facto leader contested")
    for asked, said in (("Why is Gdansk port off limits?", "refused to release Polish citizens"),
                        ("And why might Svetlana Tikhanovskaya's position as leader be contested?", "2020-era leaders now free")):
        answer = answerer.ask(asked)
        assert not answer.refused and said in answer.text, asked


def test_a_title_at_an_institution_the_span_does_not_give_the_person_is_refused(answerer):
    """holdout49 h49-068: "What position does Vsevolod Shemov hold at the Strategic Development
    Fund?" was answered with Shemov's title at the Baltic Sea Research Association (the Fund is
    Igor Shatov's, in the sentence beside it)."""
    assert answerer.ask("What position does Vsevolod Shemov hold at the Strategic Development Fund?").refused
    assert answerer.ask("What position does Shatov hold at the Baltic Sea Research Association?").refused
    answer = answerer.ask("What role does Shatov have at the Strategic Development Fund?")
    assert not answer.refused and "head of the expert committee" in answer.text


def test_a_teenagers_chat_words_are_not_terms_of_the_question(answerer):
    """holdout47 h47-032, h47-074, h47-080, h47-028, h47-016: "ngl", "rn", "lowkey confused -", "i
    don't get why …", "tryna", "basically" had been terms no span holds, and the questions refused."""
    for asked, said in (("ngl i don't get why the klaipeda route is blocked rn", "balloon smuggling"),
                        ("lowkey confused - why is poland's gdansk port off limits for belarus", "refused to release Polish citizens"),
                        ("which other leader is luka tryna compete with as a world mediator", "Erdogan"),
                        ("shemov says kellogg's visit is basically trump doing what to the EU?", "slap at the EU")):
        answer = answerer.ask(asked)
        assert not answer.refused and said in answer.text, asked


def test_a_name_the_question_excludes_read_in_not_x_but_y_is_y(answerer):
    """holdout51 h51-079: "…, in which city is the bridge between Moscow and Kyiv, if it is not
    Istanbul?" read "Istanbul" in "The bridge between Moscow and Kyiv is not in Istanbul, but in
    Minsk", a name the question gives, and the answer was refused as the wrong kind."""
    answer = answerer.ask("According to Vasilyev, in which city is the bridge between Moscow and Kyiv, if it is not Istanbul?")
    assert not answer.refused and "but in Minsk" in answer.text and answer.support["reader_answer"] == "Minsk"


def assert_refused_by(answerer, rule: str, *questions: str) -> None:
    """Each question is refused, and by `rule` (the key rule_check's refusal sets in the support)."""
    for question in questions:
        answer = answerer.ask(question)
        assert answer.refused and answer.support.get(rule), (question, answer.text)


def test_a_premise_with_another_person_or_place_is_refused(answerer):
    """holdout55 h55-043, h55-059: "Why were most of the released political prisoners deported to
    Poland?" was answered "… not to Lithuania, but to Ukraine", and "Which Belarusian prisoner was
    described as being of personal interest to Putin?" with "… the only one of personal interest
    to Trump": the question's only name is nowhere in the span or beside it."""
    assert_refused_by(answerer, "names_absent", "Why were most of the released political prisoners deported to Poland?",
                      "Which Belarusian prisoner was described as being of personal interest to Putin?")
    # the names there, or none asked about: answered
    assert "Bialiatski" in answerer.ask("Which prisoner was of personal interest to Trump?").text
    assert "Ukraine" in answerer.ask("Where were most of the released political prisoners deported to?").text
    # a yes/no question's premise is corrected, not refused
    assert not answerer.ask("Were most of the freed prisoners sent to Poland?").refused
    # the corpus's own subject (Belarus), and the US (which the articles write in several ways),
    # are meant by spans that do not name them
    assert "Shraibman" in answerer.ask('Who said the structure of the Belarusian opposition "must inevitably become more polyphonic"?').text
    assert "Shraibman" in answerer.ask("Who said that could tempt the US?").text


def test_a_premise_the_other_way_round_is_refused(answerer):
    """holdout16 h16-056, holdout26 h26-021, holdout54 h54-053: "Why was Ales Bialiatski deported
    to Ukraine rather than to Lithuania?" was answered with "… deported to Lithuania, including …
    Ales Bialiatski": the place the question sets aside is the span's, the one it asks about is
    not beside it."""
    assert_refused_by(answerer, "other_place", "Why was Ales Bialiatski deported to Ukraine rather than to Lithuania?",
                      "Why did Lukashenko deport Ales Bialiatski to Ukraine instead of Lithuania?")
    # the right way round: answered
    assert "Bialiatski" in answerer.ask("Which Nobel Peace Prize winner was deported to Lithuania rather than Ukraine?").text
    assert "Lukashenko" in answerer.ask("Who decided that the prisoners would be sent to Ukraine rather than Lithuania?").text


def test_a_span_about_another_city_does_not_answer_for_the_one_asked(answerer):
    """"Why is Belarusian potash blocked from going through Gdansk?" was answered with the Klaipeda
    sentence (every term in it, Gdansk elsewhere in the article): a city or port the question
    names must be in the span's window when its focus names another one."""
    for question in ("Why is Belarusian potash still blocked from going through Odesa despite the US sanctions relief?",
                     "Why is Belarusian potash blocked from going through Gdansk?"):
        answer = answerer.ask(question)
        assert "Klaipeda" not in answer.text, (question, answer.text)
    assert "balloon" in answerer.ask("Why is Belarusian potash blocked from going through Klaipeda?").text
    assert "off limits" in answerer.ask("Why is Gdansk off limits for Belarusian potash?").text
    # a country or its adjective is not a city ("Belarus" is named by most spans or none), nor a
    # capital that stands for its country; and a question that asks for a place is answered by another
    q = answerer.retrieve("Why is Belarusian potash blocked from going through Gdansk?", {})[0]
    assert answerer._cities(q) == ["gdansk"]
    for question, expected in (("Relations between Vilnius and Minsk soured over what kind of smuggling affair?", "balloon"),
                               ("Excluding Klaipeda and Gdansk, which Ukrainian port has been floated as a more radical export option?", "Odesa")):
        assert answerer._cities(answerer.retrieve(question, {})[0]) == []
        assert expected in answerer.ask(question).text, question
    q, cands = answerer.explain("Why is Belarusian potash still blocked from going through Odesa despite the US sanctions relief?")
    blocked = next(c for c in cands if "Klaipeda" in answerer.span_text(c.focus)[1] and "Odesa" not in answerer.span_text(c.focus)[1])
    assert answerer._another_city(q, blocked.focus) and blocked.penalty >= 2.0


def test_what_a_government_stated_is_not_an_interviewed_analysts_answer(answerer):
    """"What reason did Minsk give for letting Tikhanyovski go?" was answered with an analyst's
    interview answer ("Yes, this is a traditional diplomatic move by Minsk …"): what a country,
    a capital or an office stated, or "the official reason", is not an interviewee's view; the
    press secretary's "purely humanitarian" is."""
    for question in ("What reason did Minsk give for letting Tikhanyovski go?", "Why, according to Minsk, was Tikhanyovski let go?",
                     "What official reason was given for releasing Tikhanyovski?", "Why was Tikhanyovski pardoned, per Minsk?"):
        answer = answerer.ask(question)
        assert not answer.refused and "humanitarian" in answer.text and "traditional diplomatic move" not in answer.text, question
    q, cands = answerer.explain("What reason did Minsk give for letting Tikhanyovski go?")
    analyst = next(c for c in cands if answerer.span_text(c.focus)[1].startswith('"Yes, this is a traditional diplomatic move'))
    assert answerer._official_statement(q) and analyst.penalty >= 1.0
    # the narrative's own question a few sentences before ("What's next?") is no interviewer's: the
    # press secretary's statement after it is not an interview answer
    secretary = next(c for c in cands if answerer.span_text(c.focus)[1].startswith("Belarusian President Press Secretary"))
    assert secretary.penalty == 0.0
    # giving something is no statement, nor is a person's view: an interview answer may give those
    for question in ("What could Belarus give the U.S. in return?", "What reason did Shatov give for the visit?",
                     "What gifts did trump give lukashenko?", "How does Vsevolod Shemov describe what Moscow gives Minsk?",
                     "What does Russia give Belarus, according to Shemov, in exchange for loyalty?",
                     "according to shemov what does russia give belarus", "What did Zarikhin say about official Minsk?",
                     "How does Moscow view Lukashenko's proposals for agreements with the United States?",
                     "For what reason does Washington want Minsk to give up potash?", "what's kellogg's official title"):
        assert not answerer._official_statement(answerer.explain(question)[0]), question


def test_whom_a_named_writer_wrote_for_is_not_a_question_about_the_author(answerer):
    """"who was artyom shraibman writing his commentary for?" names the writer: it asks for whom
    (the Carnegie Endowment), not who wrote it, so a span without a byline word is no reason to
    refuse. Said with "was … writing" and in lower case as with "did … write"; "Who was the
    commentary … written by?" still asks for the writer."""
    for question in ("who was artyom shraibman writing his commentary for?", "Who is Artyom Shraibman writing for?",
                     "Who did Artyom Shraibman write his commentary for?"):
        answer = answerer.ask(question)
        assert not answer.refused and "Carnegie Endowment" in answer.text, question
    for question in ("Who was the commentary in the Carnegie Endowment written by?", "Who wrote the commentary for the Carnegie Endowment?",
                     "Who is credited with writing the article?", "Who was hired to write the report?", "Who has been writing the column?"):
        assert answerer._asks_author(answerer.explain(question)[0]), question


def test_the_owner_of_a_role_the_question_asks_about_is_of_the_asked_kind(answerer):
    """"Which publication does Yurii Panchenko edit?" read "European Pravda's editor": the role
    ("editor") is what the question says he does; the publication is its owner. Refused before
    as the wrong kind (an editor is no publication). A role the question does not name keeps
    the check: "Belarus's potash industry" is no company."""
    answer = answerer.ask("Which publication does Yurii Panchenko edit?")
    assert not answer.refused and "European Pravda" in answer.text
    from bot import wordnet

    q = answerer.explain("Which company exports potash?")[0]  # "potash" is the question's word, no role of the owner
    assert q.type_head == "company" and answerer._wrong_kind(q, "Belarus's potash", [], wordnet.get())
    q = answerer.explain("Which company does the US help by lifting sanctions?")[0]
    assert answerer._wrong_kind(q, "Belarus's potash industry", [], wordnet.get())


def test_when_an_article_was_published_is_its_dated_byline(answerer):
    """"When was the bne IntelliNews comment published?" was refused, though the article's
    byline dates it ("By bne IntelliNews December 23, 2025", kept in the cleaned text; the date
    in its metadata): the byline is the answer and its citation. Another piece the article
    quotes has no date here ("the Carnegie piece by Shraibman"), nor has an undated article."""
    for question in ("When was the bne IntelliNews comment published?",
                     "What's the publication date on the bne IntelliNews comment 'Lukashenko plays the Trump card'?",
                     "When was the piece about Lukashenko playing the Trump card published?"):
        answer = answerer.ask(question)
        assert not answer.refused and answer.support.get("dateline"), question
        quote = answer.citations[0].quote
        assert answer.citations[0].source == "004_a24a6e3f3a2234d6.txt" and "December 23, 2025" in quote and answer.text == quote
        assert answer.shown == " ".join(quote.split())  # a line of its own: shown whole, no "…"
    for question in ("What date was the Carnegie piece by Shraibman published?",
                     "When was the article about Kellogg being greeted by Lukashenko published?"):
        assert not answerer.ask(question).support.get("dateline"), question
    # an article only as where something was read is not asked about
    for question in ("When was Tikhanovsky released?", "When was the sanctions list published, according to the report?",
                     "When did the US put out its statement, the article says?", "When was the decree dated, per the piece?"):
        assert not answerer._asks_published(question), question


def test_a_why_answer_that_states_its_reason_needs_less_probability(answerer, seed_settings, library):
    """"Why did the U.S. envoy expect Lukashenko might stop sending weather balloons toward
    Lithuania?" was refused (p(answerable) 0.37, "expect" and "stop" not in the span), though
    the span says why: "… may abandon the practice …, as he is "sincerely trying to calm it
    down"". A "why" span with a reason clause is answered from WHY_REASON_THRESHOLD up; "as
    long as the United States considers …" is a condition, no reason."""
    from bot import services

    question = "Why did the U.S. envoy expect Lukashenko might stop sending weather balloons toward Lithuania?"
    answer = answerer.ask(question)
    assert not answer.refused and "calm" in answer.text
    assert answer.support["p_answerable"] < answerer.model.threshold  # answered by the reason rule
    assert answerer.ask("Why did Lukashenko say Belarus had to be careful in how it goes about a deal with Washington?").refused
    off = services.answerer(seed_settings.model_copy(update={"why_reason_threshold": 1.0}), library)
    assert off.ask(question).refused


def test_a_why_questions_event_is_found_under_a_synonym_in_an_aside(answerer):
    """"Why did Lukashenko let Russian troops cross into Ukraine …?" was answered with "… as Kyiv
    considers Lukashenko complicit … after he allowed Russian troops to cross …": the asked event
    ("let", WordNet's "allow") is there only in a clause that dates something else, with no
    reason for it (_event_aside). The question the sentence does answer still is."""
    assert answerer.ask("Why did Lukashenko let Russian troops cross into Ukraine from Belarus at the start of the invasion?").refused
    answer = answerer.ask("Why is exporting potash through Odesa seen as unlikely?")
    assert not answer.refused and "complicit" in answer.text


def test_a_why_question_whose_span_only_restates_the_event_is_refused(answerer):
    """"Why did the United States decide to lift sanctions on Belavia?" was answered with "The
    U.S. has lifted sanctions against Belarusian airline "Belavia" and hopes to restart the work
    of the embassy in Minsk.": the asked event in a clause of its own and no reason for it in the
    span (holdout50 h50-005, a near miss). A span that gives the reason in the sentence after it
    ("That's why he decided to get ahead …") or "in return" is still an answer."""
    question = "Why did the United States decide to lift sanctions specifically on the Belarusian airline Belavia?"
    q, cands = answerer.explain(question)
    assert answerer.rule_check(q, cands[0])[1] == "no_reason"
    assert answerer.ask(question).refused
    # the event of "What reason did … give for lifting …?" is the lifting (holdout62 h62-014)
    question = "What reason did Washington give for lifting its sanctions on the Belarusian airline Belavia?"
    q, cands = answerer.explain(question)
    assert answerer.rule_check(q, cands[0])[1] == "no_reason" and answerer.ask(question).refused
    answer = answerer.ask("Why did the US lift sanctions on Belarusian potash?")  # "In return, the US lifted …"
    assert not answer.refused and "potash" in answer.text, answer.text
    answer = answerer.ask("Why did Lukashenko decide to get ahead and build good relations with the U.S., according to Vladimir Vasilyev?")
    assert not answer.refused and "leftovers" in answer.text, answer.text


def test_a_byline_answer_is_shown_whole(answerer):
    """"Author: Dmitriy Rodionov" is a line of its own: shown without the "…" of an answer cut
    inside a sentence."""
    answer = answerer.ask("Who wrote the article about Lukashenko greeting Kellogg?")
    assert answer.support.get("byline") and answer.shown == "Author: Dmitriy Rodionov"


def test_a_formal_whom_question_is_read_as_people_ask_it(answerer):
    """"By whom was the pardon of Tikhanyovski announced?" read "opposition politician Sergey
    Tikhanyovski", the question's own name, and was refused (holdout63 h63-032); the reader is
    asked "Who announced the pardon of Tikhanyovski?" and reads the press secretary."""
    from bot.answer import Answerer

    assert Answerer._as_active("By whom was the pardon of Tikhanyovski announced?") == "Who announced the pardon of Tikhanyovski?"
    assert Answerer._as_active("By whom were they freed, and when?") == "Who freed them, and when?"
    assert Answerer._as_active("Whom did Trump call?") == "Who did Trump call?"
    # not a participle the past tense can stand for, nor one a comma hides
    for question in ("By whom was it written?", "By whom was the deal, reported in December, brokered?",
                     "By whom were the prisoners released on December 13 greeted?", "By whom was the letter drafted and signed?"):
        assert Answerer._as_active(question) == question
    answer = answerer.ask("By whom was the pardon of Tikhanyovski announced?")
    assert not answer.refused and "Eisenmont" in answer.text, answer.text


def test_a_name_the_article_tags_elsewhere_is_of_the_asked_kind(answerer):
    """"… to Russia and Putin through Lukashenko, along with a warning": the small model tags no
    person in that sentence, so "Lukashenko" read for "Through whom …?" counted as no person and
    the answer was refused (holdout63 h63-043). The article's other sentences tag him one."""
    answer = answerer.ask("Through whom, in Igor Shatov's view, may the Trump team have passed its Ukraine proposals on to Putin?")
    assert not answer.refused and "through Lukashenko" in answer.text, answer.support
    # a person only: "Belarus", read for the advisors, is a country wherever the article tags it
    assert answerer.ask("Who are the smart advisors around Trump that Zarikhin mentions?").refused


def test_a_receiver_asked_is_not_the_one_the_gift_came_from(answerer):
    """"To whom did Lukashenko present a golden boot as a gift?" was answered with "After
    receiving a golden boot as a gift from Trump …" (holdout63 h63-027, a near miss): the one the
    reader read gave it. The other way round is answered."""
    question = "To whom did Lukashenko present a golden boot as a gift?"
    q, cands = answerer.explain(question)
    assert answerer.rule_check(q, cands[0])[1] == "other_way" and answerer.ask(question).refused
    for question in ("Who did Trump give a golden boot to?", "From whom did Lukashenko receive a golden boot?"):
        answer = answerer.ask(question)
        assert not answer.refused and "golden boot" in answer.text, (question, answer.text)


def test_too_something_to_do_is_a_reason(answerer):
    """"There is a corridor to Russia's northern ports, but the distances involved mean it is too
    expensive to transport the potash to them by rail." gives the reason for "Why is shipping …
    via Russia's northern ports not a practical alternative?" (holdout62 h62-054), which was
    refused at p(answerable) 0.50: "too … to" is a reason (_REASON_RE), so the span has a reason
    sentence and WHY_REASON_THRESHOLD applies."""
    answer = answerer.ask("Why is shipping Belarusian potash via Russia's northern ports not a practical alternative?")
    assert not answer.refused and "too expensive" in answer.text, answer.support


def test_a_passage_in_the_cited_persons_words_is_read_without_the_citation(answerer):
    """The reader matches words: "According to the adviser at the Baltic Sea Research
    Association, what does Russia provide for Belarus?" read "security umbrella" in Shemov's
    "Russia provides a security umbrella for Belarus, …" below "no answer", and the answer was
    refused (holdout65 h65-027). Read without the citation (or with "he" for a description that
    is the subject of the verb of saying), in spans all in his words only."""
    lib = answerer.library
    (j,) = [k for k in range(len(lib.sentences)) if "provides a security umbrella" in lib.sentences[k].text]
    src, text = lib.sentences[j].source, lib.sentences[j].text
    question = "According to the adviser at the Baltic Sea Research Association, what does Russia provide for Belarus?"
    asked, voice = answerer._uncited(answerer.analyse(question), question, text, src, range(j, j + 1))
    assert asked == "What does Russia provide for Belarus?" and voice == frozenset({"vsevolod", "shemov"})
    # the person named, and an appositive with him; "in X's view" in the middle
    for question, expected in (
            ("According to Shemov, what does Russia provide for Belarus?", "What does Russia provide for Belarus?"),
            ("What does Russia provide for Belarus, according to Vsevolod Shemov?", "What does Russia provide for Belarus?"),
            ("Why, in Shemov's view, does Russia provide for Belarus?", "Why does Russia provide for Belarus?"),
            ("What does Russia provide for Belarus, in Shemov's view?", "What does Russia provide for Belarus?"),
            # an appositive or a relative clause in the citation goes with it; an earlier "in …" stays
            ("Why, according to Vsevolod Shemov, an adviser at the Baltic Sea Research Association, does Russia provide for Belarus?",
             "Why does Russia provide for Belarus?"),
            ("According to Vsevolod Shemov, who advises the Baltic Sea Research Association, what does Russia provide for Belarus?",
             "What does Russia provide for Belarus?"),
            ("What role does Russia play in Europe in Shemov's view?", "What role does Russia play in Europe?")):
        assert answerer._uncited(answerer.analyse(question), question, text, src, range(j, j + 1))[0] == expected, question
    # not someone else's words, nor a passage that names the one cited
    for question in ("According to Shatov, what does Russia provide for Belarus?",
                     "According to the Carnegie analyst, what does Russia provide for Belarus?"):
        assert answerer._uncited(answerer.analyse(question), question, text, src, range(j, j + 1)) is None, question
    (named,) = [k for k in range(len(lib.sentences)) if "According to Shraibman, the aim is twofold" in lib.sentences[k].text]
    question = "According to Shraibman, what was the aim?"
    assert answerer._uncited(answerer.analyse(question), question, lib.sentences[named].text, lib.sentences[named].source,
                             range(named, named + 1)) is None
    (k,) = [k for k in range(len(lib.sentences)) if "will probably ask for joint development" in lib.sentences[k].text]
    question = "What does the senior researcher at the Institute for U.S. and Canada Studies expect the U.S. to ask of Belarus in exchange for loans?"
    q = answerer.analyse(question)
    assert q.described_subject == "the senior researcher at the Institute for U.S. and Canada Studies"
    assert answerer._uncited(q, question, lib.sentences[k].text, lib.sentences[k].source, range(k, k + 1))[0] == (
        "What does he expect the U.S. to ask of Belarus in exchange for loans?")
    for question, said in ((question, "potassium"),
                           ("According to the adviser at the Baltic Sea Research Association, what does Russia provide for Belarus?", "security umbrella"),
                           ("According to Vladimir Zarikhin, how likely is a meeting between Lukashenko and Zelenskyy?", "5%")):
        answer = answerer.ask(question)
        assert not answer.refused and said in answer.text, (question, answer.text)


def test_a_reply_two_sentences_after_the_interviewers_question_is_a_candidate(answerer):
    """'"Svoboda": How do you assess the possibility of Lukashenko meeting with Zelenskyy? More
    importantly, what results could such a meeting achieve?' and Zarikhin's reply "— In the current
    situation, I think the possibility of both sides meeting is low, only 5%.": the reply was no
    candidate, and "How likely did Vladimir Zharikhin consider …" answered "Lukashenko hopes to
    meet with Vladimir Zelenskyy." (holdout64 h64-012)."""
    lib = answerer.library
    (asked,) = [k for k in range(len(lib.sentences)) if "More importantly, what results could such a meeting" in lib.sentences[k].text]
    assert answerer._replies({asked - 1}) == {asked + 1}
    answer = answerer.ask("How likely did Vladimir Zharikhin consider a face-to-face meeting between Lukashenko and Zelensky?")
    assert not answer.refused and "5%" in answer.text, answer.text


def test_a_why_answer_that_says_its_reason_is_before_it_takes_that_sentence_too(answerer):
    """"That's why he decided to get ahead and build good relations with the U.S." alone gives no
    reason, and "Why, in Vasilyev's view, did Lukashenko rush …?" was refused (holdout64 h64-027);
    with the sentence before it the answer has it ("… he will ultimately only get some leftovers")."""
    answer = answerer.ask("Why, in Vasilyev's view, did Lukashenko rush to build good relations with the US ahead of Moscow?")
    assert not answer.refused and "leftovers" in answer.text and "That's why" in answer.text, answer.text


def test_a_gift_presented_to_someone_is_not_the_one_they_gave(answerer):
    """"What gift did Lukashenko present to Trump …?" was answered with the golden boot Trump gave
    him (holdout64 h64-058, a near miss): "present to" gives too."""
    question = "What gift did Lukashenko present to Trump in return for the gifts he received?"
    q, cands = answerer.explain(question)
    assert answerer.rule_check(q, cands[0])[1] == "other_way" and answerer.ask(question).refused


def test_the_view_of_the_one_spoken_to_is_not_the_speakers_words(answerer):
    """"How does journalist Pavel Zarubin himself assess Lukashenko's peace proposal?" was answered
    with "Lukashenko candidly told journalist Pavel Zarubin: …" (holdout65 h65-041, a near miss):
    Zarubin is named there only as the one Lukashenko speaks to."""
    lib = answerer.library
    (j,) = [k for k in range(len(lib.sentences)) if "candidly told journalist Pavel Zarubin" in lib.sentences[k].text]
    assert answerer._spoken_to(("pavel", "zarubin"), [j]) and not answerer._spoken_to(("lukashenko",), [j])
    # the speaker of a quote put after the verb is not spoken to ('"Who doesn't know him?" asked Lukashenko')
    (k,) = [k for k in range(len(lib.sentences)) if "asked Lukashenko, embracing Kellogg" in lib.sentences[k].text]
    assert not answerer._spoken_to(("lukashenko",), [k])
    assert answerer.ask("How does journalist Pavel Zarubin himself assess Lukashenko's peace proposal?").refused
    answer = answerer.ask("What did Lukashenko tell journalist Pavel Zarubin?")
    assert not answer.refused and "start negotiations" in answer.text


def test_a_sure_reading_as_asked_is_not_replaced_by_the_uncited_one(answerer):
    """Shatov's "… conveyed their proposals … to Russia and Putin through Lukashenko" reads 2.8
    above no answer as asked; without "According to Shatov" it read "Lukashenko" 4.2 above, and
    the question (holdout30 h30-078, its answer the next sentence) went from refused to wrong.
    Only a reading as asked below UNCITED_BELOW is replaced."""
    question = "According to Shatov, what warning may Washington have passed to Putin via Minsk, short of an outright threat?"
    _q, cands = answerer.explain(question)
    conveyed = [c for c in cands if "reader" in c.features and any(
        "conveyed their proposals" in answerer.library.sentences[j].text for j in c.focus)]
    assert conveyed and all(c.read_as_asked is None for c in conveyed)
    assert answerer.ask(question).refused
