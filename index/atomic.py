"""Publishing a directory that readers may be looking at, without them ever seeing half of it."""

from __future__ import annotations

import shutil
from pathlib import Path


def swap_in(tmp: Path, target: Path, old: Path) -> None:
    """Put the fully written directory `tmp` at `target`: the previous copy is moved to `old`
    and deleted. If another process put its copy there first, that one is kept."""
    if target.exists():
        target.rename(old)
    try:
        tmp.rename(target)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
