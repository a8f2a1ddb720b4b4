"""The diary's rules for recording: name lookup, the overuse guard and today's checklist (pure)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from meddiary import adherence, schedule
from meddiary.doses import format_dose
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


def duration_phrase(d: timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    h, m = divmod(minutes, 60)
    return f"{h} h {m} min" if h and m else f"{h} h" if h else f"{m} min"


def slots_around(med: Medication, at: datetime, tz: ZoneInfo) -> list[Slot]:
    day = at.astimezone(tz).date()
    return schedule.expand(med, day - timedelta(days=1), day + timedelta(days=1), tz)


class TakePlan(Record):
    __slots__ = ("medication", "at", "slot", "problem", "replaces_skip")

    def __init__(self, medication: Medication, at: datetime, slot: Slot | None, problem: str | None,
                 replaces_skip: Entry | None = None):
        self.medication, self.at = medication, at
        self.slot = slot  # the slot it fills (None: as needed, or an extra dose)
        self.problem = problem  # why the guard would refuse; None: fine
        self.replaces_skip = replaces_skip


def plan_take(med: Medication, at: datetime, entries: list[Entry], now: datetime, tz: ZoneInfo) -> TakePlan:
    """Where a take at `at` would go, and what the overuse guard says about it.

    `entries` are the medication's entries within REACH of `at`.
    """
    if med.as_needed:
        return TakePlan(med, at, None, as_needed_problem(med, at, entries, now, tz))
    regimen = med.regimen_on(at.astimezone(tz).date())
    if regimen is None or regimen.is_stop:
        state = "stopped" if regimen else "not started yet"
        return TakePlan(med, at, None, f"{med.name} is {state} on {at.astimezone(tz).date()}: this would be an extra dose")
    m = adherence.match(slots_around(med, at, tz), entries, now)
    around = sorted((r for r in m.slots if r.opens <= at <= r.closes),
                    key=lambda r: (r.taken, abs(r.slot.at - at)))
    if not around:
        times = ", ".join(t.strftime("%H:%M") for t in regimen.times)
        return TakePlan(med, at, None, f"no {med.name} dose is scheduled near {hhmm(at, tz)} (doses at {times}):"
                                       " this would be an extra dose")
    r = around[0]
    if r.taken:
        dose = format_dose(r.slot.dose_amount, r.slot.dose_unit)
        return TakePlan(med, at, r.slot, f"{med.name} {dose} was already taken {when_phrase(r.entry.at, now, tz)}"
                                         " — this would be a double dose")
    return TakePlan(med, at, r.slot, None, r.entry if r.state == "skipped" else None)


def as_needed_window(regimen: Regimen | None, at: datetime, takes: list[datetime]) -> tuple[list[datetime], datetime | None]:
    """The takes in the 24 hours up to `at`, and when the next dose is allowed (None: now)."""
    recent = sorted(t for t in takes if at - timedelta(hours=24) < t <= at)
    allowed = []
    if regimen and regimen.max_per_day and len(recent) >= regimen.max_per_day:
        allowed.append(recent[len(recent) - regimen.max_per_day] + timedelta(hours=24))
    if regimen and regimen.min_interval and recent:
        allowed.append(recent[-1] + regimen.min_interval)
    nxt = max(allowed) if allowed else None
    return recent, nxt if nxt and nxt > at else None


def as_needed_problem(med: Medication, at: datetime, entries: list[Entry], now: datetime, tz: ZoneInfo) -> str | None:
    regimen = med.regimen_on(at.astimezone(tz).date())
    if regimen is None or regimen.is_stop:
        return f"{med.name} is not prescribed on {at.astimezone(tz).date()}"
    takes = [e for e in entries if e.kind == "take"]
    before_over, before_soon = adherence.as_needed_flags(takes, regimen.max_per_day, regimen.min_interval)
    new = Entry(-1, "take", med.id, at, "")
    over, soon = adherence.as_needed_flags(takes + [new], regimen.max_per_day, regimen.min_interval)
    recent, nxt = as_needed_window(regimen, at, [e.at for e in takes])
    times = ", ".join(hhmm(t, tz) for t in recent)
    allowed = f"; the next dose is allowed {when_phrase(nxt, now, tz)}" if nxt else ""
    if over - before_over:
        return (f"{med.name}: {len(recent)} doses in the 24 hours up to {hhmm(at, tz)} already (at {times}); "
                f"the most is {regimen.max_per_day} in any 24 hours{allowed}")
    if soon - before_soon:
        earlier = max((e.at for e in takes if e.at <= at), default=None)
        if earlier is None:  # a backdated take landing just before a later one
            earlier = min(e.at for e in takes if e.at > at)
        gap = abs(at - earlier)
        return (f"{med.name} was taken at {hhmm(earlier, tz)}, {duration_phrase(gap)} apart; the minimum interval"
                f" is {duration_phrase(regimen.min_interval)}{allowed}")
    return None


class ChecklistItem(Record):
    __slots__ = ("medication", "slot", "state", "entry", "uses_24h", "next_allowed")

    def __init__(self, medication: Medication, slot: Slot | None, state: str, entry: Entry | None = None,
                 uses_24h: list[datetime] | None = None, next_allowed: datetime | None = None):
        self.medication, self.slot = medication, slot
        self.state = state  # taken | late | skipped | upcoming | due | overdue | missed | as-needed
        self.entry, self.uses_24h, self.next_allowed = entry, uses_24h, next_allowed


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
    """Today's slots of every medication in force, and the as-needed ones' last 24 hours."""
    today = now.astimezone(tz).date()
    items = []
    for med in meds:
        mine = [e for e in entries if e.medication_id == med.id]
        if not med.active_on(today):
            continue
        if med.as_needed:
            recent, nxt = as_needed_window(med.regimen_on(today), now, [e.at for e in mine if e.kind == "take"])
            items.append(ChecklistItem(med, None, "as-needed", uses_24h=recent, next_allowed=nxt))
            continue
        m = adherence.match(schedule.expand(med, today - timedelta(days=1), today + timedelta(days=1), tz), mine, now, on_time)
        for r in m.slots:
            if r.slot.day == today:
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
                plans.append(TakePlan(med, now, r.slot, None))
    return plans


def plan_skip(med: Medication, at: datetime, entries: list[Entry], now: datetime, tz: ZoneInfo) -> Slot:
    """The slot a skip at `at` fills; refuses when there is none or it is already taken or skipped."""
    if med.as_needed:
        raise UsageError(f"{med.name} is taken as needed: there is no scheduled dose to skip")
    m = adherence.match(slots_around(med, at, tz), entries, now)
    around = sorted((r for r in m.slots if r.opens <= at <= r.closes),
                    key=lambda r: (r.entry is not None, abs(r.slot.at - at)))
    if not around:
        raise Refused(f"no {med.name} dose is scheduled near {when_phrase(at, now, tz)}: nothing to skip")
    r = around[0]
    if r.entry is not None:
        what = "taken" if r.taken else "skipped"
        raise Refused(f"{med.name} {r.slot.clock.strftime('%H:%M')} was already {what} "
                      f"{when_phrase(r.entry.at, now, tz)}; 'meddiary undo' retracts the latest entry")
    return r.slot
