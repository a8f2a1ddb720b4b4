"""Recording a scheduled dose deliberately not taken (`meddiary skip`), with the reason."""

from meddiary.actions import Env, Result, recorded, text
from meddiary.errors import UsageError, check_text


def skip(e: Env, name: str, reason: str | None, at: str | None, note: str | None,
         for_slot: str | None = None) -> Result:
    """Record the skip of the dose of `name` at `at` (default now), or of the dose `for_slot` names
    (`--for 08:00`, `--for 'yesterday 20:00'`, as `take --for`): the slot is found under the write lock."""
    from meddiary import diary, timeparse

    if not reason or not reason.strip():
        raise UsageError(f"a skip needs a reason: --reason with one of {', '.join(diary.SKIP_REASONS)}, or your own words")
    typed = why = check_text(reason, "--reason")
    if why.lower() in diary.SKIP_REASONS:
        why = why.lower()
    when = timeparse.parse_when(at, e.now, e.here) if at is not None else e.now
    if for_slot is not None and not for_slot.strip():
        raise UsageError("bad --for '': give the dose's time, e.g. --for 08:00 or --for 'yesterday 20:00'")
    store = e.store()
    med = diary.find(store.medications(), name)
    tz = e.tz_recording(when)
    named = diary.parse_for(med, for_slot, when, e.now, tz) if for_slot is not None else None
    with store.transaction():  # the slot is found under the write lock, as for `take`
        reach = diary.reach([med])
        lo, hi = when, when
        if named:  # a dose days away: its own days' entries too
            lo, hi = min(lo, diary.named_instant(named, tz)), max(hi, diary.named_instant(named, tz))
        entries = store.entries_between(lo - reach, hi + reach, [med.id])
        slot = diary.plan_skip(med, when, entries, e.now, tz, named)
        (entry_id,) = store.add_entries([{"kind": "skip", "medication_id": med.id, "at": when, "tz": e.tz_name,
                                          "dose_amount": slot.dose_amount, "dose_unit": slot.dose_unit,
                                          "reason": why, "note": text(note),
                                          "data": {"for": named} if named else None}], e.now)
    return recorded(e, [f"#{entry_id} skipped {med.name} {slot.clock.strftime('%H:%M')} dose of {slot.day.isoformat()} "
                        f"({typed})"], [entry_id])
