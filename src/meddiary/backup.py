"""The diary file as a whole: backup, restore and encryption at rest.

SQLite does the copying (its online backup API, SQLCipher's sqlcipher_export), through meddiary.store.files,
which holds every statement; this module decides where files go, keeps the last N backups, keeps the current
diary aside before a restore, and replaces files atomically (a temporary file beside the target, then a
rename). Every file it makes is 0600.
"""

import contextlib
import os
import re
from datetime import datetime
from pathlib import Path

from meddiary import store as store_module
from meddiary.diaryfiles import _stamp, backup_name, copies_beside, dated_backups, refuse_diary_files  # noqa: F401
from meddiary.errors import MeddiaryError, Refused, UsageError

DEFAULT_KEEP = 10
def _free_name(folder: Path, name: str) -> Path:
    """`name` in `folder`, or `name` with -2, -3… when a backup of the same second exists."""
    path = folder / name
    stem, dot, suffix = name.rpartition(".")
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}{dot}{suffix}"
        n += 1
    return path


def _temporary(folder: Path, name: str) -> Path:
    return folder / f".{name}.{store_module.new_uid()[:12]}.tmp"


STALE_AFTER_S = 15 * 60  # older than any backup, restore or encrypt still running takes


def remove_stale_temporaries(diary: Path) -> list[Path]:
    """The temporary files a killed backup, restore or encrypt left beside the diary (`_temporary` names,
    with their -wal, -shm or -journal), overwritten and removed; those younger than STALE_AFTER_S may be
    another run's, still at work, and are left. Returns what was removed."""
    import time

    pattern = re.compile(r"\." + re.escape(diary.stem) + r".*\.[0-9a-f]{12}\.tmp(-wal|-shm|-journal)?")
    folder = diary.parent
    if not folder.is_dir():
        return []
    removed = []
    for p in folder.iterdir():
        try:
            stale = pattern.fullmatch(p.name) and p.is_file() and not p.is_symlink() and \
                time.time() - p.stat().st_mtime > STALE_AFTER_S
        except OSError:
            continue
        if stale:
            _remove_plain(p)
            removed.append(p)
    return removed


def backup(st, dest: str | None, keep: int | None, now: datetime) -> tuple[Path, list[Path]]:
    """Write a consistent copy of the open diary; returns where, and the old dated backups removed.
    No `dest`: a dated file next to the diary, keeping the last `keep` (default 10). A folder: a dated file
    in it (keeping the last `keep` there). A file name: exactly that file (it must not exist yet)."""
    if keep is not None and not 1 <= keep <= 10_000:
        raise UsageError(f"bad --keep {keep}: use a whole number from 1 to 10000")
    diary = st.path
    if dest is None or not dest.strip():
        if dest is not None:
            raise UsageError("the backup path is empty: give a file or folder, or leave it out for a dated file next to the diary")
        folder, target = diary.parent, None
    else:
        given = Path(dest).expanduser()
        if given.is_dir():
            folder, target = given, None
        else:
            if keep is not None:
                raise UsageError("--keep is for dated backups: give a folder (or no PATH), not a file name")
            refuse_diary_files(given, diary)  # the diary's -wal or -shm name, say, by any path
            if given.exists():
                raise UsageError(f"{given} already exists: a backup never overwrites a file; choose a new name")
            folder, target = given.parent if str(given.parent) else Path("."), given
            if not folder.is_dir():
                raise UsageError(f"cannot write {given}: the folder {folder} does not exist")
    if target is None:
        target = _free_name(folder, backup_name(diary, now))
    remove_stale_temporaries(diary)
    tmp = _temporary(folder, target.name)
    try:
        st.backup_to(tmp)
        os.chmod(tmp, 0o600)
        _fsync(tmp)
        os.replace(tmp, target)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    removed: list[Path] = []
    if dest is None or Path(dest).expanduser().is_dir():
        # only what a backup is: a dated name is not enough to delete a file (someone's own file may match)
        old = [p for p in dated_backups(diary, folder) if _is_diary_file(p)]
        for p in old[:max(0, len(old) - (keep or DEFAULT_KEEP))]:
            p.unlink()
            removed.append(p)
    return target, removed


