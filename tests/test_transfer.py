"""Export and import: the versioned JSON document restores a diary exactly, a second import adds nothing,
importing into another diary merges by uid and says what it added; bad documents are refused whole; CSV."""

import csv
import io
import json
import stat
import sys
from datetime import datetime

from zoneinfo import ZoneInfo

import pytest
from conftest import invoke
from fixtures.sample import fill
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meddiary import store, transfer
from meddiary.errors import ExitCode


@pytest.fixture
def sample(run, clock, db_path):
    fill(run, db_path)
    return db_path


def export(run, *db) -> dict:
    return json.loads(run(*db, "export", "--format", "json").out)


def without(doc: dict, *keys) -> dict:
    return {k: v for k, v in doc.items() if k not in keys}


def report(run, *db, period=("--from", "2026-10-25", "--to", "2026-11-26")) -> dict:
    return without(json.loads(run(*db, "report", "--format", "json", *period).out), "generated_at")


def dump_of(path) -> str:
    s = store.Store(path)
    try:
        return s.dump()
    finally:
        s.close()


# -- the document --------------------------------------------------------------------------------------

def test_the_document_holds_everything_retracted_rows_marked(run, sample):
    doc = export(run)
    assert (doc["format"], doc["version"], doc["schema"]) == ("meddiary-export", 1, store.MIGRATION_NAMES[-1])
    assert doc["exported_at"] == "2026-11-26T08:00:00Z"
    meds = {m["name"]: m for m in doc["medications"]}
    assert sorted(meds) == ["lithium", "lorazepam", "quetiapine", "sertraline"]
    assert [a["alias"] for a in meds["sertraline"]["aliases"]] == ["Zoloft"]
    assert meds["lorazepam"]["as_needed"] is True
    quetiapine = meds["quetiapine"]["regimens"]
    # the taper's later steps, superseded by the change, are there and marked
    assert [(r["start_date"], r["kind"], r["retracted"] is not None) for r in quetiapine] == [
        ("2026-11-02", "start", False), ("2026-11-23", "taper", False), ("2026-11-30", "taper", True),
        ("2026-12-07", "stop", True), ("2026-11-30", "change", False)]
    assert quetiapine[0]["weekdays"] == [0, 2, 4] and quetiapine[0]["times"] == ["21:00"]
    assert quetiapine[2]["retracted"]["reason"] == "superseded"
    kinds = [e["kind"] for e in doc["entries"]]
    for kind in ("take", "skip", "mood", "side_effect", "check", "question", "answer", "visit", "refill", "count"):
        assert kind in kinds
    retracted = [e for e in doc["entries"] if e["retracted"]]
    assert [(e["kind"], e["dose_amount"], e["note"], e["retracted"]["reason"]) for e in retracted] == [
        ("take", 200.0, "half: nausea", "undo")]
    answer = next(e for e in doc["entries"] if e["kind"] == "answer")
    question = next(e for e in doc["entries"] if e["kind"] == "question")
    assert answer["data"]["question"] == question["uid"]
    assert answer["medication"] is None
    take = next(e for e in doc["entries"] if e["kind"] == "take")
    assert take["medication"] == meds["sertraline"]["uid"]
    assert set(take) == {"uid", "kind", "medication", "at_utc", "tz", "dose_amount", "dose_unit", "reason", "note",
                         "forced", "recorded_at_utc", "data", "retracted"}
    assert {(s["key"], s["value"]) for s in doc["settings"]} == {("crisis_line", "Samaritans 116 123"),
                                                                 ("timezone", "Europe/Berlin")}
    assert "reminders" not in doc


def test_every_uid_in_the_document_is_unique(run, sample):
    doc = export(run)
    uids = [m["uid"] for m in doc["medications"]]
    uids += [x["uid"] for m in doc["medications"] for x in m["aliases"] + m["regimens"]]
    uids += [e["uid"] for e in doc["entries"]] + [s["uid"] for s in doc["settings"]]
    uids += [x["retracted"]["uid"] for m in doc["medications"] for x in m["regimens"] if x["retracted"]]
    uids += [e["retracted"]["uid"] for e in doc["entries"] if e["retracted"]]
    assert len(uids) == len(set(uids)) > 60


def test_export_to_a_file_is_private_and_the_same_document(run, sample, tmp_path):
    target = tmp_path / "out.json"
    result = run("export", "--output", str(target))
    assert result.out == "" and f"wrote the diary (JSON) to {target}" in result.err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text()) == export(run)


# -- import into an empty diary: the same diary ------------------------------------------------------

def test_importing_into_an_empty_diary_restores_it_exactly(run, sample, tmp_path):
    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    other = ("--db", str(tmp_path / "other" / "diary.db"))
    result = run(*other, "import", str(doc_file))
    assert result.out.splitlines()[0] == f"imported {doc_file}, added:"
    assert report(run, *other) == report(run)
    assert report(run, *other, period=("--since", "7d")) == report(run, period=("--since", "7d"))
    assert without(export(run, *other), "exported_at") == without(export(run), "exported_at")
    for command in (("list", "--all", "--json"), ("show", "quetiapine", "--json"), ("log", "--since", "90d", "--json"),
                    ("today", "--json")):
        assert run(*other, *command).out == run(*command).out, command


def journal_of(path) -> str:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def test_a_restore_leaves_the_diary_in_wal_and_is_the_same_with_another_connection_open(run, sample, tmp_path):
    import sqlite3

    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    records = transfer.read_document(doc_file.read_text(encoding="utf-8"), "d.json", frozenset())
    new, other = tmp_path / "new.db", tmp_path / "other.db"
    s = store.Store(new)
    try:
        s.merge(records)
    finally:
        s.close()
    assert journal_of(new) == "wal"
    store.Store(other).close()
    reader = sqlite3.connect(other)  # a reader with the diary open all along (cron's `due`, say)
    try:
        reader.execute("SELECT count(*) FROM entries").fetchone()
        s = store.Store(other)
        try:
            s.merge(records)
        finally:
            s.close()
        assert reader.execute("SELECT count(*) FROM entries").fetchone()[0] == len(records["entries"])
    finally:
        reader.close()
    assert journal_of(other) == "wal" and dump_of(other) == dump_of(new)


def test_importing_the_same_file_twice_adds_nothing(run, sample, tmp_path):
    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    other = tmp_path / "other" / "diary.db"
    run("--db", str(other), "import", str(doc_file))
    before = dump_of(other)
    result = run("--db", str(other), "import", str(doc_file))
    assert result.out == f"nothing new in {doc_file}: every record in it is already in the diary\n"
    assert dump_of(other) == before
    # and into the diary it came from
    before = dump_of(sample)
    run("import", str(doc_file))
    assert dump_of(sample) == before


