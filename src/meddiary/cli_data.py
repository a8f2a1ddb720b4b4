"""Commands: your data — export (JSON, CSV, FHIR, iCalendar), import and merge, backup, restore, encrypt
(registered on meddiary.cli.app). Thin: parse, call transfer/fhir/backup and the store, print."""

import sys
from typing import Annotated, Optional

import typer

from meddiary import grammar
from meddiary.cli_app import app, env, hot_command, out
from meddiary.errors import UsageError

from meddiary.usecases.export import EXPORT_FORMATS, path_given as _path, short as _short  # noqa: F401 - import,
# backup and restore check their paths as export does; completion offers the formats

hot_command(grammar.EXPORT)
hot_command(grammar.IMPORT)


@app.command("backup")
def backup_cmd(
    ctx: typer.Context,
    path: Annotated[Optional[str], typer.Argument(help="Where: a new file, or a folder (default: a dated file next to the diary).", metavar="[PATH]")] = None,
    keep: Annotated[Optional[int], typer.Option("--keep", help="Dated backups to keep, oldest removed first, 1-10000 (default 10).")] = None,
):
    """Write a consistent copy of the diary (safe while another meddiary writes to it)."""
    from meddiary import backup

    e = env(ctx)
    if keep is not None and not 1 <= keep <= 10_000:
        raise UsageError(f"bad --keep {keep}: use a whole number from 1 to 10000")
    if path is not None and path.strip():
        _path(path, "PATH", "meddiary backup ~/backups")
    if not e.path().exists():
        raise UsageError(f"there is no diary at {e.path()} yet: nothing to back up")
    try:
        target, removed = backup.backup(e.store(), path, keep, e.now)
    except OSError as err:
        raise UsageError(f"the backup could not be written: {err.strerror or err}; nothing was changed") from None
    # what was done goes to stderr, as export's "wrote … to …" does: stdout stays for data
    sys.stderr.write(f"backed up the diary to {target}\n")
    if removed:
        sys.stderr.write(f"removed {len(removed)} older backup{'s' if len(removed) > 1 else ''} "
                         f"(keeping the last {keep or backup.DEFAULT_KEEP})\n")


@app.command("restore")
def restore_cmd(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="The backup to restore (a meddiary diary file).", metavar="PATH")],
):
    """Replace the diary with a backup; the current diary is kept aside first (the command says where)."""
    from meddiary import backup

    e = env(ctx)
    if path.strip():
        _path(path, "PATH", "meddiary restore diary.backup-2026-11-26T080000Z.db")
    try:
        aside, _, encrypted = backup.restore(e.path(), path, e.now)
    except OSError as err:
        raise UsageError(f"the restore failed: {err.strerror or err}; the diary was left as it was") from None
    out(f"restored {path} as the diary {e.path()}")
    if encrypted:
        out("the backup was not encrypted: the restored diary is encrypted with the diary's passphrase, as it was")
    if aside is not None:
        out(f"the diary as it was is kept at {aside}")


@app.command("encrypt")
def encrypt_cmd(ctx: typer.Context):
    """Encrypt the diary in place with SQLCipher (needs: pip install 'meddiary[encrypt]'); afterwards meddiary
    asks for the passphrase, or reads MEDDIARY_PASSPHRASE or the output of MEDDIARY_PASSPHRASE_COMMAND."""
    import os

    from meddiary import backup, store as store_module

    e = env(ctx)
    store_module._cipher_module()  # without the extra: one line saying how to get it
    if not e.path().exists():
        raise UsageError(f"there is no diary at {e.path()} yet: add a medication first, then encrypt it")
    st = e.store()
    if st.encrypted:
        raise UsageError(f"{st.path} is already encrypted")
    if os.environ.get("MEDDIARY_PASSPHRASE") or os.environ.get("MEDDIARY_PASSPHRASE_COMMAND", "").strip():
        key = store_module.passphrase(st.path)
    else:
        key = store_module.passphrase_source("new passphrase for the diary: ")
        if key is None:
            raise UsageError("encrypt needs a passphrase: type it on a terminal, or give it in MEDDIARY_PASSPHRASE "
                             "or as a command printing it in MEDDIARY_PASSPHRASE_COMMAND")
        if store_module.passphrase_source("the same passphrase again: ") != key:
            raise UsageError("the two passphrases differ; the diary was left as it was")
        if not key:
            raise UsageError("the passphrase is empty; the diary was left as it was")
    try:
        backup.encrypt(st, key)
    except OSError as err:
        raise UsageError(f"the diary could not be encrypted: {err.strerror or err}; it was left as it was") from None
    e._store = None
    out(f"encrypted {st.path}; the plaintext file was overwritten before it was removed (best effort: SSDs and "
        "journaling filesystems may keep old copies of its blocks)")
    out("from now on meddiary asks for the passphrase, or reads MEDDIARY_PASSPHRASE or MEDDIARY_PASSPHRASE_COMMAND")
    plain = [p for p in backup.copies_beside(st.path) if not store_module.looks_encrypted(p)]
    if plain:
        out(f"note: {len(plain)} earlier cop{'ies' if len(plain) > 1 else 'y'} of the diary beside it "
            f"{'are' if len(plain) > 1 else 'is'} not encrypted; remove {'them' if len(plain) > 1 else 'it'} "
            "if nobody else should read them:")
        for p in plain:
            out(f"  {p}")
