"""`meddiary due`: output, exit codes, bad input, the home zone, DST days and travel through the CLI; the
fast path (meddiary.entry) against the Typer command; cron's bare environment; two runs at once."""

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from meddiary import cli, entry, grammar, notify
from meddiary.usecases import due
from meddiary.errors import ExitCode

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SCRIPT = str(Path(sys.executable).parent / "meddiary")


@pytest.fixture
def fast(capsys):
    """Run through the console script's entry point in-process (the fast path for `due`)."""
    def _fast(*args: str):
        capsys.readouterr()
        try:
            entry.main(list(args))
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 0
        got = capsys.readouterr()
        return code, got.out, got.err
    return _fast


def test_one_line_per_reminder_then_nothing(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "yesterday")
    run("add", "lamotrigine", "--dose", "100mg", "--at", "08:00", "--at", "20:00", "--start", "yesterday")
    clock.move_to(datetime(2026, 11, 26, 8, 12, tzinfo=BERLIN))
    assert run("due").out == ("08:00 lamotrigine 100 mg — due 12 min ago\n"
                              "08:00 sertraline 50 mg — due 12 min ago\n")
    assert run("due").out == ""
    run("take", "sertraline")
    clock.move_to(datetime(2026, 11, 26, 8, 42, tzinfo=BERLIN))
    assert run("due").out == "08:00 lamotrigine 100 mg — due 42 min ago\n"


def test_nothing_due_prints_nothing_and_exits_0(run, clock, fast):
    assert run("due").out == ""
    run("add", "sertraline", "--dose", "50mg", "--at", "20:00")
    assert run("due").out == ""
    assert fast("due") == (0, "", "")


def test_no_diary_no_output_and_no_diary_made(run, db_path, fast):
    assert fast("due") == (0, "", "")
    assert run("due").out == ""
    assert not db_path.exists()


def test_catch_up_after_three_hours_asleep(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "yesterday")
    clock.move_to(datetime(2026, 11, 26, 7, 55, tzinfo=BERLIN))
    assert run("due").out == ""
    clock.move_to(datetime(2026, 11, 26, 11, 0, tzinfo=BERLIN))  # the machine slept from 07:55 to 11:00
    assert run("due").out == "08:00 sertraline 50 mg — due 3 h ago\n"
    clock.move_to(datetime(2026, 11, 26, 11, 5, tzinfo=BERLIN))
    assert run("due").out == ""


def test_json(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "yesterday")
    clock.move_to(datetime(2026, 11, 26, 8, 12, tzinfo=BERLIN))
    assert json.loads(run("due", "--json").out) == {
        "now": "2026-11-26T08:12:00+01:00", "timezone": "Europe/Berlin", "machine_timezone": "Europe/Berlin",
        "home_timezone": None,
        "reminders": [{"kind": "slot", "key": "slot:1:2026-11-26T08:00", "medication": "sertraline",
                       "text": "08:00 sertraline 50 mg — due 12 min ago", "time": "08:00", "date": "2026-11-26",
                       "dose": "50 mg", "due_at": "2026-11-26T08:00:00+01:00", "minutes_ago": 12,
                       "window_closes": "2026-11-26T20:00:00+01:00"}]}
    assert json.loads(run("due", "--json").out)["reminders"] == []


def test_home_zone_pins_dose_times_and_is_named(run, clock, monkeypatch):
    clock.move_to(datetime(2026, 11, 26, 7, 0, tzinfo=BERLIN))
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "yesterday")
    assert run("config", "timezone", "europe/berlin").out == "timezone = Europe/Berlin: dose times are kept in Europe/Berlin\n"
    monkeypatch.setenv("MEDDIARY_TZ", "America/New_York")  # travelling; 08:00 at home is 02:00 here
    clock.move_to(datetime(2026, 11, 26, 8, 5, tzinfo=BERLIN))
    assert run("due").out == "08:00 sertraline 50 mg — due 5 min ago (Europe/Berlin time)\n"
    obj = json.loads(run("due", "--json").out)
    assert (obj["timezone"], obj["machine_timezone"], obj["home_timezone"]) == ("Europe/Berlin", "America/New_York", "Europe/Berlin")
    assert run("config").out.splitlines() == ["timezone = Europe/Berlin (home zone; the machine's is America/New_York)",
                                              "crisis_line not set: the national line for Europe/Berlin is used "
                                              "(TelefonSeelsorge 0800 111 0 111 or 0800 111 0 222 (free, 24 hours))"]
    assert run("config", "timezone", "--unset").out == "timezone unset: dose times follow the machine's zone (America/New_York)\n"
    assert run("config", "timezone").out == "timezone not set: the machine's zone is used (America/New_York)\n"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "  ", "../etc/passwd", "/etc/localtime", "Europe/Berlin extra"])
