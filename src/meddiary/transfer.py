"""The diary as a document that can leave meddiary and come back: the versioned JSON export (and reading
it back for import and merge), and CSV files for a spreadsheet.

Pure: the functions take the rows the store loaded (`Store.rows(table)`, plain dicts) and return data or
text; they never open the database, read the clock or print.

The JSON document (version 1) holds every row that travels, retracted and superseded ones included
(marked with their retraction). Rows are matched by their stable `uid`, so importing a document twice adds
nothing, and importing one diary's export into another merges them. Reminder state does not travel: it
belongs to the machine that reminded.
"""

import json
import re
from datetime import UTC, date, datetime, time
from operator import itemgetter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from meddiary import integrity, store
from meddiary.errors import LINE_MAX, TEXT_MAX, UsageError, check_text
from meddiary.model import (ENTRY_KINDS, ENTRY_OPTIONAL, REGIMEN_SHAPE, Entry, EntryRows, regimen_export,
                            schedule_of)
from meddiary.timeparse import all_as_stored, iso_utc

FORMAT = "meddiary-export"
VERSION = 1
REGIMEN_KINDS = integrity.REGIMEN_KINDS
_UID = re.compile(r"[0-9a-f]{32}")
_STORED_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+00:00")  # as iso_utc writes


# -- export ------------------------------------------------------------------------------------------

# The entries' columns the document is made of, read as tuples (Store.row_tuples): ten years of entries are
# most of the diary, and a dict per row read would cost a third more than reading them.
ENTRY_FIELDS = ("id", "uid", "kind", "medication_id", "at_utc", "tz", "dose_amount", "dose_unit", "reason", "note",
                "forced", "recorded_at_utc", "data")


def document(tables: dict[str, list], now: datetime, meddiary_version: str, schema: str) -> dict:
    """The export document of a diary, from `Store.rows` of every travelling table but entries, whose rows
    are tuples of ENTRY_FIELDS (`Store.row_tuples`)."""
    med_uid = {m["id"]: m["uid"] for m in tables["medications"]}
    entry_retraction: dict[int, dict] = {}
    regimen_retraction: dict[int, dict] = {}
    for x in tables["retractions"]:
        mark = {"uid": x["uid"], "at_utc": x["at_utc"], "tz": x["tz"], "reason": x["reason"]}
        if x["entry_id"] is not None:
            entry_retraction[x["entry_id"]] = mark
        elif x["regimen_id"] is not None:
            regimen_retraction[x["regimen_id"]] = mark
    meds = {m["id"]: {
        "uid": m["uid"], "name": m["name"], "as_needed": bool(m["as_needed"]), "purpose": m["purpose"],
        "note": m["note"], "created_at_utc": m["created_at_utc"], "created_tz": m["created_tz"],
        "aliases": [], "regimens": [],
    } for m in tables["medications"]}
    for a in tables["aliases"]:
        meds[a["medication_id"]]["aliases"].append(
            {"uid": a["uid"], "alias": a["alias"], "created_at_utc": a["created_at_utc"]})
    for r in tables["regimens"]:
        meds[r["medication_id"]]["regimens"].append(regimen_export(r, regimen_retraction.get(r["id"])))
    loads, medication = json.loads, med_uid.get
    retraction = entry_retraction.get
    entries = [{
        "uid": uid, "kind": kind, "medication": medication(med_id) if med_id is not None else None,
        "at_utc": at_utc, "tz": tz, "dose_amount": amount, "dose_unit": unit, "reason": reason, "note": note,
        "forced": bool(forced), "recorded_at_utc": recorded, "data": loads(data) if data else None,
        "retracted": retraction(entry_id),
    } for entry_id, uid, kind, med_id, at_utc, tz, amount, unit, reason, note, forced, recorded, data
        in tables["entries"]]
    settings = [{"uid": s["uid"], "key": s["key"], "value": s["value"], "at_utc": s["at_utc"], "tz": s["tz"]}
                for s in tables["settings"]]
    return {
        "format": FORMAT, "version": VERSION,
        "exported_at": now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "meddiary_version": meddiary_version, "schema": schema,
        "medications": list(meds.values()), "entries": entries, "settings": settings,
    }


# json's compact encoder, in C (a tree of fresh dicts: no cycle to look for)
_COMPACT = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def dumps(doc: dict, indented: bool = True) -> str:
    """The document as text: indented for a person reading it at a terminal, compact otherwise (a file, a
    pipe). The content is the same; json's indenting encoder is pure Python, its compact one is C — four
    times faster over ten years of entries."""
    if indented:
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return _COMPACT.encode(doc) + "\n"


def compact_text(tables: dict[str, list], now: datetime, meddiary_version: str, schema: str) -> str:
    """`dumps(document(tables, …), indented=False)`, the same text, with each entry written straight from its
    row: ten years of entries made into dicts and then encoded cost twice as much. The rest of the document
    is a few hundred rows, made and encoded as `document` and `dumps` do."""
    head = document({**tables, "entries": []}, now, meddiary_version, schema)
    del head["entries"]
    settings = head.pop("settings")
    encode = _COMPACT.encode
    entries = tables["entries"]
    # the stable ids and times as the store writes them: written as they are (_entry_texts_as_stored)
    as_stored = all(_json_as_is(entries, ENTRY_FIELDS.index(c)) for c in ("uid", "at_utc", "recorded_at_utc"))
    texts = _entry_texts_as_stored(tables) if as_stored else _entry_texts(tables)
    # head's closing brace left off: the lists follow it
    start, end = f'{encode(head)[:-1]}, "entries": [', f'], "settings": {encode(settings)}}}\n'
    if not texts:
        return start + end
    # joined once: ten years of entries are 20 MB of text, and each copy costs as much in fresh memory
    # (page faults) as in copying
    texts[0] = start + texts[0]
    texts[-1] += end  # (the same one when there is one entry)
    return ", ".join(texts)


