"""The terminal, when there is one: lines wrapped at word boundaries to its width, long output through a
pager, a progress spinner for long work — and none of it in a pipe, a file or cron, where output stays
exactly as it was (one record per line, nothing added).

Imported only at a terminal (`actions.out` checks `isatty` first) or by the commands that page.
"""

import os
import sys
from contextlib import contextmanager

DEFAULT_PAGER = "less -FRX"  # quit if one screen, keep colours, leave the text on the screen
PAGED_COMMANDS = ("report", "log", "show", "side-effects", "import", "supply", "list", "demo")


def wants_pager(command: str | None, args: list[str]) -> bool:
    """Whether a command's output goes through the pager (at a terminal): a paged command, without
    --no-pager, --json or help. Both doors ask this."""
    return command in PAGED_COMMANDS and not ({"--no-pager", "--json", "--help", "-h"} & set(args))


def is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def columns(stream) -> int | None:
    """The width to wrap to: None when `stream` is not a terminal. COLUMNS wins (as for Rich and Click)."""
    if not is_terminal(stream):
        return None
    value = os.environ.get("COLUMNS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 80


def fit(line: str, width: int | None) -> str:
    """A line wrapped at word boundaries to `width` (continuation lines indented under its text); a word
    longer than the width is left whole rather than cut."""
    if width is None or len(line) <= width or width < 20:
        return line
    import textwrap

    indent = line[: len(line) - len(line.lstrip(" "))]
    return textwrap.fill(line, width, initial_indent="", subsequent_indent=indent + "  ", break_long_words=False,
                         break_on_hyphens=False, drop_whitespace=True)


def fit_prompt(question: str, stream) -> str:
    """A question ending in '[y/N] ', wrapped so the answer still goes after it on its last line."""
    return fit(question.rstrip(), columns(stream)) + " "


# -- the pager -------------------------------------------------------------------------------------------

def pager_command() -> str | None:
    """PAGER, else less -FRX (if less is here); None: PAGER is empty or 'cat' (no pager)."""
    value = os.environ.get("PAGER")
    if value is not None:
        return value.strip() if value.strip() not in ("", "cat") else None
    import shutil

    return DEFAULT_PAGER if shutil.which("less") else None


class _Capture:
    """Stands in for stdout while a command runs: keeps the text, and still reports the terminal (so Rich
    draws for it, at its width)."""

    def __init__(self, real):
        self.real = real
        self.parts: list[str] = []
        self.encoding = getattr(real, "encoding", "utf-8")

    def write(self, text: str | bytes) -> int:
        # Click writes help through a binary stream when it finds one; keep it as text
        self.parts.append(text.decode(self.encoding or "utf-8", "replace") if isinstance(text, bytes) else text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.real.fileno()

    def reconfigure(self, **kwargs) -> None:
        pass


@contextmanager
def paged(enabled: bool = True):
    """Run the body with stdout kept; at the end, text taller than the terminal goes to the pager, the
    rest is written as it is. Only at a terminal; on an error the text so far is written plainly first."""
    real = sys.stdout
    command = pager_command() if enabled and is_terminal(real) else None
    if command is None:
        yield
        return
    capture = _Capture(real)
    sys.stdout = capture
    try:
        yield
    except BaseException:
        sys.stdout = real
        real.write("".join(capture.parts))
        raise
    finally:
        sys.stdout = real
    text = "".join(capture.parts)
    if not text:  # nothing printed (a report written to a file): no pager to start
        return
    try:
        height = os.get_terminal_size(real.fileno()).lines
    except (OSError, ValueError):
        height = 24
    if text.count("\n") < height - 1:
        real.write(text)
        return
    import subprocess

    real.flush()
    try:
        done = subprocess.run(command, shell=True, input=text, text=True, check=False)
        if done.returncode == 127:  # the shell found no such pager: the text, plainly
            real.write(text)
    except OSError:
        real.write(text)


# -- progress ------------------------------------------------------------------------------------------

@contextmanager
def progress(message: str):
    """A spinner with `message` on stderr while long work runs, at a terminal only (never in a pipe or
    cron); it disappears when the work is done."""
    if not is_terminal(sys.stderr):
        yield
        return
    from rich.console import Console

    with Console(file=sys.stderr, highlight=False).status(message, spinner="line"):
        yield
