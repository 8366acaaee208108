"""Server mode against a real `chroma run` process on 127.0.0.1 (CHROMA_HOST/CHROMA_PORT):
ingest, ask and eval through the server, two workers sharing it, a server that
goes away and comes back while a serving process keeps answering, and one that accepts
connections but never answers."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import CITEBOT, CORPUS, SHMELYEV_Q, SHMELYEV_SOURCE, cli_env, flat

CHROMA = Path(sys.executable).parent / "chroma"
KELLOGG_Q = "Where did Lukashenko hold his meeting with U.S. envoy Kellogg?"
KELLOGG_SOURCE = "000_979f3109055ecc6f.txt"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """`chroma run` on a free port with its data under `path`; stop() and start() again."""

    def __init__(self, path: Path) -> None:
        self.path, self.port, self.proc = path, _free_port(), None

    def start(self) -> "ChromaServer":
        self.proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1).read()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.proc.kill()
                    pytest.fail("chroma run did not come up")
                time.sleep(0.3)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture()
def chroma_server(tmp_path):
    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed")
    server = ChromaServer(tmp_path / "server").start()
    yield server
    server.stop()


def one_article_corpus(path: Path) -> Path:
    path.mkdir()
    shutil.copy(CORPUS / SHMELYEV_SOURCE, path)
    return path


def writer_and_worker(chroma_server, tmp_path, make_settings, embed, corpus, **worker_settings):
    """An index ingested through the server by one host (the writer's settings are returned) and
    a serving worker of another, with its own DATA_DIR, that checks the pointer every question."""
    from bot import services
    from index.ingest import ingest

    common = dict(chroma_host="127.0.0.1", chroma_port=chroma_server.port, index_check_seconds=0)
    writer = make_settings(tmp_path / "writer", **common)
    ingest(corpus, services.store(writer), embed, writer.data_dir)
    reader = make_settings(tmp_path / "reader", **common, **worker_settings)
    chroma = services.store(reader)
    return writer, services.LiveAnswerer(reader, services.answerer(reader, services.library(reader, embed=embed, chroma=chroma)), chroma)


def test_ingest_and_answer_through_a_chroma_server(chroma_server, tmp_path, make_settings, embed):
    from bot import services
    from index.ingest import ingest
    from index.store import IndexUnavailable

    port = chroma_server.port
    corpus = one_article_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port)
    store = services.store(settings)
    assert store.location == f"http://127.0.0.1:{port}"
    report = ingest(corpus, store, embed, settings.data_dir)
    assert report.articles == 1 and report.chunks_embedded > 0
    assert not (settings.data_dir / "chroma").exists()  # nothing went to the embedded store
    assert ingest(corpus, services.store(settings), embed, settings.data_dir).chunks_embedded == 0

    answer = services.answerer(settings, services.library(settings, embed=embed)).ask(SHMELYEV_Q)
    assert not answer.refused and "Svobodnaya Pressa" in answer.text
    assert answer.citations[0].source == SHMELYEV_SOURCE

    chroma_server.stop()
    with pytest.raises(IndexUnavailable, match="chroma run"):
        services.library(make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port), embed=embed)


def test_cli_ingest_ask_eval_and_doctor_against_the_server(chroma_server, tmp_path, model_cache):
    corpus = one_article_corpus(tmp_path / "corpus")
    env = cli_env(tmp_path / "data", model_cache, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(chroma_server.port))

    def citebot(*args):
        return subprocess.run([str(CITEBOT), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)

    ingest = citebot("ingest", "--corpus", str(corpus))
    assert ingest.returncode == 0, ingest.stderr
    assert "Indexed 1 article (" in ingest.stdout
    ask = citebot("ask", "--json", SHMELYEV_Q)
    assert ask.returncode == 0, ask.stderr
    assert "Svobodnaya Pressa" in json.loads(ask.stdout)["answer"]
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"id": "s1", "question": SHMELYEV_Q, "answerable": True, "expected": [["Svobodnaya Pressa"]]}) + "\n"
        + json.dumps({"id": "s2", "question": "What is the capital of Peru?", "answerable": False}) + "\n",
        encoding="utf-8",
    )
    evaluation = citebot("eval", str(questions), "--out", str(tmp_path / "eval"))
    assert evaluation.returncode == 0, evaluation.stderr
    rows = {r["id"]: r for r in map(json.loads, (tmp_path / "eval" / "results.jsonl").read_text().splitlines())}
    assert set(rows) == {"s1", "s2"}
    assert not rows["s1"]["refused"] and "Svobodnaya Pressa" in rows["s1"]["answer"]
    assert rows["s2"]["refused"]
    doctor = citebot("doctor", "--json", "--corpus", str(corpus))
    assert doctor.returncode == 0, doctor.stdout
    facts = json.loads(doctor.stdout)
    assert facts["mode"] == "server" and facts["location"] == f"http://127.0.0.1:{chroma_server.port}"
    assert facts["articles"] == 1 and facts["new"] == facts["changed"] == facts["removed"] == 0


def test_a_serving_worker_picks_up_another_workers_ingest(chroma_server, tmp_path, make_settings, embed):
    """Two workers with their own DATA_DIRs share one server: one re-ingests, the other
    switches to the new generation (its BM25 rebuilt from the chunks in Chroma), and so do its
    conversations."""
    from bot import services
    from bot.conversation import ConversationStore
    from index.ingest import ingest

    corpus = one_article_corpus(tmp_path / "corpus")
    writer, live = writer_and_worker(chroma_server, tmp_path, make_settings, embed, corpus)
    reader = live.settings
    assert "Independence Palace" not in live.ask(KELLOGG_Q).text
    first_generation = live.library.generation
    conversations = ConversationStore(live)
    first_names = conversations.get("chat").rewriter.person_words

    shutil.copy(CORPUS / KELLOGG_SOURCE, corpus)
    report = ingest(corpus, services.store(writer), embed, writer.data_dir)
    assert report.added == [KELLOGG_SOURCE]

    answer = live.ask(KELLOGG_Q)
    assert live.library.generation == report.generation != first_generation and live.reloads == 1
    assert not answer.refused and "Independence Palace" in answer.text
    assert answer.citations[0].source == KELLOGG_SOURCE
    assert KELLOGG_SOURCE in live.library.articles
    assert (reader.data_dir / "bm25" / "citebot.json").is_file()  # its own copy of the new BM25
    # the conversations' rewriter follows: the names of the new index (made from its facts)
    rewriter = conversations.get("chat").rewriter
    assert rewriter is conversations.get("another chat").rewriter
    assert rewriter.person_words == set(live._facts.names["person_words"]) != first_names
    assert rewriter._sentences is live.library.sentences


def test_a_slow_switch_to_a_new_generation_does_not_hold_up_questions(chroma_server, tmp_path, make_settings, embed):
    """The new generation loads on a thread: with INDEX_RELOAD_WAIT_SECONDS=0 the question that
    finds it is answered at once from the current generation, and the next ones from the new
    one when it has loaded."""
    from bot import services
    from index.ingest import ingest

    corpus = one_article_corpus(tmp_path / "corpus")
    writer, live = writer_and_worker(chroma_server, tmp_path, make_settings, embed, corpus, index_reload_wait_seconds=0)
    first_generation = live.library.generation
    assert "Independence Palace" not in live.ask(KELLOGG_Q).text and live.reloading is None

    shutil.copy(CORPUS / KELLOGG_SOURCE, corpus)
    report = ingest(corpus, services.store(writer), embed, writer.data_dir)
    meanwhile = live.ask(KELLOGG_Q)  # finds the new generation, does not wait for it
    assert live.reloading is not None
    assert "Independence Palace" not in meanwhile.text
    live.reloading.join(120)
    assert not live.reloading.is_alive() and live.reloads == 1
    answer = live.ask(KELLOGG_Q)
    assert live.library.generation == report.generation != first_generation
    assert not answer.refused and "Independence Palace" in answer.text


def _serving_one_article(chroma_server, tmp_path, make_settings, embed):
    """(settings, corpus, a serving answerer) over a one-article index on the server, checked
    every question, that answers the Shmelyev question."""
    from bot import services
    from index.ingest import ingest

    corpus = one_article_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=chroma_server.port, index_check_seconds=0)
    ingest(corpus, services.store(settings), embed, settings.data_dir)
    live = services.serving_answerer(settings)
    assert not live.ask(SHMELYEV_Q).refused
    return settings, corpus, live


def _answers_again(live, seconds: float = 30):
    """Ask until the answer comes (every refusal meanwhile is 'index unavailable'); fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while (answer := live.ask(SHMELYEV_Q)).refused:
        assert answer.reason == "index_unavailable"
        assert time.monotonic() < deadline, "never answered again"
        time.sleep(0.5)
    assert "Svobodnaya Pressa" in answer.text


def test_the_serving_answerer_recovers_when_the_server_restarts(chroma_server, tmp_path, make_settings, embed):
    _settings, _corpus, live = _serving_one_article(chroma_server, tmp_path, make_settings, embed)
    chroma_server.stop()
    down = live.ask(SHMELYEV_Q)  # no exception: a polite refusal
    assert down.refused and down.reason == "index_unavailable"
    assert "try again" in down.text
    again = live.ask(SHMELYEV_Q)  # within the backoff: no new connection attempt, same answer
    assert again.reason == "index_unavailable"

    chroma_server.start()
    _answers_again(live)


def test_a_server_restarted_empty_is_said_to_have_no_index_not_to_be_down(chroma_server, tmp_path, make_settings, embed):
    """`chroma run` back up on an empty --path: Chroma answers, there is no index. A serving
    process says to ingest (not "try again in a minute"), and answers once the index is back."""
    from bot import services
    from index.ingest import ingest

    settings, corpus, live = _serving_one_article(chroma_server, tmp_path, make_settings, embed)
    chroma_server.stop()
    shutil.rmtree(chroma_server.path)
    chroma_server.start()
    empty = live.ask(SHMELYEV_Q)
    assert empty.refused and empty.reason == "index_unavailable"
    assert "citebot ingest" in empty.text and "try again" not in empty.text.lower()

    ingest(corpus, services.store(settings), embed, settings.data_dir)
    _answers_again(live)


def test_repl_articles_lists_the_index_a_reingest_published(chroma_server, tmp_path, make_settings, embed, monkeypatch):
    """/articles in a REPL open while another process re-ingests lists the new index, not the
    one loaded at start (questions already followed it; /articles waited for the next one)."""
    import io

    from rich.console import Console

    from bot import repl, services
    from index.ingest import ingest

    corpus = one_article_corpus(tmp_path / "corpus")
    writer, live = writer_and_worker(chroma_server, tmp_path, make_settings, embed, corpus)
    shutil.copy(CORPUS / KELLOGG_SOURCE, corpus)
    ingest(corpus, services.store(writer), embed, writer.data_dir)
    monkeypatch.setattr("sys.stdin", io.StringIO("/articles\n/quit\n"))  # piped: the plain reader
    out = io.StringIO()
    assert repl.run(live, console=Console(file=out, width=300, highlight=False)) == 0
    shown = out.getvalue()
    assert "citebot — 1 article," in shown  # the banner: the index loaded at start
    assert "2 articles:" in shown and KELLOGG_SOURCE in shown and SHMELYEV_SOURCE in shown, shown


def test_server_mode_lease_blocks_a_second_ingest(chroma_server, tmp_path, make_settings, embed):
    from bot import services
    from index.ingest import ingest
    from index.store import IngestLocked

    corpus = one_article_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=chroma_server.port)
    store = services.store(settings)
    store._put_state("lease", {"owner": "other-host:4242", "expires": time.time() + 60})
    with pytest.raises(IngestLocked, match="other-host:4242"):
        ingest(corpus, store, embed, settings.data_dir)
    store._put_state("lease", {"owner": "other-host:4242", "expires": time.time() - 1})  # expired
    assert ingest(corpus, services.store(settings), embed, settings.data_dir).articles == 1
    assert services.store(settings)._state_row("lease") is None  # released


