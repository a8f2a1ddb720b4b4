"""Small read-only looks at a diary for the programs that run often and must stay quick: `meddiary due`'s
quiet check (cron, every 5 minutes) and shell completion. Neither creates, migrates nor unlocks a diary.

This module imports only the standard library's sqlite3 (not pathlib, nor the Store): the quiet check's
whole budget is smaller than importing pathlib.
"""

import sqlite3

_PEEK = ("SELECT (SELECT key FROM reminders ORDER BY id DESC LIMIT 1), (SELECT max(id) FROM entries),"
         " (SELECT max(id) FROM retractions), (SELECT max(id) FROM regimens), (SELECT max(id) FROM medications),"
         " (SELECT max(id) FROM aliases), (SELECT max(id) FROM settings)")


def peek(conn) -> tuple[str | None, tuple[int | None, ...]]:
    """The latest reminder-state key, and the highest row ids of the tables a reminder depends on (entries,
    retractions, regimens, medications, aliases, settings; None for an empty table) — one small query."""
    latest, *ids = conn.execute(_PEEK).fetchone()
    return latest, tuple(ids)


def peek_file(path: str, timeout: float = 5) -> tuple[str | None, tuple[int | None, ...]] | None:
    """`peek` on the diary file at `path` (opened and closed here); None when it cannot be read as a diary
    (no such file, missing tables, a damaged or encrypted file): the caller then does the full check."""
    import os

    if not os.path.isfile(path):  # sqlite3 would create it
        return None
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        try:
            return peek(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def names_for_completion(path) -> list[str]:
    """Every medication name and alias in the diary at `path` (a Path), read only (shell completion: it never
    creates, migrates or asks for a passphrase; an encrypted, missing or damaged file gives none)."""
    if not path.is_file():
        return []
    from meddiary.store.paths import uri_path

    try:
        conn = sqlite3.connect(f"file:{uri_path(path)}?mode=ro", uri=True, timeout=1)
        try:
            return [r[0] for r in conn.execute("SELECT name FROM medications UNION SELECT alias FROM aliases")]
        finally:
            conn.close()
    except sqlite3.Error:
        return []
