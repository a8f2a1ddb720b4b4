"""`meddiary check` (with no questionnaire named): is the diary sound?

SQLite's own integrity check (every page and index), then meddiary's consistency checks on the rows the
store loads: references point at rows, stable ids are present and unique, times and dates parse, kinds are
known, each entry's `data` holds its kind's keys. Problems are reported in plain words, one line each.
"""

import json
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from meddiary.model import ENTRY_KINDS
from meddiary.store import MIGRATION_NAMES, TRAVELLING_TABLES

REGIMEN_KINDS = ("start", "change", "taper", "stop")
MAX_LINES = 50  # a badly damaged diary: the first problems, then a count
_UID = re.compile(r"[0-9a-f]{32}")


def check(store) -> tuple[bool, list[str]]:
    """(sound?, lines to print). Never writes."""
    import sqlite3

    problems: list[str] = []
    try:
        sqlite_says = store.integrity_check()
    except sqlite3.DatabaseError as e:
        return False, [f"the diary at {store.path} is damaged: SQLite cannot read it ({e})"]
    if sqlite_says != ["ok"]:
        problems += [f"SQLite's integrity check: {line}" for line in sqlite_says]
    try:
        tables = {t: store.rows(t) for t in TRAVELLING_TABLES}
        fk = store.foreign_key_problems()
        applied = store.applied_migrations()
    except sqlite3.DatabaseError as e:
        return False, problems + [f"the diary's tables cannot be read: {e}"]
    if tuple(applied) != MIGRATION_NAMES:
        problems.append(f"the schema's migrations are {', '.join(applied) or 'none'}; expected {', '.join(MIGRATION_NAMES)}")
    problems += consistency(tables)
    for table, rowid, parent in fk:
        if table in TRAVELLING_TABLES:
            continue  # said in plainer words by consistency()
        problems.append(f"{_singular(table)} #{rowid} refers to a row of {parent} that does not exist")
    problems = list(dict.fromkeys(problems))  # one complaint said two ways is said once
    counts = {t: len(rows) for t, rows in tables.items()}
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


def _singular(table: str) -> str:
    return {"entries": "entry", "aliases": "alias", "medications": "medication", "regimens": "regimen",
            "retractions": "retraction", "settings": "setting"}.get(table, table)


def consistency(tables: dict[str, list[dict]]) -> list[str]:
    """meddiary's own checks on the rows of every travelling table (pure)."""
    out: list[str] = []
    zones: dict[str, bool] = {}
    meds = {m["id"] for m in tables["medications"]}
    entry_kinds = {e["id"]: e["kind"] for e in tables["entries"]}
    regimens = {r["id"] for r in tables["regimens"]}
    question_uids = {e["uid"] for e in tables["entries"] if e["kind"] == "question"}

    def zone_ok(name) -> bool:
        if name not in zones:
            try:
                ZoneInfo(name)
                zones[name] = True
            except (ZoneInfoNotFoundError, ValueError, TypeError):
                zones[name] = False
        return zones[name]

    for table, rows in tables.items():
        seen: dict[str, int] = {}
        for r in rows:
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
        if r["kind"] != "stop" and r["dose_amount"] is None:
            out.append(f"{what} ({r['kind']}) has no dose")
    for e in tables["entries"]:
        what = f"entry #{e['id']} ({e['kind']})"
        if e["kind"] not in ENTRY_KINDS:
            out.append(f"entry #{e['id']} has the unknown kind {e['kind']!r}")
            continue
        if e["medication_id"] is not None and e["medication_id"] not in meds:
            out.append(f"{what} refers to medication #{e['medication_id']}, which does not exist")
        elif e["medication_id"] is None and e["kind"] in ("take", "skip", "refill", "count"):
            out.append(f"{what} names no medication")
        keys = ENTRY_KINDS[e["kind"]]
        data = None
        if e["data"] is not None:
            try:
                data = json.loads(e["data"])
            except (ValueError, TypeError):
                out.append(f"{what}: its data is not valid JSON")
                continue
            if not isinstance(data, dict):
                out.append(f"{what}: its data is not a JSON object")
                continue
        if keys:
            missing = [k for k in keys if data is None or k not in data]
            if missing:
                out.append(f"{what}: its data lacks {', '.join(missing)}")
            elif e["kind"] == "answer" and data["question"] not in question_uids:
                out.append(f"{what} answers a question ({data['question']}) that is not in the diary")
    targets: dict[tuple[str, int], int] = {}
    for x in tables["retractions"]:
        what = f"retraction #{x['id']}"
        if (x["entry_id"] is None) == (x["regimen_id"] is None):
            out.append(f"{what} must retract exactly one entry or one regimen")
            continue
        key = ("entry", x["entry_id"]) if x["entry_id"] is not None else ("regimen", x["regimen_id"])
        if key[0] == "entry" and key[1] not in entry_kinds:
            out.append(f"{what} retracts entry #{key[1]}, which does not exist")
        if key[0] == "regimen" and key[1] not in regimens:
            out.append(f"{what} retracts regimen #{key[1]}, which does not exist")
        if key in targets:
            out.append(f"{what} retracts {key[0]} #{key[1]} again (retraction #{targets[key]} did already)")
        targets[key] = x["id"]
    return out


def _instant_ok(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).utcoffset() is not None
    except ValueError:
        return False


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
