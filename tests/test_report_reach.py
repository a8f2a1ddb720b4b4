"""What a report reads from before its period: the logs of side-effect episodes still open, the questions still
open, the refills whose supply reaches into it. The store reads them through indexes (not every row of the
kind); an episode, a question or a refill older than the period must still count."""

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from meddiary import supply, wellbeing
from meddiary.store import Store
from meddiary.timeparse import wall_to_utc

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN)


def days_ago(n: int, hh: int = 10) -> datetime:
    return wall_to_utc(NOW.date() - timedelta(days=n), time(hh), BERLIN)


def add(db_path, *rows: dict) -> list[int]:
    store = Store(db_path)
    try:
        with store.transaction():
            return store.add_entries([{"tz": "Europe/Berlin", **r} for r in rows], NOW)
    finally:
        store.close()


def side_effect(n: int, symptom: str, severity: str | None = None, resolved: bool = False, note: str | None = None,
                med: int | None = 1) -> dict:
    return {"kind": "side_effect", "at": days_ago(n), "medication_id": med, "note": note,
            "data": {"symptom": symptom, "severity": severity, "resolved": resolved}}


def report_json(run, *args) -> dict:
    with time_machine.travel(NOW, tick=False):
        return json.loads(run("report", "--format", "json", *args).out)


@pytest.fixture
def sertraline(run):
    with time_machine.travel(NOW, tick=False):
        run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-01-01", "--strength", "50mg")


def test_an_episode_begun_200_days_before_and_still_ongoing_counts(run, db_path, sertraline):
    add(db_path,
        side_effect(200, "Dry  mouth", "severe", note="from the start"),
        side_effect(150, "dry mouth", "mild"),
        side_effect(120, "headache", "moderate"),
        side_effect(100, "HEADACHE", resolved=True),  # another spelling resolves it: not in the period
        side_effect(5, "dry mouth", "mild"))
    eps = report_json(run, "--since", "30d")["side_effects"]
    assert [(e["symptom"], e["onset"][:10], e["status"], e["worst_severity"], e["logs"], e["notes"]) for e in eps] == [
        ("Dry mouth", str(NOW.date() - timedelta(days=200)), "ongoing", "severe", 3, ["from the start"])]


def test_an_episode_resolved_after_the_period_shows_its_resolution(run, db_path, sertraline):
    add(db_path, side_effect(200, "tremor", "mild"), side_effect(100, "tremor", "severe"),
        side_effect(60, "Tremor", resolved=True), side_effect(40, "tremor", "mild"))
    eps = report_json(run, "--from", str(NOW.date() - timedelta(days=150)),
                      "--to", str(NOW.date() - timedelta(days=140)))["side_effects"]
    assert [(e["onset"][:10], e["resolved_at"][:10], e["worst_severity"], e["logs"]) for e in eps] == [
        (str(NOW.date() - timedelta(days=200)), str(NOW.date() - timedelta(days=60)), "severe", 2)]


def test_a_question_asked_a_year_ago_still_open_is_listed(run, db_path, sertraline):
    ids = add(db_path,
              {"kind": "question", "at": days_ago(365), "data": {"text": "still open?"}},
              {"kind": "question", "at": days_ago(300), "data": {"text": "answered long ago"}},
              {"kind": "question", "at": days_ago(3), "data": {"text": "new"}})
    store = Store(db_path)
    uid = store.conn.execute("SELECT uid FROM entries WHERE id = ?", (ids[1],)).fetchone()[0]
    store.close()
    add(db_path, {"kind": "answer", "at": days_ago(200), "data": {"question": uid, "answer": "yes"}})
    questions = report_json(run, "--since", "30d")["open_questions"]
    assert [q["text"] for q in questions] == ["still open?", "new"]
    # a period that ended before the answer: the question answered later is not open in it either
    past = report_json(run, "--from", str(NOW.date() - timedelta(days=290)), "--to", str(NOW.date() - timedelta(days=280)))
    assert [q["text"] for q in past["open_questions"]] == ["still open?"]


