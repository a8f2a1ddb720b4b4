"""meddiary(1), generated from the same Click command tree that runs (meddiary.cli.click_command, with
meddiary.helptext applied): every command, its arguments, options and examples.

    python -m meddiary.manpage > docs/meddiary.1      # a test checks the file is what this prints
    man ./docs/meddiary.1
"""

ENVIRONMENT = [
    ("MEDDIARY_DB", "The diary file (the global option --db wins). Default: the user data folder, "
                    "~/.local/share/meddiary/diary.db on Linux."),
    ("MEDDIARY_TZ", "The IANA time zone to use (else TZ, else the system's); a home zone set with "
                    "'meddiary config timezone' wins for dose times."),
    ("MEDDIARY_PASSPHRASE", "The passphrase of an encrypted diary."),
    ("MEDDIARY_PASSPHRASE_COMMAND", "A command that prints the passphrase of an encrypted diary (for cron)."),
    ("PAGER", "The pager long output goes through at a terminal (default: less -FRX); --no-pager, or "
              "output to a pipe, bypasses it."),
    ("NO_COLOR", "Plain output without colours."),
]
EXIT_STATUS = [("0", "done"), ("1", "refused (the overuse guard, nothing to undo, a busy diary); nothing written"),
               ("2", "bad input, or the file is not a diary; nothing written")]


def _roff(text: str) -> str:
    """Plain text as roff: backslashes and hyphens escaped, no line starting with a control character."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + line) if line.startswith((".", "'")) else line for line in text.split("\n"))


def _paragraphs(text: str) -> str:
    return "\n.PP\n".join(_roff(" ".join(p.split())) for p in text.strip().split("\n\n") if p.strip())


def _option(param, ctx) -> tuple[str, str] | None:
    if param.hidden if hasattr(param, "hidden") else False:
        return None
    record = param.get_help_record(ctx)
    if record is None:
        return None
    return record


def render(group=None) -> str:
    import typer

    from meddiary import __version__, helptext
    from meddiary.cli import click_command

    group = group or click_command()
    root_ctx = typer.Context(group, info_name="meddiary")
    out = [f'.TH MEDDIARY 1 "" "meddiary {__version__}" "User Commands"',
           ".SH NAME", "meddiary \\- " + _roff(group.help.strip().rstrip(".")),
           ".SH SYNOPSIS", ".B meddiary", "[\\fB\\-\\-db\\fR \\fIPATH\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGS\\fR]",
           ".SH DESCRIPTION",
           _roff("meddiary keeps a medication diary in one local SQLite file: doses taken and skipped against "
                 "the prescription, mood, side effects and questionnaires, and the appointment report. It never "
                 "uses the network. With no command it prints today's checklist."),
           ".PP", _roff("Bad input prints one line on standard error naming the problem and the accepted forms, "
                        "exits with status 2 and writes nothing."),
           ".SH GLOBAL OPTIONS"]
    for param in group.params:
        record = _option(param, root_ctx)
        if record:
            out += [".TP", f"\\fB{_roff(record[0])}\\fR", _roff(record[1])]
    out.append(".SH COMMANDS")
    for name, command in group.commands.items():
        if command.hidden:
            continue
        ctx = typer.Context(command, info_name=name, parent=root_ctx)
        usage = " ".join(command.collect_usage_pieces(ctx))
        out += [f".SS {_roff(name)}", f"\\fBmeddiary {_roff(name)}\\fR {_roff(usage)}", ".PP",
                _paragraphs(command.help or "")]
        for param in command.params:
            if param.param_type_name == "argument" and not getattr(param, "hidden", False) and param.help:
                out += [".TP", f"\\fI{_roff(param.make_metavar(ctx))}\\fR", _roff(param.help)]
            elif param.param_type_name == "option" and param.name != "help":
                record = _option(param, ctx)
                if record:
                    out += [".TP", f"\\fB{_roff(record[0])}\\fR", _roff(record[1])]
        examples = helptext.EXAMPLES.get(name, [])
        if examples:
            out += [".PP", "Example" + ("s:" if len(examples) > 1 else ":"), ".RS", ".nf"]
            out += [_roff(line) for line in examples]
            out += [".fi", ".RE"]
    out.append(".SH ENVIRONMENT")
    for key, text in ENVIRONMENT:
        out += [".TP", f"\\fB{key}\\fR", _roff(text)]
    out.append(".SH EXIT STATUS")
    for code, text in EXIT_STATUS:
        out += [".TP", f"\\fB{code}\\fR", _roff(text)]
    out += [".SH FILES", ".TP", "\\fI~/.local/share/meddiary/diary.db\\fR",
            _roff("The diary (0600, in a 0700 folder), on Linux; see MEDDIARY_DB."),
            ".SH SEE ALSO", _roff("The README and docs/ of meddiary: the command reference and the JSON reference.")]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render())
