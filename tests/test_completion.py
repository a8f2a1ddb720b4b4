"""Shell completion (issue 16, item 2) through Typer's mechanism, for bash, zsh and fish: commands, options,
medication names and aliases from the diary, fixed words; never a fast path, never a new diary."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import invoke

SCRIPT = str(Path(sys.executable).parent / "meddiary")


@pytest.fixture
def diary(run, clock):
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--alias", "Zoloft")
    run("add", "seroquel", "--dose", "25mg", "--at", "22:00")


def complete(capsys, monkeypatch, shell: str, line: str) -> str:
    """What `meddiary` answers the shell's completion script for the command line typed so far."""
    monkeypatch.setenv("_MEDDIARY_COMPLETE", f"complete_{shell}")
    if shell == "bash":
        words = line.split(" ")
        monkeypatch.setenv("COMP_WORDS", line)
        monkeypatch.setenv("COMP_CWORD", str(len(words) - 1))
    else:
        monkeypatch.setenv("_TYPER_COMPLETE_ARGS", line)
        monkeypatch.setenv("_TYPER_COMPLETE_FISH_ACTION", "get-args")
    result = invoke(capsys, [])
    assert result.code == 0, result.err
    return result.out


def test_bash_completes_commands(capsys, monkeypatch, diary):
    assert complete(capsys, monkeypatch, "bash", "meddiary ta").split() == ["taper", "take"]


def test_bash_completes_medication_names_and_aliases(capsys, monkeypatch, diary):
    assert complete(capsys, monkeypatch, "bash", "meddiary take s").split() == ["seroquel", "sertraline"]
    assert complete(capsys, monkeypatch, "bash", "meddiary show z").split() == ["Zoloft"]
    assert complete(capsys, monkeypatch, "bash", "meddiary log --med ser").split() == ["seroquel", "sertraline"]


def test_bash_completes_options_and_fixed_words(capsys, monkeypatch, diary):
    assert complete(capsys, monkeypatch, "bash", "meddiary skip sertraline --re").split() == ["--reason"]
    assert complete(capsys, monkeypatch, "bash", "meddiary skip sertraline --reason ") .split() == [
        "forgot", "side-effects", "ran-out", "prescriber-advised", "felt-unwell"]
    assert complete(capsys, monkeypatch, "bash", "meddiary import x.csv --from m").split() == ["meddiary", "medtimer"]


def test_zsh_completes_with_descriptions(capsys, monkeypatch, diary):
    out = complete(capsys, monkeypatch, "zsh", "meddiary take Z")
    assert out.strip() == """_arguments '*: :(("Zoloft"))'"""
    out = complete(capsys, monkeypatch, "zsh", "meddiary tod")
    assert out.startswith("""_arguments '*: :(("today":"Today''s checklist""")  # zsh quoting of '



def test_fish_completes_with_descriptions(capsys, monkeypatch, diary):
    assert complete(capsys, monkeypatch, "fish", "meddiary report --format ").split() == [
        "terminal", "markdown", "html", "json"]
    out = complete(capsys, monkeypatch, "fish", "meddiary und")
    assert out.startswith("undo\tRetract the most recent entry")
    assert complete(capsys, monkeypatch, "fish", "meddiary stop se").split() == ["seroquel", "sertraline"]


def test_completion_of_a_missing_diary_creates_none(capsys, monkeypatch, db_path, tmp_path):
    other = tmp_path / "none.db"
    assert complete(capsys, monkeypatch, "bash", f"meddiary --db {other} take s").split() == []
    assert complete(capsys, monkeypatch, "bash", "meddiary take s").split() == []
    assert not other.exists() and not db_path.exists()


def test_a_bare_completion_request_is_not_todays_checklist(capsys, monkeypatch, diary):
    out = complete(capsys, monkeypatch, "bash", "meddiary ")
    assert "take" in out.split() and "today" in out.split() and "sertraline" not in out


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o default -F _meddiary_completion meddiary"),
                                           ("zsh", "compdef _meddiary_completion meddiary"),
                                           ("fish", "complete --command meddiary")])
def test_the_shell_scripts_come_from_typer(capsys, monkeypatch, shell, marker):
    monkeypatch.setenv("_MEDDIARY_COMPLETE", f"source_{shell}")
    result = invoke(capsys, [])
    assert result.code == 0
    assert marker in result.out and "_MEDDIARY_COMPLETE=complete_" in result.out


def test_the_root_offers_typers_install_and_show_completion(run):
    out = run("--help").out
    assert "--install-completion" in out and "--show-completion" in out


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_the_bash_script_completes_in_a_real_bash(run, clock, db_path):
    """Typer's bash script, sourced into bash, asked as bash asks it on <Tab>: COMPREPLY holds the names."""
    run("add", "sertraline", "--dose", "50mg", "--at", "08:00", "--alias", "Zoloft")
    script = subprocess.run([SCRIPT], env={**os.environ, "_MEDDIARY_COMPLETE": "source_bash"},
                            capture_output=True, text=True, timeout=60).stdout
    driver = (f"{script}\nCOMP_WORDS=(meddiary take s); COMP_CWORD=2\n_meddiary_completion meddiary\n"
              "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    env = {**os.environ, "PATH": f"{Path(SCRIPT).parent}:{os.environ['PATH']}", "MEDDIARY_DB": str(db_path)}
    done = subprocess.run(["bash", "--norc", "-c", driver], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["sertraline"], done.stderr
