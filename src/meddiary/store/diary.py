"""The Store: an open diary, and every query and write on it.

Opening checks the file is a meddiary diary and applies pending migrations (meddiary.store.schema); an
encrypted diary is reopened with SQLCipher (meddiary.store.cipher). The hot path (take, today, due) uses the
standard library's sqlite3 connection and imports neither sqlite-utils, json nor SQLCipher unless it needs
them. Nothing is updated in place or deleted: a correction adds a row to `retractions`.
"""

import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from meddiary import store as package
from meddiary.errors import NotADiary, UsageError, WriteFailed, disk_fault, fault_message
from meddiary.model import (OWN_KEYS, Entry, EntryRows, Medication, Regimen, doses_text, regimen_columns,  # noqa: F401
                            regimen_from_row)
from meddiary.store.paths import make_private_folder, not_a_diary
from meddiary.store.schema import (ANSWERED, ENTRY_COLUMNS, MIGRATION_NAMES, MIGRATION_SET, REFILL_DAYS, REFILL_QTY,
                                   REGIMEN_COLUMNS, SYMPTOM, TRAVELLING_TABLES, migrations)
from meddiary.timeparse import iso_utc


def new_uid() -> str:
    """A stable random id (128 bits, hex) for a row that may travel to another diary."""
    return os.urandom(16).hex()


SHAPE_COLUMNS = tuple(c for c in ENTRY_COLUMNS if c not in OWN_KEYS)  # an entry's columns but its own
SORT_CACHE_KIB = 65536  # the page cache while those indexes are made (SQLite sorts in it)
ROWS_PER_STATEMENT = 1000  # _insert_rows: well within SQLite's smallest limit on bound values (32,766)
ZONE_LOOKUPS = 2000  # entries outside a diary's main zone found by look-ups (zone_changes); more: read in order
ALSO_ID = 9223372036854775807  # zone_changes' entry about to be recorded: after every entry at its instant
STALE_ASIDE_S = 3600  # a restore's file beside the diary this old was left by one that was killed (made_aside)

MERGED_REASON = "merged from another diary"  # the retraction reason of a joined medication's regimens

opened: Path | None = None  # the diary this process opened, for errors raised far from the Store


def damaged(err: Exception) -> NotADiary:
    """A diary that fails a query after opening (damaged pages): the same error as one failing at once."""
    return not_a_diary(opened or Path("the diary"), f"not an SQLite database, or damaged: {err}")


