"""The console script's entry point.

`meddiary due` runs from cron 288 times a day; with nothing to say it must not pay for importing Typer.
The reminders module owns that fast path (see `meddiary.remind`); everything else goes to `meddiary.cli`.
"""

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    from meddiary.cli import main as cli_main

    cli_main(args)
