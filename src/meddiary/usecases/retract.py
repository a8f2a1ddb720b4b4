"""Retracting an entry: by its id (`retract ID`, `undo ID`), with an optional corrected copy, or the most
recent one (`undo`). Both return an actions.Result: the lines saying what was retracted and recorded, and
as JSON those entries as `log --json` shows them.

Nothing is deleted: the entry stays, marked in `retractions` with the reason. A correction (`--at`,
`--dose`, `--note`) records a copy of the entry with those fields replaced, in the same transaction as the
retraction: both happen or neither. A corrected take goes through the take's own rules — the dose it fills
is found again and the overuse guard is asked when its time or dose changes — and a corrected skip finds
its dose again, so the copy is what `take --at` or `skip --at` would have recorded. Everything that counts
(today, the guard, due, supply, the report) reads entries through store queries that leave retracted ones
out, so they follow at once.
"""

import re

from meddiary.actions import Env, Result, _guard, optional_reason, text
from meddiary.usecases.take import take_line, take_row
from meddiary.errors import Refused, UsageError

ID_FORMS = "the number 'meddiary log' shows, e.g. 12 (or '#12')"
PLAIN_REASON = {"retract": "retract", "undo": "undo"}  # = views.PLAIN_RETRACTIONS: recorded when none is given


def parse_id(value: str) -> int:
    """'12' or '#12' -> 12; anything else is bad input."""
    m = re.fullmatch(r"#?([0-9]{1,18})", value.strip()) if value else None
    if m is None or int(m[1]) < 1:
        raise UsageError(f"bad entry id {value!r}: give {ID_FORMS}")
    return int(m[1])


def retract(e: Env, entry_id: str, reason: str | None = None, at: str | None = None, dose: str | None = None,
            note: str | None = None, yes: bool = False, command: str = "retract") -> Result:
    """Retract entry `entry_id` as typed ('12', '#12'; kept, marked); with `at`, `dose` or `note`, record its
    corrected copy too. `reason`: why, kept with the retraction (one line; None for none)."""
    from meddiary import diary, timeparse
    from meddiary.doses import parse_dose

    reason = optional_reason(reason)
    entry_id = parse_id(entry_id)
    when = timeparse.parse_when(at, e.now, e.here) if at is not None else None
    amount = parse_dose(dose) if dose is not None else None
    new_note = text(note) if note is not None else None  # --note '' removes the note from the copy
    correcting = at is not None or dose is not None or note is not None
    store = e.store()
    entry = _retractable(store, entry_id, e)
    if amount is not None and entry.kind != "take":
        raise UsageError(f"--dose corrects the dose of a take; #{entry_id} is a {_kind_word(entry.kind)}: "
                         "correct it with --at or --note")
    meds = {m.id: m for m in store.medications()}
    med = meds.get(entry.medication_id)
    why = reason or PLAIN_REASON[command]
    tz = e.tz_recording(when) if when is not None else e.tz  # a corrected time recorded where the person is

    def plan():
        """The corrected copy: (a diary.TakePlan for a take, else None; the row to record), or None."""
        if not correcting:
            return None
        row = {"kind": entry.kind, "medication_id": entry.medication_id, "at": entry.at, "tz": entry.tz,
               "dose_amount": entry.dose_amount, "dose_unit": entry.dose_unit, "reason": entry.reason,
               "note": new_note if note is not None else entry.note, "forced": entry.forced, "data": entry.data}
        if when is not None:
            row["at"], row["tz"] = when, e.tz_name
        if med is None or entry.kind not in ("take", "skip"):
            return None, row
        at_ = row["at"]
        reach = diary.reach([med])
        others = [x for x in store.entries_between(at_ - reach, at_ + reach, [med.id]) if x.id != entry.id]
        if entry.kind == "skip":
            if when is not None:  # the dose the skip is for, found again at its new time
                slot = diary.plan_skip(med, when, others, e.now, tz)
                row["dose_amount"], row["dose_unit"] = slot.dose_amount, slot.dose_unit
            return None, row
        # A take's named dose (`take --for`) is kept unless the time is corrected: then the time decides.
        named = entry.data.get("for") if entry.data and when is None else None
        p = diary.plan_take(med, at_, others, e.now, tz, amount or (entry.dose_amount, entry.dose_unit),
                            entry.as_needed, named)
        if when is None and amount is None:  # only the note: the take stays as the guard last saw it
            p.problem = None
            return p, {**take_row(p, row["tz"], row["note"]), "forced": entry.forced}
        return p, take_row(p, row["tz"], row["note"])

    def problem(planned) -> str | None:
        return planned[0].problem if planned is not None and planned[0] is not None else None

    asked = problem(plan())
    _guard(e, [asked] if asked else [], yes)
    with store.transaction():
        entry = _retractable(store, entry_id, e)  # again under the write lock: retracted meanwhile?
        store.retract_entry(entry.id, e.now, e.tz_name, why)
        planned = plan()  # again under the write lock, so a dose recorded meanwhile counts
        if planned is not None:
            fresh = problem(planned)
            if fresh and fresh != asked and not yes:
                raise Refused(f"{fresh} (recorded meanwhile) — nothing recorded; --yes records it anyway")
            (new_id,) = store.add_entries([planned[1]], e.now)
    names = {m.id: m.name for m in meds.values()}
    lines = [f"retracted {_line(store, entry, names, e)}" + (f" (reason: {why})" if reason else "")]
    copy_id, slot = None, None
    if planned is not None:
        p, row = planned
        copy_id = new_id
        if p is not None:
            lines.append(take_line(e, p, row, new_id, tz))
            slot = p.slot
        else:
            copy, _ = store.entry(new_id)
            lines.append(f"recorded {_line(store, copy, names, e)}")
    return _result(e, lines, entry.id, why, copy_id, slot)


