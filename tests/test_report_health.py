"""The report's health sections through the command line: the item-9 flag at the top, mood and sleep, the
questionnaires, side effects, around each change and open questions — in the JSON and in every rendering — and
`report --since last-visit`."""

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from meddiary.errors import ExitCode
from meddiary.render import common
from meddiary.store import Store
from meddiary.timeparse import wall_to_utc

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN)
UNSAFE = "<b>&"
BASE = ("summary", "regimen", "adherence", "calendar", "changes", "skips", "as_needed", "holidays", "supply")
HEALTH = ("mood", "questionnaires", "measurements", "side_effects", "around", "questions")


def at(day: str, hh: int = 21) -> datetime:
    return wall_to_utc(date.fromisoformat(day), time(hh), BERLIN)


@pytest.fixture
def diary(run, db_path):
    """Sertraline from 1 Oct, 100 mg from 10 Nov; mood on the days around the change, a side effect after it, two
    PHQ-9s (item 9 above 0 in the second) and a GAD-7, a visit on 5 Nov, two questions (one done)."""
    with time_machine.travel(NOW, tick=False):
        run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-10-01")
        run("add", "lamotrigine", "--dose", "25mg", "--at", "20:00", "--start", "2026-10-01")
        run("change", "sertraline", "--dose", "100mg", "--from", "2026-11-10", "--reason", "increased")
        store = Store(db_path)
        rows = []

        def add(kind, when, data=None, med=None, note=None):
            rows.append({"kind": kind, "at": when, "tz": "Europe/Berlin", "data": data, "medication_id": med,
                         "note": note})

        def mood(day, score, sleep, **ratings):
            add("mood", at(day), {"score": score, "sleep_hours": sleep, "depressed": ratings.get("depressed"),
                                  "elevated": None, "anxiety": ratings.get("anxiety"), "irritability": None})

        mood("2026-10-20", 3, 9)  # before the 30-day period and more than 14 days before the change
        mood("2026-10-30", 3, 6, depressed=2)
        mood("2026-11-02", 4, 6)
        mood("2026-11-02", 6, None, anxiety=1)  # the day's mean: 5
        mood("2026-11-08", 5, 7)
        mood("2026-11-12", 7, 8, anxiety=2)
        mood("2026-11-20", 8, 7.5)
        add("side_effect", at("2026-11-12", 9), {"symptom": f"nausea {UNSAFE}", "severity": "moderate", "resolved": False}, 1)
        add("side_effect", at("2026-11-15", 9), {"symptom": f"nausea {UNSAFE}", "severity": None, "resolved": True}, 1)
        add("side_effect", at("2026-11-14", 9), {"symptom": "tremor", "severity": "mild", "resolved": False}, 2)
        add("check", at("2026-11-01"), {"instrument": "phq9", "answers": [2, 2, 2, 2, 1, 1, 1, 1, 0], "total": 12,
                                        "severity": "moderate", "item9": 0})
        add("check", at("2026-11-15"), {"instrument": "phq9", "answers": [1, 1, 1, 0, 0, 0, 0, 0, 1], "total": 4,
                                        "severity": "minimal", "item9": 1})
        add("check", at("2026-11-15", 22), {"instrument": "gad7", "answers": [1, 1, 1, 1, 1, 1, 0], "total": 6,
                                            "severity": "mild", "item9": None})
        add("visit", at("2026-11-05", 12), note="Dr Lee")
        add("question", at("2026-11-06"), {"text": f"Is the nausea from the higher dose? {UNSAFE}"})
        add("question", at("2026-11-07"), {"text": "Done already?"})
        with store.transaction():
            ids = store.add_entries(rows, NOW)
        done_uid = store.conn.execute("SELECT uid FROM entries WHERE id = ?", (ids[-1],)).fetchone()[0]
        store.add_entries([{"kind": "answer", "at": at("2026-11-08"), "tz": "Europe/Berlin",
                            "data": {"question": done_uid, "answer": "yes"}}], NOW)
        store.close()
        yield


def report_json(run, *args) -> dict:
    with time_machine.travel(NOW, tick=False):
        return json.loads(run("report", "--format", "json", *args).out)


def report_text(run, fmt: str, *args) -> str:
    with time_machine.travel(NOW, tick=False):
        return run("report", "--format", fmt, *args).out  # the terminal: 120 columns (conftest)


def headings(text: str, fmt: str) -> list[str]:
    if fmt == "terminal":
        return [text.splitlines()[0], *re.findall(r"^(\S.*?) ─+$", text, re.M)]
    return re.findall({"markdown": r"^## (.*)$|^# (.*)$", "html": r"<h[12]>(.*?)</h[12]>"}[fmt], text, re.M)


def section(text: str, fmt: str, key: str) -> str:
    title = re.escape(common.SECTION_TITLES[key])
    pattern = {"terminal": rf"^{title} ─.*?(?=^\S[^\n]* ─+$|\Z)", "markdown": rf"^## {title}$.*?(?=^## |\Z)",
               "html": rf'<section id="{key}">.*?</section>'}[fmt]
    return re.search(pattern, text, re.M | re.S).group(0)


