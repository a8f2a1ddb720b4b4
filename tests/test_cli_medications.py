"""The medication commands through the CLI: add, list, show, change, taper, stop, and finding a medication
by name or alias (case-insensitive, with "did you mean" for typos).

Time is frozen at Thursday 2026-11-26 09:00 in Europe/Berlin (the zone the hermetic fixture sets).
"""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from meddiary.errors import ExitCode

BERLIN = ZoneInfo("Europe/Berlin")



def regimen(start, kind="start", dose=None, amount=None, unit="mg", times=(), end=None, days=None,
            every_days=None, max_per_day=None, min_interval_minutes=None, reason=None, units_per_dose=None,
            strength=None):
    """The JSON object of one regimen, as `show --json` and `list --json` print it (one dose for every time)."""
    stop = kind in ("stop", "pause")
    schedule = None if stop else "as_needed" if not times else "weekdays" if days else \
        "every" if every_days and every_days > 1 else "daily"
    each = [] if stop else [{"time": t, "dose": dose, "dose_amount": amount} for t in times]
    total = amount * len(times) if amount is not None and times else None
    return {
        "start_date": start, "end_date": end, "kind": kind, "dose": dose, "dose_amount": amount,
        "dose_unit": unit if not stop else None, "schedule": schedule, "times": list(times), "doses": each,
        "daily_dose": (f"{total:g} {unit}" if total is not None else None), "days": days,
        "every_days": every_days, "every_months": None, "cycle": None,
        "counts_from": start if schedule == "every" else None, "window_days": None, "as_needed_dose": None,
        "max_amount_per_24h": None, "max_per_day": max_per_day, "min_interval_minutes": min_interval_minutes,
        "reason": reason, "units_per_dose": units_per_dose, "strength": strength,
    }


SERTRALINE_50 = regimen("2026-11-20", dose="50 mg", amount=50.0, times=["08:00"])


@pytest.fixture
def sertraline(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--alias", "Zoloft", "--for", "depression",
        "--start", "2026-11-20", "--note", "with breakfast")


def show_json(run, name):
    return json.loads(run("show", name, "--json").out)


def list_json(run, *args):
    return json.loads(run("list", "--json", *args).out)["medications"]


# -- add ----------------------------------------------------------------------------------------------

ADD_CASES = [
    # (arguments after NAME, what `add` says after "added foo ")
    (["--dose", "50mg", "--at", "08:00"], "50 mg at 08:00 daily, from 2026-11-26"),
    (["--dose", "50 mg", "--at", "20:00", "--at", "08:00", "--at", "08:00"], "50 mg at 08:00, 20:00 daily, from 2026-11-26"),
    (["--dose", "10mg", "--at", "08:00", "--days", "mon,wed,fri"], "10 mg at 08:00 on mon,wed,fri, from 2026-11-26"),
    (["--dose", "10mg", "--at", "08:00", "--days", "Friday,monday"], "10 mg at 08:00 on mon,fri, from 2026-11-26"),
    (["--dose", "10mg", "--at", "08:00", "--every", "2d"], "10 mg at 08:00 every 2 days, from 2026-11-26"),
    (["--dose", "10mg", "--at", "08:00", "--every", "1w"], "10 mg at 08:00 every 7 days, from 2026-11-26"),
    (["--dose", "100mcg", "--at", "7:05"], "100 mcg at 07:05 daily, from 2026-11-26"),
    (["--dose", "1tablet", "--at", "08:00"], "1 tablet at 08:00 daily, from 2026-11-26"),
    (["--dose", "2 tabs", "--at", "08:00"], "2 tablets at 08:00 daily, from 2026-11-26"),
    (["--dose", "5ml", "--at", "08:00", "--start", "yesterday"], "5 ml at 08:00 daily, from 2026-11-25"),
    (["--dose", "5ml", "--at", "08:00", "--start", "2026-12-01"], "5 ml at 08:00 daily, from 2026-12-01"),
    (["--dose", "0.5mg", "--as-needed"], "0.5 mg as needed, from 2026-11-26"),
    (["--dose", "0.5mg", "--as-needed", "--max-per-day", "3"], "0.5 mg as needed, at most 3 in 24 h, from 2026-11-26"),
    (["--dose", "0.5mg", "--as-needed", "--max-per-day", "3", "--min-interval", "4h"],
     "0.5 mg as needed, at most 3 in 24 h, at least 4 h apart, from 2026-11-26"),
    (["--dose", "0.5mg", "--as-needed", "--min-interval", "90m"], "0.5 mg as needed, at least 90 min apart, from 2026-11-26"),
]


