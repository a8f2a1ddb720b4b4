"""Building regimens from what the person typed: add, change, taper, stop (pure; validated here)."""

from datetime import date, timedelta

from meddiary import timeparse
from meddiary.doses import format_dose, parse_dose
from meddiary.errors import UsageError
from meddiary.model import Medication, Record, Regimen

MAX_PER_DAY = 100
_NAME_FORMS = "letters, digits, spaces, '-', '.', '/' or '+', starting with a letter or digit"


class NewMedication(Record):
    __slots__ = ("name", "aliases", "regimen")

    def __init__(self, name: str, aliases: list[str], regimen: dict):
        self.name, self.aliases, self.regimen = name, aliases, regimen


def check_name(name: str, what: str = "name") -> str:
    n = " ".join(name.split())
    if not n or not n[0].isalnum() or not all(c.isalnum() or c in " -./+" for c in n) or len(n) > 80:
        raise UsageError(f"bad {what} {name!r}: use {_NAME_FORMS}")
    return n


def _times(at: list[str]) -> tuple:
    clocks = sorted({timeparse.parse_clock(t) for t in timeparse.split_list(at)})  # '08:00,20:00' too
    return tuple(clocks)


def _every(every: str) -> int:
    d = timeparse.parse_duration(every, units="dw", what="--every")
    return d.days


def _as_needed_limits(max_per_day: int | None, min_interval: str | None) -> dict:
    if max_per_day is not None and not 1 <= max_per_day <= MAX_PER_DAY:
        raise UsageError(f"bad --max-per-day {max_per_day}: use a whole number from 1 to {MAX_PER_DAY}, e.g. --max-per-day 3")
    return {"max_per_day": max_per_day,
            "min_interval": timeparse.parse_duration(min_interval, units="mh", what="--min-interval") if min_interval is not None else None}


def _days_or_every(days: str | None, every: str | None) -> dict:
    if days is not None and every is not None:
        raise UsageError("give either --days (e.g. mon,wed,fri) or --every (e.g. 2d), not both")
    if days is not None and days.strip().lower() == "daily":
        return {"weekdays": None, "every_days": None}
    return {"weekdays": timeparse.parse_weekdays(days) if days is not None else None,
            "every_days": _every(every) if every is not None else None}


def new_medication(name: str, dose: str, at: list[str], days: str | None, every: str | None, as_needed: bool,
                   max_per_day: int | None, min_interval: str | None, aliases: list[str], start: date,
                   units_per_dose: str | None = None, strength: str | None = None) -> NewMedication:
    name = check_name(name)
    aliases = list({a.lower(): a for a in reversed([check_name(a, "alias") for a in timeparse.split_list(aliases)])}.values())[::-1]
    if any(a.lower() == name.lower() for a in aliases):
        raise UsageError(f"the alias {name!r} is the medication's own name: give brand or other names with --alias")
    amount, unit = parse_dose(dose)
    regimen = {"start_date": start, "kind": "start", "dose_amount": amount, "dose_unit": unit,
               **supply_fields(units_per_dose, strength, unit)}
    if as_needed:
        if at or days is not None or every is not None:
            raise UsageError("an as-needed medication has no --at, --days or --every: give --max-per-day N and --min-interval 4h instead")
        regimen.update(_as_needed_limits(max_per_day, min_interval))
    else:
        if max_per_day is not None or min_interval is not None:
            raise UsageError("--max-per-day and --min-interval are for --as-needed medications; scheduled ones take --at HH:MM")
        if not at:
            raise UsageError("give the times of day with --at HH:MM (repeat for more), or --as-needed for an as-needed medication")
        regimen["times"] = _times(at)
        regimen.update(_days_or_every(days, every))
    return NewMedication(name, aliases, regimen)


def base_regimen(med: Medication, day: date) -> Regimen:
    """The regimen a change on `day` starts from: the one in force then, else the last dosing one."""
    r = med.dosing_on(day) or next((x for x in med.regimens if not x.is_stop), None)
    if r is None:
        raise UsageError(f"{med.name} has no regimen to change")
    return r


