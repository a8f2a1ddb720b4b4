"""The diary file: private permissions, WAL, migrations, refusing files that are not a diary (and leaving
them untouched), --db over MEDDIARY_DB, and two connections at once."""

import json
import sqlite3
import stat
import threading
from datetime import UTC, datetime

import pytest
from conftest import dump_of

from meddiary import store
from meddiary.errors import ExitCode

TABLES = {"_sqlite_migrations", "medications", "aliases", "regimens", "entries", "retractions", "settings", "reminders",
          "day_results"}


def query(path, sql, *args):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def tables(path):
    return {name for (name,) in query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def applied(path):
    return [name for (name,) in query(
        path, "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id", store.MIGRATION_SET)]



def siblings(path):
    """Files next to `path` that SQLite would create: journal, WAL, shared memory."""
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name) and p != path)


# -- a new diary --------------------------------------------------------------------------------------

def test_a_new_diary_is_private(run, clock, db_path):
    assert not db_path.parent.exists()
    run("list")
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700


def test_a_new_diary_is_private_whatever_the_umask(run, clock, tmp_path):
    import os

    path = tmp_path / "loose" / "diary.db"
    old = os.umask(0)
    try:
        run("--db", str(path), "list")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_diary_uses_wal_and_a_busy_timeout(run, clock, db_path):
    run("list")
    assert query(db_path, "PRAGMA journal_mode") == [("wal",)]
    s = store.Store(db_path)
    try:
        assert s.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    finally:
        s.close()


def test_a_blank_diary_has_the_schema_and_every_migration(run, clock, db_path):
    run("list")
    assert tables(db_path) == TABLES
    assert applied(db_path) == list(store.MIGRATION_NAMES)


def test_the_registered_migrations_are_the_listed_names():
    registered = [m.name for m in store.migrations()._migrations]
    assert tuple(registered) == store.MIGRATION_NAMES
    assert all(name.startswith(f"m{i:03d}_") for i, name in enumerate(registered, start=1))


def schema_of(path):
    """Every table, index and trigger of a diary as made (where it sits in the file aside), and its ledger."""
    return (sorted(query(path, "SELECT type, name, tbl_name, sql FROM sqlite_master")),
            query(path, "SELECT id, migration_set, name FROM _sqlite_migrations ORDER BY id"))


def test_the_new_diary_snapshot_is_made_from_the_migrations():
    """meddiary.store.fresh is generated: python -m meddiary.store.schema > src/meddiary/store/fresh.py"""
    from pathlib import Path

    from meddiary.store import fresh, schema

    assert Path(fresh.__file__).read_text(encoding="utf-8") == schema.fresh_module()


