"""The health commands: mood, side-effect, side-effects, check, ask, visit — what they record and print, the item-9
message, the crisis line setting, the two-week note, bad input (one line, exit 2, nothing written), and `log`
lines for every kind of entry.

Time is frozen at Thursday 2026-11-26 09:00 in Europe/Berlin unless a test moves it.
"""

import io
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from meddiary.errors import ExitCode

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def sertraline(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-10-01", "--alias", "Zoloft")
    run("change", "sertraline", "--dose", "100mg", "--from", "2026-11-20", "--reason", "increased")


def entries(db_path, kind: str) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return [(at, med, note, json.loads(data)) for at, med, note, data in conn.execute(
            "SELECT at_utc, medication_id, note, data FROM entries WHERE kind = ? ORDER BY id", (kind,))]
    finally:
        conn.close()


def no_ids(text: str) -> str:
    return re.sub(r"#\d+", "#N", text)


# -- mood -----------------------------------------------------------------------------------------------

def test_mood_records_what_is_given(run, clock, db_path):
    result = run("mood", "6", "--depressed", "1", "--anxiety", "2", "--sleep", "7h30", "--note", "ok day")
    assert no_ids(result.out) == "#N mood 6/10, depressed 1, anxiety 2, sleep 7.5 h (today at 09:00)\n"
    assert entries(db_path, "mood") == [("2026-11-26T08:00:00+00:00", None, "ok day", {
        "score": 6, "depressed": 1, "elevated": None, "anxiety": 2, "irritability": None, "sleep_hours": 7.5})]


@pytest.mark.parametrize(("args", "data"), [
    (["--sleep", "0"], {"sleep_hours": 0.0}),
    (["--sleep", "24"], {"sleep_hours": 24.0}),
    (["--sleep", "6.25"], {"sleep_hours": 6.25}),
    (["--sleep", "7:45"], {"sleep_hours": 7.75}),
    (["1"], {"score": 1}),
    (["10", "--elevated", "3", "--irritability", "0"], {"score": 10, "elevated": 3, "irritability": 0}),
])
def test_mood_ranges(run, clock, db_path, args, data):
    run("mood", *args)
    ((_, _, _, stored),) = entries(db_path, "mood")
    assert {k: v for k, v in stored.items() if v is not None} == data


def test_mood_at_an_earlier_time_and_several_a_day(run, clock, db_path):
    run("mood", "4", "--at", "yesterday 21:00")
    run("mood", "5")
    run("mood", "7")
    assert [e[0] for e in entries(db_path, "mood")] == ["2026-11-25T20:00:00+00:00", "2026-11-26T08:00:00+00:00",
                                                         "2026-11-26T08:00:00+00:00"]


# -- bad input: one line, exit 2, nothing written ---------------------------------------------------------

BAD_INPUT = [
    (["mood", "0"], "bad mood score '0'"),
    (["mood", "11"], "bad mood score '11'"),
    (["mood", "a"], "bad mood score 'a'"),
    (["mood", "５"], "bad mood score"),
    (["mood", "6.5"], "bad mood score '6.5'"),
    (["mood", "--", "-1"], "bad mood score '-1'"),
    (["mood", "5", "--depressed", "4"], "bad --depressed '4'"),
    (["mood", "5", "--anxiety", "-1"], "bad --anxiety '-1'"),
    (["mood", "5", "--elevated", "x"], "bad --elevated 'x'"),
    (["mood", "5", "--irritability", "1.5"], "bad --irritability '1.5'"),
    (["mood", "--sleep", "-1"], "bad --sleep '-1'"),
    (["mood", "--sleep", "24.5"], "more than 24 hours"),
    (["mood", "--sleep", "25"], "more than 24 hours"),
    (["mood", "--sleep", "nan"], "bad --sleep 'nan'"),
    (["mood", "--sleep", "1e3"], "bad --sleep '1e3'"),
    (["mood", "--sleep", "inf"], "bad --sleep 'inf'"),
    (["mood"], "give at least one value"),
    (["mood", "5", "--at", "tomorrow 08:00"], "is in the future"),
    (["side-effect", ""], "the symptom is empty"),
    (["side-effect", "   "], "the symptom is empty"),
    (["side-effect", "nausea", "--med", "sertralin"], "no medication 'sertralin' — did you mean sertraline?"),
    (["side-effect", "nausea", "--med", "aspirin"], "no medication 'aspirin'"),
    (["side-effect", "nausea", "--severity", "extreme"], "bad --severity 'extreme'"),
    (["side-effect", "nausea", "--resolved"], "no ongoing side effect 'nausea' to resolve"),
    (["side-effect", "x" * 201], "the symptom is too long"),
    (["questionnaire", "phq9", "--answers", "0,0,0,0,0,0,0,0"], "PHQ-9 has 9 items but --answers gave 8"),
    (["questionnaire", "gad7", "--answers", "0,0,0,0,0,0,0,0,0"], "GAD-7 has 7 items but --answers gave 9"),
    (["questionnaire", "gad7", "--answers", "0,0,0,0,0,0,4"], "bad answer '4'"),
    (["questionnaire", "gad7", "--answers", "a"], "bad answer 'a'"),
    (["questionnaire", "phq9"], "--answers 0,1,2,..."),
    (["check", "bdi", "--answers", "0"], "unknown questionnaire 'bdi'"),
    (["questionnaire", "--answers", "0,0"], "--answers and --at need a questionnaire"),
    (["questionnaire", "phq9", "--crisis-line", " ", "--answers", "0,0,0,0,0,0,0,0,0"], "bad --crisis-line"),
    (["ask", ""], "the question is empty"),
    (["ask"], "give one of"),
    (["ask", "why?", "--list"], "give one of"),
    (["ask", "--answer", "yes"], "give one of"),
    (["ask", "--done", "abc"], "bad question id 'abc'"),
    (["ask", "--done", "999"], "no question #999"),
    (["ask", "--done", "1", "--answer", " "], "the answer is empty"),
    (["ask", "why?", "--json"], "--json goes with --list"),
    (["visit", "--at", "tomorrow"], "is in the future"),
    (["visit", "--at", "someday"], "bad date 'someday'"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(run, sertraline, dump, args, message):
    before = dump()
    result = run(*args, expect=ExitCode.USAGE)
    assert message in result.err
    assert result.err.count("\n") == 1 and result.err.startswith("meddiary: ")
    assert result.out == ""
    assert dump() == before


def test_bad_input_on_a_new_diary_creates_nothing_but_the_diary(run, clock, dump):
    run("mood", "0", expect=ExitCode.USAGE)
    run("list")  # opens (and so creates) the diary
    assert "INSERT INTO \"entries\"" not in dump()


# -- side effects ---------------------------------------------------------------------------------------

def test_side_effect_episode_continues_and_resolves(run, sertraline, clock, db_path):
    r1 = run("side-effect", "nausea", "--med", "Zoloft", "--severity", "mild", "--at", "2026-11-22 10:00")
    assert no_ids(r1.out) == "#N side effect nausea (mild, sertraline) 2026-11-22 at 10:00 — new\n"
    r2 = run("side-effect", "Nausea", "--severity", "moderate", "--at", "yesterday 09:00")
    assert no_ids(r2.out) == "#N side effect Nausea (moderate, sertraline) yesterday at 09:00 — continues since 2026-11-22\n"
    r3 = run("side-effect", "nausea", "--resolved", "--note", "gone with food")
    assert no_ids(r3.out) == "#N nausea resolved today at 09:00 (since 2026-11-22)\n"
    stored = entries(db_path, "side_effect")
    assert [e[3] for e in stored] == [
        {"symptom": "nausea", "severity": "mild", "resolved": False},
        {"symptom": "Nausea", "severity": "moderate", "resolved": False},
        {"symptom": "nausea", "severity": None, "resolved": True}]
    assert [e[1] for e in stored] == [1, 1, 1]  # the episode's medication carries over
    assert stored[2][2] == "gone with food"
    r4 = run("side-effect", "nausea")
    assert no_ids(r4.out) == "#N side effect nausea today at 09:00 — new\n"


def test_side_effects_lists_episodes_with_the_dose_at_onset(run, sertraline, clock):
    run("side-effect", "nausea", "--med", "sertraline", "--severity", "mild", "--at", "2026-11-22 10:00")
    run("side-effect", "nausea", "--severity", "severe", "--at", "2026-11-24 10:00")
    run("side-effect", "nausea", "--resolved", "--at", "yesterday 20:00")
    run("side-effect", "headache", "--at", "08:00")
    assert run("side-effects").out == (
        "nausea (sertraline): resolved 2026-11-25, worst severe\n"
        "  onset 2026-11-22 10:00, last seen 2026-11-24 10:00\n"
        "  sertraline at onset: 100 mg; began 2 days after the dose change (2026-11-20)\n"
        "headache: ongoing, worst not rated\n"
        "  onset 2026-11-26 08:00, last seen 2026-11-26 08:00\n")
    data = json.loads(run("side-effects", "--json").out)["side_effects"]
    assert data[0] == {
        "symptom": "nausea", "medication": "sertraline", "onset": "2026-11-22T10:00:00+01:00",
        "last_seen": "2026-11-24T10:00:00+01:00", "resolved_at": "2026-11-25T20:00:00+01:00", "status": "resolved",
        "worst_severity": "severe", "logs": 2, "dose_at_onset": "100 mg", "change_date": "2026-11-20",
        "change_kind": "change", "days_after_change": 2, "notes": []}
    assert (data[1]["status"], data[1]["medication"], data[1]["days_after_change"]) == ("ongoing", None, None)


def test_side_effects_of_an_empty_diary(run, clock):
    assert run("side-effects").out.startswith("no side effects recorded")
    assert json.loads(run("side-effects", "--json").out) == {"side_effects": []}


def test_a_resolution_before_the_onset_is_refused(run, sertraline, dump):
    run("side-effect", "nausea", "--at", "08:00")
    before = dump()
    assert "cannot resolve before that" in run("side-effect", "nausea", "--resolved", "--at", "07:00",
                                               expect=ExitCode.USAGE).err
    assert dump() == before


@pytest.mark.parametrize(("at", "said"), [
    ("2026-11-12 09:00", "continues the episode of 2026-11-10 (resolved 2026-11-15)"),
    ("2026-11-23 09:00", "continues since 2026-11-22"),
    ("2026-11-18 09:00", "now the onset of the episode last seen 2026-11-22, ongoing"),
    ("2026-11-05 09:00", "now the onset of the episode last seen 2026-11-10, resolved 2026-11-15"),
])
def test_a_backdated_log_is_reported_as_side_effects_folds_it(run, sertraline, clock, at, said):
    run("side-effect", "nausea", "--med", "sertraline", "--at", "2026-11-10 10:00")
    run("side-effect", "nausea", "--resolved", "--at", "2026-11-15 10:00")
    run("side-effect", "nausea", "--at", "2026-11-22 10:00")
    before = json.loads(run("side-effects", "--json").out)["side_effects"]
    result = run("side-effect", "nausea", "--at", at)
    assert no_ids(result.out).endswith(f" — {said}\n")
    after = json.loads(run("side-effects", "--json").out)["side_effects"]
    assert len(after) == len(before) == 2  # folded into an episode, none new


def test_a_backdated_log_between_nothing_is_new(run, sertraline, clock):
    run("side-effect", "nausea", "--at", "2026-11-10 10:00")
    run("side-effect", "nausea", "--resolved", "--at", "2026-11-15 10:00")
    assert no_ids(run("side-effect", "headache", "--at", "2026-11-12 09:00").out).endswith(" — new\n")


def test_a_backdated_log_takes_the_medication_of_the_episode_it_joins(run, sertraline, clock, db_path):
    run("add", "lithium", "--dose", "400mg", "--at", "20:00", "--start", "2026-10-01")
    run("side-effect", "tremor", "--med", "lithium", "--at", "2026-11-10 10:00")
    run("side-effect", "tremor", "--resolved", "--at", "2026-11-15 10:00")
    run("side-effect", "tremor", "--med", "sertraline", "--at", "2026-11-22 10:00")
    out = run("side-effect", "tremor", "--at", "2026-11-12 09:00").out
    assert "(lithium)" in out
    assert entries(db_path, "side_effect")[-1][1] == 2  # lithium


def test_med_differing_from_the_episodes_medication_is_refused(run, sertraline, clock, dump):
    run("add", "lithium", "--dose", "400mg", "--at", "20:00", "--start", "2026-10-01")
    run("side-effect", "nausea", "--med", "zoloft", "--at", "2026-11-22 10:00")
    before = dump()
    result = run("side-effect", "nausea", "--med", "lithium", expect=ExitCode.USAGE)
    assert result.err == ("meddiary: the nausea episode (since 2026-11-22, ongoing) is recorded with sertraline: "
                          "log it without --med, or with --med sertraline\n")
    assert dump() == before
    run("side-effect", "nausea", "--med", "Zoloft")  # the same medication: fine
    run("side-effect", "headache", "--med", "lithium")  # another symptom: fine


def test_a_resolution_before_the_episodes_last_log_is_refused(run, sertraline, dump):
    run("side-effect", "nausea", "--at", "2026-11-22 10:00")
    run("side-effect", "nausea", "--severity", "moderate", "--at", "yesterday 09:00")
    before = dump()
    result = run("side-effect", "nausea", "--resolved", "--at", "2026-11-24 12:00", expect=ExitCode.USAGE)
    assert result.err == ("meddiary: nausea was last logged yesterday at 09:00 (ongoing since 2026-11-22): "
                          "it cannot resolve before that; give --at '2026-11-25 09:00' or later\n")
    assert dump() == before
    run("side-effect", "nausea", "--resolved", "--at", "yesterday 09:00")  # the last log's own time is fine


# -- questionnaires -------------------------------------------------------------------------------------

def test_check_with_answers(run, clock, db_path):
    result = run("questionnaire", "gad7", "--answers", "1,1,1,1,1,0,0")
    assert no_ids(result.out) == ("#N GAD-7 total 5 of 21: mild\n"
                                  "  (GAD-7 bands: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe)\n"
                                  "  (No permission required to reproduce, translate, display or distribute.)\n")
    assert entries(db_path, "check")[0][3] == {"instrument": "gad7", "answers": [1, 1, 1, 1, 1, 0, 0], "total": 5,
                                               "severity": "mild", "item9": None}


def test_check_json_is_the_stored_result(run, clock):
    result = run("questionnaire", "phq9", "--answers", "3,3,3,3,3,2,2,1,0", "--json")
    assert json.loads(result.out) == {"instrument": "phq9", "answers": [3, 3, 3, 3, 3, 2, 2, 1, 0], "total": 20,
                                      "severity": "severe", "item9": 0}
    assert result.err == ""


def test_item9_message_comes_first_even_at_a_minimal_total(run, clock):
    out = run("questionnaire", "phq9", "--answers", "0,0,0,0,0,0,0,0,1").out
    lines = out.splitlines()
    assert lines[0].startswith('You answered "Several days" to the question about thoughts')
    assert "meddiary is not monitored: it tells no one" in out
    assert "emergency" in out and "TelefonSeelsorge 0800 111 0 111" in out and "988" not in out  # Europe/Berlin
    score = next(i for i, line in enumerate(lines) if "PHQ-9 total 1 of 27: minimal; item 9: 1" in line)
    assert score > 3


def test_item9_in_json_mode_goes_to_stderr(run, clock):
    result = run("questionnaire", "phq9", "--answers", "0,0,0,0,0,0,0,0,2", "--json")
    assert json.loads(result.out)["item9"] == 2
    assert result.err.startswith('You answered "More than half the days"') and "TelefonSeelsorge" in result.err


def test_the_crisis_line_is_a_setting(run, clock, db_path):
    out = run("questionnaire", "phq9", "--answers", "0,0,0,0,0,0,0,0,1", "--crisis-line", "Samaritans 116 123").out
    assert "Samaritans 116 123" in out and "988" not in out
    assert "Samaritans 116 123" in run("questionnaire", "phq9", "--answers", "0,0,0,0,0,0,0,0,3").out  # kept
    assert run("questionnaire", "--crisis-line", "NHS 111").out == "crisis line set: NHS 111\n"
    assert "NHS 111" in run("questionnaire", "phq9", "--answers", "0,0,0,0,0,0,0,0,1").out
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT value FROM settings WHERE key = 'crisis_line' ORDER BY id").fetchall() == [
        ("Samaritans 116 123",), ("NHS 111",)]


def test_no_item9_message_without_item9(run, clock):
    assert "not monitored" not in run("questionnaire", "phq9", "--answers", "3,3,3,3,3,3,3,3,0").out


@pytest.mark.parametrize(("days", "noted"), [(1, True), (13, True), (14, False)])
def test_a_backdated_questionnaire_before_a_later_one_gets_the_note(run, clock, db_path, days, noted):
    run("questionnaire", "gad7", "--answers", "0,0,0,0,0,0,0")
    earlier = (datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN) - timedelta(days=days)).strftime("%Y-%m-%d 09:00")
    result = run("questionnaire", "gad7", "--answers", "1,0,0,0,0,0,0", "--at", earlier)
    note = ("note: another GAD-7 is recorded " + f"{days} day{'s' if days != 1 else ''} after this one; each one "
            "covers the last 2 weeks, so every 14 days is often enough (this one is recorded)\n")
    assert result.out.endswith(note) == noted
    assert len(entries(db_path, "check")) == 2


@pytest.mark.parametrize(("days", "noted"), [(0, True), (1, True), (13, True), (14, False), (30, False)])
def test_a_questionnaire_within_14_days_gets_a_gentle_note(run, clock, db_path, days, noted):
    run("questionnaire", "gad7", "--answers", "0,0,0,0,0,0,0")
    clock.move_to(datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN) + timedelta(days=days))
    result = run("questionnaire", "gad7", "--answers", "1,0,0,0,0,0,0")
    assert ("each one covers the last 2 weeks" in result.out) == noted
    assert len(entries(db_path, "check")) == 2  # still recorded
    assert "note" not in run("questionnaire", "phq9", "--answers", "0,0,0,0,0,0,0,0,0").out  # another instrument