def test_import_says_what_it_added_per_kind(run, sample, tmp_path):
    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    result = run("--db", str(tmp_path / "o.db"), "import", str(doc_file), "--json")
    added = json.loads(result.out)
    doc = json.loads(doc_file.read_text())
    counts: dict[str, int] = {}
    for e in doc["entries"]:
        counts[e["kind"]] = counts.get(e["kind"], 0) + 1
    assert added["entries"] == counts
    assert added["added"] == {"medications": 4, "aliases": 1, "regimens": 10, "retractions": 3, "settings": 2}
    assert added["notes"] == []


# -- merging two diaries: moving between two computers --------------------------------------------------

def test_two_computers_merge_by_uid(run, sample, tmp_path, clock):
    laptop = ("--db", str(tmp_path / "laptop.db"))
    first = tmp_path / "first.json"
    run("export", "--output", str(first))
    run(*laptop, "import", str(first))
    # both go on separately: the laptop records two doses, the desktop one mood entry
    clock.move_to(datetime.fromisoformat("2026-11-27T09:00:00+01:00"))
    run(*laptop, "take", "sertraline", "--at", "08:02")
    run(*laptop, "take", "lorazepam", "--at", "08:30")
    run("take", "sertraline", "--at", "08:05", "--yes")
    from_laptop = tmp_path / "laptop.json"
    run(*laptop, "export", "--output", str(from_laptop))
    result = run("import", str(from_laptop))
    assert result.out == f"imported {from_laptop}, added:\n  take                2\n"
    back = tmp_path / "desktop.json"
    run("export", "--output", str(back))
    result = run(*laptop, "import", str(back))
    assert result.out == f"imported {back}, added:\n  take                1\n"
    # now both hold the same record
    assert report(run, *laptop, period=("--since", "30d")) == report(run, period=("--since", "30d"))


def test_a_medication_added_separately_on_both_is_joined_by_name(run, sample, tmp_path):
    other = ("--db", str(tmp_path / "other.db"))
    run(*other, "add", "Sertraline", "--dose", "50mg", "--at", "09:00", "--start", "2026-11-20")
    run(*other, "add", "venlafaxine", "--dose", "75mg", "--at", "08:00", "--alias", "zoloft", "--start", "2026-11-20")
    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    result = run(*other, "import", str(doc_file))
    assert ("note: sertraline was already in this diary (added separately): its records were joined to it; its 2 "
            "regimens were kept as superseded (\"merged from another diary\"): the plan in force here is unchanged\n") in result.out
    assert "note: the alias Zoloft was left out: it names another medication here" in result.out
    assert "  medications         3\n" in result.out
    listed = json.loads(run(*other, "list", "--all", "--json").out)["medications"]
    assert sorted(m["name"] for m in listed) == ["Sertraline", "lithium", "lorazepam", "quetiapine", "venlafaxine"]
    log = json.loads(run(*other, "log", "--since", "90d", "--med", "sertraline", "--json").out)["entries"]
    assert sum(1 for e in log if e["kind"] == "take") == 22
    before = dump_of(tmp_path / "other.db")
    run(*other, "import", str(doc_file))
    assert dump_of(tmp_path / "other.db") == before
    # the plan in force here is still this diary's own: 50 mg at 09:00 from 2026-11-20
    s = store.Store(tmp_path / "other.db")
    try:
        med = next(m for m in s.medications() if m.name == "Sertraline")
        superseded = s.superseded_regimens(med.id)
    finally:
        s.close()
    assert [(r.start_date.isoformat(), [t.isoformat() for t in r.times]) for r in med.regimens] == [("2026-11-20", ["09:00:00"])]
    assert len(superseded) == 2
    today = run(*other, "today").out
    assert "09:00" in today and "08:00  Sertraline" not in today and "08:00  sertraline" not in today


def test_a_setting_merged_from_elsewhere_wins_only_if_it_is_later(run, sample, tmp_path, clock):
    other = ("--db", str(tmp_path / "other.db"))
    run(*other, "config", "timezone", "America/New_York")  # set now, after the sample's
    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    run(*other, "import", str(doc_file))
    s = store.Store(tmp_path / "other.db")
    try:
        assert s.setting("timezone") == "America/New_York"
        assert s.setting("crisis_line") == "Samaritans 116 123"
    finally:
        s.close()
    assert run(*other, "import", str(doc_file)).out.startswith("nothing new")
    # and back: the other diary's later value wins here too, where the older one was last written
    back = tmp_path / "back.json"
    run(*other, "export", "--output", str(back))
    run("import", str(back))
    assert run("config", "timezone").out.startswith("timezone = America/New_York")


def test_a_setting_merged_from_elsewhere_that_is_later_wins(run, sample, tmp_path, clock):
    other = ("--db", str(tmp_path / "other.db"))
    clock.move_to("2026-11-01 07:00+01:00")  # before the sample's settings
    run(*other, "config", "timezone", "America/New_York")
    clock.move_to("2026-11-26 09:00+01:00")
    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    result = run(*other, "import", str(doc_file))
    assert "note: the setting timezone" not in result.out
    assert run(*other, "config", "timezone").out.startswith("timezone = Europe/Berlin")


def test_the_value_set_last_wins_even_with_the_clock_set_back(run, clock):
    run("config", "timezone", "America/New_York")
    clock.move_to("2026-11-20 09:00+01:00")  # the computer's clock put back a week
    run("config", "timezone", "--unset")
    assert run("config", "timezone").out.startswith("timezone not set")
    run("config", "timezone", "Asia/Tokyo")
    assert run("config", "timezone").out.startswith("timezone = Asia/Tokyo")


def test_an_entry_retracted_on_both_sides_is_retracted_once(run, sample, tmp_path):
    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    other = ("--db", str(tmp_path / "other.db"))
    run(*other, "import", str(doc_file))
    run(*other, "undo")  # retracts the newest entry there
    run("undo")  # the same entry here, separately
    again = tmp_path / "again.json"
    run(*other, "export", "--output", str(again))
    result = run("import", str(again))
    assert result.out.startswith("nothing new")


# -- documents that are refused whole -------------------------------------------------------------------

def mutate(doc: dict, how) -> dict:
    doc = json.loads(json.dumps(doc))
    how(doc)
    return doc


def entry_of(kind):
    return lambda d: next(e for e in d["entries"] if e["kind"] == kind)


def setting(key, value, at="2026-11-20T08:00:00+00:00"):
    return lambda d: d["settings"].append({"uid": "c" * 32, "key": key, "value": value, "at_utc": at, "tz": "UTC"})


