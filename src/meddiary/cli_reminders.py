"""Commands: reminders (due, cron), supply (refill, supply) and settings (config) — registered on meddiary.cli.app.

`meddiary due` normally never gets here: meddiary.entry runs it without Typer (see there). This command
is what --help, odd option spellings and bad values reach; it runs the same check (meddiary.usecases.due).
"""

import sys
from typing import Annotated, Optional

import typer

from meddiary import cli_app as cli, grammar, settings
from meddiary.cli_app import app, emit_json, env, hot_command, out, _text
from meddiary.settings import CRISIS_LINE_SETTING as CRISIS_LINE, HOME_TZ_SETTING
from meddiary.errors import Refused, UsageError

CRONTAB = ["crontab"]  # the crontab command (an Env may name another: Env(crontab=[...]))
SYSTEMCTL = ["systemctl"]  # the systemctl command (Env(systemctl=[...]))
CRON_MARK = "# meddiary due"
SETTINGS = {key: s.description for key, s in settings.REGISTRY.items()}


hot_command(grammar.DUE)


# -- cron -------------------------------------------------------------------------------------------------

def executable() -> str:
    """The absolute path of this meddiary (the console script that runs, else the one on PATH)."""
    import os
    import shutil

    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if argv0 and os.path.basename(argv0).startswith("meddiary") and os.path.isfile(argv0):
        return os.path.realpath(argv0) if not os.path.islink(argv0) else os.path.abspath(argv0)
    found = shutil.which("meddiary")
    if found:
        return os.path.abspath(found)
    script = os.path.join(os.path.dirname(sys.executable), "meddiary")
    return script if os.path.isfile(script) else f"{sys.executable} -m meddiary"


def cron_line(program: str, db: str, zone: str | None = None, passphrase_command: str | None = None,
              notify: bool = False) -> str:
    """Every 5 minutes, with the diary named, marked as ours (the mark finds it again). `zone`: the zone this
    shell has from MEDDIARY_TZ or TZ, which cron's bare environment lacks, set before the command;
    `passphrase_command`: an encrypted diary's MEDDIARY_PASSPHRASE_COMMAND (never a passphrase itself).
    A % is escaped (cron turns a bare % into a newline)."""
    import shlex

    prog = program if " -m " in program else shlex.quote(program)
    tz = f"MEDDIARY_TZ={shlex.quote(zone)} " if zone else ""
    key = f"MEDDIARY_PASSPHRASE_COMMAND={shlex.quote(passphrase_command)} " if passphrase_command else ""
    return (_cron_escape(f"*/5 * * * * {tz}{key}{prog} --db {shlex.quote(db)} due{' --notify' if notify else ''}")
            + f" {CRON_MARK}")


def unattended_passphrase(e) -> tuple[str | None, str | None]:
    """For a scheduled `due`: (the MEDDIARY_PASSPHRASE_COMMAND to give it, why it cannot run unattended).
    A plaintext diary needs neither; an encrypted one needs a command that prints the passphrase, because
    nobody is there to type it and a passphrase is never written into a crontab or a unit file."""
    import os

    from meddiary.store import looks_encrypted

    path = e.path()
    if not path.is_file() or not looks_encrypted(path):
        return None, None
    command = os.environ.get("MEDDIARY_PASSPHRASE_COMMAND", "").strip()
    if command:
        return command, None
    return None, (f"{path} is encrypted and the scheduled check cannot type its passphrase: set "
                  "MEDDIARY_PASSPHRASE_COMMAND to a command that prints it (e.g. 'pass show meddiary' or "
                  "'secret-tool lookup meddiary diary') and run this again; a passphrase itself is never written "
                  "into a crontab")


def _cron_escape(text: str) -> str:
    return text.replace("%", "\\%")


def is_ours(line: str, db: str) -> bool:
    """Our line for this diary: marked, and naming the diary (% escaped, or bare as an older line had it)."""
    import shlex

    named = f"--db {shlex.quote(db)} due"
    return line.rstrip().endswith(CRON_MARK) and (_cron_escape(named) in line or named in line)