def plain(text: str, fmt: str) -> str:
    """The text a reader sees: markup, escapes and line breaks taken out."""
    if fmt == "html":
        import html as h

        text = h.unescape(re.sub(r"<[^>]+>", " ", text)).replace("\xa0", " ")
    if fmt == "markdown":
        text = re.sub(r"\\(.)", r"\1", text).replace("**", "").replace("|", " ")
    return " ".join(text.split())


# -- the JSON -------------------------------------------------------------------------------------------

def test_json_health_parts(run, diary):
    js = report_json(run)
    assert js["item9"] == [{"at": "2026-11-15T21:00:00+01:00", "answer": 1, "total": 4, "severity": "minimal"}]
    assert js["mood"]["days"][1] == {"date": "2026-11-02", "score": 5.0, "depressed": None, "elevated": None,
                                     "anxiety": 1, "irritability": None, "sleep_hours": 6.0, "entries": 2}
    assert [d["date"] for d in js["mood"]["days"]] == ["2026-10-30", "2026-11-02", "2026-11-08", "2026-11-12", "2026-11-20"]
    week = js["mood"]["weeks"][1]
    assert week == {"first_day": "2026-11-02", "last_day": "2026-11-08", "days_with_data": 2, "mood_mean": 5.0,
                    "mood_days": 2, "sleep_mean": 6.5, "sleep_days": 2,
                    "highest": {"depressed": None, "elevated": None, "anxiety": 1, "irritability": None}}
    assert [(q["instrument"], q["total"], q["severity"], q["change_since_first"], q["item9"])
            for q in js["questionnaires"]] == [("phq9", 12, "moderate", None, 0), ("phq9", 4, "minimal", -8, 1),
                                               ("gad7", 6, "mild", None, None)]
    nausea, tremor = js["side_effects"]
    assert (nausea["symptom"], nausea["status"], nausea["worst_severity"], nausea["dose_at_onset"],
            nausea["days_after_change"], nausea["change_kind"]) == (f"nausea {UNSAFE}", "resolved", "moderate",
                                                                     "100 mg", 2, "change")
    assert (tremor["medication"], tremor["change_kind"], tremor["days_after_change"]) == ("lamotrigine", "start", 44)
    assert [q["text"] for q in js["open_questions"]] == [f"Is the nausea from the higher dose? {UNSAFE}"]


def test_json_around_the_change(run, diary):
    (a,) = report_json(run)["around_changes"]
    assert (a["date"], a["medication"], a["kind"], a["from"], a["to"], a["reason"]) == (
        "2026-11-10", "sertraline", "change", "50 mg at 08:00 daily", "100 mg at 08:00 daily", "increased")
    assert a["before"] == {"first_day": "2026-10-27", "last_day": "2026-11-09", "days_with_data": 3,
                           "mood_mean": 4.3, "mood_days": 3, "sleep_mean": 6.3, "sleep_days": 3,
                           "highest": {"depressed": 2, "elevated": None, "anxiety": 1, "irritability": None},
                           "days_so_far": 14, "side_effects": []}
    assert a["after"] == {"first_day": "2026-11-10", "last_day": "2026-11-23", "days_with_data": 2,
                          "mood_mean": 7.5, "mood_days": 2, "sleep_mean": 7.8, "sleep_days": 2,
                          "highest": {"depressed": None, "elevated": None, "anxiety": 2, "irritability": None},
                          "days_so_far": 14,
                          "side_effects": [{"symptom": f"nausea {UNSAFE}", "medication": "sertraline",
                                            "worst_severity": "moderate", "new": True},
                                           {"symptom": "tremor", "medication": "lamotrigine",
                                            "worst_severity": "mild", "new": True}]}
    assert a["other_changes"] == []