BAD_DOCUMENTS = [
    ("not json", lambda d: "{not json", "is not a meddiary export: not JSON"),
    ("another json", lambda d: {"hello": 1}, "is not a meddiary export: it has no \"format\": \"meddiary-export\""),
    ("a list", lambda d: [1, 2], "is not a meddiary export"),
    ("newer", lambda d: mutate(d, lambda x: x.update(version=2)), "was exported by a newer meddiary (document version 2)"),
    ("version text", lambda d: mutate(d, lambda x: x.update(version="1")), "version: '1' is not a version number"),
    ("medications not a list", lambda d: mutate(d, lambda x: x.update(medications={})), "medications: expected a list"),
    ("bad uid", lambda d: mutate(d, lambda x: x["medications"][0].update(uid="x'; DROP TABLE entries; --")),
     "medications[0]: 'uid' \"x'; DROP TABLE entries; --\" is not 32 lowercase hex digits"),
    ("duplicate uid", lambda d: mutate(d, lambda x: x["entries"][1].update(uid=x["entries"][0]["uid"])),
     "entries[1]: the uid"),
    ("unknown kind", lambda d: mutate(d, lambda x: x["entries"][0].update(kind="coffee")), "entries[0]: 'kind' 'coffee' is not one of"),
    ("missing data key", lambda d: mutate(d, lambda x: entry_of("mood")(x)["data"].pop("score")), "'data' of a mood lacks score"),
    ("data not an object", lambda d: mutate(d, lambda x: entry_of("check")(x).update(data=[1])), "a check needs 'data'"),
    ("unknown medication", lambda d: mutate(d, lambda x: x["entries"][0].update(medication="0" * 32)),
     "'medication' 00000000000000000000000000000000 is none of the document's medications"),
    ("take without medication", lambda d: mutate(d, lambda x: x["entries"][0].update(medication=None)),
     "a take needs its 'medication'"),
    ("bad time", lambda d: mutate(d, lambda x: x["entries"][0].update(at_utc="yesterday")), "'at_utc' 'yesterday' is not a UTC time"),
    ("naive time", lambda d: mutate(d, lambda x: x["entries"][0].update(at_utc="2026-11-02T07:00:00")), "is not a UTC time"),
    ("far time", lambda d: mutate(d, lambda x: x["entries"][0].update(at_utc="9999-11-02T07:00:00+00:00")), "is not a UTC time"),
    ("bad zone", lambda d: mutate(d, lambda x: x["entries"][0].update(tz="Mars/Olympus")), "'tz' 'Mars/Olympus' is not a time zone"),
    ("dose as text", lambda d: mutate(d, lambda x: x["entries"][0].update(dose_amount="50")), "'dose_amount' is str, expected"),
    ("dose huge", lambda d: mutate(d, lambda x: x["entries"][0].update(dose_amount=1e300)), "'dose_amount' is 1e+300, out of range"),
    ("forced as text", lambda d: mutate(d, lambda x: x["entries"][0].update(forced="yes")), "'forced' is str"),
    ("bad regimen kind", lambda d: mutate(d, lambda x: x["medications"][0]["regimens"][0].update(kind="maybe")), "'kind' 'maybe' is not one of start"),
    ("bad start date", lambda d: mutate(d, lambda x: x["medications"][0]["regimens"][0].update(start_date="2026-13-01")), "is not a date"),
    ("bad times", lambda d: mutate(d, lambda x: x["medications"][0]["regimens"][0].update(times=["25:00"])), "'times' must be a list"),
    ("bad weekdays", lambda d: mutate(d, lambda x: x["medications"][0]["regimens"][0].update(weekdays=[7])), "'weekdays' must be null"),
    ("empty name", lambda d: mutate(d, lambda x: x["medications"][0].update(name="  ")), "medications[0]: 'name' is empty"),
    ("as_needed missing", lambda d: mutate(d, lambda x: x["medications"][0].pop("as_needed")), "'as_needed' is missing"),
    ("bad retraction", lambda d: mutate(d, lambda x: next(e for e in x["entries"] if e["retracted"])["retracted"].update(at_utc=5)),
     "entries["),
    ("entry not an object", lambda d: mutate(d, lambda x: x["entries"].append("take")), "expected an object"),
    ("two medications of one name", lambda d: mutate(d, lambda x: x["medications"][1].update(name=x["medications"][0]["name"].upper())),
     "medications[1]: 'name' 'SERTRALINE' names medications[0] already"),
    ("unknown setting", lambda d: mutate(d, setting("colour", "blue")), "'key' is \"colour\", expected one of timezone, crisis_line"),
    ("bad home zone", lambda d: mutate(d, setting("timezone", "Mars/Olympus")), "'value' is \"Mars/Olympus\", expected an IANA time zone"),
    ("empty crisis line", lambda d: mutate(d, setting("crisis_line", " ")), "'value' is \" \", expected the crisis line"),
    ("a setting from the future", lambda d: mutate(d, setting("timezone", "UTC", "2026-11-26T08:05:00+00:00")),
     "'at_utc' 2026-11-26T08:05:00+00:00 is later than now"),
    ("an alias naming another medication", lambda d: mutate(d, lambda x: x["medications"][0].update(name="zoloft")),
     "'alias' 'Zoloft' names medications[0] already"),
]


def regimen_of(name, index=-1):
    return lambda d: next(m for m in d["medications"] if m["name"] == name)["regimens"][index]