def test_a_serving_process_waits_for_the_server_at_start(chroma_server, tmp_path, make_settings, embed):
    from bot import services
    from index.ingest import ingest
    from index.store import IndexUnavailable

    corpus = one_article_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=chroma_server.port, chroma_retry_max_seconds=1)
    ingest(corpus, services.store(settings), embed, settings.data_dir)
    chroma_server.stop()
    with pytest.raises(IndexUnavailable, match="chroma run"):  # one-shot callers get the error
        services.serving_answerer(settings)

    waits = []

    def on_retry(error, seconds):  # what `citebot telegram` prints; the server comes back meanwhile
        waits.append((str(error), seconds))
        if len(waits) == 2:
            chroma_server.start()

    live = services.serving_answerer(settings, wait=True, on_retry=on_retry)
    assert len(waits) == 2 and all("chroma run" in text for text, _ in waits)
    assert [s for _, s in waits] == [1.0, 1.0]  # doubling, capped by CHROMA_RETRY_MAX_SECONDS
    assert "Svobodnaya Pressa" in live.ask(SHMELYEV_Q).text


def test_a_large_index_served_through_the_server_asks_its_hnsw_index_for_sentences(chroma_server, tmp_path, make_settings, embed):
    """SENTENCE_SCAN_MAX below the index size: the closest sentences come from the sentence
    collection's HNSW index in the server (the worker holds no vector scan); same answer."""
    from bot import services
    from index.ingest import ingest

    corpus = one_article_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=chroma_server.port, sentence_scan_max=0)
    ingest(corpus, services.store(settings), embed, settings.data_dir)
    lib = services.library(settings, embed=embed)
    assert not lib.scans
    # a one-question process asks the server too: the HNSW index is loaded there already
    assert not services.library(settings, embed=embed, one_question=True).scans
    assert lib.chunk_vectors is None  # its table does not read the chunk vectors back through the server
    for kind in ("chunks", "sentences"):  # made through the HTTP client with HNSW_EF_SEARCH
        assert lib.store.collection(kind, create=False).configuration["hnsw"]["ef_search"] == settings.hnsw_ef_search
    exact = services.library(settings.model_copy(update={"sentence_scan_max": 10**9}), embed=embed)
    v = embed.encode([SHMELYEV_Q])[0]
    assert lib.top_sentences(v, 5) == exact.top_sentences(v, 5)
    answer = services.answerer(settings, lib).ask(SHMELYEV_Q)
    assert not answer.refused and "Svobodnaya Pressa" in answer.text


