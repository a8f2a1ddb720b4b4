"""Property tests of the adherence engine: random schedules and random takes and skips.

Schedules have 1-3 dose times a day, sometimes every N days, sometimes a dose/time change or a stop, in
Berlin or New York, on ordinary days and across both DST changes. Entries are takes and skips at random
instants over those days (some pinned near slot instants, some sharing an instant), with random ids.
"""

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meddiary import report
from meddiary.adherence import DEFAULT_ON_TIME, match
from meddiary.model import Entry, Medication, Regimen
from meddiary.schedule import expand

ZONES = [ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]
# Ordinary days, and the days before each zone's DST changes in 2026.
BASES = [date(2026, 5, 10), date(2026, 3, 27), date(2026, 10, 23), date(2026, 3, 6), date(2026, 10, 30)]
REASONS = ["nausea", "forgot", "ran out", None]
STATES = {"on_time", "late", "skipped", "missed", "pending"}

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

clock = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 59]))
clocks = st.lists(clock, min_size=1, max_size=3, unique=True).map(lambda ts: tuple(sorted(ts)))


@dataclasses.dataclass
class Scenario:
    tz: ZoneInfo
    med: Medication
    first: date
    last: date
    entries: list[Entry]
    now: datetime
    on_time: timedelta

    def slots(self):
        return expand(self.med, self.first - timedelta(days=1), self.last + timedelta(days=1), self.tz)


@st.composite
def scenarios(draw) -> Scenario:
    tz = draw(st.sampled_from(ZONES))
    base = draw(st.sampled_from(BASES))
    n_days = draw(st.integers(1, 5))
    first, last = base, base + timedelta(days=n_days - 1)
    start = base + timedelta(days=draw(st.integers(-3, 1)))
    every = draw(st.one_of(st.none(), st.integers(2, 3)))
    regimens = [Regimen(1, 1, start, "start", 50.0, "mg", draw(clocks), every_days=every)]
    later = draw(st.sampled_from([None, "change", "stop"]))
    if later:
        day = start + timedelta(days=draw(st.integers(1, 5)))
        if later == "stop":
            regimens.append(Regimen(2, 1, day, "stop"))
        else:
            regimens.append(Regimen(2, 1, day, "change", 100.0, "mg", draw(clocks),
                                    every_days=draw(st.one_of(st.none(), st.integers(2, 3)))))
    med = Medication(1, "sertraline", False, regimens=regimens)

    # Instants from local noon the day before the period to local noon the day after it.
    lo = datetime.combine(first - timedelta(days=1), time(12), tzinfo=tz).astimezone(UTC)
    span_minutes = (n_days + 1) * 24 * 60
    slots = expand(med, first - timedelta(days=1), last + timedelta(days=1), tz)
    instants = st.integers(0, span_minutes).map(lambda m: lo + timedelta(minutes=m))
    if slots:
        # Near a slot, at round offsets, so ties (same distance, same instant) happen often.
        near = st.tuples(st.sampled_from(slots), st.integers(-8, 8)).map(
            lambda p: p[0].at + timedelta(minutes=30 * p[1]))
        instants = st.one_of(instants, near)
    raw = draw(st.lists(st.tuples(st.sampled_from(["take", "take", "skip"]), instants, st.sampled_from(REASONS)),
                        max_size=12))
    if raw:
        # Some entries share an instant with another one (a take and a skip at once, two takes at once).
        twins = draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.sampled_from(["take", "skip"]),
                                        st.sampled_from(REASONS)), max_size=3))
        raw += [(kind, raw[i][1], reason) for i, kind, reason in twins]
    ids = draw(st.permutations(range(1, len(raw) + 1)))
    entries = [Entry(i * 7, kind, 1, at, tz.key, 50.0 if kind == "take" else None,
                     "mg" if kind == "take" else None, reason if kind == "skip" else None)
               for i, (kind, at, reason) in zip(ids, raw)]
    now = lo + timedelta(minutes=draw(st.integers(0, span_minutes + 24 * 60)))
    on_time = draw(st.sampled_from([DEFAULT_ON_TIME, timedelta(hours=1), timedelta(minutes=30)]))
    return Scenario(tz, med, first, last, entries, now, on_time)


@st.composite
def reordered(draw, sc: Scenario) -> list[Entry]:
    """The same entries recorded in another order: shuffled, and the ids handed out again in a new order."""
    ids = draw(st.permutations([e.id for e in sc.entries]))
    renamed = [Entry(i, e.kind, e.medication_id, e.at, e.tz, e.dose_amount, e.dose_unit, e.reason, e.note, e.forced)
               for e, i in zip(sc.entries, ids)]
    return draw(st.permutations(renamed))


