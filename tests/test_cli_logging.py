"""Logging through the CLI: take, skip, undo, log, today and a bare `meddiary`; the WHEN grammar across
take and skip; the --json objects; DST days in America/New_York and Europe/Berlin.

Time is frozen at Thursday 2026-11-26 09:00 in Europe/Berlin unless a test moves it.
"""

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from meddiary.errors import ExitCode

BERLIN = ZoneInfo("Europe/Berlin")



@pytest.fixture
def sertraline(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--alias", "Zoloft", "--start", "2026-11-20")


def ids(text: str) -> str:
    """Entry ids are volatile: '#12' -> '#N'."""
    return re.sub(r"#\d+", "#N", text)


def log_json(run, *args):
    return json.loads(run("log", "--json", *args).out)["entries"]


def today_json(run):
    return json.loads(run("today", "--json").out)


def entry(id, kind, medication, at, dose, amount, unit="mg", reason=None, note=None, forced=False,
          retracted_at=None, timezone="Europe/Berlin", prescribed="the dose"):
    """One entry as `log --json` prints it. `prescribed`: the dose of the slot a take fills (by default the
    take's own; None for an extra or as-needed dose and a retracted take)."""
    if prescribed == "the dose":
        prescribed = dose if kind == "take" and retracted_at is None else None
    return {"id": id, "kind": kind, "medication": medication, "at": at, "timezone": timezone, "dose": dose,
            "dose_amount": amount, "dose_unit": unit, "prescribed": prescribed,
            "different_dose": prescribed is not None and prescribed != dose, "reason": reason, "note": note,
            "forced": forced, "retracted": retracted_at is not None, "retracted_at": retracted_at,
            "retraction_reason": None, "data": None}


# -- take ---------------------------------------------------------------------------------------------

def test_take_now(run, sertraline):
    result = run("take", "sertraline")
    assert ids(result.out) == "#N took sertraline 50 mg today at 09:00 (08:00 dose)\n"
    assert result.err == ""
    assert log_json(run) == [entry(1, "take", "sertraline", "2026-11-26T09:00:00+01:00", "50 mg", 50.0)]


def test_take_stores_the_instant_in_utc_with_its_zone(run, sertraline, db_path):
    import sqlite3

    run("take", "sertraline", "--at", "08:03")
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT at_utc, tz, recorded_at_utc FROM entries").fetchall()
    finally:
        conn.close()
    assert rows == [("2026-11-26T07:03:00+00:00", "Europe/Berlin", "2026-11-26T08:00:00+00:00")]


def test_take_an_alias_with_another_dose_and_a_note(run, sertraline):
    result = run("take", "ZOLOFT", "--at", "08:10", "--dose", "25mg", "--note", "half a tablet")
    assert ids(result.out) == "#N took sertraline 25 mg today at 08:10 (08:00 dose; prescribed 50 mg)\n"
    assert log_json(run) == [entry(1, "take", "sertraline", "2026-11-26T08:10:00+01:00", "25 mg", 25.0,
                                   note="half a tablet", prescribed="50 mg")]
    assert run("log").out == ("#1     2026-11-26 08:10  take  sertraline 25 mg; prescribed 50 mg"
                              " — note: half a tablet\n")


def test_take_several_at_once(run, sertraline):
    run("add", "lithium", "--dose", "400mg", "--at", "08:00", "--start", "2026-11-20")
    result = run("take", "sertraline", "lithium", "--at", "08:05")
    assert ids(result.out) == ("#N took sertraline 50 mg today at 08:05 (08:00 dose)\n"
                               "#N took lithium 400 mg today at 08:05 (08:00 dose)\n")
    assert {e["medication"] for e in log_json(run)} == {"sertraline", "lithium"}


def test_a_name_and_its_alias_are_taken_once(run, sertraline):
    run("take", "sertraline", "zoloft")
    assert len(log_json(run)) == 1


def test_take_an_as_needed_medication(run, clock):
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "3")
    assert ids(run("take", "lorazepam").out) == "#N took lorazepam 0.5 mg today at 09:00 (as needed)\n"


