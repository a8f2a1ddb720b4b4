"""Building regimens from what the person typed: add, change, taper, stop (pure; validated here)."""

from datetime import date, timedelta

from meddiary import timeparse
from meddiary.doses import format_dose, parse_dose
from meddiary.errors import UsageError
from meddiary.model import SCHEDULE_FIELDS, Medication, Record, Regimen

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


AT_FORMS = "HH:MM, or HH:MM=DOSE for that time's own dose, e.g. --at 08:00=400mg --at 20:00=600mg"
DOSE_SPEC_FORMS = ("a dose for every time (100mg), or doses by time joined with '+', "
                   "e.g. 20:00=800mg or 08:00=300mg+20:00=800mg")
INJECTION_TIME = "09:00"  # an injection given without --at is due at this time of its day


def _parse_at(at: list[str]) -> list[tuple]:
    """--at values ('08:00', '08:00=400mg', or several joined with commas) -> [(time, (amount, unit) | None)]."""
    out, seen = [], {}
    for value in at:
        for part in value.split(","):
            clock_text, sep, dose_text = part.partition("=")
            if sep and not (clock_text.strip() and dose_text.strip()):
                raise UsageError(f"bad --at {value!r}: use {AT_FORMS}")
            clock = timeparse.parse_clock(clock_text)
            dose = parse_dose(dose_text) if sep else None
            if clock in seen:
                if seen[clock] == dose:
                    continue  # the same time twice: once
                raise UsageError(f"bad --at {value!r}: {clock.strftime('%H:%M')} is given twice with different "
                                 "doses; give each time once")
            seen[clock] = dose
            out.append((clock, dose))
    return sorted(out, key=lambda x: x[0])


def _timed(pairs: list[tuple], what: str) -> dict:
    """times and their doses -> the regimen's fields: times, doses (None when all are equal), dose_amount
    (the first time's), dose_unit (one for all: tablets, amounts and supply are counted in it)."""
    units = {u for _, (_, u) in pairs}
    if len(units) > 1:
        raise UsageError(f"bad {what}: give every time's dose in one unit (got {', '.join(sorted(units))})")
    amounts = tuple(a for _, (a, _) in pairs)
    return {"times": tuple(t for t, _ in pairs), "doses": amounts if len(set(amounts)) > 1 else None,
            "dose_amount": amounts[0], "dose_unit": units.pop()}


def _dose_spec(spec: str, times: tuple, amounts: tuple, unit: str | None, *, allow_zero: bool = False) -> dict | None:
    """A dose given for a regimen's times: '100mg' (every time), '20:00=800mg' or '08:00=300mg+20:00=800mg'
    (those times; the others keep theirs). None for 0 (a stop) when allowed."""
    if "=" not in spec:
        amount, new_unit = parse_dose(spec, allow_zero=allow_zero)
        if amount == 0:
            return None
        return _timed([(t, (amount, new_unit)) for t in times], f"dose {spec!r}")
    by_time = dict(zip(times, ((a, unit) for a in amounts)))
    for part in spec.split("+"):
        clock_text, _, dose_text = part.partition("=")
        if not clock_text.strip() or not dose_text.strip():
            raise UsageError(f"bad dose {spec!r}: use {DOSE_SPEC_FORMS}")
        clock = timeparse.parse_clock(clock_text.strip())
        if clock not in by_time:
            known = ", ".join(t.strftime("%H:%M") for t in times) or "none"
            raise UsageError(f"bad dose {spec!r}: {clock.strftime('%H:%M')} is not one of its times ({known}); "
                             "change the times with --at")
        by_time[clock] = parse_dose(dose_text)
    return _timed(sorted(by_time.items()), f"dose {spec!r}")


def _every(every: str) -> dict:
    """--every: '2d', '1w', '4w' (days) or '1mo', '3mo' (calendar months)."""
    import re

    m = re.fullmatch(r"\s*([0-9]+)\s*(mo|months?)\s*", every.lower())
    if m:
        n = int(m[1])
        if not 1 <= n <= 24:
            raise UsageError(f"bad --every {every!r}: use 1mo to 24mo for calendar months, or days and weeks: 2d, 4w")
        return {"every_days": None, "every_months": n}
    try:
        d = timeparse.parse_duration(every, units="dw", what="--every")
    except UsageError:
        raise UsageError(f"bad --every {every!r}: use days, weeks or calendar months, e.g. 2d, 1w, 4w, 1mo") from None
    if d.days > 3660:
        raise UsageError(f"bad --every {every!r}: at most 10 years (3660d); use e.g. 2d, 1w, 4w, 1mo")
    return {"every_days": d.days, "every_months": None}