def test_config_timezone_rejects_unknown_zones(run, dump, zone):
    before = dump()
    assert "unknown time zone" in run("config", "timezone", zone, expect=ExitCode.USAGE).err
    assert dump() == before


def test_config_rejects_unknown_settings(run):
    assert run("config", "colour", "red", expect=ExitCode.USAGE).err == "meddiary: unknown setting 'colour': use timezone, crisis_line\n"


def test_us_spring_forward_0230_reminded_at_0330_once(run, clock, monkeypatch):
    monkeypatch.setenv("MEDDIARY_TZ", "America/New_York")
    clock.move_to(datetime(2026, 3, 1, 12, 0, tzinfo=NEW_YORK))
    run("add", "sertraline", "--dose", "50mg", "--at", "02:30")
    said = []
    at = datetime(2026, 3, 8, 0, 0, tzinfo=NEW_YORK).astimezone(UTC)  # steps of 5 real minutes, not wall-clock ones
    while at < datetime(2026, 3, 8, 6, 0, tzinfo=NEW_YORK):
        clock.move_to(at)
        if out := run("due", "--repeat", "0").out:
            said.append((at.astimezone(NEW_YORK).strftime("%H:%M"), out))
        at += timedelta(minutes=5)
    assert said == [("03:30", "02:30 (at 03:30, after the clock change) sertraline 50 mg — due now\n")]


def test_us_fall_back_0130_reminded_once(run, clock, monkeypatch):
    monkeypatch.setenv("MEDDIARY_TZ", "America/New_York")
    clock.move_to(datetime(2026, 10, 25, 12, 0, tzinfo=NEW_YORK))
    run("add", "sertraline", "--dose", "50mg", "--at", "01:30")
    said = []
    at = datetime(2026, 11, 1, 0, 0, tzinfo=NEW_YORK).astimezone(UTC)
    for _ in range(48):  # four hours of runs: 01:00-01:59 happens twice
        clock.move_to(at)
        if out := run("due", "--repeat", "0").out:
            said.append((at.astimezone(NEW_YORK).strftime("%H:%M %Z"), out))
        at += timedelta(minutes=5)
    assert said == [("01:30 EDT", "01:30 sertraline 50 mg — due now\n")]


def test_machine_moved_to_another_zone_between_two_runs(run, clock, monkeypatch):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "yesterday")
    clock.move_to(datetime(2026, 11, 26, 7, 50, tzinfo=BERLIN))
    assert run("due").out == ""
    monkeypatch.setenv("MEDDIARY_TZ", "America/New_York")
    clock.move_to(datetime(2026, 11, 26, 8, 10, tzinfo=NEW_YORK))
    assert run("due").out == "08:00 sertraline 50 mg — due 10 min ago\n"
    clock.move_to(datetime(2026, 11, 26, 8, 15, tzinfo=NEW_YORK))
    assert run("due").out == ""


BAD = [
    (("--repeat", "5x"), "bad --repeat '5x'"),
    (("--repeat", "-1m"), "bad --repeat '-1m'"),
    (("--repeat", "25h"), "bad --repeat '25h'"),
    (("--repeat", "٣0m"), "bad --repeat '٣0m'"),
    (("--repeat", ""), "bad --repeat ''"),
    (("--repeat", "0.5h"), "bad --repeat '0.5h'"),
    (("--refill-days", "-1"), "bad --refill-days '-1'"),
    (("--refill-days", "366"), "bad --refill-days '366'"),
    (("--refill-days", "x"), "bad --refill-days 'x'"),
    (("--refill-days", "٣"), "bad --refill-days '٣'"),
    (("--refill-days", "nan"), "bad --refill-days 'nan'"),
]


