"""The report's first page (issue: "the report a psychiatrist reads in ten seconds"): alerts first, key numbers
per medication with current and stopped apart, tapers and titrations named, planned steps, doses other than
prescribed, as-needed use per 24 hours, greyscale-distinct calendar symbols, extra doses on unscheduled days —
and the chart drawn from the model (each plotted value is the model's), printing on one A4 and one Letter page."""

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
import time_machine

from meddiary import reporting, summary
from meddiary.model import Regimen
from meddiary.render import chart, common, html
from meddiary.render import json as json_render

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday


@pytest.fixture
def diary(run):
    """A fortnight: a titration upwards with a step still to come, a stopped medication, a Mon/Wed/Fri one with
    an extra dose on a Tuesday and a dose other than prescribed, an as-needed one over its limit, a side effect,
    a hypomanic few days, a lithium level."""
    with time_machine.travel(datetime(2026, 11, 12, 7, 0, tzinfo=UTC), tick=False):
        run("add", "lamotrigine", "--dose", "25mg", "--at", "08:00", "--start", "2026-11-12")
        run("add", "quetiapine", "--dose", "50mg", "--at", "22:00", "--start", "2026-11-12")
        run("add", "aripiprazole", "--dose", "5mg", "--at", "09:00", "--days", "mon,wed,fri", "--start", "2026-11-12")
        run("add", "lorazepam", "--dose", "0.5mg", "--as-needed", "--max-per-day", "2")
        run("taper", "lamotrigine", "--steps", "50mg,100mg", "--every", "2w", "--from", "2026-11-19",
            "--reason", "titration agreed")
    with time_machine.travel(NOW, tick=False):
        run("stop", "quetiapine", "--on", "2026-11-20", "--reason", "sedation")
        for day in range(12, 27):
            run("take", "lamotrigine", "--at", f"2026-11-{day} 08:05")
        run("take", "aripiprazole", "--at", "2026-11-18 09:00", "--dose", "10mg", "--yes")  # a Wednesday, other dose
        run("take", "aripiprazole", "--at", "2026-11-17 09:00", "--yes")  # a Tuesday: nothing scheduled
        for t in ("10:00", "15:00", "21:00"):
            run("take", "lorazepam", "--at", f"2026-11-21 {t}", "--yes")
        run("side-effect", "rash", "--med", "lamotrigine", "--severity", "moderate", "--at", "2026-11-22 09:00")
        for day, score in ((20, 8), (21, 9), (22, 9)):
            run("mood", str(score), "--elevated", "2", "--sleep", "4.5", "--at", f"2026-11-{day} 21:00")
        run("mood", "5", "--sleep", "7", "--at", "2026-11-24 21:00")
        run("measure", "lithium", "0.6", "mmol/L", "--range", "0.4-1.0", "--at", "2026-11-25 08:00")
        yield


def report_json(run):
    with time_machine.travel(NOW, tick=False):
        return json.loads(run("report", "--since", "15d", "--format", "json").out)


def report_text(run, fmt):
    with time_machine.travel(NOW, tick=False):
        return run("report", "--since", "15d", "--format", fmt).out


def test_alerts_come_first_in_order(run, diary):
    alerts = report_json(run)["summary"]["alerts"]
    kinds = [a["kind"] for a in alerts]
    assert kinds[:3] == ["over_limit", "side_effect", "elevated"]
    texts = [a["text"] for a in alerts]
    assert "lorazepam: 1 dose over the 24-hour limit (at most 2) on 2026-11-21" in texts
    assert "side effect rash (lamotrigine): since 2026-11-22, worst moderate, ongoing" in texts
    assert "elevated mood rated moderate or severe on 3 days: 2026-11-20 – 2026-11-22" in texts
    assert "aripiprazole: 1 dose taken other than prescribed (10 mg for 5 mg on 2026-11-18)" in texts
    md = report_text(run, "markdown")
    first = md.index("## At a glance")
    assert first < md.index("Look at first:") < md.index("- lorazepam: 1 dose over") < md.index("## Medications")


def test_current_and_stopped_apart_with_start_dates(run, diary):
    js = report_json(run)["summary"]
    assert js["current"] == ["aripiprazole", "lamotrigine", "lorazepam"]
    assert js["stopped"] == [{"name": "quetiapine", "started": "2026-11-12", "stopped_on": "2026-11-20"}]
    md = report_text(run, "markdown")
    regimen = md.split("## Medications: current and stopped")[1].split("\n## ")[0]
    current, stopped = regimen.split("| Stopped |")
    assert "quetiapine" not in current and "| quetiapine | 50 mg |" in stopped and "2026-11-20" in stopped
    assert "| lamotrigine | 50 mg | at 08:00 daily | — | 2026-11-12 | 2026-11-19 |" in current


