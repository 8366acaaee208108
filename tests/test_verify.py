"""bot.verify.is_verbatim: exact spans, offsets, ellipsis-joined spans."""

from __future__ import annotations

import pytest

from bot.verify import is_verbatim
from conftest import seed_files
from index.corpus import read_article

TEXT = "Alpha beta. Gamma delta. Epsilon zeta. Eta theta."
#       0          11 12          24 25            38 39


def span(part: str) -> tuple[int, int]:
    start = TEXT.index(part)
    return start, start + len(part)


def test_exact_span():
    assert is_verbatim(TEXT, "Gamma delta.", *span("Gamma delta."))
    assert is_verbatim(TEXT, TEXT, 0, len(TEXT))
    assert is_verbatim(TEXT, "A", 0, 1)


@pytest.mark.parametrize("start,end", [(11, 23), (13, 25), (12, 23), (12, 25), (0, 12)])
def test_wrong_offsets_fail(start, end):
    assert TEXT[12:24] == "Gamma delta."
    assert not is_verbatim(TEXT, "Gamma delta.", start, end)


def test_quote_that_differs_from_the_text_fails():
    s, e = span("Gamma delta.")
    assert not is_verbatim(TEXT, "Gamma Delta.", s, e)  # case
    assert not is_verbatim(TEXT, "Gamma  delta", s, e)  # whitespace
    assert not is_verbatim(TEXT, "Gamma delta", s, e)  # shorter than the span
    assert not is_verbatim(TEXT, "“Gamma delta.”", s, e)


def test_ellipsis_joined_spans_in_order():
    quote = "Alpha beta. ... Epsilon zeta."
    assert is_verbatim(TEXT, quote, 0, span("Epsilon zeta.")[1])
    assert is_verbatim(TEXT, "Alpha beta...Eta theta.", 0, len(TEXT))
    assert is_verbatim(TEXT, "Gamma ... Epsilon ... theta.", 12, len(TEXT))


def test_ellipsis_spans_out_of_order_or_misplaced_fail():
    assert not is_verbatim(TEXT, "Epsilon zeta. ... Alpha beta.", 0, len(TEXT))
    # first part must start exactly at `start`, last part must end exactly at `end`
    assert not is_verbatim(TEXT, "Alpha beta. ... Epsilon zeta.", 1, 38)
    assert not is_verbatim(TEXT, "Alpha beta. ... Epsilon zeta.", 0, len(TEXT))
    assert not is_verbatim(TEXT, "beta. ... Epsilon zeta.", 0, 38)
    # a part that is not in the text, or an empty part
    assert not is_verbatim(TEXT, "Alpha beta. ... Omega.", 0, len(TEXT))
    assert not is_verbatim(TEXT, "Alpha beta. ... ", 0, 11)
    assert not is_verbatim(TEXT, "... Alpha beta.", 0, 11)


@pytest.mark.parametrize(
    "quote,start,end",
    [
        ("x", 60, 61),  # beyond the text
        ("Eta theta.", 39, len(TEXT) + 1),  # end past the text
        ("Alpha", -1, 4),  # negative start
        ("Gamma", 17, 12),  # end before start
        ("", 0, 0),  # empty quote / empty span
        ("", 0, 5),
    ],
)
def test_out_of_range_or_empty(quote, start, end):
    assert not is_verbatim(TEXT, quote, start, end)


def test_every_sentence_of_the_seed_articles_verifies():
    for path in seed_files():
        text = read_article(path).text
        start = 0
        for para in text.split("\n\n"):
            start = text.index(para, start)
            assert is_verbatim(text, para, start, start + len(para))
            assert not is_verbatim(text, para, start + 1, start + 1 + len(para))
            start += len(para)
