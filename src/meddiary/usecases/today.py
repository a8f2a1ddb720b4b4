"""Today's checklist (`meddiary`, `meddiary today`)."""

from meddiary.actions import Env, Result


def today(e: Env) -> Result:
    """Today's checklist: each dose with its state, and as-needed use in the last 24 hours."""
    from meddiary import diary, views

    store = e.store()
    meds = store.medications()
    reach = diary.reach(meds)
    entries = store.entries_between(e.now - reach, e.now + reach)
    items = diary.checklist(meds, entries, e.now, e.tz)
    return Result(views.checklist_lines(items, meds, e.now, e.tz),
                  lambda: views.checklist_json(items, e.now, e.tz, e.tz_name))
