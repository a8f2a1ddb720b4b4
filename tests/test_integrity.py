"""meddiary check (no questionnaire): SQLite's integrity check plus meddiary's consistency checks, in plain
words; each kind of inconsistency, made by hand with plain SQL, is found and named."""

import json
import sqlite3

import pytest
from fixtures.sample import fill

from meddiary import integrity, store
from meddiary.errors import ExitCode


@pytest.fixture
def sample(run, clock, db_path):
    fill(run, db_path)
    return db_path


def check(path):
    s = store.Store(path)
    try:
        return integrity.check(s)
    finally:
        s.close()


def sql(path, *statements):
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for st in statements:
            conn.execute(st)
    finally:
        conn.close()


def test_a_sound_diary_passes(sample):
    ok, lines = check(sample)
    assert ok
    assert lines == [f"ok: {sample} passes SQLite's integrity check and meddiary's consistency checks",
                     "4 medications, 10 regimens, 42 entries (3 retractions), 2 settings"]


def test_an_empty_diary_passes(run, clock, db_path):
    run("list")
    assert check(db_path)[0]


def test_check_on_the_command_line(run, sample):
    result = run("check")
    assert result.out.startswith(f"ok: {sample} passes")
    data = json.loads(run("check", "--json").out)
    assert data["ok"] is True


def test_check_on_the_command_line_exits_1_with_problems(run, sample, dump):
    sql(sample, "UPDATE entries SET data = 'not json' WHERE kind = 'mood'")
    before = dump()
    result = run("check", expect=ExitCode.REFUSED)
    assert result.out.splitlines()[0] == f"problems in {sample}: 2"
    assert "entry #" in result.out and "(mood): its data is not valid JSON" in result.out
    assert dump() == before


