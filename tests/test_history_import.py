"""Bringing your history: medTimer's event CSV, a CSV with --map, pharm's JSON. Each sample file in
tests/fixtures was written by hand from the format its program writes (see meddiary.history_import).
Checked as `take` checks; a bad row is refused with its number and nothing is imported; a second import
adds nothing; --dry-run writes nothing."""

import json
import shutil
from pathlib import Path

import pytest

from meddiary.errors import ExitCode

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def meds(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--alias", "Zoloft", "--start", "2026-11-01")
    run("add", "quetiapine", "--dose", "25mg", "--at", "22:00", "--alias", "Seroquel", "--start", "2026-11-01")
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "2", "--start", "2026-11-01")


def takes(run) -> list[dict]:
    return [x for x in json.loads(run("log", "--since", "30d", "--json").out)["entries"] if x["kind"] == "take"]


def copy(tmp_path, name: str, text: str | None = None) -> str:
    target = tmp_path / name
    if text is None:
        shutil.copyfile(FIXTURES / name, target)
    else:
        target.write_text(text, encoding="utf-8")
    return str(target)


def test_medtimer_events_are_imported_as_takes(run, meds, tmp_path):
    f = copy(tmp_path, "medtimer-events.csv")
    result = run("import", f)
    assert result.out.splitlines() == [
        f"added 4 takes from {f}: sertraline 2, quetiapine 2",
        "1 reminder never marked taken left out (meddiary counts missed doses from the schedule)",
    ]
    got = sorted((x["at"][:16], x["medication"], x["dose_amount"], x["dose_unit"], x["note"]) for x in takes(run))
    assert got == [
        ("2026-11-20T08:04", "sertraline", 50, "mg", None),
        ("2026-11-20T22:31", "quetiapine", 25, "mg", "took it late; after the film"),
        ("2026-11-21T22:05", "quetiapine", 25, "mg", None),  # no amount: the prescribed dose
        ("2026-11-22T09:12", "sertraline", 1, "tablet", "second reminder"),
    ]


def test_importing_the_same_history_twice_adds_nothing(run, meds, tmp_path):
    f = copy(tmp_path, "medtimer-events.csv")
    run("import", f)
    again = run("import", f, "--from", "medtimer")
    assert again.out.splitlines()[:2] == [f"added 0 takes from {f}", "4 already in the diary (imported before)"]
    assert len(takes(run)) == 4


def test_pharm_json_history_is_imported_with_archived_medications(run, meds, tmp_path):
    f = copy(tmp_path, "pharm.json")
    result = run("import", f)
    assert result.out.splitlines()[0] == f"added 4 takes from {f}: sertraline 3, lorazepam 1"
    got = sorted((x["at"][:19], x["medication"]) for x in takes(run))
    assert got == [("2026-11-19T21:40:00", "lorazepam"), ("2026-11-23T08:05:40", "sertraline"),
                   ("2026-11-24T08:10:00", "sertraline"), ("2026-11-25T08:02:11", "sertraline")]


def test_a_generic_csv_with_a_column_map(run, meds, tmp_path):
    f = copy(tmp_path, "generic.csv")
    result = run("import", f, "--map", "time=Date,name=Drug,dose=Amount,note=Comment")
    assert result.out.splitlines()[0] == f"added 3 takes from {f}: sertraline 2, quetiapine 1"
    notes = {x["note"] for x in takes(run)}
    assert notes == {None, "slept well, woke once", "late breakfast"}


def test_dry_run_shows_each_take_and_writes_nothing(run, meds, tmp_path, dump):
    f = copy(tmp_path, "medtimer-events.csv")
    before = dump()
    result = run("import", f, "--dry-run")
    assert dump() == before
    assert result.out.splitlines() == [
        "  2026-11-20 08:04  took sertraline 50 mg  [row 2]",
        "  2026-11-20 22:31  took quetiapine 25 mg  [row 3]  (took it late; after the film)",
        "  2026-11-21 22:05  took quetiapine 25 mg  [row 5]",
        "  2026-11-22 09:12  took sertraline 1 tablet  [row 6]  (second reminder)",
        f"would add 4 takes from {f}: sertraline 2, quetiapine 2",
        "1 reminder never marked taken left out (meddiary counts missed doses from the schedule)",
        "dry run: nothing was written",
    ]


def test_dry_run_json(run, meds, tmp_path, dump):
    f = copy(tmp_path, "generic.csv")
    before = dump()
    doc = json.loads(run("import", f, "--map", "time=Date,name=Drug", "--dry-run", "--json").out)
    assert dump() == before
    assert doc["dry_run"] is True and doc["added"] == {"take": 3} and doc["source"] == "csv"
    assert doc["entries"][0] == {"where": "row 2", "medication": "sertraline", "at": "2026-11-18T08:01:00+01:00",
                                 "dose_amount": 50.0, "dose_unit": "mg", "note": None}


