"""The overuse guard: `take` does not record (a) a double dose, (b) an as-needed dose over its maximum in
any 24 hours, (c) an as-needed dose sooner than its minimum interval, (d) an extra dose with no slot near.

Each rule: without a terminal it refuses (exit 1, one line, nothing written); `--yes` records the entry
marked as forced; on a terminal it asks [y/N]: 'y' records, anything else refuses and writes nothing.

Time is frozen at Thursday 2026-11-26 09:00 in Europe/Berlin.
"""

import io
import json
import re
import sqlite3
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from meddiary.errors import ExitCode

BERLIN = ZoneInfo("Europe/Berlin")
START = ("--start", "2026-11-20")



def ids(text: str) -> str:
    return re.sub(r"#\d+", "#N", text)


def log_json(run):
    return json.loads(run("log", "--json").out)["entries"]


def refusal(problem: str) -> str:
    return f"meddiary: {problem} — nothing recorded; --yes records it anyway\n"


GUARD_CASES = [
    pytest.param(
        [["add", "sertraline", "--dose", "50mg", "--at", "08:00", *START],
         ["take", "sertraline", "--at", "08:03"]],
        ["take", "sertraline"],
        "sertraline 50 mg was already taken today at 08:03 — this would be a double dose",
        id="a-double-dose"),
    pytest.param(
        [["add", "quetiapine", "--dose", "100mg", "--at", "22:00", *START],
         ["take", "quetiapine", "--at", "yesterday 22:10"]],
        ["take", "quetiapine", "--at", "yesterday 23:30"],
        "quetiapine 100 mg was already taken yesterday at 22:10 — this would be a double dose",
        id="a-double-dose-backdated"),
    pytest.param(
        [["add", "sertraline", "--dose", "50mg", "--at", "08:00", "--at", "20:00", *START],
         ["take", "sertraline", "--at", "07:55"]],
        ["take", "sertraline", "--at", "08:30"],
        "sertraline 50 mg was already taken today at 07:55 — this would be a double dose",
        id="a-double-dose-twice-daily"),
    pytest.param(
        [["add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "3", *START],
         ["take", "lorazepam", "--at", "yesterday 10:00"],
         ["take", "lorazepam", "--at", "yesterday 22:00"],
         ["take", "lorazepam", "--at", "02:00"]],
        ["take", "lorazepam"],
        "lorazepam: 3 doses in the 24 hours up to 09:00 already (at 10:00, 22:00, 02:00); the most is 3 in any "
        "24 hours; the next dose is allowed today at 10:00",
        id="b-max-per-24h"),
    pytest.param(
        [["add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "2", *START],
         ["take", "lorazepam", "--at", "01:00"],
         ["take", "lorazepam", "--at", "03:00"]],
        ["take", "lorazepam"],
        "lorazepam: 2 doses in the 24 hours up to 09:00 already (at 01:00, 03:00); the most is 2 in any 24 hours; "
        "the next dose is allowed tomorrow at 01:00",
        id="b-max-per-24h-next-tomorrow"),
    pytest.param(
        [["add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--min-interval", "4h", *START],
         ["take", "lorazepam", "--at", "06:30"]],
        ["take", "lorazepam"],
        "lorazepam was taken at 06:30, 2 h 30 min apart; the minimum interval is 4 h; "
        "the next dose is allowed today at 10:30",
        id="c-min-interval"),
    pytest.param(
        [["add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--min-interval", "90m", *START],
         ["take", "lorazepam", "--at", "08:00"]],
        ["take", "lorazepam", "--at", "08:45"],
        "lorazepam was taken at 08:00, 45 min apart; the minimum interval is 1 h 30 min; "
        "the next dose is allowed today at 09:30",
        id="c-min-interval-backdated"),
    pytest.param(
        [["add", "methylphenidate", "--dose", "10mg", "--at", "08:00", "--days", "mon,wed,fri", *START]],
        ["take", "methylphenidate"],
        "no methylphenidate dose is scheduled near 09:00 (doses at 08:00): this would be an extra dose",
        id="d-extra-dose-weekdays"),
    pytest.param(
        [["add", "lithium", "--dose", "400mg", "--at", "08:00", "--every", "2d", "--start", "2026-11-25"]],
        ["take", "lithium"],
        "no lithium dose is scheduled near 09:00 (doses at 08:00): this would be an extra dose",
        id="d-extra-dose-every-2d"),
    pytest.param(
        [["add", "sertraline", "--dose", "50mg", "--at", "08:00", *START],
         ["stop", "sertraline", "--on", "2026-11-25"]],
        ["take", "sertraline"],
        "sertraline is stopped on 2026-11-26: this would be an extra dose",
        id="d-extra-dose-stopped"),
    pytest.param(
        [["add", "lithium", "--dose", "400mg", "--at", "08:00", "--start", "2026-12-01"]],
        ["take", "lithium"],
        "lithium is not started yet on 2026-11-26: this would be an extra dose",
        id="d-extra-dose-not-started"),
    pytest.param(
        [["add", "lorazepam", "--dose", "0.5mg", "--as-needed", *START],
         ["stop", "lorazepam", "--on", "2026-11-25"]],
        ["take", "lorazepam"],
        "lorazepam is not prescribed on 2026-11-26",
        id="d-as-needed-stopped"),
]


@pytest.fixture
def setup(run, clock):
    def _setup(commands):
        for command in commands:
            run(*command)
    return _setup


@pytest.mark.parametrize("given, take, problem", GUARD_CASES)
def test_refused_without_a_terminal_and_nothing_written(run, setup, dump, given, take, problem):
    setup(given)
    before = dump()
    result = run(*take, expect=ExitCode.REFUSED)
    assert result.err == refusal(problem)
    assert result.out == ""
    assert dump() == before


@pytest.mark.parametrize("given, take, problem", GUARD_CASES)
def test_yes_records_it_marked_as_forced(run, setup, given, take, problem):
    setup(given)
    count = len(log_json(run))
    result = run(*take, "--yes")
    what = "as needed, over the guard" if "lorazepam" in take else "extra dose"
    assert re.fullmatch(rf"#\d+ took .* \({what}\)\n", result.out)
    assert result.err == ""
    entries = log_json(run)
    assert len(entries) == count + 1
    newest = max(entries, key=lambda e: e["id"])
    assert (newest["kind"], newest["forced"]) == ("take", True)
    assert all(not e["forced"] for e in entries if e is not newest)
    assert "[confirmed over the guard]" in run("log").out


@pytest.mark.parametrize("given, take, problem", GUARD_CASES)
def test_a_terminal_asks_and_yes_records(run, setup, monkeypatch, given, take, problem):
    setup(given)
    count = len(log_json(run))
    run.at_terminal("y\n")
    result = run(*take)
    assert result.err == f"{problem}. Record it anyway? [y/N] "
    assert re.fullmatch(r"#\d+ took .*\n", result.out)
    entries = log_json(run)
    assert len(entries) == count + 1
    assert max(entries, key=lambda e: e["id"])["forced"] is True


@pytest.mark.parametrize("given, take, problem", GUARD_CASES)
def test_a_terminal_asks_and_no_refuses(run, setup, dump, monkeypatch, given, take, problem):
    setup(given)
    before = dump()
    run.at_terminal("n\n")
    result = run(*take, expect=ExitCode.REFUSED)
    assert result.err == f"{problem}. Record it anyway? [y/N] meddiary: nothing recorded\n"
    assert result.out == ""
    assert dump() == before


@pytest.mark.parametrize("answer", ["\n", "no\n", "whatever\n", "", "nope, y\n"])
def test_a_terminal_refuses_anything_but_yes_and_end_of_input(run, setup, dump, monkeypatch, answer):
    given, take, problem = GUARD_CASES[0].values
    setup(given)
    before = dump()
    run.at_terminal(answer)
    result = run(*take, expect=ExitCode.REFUSED)
    assert result.err == f"{problem}. Record it anyway? [y/N] meddiary: nothing recorded\n"
    assert dump() == before


def test_dash_y_is_yes(run, setup):
    given, take, problem = GUARD_CASES[0].values
    setup(given)
    assert ids(run(*take, "-y").out) == "#N took sertraline 50 mg today at 09:00 (extra dose)\n"
    assert [e["forced"] for e in log_json(run)] == [True, False]


@pytest.mark.parametrize("answer", ["Y\n", "yes\n", " YES \n"])
def test_a_terminal_accepts_yes_in_any_case(run, setup, monkeypatch, answer):
    setup(GUARD_CASES[0].values[0])
    run.at_terminal(answer)
    run("take", "sertraline")
    assert len(log_json(run)) == 2


# -- what the guard lets through ----------------------------------------------------------------------

def test_the_24_hours_are_rolling(run, setup, clock):
    setup(GUARD_CASES[3].values[0])  # lorazepam: yesterday 10:00, yesterday 22:00, today 02:00; at most 3
    run("take", "lorazepam", expect=ExitCode.REFUSED)
    clock.move_to(datetime(2026, 11, 26, 9, 59, tzinfo=BERLIN))
    run("take", "lorazepam", expect=ExitCode.REFUSED)
    clock.move_to(datetime(2026, 11, 26, 10, 1, tzinfo=BERLIN))
    assert ids(run("take", "lorazepam").out) == "#N took lorazepam 0.5 mg today at 10:01 (as needed)\n"
    assert log_json(run)[0]["forced"] is False


def test_under_the_maximum_and_after_the_interval_is_fine(run, clock):
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "3", "--min-interval", "4h", *START)
    run("take", "lorazepam", "--at", "00:30")
    run("take", "lorazepam", "--at", "04:30")
    run("take", "lorazepam", "--at", "08:30")
    assert [e["forced"] for e in log_json(run)] == [False, False, False]


def test_both_limits_give_the_later_next_time(run, clock):
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "2", "--min-interval", "8h", *START)
    run("take", "lorazepam", "--at", "yesterday 12:00")
    run("take", "lorazepam", "--at", "06:00")
    result = run("take", "lorazepam", expect=ExitCode.REFUSED)
    # the maximum alone would allow 12:00, the interval 14:00: the next dose is allowed at the later one
    assert result.err == refusal("lorazepam: 2 doses in the 24 hours up to 09:00 already (at 12:00, 06:00); "
                                 "the most is 2 in any 24 hours; the next dose is allowed today at 14:00")


