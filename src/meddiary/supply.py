"""Supply: what is on hand, how long it lasts, and PDC (proportion of days covered). Pure: data and `today`
in, data out; the CLI loads the rows (store.entries_of for refills and counts, store.take_totals for the
takes) and renders.

Units are what the pharmacy dispenses (tablets, capsules, ml…), as recorded with `refill --qty` and
`supply --count`. A dose uses `units_per_dose(regimen)` of them: `--units-per-dose`, else dose ÷ `--strength`,
else the dose itself when it is stated in such units (`--dose 2tablet`).

- On hand = the last count + the refills recorded after it − the units in the takes since it (no count:
  every refill − the takes since the first refill).
- Days left = on hand ÷ daily use: the current regimen's doses a day × units per dose; as needed, the
  average of the last 30 days (of the days since the start, today included, when it began less than 30
  days ago). Run-out date = today + the whole days left.
- PDC follows the Pharmacy Quality Alliance method (shared/DESIGN.md; test vectors in shared/vectors/pdc.json).
"""

from bisect import bisect_right
from datetime import date, datetime, timedelta

from meddiary.model import Entry, Medication, Record, Regimen

DISPENSED_UNITS = ("tablet", "capsule", "ml", "drop", "puff", "patch", "unit")
AS_NEEDED_DAYS = 30  # as needed: days left from the average use over this many days
ADHERENT = 0.80
MAX_FILL_DAYS = 36_600  # a refill's days of supply are cut at 100 years
LAST_DAY = date.max.toordinal()
MIN_FILLS = 2  # PQA: a PDC needs fills on at least two days inside the period
ONE_FILL = "refills on one day only in the period (PDC needs fills on two days at least)"


# -- units ----------------------------------------------------------------------------------------------

def units_per_dose(r: Regimen | None) -> float | None:
    """Units one dose of a regimen uses; None when it cannot be known (no --units-per-dose or --strength)."""
    if r is None or r.is_stop:
        return None
    units = r.units
    if units is None and r.dose_unit in DISPENSED_UNITS and r.dose_amount:
        units = r.dose_amount
    return units


def units_of_take(r: Regimen | None, amount: float | None, unit: str | None) -> float | None:
    """Units one take used: the regimen's units per dose; for a take of another dose, dose ÷ strength when
    the strength is known, else the regimen's units scaled by the doses' ratio (same tablets, more of them)."""
    from meddiary.doses import convert

    base = units_per_dose(r)
    if r is None or amount is None:
        return base
    if unit != r.dose_unit and convert(amount, unit, r.dose_unit) is not None:  # 0.1 g of a dose in mg
        amount, unit = convert(amount, unit, r.dose_unit), r.dose_unit
    if amount == r.dose_amount and unit == r.dose_unit:
        return base
    if r.strength_amount and convert(amount, unit, r.strength_unit) is not None:
        return convert(amount, unit, r.strength_unit) / r.strength_amount
    if unit in DISPENSED_UNITS and r.units_per_dose is None and (unit == r.dose_unit or r.dose_unit in DISPENSED_UNITS):
        return amount
    if base is not None and r.dose_amount and unit == r.dose_unit:
        return base * amount / r.dose_amount
    return None  # a dose in a unit that does not convert (5 ml of tablets in mg): what it used is unknown


def doses_per_day(r: Regimen) -> float:
    """Scheduled doses a day on average (weekly: over the week; every N days: over N days; a cycle: over
    its on and off days; monthly: over the months)."""
    from meddiary.schedule import dosing_share

    return len(r.times) * dosing_share(r)


def units_of_amount(r: Regimen, amount: float | None) -> float | None:
    """Units a dose of `amount` uses (the regimen's units per dose scaled, or amount ÷ strength, or the
    amount itself when the dose is stated in dispensed units)."""
    u = r.units_for(amount)
    if u is None and r.dose_unit in DISPENSED_UNITS and amount:
        u = amount
    return u


