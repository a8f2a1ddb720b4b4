"""The report's supply section (issue 5): on hand, days left, run-out and repeats left as of now, and PDC over
the report's period (overlapping fills shifted, a fill past the period's end cut) — as data in the JSON, and
a few exact lines of the terminal, Markdown and HTML; the empty case; the demo; and that the section reads
grouped take counts, never the takes of years."""

import html
import json
import re
from datetime import UTC, datetime

import pytest
import time_machine

from meddiary.render import common

PERIOD = ("--from", "2026-11-01", "--to", "2026-11-20")
FORMATS = ("terminal", "markdown", "html")


@pytest.fixture
def diary(run, clock):
    """Six medications, the report over 1–20 November, the clock at 26 November 09:00 (Berlin):

    sertraline 50 mg daily, 50 mg tablets (1 a day): 10 tablets on 2 Nov (covers 2–11 Nov), 5 on 9 Nov (early:
      shifted to 12–16 Nov), 30 on 19 Nov (19 Nov – 18 Dec, cut at 20 Nov); PDC from 2 Nov = 19 days, covered
      10 + 5 + 2 = 17 (17 and 18 Nov uncovered): 17/19 = 0.894737, adherent. Three takes since: 45 − 3 = 42 on
      hand, 42 days, runs out 26 Nov + 42 = 7 Jan.
    lamotrigine 50 mg twice daily, 25 mg tablets (4 a day): 28 tablets (7 days) on 25 Oct (before the period,
      covers nothing in it), 1 Nov (1–7 Nov) and 15 Nov (15–21 Nov, cut at 20 Nov): PDC 13/20 = 0.65, not
      adherent. Counted 20 on 22 Nov: 5 days left, runs out 1 Dec.
    mirtazapine: a fill on 10 Oct only (no refill in the period); quetiapine: no --strength (units per dose not
    recorded); lorazepam: as needed (2 uses in 30 days: 18 left lasts 270 days); escitalopram: no supply."""
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-10-01", "--strength", "50mg")
    run("add", "lamotrigine", "--dose", "50mg", "--at", "08:00", "--at", "20:00", "--start", "2026-10-01",
        "--strength", "25mg")
    run("add", "mirtazapine", "--dose", "15mg", "--at", "22:00", "--start", "2026-10-01", "--strength", "15mg")
    run("add", "quetiapine", "--dose", "100mg", "--at", "22:00", "--start", "2026-10-01")
    run("add", "escitalopram", "--dose", "10mg", "--at", "08:00", "--start", "2026-10-01")
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "3", "--start", "2026-10-01",
        "--strength", "0.5mg")
    run("refill", "sertraline", "--qty", "10", "--at", "2026-11-02 10:00", "--repeats-left", "3")
    run("refill", "sertraline", "--qty", "5", "--at", "2026-11-09 10:00", "--repeats-left", "2")
    run("refill", "sertraline", "--qty", "30", "--at", "2026-11-19 10:00", "--repeats-left", "1")
    for day in ("24", "25", "26"):
        run("take", "sertraline", "--at", f"2026-11-{day} 08:00")
    for day in ("2026-10-25", "2026-11-01", "2026-11-15"):
        run("refill", "lamotrigine", "--qty", "28", "--at", f"{day} 09:00")
    clock.move_to(datetime(2026, 11, 22, 11, 0, tzinfo=UTC))  # 12:00 in Berlin
    run("supply", "lamotrigine", "--count", "20")
    clock.move_to(datetime(2026, 11, 26, 8, 0, tzinfo=UTC))  # back to 09:00 in Berlin
    run("refill", "mirtazapine", "--qty", "30", "--at", "2026-10-10 10:00")
    run("refill", "quetiapine", "--qty", "30", "--at", "2026-11-05 10:00")
    run("take", "quetiapine", "--at", "2026-11-25 22:00")
    run("refill", "lorazepam", "--qty", "20", "--at", "2026-11-03 10:00", "--repeats-left", "0")
    run("take", "lorazepam", "--at", "2026-11-10 15:00")
    run("take", "lorazepam", "--at", "2026-11-20 15:00")