# Content of the right types that later commands could not use: each refused, naming the first bad field.
BAD_CONTENT = [
    ("mood score text", entry_of("mood"), {"data": {"score": "abc"}}, "'data.score' is \"abc\", expected a whole number from 1 to 10"),
    ("mood score 99", entry_of("mood"), {"data": {"score": 99}}, "'data.score' is 99, expected a whole number from 1 to 10"),
    ("mood score true", entry_of("mood"), {"data": {"score": True}}, "'data.score' is true"),
    ("rating 4", entry_of("mood"), {"data": {"anxiety": 4}}, "'data.anxiety' is 4, expected a whole number from 0 to 3"),
    ("sleep 25", entry_of("mood"), {"data": {"sleep_hours": 25}}, "'data.sleep_hours' is 25, expected hours from 0 to 24"),
    ("empty symptom", entry_of("side_effect"), {"data": {"symptom": " "}}, "'data.symptom' is \" \""),
    ("severity 7", entry_of("side_effect"), {"data": {"severity": 7}}, "'data.severity' is 7, expected mild, moderate, severe or null"),
    ("resolved text", entry_of("side_effect"), {"data": {"resolved": "no"}}, "'data.resolved' is \"no\", expected true or false"),
    ("instrument zzz", entry_of("check"), {"data": {"instrument": "zzz"}}, "'data.instrument' is \"zzz\", expected phq9 or gad7"),
    ("answers not a list", entry_of("check"), {"data": {"answers": 5}}, "'data.answers' is 5, expected 9 answers, each 0, 1, 2 or 3"),
    ("8 answers", entry_of("check"), {"data": {"answers": [0] * 8}}, "'data.answers' is [0, 0, 0, 0, 0, 0, 0, 0], expected 9 answers"),
    ("answer 4", entry_of("check"), {"data": {"answers": [4] + [0] * 8}}, "'data.answers'"),
    ("total text", entry_of("check"), {"data": {"total": "x"}}, "'data.total' is \"x\", expected 8 (from the answers)"),
    ("total wrong", entry_of("check"), {"data": {"total": 20}}, "'data.total' is 20, expected 8 (from the answers)"),
    ("severity wrong", entry_of("check"), {"data": {"severity": "severe"}}, "'data.severity' is \"severe\", expected \"mild\""),
    ("item9 wrong", entry_of("check"), {"data": {"item9": 2}}, "'data.item9' is 2, expected 0 (from the answers)"),
    ("question text null", entry_of("question"), {"data": {"text": None}}, "'data.text' is null, expected the question (text)"),
    ("answer to no question", entry_of("answer"), {"data": {"question": "f" * 32}}, "'data.question' is \"ffff"),
    ("answer a number", entry_of("answer"), {"data": {"answer": 3}}, "'data.answer' is 3, expected text or null"),
    ("refill qty text", entry_of("refill"), {"data": {"qty": "lots"}}, "'data.qty' is \"lots\", expected a number above 0"),
    ("refill qty 0", entry_of("refill"), {"data": {"qty": 0}}, "'data.qty' is 0"),
    ("repeats -1", entry_of("refill"), {"data": {"repeats_left": -1}}, "'data.repeats_left' is -1"),
    ("repeats 1.5", entry_of("refill"), {"data": {"repeats_left": 1.5}}, "'data.repeats_left' is 1.5"),
    ("days supply -1", entry_of("refill"), {"data": {"days_supply": -1}},
     "'data.days_supply' is -1, expected a whole number of days from 0 to 36600, or null"),
    ("days supply 1.5", entry_of("refill"), {"data": {"days_supply": 1.5}}, "'data.days_supply' is 1.5"),
    ("days supply text", entry_of("refill"), {"data": {"days_supply": "30"}}, "'data.days_supply' is \"30\""),
    ("count -1", entry_of("count"), {"data": {"count": -1}}, "'data.count' is -1, expected a number from 0"),
    ("take unit null", entry_of("take"), {"dose_unit": None}, "'dose_unit' is null, expected a unit such as mg"),
    ("take unit odd", entry_of("take"), {"dose_unit": "MG"}, "'dose_unit' is \"MG\""),
    ("take dose 0", entry_of("take"), {"dose_amount": 0}, "'dose_amount' is 0, expected a number above 0"),
    ("skip amount without unit", entry_of("skip"), {"dose_amount": None}, "'dose_amount' is null"),
    ("regimen unit null", regimen_of("sertraline"), {"dose_unit": None}, "'dose_unit' is null"),
    ("regimen dose null", regimen_of("sertraline"), {"dose_amount": None}, "'dose_amount' is null: a change regimen needs its dose"),
    ("regimen dose negative", regimen_of("sertraline"), {"dose_amount": -5}, "'dose_amount' is -5"),
    ("scheduled without times", regimen_of("sertraline"), {"times": []}, "'times' is empty: a change regimen of a scheduled medication"),
    ("every 0 days", regimen_of("sertraline"), {"every_days": 0}, "'every_days' is 0, expected null or a whole number of days"),
    ("weekdays and every", regimen_of("quetiapine", 0), {"every_days": 2}, "'every_days' is 2 with weekdays"),
    ("max per day 0", regimen_of("lorazepam"), {"max_per_day": 0}, "'max_per_day' is 0, expected null or a whole number from 1 to 100"),
]


@pytest.mark.parametrize("name,where,change,message", BAD_CONTENT, ids=[c[0] for c in BAD_CONTENT])
def test_content_later_commands_could_not_use_is_refused(run, sample, tmp_path, name, where, change, message):
    def how(d):
        row = where(d)
        for key, value in change.items():
            if key == "data":
                row["data"].update(value)
            else:
                row[key] = value

    doc_file = tmp_path / "bad.json"
    doc_file.write_text(json.dumps(mutate(export(run), how)))
    other = ("--db", str(tmp_path / "other.db"))
    result = run(*other, "import", str(doc_file), expect=ExitCode.USAGE)
    assert message in result.err, result.err
    assert result.err.count("\n") == 1 and result.err.endswith("; nothing was imported\n")
    assert not (tmp_path / "other.db").exists()


def test_an_answer_may_close_a_question_already_in_the_diary(run, sample, tmp_path):
    doc = export(run)
    question = next(e for e in doc["entries"] if e["kind"] == "question")
    answer = next(e for e in doc["entries"] if e["kind"] == "answer")
    (tmp_path / "q.json").write_text(json.dumps({**doc, "entries": [e for e in doc["entries"] if e is not answer]}))
    (tmp_path / "a.json").write_text(json.dumps({**doc, "entries": [e for e in doc["entries"] if e is not question]}))
    other = ("--db", str(tmp_path / "other.db"))
    assert "'data.question'" in run(*other, "import", str(tmp_path / "a.json"), expect=ExitCode.USAGE).err
    run(*other, "import", str(tmp_path / "q.json"))
    assert "answer" in run(*other, "import", str(tmp_path / "a.json")).out
    assert run(*other, "check").out.startswith("ok: ")


def test_times_with_any_offset_are_stored_in_utc(run, sample, tmp_path):
    doc = export(run)
    take = next(e for e in doc["entries"] if e["kind"] == "take")
    utc = take["at_utc"]
    take["at_utc"] = datetime.fromisoformat(utc).astimezone(ZoneInfo("America/New_York")).isoformat()
    assert take["at_utc"].endswith("-05:00")
    take["recorded_at_utc"] = take["recorded_at_utc"].replace("+00:00", "Z")
    doc["medications"][0]["created_at_utc"] = "2026-11-01T09:00:00+01:00"
    (tmp_path / "offset.json").write_text(json.dumps(doc))
    other = ("--db", str(tmp_path / "other.db"))
    run(*other, "import", str(tmp_path / "offset.json"))
    s = store.Store(tmp_path / "other.db")
    try:
        row = next(r for r in s.rows("entries") if r["uid"] == take["uid"])
        med = s.rows("medications")[0]
    finally:
        s.close()
    assert (row["at_utc"], row["recorded_at_utc"]) == (utc, take["recorded_at_utc"].replace("Z", "+00:00"))
    assert med["created_at_utc"] == "2026-11-01T08:00:00+00:00"
    assert run(*other, "check").out.startswith("ok: ")
    assert report(run, *other) == report(run)


# Mutating one value of a real export anywhere: the import refuses it, or every command still works.
LATER_COMMANDS = [("today",), ("report", "--from", "2026-10-25", "--to", "2026-11-26"),
                  ("report", "--format", "json", "--from", "2026-10-25", "--to", "2026-11-26"), ("log",), ("supply",),
                  ("export", "--format", "fhir"), ("check",)]
ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**6, max_value=10**6), st.sampled_from([0, -1, 10**30, 1e300]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8), st.sampled_from(["", " ", "mg", "08:00", "2026-02-30"]),
    st.lists(st.integers(min_value=-1, max_value=4), max_size=10), st.just({}), st.just({"x": [1]}))


