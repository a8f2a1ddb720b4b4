"""backup and restore: a consistent 0600 copy (also while another process writes), dated files next to the
diary keeping the last N, restore checks the file and keeps the current diary aside."""

import sqlite3
import stat
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from conftest import dump_of
from fixtures.sample import fill

from meddiary import backup, integrity, store
from meddiary.errors import ExitCode


@pytest.fixture
def sample(run, clock, db_path):
    fill(run, db_path)
    return db_path



def backups(db_path):
    return sorted(p.name for p in db_path.parent.iterdir() if ".backup-" in p.name)


def test_a_dated_backup_next_to_the_diary(run, sample):
    result = run("backup")
    name = "diary.backup-2026-11-26T080000Z.db"
    assert result.err == f"backed up the diary to {sample.parent / name}\n"
    assert result.out == ""  # a result line, on stderr like export's
    copy = sample.parent / name
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert dump_of(copy) == dump_of(sample)
    assert not (sample.parent / f"{name}-wal").exists()
    s = store.Store(copy)
    try:
        assert integrity.check(s)[0]
    finally:
        s.close()


def test_backups_in_the_same_second_get_their_own_names(run, sample):
    run("backup")
    run("backup")
    assert backups(sample) == ["diary.backup-2026-11-26T080000Z-2.db", "diary.backup-2026-11-26T080000Z.db"]


def test_the_last_ten_are_kept_by_default_and_keep_changes_it(run, sample, clock):
    from datetime import datetime, timezone

    t = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)
    for i in range(12):
        clock.move_to(t + timedelta(minutes=i))
        result = run("backup")
    assert result.err.endswith("removed 1 older backup (keeping the last 10)\n")
    names = backups(sample)
    assert len(names) == 10
    assert names[0] == "diary.backup-2026-11-26T080200Z.db" and names[-1] == "diary.backup-2026-11-26T081100Z.db"
    clock.move_to(t + timedelta(minutes=30))
    assert run("backup", "--keep", "3").err.endswith("removed 8 older backups (keeping the last 3)\n")
    assert backups(sample) == ["diary.backup-2026-11-26T081000Z.db", "diary.backup-2026-11-26T081100Z.db",
                               "diary.backup-2026-11-26T083000Z.db"]
    # other files next to the diary are never touched
    assert sample.exists()


def test_a_backup_to_a_folder_or_a_named_file(run, sample, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    run("backup", str(folder))
    assert [p.name for p in folder.iterdir()] == ["diary.backup-2026-11-26T080000Z.db"]
    target = tmp_path / "mine.db"
    assert run("backup", str(target)).err == f"backed up the diary to {target}\n"
    assert dump_of(target) == dump_of(sample)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("args,message", [
    (("backup", "--keep", "0"), "bad --keep 0: use a whole number from 1 to 10000"),
    (("backup", "--keep", "-3"), "bad --keep -3"),
    (("backup", "--keep", "10001"), "bad --keep 10001"),
    (("backup", "--keep", "2", "{tmp}/one.db"), "--keep is for dated backups"),
    (("backup", "{tmp}/existing.db"), "already exists: a backup never overwrites a file"),
    (("backup", "{tmp}/no/such/x.db"), "the folder {tmp}/no/such does not exist"),
    (("backup", ""), "the backup path is empty"),
    (("backup", "{db}"), "it is the diary"),
])
def test_bad_backup_options_write_nothing(run, sample, tmp_path, args, message):
    (tmp_path / "existing.db").write_text("keep me")
    def files():  # SQLite's own -wal and -shm come and go with open connections
        return sorted(p.name for p in tmp_path.rglob("*") if not p.name.endswith(("-wal", "-shm")))

    before = files()
    args = [a.format(tmp=tmp_path, db=sample) for a in args]
    result = run(*args, expect=ExitCode.USAGE)
    assert message.format(tmp=tmp_path) in result.err
    assert files() == before
    assert (tmp_path / "existing.db").read_text() == "keep me"


def test_no_diary_yet_nothing_to_back_up(run, clock, db_path):
    assert "there is no diary at" in run("backup", expect=ExitCode.USAGE).err
    assert not db_path.exists()


WRITER = textwrap.dedent("""
    import sys
    from datetime import UTC, datetime, timedelta
    from pathlib import Path
    from meddiary.store import Store
    s = Store(Path(sys.argv[1]))
    t = datetime(2020, 1, 1, tzinfo=UTC)
    print("ready", flush=True)
    for i in range(int(sys.argv[2])):
        with s.transaction():
            s.add_entries([{"kind": "visit", "at": t + timedelta(minutes=i), "tz": "UTC", "note": f"n{i}"}] * 5, t)
""")


def test_a_backup_while_another_process_writes_is_consistent(run, sample, tmp_path):
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(sample), "400"], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "ready\n"
        copies = []
        for i in range(5):
            target = tmp_path / f"copy{i}.db"
            run("backup", str(target))
            copies.append(target)
    finally:
        writer.wait(timeout=60)
    assert writer.returncode == 0
    counts = []
    for target in copies:
        s = store.Store(target)
        try:
            ok, lines = integrity.check(s)
            assert ok, lines
            visits = s.conn.execute("SELECT count(*) FROM entries WHERE kind = 'visit' AND note LIKE 'n%'").fetchone()[0]
        finally:
            s.close()
        assert visits % 5 == 0  # whole transactions only
        counts.append(visits)
    assert counts == sorted(counts)