def test_the_gentle_note_in_json_mode_is_on_stderr(run, clock):
    run("questionnaire", "gad7", "--answers", "0,0,0,0,0,0,0")
    result = run("questionnaire", "gad7", "--answers", "0,0,0,0,0,0,0", "--json")
    json.loads(result.out)
    assert "note: another GAD-7 is recorded the same day" in result.err


def interactive(run, typed: str):
    run.at_terminal(typed)


def test_check_asks_item_by_item_on_a_terminal(run, clock, monkeypatch, db_path):
    interactive(run, "1\n4\nx\n2\n0\n0\n0\n0\n3\n")
    result = run("questionnaire", "gad7")
    assert no_ids(result.out) == ("#N GAD-7 total 6 of 21: mild\n"
                                  "  (GAD-7 bands: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe)\n")
    assert "Over the last 2 weeks, how often have you been bothered by the following problems?" in result.err
    assert "1/7. Feeling nervous, anxious, or on edge" in result.err
    assert "7/7. Feeling afraid, as if something awful might happen" in result.err
    assert "No permission required to reproduce, translate, display or distribute." in result.err
    assert result.err.count("please answer 0") == 2  # "4" and "x" asked again
    assert entries(db_path, "check")[0][3]["answers"] == [1, 2, 0, 0, 0, 0, 3]