def attempt(capsys, *args) -> tuple[int, str]:
    """Run a command whatever its exit code: (code, stderr); a traceback fails the test."""
    result = invoke(capsys, args)
    return result.code, result.err + result.out * ("Traceback" in result.out)


def _leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list) and value and not all(isinstance(x, int | str) for x in value):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    if path and path[-1] not in ("format", "version"):
        yield path


def test_a_mutated_export_is_refused_or_every_command_still_works(run, sample, tmp_path, capsys):
    doc = export(run)
    leaves = [p for p in _leaves(doc) if p[0] in ("medications", "entries", "settings")]
    counter = iter(range(10**6))

    # a value seen elsewhere in the document under the same key (plausible: often imported, then used),
    # or an odd one (mostly refused)
    seen: dict = {}
    for path in leaves:
        value = doc
        for key in path:
            value = value[key]
        seen.setdefault(path[-1], []).append(value)
    change = st.sampled_from(leaves).flatmap(lambda path: st.tuples(st.just(path), st.one_of(
        st.sampled_from(seen[path[-1]]), st.sampled_from(seen[path[-1]]), ODD_VALUES)))

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.lists(change, min_size=1, max_size=3))
    def one(changes):
        d = json.loads(json.dumps(doc))
        for path, value in changes:
            target = d
            try:
                for key in path[:-1]:
                    target = target[key]
                target[path[-1]] = value
            except (KeyError, IndexError, TypeError):
                pass  # inside a value an earlier change replaced
        n = next(counter)
        doc_file = tmp_path / f"m{n}.json"
        doc_file.write_text(json.dumps(d))
        db = ("--db", str(tmp_path / f"m{n}.db"))
        results = [attempt(capsys, *db, "import", str(doc_file))]
        if results[0][0] == 0:
            results += [attempt(capsys, *db, *args) for args in LATER_COMMANDS]
        for code, err in results:
            assert code in (0, 1, 2), (changes, code, err)
            assert "Traceback" not in err, (changes, err)
        if results[0][0] == 0:  # imported: then it is sound, and every command works on it
            assert all(code == 0 for code, _ in results), (changes, [err for _, err in results])

    one()


@pytest.mark.parametrize("name,make,message", BAD_DOCUMENTS, ids=[c[0] for c in BAD_DOCUMENTS])
def test_a_bad_document_is_refused_whole_and_nothing_is_written(run, sample, tmp_path, name, make, message):
    doc = export(run)
    bad = make(doc)
    doc_file = tmp_path / "bad.json"
    doc_file.write_text(bad if isinstance(bad, str) else json.dumps(bad))
    other = tmp_path / "other.db"
    run("--db", str(other), "list")
    before = dump_of(other)
    result = run("--db", str(other), "import", str(doc_file), expect=ExitCode.USAGE)
    assert message in result.err, result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert dump_of(other) == before


@pytest.mark.parametrize("name,make,message", BAD_DOCUMENTS, ids=[c[0] for c in BAD_DOCUMENTS])
def test_a_bad_document_makes_no_diary_and_leaves_nothing_beside_it(run, sample, tmp_path, monkeypatch, name, make,
                                                                    message):
    """Into a new diary the entries are written while the rest is read (in pieces: small ones here, so a
    problem comes after some are written); a refusal leaves no diary, and nothing half made beside it."""
    monkeypatch.setattr(transfer, "PIECE", 3)
    bad = make(export(run))
    doc_file = tmp_path / "bad.json"
    doc_file.write_text(bad if isinstance(bad, str) else json.dumps(bad))
    folder = tmp_path / "new"
    result = run("--db", str(folder / "diary.db"), "import", str(doc_file), expect=ExitCode.USAGE)
    assert message in result.err, result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert not folder.exists()  # as it was


def restored_both_ways(run, tmp_path, doc_file) -> tuple[str, str]:
    """The diary `doc_file` makes imported into a new diary, and into an empty one already there (which
    reads all of it before it writes)."""
    new, empty = tmp_path / "new" / "diary.db", tmp_path / "empty" / "diary.db"
    store.Store(empty).close()
    for path in (new, empty):
        run("--db", str(path), "import", str(doc_file))
    assert sorted(p.name for p in new.parent.iterdir()) == ["diary.db"]  # nothing left beside it
    assert journal_of(new) == "wal" and stat.S_IMODE(new.stat().st_mode) == 0o600
    # each row and each table and index, whatever order the indexes were made in
    return sorted(dump_of(new).splitlines()), sorted(dump_of(empty).splitlines())


@pytest.mark.parametrize("piece", [1, 4, 10**6])
def test_a_restore_written_while_it_is_read_is_the_diary_the_usual_way_makes(run, sample, tmp_path, monkeypatch,
                                                                              piece):
    monkeypatch.setattr(transfer, "PIECE", piece)
    written, made = [], []
    real, real_aside = store.Store.merge, store.made_aside
    monkeypatch.setattr(store.Store, "merge", lambda self, *a, **k: written.append(k.get("pieces")) or real(self, *a, **k))
    monkeypatch.setattr(store, "made_aside", lambda *a, **k: made.append(real_aside(*a, **k)) or made[-1])
    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    switch = sys.getswitchinterval()
    new, usual = restored_both_ways(run, tmp_path, doc_file)
    assert new == usual
    assert written[0] is not None and written[1] is None  # the new diary's pieces, the empty one's whole
    assert len(made) == 1 and made[0]["added"]["medications"] == 4  # written in pieces, not the usual way again
    assert sys.getswitchinterval() == switch  # as it was before the restore


def test_a_document_that_must_be_read_entry_by_entry_still_restores(run, sample, tmp_path, monkeypatch):
    """A whole number among the doses (1 and 1.0 are one key of a set): the pieces cannot show it sound,
    so the document is read the usual way, entry by entry."""
    monkeypatch.setattr(transfer, "PIECE", 4)
    doc = export(run)
    take = next(e for e in doc["entries"][8:] if e["kind"] == "take")
    take["dose_amount"] = int(take["dose_amount"])
    doc_file = tmp_path / "diary.json"
    doc_file.write_text(json.dumps(doc))
    new, usual = restored_both_ways(run, tmp_path, doc_file)
    assert new == usual


def test_a_diary_made_at_the_path_meanwhile_is_merged_into_not_replaced(run, sample, tmp_path, monkeypatch):
    """Another command makes the diary while the restore is written beside it: the restore does not take
    its name (nothing recorded is lost), the document is merged into it the usual way."""
    import subprocess

    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    path = tmp_path / "new" / "diary.db"
    real = store.Store.merge

    def merge(self, records, *args, **kwargs):
        if kwargs.get("pieces") is not None:  # the restore, in its file beside the diary
            subprocess.run([sys.executable, "-m", "meddiary", "--db", str(path), "add", "melatonin", "--as-needed", "--dose", "3mg"],
                           check=True, capture_output=True)
        return real(self, records, *args, **kwargs)

    monkeypatch.setattr(store.Store, "merge", merge)
    run("--db", str(path), "import", str(doc_file))
    names = [m["name"] for m in export(run, "--db", str(path))["medications"]]
    assert sorted(names) == ["lithium", "lorazepam", "melatonin", "quetiapine", "sertraline"]
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["diary.db"]