def test_take_a_backdated_dose_yesterday(run, sertraline):
    result = run("take", "sertraline", "--at", "yesterday 08:30")
    assert ids(result.out) == "#N took sertraline 50 mg yesterday at 08:30 (08:00 dose)\n"


def test_take_a_dose_long_ago_names_the_date(run, sertraline):
    result = run("take", "sertraline", "--at", "2026-11-21 08:15")
    assert ids(result.out) == "#N took sertraline 50 mg 2026-11-21 at 08:15 (08:00 dose)\n"


def test_take_with_no_name_takes_everything_due_now(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    run("add", "lithium", "--dose", "400mg", "--at", "10:30")  # due: within 2 h ahead
    run("add", "quetiapine", "--dose", "100mg", "--at", "22:00")  # upcoming
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed")  # never taken by a bare take
    result = run("take")
    assert sorted(ids(result.out).splitlines()) == [
        "#N took lithium 400 mg today at 09:00 (10:30 dose)",
        "#N took sertraline 50 mg today at 09:00 (08:00 dose)"]
    assert sorted(e["medication"] for e in log_json(run)) == ["lithium", "sertraline"]
    states = {s["medication"]: s["state"] for s in today_json(run)["slots"]}
    assert states == {"sertraline": "taken", "lithium": "taken", "quetiapine": "upcoming"}


def test_take_with_nothing_due(run, sertraline, dump):
    run("take", "sertraline", "--at", "08:02")
    before = dump()
    result = run("take")
    assert result.out == "nothing is due now\n"
    assert dump() == before


def test_take_with_no_name_leaves_a_skipped_dose_skipped(run, sertraline):
    run("add", "lithium", "--dose", "400mg", "--at", "08:30", "--start", "2026-11-20")
    run("skip", "sertraline", "--reason", "side-effects")
    result = run("take")
    assert ids(result.out) == "#N took lithium 400 mg today at 09:00 (08:30 dose)\n"
    states = {s["medication"]: s["state"] for s in today_json(run)["slots"]}
    assert states == {"sertraline": "skipped", "lithium": "taken"}


def test_which_slot_a_take_fills_is_recomputed_from_all_entries(run, clock):
    """A dose recorded late and then a backdated one: the nearest take fills the slot, the other is extra."""
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--at", "20:00", "--start", "2026-11-20")
    clock.move_to(datetime(2026, 11, 26, 13, 30, tzinfo=BERLIN))
    run("take", "sertraline", "--at", "13:00")  # late, for the 08:00 dose
    run("take", "sertraline", "--at", "08:05", "--yes")  # remembered later: taken on time after all
    slots = {s["time"]: (s["state"], s["entry_at"]) for s in today_json(run)["slots"]}
    assert slots == {"08:00": ("taken", "2026-11-26T08:05:00+01:00"), "20:00": ("upcoming", None)}


# -- skip ---------------------------------------------------------------------------------------------

SKIP_REASONS = [
    ("forgot", "forgot"), ("side-effects", "side-effects"), ("ran-out", "ran-out"),
    ("prescriber-advised", "prescriber-advised"), ("felt-unwell", "felt-unwell"),
    ("Forgot", "forgot"), ("  ran-out ", "ran-out"),
    ("travelling, pills at home", "travelling, pills at home"),
]


@pytest.mark.parametrize("given, kept", SKIP_REASONS)
def test_skip_keeps_the_reason(run, sertraline, given, kept):
    result = run("skip", "sertraline", "--reason", given)
    assert ids(result.out) == f"#N skipped sertraline 08:00 dose of 2026-11-26 ({given.strip()})\n"
    (e,) = log_json(run)
    assert (e["kind"], e["reason"], e["dose"]) == ("skip", kept, "50 mg")
    (slot,) = today_json(run)["slots"]
    assert (slot["state"], slot["reason"]) == ("skipped", kept)


def test_skip_a_dose_yesterday_with_a_note(run, sertraline):
    result = run("skip", "zoloft", "--at", "yesterday 08:00", "--reason", "ran-out", "--note", "pharmacy closed")
    assert ids(result.out) == "#N skipped sertraline 08:00 dose of 2026-11-25 (ran-out)\n"
    assert log_json(run) == [entry(1, "skip", "sertraline", "2026-11-25T08:00:00+01:00", "50 mg", 50.0,
                                   reason="ran-out", note="pharmacy closed")]


def test_a_dose_taken_after_a_skip_replaces_it(run, sertraline):
    run("skip", "sertraline", "--at", "08:00", "--reason", "forgot")
    result = run("take", "sertraline")
    assert ids(result.out) == ("#N took sertraline 50 mg today at 09:00 "
                               "(08:00 dose, instead of the skip recorded today at 08:00)\n")
    (slot,) = today_json(run)["slots"]
    assert (slot["state"], slot["entry_at"]) == ("taken", "2026-11-26T09:00:00+01:00")
    assert [e["kind"] for e in log_json(run)] == ["take", "skip"]  # the skip stays on record


def test_skip_a_taken_dose_is_refused(run, sertraline, dump):
    run("take", "sertraline", "--at", "08:03")
    before = dump()
    result = run("skip", "sertraline", "--reason", "forgot", expect=ExitCode.REFUSED)
    assert result.err == ("meddiary: sertraline 08:00 was already taken today at 08:03; "
                          "'meddiary retract 1' retracts it\n")
    assert dump() == before


def test_skip_twice_is_refused(run, sertraline, dump):
    run("skip", "sertraline", "--reason", "forgot")
    before = dump()
    result = run("skip", "sertraline", "--reason", "forgot", expect=ExitCode.REFUSED)
    assert result.err == ("meddiary: sertraline 08:00 was already skipped today at 09:00; "
                          "'meddiary retract 1' retracts it\n")
    assert dump() == before


def test_skip_with_no_dose_near_is_refused(run, clock, dump):
    run("add", "methylphenidate", "--dose", "10mg", "--at", "08:00", "--days", "mon,wed,fri", "--start", "2026-11-20")
    before = dump()
    result = run("skip", "methylphenidate", "--reason", "forgot", expect=ExitCode.REFUSED)
    assert result.err == "meddiary: no methylphenidate dose is scheduled near today at 09:00: nothing to skip\n"
    assert dump() == before


# -- undo ---------------------------------------------------------------------------------------------

def test_undo_says_what_it_retracted_and_the_dose_is_due_again(run, sertraline):
    run("take", "sertraline", "--at", "08:03")
    result = run("undo")
    assert result.out == "retracted #1     2026-11-26 08:03  take  sertraline 50 mg\n"
    (slot,) = today_json(run)["slots"]
    assert slot["state"] == "due"
    assert log_json(run) == [entry(1, "take", "sertraline", "2026-11-26T08:03:00+01:00", "50 mg", 50.0,
                                   retracted_at="2026-11-26T09:00:00+01:00")]
    assert run("log").out == "#1     2026-11-26 08:03  take  sertraline 50 mg  (retracted 2026-11-26 09:00)\n"
    # the dose can be recorded again: the retracted take does not count as a double dose
    run("take", "sertraline", "--at", "08:05")


def test_undo_twice_retracts_two(run, sertraline):
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed")
    run("take", "sertraline", "--at", "08:03")
    run("take", "lorazepam", "--at", "08:30", "--note", "before the meeting")
    run("skip", "sertraline", "--at", "yesterday 08:00", "--reason", "forgot")
    assert run("undo").out == "retracted #3     2026-11-25 08:00  skip  sertraline 50 mg — forgot\n"
    assert run("undo").out == "retracted #2     2026-11-26 08:30  take  lorazepam 0.5 mg — note: before the meeting\n"
    assert [(e["id"], e["retracted"]) for e in log_json(run)] == [(2, True), (1, False), (3, True)]


def test_undo_takes_the_most_recently_recorded_entry_not_the_latest_time(run, sertraline):
    run("take", "sertraline", "--at", "08:03")
    run("take", "sertraline", "--at", "yesterday 08:00")
    assert run("undo").out.startswith("retracted #2     2026-11-25 08:00  take")


def test_undo_a_forced_entry_says_so(run, sertraline):
    run("take", "sertraline", "--at", "08:03")
    run("take", "sertraline", "--yes")
    assert run("undo").out == "retracted #2     2026-11-26 09:00  take  sertraline 50 mg [confirmed over the guard]\n"


def test_undo_with_nothing_to_undo(run, sertraline, dump):
    before = dump()
    result = run("undo", expect=ExitCode.REFUSED)
    assert result.err == "meddiary: nothing to undo: the diary has no entries\n"
    assert result.out == ""
    assert dump() == before


def test_undo_after_everything_is_retracted(run, sertraline):
    run("take", "sertraline")
    run("undo")
    assert run("undo", expect=ExitCode.REFUSED).err == "meddiary: nothing to undo: every entry is retracted already\n"


# -- log ----------------------------------------------------------------------------------------------

@pytest.fixture
def history(run, sertraline):
    """Entries over a week: sertraline taken on the 20th..26th at 08:0x except a skip on the 24th."""
    for day in range(20, 27):
        if day == 24:
            run("skip", "sertraline", "--at", f"2026-11-{day} 08:00", "--reason", "felt-unwell")
        else:
            run("take", "sertraline", "--at", f"2026-11-{day} 08:0{day - 20}")
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--start", "2026-11-20")
    run("take", "lorazepam", "--at", "yesterday 23:30")
    run("take", "lorazepam", "--at", "00:30")


def test_log_is_newest_first_with_short_ids(run, history):
    assert run("log").out == (
        "#7     2026-11-26 08:06  take  sertraline 50 mg\n"
        "#9     2026-11-26 00:30  take  lorazepam 0.5 mg\n"
        "#8     2026-11-25 23:30  take  lorazepam 0.5 mg\n"
        "#6     2026-11-25 08:05  take  sertraline 50 mg\n"
        "#5     2026-11-24 08:00  skip  sertraline 50 mg — felt-unwell\n"
        "#4     2026-11-23 08:03  take  sertraline 50 mg\n"
        "#3     2026-11-22 08:02  take  sertraline 50 mg\n"
        "#2     2026-11-21 08:01  take  sertraline 50 mg\n"
        "#1     2026-11-20 08:00  take  sertraline 50 mg\n"
    )


SINCE_CASES = [
    # --since, the ids listed: periods are whole local days ending today
    ("1d", [7, 9]),
    ("2d", [7, 9, 8, 6]),
    ("3d", [7, 9, 8, 6, 5]),
    ("2026-11-23", [7, 9, 8, 6, 5, 4]),
    ("1w", [7, 9, 8, 6, 5, 4, 3, 2, 1]),
    ("today", [7, 9]),
    ("yesterday", [7, 9, 8, 6]),
]


@pytest.mark.parametrize("since, listed", SINCE_CASES)
def test_log_since(run, history, since, listed):
    assert [e["id"] for e in log_json(run, "--since", since)] == listed


def test_log_for_one_medication_by_alias(run, history):
    assert {e["medication"] for e in log_json(run, "--med", "zoloft")} == {"sertraline"}
    assert [e["id"] for e in log_json(run, "--med", "LORAZEPAM")] == [9, 8]


def test_log_limit(run, history):
    assert [e["id"] for e in log_json(run, "--limit", "3")] == [7, 9, 8]
    assert [e["id"] for e in log_json(run, "--since", "1w", "--limit", "2")] == [7, 9]


def test_log_shows_20_by_default_and_everything_in_a_period(run, clock):
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--start", "2026-11-20")
    for minutes in range(25, 0, -1):
        run("take", "lorazepam", "--at", f"{minutes}m ago")
    assert len(log_json(run)) == 20
    assert len(run("log").out.splitlines()) == 20
    assert len(log_json(run, "--since", "1d")) == 25


def test_log_of_an_empty_diary(run, clock):
    assert run("log").out == "no entries\n"
    assert log_json(run) == []


def test_log_json_is_the_documented_object(run, history):
    assert log_json(run, "--limit", "1") == [
        entry(7, "take", "sertraline", "2026-11-26T08:06:00+01:00", "50 mg", 50.0)]
    assert log_json(run, "--since", "2026-11-24", "--med", "sertraline")[-1] == entry(
        5, "skip", "sertraline", "2026-11-24T08:00:00+01:00", "50 mg", 50.0, reason="felt-unwell")


# -- today and a bare `meddiary` ----------------------------------------------------------------------

@pytest.fixture
def day_of_doses(run, clock):
    """Every state at 09:00: taken, late, skipped, due, overdue, missed, upcoming, and an as-needed one."""
    start = ["--start", "2026-11-20"]
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", *start)  # taken on time
    run("add", "bupropion", "--dose", "150mg", "--at", "05:00", *start)  # taken late
    run("add", "lithium", "--dose", "400mg", "--at", "07:00", *start)  # skipped
    run("add", "aripiprazole", "--dose", "10mg", "--at", "08:30", *start)  # due
    run("add", "methylphenidate", "--dose", "10mg", "--at", "01:00", "--at", "06:00", *start)  # missed, overdue
    run("add", "quetiapine", "--dose", "100mg", "--at", "22:00", *start)  # upcoming
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "3", "--min-interval", "4h", *start)
    run("take", "sertraline", "--at", "08:03")
    run("take", "bupropion", "--at", "07:30")
    run("skip", "lithium", "--at", "07:00", "--reason", "side-effects")
    run("take", "lorazepam", "--at", "yesterday 08:30")  # more than 24 h ago: not counted
    run("take", "lorazepam", "--at", "06:30")


