"""Typer commands: parse, call, render, exit — nothing else.

Startup is a feature (cron and `take` run this often): only Typer, the standard library and small local
modules are imported at the top; the store, the domain, dateutil, Rich and sqlite-utils are imported
inside the commands that need them. A test checks what `import meddiary.cli` leaves out.
"""

import os
import sys
from typing import Annotated, Optional

import typer

from meddiary import actions, grammar
from meddiary.actions import emit_json, out, text as _text
from meddiary.cli_app import FORMATS, _format, app, env, hot_command, version_callback  # noqa: F401
from meddiary.errors import LINE_MAX, ExitCode, UsageError, begin_run, fail, fail_for

@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", help="The diary file (default: MEDDIARY_DB, else the user data folder).", metavar="PATH")] = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.", callback=version_callback, is_eager=True)] = False,
    no_pager: Annotated[bool, typer.Option("--no-pager", help="Print long output straight to the terminal (PAGER, default less -FRX, is used only at a terminal).")] = False,
):
    """With no command: today's checklist."""
    if isinstance(ctx.obj, actions.Env):  # the run's environment (cli.main): the --db given is its diary
        ctx.obj.db = db if db is not None else ctx.obj.db
    else:
        ctx.obj = db
    if ctx.invoked_subcommand is None:
        from meddiary.usecases import run

        run("today", env(ctx), {"json_out": False})


# -- medications and regimens -----------------------------------------------------------------------

@app.command("add")
def add_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The medication's name, e.g. sertraline.")],
    dose: Annotated[Optional[str], typer.Option("--dose", help="Dose per intake: 50mg, 0.5mg, 100mcg, 5ml, 1tablet (or give each time's with --at HH:MM=DOSE).", metavar="DOSE")] = None,
    at: Annotated[Optional[list[str]], typer.Option("--at", help="A time of day, HH:MM, or HH:MM=DOSE for that time's own dose (lithium: --at 08:00=400mg --at 20:00=600mg); repeat for more.", metavar="HH:MM[=DOSE]")] = None,
    days: Annotated[Optional[str], typer.Option("--days", help="Only these weekdays: mon,wed,fri.")] = None,
    every: Annotated[Optional[str], typer.Option("--every", help="Every N days, weeks or calendar months: 2d, 1w, 4w, 1mo (a month without the start's day: its last day).")] = None,
    cycle: Annotated[Optional[str], typer.Option("--cycle", help="Days on/days off from the start, e.g. 21/7.", metavar="ON/OFF")] = None,
    window: Annotated[Optional[str], typer.Option("--window", help="A long-acting injection: the tolerance each side of the due day, e.g. 7d (with --every 4w or 1mo).")] = None,
    as_needed: Annotated[bool, typer.Option("--as-needed", help="Taken as needed (no times; limits instead).")] = False,
    as_needed_dose: Annotated[Optional[str], typer.Option("--as-needed-dose", help="A scheduled medication's as-needed part: its dose, e.g. 5mg (limits: --max-per-day, --max-amount, --min-interval).", metavar="DOSE")] = None,
    max_per_day: Annotated[Optional[int], typer.Option("--max-per-day", help="As needed: most doses in any 24 hours.")] = None,
    max_amount: Annotated[Optional[str], typer.Option("--max-amount", help="As needed: most amount in any 24 hours, e.g. 1.5mg.", metavar="DOSE")] = None,
    min_interval: Annotated[Optional[str], typer.Option("--min-interval", help="As needed: least time between doses, e.g. 4h.")] = None,
    purpose: Annotated[Optional[str], typer.Option("--for", help="What it is for, e.g. depression.")] = None,
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help="Another name (brand); repeat for more.")] = None,
    start: Annotated[Optional[str], typer.Option("--start", help="First day: YYYY-MM-DD, today, yesterday (default today).")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A note kept with it.")] = None,
    units_per_dose: Annotated[Optional[str], typer.Option("--units-per-dose", help="Supply: tablets (or ml…) one dose uses, e.g. 2.")] = None,
    strength: Annotated[Optional[str], typer.Option("--strength", help="Supply: one tablet's strength, e.g. 50mg (units per dose = dose ÷ strength).")] = None,
):
    """Add a medication and how it is to be taken."""
    from meddiary import regimens, timeparse

    e = env(ctx)
    start_day = timeparse.parse_date(start, e.today) if start is not None else e.today
    spec = regimens.new_medication(name, dose, at or [], days, every, as_needed, max_per_day, min_interval,
                                   aliases=alias or [], start=start_day, units_per_dose=units_per_dose,
                                   strength=strength, cycle=cycle, window=window, max_amount=max_amount,
                                   as_needed_dose=as_needed_dose)
    store = e.store()
    for n in [spec.name, *spec.aliases]:
        if store.name_taken(n):
            raise UsageError(f"{n!r} is already in the diary: use 'meddiary change {n}' to change its dose or times")
    store.add_medication(spec.name, as_needed, _text(purpose, "--for", LINE_MAX, one_line=True), _text(note),
                         spec.aliases, spec.regimen, e.now, e.tz_name)
    out(f"added {spec.name} {regimens.describe_dict(spec.regimen)}, from {start_day.isoformat()}")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include stopped medications.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
):
    """List the medications in force (with --all, stopped ones too)."""
    from meddiary import views

    e = env(ctx)
    meds = [m for m in e.store().medications() if all_ or views.status(m, e.today) != "stopped"]
    if json_out:
        emit_json({"medications": [views.medication_json(m, e.today) for m in meds]})
        return
    if not meds:
        out("no medications yet: add one with 'meddiary add NAME --dose 50mg --at 08:00'")
        return
    for line in views.medication_lines(meds, e.today):
        out(line)


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Medication name or alias.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
):
    """Show a medication: its current regimen and the history of changes."""
    from meddiary import diary, views

    e = env(ctx)
    store = e.store()
    med = diary.find(store.medications(), name)
    superseded = store.superseded_regimens(med.id)
    if json_out:
        emit_json(views.medication_json(med, e.today, with_history=True, superseded=superseded, tz=e.tz))
        return
    for line in views.show_lines(med, e.today, superseded):
        out(line)


