"""Prescriptions as psychiatry writes them (issue 11): each regimen through the commands, with its right
values worked out by hand in the test. Time is frozen at Thursday 2026-11-26 09:00, Europe/Berlin."""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr

from meddiary import schedule
from meddiary.errors import ExitCode
from meddiary.model import Medication, Regimen

BERLIN = ZoneInfo("Europe/Berlin")


def report(run, *args):
    return json.loads(run("report", "--format", "json", *args).out)


def med_stats(rep, name):
    return next(m for m in rep["medications"] if m["name"] == name)


def show(run, name):
    return json.loads(run("show", name, "--json").out)


def test_lithium_400_and_600_one_regimen_each_take_records_its_times_dose(run, clock):
    run("add", "lithium", "--at", "08:00=400mg", "--at", "20:00=600mg", "--strength", "400mg", "--start", "2026-11-20")
    r = show(run, "lithium")["regimen"]
    assert [(d["time"], d["dose"]) for d in r["doses"]] == [("08:00", "400 mg"), ("20:00", "600 mg")]
    assert r["daily_dose"] == "1000 mg"  # 400 + 600
    out = run("take", "lithium", "--at", "yesterday 20:05").out
    assert "took lithium 600 mg yesterday at 20:05 (20:00 dose)" in out
    out = run("take", "lithium", "--at", "08:02").out
    assert "took lithium 400 mg today at 08:02 (08:00 dose)" in out
    # supply: 400 mg tablets, 1 + 1.5 = 2.5 tablets a day; 25 on hand after the refill -> 10 days
    run("refill", "lithium", "--qty", "25")
    sup = json.loads(run("supply", "--json").out)["supply"][0]
    assert sup["daily_use"] == 2.5 and sup["days_left"] == 10.0 and sup["run_out"] == "2026-12-06"


def test_lamotrigine_50_and_100_and_a_change_of_one_time(run, clock):
    run("add", "lamotrigine", "--dose", "50mg", "--at", "08:00", "--at", "20:00=100mg", "--start", "2026-11-01")
    assert show(run, "lamotrigine")["regimen"]["daily_dose"] == "150 mg"
    run("change", "lamotrigine", "--dose", "20:00=150mg", "--reason", "up")
    r = show(run, "lamotrigine")["regimen"]
    assert [(d["time"], d["dose_amount"]) for d in r["doses"]] == [("08:00", 50.0), ("20:00", 150.0)]
    assert r["daily_dose"] == "200 mg"


def test_clozapine_12_5_morning_25_night_the_guard_quotes_the_dose_taken(run, clock):
    run("add", "clozapine", "--at", "08:00=12.5mg", "--at", "21:00=25mg", "--start", "2026-11-20")
    run("take", "clozapine", "--at", "08:05")
    r = run("take", "clozapine", "--at", "08:30", expect=ExitCode.REFUSED)
    assert "clozapine 12.5 mg was already taken today at 08:05 — this would be a double dose" in r.err
    # 50 mg on a 25 mg night dose is twice the prescribed: --yes
    r = run("take", "clozapine", "--at", "yesterday 21:00", "--dose", "50mg", expect=ExitCode.REFUSED)
    assert "2 times the prescribed 25 mg" in r.err


def test_a_28_day_depot_given_3_days_early_then_5_days_late(run, clock):
    # due 2026-10-02, 2026-10-30, 2026-11-27 (every 28 days from 2026-10-02), window ± 7 days
    run("add", "paliperidone", "--dose", "100mg", "--every", "4w", "--window", "7d", "--start", "2026-10-02",
        "--units-per-dose", "1")
    out = run("take", "paliperidone", "--at", "2026-09-29 10:00", expect=ExitCode.REFUSED)  # before its start
    run("take", "paliperidone", "--at", "2026-10-02 10:00")
    out = run("take", "paliperidone", "--at", "2026-11-04 10:00").out  # 5 days after 2026-10-30
    assert "(09:00 dose of 2026-10-30, 5 days late)" in out
    out = run("take", "paliperidone", "--at", "2026-11-24 10:00").out  # 3 days before 2026-11-27
    assert "(09:00 dose of tomorrow, 3 days early)" in out
    st = med_stats(report(run, "--from", "2026-10-01", "--to", "2026-11-26"), "paliperidone")
    # three doses due (10-02, 10-30; 11-27 is after the period but its early dose fell inside: not counted),
    # both taken: 1 on time, 1 late; nothing missed, no extra
    assert (st["scheduled"], st["taken"], st["on_time"], st["late"], st["missed"], st["extra"]) == (2, 2, 1, 1, 0, 0)
    assert st["drug_holidays"] == 0  # the interval is not a holiday
    # supply: refill 2 after the last injection -> the 2 doses on hand are for 12-25 and 2027-01-22; runs out
    # at the next due date after them, 2027-02-19
    run("refill", "paliperidone", "--qty", "2")
    sup = json.loads(run("supply", "--json").out)["supply"][0]
    assert sup["run_out"] == "2027-02-19"


