"""Slots + entries -> per-slot states and the adherence metrics (pure: data and `now` in, data out).

The rules (shared/DESIGN.md, "How a dose is counted"):
- a slot's matching window reaches half way to the neighbouring slots of the same medication, at most
  12 hours each side;
- matching is nearest-first, each entry to at most one slot and each slot to at most one entry. Takes are
  matched before skips, so a dose taken after a skip was recorded fills the slot (the skip stays on
  record, unmatched): what was taken is what counts;
- a matched take is on time within +/- the on-time window (default 2 h), otherwise late;
- an unmatched slot is missed once its matching window has ended, pending (counted nowhere) before;
- a take matching no slot is extra.
"""

from bisect import bisect_left
from collections import Counter
from datetime import date, datetime, timedelta

from meddiary.model import Entry, Record, Slot

MAX_REACH = timedelta(hours=12)
DEFAULT_ON_TIME = timedelta(hours=2)
HOLIDAY_DAYS = 3

TAKEN_STATES = ("on_time", "late")


class SlotResult(Record):
    """A slot, its matching window [opens, closes], its state and the entry matched to it. The window says
    when the slot is due and when it is missed; `reach` is where an entry may fill it (the window widened to
    the rest of the slot's local day: a late dose of the day still fills it after it was counted missed)."""

    __slots__ = ("slot", "opens", "closes", "state", "entry", "reach")

    def __init__(self, slot: Slot, opens: datetime, closes: datetime, state: str = "pending",
                 entry: Entry | None = None, reach: tuple[datetime, datetime] | None = None):
        self.slot, self.opens, self.closes = slot, opens, closes
        self.state = state  # on_time | late | skipped | missed | pending
        self.entry = entry
        self.reach = reach or (opens, closes)

    @property
    def taken(self) -> bool:
        return self.state in TAKEN_STATES

    def reaches(self, at: datetime) -> bool:
        return self.reach[0] <= at <= self.reach[1]


class Matching(Record):
    __slots__ = ("slots", "extras", "unmatched_skips")

    def __init__(self, slots: list[SlotResult], extras: list[Entry], unmatched_skips: list[Entry]):
        self.slots = slots
        self.extras = extras  # takes that matched no slot
        self.unmatched_skips = unmatched_skips

    def on(self, days, local_day) -> tuple[list[SlotResult], list[Entry]]:
        """The slots of these days and the extra takes on them (`local_day`: a UTC instant's local day)."""
        return [r for r in self.slots if r.slot.day in days], [e for e in self.extras if local_day(e.at) in days]


INJECTION_ON_TIME = timedelta(days=1)  # an injection within a day of its due time is on time


def windows(slots: list[Slot]) -> list[tuple[datetime, datetime]]:
    """Each slot's matching window; `slots` in time order, of one medication. Half way to the neighbouring
    slots, at most 12 hours each side (an injection: its tolerance in days)."""
    out = []
    for i, s in enumerate(slots):
        reach = s.window or MAX_REACH
        before = min(reach, (s.at - slots[i - 1].at) / 2) if i else reach
        after = min(reach, (slots[i + 1].at - s.at) / 2) if i + 1 < len(slots) else reach
        out.append((s.at - before, s.at + after))
    return out


def reach(s: Slot, window: tuple[datetime, datetime], on_time: timedelta) -> tuple[datetime, datetime]:
    """Where a take or skip may fill a slot: its window, widened to the rest of the slot's own local day (a
    late dose of today fills today's slot), and narrowed on the days before to its on-time window (a take
    never fills a slot of a later day that is still hours away)."""
    lo, hi = window
    if s.window is not None or s.day_start is None:
        return lo, hi
    return max(lo, min(s.day_start, s.at - on_time)), max(hi, s.day_end)


def is_different_dose(amount: float | None, unit: str | None, s: Slot | None) -> bool:
    """A take of (amount, unit) fills slot `s` with a dose other than the prescribed one: it counts as taken
    and is shown as a different dose. The one rule that `take`, `today`, `log` and the report follow
    (no slot: an extra or as-needed dose, which has no prescribed dose to differ from)."""
    if s is None or amount is None:
        return False
    from meddiary.doses import convert

    same = convert(amount, unit, s.dose_unit)  # 0.05 g is the prescribed 50 mg
    return same is None or s.dose_amount is None or abs(same - s.dose_amount) > 1e-9