class _Encoded(dict):
    """A column's values as JSON, each distinct value encoded once (a kind, a zone, a unit, a reason comes
    back on most rows; an entry's data often), or a few columns' values together. Keyed by value, so for
    columns whose values are each of one type (a TEXT or REAL column: 1, 1.0 and True would be one key)."""

    def __init__(self, encode=_COMPACT.encode):
        super().__init__()
        self.encode = encode

    def __missing__(self, value) -> str:
        text = self[value] = self.encode(value)
        return text


def _entry_texts(tables: dict[str, list]) -> list[str]:
    """Each entry of `tables["entries"]` (tuples of ENTRY_FIELDS) as `document` makes it, encoded as `dumps`
    does (a str with json's C function, anything else with the encoder)."""
    encode, quote, loads = _COMPACT.encode, json.encoder.encode_basestring, json.loads
    medication = {m["id"]: encode(m["uid"]) for m in tables["medications"]}.get
    retraction = {x["entry_id"]: encode({"uid": x["uid"], "at_utc": x["at_utc"], "tz": x["tz"], "reason": x["reason"]})
                  for x in tables["retractions"] if x["entry_id"] is not None}.get
    kinds, zones, amounts, units, reasons = _Encoded(), _Encoded(), _Encoded(), _Encoded(), _Encoded()
    datas = _Encoded(lambda text: encode(loads(text)))  # parsed as `document` does: the text as stored may differ
    return [
        f'{{"uid": {quote(uid) if uid.__class__ is str else encode(uid)}, "kind": {kinds[kind]}, '
        f'"medication": {medication(med_id, "null")}, '
        f'"at_utc": {quote(at_utc) if at_utc.__class__ is str else encode(at_utc)}, "tz": {zones[tz]}, '
        f'"dose_amount": {amounts[amount]}, "dose_unit": {units[unit]}, "reason": {reasons[reason]}, '
        f'"note": {"null" if note is None else encode(note)}, "forced": {"true" if forced else "false"}, '
        f'"recorded_at_utc": {quote(recorded) if recorded.__class__ is str else encode(recorded)}, '
        f'"data": {datas[data] if data else "null"}, "retracted": {retraction(entry_id, "null")}}}'
        for entry_id, uid, kind, med_id, at_utc, tz, amount, unit, reason, note, forced, recorded, data
        in tables["entries"]]


def _entry_texts_as_stored(tables: dict[str, list]) -> list[str]:
    """What `_entry_texts` makes of the entries when each stable id and time is text that JSON writes as it
    is (`_json_as_is`): those written between quotes without json's encoder, and each distinct kind and
    medication, and zone and dose, encoded once together (two look-ups an entry, not five)."""
    encode, loads = _COMPACT.encode, json.loads
    medication = {m["id"]: encode(m["uid"]) for m in tables["medications"]}.get
    retraction = {x["entry_id"]: encode({"uid": x["uid"], "at_utc": x["at_utc"], "tz": x["tz"], "reason": x["reason"]})
                  for x in tables["retractions"] if x["entry_id"] is not None}.get
    reasons, datas = _Encoded(), _Encoded(lambda text: encode(loads(text)))  # data parsed as in `_entry_texts`
    what = _Encoded(lambda key: f'"kind": {encode(key[0])}, "medication": {medication(key[1], "null")}')
    dose = _Encoded(lambda key: f'"tz": {encode(key[0])}, "dose_amount": {encode(key[1])}, "dose_unit": {encode(key[2])}')
    return [
        f'{{"uid": "{uid}", {what[kind, med_id]}, "at_utc": "{at_utc}", {dose[tz, amount, unit]}, '
        f'"reason": {reasons[reason]}, "note": {"null" if note is None else encode(note)}, '
        f'"forced": {"true" if forced else "false"}, "recorded_at_utc": "{recorded}", '
        f'"data": {datas[data] if data else "null"}, "retracted": {retraction(entry_id, "null")}}}'
        for entry_id, uid, kind, med_id, at_utc, tz, amount, unit, reason, note, forced, recorded, data
        in tables["entries"]]


_JSON_AS_IS = bytes(c for c in range(0x20, 0x80) if c not in b'"\\')  # ASCII that json.dumps writes as it is


def _json_as_is(rows: list[tuple], i: int) -> bool:
    """Whether every value in place `i` of `rows` is text that JSON writes between quotes as it is: ASCII
    without a control character, a quote or a backslash (checked over the whole column at once, in C:
    deleting those characters leaves nothing; str.isprintable would take a tenth of the export)."""
    try:
        text = "".join(map(itemgetter(i), rows))
    except TypeError:  # a value that is not text
        return False
    return text.isascii() and not text.encode("ascii").translate(None, _JSON_AS_IS)