def daily_units(r: Regimen | None) -> float | None:
    """Units a scheduled regimen uses a day on average: each time's dose in units, added up, times the share
    of days that are dosing days (None: as needed, stopped or units unknown)."""
    from meddiary.schedule import dosing_share

    if r is None or r.is_stop or not r.times:
        return None
    per_time = [units_of_amount(r, a) for a in r.amounts]
    if None in per_time:
        return None
    return sum(per_time) * dosing_share(r)


def injection_run_out(r: Regimen, on_hand: float, last_given: date | None, today: date) -> date | None:
    """A long-acting injection's run-out date: the next due date after the last dose on hand (the due dates
    after the last injection given: the first k use the k doses on hand, the next finds none)."""
    from meddiary.schedule import dosing_days

    per_dose = units_of_amount(r, r.dose_amount)
    if not per_dose:
        return None
    doses = int(max(0.0, on_hand) / per_dose + 1e-9)
    after = max(last_given + timedelta(days=1), today) if last_given else today
    upto = after + timedelta(days=(r.every_days or 31 * (r.every_months or 1)) * (doses + 2) + 62)
    due = dosing_days(r, after, upto)
    return due[doses] if len(due) > doses else None


def take_units(med: Medication, takes: list[tuple]) -> float | None:
    """Units in grouped takes [(dose_amount, dose_unit, day 'YYYY-MM-DD' or date, count)] (store.take_totals),
    each by the regimen in force on its day. None when a take's units cannot be known.

    take_totals groups by UTC day: a take within the UTC offset of local midnight on the day tablets of
    another strength start is counted with the neighbouring day's regimen (its recorded dose still counts)."""
    total = 0.0
    for amount, unit, day, n in takes:
        d = day if isinstance(day, date) else date.fromisoformat(day)
        u = units_of_take(med.dosing_on(d), amount, unit)
        if u is None:
            return None
        total += u * n
    return total


# -- on hand and days left ----------------------------------------------------------------------------

class Supply(Record):
    """One medication's supply as recorded.

    on_hand: units (None: a take's units cannot be known — give --units-per-dose or --strength);
    since: the count or first refill it is counted from; daily_use: units a day (current regimen, or as
    needed the last 30 days' average; None: not known, stopped, or no use); days_left: on_hand ÷ daily_use
    (None when either is None; 0 when nothing is on hand); run_out: today + whole days left;
    last_refill: the latest refill's local day; repeats_left: what that refill recorded (None: not recorded);
    last_count: the latest count's local day."""

    __slots__ = ("medication_id", "name", "on_hand", "since", "daily_use", "days_left", "run_out", "last_refill",
                 "repeats_left", "last_count", "refilled")

    def __init__(self, medication_id: int, name: str, on_hand: float | None, since: datetime,
                 daily_use: float | None, days_left: float | None, run_out: date | None,
                 last_refill: date | None, repeats_left: int | None, last_count: date | None, refilled: float = 0):
        self.medication_id, self.name, self.on_hand, self.since = medication_id, name, on_hand, since
        self.daily_use, self.days_left, self.run_out = daily_use, days_left, run_out
        self.last_refill, self.repeats_left, self.last_count = last_refill, repeats_left, last_count
        self.refilled = refilled  # units refilled since `since` (included in on_hand)


def anchor(counts: list[Entry], refills: list[Entry]) -> tuple[datetime | None, Entry | None]:
    """The instant on hand is counted from (the latest count, else the first refill) and that count."""
    last_count = max(counts, key=lambda e: (e.at, e.id)) if counts else None
    if last_count is not None:
        return last_count.at, last_count
    if refills:
        return min(e.at for e in refills), None
    return None, None