def test_a_titration_is_named_as_such_and_planned_steps_are_shown(run, diary):
    js = report_json(run)
    ups = [c for c in js["dose_changes"] if c["medication"] == "lamotrigine" and c["date"] == "2026-11-19"]
    assert ups[0]["kind"] == "titration" and ups[0]["direction"] == "titration (up)"
    assert js["summary"]["planned"] == [{"medication": "lamotrigine", "date": "2026-12-03", "step": "titration (up)",
                                         "regimen": "100 mg at 08:00 daily"}]
    md = report_text(run, "markdown")
    assert "| 2026-11-19 | lamotrigine | titration (up) |" in md
    assert "| lamotrigine | 2026-12-03 | titration (up) | 100 mg at 08:00 daily |" in md
    assert "| taper |" not in md


@pytest.mark.parametrize("before, after, kind, said", [
    (100, 75, "taper", "taper (down)"), (25, 50, "taper", "titration (up)"), (50, 100, "change", "increase"),
    (100, 50, "change", "decrease"), (50, 50, "change", "change"), (None, 50, "start", "start"),
])
def test_direction(before, after, kind, said):
    from datetime import date, time

    b = Regimen(1, 1, date(2026, 1, 1), "start", before, "mg", (time(8),)) if before else None
    a = Regimen(2, 1, date(2026, 2, 1), kind, after, "mg", (time(8),))
    assert summary.direction(b, a) == said


def test_doses_other_than_prescribed_and_extra_days(run, diary):
    js = report_json(run)
    assert js["summary"]["different_doses"] == [{"medication": "aripiprazole", "at": "2026-11-18T09:00:00+01:00",
                                                 "taken": "10 mg", "prescribed": "5 mg"}]
    assert js["summary"]["extra_dose_days"] == {"aripiprazole": ["2026-11-17"]}
    md = report_text(run, "markdown")
    cal = md.split("## Adherence calendar")[1].split("\n## ")[0]
    row = next(line for line in cal.splitlines() if line.startswith("| aripiprazole |"))
    cells = [x.strip() for x in row.strip("|").split("|")][1:]
    assert cells[17 - 12] == common.STATE_SYMBOL["extra"] == "+"  # Tue 17 Nov: nothing scheduled, a dose taken
    assert cells[16 - 12] == "✕" and cells[19 - 12] == ""  # Monday: due, not taken; Thursday: nothing due
    assert "| aripiprazole | 2026-11-18 09:00 | 10 mg | 5 mg |" in md


def test_as_needed_amount_per_24_hours(run, diary):
    js = report_json(run)["summary"]["as_needed_most_in_24h"]
    assert js == {"lorazepam": {"amount": 1.5, "unit": "mg", "uses": 3}}
    assert "most in 24 h: 1.5 mg (3 uses)" in report_text(run, "markdown")


def test_calendar_symbols_differ_in_shape():
    symbols = [s for k, s in common.STATE_SYMBOL.items() if k != "none"]
    assert len(set(symbols)) == len(symbols)
    assert "◑" not in symbols  # was "partly taken", next to "◐": one half-circle mirrored cannot be told apart
    assert common.STATE_SYMBOL["partial"] == "½"
    assert "a dose not taken" in common.STATE_LABEL["partial"]


def test_the_text_chart_never_cuts_a_day_number():
    from datetime import date, timedelta

    days = [date(2026, 11, 1) + timedelta(days=i) for i in range(30)]  # the 30th is a Monday, the last column
    axis = common.chart_axis(days)
    assert not axis.endswith(" 3") and "30" not in axis


# -- the chart ---------------------------------------------------------------------------------------------

def model(run):
    from meddiary.store import Store, resolve_path
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Europe/Berlin")
    period = reporting.period_from_options("15d", None, None, "2h", NOW.astimezone(tz).date(), tz)
    return reporting.load(Store(resolve_path(None)), period, None, NOW, tz)


def svg_of(rep):
    page = html.render(rep)
    found = re.search(r"<svg.*?</svg>", page, re.S)
    assert found, "no chart"
    return ET.fromstring(found[0])


def marks(root, cls):
    return [e for e in root.iter() if e.get("class") == cls]