def test_today_json(run, day_of_doses):
    def slot(med, time, dose, amount, state, entry_id=None, entry_at=None, reason=None):
        return {"medication": med, "time": time, "at": f"2026-11-26T{time}:00+01:00", "dose": dose,
                "dose_amount": amount, "dose_unit": "mg", "state": state, "entry_id": entry_id,
                "entry_at": entry_at, "reason": reason}

    assert today_json(run) == {
        "date": "2026-11-26", "now": "2026-11-26T09:00:00+01:00", "timezone": "Europe/Berlin",
        "slots": [
            slot("methylphenidate", "01:00", "10 mg", 10.0, "missed"),
            slot("bupropion", "05:00", "150 mg", 150.0, "late", 2, "2026-11-26T07:30:00+01:00"),
            slot("methylphenidate", "06:00", "10 mg", 10.0, "overdue"),
            slot("lithium", "07:00", "400 mg", 400.0, "skipped", 3, "2026-11-26T07:00:00+01:00", "side-effects"),
            slot("sertraline", "08:00", "50 mg", 50.0, "taken", 1, "2026-11-26T08:03:00+01:00"),
            slot("aripiprazole", "08:30", "10 mg", 10.0, "due"),
            slot("quetiapine", "22:00", "100 mg", 100.0, "upcoming"),
        ],
        "as_needed": [{"medication": "lorazepam", "dose": "0.5 mg", "max_per_day": 3, "min_interval_minutes": 240,
                       "uses_24h": ["2026-11-26T06:30:00+01:00"], "next_allowed": "2026-11-26T10:30:00+01:00"}],
    }


