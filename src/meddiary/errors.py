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
