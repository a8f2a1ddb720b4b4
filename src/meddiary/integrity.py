"""`meddiary check` (with no questionnaire named): is the diary sound?

SQLite's own integrity check (every page and index), then meddiary's consistency checks on the rows the
store loads: references point at rows, stable ids are present and unique, times and dates parse, kinds are
known, each entry's `data` holds its kind's keys and keeps its kind's ranges, regimens and settings keep
theirs (the same rules import applies: `entry_problem`, `regimen_problem`, `setting_problem` below).
Problems are reported in plain words, one line each.
"""

import json
import math
import re
from datetime import date, datetime, time, timedelta
from itertools import compress, repeat
from operator import eq, itemgetter
from zoneinfo import ZoneInfo

from meddiary.errors import hidden_character
from meddiary.settings import zone_ok
from meddiary.model import ENTRY_KINDS, REGIMEN_SHAPE
from meddiary.store import MIGRATION_NAMES, TRAVELLING_TABLES
from meddiary.supply import MAX_FILL_DAYS
from meddiary.timeparse import all_as_stored

REGIMEN_KINDS = ("start", "change", "taper", "titration", "stop", "pause", "resume")
NEEDS_MEDICATION = ("take", "skip", "refill", "count")
MAX_LINES = 50  # a badly damaged diary: the first problems, then a count
_UID = re.compile(r"[0-9a-f]{32}")
_HEX_DIGITS = b"0123456789abcdef"


def check(store, now: datetime | None = None, sqlite_check=None) -> tuple[bool, list[str]]:
    """(sound?, lines to print). Never writes. With `now`, an entry dated later than it is a problem too.
    `sqlite_check`: SQLite's check, if the caller started it already (`Store.integrity_check_started`)."""
    import sqlite3

    from meddiary import collector

    # SQLite's check runs in a thread (in C, without Python's lock) while the rows are read and checked here;
    # what it says comes first, as when it ran first: a diary SQLite cannot read is said to be damaged, alone.
    if sqlite_check is None:
        sqlite_check = store.integrity_check_started()
    unreadable = None
    ours: list[str] = []
    with collector.paused():  # the whole diary in memory (collector.py)
        try:
            # SQL shows the entries sound a column at a time, or they are read whole; anything the quick
            # way cannot read is read again the whole way, to be said in its words
            tables, vouched = _vouched(store, now)
        except (sqlite3.Error, ValueError):
            tables = vouched = None
        try:
            if vouched is None:
                # entries as tuples (most of the diary: proved sound a column at a time, dicts made only to
                # name a problem), the few rows of the other tables as dicts
                tables = {t: store.table(t) if t == "entries" else store.rows(t) for t in TRAVELLING_TABLES}
            fk = store.foreign_key_problems()
            applied = store.applied_migrations()
        except sqlite3.DatabaseError as e:
            unreadable = e
        else:
            ours = _ours(tables, fk, applied, now, vouched)
        try:
            sqlite_says = sqlite_check()
        except sqlite3.DatabaseError as e:
            return False, [f"the diary at {store.path} is damaged: SQLite cannot read it ({e})"]
    problems: list[str] = []
    if sqlite_says != ["ok"]:
        problems += [f"SQLite's integrity check: {line}" for line in sqlite_says]
    if unreadable is not None:
        return False, problems + [f"the diary's tables cannot be read: {unreadable}"]
    problems = list(dict.fromkeys(problems + ours))  # one complaint said two ways is said once
    counts = {t: len(rows) for t, rows in tables.items()}
    if vouched is not None:
        counts["entries"] = vouched["count"]
    if not problems:
        return True, [
            f"ok: {store.path} passes SQLite's integrity check and meddiary's consistency checks",
            f"{counts['medications']} medications, {counts['regimens']} regimens, {counts['entries']} entries "
            f"({counts['retractions']} retractions), {counts['settings']} settings",
        ]
    shown = problems[:MAX_LINES]
    if len(problems) > MAX_LINES:
        shown.append(f"… and {len(problems) - MAX_LINES} more problems")
    return False, [f"problems in {store.path}: {len(problems)}", *shown]


