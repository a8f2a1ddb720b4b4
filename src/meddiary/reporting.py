"""Between the CLI and the report: the period from the options, loading the rows, writing the output."""

import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from meddiary import diary, report, timeparse
from meddiary.render import FORMATS, format_name  # noqa: F401 - the report's formats
from meddiary.diaryfiles import refuse_diary_files  # noqa: F401 - reporting's before
from meddiary.outputs import check_output, write_atomic, write_failed, write_files  # noqa: F401 - reporting's before
from meddiary.errors import UsageError


class SinceLastVisit:
    """`--since last-visit` before the diary is at hand: `load` resolves it to a Period from the day of the
    last visit recorded (so the report command needs no store to parse its options)."""

    def __init__(self, window: str, today: date, tz: ZoneInfo):
        self.window, self.today, self.tz = window, today, tz

    def resolve(self, store) -> report.Period:
        first = timeparse.parse_since("last-visit", self.today, last_visit_day(store, self.today, self.tz))
        return period_from_options(first.isoformat(), None, None, self.window, self.today, self.tz)


def last_visit_day(store, today: date, tz: ZoneInfo) -> date | None:
    """The local day of the latest visit on or before today (None: no visit recorded)."""
    visit = store.latest_of("visit", timeparse.day_end_utc(today, tz))
    return visit.at.astimezone(tz).date() if visit else None


def load_period(store, since: str | None, from_: str | None, to: str | None, window: str, today: date,
                tz: ZoneInfo) -> report.Period:
    """The period from the report's options, `--since last-visit` looked up in the diary."""
    period = period_from_options(since, from_, to, window, today, tz)
    return period.resolve(store) if isinstance(period, SinceLastVisit) else period


def period_from_options(since: str | None, from_: str | None, to: str | None, window: str, today: date,
                        tz: ZoneInfo, last_visit: date | None = None) -> "report.Period | SinceLastVisit":
    """The period from --since or --from/--to. `--since last-visit` without `last_visit` gives a
    SinceLastVisit that `load` (or `load_period`) resolves with the diary."""
    on_time = timeparse.parse_duration(window, units="mh", what="--window")
    if on_time.total_seconds() > 12 * 3600:
        raise UsageError(f"bad --window {window!r}: use at most 12h, e.g. 1h, 90m, 2h")
    if since is not None and (from_ is not None or to is not None):
        raise UsageError("give either --since (e.g. 30d) or --from DATE --to DATE, not both")
    if from_ is not None or to is not None:
        if from_ is None or to is None:
            raise UsageError("--from and --to go together: --from 2026-10-01 --to 2026-10-31")
        first, last = timeparse.parse_date(from_, today), timeparse.parse_date(to, today)
        if last < first:
            raise UsageError(f"--to {to} is before --from {from_}: give the earlier day first")
    else:
        if since is not None and since.strip().lower() == "last-visit" and last_visit is None:
            return SinceLastVisit(window, today, tz)
        first, last = timeparse.parse_since("30d" if since is None else since, today, last_visit), today
    return report.make_period(first, last, tz, on_time)


