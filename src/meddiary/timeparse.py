"""The time grammar: clock times, WHEN, dates, durations and periods.

A grammar, not heuristics: anything outside the forms below is rejected with the accepted forms in the
message. Instants come back as aware datetimes in UTC; wall-clock times are resolved in the person's zone
with zoneinfo's fold=0, which moves a time in a spring-forward gap past the gap (02:30 -> 03:30) and takes
the first of two repeated times on a fall-back day.
"""

import os
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from meddiary.errors import UsageError

WHEN_FORMS = "HH:MM (or 8am, 0800), 'yesterday HH:MM', 'YYYY-MM-DD HH:MM', '2h ago', '90m ago' or 'now'"
DATE_FORMS = "YYYY-MM-DD, 'today', 'yesterday' or 'tomorrow'"
SINCE_FORMS = "30d, 2w, 3mo, 1y, a date (YYYY-MM-DD) or 'last-visit'"
FUTURE_TOLERANCE = timedelta(minutes=2)
FIRST_YEAR, LAST_YEAR = 1900, 2199  # far from datetime's limits, so zone arithmetic cannot overflow

_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_AGO = re.compile(r"([0-9]+)\s*(m|min|mins|minutes?|h|hours?)\s+ago")
_DURATION = re.compile(r"([0-9]+)\s*(m|min|h|d|w)")
_SINCE = re.compile(r"([0-9]+)\s*(d|w|mo|y)")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _zone_key(value: str) -> str:
    """'Europe/Berlin', ':Europe/Berlin' or a path into a zoneinfo folder -> 'Europe/Berlin'."""
    value = value.lstrip(":")
    marker = "zoneinfo/"
    return value.split(marker, 1)[1] if marker in value else value


def local_zone_name() -> str:
    """The person's IANA zone: MEDDIARY_TZ (must be valid), else TZ if it names one, else the system's
    /etc/localtime, else UTC."""
    if name := os.environ.get("MEDDIARY_TZ", "").strip():
        return name
    if (name := _zone_key(os.environ.get("TZ", "").strip())) and known_zone(name):
        return name
    try:
        name = _zone_key(os.readlink("/etc/localtime"))
    except OSError:
        return "UTC"
    return name if known_zone(name) else "UTC"