def is_for(e: Entry, s: Slot) -> bool:
    """The entry names this slot (`take NAME --for 08:00`)."""
    named = e.data.get("for") if e.data else None
    return named is not None and named == f"{s.day.isoformat()}T{s.clock.strftime('%H:%M')}"


def match(slots: list[Slot], entries: list[Entry], now: datetime,
          on_time: timedelta = DEFAULT_ON_TIME) -> Matching:
    """Match one medication's takes and skips to its slots (both lists may be in any order).

    An entry that names its slot fills it first. Then nearest first inside each slot's reach; afterwards
    crossed pairs are uncrossed (the earlier take fills the earlier slot, when both stay inside their
    reach), so two doses taken in order are the day's two doses, the first late. As-needed takes of a
    medication with an as-needed part never fill a scheduled slot (and are not extra)."""
    slots = sorted(slots, key=lambda s: (s.at, s.clock))
    results = [SlotResult(s, *w, reach=reach(s, w, on_time)) for s, w in zip(slots, windows(slots))]
    instants = [s.at for s in slots]
    by_key = {(s.day, s.clock): j for j, s in enumerate(slots)}
    extras: list[Entry] = []
    unmatched_skips: list[Entry] = []
    for kind, leftovers in (("take", extras), ("skip", unmatched_skips)):
        mine = [(k, e) for k, e in enumerate(entries) if e.kind == kind and not e.as_needed]
        used: set[int] = set()
        for k, e in mine:  # named slots first
            named = e.data.get("for") if e.data else None
            if named is None:
                continue
            j = by_key.get((date.fromisoformat(named[:10]), _clock(named[11:])))
            if j is not None and results[j].entry is None:
                results[j].entry = e
                used.add(k)
        # Each entry's candidate slots. Slots that share a candidate entry (directly or through others) form
        # a group; a group's pairs never touch another group's slots or entries, so nearest-first within each
        # group is nearest-first over all of them — and sorting many small groups keeps a lifetime linear.
        candidates = []
        joined = bytearray(len(results))  # joined[j]: slot j is in the group of slot j + 1
        for k, e in mine:
            if k in used:
                continue
            i = bisect_left(instants, e.at)
            lo_j, hi_j = i - 1, i
            while lo_j >= 0 and results[lo_j].reach[1] >= e.at:
                lo_j -= 1
            while hi_j < len(results) and results[hi_j].reach[0] <= e.at:
                hi_j += 1
            js = [j for j in range(max(0, lo_j - 1), min(len(results), hi_j + 1)) if results[j].reaches(e.at)]
            if js:
                candidates.append((k, e, js))
                for j in range(js[0], js[-1]):
                    joined[j] = 1
        group, g = [0] * len(results), 0
        for j, on in enumerate(joined):
            group[j] = g
            if not on:
                g += 1
        groups: list[list] = [[] for _ in range(g)]
        for k, e, js in candidates:
            pairs = groups[group[js[0]]]
            for j in js:
                at = results[j].slot.at
                # Nearest first; ties broken by data, never by recording order (the id comes last,
                # and k, unique, keeps the sort from ever comparing further).
                pairs.append((abs(e.at - at), at, j, e.at, e.reason or "", e.dose_amount or 0, e.id, k))
        for pairs in groups:
            pairs.sort()
            for p in pairs:
                r, k = results[p[2]], p[7]
                if r.entry is not None or k in used:
                    continue
                r.entry = entries[k]
                used.add(k)
        _uncross([r for r in results if r.entry is not None and r.entry.kind == kind and not is_for(r.entry, r.slot)])
        for r in results:
            if r.entry is not None and r.entry.kind == kind:
                if kind == "skip":
                    r.state = "skipped"
                else:
                    r.state = "on_time" if abs(r.entry.at - r.slot.at) <= (
                        INJECTION_ON_TIME if r.slot.window is not None else on_time) else "late"
        leftovers.extend(e for k, e in mine if k not in used)
    for r in results:
        if r.entry is None:
            r.state = "missed" if r.closes <= now else "pending"
    extras.sort(key=lambda e: (e.at, e.id))
    return Matching(results, extras, unmatched_skips)


def _clock(text: str):
    from datetime import time

    return time.fromisoformat(text)


