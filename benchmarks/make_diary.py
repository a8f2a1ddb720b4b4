"""Write a realistic multi-year meddiary diary, ending now, for the benchmarks.

    python benchmarks/make_diary.py --db /tmp/diary-10y.db --years 10 [--meds 5] [--seed 1]
    python benchmarks/make_diary.py --db /tmp/diary-10y.db --top-up   # record what came due since

Everything goes through meddiary's own API: regimens are built by `meddiary.regimens` (as `add`, `change`
and `taper` build them) and written with `Store.add_medication` / `Store.add_regimens`; entries with
`Store.add_entries`, with exactly the `data` keys of `model.ENTRY_KINDS`; corrections with
`Store.retract_entry`. So the schema, the migrations and the stored shapes are the real ones.

The medications (the first --meds of them):

  sertraline       50 mg at 08:00; 100 mg after six weeks; a taper 100 -> 75 -> 50 mg (two-week steps) a
                   little past the middle; 75 mg a year later.  Tablets of 25 mg.
  lamotrigine      25 mg at 08:00 and 20:00, titrated 50 -> 100 mg in two-week steps.  Tablets of 25 mg.
  lithium          six divided doses (07:00 ... 22:00, every 3 h); a dose change every two years after a
                   blood level.  One tablet a dose.
  methylphenidate  10 mg every other day at 07:00, 10:00, 13:00, 16:00.  Tablets of 10 mg.
  propranolol      10 mg as needed, at most 8 in 24 hours, at least 2 h apart (about 4 a day).

Issue 3 sizes its targets for "ten years of data (five medications, ~55,000 dose entries ...)", about 15
doses a day; a typical five-medication diary has 5-8, so lithium and methylphenidate are denser than usual
on purpose: the point is to measure the size the targets were set for.

What the person does: about 95% of doses taken, most within half an hour, some late (beyond the on-time
window), a few early; bad weeks with more missed and skipped doses; skips with the reasons people give
(and some free text); "ran out" gaps; double doses recorded over the guard; doses other than prescribed;
notes; corrections (a wrong entry retracted, as `undo` does, and the right one recorded). A mood rating on
most evenings (score 1-10, the four 0-3 ratings, hours slept); side-effect episodes (logged again while they
last, then resolved); PHQ-9 and GAD-7 every two weeks; a refill of each medication every 30 days and a
pill count every quarter; an appointment every three months, with questions asked before it and answered
there. The last 36 hours are a good day: every dose that has come due is taken, so `meddiary due` has
nothing to say and `take propranolol` is allowed.

Deterministic: the same --seed, --years, --meds, --tz and --now give the same diary, row for row (ids
included: the generator draws them from its own seeded source, see `seeded_uids`).

--top-up brings a diary made earlier up to now: it records, on time, every scheduled dose that has come
due since the diary's last dose of that medication. The benchmark tops up its working copy, never the
cached diary, so the cache does not grow and `due` finds nothing due at any time of the day.
"""

import argparse
import math
import os
import random
import sys
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from meddiary import regimens, schedule
from meddiary.diary import SKIP_REASONS
from meddiary.model import ENTRY_KINDS
from meddiary.store import Store
from meddiary.store import diary as store_rows  # the module whose writes call new_uid
from meddiary.timeparse import wall_to_utc

FREE_TEXT_REASONS = ("away for the weekend, left them at home", "stomach bug", "fasting for a blood test",
                     "pharmacy closed", "nausea after the last dose")
NOTES = ("with breakfast", "with a snack", "on the train", "felt a bit dizzy", "after the blood test",
         "caregiver gave it", "half a glass of water")