def test_each_plotted_value_is_the_models(run, diary):
    rep = model(run)
    root = svg_of(rep)
    h = rep.health
    mood = {m.day.isoformat(): m.score for m in h.days if m.score is not None}
    sleep = {m.day.isoformat(): m.sleep for m in h.days if m.sleep is not None}
    circles = marks(root, "mood")
    assert {c.get("data-day"): float(c.get("data-value")) for c in circles} == mood
    # the drawn position is the value: one straight line through (score, cy) with the chart's scale
    tops = {round(float(c.get("cy")) - (10 - float(c.get("data-value"))) / 9 * chart.MOOD_H, 1) for c in circles}
    assert len(tops) == 1
    bars = marks(root, "sleep")
    assert {b.get("data-day"): float(b.get("data-value")) for b in bars} == sleep
    for b in bars:
        assert float(b.get("height")) == pytest.approx(chart.sleep_height(float(b.get("data-value"))), abs=0.06)
    # x: each mark at its day's column
    days = [d.isoformat() for d in rep.period.days]
    for c in circles:
        assert float(c.get("cx")) == pytest.approx(chart.x_of(days.index(c.get("data-day")), len(days)), abs=0.06)
    # doses: each band's dose is the regimen in force on every day it covers
    from datetime import date, timedelta

    meds = {m.name: m.medication for m in rep.medications}
    bands = marks(root, "dose")
    assert bands
    for b in bands:
        med = next(m for m in meds.values() if b.findtext("title", "").startswith(m.name + " "))
        first, last = date.fromisoformat(b.get("data-first")), date.fromisoformat(b.get("data-last"))
        d = first
        while d <= last:
            assert common.number(med.regimen_on(d).dose_amount) == b.get("data-value"), (med.name, d)
            d += timedelta(days=1)
    lamotrigine = sorted((b.get("data-first"), b.get("data-value")) for b in bands
                         if b.findtext("title", "").startswith("lamotrigine "))
    assert lamotrigine == [("2026-11-12", "25"), ("2026-11-19", "50")]
    quetiapine = [b for b in bands if b.findtext("title", "").startswith("quetiapine ")]
    assert [b.get("data-last") for b in quetiapine] == ["2026-11-19"]  # stopped on the 20th
    # events on the same axis
    assert [(e.get("data-day"), e.get("data-value")) for e in marks(root, "elevated")] == \
        [("2026-11-20", "2"), ("2026-11-21", "2"), ("2026-11-22", "2")]
    assert [e.get("data-day") for e in marks(root, "side-effect")] == ["2026-11-22"]
    assert [(e.get("data-day"), e.get("data-value")) for e in marks(root, "measurement")] == [("2026-11-25", "0.6")]
    assert [(e.get("data-day"), e.get("data-value")) for e in marks(root, "prn")] == [("2026-11-21", "3")]
    assert ("2026-11-19", "titration (up)") in [(e.get("data-day"), e.get("data-kind")) for e in marks(root, "change")]


def test_the_chart_needs_no_script_and_fetches_nothing(run, diary):
    page = html.render(model(run))
    chart_svg = re.search(r"<svg.*?</svg>", page, re.S)[0]
    assert "<script" not in chart_svg and "href" not in chart_svg and "http" not in chart_svg


def test_svg_writer_escapes_and_rounds():
    from meddiary.render import svg

    assert svg.num(1.26) == "1.3" and svg.num(2.0) == "2" and svg.num(-0.04) == "0"
    assert svg.text(1, 2, "<b>&", class_="x") == '<text x="1" y="2" class="x">&lt;b&gt;&amp;</text>'
    assert svg.el("rect", x=1.25, data_day="2026-11-01") == '<rect x="1.2" data-day="2026-11-01"/>'
    assert svg.el("g", svg.title('"a"')) == "<g><title>&quot;a&quot;</title></g>"


# -- one page on A4 and on Letter --------------------------------------------------------------------------

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)


def pdf_pages(page_html: str, size: str, tmp_path) -> int:
    source = tmp_path / f"first-{size}.html"
    source.write_text(page_html.replace("@page {", f"@page {{ size: {size}; ", 1), encoding="utf-8")
    target = tmp_path / f"first-{size}.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={target}", source.as_uri()], capture_output=True, timeout=120, check=False)
    assert target.exists(), "Chromium wrote no PDF"
    return len(re.findall(rb"/Type\s*/Page[^s]", target.read_bytes()))


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
@pytest.mark.parametrize("since", ["30d", "90d"])
def test_the_demos_first_page_prints_on_one_a4_and_one_letter_page(tmp_path, since):
    from zoneinfo import ZoneInfo

    from meddiary import demo
    from meddiary.store import Store

    tz = ZoneInfo("Europe/London")
    store = Store(tmp_path / "demo.db")
    demo.write(store, NOW, tz)
    period = reporting.period_from_options(since, None, None, "2h", NOW.astimezone(tz).date(), tz)
    rep = reporting.load(store, period, None, NOW, tz)
    first = html.render_first_page(rep)
    assert "At a glance" in first and "<svg" in first
    assert pdf_pages(first, "A4", tmp_path) == 1
    assert pdf_pages(first, "letter", tmp_path) == 1
    # and in the whole report the detail starts on a page of its own
    assert "#summary { break-after: page;" in html.render(rep)
