"""The report's first page as data: what to look at first (alerts), the key numbers per medication (current and
stopped apart, with start dates), planned steps, doses that differed from the prescription, and the days with
extra doses where nothing was scheduled. Pure: built from the report model's parts; every format renders it.

Alerts state what was recorded — a count, dates — and never what it means or what to do.
"""

from datetime import date, datetime, timedelta

from meddiary.model import Entry, Field, Medication, Regimen, plain

RUN_DAYS = 2  # missed doses on this many days in a row or more is an alert
RATING_ALERT = 2  # a mood-chart rating (0-3) at moderate or above


@plain
class Alert:
    kind: str  # item9 | over_limit | different_dose | missed_run | holiday | side_effect | elevated | depressed
    medication: str | None
    text: str
    days: list[date] = Field(list)


@plain
class DifferentDose:
    medication: str
    at: datetime
    taken: tuple[float | None, str | None]
    prescribed: tuple[float | None, str | None]


@plain
class KeyNumbers:
    name: str
    status: str  # current | stopped
    regimen: Regimen | None  # in force at the period's end (stopped: the last dosing one)
    started: date | None  # the medication's first start
    stopped_on: date | None
    as_needed: bool
    adherence: float | None = None
    on_time: float | None = None
    scheduled: int = 0
    taken: int = 0
    missed: int = 0
    skipped: int = 0
    extra: int = 0
    different: int = 0
    uses: int = 0
    uses_per_week: float | None = None
    max_24h: float | None = None  # as needed: the most taken in any 24 hours (dose units)
    max_24h_uses: int = 0
    unit: str | None = None
    over_limit: int = 0


@plain
class Planned:
    medication: str
    day: date
    regimen: Regimen
    label: str  # titration (up) | taper (down) | change | stop


@plain
class Summary:
    alerts: list[Alert]
    current: list[KeyNumbers]
    stopped: list[KeyNumbers]
    planned: list[Planned]
    different: list[DifferentDose]
    extra_days: dict[str, list[date]]  # medication -> days with an extra dose and nothing scheduled


def direction(before: Regimen | None, after: Regimen) -> str:
    """A change named by what it does to the dose: a planned step series (`taper` command) is a 'titration (up)'
    or a 'taper (down)'; a single change an 'increase' or a 'decrease'; else 'start', 'restart', 'stop' or
    'change' (the same dose at other times, or doses in different units)."""
    if after.is_stop:
        return after.kind  # stop | pause
    if before is None or before.is_stop:
        return "start" if before is None else "restart"
    # a dose per time: the day's total decides (lithium 400 + 600 mg to 400 + 800 mg is an increase)
    b, a = before.daily_amount or before.dose_amount, after.daily_amount or after.dose_amount
    if before.dose_unit == after.dose_unit and b is not None and a is not None:
        step = after.kind in ("taper", "titration")
        if a > b:
            return "titration (up)" if step else "increase"
        if a < b:
            return "taper (down)" if step else "decrease"
    return "change"


def runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) spans."""
    out: list[tuple[date, date]] = []
    for d in sorted(set(days)):
        if out and d == out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def max_in_24h(takes: list[Entry], dose_of) -> tuple[float | None, int]:
    """The most taken in any 24 hours: (the largest sum of amounts, None when no amount is known; the most uses).
    Each window ends at a take and reaches 24 h back (rolling, as the as-needed limit counts)."""
    from meddiary.adherence import most_in_24h_by_day

    return most_of(list(most_in_24h_by_day(takes, dose_of, lambda at: at.date()).values()))


def most_of(per_day: list[tuple[float | None, int]]) -> tuple[float | None, int]:
    """The most in 24 hours over a period from each day's (adherence.DayResult.most)."""
    amounts = [a for a, _ in per_day if a is not None]
    return (max(amounts) if amounts else None), max((u for _, u in per_day), default=0)


def _fmt_days(days: list[date]) -> str:
    spans = runs(days)
    text = ", ".join(a.isoformat() if a == b else f"{a.isoformat()} – {b.isoformat()}" for a, b in spans[:4])
    return text + (f" and {len(spans) - 4} more" if len(spans) > 4 else "")


