"""Plain data shared by the store and the domain: medications, regimens, entries, slots.

These are hand-written slotted classes, not dataclasses: `take` and `today` import this module on every
run, and defining a dataclass costs about a millisecond (it generates and compiles code at import).
"""

from datetime import date, datetime, time, timedelta


class Record:
    """Equality, hashing and repr from `__slots__`."""

    __slots__ = ()

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        return tuple(n for k in reversed(cls.__mro__) for n in k.__dict__.get("__slots__", ()))

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.fields())

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(tuple(v if not isinstance(v, list) else tuple(v) for v in self._values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self.fields())})"


class Field:
    """A `plain` class's default: a fresh value from `factory` for each instance (a list, a dict), or a fixed
    `default`; `compare=False` leaves the field out of equality and repr."""

    __slots__ = ("factory", "default", "compare")

    def __init__(self, factory=None, default=None, compare: bool = True):
        self.factory, self.default, self.compare = factory, default, compare

    def value(self):
        return self.factory() if self.factory is not None else self.default


def plain(cls):
    """A data class without the dataclasses module, whose import and generated code cost a report about 15 ms
    (the report's model classes are made once per run): `__init__` takes the annotated fields in order
    (positionally or by name), with the class's defaults (a `Field` for a fresh or an uncompared one);
    equality and repr over the compared fields, as a dataclass's."""
    names = list(cls.__dict__.get("__annotations__", {}))
    defaults = {}
    for n in names:
        if n in cls.__dict__:
            d = cls.__dict__[n]
            defaults[n] = d if isinstance(d, Field) else Field(default=d)
            delattr(cls, n)
    compared = tuple(n for n in names if n not in defaults or defaults[n].compare)

    def __init__(self, *args, **given):
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__} takes {len(names)} fields, {len(args)} given")
        for n, v in zip(names, args):
            setattr(self, n, v)
        for n in names[len(args):]:
            if n in given:
                setattr(self, n, given.pop(n))
            elif n in defaults:
                setattr(self, n, defaults[n].value())
            else:
                raise TypeError(f"{cls.__name__} needs {n}")
        if given:
            raise TypeError(f"{cls.__name__} has no field {next(iter(given))}")

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in compared)

    def __repr__(self):
        return f"{cls.__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in compared)})"

    cls.__init__, cls.__eq__, cls.__repr__, cls.__hash__ = __init__, __eq__, __repr__, None
    return cls


SCHEDULES = ("daily", "weekdays", "every", "monthly", "cycle", "injection", "as_needed")


def schedule_of(times, weekdays, every_days, every_months, cycle_on, window_days) -> str:
    """The schedule kind of a regimen's fields — the one place it is worked out (the store keeps it, and
    regimens made before kinds were stored are given theirs here)."""
    if not times:
        return "as_needed"
    if window_days is not None:
        return "injection"
    if cycle_on:
        return "cycle"
    if every_months:
        return "monthly"
    if weekdays:
        return "weekdays"
    if every_days and every_days > 1:
        return "every"
    return "daily"


