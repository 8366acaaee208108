"""Follow-up questions: the rewriter on its own (real spaCy, the seed corpus's names), the
Conversation history (bound, expiry, reset), and follow-ups through the REPL and Telegram."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

import prompts
from bot.answer import Answer
from bot.conversation import Conversation, ConversationStore, Rewriter
from conftest import CITEBOT, SHMELYEV_Q, SHMELYEV_SOURCE, cli_env, flat
from fake_bot_api import GROUP, OTHER_PRIVATE, OTHER_USER, PRIVATE, USER, drive
from test_telegram import tg_settings  # noqa: F401 - a fixture

SHMELYEV_A = '"Svobodnaya Pressa" interviewed Boris Shmelyev, a doctor of history, professor, and chief researcher.'
KELLOGG_Q = "Who did Lukashenko meet in Minsk?"
KELLOGG_A = ("Belarusian President Alexander Lukashenko met with U.S. Special Representative for Ukraine "
             "John Kellogg at the Independence Palace in Minsk.")


@pytest.fixture(scope="module")
def rewriter(answerer) -> Rewriter:
    return Rewriter.for_answerer(answerer)


def after(rewriter: Rewriter, *exchanges: tuple[str, str]):
    """History made of (question, answer text) exchanges."""
    return [rewriter.analyse_turn(q, Answer(q, a), when=0.0) for q, a in exchanges]


# --- the rewriter -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "exchange, follow_up, expected",
    [
        # a pronoun for the person the question was about
        ((SHMELYEV_Q, SHMELYEV_A), "What academic degree does he hold?", "What academic degree does Boris Shmelyev hold?"),
        ((SHMELYEV_Q, SHMELYEV_A), "what is his job", "What is Boris Shmelyev's job?"),
        # after "who did X meet", "his" is the person the answer introduced …
        ((KELLOGG_Q, KELLOGG_A), "What is his title?", "What is John Kellogg's title?"),
        # … but a subject "he" stays with the question's subject
        ((KELLOGG_Q, KELLOGG_A), "What did he say to him?", "What did Lukashenko say to John Kellogg?"),
        # ellipsis: the previous question asked again with the new question word
        ((SHMELYEV_Q, SHMELYEV_A), "And when?", "When did Svobodnaya Pressa interview Boris Shmelyev?"),
        (("Who was released on 13 December?", "Siarhei Tsikhanouski was released."), "Why?",
         "Why was Siarhei Tsikhanouski released on 13 December?"),
        ((KELLOGG_Q, KELLOGG_A), "When did that happen?", "When did Lukashenko meet John Kellogg in Minsk?"),
        (("How many political prisoners did Belarus release?", "Belarus released 123 political prisoners."),
         "and when?", "When did Belarus release the political prisoners?"),
        # "what about X": the previous question with X in place of its entity of that kind
        (("When was Tikhanyovski released?", "Tikhanyovski was released in June."), "What about Bialiatski?",
         "When was Bialiatski released?"),
        # plural and place pronouns
        (("How many political prisoners did Belarus release?", "Belarus released 123 political prisoners."),
         "Where were they deported?", "Where were the political prisoners deported?"),
        ((KELLOGG_Q, KELLOGG_A), "Who else was there?", "Who else was in Minsk?"),
        # "it" is the thing asked about, not the attribute ("the range")
        (("What is the range of the Oreshnik missile?", "Its range is up to 5,000 km."), "When was it deployed?",
         "When was the Oreshnik missile deployed?"),
        # "according to X …" then "what does he say …": X
        (("According to Vladimir Vasilyev, what gift did Lukashenko receive from Trump?", "A golden boot."),
         "What does he think Lukashenko expects?", "What does Vladimir Vasilyev think Lukashenko expects?"),
    ],
)
def test_follow_ups_are_rewritten_to_standalone_questions(rewriter, exchange, follow_up, expected):
    assert rewriter.rewrite(follow_up, after(rewriter, exchange)) == expected


@pytest.mark.parametrize(
    "follow_up",
    [
        "When was Lukashenko elected?",  # nothing to resolve
        "Who is Maria Kalesnikava and why was she jailed?",  # the antecedent is in the question
        "How long did it take to deploy the missile?",  # expletive "it"
        "What did Lukashenko say about his plans?",  # "his" is Lukashenko
        # "his" is Tsikhanouskiy, whom spaCy tags ORG here but the articles call a person
        "What has caused conflicts between Tsikhanouskiy and his wife's inner circle since his release?",
        # "him" in a modifier clause is the deputy asked about
        "Which deputy of Kellogg did Lukashenko greet with a hug, calling him a good guy?",
        "How long was Tikhanovsky's prison sentence, and how many were released together with him?",
        "Besides Tikhanyovski himself, how many others were freed after Kellogg's visit?",  # reflexive
        "What does Minsk keep for itself?",  # a reflexive is its own clause's subject, never a thing named before
        "What did the prisoners say about themselves?",
        "What did she say?",  # no woman has been discussed: never a man instead
        # "according to X" set off by commas is an aside, not the elliptical "Why, according to him?"
        "Why, according to Minsk, was Tikhanyovski let go?",
        # standalone questions asked after another one: each pronoun has its antecedent inside
        "How many years of his 18-year sentence had Tikhanyovski served before the pardon?",  # the subject, after it
        "How many pardoned prisoners did Kellogg take out of Belarus with him?",  # the one who took them
        "Where were Babariko and Kolesnikova sent after their release?",  # the two named
        "What job did Viktar Babaryka have before he ran for president?",  # a name the corpus spells otherwise
        "why has tikhanovsky clashed with his wife's inner circle",  # typed in lower case
        "when did the eu impose its sanctions on belarusian potash",
        # "it" standing for a clause that follows, and an existential "there"
        "To which journalist did Lukashenko say it was time to start negotiations?",
        "On what day did it become known that 123 political prisoners had been freed?",
        "how much does it cost to move potash by rail to russia's northern ports",
        "how many oreshnik missiles are there in belarus",
        "Is it known what the Trump proposal that Lukashenko backs actually refers to?",  # and a relative "that"
        "As Shemov sees it, who was Trump really slapping with this visit?",  # an idiom
        "Will it snow in Vilnius on Christmas Eve?",
        "According to Vsevolod Shemov, what does Russia give Belarus under their current arrangement?",  # the two named
        "Who granted the opposition politician his pardon, and how long a prison term had he been given?",
        "since his release who has sergei tikhanovsky clashed with",  # fronted, the name after it
        "According to Zarikhin, what becomes of anyone Trump speaks with, and which ancient king does he compare this to?",
        "what did lukashenko say would happen if they played mind games with each other",  # reciprocal: he is one of them
    ],
)
def test_questions_that_must_not_be_rewritten(rewriter, follow_up):
    history = after(rewriter, (SHMELYEV_Q, SHMELYEV_A))
    assert rewriter.rewrite(follow_up, history) == follow_up
    if "she" not in follow_up.split():
        assert rewriter.unresolved_person(follow_up) is None  # and never refused as "who is he?"


COALE_Q = "What practice did John Coale predict Lukashenko may abandon?"
COALE_A = ("The US representative also predicted that Lukashenko may abandon the practice of launching weather "
           "balloons toward Lithuania, as he is \"sincerely trying to calm it down\".")
FIGURES_Q = "Which two freed opposition figures have taken more moderate stances than Tikhanovskaya?"
FIGURES_A = ("Babariko and Kolesnikova have already taken more moderate stances, calling for dialogue with Minsk.")
VASILYEV_Q = "What does Vladimir Vasilyev think Lukashenko expects to get from the US?"
VASILYEV_A = "He expects Boeing airplanes and American cars."
AIRLINE_Q = "Which Belarusian airline has the US lifted sanctions against?"


@pytest.mark.parametrize(
    "exchanges, follow_up, expected",
    [
        # "And for what?": the reason for the previous question's event; the stranded "to" of
        # "how long … sentenced to" goes with the old question word
        ([("How long was Sergey Tikhanyovski sentenced to?", "Tikhanyovski was sentenced to 18 years in prison.")],
         "And for what?", "Why was Sergey Tikhanyovski sentenced?"),
        ([("Where were the political prisoners deported to?", "They were deported to Ukraine.")],
         "When?", "When were the political prisoners deported?"),
        # "Why, according to him?": elliptical, with its source (already in the question: not repeated)
        ([(COALE_Q, COALE_A)], "Why, according to him?", "Why did John Coale predict Lukashenko may abandon the practice?"),
        # "what practice" is answered by a description: no name from the answer ("Lithuania", "US") is put in its place
        ([(COALE_Q, COALE_A)], "And when?", "When did John Coale predict Lukashenko may abandon the practice?"),
        # a previous question opening with a preposition: the answer's port goes back with it
        ([("Through which Lithuanian port are its exports blocked?",
           "Export routes through the Lithuanian port of Klaipeda remain blocked due to a balloon scandal.")],
         "Why?", "Why are its exports blocked through Klaipeda?"),
        # "which airline": the name the answer calls an airline …
        ([(AIRLINE_Q, 'The U.S. has lifted sanctions against Belarusian airline "Belavia".')], "When was that?",
         "When has the US lifted sanctions against Belavia?"),
        # … never a byline the answer happens to contain
        ([(AIRLINE_Q, "Lukashenko is trying to lift sanctions by flattering Trump and its working. / bne IntelliNews")],
         "When was that?", "When has the US lifted sanctions against the Belarusian airline?"),
        # "which two … figures": the answer's two people are "they"; a second "their" stays a pronoun
        ([(FIGURES_Q, FIGURES_A)], "What are they calling for?", "What are Babariko and Kolesnikova calling for?"),
        ([(FIGURES_Q, FIGURES_A)], "Where were they deported after their release?",
         "Where were Babariko and Kolesnikova deported after their release?"),
        # "it" is not the person of its own question, nor the subject of its own clause
        ([("According to Vladimir Vasilyev, what gift did Lukashenko receive from Trump?", "A golden boot.")],
         "And what does Lukashenko believe he will get after it?",
         "And what does Lukashenko believe he will get after the gift?"),
        ([("What share of freight passed through the Polish-Belarusian border?", "90% of freight passed through it.")],
         "When did Poland close it?", "When did Poland close the Polish-Belarusian border?"),
        # … and when the newest thing ("that transit") is never closed in the articles, the one that is
        ([("What share of freight passed through the Polish-Belarusian border?", "90% of freight passed through it."),
          ("And how much is that transit worth a year?", "25 to 30 billion euros.")],
         "When did Poland close it?", "When did Poland close the Polish-Belarusian border?"),
        # "what does X think Y expects" … "how would he pay": Y; a speech verb keeps X
        ([(VASILYEV_Q, VASILYEV_A)], "how would he pay for them", "How would Lukashenko pay for them?"),
        ([(VASILYEV_Q, VASILYEV_A)], "What does he say about Trump?", "What does Vladimir Vasilyev say about Trump?"),
        # the "who did X meet … what did he say" preference for X lasts one turn: the newest subject wins
        ([("Which political analyst wrote a commentary for the Carnegie Endowment?",
           "Political analyst Artyom Shraibman wrote the commentary."),
          ("According to him, which leader has Lukashenko long used the same approach with?", "With Putin."),
          ("What does Artyom Shraibman say the opposition's structure must become?", "Polyphonic.")],
         "Which university does he teach at?", "Which university does Artyom Shraibman teach at?"),
        # "what about X" after a question about a group of people: X in the group's place, verb made singular
        ([("Where were most of the political prisoners deported to?", "Most were deported to Ukraine.")],
         "What about Bialiatski?", "Where was Bialiatski deported to?"),
        # "that rebellion": the one rebellion the last answer named
        ([("Whose rebellion was Lukashenko said to have quelled?",
           "Lukashenko's authority does not come from quelling the rebellion of Yevgeny Prigozhin.")],
         "When did that rebellion happen?", "When did Yevgeny Prigozhin's rebellion happen?"),
        # a second pronoun for the same person stays a pronoun
        ([(SHMELYEV_Q, SHMELYEV_A)], "Where did he work before his retirement?",
         "Where did Boris Shmelyev work before his retirement?"),
        # "they" after a question naming two people meeting: the two
        ([("Where did Lukashenko meet Kellogg?", "At the Independence Palace in Minsk.")],
         "What did they discuss?", "What did Lukashenko and Kellogg discuss?"),
        # after a yes/no question, a question word alone asks it again with that word
        ([("Did Lukashenko pardon Tikhanovsky?", "Lukashenko pardoned opposition politician Sergey Tikhanyovski.")],
         "When?", "When did Lukashenko pardon Tikhanovsky?"),
        # "which of the prisoners": the one the answer named takes its place
        ([("Which of the prisoners was Trump personally interested in?",
           "Of all Lukashenko's prisoners, Bialiatski was the only one of personal interest to Trump.")],
         "Why?", "Why was Trump personally interested in Bialiatski?"),
    ],
)
def test_more_follow_ups(rewriter, exchanges, follow_up, expected):
    assert rewriter.rewrite(follow_up, after(rewriter, *exchanges)) == expected


@pytest.mark.parametrize(
    "exchanges, follow_up",
    [
        # "that" as what costs/happens is an event: not replaced by a place named before
        ([("And Russia's northern ports?", "There is a corridor to Russia's northern ports, but it is too expensive.")],
         "How much would that cost per ton?"),
        # the group was what the question asked for ("how many prisoners"): no person put in its place
        ([("How many political prisoners did Belarus release?", "Belarus released 123 political prisoners.")],
         "What about Bialiatski?"),
        # two rebellions named: "that rebellion" is not guessed
        ([("Which rebellions are mentioned?", "The rebellion of Yevgeny Prigozhin and the rebellion of Spartacus.")],
         "When did that rebellion happen?"),
        # already standalone, or the pronoun's antecedent is in its own question
        ([(VASILYEV_Q, VASILYEV_A)], "When did Poland close the Polish-Belarusian border?"),
        ([(VASILYEV_Q, VASILYEV_A)], "Who is Maria Kolesnikova and when was she released?"),
        ([(VASILYEV_Q, VASILYEV_A)], "Why did the US lift sanctions on Belavia, and when did it do so?"),
        ([(FIGURES_Q, FIGURES_A)], "Which prisoners were deported, and where were they sent?"),
        ([(COALE_Q, COALE_A)], "Why did Lukashenko launch balloons toward Lithuania, according to John Coale?"),
    ],
)
def test_more_questions_that_must_not_be_rewritten(rewriter, exchanges, follow_up):
    assert rewriter.rewrite(follow_up, after(rewriter, *exchanges)) == follow_up


COLE_Q = "Which deputy of Kellogg did Lukashenko hug?"
COLE_A = ("\"Hey, good guy, how are you!\" he exclaimed upon seeing Kellogg's deputy John Cole (who had visited "
          "Belarus in the spring) and hugged him.")


@pytest.mark.parametrize(
    "exchanges, follow_up, expected",
    [
        # "which deputy": the answer's deputy; "Lukashenko hug" is not a name (a name is capitalised)
        ([(COLE_Q, COLE_A)], "When had he visited Belarus?", "When had John Cole visited Belarus?"),
        # "what did he do then?" asks what the person did: not the last question asked again
        ([(SHMELYEV_Q, SHMELYEV_A)], "What did he do then?", "What did Boris Shmelyev do then?"),
        # "how old is he?" is a whole question about a person, not "how old" + the last question
        ([("Where does Vladimir Vasilyev work?", "At the Institute for the United States and Canada.")],
         "How old is he?", "How old is Vladimir Vasilyev?"),
        # "whom did X meet?" answered with two names: "they" are X and the person met, not the two names
        ([("Whom did Lukashenko meet on December 12?", "Lukashenko began his meeting with Coale on December 12 "
           "by praising Trump's latest efforts.")], "What did they discuss?", "What did Lukashenko and Coale discuss?"),
        # a surname alone becomes the one full name the articles give it
        ([("What chance did Zarikhin give of Lukashenko meeting Zelenskyy?", "Only 5%.")],
         "Which ancient king did he compare Trump's influence to?",
         "Which ancient king did Vladimir Zarikhin compare Trump's influence to?"),
        # "How many?" after "which NOUNs …": the noun is kept, no answer name put in
        ([("Which political prisoners were released on December 13?",
           "Lukashenko released 123 political prisoners, including Viktor Babariko.")],
         "How many?", "How many political prisoners were released on December 13?"),
        ([("Which prisoners did Lukashenko release?", "He released 123 political prisoners, including Viktor Babariko.")],
         "And how many?", "How many prisoners did Lukashenko release?"),
        # "And the other one?": the other of the pair an earlier answer gave
        ([(FIGURES_Q, FIGURES_A), ("When was Babariko released?", "He was released on December 13.")],
         "And the other one?", "When was Kolesnikova released?"),
        # "Why there?": the last question asked again with "why"
        ([("Where were the political prisoners deported?", "They were deported to Ukraine.")],
         "Why there?", "Why were the political prisoners deported?"),
        # "in return": for the last turn's (passive) event
        ([("How soon could the political prisoners be freed, according to Coale?", "Within a month.")],
         "What would the US give in return?",
         "What would the US give in return for the political prisoners being freed?"),
        # "there": the place of the newest turn that names one
        ([("What has Lithuania blocked?", "Transit to Klaipeda."), ("Who did Lukashenko meet in Minsk?", "Kellogg.")],
         "Who else was there?", "Who else was in Minsk?"),
        # "there": a place only the answer names, when the question asked where
        ([("Where were most of the political prisoners deported?", "They were deported to Ukraine.")],
         "What happened to them there?", "What happened to the political prisoners in Ukraine?"),
        # "it … it" of the last question's verb: each "it" takes its role there
        ([("Which Russian missile has Belarus already received?", "Belarus has already received the Izumrud missile.")],
         "When did it receive it?", "When did Belarus receive the Russian missile?"),
        ([("When did Poland close the Polish-Belarusian border?", "In 2021.")],
         "Why did it close it?", "Why did Poland close the Polish-Belarusian border?"),
        # after "which journalist did X tell …?": a past-tense "he" goes on with X's doing, a present-tense
        # question about a person ("where does he work?") is about the journalist the answer named
        ([("Which journalist did Lukashenko tell it was time to start negotiations?",
           "Lukashenko candidly told journalist Pavel Zarubin: \"I think it's time for us to start negotiations.\"")],
         "Where does he work?", "Where does Pavel Zarubin work?"),
        ([("Which journalist did Lukashenko tell it was time to start negotiations?",
           "Lukashenko candidly told journalist Pavel Zarubin: \"I think it's time for us to start negotiations.\"")],
         "What did he warn Ukraine would lose?", "What did Lukashenko warn Ukraine would lose?"),
        # "And X's N?": the last question's one possessed thing replaced (verb made plural for a plural noun)
        ([("What does Vladimir Vasilyev say Lukashenko's authority comes from?", "It comes from balance.")],
         "And Trump's influence?", "What does Vladimir Vasilyev say Trump's influence comes from?"),
        ([("Why is Poland's Gdansk port off limits for Belarusian potash?", "Poland's Gdansk port remains off limits.")],
         "And Russia's northern ports?", "Why are Russia's northern ports off limits for Belarusian potash?"),
        # "in return" is an idiom, not a thing "it" could mean
        ([("What did Trump give Lukashenko?", "A golden boot."), ("What does Trump expect in return?", "Open markets.")],
         "How would he pay for it?", "How would Trump pay for it?"),
        # "it" after "which Nobel Peace Prize winner …?": the prize, not "the Nobel Peace Prize winner"
        ([("Which Nobel Peace Prize winner was among the political prisoners released in December?",
           "Lukashenko released 123 political prisoners, including Nobel laureate Ales Bialiatski.")],
         "In what year did he win it?", "In what year did Ales Bialiatski win the Nobel Peace Prize?"),
        # "that call": the last question's own phrase for it
        ([("What did Lukashenko say Trump promised during their warm phone call?", "Trump promised to visit Belarus.")],
         "Where was Trump travelling when he made that call?", "Where was Trump travelling when he made the warm phone call?"),
        # "that decision": a noun the last answer used for what it reported, with the last question as its topic
        ([("Where were Maria Kalesnikava and Viktar Babaryka deported to?",
           "They were deported to Ukraine. It was later reported that this decision was made personally by Lukashenko.")],
         "Who made that decision?",
         "Who made the decision about where Maria Kalesnikava and Viktar Babaryka were deported to?"),
        ([("Who was released on 13 December?", "Siarhei Tsikhanouski was released. The decision was announced later.")],
         "Who announced that decision?", "Who announced the decision about who was released on 13 December?"),
        # "what does he say/think …" is the source; "which aircraft does he expect to get?" the newest subject
        ([("According to Vasilyev, what symbolic gift did Lukashenko receive from Trump?", "A golden boot."),
          ("What does Lukashenko seem to believe he will get after the symbolic gift?", "Mountains of gold and silver.")],
         "Which American aircraft does he expect to get?", "Which American aircraft does Lukashenko expect to get?"),
        ([("According to Vasilyev, what symbolic gift did Lukashenko receive from Trump?", "A golden boot."),
          ("What does Lukashenko seem to believe he will get after the symbolic gift?", "Mountains of gold and silver.")],
         "What does he say Trump wants in return?", "What does Vladimir Vasilyev say Trump wants in return?"),
        # a fragment led by a phrasal preposition; "According to X," of the last question kept, at the end
        ([("According to Shraibman, what may Trump get the credit for?",
           "Trump may well get the credit for having rescued hundreds of hostages in support of his Nobel Peace Prize bid.")],
         "In support of which bid?", "In support of which bid may Trump get the credit, according to Shraibman?"),
        ([("According to Vladimir Vasilyev, what gift did Lukashenko receive from Trump?", "A golden boot.")],
         "And when?", "When did Lukashenko receive the gift from Trump, according to Vladimir Vasilyev?"),
        ([(KELLOGG_Q, KELLOGG_A)], "In the name of whom?", "In the name of whom did Lukashenko meet John Kellogg in Minsk?"),
        # a question word with a participle before its noun ("how many convicted individuals"); the
        # filler goes after the verb, not after a trailing noun ("… before the latest releases")
        ([("How many convicted individuals did the president of Belarus pardon before the latest releases?",
           "The president of Belarus pardoned 16 convicted individuals at the request of Donald Trump.")],
         "At whose request?",
         "At whose request did the president of Belarus pardon the convicted individuals before the latest releases?"),
    ],
)
def test_follow_ups_found_by_the_dev_dialogues(rewriter, exchanges, follow_up, expected):
    assert rewriter.rewrite(follow_up, after(rewriter, *exchanges)) == expected


@pytest.mark.parametrize(
    "exchanges, follow_up, expected",
    [
        # the person a "which …" phrase asks for is nobody a pronoun after it could mean, even when
        # truecasing a lower-case question has made "king" a name
        ([("Who is Vladimir Zarikhin?", "Vladimir Zarikhin is vice director of the Institute for CIS Countries.")],
         "which ancient ruler does he liken trump to", "Which ancient ruler does Vladimir Zarikhin liken Trump to?"),
        # "in his view" asks whose view, as "according to him" does: the one whose estimate was
        # asked, not a name of its own clause that is not its subject
        ([("How likely does Vladimir Vasilyev think a Lukashenko-Zelenskyy meeting is?", "About 50%.")],
         "why would meeting lukashenko help zelensky in his view",
         "Why would meeting Lukashenko help Zelensky in Vladimir Vasilyev's view?"),
        # … but a person subject's own view is his
        ([("Why was Tikhanyovski pardoned?", "It was humanitarian.")],
         "Why does Lukashenko, in his view, deserve credit?", "Why does Lukashenko, in his view, deserve credit?"),
        # "what does X say Y expects" makes X the source, as "according to X" does: "per him" and
        # "according to him" two turns later are X, not Y the last question was about
        ([("What does Vladimir Vasilyev say Lukashenko expects to get from the US?", "Boeing airplanes and American cars."),
          ("How would Lukashenko pay for them?", "With US loans.")],
         "and what has Washington given Belarus already, per him?",
         "And what has Washington given Belarus already, per Vladimir Vasilyev?"),
        ([("What does Boris Shmelyev say Lukashenko wants from the Americans?", "Economic aid."),
          ("How much is Lukashenko asking for?", "He did not say.")],
         "What could Belarus offer in exchange, according to him?",
         "What could Belarus offer in exchange, according to Boris Shmelyev?"),
        # "How many are left?": how many of the plural thing the last question named
        ([("What did John Coale say about the political prisoners still held in Belarus?", "They could be released within a month.")],
         "How many are left?", "How many political prisoners are left?"),
        # "them" is the group, not the last question's count of it ("most of them" are not 123)
        ([("When did it become known that Lukashenko had released 123 political prisoners?", "On 13 December.")],
         "where were most of them deported to", "Where were most of the political prisoners deported to?"),
        # "American" describing the goods is no group "them" could mean
        ([("What American goods does Vladimir Vasilyev say Lukashenko expects to get from the US?", "Boeing airplanes and American cars.")],
         "how would he pay for them", "How would Lukashenko pay for the American goods?"),
        # "Trump's envoy John Coale said": Coale is the one who spoke, not his possessor
        ([("What did Trump's envoy John Coale say about the political prisoners?", "They could be released within a month."),
          ("How many are left?", "About a thousand.")],
         "What would Belarus get in exchange, according to him?", "What would Belarus get in exchange, according to John Coale?"),
        # the same question about someone else, its prepositional phrase left unsaid
        ([("What odds did Vladimir Vasilyev give for a Lukashenko-Zelensky meeting?", "About 50%.")],
         "what odds did zarikhin give", "What odds did Zarikhin give for a Lukashenko-Zelensky meeting?"),
        # … not when it says one of its own, nor for another verb
        ([("What odds did Vladimir Vasilyev give for a Lukashenko-Zelensky meeting?", "About 50%.")],
         "What odds did Zarikhin give for a Putin-Trump summit?", "What odds did Zarikhin give for a Putin-Trump summit?"),
        ([("What odds did Vladimir Vasilyev give for a Lukashenko-Zelensky meeting?", "About 50%.")],
         "What odds did Zarikhin expect?", "What odds did Zarikhin expect?"),
        # an object "him" is the one the last two questions were about, not a person named once
        # beside him (the parallel-role rule would give the one "for" whom he worked)
        ([("When was John Coale made special envoy to Belarus?", "Trump appointed his former lawyer John Coale in November."),
          ("What did John Coale do for Trump before?", "He was Trump's lawyer.")],
         "when did lukashenko meet him after the appointment?", "When did Lukashenko meet John Coale after the appointment?"),
    ],
)
def test_follow_ups_found_by_the_third_dialogue_set(rewriter, exchanges, follow_up, expected):
    assert rewriter.rewrite(follow_up, after(rewriter, *exchanges)) == expected


@pytest.mark.parametrize(
    "exchanges, follow_up, expected",
    [
        # "and in return?" after a passive question: what is given in return for that event, by
        # the same source
        ([("How soon could the political prisoners be freed according to Coale?", "Within a month.")],
         "and in return?", "What would be given in return for the political prisoners being freed, according to Coale?"),
        # "how many?" after a question about an event named by what it is of
        ([("who brokered the belarus prisoner release on 13 december", "The Trump administration.")],
         "how many?", "How many prisoners were in the Belarus prisoner release on 13 December?"),
        # "what about <doing something>": another way of doing it, not a thing put in the last
        # question's place ("How much potash does shipping it via Russia export?")
        ([("how much potash does belarus export a year", "The articles do not say.")],
         "what about shipping it via russia", "What about shipping the potash via Russia?"),
        # a name typed with a letter swapped is still the question's own person: "him" is not he
        ([("Which Venezuelan leader is Lukashenko on good terms with?",
           "Lukashenko has even offered Belarus as a safe haven for Venezuela's President Nicolás Maduro.")],
         "what did lukashneko offer him", "What did Lukashneko offer Nicolás Maduro?"),
        # "talking like that": a manner, no thing named before
        ([("What did Lukashenko say Ukraine should be?", "An independent sovereign country.")],
         "how does vasilyev describe him talking like that", "How does Vasilyev describe Lukashenko talking like that?"),
        # "which two freed … figures" asks for people even when "freed" is tagged a past verb:
        # "they" are the two the answer names
        ([("which two freed belarusian opposition figures have taken more moderate stances?",
           "Babariko and Kolesnikova have already taken more moderate stances, calling for dialogue with Minsk.")],
         "what are they calling for", "What are Babariko and Kolesnikova calling for?"),
        # an acronym typed in capitals leaves a lower-case question lower-case: "shatov" is a name
        ([("what does shatov think the US may offer minsk?", "The U.S. may offer investment to Minsk.")],
         "whose investment does he think belarus finds more reliable",
         "Whose investment does Igor Shatov think Belarus finds more reliable?"),
    ],
)
def test_follow_ups_found_by_the_fourth_dialogue_set(rewriter, exchanges, follow_up, expected):
    assert rewriter.rewrite(follow_up, after(rewriter, *exchanges)) == expected


def test_in_return_without_an_event_to_fill_it_is_left_alone(rewriter):
    # an active question has no event phrase for "in return" to be for
    history = after(rewriter, ("Who did Lukashenko meet in Minsk?", KELLOGG_A))
    assert rewriter.rewrite("and in return?", history) == "and in return?"


@pytest.mark.parametrize(
    "exchanges, follow_up",
    [
        # "which ancient king did Zarikhin mention?" unanswered: "he" is the unknown king, not Zarikhin
        ([("Which ancient king did Zarikhin mention?", "")], "What power did he have?"),
        # an answer that names only the corpus's protagonist, never as the scientist asked for
        ([("Which political scientist heads the expert committee of the Strategic Development Fund?",
           "Head of the expert committee. \"I am sure Trump won't miss this opportunity.\"")],
         "What does he think Trump wants to test?"),
        # "who announced it?": the news of the last turn, not a thing or place it named
        ([("Why did the US lift sanctions on Belavia?", "It was part of a deal.")], "Who announced it?"),
        ([("What did Putin say about Lukashenko's offer?", "Nothing the articles report.")], "How many?"),
        # "How many?" after a question whose subject was one thing asked for: nothing to count
        ([("Which team won the last Stanley Cup?", "The answer is not in the articles.")], "How many?"),
        # "in return" after a question with no passive event, or already "in return for …"
        ([(COALE_Q, COALE_A)], "What would the US give in return?"),
        ([("How soon could the political prisoners be freed?", "Within a month.")],
         "What would the US give in return for the release?"),
        # a prepositional fragment after a question with no question word to replace
        ([("Is Lukashenko willing to release the prisoners?", "Yes, he is.")], "In support of which bid?"),
        # a fronted phrase that is not a preposition before the question word
        ([(KELLOGG_Q, KELLOGG_A)], "In the meantime, what happened?"),
        # "that decision" when the last answer never spoke of a decision: not guessed
        ([("Where were Maria Kalesnikava and Viktar Babaryka deported to?", "They were deported to Ukraine.")],
         "Who made that decision?"),
        # a person or a time named by the answer is not an act with the last question as its topic
        ([("Who was released on 13 December?", "Siarhei Tsikhanouski was released. The man had spent five years in jail.")],
         "How old is this man?"),
        ([("Who was released on 13 December?", "Siarhei Tsikhanouski was released. The year had seen other releases.")],
         "What else happened that year?"),
        # "that analyst" is the person the answer named, not "the political analyst" of the question
        ([("Which political analyst wrote a commentary for the Carnegie Endowment?",
           "Political analyst Artyom Shraibman wrote the commentary.")], "What else did that analyst write?"),
        # a place the answer names in passing is not "there" (the question asked who, not where)
        ([("Who lobbied for more sanctions?", "The government lobbied the EU for increased sanctions on Minsk.")],
         "What have some there floated?"),
        # two "it"s of another verb, one thing for both: not guessed ("When did Poland reopen Poland?")
        ([("Who closed the Polish-Belarusian border?", "Poland.")], "When did it reopen it?"),
        # "whose line is harder?" unanswered: "she" is the unknown woman, not one named before
        ([(FIGURES_Q, FIGURES_A), ("Whose line is harder?", "")], "What position might she lose?"),
        # a thing with no possessed thing to replace ("the sanctions" for "prison" would be a guess)
        ([("When was Tikhanovsky released from prison?", "In June.")], "What about the sanctions?"),
        # a person described ("the press secretary") is not what "it" means
        ([("What did the press secretary announce?", "Nothing the articles report.")], "When was it published?"),
        # "that meeting" after "when did X meet Y?": the meeting asked about, not one "about" it
        ([("When did Lukashenko meet Coale?", "On December 12. The meeting was friendly.")],
         "Where did that meeting take place?"),
        ([("Where was Trump going when he called Lukashenko?", "To Anchorage. In this call, they greeted each other warmly.")],
         "What catchphrase did Lukashenko have after that call?"),
        # two calls in the last question: "that call" is not guessed
        ([("What did Lukashenko say about the first call and the second call?", "He said they were warm.")],
         "When was that call?"),
        # "the other one" with no pair named before: not guessed
        ([(SHMELYEV_Q, SHMELYEV_A)], "And the other one?"),
        # the newest turn names an organisation (spaCy's label for "Vilnius") and no place: not an older place
        ([("Which port would Lithuania need to unblock?", "Klaipeda."), ("What has Vilnius said about concessions?",
           "It will make no concessions.")], "What have some there floated?"),
    ],
)
def test_pronouns_left_alone_rather_than_guessed(rewriter, exchanges, follow_up):
    history = [rewriter.analyse_turn(q, Answer(q, a, refused=not a), when=0.0) for q, a in exchanges]
    assert rewriter.rewrite(follow_up, history) == follow_up


def test_an_unresolved_source_is_not_guessed(rewriter):
    # "according to her" with no woman discussed: not an ellipsis of the last question, and refused
    history = after(rewriter, (COALE_Q, COALE_A))
    assert rewriter.rewrite("Why, according to her?", history) == "Why, according to her?"
    assert rewriter.unresolved_person("Why, according to her?") == "her"


def test_a_woman_and_a_man_in_play_each_pronoun_finds_its_own(rewriter):
    history = after(rewriter, ("When did Sviatlana Tsikhanouskaya leave Belarus?", "She left in 2020 after the election."))
    assert rewriter.rewrite("What did she say about Lukashenko?", history) == "What did Sviatlana Tsikhanouskaya say about Lukashenko?"
    # "he" has no male antecedent: left alone rather than attached to her
    assert rewriter.rewrite("What did he say about her?", history) == "What did he say about Sviatlana Tsikhanouskaya?"


def test_without_history_nothing_is_rewritten(rewriter):
    assert rewriter.rewrite("What is his title?", []) == "What is his title?"
    assert rewriter.rewrite("And when?", []) == "And when?"


# --- the conversation -----------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_conversation_answers_the_rewritten_question_and_says_so(answerer, rewriter):
    conv = Conversation(answerer, rewriter=rewriter)
    first = conv.ask(SHMELYEV_Q)
    assert not first.was_rewritten and "Svobodnaya Pressa" in first.answer.text
    follow = conv.ask("And when was he interviewed?")
    assert follow.was_rewritten and "Boris Shmelyev" in follow.rewritten
    assert follow.answer.question == follow.rewritten  # the Answerer saw the standalone question
    row = follow.to_dict()
    assert row["question"] == "And when was he interviewed?" and row["rewritten"] == follow.rewritten


def test_a_relative_asked_for_is_the_person_the_answer_names_and_the_next_he_follows_him(answerer, rewriter):
    # "the husband of … Svetlana Tikhanovskaya" stands next to "Sergey Tikhanovsky" while the
    # same sentence goes on to list Bialiatski, Babariko and Kolesnikova: the trimmed answer keeps
    # the person next to the asked-for relation, so "he" is the husband, not the last name listed
    conv = Conversation(answerer, rewriter=rewriter)
    conv.ask("Who is Svetlana Tikhanovskaya?")
    husband = conv.ask("Who is her husband?")
    assert husband.rewritten == "Who is Svetlana Tikhanovskaya's husband?"
    assert "Sergey Tikhanovsky" in husband.answer.text and not husband.answer.text.rstrip().endswith(",")
    released = conv.ask("When was he released?")
    assert released.rewritten == "When was Sergey Tikhanovsky released?"
    assert "Bialiatski" not in released.answer.text


def test_an_unanswerable_follow_up_is_still_refused(answerer, rewriter):
    conv = Conversation(answerer, rewriter=rewriter)
    conv.ask(SHMELYEV_Q)
    reply = conv.ask("What did Macron say about him?")
    assert reply.rewritten == "What did Macron say about Boris Shmelyev?"
    assert reply.answer.refused


def test_after_a_who_question_the_answer_is_the_person_the_reader_read(answerer, rewriter):
    """Found by a fresh-eyes review: "he" was the question's name, not the one the answer gave,
    and an envoy named after the answer's span was put in the pardoned one's place."""
    conv = Conversation(answerer, rewriter=rewriter)
    assert "Bialiatski" in conv.ask("Which prisoner was of personal interest to Trump?").answer.text
    # Trump is inside "of interest to Trump": not the person the question is about
    assert conv.ask("What prize did he win?").rewritten == "What prize did Ales Bialiatski win?"
    conv = Conversation(answerer, rewriter=rewriter)
    conv.ask("Who did Lukashenko pardon?")  # "… Natalia Eisenmont stated that Lukashenko pardoned … Sergey Tikhanyovski"
    sentenced = conv.ask("How long was he sentenced to?")  # a passive's subject: the pardoned, not the pardoner
    assert sentenced.rewritten == "How long was Sergey Tikhanyovski sentenced to?" and "18 years" in sentenced.answer.text
    conv = Conversation(answerer, rewriter=rewriter)
    first = conv.ask("Who did Lukashenko pardon at the request of Donald Trump?")  # "… pardoned 16 convicted individuals"
    assert "Kellogg" in first.answer.text  # named in the answer, after the span the reader read
    assert "Kellogg" not in conv.ask("When did that happen?").rewritten


def test_they_is_not_the_pardoner_and_the_pardoned(rewriter):
    # two people named, but not doing something together: "they" is not the two of them
    history = after(rewriter, ("Did Lukashenko pardon Tikhanovsky?", "Yes, Lukashenko pardoned Tikhanovsky."))
    assert "Lukashenko and" not in rewriter.rewrite("When were they released?", history)


def test_a_refusal_for_an_unknown_they_asks_who_they_are(answerer, rewriter):
    # nobody discussed: a refusal says it cannot tell who "they" are, not that the articles do
    # not state it; a question "they" does not stop is answered as before
    conv = Conversation(answerer, rewriter=rewriter)
    reply = conv.ask("where did they meet?")
    assert reply.answer.refused and reply.answer.reason == "unresolved_reference"
    assert "“they” are" in reply.answer.text and conv.history() == []
    assert not conv.ask("Where did Lukashenko meet Kellogg?").answer.refused
    # "they" with a country before it in the question is that country: the plain refusal
    assert conv.ask("Why did Lithuania close the border and what did they demand from Macron?").answer.reason != "unresolved_reference"


def test_history_is_bounded_expires_and_resets(answerer, rewriter):
    clock = Clock()
    conv = Conversation(answerer, max_turns=2, idle_seconds=60, clock=clock, rewriter=rewriter)
    for q in (SHMELYEV_Q, KELLOGG_Q, "Who is Boris Shmelyev?"):
        conv.ask(q)
    assert [t.question for t in conv.history()] == [KELLOGG_Q, "Who is Boris Shmelyev?"]

    clock.now += 61  # idle too long: the next question starts fresh
    fresh = conv.ask("What is his job?")
    assert fresh.rewritten == "What is his job?"
    assert fresh.answer.refused and fresh.answer.reason == "unresolved_reference"  # never a guessed person

    conv.ask(SHMELYEV_Q)
    conv.reset()
    assert conv.history() == [] and conv.ask("What is his job?").rewritten == "What is his job?"


def test_bad_input_is_answered_but_not_remembered(answerer, rewriter):
    conv = Conversation(answerer, rewriter=rewriter)
    conv.ask(SHMELYEV_Q)
    assert conv.ask("   ").answer.reason == "empty_question"
    assert conv.ask("x" * 5000).answer.reason == "too_long"
    # a follow-up past spaCy's 1,000,000 characters (a forged webhook post) is refused as too
    # long, not parsed for rewriting first (that raised, and the chat got "something went wrong");
    # so is a first question (it was parsed for an unresolved "he")
    assert conv.ask("and what did he say about it? " * 40_000).answer.reason == "too_long"
    assert Conversation(answerer, rewriter=rewriter).ask("and what did he say about it? " * 40_000).answer.reason == "too_long"
    assert conv.ask("Thanks!").answer.reason == "small_talk"
    assert [t.question for t in conv.history()] == [SHMELYEV_Q]  # the follow-up context survives
    assert "Boris Shmelyev" in conv.ask("What is his job?").rewritten


def test_store_keeps_one_history_per_key_and_forgets_the_oldest(answerer):
    store = ConversationStore(answerer, max_conversations=2)
    store.get("a").ask(SHMELYEV_Q)
    assert store.get("b").ask("What is his job?").rewritten == "What is his job?"  # b never saw a's question
    assert "Boris Shmelyev" in store.get("a").ask("What is his job?").rewritten
    store.get("c")  # a third conversation: "b" (least recently used) is forgotten
    assert len(store) == 2 and store.get("b").history() == []
    store.get("a").ask(SHMELYEV_Q)
    store.reset("a")
    assert store.get("a").history() == []


# --- front ends -------------------------------------------------------------------------------
def test_repl_follow_up_sources_n_reset_and_ctrl_d(seed_data_dir, model_cache, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        str(CITEBOT), ["repl"], env=cli_env(seed_data_dir, model_cache, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1"),
        cwd=str(tmp_path), encoding="utf-8", timeout=60, dimensions=(50, 200), use_poll=True,  # select() fails past fd 1023
    )
    try:
        child.expect_exact("citebot>")
        child.sendline(SHMELYEV_Q)
        child.expect_exact("Svobodnaya Pressa")
        child.expect_exact("citebot>")
        child.sendline("/sources 1")
        child.expect_exact(SHMELYEV_SOURCE)
        child.expect_exact("citebot>")
        child.sendline("/sources 7")
        child.expect_exact("The last answer has 1 citation")
        child.expect_exact("citebot>")
        child.sendline("what is his job")
        child.expect_exact("Answering: What is Boris Shmelyev's job?")
        child.expect_exact("citebot>")
        child.sendline("/articles")
        child.expect_exact("5 articles:")
        child.expect_exact("citebot>")
        child.sendline("/reset")
        child.expect_exact("Conversation cleared")
        child.expect_exact("citebot>")
        child.sendline("what is his job")
        child.expect_exact("I can't tell who “his” is")
        child.expect_exact("citebot>")
        assert "Answering:" not in child.before
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_repl_piped_follow_up_is_plain_text(run_citebot, seed_data_dir):
    proc = run_citebot(["repl"], seed_data_dir, input=f"{SHMELYEV_Q}\nwhat is his job\n/json\n")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout
    out = flat(proc.stdout)
    assert "Answering: What is Boris Shmelyev's job?" in out
    assert '"rewritten": "What is Boris Shmelyev\'s job?"' in out


def test_telegram_follow_ups_stay_in_their_chat_and_with_their_user(api, tg_settings, answerer):  # noqa: F811
    async def scenario(app):
        api.add_update(message=api.message(SHMELYEV_Q))
        await api.wait_for("sendMessage", 1)
        api.add_update(message=api.message("What is his job?"))  # same private chat: a follow-up
        await api.wait_for("sendMessage", 2)
        api.add_update(message=api.message("What is his job?", chat=OTHER_PRIVATE, user=OTHER_USER))  # another chat
        await api.wait_for("sendMessage", 3)
        # in a group each user has their own thread
        api.add_update(message=api.message(f"/ask {SHMELYEV_Q}", chat=GROUP, user=USER))
        await api.wait_for("sendMessage", 4)
        api.add_update(message=api.message("/ask What is his job?", chat=GROUP, user=OTHER_USER))
        await api.wait_for("sendMessage", 5)
        api.add_update(message=api.message("/ask What is his job?", chat=GROUP, user=USER))
        await api.wait_for("sendMessage", 6)
        api.add_update(message=api.message("/reset"))
        await api.wait_for("sendMessage", 7)
        api.add_update(message=api.message("What is his job?"))
        await api.wait_for("sendMessage", 8)
        # replying to the answer another member got follows up *that* exchange, even after
        # that member has moved on to someone else
        answer_to_user = api.called("sendMessage")[3].result
        api.add_update(message=api.message("/ask Who did Lukashenko meet in Minsk on December 12?", chat=GROUP, user=USER))
        await api.wait_for("sendMessage", 9)
        third = {**OTHER_USER, "id": OTHER_USER["id"] + 1, "first_name": "Third"}
        api.add_update(message=api.message("What is his job?", chat=GROUP, user=third, reply_to_message=answer_to_user))
        await api.wait_for("sendMessage", 10)
        await asyncio.sleep(0.2)

    drive(tg_settings(), answerer, scenario)
    sent = [c.params["text"] for c in api.called("sendMessage")]
    assert len(sent) == 10
    answering = "<i>Answering: What is Boris Shmelyev&#x27;s job?</i>"
    rewritten = [answering in t or "Answering: What is Boris Shmelyev's job?" in t for t in sent]
    assert rewritten == [False, True, False, False, False, True, False, False, False, True], sent
    assert "Conversation cleared" in sent[6]
    assert [c.params["chat_id"] for c in api.called("sendMessage")][:3] == [PRIVATE["id"], PRIVATE["id"], OTHER_PRIVATE["id"]]


# --- the conversation eval --------------------------------------------------------------------
def test_eval_answers_dialogues_in_context_and_reports_follow_ups(run_citebot, seed_data_dir, tmp_path):
    import json

    dialogues = [
        {"id": "d1", "turns": [
            {"question": SHMELYEV_Q, "answerable": True, "expected": [["Svobodnaya Pressa"]], "evidence": []},
            {"question": "what is his job", "answerable": True, "expected": [["researcher"]], "evidence": [],
             "refers_to": "Boris Shmelyev"},
            {"question": "What did Macron say about him?", "answerable": False, "expected": [], "evidence": [],
             "refers_to": "Boris Shmelyev"}]},
        {"id": "d2", "turns": [  # a fresh conversation: d1's Shmelyev is not carried over
            {"question": "What is his job?", "answerable": False, "expected": [], "evidence": []}]},
        {"id": "plain", "question": SHMELYEV_Q},
    ]
    qfile = tmp_path / "dialogues.jsonl"
    qfile.write_text("".join(json.dumps(d) + "\n" for d in dialogues), encoding="utf-8")
    proc = run_citebot(["eval", str(qfile), "--out", str(tmp_path / "out"), "--no-report"], seed_data_dir)
    assert proc.returncode == 0, proc.stderr
    rows = {r["id"]: r for r in map(json.loads, (tmp_path / "out" / "results.jsonl").read_text().splitlines())}
    d1 = rows["d1"]["turns"]
    assert [t["question"] for t in d1] == [t["question"] for t in dialogues[0]["turns"]]
    assert [t["rewritten"] for t in d1] == [SHMELYEV_Q, "What is Boris Shmelyev's job?", "What did Macron say about Boris Shmelyev?"]
    assert "researcher" in d1[1]["answer"] and d1[2]["refused"]
    assert rows["d2"]["turns"][0]["rewritten"] == "What is his job?" and rows["d2"]["turns"][0]["refused"]
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    refs = metrics["follow_up_turns"]["references"]
    assert refs["follow_ups"] == 2 and refs["reference_resolved"] == 1.0 and refs["answered_about_wrong_entity"] == 0
    assert metrics["follow_up_turns"]["answer_correct"] == 1.0 and metrics["follow_up_turns"]["refused_unanswerable"] == 1.0
    assert "Follow-ups: 2" in flat(proc.stdout) and "wrong entity: 0" in flat(proc.stdout)


def test_learning_a_verbs_objects_parses_a_bounded_sample(rewriter):
    """A common verb in a large corpus must not mean parsing every sentence that holds it."""
    from bot.conversation import OBJECT_SAMPLE, Rewriter
    from index.chunking import Sentence

    parsed = []

    class CountingNlp:
        def __init__(self, nlp):
            self.nlp = nlp

        def __call__(self, text):
            return self.nlp(text)

        def pipe(self, texts, **kw):
            texts = list(texts)
            parsed.extend(texts)
            return self.nlp.pipe(texts, **kw)

    many = [Sentence("a.txt", i, 0, 30, "Poland closed the border again.", 0, (), ("poland", "close", "border"))
            for i in range(OBJECT_SAMPLE * 3)]
    big = Rewriter(CountingNlp(rewriter.nlp), many)
    assert "border" in big._objects_of("close")
    assert len(parsed) == OBJECT_SAMPLE


def test_follow_up_checker_judges_descriptions_by_their_noun_and_names_without_possessive():
    from bot.evaluate.dialogue import follow_up_report, resolved

    # "Trump's credit": the name is Trump, not "trump's"
    assert resolved("Trump's credit (according to Shraibman)", "In support of which bid may Trump get the credit?",
                    "In support of which bid?")
    # a thing whose names only qualify its noun: the rewrite supplied the noun for the pronoun
    assert resolved("Lukashenko's mediation proposal", "Where did Trump hear the proposal's conditions?",
                    "Where did Trump hear its conditions?")
    assert resolved("the remaining political prisoners in Belarus", "How soon could the political prisoners be freed?",
                    "How soon could they be freed?")
    # … but not when the noun was in the follow-up already, nor another noun, nor for a person
    assert not resolved("the Prigozhin rebellion", "When did that rebellion happen?", "When did that rebellion happen?")
    assert not resolved("the Polish-Belarusian border", "When did Poland close the transit?", "When did Poland close it?")
    assert not resolved("John Kellogg", "What is the envoy's role?", "What is his role?")
    rows = [({"turn_id": "x.2", "question": "When did Poland close it?", "rewritten": "When did Poland close the transit?",
              "refused": False}, {"refers_to": "the Polish-Belarusian border"}),
            ({"turn_id": "y.2", "question": "Where did Trump hear its conditions?", "refused": False,
              "rewritten": "Where did Trump hear the proposal's conditions?"}, {"refers_to": "Lukashenko's mediation proposal"})]
    report = follow_up_report(rows)
    assert report["wrong_entity_turns"] == ["x.2"] and report["reference_resolved"] == 0.5


def test_a_person_noun_asked_about_is_no_antecedent(rewriter):
    """"the opposition politician … his pardon" has its person inside; "what kind of activist is
    he?" and "which ancient king did he …" ask about one, so "he" is still the last turn's person."""
    history = after(rewriter, ("Which Nobel Peace Prize winner was among the political prisoners released in December?",
                               "A small number of prisoners were, however, deported to Lithuania, including human rights "
                               "activist and 2022 Nobel Peace Prize winner Ales Bialiatski."))
    assert rewriter.rewrite("What kind of activist is he?", history) == "What kind of activist is Ales Bialiatski?"