CASES = [
    ("entry of a medication that is gone",
     ["UPDATE entries SET medication_id = 99 WHERE id = 1"], "entry #1 (take) refers to medication #99, which does not exist"),
    ("take naming no medication", ["UPDATE entries SET medication_id = NULL WHERE id = 1"], "entry #1 (take) names no medication"),
    ("alias of a medication that is gone", ["UPDATE aliases SET medication_id = 42"], "alias #1 (Zoloft) belongs to medication #42"),
    ("regimen of a medication that is gone", ["UPDATE regimens SET medication_id = 42 WHERE id = 1"],
     "regimen #1 belongs to medication #42, which does not exist"),
    ("missing uid", ["UPDATE entries SET uid = NULL WHERE id = 3"], "entry #3 has no stable id (uid)"),
    ("malformed uid", ["UPDATE medications SET uid = 'abc' WHERE id = 1"], "medication #1 has a malformed stable id 'abc'"),
    ("duplicate uid", ["DROP INDEX entries_by_uid", "UPDATE entries SET uid = (SELECT uid FROM entries WHERE id = 1) WHERE id = 2"],
     "entry #2 has the same stable id as entry #1"),
    ("unknown entry kind", ["UPDATE entries SET kind = 'coffee' WHERE id = 1"], "entry #1 has the unknown kind 'coffee'"),
    ("data that is not JSON", ["UPDATE entries SET data = '{oops' WHERE kind = 'check'"], "(check): its data is not valid JSON"),
    ("data that is not an object", ["UPDATE entries SET data = '[1]' WHERE kind = 'visit'"], "(visit): its data is not a JSON object"),
    ("data lacking keys", ["UPDATE entries SET data = '{\"score\": 5}' WHERE kind = 'mood'"],
     "(mood): its data lacks depressed, elevated, anxiety, irritability, sleep_hours"),
    ("answer to a missing question", ["UPDATE entries SET data = json_set(data, '$.question', 'ff') WHERE kind = 'answer'"],
     "(answer) answers a question (ff) that is not in the diary"),
    ("bad time", ["UPDATE entries SET at_utc = 'yesterday' WHERE id = 1"], "entry #1: its time at_utc 'yesterday' is not a UTC time"),
    ("naive time", ["UPDATE entries SET recorded_at_utc = '2026-11-02 07:12' WHERE id = 1"],
     "entry #1: its time recorded_at_utc '2026-11-02 07:12' is not a UTC time"),
    ("unknown zone", ["UPDATE entries SET tz = 'Mars/Olympus' WHERE id = 1"], "entry #1: its time zone 'Mars/Olympus' is not a known zone"),
    ("unknown regimen kind", ["UPDATE regimens SET kind = 'maybe' WHERE id = 1"], "regimen #1 has the unknown kind 'maybe'"),
    ("bad start date", ["UPDATE regimens SET start_date = '2026-02-30' WHERE id = 1"], "regimen #1: its start date '2026-02-30' is not a date"),
    ("bad times", ["UPDATE regimens SET times_local = '8 am' WHERE id = 1"], "regimen #1: its times '8 am' are not HH:MM times"),
    ("bad weekdays", ["UPDATE regimens SET weekdays = '0,9' WHERE id = 3"], "regimen #3: its weekdays '0,9' are not numbers 0-6"),
    ("dosing regimen without dose", ["UPDATE regimens SET dose_amount = NULL WHERE id = 1"],
     "regimen #1 (start): dose_amount is null: a start regimen needs its dose"),
    # the rules import applies (integrity.entry_problem, regimen_problem, setting_problem)
    ("regimen without unit", ["UPDATE regimens SET dose_unit = NULL WHERE id = 1"], "regimen #1 (start): dose_unit is null"),
    ("scheduled regimen without times", ["UPDATE regimens SET times_local = NULL WHERE id = 1"],
     "regimen #1 (start): times is empty: a start regimen of a scheduled medication needs its times of day"),
    ("every 0 days", ["UPDATE regimens SET every_days = 0 WHERE id = 1"], "regimen #1 (start): every_days is 0"),
    ("mood score 99", ["UPDATE entries SET data = json_set(data, '$.score', 99) WHERE kind = 'mood'"],
     "(mood): data.score is 99, expected a whole number from 1 to 10, or null"),
    ("questionnaire total wrong", ["UPDATE entries SET data = json_set(data, '$.total', 27) WHERE kind = 'check'"],
     "(check): data.total is 27, expected 8 (from the answers)"),
    ("refill qty text", ["UPDATE entries SET data = json_set(data, '$.qty', 'lots') WHERE kind = 'refill'"],
     "(refill): data.qty is \"lots\", expected a number above 0"),
    ("refill days of supply 1.5", ["UPDATE entries SET data = json_set(data, '$.days_supply', 1.5) WHERE kind = 'refill'"],
     "(refill): data.days_supply is 1.5, expected a whole number of days from 0 to 36600, or null"),
    ("take without unit", ["UPDATE entries SET dose_unit = NULL WHERE id = 1"], "entry #1 (take): dose_unit is null"),
    ("unknown setting", ["UPDATE settings SET key = 'colour' WHERE key = 'timezone'"], "(colour): key is \"colour\", expected one of timezone, crisis_line"),
    ("bad home zone", ["UPDATE settings SET value = 'Mars/Olympus' WHERE key = 'timezone'"], "(timezone): value is \"Mars/Olympus\", expected an IANA"),
    ("empty crisis line", ["UPDATE settings SET value = ' ' WHERE key = 'crisis_line'"], "(crisis_line): value is \" \""),
    ("time not in UTC", ["UPDATE entries SET at_utc = '2026-11-02T08:12:00+01:00' WHERE id = 1"],
     "entry #1: its time at_utc '2026-11-02T08:12:00+01:00' is not a UTC time"),
    ("retraction of nothing", ["INSERT INTO retractions (at_utc, tz, uid) VALUES ('2026-11-26T08:00:00+00:00', 'UTC', lower(hex(randomblob(16))))"],
     "must retract exactly one entry or one regimen"),
    ("retraction of a missing entry", ["UPDATE retractions SET entry_id = 999 WHERE entry_id IS NOT NULL"], "retracts entry #999, which does not exist"),
    ("retraction of a missing regimen", ["UPDATE retractions SET regimen_id = 999 WHERE id = (SELECT min(id) FROM retractions WHERE regimen_id IS NOT NULL)"],
     "retracts regimen #999, which does not exist"),
]