def status(med: Medication, counts: list[Entry], refills: list[Entry], takes_since: list[tuple], today: date,
           tz, takes_recent: list[tuple] | None = None) -> Supply | None:
    """A medication's supply, or None when no refill or count is recorded.

    `counts`, `refills`: its count and refill entries (any order); `takes_since`: store.take_totals from
    `anchor(counts, refills)[0]`; as needed, `takes_recent`: store.take_totals over the last 30 days (a
    long-acting injection: over the last 400 days, for the last one given)."""
    since, count = anchor(counts, refills)
    if since is None:
        return None
    base = float(count.data["count"]) if count is not None else 0.0
    added = [e for e in refills if (e.at > since if count is not None else True)]
    refilled = float(sum(e.data["qty"] for e in added))
    used = take_units(med, takes_since)
    on_hand = None if used is None else base + refilled - used
    current = med.regimen_on(today)
    daily = None
    if current is not None and not current.is_stop:
        if med.as_needed:
            recent = take_units(med, takes_recent or [])
            daily = recent / as_needed_days(med, takes_recent or [], today) if recent else None
        else:
            daily = daily_units(current)
    days_left = run_out = None
    if on_hand is not None and daily and current.schedule == "injection":
        given = [t[2] if isinstance(t[2], date) else date.fromisoformat(t[2]) for t in (takes_recent or takes_since)]
        last_given = max((d for d in given if d <= today), default=None)
        # an injection given early filled a due date up to a window after the day it was given
        if last_given is not None:
            last_given += timedelta(days=current.window_days or 0)
        run_out = injection_run_out(current, on_hand, last_given, today)
        days_left = float((run_out - today).days) if run_out else None
    elif on_hand is not None and daily:
        days_left = max(0.0, on_hand) / daily
        run_out = today + timedelta(days=int(days_left))
    latest = max(refills, key=lambda e: (e.at, e.id)) if refills else None
    return Supply(med.id, med.name, on_hand, since, daily, days_left, run_out,
                  latest.at.astimezone(tz).date() if latest else None,
                  latest.data.get("repeats_left") if latest else None,
                  count.at.astimezone(tz).date() if count else None, refilled)


def as_needed_days(med: Medication, takes_recent: list[tuple], today: date) -> int:
    """The days an as-needed medication's average use is taken over: the last 30, or fewer since its start
    (or its first take, if earlier), today included."""
    days = [med.start_date] if med.start_date else []
    days += [t[2] if isinstance(t[2], date) else date.fromisoformat(t[2]) for t in takes_recent]
    first = min(days, default=today)
    return max(1, min(AS_NEEDED_DAYS, (today - first).days + 1))


def supply_json(s: Supply, tz) -> dict:
    """One medication's supply as JSON (the `supply --json` items; documented in README.md, "Refills and supply")."""
    return {
        "medication": s.name,
        "on_hand": _num(s.on_hand),
        "counted_from": s.since.astimezone(tz).isoformat(timespec="seconds"),
        "last_count": s.last_count.isoformat() if s.last_count else None,
        "last_refill": s.last_refill.isoformat() if s.last_refill else None,
        "repeats_left": s.repeats_left,
        "daily_use": _num(s.daily_use, 3),
        "days_left": _num(s.days_left, 1),
        "run_out": s.run_out.isoformat() if s.run_out else None,
    }


def _num(x: float | None, digits: int = 2) -> float | int | None:
    if x is None:
        return None
    x = round(x, digits)
    return int(x) if x == int(x) else x


def amount_text(x: float | None) -> str:
    if x is None:
        return "?"
    from meddiary.doses import format_amount

    return format_amount(round(x, 2))


# -- PDC --------------------------------------------------------------------------------------------------

class Pdc(Record):
    """Proportion of days covered over a treatment period [first, last] (the index date to the period end)."""

    __slots__ = ("first", "last", "covered", "days", "pdc", "adherent")

    def __init__(self, first: date, last: date, covered: int, days: int):
        self.first, self.last, self.covered, self.days = first, last, covered, days
        self.pdc = covered / days if days else None
        self.adherent = self.pdc is not None and self.pdc >= ADHERENT


