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


# -- text shown on a terminal ---------------------------------------------------------------------------

HOSTILE = {
    "OSC title + clear screen": "\x1b]0;x\x07\x1b[2J",
    "bidi override": "ok\u202eevil",
    "bidi isolate": "ok\u2066evil\u2069",
    "C1 CSI": "ok\x9b2J",
    "NUL": "ok\x00",
    "backspace": "ok\x08\x08",
    "zero width": "o\u200bk",
}
RAW = ("\x1b", "\x07", "\x9b", "\x00", "\x08", "\u202e", "\u2066", "\u2069", "\u200b")


def _fields(x: str) -> list[tuple[str, ...]]:
    """Every one-line (and note) field a recording command takes, with hostile text `x` in it."""
    return [
        ("add", "p", "--dose", "1mg", "--as-needed", "--for", x),
        ("add", "p", "--dose", "1mg", "--as-needed", "--note", x),
        ("add", "p", "--dose", "1mg", "--as-needed", "--alias", x),
        ("add", x, "--dose", "1mg", "--as-needed"),
        ("take", "sertraline", "--note", x),
        ("skip", "sertraline", "--reason", x),
        ("skip", "sertraline", "--reason", "forgot", "--note", x),
        ("change", "sertraline", "--dose", "100mg", "--reason", x),
        ("taper", "sertraline", "--steps", "25mg,0", "--every", "1w", "--reason", x),
        ("stop", "sertraline", "--reason", x),
        ("side-effect", x),
        ("side-effect", "nausea", "--note", x),
        ("mood", "5", "--note", x),
        ("ask", x),
        ("visit", "--note", x),
        ("check", "--crisis-line", x),
        ("refill", "sertraline", "30", "--note", x),
    ]


@pytest.mark.parametrize("kind,hostile", HOSTILE.items(), ids=list(HOSTILE))
def test_control_characters_are_refused_in_every_text_field(kind, hostile, run, dump, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    before = dump()
    for args in _fields(hostile):
        r = run(*args, expect=ExitCode.USAGE)
        assert r.err.count("\n") == 1 and r.err.startswith("meddiary: "), (args, r.err)
        assert not any(ch in r.err for ch in RAW), (args, r.err)
        assert dump() == before, args


def test_an_answer_with_control_characters_is_refused(run, dump, clock):
    run("ask", "is it the sertraline?")
    before = dump()
    r = run("ask", "--done", "1", "--answer", "yes\x1b[2J", expect=ExitCode.USAGE)
    assert "control or invisible formatting character (\\u001b)" in r.err
    assert dump() == before


def test_tabs_and_newlines_are_not_control_characters_in_a_note(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    run("take", "sertraline", "--note", "line one\n\tline two")


@pytest.fixture
def hostile_diary(run, db_path, clock):
    """A diary holding hostile text (written behind meddiary's back, as an older version or another tool
    could have): output must make it visible wherever it is printed."""
    import sqlite3

    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--for", "depression")
    run("take", "sertraline", "--note", "fine")
    run("side-effect", "nausea", "--med", "sertraline")
    run("ask", "is it the sertraline?")
    x = HOSTILE["OSC title + clear screen"] + HOSTILE["bidi override"] + HOSTILE["C1 CSI"]
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE medications SET purpose = ?, note = ?", (x, x))
        conn.execute("UPDATE entries SET note = ?", (x,))
        conn.execute("UPDATE entries SET data = json_set(data, '$.symptom', ?) WHERE kind = 'side_effect'", (x,))
        conn.execute("UPDATE entries SET data = json_set(data, '$.text', ?) WHERE kind = 'question'", (x,))
        conn.execute("UPDATE regimens SET reason = ?", (x,))
        conn.execute("INSERT INTO aliases (medication_id, alias, created_at_utc, uid) VALUES (1, ?, '2026-11-26T08:00:00+00:00', 'ab')", (x + "z",))
    conn.close()
    return db_path


OUTPUTS = [
    ("list",), ("list", "--json"), ("show", "sertraline"), ("show", "sertraline", "--json"), ("log",),
    ("log", "--json"), ("today",), ("today", "--json"), ("side-effects",), ("ask", "--list"),
    ("report",), ("report", "--format", "markdown"), ("report", "--format", "html"), ("report", "--format", "json"),
    ("export",), ("export", "--format", "fhir"), ("undo",),
]


@pytest.mark.parametrize("args", OUTPUTS, ids=" ".join)
def test_stored_control_characters_are_made_visible_on_output(args, hostile_diary, run):
    import json

    r = run(*args)
    for stream in (r.out, r.err):
        assert not any(ch in stream for ch in RAW), (args, stream)
    if "--json" in args or args[-1] in ("json", "fhir") or args == ("export",):
        json.loads(r.out)  # still JSON
    if args[0] in ("list", "show", "log", "report", "undo", "side-effects") and "--json" not in args:
        assert "\\u001b" in r.out or "\\u202e" in r.out, (args, r.out)


def test_the_fast_path_makes_stored_text_visible_too(hostile_diary):
    # a process of its own: `meddiary` and `meddiary take NAME` never import Typer (entry.fast_hot)
    for args in ((), ("take", "sertraline"), ("take", "\x1b[2J")):
        r = subprocess.run([str(Path(sys.executable).parent / "meddiary"), *args], capture_output=True, text=True,
                           timeout=60)
        assert not any(ch in r.stdout + r.stderr for ch in RAW), (args, r)
        assert r.returncode in (0, 1, 2) and "Traceback" not in r.stderr