def test_check_stopped_half_way_records_nothing(run, clock, monkeypatch, dump):
    run("list")
    before = dump()
    interactive(run, "1\n2\n")
    assert "not finished; nothing recorded" in run("questionnaire", "phq9", expect=ExitCode.REFUSED).err
    assert dump() == before


def test_check_without_an_instrument_checks_the_diary(run, clock, monkeypatch):
    pytest.importorskip("meddiary.integrity")
    run("mood", "5")
    result = run("check")
    assert result.code == 0 and result.out


# -- questions and visits -------------------------------------------------------------------------------

def test_ask_list_and_done(run, clock, db_path):
    r = run("ask", "  Is the insomnia   from the sertraline? ")
    qid = re.match(r"#(\d+)", r.out)[1]
    assert r.out == f"#{qid} question for the next appointment: Is the insomnia from the sertraline?\n"
    run("ask", "Can I take it with food?")
    listed = run("ask", "--list").out.splitlines()
    assert [line.split("  ", 1)[1].strip() for line in listed] == [
        "2026-11-26  Is the insomnia from the sertraline?", "2026-11-26  Can I take it with food?"]
    done = run("ask", "--done", f"#{qid}", "--answer", "possibly; try taking it in the morning")
    assert no_ids(done.out) == "#N done: #N Is the insomnia from the sertraline? — answer: possibly; try taking it in the morning\n"
    assert [q["text"] for q in json.loads(run("ask", "--list", "--json").out)["questions"]] == ["Can I take it with food?"]
    assert "was already done" in run("ask", "--done", qid, expect=ExitCode.REFUSED).err
    question_uid = sqlite3.connect(db_path).execute("SELECT uid FROM entries WHERE id = ?", (int(qid),)).fetchone()[0]
    assert entries(db_path, "answer")[0][3] == {"question": question_uid, "answer": "possibly; try taking it in the morning"}


