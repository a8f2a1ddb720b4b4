"""The report as one self-contained HTML page to print or send: inline CSS, no scripts, nothing fetched.

Every piece of text goes through `esc` (names, reasons and notes are typed by people); markup is only ever
built here, around escaped text.
"""

import html
import re
from datetime import date

from meddiary.render import common as c
from meddiary.report import Report

# Darker than the terminal's colours so they read on paper; the symbols carry the meaning in black and white.
STATE_CSS_COLOUR = {
    "taken": "#1a7f37", "late": "#9a6700", "partial": "#bc4c00", "skipped": "#0550ae", "missed": "#cf222e",
    "pending": "#57606a", "none": "#57606a", "used": "#8250df",
}

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
UNIT_SPACE = re.compile(r"(?<=\d) (?=[^\W\d])")  # "100 mg", "24 h"

CSS = """
@page { margin: 14mm 12mm; }
* { box-sizing: border-box; }
html { color: #000; background: #fff; }
body {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 11pt; line-height: 1.35; max-width: 54rem; margin: 2rem auto; padding: 0 1rem;
}
h1 { font-size: 16pt; margin: 0 0 .4em; }
h2 { font-size: 12.5pt; margin: 1.3em 0 .4em; padding-bottom: 2px; border-bottom: 1.5px solid #000;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: .6em 0 .2em; break-after: avoid; page-break-after: avoid; }
p { margin: .3em 0; }
section { break-inside: avoid; page-break-inside: avoid; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0 1.2em; margin: 0; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.empty { font-style: italic; }
table { border-collapse: collapse; margin: .3em 0 .7em; font-variant-numeric: tabular-nums; }
table.wide { width: 100%; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { padding: 2px 7px; text-align: left; vertical-align: top; border-bottom: 1px solid #999; }
th:first-child, td:first-child { padding-left: 0; }
thead th { vertical-align: bottom; border-bottom: 1.5px solid #000; font-weight: 600; }
tfoot th, tfoot td { border-top: 1.5px solid #000; border-bottom: none; font-weight: 600; }
tbody th { font-weight: 600; }
.num { text-align: right; }
.nowrap { white-space: nowrap; }
.calendar { font-size: 10pt; margin-bottom: .4em; }
.calendar th, .calendar td { padding: 1px; min-width: 1.55em; text-align: center; border-bottom: 1px solid #ccc; }
.calendar tbody { break-inside: avoid; page-break-inside: avoid; }
.calendar .head th { border-bottom: 1px solid #000; font-weight: normal; font-size: 80%; }
.calendar .months th { font-weight: 600; text-align: left; padding: .9em 0 0 3px; }
.calendar th[scope=row] { text-align: left; padding-right: .8em; }
.calendar .week { border-left: 1px solid #777; }
.calendar .month { border-left: 2px solid #000; }
.legend { list-style: none; padding: 0; margin: .2em 0; display: flex; flex-wrap: wrap; gap: .1em 1.4em;
          font-size: 9.5pt; }
.uses { margin: .2em 0 .5em; padding-left: 1.4em; }
.about { font-size: 10pt; }
"""

CSS += "".join(f".s-{state} {{ color: {colour}; }}\n" for state, colour in STATE_CSS_COLOUR.items())
CSS += """
@media print {
  body { font-size: 10pt; max-width: none; margin: 0; padding: 0; }
  .calendar, .legend, .about { font-size: 9pt; }
  .calendar td, .legend span { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def esc(text: str) -> str:
    return html.escape(text)


def cell(text: str) -> str:
    """Escaped table text that breaks at spaces only: dates stay whole and numbers keep their units."""
    out = UNIT_SPACE.sub("&nbsp;", esc(text))
    return ISO_DATE.sub(r'<span class="nowrap">\g<0></span>', out)


def render(rep: Report) -> str:
    body = "\n".join([
        header(rep), regimen(rep), adherence(rep), calendar(rep), changes(rep), skips(rep), as_needed(rep),
        holidays(rep),
        # Later parts of the model (rep.sections: mood, side effects, …) each get a section function here.
        about(),
    ])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(c.TITLE)}, {esc(c.period_text(rep))}</title>
<style>{CSS}</style>
</head>
<body>
{body}
</body>
</html>"""


def section(key: str, *body: str) -> str:
    return "\n".join([f'<section id="{key}">', f"<h2>{esc(c.SECTION_TITLES[key])}</h2>", *body, "</section>"])


def empty(key: str) -> str:
    return section(key, f'<p class="empty">{esc(c.EMPTY[key])}</p>')


def row(cells, numeric_from: int | None, head: bool = False, nowrap: bool = False) -> str:
    """One table row (`head`: of column headings), led by a row heading; cells from `numeric_from` on are
    numbers."""
    out = []
    for i, text in enumerate(cells):
        tag = "th" if head or i == 0 else "td"
        classes = attr("num" if numeric_from is not None and i >= numeric_from else "",
                       "nowrap" if i == 0 and nowrap else "")
        scope = ' scope="row"' if i == 0 and not head else ""
        out.append(f"<{tag}{classes}{scope}>{cell(text)}</{tag}>")
    return "<tr>" + "".join(out) + "</tr>"


def table(headers, rows, numeric_from: int | None = None, footer=None, cls: str = "") -> str:
    """A table of plain cells with an optional footer row (a total). A first column of short names is kept
    on one line: the other columns wrap instead."""
    nowrap = max(len(x) for x in [headers[0], *(r[0] for r in rows), *(footer or [])[:1]]) <= c.SHORT
    parts = [f"<table{attr(cls)}>", "<thead>" + row(headers, numeric_from, head=True) + "</thead>",
             "<tbody>", *(row(r, numeric_from, nowrap=nowrap) for r in rows), "</tbody>"]
    if footer:
        parts.append("<tfoot>" + row(footer, numeric_from, nowrap=nowrap) + "</tfoot>")
    parts.append("</table>")
    return "\n".join(parts)


