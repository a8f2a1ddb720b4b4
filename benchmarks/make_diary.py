"""Build a realistic multi-year meddiary diary for the benchmark (bench/bench.py).

    python bench/make_diary.py --years 10 --out /tmp/diary-10y.db

Five medications, all started on the diary's first day and all ending "now":

  sertraline      100 mg   once daily 08:00
  lamotrigine     100 mg   twice daily 08:00, 20:00
  lithium                  six divided doses a day (07:00 … 22:00, every 3 h); a dose change every two years
  methylphenidate  10 mg   every other day, four doses (07:00, 10:00, 13:00, 16:00)
  propranolol      10 mg   as needed, at most 8 in 24 hours, at least 2 h apart (about 4 a day)

Issue 3 sizes its speed targets for "ten years of data (five medications, ~55,000 dose entries …)", i.e.
about 5,500 entries a year or 15 a day. A typical five-medication diary has 5-8 doses a day, so the lithium
and methylphenidate schedules are deliberately denser than usual: the point is to measure the size the
targets were set for. The behaviour is realistic: takes with jitter (a few early), late takes, good and bad
weeks, skips with the reasons people give (and some free text), missed doses (nothing recorded), a few
"ran out" drug holidays, double doses recorded over the guard, doses other than prescribed, notes, and
corrections (a wrong entry retracted, as `undo` does, and its replacement). Upcoming doses of today are left
open. Deterministic for a given --seed and --now.

Everything is written through meddiary's own Store, so the schema and migrations are the real ones.
Mood and side-effect tables do not exist yet (later issues): when they do, add ~1 mood rating a day and a
few side-effect notes a week here, so the 10-year report is measured on the data issue 3 describes.
"""

import argparse
import os
import random
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from meddiary import schedule
from meddiary.diary import SKIP_REASONS
from meddiary.store import Store
from meddiary.timeparse import wall_to_utc

FREE_TEXT_REASONS = ("away for the weekend, left them at home", "stomach bug", "fasting for a blood test",
                     "pharmacy closed", "nausea after the last dose")
NOTES = ("with breakfast", "with a snack", "on the train", "felt a bit dizzy", "after the blood test",
         "caregiver gave it", "half a glass of water", None)


def clock(h: int, m: int = 0) -> time:
    return time(h, m)


def scheduled(start: date, amount: float, times: tuple, kind: str = "start", reason: str | None = None,
              every_days: int | None = None) -> dict:
    return {"start_date": start, "kind": kind, "dose_amount": amount, "dose_unit": "mg", "times": times,
            "weekdays": None, "every_days": every_days, "reason": reason}


