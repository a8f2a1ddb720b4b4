"""The one door to SQLite: every SQL statement and PRAGMA of meddiary is in this package.

    paths    where the diary is: default_path, resolve_path, make_private_folder
    schema   the migrations (append-only) and the names of the tables and columns that travel
    diary    the Store: open, check and migrate a diary; every query and write on it
    files    the file as a whole: inspect, copy, back up, SQLCipher copies, journal modes
    cipher   SQLCipher connections and where a passphrase comes from
    glance   read-only looks for the programs that run often (due's quiet check, shell completion)

`from meddiary.store import Store, resolve_path, …` works for every name below, but each submodule is
imported only when one of its names is first used: `take`, `today` and `due` load the Store without the
SQLCipher, file-copying or migration code, and the quiet check loads `glance` without pathlib.

Two package-wide settings live here, read by the submodules when they are used, so that one assignment
changes them everywhere: BUSY_TIMEOUT_S, and `passphrase_source`, the callable (a prompt -> the passphrase,
or None when nobody can be asked) that an encrypted diary's passphrase is asked of when neither
MEDDIARY_PASSPHRASE nor MEDDIARY_PASSPHRASE_COMMAND gives it. The store never prompts by itself: the
default source asks on the terminal; tests, and the front door, set their own (or give one to the Store).
"""

BUSY_TIMEOUT_S = 10


def ask_passphrase(prompt: str) -> str | None:
    """The passphrase typed on a terminal; None without one (the default `passphrase_source`)."""
    import sys

    if not sys.stdin.isatty():
        return None
    import getpass

    return getpass.getpass(prompt)


passphrase_source = ask_passphrase

# name -> the submodule defining it (imported on first use: PEP 562)
_WHERE = {
    "paths": ("default_path", "resolve_path", "make_private_folder", "uri_path", "not_a_diary"),
    "schema": ("MIGRATION_SET", "MIGRATION_NAMES", "migrations", "TRAVELLING_TABLES", "REGIMEN_COLUMNS",
               "ENTRY_COLUMNS"),
    "diary": ("Store", "Tuples", "new_uid", "damaged", "doses_text", "MERGED_REASON", "made_aside"),
    "files": ("inspect", "copy_diary", "encrypted_copy", "backup_connection", "to_wal", "encrypted_copy_matches"),
    "cipher": ("SQLITE_HEADER", "ENCRYPT_EXTRA", "looks_encrypted", "passphrase", "passphrase_from_command",
               "forget_passphrases", "connect_encrypted", "_cipher_module", "_typed"),
    "glance": ("peek", "peek_file", "names_for_completion"),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

__all__ = ["BUSY_TIMEOUT_S", "ask_passphrase", "passphrase_source", *_MODULE_OF]


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import sys

    __import__(f"{__name__}.{module}")  # not importlib: the quiet check does not load it
    value = getattr(sys.modules[f"{__name__}.{module}"], name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULE_OF))