def outcome(m) -> tuple:
    """What a matching says, without the (arbitrary) identity of interchangeable entries."""
    return (
        [(r.slot.at, r.slot.clock, r.state, r.entry.at if r.entry else None, r.entry.reason if r.entry else None)
         for r in m.slots],
        sorted(e.at for e in m.extras),
        sorted((e.at, e.reason or "") for e in m.unmatched_skips),
    )


# --- match() -----------------------------------------------------------------------------------------

def check_matching(sc: Scenario, slots, m) -> None:
    # Every slot once, in time order, with one state.
    assert len(m.slots) == len(slots)
    assert [r.slot.at for r in m.slots] == sorted(s.at for s in slots)
    for r in m.slots:
        assert r.state in STATES
        assert r.opens <= r.slot.at <= r.closes
        assert r.slot.at - r.opens <= timedelta(hours=12) and r.closes - r.slot.at <= timedelta(hours=12)
        # where an entry may fill it: inside the window before it (narrowed on earlier days to the on-time
        # window), and after it to the window's end or the end of the slot's own local day
        lo, hi = r.reach
        assert r.opens <= lo <= r.slot.at <= hi and hi == max(r.closes, r.slot.day_end)
        assert lo >= min(r.slot.day_start, r.slot.at - sc.on_time)
        if r.entry is not None:
            assert lo <= r.entry.at <= hi
        if r.entry is None:
            assert r.state == ("missed" if r.closes <= sc.now else "pending")
        else:
            assert r.reaches(r.entry.at)
            if r.entry.kind == "skip":
                assert r.state == "skipped"
            else:
                assert r.state == ("on_time" if abs(r.entry.at - r.slot.at) <= sc.on_time else "late")
    counted = [r for r in m.slots if r.state != "pending"]
    taken = sum(r.state in ("on_time", "late") for r in counted)
    skipped = sum(r.state == "skipped" for r in counted)
    missed = sum(r.state == "missed" for r in counted)
    assert taken + skipped + missed == len(counted)
    assert sum(r.state == "on_time" for r in counted) <= taken

    # No entry matched twice; every entry is matched, extra or an unmatched skip, exactly once.
    matched = [r.entry for r in m.slots if r.entry is not None]
    assert len({id(e) for e in matched}) == len(matched)
    assert len({e.id for e in matched}) == len(matched)
    everything = matched + m.extras + m.unmatched_skips
    assert sorted(e.id for e in everything) == sorted(e.id for e in sc.entries)
    assert all(e.kind == "take" for e in m.extras)
    assert all(e.kind == "skip" for e in m.unmatched_skips)

    # Takes before skips: an extra take was only left over because each slot it could fill already has a
    # take; a skip is only left over when its slots are filled.
    for e in m.extras:
        for r in m.slots:
            if r.reaches(e.at):
                assert r.entry is not None and r.entry.kind == "take"
    for s in m.unmatched_skips:
        for r in m.slots:
            if r.reaches(s.at):
                assert r.entry is not None
    # Takes in order fill slots in order (no two doses crossed: the earlier take fills the earlier slot)
    filled = [r for r in m.slots if r.entry is not None and r.entry.kind == "take"]
    for a, b in zip(filled, filled[1:]):
        if a.reaches(b.entry.at) and b.reaches(a.entry.at):
            assert a.entry.at <= b.entry.at


@SETTINGS
@given(scenarios())
def test_match_invariants(sc):
    slots = sc.slots()
    check_matching(sc, slots, match(slots, sc.entries, sc.now, sc.on_time))


# --- med_stats, through the report model --------------------------------------------------------------

def build(sc: Scenario, entries: list[Entry]):
    period = report.make_period(sc.first, sc.last, sc.tz, sc.on_time)
    rep = report.build([sc.med], entries, period, sc.now, sc.tz)
    return rep, (rep.medications[0].stats if rep.medications else None)


