"""Every user-facing text lives here as a plain template; {placeholders} are filled with str.format."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

DIR = Path(__file__).parent


@lru_cache(maxsize=None)
def load(name: str) -> str:
    return (DIR / f"{name}.txt").read_text(encoding="utf-8").strip()


def render(name: str, **values) -> str:
    return load(name).format(**values)