def test_questions_the_rewriter_leaves_alone_need_no_parse(rewriter):
    """needs_context says which questions the rewriter could change: a compound question's
    second part that needs none is not parsed for it (Answerer._compound)."""
    from bot.conversation import needs_context

    history = after(rewriter, (SHMELYEV_Q, SHMELYEV_A))
    plain = ["How many political prisoners were released on December 13?", "Which outlet interviewed Boris Shmelyev for the article?",
             "Why, according to Minsk, was Tikhanyovski let go?"]
    for q in plain:
        assert not needs_context(q) and rewriter.rewrite(q, history) == q
    for q in ["What degree does he hold?", "And when?", "What about Kellogg?", "Where was that interview published?",
              "What would the US give Minsk in return?", "Who else was interviewed there by the outlet?"]:
        assert needs_context(q), q
    assert rewriter.rewrite("What degree does he hold?", history) != "What degree does he hold?"


def test_a_reciprocal_they_is_not_the_last_turns_group(rewriter):
    history = after(rewriter, ("How many political prisoners were released on December 13?",
                               "Lukashenko had released 123 political prisoners."))
    q = "What did Lukashenko say would happen if they played mind games with each other?"
    assert rewriter.rewrite(q, history) == q
    assert rewriter.rewrite("Where were they sent?", history) == "Where were the political prisoners sent?"