def _ours(tables: dict[str, list[dict]], fk: list, applied: list[str], now: datetime | None,
          vouched: dict | None = None) -> list[str]:
    """meddiary's own problems with the rows read (after SQLite's, in `check`)."""
    problems = []
    if tuple(applied) != MIGRATION_NAMES:
        problems.append(f"the schema's migrations are {', '.join(applied) or 'none'}; expected {', '.join(MIGRATION_NAMES)}")
    problems += consistency(tables, vouched)
    if now is not None:
        problems += future_entries(tables, now)
    for table, rowid, parent in fk:
        if table in TRAVELLING_TABLES:
            continue  # said in plainer words by consistency()
        problems.append(f"{_singular(table)} #{rowid} refers to a row of {parent} that does not exist")
    return problems


def _hidden(what: str, col: str, value: str) -> str:
    """Text no command would have recorded (errors.check_text refuses it): shown escaped wherever printed."""
    return f"{what}: its {col} holds a control or invisible formatting character ({hidden_character(value)})"


def _singular(table: str) -> str:
    return {"entries": "entry", "aliases": "alias", "medications": "medication", "regimens": "regimen",
            "retractions": "retraction", "settings": "setting"}.get(table, table)


def _dicts(rows: list) -> list[dict]:
    """A table's rows as dicts, whether read as dicts (`Store.rows`) or as tuples (`Store.table`)."""
    return rows.dicts() if hasattr(rows, "names") else rows


def _column(rows: list, name: str) -> list | tuple:
    """One column's values in row order, for either kind of rows."""
    return rows.column(name) if hasattr(rows, "names") else list(map(itemgetter(name), rows))


