"""Kept days (meddiary.dayresults): a long report that reads back the days the diary keeps counted is the
same, byte for byte, as one that counts every dose — on random diaries, after random backdated changes of
every kind a write can make (doses, skips, retractions, regimen changes, settings, another zone), and when the
clock, the zone, the window or the medication asked for change."""

import json
import random
import sqlite3
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from meddiary import dayresults, regimens, reporting, travel
from meddiary.store import Store
from meddiary.timeparse import wall_to_utc

from conftest import benchmark_script

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 26, 14, 30, tzinfo=BERLIN).astimezone(UTC)


make_diary = benchmark_script("make_diary")


@contextmanager
def built(tmp_path: Path, years: float, seed: int, meds: int):
    """A benchmark diary of `years` (make_diary), and the Store open on it: (its path, the Store)."""
    path = tmp_path / "d.db"
    make_diary.build(path, years, NOW, BERLIN, seed=seed, meds=meds)
    store = Store(path)
    try:
        yield path, store
    finally:
        store.close()


def report_text(store: Store, since: str, now: datetime, keep: bool, med: str | None = None, window: str = "2h",
                here: ZoneInfo = BERLIN) -> str:
    tz = travel.for_diary(store, here, now)
    period = reporting.load_period(store, since, None, None, window, now.astimezone(tz).date(), tz)
    rep = reporting.load(store, period, med, now, tz, keep_days=keep)
    return reporting.render(rep, "json") + reporting.render(rep, "markdown", width=100)


