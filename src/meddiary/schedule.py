"""Regimens -> slots: dateutil.rrule picks the days (of weekly and every-N-days regimens), zoneinfo turns
wall-clock times into instants."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from meddiary.model import Medication, Regimen, Slot
from meddiary.timeparse import wall_to_utc


def dosing_days(regimen: Regimen, first: date, last: date) -> list[date]:
    """The days in [first, last] on which a regimen has doses (every-N-days counts from its start)."""
    start = max(first, regimen.start_date)
    if start > last:
        return []
    if not regimen.weekdays and (regimen.every_days or 1) == 1:
        # Every day: no recurrence rule needed (and `take`/`today` skip importing dateutil for it).
        return [start + timedelta(days=i) for i in range((last - start).days + 1)]
    from dateutil.rrule import DAILY, WEEKLY, rrule

    until = datetime.combine(last, datetime.min.time())
    if regimen.weekdays:
        rule = rrule(WEEKLY, dtstart=datetime.combine(start, datetime.min.time()),
                     byweekday=regimen.weekdays, until=until)
    else:
        # Start the rule at the first dosing day in range, not at the regimen's start, so a short
        # period of an old regimen costs the same as a new one.
        every = regimen.every_days
        offset = -(-(start - regimen.start_date).days // every) * every
        first_dose = datetime.combine(regimen.start_date + timedelta(days=offset), datetime.min.time())
        rule = rrule(DAILY, dtstart=first_dose, interval=every, until=until)
    return [d.date() for d in rule]


def expand(med: Medication, first: date, last: date, tz: ZoneInfo) -> list[Slot]:
    """Every slot of a medication on the local days first..last, in time order."""
    if med.as_needed:
        return []
    slots = []
    for regimen, end in med.spans():
        upto = last if end is None else min(last, end)
        for day in dosing_days(regimen, first, upto):
            for clock in regimen.times:
                slots.append(
                    Slot(med.id, day, clock, wall_to_utc(day, clock, tz),
                         regimen.dose_amount, regimen.dose_unit, regimen.id)
                )
    slots.sort(key=lambda s: (s.at, s.clock))
    return slots


def in_force_days(med: Medication, first: date, last: date) -> list[date]:
    """The days in [first, last] on which a medication was prescribed (started and not stopped)."""
    days = []
    for regimen, end in med.spans():
        d, upto = max(first, regimen.start_date), last if end is None else min(last, end)
        while d <= upto:
            days.append(d)
            d += timedelta(days=1)
    return days