def test_ask_done_needs_a_question(run, clock):
    mood_id = re.match(r"#(\d+)", run("mood", "5").out)[1]
    assert f"no question #{mood_id}" in run("ask", "--done", mood_id, expect=ExitCode.USAGE).err


def test_ask_list_when_none_are_open(run, clock):
    assert run("ask", "--list").out.startswith("no open questions")
    assert json.loads(run("ask", "--list", "--json").out) == {"questions": []}


def test_visit(run, clock, db_path):
    assert no_ids(run("visit", "--note", "Dr Lee").out).startswith("#N visit on 2026-11-26 (Dr Lee)")
    run("visit", "--at", "2026-11-01")
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT at_utc, note FROM entries WHERE kind = 'visit' ORDER BY id").fetchall() == [
        ("2026-11-26T08:00:00+00:00", "Dr Lee"), ("2026-11-01T11:00:00+00:00", None)]


# -- log and undo read well for every kind ----------------------------------------------------------------

def test_log_lines_for_every_kind(run, sertraline, clock, db_path):
    from meddiary.store import Store

    run("mood", "6", "--sleep", "7", "--at", "08:01")
    run("side-effect", "nausea", "--med", "sertraline", "--severity", "mild", "--at", "08:02")
    run("questionnaire", "phq9", "--answers", "0,0,0,0,0,0,0,0,1", "--at", "08:03")
    qid = re.match(r"#(\d+)", run("ask", "Why?").out)[1]
    run("ask", "--done", qid, "--answer", "because")
    run("visit", "--note", "Dr Lee")
    store = Store(db_path)
    now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    store.add_entries([{"kind": "refill", "medication_id": 1, "at": now - timedelta(minutes=50), "tz": "Europe/Berlin",
                        "data": {"qty": 30, "repeats_left": 2}},
                       {"kind": "count", "medication_id": 1, "at": now - timedelta(minutes=40), "tz": "Europe/Berlin",
                        "data": {"count": 12}}], now)
    store.close()
    lines = [re.sub(r"^#\d+\s+", "", line) for line in run("log").out.splitlines()]
    assert lines == [
        "2026-11-26 09:00  visit — note: Dr Lee",
        "2026-11-26 09:00  done #4 Why? — answer: because",
        "2026-11-26 09:00  question Why?",
        "2026-11-26 08:20  count sertraline 12 on hand",
        "2026-11-26 08:10  refill sertraline 30 units (2 repeats left)",
        "2026-11-26 08:03  check PHQ-9 total 1: minimal; item 9: 1",
        "2026-11-26 08:02  side effect nausea (mild, sertraline)",
        "2026-11-26 08:01  mood 6/10, sleep 7 h",
    ]
    logged = {e["kind"]: e for e in json.loads(run("log", "--json").out)["entries"]}
    assert logged["mood"]["data"] == {"score": 6, "depressed": None, "elevated": None, "anxiety": None,
                                      "irritability": None, "sleep_hours": 7.0}
    assert logged["refill"]["data"] == {"qty": 30, "repeats_left": 2} and logged["refill"]["medication"] == "sertraline"
    assert logged["visit"]["data"] is None and logged["visit"]["note"] == "Dr Lee"