def kept_rows(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM day_results").fetchone()[0]
    finally:
        conn.close()


def same_either_way(store: Store, since: str, now: datetime, **kw) -> None:
    """Counted whole, then through kept days twice (the first keeps, the second reads back): the same text."""
    whole = report_text(store, since, now, keep=False, **kw)
    assert report_text(store, since, now, keep=True, **kw) == whole
    assert report_text(store, since, now, keep=True, **kw) == whole


def backdated_change(store: Store, rng: random.Random, now: datetime) -> str:
    """One random change somewhere in the last 150 days, as the commands would record it; what it was."""
    meds = store.medications()
    med = rng.choice(meds)
    day = (now - timedelta(days=rng.randint(0, 150))).astimezone(BERLIN).date()
    at = wall_to_utc(day, time(rng.randint(0, 23), rng.randint(0, 59)), BERLIN)
    kind = rng.choice(["take", "take", "skip", "retract", "regimen", "setting", "travel", "as_needed"])
    with store.transaction():
        if kind in ("take", "as_needed", "travel"):
            dose = rng.choice([None, None, 5.0, 25.0, 150.0, 0.1])
            store.add_entries([{"kind": "take", "at": at, "tz": NEW_YORK.key if kind == "travel" else BERLIN.key,
                                "medication_id": med.id, "dose_amount": dose, "dose_unit": "g" if dose == 0.1 else
                                ("mg" if dose else None), "forced": True,
                                "data": {"as_needed": True} if kind == "as_needed" else None}], now)
        elif kind == "skip":
            store.add_entries([{"kind": "skip", "at": at, "tz": BERLIN.key, "medication_id": med.id,
                                "reason": rng.choice([None, "forgot", "side effects", "ran out"])}], now)
        elif kind == "retract":
            near = store.entries_between(at - timedelta(days=3), at + timedelta(days=3))
            if near:
                store.retract_entry(rng.choice(near).id, now, BERLIN.key)
        elif kind == "regimen":
            current = med.dosing_on(day)
            if current is not None and not med.as_needed and day > med.start_date:
                store.add_regimens(med.id, [regimens.changed(med, day, rng.choice(["25mg", "75mg", "200mg"]), None,
                                                             None, None, None, None, "a change")], now, BERLIN.key)
        else:
            store.set_setting("timezone", rng.choice(["Europe/Berlin", None]), now, BERLIN.key)
    return kind


def add_injection_and_weekdays(store: Store, rng: random.Random, now: datetime) -> None:
    """Two more schedules than the benchmark diary has: a long-acting injection every four weeks (a window of
    a week each side, taken early, late or not at all) and a Monday-to-Friday dose."""
    today = now.astimezone(BERLIN).date()
    start = today - timedelta(days=170)
    for name, dose, at, days, every, window in (("paliperidone", "100mg", ["10:00"], None, "4w", "7d"),
                                                 ("bupropion", "150mg", ["08:00"], "mon,tue,wed,thu,fri", None, None)):
        spec = regimens.new_medication(name, dose, at, days, every, False, None, None, aliases=[], start=start,
                                       window=window)
        med_id = store.add_medication(spec.name, False, None, None, spec.aliases, spec.regimen,
                                      wall_to_utc(start, time(7), BERLIN), BERLIN.key)
        step = 28 if every else 1
        rows = []
        for i in range(0, 170, step):
            day = start + timedelta(days=i)
            if days and day.weekday() > 4 or rng.random() < 0.15:
                continue
            shift = timedelta(days=rng.randint(-9, 9)) if every else timedelta(minutes=rng.randint(-200, 300))
            rows.append({"kind": "take", "at": wall_to_utc(day, time(10 if every else 8), BERLIN) + shift,
                         "tz": BERLIN.key, "medication_id": med_id, "forced": True})
        with store.transaction():
            store.add_entries([r for r in rows if r["at"] < now], now)


@pytest.mark.parametrize("seed", [0, 1, *(pytest.param(s, marks=pytest.mark.slow) for s in range(2, 6))])
def test_a_report_from_kept_days_is_the_one_counted_whole(tmp_path, seed):
    rng = random.Random(seed)
    with built(tmp_path, 0.6, seed + 11, 5) as (path, store):
        add_injection_and_weekdays(store, rng, NOW)
        same_either_way(store, "200d", NOW)
        assert kept_rows(path) > 5 * 150  # the first long report kept its closed days
        now = NOW
        for _ in range(6):
            for _ in range(rng.randint(1, 3)):
                backdated_change(store, rng, now)
            now += timedelta(hours=rng.choice([0, 1, 7, 30]))
            same_either_way(store, rng.choice(["200d", "120d", "100d"]), now)
        same_either_way(store, "150d", now, window=rng.choice(["90m", "3h"]))
        same_either_way(store, "150d", now, med=rng.choice(["lithium", "propranolol", "sertraline"]))
        same_either_way(store, "150d", now, here=NEW_YORK)  # the person is elsewhere now


def test_every_write_forgets_the_days_it_may_change(tmp_path):
    with built(tmp_path, 0.4, 3, 3) as (path, store):
        report_text(store, "140d", NOW, keep=True)
        before = kept_rows(path)
        assert before > 3 * 100
        lithium = next(m for m in store.medications() if m.name == "lithium")
        back = NOW - timedelta(days=60)
        with store.transaction():
            store.add_entries([{"kind": "mood", "at": back, "tz": BERLIN.key,
                                "data": make_diary_mood()}], NOW)
        after = kept_rows(path)
        # the days from two days before the entry (less the widest injection window) onwards are forgotten
        assert 3 * 55 < before - after < 3 * 64
        report_text(store, "140d", NOW, keep=True)
        assert kept_rows(path) == before
        with store.transaction():
            store.add_regimens(lithium.id, [regimens.changed(lithium, back.date(), "300mg", None, None, None, None,
                                                             None, "a change")], NOW, BERLIN.key)
        assert kept_rows(path) < before - 100  # all of lithium's days
        report_text(store, "140d", NOW, keep=True)
        with store.transaction():
            store.set_setting("timezone", "Europe/Berlin", NOW, BERLIN.key)
        assert kept_rows(path) == 0


def test_every_writer_of_entries_forgets_kept_days():
    """New entries are forgotten from by the Store's writers (no trigger: it would slow an import down)."""
    import ast

    import meddiary.store.diary as diary_module

    tree = ast.parse(Path(diary_module.__file__).read_text(encoding="utf-8"))
    functions = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)]
    writers = [f for f in functions if "INSERT INTO entries" in ast.unparse(f)]
    assert {f.name for f in writers} == {"add_entries", "_insert_entries"}  # the latter for merge

    def forgets(f) -> bool:
        text = ast.unparse(f)
        return "forget_days_from" in text or "DELETE FROM day_results" in text

    for f in writers:  # it forgets, or each of its callers does
        callers = [g for g in functions if f"self.{f.name}(" in ast.unparse(g)]
        assert forgets(f) or (callers and all(forgets(g) for g in callers)), f.name


