"""The use cases: one module per thing a person does (record a take, a skip, a mood; look at today; run
the reminder check; retract an entry). Each owns its load -> decide -> write transaction. The Typer commands
(meddiary.cli) and the Typer-free fast path (meddiary.entry) are thin adapters over the same functions."""


SHOWN = ("take", "skip", "mood", "today")  # return an actions.Result, printed as text or (--json) JSON


def run(command: str, e, values: dict) -> None:
    """Run the use case `command` with the values its declaration (meddiary.grammar) gives, and print what
    it returns: the one adapter both doors call."""
    from importlib import import_module

    values = dict(values)
    json_out = values.pop("json_out", False) if command in SHOWN else None
    result = getattr(import_module(f"meddiary.usecases.{command}"), command)(e, **values)
    if command in SHOWN:
        from meddiary.actions import show

        show(result, json_out)
