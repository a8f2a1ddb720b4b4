"""Each medication's counted days, kept in the diary, so a report over years reads days, not doses.

A report counts a medication's doses into one adherence.DayResult per local day. A long report (LONG_DAYS or
more) keeps the days it counted that are closed — before today by more than the medication's matching reach,
so no slot of theirs is still pending whatever the clock says — and the next long report reads them back
instead of counting them again. They are derived: never exported, and forgotten by the diary when a write
may change them — every day from a new, changed or retracted entry's onwards (less twice the widest
injection window and a margin), a medication's days when it or its regimens change, all of them when a
setting changes (the triggers of migration m009, and the Store's two writers of entries). A kept day also
names the zones and on-time window it was counted in, and is used only when they are the report's, so
MEDDIARY_TZ, a home zone or `--window` never read a day counted otherwise. A run of days still to count is
counted with slots and entries as far around it as report.around says.

A kept day also names the counting rules (RULES) it was counted by: a newer meddiary counts again.

A period's first two days are never kept nor read back: "most taken in 24 hours" counts only the period's
own takes, and on the day after a 23-hour day (a spring-forward) 24 hours reach back before the day before.
Reading back gives the same report as counting: a property test compares them on random diaries with
random backdated changes.
"""

import json
from datetime import date, datetime, timedelta

from meddiary import schedule
from meddiary.adherence import DayResult

LONG_DAYS = 92  # shorter periods are counted whole: reading them costs more than counting them
# The counting rules a kept day was counted by: a day kept by other rules (an older meddiary) is counted again.
# Raise it with any change to how doses are counted (tests/test_dayresults.py pins the modules that count).
RULES = 2
EDGE = timedelta(days=2)  # a period's first days, never kept nor read back (see above)


def wanted(period) -> bool:
    """Whether a report over `period` reads and keeps counted days."""
    return (period.last_day - period.first_day).days + 1 >= LONG_DAYS


def closed_until(med, today: date) -> date:
    """The last day of `med` that counts as closed on `today`: all its slots' windows have ended (an
    injection's tolerance reaches days past its due day), whatever the clock's minutes."""
    return today - schedule.reach(med) - timedelta(days=1)


def zones(tz, first: date, last: date) -> dict[date, str]:
    """The zones each day from `first` to `last` is counted in: its own and its neighbours' (where a day
    begins and ends, and the slots around it), one name when they are the same."""
    of = getattr(tz, "of", None)  # travel.DayZones: a zone per day
    if of is None:
        name = getattr(tz, "key", None) or str(tz)
        return {first + timedelta(days=i): name for i in range((last - first).days + 1)}
    names = [of(first + timedelta(days=i)).key for i in range(-1, (last - first).days + 2)]
    out = {}
    for i in range(1, len(names) - 1):
        around = names[i - 1:i + 2]
        out[first + timedelta(days=i - 1)] = around[1] if len(set(around)) == 1 else " ".join(around)
    return out


class Kept:
    """The counted days a report read back (`days`: medication id -> day -> DayResult), and what is needed to
    keep the ones it counts: the diary's data version when reading began, the zones, the window."""

    def __init__(self, days: dict[int, dict[date, DayResult]], version: int, zones: dict[date, str],
                 window_s: int):
        self.days, self.version, self.zones, self.window_s = days, version, zones, window_s


