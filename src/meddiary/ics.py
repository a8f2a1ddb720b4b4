"""The schedule as an iCalendar file (RFC 5545) a phone calendar imports (pure: data and `now` in, text out).

One recurring VEVENT per dose time of each regimen span that reaches into [today, today + days): DTSTART
in the person's zone (TZID, with a VTIMEZONE whose STANDARD/DAYLIGHT observances come from zoneinfo's
transitions over the range), an RRULE (daily, every N days with INTERVAL, weekly with BYDAY) whose UNTIL
is the span's last day or the range's end, a display alarm at the dose time, a stable UID (regimen id and
time), DTSTAMP and a SEQUENCE that grows with each export (the export's minute since 2020), so re-importing
a later file updates the events that still exist (their start, their end after a change). Events of a plan
that was replaced (a superseded regimen) are not in a later file: they must be deleted in the calendar. A taper's later steps are spans of their own, so they start on their dates.
Lines end in CRLF and are folded at 75 octets; text values are escaped.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from meddiary import __version__
from meddiary.model import Medication

PRODID = f"-//meddiary//meddiary {__version__}//EN"


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets (continuations start with a space), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # do not split a multi-byte character
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # the leading space of a continuation counts
    return "\r\n ".join(parts)


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(day: date, clock: time) -> str:
    return datetime.combine(day, clock).strftime("%Y%m%dT%H%M%S")


def _offset(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    h, rest = divmod(abs(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{h:02d}{m:02d}" + (f"{s:02d}" if s else "")


def transitions(tz: ZoneInfo, first: datetime, last: datetime) -> list[tuple[datetime, timedelta, timedelta, datetime]]:
    """Offset changes of a zone between two UTC instants: (instant, offset before, offset after, local
    wall-clock time of the change in the offset before), found day by day and narrowed to the second."""
    out = []
    day = first
    before = day.astimezone(tz).utcoffset()
    while day < last:
        nxt = day + timedelta(days=1)
        after = nxt.astimezone(tz).utcoffset()
        if after != before:
            lo, hi = day, nxt
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == before:
                    lo = mid
                else:
                    hi = mid
            hi = hi.replace(microsecond=0)
            out.append((hi, before, after, (hi + before).replace(tzinfo=None)))
            before = after
        day = nxt
    return out


def vtimezone(tz_name: str, first: date, last: date) -> list[str]:
    """A VTIMEZONE covering the local days first..last: each transition in the range and the one before it."""
    tz = ZoneInfo(tz_name)
    start = datetime.combine(first, time(0), tzinfo=UTC) - timedelta(days=400)
    end = datetime.combine(last, time(0), tzinfo=UTC) + timedelta(days=2)
    found = transitions(tz, start, end)
    begin = datetime.combine(first, time(0), tzinfo=UTC) - timedelta(days=1)
    earlier = [t for t in found if t[0] < begin]
    keep = earlier[-1:] + [t for t in found if t[0] >= begin]
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tz_name}"]
    if not keep:
        at = start.astimezone(tz)
        lines += ["BEGIN:STANDARD", "DTSTART:19700101T000000", f"TZOFFSETFROM:{_offset(at.utcoffset())}",
                  f"TZOFFSETTO:{_offset(at.utcoffset())}", f"TZNAME:{escape(at.tzname() or tz_name)}", "END:STANDARD"]
    for instant, before, after, local in keep:
        kind = "DAYLIGHT" if instant.astimezone(tz).dst() else "STANDARD"
        name = instant.astimezone(tz).tzname() or tz_name
        lines += [f"BEGIN:{kind}", f"DTSTART:{local.strftime('%Y%m%dT%H%M%S')}", f"TZOFFSETFROM:{_offset(before)}",
                  f"TZOFFSETTO:{_offset(after)}", f"TZNAME:{escape(name)}", f"END:{kind}"]
    lines.append("END:VTIMEZONE")
    return lines


SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def sequence(now: datetime) -> int:
    """The export's revision number: whole minutes since 2020 (fits a 32-bit integer for 4000 years)."""
    return max(0, int((now - SEQUENCE_EPOCH).total_seconds() // 60))


def events(med: Medication, tz: ZoneInfo, tz_name: str, first: date, last: date, stamp: str,
           seq: int = 0) -> list[str]:
    from meddiary import schedule
    from meddiary.doses import format_dose

    lines = []
    if med.as_needed:
        return lines
    for r, end in med.spans():
        upto = last if end is None else min(last, end)
        if upto < first or r.start_date > upto:
            continue
        days = schedule.dosing_days(r, max(first, r.start_date), upto)
        if not days:
            continue
        rules = schedule.ics_rules(r, days[0])
        for clock, amount in zip(r.times, r.amounts):
            dose = format_dose(amount, r.dose_unit)
            hhmm = clock.strftime("%H:%M")
            until = datetime.combine(days[-1], clock, tzinfo=tz)  # the last dose of the span in range
            summary = f"{med.name} {dose}" + (" injection" if r.schedule == "injection" else "")
            what = f"{hhmm} dose of {med.name} {dose} as recorded in meddiary" + (f" ({r.reason})" if r.reason else "")
            for first_day, rule, suffix in rules:
                if first_day > days[-1]:
                    continue
                lines += [
                    "BEGIN:VEVENT",
                    f"UID:meddiary-regimen-{r.id}-{clock.strftime('%H%M')}{suffix}@meddiary",
                    f"DTSTAMP:{stamp}",
                    f"SEQUENCE:{seq}",
                    f"DTSTART;TZID={tz_name}:{_local(first_day, clock)}",
                    "DURATION:PT15M",
                    f"RRULE:{rule};UNTIL={_utc(until)}",
                    f"SUMMARY:{escape(summary)}",
                    f"DESCRIPTION:{escape(what)}",
                    "TRANSP:TRANSPARENT",
                    "BEGIN:VALARM",
                    "ACTION:DISPLAY",
                    f"DESCRIPTION:{escape(summary)}",
                    "TRIGGER:-PT0M",
                    "END:VALARM",
                    "END:VEVENT",
                ]
    return lines


def calendar(meds: list[Medication], now: datetime, tz_name: str, days: int) -> str:
    """The schedule from today for `days` days as iCalendar text (CRLF line ends)."""
    tz = ZoneInfo(tz_name)
    first = now.astimezone(tz).date()
    last = first + timedelta(days=max(1, days) - 1)
    stamp = _utc(now)
    body = []
    for med in sorted(meds, key=lambda m: m.name.lower()):
        body += events(med, tz, tz_name, first, last, stamp, sequence(now))
    lines = ["BEGIN:VCALENDAR", f"PRODID:{PRODID}", "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:meddiary", f"X-WR-TIMEZONE:{tz_name}"]
    lines += vtimezone(tz_name, first, last)
    lines += body
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
