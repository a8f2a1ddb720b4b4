"""A report over a lifetime costs in proportion to its length: the calendar, the mood chart and "around each
change" are linear in the period, not months x days or changes x entries (issue 14). Measured by counting the
work done on 1x and 4x the input, never by the clock (test machines are noisy)."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from meddiary import report, wellbeing
from meddiary.model import Entry, Medication, Regimen
from meddiary.render import html, markdown, terminal
from meddiary.timeparse import wall_to_utc

TZ = ZoneInfo("Europe/Berlin")
FIRST = date(2020, 1, 1)
GENEROUS = 6  # 4x the input: linear work grows about 4x, quadratic work 16x


class Counted(list):
    """A list that counts the items handed out by every pass over it (a comprehension, a for loop, any())."""

    def __init__(self, items, tally: list[int]):
        super().__init__(items)
        self.tally = tally

    def __iter__(self):
        self.tally[0] += len(self)
        return super().__iter__()


class CountedData(dict):
    """An entry's data that counts every look-up (each time "around each change" looks at a log)."""

    def __init__(self, items, tally: list[int]):
        super().__init__(items)
        self.tally = tally

    def get(self, key, default=None):
        self.tally[0] += 1
        return super().get(key, default)


def medication(days: int) -> Medication:
    """One tablet at 08:00, the dose changed every 30 days (so the number of changes grows with the period)."""
    regimens = [Regimen(1, 1, FIRST, "start", 50, "mg", (time(8),))]
    for i, start in enumerate(range(30, days, 30)):
        regimens.append(Regimen(i + 2, 1, FIRST + timedelta(days=start), "change", 50 + 25 * ((i + 1) % 2), "mg",
                                (time(8),), reason="a step"))
    return Medication(1, "sertraline", False, "depression", None, [], regimens)


def diary(days: int, tally: list[int]):
    """A take most days, a mood entry every evening, a side effect logged every week (resolved the next)."""
    ids = count(1)
    doses, health = [], []
    for n in range(days):
        day = FIRST + timedelta(days=n)
        if n % 9:
            doses.append(Entry(next(ids), "take", 1, wall_to_utc(day, time(8, 10), TZ), TZ.key, 50, "mg"))
        health.append(Entry(next(ids), "mood", None, wall_to_utc(day, time(21), TZ), TZ.key,
                            data={"score": 3 + n % 6, "sleep_hours": 7, "depressed": n % 4, "elevated": None,
                                  "anxiety": 1, "irritability": None}))
        if n % 7 == 0:
            health.append(Entry(next(ids), "side_effect", 1, wall_to_utc(day, time(9), TZ), TZ.key,
                                data=CountedData({"symptom": "nausea", "severity": "mild", "resolved": n % 14 == 7},
                                                 tally)))
    return doses, health


def long_report(days: int) -> report.Report:
    last = FIRST + timedelta(days=days - 1)
    now = datetime.combine(last, time(23), tzinfo=UTC)
    doses, health = diary(days, [0])
    period = report.make_period(FIRST, last, TZ, timedelta(hours=2))
    return report.build([medication(days)], doses, period, now, TZ, health)


def calendar_work(rep: report.Report, render) -> int:
    """Items read from the day lists the calendar and the mood chart draw from, while rendering."""
    tally = [0]
    for m in rep.medications:
        m.stats.days = Counted(m.stats.days, tally)
    rep.health.days = Counted(rep.health.days, tally)
    render(rep)
    return tally[0]


RENDERINGS = {
    "markdown": markdown.render,
    "html": html.render,
    "terminal": lambda rep: terminal.render_text(rep, width=120),
}


@pytest.mark.parametrize("fmt", RENDERINGS)
def test_the_calendar_and_the_mood_chart_are_linear_in_the_period(fmt):
    render = RENDERINGS[fmt]
    small, large = long_report(92), long_report(4 * 92)  # 3 and 12 calendar months
    assert len(large.period.days) == 4 * len(small.period.days)
    work_small, work_large = calendar_work(small, render), calendar_work(large, render)
    assert work_small > 0
    assert work_large <= GENEROUS * work_small, (work_small, work_large)


def around_work(days: int) -> tuple[int, int]:
    """(how many changes, the look-ups "around each change" makes in the side-effect logs and the mood days)."""
    tally = [0]
    med = medication(days)
    _, health = diary(days, tally)
    changes = [report.DoseChange(r.start_date, med.name, r.kind, med.regimens[i - 1] if i else None, r, r.reason)
               for i, r in enumerate(med.regimens)]
    eps = wellbeing.episodes(health, [med], TZ)
    mood = Counted(wellbeing.mood_days(health, TZ), tally)
    tally[0] = 0  # only what around_changes does
    out = wellbeing.around_changes(changes, mood, health, eps, FIRST + timedelta(days=days), TZ)
    assert len(out) == len(changes)
    assert any(a.before.side_effects or a.after.side_effects for a in out)
    return len(changes), tally[0]


def test_around_each_change_is_linear_in_the_number_of_changes():
    (n_small, small), (n_large, large) = around_work(360), around_work(4 * 360)
    assert n_large >= 4 * n_small - 1
    assert small > 0
    assert large <= GENEROUS * small, (small, large)


def test_around_each_change_still_names_the_others_in_their_own_order():
    """The changes looked up by day keep the order they were given in (not their days' order)."""
    med = medication(200)
    rs = med.regimens
    one = report.DoseChange(date(2020, 3, 1), "b", "change", None, rs[1], None)
    two = report.DoseChange(date(2020, 3, 5), "a", "change", None, rs[2], None)
    three = report.DoseChange(date(2020, 2, 28), "c", "start", None, rs[0], None)
    a, b, c = wellbeing.around_changes([one, two, three], [], [], [], date(2020, 6, 1), TZ)
    assert a.others == [(date(2020, 3, 5), "a", "change"), (date(2020, 2, 28), "c", "start")]
    assert b.others == [(date(2020, 3, 1), "b", "change"), (date(2020, 2, 28), "c", "start")]
    assert c.others == [(date(2020, 3, 1), "b", "change"), (date(2020, 3, 5), "a", "change")]