def supply_json(run, *args) -> list[dict]:
    return json.loads(run("report", "--format", "json", *args).out)["supply"]


SERTRALINE = {
    "medication": "sertraline", "on_hand": 42, "counted_from": "2026-11-02T10:00:00+01:00", "last_count": None,
    "last_refill": "2026-11-19", "repeats_left": 1, "daily_use": 1, "days_left": 42, "run_out": "2027-01-07",
    "pdc": 0.894737, "pdc_first": "2026-11-02", "pdc_last": "2026-11-20", "covered_days": 17, "period_days": 19,
    "adherent": True, "pdc_note": None, "refills_in_period": 3,
}
LAMOTRIGINE = {
    "medication": "lamotrigine", "on_hand": 20, "counted_from": "2026-11-22T12:00:00+01:00",
    "last_count": "2026-11-22", "last_refill": "2026-11-15", "repeats_left": None, "daily_use": 4, "days_left": 5,
    "run_out": "2026-12-01", "pdc": 0.65, "pdc_first": "2026-11-01", "pdc_last": "2026-11-20", "covered_days": 13,
    "period_days": 20, "adherent": False, "pdc_note": None, "refills_in_period": 2,
}
NO_PDC = {"pdc": None, "pdc_first": None, "pdc_last": None, "covered_days": None, "period_days": None,
          "adherent": None}


# -- the JSON ---------------------------------------------------------------------------------------------

def test_json_supply_and_pdc(run, diary):
    items = {s["medication"]: s for s in supply_json(run, *PERIOD)}
    # The report's order (scheduled by name, then as needed); escitalopram has no supply recorded.
    assert list(items) == ["lamotrigine", "mirtazapine", "quetiapine", "sertraline", "lorazepam"]
    assert items["sertraline"] == SERTRALINE  # an early fill shifted, a fill past the period's end cut
    assert items["lamotrigine"] == LAMOTRIGINE  # a gap: below 0.80
    assert items["mirtazapine"] == {
        "medication": "mirtazapine", "on_hand": 30, "counted_from": "2026-10-10T10:00:00+02:00", "last_count": None,
        "last_refill": "2026-10-10", "repeats_left": None, "daily_use": 1, "days_left": 30, "run_out": "2026-12-26",
        **NO_PDC, "pdc_note": "no refill in the period", "refills_in_period": 0}
    assert items["quetiapine"] == {
        "medication": "quetiapine", "on_hand": None, "counted_from": "2026-11-05T10:00:00+01:00", "last_count": None,
        "last_refill": "2026-11-05", "repeats_left": None, "daily_use": None, "days_left": None, "run_out": None,
        **NO_PDC, "pdc_note": "units per dose not recorded", "refills_in_period": 1}
    assert items["lorazepam"] == {
        "medication": "lorazepam", "on_hand": 18, "counted_from": "2026-11-03T10:00:00+01:00", "last_count": None,
        "last_refill": "2026-11-03", "repeats_left": 0, "daily_use": 0.067, "days_left": 270, "run_out": "2027-08-23",
        **NO_PDC, "pdc_note": "as needed", "refills_in_period": 1}


def test_pdc_follows_the_period(run, diary):
    """Over the last 30 days (28 Oct – 26 Nov) the sertraline fill of 19 Nov counts to 26 Nov: 10 + 5 + 8 of 25
    days; lamotrigine's fill of 15 Nov counts whole (to 21 Nov): 7 + 7 of 26 days."""
    items = {s["medication"]: s for s in supply_json(run)}
    s = items["sertraline"]
    assert (s["pdc_first"], s["pdc_last"], s["covered_days"], s["period_days"], s["pdc"], s["adherent"]) == (
        "2026-11-02", "2026-11-26", 23, 25, 0.92, True)
    lam = items["lamotrigine"]
    assert (lam["pdc_first"], lam["covered_days"], lam["period_days"], lam["pdc"]) == ("2026-11-01", 14, 26, 0.538462)


