"""The terminal, Markdown and HTML renderings of the report: every section in order, every number as in the
JSON, the calendar drawn from the model's day states, user text escaped, and files written whole."""

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from itertools import count
from zoneinfo import ZoneInfo

import pytest
import time_machine

from meddiary import report
from meddiary.model import Entry, Medication, Regimen
from meddiary.render import common, html, markdown, terminal
from meddiary.render import json as json_render
from meddiary.timeparse import wall_to_utc

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
UNSAFE = "<b>&"
FORMATS = ("terminal", "markdown", "html")
SECTIONS = ("summary", "regimen", "adherence", "calendar", "changes", "skips", "as_needed", "holidays", "supply", "mood",
            "questionnaires", "measurements", "side_effects", "around", "questions", "about")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return wall_to_utc(day, time(hour, minute), TZ)


def sample_report() -> report.Report:
    """26 days of three medications: a dose change, a late dose, a skip, a drug holiday, as-needed overuse."""
    sertraline = Medication(1, "sertraline", False, "depression", f"with food {UNSAFE} [red]not markup[/red]",
                            ["Zoloft"], [
                                Regimen(1, 1, date(2026, 10, 1), "start", 50, "mg", (time(8),)),
                                Regimen(2, 1, date(2026, 11, 15), "change", 100, "mg", (time(8),),
                                        reason="partial response; increased by Dr Lee"),
                            ])
    lamotrigine = Medication(2, "lamotrigine", False, "bipolar disorder", None, [], [
        Regimen(3, 2, date(2026, 11, 1), "start", 25, "mg", (time(8), time(20)))])
    lorazepam = Medication(3, "lorazepam", True, "panic attacks", None, [], [
        Regimen(4, 3, date(2026, 10, 1), "start", 0.5, "mg", max_per_day=2, min_interval=timedelta(hours=4))])
    ids = count(1)
    entries = []

    def add(kind: str, med: Medication, when: datetime, reason: str | None = None, note: str | None = None):
        if when < NOW:
            entries.append(Entry(next(ids), kind, med.id, when, TZ.key, reason=reason, note=note))

    first = date(2026, 11, 1)
    for n in range(26):
        day = first + timedelta(days=n)
        if n == 4:
            add("skip", sertraline, at(day, 8, 30), reason=f"nausea {UNSAFE}")
        elif n == 2:
            add("take", sertraline, at(day, 11, 30))  # late
        elif not 9 <= n <= 11:  # 10–12 November: nothing, a drug holiday
            add("take", sertraline, at(day, 8, 5))
        add("take", lamotrigine, at(day, 8, 10))
        if n >= 13:
            add("take", lamotrigine, at(day, 20, 0))
    bad_day = date(2026, 11, 7)
    add("take", lorazepam, at(bad_day, 10))
    add("take", lorazepam, at(bad_day, 12))  # sooner than 4 h
    add("take", lorazepam, at(bad_day, 18), note=f"bad night {UNSAFE}")  # a third within 24 h
    period = report.make_period(first, date(2026, 11, 26), TZ, timedelta(hours=2))
    return report.build([sertraline, lamotrigine, lorazepam], entries, period, NOW, TZ)


def demo_report(folder) -> report.Report:
    """The demo diary's 90 days: several calendar months, a taper, a stop."""
    from meddiary import demo, reporting
    from meddiary.store import Store

    store = Store(folder / "demo.db")
    demo.write(store, NOW, TZ)
    period = reporting.period_from_options("90d", None, None, "2h", NOW.astimezone(TZ).date(), TZ)
    return reporting.load(store, period, None, NOW, TZ)


@pytest.fixture(params=["sample", "demo"])
def rep(request, tmp_path):
    return sample_report() if request.param == "sample" else demo_report(tmp_path)


def render(rep: report.Report, fmt: str) -> str:
    if fmt == "terminal":
        return terminal.render_text(rep, width=200)  # wide, so that no cell wraps
    return {"markdown": markdown, "html": html}[fmt].render(rep)