def consistency(tables: dict[str, list], vouched: dict | None = None) -> list[str]:
    """meddiary's own checks on the rows of every travelling table (pure). Rows are dicts (`Store.rows`), or
    tuples with their column names (`Store.table`). `vouched`: the entries' columns (`Store.entry_columns`)
    when `_vouched` found nothing to say of any entry; their rows are then not in `tables`."""
    out: list[str] = []
    meds = {m["id"]: bool(m["as_needed"]) for m in tables["medications"]}
    entries = tables["entries"]
    if vouched is None:
        entry_ids = set(_column(entries, "id"))
        question_uids = set(compress(_column(entries, "uid"), map(eq, _column(entries, "kind"), repeat("question"))))
    else:  # what is asked of the entries below: whether a retracted one exists, which uids are questions
        entry_ids, question_uids = set(vouched["retracted"]), set(vouched["question_uids"])
    regimens = {r["id"] for r in tables["regimens"]}

    for table, rows in tables.items():
        if _rows_clear(rows):
            continue  # nothing the loop below would say (proved a column at a time, in C)
        seen: dict[str, int] = {}
        for r in _dicts(rows):
            what = f"{_singular(table)} #{r['id']}"
            uid = r.get("uid")
            if not uid:
                out.append(f"{what} has no stable id (uid)")
            elif not isinstance(uid, str) or not _UID.fullmatch(uid):
                out.append(f"{what} has a malformed stable id {uid!r}")
            elif uid in seen:
                out.append(f"{what} has the same stable id as {_singular(table)} #{seen[uid]}")
            else:
                seen[uid] = r["id"]
            for col in ("at_utc", "created_at_utc", "recorded_at_utc"):
                if col in r and not _instant_ok(r[col]):
                    out.append(f"{what}: its time {col} {r[col]!r} is not a UTC time")
            for col in ("tz", "created_tz"):
                if col in r and not (isinstance(r[col], str) and zone_ok(r[col])):
                    out.append(f"{what}: its time zone {r[col]!r} is not a known zone")
            out += [_hidden(what, col, v) for col, v in r.items() if isinstance(v, str) and hidden_character(v)]

    for a in tables["aliases"]:
        if a["medication_id"] not in meds:
            out.append(f"alias #{a['id']} ({a['alias']}) belongs to medication #{a['medication_id']}, which does not exist")
    for r in tables["regimens"]:
        what = f"regimen #{r['id']}"
        if r["medication_id"] not in meds:
            out.append(f"{what} belongs to medication #{r['medication_id']}, which does not exist")
        if r["kind"] not in REGIMEN_KINDS:
            out.append(f"{what} has the unknown kind {r['kind']!r} (known: {', '.join(REGIMEN_KINDS)})")
        if not _date_ok(r["start_date"]):
            out.append(f"{what}: its start date {r['start_date']!r} is not a date")
        if r["times_local"] and not all(_clock_ok(t) for t in str(r["times_local"]).split(",")):
            out.append(f"{what}: its times {r['times_local']!r} are not HH:MM times")
        if r["weekdays"] and not all(d in "0123456" and d for d in str(r["weekdays"]).split(",")):
            out.append(f"{what}: its weekdays {r['weekdays']!r} are not numbers 0-6")
        elif r["medication_id"] in meds and r["kind"] in REGIMEN_KINDS and _date_ok(r["start_date"]) \
                and (problem := regimen_problem(regimen_fields(r), meds[r["medication_id"]])):
            out.append(f"{what} ({r['kind']}): {problem[0]} is {problem[1]}")
    if not _entries_clear(entries, meds, question_uids):
        dose_rule: dict[tuple, Problem | None] = {}
        for e in _dicts(entries):
            out += _entry_lines(e, meds, question_uids, dose_rule)
    for s in tables["settings"]:
        if problem := setting_problem(s["key"], s["value"]):
            out.append(f"setting #{s['id']} ({s['key']}): {problem[0]} is {problem[1]}")
    targets: dict[tuple[str, int], int] = {}
    for x in tables["retractions"]:
        what = f"retraction #{x['id']}"
        if (x["entry_id"] is None) == (x["regimen_id"] is None):
            out.append(f"{what} must retract exactly one entry or one regimen")
            continue
        key = ("entry", x["entry_id"]) if x["entry_id"] is not None else ("regimen", x["regimen_id"])
        if key[0] == "entry" and key[1] not in entry_ids:
            out.append(f"{what} retracts entry #{key[1]}, which does not exist")
        if key[0] == "regimen" and key[1] not in regimens:
            out.append(f"{what} retracts regimen #{key[1]}, which does not exist")
        if key in targets:
            out.append(f"{what} retracts {key[0]} #{key[1]} again (retraction #{targets[key]} did already)")
        targets[key] = x["id"]
    return out


_SHAPE = ("kind", "medication_id", "dose_amount", "dose_unit", "data")
_NUMBERS = {int, float, bool}


def _entries_clear(entries: list, meds: dict, question_uids: set) -> bool:
    """Whether `_entry_lines` has nothing to say of any entry, tried once per distinct shape: what it says
    depends on an entry's kind, medication, dose and data alone (and its id, in the words). False when that
    cannot be shown; the entries are then looked at one by one, which names each problem."""
    try:
        if hasattr(entries, "names"):
            columns = [entries.column(name) for name in _SHAPE]
        else:  # rows as dicts (a test's may leave the dose out)
            columns = [[e["kind"] for e in entries], [e["medication_id"] for e in entries],
                       [e.get("dose_amount") for e in entries], [e.get("dose_unit") for e in entries],
                       [e["data"] for e in entries]]
        distinct = set(zip(*columns))
        # 1, 1.0 and True are one member of a set, but not to the rules: only a column holding at most one
        # kind of number has its values all in the set
        if any(len(_NUMBERS & set(map(type, column))) > 1 for column in columns):
            return False
    except (KeyError, TypeError):  # a row of other columns, a value that cannot be a member of a set
        return False
    return _shapes_clear(distinct, meds, question_uids)


def _shapes_clear(distinct: set[tuple], meds: dict, question_uids: set) -> bool:
    """Whether `_entry_lines` has nothing to say of an entry of any of these shapes (values of _SHAPE)."""
    dose_rule: dict[tuple, Problem | None] = {}
    return not any(_entry_lines({"id": 0, **dict(zip(_SHAPE, values))}, meds, question_uids, dose_rule)
                   for values in distinct)


