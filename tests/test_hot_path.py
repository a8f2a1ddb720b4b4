"""`meddiary.entry` runs plain `today`, bare `meddiary` and `take NAME…` without Typer (meddiary.actions);
the Typer commands call the same functions. Both doors must behave alike: same output, errors, exit codes."""

import pytest
from conftest import invoke

from meddiary import cli, entry
from meddiary.errors import ExitCode


def both(capsys, args):
    """(code, out, err) through the entry point's fast path and through Typer."""
    return [tuple(vars(invoke(capsys, args, entry=door)).values()) for door in (entry.main, cli.main)]


@pytest.mark.parametrize("args, fast", [
    ([], True), (["today"], True), (["today", "--json"], True), (["--db", "X", "today"], True),
    (["take", "sertraline"], True), (["take", "sertraline", "lorazepam"], True),
    (["take"], False), (["take", "--yes", "sertraline"], False), (["take", "-y", "x"], False),
    (["today", "--help"], False), (["due"], False), (["take", "sertraline", "--at", "08:00"], False),
    (["take", ""], False), (["list"], False), (["--version"], False),
])
def test_which_invocations_take_the_fast_path(args, fast):
    assert (entry.hot_options(args) is not None) == fast


@pytest.mark.parametrize("args", [[], ["today"], ["today", "--json"]])
def test_today_is_the_same_through_both_doors(run, clock, capsys, args):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    run("take", "sertraline", "--at", "08:05")
    fast, typer_path = both(capsys, args)
    assert fast == typer_path
    assert fast[0] == 0 and "sertraline" in fast[1]


def test_take_errors_are_the_same_through_both_doors(run, clock, capsys, dump):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    before = dump()
    unknown_fast, unknown_typer = both(capsys, ["take", "sertralin"])
    assert unknown_fast == unknown_typer
    assert unknown_fast[0] == ExitCode.USAGE and "did you mean sertraline?" in unknown_fast[2]
    assert dump() == before
    run("take", "sertraline")
    before = dump()
    double_fast, double_typer = both(capsys, ["take", "sertraline"])
    assert double_fast == double_typer
    assert double_fast[0] == ExitCode.REFUSED and "double dose" in double_fast[2]
    assert dump() == before


def test_take_records_once_through_the_fast_path(run, clock, capsys):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        entry.main(["take", "sertraline"])
    assert done.value.code == 0
    assert capsys.readouterr().out == "#1 took sertraline 50 mg today at 09:00 (08:00 dose)\n"
