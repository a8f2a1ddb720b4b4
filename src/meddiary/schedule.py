"""Regimens -> slots, and everything a schedule kind knows about itself (one place; no other module works
out the kind again): its dosing days, how often it doses, its description, its iCalendar rules and its
FHIR timing. dateutil.rrule picks the days; zoneinfo turns wall-clock times into instants.

The kinds (model.SCHEDULES):
- daily: every day at its times;
- weekdays: on the given weekdays;
- every: every N days, counted from the regimen's anchor (its first day, kept across dose changes);
- monthly: every N calendar months on the anchor's day of the month; a month without that day (the 29th–31st)
  doses on its last day (the 31st: 30 April, 28 or 29 February);
- cycle: N days on, M days off, repeating from the anchor (21/7: days 1–21 on, 22–28 off);
- injection: a long-acting injection every N days (or months) with a tolerance window of ± W days: a dose
  given inside it fills the due dose (on time on the due day, else N days early or late);
- as_needed: no slots, only limits.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from meddiary.model import Medication, Regimen, Slot
from meddiary.timeparse import wall_to_utc

_MIDNIGHT = time(0)
_ONE_DAY = timedelta(days=1)
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FHIR_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0))


def _monthly_rule(r: Regimen, dtstart: date, until: date | None = None):
    from dateutil.rrule import MONTHLY, rrule

    day = r.cycle_anchor.day
    # The 29th–31st: that day, or the month's last (-1) when it has none — the first of the two in the month.
    bymonthday, bysetpos = ((day, -1), 1) if day > 28 else (day, None)
    return rrule(MONTHLY, dtstart=_midnight(dtstart), interval=r.every_months or 1, bymonthday=bymonthday,
                 bysetpos=bysetpos, until=_midnight(until) if until else None)


def dosing_days(regimen: Regimen, first: date, last: date) -> list[date]:
    """The days in [first, last] on which a regimen has doses."""
    r = regimen
    start = max(first, r.start_date)
    if start > last or r.schedule == "as_needed" or r.is_stop:
        return []
    kind = r.schedule
    if kind == "daily":
        # No recurrence rule needed (and `take`/`today` skip importing dateutil for it).
        return [start + timedelta(days=i) for i in range((last - start).days + 1)]
    if kind == "cycle":
        period = r.cycle_on + r.cycle_off
        return [d for d in (start + timedelta(days=i) for i in range((last - start).days + 1))
                if (d - r.cycle_anchor).days % period < r.cycle_on]
    if kind == "monthly" or (kind == "injection" and r.every_months):
        # From the anchor (the day of the month is the anchor's), cut to [start, last].
        return [d.date() for d in _monthly_rule(r, r.cycle_anchor, last) if d.date() >= start]
    if kind != "weekdays":  # every N days, an injection every N days: a cycle of N days with one on
        # From the first dosing day in range, not from the anchor, so a short period of an old regimen costs
        # the same as a new one (and `due` and `today` skip importing dateutil for it, as for a daily one).
        every = r.every_days or 1
        first_dose = r.cycle_anchor + timedelta(days=-(-(start - r.cycle_anchor).days // every) * every)
        return [first_dose + timedelta(days=i) for i in range(0, (last - first_dose).days + 1, every)]
    from dateutil.rrule import WEEKLY, rrule

    rule = rrule(WEEKLY, dtstart=_midnight(start), byweekday=r.weekdays, until=_midnight(last))
    return [d.date() for d in rule]


def expand(med: Medication, first: date, last: date, tz: ZoneInfo) -> list[Slot]:
    """Every slot of a medication on the local days first..last, in time order (each with its time's dose)."""
    slots = []
    of = getattr(tz, "of", None)  # travel: each day in the zone it is judged in (meddiary.travel)
    midnights: dict[date, datetime] = {}  # a day's end is the next day's start: each worked out once

    def midnight(day: date) -> datetime:
        at = midnights.get(day)
        if at is None:
            at = midnights[day] = wall_to_utc(day, _MIDNIGHT, tz)
        return at

    for regimen, end in med.spans():
        upto = last if end is None else min(last, end)
        tolerance = window(regimen)
        for day in dosing_days(regimen, first, upto):
            if of is None:
                zone, start, end = tz, midnight(day), midnight(day + _ONE_DAY)
            else:  # the day's own zone, both ends: the next day may begin in another zone
                zone = of(day)
                start, end = wall_to_utc(day, _MIDNIGHT, zone), wall_to_utc(day + _ONE_DAY, _MIDNIGHT, zone)
            for clock, amount in zip(regimen.times, regimen.amounts):
                slots.append(Slot(med.id, day, clock, wall_to_utc(day, clock, zone), amount, regimen.dose_unit,
                                  regimen.id, tolerance, start, end))
    slots.sort(key=lambda s: (s.at, s.clock))
    return slots


def in_force_days(med: Medication, first: date, last: date) -> list[date]:
    """The days in [first, last] on which a medication was prescribed (started, not stopped nor paused)."""
    days = []
    for regimen, end in med.spans():
        d, upto = max(first, regimen.start_date), last if end is None else min(last, end)
        days += map(date.fromordinal, range(d.toordinal(), upto.toordinal() + 1))  # years of days, in C
    return days


def window(r: Regimen) -> timedelta | None:
    """An injection's tolerance each side of its due day (None: the usual matching window applies)."""
    return timedelta(days=r.window_days) if r.schedule == "injection" else None


def reach(med: Medication) -> timedelta:
    """How far around an instant its slots can lie (the widest matching window of the medication, a day
    at least): what to expand and load to match a take."""
    widest = max((r.window_days or 0 for r in med.regimens if r.schedule == "injection"), default=0)
    return timedelta(days=max(1, widest + 1))


def dosing_share(r: Regimen) -> float:
    """Dosing days per day on average (weekdays: over the week; every N days: 1/N; a cycle: on ÷ (on + off);
    monthly: 12 ÷ 365.25 per month of the interval)."""
    kind = r.schedule
    if kind == "weekdays":
        return len(r.weekdays) / 7
    if kind == "cycle":
        return r.cycle_on / (r.cycle_on + r.cycle_off)
    if r.every_months:
        return 12 / 365.25 / r.every_months
    if kind in ("every", "injection"):
        return 1 / (r.every_days or 1)
    return 1.0


def next_dosing_day(r: Regimen, after: date) -> date | None:
    """The first dosing day after `after` (None: none within ten years)."""
    days = dosing_days(r, after + timedelta(days=1), after + timedelta(days=3660))
    return days[0] if days else None


def _every_text(r: Regimen) -> str:
    if r.every_months:
        return "monthly" if r.every_months == 1 else f"every {r.every_months} months"
    n = r.every_days or 1
    return f"every {n // 7} weeks" if n % 7 == 0 and n > 7 else "weekly" if n == 7 else f"every {n} days"


def _since(r: Regimen) -> str:
    """' (from 2026-11-01)' when the schedule counts from before the regimen's own first day."""
    return f" (from {r.anchor})" if r.anchor and r.anchor != r.start_date else ""


def describe(r: Regimen) -> str:
    """The schedule in words, without the dose: 'at 08:00, 20:00 daily', 'every 4 weeks, ± 7 days'."""
    from meddiary.doses import format_dose

    kind = r.schedule
    if kind == "as_needed":
        return "as needed" + as_needed_limits_text(r)
    if r.doses:
        times = ", ".join(f"{t.strftime('%H:%M')} {format_dose(a, r.dose_unit)}" for t, a in zip(r.times, r.doses))
    else:
        times = ", ".join(t.strftime("%H:%M") for t in r.times)
    prn = f"; and as needed {format_dose(r.prn_amount, r.dose_unit)}{as_needed_limits_text(r)}" \
        if r.prn_amount is not None else ""
    if kind == "weekdays":
        from meddiary.timeparse import weekday_names

        return f"at {times} on {weekday_names(r.weekdays)}{prn}"
    if kind == "every":
        return f"at {times} every {r.every_days} days{_since(r)}{prn}"
    if kind == "monthly":
        day = r.cycle_anchor.day
        last = " or the month's last day" if day > 28 else ""
        return f"at {times} {_every_text(r)} on day {day}{last}{prn}"
    if kind == "cycle":
        return f"at {times} daily, {r.cycle_on} days on and {r.cycle_off} off{_since(r)}{prn}"
    if kind == "injection":
        return f"injection {_every_text(r)} at {times}{_since(r)}, window ± {r.window_days} days{prn}"
    return f"at {times} daily{prn}"


def as_needed_limits_text(r: Regimen) -> str:
    from meddiary.doses import format_dose

    parts = []
    if r.max_per_day:
        parts.append(f"at most {r.max_per_day} in 24 h")
    if r.max_amount:
        parts.append(f"at most {format_dose(r.max_amount, r.dose_unit)} in 24 h")
    if r.min_interval:
        minutes = int(r.min_interval.total_seconds() // 60)
        parts.append(f"at least {minutes // 60} h apart" if minutes % 60 == 0 else f"at least {minutes} min apart")
    return "".join(f", {p}" for p in parts)


def ics_rules(r: Regimen, first_day: date) -> list[tuple[date, str, str]]:
    """The kind's iCalendar recurrence from its first dosing day in range: (DTSTART day, RRULE without
    UNTIL, UID suffix) — one rule, or for a cycle one per day of the on-phase (INTERVAL = on + off)."""
    kind = r.schedule
    if kind == "weekdays":
        return [(first_day, f"FREQ=WEEKLY;BYDAY={','.join(_BYDAY[d] for d in r.weekdays)}", "")]
    if r.every_months:
        day = r.cycle_anchor.day
        by = f"BYMONTHDAY={day},-1;BYSETPOS=1" if day > 28 else f"BYMONTHDAY={day}"
        return [(first_day, f"FREQ=MONTHLY;INTERVAL={r.every_months};{by}", "")]
    if kind in ("every", "injection"):
        return [(first_day, f"FREQ=DAILY;INTERVAL={r.every_days}", "")]
    if kind == "cycle":
        period = r.cycle_on + r.cycle_off
        phase = (first_day - r.cycle_anchor).days % period
        out = []
        for i in range(r.cycle_on):  # the i-th day of the on-phase: its first date on or after first_day
            start = first_day + timedelta(days=(i - phase) % period)
            out.append((start, f"FREQ=DAILY;INTERVAL={period}", f"-c{i + 1}"))
        return out
    return [(first_day, "FREQ=DAILY", "")]


def fhir_timing(r: Regimen, clock: time | None = None) -> dict:
    """A FHIR R4 Timing for the regimen (for one of its times when doses differ by time)."""
    if r.schedule == "as_needed":
        return {}
    repeat: dict = {"timeOfDay": [t.strftime("%H:%M:00") for t in ([clock] if clock else r.times)]}
    per = 1 if clock else len(r.times)
    if r.schedule == "weekdays":
        repeat.update(frequency=per, period=1, periodUnit="d", dayOfWeek=[_FHIR_DAYS[i] for i in r.weekdays])
    elif r.every_months:
        repeat.update(frequency=per, period=r.every_months, periodUnit="mo")
    elif r.schedule in ("every", "injection"):
        repeat.update(frequency=per, period=r.every_days, periodUnit="d")
    else:  # daily, and a cycle's on-days (its on/off pattern is in the dosage text)
        repeat.update(frequency=per, period=1, periodUnit="d")
    if r.schedule in ("injection", "monthly", "cycle"):
        # FHIR R4's repeat has no anchor: the first dose is the bounds' start
        repeat["boundsPeriod"] = {"start": r.cycle_anchor.isoformat()}
    return {"repeat": repeat}
