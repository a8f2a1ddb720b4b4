"""Retracting any entry by its id (`retract ID`, `undo ID`), with an optional corrected copy; and a take's
dose other than the prescribed one shown in `log`.

Every expected value is worked out by hand in the test. Time is frozen at Thursday 2026-11-26 09:00 in
Europe/Berlin unless a test moves it.
"""

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from meddiary.errors import ExitCode

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def sertraline(run, clock):
    # 50 mg at 08:00 daily since Friday 2026-11-20; 50 mg tablets (one tablet a dose)
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20", "--strength", "50mg")


def log_json(run):
    return {x["id"]: x for x in json.loads(run("log", "--json").out)["entries"]}


def slot_state(run) -> str:
    (slot,) = json.loads(run("today", "--json").out)["slots"]
    return slot["state"]


def report(run, *args):
    return json.loads(run("report", "--format", "json", *args).out)


# -- retract any entry, and everything follows at once -------------------------------------------------

def test_retracting_a_take_reopens_todays_dose_and_the_guard_lets_it_be_taken_again(run, sertraline):
    run("take", "sertraline", "--at", "08:03")  # #1
    assert slot_state(run) == "taken"
    # The 08:00 dose is taken: another take at 09:00 is a double dose.
    assert run("take", "sertraline", expect=ExitCode.REFUSED).err.startswith(
        "meddiary: sertraline 50 mg was already taken today at 08:03")
    assert run("retract", "1").out == "retracted #1     2026-11-26 08:03  take  sertraline 50 mg\n"
    # 09:00 is within 2 h of 08:00 and nothing fills the dose: it is due again.
    assert slot_state(run) == "due"
    assert run("take", "sertraline").out == "#2 took sertraline 50 mg today at 09:00 (08:00 dose)\n"


def test_retract_takes_any_entry_not_only_the_newest(run, sertraline):
    run("take", "sertraline", "--at", "2026-11-24 08:00")  # #1
    run("take", "sertraline", "--at", "2026-11-25 08:00")  # #2
    run("take", "sertraline", "--at", "08:03")  # #3
    assert run("retract", "1").out == "retracted #1     2026-11-24 08:00  take  sertraline 50 mg\n"
    entries = log_json(run)
    assert [(i, entries[i]["retracted"]) for i in (1, 2, 3)] == [(1, True), (2, False), (3, False)]
    # a plain `undo` right after a `retract` is refused (it would retract #3, not bring #1 back) ...
    assert "the last change was 'meddiary retract 1'" in run("undo", expect=ExitCode.REFUSED).err
    # ... and names the entry it would have retracted: #3
    assert run("undo", "3").out == "retracted #3     2026-11-26 08:03  take  sertraline 50 mg\n"
    # and `undo ID` retracts that one
    assert run("undo", "2").out == "retracted #2     2026-11-25 08:00  take  sertraline 50 mg\n"
    assert run("log").out == ("#3     2026-11-26 08:03  take  sertraline 50 mg  (retracted 2026-11-26 09:00)\n"
                              "#2     2026-11-25 08:00  take  sertraline 50 mg  (retracted 2026-11-26 09:00)\n"
                              "#1     2026-11-24 08:00  take  sertraline 50 mg  (retracted 2026-11-26 09:00)\n")


def test_the_reason_is_kept_and_shown(run, sertraline):
    run("take", "sertraline", "--at", "08:03")
    assert run("retract", "#1", "--reason", "logged on the wrong day").out == (
        "retracted #1     2026-11-26 08:03  take  sertraline 50 mg (reason: logged on the wrong day)\n")
    assert run("log").out == ("#1     2026-11-26 08:03  take  sertraline 50 mg"
                              "  (retracted 2026-11-26 09:00: logged on the wrong day)\n")
    x = log_json(run)[1]
    assert (x["retracted"], x["retracted_at"], x["retraction_reason"]) == (
        True, "2026-11-26T09:00:00+01:00", "logged on the wrong day")


def test_the_as_needed_guard_follows_a_retraction(run, clock):
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "2", "--start", "2026-11-20")
    run("take", "lorazepam", "--at", "06:00")  # #1
    run("take", "lorazepam", "--at", "07:00")  # #2
    # 2 doses in the 24 hours before 09:00, at most 2: a third is refused.
    run("take", "lorazepam", expect=ExitCode.REFUSED)
    run("retract", "1")
    # Only the 07:00 dose is left in those 24 hours: 1 of 2, so this one is allowed.
    assert run("take", "lorazepam").out == "#3 took lorazepam 0.5 mg today at 09:00 (as needed)\n"