def test_today_text(run, day_of_doses):
    assert run("today").out == (
        "Today, Thu 26 Nov 2026, 09:00 (times in Europe/Berlin)\n"
        "  01:00  methylphenidate 10 mg  missed\n"
        "  05:00  bupropion 150 mg       taken late at 07:30\n"
        "  06:00  methylphenidate 10 mg  overdue\n"
        "  07:00  lithium 400 mg         skipped (side-effects)\n"
        "  08:00  sertraline 50 mg       taken at 08:03\n"
        "  08:30  aripiprazole 10 mg     due now\n"
        "  22:00  quetiapine 100 mg      upcoming\n"
        "         lorazepam 0.5 mg       as needed: 1 of 3 in the last 24 h (at 06:30); next allowed today at 10:30\n"
    )


def test_a_bare_meddiary_shows_today(run, day_of_doses):
    assert run().out == run("today").out


def test_today_of_an_empty_diary(run, clock):
    assert run("today").out == ("Today, Thu 26 Nov 2026, 09:00 (times in Europe/Berlin)\n"
                                "  no medications yet: add one with 'meddiary add NAME --dose 50mg --at 08:00'\n")
    assert today_json(run) == {"date": "2026-11-26", "now": "2026-11-26T09:00:00+01:00",
                               "timezone": "Europe/Berlin", "slots": [], "as_needed": []}


