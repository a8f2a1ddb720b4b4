"""The report model: pure data for a period, built from medications, entries and an injected `now`.

Every output (Rich, Markdown, HTML, JSON) renders this one object, so the numbers never differ.
"""

from bisect import bisect_left
from functools import cached_property, lru_cache
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from meddiary import adherence, schedule, supply, wellbeing
from meddiary.diary import REACH
from meddiary.model import Entry, Field, Medication, Regimen, plain
from meddiary.timeparse import day_end_utc, day_start_utc

# Entries this far outside the period are loaded too, at least: windows at its edges reach 12 h beyond it,
# and the as-needed 24-hour limit looks a day back (`around` says how far for a medication).
MARGIN = timedelta(days=2)
# Mood, questionnaires and visits this far around the period: "around each change" looks 14 days each way.
HEALTH_MARGIN = timedelta(days=wellbeing.AROUND_DAYS + 1)

DAY_STATES = ("taken", "late", "partial", "skipped", "missed", "pending", "none", "used", "extra")


@plain
class Period:
    first_day: date
    last_day: date  # inclusive
    start: datetime  # UTC, local midnight of first_day
    end: datetime  # UTC, local midnight after last_day (exclusive)
    timezone: str
    window: timedelta  # the on-time window
    asked_first_day: date | None = None  # set when the period asked for began before the diary (clamp)
    # The tzinfo the days are judged in (a travel.DayZones when they were recorded in more than one zone):
    # times are shown in the zone of their day. Not part of the period's identity.
    tzinfo: object = Field(default=None, compare=False)

    def zones(self) -> list[tuple[date, str]]:
        """(first day, zone) for each zone the period's days are judged in, when more than one."""
        from meddiary import travel

        return travel.in_period(self.tzinfo, self.first_day, self.last_day)

    @cached_property
    def days(self) -> list[date]:
        n = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=i) for i in range(n)]


def make_period(first_day: date, last_day: date, tz: ZoneInfo, window: timedelta) -> Period:
    return Period(first_day, last_day, day_start_utc(first_day, tz), day_end_utc(last_day, tz), tz.key, window,
                  tzinfo=tz)


# Periods up to a year show every day asked for, the empty ones before the diary began too (as they always
# have: 30d, 90d, 1y are what people ask for, and cost little); a longer one starts where the diary does.
CLAMP_AFTER_DAYS = 366


def clamp(period: Period, diary_first_day: date | None, tz: ZoneInfo) -> Period:
    """A period longer than a year, starting no earlier than the diary's first day (its first regimen or
    entry): the days before it hold nothing, and `--since 100y` would otherwise compute a century of empty
    days. The report says so (`asked_first_day`). A period wholly before the diary keeps its last day only."""
    long = (period.last_day - period.first_day).days + 1 > CLAMP_AFTER_DAYS
    if not long or diary_first_day is None or diary_first_day <= period.first_day:
        return period
    clamped = make_period(min(diary_first_day, period.last_day), period.last_day, tz, period.window)
    clamped.asked_first_day = period.first_day
    return clamped


@plain
class DoseChange:
    day: date
    medication: str
    kind: str  # start | change | taper | stop
    before: Regimen | None
    after: Regimen
    reason: str | None


@plain
class MedReport:
    medication: Medication
    current: Regimen | None  # in force at the period's end (or the last dosing one)
    stats: adherence.MedStats
    stopped_on: date | None = None  # set when the medication was stopped by the period's end
    # From the first page (summary.build): days with an extra dose and nothing scheduled, and the key numbers.
    extra_days: set = Field(set)
    key: object = None

    @property
    def name(self) -> str:
        return self.medication.name


@plain
class Report:
    period: Period
    generated_at: datetime
    medications: list[MedReport]
    overall: adherence.Overall
    changes: list[DoseChange]
    # Later issues add their parts here; each has one renderer. "health": wellbeing.Health (mood and sleep,
    # questionnaires, side effects, around each change, open questions); "supply": supply.report_section's
    # items (on hand now, and PDC over the period) for the report's medications with supply recorded.
    sections: dict = Field(dict)

    @property
    def health(self) -> wellbeing.Health:
        return self.sections["health"]

    @property
    def supply(self) -> list[dict]:
        return self.sections["supply"]

    @property
    def summary(self):
        """summary.Summary: the first page (alerts, key numbers, planned steps, doses other than prescribed)."""
        return self.sections["summary"]

    @property
    def measurements(self) -> list:
        """measures.Row per lab value or vital sign recorded in the period (empty when none)."""
        return self.sections.get("measurements", [])


def current_regimen(med: Medication, day: date) -> Regimen | None:
    return med.dosing_on(day)


def dose_changes(med: Medication, period: Period) -> list[DoseChange]:
    out = []
    for i, r in enumerate(med.regimens):
        if period.first_day <= r.start_date <= period.last_day:
            out.append(DoseChange(r.start_date, med.name, r.kind, med.regimens[i - 1] if i else None, r, r.reason))
    return out


def limits(regimen: Regimen | None) -> tuple[int | None, timedelta | None, float | None]:
    """An as-needed part's limits: at most N uses, at least an interval apart, at most an amount (none
    before the start or after a stop)."""
    if regimen is None or regimen.is_stop:
        return None, None, None
    return regimen.max_per_day, regimen.min_interval, regimen.max_amount