@SETTINGS
@given(scenarios())
def test_stats_counts_add_up_and_fractions_are_bounded(sc):
    rep, s = build(sc, sc.entries)
    if s is None:
        return
    assert s.taken + s.skipped + s.missed == s.scheduled
    assert s.scheduled == len(s.slots) - s.pending  # pending slots are counted nowhere
    assert s.on_time + s.late == s.taken
    assert 0 <= s.on_time <= s.taken
    assert s.extra == len(s.extras) >= 0
    assert sum(s.skip_reasons.values()) == s.skipped
    if s.scheduled == 0:
        assert (s.adherence, s.timing_adherence) == (None, None)
    else:
        assert 0 <= s.timing_adherence <= s.adherence <= 1
        assert s.adherence == s.taken / s.scheduled
    assert s.correct_dosing_days is None or 0 <= s.correct_dosing_days <= 1
    assert 0 <= s.current_streak <= s.longest_streak
    assert s.drug_holidays == len(s.holiday_spans) >= 0
    assert [d.day for d in s.days] == rep.period.days
    assert sum(d.scheduled for d in s.days) == len(s.slots)
    assert sum(d.taken for d in s.days) == s.taken
    for r in s.slots:
        assert rep.period.start <= r.slot.at < rep.period.end
    for e in s.extras:
        assert rep.period.start <= e.at < rep.period.end
    o = rep.overall
    assert (o.scheduled, o.taken, o.on_time, o.skipped, o.missed, o.extra) == (
        s.scheduled, s.taken, s.on_time, s.skipped, s.missed, s.extra)
    assert o.adherence == s.adherence


# --- the order entries were recorded in does not matter ------------------------------------------------

def summary(s) -> tuple | None:
    if s is None:
        return None
    return (s.scheduled, s.taken, s.on_time, s.late, s.skipped, s.missed, s.pending, s.extra, s.adherence,
            s.timing_adherence, s.correct_dosing_days, s.drug_holidays, s.holiday_spans, s.longest_streak,
            s.current_streak, s.skip_reasons, [(d.day, d.state, d.scheduled, d.taken) for d in s.days],
            [(r.slot.at, r.state) for r in s.slots], sorted(e.at for e in s.extras))


@SETTINGS
@given(st.data())
def test_result_does_not_depend_on_recording_order_or_ids(data):
    sc = data.draw(scenarios())
    slots = sc.slots()
    entries = data.draw(reordered(sc))  # shuffled, and the ids handed out again in another order
    shuffled_slots = data.draw(st.permutations(slots))
    assert outcome(match(shuffled_slots, entries, sc.now, sc.on_time)) == outcome(
        match(slots, sc.entries, sc.now, sc.on_time))
    assert summary(build(sc, entries)[1]) == summary(build(sc, sc.entries)[1])


# --- nearest first in groups is nearest first over all -------------------------------------------------
# match() sorts the candidate pairs of each group of slots that share entries, not all pairs at once (issue
# 14: linear over a lifetime). The reference below is the matching with one global sort, as it was; both
# must give the same slots, states, entries (the same objects), extras and unmatched skips, in the same
# order, on every scenario — and with entries that name their slot or are recorded as needed.

from bisect import bisect_left  # noqa: E402

# what is not under comparison is the module's own: the windows, the reach, the slot an entry names, uncrossing
from meddiary.adherence import (INJECTION_ON_TIME, Matching, SlotResult, _clock, _uncross, is_for,  # noqa: E402
                                reach, windows)
from meddiary.model import Slot  # noqa: E402