def test_a_depot_in_its_window_is_reminded_and_shown_today(run, clock):
    run("add", "paliperidone", "--dose", "100mg", "--every", "4w", "--window", "7d", "--start", "2026-10-22")
    # due 2026-11-19 09:00, window to 2026-11-26 09:00; now 2026-11-26 09:00
    clock.move_to(datetime(2026, 11, 25, 12, 0, tzinfo=BERLIN))
    assert "paliperidone 100 mg injection — due 2026-11-19, window until 2026-11-26" in run("due").out
    assert "due 2026-11-19, window until 2026-11-26" in run("today").out


def test_a_weekly_dose_missed_once_is_one_missed_dose_not_a_holiday(run, clock):
    run("add", "methotrexate", "--dose", "10mg", "--at", "08:00", "--every", "1w", "--start", "2026-10-29")
    # Thursdays 10-29 .. 11-26: 5 doses; take all but 11-12
    for day in ("2026-10-29", "2026-11-05", "2026-11-19", "2026-11-26"):
        run("take", "methotrexate", "--at", f"{day} 08:10")
    st = med_stats(report(run, "--from", "2026-10-29", "--to", "2026-11-26"), "methotrexate")
    assert (st["scheduled"], st["taken"], st["missed"]) == (5, 4, 1)


def test_a_21_7_cycle_doses_21_days_then_rests_7(run, clock):
    run("add", "pill", "--dose", "1tablet", "--at", "09:00", "--cycle", "21/7", "--start", "2026-10-01")
    med = Medication(1, "pill", False, regimens=[Regimen(1, 1, date(2026, 10, 1), "start", 1, "tablet",
                                                         (datetime(2026, 1, 1, 9).time(),), cycle_on=21, cycle_off=7)])
    days = schedule.in_force_days(med, date(2026, 10, 1), date(2026, 11, 30))
    dosing = schedule.dosing_days(med.regimens[0], date(2026, 10, 1), date(2026, 11, 30))
    # on 10-01..10-21, off 10-22..10-28, on 10-29..11-18, off 11-19..11-25, on from 11-26
    expected = ([date(2026, 10, 1) + timedelta(days=i) for i in range(21)]
                + [date(2026, 10, 29) + timedelta(days=i) for i in range(21)]
                + [date(2026, 11, 26) + timedelta(days=i) for i in range(5)])
    assert dosing == expected and len(days) == 61
    st = med_stats(report(run, "--from", "2026-11-19", "--to", "2026-11-25"), "pill")
    assert st["scheduled"] == 0  # an off week schedules nothing, so nothing is missed


def test_a_monthly_vitamin_on_the_31st_takes_the_months_last_day():
    r = Regimen(1, 1, date(2026, 1, 31), "start", 20000, "IU", (datetime(2026, 1, 1, 9).time(),), every_months=1)
    assert schedule.dosing_days(r, date(2026, 1, 1), date(2026, 7, 31)) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31),
        date(2026, 6, 30), date(2026, 7, 31)]
    leap = Regimen(1, 1, date(2028, 1, 30), "start", 1, "tablet", (datetime(2026, 1, 1, 9).time(),), every_months=1)
    assert schedule.dosing_days(leap, date(2028, 2, 1), date(2028, 3, 31)) == [date(2028, 2, 29), date(2028, 3, 30)]


