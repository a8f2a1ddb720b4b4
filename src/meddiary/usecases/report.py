"""The appointment report (`meddiary report`): the period from the options, the rows through the store, the
report model, and its rendering to the screen or a file."""

from meddiary.actions import Env, Result
from meddiary.errors import UsageError


def report(e: Env, since: str | None, from_: str | None, to: str | None, med: str | None, window: str,
           fmt: str, output: str | None) -> Result:
    """The report for the period the options give, and how to write it (`output`: a file, else stdout)."""
    from meddiary import reporting, screen
    from meddiary.collector import paused as collector_paused

    if med is not None and not med.strip():
        raise UsageError("--med is empty: give a medication's name or alias, or leave --med out for all of them")
    fmt = reporting.format_name(fmt)
    period = reporting.period_from_options(since, from_, to, window, e.today, e.tz)
    if output is not None:
        from pathlib import Path

        if not output.strip():
            raise UsageError("--output is empty: give a file, e.g. --output report.html, or leave it out to print")
        reporting.check_output(Path(output).expanduser(), diary=e.path())  # before the work, not after it
    with collector_paused(), screen.progress("reading the diary for the report…"):  # (meddiary.collector says why)
        rep = reporting.load(e.store(), period, med, e.now, e.tz)
    diary = e.path()

    def deliver() -> None:
        with collector_paused():  # rendering makes as many small objects as loading
            reporting.emit(rep, fmt, output, diary)

    return Result([], None, deliver=deliver)