def pdc(fills: list[tuple[date, int]], first: date, last: date) -> Pdc | None:
    """PDC, Pharmacy Quality Alliance method. `fills`: (fill day, days of supply), any order, earlier ones
    included (they cover days inside the period too). A fill made while earlier supply remains starts the day
    after it runs out; the treatment period runs from the first fill dated inside [first, last] (the index
    date) to `last`; days past `last` are cut. None when no fill is dated inside the period."""
    index = min((d for d, _ in fills if first <= d <= last), default=None)
    if index is None:
        return None
    covered = 0
    free = None  # the first day not yet covered by earlier fills
    for day, supply in sorted(fills):
        start = day if free is None or day >= free else free
        end = start + timedelta(days=max(0, min(supply, (date.max - start).days)))  # exclusive
        free = end
        lo, hi = max(start, index), min(end, last + timedelta(days=1))
        covered += max(0, (hi - lo).days)
    return Pdc(index, last, covered, (last - index).days + 1)


def days_of_supply(med: Medication, day: date, qty: float) -> int | None:
    """Whole days `qty` units last from `day` (that day counted), walking forward through the regimens
    recorded — a titration's higher dose uses them faster, a taper's lower dose slower. Each day uses the
    regimen in force that day at its average daily units (daily_units). Days before the medication's start
    use its first dosing regimen (a refill collected before the start); a stop's or pause's days use nothing
    when a dosing regimen follows (the tablets wait, the days count as covered), and after the last stop the
    supply is counted at the dose it was last taken at. None when a day's units cannot be known (as needed,
    or units per dose not recorded). Cut at MAX_FILL_DAYS."""
    return SupplyDays(med)(day, qty)


class SupplyDays:
    """days_of_supply for one medication, with its spans (whose rate applies from a day to the next regimen's)
    and their rates worked out once: a report asks it for each of years of refills recorded without days."""

    def __init__(self, med: Medication):
        regs = med.regimens
        self.first = next((r for r in regs if not r.is_stop), None)
        self.begins = regs[0].start_date if regs else None
        self.spans: list[tuple[Regimen | None, date, date | None]] = []  # (regimen whose rate applies, from, to excl.)
        for i, r in enumerate(regs):
            end = regs[i + 1].start_date if i + 1 < len(regs) else None
            if r.is_stop:
                later = any(not x.is_stop for x in regs[i + 1:])
                r = None if later else med.dosing_on(r.start_date)
            self.spans.append((r, regs[i].start_date, end))
        # where each span ends, as day ordinals (sorted, as the regimens are): a report asks for the days of
        # decades of refills, and arithmetic on dates costs several times that on numbers
        self.ends = [LAST_DAY if end is None else end.toordinal() for _, _, end in self.spans]
        self.first_day = self.begins.toordinal() if self.begins else None
        self.rates: dict[int, float | None] = {}

    def __call__(self, day: date, qty: float) -> int | None:
        return self.of(day.toordinal(), qty)

    def of(self, day: int, qty: float) -> int | None:
        """__call__ with the day as an ordinal (date.toordinal)."""
        if self.first is None:
            return None
        # the spans ending by `day` hold none of its days (the walk would pass them by)
        k = bisect_right(self.ends, day)
        left, days = max(0.0, float(qty)), 0
        if self.first_day <= day < LAST_DAY:  # most often the supply runs out in the span it starts in
            rate = self._rate(self.spans[k][0])
            if rate:
                lasts = int(min(left / rate + 1e-9, MAX_FILL_DAYS))
                if lasts < self.ends[k] - day:
                    return lasts
        day = date.fromordinal(day)
        spans = self.spans[k:]
        if day < self.begins:
            spans.insert(0, (self.first, day, self.begins))
        for r, start, end in spans:
            start = max(start, day)
            if end is not None and end <= start:
                continue
            length = (end - start).days if end is not None else None
            if r is None:  # a stop or pause before a later start: nothing used, the days are covered
                days += length
                continue
            rate = self._rate(r)
            if not rate:
                return None
            lasts = int(min(left / rate + 1e-9, MAX_FILL_DAYS))
            if length is None or lasts < length:
                days += lasts
                break
            days += length
            left -= length * rate
            if days >= MAX_FILL_DAYS:
                break
        return min(days, MAX_FILL_DAYS)

    def _rate(self, r: Regimen | None) -> float | None:
        """daily_units of a span's regimen (None: a pause's), worked out once."""
        if r is None:
            return None
        key = id(r)
        if key not in self.rates:
            self.rates[key] = daily_units(r)
        return self.rates[key]