@pytest.mark.parametrize("args, said", ADD_CASES)
def test_add_says_what_it_recorded(run, clock, args, said):
    result = run("add", "foo", *args)
    assert result.out == f"added foo {said}\n"
    assert result.err == ""


def test_add_keeps_every_detail(run, sertraline):
    assert show_json(run, "sertraline") == {
        "name": "sertraline", "aliases": ["Zoloft"], "for": "depression", "note": "with breakfast",
        "as_needed": False, "status": "active", "since": "2026-11-20", "stopped_on": None, "paused_until": None,
        "regimen": SERTRALINE_50, "history": [SERTRALINE_50], "superseded": [],
    }


def test_add_as_needed_keeps_its_limits(run, clock):
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "3", "--min-interval", "4h",
        "--for", "panic")
    (med,) = list_json(run)
    assert med["as_needed"] is True
    assert med["for"] == "panic"
    assert med["regimen"] == regimen("2026-11-26", dose="0.5 mg", amount=0.5, max_per_day=3, min_interval_minutes=240)


def test_add_normalises_the_name_but_keeps_its_case(run, clock):
    run("add", "  Lithium   carbonate ", "--dose", "400mg", "--at", "08:00")
    assert [m["name"] for m in list_json(run)] == ["Lithium carbonate"]
    assert show_json(run, "lithium CARBONATE")["name"] == "Lithium carbonate"


def test_add_several_aliases(run, clock):
    run("add", "quetiapine", "--dose", "100mg", "--at", "22:00", "--alias", "Seroquel", "--alias", "Seroquel XR")
    assert show_json(run, "seroquel xr")["aliases"] == ["Seroquel", "Seroquel XR"]


# -- list ---------------------------------------------------------------------------------------------

def test_list_of_an_empty_diary(run, clock):
    assert run("list").out == "no medications yet: add one with 'meddiary add NAME --dose 50mg --at 08:00'\n"
    assert list_json(run) == []


def test_list_text(run, sertraline):
    run("add", "quetiapine", "--dose", "100mg", "--at", "22:00")
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "3", "--min-interval", "4h")
    run("add", "lithium", "--dose", "400mg", "--at", "08:00", "--start", "tomorrow")
    assert run("list").out == (
        "lithium              400 mg at 08:00 daily  [planned]\n"
        "lorazepam            0.5 mg as needed, at most 3 in 24 h, at least 4 h apart\n"
        "quetiapine           100 mg at 22:00 daily\n"
        "sertraline (Zoloft)  50 mg at 08:00 daily  for depression\n"
    )


def test_list_json_is_the_documented_object(run, sertraline):
    assert list_json(run) == [{
        "name": "sertraline", "aliases": ["Zoloft"], "for": "depression", "note": "with breakfast",
        "as_needed": False, "status": "active", "since": "2026-11-20", "stopped_on": None, "paused_until": None,
        "regimen": SERTRALINE_50,
    }]


def test_list_leaves_out_stopped_medications_unless_all(run, sertraline):
    run("add", "quetiapine", "--dose", "100mg", "--at", "22:00", "--start", "2026-11-20")
    run("stop", "quetiapine", "--on", "2026-11-25")
    assert [m["name"] for m in list_json(run)] == ["sertraline"]
    assert [(m["name"], m["status"], m["stopped_on"]) for m in list_json(run, "--all")] == [
        ("quetiapine", "stopped", "2026-11-25"), ("sertraline", "active", None)]
    assert "quetiapine" not in run("list").out
    assert run("list", "--all").out == (
        "quetiapine           100 mg at 22:00 daily  [stopped 2026-11-25]\n"
        "sertraline (Zoloft)  50 mg at 08:00 daily  for depression\n"
    )


