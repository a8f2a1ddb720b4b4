"""Bringing a history from another tracker: medTimer's event CSV, any CSV with a column mapping, pharm's JSON.

Each reader turns a file into rows (where in the file, medication, time, dose, note) without judging them;
`plan` then checks every row with the validators `meddiary take` uses (the medication by name or alias, the
dose, a time that is not in the future) and returns the take entries to write. The first bad row is refused
with its number and nothing is imported. Each take gets a stable uid made from what it records, so importing
the same file twice adds nothing.

The formats, as their programs write them:

- medTimer (Android), "Export events" as CSV: a header line, then one line per reminder event, nine fields
  joined by ';' without quoting: reminded (localized), name, amount, taken (localized, empty when not taken),
  tags, interval, notes, reminded (ISO 8601, UTC), taken (ISO 8601, UTC, empty when not taken). The header
  is translated, so columns are taken by position; a ';' inside the notes makes more fields, and the notes
  are what lies between the interval and the last two fields. Events never taken are left out: meddiary
  derives missed doses from the schedule instead of storing them.
- pharm (a Rust CLI), its ~/.pharm.json: {"medications": [...], "archived_medications": [...]} (an older
  version: just the list), each medication {"name", "dose", ..., "history": [{"timestamp", "dose"}]} with
  local times "08:30:15 - 2025/10/21" (what `pharm take` writes) or "2025-10-21 08:30:15".
- A CSV with a header: `--map time=Date,name=Drug,dose=Amount,note=Notes` names the columns (time and
  name are needed; `date=Day` when the time column holds only the clock); the delimiter (, ; or tab) is
  found from the header line.

Pure: text in, rows and entries out; the command reads the file and writes through the store.
"""

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from meddiary.errors import UsageError

SOURCES = ("meddiary", "medtimer", "csv", "pharm")
MAP_KEYS = ("time", "name", "dose", "note", "date")  # time and name are needed; date: when time is a clock only
MAP_FORMS = ("--map time=COLUMN,name=COLUMN[,dose=COLUMN][,note=COLUMN][,date=COLUMN], e.g. "
             "--map time=Date,name=Drug,dose=Amount")
MEDTIMER_FIELDS = 9


class Row:
    """One dose taken, as the file has it (unchecked)."""

    __slots__ = ("where", "name", "time", "dose", "note")

    def __init__(self, where: str, name: str, time: str, dose: str = "", note: str = ""):
        self.where, self.name, self.time, self.dose, self.note = where, name, time, dose, note


class Read:
    """What a file holds: the rows taken, and how many events it had that were not taken."""

    __slots__ = ("source", "rows", "not_taken")

    def __init__(self, source: str, rows: list[Row], not_taken: int = 0):
        self.source, self.rows, self.not_taken = source, rows, not_taken


def source_name(value: str) -> str:
    name = value.strip().lower()
    if name not in SOURCES:
        raise UsageError(f"bad --from {value!r}: use one of {', '.join(SOURCES)}")
    return name


def detect(text: str, mapping: dict | None, file: str = "the file") -> str:
    """The format of a file given without --from: meddiary's export, pharm's JSON, medTimer's CSV, or (with
    --map) a CSV."""
    return detect_parsed(text, mapping, file)[0]


def detect_parsed(text: str, mapping: dict | None, file: str = "the file") -> tuple[str, object]:
    """`detect`, and the JSON document it parsed to tell (None: not parsed), so that a long export is not
    parsed twice."""
    head = text.lstrip()[:1]
    if head in ("{", "["):
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            return "meddiary", None  # the export reader says what is wrong with it
        if isinstance(doc, dict) and doc.get("format") == "meddiary-export":
            return "meddiary", doc
        meds = doc.get("medications") if isinstance(doc, dict) and "format" not in doc else doc
        if isinstance(meds, list) and meds and all(isinstance(m, dict) and ("medication_frequency" in m or "history" in m) for m in meds):
            return "pharm", doc
        return "meddiary", doc
    if mapping is not None:
        return "csv", None
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if first.count(";") >= MEDTIMER_FIELDS - 1 and "ISO 8601" in first:
        return "medtimer", None
    raise UsageError(f"cannot tell what kind of file {file} is: give --from medtimer, --from pharm, or for a CSV "
                     f"--from csv with {MAP_FORMS}")