def test_an_import_forgets_every_kept_day(tmp_path, run, clock, db_path):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-06-01")
    run("take", "sertraline", "--at", "2026-06-02 08:00")
    run("report", "--since", "120d", "--format", "json")
    assert kept_rows(db_path) > 0
    other = tmp_path / "other.db"
    run("--db", str(other), "add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-06-01")
    run("--db", str(other), "take", "sertraline", "--at", "2026-07-02 08:10")
    run("--db", str(other), "export", "--format", "json", "-o", str(tmp_path / "other.json"))
    run("import", str(tmp_path / "other.json"))
    assert kept_rows(db_path) == 0


def make_diary_mood() -> dict:
    from meddiary.model import ENTRY_KINDS

    return {k: None for k in ENTRY_KINDS["mood"]} | {"score": 6}


def test_a_short_report_neither_reads_nor_keeps_days(tmp_path):
    with built(tmp_path, 0.3, 5, 2) as (path, store):
        report_text(store, "30d", NOW, keep=True)
        assert kept_rows(path) == 0
        assert not dayresults.wanted(reporting.load_period(store, "91d", None, None, "2h", NOW.date(), BERLIN))
        assert dayresults.wanted(reporting.load_period(store, "92d", None, None, "2h", NOW.date(), BERLIN))


def test_nothing_is_kept_when_the_diary_changed_meanwhile_or_cannot_be_written(tmp_path):
    path = tmp_path / "d.db"
    make_diary.build(path, 0.4, NOW, BERLIN, seed=2, meds=2)
    store = Store(path)
    other = Store(path)
    try:
        tz = travel.for_diary(store, BERLIN, NOW)
        period = reporting.load_period(store, "120d", None, None, "2h", NOW.astimezone(tz).date(), tz)
        meds = store.medications()
        kept = dayresults.read(store, meds, period, NOW, tz, store.data_version())
        rep = reporting.load(other, period, None, NOW, tz, keep_days=False)
        counted = {m.medication.id: m.stats.results for m in rep.medications}
        with other.transaction():  # another process records a dose after the reading began
            other.add_entries([{"kind": "take", "at": NOW - timedelta(days=50), "tz": BERLIN.key,
                                "medication_id": meds[0].id}], NOW)
        assert not dayresults.keep(store, kept, period, NOW, tz, counted, meds)
        assert kept_rows(path) == 0
        kept = dayresults.read(store, meds, period, NOW, tz, store.data_version())
        with other.transaction():  # another process holds the write lock: no waiting for it, nothing kept
            assert not dayresults.keep(store, kept, period, NOW, tz, counted, meds)
        assert kept_rows(path) == 0
        assert dayresults.keep(store, kept, period, NOW, tz, counted, meds)
        assert kept_rows(path) > 0
    finally:
        store.close()
        other.close()


def test_a_read_only_diary_still_reports(tmp_path):
    path = tmp_path / "d.db"
    make_diary.build(path, 0.4, NOW, BERLIN, seed=4, meds=2)
    whole = None
    store = Store(path)
    try:
        whole = report_text(store, "120d", NOW, keep=False)
    finally:
        store.close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    store = Store.__new__(Store)  # the same queries on a connection that cannot write
    conn.row_factory = sqlite3.Row
    store.conn, store.path, store.encrypted = conn, path, False
    try:
        assert report_text(store, "120d", NOW, keep=True) == whole
    finally:
        conn.close()
    assert kept_rows(path) == 0


