"""The pure health model on hand-built data: mood days and weeks, side-effect episodes (with the dose at onset and
the days since the start or last dose change), questionnaires over time, questions, and around each change."""

from datetime import UTC, date, datetime, time
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from meddiary import report, wellbeing
from meddiary.model import Entry, Medication, Regimen
from meddiary.timeparse import wall_to_utc

TZ = ZoneInfo("Europe/Berlin")
ids = count(1)


def at(day: str, hh: int = 21, mm: int = 0) -> datetime:
    return wall_to_utc(date.fromisoformat(day), time(hh, mm), TZ)


def mood(day: str, hh: int = 21, mm: int = 0, score=None, sleep=None, **ratings) -> Entry:
    data = {"score": score, "sleep_hours": sleep, **{k: ratings.get(k) for k in wellbeing.RATINGS}}
    return Entry(next(ids), "mood", None, at(day, hh, mm), TZ.key, data=data)


def side(day: str, symptom: str, severity=None, med=None, resolved=False, hh: int = 9) -> Entry:
    return Entry(next(ids), "side_effect", med, at(day, hh), TZ.key,
                 data={"symptom": symptom, "severity": severity, "resolved": resolved})


def sertraline() -> Medication:
    """Started 1 Oct at 50 mg, times moved 15 Oct (same dose), 100 mg from 1 Nov, stopped 20 Nov."""
    return Medication(1, "sertraline", False, regimens=[
        Regimen(1, 1, date(2026, 10, 1), "start", 50, "mg", (time(8),)),
        Regimen(2, 1, date(2026, 10, 15), "change", 50, "mg", (time(9),), reason="mornings are easier later"),
        Regimen(3, 1, date(2026, 11, 1), "change", 100, "mg", (time(9),), reason="increased"),
        Regimen(4, 1, date(2026, 11, 20), "stop", reason="stopped"),
    ])


# -- mood and sleep ------------------------------------------------------------------------------------

def test_a_day_is_the_mean_score_the_highest_ratings_and_its_sleep():
    entries = [mood("2026-11-02", 8, score=4, sleep=6.5, depressed=2, anxiety=1),
               mood("2026-11-02", 21, score=7, anxiety=3, elevated=0),
               mood("2026-11-03", 9, sleep=8)]
    days = wellbeing.mood_days(entries, TZ)
    assert [(d.day, d.score, d.sleep, d.entries) for d in days] == [
        (date(2026, 11, 2), 5.5, 6.5, 2), (date(2026, 11, 3), None, 8, 1)]
    assert days[0].ratings == {"depressed": 2, "elevated": 0, "anxiety": 3, "irritability": None}
    assert days[1].ratings == dict.fromkeys(wellbeing.RATINGS)


def test_a_day_is_the_local_day():
    # 00:30 in Berlin on 1 November is still 31 October in UTC.
    (day,) = wellbeing.mood_days([mood("2026-11-01", 0, 30, score=5)], TZ)
    assert day.day == date(2026, 11, 1)


def test_weeks_run_monday_to_sunday_cut_at_the_period():
    entries = [mood("2026-11-04", score=4, sleep=6), mood("2026-11-08", score=6, sleep=8, irritability=2),
               mood("2026-11-09", score=9)]
    weeks = wellbeing.weeks(wellbeing.mood_days(entries, TZ), date(2026, 11, 4), date(2026, 11, 10))
    assert [(w.first, w.last, w.days, w.score, w.score_days, w.sleep, w.sleep_days) for w in weeks] == [
        (date(2026, 11, 4), date(2026, 11, 8), 2, 5.0, 2, 7.0, 2),
        (date(2026, 11, 9), date(2026, 11, 10), 1, 9.0, 1, None, 0)]
    assert weeks[0].ratings["irritability"] == 2 and weeks[1].ratings["irritability"] is None


# -- side effects --------------------------------------------------------------------------------------

def test_the_same_symptom_continues_its_episode_until_resolved():
    med = sertraline()
    entries = [side("2026-11-03", "nausea", "mild", 1), side("2026-11-05", "  Nausea ", "severe"),
               side("2026-11-06", "nausea", "moderate"), side("2026-11-08", "NAUSEA", resolved=True, hh=18),
               side("2026-11-12", "nausea", "mild")]
    first, second = wellbeing.episodes(entries, [med], TZ)
    assert (first.symptom, first.medication_id, first.worst, first.ongoing) == ("nausea", 1, "severe", False)
    assert (first.onset, first.last_seen, first.resolved_at) == (at("2026-11-03", 9), at("2026-11-06", 9),
                                                                 at("2026-11-08", 18))
    assert len(first.entry_ids) == 4
    assert (second.onset, second.worst, second.ongoing) == (at("2026-11-12", 9), "mild", True)