def test_a_truecased_which_phrase_is_not_the_antecedent(rewriter):
    """"which ancient king does he compare trump to": truecasing makes "King" a name (the articles
    write "King Midas"), which must not stand for "he" — the asked-for one is nobody yet."""
    history = after(rewriter, ("Who is Vladimir Zarikhin?", "Vladimir Zarikhin is vice director of the Institute for CIS Countries."))
    rewritten = rewriter.rewrite("which ancient king does he compare trump to", history)
    assert rewritten.lower() == "which ancient king does vladimir zarikhin compare trump to?"
    # and the next turn's "he" is still Zarikhin, not the king the answer names
    history.append(rewriter.analyse_turn(rewritten, Answer(rewritten, "King Midas of ancient times had the power to turn "
                                                                       "everything he touched into gold."), when=0.0))
    assert rewriter.rewrite("So where does he say Lukashenko's authority comes from?", history) == (
        "So where does Vladimir Zarikhin say Lukashenko's authority comes from?")


def test_why_after_what_happened_asks_why_the_answer_happened(rewriter):
    """"What happened between X and his wife's circle?" … "why tho": the reader's answer
    ("several conflicts") is what happened; "tho" is a chat filler, not a name."""
    history = [rewriter.analyse_turn(
        "What happened between Sergey Tikhanovsky and his wife's inner circle after his release?",
        Answer("q", "His blunt style has led to several conflicts with his wife's inner circle.",
               support={"reader_answer": "several conflicts"}), when=0.0)]
    assert rewriter.rewrite("why tho", history) == (
        "Why did several conflicts happen between Sergey Tikhanovsky and his wife's inner circle after his release?")


