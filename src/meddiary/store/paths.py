"""Where the diary is: its path (--db, MEDDIARY_DB, the platform's data folder) and its private folder."""

import os
from pathlib import Path

from meddiary.errors import NotADiary, UsageError


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("meddiary", appauthor=False)) / "diary.db"


def resolve_path(cli_db: str | None) -> Path:
    """--db, else MEDDIARY_DB, else the platform's user data folder. An empty --db is refused (it would
    silently mean the default diary); an empty MEDDIARY_DB is unset, as shells treat empty variables."""
    if cli_db is not None and not cli_db.strip():
        raise UsageError("--db is empty: give the diary's file, e.g. --db ~/diary.db, or leave --db out")
    value = cli_db or os.environ.get("MEDDIARY_DB")
    return Path(value).expanduser() if value else default_path()


def make_private_folder(folder: Path) -> None:
    """`folder` and every missing parent, each 0700 whatever the umask (mkdir's mode is masked by it, and
    `parents=True` gives the parents the umask's default)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for f in reversed(missing):
        try:
            f.mkdir(mode=0o700)
        except FileExistsError:
            if not f.is_dir():
                raise
        os.chmod(f, 0o700)


def uri_path(path: Path) -> str:
    """`path` for an SQLite URI (`file:…?mode=ro`): absolute, percent-quoted."""
    from urllib.parse import quote

    return quote(str(path.absolute()))


def not_a_diary(path: Path, why: str) -> NotADiary:
    return NotADiary(f"{path} is not a meddiary diary ({why}); it was left untouched — "
                     "choose another file with --db PATH or MEDDIARY_DB")
