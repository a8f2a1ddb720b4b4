"""An option that takes one value, given twice, is refused on every command (exit 2, one line naming it,
nothing written): the last value would otherwise silently win (`--max-per-day 3 --max-per-day 8`)."""

import pytest
import typer

from conftest import invoke
from meddiary.cli import app
from meddiary.cli_app import single_value
from meddiary.errors import ExitCode


def commands(group, path=()):
    for name, cmd in sorted(group.commands.items()):
        yield (*path, name), cmd
        if hasattr(cmd, "commands"):
            yield from commands(cmd, (*path, name))


ROOT = typer.main.get_command(app)
CASES = [((), opt) for opt in ROOT.params if single_value(opt)] + [
    (path, opt) for path, cmd in commands(ROOT) for opt in cmd.params if single_value(opt)]


def test_every_command_is_enumerated():
    names = {p[0] for p, _ in CASES if p}
    # the commands whose single-value options the issue names are among them
    assert {"add", "change", "take", "skip", "report", "due"} <= names
    assert len(CASES) > 40


@pytest.mark.parametrize("path,opt", CASES, ids=[" ".join((*p, max(o.opts, key=len))) for p, o in CASES])
@pytest.mark.parametrize("form", ["separate", "equals"])
def test_single_value_option_twice_is_refused(capsys, hermetic, path, opt, form):
    flag = max(opt.opts, key=len)
    twice = [flag, "1", flag, "2"] if form == "separate" else [f"{flag}=1", f"{flag}=2"]
    r = invoke(capsys, [*path, *twice] if path else [*twice, "list"])
    assert r.code == ExitCode.USAGE, r
    assert r.err.count("\n") == 1 and f"{flag} is given twice" in r.err
    assert not (hermetic / "diary").exists()  # nothing written, no diary made


def test_the_issues_inputs(capsys, hermetic):
    for args in (["add", "lamotrigine", "--dose", "50mg", "--at", "08:00", "--dose", "100mg", "--at", "20:00"],
                 ["add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "3", "--max-per-day", "8"],
                 ["take", "x", "--at", "08:00", "--at", "07:00"],
                 ["--db", "a.db", "--db", "b.db", "today"],
                 ["due", "--repeat", "30m", "--repeat", "2h"]):
        r = invoke(capsys, args)
        assert r.code == ExitCode.USAGE and "given twice" in r.err, (args, r)
    assert not (hermetic / "diary").exists()


def test_repeatable_options_and_flags_still_repeat(capsys):
    invoke(capsys, ["add", "lithium", "--dose", "400mg", "--at", "08:00", "--at", "20:00", "--alias", "Priadel",
                    "--alias", "Camcolit"])
    r = invoke(capsys, ["show", "lithium", "--json", "--json"])
    assert r.code == ExitCode.OK, r
