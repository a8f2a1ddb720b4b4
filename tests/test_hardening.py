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
    dated = Path(run("backup").err.split(" to ", 1)[1].strip())
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
    # a process of its own: `meddiary` and `meddiary take NAME` never import Typer (entry.fast)
    for args in ((), ("take", "sertraline"), ("take", "\x1b[2J")):
        r = subprocess.run([str(Path(sys.executable).parent / "meddiary"), *args], capture_output=True, text=True,
                           timeout=60)
        assert not any(ch in r.stdout + r.stderr for ch in RAW), (args, r)
        assert r.returncode in (0, 1, 2) and "Traceback" not in r.stderr


# -- import runs the recording commands' rules -----------------------------------------------------------

@pytest.fixture
def exported(run, tmp_path, clock):
    """A small export to spoil, and a function that writes a spoiled copy and imports it into a new diary."""
    import json

    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--for", "depression")
    run("take", "sertraline", "--note", "fine")
    run("side-effect", "nausea", "--med", "sertraline")
    run("ask", "is it the sertraline?")
    doc = json.loads(run("export").out)
    other = tmp_path / "other.db"

    def import_(spoil, expect=ExitCode.USAGE):
        d = json.loads(json.dumps(doc))
        spoil(d)
        f = tmp_path / "in.json"
        f.write_text(json.dumps(d))
        r = run("--db", str(other), "import", str(f), expect=expect)
        if expect == ExitCode.USAGE:
            assert r.err.count("\n") == 1 and "nothing was imported" in r.err
            assert not other.exists() or "sertraline" not in dump_of(other)
        return r

    return doc, import_


def _entry(doc, kind):
    return next(e for e in doc["entries"] if e["kind"] == kind)


IMPORT_CASES = {
    "a name with markup": (lambda d: d["medications"][0].update(name="<script>alert(1)</script>"), "bad name"),
    "a name with a NUL": (lambda d: d["medications"][0].update(name="ab\x00"), "(\\u0000)"),
    "a 100 kB name": (lambda d: d["medications"][0].update(name="a" * 100_000), "too long"),
    "an alias with ESC": (lambda d: d["medications"][0]["aliases"].append(
        {"uid": "b" * 32, "alias": "z\x1b[2J", "created_at_utc": "2026-11-26T08:00:00+00:00"}), "(\\u001b)"),
    "a purpose with an OSC": (lambda d: d["medications"][0].update(purpose="\x1b]0;x\x07"), "control"),
    "a note with a bidi override": (lambda d: _entry(d, "take").update(note="a\u202eb"), "control"),
    "a 5,000-character symptom": (lambda d: _entry(d, "side_effect")["data"].update(symptom="s" * 5000), "too long"),
    "a 50,000-character question": (lambda d: _entry(d, "question")["data"].update(text="q" * 50_000), "too long"),
    "a take dated 2099": (lambda d: _entry(d, "take").update(at_utc="2099-01-01T08:00:00+00:00"), "in the future"),
    "recorded in 2099": (lambda d: _entry(d, "take").update(recorded_at_utc="2099-01-01T08:00:00+00:00"), "in the future"),
    "a medication made in 2099": (lambda d: d["medications"][0].update(created_at_utc="2099-01-01T08:00:00+00:00"), "in the future"),
    "data no command records": (lambda d: _entry(d, "side_effect")["data"].update(extra={"x": [1]}), "no meddiary command"),
    "a name that is a list": (lambda d: d["medications"][0].update(name=["x"]), "expected text"),
    "a uid that is an object": (lambda d: _entry(d, "question").update(uid={"a": 1}), "expected text"),
}


@pytest.mark.parametrize("case", IMPORT_CASES, ids=list(IMPORT_CASES))
def test_import_refuses_what_the_commands_refuse(case, exported):
    spoil, message = IMPORT_CASES[case]
    _, import_ = exported
    r = import_(spoil)
    assert message in r.err, r.err


def test_a_clean_export_still_imports(exported):
    _, import_ = exported
    import_(lambda d: None, expect=ExitCode.OK)


