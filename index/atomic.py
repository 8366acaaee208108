"""Publishing a directory that readers may be looking at, without them ever seeing half of it;
and finding out first whether a directory can be written at all."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def write_problem(directory: Path) -> OSError | None:
    """Why files cannot be written in `directory` (made if missing), or None when they can: a
    4 KB probe file written, synced to disk and removed (a full disk fails the sync)."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / f".write-test-{os.getpid()}"
        with open(probe, "wb") as fh:
            fh.write(b"x" * 4096)
            fh.flush()
            os.fsync(fh.fileno())
        probe.unlink()
    except OSError as exc:
        return exc
    return None


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
