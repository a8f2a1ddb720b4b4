"""Travel and time zones (issue 12): each day is judged in the zone the person was in that day (the zone
recorded with its entries) or in the pinned home zone, never re-judged by a later change of zone; a typed
time is read in the zone the person is in. Time is frozen at Thursday 2026-11-26 09:00 Europe/Berlin
(= 03:00 America/New_York)."""

import json
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from meddiary import travel
from meddiary.errors import ExitCode

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def stats(run, *period):
    rep = json.loads(run("report", "--format", "json", *period).out)
    return {m["name"]: m for m in rep["medications"]}


def counts(s):
    return {k: s[k] for k in ("scheduled", "taken", "on_time", "late", "missed")}


def test_a_later_change_of_zone_never_rejudges_past_days(run, clock, monkeypatch):
    # The case: 08:02 in Berlin on three days is three doses on time. Judged in New York (08:00 there
    # is 14:00 in Berlin) they would read 0 on time, 3 late (six hours early).
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    for day in (23, 24, 25):
        run("take", "sertraline", "--at", f"2026-11-{day} 08:02")
    period = ("--from", "2026-11-23", "--to", "2026-11-25")
    in_berlin = stats(run, *period)["sertraline"]
    assert counts(in_berlin) == {"scheduled": 3, "taken": 3, "on_time": 3, "late": 0, "missed": 0}
    monkeypatch.setenv("MEDDIARY_TZ", "America/New_York")
    assert stats(run, *period)["sertraline"] == in_berlin
    # the log shows each dose at the wall-clock time of its day
    assert "08:02" in run("log", "--since", "7d").out


def test_each_day_in_the_zone_recorded_that_day(run, clock, monkeypatch):
    # Mon 23 in Berlin, then a flight: Tue 24 and Wed 25 recorded in New York at 08:05 there. Each day's 08:00
    # is its own zone's: 3 on time, whichever zone the report is run in.
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    run("take", "sertraline", "--at", "2026-11-23 08:02")
    monkeypatch.setenv("MEDDIARY_TZ", "America/New_York")
    run("take", "sertraline", "--at", "2026-11-24 08:05")
    run("take", "sertraline", "--at", "2026-11-25 08:05")
    period = ("--from", "2026-11-23", "--to", "2026-11-25")
    in_new_york = stats(run, *period)["sertraline"]
    assert counts(in_new_york) == {"scheduled": 3, "taken": 3, "on_time": 3, "late": 0, "missed": 0}
    monkeypatch.setenv("MEDDIARY_TZ", "Europe/Berlin")
    assert counts(stats(run, *period)["sertraline"]) == counts(in_new_york)
    # the report says which zone each day was judged in, and shows each time in its day's zone
    rep = json.loads(run("report", "--format", "json", *period).out)
    assert rep["period"]["zones"] == [{"from": "2026-11-23", "timezone": "Europe/Berlin"},
                                      {"from": "2026-11-24", "timezone": "America/New_York"}]
    text = run("report", *period).out
    assert "Europe/Berlin; America/New_York from 2026-11-24 (each day in the zone recorded that day)" in text
    md = run("report", "--format", "markdown", *period).out
    assert "America/New\\_York from 2026-11-24" in md  # Markdown escapes the underscore


def test_today_with_nothing_recorded_yet_is_judged_where_the_person_is(run, clock, monkeypatch):
    # Recorded in Berlin up to yesterday; now in New York at 03:00. Today's 08:00 is 08:00 New York time:
    # not due yet (in Berlin's time it would have been due since 02:00 New York time).
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    run("take", "sertraline", "--at", "2026-11-25 08:02")
    monkeypatch.setenv("MEDDIARY_TZ", "America/New_York")
    assert run("due").out == ""
    clock.move_to(datetime(2026, 11, 26, 8, 10, tzinfo=NEW_YORK))
    assert "08:00 sertraline 50 mg — due 10 min ago" in run("due").out
    out = run("take", "sertraline").out
    assert "today at 08:10 (08:00 dose)" in out