def test_today_with_nothing_scheduled_today(run, clock):
    run("add", "methylphenidate", "--dose", "10mg", "--at", "08:00", "--days", "mon,wed,fri")
    assert run("today").out == "Today, Thu 26 Nov 2026, 09:00 (times in Europe/Berlin)\n  nothing scheduled today\n"


def test_every_other_day_counts_from_the_start(run, clock):
    run("add", "a", "--dose", "1mg", "--at", "08:00", "--every", "2d", "--start", "2026-11-24")
    run("add", "b", "--dose", "1mg", "--at", "08:00", "--every", "2d", "--start", "2026-11-25")
    assert [s["medication"] for s in today_json(run)["slots"]] == ["a"]


# -- WHEN: one grammar for take and skip --------------------------------------------------------------

VALID_WHEN = [
    # (WHEN, the local time it means; now is 2026-11-26 09:00)
    ("08:10", "2026-11-26T08:10:00+01:00"),
    ("8:10", "2026-11-26T08:10:00+01:00"),
    ("  08:10 ", "2026-11-26T08:10:00+01:00"),
    ("09:02", "2026-11-26T09:02:00+01:00"),  # up to two minutes ahead is "now"
    ("now", "2026-11-26T09:00:00+01:00"),
    ("today 06:00", "2026-11-26T06:00:00+01:00"),
    ("yesterday 21:00", "2026-11-25T21:00:00+01:00"),
    ("Yesterday 21:00", "2026-11-25T21:00:00+01:00"),
    ("2026-11-20 08:00", "2026-11-20T08:00:00+01:00"),
    ("2026-11-20T08:00", "2026-11-20T08:00:00+01:00"),
    ("2h ago", "2026-11-26T07:00:00+01:00"),
    ("2 hours ago", "2026-11-26T07:00:00+01:00"),
    ("1 hour ago", "2026-11-26T08:00:00+01:00"),
    ("90m ago", "2026-11-26T07:30:00+01:00"),
    ("90 min ago", "2026-11-26T07:30:00+01:00"),
    ("45 minutes ago", "2026-11-26T08:15:00+01:00"),
    ("2026-11-01 03:00", "2026-11-01T03:00:00+01:00"),
    ("2026-10-20 08:00", "2026-10-20T08:00:00+02:00"),  # summer time then
]

