"""A realistic 90-day sample diary: four medications (a dose change, a taper, twice daily, as needed),
good and bad weeks, skips with reasons, extra doses. Deterministic for a given `now` and seed."""

import random
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from meddiary import schedule
from meddiary.timeparse import wall_to_utc

DAYS = 90


def temporary_path() -> Path:
    return Path(tempfile.mkdtemp(prefix="meddiary-demo-")) / "demo.db"


def write(store, now: datetime, tz: ZoneInfo, seed: int = 7) -> None:
    rng = random.Random(seed)
    today = now.astimezone(tz).date()
    start = today - timedelta(days=DAYS - 1)
    created = wall_to_utc(start, time(7, 30), tz)
    tz_name = tz.key

    def regimen(day: date, kind: str, amount: float, times: tuple, reason: str | None = None, **kw) -> dict:
        return {"start_date": day, "kind": kind, "dose_amount": amount, "dose_unit": "mg", "times": times,
                "reason": reason, **kw}

    store.add_medication("sertraline", False, "depression", None, ["Zoloft"],
                         regimen(start, "start", 50, (time(8, 0),)), created, tz_name)
    store.add_medication("quetiapine", False, "sleep and mood", "take with a light snack", ["Seroquel"],
                         regimen(start, "start", 100, (time(22, 0),)), created, tz_name)
    store.add_medication("lamotrigine", False, "bipolar disorder", None, ["Lamictal"],
                         regimen(start, "start", 50, (time(8, 0), time(20, 0))), created, tz_name)
    store.add_medication("lorazepam", True, "panic attacks", None, ["Ativan"],
                         {"start_date": start, "kind": "start", "dose_amount": 0.5, "dose_unit": "mg",
                          "max_per_day": 3, "min_interval": timedelta(hours=4)}, created, tz_name)
    meds = {m.name: m for m in store.medications()}
    change_day = start + timedelta(days=28)
    store.add_regimens(meds["sertraline"].id, [regimen(change_day, "change", 100, (time(8, 0),),
                       "partial response at 4 weeks; increased by Dr Okafor")], wall_to_utc(change_day, time(9), tz), tz_name)
    taper_day = start + timedelta(days=32)
    steps = [(75, 0), (50, 1), (25, 2)]
    plan = [regimen(taper_day + timedelta(days=14 * i), "taper", amount, (time(22, 0),),
                    f"morning grogginess; taper agreed with Dr Okafor (step {i + 1} of 4)") for amount, i in steps]
    plan.append({"start_date": taper_day + timedelta(days=42), "kind": "stop",
                 "reason": "morning grogginess; taper agreed with Dr Okafor (step 4 of 4)"})
    store.add_regimens(meds["quetiapine"].id, plan, wall_to_utc(taper_day, time(9), tz), tz_name)
    meds = {m.name: m for m in store.medications()}

    bad_weeks = {4, 10}  # a rough patch: doses forgotten, late, a few days off one medication
    rows = []
    for name in ("sertraline", "quetiapine", "lamotrigine"):
        med = meds[name]
        for slot in schedule.expand(med, start, today, tz):
            if slot.at > now - timedelta(minutes=30):
                continue
            week = (slot.day - start).days // 7
            bad = week in bad_weeks
            if name == "lamotrigine" and week == 10 and slot.day.weekday() in (1, 2, 3):
                # ran out before the pharmacy reopened: three days without (a drug holiday)
                rows.append(_entry("skip", med.id, slot.at + timedelta(minutes=10), tz_name, slot, reason="ran-out"))
                continue
            roll = rng.random()
            if roll < (0.22 if bad else 0.03):
                continue  # missed: nothing recorded
            if roll < (0.32 if bad else 0.06):
                reason = rng.choice(["forgot", "felt-unwell", "side-effects"] if bad else ["forgot", "side-effects"])
                rows.append(_entry("skip", med.id, slot.at + timedelta(minutes=rng.randint(20, 120)), tz_name, slot, reason=reason))
                continue
            late = rng.random() < (0.35 if bad else 0.08)
            offset = timedelta(minutes=rng.randint(150, 300) if late else int(rng.gauss(10, 25)))
            at = min(slot.at + offset, now - timedelta(minutes=5))
            rows.append(_entry("take", med.id, at, tz_name, slot))
            if rng.random() < 0.012:
                # took it twice by mistake, later that morning or evening
                rows.append(_entry("take", med.id, at + timedelta(hours=rng.randint(5, 7)), tz_name, slot, forced=True))
    lorazepam = meds["lorazepam"]
    for offset in range(DAYS):
        day = start + timedelta(days=offset)
        week = offset // 7
        n = rng.choice([0, 0, 0, 0, 1]) if week not in bad_weeks else rng.choice([0, 1, 2, 2, 3])
        hours = sorted(rng.sample(range(9, 23), n))
        for i, h in enumerate(hours):
            at = wall_to_utc(day, time(h, rng.randint(0, 59)), tz)
            if at < now - timedelta(minutes=5):
                forced = i > 0 and (at - wall_to_utc(day, time(hours[i - 1], 0), tz)) < timedelta(hours=4)
                rows.append({"kind": "take", "medication_id": lorazepam.id, "at": at, "tz": tz_name,
                             "dose_amount": 0.5, "dose_unit": "mg", "forced": forced})
    # One bad night in a bad week: a fourth lorazepam within 24 hours, recorded over the guard.
    night = start + timedelta(days=7 * 10 + 4)
    for h in (10, 15, 19, 23):
        at = wall_to_utc(night, time(h, 15), tz)
        if at < now:
            rows.append({"kind": "take", "medication_id": lorazepam.id, "at": at, "tz": tz_name,
                         "dose_amount": 0.5, "dose_unit": "mg", "forced": h == 23,
                         "note": "panic attack after the bad news" if h == 23 else None})
    rows.sort(key=lambda r: r["at"])
    with store.transaction():
        store.add_entries(rows, now)


def _entry(kind: str, med_id: int, at: datetime, tz_name: str, slot, reason: str | None = None, forced: bool = False) -> dict:
    return {"kind": kind, "medication_id": med_id, "at": at, "tz": tz_name, "dose_amount": slot.dose_amount,
            "dose_unit": slot.dose_unit, "reason": reason, "forced": forced}



