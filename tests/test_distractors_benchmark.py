"""benchmarks/distractors.py end to end on a small scale: both indexes built, both evals run."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import EVALS, ROOT, cli_env


def test_the_distractor_benchmark_compares_the_seed_corpus_with_and_without_look_alikes(tmp_path, model_cache):
    rows = [json.loads(line) for line in (EVALS / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = tmp_path / "few.jsonl"
    few = [r for r in rows if r["id"] in ("q001", "q005", "u001")]
    questions.write_text("".join(json.dumps(r) + "\n" for r in few), encoding="utf-8")
    env = cli_env(tmp_path / "unused", model_cache)
    env.pop("DATA_DIR")  # the benchmark gives each index its own
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "distractors.py"), "--articles", "12", "--questions", str(questions),
         "--work", str(tmp_path / "work"), "--results", str(tmp_path / "results")],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (out,) = (tmp_path / "results").glob("distractors-*.json")
    got = json.loads(out.read_text())
    seed, mixed = got["rows"]["seed"], got["rows"]["seed+12"]
    assert (seed["articles"], mixed["articles"]) == (5, 17)
    for row in (seed, mixed):
        assert 0.0 <= row["answer_correct"] <= 1.0 and row["verbatim_quote_rate"] == 1.0
    assert "answer correct" in done.stdout and "seed+12" in done.stdout
