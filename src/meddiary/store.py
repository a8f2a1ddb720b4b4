"""The one door to SQLite: the diary's path, pragmas, migrations and every SQL statement.

The hot path (take, today) uses the standard library's sqlite3 connection; sqlite-utils is imported only
to apply migrations (its `Migrations` keeps the ledger in `_sqlite_migrations`) and for bulk work.
Nothing is updated in place or deleted: a correction adds a row to `retractions`.
"""

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path

from meddiary.errors import NotADiary, UsageError, WriteFailed, disk_fault, fault_message
from meddiary.model import Entry, Medication, Regimen
from meddiary.timeparse import iso_utc

MIGRATION_SET = "meddiary"
# The names of the migrations below, in order, so opening an up-to-date diary needs no sqlite-utils
# import. A test checks this against the registered migrations. Append-only: never edit a shipped one.
MIGRATION_NAMES = ("m001_medications", "m002_regimens", "m003_entries", "m004_retractions", "m005_records",
                   "m006_schedules", "m007_entry_zones")
BUSY_TIMEOUT_S = 10


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("meddiary", appauthor=False)) / "diary.db"


def resolve_path(cli_db: str | None) -> Path:
    """--db, else MEDDIARY_DB, else the platform's user data folder. An empty --db is refused (it would
    silently mean the default diary); an empty MEDDIARY_DB is unset, as shells treat empty variables."""
    if cli_db is not None and not cli_db.strip():
        raise UsageError("--db is empty: give the diary's file, e.g. --db ~/diary.db, or leave --db out")
    value = cli_db or os.environ.get("MEDDIARY_DB")
    return Path(value).expanduser() if value else default_path()


def migrations():
    """sqlite-utils' migration set for the diary (imported only when a migration is pending)."""
    from sqlite_utils.migrations import Migrations

    m = Migrations(MIGRATION_SET)

    @m(name="m001_medications")
    def m001(db):
        db.execute("""
            CREATE TABLE medications (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                as_needed INTEGER NOT NULL DEFAULT 0,
                purpose TEXT,
                note TEXT,
                created_at_utc TEXT NOT NULL,
                created_tz TEXT NOT NULL
            )""")
        db.execute("""
            CREATE TABLE aliases (
                id INTEGER PRIMARY KEY,
                medication_id INTEGER NOT NULL REFERENCES medications(id),
                alias TEXT NOT NULL UNIQUE COLLATE NOCASE,
                created_at_utc TEXT NOT NULL
            )""")

    @m(name="m002_regimens")
    def m002(db):
        db.execute("""
            CREATE TABLE regimens (
                id INTEGER PRIMARY KEY,
                medication_id INTEGER NOT NULL REFERENCES medications(id),
                start_date TEXT NOT NULL,
                kind TEXT NOT NULL,
                dose_amount REAL,
                dose_unit TEXT,
                times_local TEXT,
                weekdays TEXT,
                every_days INTEGER,
                max_per_day INTEGER,
                min_interval_minutes INTEGER,
                reason TEXT,
                created_at_utc TEXT NOT NULL,
                created_tz TEXT NOT NULL
            )""")
        db.execute("CREATE INDEX regimens_by_medication ON regimens(medication_id, start_date)")

    @m(name="m003_entries")
    def m003(db):
        db.execute("""
            CREATE TABLE entries (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                medication_id INTEGER REFERENCES medications(id),
                at_utc TEXT NOT NULL,
                tz TEXT NOT NULL,
                dose_amount REAL,
                dose_unit TEXT,
                reason TEXT,
                note TEXT,
                forced INTEGER NOT NULL DEFAULT 0,
                recorded_at_utc TEXT NOT NULL
            )""")
        db.execute("CREATE INDEX entries_by_time ON entries(at_utc)")
        db.execute("CREATE INDEX entries_by_medication ON entries(medication_id, at_utc)")

    @m(name="m004_retractions")
    def m004(db):
        db.execute("""
            CREATE TABLE retractions (
                id INTEGER PRIMARY KEY,
                entry_id INTEGER UNIQUE REFERENCES entries(id),
                regimen_id INTEGER UNIQUE REFERENCES regimens(id),
                at_utc TEXT NOT NULL,
                tz TEXT NOT NULL,
                reason TEXT
            )""")

    @m(name="m005_records")
    def m005(db):
        # Stable ids (for export, import and merging two diaries), the kind-specific fields of the further
        # entry kinds (mood, side_effect, check, question, answer, visit, refill, count) as a JSON object,
        # supply facts on regimens, settings (a log: the latest value of a key wins) and reminder state.
        for table in ("medications", "aliases", "regimens", "entries", "retractions"):
            db.execute(f"ALTER TABLE {table} ADD COLUMN uid TEXT")
            db.execute(f"UPDATE {table} SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL")
            db.execute(f"CREATE UNIQUE INDEX {table}_by_uid ON {table}(uid)")
        db.execute("ALTER TABLE entries ADD COLUMN data TEXT")
        db.execute("CREATE INDEX entries_by_kind ON entries(kind, at_utc)")
        db.execute("ALTER TABLE regimens ADD COLUMN units_per_dose REAL")
        db.execute("ALTER TABLE regimens ADD COLUMN strength_amount REAL")
        db.execute("ALTER TABLE regimens ADD COLUMN strength_unit TEXT")
        db.execute("""
            CREATE TABLE settings (
                id INTEGER PRIMARY KEY,
                uid TEXT NOT NULL UNIQUE,
                key TEXT NOT NULL,
                value TEXT,
                at_utc TEXT NOT NULL,
                tz TEXT NOT NULL
            )""")
        db.execute("CREATE INDEX settings_by_key ON settings(key, id)")
        db.execute("""
            CREATE TABLE reminders (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL,
                at_utc TEXT NOT NULL
            )""")
        db.execute("CREATE INDEX reminders_by_key ON reminders(key, at_utc)")

    @m(name="m006_schedules")
    def m006(db):
        # Schedule kinds as one stored field, a dose per time of day, calendar months, cycles, long-acting
        # injections' windows, as-needed limits by amount and an as-needed part beside a schedule. Regimens
        # made before are given their kind from their fields (the rule of model.schedule_of).
        for column, kind in (("schedule", "TEXT"), ("doses_local", "TEXT"), ("every_months", "INTEGER"),
                             ("cycle_on", "INTEGER"), ("cycle_off", "INTEGER"), ("anchor_date", "TEXT"),
                             ("window_days", "INTEGER"), ("max_amount", "REAL"), ("prn_amount", "REAL")):
            db.execute(f"ALTER TABLE regimens ADD COLUMN {column} {kind}")
        db.execute("""
            UPDATE regimens SET schedule = CASE
                WHEN kind = 'stop' THEN NULL
                WHEN times_local IS NULL OR times_local = '' THEN 'as_needed'
                WHEN weekdays IS NOT NULL AND weekdays != '' THEN 'weekdays'
                WHEN every_days > 1 THEN 'every'
                ELSE 'daily' END""")

    @m(name="m007_entry_zones")
    def m007(db):
        # Each day is judged in the zone its entries were recorded in (meddiary.travel): whether a diary
        # holds any zone but the person's current one is one look-up in this index.
        db.execute("CREATE INDEX entries_by_tz ON entries(tz)")

    return m