def test_a_new_diary_is_the_one_the_migrations_make_without_sqlite_utils(tmp_path):
    import subprocess
    import sys

    from sqlite_utils import Database

    migrated = tmp_path / "migrated.db"
    conn = sqlite3.connect(migrated)
    try:
        store.migrations().apply(Database(conn))
    finally:
        conn.close()
    new = tmp_path / "new.db"
    probe = ("import sys; from pathlib import Path; from meddiary.store import Store; "
             f"Store(Path({str(new)!r})).close(); print('sqlite_utils' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout == "False\n"
    assert schema_of(new) == schema_of(migrated)
    assert applied(new) == list(store.MIGRATION_NAMES)
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    (applied_at,) = {at for (at,) in query(new, "SELECT applied_at FROM _sqlite_migrations")}
    assert datetime.fromisoformat(applied_at).utcoffset().total_seconds() == 0  # as sqlite-utils writes it


def test_an_empty_file_becomes_the_same_diary(tmp_path):
    empty, new = tmp_path / "empty.db", tmp_path / "new.db"
    empty.touch(mode=0o644)
    store.Store(empty).close()
    store.Store(new).close()
    assert schema_of(empty) == schema_of(new)
    assert stat.S_IMODE(empty.stat().st_mode) == 0o600


def test_a_snapshot_older_than_the_migrations_is_not_used(tmp_path, monkeypatch):
    from meddiary.store import fresh

    monkeypatch.setattr(fresh, "MIGRATED", store.MIGRATION_NAMES[:-1])
    monkeypatch.setattr(fresh, "STATEMENTS", ("CREATE TABLE stale (x)",))
    store.Store(tmp_path / "d.db").close()
    assert "stale" not in tables(tmp_path / "d.db")
    monkeypatch.undo()
    store.Store(tmp_path / "new.db").close()
    assert schema_of(tmp_path / "d.db") == schema_of(tmp_path / "new.db")


def test_opening_and_migrating_again_changes_nothing(run, clock, db_path):
    from sqlite_utils import Database

    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    before = dump_of(db_path)
    run("list")
    store.Store(db_path).close()
    conn = sqlite3.connect(db_path)
    try:
        store.migrations().apply(Database(conn))
    finally:
        conn.close()
    assert dump_of(db_path) == before


def test_a_diary_of_the_first_migration_upgrades(run, clock, tmp_path):
    from sqlite_utils import Database

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    try:
        store.migrations().apply(Database(conn), stop_before=store.MIGRATION_NAMES[1])
        conn.execute("INSERT INTO medications (name, as_needed, created_at_utc, created_tz)"
                     " VALUES ('sertraline', 0, '2026-11-01T08:00:00+00:00', 'Europe/Berlin')")
        conn.commit()
    finally:
        conn.close()
    assert applied(path) == [store.MIGRATION_NAMES[0]]
    assert tables(path) == {"_sqlite_migrations", "medications", "aliases"}

    run("--db", str(path), "list")
    assert applied(path) == list(store.MIGRATION_NAMES)
    assert tables(path) == TABLES
    assert query(path, "SELECT name FROM medications") == [("sertraline",)]  # kept through the upgrade
    assert query(path, "PRAGMA journal_mode") == [("wal",)]


def test_an_empty_file_becomes_a_diary(run, clock, tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    run("--db", str(path), "add", "sertraline", "--dose", "50mg", "--at", "08:00")
    assert applied(path) == list(store.MIGRATION_NAMES)


# -- files that are not a diary -----------------------------------------------------------------------

def make_text(path):
    path.write_text("Dear diary,\ntoday I took my pills.\n")


def make_damaged(path):
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)


def make_header_of_a_diary_then_garbage(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    data = path.read_bytes()
    path.write_bytes(data[:100] + b"\xde\xad\xbe\xef" * ((len(data) - 100) // 4))


def make_other_app(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('not a medication diary')")
    conn.commit()
    conn.close()


def make_other_app_with_sqlite_utils_migrations(path):
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    m = Migrations("someone-else")

    @m(name="m001_things")
    def m001(db):
        db.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")

    conn = sqlite3.connect(path)
    m.apply(Database(conn))
    conn.close()


def make_newer_diary(path):
    s = store.Store(path)
    s.conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
                   (store.MIGRATION_SET, "m999_from_the_future", "2030-01-01 00:00:00"))
    s.close()


NOT_A_DIARY = [
    pytest.param(make_text, "is not a meddiary diary (not an SQLite database, or damaged", id="text"),
    pytest.param(make_damaged, "is not a meddiary diary (not an SQLite database, or damaged", id="damaged"),
    pytest.param(make_header_of_a_diary_then_garbage, "is not a meddiary diary (not an SQLite database, or damaged",
                 id="header-then-garbage"),
    pytest.param(make_other_app, "is not a meddiary diary (an SQLite database of something else)", id="other-app"),
    pytest.param(make_other_app_with_sqlite_utils_migrations,
                 "is not a meddiary diary (an SQLite database of something else)", id="other-app-migrations"),
    pytest.param(make_newer_diary, "was written by a newer meddiary (schema m999_from_the_future); upgrade meddiary",
                 id="newer-meddiary"),
]

COMMANDS = [
    [],
    ["add", "sertraline", "--dose", "50mg", "--at", "08:00"],
    ["take", "sertraline"],
    ["log", "--json"],
]


@pytest.mark.parametrize("make, problem", NOT_A_DIARY)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0] if c else "bare")
def test_a_file_that_is_not_a_diary_is_refused_and_left_untouched(run, clock, tmp_path, make, problem, command):
    path = tmp_path / "not-a-diary.db"
    make(path)
    content, mode, listing = path.read_bytes(), path.stat().st_mode, sorted(tmp_path.iterdir())
    result = run("--db", str(path), *command, expect=ExitCode.USAGE)
    assert result.out == ""
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert result.err.startswith(f"meddiary: {path} ")
    assert problem in result.err
    assert path.read_bytes() == content
    assert path.stat().st_mode == mode
    if make is not make_newer_diary:  # a newer diary is a WAL database: its -wal and -shm files are its own
        assert sorted(tmp_path.iterdir()) == listing  # no journal, WAL or shared-memory file left beside it


def test_a_folder_at_the_diary_path_is_refused(run, clock, tmp_path):
    result = run("--db", str(tmp_path), "list", expect=ExitCode.USAGE)
    assert result.err == (f"meddiary: {tmp_path} is not a meddiary diary (it is a folder); it was left untouched — "
                          "choose another file with --db PATH or MEDDIARY_DB\n")


@pytest.mark.parametrize("command", [["list"], ["today"], ["take", "sertraline"]], ids=lambda c: c[0])
def test_a_diary_damaged_in_its_tables_is_refused(run, clock, db_path, command):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    run("take", "sertraline")
    query(db_path, "PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the main file, none in the WAL
    (page,) = query(db_path, "SELECT rootpage FROM sqlite_master WHERE name = 'medications'")[0]
    (page_size,) = query(db_path, "PRAGMA page_size")[0]
    data = db_path.read_bytes()
    cut = (page - 1) * page_size
    db_path.write_bytes(data[:cut] + b"\xde\xad" * ((len(data) - cut) // 2))
    result = run(*command, expect=ExitCode.USAGE)
    assert "is not a meddiary diary" in result.err and result.err.count("\n") == 1


# -- where the diary is -------------------------------------------------------------------------------

def test_db_option_overrides_meddiary_db(run, clock, tmp_path, db_path):
    other = tmp_path / "elsewhere" / "mine.db"
    run("--db", str(other), "add", "sertraline", "--dose", "50mg", "--at", "08:00")
    assert other.exists()
    assert not db_path.exists()
    assert [m["name"] for m in json.loads(run("--db", str(other), "list", "--json").out)["medications"]] == ["sertraline"]
    assert json.loads(run("list", "--json").out)["medications"] == []


def test_meddiary_db_relocates_the_diary(run, clock, tmp_path, monkeypatch):
    path = tmp_path / "from-env.db"
    monkeypatch.setenv("MEDDIARY_DB", str(path))
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    assert query(path, "SELECT name FROM medications") == [("sertraline",)]


def test_the_default_place_is_the_user_data_folder(monkeypatch):
    from platformdirs import user_data_dir

    monkeypatch.delenv("MEDDIARY_DB")
    path = store.resolve_path(None)
    assert path == store.default_path()
    assert path.parts[-2:] == ("meddiary", "diary.db")
    assert str(path.parent) == user_data_dir("meddiary", appauthor=False)


def test_a_tilde_in_the_path_is_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert store.resolve_path("~/d.db") == tmp_path / "d.db"


# -- two at once --------------------------------------------------------------------------------------

def test_a_take_while_another_connection_holds_a_write_transaction(run, clock, db_path):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    run("add", "lorazepam", "--dose", "0.5mg", "--as-needed")
    holding, errors = threading.Event(), []

    def other_process():
        try:
            conn = sqlite3.connect(db_path, isolation_level=None, timeout=5)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO entries (kind, medication_id, at_utc, tz, dose_amount, dose_unit, forced,"
                         " recorded_at_utc) VALUES ('take', 2, '2026-11-26T07:30:00+00:00', 'Europe/Berlin', 0.5,"
                         " 'mg', 0, '2026-11-26T07:30:00+00:00')")
            holding.set()
            threading.Event().wait(0.3)
            conn.execute("COMMIT")
            conn.close()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
            holding.set()

    thread = threading.Thread(target=other_process)
    thread.start()
    assert holding.wait(5)
    run("take", "sertraline")  # waits for the lock, then writes
    thread.join()
    assert errors == []
    entries = json.loads(run("log", "--json").out)["entries"]
    assert sorted(e["medication"] for e in entries) == ["lorazepam", "sertraline"]


def test_reading_while_another_connection_writes(run, clock, db_path):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO entries (kind, medication_id, at_utc, tz, forced, recorded_at_utc)"
                     " VALUES ('take', 1, '2026-11-26T07:00:00+00:00', 'Europe/Berlin', 0, '2026-11-26T07:00:00+00:00')")
        # WAL: readers are not blocked by a writer, and do not see its uncommitted rows
        assert json.loads(run("log", "--json").out)["entries"] == []
        assert "due now" in run("today").out
        conn.execute("COMMIT")
    finally:
        conn.close()
    assert len(json.loads(run("log", "--json").out)["entries"]) == 1


def open_at_once(path, times=2):
    """Open the diary from `times` threads released together; the errors they met."""
    barrier, errors = threading.Barrier(times), []

    def open_it():
        barrier.wait()
        try:
            store.Store(path).close()
        except Exception as e:  # noqa: BLE001 - every failure is the finding
            errors.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=open_it) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_two_processes_upgrading_a_diary_at_once_both_succeed(tmp_path):
    import sqlite_utils  # noqa: F401 - imported once here, not raced in the threads
    from sqlite_utils import Database

    errors = []
    for i in range(5):
        path = tmp_path / f"old{i}.db"
        conn = sqlite3.connect(path)
        store.migrations().apply(Database(conn), stop_before=store.MIGRATION_NAMES[1])
        conn.close()
        errors += open_at_once(path)
        assert applied(path) == list(store.MIGRATION_NAMES)
    assert errors == []


def test_two_processes_creating_a_diary_at_once_both_succeed(tmp_path):
    import sqlite_utils  # noqa: F401

    errors = []
    for i in range(5):
        path = tmp_path / f"new{i}" / "diary.db"
        errors += open_at_once(path)
        assert applied(path) == list(store.MIGRATION_NAMES)
    assert errors == []


def test_an_existing_empty_file_becomes_private_when_it_becomes_a_diary(run, clock, tmp_path):
    path = tmp_path / "empty.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    run("--db", str(path), "list")
    assert path.stat().st_mode & 0o777 == 0o600


# -- the quiet check's question (issue 14: asked through the store) ----------------------------------

def test_peek_gives_the_latest_reminder_key_and_the_highest_ids(run, clock, db_path):
    from meddiary.usecases import due

    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-11-20")
    run("take", "sertraline")
    st = store.Store(db_path)
    try:
        st.mark_reminded(["quiet|x"], datetime.now(UTC))
        latest, ids = store.peek(st.conn)
        assert latest == "quiet|x"
        assert len(ids) == 6 and ids[0] == 1 and ids[1] is None  # an entry; no retraction
        assert due.peek_state((latest, ids)) == (latest, "1.0.1.1.0.0")  # the quiet check's state text
    finally:
        st.close()
    assert store.peek_file(str(db_path)) == (latest, ids)


def test_peek_file_says_none_for_what_it_cannot_read(tmp_path):
    assert store.peek_file(str(tmp_path / "missing.db")) is None
    assert not (tmp_path / "missing.db").exists()  # a look never creates a diary
    text = tmp_path / "notes.txt"
    text.write_text("not a diary\n" * 100)
    assert store.peek_file(str(text)) is None
    blank = tmp_path / "blank.db"
    sqlite3.connect(blank).close()
    assert store.peek_file(str(blank)) is None
