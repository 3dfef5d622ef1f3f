"""The one output sink: JSON or the human view; progress as plain lines when stderr is not a terminal."""

from __future__ import annotations

import json

import pytest

from goldkit.cli.output import err_console, progress_bar, show, status


def test_show_prints_json_or_the_human_view_never_both(capsys: pytest.CaptureFixture[str]) -> None:
    said: list[str] = []
    show({"rows": 3}, True, lambda: said.append("human"))
    assert json.loads(capsys.readouterr().out) == {"rows": 3} and said == []
    show({"rows": 3}, False, lambda: said.append("human"))
    assert capsys.readouterr().out == "" and said == ["human"]


def test_a_long_step_logs_a_line_per_tenth_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert not err_console.is_terminal  # pytest captures stderr: what CI logs and pipes look like
    with progress_bar("importing tasks", in_logs=True) as progress:
        for done in range(0, 201):
            progress(done, 200)
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"importing tasks: {done}/200" for done in range(0, 201, 20)]


def test_without_a_total_the_lines_come_at_each_doubling(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar("exporting", in_logs=True) as progress:
        for done in range(1, 40):
            progress(done, None)
    assert capsys.readouterr().err.splitlines() == [f"exporting: {n}" for n in (1, 2, 4, 8, 16, 32)]


def test_short_steps_and_json_runs_stay_quiet_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar("validating") as progress:
        progress(1, 2)
    with progress_bar("importing tasks", enabled=False, in_logs=True) as progress:
        progress(1, 2)
    assert capsys.readouterr().err == ""


def test_a_wait_logs_each_phase_and_every_ten_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    with status("starting Label Studio …") as update:
        for waited in (0.0, 0.5, 9.9, 10.2, 10.8, 25.0):
            update(waited, "first boot")
        update(25.5, "migrations done")
    assert capsys.readouterr().err.splitlines() == [
        "starting Label Studio …",
        "first boot — 0 s",
        "first boot — 10 s",
        "first boot — 25 s",
        "migrations done — 26 s",
    ]