# -- import ------------------------------------------------------------------------------------------

class _Reader:
    """Checks one document and turns it into the store's merge records; the first problem is a UsageError
    naming where it is (nothing is written before the whole document has been read)."""

    def __init__(self, source: str, now: datetime | None = None):
        from meddiary.timeparse import FUTURE_TOLERANCE

        self.source = source
        self.uids: set[str] = set()
        self.zones: dict[str, bool] = {}
        # Text that passed its field's rule, per (value, key, limit, one line, required): the same zone, unit,
        # kind or medication comes back on most of a diary's rows, and its rule gives the same answer each time.
        self.passed: set[tuple] = set()
        self.dose_rules: dict[tuple, tuple[str, str] | None] = {}  # entry_problem of an entry without data
        self.latest = iso_utc(now + FUTURE_TOLERANCE) if now is not None else None  # not_later's bound

    def fail(self, where: str, problem: str):
        raise UsageError(f"{self.source} cannot be imported: {where}: {problem}; nothing was imported")

    def obj(self, value, where: str) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "expected an object")
        return value

    def items(self, doc: dict, key: str, where: str) -> list:
        value = doc.get(key, [])
        if not isinstance(value, list):
            self.fail(f"{where}{key}", "expected a list")
        return value

    def get(self, o: dict, key: str, where: str, types: tuple, required: bool = False):
        if key not in o:
            if required:
                self.fail(where, f"'{key}' is missing")
            return None
        value = o[key]
        if value is None:
            if required:
                self.fail(where, f"'{key}' is null")
            return None
        if isinstance(value, bool) and bool not in types:
            self.fail(where, f"'{key}' is {value!r}, expected {_names(types)}")
        if not isinstance(value, types):
            self.fail(where, f"'{key}' is {type(value).__name__}, expected {_names(types)}")
        if isinstance(value, float) and value != value:
            self.fail(where, f"'{key}' is not a number")
        if isinstance(value, str) and required and not value.strip():
            self.fail(where, f"'{key}' is empty")
        return value

    def text(self, o, key, where, required=False, limit: int = LINE_MAX, one_line: bool = True):
        """Text under the rule the recording commands apply (errors.check_text), kept as it was written."""
        value = o.get(key)
        if value.__class__ is str:
            seen = (value, key, limit, one_line, required)
            if seen in self.passed:
                return value
        elif value is None and not required:  # left out or null: nothing to check (as `get` says)
            return None
        value = self.get(o, key, where, (str,), required)
        if value is not None and value.strip():  # empty text: as before, the field's own rule decides
            self.checked(value, key, where, limit, one_line)
        if value.__class__ is str:
            self.passed.add(seen)
        return value

    def checked(self, value: str, key: str, where: str, limit: int = LINE_MAX, one_line: bool = True) -> str:
        try:
            return check_text(value, f"'{key}'", limit, one_line)
        except UsageError as e:
            self.fail(where, str(e))

    def not_later(self, value: str, key: str, where: str, now: datetime | None) -> str:
        """A recorded instant no later than now (the commands refuse a time in the future, beyond their
        two minutes of tolerance)."""
        if now is not None and value > self.latest:
            self.fail(where, f"'{key}' {value} is later than now: nothing can have been recorded in the future")
        return value

    def number(self, o, key, where):
        value = self.get(o, key, where, (int, float))
        if value is not None and abs(value) > 1e12:
            self.fail(where, f"'{key}' is {value}, out of range")
        return value

    def integer(self, o, key, where):
        value = self.get(o, key, where, (int,))
        if value is not None and not 0 <= value <= 10**9:
            self.fail(where, f"'{key}' is {value}, out of range")
        return value

    def uid(self, o, where) -> str:
        value = o.get("uid")
        # 32 hex digits pass the text rule (no space, nothing hidden, short): only other values are looked at
        if value.__class__ is not str or not _UID.fullmatch(value):
            value = self.text(o, "uid", where, required=True)
        if not _UID.fullmatch(value):
            self.fail(where, f"'uid' {value!r} is not 32 lowercase hex digits")
        if value in self.uids:
            self.fail(where, f"the uid {value} appears twice")
        self.uids.add(value)
        return value

    def instant(self, o, key, where) -> str:
        """A time with its offset (any offset), stored as the store writes times: in UTC."""
        value = o.get(key)
        if value.__class__ is str and _STORED_INSTANT.fullmatch(value):
            # already as the store writes it (what an export holds): it passes the text rule, and when it is a
            # real time in range it is its own UTC form (iso_utc would give it back unchanged)
            try:
                if 1900 <= datetime.fromisoformat(value).year <= 2199:
                    return value
            except ValueError:
                pass
        value = self.text(o, key, where, required=True)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None or parsed.utcoffset() is None or not 1900 <= parsed.year <= 2199:
            self.fail(where, f"'{key}' {value!r} is not a UTC time like 2026-11-26T07:03:00+00:00")
        return iso_utc(parsed)

    def rule(self, where: str, problem: tuple[str, str] | None) -> None:
        """A row that breaks its kind's rule (integrity's, the same `check` applies)."""
        if problem is not None:
            self.fail(where, f"'{problem[0]}' is {problem[1]}")

    def zone(self, o, key, where) -> str:
        value = self.text(o, key, where, required=True)
        if value not in self.zones:
            try:
                ZoneInfo(value)
                self.zones[value] = True
            except (ZoneInfoNotFoundError, ValueError):
                self.zones[value] = False
        if not self.zones[value]:
            self.fail(where, f"'{key}' {value!r} is not a time zone name such as Europe/Berlin")
        return value

    def retraction(self, o, where) -> dict | None:
        value = o.get("retracted")
        if value is None:
            return None
        x = self.obj(value, f"{where}.retracted")
        w = f"{where}.retracted"
        return {"uid": self.uid(x, w), "at_utc": self.instant(x, "at_utc", w), "tz": self.zone(x, "tz", w),
                "reason": self.text(x, "reason", w)}