def make_private_folder(folder: Path) -> None:
    """`folder` and every missing parent, each 0700 whatever the umask (mkdir's mode is masked by it, and
    `parents=True` gives the parents the umask's default)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for f in reversed(missing):
        try:
            f.mkdir(mode=0o700)
        except FileExistsError:
            if not f.is_dir():
                raise
        os.chmod(f, 0o700)


def new_uid() -> str:
    """A stable random id (128 bits, hex) for a row that may travel to another diary."""
    return os.urandom(16).hex()


def _not_a_diary(path: Path, why: str) -> NotADiary:
    return NotADiary(f"{path} is not a meddiary diary ({why}); it was left untouched — "
                     "choose another file with --db PATH or MEDDIARY_DB")


opened: Path | None = None  # the diary this process opened, for errors raised far from the Store


def damaged(err: Exception) -> NotADiary:
    """A diary that fails a query after opening (damaged pages): the same error as one failing at once."""
    return _not_a_diary(opened or Path("the diary"), f"not an SQLite database, or damaged: {err}")


class Store:
    def __init__(self, path: Path):
        global opened
        self.path = opened = path
        created = self._create_private(path)
        try:
            self.conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as e:
            raise _not_a_diary(path, str(e)) from None
        self.conn.row_factory = sqlite3.Row
        self.encrypted = False
        self._check_and_migrate(created)

    @staticmethod
    def _create_private(path: Path) -> bool:
        """Create the diary 0600 in a 0700 folder if it does not exist yet."""
        if path.is_dir():
            raise _not_a_diary(path, "it is a folder")
        if path.exists():
            return False
        folder = path.parent
        if not folder.exists():
            try:
                make_private_folder(folder)
            except FileExistsError:  # made by another meddiary at the same moment
                pass
            except OSError as e:  # a file where a folder should be, a folder we may not write in
                raise UsageError(f"cannot create the diary's folder {folder}: {e.strerror}; "
                                 "choose another file with --db PATH or MEDDIARY_DB") from None
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.fchmod(fd, 0o600)  # O_CREAT's mode is masked by the umask: 0o777 would make it 0
            finally:
                os.close(fd)
        except FileExistsError:
            return False
        except OSError as e:
            raise UsageError(f"cannot create the diary at {path}: {e.strerror}; "
                             "choose another file with --db PATH or MEDDIARY_DB") from None
        return True

    def _check_and_migrate(self, created: bool) -> None:
        try:
            if self._applied(created) != MIGRATION_NAMES:
                self._migrate(created)
        except sqlite3.OperationalError as e:
            if "locked" in str(e) or "busy" in str(e):
                raise
            if disk_fault(e) is not None:  # a sound diary on a full or read-only disk is not "not a diary"
                raise WriteFailed(fault_message(disk_fault(e))) from None
            raise _not_a_diary(self.path, f"not an SQLite database, or damaged: {e}") from None
        except sqlite3.DatabaseError as e:
            # Only a file SQLite cannot read pays for this look at its header: the plaintext hot path doesn't.
            if not created and not self.encrypted and looks_encrypted(self.path):
                self._open_encrypted()
                return
            raise _not_a_diary(self.path, f"not an SQLite database, or damaged: {e}") from None

    def _open_encrypted(self) -> None:
        """Reopen the diary with SQLCipher and the person's passphrase (then check and migrate it)."""
        self.conn.close()
        self.conn = connect_encrypted(self.path, passphrase(self.path))
        self.encrypted = True
        self._check_and_migrate(False)

    def _applied(self, created: bool) -> tuple[str, ...]:
        """The meddiary migrations applied so far; refuses files that are not (or not yet) ours."""
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        applied: tuple[str, ...] = ()
        if "_sqlite_migrations" in tables:
            applied = tuple(r[0] for r in self.conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id", (MIGRATION_SET,)))
        # An empty SQLite file (0 bytes, or no tables) has nothing to lose: it becomes a diary.
        if not created and tables and not applied:
            raise _not_a_diary(self.path, "an SQLite database of something else")
        unknown = set(applied) - set(MIGRATION_NAMES)
        if unknown:
            raise NotADiary(f"{self.path} was written by a newer meddiary (schema {sorted(unknown)[0]}); "
                            "upgrade meddiary to open it")
        return applied

    def _migrate(self, created: bool) -> None:
        """Apply pending migrations in one write transaction, checked again under the lock: a cron check
        and a `take` opening a new (or just upgraded) diary at once must not both apply them."""
        from sqlite_utils import Database

        def apply() -> None:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                applied = self._applied(created)
                if not applied and not created:  # an existing empty file becomes a diary: private, like a new one
                    os.chmod(self.path, 0o600)
                if applied != MIGRATION_NAMES:
                    migrations().apply(Database(self.conn, execute_plugins=False))
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

        self._when_free(lambda: self.conn.execute("PRAGMA journal_mode = WAL"))
        self._when_free(apply)

    def _when_free(self, step) -> None:
        """Run a step, trying again while another connection holds a lock SQLite will not wait for
        (switching to WAL, or two first writers of a rollback-journal file, fail at once as 'locked')."""
        import time as clock

        deadline = clock.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                step()
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or clock.monotonic() > deadline:
                    raise
                clock.sleep(0.02)

    def has_records(self) -> bool:
        """Whether anything was ever recorded here (a diary that only has its schema has not)."""
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM medications) OR EXISTS (SELECT 1 FROM entries)"
            " OR EXISTS (SELECT 1 FROM settings)").fetchone()[0] == 1

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction that takes the write lock at once (so checks and writes agree)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that all see the diary as of one moment (a read transaction: in WAL mode another process
        may write meanwhile, and none of it is half seen)."""
        self.conn.execute("BEGIN")
        try:
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    # -- medications and regimens -------------------------------------------------------------------

    def medications(self) -> list[Medication]:
        """Every medication, with its aliases and its regimens in force order (superseded ones left out)."""
        meds = {r["id"]: Medication(r["id"], r["name"], bool(r["as_needed"]), r["purpose"], r["note"])
                for r in self.conn.execute("SELECT * FROM medications ORDER BY name")}
        for r in self.conn.execute("SELECT medication_id, alias FROM aliases ORDER BY id"):
            meds[r[0]].aliases.append(r[1])
        for r in self.conn.execute(
            "SELECT * FROM regimens WHERE id NOT IN (SELECT regimen_id FROM retractions WHERE regimen_id IS NOT NULL)"
            " ORDER BY medication_id, start_date, id"
        ):
            meds[r["medication_id"]].regimens.append(_regimen(r))
        return list(meds.values())

    def superseded_regimens(self, medication_id: int) -> list[tuple[Regimen, datetime]]:
        rows = self.conn.execute(
            "SELECT g.*, x.at_utc AS retracted_at_utc FROM regimens g JOIN retractions x ON x.regimen_id = g.id"
            " WHERE g.medication_id = ? ORDER BY g.id", (medication_id,))
        return [(_regimen(r), datetime.fromisoformat(r["retracted_at_utc"])) for r in rows]

    def name_taken(self, name: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM medications WHERE name = ? UNION SELECT 1 FROM aliases WHERE alias = ?",
            (name, name)).fetchone() is not None

    def add_medication(self, name: str, as_needed: bool, purpose: str | None, note: str | None,
                       aliases: Iterable[str], regimen: dict, now: datetime, tz: str) -> int:
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO medications (name, as_needed, purpose, note, created_at_utc, created_tz, uid)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)", (name, int(as_needed), purpose, note, iso_utc(now), tz, new_uid()))
            med_id = cur.lastrowid
            for alias in aliases:
                self.conn.execute("INSERT INTO aliases (medication_id, alias, created_at_utc, uid) VALUES (?, ?, ?, ?)",
                                  (med_id, alias, iso_utc(now), new_uid()))
            self._insert_regimen(med_id, regimen, now, tz)
        return med_id

    def add_regimens(self, medication_id: int, regimens: list[dict], now: datetime, tz: str) -> list[int]:
        """New regimens from their start dates on; planned ones from the first of those dates on are
        superseded (kept, marked in `retractions`). A stop alone leaves a regimen starting that same day
        in the history (the stop, recorded later, wins that day)."""
        first = min(r["start_date"] for r in regimens)
        op = ">" if all(r["kind"] == "stop" for r in regimens) else ">="
        with self.transaction():
            for (rid,) in self.conn.execute(
                f"SELECT id FROM regimens WHERE medication_id = ? AND start_date {op} ? AND id NOT IN"
                " (SELECT regimen_id FROM retractions WHERE regimen_id IS NOT NULL)",
                (medication_id, first.isoformat())).fetchall():
                self.conn.execute("INSERT INTO retractions (regimen_id, at_utc, tz, reason, uid) VALUES (?, ?, ?, ?, ?)",
                                  (rid, iso_utc(now), tz, "superseded", new_uid()))
            return [self._insert_regimen(medication_id, r, now, tz) for r in regimens]

    def _insert_regimen(self, medication_id: int, r: dict, now: datetime, tz: str) -> int:
        min_interval = r.get("min_interval")
        cur = self.conn.execute(
            "INSERT INTO regimens (medication_id, start_date, kind, dose_amount, dose_unit, times_local, weekdays,"
            " every_days, max_per_day, min_interval_minutes, reason, created_at_utc, created_tz, uid,"
            " units_per_dose, strength_amount, strength_unit, schedule, doses_local, every_months, cycle_on,"
            " cycle_off, anchor_date, window_days, max_amount, prn_amount)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (medication_id, r["start_date"].isoformat(), r["kind"], r.get("dose_amount"), r.get("dose_unit"),
             ",".join(t.strftime("%H:%M") for t in r.get("times", ())) or None,
             ",".join(str(d) for d in r["weekdays"]) if r.get("weekdays") else None,
             r.get("every_days"), r.get("max_per_day"),
             int(min_interval.total_seconds() // 60) if min_interval else None,
             r.get("reason"), iso_utc(now), tz, new_uid(),
             r.get("units_per_dose"), r.get("strength_amount"), r.get("strength_unit"),
             None if r["kind"] in ("stop", "pause") else r.get("schedule"), doses_text(r.get("doses")),
             r.get("every_months"), r.get("cycle_on"), r.get("cycle_off"),
             r["anchor"].isoformat() if r.get("anchor") else None, r.get("window_days"), r.get("max_amount"),
             r.get("prn_amount")))
        return cur.lastrowid

    # -- entries ------------------------------------------------------------------------------------

    def entries_between(self, start: datetime, end: datetime, medication_ids: Iterable[int] | None = None,
                        kinds: tuple[str, ...] = ("take", "skip")) -> list[Entry]:
        """Entries (not retracted) with start <= at < end, in time order."""
        # Doses are most of the rows: for them walk the time index, which returns them in order (through
        # the kind index SQLite would sort ten years of rows afterwards); rarer kinds use the kind index.
        by_time = "+" if {"take", "skip"} & set(kinds) else ""
        sql = (f"SELECT {_ENTRY_COLUMNS} FROM entries e WHERE at_utc >= ? AND at_utc < ?"
               f" AND {by_time}kind IN ({','.join('?' * len(kinds))})"
               " AND NOT EXISTS (SELECT 1 FROM retractions x WHERE x.entry_id = e.id)")
        args: list = [iso_utc(start), iso_utc(end), *kinds]
        if medication_ids is not None:
            ids = list(medication_ids)
            sql += f" AND medication_id IN ({','.join('?' * len(ids))})"
            args += ids
        cur = self.conn.cursor()
        cur.row_factory = None  # plain tuples: a ten-year report reads tens of thousands of rows
        return [Entry(i, kind, med, datetime.fromisoformat(at), tz, amount, unit, reason, note, bool(forced),
                      _data(data) if data else None, uid)
                for i, kind, med, at, tz, amount, unit, reason, note, forced, data, uid
                in cur.execute(sql + " ORDER BY at_utc, id", args)]

    def add_entries(self, entries: list[dict], now: datetime) -> list[int]:
        """Insert entries (inside the caller's transaction if one is open). Keys: kind, at, tz, and as the
        kind has them medication_id, dose_amount, dose_unit, reason, note, forced, data (a dict), uid."""
        ids = []
        for e in entries:
            data = e.get("data")
            if data is not None:
                import json

                data = json.dumps(data, ensure_ascii=False, sort_keys=True)
            cur = self.conn.execute(
                "INSERT INTO entries (kind, medication_id, at_utc, tz, dose_amount, dose_unit, reason, note,"
                " forced, recorded_at_utc, data, uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (e["kind"], e.get("medication_id"), iso_utc(e["at"]), e["tz"], e.get("dose_amount"), e.get("dose_unit"),
                 e.get("reason"), e.get("note"), int(e.get("forced", False)), iso_utc(now), data,
                 e.get("uid") or new_uid()))
            ids.append(cur.lastrowid)
        return ids

    def entry_uids(self, kind: str) -> set[str]:
        """The stable ids of every entry of a kind (retracted ones too)."""
        return {r[0] for r in self.conn.execute("SELECT uid FROM entries WHERE kind = ?", (kind,))}

    def first_recorded(self) -> tuple[str | None, str | None]:
        """The earliest regimen start (a local date) and the earliest entry (a UTC instant), retracted ones
        included: where the diary's own span begins (a report's period is clamped to it)."""
        return tuple(self.conn.execute(
            "SELECT (SELECT min(start_date) FROM regimens), (SELECT min(at_utc) FROM entries)").fetchone())

    def records_other_zone(self, name: str) -> bool:
        """Whether any entry was recorded in a zone other than `name` (two ranges of entries_by_tz)."""
        return self.conn.execute("SELECT EXISTS (SELECT 1 FROM entries WHERE tz < ? OR tz > ?)",
                                 (name, name)).fetchone()[0] == 1

    def zone_changes(self, also: tuple[datetime, str] | None = None) -> tuple[list[tuple], tuple | None]:
        """The entries (retracted ones too: where the person was is still true) whose recorded zone differs
        from the entry before's, as (instant, zone, the previous entry's instant, its zone), in time order;
        and the latest entry as (instant, zone). What meddiary.travel judges days by. `also`: an entry about
        to be recorded (instant, zone), counted as the newest."""
        extra = " UNION ALL SELECT ?, ?, 9223372036854775807" if also else ""
        params = (iso_utc(also[0]), also[1]) if also else ()
        rows = self.conn.execute(
            "SELECT at_utc, tz, prev_at, prev_tz FROM (SELECT at_utc, tz, lag(at_utc) OVER w AS prev_at,"
            f" lag(tz) OVER w AS prev_tz FROM (SELECT at_utc, tz, id FROM entries{extra})"
            " WINDOW w AS (ORDER BY at_utc, id)) WHERE prev_tz IS NULL OR prev_tz != tz", params)
        parse = datetime.fromisoformat
        changes = [(parse(at), tz, parse(prev_at) if prev_at else None, prev_tz) for at, tz, prev_at, prev_tz in rows]
        last = self.conn.execute(
            f"SELECT at_utc, tz FROM (SELECT at_utc, tz, id FROM entries{extra}) ORDER BY at_utc DESC, id DESC LIMIT 1",
            params).fetchone()
        return changes, (parse(last[0]), last[1]) if last else None

    def entries_of(self, kinds: tuple[str, ...], start: datetime | None = None, end: datetime | None = None,
                   medication_ids: Iterable[int] | None = None) -> list[Entry]:
        """Entries (not retracted) of these kinds, in time order; no bounds: all of them."""
        from datetime import UTC

        lo = start if start is not None else datetime(1900, 1, 1, tzinfo=UTC)
        hi = end if end is not None else datetime(9999, 1, 1, tzinfo=UTC)
        return self.entries_between(lo, hi, medication_ids, kinds)

    # -- settings and reminder state ----------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        """The value last set for `key` in this diary (None: never set, or unset). Last written, not latest
        by the clock: a clock set back must not bring an old value back, and an unset always takes effect
        (a merge keeps this order right: `merge`)."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = ? ORDER BY id DESC LIMIT 1",
                                (key,)).fetchone()
        return row[0] if row else None

    def settings(self) -> dict[str, str]:
        """Every key's last written value (keys whose last value is None are left out)."""
        rows = self.conn.execute("SELECT key, value FROM settings ORDER BY id")
        latest = {k: v for k, v in rows}
        return {k: v for k, v in latest.items() if v is not None}

    def set_setting(self, key: str, value: str | None, now: datetime, tz: str) -> None:
        """Set (or with None, unset) a setting; earlier values stay in the log."""
        self.conn.execute("INSERT INTO settings (uid, key, value, at_utc, tz) VALUES (?, ?, ?, ?, ?)",
                          (new_uid(), key, value, iso_utc(now), tz))

    def last_reminded(self, keys: Iterable[str]) -> dict[str, datetime]:
        """When each of these reminder keys was last reminded (keys never reminded are left out)."""
        keys = list(keys)
        out: dict[str, datetime] = {}
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            for key, at in self.conn.execute(
                f"SELECT key, max(at_utc) FROM reminders WHERE key IN ({','.join('?' * len(part))}) GROUP BY key", part):
                out[key] = datetime.fromisoformat(at)
        return out

    def mark_reminded(self, keys: Iterable[str], now: datetime) -> None:
        self.conn.executemany("INSERT INTO reminders (key, at_utc) VALUES (?, ?)", [(k, iso_utc(now)) for k in keys])

    def take_totals(self, medication_id: int, since: datetime | None) -> list[tuple[float | None, str | None, str, int]]:
        """Takes (not retracted) of a medication from `since` on, grouped: (dose_amount, dose_unit, UTC day
        'YYYY-MM-DD', number of takes). SQL does the counting; a supply check never loads years of rows."""
        sql = ("SELECT dose_amount, dose_unit, substr(at_utc, 1, 10) AS day, count(*) FROM entries e"
               " WHERE kind = 'take' AND medication_id = ? AND at_utc >= ?"
               " AND NOT EXISTS (SELECT 1 FROM retractions x WHERE x.entry_id = e.id)"
               " GROUP BY dose_amount, dose_unit, day ORDER BY day")
        return [tuple(r) for r in self.conn.execute(sql, (medication_id, iso_utc(since) if since else ""))]

    def latest_retraction(self) -> tuple[int, str | None, bool] | None:
        """The newest retraction of an entry: (entry id, reason, whether an entry was recorded after it — a
        corrected copy recorded with it is not), or None."""
        row = self.conn.execute(
            "SELECT x.entry_id, x.reason, EXISTS (SELECT 1 FROM entries e WHERE e.recorded_at_utc > x.at_utc)"
            " FROM retractions x WHERE x.entry_id IS NOT NULL ORDER BY x.id DESC LIMIT 1").fetchone()
        return (row[0], row[1], bool(row[2])) if row else None

    def latest_entry(self) -> Entry | None:
        """The most recently recorded entry not yet retracted."""
        row = self.conn.execute(
            "SELECT * FROM entries e WHERE NOT EXISTS (SELECT 1 FROM retractions x WHERE x.entry_id = e.id)"
            " ORDER BY id DESC LIMIT 1").fetchone()
        return _entry(row) if row else None

    def entry(self, entry_id: int) -> tuple[Entry, datetime | None] | None:
        """One entry by its id, retracted or not, with the time of its retraction (None: no such entry)."""
        row = self.conn.execute("SELECT e.*, x.at_utc AS retracted_at_utc FROM entries e"
                                " LEFT JOIN retractions x ON x.entry_id = e.id WHERE e.id = ?", (entry_id,)).fetchone()
        if row is None:
            return None
        return _entry(row), datetime.fromisoformat(row["retracted_at_utc"]) if row["retracted_at_utc"] else None

    def retract_entry(self, entry_id: int, now: datetime, tz: str, reason: str = "undo") -> None:
        """Mark an entry retracted (it stays). `reason`: 'undo', 'retract', or the person's own words."""
        self.conn.execute("INSERT INTO retractions (entry_id, at_utc, tz, reason, uid) VALUES (?, ?, ?, ?, ?)",
                          (entry_id, iso_utc(now), tz, reason, new_uid()))

    def log(self, since: datetime | None, medication_id: int | None,
            limit: int | None) -> list[tuple[Entry, datetime | None, str | None]]:
        """Entries newest first, retracted ones included with the time and reason of their retraction."""
        sql = ("SELECT e.*, x.at_utc AS retracted_at_utc, x.reason AS retraction_reason FROM entries e"
               " LEFT JOIN retractions x ON x.entry_id = e.id WHERE 1 = 1")
        args: list = []
        if since is not None:
            sql += " AND e.at_utc >= ?"
            args.append(iso_utc(since))
        if medication_id is not None:
            sql += " AND e.medication_id = ?"
            args.append(medication_id)
        sql += " ORDER BY e.at_utc DESC, e.id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [(_entry(r), datetime.fromisoformat(r["retracted_at_utc"]) if r["retracted_at_utc"] else None,
                 r["retraction_reason"]) for r in self.conn.execute(sql, args)]

    def dump(self) -> str:
        """The whole database as SQL text (tests compare it before and after a refused command)."""
        return "\n".join(self.conn.iterdump())

    # -- the whole diary: export, merge, backup, checks ---------------------------------------------

    def rows(self, table: str) -> list[dict]:
        """Every row of a table that travels (retracted and superseded rows included), in id order."""
        if table not in TRAVELLING_TABLES:
            raise ValueError(f"not a diary table: {table}")
        cur = self.conn.execute(f"SELECT * FROM {table} ORDER BY id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur]

    def merge(self, records: dict[str, list[dict]], now: datetime | None = None, tz: str = "UTC") -> dict:
        """Add the rows of another diary (or of an export) that this one lacks, matched by uid, in one
        transaction. References are by uid (`medication_uid`, `entry_uid`, `regimen_uid`) and become this
        diary's ids. A medication whose uid is new but whose name (or an alias) is already here is the same
        medication: its rows join the one here, its regimens kept as superseded (retracted at `now`, "merged
        from another diary"), so the plan in force here stays the one in force. Returns what was added, per
        table and per entry kind, and notes on what was matched or left out."""
        added: dict[str, int] = {}
        kinds: dict[str, int] = {}
        notes: list[str] = []
        with self.transaction():
            med_ids = self._uid_ids("medications")
            joined: dict[str, str] = {}  # uid of a medication joined by name -> its name here
            names = {r[0].casefold(): r[1] for r in self.conn.execute(
                "SELECT name, id FROM medications UNION ALL SELECT alias, medication_id FROM aliases")}
            for m in records.get("medications", ()):
                if m["uid"] in med_ids:
                    continue
                same = names.get(m["name"].casefold())
                if same is not None:
                    med_ids[m["uid"]] = same
                    joined[m["uid"]] = m["name"]
                    continue
                cur = self.conn.execute(
                    "INSERT INTO medications (name, as_needed, purpose, note, created_at_utc, created_tz, uid)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)", (m["name"], int(m["as_needed"]), m["purpose"], m["note"],
                                                      m["created_at_utc"], m["created_tz"], m["uid"]))
                med_ids[m["uid"]] = cur.lastrowid
                names[m["name"].casefold()] = cur.lastrowid
                added["medications"] = added.get("medications", 0) + 1
            alias_uids = self._uid_ids("aliases")
            for a in records.get("aliases", ()):
                if a["uid"] in alias_uids:
                    continue
                med_id = med_ids[a["medication_uid"]]
                owner = names.get(a["alias"].casefold())
                if owner is not None:
                    if owner != med_id:
                        notes.append(f"the alias {a['alias']} was left out: it names another medication here")
                    continue
                self.conn.execute("INSERT INTO aliases (medication_id, alias, created_at_utc, uid) VALUES (?, ?, ?, ?)",
                                  (med_id, a["alias"], a["created_at_utc"], a["uid"]))
                names[a["alias"].casefold()] = med_id
                added["aliases"] = added.get("aliases", 0) + 1
            regimen_ids = self._uid_ids("regimens")
            superseded: dict[str, int] = {}
            for r in records.get("regimens", ()):
                if r["uid"] in regimen_ids:
                    continue
                cur = self.conn.execute(
                    f"INSERT INTO regimens ({', '.join(REGIMEN_COLUMNS)}, medication_id, uid)"
                    f" VALUES ({', '.join('?' * (len(REGIMEN_COLUMNS) + 2))})",
                    (*(r[c] for c in REGIMEN_COLUMNS), med_ids[r["medication_uid"]], r["uid"]))
                regimen_ids[r["uid"]] = cur.lastrowid
                added["regimens"] = added.get("regimens", 0) + 1
                if r["medication_uid"] in joined:
                    self.conn.execute(
                        "INSERT INTO retractions (regimen_id, at_utc, tz, reason, uid) VALUES (?, ?, ?, ?, ?)",
                        (cur.lastrowid, iso_utc(now) if now else r["created_at_utc"], tz, "merged from another diary",
                         new_uid()))
                    superseded[r["medication_uid"]] = superseded.get(r["medication_uid"], 0) + 1
            for uid, name in joined.items():
                n = superseded.get(uid, 0)
                kept = (f"; its {n} regimen{'s were' if n != 1 else ' was'} kept as superseded (\"merged from another "
                        "diary\"): the plan in force here is unchanged") if n else ""
                notes.append(f"{name} was already in this diary (added separately): its records were joined to it{kept}")
            entry_ids = self._uid_ids("entries")
            for e in records.get("entries", ()):
                if e["uid"] in entry_ids:
                    continue
                cur = self.conn.execute(
                    f"INSERT INTO entries ({', '.join(ENTRY_COLUMNS)}, medication_id, uid)"
                    f" VALUES ({', '.join('?' * (len(ENTRY_COLUMNS) + 2))})",
                    (*(e[c] for c in ENTRY_COLUMNS),
                     med_ids[e["medication_uid"]] if e["medication_uid"] else None, e["uid"]))
                entry_ids[e["uid"]] = cur.lastrowid
                kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
            retraction_uids = self._uid_ids("retractions")
            retracted = {(r[0], r[1]) for r in self.conn.execute("SELECT entry_id, regimen_id FROM retractions")}
            retracted_entries = {x for x, _ in retracted if x is not None}
            retracted_regimens = {g for _, g in retracted if g is not None}
            for x in records.get("retractions", ()):
                if x["uid"] in retraction_uids:
                    continue
                entry_id = entry_ids[x["entry_uid"]] if x["entry_uid"] else None
                regimen_id = regimen_ids[x["regimen_uid"]] if x["regimen_uid"] else None
                if (entry_id is not None and entry_id in retracted_entries) or \
                        (regimen_id is not None and regimen_id in retracted_regimens):
                    continue  # retracted here too, separately: once is enough
                self.conn.execute("INSERT INTO retractions (entry_id, regimen_id, at_utc, tz, reason, uid)"
                                  " VALUES (?, ?, ?, ?, ?, ?)",
                                  (entry_id, regimen_id, x["at_utc"], x["tz"], x["reason"], x["uid"]))
                (retracted_entries if entry_id is not None else retracted_regimens).add(entry_id or regimen_id)
                added["retractions"] = added.get("retractions", 0) + 1
            # The last row written wins (`setting`): imported rows go in in their time order, and when the
            # value set here was set later than every imported one of its key, it is written again after them.
            setting_uids = self._uid_ids("settings")
            here = {r["key"]: r for r in self.conn.execute(
                "SELECT key, value, at_utc, tz FROM settings WHERE id IN (SELECT max(id) FROM settings GROUP BY key)")}
            newest: dict[str, str] = {}
            for t in sorted(records.get("settings", ()), key=lambda t: t["at_utc"]):
                if t["uid"] in setting_uids:
                    continue
                self.conn.execute("INSERT INTO settings (uid, key, value, at_utc, tz) VALUES (?, ?, ?, ?, ?)",
                                  (t["uid"], t["key"], t["value"], t["at_utc"], t["tz"]))
                newest[t["key"]] = t["at_utc"]
                added["settings"] = added.get("settings", 0) + 1
            for key, at in newest.items():
                if key in here and here[key]["at_utc"] >= at:
                    r = here[key]
                    self.conn.execute("INSERT INTO settings (uid, key, value, at_utc, tz) VALUES (?, ?, ?, ?, ?)",
                                      (new_uid(), key, r["value"], r["at_utc"], r["tz"]))
                    notes.append(f"the setting {key} made here on {r['at_utc'][:10]} stays in force: the imported, "
                                 "older values are kept in its history")
        return {"added": added, "entries": kinds, "notes": notes}

    def _uid_ids(self, table: str) -> dict[str, int]:
        return {uid: i for uid, i in self.conn.execute(f"SELECT uid, id FROM {table}")}

    def backup_to(self, dest: Path) -> None:
        """A consistent copy with SQLite's online backup API (safe while another process writes), created
        0600; an encrypted diary's copy is encrypted with the same passphrase."""
        os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        target = connect_encrypted(dest, self.conn.key) if self.encrypted else sqlite3.connect(dest)
        try:
            _raw(self.conn).backup(_raw(target))
            # A single file with no WAL beside it: the copy can be moved or mailed to oneself as it is.
            target.execute("PRAGMA journal_mode = DELETE").fetchall()
        finally:
            target.close()

    def checkpoint(self) -> None:
        """Move the WAL's pages into the diary file and leave no -wal/-shm beside it (needs the diary to
        oneself: another open connection makes this fail as 'locked')."""
        self._when_free(lambda: self.conn.execute("PRAGMA journal_mode = DELETE").fetchall())

    def integrity_check(self) -> list[str]:
        """SQLite's own check of every page and index: ['ok'] when sound."""
        return [r[0] for r in self.conn.execute("PRAGMA integrity_check")]

    def foreign_key_problems(self) -> list[tuple[str, int, str]]:
        """Rows whose REFERENCES point at no row: (table, rowid, referenced table)."""
        return [(r[0], r[1], r[2]) for r in self.conn.execute("PRAGMA foreign_key_check")]

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id", (MIGRATION_SET,))]

    def export_encrypted(self, dest: Path, key: str) -> None:
        """Write an SQLCipher copy of this (plaintext) diary to `dest` with sqlcipher_export."""
        # The caller holds this diary's write lock, so no write lands in the old file while it is copied.
        encrypted_copy(self.path, dest, key)


TRAVELLING_TABLES = ("medications", "aliases", "regimens", "entries", "retractions", "settings")
REGIMEN_COLUMNS = ("start_date", "kind", "dose_amount", "dose_unit", "times_local", "weekdays", "every_days",
                   "max_per_day", "min_interval_minutes", "reason", "created_at_utc", "created_tz",
                   "units_per_dose", "strength_amount", "strength_unit", "schedule", "doses_local", "every_months",
                   "cycle_on", "cycle_off", "anchor_date", "window_days", "max_amount", "prn_amount")
ENTRY_COLUMNS = ("kind", "at_utc", "tz", "dose_amount", "dose_unit", "reason", "note", "forced",
                 "recorded_at_utc", "data")


def inspect(path: Path) -> list[str]:
    """The meddiary migrations applied to the file at `path`, read without writing a byte (restore checks a
    file with this); raises NotADiary for anything that is not a meddiary diary, or not a sound one: SQLite's
    full integrity check runs on every page (a backup damaged inside a page opens and reads its ledger
    fine, and would be installed broken)."""
    if not path.is_file():
        raise NotADiary(f"{path} is not a meddiary diary (no such file)")
    uri = "file:" + _uri_path(path) + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            names, problems = _ledger(conn), _integrity(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        if not looks_encrypted(path):
            raise _not_a_diary(path, f"not an SQLite database, or damaged: {e}") from None
        conn = connect_encrypted(path, passphrase(path), uri=uri)
        try:
            names, problems = _ledger(conn), _integrity(conn)
        except sqlite3.DatabaseError as e:
            raise _not_a_diary(path, f"damaged: {e}") from None
        finally:
            conn.close()
    if not names:
        raise _not_a_diary(path, "an SQLite database of something else")
    if problems != ["ok"]:
        raise _not_a_diary(path, f"damaged: SQLite's integrity check says {problems[0]}")
    unknown = set(names) - set(MIGRATION_NAMES)
    if unknown:
        raise NotADiary(f"{path} was written by a newer meddiary (schema {sorted(unknown)[0]}); upgrade meddiary first")
    return names


def copy_diary(source: Path, dest: Path) -> None:
    """Copy the diary file at `source` (plaintext or encrypted: the copy is the same) to a new file `dest`
    with the online backup API, reading the source without writing to it; the copy is 0600, in WAL mode."""
    uri = "file:" + _uri_path(source) + "?mode=ro"
    key = None
    src = sqlite3.connect(uri, uri=True)
    try:
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        src.close()
        key = passphrase(source)
        src = connect_encrypted(source, key, uri=uri)
    try:
        os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        target = connect_encrypted(dest, key) if key else sqlite3.connect(dest)
        try:
            _raw(src).backup(_raw(target))
            target.execute("PRAGMA journal_mode = WAL").fetchall()
        finally:
            target.close()
    finally:
        src.close()


def encrypted_copy(source: Path, dest: Path, key: str, read_only: bool = False) -> None:
    """Write an SQLCipher copy of the plaintext diary file at `source` to a new file `dest` (0600) with
    sqlcipher_export. `read_only`: the source (a backup being restored) is only read, into memory, and
    encrypted from there: no plaintext copy is ever written beside an encrypted diary (one was, and a
    SIGKILL left it there)."""
    os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    cipher = _cipher_module()
    if read_only:
        src = cipher.connect("file:" + _uri_path(source) + "?mode=ro", uri=True)
        try:
            plain = cipher.connect(":memory:", isolation_level=None)
            src.backup(plain)
        finally:
            src.close()
    else:
        plain = cipher.connect(source, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        plain.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(dest), key))
        plain.execute("SELECT sqlcipher_export('encrypted')").fetchall()
        version = plain.execute("PRAGMA main.user_version").fetchone()[0]
        plain.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        plain.execute("DETACH DATABASE encrypted")
    finally:
        plain.close()


def _integrity(conn) -> list[str]:
    return [r[0] for r in conn.execute("PRAGMA integrity_check")]


def _ledger(conn) -> list[str]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "_sqlite_migrations" not in tables:
        return []
    return [r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id", (MIGRATION_SET,))]


def _uri_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.absolute()))


