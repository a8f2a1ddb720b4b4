"""`meddiary export`: the diary as JSON (everything, to import elsewhere), CSV, FHIR R4 or iCalendar, to the
screen or a file. Its result is the document and how to write it (a whole diary is one text, not lines)."""

import sys

from meddiary.actions import Env, Result
from meddiary.errors import UsageError

EXPORT_FORMATS = ("json", "csv", "fhir", "ics")


def export(e: Env, fmt: str = "json", output: str | None = None, days: str | None = None) -> Result:
    """The diary in `fmt`, and how to write it to stdout or `output` (csv: a folder); `days`: how many days of
    doses an iCalendar holds (1-3660, default 90). The output is checked before the diary is opened: a bad
    --output creates nothing, and no export creates a diary."""
    from meddiary.render import format_name

    fmt = format_name(fmt, EXPORT_FORMATS)
    if days is not None and fmt != "ics":
        raise UsageError("--days is for --format ics")
    n_days = _days(days)
    folder = _csv_folder(output) if fmt == "csv" else None
    if fmt != "csv" and output is not None:
        output_file(output, e.path())
    if not e.path().exists():
        raise UsageError(f"there is no diary at {e.path()} yet: nothing to export")
    store = e.store()
    from meddiary import screen

    if fmt == "csv":
        with screen.progress("exporting the diary…"):  # a spinner at a terminal only
            files = _csv_files(store)
        return Result([], None, deliver=lambda: _write_csv(e, files, output, folder))
    from meddiary import collector

    # every table as of one moment; the collector paused while the whole diary is in memory (collector.py)
    with store.snapshot(), screen.progress("exporting the diary…"), collector.paused():
        if fmt == "json":
            from meddiary import __version__, transfer
            from meddiary.store import TRAVELLING_TABLES

            tables = {t: store.rows(t) for t in TRAVELLING_TABLES if t != "entries"}
            tables["entries"] = store.row_tuples("entries", transfer.ENTRY_FIELDS)
            schema = store.applied_migrations()[-1]
            # indented for a person at a terminal, compact in a file or a pipe (transfer.dumps)
            if output is None and sys.stdout.isatty():
                text = transfer.dumps(transfer.document(tables, e.now, __version__, schema))
            else:
                text = transfer.compact_text(tables, e.now, __version__, schema)
            what = "the diary (JSON)"
            del tables
        elif fmt == "fhir":
            import json

            from meddiary import fhir

            regimen_uids = {r["id"]: r["uid"] for r in store.rows("regimens")}
            doc = fhir.bundle(store.medications(), store.entries_of(("take", "skip", "check", "measurement")),
                              regimen_uids, e.now, e.tz, e.today)
            text, what = json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "a FHIR R4 Bundle"
        else:
            from meddiary import ics

            text = ics.calendar(store.medications(), e.now, e.tz_name, 90 if n_days is None else n_days)
            what = "a calendar (iCalendar)"
    diary = e.path()
    return Result([], None, deliver=lambda: write_text(text, output, what, diary, is_json=fmt in ("json", "fhir")))


def _days(days: str | None) -> int | None:
    """--days as a whole number of days from 1 to 3660 (None: not given)."""
    if days is None:
        return None
    try:
        n = int(days.strip())
    except ValueError:
        n = None
    if n is None or not 1 <= n <= 3660:
        raise UsageError(f"bad --days {days}: use a whole number from 1 to 3660")
    return n


def path_given(value: str, what: str, example: str):
    """A path the person typed: not empty, and one the system can look at (not too long, say)."""
    from pathlib import Path

    if not value.strip():
        raise UsageError(f"{what} is empty: give one, e.g. {example}")
    path = Path(value).expanduser()
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        pass
    except (OSError, ValueError) as err:
        raise UsageError(f"bad {what} {short(value)}: {getattr(err, 'strerror', None) or err}") from None
    return path


def short(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def output_file(output: str, diary):
    """--output FILE checked before anything is read or opened (write_atomic checks again as it writes)."""
    from meddiary.outputs import check_output

    return check_output(path_given(output, "--output", "--output diary.json"), diary=diary)


def write_text(text: str, output: str | None, what: str, diary, is_json: bool = False) -> None:
    """To stdout, or atomically to a 0600 file. `is_json`: `text` is JSON (json's encoder made it)."""
    if output is None:  # anyone's text made visible, the calendar's CRLF line ends kept
        from meddiary.errors import not_written, visible

        try:
            if is_json and text.isascii() and "\x7f" not in text:
                # JSON holds no C0 control (its strings escape them): in ASCII, only DEL could need showing
                # (a whole export's look with `visible` copies it twice: a sixteenth of the export's time)
                sys.stdout.write(text)
            else:
                parts = text.split("\r\n") if "\r" in text else [text]  # finding one character is a memchr
                sys.stdout.write("\r\n".join(visible(part) for part in parts))
            sys.stdout.flush()
        except OSError as err:  # `export | head`: here, where Typer would make it exit 1
            not_written(err)
        return
    from meddiary.outputs import write_atomic

    write_atomic(output_file(output, diary), text, diary=diary)  # its own errors are one line already
    from meddiary.errors import visible

    sys.stderr.write(visible(f"wrote {what} to {output}") + "\n")  # a file name can hold an escape sequence


def _csv_folder(output: str | None):
    if output is None or not output.strip():
        raise UsageError("--format csv writes one file per kind of entry: give a folder with --output DIR")
    folder = path_given(output, "--output", "--output spreadsheets")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--output {output} is a file: give a folder for the CSV files")
    if not folder.exists() and not folder.parent.is_dir():
        raise UsageError(f"cannot create {folder}: the folder {folder.parent} does not exist")
    return folder


def _csv_files(store) -> dict[str, str]:
    """The CSV files of every entry, by file name (read as of one moment)."""
    from meddiary import transfer
    from meddiary.model import ENTRY_KINDS

    with store.snapshot():
        names = {m.id: m.name for m in store.medications()}
        entries = store.entries_of(tuple(ENTRY_KINDS))
    return transfer.csv_files(entries, names)


def _write_csv(e: Env, files: dict[str, str], output: str, folder) -> None:
    """The CSV files into `folder` (made private if it is new): all of them, or none."""
    from meddiary.outputs import write_files

    try:
        if not folder.exists():
            from meddiary.store import make_private_folder

            make_private_folder(folder)  # 0700 whatever the umask
        write_files({folder / name: text for name, text in files.items()}, diary=e.path())  # all or none
    except OSError as err:
        raise UsageError(f"cannot write the CSV files to {short(output)}: {err.strerror or err}") from None
    from meddiary.errors import visible

    sys.stderr.write(visible(f"wrote {', '.join(files)} to {output}") + "\n")
