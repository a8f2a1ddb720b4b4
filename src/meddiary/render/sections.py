"""The report's sections, written once for every format: what each shows, in which order, and what it says
when its part of the model is empty. A format takes part through a `Writer`, a few primitives that turn plain
text into its pieces of output (a Rich renderable, Markdown or HTML text) and escape user text on the way."""

from collections.abc import Sequence
from typing import Protocol, TypeVar

from meddiary.render import common as c
from meddiary.report import Report

P = TypeVar("P")  # one format's piece of output


class Writer(Protocol[P]):
    def header(self, title: str, facts: list[tuple[str, str]]) -> P:
        """The report's title over (label, value) facts."""

    def section(self, key: str, *parts: P) -> P:
        """The parts under the heading `common.SECTION_TITLES[key]`."""

    def empty(self, message: str) -> P:
        """A line saying that there is nothing to show (italic)."""

    def table(self, headers: Sequence[str], rows: list[list[str]], numeric_from: int | None = None,
              footer: list[str] | None = None, wide: bool = False) -> P:
        """Columns from `numeric_from` on hold numbers; `footer` is a total; `wide`: the columns are text that
        reads better given the whole width of a page."""

    def lead(self, name: str, text: str) -> P:
        """A paragraph that starts with a name in bold."""

    def bullets(self, label: str, lines: list[str]) -> P:
        """A list of lines under a label."""

    def fine_print(self, text: str) -> P:
        """A paragraph that may be set smaller than the rest."""

    def calendar(self, rep: Report) -> list[P]:
        """The calendar's blocks and legend: each format lays out the days its own way."""

    def chart(self, title: str | None, lines: list[str]) -> P:
        """Lines of characters that line up in columns (a monospaced block), under an optional title."""

    def overview(self, rep: Report) -> list[P]:
        """The first page's chart: mood, sleep, doses and events on one time axis (HTML: a drawing; the text
        formats: the mood chart's lines)."""


def first_page(w: Writer[P], rep: Report) -> list[P]:
    """What the first page holds: the header, item 9 when it is there, and the summary."""
    flag = [item9(w, rep)] if c.health(rep).item9 else []
    return [w.header(c.TITLE, c.header_lines(rep)), *flag, summary(w, rep)]


def report(w: Writer[P], rep: Report) -> list[P]:
    """The header, then every section in the order the report reads."""
    flag = [item9(w, rep)] if c.health(rep).item9 else []  # at the top, whenever it is there
    return [
        w.header(c.TITLE, c.header_lines(rep)), *flag, summary(w, rep), regimen(w, rep), adherence(w, rep),
        calendar(w, rep),
        changes(w, rep), skips(w, rep), as_needed(w, rep), holidays(w, rep), supply(w, rep),
        mood(w, rep), questionnaires(w, rep), measurements(w, rep), side_effects(w, rep), around(w, rep), questions(w, rep),
        # Later parts of the model (rep.sections) each get a section function here.
        about(w),
    ]


def text_overview(w: Writer[P], rep: Report) -> list[P]:
    """The text formats' first-page chart: the mood chart's lines (a calendar month per block)."""
    if not c.health(rep).days:
        return []
    blocks = c.calendar_blocks(rep.period.days)
    rows = c.mood_chart_rows(rep)
    return [w.chart(c.month_text(days[0]) if len(blocks) > 1 else None, c.mood_chart(rep, days, rows))
            for days in blocks]


def empty_section(w: Writer[P], key: str) -> P:
    return w.section(key, w.empty(c.EMPTY[key]))


def summary(w: Writer[P], rep: Report) -> P:
    """The first page: what to look at first, the chart, the key numbers per medication (current, then
    stopped), and the planned steps. Everything after it is detail."""
    parts = [w.bullets(c.SUMMARY_ALERTS, c.summary_alerts(rep)) if rep.summary.alerts
             else w.empty(c.SUMMARY_NO_ALERTS)]
    parts += w.overview(rep)
    if not rep.medications:
        parts.append(w.empty(c.EMPTY["summary"]))
    if rows := c.key_rows(rep):
        parts.append(w.table(c.KEY_HEADERS, rows, wide=True))
    if rows := c.stopped_rows(rep):
        parts.append(w.table(c.STOPPED_HEADERS, rows, numeric_from=4, wide=True))
    if rows := c.planned_rows(rep):
        parts.append(w.table(c.PLANNED_HEADERS, rows, wide=True))
    return w.section("summary", *parts)


def regimen(w: Writer[P], rep: Report) -> P:
    """Current medications, then stopped ones apart, each with the day it was first started."""
    if not rep.medications:
        return empty_section(w, "regimen")
    parts = []
    if rows := c.regimen_current_rows(rep):
        parts.append(w.table(c.REGIMEN_CURRENT_HEADERS, rows, wide=True))
    if rows := c.regimen_stopped_rows(rep):
        parts.append(w.table(c.REGIMEN_STOPPED_HEADERS, rows, wide=True))
    return w.section("regimen", *parts)