# -- encryption at rest (SQLCipher, the optional extra) ----------------------------------------------

SQLITE_HEADER = b"SQLite format 3\x00"
ENCRYPT_EXTRA = "pip install 'meddiary[encrypt]'"


def looks_encrypted(path: Path) -> bool:
    """An SQLCipher file: whole pages (at least one), and a first 16 bytes that are random salt, not
    SQLite's header nor text. Read only after plain SQLite has failed on the file."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        return False
    return size >= 512 and size % 512 == 0 and head != SQLITE_HEADER and any(b >= 0x80 for b in head)


def names_for_completion(path: Path) -> list[str]:
    """Every medication name and alias in the diary at `path`, read only (shell completion: it never creates,
    migrates or asks for a passphrase; an encrypted, missing or damaged file gives none)."""
    import sqlite3

    if not path.is_file():
        return []
    try:
        conn = sqlite3.connect(f"file:{_uri_path(path)}?mode=ro", uri=True, timeout=1)
        try:
            return [r[0] for r in conn.execute("SELECT name FROM medications UNION SELECT alias FROM aliases")]
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def _cipher_module():
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        raise UsageError(f"encryption needs SQLCipher, an optional extra: {ENCRYPT_EXTRA}") from None
    return dbapi2


_typed: dict[str, str] = {}


def ask_passphrase(prompt: str) -> str | None:
    """The passphrase typed on a terminal; None without one (tests replace this)."""
    import sys

    if not sys.stdin.isatty():
        return None
    import getpass

    return getpass.getpass(prompt)


def passphrase(path: Path, prompt: str | None = None) -> str:
    """An encrypted diary's passphrase: MEDDIARY_PASSPHRASE, else the output of MEDDIARY_PASSPHRASE_COMMAND
    (for cron: e.g. `pass show meddiary`), else asked on the terminal. Without SQLCipher installed, the line
    saying how to get it comes first: nobody is asked for a passphrase that cannot be used."""
    _cipher_module()
    value = os.environ.get("MEDDIARY_PASSPHRASE") or _typed.get(str(path))
    if not value and (command := os.environ.get("MEDDIARY_PASSPHRASE_COMMAND", "").strip()):
        import subprocess

        try:
            done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            raise UsageError("MEDDIARY_PASSPHRASE_COMMAND did not finish within 60 s") from None
        if done.returncode != 0:
            raise UsageError(f"MEDDIARY_PASSPHRASE_COMMAND failed (exit {done.returncode}); no passphrase for {path}")
        value = done.stdout.rstrip("\r\n")
        if not value:
            raise UsageError("MEDDIARY_PASSPHRASE_COMMAND printed nothing; it must print the passphrase")
    if not value:
        value = ask_passphrase(prompt or f"passphrase for {path}: ")
        if value is None:
            raise UsageError(f"{path} is encrypted: give its passphrase on a terminal, in MEDDIARY_PASSPHRASE, "
                             "or as a command printing it in MEDDIARY_PASSPHRASE_COMMAND")
        _typed[str(path)] = value  # asked once per run
    if not value or "\x00" in value:
        raise UsageError("the passphrase is empty: give one of at least one character")
    return value


def connect_encrypted(path: Path, key: str, uri: str | None = None):
    """An SQLCipher connection (raising the standard library's sqlite3 errors, so every caller's handling
    stays the same); a wrong passphrase is one line and exit 2."""
    db = _cipher_module()
    conn = db.connect(uri or path, timeout=BUSY_TIMEOUT_S, isolation_level=None, uri=uri is not None)
    # SQLCipher logs a failed page check (a wrong passphrase) to stderr itself: the one line below says it
    conn.execute("PRAGMA cipher_log_level = NONE").fetchall()
    conn.execute("PRAGMA key = " + _quote(key))
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except db.DatabaseError as e:
        conn.close()
        if "not a database" in str(e):
            raise UsageError(f"wrong passphrase for the encrypted diary {path} (or it is not a meddiary diary)") from None
        raise _translate(e) from None
    wrapped = _CipherConnection(conn)
    wrapped.row_factory = db.Row
    wrapped.key = key
    return wrapped


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _translate(err: Exception) -> Exception:
    """An SQLCipher error as the standard library's sqlite3 error of the same name."""
    kind = getattr(sqlite3, type(err).__name__, sqlite3.Error)
    return kind(*err.args) if isinstance(kind, type) and issubclass(kind, sqlite3.Error) else sqlite3.Error(*err.args)


