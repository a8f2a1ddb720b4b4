"""The adherence engine (adherence.py) on small hand-built cases, one rule at a time.

The rules are DESIGN.md's "How a dose is counted". Everything is pure: slots, entries and `now` in.
A few end-to-end cases go through report.build() and the JSON rendering.
"""

import itertools
import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from meddiary import adherence, report
from meddiary.adherence import DEFAULT_ON_TIME, holidays, match, med_stats, overall, streaks, windows
from meddiary.model import Entry, Medication, Regimen
from meddiary.render import json as render_json
from meddiary.schedule import expand, in_force_days
from meddiary.timeparse import day_start_utc

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)

_ids = itertools.count(1)


# --- fixtures built by hand --------------------------------------------------------------------------

def local(y, mo, d, hh=0, mm=0, tz=BERLIN, fold=0) -> datetime:
    """A local wall-clock time as the UTC instant the diary stores."""
    return datetime(y, mo, d, hh, mm, tzinfo=tz, fold=fold).astimezone(UTC)


def take(at: datetime, *, id: int | None = None, med: int = 1, tz=BERLIN) -> Entry:
    return Entry(id or next(_ids), "take", med, at, tz.key)


def skip(at: datetime, reason: str | None = "nausea", *, id: int | None = None, med: int = 1, tz=BERLIN) -> Entry:
    return Entry(id or next(_ids), "skip", med, at, tz.key, reason=reason)


def regimen(id: int, start: date, *times: str, kind: str = "start", dose: float = 50.0, med: int = 1,
            **kw) -> Regimen:
    if kind == "stop":
        return Regimen(id, med, start, "stop", **kw)
    return Regimen(id, med, start, kind, dose, "mg", tuple(time.fromisoformat(t) for t in (times or ("08:00",))),
                   **kw)


def medication(*regimens: Regimen, id: int = 1, name: str = "sertraline", as_needed: bool = False) -> Medication:
    return Medication(id, name, as_needed, regimens=list(regimens))


def as_needed_med(start: date, *, id: int = 1, max_per_day=None, min_interval=None) -> Medication:
    return medication(Regimen(1, id, start, "start", 1.0, "mg", (), max_per_day=max_per_day,
                              min_interval=min_interval), id=id, name="lorazepam", as_needed=True)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def slots_of(med: Medication, first: date, last: date, tz=BERLIN):
    return expand(med, first, last, tz)


def stats(med: Medication, entries: list[Entry], first: date, last: date, now: datetime, tz=BERLIN,
          on_time: timedelta = DEFAULT_ON_TIME, max_per_day=None, min_interval=None) -> adherence.MedStats:
    """med_stats over the whole local days first..last, called the way report.build calls it."""
    slots = expand(med, first - timedelta(days=1), last + timedelta(days=1), tz)
    return med_stats(med.id, med.as_needed, slots, entries, day_start_utc(first, tz), now,
                     lambda at: at.astimezone(tz).date(),
                     days_between(first, last), in_force_days(med, first, last), on_time,
                     max_per_day=max_per_day, min_interval=min_interval)


def build(meds, entries, first, last, now, tz=BERLIN, window=DEFAULT_ON_TIME) -> report.Report:
    return report.build(meds, entries, report.make_period(first, last, tz, window), now, tz)


def states(m: adherence.Matching) -> list[tuple[date, time, str]]:
    return [(r.slot.day, r.slot.clock, r.state) for r in m.slots]


def matched_ids(m: adherence.Matching) -> list[int | None]:
    return [r.entry.id if r.entry else None for r in m.slots]


DAILY = medication(regimen(1, date(2026, 4, 1)))  # 08:00 daily
TWICE = medication(regimen(1, date(2026, 4, 1), "08:00", "20:00"))
LATE_EVENING = medication(regimen(1, date(2026, 4, 1), "23:00"))
LATER = datetime(2027, 1, 1, tzinfo=UTC)  # a `now` after every window in these cases


# --- windows -----------------------------------------------------------------------------------------

def test_a_lone_slot_reaches_12_hours_each_side():
    [s] = slots_of(DAILY, date(2026, 5, 1), date(2026, 5, 1))
    assert windows([s]) == [(s.at - 12 * H, s.at + 12 * H)]


def test_windows_reach_half_way_to_neighbours():
    med = medication(regimen(1, date(2026, 4, 1), "08:00", "12:00", "20:00"))
    slots = slots_of(med, date(2026, 5, 1), date(2026, 5, 2))
    got = [(lo.astimezone(BERLIN).replace(tzinfo=None), hi.astimezone(BERLIN).replace(tzinfo=None))
           for lo, hi in windows(slots)]
    assert got[:4] == [
        (datetime(2026, 4, 30, 20), datetime(2026, 5, 1, 10)),  # no earlier slot in the list: 12 h
        (datetime(2026, 5, 1, 10), datetime(2026, 5, 1, 16)),
        (datetime(2026, 5, 1, 16), datetime(2026, 5, 2, 2)),
        (datetime(2026, 5, 2, 2), datetime(2026, 5, 2, 10)),
    ]


def test_windows_are_capped_at_12_hours():
    med = medication(regimen(1, date(2026, 5, 1), every_days=2))
    slots = slots_of(med, date(2026, 5, 1), date(2026, 5, 5))
    assert [(hi - lo) for lo, hi in windows(slots)] == [24 * H] * 3
    assert all(s.at - lo == 12 * H for s, (lo, _) in zip(slots, windows(slots)))


def test_windows_on_a_dst_day_follow_real_time():
    # 08:00 daily across spring forward: the slots are 23 h apart, so the windows meet half way (11.5 h).
    slots = slots_of(medication(regimen(1, date(2026, 1, 1))), date(2026, 3, 28), date(2026, 3, 30))
    (_, a_hi), (b_lo, b_hi), (c_lo, _) = windows(slots)
    assert a_hi == b_lo == slots[0].at + timedelta(hours=11, minutes=30)
    assert b_hi == c_lo == slots[1].at + 12 * H


# --- nearest-first matching --------------------------------------------------------------------------

