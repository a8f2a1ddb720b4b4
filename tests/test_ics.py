"""ics.calendar: parsed with the icalendar package; required properties, no parse errors, VTIMEZONE for every
TZID, recurrence expanding to the expected dates (a taper's steps on their dates), folding and CRLF."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr

from meddiary import ics
from meddiary.model import Medication, Regimen

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
REQUIRED = {
    "VCALENDAR": ("PRODID", "VERSION"),
    "VEVENT": ("UID", "DTSTAMP", "DTSTART", "RRULE", "SUMMARY"),
    "VALARM": ("ACTION", "TRIGGER", "DESCRIPTION"),
    "VTIMEZONE": ("TZID",),
    "STANDARD": ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"),
    "DAYLIGHT": ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"),
}


def reg(id, start, amount, times=("08:00",), kind="start", **kw):
    return Regimen(id, 1, date.fromisoformat(start), kind, amount, "mg" if amount else None,
                   tuple(time.fromisoformat(t) for t in times), **kw)


def meds():
    sertraline = Medication(1, "sertraline", False, aliases=["Zoloft"], regimens=[
        reg(1, "2026-01-01", 100, ("08:00", "20:00")),
        # a taper: 75 mg from Dec 1, 50 mg from Dec 15, stopped from Dec 29
        reg(2, "2026-12-01", 75, kind="taper", reason="taper, agreed with Dr Lee; slowly"),
        reg(3, "2026-12-15", 50, kind="taper"),
        Regimen(4, 1, date(2026, 12, 29), "stop")])
    weekly = Medication(2, "vitamin D; weekly, with food", False, regimens=[reg(5, "2026-11-02", 20000, weekdays=(0, 3))])
    other = Medication(3, "lithium", False, regimens=[reg(6, "2026-11-20", 400, ("21:30",), every_days=2)])
    prn = Medication(4, "lorazepam", True, regimens=[reg(7, "2026-01-01", 1, (), max_per_day=3)])
    return [sertraline, weekly, other, prn]


def parse(text: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(text)


def occurrences(ev) -> list[datetime]:
    start = ev.decoded("DTSTART")
    return list(rrulestr(ev["RRULE"].to_ical().decode(), dtstart=start))


@pytest.mark.parametrize("tz_name", ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata", "Australia/Lord_Howe"])
def test_every_component_is_complete_and_parses_cleanly(tz_name):
    text = ics.calendar(meds(), NOW, tz_name, 90)
    cal = parse(text)
    tzids = {tz["TZID"] for tz in cal.walk("VTIMEZONE")}
    assert tzids == {tz_name}
    for comp in cal.walk():
        assert not comp.errors, (comp.name, comp.errors)
        for prop in REQUIRED.get(comp.name, ()):
            assert prop in comp, (comp.name, prop)
        for value in comp.values():
            params = getattr(value, "params", {})
            if "TZID" in params:
                assert params["TZID"] in tzids
    for tz in cal.walk("VTIMEZONE"):
        assert tz.walk("STANDARD") or tz.walk("DAYLIGHT")
    assert len({ev["UID"] for ev in cal.walk("VEVENT")}) == len(cal.walk("VEVENT"))


def test_lines_are_crlf_and_folded_at_75_octets():
    text = ics.calendar(meds(), NOW, "Europe/Berlin", 90)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert ics.fold("DESCRIPTION:" + "é" * 80).split("\r\n ")[0].encode().__len__() <= 75
    assert ics.fold("X:" + "é" * 80).replace("\r\n ", "") == "X:" + "é" * 80


def test_text_is_escaped():
    cal = parse(ics.calendar(meds(), NOW, "Europe/Berlin", 90))
    summaries = {str(ev["SUMMARY"]) for ev in cal.walk("VEVENT")}
    assert "vitamin D; weekly, with food 20000 mg" in summaries
    assert "SUMMARY:vitamin D\\; weekly\\, with food 20000 mg" in ics.calendar(meds(), NOW, "Europe/Berlin", 90)


def test_recurrence_gives_the_taper_steps_on_their_dates():
    cal = parse(ics.calendar(meds(), NOW, "Europe/Berlin", 90))
    berlin = ZoneInfo("Europe/Berlin")
    by_summary = {}
    for ev in cal.walk("VEVENT"):
        by_summary.setdefault(str(ev["SUMMARY"]), []).extend(occurrences(ev))
    d100 = sorted(by_summary["sertraline 100 mg"])
    assert (d100[0], d100[-1], len(d100)) == (datetime(2026, 11, 26, 8, tzinfo=berlin), datetime(2026, 11, 30, 20, tzinfo=berlin), 10)
    d75 = sorted(by_summary["sertraline 75 mg"])
    assert (d75[0].date(), d75[-1].date(), len(d75)) == (date(2026, 12, 1), date(2026, 12, 14), 14)
    d50 = sorted(by_summary["sertraline 50 mg"])
    assert (d50[0].date(), d50[-1].date(), len(d50)) == (date(2026, 12, 15), date(2026, 12, 28), 14)
    assert all(x.time() == time(8) for x in d75 + d50)
    weekly = sorted(x.date() for x in by_summary["vitamin D; weekly, with food 20000 mg"])
    assert weekly[:3] == [date(2026, 11, 26), date(2026, 11, 30), date(2026, 12, 3)]
    assert {d.weekday() for d in weekly} == {0, 3}
    lithium = sorted(x.date() for x in by_summary["lithium 400 mg"])
    assert lithium[:3] == [date(2026, 11, 26), date(2026, 11, 28), date(2026, 11, 30)]
    assert lithium[-1] <= date(2027, 2, 23)
    assert "lorazepam" not in " ".join(by_summary)


def test_vtimezone_rules_match_zoneinfo():
    cal = parse(ics.calendar(meds(), datetime(2026, 2, 1, tzinfo=UTC), "America/New_York", 365))
    [tz] = cal.walk("VTIMEZONE")
    daylight = [c for c in tz.walk("DAYLIGHT")]
    standard = [c for c in tz.walk("STANDARD")]
    assert {c.decoded("DTSTART") for c in daylight} >= {datetime(2026, 3, 8, 2, 0)}
    assert {c.decoded("DTSTART") for c in standard} >= {datetime(2025, 11, 2, 2, 0), datetime(2026, 11, 1, 2, 0)}
    d = next(c for c in daylight if c.decoded("DTSTART") == datetime(2026, 3, 8, 2, 0))
    assert (d.decoded("TZOFFSETFROM"), d.decoded("TZOFFSETTO"), str(d["TZNAME"])) == (timedelta(hours=-5), timedelta(hours=-4), "EDT")


def test_uid_and_dtstamp_are_stable_for_the_same_diary():
    a = ics.calendar(meds(), NOW, "Europe/Berlin", 90)
    b = ics.calendar(meds(), NOW + timedelta(seconds=5), "Europe/Berlin", 90)
    uids = lambda t: sorted(str(ev["UID"]) for ev in parse(t).walk("VEVENT"))  # noqa: E731
    assert uids(a) == uids(b)
    assert "UID:meddiary-regimen-1-0800@meddiary" in a


def test_every_event_has_a_sequence_that_grows_with_each_export():
    """Re-importing a later export updates the events (same UID, higher SEQUENCE): its DTSTART, its UNTIL
    (the range moves on, a change ends a regimen) are a revision of the same event."""
    a = parse(ics.calendar(meds(), NOW, "Europe/Berlin", 90))
    b = parse(ics.calendar(meds(), NOW + timedelta(days=1, minutes=1), "Europe/Berlin", 90))
    seq = lambda cal: {str(ev["UID"]): int(ev["SEQUENCE"]) for ev in cal.walk("VEVENT")}  # noqa: E731
    assert seq(a) and seq(a).keys() == seq(b).keys()
    assert all(0 <= n < 2**31 for n in seq(a).values())
    assert all(seq(b)[uid] > n for uid, n in seq(a).items())


def test_nothing_scheduled_is_still_a_valid_calendar():
    cal = parse(ics.calendar([], NOW, "Europe/Berlin", 90))
    assert cal["VERSION"] == "2.0" and not cal.walk("VEVENT") and cal.walk("VTIMEZONE")