def _uncross(filled: list[SlotResult]) -> None:
    """Swap the entries of neighbouring filled slots (in slot order) whose entries are in the opposite
    order, when each stays inside the other's reach; repeated until none cross."""
    changed = True
    while changed:
        changed = False
        for a, b in zip(filled, filled[1:]):
            x, y = a.entry, b.entry
            if x.at > y.at and a.reaches(y.at) and b.reaches(x.at):
                a.entry, b.entry = y, x
                changed = True


class DayState(Record):
    __slots__ = ("day", "state", "scheduled", "taken", "uses")

    def __init__(self, day: date, state: str, scheduled: int = 0, taken: int = 0, uses: int = 0):
        self.day = day
        self.state = state  # taken | late | partial | skipped | missed | pending | none | used
        self.scheduled, self.taken, self.uses = scheduled, taken, uses


class Counts(Record):
    """The counts and fractions shared by one medication's stats and the overall ones."""

    __slots__ = ("scheduled", "taken", "on_time", "late", "skipped", "missed", "extra", "adherence",
                 "timing_adherence", "correct_dosing_days", "drug_holidays", "longest_streak", "current_streak",
                 "skip_reasons")

    def __init__(self):
        self.scheduled = self.taken = self.on_time = self.late = self.skipped = self.missed = self.extra = 0
        self.adherence: float | None = None
        self.timing_adherence: float | None = None
        self.correct_dosing_days: float | None = None
        self.drug_holidays = self.longest_streak = self.current_streak = 0
        self.skip_reasons: dict[str, int] = {}


class MedStats(Counts):
    __slots__ = ("medication_id", "as_needed", "pending", "holiday_spans", "uses", "uses_per_week", "over_limit",
                 "too_soon", "days", "results", "slots", "extras")

    def __init__(self, medication_id: int, as_needed: bool):
        super().__init__()
        self.medication_id, self.as_needed = medication_id, as_needed
        self.pending = 0
        self.holiday_spans: list[tuple[date, date]] = []
        self.uses = 0
        self.uses_per_week: float | None = None
        self.over_limit: list[Entry] = []
        self.too_soon: list[Entry] = []
        self.days: list[DayState] = []
        self.results: list[DayResult] = []  # the period's days, counted (what the report reads)
        self.slots: list[SlotResult] = []
        self.extras: list[Entry] = []


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def day_state(results: list[SlotResult]) -> str:
    if not results:
        return "none"
    if any(r.state == "pending" for r in results):
        return "pending"
    taken = sum(r.taken for r in results)
    if taken == len(results):
        return "taken" if all(r.state == "on_time" for r in results) else "late"
    if taken:
        return "partial"
    return "skipped" if all(r.state == "skipped" for r in results) else "missed"


def correctly_dosed(results: list[SlotResult], extras: int) -> bool:
    """A day is correctly dosed when each of its prescribed doses was taken and no extra dose was: judged
    by the doses at their times, not by their count (a missed evening dose and a double morning dose are
    two doses on a two-dose day, and not a correct one)."""
    return extras == 0 and all(r.taken for r in results)


def streaks(full_days: list[bool]) -> tuple[int, int]:
    """(longest, current) runs of True; `full_days` in day order, only days with scheduled doses."""
    longest = run = 0
    for full in full_days:  # years of days: no call per day
        if full:
            run += 1
            if run > longest:
                longest = run
        else:
            run = 0
    return longest, run


def holidays(days: list[date], taken_days: set[date], min_days: int = HOLIDAY_DAYS,
             dosing_days: set[date] | None = None) -> list[tuple[date, date]]:
    """Runs of at least `min_days` consecutive prescribed days with no dose taken.

    With `dosing_days`, only the days on which a dose was due count, and they are consecutive when no
    dosing day lies between them: a missed weekly dose is one day, not a 13-day holiday; a long-acting
    injection's interval is not a holiday; three missed weekly doses in a row are.
    """
    if dosing_days is not None:
        days = [d for d in days if d in dosing_days]
    spans: list[tuple[date, date]] = []
    run: list[date] = []

    def close():
        if len(run) >= min_days:
            spans.append((run[0], run[-1]))
        run.clear()

    one_day = timedelta(days=1)
    for d in days:
        if d in taken_days:
            if run:  # most days a dose was taken: no call for them
                close()
            continue
        if run and dosing_days is None and d - run[-1] != one_day:
            close()
        run.append(d)
    close()
    return spans