class Store:
    def __init__(self, path: Path, passphrase_source=None, aside: bool = False):
        """Open (creating, private, if need be) and migrate the diary at `path`. `passphrase_source`: what
        an encrypted diary's passphrase is asked of (a prompt -> the passphrase, or None when nobody can be
        asked); default: the package's `passphrase_source`. `aside`: a new diary being made where no other
        command opens it (made_aside): its rollback journal in memory and nothing synced until it is whole
        (a WAL would write every page twice, and sync at each step)."""
        global opened
        self.path = opened = path
        self.passphrase_source = passphrase_source
        self._writing = False  # inside transaction(): a nested one joins it
        self.aside = aside
        created = self._create_private(path)
        try:
            self.conn = sqlite3.connect(path, timeout=package.BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as e:
            raise not_a_diary(path, str(e)) from None
        self.conn.row_factory = sqlite3.Row
        self.encrypted = False
        if aside:
            self.conn.execute("PRAGMA journal_mode = MEMORY").fetchall()
            self.conn.execute("PRAGMA synchronous = OFF")
        self._check_and_migrate(created)

    @staticmethod
    def _create_private(path: Path) -> bool:
        """Create the diary 0600 in a 0700 folder if it does not exist yet."""
        if path.is_dir():
            raise not_a_diary(path, "it is a folder")
        if path.exists():
            return False
        Store.make_folder(path.parent)
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

    @staticmethod
    def make_folder(folder: Path) -> None:
        """The diary's folder, made private (0700) if it does not exist yet."""
        if not folder.exists():
            try:
                make_private_folder(folder)
            except FileExistsError:  # made by another meddiary at the same moment
                pass
            except OSError as e:  # a file where a folder should be, a folder we may not write in
                raise UsageError(f"cannot create the diary's folder {folder}: {e.strerror}; "
                                 "choose another file with --db PATH or MEDDIARY_DB") from None

    def _check_and_migrate(self, created: bool) -> None:
        try:
            if self._applied(created) != MIGRATION_NAMES:
                self._migrate(created)
        except sqlite3.OperationalError as e:
            if "locked" in str(e) or "busy" in str(e):
                raise
            if disk_fault(e) is not None:  # a sound diary on a full or read-only disk is not "not a diary"
                raise WriteFailed(fault_message(disk_fault(e))) from None
            raise not_a_diary(self.path, f"not an SQLite database, or damaged: {e}") from None
        except sqlite3.DatabaseError as e:
            # Only a file SQLite cannot read pays for this look at its header: the plaintext hot path doesn't.
            from meddiary.store.cipher import looks_encrypted

            if not created and not self.encrypted and looks_encrypted(self.path):
                self._open_encrypted()
                return
            raise not_a_diary(self.path, f"not an SQLite database, or damaged: {e}") from None

    def _open_encrypted(self) -> None:
        """Reopen the diary with SQLCipher and the person's passphrase (then check and migrate it)."""
        from meddiary.store.cipher import connect_encrypted, passphrase

        self.conn.close()
        self.conn = connect_encrypted(self.path, passphrase(self.path, source=self.passphrase_source))
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
            raise not_a_diary(self.path, "an SQLite database of something else")
        unknown = set(applied) - set(MIGRATION_NAMES)
        if unknown:
            raise NotADiary(f"{self.path} was written by a newer meddiary (schema {sorted(unknown)[0]}); "
                            "upgrade meddiary to open it")
        return applied

    def _migrate(self, created: bool) -> None:
        """Apply pending migrations in one write transaction, checked again under the lock: a cron check
        and a `take` opening a new (or just upgraded) diary at once must not both apply them. A new diary
        (no tables yet) is made from meddiary.store.fresh, what the migrations make (without importing
        sqlite-utils: it costs a new diary's first command, or an import into it, several starts of Python)."""

        def apply() -> None:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                applied = self._applied(created)
                if not applied and not created:  # an existing empty file becomes a diary: private, like a new one
                    os.chmod(self.path, 0o600)
                if applied != MIGRATION_NAMES:
                    from meddiary.store import fresh

                    # (a snapshot not made again since a migration was added is not used: the migrations are)
                    empty = not self.conn.execute("SELECT 1 FROM sqlite_master").fetchone()
                    if empty and fresh.MIGRATED == MIGRATION_NAMES:
                        self._make_fresh(fresh.STATEMENTS)
                    else:
                        from sqlite_utils import Database

                        migrations().apply(Database(self.conn, execute_plugins=False))
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

        if not self.aside:
            self._when_free(lambda: self.conn.execute("PRAGMA journal_mode = WAL"))
        self._when_free(apply)

    def _make_fresh(self, statements: tuple[str, ...]) -> None:
        """A new diary's schema (in the caller's transaction), and its ledger as sqlite-utils writes it."""
        from datetime import UTC

        for sql in statements:
            self.conn.execute(sql)
        at = str(datetime.now(UTC))  # all at once
        self.conn.executemany("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
                              [(MIGRATION_SET, name, at) for name in MIGRATION_NAMES])

    def _when_free(self, step) -> None:
        """Run a step, trying again while another connection holds a lock SQLite will not wait for
        (switching to WAL, or two first writers of a rollback-journal file, fail at once as 'locked')."""
        import time as clock

        deadline = clock.monotonic() + package.BUSY_TIMEOUT_S
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
        """A write transaction that takes the write lock at once (so checks and writes agree). Inside
        another (a use case's own, around its load and decide): part of that one, which commits or rolls
        back all of it."""
        if self._writing:
            yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._writing = True
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        finally:
            self._writing = False
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
            meds[r["medication_id"]].regimens.append(regimen_from_row(r))
        return list(meds.values())

    def superseded_regimens(self, medication_id: int) -> list[tuple[Regimen, datetime]]:
        rows = self.conn.execute(
            "SELECT g.*, x.at_utc AS retracted_at_utc FROM regimens g JOIN retractions x ON x.regimen_id = g.id"
            " WHERE g.medication_id = ? ORDER BY g.id", (medication_id,))
        return [(regimen_from_row(r), datetime.fromisoformat(r["retracted_at_utc"])) for r in rows]

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
        """A planned regimen (model.Regimen's field names, as meddiary.regimens plans them) in the diary."""
        row = {**regimen_columns(r), "created_at_utc": iso_utc(now), "created_tz": tz}
        cur = self.conn.execute(
            f"INSERT INTO regimens ({', '.join(REGIMEN_COLUMNS)}, medication_id, uid)"
            f" VALUES ({', '.join('?' * (len(REGIMEN_COLUMNS) + 2))})",
            (*(row[c] for c in REGIMEN_COLUMNS), medication_id, new_uid()))
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
        return self._entries(sql + " ORDER BY at_utc, id", args)

    def latest_between(self, kind: str, medication_id: int, start: datetime, end: datetime) -> Entry | None:
        """The latest entry (not retracted) of a kind and medication with start <= at < end (a walk back
        through the medication's index: for a kind as common as its takes)."""
        found = self._entries(
            f"SELECT {_ENTRY_COLUMNS} FROM entries e WHERE medication_id = ? AND at_utc >= ? AND at_utc < ?"
            " AND kind = ? AND NOT EXISTS (SELECT 1 FROM retractions x WHERE x.entry_id = e.id)"
            " ORDER BY at_utc DESC, id DESC LIMIT 1", [medication_id, iso_utc(start), iso_utc(end), kind])
        return found[0] if found else None

    def entries_with_ids(self, ids: list[int]) -> list[Entry]:
        """The entries with these ids, in time order."""
        found = []
        for i in range(0, len(ids), 500):  # SQLite's limit on parameters is far above this
            part = ids[i:i + 500]
            found += self._entries(f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id IN ({','.join('?' * len(part))})",
                                   part)
        return sorted(found, key=lambda e: (e.at, e.id))

    def _entries(self, sql: str, args: list) -> list[Entry]:
        """The entries a query of _ENTRY_COLUMNS gives, in its order."""
        cur = self.conn.cursor()
        cur.row_factory = None  # plain tuples: a ten-year report reads tens of thousands of rows
        # the few kinds, zones and units, one string each (not one copy per row: memory of a long report)
        one = {}.setdefault
        return [Entry(i, one(kind, kind), med, datetime.fromisoformat(at), one(tz, tz), amount,
                      one(unit, unit) if unit else unit, reason, note, bool(forced), _data(data) if data else None, uid)
                for i, kind, med, at, tz, amount, unit, reason, note, forced, data, uid in cur.execute(sql, args)]

    def supply_entries(self, now: datetime) -> list[Entry]:
        """What on hand is counted from, per medication, as of `now` (not retracted, none dated later): its
        latest pill count, the refills after it (every refill when there is no count) and its latest refill
        — not years of refills and counts. A few small queries per medication, each walking back from now
        through the refills or counts (entries_by_kind)."""
        # `+medication_id`: walk the kind's index (refills and counts are few) rather than the medication's,
        # which holds its years of doses too
        live = (" FROM entries e WHERE +medication_id = ? AND kind = ? AND at_utc <= ?"
                " AND NOT EXISTS (SELECT 1 FROM retractions x WHERE x.entry_id = e.id)")
        latest = f"SELECT id, at_utc{live} ORDER BY at_utc DESC, id DESC LIMIT 1"
        at = iso_utc(now)
        ids: set[int] = set()
        for (med,) in self.conn.execute("SELECT id FROM medications"):
            count = self.conn.execute(latest, (med, "count", at)).fetchone()
            refill = self.conn.execute(latest, (med, "refill", at)).fetchone()
            if count:
                ids.add(count[0])
            if refill:
                ids.add(refill[0])
            since = count[1] if count else ""
            ids.update(r[0] for r in self.conn.execute(f"SELECT id{live} AND at_utc > ?", (med, "refill", at, since)))
        if not ids:
            return []
        cur = self.conn.cursor()
        cur.row_factory = None
        marks = ",".join("?" * len(ids))
        return [Entry(i, kind, med, datetime.fromisoformat(when), tz, amount, unit, reason, note, bool(forced),
                      _data(data) if data else None, uid)
                for i, kind, med, when, tz, amount, unit, reason, note, forced, data, uid
                in cur.execute(f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id IN ({marks}) ORDER BY at_utc, id",
                               sorted(ids))]

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
        if entries:
            self.forget_days_from(min(e["at"] for e in entries))
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
        to be recorded (instant, zone), counted as the newest.

        A change is an entry of a zone other than most entries', or the entry after one: those few are
        found through the indexes (entries_by_tz, then entries_by_time for the entries either side of each)
        instead of reading every entry in time order (a third of a second on ten years, on every command of
        a person who travels). A diary with more than ZONE_LOOKUPS entries outside its main zone is read in
        time order (_zone_changes_read)."""
        zones, zone = [], ""  # each zone recorded, by the index of zones (a look-up each, not a scan)
        while (zone := self.conn.execute("SELECT min(tz) FROM entries WHERE tz > ?", (zone,)).fetchone()[0]) is not None:
            zones.append(zone)
        if not zones:
            return self._zone_changes_read(also)
        latest = self._next_entry(None, before=True)
        # the main zone: one with at most ZONE_LOOKUPS entries outside it (counted in the index), the latest
        # entry's tried first
        for main in sorted(zones, key=lambda z: z != latest[2]):
            if self.conn.execute("SELECT count(*) FROM (SELECT 1 FROM entries WHERE tz < ? OR tz > ? LIMIT ?)",
                                 (main, main, ZONE_LOOKUPS + 1)).fetchone()[0] <= ZONE_LOOKUPS:
                break
        else:
            return self._zone_changes_read(also)
        # an entry is a change when the one before it is in another zone: an entry outside the main zone (its
        # entry before looked up), the entry after one (whose entry before is that one), or the first entry
        changes: dict[tuple, tuple] = {}  # (instant, id) -> (zone, the entry before's instant, its zone)
        for at, i, tz, before_at, before_tz, after_at, after_id, after_tz in self.conn.execute(
                "SELECT o.at_utc, o.id, o.tz, b.at_utc, b.tz, a.at_utc, a.id, a.tz FROM entries o"
                " LEFT JOIN entries b ON b.id = (SELECT id FROM entries WHERE (at_utc, id) < (o.at_utc, o.id)"
                "  ORDER BY at_utc DESC, id DESC LIMIT 1)"
                " LEFT JOIN entries a ON a.id = (SELECT id FROM entries WHERE (at_utc, id) > (o.at_utc, o.id)"
                "  ORDER BY at_utc, id LIMIT 1)"
                " WHERE o.tz < ?1 OR o.tz > ?1", (main,)):
            changes[(at, i)] = (tz, before_at, before_tz)
            if after_tz is not None and after_tz == main:
                changes[(after_at, after_id)] = (after_tz, at, tz)
        first = self._next_entry(None)
        changes[first[:2]] = (first[2], None, None)
        last = latest
        if also:  # it comes between two entries: it and the entry after it have a new entry before
            new = (iso_utc(also[0]), ALSO_ID, also[1])
            before, after = self._next_entry(new[:2], before=True), self._next_entry(new[:2])
            changes[new[:2]] = (new[2], *((before[0], before[2]) if before else (None, None)))
            if after is not None:
                changes[after[:2]] = (after[2], new[0], new[2])
            last = max(latest, new)
        parse = datetime.fromisoformat
        return ([(parse(at), tz, parse(before_at) if before_at else None, before_tz)
                 for (at, _), (tz, before_at, before_tz) in sorted(changes.items()) if tz != before_tz],
                (parse(last[0]), last[2]))

    def _next_entry(self, key: tuple[str, int] | None, before: bool = False) -> tuple[str, int, str] | None:
        """The entry (at_utc, id, tz) just after (`before`: just before) `key` (at_utc, id) in time order; None:
        the first (the last) entry."""
        order = "DESC" if before else ""
        where = "" if key is None else f"WHERE (at_utc, id) {'<' if before else '>'} (?, ?)"
        row = self.conn.execute(f"SELECT at_utc, id, tz FROM entries {where} ORDER BY at_utc {order}, id {order}"
                                " LIMIT 1", key or ()).fetchone()
        return None if row is None else tuple(row)

    def _zone_changes_read(self, also: tuple[datetime, str] | None = None) -> tuple[list[tuple], tuple | None]:
        """zone_changes, from every entry read in time order."""
        extra = f" UNION ALL SELECT ?, ?, {ALSO_ID}" if also else ""
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

    # -- what a report reads from outside its period, through the indexes of m008_report_reach ----------

    def side_effects_reaching(self, start: datetime, end: datetime) -> list[Entry]:
        """The side-effect logs (not retracted) outside [start, end) that an episode seen in it may hold, in
        time order: for each spelling of a symptom, its logs before `start` back to its latest resolution
        (that one included) and its logs from `end` on up to its first resolution (included). An episode
        folds the spellings of one symptom together (wellbeing.symptom_key), and the latest of their
        resolutions before `start` is among these, with every log after it: so is every log of an episode
        still open at `start`, and of one still open at `end` up to the log that resolves it. A few index
        walks per spelling (entries_by_symptom), whatever the diary's length."""
        spelling = f"kind = 'side_effect' AND {SYMPTOM}"
        live = "NOT EXISTS (SELECT 1 FROM retractions x WHERE x.entry_id = e.id)"
        # every spelling, one index seek each (a loose scan: SELECT DISTINCT would read every log; without
        # statistics SQLite would take the kind's index for min())
        first_after = f"SELECT min({SYMPTOM}) FROM entries INDEXED BY entries_by_symptom WHERE {spelling}"
        spellings = [r[0] for r in self.conn.execute(
            f"WITH RECURSIVE s(symptom) AS ({first_after} IS NOT NULL"
            f" UNION ALL SELECT ({first_after} > s.symptom) FROM s WHERE s.symptom IS NOT NULL)"
            " SELECT symptom FROM s WHERE symptom IS NOT NULL")]
        back = (f"SELECT {_ENTRY_COLUMNS} FROM entries e WHERE {spelling} = ? AND at_utc < ? AND {live}"
                " ORDER BY at_utc DESC, id DESC")
        ahead = (f"SELECT {_ENTRY_COLUMNS} FROM entries e WHERE {spelling} = ? AND at_utc >= ? AND {live}"
                 " ORDER BY at_utc, id")
        out: list[Entry] = []
        for symptom in spellings:
            for sql, at in ((back, start), (ahead, end)):
                for row in self.conn.execute(sql, (symptom, iso_utc(at))):  # row by row: it stops early
                    e = _entries((row,))[0]
                    out.append(e)
                    if e.data and e.data.get("resolved"):
                        break
        return sorted(out, key=lambda e: (e.at, e.id))

    def latest_of(self, kind: str, before: datetime, medication_id: int | None = None) -> Entry | None:
        """The latest entry (not retracted) of a kind before `before` (of one medication: `medication_id`): one
        walk back through the kind's index."""
        mine = " AND +medication_id = ?" if medication_id is not None else ""
        found = _entries(self.conn.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM entries e INDEXED BY entries_by_kind WHERE kind = ? AND at_utc < ?{mine}"
            " AND NOT EXISTS (SELECT 1 FROM retractions x WHERE x.entry_id = e.id) ORDER BY at_utc DESC, id DESC LIMIT 1",
            (kind, iso_utc(before), *([medication_id] if medication_id is not None else []))))
        return found[0] if found else None

    def open_questions(self, end: datetime) -> list[Entry]:
        """The questions (not retracted) asked before `end` that no answer (not retracted) names, in time
        order: each answered one is left out by one look-up in entries_by_question."""
        live = "NOT EXISTS (SELECT 1 FROM retractions x WHERE x.entry_id = {0}.id)"
        return _entries(self.conn.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM entries q WHERE kind = 'question' AND at_utc < ? AND {live.format('q')}"
            # inside the subquery `kind` and `data` are the answer's (the innermost table's); `+q.uid` drops the
            # column's text affinity, which would keep SQLite from the index on the expression
            f" AND NOT EXISTS (SELECT 1 FROM entries a WHERE kind = 'answer' AND {ANSWERED} = +q.uid"
            f" AND {live.format('a')}) ORDER BY at_utc, id", (iso_utc(end),)))

    def refill_amounts(self, medication_id: int, before: datetime) -> list[tuple[int, str, float, float | None]]:
        """A medication's refills (not retracted) before `before`, in time order, as (id, UTC instant text, qty,
        days_supply or None): what PDC walks of the years before a report's days (supply.carried). The index
        entries_by_refill holds both fields, so SQLite takes them from it rather than parse each refill's
        JSON, and no whole entry is made of each (about 1 µs a refill)."""
        return self.conn.execute(
            # INDEXED BY: without statistics SQLite would walk every medication's refills (entries_by_kind)
            f"SELECT id, at_utc, {REFILL_QTY}, {REFILL_DAYS} FROM entries e INDEXED BY entries_by_refill"
            " WHERE kind = 'refill' AND medication_id = ? AND at_utc < ?"
            " AND NOT EXISTS (SELECT 1 FROM retractions x WHERE x.entry_id = e.id) ORDER BY at_utc, id",
            (medication_id, iso_utc(before))).fetchall()

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

    # -- derived: each medication's counted days (meddiary.dayresults) -------------------------------

    def kept_days(self, first: date, last: date, window_s: int, rules: int, zone: str | None) -> list[tuple]:
        """The days kept counted by these `rules` with the on-time window `window_s` (seconds) from local day
        `first` to `last`, as rows of DAY_RESULT_COLUMNS less the window and rules; only those counted in
        `zone`, if one is given."""
        columns = DAY_RESULT_COLUMNS.replace(" window_s, rules,", "")
        sql = f"SELECT {columns} FROM day_results WHERE day BETWEEN ? AND ? AND window_s = ? AND rules = ?"
        args: list = [first.isoformat(), last.isoformat(), window_s, rules]
        if zone is not None:
            sql, args = sql + " AND zone = ?", args + [zone]
        cur = self.conn.cursor()
        cur.row_factory = None
        return cur.execute(sql, args).fetchall()

    def forget_days_from(self, at: datetime) -> None:
        """Forget the kept days an entry at `at` may change: its day's, less twice the widest injection window and
        a margin, and every later one (what migration m009's triggers do for every other write)."""
        self.conn.execute("DELETE FROM day_results WHERE day >= date(?, '-' || (SELECT 3 + 2 * coalesce("
                          "max(window_days), 0) FROM regimens) || ' days')", (iso_utc(at),))

    def data_version(self) -> int:
        """Changes when another connection commits (PRAGMA data_version): read before reading what a derived
        row is counted from, and compared when it is kept."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def keep_days(self, rows: list[tuple], version: int) -> bool:
        """Keep counted days (rows of DAY_RESULT_COLUMNS), replacing any kept for the same day and medication —
        unless the diary changed since `version` was read (they may be counted from what was there before).
        Derived rows are worth no wait and no error: a lock held elsewhere, a read-only file or a full disk
        keeps nothing. Whether they were kept."""
        self.conn.execute(f"PRAGMA busy_timeout = {KEEP_WAIT_MS}")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                if self.data_version() != version:
                    self.conn.execute("ROLLBACK")
                    return False
                self.conn.executemany(f"INSERT OR REPLACE INTO day_results ({DAY_RESULT_COLUMNS})"
                                      f" VALUES ({', '.join('?' * len(DAY_RESULT_COLUMNS.split(',')))})", rows)
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        except sqlite3.Error:
            return False
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(package.BUSY_TIMEOUT_S * 1000)}")
        return True

    # -- the whole diary: export, merge, backup, checks ---------------------------------------------

    def rows(self, table: str) -> list[dict]:
        """Every row of a table that travels (retracted and superseded rows included), in id order."""
        if table not in TRAVELLING_TABLES:
            raise ValueError(f"not a diary table: {table}")
        cur = self.conn.execute(f"SELECT * FROM {table} ORDER BY id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur]

    def row_tuples(self, table: str, columns: tuple[str, ...]) -> list[tuple]:
        """`columns` of every row of a travelling table as plain tuples, in id order: what export and check
        read of the whole diary (a dict per row costs a third more than reading ten years of entries)."""
        if table not in TRAVELLING_TABLES:
            raise ValueError(f"not a diary table: {table}")
        cur = self.conn.cursor()
        cur.row_factory = None
        return cur.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id").fetchall()

    def table(self, table: str) -> "Tuples":
        """Every column of every row of a travelling table, as plain tuples in id order with the column names
        beside them: what check reads of the whole diary (a dict per row of ten years of entries costs a
        third more than reading them)."""
        if table not in TRAVELLING_TABLES:
            raise ValueError(f"not a diary table: {table}")
        cur = self.conn.cursor()
        cur.row_factory = None
        cur.execute(f"SELECT * FROM {table} ORDER BY id")
        return Tuples((d[0] for d in cur.description), cur.fetchall())

    def entry_columns(self) -> dict | None:
        """What check asks of every entry, read without making a row of each (ten years of rows were most of
        its time): `count`; `whole`: each of uid, at_utc and recorded_at_utc (where every value matters) as
        its values joined with ',', a value that is not text (null, a number, a blob) as '!'; `distinct`: the
        names of the other columns (ENTRY_DISTINCT) and their distinct rows; `question_uids`; `retracted`:
        the ids of the entries that retractions name (those that exist). None when the table is not the one
        the migrations make: its columns' types decide what SQL holds equal (with its REAL dose_amount and
        INTEGER medication_id, 1 and 1.0 never share a column). Read from the table itself (NOT INDEXED): an
        index SQLite's own check may find damaged vouches for nothing."""
        cur = self.conn.cursor()
        cur.row_factory = None
        columns = tuple((r[1], r[2], r[5]) for r in cur.execute("PRAGMA table_info(entries)"))
        if columns != ENTRY_TABLE:
            return None
        joined = ", ".join(f"group_concat(iif(typeof({c}) = 'text', {c}, '!'), ',')" for c in ENTRY_WHOLE)
        count, *whole = cur.execute(f"SELECT count(*), {joined} FROM entries NOT INDEXED").fetchone()
        return {
            "count": count, "whole": dict(zip(ENTRY_WHOLE, whole)),
            "distinct": (ENTRY_DISTINCT, cur.execute(
                f"SELECT DISTINCT {', '.join(ENTRY_DISTINCT)} FROM entries NOT INDEXED").fetchall()),
            "question_uids": [r[0] for r in cur.execute("SELECT uid FROM entries NOT INDEXED WHERE kind = 'question'")],
            "retracted": [r[0] for r in cur.execute(
                "SELECT id FROM entries NOT INDEXED WHERE id IN (SELECT entry_id FROM retractions)")],
        }

    def merge(self, records: dict[str, list[dict]], now: datetime | None = None, tz: str = "UTC",
              pieces: Iterable[EntryRows] | None = None) -> dict:
        """Add the rows of another diary (or of an export) that this one lacks, matched by uid, in one
        transaction. References are by uid (`medication_uid`, `entry_uid`, `regimen_uid`) and become this
        diary's ids. A medication whose uid is new but whose name (or an alias) is already here is the same
        medication: its rows join the one here, its regimens kept as superseded (retracted at `now`, "merged
        from another diary"), so the plan in force here stays the one in force. Returns what was added, per
        table and per entry kind, and what was matched or left out, as data (meddiary.transfer.merge_notes
        words it): `joined` (each medication joined by name: its name and how many of its regimens were
        kept as superseded), `aliases_left_out` (aliases naming another medication here) and `settings_kept`
        (keys whose value set here is later than every imported one: key, when it was set here). `pieces`:
        the entries, in pieces (each EntryRows with the shapes of every piece so far), instead of
        records["entries"]; the lists of `records` after the entries (retractions, settings) are read once
        the last piece has come (meddiary.usecases.importing writes pieces while the rest is checked)."""
        added: dict[str, int] = {}
        aliases_left_out: list[str] = []
        settings_kept: list[tuple[str, str]] = []
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
                        aliases_left_out.append(a["alias"])
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
                        (cur.lastrowid, iso_utc(now) if now else r["created_at_utc"], tz, MERGED_REASON,
                         new_uid()))
                    superseded[r["medication_uid"]] = superseded.get(r["medication_uid"], 0) + 1
            # Entries are most of a diary: written together (_insert_entries), in the document's order (so their
            # ids are as one insert each would make them), each row its shape's values (made once per shape) and
            # its own; the ids the retractions below need are looked up afterwards.
            several = pieces is not None
            if not several:
                entries = records.get("entries", ())
                pieces = (entries if isinstance(entries, EntryRows) else EntryRows.of(entries),)
            here = {uid for (uid,) in self.conn.execute("SELECT uid FROM entries")}
            restore = not here
            kinds: Counter = Counter()
            # Each shape's values are written once, to a temporary table, and each entry is its own values and
            # its shape's (a third less time than binding every value of every entry).
            self.conn.execute(f"CREATE TEMP TABLE shapes ({', '.join(SHAPE_COLUMNS)}, medication_id)")
            shapes_in = 0
            # Into a diary with no entries yet (a restore), the entries' indexes are made once they are all in:
            # SQLite sorts each column once, where inserting row by row walks every index for every row (a
            # quarter to a third of the insert's time; the stable ids land all over theirs). Pieces written while
            # the rest is read leave the writer time to spare meanwhile: the indexes that cost about as little
            # kept up row by row as made after (time, zone, kind, the partial ones: 70 ms of ten years, spread
            # over the reading) are kept up; the stable ids' and the medications' (made after: 75 ms; kept up:
            # 200) are made after.
            with self._indexes_made_after("entries", when=restore,
                                          only=("entries_by_uid", "entries_by_medication") if several else None):
                for entries in pieces:
                    shape_of, own = entries.shape_of, (entries.uids, entries.at_utc, entries.recorded_at_utc)
                    if here or len(set(entries.uids)) != len(shape_of):  # only those this diary lacks, each once
                        kept = []
                        for i, uid in enumerate(entries.uids):
                            if uid not in here:
                                here.add(uid)
                                kept.append(i)
                        shape_of, own = [shape_of[i] for i in kept], tuple([column[i] for i in kept] for column in own)
                    elif several:
                        here.update(entries.uids)  # a later piece may hold them again
                    kinds.update(map([shape["kind"] for shape in entries.shapes].__getitem__, shape_of))
                    self._insert_rows(
                        f"INSERT INTO temp.shapes (rowid, {', '.join(SHAPE_COLUMNS)}, medication_id)",
                        [(number, *(shape[c] for c in SHAPE_COLUMNS),
                          med_ids[shape["medication_uid"]] if shape["medication_uid"] else None)
                         for number, shape in enumerate(entries.shapes[shapes_in:], start=shapes_in)])
                    shapes_in = len(entries.shapes)
                    self._insert_entries(shape_of, own)
            self.conn.execute("DROP TABLE temp.shapes")
            kinds = dict(kinds)
            if kinds:
                self.conn.execute("DELETE FROM day_results")  # merged entries may change any day
            entry_ids: dict[str, int] = {}
            for x in records.get("retractions", ()):
                if x["entry_uid"] and x["entry_uid"] not in entry_ids:
                    row = self.conn.execute("SELECT id FROM entries WHERE uid = ?", (x["entry_uid"],)).fetchone()
                    if row is None:
                        raise KeyError(x["entry_uid"])  # as a lookup among the diary's ids would
                    entry_ids[x["entry_uid"]] = row[0]
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
                    settings_kept.append((key, r["at_utc"]))
        return {"added": added, "entries": kinds, "joined": [(name, superseded.get(uid, 0)) for uid, name in joined.items()],
                "aliases_left_out": aliases_left_out, "settings_kept": settings_kept}

    def _insert_rows(self, into: str, rows: list[tuple]) -> None:
        """`rows` (tuples of one width) by `into` ("INSERT INTO t (a, b)"), many to a statement: a statement
        per row (executemany) takes Python's lock back after each, and while the import's reading thread
        holds it, each of those waits its turn."""
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start:start + ROWS_PER_STATEMENT]
            one = f"({', '.join('?' * len(chunk[0]))})"
            self.conn.execute(f"{into} VALUES {', '.join([one] * len(chunk))}", [v for row in chunk for v in row])

    def _insert_entries(self, shape_of: list[int], own: tuple[list[str], ...]) -> None:
        """Entries, in order, each the row of temp.shapes its number names and its own values (OWN_KEYS).
        When each own column is ASCII text of one width (as always: stable ids are 32 hex digits, times
        iso_utc's 25 characters), in one statement: each column goes in as one string of bytes, cut apart
        in SQL (a third quicker than a statement per entry); otherwise a statement per entry."""
        if not shape_of:
            return
        target = f"INSERT INTO entries ({', '.join(SHAPE_COLUMNS)}, medication_id, {', '.join(OWN_KEYS)})"
        widths = [set(map(len, column)) if set(map(type, column)) == {str} else set() for column in own]
        joined = ["".join(column) for column in own] if all(len(w) == 1 for w in widths) else []
        if not joined or not all(text.isascii() for text in joined):
            self.conn.executemany(f"{target} SELECT {', '.join(SHAPE_COLUMNS)}, medication_id,"
                                  f" {', '.join('?' * len(OWN_KEYS))} FROM temp.shapes WHERE rowid = ?",
                                  zip(*own, shape_of))
            return
        digits = len(str(max(shape_of)))
        numbers = [str(n).zfill(digits).encode("ascii") for n in range(max(shape_of) + 1)]
        cuts = [f"CAST(substr(?{k}, n * {w} + 1, {w}) AS TEXT)" for k, (w,) in enumerate(widths, start=1)]
        last = len(own) + 2  # ?last: how many; ?(last - 1): the shape numbers, `digits` wide
        # CROSS JOIN: the numbers are the outer loop, so the entries go in in their order
        self.conn.execute(
            f"WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < ?{last} - 1)"
            f" {target} SELECT {', '.join(f's.{c}' for c in SHAPE_COLUMNS)}, s.medication_id, {', '.join(cuts)}"
            " FROM i CROSS JOIN temp.shapes s"
            f" WHERE s.rowid = CAST(CAST(substr(?{last - 1}, n * {digits} + 1, {digits}) AS TEXT) AS INTEGER)",
            (*(text.encode("ascii") for text in joined), b"".join(map(numbers.__getitem__, shape_of)), len(shape_of)))

    @contextmanager
    def _indexes_made_after(self, table: str, when: bool, only: tuple[str, ...] | None = None) -> Iterator[None]:
        """`when`: drop the indexes of `table` (`only`: those named) for the block and make them again, each
        from its own CREATE statement, after it; the block and the indexes with a page cache big enough to
        hold the rows written and to sort them in memory (in the caller's transaction: a failure rolls both
        back, and a UNIQUE index made again still refuses a duplicate)."""
        if not when:
            yield
            return
        made = [(name, sql) for name, sql in self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))
            if only is None or name in only]
        for name, _ in made:
            self.conn.execute(f"DROP INDEX {name}")
        (cache,) = self.conn.execute("PRAGMA cache_size").fetchone()
        self.conn.execute(f"PRAGMA cache_size = {-SORT_CACHE_KIB}")
        try:
            yield
            for _, sql in made:
                self.conn.execute(sql)
        finally:
            self.conn.execute(f"PRAGMA cache_size = {int(cache)}")

    def _uid_ids(self, table: str) -> dict[str, int]:
        return {uid: i for uid, i in self.conn.execute(f"SELECT uid, id FROM {table}")}

    def backup_to(self, dest: Path) -> None:
        """A consistent copy with SQLite's online backup API (safe while another process writes), created
        0600; an encrypted diary's copy is encrypted with the same passphrase."""
        from meddiary.store.files import backup_connection

        backup_connection(self.conn, dest, self.key)

    @property
    def key(self) -> str | None:
        """An encrypted diary's passphrase (None: a plaintext diary)."""
        return self.conn.key if self.encrypted else None

    def checkpoint(self) -> None:
        """Move the WAL's pages into the diary file and leave no -wal/-shm beside it (needs the diary to
        oneself: another open connection makes this fail as 'locked')."""
        self._when_free(lambda: self.conn.execute("PRAGMA journal_mode = DELETE").fetchall())

    def resume_wal(self) -> None:
        """Back to WAL mode after `checkpoint` (as every open diary is)."""
        self.conn.execute("PRAGMA journal_mode = WAL").fetchall()

    def integrity_check(self) -> list[str]:
        """SQLite's own check of every page and index: ['ok'] when sound."""
        return [r[0] for r in self.conn.execute("PRAGMA integrity_check")]

    def integrity_check_started(self):
        """`integrity_check`, started on a second connection in a thread; returns a function that waits
        for its lines (raising what it raised). SQLite checks in C without holding Python's lock, so the
        caller's own checks run meanwhile (on a ten-year diary each takes about as long as the other). An
        encrypted diary is checked at once, on this connection (a second one would need the passphrase)."""
        if self.encrypted:
            try:
                lines = self.integrity_check()
            except sqlite3.DatabaseError as e:
                error = e

                def failed() -> list[str]:
                    raise error
                return failed
            return lambda: lines
        import threading

        done: dict = {}

        def run() -> None:
            try:
                conn = sqlite3.connect(self.path, timeout=package.BUSY_TIMEOUT_S, isolation_level=None)
                try:
                    done["lines"] = [r[0] for r in conn.execute("PRAGMA integrity_check")]
                finally:
                    conn.close()
            except sqlite3.DatabaseError as e:
                done["error"] = e

        thread = threading.Thread(target=run, name="integrity_check", daemon=True)
        thread.start()

        def result() -> list[str]:
            thread.join()
            if "error" in done:
                raise done["error"]
            return done["lines"]
        return result

    def foreign_key_problems(self) -> list[tuple[str, int, str]]:
        """Rows whose REFERENCES point at no row: (table, rowid, referenced table)."""
        return [(r[0], r[1], r[2]) for r in self.conn.execute("PRAGMA foreign_key_check")]

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id", (MIGRATION_SET,))]

    def export_encrypted(self, dest: Path, key: str) -> None:
        """Write an SQLCipher copy of this (plaintext) diary to `dest` with sqlcipher_export."""
        # The caller holds this diary's write lock, so no write lands in the old file while it is copied.
        from meddiary.store.files import encrypted_copy

        encrypted_copy(self.path, dest, key)