@pytest.mark.parametrize("statements,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_inconsistency_is_named(sample, statements, expected):
    sql(sample, *statements)
    ok, lines = check(sample)
    assert not ok
    assert lines[0].startswith(f"problems in {sample}: ")
    assert any(expected in line for line in lines[1:]), lines


def test_damaged_pages_are_reported_by_sqlites_check(run, sample):
    s = store.Store(sample)
    s.checkpoint()
    s.close()
    page = 4096
    with open(sample, "r+b") as f:
        size = f.seek(0, 2)
        # scribble over an index page near the end (tables stay readable; the index no longer matches)
        for n in range(size // page - 3, size // page):
            f.seek(n * page + 100)
            f.write(b"\x07" * 200)
    ok, lines = check(sample)
    assert not ok
    assert any("SQLite's integrity check" in line or "cannot be read" in line or "damaged" in line for line in lines), lines


def test_very_many_problems_are_cut_short(sample):
    sql(sample, "UPDATE entries SET tz = 'Nowhere/Nothing'", "UPDATE regimens SET created_tz = 'Nowhere/Nothing'",
        "UPDATE settings SET at_utc = 'then'", "UPDATE medications SET created_at_utc = 'now'",
        "UPDATE retractions SET tz = ''")
    ok, lines = check(sample)
    assert not ok
    assert len(lines) == integrity.MAX_LINES + 2
    assert lines[0] == f"problems in {sample}: 61"  # 42 entries, 10 regimens, 3 retractions, 2 settings, 4 medications
    assert lines[-1] == f"… and {61 - integrity.MAX_LINES} more problems"


def test_a_migration_missing_from_the_ledger_is_named(sample):
    s = store.Store(sample)
    try:
        sql(sample, "DELETE FROM _sqlite_migrations WHERE name = 'm003_entries'")
        ok, lines = integrity.check(s)
    finally:
        s.close()
    assert not ok
    assert lines[1] == ("the schema's migrations are m001_medications, m002_regimens, m004_retractions, m005_records, "
                        "m006_schedules, m007_entry_zones, m008_report_reach, m009_day_results; expected "
                        "m001_medications, m002_regimens, m003_entries, m004_retractions, m005_records, "
                        "m006_schedules, m007_entry_zones, m008_report_reach, m009_day_results")


def row(table, **values):
    base = {"id": 1, "uid": "a" * 32}
    return {**base, **values}


def test_a_row_retracted_twice_is_named():
    # the schema's UNIQUE constraints keep this from happening; the check still says it if it does
    tables = {t: [] for t in ("medications", "aliases", "regimens", "entries", "retractions", "settings")}
    tables["entries"] = [row("entries", kind="visit", medication_id=None, at_utc="2026-11-26T08:00:00+00:00",
                             tz="UTC", recorded_at_utc="2026-11-26T08:00:00+00:00", data=None)]
    tables["retractions"] = [
        row("retractions", id=1, uid="b" * 32, entry_id=1, regimen_id=None, at_utc="2026-11-26T08:00:00+00:00", tz="UTC"),
        row("retractions", id=2, uid="c" * 32, entry_id=1, regimen_id=None, at_utc="2026-11-26T08:00:00+00:00", tz="UTC"),
    ]
    assert integrity.consistency(tables) == ["retraction #2 retracts entry #1 again (retraction #1 did already)"]


# -- an entry dated later than now (issue 12) ---------------------------------------------------------------

def test_an_entry_dated_later_than_now_is_named(run, sample, clock):
    """A take dated tomorrow (a clock set ahead when it was recorded, or an import) and a mood an hour ahead are
    named — id, kind, medication, local time and zone; a retracted future entry counts nowhere and is not."""
    from datetime import UTC, datetime

    s = store.Store(sample)
    now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # the frozen clock: 09:00 in Berlin
    take, mood, gone = s.add_entries([
        {"kind": "take", "medication_id": 1, "at": datetime(2026, 11, 27, 7, 0, tzinfo=UTC), "tz": "Europe/Berlin",
         "dose_amount": 50, "dose_unit": "mg"},
        {"kind": "mood", "medication_id": None, "at": datetime(2026, 11, 26, 9, 0, tzinfo=UTC), "tz": "America/New_York",
         "data": {"score": 6, "depressed": None, "elevated": None, "anxiety": None, "irritability": None,
                  "sleep_hours": None}},
        {"kind": "take", "medication_id": 1, "at": datetime(2026, 11, 28, 7, 0, tzinfo=UTC), "tz": "Europe/Berlin",
         "dose_amount": 50, "dose_unit": "mg"}], now)
    s.conn.execute("INSERT INTO retractions (entry_id, at_utc, tz, uid) VALUES (?, ?, 'Europe/Berlin', ?)",
                   (gone, "2026-11-26T08:00:00+00:00", "f" * 32))
    name = next(m.name for m in s.medications() if m.id == 1)
    s.close()
    result = run("check", expect=ExitCode.REFUSED)
    lines = result.out.splitlines()
    assert lines[0] == f"problems in {sample}: 2"
    assert lines[1:] == [
        f"entry #{take} (take, {name}) is dated 2026-11-27 08:00 Europe/Berlin, later than now (a clock set ahead, "
        "or imported?): it counts only from then on",
        f"entry #{mood} (mood) is dated 2026-11-26 04:00 America/New_York, later than now (a clock set ahead, "
        "or imported?): it counts only from then on"]
    # Once its time has come it is an ordinary entry.
    clock.move_to(datetime(2026, 11, 29, 9, 0, tzinfo=UTC))
    assert run("check").out.startswith(f"ok: {sample} passes")


def test_future_entries_is_pure():
    from datetime import UTC, datetime

    tables = {"medications": [{"id": 1, "name": "sertraline"}], "retractions": [],
              "entries": [{"id": 7, "kind": "refill", "medication_id": 1, "at_utc": "2026-12-01T09:00:00+00:00",
                           "tz": "Europe/Berlin"},
                          {"id": 8, "kind": "refill", "medication_id": 1, "at_utc": "2026-11-01T09:00:00+00:00",
                           "tz": "Europe/Berlin"}]}
    assert integrity.future_entries(tables, datetime(2026, 11, 26, tzinfo=UTC)) == [
        "entry #7 (refill, sertraline) is dated 2026-12-01 10:00 Europe/Berlin, later than now (a clock set ahead, "
        "or imported?): it counts only from then on"]