def restore(diary: Path, source: str, now: datetime) -> tuple[Path | None, list[str], bool]:
    """Replace the diary with the diary file at `source` (checked first: it must be a meddiary diary); the
    current diary is copied aside first. An encrypted diary stays encrypted: a plaintext backup restored
    over it is encrypted with the diary's passphrase (and refused when the diary cannot be opened).
    Returns where the diary was kept (None: there was none), the source's migrations, and whether the
    restored copy was encrypted here."""
    if not source.strip():
        raise UsageError("give the backup to restore: meddiary restore PATH")
    src = Path(source).expanduser()
    if src.is_dir():
        raise UsageError(f"{src} is a folder: give the backup file to restore")
    if diary.exists() and src.exists() and src.resolve() == diary.resolve():
        raise UsageError(f"{src} is the diary itself: give a backup file to restore")
    migrations = store_module.inspect(src)
    source_encrypted = store_module.looks_encrypted(src)
    folder = diary.parent
    remove_stale_temporaries(diary)
    aside = None
    key = None
    if diary.exists():
        aside = _free_name(folder, f"{diary.stem}.before-restore-{_stamp(now)}{diary.suffix or '.db'}")
        try:
            current = store_module.Store(diary)
        except MeddiaryError as err:  # damaged, or encrypted without its passphrase: kept aside as it is
            if store_module.looks_encrypted(diary) and not source_encrypted:
                raise UsageError(f"{diary} is encrypted and the backup {src} is not: restoring it needs the diary's "
                                 f"passphrase, to encrypt the restored copy too ({err})") from None
            _keep_aside_as_is(diary, aside)
        else:
            if current.encrypted and not source_encrypted:
                key = current.key
            try:
                current.checkpoint()  # one file, no WAL left beside it to be mistaken for the restored file's
                tmp_aside = _temporary(folder, aside.name)
                current.backup_to(tmp_aside)
                os.replace(tmp_aside, aside)
            finally:
                current.close()
    elif not folder.exists():
        store_module.make_private_folder(folder)
    tmp = _temporary(folder, diary.name)
    try:
        if key is None:
            store_module.copy_diary(src, tmp)
        else:  # the plaintext backup, encrypted with the diary's passphrase before it replaces the diary
            store_module.encrypted_copy(src, tmp, key, read_only=True)
            store_module.to_wal(tmp, key)
        os.chmod(tmp, 0o600)
        _fsync(tmp)
        os.replace(tmp, diary)
    except BaseException:
        _remove_plain(tmp)
        if aside is not None and diary.exists() and not store_module.looks_encrypted(diary):
            with contextlib.suppress(Exception):
                store_module.to_wal(diary)
        raise
    return aside, migrations, key is not None


def _is_diary_file(path: Path) -> bool:
    """An SQLite or SQLCipher file, by its first bytes (and not a link to one elsewhere)."""
    if path.is_symlink():
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        return False
    return head == store_module.SQLITE_HEADER or store_module.looks_encrypted(path)


def _remove_plain(path: Path) -> None:
    """A temporary copy (and its WAL) overwritten, then removed: it may hold plaintext."""
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if p.is_file() and not p.is_symlink():
            with open(p, "r+b") as f:
                _overwrite(f)
            p.unlink()


def _keep_aside_as_is(diary: Path, aside: Path) -> None:
    """Copy a diary that cannot be opened aside byte for byte (its WAL too), and take its WAL and shared
    memory files away, so they cannot be applied to the restored file."""
    import shutil

    shutil.copyfile(diary, aside)
    os.chmod(aside, 0o600)
    for suffix in ("-wal", "-shm"):
        side = diary.with_name(diary.name + suffix)
        if side.exists():
            if suffix == "-wal":
                kept = aside.with_name(aside.name + suffix)
                shutil.copyfile(side, kept)
                os.chmod(kept, 0o600)
            side.unlink()


def encrypt(st, key: str) -> None:
    """Convert the open (plaintext) diary to SQLCipher in place: an encrypted copy is made and checked,
    atomically replaces the diary, and the old file's bytes are overwritten before its space is freed
    (best effort: SSDs and journaling filesystems may keep copies of old blocks)."""
    if st.encrypted:
        raise Refused(f"{st.path} is already encrypted")
    path = st.path
    remove_stale_temporaries(path)
    st.checkpoint()
    tmp = _temporary(path.parent, path.name)
    try:
        with st.transaction():  # no other process writes to the old file while it is copied and replaced
            st.export_encrypted(tmp, key)
            if not store_module.encrypted_copy_matches(st, tmp, key):
                raise UsageError("the encrypted copy did not check out; the diary was left as it was")
            os.chmod(tmp, 0o600)
            _fsync(tmp)
            with open(path, "r+b") as old:  # still the plaintext file after the rename below
                os.replace(tmp, path)
                _overwrite(old)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        _back_to_wal(st)
        raise
    finally:
        st.close()


def _back_to_wal(st) -> None:
    """After a failed conversion the diary stays as it was, in WAL mode again (best effort)."""
    try:
        st.resume_wal()
    except Exception:  # noqa: BLE001 - the original error is the one to report
        pass


def _overwrite(f) -> None:
    size = os.fstat(f.fileno()).st_size
    f.seek(0)
    chunk = b"\0" * (1 << 20)
    left = size
    while left > 0:
        n = min(left, len(chunk))
        f.write(chunk[:n])
        left -= n
    f.flush()
    os.fsync(f.fileno())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
