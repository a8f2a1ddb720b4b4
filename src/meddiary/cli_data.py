"""Commands: your data — export (JSON, CSV, FHIR, iCalendar), import and merge, backup, restore, encrypt
(registered on meddiary.cli.app). Thin: parse, call transfer/fhir/backup and the store, print."""

import sys
from typing import Annotated, Optional

import typer

from meddiary import cli_app as cli
from meddiary import grammar
from meddiary.cli_app import app, emit_json, env, hot_command, out
from meddiary.errors import UsageError

from meddiary.usecases.export import EXPORT_FORMATS, path_given as _path, short as _short  # noqa: F401 - import,
# backup and restore check their paths as export does; completion offers the formats

hot_command(grammar.EXPORT)


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="The file: a meddiary JSON export, medTimer's event CSV, pharm's JSON or a CSV.", metavar="FILE")],
    source: Annotated[Optional[str], typer.Option("--from", help="What made the file: meddiary, medtimer, csv or pharm (default: told from the file).", metavar="SOURCE")] = None,
    mapping: Annotated[Optional[str], typer.Option("--map", help="A CSV's columns: time=COLUMN,name=COLUMN[,dose=COLUMN][,note=COLUMN][,date=COLUMN].", metavar="KEY=COLUMN,...")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be added (medtimer, csv, pharm); write nothing.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print what was added as JSON.")] = False,
):
    """Import a meddiary JSON export (restore, or merge by stable ids), or bring the doses taken from medTimer,
    pharm or a spreadsheet. Importing the same file twice adds nothing; a bad row imports nothing."""
    from meddiary import history_import, transfer

    e = env(ctx)
    if not file.strip():
        raise UsageError("give the file to import: meddiary import FILE (made by 'meddiary export --format json')")
    chosen = history_import.source_name(source) if source is not None else None
    columns = history_import.parse_map(mapping) if mapping is not None else None
    if columns is not None and chosen not in (None, "csv"):
        raise UsageError(f"--map is for --from csv (a {chosen} file's columns are known)")
    path = _path(file, "FILE", "meddiary import diary.json")
    if not path.is_file():
        raise UsageError(f"{file}: no such file (give a JSON export made by 'meddiary export --format json',"
                         " medTimer's event CSV, pharm's JSON or a CSV)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read {file}: {getattr(err, 'strerror', None) or err}") from None
    parsed = None  # the document detect parsed to tell what it is (not parsed twice)
    if chosen is None:
        chosen, parsed = history_import.detect_parsed(text, columns, file)
    if chosen != "meddiary":
        _import_history(e, file, chosen, text, columns, dry_run, json_out)
        return
    if dry_run:
        raise UsageError("--dry-run is for --from medtimer, csv or pharm; a meddiary export adds only what the "
                         "diary lacks (importing it twice adds nothing)")
    # an answer in the document may close a question already in the diary
    known = frozenset(e.store().entry_uids("question")) if e.path().exists() else frozenset()
    from meddiary import screen

    from meddiary import collector

    # a spinner at a terminal only; the collector paused while the whole document is in memory (collector.py)
    with screen.progress(f"importing {file}…"), collector.paused():
        records = transfer.read_document(text, file, known, e.now, parsed if chosen == "meddiary" else None)
        del parsed
        result = transfer.merge_notes(e.store().merge(records, e.now, e.tz_name))
    if json_out:
        emit_json(result)
        return
    lines = transfer.describe_merge(result)
    if lines:
        out(f"imported {file}, added:")
        for line in lines:
            out(line)
    else:
        out(f"nothing new in {file}: every record in it is already in the diary")
    for note in result["notes"]:
        out(f"note: {note}")


def _import_history(e, file: str, source: str, text: str, columns: dict | None, dry_run: bool, json_out: bool) -> None:
    """Doses taken from another tracker: every row checked first, then written in one transaction."""
    from meddiary import history_import

    try:
        read = history_import.read(source, text, columns)
    except UsageError as err:
        raise UsageError(f"{file} cannot be imported: {err}; nothing was imported") from None

    if not e.path().exists():
        raise UsageError(f"there is no diary at {e.path()} yet: add the medications first (meddiary add NAME "
                         "--dose 50mg --at 08:00, or --as-needed), then import their history")
    from meddiary import screen

    store = e.store()
    with screen.progress(f"checking {len(read.rows)} rows of {file}…"):  # a spinner at a terminal only
        try:
            entries = history_import.plan(read, store.medications(), e.now, e.tz, e.tz_name)
        except UsageError as err:
            raise UsageError(f"{file} cannot be imported: {err}; nothing was imported") from None
        with store.transaction():  # one transaction: all of it or none
            known = store.entry_uids("take")
            new = [x for x in entries if x["uid"] not in known]
            if not dry_run:
                store.add_entries([{k: v for k, v in x.items() if k not in ("where", "medication")} for x in new],
                                  e.now)
    already = len(entries) - len(new)
    if json_out:
        emit_json({"source": read.source, "dry_run": dry_run, "added": {"take": len(new)}, "already": already,
                   "not_taken": read.not_taken, "entries": [history_import.entry_json(x, e.tz) for x in new]})
        return
    if dry_run:
        for x in new:
            out(history_import.entry_line(x, e.tz))
    verb = "would add" if dry_run else "added"
    head = f"{verb} {len(new)} take{'s' if len(new) != 1 else ''} from {file}"
    out(head + (f": {history_import.summary(new)}" if new else ""))
    if already:
        out(f"{already} already in the diary (imported before)")
    if read.not_taken:
        out(f"{read.not_taken} reminder{'s' if read.not_taken != 1 else ''} never marked taken left out "
            "(meddiary counts missed doses from the schedule)")
    if dry_run:
        out("dry run: nothing was written")


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