def test_a_planned_medication_is_listed_as_planned(run, clock):
    run("add", "lithium", "--dose", "400mg", "--at", "08:00", "--start", "2026-12-01")
    (med,) = list_json(run)
    assert (med["status"], med["since"]) == ("planned", "2026-12-01")


# -- show ---------------------------------------------------------------------------------------------

def test_show_text(run, sertraline):
    assert run("show", "sertraline").out == (
        "sertraline (Zoloft)\n"
        "  for:      depression\n"
        "  status:   active\n"
        "  regimen:  50 mg at 08:00 daily (since 2026-11-20)\n"
        "  note:     with breakfast\n"
        "  history:\n"
        "    2026-11-20 –              start     50 mg at 08:00 daily\n"
    )


# -- change -------------------------------------------------------------------------------------------

def test_change_adds_a_regimen_and_ends_the_previous_one_the_day_before(run, sertraline):
    result = run("change", "sertraline", "--dose", "100mg", "--from", "2026-11-28", "--reason", "Dr Lee increased it")
    assert result.out == "changed sertraline from 2026-11-28: 100 mg at 08:00 daily (Dr Lee increased it)\n"
    med = show_json(run, "sertraline")
    new = regimen("2026-11-28", "change", "100 mg", 100.0, times=["08:00"], reason="Dr Lee increased it")
    assert med["history"] == [{**SERTRALINE_50, "end_date": "2026-11-27"}, new]
    assert med["regimen"] == SERTRALINE_50  # today is still before the change
    assert med["superseded"] == []


def test_change_from_today_is_in_force_today(run, sertraline):
    run("change", "zoloft", "--dose", "75mg", "--reason", "side effects")
    med = show_json(run, "sertraline")
    assert med["regimen"] == regimen("2026-11-26", "change", "75 mg", 75.0, times=["08:00"], reason="side effects")
    assert med["history"][0]["end_date"] == "2026-11-25"


CHANGE_CASES = [
    # (change options, the new regimen's schedule fields)
    (["--at", "21:00", "--at", "09:00"], {"times": ["09:00", "21:00"], "days": None, "every_days": None}),
    (["--days", "mon,thu"], {"times": ["08:00"], "days": "mon,thu", "every_days": None}),
    (["--every", "2d"], {"times": ["08:00"], "days": None, "every_days": 2}),
]


@pytest.mark.parametrize("options, fields", CHANGE_CASES)
def test_change_times_and_days_keeps_the_dose(run, sertraline, options, fields):
    run("change", "sertraline", *options, "--reason", "new plan")
    current = show_json(run, "sertraline")["regimen"]
    assert {k: current[k] for k in fields} == fields
    assert (current["dose"], current["kind"], current["start_date"]) == ("50 mg", "change", "2026-11-26")


def test_change_days_back_to_daily(run, clock):
    run("add", "foo", "--dose", "1mg", "--at", "08:00", "--days", "mon,wed")
    run("change", "foo", "--days", "daily", "--reason", "every day now")
    assert show_json(run, "foo")["regimen"]["days"] is None
    assert run("list").out == "foo  1 mg at 08:00 daily\n"


def test_change_an_as_needed_medication_limits(run, clock):
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "3")
    run("change", "lorazepam", "--max-per-day", "2", "--min-interval", "6h", "--reason", "less")
    current = show_json(run, "lorazepam")["regimen"]
    assert (current["max_per_day"], current["min_interval_minutes"], current["dose"]) == (2, 360, "0.5 mg")