def test_report_for_one_medication(run, diary):
    assert supply_json(run, *PERIOD, "--med", "sertraline") == [SERTRALINE]
    assert supply_json(run, *PERIOD, "--med", "escitalopram") == []


def test_json_without_supply(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    assert supply_json(run) == []


# -- every rendering ---------------------------------------------------------------------------------------

def section(text: str, fmt: str, key: str = "supply") -> str:
    title = re.escape(common.SECTION_TITLES[key])
    pattern = {"terminal": rf"^{title} ─.*?(?=^\S[^\n]* ─+$|\Z)", "markdown": rf"^## {title}$.*?(?=^## |\Z)",
               "html": rf'<section id="{key}">.*?</section>'}[fmt]
    return re.search(pattern, text, re.M | re.S).group(0)


def plain(text: str) -> str:
    """The words a reader sees (HTML tags and entities taken out)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def report_text(run, fmt: str, *args) -> str:
    return run("report", "--format", fmt, *PERIOD, *args).out


def test_terminal_lines(run, diary):
    text = section(report_text(run, "terminal"), "terminal")
    cells = [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()]
    assert ["sertraline", "42", "42", "2027-01-07", "1", "2026-11-19"] in cells
    assert ["quetiapine", "—", "—", "—", "—", "2026-11-05"] in cells
    assert ["sertraline", "2026-11-02 – 2026-11-20", "0.89", "17 of 19", "yes"] in cells
    assert ["lamotrigine", "2026-11-01 – 2026-11-20", "0.65", "13 of 20", "no"] in cells
    assert ["lorazepam", "no PDC: as needed", "—", "—", "—"] in cells
    assert "escitalopram" not in text


def test_markdown_lines(run, diary):
    lines = section(report_text(run, "markdown"), "markdown").splitlines()
    assert "| Medication | On hand | Days left | Runs out about | Repeats left | Last refill |" in lines
    assert "| lamotrigine | 20 | 5 | 2026-12-01 | — | 2026-11-15 |" in lines
    assert "| Medication | Measured over | PDC | Days covered | Adherent (PDC ≥ 0.80) |" in lines
    assert "| sertraline | 2026-11-02 – 2026-11-20 | 0.89 | 17 of 19 | yes |" in lines
    assert "| mirtazapine | no PDC: no refill in the period | — | — | — |" in lines


def test_html_lines(run, diary):
    text = section(report_text(run, "html"), "html")
    assert ('<tr><th class="nowrap" scope="row">sertraline</th><td class="num">42</td><td class="num">42</td>'
            '<td class="num"><span class="nowrap">2027-01-07</span></td><td class="num">1</td>'
            '<td class="num"><span class="nowrap">2026-11-19</span></td></tr>') in text
    assert ('<tr><th class="nowrap" scope="row">lamotrigine</th><td><span class="nowrap">2026-11-01</span> – '
            '<span class="nowrap">2026-11-20</span></td><td class="num">0.65</td><td class="num">13&nbsp;of 20</td>'
            '<td class="num">no</td></tr>') in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_rendering_says_what_it_measures(run, diary, fmt):
    text = report_text(run, fmt)
    flat = plain(section(text, fmt))
    assert "On hand, days left and run-out as of 2026-11-26, from the record" in flat
    # quetiapine's tablets per dose are unknown: the fine print says where they are given
    assert "the tablets (or other units) a dose uses are not recorded" in flat
    about = plain(section(text, fmt, "about"))
    assert "PDC (proportion of days covered, Pharmacy Quality Alliance method)" in about
    assert "a refill made while earlier supply remains starts when that runs out" in about
    assert "supply past the period's end is not counted; adherent at PDC ≥ 0.80" in about
    # A record, not advice: low supply is a date, with nothing telling anyone what to do.
    assert not re.search(r"\b(should|must|order|book|refill now|running low)\b", section(text, fmt), re.I)


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_section_says_so(run, clock, fmt):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    text = section(run("report", "--format", fmt).out, fmt)
    assert common.EMPTY["supply"] in text
    assert "PDC" not in text and "On hand" not in text


def test_pdc_is_rounded_down_for_the_page():
    assert [common.pdc_text(x) for x in (0.796, 0.8, 0.894737, 1.0, 0.0)] == ["0.79", "0.80", "0.89", "1.00", "0.00"]


# -- the demo and the speed ----------------------------------------------------------------------------------

def test_the_demo_records_refills(run, tmp_path):
    with time_machine.travel(datetime(2026, 11, 26, 12, 0, tzinfo=UTC), tick=False):
        items = json.loads(run("--db", str(tmp_path / "demo.db"), "demo", "--format", "json").out)["supply"]
    by_name = {s["medication"]: s for s in items}
    assert list(by_name) == ["lamotrigine", "sertraline", "lorazepam"]  # quetiapine: no supply recorded
    # lamotrigine: a short fill on 29 Oct, out 10–12 Nov (the skips "ran-out"), a full pack on 13 Nov
    assert (by_name["lamotrigine"]["covered_days"], by_name["lamotrigine"]["period_days"]) == (26, 29)
    assert by_name["lamotrigine"]["repeats_left"] == 0 and by_name["lamotrigine"]["last_count"] == "2026-11-13"
    assert by_name["sertraline"]["refills_in_period"] == 2 and by_name["sertraline"]["pdc"] == 1
    assert by_name["lorazepam"]["pdc_note"] == "as needed"


def test_the_section_reads_grouped_counts_not_rows(run, clock, db_path, monkeypatch):
    """Thirteen months of daily takes: the report over 30 days loads takes only around its period; supply asks SQL
    for grouped counts (one query per medication with supply), whatever the diary's length."""
    from datetime import date, time, timedelta

    from meddiary import reporting
    from meddiary.store import Store
    from meddiary.timeparse import wall_to_utc
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Europe/Berlin")
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2025-11-01", "--strength", "50mg")
    store = Store(db_path)
    first = date(2025, 11, 1)
    rows = [{"kind": "take", "medication_id": 1, "at": wall_to_utc(first + timedelta(days=i), time(8), tz),
             "tz": tz.key, "dose_amount": 50, "dose_unit": "mg"} for i in range(390)]
    rows += [{"kind": "refill", "medication_id": 1, "at": wall_to_utc(first + timedelta(days=i), time(10), tz),
              "tz": tz.key, "data": {"qty": 30, "repeats_left": None}} for i in range(5, 390, 30)]
    with store.transaction():
        store.add_entries(rows, datetime(2026, 11, 26, tzinfo=UTC))
    calls = []
    between, totals = Store.entries_between, Store.take_totals
    monkeypatch.setattr(Store, "entries_between", lambda self, start, end, ids=None, kinds=("take", "skip"):
                        calls.append(("rows", kinds, start)) or between(self, start, end, ids, kinds))
    monkeypatch.setattr(Store, "take_totals", lambda self, med, since: calls.append(("totals", med, since))
                        or totals(self, med, since))
    now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    period = reporting.period_from_options("30d", None, None, "2h", date(2026, 11, 26), tz)
    rep = reporting.load(store, period, None, now, tz)
    takes = [start for what, kinds, start in calls if what == "rows" and "take" in kinds]
    assert takes == [period.start - timedelta(days=3)]  # the period and its margin only (report.around)
    assert [c for c in calls if c[0] == "totals"] == [("totals", 1, wall_to_utc(first + timedelta(days=5), time(10), tz))]
    assert len(calls) <= 7  # a fixed number of queries, none a day
    [item] = rep.supply
    # 13 fills of 30 from 6 Nov 2025, one of them (1 Nov) inside the 30 days: PQA's PDC needs two, so none
    # (issue 12); the fills still cover every day of it. 390 tablets less the 384 takes after the first fill.
    assert (item["pdc"], item["pdc_note"]) == (None, "refills on one day only in the period (PDC needs fills on two days at least)")
    from meddiary import supply

    refills = store.entries_of(("refill",))
    p = supply.pdc(supply.fills(store.medications()[0], refills, tz), period.first_day, period.last_day)
    assert (p.first, p.covered, p.days) == (date(2026, 11, 1), 26, 26)
    assert item["supply"].on_hand == 6