def test_a_worker_reads_a_delta_generation_another_host_wrote(chroma_server, tmp_path, make_settings, embed, caplog):
    """A small re-ingest through the server writes a delta generation (index.store.Layer); a
    worker with its own DATA_DIR switches to it, making its table from the one it served from
    (reading only the changed articles) and its BM25 from that: the new article answers, the
    removed one is gone, and doctor says what it is."""
    import logging

    from bot import services
    from index import table
    from index.health import diagnose
    from index.ingest import ingest
    from test_delta import NEW, assert_same_rows
    from test_generations import make_corpus

    corpus = make_corpus(tmp_path / "corpus", variants=15)
    writer, live = writer_and_worker(chroma_server, tmp_path, make_settings, embed, corpus)
    reader = live.settings
    question = "When did the harbour at Klaipeda take its first ship of Belarusian potash?"
    assert "Tuesday" not in live.ask(question).text

    (corpus / "950_new.txt").write_text(NEW, encoding="utf-8")
    (corpus / "901_variant.txt").unlink()
    report = ingest(corpus, services.store(writer), embed, writer.data_dir)
    assert report.base == "g1" and report.chunks_copied == 0
    with caplog.at_level(logging.INFO, logger="index.retrieve"):
        answer = live.ask(question)
    assert "making it from generation g1" in caplog.text
    assert_same_rows(live.library.table, table.from_chroma(services.store(reader).at("g2"), "k"))
    assert live.library.generation == report.generation == "g2" and live.reloads == 1
    assert not answer.refused and "Tuesday" in answer.text and answer.citations[0].source == "950_new.txt"
    assert len(live.library.articles) == 20 and "901_variant.txt" not in live.library.articles
    assert len(live.library.chunks) == len(live.library.lexical.ids) == report.chunks_total

    d = diagnose(services.store(reader), reader.data_dir, corpus, reader.chunk_size, reader.chunk_overlap,
                 reader.max_file_bytes, reader.embed_backend, reader.model_cache_dir)
    assert d.facts["base"] == "g1" and d.facts["articles"] == 20 and d.facts["chunks"] == report.chunks_total
    said = {c.name: c.detail for c in d.checks}
    assert said["delta"].startswith("generation g2 holds 1 article of its own and reads the rest from generation g1 (less 1 ")
    assert said["generations"] == "also kept: g1 (the base of g2: kept while a delta reads it)"
    assert d.facts["new"] == d.facts["changed"] == d.facts["removed"] == 0


