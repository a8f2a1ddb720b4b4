"""The hot commands' words, declared once: `take`, `skip`, `mood`, `today`, `due`, `report`, `export`,
`import` and `check`.

They run many times a day (cron runs `due` every few minutes), and importing Typer alone costs more than
three times the start of Python itself. So their parameters are declared here as plain data: meddiary.cli
builds the documented Typer commands from these declarations, and the entry module parses the same
declarations without Typer (`parse`). Any form `parse` is not sure of (help, an unknown or repeated option,
a missing value) goes to Typer, so errors and help are Typer's own; every other form takes the fast path.
There is no second grammar to keep in step by hand.
"""


class Param:
    """One parameter: `kind` is "value" (an option with one value), "flag", "argument" (one positional,
    optional unless `required`) or "arguments" (any number of positionals). Values stay text: the use case
    checks them (one rule for both doors)."""

    __slots__ = ("dest", "flags", "kind", "help", "metavar", "default", "required")

    def __init__(self, dest: str, *flags: str, kind: str = "value", help: str = "", metavar: str | None = None,
                 default: str | bool | None = None, required: bool = False):
        self.dest, self.flags, self.kind, self.help = dest, flags, kind, help
        self.metavar, self.required = metavar, required
        self.default = False if kind == "flag" else default


class Spec:
    """A command: its name, its one-paragraph help and its parameters, in the order --help lists them."""

    __slots__ = ("name", "help", "params")

    def __init__(self, name: str, help: str, params: list[Param]):
        self.name, self.help, self.params = name, help, params


NOTE_HELP = "A note kept with the entry."
RATING_HELP = "0-3: none, mild, moderate, severe (the day's most extreme level)."
RECORDED_JSON_HELP = "Print what was recorded as JSON (the entries, as 'log --json' shows them)."

TAKE = Spec("take", "Record doses taken. Refuses double doses, as-needed overuse and extra doses unless confirmed.", [
    Param("names", kind="arguments", help="Medications taken; none: everything due now.", metavar="NAME"),
    Param("at", "--at", help="When: 08:10, 'yesterday 21:00', '2026-11-20 08:00', '2h ago' (default now)."),
    Param("dose", "--dose", help="The dose actually taken, if not the prescribed one (a dose twice the "
                                 "prescribed or more needs --yes).", metavar="DOSE"),
    Param("note", "--note", help=NOTE_HELP),
    Param("yes", "--yes", "-y", kind="flag", help="Record even what the overuse guard would refuse."),
    Param("as_needed", "--as-needed", kind="flag",
          help="The as-needed part of a scheduled medication (it fills no scheduled dose)."),
    Param("for_slot", "--for", help="Which scheduled dose this is: 08:00 (that day's), or 'yesterday 20:00'.",
          metavar="WHEN"),
    Param("json_out", "--json", kind="flag", help=RECORDED_JSON_HELP),
])

SKIP = Spec("skip", "Record a scheduled dose deliberately not taken, with the reason.", [
    Param("name", kind="argument", required=True, help="Medication name or alias.", metavar="NAME"),
    Param("reason", "--reason", help="forgot, side-effects, ran-out, prescriber-advised, felt-unwell, or your own words."),
    Param("at", "--at", help="Which dose, by its time: 08:10, 'yesterday 21:00', '2h ago' (default now)."),
    Param("note", "--note", help=NOTE_HELP),
    Param("for_slot", "--for", help="Which scheduled dose this is: 08:00 (that day's), or 'yesterday 20:00'.",
          metavar="WHEN"),
    Param("json_out", "--json", kind="flag", help=RECORDED_JSON_HELP),
])

MOOD = Spec("mood", "Record mood (1-10), the four mood-chart ratings (0-3) and sleep. Several entries a day are fine.", [
    Param("score", kind="argument", help="Overall mood from 1 (worst) to 10 (best).", metavar="SCORE"),
    Param("depressed", "--depressed", help=RATING_HELP),
    Param("elevated", "--elevated", help=RATING_HELP),
    Param("anxiety", "--anxiety", help=RATING_HELP),
    Param("irritability", "--irritability", help=RATING_HELP),
    Param("sleep", "--sleep", help="Hours slept: 7, 7.5, 7h30 (0 to 24)."),
    Param("note", "--note", help=NOTE_HELP),
    Param("at", "--at", help="When: 21:00, 'yesterday 21:00', '2h ago' (default now)."),
    Param("json_out", "--json", kind="flag", help=RECORDED_JSON_HELP),
])