def test_a_refill_of_90_days_from_80_days_ago_counts_in_pdc(run, sertraline):
    fills = ((80, 90), (25, 5), (2, 5))  # (days ago, days' supply): the two short ones alone leave gaps
    with time_machine.travel(NOW, tick=False):
        for n, days in fills:
            run("refill", "sertraline", "--qty", str(days), "--days", str(days), "--at",
                (NOW - timedelta(days=n)).strftime("%Y-%m-%d 10:00"))
    item = report_json(run, "--since", "30d")["supply"][0]
    assert (item["pdc_first"], item["covered_days"], item["period_days"]) == (str(NOW.date() - timedelta(days=25)), 26, 26)
    without = supply.pdc([(NOW.date() - timedelta(days=n), d) for n, d in fills[1:]], NOW.date() - timedelta(days=29),
                         NOW.date())
    assert without.covered == 8


SPELLINGS = ("nausea", "Nausea", " nausea ", "tremor", "TREMOR", "headache")


def test_the_episodes_read_through_the_index_are_those_of_every_log(db_path):
    """Random logs (spellings of one symptom, resolutions, retractions): for any days, the episodes and the
    record around the days are the same from every side-effect log as from the logs the store reaches."""
    rng = random.Random(7)
    store = Store(db_path)
    try:
        rows = []
        for i in range(400):
            resolved = rng.random() < 0.2
            rows.append({"kind": "side_effect", "at": datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(24 * 700)),
                         "tz": "Europe/Berlin", "medication_id": None, "note": f"n{i}" if rng.random() < 0.3 else None,
                         "data": {"symptom": rng.choice(SPELLINGS), "severity": None if resolved else rng.choice(
                             wellbeing.SEVERITIES), "resolved": resolved}})
        rows.append({"kind": "side_effect", "at": datetime(2024, 1, 2, tzinfo=UTC), "tz": "UTC", "data": None})
        with store.transaction():
            ids = store.add_entries(rows, NOW)
            for i in rng.sample(ids, 40):
                store.retract_entry(i, NOW, "UTC")
        every = store.entries_of(("side_effect",))
        for _ in range(60):
            first = date(2024, 1, 1) + timedelta(days=rng.randrange(-30, 730))
            last = first + timedelta(days=rng.choice((0, 6, 29, 89)))
            start, end = wall_to_utc(first, time(0), BERLIN), wall_to_utc(last + timedelta(days=1), time(0), BERLIN)
            reach = (start - timedelta(days=15), end + timedelta(days=15))
            read = store.entries_between(*reach, None, ("side_effect",)) + store.side_effects_reaching(*reach)
            assert len({e.id for e in read}) == len(read)
            changes = []
            whole = wellbeing.build([], every, first, last, start, end, changes, last, BERLIN)
            bounded = wellbeing.build([], sorted(read, key=lambda e: (e.at, e.id)), first, last, start, end, changes,
                                      last, BERLIN)
            assert bounded.episodes == whole.episodes
            assert len(read) < len(every)
    finally:
        store.close()


def test_open_questions_leave_out_answered_and_retracted_ones(db_path):
    store = Store(db_path)
    try:
        with store.transaction():
            q1, q2, q3, q4 = store.add_entries([{"kind": "question", "at": days_ago(n), "tz": "UTC", "data": {"text": t}}
                                                for n, t in ((400, "a"), (300, "b"), (200, "c"), (1, "d"))], NOW)
            uid = {i: store.conn.execute("SELECT uid FROM entries WHERE id = ?", (i,)).fetchone()[0] for i in (q2, q3)}
            a2, a3 = store.add_entries([{"kind": "answer", "at": days_ago(100), "tz": "UTC",
                                         "data": {"question": uid[i], "answer": None}} for i in (q2, q3)], NOW)
            store.retract_entry(a3, NOW, "UTC")  # an answer taken back: c is open again
            store.retract_entry(q1, NOW, "UTC")
        assert [e.data["text"] for e in store.open_questions(days_ago(0))] == ["c", "d"]
        assert [e.data["text"] for e in store.open_questions(days_ago(2))] == ["c"]
    finally:
        store.close()


