"""The report as GitHub-flavoured Markdown: headings, a list of facts and tables, to paste or keep.

Every piece of text goes through `md`: a name, reason or note can start no markup, link or table cell.
"""

import re
from datetime import date

from meddiary.render import common as c
from meddiary.report import Report

SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")


def md(text: str) -> str:
    """Text as literal Markdown on one line."""
    return SPECIAL.sub(r"\\\1", " ".join(text.split()))


def render(rep: Report) -> str:
    return "\n\n".join([
        header(rep), regimen(rep), adherence(rep), calendar(rep), changes(rep), skips(rep), as_needed(rep),
        holidays(rep),
        # Later parts of the model (rep.sections: mood, side effects, …) each get a section function here.
        about(),
    ])


def section(key: str, *body: str) -> str:
    return "\n\n".join([f"## {md(c.SECTION_TITLES[key])}", *body])


def empty(key: str) -> str:
    return section(key, f"*{md(c.EMPTY[key])}*")


def line(cells) -> str:
    return "| " + " | ".join(cells) + " |"


def table(headers, rows, numeric_from: int | None = None, footer=None) -> str:
    """A table of plain cells with an optional last row in bold (a total); columns from `numeric_from` on are
    numbers, aligned right."""
    rule = ["---:" if numeric_from is not None and i >= numeric_from else "---" for i in range(len(headers))]
    lines = [line(map(md, headers)), line(rule), *(line(map(md, r)) for r in rows)]
    if footer:
        lines.append(line(f"**{md(x)}**" for x in footer))
    return "\n".join(lines)


def header(rep: Report) -> str:
    facts = "\n".join(f"- **{md(label)}:** {md(value)}" for label, value in c.header_lines(rep))
    return f"# {md(c.TITLE)}\n\n{facts}"


def regimen(rep: Report) -> str:
    if not rep.medications:
        return empty("regimen")
    return section("regimen", table(c.REGIMEN_HEADERS, [c.regimen_cells(rep, m) for m in rep.medications]))


def adherence(rep: Report) -> str:
    """Counts and rates in two tables, as in the other renderings."""
    body = []
    if meds := c.scheduled(rep):
        for headers, cells in ((c.COUNT_HEADERS, c.count_cells), (c.RATE_HEADERS, c.rate_cells)):
            body.append(table(("Medication", *headers), [[m.name, *cells(m.stats)] for m in meds], numeric_from=1,
                              footer=[c.OVERALL_NAME, *cells(rep.overall)]))
    else:
        body.append(f"*{md(c.EMPTY['adherence'])}*")
    if meds := c.as_needed(rep):
        body.append(table(c.AS_NEEDED_HEADERS, [c.as_needed_cells(m) for m in meds], numeric_from=1))
    return section("adherence", *body)


def calendar(rep: Report) -> str:
    if not rep.medications:
        return empty("calendar")
    blocks = c.calendar_blocks(rep.period.days)
    body = []
    for days in blocks:
        if len(blocks) > 1:
            body.append(f"**{md(c.month_text(days[0]))}**")
        body.append(calendar_block(rep, days))
    return section("calendar", *body, legend())


def calendar_block(rep: Report, days: list[date]) -> str:
    """One column per day, headed by the day of the month (with the month at the start and on its first day),
    then a row of weekday initials."""
    heads = [f"{d.day} {c.MONTHS[d.month - 1]}" if i == 0 or d.day == 1 else str(d.day) for i, d in enumerate(days)]
    lines = [line(["", *heads]), line(["---", *(":-:" for _ in days)]),
             line(["", *(c.WEEKDAY_INITIAL[d.weekday()] for d in days)])]
    for m in rep.medications:
        states = c.states_by_day(m)
        lines.append(line([md(m.name), *(c.STATE_SYMBOL[states[d]].strip() for d in days)]))
    return "\n".join(lines)


def legend() -> str:
    return "Legend: " + "; ".join(f"{md(c.LEGEND_SYMBOL[state])} {md(label)}" for state, label in c.STATE_LABEL.items())


def changes(rep: Report) -> str:
    if not rep.changes:
        return empty("changes")
    return section("changes", table(c.CHANGE_HEADERS, [c.change_cells(x) for x in rep.changes]))


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
        body.append(f"**{md(m.name)}** {md(c.regimen_text(m.current))}: {md(c.as_needed_summary(m))}")
        if lines := c.over_limit_lines(m, tz):
            body.append("Over the limit:\n\n" + "\n".join(f"- {md(x)}" for x in lines))
    return section("as_needed", *body)


def holidays(rep: Report) -> str:
    rows = c.holiday_rows(rep)
    if not rows:
        return empty("holidays")
    return section("holidays", table(c.HOLIDAY_HEADERS, rows, numeric_from=3))


def about() -> str:
    return section("about", md(c.ABOUT))