TODAY = Spec("today", "Today's checklist: each dose with its state, and as-needed use in the last 24 hours.", [
    Param("json_out", "--json", kind="flag", help="Print JSON."),
])

DUE = Spec("due", "The reminder check for cron: doses due (or overdue and still open), as-needed doses allowed "
                  "again, low supply. One line each; nothing when nothing is due. Exit 0 either way.", [
    Param("json_out", "--json", kind="flag", help="Print JSON (also when nothing is due)."),
    Param("notify", "--notify", kind="flag", help="Also send each reminder to the desktop with notify-send."),
    Param("repeat", "--repeat", default="30m", help="Remind an open dose again after: 30m, 90m, 2h; 0 for once only."),
    Param("refill_days", "--refill-days", default="7", help="Warn when fewer days of supply are left: 0-365 (0: never)."),
])

REPORT = Spec("report", "The appointment report: adherence, calendar, dose changes, skips and as-needed use for a period.", [
    Param("since", "--since", help="Period up to today: 30d, 2w, 3mo, 1y, a date, last-visit (default 30d)."),
    Param("from_", "--from", help="First day (with --to): YYYY-MM-DD."),
    Param("to", "--to", help="Last day, included (with --from): YYYY-MM-DD."),
    Param("med", "--med", help="Only this medication."),
    Param("window", "--window", default="2h", help="On-time window around each scheduled time: 2h, 90m, 1h."),
    Param("fmt", "--format", default="terminal", help="terminal, markdown, html or json."),
    Param("output", "--output", "-o", help="Write to this file instead of the screen."),
])

# `export`, `import` and `check` read or write the whole diary (their bars are 20× and 40× Python's start),
# so they run without Typer too. `check`'s Typer command is written by hand (it still takes the
# questionnaire's old spelling, hidden); a test holds its visible options to this declaration.
CHECK = Spec("check", "Check the diary file: SQLite's integrity check and meddiary's consistency checks, in plain "
                      "words (exit 1 when something is wrong). The questionnaires are 'meddiary questionnaire "
                      "phq9|gad7'.", [
    Param("json_out", "--json", kind="flag", help="Print {\"ok\": …, \"lines\": […]}."),
])

EXPORT = Spec("export", "Export the diary: JSON (everything, to import elsewhere), CSV, FHIR R4 or iCalendar.", [
    Param("fmt", "--format", default="json",
          help="json (everything, for import), csv (a folder of spreadsheets), fhir (R4 Bundle) or ics (calendar)."),
    Param("output", "--output", "-o", help="Write to this file (csv: this folder) instead of the screen."),
    Param("days", "--days", help="ics: how many days of doses from today, 1-3660 (default 90).", metavar="DAYS"),
])

IMPORT = Spec("import", "Import a meddiary JSON export (restore, or merge by stable ids), or bring the doses taken "
                        "from medTimer, pharm or a spreadsheet. Importing the same file twice adds nothing; a bad "
                        "row imports nothing.", [
    Param("file", kind="argument", required=True,
          help="The file: a meddiary JSON export, medTimer's event CSV, pharm's JSON or a CSV.", metavar="FILE"),
    Param("source", "--from", help="What made the file: meddiary, medtimer, csv or pharm (default: told from the "
                                   "file).", metavar="SOURCE"),
    Param("mapping", "--map", help="A CSV's columns: time=COLUMN,name=COLUMN[,dose=COLUMN][,note=COLUMN]"
                                   "[,date=COLUMN].", metavar="KEY=COLUMN,..."),
    Param("dry_run", "--dry-run", kind="flag", help="Show what would be added (medtimer, csv, pharm); write nothing."),
    Param("json_out", "--json", kind="flag", help="Print what was added as JSON."),
])

