"""`meddiary cron`: the line (absolute program, the diary, every 5 minutes), --install idempotent,
--uninstall removes only our line. Against a stand-in crontab (a file), and the real `crontab` where the
user has no crontab yet (it is removed again afterwards)."""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from meddiary import cli_reminders
from meddiary.errors import ExitCode

FAKE_CRONTAB = r'''
import sys
path = sys.argv[1]
if sys.argv[2] == "-l":
    try:
        sys.stdout.write(open(path).read())
    except FileNotFoundError:
        sys.stderr.write("no crontab for tester\n")
        sys.exit(1)
elif sys.argv[2] == "-":
    open(path, "w").write(sys.stdin.read())
else:
    sys.exit(2)
'''


@pytest.fixture
def crontab(tmp_path, run):
    """A stand-in crontab kept in a file, given to the runs (Env(crontab=...)); returns the file."""
    script = tmp_path / "fake_crontab.py"
    script.write_text(FAKE_CRONTAB)
    table = tmp_path / "crontab.txt"
    run.use(crontab=[sys.executable, str(script), str(table)])
    return table


def fields(line: str) -> tuple[list[str], list[str]]:
    """The schedule and the command's words, as cron (\\% is %) and then sh would read them; a leading
    MEDDIARY_TZ=... assignment is left out of the command (zone_of gives it)."""
    words = shlex.split(line.replace("\\%", "%"), comments=True)
    command = words[5:]
    return words[:5], command[1:] if command and command[0].startswith("MEDDIARY_TZ=") else command


def zone_of(line: str) -> str | None:
    word = shlex.split(line, comments=True)[5]
    return word.removeprefix("MEDDIARY_TZ=") if word.startswith("MEDDIARY_TZ=") else None


def under_cron(line: str, home: Path) -> subprocess.CompletedProcess:
    """Run the line's command the way cron does: % rules applied, through /bin/sh, in cron's bare environment."""
    command = line.split(None, 5)[5].replace("\\%", "%")
    return subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C", "SHELL": "/bin/sh"})


def test_the_line_runs_this_meddiary_on_this_diary_every_5_minutes(run, db_path):
    line = run("cron").out.rstrip("\n")
    schedule, command = fields(line)
    assert schedule == ["*/5", "*", "*", "*", "*"]
    assert zone_of(line) == "Europe/Berlin"  # MEDDIARY_TZ is set (conftest) and cron has none
    program, *args = command
    assert os.path.isabs(program) and os.access(program, os.X_OK)
    assert args == ["--db", str(db_path), "due"]
    assert line.endswith(" # meddiary due")
    assert not db_path.exists()  # printing the line opens nothing


