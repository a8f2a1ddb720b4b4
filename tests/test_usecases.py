"""The use cases as plain functions (issue 14): each runs against an injected actions.Env (its diary, clock
and zone given, nothing patched) and returns an actions.Result, checked here as data — its lines and its
JSON — without either front door. The doors' output is tested through the CLI elsewhere."""

import json
import re
import sqlite3
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from meddiary import regimens, usecases
from meddiary.actions import Env, Result
from meddiary.errors import Refused, UsageError
from meddiary.usecases import due, mood, regimen, retract, take

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN)  # a Thursday


@pytest.fixture
def env(db_path):
    """An Env on the test's diary, its clock at NOW in Berlin; closed at the end."""
    envs = []

    def make(now=NOW, **options) -> Env:
        e = Env(str(db_path), now=now, zone="Europe/Berlin", **options)
        envs.append(e)
        return e

    yield make
    for e in envs:
        e.close()


def add(e: Env, name: str, dose: str = "50mg", at: tuple[str, ...] = ("08:00",), as_needed: bool = False,
        min_interval: str | None = None) -> None:
    spec = regimens.new_medication(name, dose, list(at), None, None, as_needed, None, min_interval, aliases=[],
                                   start=date(2026, 11, 20))
    e.store().add_medication(spec.name, as_needed, None, None, spec.aliases, spec.regimen, e.now, e.tz_name)