@app.command("change")
def change_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Medication name or alias.")],
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (e.g. 'dose increased by Dr Lee').")] = None,
    dose: Annotated[Optional[str], typer.Option("--dose", help="The new dose for every time, e.g. 100mg, or by time: 20:00=800mg, 08:00=300mg+20:00=800mg (the other times keep theirs).", metavar="DOSE")] = None,
    at: Annotated[Optional[list[str]], typer.Option("--at", help="The new times of day, HH:MM or HH:MM=DOSE; repeat for more (a time given without a dose keeps its dose).", metavar="HH:MM[=DOSE]")] = None,
    days: Annotated[Optional[str], typer.Option("--days", help="Only these weekdays: mon,wed,fri ('daily' for every day).")] = None,
    every: Annotated[Optional[str], typer.Option("--every", help="Every N days, weeks or calendar months: 2d, 4w, 1mo.")] = None,
    cycle: Annotated[Optional[str], typer.Option("--cycle", help="Days on/days off from the change's day, e.g. 21/7.", metavar="ON/OFF")] = None,
    window: Annotated[Optional[str], typer.Option("--window", help="A long-acting injection's tolerance each side of the due day, e.g. 7d.")] = None,
    as_needed_dose: Annotated[Optional[str], typer.Option("--as-needed-dose", help="The as-needed part beside the schedule: its dose, e.g. 5mg.", metavar="DOSE")] = None,
    max_per_day: Annotated[Optional[int], typer.Option("--max-per-day", help="As needed: most doses in any 24 hours.")] = None,
    max_amount: Annotated[Optional[str], typer.Option("--max-amount", help="As needed: most amount in any 24 hours, e.g. 1.5mg.", metavar="DOSE")] = None,
    min_interval: Annotated[Optional[str], typer.Option("--min-interval", help="As needed: least time between doses, e.g. 4h.")] = None,
    from_: Annotated[Optional[str], typer.Option("--from", help="First day of the new regimen (default today).")] = None,
    units_per_dose: Annotated[Optional[str], typer.Option("--units-per-dose", help="Supply: tablets (or ml…) one dose uses, e.g. 2.")] = None,
    strength: Annotated[Optional[str], typer.Option("--strength", help="Supply: one tablet's strength, e.g. 50mg.")] = None,
):
    """Change a dose or the times: a new regimen from a date; the previous one ends the day before and is kept."""
    from meddiary.usecases import run

    run("change", env(ctx), {"name": name, "reason": reason, "dose": dose, "at": at, "days": days, "every": every,
                             "cycle": cycle, "window": window, "as_needed_dose": as_needed_dose,
                             "max_per_day": max_per_day, "max_amount": max_amount, "min_interval": min_interval,
                             "from_": from_, "units_per_dose": units_per_dose, "strength": strength})


@app.command("taper")
def taper_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Medication name or alias.")],
    steps: Annotated[str, typer.Option("--steps", help="Doses in order, comma-separated; 0 ends it: 100mg,75mg,50mg,0. A step may set doses by time: 08:00=200mg+20:00=400mg (the other times keep theirs).")],
    every: Annotated[str, typer.Option("--every", help="How long each step lasts: 2w, 10d.")],
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (e.g. 'taper agreed with Dr Lee').")] = None,
    from_: Annotated[Optional[str], typer.Option("--from", help="First day of the first step (default today).")] = None,
):
    """Plan a taper (or a titration upwards): a series of dose changes at a fixed interval."""
    from meddiary.usecases import run

    run("taper", env(ctx), {"name": name, "steps": steps, "every": every, "reason": reason, "from_": from_})