def test_dose_at_onset_and_days_since_the_last_dose_change():
    med = sertraline()
    entries = [side("2026-10-20", "headache", "mild", 1), side("2026-10-21", "headache", resolved=True),
               side("2026-11-04", "insomnia", "moderate", 1), side("2026-11-23", "dizziness", "mild", 1),
               side("2026-11-04", "rash")]
    by = {ep.symptom: ep for ep in wellbeing.episodes(entries, [med], TZ)}
    # 20 Oct: the times changed on 15 Oct, the dose did not: counted from the start on 1 Oct.
    h = by["headache"]
    assert (h.dose_at_onset.dose_amount, h.change_day, h.change_kind, h.days_after_change) == (50, date(2026, 10, 1), "start", 19)
    i = by["insomnia"]
    assert (i.dose_at_onset.dose_amount, i.change_day, i.change_kind, i.days_after_change) == (100, date(2026, 11, 1), "change", 3)
    d = by["dizziness"]  # after the stop
    assert (d.dose_at_onset, d.change_day, d.change_kind, d.days_after_change) == (None, date(2026, 11, 20), "stop", 3)
    r = by["rash"]  # no medication named
    assert (r.medication_id, r.dose_at_onset, r.days_after_change) == (None, None, None)


def test_a_later_log_can_name_the_medication():
    (ep,) = wellbeing.episodes([side("2026-11-03", "nausea"), side("2026-11-04", "nausea", med=1)], [sertraline()], TZ)
    assert ep.medication_id == 1 and ep.days_after_change == 2


def test_a_resolution_with_nothing_ongoing_is_ignored():
    assert wellbeing.episodes([side("2026-11-03", "nausea", resolved=True)], [], TZ) == []


# -- questionnaires and questions ----------------------------------------------------------------------

def check(day: str, instrument: str, answers: list[int]) -> Entry:
    from meddiary import scales

    return Entry(next(ids), "check", None, at(day), TZ.key, data=scales.score(scales.INSTRUMENTS[instrument], answers))


def test_questionnaires_change_since_the_first_of_each():
    entries = [check("2026-11-01", "phq9", [2] * 8 + [0]), check("2026-11-01", "gad7", [1] * 7),
               check("2026-11-15", "phq9", [1] * 8 + [1]), check("2026-11-16", "gad7", [2] * 7)]
    got = [(c.instrument, c.total, c.severity, c.change, c.flagged) for c in wellbeing.checks(entries)]
    assert got == [("phq9", 16, "moderately severe", None, False), ("gad7", 7, "mild", None, False),
                   ("phq9", 9, "mild", -7, True), ("gad7", 14, "moderate", 7, False)]


def test_days_since_the_last_of_the_same_questionnaire():
    entries = [check("2026-11-01", "phq9", [0] * 9), check("2026-11-10", "gad7", [0] * 7)]
    assert wellbeing.days_since_last(entries, "phq9", at("2026-11-14"), TZ) == 13
    assert wellbeing.days_since_last(entries, "gad7", at("2026-11-10", 22), TZ) == 0
    assert wellbeing.days_since_last([], "phq9", at("2026-11-14"), TZ) is None


def test_the_nearest_of_the_same_questionnaire_on_either_side():
    entries = [check("2026-11-01", "phq9", [0] * 9), check("2026-11-20", "phq9", [0] * 9),
               check("2026-11-12", "gad7", [0] * 7)]
    assert wellbeing.nearest_same(entries, "phq9", at("2026-11-14"), TZ) == -6  # 6 days before the later one
    assert wellbeing.nearest_same(entries, "phq9", at("2026-11-05"), TZ) == 4  # 4 days after the earlier one
    assert wellbeing.nearest_same(entries, "phq9", at("2026-11-27"), TZ) == 7
    assert wellbeing.nearest_same(entries, "gad7", at("2026-11-12", 22), TZ) == 0
    assert wellbeing.nearest_same(entries[:1], "gad7", at("2026-11-14"), TZ) is None


def test_questions_are_open_until_an_answer_names_them():
    q1 = Entry(1, "question", None, at("2026-11-01"), TZ.key, data={"text": "Insomnia from sertraline?"}, uid="u1")
    q2 = Entry(2, "question", None, at("2026-11-02"), TZ.key, data={"text": "Take it with food?"}, uid="u2")
    a = Entry(3, "answer", None, at("2026-11-03"), TZ.key, data={"question": "u1", "answer": "likely"}, uid="u3")
    qs = wellbeing.questions([q1, q2, a])
    assert [(q.id, q.open, q.answer) for q in qs] == [(1, False, "likely"), (2, True, None)]


# -- around each change --------------------------------------------------------------------------------

def around_entries() -> list[Entry]:
    return [
        mood("2026-10-17", score=1, sleep=2),  # 15 days before the change: outside
        mood("2026-10-20", 8, score=4, sleep=6, depressed=2),
        mood("2026-10-20", 21, score=6),  # the day's mean: 5
        mood("2026-10-25", score=3, sleep=5, anxiety=1),
        mood("2026-11-01", 0, 30, score=7, sleep=8, anxiety=1),  # local 1 Nov (UTC 31 Oct): after
        mood("2026-11-14", score=8),  # the 14th day from the change: inside
        mood("2026-11-15", score=2, sleep=12),  # outside
        side("2026-10-28", "headache", "mild"),
        side("2026-11-03", "nausea", "mild", 1), side("2026-11-05", "nausea", "moderate", 1),
        side("2026-11-08", "nausea", resolved=True),
        side("2026-11-10", "headache", "severe"),  # the headache episode begun before goes on
    ]