# -- restore checks the whole candidate --------------------------------------------------------------------

def _integrity(path: Path) -> str:
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        return str(e)


@pytest.mark.slow
def test_restore_refuses_a_backup_damaged_inside_any_page(run, db_path, tmp_path, clock, dump):
    import sqlite3

    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    conn = sqlite3.connect(db_path)
    with conn:  # enough rows for tables and indexes of several pages each
        conn.executemany("INSERT INTO entries (kind, medication_id, at_utc, tz, recorded_at_utc, uid, note)"
                         " VALUES ('take', 1, ?, 'UTC', ?, ?, ?)",
                         [(f"2026-01-01T{i % 24:02d}:00:{i % 60:02d}+00:00", "2026-01-01T00:00:00+00:00",
                           f"{i:032x}", "n" * 50) for i in range(600)])
    conn.close()
    good = tmp_path / "good.db"
    run("backup", str(good))
    before = dump()
    data = good.read_bytes()
    pages = len(data) // 4096
    sneaky = 0  # damage the ledger read does not notice: restore used to install these
    for page in range(1, pages):
        bad = tmp_path / f"bad-{page}.db"
        damaged = bytearray(data)
        damaged[page * 4096 + 8: page * 4096 + 40] = os.urandom(32)
        bad.write_bytes(bytes(damaged))
        if _integrity(bad) == "ok":
            continue
        try:
            sqlite3.connect(f"file:{bad}?mode=ro", uri=True).execute("SELECT name FROM _sqlite_migrations").fetchall()
            sneaky += 1
        except sqlite3.DatabaseError:
            pass
        r = run("restore", str(bad), expect=ExitCode.USAGE)
        assert "is not a meddiary diary" in r.err and r.err.count("\n") == 1, (page, r.err)
        assert dump() == before, page
    assert sneaky > 0
    assert [p.name for p in db_path.parent.iterdir() if "before-restore" in p.name or p.name.startswith(".")] == []
    import gc

    run("restore", str(good))


# -- errors that tell the truth (real processes: closed descriptors, file size limits) ------------------

def _shell(cmd: str, **kw) -> subprocess.CompletedProcess:
    """`cmd` in bash, with the installed meddiary first on PATH (for redirections such as >&- and <&-)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", **kw.pop("env", {})}
    return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=60, env=env, **kw)


def _count(db: Path, kind: str) -> int:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM entries WHERE kind = ?", (kind,)).fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def real_diary(db_path):
    meddiary("add", "p", "--dose", "1mg", "--as-needed")
    meddiary("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    return db_path


@pytest.mark.slow
@pytest.mark.parametrize("cmd,kind", [
    ("meddiary take p >&-", "take"),                      # the fast path
    ("meddiary take p --note closed >&-", "take"),        # Typer's
    ("meddiary mood 5 >&-", "mood"),
    ("meddiary take p <&-", "take"),
    ("meddiary take p <&- >&- 2>&-", "take"),
    ("meddiary side-effect nausea --med p", "side_effect"),  # with PYTHONIOENCODING=ascii: the dash
])
def test_a_recorded_entry_is_never_reported_as_a_failure(cmd, kind, real_diary):
    r = _shell(cmd, env={"PYTHONIOENCODING": "ascii"})
    assert r.returncode == 0, r
    assert "Traceback" not in r.stderr
    assert _count(real_diary, kind) == 1


@pytest.mark.slow
def test_without_stdin_the_guard_refuses_in_one_line(real_diary):
    meddiary("take", "sertraline", "--at", "yesterday 08:00", "--yes")
    r = _shell("meddiary take sertraline --at 'yesterday 08:05' <&-")  # a second dose: the guard would ask a terminal
    assert r.returncode == 1 and r.stderr.startswith("meddiary: ") and r.stderr.count("\n") == 1, r
    assert _count(real_diary, "take") == 1


@pytest.mark.slow
def test_a_reader_gone_away_is_exit_0(real_diary, run):
    for i in range(30):  # enough output to fill the pipe's buffer
        run("take", "p", "--yes")
    for args in (("today",), ("log",), ("list",), ("report",), ("report", "--format", "json"), ("export",),
                 ("take", "p"), ("take", "p", "--note", "x")):  # both entry doors
        read, write = os.pipe()
        os.close(read)  # `| head -0`: nobody reads
        try:
            r = subprocess.run([str(Path(sys.executable).parent / "meddiary"), *args], stdout=write,
                               stderr=subprocess.PIPE, text=True, timeout=60)
        finally:
            os.close(write)
        assert r.returncode == 0 and r.stderr == "", (args, r.stderr)
    assert _count(real_diary, "take") == 32


@pytest.mark.slow
def test_output_to_a_full_disk_is_one_line_and_keeps_what_was_recorded(real_diary, run):
    """`> /dev/full` (a disk full under stdout, a quota): the line says so, exit 1, and the dose recorded
    before the printing failed is kept; no traceback, through both entry doors and every way of printing."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    for args in (("take", "p"), ("take", "p", "--note", "x"), ("today",), ("today", "--json"), ("log",),
                 ("list",), ("report",), ("report", "--format", "json"), ("export",)):
        with open("/dev/full", "w") as full:
            r = subprocess.run([str(Path(sys.executable).parent / "meddiary"), *args], stdout=full,
                               stderr=subprocess.PIPE, text=True, timeout=60)
        assert r.returncode == 1, (args, r.stderr)
        assert r.stderr == ("meddiary: could not write the output: No space left on device; anything recorded is "
                            "kept ('meddiary log' shows it)\n"), (args, r.stderr)
    assert _count(real_diary, "take") == 2


