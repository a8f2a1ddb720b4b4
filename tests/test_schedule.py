"""Regimens -> slots (schedule.py): which days, which times, which dose, and DST days."""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from meddiary.model import Medication, Regimen
from meddiary.schedule import dosing_days, expand, in_force_days

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def clocks(*texts: str) -> tuple[time, ...]:
    return tuple(time.fromisoformat(t) for t in texts)


def regimen(id: int, start: date, *times: str, kind: str = "start", dose: float = 50.0, unit: str = "mg",
            **kw) -> Regimen:
    if kind == "stop":
        return Regimen(id, 1, start, "stop", **kw)
    return Regimen(id, 1, start, kind, dose, unit, clocks(*(times or ("08:00",))), **kw)


def med(*regimens: Regimen, as_needed: bool = False) -> Medication:
    return Medication(1, "sertraline", as_needed, regimens=list(regimens))


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- which days ------------------------------------------------------------------------------------

def test_daily_once():
    slots = expand(med(regimen(1, date(2026, 5, 1))), date(2026, 5, 1), date(2026, 5, 3), BERLIN)
    assert [(s.day, s.clock, s.at) for s in slots] == [
        (date(2026, 5, 1), time(8), utc(2026, 5, 1, 6)),
        (date(2026, 5, 2), time(8), utc(2026, 5, 2, 6)),
        (date(2026, 5, 3), time(8), utc(2026, 5, 3, 6)),
    ]
    assert {(s.medication_id, s.dose_amount, s.dose_unit, s.regimen_id) for s in slots} == {(1, 50.0, "mg", 1)}


def test_twice_daily_in_time_order():
    slots = expand(med(regimen(1, date(2026, 5, 1), "08:00", "20:00")), date(2026, 5, 1), date(2026, 5, 2), BERLIN)
    assert [(s.day, s.clock) for s in slots] == [
        (date(2026, 5, 1), time(8)), (date(2026, 5, 1), time(20)),
        (date(2026, 5, 2), time(8)), (date(2026, 5, 2), time(20)),
    ]
    assert [s.at for s in slots] == sorted(s.at for s in slots)


def test_nothing_before_the_regimen_starts():
    slots = expand(med(regimen(1, date(2026, 5, 3))), date(2026, 5, 1), date(2026, 5, 4), BERLIN)
    assert [s.day for s in slots] == [date(2026, 5, 3), date(2026, 5, 4)]


def test_empty_range_and_range_before_start():
    m = med(regimen(1, date(2026, 5, 3)))
    assert expand(m, date(2026, 5, 2), date(2026, 5, 1), BERLIN) == []
    assert expand(m, date(2026, 4, 1), date(2026, 5, 2), BERLIN) == []


def test_as_needed_has_no_slots():
    m = med(Regimen(1, 1, date(2026, 5, 1), "start", 1.0, "mg", (), max_per_day=3), as_needed=True)
    assert expand(m, date(2026, 5, 1), date(2026, 5, 31), BERLIN) == []


def test_weekdays():
    # 2026-05-04 is a Monday.
    m = med(regimen(1, date(2026, 5, 1), weekdays=(0, 2, 4)))
    slots = expand(m, date(2026, 5, 1), date(2026, 5, 14), BERLIN)
    assert [s.day for s in slots] == [date(2026, 5, d) for d in (1, 4, 6, 8, 11, 13)]
    assert {s.day.weekday() for s in slots} == {0, 2, 4}


def test_weekdays_range_starting_mid_week():
    m = med(regimen(1, date(2026, 4, 1), weekdays=(6,)))
    assert [s.day for s in expand(m, date(2026, 5, 4), date(2026, 5, 24), BERLIN)] == [
        date(2026, 5, 10), date(2026, 5, 17), date(2026, 5, 24)]


@pytest.mark.parametrize(("first", "last", "expected"), [
    # Every other day, counted from the regimen's start (2026-05-01): 1, 3, 5, ...
    (date(2026, 5, 1), date(2026, 5, 8), [1, 3, 5, 7]),
    (date(2026, 5, 2), date(2026, 5, 8), [3, 5, 7]),  # range starts on an off day
    (date(2026, 5, 4), date(2026, 5, 9), [5, 7, 9]),
    (date(2026, 5, 5), date(2026, 5, 9), [5, 7, 9]),  # range starts on a dosing day
    (date(2026, 4, 20), date(2026, 5, 4), [1, 3]),  # range starts before the regimen
    (date(2026, 5, 6), date(2026, 5, 6), []),
    (date(2026, 5, 7), date(2026, 5, 7), [7]),
])
def test_every_other_day_is_anchored_at_the_regimen_start(first, last, expected):
    m = med(regimen(1, date(2026, 5, 1), every_days=2))
    assert [s.day for s in expand(m, first, last, BERLIN)] == [date(2026, 5, d) for d in expected]