SIDE_EFFECTS = {  # medication -> symptoms it is known for
    "sertraline": ("nausea", "insomnia", "headache", "sweating", "low libido"),
    "lamotrigine": ("headache", "dizziness", "blurred vision", "rash"),
    "lithium": ("tremor", "thirst", "nausea", "weight gain"),
    "methylphenidate": ("poor appetite", "insomnia", "palpitations", "dry mouth"),
    "propranolol": ("cold hands", "tiredness", "vivid dreams"),
}
QUESTIONS = ("Is the tremor from the lithium?", "Could the sertraline go down again?",
             "When is the next lithium level due?", "Is it safe to drink alcohol with these?",
             "Can I take the methylphenidate later on work days?", "Should the rash be looked at?")
PHQ9_BANDS = ((4, "minimal"), (9, "mild"), (14, "moderate"), (19, "moderately severe"), (27, "severe"))
GAD7_BANDS = ((4, "minimal"), (9, "mild"), (14, "moderate"), (21, "severe"))
LITHIUM_TIMES = ["07:00", "10:00", "13:00", "16:00", "19:00", "22:00"]
MAX_MEDS = 5
RECENT = timedelta(hours=36)  # the good day at the end: every dose due in it is taken on time


def band(total: int, bands) -> str:
    return next(name for upto, name in bands if total <= upto)


@contextmanager
def seeded_uids(rng: random.Random):
    """Rows' uids from the generator's seed instead of os.urandom, so a seed gives the same diary row for
    row. Only this generator's process is affected; entries get theirs through add_entries' "uid" key."""
    real = store_rows.new_uid
    store_rows.new_uid = lambda: f"{rng.getrandbits(128):032x}"
    try:
        yield
    finally:
        store_rows.new_uid = real


def add_medications(store: Store, n_meds: int, start: date, today: date, tz: ZoneInfo, rng: random.Random) -> None:
    """The regimens, built by meddiary.regimens as the commands build them, written in date order (a
    regimen added later supersedes planned ones from its date on, so they go in as the person made them)."""
    tz_name = tz.key
    n_days = (today - start).days + 1

    def at(day: date, hh: int = 9) -> datetime:  # when a change was entered: at the appointment that day
        return wall_to_utc(day, time(hh), tz)

    def new(name, dose, times, purpose, alias, **kw) -> None:
        spec = regimens.new_medication(name, dose, times, kw.get("days"), kw.get("every"), kw.get("as_needed", False),
                                       kw.get("max_per_day"), kw.get("min_interval"), aliases=[alias], start=start,
                                       units_per_dose=kw.get("units_per_dose"), strength=kw.get("strength"))
        store.add_medication(spec.name, kw.get("as_needed", False), purpose, kw.get("note"), spec.aliases,
                             spec.regimen, at(start, 7), tz_name)

    def med(name):
        return next(m for m in store.medications() if m.name == name)

    def fits(day: date) -> bool:  # a change strictly inside the diary, before today
        return start < day < today

    plans = []  # (day, name, how): how(med) -> list of regimen dicts
    names = ["sertraline", "lamotrigine", "lithium", "methylphenidate", "propranolol"][:n_meds]
    if "sertraline" in names:
        new("sertraline", "50mg", ["08:00"], "depression", "Zoloft", strength="25mg")
        plans.append((start + timedelta(days=42), "sertraline", lambda m, d: [regimens.changed(
            m, d, "100mg", None, None, None, None, None, "no response at 50 mg after six weeks; Dr Okafor")]))
        taper_day = start + timedelta(days=max(90, int(n_days * 0.55)))
        plans.append((taper_day, "sertraline", lambda m, d: regimens.taper(
            m, d, "100mg,75mg,50mg", "2w", "taper to 50 mg agreed with Dr Okafor (weight gain)")))
        plans.append((taper_day + timedelta(days=365), "sertraline", lambda m, d: [regimens.changed(
            m, d, "75mg", None, None, None, None, None, "low mood since the taper; Dr Okafor")]))
    if "lamotrigine" in names:
        new("lamotrigine", "25mg", ["08:00", "20:00"], "bipolar disorder", "Lamictal", strength="25mg")
        plans.append((start + timedelta(days=14), "lamotrigine", lambda m, d: regimens.taper(
            m, d, "50mg,100mg", "2w", "titration as started")))
    if "lithium" in names:
        new("lithium", "150mg", LITHIUM_TIMES, "mood stabiliser", "Priadel", units_per_dose="1",
            note="levels checked every 3 months")
        amounts = ["200mg", "175mg", "225mg", "200mg", "175mg", "200mg", "225mg"]
        for i, step in enumerate(range(730, n_days, 730)):
            level = rng.choice(["0.4", "0.5", "0.9", "1.0"])
            plans.append((start + timedelta(days=step), "lithium", lambda m, d, a=amounts[i % len(amounts)], lv=level:
                          [regimens.changed(m, d, a, None, None, None, None, None,
                                            f"lithium level {lv} mmol/L; dose adjusted by Dr Okafor")]))
    if "methylphenidate" in names:
        new("methylphenidate", "10mg", ["07:00", "10:00", "13:00", "16:00"], "ADHD", "Ritalin", every="2d",
            strength="10mg")
    if "propranolol" in names:
        new("propranolol", "10mg", [], "anxiety (physical symptoms)", "Inderal", as_needed=True, max_per_day=8,
            min_interval="2h", strength="10mg")
    for day, name, how in sorted(plans, key=lambda p: p[0]):
        if fits(day):
            plan = [r for r in how(med(name), day) if fits(r["start_date"])]
            if plan:
                store.add_regimens(med(name).id, plan, at(day), tz_name)