def test_a_chat_after_a_who_question_more_they_and_are_you_sure(answerer, rewriter):
    """A user's chat after "who met kellogg in minsk": "tell me more" asks what the articles say
    about the one the question named, "they" are the asker's person and the one the answer gave
    (the protagonist too: the reader's answer says so), "are you sure?" gets how answers are
    sourced and "source?" the last answer's article and excerpt — never a quote that happens to
    say "sure" or "sources"."""
    conv = Conversation(answerer, rewriter=rewriter)
    first = conv.ask("who met kellogg in minsk")
    assert not first.answer.refused and "Lukashenko" in first.answer.text
    more = conv.ask("tell me more")
    assert more.rewritten == "Tell me about Kellogg" and not more.answer.refused
    reply = conv.ask("are you sure?")
    assert reply.answer.reason == "small_talk" and reply.answer.text == prompts.render("provenance")
    reply = conv.ask("source?")
    assert reply.answer.citations == more.answer.citations[:1] and more.answer.citations[0].quote in reply.answer.text
    talk = conv.ask("and what did they talk about")
    assert "Kellogg" in talk.rewritten and "Lukashenko" in talk.rewritten
    assert not talk.answer.refused and "agenda" in talk.answer.text


def test_why_after_where_asks_why_there(rewriter):
    """"why tho" after "where did most of them get sent": why to the place the reader read in the
    answer ("Ukraine"), not why they were sent at all."""
    q = "Where were most of the political prisoners deported to?"
    text = "The majority of the political prisoners, including Viktar Babaryka and Maria Kalesnikava, were deported to Ukraine."
    history = [rewriter.analyse_turn(q, Answer(q, text, support={"reader_answer": "Ukraine"}), when=0.0)]
    assert rewriter.rewrite("why tho", history) == "Why were most of the political prisoners deported to Ukraine?"
    history = [rewriter.analyse_turn(q, Answer(q, text), when=0.0)]  # nothing read: no place to ask about
    assert rewriter.rewrite("why tho", history) == "Why were most of the political prisoners deported?"


