"""`meddiary.entry` runs the hot commands (`take`, `skip`, `mood`, `today`, `due`) in every form their
declarations (meddiary.grammar) allow without Typer; the Typer commands are built from the same declarations
and call the same use cases. Both doors must behave alike: same output, errors, exit codes."""

import json

import pytest
from conftest import invoke

from meddiary import cli, entry, grammar
from meddiary.errors import ExitCode


def both(capsys, args):
    """(code, out, err) through the entry point's fast path and through Typer."""
    return [tuple(vars(invoke(capsys, args, entry=door)).values()) for door in (entry.main, cli.main)]


@pytest.mark.parametrize("args, fast", [
    ([], True), (["today"], True), (["today", "--json"], True), (["--db", "X", "today"], True),
    (["take", "sertraline"], True), (["take", "sertraline", "lorazepam"], True),
    (["take"], True), (["take", "--yes", "sertraline"], True), (["take", "-y", "x"], True),
    (["take", "sertraline", "--at", "08:00"], True), (["take", "x", "--at=08:00", "--dose", "25mg", "--note", "n"], True),
    (["take", "x", "--as-needed", "--for", "08:00"], True), (["take", "--", "-x"], True),
    (["skip", "x", "--reason", "forgot"], True), (["skip", "x", "--reason=forgot", "--at", "8am", "--note", "n"], True),
    (["mood", "6"], True), (["mood", "--sleep", "7.5", "--anxiety", "2", "--note", "x"], True), (["due"], True),
    (["due", "--json", "--notify", "--repeat", "0", "--refill-days=3"], True), (["--no-pager", "today"], True),
    (["today", "--help"], False), (["take", "-h"], False), (["take", ""], False), (["list"], False),
    (["--version"], False), (["take", "x", "--at"], False), (["take", "x", "--at", "1", "--at", "2"], False),
    (["take", "x", "--yes=1"], False), (["take", "x", "--bogus"], False), (["skip"], False),
    (["skip", "a", "b"], False), (["mood", "1", "2"], False), (["due", "--repeat", "30m", "--repeat", "1h"], False),
    (["today", "x"], False), (["--db", "", "today"], False),
    (["report"], True), (["report", "--since", "90d", "--format", "json"], True), (["--no-pager", "report"], True),
    (["report", "--from", "2026-11-01", "--to", "2026-11-20", "--med", "x", "-o", "r.html", "--window", "1h"], True),
    (["report", "--help"], False), (["report", "--json"], False), (["report", "--since"], False),
    (["check"], True), (["check", "--json"], True), (["export", "-o", "d.json"], True), (["export", "--days"], False), (["check", "phq9"], False), (["check", "--answers", "1"], False),
])
def test_which_invocations_take_the_fast_path(args, fast):
    assert (grammar.hot(args) is not None) == fast


def test_the_declarations_are_the_typer_commands():
    """Typer's commands are built from meddiary.grammar: the same options, flags and arguments."""
    from meddiary.cli import click_command

    group = click_command()
    for name, spec in grammar.FAST.items():
        command = group.commands[name]
        declared = {(p.dest, tuple(sorted(p.flags)), p.kind == "flag") for p in spec.params if p.flags}
        built = {(p.name, tuple(sorted(p.opts)), p.is_flag) for p in command.params if p.param_type_name == "option"
                 and p.name != "help" and not p.hidden}  # check's old spellings are hidden: Typer's alone
        assert built == declared, name
        assert [p.name for p in command.params if p.param_type_name == "argument" and not p.hidden] == \
            [p.dest for p in spec.params if not p.flags]