def read(store, meds, period, now: datetime, tz, version: int) -> Kept:
    """The closed days of `period` (its first day apart) the diary keeps for `meds`, counted in the report's
    zones and window. `version`: store.data_version() read before the medications and anything else the days
    are counted from (keep compares it)."""
    today = now.astimezone(tz).date()
    first = period.first_day + EDGE
    closed = {m.id: closed_until(m, today) for m in meds}
    last = min(period.last_day, max(closed.values(), default=first))
    window_s = int(period.window.total_seconds())
    if first > last:
        return Kept({}, version, {}, window_s)
    day_zones = zones(tz, first, last)
    one_zone = next(iter(day_zones.values())) if len(set(day_zones.values())) == 1 else None
    rows = store.kept_days(first, last, window_s, RULES, one_zone)
    days: dict[int, dict[date, DayResult]] = {m: {} for m in closed}
    details: list[tuple[DayResult, str]] = []
    same_reach = len(set(closed.values())) == 1  # no injection: every medication's days close alike
    parsed: dict[str, date] = {}  # each day's text parsed once, not once per medication
    for day_text, med_id, zone, slots, taken, on_time, skipped, missed, extras, took, recorded, uses, \
            most_amount, most_uses, detail in rows:
        mine = days.get(med_id)
        if mine is None:
            continue
        day = parsed.get(day_text)
        if day is None:
            day = parsed[day_text] = date.fromisoformat(day_text)
        if (one_zone is None and zone != day_zones[day]) or (not same_reach and day > closed[med_id]):
            continue
        # every field given in order: a call by keyword costs about twice as much, over years of days
        mine[day] = r = DayResult(day, slots, taken, on_time, skipped, missed, 0, extras, took, recorded, None,
                                  None, uses, None, None, None if most_uses is None else (most_amount, most_uses))
        if detail:
            details.append((r, detail))
    _details(store, details)
    return Kept(days, version, day_zones, window_s)


def _details(store, details: list[tuple[DayResult, str]]) -> None:
    """The rarer parts of kept days, from their JSON: skip reasons, doses other than prescribed, and the
    as-needed takes over the limit or too soon (read back as entries, all in one query)."""
    wanted_ids: set[int] = set()
    parsed = []
    for r, text in details:
        d = json.loads(text)
        parsed.append((r, d))
        wanted_ids.update(d.get("over", ()), d.get("soon", ()))
    entries = {e.id: e for e in store.entries_with_ids(sorted(wanted_ids))} if wanted_ids else {}
    for r, d in parsed:
        r.reasons = {reason: n for reason, n in d.get("reasons", ())}
        r.different = [(datetime.fromisoformat(at), (amount, unit), (p_amount, p_unit))
                       for at, amount, unit, p_amount, p_unit in d.get("different", ())]
        r.over = [entries[i] for i in d.get("over", ())]
        r.soon = [entries[i] for i in d.get("soon", ())]


def keep(store, kept: Kept, period, now: datetime, tz, counted: dict[int, list[DayResult]], meds) -> bool:
    """Keep the closed days a report counted (`counted`: medication id -> its DayResult per day of the period)
    that were not read back. Nothing is kept when the diary changed since `kept` was read. Whether they were
    (or there was nothing to keep)."""
    today = now.astimezone(tz).date()
    rows = []
    by_id = {m.id: m for m in meds}
    for med_id, days in counted.items():
        have = kept.days.get(med_id, {})
        last = closed_until(by_id[med_id], today)
        for r in days:
            if r.day in have or r.day < period.first_day + EDGE or r.day > last or r.pending or r.day not in kept.zones:
                continue
            rows.append((r.day.isoformat(), med_id, kept.zones[r.day], kept.window_s, RULES, r.slots, r.taken,
                         r.on_time, r.skipped, r.missed, r.extras, int(r.took), r.recorded, r.uses,
                         r.most[0] if r.most else None, r.most[1] if r.most else None, _detail(r)))
    return store.keep_days(rows, kept.version) if rows else True


def _detail(r: DayResult) -> str | None:
    """A day's rarer parts as JSON (None when it has none): reasons as pairs (a skip may have no reason)."""
    d: dict = {}
    if r.reasons:
        d["reasons"] = list(r.reasons.items())
    if r.different:
        d["different"] = [(at.isoformat(), *taken, *prescribed) for at, taken, prescribed in r.different]
    if r.over:
        d["over"] = [e.id for e in r.over]
    if r.soon:
        d["soon"] = [e.id for e in r.soon]
    return json.dumps(d, separators=(",", ":")) if d else None


def to_count(meds, period, kept: Kept | None) -> list[tuple[date, date]]:
    """The runs of days (first, last) some medication still has to count in `period`: every day without
    kept days."""
    from meddiary.summary import runs

    if kept is None:
        return [(period.first_day, period.last_day)]
    days = set(period.days)
    return runs([d for m in meds for d in days.difference(kept.days.get(m.id, ()))])