def _names(types: tuple) -> str:
    return " or ".join({"str": "text", "int": "a whole number", "float": "a number", "bool": "true/false",
                        "dict": "an object", "list": "a list"}[t.__name__] for t in types)


class NotAtOnce(Exception):
    """Raised by read_document with `send` when the entries cannot be shown sound a piece at a time: read
    the document again without `send` (which reads them one by one, and names the first problem)."""


PIECE = 8192  # entries checked at a time when they are sent on as read (read_document's `send`)


def read_document(text: str, source: str, known_questions: frozenset[str] = frozenset(),
                  now: datetime | None = None, parsed=None, send=None) -> dict[str, list[dict]]:
    """Check an export document and return the records `Store.merge` takes (references by uid).
    `known_questions`: the uids of the diary's questions (an answer may close one of them); `now`: no
    setting may have been made later than this; `parsed`: `text` already parsed (json.loads), or None.
    `send`: called as `send(records, piece)` with each piece of the entries (EntryRows, PIECE of them) as
    soon as it is checked, so that they can be written while the rest is read; `records` is what is read so
    far (the medications, aliases and regimens complete, the other lists complete once this returns). A
    piece sent is no promise: the document may still be refused after it (or NotAtOnce raised)."""
    rd = _Reader(source, now)
    try:
        doc = json.loads(text) if parsed is None else parsed
    except ValueError as e:
        raise UsageError(f"{source} is not a meddiary export: not JSON ({e})") from None
    except RecursionError:
        raise UsageError(f"{source} is not a meddiary export: its JSON is nested too deeply") from None
    try:
        return _read(rd, doc, source, known_questions, now, send)
    except (TypeError, KeyError, AttributeError, RecursionError) as e:
        # A shape the checks below did not foresee is still a file from outside, not a bug to show as a
        # traceback: one line, nothing imported (the fuzzer in test_fuzz.py looks for these).
        raise UsageError(f"{source} cannot be imported: an unexpected structure ({type(e).__name__}: {e}); "
                         "nothing was imported") from None


def _read(rd: "_Reader", doc, source: str, known_questions: frozenset[str], now: datetime | None,
          send=None) -> dict[str, list[dict]]:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise UsageError(f"{source} is not a meddiary export: it has no \"format\": \"{FORMAT}\" "
                         "(make one with 'meddiary export --format json')")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        rd.fail("version", f"{version!r} is not a version number")
    if version > VERSION:
        raise UsageError(f"{source} was exported by a newer meddiary (document version {version}); "
                         "upgrade meddiary to import it")
    out: dict[str, list[dict]] = {k: [] for k in
                                  ("medications", "aliases", "regimens", "entries", "retractions", "settings")}
    med_uids: set[str] = set()
    names: dict[str, str] = {}  # a diary's names and aliases are unique, whatever their case

    def name(o: dict, key: str, where: str) -> str:
        from meddiary.regimens import check_name

        value = rd.text(o, key, where, required=True).strip()
        try:
            check_name(value, key)  # the rule `add` applies
        except UsageError as e:
            rd.fail(where, str(e))
        if value.casefold() in names:
            rd.fail(where, f"'{key}' {value!r} names {names[value.casefold()]} already")
        names[value.casefold()] = where
        return value

    for i, raw in enumerate(rd.items(doc, "medications", "")):
        w = f"medications[{i}]"
        m = rd.obj(raw, w)
        uid = rd.uid(m, w)
        med_uids.add(uid)
        out["medications"].append({
            "uid": uid, "name": name(m, "name", w),
            "as_needed": bool(rd.get(m, "as_needed", w, (bool,), required=True)),
            "purpose": rd.text(m, "purpose", w), "note": rd.text(m, "note", w, limit=TEXT_MAX, one_line=False),
            "created_at_utc": rd.not_later(rd.instant(m, "created_at_utc", w), "created_at_utc", w, now),
            "created_tz": rd.zone(m, "created_tz", w)})
        for j, rawa in enumerate(rd.items(m, "aliases", f"{w}.")):
            wa = f"{w}.aliases[{j}]"
            a = rd.obj(rawa, wa)
            out["aliases"].append({"uid": rd.uid(a, wa), "medication_uid": uid,
                                   "alias": name(a, "alias", wa),
                                   "created_at_utc": rd.instant(a, "created_at_utc", wa)})
        for j, rawr in enumerate(rd.items(m, "regimens", f"{w}.")):
            wr = f"{w}.regimens[{j}]"
            r = rd.obj(rawr, wr)
            out["regimens"].append(_regimen(rd, r, wr, uid, out["medications"][-1]["as_needed"]))
            if (x := rd.retraction(r, wr)) is not None:
                out["retractions"].append({**x, "entry_uid": None, "regimen_uid": out["regimens"][-1]["uid"]})
    entries = rd.items(doc, "entries", "")
    at_once = _entries_at_once(rd, entries, med_uids, known_questions,
                               send and (lambda piece: send(out, piece)))
    if at_once is not None:
        out["entries"], retractions = at_once
        out["retractions"] += retractions
        entries = ()  # read: what follows reads them one by one, to name the first problem
    elif send is not None:
        raise NotAtOnce
    # an answer may close a question of the document (wherever it stands in it) or of the diary
    questions = set(known_questions) | {e.get("uid") for e in entries if isinstance(e, dict) and e.get("kind") == "question"
                                        and isinstance(e.get("uid"), str)}
    for i, raw in enumerate(entries):
        w = f"entries[{i}]"
        e = rd.obj(raw, w)
        row = _entry(rd, e, w, med_uids, questions)
        for key in ("at_utc", "recorded_at_utc"):
            rd.not_later(row[key], key, w, now)
        out["entries"].append(row)
        if (x := rd.retraction(e, w)) is not None:
            out["retractions"].append({**x, "entry_uid": row["uid"], "regimen_uid": None})
    for i, raw in enumerate(rd.items(doc, "settings", "")):
        w = f"settings[{i}]"
        s = rd.obj(raw, w)
        row = {"uid": rd.uid(s, w), "key": rd.text(s, "key", w, required=True), "value": rd.text(s, "value", w),
               "at_utc": rd.instant(s, "at_utc", w), "tz": rd.zone(s, "tz", w)}
        rd.rule(w, integrity.setting_problem(row["key"], row["value"]))
        if now is not None and row["at_utc"] > iso_utc(now):
            rd.fail(w, f"'at_utc' {row['at_utc']} is later than now: a setting cannot have been made in the future")
        out["settings"].append(row)
    # in the order they were made, so the diary's own log reads in time order after a merge
    out["settings"].sort(key=lambda t: t["at_utc"])
    if at_once is None:
        out["entries"] = EntryRows.of(out["entries"])
    return out


