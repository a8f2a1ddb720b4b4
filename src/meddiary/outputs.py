"""A command's output written to files: each checked before any work is done, and written whole or not
at all. Its own module so that `export` writes its file without importing the report engine."""

import contextlib
import os
from pathlib import Path

from meddiary.diaryfiles import refuse_diary_files
from meddiary.errors import UsageError


def check_output(path: Path, *, diary: Path | None) -> Path:
    """An output FILE, checked before any work is done: in a folder that exists, not a folder itself, not a
    device, a pipe or a link to one (only a regular file is ever replaced), and none of the diary's own files
    (`diary`: the diary in use, None when there is none)."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        if not folder.is_dir():
            raise UsageError(f"cannot write {path}: the folder {folder} does not exist")
        if path.is_dir():
            raise UsageError(f"--output {path} is a folder: give a file name, e.g. report.html")
        if path.exists() and not path.is_file():
            raise UsageError(f"cannot write {path}: it is not a regular file (a device, a pipe or a link to one); "
                             "give --output a file name, or leave --output out to print")
        refuse_diary_files(path, diary)
    except OSError as e:  # a name too long for the file system, a folder we may not look into
        raise UsageError(f"cannot write {path}: {e.strerror}; give --output a file in a folder you can write") from None
    return path


def write_atomic(path: Path, text: str, *, diary: Path | None) -> None:
    """Write a whole file or nothing (write_files with one file)."""
    write_files({path: text}, diary=diary)


def write_files(files: dict[Path, str], *, diary: Path | None) -> None:
    """Write a set of files whole, or none of them: each to a temporary file beside it, on disk (fsync),
    and only when every one is written the renames (which need no space). Only a regular file is replaced:
    a device, a pipe or a link to one is refused, and so is any of the diary's own files (check_output)."""
    for path in files:
        check_output(path, diary=diary)
    written: list[tuple[str, Path]] = []
    current = None
    try:
        for current, text in files.items():
            written.append((_temporary_copy(current, text), current))
        for tmp, current in written:
            os.replace(tmp, current)
    except BaseException as e:
        for tmp, _ in written:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if isinstance(e, OSError):
            raise write_failed(e, current) from None
        raise


def _temporary_copy(path: Path, text: str) -> str:
    """`text` in a new 0600 temporary file beside `path`, on disk; its name. Nothing is left on failure."""
    folder = path.parent if str(path.parent) else Path(".")
    import tempfile  # here: only a report written to a file needs it

    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name[:100]}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())  # the new content is on disk before the rename makes it the file
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_failed(err: OSError, path: Path) -> Exception:
    """A failed write as the person should hear it: a full disk or an I/O error is not bad input."""
    from meddiary.errors import WriteFailed, out_of_room

    if out_of_room(err):
        return WriteFailed(f"cannot write {path}: {err.strerror}; nothing was written — free some space and try again")
    return UsageError(f"cannot write {path}: {err.strerror}; give --output a file in a folder you can write")
