"""The README documents every command and every option a person can type."""

import re
from pathlib import Path

import pytest
import typer

from meddiary.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
ROOT = typer.main.get_command(app)


@pytest.mark.parametrize("name", sorted(ROOT.commands))
def test_every_command_and_option_is_in_the_readme(name):
    assert re.search(rf"(`|\$ )meddiary {re.escape(name)}\b", README), f"README does not show `meddiary {name} …`"
    for param in ROOT.commands[name].params:
        for opt in param.opts if param.param_type_name == "option" else ():
            if opt in ("--help", "-h"):
                continue
            assert opt in README, f"README does not mention {name} {opt}"


def test_the_readme_starts_with_the_two_set_up_commands_ci_runs():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert first_block[0] == "python -m pip install . && meddiary demo"
    assert first_block[1] in ci
