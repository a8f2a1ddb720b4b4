"""The crisis line by place: set with `config crisis_line`, else the national line of the home zone's country
where one is published, else general words — never silently the US number outside the US."""

from zoneinfo import available_timezones

import pytest

from meddiary import crisis
from meddiary.errors import ExitCode

ITEM9 = ("check", "phq9", "--answers", "0,0,0,0,0,0,0,0,1")


@pytest.mark.parametrize("zone, line", [
    ("Europe/London", "Samaritans 116 123"),
    ("Europe/Dublin", "Samaritans 116 123"),
    ("America/New_York", "988 (Suicide & Crisis Lifeline, US"),
    ("America/Indiana/Indianapolis", "988 (Suicide & Crisis Lifeline, US"),
    ("Pacific/Honolulu", "988 (Suicide & Crisis Lifeline, US"),
    ("America/Toronto", "988 (Suicide Crisis Helpline, Canada"),
    ("Europe/Berlin", "TelefonSeelsorge 0800 111 0 111"),
    ("Europe/Vienna", "TelefonSeelsorge 142"),
    ("Europe/Zurich", "Die Dargebotene Hand 143"),
    ("Europe/Paris", "3114"),
    ("Europe/Amsterdam", "113 Zelfmoordpreventie"),
    ("Australia/Sydney", "Lifeline 13 11 14"),
    ("Pacific/Auckland", "1737"),
])
def test_default_line_by_zone(zone, line):
    assert crisis.default_line(zone).startswith(line)


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Europe/Madrid", "America/Mexico_City", "UTC", "Etc/GMT+5", "", None])
def test_no_line_where_none_is_known(zone):
    assert crisis.default_line(zone) is None


def test_the_us_number_only_for_us_zones():
    us = {z for z in available_timezones() if crisis.default_line(z) == crisis.US_LINE}
    assert us and all(z.startswith(("America/", "US/", "Pacific/Honolulu", "Navajo")) for z in us)
    assert not us & {"America/Toronto", "America/Mexico_City", "Europe/London", "America/Havana", "America/Sao_Paulo"}


def test_item9_names_the_home_zones_line(run, clock, monkeypatch):
    monkeypatch.setenv("MEDDIARY_TZ", "Europe/London")
    out = run(*ITEM9).out
    assert "To talk to someone now: Samaritans 116 123" in out and "988" not in out


def test_item9_in_a_zone_with_no_known_line_says_local_services(run, clock, monkeypatch):
    monkeypatch.setenv("MEDDIARY_TZ", "Asia/Tokyo")
    out = run(*ITEM9).out
    assert "call your local emergency number" in out and "To talk to someone now: a local crisis line" in out
    assert "988" not in out


def test_item9_in_the_us(run, clock, monkeypatch):
    monkeypatch.setenv("MEDDIARY_TZ", "America/Chicago")
    assert "To talk to someone now: 988 (Suicide & Crisis Lifeline, US" in run(*ITEM9).out


def test_the_home_zone_decides_not_the_machine(run, clock):
    run("config", "timezone", "Europe/London")  # the machine is in Europe/Berlin
    assert "Samaritans 116 123" in run(*ITEM9).out


def test_config_sets_shows_and_unsets_the_crisis_line(run, clock):
    assert run("config", "crisis_line").out == ("crisis_line not set: the national line for Europe/Berlin is used "
                                                f"({crisis.default_line('Europe/Berlin')})\n")
    assert run("config", "crisis_line", "  NHS   111 ").out == "crisis_line = NHS 111\n"
    assert run("config", "crisis_line").out == "crisis_line = NHS 111\n"
    assert "crisis_line = NHS 111" in run("config").out.splitlines()
    assert "To talk to someone now: NHS 111" in run(*ITEM9).out
    assert run("config", "crisis-line", "--unset").out.startswith("crisis_line unset: the national line for Europe/Berlin")
    assert "TelefonSeelsorge" in run(*ITEM9).out
    assert run("check").out.startswith("ok:")


@pytest.mark.parametrize("args, problem", [
    (("config", "crisis_line", "   "), "bad crisis_line: give the number and its name"),
    (("config", "crisis_line", "x" * 201), "bad crisis_line: give the number and its name"),
    (("config", "crisis_line", "NHS 111", "--unset"), "give a value or --unset, not both"),
])
def test_bad_crisis_line_is_one_line_exit_2_nothing_written(run, clock, dump, args, problem):
    run("config", "crisis_line", "Samaritans 116 123")
    before = dump()
    result = run(*args, expect=ExitCode.USAGE)
    assert problem in result.err and result.err.count("\n") == 1
    assert dump() == before


def test_config_lists_the_default_when_unset(run, clock, monkeypatch):
    monkeypatch.setenv("MEDDIARY_TZ", "Asia/Tokyo")
    assert "crisis_line not set: no national line is known for Asia/Tokyo" in run("config").out