def adherence(w: Writer[P], rep: Report) -> P:
    """Counts and rates in two tables: thirteen columns side by side fit neither a terminal nor a printed page."""
    parts = []
    if meds := c.scheduled(rep):
        for headers, cells in ((c.COUNT_HEADERS, c.count_cells), (c.RATE_HEADERS, c.rate_cells)):
            parts.append(w.table(("Medication", *headers), [[m.name, *cells(m.stats)] for m in meds],
                                 numeric_from=1, footer=[c.OVERALL_NAME, *cells(rep.overall)]))
    else:
        parts.append(w.empty(c.EMPTY["adherence"]))
    if meds := c.as_needed(rep):
        parts.append(w.table(c.AS_NEEDED_HEADERS, [c.as_needed_cells(m) for m in meds], numeric_from=1))
    if rows := c.different_rows(rep):
        parts.append(w.table(c.DIFFERENT_HEADERS, rows, wide=True))
    return w.section("adherence", *parts)


def calendar(w: Writer[P], rep: Report) -> P:
    if not rep.medications:
        return empty_section(w, "calendar")
    return w.section("calendar", *w.calendar(rep))


def changes(w: Writer[P], rep: Report) -> P:
    """The changes in the period (a taper named as such, a titration too), then the steps planned after it."""
    planned = [w.table(c.PLANNED_HEADERS, rows, wide=True)] if (rows := c.planned_rows(rep)) else []
    if not rep.changes:
        return w.section("changes", w.empty(c.EMPTY["changes"]), *planned)
    return w.section("changes", w.table(c.CHANGE_HEADERS, [c.change_cells(x) for x in rep.changes], wide=True),
                     *planned)


def skips(w: Writer[P], rep: Report) -> P:
    if not rep.overall.skip_reasons:
        return empty_section(w, "skips")
    headers, rows = c.skip_table(rep)
    return w.section("skips", w.table(headers, rows, numeric_from=1))


def as_needed(w: Writer[P], rep: Report) -> P:
    meds = c.as_needed(rep)
    if not meds:
        return empty_section(w, "as_needed")
    tz = c.zone(rep)
    parts = []
    for m in meds:
        parts.append(w.lead(m.name, f"{c.regimen_text(m.current)}: {c.as_needed_summary(m)}"))
        if lines := c.over_limit_lines(m, tz):
            parts.append(w.bullets("Over the limit:", lines))
    return w.section("as_needed", *parts)


def holidays(w: Writer[P], rep: Report) -> P:
    rows = c.holiday_rows(rep)
    if not rows:
        return empty_section(w, "holidays")
    return w.section("holidays", w.table(c.HOLIDAY_HEADERS, rows, numeric_from=3))


def supply(w: Writer[P], rep: Report) -> P:
    """What is on hand now, then PDC over the period (or why there is none) for each medication with supply."""
    if not rep.supply:
        return empty_section(w, "supply")
    return w.section("supply", w.table(c.SUPPLY_HEADERS, c.supply_rows(rep), numeric_from=1),
                     w.table(c.PDC_HEADERS, c.pdc_rows(rep), numeric_from=2), w.fine_print(c.supply_fine_print(rep)))


def item9(w: Writer[P], rep: Report) -> P:
    return w.section("item9", w.bullets(c.ITEM9_TEXT, c.item9_lines(rep)))


def mood(w: Writer[P], rep: Report) -> P:
    """A chart a person would rather look at than read (one column a day), then the weekly means."""
    if not c.health(rep).days:
        return empty_section(w, "mood")
    blocks = c.calendar_blocks(rep.period.days)
    rows = c.mood_chart_rows(rep)
    parts = [w.chart(c.month_text(days[0]) if len(blocks) > 1 else None, c.mood_chart(rep, days, rows))
             for days in blocks]
    parts.append(w.fine_print(c.CHART_LEGEND))
    parts.append(w.table(c.WEEK_HEADERS, c.week_rows(rep), numeric_from=1))
    parts.append(w.fine_print(c.WEEK_TEXT))
    return w.section("mood", *parts)


def questionnaires(w: Writer[P], rep: Report) -> P:
    if not c.health(rep).checks:
        return empty_section(w, "questionnaires")
    return w.section("questionnaires", w.table(c.CHECK_HEADERS, c.check_rows(rep), numeric_from=2),
                     w.fine_print(c.checks_fine_print(rep)))


def measurements(w: Writer[P], rep: Report) -> P:
    if not rep.measurements:
        return empty_section(w, "measurements")
    return w.section("measurements", w.table(c.MEASUREMENT_HEADERS, c.measurement_rows(rep), wide=True),
                     w.fine_print(c.MEASUREMENT_TEXT))


def side_effects(w: Writer[P], rep: Report) -> P:
    if not c.health(rep).episodes:
        return empty_section(w, "side_effects")
    return w.section("side_effects", *(w.lead(name, text) for name, text in c.side_effect_leads(rep)))


def around(w: Writer[P], rep: Report) -> P:
    if not c.health(rep).around:
        return empty_section(w, "around")
    parts = []
    for a in c.health(rep).around:
        parts.append(w.lead(*c.around_title(a)))
        headers, rows = c.around_table(rep, a)
        parts.append(w.table(headers, rows, wide=True))
        if others := c.around_others(a):
            parts.append(w.bullets("Other changes within these 28 days:", others))
    parts.append(w.fine_print(c.AROUND_TEXT))
    return w.section("around", *parts)


def questions(w: Writer[P], rep: Report) -> P:
    if not c.health(rep).open_questions:
        return empty_section(w, "questions")
    return w.section("questions", w.table(c.QUESTION_HEADERS, c.question_rows(rep), wide=True))


def about(w: Writer[P]) -> P:
    return w.section("about", w.fine_print(c.ABOUT))