def test_supply_follows_a_retracted_take_and_a_retracted_refill(run, sertraline):
    run("refill", "sertraline", "--qty", "30", "--at", "2026-11-24 07:00")  # #1
    run("take", "sertraline", "--at", "2026-11-24 08:00")  # #2
    run("take", "sertraline", "--at", "2026-11-25 08:00")  # #3
    run("take", "sertraline", "--at", "08:03")  # #4

    def on_hand():
        (s,) = report(run, "--from", "2026-11-24", "--to", "2026-11-26")["supply"]
        return s["on_hand"]

    assert on_hand() == 27  # 30 dispensed - 3 tablets taken
    run("retract", "3")
    assert on_hand() == 28  # 30 - 2: the retracted take's tablet is back
    (s,) = json.loads(run("supply", "--json").out)["supply"]
    assert s["on_hand"] == 28, s
    run("retract", "1")
    # no refill or count left to count from: nothing to say about supply
    assert json.loads(run("supply", "--json").out)["supply"] == []


def test_the_report_counts_drop_at_once(run, sertraline):
    run("take", "sertraline", "--at", "2026-11-24 08:00")  # #1
    run("take", "sertraline", "--at", "2026-11-25 08:00")  # #2
    run("take", "sertraline", "--at", "08:03")  # #3
    (m,) = report(run, "--from", "2026-11-24", "--to", "2026-11-26")["medications"]
    assert (m["scheduled"], m["taken"], m["missed"], m["adherence"]) == (3, 3, 0, 1.0)
    run("retract", "2")
    # 24th and 26th taken; the 25th's window ended long ago with nothing in it: missed.
    (m,) = report(run, "--from", "2026-11-24", "--to", "2026-11-26")["medications"]
    assert (m["scheduled"], m["taken"], m["missed"]) == (3, 2, 1)
    assert m["adherence"] == pytest.approx(2 / 3)