def build(meds: list[Medication], entries: list[Entry], period: Period, now: datetime, tz: ZoneInfo,
          health: list[Entry] | None = None, medication_id: int | None = None,
          supplies: dict[int, supply.Supply] | None = None, refills: dict[int, list[Entry]] | None = None,
          stored: dict | None = None, level_takes: list[Entry] = ()) -> Report:
    """The report for `period`. `entries` (takes and skips) must cover the period and MARGIN around it, except
    the days `stored` holds (medication id -> day -> adherence.DayResult, read back from the diary: `entries`
    then cover the other days and MARGIN around them, and `level_takes` the last take before each drug level
    in the period); `health` the other kinds as wellbeing.build describes (HEALTH_MARGIN around the period);
    `supplies`: supply.status per medication id as of `now`, `refills`: every refill entry per medication id
    (earlier ones cover days in the period too)."""
    by_med: dict[int, list[Entry]] = {}
    for e in entries:
        by_med.setdefault(e.medication_id, []).append(e)
    local_day = lru_cache(maxsize=None)(lambda at: at.astimezone(tz).date())  # asked many times per entry
    out, changes = [], []
    for med in sorted(meds, key=lambda m: (m.as_needed, m.name)):
        in_force_days = schedule.in_force_days(med, period.first_day, period.last_day)
        days, matched = med_days(med, by_med.get(med.id, []), period, now, tz, local_day,
                                 stored.get(med.id) if stored else None)
        if not in_force_days and not any(d.recorded for d in days):
            continue  # neither in force on a day of the period nor recorded in it
        end_day = min(period.last_day, local_day(now))
        last = current_regimen(med, end_day)
        in_force = med.regimen_on(end_day)
        stats = adherence.stats_from_days(med.id, med.as_needed, days, in_force_days, local_day(now))
        stats.slots, stats.extras = matched
        out.append(MedReport(med, last, stats, in_force.start_date if in_force and in_force.is_stop else None))
        changes += dose_changes(med, period)
    changes.sort(key=lambda c: (c.day, c.medication))
    rep = Report(period, now, out, adherence.overall([m.stats for m in out]), changes)
    rep.sections["health"] = wellbeing.build(
        meds, sorted(health or [], key=lambda e: (e.at, e.id)), period.first_day, period.last_day, period.start,
        period.end, changes, local_day(now), tz, medication_id)
    from meddiary import measures, summary

    rep.sections["summary"] = first = summary.build(rep, local_day)
    keys = {k.name: k for k in first.current + first.stopped}
    for m in out:
        m.extra_days, m.key = set(first.extra_days.get(m.name, ())), keys.get(m.name)
    rep.sections["measurements"] = measures.report_rows(health or [], meds, [*entries, *level_takes], period.start,
                                                        period.end, tz)
    rep.sections["supply"] = supply.report_section([m.medication for m in out], supplies or {}, refills or {},
                                                   period.first_day, period.last_day, tz)
    return rep


def med_days(med: Medication, mine: list[Entry], period: Period, now: datetime, tz, local_day,
             stored=None) -> tuple[list[adherence.DayResult], tuple[list, list]]:
    """One medication's adherence.DayResult for each day of the period: counted from its slots and `mine` (its
    takes and skips), or read back (`stored`: day -> DayResult, for the closed days the diary keeps). With them,
    the per-slot results and extra takes of the days counted (for a look inside; the report reads days)."""
    from meddiary.summary import runs

    stored = stored or {}
    days = period.days
    todo = runs([d for d in days if d not in stored])
    counted: dict[date, adherence.DayResult] = {}
    slot_results: list = []
    extras: list = []
    margin, reach = around(med)
    dose_of = _dose_of(med, local_day)
    limits_at = lambda at: limits(med.regimen_on(local_day(at)))  # noqa: E731
    times = [e.at for e in mine]  # in time order, as loaded
    for first, last in todo:
        slots = schedule.expand(med, first - margin, last + margin, tz)
        start, end = day_start_utc(first, tz), day_end_utc(last, tz)
        near = mine[bisect_left(times, start - reach):bisect_left(times, end + reach)]
        part, m = adherence.day_results(
            med.as_needed, slots, near, [first + timedelta(days=i) for i in range((last - first).days + 1)], now,
            local_day, period.start, period.window, limits_at=limits_at, dose_of=dose_of)
        counted.update((d.day, d) for d in part)
        if m is not None:
            mine_slots, mine_extras = m.on({d.day for d in part}, local_day)
            slot_results += mine_slots
            extras += mine_extras
    return [stored.get(d) or counted[d] for d in days], (slot_results, extras)


def around(med: Medication) -> tuple[timedelta, timedelta]:
    """How far around a run of days to count a medication's slots are expanded, and how far its takes and
    skips are loaded, so that counting a run gives its days as counting all days would: a take may name a
    dose two days away (`--for`); an injection fills a dose up to its window away, and a second injection
    may take that dose over from the first, a window further; a minimum interval between as-needed doses
    looks back its length."""
    slots = max(schedule.reach(med), REACH)  # `take --for` names a dose at most REACH from the take
    widest = max((r.window_days or 0 for r in med.regimens), default=0)
    interval = max((r.min_interval for r in med.regimens if r.min_interval), default=timedelta(0))
    return slots, max(MARGIN, slots + timedelta(days=widest + 1), interval + timedelta(days=1))


def load_margin(meds: list[Medication]) -> timedelta:
    """How far around the days to count a report loads takes and skips (`around`, for every medication)."""
    return max([MARGIN, *(around(m)[1] for m in meds)])


def _dose_of(med: Medication, local_day):
    """A take's amount for the most taken in 24 hours: as recorded, else the dose prescribed that day."""
    def dose_of(e: Entry):
        if e.dose_amount is not None:
            return e.dose_amount
        r = med.dosing_on(local_day(e.at))
        return r.dose_amount if r else None

    return dose_of