def rows(db_path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# -- due ----------------------------------------------------------------------------------------------

def test_due_returns_the_reminders_and_marks_them(env):
    e = env()
    add(e, "sertraline")
    add(e, "lithium", "400mg", ("08:00", "20:00"))
    result = due.due(e, repeat="30m", refill_days="7")
    assert isinstance(result, Result)
    assert result.lines == ["08:00 lithium 400 mg — due 1 h ago", "08:00 sertraline 50 mg — due 1 h ago"]
    data = result.data
    assert (data["now"], data["timezone"], data["home_timezone"]) == ("2026-11-26T09:00:00+01:00", "Europe/Berlin", None)
    assert [(r["kind"], r["medication"], r["text"]) for r in data["reminders"]] == [
        ("slot", "lithium", "08:00 lithium 400 mg — due 1 h ago"),
        ("slot", "sertraline", "08:00 sertraline 50 mg — due 1 h ago")]
    assert due.due(env(NOW + timedelta(minutes=5)), repeat="30m", refill_days="7").lines == []  # reminded already
    again = due.due(env(NOW + timedelta(minutes=40)), repeat="30m", refill_days="7")
    assert again.lines == ["08:00 lithium 400 mg — due 1 h 40 min ago", "08:00 sertraline 50 mg — due 1 h 40 min ago"]


def test_due_with_nothing_due_and_no_diary_makes_none(env, db_path):
    result = due.due(env(), repeat="30m", refill_days="7")
    assert result.lines == [] and result.data["reminders"] == []
    assert not db_path.exists()


@pytest.mark.parametrize("repeat,refill_days,message", [
    ("xx", "7", "bad --repeat 'xx'"), ("30m", "999", "bad --refill-days '999'"), ("25h", "7", "bad --repeat '25h'")])
def test_due_refuses_bad_options_before_reading_the_diary(env, db_path, repeat, refill_days, message):
    with pytest.raises(UsageError, match=message):
        due.due(env(), repeat=repeat, refill_days=refill_days)
    assert not db_path.exists()


def test_run_prints_the_result_as_text_or_json(env, capsys):
    e = env()
    add(e, "sertraline")
    usecases.run("due", e, {"json_out": True, "notify": False, "repeat": "0", "refill_days": "7"})
    printed = json.loads(capsys.readouterr().out)
    assert [r["text"] for r in printed["reminders"]] == ["08:00 sertraline 50 mg — due 1 h ago"]
    usecases.run("stop", e, {"name": "sertraline", "on": "2026-12-01", "reason": "done"})
    assert capsys.readouterr().out == "stopped sertraline from 2026-12-01 (done)\n"


def test_notify_sends_the_lines_printed(env, capsys, monkeypatch):
    from meddiary import notify

    sent = []
    monkeypatch.setattr(notify, "send", sent.extend)
    e = env()
    add(e, "sertraline")
    usecases.run("due", e, {"json_out": False, "notify": True, "repeat": "30m", "refill_days": "7"})
    assert capsys.readouterr().out == "08:00 sertraline 50 mg — due 1 h ago\n"
    assert sent == ["08:00 sertraline 50 mg — due 1 h ago"]
    usecases.run("due", env(NOW + timedelta(minutes=1)), {"json_out": False, "notify": True, "repeat": "30m",
                                                         "refill_days": "7"})
    assert sent == ["08:00 sertraline 50 mg — due 1 h ago"]  # nothing new: nothing sent


# -- retract and undo -----------------------------------------------------------------------------------

def test_retract_returns_what_it_retracted_and_recorded(env):
    e = env()
    add(e, "lithium", "400mg", ("08:00", "20:00"))
    take.take(e, ["lithium"], "08:10", None, None, False)
    result = retract.retract(env(), "#1", reason="wrong time", at="08:30", dose="200mg")
    assert result.lines == ["retracted #1     2026-11-26 08:10  take  lithium 400 mg (reason: wrong time)",
                            "#2 took lithium 200 mg today at 08:30 (08:00 dose; prescribed 400 mg)"]
    data = result.data
    [gone] = data["retracted"]
    assert (gone["id"], gone["retracted"], gone["retraction_reason"]) == (1, True, "wrong time")
    [copy] = data["recorded"]
    assert (copy["id"], copy["at"], copy["dose"], copy["prescribed"], copy["different_dose"]) == \
        (2, "2026-11-26T08:30:00+01:00", "200 mg", "400 mg", True)


@pytest.mark.parametrize("args,message", [
    (("x",), "bad entry id 'x'"),
    (("9",), "no entry #9"),
    (("1", " "), "the reason is empty"),
    (("2", None, None, "5mg"), "--dose corrects the dose of a take; #2 is a mood"),
])
def test_retract_checks_its_input_before_writing(env, dump, args, message):
    e = env()
    add(e, "sertraline")
    take.take(e, ["sertraline"], None, None, None, False)
    mood.mood(e, "6", None, None, None, None, None, None, None)
    before = dump()
    with pytest.raises(UsageError, match=re.escape(message)):
        retract.retract(env(), *args)
    assert dump() == before


def test_undo_retracts_the_latest_entry_and_refuses_after_a_retract(env, dump):
    e = env()
    with pytest.raises(Refused, match="nothing to undo: the diary has no entries"):
        retract.undo(e)
    add(e, "sertraline")
    take.take(e, ["sertraline"], None, None, None, False)
    take.take(e, ["sertraline"], "07:00", None, None, True)
    result = retract.undo(env())
    assert result.lines == ["retracted #2     2026-11-26 07:00  take  sertraline 50 mg [confirmed over the guard]"]
    [gone] = result.data["retracted"]
    assert (gone["id"], gone["forced"], gone["retracted"], gone["retraction_reason"]) == (2, True, True, None)
    assert result.data["recorded"] == []
    mood.mood(e, "6", None, None, None, None, None, None, None)
    retract.retract(env(), "1", reason="not taken")
    before = dump()
    with pytest.raises(Refused, match="the last change was 'meddiary retract 1'"):
        retract.undo(env())
    assert dump() == before
    named = retract.undo(env(), "#3")  # undo ID: as retract ID
    assert named.lines == ["retracted #3     2026-11-26 09:00  mood 6/10"]
    assert named.data["retracted"][0]["retraction_reason"] is None


# -- planning a change ------------------------------------------------------------------------------------

def test_change_records_a_new_regimen_and_says_so(env):
    e = env()
    add(e, "lithium", "400mg", ("08:00", "20:00"))
    result = regimen.change(e, "lithium", "level", dose="20:00=600mg", from_="2026-12-01")
    assert result.lines == ["changed lithium from 2026-12-01: 1000 mg a day: at 08:00 400 mg, 20:00 600 mg daily (level)"]
    med = result.data["medication"]
    assert [(r["start_date"], r["end_date"], r["kind"], r["daily_dose"]) for r in med["history"]] == [
        ("2026-11-20", "2026-11-30", "start", "800 mg"), ("2026-12-01", None, "change", "1000 mg")]


def test_taper_plans_its_steps(env):
    e = env()
    add(e, "sertraline", "100mg")
    result = regimen.taper(e, "sertraline", "75mg,50mg,0", "2w", "off", "2026-12-10")
    assert result.lines == ["planned sertraline as a taper in 3 steps (off):",
                            "  from 2026-12-10  75 mg at 08:00 daily",
                            "  from 2026-12-24  50 mg at 08:00 daily",
                            "  from 2027-01-07  stop"]
    assert result.data["medication"]["stopped_on"] == "2027-01-07"
    titration = regimen.taper(e, "sertraline", "150mg", "1w", "up", "2027-02-01")
    assert titration.lines[0] == "planned sertraline as a titration in 1 step (up):"


def test_stop_pause_and_resume(env):
    e = env()
    add(e, "lithium", "400mg", ("08:00", "20:00"))
    assert regimen.pause(e, "lithium", "2026-12-01", None, "2w", "holiday").lines == [
        "paused lithium from 2026-12-01 to 2026-12-14, resuming 2026-12-15 (holiday)"]
    assert regimen.pause(e, "lithium", "2027-01-01").lines == [
        "paused lithium from 2027-01-01 until you resume it ('meddiary resume NAME')"]
    assert regimen.resume(e, "lithium", "2027-01-10").lines == ["resumed lithium from 2027-01-10: 400 mg at 08:00, 20:00 daily"]
    stopped = regimen.stop(e, "lithium", "2027-03-01")
    assert stopped.lines == ["stopped lithium from 2027-03-01"]
    assert stopped.data["medication"]["stopped_on"] == "2027-03-01"


@pytest.mark.parametrize("call,message", [
    (lambda e: regimen.change(e, "lithium", None, dose="100mg"), "a change needs a reason"),
    (lambda e: regimen.change(e, "nosuch", None, dose="100mg"), "no medication 'nosuch'"),  # the name first
    (lambda e: regimen.change(e, "lithium", "x", dose="lots"), "bad dose 'lots'"),
    (lambda e: regimen.taper(e, "lithium", "xx", "2w", "x"), "bad dose 'xx'"),
    (lambda e: regimen.taper(e, "lithium", "500mg", "2w", " "), "a taper needs a reason"),
    (lambda e: regimen.stop(e, "lithium", reason=""), "the reason is empty"),
    (lambda e: regimen.pause(e, "lithium", until="2027-01-01", for_="2w"), "give either --until DAY or --for 14d"),
    (lambda e: regimen.resume(e, "lithium"), "lithium is not paused on 2026-11-26"),
])
def test_a_planned_change_with_bad_input_writes_nothing_and_leaves_no_transaction_open(env, dump, call, message):
    e = env()
    add(e, "lithium", "400mg", ("08:00", "20:00"))
    before = dump()
    with pytest.raises(UsageError, match=message):
        call(e)
    assert dump() == before
    assert not e.store().conn.in_transaction
    assert regimen.stop(e, "lithium").lines == ["stopped lithium from 2026-11-26"]  # the Env is still usable


@pytest.mark.parametrize("call", [
    lambda e: regimen.change(e, "lithium", "x", dose="500mg"),
    lambda e: regimen.taper(e, "lithium", "300mg,0", "1w", "x"),
    lambda e: regimen.stop(e, "lithium"),
    lambda e: regimen.pause(e, "lithium"),
    lambda e: regimen.resume(e, "lithium", "2026-12-01"),
])
def test_a_planned_change_finds_the_medication_under_the_write_lock(env, call):
    """Loaded inside the write transaction: a change another process records meanwhile is never planned over."""
    e = env()
    add(e, "lithium", "400mg", ("08:00", "20:00"))
    regimen.pause(e, "lithium", "2026-11-28")  # something to resume
    st = e.store()
    seen = []
    real = st.medications
    st.medications = lambda: (seen.append(st.conn.in_transaction), real())[1]
    call(e)
    assert seen == [True]


def test_a_transaction_inside_another_joins_it(env, db_path):
    e = env()
    add(e, "lithium")
    st = e.store()
    with pytest.raises(RuntimeError):
        with st.transaction():
            st.add_regimens(st.medications()[0].id, [regimens.stopped(st.medications()[0], date(2026, 12, 1), None)],
                            e.now, e.tz_name)  # its own transaction joins this one
            raise RuntimeError("after the write")
    assert not st.conn.in_transaction
    assert rows(db_path, "SELECT count(*) FROM regimens") == [(1,)]  # rolled back with the outer one