def _regimen(rd: _Reader, r: dict, w: str, med_uid: str, as_needed: bool) -> dict:
    kind = rd.text(r, "kind", w, required=True)
    if kind not in REGIMEN_KINDS:
        rd.fail(w, f"'kind' {kind!r} is not one of {', '.join(REGIMEN_KINDS)}")
    start = rd.text(r, "start_date", w, required=True)
    try:
        day = date.fromisoformat(start)
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2199 or len(start) != 10:
        rd.fail(w, f"'start_date' {start!r} is not a date like 2026-11-26")
    times = r.get("times") or []
    if not isinstance(times, list) or not all(isinstance(t, str) and re.fullmatch(r"[0-2][0-9]:[0-5][0-9]", t)
                                              and _clock_ok(t) for t in times):
        rd.fail(w, "'times' must be a list of times like \"08:00\"")
    weekdays = r.get("weekdays")
    if weekdays is not None and (not isinstance(weekdays, list) or not weekdays or not all(
            isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in weekdays)):
        rd.fail(w, "'weekdays' must be null or a list of numbers 0 (Monday) to 6 (Sunday)")
    doses = r.get("doses")
    if doses is not None and (not isinstance(doses, list) or len(doses) != len(times) or not all(
            isinstance(a, int | float) and not isinstance(a, bool) for a in doses)):
        rd.fail(w, "'doses' must be null or a list of amounts, one for each of 'times'")
    anchor = rd.text(r, "anchor", w)
    if anchor is not None:
        try:
            ok = len(anchor) == 10 and 1900 <= date.fromisoformat(anchor).year <= 2199
        except ValueError:
            ok = False
        if not ok:
            rd.fail(w, f"'anchor' {anchor!r} is not a date like 2026-11-26")
    # the rest of the regimen's fields by what they hold (model.REGIMEN_SHAPE), as the diary stores them
    checked = {"start_date": start, "kind": kind, "times": times, "weekdays": weekdays, "doses": doses,
               "anchor": anchor}
    read = {"number": rd.number, "integer": rd.integer, "text": rd.text, "instant": rd.instant, "zone": rd.zone,
            "long_text": lambda o, key, where: rd.text(o, key, where, limit=TEXT_MAX)}
    row = {"uid": rd.uid(r, w), "medication_uid": med_uid}
    for field in REGIMEN_SHAPE:
        if field.exported in checked:
            value = checked[field.exported]
            row[field.column] = field.from_export(value) if field.from_export else value
        else:
            row[field.column] = read[field.kind](r, field.exported, w)
    if row["schedule"] is None and kind not in ("stop", "pause"):  # an export made before schedule kinds
        row["schedule"] = schedule_of(times, weekdays, row["every_days"], row["every_months"], row["cycle_on"],
                                      row["window_days"])
    rd.rule(w, integrity.regimen_problem(integrity.regimen_fields(row), as_needed))
    return row


def _clock_ok(text: str) -> bool:
    try:
        time.fromisoformat(text)
    except ValueError:
        return False
    return True