def ref_match(slots: list[Slot], entries: list[Entry], now: datetime,
          on_time: timedelta = DEFAULT_ON_TIME) -> Matching:
    """Match one medication's takes and skips to its slots (both lists may be in any order).

    An entry that names its slot fills it first. Then nearest first inside each slot's reach; afterwards
    crossed pairs are uncrossed (the earlier take fills the earlier slot, when both stay inside their
    reach), so two doses taken in order are the day's two doses, the first late. As-needed takes of a
    medication with an as-needed part never fill a scheduled slot (and are not extra)."""
    slots = sorted(slots, key=lambda s: (s.at, s.clock))
    results = [SlotResult(s, *w, reach=reach(s, w, on_time)) for s, w in zip(slots, windows(slots))]
    instants = [s.at for s in slots]
    by_key = {(s.day, s.clock): j for j, s in enumerate(slots)}
    extras: list[Entry] = []
    unmatched_skips: list[Entry] = []
    for kind, leftovers in (("take", extras), ("skip", unmatched_skips)):
        mine = [(k, e) for k, e in enumerate(entries) if e.kind == kind and not e.as_needed]
        used: set[int] = set()
        for k, e in mine:  # named slots first
            named = e.data.get("for") if e.data else None
            if named is None:
                continue
            j = by_key.get((date.fromisoformat(named[:10]), _clock(named[11:])))
            if j is not None and results[j].entry is None:
                results[j].entry = e
                used.add(k)
        pairs = []
        for k, e in mine:
            if k in used:
                continue
            i = bisect_left(instants, e.at)
            lo_j, hi_j = i - 1, i
            while lo_j >= 0 and results[lo_j].reach[1] >= e.at:
                lo_j -= 1
            while hi_j < len(results) and results[hi_j].reach[0] <= e.at:
                hi_j += 1
            for j in range(max(0, lo_j - 1), min(len(results), hi_j + 1)):
                r = results[j]
                if r.reaches(e.at):
                    # Nearest first; ties broken by data, never by recording order (the id comes last,
                    # and k, unique, keeps the sort from ever comparing further).
                    pairs.append((abs(e.at - r.slot.at), r.slot.at, j, e.at, e.reason or "", e.dose_amount or 0, e.id, k))
        pairs.sort()
        for p in pairs:
            r, k = results[p[2]], p[7]
            if r.entry is not None or k in used:
                continue
            r.entry = entries[k]
            used.add(k)
        _uncross([r for r in results if r.entry is not None and r.entry.kind == kind and not is_for(r.entry, r.slot)])
        for r in results:
            if r.entry is not None and r.entry.kind == kind:
                if kind == "skip":
                    r.state = "skipped"
                else:
                    r.state = "on_time" if abs(r.entry.at - r.slot.at) <= (
                        INJECTION_ON_TIME if r.slot.window is not None else on_time) else "late"
        leftovers.extend(e for k, e in mine if k not in used)
    for r in results:
        if r.entry is None:
            r.state = "missed" if r.closes <= now else "pending"
    extras.sort(key=lambda e: (e.at, e.id))
    return Matching(results, extras, unmatched_skips)


@st.composite
def with_named_and_as_needed(draw):
    """A scenario whose entries sometimes name a slot (`--for`) or are recorded as needed."""
    sc = draw(scenarios())
    slots = sc.slots()
    out = []
    for e in sc.entries:
        data = None
        pick = draw(st.integers(0, 5))
        if pick == 0 and slots:
            s = draw(st.sampled_from(slots))
            data = {"for": f"{s.day.isoformat()}T{s.clock.strftime('%H:%M')}"}
        elif pick == 1 and e.kind == "take":
            data = {"as_needed": True}
        out.append(Entry(e.id, e.kind, e.medication_id, e.at, e.tz, e.dose_amount, e.dose_unit, e.reason,
                         data=data))
    return dataclasses.replace(sc, entries=out)


@SETTINGS
@given(st.one_of(scenarios(), with_named_and_as_needed()))
def test_grouped_matching_is_the_global_matching(sc):
    slots = sc.slots()
    new, ref = match(slots, sc.entries, sc.now, sc.on_time), ref_match(slots, sc.entries, sc.now, sc.on_time)
    assert [(r.slot, r.state, id(r.entry), r.opens, r.closes, r.reach) for r in new.slots] == \
        [(r.slot, r.state, id(r.entry), r.opens, r.closes, r.reach) for r in ref.slots]
    assert [id(e) for e in new.extras] == [id(e) for e in ref.extras]
    assert [id(e) for e in new.unmatched_skips] == [id(e) for e in ref.unmatched_skips]



def test_a_group_is_every_slot_its_entries_reach():
    """08:00 and 20:00: a take at 14:30 may fill either, one at 01:00 the next night only the 20:00. The 01:00
    take is the nearer to 20:00, so it fills it, and the 14:30 take is the morning's late dose — whichever
    entry's slots are looked at first."""
    tz = ZONES[0]
    day = date(2026, 5, 10)
    med = Medication(1, "sertraline", False, regimens=[Regimen(1, 1, day, "start", 50.0, "mg", (time(8), time(20)))])
    slots = expand(med, day, day, tz)
    afternoon = Entry(1, "take", 1, datetime.combine(day, time(14, 30), tzinfo=tz).astimezone(UTC), tz.key)
    night = Entry(2, "take", 1, datetime.combine(day + timedelta(days=1), time(1), tzinfo=tz).astimezone(UTC), tz.key)
    now = datetime.combine(day + timedelta(days=2), time(12), tzinfo=tz)
    for entries in ([afternoon, night], [night, afternoon]):
        for m in (match(slots, entries, now), ref_match(slots, entries, now)):
            assert [(r.entry.id, r.state) for r in m.slots] == [(1, "late"), (2, "late")]
            assert m.extras == []