def _raw(conn):
    return conn._conn if isinstance(conn, _CipherConnection) else conn


class _Translating:
    """Delegates to an SQLCipher object, turning its exceptions into sqlite3's."""

    def __init__(self, inner):
        object.__setattr__(self, "_conn", inner)

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def __setattr__(self, name, value):
        if name == "key":
            object.__setattr__(self, name, value)
        else:
            setattr(self._conn, name, value)

    def _call(self, name, *args):
        db = _cipher_module()
        try:
            result = getattr(self._conn, name)(*args)
        except db.Error as e:
            raise _translate(e) from None
        return _CipherCursor(result) if isinstance(result, db.Cursor) else result

    def execute(self, *args):
        return self._call("execute", *args)

    def executemany(self, *args):
        return self._call("executemany", *args)

    def executescript(self, *args):
        return self._call("executescript", *args)

    def fetchone(self):
        return self._call("fetchone")

    def fetchall(self):
        return self._call("fetchall")

    def __iter__(self):
        db = _cipher_module()
        it = iter(self._conn)
        while True:
            try:
                yield next(it)
            except StopIteration:
                return
            except db.Error as e:
                raise _translate(e) from None


class _CipherCursor(_Translating):
    pass


class _CipherConnection(_Translating):
    def cursor(self):
        return _CipherCursor(self._conn.cursor())