def build(rep, local_day) -> Summary:
    """The first page of `rep` (a report.Report whose medications, changes and health are built), from each
    medication's days (adherence.DayResult)."""
    from meddiary.adherence import is_different_dose
    from meddiary.doses import format_dose

    period = rep.period
    alerts: list[Alert] = []
    current, stopped, planned, different = [], [], [], []
    extra_days: dict[str, list[date]] = {}
    for m in rep.medications:
        med: Medication = m.medication
        s = m.stats
        k = KeyNumbers(m.name, "stopped" if m.stopped_on else "current", m.current, med.start_date, m.stopped_on,
                       med.as_needed)
        if med.as_needed:
            k.uses, k.uses_per_week, k.over_limit = s.uses, s.uses_per_week, len(s.over_limit)
            k.max_24h, k.max_24h_uses = most_of([d.most for d in s.results if d.most])
            k.unit = m.current.dose_unit if m.current else None
            if s.over_limit:
                days = sorted({local_day(e.at) for e in s.over_limit})
                alerts.append(Alert("over_limit", m.name, f"{m.name}: {len(s.over_limit)} "
                                    f"{'dose' if len(s.over_limit) == 1 else 'doses'} over the 24-hour limit "
                                    f"(at most {m.current.max_per_day if m.current else '?'}) on {_fmt_days(days)}",
                                    days))
        else:
            k.adherence, k.on_time = s.adherence, s.timing_adherence
            k.scheduled, k.taken, k.missed, k.skipped, k.extra = s.scheduled, s.taken, s.missed, s.skipped, s.extra
            for d in s.results:
                for at, taken, prescribed in d.different:
                    different.append(DifferentDose(m.name, at, taken, prescribed))
                    k.different += 1
            mine = [d for d in different if d.medication == m.name]
            if mine:
                alerts.append(Alert("different_dose", m.name, f"{m.name}: {len(mine)} "
                                    f"{'dose' if len(mine) == 1 else 'doses'} taken other than prescribed ("
                                    + "; ".join(f"{format_dose(*d.taken)} for {format_dose(*d.prescribed)} on "
                                                f"{local_day(d.at).isoformat()}" for d in mine[:3])
                                    + (f"; {len(mine) - 3} more" if len(mine) > 3 else "") + ")",
                                    sorted({local_day(d.at) for d in mine})))
            missed_days = [d.day for d in s.results if d.missed]
            for a, b in runs(missed_days):
                if (b - a).days + 1 >= RUN_DAYS:
                    alerts.append(Alert("missed_run", m.name, f"{m.name}: doses missed on {(b - a).days + 1} days in "
                                        f"a row, {a.isoformat()} – {b.isoformat()}",
                                        [a + timedelta(days=i) for i in range((b - a).days + 1)]))
            for a, b in s.holiday_spans:
                alerts.append(Alert("holiday", m.name, f"{m.name}: no dose taken for {(b - a).days + 1} days "
                                    f"(a drug holiday), {a.isoformat()} – {b.isoformat()}",
                                    [a + timedelta(days=i) for i in range((b - a).days + 1)]))
            extra = [d.day for d in s.results if d.extras and not d.slots]
            if extra:
                extra_days[m.name] = extra
        (stopped if k.status == "stopped" else current).append(k)
        before = None
        for r in med.regimens:
            if r.start_date > period.last_day:
                planned.append(Planned(m.name, r.start_date, r, direction(before, r)))
            before = r
    health = rep.sections.get("health")
    if health is not None:
        names = health.medication_names
        for ep in health.episodes:
            med_name = names.get(ep.medication_id)
            onset = local_day(ep.onset)
            state = "ongoing" if ep.ongoing else f"resolved {local_day(ep.resolved_at).isoformat()}"
            worst = f", worst {ep.worst}" if ep.worst else ""
            alerts.append(Alert("side_effect", med_name, f"side effect {ep.symptom}"
                                + (f" ({med_name})" if med_name else "") + f": since {onset.isoformat()}{worst}, "
                                + state, [onset]))
        for rating in ("elevated", "depressed"):
            days = [d.day for d in health.days if (d.ratings.get(rating) or 0) >= RATING_ALERT]
            if days:
                word = "elevated mood" if rating == "elevated" else "depressed mood"
                alerts.append(Alert(rating, None, f"{word} rated moderate or severe on {len(days)} "
                                    f"{'day' if len(days) == 1 else 'days'}: {_fmt_days(days)}", days))
    order = ("item9", "over_limit", "side_effect", "elevated", "depressed", "different_dose", "missed_run", "holiday")
    alerts.sort(key=lambda a: order.index(a.kind))
    planned.sort(key=lambda p: (p.day, p.medication))
    return Summary(alerts, current, stopped, planned, different, extra_days)
