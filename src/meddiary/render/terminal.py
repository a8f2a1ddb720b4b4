"""The report for the terminal, with Rich: plain text for files and tests, colours on a terminal.

Rich is imported only here, and reporting.py imports this module only when the terminal format is asked for.
Rich's Table (and Columns, which lays out with one) is imported only where Rich lays one out: printed without
styles, every table here is written directly (grid_lines). Importing rich.table (fractions and decimal with it) and
laying out the header and the legend with it were about a twelfth of a 30-day report printed to a pipe.

User text (names, reasons, notes) always goes in as `Text` (or is written out as it is, by TextTable and
CalendarBlock), never as a string, so Rich reads no markup in it, and through `visible`, so no control
sequence in it reaches the terminal (Rich passes ESC through).
"""

import textwrap
from datetime import date
from io import StringIO
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.segment import Segment
from rich.text import Text

from meddiary.errors import visible
from meddiary.render import common as c
from meddiary.render import sections
from meddiary.report import Report

if TYPE_CHECKING:  # imported where Rich lays one out (above)
    from rich.table import Table

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


class Cell(Text):
    """A table cell's text (plain, no style of its own): rendered as Text renders it, without Text's word
    wrapping when it is one line that fits, as most cells are. Laying out a report's tables renders hundreds
    of cells, and Text's general path (lines split, wrapped, justified, joined again) was most of the time.
    Anything else (a line break or tab, a style, a character whose cells are not one each, more than fits,
    centred or full justification) takes Text's own path."""

    __slots__ = ()

    def __rich_console__(self, console, options):
        plain = self.plain
        width = options.max_width
        justify = self.justify or options.justify or "default"
        if (self._spans or self.style or self.overflow or "\n" in plain or "\t" in plain
                or options.overflow == "ignore" or justify not in ("default", "left", "right")
                or len(plain) != cell_len(plain) or len(plain) > width):
            yield from super().__rich_console__(console, options)
            return
        # Text.wrap gives one line here: "left" pads it to the width, "right" strips its end and pads its
        # start, "default" leaves it; joined and rendered it is one unstyled segment, then `end`.
        if justify == "left":
            plain += " " * (width - len(plain))
        elif justify == "right":
            plain = plain.rstrip()
            plain = " " * (width - cell_len(plain)) + plain
        yield Segment(plain)
        if self.end:
            yield Segment(self.end)


class Terminal:
    """The `sections.Writer` for Rich: lines of text follow one another, a table stands apart."""

    def header(self, title: str, facts: list[tuple[str, str]]) -> Group:
        return Group(Text(title, style="bold"), FactsGrid([[visible(label), visible(value)] for label, value in facts]))

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

    def table(self, headers, rows, numeric_from: int | None = None, footer=None, wide: bool = False) -> "TextTable":
        """A table of plain cells, with an optional footer row (a total); columns from `numeric_from` on are
        numbers, aligned right, under headings wrapped narrow so the text columns get the room. A first column of
        short names is kept whole; nothing is cut short: a word too long for its column is folded. Every table
        takes the width it needs, so `wide` changes nothing here."""
        numeric = [numeric_from is not None and i >= numeric_from for i in range(len(headers))]
        first = [headers[0], *(row[0] for row in rows), *(footer or [])[:1]]
        return TextTable([textwrap.fill(h, NUMBER_HEADING, break_long_words=False) if n else h
                          for h, n in zip(headers, numeric)],
                         [[visible(cell) for cell in row] for row in rows], footer, numeric,
                         keep_first=max(map(len, first)) <= c.SHORT)

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


class _PlainOrTable:
    """A renderable written as plain lines when it can be (`plain_lines`: None when it cannot), else as its Rich
    renderable (`table`: a Table, or the legend's Columns), which also measures it."""

    def __rich_console__(self, console, options):
        lines = self.plain_lines(console, options)
        if lines is None:
            yield self.table()
            return
        for line in lines:
            yield Segment(line)
            yield Segment.line()

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement.get(console, options, self.table())