HOT = {s.name: s for s in (TAKE, SKIP, MOOD, TODAY, DUE, REPORT, EXPORT, IMPORT)}  # their Typer commands: cli_app.hot_command
FAST = {**HOT, CHECK.name: CHECK}  # what the entry module runs without Typer
PAGED = ("report", "import")  # those of them that page at a terminal (in screen.PAGED_COMMANDS: a test says so)
# each hot command's options that take a value (their next token is the value, even "--no-pager")
_VALUE_FLAGS = {name: {f for p in spec.params if p.kind == "value" for f in p.flags} for name, spec in FAST.items()}


def parse(spec: Spec, args: list[str]) -> dict | None:
    """The values of `args` (what follows the command's name) by the declaration, as Click would give them;
    None for any form to leave to Typer: help, an unknown or repeated option, a flag with a value, a value
    missing, a positional too many or missing, an empty name."""
    values = {p.dest: ([] if p.kind == "arguments" else p.default) for p in spec.params}
    by_flag = {f: p for p in spec.params for f in p.flags}
    seen: set[str] = set()
    positionals: list[str] = []
    only_positionals = False
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--" and not only_positionals:
            only_positionals = True
        elif a.startswith("-") and a != "-" and not only_positionals:
            name, eq, value = a.partition("=") if a.startswith("--") else (a, "", "")
            p = by_flag.get(name)
            if p is None or p.dest in seen:
                return None
            seen.add(p.dest)
            if p.kind == "flag":
                if eq:
                    return None
                values[p.dest] = True
            else:
                if not eq:
                    if i + 1 >= len(args):
                        return None
                    i += 1
                    value = args[i]
                values[p.dest] = value
        else:
            positionals.append(a)
        i += 1
    if any(not a.strip() for a in positionals):
        return None
    slots = [p for p in spec.params if p.kind in ("argument", "arguments")]
    if not slots:
        return values if not positionals else None
    p = slots[0]
    if p.kind == "arguments":
        values[p.dest] = positionals
    elif len(positionals) > 1 or (p.required and not positionals):
        return None
    else:
        values[p.dest] = positionals[0] if positionals else None
    return values


def split_db(args: list[str]) -> tuple[str | None, list[str]] | None:
    """`[--db PATH | --db=PATH] [--no-pager] COMMAND …` (the global options first, as entry puts them) ->
    (db, the rest); None for an empty --db (Typer says so)."""
    db = None
    if args[:1] == ["--db"] and len(args) >= 2:
        db, args = args[1], args[2:]
    elif args[:1] and args[0].startswith("--db="):
        db, args = args[0][5:], args[1:]
    if db is not None and not db.strip():
        return None
    if args[:1] == ["--no-pager"]:  # given: the hot command that pages (report) does not
        args = args[1:]
    return db, args


def hot(args: list[str]) -> tuple[str, str | None, dict] | None:
    """(command, db, values) for a hot command in any form the declarations allow (no command: `today`);
    None for anything else. Whether to page is screen.wants_pager's to say."""
    split = split_db(args)
    if split is None:
        return None
    db, rest = split
    name = rest[0] if rest else "today"
    spec = FAST.get(name)
    if spec is None:
        return None
    values = parse(spec, rest[1:])
    return (name, db, values) if values is not None else None


def global_options_first(args: list[str]) -> list[str] | None:
    """`meddiary today --db FILE` as `meddiary --db FILE today`: the global options --db and --no-pager may
    come after the command too (before a `--`). None: --db given twice. A token that is the value of a hot
    command's option (`take x --note --no-pager`: the note) stays where it is."""
    found, flags, rest, i = [], [], [], 0
    spec = None
    while i < len(args):
        a = args[i]
        if a == "--":
            rest += args[i:]
            break
        if spec is not None and a in _VALUE_FLAGS.get(spec, ()) and i + 1 < len(args):
            rest += args[i:i + 2]  # an option of the command and its value, whatever the value looks like
            i += 2
            continue
        if a == "--db" and i + 1 < len(args):
            found.append(args[i:i + 2])
            i += 2
            continue
        if a.startswith("--db="):
            found.append([a])
        elif a == "--no-pager":
            flags.append(a)
        else:
            if spec is None and not a.startswith("-"):
                spec = a  # the command
            rest.append(a)
        i += 1
    if len(found) > 1:
        return None
    return (found[0] if found else []) + flags[:1] + rest if (found or flags) else args
