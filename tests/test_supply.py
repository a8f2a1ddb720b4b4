"""Supply: on hand, days left, PDC (against the published vectors), and the refill / supply commands."""

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from meddiary import supply
from meddiary.errors import ExitCode
from meddiary.model import Entry, Medication, Regimen

BERLIN = ZoneInfo("Europe/Berlin")
VECTORS = json.loads((Path("/work/shared/vectors/pdc.json") if Path("/work/shared/vectors/pdc.json").exists()
                      else Path(__file__).parent / "pdc.json").read_text())


def d(text: str) -> date:
    return date.fromisoformat(text)


# -- PDC ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_pdc_matches_the_published_vectors(case):
    fills = [(d(day), n) for day, n in case["fills"]]
    p = supply.pdc(fills, d(case["period"][0]), d(case["period"][1]))
    assert (p.covered, p.days, round(p.pdc, 6), p.adherent) == (case["covered"], case["days"], case["pdc"], case["adherent"])


def test_pdc_early_refill_is_shifted_to_when_the_previous_supply_runs_out():
    # 30 days from Jan 1 (to Jan 30); refilled early on Jan 21: its 30 days run Jan 31 .. Mar 1.
    p = supply.pdc([(d("2026-01-01"), 30), (d("2026-01-21"), 30)], d("2026-01-01"), d("2026-03-31"))
    assert (p.covered, p.days) == (60, 90)
    # Without the shift the overlap would be counted once: 50 days.


def test_pdc_fill_running_past_the_period_end_is_cut():
    p = supply.pdc([(d("2026-03-20"), 90)], d("2026-01-01"), d("2026-03-31"))
    assert (p.first, p.covered, p.days, p.pdc, p.adherent) == (d("2026-03-20"), 12, 12, 1.0, True)


def test_pdc_without_a_fill_in_the_period_is_none():
    assert supply.pdc([(d("2025-01-01"), 30)], d("2026-01-01"), d("2026-03-31")) is None


# -- on hand and days left ----------------------------------------------------------------------------

def reg(id, start, amount, **kw):
    return Regimen(id, 1, d(start), "start" if id == 1 else "change", amount, "mg", (time(8, 0),), **kw)


def entry(kind, at, **data):
    return Entry(hash(at) % 10000, kind, 1, at, "Europe/Berlin", data=data, uid=f"u{at.isoformat()}")


def test_on_hand_with_a_dose_change_in_between():
    # 50 mg tablets; 50 mg a day until Nov 10, then 100 mg (two tablets) a day.
    med = Medication(1, "sertraline", False, regimens=[reg(1, "2026-11-01", 50, strength_amount=50, strength_unit="mg"),
                                                      reg(2, "2026-11-10", 100, strength_amount=50, strength_unit="mg")])
    count = entry("count", datetime(2026, 11, 5, 12, tzinfo=UTC), count=20)
    refill = entry("refill", datetime(2026, 11, 12, 12, tzinfo=UTC), qty=30, repeats_left=0)
    takes = [(50.0, "mg", f"2026-11-{day:02d}", 1) for day in range(6, 10)]  # 4 tablets
    takes += [(100.0, "mg", f"2026-11-{day:02d}", 1) for day in range(10, 20)]  # 20 tablets
    takes += [(50.0, "mg", "2026-11-20", 1)]  # a lower dose taken once (recorded): 1 tablet
    s = supply.status(med, [count], [refill], takes, d("2026-11-20"), BERLIN)
    assert s.on_hand == 20 + 30 - 4 - 20 - 1
    assert s.daily_use == 2
    assert s.days_left == 12.5
    assert s.run_out == d("2026-12-02")
    assert (s.repeats_left, s.last_refill, s.last_count) == (0, d("2026-11-12"), d("2026-11-05"))


def test_units_per_dose_scales_with_a_different_dose():
    r = Regimen(1, 1, d("2026-01-01"), "start", 50, "mg", (time(8),), units_per_dose=2)
    assert supply.units_of_take(r, 50, "mg") == 2
    assert supply.units_of_take(r, 100, "mg") == 4
    assert supply.units_of_take(Regimen(1, 1, d("2026-01-01"), "start", 2, "tablet", (time(8),)), 1, "tablet") == 1


def test_weekly_and_every_other_day_use():
    weekly = Regimen(1, 1, d("2026-01-01"), "start", 1, "tablet", (time(8),), weekdays=(0, 3))
    other = Regimen(1, 1, d("2026-01-01"), "start", 1, "tablet", (time(8), time(20)), every_days=2)
    assert supply.daily_units(weekly) == pytest.approx(2 / 7)
    assert supply.daily_units(other) == 1


