"""compiled: the mypyc build is used only while fresh, and gives exactly what the pure-Python source gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import goldkit
from goldkit import compiled

DATA = Path(__file__).parent / "data"
# Convert every golden case of the convert tests and broken copies of it (one result spoiled at a time),
# and print each outcome (record, problems) as JSON.
CONVERT_ALL = """
import copy, json, sys
from pathlib import Path
import goldkit
from goldkit.labelstudio.convert import results_to_record

def spoiled(annotation):
    for i, result in enumerate(annotation["result"]):
        for key, value in (("value", None), ("value", {"start": -1, "end": 10**6, "labels": ["nope"]}),
                           ("from_name", "nope"), ("type", "rectangle"), ("id", "r-dup")):
            broken = copy.deepcopy(annotation)
            broken["result"][i][key] = value
            yield f"{i}/{key}/{value}", broken
    yield "reversed", {**annotation, "result": annotation["result"][::-1]}

out = {"compiled": goldkit.COMPILED}
for case in sorted(Path(sys.argv[1]).glob("convert_*")):
    task = json.loads((case / "task.json").read_text(encoding="utf-8"))
    annotation = json.loads((case / "annotation.json").read_text(encoding="utf-8"))
    for name, variant in [("as is", annotation), *spoiled(annotation)]:
        c = results_to_record(task, variant)
        out[f"{case.name}/{name}"] = [c.record, [p.to_dict() for p in c.problems]]
print(json.dumps(out, sort_keys=True, default=str))
"""


def _convert_all(pure: bool) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != compiled.PURE_ENV}
    if pure:
        env[compiled.PURE_ENV] = "1"
    done = subprocess.run([sys.executable, "-c", CONVERT_ALL, str(DATA)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


@pytest.mark.skipif(not compiled.is_fresh(), reason="no fresh mypyc build (make install builds it)")
def test_compiled_and_pure_modules_give_the_same_records_and_problems() -> None:
    fast, pure = _convert_all(pure=False), _convert_all(pure=True)
    assert fast.pop("compiled") is True and pure.pop("compiled") is False
    outcomes = list(fast.values())
    assert any(record for record, _ in outcomes) and any(problems for _, problems in outcomes)  # type: ignore[misc]
    assert len(fast) > 100 and fast == pure


def test_ci_runs_the_compiled_modules() -> None:
    """CI measures and tests what pull runs: the build must exist there and be fresh."""
    if not os.environ.get("CI"):
        pytest.skip("outside CI the pure-Python modules are allowed (make install builds the compiled ones)")
    assert goldkit.COMPILED and compiled.is_fresh()


def test_a_build_goes_stale_when_a_source_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "goldkit"
    package.mkdir()
    for name in compiled.MODULES:
        (package / f"{name}.py").parent.mkdir(parents=True, exist_ok=True)
        (package / f"{name}.py").write_text(f"# {name}\n")
    monkeypatch.setattr(compiled, "PACKAGE_DIR", package)
    monkeypatch.setattr(compiled, "BUILD_DIR", tmp_path / "_compiled")
    monkeypatch.setattr(compiled, "MANIFEST", tmp_path / "_compiled" / "manifest.json")
    monkeypatch.delenv(compiled.PURE_ENV, raising=False)
    assert not compiled.is_fresh() and compiled.activate([]) is False  # never built
    compiled.MANIFEST.parent.mkdir()
    compiled.MANIFEST.write_text(json.dumps({"digest": compiled.source_digest()}))
    path: list[str] = []
    monkeypatch.setattr(sys, "path", list(sys.path))
    assert compiled.activate(path) and path == [str(tmp_path / "_compiled" / "goldkit")]
    monkeypatch.setenv(compiled.PURE_ENV, "1")
    assert compiled.activate([]) is False  # turned off by the environment
    monkeypatch.delenv(compiled.PURE_ENV)
    (package / "labelstudio" / "convert.py").write_text("# convert, edited\n")
    assert not compiled.is_fresh() and compiled.activate([]) is False