# -- reading the renderings back ---------------------------------------------------------------------

class Rows(HTMLParser):
    """The text of every table row's cells."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).replace("\xa0", " ").strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def rows(text: str, fmt: str) -> list[list[str]]:
    if fmt == "html":
        parser = Rows()
        parser.feed(text)
        return parser.rows
    if fmt == "markdown":
        return [[re.sub(r"\\(.)", r"\1", cell.strip().strip("*")) for cell in line.strip()[1:-1].split(" | ")]
                for line in text.splitlines() if line.startswith("| ")]
    return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines() if line.strip()]


def headings(text: str, fmt: str) -> list[str]:
    """The title, then each section's heading (in the terminal: the first line, then the rules' titles)."""
    if fmt == "terminal":
        return [text.splitlines()[0], *re.findall(r"^(\S.*?) ─+$", text, re.M)]
    return re.findall({"markdown": r"^#+ (.*)$", "html": r"<h[12]>(.*?)</h[12]>"}[fmt], text, re.M)


def section(text: str, fmt: str, key: str) -> str:
    title = re.escape(common.SECTION_TITLES[key])
    pattern = {"terminal": rf"^{title} ─.*?(?=^\S[^\n]* ─+$|\Z)", "markdown": rf"^## {title}$.*?(?=^## |\Z)",
               "html": rf'<section id="{key}">.*?</section>'}[fmt]
    return re.search(pattern, text, re.M | re.S).group(0)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def expected_rows(js: dict) -> list[list[str]]:
    """The adherence tables' rows as the JSON says they must read."""
    def counts(s):
        return [str(s[k]) for k in ("scheduled", "taken", "on_time", "late", "skipped", "missed", "extra")]

    def rates(s):
        return [pct(s["adherence"]), pct(s["timing_adherence"]), pct(s["correct_dosing_days"]),
                str(s["drug_holidays"]), str(s["longest_streak"]), str(s["current_streak"])]

    out = []
    for m in js["medications"]:
        if m["as_needed_medication"]:
            a = m["as_needed"]
            out.append([m["name"], str(a["uses"]), f"{a['uses_per_week']:g}", str(a["over_limit"])])
        else:
            out += [[m["name"], *counts(m)], [m["name"], *rates(m)]]
    return out + [["All scheduled", *counts(js["overall"])], ["All scheduled", *rates(js["overall"])]]


# -- the tests ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_sections_appear_in_order(rep, fmt):
    flag = ["item9"] if rep.health.item9 else []  # PHQ-9 item 9 above 0: at the top (the demo has one)
    expected = [common.TITLE, *(common.SECTION_TITLES[k] for k in [*flag, *SECTIONS])]
    assert headings(render(rep, fmt), fmt) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_header_states_period_zone_and_window(rep, fmt):
    text = render(rep, fmt)
    js = json.loads(json_render.render(rep))
    p = js["period"]
    assert f"{p['first_day']} – {p['last_day']}" in text
    assert "Europe/Berlin" in text
    assert "±2 h of the scheduled time" in text
    assert js["generated_at"][:16].replace("T", " ") in text
    assert common.ABOUT.split(";")[0] in text.replace("\n", " ")


@pytest.mark.parametrize("fmt", FORMATS)
def test_adherence_numbers_are_the_json_numbers(rep, fmt):
    js = json.loads(json_render.render(rep))
    shown = rows(section(render(rep, fmt), fmt, "adherence"), fmt)
    for row in expected_rows(js):
        assert row in shown


