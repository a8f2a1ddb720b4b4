"""What `meddiary due` reminds of at `now` (pure: data and `now` in, reminders out).

meddiary has no daemon: cron runs `due` every few minutes, and each run asks "what is there to say now?".

- A scheduled dose (slot) is remindable from its time until its matching window ends (shared/DESIGN.md:
  half way to the medication's neighbouring slots, at most 12 h) or a take or skip fills it. So a dose
  that came due while the machine slept is reminded at the next run (catch-up), and a missed one stops.
  It is reminded once, then again every `repeat` while it stays open (`repeat` None: once only).
- An as-needed medication, after a take in the last 24 hours: once, when its next dose becomes allowed
  by the limits (at most N in 24 hours, at least an interval apart).
- Supply (see supply.py), for medications with a refill or count recorded: once a day while the days
  left are under `refill_days`; when the latest refill recorded no repeats left, once for that refill and
  in each low-supply line ("book your prescriber": the record, not advice on the medication) — not for a
  medication stopped by today.

Reminder keys identify what was reminded (store.mark_reminded / last_reminded):
  slot:<medication id>:<YYYY-MM-DD>T<HH:MM>  the prescribed local day and wall-clock time
  prn:<take uid>                              the as-needed take whose interval ran out
  supply:<medication id>:<YYYY-MM-DD>         the local day of a low-supply warning
  repeats:<refill uid>                        a refill that recorded no repeats left
Slot keys are wall-clock: 02:30 on a spring-forward day is one slot (due at 03:30), 01:30 on a fall-back
day is one slot (at its first occurrence), and after travel the 08:00 dose of a day is still one slot.

Each call also says until when nothing can change without a new record (`quiet_until`): the next slot
time, repeat, allowed as-needed dose or local midnight — the `due` fast path skips loading until then.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from meddiary import adherence, diary, schedule
from meddiary.doses import format_dose
from meddiary.model import Entry, Medication, Record

DEFAULT_REPEAT = timedelta(minutes=30)
DEFAULT_REFILL_DAYS = 7
AS_NEEDED_REACH = timedelta(hours=24)


class Candidate(Record):
    """Something that may be reminded now, if its key's last reminder allows."""

    __slots__ = ("key", "kind", "medication", "at", "text", "repeats", "closes", "extra_keys", "fields",
                 "min_repeat")

    def __init__(self, key: str, kind: str, medication: Medication, at: datetime, text: str,
                 repeats: bool = False, closes: datetime | None = None, extra_keys: tuple[str, ...] = (),
                 fields: dict | None = None, min_repeat: timedelta | None = None):
        self.key, self.kind, self.medication, self.at, self.text = key, kind, medication, at, text
        self.repeats, self.closes = repeats, closes  # slots repeat until their window closes
        self.min_repeat = min_repeat  # at most this often (a long-acting injection: once a day)
        self.extra_keys = extra_keys  # also marked when this one is reminded
        self.fields = fields or {}  # kind-specific JSON fields


class Check(Record):
    __slots__ = ("candidates", "upcoming")

    def __init__(self, candidates: list[Candidate], upcoming: list[datetime]):
        self.candidates = candidates
        self.upcoming = upcoming  # instants at which something new becomes remindable


def keys(check: Check) -> list[str]:
    """Every key whose last reminder decides a candidate (what to pass to store.last_reminded)."""
    return [k for c in check.candidates for k in (c.key, *c.extra_keys)]


def clock_text(clock: time) -> str:
    return clock.strftime("%H:%M")


def ago(delta: timedelta) -> str:
    if delta < timedelta(minutes=1):
        return "due now"
    return f"due {diary.duration_phrase(delta)} ago"


def candidates(meds: list[Medication], entries: list[Entry], supplies: dict, now: datetime, tz: ZoneInfo,
               refill_days: int = DEFAULT_REFILL_DAYS, refills: dict[int, Entry] | None = None) -> Check:
    """Everything remindable at `now`.

    `entries`: takes and skips from at least diary.reach(meds) before `now` to as far after it;
    `supplies`: supply.status per medication id (medications without recorded supply left out);
    `refills`: the latest refill entry per medication id (for its uid)."""
    today = now.astimezone(tz).date()
    found: list[Candidate] = []
    upcoming: list[datetime] = []
    by_med: dict[int, list[Entry]] = {}
    for e in entries:
        by_med.setdefault(e.medication_id, []).append(e)
    for med in meds:
        mine = by_med.get(med.id, [])
        if med.as_needed or diary.prn_regimen(med, today) is not None:
            _as_needed(med, [e for e in mine if med.as_needed or e.as_needed], now, tz, found, upcoming)
        if not med.as_needed:
            _slots(med, mine, now, tz, today, found, upcoming)
    for med in meds:
        s = supplies.get(med.id)
        if s is not None:
            _supply(med, s, (refills or {}).get(med.id), today, refill_days, found)
    found.sort(key=lambda c: (c.at, c.medication.name, c.key))
    return Check(found, upcoming)


