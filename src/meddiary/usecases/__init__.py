"""The use cases: one module per thing a person does (record a take, a skip, a mood; look at today; run
the reminder check; retract an entry; plan a change of regimen; build a report; export the diary; import a
file; check the diary file). Each owns its load -> decide -> write transaction and returns an
actions.Result. The Typer commands (meddiary.cli) and the Typer-free fast path (meddiary.entry) are thin
adapters over the same functions, through `run`."""

# command -> the module of its use case (the function has the command's name, but for FUNCTIONS')
MODULES = {"take": "take", "skip": "skip", "mood": "mood", "today": "today", "due": "due",
           "retract": "retract", "undo": "retract",
           "change": "regimen", "taper": "regimen", "stop": "regimen", "pause": "regimen", "resume": "regimen",
           "check": "check", "report": "report", "export": "export", "import": "importing"}
FUNCTIONS = {"import": "import_"}  # a command whose name is Python's word: its use case's name


def run(command: str, e, values: dict) -> int:
    """Run the use case `command` with the values its command gives, and deliver what it returns: printed
    as text or (`json_out`) JSON by actions.show, the one formatter both doors use; with `notify`, its lines
    also sent to the desktop (meddiary.notify); a document (a report, an export) written by its result's
    `deliver`. The exit status its result asks for (0, or 1 when `check` finds something wrong)."""
    from importlib import import_module

    values = dict(values)
    module = MODULES[command]
    json_out = values.pop("json_out", False)
    notify = values.pop("notify", False)
    use_case = getattr(import_module(f"meddiary.usecases.{module}"), FUNCTIONS.get(command, command))
    result = use_case(e, **values)
    from meddiary.actions import show

    show(result, json_out)
    if notify and result.lines:
        from meddiary import notify as desktop

        desktop.send(result.lines)
    return result.exit_code
