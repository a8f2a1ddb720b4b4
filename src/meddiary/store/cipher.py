"""Encryption at rest: SQLCipher connections (the optional extra `meddiary[encrypt]`), and where an
encrypted diary's passphrase comes from.

The store never prompts by itself: it asks a passphrase source, `meddiary.store.passphrase_source` (or one
given to the Store), for the passphrase. SQLCipher's errors are turned into the standard library's sqlite3
errors of the same names, so every caller handles both kinds of diary alike.
"""

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from meddiary import store as package
from meddiary.errors import UsageError

PassphraseSource = Callable[[str], "str | None"]  # a prompt -> the passphrase (None: there is nobody to ask)

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


def _cipher_module():
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        raise UsageError(f"encryption needs SQLCipher, an optional extra: {ENCRYPT_EXTRA}") from None
    return dbapi2


_typed: dict[str, str] = {}  # passphrases given by the passphrase source, by diary: asked once per run


def forget_passphrases() -> None:
    """Forget the passphrases asked so far in this run (the next open asks the source again)."""
    _typed.clear()


def passphrase(path: Path, prompt: str | None = None, source: PassphraseSource | None = None) -> str:
    """An encrypted diary's passphrase: MEDDIARY_PASSPHRASE, else the output of MEDDIARY_PASSPHRASE_COMMAND
    (for cron: e.g. `pass show meddiary`), else what `source` gives (default: the package's
    `passphrase_source`, asking on a terminal). Without SQLCipher installed, the line saying how to get it
    comes first: nobody is asked for a passphrase that cannot be used."""
    _cipher_module()
    value = os.environ.get("MEDDIARY_PASSPHRASE") or _typed.get(str(path))
    if not value and (command := os.environ.get("MEDDIARY_PASSPHRASE_COMMAND", "").strip()):
        value = passphrase_from_command(command, path)
    if not value:
        ask = source or package.passphrase_source
        value = ask(prompt or f"passphrase for {path}: ")
        if value is None:
            raise UsageError(f"{path} is encrypted: give its passphrase on a terminal, in MEDDIARY_PASSPHRASE, "
                             "or as a command printing it in MEDDIARY_PASSPHRASE_COMMAND")
        _typed[str(path)] = value  # asked once per run
    if not value or "\x00" in value:
        raise UsageError("the passphrase is empty: give one of at least one character")
    return value


def passphrase_from_command(command: str, path: Path) -> str:
    """What MEDDIARY_PASSPHRASE_COMMAND prints. The command is split into a program and its arguments as a
    shell would split them (quotes), and run without a shell: nothing in it is expanded or substituted
    (for a pipe, say so: `sh -c 'gpg -d pass.gpg | head -1'`)."""
    import shlex
    import subprocess

    try:
        argv = shlex.split(command)
    except ValueError as e:
        raise UsageError(f"MEDDIARY_PASSPHRASE_COMMAND cannot be split into a command and its arguments: {e}") from None
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        raise UsageError("MEDDIARY_PASSPHRASE_COMMAND did not finish within 60 s") from None
    except OSError as e:
        raise UsageError(f"MEDDIARY_PASSPHRASE_COMMAND cannot run {argv[0]}: {e.strerror}") from None
    if done.returncode != 0:
        raise UsageError(f"MEDDIARY_PASSPHRASE_COMMAND failed (exit {done.returncode}); no passphrase for {path}")
    value = done.stdout.rstrip("\r\n")
    if not value:
        raise UsageError("MEDDIARY_PASSPHRASE_COMMAND printed nothing; it must print the passphrase")
    return value


def connect_encrypted(path: Path, key: str, uri: str | None = None):
    """An SQLCipher connection (raising the standard library's sqlite3 errors, so every caller's handling
    stays the same); a wrong passphrase is one line and exit 2."""
    db = _cipher_module()
    conn = db.connect(uri or path, timeout=package.BUSY_TIMEOUT_S, isolation_level=None, uri=uri is not None)
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