def _cycle(cycle: str) -> dict:
    """--cycle 21/7: days on, days off."""
    on, sep, off = cycle.partition("/")
    try:
        n_on, n_off = int(on.strip().rstrip("d")), int(off.strip().rstrip("d"))
    except ValueError:
        n_on = n_off = 0
    if not sep or not (1 <= n_on <= 365 and 1 <= n_off <= 365):
        raise UsageError(f"bad --cycle {cycle!r}: use days on/days off, each 1 to 365, e.g. --cycle 21/7")
    return {"cycle_on": n_on, "cycle_off": n_off}


def _window(window: str, rec: dict) -> int:
    d = timeparse.parse_duration(window, units="dw", what="--window").days
    interval = rec.get("every_days") or 28 * (rec.get("every_months") or 0)
    if not interval or interval < 7:
        raise UsageError("--window is a long-acting injection's tolerance: give its interval with --every, "
                         "e.g. --every 4w --window 7d (or --every 1mo)")
    if 2 * d >= interval:
        raise UsageError(f"bad --window {window!r}: it must be less than half the interval ({interval} days), "
                         "so two injections' windows do not overlap; e.g. --window 7d")
    return d


def _as_needed_limits(max_per_day: int | None, min_interval: str | None, max_amount: str | None = None,
                      unit: str | None = None) -> dict:
    if max_per_day is not None and not 1 <= max_per_day <= MAX_PER_DAY:
        raise UsageError(f"bad --max-per-day {max_per_day}: use a whole number from 1 to {MAX_PER_DAY}, e.g. --max-per-day 3")
    out = {"max_per_day": max_per_day,
           "min_interval": timeparse.parse_duration(min_interval, units="mh", what="--min-interval") if min_interval is not None else None,
           "max_amount": None}
    if max_amount is not None:
        amount, max_unit = parse_dose(max_amount)
        if unit is not None and max_unit != unit:
            raise UsageError(f"bad --max-amount {max_amount!r}: give the most in 24 hours in the dose's unit ({unit}), "
                             f"e.g. --max-amount 1.5{unit}")
        out["max_amount"] = amount
    return out


def _recurrence(days: str | None, every: str | None, cycle: str | None, window: str | None) -> dict:
    """The schedule's recurrence fields from --days, --every, --cycle and --window (one kind at a time)."""
    given = [n for n, v in (("--days", days), ("--every", every), ("--cycle", cycle)) if v is not None]
    if len(given) > 1:
        raise UsageError(f"give one of --days (e.g. mon,wed,fri), --every (e.g. 2d, 4w, 1mo) or --cycle (e.g. 21/7), "
                         f"not {' and '.join(given)}")
    rec = {"weekdays": None, "every_days": None, "every_months": None, "cycle_on": None, "cycle_off": None,
           "window_days": None}
    if days is not None and days.strip().lower() != "daily":
        rec["weekdays"] = timeparse.parse_weekdays(days)
    if every is not None:
        rec.update(_every(every))
        if rec["every_days"] == 1:
            rec["every_days"] = None  # every day
    if cycle is not None:
        rec.update(_cycle(cycle))
    if window is not None:
        rec["window_days"] = _window(window, rec)
    return rec