class TextTable(_PlainOrTable):
    """Terminal.table's table: Rich's Table (box.SIMPLE without its edge, padding collapsed, a bold header and
    an optional footer). Printed without styles (to a file or a pipe, `render_text`) and when every cell is
    lines of plain characters, its lines are written directly (grid_lines) as Rich's Table lays them out, with
    Rich's own sharing of the width and wrapping of words: Rich's layout around them (padding, measuring,
    segments) was most of the time a report took to print. Anything else goes to Rich's Table; a test holds the
    two to the same text over random tables and widths."""

    def __init__(self, headers: list[str], rows: list[list[str]], footer: list[str] | None, numeric: list[bool],
                 keep_first: bool):
        self.headers, self.rows, self.footer, self.numeric, self.keep_first = headers, rows, footer, numeric, keep_first

    def table(self) -> "Table":
        from rich import box
        from rich.table import Table

        t = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, collapse_padding=True, header_style="bold",
                  show_footer=self.footer is not None)
        for i, (heading, numeric) in enumerate(zip(self.headers, self.numeric)):
            t.add_column(Cell(heading), Cell(self.footer[i]) if self.footer else None,
                         justify="right" if numeric else "left", no_wrap=i == 0 and self.keep_first, overflow="fold")
        for row in self.rows:
            t.add_row(*(Cell(cell) for cell in row))
        return t

    def plain_lines(self, console, options) -> list[str] | None:
        """The table's lines as Rich prints them without styles (grid_lines), or None when Rich's Table is needed."""
        n = len(self.headers)
        footer = [self.footer] if self.footer is not None else []
        return grid_lines(console, options, [self.headers, *self.rows, *footer],
                          pads=[1] * (n - 1) + [0], no_wrap=[i == 0 and self.keep_first for i in range(n)],
                          right=self.numeric, overflow="fold", gap=" ", footer=self.footer is not None)


def grid_lines(console, options, grid: list[list[str]], *, pads: list[int], no_wrap: list[bool], right: list[bool],
               overflow: str, gap: str, footer: bool, header: bool = True) -> list[str] | None:
    """A table's lines as Rich's Table prints them without styles, its first row the header (`header`: else a grid
    without one, every row a row of cells): each column as wide
    as its widest line; when they do not fit, the widest columns that may wrap narrowed first
    (Table._collapse_widths), then all evenly, and each measured again at its width; each cell's words wrapped
    as Text wraps them (`right`: aligned right), `pads` spaces of padding on its right; headings at the bottom
    of the header row. `gap`: what stands between columns — box.SIMPLE's space, with a rule under the header
    and over the `footer` row, or nothing (no box). None when Rich's Table is needed: styles, box characters
    other than these, cells of anything but characters one cell wide each, or columns too narrow for one."""
    if console.color_system is not None or options.ascii_only or options.legacy_windows:
        return None
    n = len(grid[0])
    if any(len(row) != n for row in grid) or not all(_plain(cell) for row in grid for cell in row):
        return None
    widest = [[max(len(line) for line in cell.split("\n")) for cell in column] for column in zip(*grid)]
    room = options.max_width - len(gap) * (n - 1)
    widths = [_column_width(widest[i], pads[i], room) or 1 for i in range(n)]
    if sum(widths) > room:
        widths = _collapse_widths(widths, [not x for x in no_wrap], room)
        if sum(widths) > room:
            widths = _ratio_reduce(sum(widths) - room, [1] * n, widths, widths)
        widths = [_column_width(widest[i], pads[i], w) for i, w in enumerate(widths)]
    inner = [w - pad for w, pad in zip(widths, pads)]
    if min(inner) < 1:
        return None
    rule = ["─" * (sum(widths) + len(gap) * (n - 1))] if gap else []
    out = []
    for r, row in enumerate(grid):
        if r == len(grid) - 1 and footer:
            out += rule
        cells = []
        for i, cell in enumerate(row):
            width = inner[i]
            if len(cell) <= width and "\n" not in cell:  # one line that fits: what Text's wrap makes of it
                lines = [cell.rstrip().rjust(width) if right[i] else cell.ljust(width)]
            else:
                lines = [line.plain[:width].ljust(width) for line in Text(cell).wrap(
                    console, width, justify="right" if right[i] else "left", overflow=overflow, no_wrap=no_wrap[i])]
            cells.append([line + " " * pads[i] for line in lines])
        height = max(len(lines) for lines in cells)
        for i, lines in enumerate(cells):
            blank = [" " * widths[i]] * (height - len(lines))
            cells[i] = blank + lines if r == 0 and header else lines + blank  # headings sit at the bottom
        out.extend(gap.join(parts) for parts in zip(*cells))
        if r == 0 and header:
            out += rule
    return out


