"""The use case "run the reminder check" (`meddiary due`), which cron runs every few minutes.

`due` runs 288 times a day for years, mostly with nothing to say, so it has a fast path that never imports
Typer (nor Rich, sqlite-utils, dateutil or json unless printing JSON):

1. The entry module parses its options with the grammar declared once in meddiary.grammar (Typer builds the
   documented command from the same declaration); anything unusual goes to Typer.
2. `quiet` asks the diary one small question: the latest reminder-state row and the highest row ids of
   the tables a reminder depends on. Each full check ends by recording, as a reminder key,
   "nothing new until T, for this state of the diary, zone and options" (`quiet_key`); while that holds,
   `due` exits 0 at once. A new entry, regimen, medication, retraction or setting, another zone or other
   options make the key stale.
3. Otherwise `due` does the full check (store, remind, supply) inside one write transaction, so two
   `due` runs at the same moment never remind twice, and returns the reminders as an actions.Result:
   meddiary.usecases.run prints it (text or --json) and, with --notify, sends its lines to the desktop
   (meddiary.notify), for both doors.
"""

import os
import sys

QUIET_VERSION = "1"
DEFAULT_REPEAT_MINUTES = 30
DEFAULT_REFILL_DAYS = 7
MAX_REPEAT_MINUTES = 24 * 60
MAX_REFILL_DAYS = 365
QUIET_AT_MOST_S = 12 * 3600
REPEAT_FORMS = "0 (once only) or minutes or hours up to 24h, e.g. 30m, 90m, 2h"
REFILL_DAYS_FORMS = "a whole number of days from 0 (no low-supply warnings) to 365, e.g. 7"


# -- options ----------------------------------------------------------------------------------------------

def repeat_minutes(text: str) -> int | None:
    """'30m', '90min', '2h' -> minutes; '0' -> 0 (once only); anything else -> None."""
    t = text.strip().lower()
    if t == "0":
        return 0
    for unit, factor in (("min", 1), ("m", 1), ("h", 60)):
        if t.endswith(unit):
            digits = t[: -len(unit)].strip()
            if digits.isascii() and digits.isdigit() and len(digits) <= 6:
                n = int(digits) * factor
                return n if 0 < n <= MAX_REPEAT_MINUTES else None
            return None
    return None


def refill_days_value(text: str) -> int | None:
    t = text.strip()
    if t.isascii() and t.isdigit() and len(t) <= 4 and int(t) <= MAX_REFILL_DAYS:
        return int(t)
    return None


def _checked(repeat: str, refill_days: str) -> tuple[int, int]:
    from meddiary.errors import UsageError

    minutes = repeat_minutes(repeat)
    if minutes is None:
        raise UsageError(f"bad --repeat {repeat!r}: use {REPEAT_FORMS}")
    days = refill_days_value(refill_days)
    if days is None:
        raise UsageError(f"bad --refill-days {refill_days!r}: use {REFILL_DAYS_FORMS}")
    return minutes, days


# -- the quiet check ----------------------------------------------------------------------------------

def peek_state(found) -> tuple[str | None, str]:
    """store.peek's answer as (latest reminder key, the diary's state as text: highest ids of what reminders
    read)."""
    latest, ids = found
    return latest, ".".join(str(x or 0) for x in ids)


def diary_path(db: str | None) -> str | None:
    """The diary path as store.resolve_path gives it, without importing pathlib or platformdirs
    (None: a platform whose default folder only platformdirs knows)."""
    value = db or os.environ.get("MEDDIARY_DB")
    if value:
        return os.path.expanduser(value)
    if not sys.platform.startswith("linux"):
        return None
    base = os.environ.get("XDG_DATA_HOME", "").strip() or os.path.expanduser("~/.local/share")
    return os.path.join(base, "meddiary", "diary.db")


def machine_zone_text() -> str:
    """What the machine's zone is read from (MEDDIARY_TZ, TZ, /etc/localtime), unparsed: travel changes it."""
    try:
        link = os.readlink("/etc/localtime")
    except OSError:
        link = ""
    return f"{os.environ.get('MEDDIARY_TZ', '')},{os.environ.get('TZ', '')},{link}"


def fingerprint(state: str, repeat: int, refill_days: int) -> str:
    return f"{state},{machine_zone_text()},{repeat},{refill_days}".replace("|", "/")


