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
def crontab(tmp_path, monkeypatch):
    """A stand-in crontab kept in a file; returns the file."""
    script = tmp_path / "fake_crontab.py"
    script.write_text(FAKE_CRONTAB)
    table = tmp_path / "crontab.txt"
    monkeypatch.setattr(cli_reminders, "CRONTAB", [sys.executable, str(script), str(table)])
    return table


def fields(line: str) -> tuple[list[str], list[str]]:
    words = shlex.split(line, comments=True)
    return words[:5], words[5:]


def test_the_line_runs_this_meddiary_on_this_diary_every_5_minutes(run, db_path):
    line = run("cron").out.rstrip("\n")
    schedule, command = fields(line)
    assert schedule == ["*/5", "*", "*", "*", "*"]
    program, *args = command
    assert os.path.isabs(program) and os.access(program, os.X_OK)
    assert args == ["--db", str(db_path), "due"]
    assert line.endswith(" # meddiary due")
    assert not db_path.exists()  # printing the line opens nothing


def test_the_line_runs_under_crons_environment(run, db_path, tmp_path):
    _, command = fields(run("cron").out)
    r = subprocess.run(command, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C", "SHELL": "/bin/sh"},
                       capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


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
                                   f"{cli_reminders.cron_line(cli_reminders.executable(), other)}\n")
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
    monkeypatch.setattr(cli_reminders, "CRONTAB", ["/nonexistent/crontab"])
    assert "no crontab command here" in run("cron", "--install", expect=ExitCode.USAGE).err


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