def test_days_counted_in_another_zone_or_window_are_not_read_back(tmp_path):
    with built(tmp_path, 0.4, 6, 3) as (path, store):
        report_text(store, "120d", NOW, keep=True)
        tz = ZoneInfo("Asia/Tokyo")
        period = reporting.load_period(store, "120d", None, None, "2h", NOW.astimezone(tz).date(), tz)
        assert not any(dayresults.read(store, store.medications(), period, NOW, tz, 0).days.values())
        period = reporting.load_period(store, "120d", None, None, "90m", NOW.astimezone(BERLIN).date(), BERLIN)
        assert not any(dayresults.read(store, store.medications(), period, NOW, BERLIN, 0).days.values())
        period = reporting.load_period(store, "120d", None, None, "2h", NOW.astimezone(BERLIN).date(), BERLIN)
        kept = dayresults.read(store, store.medications(), period, NOW, BERLIN, 0)
        assert sum(len(d) for d in kept.days.values()) > 3 * 100
        assert all(day < NOW.astimezone(BERLIN).date() - timedelta(days=1) for d in kept.days.values() for day in d)
        assert period.first_day not in {day for d in kept.days.values() for day in d}


def test_kept_days_travel_neither_in_export_nor_in_a_check(run, clock, db_path):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-06-01")
    run("take", "sertraline", "--at", "2026-06-02 08:00")
    run("report", "--since", "120d", "--format", "json")
    assert kept_rows(db_path) > 0
    exported = json.loads(run("export", "--format", "json").out)
    assert set(exported) == {"format", "version", "exported_at", "meddiary_version", "schema", "medications",
                             "entries", "settings"}
    assert '"slots"' not in json.dumps(exported)
    run("check")


def test_the_date_arithmetic_of_the_triggers_reads_stored_instants():
    conn = sqlite3.connect(":memory:")
    assert conn.execute("SELECT date('2026-05-03T01:30:00.123456+00:00', '-3 days')").fetchone()[0] == "2026-04-30"
    assert conn.execute("SELECT date('2026-05-03T23:30:00+00:00', '-' || 5 || ' days')").fetchone()[0] == "2026-04-28"


# The modules whose code decides a kept day's numbers. A change to their code (not to comments or docstrings)
# changes this fingerprint: then raise dayresults.RULES, so days kept by the older code are counted again, and
# update both numbers below.
COUNTING_MODULES = ("adherence", "schedule", "dayresults", "travel", "doses")
COUNTED_BY = (2, "0267476b0e5fddbd")