def test_a_second_what_about_replaces_the_name_the_first_put_in(rewriter):
    """"why is klaipeda closed to belarusian potash" … "What about Gdansk?" … "and odesa?": the
    small model tags no entity in "Why is Gdansk closed to Belarusian potash?", so the name the
    last "what about" put in is what the new one replaces — not when it put nothing in."""
    history = [rewriter.analyse_turn("why is klaipeda closed to belarusian potash", Answer("q", "It is blocked."), when=0.0)]
    second = rewriter.rewrite("What about Gdansk?", history)
    assert second == "Why is Gdansk closed to Belarusian potash?"
    history.append(replace(rewriter.analyse_turn("What about Gdansk?", Answer("q", "It is off limits."), when=0.0), rewritten=second))
    assert rewriter.rewrite("and odesa?", history) == "Why is Odesa closed to Belarusian potash?"
    unchanged = replace(rewriter.analyse_turn("and odesa?", Answer("q", "No."), when=0.0), rewritten="and Odesa?")
    assert rewriter.rewrite("what about gdansk", [*history, unchanged]) == "what about gdansk"


def test_the_other_analyst_is_the_articles_other_expert(answerer):
    """"and the other one?" after Vasilyev's odds, "the other analyst" after Shmelyev: the one
    other expert who speaks in the article the last answer came from (conversations4 cv4-07,
    cv4-11); the last turns' own person is never "the other"."""
    talk = Conversation(answerer)
    first = talk.ask("what chance did vladimir vasilyev give a lukashenko-zelenskyy meeting")
    assert not first.answer.refused and "50%" in first.answer.text
    other = talk.ask("and the other one?")
    assert "Zarikhin" in other.rewritten and "5%" in other.answer.text
    talk = Conversation(answerer)
    talk.ask("What could Belarus theoretically offer the US, according to Boris Shmelyev?")
    other = talk.ask("what did the other analyst say lukashenkos 'agreement' really points to")
    assert "Vasilyev" in other.rewritten and "strategic partnership" in other.answer.text


