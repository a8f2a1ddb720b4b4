"""The files that belong to a diary: the diary, its -wal and -shm, its dated backups and the copies restore
keeps aside. Their names, and the one check that an output never replaces any of them (an HTML report
written over the diary destroyed it). Shared by the report writers and backup (no import between them)."""

import re
from datetime import UTC, datetime
from pathlib import Path

from meddiary.errors import UsageError

_STAMP = "%Y-%m-%dT%H%M%SZ"


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime(_STAMP)


def backup_name(diary: Path, now: datetime) -> str:
    """`diary.backup-2026-11-26T080000Z.db`: names sort in time order (UTC)."""
    return f"{diary.stem}.backup-{_stamp(now)}{diary.suffix or '.db'}"


def _backup_pattern(diary: Path) -> re.Pattern:
    return re.compile(re.escape(diary.stem) + r"\.backup-\d{4}-\d{2}-\d{2}T\d{6}Z(-\d+)?"
                      + re.escape(diary.suffix or ".db"))


def dated_backups(diary: Path, folder: Path) -> list[Path]:
    """The dated backups of `diary` in `folder`, oldest first."""
    pattern = _backup_pattern(diary)
    found = [p for p in folder.iterdir() if pattern.fullmatch(p.name) and p.is_file()] if folder.is_dir() else []

    def order(p: Path):
        m = re.search(r"Z(?:-(\d+))?\.", p.name[len(diary.stem):])
        return p.name[:len(diary.stem) + 25], int(m.group(1)) if m and m.group(1) else 1

    return sorted(found, key=order)


def copies_beside(diary: Path) -> list[Path]:
    """The dated backups and the copies kept aside by restore next to the diary, oldest first."""
    folder = diary.parent
    aside = re.compile(re.escape(diary.stem) + r"\.before-restore-\d{4}-\d{2}-\d{2}T\d{6}Z(-\d+)?"
                       + re.escape(diary.suffix or ".db"))
    kept = sorted(p for p in folder.iterdir() if aside.fullmatch(p.name) and p.is_file()) if folder.is_dir() else []
    return dated_backups(diary, folder) + kept


SQLITE_HEADER = b"SQLite format 3\x00"  # = store.SQLITE_HEADER (the store is not imported for this)


def refuse_diary_files(path: Path, diary: Path | None) -> None:
    """Refuse to write over the diary, its -wal or -shm file or a diary backup, whatever name reaches
    them (relative, through a link, a hard link): an HTML report written over the diary destroyed it."""
    why = _diary_file(path, diary)
    if why:
        raise UsageError(f"refusing to write {path}: it is {why}; nothing was written — give another file name")


def _diary_file(path: Path, diary: Path | None) -> str | None:
    """What of the diary's `path` is, or None. Existing files are compared by identity (device and inode);
    a -wal or -shm file SQLite has not made yet (or the diary before it exists) by resolved path. No
    existing SQLite file is replaced at all (a backup kept anywhere, another diary): an output is never
    meant to go there."""
    if diary is not None:
        for own, what in ((diary, "the diary"), (diary.with_name(diary.name + "-wal"), "the diary's -wal file"),
                          (diary.with_name(diary.name + "-shm"), "the diary's -shm file")):
            if _same_file(path, own):
                return f"{what} ({own})"
    if path.is_file():  # only a regular file is opened to look: a pipe would block the read
        with open(path, "rb") as f:
            if f.read(16) == SQLITE_HEADER:
                return "an SQLite database (a diary, or a backup of one)"
    if diary is not None:
        if any(_same_file(path, p) for p in copies_beside(diary)):  # encrypted backups have no header
            return "a backup of the diary"
    return None


def _same_file(path: Path, other: Path) -> bool:
    """The same file: by device and inode when both exist, else by the path they resolve to."""
    try:
        a, b = path.stat(), other.stat()
        return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)
    except FileNotFoundError:
        return path.resolve() == other.resolve()
