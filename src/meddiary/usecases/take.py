"""Recording doses taken (`meddiary take`): which dose each fills, behind the overuse guard."""

from meddiary import actions
from meddiary.actions import Env, text
from meddiary.errors import Refused, UsageError


def take(e: Env, names: list[str], at: str | None, dose: str | None, note: str | None, yes: bool,
         as_needed: bool = False, for_slot: str | None = None) -> "actions.Result":
    """Record doses taken (none named: everything due now), behind the overuse guard."""
    from meddiary import diary, timeparse
    from meddiary.doses import parse_dose

    when = timeparse.parse_when(at, e.now, e.here) if at is not None else e.now
    amount = parse_dose(dose) if dose is not None else None
    if not names and (at is not None or as_needed or for_slot is not None or dose is not None):
        raise UsageError("--at, --dose, --as-needed and --for need a medication name: meddiary take NAME --at WHEN")
    if for_slot is not None and not for_slot.strip():
        raise UsageError("bad --for '': give the dose's time, e.g. --for 08:00 or --for 'yesterday 20:00'")
    store = e.store()
    tz = e.tz_recording(when)  # the day of a dose recorded where the person is now, judged there
    meds = store.medications()
    names = [n for arg in names for n in arg.split(",")]  # `take a,b` as `take a b` (names have no commas)
    chosen = list({m.id: m for m in (diary.find(meds, n) for n in names)}.values()) if names else []
    named = {m.id: diary.parse_for(m, for_slot, when, e.now, tz) for m in chosen} if for_slot is not None else {}
    reach = diary.reach(chosen or meds)

    def plan():
        if not chosen:
            return diary.due_now(meds, store.entries_between(e.now - reach, e.now + reach), e.now, tz)
        instants = [when, *(diary.named_instant(n, tz) for n in named.values())]  # a dose named days away too
        entries = store.entries_between(min(instants) - reach, max(instants) + reach, [m.id for m in chosen])
        return [diary.plan_take(m, when, [x for x in entries if x.medication_id == m.id], e.now, tz, amount,
                                as_needed, named.get(m.id)) for m in chosen]

    problems = [p.problem for p in plan() if p.problem]
    actions._guard(e, problems, yes)
    with store.transaction():
        # Checked again under the write lock, so a dose another process recorded meanwhile counts.
        plans = plan()
        fresh = [p.problem for p in plans if p.problem and p.problem not in problems]
        if fresh and not yes:
            raise Refused(f"{fresh[0]} (recorded meanwhile) — nothing recorded; --yes records it anyway")
        rows = [take_row(p, e.tz_name, text(note)) for p in plans]
        ids = store.add_entries(rows, e.now)
    if not plans:
        return actions.recorded(e, ["nothing is due now"], [])
    return actions.recorded(e, [take_line(e, p, row, entry_id, tz) for p, row, entry_id in zip(plans, rows, ids)],
                            ids, {i: p.slot for p, i in zip(plans, ids) if p.slot is not None})


def take_row(p, tz_name: str, note: str | None) -> dict:
    """The entry a take plan (diary.TakePlan) records: `take`, and a corrected take (`retract ID --at …`)."""
    data = {"as_needed": True} if p.as_needed and not p.medication.as_needed else {}
    if p.for_slot:
        data["for"] = p.for_slot
    return {"kind": "take", "medication_id": p.medication.id, "at": p.at, "tz": tz_name,
            "dose_amount": p.dose[0], "dose_unit": p.dose[1], "note": note,
            "forced": bool(p.problem), "data": data or None}


def take_line(e: Env, p, row: dict, entry_id: int, tz=None) -> str:
    """'#12 took sertraline 25 mg today at 08:03 (08:00 dose; prescribed 50 mg)': what a recorded take filled.
    `tz`: what its day was judged in (default the diary's; Env.tz_recording for a new take)."""
    from meddiary import diary
    from meddiary.doses import format_dose

    tz = tz or e.tz
    today = e.now.astimezone(tz).date()
    if p.as_needed:
        what = "as needed, over the guard" if p.problem else "as needed"
    elif p.slot is None:
        what = "extra dose"
    else:
        what = f"{p.slot.clock.strftime('%H:%M')} dose"
        if p.slot.day != p.at.astimezone(tz).date():
            what += f" of {diary.day_phrase(p.slot.day, today)}"
        if p.slot.window is not None:
            what += diary.injection_timing(p.at, p.slot, tz)
        if prescribed := diary.prescribed_text(row["dose_amount"], row["dose_unit"], p.slot):
            what += f"; {prescribed}"
        if p.problem:
            what += ", over the guard"
    extra = f", instead of the skip recorded {diary.when_phrase(p.replaces_skip.at, e.now, tz)}" if p.replaces_skip else ""
    return (f"#{entry_id} took {p.medication.name} {format_dose(row['dose_amount'], row['dose_unit'])} "
            f"{diary.when_phrase_here(p.at, e.now, tz, e.here)} ({what}{extra})")


def filled_slots(store, takes: list, now, tz) -> dict:
    """Entry id -> the slot each of these takes fills, matched as `today` and the report match them (the
    medications' entries loaded around the takes' days): `log` shows a dose other than the prescribed one."""
    from meddiary import diary

    meds = {m.id: m for m in store.medications()}
    filled = {}
    for med_id in {x.medication_id for x in takes}:
        med = meds.get(med_id)
        if med is None or med.as_needed:
            continue
        mine = [x for x in takes if x.medication_id == med_id]
        first, last = min(x.at for x in mine), max(x.at for x in mine)
        days = diary.reach([med])
        entries = store.entries_between(first - 2 * days, last + 2 * days, [med_id])
        filled.update(diary.filled_slots(med, entries, (first - days).astimezone(tz).date(),
                                         (last + days).astimezone(tz).date(), now, tz))
    return filled