class SilentServer:
    """A listener on 127.0.0.1 that accepts every connection and never answers it: a hung Chroma
    server (or something that is not Chroma) as a client sees it. With `heartbeat`, it answers
    GET .../heartbeat as Chroma does, and nothing else (a server that hangs after the check)."""

    def __init__(self, heartbeat: bool = False) -> None:
        self.heartbeat, self.conns, self.stopped = heartbeat, [], threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            self.conns.append(conn)  # held open, never answered
            if self.heartbeat:
                threading.Thread(target=self._answer_heartbeat, args=(conn,), daemon=True).start()

    def _answer_heartbeat(self, conn: socket.socket) -> None:
        head = b""
        try:
            while b"\r\n\r\n" not in head:
                if not (part := conn.recv(4096)):
                    return
                head += part
            if b"/heartbeat " in head.split(b"\r\n", 1)[0]:
                body = b'{"nanosecond heartbeat": 1}'
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        except OSError:
            pass

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()
        for conn in self.conns:
            conn.close()


@pytest.fixture()
def silent_server():
    servers = []

    def make(heartbeat: bool = False) -> SilentServer:
        servers.append(SilentServer(heartbeat))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


SILENT_RE = re.compile(r"the server at 127\.0\.0\.1:(\d+) did not answer within (\d+(?:\.\d+)?) s")