def test_nearest_take_wins_and_the_other_is_extra():
    slots = slots_of(DAILY, date(2026, 5, 1), date(2026, 5, 3))
    far, near = take(local(2026, 5, 2, 6, 30), id=1), take(local(2026, 5, 2, 7, 50), id=2)
    m = match(slots, [far, near], LATER)
    assert states(m) == [(date(2026, 5, 1), time(8), "missed"), (date(2026, 5, 2), time(8), "on_time"),
                         (date(2026, 5, 3), time(8), "missed")]
    assert matched_ids(m) == [None, 2, None]
    assert m.extras == [far]


def test_nearest_first_not_first_recorded():
    # The later-recorded take (higher id) is nearer the slot: it is the one matched.
    slots = slots_of(DAILY, date(2026, 5, 2), date(2026, 5, 2))
    first_recorded, second = take(local(2026, 5, 2, 9, 30), id=1), take(local(2026, 5, 2, 8, 20), id=2)
    for entries in ([first_recorded, second], [second, first_recorded]):
        m = match(slots, entries, LATER)
        assert matched_ids(m) == [2]
        assert m.extras == [first_recorded]


def test_a_take_between_two_slots_goes_to_the_free_one():
    # 08:00 and 20:00: 13:30 is in the morning window only, 14:00 is on the edge of both.
    slots = slots_of(TWICE, date(2026, 5, 1), date(2026, 5, 1))
    a, b = take(local(2026, 5, 1, 13, 30), id=1), take(local(2026, 5, 1, 14, 0), id=2)
    m = match(slots, [b, a], LATER)
    assert matched_ids(m) == [1, 2]
    assert [r.state for r in m.slots] == ["late", "late"]  # early counts as late
    assert m.extras == []


def test_each_slot_takes_at_most_one_entry():
    slots = slots_of(DAILY, date(2026, 5, 1), date(2026, 5, 1))
    takes = [take(local(2026, 5, 1, 8, mm), id=10 + mm) for mm in (0, 5, 10)]
    m = match(slots, takes, LATER)
    assert matched_ids(m) == [10]
    assert [e.id for e in m.extras] == [15, 20]


def test_two_skips_in_one_window():
    slots = slots_of(DAILY, date(2026, 5, 1), date(2026, 5, 1))
    a, b = skip(local(2026, 5, 1, 7), "nausea", id=1), skip(local(2026, 5, 1, 12), "forgot", id=2)
    m = match(slots, [b, a], LATER)
    assert [(r.state, r.entry.id) for r in m.slots] == [("skipped", 1)]
    assert m.unmatched_skips == [b]
    assert m.extras == []


# --- extra doses ------------------------------------------------------------------------------------

def test_take_outside_every_window_is_extra():
    # Every other day: the off day's 08:00 is 24 h from both slots, beyond the 12 h reach.
    med = medication(regimen(1, date(2026, 5, 1), every_days=2))
    slots = slots_of(med, date(2026, 5, 1), date(2026, 5, 3))
    inside, edge, outside = (take(local(2026, 5, 1, 19, 59), id=1), take(local(2026, 5, 3, 20, 0), id=2),
                             take(local(2026, 5, 2, 8), id=3))
    m = match(slots, [inside, edge, outside], LATER)
    assert [(r.state, r.entry.id) for r in m.slots] == [("late", 1), ("late", 2)]
    assert m.extras == [outside]
    # A late dose of its own day fills the slot until midnight; after midnight it is extra (the next slot
    # is a day later, beyond its on-time window).
    just_in, just_out = take(local(2026, 5, 1, 23, 59), id=4), take(local(2026, 5, 2, 0, 1), id=5)
    assert [r.state for r in match(slots, [just_in], LATER).slots] == ["late", "missed"]
    assert match(slots, [just_out], LATER).extras == [just_out]


def test_extra_takes_come_back_in_time_order():
    slots = slots_of(DAILY, date(2026, 5, 1), date(2026, 5, 1))
    a, b, c = take(local(2026, 5, 1, 8), id=3), take(local(2026, 5, 1, 12), id=1), take(local(2026, 5, 1, 10), id=2)
    assert match(slots, [a, b, c], LATER).extras == [c, b]


def test_extra_counts_in_stats():
    entries = [take(local(2026, 5, 1, 8)), take(local(2026, 5, 1, 9)), take(local(2026, 5, 2, 8))]
    st = stats(DAILY, entries, date(2026, 5, 1), date(2026, 5, 2), LATER)
    assert (st.scheduled, st.taken, st.extra) == (2, 2, 1)
    assert [e.at for e in st.extras] == [local(2026, 5, 1, 9)]


# --- on time, early and late -------------------------------------------------------------------------

def test_a_take_the_evening_before_never_fills_the_morning_slot():
    # 08:00 daily: 21:00 the day before is inside the 12 h window, but a day earlier and hours away
    slots = slots_of(DAILY, date(2026, 5, 2), date(2026, 5, 2))
    early = take(local(2026, 5, 1, 21, 0))
    m = match(slots, [early], LATER)
    assert [r.state for r in m.slots] == ["missed"] and m.extras == [early]
    # 06:00 of its own day is on time (2 h early); 05:59 late; 23:59 of the day before: extra
    assert [r.state for r in match(slots, [take(local(2026, 5, 2, 6, 0))], LATER).slots] == ["on_time"]
    assert [r.state for r in match(slots, [take(local(2026, 5, 2, 5, 59))], LATER).slots] == ["late"]
    assert match(slots, [take(local(2026, 5, 1, 23, 59))], LATER).extras != []


@pytest.mark.parametrize(("offset", "expected"), [
    (timedelta(0), "on_time"),
    (-2 * H, "on_time"),
    (2 * H, "on_time"),
    (-2 * H - MIN, "late"),  # early counts as late
    (2 * H + MIN, "late"),
    (-8 * H, "late"),  # 00:00 of its own day
    (11 * H + 59 * MIN, "late"),
    (12 * H, "late"),  # the window's edge is still inside it
])
def test_on_time_window_default_two_hours(offset, expected):
    slots = slots_of(DAILY, date(2026, 5, 2), date(2026, 5, 2))
    m = match(slots, [take(slots[0].at + offset)], LATER)
    assert [r.state for r in m.slots] == [expected]
    assert m.extras == []


