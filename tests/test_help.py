"""Help that teaches (issue 16, item 3): whole summaries, placeholders that say what is expected, an example
per command; the man page generated from the same command tree, and kept in sync."""

import re
from pathlib import Path

import pytest

from meddiary import helptext, manpage
from meddiary.cli import click_command

ROOT = click_command()
COMMANDS = sorted(ROOT.commands)
MAN = Path(__file__).resolve().parent.parent / "docs" / "meddiary.1"


def test_the_root_help_shows_every_summary_whole(run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    text = " ".join(run("--help").out.split())
    for name in COMMANDS:
        whole = helptext.summary(ROOT.commands[name].help)
        assert f"{name} {whole}" in text, name
    listing = text.split("Commands:")[1]
    assert "..." not in listing and "…" not in listing


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_says_what_it_expects_and_every_command_has_an_example(run, name):
    out = run(name, "--help").out
    assert not re.search(r"<(str|int|float|text)>", out), out
    assert re.search(r"Examples?:\n( +\$ meddiary .+\n)+", out), f"{name} --help shows no example"
    for line in helptext.EXAMPLES[name]:
        assert line.startswith(f"meddiary {name}")


@pytest.mark.parametrize("command, option, placeholder", [
    ("take", "--at", "WHEN"), ("take", "--dose", "DOSE"), ("add", "--at", "HH:MM[=DOSE]"), ("add", "--dose", "DOSE"),
    ("change", "--at", "HH:MM[=DOSE]"), ("skip", "--at", "WHEN"), ("report", "--since", "PERIOD"), ("pause", "--for", "DURATION"),
    ("taper", "--steps", "DOSE,DOSE,…"), ("import", "--from", "SOURCE"), ("visit", "--at", "DATE"),
])
def test_placeholders(run, command, option, placeholder):
    assert re.search(rf"^  {re.escape(option)} {re.escape(placeholder)}\s", run(command, "--help").out, re.MULTILINE)


def test_the_man_page_is_in_sync_with_the_commands():
    assert MAN.read_text(encoding="utf-8") == manpage.render(), (
        "docs/meddiary.1 is out of date: python -m meddiary.manpage > docs/meddiary.1")


def test_the_man_page_has_every_command_option_and_example():
    page = manpage.render()
    for name, command in ROOT.commands.items():
        assert f".SS {manpage._roff(name)}\n" in page
        for param in command.params:
            if param.param_type_name == "option" and not param.hidden and param.name != "help":
                assert manpage._roff(param.opts[0]) in page
        for line in helptext.EXAMPLES[name]:
            assert manpage._roff(line) in page
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "ENVIRONMENT", "EXIT STATUS"):
        assert f".SH {section}\n" in page


def test_the_stored_root_help_is_what_typer_prints(monkeypatch):
    """`meddiary --help` prints a stored copy (no Typer import); it must be Typer's own text, so a changed
    command help fails here until it is regenerated (python -m meddiary.roothelp > src/meddiary/roothelp_text.py)."""
    from meddiary import roothelp
    from meddiary.roothelp_text import TEXT

    assert TEXT == roothelp.render()
    monkeypatch.setenv("COLUMNS", "120")
    assert roothelp.text() == TEXT
    monkeypatch.setenv("COLUMNS", "60")
    assert roothelp.text() is None  # narrower: Typer wraps it, the stored copy would not fit


def test_root_help_through_the_door_is_the_typer_text(capsys, monkeypatch):
    from conftest import invoke

    from meddiary import cli, entry

    monkeypatch.setenv("COLUMNS", "100")
    fast, typer_path = (invoke(capsys, ["--help"], entry=door) for door in (entry.main, cli.main))
    assert (fast.code, fast.out) == (typer_path.code, typer_path.out) == (0, typer_path.out)
