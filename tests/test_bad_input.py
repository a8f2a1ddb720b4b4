"""Bad input: one line on stderr naming the problem and the accepted forms, exit code 2, nothing on stdout,
never a traceback, and the diary unchanged (its SQL dump before and after are equal).

Time is frozen at Thursday 2026-11-26 09:00 in Europe/Berlin. The diary holds sertraline (alias Zoloft,
08:00 daily), lorazepam (as needed, at most 3 a day) and haloperidol (stopped on the 25th).
"""

import contextlib
import io
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from meddiary.cli import main
from meddiary.doses import DOSE_FORMS
from meddiary.errors import ExitCode
from meddiary.timeparse import WHEN_FORMS

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN)  # a Thursday

SINCE_FORMS = "use 30d, 2w, 3mo, 1y, a date (YYYY-MM-DD) or 'last-visit'"
DATE_FORMS = "use YYYY-MM-DD, 'today', 'yesterday' or 'tomorrow'"
NAME_FORMS = "use letters, digits, spaces, '-', '.', '/' or '+', starting with a letter or digit"
ADD = ["add", "newmed", "--dose", "1mg"]  # completed by each case


SETUP = [
    ["add", "sertraline", "--dose", "50mg", "--at", "08:00", "--alias", "Zoloft", "--start", "2026-11-20"],
    ["add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "3", "--start", "2026-11-20"],
    ["add", "haloperidol", "--dose", "5mg", "--at", "20:00", "--start", "2026-11-20"],
    ["stop", "haloperidol", "--on", "2026-11-25"],
    ["take", "sertraline", "--at", "yesterday 08:00"],
]


@pytest.fixture(scope="module")
def diary_bytes(tmp_path_factory):
    """The diary every case starts from, written once through the real CLI; each case gets a copy."""
    path = tmp_path_factory.mktemp("template") / "diary.db"
    with pytest.MonkeyPatch.context() as mp, time_machine.travel(NOW, tick=False):
        mp.setenv("MEDDIARY_DB", str(path))
        mp.setenv("MEDDIARY_TZ", "Europe/Berlin")
        for command in SETUP:
            with pytest.raises(SystemExit) as exited, contextlib.redirect_stdout(io.StringIO()):
                main(command)
            assert exited.value.code == ExitCode.OK, command
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path.read_bytes()


@pytest.fixture
def diary(db_path, diary_bytes):
    db_path.parent.mkdir(mode=0o700)
    db_path.write_bytes(diary_bytes)
    db_path.chmod(0o600)


def assert_bad_input(run, dump, args, *fragments):
    """`meddiary ARGS` is refused as bad input: exit 2, one line naming it, nothing written."""
    before = dump()
    with time_machine.travel(NOW, tick=False):
        result = run(*args, expect=ExitCode.USAGE)
    assert result.out == ""
    assert "Traceback" not in result.err
    assert result.err.startswith("meddiary: ")
    assert result.err.endswith("\n") and result.err.count("\n") == 1, result.err
    for fragment in fragments:
        assert fragment in result.err
    assert dump() == before
    return result


# -- the bad inputs the issue lists -------------------------------------------------------------------

UNKNOWN_MEDICATION = [
    (["take", "sertralin"], "no medication 'sertralin'", "did you mean sertraline?"),
    (["take", "zolof"], "no medication 'zolof'", "did you mean sertraline?"),
    (["take", "aspirin"], "no medication 'aspirin'", "known medications: haloperidol, lorazepam, sertraline"),
    (["take", "sertraline", "aspirin"], "no medication 'aspirin'", "known medications:"),
    (["skip", "aspirin", "--reason", "forgot"], "no medication 'aspirin'", "known medications:"),
    (["show", "aspirin"], "no medication 'aspirin'", "known medications:"),
    (["change", "aspirin", "--dose", "1mg", "--reason", "x"], "no medication 'aspirin'", "known medications:"),
    (["taper", "aspirin", "--steps", "1mg,0", "--every", "1w", "--reason", "x"], "no medication 'aspirin'", "known"),
    (["stop", "aspirin"], "no medication 'aspirin'", "known medications:"),
    (["log", "--med", "aspirin"], "no medication 'aspirin'", "known medications:"),
]

BAD_DOSES = [
    (dose, f"bad dose '{dose}'", DOSE_FORMS)
    for dose in ["fifty", "-5mg", "0mg", "0", "0.0mg", "50", "mg", "50 furlongs", "5,0mg", "1/2 tablet"]
]

DOSE_COMMANDS = [
    ["add", "newmed", "--at", "08:00", "--dose"],
    ["take", "sertraline", "--dose"],
    ["change", "sertraline", "--reason", "x", "--dose"],
]

# A taper's steps are doses too, but a 0 is its stop step and a comma separates steps.
BAD_STEPS = [
    ("fifty", "bad dose 'fifty'"), ("-5mg", "bad dose '-5mg'"), ("50", "bad dose '50'"),
    ("75mg,fifty,0", "bad dose 'fifty'"), ("75mg,-5mg,0", "bad dose '-5mg'"), ("75mg,50 furlongs", "bad dose '50 furlongs'"),
]

INVALID_WHEN = [
    # (WHEN, what the message says): now is 2026-11-26 09:00
    ("around noon", "bad time 'around noon'"),
    ("25:00", "bad time '25:00'"),
    ("08:60", "bad time '08:60'"),
    ("8", "bad time '8'"),
    ("8", "bad time '8': did you mean 08:00? use HH:MM"),
    ("13pm", "bad time '13pm'"),
    ("yesterday", "bad time 'yesterday'"),
    ("last night", "bad time 'last night'"),
    ("in 2h", "bad time 'in 2h'"),
    ("2d ago", "bad time '2d ago'"),
    ("2h", "bad time '2h'"),
    ("-2h ago", "bad time '-2h ago'"),
    ("2026-13-01 08:00", "bad time '2026-13-01 08:00'"),
    ("2026-11-31 08:00", "bad time '2026-11-31 08:00'"),
    ("26.11.2026 08:00", "bad time '26.11.2026 08:00'"),
    ("tomorrow 08:00", "time 'tomorrow 08:00' (2026-11-27 08:00) is in the future"),
    ("09:05", "time '09:05' (2026-11-26 09:05) is in the future"),
    ("23:59", "time '23:59' (2026-11-26 23:59) is in the future"),
    ("2026-12-01 08:00", "time '2026-12-01 08:00' (2026-12-01 08:00) is in the future"),
]

WHEN_COMMANDS = [
    ["take", "sertraline", "--at"],
    ["skip", "sertraline", "--reason", "forgot", "--at"],
]

DUPLICATE_ADD = [
    (["add", "sertraline", "--dose", "50mg", "--at", "08:00"], "'sertraline' is already in the diary",
     "use 'meddiary change sertraline'"),
    (["add", "Sertraline", "--dose", "100mg", "--at", "20:00"], "'Sertraline' is already in the diary", "change"),
    (["add", "zoloft", "--dose", "50mg", "--at", "08:00"], "'zoloft' is already in the diary", "change"),
    (["add", "haloperidol", "--dose", "5mg", "--at", "20:00"], "'haloperidol' is already in the diary", "change"),
    (["add", "newmed", "--dose", "1mg", "--at", "08:00", "--alias", "SERTRALINE"],
     "'SERTRALINE' is already in the diary", "change"),
    (["add", "newmed", "--dose", "1mg", "--at", "08:00", "--alias", "Zoloft"], "'Zoloft' is already in the diary",
     "change"),
    (["add", "lorazepam", "--dose", "1mg", "--as-needed"], "'lorazepam' is already in the diary", "change"),
]

LIMITS = [
    ([*ADD, "--as-needed", "--max-per-day", "0"], "bad --max-per-day 0", "use a whole number from 1 to 100"),
    ([*ADD, "--as-needed", "--max-per-day", "-2"], "bad --max-per-day -2", "use a whole number from 1 to 100"),
    ([*ADD, "--as-needed", "--max-per-day", "three"], "'three' is not a valid int", "--max-per-day"),
    (["change", "lorazepam", "--max-per-day", "0", "--reason", "x"], "bad --max-per-day 0", "from 1 to 100"),
    ([*ADD, "--at", "08:00", "--every", "0d"], "bad --every '0d'", "use days, weeks or calendar months, e.g. 2d, 1w, 4w, 1mo"),
    ([*ADD, "--at", "08:00", "--every", "0w"], "bad --every '0w'", "e.g. 2d, 1w, 4w, 1mo"),
    ([*ADD, "--at", "08:00", "--every", "2"], "bad --every '2'", "e.g. 2d, 1w, 4w, 1mo"),
    ([*ADD, "--at", "08:00", "--every", "12h"], "bad --every '12h'", "e.g. 2d, 1w, 4w, 1mo"),
    ([*ADD, "--at", "08:00", "--every", "-2d"], "bad --every '-2d'", "e.g. 2d, 1w, 4w, 1mo"),
    (["change", "sertraline", "--every", "0d", "--reason", "x"], "bad --every '0d'", "e.g. 2d, 1w, 4w, 1mo"),
    ([*ADD, "--at", "08:00", "--every", "0mo"], "bad --every '0mo'", "use 1mo to 24mo"),
    ([*ADD, "--at", "08:00", "--cycle", "21"], "bad --cycle '21'", "e.g. --cycle 21/7"),
    ([*ADD, "--at", "08:00", "--cycle", "0/7"], "bad --cycle '0/7'", "each 1 to 365"),
    ([*ADD, "--at", "08:00", "--cycle", "21/x"], "bad --cycle '21/x'", "days on/days off"),
    ([*ADD, "--window", "7d"], "--window is a long-acting injection's tolerance", "--every 4w --window 7d"),
    ([*ADD, "--every", "4w", "--window", "14d"], "bad --window '14d'", "less than half the interval"),
    ([*ADD, "--every", "4w", "--window", "0d"], "bad --window '0d'", "e.g. 2d, 2w"),
    ([*ADD, "--at", "08:00", "--every", "2d", "--cycle", "21/7"], "give one of --days", "not --every and --cycle"),
    (["taper", "sertraline", "--steps", "25mg,0", "--every", "0d", "--reason", "x"], "bad --every '0d'", "2d, 2w"),
    ([*ADD, "--as-needed", "--min-interval", "0h"], "bad --min-interval '0h'", "e.g. 90m, 4h"),
    ([*ADD, "--as-needed", "--min-interval", "4"], "bad --min-interval '4'", "e.g. 90m, 4h"),
    ([*ADD, "--as-needed", "--min-interval", "1d"], "bad --min-interval '1d'", "e.g. 90m, 4h"),
]

EMPTY_REASONS = [
    (["skip", "sertraline", "--reason", ""], "a skip needs a reason", "forgot, side-effects, ran-out"),
    (["skip", "sertraline", "--reason", "   "], "a skip needs a reason", "or your own words"),
    (["skip", "sertraline"], "a skip needs a reason", "--reason"),
    (["change", "sertraline", "--dose", "100mg", "--reason", ""], "a change needs a reason", "--reason TEXT"),
    (["change", "sertraline", "--dose", "100mg", "--reason", " "], "a change needs a reason", "--reason TEXT"),
    (["change", "sertraline", "--dose", "100mg"], "a change needs a reason", "--reason TEXT"),
    (["taper", "sertraline", "--steps", "25mg,0", "--every", "1w", "--reason", ""], "a taper needs a reason",
     "--reason TEXT"),
    (["taper", "sertraline", "--steps", "25mg,0", "--every", "1w"], "a taper needs a reason", "--reason TEXT"),
    (["stop", "sertraline", "--reason", ""], "the reason is empty", "give --reason TEXT or leave it out"),
]


@pytest.mark.parametrize("args, problem, forms", UNKNOWN_MEDICATION)
def test_unknown_medication(run, diary, dump, args, problem, forms):
    assert_bad_input(run, dump, args, problem, forms)


@pytest.mark.parametrize("dose, problem, forms", BAD_DOSES)
@pytest.mark.parametrize("command", DOSE_COMMANDS, ids=lambda c: c[0])
def test_bad_dose(run, diary, dump, command, dose, problem, forms):
    assert_bad_input(run, dump, [*command, dose], problem, forms)


@pytest.mark.parametrize("steps, problem", BAD_STEPS)
def test_bad_taper_step(run, diary, dump, steps, problem):
    assert_bad_input(run, dump, ["taper", "sertraline", "--steps", steps, "--every", "1w", "--reason", "x"],
                     problem, DOSE_FORMS)


@pytest.mark.parametrize("when, problem", INVALID_WHEN)
@pytest.mark.parametrize("command", WHEN_COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_bad_or_future_when(run, diary, dump, command, when, problem):
    assert_bad_input(run, dump, [*command, when], problem, WHEN_FORMS)


@pytest.mark.parametrize("args, problem, forms", DUPLICATE_ADD)
def test_duplicate_add(run, diary, dump, args, problem, forms):
    assert_bad_input(run, dump, args, problem, forms)


@pytest.mark.parametrize("args, problem, forms", LIMITS)
def test_bad_limits_and_intervals(run, diary, dump, args, problem, forms):
    assert_bad_input(run, dump, args, problem, forms)


@pytest.mark.parametrize("args, problem, forms", EMPTY_REASONS)
def test_empty_reason(run, diary, dump, args, problem, forms):
    assert_bad_input(run, dump, args, problem, forms)


# -- more bad inputs ----------------------------------------------------------------------------------

MORE = [
    # schedules
    ([*ADD, "--at", "08:00", "--days", "funday"], "bad days 'funday'", "mon,tue,wed,thu,fri,sat,sun"),
    ([*ADD, "--at", "08:00", "--days", "mon,,fri"], "bad days 'mon,,fri'", "mon,tue,wed,thu,fri,sat,sun"),
    ([*ADD, "--at", "08:00", "--days", "mon", "--every", "2d"], "give one of --days (e.g. mon,wed,fri), --every", "not --days and --every"),
    (["change", "sertraline", "--days", "xyz", "--reason", "x"], "bad days 'xyz'", "mon,tue,wed,thu,fri,sat,sun"),
    ([*ADD, "--at", "8.30am"], "bad time of day '8.30am'", "use HH:MM"),
    ([*ADD, "--at", "08:00,"], "bad time of day ''", "use HH:MM"),
    ([*ADD, "--at", "08:00,25:00"], "bad time of day '25:00'", "use HH:MM"),
    ([*ADD, "--at", "24:00"], "bad time of day '24:00'", "use HH:MM"),
    ([*ADD, "--at", "08:00", "--at", "noon"], "bad time of day 'noon'", "use HH:MM"),
    ([*ADD, "--at", ""], "bad time of day ''", "use HH:MM"),
    (["change", "sertraline", "--at", "7.30", "--reason", "x"], "bad time of day '7.30'", "use HH:MM"),
    ([*ADD], "give the times of day with --at HH:MM", "--as-needed"),
    ([*ADD, "--at", "08:00", "--as-needed"], "an as-needed medication has no --at", "--max-per-day N"),
    ([*ADD, "--days", "mon", "--as-needed"], "an as-needed medication has no --at, --days, --every, --cycle or --window", "--max-per-day"),
    ([*ADD, "--every", "2d", "--as-needed"], "an as-needed medication has no --at, --days, --every, --cycle or --window", "--max-per-day"),
    ([*ADD, "--at", "08:00", "--max-per-day", "3"], "--max-per-day, --max-amount and --min-interval are for as-needed doses", "--as-needed-dose 5mg"),
    ([*ADD, "--at", "08:00", "--min-interval", "4h"], "are for as-needed doses", "give --as-needed (as needed only)"),
    (["change", "lorazepam", "--at", "08:00", "--reason", "x"], "lorazepam is taken as needed",
     "change --dose, --max-per-day, --max-amount or --min-interval"),
    (["change", "sertraline", "--max-per-day", "2", "--reason", "x"], "sertraline is scheduled",
     "give --as-needed-dose 5mg too"),
    (["change", "sertraline", "--reason", "x"], "nothing to change", "give --dose, --at, --days, --every, --cycle or --window"),
    # names
    (["add", "", "--dose", "1mg", "--at", "08:00"], "bad name ''", NAME_FORMS),
    (["add", "   ", "--dose", "1mg", "--at", "08:00"], "bad name '", NAME_FORMS),
    (["add", "-x", "--dose", "1mg", "--at", "08:00"], "No such option: -x", "--help"),
    (["add", "bad;name", "--dose", "1mg", "--at", "08:00"], "bad name 'bad;name'", NAME_FORMS),
    (["add", "x" * 81, "--dose", "1mg", "--at", "08:00"], "bad name", NAME_FORMS),
    ([*ADD, "--at", "08:00", "--alias", "@brand"], "bad alias '@brand'", NAME_FORMS),
    ([*ADD, "--at", "08:00", "--alias", "NEWMED"], "the alias 'newmed' is the medication's own name", "--alias"),
    # dates
    ([*ADD, "--at", "08:00", "--start", "someday"], "bad date 'someday'", DATE_FORMS),
    ([*ADD, "--at", "08:00", "--start", "2026-02-30"], "bad date '2026-02-30'", DATE_FORMS),
    (["change", "sertraline", "--dose", "75mg", "--from", "next week", "--reason", "x"], "bad date 'next week'",
     DATE_FORMS),
    (["taper", "sertraline", "--steps", "25mg,0", "--every", "1w", "--from", "20/12/2026", "--reason", "x"],
     "bad date '20/12/2026'", DATE_FORMS),
    (["stop", "sertraline", "--on", "never"], "bad date 'never'", DATE_FORMS),
    (["stop", "sertraline", "--on", "2026-11-01"], "sertraline starts on 2026-11-20",
     "a stop must be on or after that day"),
    (["stop", "haloperidol"], "haloperidol is already stopped from 2026-11-25", "haloperidol"),
    # taper steps
    (["taper", "sertraline", "--steps", "0,25mg", "--every", "1w", "--reason", "x"], "bad --steps",
     "0 (stop) can only be the last step"),
    (["taper", "sertraline", "--steps", ",", "--every", "1w", "--reason", "x"], "bad --steps",
     "e.g. --steps 100mg,75mg,50mg,25mg,0"),
    (["taper", "sertraline", "--every", "1w", "--reason", "x"], "Missing option '--steps'", "--help"),
    (["taper", "sertraline", "--steps", "25mg,0", "--reason", "x"], "Missing option '--every'", "--help"),
    # take, skip
    (["take", "--at", "08:00"], "--at, --dose, --as-needed and --for need a medication name", "meddiary take NAME --at WHEN"),
    (["skip", "lorazepam", "--reason", "forgot"], "lorazepam is taken as needed", "no scheduled dose to skip"),
    # log
    (["log", "--limit", "0"], "bad --limit 0", "use a whole number from 1 to 1000000"),
    (["log", "--limit", "-3"], "bad --limit -3", "use a whole number from 1 to 1000000"),
    (["log", "--limit", "ten"], "'ten' is not a valid int", "--limit"),
    (["log", "--limit", "2.5"], "'2.5' is not a valid int", "--limit"),
    (["log", "--since", "forever"], "bad period 'forever'", SINCE_FORMS),
    (["log", "--since", "0d"], "bad period '0d'", SINCE_FORMS),
    (["log", "--since", "-7d"], "bad period '-7d'", SINCE_FORMS),
    (["log", "--since", "2026-12-01"], "period start '2026-12-01' is in the future", SINCE_FORMS),
    (["log", "--since", "last-visit"], "no visit recorded yet", "use --since 30d"),
    # the command line itself
    (["add", "--dose", "1mg", "--at", "08:00"], "Missing argument", "--help"),
    (["add", "newmed", "--at", "08:00"], "give the dose with --dose 50mg", "--at HH:MM=DOSE"),
    (["add", "newmed", "--at", "08:00=50mg", "--at", "20:00=5ml"], "give every time's dose in one unit", "got mg, ml"),
    (["add", "newmed", "--at", "08:00=50mg", "--at", "08:00=20mg"], "08:00 is given twice with different doses", "each time once"),
    (["add", "newmed", "--at", "08:00="], "bad --at '08:00='", "HH:MM=DOSE"),
    (["add", "newmed", "--as-needed"], "give the dose with --dose", "--dose 0.5mg"),
    (["add", "newmed", "--dose", "1mg", "--as-needed", "--max-amount", "2ml"], "bad --max-amount '2ml'", "in the dose's unit (mg)"),
    (["add", "newmed", "--dose", "1mg", "--at", "08:00", "--as-needed-dose", "2ml"], "bad --as-needed-dose '2ml'", "unit (mg)"),
    (["change", "sertraline", "--dose", "07:00=10mg", "--reason", "x"], "07:00 is not one of its times", "with --at"),
    (["change", "sertraline", "--dose", "08:00=", "--reason", "x"], "bad dose '08:00='", "08:00=300mg+20:00=800mg"),
    (["pause", "sertraline", "--until", "2026-11-01"], "bad --until 2026-11-01", "on or after its first"),
    (["pause", "sertraline", "--until", "2026-12-01", "--for", "2w"], "give either --until DAY or --for 14d", "not both"),
    (["resume", "sertraline"], "sertraline is not paused", "nothing to resume"),
    (["show"], "Missing argument", "see 'meddiary show --help'"),
    (["take", "sertraline", "--bogus"], "No such option: --bogus", "see 'meddiary take --help'"),
    (["take", "sertraline", "--at"], "Option '--at' requires an argument", "--at"),
    (["frobnicate"], "No such command 'frobnicate'", "see 'meddiary --help'"),
    (["list", "extra"], "unexpected extra argument", "see 'meddiary list --help'"),
    (["--db"], "Option '--db' requires an argument", "--db"),
]


@pytest.mark.parametrize("args, problem, forms", MORE)
def test_more_bad_input(run, diary, dump, args, problem, forms):
    assert_bad_input(run, dump, args, problem, forms)


def test_bad_input_on_a_fresh_machine_creates_no_diary(run, db_path):
    """What can be checked without the diary is checked before the diary is created."""
    with time_machine.travel(NOW, tick=False):
        run("add", "sertraline", "--dose", "fifty", "--at", "08:00", expect=ExitCode.USAGE)
        run("take", "sertraline", "--at", "in an hour", expect=ExitCode.USAGE)
        run("skip", "sertraline", "--reason", "", expect=ExitCode.USAGE)
    assert not db_path.exists()
    assert not db_path.parent.exists()


# -- an empty value is a value, not a left-out option -------------------------------------------------

EMPTY_VALUES = [
    (["take", "sertraline", "--at", ""], "bad time ''"),
    (["take", "sertraline", "--dose", ""], "bad dose ''"),
    (["skip", "sertraline", "--reason", "forgot", "--at", ""], "bad time ''"),
    (["stop", "sertraline", "--on", ""], "bad date ''"),
    (["change", "sertraline", "--dose", "75mg", "--from", "", "--reason", "x"], "bad date ''"),
    (["taper", "sertraline", "--steps", "25mg,0", "--every", "1w", "--from", "", "--reason", "x"], "bad date ''"),
    ([*ADD, "--at", "08:00", "--start", ""], "bad date ''"),
    ([*ADD, "--at", "08:00", "--every", ""], "bad --every ''"),
    ([*ADD, "--at", "08:00", "--days", ""], "bad days ''"),
    ([*ADD, "--as-needed", "--min-interval", ""], "bad --min-interval ''"),
    (["log", "--since", ""], "bad period ''"),
]


@pytest.mark.parametrize("args, problem", EMPTY_VALUES)
def test_an_empty_value_is_bad_input(run, diary, dump, args, problem):
    assert_bad_input(run, dump, args, problem)


def test_aliases_that_differ_only_in_case_are_one_alias(run, diary):
    """Not a crash on the UNIQUE NOCASE constraint (it once was a traceback): the first spelling is kept."""
    import json

    with time_machine.travel(NOW, tick=False):
        run(*ADD, "--at", "08:00", "--alias", "Bar", "--alias", "bar", "--alias", "BAR")
        assert json.loads(run("show", "bar", "--json").out)["aliases"] == ["Bar"]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Berlin", "../../etc/passwd"])
def test_an_unknown_time_zone(run, diary, dump, monkeypatch, zone):
    monkeypatch.setenv("MEDDIARY_TZ", zone)
    assert_bad_input(run, dump, ["take", "sertraline"], f"unknown time zone {zone!r}", "IANA name such as Europe/Berlin")


# -- numbers and dates too large or too early for the machinery ---------------------------------------

OUT_OF_RANGE = [
    pytest.param(["log", "--limit", "99999999999999999999"], "--limit",
                 id="log-limit"),
    pytest.param([*ADD, "--as-needed", "--max-per-day", "99999999999999999999"], "--max-per-day",
                 id="max-per-day"),
    pytest.param(["take", "sertraline", "--at", "0001-01-01 00:00"], "0001-01-01", id="take-at-year-1"),
    pytest.param(["skip", "sertraline", "--reason", "forgot", "--at", "0001-01-01 08:00"], "0001-01-01",
                 id="skip-at-year-1"),
    pytest.param(["log", "--since", "0001-01-01"], "0001-01-01", id="log-since-year-1"),
    pytest.param(["taper", "sertraline", "--steps", "25mg,20mg,0", "--every", "3000000d", "--reason", "x"],
                 "--every",
                 id="taper-steps-past-9999"),
    pytest.param([*ADD, "--at", "08:00", "--every", "9999999999d"], "--every", id="every-too-long"),
    pytest.param([*ADD, "--as-needed", "--min-interval", "99999999999h"], "--min-interval", id="interval-too-long"),
    pytest.param(["take", "sertraline", "--at", "99999999999h ago"], "99999999999h ago", id="ago-too-long"),
    pytest.param(["log", "--since", "9999999999999y"], "9999999999999y", id="since-too-long"),
]


@pytest.mark.parametrize("args, problem", OUT_OF_RANGE)
def test_out_of_range_values(run, diary, dump, args, problem):
    assert_bad_input(run, dump, args, problem)


@pytest.mark.parametrize("args, code", [
    (["take", "sertraline"], ExitCode.USAGE),
    (["skip", "sertraline", "--reason", "forgot"], ExitCode.USAGE),
    (["side-effect", "nausea", "--med", "sertraline"], ExitCode.USAGE),
    (["refill", "sertraline", "--qty", "30"], ExitCode.USAGE),
    (["supply", "sertraline", "--count", "3"], ExitCode.USAGE),
    (["ask", "--done", "5"], ExitCode.USAGE),
    (["undo"], ExitCode.REFUSED),
])
def test_a_refused_command_on_a_fresh_machine_leaves_no_diary(run, db_path, clock, args, code):
    """What needs the diary to be checked (a medication's name, a question's id) opens it; when the run
    then ends in bad input or a refusal, the diary it made, still empty, is removed again."""
    run(*args, expect=code)
    assert not db_path.exists()
    assert not db_path.parent.exists()


def test_a_diary_with_records_is_never_removed_on_a_refusal(run, db_path, clock):
    run("mood", "5")
    run("take", "nosuch", expect=ExitCode.USAGE)
    assert db_path.exists()
    assert "mood 5/10" in run("log").out


# A byte the system could not read as UTF-8 in an argument reaches Python as a lone surrogate (\udcff), which
# no diary in UTF-8 can hold: refused as a hidden character, not stored (it failed at SQLite's insert).
UNREADABLE_BYTES = [
    (["take", "sertraline", "--note", "a\udcffb"], "--note contains a control or invisible formatting character",
     "\\udcff"),
    (["mood", "6", "--note", "\udcff"], "--note contains a control or invisible formatting character", "\\udcff"),
    (["skip", "sertraline", "--reason", "x\udcff"], "control or invisible formatting character", "\\udcff"),
    ([*ADD, "--as-needed", "--for", "sleep\udcff"], "control or invisible formatting character", "\\udcff"),
]


@pytest.mark.parametrize("args, problem, forms", UNREADABLE_BYTES, ids=lambda a: str(a)[:24])
def test_a_byte_that_is_not_utf8_in_text_is_refused(run, diary, dump, args, problem, forms):
    assert_bad_input(run, dump, args, problem, forms)