# What `_entry` reads of an entry: of these, the row it makes depends on all but the stable id, the times,
# the data and the retraction only through what each is on its own (see _entries_at_once).
_ENTRY_KEYS = ("uid", "kind", "medication", "at_utc", "tz", "dose_amount", "dose_unit", "reason", "note", "forced",
               "recorded_at_utc", "data", "retracted")
_SHAPE_KEYS = ("kind", "medication", "tz", "dose_amount", "dose_unit", "reason", "note", "forced")
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # `data` as the store keeps it (_entry)
_NUMBERS = {int, float, bool}


def _entries_at_once(rd: _Reader, entries: list, med_uids: set[str], known_questions: frozenset[str],
                     send=None) -> tuple[EntryRows, list] | None:
    """The entries (as EntryRows) and their retractions as reading them one by one makes them, when every
    entry is shown sound a column at a time (_AtOnce); None when that cannot be shown (the entries are then
    read one by one, which names the first problem). `send`: called with each piece of PIECE entries as it
    is shown sound (all of them in one piece without it)."""
    reading = _AtOnce(rd, med_uids, known_questions, entries)
    size = PIECE if send is not None else max(len(entries), 1)
    for start in range(0, len(entries), size):
        piece = reading.add(entries[start:start + size])
        if piece is None:
            return None
        if send is not None:
            send(piece)
    return reading.done()


class _AtOnce:
    """Entries shown sound a column at a time, a piece after another: the stable ids and the times over
    whole columns, in C; `_entry` itself once for each distinct shape (kind, medication, zone, dose, reason,
    note, forced, and data by its repr), without the entry's own stable id and times; `_Reader.retraction`
    on each retraction. What holds across pieces (stable ids seen once, one kind of number in a column) is
    kept from piece to piece; `rd` is changed only by `done` (but for what it remembers of the rules)."""

    def __init__(self, rd: _Reader, med_uids: set[str], known_questions: frozenset[str], entries: list):
        self.rd, self.med_uids = rd, med_uids
        # an answer may close a question of the document (wherever it stands in it) or of the diary
        self.questions = set(known_questions) | {
            uid for e in entries if e.__class__ is dict and e.get("kind") == "question"
            and (uid := e.get("uid")).__class__ is str}
        self.numbered: dict[tuple, int] = {}  # each distinct shape, numbered in the order first seen
        self.shapes: list[dict] = []
        self.numbers = {key: set() for key in _SHAPE_KEYS}  # the kinds of number each column holds so far
        self.rows = EntryRows(self.shapes, [], [], [], [])  # every piece's, in order
        self.seen: set[str] = set()
        self.scratch = _Reader(rd.source)  # the retractions' stable ids: rd's are added by `done`
        self.retractions: list[dict] = []

    def add(self, entries: list) -> EntryRows | None:
        """The piece's rows (with the shapes of every piece so far), or None when it cannot be shown sound."""
        rd = self.rd
        try:
            if set(map(type, entries)) - {dict}:
                return None
            columns = {key: list(map(itemgetter(key), entries)) for key in _ENTRY_KEYS}
            uids = columns["uid"]
            if set(map(type, uids)) != {str} or set(map(len, uids)) != {32} \
                    or not integrity.lowercase_hex("".join(uids)) or len(set(uids)) != len(uids) \
                    or not self.seen.isdisjoint(uids) or not rd.uids.isdisjoint(uids):
                return None
            self.seen.update(uids)
            for key in ("at_utc", "recorded_at_utc"):
                times = columns[key]
                # each as the store writes it, a real time in range and not later than now (`instant`, `not_later`)
                if set(map(type, times)) != {str} or not all_as_stored(times):
                    return None
                parsed = list(map(datetime.fromisoformat, times))
                if min(parsed).year < 1900 or max(parsed).year > 2199 or rd.latest is not None and max(times) > rd.latest:
                    return None
            # 1, 1.0 and True are one member of a set, but not to the rules: only a column holding at most one
            # kind of number has its values all in the set of shapes
            for key in _SHAPE_KEYS:
                self.numbers[key] |= _NUMBERS & set(map(type, columns[key]))
                if len(self.numbers[key]) > 1:
                    return None
            # data by its repr: equal reprs are equal JSON of the same types (1, 1.0 and true apart); JSON equal
            # but written in another order is another shape, checked on its own (a third of the time of encoding)
            keys = list(zip(*map(columns.get, _SHAPE_KEYS),
                            [None if data is None else (data.__class__, repr(data)) for data in columns["data"]]))
            numbered, first = self.numbered, len(self.numbered)
            shape_of = [numbered.setdefault(key, len(numbered)) for key in keys]
            # a data object of each new shape (equal repr: equal data)
            data_of = {number: data for number, data in zip(shape_of, columns["data"]) if number >= first}
            # each new shape's row as `_entry` makes it, its own keys (checked above) left out
            self.shapes += [_entry(rd, {**dict(zip(_SHAPE_KEYS, key)), "data": data_of[number]}, "", self.med_uids,
                                   self.questions, own=False)
                            for number, key in enumerate(list(numbered)[first:], start=first)]
            self.retractions += [{**self.scratch.retraction(entries[i], ""), "entry_uid": uids[i], "regimen_uid": None}
                                 for i, retracted in enumerate(columns["retracted"]) if retracted is not None]
        except (UsageError, KeyError, TypeError, ValueError, AttributeError, RecursionError):
            return None
        for whole, part in zip((self.rows.shape_of, self.rows.uids, self.rows.at_utc, self.rows.recorded_at_utc),
                               (shape_of, uids, columns["at_utc"], columns["recorded_at_utc"])):
            whole += part
        return EntryRows(list(self.shapes), shape_of, uids, columns["at_utc"], columns["recorded_at_utc"])

    def done(self) -> tuple[EntryRows, list] | None:
        """Every piece's rows and the retractions, once every piece is added; None when they cannot be
        shown sound together."""
        marks = [x["uid"] for x in self.retractions]
        if len(set(marks)) != len(marks) or not self.rd.uids.isdisjoint(marks) or not self.seen.isdisjoint(marks):
            return None
        self.rd.uids.update(self.seen, marks)
        return self.rows, self.retractions


