"""Startup is a feature: what `import meddiary.cli` leaves out, --version, help for every command and
option, no diary opened for help or version; and the promise that nothing recorded is ever lost (undo
retracts, never deletes; nothing is updated in place)."""

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import typer

from meddiary import __version__
from meddiary.cli import app
from meddiary.errors import ExitCode

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN)
# Issues 2 and 7: `import meddiary.cli` loads none of rich (rich.table above all), sqlite_utils, dateutil and
# pydantic. Whole packages are checked, which covers rich.table and anything else of Rich.
HEAVY = ("rich", "sqlite_utils", "dateutil", "pydantic")


def python(*args, **kwargs):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=60, **kwargs)


# -- imports and version ------------------------------------------------------------------------------

# `meddiary.entry` is the console script's entry point: `meddiary due` (cron, 288 times a day) starts there
# and must not pay even for Typer when it has nothing to say.
@pytest.mark.parametrize("module, heavy", [
    ("meddiary.cli", HEAVY),
    ("meddiary.entry", HEAVY + ("typer", "click")),
])
def test_import_leaves_the_heavy_modules_out(module, heavy):
    result = python("-c", (
        f"import sys, {module}\n"
        f"heavy = [m for m in sys.modules if m.split('.')[0] in {heavy!r}]\n"
        "print(','.join(sorted(heavy)))\n"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_version_needs_no_heavy_module_either(tmp_path):
    code = (
        "import sys\n"
        "from meddiary.cli import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})), file=sys.stderr)\n")
    result = python("-c", code, env={"PATH": "", "MEDDIARY_DB": str(tmp_path / "d.db"), "HOME": str(tmp_path)})
    assert result.stdout == f"meddiary {__version__}\n"
    assert result.stderr.strip() == ""


def modules_loaded_by(args: list[str], prefixes: tuple[str, ...]) -> list[str]:
    """The modules under these top-level names that running the console script's entry point with `args`
    loaded (in a fresh interpreter, on the diary MEDDIARY_DB names)."""
    code = (
        "import atexit, sys\n"
        f"atexit.register(lambda: sys.stderr.write('LOADED:' + ','.join(sorted(m for m in sys.modules "
        f"if m.split('.')[0] in {prefixes!r})) + '\\n'))\n"
        "from meddiary.entry import main\n"
        f"main({args!r})\n")
    result = python("-c", code)
    assert result.returncode == 0, result.stderr
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("LOADED:")]
    return [m for m in line[len("LOADED:"):].split(",") if m]


# `meddiary.entry` sends these plain invocations to meddiary.actions without Typer (3.8x F of the 5x F budget).
@pytest.mark.parametrize("args", [["today"], [], ["take", "lorazepam"]])
def test_the_hot_commands_do_not_import_typer(run, clock, args):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "3", "--start", "2026-11-20")
    assert modules_loaded_by(args, ("typer", "click")) == []


