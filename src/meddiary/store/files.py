"""The diary file as a whole: checking a file before it is installed, copying (SQLite's online backup API),
SQLCipher copies (sqlcipher_export), and the journal mode a copy is left in.

meddiary.backup decides where files go and what to keep; every statement it needs is here.
"""

import os
import sqlite3
from pathlib import Path

from meddiary import store as package
from meddiary.errors import NotADiary
from meddiary.store.cipher import PassphraseSource, _raw, connect_encrypted, looks_encrypted, passphrase
from meddiary.store.cipher import _cipher_module as cipher_module
from meddiary.store.paths import not_a_diary, uri_path
from meddiary.store.schema import MIGRATION_NAMES, MIGRATION_SET


def inspect(path: Path, passphrase_source: PassphraseSource | None = None) -> list[str]:
    """The meddiary migrations applied to the file at `path`, read without writing a byte (restore checks a
    file with this); raises NotADiary for anything that is not a meddiary diary, or not a sound one: SQLite's
    full integrity check runs on every page (a backup damaged inside a page opens and reads its ledger
    fine, and would be installed broken)."""
    if not path.is_file():
        raise NotADiary(f"{path} is not a meddiary diary (no such file)")
    uri = "file:" + uri_path(path) + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            names, problems = _ledger(conn), _integrity(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        if not looks_encrypted(path):
            raise not_a_diary(path, f"not an SQLite database, or damaged: {e}") from None
        conn = connect_encrypted(path, passphrase(path, source=passphrase_source), uri=uri)
        try:
            names, problems = _ledger(conn), _integrity(conn)
        except sqlite3.DatabaseError as e:
            raise not_a_diary(path, f"damaged: {e}") from None
        finally:
            conn.close()
    if not names:
        raise not_a_diary(path, "an SQLite database of something else")
    if problems != ["ok"]:
        raise not_a_diary(path, f"damaged: SQLite's integrity check says {problems[0]}")
    unknown = set(names) - set(MIGRATION_NAMES)
    if unknown:
        raise NotADiary(f"{path} was written by a newer meddiary (schema {sorted(unknown)[0]}); upgrade meddiary first")
    return names


def copy_diary(source: Path, dest: Path, passphrase_source: PassphraseSource | None = None) -> None:
    """Copy the diary file at `source` (plaintext or encrypted: the copy is the same) to a new file `dest`
    with the online backup API, reading the source without writing to it; the copy is 0600, in WAL mode."""
    uri = "file:" + uri_path(source) + "?mode=ro"
    key = None
    src = sqlite3.connect(uri, uri=True)
    try:
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        src.close()
        key = passphrase(source, source=passphrase_source)
        src = connect_encrypted(source, key, uri=uri)
    try:
        _backup_into(src, dest, key, "WAL")
    finally:
        src.close()


def encrypted_copy(source: Path, dest: Path, key: str, read_only: bool = False) -> None:
    """Write an SQLCipher copy of the plaintext diary file at `source` to a new file `dest` (0600) with
    sqlcipher_export. `read_only`: the source (a backup being restored) is only read, into memory, and
    encrypted from there: no plaintext copy is ever written beside an encrypted diary (one was, and a
    SIGKILL left it there)."""
    os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    cipher = cipher_module()
    if read_only:
        src = cipher.connect("file:" + uri_path(source) + "?mode=ro", uri=True)
        try:
            plain = cipher.connect(":memory:", isolation_level=None)
            src.backup(plain)
        finally:
            src.close()
    else:
        plain = cipher.connect(source, timeout=package.BUSY_TIMEOUT_S, isolation_level=None)
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


def backup_connection(conn, dest: Path, key: str | None) -> None:
    """A consistent copy of the open connection `conn` in a new file `dest` (0600), with SQLite's online
    backup API (safe while another process writes); with `key`, the copy is encrypted with it. The copy is
    one file with no WAL beside it: it can be moved or mailed to oneself as it is."""
    _backup_into(conn, dest, key, "DELETE")


def _backup_into(conn, dest: Path, key: str | None, journal: str) -> None:
    """SQLite's online backup of `conn` into a new file `dest`, made 0600 first (encrypted with `key`, if
    given), left in `journal` mode (WAL: a diary; DELETE: one file to move)."""
    os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    target = connect_encrypted(dest, key) if key else sqlite3.connect(dest)
    try:
        _raw(conn).backup(_raw(target))
        target.execute(f"PRAGMA journal_mode = {journal}").fetchall()
    finally:
        target.close()


def to_wal(path: Path, key: str | None = None) -> None:
    """Put the diary file at `path` (encrypted with `key`, if given) in WAL mode, as every open diary is."""
    conn = connect_encrypted(path, key) if key else sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
    finally:
        conn.close()


def encrypted_copy_matches(st, dest: Path, key: str) -> bool:
    """Whether the encrypted copy `dest` of the open diary `st` is sound (SQLite's integrity check) and
    holds as many entries as the diary; a sound copy is left in WAL mode, ready to replace the diary."""
    copy = connect_encrypted(dest, key)
    try:
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok" or \
                copy.execute("SELECT count(*) FROM entries").fetchone()[0] != \
                st.conn.execute("SELECT count(*) FROM entries").fetchone()[0]:
            return False
        copy.execute("PRAGMA journal_mode = WAL").fetchall()
        return True
    finally:
        copy.close()