def load(store, period: "report.Period | SinceLastVisit", med_name: str | None, now: datetime,
         tz: ZoneInfo, keep_days: bool = True) -> report.Report:
    """The report's rows in a few queries whatever the period's length: takes and skips, then mood,
    questionnaires, visits and side effects (14 days more each way, for "around each change"), the logs of the
    side-effect episodes still open at either end of those days (an episode may have begun long before) and
    the questions still open at the period's end (store.side_effects_reaching, store.open_questions: index
    walks, not every side effect, question and answer), then supply: the counts and refills with grouped take
    counts per medication (loaders.load_supplies, as `supply` and `due` read them) and the refills from the
    period on, with the supply the years of refills before carry into it when PDC is measured
    (loaders.load_refills: PDC counts earlier fills' days inside the period).

    A long period reads back the days the diary keeps counted (meddiary.dayresults) and loads takes and skips
    only around the days still to count, then keeps those that are closed (`keep_days=False`: count every
    day, keep none)."""
    from meddiary import dayresults

    if isinstance(period, SinceLastVisit):
        period = period.resolve(store)
    period = report.clamp(period, diary_first_day(store, tz), tz)
    version = store.data_version()  # before reading what days are counted from (dayresults.keep compares it)
    meds = store.medications()
    if med_name:
        meds = [diary.find(meds, med_name)]
    med_ids = [m.id for m in meds] if med_name else None
    kept = dayresults.read(store, meds, period, now, tz, version) if keep_days and dayresults.wanted(period) \
        else None
    margin = report.load_margin(meds)  # a `--for`, an injection's window, an as-needed interval reach further
    entries = []
    for start, end in _spans([(timeparse.day_start_utc(a, tz) - margin, timeparse.day_end_utc(b, tz) + margin)
                              for a, b in dayresults.to_count(meds, period, kept)]):
        entries += store.entries_between(start, end, med_ids)
    around = (period.start - report.HEALTH_MARGIN, period.end + report.HEALTH_MARGIN)
    health = store.entries_between(*around, None, ("mood", "check", "visit", "measurement", "side_effect"))
    health += store.side_effects_reaching(*around) + store.open_questions(period.end)
    from meddiary import loaders

    supplies, _ = loaders.load_supplies(store, meds, now, tz)
    refills = loaders.load_refills(store, meds, supplies, period, tz)
    rep = report.build(meds, entries, period, now, tz, health, meds[0].id if med_name else None, supplies, refills,
                       kept.days if kept else None, _level_takes(store, health, meds, period, margin, kept))
    if kept is not None:
        dayresults.keep(store, kept, period, now, tz, {m.medication.id: m.stats.results for m in rep.medications},
                        meds)
    return rep


def _spans(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Time spans in order, those that overlap or touch joined (so no entry is loaded twice)."""
    out: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _level_takes(store, health, meds, period, margin, kept) -> list:
    """With kept days, the takes are loaded only around the days still to count: for each drug level in the
    period of one of the report's medications, the last take of its medication before it (and after the
    period's start less `margin`, as far as the takes a whole count loads reach), for the report's "time since
    the last dose"."""
    if kept is None:
        return []
    from meddiary import measures

    ids = {m.id for m in meds}
    out = []
    for e in health:
        if e.kind == "measurement" and e.data and period.start <= e.at < period.end:
            med_id = measures.level_medication(e, meds)
            if med_id in ids:  # another's level (`--med`): a whole count has none of its takes either
                last = store.latest_between("take", med_id, period.start - margin, e.at + timedelta(microseconds=1))
                out += [last] if last else []
    return out


def diary_first_day(store, tz: ZoneInfo) -> date | None:
    """The local day of the diary's first regimen or entry (None: nothing recorded)."""
    first_start, first_at = store.first_recorded()
    days = [date.fromisoformat(first_start)] if first_start else []
    if first_at:
        days.append(datetime.fromisoformat(first_at).astimezone(tz).date())
    return min(days) if days else None


def render(rep: report.Report, fmt: str, width: int | None = None) -> str:
    """The report as text in `fmt`, anyone's text in it made visible (errors.visible: it may be printed or
    `cat` later; in JSON the escapes read back as the same text)."""
    return visible_text(_render(rep, fmt, width))


def visible_text(text: str) -> str:
    """errors.visible(text). Every character `visible` shows as an escape is a control, format or separator
    character or a surrogate, none of them printable: a text printable throughout (a JSON report written compact,
    without line ends) holds none, and str.isprintable tells so about three times faster than visible's search
    over a long report (tests/test_render.py checks that none of them is printable)."""
    if text.isprintable():
        return text
    from meddiary.errors import visible

    return visible(text)


def _render(rep: report.Report, fmt: str, width: int | None = None) -> str:
    if fmt == "json":
        from meddiary.render import json

        return json.render(rep)
    if fmt == "markdown":
        from meddiary.render import markdown

        return markdown.render(rep)
    if fmt == "html":
        from meddiary.render import html

        return html.render(rep)
    from meddiary.render import terminal

    return terminal.render_text(rep, width=width)


def emit(rep: report.Report, fmt: str, output: str | None, diary: Path | None) -> None:
    if output is None:
        from meddiary.errors import reader_gone

        try:
            if fmt == "terminal":
                from meddiary.render import terminal

                terminal.print_report(rep)
            else:
                sys.stdout.write(render(rep, fmt) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # `report | head`: here, not later, where Typer would make it exit 1
            reader_gone()
        return
    write_atomic(Path(output).expanduser(), render(rep, fmt, width=100) + "\n", diary=diary)
    from meddiary.errors import visible

    sys.stderr.write(visible(f"wrote {output}") + "\n")  # a file name can hold an escape sequence too