@pytest.mark.parametrize("args", [
    ["take", "sertraline", "--at", "08:00"], ["take", "sertraline", "--dose", "25mg", "--note", "half"],
    ["take", "sertraline", "--at", "08:00", "--yes"], ["take", "nothing"], ["take", "sertraline", "--dose", "x"],
    ["skip", "sertraline", "--reason", "forgot", "--at", "08:00"], ["skip", "sertraline"],
    ["mood", "6", "--sleep", "7h30", "--anxiety", "2"], ["mood", "11"], ["mood"], ["due"], ["due", "--json"],
    ["due", "--repeat", "5y"], ["report", "--since", "7d"], ["report", "--format", "json", "--since", "7d"],
    ["report", "--format", "markdown"], ["report", "--since", "nope"], ["report", "--format", "pdf"],
    ["check"], ["check", "--json"], ["export", "--format", "ics", "--days", "7"], ["export", "--format", "csv"],
    ["export", "--days", "7"], ["export", "--format", "ics", "--days", "x"], ["export", "--format", "pdf"],
    ["export", "-o", ""],
])
def test_every_form_says_the_same_through_both_doors(run, clock, capsys, tmp_path, args):
    """Two diaries made alike: the fast path runs on one, Typer on the other (a write changes the diary)."""
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    for db in (a, b):
        run("--db", db, "add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    assert grammar.hot(["--db", a, *args]) is not None
    fast = tuple(vars(invoke(capsys, ["--db", a, *args], entry=entry.main)).values())
    typer_path = tuple(vars(invoke(capsys, ["--db", b, *args], entry=cli.main)).values())
    named = lambda said, db: tuple(v.replace(db, "DIARY") if isinstance(v, str) else int(v) for v in said)  # noqa: E731
    assert named(fast, a) == named(typer_path, b)  # `check` names the diary


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


def test_take_skip_and_mood_say_what_they_recorded_as_json(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--at", "20:00", "--start", "2026-11-20")
    took = json.loads(run("take", "sertraline", "--at", "08:05", "--dose", "25mg", "--json").out)["recorded"]
    assert [(x["id"], x["kind"], x["medication"], x["dose"], x["prescribed"], x["different_dose"]) for x in took] == [
        (1, "take", "sertraline", "25 mg", "50 mg", True)]
    skipped = json.loads(run("skip", "sertraline", "--at", "yesterday 20:00", "--reason", "forgot", "--json").out)
    assert [(x["id"], x["kind"], x["reason"]) for x in skipped["recorded"]] == [(2, "skip", "forgot")]
    mood = json.loads(run("mood", "6", "--sleep", "7.5", "--json").out)["recorded"][0]
    assert (mood["id"], mood["kind"], mood["data"]["score"], mood["data"]["sleep_hours"]) == (3, "mood", 6, 7.5)
    assert json.loads(run("take", "--json").out) == {"recorded": []}  # nothing due at 09:00


def test_a_value_that_looks_like_a_global_option_stays_the_value(run, clock, capsys, tmp_path):
    # `--note --no-pager`: the note is "--no-pager" (as Click reads it), through both doors; --json still applies
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    assert grammar.global_options_first(["take", "x", "--note", "--no-pager", "--json"]) == \
        ["take", "x", "--note", "--no-pager", "--json"]
    assert grammar.global_options_first(["take", "x", "--note", "--db", "--json"]) == \
        ["take", "x", "--note", "--db", "--json"]
    assert grammar.global_options_first(["take", "x", "--yes", "--db", "d.db"]) == ["--db", "d.db", "take", "x", "--yes"]
    out = json.loads(run("take", "sertraline", "--at", "08:05", "--note", "--no-pager", "--json").out)
    assert out["recorded"][0]["note"] == "--no-pager"


def test_db_given_twice_is_the_same_line_through_both_doors(capsys, tmp_path):
    args = ["--db", str(tmp_path / "a.db"), "today", "--db", str(tmp_path / "b.db")]
    fast, typer_path = both(capsys, args)
    assert fast == typer_path
    assert fast[0] == 2 and fast[2] == "meddiary: --db is given twice: give the diary once, e.g. meddiary --db FILE today\n"


def test_an_empty_med_is_bad_input(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    assert "--med is empty" in run("report", "--med", "", expect=ExitCode.USAGE).err