@pytest.mark.parametrize(("window", "offset", "expected"), [
    (H, H, "on_time"),
    (H, -H, "on_time"),
    (H, H + MIN, "late"),
    (H, -H - MIN, "late"),
    (30 * MIN, 30 * MIN, "on_time"),
    (30 * MIN, 31 * MIN, "late"),
    (4 * H, -4 * H, "on_time"),
    (4 * H, 3 * H, "on_time"),
])
def test_custom_on_time_window(window, offset, expected):
    slots = slots_of(DAILY, date(2026, 5, 2), date(2026, 5, 2))
    m = match(slots, [take(slots[0].at + offset)], LATER, on_time=window)
    assert [r.state for r in m.slots] == [expected]


def test_custom_window_in_stats():
    entries = [take(local(2026, 5, 1, 8, 30)), take(local(2026, 5, 2, 9, 30)), take(local(2026, 5, 3, 6, 45))]
    wide = stats(DAILY, entries, date(2026, 5, 1), date(2026, 5, 3), LATER)
    narrow = stats(DAILY, entries, date(2026, 5, 1), date(2026, 5, 3), LATER, on_time=H)
    assert (wide.on_time, wide.late, wide.timing_adherence) == (3, 0, 1.0)
    assert (narrow.on_time, narrow.late, narrow.timing_adherence) == (1, 2, 1 / 3)
    assert wide.adherence == narrow.adherence == 1.0


# --- a take just after midnight ----------------------------------------------------------------------

@pytest.mark.parametrize(("hh", "mm", "expected"), [(0, 30, "on_time"), (1, 0, "on_time"), (1, 30, "late"),
                                                    (10, 59, "late")])
def test_take_after_midnight_belongs_to_the_late_evening_slot(hh, mm, expected):
    slots = slots_of(LATE_EVENING, date(2026, 5, 1), date(2026, 5, 2))
    m = match(slots, [take(local(2026, 5, 2, hh, mm), id=1)], LATER)
    assert states(m) == [(date(2026, 5, 1), time(23), expected), (date(2026, 5, 2), time(23), "missed")]
    assert matched_ids(m) == [1, None]


def test_after_midnight_take_counts_for_the_previous_day():
    entries = [take(local(2026, 5, 2, 0, 30)), take(local(2026, 5, 2, 23, 10))]
    st = stats(LATE_EVENING, entries, date(2026, 5, 1), date(2026, 5, 2), LATER)
    assert (st.scheduled, st.taken, st.on_time, st.missed, st.extra) == (2, 2, 2, 0, 0)
    assert st.correct_dosing_days == 1.0
    assert [d.state for d in st.days] == ["taken", "taken"]


# --- twice daily and every other day -----------------------------------------------------------------

def test_twice_daily():
    entries = [take(local(2026, 5, 1, 8, 10)), take(local(2026, 5, 1, 21, 30)),
               take(local(2026, 5, 2, 7, 0)), skip(local(2026, 5, 3, 20), "felt dizzy"),
               take(local(2026, 5, 3, 11, 0))]
    m = match(slots_of(TWICE, date(2026, 5, 1), date(2026, 5, 3)), entries, LATER)
    assert [r.state for r in m.slots] == ["on_time", "on_time", "on_time", "missed", "late", "skipped"]
    st = stats(TWICE, entries, date(2026, 5, 1), date(2026, 5, 3), LATER)
    assert (st.scheduled, st.taken, st.on_time, st.late, st.skipped, st.missed) == (6, 4, 3, 1, 1, 1)
    assert st.adherence == pytest.approx(4 / 6)
    assert st.timing_adherence == pytest.approx(3 / 6)
    assert [d.state for d in st.days] == ["taken", "partial", "partial"]
    assert st.skip_reasons == {"felt dizzy": 1}


def test_every_other_day():
    med = medication(regimen(1, date(2026, 5, 1), every_days=2))
    entries = [take(local(2026, 5, 1, 8)), take(local(2026, 5, 3, 11)), take(local(2026, 5, 4, 8))]
    st = stats(med, entries, date(2026, 5, 1), date(2026, 5, 6), LATER)
    assert [(r.slot.day.day, r.state) for r in st.slots] == [(1, "on_time"), (3, "late"), (5, "missed")]
    assert (st.scheduled, st.taken, st.missed, st.extra) == (3, 2, 1, 1)
    assert [d.state for d in st.days] == ["taken", "none", "late", "none", "missed", "none"]


# --- regimen changes and stops -----------------------------------------------------------------------

def test_dose_change_mid_period():
    med = medication(regimen(1, date(2026, 4, 1), dose=50), regimen(2, date(2026, 5, 3), kind="change", dose=100))
    entries = [take(local(2026, 5, d, 8)) for d in (1, 2, 3, 5)]
    st = stats(med, entries, date(2026, 5, 1), date(2026, 5, 5), LATER)
    assert [(r.slot.day.day, r.slot.dose_amount, r.slot.regimen_id, r.state) for r in st.slots] == [
        (1, 50, 1, "on_time"), (2, 50, 1, "on_time"), (3, 100, 2, "on_time"), (4, 100, 2, "missed"),
        (5, 100, 2, "on_time")]
    assert (st.scheduled, st.taken, st.missed) == (5, 4, 1)


def test_time_change_mid_period_moves_the_windows():
    # 08:00 until 5/2, then 20:00: 36 h between 5/2 08:00 and 5/3 20:00, so both windows stop at 12 h and a
    # take at 5/3 07:00 (23 h after one, 13 h before the other) matches neither; 10:00 is a late take.
    med = medication(regimen(1, date(2026, 4, 1), "08:00"), regimen(2, date(2026, 5, 3), "20:00", kind="change"))
    entries = [take(local(2026, 5, 2, 8)), take(local(2026, 5, 3, 7)), take(local(2026, 5, 4, 10)),
               take(local(2026, 5, 4, 19))]
    st = stats(med, entries, date(2026, 5, 1), date(2026, 5, 4), LATER)
    assert [(r.slot.day.day, r.slot.clock.hour, r.state) for r in st.slots] == [
        (1, 8, "missed"), (2, 8, "on_time"), (3, 20, "missed"), (4, 20, "on_time")]
    assert [e.at for e in st.extras] == [local(2026, 5, 3, 7), local(2026, 5, 4, 10)]


