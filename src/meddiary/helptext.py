"""What `--help` and the man page say beyond the commands' own declarations: the placeholder each option
takes (DOSE, WHEN, HH:MM… instead of Typer's `<str>`), one summary line per command that is never cut, and
an example per command.

Kept apart from the declarations so the help of every command is written in one place and stays alike;
`finish` applies it to the Click command tree that `meddiary.cli.main` runs, and `meddiary.manpage`
renders the same tree. A test checks that every option has a placeholder and every command an example.
"""

# option -> placeholder; (command, option) where one command's option means something else
METAVARS = {
    "--dose": "DOSE", "--strength": "DOSE", "--steps": "DOSE,DOSE,…", "--at": "WHEN",
    ("add", "--at"): "HH:MM", ("change", "--at"): "HH:MM", ("visit", "--at"): "DATE",
    "--days": "DAYS", ("export", "--days"): "N", "--every": "DURATION", "--min-interval": "DURATION",
    "--max-per-day": "N", "--for": "TEXT", "--alias": "NAME", "--start": "DATE", "--note": "TEXT",
    "--units-per-dose": "N", "--reason": "TEXT", "--from": "DATE", ("import", "--from"): "SOURCE",
    "--to": "DATE", "--on": "DATE", "--since": "PERIOD", "--med": "NAME", "--limit": "N",
    "--window": "DURATION", "--format": "FORMAT", "--output": "FILE", ("export", "--output"): "FILE|DIR",
    "--keep": "N", "--depressed": "0-3", "--elevated": "0-3", "--anxiety": "0-3", "--irritability": "0-3",
    "--sleep": "HOURS", "--severity": "LEVEL", "--answers": "N,N,…", "--crisis-line": "TEXT",
    "--done": "ID", "--answer": "TEXT", "--repeat": "DURATION", "--refill-days": "DAYS", "--qty": "N",
    "--repeats-left": "N", "--count": "N", "--map": "KEY=COLUMN,…", "--db": "PATH",
    ("pause", "--for"): "DURATION", ("take", "--for"): "WHEN", "--until": "DATE",
}
# argument -> placeholder (Typer shows the Python name otherwise)
ARG_METAVARS = {
    "name": "NAME", ("add", "name"): "NAME", "names": "[NAME]...", "score": "[SCORE]", "symptom": "SYMPTOM",
    "text": "[QUESTION]", "key": "[KEY]", "value": "[VALUE]", "instrument": "phq9|gad7",
    "file": "FILE", "path": "PATH", ("backup", "path"): "[PATH]",
    ("supply", "name"): "[NAME]", ("retract", "entry_id"): "ID", ("undo", "entry_id"): "[ID]",
}

EXAMPLES = {
    "add": ["meddiary add sertraline --dose 50mg --at 08:00 --alias Zoloft",
            "meddiary add lithium --at 08:00=400mg --at 20:00=600mg --strength 200mg",
            "meddiary add paliperidone --dose 100mg --every 4w --window 7d",
            "meddiary add lorazepam --dose 0.5mg --as-needed --max-per-day 2 --min-interval 6h"],
    "list": ["meddiary list --all"],
    "show": ["meddiary show sertraline --json"],
    "change": ["meddiary change sertraline --dose 100mg --reason 'increased by Dr Lee'"],
    "taper": ["meddiary taper sertraline --steps 75mg,50mg,25mg,0 --every 2w --reason 'agreed taper'"],
    "stop": ["meddiary stop quetiapine --reason 'side effects'"],
    "pause": ["meddiary pause methylphenidate --for 14d --reason 'summer break agreed with Dr Lee'"],
    "resume": ["meddiary resume methylphenidate"],
    "take": ["meddiary take sertraline", "meddiary take lorazepam --at '2h ago'", "meddiary take"],
    "skip": ["meddiary skip sertraline --reason forgot --at 8am"],
    "undo": ["meddiary undo", "meddiary undo 12"],
    "retract": ["meddiary retract 12 --reason 'logged twice'", "meddiary retract 12 --at 08:10",
                "meddiary retract 14 --dose 25mg --note 'half a tablet'"],
    "log": ["meddiary log --since 7d --med sertraline"],
    "today": ["meddiary today --json"],
    "report": ["meddiary report --since last-visit --format html -o report.html"],
    "demo": ["meddiary demo --since 90d"],
    "export": ["meddiary export --format csv --output spreadsheets"],
    "import": ["meddiary import laptop.json", "meddiary import medtimer-events.csv --dry-run",
               "meddiary import log.csv --map time=Date,name=Drug,dose=Amount"],
    "backup": ["meddiary backup ~/backups --keep 20"],
    "restore": ["meddiary restore ~/backups/diary.backup-2026-11-26T080000Z.db"],
    "encrypt": ["meddiary encrypt"],
    "mood": ["meddiary mood 6 --anxiety 2 --sleep 7.5"],
    "side-effect": ["meddiary side-effect nausea --med sertraline --severity mild"],
    "side-effects": ["meddiary side-effects --since 30d"],
    "questionnaire": ["meddiary questionnaire phq9", "meddiary questionnaire gad7 --answers 1,1,1,1,1,0,0"],
    "check": ["meddiary check"],
    "ask": ["meddiary ask 'Is the insomnia from the sertraline?'", "meddiary ask --done 12 --answer 'probably'"],
    "visit": ["meddiary visit --note 'Dr Okafor: sertraline up to 100 mg'"],
    "due": ["meddiary due --notify"],
    "cron": ["meddiary cron --install"],
    "refill": ["meddiary refill sertraline --qty 30 --repeats-left 2", "meddiary refill sertraline --qty 60 --days 30"],
    "supply": ["meddiary supply", "meddiary supply sertraline --count 12"],
    "config": ["meddiary config timezone Europe/Berlin", "meddiary config --json"],
    "measure": ["meddiary measure lithium 0.72 mmol/L --range 0.4-1.0", "meddiary measure bp 128/82 mmHg"],
}


def summary(help_text: str | None) -> str:
    """A command's first sentence, whole (Click would cut it at 45 characters)."""
    text = " ".join((help_text or "").split("\n\n")[0].split())
    for end in (". ", "; "):
        if end in text:
            return text.split(end, 1)[0] + "."
    return text


def metavar(command: str, param) -> str | None:
    if param.param_type_name == "argument":
        return ARG_METAVARS.get((command, param.name), ARG_METAVARS.get(param.name))
    if getattr(param, "is_flag", False) or param.metavar is not None:
        return None
    opt = param.opts[0]
    return METAVARS.get((command, opt), METAVARS.get(opt, "TEXT" if param.type.name == "text" else "N"))


def finish(group) -> None:
    """Placeholders, whole summaries and examples on the Click command tree (root and commands)."""
    for param in group.params:
        if param.param_type_name == "option" and not getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = METAVARS.get(param.opts[0], "TEXT")
    for name, command in group.commands.items():
        if command.short_help is None:
            command.short_help = summary(command.help)
        for param in command.params:
            value = metavar(name, param)
            if value is not None:
                param.metavar = value
        if name in EXAMPLES and not command.epilog:
            lines = EXAMPLES[name]
            command.epilog = "\b\n" + ("Example:" if len(lines) == 1 else "Examples:") + "\n" + "\n".join(
                f"  $ {line}" for line in lines)