def test_a_file_left_beside_the_diary_by_a_killed_restore_is_removed_by_the_next(run, sample, tmp_path):
    import os
    import time

    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    path = tmp_path / "new" / "diary.db"
    path.parent.mkdir(mode=0o700)
    old, recent, other = (path.parent / name for name in (".diary.db.k1ll3d.importing", ".diary.db.0ngo1ng.importing",
                                                           ".other.db.k1ll3d.importing"))
    beside = [path.parent / f"{old.name}{suffix}" for suffix in ("-wal", "-shm", "-journal")]
    for leftover in (old, recent, other, *beside):
        leftover.write_bytes(b"half a diary")
    hours_ago = time.time() - 2 * 3600
    for leftover in (old, other, *beside):
        os.utime(leftover, (hours_ago, hours_ago))
    run("--db", str(path), "import", str(doc_file))
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(["diary.db", recent.name, other.name])


def test_ctrl_c_while_a_restore_is_read_keeps_nothing(run, sample, tmp_path, monkeypatch):
    monkeypatch.setattr(transfer, "PIECE", 3)
    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    real, calls = transfer._AtOnce.add, []

    def add(self, entries):
        calls.append(True)
        if len(calls) == 3:  # two pieces sent, maybe written
            raise KeyboardInterrupt
        return real(self, entries)

    monkeypatch.setattr(transfer._AtOnce, "add", add)
    folder = tmp_path / "new" / "deeper"
    result = run("--db", str(folder / "diary.db"), "import", str(doc_file), expect=ExitCode.INTERRUPTED)
    assert "interrupted" in result.err
    assert not (tmp_path / "new").exists()


def test_ctrl_c_while_the_restore_is_finished_keeps_nothing_and_waits_for_it(run, sample, tmp_path, monkeypatch):
    """Ctrl-C after the whole document is read, while the writer finishes: the writer keeps nothing (its
    file never takes the diary's name) and is waited for, so nothing is left beside the diary either."""
    import os
    import signal
    import time

    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    real = store.Store.merge

    def merge(self, *args, **kwargs):
        merged = real(self, *args, **kwargs)
        if kwargs.get("pieces") is not None:  # the writer: the reading thread now waits for it
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.3)
        return merged

    monkeypatch.setattr(store.Store, "merge", merge)
    folder = tmp_path / "new"
    result = run("--db", str(folder / "diary.db"), "import", str(doc_file), expect=ExitCode.INTERRUPTED)
    assert "interrupted" in result.err
    assert not folder.exists()


def test_a_refused_document_leaves_none_of_the_folders_it_would_have_made(run, sample, tmp_path):
    doc = export(run)
    doc["settings"].append({"uid": "f" * 32, "key": "nonsense", "value": "x", "at_utc": "2026-11-01T00:00:00+00:00",
                            "tz": "UTC"})  # refused after every entry was read (and written meanwhile)
    doc_file = tmp_path / "bad.json"
    doc_file.write_text(json.dumps(doc))
    (tmp_path / "nest").mkdir()
    run("--db", str(tmp_path / "nest" / "a" / "b" / "diary.db"), "import", str(doc_file), expect=ExitCode.USAGE)
    assert list((tmp_path / "nest").iterdir()) == []


def test_a_restore_that_fails_while_written_is_done_again_the_usual_way(run, sample, tmp_path, monkeypatch):
    import sqlite3

    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    failed = []
    real = store.Store._insert_entries

    def insert(self, *args):
        if not failed:
            failed.append(True)
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, *args)

    monkeypatch.setattr(store.Store, "_insert_entries", insert)
    new, usual = restored_both_ways(run, tmp_path, doc_file)
    assert failed and new == usual


@pytest.mark.parametrize("args,message", [
    (("import", "nowhere.json"), "nowhere.json: no such file"),
    (("import", ""), "give the file to import"),
    (("import", "."), ".: no such file"),
    (("export", "--format", "xml"), "bad --format 'xml': use one of json, csv, fhir, ics"),
    (("export", "--format", "csv"), "--format csv writes one file per kind of entry: give a folder with --output DIR"),
    (("export", "--days", "5"), "--days is for --format ics"),
    (("export", "--format", "ics", "--days", "0"), "bad --days 0: use a whole number from 1 to 3660"),
    (("export", "--output", ""), "--output is empty"),
    (("export", "--output", "no/such/folder/x.json"), "the folder no/such/folder does not exist"),
])
def test_bad_export_and_import_options(run, sample, dump, args, message):
    before = dump()
    result = run(*args, expect=ExitCode.USAGE)
    assert message in result.err
    assert dump() == before


@pytest.mark.parametrize("make", ["fifo", "link to a device"])  # never a device itself: tests may run as root
def test_export_refuses_a_place_that_is_not_a_regular_file(run, sample, tmp_path, make):
    import os

    target = tmp_path / "target"
    if make == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/null")
    result = run("export", "--output", str(target), expect=ExitCode.USAGE)
    assert result.err == (f"meddiary: cannot write {target}: it is not a regular file (a device, a pipe or a link to one); "
                          "give --output a file name, or leave --output out to print\n")
    assert target.is_symlink() or not target.is_file()


@pytest.mark.parametrize("note", ["plain", "a\x7fb", "é\u202eb", "x\x9b2J"])
def test_an_export_printed_shows_what_a_terminal_would_obey_as_escapes(run, sample, db_path, note):
    """Text that got into the diary some other way (an old version, a hand-edited file): printed, an
    export shows DEL, C1 controls and bidi overrides as escapes (JSON reads them back the same)."""
    from datetime import UTC, datetime

    s = store.Store(db_path)
    try:
        with s.transaction():
            s.add_entries([{"kind": "mood", "at": datetime(2026, 11, 20, 20, tzinfo=UTC), "tz": "UTC", "note": note,
                            "data": {"score": 5, "depressed": None, "elevated": None, "anxiety": None,
                                     "irritability": None, "sleep_hours": None}}], datetime(2026, 11, 20, 20, tzinfo=UTC))
    finally:
        s.close()
    out = run("export", "--format", "json").out
    assert all(c not in out for c in "\x7f\x9b\u202e")
    assert any(e["note"] == note for e in json.loads(out)["entries"])  # the same text, read back


def test_export_to_a_link_to_a_file_replaces_the_link(run, sample, tmp_path):
    real = tmp_path / "real.json"
    real.write_text("keep")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    run("export", "--output", str(link))
    assert real.read_text() == "keep"
    assert json.loads(link.read_text())["format"] == "meddiary-export"


