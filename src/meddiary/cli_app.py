"""The Typer application every command module registers on, and what the command modules share: the
environment of a run, the output helpers, the formats, and the hot commands built from their declarations
(meddiary.grammar). It imports no command module, so none of them imports another (no import cycle).
"""

import inspect
from typing import Annotated, Optional

import typer

from meddiary import __version__, actions
from meddiary.actions import Env, emit_json, out, text as _text  # noqa: F401 - for the command modules
from meddiary.errors import UsageError

class _Group(typer.core.TyperGroup):
    """The command group: an option that takes one value, given twice, is refused before anything runs
    (the last one would silently win: `--dose 50mg … --dose 100mg`, `--max-per-day 3 --max-per-day 8`)."""

    def parse_args(self, ctx, args):
        refuse_repeats(self, ctx, args)
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx, args):
        name, cmd, rest = super().resolve_command(ctx, args)
        if cmd is not None:
            refuse_repeats(cmd, ctx, rest, name)
        return name, cmd, rest


def refuse_repeats(command, ctx, args: list[str], name: str | None = None) -> None:
    """Usage error (exit 2) naming the first single-value option of `command` that `args` give twice."""
    from typer._click import Context
    from typer._click.exceptions import UsageError as ClickUsageError

    probe = Context(command, info_name=name, parent=ctx, resilient_parsing=True)
    _, _, order = command.make_parser(probe).parse_args(args=list(args))
    seen = set()
    for param in order:
        if not single_value(param):
            continue
        if param.name in seen:
            flag = max(param.opts, key=len)
            raise ClickUsageError(f"{flag} is given twice: give it once (it takes one value; the first would be "
                                  "silently replaced)", ctx=probe)
        seen.add(param.name)


def single_value(param) -> bool:
    """An option that takes one value (not a flag, not repeatable, not a count)."""
    return (param.param_type_name == "option" and not param.multiple and not param.is_flag
            and not getattr(param, "count", False))


app = typer.Typer(
    cls=_Group,
    name="meddiary",
    help="An offline medication diary: record doses, keep to the prescription, bring the report to your psychiatrist.",
    add_completion=True,  # Typer's --install-completion / --show-completion; values: meddiary.completion
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    no_args_is_help=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def env(ctx: typer.Context) -> Env:
    root = ctx.find_root()
    if not isinstance(root.obj, Env):
        root.obj = Env(root.obj)
    return root.obj


def version_callback(value: bool) -> None:
    if value:
        out(f"meddiary {__version__}")
        raise typer.Exit()


from meddiary.render import FORMATS, format_name as _format  # noqa: E402,F401 - for the command modules


def hot_command(spec) -> None:
    """Register the Typer command declared by `spec` (a meddiary.grammar.Spec), running its use case through
    meddiary.usecases.run. The fast path (meddiary.entry) parses the same declaration and runs the same use
    case, so the two never drift apart."""
    params = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)]
    for p in spec.params:
        if p.kind == "arguments":
            ann, default = Annotated[Optional[list[str]], typer.Argument(help=p.help, show_default=False)], None
        elif p.kind == "argument" and p.required:
            ann, default = Annotated[str, typer.Argument(help=p.help, show_default=False)], inspect.Parameter.empty
        elif p.kind == "argument":
            ann, default = Annotated[Optional[str], typer.Argument(help=p.help, show_default=False)], None
        elif p.kind == "flag":
            ann, default = Annotated[bool, typer.Option(*p.flags, help=p.help)], False
        else:
            option = typer.Option(*p.flags, help=p.help, metavar=p.metavar)
            ann, default = (Annotated[str, option], p.default) if p.default is not None else \
                (Annotated[Optional[str], option], None)
        params.append(inspect.Parameter(p.dest, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=ann))
    many = [p.dest for p in spec.params if p.kind == "arguments"]

    def command(ctx: typer.Context, **values):
        from meddiary.usecases import run

        for dest in many:
            values[dest] = values[dest] or []
        code = run(spec.name, env(ctx), values)
        if code:
            raise typer.Exit(code)

    command.__signature__ = inspect.Signature(params)
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__doc__ = spec.help
    command.__name__ = command.__qualname__ = f"{spec.name.replace('-', '_')}_cmd"
    app.command(spec.name)(command)