@pytest.mark.slow
@pytest.mark.parametrize("args", [("take", "p"), ("take", "p", "--note", "x"), ("mood", "5")])
def test_a_full_disk_is_not_a_damaged_diary(args, real_diary):
    import resource

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))  # `ulimit -f 2`: the WAL cannot grow

    r = meddiary(*args, expect=ExitCode.REFUSED, preexec_fn=small_files)
    assert r.stderr.count("\n") == 1 and "not a meddiary diary" not in r.stderr, r.stderr
    assert "nothing recorded" in r.stderr and "free some space" in r.stderr
    assert "Traceback" not in r.stderr
    assert _count(real_diary, "take") == 0 and _count(real_diary, "mood") == 0
    meddiary("take", "p")  # the diary was fine all along
    assert _count(real_diary, "take") == 1


def test_disk_faults_are_told_apart_from_a_damaged_file():
    import sqlite3

    from meddiary.errors import disk_fault

    def err(message, name):
        e = sqlite3.OperationalError(message)
        e.sqlite_errorname = name
        return e

    assert "full" in disk_fault(err("database or disk is full", "SQLITE_FULL"))
    assert "read-only" in disk_fault(err("attempt to write a readonly database", "SQLITE_READONLY_DBMOVED"))
    assert "error" in disk_fault(err("disk I/O error", "SQLITE_IOERR_WRITE"))
    assert disk_fault(sqlite3.DatabaseError("file is not a database")) is None
    assert disk_fault(err("database disk image is malformed", "SQLITE_CORRUPT")) is None


