"""The diary's rules for recording: name lookup, the overuse guard and today's checklist (pure)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from meddiary import adherence, schedule
from meddiary.doses import convert, format_amount, format_dose
from meddiary.errors import Refused, UsageError
from meddiary.model import Entry, Medication, Record, Regimen, Slot

SKIP_REASONS = ("forgot", "side-effects", "ran-out", "prescriber-advised", "felt-unwell")
REACH = timedelta(days=2)  # entries this far around a time are enough to match its slots


def find(meds: list[Medication], name: str) -> Medication:
    """A medication by name or alias, case-insensitive; unknown names suggest the closest ones."""
    key = name.strip().lower()
    for med in meds:
        if med.name.lower() == key or key in (a.lower() for a in med.aliases):
            return med
    from difflib import get_close_matches

    known = {n.lower(): med.name for med in meds for n in [med.name, *med.aliases]}
    close = list(dict.fromkeys(known[k] for k in get_close_matches(key, known, n=3, cutoff=0.6)))
    if close:
        hint = " or ".join(close)
        raise UsageError(f"no medication {name!r} — did you mean {hint}?")
    listed = ", ".join(sorted(med.name for med in meds)) or "none yet; add one with 'meddiary add NAME'"
    raise UsageError(f"no medication {name!r}; known medications: {listed}")


def hhmm(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%H:%M")


def when_phrase(at: datetime, now: datetime, tz: ZoneInfo) -> str:
    """'today at 08:03', 'yesterday at 21:00', '2026-11-20 at 08:00'."""
    day, today = at.astimezone(tz).date(), now.astimezone(tz).date()
    label = {today: "today", today - timedelta(days=1): "yesterday", today + timedelta(days=1): "tomorrow"}
    return f"{label.get(day, day.isoformat())} at {hhmm(at, tz)}"


def when_phrase_here(at: datetime, now: datetime, tz, here: ZoneInfo) -> str:
    """when_phrase in the zone the day is judged in, and when the person is in another zone now (a home
    zone pinned, or a day recorded elsewhere), the time there too, each zone named: 'today at 09:00
    America/New_York, 15:00 Europe/Berlin'."""
    day_zone = at.astimezone(tz).tzinfo
    if getattr(day_zone, "key", here.key) == here.key:
        return when_phrase(at, now, tz)
    return f"{when_phrase(at, now, here)} {here.key}, {hhmm(at, tz)} {day_zone.key}"


def day_phrase(day, today) -> str:
    """'today', 'yesterday', 'tomorrow' or the date."""
    return {today: "today", today - timedelta(days=1): "yesterday", today + timedelta(days=1): "tomorrow"}.get(
        day, day.isoformat())


def injection_timing(at: datetime, slot: Slot, tz: ZoneInfo) -> str:
    """', on time', ', 5 days late', ', 3 days early': a long-acting injection's timing, in days."""
    days = (at.astimezone(tz).date() - slot.day).days
    if abs(at - slot.at) <= adherence.INJECTION_ON_TIME or days == 0:
        return ", on time"
    return f", {abs(days)} day{'s' if abs(days) != 1 else ''} {'late' if days > 0 else 'early'}"