def test_a_second_change_from_the_same_day_supersedes_the_first_which_is_kept(run, sertraline):
    run("change", "sertraline", "--dose", "100mg", "--from", "2026-11-28", "--reason", "first plan")
    run("change", "sertraline", "--dose", "75mg", "--from", "2026-11-28", "--reason", "second plan")
    med = show_json(run, "sertraline")
    assert [(r["start_date"], r["dose"], r["reason"]) for r in med["history"]] == [
        ("2026-11-20", "50 mg", None), ("2026-11-28", "75 mg", "second plan")]
    assert [(r["start_date"], r["dose"], r["reason"]) for r in med["superseded"]] == [
        ("2026-11-28", "100 mg", "first plan")]
    assert "superseded plans (kept):" in run("show", "sertraline").out


def test_a_dose_change_scales_the_units_per_dose_when_no_strength_is_known(run, clock):
    run("add", "lithium", "--dose", "400mg", "--at", "20:00", "--units-per-dose", "1", "--start", "2026-11-01")
    result = run("change", "lithium", "--dose", "800mg", "--reason", "level low")
    assert result.out == ("changed lithium from 2026-11-26: 800 mg at 20:00 daily; units per dose 2 (was 1, scaled "
                          "with the dose; give --units-per-dose N if the tablets changed) (level low)\n")
    assert show_json(run, "lithium")["regimen"]["units_per_dose"] == 2


def test_a_dose_change_with_units_per_dose_given_uses_them(run, clock):
    run("add", "lithium", "--dose", "400mg", "--at", "20:00", "--units-per-dose", "1", "--start", "2026-11-01")
    result = run("change", "lithium", "--dose", "800mg", "--units-per-dose", "1", "--reason", "800 mg tablets")
    assert result.out == "changed lithium from 2026-11-26: 800 mg at 20:00 daily (800 mg tablets)\n"
    assert show_json(run, "lithium")["regimen"]["units_per_dose"] == 1


def test_a_change_of_times_keeps_the_units_per_dose(run, clock):
    run("add", "lithium", "--dose", "400mg", "--at", "20:00", "--units-per-dose", "1", "--start", "2026-11-01")
    assert run("change", "lithium", "--at", "21:00", "--reason", "later").out == (
        "changed lithium from 2026-11-26: 400 mg at 21:00 daily (later)\n")
    assert show_json(run, "lithium")["regimen"]["units_per_dose"] == 1


def test_taper_steps_scale_the_units_per_dose(run, clock):
    run("add", "lithium", "--dose", "800mg", "--at", "20:00", "--units-per-dose", "2", "--start", "2026-11-01")
    result = run("taper", "lithium", "--steps", "400mg,0", "--every", "1w", "--reason", "taper")
    assert result.out == ("planned lithium as a taper in 2 steps (taper):\n"
                          "  from 2026-11-26  400 mg at 20:00 daily; units per dose 1 (was 2, scaled with the dose)\n"
                          "  from 2026-12-03  stop\n")
    assert show_json(run, "lithium")["regimen"]["units_per_dose"] == 1


# -- taper --------------------------------------------------------------------------------------------

def test_taper_plans_steps_and_the_final_zero_stops(run, clock):
    run("add", "venlafaxine", "--dose", "150mg", "--at", "08:00", "--start", "2026-10-01")
    result = run("taper", "venlafaxine", "--steps", "100mg,75mg,37.5mg,0", "--every", "2w", "--from", "2026-12-01",
                 "--reason", "agreed with Dr Lee")
    assert result.out == (
        "planned venlafaxine as a taper in 4 steps (agreed with Dr Lee):\n"
        "  from 2026-12-01  100 mg at 08:00 daily\n"
        "  from 2026-12-15  75 mg at 08:00 daily\n"
        "  from 2026-12-29  37.5 mg at 08:00 daily\n"
        "  from 2027-01-12  stop\n"
    )
    med = show_json(run, "venlafaxine")
    assert [(r["start_date"], r["end_date"], r["kind"], r["dose"], r["reason"]) for r in med["history"]] == [
        ("2026-10-01", "2026-11-30", "start", "150 mg", None),
        ("2026-12-01", "2026-12-14", "taper", "100 mg", "agreed with Dr Lee (step 1 of 4)"),
        ("2026-12-15", "2026-12-28", "taper", "75 mg", "agreed with Dr Lee (step 2 of 4)"),
        ("2026-12-29", "2027-01-11", "taper", "37.5 mg", "agreed with Dr Lee (step 3 of 4)"),
        ("2027-01-12", None, "stop", None, "agreed with Dr Lee (step 4 of 4)"),
    ]
    assert (med["status"], med["stopped_on"]) == ("active", "2027-01-12")