def test_stop_date():
    med = medication(regimen(1, date(2026, 4, 1)), regimen(2, date(2026, 5, 3), kind="stop"))
    entries = [take(local(2026, 5, 1, 8)), take(local(2026, 5, 2, 8)), take(local(2026, 5, 4, 8))]
    st = stats(med, entries, date(2026, 5, 1), date(2026, 5, 8), LATER)
    assert [r.slot.day for r in st.slots] == [date(2026, 5, 1), date(2026, 5, 2)]
    assert (st.scheduled, st.taken, st.missed, st.extra, st.adherence) == (2, 2, 0, 1, 1.0)
    # No dose for six days after a stop is not a drug holiday: the medication was not prescribed.
    assert st.drug_holidays == 0
    assert [d.state for d in st.days][:3] == ["taken", "taken", "none"]


# --- pending slots -----------------------------------------------------------------------------------

def test_pending_slots_are_counted_nowhere():
    now = local(2026, 5, 3, 9, 0)  # the 08:00 window is open until 14:00, the 20:00 one later
    entries = [take(local(2026, 5, 1, 8)), take(local(2026, 5, 1, 20))]
    st = stats(TWICE, entries, date(2026, 5, 1), date(2026, 5, 3), now)
    assert [r.state for r in st.slots] == ["on_time", "on_time", "missed", "missed", "pending", "pending"]
    assert (st.scheduled, st.taken, st.missed, st.pending) == (4, 2, 2, 2)
    assert st.adherence == 0.5
    assert [d.state for d in st.days] == ["taken", "missed", "pending"]
    assert st.correct_dosing_days == 0.5  # the pending day is not judged yet


def test_a_pending_slot_can_already_be_taken_or_skipped():
    now = local(2026, 5, 3, 9, 0)
    entries = [take(local(2026, 5, 3, 8, 30)), skip(local(2026, 5, 3, 8, 45), "out of stock")]
    m = match(slots_of(TWICE, date(2026, 5, 3), date(2026, 5, 3)), entries, now)
    assert [r.state for r in m.slots] == ["on_time", "pending"]
    entries = [skip(local(2026, 5, 3, 8, 45), "out of stock")]
    assert [r.state for r in match(slots_of(TWICE, date(2026, 5, 3), date(2026, 5, 3)), entries, now).slots] == [
        "skipped", "pending"]


def test_missed_once_the_window_has_ended():
    slots = slots_of(DAILY, date(2026, 5, 1), date(2026, 5, 1))
    closes = slots[0].at + 12 * H
    assert [r.state for r in match(slots, [], closes - MIN).slots] == ["pending"]
    assert [r.state for r in match(slots, [], closes).slots] == ["missed"]


def test_nothing_scheduled_yet_gives_null_fractions():
    now = local(2026, 5, 1, 9, 0)
    med = medication(regimen(1, date(2026, 5, 1)))
    st = stats(med, [], date(2026, 5, 1), date(2026, 5, 1), now)
    assert (st.scheduled, st.pending) == (0, 1)
    assert (st.adherence, st.timing_adherence, st.correct_dosing_days) == (None, None, None)


# --- DST days ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("tz", "first"), [(BERLIN, date(2026, 3, 28)), (BERLIN, date(2026, 10, 24)),
                                           (NEW_YORK, date(2026, 3, 7)), (NEW_YORK, date(2026, 10, 31))])
@pytest.mark.parametrize("times", [("08:00",), ("01:30",), ("02:30",), ("08:00", "20:00")])
def test_dst_days_every_slot_counted_once(tz, first, times):
    med = medication(regimen(1, date(2026, 1, 1), *times))
    last = first + timedelta(days=2)
    entries = [take(s.at, tz=tz) for s in slots_of(med, first, last, tz)]  # taken exactly at each slot
    st = stats(med, entries, first, last, LATER, tz=tz)
    assert st.scheduled == 3 * len(times)
    assert (st.taken, st.on_time, st.missed, st.extra) == (st.scheduled, st.scheduled, 0, 0)
    assert [d.state for d in st.days] == ["taken"] * 3


def test_spring_forward_gap_slot_taken_at_the_moved_time():
    med = medication(regimen(1, date(2026, 1, 1), "02:30"))
    slots = slots_of(med, date(2026, 3, 29), date(2026, 3, 29))
    assert slots[0].at == local(2026, 3, 29, 3, 30)
    for at in (local(2026, 3, 29, 3, 30), local(2026, 3, 29, 1, 45), local(2026, 3, 29, 5, 30)):
        assert [r.state for r in match(slots, [take(at)], LATER).slots] == ["on_time"]


def test_fall_back_slot_counts_at_its_first_occurrence():
    med = medication(regimen(1, date(2026, 1, 1), "01:30"))
    slots = slots_of(med, date(2026, 10, 31), date(2026, 11, 2), NEW_YORK)
    assert len(slots) == 3
    first_130 = local(2026, 11, 1, 1, 30, tz=NEW_YORK)
    second_130 = local(2026, 11, 1, 1, 30, tz=NEW_YORK, fold=1)
    assert slots[1].at == first_130 == second_130 - H
    m = match(slots, [take(second_130, tz=NEW_YORK)], LATER)
    assert [r.state for r in m.slots] == ["missed", "on_time", "missed"]  # one hour after the slot
    m = match(slots, [take(second_130 + 2 * H, tz=NEW_YORK)], LATER)
    assert [r.state for r in m.slots] == ["missed", "late", "missed"]


# --- skips ------------------------------------------------------------------------------------------

def test_skips_with_reasons_are_counted():
    entries = [skip(local(2026, 5, 1, 8), "nausea"), skip(local(2026, 5, 2, 7), "nausea"),
               skip(local(2026, 5, 3, 9), "ran out"), take(local(2026, 5, 4, 8))]
    st = stats(DAILY, entries, date(2026, 5, 1), date(2026, 5, 5), LATER)
    assert (st.scheduled, st.taken, st.skipped, st.missed) == (5, 1, 3, 1)
    assert st.skip_reasons == {"nausea": 2, "ran out": 1}
    assert list(st.skip_reasons) == ["nausea", "ran out"]  # most common first
    assert st.adherence == 0.2
    assert [d.state for d in st.days] == ["skipped", "skipped", "skipped", "taken", "missed"]