# -- restore ---------------------------------------------------------------------------------------------

def test_restore_replaces_the_diary_and_keeps_the_current_one_aside(run, sample, tmp_path, clock):
    saved = tmp_path / "saved.db"
    run("backup", str(saved))
    before = dump_of(sample)
    run("take", "lorazepam", "--at", "08:30")
    after = dump_of(sample)
    result = run("restore", str(saved))
    aside = sample.parent / "diary.before-restore-2026-11-26T080000Z.db"
    assert result.out == f"restored {saved} as the diary {sample}\nthe diary as it was is kept at {aside}\n"
    assert dump_of(sample) == before
    assert dump_of(aside) == after
    for p in (sample, aside):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert "2026-11-26 08:30" not in run("log", "--limit", "3").out  # this morning's dose is in the aside copy only
    assert sqlite3.connect(sample).execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_restore_into_a_place_with_no_diary(run, sample, tmp_path):
    saved = tmp_path / "saved.db"
    run("backup", str(saved))
    other = tmp_path / "new" / "place.db"
    result = run("--db", str(other), "restore", str(saved))
    assert result.out == f"restored {saved} as the diary {other}\n"
    assert dump_of(other) == dump_of(sample)
    assert stat.S_IMODE(other.stat().st_mode) == 0o600


def newer(path):
    s = store.Store(path)
    s.conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('meddiary', 'm999_future', 'x')")
    s.close()


@pytest.mark.parametrize("make,message", [
    (lambda p: p.write_text("just some text\n"), "is not a meddiary diary (not an SQLite database, or damaged"),
    (lambda p: sqlite3.connect(p).execute("CREATE TABLE t (x)"), "is not a meddiary diary (an SQLite database of something else)"),
    (lambda p: None, "is not a meddiary diary (no such file)"),
    (lambda p: p.mkdir(), "is a folder: give the backup file to restore"),
    (lambda p: p.write_bytes(b""), "is not a meddiary diary (an SQLite database of something else)"),
    ("newer", "was written by a newer meddiary (schema m999_future)"),
])
def test_restore_refuses_what_is_not_a_diary_and_changes_nothing(run, sample, tmp_path, make, message):
    bad = tmp_path / "bad.db"
    if make == "newer":
        run("backup", str(bad))
        newer(bad)
    else:
        make(bad)
    before = dump_of(sample)
    listing = sorted(p.name for p in sample.parent.iterdir() if not p.name.endswith(("-wal", "-shm")))
    result = run("restore", str(bad), expect=ExitCode.USAGE)
    assert message in result.err
    assert dump_of(sample) == before
    assert sorted(p.name for p in sample.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == listing


def test_restore_refuses_the_diary_itself(run, sample):
    assert "is the diary itself" in run("restore", str(sample), expect=ExitCode.USAGE).err


def test_restore_an_empty_argument(run, sample):
    assert "give the backup to restore" in run("restore", " ", expect=ExitCode.USAGE).err


def test_dated_backups_are_listed_oldest_first(tmp_path):
    diary = tmp_path / "d.db"
    for name in ("d.backup-2026-01-02T000000Z.db", "d.backup-2026-01-01T000000Z-2.db", "d.backup-2026-01-01T000000Z.db",
                 "d.backup-2026-01-01T000000Z-10.db", "d.db", "notes.txt", "d.backup-x.db"):
        (tmp_path / name).write_text("")
    assert [p.name for p in backup.dated_backups(diary, tmp_path)] == [
        "d.backup-2026-01-01T000000Z.db", "d.backup-2026-01-01T000000Z-2.db", "d.backup-2026-01-01T000000Z-10.db",
        "d.backup-2026-01-02T000000Z.db"]


def test_restore_over_a_damaged_diary_keeps_the_damaged_file_aside_as_it_is(run, sample, tmp_path):
    saved = tmp_path / "saved.db"
    run("backup", str(saved))
    sample.write_bytes(b"this diary was overwritten by accident\n")
    assert "is not a meddiary diary" in run("today", expect=ExitCode.USAGE).err
    result = run("restore", str(saved))
    aside = sample.parent / "diary.before-restore-2026-11-26T080000Z.db"
    assert result.out.endswith(f"the diary as it was is kept at {aside}\n")
    assert aside.read_bytes() == b"this diary was overwritten by accident\n"
    assert stat.S_IMODE(aside.stat().st_mode) == 0o600
    assert dump_of(sample) == dump_of(saved)
    assert run("check").out.startswith("ok: ")