def test_no_refill_and_no_count_is_no_supply():
    med = Medication(1, "sertraline", False, regimens=[reg(1, "2026-11-01", 50)])
    assert supply.status(med, [], [], [], d("2026-11-20"), BERLIN) is None


def test_units_unknown_gives_no_on_hand():
    med = Medication(1, "sertraline", False, regimens=[reg(1, "2026-11-01", 50)])
    s = supply.status(med, [], [entry("refill", datetime(2026, 11, 2, tzinfo=UTC), qty=30, repeats_left=None)],
                      [(50.0, "mg", "2026-11-03", 1)], d("2026-11-20"), BERLIN)
    assert (s.on_hand, s.days_left, s.run_out) == (None, None, None)


def test_as_needed_days_left_from_the_last_30_days():
    med = Medication(1, "lorazepam", True, regimens=[
        Regimen(1, 1, d("2026-10-01"), "start", 1, "mg", (), max_per_day=3, strength_amount=1, strength_unit="mg")])
    refill = entry("refill", datetime(2026, 10, 1, 9, tzinfo=UTC), qty=60, repeats_left=1)
    since = [(1.0, "mg", "2026-10-05", 10)]
    recent = [(1.0, "mg", "2026-11-05", 15)]  # 15 in the last 30 days: half a tablet a day
    s = supply.status(med, [], [refill], since, d("2026-11-20"), BERLIN, recent)
    assert (s.on_hand, s.daily_use, s.days_left, s.run_out) == (50, 0.5, 100, d("2027-02-28"))


@pytest.mark.parametrize(("start", "daily"), [
    ("2026-11-20", 10.0),  # started today: today's use
    ("2026-11-16", 2.0),  # 5 days (Nov 16 to 20)
    ("2026-10-22", 10 / 30),  # 30 days
    ("2026-01-01", 10 / 30),  # long ago: the last 30 days
])
def test_as_needed_days_left_of_a_recent_start_average_over_the_days_since(start, daily):
    med = Medication(1, "lorazepam", True, regimens=[
        Regimen(1, 1, d(start), "start", 1, "mg", (), max_per_day=3, strength_amount=1, strength_unit="mg")])
    refill = entry("refill", datetime.combine(d(start), time(9), tzinfo=UTC), qty=30, repeats_left=1)
    takes = [(1.0, "mg", "2026-11-20", 10)]
    s = supply.status(med, [], [refill], takes, d("2026-11-20"), BERLIN, takes)
    assert (s.on_hand, round(s.daily_use, 6), round(s.days_left, 6)) == (20, round(daily, 6), round(20 / daily, 6))


def test_report_section_and_its_json():
    med = Medication(1, "sertraline", False, regimens=[reg(1, "2026-01-01", 50, units_per_dose=1)])
    refills = [entry("refill", datetime(2026, 1, 1, 9, tzinfo=UTC), qty=30, repeats_left=2),
               entry("refill", datetime(2026, 1, 21, 9, tzinfo=UTC), qty=30, repeats_left=1)]
    s = supply.status(med, [], refills, [(50.0, "mg", "2026-01-02", 40)], d("2026-02-10"), BERLIN)
    items = supply.report_section([med], {1: s}, {1: refills}, d("2026-01-01"), d("2026-03-31"), BERLIN)
    [obj] = supply.section_json(items, BERLIN)
    assert obj == {"medication": "sertraline", "on_hand": 20, "counted_from": "2026-01-01T10:00:00+01:00",
                   "last_count": None, "last_refill": "2026-01-21", "repeats_left": 1, "daily_use": 1,
                   "days_left": 20, "run_out": "2026-03-02", "pdc": 0.666667, "pdc_first": "2026-01-01",
                   "pdc_last": "2026-03-31", "covered_days": 60, "period_days": 90, "adherent": False,
                   "pdc_note": None, "refills_in_period": 2}