def known_zone(name: str) -> bool:
    """An IANA zone name the zone database knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone(name: str | None = None, source: str = "MEDDIARY_TZ") -> ZoneInfo:
    """The zone called `name` (default: the machine's); `source` names where it came from, for the error."""
    name = name or local_zone_name()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {name!r} in {source}: use an IANA name such as Europe/Berlin") from None


def wall_to_utc(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """A local wall-clock time on a day as a UTC instant (gap: moved forward; fold: first occurrence)."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


CLOCK_FORMS = "HH:MM (24-hour), e.g. 08:00 or 21:30; 8am, 8:30pm and 0800 work too"
_AM_PM = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?\s*([ap])\.?m\.?")
_HHMM = re.compile(r"([0-9]{2})([0-9]{2})")


def _clock_or_none(text: str) -> time | None:
    """'08:00', '8:00', '0800', '8am', '8:30 pm', '12am' (midnight) -> a time; anything else -> None."""
    t = text.strip().lower()
    if m := _CLOCK.fullmatch(t) or _HHMM.fullmatch(t):
        h, minute = int(m[1]), int(m[2])
    elif m := _AM_PM.fullmatch(t):
        h, minute = int(m[1]), int(m[2] or 0)
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if m[3] == "p" else 0)
    else:
        return None
    return time(h, minute) if h <= 23 and minute <= 59 else None


def parse_clock(text: str) -> time:
    clock = _clock_or_none(text)
    if clock is None:
        raise UsageError(f"bad time of day {text!r}: {_clock_hint(text)}use {CLOCK_FORMS}")
    return clock


def _clock_hint(text: str) -> str:
    """For a bare number that is nearly a time: the exact form to type ('8' -> 'did you mean 08:00? ')."""
    t = text.strip().split(" ")[-1]
    if not (t.isascii() and t.isdigit()):
        return ""
    if len(t) <= 2 and int(t) <= 23:
        return f"did you mean {int(t):02d}:00? "
    if len(t) == 3 and int(t[1:]) <= 59:
        return f"did you mean 0{t[0]}:{t[1:]}? "
    return ""


def split_list(values: list[str] | None) -> list[str]:
    """A repeated option whose values may also be comma lists: ['08:00,20:00', '22:00'] ->
    ['08:00', '20:00', '22:00'] (each item is parsed on its own afterwards)."""
    return [item.strip() for v in values or [] for item in v.split(",")]


def parse_date(text: str, today: date) -> date:
    t = text.strip().lower()
    named = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if t in named:
        return today + timedelta(days=named[t])
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", t):
            day = date.fromisoformat(t)
            if FIRST_YEAR <= day.year <= LAST_YEAR:
                return day
            raise UsageError(f"date {text!r} is out of range: use a year from {FIRST_YEAR} to {LAST_YEAR}")
    except ValueError:
        pass
    raise UsageError(f"bad date {text!r}: use {DATE_FORMS}")


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """WHEN as a UTC instant. Times more than two minutes in the future are refused."""
    t = " ".join(text.strip().lower().split())
    local_today = now.astimezone(tz).date()
    at = None
    if t == "now":
        at = now
    elif m := _AGO.fullmatch(t):
        n = int(m[1])
        try:
            at = now - (timedelta(hours=n) if m[2].startswith("h") else timedelta(minutes=n))
        except OverflowError:
            at = None
    else:
        t = re.sub(r"([0-9])\s+([ap]\.?m\.?)$", r"\1\2", t)  # '8 pm' -> '8pm'
        parts = t.replace("t", " ", 1).split(" ") if re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}t", t) else t.split(" ")
        try:
            if len(parts) == 1 and (clock := _clock_or_none(parts[0])):
                at = wall_to_utc(local_today, clock, tz)
            elif len(parts) == 2 and (clock := _clock_or_none(parts[1])):
                at = wall_to_utc(parse_date(parts[0], local_today), clock, tz)
        except UsageError:
            at = None
    if at is None:
        raise UsageError(f"bad time {text!r}: {_clock_hint(text)}use {WHEN_FORMS}")
    return not_in_future(at, text, now, tz)


def not_in_future(at: datetime, text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """A recorded time as UTC; more than two minutes in the future is refused (the rule every record follows)."""
    if at > now + FUTURE_TOLERANCE:
        shown = at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        raise UsageError(f"time {text!r} ({shown}) is in the future: use a past time such as {WHEN_FORMS}")
    return at.astimezone(UTC)


INSTANT_FORMS = "YYYY-MM-DD HH:MM[:SS] (local time) or ISO 8601 with an offset, e.g. 2026-11-20T07:03:00Z"
_INSTANT = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)\s*(Z|[+-][0-9]{2}:?[0-9]{2})?")


def parse_instant(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """A full date and time from a file (an import): local wall-clock time in `tz` unless it has an offset
    or Z; as UTC, and never in the future (as WHEN)."""
    t = text.strip()
    m = _INSTANT.fullmatch(t.upper() if t[10:11] in ("t", "T") else t)
    at = None
    if m:
        try:
            day = date.fromisoformat(m[1])
            hms = [int(float(x)) for x in m[2].split(":")]
            clock = time(*hms)
            if FIRST_YEAR <= day.year <= LAST_YEAR:
                if m[3]:
                    offset = datetime.fromisoformat(f"{m[1]}T00:00{'+00:00' if m[3] == 'Z' else m[3]}").tzinfo
                    at = datetime.combine(day, clock, tzinfo=offset)
                else:
                    at = wall_to_utc(day, clock, tz)
        except ValueError:
            at = None
    if at is None:
        raise UsageError(f"bad time {text!r}: use {INSTANT_FORMS}")
    return not_in_future(at, text, now, tz)


def parse_duration(text: str, *, units: str = "mhdw", what: str = "duration") -> timedelta:
    """'4h', '90m', '2d', '2w' -> timedelta (positive); `units` limits the accepted units."""
    m = _DURATION.fullmatch(text.strip().lower())
    unit = m and ("m" if m[2] == "min" else m[2])
    accepted = ", ".join({"m": "90m", "h": "4h", "d": "2d", "w": "2w"}[u] for u in units)
    if not m or unit not in units or int(m[1]) <= 0:
        raise UsageError(f"bad {what} {text!r}: use a positive number with a unit, e.g. {accepted}")
    n = int(m[1])
    try:
        return {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]
    except OverflowError:
        raise UsageError(f"bad {what} {text!r}: too long; use e.g. {accepted}") from None


_DAY_NAMES = {**{d: i for i, d in enumerate(_WEEKDAYS)},
              **{n: i for i, n in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}}


def parse_weekdays(text: str) -> tuple[int, ...]:
    """'mon,wed,fri' (or full names) -> (0, 2, 4)."""
    days = []
    for part in text.lower().split(","):
        part = part.strip()
        if part not in _DAY_NAMES:
            raise UsageError(f"bad days {text!r}: use a comma-separated list of mon,tue,wed,thu,fri,sat,sun")
        days.append(_DAY_NAMES[part])
    return tuple(sorted(set(days)))


def weekday_names(days: tuple[int, ...]) -> str:
    return ",".join(_WEEKDAYS[d] for d in days)


def subtract_months(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    for d in range(day.day, 27, -1):
        try:
            return date(y, m, d)
        except ValueError:
            continue
    return date(y, m, min(day.day, 28))


def parse_since(text: str, today: date, last_visit: date | None = None) -> date:
    """The first local day of a period that ends today: '30d' is the last 30 days including today."""
    t = text.strip().lower()
    if t == "last-visit":
        if last_visit is None:
            raise UsageError("no visit recorded yet: use --since 30d (or 2w, 3mo, 1y, a date)")
        return last_visit
    if m := _SINCE.fullmatch(t):
        n = int(m[1])
        if n <= 0:
            raise UsageError(f"bad period {text!r}: use {SINCE_FORMS}")
        try:
            if m[2] == "d":
                return today - timedelta(days=n - 1)
            if m[2] == "w":
                return today - timedelta(days=7 * n - 1)
            months = n if m[2] == "mo" else 12 * n
            return subtract_months(today, months) + timedelta(days=1)
        except (OverflowError, ValueError):
            raise UsageError(f"bad period {text!r}: too long; use {SINCE_FORMS}") from None
    try:
        start = parse_date(t, today)
    except UsageError:
        raise UsageError(f"bad period {text!r}: use {SINCE_FORMS}") from None
    if start > today:
        raise UsageError(f"period start {text!r} is in the future: use {SINCE_FORMS}")
    return start


def day_start_utc(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight of a day as a UTC instant (travel: in the zone the day is judged in)."""
    return wall_to_utc(day, time(0, 0), tz)


def day_end_utc(day: date, tz) -> datetime:
    """The end of a local day as a UTC instant: the next midnight, in the zone the day itself is judged in
    (with travel the next day may begin in another zone, earlier or later)."""
    end = getattr(tz, "day_end", None)
    return end(day) if end is not None else wall_to_utc(day + timedelta(days=1), time(0, 0), tz)


def iso_utc(at: datetime) -> str:
    """The stored form of an instant: UTC ISO-8601 text, sortable."""
    return at.astimezone(UTC).isoformat(timespec="seconds")


STORED_FORM = "dddd-dd-ddTdd:dd:dd+00:00"  # what iso_utc writes, a d for each digit


def all_as_stored(times: list[str]) -> bool:
    """Whether every one of `times` (text) has the form iso_utc writes (STORED_FORM; not whether each is a
    real time), checked a character position at a time over the whole column, in C: each separator where
    it belongs and ASCII digits everywhere else (import and check look at ten years of times at once)."""
    if set(map(len, times)) != {len(STORED_FORM)}:
        return False
    joined = "".join(times)
    if not joined.isascii():
        return False
    step, n = len(STORED_FORM), len(times)
    digits = [joined[i::step] for i, c in enumerate(STORED_FORM) if c == "d"]
    return all(joined[i::step] == c * n for i, c in enumerate(STORED_FORM) if c != "d") and \
        "".join(digits).encode("ascii").isdigit()  # bytes: ASCII digits only, and quicker