# Rich's Table narrows columns with these two (Table._collapse_widths, rich._ratio.ratio_reduce), here as Rich 15
# has them: importing rich.table for them took fractions and decimal along, about 4% of a 30-day report printed
# to a pipe. tests/test_terminal_tables.py holds the tables written directly to Rich's, at widths that narrow
# them, and these two to Rich's own.


def _collapse_widths(widths: list[int], wrapable: list[bool], max_width: int) -> list[int]:
    """Narrow the widest columns that may wrap, a step at a time, until the widths fit `max_width` (or cannot)."""
    total_width = sum(widths)
    excess_width = total_width - max_width
    if any(wrapable):
        while total_width and excess_width > 0:
            max_column = max(width for width, allow_wrap in zip(widths, wrapable) if allow_wrap)
            second_max_column = max(width if allow_wrap and width != max_column else 0
                                    for width, allow_wrap in zip(widths, wrapable))
            column_difference = max_column - second_max_column
            ratios = [(1 if (width == max_column and allow_wrap) else 0) for width, allow_wrap in zip(widths, wrapable)]
            if not any(ratios) or not column_difference:
                break
            max_reduce = [min(excess_width, column_difference)] * len(widths)
            widths = _ratio_reduce(excess_width, ratios, max_reduce, widths)
            total_width = sum(widths)
            excess_width = total_width - max_width
    return widths


def _ratio_reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    """`values` less `total` shared out by `ratios`, none reduced by more than its maximum."""
    ratios = [ratio if _max else 0 for ratio, _max in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    total_remaining = total
    result: list[int] = []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * total_remaining / total_ratio))
            result.append(value - distributed)
            total_remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _plain(text: str) -> bool:
    """Whether a cell is lines of characters one cell wide each (no tab, no other line break)."""
    lines = text.split("\n")
    return "\t" not in text and (text.splitlines() == lines or text == "") and all(
        len(line) == cell_len(line) for line in lines)


def _column_width(widest: list[int], pad: int, width: int) -> int:
    """A column's width as Rich's Table measures it when it may take `width`: its cells' widest lines
    (`widest`) with their padding, none wider than `width` (Measurement.get of each cell's Padding and Text)."""
    if width < 1:
        return 0
    if width - pad < 1:
        return width
    cells = []
    for w in widest:
        text = min(w, width)
        cell = min((text if text >= 1 else 0) + pad, width)
        cells.append(cell if cell >= 1 else 0)
    return min(max(cells), width)


def calendar_block(rep: Report, days: list[date], titled: bool, states: list | None = None) -> "CalendarBlock":
    """One column per week (cut at the block's edges), headed by its first day and the weekdays' initials;
    `titled`: a block of a long period is one calendar month, named above it. `states`: common.calendar_states."""
    weeks = week_labels(days)
    headings = [f"{label}\n{' '.join(c.WEEKDAY_INITIAL[d.weekday()] for d in week)}" for label, week in weeks]
    rows = [(visible(m.name), [day_cells([by_day[d] for d in week]) for _, week in weeks])
            for m, by_day in states or c.calendar_states(rep)]
    return CalendarBlock(c.month_text(days[0]) if titled else None, headings, rows)