def test_the_line_runs_under_crons_environment(run, db_path, tmp_path):
    r = under_cron(run("cron").out.rstrip("\n"), tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


@pytest.mark.parametrize(("meddiary_tz", "tz", "zone"), [
    ("Europe/Berlin", None, "Europe/Berlin"),
    ("Asia/Tokyo", "America/New_York", "Asia/Tokyo"),
    (None, "America/New_York", "America/New_York"),
    (None, ":America/Chicago", "America/Chicago"),
    (None, None, None),  # cron has the system's zone too
    (None, "Not/AZone", None),  # an invalid TZ is not used (the system's zone is)
])
def test_the_zone_from_the_environment_goes_into_the_line(run, monkeypatch, meddiary_tz, tz, zone):
    for name, value in (("MEDDIARY_TZ", meddiary_tz), ("TZ", tz)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    line = run("cron").out.rstrip("\n")
    assert zone_of(line) == zone
    assert line.endswith(" due # meddiary due")


def test_the_home_zone_in_the_diary_needs_no_zone_in_the_line(run, clock):
    run("config", "timezone", "America/New_York")
    assert zone_of(run("cron").out) is None


def test_cron_runs_due_in_the_zone_of_the_line(run, db_path, tmp_path, clock, monkeypatch):
    monkeypatch.setenv("MEDDIARY_TZ", "Pacific/Kiritimati")  # far from the system's zone
    run("add", "x", "--dose", "1mg", "--at", "08:00", "--start", "2026-11-01")
    line = run("cron").out.rstrip("\n")
    r = under_cron(line.replace(" due ", " due --json "), tmp_path)
    assert r.returncode == 0 and '"timezone": "Pacific/Kiritimati"' in r.stdout


def test_a_percent_in_the_path_is_escaped_for_cron(run, crontab, tmp_path):
    db = tmp_path / "100%" / "d.db"
    line = run("--db", str(db), "cron").out.rstrip("\n")
    assert "\\%" in line and "%" not in line.replace("\\%", "")
    assert fields(line)[1][1:] == ["--db", str(db), "due"]
    run("--db", str(db), "cron", "--install")
    assert run("--db", str(db), "cron", "--install").out == f"already installed: {line}\n"
    assert crontab.read_text() == f"{line}\n"
    r = under_cron(line.replace(" due ", " due --json "), tmp_path)
    assert (r.returncode, r.stderr) == (0, "") and r.stdout.startswith("{")


def test_install_is_idempotent_and_keeps_other_lines(run, crontab, db_path, tmp_path):
    crontab.write_text("MAILTO=me@example.org\n0 3 * * * backup.sh\n")
    line = run("cron").out.rstrip("\n")
    assert run("cron", "--install").out == f"installed: {line}\n"
    assert crontab.read_text() == f"MAILTO=me@example.org\n0 3 * * * backup.sh\n{line}\n"
    assert run("cron", "--install").out == f"already installed: {line}\n"
    assert crontab.read_text().count("# meddiary due") == 1
    other = str(tmp_path / "other.db")
    run("--db", other, "cron", "--install")
    assert crontab.read_text().count("# meddiary due") == 2  # a second diary has a line of its own
    assert run("cron", "--uninstall").out == f"removed the meddiary line for {db_path} from your crontab\n"
    assert crontab.read_text() == ("MAILTO=me@example.org\n0 3 * * * backup.sh\n"
                                   f"{cli_reminders.cron_line(cli_reminders.executable(), other, 'Europe/Berlin')}\n")
    assert run("cron", "--uninstall").out == "nothing to remove: no meddiary line for this diary in your crontab\n"


def test_install_into_an_empty_crontab(run, crontab):
    line = run("cron").out.rstrip("\n")
    run("cron", "--install")
    assert crontab.read_text() == f"{line}\n"


def test_install_replaces_an_older_line_for_the_same_diary(run, crontab, db_path):
    old = f"*/10 * * * * /old/venv/bin/meddiary --db {db_path} due # meddiary due"
    crontab.write_text(old + "\n")
    line = run("cron").out.rstrip("\n")
    run("cron", "--install")
    assert crontab.read_text() == f"{line}\n"


def test_install_and_uninstall_together_is_bad_input(run, crontab):
    assert run("cron", "--install", "--uninstall", expect=ExitCode.USAGE).err == "meddiary: give --install or --uninstall, not both\n"
    assert not crontab.exists()


def test_no_crontab_command(run, monkeypatch):
    run.use(crontab=["/nonexistent/crontab"])
    assert "no crontab command here" in run("cron", "--install", expect=ExitCode.REFUSED).err
    assert "no crontab command here" in run("cron", "--uninstall", expect=ExitCode.REFUSED).err


@pytest.mark.parametrize(("script", "said"), [
    ("import sys; sys.stderr.write('crontab: cannot open spool\\n'); sys.exit(1)", "crontab -l failed: crontab: cannot open spool"),
    ("import sys\nif sys.argv[1] == '-l': sys.exit(0)\nsys.stderr.write('crontab: permission denied\\n'); sys.exit(1)",
     "crontab could not be written: crontab: permission denied"),
])
def test_a_failing_crontab_is_a_refusal(run, monkeypatch, tmp_path, script, said):
    path = tmp_path / "failing_crontab.py"
    path.write_text(script)
    run.use(crontab=[sys.executable, str(path)])
    err = run("cron", "--install", expect=ExitCode.REFUSED).err
    assert err.startswith(f"meddiary: {said}") and err.count("\n") == 1


def test_a_diary_path_with_spaces_is_quoted(run, tmp_path):
    db = tmp_path / "my diary" / "d.db"
    _, command = fields(run("--db", str(db), "cron").out)
    assert command[1:] == ["--db", str(db), "due"]


@pytest.mark.skipif(shutil.which("crontab") is None, reason="no crontab binary here")
def test_with_the_real_crontab(run, monkeypatch):
    if subprocess.run(["crontab", "-l"], capture_output=True).returncode == 0:
        pytest.skip("this user has a crontab; the test only uses the real one when there is none")
    try:
        line = run("cron").out.rstrip("\n")
        run("cron", "--install")
        run("cron", "--install")
        listed = subprocess.run(["crontab", "-l"], capture_output=True, text=True).stdout
        assert listed.splitlines().count(line) == 1
        run("cron", "--uninstall")
        listed = subprocess.run(["crontab", "-l"], capture_output=True, text=True).stdout
        assert "meddiary" not in listed
    finally:
        subprocess.run(["crontab", "-r"], capture_output=True)


# -- reminders that reach the person (issue 16): an encrypted diary, --notify, a systemd user timer ---------

PASS = "correct horse battery staple"


@pytest.fixture
def encrypted(run, clock, db_path, monkeypatch):
    pytest.importorskip("sqlcipher3")
    from fixtures.sample import fill

    fill(run, db_path)
    monkeypatch.setenv("MEDDIARY_PASSPHRASE", PASS)
    run("encrypt")
    monkeypatch.delenv("MEDDIARY_PASSPHRASE")
    return db_path


def test_install_for_an_encrypted_diary_without_a_passphrase_command_is_refused(run, crontab, encrypted):
    result = run("cron", "--install", expect=ExitCode.REFUSED)
    assert result.err.startswith(f"meddiary: not installed: {encrypted} is encrypted and the scheduled check cannot "
                                 "type its passphrase: set MEDDIARY_PASSPHRASE_COMMAND")
    assert not crontab.exists()
    printed = run("cron")  # printing it says the same, as a note
    assert printed.err.startswith("note: ") and "MEDDIARY_PASSPHRASE_COMMAND" in printed.err


def test_the_line_for_an_encrypted_diary_carries_the_passphrase_command_and_works_under_cron(
        run, crontab, encrypted, monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(PASS + "\n")
    monkeypatch.setenv("MEDDIARY_PASSPHRASE_COMMAND", f"cat {secret}")
    line = run("cron", "--install").out.removeprefix("installed: ").rstrip("\n")
    assert f"MEDDIARY_PASSPHRASE_COMMAND={shlex.quote(f'cat {secret}')}" in line
    assert PASS not in line  # never the passphrase itself
    r = under_cron(line.replace(" due ", " due --json "), tmp_path)
    assert r.returncode == 0 and r.stderr == "" and '"reminders"' in r.stdout


def test_notify_goes_into_the_line(run):
    assert run("cron", "--notify").out.rstrip("\n").endswith(" due --notify # meddiary due")


FAKE_SYSTEMCTL = r'''
import sys
open(sys.argv[1], "a").write(" ".join(sys.argv[2:]) + "\n")
sys.exit(int(sys.argv[2:3] == ["--fail"]))
'''


@pytest.fixture
def systemctl(tmp_path, monkeypatch, run):
    """A stand-in systemctl that logs its arguments; units go to XDG_CONFIG_HOME under tmp_path."""
    script = tmp_path / "fake_systemctl.py"
    script.write_text(FAKE_SYSTEMCTL)
    log = tmp_path / "systemctl.log"
    run.use(systemctl=[sys.executable, str(script), str(log)])
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return log


def test_a_systemd_user_timer_instead_of_cron(run, systemctl, db_path, tmp_path):
    name = cli_reminders.unit_name(str(db_path))
    folder = tmp_path / "config" / "systemd" / "user"
    printed = run("cron", "--systemd").out
    assert f"# {folder / (name + '.service')}" in printed and not folder.exists()  # printing installs nothing
    result = run("cron", "--systemd", "--install", "--notify")
    assert result.out == f"installed: {name}.timer runs 'meddiary due' every 5 minutes ({folder})\n"
    service = (folder / f"{name}.service").read_text()
    assert f"--db {db_path} due --notify\n" in service and "Environment=MEDDIARY_TZ=Europe/Berlin\n" in service
    timer = (folder / f"{name}.timer").read_text()
    assert "OnCalendar=*:0/5\n" in timer and "WantedBy=timers.target" in timer
    assert systemctl.read_text().splitlines() == ["--user daemon-reload", f"--user enable --now {name}.timer"]
    run("cron", "--systemd", "--uninstall")
    assert not (folder / f"{name}.service").exists() and not (folder / f"{name}.timer").exists()
    assert systemctl.read_text().splitlines()[2:] == [f"--user disable --now {name}.timer", "--user daemon-reload"]


def test_a_failing_systemctl_leaves_no_unit_behind(run, tmp_path, monkeypatch, db_path):
    script = tmp_path / "fail.py"
    script.write_text("import sys\nsys.stderr.write('Failed to connect to bus: No medium found\\n')\nsys.exit(1)\n")
    run.use(systemctl=[sys.executable, str(script)])
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    result = run("cron", "--systemd", "--install", expect=ExitCode.REFUSED)
    assert result.err == ("meddiary: systemctl --user daemon-reload failed: Failed to connect to bus: No medium found\n")
    assert list((tmp_path / "config" / "systemd" / "user").iterdir()) == []


def test_a_systemd_unit_quotes_what_systemd_would_read_otherwise(tmp_path):
    units = cli_reminders.systemd_units("/opt/med diary/bin/meddiary", "/home/a/100% sure/d.db", None, "pass show m", False)
    service = units[next(n for n in units if n.endswith(".service"))]
    assert 'ExecStart="/opt/med diary/bin/meddiary" --db "/home/a/100%% sure/d.db" due\n' in service
    assert 'Environment="MEDDIARY_PASSPHRASE_COMMAND=pass show m"\n' in service