@pytest.mark.parametrize("db", ["afile/sub/d.db", "afile/d.db/x.db"])
def test_a_diary_folder_that_cannot_be_made_is_one_line(db, run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("")
    r = run("--db", db, "add", "p", "--dose", "1mg", "--as-needed", expect=ExitCode.USAGE)
    assert r.err.startswith("meddiary: cannot create the diary's folder") and r.err.count("\n") == 1


def test_a_data_folder_under_a_file_is_one_line(run, tmp_path, monkeypatch):
    (tmp_path / "afile").write_text("")
    monkeypatch.delenv("MEDDIARY_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "afile" / "data"))
    r = run("add", "p", "--dose", "1mg", "--as-needed", expect=ExitCode.USAGE)
    assert "cannot create the diary's folder" in r.err and r.err.count("\n") == 1


@pytest.mark.parametrize("args", [("take", "sertraline"), ("take", "sertraline", "--note", "x")],
                         ids=["fast path", "typer"])
def test_ctrl_c_is_130_and_records_nothing(args, run, dump, clock, monkeypatch):
    from meddiary import store

    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    before = dump()

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(store.Store, "add_entries", interrupted)
    r = run(*args, expect=130)
    assert "Traceback" not in r.err
    assert dump() == before


# -- files: private whatever the umask --------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("umask", [0o000, 0o022, 0o777])
def test_folders_are_0700_and_files_0600_whatever_the_umask(umask, tmp_path):
    import stat

    db = tmp_path / "a" / "b" / "c" / "diary.db"

    def with_umask():
        os.umask(umask)

    def mode(p: Path) -> int:
        return stat.S_IMODE(p.stat().st_mode)

    env = {**os.environ, "MEDDIARY_DB": str(db)}
    meddiary("add", "p", "--dose", "1mg", "--as-needed", preexec_fn=with_umask, env=env)
    meddiary("export", "--output", str(tmp_path / "out.json"), preexec_fn=with_umask, env=env)
    meddiary("report", "--output", str(tmp_path / "r.html"), "--format", "html", preexec_fn=with_umask, env=env)
    meddiary("export", "--format", "csv", "--output", str(tmp_path / "sheets"), preexec_fn=with_umask, env=env)
    meddiary("backup", str(tmp_path / "b.db"), preexec_fn=with_umask, env=env)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", db.parent, tmp_path / "sheets"):
        assert mode(folder) == 0o700, folder
    for f in (db, tmp_path / "out.json", tmp_path / "r.html", tmp_path / "b.db", *(tmp_path / "sheets").iterdir()):
        assert mode(f) == 0o600, f


# -- long periods ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("since", ["100y", "1000y"])
def test_a_period_longer_than_the_diary_starts_where_the_diary_does(since, run, clock):
    import json
    import time

    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-10-01")
    run("take", "sertraline")
    started = time.monotonic()
    js = json.loads(run("report", "--since", since, "--format", "json").out)
    text = run("report", "--since", since).out
    assert time.monotonic() - started < 10  # was 47 s for 100y, and 1000y did not finish
    assert js["period"]["first_day"] == "2026-10-01" and js["period"]["last_day"] == "2026-11-26"
    assert js["period"]["asked_first_day"] < "1927-01-01"
    assert "the diary begins 2026-10-01, so the report starts there" in " ".join(text.split())


def test_a_period_up_to_a_year_is_shown_as_asked(run, clock):
    import json

    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--start", "2026-10-01")
    js = json.loads(run("report", "--since", "1y", "--format", "json").out)
    assert js["period"]["first_day"] == "2025-11-27" and "asked_first_day" not in js["period"]


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB file system of its own (tmpfs; needs the right to mount, else the test is skipped)."""
    place = tmp_path / "disk"
    place.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(place)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (not root?): the file size limit test covers the fault")
    try:
        yield place
    finally:
        subprocess.run(["umount", "-l", str(place)], capture_output=True)


@pytest.mark.slow
def test_a_full_or_read_only_disk_records_nothing_and_says_so(small_disk, monkeypatch):
    db = small_disk / "d" / "diary.db"
    monkeypatch.setenv("MEDDIARY_DB", str(db))
    meddiary("add", "p", "--dose", "1mg", "--as-needed")
    filler = small_disk / "filler"
    try:
        with open(filler, "wb", buffering=0) as f:  # every block the file system has left
            while True:
                f.write(b"\0" * 4096)
    except OSError:
        pass
    for args in (("take", "p"), ("mood", "5", "--note", "x")):
        r = meddiary(*args, expect=ExitCode.REFUSED)
        assert "could not be written" in r.stderr and "free some space" in r.stderr, r.stderr
        assert any(why in r.stderr for why in ("the disk is full", "the disk reported an error", "the disk is full, or"))
        assert "not a meddiary diary" not in r.stderr and r.stderr.count("\n") == 1
    filler.unlink()
    meddiary("take", "p")  # room again: the diary was fine all along
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    r = meddiary("take", "p", expect=ExitCode.REFUSED)
    assert "read-only" in r.stderr and "not a meddiary diary" not in r.stderr, r.stderr
    # a data folder that cannot be made (an unwritable home): one line, exit 2
    env = {k: v for k, v in os.environ.items() if k != "MEDDIARY_DB"}
    r = meddiary("add", "q", "--dose", "1mg", "--as-needed", expect=ExitCode.USAGE,
                 env={**env, "XDG_DATA_HOME": str(small_disk / "data")})
    assert r.stderr.startswith("meddiary: cannot create the diary's folder") and r.stderr.count("\n") == 1
    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert _count(db, "take") == 1 and _count(db, "mood") == 0


# -- files left behind ---------------------------------------------------------------------------------

def test_stale_temporaries_beside_the_diary_are_removed_fresh_ones_kept(run, db_path, clock, tmp_path):
    import time

    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    stale = db_path.parent / ".diary.db.0123456789ab.tmp"
    stale_wal = db_path.parent / ".diary.db.0123456789ab.tmp-wal"
    fresh = db_path.parent / ".diary.db.ba9876543210.tmp"
    other = db_path.parent / ".notes.txt.0123456789ab.tmp"  # not the diary's
    for p in (stale, stale_wal, fresh, other):
        p.write_bytes(b"SQLite format 3\x00" + b"plaintext" * 100)
    hour_ago = time.time() - 3600
    for p in (stale, stale_wal, other):
        os.utime(p, (hour_ago, hour_ago))
    run("backup", str(tmp_path / "b.db"))
    assert not stale.exists() and not stale_wal.exists()
    assert fresh.exists() and other.exists()


@pytest.mark.slow
def test_a_killed_restore_never_leaves_plaintext_beside_an_encrypted_diary(db_path, tmp_path, monkeypatch):
    import signal
    import time

    pytest.importorskip("sqlcipher3")
    monkeypatch.setenv("MEDDIARY_PASSPHRASE", "correct horse battery staple")
    meddiary("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    meddiary("encrypt")
    plain = tmp_path / "plain.db"
    meddiary("--db", str(plain), "add", "lithium", "--dose", "400mg", "--at", "20:00")
    exe = str(Path(sys.executable).parent / "meddiary")
    for delay in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0):
        p = subprocess.Popen([exe, "restore", str(plain)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        for f in db_path.parent.iterdir():
            if f.is_file():
                with open(f, "rb") as fh:
                    assert fh.read(16) != b"SQLite format 3\x00", (delay, f.name)  # every file here is encrypted


# -- empty paths ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("--db", "", "list"), ("--db", "", "today"), ("--db", "", "take", "sertraline"), ("--db=", "due"),
    ("--db", " ", "add", "p", "--dose", "1mg", "--as-needed"),
    ("report", "--output", ""), ("export", "--output", ""), ("export", "--format", "csv", "--output", ""),
    ("backup", ""), ("restore", ""), ("import", ""),
])
def test_an_empty_path_is_refused(args, run, dump, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    before = dump()
    r = run(*args, expect=ExitCode.USAGE)
    assert r.err.startswith("meddiary: ") and r.err.count("\n") == 1, r.err
    assert dump() == before


def test_a_file_name_with_an_escape_sequence_is_shown_escaped(run, tmp_path, clock, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    for args in (("report", "--output", "r\x1b[2J.txt"), ("export", "--output", "e\x1b]0;x\x07.json"),
                 ("export", "--format", "csv", "--output", "c\x9b2J")):
        r = run(*args)
        assert not any(ch in r.err for ch in RAW) and ("\\u001b" in r.err or "\\u009b" in r.err), r.err


@pytest.mark.slow
@pytest.mark.parametrize("args", [("take", "p"), ("take", "p", "--note", "x")], ids=["fast path", "typer"])
def test_ctrl_c_at_any_moment_is_130_or_done_never_a_traceback(args, real_diary):
    import signal
    import sqlite3
    import time

    exe = str(Path(sys.executable).parent / "meddiary")
    done = interrupted = 0
    for delay in (0.03, 0.05, 0.07, 0.09, 0.11, 0.13, 0.16, 0.2):
        p = subprocess.Popen([exe, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        # -SIGINT: the signal came before meddiary's code ran (Python starting, or the console script pip
        # writes importing `re`), which no code of ours can catch; on a loaded machine that is 30 ms or more
        before_us = p.returncode == -signal.SIGINT and "/meddiary/" not in err
        assert p.returncode in (0, 130) or before_us, (delay, p.returncode, err)
        # Python itself reports (and ignores) an interrupt landing in its import lock's callback
        python_only = err.startswith("Exception ignored in: <function _get_module_lock")
        assert "Traceback" not in err or before_us or python_only, (delay, err)
        if p.returncode == 130 and not python_only:
            assert err.startswith("meddiary: interrupted") or err == "", err  # Typer's own 130 says nothing
        if p.returncode != 0:
            interrupted += 1
        else:
            done += 1
    # each finished run recorded one take; an interrupted one none, or (interrupted while printing) its one
    assert done <= _count(real_diary, "take") <= done + interrupted
    conn = sqlite3.connect(real_diary)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_backup_keep_removes_only_files_that_are_backups(run, db_path, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    mine = db_path.parent / "diary.backup-2000-01-01T000000Z.db"  # a dated name, but a note of one's own
    mine.write_text("my own notes, named like a backup\n")
    linked = db_path.parent / "diary.backup-2000-01-02T000000Z.db"
    linked.symlink_to(db_path)
    run("backup", "--keep", "1")
    assert mine.read_text().startswith("my own notes") and linked.is_symlink()
    assert len([p for p in db_path.parent.iterdir() if "backup-2026" in p.name]) == 1


def test_check_names_stored_control_characters(hostile_diary, run):
    r = run("check", expect=ExitCode.REFUSED)
    assert "holds a control or invisible formatting character (\\u001b)" in r.out + r.err
    assert not any(ch in r.out + r.err for ch in RAW)


def test_a_backup_to_a_pipe_is_refused_without_waiting(diary, run, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    r = run("backup", str(fifo), expect=ExitCode.USAGE)  # a read of the pipe would hang here
    assert r.err.startswith("meddiary: ") and r.err.count("\n") == 1


@pytest.mark.slow
def test_a_killed_encrypt_or_backup_loses_nothing(db_path, tmp_path, monkeypatch):
    import shutil
    import signal
    import time

    pytest.importorskip("sqlcipher3")
    monkeypatch.setenv("MEDDIARY_PASSPHRASE", "correct horse battery staple")
    meddiary("add", "sertraline", "--dose", "50mg", "--at", "08:00")
    meddiary("take", "sertraline")
    template = tmp_path / "template.db"
    shutil.copyfile(db_path, template)
    exe = str(Path(sys.executable).parent / "meddiary")
    for command in ("encrypt", "backup"):
        for delay in (0.1, 0.25, 0.4, 0.6):
            for f in db_path.parent.iterdir():
                f.unlink()
            shutil.copyfile(template, db_path)
            p = subprocess.Popen([exe, command], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            p.send_signal(signal.SIGKILL)
            p.wait()
            r = meddiary("log", "--json")  # plaintext or encrypted, the diary opens with its entry
            assert '"take"' in r.stdout, (command, delay, r.stdout)


def test_the_collector_paused_resumes_without_walking_what_the_block_made_and_still_collects_cycles():
    """collector.paused: off for the block; after it, what the block made counts as old (the next young
    collection does not walk it all), and a cycle made in the block and dropped later is still collected."""
    import gc
    import weakref

    from meddiary import collector

    class Node:
        pass

    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        made = [[i] for i in range(50_000)]
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
    assert gc.isenabled()
    assert gc.get_count()[0] < 700  # the young generation's count zeroed, not 50,000 objects to walk
    assert len(made) == 50_000
    del a, b
    gc.collect()
    assert gone() is None