def as_dict(r: Regimen) -> dict:
    return {"dose_amount": r.dose_amount, "dose_unit": r.dose_unit, "times": r.times, "weekdays": r.weekdays,
            "every_days": r.every_days, "max_per_day": r.max_per_day, "min_interval": r.min_interval,
            "units_per_dose": r.units_per_dose, "strength_amount": r.strength_amount, "strength_unit": r.strength_unit}


MAX_UNITS_PER_DOSE = 1000


def supply_fields(units_per_dose: str | None, strength: str | None, dose_unit: str | None) -> dict:
    """--units-per-dose N (tablets, ml… one dose uses) and --strength 50mg (one unit's strength), checked."""
    out: dict = {}
    if units_per_dose is not None:
        try:
            n = float(units_per_dose.strip())
        except ValueError:
            n = float("nan")
        if not 0 < n <= MAX_UNITS_PER_DOSE:  # also rejects nan
            raise UsageError(f"bad --units-per-dose {units_per_dose!r}: use a number above 0 and at most "
                             f"{MAX_UNITS_PER_DOSE}, e.g. 1, 2 or 0.5 (tablets a dose uses)")
        out["units_per_dose"] = n
    if strength is not None:
        amount, unit = parse_dose(strength)
        if dose_unit is not None and unit != dose_unit:
            raise UsageError(f"bad --strength {strength!r}: give one unit's strength in the dose's unit ({dose_unit}), "
                             f"e.g. --strength 50{dose_unit}")
        out["strength_amount"], out["strength_unit"] = amount, unit
    return out


def changed(med: Medication, day: date, dose: str | None, at: list[str] | None, days: str | None,
            every: str | None, max_per_day: int | None, min_interval: str | None, reason: str,
            units_per_dose: str | None = None, strength: str | None = None) -> dict:
    """The new regimen from `day`: the one in force then with what was given changed. Supply facts
    (--units-per-dose, --strength) carry over unless given."""
    if med.start_date and day < med.start_date:
        raise UsageError(f"{med.name} starts on {med.start_date}: a change must be on or after that day")
    if (dose is None and not at and days is None and every is None and max_per_day is None and min_interval is None
            and units_per_dose is None and strength is None):
        raise UsageError("nothing to change: give --dose, --at, --days or --every (as needed: --max-per-day, "
                         "--min-interval; supply: --units-per-dose, --strength)")
    base = as_dict(base_regimen(med, day))
    new = dict(base)
    if dose is not None:
        new["dose_amount"], new["dose_unit"] = parse_dose(dose)
    supply = supply_fields(units_per_dose, strength, new["dose_unit"])
    if strength is None and new["strength_unit"] and new["strength_unit"] != new["dose_unit"]:
        new["strength_amount"] = new["strength_unit"] = None  # a strength in another unit no longer applies
    new.update(supply)
    if units_per_dose is None:
        _scale_units(base, new, "; give --units-per-dose N if the tablets changed")
    if med.as_needed:
        if at or days is not None or every is not None:
            raise UsageError(f"{med.name} is taken as needed: change --dose, --max-per-day or --min-interval")
        limits = _as_needed_limits(max_per_day, min_interval)
        new.update({k: v for k, v in limits.items() if v is not None})
    else:
        if max_per_day is not None or min_interval is not None:
            raise UsageError(f"{med.name} is scheduled: --max-per-day and --min-interval are for as-needed medications")
        if at:
            new["times"] = _times(at)
        if days is not None or every is not None:
            new.update(_days_or_every(days, every))
    new.update({"start_date": day, "kind": "change", "reason": reason})
    return new