def test_write_atomic_syncs_the_file_before_the_rename(tmp_path, monkeypatch):
    import os

    from meddiary import reporting

    steps = []
    monkeypatch.setattr(os, "fsync", lambda fd: steps.append("fsync"))
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: steps.append("replace") or real_replace(a, b))
    reporting.write_atomic(tmp_path / "x.txt", "text", diary=None)
    assert steps == ["fsync", "replace"]
    assert (tmp_path / "x.txt").read_text() == "text"


@pytest.mark.parametrize("fmt", ["json", "csv", "fhir", "ics"])
def test_export_with_no_diary_yet_says_so_and_creates_none(run, clock, db_path, fmt, tmp_path):
    result = run("export", "--format", fmt, "--output", str(tmp_path / "out"), expect=ExitCode.USAGE)
    assert result.err == f"meddiary: there is no diary at {db_path} yet: nothing to export\n"
    assert not db_path.exists() and not db_path.parent.exists()
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("fmt,output,message", [
    ("json", "no/such/folder/x.json", "the folder no/such/folder does not exist"),
    ("fhir", "", "--output is empty"),
    ("ics", ".", "--output . is a folder"),
    ("csv", "no/such/folder/x", "the folder no/such/folder does not exist"),
])
def test_export_with_a_bad_output_creates_no_diary(run, clock, db_path, fmt, output, message):
    result = run("export", "--format", fmt, "--output", output, expect=ExitCode.USAGE)
    assert message in result.err
    assert not db_path.exists() and not db_path.parent.exists()


def test_export_reads_every_table_as_of_one_moment(run, sample, monkeypatch):
    import sqlite3

    real_rows = store.Store.rows

    def rows(self, table):
        if table == "medications":  # another meddiary adds a medication and a dose of it meanwhile
            other = sqlite3.connect(sample, isolation_level=None)
            other.execute("INSERT INTO medications (name, as_needed, created_at_utc, created_tz, uid) VALUES"
                          " ('olanzapine', 0, '2026-11-26T08:00:00+00:00', 'UTC', ?)", ("a" * 32,))
            other.execute("INSERT INTO entries (kind, medication_id, at_utc, tz, dose_amount, dose_unit, forced,"
                          " recorded_at_utc, uid) VALUES ('take', last_insert_rowid(), '2026-11-26T08:00:00+00:00',"
                          " 'UTC', 5, 'mg', 0, '2026-11-26T08:00:00+00:00', ?)", ("b" * 32,))
            other.close()
        return real_rows(self, table)

    monkeypatch.setattr(store.Store, "rows", rows)
    doc = export(run)
    assert "olanzapine" not in [m["name"] for m in doc["medications"]]
    assert "b" * 32 not in [e["uid"] for e in doc["entries"]]
    assert all(e["medication"] for e in doc["entries"] if e["kind"] == "take")


def test_an_export_saved_with_a_bom_or_given_through_a_pipe_imports(run, sample, tmp_path):
    """Some editors save UTF-8 with a byte-order mark; a shell's `<(…)` gives a pipe, not a file."""
    import os
    import threading

    text = run("export", "--format", "json").out
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    first = run("--db", str(tmp_path / "a.db"), "import", str(bom))
    assert first.out.startswith(f"imported {bom}, added:")
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_text, args=(text,))
    writer.start()
    try:
        result = run("--db", str(tmp_path / "b.db"), "import", str(fifo))
    finally:
        writer.join()
    assert result.out.replace(str(fifo), "F") == first.out.replace(str(bom), "F")
    assert dump_of(tmp_path / "a.db") == dump_of(tmp_path / "b.db")


def test_map_is_refused_for_a_file_whose_fields_are_known(run, sample, tmp_path):
    doc_file = tmp_path / "diary.json"
    run("export", "--output", str(doc_file))
    result = run("--db", str(tmp_path / "new" / "d.db"), "import", str(doc_file), "--map", "time=a,name=b",
                 expect=ExitCode.USAGE)
    assert result.err == (f"meddiary: --map is for a CSV file (--from csv); {doc_file} is a meddiary export, whose "
                          "fields meddiary knows: leave --map out\n")
    assert not (tmp_path / "new").exists()


def test_a_file_that_is_not_utf8_is_refused(run, sample, tmp_path):
    bad = tmp_path / "latin.json"
    bad.write_bytes(b"\xff\xfe{}")
    assert "cannot read" in run("import", str(bad), expect=ExitCode.USAGE).err


# -- CSV ------------------------------------------------------------------------------------------------

def read_csv(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_csv_one_file_per_kind_with_headers_and_iso_times(run, sample, tmp_path):
    folder = tmp_path / "sheets"
    result = run("export", "--format", "csv", "--output", str(folder))
    assert "wrote doses.csv, mood.csv, side_effects.csv, questionnaires.csv, refills.csv, questions.csv, visits.csv" in result.err
    assert sorted(p.name for p in folder.iterdir()) == sorted(transfer.CSV_FILES)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for p in folder.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
        assert p.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for Excel
        assert p.read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(transfer.CSV_FILES[p.name])
    doses = read_csv(folder / "doses.csv")
    assert len(doses) == 30  # 14 + 7 sertraline takes, 3 skips, 4 lorazepam, 1 quetiapine; the undone lithium left out
    first = doses[0]
    assert (first["time_local"], first["time_utc"], first["time_zone"], first["kind"], first["medication"],
            first["dose_amount"], first["dose_unit"]) == (
        "2026-11-02T08:12:00+01:00", "2026-11-02T07:12:00Z", "Europe/Berlin", "take", "sertraline", "50.0", "mg")
    skip = next(d for d in doses if d["kind"] == "skip")
    assert (skip["reason"], skip["note"]) == ("forgot", "busy morning")
    assert sum(1 for d in doses if d["confirmed_over_guard"] == "yes") >= 1
    for row in doses:
        assert datetime.fromisoformat(row["time_local"]).utcoffset() is not None
    mood = read_csv(folder / "mood.csv")
    assert [(m["score"], m["anxiety"], m["sleep_hours"], m["note"]) for m in mood] == [
        ("6", "2", "7.5", "ok day"), ("4", "", "", "")]
    checks = read_csv(folder / "questionnaires.csv")
    assert [(c["instrument"], c["total"], c["answer1"], c["answer9"]) for c in checks] == [
        ("phq9", "8", "1", "0"), ("gad7", "9", "2", "")]
    refills = read_csv(folder / "refills.csv")
    assert [(r["kind"], r["qty"], r["repeats_left"], r["count"], r["time_local"]) for r in refills] == [
        ("refill", "30", "2", "", "2026-11-01T16:00:00+01:00"), ("count", "", "", "12", "2026-11-18T10:00:00-05:00")]
    effects = read_csv(folder / "side_effects.csv")
    assert [(x["medication"], x["symptom"], x["severity"], x["resolved"]) for x in effects] == [
        ("sertraline", "nausea", "mild", "no"), ("sertraline", "nausea", "", "yes")]
    questions = read_csv(folder / "questions.csv")
    assert [(q["question"], q["answer"], q["answered_local"]) for q in questions] == [
        ('Can I take it in the evening, "instead"?', "yes, if it helps sleep", "2026-11-15T12:00:00+01:00")]
    assert read_csv(folder / "visits.csv")[0]["note"] == "Dr Lee, 20 min"


@pytest.mark.parametrize("note,cell", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("fine = ok", "fine = ok"), ("'quoted", "'quoted"),
])
def test_csv_text_that_a_spreadsheet_would_run_is_kept_as_text(note, cell):
    from meddiary.model import Entry

    at = datetime.fromisoformat("2026-11-26T08:00:00+00:00")
    files = transfer.csv_files([Entry(1, "take", 1, at, "UTC", -1.0, "mg", None, note, False, None, "a" * 32),
                                Entry(2, "visit", None, at, "UTC", note=note, uid="b" * 32)], {1: "=cmd"})
    (dose,) = list(csv.DictReader(io.StringIO(files["doses.csv"].removeprefix(transfer.BOM), newline="")))
    assert (dose["note"], dose["medication"], dose["dose_amount"]) == (cell, "'=cmd", "-1.0")  # numbers stay numbers
    (visit,) = list(csv.DictReader(io.StringIO(files["visits.csv"].removeprefix(transfer.BOM), newline="")))
    assert visit["note"] == cell
    assert all(text.startswith("\ufefftime_local,") for text in files.values())