def test_a_damaged_entry_does_not_stop_the_migration_of_its_indexes(tmp_path):
    import sqlite3

    from sqlite_utils import Database

    from meddiary import store as package

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    try:
        package.migrations().apply(Database(conn), stop_before="m008_report_reach")
        conn.execute("INSERT INTO entries (kind, at_utc, tz, recorded_at_utc, data, uid) VALUES"
                     " ('side_effect', '2026-11-01T08:00:00+00:00', 'UTC', '2026-11-01T08:00:00+00:00', '{not json', 'a'),"
                     " ('answer', '2026-11-01T08:00:00+00:00', 'UTC', '2026-11-01T08:00:00+00:00', '[1', 'b')")
        conn.commit()
    finally:
        conn.close()
    store = Store(path)
    try:
        assert tuple(store.applied_migrations()) == package.MIGRATION_NAMES
        assert store.side_effects_reaching(NOW, NOW) == []
    finally:
        store.close()


def test_the_refills_before_the_period_carried_as_one_give_the_same_supply_section(run, db_path):
    """Random refills over three years (early and late ones, with and without their days' supply, some
    retracted) of a medication with a titration, a pause and a taper: for any period, the supply section from
    the refills loaders.load_refills reads (the earlier ones carried as one, or only the latest of them when
    PDC is not measured) is the one from every refill."""
    from meddiary import loaders, report

    with time_machine.travel(NOW, tick=False):
        run("add", "lamotrigine", "--dose", "25mg", "--at", "08:00", "--at", "20:00", "--strength", "25mg",
            "--start", "2023-11-01")
        run("change", "lamotrigine", "--dose", "50mg", "--from", "2024-03-01", "--reason", "up")
        run("pause", "lamotrigine", "--from", "2024-09-01", "--until", "2024-09-20", "--reason", "break")
        run("change", "lamotrigine", "--dose", "100mg", "--from", "2025-02-01", "--reason", "up")
        run("change", "lamotrigine", "--dose", "75mg", "--from", "2025-12-01", "--reason", "down")
    rng = random.Random(3)
    rows, day = [], datetime(2023, 10, 20, 9, tzinfo=UTC)
    while day < NOW:
        days = rng.choice((None, None, 10, 28, 90))
        rows.append({"kind": "refill", "at": day, "medication_id": 1,
                     "data": {"qty": rng.choice((10, 30, 60, 120)), **({"days_supply": days} if days else {})}})
        day += timedelta(days=rng.choice((3, 12, 20, 26, 30, 45, 75)), hours=rng.randrange(24))
    ids = add(db_path, *rows)
    store = Store(db_path)
    try:
        with store.transaction():
            for i in rng.sample(ids, 5):
                store.retract_entry(i, NOW, "UTC")
        meds = store.medications()
        supplies, _ = loaders.load_supplies(store, meds, NOW, BERLIN)
        every = {1: store.entries_of(("refill",))}
        for _ in range(80):
            first = date(2023, 10, 1) + timedelta(days=rng.randrange(1100))
            last = min(first + timedelta(days=rng.choice((0, 29, 89, 364))), NOW.date())
            period = report.make_period(first, last, BERLIN, timedelta(hours=2))
            read = loaders.load_refills(store, meds, supplies, period, BERLIN)
            assert len(read[1]) <= 1 + sum(e.at >= period.start - timedelta(days=2) for e in every[1])
            assert (supply.report_section(meds, supplies, read, first, last, BERLIN)
                    == supply.report_section(meds, supplies, every, first, last, BERLIN))
    finally:
        store.close()


@pytest.mark.parametrize("recent", [(25, 3), (3,)])
def test_an_old_refill_whose_days_cannot_be_known_still_leaves_pdc_out(run, db_path, recent):
    """Without --strength a refill's days cannot be worked out: one from years before keeps the PDC out as
    it always has (its supply might reach into the period), read whole, not carried — with refills on two
    days in the period or on one."""
    with time_machine.travel(NOW, tick=False):
        run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2020-01-01")
    add(db_path, {"kind": "refill", "at": days_ago(2000), "medication_id": 1, "data": {"qty": 30}},
        *({"kind": "refill", "at": days_ago(n), "medication_id": 1, "data": {"qty": 30, "days_supply": 30}}
          for n in recent))
    item = report_json(run, "--since", "30d")["supply"][0]
    assert (item["pdc"], item["pdc_note"], item["refills_in_period"]) == (None, "units per dose not recorded",
                                                                         len(recent))
