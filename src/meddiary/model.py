"""Plain data shared by the store and the domain: medications, regimens, entries, slots."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True)
class Regimen:
    id: int
    medication_id: int
    start_date: date
    kind: str  # start | change | taper | stop
    dose_amount: float | None = None
    dose_unit: str | None = None
    times: tuple[time, ...] = ()
    weekdays: tuple[int, ...] | None = None  # 0 = Monday
    every_days: int | None = None
    max_per_day: int | None = None
    min_interval: timedelta | None = None
    reason: str | None = None
    created_at: datetime | None = None

    @property
    def is_stop(self) -> bool:
        return self.kind == "stop"


@dataclass
class Medication:
    id: int
    name: str
    as_needed: bool
    purpose: str | None = None
    note: str | None = None
    aliases: list[str] = field(default_factory=list)
    regimens: list[Regimen] = field(default_factory=list)  # in force order: (start_date, id)

    def regimen_on(self, day: date) -> Regimen | None:
        """The regimen in force on a day (None before the start; a stop regimen after a stop)."""
        found = None
        for r in self.regimens:
            if r.start_date <= day:
                found = r
            else:
                break
        return found

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


@dataclass(frozen=True)
class Entry:
    id: int
    kind: str  # take | skip
    medication_id: int
    at: datetime  # UTC
    tz: str
    dose_amount: float | None = None
    dose_unit: str | None = None
    reason: str | None = None
    note: str | None = None
    forced: bool = False


@dataclass(frozen=True)
class Slot:
    medication_id: int
    day: date  # local date
    clock: time  # local wall-clock time as prescribed
    at: datetime  # UTC instant (gaps moved forward, folds at the first occurrence)
    dose_amount: float | None
    dose_unit: str | None
    regimen_id: int