@pytest.mark.parametrize(("skip_at", "take_at"), [
    ((8, 0), (10, 30)),  # the skip is nearer the slot
    ((8, 0), (8, 0)),  # same instant
    ((9, 0), (7, 0)),  # the take came first
])
def test_a_take_wins_over_a_skip_in_the_same_window(skip_at, take_at):
    s = skip(local(2026, 5, 1, *skip_at), "nausea", id=1)
    t = take(local(2026, 5, 1, *take_at), id=2)
    slots = slots_of(DAILY, date(2026, 5, 1), date(2026, 5, 1))
    for entries in ([s, t], [t, s]):
        m = match(slots, entries, LATER)
        assert matched_ids(m) == [2]
        assert m.slots[0].taken
        assert m.unmatched_skips == [s]
        assert m.extras == []
    st = stats(DAILY, [s, t], date(2026, 5, 1), date(2026, 5, 1), LATER)
    assert (st.scheduled, st.taken, st.skipped, st.skip_reasons) == (1, 1, 0, {})


def test_the_docstring_documents_takes_over_skips():
    assert "Takes are matched before skips" in " ".join(adherence.__doc__.split())


def test_a_skip_fills_only_its_own_window():
    entries = [skip(local(2026, 5, 1, 8), "nausea"), take(local(2026, 5, 1, 20, 30))]
    st = stats(TWICE, entries, date(2026, 5, 1), date(2026, 5, 1), LATER)
    assert [r.state for r in st.slots] == ["skipped", "on_time"]
    assert st.skip_reasons == {"nausea": 1}


# --- correct dosing days ------------------------------------------------------------------------------

def test_correct_dosing_days():
    entries = [
        take(local(2026, 5, 1, 8)), take(local(2026, 5, 1, 20)),  # both: correct
        take(local(2026, 5, 2, 8)),  # one of two: not correct
        take(local(2026, 5, 3, 8)), take(local(2026, 5, 3, 9)), take(local(2026, 5, 3, 20)),  # one extra: not correct
        take(local(2026, 5, 4, 10, 30)), take(local(2026, 5, 4, 19)),  # both, one late: correct
    ]
    st = stats(TWICE, entries, date(2026, 5, 1), date(2026, 5, 4), LATER)
    assert (st.scheduled, st.taken, st.extra) == (8, 7, 1)
    assert st.correct_dosing_days == 0.5


def test_an_extra_dose_makes_a_fully_taken_day_incorrect():
    entries = [take(local(2026, 5, 1, 8)), take(local(2026, 5, 2, 8)), take(local(2026, 5, 2, 8, 30))]
    st = stats(DAILY, entries, date(2026, 5, 1), date(2026, 5, 2), LATER)
    assert (st.taken, st.extra) == (2, 1)
    assert st.correct_dosing_days == 0.5
    assert (st.longest_streak, st.current_streak) == (2, 2)  # a fully-taken day, though not a correct one


def test_a_double_dose_does_not_make_up_for_a_missed_one():
    # Twice daily: a double dose in the morning and the evening skipped is two doses on a two-dose day, but
    # not the doses prescribed at their times: the day is not correctly dosed (issue 12; by a MEMS-style
    # count of intakes alone it would be).
    entries = [take(local(2026, 5, 1, 8)), take(local(2026, 5, 1, 9)), skip(local(2026, 5, 1, 20), "forgot")]
    st = stats(TWICE, entries, date(2026, 5, 1), date(2026, 5, 1), LATER)
    assert (st.taken, st.extra, st.skipped) == (1, 1, 1)
    assert st.correct_dosing_days == 0.0


def test_an_extra_dose_on_a_day_with_nothing_prescribed_is_a_day_dosed_wrongly():
    # Weekly on Fridays (1 May 2026 is a Friday): taken on Fri 1 and Fri 8, and once more on Tue 5, a day with
    # nothing prescribed. Days judged: 1, 5, 8 -> correct 1 and 8 -> 2/3.
    weekly = medication(regimen(1, date(2026, 5, 1), weekdays=(4,)))
    entries = [take(local(2026, 5, 1, 8)), take(local(2026, 5, 5, 8)), take(local(2026, 5, 8, 8))]
    st = stats(weekly, entries, date(2026, 5, 1), date(2026, 5, 10), LATER)
    assert (st.scheduled, st.taken, st.extra) == (2, 2, 1)
    assert st.correct_dosing_days == 2 / 3
    o = adherence.overall([st])
    assert o.correct_dosing_days == 2 / 3


# --- drug holidays ---------------------------------------------------------------------------------

def test_drug_holidays_need_three_days_without_a_dose():
    taken_on = (1, 4, 8, 9, 14)  # gaps: 2-3 (2 days), 5-7 (3 days), 10-13 (4 days)
    entries = [take(local(2026, 5, d, 8)) for d in taken_on]
    st = stats(DAILY, entries, date(2026, 5, 1), date(2026, 5, 14), LATER)
    assert st.drug_holidays == 2
    assert st.holiday_spans == [(date(2026, 5, 5), date(2026, 5, 7)), (date(2026, 5, 10), date(2026, 5, 13))]


def test_two_days_without_a_dose_is_not_a_holiday():
    entries = [take(local(2026, 5, d, 8)) for d in (1, 4)]
    assert stats(DAILY, entries, date(2026, 5, 1), date(2026, 5, 4), LATER).drug_holidays == 0


def test_today_does_not_count_towards_a_holiday_yet():
    entries = [take(local(2026, 5, 1, 8))]
    # 5/2 and 5/3 are over, 5/4 is today.
    assert stats(DAILY, entries, date(2026, 5, 1), date(2026, 5, 4), local(2026, 5, 4, 23)).drug_holidays == 0
    assert stats(DAILY, entries, date(2026, 5, 1), date(2026, 5, 4), local(2026, 5, 5, 0, 1)).drug_holidays == 1