class CalendarBlock(_PlainOrTable):
    """A block of the calendar: Rich's Table of a column of names (which wrap before the days do) and a column
    per week, without a box, two spaces after each column. Printed without styles, its lines are written
    directly as TextTable's are (grid_lines), under its title; else, or when the title would wrap, Rich's Table."""

    def __init__(self, title: str | None, headings: list[str], rows: list[tuple[str, list[Text]]]):
        self.title, self.headings, self.rows = title, headings, rows

    def table(self) -> "Table":
        from rich.table import Table

        t = Table(title=Text(self.title, style="bold") if self.title else None, title_justify="left",
                  box=None, padding=(0, 2, 0, 0), pad_edge=False, header_style="bold")
        t.add_column(Cell())  # (a Cell: "" would be read as markup)
        for heading in self.headings:
            t.add_column(Text(heading), no_wrap=True)
        for name, cells in self.rows:
            t.add_row(Cell(name), *cells)
        return t

    def plain_lines(self, console, options) -> list[str] | None:
        n = len(self.headings) + 1
        grid = [["", *self.headings], *([name, *(cell.plain for cell in cells)] for name, cells in self.rows)]
        lines = grid_lines(console, options, grid, pads=[2] * (n - 1) + [0], no_wrap=[False] + [True] * (n - 1),
                           right=[False] * n, overflow="ellipsis", gap="", footer=False)
        if lines is not None and self.title is not None:
            fits = _plain(self.title) and "\n" not in self.title and len(self.title) <= len(lines[0])
            lines = [self.title.ljust(len(lines[0])), *lines] if fits else None
        return lines


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


def legend() -> "Legend":
    return Legend([(c.LEGEND_SYMBOL[state], c.STATE_COLOUR[state], f" {label}") for state, label in c.STATE_LABEL.items()])


class FactsGrid(_PlainOrTable):
    """The report's header facts: Rich's grid of a bold column of labels and a column of values, two spaces apart.
    Printed without styles, its lines are written directly (grid_lines, without a header row)."""

    def __init__(self, rows: list[list[str]]):
        self.rows = rows

    def table(self) -> "Table":
        from rich.table import Table

        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        for label, value in self.rows:
            grid.add_row(Cell(label), Cell(value))
        return grid

    def plain_lines(self, console, options) -> list[str] | None:
        if not self.rows:
            return None
        return grid_lines(console, options, self.rows, pads=[2, 0], no_wrap=[False, False], right=[False, False],
                          overflow="ellipsis", gap="", footer=False, header=False)


class Legend(_PlainOrTable):
    """The calendar's legend: Rich's Columns of its items (symbol, colour, text), three spaces apart, as many to a
    row as fit. Printed without styles, Columns' choice of how many is made here and its grid's lines are written
    directly (grid_lines); an item wider than the width, or not plain, goes to Rich."""

    def __init__(self, items: list[tuple[str, str, str]]):
        self.items = items

    def table(self):
        """Rich's Columns of the items (what Rich lays out when the lines cannot be written directly)."""
        from rich.columns import Columns

        return Columns([Text.assemble((symbol, colour), text) for symbol, colour, text in self.items], padding=(0, 3))

    def plain_lines(self, console, options) -> list[str] | None:
        items = [symbol + text for symbol, _, text in self.items]
        room = options.max_width
        if not items or not all(_plain(t) and "\n" not in t and len(t) <= room for t in items):
            return None
        count = len(items)  # Columns.__rich_console__: fewer to a row until a row fits
        while count > 1:
            widths: dict[int, int] = {}
            column = 0
            for width in [len(t) for t in items] + [0] * (-len(items) % count):
                widths[column] = max(widths.get(column, 0), width)
                if sum(widths.values()) + 3 * (len(widths) - 1) > room:
                    count = len(widths) - 1
                    break
                column = (column + 1) % count
            else:
                break
        cells = items + [""] * (-len(items) % count)
        return grid_lines(console, options, [cells[i:i + count] for i in range(0, len(cells), count)],
                          pads=[3] * (count - 1) + [0], no_wrap=[False] * count, right=[False] * count,
                          overflow="ellipsis", gap="", footer=False, header=False)
