"""`make test`'s two runs (target test-runs) with a stand-in pytest: the rerun always runs, failures never pass."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Answers with the next exit code of $CODES (one a line) and records its arguments and GOLDKIT_PURE.
STAND_IN = """#!/bin/sh
n=$(wc -l < "$CALLS")
echo "GOLDKIT_PURE=${GOLDKIT_PURE:-} $*" >> "$CALLS"
exit $(sed -n "$((n + 1))p" "$CODES")
"""


def _make_test_runs(tmp_path: Path, whole: int, pure: int) -> tuple[int, list[str], str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    stand_in = tmp_path / "pytest"
    stand_in.write_text(STAND_IN)
    stand_in.chmod(0o755)
    (tmp_path / "codes").write_text(f"{whole}\n{pure}\n")
    calls = tmp_path / "calls"
    calls.write_text("")
    done = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", str(REPO), "test-runs", f"PYTEST={stand_in}"],
        env={"PATH": "/usr/bin:/bin", "CALLS": str(calls), "CODES": str(tmp_path / "codes")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, calls.read_text().splitlines(), done.stdout + done.stderr


def test_both_runs_passing_pass(tmp_path: Path) -> None:
    code, calls, _ = _make_test_runs(tmp_path, 0, 0)
    assert code == 0
    assert [c.split()[0] for c in calls] == ["GOLDKIT_PURE=", "GOLDKIT_PURE=1"]
    assert "tests/labelstudio/test_convert.py" in calls[1]  # the compiled modules' own tests, on the source


@pytest.mark.parametrize("whole, pure", [(1, 0), (0, 1), (1, 1), (2, 0)])
def test_a_failure_in_either_run_fails_and_the_rerun_still_runs(tmp_path: Path, whole: int, pure: int) -> None:
    code, calls, output = _make_test_runs(tmp_path, whole, pure)
    assert code != 0
    assert len(calls) == 2, output  # the pure-source rerun ran even after the whole suite failed
    assert f"whole suite exit {whole}, pure-source rerun exit {pure}" in output


@pytest.mark.parametrize("whole, pure", [(5, 0), (0, 5)])
def test_no_tests_collected_is_a_failure_never_a_pass(tmp_path: Path, whole: int, pure: int) -> None:
    code, calls, output = _make_test_runs(tmp_path, whole, pure)
    assert code != 0 and len(calls) == 2
    assert "pytest collected no tests: failing on purpose" in output