# the entries table as the migrations make it: each column's name, declared type and place in the primary key
ENTRY_TABLE = (("id", "INTEGER", 1), ("kind", "TEXT", 0), ("medication_id", "INTEGER", 0), ("at_utc", "TEXT", 0),
               ("tz", "TEXT", 0), ("dose_amount", "REAL", 0), ("dose_unit", "TEXT", 0), ("reason", "TEXT", 0),
               ("note", "TEXT", 0), ("forced", "INTEGER", 0), ("recorded_at_utc", "TEXT", 0), ("uid", "TEXT", 0),
               ("data", "TEXT", 0))
ENTRY_WHOLE = ("uid", "at_utc", "recorded_at_utc")  # Store.entry_columns: every value of these
ENTRY_DISTINCT = ("kind", "medication_id", "dose_amount", "dose_unit", "data", "tz", "reason", "note", "forced")
DAY_RESULT_COLUMNS = ("day, medication_id, zone, window_s, rules, slots, taken, on_time, skipped, missed, extras,"
                      " took, recorded, uses, most_amount, most_uses, detail")
KEEP_WAIT_MS = 200  # how long keeping counted days waits for another writer before giving up


def made_aside(path: Path, make, keep=lambda: True):
    """A new diary at `path`, all of it at once: `make(store)` fills a new diary made beside it (a private
    file no other command opens, so no one sees it half made or waits for it), which then takes the name
    `path` (a hard link: never over a file that is there) if `keep()` still says so. Returns what `make`
    returned; None, with nothing at `path` changed, when a diary appeared there meanwhile (or the folder
    cannot hold a link, or `keep()` said no). When `make` fails, nothing is left behind, and no folder it
    made."""
    import tempfile
    import time
    from glob import escape as glob_escape

    folder = path.parent
    made_folders = [f for f in (folder, *folder.parents) if not f.exists()]  # the deepest first
    Store.make_folder(folder)
    for stale in folder.glob(f".{glob_escape(path.name)}.*.importing*"):  # left by a restore that was killed
        try:
            if stale.stat().st_mtime < time.time() - STALE_ASIDE_S:
                stale.unlink()
        except OSError:
            pass
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".importing")  # 0600
    os.close(fd)
    aside = Path(name)
    linked = False
    try:
        st = Store(aside, aside=True)  # no other connection: no WAL, synced once, below
        try:
            made = make(st)
            st.conn.execute("PRAGMA journal_mode = WAL").fetchall()  # as every diary is
        finally:
            st.close()
        if Path(f"{aside}-wal").exists():  # not all of it in the file itself: not to be moved
            return None
        fd = os.open(aside, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if not keep():
            return None
        try:
            os.link(aside, path)
        except OSError:  # a diary there meanwhile, or a folder without links: the usual way
            return None
        linked = True
        fd = os.open(path.parent, os.O_RDONLY)  # the new name, on disk
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return made
    finally:
        for leftover in (aside, Path(f"{aside}-wal"), Path(f"{aside}-shm"), Path(f"{aside}-journal")):
            leftover.unlink(missing_ok=True)
        for made_folder in made_folders if not linked else ():
            try:
                made_folder.rmdir()  # as it was: no folder (unless something else is in it now)
            except OSError:
                break


class Tuples(list):
    """Rows as tuples (`Store.table`), with their column `names`."""

    def __init__(self, names: Iterable[str], rows: list[tuple]):
        super().__init__(rows)
        self.names = tuple(names)
        self._columns: dict[str, tuple] | None = None

    def column(self, name: str) -> tuple:
        """One column's values, in row order (every column is made at the first call)."""
        if self._columns is None:
            self._columns = dict(zip(self.names, zip(*self))) if self else dict.fromkeys(self.names, ())
        return self._columns[name]

    def dicts(self) -> list[dict]:
        """The rows as `Store.rows` gives them."""
        return [dict(zip(self.names, r)) for r in self]

_ENTRY_COLUMNS = "id, kind, medication_id, at_utc, tz, dose_amount, dose_unit, reason, note, forced, data, uid"


def _entries(rows) -> list[Entry]:
    """Entries from rows of _ENTRY_COLUMNS."""
    return [Entry(i, kind, med, datetime.fromisoformat(at), tz, amount, unit, reason, note, bool(forced),
                  _data(data) if data else None, uid)
            for i, kind, med, at, tz, amount, unit, reason, note, forced, data, uid in rows]


_scan = None  # json's own scanner (a C function), made on first use


def _data(text: str) -> dict:
    """An entry's `data` from its JSON text. json.loads checks its argument and the space around the value in
    Python before and after its C scanner reads it, which over the thousands of rows a long report reads costs
    more than the reading: the scanner is called directly, and only text it does not read whole as one value
    (space around it, a damaged row, a blob) goes through json.loads, which reads it or says what is wrong."""
    global _scan
    if _scan is None:
        import json

        _scan = json.JSONDecoder().scan_once
    try:
        value, end = _scan(text, 0)
    except (StopIteration, ValueError, TypeError):  # not JSON, or not text (a blob)
        end = -1
    if end != len(text):
        import json

        return json.loads(text)
    return value


def _entry(r: sqlite3.Row) -> Entry:
    return Entry(
        id=r["id"], kind=r["kind"], medication_id=r["medication_id"], at=datetime.fromisoformat(r["at_utc"]),
        tz=r["tz"], dose_amount=r["dose_amount"], dose_unit=r["dose_unit"], reason=r["reason"],
        note=r["note"], forced=bool(r["forced"]), data=_data(r["data"]) if r["data"] else None, uid=r["uid"],
    )