def test_undo_says_what_it_retracted(run, clock):
    run("mood", "6", "--sleep", "7.5")
    assert re.sub(r"#\d+\s+", "#N ", run("undo").out) == "retracted #N 2026-11-26 09:00  mood 6/10, sleep 7.5 h\n"
    run("side-effect", "nausea", "--severity", "moderate")
    assert run("undo").out.endswith("side effect nausea (moderate)\n")


def test_every_health_command_has_help(run):
    for name in ("mood", "side-effect", "side-effects", "check", "ask", "visit"):
        assert "Usage:" in run(name, "--help").out


def test_item9_message_shows_even_when_the_diary_is_busy(run, clock, db_path, monkeypatch):
    """The support message is printed as soon as the answers are scored, before the write: a diary locked by
    another program (the write fails) never hides it."""
    run("questionnaire", "gad7", "--answers", "0,0,0,0,0,0,0")  # the diary exists
    monkeypatch.setattr("meddiary.store.BUSY_TIMEOUT_S", 0.05)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        result = run("questionnaire", "phq9", "--answers", "0,0,0,0,0,0,0,0,1", expect=ExitCode.REFUSED)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.out.startswith('You answered "Several days" to the question about thoughts')
    assert "TelefonSeelsorge" in result.out  # the zone's line, without waiting on the busy diary
    assert len(entries(db_path, "check")) == 1  # not recorded