def test_holidays_setting_and_gaps_in_prescribed_days():
    days = [date(2026, 5, d) for d in (1, 2, 3, 4, 5, 8, 9, 10)]
    assert holidays(days, {date(2026, 5, 1)}) == [(date(2026, 5, 2), date(2026, 5, 5)),
                                                  (date(2026, 5, 8), date(2026, 5, 10))]
    assert holidays(days, {date(2026, 5, 3), date(2026, 5, 9)}, min_days=2) == [(date(2026, 5, 1), date(2026, 5, 2)),
                                                                              (date(2026, 5, 4), date(2026, 5, 5))]
    assert holidays(days, {date(2026, 5, 3), date(2026, 5, 9)}) == []
    assert holidays([], set()) == []


def test_every_other_day_perfectly_taken_has_no_holiday():
    med = medication(regimen(1, date(2026, 5, 1), every_days=2))
    entries = [take(local(2026, 5, d, 8)) for d in range(1, 15, 2)]
    st = stats(med, entries, date(2026, 5, 1), date(2026, 5, 14), LATER)
    assert (st.adherence, st.drug_holidays) == (1.0, 0)


WEEKLY = medication(regimen(1, date(2026, 5, 4), weekdays=(0,)))  # Mondays


def test_weekly_medication_perfectly_taken_has_no_holiday():
    # Was a 'drug holiday' every week: the six days between doses (fixed in 4d03d44).
    entries = [take(local(2026, 5, d, 8)) for d in (4, 11, 18, 25)]
    st = stats(WEEKLY, entries, date(2026, 5, 4), date(2026, 5, 31), LATER)
    assert st.adherence == 1.0
    assert st.drug_holidays == 0


def test_a_weekly_dose_missed_once_is_not_a_13_day_holiday():
    # only prescribed (dosing) days count: one missed weekly dose is one day without a dose, not 13
    entries = [take(local(2026, 5, d, 8)) for d in (4, 18, 25)]  # 11 May missed
    st = stats(WEEKLY, entries, date(2026, 5, 4), date(2026, 5, 31), LATER)
    assert (st.missed, st.drug_holidays, st.holiday_spans) == (1, 0, [])


def test_three_weekly_doses_missed_in_a_row_are_a_holiday():
    entries = [take(local(2026, 5, 4, 8))]  # 11, 18 and 25 May missed: three dosing days in a row
    st = stats(WEEKLY, entries, date(2026, 5, 4), date(2026, 5, 31), LATER)
    assert st.holiday_spans == [(date(2026, 5, 11), date(2026, 5, 25))]


def test_every_four_days_perfectly_taken_has_no_holiday():
    med = medication(regimen(1, date(2026, 5, 1), every_days=4))
    entries = [take(local(2026, 5, d, 8)) for d in (1, 5, 9, 13)]
    st = stats(med, entries, date(2026, 5, 1), date(2026, 5, 14), LATER)
    assert (st.adherence, st.drug_holidays) == (1.0, 0)


# --- streaks ----------------------------------------------------------------------------------------

def test_streaks():
    taken_on = (1, 2, 3, 5, 6, 7, 8)  # 4 missed; 7 late
    entries = [take(local(2026, 5, d, 11 if d == 7 else 8)) for d in taken_on]
    st = stats(DAILY, entries, date(2026, 5, 1), date(2026, 5, 8), LATER)
    assert (st.longest_streak, st.current_streak) == (4, 4)
    entries = [take(local(2026, 5, d, 8)) for d in (1, 2, 3, 5, 6)]
    st = stats(DAILY, entries, date(2026, 5, 1), date(2026, 5, 8), LATER)
    assert (st.longest_streak, st.current_streak) == (3, 0)


def test_current_streak_ignores_the_pending_day():
    # Noon on 5/3: the morning dose is taken, the evening one pending, so 5/3 is not judged yet.
    entries = [take(local(2026, 5, d, h)) for d in (1, 2) for h in (8, 20)] + [take(local(2026, 5, 3, 8))]
    st = stats(TWICE, entries, date(2026, 5, 1), date(2026, 5, 3), local(2026, 5, 3, 12))
    assert (st.longest_streak, st.current_streak) == (2, 2)


def test_a_partly_taken_or_skipped_day_breaks_a_streak():
    entries = [take(local(2026, 5, 1, 8)), take(local(2026, 5, 1, 20)), take(local(2026, 5, 2, 8)),
               skip(local(2026, 5, 2, 20)), take(local(2026, 5, 3, 8)), take(local(2026, 5, 3, 20))]
    st = stats(TWICE, entries, date(2026, 5, 1), date(2026, 5, 3), LATER)
    assert (st.longest_streak, st.current_streak) == (1, 1)


def test_streaks_function():
    assert streaks([]) == (0, 0)
    assert streaks([True, True, False, True]) == (2, 1)
    assert streaks([False, True, True, True]) == (3, 3)
    assert streaks([True, False]) == (1, 0)


# --- as needed --------------------------------------------------------------------------------------

PRN = as_needed_med(date(2026, 4, 1))


def test_as_needed_uses_and_uses_per_week():
    entries = [take(local(2026, 5, d, 22)) for d in (2, 5, 9, 13)]
    st = stats(PRN, entries, date(2026, 5, 1), date(2026, 5, 14), LATER)
    assert (st.uses, st.uses_per_week) == (4, 2.0)
    assert (st.scheduled, st.adherence, st.slots, st.extra) == (0, None, [], 0)
    assert [d.state for d in st.days].count("used") == 4
    assert st.days[1].uses == 1


def test_as_needed_uses_per_week_rounds():
    entries = [take(local(2026, 5, 1, h)) for h in (8, 14)]
    st = stats(PRN, entries, date(2026, 5, 1), date(2026, 5, 3), LATER)
    assert st.uses_per_week == 4.67


def test_over_limit_is_a_rolling_24_hours_not_a_calendar_day():
    # At most 2 in any 24 hours: 22:00, 23:00 and 01:00 the next day are three within 3 hours, though no
    # calendar day has more than two. 23:30 the next day has only 01:00 within the 24 hours before it.
    entries = [take(local(2026, 5, 1, 22), id=1), take(local(2026, 5, 1, 23), id=2),
               take(local(2026, 5, 2, 1), id=3), take(local(2026, 5, 2, 23, 30), id=4)]
    st = stats(PRN, entries, date(2026, 5, 1), date(2026, 5, 3), LATER, max_per_day=2)
    assert [e.id for e in st.over_limit] == [3]
    assert st.uses == 4