def test_every_other_day_range_far_from_the_start():
    m = med(regimen(1, date(2025, 1, 1), every_days=2))
    days = [s.day for s in expand(m, date(2026, 5, 1), date(2026, 5, 6), BERLIN)]
    # 2025-01-01 + 2k days: 2026-05-01 is day 485 (odd), so the dosing days are the 2nd, 4th, 6th.
    assert days == [date(2026, 5, 2), date(2026, 5, 4), date(2026, 5, 6)]
    assert all((d - date(2025, 1, 1)).days % 2 == 0 for d in days)


def test_every_three_days():
    m = med(regimen(1, date(2026, 5, 1), "09:00", "21:00", every_days=3))
    slots = expand(m, date(2026, 5, 3), date(2026, 5, 10), BERLIN)
    assert [(s.day.day, s.clock.hour) for s in slots] == [(4, 9), (4, 21), (7, 9), (7, 21), (10, 9), (10, 21)]


def test_dosing_days_directly():
    r = regimen(1, date(2026, 5, 1), every_days=2)
    assert dosing_days(r, date(2026, 5, 2), date(2026, 5, 6)) == [date(2026, 5, 3), date(2026, 5, 5)]
    assert dosing_days(r, date(2026, 4, 1), date(2026, 4, 30)) == []


# --- regimen changes and stops ---------------------------------------------------------------------

def test_dose_change_mid_period():
    m = med(regimen(1, date(2026, 5, 1), dose=50),
            regimen(2, date(2026, 5, 4), kind="change", dose=100))
    slots = expand(m, date(2026, 5, 2), date(2026, 5, 5), BERLIN)
    assert [(s.day.day, s.dose_amount, s.regimen_id) for s in slots] == [
        (2, 50.0, 1), (3, 50.0, 1), (4, 100.0, 2), (5, 100.0, 2)]


def test_taper_steps_change_times_and_stop():
    m = med(regimen(1, date(2026, 5, 1), "08:00", "20:00", dose=100),
            regimen(2, date(2026, 5, 3), "08:00", kind="taper", dose=75),
            regimen(3, date(2026, 5, 5), "08:00", kind="taper", dose=50, unit="mg"),
            regimen(4, date(2026, 5, 7), kind="stop"))
    slots = expand(m, date(2026, 5, 1), date(2026, 5, 10), BERLIN)
    assert [(s.day.day, s.clock.hour, s.dose_amount) for s in slots] == [
        (1, 8, 100), (1, 20, 100), (2, 8, 100), (2, 20, 100),
        (3, 8, 75), (4, 8, 75), (5, 8, 50), (6, 8, 50)]


def test_stop_and_restart():
    m = med(regimen(1, date(2026, 5, 1)),
            regimen(2, date(2026, 5, 3), kind="stop"),
            regimen(3, date(2026, 5, 6), kind="start", dose=25))
    slots = expand(m, date(2026, 5, 1), date(2026, 5, 7), BERLIN)
    assert [(s.day.day, s.dose_amount) for s in slots] == [(1, 50), (2, 50), (6, 25), (7, 25)]
    assert in_force_days(m, date(2026, 5, 1), date(2026, 5, 7)) == [
        date(2026, 5, d) for d in (1, 2, 6, 7)]


def test_stop_on_the_start_day_has_no_slots():
    m = med(regimen(1, date(2026, 5, 1)), regimen(2, date(2026, 5, 1), kind="stop"))
    assert expand(m, date(2026, 4, 30), date(2026, 5, 5), BERLIN) == []


def test_every_other_day_after_a_change_counts_from_the_change():
    m = med(regimen(1, date(2026, 5, 1), every_days=2, dose=50),
            regimen(2, date(2026, 5, 6), kind="change", every_days=2, dose=100))
    slots = expand(m, date(2026, 5, 1), date(2026, 5, 10), BERLIN)
    assert [(s.day.day, s.dose_amount) for s in slots] == [(1, 50), (3, 50), (5, 50), (6, 100), (8, 100), (10, 100)]


def test_in_force_days_ignores_off_days_and_stops():
    m = med(regimen(1, date(2026, 5, 2), every_days=2), regimen(2, date(2026, 5, 5), kind="stop"))
    assert in_force_days(m, date(2026, 5, 1), date(2026, 5, 9)) == [date(2026, 5, d) for d in (2, 3, 4)]


# --- DST days: no slot dropped or doubled ----------------------------------------------------------

DST_DAYS = [
    (NEW_YORK, date(2026, 3, 8)),  # spring forward, 02:00 -> 03:00
    (NEW_YORK, date(2026, 11, 1)),  # fall back, 01:00-02:00 twice
    (BERLIN, date(2026, 3, 29)),  # spring forward, 02:00 -> 03:00
    (BERLIN, date(2026, 10, 25)),  # fall back, 02:00-03:00 twice
]
DST_TIMES = ("00:00", "01:30", "02:00", "02:30", "03:00", "08:00", "23:30")