def test_with_a_home_zone_a_typed_time_is_read_where_the_person_is(run, clock, monkeypatch):
    # Home zone Berlin; the person is in New York (03:00 there, 09:00 in Berlin). `--at 02:00` means 02:00 New
    # York = 08:00 Berlin: the 08:00 dose, on time, and the confirmation names both zones.
    run("config", "timezone", "Europe/Berlin")
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    monkeypatch.setenv("MEDDIARY_TZ", "America/New_York")
    out = run("take", "sertraline", "--at", "02:00").out
    assert "took sertraline 50 mg today at 02:00 America/New_York, 08:00 Europe/Berlin (08:00 dose)" in out
    entry = json.loads(run("log", "--json").out)["entries"][0]
    assert datetime.fromisoformat(entry["at"]).astimezone(UTC) == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)


def test_with_a_home_zone_the_minimum_interval_guard_holds_for_typed_times(run, clock, monkeypatch):
    # lorazepam as needed, at least 4 h apart. Taken now (03:00 New York); `--at 01:00` typed in New York is two
    # hours before it: refused. (Read as 01:00 Berlin it would be eight hours before, and pass.)
    run("config", "timezone", "Europe/Berlin")
    run("add", "lorazepam", "--dose", "1mg", "--as-needed", "--max-per-day", "3", "--min-interval", "4h")
    monkeypatch.setenv("MEDDIARY_TZ", "America/New_York")
    run("take", "lorazepam")
    r = run("take", "lorazepam", "--at", "01:00", expect=ExitCode.REFUSED)
    assert "4 h" in r.err and "nothing recorded" in r.err


def test_no_travel_no_change():
    assert travel.runs([], None, BERLIN, date(2026, 11, 26)) == [(date.min, BERLIN)]


def at(day, hh, mm, zone):
    return datetime.combine(date(2026, 11, day), time(hh, mm), tzinfo=zone).astimezone(UTC)


def test_a_day_begun_in_one_zone_stays_in_it():
    # 23rd 08:02 Berlin; the 23rd's evening entry is in New York (18:00 there): the 23rd began in Berlin and
    # stays Berlin's; New York's days begin on the 24th.
    changes = [(at(23, 8, 2, BERLIN), "Europe/Berlin", None, None),
               (at(23, 18, 0, NEW_YORK), "America/New_York", at(23, 8, 2, BERLIN), "Europe/Berlin")]
    runs = travel.runs(changes, (at(23, 18, 0, NEW_YORK), "America/New_York"), NEW_YORK, date(2026, 11, 26))
    assert runs == [(date(2026, 11, 23), BERLIN), (date(2026, 11, 24), NEW_YORK)]
    z = travel.DayZones(runs, NEW_YORK)
    # 08:00 on each day, in that day's zone
    assert datetime.combine(date(2026, 11, 23), time(8), tzinfo=z).astimezone(UTC) == at(23, 8, 0, BERLIN)
    assert datetime.combine(date(2026, 11, 24), time(8), tzinfo=z).astimezone(UTC) == at(24, 8, 0, NEW_YORK)
    # an instant comes back in the zone of the day it falls in
    assert at(23, 8, 2, BERLIN).astimezone(z).strftime("%d %H:%M %Z") == "23 08:02 CET"
    assert at(24, 8, 5, NEW_YORK).astimezone(z).strftime("%d %H:%M %Z") == "24 08:05 EST"


def test_today_with_no_entry_is_the_current_zone_and_the_days_between_carry_the_last():
    changes = [(at(20, 8, 0, BERLIN), "Europe/Berlin", None, None)]
    runs = travel.runs(changes, (at(23, 8, 0, BERLIN), "Europe/Berlin"), NEW_YORK, date(2026, 11, 26))
    assert runs == [(date(2026, 11, 20), BERLIN), (date(2026, 11, 26), NEW_YORK)]
    z = travel.DayZones(runs, NEW_YORK)
    assert (z.of(date(2026, 11, 1)), z.of(date(2026, 11, 25)), z.of(date(2026, 11, 27))) == (BERLIN, BERLIN, NEW_YORK)


