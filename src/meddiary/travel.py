"""The zone each local day is judged in, as one tzinfo (pure: the zone changes recorded with the entries in,
a tzinfo out).

DESIGN.md: "each day is judged in the zone the person was in that day (or the pinned home zone), never
re-judged by a later change of zone". Every entry keeps the IANA zone it was recorded in, so:

- a day is judged in the zone of its first entry (its local day read in that entry's own zone);
- a day with no entry, in the zone of the day before (the person stayed where they were);
- today and later days with no entry yet, in the zone the person is in now;
- the days before the first entry, in the first entry's zone.

With a home zone pinned (`meddiary config timezone`) every day is judged in it and this module is not used.

`DayZones` is a `datetime.tzinfo`, so the code that turns wall-clock times into instants and instants into
local days needs no change: `datetime.combine(day, clock, tzinfo=zones)` reads the clock in that day's zone,
and `at.astimezone(zones)` returns the instant as a plain zoneinfo datetime in the zone of the day it falls in
(`fromutc` may return another tzinfo's datetime; `astimezone` passes it through).
"""

from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class DayZones(tzinfo):
    """Local days each judged in their own zone: `runs` are (first day, zone), in day order, each in force
    until the next one's first day (the first also before it). `key` is the zone the person is in now."""

    def __init__(self, runs: list[tuple[date, ZoneInfo]], current: ZoneInfo):
        self.key = current.key
        self.current = current
        self.runs = runs
        self._days = [d for d, _ in runs]
        self._zones = [z for _, z in runs]
        self._starts = [datetime.combine(d, time(0), tzinfo=z).astimezone(UTC) for d, z in runs]
        # where each run's last day ends, in its own zone (the next run's first midnight, read in this zone)
        self._ends = [datetime.combine(d, time(0), tzinfo=z).astimezone(UTC)
                      for (d, _), (_, z) in zip(runs[1:], runs)] + [datetime.max.replace(tzinfo=UTC)]

    def of(self, day: date) -> ZoneInfo:
        """The zone a local day is judged in."""
        return self._zones[max(0, bisect_right(self._days, day) - 1)]

    def zone_at(self, at: datetime) -> ZoneInfo:
        """The zone an instant is read in. Days keep their whole length: after a move east the new zone's
        first day begins only when the last day of the old one has ended; after a move west, the hours
        between the old zone's midnight and the new zone's belong to the old zone's last day and are read on
        the new zone's clock (the wall clock the person sees)."""
        i = max(0, bisect_right(self._starts, at) - 1)
        if i and at < self._ends[i - 1]:
            return self._zones[i - 1]
        if at >= self._ends[i]:
            return self._zones[i + 1]
        return self._zones[i]

    def day_start(self, day: date) -> datetime:
        """The instant a local day begins, in the zone it is judged in (UTC)."""
        return datetime.combine(day, time(0), tzinfo=self.of(day)).astimezone(UTC)

    def day_end(self, day: date) -> datetime:
        """The instant a local day ends, in the zone it is judged in (UTC): its whole 24 (23, 25) hours."""
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.of(day)).astimezone(UTC)

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None if dt is None else dt.replace(tzinfo=self.of(dt.date())).utcoffset()

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None if dt is None else dt.replace(tzinfo=self.of(dt.date())).dst()

    def tzname(self, dt: datetime | None) -> str | None:
        return self.key if dt is None else dt.replace(tzinfo=self.of(dt.date())).tzname()

    def fromutc(self, dt: datetime) -> datetime:
        at = dt.replace(tzinfo=UTC)
        return at.astimezone(self.zone_at(at))

    def __repr__(self) -> str:
        return f"DayZones({', '.join(f'{d}: {z.key}' for d, z in self.runs)})"


def _zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):  # a damaged or imported name judges no day
        return None


def runs(changes: list[tuple[datetime, str, datetime | None, str | None]], last: tuple[datetime, str] | None,
         current: ZoneInfo, today: date) -> list[tuple[date, ZoneInfo]]:
    """The runs of days by zone from the entries where the recorded zone changes.

    `changes`: (instant, zone, the previous entry's instant, its zone), in time order, one per entry whose
    zone differs from the entry before it (the first entry's has no previous). A change starts its zone on
    its own local day, or on the next day when that day already began with an entry in the previous zone.
    `last`: the latest entry (instant, zone); `today`: the current local day. Today, when nothing is recorded
    on it yet, is judged in `current`."""
    out: list[tuple[date, ZoneInfo]] = []
    for at, name, prev_at, prev_name in changes:
        zone = _zone(name)
        if zone is None:
            continue
        day = at.astimezone(zone).date()
        prev = _zone(prev_name)
        if prev_at is not None and prev is not None:
            day = max(day, prev_at.astimezone(prev).date() + timedelta(days=1))
        if out and day <= out[-1][0]:
            day = out[-1][0] + timedelta(days=1)
        if out and out[-1][1].key == zone.key:
            continue
        out.append((day, zone))
    if last is not None and out and out[-1][1].key != current.key:
        # today and later days with nothing recorded yet: where the person is now
        zone = _zone(last[1]) or out[-1][1]
        first_free = max(today, last[0].astimezone(zone).date() + timedelta(days=1), out[-1][0] + timedelta(days=1))
        out.append((first_free, current))
    return out or [(date.min, current)]


def for_diary(store, current: ZoneInfo, now: datetime, recording: datetime | None = None) -> tzinfo:
    """The tzinfo a diary's days are judged in: `current` itself when every entry was recorded in it (one
    indexed look-up), else DayZones from the diary's zone changes. `recording`: the instant of an entry
    about to be recorded in `current` (a take, a skip), judged as it will be once recorded."""
    if store is None or not store.records_other_zone(current.key):
        return current
    changes, last = store.zone_changes((recording, current.key) if recording is not None else None)
    return DayZones(runs(changes, last, current, now.astimezone(current).date()), current)


def in_period(tz, first: date, last: date) -> list[tuple[date, str]]:
    """(first day, zone name) of each zone the days first..last are judged in, when more than one (else
    empty): what a report states about its time zone."""
    if not isinstance(tz, DayZones):
        return []
    out = [(first, tz.of(first).key)]
    for day, zone in tz.runs:
        if first < day <= last and zone.key != out[-1][1]:
            out.append((day, zone.key))
    return out if len(out) > 1 or out[0][1] != tz.key else []