BAD_ROWS = [
    # (file name, text, the message's end)
    ("medtimer-events.csv",
     "Reminded;Name;Dosage;Taken;Tags;Interval;Notes;Reminded (ISO 8601);Taken (ISO 8601)\n"
     "x;Sertraline;50mg;x;;;;2026-11-20T07:00:00Z;2026-11-20T07:04:00Z\n"
     "x;Sertraline;fifty;x;;;;2026-11-21T07:00:00Z;2026-11-21T07:04:00Z\n",
     "row 3: bad dose 'fifty': use a positive amount with a unit, e.g. 50mg, 0.5mg, 100mcg, 5ml, 1tablet"),
    ("medtimer-events.csv",
     "Reminded;Name;Dosage;Taken;Tags;Interval;Notes;Reminded (ISO 8601);Taken (ISO 8601)\n"
     "x;Sertraline;50mg;x;;;;2026-11-20T07:00:00Z;2026-11-20T07:04:00Z\n"
     "x;Prozac;20mg;x;;;;2026-11-21T07:00:00Z;2026-11-21T07:04:00Z\n",
     "row 3: no medication 'Prozac'; known medications: lorazepam, quetiapine, sertraline"),
    ("medtimer-events.csv",
     "Reminded;Name;Dosage;Taken;Tags;Interval;Notes;Reminded (ISO 8601);Taken (ISO 8601)\n"
     "x;Sertraline;50mg;x;;;;2026-12-20T07:00:00Z;2026-12-20T07:04:00Z\n",
     "row 2: time '2026-12-20T07:04:00Z' (2026-12-20 08:04) is in the future"),
    ("generic.csv", "Date,Drug\n2026-11-18 08:01,sertraline\n20/11/2026,sertraline\n",
     "row 3: bad time '20/11/2026': use YYYY-MM-DD HH:MM[:SS] (local time) or ISO 8601 with an offset"),
    ("pharm.json", json.dumps({"medications": [{"name": "Sertraline", "history": [
        {"timestamp": "08:05:40 - 2026/11/23", "dose": "50mg"}, {"timestamp": "yesterday", "dose": "50mg"}]}]}),
     "record 2 (Sertraline, history entry 2): bad time 'yesterday'"),
]


@pytest.mark.parametrize("name, text, message", BAD_ROWS, ids=lambda x: x[:12] if isinstance(x, str) else None)
def test_a_bad_row_is_refused_with_its_number_and_nothing_is_imported(run, meds, tmp_path, dump, name, text, message):
    f = copy(tmp_path, name, text)
    before = dump()
    args = ("import", f, "--map", "time=Date,name=Drug") if name == "generic.csv" else ("import", f)
    result = run(*args, expect=ExitCode.USAGE)
    assert dump() == before
    assert result.out == ""
    assert result.err.startswith(f"meddiary: {f} cannot be imported: {message}")
    assert result.err.rstrip().endswith("nothing was imported")
    assert len(result.err.splitlines()) == 1


@pytest.mark.parametrize("args, message", [
    (("--from", "myapp"), "bad --from 'myapp': use one of meddiary, medtimer, csv, pharm"),
    (("--map", "when=Date"), "bad --map 'when=Date'"),
    (("--map", "name=Drug"), "--map needs time"),
    (("--map", "time=Datum,name=Drug"), "{f} cannot be imported: --map time=Datum: the file has no column 'Datum'; its columns: Date, Drug, Amount, Comment"),
    (("--from", "pharm", "--map", "time=Date,name=Drug"), "--map is for --from csv"),
    ((), "cannot tell what kind of file {f} is: give --from medtimer, --from pharm"),
    (("--from", "medtimer"), "{f} cannot be imported: this is not medTimer's event export: its header has 1 fields"),
])
def test_bad_options_are_one_line(run, meds, tmp_path, args, message):
    f = copy(tmp_path, "generic.csv")
    result = run("import", f, *args, expect=ExitCode.USAGE)
    assert result.err.startswith(f"meddiary: {message.format(f=f)}"), result.err
    assert len(result.err.splitlines()) == 1


def test_importing_history_into_no_diary_says_to_add_the_medications_first(run, clock, tmp_path, db_path):
    f = copy(tmp_path, "pharm.json")
    result = run("import", f, expect=ExitCode.USAGE)
    assert "add the medications first" in result.err
    assert not db_path.exists()


def test_a_failure_while_writing_leaves_nothing_half_imported(run, meds, tmp_path, dump, monkeypatch):
    """The rows are written in one transaction: a failure after the first row is written rolls all back."""
    from meddiary.store import Store

    real = Store.add_entries

    def first_then_fail(self, entries, now):
        real(self, entries[:1], now)
        raise RuntimeError("disk gone")

    f = copy(tmp_path, "medtimer-events.csv")
    before = dump()
    monkeypatch.setattr(Store, "add_entries", first_then_fail)
    with pytest.raises(RuntimeError):
        run("import", f)
    monkeypatch.setattr(Store, "add_entries", real)
    assert dump() == before


def test_a_csv_with_the_date_and_the_clock_in_two_columns(run, meds, tmp_path):
    f = copy(tmp_path, "split.csv", "Day;Time;Medicine\n2026-11-18;08:01;sertraline\n2026-11-18;22:15:30;quetiapine\n")
    run("import", f, "--map", "date=Day,time=Time,name=Medicine")
    assert sorted(x["at"][:19] for x in takes(run)) == ["2026-11-18T08:01:00", "2026-11-18T22:15:30"]
