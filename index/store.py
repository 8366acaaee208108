"""Chroma storage: chunks and sentences through llama-index's ChromaVectorStore,
article texts (the reference for quote checks) in a third collection.

Embedded PersistentClient under DATA_DIR/chroma by default; HttpClient against a
`chroma run` server when a host is given. Everything the index needs lives in
Chroma except the BM25 files, which are rebuilt from the chunks when stale.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class IndexUnavailable(RuntimeError):
    """Chroma cannot be reached or opened; the message says what to do."""


class IndexMissing(RuntimeError):
    """There is no index yet (nothing ingested)."""


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


class ChromaStore:
    def __init__(
        self,
        data_dir: Path,
        host: str | None = None,
        port: int = 8000,
        prefix: str = "citebot",
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host, self.port, self.prefix = host, port, prefix
        self._client = None
        self._collections: dict[str, Any] = {}

    @property
    def location(self) -> str:
        return f"http://{self.host}:{self.port}" if self.host else str(self.data_dir / "chroma")

    @property
    def client(self):
        if self._client is None:
            import chromadb

            try:
                if self.host:
                    self._client = chromadb.HttpClient(host=self.host, port=self.port, settings=_chroma_settings())
                    self._client.heartbeat()
                else:
                    (self.data_dir / "chroma").mkdir(parents=True, exist_ok=True)
                    self._client = chromadb.PersistentClient(
                        path=str(self.data_dir / "chroma"), settings=_chroma_settings()
                    )
            except Exception as exc:
                self._client = None
                hint = "is `chroma run` up at that address?" if self.host else "check that DATA_DIR is writable."
                raise IndexUnavailable(f"Cannot open the Chroma index at {self.location}: {hint} ({exc})") from exc
        return self._client

    def collection(self, kind: str, create: bool = True):
        name = f"{self.prefix}_{kind}"
        if name not in self._collections:
            try:
                if create:
                    col = self.client.get_or_create_collection(
                        name, configuration={"hnsw": {"space": "cosine"}}
                    )
                else:
                    col = self.client.get_collection(name)
            except IndexUnavailable:
                raise
            except Exception as exc:
                if not create:
                    raise IndexMissing(f"collection {name} does not exist") from exc
                raise IndexUnavailable(f"Chroma error on {name} at {self.location}: {exc}") from exc
            self._collections[name] = col
        return self._collections[name]

    def vector_store(self, kind: str, create: bool = True):
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self.collection(kind, create))

    # --- index-wide state -------------------------------------------------
    def fingerprint(self) -> str | None:
        meta = self.collection("articles").metadata or {}
        return meta.get("fingerprint")

    def set_fingerprint(self, fingerprint: str) -> None:
        col = self.collection("articles")
        col.modify(metadata={**(col.metadata or {}), "fingerprint": fingerprint})

    def reset(self) -> None:
        """Drop every citebot collection (ingest --rebuild)."""
        for kind in ("chunks", "sentences", "articles"):
            try:
                self.client.delete_collection(f"{self.prefix}_{kind}")
            except Exception:
                pass
        self._collections.clear()

    def article_records(self) -> dict[str, dict]:
        """source -> metadata (+ "text") of every stored article."""
        got = self.collection("articles").get(include=["metadatas", "documents"])
        return {
            i: {**(m or {}), "text": d} for i, m, d in zip(got["ids"], got["metadatas"], got["documents"])
        }

    def article_hashes(self) -> dict[str, str]:
        got = self.collection("articles").get(include=["metadatas"])
        return {i: (m or {}).get("content_hash", "") for i, m in zip(got["ids"], got["metadatas"])}

    def delete_article(self, source: str) -> None:
        for kind in ("chunks", "sentences"):
            self.collection(kind).delete(where={"source": source})
        self.collection("articles").delete(ids=[source])

    def put_article(self, article, title_embedding) -> None:
        meta = {
            "title": article.title,
            "date": article.date or "",
            "url": article.url or "",
            "publisher": article.publisher or "",
            "author": article.author or "",
            "content_hash": article.content_hash,
        }
        self.collection("articles").upsert(
            ids=[article.source], embeddings=[list(map(float, title_embedding))], documents=[article.text], metadatas=[meta]
        )

    def all_rows(self, kind: str, include: list[str], batch: int = 5000) -> dict[str, list]:
        """Every row of a collection, fetched in pages (bounded memory per call)."""
        col = self.collection(kind)
        out: dict[str, list] = {"ids": [], **{k: [] for k in include}}
        offset = 0
        while True:
            got = col.get(include=include, limit=batch, offset=offset)
            if not got["ids"]:
                break
            out["ids"].extend(got["ids"])
            for k in include:
                vals = got[k]
                out[k].extend(list(vals) if vals is not None else [None] * len(got["ids"]))
            offset += len(got["ids"])
        return out


def encode_meta(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