def test_a_refill_before_the_start_uses_the_first_regimen():
    # Collected on Dec 29 for a start on Jan 1: its days of supply are the first regimen's.
    med = Medication(1, "sertraline", False, regimens=[reg(1, "2026-01-01", 50, units_per_dose=1),
                                                      reg(2, "2026-02-01", 100, units_per_dose=2)])
    refills = [entry("refill", datetime(2025, 12, 29, 9, tzinfo=UTC), qty=30, repeats_left=2),
               entry("refill", datetime(2026, 1, 28, 9, tzinfo=UTC), qty=30, repeats_left=1)]
    # The second fill walks forward into the dose change: Jan 28-31 at 1 a day (4 tablets), then 26 tablets at
    # 2 a day = 13 days (Feb 1-13): 4 + 13 = 17 days, not 30 at the dose of its own day.
    assert supply.fills(med, refills, BERLIN) == [(d("2025-12-29"), 30), (d("2026-01-28"), 17)]
    items = supply.report_section([med], {1: object()}, {1: refills}, d("2025-12-01"), d("2026-01-31"), BERLIN)
    assert (items[0]["pdc_note"], items[0]["pdc"].covered) == (None, 34)


# -- the commands --------------------------------------------------------------------------------------

def test_refill_count_and_supply_listing(run, clock):
    run("add", "sertraline", "--dose", "100mg", "--at", "08:00", "--strength", "50mg", "--start", "2026-11-01")
    clock.move_to(datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN))
    assert run("refill", "sertraline", "--qty", "30", "--repeats-left", "2").out.startswith("#")
    run("take", "sertraline", "--at", "08:05")
    clock.move_to(datetime(2026, 11, 21, 9, 0, tzinfo=BERLIN))
    run("take", "sertraline", "--at", "08:00")
    assert run("supply").out == ("sertraline  28 on hand  14 days left  runs out 2026-12-05  "
                                 "2 repeats left  (refilled 2026-11-20)\n")
    run("supply", "sertraline", "--count", "12")
    obj = json.loads(run("supply", "--json").out)
    assert obj["supply"] == [{"medication": "sertraline", "on_hand": 12, "counted_from": "2026-11-21T09:00:00+01:00",
                              "last_count": "2026-11-21", "last_refill": "2026-11-20", "repeats_left": 2,
                              "daily_use": 2, "days_left": 6, "run_out": "2026-11-27"}]
    assert obj["timezone"] == "Europe/Berlin"


def test_supply_listing_without_records(run, clock):
    assert run("supply").out == "no supply recorded: record one with 'meddiary refill NAME --qty 30' or 'meddiary supply NAME --count 12'\n"
    run("add", "sertraline", "--dose", "100mg", "--at", "08:00")
    assert run("supply").out == "no supply recorded: record one with 'meddiary refill NAME --qty 30' or 'meddiary supply NAME --count 12'\n"


BAD_QTY = ["0", "-3", "abc", "nan", "inf", "1e9", "٣", " ", "1_000"]


@pytest.mark.parametrize("qty", BAD_QTY)
def test_bad_refill_qty_writes_nothing(run, clock, dump, qty):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    before = dump()
    r = run("refill", "sertraline", "--qty", qty, expect=ExitCode.USAGE)
    assert "--qty" in r.err and dump() == before


@pytest.mark.parametrize("qty", ["0", "0.0", "-3", "abc"])
def test_bad_refill_qty_says_above_0(run, clock, qty):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    assert run("refill", "sertraline", "--qty", qty, expect=ExitCode.USAGE).err == (
        f"meddiary: bad --qty {qty!r}: use a number above 0 and at most 100000, e.g. 30 or 2.5\n")


@pytest.mark.parametrize("args", [("--count", "-1"), ("--count", "x"), ("--count", "٣")])
def test_bad_count_writes_nothing(run, clock, dump, args):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    before = dump()
    assert "--count" in run("supply", "sertraline", *args, expect=ExitCode.USAGE).err
    assert dump() == before


@pytest.mark.parametrize("args,word", [(("--repeats-left", "-1"), "--repeats-left"), (("--repeats-left", "x"), "--repeats-left"),
                                       (("--note", "  "), "--note"), (("--at", "tomorrow 08:00"), "time")])
def test_bad_refill_options_write_nothing(run, clock, dump, args, word):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    before = dump()
    assert word in run("refill", "sertraline", "--qty", "30", *args, expect=ExitCode.USAGE).err
    assert dump() == before