@pytest.mark.parametrize(("tz", "day"), DST_DAYS)
@pytest.mark.parametrize("times", [("08:00",), ("02:30",), ("01:30",), DST_TIMES])
@pytest.mark.parametrize("every", [None, 2])
def test_exactly_one_slot_per_dose_time_per_day_around_dst(tz, day, times, every):
    start = day - timedelta(days=4)
    m = med(regimen(1, start, *times, every_days=every))
    slots = expand(m, day - timedelta(days=2), day + timedelta(days=2), tz)
    per_day_clock = Counter((s.day, s.clock) for s in slots)
    dosing = [d for d in days_between(day - timedelta(days=2), day + timedelta(days=2))
              if (d - start).days % (every or 1) == 0]
    assert day in dosing
    assert set(per_day_clock) == {(d, time.fromisoformat(t)) for d in dosing for t in times}
    assert set(per_day_clock.values()) == {1}
    assert [s.at for s in slots] == sorted(s.at for s in slots)
    for s in slots:
        local = s.at.astimezone(tz)
        assert local.date() == s.day
        # A wall-clock time is kept, except one in a spring-forward gap, moved forward by the gap (1 h).
        if (local.hour, local.minute) != (s.clock.hour, s.clock.minute):
            assert (s.day, tz) in ((date(2026, 3, 8), NEW_YORK), (date(2026, 3, 29), BERLIN))
            assert s.clock.hour == 2
            assert (local.hour, local.minute) == (3, s.clock.minute)


@pytest.mark.parametrize(("tz", "day", "clock", "expected"), [
    (NEW_YORK, date(2026, 3, 8), "02:30", utc(2026, 3, 8, 7, 30)),  # 03:30 EDT
    (BERLIN, date(2026, 3, 29), "02:30", utc(2026, 3, 29, 1, 30)),  # 03:30 CEST
    (NEW_YORK, date(2026, 11, 1), "01:30", utc(2026, 11, 1, 5, 30)),  # first 01:30, EDT
    (BERLIN, date(2026, 10, 25), "02:30", utc(2026, 10, 25, 0, 30)),  # first 02:30, CEST
])
def test_dst_slot_instants(tz, day, clock, expected):
    m = med(regimen(1, day - timedelta(days=10), clock))
    [slot] = [s for s in expand(m, day, day, tz)]
    assert (slot.day, slot.clock, slot.at) == (day, time.fromisoformat(clock), expected)


def test_08_00_stays_08_00_across_dst_changes():
    m = med(regimen(1, date(2026, 3, 1)))
    slots = expand(m, date(2026, 3, 27), date(2026, 3, 31), BERLIN)
    assert [s.at.astimezone(BERLIN).time() for s in slots] == [time(8)] * 5
    assert [s.at.hour for s in slots] == [7, 7, 6, 6, 6]  # CET then CEST
    assert slots[2].at - slots[1].at == timedelta(hours=23)


def test_weekdays_across_fall_back():
    # 2026-11-01 is a Sunday.
    m = med(regimen(1, date(2026, 10, 1), "01:30", weekdays=(6,)))
    slots = expand(m, date(2026, 10, 25), date(2026, 11, 8), NEW_YORK)
    assert [(s.day, s.at) for s in slots] == [
        (date(2026, 10, 25), utc(2026, 10, 25, 5, 30)),
        (date(2026, 11, 1), utc(2026, 11, 1, 5, 30)),
        (date(2026, 11, 8), utc(2026, 11, 8, 6, 30)),
    ]


def test_every_n_days_by_arithmetic_are_rrules_days():
    """Every N days is expanded by date arithmetic (no dateutil import on `today` and `due`): the days are
    dateutil's DAILY rule with that interval through the anchor, cut to the range, on random regimens."""
    import random

    from dateutil.rrule import DAILY, rrule

    rng = random.Random(7)
    for _ in range(3000):
        every = rng.randint(1, 60)
        anchor = date(2020, 1, 1) + timedelta(days=rng.randint(0, 2000))
        start = anchor + timedelta(days=rng.randint(-30, 30))
        r = Regimen(1, 1, start, "start", 1.0, "mg", (time(8),), every_days=every,
                    anchor=anchor if rng.random() < 0.5 else None)
        first = start + timedelta(days=rng.randint(-100, 400))
        last = first + timedelta(days=rng.randint(-5, 500))
        begin = max(first, start)
        expected = [] if begin > last else [
            d.date() for d in rrule(DAILY, dtstart=datetime.combine(r.cycle_anchor - timedelta(days=every * 60), time()),
                                    interval=every, until=datetime.combine(last, time())) if d.date() >= begin]
        assert dosing_days(r, first, last) == expected, (every, anchor, start, first, last)
