"""The console script's entry point, and the reminder check `meddiary due` that cron runs.

`meddiary due` runs 288 times a day for years, mostly with nothing to say, so it has a fast path that never
imports Typer (nor Rich, sqlite-utils, dateutil or json unless printing JSON):

1. `due_options` parses `[--db PATH] due [--json] [--notify] [--repeat 30m] [--refill-days 7]` by hand.
   Anything else (--help, an unknown or repeated option, a value it does not accept) goes to the full
   Typer CLI, so options and errors behave exactly as the documented command's.
2. `quiet` asks the diary one small question: the latest reminder-state row and the highest row ids of
   the tables a reminder depends on. Each full check ends by recording, as a reminder key,
   "nothing new until T, for this state of the diary, zone and options" (`quiet_key`); while that holds,
   `due` exits 0 at once. A new entry, regimen, medication, retraction or setting, another zone or other
   options make the key stale.
3. Otherwise `run_due` does the full check (store, remind, supply) inside one write transaction, so two
   `due` runs at the same moment never remind twice; the Typer command `due` calls the same function.

`quiet` reads the diary with its own SQL, the one exception to "store.py holds every statement": importing
store.py costs pathlib (half of the time budget). Moving `peek` into store.py needs store.py to import
pathlib lazily (see the reminders helper's report).

The loaders for reminders and supply (`load_supplies`) are here too, for the same reason: `due` needs them
without Typer; the `supply` command and the report import them from here.
"""

import os
import sys

QUIET_VERSION = "1"
HOME_TZ_SETTING = "timezone"  # = meddiary.cli.HOME_TZ_SETTING (a test checks); cli imports Typer
DEFAULT_REPEAT_MINUTES = 30
DEFAULT_REFILL_DAYS = 7
MAX_REPEAT_MINUTES = 24 * 60
MAX_REFILL_DAYS = 365
QUIET_AT_MOST_S = 12 * 3600
REPEAT_FORMS = "0 (once only) or minutes or hours up to 24h, e.g. 30m, 90m, 2h"
REFILL_DAYS_FORMS = "a whole number of days from 0 (no low-supply warnings) to 365, e.g. 7"


def main(argv: list[str] | None = None) -> None:
    try:
        _main(argv)
    except KeyboardInterrupt as err:  # Ctrl-C outside a command's own handling (while loading): 130 too
        from meddiary.errors import fail_for

        fail_for(err)


def _main(argv: list[str] | None) -> None:
    errors = sys.modules.get("meddiary.errors")  # not imported yet: no earlier run left cleanups (and `due`
    if errors is not None:                       # stays clear of importing enum)
        errors.begin_run()
    args = global_options_first(sys.argv[1:] if argv is None else argv)
    if args is None:
        sys.stderr.write("meddiary: --db is given twice: give the diary once, e.g. meddiary --db FILE today\n")
        sys.exit(2)
    never_fail_to_encode()
    completing = "_MEDDIARY_COMPLETE" in os.environ  # the shell asks for completions: Typer's, no fast path
    opts = None if completing else due_options(args)
    if opts is not None:
        sys.exit(fast_due(opts))
    hot = None if completing else hot_options(args)
    if hot is not None:
        sys.exit(fast_hot(*hot))
    from meddiary.cli import main as cli_main

    cli_main(args)