class Regimen(Record):
    """One version of how a medication is to be taken, from `start_date` until the next one.

    kind: start | change | taper | stop | pause | resume (stop and pause have no doses; a pause ends at the
    next regimen, the resume). schedule: one of SCHEDULES (see meddiary.schedule, which knows each kind's
    days, description and calendar rules). `doses`: the dose at each of `times` when they differ (lithium
    400 mg at 08:00, 600 mg at 20:00), else None and every time's dose is `dose_amount` (then the first
    time's). As needed (the medication's only part, or `prn_amount` beside a schedule): at most
    `max_per_day` uses and `max_amount` (in the dose unit) in any 24 hours, `min_interval` apart."""

    __slots__ = ("id", "medication_id", "start_date", "kind", "dose_amount", "dose_unit", "times", "weekdays",
                 "every_days", "max_per_day", "min_interval", "reason", "created_at",
                 "units_per_dose", "strength_amount", "strength_unit",
                 "schedule", "doses", "every_months", "cycle_on", "cycle_off", "anchor", "window_days",
                 "max_amount", "prn_amount")

    def __init__(self, id: int, medication_id: int, start_date: date, kind: str,
                 dose_amount: float | None = None, dose_unit: str | None = None, times: tuple[time, ...] = (),
                 weekdays: tuple[int, ...] | None = None,  # 0 = Monday
                 every_days: int | None = None, max_per_day: int | None = None,
                 min_interval: timedelta | None = None, reason: str | None = None,
                 created_at: datetime | None = None, units_per_dose: float | None = None,
                 strength_amount: float | None = None, strength_unit: str | None = None,
                 schedule: str | None = None, doses: tuple[float, ...] | None = None,
                 every_months: int | None = None, cycle_on: int | None = None, cycle_off: int | None = None,
                 anchor: date | None = None, window_days: int | None = None, max_amount: float | None = None,
                 prn_amount: float | None = None):
        self.id, self.medication_id, self.start_date, self.kind = id, medication_id, start_date, kind
        self.dose_amount, self.dose_unit, self.times, self.weekdays = dose_amount, dose_unit, times, weekdays
        self.every_days, self.max_per_day, self.min_interval = every_days, max_per_day, min_interval
        self.reason, self.created_at = reason, created_at
        # Supply: units (tablets, ml…) one dose uses, given directly or as a unit's strength (50 mg a tablet).
        self.units_per_dose, self.strength_amount, self.strength_unit = units_per_dose, strength_amount, strength_unit
        self.doses = tuple(doses) if doses else None
        self.every_months, self.cycle_on, self.cycle_off = every_months, cycle_on, cycle_off
        self.anchor, self.window_days, self.max_amount, self.prn_amount = anchor, window_days, max_amount, prn_amount
        self.schedule = schedule or schedule_of(times, weekdays, every_days, every_months, cycle_on, window_days)

    @property
    def amounts(self) -> tuple:
        """The dose at each time of day, in the order of `times`."""
        return self.doses if self.doses else (self.dose_amount,) * len(self.times)

    def dose_at(self, clock: time) -> float | None:
        if self.doses:
            return self.doses[self.times.index(clock)]
        return self.dose_amount

    @property
    def daily_amount(self) -> float | None:
        """The amount a dosing day's doses add up to (None: as needed, or a dose not known)."""
        amounts = self.amounts
        return sum(amounts) if amounts and None not in amounts else None

    @property
    def units(self) -> float | None:
        """Units one dose uses: --units-per-dose, else dose ÷ strength when the units agree, else None."""
        return self.units_for(self.dose_amount)

    def units_for(self, amount: float | None) -> float | None:
        """Units a dose of `amount` (in the regimen's unit) uses: --units-per-dose scaled by amount ÷ dose
        (the same tablets, more or fewer of them), else amount ÷ one unit's strength."""
        if amount is None:
            return None
        if self.units_per_dose is not None and self.dose_amount:
            return self.units_per_dose * amount / self.dose_amount
        if self.strength_amount and self.strength_unit == self.dose_unit:
            return amount / self.strength_amount
        return None

    @property
    def is_stop(self) -> bool:
        """No doses from this regimen on: a stop, or a pause (which the next regimen, the resume, ends)."""
        return self.kind in ("stop", "pause")

    @property
    def is_pause(self) -> bool:
        return self.kind == "pause"

    @property
    def cycle_anchor(self) -> date:
        """The day every-N-days, monthly, cycle and injection schedules count from."""
        return self.anchor or self.start_date


# -- a regimen as the diary stores it, and as an export carries it ----------------------------------------

def _clock_text(times) -> str | None:
    return ",".join(t.strftime("%H:%M") for t in times) or None


def _clocks(text: str | None) -> tuple:
    return tuple(time.fromisoformat(t) for t in text.split(",")) if text else ()


def doses_text(values) -> str | None:
    """Each time's dose, in the order of times_local ('400,600'); None when all times have the same dose."""
    from meddiary.doses import format_amount

    return ",".join(format_amount(a) for a in values) if values else None


def _doses(text: str | None) -> tuple | None:
    return tuple(float(x) for x in text.split(",")) if text else None


def _weekdays(text: str | None) -> tuple | None:
    return tuple(int(d) for d in text.split(",")) if text else None


def _weekdays_text(days) -> str | None:
    return ",".join(str(d) for d in days) if days else None


def _day_text(day) -> str | None:
    return day.isoformat() if day else None