def build_around(today: date):
    med = sertraline()
    entries = around_entries()
    change = report.DoseChange(date(2026, 11, 1), "sertraline", "change", med.regimens[1], med.regimens[2], "increased")
    eps = wellbeing.episodes(entries, [med], TZ)
    return wellbeing.around_changes([change], wellbeing.mood_days(entries, TZ), entries, eps, today, TZ)


def test_around_a_change_compares_the_14_days_before_with_the_14_from_it():
    (a,) = build_around(date(2026, 11, 26))
    b, f = a.before, a.after
    assert (b.mood.first, b.mood.last, f.mood.first, f.mood.last) == (
        date(2026, 10, 18), date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 14))
    assert (b.mood.days, b.mood.score, b.mood.score_days, b.mood.sleep, b.mood.sleep_days) == (2, 4.0, 2, 5.5, 2)
    assert (f.mood.days, f.mood.score, f.mood.score_days, f.mood.sleep, f.mood.sleep_days) == (2, 7.5, 2, 8.0, 1)
    assert b.mood.ratings == {"depressed": 2, "elevated": None, "anxiety": 1, "irritability": None}
    assert f.mood.ratings == {"depressed": None, "elevated": None, "anxiety": 1, "irritability": None}
    assert [(s.symptom, s.worst, s.new) for s in b.side_effects] == [("headache", "mild", True)]
    assert [(s.symptom, s.worst, s.new) for s in f.side_effects] == [("nausea", "moderate", True),
                                                                    ("headache", "severe", False)]
    assert (b.days_so_far, f.days_so_far) == (14, 14)
    assert a.others == []


def test_the_days_after_a_recent_change_are_counted_so_far():
    (a,) = build_around(date(2026, 11, 6))
    assert (a.before.days_so_far, a.after.days_so_far) == (14, 6)


def test_other_changes_within_the_28_days_are_named():
    med = sertraline()
    one = report.DoseChange(date(2026, 11, 1), "sertraline", "change", None, med.regimens[2], None)
    two = report.DoseChange(date(2026, 11, 14), "sertraline", "stop", med.regimens[2], med.regimens[3], None)
    three = report.DoseChange(date(2026, 11, 27), "sertraline", "start", None, med.regimens[0], None)
    a, b, c = wellbeing.around_changes([one, two, three], [], [], [], date(2026, 11, 26), TZ)
    assert a.others == [(date(2026, 11, 14), "sertraline", "stop")]  # 14 Nov: the last day after the first
    assert b.others == [(date(2026, 11, 1), "sertraline", "change"), (date(2026, 11, 27), "sertraline", "start")]
    assert c.others == [(date(2026, 11, 14), "sertraline", "stop")]
    assert c.after.days_so_far == 0  # a change still to come


def test_build_keeps_what_the_period_shows():
    med = sertraline()
    period = report.make_period(date(2026, 11, 1), date(2026, 11, 26), TZ, __import__("datetime").timedelta(hours=2))
    q = Entry(next(ids), "question", None, at("2026-09-01"), TZ.key, data={"text": "old but open"}, uid="q-old")
    old = side("2026-09-01", "old symptom", "mild", resolved=False)  # ongoing since long before the period
    gone = side("2026-09-02", "gone", "mild")
    gone_end = side("2026-09-05", "gone", resolved=True)
    entries = sorted([*around_entries(), q, old, gone, gone_end], key=lambda e: e.at)
    changes = report.dose_changes(med, period)
    h = wellbeing.build([med], entries, period.first_day, period.last_day, period.start, period.end, changes,
                        date(2026, 11, 26), TZ)
    assert [d.day for d in h.days] == [date(2026, 11, 1), date(2026, 11, 14), date(2026, 11, 15)]
    assert sorted(ep.symptom for ep in h.episodes) == ["headache", "nausea", "old symptom"]
    assert [q.text for q in h.open_questions] == ["old but open"]
    assert [(a.day, a.kind) for a in h.around] == [(date(2026, 11, 1), "change"), (date(2026, 11, 20), "stop")]
    only = wellbeing.build([med], entries, period.first_day, period.last_day, period.start, period.end, changes,
                           date(2026, 11, 26), TZ, medication_id=1)
    assert [ep.symptom for ep in only.episodes] == ["nausea"]


@pytest.mark.parametrize(("a", "b", "worse"), [("mild", "severe", "severe"), ("moderate", None, "moderate"),
                                               (None, None, None), ("severe", "mild", "severe")])
def test_worse(a, b, worse):
    assert wellbeing.worse(a, b) == worse