def never_fail_to_encode() -> None:
    """On a terminal or pipe that is not UTF-8 (PYTHONIOENCODING=ascii, a Latin-1 locale under cron) a
    character it cannot show is written as an escape, never raised: a line printed after an entry was
    recorded must not turn it into a failure."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if stream is not None and encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def global_options_first(args: list[str]) -> list[str] | None:
    """`meddiary today --db FILE` as `meddiary --db FILE today`: the global options --db and --no-pager may
    come after the command too (before a `--`). None: --db given twice."""
    found, flags, rest, i = [], [], [], 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest += args[i:]
            break
        if a == "--db" and i + 1 < len(args):
            found.append(args[i:i + 2])
            i += 2
            continue
        if a.startswith("--db="):
            found.append([a])
        elif a == "--no-pager":
            flags.append(a)
        else:
            rest.append(a)
        i += 1
    if len(found) > 1:
        return None
    return (found[0] if found else []) + flags[:1] + rest if (found or flags) else args


def hot_options(args: list[str]) -> tuple | None:
    """A plain `[--db PATH]` then nothing, `today [--json]` or `take NAME…` (names only): (command, db,
    argument); None for anything else, which Typer handles (options, help, errors)."""
    db = None
    if args[:1] == ["--db"] and len(args) >= 2:
        db, args = args[1], args[2:]
    elif args[:1] and args[0].startswith("--db="):
        db, args = args[0][5:], args[1:]
    if args in ([], ["today"]):
        return "today", db, False
    if args == ["today", "--json"]:
        return "today", db, True
    if len(args) >= 2 and args[0] == "take" and not any(a.startswith("-") or not a.strip() for a in args[1:]):
        return "take", db, args[1:]
    return None


def fast_hot(command: str, db: str | None, arg) -> int:
    """Run `today` or `take NAME…` through the same functions as the Typer commands (meddiary.actions)."""
    try:
        from meddiary import actions  # inside: a Ctrl-C while importing is mapped like any other

        e = actions.Env(db)
        if command == "today":
            actions.today(e, arg)
        else:
            actions.take(e, arg, None, None, None, False)
        if sys.stdout is not None:
            sys.stdout.flush()  # here, so a reader gone away (`| head`) is a BrokenPipeError mapped below
    except BaseException as err:  # noqa: BLE001 - mapped as meddiary.cli.main maps them
        from meddiary.errors import fail_for

        fail_for(err)
    return 0


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


def due_options(args: list[str]) -> dict | None:
    """The options of a plain `[--db PATH] due ...` invocation, or None (not `due`, or anything unusual)."""
    db = None
    i = 0
    while i < len(args) and args[i].startswith("-"):
        if args[i] == "--db" and i + 1 < len(args) and db is None:
            db, i = args[i + 1], i + 2
        elif args[i].startswith("--db=") and db is None:
            db, i = args[i][5:], i + 1
        else:
            return None
    if db is not None and not db.strip():
        return None  # an empty --db: the full CLI says so (the quiet check would read the default diary)
    if i >= len(args) or args[i] != "due":
        return None
    opts = {"db": db, "json": False, "notify": False, "repeat": DEFAULT_REPEAT_MINUTES,
            "refill_days": DEFAULT_REFILL_DAYS}
    seen = set()
    rest = args[i + 1:]
    j = 0
    while j < len(rest):
        name, eq, value = rest[j].partition("=")
        if name in seen:
            return None
        seen.add(name)
        if name in ("--json", "--notify") and not eq:
            opts[name[2:]] = True
        elif name in ("--repeat", "--refill-days"):
            if not eq:
                if j + 1 >= len(rest):
                    return None
                j += 1
                value = rest[j]
            parsed = repeat_minutes(value) if name == "--repeat" else refill_days_value(value)
            if parsed is None:
                return None
            opts["repeat" if name == "--repeat" else "refill_days"] = parsed
        else:
            return None
        j += 1
    return opts


# -- the quiet check ----------------------------------------------------------------------------------

_PEEK = ("SELECT (SELECT key FROM reminders ORDER BY id DESC LIMIT 1), (SELECT max(id) FROM entries),"
         " (SELECT max(id) FROM retractions), (SELECT max(id) FROM regimens), (SELECT max(id) FROM medications),"
         " (SELECT max(id) FROM aliases), (SELECT max(id) FROM settings)")


def peek(conn) -> tuple[str | None, str]:
    """The latest reminder-state key, and the diary's state as text (highest ids of what reminders read)."""
    latest, *ids = conn.execute(_PEEK).fetchone()
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
    import sqlite3

    try:
        conn = sqlite3.connect(path, timeout=5, isolation_level=None)
        try:
            latest, state = peek(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    if not latest or not latest.startswith("quiet|"):
        return False
    parts = latest.split("|")
    if len(parts) != 5 or parts[1] != QUIET_VERSION or parts[2] != fingerprint(state, opts["repeat"], opts["refill_days"]):
        return False
    return int(parts[3]) <= now < int(parts[4])


def fast_due(opts: dict) -> int:
    import time

    if not opts["json"] and quiet(opts, time.time()):
        return 0
    from datetime import UTC, datetime

    try:
        return run_due(opts["db"], datetime.now(UTC), opts["json"], opts["notify"], opts["repeat"], opts["refill_days"])
    except BaseException as err:  # noqa: BLE001 - mapped as meddiary.cli.main maps them
        from meddiary.errors import fail_for

        fail_for(err)
    return 1


# -- the full check -----------------------------------------------------------------------------------

def load_supplies(store, meds, now, tz) -> tuple[dict, dict]:
    """supply.status per medication id (those with a refill or count recorded) and the latest refill entry
    per medication id, read through the store (grouped take counts, never years of rows)."""
    from datetime import timedelta

    from meddiary import supply

    records: dict[int, tuple[list, list]] = {}
    for e in store.entries_of(("refill", "count")):
        counts, refills = records.setdefault(e.medication_id, ([], []))
        (counts if e.kind == "count" else refills).append(e)
    statuses, latest = {}, {}
    today = now.astimezone(tz).date()
    for med in meds:
        if med.id not in records:
            continue
        counts, refills = records[med.id]
        since, _ = supply.anchor(counts, refills)
        # as needed: the last 30 days' use; a long-acting injection: its takes over the last interval and window
        # (the last one given decides the next due date)
        injection = any(r.schedule == "injection" for r in med.regimens)
        recent = store.take_totals(med.id, now - timedelta(days=supply.AS_NEEDED_DAYS if med.as_needed else 400)) \
            if med.as_needed or injection else None
        statuses[med.id] = supply.status(med, counts, refills, store.take_totals(med.id, since), today, tz, recent)
        if refills:
            latest[med.id] = max(refills, key=lambda e: (e.at, e.id))
    return statuses, latest


def zones(store) -> tuple[str, str, str | None]:
    """(the zone in use, the machine's, the home zone set in the diary or None) — as cli.Env decides."""
    from meddiary import timeparse

    machine = timeparse.local_zone_name()
    home = store.setting(HOME_TZ_SETTING) if store is not None else None
    return home or machine, machine, home


def run_due(db: str | None, now, json_out: bool, notify: bool, repeat: int, refill_days: int) -> int:
    """The reminder check: print what is due (one line each, nothing when nothing is), mark it reminded."""
    from datetime import timedelta

    from meddiary import diary, remind, timeparse, travel
    from meddiary.store import Store, resolve_path

    path = resolve_path(db)
    store = Store(path) if path.exists() else None  # no diary: nothing to remind, and none made here
    tz_name, machine, home = zones(store)
    tz = timeparse.zone(tz_name) if home else travel.for_diary(store, timeparse.zone(machine), now)
    chosen = []
    if store is not None:
        with store.transaction():  # checked and marked under the write lock: two runs never remind twice
            meds = store.medications()
            reach = diary.reach(meds)
            entries = store.entries_between(now - reach, now + reach)
            supplies, refills = load_supplies(store, meds, now, tz)
            check = remind.candidates(meds, entries, supplies, now, tz, refill_days, refills)
            reminded = store.last_reminded(remind.keys(check))
            chosen, nxt = remind.select(check, reminded, now, timedelta(minutes=repeat) if repeat else None)
            store.mark_reminded([k for c in chosen for k in (c.key, *c.extra_keys)], now)
            local = now.astimezone(tz)
            midnight = timeparse.day_start_utc(local.date() + timedelta(days=1), tz)
            until = min(x for x in (nxt, midnight, now + timedelta(seconds=QUIET_AT_MOST_S)) if x is not None)
            latest, state = peek(store.conn)
            key = quiet_key(state, repeat, refill_days, now.timestamp(), until.timestamp())
            if latest != key:
                store.mark_reminded([key], now)
    zone_note = tz_name if home and home != machine else None
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    if encoding != "utf8" and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")  # a Latin-1 locale under cron: a '?' for the dash, never a crash
    if json_out:
        import json

        obj = {"now": now.astimezone(tz).isoformat(timespec="seconds"), "timezone": tz_name,
               "machine_timezone": machine, "home_timezone": home,
               "reminders": [remind.reminder_json(c, tz) for c in chosen]}
        sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")
    else:
        width = None
        if sys.stdout.isatty():  # run by hand at a terminal: wrapped at word boundaries; under cron, as is
            from meddiary import screen

            width = screen.columns(sys.stdout)
        for line in remind.lines(chosen, zone_note):
            sys.stdout.write((screen.fit(line, width) if width else line) + "\n")
    if notify and chosen:
        send_notifications(remind.lines(chosen, zone_note))
    sys.stdout.flush()
    return 0


def session_bus() -> tuple[str | None, str | None]:
    """(the desktop session bus address notify-send needs, why there is none). cron's environment has no
    DBUS_SESSION_BUS_ADDRESS; the user's bus is then found at $XDG_RUNTIME_DIR/bus or /run/user/UID/bus."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "").strip()
    if address:
        return address, None
    folders = [os.environ.get("XDG_RUNTIME_DIR", "").strip(), f"{RUN_USER}/{os.getuid()}"]
    for folder in filter(None, folders):
        bus = os.path.join(folder, "bus")
        if os.path.exists(bus):
            return f"unix:path={bus}", None
    return None, (f"no desktop session bus: DBUS_SESSION_BUS_ADDRESS is not set and there is no {folders[-1]}/bus"
                  " (no one logged in to a desktop, or cron runs as another user)")


RUN_USER = "/run/user"  # where the user's session bus lives (tests point it elsewhere)


def send_notifications(lines: list[str]) -> None:
    """A desktop notification per reminder through notify-send, on the session bus found even from cron.
    When none can be sent: one line on stderr saying why (the reminders are printed anyway)."""
    import shutil
    import subprocess

    def cannot(why: str) -> None:
        sys.stderr.write(f"meddiary: cannot notify: {why}; the reminders are printed only\n")

    tool = shutil.which("notify-send")
    if tool is None:
        cannot("notify-send is not available here (on Debian/Ubuntu: apt install libnotify-bin)")
        return
    address, why = session_bus()
    if address is None:
        cannot(why)
        return
    child_env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address}
    for line in lines:
        try:
            done = subprocess.run([tool, "--app-name=meddiary", "meddiary", line], timeout=10, env=child_env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
        except (OSError, subprocess.SubprocessError) as err:
            cannot(f"notify-send failed ({err})")
            return
        if done.returncode != 0:
            said = " ".join((done.stderr or "").split())[:200] or f"exit status {done.returncode}"
            cannot(f"notify-send failed on {address}: {said}")
            return