def test_today_with_daily_every_n_days_and_cycle_medications_leaves_dateutil_out(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    run("add", "methylphenidate", "--dose", "10mg", "--at", "07:00", "--every", "2d", "--start", "2026-11-20")
    run("add", "estradiol", "--dose", "2mg", "--at", "08:00", "--cycle", "21/7", "--start", "2026-11-20")
    assert modules_loaded_by(["today"], ("dateutil",)) == []  # daily, every N days and cycles by arithmetic


def test_export_to_a_file_leaves_the_report_engine_out(run, clock, tmp_path):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    loaded = modules_loaded_by(["export", "--format", "json", "-o", str(tmp_path / "d.json")], ("meddiary",))
    assert "meddiary.outputs" in loaded  # what writes the file
    assert not {"meddiary.report", "meddiary.reporting", "meddiary.diary"} & set(loaded)


def test_python_dash_m_prints_the_version(tmp_path):
    result = python("-m", "meddiary", "--version", env={"MEDDIARY_DB": str(tmp_path / "d.db"), "HOME": str(tmp_path)})
    assert (result.returncode, result.stdout, result.stderr) == (0, f"meddiary {__version__}\n", "")
    assert not (tmp_path / "d.db").exists()


def test_the_console_script_shows_help(tmp_path):
    script = Path(sys.executable).parent / "meddiary"
    script = str(script) if script.exists() else shutil.which("meddiary")
    assert script, "the console script `meddiary` is not installed"
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60,
                            env={"MEDDIARY_DB": str(tmp_path / "d.db"), "HOME": str(tmp_path), "COLUMNS": "120"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: meddiary [OPTIONS] COMMAND [ARGS]...")
    assert not (tmp_path / "d.db").exists()


def test_version_in_process(run, db_path):
    assert run("--version").out == f"meddiary {__version__}\n"
    assert not db_path.exists()


# -- help ---------------------------------------------------------------------------------------------

ROOT = typer.main.get_command(app)
COMMANDS = sorted(ROOT.commands)


def option_names(command):
    """The options a command shows (hidden ones are old spellings kept working, e.g. `check phq9 --answers`)."""
    return [opt for p in command.params if p.param_type_name == "option" and not p.hidden for opt in p.opts]


def test_every_command_of_the_issue_is_there():
    assert {"add", "list", "show", "change", "taper", "stop", "take", "skip", "undo", "log", "today"} <= set(COMMANDS)


def test_root_help_names_every_command_and_option(run, db_path):
    result = run("--help")
    for name in COMMANDS:
        assert re.search(rf"^  {name}\s+\S", result.out, re.MULTILINE), name
    for opt in option_names(ROOT):
        assert opt in result.out
    assert not db_path.exists()


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_has_help_for_every_option(run, db_path, name, flag):
    command = ROOT.commands[name]
    result = run(name, flag)
    assert result.out.startswith(f"Usage: meddiary {name} ")
    assert command.help and " ".join(command.help.split()[:4]) in " ".join(result.out.split())
    for opt in option_names(command):
        assert re.search(rf"(^|[\s,]){re.escape(opt)}\b", result.out), f"{name} --help does not mention {opt}"
    for param in command.params:
        if param.param_type_name == "option" and param.name != "help":
            assert param.help, f"{name} {param.opts[0]} has no help text"
    assert not db_path.exists()


# -- nothing recorded is ever lost --------------------------------------------------------------------

def rows(path):
    """Every row of every table, as (table, row) pairs."""
    conn = sqlite3.connect(path)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {(n, tuple(r)) for n in names for r in conn.execute(f"SELECT * FROM [{n}]")}
    finally:
        conn.close()


def test_undo_retracts_and_keeps_the_entry(run, db_path):
    with time_machine.travel(NOW, tick=False):
        run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
        run("take", "sertraline", "--at", "08:03", "--note", "with breakfast")
        conn = sqlite3.connect(db_path)
        try:
            taken = conn.execute("SELECT * FROM entries").fetchall()
        finally:
            conn.close()
        run("undo")
        run("undo", expect=ExitCode.REFUSED)
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT * FROM entries").fetchall() == taken
        assert conn.execute("SELECT entry_id, at_utc, tz, reason FROM retractions").fetchall() == [
            (taken[0][0], "2026-11-26T08:00:00+00:00", "Europe/Berlin", "undo")]
    finally:
        conn.close()
    (e,) = json.loads(run("log", "--json").out)["entries"]
    assert (e["note"], e["retracted"]) == ("with breakfast", True)


def test_no_command_deletes_or_updates_a_row(run, db_path):
    """Whatever the person does, every row written before is still there, unchanged."""
    script = [
        ["add", "sertraline", "--dose", "50mg", "--at", "08:00", "--alias", "Zoloft", "--start", "2026-11-20"],
        ["add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "2", "--start", "2026-11-20"],
        ["take", "sertraline", "--at", "08:03"],
        ["take", "lorazepam", "--at", "07:00"],
        ["skip", "sertraline", "--at", "yesterday 08:00", "--reason", "forgot"],
        ["take", "sertraline", "--at", "yesterday 09:00"],  # replaces the skip
        ["undo"],
        ["undo"],
        ["take", "sertraline", "--yes"],
        ["change", "sertraline", "--dose", "100mg", "--from", "2026-11-28", "--reason", "Dr Lee"],
        ["change", "sertraline", "--dose", "75mg", "--from", "2026-11-28", "--reason", "Dr Lee, second thoughts"],
        ["taper", "sertraline", "--steps", "50mg,25mg,0", "--every", "1w", "--from", "2026-12-10", "--reason", "taper"],
        ["taper", "sertraline", "--steps", "50mg,0", "--every", "2w", "--from", "2026-12-10", "--reason", "slower"],
        ["stop", "lorazepam", "--reason", "not needed"],
        ["undo"],
    ]
    seen: set = set()
    with time_machine.travel(NOW, tick=False):
        for command in script:
            run(*command)
            now = rows(db_path)
            assert seen <= now, f"after {' '.join(command)}: rows changed or gone: {seen - now}"
            seen = now
    counts = {t: sum(1 for n, _ in seen if n == t) for t in ("entries", "regimens", "retractions")}
    # regimens: 2 starts, 2 changes, 3 + 2 taper steps, 1 stop; retractions: 3 undos, 1 superseded change,
    # 3 superseded taper steps
    assert counts == {"entries": 5, "regimens": 10, "retractions": 7}
