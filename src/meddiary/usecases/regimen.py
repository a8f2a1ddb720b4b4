"""Planning a change of regimen: `change` (a new dose or schedule from a day), `taper` (dose steps at a
fixed interval), `stop`, `pause` and `resume`.

Each is one write transaction: the medication is found, the new regimens are decided from the ones in force
(meddiary.regimens) and recorded, under the write lock, so a change another process records meanwhile is
never planned over. Nothing is updated in place: a new regimen supersedes the planned ones from its day on,
which are kept (store.add_regimens). Each returns an actions.Result: its lines, and as JSON the medication
as `show --json` shows it afterwards.
"""

from meddiary.actions import Env, Result, optional_reason
from meddiary.errors import UsageError


def change(e: Env, name: str, reason: str | None, dose: str | None = None, at: list[str] | None = None,
           days: str | None = None, every: str | None = None, cycle: str | None = None, window: str | None = None,
           as_needed_dose: str | None = None, max_per_day: int | None = None, max_amount: str | None = None,
           min_interval: str | None = None, from_: str | None = None, units_per_dose: str | None = None,
           strength: str | None = None) -> Result:
    """A new regimen from `from_` (default today); the previous one ends the day before and is kept."""
    from meddiary import diary, regimens, timeparse

    store = e.store()
    with store.transaction():
        med = diary.find(store.medications(), name)
        why = required_reason(reason, "a change")
        day = timeparse.parse_date(from_, e.today) if from_ is not None else e.today
        new = regimens.changed(med, day, dose, at, days, every, max_per_day, min_interval, why, units_per_dose,
                               strength, cycle=cycle, window=window, max_amount=max_amount,
                               as_needed_dose=as_needed_dose)
        store.add_regimens(med.id, [new], e.now, e.tz_name)
    return _result(e, med.id, [f"changed {med.name} from {day.isoformat()}: {regimens.describe_dict(new)} ({why})"])


def taper(e: Env, name: str, steps: str, every: str, reason: str | None, from_: str | None = None) -> Result:
    """A taper (or a titration upwards): the doses of `steps` in turn, each for `every`, from `from_`."""
    from meddiary import diary, regimens, timeparse

    store = e.store()
    with store.transaction():
        med = diary.find(store.medications(), name)
        why = required_reason(reason, "a taper")
        day = timeparse.parse_date(from_, e.today) if from_ is not None else e.today
        plan = regimens.taper(med, day, steps, every, why)
        store.add_regimens(med.id, plan, e.now, e.tz_name)
    kinds = {r["kind"] for r in plan if r["kind"] != "stop"}
    what = "a titration" if kinds == {"titration"} else "a taper" if kinds <= {"taper"} else "dose steps"
    lines = [f"planned {med.name} as {what} in {len(plan)} step{'' if len(plan) == 1 else 's'} ({why}):"]
    lines += [f"  from {r['start_date'].isoformat()}  {regimens.describe_dict(r)}" for r in plan]
    return _result(e, med.id, lines)


def stop(e: Env, name: str, on: str | None = None, reason: str | None = None) -> Result:
    """Stop a medication from `on` (default today) on; its history is kept."""
    from meddiary import diary, regimens, timeparse

    store = e.store()
    with store.transaction():
        med = diary.find(store.medications(), name)
        day = timeparse.parse_date(on, e.today) if on is not None else e.today
        why = optional_reason(reason)
        store.add_regimens(med.id, [regimens.stopped(med, day, why)], e.now, e.tz_name)
    return _result(e, med.id, [f"stopped {med.name} from {day.isoformat()}" + (f" ({why})" if why else "")])


def pause(e: Env, name: str, from_: str | None = None, until: str | None = None, for_: str | None = None,
          reason: str | None = None) -> Result:
    """A planned break from `from_` (default today) to `until` (or for `for_`), or until resumed: its days
    are not scheduled, and the regimen in force before it applies again after it."""
    from datetime import timedelta

    from meddiary import diary, regimens, timeparse

    if until is not None and for_ is not None:
        raise UsageError("give either --until DAY or --for 14d, not both")
    first = timeparse.parse_date(from_, e.today) if from_ is not None else e.today
    last = None
    if until is not None:
        last = timeparse.parse_date(until, e.today)
    elif for_ is not None:
        last = first + timedelta(days=timeparse.parse_duration(for_, units="dw", what="--for").days - 1)
    why = optional_reason(reason)
    store = e.store()
    with store.transaction():
        med = diary.find(store.medications(), name)
        store.add_regimens(med.id, regimens.paused(med, first, last, why), e.now, e.tz_name)
    upto = f" to {last.isoformat()}, resuming {(last + timedelta(days=1)).isoformat()}" if last else \
        " until you resume it ('meddiary resume NAME')"
    return _result(e, med.id, [f"paused {med.name} from {first.isoformat()}{upto}" + (f" ({why})" if why else "")])


def resume(e: Env, name: str, on: str | None = None) -> Result:
    """End a pause from `on` (default today): the regimen in force before it applies again."""
    from meddiary import diary, regimens, timeparse

    store = e.store()
    with store.transaction():
        med = diary.find(store.medications(), name)
        day = timeparse.parse_date(on, e.today) if on is not None else e.today
        r = regimens.resumed(med, day, None)
        store.add_regimens(med.id, [r], e.now, e.tz_name)
    return _result(e, med.id, [f"resumed {med.name} from {day.isoformat()}: {regimens.describe_dict(r)}"])


def required_reason(value: str | None, what: str) -> str:
    """The --reason a change or a taper needs (the history says why each dose changed)."""
    from meddiary.errors import check_text

    if not value or not value.strip():
        raise UsageError(f"{what} needs a reason: --reason TEXT, e.g. --reason 'prescriber increased the dose'")
    return check_text(value, "--reason")


def _result(e: Env, medication_id: int, lines: list[str]) -> Result:
    """What a planned change returns: its lines, and as JSON the medication as `show --json` shows it now
    (read back only for --json)."""

    def data() -> dict:
        from meddiary import views

        store = e.store()
        med = next(m for m in store.medications() if m.id == medication_id)
        return {"medication": views.medication_json(med, e.today, with_history=True,
                                                    superseded=store.superseded_regimens(med.id), tz=e.tz)}

    return Result(lines, data)
