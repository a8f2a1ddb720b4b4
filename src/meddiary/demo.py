"""A realistic 90-day sample diary: four medications (a dose change, a taper, twice daily, as needed),
good and bad weeks, skips with reasons, extra doses, refills and pill counts. Deterministic for a given `now`
and seed."""

import random
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from meddiary import schedule
from meddiary.store import new_uid
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

    def tablets(mg: float) -> dict:  # one tablet's strength (--strength): supply is counted in tablets
        return {"strength_amount": mg, "strength_unit": "mg"}

    store.add_medication("sertraline", False, "depression", None, ["Zoloft"],
                         regimen(start, "start", 50, (time(8, 0),), **tablets(50)), created, tz_name)
    store.add_medication("quetiapine", False, "sleep and mood", "take with a light snack", ["Seroquel"],
                         regimen(start, "start", 100, (time(22, 0),)), created, tz_name)
    store.add_medication("lamotrigine", False, "bipolar disorder", None, ["Lamictal"],
                         regimen(start, "start", 50, (time(8, 0), time(20, 0)), **tablets(50)), created, tz_name)
    store.add_medication("lorazepam", True, "panic attacks", None, ["Ativan"],
                         {"start_date": start, "kind": "start", "dose_amount": 0.5, "dose_unit": "mg",
                          "max_per_day": 3, "min_interval": timedelta(hours=4), **tablets(0.5)}, created, tz_name)
    meds = {m.name: m for m in store.medications()}
    change_day = start + timedelta(days=28)
    # A new prescription with the increase: 100 mg tablets, still one a day.
    store.add_regimens(meds["sertraline"].id, [regimen(change_day, "change", 100, (time(8, 0),),
                       "partial response at 4 weeks; increased by Dr Okafor", **tablets(100))],
                       wall_to_utc(change_day, time(9), tz), tz_name)
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
    rows += _health(rng, meds, start, change_day, taper_day, now, tz)
    rows += _supply(meds, start, change_day, now, tz)
    rows.sort(key=lambda r: r["at"])
    with store.transaction():
        store.add_entries(rows, now)


def _health(rng: random.Random, meds: dict, start: date, change_day: date, taper_day: date, now: datetime,
            tz: ZoneInfo) -> list[dict]:
    """Mood most evenings (low at first, better some weeks after the sertraline increase, dips in the bad
    weeks), sleep (shorter once quetiapine is tapered off), side effects tied to the dose changes, PHQ-9 and
    GAD-7 every two weeks, weight and blood pressure every four weeks, two visits and questions for the
    prescriber."""
    from meddiary import scales

    tz_name = tz.key
    rows: list[dict] = []

    def add(kind: str, day: date, clock: time, data: dict | None = None, med: str | None = None, note: str | None = None):
        at = wall_to_utc(day, clock, tz)
        if at < now - timedelta(minutes=5):
            rows.append({"kind": kind, "at": at, "tz": tz_name, "data": data, "note": note,
                         "medication_id": meds[med].id if med else None})

    stop_day = taper_day + timedelta(days=42)
    bad_weeks = {4, 10}
    for offset in range(DAYS):
        day = start + timedelta(days=offset)
        week = offset // 7
        better = min(1.0, max(0.0, (day - change_day).days / 28))  # the increase, felt over four weeks
        level = 3.8 + 2.8 * better - (1.6 if week in bad_weeks else 0) + rng.gauss(0, 0.7)
        score = int(min(10, max(1, round(level))))
        if rng.random() < 0.12:
            continue  # a day without an entry
        sleep = 7.4 + rng.gauss(0, 0.5) - (1.3 if day >= stop_day else 0.6 if day >= taper_day + timedelta(days=28) else 0)
        data = {"score": score, "depressed": 2 if score <= 3 else 1 if score <= 5 else 0,
                "elevated": 1 if score >= 9 else 0,
                "anxiety": min(3, (2 if week in bad_weeks else 1) + (rng.random() < 0.2)),
                "irritability": 1 if week in bad_weeks or rng.random() < 0.15 else 0,
                "sleep_hours": round(min(11.0, max(3.0, sleep)) * 2) / 2}
        add("mood", day, time(21, rng.randint(15, 55)), data)

    def side_effect(symptom: str, med: str, days: list[tuple[int, str]], first: date, resolved: int | None,
                    note: str | None = None):
        for i, (n, severity) in enumerate(days):
            add("side_effect", first + timedelta(days=n), time(9, 30),
                {"symptom": symptom, "severity": severity, "resolved": False}, med, note if i == 0 else None)
        if resolved is not None:
            add("side_effect", first + timedelta(days=resolved), time(19, 0),
                {"symptom": symptom, "severity": None, "resolved": True}, med)

    side_effect("nausea", "sertraline", [(2, "mild"), (4, "moderate"), (7, "mild")], change_day, 11,
                "worse on an empty stomach")
    side_effect("vivid dreams", "quetiapine", [(3, "mild"), (6, "mild")], taper_day + timedelta(days=28), 9)
    side_effect("trouble sleeping", "quetiapine", [(2, "moderate"), (5, "severe"), (9, "moderate")], stop_day, None,
                "awake until 3 most nights")

    for n, offset in enumerate(range(0, DAYS, 14)):
        day = start + timedelta(days=offset)
        week = offset // 7
        better = min(1.0, max(0.0, (day - change_day).days / 28))
        low = 1.9 - 1.2 * better + (0.5 if week in bad_weeks else 0)  # the typical answer, 0–3
        phq = [min(3, max(0, round(low + rng.gauss(0, 0.6)))) for _ in range(8)]
        phq.append(1 if week == 10 else 0)  # a hard week: item 9 answered "several days"
        gad = [min(3, max(0, round(low - 0.3 + rng.gauss(0, 0.6)))) for _ in range(7)]
        add("check", day, time(20, 0), scales.score(scales.INSTRUMENTS["phq9"], phq))
        add("check", day, time(20, 5), scales.score(scales.INSTRUMENTS["gad7"], gad))

    # measurements at the GP's every four weeks (weight while on quetiapine; blood pressure and pulse)
    for n, offset in enumerate(range(6, DAYS, 28)):
        day = start + timedelta(days=offset)
        add("measurement", day, time(8, 40), {"test": "weight", "value": [84.2, 83.6, 82.9, 82.4][n % 4],
                                              "diastolic": None, "unit": "kg", "range_low": None, "range_high": None})
        add("measurement", day, time(8, 45), {"test": "blood_pressure", "value": [128, 124, 121, 122][n % 4],
                                              "diastolic": [84, 80, 79, 78][n % 4], "unit": "mmHg", "range_low": None,
                                              "range_high": None})
    add("visit", change_day, time(9, 0), note="Dr Okafor: sertraline up to 100 mg")
    add("visit", start + timedelta(days=60), time(10, 0), note="Dr Okafor: quetiapine taper on track")
    add("question", start + timedelta(days=20), time(21, 0), {"text": "Could the sertraline dose go up?"})
    rows[-1]["uid"] = uid = new_uid()  # the answer names its question by uid
    add("answer", change_day, time(9, 30), {"question": uid, "answer": "yes: 100 mg from today"})
    add("question", stop_day + timedelta(days=3), time(22, 30),
        {"text": "Is the trouble sleeping from stopping quetiapine, and how long does it usually last?"})
    add("question", start + timedelta(days=DAYS - 4), time(8, 0),
        {"text": "Should lamotrigine be taken with food?"})
    return rows