def test_json_of_a_diary_without_health_entries(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    js = json.loads(run("report", "--format", "json").out)
    assert (js["item9"], js["mood"]["days"], js["questionnaires"], js["side_effects"], js["open_questions"]) == (
        [], [], [], [], [])
    assert len(js["mood"]["weeks"]) == 5 and js["around_changes"][0]["kind"] == "start"


# -- every rendering ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_every_section_in_order_with_item9_at_the_top(run, diary, fmt):
    text = report_text(run, fmt)
    found = [h for h in headings(text, fmt) if h] if fmt != "markdown" else \
        [a or b for a, b in re.findall(r"^## (.*)$|^# (.*)$", text, re.M)]
    assert found == [common.TITLE, *(common.SECTION_TITLES[k] for k in ("item9", *BASE, *HEALTH, "about"))]


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_sections_show_the_json_numbers(run, diary, fmt):
    js = report_json(run)
    text = report_text(run, fmt)
    flag = plain(section(text, fmt, "item9"), fmt)
    assert "2026-11-15 21:00: item 9 answered 1 (\"Several days\"); PHQ-9 total 4 (minimal)" in flag
    mood = plain(section(text, fmt, "mood"), fmt)
    assert "Mood 1–10" in mood and "Sleep h" in mood
    for w in js["mood"]["weeks"]:
        if w["days_with_data"]:
            assert f"{w['days_with_data']} of " in mood and f"{w['mood_mean']:g}" in mood
    checks = plain(section(text, fmt, "questionnaires"), fmt)
    assert "4 of 27 minimal −8 1" in checks and "12 of 27 moderate — 0" in checks
    assert "No permission required to reproduce, translate, display or distribute." in checks
    side = plain(section(text, fmt, "side_effects"), fmt)
    assert (f"nausea {UNSAFE} (sertraline) moderate at worst; seen on 2026-11-12, resolved 2026-11-15. "
            "100 mg at onset, began 2 days after the dose change (2026-11-10).") in side
    around = plain(section(text, fmt, "around"), fmt)
    assert "2026-11-10 sertraline change: 50 mg at 08:00 daily → 100 mg at 08:00 daily — increased" in around
    assert "Mood, mean (1–10) 4.3 (3 days) 7.5 (2 days)" in around
    assert "Days with mood entries 3 of 14 2 of 14" in around
    assert "not what caused what" in around
    questions = plain(section(text, fmt, "questions"), fmt)
    assert f"Is the nausea from the higher dose? {UNSAFE}" in questions and "Done already?" not in questions


def test_user_text_is_escaped(run, diary):
    page = report_text(run, "html")
    assert "<b>" not in page
    assert "nausea &lt;b&gt;&amp;" in page
    assert r"nausea \<b\>\&" in report_text(run, "markdown")


def test_the_chart_has_a_column_a_day(run, diary):
    mood = section(report_text(run, "terminal"), "terminal", "mood")
    rows = {line[:common.CHART_LABEL].strip(): line[common.CHART_LABEL:] for line in mood.splitlines()
            if line[:common.CHART_LABEL].strip() in ("Mood 1–10", "Sleep h", "Anxiety", "Depressed")}
    first = date(2026, 10, 28)

    def marks(row: str) -> dict:
        return {(first + timedelta(days=i)).isoformat(): ch for i, ch in enumerate(rows[row]) if ch != " "}

    # 30 Oct (3), 2 Nov (mean 5), 8 Nov (5), 12 Nov (7), 20 Nov (8): a bar at those columns, blank elsewhere
    assert marks("Mood 1–10") == {"2026-10-30": common.score_bar(3), "2026-11-02": common.score_bar(5),
                                  "2026-11-08": common.score_bar(5), "2026-11-12": common.score_bar(7),
                                  "2026-11-20": common.score_bar(8)}
    assert marks("Sleep h")["2026-11-20"] == common.sleep_bar(7.5)
    assert marks("Depressed") == {"2026-10-30": common.RATING_MARK[2]}
    assert marks("Anxiety") == {"2026-11-02": common.RATING_MARK[1], "2026-11-12": common.RATING_MARK[2]}
    assert "Elevated" not in rows  # never rated in the period: no row in the chart


def test_a_long_period_splits_the_chart_into_months(run, diary):
    text = report_text(run, "markdown", "--since", "90d")
    mood = section(text, "markdown", "mood")
    assert re.findall(r"^\*\*(\w{3} \d{4})\*\*$", mood, re.M) == ["Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026"]


def test_report_for_one_medication_shows_its_side_effects(run, diary):
    js = report_json(run, "--med", "lamotrigine")
    assert [s["symptom"] for s in js["side_effects"]] == ["tremor"]
    assert js["around_changes"] == []  # lamotrigine started before the period and did not change


# -- since the last visit ----------------------------------------------------------------------------------

def test_since_last_visit(run, diary):
    js = report_json(run, "--since", "last-visit")
    assert (js["period"]["first_day"], js["period"]["last_day"]) == ("2026-11-05", "2026-11-26")
    assert [q["total"] for q in js["questionnaires"]] == [4, 6]  # the 1 Nov PHQ-9 is before the visit


def test_since_last_visit_uses_the_latest(run, diary, clock):
    run("visit", "--at", "2026-11-20")
    assert report_json(run, "--since", "last-visit")["period"]["first_day"] == "2026-11-20"


def test_since_last_visit_without_a_visit(run, clock, dump):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    before = dump()
    err = run("report", "--since", "last-visit", expect=ExitCode.USAGE).err
    assert err == "meddiary: no visit recorded yet: use --since 30d (or 2w, 3mo, 1y, a date)\n"
    assert dump() == before


def test_the_demo_shows_every_section(run, tmp_path):
    with time_machine.travel(datetime(2026, 11, 26, 12, 0, tzinfo=UTC), tick=False):
        js = json.loads(run("--db", str(tmp_path / "demo.db"), "demo", "--format", "json").out)
    assert js["item9"] and js["mood"]["days"] and js["questionnaires"] and js["side_effects"]
    assert js["around_changes"] and js["open_questions"]
    assert any(s["days_after_change"] is not None for s in js["side_effects"])
