"""The report's terminal tables: written directly when printed without styles (render.terminal.TextTable), they
must read exactly as Rich's Table lays them out, for any cells and width; with styles Rich lays them out."""

import random
from io import StringIO

import pytest
from rich.console import Console

from meddiary.render.terminal import Cell, TextTable

WORDS = ("lamotrigine", "100 mg", "at 08:00, 20:00 daily", "", " ", "2026-11-02", "55/58 (95%)", "–", "≥ 0.80",
         "a very long sentence of a reason somebody gave for skipping a dose", "x" * 40, "trailing  ", "  leading",
         "two\nlines", "Days\ncovered", "wide 日本", "tab\there", "crlf\r\nline", "né", "e\u0301", "ab  cdefgh ij",
         "  ", "x y z " * 5, "2026-10-29 – 2026-11-26", "no PDC: as needed", "1 other dose, 2 skipped")


def rich_text(table: TextTable, width: int, **console) -> str:
    out = StringIO()
    Console(file=out, width=width, highlight=False, **console).print(table.table())
    return out.getvalue()


def direct_text(table: TextTable, width: int, **console) -> str:
    out = StringIO()
    Console(file=out, width=width, highlight=False, **console).print(table)
    return out.getvalue()


def random_table(rng: random.Random) -> TextTable:
    n = rng.randint(1, 7)
    headers = [rng.choice(WORDS + ("Medication", "Adherent\n(PDC ≥\n0.80)", "On time")) for _ in range(n)]
    rows = [[rng.choice(WORDS) for _ in range(n)] for _ in range(rng.choice((0, 1, 3, 8)))]
    footer = [rng.choice(WORDS) for _ in range(n)] if rng.random() < 0.3 else None
    numeric_from = rng.choice((None, 0, 1, 2, n))
    return TextTable(headers, rows, footer, [numeric_from is not None and i >= numeric_from for i in range(n)],
                     keep_first=rng.random() < 0.5)


def test_a_table_written_directly_reads_as_richs():
    rng = random.Random(14)
    direct = 0
    for _ in range(1500):
        table, width = random_table(rng), rng.choice((8, 20, 40, 60, 80, 100, 140))
        assert direct_text(table, width, color_system=None) == rich_text(table, width, color_system=None)
        direct += table.plain_lines(Console(file=StringIO(), width=width, color_system=None),
                                    Console(file=StringIO(), width=width).options) is not None
    assert 300 < direct < 1400  # both ways were taken


@pytest.mark.parametrize("width", [40, 100])
def test_with_styles_rich_lays_the_table_out(width):
    table = TextTable(["Medication", "Taken"], [["lamotrigine", "55/58"]], None, [False, True], keep_first=True)
    console = dict(force_terminal=True, color_system="truecolor")
    assert direct_text(table, width, **console) == rich_text(table, width, **console)
    assert "\x1b[1m" in direct_text(table, width, **console)  # the bold header


def test_a_cell_renders_as_text_does():
    from rich.text import Text

    rng = random.Random(5)
    for _ in range(300):
        plain, width = rng.choice(WORDS), rng.choice((1, 5, 12, 40))
        for justify in ("default", "left", "right", "center", "full"):
            a, b = StringIO(), StringIO()
            Console(file=a, width=width, color_system=None).print(Cell(plain), justify=justify)
            Console(file=b, width=width, color_system=None).print(Text(plain), justify=justify)
            assert a.getvalue() == b.getvalue()