def parse_map(text: str) -> dict[str, str]:
    """'time=Date,name=Drug' -> {'time': 'Date', 'name': 'Drug'}."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        key, eq, column = part.partition("=")
        key = key.strip().lower()
        if not eq or not column.strip() or key not in MAP_KEYS:
            raise UsageError(f"bad --map {text!r}: use {MAP_FORMS} (keys: {', '.join(MAP_KEYS)})")
        if key in mapping:
            raise UsageError(f"bad --map {text!r}: {key} is given twice")
        mapping[key] = column.strip()
    missing = [k for k in ("time", "name") if k not in mapping]
    if missing:
        raise UsageError(f"--map needs {' and '.join(missing)}: {MAP_FORMS}")
    return mapping


def read(source: str, text: str, mapping: dict | None) -> Read:
    if source == "medtimer":
        return read_medtimer(text)
    if source == "pharm":
        return read_pharm(text)
    if mapping is None:
        raise UsageError(f"--from csv needs the columns: {MAP_FORMS}")
    return read_csv(text, mapping)


def _lines(text: str) -> list[str]:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def read_medtimer(text: str) -> Read:
    lines = _lines(text)
    header = lines[0].split(";") if lines else []
    if len(header) < MEDTIMER_FIELDS:
        raise UsageError(f"this is not medTimer's event export: its header has {len(header)} fields separated by "
                         f"';', the export has {MEDTIMER_FIELDS} (Reminded;Name;Dosage;Taken;Tags;Interval;Notes;"
                         "Reminded (ISO 8601);Taken (ISO 8601))")
    rows, not_taken = [], 0
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split(";")
        if len(fields) < MEDTIMER_FIELDS:
            raise UsageError(f"row {number}: {len(fields)} fields, medTimer's event export has {MEDTIMER_FIELDS} "
                             "separated by ';'")
        name, amount, taken_iso = fields[1], fields[2], fields[-1]
        notes = ";".join(fields[6:-2])
        if not taken_iso.strip():
            not_taken += 1
            continue
        rows.append(Row(f"row {number}", name, taken_iso, amount, notes))
    return Read("medtimer", rows, not_taken)


def read_csv(text: str, mapping: dict[str, str]) -> Read:
    lines = _lines(text)
    first = lines[0] if lines else ""
    delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    import csv  # here: an export's import (this module tells what a file is) has no CSV to read
    import io

    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise UsageError("the file is empty: a CSV with a header line is needed") from None
    folded = {h.casefold(): i for i, h in reversed(list(enumerate(header)))}
    index = {}
    for key, column in mapping.items():
        if column.casefold() not in folded:
            raise UsageError(f"--map {key}={column}: the file has no column {column!r}; its columns: "
                             f"{', '.join(h for h in header if h) or 'none'}")
        index[key] = folded[column.casefold()]
    rows = []
    try:
        for fields in reader:
            number = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(fields) <= max(index.values()):
                raise UsageError(f"row {number}: {len(fields)} fields, the header has {len(header)}")
            cell = {k: fields[i] for k, i in index.items()}
            when = f"{cell['date'].strip()} {cell['time'].strip()}" if "date" in cell else cell["time"]
            rows.append(Row(f"row {number}", cell["name"], when, cell.get("dose", ""), cell.get("note", "")))
    except csv.Error as err:
        raise UsageError(f"row {reader.line_num}: not CSV ({err})") from None
    return Read("csv", rows)


_PHARM_TIME = re.compile(r"([0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?) - ([0-9]{4})/([0-9]{2})/([0-9]{2})")


def read_pharm(text: str) -> Read:
    try:
        doc = json.loads(text)
    except ValueError as err:
        raise UsageError(f"this is not pharm's JSON: {err}") from None
    meds = doc if isinstance(doc, list) else (
        [*doc.get("medications", []), *doc.get("archived_medications", [])] if isinstance(doc, dict) else None)
    if not isinstance(meds, list) or not all(isinstance(m, dict) for m in meds):
        raise UsageError('this is not pharm\'s JSON: expected {"medications": [...]} as pharm writes ~/.pharm.json')
    rows = []
    number = 0
    for m in meds:
        history = m.get("history") or []
        name = m.get("name") if isinstance(m.get("name"), str) else ""
        if not isinstance(history, list):
            raise UsageError(f"{name or 'a medication'}: 'history' is not a list")
        for k, dose in enumerate(history, start=1):
            number += 1
            where = f"record {number} ({name or 'no name'}, history entry {k})"
            if not isinstance(dose, dict) or not isinstance(dose.get("timestamp"), str):
                raise UsageError(f"{where}: expected {{\"timestamp\": ..., \"dose\": ...}}")
            stamp = dose["timestamp"].strip()
            if t := _PHARM_TIME.fullmatch(stamp):
                stamp = f"{t[2]}-{t[3]}-{t[4]} {t[1]}"
            amount = dose.get("dose") if isinstance(dose.get("dose"), str) else ""
            rows.append(Row(where, name, stamp, amount))
    return Read("pharm", rows)


def plan(read_: Read, meds: list, now: datetime, tz: ZoneInfo, tz_name: str) -> list[dict]:
    """The take entries the rows make, each checked as `meddiary take NAME --at … --dose … --note …` checks
    its input; the first bad row is refused with its number."""
    import hashlib  # here: telling what a file is needs none

    from meddiary import diary, timeparse
    from meddiary.actions import text
    from meddiary.doses import parse_dose

    entries, seen = [], {}
    for row in read_.rows:
        try:
            if not row.name.strip():
                raise UsageError("the medication's name is empty")
            med = diary.find(meds, row.name)
            at = timeparse.parse_instant(row.time, now, tz)
            given = parse_dose(row.dose) if row.dose.strip() else None
            # the dose recorded as `take` records it: the one given, else the prescribed one for that time
            amount, unit = diary.plan_take(med, at, [], now, tz, given).dose
        except UsageError as err:
            raise UsageError(f"{row.where}: {err}") from None
        key = f"{read_.source}|{med.name.casefold()}|{timeparse.iso_utc(at)}|{amount}|{unit}"
        seen[key] = seen.get(key, 0) + 1
        uid = hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest()[:32]
        entries.append({"kind": "take", "medication_id": med.id, "at": at, "tz": tz_name, "dose_amount": amount,
                        "dose_unit": unit, "note": text(row.note), "forced": False, "uid": uid,
                        "where": row.where, "medication": med.name})
    return entries


def summary(entries: list[dict]) -> str:
    """'sertraline 8, quetiapine 4' — takes per medication."""
    counts: dict[str, int] = {}
    for e in entries:
        counts[e["medication"]] = counts.get(e["medication"], 0) + 1
    return ", ".join(f"{name} {n}" for name, n in counts.items())


def entry_json(e: dict, tz: ZoneInfo) -> dict:
    return {"where": e["where"], "medication": e["medication"], "at": e["at"].astimezone(tz).isoformat(timespec="seconds"),
            "dose_amount": e["dose_amount"], "dose_unit": e["dose_unit"], "note": e["note"]}


def entry_line(e: dict, tz: ZoneInfo) -> str:
    from meddiary.doses import format_dose

    note = f"  ({e['note']})" if e["note"] else ""
    return (f"  {e['at'].astimezone(tz).strftime('%Y-%m-%d %H:%M')}  took {e['medication']} "
            f"{format_dose(e['dose_amount'], e['dose_unit'])}  [{e['where']}]{note}")
