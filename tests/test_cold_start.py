"""What a one-shot `citebot ask` does to start fast: it parses its question with spaCy in a
worker process (index.nlp.QuestionWorker), which loads on the second core while the index
opens, reads spaCy's stop words without importing spaCy, and imports chromadb without its
overridden-method signature checks."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

import pytest

from bot.answer import Answerer
from bot.support import analyse
from conftest import SHMELYEV_Q
from index.nlp import QuestionWorker, WorkerUnavailable, load

QUESTIONS = [
    SHMELYEV_Q,
    "what was tsikhanouskiy sentenced to",
    "How many political prisoners were released on 13 December?",
    "Does Igor Shatov think the attempt to pull Belarus away from Russia will work?",
]


@pytest.fixture()
def worker():
    w = QuestionWorker(analyse)
    yield w
    w.close()


def test_a_question_parsed_in_the_worker_is_parsed_as_here(worker):
    nlp = load()
    for question in QUESTIONS:
        assert worker(question) == analyse(question, nlp)


def test_a_span_parsed_in_the_worker_reads_as_spacys_parse(worker):
    """The "why" rule reads a span's parse (Answerer._event_aside); a one-shot ask gets it from the
    worker (QuestionWorker.parse) rather than loading spaCy in its own process."""
    nlp = load()
    texts = ["One fact cannot be ignored: before Poland closed the Polish-Belarusian border, 90% of railway freight "
             "between China and the EU passed through this border.", "He exclaimed upon seeing John Cole (who had visited Belarus)."]
    for tokens, doc in zip(worker.parse(texts), map(nlp, texts)):
        assert [(t.text, t.lower_, t.lemma_, t.pos_, t.tag_, t.dep_, t.i, t.head.i) for t in tokens] == [
            (t.text, t.lower_, t.lemma_, t.pos_, t.tag_, t.dep_, t.i, t.head.i) for t in doc]
        assert [[c.i for c in t.children] for t in tokens] == [[c.i for c in t.children] for t in doc]


def test_a_why_answered_with_the_worker_is_answered_as_here(answerer, worker):
    quick = Answerer(answerer.library, answerer.settings, analyser=worker)
    for asked in ("Why did Poland close the Polish-Belarusian border?", "Why is Gdansk port off limits?"):
        got, expected = quick.ask(asked), answerer.ask(asked)
        assert (got.refused, got.text) == (expected.refused, expected.text), asked
    assert quick._nlp is None  # the span's parse came from the worker


def test_the_worker_ignores_ctrl_c_and_hands_back_errors(worker):
    worker(SHMELYEV_Q)  # up
    os.kill(worker._process.pid, signal.SIGINT)  # the terminal sends it to the whole process group
    assert worker(QUESTIONS[1]) == analyse(QUESTIONS[1], load())
    failing = QuestionWorker(getattr)  # getattr(text, nlp): TypeError, raised in the worker
    try:
        with pytest.raises(TypeError):
            failing("text")
        assert failing._process.is_alive()  # an error in the function is no reason to stop
    finally:
        failing.close()


def test_an_answerer_whose_worker_dies_answers_the_same(answerer, worker, caplog):
    quick = Answerer(answerer.library, answerer.settings, analyser=worker)
    assert quick._nlp is None  # the pipeline is not loaded in this process for it
    expected = answerer.ask(SHMELYEV_Q)
    assert quick.ask(SHMELYEV_Q).text == expected.text
    worker._process.kill()
    worker._process.join(5)
    with caplog.at_level(logging.WARNING):
        again = quick.ask(SHMELYEV_Q)
        quick.ask(QUESTIONS[1])
    assert again.text == expected.text and again.citations == expected.citations
    assert sum("spaCy worker process stopped" in r.getMessage() for r in caplog.records) == 1
    with pytest.raises(WorkerUnavailable):
        worker(SHMELYEV_Q)


def test_stop_words_are_spacys_without_importing_spacy():
    code = (
        "import sys\n"
        "from index.nlp import stop_words\n"
        "words = stop_words()\n"
        "assert 'spacy' not in sys.modules, 'spacy was imported'\n"
        "from spacy.lang.en.stop_words import STOP_WORDS\n"
        "assert words == frozenset(STOP_WORDS) and 'the' in words\n"
    )
    in_a_fresh_interpreter(code)


def test_chromadb_is_imported_without_signature_checks_and_the_option_is_restored():
    code = (
        "import sys, overrides\n"
        "impl = sys.modules['overrides.overrides']\n"
        "calls = []\n"
        "check = impl.ensure_signature_is_compatible\n"
        "impl.ensure_signature_is_compatible = lambda *a, **k: (calls.append(a), check(*a, **k))[1]\n"
        "from index.store import import_chromadb\n"
        "chromadb = import_chromadb()\n"
        "assert 'chromadb' in sys.modules and chromadb.PersistentClient\n"
        "assert not calls, f'{len(calls)} signature checks'\n"
        "assert overrides.override.__kwdefaults__['check_signature'] is True\n"
        "assert overrides.overrides.__kwdefaults__['check_signature'] is True\n"
        "class Base:\n    def f(self, a): pass\n"
        "class Sub(Base):\n    @overrides.override\n    def f(self, a): pass\n"
        "assert len(calls) == 1  # checked again after the import\n"
    )
    in_a_fresh_interpreter(code)


def in_a_fresh_interpreter(code: str) -> None:
    """Run `code` in a new Python process (what it imports is then its own) from the project root."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert done.returncode == 0, done.stderr[-2000:]