def _entry_lines(e: dict, meds: dict, question_uids: set, dose_rule: dict[tuple, "Problem | None"]) -> list[str]:
    """What `consistency` says of one entry. `dose_rule`: entry_problem of an entry without data, per kind and
    dose (worked out once)."""
    out: list[str] = []
    if e["data"] is None and not ENTRY_KINDS.get(e["kind"], True) and (
            e["medication_id"] in meds or e["medication_id"] is None and e["kind"] not in NEEDS_MEDICATION):
        # most of a diary (takes and skips): its rule depends on its kind and dose only (types included:
        # 1 and 1.0 and True are one key to a dict, but not to the rule)
        amount, unit = e.get("dose_amount"), e.get("dose_unit")
        key = (e["kind"], amount.__class__, amount, unit.__class__, unit)
        if key not in dose_rule:
            dose_rule[key] = entry_problem(e["kind"], amount, unit, None, question_uids)
        if problem := dose_rule[key]:
            out.append(f"entry #{e['id']} ({e['kind']}): {problem[0]} is {problem[1]}")
        return out
    what = f"entry #{e['id']} ({e['kind']})"
    if e["kind"] not in ENTRY_KINDS:
        out.append(f"entry #{e['id']} has the unknown kind {e['kind']!r}")
        return out
    if e["medication_id"] is not None and e["medication_id"] not in meds:
        out.append(f"{what} refers to medication #{e['medication_id']}, which does not exist")
    elif e["medication_id"] is None and e["kind"] in NEEDS_MEDICATION:
        out.append(f"{what} names no medication")
    keys = ENTRY_KINDS[e["kind"]]
    data = None
    if e["data"] is not None:
        try:
            data = json.loads(e["data"])
        except (ValueError, TypeError):
            out.append(f"{what}: its data is not valid JSON")
            return out
        if not isinstance(data, dict):
            out.append(f"{what}: its data is not a JSON object")
            return out
        out += [_hidden(what, f"data.{k}", v) for k, v in data.items() if isinstance(v, str) and hidden_character(v)]
    if keys:
        missing = [k for k in keys if data is None or k not in data]
        if missing:
            out.append(f"{what}: its data lacks {', '.join(missing)}")
            return out
        if e["kind"] == "answer" and data["question"] not in question_uids:
            out.append(f"{what} answers a question ({data['question']}) that is not in the diary")
            return out
    if problem := entry_problem(e["kind"], e.get("dose_amount"), e.get("dose_unit"), data, question_uids):
        out.append(f"{what}: {problem[0]} is {problem[1]}")
    return out


_TIMES = ("at_utc", "created_at_utc", "recorded_at_utc")
_ZONES = ("tz", "created_tz")
_ZERO = timedelta(0)


def _rows_clear(rows: list[dict]) -> bool:
    """Whether the row-by-row checks every table gets in `consistency` (stable ids, times, zones, hidden
    text) would find nothing: proved a column at a time with built-ins that run in C (ten years of entries: a
    tenth of the time of the loop). False when that cannot be shown: the rows are then looked at
    one by one, which names each problem. Rows are dicts, or tuples with their column names."""
    if not rows:
        return True
    names = getattr(rows, "names", None)
    if names is None:
        names = list(rows[0])
        if set(map(len, rows)) != {len(names)}:  # the same columns in every row (or KeyError)
            return False
    if "uid" not in names:
        return False
    return all(_column_clear(col, _column(rows, col)) for col in names)


