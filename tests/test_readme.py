"""The README is short and starts with the two set-up commands CI runs; the command reference
(docs/commands.md) documents every command and every option a person can type; each document under docs/
has a table of contents that matches its headings."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from meddiary.cli import app

ROOT_DIR = Path(__file__).resolve().parent.parent
README = (ROOT_DIR / "README.md").read_text(encoding="utf-8")
REFERENCE = (ROOT_DIR / "docs" / "commands.md").read_text(encoding="utf-8")
ROOT = typer.main.get_command(app)
DOCS = ["commands.md", "json.md", "development.md"]


def set_up_commands() -> list[str]:
    return README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()


@pytest.mark.parametrize("name", sorted(ROOT.commands))
def test_every_command_and_option_is_in_the_reference(name):
    assert re.search(rf"(`|\$ )meddiary {re.escape(name)}\b", REFERENCE), f"docs/commands.md does not show `meddiary {name} …`"
    for param in ROOT.commands[name].params:
        for opt in param.opts if param.param_type_name == "option" and not param.hidden else ():
            if opt in ("--help", "-h"):
                continue
            assert opt in REFERENCE, f"docs/commands.md does not mention {name} {opt}"


def test_every_global_option_is_in_the_reference():
    for param in ROOT.params:
        for opt in param.opts:
            if opt not in ("--help", "-h"):
                assert opt in REFERENCE, opt


def test_the_readme_starts_with_the_two_set_up_commands_ci_runs():
    ci = (ROOT_DIR / ".ci" / "run").read_text(encoding="utf-8")
    demo, tests = set_up_commands()
    # a virtual environment first: Debian's and Ubuntu's own pip refuses to install (externally managed)
    assert demo == "python3 -m venv .venv && . .venv/bin/activate && python -m pip install . && meddiary demo"
    assert tests.startswith("python3 -m venv .venv && . .venv/bin/activate && ")
    assert tests.endswith(" && python -m pytest")
    assert f"\n{tests}\n" in ci  # verbatim


def test_the_readme_is_short_and_points_to_the_references():
    assert len(README.splitlines()) < 120
    for doc in DOCS:
        assert f"(docs/{doc})" in README
    assert "docs/report.svg" in README  # the picture of the report's first page


def test_the_ten_daily_commands_are_real_commands():
    table = README.split("## Ten commands for every day", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `meddiary ?([a-z-]*)", table, re.MULTILINE)
    assert len(rows) == 10
    for name in rows:
        assert name == "" or name in ROOT.commands, name


def anchor(title: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("doc", DOCS)
def test_each_document_has_a_table_of_contents_of_its_headings(doc):
    text = (ROOT_DIR / "docs" / doc).read_text(encoding="utf-8")
    body = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    headings = re.findall(r"^#{2,3} (.+)$", body, re.MULTILINE)
    toc = text.split("Contents:", 1)[1].split("\n## ", 1)[0]
    assert headings
    for title in headings:
        assert f"[{title}](#{anchor(title)})" in toc, f"{doc}: the contents miss {title!r}"


@pytest.mark.skipif(not os.environ.get("MEDDIARY_INSTALL_TEST"), reason="set MEDDIARY_INSTALL_TEST=1: installs into a fresh venv (about a minute)")
def test_the_first_set_up_command_works_in_a_fresh_copy(tmp_path):
    """The README's first command as written, with bash, in a fresh copy of the tree (fresh .venv)."""
    copy = tmp_path / "meddiary"
    shutil.copytree(ROOT_DIR, copy, ignore=shutil.ignore_patterns(".venv", ".ci-venv", ".git", ".cache", "*.db"))
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(Path(sys.executable).parent)))
    done = subprocess.run(["bash", "-c", set_up_commands()[0]], cwd=copy, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "appointment report" in done.stdout
    assert (copy / ".venv" / "bin" / "meddiary").exists()
