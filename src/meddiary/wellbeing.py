"""How the medicines work, from the record: mood and sleep by day and week, side-effect episodes, the
questionnaires over time, open questions for the prescriber, and the days around each dose change.

Pure: functions of entries, medications, a zone and `today`/`now`. Descriptive only — nothing here says what
caused what; "around each change" puts the record of the 14 days before next to the 14 days after.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from meddiary import scales
from meddiary.errors import LINE_MAX, UsageError, check_text
from meddiary.model import Entry, Field, Medication, Regimen, plain

RATINGS = ("depressed", "elevated", "anxiety", "irritability")
RATING_WORDS = ("none", "mild", "moderate", "severe")  # 0–3: the day's most extreme level
SEVERITIES = ("mild", "moderate", "severe")
HEALTH_KINDS = ("mood", "side_effect", "check", "question", "answer", "visit")
AROUND_DAYS = 14  # days before and after each change


def local_day(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


def mean(values: list[float]) -> float | None:
    if not values:
        return None
    average = sum(values) / len(values)
    # A whole number is its own rounding, and round() to a digit goes through text (a few microseconds): ten
    # years of mood days and weeks are thousands of means, most of them of whole scores.
    return average if average.is_integer() else round(average, 1)


def highest(values) -> int | None:
    values = [v for v in values if v is not None]
    return max(values) if values else None


# -- mood and sleep ------------------------------------------------------------------------------------

@plain
class MoodDay:
    """One local day's mood entries: the mean score, the highest of each rating, the mean sleep."""
    day: date
    score: float | None  # mean of the day's scores, 1–10 (one decimal)
    ratings: dict  # rating name -> the day's highest 0–3, or None when not rated
    sleep: float | None  # hours (mean of the day's values, one decimal)
    entries: int


def mood_days(entries: list[Entry], tz: ZoneInfo) -> list[MoodDay]:
    """Days with at least one mood entry, in order. Sleep belongs to the day it was logged on."""
    by_day: dict[date, list[dict]] = {}
    for e in entries:
        if e.kind == "mood" and e.data:
            by_day.setdefault(e.at.astimezone(tz).date(), []).append(e.data)
    out = []
    for day in sorted(by_day):
        rows = by_day[day]
        if len(rows) == 1:  # most days: one entry, whose values are the day's (years of days, without a loop each)
            r = rows[0]
            score, sleep = r.get("score"), r.get("sleep_hours")
            out.append(MoodDay(day, None if score is None else mean([score]), {k: r.get(k) for k in RATINGS},
                               None if sleep is None else mean([sleep]), 1))
            continue
        out.append(MoodDay(
            day,
            mean([r["score"] for r in rows if r.get("score") is not None]),
            {k: highest(r.get(k) for r in rows) for k in RATINGS},
            mean([r["sleep_hours"] for r in rows if r.get("sleep_hours") is not None]),
            len(rows),
        ))
    return out


@plain
class Summary:
    """Mood over a span of days: days with data counted, so thin data shows as thin."""
    first: date
    last: date
    days: int  # days with any mood entry
    score: float | None
    score_days: int
    sleep: float | None
    sleep_days: int
    ratings: dict  # rating -> highest 0–3 in the span, or None


def summarise(days: list[MoodDay], first: date, last: date) -> Summary:
    mine = [d for d in days if first <= d.day <= last]
    scores = [d.score for d in mine if d.score is not None]
    sleep = [d.sleep for d in mine if d.sleep is not None]
    ratings = {}
    for k in RATINGS:  # highest(), without a generator and a call for each (ten years are 520 weeks)
        rated = [v for d in mine if (v := d.ratings[k]) is not None]
        ratings[k] = max(rated) if rated else None
    return Summary(first, last, len(mine), mean(scores), len(scores), mean(sleep), len(sleep), ratings)


def weeks(days: list[MoodDay], first: date, last: date) -> list[Summary]:
    """Monday-to-Sunday weeks over [first, last] (the first and last cut at the period's edges)."""
    from bisect import bisect_left, bisect_right

    ordered = sorted(days, key=lambda d: d.day)
    keys = [d.day for d in ordered]
    out = []
    start = first
    while start <= last:
        end = min(last, start + timedelta(days=6 - start.weekday()))
        # Each week looks only at its own days: ten years of weeks stay linear, not weeks x days.
        out.append(summarise(ordered[bisect_left(keys, start):bisect_right(keys, end)], start, end))
        start = end + timedelta(days=1)
    return out