def test_over_limit_exactly_24_hours_apart_is_fine():
    entries = [take(local(2026, 5, d, 8), id=d) for d in (1, 2, 3)]
    st = stats(PRN, entries, date(2026, 5, 1), date(2026, 5, 3), LATER, max_per_day=1)
    assert st.over_limit == []
    late = take(local(2026, 5, 3, 7, 59), id=9)
    st = stats(PRN, entries[:2] + [late], date(2026, 5, 1), date(2026, 5, 3), LATER, max_per_day=1)
    assert [e.id for e in st.over_limit] == [9]


def test_over_limit_counts_every_take_beyond_the_maximum():
    entries = [take(local(2026, 5, 1, h), id=h) for h in (8, 12, 16, 20)]
    st = stats(PRN, entries, date(2026, 5, 1), date(2026, 5, 2), LATER, max_per_day=2)
    assert [e.id for e in st.over_limit] == [16, 20]


def test_over_limit_looks_back_before_the_period():
    entries = [take(local(2026, 4, 30, 22), id=1), take(local(2026, 4, 30, 23), id=2),
               take(local(2026, 5, 1, 1), id=3)]
    st = stats(PRN, entries, date(2026, 5, 1), date(2026, 5, 2), LATER, max_per_day=2)
    assert st.uses == 1
    assert [e.id for e in st.over_limit] == [3]


def test_too_soon():
    entries = [take(local(2026, 5, 1, 8), id=1), take(local(2026, 5, 1, 11), id=2),
               take(local(2026, 5, 1, 15), id=3), take(local(2026, 5, 1, 18, 59), id=4)]
    st = stats(PRN, entries, date(2026, 5, 1), date(2026, 5, 1), LATER, min_interval=4 * H)
    assert [e.id for e in st.too_soon] == [2, 4]
    assert st.over_limit == []


def test_as_needed_limits_from_the_regimen_in_report():
    med = as_needed_med(date(2026, 4, 1), max_per_day=2, min_interval=4 * H)
    entries = [take(local(2026, 5, 1, h), id=h) for h in (8, 10, 20, 21)]
    rep = build([med], entries, date(2026, 5, 1), date(2026, 5, 1), LATER)
    st = rep.medications[0].stats
    assert [e.id for e in st.over_limit] == [20, 21]
    assert [e.id for e in st.too_soon] == [10, 21]
    assert (rep.overall.as_needed_uses, rep.overall.over_limit) == (4, 2)
    d = render_json.to_dict(rep)["medications"][0]["as_needed"]
    assert (d["uses"], d["over_limit"], d["too_soon"], d["uses_per_week"]) == (4, 2, 2, 28.0)


def prn_with_limits(*steps: tuple[date, int]) -> Medication:
    return medication(*(Regimen(i + 1, 1, day, "start" if i == 0 else "change", 1.0, "mg", (), max_per_day=n)
                        for i, (day, n) in enumerate(steps)), name="lorazepam", as_needed=True)


def test_as_needed_limit_lowered_later_does_not_flag_earlier_takes():
    # Was judged by the limit at the period's end (fixed in 4d03d44).
    med = prn_with_limits((date(2026, 4, 1), 3), (date(2026, 5, 10), 1))
    entries = [take(local(2026, 5, 5, h), id=h) for h in (8, 14, 20)]  # three on 5/5, allowed then
    entries += [take(local(2026, 5, 12, h), id=100 + h) for h in (8, 14)]  # two on 5/12, one too many
    rep = build([med], entries, date(2026, 5, 1), date(2026, 5, 20), LATER)
    assert [e.id for e in rep.medications[0].stats.over_limit] == [114]


def test_as_needed_limit_raised_later_still_flags_earlier_overuse():
    med = prn_with_limits((date(2026, 4, 1), 1), (date(2026, 5, 10), 3))
    entries = [take(local(2026, 5, 5, h), id=h) for h in (8, 14)]  # two on 5/5, one too many then
    entries += [take(local(2026, 5, 12, h), id=100 + h) for h in (8, 14, 20)]  # three on 5/12, allowed
    rep = build([med], entries, date(2026, 5, 1), date(2026, 5, 20), LATER)
    assert [e.id for e in rep.medications[0].stats.over_limit] == [14]


# --- overall ----------------------------------------------------------------------------------------

def test_overall_sums_the_medications():
    a = medication(regimen(1, date(2026, 4, 1), "08:00", med=1), id=1, name="sertraline")
    b = medication(regimen(2, date(2026, 4, 1), "08:00", "20:00", med=2), id=2, name="quetiapine")
    prn = as_needed_med(date(2026, 4, 1), id=3, max_per_day=1)
    entries = [
        take(local(2026, 5, 1, 8), med=1), take(local(2026, 5, 2, 11), med=1), skip(local(2026, 5, 3, 8), "ran out", med=1),
        take(local(2026, 5, 1, 8), med=2), take(local(2026, 5, 1, 20), med=2), take(local(2026, 5, 1, 21), med=2),
        take(local(2026, 5, 2, 8), med=2), skip(local(2026, 5, 3, 20), "ran out", med=2),
        take(local(2026, 5, 2, 22), med=3), take(local(2026, 5, 2, 23), med=3),
    ]
    rep = build([a, b, prn], entries, date(2026, 5, 1), date(2026, 5, 3), LATER)
    o = rep.overall
    assert (o.scheduled, o.taken, o.on_time, o.late, o.skipped, o.missed, o.extra) == (9, 5, 4, 1, 2, 2, 1)
    assert o.adherence == pytest.approx(5 / 9)
    assert o.timing_adherence == pytest.approx(4 / 9)
    assert o.skip_reasons == {"ran out": 2}
    assert (o.as_needed_uses, o.over_limit) == (2, 1)
    # 5/1: sertraline correct, quetiapine had an extra -> not correct; 5/2: quetiapine half; 5/3: neither.
    assert o.correct_dosing_days == 0.0
    by_name = {m.name: m.stats for m in rep.medications}
    assert [m.name for m in rep.medications] == ["quetiapine", "sertraline", "lorazepam"]
    for name in ("scheduled", "taken", "on_time", "late", "skipped", "missed", "extra"):
        assert getattr(o, name) == getattr(by_name["sertraline"], name) + getattr(by_name["quetiapine"], name)


