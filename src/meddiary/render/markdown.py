"""The report as GitHub-flavoured Markdown: headings, a list of facts and tables, to paste or keep.

Every piece of text goes through `md`: a name, reason or note can start no markup, link or table cell.
"""

import re
from datetime import date

from meddiary.render import common as c
from meddiary.render import sections
from meddiary.report import Report

SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")


def md(text: str) -> str:
    """Text as literal Markdown on one line."""
    return SPECIAL.sub(r"\\\1", " ".join(text.split()))


def render(rep: Report) -> str:
    return "\n\n".join(sections.report(Markdown(), rep))


def line(cells) -> str:
    return "| " + " | ".join(cells) + " |"


class Markdown:
    """The `sections.Writer` for Markdown: each part a block of lines, blocks apart by a blank line."""

    def header(self, title: str, facts: list[tuple[str, str]]) -> str:
        items = "\n".join(f"- **{md(label)}:** {md(value)}" for label, value in facts)
        return f"# {md(title)}\n\n{items}"

    def section(self, key: str, *parts: str) -> str:
        return "\n\n".join([f"## {md(c.SECTION_TITLES[key])}", *parts])

    def empty(self, message: str) -> str:
        return f"*{md(message)}*"

    def table(self, headers, rows, numeric_from: int | None = None, footer=None, wide: bool = False) -> str:
        """A table of plain cells with an optional last row in bold (a total); columns from `numeric_from` on are
        numbers, aligned right. Markdown sets no widths: `wide` is for the page."""
        rule = ["---:" if numeric_from is not None and i >= numeric_from else "---" for i in range(len(headers))]
        lines = [line(map(md, headers)), line(rule), *(line(map(md, r)) for r in rows)]
        if footer:
            lines.append(line(f"**{md(x)}**" for x in footer))
        return "\n".join(lines)

    def lead(self, name: str, text: str) -> str:
        return f"**{md(name)}** {md(text)}"

    def bullets(self, label: str, lines: list[str]) -> str:
        return f"{md(label)}\n\n" + "\n".join(f"- {md(x)}" for x in lines)

    def fine_print(self, text: str) -> str:
        return md(text)

    def chart(self, title: str | None, lines: list[str]) -> str:
        """A fenced block keeps the columns (the lines hold no user text, and no backticks)."""
        block = "```text\n" + "\n".join(lines) + "\n```"
        return f"**{md(title)}**\n\n{block}" if title else block

    def overview(self, rep: Report) -> list:
        return sections.text_overview(self, rep)

    def calendar(self, rep: Report) -> list[str]:
        blocks = c.calendar_blocks(rep.period.days)
        states = c.calendar_states(rep)
        parts = []
        for days in blocks:
            if len(blocks) > 1:
                parts.append(f"**{md(c.month_text(days[0]))}**")
            parts.append(calendar_block(rep, days, states))
        return [*parts, legend()]


def calendar_block(rep: Report, days: list[date], states: list | None = None) -> str:
    """One column per day, headed by the day of the month (with the month at the start and on its first day),
    then a row of weekday initials. `states`: common.calendar_states."""
    heads = [f"{d.day} {c.MONTHS[d.month - 1]}" if i == 0 or d.day == 1 else str(d.day) for i, d in enumerate(days)]
    lines = [line(["", *heads]), line(["---", *(":-:" for _ in days)]),
             line(["", *(c.WEEKDAY_INITIAL[d.weekday()] for d in days)])]
    for m, by_day in states or c.calendar_states(rep):
        lines.append(line([md(m.name), *(c.STATE_SYMBOL[by_day[d]].strip() for d in days)]))
    return "\n".join(lines)


def legend() -> str:
    return "Legend: " + "; ".join(f"{md(c.LEGEND_SYMBOL[state])} {md(label)}" for state, label in c.STATE_LABEL.items())
