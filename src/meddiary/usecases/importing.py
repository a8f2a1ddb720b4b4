"""`meddiary import FILE`: a meddiary JSON export merged into the diary (a restore into a new diary, or a
merge by stable ids), or the doses taken brought from medTimer, pharm or a spreadsheet. Every row is
checked before anything is written, and all of it is written in one transaction or none of it.

(The module is `importing`: `import` is Python's word; its use case is `import_`.)"""

from meddiary.actions import Env, Result
from meddiary.errors import UsageError


def import_(e: Env, file: str, source: str | None = None, mapping: str | None = None,
            dry_run: bool = False) -> Result:
    """What was added from `file` (as JSON: what the store added, or for another tracker's file the takes
    added); `source`: what made the file (default: told from it); `mapping`: a CSV's columns;
    `dry_run`: what would be added from another tracker's file, nothing written."""
    from meddiary import history_import

    if not file.strip():
        raise UsageError("give the file to import: meddiary import FILE (made by 'meddiary export --format json')")
    chosen = history_import.source_name(source) if source is not None else None
    columns = history_import.parse_map(mapping) if mapping is not None else None
    if columns is not None and chosen not in (None, "csv"):
        raise UsageError(f"--map is for --from csv (a {chosen} file's columns are known)")
    from meddiary.usecases.export import path_given

    path = path_given(file, "FILE", "meddiary import diary.json")
    if not path.exists() or path.is_dir():  # a pipe (`import <(…)`, /dev/stdin) is read as a file is
        raise UsageError(f"{file}: no such file (give a JSON export made by 'meddiary export --format json',"
                         " medTimer's event CSV, pharm's JSON or a CSV)")
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")  # (a BOM: some editors write one)
        # (read_bytes and decode: a third quicker than read_text, whose line ends follow)
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read {file}: {getattr(err, 'strerror', None) or err}") from None
    from meddiary import collector

    # the collector paused while the whole document is in memory, parsed and read (collector.py)
    with collector.paused():
        parsed = None  # the document detect parsed to tell what it is (not parsed twice)
        if chosen is None:
            chosen, parsed = history_import.detect_parsed(text, columns, file)
            KEPT[:] = [parsed]  # to the process's end, which does not free it (entry.leave); one at most
            if columns is not None and chosen != "csv":
                what = {"meddiary": "a meddiary export", "pharm": "pharm's JSON"}.get(chosen, chosen)
                raise UsageError(f"--map is for a CSV file (--from csv); {file} is {what}, whose fields meddiary "
                                 "knows: leave --map out")
        if chosen != "meddiary":
            return _history(e, file, chosen, text, columns, dry_run)
        if dry_run:
            raise UsageError("--dry-run is for --from medtimer, csv or pharm; a meddiary export adds only what "
                             "the diary lacks (importing it twice adds nothing)")
        return _export(e, file, text, parsed)


def _export(e: Env, file: str, text: str, parsed) -> Result:
    """A meddiary export: what the diary lacks of it, added by stable ids."""
    from meddiary import screen, transfer

    with screen.progress(f"importing {file}…"):  # a spinner at a terminal only
        merged = _restored(e, file, text, parsed) if parsed is not None and not e.path().exists() else None
        if merged is None:
            # an answer in the document may close a question already in the diary
            known = frozenset(e.store().entry_uids("question")) if e.path().exists() else frozenset()
            records = transfer.read_document(text, file, known, e.now, parsed)
            del parsed
            merged = e.store().merge(records, e.now, e.tz_name)
        result = transfer.merge_notes(merged)
    added = transfer.describe_merge(result)
    lines = [f"imported {file}, added:", *added] if added else \
        [f"nothing new in {file}: every record in it is already in the diary"]
    lines += [f"note: {note}" for note in result["notes"]]
    return Result(lines, lambda: result)


KEPT: list = []  # the document parsed last: freeing ten years' object by object costs ~20 ms, the process's end none
_ABANDON = object()  # sent to the writer when the document is refused (or read the usual way): write none of it


class _Abandoned(Exception):
    pass