# -- side effects --------------------------------------------------------------------------------------

def symptom_key(symptom: str) -> str:
    return " ".join(symptom.split()).casefold()


def worse(a: str | None, b: str | None) -> str | None:
    rank = {None: -1, **{s: i for i, s in enumerate(SEVERITIES)}}
    return a if rank.get(a, -1) >= rank.get(b, -1) else b


@plain
class Episode:
    """A side effect from its first log until a log marked resolved; the same symptom logged meanwhile
    continues it (matched without regard to case or spacing)."""
    symptom: str
    medication_id: int | None
    onset: datetime
    last_seen: datetime
    resolved_at: datetime | None = None
    worst: str | None = None
    entry_ids: list[int] = Field(list)
    notes: list[str] = Field(list)
    # From the medication's regimens: the dose in force at onset, and its start or last dose change.
    dose_at_onset: Regimen | None = None
    change_day: date | None = None
    change_kind: str | None = None  # start | change | taper | stop
    days_after_change: int | None = None

    @property
    def ongoing(self) -> bool:
        return self.resolved_at is None


def last_dose_change(med: Medication, day: date) -> tuple[Regimen | None, Regimen | None]:
    """(the regimen dosing on `day`, the regimen that began its dose: the start or the last change of dose —
    a change of times alone keeps the dose). Stopped by then: (None, the stop)."""
    r = med.regimen_on(day)
    if r is None:
        return None, None
    if r.is_stop:
        return None, r
    i = next(k for k, x in enumerate(med.regimens) if x is r)  # by identity: comparing every field is slow
    while i > 0:
        prev = med.regimens[i - 1]
        if prev.is_stop or (prev.dose_amount, prev.dose_unit) != (r.dose_amount, r.dose_unit):
            break
        i -= 1
    return r, med.regimens[i]


def episodes(entries: list[Entry], meds: list[Medication], tz: ZoneInfo) -> list[Episode]:
    """Side-effect episodes from side_effect entries (in time order), oldest onset first."""
    by_id = {m.id: m for m in meds}
    open_: dict[str, Episode] = {}
    out: list[Episode] = []
    for e in sorted((x for x in entries if x.kind == "side_effect" and x.data), key=lambda x: (x.at, x.id)):
        key = symptom_key(e.data.get("symptom") or "")
        if not key:
            continue
        ep = open_.get(key)
        if e.data.get("resolved"):
            if ep is not None:
                ep.resolved_at = e.at
                ep.entry_ids.append(e.id)
                if e.note:
                    ep.notes.append(e.note)
                del open_[key]
            continue
        if ep is None:
            ep = Episode(" ".join(e.data["symptom"].split()), e.medication_id, e.at, e.at)
            open_[key] = ep
            out.append(ep)
        ep.last_seen = max(ep.last_seen, e.at)
        ep.worst = worse(ep.worst, e.data.get("severity"))
        if ep.medication_id is None:
            ep.medication_id = e.medication_id
        ep.entry_ids.append(e.id)
        if e.note:
            ep.notes.append(e.note)
    for ep in out:
        med = by_id.get(ep.medication_id)
        if med is None:
            continue
        dosing, began = last_dose_change(med, local_day(ep.onset, tz))
        ep.dose_at_onset = dosing
        if began is not None:
            ep.change_day, ep.change_kind = began.start_date, began.kind
            ep.days_after_change = (local_day(ep.onset, tz) - began.start_date).days
    return out


def ongoing_episode(eps: list[Episode], symptom: str) -> Episode | None:
    key = symptom_key(symptom)
    return next((ep for ep in reversed(eps) if ep.ongoing and symptom_key(ep.symptom) == key), None)