def new_medication(name: str, dose: str | None, at: list[str], days: str | None, every: str | None, as_needed: bool,
                   max_per_day: int | None, min_interval: str | None, aliases: list[str], start: date,
                   units_per_dose: str | None = None, strength: str | None = None, cycle: str | None = None,
                   window: str | None = None, max_amount: str | None = None,
                   as_needed_dose: str | None = None) -> NewMedication:
    name = check_name(name)
    aliases = list({a.lower(): a for a in reversed([check_name(a, "alias") for a in timeparse.split_list(aliases)])}.values())[::-1]
    if any(a.lower() == name.lower() for a in aliases):
        raise UsageError(f"the alias {name!r} is the medication's own name: give brand or other names with --alias")
    default = parse_dose(dose) if dose is not None else None
    regimen: dict = {"start_date": start, "kind": "start"}
    if as_needed:
        if at or days is not None or every is not None or cycle is not None or window is not None:
            raise UsageError("an as-needed medication has no --at, --days, --every, --cycle or --window: give "
                             "--max-per-day N, --max-amount 1.5mg and --min-interval 4h instead")
        if as_needed_dose is not None:
            raise UsageError("--as-needed-dose is the as-needed part of a scheduled medication; an as-needed "
                             "medication's dose is --dose")
        if default is None:
            raise UsageError("give the dose with --dose, e.g. --dose 0.5mg")
        regimen.update(dose_amount=default[0], dose_unit=default[1], times=())
        regimen.update(_as_needed_limits(max_per_day, min_interval, max_amount, default[1]))
    else:
        rec = _recurrence(days, every, cycle, window)
        if not at and rec["window_days"] is not None:
            at = [INJECTION_TIME]
        if not at:
            raise UsageError("give the times of day with --at HH:MM (repeat for more, or --at 08:00=400mg for a "
                             "dose per time), or --as-needed for an as-needed medication")
        pairs = _parse_at(at)
        if any(d is None for _, d in pairs) and default is None:
            raise UsageError(f"give the dose with --dose 50mg, or each time's own with --at HH:MM=DOSE ({AT_FORMS})")
        regimen.update(_timed([(t, d or default) for t, d in pairs], "--at"))
        regimen.update(rec)
        if as_needed_dose is not None:
            regimen["prn_amount"] = _as_needed_dose(as_needed_dose, regimen["dose_unit"])
            regimen.update(_as_needed_limits(max_per_day, min_interval, max_amount, regimen["dose_unit"]))
        elif max_per_day is not None or min_interval is not None or max_amount is not None:
            raise UsageError("--max-per-day, --max-amount and --min-interval are for as-needed doses: give "
                             "--as-needed (as needed only) or --as-needed-dose 5mg (as needed beside the schedule)")
    regimen["schedule"] = _schedule_of_dict(regimen)
    regimen.update(supply_fields(units_per_dose, strength, regimen["dose_unit"]))
    return NewMedication(name, aliases, regimen)


def _as_needed_dose(text: str, unit: str) -> float:
    """--as-needed-dose: the as-needed part's dose, in the scheduled dose's unit."""
    amount, given = parse_dose(text)
    if given != unit:
        raise UsageError(f"bad --as-needed-dose {text!r}: give it in the scheduled dose's unit ({unit})")
    return amount


def _schedule_of_dict(r: dict) -> str:
    from meddiary.model import schedule_of

    return schedule_of(r.get("times"), r.get("weekdays"), r.get("every_days"), r.get("every_months"),
                       r.get("cycle_on"), r.get("window_days"))


def base_regimen(med: Medication, day: date) -> Regimen:
    """The regimen a change on `day` starts from: the one in force then, else the last dosing one."""
    r = med.dosing_on(day) or next((x for x in med.regimens if not x.is_stop), None)
    if r is None:
        raise UsageError(f"{med.name} has no regimen to change")
    return r




def as_dict(r: Regimen) -> dict:
    return {name: getattr(r, name) for name in SCHEDULE_FIELDS}


