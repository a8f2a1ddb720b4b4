"""The domain's exceptions and the exit codes they map to (turned into CLI output in one place)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    REFUSED = 1  # the guard said no, a skip or undo had nothing to act on, or the diary was busy; nothing written
    USAGE = 2  # bad input or a file that is not a diary; nothing written


class MeddiaryError(Exception):
    exit_code = ExitCode.USAGE


class UsageError(MeddiaryError):
    """Input we cannot accept: the message names the problem and the accepted forms."""


class NotADiary(MeddiaryError):
    """The file at the diary path is not a meddiary diary (or is damaged)."""


class Refused(MeddiaryError):
    """A take or skip the overuse guard (or the record itself) does not allow."""

    exit_code = ExitCode.REFUSED


_cleanups: list = []


def on_failure(cleanup) -> None:
    """Run `cleanup` if this run ends in one of meddiary's own errors (bad input, a refusal)."""
    _cleanups.append(cleanup)


def begin_run() -> None:
    """A new run (one per process, several in one test process): earlier runs' cleanups no longer apply."""
    _cleanups.clear()


def fail(message: str, code: int) -> None:
    """One line on stderr, then exit with `code`."""
    import sys

    line = f"meddiary: {' '.join(message.split())}"
    if sys.stderr.isatty():  # at a terminal, wrapped at word boundaries; in a pipe or a log, one line
        from meddiary import screen

        line = screen.fit(line, screen.columns(sys.stderr))
    sys.stderr.write(line + "\n")
    sys.exit(int(code))


def fail_for(err: BaseException) -> None:
    """The one mapping of what escapes a command to a line and an exit code (both entry doors use it):
    meddiary's own errors, SQLite's (busy, or a damaged diary), an interrupt, a closed pipe. Anything else
    is a bug and is raised as it is."""
    import os
    import sys

    if isinstance(err, SystemExit):
        raise err
    if isinstance(err, MeddiaryError):
        while _cleanups:
            _cleanups.pop()()
        fail(str(err), err.exit_code)
    if isinstance(err, BrokenPipeError):
        os._exit(0)  # the reader went away (`meddiary log | head`): nothing to say, and no one to say it to
    if isinstance(err, KeyboardInterrupt):
        fail("interrupted; nothing recorded", ExitCode.REFUSED)
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is not None and isinstance(err, sqlite3.Error):
        if isinstance(err, sqlite3.OperationalError) and ("locked" in str(err) or "busy" in str(err)):
            fail("the diary is busy (another program is writing to it); nothing recorded — try again", ExitCode.REFUSED)
        from meddiary.store import damaged

        fail(str(damaged(err)), ExitCode.USAGE)
    raise err