def test_a_wh_fragment_with_a_preposition_asks_the_last_question_again(rewriter):
    """"on what condition" after a yes/no question or after "what kind of agreement …"
    (conversations5 cv5-11): the last question with the new question word; the thing the kind
    was asked of stays in it."""
    yes_no = "Did Lukashenko say he is willing to reach a major agreement with the US government?"
    history = after(rewriter, (yes_no, "He stated that he is willing to reach a major agreement."))
    assert rewriter.rewrite("on what condition", history) == (
        "On what condition did Lukashenko say he is willing to reach a major agreement with the US government?")
    assert rewriter.rewrite("which country", history) == "which country"  # no preposition: no slot for it
    kind = "What kind of agreement did Lukashenko say he is willing to reach with the US government?"
    history = after(rewriter, (kind, "He stated that he is willing to reach a major agreement."))
    assert rewriter.rewrite("on what condition", history) == (
        "On what condition did Lukashenko say he is willing to reach the agreement with the US government?")


def test_a_name_describing_a_noun_is_not_whom_he_means(rewriter):
    """"what is the trump proposal he says he fully supports" … "which relationships did he say
    must not be harmed": the talk is about Lukashenko; Trump only names the proposal."""
    history = after(
        rewriter,
        ("On what condition did Lukashenko say he is willing to reach the agreement with the US government?",
         "He said that as long as the United States considers the interests of Belarus, …"),
        ("what is the trump proposal he says he fully supports", ""),
    )
    assert rewriter.rewrite("which relationships did he say must not be harmed", history) == (
        "Which relationships did Lukashenko say must not be harmed?")


def test_and_then_a_question_of_its_own_is_no_what_about(rewriter):
    """"and did lukashenko agree to that" is a yes/no question, not "and X?" with X put in the
    last question's place ("What commitment does did Lukashenko agree to that want …")."""
    history = after(rewriter, ("what commitment does kellogg want to get from lukashenko",
                               "Kellogg wants to get a commitment from Lukashenko that Belarus will no longer participate."))
    rewritten = rewriter.rewrite("and did lukashenko agree to that", history)
    assert rewritten.lower().startswith("and did lukashenko agree to") and "want" not in rewritten