def _entry(rd: _Reader, e: dict, w: str, med_uids: set[str], questions: set, own: bool = True) -> dict:
    """An entry's row, checked; `own` False: without its OWN_KEYS (its shape's row: checked elsewhere)."""
    kind = rd.text(e, "kind", w, required=True)
    if kind not in ENTRY_KINDS:
        rd.fail(w, f"'kind' {kind!r} is not one of {', '.join(ENTRY_KINDS)}")
    med = rd.text(e, "medication", w)
    if med is not None and med not in med_uids:
        rd.fail(w, f"'medication' {med} is none of the document's medications")
    if kind in ("take", "skip", "refill", "count") and med is None:
        rd.fail(w, f"a {kind} needs its 'medication'")
    data = e.get("data")
    keys = ENTRY_KINDS[kind]
    if keys:
        if not isinstance(data, dict):
            rd.fail(w, f"a {kind} needs 'data', an object with {', '.join(keys)}")
        missing = [k for k in keys if k not in data]
        if missing:
            rd.fail(w, f"'data' of a {kind} lacks {', '.join(missing)}")
    elif data is not None and not isinstance(data, dict):
        rd.fail(w, "'data' must be an object or null")
    # checked in this order (the first problem is the one named); `own` False: the entry's own keys left out
    row = {"kind": kind, "medication_uid": med}
    if own:
        row["uid"], row["at_utc"] = rd.uid(e, w), rd.instant(e, "at_utc", w)
    row.update(tz=rd.zone(e, "tz", w), dose_amount=rd.number(e, "dose_amount", w),
               dose_unit=rd.text(e, "dose_unit", w), reason=rd.text(e, "reason", w),
               note=rd.text(e, "note", w, limit=TEXT_MAX, one_line=False),
               forced=int(bool(rd.get(e, "forced", w, (bool,)))))
    if own:
        row["recorded_at_utc"] = rd.instant(e, "recorded_at_utc", w)
    row["data"] = _CANONICAL.encode(data) if data is not None else None  # as the store keeps it (add_entries)
    if data is None:  # most entries (takes, skips): the rule depends on kind and dose alone, types included
        key = (kind, row["dose_amount"].__class__, row["dose_amount"], row["dose_unit"].__class__, row["dose_unit"])
        if key not in rd.dose_rules:
            rd.dose_rules[key] = integrity.entry_problem(kind, row["dose_amount"], row["dose_unit"], None, questions)
        rd.rule(w, rd.dose_rules[key])
    else:
        rd.rule(w, integrity.entry_problem(kind, row["dose_amount"], row["dose_unit"], data, questions))
    if data is not None:
        unknown = sorted(set(data) - set(keys) - set(ENTRY_OPTIONAL.get(kind, ())))
        if unknown:
            rd.fail(w, f"'data' of a {kind} has {unknown[0]!r}, which no meddiary command records")
        _data_text(rd, kind, data, w)
    return row


def _data_text(rd: _Reader, kind: str, data: dict, w: str) -> None:
    """The text inside an entry's data, under the rules the commands that record it apply."""
    if kind == "side_effect":
        from meddiary.wellbeing import symptom_text

        try:
            symptom_text(data["symptom"])
        except UsageError as e:
            rd.fail(w, f"'data.symptom': {e}")
    elif kind == "question":
        rd.checked(data["text"], "data.text", w, TEXT_MAX)
    elif kind == "answer" and data["answer"] is not None:
        rd.checked(data["answer"], "data.answer", w, TEXT_MAX)


def merge_notes(merged: dict) -> dict:
    """What `Store.merge` did, for the person: what was added (per table and per entry kind) and a note on
    each thing matched or left out — a medication here already (joined, its regimens kept as superseded so
    the plan in force here is unchanged), an alias naming another medication here, a setting made here
    later than the imported values (it stays in force)."""
    notes = [f"the alias {alias} was left out: it names another medication here" for alias in merged["aliases_left_out"]]
    for name, n in merged["joined"]:
        kept = (f"; its {n} regimen{'s were' if n != 1 else ' was'} kept as superseded (\"{store.MERGED_REASON}\"): "
                "the plan in force here is unchanged") if n else ""
        notes.append(f"{name} was already in this diary (added separately): its records were joined to it{kept}")
    for key, at_utc in merged["settings_kept"]:
        notes.append(f"the setting {key} made here on {at_utc[:10]} stays in force: the imported, older values are "
                     "kept in its history")
    return {"added": merged["added"], "entries": merged["entries"], "notes": notes}


