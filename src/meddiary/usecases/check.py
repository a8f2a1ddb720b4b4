"""`meddiary check`: the diary file checked — SQLite's integrity check and meddiary's consistency checks
(meddiary.integrity) — in plain words; exit 1 when something is wrong."""

from meddiary.actions import Env, Result


def check(e: Env) -> Result:
    """The check's lines (as JSON: {"ok": …, "lines": […]}), and exit status 1 when something is wrong."""
    store = e.store()
    # SQLite's own check first: it runs in a thread, in C, while the rest of the check is imported and runs
    sqlite_check = store.integrity_check_started()
    from meddiary import integrity

    ok, lines = integrity.check(store, e.now, sqlite_check)
    return Result(lines, lambda: {"ok": ok, "lines": lines}, exit_code=0 if ok else 1)
