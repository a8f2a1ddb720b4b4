"""What every command runs against, without Typer: the environment (diary, clock, zones, terminal), the
output lines and JSON, typed text, and the overuse guard's last word. The use cases (meddiary.usecases) and
both doors (the Typer commands of meddiary.cli, the fast path of meddiary.entry) share it.
"""

import sys

from meddiary.errors import LINE_MAX, TEXT_MAX, Refused, UsageError, check_text, not_written, visible


from meddiary.settings import HOME_TZ_SETTING


class Env:
    """What a command runs against: the diary path, the clock, the zone, the terminal, the passphrase and the
    crontab. Both doors make one per run; tests pass their own instead of patching meddiary's modules:

        Env(db, now=..., zone="America/New_York", interactive=True, stdin=io.StringIO("y\\n"),
            passphrase=lambda path: "secret", crontab=["/path/to/fake-crontab"])

    `interactive`: whether a person answers at a terminal (None: stdin is a terminal); `stdin`: where the
    answers are read (None: sys.stdin); `passphrase(path)`: an encrypted diary's (None: asked at the terminal);
    `crontab`, `systemctl`: the commands `meddiary cron` runs (None: the system's)."""

    def __init__(self, db: str | None = None, *, now=None, zone: str | None = None, interactive: bool | None = None,
                 stdin=None, passphrase=None, crontab: list[str] | None = None, systemctl: list[str] | None = None):
        from datetime import UTC, datetime

        self.db = db
        self.now = now if now is not None else datetime.now(UTC)
        self.zone_name = zone
        self._interactive = interactive
        self._stdin = stdin
        self.passphrase = passphrase
        self.crontab = crontab
        self.systemctl = systemctl
        self._store = None
        self._tz_name: str | None = None
        self._tz = None
        self._here = None
        self._home: str | None = None

    @property
    def machine_tz_name(self) -> str:
        """The zone this machine is in (given, else MEDDIARY_TZ, TZ or /etc/localtime)."""
        from meddiary import timeparse

        return self.zone_name or timeparse.local_zone_name()

    @property
    def stdin(self):
        return self._stdin if self._stdin is not None else sys.stdin

    @property
    def interactive(self) -> bool:
        """A person answers at a terminal (the guard asks; a questionnaire asks item by item)."""
        return self._interactive if self._interactive is not None else is_interactive()

    def ask(self, prompt: str) -> str:
        """A line typed in answer to `prompt` (on stderr); EOFError at the end of input."""
        sys.stderr.write(prompt)
        sys.stderr.flush()
        line = self.stdin.readline() if self.stdin is not None else ""
        if not line:
            raise EOFError
        return line.rstrip("\n")

    def confirm(self, question: str) -> bool:
        prompt = f"{visible(question)} [y/N] "
        if sys.stderr.isatty():
            from meddiary import screen

            prompt = screen.fit_prompt(prompt, sys.stderr)
        try:
            return self.ask(prompt).strip().lower() in ("y", "yes")
        except EOFError:
            return False

    def close(self) -> None:
        """Close the diary, if this run opened it (the front doors call this when the command ends)."""
        store, self._store = self._store, None
        if store is not None:
            store.close()

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
    def home(self) -> str | None:
        """The home zone set in the diary (`meddiary config timezone`), or None."""
        self.tz_name
        return self._home

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
            self._store = Store(path, passphrase_source=self.passphrase)
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
    except OSError as err:  # here, not later: Typer would turn it into exit 1
        not_written(err)


def emit_json(obj) -> None:
    """JSON on stdout: anyone's text made visible (as `out`), never wrapped at a terminal."""
    import json

    if sys.stdout is None:
        return
    try:
        sys.stdout.write(visible(json.dumps(obj, indent=2, ensure_ascii=False)) + "\n")
    except OSError as err:
        not_written(err)


class Result:
    """What a use case returns: its lines for a person, and how to make its JSON object from the same data
    (made only when asked: `--json`); `show` prints one of them (the one formatter both doors use).
    `unencodable`: how a character stdout cannot encode is written (None: as the run set it, a backslash
    escape; "replace": a '?', as `due`'s reminders are mailed by cron under a Latin-1 locale); `exit_code`:
    the command's exit status once it is printed. A use case that makes a document (a report, an export)
    returns how to write it instead of lines: `deliver`, which `show` calls."""

    __slots__ = ("lines", "make_data", "unencodable", "exit_code", "deliver")

    def __init__(self, lines: list[str], make_data, unencodable: str | None = None, exit_code: int = 0,
                 deliver=None):
        self.lines, self.make_data, self.unencodable = lines, make_data, unencodable
        self.exit_code = exit_code  # 1: what it found is wrong (`check`), once it is printed
        self.deliver = deliver  # a document's writer (a report, an export): to the screen or its file

    @property
    def data(self) -> dict:
        return self.make_data()


def show(result: Result, json_out: bool = False) -> None:
    """Print a use case's result: its lines (`out`), or with `json_out` its JSON (`emit_json`), or the
    document it made (`deliver`)."""
    if result.deliver is not None:
        result.deliver()
        return
    if result.unencodable is not None:
        encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(errors=result.unencodable)
    if json_out:
        emit_json(result.data)
        return
    for line in result.lines:
        out(line)


def recorded(e: "Env", lines: list[str], entry_ids: list[int], slots: dict | None = None) -> Result:
    """The result of a command that recorded entries: its confirmation lines, and as JSON the entries
    recorded, each as `log --json` shows it (`{"recorded": [...]}`), read back only for `--json`."""

    def data() -> dict:
        from meddiary import views

        store = e.store()
        names = {m.id: m.name for m in store.medications()} if entry_ids else {}
        entries = [store.entry(i)[0] for i in entry_ids]
        return {"recorded": [views.entry_json(x, names, e.tz, slot=(slots or {}).get(x.id)) for x in entries]}

    return Result(lines, data)


def text(value: str | None, what: str = "--note", limit: int = TEXT_MAX, one_line: bool = False) -> str | None:
    """Optional text as typed, checked (errors.check_text: no control characters, at most `limit`);
    empty is None."""
    return check_text(value, what, limit, one_line) if value and value.strip() else None


def optional_reason(value: str | None) -> str | None:
    """An optional --reason (retract, stop, pause): given, it must say something; checked as one line."""
    if value is not None and not value.strip():
        raise UsageError("the reason is empty: give --reason TEXT or leave it out")
    return text(value, "--reason", LINE_MAX, one_line=True)


def is_interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()  # stdin closed (`<&-`): not a terminal


def _guard(e: Env, problems: list[str], yes: bool) -> None:
    """The overuse guard's last word: --yes records; a person at a terminal is asked; anything else refuses."""
    if not problems or yes:
        return
    if e.interactive:
        for problem in problems:
            if not e.confirm(f"{problem}. Record it anyway?"):
                raise Refused("nothing recorded")
        return
    if len(problems) > 1:
        for problem in problems[:-1]:
            sys.stderr.write(f"meddiary: {visible(problem)}\n")
    raise Refused(f"{problems[-1]} — nothing recorded; --yes records it anyway")
