"""The terminal (issue 16, items 4 and 5): a pager for long output and a progress spinner only at a
terminal (PAGER, --no-pager), never in a pipe or cron; plain lines wrapped at word boundaries to the width
(80 columns here), the PHQ-9 crisis message and the [y/N] prompt included — and left whole in a pipe."""

import json
import sys

import pytest
from conftest import invoke
from fixtures.sample import fill

from meddiary import actions, screen
from meddiary.errors import ExitCode


@pytest.fixture
def sample(run, clock, db_path):
    fill(run, db_path)


@pytest.fixture
def fake_pager(tmp_path, monkeypatch):
    """PAGER as a command that keeps what it was given in a file."""
    kept = tmp_path / "paged.txt"
    monkeypatch.setenv("PAGER", f"cat > {kept}")
    return kept


@pytest.fixture
def terminal(monkeypatch, capsys):
    """Call it first in the test: stdout and stderr then say they are a terminal, 80 columns wide (capsys
    still captures them; its streams are only the test's own once the test runs)."""

    def as_terminal():
        monkeypatch.setenv("COLUMNS", "80")
        monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
        monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
        monkeypatch.setattr(screen, "is_terminal", lambda stream: True)

    return as_terminal


# -- the pager -------------------------------------------------------------------------------------------

def test_no_pager_and_no_progress_without_a_terminal(run, sample, fake_pager):
    result = run("report", "--since", "30d")
    assert "appointment report" in result.out
    assert result.err == ""  # no spinner
    assert not fake_pager.exists()


def test_long_output_goes_through_the_pager_at_a_terminal(capsys, sample, fake_pager, terminal):
    terminal()
    result = invoke(capsys, ["report", "--since", "30d"])
    assert result.code == 0, result.err
    assert result.out == ""
    assert "appointment report" in fake_pager.read_text()


@pytest.mark.parametrize("args", [["--no-pager", "report"], ["report", "--no-pager"], ["log", "--json"]])
def test_no_pager_and_json_bypass_it(capsys, sample, fake_pager, terminal, args):
    terminal()
    result = invoke(capsys, args)
    assert result.code == 0, result.err
    assert result.out and not fake_pager.exists()


def test_short_output_is_not_paged(capsys, sample, fake_pager, terminal):
    terminal()
    result = invoke(capsys, ["list"])
    assert result.code == 0 and "sertraline" in result.out and not fake_pager.exists()


def test_an_empty_pager_means_none(monkeypatch):
    monkeypatch.setenv("PAGER", "")
    assert screen.pager_command() is None
    monkeypatch.setenv("PAGER", "cat")
    assert screen.pager_command() is None
    monkeypatch.setenv("PAGER", "most")
    assert screen.pager_command() == "most"


# -- width -------------------------------------------------------------------------------------------------

def lines_fit(text: str, width: int = 80) -> bool:
    return all(len(line) <= width for line in text.splitlines())


CRISIS = "0,0,0,0,0,0,0,0,1"


def test_the_phq9_crisis_message_wraps_at_word_boundaries_at_80_columns(capsys, clock, terminal):
    terminal()
    result = invoke(capsys, ["questionnaire", "phq9", "--answers", CRISIS])
    assert result.code == 0, result.err
    assert lines_fit(result.out)
    words = " ".join(result.out.split())
    assert "you would be better off dead or of hurting yourself. That answer matters" in words
    assert "emergency department." in words
    assert max(len(line) for line in result.out.splitlines()) > 60  # wrapped, not cut short


def test_in_a_pipe_the_crisis_message_stays_one_line_each(run, clock):
    out = run("questionnaire", "phq9", "--answers", CRISIS).out
    assert any(len(line) > 80 for line in out.splitlines())


def test_the_crisis_message_on_stderr_with_json_wraps_too(capsys, clock, terminal):
    terminal()
    result = invoke(capsys, ["questionnaire", "phq9", "--answers", CRISIS, "--json"])
    assert result.code == 0
    assert lines_fit(result.err) and "That answer matters" in " ".join(result.err.split())
    assert json.loads(result.out)["item9"] == 1  # JSON is never wrapped


def test_the_y_n_prompt_wraps_and_keeps_the_answer_on_its_line(capsys, terminal, monkeypatch):
    import io

    terminal()
    question = ("sertraline 08:00 dose was already taken today at 08:03: taking it again would be a double dose. "
                "Record it anyway?")
    assert actions.Env(None, interactive=True, stdin=io.StringIO("n\n")).confirm(question) is False
    err = capsys.readouterr().err
    assert lines_fit(err)
    assert err.endswith("Record it anyway? [y/N] ")
    assert " ".join(err.split()) == " ".join(f"{question} [y/N]".split())


def test_error_lines_wrap_at_a_terminal(capsys, clock, terminal):
    terminal()
    result = invoke(capsys, ["add", "sertraline", "--dose", "50mg", "--at", "8"])
    assert result.code == ExitCode.USAGE
    assert lines_fit(result.err) and len(result.err.splitlines()) > 1
    assert "did you mean 08:00?" in " ".join(result.err.split())


def test_fit_keeps_words_whole_and_indents_continuations():
    line = "  08:00 sertraline 50 mg — " + "taken late at 10:42 " * 6
    wrapped = screen.fit(line, 40)
    assert lines_fit(wrapped, 40)
    assert all(x.startswith("    ") for x in wrapped.splitlines()[1:])
    assert wrapped.split() == line.split()
    assert screen.fit("x" * 100, 40) == "x" * 100  # a long word is not cut
    assert screen.fit(line, None) == line


def test_help_of_a_paged_command_at_a_terminal_is_not_paged(capsys, terminal, monkeypatch):
    # `report --help` at a terminal: Click writes the help to the binary stream it finds; it was captured for
    # the pager as bytes and crashed. Help is never paged, and a capture takes bytes as text.
    terminal()
    monkeypatch.setenv("PAGER", "cat")
    for door in ("entry", "cli"):
        result = invoke(capsys, ["report", "--help"], entry=__import__(f"meddiary.{door}", fromlist=["main"]).main)
        assert result.code == 0 and "--since" in result.out


def test_nothing_printed_starts_no_pager(capsys, terminal, monkeypatch):
    from meddiary import screen

    import subprocess

    terminal()
    ran = []
    monkeypatch.setattr(screen, "pager_command", lambda: "cat")
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: ran.append(a) or subprocess.CompletedProcess(a, 0))
    with screen.paged(True):
        pass  # a report written to a file prints nothing on stdout
    assert ran == [] and capsys.readouterr().out == ""
    with screen.paged(True):
        print("\n".join(["line"] * 200))  # taller than the terminal: the pager runs
    assert len(ran) == 1


def test_the_fast_door_pages_the_hot_commands_typer_would():
    from meddiary import grammar

    assert set(grammar.PAGED) == set(grammar.FAST) & set(screen.PAGED_COMMANDS)


def test_import_dry_run_at_a_terminal_goes_through_the_pager(capsys, sample, fake_pager, terminal, tmp_path):
    csv_file = tmp_path / "log.csv"
    csv_file.write_text("Date,Drug\n" + "".join(f"2026-11-{d:02d} 08:00,sertraline\n" for d in range(1, 25)),
                        encoding="utf-8")
    terminal()
    result = invoke(capsys, ["import", str(csv_file), "--map", "time=Date,name=Drug", "--dry-run"])
    assert result.code == 0, result.err
    assert result.out == ""
    assert "dry run: nothing was written" in fake_pager.read_text()