def as_regimen(r: dict) -> Regimen:
    """A planned regimen (a dict, as the commands build them) as a Regimen, to describe it."""
    return Regimen(0, 0, r["start_date"], r["kind"], **{k: r.get(k) for k in SCHEDULE_FIELDS if k != "times"},
                   times=r.get("times") or ())


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
            units_per_dose: str | None = None, strength: str | None = None, cycle: str | None = None,
            window: str | None = None, max_amount: str | None = None, as_needed_dose: str | None = None) -> dict:
    """The new regimen from `day`: the one in force then with what was given changed. `dose` is a dose for
    every time or doses by time ('20:00=800mg'); `at` replaces the times (each may carry its dose; a time
    without one keeps its dose, a new one takes --dose or the first time's). A new recurrence (--days,
    --every, --cycle) replaces the old one and counts from `day`; otherwise every-N-days, monthly, cycle and
    injection schedules keep counting from their anchor. Supply facts (--units-per-dose, --strength) carry
    over unless given."""
    if med.start_date and day < med.start_date:
        raise UsageError(f"{med.name} starts on {med.start_date}: a change must be on or after that day")
    options = (dose, days, every, max_per_day, min_interval, units_per_dose, strength, cycle, window, max_amount,
               as_needed_dose)
    if not at and all(v is None for v in options):
        raise UsageError("nothing to change: give --dose, --at, --days, --every, --cycle or --window (as needed: "
                         "--max-per-day, --max-amount, --min-interval, --as-needed-dose; supply: --units-per-dose, "
                         "--strength)")
    base_r = base_regimen(med, day)
    base = as_dict(base_r)
    new = dict(base)
    if med.as_needed:
        if at or days is not None or every is not None or cycle is not None or window is not None:
            raise UsageError(f"{med.name} is taken as needed: change --dose, --max-per-day, --max-amount or --min-interval")
        if as_needed_dose is not None:
            raise UsageError(f"{med.name} is taken as needed: its dose is --dose")
        if dose is not None:
            new["dose_amount"], new["dose_unit"] = parse_dose(dose)
    else:
        if at:
            old = dict(zip(base_r.times, base_r.amounts))
            default = parse_dose(dose) if dose is not None and "=" not in dose else None
            fallback = default or (base_r.amounts[0], base_r.dose_unit)
            pairs = [(t, d or default or ((old[t], base_r.dose_unit) if t in old else fallback))
                     for t, d in _parse_at(at)]
            new.update(_timed(pairs, "--at"))
            if dose is not None and "=" in dose:
                new.update(_dose_spec(dose, new["times"], tuple(a for _, (a, _) in pairs), new["dose_unit"]))
        elif dose is not None:
            new.update(_dose_spec(dose, base_r.times, base_r.amounts, base_r.dose_unit))
        if days is not None or every is not None or cycle is not None or window is not None:
            if window is not None and every is None and days is None and cycle is None:
                rec = {k: base[k] for k in ("weekdays", "every_days", "every_months", "cycle_on", "cycle_off")}
                rec["window_days"] = _window(window, rec)
            else:
                rec = _recurrence(days, every, cycle, window)
            new.update(rec)
            new["anchor"] = None  # counts from this regimen's first day
        else:
            new["anchor"] = base_r.cycle_anchor if base_r.schedule in ("every", "monthly", "cycle", "injection") else None
        if as_needed_dose is not None:
            new["prn_amount"] = _as_needed_dose(as_needed_dose, new["dose_unit"])
        if new.get("prn_amount") is None and (max_per_day is not None or min_interval is not None or max_amount is not None):
            raise UsageError(f"{med.name} is scheduled: --max-per-day, --max-amount and --min-interval are for its "
                             "as-needed part; give --as-needed-dose 5mg too")
    if med.as_needed or new.get("prn_amount") is not None:
        limits = _as_needed_limits(max_per_day, min_interval, max_amount, new["dose_unit"])
        new.update({k: v for k, v in limits.items() if v is not None})
        if new.get("max_amount") is not None and max_amount is None and new["dose_unit"] != base["dose_unit"]:
            new["max_amount"] = None  # a most-in-24-hours in another unit no longer applies
    supply = supply_fields(units_per_dose, strength, new["dose_unit"])
    if strength is None and new["strength_unit"] and new["strength_unit"] != new["dose_unit"]:
        new["strength_amount"] = new["strength_unit"] = None  # a strength in another unit no longer applies
    new.update(supply)
    if units_per_dose is None:
        _scale_units(base, new, "; give --units-per-dose N if the tablets changed")
    new.update({"start_date": day, "kind": "change", "reason": reason})
    new["schedule"] = _schedule_of_dict(new)
    return new


