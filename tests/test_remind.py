"""remind: what `due` says at `now` — catch-up after sleep, repeat spacing, DST days, travel, as needed,
supply. Pure: the clock is an argument; a run every 5 minutes is simulated with the reminder state kept."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from meddiary import remind, supply
from meddiary.model import Entry, Medication, Regimen

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def daily(id=1, name="sertraline", times=("08:00",), start="2026-01-01", amount=50.0):
    return Medication(id, name, False, regimens=[
        Regimen(id, id, date.fromisoformat(start), "start", amount, "mg", tuple(time.fromisoformat(t) for t in times))])


def lorazepam():
    return Medication(2, "lorazepam", True, regimens=[
        Regimen(2, 2, date(2026, 1, 1), "start", 1.0, "mg", (), max_per_day=3, min_interval=timedelta(hours=4))])


def take(at: datetime, med_id=1, id=1, kind="take") -> Entry:
    return Entry(id, kind, med_id, at.astimezone(UTC), "Europe/Berlin", 50.0, "mg", reason="forgot" if kind == "skip" else None,
                 uid=f"uid{id}")


def runs(meds, start: datetime, end: datetime, tz, entries=(), repeat=remind.DEFAULT_REPEAT, step=timedelta(minutes=5),
         supplies=None, refills=None, refill_days=7):
    """Every `step` from start to end (UTC instants): [(local time of the run, reminder text)]."""
    reminded: dict[str, datetime] = {}
    said = []
    now = start.astimezone(UTC)
    while now <= end:
        past = [e for e in entries if e.at <= now]
        check = remind.candidates(meds, past, supplies or {}, now, tz, refill_days, refills)
        chosen, _ = remind.select(check, {k: v for k, v in reminded.items() if k in remind.keys(check)}, now, repeat)
        for c in chosen:
            for k in (c.key, *c.extra_keys):
                reminded[k] = now
            said.append((now.astimezone(tz).strftime("%m-%d %H:%M"), c.text))
        now += step
    return said


def test_dose_due_during_sleep_is_reminded_at_the_next_run_once():
    # Asleep (no runs) from 07:00 to 11:00; the 08:00 dose is reminded at 11:00, then every 30 minutes.
    said = runs([daily()], datetime(2026, 11, 26, 11, 0, tzinfo=BERLIN), datetime(2026, 11, 26, 11, 55, tzinfo=BERLIN), BERLIN)
    assert said == [("11-26 11:00", "08:00 sertraline 50 mg — due 3 h ago"),
                    ("11-26 11:30", "08:00 sertraline 50 mg — due 3 h 30 min ago")]
    once = runs([daily()], datetime(2026, 11, 26, 11, 0, tzinfo=BERLIN), datetime(2026, 11, 26, 19, 55, tzinfo=BERLIN),
                BERLIN, repeat=None)
    assert once == [("11-26 11:00", "08:00 sertraline 50 mg — due 3 h ago")]


@pytest.mark.parametrize("repeat,expected", [
    (timedelta(minutes=30), ["08:00", "08:30", "09:00", "09:30"]),
    (timedelta(minutes=45), ["08:00", "08:45", "09:30"]),
    (timedelta(hours=1), ["08:00", "09:00"]),
    (None, ["08:00"]),
])
def test_repeat_spacing(repeat, expected):
    said = runs([daily()], datetime(2026, 11, 26, 7, 0, tzinfo=BERLIN), datetime(2026, 11, 26, 9, 40, tzinfo=BERLIN),
                BERLIN, repeat=repeat)
    assert [t[-5:] for t, _ in said] == expected


def test_reminders_stop_when_taken_skipped_or_missed():
    assert runs([daily()], datetime(2026, 11, 26, 7, 0, tzinfo=BERLIN), datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN), BERLIN,
                entries=[take(datetime(2026, 11, 26, 8, 10, tzinfo=BERLIN))]) == [("11-26 08:00", "08:00 sertraline 50 mg — due now")]
    assert len(runs([daily()], datetime(2026, 11, 26, 7, 0, tzinfo=BERLIN), datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN), BERLIN,
                    entries=[take(datetime(2026, 11, 26, 8, 20, tzinfo=BERLIN), kind="skip")])) == 1
    # taken early (inside the window): never reminded
    assert runs([daily()], datetime(2026, 11, 26, 7, 0, tzinfo=BERLIN), datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN), BERLIN,
                entries=[take(datetime(2026, 11, 26, 7, 30, tzinfo=BERLIN))]) == []
    # two doses a day: the 08:00 one's window closes half way to 20:00; it is not reminded after 14:00
    said = runs([daily(times=("08:00", "20:00"))], datetime(2026, 11, 26, 13, 0, tzinfo=BERLIN),
                datetime(2026, 11, 26, 16, 0, tzinfo=BERLIN), BERLIN, repeat=timedelta(hours=1))
    assert [t for t, _ in said] == ["11-26 13:00"]


def test_us_spring_forward_0230_is_reminded_at_0330_once():
    med = daily(times=("02:30",))
    said = runs([med], datetime(2026, 3, 8, 0, 0, tzinfo=NEW_YORK), datetime(2026, 3, 8, 9, 0, tzinfo=NEW_YORK), NEW_YORK,
                repeat=None)
    assert said == [("03-08 03:30", "02:30 (at 03:30, after the clock change) sertraline 50 mg — due now")]


def test_us_fall_back_0130_is_one_slot_reminded_once():
    med = daily(times=("01:30",))
    start = datetime(2026, 11, 1, 0, 0, tzinfo=NEW_YORK)  # 04:00 UTC; 01:30 happens at 05:30 and 06:30 UTC
    said = runs([med], start, start + timedelta(hours=5), NEW_YORK, repeat=None)
    assert said == [("11-01 01:30", "01:30 sertraline 50 mg — due now")]
    # with repeats, the second 01:30 is a repeat of the same open dose, not a second dose
    said = runs([med], start, start + timedelta(hours=3), NEW_YORK, repeat=timedelta(hours=1))
    assert [text for _, text in said] == ["01:30 sertraline 50 mg — due now", "01:30 sertraline 50 mg — due 1 h ago",
                                          "01:30 sertraline 50 mg — due 2 h ago"]


def test_machine_moved_to_another_zone_between_two_runs():
    med = daily()
    reminded: dict[str, datetime] = {}
    # 07:50 in Berlin: nothing yet.
    before = datetime(2026, 11, 26, 7, 50, tzinfo=BERLIN)
    check = remind.candidates([med], [], {}, before, BERLIN)
    assert remind.select(check, reminded, before)[0] == []
    # Next run after the flight: 08:10 in New York (14:10 in Berlin): the 08:00 dose, in New York time, once.
    after = datetime(2026, 11, 26, 8, 10, tzinfo=NEW_YORK)
    check = remind.candidates([med], [], {}, after, NEW_YORK)
    chosen, _ = remind.select(check, reminded, after)
    assert [c.text for c in chosen] == ["08:00 sertraline 50 mg — due 10 min ago"]
    reminded.update({c.key: after for c in chosen})
    later = after + timedelta(minutes=5)
    assert remind.select(remind.candidates([med], [], {}, later, NEW_YORK), reminded, later)[0] == []


def test_travel_after_the_reminder_keeps_the_same_slot():
    # Reminded at 08:05 Berlin; the person took it at 08:20 Berlin, flew; in New York at 08:00 nothing is due.
    med = daily()
    entries = [take(datetime(2026, 11, 26, 8, 20, tzinfo=BERLIN))]
    now = datetime(2026, 11, 26, 8, 5, tzinfo=NEW_YORK)
    check = remind.candidates([med], entries, {}, now, NEW_YORK)
    assert remind.select(check, {"slot:1:2026-11-26T08:00": datetime(2026, 11, 26, 7, 5, tzinfo=UTC)}, now)[0] == []


def test_as_needed_next_dose_allowed_once():
    med = lorazepam()
    entries = [take(datetime(2026, 11, 26, 10, 30, tzinfo=BERLIN), med_id=2, id=7)]
    said = runs([med], datetime(2026, 11, 26, 10, 0, tzinfo=BERLIN), datetime(2026, 11, 26, 20, 0, tzinfo=BERLIN), BERLIN,
                entries=entries)
    assert said == [("11-26 14:30", "lorazepam: next dose allowed from 14:30")]
    check = remind.candidates([med], entries, {}, datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN), BERLIN)
    assert remind.select(check, {}, datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN))[1] == datetime(2026, 11, 26, 14, 30, tzinfo=BERLIN)


def test_as_needed_without_a_recent_take_says_nothing():
    assert runs([lorazepam()], datetime(2026, 11, 26, 10, 0, tzinfo=BERLIN), datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN), BERLIN) == []


def test_as_needed_limit_of_the_day():
    entries = [take(datetime(2026, 11, 26, h, 0, tzinfo=BERLIN), med_id=2, id=h) for h in (6, 10, 14)]
    said = runs([lorazepam()], datetime(2026, 11, 26, 14, 0, tzinfo=BERLIN), datetime(2026, 11, 27, 8, 0, tzinfo=BERLIN),
                BERLIN, entries=entries)
    assert said == [("11-27 06:00", "lorazepam: next dose allowed from 06:00")]


def low_supply(days_left: float, repeats_left):
    return supply.Supply(1, "sertraline", days_left, datetime(2026, 11, 1, tzinfo=UTC), 1.0, days_left,
                         date(2026, 11, 26) + timedelta(days=int(days_left)), date(2026, 11, 20), repeats_left, None)


def test_low_supply_once_a_day():
    refill = Entry(9, "refill", 1, datetime(2026, 11, 20, tzinfo=UTC), "Europe/Berlin", data={"qty": 30, "repeats_left": 2}, uid="r9")
    said = runs([daily()], datetime(2026, 11, 26, 8, 30, tzinfo=BERLIN), datetime(2026, 11, 27, 8, 30, tzinfo=BERLIN), BERLIN,
                entries=[take(datetime(2026, 11, 26, 8, 0, tzinfo=BERLIN)), take(datetime(2026, 11, 27, 8, 0, tzinfo=BERLIN), id=2)],
                supplies={1: low_supply(5, 2)}, refills={1: refill}, step=timedelta(minutes=30))
    assert said == [("11-26 08:30", "sertraline: 5 days of supply left (5 on hand, runs out 2026-12-01)"),
                    ("11-27 00:00", "sertraline: 5 days of supply left (5 on hand, runs out 2026-12-01)")]


def test_no_repeats_left_once_per_refill_and_in_the_low_supply_line():
    refill = Entry(9, "refill", 1, datetime(2026, 11, 20, tzinfo=UTC), "Europe/Berlin", data={"qty": 30, "repeats_left": 0}, uid="r9")
    kw = dict(entries=[take(datetime(2026, 11, 26, 8, 0, tzinfo=BERLIN))], refills={1: refill}, step=timedelta(hours=1))
    said = runs([daily()], datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN), datetime(2026, 11, 27, 7, 0, tzinfo=BERLIN), BERLIN,
                supplies={1: low_supply(20, 0)}, **kw)
    assert said == [("11-26 09:00", "sertraline: no repeats left on the refill of 2026-11-20 — book your prescriber")]
    said = runs([daily()], datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN), datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN), BERLIN,
                supplies={1: low_supply(3, 0)}, **kw)
    assert said == [("11-26 09:00", "sertraline: 3 days of supply left (3 on hand, runs out 2026-11-29); "
                                    "no repeats left on the last refill — book your prescriber")]


def test_no_book_your_prescriber_for_a_stopped_medication():
    refill = Entry(9, "refill", 1, datetime(2026, 11, 20, tzinfo=UTC), "Europe/Berlin", data={"qty": 30, "repeats_left": 0}, uid="r9")
    med = daily()
    med.regimens.append(Regimen(9, 1, date(2026, 11, 25), "stop"))
    stopped = supply.Supply(1, "sertraline", 20, datetime(2026, 11, 1, tzinfo=UTC), None, None, None, date(2026, 11, 20), 0, None)
    assert runs([med], datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN), datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN), BERLIN,
                supplies={1: stopped}, refills={1: refill}, step=timedelta(hours=1)) == []
    # Still active: reminded.
    assert len(runs([daily()], datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN), datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN),
                    BERLIN, entries=[take(datetime(2026, 11, 26, 8, 0, tzinfo=BERLIN))], supplies={1: stopped},
                    refills={1: refill})) == 1


def test_refill_days_zero_turns_low_supply_warnings_off():
    assert runs([daily()], datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN), datetime(2026, 11, 26, 10, 0, tzinfo=BERLIN), BERLIN,
                entries=[take(datetime(2026, 11, 26, 8, 0, tzinfo=BERLIN))], supplies={1: low_supply(2, 1)}, refill_days=0) == []


def test_quiet_until_is_the_next_thing_that_can_change():
    med = daily(times=("08:00", "20:00"))
    now = datetime(2026, 11, 26, 9, 0, tzinfo=BERLIN)
    check = remind.candidates([med], [take(datetime(2026, 11, 26, 8, 5, tzinfo=BERLIN))], {}, now, BERLIN)
    assert remind.select(check, {}, now) == ([], datetime(2026, 11, 26, 20, 0, tzinfo=BERLIN))
    check = remind.candidates([med], [], {}, now, BERLIN)
    chosen, nxt = remind.select(check, {}, now)
    assert len(chosen) == 1 and nxt == now + timedelta(minutes=30)
    chosen, nxt = remind.select(check, {chosen[0].key: now - timedelta(minutes=10)}, now)
    assert chosen == [] and nxt == now + timedelta(minutes=20)


def test_stopped_and_not_yet_started_medications_are_not_reminded():
    med = daily(start="2026-11-27")
    assert runs([med], datetime(2026, 11, 26, 7, 0, tzinfo=BERLIN), datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN), BERLIN) == []
    med = daily()
    med.regimens.append(Regimen(9, 1, date(2026, 11, 26), "stop"))
    assert runs([med], datetime(2026, 11, 26, 7, 0, tzinfo=BERLIN), datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN), BERLIN) == []