def fills(med: Medication, refills: list[Entry], tz) -> list[tuple[date, int]] | None:
    """Each refill as (local day, whole days of supply), in time order. The days of supply are those fixed at
    the refill (`data["days_supply"]`: the pharmacy label's, `refill --days`, or worked out when it was
    recorded); a refill recorded without them (before meddiary stored them, or when its units were not known
    then) is worked out now by days_of_supply, walking forward from the day its tablets start to be used (an
    early refill: when the earlier supply runs out, as PDC counts it). None when a refill's days cannot be
    known (as needed, or units per dose not recorded)."""
    ordered = sorted(refills, key=lambda e: (e.at, e.id))
    chain = _chain(med, ((e.at.astimezone(tz).date().toordinal(), e.data.get("days_supply"),
                          e.data["qty"] if e.data.get("days_supply") is None else None) for e in ordered))
    return None if chain is None else [(date.fromordinal(day), days) for day, days, _ in chain]


def _chain(med: Medication, refills) -> list[tuple[int, int, int]] | None:
    """fills' walk: for each refill given as (local day, days_supply or None, qty), days as ordinals, in time
    order: (its day, its days of supply, the first day the refills so far do not cover). None: a refill's days
    are not known."""
    out = []
    free = None
    walk = None
    for day, days, qty in refills:
        start = day if free is None or day >= free else free
        if days is None:
            walk = walk or SupplyDays(med)
            days = walk.of(start, qty)
            if days is None:
                return None
        days = int(min(max(days, 0), MAX_FILL_DAYS))  # a damaged or imported figure stays a date
        free = start + min(days, LAST_DAY - start)
        out.append((day, days, free))
    return out


def earlier_refills_count(med: Medication, refills: list[Entry], first: date, last: date, tz) -> bool:
    """Whether the refills before a period (the days first..last) can change its supply section, given its
    refills from just before it on: only through PDC, which is measured when refills fall on two days inside
    it (MIN_FILLS) — else the latest earlier refill tells all there is (that there were refills) — or when a
    refill's days might not be known (a dose's units not recorded: PDC then says so, whichever refill it is)."""
    if len({d for e in refills if first <= (d := e.at.astimezone(tz).date()) <= last}) >= MIN_FILLS:
        return True
    walk = SupplyDays(med)
    return walk.first is None or not all(r is None or walk._rate(r) for r, _, _ in walk.spans)


def carried(med: Medication, earlier: list[tuple], tz) -> Entry | None:
    """The refills before a report's days as one refill carrying what they still cover: on the local day of
    the latest of them, with the days' supply from there to the first day none covers (fills' walk). `earlier`:
    (id, UTC instant text, qty, days_supply), in time order (store.refill_amounts). As PDC counts days from
    the period's first refill on, and each later refill starts when the earlier ones run out, the period's
    figures come out the same from it as from all of them, for the supply carried over years of early refills
    too. None when they cannot be summed up so: a refill's days cannot be known (fills gives None with it:
    the caller reads them all), or they reach past MAX_FILL_DAYS."""
    if not earlier:
        return None
    chain = _chain(med, ((datetime.fromisoformat(at).astimezone(tz).toordinal(), supply, qty)
                         for _, at, qty, supply in earlier))
    if chain is None or chain[-1][2] - chain[-1][0] > MAX_FILL_DAYS:
        return None
    last_id, last_at = earlier[-1][0], datetime.fromisoformat(earlier[-1][1])
    return Entry(last_id, "refill", med.id, last_at, "UTC", data={"days_supply": chain[-1][2] - chain[-1][0]})


