"""The report for the terminal, with Rich: plain text for files and tests, colours on a terminal.

Rich is imported only here, and reporting.py imports this module only when the terminal format is asked for.
User text (names, reasons, notes) always goes in as `Text`, never as a string, so Rich reads no markup in it.
"""

import textwrap
from datetime import date
from io import StringIO

from rich import box
from rich.columns import Columns
from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from meddiary.render import common as c
from meddiary.report import Report

DEFAULT_WIDTH = 100
NUMBER_HEADING = 10  # characters a line


def render_text(rep: Report, width: int | None = None) -> str:
    """The report as plain text (no ANSI codes), `width` columns wide."""
    out = StringIO()
    Console(file=out, width=width or DEFAULT_WIDTH, color_system=None, highlight=False).print(report(rep))
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


def print_report(rep: Report) -> None:
    """The report on stdout: in colour on a terminal, plain when piped or when NO_COLOR is set (Rich checks both)."""
    Console(highlight=False).print(report(rep))


def report(rep: Report) -> Group:
    return Group(
        header(rep), regimen(rep), adherence(rep), calendar(rep), changes(rep), skips(rep), as_needed(rep),
        holidays(rep),
        # Later parts of the model (rep.sections: mood, side effects, …) each get a section function here.
        about(),
    )


def section(key: str, *body: RenderableType) -> Group:
    return Group(Text(), Rule(Text(c.SECTION_TITLES[key], style="bold"), align="left"), *body)


def empty(key: str) -> Group:
    return section(key, Text(c.EMPTY[key], style="italic"))


def table(headers, rows, numeric_from: int | None = None, footer=None) -> Table:
    """A table of plain cells, with an optional footer row (a total); columns from `numeric_from` on are
    numbers, aligned right, under headings wrapped narrow so the text columns get the room. A first column of
    short names is kept whole; nothing is cut short: a word too long for its column is folded."""
    t = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, collapse_padding=True, header_style="bold",
              show_footer=footer is not None)
    first = [headers[0], *(row[0] for row in rows), *(footer or [])[:1]]
    for i, h in enumerate(headers):
        numeric = numeric_from is not None and i >= numeric_from
        heading = textwrap.fill(h, NUMBER_HEADING, break_long_words=False) if numeric else h
        t.add_column(Text(heading), Text(footer[i]) if footer else None, justify="right" if numeric else "left",
                     no_wrap=i == 0 and max(map(len, first)) <= c.SHORT, overflow="fold")
    for row in rows:
        t.add_row(*(Text(cell) for cell in row))
    return t


def header(rep: Report) -> Group:
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    for label, value in c.header_lines(rep):
        facts.add_row(Text(label), Text(value))
    return Group(Text(c.TITLE, style="bold"), facts)


def regimen(rep: Report) -> Group:
    if not rep.medications:
        return empty("regimen")
    return section("regimen", table(c.REGIMEN_HEADERS, [c.regimen_cells(rep, m) for m in rep.medications]))


def adherence(rep: Report) -> Group:
    """Counts and rates in two tables: all thirteen columns side by side do not fit a terminal."""
    body: list[RenderableType] = []
    if meds := c.scheduled(rep):
        for headers, cells in ((c.COUNT_HEADERS, c.count_cells), (c.RATE_HEADERS, c.rate_cells)):
            body.append(table(("Medication", *headers), [[m.name, *cells(m.stats)] for m in meds], numeric_from=1,
                              footer=[c.OVERALL_NAME, *cells(rep.overall)]))
    else:
        body.append(Text(c.EMPTY["adherence"], style="italic"))
    if meds := c.as_needed(rep):
        body.append(table(c.AS_NEEDED_HEADERS, [c.as_needed_cells(m) for m in meds], numeric_from=1))
    return section("adherence", *spaced(body))


def spaced(parts: list[RenderableType]) -> list[RenderableType]:
    """A blank line between tables that follow one another."""
    return [x for part in parts for x in (Text(), part)][1:]


def calendar(rep: Report) -> Group:
    if not rep.medications:
        return empty("calendar")
    blocks = c.calendar_blocks(rep.period.days)
    tables = [calendar_block(rep, days, titled=len(blocks) > 1) for days in blocks]
    return section("calendar", *spaced([*tables, legend()]))


def calendar_block(rep: Report, days: list[date], titled: bool) -> Table:
    """One column per week (cut at the block's edges), headed by its first day and the weekdays' initials;
    `titled`: a block of a long period is one calendar month, named above it."""
    t = Table(title=Text(c.month_text(days[0]), style="bold") if titled else None, title_justify="left",
              box=None, padding=(0, 2, 0, 0), pad_edge=False, header_style="bold")
    t.add_column()  # names wrap before the days do
    weeks = week_labels(days)
    for label, week in weeks:
        initials = " ".join(c.WEEKDAY_INITIAL[d.weekday()] for d in week)
        t.add_column(Text(f"{label}\n{initials}"), no_wrap=True)
    for m in rep.medications:
        states = c.states_by_day(m)
        t.add_row(Text(m.name), *(day_cells([states[d] for d in week]) for _, week in weeks))
    return t


def week_labels(days: list[date]) -> list[tuple[str, list[date]]]:
    """The days split before each Monday, each run labelled by its first day; the month is named on the first
    run wide enough for it (2 characters a day) and again when it changes."""
    out: list[tuple[str, list[date]]] = []
    weeks: list[list[date]] = []
    for d in days:
        if not weeks or d.weekday() == 0:
            weeks.append([])
        weeks[-1].append(d)
    named = None
    for week in weeks:
        first = week[0]
        label = f"{first.day} {c.MONTHS[first.month - 1]}"
        if first.month != named and len(label) < 2 * len(week):
            named = first.month
        else:
            label = str(first.day)
        out.append((label, week))
    return out


def day_cells(states: list[str]) -> Text:
    cells = Text()
    for i, state in enumerate(states):
        if i:
            cells.append(" ")
        cells.append(c.STATE_SYMBOL[state], style=c.STATE_COLOUR[state])
    return cells


def legend() -> Columns:
    return Columns([Text.assemble((c.LEGEND_SYMBOL[state], c.STATE_COLOUR[state]), f" {label}")
                    for state, label in c.STATE_LABEL.items()], padding=(0, 3))


def changes(rep: Report) -> Group:
    if not rep.changes:
        return empty("changes")
    return section("changes", table(c.CHANGE_HEADERS, [c.change_cells(x) for x in rep.changes]))


def skips(rep: Report) -> Group:
    if not rep.overall.skip_reasons:
        return empty("skips")
    headers, rows = c.skip_table(rep)
    return section("skips", table(headers, rows, numeric_from=1))


def as_needed(rep: Report) -> Group:
    meds = c.as_needed(rep)
    if not meds:
        return empty("as_needed")
    tz = c.zone(rep)
    body = []
    for m in meds:
        body.append(Text.assemble((m.name, "bold"), f" {c.regimen_text(m.current)}: {c.as_needed_summary(m)}"))
        if lines := c.over_limit_lines(m, tz):
            body.append(Text("Over the limit:"))
            body.extend(Text(f"  - {line}") for line in lines)
    return section("as_needed", *body)


def holidays(rep: Report) -> Group:
    rows = c.holiday_rows(rep)
    if not rows:
        return empty("holidays")
    return section("holidays", table(c.HOLIDAY_HEADERS, rows, numeric_from=3))


def about() -> Group:
    return section("about", Text(c.ABOUT))
