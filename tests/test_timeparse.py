"""The time grammar (timeparse.py): tables of accepted and refused forms, with exact values.

Everything here is pure: `now`/`today` and the zone are passed in, never read from the clock.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


import pytest

from meddiary import timeparse
from meddiary.errors import UsageError
from meddiary.reporting import period_from_options
from meddiary.timeparse import (
    local_zone_name,
    parse_clock,
    parse_date,
    parse_duration,
    parse_since,
    parse_weekdays,
    split_list,
    parse_when,
    wall_to_utc,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

# Friday 2026-05-15, 12:00 in Berlin (CEST, UTC+2).
NOW = datetime(2026, 5, 15, 10, 0, tzinfo=UTC)
TODAY = date(2026, 5, 15)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- WHEN ----------------------------------------------------------------------------------------

VALID_WHEN = [
    ("now", NOW),
    ("NOW", NOW),
    ("08:10", utc(2026, 5, 15, 6, 10)),
    ("8:05", utc(2026, 5, 15, 6, 5)),
    ("00:00", utc(2026, 5, 14, 22, 0)),
    ("  08:10  ", utc(2026, 5, 15, 6, 10)),
    ("2h ago", utc(2026, 5, 15, 8, 0)),
    ("2 h ago", utc(2026, 5, 15, 8, 0)),
    ("1 hour ago", utc(2026, 5, 15, 9, 0)),
    ("3 hours ago", utc(2026, 5, 15, 7, 0)),
    ("90m ago", utc(2026, 5, 15, 8, 30)),
    ("90min ago", utc(2026, 5, 15, 8, 30)),
    ("45 mins ago", utc(2026, 5, 15, 9, 15)),
    ("1 minute ago", utc(2026, 5, 15, 9, 59)),
    ("20 minutes ago", utc(2026, 5, 15, 9, 40)),
    ("0m ago", NOW),
    ("yesterday 21:00", utc(2026, 5, 14, 19, 0)),
    ("Yesterday   21:00", utc(2026, 5, 14, 19, 0)),
    ("today 07:30", utc(2026, 5, 15, 5, 30)),
    ("2026-05-01 07:00", utc(2026, 5, 1, 5, 0)),
    ("2026-05-01T07:00", utc(2026, 5, 1, 5, 0)),
    ("2026-01-10 07:00", utc(2026, 1, 10, 6, 0)),  # winter: CET, UTC+1
    # Up to two minutes in the future is tolerated (clocks drift; "now-ish" is fine).
    ("12:01", utc(2026, 5, 15, 10, 1)),
    ("12:02", utc(2026, 5, 15, 10, 2)),
    # Friendlier clock forms (issue 16): 12-hour with am/pm, and HHMM.
    ("8am", utc(2026, 5, 15, 6, 0)),
    ("0800", utc(2026, 5, 15, 6, 0)),
    ("7:30am", utc(2026, 5, 15, 5, 30)),
    ("yesterday 8pm", utc(2026, 5, 14, 18, 0)),
    ("yesterday 8:30 PM", utc(2026, 5, 14, 18, 30)),
    ("2026-05-01 0700", utc(2026, 5, 1, 5, 0)),
]


@pytest.mark.parametrize(("text", "expected"), VALID_WHEN)
def test_valid_when(text, expected):
    got = parse_when(text, NOW, BERLIN)
    assert got == expected
    assert got.utcoffset() == timedelta(0)


INVALID_WHEN = [
    "",
    "8",
    "800",
    "13pm",
    "8:00 pz",
    "25:00",
    "24:00",
    "12:60",
    "08:00:00",
    "noon",
    "yesterday",
    "last night 21:00",
    "2h",
    "in 2h",
    "2d ago",
    "-2h ago",
    "2hago",
    "2026-02-30 08:00",
    "2026-5-1 08:00",
    "01.05.2026 08:00",
    "2026-05-01",
    "2026-05-01 08:00 +02:00",
]


@pytest.mark.parametrize("text", INVALID_WHEN)
def test_invalid_when_names_the_accepted_forms(text):
    with pytest.raises(UsageError, match=r"bad time .*use HH:MM \(or 8am, 0800\), 'yesterday HH:MM'"):
        parse_when(text, NOW, BERLIN)


FUTURE_WHEN = ["12:03", "23:00", "tomorrow 08:00", "2026-05-16 00:00", "2027-01-01 08:00"]


@pytest.mark.parametrize("text", FUTURE_WHEN)
def test_future_when_is_refused_beyond_two_minutes(text):
    with pytest.raises(UsageError, match=r"is in the future: use a past time"):
        parse_when(text, NOW, BERLIN)


def test_future_message_shows_the_local_time():
    with pytest.raises(UsageError, match=r"\(2026-05-15 12:03\)"):
        parse_when("12:03", NOW, BERLIN)


def test_when_uses_the_local_date_not_the_utc_date():
    # 00:30 on 15 May in Berlin is still 14 May in UTC.
    now = datetime(2026, 5, 14, 22, 30, tzinfo=UTC)
    assert parse_when("00:10", now, BERLIN) == utc(2026, 5, 14, 22, 10)
    assert parse_when("yesterday 21:00", now, BERLIN) == utc(2026, 5, 14, 19, 0)
    # 22:00 on 14 May in New York is already 15 May in UTC.
    now = datetime(2026, 5, 15, 2, 0, tzinfo=UTC)
    assert parse_when("08:00", now, NEW_YORK) == utc(2026, 5, 14, 12, 0)
    assert parse_when("yesterday 08:00", now, NEW_YORK) == utc(2026, 5, 13, 12, 0)


@pytest.mark.parametrize(("text", "tz", "expected"), [
    ("2026-03-08 02:30", NEW_YORK, utc(2026, 3, 8, 7, 30)),  # gap: 03:30 EDT
    ("2026-11-01 01:30", NEW_YORK, utc(2026, 11, 1, 5, 30)),  # fold: the first 01:30, EDT
    ("2026-03-29 02:30", BERLIN, utc(2026, 3, 29, 1, 30)),  # gap: 03:30 CEST
    ("2026-10-25 02:30", BERLIN, utc(2026, 10, 25, 0, 30)),  # fold: the first 02:30, CEST
])
def test_when_on_dst_days(text, tz, expected):
    assert parse_when(text, datetime(2026, 12, 1, tzinfo=UTC), tz) == expected


@pytest.mark.parametrize("text", ["99999999h ago", "9999999999999m ago", "99999999999999999999h ago"])
def test_when_huge_ago_is_a_usage_error(text):
    # Was an OverflowError traceback (fixed in 4d03d44).
    with pytest.raises(UsageError, match=r"bad time .*use HH:MM"):
        parse_when(text, NOW, BERLIN)


# Was an OverflowError traceback; dates are now limited to the years 1900-2199.
@pytest.mark.parametrize(("text", "tz"), [("0001-01-01 00:30", BERLIN), ("9999-12-31 23:59", NEW_YORK)])
def test_when_at_the_ends_of_the_calendar_is_a_usage_error(text, tz):
    with pytest.raises(UsageError):
        parse_when(text, NOW, tz)


# --- wall-clock times on DST days -----------------------------------------------------------------

@pytest.mark.parametrize(("day", "clock", "tz", "expected_utc", "expected_local"), [
    # Spring forward: 02:30 does not exist; it moves forward past the gap to 03:30.
    (date(2026, 3, 8), time(2, 30), NEW_YORK, utc(2026, 3, 8, 7, 30), (3, 30)),
    (date(2026, 3, 29), time(2, 30), BERLIN, utc(2026, 3, 29, 1, 30), (3, 30)),
    (date(2026, 3, 8), time(2, 0), NEW_YORK, utc(2026, 3, 8, 7, 0), (3, 0)),
    (date(2026, 3, 29), time(2, 0), BERLIN, utc(2026, 3, 29, 1, 0), (3, 0)),
    # Times either side of the gap are untouched.
    (date(2026, 3, 8), time(1, 59), NEW_YORK, utc(2026, 3, 8, 6, 59), (1, 59)),
    (date(2026, 3, 8), time(3, 0), NEW_YORK, utc(2026, 3, 8, 7, 0), (3, 0)),
    # Fall back: a repeated time counts once, at its first occurrence (still summer time).
    (date(2026, 11, 1), time(1, 30), NEW_YORK, utc(2026, 11, 1, 5, 30), (1, 30)),
    (date(2026, 10, 25), time(2, 30), BERLIN, utc(2026, 10, 25, 0, 30), (2, 30)),
    # In Berlin the repeated hour is 02:00-03:00, so 01:30 is an ordinary (summer) time.
    (date(2026, 10, 25), time(1, 30), BERLIN, utc(2026, 10, 24, 23, 30), (1, 30)),
    # Ordinary days.
    (date(2026, 5, 15), time(8, 0), BERLIN, utc(2026, 5, 15, 6, 0), (8, 0)),
    (date(2026, 1, 15), time(8, 0), BERLIN, utc(2026, 1, 15, 7, 0), (8, 0)),
    (date(2026, 1, 15), time(8, 0), NEW_YORK, utc(2026, 1, 15, 13, 0), (8, 0)),
])
def test_wall_to_utc(day, clock, tz, expected_utc, expected_local):
    got = wall_to_utc(day, clock, tz)
    assert got == expected_utc
    assert got.utcoffset() == timedelta(0)
    local = got.astimezone(tz)
    assert (local.date(), (local.hour, local.minute)) == (day, expected_local)


def test_fall_back_first_occurrence_is_an_hour_before_the_second():
    first = wall_to_utc(date(2026, 11, 1), time(1, 30), NEW_YORK)
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK).astimezone(UTC)
    assert second - first == timedelta(hours=1)


def test_day_start_utc_is_local_midnight():
    assert timeparse.day_start_utc(date(2026, 5, 15), BERLIN) == utc(2026, 5, 14, 22, 0)
    assert timeparse.day_start_utc(date(2026, 1, 15), NEW_YORK) == utc(2026, 1, 15, 5, 0)
    # The DST days themselves start at an ordinary midnight.
    assert timeparse.day_start_utc(date(2026, 3, 29), BERLIN) == utc(2026, 3, 28, 23, 0)
    assert timeparse.day_start_utc(date(2026, 3, 30), BERLIN) == utc(2026, 3, 29, 22, 0)


def test_iso_utc_round_trip():
    at = datetime(2026, 5, 15, 12, 0, 59, 999, tzinfo=BERLIN)
    text = timeparse.iso_utc(at)
    assert text == "2026-05-15T10:00:59+00:00"
    assert datetime.fromisoformat(text) == at.replace(microsecond=0)


# --- --since ---------------------------------------------------------------------------------------

VALID_SINCE = [
    # '30d' is the last 30 calendar days including today: the first day is today - 29.
    ("30d", TODAY, date(2026, 4, 16)),
    ("1d", TODAY, TODAY),
    ("7d", TODAY, date(2026, 5, 9)),
    ("90d", TODAY, date(2026, 2, 15)),
    (" 30D ", TODAY, date(2026, 4, 16)),
    ("1w", TODAY, date(2026, 5, 9)),
    ("2w", TODAY, date(2026, 5, 2)),
    ("1mo", TODAY, date(2026, 4, 16)),
    ("3mo", TODAY, date(2026, 2, 16)),
    ("1y", TODAY, date(2025, 5, 16)),
    ("2y", TODAY, date(2024, 5, 16)),
    # Month arithmetic at the ends of months.
    ("3mo", date(2026, 5, 31), date(2026, 3, 1)),
    ("1mo", date(2026, 3, 31), date(2026, 3, 1)),
    ("1mo", date(2026, 1, 31), date(2026, 1, 1)),
    ("1y", date(2028, 2, 29), date(2027, 3, 1)),
    ("1mo", date(2026, 1, 15), date(2025, 12, 16)),
    # A date, or a named day.
    ("2026-05-01", TODAY, date(2026, 5, 1)),
    ("today", TODAY, TODAY),
    ("yesterday", TODAY, date(2026, 5, 14)),
]


@pytest.mark.parametrize(("text", "today", "expected"), VALID_SINCE)
def test_valid_since(text, today, expected):
    assert parse_since(text, today) == expected


@pytest.mark.parametrize(("text", "days"), [("30d", 30), ("1d", 1), ("2w", 14), ("1w", 7)])
def test_since_counts_whole_days_including_today(text, days):
    first = parse_since(text, TODAY)
    assert (TODAY - first).days + 1 == days


def test_since_last_visit():
    assert parse_since("last-visit", TODAY, last_visit=date(2026, 4, 2)) == date(2026, 4, 2)
    with pytest.raises(UsageError, match=r"no visit recorded yet: use --since 30d"):
        parse_since("last-visit", TODAY)


INVALID_SINCE = ["", "0d", "0w", "30", "d", "30x", "3m", "-5d", "1.5w", "30 days", "2 weeks", "last visit",
                 "2026-02-30", "2026-5-1", "forever"]


@pytest.mark.parametrize("text", INVALID_SINCE)
def test_invalid_since_names_the_accepted_forms(text):
    with pytest.raises(UsageError, match=r"bad period .*use 30d, 2w, 3mo, 1y, a date \(YYYY-MM-DD\) or 'last-visit'"):
        parse_since(text, TODAY)


@pytest.mark.parametrize("text", ["tomorrow", "2026-05-16", "2030-01-01"])
def test_since_in_the_future_is_refused(text):
    with pytest.raises(UsageError, match=r"period start .* is in the future"):
        parse_since(text, TODAY)


@pytest.mark.parametrize("text", ["99999999d", "9999999999d", "999999999w", "99999mo", "999999999y"])
def test_since_huge_is_a_usage_error(text):
    # Was an OverflowError / ValueError traceback (fixed in 4d03d44).
    with pytest.raises(UsageError, match=r"bad period .*too long; use 30d, 2w, 3mo, 1y"):
        parse_since(text, TODAY)


def test_since_30d_period_is_30_local_days_from_midnight():
    period = period_from_options("30d", None, None, "2h", TODAY, BERLIN)
    assert (period.first_day, period.last_day) == (date(2026, 4, 16), TODAY)
    assert len(period.days) == 30
    assert period.start == utc(2026, 4, 15, 22, 0)  # local midnight 29 days ago
    assert period.end == utc(2026, 5, 15, 22, 0)  # half-open: local midnight after today
    assert period.window == timedelta(hours=2)


def test_since_period_across_spring_forward_has_a_23_hour_day():
    period = period_from_options("2d", None, None, "2h", date(2026, 3, 30), BERLIN)
    assert period.days == [date(2026, 3, 29), date(2026, 3, 30)]
    assert period.end - period.start == timedelta(hours=47)


def test_from_to_period_includes_both_days():
    period = period_from_options(None, "2026-05-01", "2026-05-03", "90m", TODAY, NEW_YORK)
    assert period.days == [date(2026, 5, 1), date(2026, 5, 2), date(2026, 5, 3)]
    assert period.start == utc(2026, 5, 1, 4, 0)
    assert period.end == utc(2026, 5, 4, 4, 0)
    assert period.window == timedelta(minutes=90)


# Was an OverflowError traceback; dates are now limited to the years 1900-2199.
@pytest.mark.parametrize(("since", "from_", "to"), [(None, "9999-12-30", "9999-12-31"), ("0001-01-01", None, None),
                                                    (None, "0001-01-01", "0001-01-02")])
def test_period_at_the_ends_of_the_calendar_is_a_usage_error(since, from_, to):
    with pytest.raises(UsageError):
        period_from_options(since, from_, to, "2h", TODAY, BERLIN)


# --- dates -----------------------------------------------------------------------------------------

VALID_DATES = [
    ("2026-05-01", date(2026, 5, 1)),
    (" 2026-05-01 ", date(2026, 5, 1)),
    ("2024-02-29", date(2024, 2, 29)),
    ("today", TODAY),
    ("Today", TODAY),
    ("yesterday", date(2026, 5, 14)),
    ("tomorrow", date(2026, 5, 16)),
]


@pytest.mark.parametrize(("text", "expected"), VALID_DATES)
def test_valid_date(text, expected):
    assert parse_date(text, TODAY) == expected


INVALID_DATES = ["", "now", "2026-5-1", "2026-02-30", "2025-02-29", "2026-13-01", "01.05.2026", "05/01/2026",
                 "2026-05-01 08:00", "20260501", "last monday"]


@pytest.mark.parametrize("text", INVALID_DATES)
def test_invalid_date(text):
    with pytest.raises(UsageError, match=r"bad date .*use YYYY-MM-DD, 'today', 'yesterday' or 'tomorrow'"):
        parse_date(text, TODAY)


# --- durations ------------------------------------------------------------------------------------

VALID_DURATIONS = [
    ("4h", timedelta(hours=4)),
    ("4H", timedelta(hours=4)),
    ("1 h", timedelta(hours=1)),
    ("90m", timedelta(minutes=90)),
    ("90min", timedelta(minutes=90)),
    ("2d", timedelta(days=2)),
    ("2w", timedelta(weeks=2)),
    (" 30m ", timedelta(minutes=30)),
]


@pytest.mark.parametrize(("text", "expected"), VALID_DURATIONS)
def test_valid_duration(text, expected):
    assert parse_duration(text) == expected


INVALID_DURATIONS = ["", "0h", "0m", "h", "4", "1.5h", "-1h", "4hours", "4 hrs", "1mo", "1y", "4h30m", "four hours"]


@pytest.mark.parametrize("text", INVALID_DURATIONS)
def test_invalid_duration(text):
    with pytest.raises(UsageError, match=r"bad duration .*use a positive number with a unit, e.g. 90m, 4h, 2d, 2w"):
        parse_duration(text)


@pytest.mark.parametrize(("text", "units", "ok"), [
    ("2d", "dw", True), ("1w", "dw", True), ("4h", "dw", False), ("90m", "dw", False),
    ("90m", "mh", True), ("1h", "mh", True), ("2d", "mh", False), ("1w", "mh", False),
])
def test_duration_units_are_limited(text, units, ok):
    if ok:
        assert parse_duration(text, units=units) > timedelta(0)
    else:
        with pytest.raises(UsageError, match=r"bad --window .*e\.g\. "):
            parse_duration(text, units=units, what="--window")


def test_duration_message_lists_only_the_allowed_units():
    with pytest.raises(UsageError) as err:
        parse_duration("2d", units="mh", what="--window")
    assert str(err.value) == "bad --window '2d': use a positive number with a unit, e.g. 90m, 4h"


@pytest.mark.parametrize("text", ["9999999999d", "99999999999w", "999999999999999999999h"])
def test_duration_huge_is_a_usage_error(text):
    # Was an OverflowError traceback (fixed in 4d03d44).
    with pytest.raises(UsageError, match=r"bad duration .*too long; use e.g. 90m, 4h, 2d, 2w"):
        parse_duration(text)


# --- clock times -----------------------------------------------------------------------------------

VALID_CLOCKS = [
    ("08:00", time(8, 0)),
    ("8:00", time(8, 0)),
    ("0:00", time(0, 0)),
    ("00:00", time(0, 0)),
    ("23:59", time(23, 59)),
    (" 21:30 ", time(21, 30)),
    ("0800", time(8, 0)),
    ("2130", time(21, 30)),
    ("8am", time(8, 0)),
    ("8 AM", time(8, 0)),
    ("8:00pm", time(20, 0)),
    ("08:00 pm", time(20, 0)),
    ("12am", time(0, 0)),
    ("12pm", time(12, 0)),
    ("11:59 p.m.", time(23, 59)),
]


@pytest.mark.parametrize(("text", "expected"), VALID_CLOCKS)
def test_valid_clock(text, expected):
    assert parse_clock(text) == expected


INVALID_CLOCKS = ["", "8", "800", "8:0", "08:5", "24:00", "2400", "0860", "12:60", "123:00", "08:00:00", "13am",
                  "0am", "8.00", "-1:00", "20:00 pm", "8 o'clock"]


@pytest.mark.parametrize("text", INVALID_CLOCKS)
def test_invalid_clock(text):
    with pytest.raises(UsageError, match=r"bad time of day .*use HH:MM \(24-hour\), e.g. 08:00 or 21:30; 8am, 8:30pm and 0800 work too"):
        parse_clock(text)


@pytest.mark.parametrize(("text", "hint"), [("8", "did you mean 08:00?"), ("21", "did you mean 21:00?"),
                                            ("830", "did you mean 08:30?")])
def test_a_bare_number_gets_the_exact_form_to_type(text, hint):
    with pytest.raises(UsageError, match=re.escape(f"bad time of day '{text}': {hint} use HH:MM")):
        parse_clock(text)
    with pytest.raises(UsageError, match=re.escape(f"bad time '{text}': {hint} use HH:MM")):
        parse_when(text, NOW, BERLIN)


def test_comma_lists_are_split_before_each_item_is_parsed():
    assert split_list(["08:00,20:00", "22:00"]) == ["08:00", "20:00", "22:00"]
    assert split_list(["08:00=400mg, 20:00=200mg"]) == ["08:00=400mg", "20:00=200mg"]  # the dose is parsed apart
    assert split_list(None) == []


# --- weekdays --------------------------------------------------------------------------------------

VALID_WEEKDAYS = [
    ("mon,wed,fri", (0, 2, 4)),
    ("sun", (6,)),
    ("Fri,mon", (0, 4)),
    ("mon, tue", (0, 1)),
    ("MON,TUE,WED,THU,FRI,SAT,SUN", (0, 1, 2, 3, 4, 5, 6)),
    ("monday,tuesday", (0, 1)),
    ("Wednesday, sunday", (2, 6)),
    ("mon,mon", (0,)),
    ("sat,sun", (5, 6)),
]


@pytest.mark.parametrize(("text", "expected"), VALID_WEEKDAYS)
def test_valid_weekdays(text, expected):
    assert parse_weekdays(text) == expected
    assert timeparse.weekday_names(expected) == ",".join(
        ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d] for d in expected)


INVALID_WEEKDAYS = ["", "mo", "m", "weekdays", "daily", "mon,,wed", "mon,", "funday", "1,2"]


@pytest.mark.parametrize("text", INVALID_WEEKDAYS)
def test_invalid_weekdays(text):
    with pytest.raises(UsageError, match=r"bad days .*use a comma-separated list of mon,tue,wed,thu,fri,sat,sun"):
        parse_weekdays(text)


@pytest.mark.parametrize("text", ["monkey", "satan", "sunny", "mon wed", "mon;wed", "mon/wed", "monday wednesday"])
def test_words_that_only_start_with_a_day_are_refused(text):
    # Were read by their first three letters: 'monkey' -> Monday, 'mon wed' -> Monday only (fixed in 4d03d44).
    with pytest.raises(UsageError, match=r"bad days .*use a comma-separated list of mon,tue"):
        parse_weekdays(text)


# --- the person's zone -----------------------------------------------------------------------------

@pytest.mark.parametrize(("tz", "expected"), [
    ("America/New_York", "America/New_York"),
    (":Asia/Tokyo", "Asia/Tokyo"),
    ("/usr/share/zoneinfo/Europe/Paris", "Europe/Paris"),
])
def test_tz_names_the_zone_when_meddiary_tz_is_unset(monkeypatch, tz, expected):
    monkeypatch.delenv("MEDDIARY_TZ", raising=False)
    monkeypatch.setenv("TZ", tz)
    assert local_zone_name() == expected


def test_a_tz_that_is_not_a_zone_name_falls_back_to_the_system_zone(monkeypatch):
    monkeypatch.delenv("MEDDIARY_TZ", raising=False)
    monkeypatch.setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")  # a POSIX rule, not an IANA name
    monkeypatch.setattr("os.readlink", lambda path: "/usr/share/zoneinfo/Europe/Vienna")
    assert local_zone_name() == "Europe/Vienna"


def test_meddiary_tz_wins_over_tz(monkeypatch):
    monkeypatch.setenv("MEDDIARY_TZ", "Europe/Berlin")
    monkeypatch.setenv("TZ", "America/New_York")
    assert local_zone_name() == "Europe/Berlin"
