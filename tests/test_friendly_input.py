"""Friendlier input (issue 16, item 7): 8am, 8:00pm and 0800 where a time is asked; comma lists where a
list is meant; --db after the command too (Typer and the fast path alike); --json on config; backup's
result line on stderr. The time grammar's own tables are in test_timeparse.py."""

import json

import pytest

from meddiary import entry, grammar
from meddiary.errors import ExitCode


def test_add_takes_a_comma_list_of_times_in_any_accepted_form(run, clock):
    run("add", "quetiapine", "--dose", "25mg", "--at", "8am,20:00", "--at", "2230")
    med = json.loads(run("show", "quetiapine", "--json").out)
    assert med["regimen"]["times"] == ["08:00", "20:00", "22:30"]


def test_change_takes_a_comma_list_too(run, clock):
    run("add", "quetiapine", "--dose", "25mg", "--at", "08:00")
    run("change", "quetiapine", "--at", "07:30,9:30pm", "--reason", "evening dose added")
    assert json.loads(run("show", "quetiapine", "--json").out)["regimen"]["times"] == ["07:30", "21:30"]


@pytest.mark.parametrize("when, local", [("8am", "08:00"), ("0830", "08:30"), ("yesterday 9pm", "21:00"),
                                         ("yesterday 10:15 PM", "22:15")])
def test_take_at_in_twelve_hour_and_hhmm_forms(run, clock, when, local):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-01")
    run("take", "sertraline", "--at", when, "--yes")
    (entry_,) = json.loads(run("log", "--json").out)["entries"]
    assert entry_["at"][11:16] == local


def test_a_time_that_is_nearly_right_gets_the_form_to_type(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    err = run("take", "sertraline", "--at", "8", expect=ExitCode.USAGE).err
    assert err.startswith("meddiary: bad time '8': did you mean 08:00? use HH:MM")
    err = run("add", "x", "--dose", "5mg", "--at", "21", expect=ExitCode.USAGE).err
    assert err.startswith("meddiary: bad time of day '21': did you mean 21:00? use HH:MM (24-hour)")


# -- global options after the command -------------------------------------------------------------------

@pytest.mark.parametrize("args, hoisted", [
    (["today", "--db", "x.db"], ["--db", "x.db", "today"]),
    (["take", "sertraline", "--db=x.db"], ["--db=x.db", "take", "sertraline"]),
    (["due", "--json", "--db", "x.db"], ["--db", "x.db", "due", "--json"]),
    (["--db", "x.db", "today"], ["--db", "x.db", "today"]),
    (["log", "--", "--db", "x"], ["log", "--", "--db", "x"]),
    (["today", "--db"], ["today", "--db"]),  # no value: Typer's own message
])
def test_db_after_the_command_is_moved_before_it(args, hoisted):
    assert grammar.global_options_first(args) == hoisted


def test_the_fast_path_still_takes_db_after_the_command():
    command, db, values = grammar.hot(grammar.global_options_first(["take", "sertraline", "--db", "x.db"]))
    assert (command, db, values["names"]) == ("take", "x.db", ["sertraline"])
    assert grammar.hot(grammar.global_options_first(["due", "--db", "x.db"]))[:2] == ("due", "x.db")


def test_db_after_the_command_on_both_doors(run, clock, tmp_path):
    other = str(tmp_path / "other.db")
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--db", other)  # Typer
    run("take", "sertraline", "--db", other)  # the fast path
    assert "sertraline" in run("list", "--db", other).out
    assert len(json.loads(run("log", "--json", f"--db={other}").out)["entries"]) == 1
    assert run("list").out.startswith("no medications yet")  # the default diary untouched


def test_db_twice_is_one_line(run, clock, tmp_path):
    result = run("--db", "a.db", "today", "--db", "b.db", expect=ExitCode.USAGE)
    assert result.err == "meddiary: --db is given twice: give the diary once, e.g. meddiary --db FILE today\n"


# -- --json where something is listed; result lines on stderr ----------------------------------------------

def test_config_lists_its_settings_as_json(run, clock):
    doc = json.loads(run("config", "--json").out)
    assert doc == {"settings": {}, "timezone": "Europe/Berlin", "home_timezone": None,
                   "machine_timezone": "Europe/Berlin"}
    run("config", "timezone", "America/New_York")
    doc = json.loads(run("config", "--json").out)
    assert doc["settings"] == {"timezone": "America/New_York"} and doc["timezone"] == "America/New_York"
    assert json.loads(run("config", "timezone", "--json").out)["home_timezone"] == "America/New_York"
    err = run("config", "timezone", "UTC", "--json", expect=ExitCode.USAGE).err
    assert err.startswith("meddiary: --json lists the settings")


def test_every_command_that_lists_has_json():
    import typer

    from meddiary.cli import app

    root = typer.main.get_command(app)
    listing = ["list", "show", "log", "today", "due", "supply", "side-effects", "ask", "check", "config", "import"]
    for name in listing:
        assert any("--json" in getattr(p, "opts", ()) for p in root.commands[name].params), name


def test_backup_says_what_it_did_on_stderr(run, clock, tmp_path):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    result = run("backup", str(tmp_path / "copy.db"))
    assert result.out == ""
    assert result.err == f"backed up the diary to {tmp_path / 'copy.db'}\n"


def test_take_and_alias_take_comma_lists_too(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--alias", "Zoloft,Lustral", "--start", "2026-11-01")
    run("add", "quetiapine", "--dose", "25mg", "--at", "08:30", "--start", "2026-11-01")
    assert json.loads(run("show", "sertraline", "--json").out)["aliases"] == ["Zoloft", "Lustral"]
    out = run("take", "lustral,quetiapine").out
    assert "took sertraline 50 mg" in out and "took quetiapine 25 mg" in out
    err = run("take", "sertraline,", expect=ExitCode.USAGE).err
    assert err.startswith("meddiary: no medication ''")
