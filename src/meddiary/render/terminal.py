"""The report for the terminal, with Rich: plain text for files and tests, colours on a terminal.

Rich is imported only here, and reporting.py imports this module only when the terminal format is asked for.
User text (names, reasons, notes) always goes in as `Text`, never as a string, so Rich reads no markup in it,
and through `visible`, so no control sequence in it reaches the terminal (Rich passes ESC through).
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

from meddiary.errors import visible
from meddiary.render import common as c
from meddiary.render import sections
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
    _Console(highlight=False).print(report(rep))


class _Console(Console):
    def on_broken_pipe(self) -> None:
        raise BrokenPipeError  # Rich would exit 1; meddiary exits 0 when the reader goes away (reporting.emit)


def report(rep: Report) -> Group:
    return Group(*sections.report(Terminal(), rep))


class Terminal:
    """The `sections.Writer` for Rich: lines of text follow one another, a table stands apart."""

    def header(self, title: str, facts: list[tuple[str, str]]) -> Group:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        for label, value in facts:
            grid.add_row(Text(visible(label)), Text(visible(value)))
        return Group(Text(title, style="bold"), grid)

    def section(self, key: str, *parts: RenderableType) -> Group:
        body: list[RenderableType] = []
        for part in parts:
            # Without box edges a table or the legend runs into what is above it; lines of text may run on.
            if body and not isinstance(part, Text):
                body.append(Text())
            body.append(part)
        return Group(Text(), Rule(Text(c.SECTION_TITLES[key], style="bold"), align="left"), *body)

    def empty(self, message: str) -> Text:
        return Text(message, style="italic")

    def table(self, headers, rows, numeric_from: int | None = None, footer=None, wide: bool = False) -> Table:
        """A table of plain cells, with an optional footer row (a total); columns from `numeric_from` on are
        numbers, aligned right, under headings wrapped narrow so the text columns get the room. A first column of
        short names is kept whole; nothing is cut short: a word too long for its column is folded. Every table
        takes the width it needs, so `wide` changes nothing here."""
        t = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, collapse_padding=True, header_style="bold",
                  show_footer=footer is not None)
        first = [headers[0], *(row[0] for row in rows), *(footer or [])[:1]]
        for i, h in enumerate(headers):
            numeric = numeric_from is not None and i >= numeric_from
            heading = textwrap.fill(h, NUMBER_HEADING, break_long_words=False) if numeric else h
            t.add_column(Text(heading), Text(footer[i]) if footer else None, justify="right" if numeric else "left",
                         no_wrap=i == 0 and max(map(len, first)) <= c.SHORT, overflow="fold")
        for row in rows:
            t.add_row(*(Text(visible(cell)) for cell in row))
        return t

    def lead(self, name: str, text: str) -> Text:
        return Text.assemble((visible(name), "bold"), visible(f" {text}"))

    def bullets(self, label: str, lines: list[str]) -> Text:
        # One Text, so that `section` runs the list on under the paragraph it belongs to.
        return Text("\n").join([Text(visible(label)), *(Text(visible(f"  - {line}")) for line in lines)])

    def fine_print(self, text: str) -> Text:
        return Text(visible(text))

    def chart(self, title: str | None, lines: list[str]) -> Text:
        text = Text(visible("\n".join(lines)), no_wrap=True, overflow="crop")
        return Text.assemble((title, "bold"), "\n", text) if title else text

    def overview(self, rep: Report) -> list:
        return sections.text_overview(self, rep)

    def calendar(self, rep: Report) -> list[RenderableType]:
        blocks = c.calendar_blocks(rep.period.days)
        states = c.calendar_states(rep)
        return [*(calendar_block(rep, days, titled=len(blocks) > 1, states=states) for days in blocks), legend()]


def calendar_block(rep: Report, days: list[date], titled: bool, states: list | None = None) -> Table:
    """One column per week (cut at the block's edges), headed by its first day and the weekdays' initials;
    `titled`: a block of a long period is one calendar month, named above it. `states`: common.calendar_states."""
    t = Table(title=Text(c.month_text(days[0]), style="bold") if titled else None, title_justify="left",
              box=None, padding=(0, 2, 0, 0), pad_edge=False, header_style="bold")
    t.add_column()  # names wrap before the days do
    weeks = week_labels(days)
    for label, week in weeks:
        initials = " ".join(c.WEEKDAY_INITIAL[d.weekday()] for d in week)
        t.add_column(Text(f"{label}\n{initials}"), no_wrap=True)
    for m, by_day in states or c.calendar_states(rep):
        t.add_row(Text(visible(m.name)), *(day_cells([by_day[d] for d in week]) for _, week in weeks))
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
