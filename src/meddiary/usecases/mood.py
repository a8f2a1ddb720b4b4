"""Recording mood, the four mood-chart ratings and sleep (`meddiary mood`)."""

from meddiary.actions import Env, Result, recorded, text
from meddiary.errors import UsageError


def whole(value: str, what: str, low: int, high: int, forms: str) -> int:
    """A whole number typed by a person: ASCII digits only, within [low, high]."""
    t = value.strip()
    if not t.isascii() or not t.isdigit() or len(t) > 3 or not low <= int(t) <= high:
        raise UsageError(f"bad {what} {value!r}: {forms}")
    return int(t)


def hours(value: str) -> float:
    """Sleep: 7, 7.5, 7h, 7h30 or 7:30 — from 0 to 24 hours."""
    import re

    forms = "use hours from 0 to 24: 7, 7.5, 7h30 or 7:30"
    t = value.strip().lower()
    m = re.fullmatch(r"([0-9]{1,2})(?:\.([0-9]{1,2}))?h?", t) if t.isascii() else None
    if m:
        h = int(m[1]) + (int(m[2]) / 10 ** len(m[2]) if m[2] else 0)
    elif t.isascii() and (m := re.fullmatch(r"([0-9]{1,2})(?:h|:)([0-5][0-9])m?", t)):
        h = int(m[1]) + int(m[2]) / 60
    else:
        raise UsageError(f"bad --sleep {value!r}: {forms}")
    if h > 24:
        raise UsageError(f"bad --sleep {value!r}: more than 24 hours; {forms}")
    return round(h, 2)


def mood(e: Env, score: str | None, depressed: str | None, elevated: str | None, anxiety: str | None,
         irritability: str | None, sleep: str | None, note: str | None, at: str | None) -> Result:
    """Record one mood entry; at least one value is needed. Several entries a day are fine."""
    from meddiary import diary, timeparse, views

    data = {"score": whole(score, "mood score", 1, 10, "use a whole number from 1 (worst) to 10 (best)")
            if score is not None else None}
    for name, value in (("depressed", depressed), ("elevated", elevated), ("anxiety", anxiety),
                        ("irritability", irritability)):
        data[name] = whole(value, f"--{name}", 0, 3, "use 0 (none), 1 (mild), 2 (moderate) or 3 (severe)") \
            if value is not None else None
    data["sleep_hours"] = hours(sleep) if sleep is not None else None
    if all(v is None for v in data.values()):
        raise UsageError("give at least one value: a SCORE from 1 to 10, --depressed/--elevated/--anxiety/"
                         "--irritability 0-3 or --sleep HOURS, e.g. meddiary mood 6 --sleep 7.5")
    when = timeparse.parse_when(at, e.now, e.here) if at is not None else e.now
    store = e.store()
    (entry_id,) = store.add_entries([{"kind": "mood", "at": when, "tz": e.tz_name, "note": text(note),
                                      "data": data}], e.now)
    return recorded(e, [f"#{entry_id} {views.mood_text(data)} ({diary.when_phrase(when, e.now, e.tz)})"], [entry_id])