def test_the_noun_of_the_last_questions_verb_is_its_persons(rewriter):
    """"Why was Sergey Tikhanyovski sentenced?" … "how long was the sentence" (conversations5
    cv5-02): his sentence. Not with two people in the last question, nor a name in the follow-up."""
    history = after(rewriter, ("Why was Sergey Tikhanyovski sentenced to prison in Belarus?",
                               "Tikhanyovski was sentenced to 18 years in prison for organizing mass unrest."))
    assert rewriter.rewrite("how long was the sentence", history) == "How long was Sergey Tikhanyovski's sentence?"
    assert rewriter.rewrite("how long was the trip", history) == "how long was the trip"
    history = after(rewriter, ("When did Lukashenko meet Kellogg?", "On Friday."))
    assert rewriter.rewrite("where was the meeting", history) == "where was the meeting"


def test_what_one_gets_for_that_is_in_return_for_the_last_event(rewriter):
    """"when could they be freed" … "and what would belarus get for that" (conversations5
    cv5-18): in return for the prisoners being freed — never "for Belarus", the subject of its
    own clause."""
    history = after(rewriter, ("When could the political prisoners be freed?",
                               "John Coale has suggested they could be released within a month."))
    assert rewriter.rewrite("and what would belarus get for that", history) == (
        "And what would Belarus get in return for the political prisoners being freed?")


def test_why_so_low_and_that_guy(rewriter):
    """"why so low" after "How likely does X think Y is?" asks why X thinks Y is so low; "that
    guy's" is "his" (conversations5 cv5-07)."""
    history = after(rewriter, ("How likely does Vladimir Zarikhin think a meeting between Lukashenko and Zelenskyy is?",
                               "— In the current situation, I think the possibility of both sides meeting is low, only 5%."))
    assert rewriter.rewrite("why so low", history) == (
        "Why does Vladimir Zarikhin think a meeting between Lukashenko and Zelenskyy is so low?")
    assert rewriter.rewrite("what's that guy's title", history) == "What's Vladimir Zarikhin's title?"


def test_all_this_is_everything_talked_about(rewriter):
    """"and what does trump himself have to do in all this" (conversations5 cv5-21): no "in all
    Artyom Shraibman's take"."""
    history = after(rewriter, ("What's Artyom Shraibman's take on Lukashenko's method?",
                               "That consists of identifying the senior partner's soft spots and then massaging them with flattery."))
    assert rewriter.rewrite("and what does trump himself have to do in all this", history) == (
        "and what does trump himself have to do in all this")


def test_who_said_that_names_the_speaker_of_the_last_answer(answerer):
    """"who said that?" (conversations6 cv6-08) was rewritten "Who said the transit?" and
    refused: it asks whose words the last answer gave — here an interview answer that never
    names its speaker — and is answered with the speaker, cited from their introduction."""
    from bot.verify import is_verbatim

    conv = Conversation(answerer)
    first = conv.ask("Before Poland closed the Polish-Belarusian border, what share of China–EU rail freight went through it?")
    assert not first.answer.refused and "90%" in first.answer.text
    conv.ask("and what's that transit worth a year?")  # a refusal in between: "that" is still the answer shown
    reply = conv.ask("who said that?")
    answer = reply.answer
    assert not answer.refused and answer.text.startswith("Vladimir Vasilyev: ") and answer.support["speaker"] == "Vladimir Vasilyev"
    assert answer.citations[0] == first.answer.citations[0] and "interviewed Vladimir Vasilyev" in answer.citations[1].quote
    for c in answer.citations:
        assert is_verbatim(answerer.library.articles[c.source].text, c.quote, c.start, c.end)
    assert "Vasilyev" in conv.ask("where does he work?").rewritten  # he: the speaker just named
    # the article's own words are nobody's: the question is answered as any other, never with a speaker
    conv = Conversation(answerer)
    conv.ask("How many political prisoners did Lukashenko release on December 13?")
    assert "speaker" not in (conv.ask("says who?").answer.support or {})
    assert "speaker" not in (Conversation(answerer).ask("who said that?").answer.support or {})  # nothing said yet


def test_a_name_spacy_cut_in_two_is_the_pronouns_antecedent_and_a_woman_is_found_further_back(answerer):
    """"Who is Natalia Eisenmont, and what did she announce …?" (conversations8 cv8-02): spaCy
    tags "Natalia" a place and leaves "Eisenmont" out; the two capitalised words are still a
    name before "she". Four turns later, "according to her" is the one woman the talk named."""
    conv = Conversation(answerer)
    first = conv.ask("Who is Natalia Eisenmont, and what did she announce about Sergey Tikhanyovski?")
    assert first.answer.reason != "unresolved_reference" and "Natalia Eisenmont" in first.answer.text
    for follow_up in ("how long was his sentence?", "for what?", "which prison was he held in?"):
        conv.ask(follow_up)
    assert conv.ask("and why was he let go, according to her?").rewritten.endswith("according to Natalia Eisenmont?")
    # with two women named back then, "her" is not guessed
    conv = Conversation(answerer)
    conv.ask("Who are Natalia Eisenmont and Maria Kolesnikova?")
    for follow_up in ("how long was Tikhanyovski's sentence?", "for what?", "which prison was he held in?"):
        conv.ask(follow_up)
    assert conv.ask("and why was he let go, according to her?").answer.reason == "unresolved_reference"


def test_a_pronoun_for_the_person_the_first_part_asks_for_is_no_unresolved_reference(answerer):
    """"Which Nobel laureate …, and where was he sent?" (conversations8 cv8-17): "he" is the
    laureate the first part's answer names; a pronoun with no one before it is still refused."""
    reply = Conversation(answerer).ask("Which Nobel laureate was among the prisoners released in December, and where was he sent?")
    assert not reply.answer.refused and "Bialiatski" in reply.answer.text and "Lithuania" in reply.answer.text
    assert reply.answer.support["parts"][1]["question"] == "Where was Ales Bialiatski sent?"
    reply = Conversation(answerer).ask("When were the prisoners released, and where was he sent?")
    assert reply.answer.reason == "unresolved_reference"


def test_it_is_not_the_article_the_question_was_read_in_unless_asked_who_wrote_it(answerer, rewriter):
    """"According to the Siberian Newspaper article, who did Lukashenko meet at the Independence
    Palace?" … "so it was in Minsk?" (conversations8 cv8-01): "it" is not the publication; "who
    wrote it?" is."""
    history = after(rewriter, ("According to the Siberian Newspaper article, who did Lukashenko meet at the Independence Palace?",
                               "Belarusian President Alexander Lukashenko met with U.S. Special Representative for Ukraine John Kellogg at the Independence Palace in Minsk."))
    assert "Siberian Newspaper" not in rewriter.rewrite("so it was in Minsk?", history)
    history = after(rewriter, ("What did the Svobodnaya Pressa article say about Lukashenko's offer?",
                               "You mentioned that Lukashenko is interested in obtaining economic aid."))
    assert rewriter.rewrite("who wrote it?", history) == "Who wrote the Svobodnaya Pressa article?"


def test_they_is_not_the_publication_the_question_cited(answerer, rewriter):
    """conversations9 cv9-17: "According to European Pravda, how many political prisoners …?" …
    "Who says they could all be released within a month?": they are the prisoners."""
    history = after(rewriter, ("According to European Pravda, how many political prisoners are still held in Belarus after the three waves of releases?",
                               "Despite three waves of releases, there are still around a thousand political prisoners in Belarus."))
    assert rewriter.rewrite("Who says they could all be released within a month?", history) == (
        "Who says the political prisoners could all be released within a month?")


def test_what_about_x_then_a_question_asks_it_of_x(answerer, rewriter):
    """"And what about his deputy - who was he?" (conversations9 cv9-01): "who was his deputy?",
    then "his" as any follow-up's."""
    history = after(rewriter, ("Which U.S. official did Alexander Lukashenko meet at the Independence Palace in Minsk?",
                               "Belarusian President Alexander Lukashenko met with U.S. Special Representative for Ukraine John Kellogg at the Independence Palace in Minsk."))
    assert rewriter.rewrite("And what about his deputy - who was he?", history) == "Who was John Kellogg's deputy?"


def test_which_article_says_that_gives_the_last_answers_excerpt_and_article(answerer):
    """"Which article says that? Quote it." (conversations10 cv10-17) was rewritten "Which article
    says the interest?" and answered from another article: it asks where the last answer comes
    from, and gets its excerpt again with the article's title, verified. A location question
    ("where is it?") is not one, and with nothing answered yet it is asked as any other."""
    from bot.verify import is_verbatim

    conv = Conversation(answerer)
    first = conv.ask("Why did Trump care about Bialiatski, according to European Pravda?")
    assert not first.answer.refused
    reply = conv.ask("Which article says that? Quote it.")
    answer = reply.answer
    c = first.answer.citations[0]
    assert not answer.refused and answer.citations == (c,) and c.title in answer.text and c.quote in answer.text
    assert answer.support["source_of_last_answer"] == c.source
    assert is_verbatim(answerer.library.articles[c.source].text, c.quote, c.start, c.end)
    for q in ("source?", "where did you read that?", "quote it", "Which article is that from?"):
        assert answerer.WHICH_ARTICLE_RE.match(q), q
    for q in ("where is it?", "Where was that?", "What article says Trump will visit Minsk?"):
        assert not answerer.WHICH_ARTICLE_RE.match(q), q
    assert "source_of_last_answer" not in (Conversation(answerer).ask("Which article says that?").answer.support or {})