def as_needed_flags(takes: list[Entry], max_per_day: int | None, min_interval: timedelta | None,
                    max_amount: float | None = None, limits_at=None) -> tuple[set[int], set[int]]:
    """Ids of takes over a 24-hour maximum (rolling: more than `max_per_day` doses, or more than
    `max_amount` in all, in the 24 hours up to and including the take) and of takes sooner than the
    minimum interval after the one before.

    `limits_at(at) -> (max_per_day, min_interval, max_amount)`, when given, gives the limits in force at
    each take (a take is judged by the prescription of its day); otherwise the constants apply throughout."""
    takes = sorted(takes, key=lambda e: (e.at, e.id))
    over, soon = set(), set()
    lo = 0
    total = 0.0
    day = timedelta(hours=24)
    for i, e in enumerate(takes):
        if limits_at is not None:
            max_per_day, min_interval, max_amount = limits_at(e.at)
        total += e.dose_amount or 0
        day_before = e.at - day
        while takes[lo].at <= day_before:
            total -= takes[lo].dose_amount or 0
            lo += 1
        if max_per_day and i - lo + 1 > max_per_day:
            over.add(e.id)
        elif max_amount and total > max_amount + 1e-9:
            over.add(e.id)
        if min_interval and i and e.at - takes[i - 1].at < min_interval:
            soon.add(e.id)
    return over, soon


class DayResult(Record):
    """One medication's doses on one local day of a period, counted: all a report reads of them. Built from the
    matching (day_results) or read back from the diary for a closed day (meddiary.dayresults), so a report over
    years reads days, not doses.

    `slots` .. `pending`: the day's slots by state; `extras`: takes of the day that filled no slot; `took`: a
    scheduled dose was taken that day; `recorded`: takes and skips recorded that day; `reasons`: the skipped
    slots' reasons, counted in slot order; `different`: the day's doses taken other than prescribed, in slot order,
    as (at, (amount, unit) taken, (amount, unit) prescribed); as needed: `uses`, the takes `over` the 24-hour limit
    and `soon` after the one before (entries), and `most`: the most taken in 24 hours ending at a take of the day
    ((amount or None, uses); None: no take)."""

    __slots__ = ("day", "slots", "taken", "on_time", "skipped", "missed", "pending", "extras", "took", "recorded",
                 "reasons", "different", "uses", "over", "soon", "most")

    def __init__(self, day: date, slots: int = 0, taken: int = 0, on_time: int = 0, skipped: int = 0, missed: int = 0,
                 pending: int = 0, extras: int = 0, took: bool = False, recorded: int = 0, reasons: dict | None = None,
                 different: list | None = None, uses: int = 0, over: list | None = None, soon: list | None = None,
                 most: tuple | None = None):
        self.day, self.slots, self.taken, self.on_time, self.skipped = day, slots, taken, on_time, skipped
        self.missed, self.pending, self.extras, self.took, self.recorded = missed, pending, extras, took, recorded
        self.reasons, self.different = reasons or {}, different or []
        self.uses, self.over, self.soon, self.most = uses, over or [], soon or [], most

    @property
    def full(self) -> bool:
        """Every dose of the day taken (and the day complete)."""
        return not self.pending and self.taken == self.slots