def counting_fingerprint() -> str:
    import ast
    import hashlib

    import meddiary

    digest = hashlib.sha256()
    for name in COUNTING_MODULES:
        tree = ast.parse((Path(meddiary.__file__).parent / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):  # docstrings are words, not counting
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                    and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                body[0] = ast.Pass()
        digest.update(ast.dump(tree).encode())
    return digest.hexdigest()[:16]


def test_a_change_to_how_doses_are_counted_raises_the_rules_kept_days_name():
    assert (dayresults.RULES, counting_fingerprint()) == COUNTED_BY, (
        "the code that counts doses changed: raise dayresults.RULES (days kept by the old code are then counted "
        "again) and set COUNTED_BY to the new pair")


# -- cases found by trying to break it: each a backdated write that must reach the days it changes ----------

def kept_then_changed(run, db_path, since: str, change: list[list[str]], now: datetime = NOW, **kw) -> None:
    """A long report keeps its days; the changes are recorded; reports from kept days are then the whole
    count's."""
    store = Store(db_path)
    try:
        report_text(store, since, now, keep=True, **kw)
        assert kept_rows(db_path) > 0
    finally:
        store.close()
    for args in change:
        run(*args)
    store = Store(db_path)
    try:
        same_either_way(store, since, now, **kw)
    finally:
        store.close()


def test_a_drug_level_in_a_long_report(run, clock, db_path):
    """The last dose before a level, with takes loaded only around the days still to count (it failed: two
    Store methods shared a name), and another medication's level under --med (no takes of it either way)."""
    run("add", "lithium", "--dose", "400mg", "--at", "08:00,20:00", "--start", "2026-06-01")
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-06-01")
    for day in ("2026-08-03", "2026-09-14", "2026-11-20"):
        run("take", "lithium", "--at", f"{day} 08:05")
        run("measure", "lithium", "0.8", "mmol/L", "--at", f"{day} 20:00")
    kept_then_changed(run, db_path, "150d", [["take", "lithium", "--at", "2026-09-14 19:00", "--yes"]])
    store = Store(db_path)
    try:
        same_either_way(store, "150d", NOW, med="sertraline")
        assert '"since_last_dose_minutes": 60' in report_text(store, "150d", NOW, keep=True)
    finally:
        store.close()


def test_a_dose_named_with_for_two_days_back(run, clock, db_path):
    """A take names (--for) a dose two days before it: counting the take's days must see that dose, or it
    fills one of its own day (it did: 2 of 119 taken, where 1 was)."""
    run("add", "quetiapine", "--dose", "50mg", "--at", "21:00", "--start", "2026-07-01")
    # the take on a day still counted (today's less two), the dose it names on a kept one
    run("take", "quetiapine", "--at", "2026-11-25 20:00", "--for", "2026-11-23 21:00", "--yes")
    store = Store(db_path)
    try:
        same_either_way(store, "120d", NOW)
    finally:
        store.close()
    kept_then_changed(run, db_path, "120d", [["take", "quetiapine", "--at", "2026-09-01 21:30", "--for",
                                               "2026-09-03 21:00", "--yes"]])


def test_a_late_injection_taking_a_dose_over_from_an_early_one(run, clock, db_path):
    """Two injections compete for one due dose: the later, nearer one takes it over, and the early one, a
    week before the dose and two weeks before the late one, becomes an extra dose."""
    run("add", "paliperidone", "--dose", "100mg", "--at", "10:00", "--every", "4w", "--window", "7d",
        "--start", "2026-06-05")
    run("take", "paliperidone", "--at", "2026-09-18 10:00", "--yes")  # 7 days before the 09-25 dose
    kept_then_changed(run, db_path, "150d", [["take", "paliperidone", "--at", "2026-10-01 10:00", "--yes"]])


def test_an_as_needed_interval_longer_than_two_days(run, clock, db_path):
    run("add", "lorazepam", "--as-needed", "--dose", "1mg", "--min-interval", "240h", "--start", "2025-01-01")
    run("take", "lorazepam", "--at", "2026-08-18 10:00")
    kept_then_changed(run, db_path, "120d", [["take", "lorazepam", "--at", "2026-08-26 10:00", "--yes"]])
    store = Store(db_path)
    try:
        assert '"too_soon": 1' in report_text(store, "120d", NOW, keep=True)
    finally:
        store.close()


def test_the_most_in_24_hours_after_a_spring_forward_day(run, clock, db_path):
    """A period beginning on a 23-hour day: 24 hours before a take just after the next midnight reach the day
    before the period, whose takes the period does not count."""
    run("add", "lorazepam", "--as-needed", "--dose", "1mg", "--start", "2026-03-01")
    run("take", "lorazepam", "--at", "2026-03-28 23:45", "--yes")
    run("take", "lorazepam", "--at", "2026-03-30 00:15", "--yes")
    store = Store(db_path)
    try:
        for first in ("2026-03-29", "2026-03-20", "2026-03-29"):
            tz = travel.for_diary(store, BERLIN, NOW)
            period = reporting.period_from_options(None, first, "2026-07-01", "2h", NOW.date(), tz)
            texts = {keep: reporting.render(reporting.load(store, period, None, NOW, tz, keep_days=keep), "json")
                     for keep in (False, True, True)}
            assert len(set(texts.values())) == 1
    finally:
        store.close()
