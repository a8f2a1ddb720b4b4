"""Shell completion for bash, zsh and fish, through Typer's own mechanism.

`meddiary --show-completion` / `--install-completion` (Typer's) print or install the shell's script; the
script runs `meddiary` with `_MEDDIARY_COMPLETE=complete_bash` (zsh, fish) and the words typed so far.
`meddiary.entry` sends any run with that variable set straight here (never through the `take`/`today`/`due`
fast paths, which would otherwise print today's checklist), so `take` pays one environment lookup for it.

Click completes commands and options itself; this module adds the values: medication names and aliases
read from the diary (read only: completion never creates, migrates or unlocks a diary), and the fixed
words of --format, --from, --reason, --severity and the like.
"""

import os

COMPLETE_VAR = "_MEDDIARY_COMPLETE"

# command -> parameter names completed with the diary's medication names and aliases
NAME_PARAMS = {
    "show": ("name",), "change": ("name",), "taper": ("name",), "stop": ("name",), "take": ("names",),
    "skip": ("name",), "refill": ("name",), "supply": ("name",), "log": ("med",), "report": ("med",),
    "pause": ("name",), "resume": ("name",),
    "side-effect": ("med",), "side-effects": ("med",),
}


def requested() -> bool:
    return bool(os.environ.get(COMPLETE_VAR))


def _words() -> dict[tuple[str, str], tuple[str, ...]]:
    """(command, parameter) -> the fixed words it takes."""
    from meddiary import cli_app, cli_data, diary, history_import, scales, settings

    instruments = tuple(scales.INSTRUMENTS)
    return {
        ("report", "fmt"): cli_app.FORMATS, ("demo", "fmt"): cli_app.FORMATS, ("export", "fmt"): cli_data.EXPORT_FORMATS,
        ("import", "source"): history_import.SOURCES, ("skip", "reason"): diary.SKIP_REASONS,
        ("side-effect", "severity"): ("mild", "moderate", "severe"), ("config", "key"): settings.KEYS,
        ("questionnaire", "instrument"): instruments, ("check", "instrument"): instruments,
    }


def medication_names(ctx, param, incomplete: str) -> list[str]:
    """The diary's medication names and aliases that start with what is typed (case aside)."""
    from meddiary.store import names_for_completion, resolve_path

    root = ctx.find_root()
    db = root.params.get("db") if root.params else None
    typed = incomplete.casefold()
    return sorted(n for n in names_for_completion(resolve_path(db)) if n.casefold().startswith(typed))


def _fixed(words: tuple[str, ...]):
    def complete(ctx, param, incomplete: str) -> list[str]:
        return [w for w in words if w.startswith(incomplete.lower())]

    return complete


def attach(group) -> None:
    """Give the click command tree's parameters their value completion (done on the completion path only)."""
    words = _words()
    for name, command in group.commands.items():
        for param in command.params:
            if param.name in NAME_PARAMS.get(name, ()):
                param._custom_shell_complete = medication_names
            elif (name, param.name) in words:
                param._custom_shell_complete = _fixed(words[(name, param.name)])