def test_a_tapered_medication_is_stopped_after_its_last_step(run, clock):
    run("add", "venlafaxine", "--dose", "150mg", "--at", "08:00", "--start", "2026-10-01")
    run("taper", "venlafaxine", "--steps", "75mg,0", "--every", "10d", "--reason", "taper")
    clock.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN))
    assert show_json(run, "venlafaxine")["regimen"]["dose"] == "75 mg"
    clock.move_to(datetime(2026, 12, 6, 9, 0, tzinfo=BERLIN))
    assert list_json(run) == []
    (med,) = list_json(run, "--all")
    assert (med["status"], med["stopped_on"]) == ("stopped", "2026-12-06")


def test_titration_upwards_works_the_same_way(run, clock):
    run("add", "lamotrigine", "--dose", "25mg", "--at", "08:00")
    run("taper", "lamotrigine", "--steps", "50mg,100mg,200mg", "--every", "2w", "--from", "2026-12-10",
        "--reason", "titration")
    med = show_json(run, "lamotrigine")
    assert [(r["start_date"], r["kind"], r["dose"]) for r in med["history"]] == [
        ("2026-11-26", "start", "25 mg"), ("2026-12-10", "titration", "50 mg"),
        ("2026-12-24", "titration", "100 mg"), ("2027-01-07", "titration", "200 mg")]
    assert med["stopped_on"] is None


def test_a_new_taper_supersedes_the_planned_one_and_keeps_it(run, clock):
    run("add", "venlafaxine", "--dose", "150mg", "--at", "08:00", "--start", "2026-10-01")
    run("taper", "venlafaxine", "--steps", "100mg,0", "--every", "2w", "--from", "2026-12-01", "--reason", "fast")
    run("taper", "venlafaxine", "--steps", "100mg,50mg,0", "--every", "4w", "--from", "2026-12-01", "--reason", "slow")
    med = show_json(run, "venlafaxine")
    assert [r["reason"] for r in med["history"][1:]] == [
        "slow (step 1 of 3)", "slow (step 2 of 3)", "slow (step 3 of 3)"]
    assert [r["reason"] for r in med["superseded"]] == ["fast (step 1 of 2)", "fast (step 2 of 2)"]


# -- stop ---------------------------------------------------------------------------------------------

def test_stop_today(run, sertraline):
    assert run("stop", "zoloft", "--reason", "side effects").out == "stopped sertraline from 2026-11-26 (side effects)\n"
    med = show_json(run, "sertraline")
    assert (med["status"], med["stopped_on"]) == ("stopped", "2026-11-26")
    assert med["history"][-1] == regimen("2026-11-26", "stop", unit=None, reason="side effects")
    assert med["history"][0]["end_date"] == "2026-11-25"
    assert med["regimen"] == SERTRALINE_50  # the last dosing regimen, for reference


def test_stop_without_a_reason(run, sertraline):
    assert run("stop", "sertraline", "--on", "2026-12-01").out == "stopped sertraline from 2026-12-01\n"
    med = show_json(run, "sertraline")
    assert (med["status"], med["stopped_on"]) == ("active", "2026-12-01")


def test_a_stopped_medication_has_no_doses_today(run, sertraline):
    run("stop", "sertraline", "--on", "2026-11-25")
    assert json.loads(run("today", "--json").out)["slots"] == []


# -- names: case, aliases, did you mean ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["sertraline", "SERTRALINE", "Sertraline", "zoloft", "ZOLOFT", " Zoloft "])
def test_names_and_aliases_are_case_insensitive(run, sertraline, name):
    assert show_json(run, name)["name"] == "sertraline"


@pytest.mark.parametrize("command", [
    ["show"], ["change", "--dose", "1mg", "--reason", "x"], ["stop"], ["take"], ["skip", "--reason", "forgot"],
    ["taper", "--steps", "25mg,0", "--every", "1w", "--reason", "x"]])