def header(rep: Report) -> str:
    facts = "".join(f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>" for label, value in c.header_lines(rep))
    return f'<header>\n<h1>{esc(c.TITLE)}</h1>\n<dl class="facts">{facts}</dl>\n</header>'


def regimen(rep: Report) -> str:
    if not rep.medications:
        return empty("regimen")
    return section("regimen", table(c.REGIMEN_HEADERS, [c.regimen_cells(rep, m) for m in rep.medications],
                                    cls="wide"))


def adherence(rep: Report) -> str:
    """Counts and rates in two tables, as in the terminal: thirteen columns do not fit a printed page."""
    body = []
    if meds := c.scheduled(rep):
        for headers, cells in ((c.COUNT_HEADERS, c.count_cells), (c.RATE_HEADERS, c.rate_cells)):
            body.append(table(("Medication", *headers), [[m.name, *cells(m.stats)] for m in meds], numeric_from=1,
                              footer=[c.OVERALL_NAME, *cells(rep.overall)]))
    else:
        body.append(f'<p class="empty">{esc(c.EMPTY["adherence"])}</p>')
    if meds := c.as_needed(rep):
        body.append(table(c.AS_NEEDED_HEADERS, [c.as_needed_cells(m) for m in meds], numeric_from=1))
    return section("adherence", *body)


def calendar(rep: Report) -> str:
    if not rep.medications:
        return empty("calendar")
    blocks = (calendar_block(rep, days) for days in c.calendar_blocks(rep.period.days))
    return section("calendar", "\n".join(['<table class="calendar">', *blocks, "</table>"]), legend())


def calendar_block(rep: Report, days: list[date]) -> str:
    """One column per day under its month, day of the month and weekday; lines mark week and month starts.
    Each block is a `tbody` of one table, so that the days line up from block to block."""
    marks = [day_mark(d, i) for i, d in enumerate(days)]
    months: list[list] = []  # [first day, number of days]
    for d in days:
        if months and months[-1][0].month == d.month:
            months[-1][1] += 1
        else:
            months.append([d, 1])
    head = [
        '<tr class="head months"><th></th>' + "".join(
            f'<th colspan="{n}"{attr(day_mark(d, i))}>{esc(c.month_text(d))}</th>'
            for i, (d, n) in enumerate(months)) + "</tr>",
        '<tr class="head"><th></th>' + "".join(f"<th{attr(mark)}>{d.day}</th>" for d, mark in zip(days, marks))
        + "</tr>",
        '<tr class="head"><th></th>' + "".join(f"<th{attr(mark)}>{c.WEEKDAY_INITIAL[d.weekday()]}</th>"
                                               for d, mark in zip(days, marks)) + "</tr>",
    ]
    rows = []
    for m in rep.medications:
        states = c.states_by_day(m)
        cells = "".join(
            f'<td{attr(mark, f"s-{states[d]}")} title="{esc(c.day_text(d))}: {esc(c.STATE_LABEL[states[d]])}">'
            f"{esc(c.STATE_SYMBOL[states[d]])}</td>"
            for d, mark in zip(days, marks))
        rows.append(f'<tr><th scope="row">{esc(m.name)}</th>{cells}</tr>')
    return "\n".join(["<tbody>", *head, *rows, "</tbody>"])


def day_mark(d: date, i: int) -> str:
    """The line before a day: a month's first day, else a Monday (none before the block's first day)."""
    if i == 0:
        return ""
    return "month" if d.day == 1 else "week" if d.weekday() == 0 else ""


def attr(*classes: str) -> str:
    names = " ".join(x for x in classes if x)
    return f' class="{names}"' if names else ""


def legend() -> str:
    items = "".join(f'<li><span class="s-{state}">{esc(c.LEGEND_SYMBOL[state])}</span> {esc(label)}</li>'
                    for state, label in c.STATE_LABEL.items())
    return f'<ul class="legend">{items}</ul>'


def changes(rep: Report) -> str:
    if not rep.changes:
        return empty("changes")
    return section("changes", table(c.CHANGE_HEADERS, [c.change_cells(x) for x in rep.changes], cls="wide"))


def skips(rep: Report) -> str:
    if not rep.overall.skip_reasons:
        return empty("skips")
    headers, rows = c.skip_table(rep)
    return section("skips", table(headers, rows, numeric_from=1))


def as_needed(rep: Report) -> str:
    meds = c.as_needed(rep)
    if not meds:
        return empty("as_needed")
    tz = c.zone(rep)
    body = []
    for m in meds:
        body.append(f"<p><strong>{esc(m.name)}</strong> {esc(c.regimen_text(m.current))}: "
                    f"{esc(c.as_needed_summary(m))}</p>")
        if lines := c.over_limit_lines(m, tz):
            items = "".join(f"<li>{esc(line)}</li>" for line in lines)
            body.append(f'<p>Over the limit:</p><ul class="uses">{items}</ul>')
    return section("as_needed", *body)


def holidays(rep: Report) -> str:
    rows = c.holiday_rows(rep)
    if not rows:
        return empty("holidays")
    return section("holidays", table(c.HOLIDAY_HEADERS, rows, numeric_from=3))


def about() -> str:
    return section("about", f'<p class="about">{esc(c.ABOUT)}</p>')