@app.command("stop")
def stop_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Medication name or alias.")],
    on: Annotated[Optional[str], typer.Option("--on", help="The first day without it (default today).")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why.")] = None,
):
    """Stop a medication from a day on (its history is kept)."""
    from meddiary.usecases import run

    run("stop", env(ctx), {"name": name, "on": on, "reason": reason})


@app.command("pause")
def pause_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Medication name or alias.")],
    from_: Annotated[Optional[str], typer.Option("--from", help="The first day of the pause (default today).", metavar="DAY")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="The last day of the pause (it resumes the day after).", metavar="DAY")] = None,
    for_: Annotated[Optional[str], typer.Option("--for", help="How long the pause lasts instead of --until: 14d, 2w.")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (e.g. 'drug holiday agreed with Dr Lee').")] = None,
):
    """Pause a medication for a period (a planned break): its days are not scheduled; it resumes as it was."""
    from meddiary.usecases import run

    run("pause", env(ctx), {"name": name, "from_": from_, "until": until, "for_": for_, "reason": reason})


@app.command("resume")
def resume_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Medication name or alias.")],
    on: Annotated[Optional[str], typer.Option("--on", help="The first day back on it (default today).", metavar="DAY")] = None,
):
    """End a pause: the regimen in force before it applies again from a day."""
    from meddiary.usecases import run

    run("resume", env(ctx), {"name": name, "on": on})


# -- logging ----------------------------------------------------------------------------------------

hot_command(grammar.TAKE)
hot_command(grammar.SKIP)


@app.command("undo")
def undo_cmd(
    ctx: typer.Context,
    entry_id: Annotated[Optional[str], typer.Argument(help="An entry's id as 'meddiary log' shows it (default: the most recent entry).", show_default=False)] = None,
):
    """Retract the most recent entry (it is kept, marked as retracted), or the entry ID. Run it again to retract another."""
    from meddiary.usecases import run

    run("undo", env(ctx), {"entry_id": entry_id})


@app.command("retract")
def retract_cmd(
    ctx: typer.Context,
    entry_id: Annotated[str, typer.Argument(help="The entry's id as 'meddiary log' shows it: 12 for #12.", show_default=False)],
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why, kept with the retraction (log shows it).")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="Record a corrected copy at this time: 08:10, 'yesterday 21:00' (a take or skip fills the dose near it).")] = None,
    dose: Annotated[Optional[str], typer.Option("--dose", help="Record a corrected copy of a take with this dose, e.g. 25mg.", metavar="DOSE")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="Record a corrected copy with this note ('' for none).")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Record the corrected take even where the overuse guard would refuse it.")] = False,
):
    """Retract any entry by its id (it is kept, marked as retracted); --at, --dose or --note record a corrected copy with it."""
    from meddiary.usecases import run

    run("retract", env(ctx), {"entry_id": entry_id, "reason": reason, "at": at, "dose": dose, "note": note, "yes": yes})


def _questions(store, entries) -> dict | None:
    """question uid -> (id, text), for lines that name the question an answer closes (None: no answers)."""
    if not any(x.kind == "answer" for x in entries):
        return None
    return {q.uid: (q.id, q.data["text"]) for q in store.entries_of(("question",))}


