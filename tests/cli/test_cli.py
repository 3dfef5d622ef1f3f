"""The CLI as a whole: every command has help with an example, takes --json, and is in the README."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from goldkit.cli import main as cli_main

README = Path(__file__).resolve().parents[2] / "README.md"


def _leaves() -> list[tuple[str, Any]]:
    cli_main._register()
    root = typer.main.get_command(cli_main.app)
    found: list[tuple[str, Any]] = []

    def walk(prefix: str, command: Any) -> None:
        if hasattr(command, "commands"):  # a group (typer may carry its own copy of click)
            for name, sub in command.commands.items():
                walk(f"{prefix} {name}".strip(), sub)
        else:
            found.append((prefix, command))

    walk("", root)
    return sorted(found, key=lambda leaf: leaf[0])


LEAVES = _leaves()


def test_every_stage_is_registered():
    names = {name for name, _ in LEAVES}
    assert {"ingest", "validate", "push", "pull", "agree", "adjudicate", "release", "diff", "attach"} <= names
    assert {"schema render", "server start", "server stop", "server status", "demo", "preannotate"} <= names


@pytest.mark.parametrize("name, command", LEAVES, ids=[name for name, _ in LEAVES])
def test_command_has_an_example_and_json(name: str, command: Any) -> None:
    assert "Example: goldkit " + name in (command.help or ""), f"`goldkit {name} --help` shows no example"
    assert any("--json" in p.opts for p in command.params), f"`goldkit {name}` takes no --json"


@pytest.mark.parametrize("name", [name for name, _ in LEAVES])
def test_command_is_documented_in_the_readme(name: str) -> None:
    assert f"goldkit {name}" in README.read_text(encoding="utf-8"), f"README says nothing of `goldkit {name}`"


def test_help_runs_through_the_real_entry_point(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("ingest", "push", "pull", "release"):
        assert name in out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main(["frobnicate"]) == 2
    assert "No such command" in capsys.readouterr().err


def test_starting_the_cli_does_not_load_the_heavy_libraries() -> None:
    """`goldkit --help` stays quick: the Label Studio SDK and `datasets` load only when a command needs them."""
    import subprocess
    import sys

    code = (
        "import sys; from goldkit.cli import main; main._register(); "
        "print(sorted(m for m in ('label_studio_sdk', 'datasets', 'pyarrow', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