def symptom_text(symptom: str) -> str:
    """A symptom as typed, spacing tidied; empty or over-long is bad input."""
    name = " ".join(symptom.split())
    if not name:
        raise UsageError("the symptom is empty: name it, e.g. meddiary side-effect nausea --severity mild")
    if len(name) > LINE_MAX:
        raise UsageError("the symptom is too long: name it in a few words (at most 200 characters); use --note for more")
    return check_text(name, "the symptom")


def severity_value(severity: str | None, resolved: bool) -> str | None:
    if severity is None:
        return None
    sev = severity.strip().lower()
    if sev not in SEVERITIES:
        raise UsageError(f"bad --severity {severity!r}: use mild, moderate or severe")
    if resolved:
        raise UsageError("--resolved ends the episode: give --severity when logging the symptom, not with --resolved")
    return sev


def plan_log(logged: list[Entry], meds: list[Medication], symptom: str, severity: str | None, resolved: bool,
             at: datetime, medication_id: int | None, now: datetime, tz: ZoneInfo) -> tuple[int | None, Episode | None]:
    """Where a new side-effect log at `at` belongs, given the side effects `logged` so far: the medication to
    record it with, and (for --resolved) the ongoing episode it ends. A resolution without an ongoing
    episode or before its last log, and a --med other than the episode's, are bad input."""
    from meddiary.diary import when_phrase

    eps = episodes(logged, meds, tz)
    if resolved:
        ongoing = ongoing_episode(eps, symptom)
        if ongoing is None:
            open_ = [ep.symptom for ep in eps if ep.ongoing]
            known = f"; ongoing: {', '.join(open_)}" if open_ else "; no side effect is ongoing"
            raise UsageError(f"no ongoing side effect {symptom!r} to resolve{known}")
        if at < ongoing.last_seen:
            last = ongoing.last_seen.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            raise UsageError(f"{ongoing.symptom} was last logged {when_phrase(ongoing.last_seen, now, tz)} (ongoing "
                             f"since {local_day(ongoing.onset, tz)}): it cannot resolve before that; give --at '{last}' "
                             "or later")
        return (medication_id if medication_id is not None else ongoing.medication_id), ongoing
    # The episode this log joins, as `episodes` will fold it (a backdated log may fall into an earlier,
    # resolved episode, or become an episode's new onset), the log's own medication left out.
    draft = Entry(max((x.id for x in logged), default=0) + 1, "side_effect", None, at, tz.key,
                  data={"symptom": symptom, "severity": severity, "resolved": False})
    joined = episode_of(episodes([*logged, draft], meds, tz), draft.id)
    if (medication_id is not None and len(joined.entry_ids) > 1 and joined.medication_id is not None
            and joined.medication_id != medication_id):
        recorded = next((m.name for m in meds if m.id == joined.medication_id), f"medication #{joined.medication_id}")
        raise UsageError(f"the {joined.symptom} episode (since {local_day(joined.onset, tz)}, {status_text(joined, tz)})"
                         f" is recorded with {recorded}: log it without --med, or with --med {recorded}")
    return (medication_id if medication_id is not None else joined.medication_id), None


def episode_of(eps: list[Episode], entry_id: int) -> Episode:
    return next(ep for ep in eps if entry_id in ep.entry_ids)


def status_text(ep: Episode, tz: ZoneInfo) -> str:
    return "ongoing" if ep.ongoing else f"resolved {local_day(ep.resolved_at, tz)}"


# -- questionnaires ------------------------------------------------------------------------------------

@plain
class Check:
    id: int
    at: datetime
    instrument: str  # phq9 | gad7
    answers: list[int]
    total: int
    severity: str
    item9: int | None
    change: int | None  # total minus the first of the same instrument in the list; None for that first

    @property
    def title(self) -> str:
        return scales.INSTRUMENTS[self.instrument].title

    @property
    def flagged(self) -> bool:
        return self.instrument == "phq9" and (self.item9 or 0) > 0