@app.command("log")
def log_cmd(
    ctx: typer.Context,
    since: Annotated[Optional[str], typer.Option("--since", help="Period: 7d, 2w, 3mo, 1y or a date.")] = None,
    med: Annotated[Optional[str], typer.Option("--med", help="Only this medication.")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", help="At most N entries (default 20 without --since).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
):
    """The history, newest first; retracted entries are shown and marked."""
    from meddiary import diary, timeparse, views

    e = env(ctx)
    if limit is not None and not 1 <= limit <= 1_000_000:
        raise UsageError(f"bad --limit {limit}: use a whole number from 1 to 1000000")
    start = timeparse.day_start_utc(timeparse.parse_since(since, e.today), e.tz) if since is not None else None
    if start is None and limit is None:
        limit = 20
    store = e.store()
    meds = store.medications()
    med_id = diary.find(meds, med).id if med is not None else None
    rows = store.log(start, med_id, limit)
    names = {m.id: m.name for m in meds}
    from meddiary.usecases.take import filled_slots

    filled = filled_slots(store, [x for x, retracted, _ in rows if x.kind == "take" and not retracted],
                                  e.now, e.tz)
    if json_out:
        emit_json({"entries": [views.entry_json(x, names, e.tz, retracted, why, filled.get(x.id))
                               for x, retracted, why in rows]})
        return
    if not rows:
        out("no entries")
    questions = _questions(store, [x for x, _, _ in rows])
    for x, retracted, why in rows:
        out(views.entry_line(x, names, e.tz, retracted, questions, why, filled.get(x.id)))


hot_command(grammar.TODAY)


# -- the report -------------------------------------------------------------------------------------

hot_command(grammar.REPORT)


@app.command("demo")
def demo_cmd(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="terminal, markdown, html or json.")] = "terminal",
    since: Annotated[str, typer.Option("--since", help="The period of the printed report (default 30d).")] = "30d",
):
    """Write a realistic 90-day sample diary to a file of its own and print its report."""
    from pathlib import Path

    from meddiary import demo, reporting
    from meddiary.store import Store

    from meddiary import timeparse

    e = env(ctx)
    fmt = _format(fmt)
    tz = timeparse.zone(e.machine_tz_name)  # the demo's own diary has no home zone set
    today = e.now.astimezone(tz).date()
    period = reporting.period_from_options(since, None, None, "2h", today, tz)
    path = Path(e.db).expanduser() if e.db else demo.temporary_path()
    if path.exists():
        raise UsageError(f"{path} already exists: the demo writes a new diary of its own; give --db a new file name")
    store = Store(path)
    demo.write(store, e.now, tz)
    from meddiary.collector import paused as collector_paused

    with collector_paused():
        reporting.emit(reporting.load(store, period, None, e.now, tz), fmt, None, path)
    sys.stderr.write(f"demo diary: {path}\ntry: meddiary --db {path} today   ·   meddiary --db {path} report --since 90d\n")


# -- commands of further concerns, each in a module of its own ------------------------------------------

from meddiary import cli_data, cli_health, cli_reminders  # noqa: E402,F401 - they register on `app`


# -- the one exit point -----------------------------------------------------------------------------

def main(argv: list[str] | None = None, env: actions.Env | None = None) -> None:
    """Run the CLI; domain errors and usage errors become one line on stderr and a named exit code. `env`:
    what to run against (None: a new actions.Env for the --db given)."""
    from typer._click.exceptions import ClickException

    from meddiary.grammar import global_options_first

    begin_run()
    env = env if env is not None else actions.Env(None)
    args = sys.argv[1:] if argv is None else argv
    hoisted = global_options_first(args)  # `today --db FILE` too
    if hoisted is None:
        fail("--db is given twice: give the diary once, e.g. meddiary --db FILE today", ExitCode.USAGE)
    args = hoisted
    from meddiary import completion

    if completion.requested():  # the shell asks for completions: the whole app, with value completion
        command = click_command()
        completion.attach(command)
    else:
        command = click_command(_lean_app(args))
    from meddiary import screen

    paging = screen.wants_pager(_command_name(args), args)
    try:
        with screen.paged(paging):  # only at a terminal; in a pipe or cron the output is written as it is
            code = command.main(args=args, prog_name="meddiary", standalone_mode=False, obj=env)
            if sys.stdout is not None:
                sys.stdout.flush()  # here, so a reader gone away (`| head`) is a BrokenPipeError fail_for maps
    except ClickException as err:
        hint = ""
        ctx = getattr(err, "ctx", None)
        if ctx is not None:
            hint = f" (see '{ctx.command_path} --help')"
        fail(f"{err.format_message()}{hint}", ExitCode.USAGE if err.exit_code == 2 else err.exit_code)
    except typer.Abort:
        fail("aborted; nothing recorded", ExitCode.REFUSED)
    except BaseException as err:  # noqa: BLE001 - mapped in one place for both doors; others re-raise
        fail_for(err)
    finally:
        env.close()  # the front door closes the diary it opened
    sys.exit(code if isinstance(code, int) else ExitCode.OK)


def click_command(typer_app: typer.Typer | None = None):
    """The Click command tree that runs (and that the man page shows), with meddiary.helptext applied."""
    from meddiary import helptext

    command = typer.main.get_command(typer_app or app)
    helptext.finish(command)
    return command


def _command_name(args: list[str]) -> str | None:
    """The command being run ('today' when none is named); None for --help and --version at the root."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        if args[i] in ("-h", "--help", "--version"):
            return None
        i += 2 if args[i] == "--db" else 1
    return args[i] if i < len(args) else "today"


def _lean_app(args: list[str]) -> typer.Typer:
    """The app with only the command being run: building all of them costs more than the command's
    own work on the hot path (`take`, `today`). Help, unknown commands and errors use the whole app."""
    import copy

    name = _command_name(args)
    if name is None:
        return app
    chosen = [c for c in app.registered_commands if c.name == name]
    if not chosen:
        return app
    lean = copy.copy(app)
    lean.registered_commands = chosen
    return lean
