"""`meddiary check`: the diary file checked — SQLite's integrity check and meddiary's consistency checks
(meddiary.integrity) — in plain words; exit 1 when something is wrong."""

from meddiary.actions import Env, Result


def check(e: Env) -> Result:
    """The check's lines (as JSON: {"ok": …, "lines": […]}), and exit status 1 when something is wrong."""
    from meddiary import integrity

    ok, lines = integrity.check(e.store(), e.now)
    return Result(lines, lambda: {"ok": ok, "lines": lines}, exit_code=0 if ok else 1)
