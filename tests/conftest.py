"""Hermetic tests: every test gets its own diary (MEDDIARY_DB under tmp_path), a fixed zone and width.

`run(*args, expect=ExitCode.OK)` invokes the real entry point in-process and fails loudly, showing
stderr, when the exit code is not the expected one.
"""

import importlib.util
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def benchmark_script(name: str):
    """A script of benchmarks/ (make_diary, run) as a module."""
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

from meddiary.entry import main
from meddiary.errors import ExitCode


FROZEN_NOW = datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # a Thursday


@pytest.fixture
def clock():
    """The clock frozen at FROZEN_NOW; `clock.move_to(...)` goes elsewhere."""
    with time_machine.travel(FROZEN_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def hermetic(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDDIARY_DB", str(tmp_path / "diary" / "diary.db"))
    monkeypatch.setenv("MEDDIARY_TZ", "Europe/Berlin")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("TZ", raising=False)
    return tmp_path


@dataclass
class Result:
    code: int
    out: str
    err: str


def invoke(capsys, args, entry=main, env=None) -> Result:
    """Run the CLI in-process, whatever its exit code (a test decides what it expects). `env`: the
    meddiary.actions.Env to run against (None: the real one, as a person's run gets)."""
    capsys.readouterr()
    try:
        entry(list(args), env) if env is not None else entry(list(args))
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def dump_of(path) -> str:
    """A diary file as SQL text: compare before and after to prove nothing was written."""
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


class Runner:
    """`run(*args, expect=ExitCode.OK)`: one run of meddiary, failing loudly when it exits otherwise.

    What a run runs against is given, never patched into meddiary's modules: `run.at_terminal("y\\n")` makes
    the runs after it a person at a terminal typing those lines; `run.use(crontab=[...], systemctl=[...])`
    gives them stand-in commands (see meddiary.actions.Env). Not a terminal unless a test says so: pytest's
    stdin is none, so the overuse guard refuses instead of asking."""

    def __init__(self, capsys):
        self.capsys = capsys
        self.options: dict = {}

    def at_terminal(self, typed: str) -> None:
        import io

        self.options.update(interactive=True, stdin=io.StringIO(typed))

    def use(self, **options) -> None:
        self.options.update(options)

    def env(self):
        from meddiary.actions import Env

        return Env(None, **self.options) if self.options else None

    def __call__(self, *args: str, expect: ExitCode = ExitCode.OK) -> Result:
        result = invoke(self.capsys, args, env=self.env())
        code = result.code
        assert code == expect, f"meddiary {' '.join(args)} exited {code}, expected {int(expect)}\nstdout:\n{result.out}\nstderr:\n{result.err}"
        return result


@pytest.fixture
def run(capsys):
    return Runner(capsys)


@pytest.fixture
def db_path(hermetic):
    return hermetic / "diary" / "diary.db"


@pytest.fixture
def dump(db_path):
    """The whole diary as SQL text: compare before and after to prove nothing was written."""

    def _dump() -> str:
        return dump_of(db_path) if db_path.exists() else ""

    return _dump
