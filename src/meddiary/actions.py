"""The hot commands' work — today's checklist and `take` — and what they run against, without Typer.

`meddiary`, `meddiary today` and `meddiary take NAME…` run many times a day; importing Typer alone costs
more than three times the start of Python itself. So `meddiary.entry` sends those plain invocations here
directly, and the Typer commands in `meddiary.cli` call the same functions: one implementation, two doors.
Anything with options other than `today --json` goes through Typer, so help and errors are Typer's own.
"""

import sys

from meddiary.errors import TEXT_MAX, Refused, UsageError, check_text, reader_gone, visible


HOME_TZ_SETTING = "timezone"


class Env:
    """What a command runs against: the diary path, the clock, the zone, the terminal."""

    def __init__(self, db: str | None):
        from datetime import UTC, datetime

        self.db = db
        self.now = datetime.now(UTC)
        self._store = None
        self._tz_name: str | None = None
        self._tz = None
        self._here = None
        self._home: str | None = None

    @property
    def machine_tz_name(self) -> str:
        """The zone this machine is in (MEDDIARY_TZ, TZ or /etc/localtime)."""
        from meddiary import timeparse

        return timeparse.local_zone_name()

    @property
    def tz_name(self) -> str:
        """The zone dose times are kept in: the home zone set with `meddiary config timezone`, else the
        machine's. Reading the setting opens the diary, as every command that needs a zone does anyway."""
        if self._tz_name is None:
            home = None
            if self._store is not None or self.path().exists():  # no diary yet: no setting, and none made here
                home = self.store().setting(HOME_TZ_SETTING)
            self._home = home
            self._tz_name = home or self.machine_tz_name
        return self._tz_name

    @property
    def here(self):
        """The zone the person is in now (the machine's): what a typed time such as `--at 09:00` means."""
        from meddiary import timeparse

        if self._here is None:
            self._here = timeparse.zone(self.machine_tz_name)
        return self._here

    @property
    def tz(self):
        """What local days and dose times are judged in: the home zone when one is set; else each day in the
        zone its entries were recorded in (meddiary.travel), which is the machine's zone unless the person
        recorded somewhere else."""
        from meddiary import timeparse, travel

        if self._tz is None:
            if self.tz_name and self._home:
                self._tz = timeparse.zone(self.tz_name, "the diary's timezone setting (meddiary config timezone)")
            else:
                store = self._store if self._store is not None or not self.path().exists() else self.store()
                self._tz = travel.for_diary(store, self.here, self.now)
        return self._tz

    def tz_recording(self, at):
        """The zone days are judged in once an entry at `at` is recorded here (it may be the first entry of
        its day, which then is judged where the person is now)."""
        from meddiary import travel

        if self._home or not isinstance(self.tz, travel.DayZones):
            return self.tz
        return travel.for_diary(self.store(), self.here, self.now, at)

    @property
    def today(self):
        return self.now.astimezone(self.tz).date()

    def path(self):
        from meddiary.store import resolve_path

        return resolve_path(self.db)

    def store(self):
        if self._store is None:
            from meddiary import errors
            from meddiary.store import Store

            path = self.path()
            new_folder, new_file = not path.parent.exists(), not path.exists()
            self._store = Store(path)
            if new_file:  # made by this run: a run that ends in bad input or a refusal leaves no trace
                errors.on_failure(lambda: self._discard_new_diary(path, new_folder))
        return self._store

    def _discard_new_diary(self, path, new_folder: bool) -> None:
        """Remove the diary this run created, if nothing was recorded in it ("bad input writes nothing")."""
        import contextlib
        import os

        store, self._store = self._store, None
        if store is None or store.has_records():
            return
        store.close()
        for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
        if new_folder:
            with contextlib.suppress(OSError):
                path.parent.rmdir()