HOURLY = [a for h in range(24) for a in ("--at", f"{h:02d}:00")]


@pytest.mark.parametrize("when, local", VALID_WHEN)
def test_take_at_when(run, clock, when, local):
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--start", "2026-10-01")
    run("take", "lorazepam", "--at", when)
    assert [e["at"] for e in log_json(run)] == [local]


@pytest.mark.parametrize("when, local", VALID_WHEN)
def test_skip_at_when(run, clock, when, local):
    run("add", "hourly", "--dose", "1mg", *HOURLY, "--start", "2026-10-01")
    run("skip", "hourly", "--at", when, "--reason", "forgot")
    assert [e["at"] for e in log_json(run)] == [local]


# -- DST: wall-clock doses on the days the clocks change ----------------------------------------------

DST_DAYS = [
    # (zone, day, what the clocks do, {prescribed time: local instant of the slot that day})
    ("America/New_York", "2026-03-08", "spring forward",
     {"01:30": "2026-03-08T01:30:00-05:00", "02:30": "2026-03-08T03:30:00-04:00", "08:00": "2026-03-08T08:00:00-04:00"}),
    ("America/New_York", "2026-11-01", "fall back",
     {"01:30": "2026-11-01T01:30:00-04:00", "02:30": "2026-11-01T02:30:00-05:00", "08:00": "2026-11-01T08:00:00-05:00"}),
    ("Europe/Berlin", "2026-03-29", "spring forward",
     {"01:30": "2026-03-29T01:30:00+01:00", "02:30": "2026-03-29T03:30:00+02:00", "08:00": "2026-03-29T08:00:00+02:00"}),
    ("Europe/Berlin", "2026-10-25", "fall back",
     {"01:30": "2026-10-25T01:30:00+02:00", "02:30": "2026-10-25T02:30:00+02:00", "08:00": "2026-10-25T08:00:00+01:00"}),
]


