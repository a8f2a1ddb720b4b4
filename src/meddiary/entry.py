"""The console script's entry point: one small door, no domain code.

It puts the global options first (`meddiary take x --db FILE` as `meddiary --db FILE take x`: the one place
they are split), prints the stored root help (meddiary.roothelp), and sends the hot commands — `take`,
`skip`, `mood`, `today`, `due`, `report`, `export`, `import` and `check`, in every form their declarations in
meddiary.grammar allow — straight to their use cases (meddiary.usecases) without importing Typer; everything
else (help, errors, every other command) goes to the Typer CLI (meddiary.cli).
The two doors run the same use cases against the same environment (meddiary.actions.Env), so a command
behaves the same through either.
"""

import os
import sys


def main(argv: list[str] | None = None, env=None) -> None:
    """Run meddiary with `argv` (default: sys.argv[1:]). `env`: a meddiary.actions.Env to run against (tests
    pass a fake clock, zone, terminal; None: the real ones)."""
    try:
        try:
            _main(argv, env)
        except KeyboardInterrupt as err:  # Ctrl-C outside a command's own handling (while loading): 130 too
            from meddiary.errors import fail_for

            fail_for(err)
    except SystemExit as done:
        if argv is not None:
            raise
        leave(done.code)
    if argv is None:
        leave(0)


def leave(code) -> None:
    """The console script's end: the output flushed, then out at once (os._exit). What the run made is not
    freed object by object nor walked by Python's last collections (a ten-year import's parsed document
    alone: ~20 ms; a twentieth of a 30-day report), and every file, diary and thread is closed or done by
    now. `code`: SystemExit's (None: 0; text: said on stderr, 1)."""
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
        code = 1
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError as err:
        from meddiary.errors import not_written

        not_written(err)  # a reader gone: exit 0; a full disk: one line, exit 1
    except ValueError:  # closed
        pass
    try:
        if sys.stderr is not None:
            sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(0 if code is None else int(code))


def _main(argv: list[str] | None, env) -> None:
    errors = sys.modules.get("meddiary.errors")  # not imported yet: no earlier run left cleanups (and `due`
    if errors is not None:                       # stays clear of importing enum)
        errors.begin_run()
    from meddiary.grammar import global_options_first

    args = global_options_first(sys.argv[1:] if argv is None else argv)
    if args is None:
        sys.stderr.write("meddiary: --db is given twice: give the diary once, e.g. meddiary --db FILE today\n")
        sys.exit(2)
    never_fail_to_encode()
    completing = "_MEDDIARY_COMPLETE" in os.environ  # the shell asks for completions: Typer's, no fast path
    if args in (["--help"], ["-h"]) and not completing:
        from meddiary import roothelp

        stored = roothelp.text()
        if stored is not None:
            sys.stdout.write(stored)
            sys.exit(0)
    if not completing:
        from meddiary.grammar import hot

        found = hot(args)
        if found is not None:
            sys.exit(fast(*found, env=env, args=args))
    from meddiary.cli import main as cli_main

    cli_main(args, env)


def fast(command: str, db: str | None, values: dict, env=None, args: list[str] | None = None) -> int:
    """Run a hot command's use case without Typer; errors mapped as meddiary.cli.main maps them. Its exit
    status."""
    e, code = None, 0
    try:
        if command == "due":
            from meddiary.usecases import due  # the quiet check first: most runs end there

            return due.fast(db, values, env)
        from meddiary import actions

        e = env if env is not None else actions.Env(db)
        if env is not None and db is not None:
            e.db = db
        from meddiary.usecases import run

        from meddiary.grammar import PAGED

        if command in PAGED:  # a hot command that pages (at a terminal only, as through Typer)
            from meddiary import screen

            with screen.paged(screen.wants_pager(command, args or [])):
                code = run(command, e, values)
        else:
            code = run(command, e, values)
        if sys.stdout is not None:
            sys.stdout.flush()  # here, so a reader gone away (`| head`) is a BrokenPipeError mapped below
    except BaseException as err:  # noqa: BLE001 - mapped as meddiary.cli.main maps them
        from meddiary.errors import fail_for

        fail_for(err)
    finally:
        if e is not None:
            e.close()  # the front door closes the diary it opened
    return code


def never_fail_to_encode() -> None:
    """On a terminal or pipe that is not UTF-8 (PYTHONIOENCODING=ascii, a Latin-1 locale under cron) a
    character it cannot show is written as an escape, never raised: a line printed after an entry was
    recorded must not turn it into a failure."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if stream is not None and encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
