"""Split cleaned articles into retrieval chunks and answer sentences.

Chunks come from llama-index's SentenceSplitter with tiktoken token counts.
Chunk size: 160 cl100k tokens (≈ 200 WordPiece tokens) keeps every chunk inside
all-MiniLM-L6-v2's 256-token window, so no chunk text is silently truncated
out of its embedding, while still holding 4–6 sentences of context. Overlap of
32 tokens (20 %) means a sentence cut at a boundary is whole in one of the two
neighbouring chunks. Both are settings (CHUNK_SIZE / CHUNK_OVERLAP).

Sentences are the unit an answer is made of. They are split per paragraph by
spaCy (which, unlike Punkt, does not break after "U.S."), carry their named
entities and content lemmas for the support check, and character offsets into
the cleaned article text, as chunks do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.corpus import Article


@dataclass(frozen=True)
class Chunk:
    id: str
    source: str
    position: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Sentence:
    source: str
    position: int  # index of the sentence within its article
    start: int
    end: int
    text: str
    paragraph: int
    entities: tuple[tuple[str, str], ...] = ()
    lemmas: tuple[str, ...] = ()


_PARA_RE = re.compile(r"[^\n]+")


def _paragraph_matches(articles: list[Article]) -> list[tuple[Article, re.Match]]:
    return [(a, m) for a in articles for m in _PARA_RE.finditer(a.text)]


def paragraphs(articles: list[Article]) -> list[str]:
    """The paragraphs of these articles, in order: what spaCy analyses (`split_sentences`)."""
    return [m.group() for _, m in _paragraph_matches(articles)]


def split_sentences(articles: list[Article], analysed: list | None = None) -> dict[str, list[Sentence]]:
    """Sentences of each article (keyed by source), analysed in one spaCy pass — or from
    `analysed`, index.nlp.analyse_paragraphs of `paragraphs(articles)` run elsewhere (ingest
    runs it in a worker process)."""
    paras = _paragraph_matches(articles)
    if analysed is None:
        from index.nlp import analyse_paragraphs

        analysed = analyse_paragraphs([m.group() for _, m in paras])
    if len(analysed) != len(paras):
        raise ValueError(f"{len(analysed)} analysed paragraphs for {len(paras)}")
    out: dict[str, list[Sentence]] = {a.source: [] for a in articles}
    p_index: dict[str, int] = {}
    for (article, match), infos in zip(paras, analysed):
        sents = out[article.source]
        p = p_index[article.source] = p_index.get(article.source, -1) + 1
        for info in infos:
            start, end = match.start() + info.start, match.start() + info.end
            if end > start:
                sents.append(
                    Sentence(article.source, len(sents), start, end, article.text[start:end], p, info.entities, info.lemmas)
                )
    return out


def make_splitter(chunk_size: int = 160, chunk_overlap: int = 32):
    from llama_index.core.node_parser import SentenceSplitter

    from index.tokens import encoding

    enc = encoding()
    return SentenceSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        tokenizer=lambda t: enc.encode(t, disallowed_special=()),
        paragraph_separator="\n\n",
        include_metadata=False,
        include_prev_next_rel=False,
    )


def split_chunks(article: Article, splitter) -> list[Chunk]:
    """Chunks with character offsets into article.text (verified, not trusted)."""
    from llama_index.core import Document

    doc = Document(text=article.text, id_=article.source)
    chunks: list[Chunk] = []
    cursor = 0
    for node in splitter.get_nodes_from_documents([doc]):
        text = node.get_content()
        start = node.start_char_idx
        if start is None or article.text[start : start + len(text)] != text:
            start = article.text.find(text, cursor)
        if start < 0:  # the splitter changed the text: fall back to a
            continue  # verbatim-only policy rather than store wrong offsets
        end = start + len(text)
        chunks.append(Chunk(f"{article.content_hash}:{len(chunks)}", article.source, len(chunks), start, end, text))
        cursor = start + 1
    return chunks