def taper(med: Medication, start: date, steps: str, every: str, reason: str) -> list[dict]:
    """One regimen per step, `every` apart; a final 0 stops the medication on its day."""
    parts = [p for p in (s.strip() for s in steps.split(",")) if p]
    if not parts:
        raise UsageError("bad --steps: give doses in order, e.g. --steps 100mg,75mg,50mg,25mg,0")
    doses = [parse_dose(p, allow_zero=True) for p in parts]
    if any(a == 0 for a, _ in doses[:-1]):
        raise UsageError("bad --steps: 0 (stop) can only be the last step, e.g. 100mg,50mg,0")
    step = timeparse.parse_duration(every, units="dw", what="--every")
    if med.start_date and start < med.start_date:
        raise UsageError(f"{med.name} starts on {med.start_date}: a taper must start on or after that day")
    base = as_dict(base_regimen(med, start))
    plan = []
    last_day = start + timedelta(days=min(step.days * (len(doses) - 1), (date.max - start).days))
    if last_day.year > timeparse.LAST_YEAR:
        raise UsageError(f"bad --every {every!r}: the last step would fall after {timeparse.LAST_YEAR}; use e.g. 2w or 10d")
    for i, (amount, unit) in enumerate(doses):
        day = start + timedelta(days=step.days * i)
        label = f"{reason} (step {i + 1} of {len(doses)})"
        if amount == 0:
            plan.append({"start_date": day, "kind": "stop", "reason": label})
        else:
            r = {**base, "start_date": day, "kind": "taper", "dose_amount": amount, "dose_unit": unit, "reason": label}
            _scale_units(base, r)
            plan.append(r)
    return plan


def _scale_units(base: dict, new: dict, hint: str = "") -> None:
    """A new dose with the units per dose carried over from `base`: scaled by new dose ÷ old (the same tablets,
    more or fewer of them — as supply.units_of_take counts a take of another dose), or dropped when the doses'
    units differ. What was done goes into new["units_note"], for describe_dict (the store ignores it)."""
    from meddiary.doses import format_amount

    old = base.get("units_per_dose")
    if old is None or (new["dose_amount"], new["dose_unit"]) == (base["dose_amount"], base["dose_unit"]):
        return
    if new["dose_unit"] == base["dose_unit"] and base["dose_amount"]:
        units = round(old * new["dose_amount"] / base["dose_amount"], 4)
        new["units_per_dose"] = units
        new["units_note"] = f"units per dose {format_amount(units)} (was {format_amount(old)}, scaled with the dose{hint})"
    else:
        new["units_per_dose"] = None
        new["units_note"] = (f"units per dose not known for a dose in {new['dose_unit']} (was {format_amount(old)} "
                             f"for {format_dose(base['dose_amount'], base['dose_unit'])}{hint})")


def stopped(med: Medication, day: date, reason: str | None) -> dict:
    r = med.regimen_on(day)
    if r is None:
        raise UsageError(f"{med.name} starts on {med.start_date}: a stop must be on or after that day")
    if r.is_stop:
        raise UsageError(f"{med.name} is already stopped from {r.start_date}")
    return {"start_date": day, "kind": "stop", "reason": reason}


def describe_schedule_dict(r: dict) -> str:
    if r.get("times") is None or not r.get("times"):
        parts = ["as needed"]
        if r.get("max_per_day"):
            parts.append(f"at most {r['max_per_day']} in 24 h")
        if r.get("min_interval"):
            parts.append(f"at least {_hours(r['min_interval'])} apart")
        return ", ".join(parts)
    times = ", ".join(t.strftime("%H:%M") for t in r["times"])
    if r.get("weekdays"):
        return f"at {times} on {timeparse.weekday_names(r['weekdays'])}"
    if r.get("every_days") and r["every_days"] > 1:
        return f"at {times} every {r['every_days']} days"
    return f"at {times} daily"


def describe_dict(r: dict) -> str:
    if r["kind"] == "stop":
        return "stop"
    note = f"; {r['units_note']}" if r.get("units_note") else ""
    return f"{format_dose(r['dose_amount'], r['dose_unit'])} {describe_schedule_dict(r)}{note}"


def describe(r: Regimen) -> str:
    return describe_dict({**as_dict(r), "kind": r.kind})


def _hours(d: timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"
