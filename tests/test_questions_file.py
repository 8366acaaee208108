"""The project's own question sets are well formed and quote the articles verbatim."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import CORPUS, EVALS, ROOT, seed_files
from index.corpus import read_article

SETS = ["questions.jsonl", "holdout.jsonl", "holdout2.jsonl", "holdout3.jsonl", "holdout4.jsonl", "holdout5.jsonl", "holdout6.jsonl", "holdout7.jsonl", "holdout8.jsonl", "holdout9.jsonl", "holdout10.jsonl", "holdout11.jsonl", "holdout12.jsonl", "holdout13.jsonl", "holdout14.jsonl", "holdout15.jsonl", "holdout16.jsonl", "holdout17.jsonl", "holdout18.jsonl", "holdout19.jsonl", "holdout20.jsonl", "holdout21.jsonl", "holdout22.jsonl", "holdout23.jsonl", "holdout24.jsonl", "holdout25.jsonl", "holdout26.jsonl", "holdout27.jsonl", "holdout28.jsonl", "holdout29.jsonl", "holdout30.jsonl", "holdout31.jsonl", "holdout32.jsonl", "holdout33.jsonl", "holdout34.jsonl", "holdout35.jsonl", "holdout36.jsonl", "holdout37.jsonl", "holdout38.jsonl", "holdout39.jsonl", "holdout40.jsonl", "holdout41.jsonl", "holdout42.jsonl", "holdout43.jsonl", "holdout44.jsonl", "holdout45.jsonl", "holdout46.jsonl", "holdout47.jsonl", "holdout48.jsonl", "holdout49.jsonl", "holdout50.jsonl", "holdout51.jsonl", "holdout52.jsonl", "holdout53.jsonl", "holdout54.jsonl", "holdout55.jsonl", "holdout56.jsonl", "holdout57.jsonl", "holdout58.jsonl", "holdout59.jsonl", "holdout60.jsonl", "holdout61.jsonl", "holdout62.jsonl", "holdout63.jsonl", "holdout64.jsonl", "holdout65.jsonl", "train3.jsonl"]
CLEANED = {p.name[:3]: read_article(p).text for p in seed_files()}


def parse(name: str) -> list[dict]:
    rows = []
    for n, line in enumerate((EVALS / name).read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{name}:{n}: blank line"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{name}:{n}: {exc}")
        assert isinstance(row, dict), f"{name}:{n}"
        rows.append(row)
    return rows


@pytest.mark.parametrize("name", SETS)
def test_every_line_parses_and_ids_are_unique(name):
    rows = parse(name)
    assert rows
    ids = Counter(str(r["id"]) for r in rows)
    assert [i for i, k in ids.items() if k > 1] == []
    for r in rows:
        assert isinstance(r["question"], str) and r["question"].strip(), r["id"]
        assert isinstance(r["answerable"], bool), r["id"]


@pytest.mark.parametrize("name", SETS)
def test_labels_are_consistent(name):
    for r in parse(name):
        if r["answerable"]:
            assert r["expected"] and all(group and all(isinstance(a, str) and a for a in group) for group in r["expected"]), r["id"]
            assert r["evidence"], r["id"]
        else:
            assert r.get("expected", []) == [] and r.get("evidence", []) == [], r["id"]


@pytest.mark.parametrize("name", SETS)
def test_evidence_quotes_are_verbatim_in_raw_and_cleaned_text(name):
    checked = 0
    for r in parse(name):
        for ev in r.get("evidence", []):
            doc, quote = ev["doc"], ev["quote"]
            files = [p for p in CORPUS.iterdir() if p.name.startswith(doc)]
            assert len(files) == 1, (r["id"], doc)
            assert quote in files[0].read_text(encoding="utf-8"), (r["id"], quote)
            assert quote in read_article(files[0]).text, (r["id"], quote)
            checked += 1
    assert checked >= 40


@pytest.mark.parametrize("name", SETS)
def test_expected_answers_occur_in_the_evidence_articles(name):
    """An expected alternative that appears nowhere in the cited article is a labelling slip."""
    from bot.evaluate.metrics import normalise

    for r in parse(name):
        if not r["answerable"]:
            continue
        text = normalise(" ".join(CLEANED[ev["doc"]] for ev in r["evidence"]))
        for group in r["expected"]:
            assert any(normalise(alt) in text for alt in group), (r["id"], group)


def test_public_set_size_and_mix():
    rows = parse("questions.jsonl")
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    assert len(rows) >= 120 and len(answerable) >= 60 and len(unanswerable) >= 40
    near_misses = [r for r in unanswerable if r.get("type") == "unanswerable_near_miss"]
    assert len(near_misses) > len(unanswerable) / 2
    multi_hop = [r for r in answerable if len({ev["doc"] for ev in r["evidence"]}) >= 2]
    assert len(multi_hop) >= 3
    chat_style = [r for r in rows if r["question"] == r["question"].lower() and not r["question"].rstrip().endswith("?")]
    assert len(chat_style) >= 5
    splits = Counter(r.get("split") for r in rows)
    assert set(splits) == {"dev", "test"}
    for split in ("dev", "test"):
        assert any(r["answerable"] for r in rows if r["split"] == split) and any(not r["answerable"] for r in rows if r["split"] == split)


def test_every_seed_article_is_evidence_somewhere():
    docs = {ev["doc"] for name in SETS for r in parse(name) for ev in r.get("evidence", [])}
    assert docs == set(CLEANED)


def test_the_eval_contract_ships_with_the_project():
    """README and `citebot eval run --help` point at evals/EVAL_FORMAT.md: it is in the checkout,
    the same text as the contract the project was given (when that is beside it)."""
    ours = ROOT / "evals" / "EVAL_FORMAT.md"
    assert ours.is_file() and "`citebot eval QUESTIONS.jsonl --out DIR`" in ours.read_text(encoding="utf-8")
    given = ROOT.parent / "shared" / "EVAL_FORMAT.md"
    if given.is_file():
        assert ours.read_text(encoding="utf-8") == given.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["conversations.jsonl", "conversations_dev.jsonl", "conversations3.jsonl", "conversations4.jsonl", "conversations5.jsonl", "conversations6.jsonl", "conversations7.jsonl", "conversations8.jsonl", "conversations9.jsonl", "conversations10.jsonl", "conversations11.jsonl", "conversations12.jsonl", "conversations13.jsonl", "conversations14.jsonl"])
def test_dialogue_sets_are_well_formed_and_quote_the_articles_verbatim(name):
    rows = parse(name)
    assert rows and len({r["id"] for r in rows}) == len(rows)
    checked = 0
    for r in rows:
        assert r["turns"], r["id"]
        for turn in r["turns"]:
            assert turn["question"].strip() and isinstance(turn["answerable"], bool), r["id"]
            if not turn["answerable"]:
                assert turn.get("expected", []) == [] and turn.get("evidence", []) == [], r["id"]
                continue
            assert turn["expected"] and turn["evidence"], r["id"]
            for ev in turn["evidence"]:
                assert ev["quote"] in CLEANED[ev["doc"]], (r["id"], ev["quote"])
                checked += 1
    assert checked >= 40
