"""The report as one self-contained HTML page to print or send: inline CSS, no scripts, nothing fetched.

Every piece of text goes through `esc` (names, reasons and notes are typed by people); markup is only ever
built here, around escaped text.
"""

import html
import re
from datetime import date

from meddiary.render import common as c
from meddiary.render import sections
from meddiary.report import Report

# Darker than the terminal's colours so they read on paper; the symbols carry the meaning in black and white.
STATE_CSS_COLOUR = {
    "taken": "#1a7f37", "late": "#9a6700", "partial": "#bc4c00", "skipped": "#0550ae", "missed": "#cf222e",
    "pending": "#57606a", "none": "#57606a", "used": "#8250df", "extra": "#8250df",
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
.chart { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 11pt; line-height: 1.2;
         letter-spacing: .06em; margin: .3em 0 .5em; }
#item9 { border: 2px solid #000; padding: 0 .8em .5em; margin-top: 1.2em; }
/* The first page stands alone: the summary ends it, the detail starts on the next. */
#summary { break-after: page; page-break-after: always; }
#summary ul.uses { margin-top: 0; }
figure.overview { margin: .3em 0 .1em; }
figure.overview svg { display: block; width: 100%; height: auto; }
"""

CSS += "".join(f".s-{state} {{ color: {colour}; }}\n" for state, colour in STATE_CSS_COLOUR.items())
CSS += """
@media print {
  body { font-size: 10pt; max-width: none; margin: 0; padding: 0; }
  /* the first page must stand alone on A4 and on Letter: set tighter */
  header .facts { display: flex; flex-wrap: wrap; gap: 0 .4em; font-size: 9pt; }
  header .facts dd { margin-right: 1.2em; }
  h1 { font-size: 14pt; margin-bottom: .2em; }
  #item9, #summary { font-size: 9pt; line-height: 1.25; }
  #item9 { margin-top: .6em; padding-bottom: .3em; }
  #item9 h2, #summary h2 { margin-top: .6em; }
  #summary table { margin: .2em 0 .4em; }
  #summary th, #summary td { padding: 1px 5px; }
  #summary .about { font-size: 8pt; }
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
    return page(rep, "\n".join(sections.report(Html(), rep)))


def render_first_page(rep: Report) -> str:
    """The first page alone (header, item 9, the summary): what must print on one A4 or Letter page."""
    return page(rep, "\n".join(sections.first_page(Html(), rep)))


def page(rep: Report, body: str) -> str:
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


class Html:
    """The `sections.Writer` for HTML: each part an element on lines of its own."""

    def header(self, title: str, facts: list[tuple[str, str]]) -> str:
        items = "".join(f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>" for label, value in facts)
        return f'<header>\n<h1>{esc(title)}</h1>\n<dl class="facts">{items}</dl>\n</header>'

    def section(self, key: str, *parts: str) -> str:
        return "\n".join([f'<section id="{key}">', f"<h2>{esc(c.SECTION_TITLES[key])}</h2>", *parts, "</section>"])

    def empty(self, message: str) -> str:
        return f'<p class="empty">{esc(message)}</p>'

    def table(self, headers, rows, numeric_from: int | None = None, footer=None, wide: bool = False) -> str:
        """A table of plain cells with an optional footer row (a total). A first column of short names is kept
        on one line: the other columns wrap instead."""
        nowrap = max(len(x) for x in [headers[0], *(r[0] for r in rows), *(footer or [])[:1]]) <= c.SHORT
        parts = [f"<table{attr('wide' if wide else '')}>",
                 "<thead>" + row(headers, numeric_from, head=True) + "</thead>", "<tbody>",
                 *(row(r, numeric_from, nowrap=nowrap) for r in rows), "</tbody>"]
        if footer:
            parts.append("<tfoot>" + row(footer, numeric_from, nowrap=nowrap) + "</tfoot>")
        parts.append("</table>")
        return "\n".join(parts)

    def lead(self, name: str, text: str) -> str:
        return f"<p><strong>{esc(name)}</strong> {esc(text)}</p>"

    def bullets(self, label: str, lines: list[str]) -> str:
        items = "".join(f"<li>{esc(line)}</li>" for line in lines)
        return f'<p>{esc(label)}</p><ul class="uses">{items}</ul>'

    def fine_print(self, text: str) -> str:
        return f'<p class="about">{esc(text)}</p>'

    def chart(self, title: str | None, lines: list[str]) -> str:
        head = f"<h3>{esc(title)}</h3>\n" if title else ""
        return f'{head}<pre class="chart">{esc(chr(10).join(lines))}</pre>'

    def overview(self, rep: Report) -> list[str]:
        from meddiary.render import chart

        if not rep.period.days:
            return []
        return [f'<figure class="overview">{chart.render(rep)}</figure>', self.fine_print(chart.LEGEND)]

    def calendar(self, rep: Report) -> list[str]:
        states = c.calendar_states(rep)
        blocks = (calendar_block(rep, days, states) for days in c.calendar_blocks(rep.period.days))
        return ["\n".join(['<table class="calendar">', *blocks, "</table>"]), legend()]


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


def calendar_block(rep: Report, days: list[date], states: list | None = None) -> str:
    """One column per day under its month, day of the month and weekday; lines mark week and month starts.
    Each block is a `tbody` of one table, so that the days line up from block to block. `states`:
    common.calendar_states."""
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
    for m, by_day in states or c.calendar_states(rep):
        cells = "".join(
            f'<td{attr(mark, f"s-{by_day[d]}")} title="{esc(c.day_text(d))}: {esc(c.STATE_LABEL[by_day[d]])}">'
            f"{esc(c.STATE_SYMBOL[by_day[d]])}</td>"
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