def describe_merge(result: dict) -> list[str]:
    """What an import added, per kind, in words (and the notes on what was matched or left out)."""
    added, kinds = result["added"], result["entries"]
    lines = []
    for key in ("medications", "aliases", "regimens"):
        if added.get(key):
            lines.append(f"  {key:<14}{added[key]:>7}")
    for kind in ENTRY_KINDS:
        if kinds.get(kind):
            lines.append(f"  {kind:<14}{kinds[kind]:>7}")
    for key in ("retractions", "settings"):
        if added.get(key):
            lines.append(f"  {key:<14}{added[key]:>7}")
    return lines


# -- CSV ---------------------------------------------------------------------------------------------

TIME_COLUMNS = ["time_local", "time_utc", "time_zone"]
CSV_FILES = {
    "doses.csv": TIME_COLUMNS + ["kind", "medication", "dose_amount", "dose_unit", "reason", "note",
                                 "confirmed_over_guard", "uid"],
    "mood.csv": TIME_COLUMNS + ["score", "depressed", "elevated", "anxiety", "irritability", "sleep_hours", "note", "uid"],
    "side_effects.csv": TIME_COLUMNS + ["medication", "symptom", "severity", "resolved", "note", "uid"],
    "questionnaires.csv": TIME_COLUMNS + ["instrument", "total", "severity", "item9"]
                          + [f"answer{i}" for i in range(1, 10)] + ["note", "uid"],
    "refills.csv": TIME_COLUMNS + ["kind", "medication", "qty", "repeats_left", "days_supply", "count", "note", "uid"],
    "questions.csv": TIME_COLUMNS + ["question", "answered_local", "answer", "note", "uid"],
    "visits.csv": TIME_COLUMNS + ["note", "uid"],
    "measurements.csv": TIME_COLUMNS + ["test", "value", "diastolic", "unit", "range_low", "range_high", "medication",
                                        "note", "uid"],
}


def csv_files(entries: list[Entry], names: dict[int, str]) -> dict[str, str]:
    """One CSV text per kind of entry (retracted entries left out: this is the record as it stands),
    with a header row; times in ISO-8601: local with its offset, and UTC. Each starts with a UTF-8 byte
    order mark (for Excel), and text that would run as a formula starts with an apostrophe (`cell`)."""
    rows: dict[str, list[list]] = {name: [] for name in CSV_FILES}
    answers = {e.data.get("question"): e for e in entries if e.kind == "answer" and e.data}

    def times(e: Entry) -> list:
        return [_local(e.at, e.tz), e.at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"), e.tz]

    for e in entries:
        d = e.data or {}
        med = names.get(e.medication_id, "") if e.medication_id is not None else ""
        if e.kind in ("take", "skip"):
            rows["doses.csv"].append(times(e) + [e.kind, med, e.dose_amount, e.dose_unit, e.reason, e.note,
                                                 "yes" if e.forced else "", e.uid])
        elif e.kind == "mood":
            rows["mood.csv"].append(times(e) + [d.get(k) for k in ENTRY_KINDS["mood"]] + [e.note, e.uid])
        elif e.kind == "side_effect":
            resolved = d.get("resolved")
            rows["side_effects.csv"].append(times(e) + [med, d.get("symptom"), d.get("severity"),
                                                        "yes" if resolved else ("no" if resolved is False else None),
                                                        e.note, e.uid])
        elif e.kind == "check":
            items = list(d.get("answers") or [])[:9]
            rows["questionnaires.csv"].append(times(e) + [d.get("instrument"), d.get("total"), d.get("severity"),
                                                          d.get("item9")] + items + [None] * (9 - len(items))
                                              + [e.note, e.uid])
        elif e.kind in ("refill", "count"):
            rows["refills.csv"].append(times(e) + [e.kind, med, d.get("qty"), d.get("repeats_left"),
                                                   d.get("days_supply"), d.get("count"), e.note, e.uid])
        elif e.kind == "question":
            a = answers.get(e.uid)
            rows["questions.csv"].append(times(e) + [d.get("text"), _local(a.at, a.tz) if a else None,
                                                     (a.data or {}).get("answer") if a else None, e.note, e.uid])
        elif e.kind == "visit":
            rows["visits.csv"].append(times(e) + [e.note, e.uid])
        elif e.kind == "measurement":
            rows["measurements.csv"].append(times(e) + [d.get(k) for k in ENTRY_KINDS["measurement"]]
                                            + [med, e.note, e.uid])
    import csv  # here: an import, or a JSON export, has no CSV to write
    import io

    out = {}
    for name, header in CSV_FILES.items():
        buf = io.StringIO()
        buf.write(BOM)
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([[cell(v) for v in row] for row in rows[name]])
        out[name] = buf.getvalue()
    return out


BOM = "\ufeff"  # so Excel reads the files as UTF-8
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str | int | float:
    """A CSV cell: None empty; text a spreadsheet would run as a formula (starting with = + - @, a tab or a
    carriage return) kept as text by a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _local(at: datetime, tz: str) -> str:
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return at.astimezone(zone).isoformat(timespec="seconds")