def _slots(med: Medication, mine: list[Entry], now: datetime, tz: ZoneInfo, today: date,
           found: list[Candidate], upcoming: list[datetime]) -> None:
    slots = diary.slots_around(med, now, tz)
    if not slots:
        return
    m = adherence.match(slots, mine, now)
    for r in m.slots:
        s = r.slot
        if s.at > now:
            upcoming.append(s.at)
            continue
        if r.entry is not None or now >= r.closes:
            continue
        local = s.at.astimezone(tz)
        shown = clock_text(s.clock)
        if local.time().replace(second=0, microsecond=0) != s.clock or local.date() != s.day:
            shown += f" (at {local.strftime('%H:%M')}, after the clock change)"
        dose = format_dose(s.dose_amount, s.dose_unit)
        text = f"{shown} {med.name} {dose} — {ago(now - s.at)}"
        if s.window is not None:  # a long-acting injection: reminded once a day through its window
            until = r.closes.astimezone(tz).date()
            text = (f"{med.name} {dose} injection — due {'today' if s.day == today else s.day.isoformat()}"
                    f", window until {until.isoformat()}")
        found.append(Candidate(f"slot:{med.id}:{s.day.isoformat()}T{clock_text(s.clock)}", "slot", med, s.at, text,
                               repeats=True, closes=r.closes,
                               fields={"time": clock_text(s.clock), "date": s.day.isoformat(), "dose": dose,
                                       "due_at": local.isoformat(timespec="seconds"),
                                       "minutes_ago": int((now - s.at).total_seconds() // 60),
                                       "window_closes": r.closes.astimezone(tz).isoformat(timespec="seconds")},
                               min_repeat=timedelta(days=1) if s.window is not None else None))


def _as_needed(med: Medication, mine: list[Entry], now: datetime, tz: ZoneInfo, found: list[Candidate],
               upcoming: list[datetime]) -> None:
    regimen = diary.prn_regimen(med, now.astimezone(tz).date())
    if regimen is None:
        return
    takes = sorted((e for e in mine if e.kind == "take" and e.at <= now), key=lambda e: (e.at, e.id))
    if not takes or takes[-1].at <= now - AS_NEEDED_REACH:  # only after a recent take
        return
    last = takes[-1]
    _, allowed = diary.as_needed_window(regimen, last.at, takes)
    if allowed is None:
        return
    if allowed > now:
        upcoming.append(allowed)
        return
    local = allowed.astimezone(tz)
    when = local.strftime("%H:%M") if local.date() == now.astimezone(tz).date() else local.strftime("%Y-%m-%d %H:%M")
    found.append(Candidate(f"prn:{last.uid}", "as_needed", med, allowed, f"{med.name}: next dose allowed from {when}",
                           fields={"allowed_from": local.isoformat(timespec="seconds"),
                                   "last_taken": last.at.astimezone(tz).isoformat(timespec="seconds")}))


def _supply(med: Medication, s, latest_refill: Entry | None, today: date, refill_days: int,
            found: list[Candidate]) -> None:
    from meddiary.supply import amount_text

    current = med.regimen_on(today)
    stopped = current is not None and current.is_stop  # no prescription to renew: nothing to book
    no_repeats = s.repeats_left == 0 and latest_refill is not None and not stopped
    repeats_key = f"repeats:{latest_refill.uid}" if no_repeats else None
    book = "; no repeats left on the last refill — book your prescriber"
    fields = {"on_hand": s.on_hand, "days_left": None if s.days_left is None else round(s.days_left, 1),
              "run_out": s.run_out.isoformat() if s.run_out else None, "repeats_left": s.repeats_left}
    low = s.days_left is not None and refill_days > 0 and s.days_left < refill_days
    if low:
        days = int(s.days_left)
        text = (f"{med.name}: {days} day{'s' if days != 1 else ''} of supply left ({amount_text(s.on_hand)} on hand, "
                f"runs out {s.run_out.isoformat()})" + (book if no_repeats else ""))
        found.append(Candidate(f"supply:{med.id}:{today.isoformat()}", "supply", med, _day_at(today), text,
                               extra_keys=(repeats_key,) if repeats_key else (), fields=fields))
    elif no_repeats:
        text = f"{med.name}: no repeats left on the refill of {s.last_refill.isoformat()} — book your prescriber"
        found.append(Candidate(repeats_key, "repeats", med, _day_at(today), text, fields=fields))


def _day_at(day: date) -> datetime:
    from datetime import UTC

    return datetime.combine(day, time(0), tzinfo=UTC)


def select(check: Check, reminded: dict[str, datetime], now: datetime,
           repeat: timedelta | None = DEFAULT_REPEAT) -> tuple[list[Candidate], datetime | None]:
    """The candidates to remind now, and the next instant at which another may come due (None: none known).

    A candidate is reminded when its key never was; a slot again when `repeat` has passed since its last
    reminder (while its window is open). A candidate whose extra key was already reminded (a refill's no
    repeats) is still reminded for its own key."""
    chosen = []
    nxt = list(check.upcoming)
    for c in check.candidates:
        last = reminded.get(c.key)
        if last is None or last > now:  # a reminder "in the future": the clock went back; remind again
            chosen.append(c)
        elif c.repeats and repeat:
            again = last + max(repeat, c.min_repeat or repeat)
            if again <= now:
                chosen.append(c)
            elif c.closes is None or again < c.closes:
                nxt.append(again)
        every = max(repeat, c.min_repeat or repeat) if repeat else None
        if chosen and chosen[-1] is c and c.repeats and every and (c.closes is None or now + every < c.closes):
            nxt.append(now + every)
    return chosen, min(nxt) if nxt else None


def reminder_json(c: Candidate, tz: ZoneInfo) -> dict:
    return {"kind": c.kind, "key": c.key, "medication": c.medication.name, "text": c.text, **c.fields}


def lines(chosen: list[Candidate], zone_note: str | None = None) -> list[str]:
    """One line per reminder; `zone_note` (the home zone, when it is not the machine's) closes each line."""
    suffix = f" ({zone_note} time)" if zone_note else ""
    return [c.text + (suffix if c.kind == "slot" else "") for c in chosen]