@pytest.mark.parametrize("args,message", BAD)
def test_bad_input_exit_2_and_nothing_written_on_both_paths(run, clock, dump, fast, args, message):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "yesterday")
    before = dump()
    typer_err = run("due", *args, expect=ExitCode.USAGE).err
    assert typer_err.startswith(f"meddiary: {message}")
    assert fast("due", *args) == (ExitCode.USAGE, "", typer_err)
    assert dump() == before


@pytest.mark.parametrize("args", [("--bogus",), ("--repeat",), ("extra",), ("--notify=yes",)])
def test_unusual_options_behave_as_the_typer_command(run, fast, args):
    typer_result = run("due", *args, expect=ExitCode.USAGE)
    assert fast("due", *args) == (ExitCode.USAGE, typer_result.out, typer_result.err)


def test_help_is_the_typer_help(run, fast):
    code, out, _ = fast("due", "--help")
    assert code == 0 and out == run("due", "--help").out and "--repeat" in out and "--refill-days" in out


@pytest.mark.parametrize("args,expected", [
    (["due"], (None, {"json_out": False, "notify": False, "repeat": "30m", "refill_days": "7"})),
    (["--db", "x.db", "due", "--json", "--repeat", "0", "--refill-days=3"],
     ("x.db", {"json_out": True, "notify": False, "repeat": "0", "refill_days": "3"})),
    (["--db=x.db", "due", "--notify", "--repeat=2h"], ("x.db", {"json_out": False, "notify": True, "repeat": "2h", "refill_days": "7"})),
    (["due", "--repeat", "90min"], (None, {"json_out": False, "notify": False, "repeat": "90min", "refill_days": "7"})),
])
def test_fast_path_options(args, expected):
    assert grammar.hot(args) == ("due", *expected)
    assert (due.repeat_minutes(expected[1]["repeat"]), due.refill_days_value(expected[1]["refill_days"])) in \
        ((30, 7), (0, 3), (120, 7), (90, 7))


@pytest.mark.parametrize("args", [["--version"], ["due", "-h"], ["--db", "a", "--db", "b", "due"],
                                  ["due", "--repeat", "30m", "--repeat", "1h"], ["dues"], ["-v", "due"]])
def test_fast_path_leaves_everything_else_to_typer(args):
    assert (grammar.global_options_first(args) is None) or grammar.hot(grammar.global_options_first(args)) is None


def test_damaged_diary_same_error_on_both_paths(run, db_path, fast):
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not a database, just text" * 100)
    typer_err = run("due", expect=ExitCode.USAGE).err
    assert "is not a meddiary diary" in typer_err
    assert fast("due") == (ExitCode.USAGE, "", typer_err)