@pytest.mark.parametrize("fmt", FORMATS)
def test_other_sections_show_the_json_numbers(rep, fmt):
    js = json.loads(json_render.render(rep))
    text = render(rep, fmt)
    changes = rows(section(text, fmt, "changes"), fmt)
    for c in js["dose_changes"]:
        assert [c["date"], c["medication"], c["direction"], c["from"] or "—", c["to"], c["reason"] or "—"] in changes
    skips = rows(section(text, fmt, "skips"), fmt)
    for reason, n in js["overall"]["skip_reasons"].items():
        assert any(row[0] == reason and row[-1] == str(n) for row in skips)
    holidays = rows(section(text, fmt, "holidays"), fmt)
    for m in js["medications"]:
        for h in m["holidays"]:
            days = (date.fromisoformat(h["end"]) - date.fromisoformat(h["start"])).days + 1
            assert [m["name"], h["start"], h["end"], str(days)] in holidays
        if m["as_needed"]:
            as_needed = section(text, fmt, "as_needed")
            assert f"{m['as_needed']['too_soon']} sooner than the minimum interval" in as_needed
            for when in m["as_needed"]["over_limit_at"]:
                assert datetime.fromisoformat(when).strftime("%Y-%m-%d %H:%M") in as_needed


def test_sample_report_has_every_kind_of_row():
    """The sample is worth testing against: each section has something to show."""
    js = json.loads(json_render.render(sample_report()))
    meds = {m["name"]: m for m in js["medications"]}
    assert meds["sertraline"]["late"] == 1 and meds["sertraline"]["skipped"] == 1
    assert meds["sertraline"]["holidays"] == [{"start": "2026-11-10", "end": "2026-11-12"}]
    assert meds["lorazepam"]["as_needed"]["over_limit"] == 1 and meds["lorazepam"]["as_needed"]["too_soon"] == 1
    assert [c["kind"] for c in js["dose_changes"]] == ["start", "change"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_calendar_draws_each_days_state(rep, fmt):
    js = json.loads(json_render.render(rep))
    cal = section(render(rep, fmt), fmt, "calendar")
    for m in js["medications"]:
        states = [d["state"] for d in m["days"]]
        if fmt == "html":
            shown = [s for row in re.findall(rf'<tr><th scope="row">{m["name"]}</th>(.*?)</tr>', cal)
                     for s in re.findall(r'class="(?:week |month )?s-(\w+)"', row)]
            assert shown == states
        elif fmt == "markdown":
            shown = [cell for row in rows(cal, fmt) if row[0] == m["name"] for cell in row[1:]]
            assert shown == [common.STATE_SYMBOL[s].strip() for s in states]
        else:
            shown = [sym for line in cal.splitlines() if line.startswith(m["name"] + "  ")
                     for sym in line[len(m["name"]):].split()]
            assert shown == [common.STATE_SYMBOL[s] for s in states if common.STATE_SYMBOL[s].strip()]
    for state, label in common.STATE_LABEL.items():
        assert f"{common.LEGEND_SYMBOL[state]}" in cal and label in cal


def test_long_periods_split_the_calendar_into_months():
    days = [date(2026, 8, 29) + timedelta(days=i) for i in range(90)]
    blocks = common.calendar_blocks(days)
    assert [b[0] for b in blocks] == [date(2026, 8, 29), date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    assert sum(blocks, []) == days and all(len(b) <= 31 for b in blocks)
    assert common.calendar_blocks(days[:31]) == [days[:31]]


def test_terminal_calendar_marks_weeks_and_months(tmp_path):
    cal = section(terminal.render_text(demo_report(tmp_path)), "terminal", "calendar")
    assert [line for line in cal.splitlines() if re.fullmatch(r"[A-Z][a-z]{2} 2026", line)] == [
        "Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026"]
    # 1 September 2026 is a Tuesday: the month's first run of days is T…S, then a week from Monday the 7th.
    assert re.search(r"^\s+1 Sep\s+7\s+14\s+21\s+28\s*$", cal, re.M)
    assert re.search(r"^\s+T W T F S S\s+M T W T F S S\s+", cal, re.M)


@pytest.mark.parametrize("width", [80, 100, 120])
def test_terminal_text_is_plain_and_fits_the_width(tmp_path, width):
    text = terminal.render_text(demo_report(tmp_path), width=width)
    assert "\x1b" not in text
    assert max(map(len, text.splitlines())) <= width


def test_terminal_prints_user_text_without_markup():
    text = terminal.render_text(sample_report(), width=200)
    assert f"with food {UNSAFE} [red]not markup[/red]" in text
    assert f"nausea {UNSAFE}" in text


def test_print_report_colours_only_a_terminal(capsys, monkeypatch):
    colour = re.compile(r"\x1b\[(?:\d+;)*(?:3[0-8]|9[0-7])[;m]")
    rep = sample_report()
    terminal.print_report(rep)  # NO_COLOR is set for every test
    assert not colour.search(capsys.readouterr().out)
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    terminal.print_report(rep)
    assert colour.search(capsys.readouterr().out)


def test_html_is_self_contained_and_printable():
    page = html.render(sample_report())
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"\b(?:src|href)=|@import|url\(", page)
    for rule in ("@page", "@media print", "break-inside: avoid"):
        assert rule in page


def test_html_escapes_user_text():
    page = html.render(sample_report())
    assert "<b>" not in page
    assert f"with food {html.esc(UNSAFE)}" in page  # the medication's note
    assert f"nausea {html.esc(UNSAFE)}" in page  # a skip reason
    assert f"bad night {html.esc(UNSAFE)}" in page  # an as-needed dose's note


def test_markdown_escapes_user_text():
    text = markdown.render(sample_report())
    assert "<b>" not in text
    assert r"nausea \<b\>\&" in text
    assert r"with food \<b\>\& \[red\]not markup\[/red\]" in text


def empty_report() -> report.Report:
    period = report.make_period(date(2026, 11, 1), date(2026, 11, 26), TZ, timedelta(hours=2))
    return report.build([], [], period, NOW, TZ)


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_sections_say_so(fmt):
    text = render(empty_report(), fmt)
    assert headings(text, fmt) == [common.TITLE, *(common.SECTION_TITLES[k] for k in SECTIONS)]
    for message in common.EMPTY.values():
        assert message in text


# -- through the command line ------------------------------------------------------------------------

@pytest.fixture
def diary(run):
    with time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False):
        run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-01",
            "--note", f"with food {UNSAFE}")
        run("take", "sertraline", "--at", "08:10")
        run("skip", "sertraline", "--reason", f"nausea {UNSAFE}", "--at", "yesterday 08:00")
        yield