def test_a_two_week_pause_schedules_nothing_and_says_paused_until(run, clock):
    run("add", "methylphenidate", "--dose", "10mg", "--at", "08:00", "--start", "2026-11-01")
    out = run("pause", "methylphenidate", "--from", "2026-11-10", "--for", "2w", "--reason", "summer break").out
    assert out == "paused methylphenidate from 2026-11-10 to 2026-11-23, resuming 2026-11-24 (summer break)\n"
    clock.move_to(datetime(2026, 11, 15, 9, 0, tzinfo=BERLIN))
    listed = json.loads(run("list", "--json").out)["medications"][0]
    assert (listed["status"], listed["paused_until"], listed["stopped_on"]) == ("paused", "2026-11-23", None)
    assert "[paused until 2026-11-23]" in run("list").out
    clock.move_to(datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN))
    st = med_stats(report(run, "--from", "2026-11-01", "--to", "2026-11-25"), "methylphenidate")
    # 25 days less 14 paused: 11 doses, none taken
    assert (st["scheduled"], st["missed"]) == (11, 11)


def test_a_pause_is_sound_to_check_and_travels_through_an_export(run, clock, tmp_path):
    """A pause has no dose (as a stop has none): `check` named it a problem, and import refused it."""
    run("add", "lamotrigine", "--dose", "50mg", "--at", "08:00,20:00", "--start", "2026-09-01")
    run("add", "lorazepam", "--as-needed", "--dose", "1mg", "--start", "2026-09-01")
    run("pause", "lamotrigine", "--from", "2026-10-01", "--for", "5d")
    run("pause", "lorazepam", "--from", "2026-10-01", "--for", "5d")
    assert run("check").out.startswith("ok: ")
    exported = tmp_path / "diary.json"
    run("export", "--format", "json", "-o", str(exported))
    copy = tmp_path / "copy.db"
    run("--db", str(copy), "import", str(exported))
    assert run("--db", str(copy), "check").out.startswith("ok: ")
    again = tmp_path / "again.json"
    run("--db", str(copy), "export", "--format", "json", "-o", str(again))
    mine, theirs = json.loads(exported.read_text()), json.loads(again.read_text())
    assert mine["medications"] == theirs["medications"]


def test_olanzapine_scheduled_and_as_needed_kept_apart(run, clock):
    run("add", "olanzapine", "--dose", "10mg", "--at", "22:00", "--as-needed-dose", "5mg", "--max-per-day", "2",
        "--start", "2026-11-20")
    clock.move_to(datetime(2026, 11, 26, 15, 0, tzinfo=BERLIN))
    out = run("take", "olanzapine", "--dose", "5mg").out  # the as-needed dose, by its dose
    assert "(as needed)" in out
    clock.move_to(datetime(2026, 11, 26, 22, 5, tzinfo=BERLIN))
    assert "22:00 olanzapine 10 mg" in run("due").out  # the bedtime dose is still due
    assert "(22:00 dose)" in run("take", "olanzapine").out  # and not refused as a double dose
    run("take", "olanzapine", "--as-needed", "--at", "22:01")
    r = run("take", "olanzapine", "--as-needed", "--at", "22:02", expect=ExitCode.REFUSED)
    assert "2 doses in the 24 hours up to 22:02 already (at 15:00, 22:01)" in r.err
    clock.move_to(datetime(2026, 11, 27, 9, 0, tzinfo=BERLIN))
    st = med_stats(report(run, "--from", "2026-11-26", "--to", "2026-11-26"), "olanzapine")
    assert (st["scheduled"], st["taken"], st["extra"]) == (1, 1, 0)


def test_as_needed_limits_by_amount(run, clock):
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "3", "--max-amount", "1.5mg",
        "--start", "2026-11-20")
    run("take", "lorazepam", "--dose", "1mg", "--at", "01:00")
    r = run("take", "lorazepam", "--dose", "1mg", "--at", "05:00", expect=ExitCode.REFUSED)
    assert "1 mg taken in the 24 hours up to 05:00 already (at 01:00)" in r.err and "the most is 1.5 mg" in r.err
    run("take", "lorazepam", "--dose", "1mg", "--at", "05:00", "--yes")
    run("take", "lorazepam", "--dose", "1mg", "--at", "06:00", "--yes")
    st = med_stats(report(run, "--since", "7d"), "lorazepam")
    # 1 + 1 + 1 = 3 mg in 24 h on a 1.5 mg maximum: the 2nd and the 3rd are over it (3 uses: not over by count)
    assert st["as_needed"]["over_limit"] == 2