def checks(entries: list[Entry]) -> list[Check]:
    """Questionnaires in time order, each with its change since the first of its instrument among them."""
    first: dict[str, int] = {}
    out = []
    for e in entries:
        if (e.kind != "check" or not e.data or e.data.get("instrument") not in scales.INSTRUMENTS
                or not isinstance(e.data.get("total"), int)
                or not 0 <= e.data["total"] <= scales.INSTRUMENTS[e.data["instrument"]].max_total):
            continue  # not a questionnaire, or a damaged row (`meddiary check` reports those)
        d = e.data
        base = first.get(d["instrument"])
        first.setdefault(d["instrument"], d["total"])
        out.append(Check(e.id, e.at, d["instrument"], list(d.get("answers") or []), d["total"],
                         d.get("severity") or scales.severity(scales.INSTRUMENTS[d["instrument"]], d["total"]),
                         d.get("item9"),
                         None if base is None else d["total"] - base))
    return out


def days_since_last(previous: list[Entry], instrument: str, at: datetime, tz: ZoneInfo) -> int | None:
    """Calendar days from the latest earlier questionnaire of this instrument to `at` (None: the first)."""
    earlier = [e.at for e in previous if e.kind == "check" and e.data and e.data.get("instrument") == instrument
               and e.at <= at]
    if not earlier:
        return None
    return (local_day(at, tz) - local_day(max(earlier), tz)).days


def nearest_same(previous: list[Entry], instrument: str, at: datetime, tz: ZoneInfo) -> int | None:
    """Calendar days to the nearest other questionnaire of this instrument, on either side of `at`: positive
    when it is earlier (days since it), negative when it is later (days until it); the earlier one wins a tie.
    None: there is no other."""
    found = [(local_day(at, tz) - local_day(e.at, tz)).days for e in previous
             if e.kind == "check" and e.data and e.data.get("instrument") == instrument]
    if not found:
        return None
    return min(found, key=lambda d: (abs(d), d < 0))


# -- questions for the prescriber ----------------------------------------------------------------------

@plain
class Question:
    id: int
    uid: str
    at: datetime
    text: str
    done_at: datetime | None = None
    answer: str | None = None

    @property
    def open(self) -> bool:
        return self.done_at is None


def questions(entries: list[Entry]) -> list[Question]:
    """Every question, oldest first, each with its answer (an `answer` entry naming its uid) if any."""
    qs = [Question(e.id, e.uid, e.at, e.data.get("text", "")) for e in entries if e.kind == "question" and e.data]
    by_uid = {q.uid: q for q in qs}
    for e in entries:
        if e.kind == "answer" and e.data and (q := by_uid.get(e.data.get("question"))) and q.done_at is None:
            q.done_at, q.answer = e.at, e.data.get("answer")
    return qs


# -- around each change --------------------------------------------------------------------------------

@plain
class SeenSymptom:
    symptom: str
    medication_id: int | None
    worst: str | None  # in this window
    new: bool  # the episode began in this window


@plain
class Window:
    mood: Summary
    days_so_far: int  # days of the window up to today (the days after a recent change are still coming)
    side_effects: list[SeenSymptom]


@plain
class Around:
    day: date
    medication: str
    kind: str  # start | change | taper | stop
    before_regimen: Regimen | None
    after_regimen: Regimen
    reason: str | None
    before: Window
    after: Window
    others: list[tuple[date, str, str]]  # other changes within the 28 days: (day, medication, kind)


def _window(days: list[MoodDay], side: list[Entry], eps_by_entry: dict[int, Episode], first: date, last: date,
            today: date, tz: ZoneInfo, side_days: list[date] | None = None) -> Window:
    """The record of the days [first, last]. `side_days`: each side-effect entry's local day (side in time
    order), when the caller has worked them out."""
    seen: dict[str, SeenSymptom] = {}
    for i, e in enumerate(side):
        day = side_days[i] if side_days is not None else local_day(e.at, tz)
        if e.data.get("resolved") or not first <= day <= last:
            continue
        ep = eps_by_entry.get(e.id)
        if ep is None:
            continue
        key = symptom_key(ep.symptom)
        s = seen.setdefault(key, SeenSymptom(ep.symptom, ep.medication_id, None,
                                             first <= local_day(ep.onset, tz) <= last))
        s.worst = worse(s.worst, e.data.get("severity"))
    so_far = max(0, min((last - first).days + 1, (today - first).days + 1))
    return Window(summarise(days, first, last), so_far, list(seen.values()))