def test_a_spring_forward_gap_inside_a_travel_zone_moves_forward():
    # 02:30 on 2027-03-28 does not exist in Berlin: read as 03:30 CEST (zoneinfo, fold=0), as without travel.
    z = travel.DayZones([(date(2027, 3, 1), BERLIN), (date(2027, 4, 1), NEW_YORK)], NEW_YORK)
    got = datetime.combine(date(2027, 3, 28), time(2, 30), tzinfo=z).astimezone(UTC)
    assert got == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_the_first_dose_of_a_day_recorded_elsewhere_is_judged_there_at_once(run, clock, monkeypatch):
    # Recorded in Berlin on the 23rd; the 24th's dose is typed in New York at 08:05 there. Before it is
    # recorded the 24th has no entry (it would carry Berlin's zone: 08:05 New York = 14:05 Berlin, late);
    # the take is judged as it will be once recorded: the 24th is New York's, and the dose is on time.
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    run("take", "sertraline", "--at", "2026-11-23 08:02")
    monkeypatch.setenv("MEDDIARY_TZ", "America/New_York")
    out = run("take", "sertraline", "--at", "2026-11-24 08:05").out
    assert "took sertraline 50 mg 2026-11-24 at 08:05 (08:00 dose)" in out
    out = run("skip", "sertraline", "--at", "2026-11-25 08:05", "--reason", "forgot").out
    assert "skipped sertraline 08:00 dose of 2026-11-25 (forgot)" in out
    m = stats(run, "--from", "2026-11-23", "--to", "2026-11-25")["sertraline"]
    assert (m["on_time"], m["late"], m["skipped"], m["missed"]) == (2, 0, 1, 0)


def test_a_report_run_further_east_keeps_each_day_whole(run, clock, monkeypatch):
    # Quetiapine 22:00, taken at 22:02 in Berlin on 27-30 November, a mood at 21:00 on the 30th. Run from Tokyo
    # on 1 December: the 30th is still a Berlin day ending at midnight Berlin (08:00 in Tokyo), so all four
    # doses and the mood are in the period.
    clock.move_to(datetime(2026, 11, 27, 9, 0, tzinfo=BERLIN))
    run("add", "quetiapine", "--dose", "25mg", "--at", "22:00", "--start", "2026-11-27")
    clock.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN))
    for day in (27, 28, 29, 30):
        run("take", "quetiapine", "--at", f"2026-11-{day} 22:02")
    run("mood", "3", "--at", "2026-11-30 21:00")
    period = ("--from", "2026-11-27", "--to", "2026-11-30")
    in_berlin = json.loads(run("report", "--format", "json", *period).out)
    monkeypatch.setenv("MEDDIARY_TZ", "Asia/Tokyo")
    in_tokyo = json.loads(run("report", "--format", "json", *period).out)
    for rep in (in_berlin, in_tokyo):
        m = rep["medications"][0]
        assert (m["scheduled"], m["taken"], m["on_time"]) == (4, 4, 4)
    # the period ends at midnight Berlin, the end of the 30th in its own zone (08:00 in Tokyo)
    assert datetime.fromisoformat(in_tokyo["period"]["end"]) == datetime(2026, 12, 1, 0, 0, tzinfo=BERLIN)
    assert in_tokyo["mood"]["days"] == in_berlin["mood"]["days"] and in_tokyo["mood"]["days"][-1]["date"] == "2026-11-30"