@pytest.mark.parametrize(("fmt", "start"), [("html", "<!DOCTYPE html>"), ("markdown", "# meddiary"),
                                            ("terminal", common.TITLE)])
def test_output_writes_the_whole_file(run, diary, tmp_path, fmt, start):
    path = tmp_path / f"report.{fmt}"
    result = run("report", "--format", fmt, "--output", str(path))
    assert result.out == ""
    assert result.err == f"wrote {path}\n"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(start) and text.endswith("\n")
    assert list(tmp_path.glob(f".report.{fmt}.*")) == []  # no temporary file left beside it
    assert "nausea" in text
    if fmt != "terminal":
        assert run("report", "--format", fmt).out == text


def test_report_on_screen_is_the_terminal_rendering(run, diary):
    text = run("report").out
    assert headings(text, "terminal") == [common.TITLE, *(common.SECTION_TITLES[k] for k in SECTIONS)]
    assert "\x1b" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_demo_renders(run, tmp_path, fmt):
    with time_machine.travel(NOW, tick=False):
        text = run("--db", str(tmp_path / "demo.db"), "demo", "--format", fmt).out
    assert headings(text, fmt) == [common.TITLE, *(common.SECTION_TITLES[k] for k in ["item9", *SECTIONS])]


def test_a_printable_report_needs_no_escapes():
    """reporting.render skips errors.visible for a text printable throughout: every character visible escapes
    must be one str.isprintable refuses."""
    from meddiary import errors, reporting

    errors._shown_pattern()  # adds the surrogates
    assert not [hex(c) for c in errors._SHOWN if chr(c).isprintable()]
    for text in ('{"note": "caf\u00e9 \u2013 ok"}', '{"note": "a\u202eb"}', '{"note": "a\u0085b\u200bc"}', "a\tb\nc"):
        assert reporting.visible_text(text) == errors.visible(text)
