"""The `citebot` console script. A Ctrl-C while the command line's modules are still importing
(click, pydantic: the first few hundred milliseconds) ends the way one during a command does
(click's "Aborted!", exit status 1) instead of with an import traceback."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from bot.cli import main as cli_main
    except KeyboardInterrupt:
        print("\nAborted!", file=sys.stderr)
        sys.exit(1)
    cli_main()