@pytest.mark.parametrize("first, follow_up, named, not_named, answered", [
    # conversations10 cv10-04: Kellogg's visit only says which interview; "his wife" is Tikhanyovski's
    ("In the Siberian Newspaper interview about Kellogg's visit, how many accomplices were released together with Sergey Tikhanyovski?",
     "Who is his wife?", "Tikhanyovski", "Kellogg", "Tikhanyovskaya"),
    # conversations10 cv10-03 / conversations11 cv11-03: "he" had been read as Kellogg; the other
    # expert the article quotes (Vsevolod Shemov), "guest" or not
    ("Who is Igor Shatov, quoted in the article about Kellogg's visit to Minsk?",
     "and the other guest commentator, who is he and what's his job?", "Shemov", "Kellogg", "Baltic Sea"),
])
def test_the_person_a_follow_up_means(answerer, first, follow_up, named, not_named, answered):
    """A person whose possession only describes the article is a weak antecedent, and "the other
    guest commentator" is the article's other expert."""
    conv = Conversation(answerer)
    conv.ask(first)
    reply = conv.ask(follow_up)
    assert named in reply.rewritten and not_named not in reply.rewritten
    assert not reply.answer.refused and answered in reply.answer.text


def test_what_did_he_call_that_is_what_the_last_answer_said(answerer):
    """conversations10 cv10-18: "what did he call that?" after Coale's offer was rewritten "What
    did John Coale call the month?": "that" after a naming verb is what the last answer said, and
    "Coale called this "a fair trade"" answers it."""
    conv = Conversation(answerer)
    conv.ask("Which Trump envoy suggested the remaining political prisoners could be released within a month?")
    conv.ask("and what did he say could happen to the sanctions in return?")
    reply = conv.ask("what did he call that?")
    assert reply.rewritten == "What did John Coale call that?"
    assert not reply.answer.refused and "fair trade" in reply.answer.text


def test_the_pardon_is_the_pardon_of_the_person_talked_about(answerer):
    """conversations11 cv11-02: after two questions about Sergey Tikhanyovski's sentence, "who
    announced the pardon?" was refused (whose pardon?) and "why was he let go, according to
    her?" could not tell who "he" was: the pardon is his, and she is the one who announced it."""
    conv = Conversation(answerer)
    conv.ask("How long was Sergey Tikhanyovski sentenced to in prison?")
    reply = conv.ask("who announced the pardon?")
    assert reply.rewritten == "Who announced Sergey Tikhanyovski's pardon?"
    assert not reply.answer.refused and "Eisenmont" in reply.answer.text
    reply = conv.ask("why was he let go, according to her?")
    assert "Tikhanyovski" in reply.rewritten and "Eisenmont" in reply.rewritten
    assert not reply.answer.refused and "humanitarian" in reply.answer.text


@pytest.mark.parametrize("turns, follow_up, rewritten", [
    # conversations12 cv12-03: the person returned to, then the question about him
    (("Who is Igor Shatov?", "Who is Vsevolod Shemov?"),
     "Going back to Shatov: where does he think Belarus gets more reliable investment than from the West?",
     "Where does Shatov think Belarus gets more reliable investment than from the West?"),
    # conversations9 cv9-02: "the press secretary" is the one the last answer introduced as such
    (("How long was Sergey Tikhanyovski sentenced to in prison?", "who announced the pardon?"),
     "So what reason did the press secretary give for letting him go?",
     "So what reason did Natalia Eisenmont give for letting Sergey Tikhanyovski go?"),
])
def test_a_person_returned_to_or_named_by_title(answerer, turns, follow_up, rewritten):
    conv = Conversation(answerer)
    for q in turns:
        conv.ask(q)
    assert conv.ask(follow_up).rewritten == rewritten


def test_the_name_asked_by_title_is_not_put_in(answerer):
    """"what's the deputy's name?" asks for the name: it is not rewritten as "What's John Cole's
    name?" (conversations8 cv8-01)."""
    conv = Conversation(answerer)
    conv.ask("Who did Lukashenko hug at the meeting with Kellogg?")
    reply = conv.ask("what's the deputy's name?")
    assert "Cole's name" not in reply.rewritten


def test_he_after_who_is_xs_envoy_is_the_envoy(answerer):
    """conversations12 cv12-15: "Who is Trump's special envoy …?" asks for the envoy, not who
    Trump is: "he" next is John Coale, whom the answer names."""
    conv = Conversation(answerer)
    conv.ask("Who is Trump's special envoy mentioned in the article about the 123 prisoners?")
    reply = conv.ask("What did he predict for the roughly thousand political prisoners still held?")
    assert "Coale" in reply.rewritten and "Trump" not in reply.rewritten


def test_he_after_was_anyone_of_a_kind_among_them_is_the_one_named(answerer):
    """conversations12 cv12-12: "Was any well-known opposition figure among those released?" is
    answered with one ("… released opposition figure Sergey Tikhanyovski …"); "he" next is that
    person, not Kellogg, whom the same answer mentions."""
    conv = Conversation(answerer)
    conv.ask("How many convicted people did Lukashenko pardon at Trump's request?")
    conv.ask("Was any well-known opposition figure among those released?")
    reply = conv.ask("How has he behaved since his release?")
    assert "Tikhanyovski" in reply.rewritten


def test_a_name_in_a_hyphenated_compound_is_not_whose_doing_is_asked(answerer):
    """conversations6 cv6-07: "How likely does Zarikhin think a Lukashenko–Zelenskyy meeting is?"
    parses "Lukashenko" as the subject of "is"; he is only part of what the meeting is called,
    so "who is he?" next is Zarikhin."""
    conv = Conversation(answerer)
    conv.ask("How likely does Vladimir Vasilyev think a Lukashenko–Zelenskyy meeting is, in the Svoboda interviews?")
    conv.ask("and the other expert?")
    assert conv.ask("who is he?").rewritten == "Who is Vladimir Zarikhin?"


def test_who_was_interviewed_first_is_the_articles_first_interviewee(answerer):
    """conversations6 cv6-12 / conversations11 cv11-13: the deal article interviews Boris
    Shmelyev, then Vladimir Vasilyev; "first" asks for the earlier one, and the follow-ups are
    about him."""
    conv = Conversation(answerer)
    first = conv.ask("Who did Svobodnaya Pressa interview first about Lukashenko's proposed deal with the US?")
    assert not first.answer.refused and "Shmelyev" in first.answer.text
    assert "Shmelyev" in conv.ask("where does he work?").rewritten


def test_she_after_was_any_journalist_among_them_is_the_editor_named(answerer):
    """conversations12 cv12-24: the answer to "Was any journalist among the prisoners …?" names
    three women; "she" is the one it calls an editor (a journalist, in other words)."""
    conv = Conversation(answerer)
    conv.ask("Was any journalist among the prisoners released on December 13?")
    assert "Zolatava" in conv.ask("Was she deported to Ukraine or to Lithuania?").rewritten


def test_a_name_then_the_question_about_it_needs_no_earlier_person(answerer):
    """conversations13 cv13-03: after a refused first turn, "Shatov — his job?" was met with
    "I can't tell who 'his' is": the name before the dash is who "his" is (a surname as the
    articles' one full name for it)."""
    conv = Conversation(answerer)
    conv.ask("Who are the two guest commentators in the Siberian Newspaper piece?")
    reply = conv.ask("Shatov — his job?")
    assert reply.rewritten == "Igor Shatov's job?"
    assert not reply.answer.refused and "Strategic Development Fund" in reply.answer.text
    assert conv.rewriter._name_then_ask("Shatov — what is the job?") is None  # no pronoun to name
    assert conv.rewriter._name_then_ask("Belarus — what does it want?") == "What does Belarus want?"  # a place's "it"
    assert conv.rewriter._name_then_ask("Macron — what did he say?") is None  # a name the articles never give


def test_who_decided_that_asks_about_the_last_answered_question(rewriter):
    # "that" of a reporting verb is the news the last answer gave: the last question, made indirect
    sent = ("Where were most of the political prisoners sent?",
            "The majority of the political prisoners, including Viktar Babaryka and Maria Kalesnikava, were deported to Ukraine.")
    assert rewriter.rewrite("who decided that?", after(rewriter, sent)) == "Who decided where most of the political prisoners were sent?"
    assert rewriter.rewrite("And who announced it?", after(rewriter, sent)) == "And who announced where most of the political prisoners were sent?"
    # not after a refusal (there is no news), nor when the question says more than that
    refused = [rewriter.analyse_turn(sent[0], Answer(sent[0], "I can't answer that.", (), True, "unsupported"), when=0.0)]
    assert rewriter.rewrite("who decided that?", refused) == "who decided that?"
    assert rewriter.rewrite("who decided that in the end, and why?", after(rewriter, sent)) == "who decided that in the end, and why?"
    # nor after a question whose verb would need inflecting ("did … lift" → "lifted")
    lifted = ("Which sanctions did the US lift?", "The US lifted sanctions on Belarusian potash.")
    assert rewriter.rewrite("Who announced it?", after(rewriter, lifted)) == "Who announced it?"


def test_who_decided_that_is_answered_in_a_conversation(answerer, rewriter):
    from bot.conversation import Conversation

    talk = Conversation(answerer, rewriter=rewriter)
    assert not talk.ask("Where were most of the political prisoners sent?").answer.refused
    reply = talk.ask("who decided that?")
    assert reply.rewritten == "Who decided where most of the political prisoners were sent?"
    assert not reply.answer.refused and "personally by Lukashenko" in reply.answer.text


def test_a_womans_surname_alone_in_the_answer_is_her_antecedent(rewriter):
    # spaCy tags "Tikhanovskaya" ORG here; a Slavic woman's surname is a person's name all the same
    whose = ("Whose position as leader might that challenge?",
             "With several 2020-era leaders now free, the previously central figure in exile of Tikhanovskaya may see "
             "her position as de facto leader contested, especially as her husband has been in conflict with her team.")
    assert rewriter.rewrite("Where is she based in exile?", after(rewriter, whose)) == "Where is Svetlana Tikhanovskaya based in exile?"
    assert not rewriter._person_name("Minsk") and not rewriter._person_name("Odesa")


def test_that_after_a_speech_verb_is_what_was_said_not_a_thing(rewriter):
    agreement = ("What kind of agreement did Lukashenko say he is willing to reach with the US government?",
                 'Lukashenko stated that he is willing to reach a "major agreement" with the American government.')
    assert rewriter.rewrite("Where did he say that?", after(rewriter, agreement)) == "Where did Lukashenko say that?"