def test_supply_name_needs_count(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    assert "--count" in run("supply", "sertraline", expect=ExitCode.USAGE).err


def test_pdc_of_a_refill_lasting_past_the_last_date_does_not_overflow():
    med = Medication(1, "sertraline", False, regimens=[reg(1, "2026-01-01", 50, units_per_dose=0.001)])
    refills = [entry("refill", datetime(2026, 1, 1, 9, tzinfo=UTC), qty=1e300, repeats_left=None)]
    f = supply.fills(med, refills, BERLIN)
    assert f == [(d("2026-01-01"), supply.MAX_FILL_DAYS)]
    p = supply.pdc(f + [(d("9999-12-01"), 400)], d("2026-01-01"), d("2026-03-31"))
    assert (p.covered, p.days) == (90, 90)


# -- days' supply as dispensed (issue 12) ------------------------------------------------------------------

REPORT_NOV = ("report", "--format", "json", "--from", "2026-11-01", "--to", "2026-11-30")


def pdc_of(run, *args) -> dict:
    [item] = json.loads(run(*args).out)["supply"]
    return item


def refill_data(run) -> list[dict]:
    return [e["data"] for e in json.loads(run("log", "--json").out)["entries"] if e["kind"] == "refill"]


def test_titration_days_of_supply_walk_forward_through_the_step(run, clock):
    """25 mg a day from 1 Nov, 50 mg from 8 Nov, 25 mg tablets. 30 tablets on 1 Nov: 1-7 Nov one a day
    (7 tablets), then 23 at two a day = 11 whole days (8-18 Nov, 1 tablet over): 7 + 11 = 18 days. Next fill on
    22 Nov (19-21 Nov without tablets: a three-day gap): 30 at two a day = 15 days (22 Nov - 6 Dec).
    PDC over 1-30 Nov: 18 + 9 (22-30 Nov) = 27 of 30 = 0.9. (At the dose of the fill day the first fill would
    last 30 days, cover all of November and hide the gap: 1.00.)"""
    clock.move_to(datetime(2026, 11, 1, 9, 0, tzinfo=BERLIN))
    run("add", "sertraline", "--dose", "25mg", "--at", "08:00", "--strength", "25mg", "--start", "2026-11-01")
    run("change", "sertraline", "--dose", "50mg", "--from", "2026-11-08", "--reason", "titration")
    out = run("refill", "sertraline", "--qty", "30").out
    assert out.endswith("refilled sertraline: 30 today at 09:00, 18 days' supply at the doses recorded\n")
    clock.move_to(datetime(2026, 11, 22, 9, 0, tzinfo=BERLIN))
    run("refill", "sertraline", "--qty", "30")
    assert [d["days_supply"] for d in refill_data(run)] == [15, 18]  # newest first
    clock.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN))
    s = pdc_of(run, *REPORT_NOV)
    assert (s["pdc"], s["covered_days"], s["period_days"], s["adherent"], s["pdc_note"]) == (0.9, 27, 30, True, None)


def test_taper_days_of_supply_count_the_tablets_left_at_the_lower_dose(run, clock):
    """100 mg a day (two 50 mg tablets) from 1 Nov, tapered to 50 mg (one) from 8 Nov. 44 tablets on 1 Nov:
    1-7 Nov two a day (14), then the 30 left last 30 days at one a day (8 Nov - 7 Dec): 7 + 30 = 37 days.
    30 more on 4 Dec (early: they start 8 Dec) = 30 days. PDC over 1 Nov - 11 Dec (41 days): 37 + 4 (8-11 Dec)
    = 41 of 41 = 1.0. At the dose of the fill day the first fill would last 44 / 2 = 22 days (1-22 Nov) and the
    second 4-11 Dec (8 days): 30 of 41 = 0.73 — while 30 days of tablets were on hand on 8 Nov."""
    clock.move_to(datetime(2026, 11, 1, 9, 0, tzinfo=BERLIN))
    run("add", "sertraline", "--dose", "100mg", "--at", "08:00", "--strength", "50mg", "--start", "2026-11-01")
    run("change", "sertraline", "--dose", "50mg", "--from", "2026-11-08", "--reason", "taper")
    assert run("refill", "sertraline", "--qty", "44").out.endswith(", 37 days' supply at the doses recorded\n")
    clock.move_to(datetime(2026, 12, 4, 9, 0, tzinfo=BERLIN))
    run("refill", "sertraline", "--qty", "30")
    clock.move_to(datetime(2026, 12, 12, 9, 0, tzinfo=BERLIN))
    s = pdc_of(run, "report", "--format", "json", "--from", "2026-11-01", "--to", "2026-12-11")
    assert (s["pdc"], s["covered_days"], s["period_days"], s["adherent"]) == (1, 41, 41, True)
    # What the old rule (days at the dose of the fill day) gave, worked through the same PQA function:
    assert round(supply.pdc([(d("2026-11-01"), 22), (d("2026-12-04"), 30)], d("2026-11-01"), d("2026-12-11")).pdc, 2) == 0.73