def _column_clear(col: str, values) -> bool:
    """Whether `consistency`'s row-by-row checks would find nothing in these values of column `col` (all of
    them; or, but for the stable ids and times, the distinct ones: nothing it asks of them is about how
    often a value comes)."""
    try:
        kinds = set(map(type, values))
        if col == "uid":
            # each 32 characters, so all of them together lowercase hex says each is
            if kinds != {str} or len(set(values)) != len(values) or set(map(len, values)) != {32} \
                    or not lowercase_hex("".join(values)):
                return False
        elif col in _TIMES:
            if kinds != {str}:
                return False
            if all_as_stored(values):  # UTC as iso_utc writes it: each need only be a real time
                list(map(datetime.fromisoformat, values))  # (a ValueError when one is not)
            elif set(map(datetime.utcoffset, map(datetime.fromisoformat, values))) != {_ZERO}:
                return False
        elif col in _ZONES:
            if kinds != {str} or not all(zone_ok(z) for z in set(values)):
                return False
        if str in kinds:  # no text holding a hidden character (tabs and line ends are not)
            texts = values if kinds == {str} else list(filter(None, values)) if kinds == {str, type(None)} \
                else [v for v in values if isinstance(v, str)]
            if hidden_character("\n".join(texts)) is not None:
                return False
    except (ValueError, TypeError, KeyError):  # a time that does not parse, a row of other columns
        return False
    return True


def _vouched(store, now: datetime | None) -> tuple[dict | None, dict | None]:
    """Every table but the entries read as rows, and the entries' columns (`Store.entry_columns`) when they
    show that `consistency` and `future_entries` have nothing to say of any entry; (None, None) when they
    do not, or cannot tell: the entries are then read whole, and each problem named. On ten years of
    entries this reads a third of what reading them whole does, and makes a few thousand objects, not
    three quarters of a million."""
    tables = {t: [] if t == "entries" else store.rows(t) for t in TRAVELLING_TABLES}
    columns = store.entry_columns()
    if columns is None:
        return None, None
    n = columns["count"]
    # every value of the stable ids and times (none of which holds the ',' they are joined by)
    whole = {col: joined.split(",") if n else [] for col, joined in columns["whole"].items()}
    if any(len(values) != n for values in whole.values()):
        return None, None
    names, distinct = columns["distinct"]
    others = dict(zip(names, map(list, zip(*distinct)))) if distinct else {}
    if not all(_column_clear(col, values) for col, values in (*whole.items(), *others.items())):
        return None, None
    shapes = [row[:len(_SHAPE)] for row in distinct]
    if any(len(_NUMBERS & set(map(type, column))) > 1 for column in zip(*shapes)):
        return None, None  # (see _entries_clear)
    meds = {m["id"]: bool(m["as_needed"]) for m in tables["medications"]}
    if not _shapes_clear(set(shapes), meds, set(columns["question_uids"])):
        return None, None
    times = whole["at_utc"]
    if now is not None and times:
        # in the stored form text compares in time order; any other form is parsed (real UTC times: above)
        latest = datetime.fromisoformat(max(times)) if all_as_stored(times) else max(map(datetime.fromisoformat, times))
        if latest > now:
            return None, None  # an entry later than now: future_entries names it
    return tables, columns


def lowercase_hex(text: str) -> bool:
    """Whether every character of `text` is a lowercase hex digit: deleting them leaves nothing (in C, a few
    times quicker than a pattern over a whole column)."""
    return text.isascii() and not text.encode("ascii").translate(None, _HEX_DIGITS)


def future_entries(tables: dict[str, list[dict]], now: datetime) -> list[str]:
    """Entries dated later than `now` (a clock set ahead when recorded, or imported from a machine whose
    was): no command records one, and each counts only once its time comes — a take not yet counted by the
    guard, a refill not yet on hand. Retracted ones are left out: they count nowhere. One line each (pure)."""
    entries = tables["entries"]
    try:
        if max(map(datetime.fromisoformat, _column(entries, "at_utc")), default=now) <= now:
            return []  # none is later (each time parsed, in C)
    except (ValueError, TypeError):  # a time that does not parse, or has no offset: looked at one by one below
        pass
    meds = {m["id"]: m["name"] for m in tables["medications"]}
    retracted = {x["entry_id"] for x in tables["retractions"] if x["entry_id"] is not None}
    out = []
    for e in _dicts(entries):
        if e["id"] in retracted or not _instant_ok(e["at_utc"]):
            continue  # a malformed time is said by consistency()
        at = datetime.fromisoformat(e["at_utc"])
        if at <= now:
            continue
        zone = e["tz"] if isinstance(e["tz"], str) and zone_ok(e["tz"]) else "UTC"
        local = at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
        med = f", {meds[e['medication_id']]}" if e["medication_id"] in meds else ""
        out.append(f"entry #{e['id']} ({e['kind']}{med}) is dated {local} {zone}, later than now (a clock set "
                   "ahead, or imported?): it counts only from then on")
    return out


