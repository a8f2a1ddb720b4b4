"""Recording a scheduled dose deliberately not taken (`meddiary skip`), with the reason."""

from meddiary.actions import Env, Result, recorded, text
from meddiary.errors import UsageError, check_text


def skip(e: Env, name: str, reason: str | None, at: str | None, note: str | None) -> Result:
    """Record the skip of the dose of `name` at `at` (default now): the slot is found under the write lock."""
    from meddiary import diary, timeparse

    if not reason or not reason.strip():
        raise UsageError(f"a skip needs a reason: --reason with one of {', '.join(diary.SKIP_REASONS)}, or your own words")
    typed = why = check_text(reason, "--reason")
    if why.lower() in diary.SKIP_REASONS:
        why = why.lower()
    when = timeparse.parse_when(at, e.now, e.here) if at is not None else e.now
    store = e.store()
    med = diary.find(store.medications(), name)
    with store.transaction():  # the slot is found under the write lock, as for `take`
        reach = diary.reach([med])
        entries = store.entries_between(when - reach, when + reach, [med.id])
        slot = diary.plan_skip(med, when, entries, e.now, e.tz_recording(when))
        (entry_id,) = store.add_entries([{"kind": "skip", "medication_id": med.id, "at": when, "tz": e.tz_name,
                                          "dose_amount": slot.dose_amount, "dose_unit": slot.dose_unit,
                                          "reason": why, "note": text(note)}], e.now)
    return recorded(e, [f"#{entry_id} skipped {med.name} {slot.clock.strftime('%H:%M')} dose of {slot.day.isoformat()} "
                        f"({typed})"], [entry_id])