def test_due_reminds_of_a_dose_again_once_its_take_is_retracted(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    clock.move_to(datetime(2026, 11, 26, 8, 12, tzinfo=BERLIN))
    run("take", "sertraline", "--at", "08:05")  # #1
    assert run("due").out == ""
    run("retract", "1")
    assert run("due").out == "08:00 sertraline 50 mg — due 12 min ago\n"


# -- a corrected copy ---------------------------------------------------------------------------------

def test_a_corrected_time_records_a_copy_in_the_same_transaction(run, sertraline):
    run("take", "sertraline", "--at", "08:03", "--note", "with breakfast")  # #1
    assert run("retract", "1", "--at", "07:40").out == (
        "retracted #1     2026-11-26 08:03  take  sertraline 50 mg — note: with breakfast\n"
        "#2 took sertraline 50 mg today at 07:40 (08:00 dose)\n")
    assert run("log").out == (
        "#1     2026-11-26 08:03  take  sertraline 50 mg — note: with breakfast  (retracted 2026-11-26 09:00)\n"
        "#2     2026-11-26 07:40  take  sertraline 50 mg — note: with breakfast\n")
    (slot,) = json.loads(run("today", "--json").out)["slots"]
    assert (slot["state"], slot["entry_id"], slot["entry_at"]) == ("taken", 2, "2026-11-26T07:40:00+01:00")


def test_a_corrected_dose_is_shown_against_the_prescribed_one(run, sertraline):
    run("take", "sertraline", "--at", "08:03")  # #1
    assert run("retract", "1", "--dose", "25mg", "--note", "half a tablet").out == (
        "retracted #1     2026-11-26 08:03  take  sertraline 50 mg\n"
        "#2 took sertraline 25 mg today at 08:03 (08:00 dose; prescribed 50 mg)\n")
    assert run("log").out.splitlines()[0] == (
        "#2     2026-11-26 08:03  take  sertraline 25 mg; prescribed 50 mg — note: half a tablet")
    x = log_json(run)[2]
    assert (x["dose"], x["prescribed"], x["different_dose"], x["note"]) == ("25 mg", "50 mg", True, "half a tablet")
    # the retracted take fills nothing: no prescribed dose to compare with
    assert (log_json(run)[1]["prescribed"], log_json(run)[1]["different_dose"]) == (None, False)
    # the report's "Dose other than prescribed" lists the copy, once
    assert report(run, "--since", "7d")["summary"]["different_doses"] == [
        {"medication": "sertraline", "at": "2026-11-26T08:03:00+01:00", "taken": "25 mg", "prescribed": "50 mg"}]


def test_a_corrected_dose_of_twice_the_prescribed_needs_yes_and_nothing_is_written_without(run, sertraline, dump):
    run("take", "sertraline", "--at", "08:03")  # #1
    before = dump()
    result = run("retract", "1", "--dose", "100mg", expect=ExitCode.REFUSED)
    assert result.err == ("meddiary: sertraline 100 mg is 2 times the prescribed 50 mg of the 08:00 dose"
                          " — nothing recorded; --yes records it anyway\n")
    assert dump() == before  # neither the retraction nor the copy
    assert run("retract", "1", "--dose", "100mg", "--yes").out == (
        "retracted #1     2026-11-26 08:03  take  sertraline 50 mg\n"
        "#2 took sertraline 100 mg today at 08:03 (08:00 dose; prescribed 50 mg, over the guard)\n")
    assert log_json(run)[2]["forced"] is True


def test_a_corrected_time_that_would_be_a_double_dose_is_refused(run, sertraline, dump):
    run("take", "sertraline", "--at", "2026-11-25 08:00")  # #1
    run("take", "sertraline", "--at", "08:03")  # #2
    before = dump()
    # Moving yesterday's take to 08:30 today: today's 08:00 dose was taken at 08:03 already.
    result = run("retract", "1", "--at", "08:30", expect=ExitCode.REFUSED)
    assert result.err == ("meddiary: sertraline 50 mg was already taken today at 08:03 — this would be a double"
                          " dose — nothing recorded; --yes records it anyway\n")
    assert dump() == before


def test_only_a_new_note_keeps_the_take_as_it_was(run, sertraline):
    run("take", "sertraline", "--at", "08:03", "--note", "typo")  # #1
    assert run("retract", "1", "--note", "with breakfast").out == (
        "retracted #1     2026-11-26 08:03  take  sertraline 50 mg — note: typo\n"
        "#2 took sertraline 50 mg today at 08:03 (08:00 dose)\n")
    run("retract", "2", "--note", "")  # '' records the copy without a note
    x = log_json(run)[3]
    assert (x["at"], x["dose"], x["note"], x["retracted"]) == ("2026-11-26T08:03:00+01:00", "50 mg", None, False)


def test_a_skip_moved_to_another_dose(run, sertraline):
    run("skip", "sertraline", "--at", "yesterday 08:00", "--reason", "forgot")  # #1
    assert run("retract", "1", "--at", "2026-11-24 08:00").out == (
        "retracted #1     2026-11-25 08:00  skip  sertraline 50 mg — forgot\n"
        "recorded #2     2026-11-24 08:00  skip  sertraline 50 mg — forgot\n")
    (m,) = report(run, "--from", "2026-11-24", "--to", "2026-11-25")["medications"]
    assert (m["scheduled"], m["skipped"], m["missed"]) == (2, 1, 1)  # the 24th skipped, the 25th missed


def test_a_mood_with_a_corrected_time_and_note(run, clock):
    run("mood", "6", "--sleep", "7.5")  # #1
    assert run("retract", "1", "--at", "yesterday 21:00", "--note", "after the walk").out == (
        "retracted #1     2026-11-26 09:00  mood 6/10, sleep 7.5 h\n"
        "recorded #2     2026-11-25 21:00  mood 6/10, sleep 7.5 h — note: after the walk\n")


# -- bad input: one line, exit 2, nothing written ---------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["retract", "abc"], "bad entry id 'abc': give the number 'meddiary log' shows, e.g. 12 (or '#12')"),
    (["retract", "1.5"], "bad entry id '1.5': give the number 'meddiary log' shows, e.g. 12 (or '#12')"),
    (["retract", "0"], "bad entry id '0': give the number 'meddiary log' shows, e.g. 12 (or '#12')"),
    (["retract", "--", "-3"], "bad entry id '-3': give the number 'meddiary log' shows, e.g. 12 (or '#12')"),
    (["retract", ""], "bad entry id '': give the number 'meddiary log' shows, e.g. 12 (or '#12')"),
    (["undo", "twelve"], "bad entry id 'twelve': give the number 'meddiary log' shows, e.g. 12 (or '#12')"),
    (["retract", "99"], "no entry #99: 'meddiary log' lists the entries with their ids"),
    (["undo", "99"], "no entry #99: 'meddiary log' lists the entries with their ids"),
    (["retract", "2"], "entry #2 was already retracted today at 09:00: nothing to retract "
                       "('meddiary log' shows it, marked)"),
    (["undo", "2"], "entry #2 was already retracted today at 09:00: nothing to retract "
                    "('meddiary log' shows it, marked)"),
    (["retract", "3", "--dose", "25mg"], "--dose corrects the dose of a take; #3 is a mood: correct it with --at or --note"),
    (["retract", "1", "--reason", " "], "the reason is empty: give --reason TEXT or leave it out"),
    (["retract", "1", "--dose", "lots"], "bad dose 'lots': use a positive amount with a unit, e.g. 50mg, 0.5mg, "
                                         "100mcg, 5ml, 1tablet"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(run, sertraline, dump, args, message):
    run("take", "sertraline", "--at", "08:03")  # #1
    run("take", "sertraline", "--at", "yesterday 08:00")  # #2
    run("mood", "6")  # #3
    run("retract", "2")
    before = dump()
    result = run(*args, expect=ExitCode.USAGE)
    assert result.err == f"meddiary: {message}\n"
    assert result.out == ""
    assert dump() == before


def test_a_bad_time_writes_nothing(run, sertraline, dump):
    run("take", "sertraline", "--at", "08:03")
    before = dump()
    result = run("retract", "1", "--at", "tomorrow 08:00", expect=ExitCode.USAGE)
    assert result.err.startswith("meddiary: time 'tomorrow 08:00' (2026-11-27 08:00) is in the future")
    assert dump() == before


def test_a_repeated_option_is_refused(run, sertraline, dump):
    run("take", "sertraline", "--at", "08:03")
    before = dump()
    assert "--dose is given twice" in run("retract", "1", "--dose", "25mg", "--dose", "30mg",
                                          expect=ExitCode.USAGE).err
    assert dump() == before


# -- a wrong dose in log's lines ------------------------------------------------------------------------

def test_log_shows_a_dose_other_than_the_dose_of_the_slot_it_fills(run, clock):
    # lithium: 400 mg at 08:00 and 600 mg at 20:00. Yesterday 600 mg at 08:10 (the 08:00 dose: prescribed
    # 400 mg) and 600 mg at 20:00 (right); today 400 mg at 08:05 (right). An extra dose has no prescription
    # to differ from.
    run("add", "lithium", "--at", "08:00=400mg", "--at", "20:00=600mg", "--start", "2026-11-20")
    run("take", "lithium", "--at", "yesterday 08:10", "--dose", "600mg")  # #1
    run("take", "lithium", "--at", "yesterday 20:00")  # #2
    run("take", "lithium", "--at", "08:05")  # #3
    run("take", "lithium", "--at", "yesterday 14:00", "--dose", "100mg", "--yes")  # #4 extra
    assert run("log").out == (
        "#3     2026-11-26 08:05  take  lithium 400 mg\n"
        "#2     2026-11-25 20:00  take  lithium 600 mg\n"
        "#4     2026-11-25 14:00  take  lithium 100 mg [confirmed over the guard]\n"
        "#1     2026-11-25 08:10  take  lithium 600 mg; prescribed 400 mg\n")
    entries = log_json(run)
    assert [(i, entries[i]["prescribed"], entries[i]["different_dose"]) for i in (1, 2, 3, 4)] == [
        (1, "400 mg", True), (2, "600 mg", False), (3, "400 mg", False), (4, None, False)]
    # the same rule as the report's "Dose other than prescribed"
    assert [(d["at"], d["taken"], d["prescribed"]) for d in report(run, "--since", "7d")["summary"]["different_doses"]] == [
        ("2026-11-25T08:10:00+01:00", "600 mg", "400 mg")]


def test_log_with_a_limit_still_judges_the_take_against_its_neighbours(run, sertraline):
    # With --limit 1 only the newest take is shown; the matching still sees the others.
    run("take", "sertraline", "--at", "2026-11-25 08:00")
    run("take", "sertraline", "--at", "08:03", "--dose", "75mg")
    assert re.sub(r"#\d+\s+", "#N ", run("log", "--limit", "1").out) == (
        "#N 2026-11-26 08:03  take  sertraline 75 mg; prescribed 50 mg\n")


def test_undo_after_a_retract_does_not_retract_another_entry(run, clock):
    # retract #1 by mistake, then `undo`: refused (it would retract #3, the mood), nothing lost; `undo 3` works
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    run("take", "sertraline", "--at", "2026-11-24 08:05")
    run("take", "sertraline", "--at", "2026-11-25 08:05")
    run("mood", "6")
    run("retract", "1", "--reason", "oops")
    r = run("undo", expect=ExitCode.REFUSED)
    assert "the last change was 'meddiary retract 1'" in r.err and "meddiary undo 3" in r.err
    log = run("log", "--json").out
    assert '"retracted": true' in log and log.count('"retracted": true') == 1
    # a correction (retract with a copy) is refused the same way: a plain undo would drop the corrected dose
    run("retract", "2", "--dose", "25mg")
    assert "the last change was 'meddiary retract 2'" in run("undo", expect=ExitCode.REFUSED).err
    # once something new is recorded, undo retracts that as before
    clock.move_to(datetime(2026, 11, 26, 9, 5, tzinfo=ZoneInfo("Europe/Berlin")))
    run("mood", "7")
    assert "retracted #5" in run("undo").out
