"""Issue 13, "nothing lost, nothing injected": no command writes over the diary's own files, hostile text
never reaches a terminal raw, imports run the recording commands' rules, faults are reported truthfully."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from meddiary.errors import ExitCode

from conftest import dump_of


def _diary_bytes(db_path: Path) -> str:
    """The diary's content (SQLite may checkpoint its header counters meanwhile): still a diary, same rows."""
    assert db_path.read_bytes()[:16] == b"SQLite format 3\x00"
    return dump_of(db_path)


@pytest.fixture
def diary(run, db_path, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    run("take", "sertraline")
    return db_path


def meddiary(*args: str, expect: ExitCode = ExitCode.OK, **kw) -> subprocess.CompletedProcess:
    """The installed command in a process of its own (for what needs one: closed files, signals, umask)."""
    exe = Path(sys.executable).parent / "meddiary"
    r = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=60, **kw)
    assert r.returncode == expect, f"meddiary {args} exited {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


# -- an output never replaces the diary ---------------------------------------------------------------

WRITERS = [
    ("report", "--format", "html", "--output"),
    ("report", "--format", "json", "--output"),
    ("report", "--format", "markdown", "--output"),
    ("report", "--format", "terminal", "--output"),
    ("export", "--format", "json", "--output"),
    ("export", "--format", "fhir", "--output"),
    ("export", "--format", "ics", "--output"),
]


def _targets(db: Path, tmp_path: Path) -> dict[str, str]:
    """Names that reach the diary's own files, each a different way."""
    link = tmp_path / "link.db"
    link.symlink_to(db)
    hard = tmp_path / "hard.db"
    os.link(db, hard)
    return {
        "absolute": str(db),
        "relative": os.path.relpath(db),
        "dotted": str(db.parent / ".." / db.parent.name / db.name),
        "symlink": str(link),
        "hardlink": str(hard),
        "wal (not made yet)": str(db) + "-wal",
        "shm (not made yet)": str(db) + "-shm",
    }


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: f"{w[0]}-{w[2]}")
def test_no_output_replaces_the_diary(writer, diary, run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = _diary_bytes(diary)
    for how, target in _targets(diary, tmp_path).items():
        r = run(*writer, target, expect=ExitCode.USAGE)
        assert r.err.startswith("meddiary: refusing to write") and r.err.count("\n") == 1, (how, r.err)
        assert "nothing was written" in r.err
        assert _diary_bytes(diary) == before, how
        wal = Path(str(diary) + "-wal")  # in-process the connection stays open: SQLite's own WAL, or none
        assert not wal.exists() or wal.stat().st_size == 0 or wal.read_bytes()[:3] == bytes.fromhex("377f06"), how
    assert sorted(p.name for p in diary.parent.iterdir() if p.name.startswith(".")) == []  # no temporary left


def test_an_existing_wal_and_shm_are_refused_by_identity(diary, run, tmp_path):
    import sqlite3

    held = sqlite3.connect(diary)  # while another program has the diary open, -wal and -shm exist
    held.execute("PRAGMA journal_mode = WAL").fetchall()
    held.execute("SELECT count(*) FROM entries").fetchall()
    try:
        for suffix in ("-wal", "-shm"):
            side = Path(str(diary) + suffix)
            assert side.exists()
            before = side.read_bytes()
            r = run("report", "--format", "html", "--output", str(side), expect=ExitCode.USAGE)
            assert f"the diary's {suffix} file" in r.err
            assert side.read_bytes() == before
    finally:
        held.close()


def test_backups_are_refused_wherever_they_are(diary, run, tmp_path):
    dated = Path(run("backup").out.split(" to ", 1)[1].strip())
    elsewhere = tmp_path / "elsewhere.db"
    run("backup", str(elsewhere))
    for target in (dated, elsewhere):
        before = target.read_bytes()
        r = run("export", "--format", "json", "--output", str(target), expect=ExitCode.USAGE)
        assert "refusing to write" in r.err and "nothing was written" in r.err
        assert target.read_bytes() == before


def test_csv_export_refuses_a_file_that_is_the_diary(diary, run, tmp_path):
    folder = tmp_path / "sheets"
    folder.mkdir()
    (folder / "mood.csv").symlink_to(diary)
    before = _diary_bytes(diary)
    r = run("export", "--format", "csv", "--output", str(folder), expect=ExitCode.USAGE)
    assert "refusing to write" in r.err
    assert _diary_bytes(diary) == before
    assert sorted(p.name for p in folder.iterdir()) == ["mood.csv"]  # the set whole or not at all


def test_the_default_diary_is_protected_too(run, tmp_path, monkeypatch, clock):
    monkeypatch.delenv("MEDDIARY_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    db = tmp_path / "data" / "meddiary" / "diary.db"
    before = _diary_bytes(db)
    run("report", "--format", "html", "--output", str(db), expect=ExitCode.USAGE)
    assert _diary_bytes(db) == before


def test_a_backup_is_never_written_as_the_diarys_wal(db_path):
    # real processes: once the last one closes the diary, SQLite removes its -wal and -shm files
    meddiary("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    for suffix in ("-wal", "-shm"):
        side = Path(str(db_path) + suffix)
        assert not side.exists()
        r = meddiary("backup", str(side), expect=ExitCode.USAGE)
        assert f"{suffix} file" in r.stderr and r.stderr.count("\n") == 1
        assert not side.exists()


def test_an_ordinary_file_is_still_replaced(diary, run, tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old")
    run("report", "--format", "html", "--output", str(target))
    assert target.read_text().startswith("<!")