def env_zone(e, read_diary: bool = True) -> str | None:
    """The zone `due` would use here but not under cron: MEDDIARY_TZ, or a valid TZ, when the diary keeps no
    home zone (a home zone is read from the diary, under cron too). None: cron's system zone is the same."""
    import os

    from meddiary import timeparse

    meddiary_tz = os.environ.get("MEDDIARY_TZ", "").strip()
    tz = timeparse._zone_key(os.environ.get("TZ", "").strip())
    if not meddiary_tz and not (tz and timeparse.known_zone(tz)):
        return None
    if read_diary and e.path().exists() and e.store().setting(HOME_TZ_SETTING):
        return None
    name = timeparse.local_zone_name()
    timeparse.zone(name)  # an unknown MEDDIARY_TZ: one line, exit 2
    return name


def _crontab(e, *args: str, stdin: str | None = None):
    import subprocess

    try:
        return subprocess.run([*(e.crontab or CRONTAB), *args], input=stdin, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        raise Refused(f"crontab {' '.join(args)} did not answer within 30 s; nothing changed") from None
    except FileNotFoundError:
        raise Refused("no crontab command here: add the line above to your scheduler by hand "
                         "(or install cron, e.g. apt-get install cron)") from None


def _said(r) -> str:
    """What a failing crontab said, on one line (else its exit status)."""
    return " ".join((r.stderr or r.stdout or "").split()) or f"exit status {r.returncode}"


def read_crontab(e) -> list[str]:
    r = _crontab(e, "-l")
    if r.returncode != 0:
        if "no crontab" in (r.stderr or "").lower():
            return []
        raise Refused(f"crontab -l failed: {_said(r)}; nothing changed")
    return r.stdout.splitlines()


def write_crontab(e, lines: list[str]) -> None:
    r = _crontab(e, "-", stdin="".join(line + "\n" for line in lines))
    if r.returncode != 0:
        raise Refused(f"crontab could not be written: {_said(r)}; nothing changed")


@app.command("cron")
def cron_cmd(
    ctx: typer.Context,
    install: Annotated[bool, typer.Option("--install", help="Add the line to your crontab (again: changes nothing).")] = False,
    uninstall: Annotated[bool, typer.Option("--uninstall", help="Remove this diary's line from your crontab (only that line).")] = False,
    notify: Annotated[bool, typer.Option("--notify", help="Have the check also send desktop notifications (due --notify).")] = False,
    systemd: Annotated[bool, typer.Option("--systemd", help="A systemd user timer instead of a crontab line (with --install, --uninstall).")] = False,
):
    """Print the crontab line that runs 'meddiary due' every 5 minutes for this diary (or install it); with
    --systemd, a systemd user timer instead. An encrypted diary needs MEDDIARY_PASSPHRASE_COMMAND."""
    e = env(ctx)
    if install and uninstall:
        raise UsageError("give --install or --uninstall, not both")
    db = str(e.path().expanduser().absolute())
    command, why_not = (None, None) if uninstall else unattended_passphrase(e)
    if why_not and install:
        raise Refused(f"not installed: {why_not}")
    if systemd:
        _systemd(e, db, install, uninstall, notify, command, why_not)
        return
    line = cron_line(executable(), db, env_zone(e, read_diary=not why_not), command, notify)  # no passphrase: no read
    if not install and not uninstall:
        out(line)
        if why_not:
            sys.stderr.write(f"note: {why_not}\n")
        return
    current = read_crontab(e)
    kept = [x for x in current if not is_ours(x, db)]
    if install:
        if line in current and len(kept) == len(current) - 1:
            out(f"already installed: {line}")
            return
        write_crontab(e, kept + [line])
        out(f"installed: {line}")
        return
    if len(kept) == len(current):
        out("nothing to remove: no meddiary line for this diary in your crontab")
        return
    write_crontab(e, kept)
    out(f"removed the meddiary line for {db} from your crontab")


# -- a systemd user timer, the alternative to cron ----------------------------------------------------------

def unit_name(db: str) -> str:
    """meddiary-due-<8 hex digits of the diary's path>: one timer per diary, found again by its path."""
    import hashlib

    return f"meddiary-due-{hashlib.sha256(db.encode()).hexdigest()[:8]}"


def unit_folder():
    import os
    from pathlib import Path

    base = os.environ.get("XDG_CONFIG_HOME", "").strip() or os.path.expanduser("~/.config")
    return Path(base) / "systemd" / "user"


def _systemd_quote(word: str) -> str:
    """A word for ExecStart= or Environment= (systemd's own quoting: double quotes, \\ and \" escaped)."""
    word = word.replace("%", "%%").replace("$", "$$")  # systemd's specifiers and variables, taken literally
    if word and all(c.isalnum() or c in "/._-=:+,@%$" for c in word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_units(program: str, db: str, zone: str | None, passphrase_command: str | None,
                  notify: bool) -> dict[str, str]:
    """The .service (one `due` check) and the .timer (every 5 minutes, also after a missed run) for a diary.
    The user manager gives the service the desktop's session bus, so --notify reaches the desktop."""
    name = unit_name(db)
    environment = "".join(f"Environment={_systemd_quote(f'{k}={v}')}\n" for k, v in
                          (("MEDDIARY_TZ", zone), ("MEDDIARY_PASSPHRASE_COMMAND", passphrase_command)) if v)
    exe, dash_m, module = program.partition(" -m ")  # the console script, or `python -m meddiary`
    words = [exe, *(["-m", module] if dash_m else []), "--db", db, "due", *(["--notify"] if notify else [])]
    return {
        f"{name}.service": (f"[Unit]\nDescription=meddiary reminder check for {db}\n\n[Service]\nType=oneshot\n"
                            f"{environment}ExecStart={' '.join(_systemd_quote(w) for w in words)}\n"),
        f"{name}.timer": (f"[Unit]\nDescription=meddiary reminder check every 5 minutes for {db}\n\n[Timer]\n"
                          "OnCalendar=*:0/5\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n"),
    }


def _systemctl(e, *args: str) -> None:
    import subprocess

    try:
        done = subprocess.run([*(e.systemctl or SYSTEMCTL), "--user", *args], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise Refused("no systemctl here: use the crontab line instead (meddiary cron --install)") from None
    except subprocess.TimeoutExpired:
        raise Refused(f"systemctl --user {' '.join(args)} did not answer within 60 s") from None
    if done.returncode != 0:
        raise Refused(f"systemctl --user {' '.join(args)} failed: {_said(done)}")


def _systemd(e, db: str, install: bool, uninstall: bool, notify: bool, command: str | None, why_not: str | None) -> None:
    units = systemd_units(executable(), db, env_zone(e, read_diary=not why_not), command, notify)
    folder = unit_folder()
    timer = unit_name(db) + ".timer"
    if not install and not uninstall:
        for name, text in units.items():
            out(f"# {folder / name}")
            out(text)
        if why_not:
            sys.stderr.write(f"note: {why_not}\n")
        return
    if uninstall:
        present = [folder / n for n in units if (folder / n).exists()]
        if not present:
            out(f"nothing to remove: no meddiary timer for this diary in {folder}")
            return
        _systemctl(e, "disable", "--now", timer)
        for path in present:
            path.unlink()
        _systemctl(e, "daemon-reload")
        out(f"removed the meddiary timer for {db} ({timer})")
        return
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        for name, text in units.items():
            path = folder / name
            if not path.exists() or path.read_text() != text:
                path.write_text(text)
                written.append(path)
        _systemctl(e, "daemon-reload")
        _systemctl(e, "enable", "--now", timer)
    except BaseException:
        for path in written:  # nothing half installed
            path.unlink()
        raise
    out(f"installed: {timer} runs 'meddiary due' every 5 minutes ({folder})")


# -- refills and supply ----------------------------------------------------------------------------------

MAX_QTY = 100_000


MAX_LABEL_DAYS = 3660  # a label's days' supply: at most ten years


def _number(text: str, option: str, *, whole: bool, minimum: float, example: str, above_zero: bool = False,
            maximum: float = MAX_QTY, what: str = "") -> float:
    t = text.strip()
    ok = t.isascii() and t.replace(".", "", 1).isdigit() and not t.startswith(".") and not t.endswith(".")
    value = float(t) if ok else None
    if value is None or value < minimum or value > maximum or (whole and value != int(value)) or (above_zero and value <= 0):
        kind = "a whole number" if whole else "a number"
        span = f"above 0 and at most {maximum}" if above_zero else f"from {int(minimum)} to {maximum}"
        raise UsageError(f"bad {option} {text!r}: use {what}{kind} {span}, e.g. {example}")
    return int(value) if whole else value


def _med(store, name: str):
    from meddiary import diary

    return diary.find(store.medications(), name)


@app.command("refill")
def refill_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Medication name or alias.")],
    qty: Annotated[str, typer.Option("--qty", help="Units dispensed (tablets, capsules, ml…), e.g. 30.")],
    at: Annotated[Optional[str], typer.Option("--at", help="When: 'yesterday 16:00', '2026-11-20 10:00', '2h ago' (default now).")] = None,
    repeats_left: Annotated[Optional[str], typer.Option("--repeats-left", help="Repeats (refills) left on the prescription, e.g. 2.")] = None,
    days: Annotated[Optional[str], typer.Option("--days", help="Days' supply as written on the pharmacy label, e.g. 30 (default: worked out from the doses recorded, planned steps included).")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A note kept with the entry.")] = None,
):
    """Record a refill: what the pharmacy dispensed (and the repeats left on the prescription, and its days' supply)."""
    from meddiary import timeparse

    e = env(ctx)
    amount = _number(qty, "--qty", whole=False, minimum=0, example="30 or 2.5", above_zero=True)
    repeats = _number(repeats_left, "--repeats-left", whole=True, minimum=0, example="2") if repeats_left is not None else None
    label = _number(days, "--days", whole=True, minimum=1, maximum=MAX_LABEL_DAYS, example="30",
                    what="the days' supply on the pharmacy label, ") if days is not None else None
    if note is not None and not note.strip():
        raise UsageError("the note is empty: give --note TEXT or leave it out")
    when = timeparse.parse_when(at, e.now, e.here) if at is not None else e.now
    store = e.store()
    med = _med(store, name)
    from meddiary.diary import when_phrase
    from meddiary.supply import amount_text, refill_days

    # Fixed now, as dispensed: PDC counts this figure, not one re-worked from later dose changes.
    supply_days = label
    if label is None:
        earlier = store.entries_of(("refill",), end=when, medication_ids=[med.id])  # dated before it
        supply_days = refill_days(med, earlier, when.astimezone(e.tz).date(), amount, e.tz)
    (entry_id,) = store.add_entries([{"kind": "refill", "medication_id": med.id, "at": when, "tz": e.tz_name,
                                      "note": _text(note), "data": {"qty": amount, "repeats_left": repeats,
                                                                    "days_supply": supply_days}}], e.now)
    left = f", {repeats} repeat{'s' if repeats != 1 else ''} left" if repeats is not None else ""
    lasts = ""
    if supply_days is not None:
        lasts = (f", {supply_days} day's supply" if supply_days == 1 else f", {supply_days} days' supply") + \
            ("" if label is not None else " at the doses recorded")
    out(f"#{entry_id} refilled {med.name}: {amount_text(amount)} {when_phrase(when, e.now, e.tz)}{left}{lasts}")


@app.command("supply")
def supply_cmd(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Argument(help="With --count: the medication counted.")] = None,
    count: Annotated[Optional[str], typer.Option("--count", help="Record a count of what is on hand, e.g. 12 (with NAME).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
):
    """List what is on hand, days left and run-out dates; with NAME --count N, record a count."""
    e = env(ctx)
    if name is not None or count is not None:
        if name is None or count is None:
            raise UsageError("a count needs both: meddiary supply NAME --count 12")
        n = _number(count, "--count", whole=False, minimum=0, example="12 or 12.5")
        store = e.store()
        med = _med(store, name)
        (entry_id,) = store.add_entries([{"kind": "count", "medication_id": med.id, "at": e.now, "tz": e.tz_name,
                                          "data": {"count": n}}], e.now)
        from meddiary.supply import amount_text

        out(f"#{entry_id} counted {med.name}: {amount_text(n)} on hand")
        return
    from meddiary import loaders, supply

    store = e.store()
    meds = store.medications()
    statuses, _ = loaders.load_supplies(store, meds, e.now, e.tz)
    items = [statuses[m.id] for m in meds if m.id in statuses]
    if json_out:
        emit_json({"date": e.today.isoformat(), "timezone": e.tz_name,
                   "supply": [supply.supply_json(s, e.tz) for s in items]})
        return
    if not items:
        out("no supply recorded: record one with 'meddiary refill NAME --qty 30' or 'meddiary supply NAME --count 12'")
        return
    rows = []
    for s in items:
        days = f"{int(s.days_left)} days left" if s.days_left is not None else "days left unknown"
        run_out = f"runs out {s.run_out.isoformat()}" if s.run_out else ""
        repeats = (f"{s.repeats_left} repeat{'s' if s.repeats_left != 1 else ''} left"
                   if s.repeats_left is not None else "")
        if s.on_hand is None:
            days = "on hand unknown: give the dose's units (change NAME --units-per-dose N or --strength 50mg)"
        seen = [f"refilled {s.last_refill.isoformat()}"] if s.last_refill else []
        seen += [f"counted {s.last_count.isoformat()}"] if s.last_count else []
        rows.append([s.name, f"{supply.amount_text(s.on_hand)} on hand" if s.on_hand is not None else "",
                     days, run_out, repeats, f"({', '.join(seen)})"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        cells = [c.ljust(w) for c, w in zip(r, widths) if w]
        out("  ".join(cells).rstrip())


# -- settings ------------------------------------------------------------------------------------------

@app.command("config")
def config_cmd(
    ctx: typer.Context,
    key: Annotated[Optional[str], typer.Argument(help="The setting: timezone or crisis_line.")] = None,
    value: Annotated[Optional[str], typer.Argument(help="Its new value, e.g. Europe/Berlin or 'Samaritans 116 123'.")] = None,
    unset: Annotated[bool, typer.Option("--unset", help="Go back to the default (timezone: the machine's zone; crisis_line: the national line of the home zone's country).")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the settings as JSON.")] = False,
):
    """Settings kept in the diary. 'config timezone Europe/Berlin' keeps dose times in a home zone while
    travelling; 'config timezone --unset' follows the machine's zone again; 'config crisis_line "Samaritans
    116 123"' sets the crisis line; 'config' lists them."""
    e = env(ctx)
    if json_out and (unset or value is not None):
        raise UsageError("--json lists the settings: meddiary config --json (or config timezone --json)")
    if key is None:
        if unset or value is not None:
            raise UsageError("name the setting: meddiary config timezone Europe/Berlin (or --unset)")
        settings = e.store().settings() if e.path().exists() else {}
        home = settings.get(HOME_TZ_SETTING)
        if json_out:
            emit_json(_settings_json(settings, e.machine_tz_name))
            return
        out(f"timezone = {home} (home zone; the machine's is {e.machine_tz_name})" if home
            else f"timezone not set: the machine's zone is used ({e.machine_tz_name})")
        out(_crisis_line_text(settings.get(CRISIS_LINE), home or e.machine_tz_name))
        for k, v in sorted(settings.items()):
            if k not in (HOME_TZ_SETTING, CRISIS_LINE):
                out(f"{k} = {v}")
        return
    k = key.strip().lower().replace("-", "_")
    if k not in SETTINGS:
        raise UsageError(f"unknown setting {key!r}: use {', '.join(SETTINGS)}")
    if unset and value is not None:
        raise UsageError("give a value or --unset, not both")
    if k == CRISIS_LINE:
        _config_crisis_line(e, value, unset)
        return
    name = _zone_name(value) if value is not None else None  # checked before the diary is opened
    store = e.store() if (value is not None or unset) else (e.store() if e.path().exists() else None)
    if value is None and not unset:
        home = store.setting(HOME_TZ_SETTING) if store else None
        if json_out:
            emit_json(_settings_json({HOME_TZ_SETTING: home} if home else {}, e.machine_tz_name))
            return
        out(f"timezone = {home} (home zone; the machine's is {e.machine_tz_name})" if home
            else f"timezone not set: the machine's zone is used ({e.machine_tz_name})")
        return
    if unset:
        store.set_setting(HOME_TZ_SETTING, None, e.now, e.machine_tz_name)
        out(f"timezone unset: dose times follow the machine's zone ({e.machine_tz_name})")
        return
    store.set_setting(HOME_TZ_SETTING, name, e.now, e.machine_tz_name)
    out(f"timezone = {name}: dose times are kept in {name}" +
        (f" (the machine is in {e.machine_tz_name})" if name != e.machine_tz_name else ""))




def _crisis_line_text(line: Optional[str], zone: str) -> str:
    from meddiary import crisis

    if line:
        return f"crisis_line = {line}"
    default = crisis.default_line(zone)
    if default:
        return f"crisis_line not set: the national line for {zone} is used ({default})"
    return (f"crisis_line not set: no national line is known for {zone}; the PHQ-9 item-9 message names local "
            "emergency services and a local crisis line in general words (set yours: meddiary config crisis_line "
            "\"NAME NUMBER\")")


def _config_crisis_line(e, value: Optional[str], unset: bool) -> None:
    if value is not None:
        line = " ".join(value.split())
        if not line or len(line) > 200:
            raise UsageError("bad crisis_line: give the number and its name (1-200 characters), "
                             "e.g. meddiary config crisis_line 'Samaritans 116 123'")
        from meddiary.errors import check_text

        line = check_text(line, "crisis_line")
        e.store().set_setting(CRISIS_LINE, line, e.now, e.tz_name)
        out(f"crisis_line = {line}")
        return
    store = e.store() if (unset or e.path().exists()) else None
    if unset:
        store.set_setting(CRISIS_LINE, None, e.now, e.tz_name)
        out(_crisis_line_text(None, e.tz_name).replace("crisis_line not set", "crisis_line unset", 1))
        return
    out(_crisis_line_text(store.setting(CRISIS_LINE) if store else None, e.tz_name if store else e.machine_tz_name))


def _settings_json(settings: dict, machine_zone: str) -> dict:
    """{"settings": {key: value}, "timezone": the zone in use, "machine_timezone": …}."""
    home = settings.get(HOME_TZ_SETTING)
    return {"settings": dict(sorted(settings.items())), "timezone": home or machine_zone,
            "home_timezone": home, "machine_timezone": machine_zone}


def _zone_name(value: str) -> str:
    """An IANA zone name, checked against the zone database (case as the database spells it)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

    t = value.strip()
    bad = UsageError(f"unknown time zone {value!r}: use an IANA name such as Europe/Berlin, America/New_York or UTC")
    if not t or t.startswith(("/", ".")) or ".." in t or any(c.isspace() for c in t):
        raise bad
    try:
        ZoneInfo(t)
        return t
    except (ZoneInfoNotFoundError, ValueError):
        pass
    names = {n.lower(): n for n in available_timezones()}
    if t.lower() in names:
        return names[t.lower()]
    raise bad