def test_a_server_that_never_answers_fails_doctor_and_ask_within_seconds(silent_server, tmp_path, model_cache):
    """CHROMA_HOST/CHROMA_PORT pointing at a server that accepts connections but never answers:
    `citebot doctor` and `citebot ask` exit with code 3 and a one-line message within seconds
    (the connectivity check waits at most 5 s, or CHROMA_TIMEOUT_S if less) instead of hanging."""
    server = silent_server()
    env = cli_env(tmp_path / "data", model_cache, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(server.port), CHROMA_TIMEOUT_S="2")
    for args, stream in ((["doctor"], "stdout"), (["ask", SHMELYEV_Q], "stderr")):
        t = time.monotonic()
        run = subprocess.run([str(CITEBOT), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
        elapsed = time.monotonic() - t
        said = flat(getattr(run, stream))
        assert run.returncode == 3, (args, run.stdout, run.stderr)
        assert "Traceback" not in run.stdout + run.stderr
        m = SILENT_RE.search(said)
        assert m and int(m.group(1)) == server.port, said
        assert float(m.group(2)) == 2 and "chroma run" in said  # CHROMA_TIMEOUT_S, under the 5 s check
        assert elapsed < 20, f"{args[0]} took {elapsed:.1f} s"


def _raised_within(seconds: float, call) -> tuple[BaseException, float]:
    """What `call` raised and how long it took; fails (rather than hangs) if it is still running
    after `seconds`."""
    out: list = []

    def run() -> None:
        t = time.monotonic()
        try:
            call()
            out.append((None, time.monotonic() - t))
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out.append((exc, time.monotonic() - t))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert out, f"still waiting after {seconds} s"
    assert out[0][0] is not None, "no error"
    return out[0]


def test_the_store_bounds_every_request_to_a_silent_server(silent_server, tmp_path, monkeypatch):
    """ChromaStore(timeout_s=...) (CHROMA_TIMEOUT_S): the connectivity check gives up after
    CHECK_TIMEOUT_S (or timeout_s if less), and the HTTP client's own requests — a server that
    answers the check and then hangs — after timeout_s: IndexUnavailable saying so, not a hang."""
    from index import store as store_module
    from index.store import ChromaStore, IndexUnavailable

    monkeypatch.setattr(store_module, "CHECK_TIMEOUT_S", 0.5)
    silent = silent_server()
    store = ChromaStore(tmp_path / "data", "127.0.0.1", silent.port, timeout_s=1.5)
    for call in (store.heartbeat, store.pointer, lambda: store.collection("chunks")):
        exc, took = _raised_within(10, call)
        assert isinstance(exc, IndexUnavailable) and took < 3, (exc, took)
        assert f"the server at 127.0.0.1:{silent.port} did not answer within 0.5 s" in str(exc)

    hangs_after_check = silent_server(heartbeat=True)
    store = ChromaStore(tmp_path / "data", "127.0.0.1", hangs_after_check.port, timeout_s=1.5)
    # the check passes; the client's first request (its user identity) hangs
    exc, took = _raised_within(10, store.pointer)
    assert isinstance(exc, IndexUnavailable) and took < 5, (exc, took)
    assert f"the server at 127.0.0.1:{hangs_after_check.port} did not answer within 1.5 s" in str(exc)
    assert "CHROMA_TIMEOUT_S" in str(exc)
    assert store._client is None  # nothing half-connected is kept: the next call tries afresh
