"""tiktoken, offline.

tiktoken downloads its BPE files on first use, which fails without network.
llama-index-core ships cl100k_base and o200k_base in its package data; point
TIKTOKEN_CACHE_DIR there (unless the user set it) before the first tiktoken call.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

ENCODING = "cl100k_base"


def _static_cache() -> Path:
    import llama_index.core

    return Path(llama_index.core.__file__).parent / "_static" / "tiktoken_cache"


@functools.lru_cache(maxsize=None)
def encoding(name: str = ENCODING):
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(_static_cache()))
    import tiktoken

    return tiktoken.get_encoding(name)


def count(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))
