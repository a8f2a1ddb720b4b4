"""Encryption at rest with SQLCipher (the optional extra): encrypt converts a diary in place, after which
meddiary needs the passphrase (MEDDIARY_PASSPHRASE, MEDDIARY_PASSPHRASE_COMMAND, or the terminal); a wrong
one is one line and exit 2; without the extra, one line says how to get it."""

import json
import os
import sqlite3
import stat
import subprocess
import sys

import pytest
from fixtures.sample import fill

from meddiary import store
from meddiary.errors import ExitCode, UsageError

PASS = "correct horse battery staple"


@pytest.fixture
def cipher():
    return pytest.importorskip("sqlcipher3")


@pytest.fixture
def sample(run, clock, db_path):
    fill(run, db_path)
    return db_path


@pytest.fixture
def encrypted(cipher, run, sample, monkeypatch):
    monkeypatch.setenv("MEDDIARY_PASSPHRASE", PASS)
    run("encrypt")
    return sample


def report(run):
    return {k: v for k, v in json.loads(run("report", "--format", "json", "--since", "30d").out).items()
            if k != "generated_at"}


def test_encrypt_converts_the_diary_in_place(cipher, run, sample, monkeypatch):
    before = report(run)
    monkeypatch.setenv("MEDDIARY_PASSPHRASE", PASS)
    result = run("encrypt")
    assert result.out.startswith(f"encrypted {sample}; the plaintext file was overwritten before it was removed")
    raw = sample.read_bytes()
    assert not raw.startswith(b"SQLite format 3\0")
    assert b"sertraline" not in raw and b"Samaritans" not in raw
    assert stat.S_IMODE(sample.stat().st_mode) == 0o600
    assert sorted(p.name for p in sample.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["diary.db"]
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(sample).execute("SELECT * FROM entries").fetchall()
    assert store.looks_encrypted(sample)
    assert report(run) == before


def test_an_encrypted_diary_works_as_before(run, encrypted, tmp_path):
    run("take", "lorazepam", "--at", "08:30")
    assert "lorazepam" in run("log", "--limit", "1").out
    assert run("check").out.startswith("ok: ")
    doc = json.loads(run("export").out)
    assert len(doc["entries"]) == 43
    copy = tmp_path / "copy.db"
    run("backup", str(copy))
    assert store.looks_encrypted(copy)
    run("--db", str(tmp_path / "restored.db"), "restore", str(copy))
    assert run("--db", str(tmp_path / "restored.db"), "log", "--limit", "1").out == run("log", "--limit", "1").out


def test_a_wrong_passphrase_is_one_line_and_exit_2(run, encrypted, monkeypatch, dump):
    monkeypatch.setenv("MEDDIARY_PASSPHRASE", "wrong")
    result = run("today", expect=ExitCode.USAGE)
    assert result.err == f"meddiary: wrong passphrase for the encrypted diary {encrypted} (or it is not a meddiary diary)\n"
    result = run("take", "lorazepam", expect=ExitCode.USAGE)
    assert "wrong passphrase" in result.err


def test_a_wrong_passphrase_in_a_real_process_prints_one_line(encrypted):
    # SQLCipher's own C-level log lines go to the process's stderr, which only a subprocess shows
    env = {**os.environ, "MEDDIARY_PASSPHRASE": "wrong", "MEDDIARY_DB": str(encrypted)}
    done = subprocess.run([sys.executable, "-m", "meddiary", "list"], capture_output=True, text=True, env=env)
    assert done.returncode == ExitCode.USAGE
    assert done.stderr == f"meddiary: wrong passphrase for the encrypted diary {encrypted} (or it is not a meddiary diary)\n"


def test_a_plaintext_backup_restored_over_an_encrypted_diary_is_encrypted_too(cipher, run, sample, tmp_path, monkeypatch):
    plain = tmp_path / "plain-backup.db"
    run("backup", str(plain))
    monkeypatch.setenv("MEDDIARY_PASSPHRASE", PASS)
    run("encrypt")
    run("take", "lorazepam", "--at", "08:30")  # after the backup
    result = run("restore", str(plain))
    assert "the restored diary is encrypted with the diary's passphrase" in result.out
    assert store.looks_encrypted(sample)
    assert b"sertraline" not in sample.read_bytes()
    leftovers = [p.name for p in sample.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    assert "08:30" not in run("log", "--limit", "1").out  # the backup's record, before that take
    assert run("check").out.startswith("ok: ")
    monkeypatch.setenv("MEDDIARY_PASSPHRASE", "wrong")
    assert "wrong passphrase" in run("log", expect=ExitCode.USAGE).err


def test_a_plaintext_backup_over_an_encrypted_diary_without_its_passphrase_is_refused(cipher, run, sample, tmp_path, monkeypatch):
    plain = tmp_path / "plain-backup.db"
    run("backup", str(plain))
    monkeypatch.setenv("MEDDIARY_PASSPHRASE", PASS)
    run("encrypt")
    before = sample.read_bytes()
    monkeypatch.delenv("MEDDIARY_PASSPHRASE")
    monkeypatch.setattr(store, "passphrase_source", lambda prompt: None)
    result = run("restore", str(plain), expect=ExitCode.USAGE)
    assert f"{sample} is encrypted and the backup {plain} is not: restoring it needs the diary's passphrase" in result.err
    assert result.err.count("\n") == 1
    assert sample.read_bytes() == before
    assert sorted(p.name for p in sample.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["diary.db"]


def test_encrypt_names_the_plaintext_copies_left_beside_the_diary(cipher, run, sample, monkeypatch, clock, tmp_path):
    run("backup")
    clock.move_to("2026-11-26 09:01+01:00")
    run("backup")
    elsewhere = tmp_path / "elsewhere.db"
    run("backup", str(elsewhere))
    monkeypatch.setenv("MEDDIARY_PASSPHRASE", PASS)
    out = run("encrypt").out.splitlines()
    assert out[2:] == ["note: 2 earlier copies of the diary beside it are not encrypted; remove them if nobody else "
                       "should read them:",
                       f"  {sample.parent / 'diary.backup-2026-11-26T080000Z.db'}",
                       f"  {sample.parent / 'diary.backup-2026-11-26T080100Z.db'}"]


def test_no_passphrase_and_no_terminal(run, encrypted, monkeypatch):
    monkeypatch.delenv("MEDDIARY_PASSPHRASE")
    monkeypatch.setattr(store, "passphrase_source", lambda prompt: None)
    result = run("today", expect=ExitCode.USAGE)
    assert result.err == (f"meddiary: {encrypted} is encrypted: give its passphrase on a terminal, in MEDDIARY_PASSPHRASE, "
                          "or as a command printing it in MEDDIARY_PASSPHRASE_COMMAND\n")


def test_the_passphrase_asked_on_the_terminal(run, encrypted, monkeypatch):
    monkeypatch.delenv("MEDDIARY_PASSPHRASE")
    asked = []
    monkeypatch.setattr(store, "passphrase_source", lambda prompt: asked.append(prompt) or PASS)
    store.forget_passphrases()
    run("today")
    assert asked == [f"passphrase for {encrypted}: "]


def test_a_store_asks_the_passphrase_source_it_is_given(encrypted, monkeypatch, tmp_path):
    """The store never prompts by itself: it asks the source it is given (issue 14), and remembers the answer."""
    monkeypatch.delenv("MEDDIARY_PASSPHRASE")
    monkeypatch.setattr(store, "passphrase_source", lambda prompt: pytest.fail("asked the package's source"))
    store.forget_passphrases()
    asked = []
    st = store.Store(encrypted, passphrase_source=lambda prompt: asked.append(prompt) or PASS)
    try:
        assert st.encrypted and [m.name for m in st.medications()]
    finally:
        st.close()
    copy = tmp_path / "copy.db"
    store.copy_diary(encrypted, copy, passphrase_source=lambda prompt: pytest.fail("asked again"))
    assert asked == [f"passphrase for {encrypted}: "]
    store.forget_passphrases()
    with pytest.raises(UsageError, match="is encrypted: give its passphrase on a terminal"):  # nobody to ask
        store.Store(encrypted, passphrase_source=lambda prompt: None)


@pytest.mark.parametrize("command,code,message", [
    (f"echo '{PASS}'", ExitCode.OK, None),
    (f"printf '%s' '{PASS}'", ExitCode.OK, None),
    ("sh -c 'exit 3'", ExitCode.USAGE, "MEDDIARY_PASSPHRASE_COMMAND failed (exit 3)"),
    ("true", ExitCode.USAGE, "MEDDIARY_PASSPHRASE_COMMAND printed nothing"),
    ("echo nope", ExitCode.USAGE, "wrong passphrase"),
    # run without a shell: a shell's builtins, pipes and substitutions are not there (`sh -c '…'` gives them)
    ("exit 3", ExitCode.USAGE, "MEDDIARY_PASSPHRASE_COMMAND cannot run exit"),
    (f"echo {PASS} | cat", ExitCode.USAGE, "wrong passphrase"),
    ("echo 'unclosed", ExitCode.USAGE, "MEDDIARY_PASSPHRASE_COMMAND cannot be split into a command and its arguments"),
])
def test_the_passphrase_from_a_command_for_cron(run, encrypted, monkeypatch, command, code, message):
    monkeypatch.delenv("MEDDIARY_PASSPHRASE")
    monkeypatch.setenv("MEDDIARY_PASSPHRASE_COMMAND", command)
    result = run("today", expect=code)
    if message:
        assert message in result.err and result.err.count("\n") == 1


def test_encrypt_asks_twice_on_a_terminal(cipher, run, sample, monkeypatch):
    answers = iter([PASS, PASS + "x"])
    monkeypatch.setattr(store, "passphrase_source", lambda prompt: next(answers))
    before = sample.read_bytes()
    assert "the two passphrases differ" in run("encrypt", expect=ExitCode.USAGE).err
    assert sample.read_bytes() == before
    answers = iter([PASS, PASS])
    monkeypatch.setattr(store, "passphrase_source", lambda prompt: next(answers))
    run("encrypt")
    monkeypatch.setenv("MEDDIARY_PASSPHRASE", PASS)
    assert "sertraline" in run("list").out


def test_encrypt_without_a_terminal_or_passphrase(cipher, run, sample, monkeypatch, dump):
    monkeypatch.setattr(store, "passphrase_source", lambda prompt: None)
    before = dump()
    assert "encrypt needs a passphrase" in run("encrypt", expect=ExitCode.USAGE).err
    assert dump() == before


def test_encrypting_twice_is_refused(run, encrypted):
    assert run("encrypt", expect=ExitCode.USAGE).err == f"meddiary: {encrypted} is already encrypted\n"


def test_a_busy_encrypted_diary_is_a_line_not_a_traceback(cipher, run, encrypted, monkeypatch):
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.2)
    holder = store.connect_encrypted(encrypted, PASS)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run("take", "lorazepam", "--at", "08:30", expect=ExitCode.REFUSED)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.err == "meddiary: the diary is busy (another program is writing to it); nothing recorded — try again\n"


def test_without_the_extra_one_line_says_how_to_get_it(run, sample, monkeypatch, dump):
    monkeypatch.setitem(sys.modules, "sqlcipher3", None)
    before = dump()
    result = run("encrypt", expect=ExitCode.USAGE)
    assert result.err == "meddiary: encryption needs SQLCipher, an optional extra: pip install 'meddiary[encrypt]'\n"
    assert dump() == before


def test_without_the_extra_nobody_is_asked_for_a_passphrase(run, encrypted, monkeypatch, tmp_path):
    monkeypatch.delenv("MEDDIARY_PASSPHRASE")
    asked = []
    monkeypatch.setattr(store, "passphrase_source", lambda prompt: asked.append(prompt) or PASS)
    monkeypatch.setitem(sys.modules, "sqlcipher3", None)
    store.forget_passphrases()
    copy = tmp_path / "copy.db"
    copy.write_bytes(encrypted.read_bytes())
    for args in (("today",), ("restore", str(copy)), ("--db", str(tmp_path / "new.db"), "restore", str(copy))):
        result = run(*args, expect=ExitCode.USAGE)
        assert result.err == "meddiary: encryption needs SQLCipher, an optional extra: pip install 'meddiary[encrypt]'\n"
    assert asked == []


def test_an_encrypted_diary_without_the_extra(run, encrypted, monkeypatch):
    monkeypatch.setitem(sys.modules, "sqlcipher3", None)
    result = run("today", expect=ExitCode.USAGE)
    assert result.err == "meddiary: encryption needs SQLCipher, an optional extra: pip install 'meddiary[encrypt]'\n"


@pytest.mark.parametrize("content,expected", [
    (b"SQLite format 3\0" + bytes(4080), False),  # plaintext SQLite
    (b"hello, this is text\n" * 256, False),  # text of a whole number of 512-byte blocks
    (os.urandom(4096), True),  # what SQLCipher writes: salt, then ciphertext
    (os.urandom(100), False),  # too short for a page
    (os.urandom(4000), False),  # not whole pages
    (b"", False),
])
def test_an_encrypted_file_is_told_by_its_header(tmp_path, content, expected):
    p = tmp_path / "f.db"
    p.write_bytes(content if expected is not True else b"\x80" + content[1:])
    assert store.looks_encrypted(p) is expected


def test_a_random_file_is_not_mistaken_for_a_diary(cipher, run, clock, tmp_path, monkeypatch):
    p = tmp_path / "noise.db"
    p.write_bytes(b"\x80" + os.urandom(8191))
    monkeypatch.setenv("MEDDIARY_PASSPHRASE", PASS)
    before = p.read_bytes()
    result = run("--db", str(p), "today", expect=ExitCode.USAGE)
    assert "wrong passphrase for the encrypted diary" in result.err and "or it is not a meddiary diary" in result.err
    assert p.read_bytes() == before


def test_the_plaintext_hot_path_does_not_load_sqlcipher(tmp_path):
    code = ("import sys; from meddiary.cli import main\n"
            "try:\n    main(['take', '--help'])\nexcept SystemExit: pass\n"
            "try:\n    main(['today'])\nexcept SystemExit: pass\n"
            "print('sqlcipher3' in sys.modules)")
    env = {**os.environ, "MEDDIARY_DB": str(tmp_path / "d.db"), "MEDDIARY_TZ": "UTC"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"


def test_an_encrypted_diary_of_the_first_schema_upgrades(cipher, run, clock, tmp_path, monkeypatch):
    from pathlib import Path

    old = tmp_path / "old.db"
    conn = cipher.connect(str(Path(__file__).parent / "fixtures" / "first-schema.db"))
    conn.execute("ATTACH DATABASE ? AS e KEY ?", (str(old), PASS))
    conn.execute("SELECT sqlcipher_export('e')").fetchall()
    conn.execute("DETACH DATABASE e")
    conn.close()
    monkeypatch.setenv("MEDDIARY_PASSPHRASE", PASS)
    result = run("--db", str(old), "check")
    assert result.out.splitlines()[1] == "4 medications, 8 regimens, 61 entries (1 retractions), 0 settings"
    s = store.Store(old)
    try:
        assert s.encrypted and tuple(s.applied_migrations()) == store.MIGRATION_NAMES
    finally:
        s.close()


def test_a_failed_conversion_leaves_the_diary_as_it_was(cipher, run, sample, monkeypatch, dump):
    monkeypatch.setenv("MEDDIARY_PASSPHRASE", PASS)
    before = dump()

    def broken(self, dest, key):
        dest.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.Store, "export_encrypted", broken)
    result = run("encrypt", expect=ExitCode.USAGE)
    assert result.err == "meddiary: the diary could not be encrypted: No space left on device; it was left as it was\n"
    assert dump() == before
    assert sample.read_bytes().startswith(b"SQLite format 3\0")
    assert sorted(p.name for p in sample.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["diary.db"]
    assert sqlite3.connect(sample).execute("PRAGMA journal_mode").fetchone() == ("wal",)