def test_days_of_supply_are_fixed_at_the_refill(run, clock):
    """Recorded on 1 Nov at 50 mg a day (50 mg tablets): 30 tablets = 30 days, stored. A dose increase recorded
    later (100 mg from 10 Nov) does not re-work them: the fill still covers 1-30 Nov."""
    clock.move_to(datetime(2026, 11, 1, 9, 0, tzinfo=BERLIN))
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--strength", "50mg", "--start", "2026-11-01")
    run("refill", "sertraline", "--qty", "30")
    clock.move_to(datetime(2026, 11, 5, 9, 0, tzinfo=BERLIN))
    run("change", "sertraline", "--dose", "100mg", "--from", "2026-11-10", "--reason", "increased")
    run("refill", "sertraline", "--qty", "30")  # early: its tablets start when the first fill's run out, 1 Dec
    # The second, recorded on 5 Nov with the increase known, walks from 1 Dec at two a day: 15 days
    assert [x["days_supply"] for x in refill_data(run)] == [15, 30]
    clock.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN))
    s = pdc_of(run, *REPORT_NOV)
    assert (s["covered_days"], s["period_days"], s["pdc"]) == (30, 30, 1)


def test_refill_days_from_the_label(run, clock):
    """--days is the label's figure and wins over the worked-out one: 30 tablets written as 28 days; the next
    fill on 1 Nov + 28 = 29 Nov with --days 30. PDC over 1-30 Nov: 28 + 2 (29-30 Nov) = 30 of 30."""
    clock.move_to(datetime(2026, 11, 1, 9, 0, tzinfo=BERLIN))
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--strength", "50mg", "--start", "2026-11-01")
    assert run("refill", "sertraline", "--qty", "30", "--days", "28").out.endswith(
        "refilled sertraline: 30 today at 09:00, 28 days' supply\n")
    clock.move_to(datetime(2026, 11, 29, 9, 0, tzinfo=BERLIN))
    run("refill", "sertraline", "--qty", "30", "--days", "30", "--repeats-left", "1")
    assert refill_data(run) == [{"qty": 30.0, "repeats_left": 1, "days_supply": 30},
                                {"qty": 30.0, "repeats_left": None, "days_supply": 28}]
    assert "refill sertraline 30 units (1 repeat left, 30 days' supply)" in run("log").out
    clock.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN))
    s = pdc_of(run, *REPORT_NOV)
    assert (s["covered_days"], s["period_days"], s["pdc"]) == (30, 30, 1)


def test_an_as_needed_refill_stores_no_days(run, clock):
    run("add", "lorazepam", "--dose", "1mg", "--as-needed", "--max-per-day", "2", "--strength", "1mg")
    assert run("refill", "lorazepam", "--qty", "20").out.endswith("refilled lorazepam: 20 today at 09:00\n")
    assert refill_data(run) == [{"qty": 20.0, "repeats_left": None, "days_supply": None}]


@pytest.mark.parametrize("days", ["0", "x", "-1", "1.5", "3661", "", "٣"])
def test_bad_refill_days_write_nothing(run, clock, dump, days):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    before = dump()
    r = run("refill", "sertraline", "--qty", "30", "--days", days, expect=ExitCode.USAGE)
    assert r.err == (f"meddiary: bad --days {days!r}: use the days' supply on the pharmacy label, a whole number "
                     "from 1 to 3660, e.g. 30\n")
    assert dump() == before


def test_one_fill_in_the_period_gives_no_pdc_and_says_so(run, clock):
    """One refill (1 Nov, 30 days) inside 1-30 Nov: the Pharmacy Quality Alliance counts a PDC only with two
    fills in the period, so there is none (though the pure pdc() would give 30 of 30)."""
    clock.move_to(datetime(2026, 11, 1, 9, 0, tzinfo=BERLIN))
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--strength", "50mg", "--start", "2026-11-01")
    run("refill", "sertraline", "--qty", "30")
    clock.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN))
    s = pdc_of(run, *REPORT_NOV)
    assert (s["pdc"], s["covered_days"], s["adherent"], s["refills_in_period"]) == (None, None, None, 1)
    assert s["pdc_note"] == "refills on one day only in the period (PDC needs fills on two days at least)"
    assert "no PDC: refills on one day only in the period (PDC needs fills on two days at least)" in run(*REPORT_NOV[:1], "--from", "2026-11-01",
                                                                               "--to", "2026-11-30").out
    assert supply.pdc([(d("2026-11-01"), 30)], d("2026-11-01"), d("2026-11-30")).pdc == 1.0