def test_overall_correct_days_need_every_medication_right():
    a = medication(regimen(1, date(2026, 4, 1), "08:00", med=1), id=1, name="a")
    b = medication(regimen(2, date(2026, 4, 1), "20:00", med=2), id=2, name="b")
    entries = [take(local(2026, 5, 1, 8), med=1), take(local(2026, 5, 1, 20), med=2),
               take(local(2026, 5, 2, 8), med=1)]
    o = build([a, b], entries, date(2026, 5, 1), date(2026, 5, 2), LATER).overall
    assert o.correct_dosing_days == 0.5
    assert (o.longest_streak, o.current_streak) == (1, 0)


def test_overall_with_nothing_scheduled_has_null_fractions():
    o = overall([])
    assert (o.scheduled, o.taken, o.extra) == (0, 0, 0)
    assert (o.adherence, o.timing_adherence, o.correct_dosing_days) == (None, None, None)
    rep = build([PRN], [take(local(2026, 5, 1, 8))], date(2026, 5, 1), date(2026, 5, 2), LATER)
    assert (rep.overall.scheduled, rep.overall.adherence, rep.overall.as_needed_uses) == (0, None, 1)
    out = json.loads(render_json.render(rep))
    assert out["overall"]["adherence"] is None
    assert out["overall"]["timing_adherence"] is None
    assert out["overall"]["correct_dosing_days"] is None
    assert out["medications"][0]["adherence"] is None


# --- end to end through report.build -----------------------------------------------------------------

def test_report_period_edges():
    # 23:00 daily. The 00:30 take on the first day belongs to the previous day's slot (outside the period):
    # it is neither counted nor extra. The last day's slot is taken at 00:30 after the period: counted.
    entries = [take(local(2026, 5, 1, 0, 30)), take(local(2026, 5, 1, 23)), take(local(2026, 5, 2, 23, 30)),
               take(local(2026, 5, 4, 0, 30))]
    rep = build([LATE_EVENING], entries, date(2026, 5, 1), date(2026, 5, 3), local(2026, 5, 4, 12))
    st = rep.medications[0].stats
    assert [r.slot.day for r in st.slots] == [date(2026, 5, 1), date(2026, 5, 2), date(2026, 5, 3)]
    assert (st.scheduled, st.taken, st.on_time, st.extra, st.missed) == (3, 3, 3, 0, 0)
    assert rep.overall.extra == 0


def test_report_period_edge_without_the_previous_slot_is_extra():
    # Started on the first day: the 00:30 take has no slot the evening before, so it is an extra dose.
    med = medication(regimen(1, date(2026, 5, 1), "23:00"))
    rep = build([med], [take(local(2026, 5, 1, 0, 30))], date(2026, 5, 1), date(2026, 5, 1), LATER)
    st = rep.medications[0].stats
    assert (st.scheduled, st.taken, st.extra, st.missed) == (1, 0, 1, 1)


def test_report_dose_change_and_stop_in_the_period():
    med = medication(regimen(1, date(2026, 4, 1), dose=50),
                     regimen(2, date(2026, 5, 3), kind="change", dose=100, reason="little effect"),
                     regimen(3, date(2026, 5, 5), kind="stop", reason="side effects"))
    entries = [take(local(2026, 5, d, 8)) for d in (1, 2, 3, 4)]
    rep = build([med], entries, date(2026, 5, 1), date(2026, 5, 7), LATER)
    st = rep.medications[0].stats
    assert [(r.slot.day.day, r.slot.dose_amount) for r in st.slots] == [(1, 50), (2, 50), (3, 100), (4, 100)]
    assert (st.scheduled, st.taken, st.adherence, st.drug_holidays) == (4, 4, 1.0, 0)
    assert [(c.day, c.kind, c.before.id, c.after.id, c.reason) for c in rep.changes] == [
        (date(2026, 5, 3), "change", 1, 2, "little effect"), (date(2026, 5, 5), "stop", 2, 3, "side effects")]
    assert rep.medications[0].current.id == 2  # the last dosing regimen
    assert [d.state for d in st.days] == ["taken"] * 4 + ["none"] * 3


def test_report_pending_today_and_window_setting():
    now = local(2026, 5, 3, 12)
    entries = [take(local(2026, 5, 1, 8)), take(local(2026, 5, 1, 21, 30)), take(local(2026, 5, 2, 9, 30)),
               take(local(2026, 5, 3, 8))]
    rep = build([TWICE], entries, date(2026, 5, 1), date(2026, 5, 3), now, window=H)
    st = rep.medications[0].stats
    assert (st.scheduled, st.taken, st.on_time, st.late, st.missed, st.pending) == (5, 4, 2, 2, 1, 1)
    assert [d.state for d in st.days] == ["late", "partial", "pending"]
    out = render_json.to_dict(rep)
    assert out["period"]["window_minutes"] == 60
    assert out["medications"][0]["days"] == [{"date": "2026-05-01", "state": "late"},
                                             {"date": "2026-05-02", "state": "partial"},
                                             {"date": "2026-05-03", "state": "pending"}]
    assert (out["medications"][0]["scheduled"], out["medications"][0]["adherence"]) == (5, 0.8)


def test_report_leaves_out_medications_not_in_the_period():
    old = medication(regimen(1, date(2026, 1, 1)), regimen(2, date(2026, 2, 1), kind="stop"), id=1, name="old")
    rep = build([old, DAILY], [], date(2026, 5, 1), date(2026, 5, 2), LATER)
    assert [m.name for m in rep.medications] == ["sertraline"]


def test_report_entries_of_other_medications_do_not_mix():
    a = medication(regimen(1, date(2026, 4, 1), med=1), id=1, name="a")
    b = medication(regimen(2, date(2026, 4, 1), med=2), id=2, name="b")
    rep = build([a, b], [take(local(2026, 5, 1, 8), med=2)], date(2026, 5, 1), date(2026, 5, 1), LATER)
    assert [(m.name, m.stats.taken, m.stats.missed) for m in rep.medications] == [("a", 0, 1), ("b", 1, 0)]