def test_fhir_and_ics_for_split_doses_cycles_and_depots(run, clock, tmp_path):
    from fhir.resources.R4B.bundle import Bundle

    run("add", "lithium", "--at", "08:00=400mg", "--at", "20:00=600mg", "--start", "2026-11-20")
    run("add", "pill", "--dose", "1tablet", "--at", "09:00", "--cycle", "21/7", "--start", "2026-11-20")
    run("add", "paliperidone", "--dose", "100mg", "--every", "4w", "--window", "7d", "--start", "2026-11-20")
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-amount", "1.5mg", "--start", "2026-11-20")
    run("export", "--format", "fhir", "--output", str(tmp_path / "f.json"))
    doc = json.loads((tmp_path / "f.json").read_text())
    Bundle.model_validate(doc)
    statements = {e["resource"]["medicationCodeableConcept"]["text"]: e["resource"] for e in doc["entry"]
                  if e["resource"]["resourceType"] == "MedicationStatement"}
    assert {s["status"] for s in statements.values()} <= {"active", "completed", "stopped", "intended"}
    lithium = statements["lithium"]["dosage"]
    assert [(d["timing"]["repeat"]["timeOfDay"], d["doseAndRate"][0]["doseQuantity"]["value"]) for d in lithium] == [
        (["08:00:00"], 400), (["20:00:00"], 600)]
    depot = statements["paliperidone"]["dosage"][0]["timing"]["repeat"]
    assert (depot["period"], depot["periodUnit"]) == (28, "d")
    prn = statements["lorazepam"]["dosage"][0]
    assert prn["maxDosePerPeriod"]["numerator"] == {"value": 1.5, "unit": "mg", "system": "http://unitsofmeasure.org",
                                                    "code": "mg"}
    run("export", "--format", "ics", "--days", "60", "--output", str(tmp_path / "c.ics"))
    cal = icalendar.Calendar.from_ical((tmp_path / "c.ics").read_text())
    events = [c for c in cal.walk("VEVENT")]
    when = {}
    for ev in events:
        start = ev.decoded("DTSTART")
        for at in rrulestr(ev["RRULE"].to_ical().decode(), dtstart=start):
            when.setdefault(str(ev["SUMMARY"]), []).append(at)
    # the cycle: on 11-26 .. 12-10 (days 7..21 of the first cycle), off 12-11 .. 12-17, on from 12-18
    pill = sorted(a.date() for a in when["pill 1 tablet"])
    assert pill[:15] == [date(2026, 11, 26) + timedelta(days=i) for i in range(15)] and pill[15] == date(2026, 12, 18)
    assert all(a.hour == 9 for a in when["pill 1 tablet"])  # 09:00 local on both sides of any DST change
    assert sorted(a.date() for a in when["paliperidone 100 mg injection"])[:2] == [date(2026, 12, 18), date(2027, 1, 15)]
    assert {a.hour for a in when["lithium 600 mg"]} == {20} and {a.hour for a in when["lithium 400 mg"]} == {8}


def test_ics_keeps_local_times_across_a_dst_change():
    from meddiary import ics

    r = Regimen(1, 1, date(2027, 3, 20), "start", 1, "tablet", (datetime(2026, 1, 1, 9).time(),), cycle_on=3, cycle_off=1)
    med = Medication(1, "pill", False, regimens=[r])
    text = ics.calendar([med], datetime(2027, 3, 20, 8, tzinfo=BERLIN), "Europe/Berlin", 14)
    cal = icalendar.Calendar.from_ical(text)
    got = []
    for ev in cal.walk("VEVENT"):
        got += list(rrulestr(ev["RRULE"].to_ical().decode(), dtstart=ev.decoded("DTSTART")))
    got.sort()
    assert {a.astimezone(BERLIN).hour for a in got} == {9}  # Berlin moved to summer time on 2027-03-28
    assert [a.date() for a in got] == [date(2027, 3, 20) + timedelta(days=i) for i in range(14) if i % 4 < 3]