def taper(med: Medication, start: date, steps: str, every: str, reason: str) -> list[dict]:
    """One regimen per step, `every` apart; a final 0 stops the medication on its day. A step is a dose for
    every time ('75mg') or doses by time ('20:00=50mg', '08:00=25mg+20:00=50mg'; the other times keep the
    previous step's dose). Each step is named a taper when its daily amount is lower than the step before,
    a titration when higher."""
    parts = [p for p in (s.strip() for s in steps.split(",")) if p]
    if not parts:
        raise UsageError("bad --steps: give doses in order, e.g. --steps 100mg,75mg,50mg,25mg,0 "
                         "(or by time: 08:00=200mg+20:00=400mg)")
    step = timeparse.parse_duration(every, units="dw", what="--every")
    if med.start_date and start < med.start_date:
        raise UsageError(f"{med.name} starts on {med.start_date}: a taper must start on or after that day")
    if med.as_needed:
        raise UsageError(f"{med.name} is taken as needed: change its dose with 'meddiary change {med.name} --dose …'")
    base_r = base_regimen(med, start)
    base = as_dict(base_r)
    last_day = start + timedelta(days=min(step.days * (len(parts) - 1), (date.max - start).days))
    if last_day.year > timeparse.LAST_YEAR:
        raise UsageError(f"bad --every {every!r}: the last step would fall after {timeparse.LAST_YEAR}; use e.g. 2w or 10d")
    plan = []
    prev = base
    for i, part in enumerate(parts):
        day = start + timedelta(days=step.days * i)
        label = f"{reason} (step {i + 1} of {len(parts)})"
        doses = _dose_spec(part, prev["times"], as_regimen({**prev, "start_date": day, "kind": "taper"}).amounts,
                           prev["dose_unit"], allow_zero=True)
        if doses is None:
            if i + 1 < len(parts):
                raise UsageError("bad --steps: 0 (stop) can only be the last step, e.g. 100mg,50mg,0")
            plan.append({"start_date": day, "kind": "stop", "reason": label})
            break
        r = {**prev, **doses, "start_date": day, "reason": label}
        if base_r.schedule in ("every", "monthly", "cycle", "injection"):
            r["anchor"] = base_r.cycle_anchor
        r["kind"] = direction(prev, r)
        r["units_note"] = None
        _scale_units(prev, r)
        plan.append(r)
        prev = r
    return plan


def daily_amount(r: dict) -> float:
    return sum(as_regimen({**r, "start_date": date.min, "kind": "change"}).amounts)


def direction(before: dict, after: dict) -> str:
    """'taper' (the daily amount goes down) or 'titration' (up) from one step to the next; a step in another
    unit, or of the same amount, is a taper step as planned."""
    if before["dose_unit"] == after["dose_unit"] and daily_amount(after) > daily_amount(before):
        return "titration"
    return "taper"


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
    if r.is_stop and not r.is_pause:
        raise UsageError(f"{med.name} is already stopped from {r.start_date}")
    return {"start_date": day, "kind": "stop", "reason": reason}


def paused(med: Medication, first: date, last: date | None, reason: str | None) -> list[dict]:
    """A pause from `first` (a planned break or a drug holiday agreed with the prescriber): no doses are
    scheduled on its days; with `last`, the regimen in force before it resumes the day after."""
    r = med.regimen_on(first)
    if r is None:
        raise UsageError(f"{med.name} starts on {med.start_date}: a pause must start on or after that day")
    if r.is_stop:
        raise UsageError(f"{med.name} is already {'paused' if r.is_pause else 'stopped'} from {r.start_date}")
    if last is not None and last < first:
        raise UsageError(f"bad --until {last}: the pause's last day must be on or after its first ({first})")
    plan = [{"start_date": first, "kind": "pause", "reason": reason}]
    if last is not None:
        plan.append({**as_dict(r), "start_date": last + timedelta(days=1), "kind": "resume",
                     "reason": f"after the pause from {first}", "anchor": r.anchor})
    return plan


def resumed(med: Medication, day: date, reason: str | None) -> dict:
    """The regimen in force before the pause, again from `day`."""
    r = med.regimen_on(day)
    if r is None or not r.is_pause:
        raise UsageError(f"{med.name} is not paused on {day}: nothing to resume")
    before = base_regimen(med, day)
    return {**as_dict(before), "start_date": day, "kind": "resume", "reason": reason or f"after the pause from {r.start_date}",
            "anchor": before.anchor}


def describe_schedule_dict(r: dict) -> str:
    return describe_schedule(as_regimen({"start_date": date.min, "kind": "start", **r}))


def describe_schedule(r: Regimen) -> str:
    from meddiary import schedule

    return schedule.describe(r)


def describe_dict(r: dict) -> str:
    if r["kind"] == "stop":
        return "stop"
    if r["kind"] == "pause":
        return "pause"
    note = f"; {r['units_note']}" if r.get("units_note") else ""
    return f"{describe(as_regimen(r))}{note}"


def describe(r: Regimen) -> str:
    if r.is_stop:
        return r.kind
    from meddiary.doses import format_dose

    if r.doses:  # each time's dose is in the schedule's words, and the day's total here
        return f"{format_dose(r.daily_amount, r.dose_unit)} a day: {describe_schedule(r)}"
    return f"{format_dose(r.dose_amount, r.dose_unit)} {describe_schedule(r)}"