def test_twice_daily_the_second_dose_is_not_a_double(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--at", "20:00", *START)
    run("take", "sertraline", "--at", "yesterday 08:00")
    assert ids(run("take", "sertraline", "--at", "yesterday 19:30").out) == \
        "#N took sertraline 50 mg yesterday at 19:30 (20:00 dose)\n"
    assert ids(run("take", "sertraline", "--at", "08:10").out) == \
        "#N took sertraline 50 mg today at 08:10 (08:00 dose)\n"


def test_a_backdated_dose_for_another_day_is_not_a_double(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", *START)
    run("take", "sertraline", "--at", "08:03")
    assert ids(run("take", "sertraline", "--at", "yesterday 08:10").out) == \
        "#N took sertraline 50 mg yesterday at 08:10 (08:00 dose)\n"


def test_a_retracted_dose_does_not_count(run, clock):
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--min-interval", "4h", *START)
    run("take", "lorazepam", "--at", "08:00")
    run("undo")
    run("take", "lorazepam")


# -- several names at once: all or nothing ------------------------------------------------------------

@pytest.fixture
def two_meds(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", *START)
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--min-interval", "4h", *START)


def test_one_refused_name_refuses_them_all(run, two_meds, dump):
    run("take", "lorazepam", "--at", "07:00")
    before = dump()
    result = run("take", "sertraline", "lorazepam", expect=ExitCode.REFUSED)
    assert result.err == refusal("lorazepam was taken at 07:00, 2 h apart; the minimum interval is 4 h; "
                                 "the next dose is allowed today at 11:00")
    assert dump() == before


def test_every_problem_is_named(run, two_meds, dump):
    run("take", "sertraline", "--at", "08:00")
    run("take", "lorazepam", "--at", "07:00")
    before = dump()
    result = run("take", "sertraline", "lorazepam", expect=ExitCode.REFUSED)
    assert result.err == (
        "meddiary: sertraline 50 mg was already taken today at 08:00 — this would be a double dose\n"
        + refusal("lorazepam was taken at 07:00, 2 h apart; the minimum interval is 4 h; "
                  "the next dose is allowed today at 11:00"))
    assert dump() == before


def test_a_terminal_asks_about_each_and_one_no_refuses_all(run, two_meds, dump, monkeypatch):
    run("take", "sertraline", "--at", "08:00")
    run("take", "lorazepam", "--at", "07:00")
    before = dump()
    run.at_terminal("y\nn\n")
    result = run("take", "sertraline", "lorazepam", expect=ExitCode.REFUSED)
    assert result.err.count("Record it anyway? [y/N] ") == 2
    assert result.err.endswith("meddiary: nothing recorded\n")
    assert dump() == before


def test_a_terminal_asks_about_each_and_two_yeses_record_both(run, two_meds, monkeypatch):
    run("take", "sertraline", "--at", "08:00")
    run("take", "lorazepam", "--at", "07:00")
    run.at_terminal("y\ny\n")
    run("take", "sertraline", "lorazepam")
    assert [(e["medication"], e["forced"]) for e in log_json(run)[:2]] in (
        [("sertraline", True), ("lorazepam", True)], [("lorazepam", True), ("sertraline", True)])


def test_a_terminal_is_not_asked_when_nothing_is_wrong(run, two_meds, monkeypatch):
    run.at_terminal("")
    result = run("take", "sertraline", "lorazepam")
    assert result.err == ""
    assert [e["forced"] for e in log_json(run)] == [False, False]


# -- backdated doses and other processes --------------------------------------------------------------

def test_next_allowed_of_a_backdated_dose_is_named_from_today(run, clock, dump):
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--min-interval", "4h", *START)
    run("take", "lorazepam", "--at", "yesterday 21:00")
    before = dump()
    result = run("take", "lorazepam", "--at", "yesterday 23:00", expect=ExitCode.REFUSED)
    assert result.err == refusal("lorazepam was taken at 21:00, 2 h apart; the minimum interval is 4 h; "
                                 "the next dose is allowed today at 01:00")
    assert dump() == before


def test_a_dose_recorded_meanwhile_by_another_process_is_seen_by_the_guard(run, clock, db_path):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", *START)
    holding, done = threading.Event(), threading.Event()

    def other_process():
        conn = sqlite3.connect(db_path, isolation_level=None, timeout=5)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO entries (kind, medication_id, at_utc, tz, dose_amount, dose_unit, forced,"
                         " recorded_at_utc) VALUES ('take', 1, '2026-11-26T07:05:00+00:00', 'Europe/Berlin', 50,"
                         " 'mg', 0, '2026-11-26T07:05:00+00:00')")
            holding.set()
            done.wait(0.3)
            conn.execute("COMMIT")
        finally:
            conn.close()

    thread = threading.Thread(target=other_process)
    thread.start()
    try:
        assert holding.wait(5)
        result = run("take", "sertraline", expect=ExitCode.REFUSED)
    finally:
        done.set()
        thread.join()
    assert "already taken today at 08:05" in result.err
    assert [e["forced"] for e in log_json(run)] == [False]


def test_twice_the_dose_in_another_unit_needs_yes(run, clock):
    # 0.1 g is 100 mg: twice the prescribed 50 mg, like --dose 100mg. 0.05 g is the prescribed dose itself.
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20", "--strength", "50mg")
    r = run("take", "sertraline", "--dose", "0.1g", expect=ExitCode.REFUSED)
    assert "sertraline 0.1 g is 2 times the prescribed 50 mg of the 08:00 dose" in r.err
    out = run("take", "sertraline", "--dose", "0.05g").out
    assert "prescribed" not in out
    assert "prescribed" not in run("log").out


def test_twice_an_as_needed_dose_needs_yes(run, clock):
    # propranolol 10 mg as needed; 50 mg is five times it (no --max-amount to guard the amount instead)
    run("add", "propranolol", "--dose", "10mg", "--as-needed", "--max-per-day", "3")
    r = run("take", "propranolol", "--dose", "50mg", expect=ExitCode.REFUSED)
    assert "propranolol 50 mg is 5 times the prescribed 10 mg as-needed dose" in r.err
    run("take", "propranolol", "--dose", "50mg", "--yes")


def test_a_named_dose_already_taken_is_a_double_dose(run, clock):
    # --for 'yesterday 08:00' when yesterday's 08:00 is filled: refused, never silently today's dose
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    run("take", "sertraline", "--at", "yesterday 08:05")
    r = run("take", "sertraline", "--for", "yesterday 08:00", expect=ExitCode.REFUSED)
    assert "sertraline's 08:00 dose of 2026-11-25 was already taken yesterday at 08:05 — this would be a double dose" in r.err


def test_skip_names_the_dose_it_is_for(run, clock):
    # 08:00 and 20:00; at 09:00 today, `skip --for 'yesterday 20:00'` skips yesterday's evening dose, not today's
    # morning one (nearest to now); a dose named that was already taken is refused, naming the entry to retract.
    run("add", "lithium", "--dose", "400mg", "--at", "08:00", "--at", "20:00", "--start", "2026-11-20")
    run("take", "lithium", "--at", "08:05")
    out = run("skip", "lithium", "--for", "yesterday 20:00", "--reason", "forgot").out
    assert "skipped lithium 20:00 dose of 2026-11-25 (forgot)" in out
    entry = json.loads(run("log", "--json").out)["entries"][0]
    assert (entry["kind"], entry["data"]) == ("skip", {"for": "2026-11-25T20:00"})
    r = run("skip", "lithium", "--for", "08:00", "--reason", "forgot", expect=ExitCode.REFUSED)
    assert "lithium 08:00 was already taken today at 08:05; 'meddiary retract 1' retracts it" in r.err
    assert "has no 09:30 dose" in run("skip", "lithium", "--for", "09:30", "--reason", "x", expect=ExitCode.USAGE).err
    rep = json.loads(run("report", "--format", "json", "--from", "2026-11-25", "--to", "2026-11-25").out)
    assert rep["medications"][0]["skipped"] == 1


def test_a_dose_named_more_than_two_days_away_is_recorded_at_its_own_time(run, clock, dump):
    # at 09:00 on Thu 26th: `--for '2026-11-22 08:00'` is refused (bad input, nothing written): what is counted
    # around a dose is loaded two days either side of it, so such a take is recorded with --at that day
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    before = dump()
    r = run("take", "sertraline", "--for", "2026-11-22 08:00", expect=ExitCode.USAGE)
    assert "more than two days from this entry's time" in r.err and "--at '2026-11-22 08:00'" in r.err
    assert dump() == before
    assert "(08:00 dose of yesterday)" in run("take", "sertraline", "--for", "2026-11-25 08:00").out  # a day: fine