def _restored(e: Env, file: str, text: str, parsed) -> dict | None:
    """An export restored into a new diary, its entries written (by a second thread, in a file beside the
    diary that takes its name when all is in) while the rest of them are checked: SQLite writes without
    holding Python's lock, so most of the writing costs no time. What Store.merge returned; None when this
    way cannot say (a document whose entries must be read one by one, a diary that appeared meanwhile, a
    failure while writing): the usual way then reads and merges it again, and names any problem."""
    import queue
    import sys
    import threading

    from meddiary import store, transfer

    path, now, tz = e.path(), e.now, e.tz_name
    inbox: queue.SimpleQueue = queue.SimpleQueue()  # the records read so far, then each piece, then None
    outcome: dict = {}
    # the writer has made the new diary; it is done; it is to keep nothing
    ready, finished, stop = threading.Event(), threading.Event(), threading.Event()

    def taken():
        item = inbox.get()
        if item is _ABANDON:
            raise _Abandoned
        return item

    def pieces():
        while (piece := taken()) is not None:
            yield piece

    def merge(st):
        ready.set()  # the new diary is made: its records come as they are read
        return st.merge(taken(), now, tz, pieces=pieces())

    def write() -> None:
        try:
            outcome["merged"] = store.made_aside(path, merge, keep=lambda: not stop.is_set())
        except BaseException as err:  # noqa: BLE001 - handed to the reading thread, which decides
            outcome["error"] = err
        finally:
            finished.set()

    def send(records: dict, piece) -> None:
        if not sent:
            inbox.put(records)
        sent.append(True)
        inbox.put(piece)

    sent: list[bool] = []
    read = False  # the whole document read and sound: the writer may keep what it wrote
    # A daemon: a reading thread that dies some way not foreseen here does not wait for it at exit.
    writer = threading.Thread(target=write, name="meddiary import writer", daemon=True)
    switch = sys.getswitchinterval()
    try:
        # The writer takes Python's lock back after each statement; by default it would wait up to 5 ms for
        # the reading thread to let go of it, each time (the new diary's schema alone is some thirty statements).
        sys.setswitchinterval(0.0005)
        writer.start()
        # Reading starts once the writer has made the new diary (some thirty statements, and its imports):
        # made while the reading holds Python's lock, that took five times as long, and the first piece waited.
        while not (ready.wait(0.05) or finished.is_set()):
            pass
        transfer.read_document(text, file, frozenset(), now, parsed, send=send)
        read = bool(sent)  # (no entries: nothing was written meanwhile, and the usual way is as quick)
    except transfer.NotAtOnce:
        pass
    finally:
        sys.setswitchinterval(switch)
        inbox.put(None if read else _ABANDON)
        _wait_for(writer, finished, stop)
    return outcome.get("merged") if read else None


def _wait_for(writer, finished, stop) -> None:
    """Wait until the writer is done, even through Ctrl-C: an interrupt tells it to keep nothing (it stops
    before its file would take the diary's name, and removes it), and is raised once it is done. (Not
    Thread.join: interrupted, it takes the thread for stopped, and the process would exit under it.)"""
    interrupted = None
    while writer.ident is not None and not finished.is_set():
        try:
            finished.wait()
        except KeyboardInterrupt as err:
            stop.set()
            interrupted = err
    if interrupted is not None:
        raise interrupted


def _history(e: Env, file: str, source: str, text: str, columns: dict | None, dry_run: bool) -> Result:
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
    lines = [history_import.entry_line(x, e.tz) for x in new] if dry_run else []
    verb = "would add" if dry_run else "added"
    head = f"{verb} {len(new)} take{'s' if len(new) != 1 else ''} from {file}"
    lines.append(head + (f": {history_import.summary(new)}" if new else ""))
    if already:
        lines.append(f"{already} already in the diary (imported before)")
    if read.not_taken:
        lines.append(f"{read.not_taken} reminder{'s' if read.not_taken != 1 else ''} never marked taken left out "
                     "(meddiary counts missed doses from the schedule)")
    if dry_run:
        lines.append("dry run: nothing was written")
    return Result(lines, lambda: {"source": read.source, "dry_run": dry_run, "added": {"take": len(new)},
                                  "already": already, "not_taken": read.not_taken,
                                  "entries": [history_import.entry_json(x, e.tz) for x in new]})