def out(line: str = "") -> None:
    """A line on stdout, with anyone's text in it made visible (a name or note can move no cursor); at a
    terminal, wrapped at word boundaries to its width (meddiary.screen). With stdout closed (`>&-`) there is
    no one to tell, and what was recorded stays recorded: nothing is written."""
    stream = sys.stdout
    if stream is None:
        return
    line = visible(line)
    try:
        if stream.isatty():
            from meddiary import screen

            line = screen.fit(line, screen.columns(stream))
        stream.write(line + "\n")
    except BrokenPipeError:  # here, not later: Typer would turn it into exit 1
        reader_gone()


def emit_json(obj) -> None:
    """JSON on stdout: anyone's text made visible (as `out`), never wrapped at a terminal."""
    import json

    if sys.stdout is None:
        return
    try:
        sys.stdout.write(visible(json.dumps(obj, indent=2, ensure_ascii=False)) + "\n")
    except BrokenPipeError:
        reader_gone()


def text(value: str | None, what: str = "--note", limit: int = TEXT_MAX, one_line: bool = False) -> str | None:
    """Optional text as typed, checked (errors.check_text: no control characters, at most `limit`);
    empty is None."""
    return check_text(value, what, limit, one_line) if value and value.strip() else None


def is_interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()  # stdin closed (`<&-`): not a terminal


def confirm(question: str) -> bool:
    prompt = f"{visible(question)} [y/N] "
    if sys.stderr.isatty():
        from meddiary import screen

        prompt = screen.fit_prompt(prompt, sys.stderr)
    sys.stderr.write(prompt)
    sys.stderr.flush()
    try:
        return input().strip().lower() in ("y", "yes")
    except EOFError:
        return False


def today(e: Env, json_out: bool) -> None:
    """Today's checklist: each dose with its state, and as-needed use in the last 24 hours."""
    from meddiary import diary, views

    store = e.store()
    meds = store.medications()
    reach = diary.reach(meds)
    entries = store.entries_between(e.now - reach, e.now + reach)
    items = diary.checklist(meds, entries, e.now, e.tz)
    if json_out:
        emit_json(views.checklist_json(items, e.now, e.tz, e.tz_name))
        return
    for line in views.checklist_lines(items, meds, e.now, e.tz):
        out(line)


def take(e: Env, names: list[str], at: str | None, dose: str | None, note: str | None, yes: bool,
         as_needed: bool = False, for_slot: str | None = None) -> None:
    """Record doses taken (none named: everything due now), behind the overuse guard."""
    from meddiary import diary, timeparse
    from meddiary.doses import parse_dose

    when = timeparse.parse_when(at, e.now, e.here) if at is not None else e.now
    amount = parse_dose(dose) if dose is not None else None
    if not names and (at is not None or as_needed or for_slot is not None or dose is not None):
        raise UsageError("--at, --dose, --as-needed and --for need a medication name: meddiary take NAME --at WHEN")
    if for_slot is not None and not for_slot.strip():
        raise UsageError("bad --for '': give the dose's time, e.g. --for 08:00 or --for 'yesterday 20:00'")
    store = e.store()
    tz = e.tz_recording(when)  # the day of a dose recorded where the person is now, judged there
    meds = store.medications()
    names = [n for arg in names for n in arg.split(",")]  # `take a,b` as `take a b` (names have no commas)
    chosen = list({m.id: m for m in (diary.find(meds, n) for n in names)}.values()) if names else []
    named = {m.id: diary.parse_for(m, for_slot, when, e.now, tz) for m in chosen} if for_slot is not None else {}
    reach = diary.reach(chosen or meds)

    def plan():
        if not chosen:
            return diary.due_now(meds, store.entries_between(e.now - reach, e.now + reach), e.now, tz)
        entries = store.entries_between(when - reach, when + reach, [m.id for m in chosen])
        return [diary.plan_take(m, when, [x for x in entries if x.medication_id == m.id], e.now, tz, amount,
                                as_needed, named.get(m.id)) for m in chosen]

    problems = [p.problem for p in plan() if p.problem]
    _guard(problems, yes)
    with store.transaction():
        # Checked again under the write lock, so a dose another process recorded meanwhile counts.
        plans = plan()
        fresh = [p.problem for p in plans if p.problem and p.problem not in problems]
        if fresh and not yes:
            raise Refused(f"{fresh[0]} (recorded meanwhile) — nothing recorded; --yes records it anyway")
        rows = [take_row(p, e.tz_name, text(note)) for p in plans]
        ids = store.add_entries(rows, e.now)
    if not plans:
        out("nothing is due now")
        return
    for p, row, entry_id in zip(plans, rows, ids):
        out(take_line(e, p, row, entry_id, tz))