def _day(text: str | None):
    return date.fromisoformat(text) if text else None


def _minutes(interval) -> int | None:
    return int(interval.total_seconds() // 60) if interval else None


class Stored:
    """One of a regimen's fields as the diary stores it and an export carries it: the Regimen attribute
    (`field`), its column, how a value becomes the column's (`to_column`) and back (`to_field`), its name in an
    export document (`exported`), how the column's value is written there (`to_export`) and read back
    (`from_export`), and what an export must hold (`kind`: number, integer, text or a kind of its own, which
    meddiary.transfer reads and checks). A converter of None: as it is."""

    __slots__ = ("field", "column", "to_column", "to_field", "exported", "to_export", "from_export", "kind")

    def __init__(self, field: str, column: str | None = None, to_column=None, to_field=None, kind: str = "text",
                 exported: str | None = None, to_export=None, from_export=None):
        self.field, self.column = field, column or field
        self.to_column, self.to_field = to_column, to_field
        self.exported, self.to_export, self.from_export = exported or self.column, to_export, from_export
        self.kind = kind


def _parts(text: str | None) -> list:
    return text.split(",") if text else []


def _clock_column(clocks: list) -> str | None:
    return ",".join(clocks) or None


# A regimen's shape, once: every stored field, in the order an export document lists them (store.REGIMEN_COLUMNS
# is made from it, and so are the Store's reads and writes of regimens, the export's
# regimens and import's reading of them, and the fields a planned change copies: SCHEDULE_FIELDS).
REGIMEN_SHAPE = (
    Stored("start_date", to_column=_day_text, to_field=date.fromisoformat, kind="start_date"),
    Stored("kind", kind="kind"),
    Stored("dose_amount", kind="number"),
    Stored("dose_unit"),
    Stored("times", "times_local", _clock_text, _clocks, kind="times", exported="times", to_export=_parts,
           from_export=_clock_column),
    Stored("weekdays", "weekdays", _weekdays_text, _weekdays, kind="weekdays",
           to_export=lambda text: list(_weekdays(text)) if text else None, from_export=_weekdays_text),
    Stored("every_days", kind="integer"),
    Stored("max_per_day", kind="integer"),
    Stored("min_interval", "min_interval_minutes", _minutes, lambda m: timedelta(minutes=m) if m else None,
           kind="integer"),
    Stored("reason", kind="long_text"),  # a taper step's reason is the typed one with " (step 2 of 5)" after it
    Stored("units_per_dose", kind="number"),
    Stored("strength_amount", kind="number"),
    Stored("strength_unit"),
    Stored("created_at", "created_at_utc", kind="instant"),  # written by the store (when it was recorded)
    Stored("created_tz", kind="zone"),  # the store's only: the zone it was recorded in
    Stored("schedule"),
    Stored("doses", "doses_local", doses_text, _doses, kind="doses", exported="doses",
           to_export=lambda text: list(_doses(text)) if text else None, from_export=doses_text),
    Stored("every_months", kind="integer"),
    Stored("cycle_on", kind="integer"),
    Stored("cycle_off", kind="integer"),
    Stored("anchor", "anchor_date", _day_text, _day, kind="anchor", exported="anchor"),
    Stored("window_days", kind="integer"),
    Stored("max_amount", kind="number"),
    Stored("prn_amount", kind="number"),
)


def regimen_export(row, retracted) -> dict:
    """A row of the regimens table as an export document carries it (its `retracted` mark after the zone it
    was recorded in, where the first exports put it)."""
    out = {"uid": row["uid"]}
    for s in REGIMEN_SHAPE:
        value = row[s.column]
        out[s.exported] = s.to_export(value) if s.to_export else value
        if s.column == "created_tz":
            out["retracted"] = retracted
    return out


# What a change copies from the regimen before it: every field but when and why it was recorded
SCHEDULE_FIELDS = tuple(s.field for s in REGIMEN_SHAPE
                        if s.field not in ("start_date", "kind", "reason", "created_at", "created_tz"))


def regimen_from_row(row) -> "Regimen":
    """A Regimen from a row of the regimens table (a mapping with its columns, id and medication_id)."""
    values = {s.field: (s.to_field(row[s.column]) if s.to_field else row[s.column])
              for s in REGIMEN_SHAPE if s.field not in ("created_at", "created_tz")}
    created = row["created_at_utc"]
    return Regimen(row["id"], row["medication_id"], created_at=datetime.fromisoformat(created) if created else None,
                   **values)


def regimen_columns(fields: dict) -> dict:
    """A regimen's fields (Regimen's names, as meddiary.regimens plans them) as the regimens table's columns;
    a field not given is None (the created_at_utc and created_tz columns are the store's to fill)."""
    out = {}
    for s in REGIMEN_SHAPE:
        value = fields.get(s.field)
        out[s.column] = s.to_column(value) if s.to_column and value is not None else value
    if fields.get("kind") in ("stop", "pause"):
        out["schedule"] = None  # a stop or a pause has no schedule
    return out


class Medication(Record):
    __slots__ = ("id", "name", "as_needed", "purpose", "note", "aliases", "regimens")

    def __init__(self, id: int, name: str, as_needed: bool, purpose: str | None = None, note: str | None = None,
                 aliases: list[str] | None = None, regimens: list[Regimen] | None = None):
        self.id, self.name, self.as_needed, self.purpose, self.note = id, name, as_needed, purpose, note
        self.aliases: list[str] = aliases if aliases is not None else []
        self.regimens: list[Regimen] = regimens if regimens is not None else []  # in force order: (start_date, id)

    def regimen_on(self, day: date) -> Regimen | None:
        """The regimen in force on a day (None before the start; a stop regimen after a stop)."""
        found = None
        for r in self.regimens:
            if r.start_date <= day:
                found = r
            else:
                break
        return found

    def dosing_on(self, day: date | None = None) -> Regimen | None:
        """The regimen in force on `day` if it doses, else the last dosing one starting by then (by `day`
        None: the last of all) — what a stopped medication was taken as."""
        r = self.regimen_on(day) if day is not None else None
        if r is not None and not r.is_stop:
            return r
        dosing = (x for x in reversed(self.regimens) if not x.is_stop)
        return next((x for x in dosing if day is None or x.start_date <= day), None)

    def active_on(self, day: date) -> bool:
        r = self.regimen_on(day)
        return r is not None and not r.is_stop

    @property
    def start_date(self) -> date | None:
        return self.regimens[0].start_date if self.regimens else None

    def spans(self) -> list[tuple[Regimen, date | None]]:
        """Each dosing regimen with its last day (None: open-ended); stop regimens end the one before."""
        out = []
        for i, r in enumerate(self.regimens):
            if r.is_stop:
                continue
            nxt = self.regimens[i + 1].start_date if i + 1 < len(self.regimens) else None
            out.append((r, nxt - timedelta(days=1) if nxt else None))
        return out


class Entry(Record):
    """A recorded row; `at` is a UTC instant, `tz` the zone it was recorded in.

    kind: take | skip (dose fields) or one of ENTRY_KINDS' others, whose own fields are in `data`
    (a dict, see ENTRY_KINDS); `uid` is the stable id that export and import carry."""

    __slots__ = ("id", "kind", "medication_id", "at", "tz", "dose_amount", "dose_unit", "reason", "note", "forced",
                 "data", "uid")

    def __init__(self, id: int, kind: str, medication_id: int | None, at: datetime, tz: str,
                 dose_amount: float | None = None, dose_unit: str | None = None, reason: str | None = None,
                 note: str | None = None, forced: bool = False, data: dict | None = None, uid: str | None = None):
        self.id, self.kind, self.medication_id, self.at, self.tz = id, kind, medication_id, at, tz
        self.dose_amount, self.dose_unit, self.reason, self.note, self.forced = dose_amount, dose_unit, reason, note, forced
        self.data, self.uid = data, uid

    @property
    def as_needed(self) -> bool:
        """A take recorded as the as-needed part of a scheduled medication (`take NAME --as-needed`): it never
        fills a scheduled slot. (Every take of an as-needed-only medication is as needed too.)"""
        return bool(self.data) and self.data.get("as_needed") is True


# Every kind of entry and the keys of its `data` (take and skip keep theirs in columns).
ENTRY_KINDS = {
    "take": (),  # medication_id, dose_amount, dose_unit, note, forced; data None or {"as_needed": true}
    "skip": (),  # medication_id, dose_amount, dose_unit, reason, note
    "mood": ("score", "depressed", "elevated", "anxiety", "irritability", "sleep_hours"),  # each may be None
    "side_effect": ("symptom", "severity", "resolved"),  # medication_id may be None; severity mild|moderate|severe|None
    "check": ("instrument", "answers", "total", "severity", "item9"),  # a questionnaire: phq9 | gad7
    "question": ("text",),
    "answer": ("question", "answer"),  # question: the question entry's uid; answer may be None (done, no answer)
    "visit": (),  # an appointment; note
    "refill": ("qty", "repeats_left"),  # medication_id; units dispensed; repeats_left may be None (+ days_supply)
    "count": ("count",),  # medication_id; units on hand counted
    # a lab value or vital sign (meddiary.measures): medication_id the related medication or None; diastolic
    # only for blood pressure (value: systolic); range_low/range_high: the lab's range as the person gave it
    "measurement": ("test", "value", "diastolic", "unit", "range_low", "range_high"),
}


# Keys an entry's `data` may hold beyond ENTRY_KINDS' own: a refill's `days_supply` (whole days, or None: not
# known when recorded) came later, so a refill recorded before it, or imported from an older diary, lacks it.
ENTRY_OPTIONAL = {
    "refill": ("days_supply",),
    "take": ("as_needed", "for"),  # `take --as-needed` (true), `take --for` (the dose named: YYYY-MM-DDTHH:MM)
    "skip": ("for",),  # `skip --for`
}



# What each entry has of its own; the rest of its row (its shape) is shared by many entries.
OWN_KEYS = ("uid", "at_utc", "recorded_at_utc")


class EntryRows:
    """Entries to add to a diary (`Store.merge`) in a form that scales: each distinct shape once (a row
    without its OWN_KEYS: kind, medication_uid, tz, dose_amount, dose_unit, reason, note, forced, data),
    and for each entry, in order, the number of its shape and its own uid and two times. Ten years of a
    diary are about 59,000 entries of 2,000 shapes. It iterates as, and equals, the list of rows it holds."""

    __slots__ = ("shapes", "shape_of", "uids", "at_utc", "recorded_at_utc")

    def __init__(self, shapes: list[dict], shape_of: list[int], uids: list[str], at_utc: list[str],
                 recorded_at_utc: list[str]):
        self.shapes, self.shape_of, self.uids = shapes, shape_of, uids
        self.at_utc, self.recorded_at_utc = at_utc, recorded_at_utc

    @classmethod
    def of(cls, rows) -> "EntryRows":
        """Rows (dicts with every key) as EntryRows, each row its own shape."""
        rows = list(rows)
        return cls([{k: v for k, v in r.items() if k not in OWN_KEYS} for r in rows], list(range(len(rows))),
                   *([r[k] for r in rows] for k in OWN_KEYS))

    def __len__(self) -> int:
        return len(self.uids)

    def __iter__(self):
        for shape, uid, at, recorded in zip(self.shape_of, self.uids, self.at_utc, self.recorded_at_utc):
            yield {**self.shapes[shape], "uid": uid, "at_utc": at, "recorded_at_utc": recorded}

    def __eq__(self, other) -> bool:
        if isinstance(other, EntryRows | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"EntryRows({len(self)} entries of {len(self.shapes)} shapes)"

class Slot(Record):
    """One expected dose: `day` and `clock` as prescribed (local), `at` the UTC instant (gaps moved
    forward, folds at the first occurrence)."""

    __slots__ = ("medication_id", "day", "clock", "at", "dose_amount", "dose_unit", "regimen_id", "window",
                 "day_start", "day_end")

    def __init__(self, medication_id: int, day: date, clock: time, at: datetime, dose_amount: float | None,
                 dose_unit: str | None, regimen_id: int, window: timedelta | None = None,
                 day_start: datetime | None = None, day_end: datetime | None = None):
        self.medication_id, self.day, self.clock, self.at = medication_id, day, clock, at
        self.dose_amount, self.dose_unit, self.regimen_id = dose_amount, dose_unit, regimen_id
        self.window = window  # a long-acting injection's tolerance each side (None: the usual window)
        # The UTC instants its local day begins and ends (a late dose of the day may fill it until then)
        self.day_start, self.day_end = day_start, day_end