def build(path: Path, years: int, now: datetime, tz: ZoneInfo, seed: int = 1) -> dict:
    """Write the diary to `path` (a new file); returns counts."""
    rng = random.Random(seed)
    tz_name = tz.key
    today = now.astimezone(tz).date()
    start = today - timedelta(days=round(365.25 * years) - 1)
    created = wall_to_utc(start, clock(7, 30), tz)
    store = Store(path)
    try:
        store.add_medication("sertraline", False, "depression", None, ["Zoloft"],
                             scheduled(start, 100, (clock(8),)), created, tz_name)
        store.add_medication("lamotrigine", False, "bipolar disorder", None, ["Lamictal"],
                             scheduled(start, 100, (clock(8), clock(20))), created, tz_name)
        lithium_times = tuple(clock(h) for h in (7, 10, 13, 16, 19, 22))
        store.add_medication("lithium", False, "mood stabiliser", "levels checked every 3 months", ["Priadel"],
                             scheduled(start, 150, lithium_times), created, tz_name)
        store.add_medication("methylphenidate", False, "ADHD", None, ["Ritalin"],
                             scheduled(start, 10, (clock(7), clock(10), clock(13), clock(16)), every_days=2),
                             created, tz_name)
        store.add_medication("propranolol", True, "anxiety (physical symptoms)", None, ["Inderal"],
                             {"start_date": start, "kind": "start", "dose_amount": 10, "dose_unit": "mg",
                              "max_per_day": 8, "min_interval": timedelta(hours=2)}, created, tz_name)
        meds = {m.name: m for m in store.medications()}

        # Lithium: a dose change every two years (levels too low / too high), decided at an appointment.
        amounts = [200, 175, 225, 200, 175, 200, 225]
        changes = []
        for i, step in enumerate(range(730, (today - start).days, 730)):
            changes.append(scheduled(start + timedelta(days=step), amounts[i % len(amounts)], lithium_times,
                                     kind="change", reason=f"lithium level {rng.choice(['0.4', '0.5', '0.9', '1.0'])}"
                                     " mmol/L; dose adjusted by Dr Okafor"))
        if changes:
            store.add_regimens(meds["lithium"].id, changes,
                               wall_to_utc(changes[0]["start_date"], clock(9), tz), tz_name)
        meds = {m.name: m for m in store.medications()}

        n_days = (today - start).days + 1
        bad_weeks = {w for w in range(n_days // 7 + 1) if rng.random() < 0.12}
        # A few times a year a prescription runs out: 2-4 days without one scheduled medication.
        ran_out: dict[str, set[date]] = {n: set() for n in meds}
        for _ in range(years * 3):
            name = rng.choice(["sertraline", "lamotrigine", "lithium", "methylphenidate"])
            first = start + timedelta(days=rng.randrange(n_days))
            ran_out[name] |= {first + timedelta(days=k) for k in range(rng.randint(2, 4))}

        rows: list[dict] = []
        for name in ("sertraline", "lamotrigine", "lithium", "methylphenidate"):
            med = meds[name]
            slots = schedule.expand(med, start, today, tz)
            for i, slot in enumerate(slots):
                if slot.at > now - timedelta(minutes=15):
                    continue  # today's upcoming doses stay open
                gap = min((slots[i + 1].at - slot.at) if i + 1 < len(slots) else timedelta(hours=24),
                          (slot.at - slots[i - 1].at) if i else timedelta(hours=24))
                reach = min(gap / 2, timedelta(hours=12)) - timedelta(minutes=5)  # stay in the slot's window
                bad = (slot.day - start).days // 7 in bad_weeks
                if slot.day in ran_out[name]:
                    if rng.random() < 0.5:
                        rows.append(row("skip", med.id, slot.at + timedelta(minutes=rng.randint(5, 40)), tz_name,
                                        slot.dose_amount, reason="ran-out"))
                    continue
                roll = rng.random()
                if roll < (0.15 if bad else 0.025):
                    continue  # missed: nothing recorded
                if roll < (0.25 if bad else 0.055):
                    reason = rng.choice(SKIP_REASONS) if rng.random() < 0.85 else rng.choice(FREE_TEXT_REASONS)
                    rows.append(row("skip", med.id, slot.at + min(timedelta(minutes=rng.randint(5, 90)), reach),
                                    tz_name, slot.dose_amount, reason=reason))
                    continue
                if rng.random() < (0.25 if bad else 0.07):
                    late = timedelta(minutes=rng.randint(125, 420))  # beyond the 2 h on-time window
                    offset = min(late, reach)
                else:
                    offset = max(-reach, min(reach, timedelta(minutes=rng.gauss(8, 22))))
                at = min(slot.at + offset, now - timedelta(minutes=1))
                amount = slot.dose_amount if rng.random() > 0.005 else slot.dose_amount / 2
                note = rng.choice(NOTES) if rng.random() < 0.02 else None
                if rng.random() < 0.003:
                    # A correction: recorded at the wrong time first, then `undo` and the right entry.
                    rows.append(row("take", med.id, at + timedelta(hours=1), tz_name, amount, retract=True))
                rows.append(row("take", med.id, at, tz_name, amount, note=note))
                if gap >= timedelta(hours=12) and rng.random() < 0.01:
                    # Took it twice by mistake, recorded over the guard.
                    again = at + timedelta(hours=rng.randint(3, 6))
                    if again < now:
                        rows.append(row("take", med.id, again, tz_name, amount, forced=True))

        prn = meds["propranolol"]
        for offset in range(n_days):
            day = start + timedelta(days=offset)
            bad = offset // 7 in bad_weeks
            n = rng.choice([4, 5, 5, 6, 6, 7]) if bad else rng.choice([2, 3, 4, 4, 5, 5, 6])
            minutes = sorted(rng.sample(range(8 * 60, 23 * 60 + 30, 20), n))
            last = None
            for k, m in enumerate(minutes):
                at = wall_to_utc(day, clock(m // 60, m % 60), tz) + timedelta(seconds=rng.randint(0, 1199))
                if at >= now - timedelta(minutes=1):
                    break
                forced = k >= 8 or (last is not None and at - last < timedelta(hours=2))
                rows.append(row("take", prn.id, at, tz_name, 10, forced=forced,
                                note="panic attack at work" if forced and rng.random() < 0.3 else None))
                last = at

        rows.sort(key=lambda r: r["at"])
        retracted = 0
        with store.transaction():
            for r in rows:
                recorded = r["at"] + timedelta(minutes=rng.randint(0, 20))
                (entry_id,) = store.add_entries([r], min(recorded, now))
                if r.get("retract"):
                    store.retract_entry(entry_id, min(recorded + timedelta(minutes=2), now), tz_name)
                    retracted += 1
        counts = {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("medications", "regimens", "entries", "retractions")}
    finally:
        store.close()
    counts["years"] = years
    counts["first_day"] = start.isoformat()
    counts["last_day"] = today.isoformat()
    return counts


def row(kind: str, med_id: int, at: datetime, tz_name: str, amount: float | None, reason: str | None = None,
        note: str | None = None, forced: bool = False, retract: bool = False) -> dict:
    return {"kind": kind, "medication_id": med_id, "at": at, "tz": tz_name, "dose_amount": amount,
            "dose_unit": "mg", "reason": reason, "note": note, "forced": forced, "retract": retract}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--years", type=int, default=10, help="length of the diary in years (default 10)")
    p.add_argument("--out", required=True, type=Path, help="the diary file to write (must not exist)")
    p.add_argument("--tz", default="Europe/Berlin", help="the person's time zone (default Europe/Berlin)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--now", help="the diary's end as an ISO instant (default: now)")
    args = p.parse_args(argv)
    if args.years < 1:
        p.error("--years must be 1 or more")
    if args.out.exists():
        p.error(f"{args.out} exists: the diary is written to a new file")
    now = datetime.fromisoformat(args.now).astimezone(UTC) if args.now else datetime.now(UTC)
    tmp = args.out.with_name(f".{args.out.name}.{os.getpid()}.tmp")
    try:
        counts = build(tmp, args.years, now, ZoneInfo(args.tz), args.seed)
        for suffix in ("-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, args.out)
    except BaseException:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        raise
    per_year = counts["entries"] / (round(365.25 * args.years) / 365.25)
    print(f"{args.out}: {counts['years']} years ({counts['first_day']} .. {counts['last_day']}), "
          f"{counts['medications']} medications, {counts['regimens']} regimens, {counts['entries']} entries "
          f"(~{per_year:.0f} a year), {counts['retractions']} retractions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