class _ByDay:
    """Items looked up by a span of local days in O(log n + k), in their own order: each window of "around
    each change" reads only its own 14 days, so a lifetime of changes costs changes x 28 days, not changes x
    every entry (it was quadratic over a long diary)."""

    def __init__(self, items: list, days: list[date]):
        order = sorted(range(len(items)), key=lambda i: days[i])  # stable: the items' order within a day
        self.keys = [days[i] for i in order]
        self.order = order
        self.items, self.days = items, days

    def between(self, first: date, last: date) -> tuple[list, list[date]]:
        """The items whose day is in [first, last] and their days, in the items' own order."""
        from bisect import bisect_left, bisect_right

        picked = sorted(self.order[bisect_left(self.keys, first):bisect_right(self.keys, last)])
        return [self.items[i] for i in picked], [self.days[i] for i in picked]


def around_changes(changes, days: list[MoodDay], entries: list[Entry], eps: list[Episode], today: date,
                   tz: ZoneInfo) -> list[Around]:
    """For each change (objects with day, medication, kind, before, after, reason — report.DoseChange): the
    record of the 14 days before it next to the 14 days from it on. Linear in the number of changes: each
    looks up its own days (mood days, side-effect logs, other changes) by bisection."""
    side = [e for e in entries if e.kind == "side_effect" and e.data]
    eps_by_entry = {i: ep for ep in eps for i in ep.entry_ids}
    logs = _ByDay(side, [local_day(e.at, tz) for e in side])
    mood = _ByDay(days, [d.day for d in days])
    near = _ByDay(list(changes), [o.day for o in changes])
    out = []
    for c in changes:
        b0, b1 = c.day - timedelta(days=AROUND_DAYS), c.day - timedelta(days=1)
        a0, a1 = c.day, c.day + timedelta(days=AROUND_DAYS - 1)
        others = [(o.day, o.medication, o.kind) for o in near.between(b0, a1)[0] if o is not c]
        mine, mine_days = logs.between(b0, a1)
        moods = mood.between(b0, a1)[0]
        out.append(Around(c.day, c.medication, c.kind, c.before, c.after, c.reason,
                          _window(moods, mine, eps_by_entry, b0, b1, today, tz, mine_days),
                          _window(moods, mine, eps_by_entry, a0, a1, today, tz, mine_days), others))
    return out


# -- everything the report shows -----------------------------------------------------------------------

@plain
class Health:
    days: list[MoodDay]  # days of the period with mood entries
    weeks: list[Summary]
    checks: list[Check]  # in the period
    episodes: list[Episode]  # seen in the period (onset, a log or still ongoing)
    around: list[Around]
    open_questions: list[Question]
    medication_names: dict = Field(dict)  # id -> name, of every medication

    @property
    def item9(self) -> list[Check]:
        return [c for c in self.checks if c.flagged]


def build(meds: list[Medication], entries: list[Entry], first: date, last: date, start: datetime, end: datetime,
          changes, today: date, tz: ZoneInfo, medication_id: int | None = None) -> Health:
    """The health parts of the report for the days [first, last] (UTC [start, end)). `entries` hold mood,
    check, visit and side-effect entries from 14 days before the period to 14 days after it; every log of a
    side-effect episode open at either end of those days (an episode may have begun long before, and a log
    after them may resolve it); and every question still open (asked before `end` and not answered, at any
    time: an answered question needs neither itself nor its answer here). `medication_id`: a report on one
    medication shows only its side effects."""
    in_period = [e for e in entries if start <= e.at < end]
    all_days = mood_days(entries, tz)
    eps = episodes(entries, meds, tz)
    shown = [ep for ep in eps if (medication_id is None or ep.medication_id == medication_id)
             and ep.onset < end and (ep.resolved_at is None or ep.resolved_at >= start)]
    side = entries if medication_id is None else [e for e in entries if e.kind != "side_effect"
                                                  or e.medication_id == medication_id]
    period_days = [d for d in all_days if first <= d.day <= last]
    return Health(
        days=period_days,
        weeks=weeks(all_days, first, last),
        checks=checks(in_period),
        episodes=shown,
        around=around_changes(changes, all_days, side, eps, today, tz),
        open_questions=[q for q in questions(entries) if q.open and q.at < end],
        medication_names={m.id: m.name for m in meds},
    )