def duration_phrase(d: timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    h, m = divmod(minutes, 60)
    return f"{h} h {m} min" if h and m else f"{h} h" if h else f"{m} min"


def reach(meds: list[Medication]) -> timedelta:
    """How far around an instant entries are loaded to match its slots: REACH, or a long-acting
    injection's window and a day more."""
    return max([REACH, *(schedule.reach(m) + timedelta(days=1) for m in meds)])


def named_instant(for_slot: str, tz) -> datetime:
    """The instant of the dose a `--for` names ('YYYY-MM-DDTHH:MM', a wall-clock time of its day)."""
    from datetime import date as date_, time as time_

    from meddiary.timeparse import wall_to_utc

    return wall_to_utc(date_.fromisoformat(for_slot[:10]), time_.fromisoformat(for_slot[11:]), tz)


def slots_for(med: Medication, at: datetime, tz, for_slot: str | None) -> list[Slot]:
    """The slots around `at`, and around the dose `for_slot` names when it is further away (a take or skip
    recorded now for a dose days ago)."""
    slots = slots_around(med, at, tz)
    if for_slot is None:
        return slots
    seen = {(s.day, s.clock) for s in slots}
    more = [s for s in slots_around(med, named_instant(for_slot, tz), tz) if (s.day, s.clock) not in seen]
    return sorted(slots + more, key=lambda s: (s.at, s.clock)) if more else slots


def slots_around(med: Medication, at: datetime, tz: ZoneInfo) -> list[Slot]:
    day = at.astimezone(tz).date()
    days = schedule.reach(med).days
    return schedule.expand(med, day - timedelta(days=days), day + timedelta(days=days), tz)


class TakePlan(Record):
    __slots__ = ("medication", "at", "slot", "problem", "replaces_skip", "as_needed", "dose", "for_slot")

    def __init__(self, medication: Medication, at: datetime, slot: Slot | None, problem: str | None,
                 replaces_skip: Entry | None = None, as_needed: bool = False, dose: tuple | None = None,
                 for_slot: str | None = None):
        self.medication, self.at = medication, at
        self.slot = slot  # the slot it fills (None: as needed, or an extra dose)
        self.problem = problem  # why the guard would refuse; None: fine
        self.replaces_skip = replaces_skip
        self.as_needed = as_needed  # the as-needed part (of an as-needed medication, or beside a schedule)
        self.dose = dose  # (amount, unit) to record: as taken, else the slot's own, else the prescription's
        self.for_slot = for_slot  # the slot it was said to be for ('YYYY-MM-DDTHH:MM'), kept with the entry


def prn_regimen(med: Medication, day) -> Regimen | None:
    r = med.regimen_on(day)
    if r is None or r.is_stop:
        return None
    return r if med.as_needed or r.prn_amount is not None else None


def is_as_needed_take(med: Medication, at: datetime, tz: ZoneInfo, amount: tuple | None, flag: bool) -> bool:
    """A take is the as-needed part: of an as-needed medication always; beside a schedule when said
    (`--as-needed`), or when its dose is the as-needed dose and none of the scheduled ones."""
    if med.as_needed:
        return True
    day = at.astimezone(tz).date()
    r = med.regimen_on(day)
    if flag:
        if r is None or r.is_stop or r.prn_amount is None:
            raise UsageError(f"{med.name} has no as-needed part on {day}: add one with "
                             f"'meddiary change {med.name} --as-needed-dose 5mg --reason …'")
        return True
    return (amount is not None and r is not None and not r.is_stop and r.prn_amount is not None
            and amount == (r.prn_amount, r.dose_unit) and amount[0] not in r.amounts)


def parse_for(med: Medication, text: str, at: datetime, now: datetime, tz: ZoneInfo) -> str:
    """`--for 08:00` (that time on the take's day) or `--for 'yesterday 08:00'` -> 'YYYY-MM-DDTHH:MM',
    checked against the medication's slots."""
    from meddiary import timeparse

    t = text.strip()
    if timeparse._CLOCK.fullmatch(t):
        day, clock = at.astimezone(tz).date(), timeparse.parse_clock(t)
    else:
        when = timeparse.parse_when(t, now, tz)
        local = when.astimezone(tz)
        day, clock = local.date(), local.time().replace(second=0, microsecond=0)
    slots = schedule.expand(med, day, day, tz)
    if not any(s.clock == clock for s in slots):
        times = ", ".join(s.clock.strftime("%H:%M") for s in slots) or "none"
        raise UsageError(f"bad --for {text!r}: {med.name} has no {clock.strftime('%H:%M')} dose on {day} "
                         f"(its doses that day: {times}); use --for HH:MM or --for 'yesterday HH:MM'")
    named = f"{day.isoformat()}T{clock.strftime('%H:%M')}"
    if abs(named_instant(named, tz) - at) > REACH:
        # what is counted around a dose is loaded this far from it (today, due, the report's margin)
        raise UsageError(f"bad --for {text!r}: the {clock.strftime('%H:%M')} dose of {day} is more than two days "
                         f"from this entry's time; record it at its own time instead, e.g. --at '{day} "
                         f"{clock.strftime('%H:%M')}'")
    return named


def plan_take(med: Medication, at: datetime, entries: list[Entry], now: datetime, tz: ZoneInfo,
              amount: tuple | None = None, as_needed: bool = False, for_slot: str | None = None) -> TakePlan:
    """Where a take at `at` would go, and what the overuse guard says about it.

    `entries` are the medication's entries within reach(meds) of `at`; `amount` the dose as taken (None:
    the prescribed one); `as_needed`: said to be the as-needed part; `for_slot`: the slot it is for."""
    day = at.astimezone(tz).date()
    if is_as_needed_take(med, at, tz, amount, as_needed):
        if for_slot is not None:
            raise UsageError("--for names a scheduled dose; an as-needed dose fills none")
        r = prn_regimen(med, day)
        dose = amount or ((r.dose_amount if med.as_needed else r.prn_amount, r.dose_unit) if r else
                          _last_dose(med, day))
        prn = [e for e in entries if e.kind == "take" and (med.as_needed or e.as_needed)]
        problem = as_needed_problem(med, at, prn, now, tz, dose)
        # 50 mg of a 10 mg as-needed dose: like a double dose (a limit by amount, --max-amount, guards instead)
        if problem is None and r is not None and not r.max_amount:
            problem = _twice_problem(med, amount, r.dose_amount if med.as_needed else r.prn_amount, r.dose_unit,
                                     " as-needed dose")
        return TakePlan(med, at, None, problem, as_needed=True, dose=dose)
    regimen = med.regimen_on(day)
    if regimen is None or regimen.is_stop:
        state = "not started yet" if regimen is None else "paused" if regimen.is_pause else "stopped"
        return TakePlan(med, at, None, f"{med.name} is {state} on {day}: this would be an extra dose",
                        dose=amount or _last_dose(med, day), for_slot=for_slot)
    slots = slots_for(med, at, tz, for_slot)
    new = Entry(-1, "take", med.id, at, "", *(amount or (None, None)),
                data={"for": for_slot} if for_slot else None)
    before = adherence.match(slots, entries, now)
    after = adherence.match(slots, entries + [new], now)
    filled = next((r for r in after.slots if r.entry is new), None)
    if for_slot is not None:
        named = next((r for r in before.slots if adherence.is_for(new, r.slot)), None)
        if named is not None and named.taken:  # the dose named was taken already: never silently another one
            return TakePlan(med, at, None, f"{med.name}'s {named.slot.clock.strftime('%H:%M')} dose of "
                            f"{named.slot.day.isoformat()} was already taken {when_phrase(named.entry.at, now, tz)} — "
                            "this would be a double dose", dose=amount or (named.slot.dose_amount, named.slot.dose_unit),
                            for_slot=for_slot)
    if filled is None or len(after.extras) > len(before.extras):  # extra, or it pushed a take out: a double dose
        return TakePlan(med, at, None, _extra_problem(med, regimen, at, before, now, tz),
                        dose=amount or (regimen.dose_amount, regimen.dose_unit), for_slot=for_slot)
    slot = filled.slot
    dose = amount or (slot.dose_amount, slot.dose_unit)
    problem = _twice_problem(med, amount, slot.dose_amount, slot.dose_unit,
                             f" of the {slot.clock.strftime('%H:%M')} dose")
    was = next(r for r in before.slots if r.slot == slot)
    return TakePlan(med, at, slot, problem, was.entry if was.state == "skipped" else None, dose=dose,
                    for_slot=for_slot)


def _twice_problem(med: Medication, amount: tuple | None, prescribed: float | None, unit: str | None,
                   what: str) -> str | None:
    """A dose twice the prescribed one or more (in any unit that converts: 0.1 g on 50 mg) needs --yes."""
    if amount is None or not prescribed:
        return None
    same = convert(amount[0], amount[1], unit)
    if same is None or same < 2 * prescribed - 1e-9:
        return None
    return (f"{med.name} {format_dose(*amount)} is {format_amount(same / prescribed)} times the prescribed "
            f"{format_dose(prescribed, unit)}{what}")


def prescribed_text(amount: float | None, unit: str | None, slot: Slot | None) -> str | None:
    """'prescribed 50 mg' when a take of (amount, unit) fills `slot` with another dose
    (adherence.is_different_dose); None otherwise. What `take` says and `log` shows."""
    if not adherence.is_different_dose(amount, unit, slot):
        return None
    return f"prescribed {format_dose(slot.dose_amount, slot.dose_unit)}"


def filled_slots(med: Medication, entries: list[Entry], first_day, last_day, now: datetime,
                 tz: ZoneInfo) -> dict[int, Slot]:
    """Entry id -> the slot it fills, for the takes and skips of `med` that fill one of its slots on the
    days first_day to last_day (`entries`: the medication's, loaded reach() beyond those days)."""
    slots = schedule.expand(med, first_day, last_day, tz)
    return {r.entry.id: r.slot for r in adherence.match(slots, entries, now).slots if r.entry is not None}


def _last_dose(med: Medication, day) -> tuple:
    r = med.dosing_on(day)
    return (r.dose_amount, r.dose_unit) if r else (None, None)


def _extra_problem(med: Medication, regimen: Regimen, at: datetime, m: adherence.Matching, now: datetime,
                   tz: ZoneInfo) -> str:
    """Why a take would be an extra dose (`m`: the matching without it), naming the dose it conflicts with."""
    taken = sorted((r for r in m.slots if r.taken and r.reaches(at)),
                   key=lambda r: abs(r.slot.at - at))
    if taken:
        r = taken[0]
        dose = format_dose(r.entry.dose_amount, r.entry.dose_unit) if r.entry.dose_amount is not None else \
            format_dose(r.slot.dose_amount, r.slot.dose_unit)
        which = "" if r.slot.day == at.astimezone(tz).date() else \
            f" (the {r.slot.clock.strftime('%H:%M')} dose of {r.slot.day.isoformat()})"
        return (f"{med.name} {dose} was already taken {when_phrase(r.entry.at, now, tz)}{which}"
                " — this would be a double dose")
    times = ", ".join(t.strftime("%H:%M") for t in regimen.times)
    return f"no {med.name} dose is scheduled near {hhmm(at, tz)} (doses at {times}): this would be an extra dose"


def as_needed_window(regimen: Regimen | None, at: datetime, takes: list[Entry]) -> tuple[list[Entry], datetime | None]:
    """The takes in the 24 hours up to `at`, and when the next dose is allowed (None: now) by the count,
    the amount and the interval."""
    recent = sorted((t for t in takes if at - timedelta(hours=24) < t.at <= at), key=lambda e: (e.at, e.id))
    allowed = []
    if regimen and regimen.max_per_day and len(recent) >= regimen.max_per_day:
        allowed.append(recent[len(recent) - regimen.max_per_day].at + timedelta(hours=24))
    if regimen and regimen.max_amount:
        dose = regimen.dose_amount if regimen.prn_amount is None else regimen.prn_amount
        total = sum(e.dose_amount or 0 for e in recent)
        # the next dose fits once enough of the earliest doses have left the 24 hours
        for e in recent:
            if total + (dose or 0) <= regimen.max_amount + 1e-9:
                break
            total -= e.dose_amount or 0
            allowed.append(e.at + timedelta(hours=24))
    if regimen and regimen.min_interval and recent:
        allowed.append(recent[-1].at + regimen.min_interval)
    nxt = max(allowed) if allowed else None
    return recent, nxt if nxt and nxt > at else None


def as_needed_problem(med: Medication, at: datetime, takes: list[Entry], now: datetime, tz: ZoneInfo,
                      dose: tuple | None = None) -> str | None:
    """What the guard says of an as-needed dose at `at`: it counts the doses recorded up to now (a dose
    dated in the future is not counted) and names the dose that would break a limit and the doses that
    make it so."""
    regimen = prn_regimen(med, at.astimezone(tz).date())
    if regimen is None:
        what = "is not prescribed" if med.as_needed else "has no as-needed dose prescribed"
        return f"{med.name} {what} on {at.astimezone(tz).date()}"
    takes = [e for e in takes if e.at <= now]
    new = Entry(-1, "take", med.id, at, "", *(dose or (None, None)))
    limits = (regimen.max_per_day, regimen.min_interval, regimen.max_amount)
    before_over, before_soon = adherence.as_needed_flags(takes, *limits)
    over, soon = adherence.as_needed_flags(takes + [new], *limits)
    ordered = sorted(takes + [new], key=lambda e: (e.at, e.id))
    unit = regimen.dose_unit

    def named(e: Entry) -> str:
        return "this dose" if e is new else f"the dose {when_phrase(e.at, now, tz)}"

    broken = [e for e in ordered if e.id in over - before_over]
    if broken:
        x = broken[0]  # the dose that would break a limit: this one, or a later one when this is backdated
        window = [e for e in ordered if x.at - timedelta(hours=24) < e.at <= x.at]
        by_count = bool(regimen.max_per_day) and len(window) > regimen.max_per_day
        most = (f"the most is {regimen.max_per_day} in any 24 hours" if by_count
                else f"the most is {format_dose(regimen.max_amount, unit)} in any 24 hours")
        if x is new:
            earlier = window[:-1]
            times = ", ".join(hhmm(e.at, tz) for e in earlier)
            amount = sum(e.dose_amount or 0 for e in earlier)
            so_far = f"{len(earlier)} doses" if by_count else f"{format_dose(amount, unit)} taken"
            _, nxt = as_needed_window(regimen, at, takes)
            allowed = f"; the next dose is allowed {when_phrase(nxt, now, tz)}" if nxt else ""
            this = "" if by_count else f" and this dose is {format_dose(*dose) if dose else 'one more'}"
            return (f"{med.name}: {so_far} in the 24 hours up to {hhmm(at, tz)} already (at {times}){this}; "
                    f"{most}{allowed}")
        times = ", ".join(("this one at " if e is new else "") + hhmm(e.at, tz) for e in window)
        amount = sum(e.dose_amount or 0 for e in window)
        count = f"{len(window)} doses" if by_count else format_dose(amount, unit)
        return (f"{med.name}: with this dose at {hhmm(at, tz)}, the dose taken {when_phrase(x.at, now, tz)} would "
                f"make {count} in the 24 hours up to it (at {times}); {most}")
    if soon - before_soon:
        i = ordered.index(new)
        neighbours = [(ordered[i - 1], new)] if i else []
        if i + 1 < len(ordered):
            neighbours.append((new, ordered[i + 1]))
        a, b = next((a, b) for a, b in neighbours if b.at - a.at < regimen.min_interval)
        _, nxt = as_needed_window(regimen, at, takes)
        allowed = f"; the next dose is allowed {when_phrase(nxt, now, tz)}" if nxt else ""
        if b is new:
            return (f"{med.name} was taken at {hhmm(a.at, tz)}, {duration_phrase(b.at - a.at)} apart; the minimum "
                    f"interval is {duration_phrase(regimen.min_interval)}{allowed}")
        return (f"{med.name} was taken at {hhmm(b.at, tz)}, {duration_phrase(b.at - a.at)} after this dose at "
                f"{hhmm(a.at, tz)}; the minimum interval is {duration_phrase(regimen.min_interval)}")
    return None


class ChecklistItem(Record):
    __slots__ = ("medication", "slot", "state", "entry", "uses_24h", "next_allowed", "amounts_24h")

    def __init__(self, medication: Medication, slot: Slot | None, state: str, entry: Entry | None = None,
                 uses_24h: list[datetime] | None = None, next_allowed: datetime | None = None,
                 amounts_24h: list[float] | None = None):
        self.medication, self.slot = medication, slot
        self.state = state  # taken | late | skipped | upcoming | due | overdue | missed | as-needed
        self.entry, self.uses_24h, self.next_allowed = entry, uses_24h, next_allowed
        self.amounts_24h = amounts_24h  # the as-needed doses' amounts, in the order of uses_24h


def slot_status(r: adherence.SlotResult, now: datetime, on_time: timedelta) -> str:
    if r.state == "on_time":
        return "taken"
    if r.state in ("late", "skipped", "missed"):
        return r.state
    if now < r.slot.at - on_time:
        return "upcoming"
    return "due" if now <= r.slot.at + on_time else "overdue"


def checklist(meds: list[Medication], entries: list[Entry], now: datetime, tz: ZoneInfo,
              on_time: timedelta = adherence.DEFAULT_ON_TIME) -> list[ChecklistItem]:
    """Today's slots of every medication in force (and a long-acting injection whose window is open), and
    the as-needed part's last 24 hours."""
    today = now.astimezone(tz).date()
    items = []
    for med in meds:
        mine = [e for e in entries if e.medication_id == med.id]
        if not med.active_on(today):
            continue
        prn = prn_regimen(med, today)
        if prn is not None:
            recent, nxt = as_needed_window(prn, now, [e for e in mine if e.kind == "take" and e.at <= now
                                                      and (med.as_needed or e.as_needed)])
            items.append(ChecklistItem(med, None, "as-needed", uses_24h=[e.at for e in recent], next_allowed=nxt,
                                       amounts_24h=[e.dose_amount or 0 for e in recent]))
        if med.as_needed:
            continue
        m = adherence.match(slots_around(med, now, tz), mine, now, on_time)
        for r in m.slots:
            open_injection = r.slot.window is not None and (
                r.opens <= now <= r.closes or (r.entry is not None and r.entry.at.astimezone(tz).date() == today))
            if r.slot.day == today or open_injection:
                items.append(ChecklistItem(med, r.slot, slot_status(r, now, on_time), r.entry))
    items.sort(key=lambda it: (it.slot is None, it.slot.at if it.slot else now, it.medication.name))
    return items


def due_now(meds: list[Medication], entries: list[Entry], now: datetime, tz: ZoneInfo) -> list[TakePlan]:
    """Every open slot whose time has come (due or overdue, its window still open): what a bare `take` takes."""
    plans = []
    for med in meds:
        if med.as_needed or not med.active_on(now.astimezone(tz).date()):
            continue
        m = adherence.match(slots_around(med, now, tz), [e for e in entries if e.medication_id == med.id], now)
        for r in m.slots:
            # A slot the person skipped on purpose is not due: only `take NAME` overrides a skip.
            if r.opens <= now <= r.closes and r.entry is None and now >= r.slot.at - adherence.DEFAULT_ON_TIME:
                plans.append(TakePlan(med, now, r.slot, None, dose=(r.slot.dose_amount, r.slot.dose_unit)))
    return plans


def plan_skip(med: Medication, at: datetime, entries: list[Entry], now: datetime, tz: ZoneInfo,
              for_slot: str | None = None) -> Slot:
    """The slot a skip at `at` fills (`for_slot`: the one named, 'YYYY-MM-DDTHH:MM', as `take --for`);
    refuses when there is none or it is already taken or skipped."""
    if med.as_needed:
        raise UsageError(f"{med.name} is taken as needed: there is no scheduled dose to skip")
    m = adherence.match(slots_for(med, at, tz, for_slot), entries, now)
    if for_slot is not None:
        named = Entry(-1, "skip", med.id, at, "", data={"for": for_slot})
        around = [r for r in m.slots if adherence.is_for(named, r.slot)]
    else:
        around = sorted((r for r in m.slots if r.reaches(at)),
                        key=lambda r: (r.entry is not None, abs(r.slot.at - at)))
    if not around:
        raise Refused(f"no {med.name} dose is scheduled near {when_phrase(at, now, tz)}: nothing to skip")
    r = around[0]
    if r.entry is not None:
        what = "taken" if r.taken else "skipped"
        raise Refused(f"{med.name} {r.slot.clock.strftime('%H:%M')} was already {what} "
                      f"{when_phrase(r.entry.at, now, tz)}; 'meddiary retract {r.entry.id}' retracts it")
    return r.slot
