"""The `citebot` console script. A Ctrl-C while the command line's modules are still importing
(click, pydantic: the first few hundred milliseconds) ends the way one during a command does
(one line, exit status 130) instead of with an import traceback."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from bot.cli import main as cli_main
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)  # prompts/interrupted_anywhere.txt, written out: nothing more is imported
        sys.exit(130)
    cli_main()