def refill_days(med: Medication, earlier: list[Entry], day: date, qty: float, tz) -> int | None:
    """The days of supply to fix at a refill of `qty` on `day` (`refill` without --days): walked forward
    through the regimens recorded from the day its tablets start to be used — `day`, or for an early refill
    the day the earlier refills (`earlier`, those recorded before it) run out. None: cannot be known."""
    start = day
    chain = fills(med, earlier, tz)
    if chain:
        free = None
        for d, n in chain:
            s = d if free is None or d >= free else free
            free = s + timedelta(days=min(n, (date.max - s).days))
        start = max(day, free)
    return days_of_supply(med, start, qty)


# -- the report's supply section ------------------------------------------------------------------------

def report_section(meds: list[Medication], supplies: dict[int, Supply], refills: dict[int, list[Entry]],
                   first: date, last: date, tz) -> list[dict]:
    """The report's supply section as plain data: one item per medication with supply recorded.

    `supplies`: status() per medication id (as of now); `refills`: every refill entry per medication id
    (all of them, earlier ones count for PDC); the period is the local days first..last. PDC is measured
    over the period, cut at the day before a stop inside it (a stopped medication is not a gap). As the
    Pharmacy Quality Alliance counts it, a PDC needs refills on at least two days inside the period: with
    one, there is none, and the note says so (the pure pdc() still measures a single fill)."""
    items = []
    for med in meds:
        s = supplies.get(med.id)
        if s is None:
            continue
        mine = refills.get(med.id, [])
        end = last
        stop = med.regimens[-1] if med.regimens and med.regimens[-1].is_stop else None
        if stop is not None and first < stop.start_date <= last:
            end = stop.start_date - timedelta(days=1)
        measured = None
        why = None
        if med.as_needed:
            why = "as needed"
        elif not mine:
            why = "no refills recorded"
        else:
            f = fills(med, mine, tz)
            inside = {day for day, _ in f or () if first <= day <= end}
            if f is None:
                why = "units per dose not recorded"
            elif not inside:
                why = "no refill in the period"
            elif len(inside) < MIN_FILLS:
                why = ONE_FILL
            else:
                measured = pdc(f, first, end)
        items.append({"supply": s, "pdc": measured, "pdc_note": why,
                      "refills_in_period": sum(1 for e in mine if first <= e.at.astimezone(tz).date() <= last)})
    return items


def section_json(items: list[dict], tz) -> list[dict]:
    """The section as JSON: supply_json's fields plus
    pdc (0..1, 6 decimals, or null), pdc_first / pdc_last (the treatment period: index date to period end),
    covered_days, period_days, adherent (pdc >= 0.80; null without pdc), pdc_note (why there is no pdc:
    "as needed", "no refills recorded", "units per dose not recorded", "no refill in the period",
    "refills on one day only in the period (PDC needs fills on two days at least)"),
    refills_in_period."""
    out = []
    for it in items:
        p: Pdc | None = it["pdc"]
        out.append({**supply_json(it["supply"], tz),
                    "pdc": round(p.pdc, 6) if p else None,
                    "pdc_first": p.first.isoformat() if p else None,
                    "pdc_last": p.last.isoformat() if p else None,
                    "covered_days": p.covered if p else None,
                    "period_days": p.days if p else None,
                    "adherent": p.adherent if p else None,
                    "pdc_note": it["pdc_note"],
                    "refills_in_period": it["refills_in_period"]})
    return out