def test_two_refills_on_one_day_are_one_fill():
    """PQA counts fills on distinct days: two refills on 1 Nov are one fill for the two-fill rule."""
    med = Medication(1, "sertraline", False, regimens=[reg(1, "2026-11-01", 50, units_per_dose=1)])
    refills = [entry("refill", datetime(2026, 11, 1, 9, tzinfo=UTC), qty=15, repeats_left=None),
               entry("refill", datetime(2026, 11, 1, 10, tzinfo=UTC), qty=15, repeats_left=None)]
    [item] = supply.report_section([med], {1: object()}, {1: refills}, d("2026-11-01"), d("2026-11-30"), BERLIN)
    assert (item["pdc"], item["pdc_note"]) == (None, supply.ONE_FILL)


def test_days_of_supply_walk():
    """Pure cases of the walk: a stop ahead is counted at the last dose; a pause's days use nothing; a refill
    before the start counts at the first regimen; units not known: None."""
    def r(id, start, amount, kind=None, **kw):
        return Regimen(id, 1, d(start), kind or ("start" if id == 1 else "change"), amount, "mg",
                       (time(8),) if kind not in ("stop", "pause") else (), units_per_dose=amount and amount / 50, **kw)

    stopped = Medication(1, "x", False, regimens=[r(1, "2026-11-01", 100), r(2, "2026-11-10", None, "stop")])
    # 1-9 Nov two a day (18 of 30), then the 12 left at the last dose, two a day: 6 days. 9 + 6 = 15
    assert supply.days_of_supply(stopped, d("2026-11-01"), 30) == 15
    paused = Medication(1, "x", False, regimens=[r(1, "2026-11-01", 50), r(2, "2026-11-05", None, "pause"),
                                                 r(3, "2026-11-15", 50, "resume")])
    # 1-4 Nov (4 tablets), 5-14 Nov paused (10 days, none used), 15 Nov on: 6 left = 6 days. 4 + 10 + 6 = 20
    assert supply.days_of_supply(paused, d("2026-11-01"), 10) == 20
    early = Medication(1, "x", False, regimens=[r(1, "2026-11-01", 100)])
    assert supply.days_of_supply(early, d("2026-10-29"), 10) == 5  # from 29 Oct at two a day
    unknown = Medication(1, "x", False, regimens=[reg(1, "2026-11-01", 50)])
    assert supply.days_of_supply(unknown, d("2026-11-01"), 30) is None


def test_a_stored_days_supply_wins_over_the_walk():
    med = Medication(1, "sertraline", False, regimens=[reg(1, "2026-11-01", 50, units_per_dose=1)])
    refills = [entry("refill", datetime(2026, 11, 1, 9, tzinfo=UTC), qty=30, repeats_left=None, days_supply=28),
               entry("refill", datetime(2026, 11, 2, 9, tzinfo=UTC), qty=30, repeats_left=None, days_supply=None)]
    assert supply.fills(med, refills, BERLIN) == [(d("2026-11-01"), 28), (d("2026-11-02"), 30)]


def test_doses_in_grams_or_micrograms_count_by_their_amount(run, clock):
    # 50 mg tablets, 30 on hand: 0.1 g is two tablets (28), 50000 mcg one (27); 5 ml of tablets is unknown
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20", "--strength", "50mg")
    run("refill", "sertraline", "--qty", "30", "--at", "yesterday 07:00")
    run("take", "sertraline", "--dose", "0.1g", "--yes", "--at", "yesterday 08:00")
    assert json.loads(run("supply", "--json").out)["supply"][0]["on_hand"] == 28
    run("take", "sertraline", "--dose", "50000mcg", "--at", "08:00")
    assert json.loads(run("supply", "--json").out)["supply"][0]["on_hand"] == 27
    run("take", "sertraline", "--dose", "5ml", "--yes", "--at", "08:30")
    assert json.loads(run("supply", "--json").out)["supply"][0]["on_hand"] is None


def test_a_refill_dated_later_than_now_is_not_on_hand_yet(run, clock):
    run("add", "lorazepam", "--dose", "1mg", "--as-needed", "--max-per-day", "2", "--strength", "1mg")
    run("refill", "lorazepam", "--qty", "10")
    clock.move_to(datetime(2026, 12, 3, 11, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    run("refill", "lorazepam", "--qty", "30")  # recorded with the clock two days ahead
    clock.move_to(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    assert json.loads(run("supply", "--json").out)["supply"][0]["on_hand"] == 10