def test_a_calendar_block_written_directly_reads_as_richs():
    from rich.text import Text

    from meddiary.render.terminal import CalendarBlock

    rng = random.Random(8)
    names = ("lamotrigine", "methylphenidate hydrochloride extended release", "x" * 30, "a b", "")
    for _ in range(400):
        weeks = rng.randint(0, 6)
        headings = [f"{rng.choice(('1 Nov', '30', '2'))}\n{' '.join('MTWTFSS'[:rng.randint(1, 7)])}" for _ in range(weeks)]
        rows = [(rng.choice(names), [Text(" ".join(rng.choice("✓·✗ ") for _ in range(rng.randint(1, 7))))
                                     for _ in range(weeks)]) for _ in range(rng.randint(0, 4))]
        block = CalendarBlock(rng.choice((None, "November 2026", "x" * 70)), headings, rows)
        width = rng.choice((10, 30, 60, 100))
        for console in ({"color_system": None}, {"force_terminal": True, "color_system": "truecolor"}):
            a, b = StringIO(), StringIO()
            Console(file=a, width=width, highlight=False, **console).print(block)
            Console(file=b, width=width, highlight=False, **console).print(block.table())
            assert a.getvalue() == b.getvalue()


def test_the_header_facts_written_directly_read_as_richs():
    from meddiary.render.terminal import FactsGrid

    rng = random.Random(21)
    direct = 0
    for _ in range(600):
        rows = [[rng.choice(WORDS + ("Period", "Time zone", "On-time window")), rng.choice(WORDS)]
                for _ in range(rng.randint(0, 6))]
        grid, width = FactsGrid(rows), rng.choice((6, 12, 20, 40, 80, 120))
        for console in ({"color_system": None}, {"force_terminal": True, "color_system": "truecolor"}):
            a, b = StringIO(), StringIO()
            Console(file=a, width=width, highlight=False, **console).print(grid)
            Console(file=b, width=width, highlight=False, **console).print(grid.table())
            assert a.getvalue() == b.getvalue()
        direct += grid.plain_lines(Console(file=StringIO(), width=width, color_system=None),
                                   Console(file=StringIO(), width=width).options) is not None
    assert 100 < direct < 590  # both ways were taken


def test_the_legend_written_directly_reads_as_richs():
    from meddiary.render import common
    from meddiary.render.terminal import Legend, legend

    rng = random.Random(34)
    items = [(symbol, "green", text) for symbol, text in (("✓", " taken on time"), ("·", " late"), ("(blank)", " none"),
                                                          ("✗", " missed"), ("◐", " partial"), ("x" * 30, ""),
                                                          ("日", " wide"), ("–", " skipped, with a reason"))]
    direct = 0
    for _ in range(600):
        shown = legend() if rng.random() < 0.3 else Legend(rng.sample(items, rng.randint(0, len(items))))
        width = rng.choice((4, 10, 25, 40, 60, 80, 100, 140))
        for console in ({"color_system": None}, {"force_terminal": True, "color_system": "truecolor"}):
            a, b = StringIO(), StringIO()
            Console(file=a, width=width, highlight=False, **console).print(shown)
            Console(file=b, width=width, highlight=False, **console).print(shown.table())
            assert a.getvalue() == b.getvalue()
        direct += shown.plain_lines(Console(file=StringIO(), width=width, color_system=None),
                                    Console(file=StringIO(), width=width).options) is not None
    assert 100 < direct < 590
    assert len(legend().items) == len(common.STATE_LABEL)


def test_columns_are_narrowed_as_richs_table_narrows_them():
    from rich._ratio import ratio_reduce
    from rich.table import Table

    from meddiary.render.terminal import _collapse_widths, _ratio_reduce

    rng = random.Random(55)
    for _ in range(3000):
        n = rng.randint(1, 8)
        widths = [rng.randint(0, 60) for _ in range(n)]
        wrapable = [rng.random() < 0.7 for _ in range(n)]
        room = rng.randint(0, 150)
        assert _collapse_widths(widths, wrapable, room) == Table._collapse_widths(widths, wrapable, room)
        ratios, maximums = [rng.randint(0, 3) for _ in range(n)], [rng.randint(0, 20) for _ in range(n)]
        total = rng.randint(0, 60)
        assert _ratio_reduce(total, ratios, maximums, widths) == ratio_reduce(total, ratios, maximums, widths)