def take_row(p, tz_name: str, note: str | None) -> dict:
    """The entry a take plan (diary.TakePlan) records: `take`, and a corrected take (`retract ID --at …`)."""
    data = {"as_needed": True} if p.as_needed and not p.medication.as_needed else {}
    if p.for_slot:
        data["for"] = p.for_slot
    return {"kind": "take", "medication_id": p.medication.id, "at": p.at, "tz": tz_name,
            "dose_amount": p.dose[0], "dose_unit": p.dose[1], "note": note,
            "forced": bool(p.problem), "data": data or None}


def take_line(e: Env, p, row: dict, entry_id: int, tz=None) -> str:
    """'#12 took sertraline 25 mg today at 08:03 (08:00 dose; prescribed 50 mg)': what a recorded take filled.
    `tz`: what its day was judged in (default the diary's; Env.tz_recording for a new take)."""
    from meddiary import diary
    from meddiary.doses import format_dose

    tz = tz or e.tz
    today = e.now.astimezone(tz).date()
    if p.as_needed:
        what = "as needed, over the guard" if p.problem else "as needed"
    elif p.slot is None:
        what = "extra dose"
    else:
        what = f"{p.slot.clock.strftime('%H:%M')} dose"
        if p.slot.day != p.at.astimezone(tz).date():
            what += f" of {diary.day_phrase(p.slot.day, today)}"
        if p.slot.window is not None:
            what += diary.injection_timing(p.at, p.slot, tz)
        if prescribed := diary.prescribed_text(row["dose_amount"], row["dose_unit"], p.slot):
            what += f"; {prescribed}"
        if p.problem:
            what += ", over the guard"
    extra = f", instead of the skip recorded {diary.when_phrase(p.replaces_skip.at, e.now, tz)}" if p.replaces_skip else ""
    return (f"#{entry_id} took {p.medication.name} {format_dose(row['dose_amount'], row['dose_unit'])} "
            f"{diary.when_phrase_here(p.at, e.now, tz, e.here)} ({what}{extra})")


def filled_slots(store, takes: list, now, tz) -> dict:
    """Entry id -> the slot each of these takes fills, matched as `today` and the report match them (the
    medications' entries loaded around the takes' days): `log` shows a dose other than the prescribed one."""
    from datetime import timedelta

    from meddiary import diary

    meds = {m.id: m for m in store.medications()}
    filled = {}
    for med_id in {x.medication_id for x in takes}:
        med = meds.get(med_id)
        if med is None or med.as_needed:
            continue
        mine = [x for x in takes if x.medication_id == med_id]
        first, last = min(x.at for x in mine), max(x.at for x in mine)
        days = diary.reach([med])
        entries = store.entries_between(first - 2 * days, last + 2 * days, [med_id])
        filled.update(diary.filled_slots(med, entries, (first - days).astimezone(tz).date(),
                                         (last + days).astimezone(tz).date(), now, tz))
    return filled


def _guard(problems: list[str], yes: bool) -> None:
    """The overuse guard's last word: --yes records; a terminal asks; anything else refuses.
    (Looked up on this module at call time, so tests can stand in for the terminal.)"""
    if not problems or yes:
        return
    this = sys.modules[__name__]
    if this.is_interactive():
        for problem in problems:
            if not this.confirm(f"{problem}. Record it anyway?"):
                raise Refused("nothing recorded")
        return
    if len(problems) > 1:
        for problem in problems[:-1]:
            sys.stderr.write(f"meddiary: {visible(problem)}\n")
    raise Refused(f"{problems[-1]} — nothing recorded; --yes records it anyway")