def day_results(as_needed: bool, slots: list[Slot], entries: list[Entry], days: list[date], now: datetime,
                local_day, since: datetime, on_time: timedelta = DEFAULT_ON_TIME, max_per_day: int | None = None,
                min_interval: timedelta | None = None, limits_at=None,
                dose_of=None) -> tuple[list[DayResult], "Matching | None"]:
    """One medication's DayResult for each of `days` (in order), and the matching they come from (None for an
    as-needed medication).

    `slots` and `entries` must reach beyond those days as report.build loads them (so windows at their edges
    are right); only slots and entries of the days asked for are counted (a slot in its own day, an entry in its
    local day: `local_day` maps a UTC instant to it; on a day of travel two days' hours may overlap). As needed:
    the limits are `max_per_day` and `min_interval`, or `limits_at(at)` where they changed (see
    as_needed_flags); `dose_of(entry)` is a take's amount for the most taken in 24 hours, which counts the takes
    from `since` (the period's start) on."""
    out = {d: DayResult(d) for d in days}
    of = lambda at: out.get(local_day(at))  # noqa: E731 - the DayResult of an instant's day (None: not asked for)
    for e in entries:
        if e.kind in ("take", "skip") and (r := of(e.at)) is not None:
            r.recorded += 1
    prn = [e for e in entries if e.kind == "take" and (as_needed or e.as_needed)]
    if prn or as_needed:
        # the as-needed part (all of an as-needed medication; beside a schedule, the takes recorded as needed)
        over, soon = as_needed_flags(prn, max_per_day, min_interval, None, limits_at)
        for day, most in most_in_24h_by_day([e for e in prn if since <= e.at], dose_of, local_day).items():
            if day in out:
                out[day].most = most
        for e in prn:
            if (r := of(e.at)) is not None:
                r.uses += 1
                if e.id in over:
                    r.over.append(e)
                if e.id in soon:
                    r.soon.append(e)
    if as_needed:
        return list(out.values()), None
    for e in entries:
        if e.kind == "take" and not e.as_needed and (r := of(e.at)) is not None:
            r.took = True
    m = match(slots, entries, now, on_time)
    for r in m.slots:
        d = out.get(r.slot.day)
        if d is None:
            continue
        d.slots += 1
        state = r.state
        if state == "on_time":
            d.taken += 1
            d.on_time += 1
        elif state == "late":
            d.taken += 1
        elif state == "skipped":
            d.skipped += 1
            d.reasons[r.entry.reason] = d.reasons.get(r.entry.reason, 0) + 1
        elif state == "missed":
            d.missed += 1
        else:
            d.pending += 1
        e = r.entry
        if e is not None and e.kind == "take" and is_different_dose(e.dose_amount, e.dose_unit, r.slot):
            d.different.append((e.at, (e.dose_amount, e.dose_unit), (r.slot.dose_amount, r.slot.dose_unit)))
    for e in m.extras:
        if (r := of(e.at)) is not None:
            r.extras += 1
    return list(out.values()), m


def most_in_24h_by_day(takes: list[Entry], dose_of, local_day) -> dict[date, tuple[float | None, int]]:
    """The most taken in any 24 hours, per local day of the take that ends the window: (the largest sum of
    amounts, None when no amount is known; the most uses). Each window ends at a take and reaches 24 h back
    (rolling, as the as-needed limit counts) over `takes` only; one pass."""
    ts = sorted(takes, key=lambda e: e.at)
    amounts = [dose_of(e) for e in ts] if dose_of else [e.dose_amount for e in ts]
    out: dict[date, tuple[float | None, int]] = {}
    j, total, known = 0, 0.0, 0
    window = timedelta(hours=24)
    for i, e in enumerate(ts):
        if amounts[i] is not None:
            total, known = total + amounts[i], known + 1
        day_before = e.at - window
        while ts[j].at <= day_before:
            if amounts[j] is not None:
                total, known = total - amounts[j], known - 1
            j += 1
        day = local_day(e.at)
        best_amount, best_uses = out.get(day, (None, 0))
        if known:
            best_amount = max(best_amount or 0.0, round(total, 3))
        out[day] = (best_amount, max(best_uses, i - j + 1))
    return out


def med_stats(medication_id: int, as_needed: bool, slots: list[Slot], entries: list[Entry],
              start: datetime, now: datetime, local_day, period_days: list[date],
              prescribed_days: list[date], on_time: timedelta = DEFAULT_ON_TIME,
              max_per_day: int | None = None, min_interval: timedelta | None = None,
              limits_at=None) -> MedStats:
    """One medication over the period of `period_days`, which begins at `start`: day_results, counted by
    stats_from_days. `st.slots` and `st.extras` keep the matching's per-slot results and extra takes inside the
    period (a report reads days only). `prescribed_days` are the period's days on which the medication was in force (for drug holidays)."""
    days, m = day_results(as_needed, slots, entries, period_days, now, local_day, start, on_time, max_per_day,
                          min_interval, limits_at)
    st = stats_from_days(medication_id, as_needed, days, prescribed_days, local_day(now))
    if m is not None:
        st.slots, st.extras = m.on(set(period_days), local_day)
    return st