def entry(kind: str, at: datetime, tz_name: str, rng: random.Random, med_id: int | None = None, **fields) -> dict:
    data = fields.pop("data", None)
    if data is not None:
        assert tuple(data) == ENTRY_KINDS[kind], (kind, tuple(data))  # exactly the kind's keys, in its order
    return {"kind": kind, "at": at, "tz": tz_name, "medication_id": med_id, "data": data,
            "uid": f"{rng.getrandbits(128):032x}", **fields}


def doses(store: Store, start: date, today: date, now: datetime, tz: ZoneInfo, rng: random.Random,
          bad_weeks: set[int]) -> list[dict]:
    """Takes and skips of every medication."""
    tz_name = tz.key
    n_days = (today - start).days + 1
    meds = {m.name: m for m in store.medications()}
    years = max(1, round(n_days / 365.25))
    ran_out: dict[str, set[date]] = {n: set() for n in meds}  # a few times a year a prescription runs out
    scheduled = [n for n in meds if not meds[n].as_needed]
    for _ in range(years * 3 if scheduled and n_days > 60 else 0):
        first = start + timedelta(days=rng.randrange(n_days - 3))
        ran_out[rng.choice(scheduled)] |= {first + timedelta(days=k) for k in range(rng.randint(2, 4))}

    rows: list[dict] = []
    for name in scheduled:
        med = meds[name]
        slots = schedule.expand(med, start, today, tz)
        for i, slot in enumerate(slots):
            if slot.at > now - timedelta(seconds=30):
                continue  # still to come
            gap = min((slots[i + 1].at - slot.at) if i + 1 < len(slots) else timedelta(hours=24),
                      (slot.at - slots[i - 1].at) if i else timedelta(hours=24))
            reach = min(gap / 2, timedelta(hours=12)) - timedelta(minutes=5)  # stay in the slot's window
            if slot.at > now - RECENT:  # the good day at the end
                at = slot.at + timedelta(minutes=rng.uniform(-15, 20))
                rows.append(entry("take", min(at, now - timedelta(seconds=20)), tz_name, rng, med.id,
                                  dose_amount=slot.dose_amount, dose_unit=slot.dose_unit))
                continue
            bad = (slot.day - start).days // 7 in bad_weeks
            if slot.day in ran_out[name]:
                if rng.random() < 0.5:
                    rows.append(entry("skip", slot.at + timedelta(minutes=rng.randint(5, 40)), tz_name, rng, med.id,
                                      dose_amount=slot.dose_amount, dose_unit=slot.dose_unit, reason="ran-out"))
                continue
            roll = rng.random()
            if roll < (0.10 if bad else 0.015):
                continue  # missed: nothing recorded
            if roll < (0.16 if bad else 0.035):
                reason = rng.choice(SKIP_REASONS) if rng.random() < 0.85 else rng.choice(FREE_TEXT_REASONS)
                rows.append(entry("skip", slot.at + min(timedelta(minutes=rng.randint(5, 90)), reach), tz_name, rng,
                                  med.id, dose_amount=slot.dose_amount, dose_unit=slot.dose_unit, reason=reason))
                continue
            if rng.random() < (0.25 if bad else 0.07):
                offset = min(timedelta(minutes=rng.randint(125, 420)), reach)  # beyond the 2 h on-time window
            else:
                offset = max(-reach, min(reach, timedelta(minutes=rng.gauss(8, 22))))
            at = slot.at + offset
            amount = slot.dose_amount if rng.random() > 0.005 else slot.dose_amount / 2
            note = rng.choice(NOTES) if rng.random() < 0.02 else None
            if rng.random() < 0.003:
                # A correction: recorded an hour off first, then `undo` and the right entry.
                rows.append(entry("take", at + timedelta(hours=1), tz_name, rng, med.id, dose_amount=amount,
                                  dose_unit=slot.dose_unit, retract=True))
            rows.append(entry("take", at, tz_name, rng, med.id, dose_amount=amount, dose_unit=slot.dose_unit,
                              note=note))
            if gap >= timedelta(hours=12) and rng.random() < 0.01 and at + timedelta(hours=6) < now - RECENT:
                # Took it twice by mistake, recorded over the guard.
                rows.append(entry("take", at + timedelta(hours=rng.randint(3, 6)), tz_name, rng, med.id,
                                  dose_amount=amount, dose_unit=slot.dose_unit, forced=True))

    prn = meds.get("propranolol")
    if prn is not None:
        for offset in range(n_days):
            day = start + timedelta(days=offset)
            bad = offset // 7 in bad_weeks
            n = rng.choice([4, 5, 5, 6, 6, 7, 9]) if bad else rng.choice([2, 3, 4, 4, 5, 5, 6])
            minute = 8 * 60 + rng.randrange(90)
            last = None
            for k in range(n):
                if minute > 23 * 60 + 30:
                    break
                at = wall_to_utc(day, time(minute // 60, minute % 60), tz) + timedelta(seconds=rng.randrange(60))
                if at > now - RECENT:
                    # The good day: at most two, the last over three hours ago, so a `take` now is allowed.
                    if k >= 2 or at > now - timedelta(hours=3):
                        break
                forced = k >= 8 or (last is not None and at - last < timedelta(hours=2))
                rows.append(entry("take", at, tz_name, rng, prn.id, dose_amount=10, dose_unit="mg", forced=forced,
                                  note="panic attack at work" if forced and rng.random() < 0.3 else None))
                last = at
                # Mostly 2-5 hours apart; on bad days now and then sooner (recorded over the guard).
                soon = rng.random() < (0.15 if bad else 0.02)
                minute += rng.randint(40, 115) if soon else rng.randint(125, 300)
    return rows


def health(store: Store, start: date, today: date, now: datetime, tz: ZoneInfo, rng: random.Random,
           bad_weeks: set[int]) -> list[dict]:
    """Mood most evenings, side-effect episodes, PHQ-9 and GAD-7 every two weeks, visits and questions."""
    tz_name = tz.key
    n_days = (today - start).days + 1
    meds = [m for m in store.medications()]
    rows: list[dict] = []

    def evening(day: date, hh: int = 21) -> datetime:
        return wall_to_utc(day, time(hh, rng.randrange(60)), tz)

    hypomanic: set[int] = {d for d in range(n_days) if d % 200 in range(130, 136)}  # a few elevated days a year
    for offset in range(n_days):
        day = start + timedelta(days=offset)
        at = evening(day)
        if at > now or rng.random() > 0.88:
            continue
        bad = offset // 7 in bad_weeks
        score = max(1, min(10, round(rng.gauss(4 if bad else 6.5, 1.3))))
        rows.append(entry("mood", at, tz_name, rng, data={
            "score": score,
            "depressed": min(3, max(0, round(rng.gauss(2 if bad else 0.5, 0.7)))),
            "elevated": min(3, rng.choice([1, 2, 2, 3])) if offset in hypomanic else 0,
            "anxiety": min(3, max(0, round(rng.gauss(1.8 if bad else 0.8, 0.8)))),
            "irritability": min(3, max(0, round(rng.gauss(1.2 if bad else 0.4, 0.7)))),
            "sleep_hours": round(max(3.0, min(11.0, rng.gauss(5.8 if bad else 7.2, 1.0))) * 2) / 2,
        }, note="rough day at work" if bad and rng.random() < 0.05 else None))

    # Side effects: a few episodes a year, logged again every few days while they last, then resolved.
    day = start + timedelta(days=rng.randint(3, 20))
    while day < today - timedelta(days=2):
        med = rng.choice(meds)
        symptom = rng.choice(SIDE_EFFECTS[med.name])
        severity = rng.choice(["mild", "mild", "mild", "moderate", "moderate", "severe"])
        d, last = day, day + timedelta(days=rng.randint(2, 25))
        while d <= last and d < today:
            rows.append(entry("side_effect", evening(d, 19), tz_name, rng, med.id,
                              data={"symptom": symptom, "severity": severity, "resolved": False}))
            d += timedelta(days=rng.randint(1, 4))
        if d < today:
            rows.append(entry("side_effect", evening(d, 19), tz_name, rng, med.id,
                              data={"symptom": symptom, "severity": None, "resolved": True}))
        day = d + timedelta(days=rng.randint(20, 90))

    # PHQ-9 and GAD-7 on the same evening every two weeks.
    for offset in range(6, n_days, 14):
        day = start + timedelta(days=offset)
        at = evening(day, 20)
        if at > now:
            continue
        bad = offset // 7 in bad_weeks
        level = 1.6 if bad else 0.6
        phq = [min(3, max(0, round(rng.gauss(level, 0.7)))) for _ in range(8)]
        phq.append(1 if bad and rng.random() < 0.15 else 0)  # item 9
        gad = [min(3, max(0, round(rng.gauss(level, 0.7)))) for _ in range(7)]
        rows.append(entry("check", at, tz_name, rng, data={
            "instrument": "phq9", "answers": phq, "total": sum(phq), "severity": band(sum(phq), PHQ9_BANDS),
            "item9": phq[8]}))
        rows.append(entry("check", at + timedelta(minutes=4), tz_name, rng, data={
            "instrument": "gad7", "answers": gad, "total": sum(gad), "severity": band(sum(gad), GAD7_BANDS),
            "item9": None}))

    # An appointment every three months; now and then a question written down before it, answered there.
    for offset in range(45, n_days, 91):
        day = start + timedelta(days=offset)
        at = wall_to_utc(day, time(10, 30), tz)
        if at > now:
            continue
        if rng.random() < 0.6:
            q = entry("question", at - timedelta(days=rng.randint(3, 40)), tz_name, rng,
                      data={"text": rng.choice(QUESTIONS)})
            rows.append(q)
            rows.append(entry("answer", at + timedelta(minutes=30), tz_name, rng,
                              data={"question": q["uid"], "answer": rng.choice(
                                  ["keep as it is for now", "discuss at the next visit", "blood test ordered", None])}))
        rows.append(entry("visit", at, tz_name, rng, note="appointment with Dr Okafor"))
    return rows


def supply(store: Store, start: date, today: date, now: datetime, tz: ZoneInfo, rng: random.Random,
           takes: list[dict]) -> list[dict]:
    """A refill every 30 days (the last one a few days ago, repeats left counting down to 0 and a new
    prescription), and every quarter a pill count of what is on hand (what was dispensed minus what was
    taken, give or take a lost tablet), so `supply` and `due` find no shortage."""
    tz_name = tz.key
    rows: list[dict] = []
    for med in store.medications():
        med_takes = sorted((t["at"], t.get("dose_amount")) for t in takes
                           if t["medication_id"] == med.id and t["kind"] == "take" and not t.get("retract"))
        fills = []
        day = today - timedelta(days=3)
        while day >= start:
            fills.append(day)
            day -= timedelta(days=30)
        fills.reverse()
        on_hand, i = 0.0, 0
        for k, day in enumerate(fills):
            at = wall_to_utc(day, time(17, rng.randrange(60)), tz)
            r = med.dosing_on(day)
            units = (r.units or 1) if r else 1
            per_day = 4.5 if med.as_needed else len(r.times) / (r.every_days or 1)
            # Units used since the last fill (for the quarterly count).
            while i < len(med_takes) and med_takes[i][0] < at:
                amount = med_takes[i][1]
                on_hand -= amount / r.strength_amount if r and r.strength_amount and amount else units
                i += 1
            if k and k % 3 == 0:
                counted = max(0, math.floor(on_hand) - rng.choice([0, 0, 0, 1, 2]))
                rows.append(entry("count", at - timedelta(minutes=5), tz_name, rng, med.id, data={"count": counted}))
                on_hand = counted
            qty = math.ceil(per_day * units * 30)
            rows.append(entry("refill", at, tz_name, rng, med.id,
                              data={"qty": qty, "repeats_left": (len(fills) - 1 - k + 3) % 6}))
            on_hand += qty
    return rows


def build(path: Path, years: float, now: datetime, tz: ZoneInfo, seed: int = 1, meds: int = MAX_MEDS) -> dict:
    """Write the diary to `path` (a new file); returns counts of rows, and of entries by kind."""
    rng = random.Random(seed)
    today = now.astimezone(tz).date()
    n_days = max(7, round(365.25 * years))
    start = today - timedelta(days=n_days - 1)
    with seeded_uids(random.Random(seed * 7919 + 1)):
        store = Store(path)
        try:
            add_medications(store, meds, start, today, tz, rng)
            bad_weeks = {w for w in range(n_days // 7 + 1) if rng.random() < 0.08}
            takes = doses(store, start, today, now, tz, rng, bad_weeks)
            rows = takes + health(store, start, today, now, tz, rng, bad_weeks)
            rows += supply(store, start, today, now, tz, rng, takes)
            rows.sort(key=lambda r: (r["at"], r["kind"]))
            with store.transaction():
                for r in rows:
                    recorded = min(r["at"] + timedelta(minutes=rng.randint(0, 20)), now)
                    (entry_id,) = store.add_entries([{k: v for k, v in r.items() if k != "retract"}], recorded)
                    if r.get("retract"):
                        store.retract_entry(entry_id, min(recorded + timedelta(minutes=2), now), tz.key)
            counts = count(store)
        finally:
            store.close()
    counts.update(first_day=start.isoformat(), last_day=today.isoformat())
    return counts


def count(store: Store) -> dict:
    c = {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
         for t in ("medications", "regimens", "entries", "retractions")}
    c["kinds"] = dict(store.conn.execute("SELECT kind, count(*) FROM entries GROUP BY kind ORDER BY kind").fetchall())
    return c


def top_up(path: Path, now: datetime, tz: ZoneInfo) -> int:
    """Record, on time, every scheduled dose that came due since the last dose of its medication."""
    store = Store(path)
    try:
        meds = [m for m in store.medications() if not m.as_needed]
        today = now.astimezone(tz).date()
        recent = store.entries_between(now - timedelta(days=3), now + timedelta(days=1), [m.id for m in meds])
        rows = []
        for med in meds:
            last = max((e.at for e in recent if e.medication_id == med.id), default=now - timedelta(days=3))
            for slot in schedule.expand(med, today - timedelta(days=3), today, tz):
                if last + timedelta(minutes=30) < slot.at <= now - timedelta(seconds=30):
                    at = min(slot.at + timedelta(minutes=3), now - timedelta(seconds=20))
                    rows.append({"kind": "take", "at": at, "tz": tz.key, "medication_id": med.id,
                                 "dose_amount": slot.dose_amount, "dose_unit": slot.dose_unit})
        with store.transaction():
            store.add_entries(sorted(rows, key=lambda r: r["at"]), now)
        return len(rows)
    finally:
        store.close()


def reopen(path: Path, name: str, now: datetime, tz: ZoneInfo) -> datetime:
    """Retract (as `undo` does) the latest take of the medication `name`, so that one of its doses is open
    now whatever the hour: `skip NAME` with no --at has a dose to skip. Returns when that dose was taken."""
    store = Store(path)
    try:
        med = next((m for m in store.medications() if m.name == name), None)
        if med is None or med.as_needed:
            raise ValueError(f"{name}: not a scheduled medication of this diary")
        takes = [e for e in store.entries_between(now - timedelta(days=3), now + timedelta(seconds=1), [med.id])
                 if e.kind == "take"]
        if not takes:
            raise ValueError(f"{name}: no take in the last three days")
        with store.transaction():
            store.retract_entry(takes[-1].id, now, tz.key)
        return takes[-1].at
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, type=Path, help="the diary file to write (must not exist)")
    p.add_argument("--years", type=float, default=10, help="length of the diary in years, e.g. 1, 10 or 0.1 "
                                                             "(default 10)")
    p.add_argument("--meds", type=int, default=MAX_MEDS, help=f"how many of the medications, 1 to {MAX_MEDS} "
                                                               f"(default {MAX_MEDS})")
    p.add_argument("--seed", type=int, default=1, help="the random seed (default 1)")
    p.add_argument("--tz", default="Europe/Berlin", help="the person's time zone (default Europe/Berlin)")
    p.add_argument("--now", help="the diary's end as an ISO instant with offset (default: now)")
    p.add_argument("--top-up", action="store_true", help="bring an existing diary up to now instead")
    p.add_argument("--reopen", metavar="NAME", help="in an existing diary, retract the latest take of this "
                                                    "scheduled medication (so `skip NAME` has a dose to skip)")
    args = p.parse_args(argv)
    if not 0 < args.years <= 50 or math.isnan(args.years):
        p.error("--years must be above 0 and at most 50")
    if not 1 <= args.meds <= MAX_MEDS:
        p.error(f"--meds must be 1 to {MAX_MEDS}")
    now = datetime.fromisoformat(args.now).astimezone(UTC) if args.now else datetime.now(UTC)
    tz = ZoneInfo(args.tz)
    if args.top_up or args.reopen:
        if not args.db.exists():
            p.error(f"{args.db} does not exist: --top-up and --reopen change an existing diary")
        if args.top_up:
            print(f"{args.db}: {top_up(args.db, now, tz)} doses recorded", file=sys.stderr)
        if args.reopen:
            try:
                taken = reopen(args.db, args.reopen, now, tz)
            except ValueError as e:
                p.error(str(e))
            print(f"{args.db}: the {args.reopen} dose taken at {taken.astimezone(tz):%Y-%m-%d %H:%M} retracted",
                  file=sys.stderr)
        return 0
    if args.db.exists():
        p.error(f"{args.db} exists: the diary is written to a new file")
    tmp = args.db.with_name(f".{args.db.name}.{os.getpid()}.tmp")
    try:
        counts = build(tmp, args.years, now, tz, args.seed, args.meds)
        for suffix in ("-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, args.db)
    except BaseException:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        raise
    kinds = counts["kinds"]
    doses = kinds.get("take", 0) + kinds.get("skip", 0)
    print(f"{args.db}: {counts['first_day']} .. {counts['last_day']}, {counts['medications']} medications, "
          f"{counts['regimens']} regimens, {counts['entries']} entries ({doses} doses; "
          + ", ".join(f"{k} {n}" for k, n in kinds.items()) + f"), {counts['retractions']} retractions",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