def test_csv_into_a_file_is_refused(run, sample, tmp_path):
    f = tmp_path / "x"
    f.write_text("keep")
    assert "is a file: give a folder" in run("export", "--format", "csv", "--output", str(f), expect=ExitCode.USAGE).err
    assert f.read_text() == "keep"


def test_an_empty_diary_exports_and_imports(run, clock, tmp_path, db_path):
    store.Store(db_path).close()
    doc = export(run)
    assert (doc["medications"], doc["entries"], doc["settings"]) == ([], [], [])
    f = tmp_path / "empty.json"
    f.write_text(json.dumps(doc))
    assert run("--db", str(tmp_path / "o.db"), "import", str(f)).out.startswith("nothing new")


# -- iCalendar (the calendar itself is the reminders helper's, in ics.py; this is the wiring) --------------

def test_export_ics_calls_the_calendar_with_the_diary_and_days(run, sample, monkeypatch):
    ics = pytest.importorskip("meddiary.ics")
    seen = []

    def calendar(meds, now, tz_name, days):
        seen.append(([m.name for m in meds], now.isoformat(), tz_name, days))
        return "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"

    monkeypatch.setattr(ics, "calendar", calendar)
    assert run("export", "--format", "ics").out == "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    run("export", "--format", "ics", "--days", "7")
    assert seen == [(["lithium", "lorazepam", "quetiapine", "sertraline"], "2026-11-26T08:00:00+00:00", "Europe/Berlin", 90),
                    (["lithium", "lorazepam", "quetiapine", "sertraline"], "2026-11-26T08:00:00+00:00", "Europe/Berlin", 7)]


def test_a_refills_days_supply_travels_and_an_older_document_without_it_imports(run, clock, tmp_path):
    """Issue 12: the days of supply fixed at a refill go out and come back with it; a document from before
    they were stored (no days_supply) still imports, and PDC works them out walking forward."""
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--strength", "50mg", "--start", "2026-10-01")
    run("refill", "sertraline", "--qty", "30", "--days", "28", "--at", "2026-11-01 09:00")
    run("refill", "sertraline", "--qty", "30", "--at", "2026-11-20 09:00")  # 1 Nov + 28 = 29 Nov on: 30 days
    doc = export(run)
    assert [e["data"]["days_supply"] for e in doc["entries"] if e["kind"] == "refill"] == [28, 30]
    other = ("--db", str(tmp_path / "other.db"))
    (tmp_path / "doc.json").write_text(json.dumps(doc))
    run(*other, "import", str(tmp_path / "doc.json"))
    assert [e["data"]["days_supply"] for e in export(run, *other)["entries"] if e["kind"] == "refill"] == [28, 30]
    old = mutate(doc, lambda d: [e["data"].pop("days_supply") for e in d["entries"] if e["kind"] == "refill"])
    (tmp_path / "old.json").write_text(json.dumps(old))
    older = ("--db", str(tmp_path / "older.db"))
    run(*older, "import", str(tmp_path / "old.json"))
    assert run(*older, "check").out.startswith("ok: ")
    # Without the stored figures: 30 days from 1 Nov (to 30 Nov), the second early, from 1 Dec: 30 of 30 in November
    [s] = json.loads(run(*older, "report", "--format", "json", "--from", "2026-11-01", "--to", "2026-11-30").out)["supply"]
    assert (s["covered_days"], s["period_days"]) == (30, 30)


def test_a_take_named_for_a_dose_and_an_as_needed_take_travel_in_an_export(run, clock, tmp_path):
    # `take --for` and `take --as-needed` keep their data; the export imports into an empty diary whole.
    run("add", "olanzapine", "--dose", "10mg", "--at", "22:00", "--as-needed-dose", "5mg", "--max-per-day", "2",
        "--start", "2026-11-20")
    run("take", "olanzapine", "--at", "yesterday 21:00", "--for", "yesterday 22:00")
    run("take", "olanzapine", "--as-needed", "--at", "08:00")
    run("skip", "olanzapine", "--for", "2026-11-24 22:00", "--reason", "forgot")
    run("export", "--format", "json", "--output", str(tmp_path / "e.json"))
    other = str(tmp_path / "other.db")
    run("--db", other, "import", str(tmp_path / "e.json"))
    datas = [e["data"] for e in json.loads(run("--db", other, "log", "--json").out)["entries"]]
    assert datas == [{"for": "2026-11-24T22:00"}, {"as_needed": True}, {"for": "2026-11-25T22:00"}]  # newest first
    assert run("--db", other, "check").code == 0


def test_merge_notes_word_what_the_store_matched_or_left_out():
    """The store reports a merge as data; the words about it are the domain's (issue 14)."""
    merged = {"added": {"medications": 1}, "entries": {"take": 2}, "aliases_left_out": ["Zoloft"],
              "joined": [("sertraline", 2), ("lithium", 0)], "settings_kept": [("timezone", "2026-11-20T08:00:00+00:00")]}
    assert transfer.merge_notes(merged) == {"added": {"medications": 1}, "entries": {"take": 2}, "notes": [
        "the alias Zoloft was left out: it names another medication here",
        "sertraline was already in this diary (added separately): its records were joined to it; its 2 regimens were "
        "kept as superseded (\"merged from another diary\"): the plan in force here is unchanged",
        "lithium was already in this diary (added separately): its records were joined to it",
        "the setting timezone made here on 2026-11-20 stays in force: the imported, older values are kept in its history",
    ]}
