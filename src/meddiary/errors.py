"""The domain's exceptions and the exit codes they map to (turned into CLI output in one place)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    REFUSED = 1  # the guard said no, a skip or undo had nothing to act on, the diary was busy, or the disk
    # was full or read-only (not bad input: the same command may work later); nothing written
    USAGE = 2  # bad input or a file that is not a diary; nothing written
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it); nothing half-recorded is kept


class MeddiaryError(Exception):
    exit_code = ExitCode.USAGE


class UsageError(MeddiaryError):
    """Input we cannot accept: the message names the problem and the accepted forms."""


class NotADiary(MeddiaryError):
    """The file at the diary path is not a meddiary diary (or is damaged)."""


class WriteFailed(MeddiaryError):
    """The disk said no (full, read-only, an I/O error): not bad input; nothing was recorded or written."""

    exit_code = ExitCode.REFUSED


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
    """One line on stderr (when there is a stderr), then exit with `code`."""
    import sys

    try:
        line = f"meddiary: {visible(' '.join(message.split()))}"
        if sys.stderr.isatty():  # at a terminal, wrapped at word boundaries; in a pipe or a log, one line
            from meddiary import screen

            line = screen.fit(line, screen.columns(sys.stderr))
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (AttributeError, OSError):  # stderr closed (`2>&-`): the exit code still says it
        pass
    sys.exit(int(code))


def disk_fault(err: BaseException) -> str | None:
    """What went wrong when SQLite could not read or write a sound diary — a full disk (or `ulimit -f`), a
    read-only file or folder, an I/O error — as a few words; None for anything else (a damaged file, say).
    These are not bad input and not a damaged diary, and the person can do something about them."""
    name = getattr(err, "sqlite_errorname", "") or ""
    text = str(err).lower()
    if name == "SQLITE_FULL" or "disk is full" in text:
        return "the disk is full"
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return "the diary or its folder is read-only"
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return "the disk reported an error (full, over a file size limit, or failing)"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database file" in text:
        # the diary is there (Store checks first): what SQLite could not make is its -wal or -shm file
        return "SQLite could not open the files it keeps beside the diary (the disk is full, or the folder read-only)"
    return None


def fault_message(why: str) -> str:
    return f"the diary could not be written: {why}; nothing recorded — free some space (or make it writable) and try again"


def out_of_room(err: OSError) -> bool:
    """Whether a write failed for the disk's sake (full, over a quota or a file size limit, failing), not
    for a bad name or a folder one may not write in: the same command may work once there is room."""
    import errno

    return err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)


def not_written(err: OSError) -> None:
    """What meddiary printed could not be written: a reader gone away (reader_gone), or a full or failing
    disk under stdout (`> /dev/full`, a quota): one line on stderr, exit 1 at once (a flush at exit would
    fail again). Whatever was recorded is committed already. Any other error is raised as it is."""
    import os
    import sys

    if isinstance(err, BrokenPipeError):
        reader_gone()
    if not out_of_room(err):
        raise err
    try:
        sys.stderr.write(f"meddiary: could not write the output: {err.strerror}; anything recorded is kept "
                         "('meddiary log' shows it)\n")
        sys.stderr.flush()
    except (AttributeError, OSError):  # stderr on the same full disk: the exit code still says it
        pass
    os._exit(int(ExitCode.REFUSED))


def reader_gone() -> None:
    """The reader of stdout went away (`meddiary log | head`): nothing to say, and no one to say it to.
    Whatever was recorded is committed already; exit 0 at once (a flush at exit would raise again)."""
    import os

    os._exit(0)


def fail_for(err: BaseException) -> None:
    """The one mapping of what escapes a command to a line and an exit code (both entry doors use it):
    meddiary's own errors, SQLite's (busy, or a damaged diary), an interrupt, a closed pipe or a full disk
    under stdout. Anything else is a bug and is raised as it is."""
    import sys

    if isinstance(err, SystemExit):
        raise err
    if isinstance(err, MeddiaryError):
        while _cleanups:
            _cleanups.pop()()
        fail(str(err), err.exit_code)
    if isinstance(err, OSError):
        not_written(err)  # printing failed on a closed pipe or a full disk (any other error is raised again)
    if isinstance(err, KeyboardInterrupt):
        # SQLite keeps a write whole or not at all; an interrupt after a commit (while printing) leaves it
        fail("interrupted; nothing half-recorded is kept ('meddiary log' shows what was recorded)",
             ExitCode.INTERRUPTED)
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is not None and isinstance(err, sqlite3.Error):
        if isinstance(err, sqlite3.OperationalError) and ("locked" in str(err) or "busy" in str(err)):
            fail("the diary is busy (another program is writing to it); nothing recorded — try again", ExitCode.REFUSED)
        why = disk_fault(err)
        if why is not None:
            fail(fault_message(why), ExitCode.REFUSED)
        from meddiary.store import damaged

        fail(str(damaged(err)), ExitCode.USAGE)
    raise err


# -- text from people ---------------------------------------------------------------------------------
# Here, not in a module of its own, because every command and both entry doors import this module already:
# the hot path (`take`, `today`) pays no further import for it.

# What a terminal obeys or reorders rather than shows: C0 controls (ESC starts CSI/OSC sequences that clear
# the screen or retitle the window), DEL, C1 controls (0x9b is a one-byte CSI), and the invisible
# formatting characters that reorder or hide text (bidi embeddings, overrides and isolates; zero-width
# characters; the line and paragraph separators); and lone surrogates, which are not text at all (a byte
# the system could not read as UTF-8 in an argument, an escape like "\ud800" in a JSON file): no diary,
# terminal or file in UTF-8 can hold one. (Those are added to _SHOWN with the pattern, on the first text
# that is not ASCII: 2,048 escapes made at every start would cost each command a millisecond.)
_HIDDEN = (set(range(0x00, 0x20)) | {0x7F} | set(range(0x80, 0xA0)) | {0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F}
           | set(range(0x2028, 0x202F)) | set(range(0x2060, 0x2070)) | {0xFEFF})
_SURROGATES = range(0xD800, 0xE000)
_SHOWN = {c: f"\\u{c:04x}" for c in _HIDDEN - {0x09, 0x0A}}  # tabs and line ends stay: they move, not hide
_ASCII_PLAIN = bytes(c for c in range(0x80) if c not in _SHOWN)  # what bytes.translate deletes in `visible`
_pattern = None


def _shown_pattern():
    """The same characters as one pattern, made on first use (the hot path never needs `re`): a search runs
    in C, where a loop over each character (or translate) costs a microsecond per short text, and import
    and check look at every text of a diary (400,000 of them in ten years)."""
    global _pattern
    if _pattern is None:
        import re

        _SHOWN.update({c: f"\\u{c:04x}" for c in _SURROGATES})  # only non-ASCII text can hold one

        runs: list[list[int]] = []  # consecutive characters as one range of the class
        for c in sorted(_SHOWN):
            if runs and runs[-1][1] == c - 1:
                runs[-1][1] = c
            else:
                runs.append([c, c])
        _pattern = re.compile("[" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
                                            for a, b in runs) + "]")
    return _pattern


LINE_MAX = 200  # a name's worth: a reason, what a medication is for, a symptom, a crisis line
TEXT_MAX = 2000  # a note, a question, an answer


def visible(text: str) -> str:
    """`text` safe to print: every character that a terminal would obey (or that would reorder or hide the
    text around it) shown as its \\uXXXX escape instead. Also valid inside JSON strings (it reads back the
    same). Tabs and line ends are kept."""
    if text.isascii():
        # Here only C0 controls and DEL can be shown: deleting every other character leaves nothing when there
        # is none, all in C, and copies a whole export only once (over a whole export, isprintable would stop
        # only at its last line end, which is not shown anyway).
        if not text.encode("ascii").translate(None, _ASCII_PLAIN):
            return text
    elif _shown_pattern().search(text) is None:
        return text
    return text.translate(_SHOWN)


def hidden_character(text: str) -> str | None:
    """The first character of `text` that `visible` would have to escape (tabs and line ends aside), as its
    escape; None when there is none."""
    if text.isascii() and not text.encode("ascii").translate(None, _ASCII_PLAIN):
        return None  # as in `visible`: quicker than the search over ASCII text (import and check's columns)
    found = _shown_pattern().search(text)
    return None if found is None else _SHOWN[ord(found.group())]


def check_text(value: str, what: str, limit: int = LINE_MAX, one_line: bool = True) -> str:
    """Text a person typed (or an import brings) for a field: spacing tidied (a one-line field's whitespace
    runs become one space), not empty, at most `limit` characters, and no control or invisible formatting
    character. The one rule set for every text field, recorded by a command or imported."""
    tidy = " ".join(value.split()) if one_line else value.strip()
    if not tidy:
        raise UsageError(f"{what} is empty: give some text, or leave it out")
    bad = hidden_character(tidy)
    if bad is not None:
        raise UsageError(f"{what} contains a control or invisible formatting character ({bad}): "
                         "use plain text (letters, digits, punctuation, spaces)")
    if len(tidy) > limit:
        raise UsageError(f"{what} is too long: at most {limit} characters")
    return tidy