def test_fast_path_says_the_same_as_the_full_check_through_a_day(run, clock, fast, tmp_path, monkeypatch):
    """The quiet shortcut never hides a reminder: diary A runs the fast path, diary B the full check every
    time; the same records and clock give the same output."""
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    for db in (a, b):
        run("--db", db, "add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "yesterday")
        run("--db", db, "add", "lamotrigine", "--dose", "100mg", "--at", "08:00", "--at", "20:00", "--start", "yesterday")
        run("--db", db, "add", "lorazepam", "--dose", "1mg", "--as-needed", "--min-interval", "4h", "--start", "yesterday")
    events = {"08:40": ("take", "sertraline"), "09:10": ("take", "lamotrigine"), "11:20": ("take", "lorazepam"),
              "13:00": ("change", "sertraline", "--at", "08:00", "--at", "14:00", "--reason", "split", "--from", "today"),
              "14:50": ("take", "sertraline"), "21:30": ("undo",)}
    full = due.quiet
    said = {a: [], b: []}
    at = datetime(2026, 11, 26, 7, 0, tzinfo=BERLIN)
    while at <= datetime(2026, 11, 26, 23, 0, tzinfo=BERLIN):
        clock.move_to(at)
        hhmm = at.strftime("%H:%M")
        for db in (a, b):
            if hhmm in events:
                run("--db", db, *events[hhmm])
            monkeypatch.setattr(due, "quiet", full if db == a else (lambda opts, now: False))
            code, out, err = fast("--db", db, "due")
            assert (code, err) == (0, "")
            said[db] += [f"{hhmm} {line}" for line in out.splitlines()]
        at += timedelta(minutes=10)
    assert said[a] == said[b]
    assert said[a][:2] == ["08:00 08:00 lamotrigine 100 mg — due now", "08:00 08:00 sertraline 50 mg — due now"]
    assert "15:20 lorazepam: next dose allowed from 15:20" in said[a]
    assert "21:30 14:00 sertraline 50 mg — due 7 h 30 min ago" in said[a]  # the undo reopened the 14:00 dose


# -- real processes -------------------------------------------------------------------------------------

def bare_env(tmp_path, **extra) -> dict:
    """cron's environment: no terminal, no TERM, LANG=C, a HOME but no session."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C", "LOGNAME": "nobody", "SHELL": "/bin/sh", **extra}


def diary_with_a_due_dose(tmp_path) -> str:
    """A diary (real clock) with a dose due 10 minutes ago, in UTC so the test does not depend on the day's hour."""
    db = str(tmp_path / "d.db")
    env = {**os.environ, "MEDDIARY_TZ": "UTC", "MEDDIARY_DB": db}
    at = (datetime.now(ZoneInfo("UTC")) - timedelta(minutes=10)).strftime("%H:%M")
    subprocess.run([SCRIPT, "add", "sertraline", "--dose", "50mg", "--at", at, "--start", "yesterday"],
                   env=env, check=True, capture_output=True)
    return db


def test_under_crons_bare_environment(tmp_path):
    db = diary_with_a_due_dose(tmp_path)
    env = bare_env(tmp_path, MEDDIARY_TZ="UTC")
    first = subprocess.run([SCRIPT, "--db", db, "due"], env=env, capture_output=True, timeout=60)
    assert (first.returncode, first.stderr) == (0, b"")
    assert re.search(r" sertraline 50 mg — due 1[01] min ago\n$", first.stdout.decode("utf-8"))  # the minute may turn
    assert b"\x1b" not in first.stdout
    again = subprocess.run([SCRIPT, "--db", db, "due"], env=env, capture_output=True, timeout=60)
    assert (again.returncode, again.stdout, again.stderr) == (0, b"", b"")


def test_a_non_utf8_locale_does_not_crash(tmp_path):
    db = diary_with_a_due_dose(tmp_path)
    r = subprocess.run([SCRIPT, "--db", db, "due"], env=bare_env(tmp_path, MEDDIARY_TZ="UTC", PYTHONIOENCODING="latin-1"),
                       capture_output=True, timeout=60)
    assert (r.returncode, r.stderr) == (0, b"")
    assert re.search(rb" sertraline 50 mg \? due 1[01] min ago\n$", r.stdout)  # the minute may turn meanwhile


def test_two_due_runs_at_the_same_moment_remind_once(tmp_path):
    db = diary_with_a_due_dose(tmp_path)
    env = bare_env(tmp_path, MEDDIARY_TZ="UTC")
    procs = [subprocess.Popen([SCRIPT, "--db", db, "due"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(4)]
    results = [p.communicate(timeout=60) + (p.returncode,) for p in procs]
    assert [code for _, _, code in results] == [0, 0, 0, 0]
    assert [err for _, err, _ in results] == [b""] * 4
    assert sum(len(out.splitlines()) for out, _, _ in results) == 1


def imported_by_due(tmp_path, db, *args) -> set[str]:
    code = ("import sys\nfrom meddiary.entry import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(','.join(sorted({m.split('.')[0] for m in sys.modules})))\n")
    r = subprocess.run([sys.executable, "-c", code, "--db", db, "due", *args], env=bare_env(tmp_path, MEDDIARY_TZ="UTC"),
                       capture_output=True, text=True, timeout=60)
    return set(r.stderr.split(","))


def test_the_fast_path_imports_nothing_heavy(tmp_path):
    db = diary_with_a_due_dose(tmp_path)
    heavy = {"typer", "click", "rich", "sqlite_utils", "dateutil", "json", "pydantic"}
    assert imported_by_due(tmp_path, db) & heavy == set()  # the full check, reminding
    quiet = imported_by_due(tmp_path, db)  # nothing new: the quiet shortcut
    assert quiet & (heavy | {"meddiary.store", "pathlib", "zoneinfo"}) == set()
    assert "json" in imported_by_due(tmp_path, db, "--json")


def test_notify_without_notify_send_says_so(tmp_path):
    db = diary_with_a_due_dose(tmp_path)
    r = subprocess.run([SCRIPT, "--db", db, "due", "--notify"], env=bare_env(tmp_path, MEDDIARY_TZ="UTC", PATH=str(tmp_path)),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and re.search(r"due 1[01] min ago\n$", r.stdout)  # the minute may turn meanwhile
    assert r.stderr == ("meddiary: cannot notify: notify-send is not available here (on Debian/Ubuntu: apt install "
                        "libnotify-bin); the reminders are printed only\n")


def test_notify_sends_each_reminder(tmp_path):
    db = diary_with_a_due_dose(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "sent.txt"
    fake = bin_dir / "notify-send"
    fake.write_text(f"#!/bin/sh\nprintf '%s|' \"$DBUS_SESSION_BUS_ADDRESS\" \"$@\" >> {log}\necho >> {log}\n")
    fake.chmod(0o755)
    runtime = tmp_path / "run"  # the user's runtime folder, with the session bus in it (a stand-in file)
    runtime.mkdir()
    (runtime / "bus").write_text("")
    r = subprocess.run([SCRIPT, "--db", db, "due", "--notify"],
                       env=bare_env(tmp_path, MEDDIARY_TZ="UTC", PATH=f"{bin_dir}:/usr/bin:/bin",
                                    XDG_RUNTIME_DIR=str(runtime)),
                       capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stderr) == (0, "")
    [sent] = log.read_text().splitlines()
    assert sent.startswith(f"unix:path={runtime}/bus|--app-name=meddiary|meddiary|")  # the bus cron's env lacks
    assert re.search(r"sertraline 50 mg — due 1[01] min ago\|$", sent)


def test_notify_under_cron_without_a_session_bus_says_why_once(tmp_path):
    db = diary_with_a_due_dose(tmp_path)
    subprocess.run([SCRIPT, "--db", db, "add", "quetiapine", "--dose", "25mg", "--at",
                    (datetime.now(ZoneInfo("UTC")) - timedelta(minutes=5)).strftime("%H:%M"), "--start", "yesterday"],
                   env={**os.environ, "MEDDIARY_TZ": "UTC"}, check=True, capture_output=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "notify-send").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "notify-send").chmod(0o755)
    env = bare_env(tmp_path, MEDDIARY_TZ="UTC", PATH=f"{bin_dir}:/usr/bin:/bin")
    if Path(f"/run/user/{os.getuid()}/bus").exists():
        pytest.skip("this machine has a session bus for this user")
    r = subprocess.run([SCRIPT, "--db", db, "due", "--notify"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2  # two reminders, printed
    assert r.stderr == (f"meddiary: cannot notify: no desktop session bus: DBUS_SESSION_BUS_ADDRESS is not set and "
                        f"there is no /run/user/{os.getuid()}/bus (no one logged in to a desktop, or cron runs as "
                        "another user); the reminders are printed only\n")


def test_the_session_bus_is_found_in_run_user_from_cron(tmp_path, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(notify, "RUN_USER", str(tmp_path))
    assert notify.session_bus()[0] is None
    (tmp_path / str(os.getuid())).mkdir()
    (tmp_path / str(os.getuid()) / "bus").write_text("")
    assert notify.session_bus() == (f"unix:path={tmp_path}/{os.getuid()}/bus", None)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/elsewhere")
    assert notify.session_bus() == ("unix:path=/elsewhere", None)


def test_a_failing_notify_send_says_what_it_said(tmp_path):
    db = diary_with_a_due_dose(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "notify-send").write_text("#!/bin/sh\necho 'Cannot autolaunch D-Bus without X11 $DISPLAY' >&2\nexit 1\n")
    (bin_dir / "notify-send").chmod(0o755)
    r = subprocess.run([SCRIPT, "--db", db, "due", "--notify"],
                       env=bare_env(tmp_path, MEDDIARY_TZ="UTC", PATH=f"{bin_dir}:/usr/bin:/bin",
                                    DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bus"),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "sertraline" in r.stdout
    assert r.stderr == ("meddiary: cannot notify: notify-send failed on unix:path=/nonexistent/bus: Cannot autolaunch "
                        "D-Bus without X11 $DISPLAY; the reminders are printed only\n")
