"""CLI habits through the real entry point: -h and --debug on every command, examples on their own lines, --version."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from goldkit import __version__
from goldkit.cli import main as cli_main
from goldkit.cli.options import examples_on_their_own_lines

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def _commands() -> list[str]:
    """Every command and group under `goldkit`, as typed after it ('' is goldkit itself)."""
    found: list[str] = []

    def walk(prefix: str, command: Any) -> None:
        found.append(prefix)
        for name, sub in getattr(command, "commands", {}).items():
            walk(f"{prefix} {name}".strip(), sub)

    walk("", cli_main.command())
    return found


COMMANDS = _commands()


def test_the_walk_sees_groups_and_their_commands() -> None:
    assert {"", "server", "server start", "schema render", "pull", "links candidates"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS, ids=[name or "goldkit" for name in COMMANDS])
def test_dash_h_and_help_print_the_same_usage(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = name.split()
    assert cli_main.main([*args, "-h"]) == 0
    short = capsys.readouterr().out
    assert cli_main.main([*args, "--help"]) == 0
    assert capsys.readouterr().out == short
    assert short.startswith(f"Usage: goldkit {name}".rstrip())
    assert "-h, --help" in short


@pytest.mark.parametrize("name", COMMANDS, ids=[name or "goldkit" for name in COMMANDS])
def test_debug_is_accepted_after_every_command(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main([*name.split(), "--debug", "-h"]) == 0, capsys.readouterr().err
    assert "--debug" in capsys.readouterr().out


@pytest.mark.parametrize("name", COMMANDS, ids=[name or "goldkit" for name in COMMANDS])
def test_each_example_in_help_is_a_line_of_its_own(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main([*name.split(), "--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    examples = [line.strip() for line in lines if "Example:" in line]
    assert examples, f"`goldkit {name} --help` shows no example"
    assert all(line.startswith("Example: goldkit") and line.count("Example:") == 1 for line in examples), examples


def test_pull_has_two_examples_shown_as_two_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main(["pull", "-h"]) == 0
    out = capsys.readouterr().out
    assert "  Example: goldkit pull --since-last\n  Example: goldkit pull --links\n" in out


def test_debug_after_the_command_shows_the_traceback_of_a_real_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nothing-here"
    assert cli_main.main(["validate", str(missing)]) == 1
    plain = capsys.readouterr().err
    assert cli_main.main(["validate", str(missing), "--debug"]) == 1
    debug = capsys.readouterr().err
    assert "Traceback (most recent call last)" in debug and "Traceback" not in plain
    assert plain.strip() and plain.strip().splitlines()[-1] in debug  # the same message ends both


def test_version_is_eager(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main(["--version"]) == 0
    assert capsys.readouterr().out == f"goldkit {__version__}\n"
    assert cli_main.main(["--version", "pull", "--no-such-option"]) == 0  # printed before anything is parsed


def test_the_installed_entry_point_has_the_habits() -> None:
    """The console script itself (pyproject's [project.scripts]), in a subprocess with this tree on the path."""
    script = Path(sys.executable).with_name("goldkit")
    assert script.is_file(), f"no goldkit console script beside {sys.executable}"
    env = {**os.environ, "PYTHONPATH": str(TOOLS)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(script), *args], capture_output=True, text=True, env=env, timeout=120)

    version = run("--version")
    assert (version.returncode, version.stdout) == (0, f"goldkit {__version__}\n")
    short, debug = run("pull", "-h"), run("pull", "--debug", "--help")
    assert (short.returncode, debug.returncode) == (0, 0), (short.stderr, debug.stderr)
    assert short.stdout == debug.stdout and short.stdout.startswith("Usage: goldkit pull")


def test_examples_are_set_apart_without_touching_other_paragraphs() -> None:
    text = "Do a thing.\n\nMore words that\nclick may re-wrap.\nExample: goldkit a\nExample: goldkit b\nAfter."
    assert examples_on_their_own_lines(text) == (
        "Do a thing.\n\nMore words that\nclick may re-wrap.\n\n\b\nExample: goldkit a\nExample: goldkit b\n\nAfter."
    )
    assert examples_on_their_own_lines("No example here.") == "No example here."