def test_today_names_the_zone_of_each_time_on_a_travel_day(run, clock, monkeypatch):
    # 30 November began in Berlin (08:02 there); at 21:53 New York time (03:53 Berlin, 1 December) the person is
    # in New York: the checklist is the 30th's, its dose times Berlin's, and it says so.
    clock.move_to(datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN))
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    run("take", "sertraline", "--at", "08:02")
    clock.move_to(datetime(2026, 11, 30, 21, 53, tzinfo=NEW_YORK))
    monkeypatch.setenv("MEDDIARY_TZ", "America/New_York")
    out = run("today").out
    assert out.splitlines()[0] == ("Today, Mon 30 Nov 2026, 21:53 (now in America/New_York; today's dose times in "
                                   "Europe/Berlin, where the day began)")
    assert "taken at 08:02" in out
    data = json.loads(run("today", "--json").out)
    assert (data["date"], data["now"], data["timezone"]) == ("2026-11-30", "2026-11-30T21:53:00-05:00",
                                                             "America/New_York")


def test_a_dose_recorded_abroad_keeps_its_wall_clock_time_and_date_in_the_log(run, clock, monkeypatch):
    # Lithium 08:00 + 20:00. The 30th's morning dose in Berlin, the evening one in New York at 20:05 there
    # (02:05 Berlin on 1 December): the log shows 2026-11-30 20:05, and it fills the 30th's 20:00 dose.
    clock.move_to(datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN))
    run("add", "lithium", "--dose", "400mg", "--at", "08:00", "--at", "20:00", "--start", "2026-11-20")
    run("take", "lithium", "--at", "08:02")
    clock.move_to(datetime(2026, 11, 30, 20, 10, tzinfo=NEW_YORK))
    monkeypatch.setenv("MEDDIARY_TZ", "America/New_York")
    out = run("take", "lithium", "--at", "20:05").out
    assert "20:00 dose" in out
    for zone in ("America/New_York", "Europe/Berlin"):
        monkeypatch.setenv("MEDDIARY_TZ", zone)
        assert "2026-11-30 20:05" in run("log").out


ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC")


@pytest.mark.parametrize("seed", range(12))
def test_zone_changes_found_by_look_ups_are_those_read_in_time_order(tmp_path, monkeypatch, seed):
    """zone_changes finds the entries after which the zone changes through the indexes (the entries outside
    the main zone and the ones after them); reading every entry in time order is the plain way, and what it
    finds is compared here, on diaries with a main zone, several, ties at one instant, backdated entries and
    an entry about to be recorded anywhere. A small ZONE_LOOKUPS makes some fall back to the plain way."""
    import random
    from datetime import timedelta

    from meddiary.store import Store
    from meddiary.store import diary as diary_module

    rnd = random.Random(seed)
    monkeypatch.setattr(diary_module, "ZONE_LOOKUPS", rnd.choice([3, 40, 2000]))
    s = Store(tmp_path / f"d{seed}.db")
    try:
        assert s.zone_changes() == s._zone_changes_read() == ([], None)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        main, away = rnd.choice(ZONES), rnd.sample(ZONES, rnd.randint(1, 3))
        entries = []
        for _ in range(rnd.randint(1, 120)):
            minute = rnd.randrange(0, 60 * 24 * 30, rnd.choice([1, 60 * 6]))  # some share their instant
            zone = main if rnd.random() < rnd.choice([0.5, 0.9, 1.0]) else rnd.choice(away)
            entries.append({"kind": "mood", "at": start + timedelta(minutes=minute), "tz": zone, "data": {"score": 5}})
        now = start + timedelta(days=40)
        for batch in (entries[: len(entries) // 2], entries[len(entries) // 2:]):  # ids not in time order
            with s.transaction():
                s.add_entries(batch, now)
        for _ in range(6):
            also = None if rnd.random() < 0.2 else (
                rnd.choice([e["at"] for e in entries] + [start - timedelta(days=1), now,
                                                         start + timedelta(minutes=rnd.randrange(60 * 24 * 30))]),
                rnd.choice(ZONES))
            assert s.zone_changes(also) == s._zone_changes_read(also), also
    finally:
        s.close()