def test_a_typo_suggests_the_medication(run, sertraline, dump, command):
    before = dump()
    result = run(command[0], "sertralin", *command[1:], expect=ExitCode.USAGE)
    assert result.err == "meddiary: no medication 'sertralin' — did you mean sertraline?\n"
    assert result.out == ""
    assert dump() == before


def test_a_typo_of_an_alias_suggests_the_canonical_name(run, sertraline):
    result = run("show", "zolof", expect=ExitCode.USAGE)
    assert result.err == "meddiary: no medication 'zolof' — did you mean sertraline?\n"


def test_several_close_names_are_all_suggested(run, clock):
    run("add", "clonazepam", "--dose", "0.5mg", "--at", "08:00")
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed")
    result = run("show", "olazepam", expect=ExitCode.USAGE)
    assert result.err == "meddiary: no medication 'olazepam' — did you mean lorazepam or clonazepam?\n"


def test_an_unknown_name_lists_the_known_ones(run, sertraline):
    run("add", "quetiapine", "--dose", "100mg", "--at", "22:00")
    result = run("show", "aspirin", expect=ExitCode.USAGE)
    assert result.err == "meddiary: no medication 'aspirin'; known medications: quetiapine, sertraline\n"


def test_an_unknown_name_in_an_empty_diary(run, clock):
    result = run("show", "aspirin", expect=ExitCode.USAGE)
    assert result.err == "meddiary: no medication 'aspirin'; known medications: none yet; add one with 'meddiary add NAME'\n"


@pytest.mark.parametrize("command, rule", [
    (["change", "--dose", "100mg"], "a change must be on or after that day"),
    (["taper", "--steps", "25mg,0", "--every", "1w"], "a taper must start on or after that day")])
def test_a_change_before_the_medication_started_is_refused(run, sertraline, dump, command, rule):
    """Like a stop: it would silently supersede the 'start' regimen and move the start back."""
    before = dump()
    result = run(command[0], "sertraline", *command[1:], "--from", "2026-11-01", "--reason", "x",
                 expect=ExitCode.USAGE)
    assert result.err == f"meddiary: sertraline starts on 2026-11-20: {rule}\n"
    assert dump() == before


# -- found in review -------------------------------------------------------------------------------

def test_a_stop_on_the_start_day_keeps_the_start_in_the_history(run, clock):
    run("add", "quetiapine", "--dose", "100mg", "--at", "22:00")
    run("stop", "quetiapine", "--reason", "prescribed by mistake")
    shown = show_json(run, "quetiapine")
    assert [r["kind"] for r in shown["history"]] == ["start", "stop"]
    assert shown["superseded"] == []
    assert shown["status"] == "stopped"
    assert shown["regimen"]["dose"] == "100 mg"


def test_superseded_plans_are_timed_in_the_local_zone(run, clock, sertraline):
    run("taper", "sertraline", "--steps", "25mg,0", "--every", "1w", "--from", "2026-12-01", "--reason", "plan")
    run("change", "sertraline", "--dose", "75mg", "--from", "2026-11-30", "--reason", "new plan")
    superseded = show_json(run, "sertraline")["superseded"]
    assert [s["superseded_at"] for s in superseded] == ["2026-11-26T09:00:00+01:00"] * 2


@pytest.mark.parametrize("args", [["take", "--help"], ["--db", "x.db", "take", "--help"], ["--help"]])
def test_help_through_the_lean_app(run, args):
    assert "Usage: meddiary" in run(*args).out


def test_a_dose_too_large_is_bad_input(run, clock, dump):
    before = dump()
    result = run("add", "x", "--dose", "99999999mg", "--at", "08:00", expect=ExitCode.USAGE)
    assert result.err == ("meddiary: bad dose '99999999mg': the amount is too large; use a positive amount with a "
                          "unit, e.g. 50mg, 0.5mg, 100mcg, 5ml, 1tablet\n")
    assert dump() == before