def stats_from_days(medication_id: int, as_needed: bool, days: list[DayResult], prescribed_days: list[date],
                    today: date) -> MedStats:
    """One medication's counts and metrics over a period from its DayResult per day (`days`: each day of the
    period, in order); `prescribed_days` are those the medication was in force on (for drug holidays)."""
    st = MedStats(medication_id, as_needed)
    st.results = days
    st.uses = sum(d.uses for d in days)
    if as_needed or st.uses:
        st.over_limit = [e for d in days for e in d.over]
        st.too_soon = [e for d in days for e in d.soon]
        st.uses_per_week = round(st.uses / len(days) * 7, 2) if days else None
    if as_needed:
        st.days = [DayState(d.day, "used" if d.uses else "none", uses=d.uses) for d in days]
        return st
    reasons: Counter = Counter()
    on_time = taken = skipped = missed = pending = extra = correct = wrong = 0
    full_days: list[bool] = []  # per complete day: every dose taken (for the streaks)
    states: list[DayState] = []
    filled_days: set[date] = set()  # a dose taken late on another day still means its day's dose was taken
    dosing_days: set[date] = set()
    # One pass, in local variables: ten years are 3,650 days a medication, and the report reads every one.
    for d in days:
        day, slots, d_taken, d_on_time, d_skipped, d_pending, d_extras = \
            d.day, d.slots, d.taken, d.on_time, d.skipped, d.pending, d.extras
        on_time += d_on_time
        taken += d_taken
        skipped += d_skipped
        missed += d.missed
        pending += d_pending
        extra += d_extras
        if d.reasons:
            reasons.update(d.reasons)
        if d_taken or d.took:
            filled_days.add(day)
        if not slots:
            state = "none"
            if d_extras:
                wrong += 1  # a day with nothing prescribed and an extra dose taken is a day dosed wrongly
        else:
            dosing_days.add(day)
            if d_pending:
                state = "pending"
            else:
                full = d_taken == slots
                full_days.append(full)
                correct += full and not d_extras  # correctly dosed: every dose of the day taken, and no extra dose
                if full:
                    state = "taken" if d_on_time == slots else "late"
                elif d_taken:
                    state = "partial"
                else:
                    state = "skipped" if d_skipped == slots else "missed"
        states.append(DayState(day, state, slots, d_taken))
    st.on_time, st.taken, st.skipped, st.missed, st.pending, st.extra = on_time, taken, skipped, missed, pending, extra
    st.late = taken - on_time
    st.scheduled = taken + skipped + missed
    st.adherence = ratio(taken, st.scheduled)
    st.timing_adherence = ratio(on_time, st.scheduled)
    st.skip_reasons = dict(reasons.most_common())
    st.correct_dosing_days = ratio(correct, len(full_days) + wrong)
    st.longest_streak, st.current_streak = streaks(full_days)
    finished = [d for d in prescribed_days if d < today]
    st.holiday_spans = holidays(finished, filled_days, dosing_days=dosing_days)
    st.drug_holidays = len(st.holiday_spans)
    st.days = states
    return st


class Overall(Counts):
    __slots__ = ("as_needed_uses", "over_limit")

    def __init__(self):
        super().__init__()
        self.as_needed_uses = self.over_limit = 0


def overall(stats: list[MedStats]) -> Overall:
    """All medications together. A day is correctly dosed, or fully taken, when it is for every
    scheduled medication that had doses that day."""
    o = Overall()
    reasons: Counter = Counter()
    # The days some scheduled medication had doses on, and those on which one's were still pending, not all
    # taken, or not correctly dosed (not all taken, or an extra dose): sets, not a list per day (ten years of
    # days for each medication).
    dosed: set[date] = set()
    pending: set[date] = set()
    not_full: set[date] = set()
    not_correct: set[date] = set()
    extra_days: set[date] = set()
    for st in stats:
        if st.as_needed:
            o.as_needed_uses += st.uses
            o.over_limit += len(st.over_limit)
            continue
        for name in ("scheduled", "taken", "on_time", "late", "skipped", "missed", "extra", "drug_holidays"):
            setattr(o, name, getattr(o, name) + getattr(st, name))
        reasons.update(st.skip_reasons)
        for d in st.results:
            if d.slots:
                day = d.day
                dosed.add(day)
                if d.pending:
                    pending.add(day)
                if d.pending or d.taken != d.slots:  # not DayResult.full
                    not_full.add(day)
                    not_correct.add(day)
                elif d.extras:
                    not_correct.add(day)
            elif d.extras:
                extra_days.add(d.day)
    o.adherence = ratio(o.taken, o.scheduled)
    o.timing_adherence = ratio(o.on_time, o.scheduled)
    o.skip_reasons = dict(reasons.most_common())
    complete = sorted(dosed - pending)
    correct = sum(d not in not_correct and d not in extra_days for d in complete)
    o.correct_dosing_days = ratio(correct, len(complete) + len(extra_days - dosed))
    o.longest_streak, o.current_streak = streaks([d not in not_full for d in complete])
    return o