_ENTRY_COLUMNS = "id, kind, medication_id, at_utc, tz, dose_amount, dose_unit, reason, note, forced, data, uid"


def _data(text: str) -> dict:
    import json

    return json.loads(text)


def _regimen(r: sqlite3.Row) -> Regimen:
    return Regimen(
        id=r["id"], medication_id=r["medication_id"], start_date=date.fromisoformat(r["start_date"]),
        kind=r["kind"], dose_amount=r["dose_amount"], dose_unit=r["dose_unit"],
        times=tuple(time.fromisoformat(t) for t in r["times_local"].split(",")) if r["times_local"] else (),
        weekdays=tuple(int(d) for d in r["weekdays"].split(",")) if r["weekdays"] else None,
        every_days=r["every_days"], max_per_day=r["max_per_day"],
        min_interval=timedelta(minutes=r["min_interval_minutes"]) if r["min_interval_minutes"] else None,
        reason=r["reason"], created_at=datetime.fromisoformat(r["created_at_utc"]),
        units_per_dose=r["units_per_dose"], strength_amount=r["strength_amount"], strength_unit=r["strength_unit"],
        schedule=r["schedule"], doses=tuple(float(x) for x in r["doses_local"].split(",")) if r["doses_local"] else None,
        every_months=r["every_months"], cycle_on=r["cycle_on"], cycle_off=r["cycle_off"],
        anchor=date.fromisoformat(r["anchor_date"]) if r["anchor_date"] else None, window_days=r["window_days"],
        max_amount=r["max_amount"], prn_amount=r["prn_amount"],
    )


def doses_text(doses) -> str | None:
    """Each time's dose, in the order of times_local ('400,600'); None when all times have the same dose."""
    from meddiary.doses import format_amount

    return ",".join(format_amount(a) for a in doses) if doses else None


def _entry(r: sqlite3.Row) -> Entry:
    return Entry(
        id=r["id"], kind=r["kind"], medication_id=r["medication_id"], at=datetime.fromisoformat(r["at_utc"]),
        tz=r["tz"], dose_amount=r["dose_amount"], dose_unit=r["dose_unit"], reason=r["reason"],
        note=r["note"], forced=bool(r["forced"]), data=_data(r["data"]) if r["data"] else None, uid=r["uid"],
    )