def _instant_ok(value) -> bool:
    """A UTC time as the store writes it (offset +00:00): text compares in time order only in UTC."""
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).utcoffset() == timedelta(0)
    except ValueError:
        return False


def regimen_fields(r: dict) -> dict:
    """A regimen row (the regimens table's columns: model.REGIMEN_SHAPE) as `regimen_problem` takes it: every
    column, with its times, weekdays and doses as lists (a value that is not one kept as it is, to be named)."""
    weekdays = None
    if r["weekdays"]:
        try:
            weekdays = [int(d) for d in str(r["weekdays"]).split(",")]
        except ValueError:
            weekdays = [r["weekdays"]]
    doses = None
    if r.get("doses_local"):
        try:
            doses = [float(x) for x in str(r["doses_local"]).split(",")]
        except ValueError:
            doses = [r["doses_local"]]
    return {**{s.column: r.get(s.column) for s in REGIMEN_SHAPE},
            "times": str(r["times_local"]).split(",") if r["times_local"] else [], "weekdays": weekdays,
            "doses": doses}


def _date_ok(value) -> bool:
    try:
        date.fromisoformat(value)
    except (ValueError, TypeError):
        return False
    return True


def _clock_ok(value: str) -> bool:
    try:
        time.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 5


# -- the rules a row keeps: import refuses a document that breaks one, check names a row that does -------

MAX_COUNT = 10**9  # units dispensed or counted: far above any real supply, far below float surprises
Problem = tuple[str, str]  # (the field, what is wrong with it)