def quiet_key(state: str, repeat: int, refill_days: int, since: float, until: float) -> str:
    return f"quiet|{QUIET_VERSION}|{fingerprint(state, repeat, refill_days)}|{int(since)}|{int(until)}"


def quiet(opts: dict, now: float) -> bool:
    """True when the last full check said nothing new can come due before a time still ahead, for the
    diary as it is now; any doubt (no diary, an old schema, a damaged file) says False."""
    path = diary_path(opts["db"])
    if path is None or not os.path.isfile(path):
        return False
    from meddiary.store.glance import peek_file  # no pathlib, no Store: the quiet check stays quick

    found = peek_file(path)
    if found is None:
        return False
    latest, state = peek_state(found)
    if not latest or not latest.startswith("quiet|"):
        return False
    parts = latest.split("|")
    if len(parts) != 5 or parts[1] != QUIET_VERSION or parts[2] != fingerprint(state, opts["repeat"], opts["refill_days"]):
        return False
    return int(parts[3]) <= now < int(parts[4])


def fast(db: str | None, values: dict, env=None) -> int:
    """The fast path: the quiet check, else the full check (an injected `env` skips the quiet check only
    when it says so: tests run the full check with a fake clock)."""
    import time

    repeat, days = repeat_minutes(values["repeat"]), refill_days_value(values["refill_days"])
    if repeat is not None and days is not None and not values["json_out"] and env is None:
        if quiet({"db": db, "repeat": repeat, "refill_days": days}, time.time()):
            return 0
    if env is None:
        from meddiary.actions import Env

        env = Env(db)
    elif db is not None:
        env.db = db
    try:
        from meddiary.usecases import run

        run("due", env, values)
        if sys.stdout is not None:
            sys.stdout.flush()  # here, so a reader gone away (`| head`) is a BrokenPipeError mapped below
        return 0
    except BaseException as err:  # noqa: BLE001 - mapped as meddiary.cli.main maps them
        from meddiary.errors import fail_for

        fail_for(err)
    finally:
        env.close()
    return 1


# -- the full check -----------------------------------------------------------------------------------

def due(e, repeat: str, refill_days: str):
    """`meddiary due` with its options as typed (checked here, for both doors): the reminder check."""
    minutes, days = _checked(repeat, refill_days)
    return reminders(e, minutes, days)


def reminders(e, repeat: int, refill_days: int):
    """The reminder check: what is due (an actions.Result: one line each, none when nothing is), marked
    reminded in the same write transaction, with the quiet key that lets the next runs end at once."""
    from datetime import timedelta

    from meddiary import diary, loaders, remind, timeparse
    from meddiary.actions import Result
    from meddiary.store import glance

    now = e.now
    store = e.store() if e.path().exists() else None  # no diary: nothing to remind, and none made here
    tz, tz_name, machine, home = e.tz, e.tz_name, e.machine_tz_name, e.home
    chosen = []
    if store is not None:
        with store.transaction():  # checked and marked under the write lock: two runs never remind twice
            meds = store.medications()
            reach = diary.reach(meds)
            entries = store.entries_between(now - reach, now + reach)
            supplies, refills = loaders.load_supplies(store, meds, now, tz)
            check = remind.candidates(meds, entries, supplies, now, tz, refill_days, refills)
            reminded = store.last_reminded(remind.keys(check))
            chosen, nxt = remind.select(check, reminded, now, timedelta(minutes=repeat) if repeat else None)
            store.mark_reminded([k for c in chosen for k in (c.key, *c.extra_keys)], now)
            local = now.astimezone(tz)
            midnight = timeparse.day_end_utc(local.date(), tz)
            until = min(x for x in (nxt, midnight, now + timedelta(seconds=QUIET_AT_MOST_S)) if x is not None)
            latest, state = peek_state(glance.peek(store.conn))
            key = quiet_key(state, repeat, refill_days, now.timestamp(), until.timestamp())
            if latest != key:
                store.mark_reminded([key], now)
    zone_note = tz_name if home and home != machine else None

    def data() -> dict:
        from meddiary.views import shown_zone

        return {"now": now.astimezone(tz).isoformat(timespec="seconds"), "timezone": shown_zone(now, tz),
                "machine_timezone": machine, "home_timezone": home,
                "reminders": [remind.reminder_json(c, tz) for c in chosen]}

    # Under cron with a Latin-1 locale: a '?' for the dash in the mail, never a crash.
    return Result(remind.lines(chosen, zone_note), data, unencodable="replace")