@pytest.mark.parametrize("zone, day, change, expected", DST_DAYS, ids=[f"{z}-{c}" for z, _, c, _ in DST_DAYS])
def test_dst_day_has_each_dose_once_at_the_right_instant(run, monkeypatch, zone, day, change, expected):
    monkeypatch.setenv("MEDDIARY_TZ", zone)
    tz = ZoneInfo(zone)
    y, m, d = map(int, day.split("-"))
    with time_machine.travel(datetime(y, m, d, 23, 0, tzinfo=tz) - timedelta(days=7), tick=False) as t:
        for clock_time in expected:
            run("add", f"med{clock_time.replace(':', '')}", "--dose", "1mg", "--at", clock_time)
        t.move_to(datetime(y, m, d, 23, 0, tzinfo=tz))
        slots = today_json(run)["slots"]
    assert {s["time"]: s["at"] for s in slots} == expected
    assert len(slots) == len(expected)  # nothing dropped, nothing doubled


@pytest.mark.parametrize("zone, day, offset", [("America/New_York", "2026-03-08", "-04:00"),
                                               ("Europe/Berlin", "2026-03-29", "+02:00")])
def test_spring_forward_a_dose_at_0230_fills_the_slot_moved_to_0330(run, monkeypatch, zone, day, offset):
    monkeypatch.setenv("MEDDIARY_TZ", zone)
    tz = ZoneInfo(zone)
    y, m, d = map(int, day.split("-"))
    with time_machine.travel(datetime(y, m, d, 12, 0, tzinfo=tz) - timedelta(days=1), tick=False) as t:
        run("add", "quetiapine", "--dose", "25mg", "--at", "02:30")
        t.move_to(datetime(y, m, d, 9, 0, tzinfo=tz))
        result = run("take", "quetiapine", "--at", "02:30")
        (slot,) = today_json(run)["slots"]
        (e,) = log_json(run)
    assert ids(result.out) == "#N took quetiapine 25 mg today at 03:30 (02:30 dose)\n"
    moved = f"{day}T03:30:00{offset}"
    assert (slot["time"], slot["at"], slot["state"], slot["entry_at"], e["at"]) == ("02:30", moved, "taken", moved, moved)


def test_fall_back_a_dose_in_the_repeated_hour_is_recorded_with_its_offset(run, monkeypatch):
    monkeypatch.setenv("MEDDIARY_TZ", "America/New_York")
    tz = ZoneInfo("America/New_York")
    with time_machine.travel(datetime(2026, 10, 30, 12, 0, tzinfo=tz), tick=False) as t:
        run("add", "clonidine", "--dose", "0.1mg", "--at", "01:30")
        # the second 01:45 of the night (EST): 06:45 UTC
        t.move_to(datetime(2026, 11, 1, 6, 45, tzinfo=ZoneInfo("UTC")))
        run("take", "clonidine")
        (e,) = log_json(run)
        (slot,) = today_json(run)["slots"]
    assert e["at"] == "2026-11-01T01:45:00-05:00"
    assert (slot["at"], slot["state"], slot["entry_at"]) == ("2026-11-01T01:30:00-04:00", "taken", e["at"])


def test_a_dose_time_stays_wall_clock_across_the_change(run, monkeypatch):
    tz = ZoneInfo("Europe/Berlin")
    with time_machine.travel(datetime(2026, 10, 20, 12, 0, tzinfo=tz), tick=False) as t:
        run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
        seen = []
        for day in (24, 25, 26):
            t.move_to(datetime(2026, 10, day, 12, 0, tzinfo=tz))
            seen += [s["at"] for s in today_json(run)["slots"]]
    assert seen == ["2026-10-24T08:00:00+02:00", "2026-10-25T08:00:00+01:00", "2026-10-26T08:00:00+01:00"]
