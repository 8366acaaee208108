"""End-to-end checks of the foundation on the seed corpus: real Chroma (temp dir), real model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import services
from bot.config import Settings
from bot.evaluate import metrics
from bot.evaluate.run import QuestionFileError, load_questions, run
from bot.verify import is_verbatim
from index.chunking import make_splitter, split_chunks
from index.corpus import load_corpus, read_article
from index.ingest import ingest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
CITEBOT = Path(sys.executable).parent / "citebot"


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def embed(model_cache):
    return services.embedding(Settings(data_dir=model_cache, model_cache=model_cache)).load()


@pytest.fixture(scope="session")
def seed(tmp_path_factory, embed, model_cache):
    data = tmp_path_factory.mktemp("data")
    settings = Settings(data_dir=data, model_cache=model_cache)
    report = ingest(CORPUS, services.store(settings), embed, data)
    return settings, report


@pytest.fixture(scope="session")
def answerer(seed, embed):
    settings, _ = seed
    return services.answerer(settings, services.library(settings, embed=embed))


def env_for(settings: Settings) -> dict:
    return {**os.environ, "DATA_DIR": str(settings.data_dir), "MODEL_CACHE": str(settings.model_cache),
            "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


# --- cleaning ---------------------------------------------------------------------------
def test_cleaning_strips_boilerplate_and_keeps_sentences_verbatim():
    report = load_corpus(CORPUS)
    assert not report.skipped and len(report.articles) == 5
    by_doc = {a.doc: a for a in report.articles}
    a4 = by_doc["004"]
    assert a4.title.startswith("COMMENT: Lukashenko plays the Trump card")
    assert a4.date == "2025-12-23" and a4.publisher == "bne IntelliNews"
    assert a4.title not in a4.text and "Wednesday, December 24, 2025" not in a4.text
    assert "No comments" not in a4.text and "Post a Comment" not in a4.text
    for doc in ("000", "001", "002"):
        a = by_doc[doc]
        assert a.url and a.url.startswith("https://www.toutiao.com/article/")
        assert "Disclaimer:" not in a.text and "Statement:" not in a.text and "Original" not in a.text.split("\n")[-1]
    assert "Image caption:" not in by_doc["001"].text
    assert "please follow the author" not in by_doc["001"].text
    for a in report.articles:
        raw = (CORPUS / a.source).read_text(encoding="utf-8")
        for line in a.text.split("\n\n"):
            assert line in raw


def test_bad_corpus_files_are_skipped_by_name(tmp_path):
    shutil.copy(CORPUS / "003_a249e923c2b6cff2.txt", tmp_path)
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "binary.txt").write_bytes(b"abc\x00\x01\x02")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "notes.md").write_text("A markdown title\n\nA sentence in markdown.\n")
    (tmp_path / "ignored.csv").write_text("a,b\n")
    report = load_corpus(tmp_path)
    skipped = dict(report.skipped)
    assert set(skipped) == {"empty.txt", "binary.txt", "latin1.txt"}
    assert "empty" in skipped["empty.txt"] and "binary" in skipped["binary.txt"] and "UTF-8" in skipped["latin1.txt"]
    assert sorted(a.source for a in report.articles) == ["003_a249e923c2b6cff2.txt", "notes.md"]


def test_chunk_offsets_map_back_to_the_cleaned_text():
    splitter = make_splitter(160, 32)
    from index.tokens import count

    for path in sorted(CORPUS.glob("*.txt")):
        article = read_article(path)
        chunks = split_chunks(article, splitter)
        assert chunks
        for c in chunks:
            assert article.text[c.start : c.end] == c.text
            assert count(c.text) <= 160
        covered = set()
        for c in chunks:
            covered.update(range(c.start, c.end))
        assert len(covered) >= 0.95 * len(article.text.replace("\n", ""))


# --- ingest -----------------------------------------------------------------------------
def test_incremental_ingest(tmp_path, embed, model_cache):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("001_3d31b8ba4ffd7bb4.txt", "003_a249e923c2b6cff2.txt"):
        shutil.copy(CORPUS / name, corpus)
    data = tmp_path / "data"
    settings = Settings(data_dir=data, model_cache=model_cache)
    store = services.store(settings)
    first = ingest(corpus, store, embed, data)
    assert len(first.added) == 2 and first.chunks_embedded > 0
    again = ingest(corpus, store, embed, data)
    assert again.chunks_embedded == 0 and again.sentences_embedded == 0 and again.unchanged == 2

    edited = corpus / "003_a249e923c2b6cff2.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA brand new closing sentence about zebras.\n", encoding="utf-8")
    changed = ingest(corpus, store, embed, data)
    assert changed.updated == ["003_a249e923c2b6cff2.txt"] and changed.unchanged == 1
    assert "zebras" in store.article_records()["003_a249e923c2b6cff2.txt"]["text"]
    chunk_rows = store.all_rows("chunks", ["metadatas", "documents"])
    texts_003 = [d for d, m in zip(chunk_rows["documents"], chunk_rows["metadatas"]) if m["source"].startswith("003")]
    assert any("zebras" in t for t in texts_003)
    assert len(chunk_rows["ids"]) == changed.chunks_total  # old chunks of 003 are gone

    (corpus / "001_3d31b8ba4ffd7bb4.txt").unlink()
    removed = ingest(corpus, store, embed, data)
    assert removed.removed == ["001_3d31b8ba4ffd7bb4.txt"] and removed.articles == 1
    for kind in ("chunks", "sentences"):
        rows = store.all_rows(kind, ["metadatas"])
        assert rows["ids"] and all(not m["source"].startswith("001") for m in rows["metadatas"])
    assert (data / "bm25" / "citebot.json").exists()
    assert ingest(corpus, store, embed, data, rebuild=True).rebuilt


# --- answering --------------------------------------------------------------------------
def test_answers_with_a_verbatim_citation(answerer):
    answer = answerer.ask("Which outlet interviewed Boris Shmelyev?")
    assert not answer.refused
    assert "Svobodnaya Pressa" in answer.text
    (c,) = answer.citations
    assert c.source == "002_b4c17ae533b9d5da.txt"
    assert answerer.library.articles[c.source].text[c.start : c.end] == c.quote
    assert len(answer.text.split()) <= 40


@pytest.mark.parametrize(
    "question",
    ["What did Macron say about the prisoner release?", "How many years was Babaryka sentenced to?"],
)
def test_refuses_near_misses(answerer, question):
    answer = answerer.ask(question)
    assert answer.refused and not answer.citations
    assert answer.text.startswith("I can't answer that")


@pytest.mark.parametrize(
    "question,expected",
    [
        ("How many political prisoners did Lukashenko release on December 13?", "123"),
        ("What was Tikhanyovski sentenced to?", "18 years"),
    ],
)
def test_answers_plain_questions(answerer, question, expected):
    answer = answerer.ask(question)
    assert not answer.refused and expected in answer.text


def test_bad_questions_get_polite_messages(answerer):
    assert answerer.ask("").reason == "empty_question"
    assert answerer.ask(" \t\n").reason == "empty_question"
    long = answerer.ask("why " * 2000)
    assert long.refused and long.reason == "too_long" and "too long" in long.text
    weird = answerer.ask("Who\x00 was \ud800 released\x07 in December? <b>&amp;</b>")
    assert weird.text  # no exception, some answer or refusal


def test_every_quote_is_verbatim_and_answers_are_short(answerer):
    rows = load_questions(ROOT / "evals" / "questions.jsonl")[:40]
    for row in rows:
        answer = answerer.ask(row["question"])
        for c in answer.citations:
            assert is_verbatim(answerer.library.articles[c.source].text, c.quote, c.start, c.end)
            assert len(c.quote) <= 300
        if not answer.refused:
            assert len(answer.text.split()) <= 40


# --- evaluation contract ----------------------------------------------------------------
def test_eval_writes_the_results_contract(answerer, tmp_path):
    qfile = tmp_path / "q.jsonl"
    rows = [
        {"id": "a1", "question": "Which outlet interviewed Boris Shmelyev?", "answerable": True,
         "expected": [["Svobodnaya Pressa"]], "evidence": [{"doc": "002", "quote": "\"Svobodnaya Pressa\" interviewed Boris Shmelyev"}]},
        {"id": "u1", "question": "What did Macron say about the prisoner release?", "answerable": False, "expected": [], "evidence": []},
        {"id": "bare", "question": "Who is Kellogg?"},
        {"id": "c1", "turns": [{"question": "Which outlet interviewed Boris Shmelyev?", "answerable": True, "expected": [["Svobodnaya Pressa"]]},
                               {"question": "What academic degree does Boris Shmelyev hold?", "answerable": True, "expected": [["doctor of history"]]}]},
    ]
    qfile.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = run(answerer, load_questions(qfile), tmp_path / "out")
    out = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in out] == ["a1", "u1", "bare", "c1"]
    for r in out[:3]:
        assert {"id", "question", "answer", "refused", "citations", "latency_ms"} <= set(r)
        for c in r["citations"]:
            assert {"source", "title", "date", "url", "quote", "start", "end"} <= set(c)
    assert out[1]["refused"] and out[1]["citations"] == []
    assert len(out[3]["turns"]) == 2 and all("rewritten" in t for t in out[3]["turns"])
    m = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert m["questions"] == 3 and m["answer_correct"] == 1.0 and m["refused_unanswerable"] == 1.0
    assert m["verbatim_quote_rate"] == 1.0 and m["turns"]["questions"] == 2
    assert result.metrics == m


def test_question_file_errors(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "question": "ok"}\n{not json}\n')
    with pytest.raises(QuestionFileError, match=":2:"):
        load_questions(bad)
    bad.write_text('{"id": "1", "question": "a"}\n{"id": "1", "question": "b"}\n')
    with pytest.raises(QuestionFileError, match="duplicate"):
        load_questions(bad)
    bad.write_text("\n")
    with pytest.raises(QuestionFileError, match="no questions"):
        load_questions(bad)


def test_metrics_on_hand_made_rows():
    assert metrics.answer_correct("The “Svobodnaya Pressa” — outlet", [["svobodnaya pressa"], ["outlet", "paper"]])
    assert not metrics.answer_correct("Svobodnaya", [["Svobodnaya Pressa"]])
    ev = [{"doc": "002", "quote": "\"Svobodnaya Pressa\" interviewed Boris Shmelyev, a doctor of history"}]
    assert metrics.citation_supports({"source": "002_x.txt", "quote": "Svobodnaya Pressa interviewed Boris Shmelyev"}, ev)
    assert not metrics.citation_supports({"source": "003_x.txt", "quote": "Svobodnaya Pressa interviewed Boris Shmelyev"}, ev)
    assert not metrics.citation_supports({"source": "002_x.txt", "quote": "a doctor of history"}, ev)
    rows = [
        {"answer": "123 prisoners", "refused": False, "citations": [], "latency_ms": 10, "verbatim": []},
        {"answer": "no", "refused": True, "citations": [], "latency_ms": 30, "verbatim": []},
    ]
    qs = [{"answerable": True, "expected": [["123"]]}, {"answerable": False}]
    m = metrics.compute(rows, qs)
    assert m["answer_correct"] == 1.0 and m["refused_unanswerable"] == 1.0 and m["false_refusal"] == 0.0
    assert metrics.compute(rows, [{}, {}])["answer_correct"] is None


def test_verbatim_check():
    text = "Alpha beta. Gamma delta. Epsilon."
    assert is_verbatim(text, "Gamma delta.", 12, 24)
    assert not is_verbatim(text, "Gamma delta.", 11, 23)
    assert is_verbatim(text, "Alpha beta. ... Epsilon.", 0, len(text))
    assert not is_verbatim(text, "Epsilon. ... Alpha beta.", 0, len(text))
    assert not is_verbatim(text, "x", 50, 51)


@pytest.mark.parametrize("name", ["questions.jsonl", "holdout.jsonl"])
def test_question_sets_quote_the_articles_verbatim(name):
    rows = load_questions(ROOT / "evals" / name)
    cleaned = {p.name[:3]: read_article(p).text for p in CORPUS.glob("*.txt")}
    for row in rows:
        for ev in row.get("evidence", []):
            assert ev["quote"] in cleaned[ev["doc"]], (row["id"], ev["quote"])
    if name == "questions.jsonl":
        assert sum(r["answerable"] for r in rows) >= 60 and sum(not r["answerable"] for r in rows) >= 25


# --- CLI --------------------------------------------------------------------------------
def test_cli_ask_json_prints_only_json(seed):
    settings, _ = seed
    proc = subprocess.run([str(CITEBOT), "ask", "--json", "Which outlet interviewed Boris Shmelyev?"],
                          capture_output=True, text=True, env=env_for(settings), timeout=180)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert not data["refused"] and "Svobodnaya Pressa" in data["answer"]
    assert data["citations"][0]["source"] == "002_b4c17ae533b9d5da.txt"


def test_cli_without_index_says_how_to_build_it(tmp_path, model_cache):
    settings = Settings(data_dir=tmp_path / "empty", model_cache=model_cache)
    proc = subprocess.run([str(CITEBOT), "ask", "anything"], capture_output=True, text=True, env=env_for(settings), timeout=180)
    assert proc.returncode == 2
    assert "citebot ingest" in proc.stderr


def test_repl_driven_as_a_person(seed):
    pexpect = pytest.importorskip("pexpect")
    settings, _ = seed
    child = pexpect.spawn(str(CITEBOT), ["repl"], env=env_for(settings), encoding="utf-8", timeout=120, dimensions=(40, 120))
    child.expect("citebot>")
    child.sendline("Which outlet interviewed Boris Shmelyev?")
    child.expect("Svobodnaya Pressa")
    child.expect("citebot>")
    child.sendline("/sources")
    child.expect("002_b4c17ae533b9d5da.txt")
    child.expect("citebot>")
    child.sendline("What did Macron say about the prisoner release?")
    child.expect("can't answer that")
    child.expect("citebot>")
    child.sendeof()  # Ctrl-D leaves cleanly
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_repl_piped_output_is_plain_text(seed):
    settings, _ = seed
    proc = subprocess.run([str(CITEBOT), "repl"], input="Which outlet interviewed Boris Shmelyev?\n/quit\n",
                          capture_output=True, text=True, env=env_for(settings), timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert "Svobodnaya Pressa" in proc.stdout and "\x1b[" not in proc.stdout