def _supply(meds: dict, start: date, change_day: date, now: datetime, tz: ZoneInfo) -> list[dict]:
    """Refills of 30 days' tablets with the repeats left on the prescription, and two pill counts:
    sertraline (one tablet a day) refilled about monthly, once early; a new prescription of 100 mg tablets
    with the increase, counted that day. Lamotrigine (two 50 mg tablets a day): the pharmacy had only 20
    tablets in stock, so it ran out in week 10 (the three days the diary records as skipped: "ran-out"), then a
    full pack, counted, and no repeats left. Lorazepam: two packs of 30 (as needed: no PDC)."""
    rows: list[dict] = []

    def add(kind: str, name: str, day: date, clock: time, data: dict, note: str | None = None):
        at = wall_to_utc(day, clock, tz)
        if at < now - timedelta(minutes=5):
            rows.append({"kind": kind, "at": at, "tz": tz.key, "medication_id": meds[name].id, "data": data,
                         "note": note})

    def refill(name: str, day: date, clock: time, qty: int, repeats_left: int, note: str | None = None):
        add("refill", name, day, clock, {"qty": qty, "repeats_left": repeats_left}, note)

    refill("sertraline", start, time(10, 0), 30, 1)
    refill("sertraline", change_day, time(11, 0), 30, 3, "new prescription: 100 mg tablets")
    add("count", "sertraline", change_day, time(11, 5), {"count": 30}, "the 100 mg pack; the 50 mg tablets put aside")
    refill("sertraline", start + timedelta(days=61), time(10, 0), 30, 2)
    refill("sertraline", start + timedelta(days=85), time(17, 30), 30, 1, "early: away over the weekend")

    week10 = [start + timedelta(days=70 + i) for i in range(7)]
    gap = [d for d in week10 if d.weekday() in (1, 2, 3)]  # as the takes above: skipped, "ran-out"
    refill("lamotrigine", gap[0] - timedelta(days=40), time(10, 0), 60, 2)
    refill("lamotrigine", gap[0] - timedelta(days=12), time(10, 0), 20, 1, "the pharmacy had only 20 in stock")
    refill("lamotrigine", gap[-1] + timedelta(days=1), time(7, 45), 60, 0, "the rest of the prescription")
    add("count", "lamotrigine", gap[-1] + timedelta(days=1), time(7, 50), {"count": 60}, "none left before this pack")

    refill("lorazepam", start, time(10, 0), 30, 1)
    refill("lorazepam", start + timedelta(days=52), time(10, 0), 30, 0)
    return rows


def _entry(kind: str, med_id: int, at: datetime, tz_name: str, slot, reason: str | None = None, forced: bool = False) -> dict:
    return {"kind": kind, "medication_id": med_id, "at": at, "tz": tz_name, "dose_amount": slot.dose_amount,
            "dose_unit": slot.dose_unit, "reason": reason, "forced": forced}