def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _bad(field: str, value, expected: str) -> Problem:
    return field, f"{_shown(value)}, expected {expected}"


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text_ok(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def dose_problem(amount, unit, *, required: bool) -> Problem | None:
    """A dose is an amount above 0 (at most doses.MAX_AMOUNT) with a unit meddiary knows, as `parse_dose`
    writes it; both null is no dose (allowed unless `required`)."""
    from meddiary.doses import DOSE_FORMS, MAX_AMOUNT, parse_dose
    from meddiary.errors import UsageError

    if amount is None and unit is None and not required:
        return None
    if not _is_number(amount) or not 0 < amount <= MAX_AMOUNT:
        return _bad("dose_amount", amount, f"a number above 0 with dose_unit ({DOSE_FORMS})"
                    + ("" if required else ", or both null"))
    try:
        ok = isinstance(unit, str) and parse_dose(f"1{unit}")[1] == unit
    except UsageError:
        ok = False
    if not ok:
        return _bad("dose_unit", unit, "a unit such as mg, mcg, g, ml, IU, tablet, capsule, drop, puff or patch")
    return None


def regimen_problem(r: dict, as_needed: bool) -> Problem | None:
    """One regimen's rule (r: kind, dose_amount, dose_unit, times as a list of 'HH:MM', weekdays as a list
    or None, every_days, max_per_day): a dosing one has a dose; a scheduled medication's has its times;
    every_days and max_per_day are at least 1; weekdays are 0 (Monday) to 6, not both with every_days."""
    from meddiary.regimens import MAX_PER_DAY

    if r["kind"] not in ("stop", "pause"):  # neither has a dose
        if r["dose_amount"] is None:
            return "dose_amount", f"null: a {r['kind']} regimen needs its dose"
        if p := dose_problem(r["dose_amount"], r["dose_unit"], required=True):
            return p
        if not as_needed and not r["times"]:
            return "times", f"empty: a {r['kind']} regimen of a scheduled medication needs its times of day"
    weekdays, every = r["weekdays"], r["every_days"]
    if weekdays is not None and (not isinstance(weekdays, list | tuple) or not weekdays
                                 or not all(_is_whole(d) and 0 <= d <= 6 for d in weekdays)):
        return _bad("weekdays", weekdays, "null or a list of numbers 0 (Monday) to 6 (Sunday)")
    if every is not None and not (_is_whole(every) and 1 <= every <= 36_600):
        return _bad("every_days", every, "null or a whole number of days from 1 to 36600")
    if weekdays and every is not None:
        return "every_days", f"{every} with weekdays: a regimen has weekdays or every_days, not both"
    if r["max_per_day"] is not None and not (_is_whole(r["max_per_day"]) and 1 <= r["max_per_day"] <= MAX_PER_DAY):
        return _bad("max_per_day", r["max_per_day"], f"null or a whole number from 1 to {MAX_PER_DAY}")
    return schedule_problem(r, as_needed)


def schedule_problem(r: dict, as_needed: bool) -> Problem | None:
    """The rules of the schedule kinds (the fields `add` and `change` write): the stored kind is the one its
    fields make; a dose per time has one amount per time; months 1–24; a cycle's days 1–365 each; an
    injection's window under half its interval; as-needed amounts positive."""
    from meddiary.doses import MAX_AMOUNT
    from meddiary.model import SCHEDULES, schedule_of

    times, doses = r["times"], r.get("doses")
    if doses is not None and (not isinstance(doses, list | tuple) or len(doses) != len(times)
                              or not all(_is_number(a) and 0 < a <= MAX_AMOUNT for a in doses)):
        return _bad("doses", doses, f"null or one amount above 0 for each of its {len(times)} times")
    months, on, off, window = r.get("every_months"), r.get("cycle_on"), r.get("cycle_off"), r.get("window_days")
    if months is not None and not (_is_whole(months) and 1 <= months <= 24):
        return _bad("every_months", months, "null or a whole number of months from 1 to 24")
    if (on is None) != (off is None) or (on is not None and not (_is_whole(on) and _is_whole(off)
                                                                  and 1 <= on <= 365 and 1 <= off <= 365)):
        return _bad("cycle_on", on, "null, or days on and cycle_off days off, each from 1 to 365")
    if window is not None:
        interval = r["every_days"] or 28 * (months or 0)
        if not (_is_whole(window) and 0 <= window and 2 * window < interval):
            return _bad("window_days", window, "null or whole days under half the injection's interval (every_days or every_months)")
    for key in ("max_amount", "prn_amount"):
        if r.get(key) is not None and not (_is_number(r[key]) and 0 < r[key] <= MAX_AMOUNT):
            return _bad(key, r[key], "null or an amount above 0")
    if r.get("anchor_date") is not None and not _date_ok(r["anchor_date"]):
        return _bad("anchor_date", r["anchor_date"], "null or a date like 2026-11-26")
    kind = r.get("schedule")
    if r["kind"] in ("stop", "pause"):
        return None
    expected = schedule_of(times, r["weekdays"], r["every_days"], months, on, window)
    if kind is not None and (kind not in SCHEDULES or kind != expected):
        return _bad("schedule", kind, f"{expected!r} (what its times, weekdays, every_days, every_months, cycle and "
                    "window make)")
    if r.get("prn_amount") is not None and as_needed:
        return _bad("prn_amount", r["prn_amount"], "null for an as-needed medication (its dose is dose_amount)")
    return None


def _slot_name_ok(text: str) -> bool:
    """'2026-11-26T08:00': a day and a time of day (how `take --for` names a dose)."""
    try:
        return len(text) == 16 and text[10] == "T" and bool(date.fromisoformat(text[:10])) and \
            bool(time.fromisoformat(text[11:]))
    except ValueError:
        return False


def entry_problem(kind: str, dose_amount, dose_unit, data: dict | None, question_uids) -> Problem | None:
    """One entry's rule for its kind (the ranges the commands that record it enforce); `data` holds the
    kind's keys (checked before); `question_uids`: the questions an answer may close."""
    from meddiary.scales import INSTRUMENTS, score
    from meddiary.wellbeing import SEVERITIES

    d = data or {}
    if kind == "take":
        if "as_needed" in d and d["as_needed"] is not True:
            return _bad("data.as_needed", d["as_needed"], "true (an as-needed dose), or left out")
    if kind in ("take", "skip") and "for" in d and not (isinstance(d["for"], str) and _slot_name_ok(d["for"])):
        return _bad("data.for", d["for"], "the dose named, YYYY-MM-DDTHH:MM, or left out")
    if kind in ("take", "skip"):
        return dose_problem(dose_amount, dose_unit, required=False)
    if kind == "mood":
        if d["score"] is not None and not (_is_whole(d["score"]) and 1 <= d["score"] <= 10):
            return _bad("data.score", d["score"], "a whole number from 1 to 10, or null")
        for key in ("depressed", "elevated", "anxiety", "irritability"):
            if d[key] is not None and not (_is_whole(d[key]) and 0 <= d[key] <= 3):
                return _bad(f"data.{key}", d[key], "a whole number from 0 to 3, or null")
        if d["sleep_hours"] is not None and not (_is_number(d["sleep_hours"]) and 0 <= d["sleep_hours"] <= 24):
            return _bad("data.sleep_hours", d["sleep_hours"], "hours from 0 to 24, or null")
    elif kind == "side_effect":
        if not _text_ok(d["symptom"]):
            return _bad("data.symptom", d["symptom"], "the symptom's name (text)")
        if d["severity"] is not None and d["severity"] not in SEVERITIES:
            return _bad("data.severity", d["severity"], f"{', '.join(SEVERITIES)} or null")
        if not isinstance(d["resolved"], bool):
            return _bad("data.resolved", d["resolved"], "true or false")
    elif kind == "check":
        inst = INSTRUMENTS.get(d["instrument"]) if isinstance(d["instrument"], str) else None
        if inst is None:
            return _bad("data.instrument", d["instrument"], " or ".join(INSTRUMENTS))
        answers = d["answers"]
        if not isinstance(answers, list) or len(answers) != len(inst.items) or \
                not all(_is_whole(a) and 0 <= a <= 3 for a in answers):
            return _bad("data.answers", answers, f"{len(inst.items)} answers, each 0, 1, 2 or 3")
        expected = score(inst, answers)
        for key in ("total", "severity", "item9"):
            if d[key] != expected[key] or type(d[key]) is not type(expected[key]):
                return _bad(f"data.{key}", d[key], f"{_shown(expected[key])} (from the answers)")
    elif kind == "question":
        if not _text_ok(d["text"]):
            return _bad("data.text", d["text"], "the question (text)")
    elif kind == "answer":
        if not isinstance(d["question"], str) or d["question"] not in question_uids:
            return _bad("data.question", d["question"], "the uid of a question in the document or the diary")
        if d["answer"] is not None and not isinstance(d["answer"], str):
            return _bad("data.answer", d["answer"], "text or null")
    elif kind == "refill":
        if not (_is_number(d["qty"]) and 0 < d["qty"] <= MAX_COUNT):
            return _bad("data.qty", d["qty"], "a number above 0 (units dispensed)")
        if d["repeats_left"] is not None and not (_is_whole(d["repeats_left"]) and 0 <= d["repeats_left"] <= MAX_COUNT):
            return _bad("data.repeats_left", d["repeats_left"], "a whole number from 0, or null")
        days = d.get("days_supply")
        if days is not None and not (_is_whole(days) and 0 <= days <= MAX_FILL_DAYS):
            return _bad("data.days_supply", days, f"a whole number of days from 0 to {MAX_FILL_DAYS}, or null")
    elif kind == "count":
        if not (_is_number(d["count"]) and 0 <= d["count"] <= MAX_COUNT):
            return _bad("data.count", d["count"], "a number from 0 (units on hand)")
    elif kind == "measurement":
        from meddiary import measures

        if found := measures.problem(d):
            return _bad(found[0], d.get(found[0].removeprefix("data.")), found[1])
    return None


def setting_problem(key, value) -> Problem | None:
    """Settings meddiary reads, and their values (null: unset): the registry's rules (meddiary.settings)."""
    from meddiary import settings

    found = settings.problem(key, value)
    return _bad(*found) if found else None