# -- one word, one meaning (issue 16): `questionnaire` fills in PHQ-9/GAD-7, `check` checks the file -------

def test_the_old_spelling_check_phq9_still_works_with_a_note(run, clock):
    result = run("check", "gad7", "--answers", "1,1,1,1,1,0,0")
    assert result.err == ("note: 'meddiary check phq9|gad7' is now 'meddiary questionnaire phq9|gad7' ('check' "
                          "alone checks the diary file); the old spelling still works\n")
    assert "GAD-7 total 5 of 21: mild" in result.out
    assert "GAD-7" in run("log", "--limit", "1").out


def test_check_alone_is_the_file_check_and_its_help_says_where_the_questionnaires_are(run, clock):
    run("mood", "6")
    assert run("check").out.startswith("ok: ")
    text = run("check", "--help").out
    assert "Check the diary file" in text and "meddiary questionnaire phq9|gad7" in text
    assert "--answers" not in text  # the old spelling's options are hidden
    assert "phq9|gad7" in run("questionnaire", "--help").out


def test_questionnaire_without_a_name_says_which(run, clock):
    err = run("questionnaire", expect=ExitCode.USAGE).err
    assert err == "meddiary: name the questionnaire: meddiary questionnaire phq9 or meddiary questionnaire gad7\n"