def undo(e: Env, entry_id: str | None = None) -> Result:
    """Retract the most recent entry not retracted yet (`undo`), or the entry `entry_id` (`undo ID`, as
    `retract ID`). A plain undo right after a `retract` is refused: it would retract another entry, not
    bring that one back."""
    if entry_id is not None:
        return retract(e, entry_id, command="undo")
    store = e.store()
    with store.transaction():
        entry = store.latest_entry()
        if entry is None:
            raise Refused("nothing to undo: the diary has no entries" if store.latest_retraction() is None else
                          "nothing to undo: every entry is retracted already")
        last = store.latest_retraction()
        if last is not None and last[1] != "undo" and not last[2]:
            # The last change was a `retract` (perhaps with a corrected copy): a plain undo would retract
            # another entry, not bring that one back. Nothing is lost by refusing; a guess could lose a dose.
            raise Refused(f"the last change was 'meddiary retract {last[0]}': undo retracts entries, it does not "
                          f"bring #{last[0]} back — record it again (e.g. 'meddiary take NAME --at WHEN'), or name "
                          f"the entry to retract: meddiary undo {entry.id}")
        store.retract_entry(entry.id, e.now, e.tz_name)
    names = {m.id: m.name for m in store.medications()}
    return _result(e, [f"retracted {_line(store, entry, names, e)}"], entry.id, PLAIN_REASON["undo"])


def _result(e: Env, lines: list[str], retracted_id: int, why: str, copy_id: int | None = None,
            slot=None) -> Result:
    """What a retraction returns: its lines, and as JSON the entry retracted and the corrected copy recorded
    (if any), each as `log --json` shows it (read back only for --json)."""

    def data() -> dict:
        from meddiary import views

        store = e.store()
        names = {m.id: m.name for m in store.medications()}
        entry, retracted = store.entry(retracted_id)
        recorded = [views.entry_json(store.entry(copy_id)[0], names, e.tz, slot=slot)] if copy_id else []
        return {"retracted": [views.entry_json(entry, names, e.tz, retracted, why)], "recorded": recorded}

    return Result(lines, data)


def _retractable(store, entry_id: int, e: Env):
    """The entry, not retracted yet; else bad input (one line, nothing written)."""
    found = store.entry(entry_id)
    if found is None:
        raise UsageError(f"no entry #{entry_id}: 'meddiary log' lists the entries with their ids")
    entry, retracted = found
    if retracted is not None:
        from meddiary.diary import when_phrase

        raise UsageError(f"entry #{entry_id} was already retracted {when_phrase(retracted, e.now, e.tz)}: "
                         "nothing to retract ('meddiary log' shows it, marked)")
    return entry


def _line(store, entry, names: dict, e: Env) -> str:
    from meddiary import views

    questions = None
    if entry.kind == "answer":
        questions = {q.uid: (q.id, q.data["text"]) for q in store.entries_of(("question",))}
    return views.entry_line(entry, names, e.tz, questions=questions)


def _kind_word(kind: str) -> str:
    return {"side_effect": "side effect", "check": "questionnaire", "measurement": "measurement"}.get(kind, kind)
