"""Project discovery: goldkit.toml found upward from the working directory; --project and GOLDKIT_ROOT override."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from goldkit import paths
from goldkit.cli import main as cli_main
from goldkit.cli.errors import hint_for
from goldkit.errors import ProjectNotFound
from goldkit.scaffold import init_project
from goldkit.schema.loading import label_values

REPO = Path(__file__).resolve().parents[1]
TOOLS = REPO / "tools"
SEEDS = REPO / "tests" / "data" / "ingest_seeds" / "input"
EN_SEED = SEEDS / "000_a681de6f3d5f1a0d.txt"
AR_SEED = SEEDS / "003_5fb4ba3b4aa07823.txt"


@pytest.fixture(autouse=True)
def _no_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.ROOT_ENV, raising=False)


def _goldkit(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run goldkit in its own process, as a user in `cwd` would (this tree's package, whatever the venv holds)."""
    environ = {k: v for k, v in os.environ.items() if k != paths.ROOT_ENV} | {"PYTHONPATH": str(TOOLS)}
    return subprocess.run(
        [sys.executable, "-m", "goldkit.cli.main", *args],
        cwd=cwd,
        env=environ | (env or {}),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_project_is_found_from_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / paths.PROJECT_FILE).write_text("[project]\nname = 'x'\n")
    deep = tmp_path / "corpus" / "2024" / "june"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert paths.project_root() == tmp_path.resolve()
    assert paths.documents_path() == tmp_path.resolve() / "annotations" / "documents.jsonl"
    assert paths.schema_path() == tmp_path.resolve() / "schema" / "goldkit.schema.json"  # its own, even if missing


def test_goldkit_root_overrides_the_search_and_project_overrides_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, env_root, chosen = (tmp_path / name for name in ("here", "env", "chosen"))
    for folder in (here, env_root, chosen):
        folder.mkdir()
        (folder / paths.PROJECT_FILE).write_text("")
    monkeypatch.chdir(here)
    assert paths.project_root() == here.resolve()
    monkeypatch.setenv(paths.ROOT_ENV, str(env_root))
    assert paths.project_root() == env_root.resolve()
    with paths.in_project(chosen):
        assert paths.project_root() == chosen.resolve()
    assert paths.project_root() == env_root.resolve()


def test_outside_any_project_commands_say_so_and_name_init(tmp_path: Path) -> None:
    result = _goldkit("ingest", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "not inside a goldkit project" in result.stderr and "goldkit init" in result.stderr
    assert "internal error" not in result.stderr
    assert not any(tmp_path.iterdir()), "nothing may be written outside a project"
    assert _goldkit("--help", cwd=tmp_path).returncode == 0  # help needs no project


def test_outside_a_project_the_library_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProjectNotFound) as caught:
        paths.documents_path()
    assert "goldkit init" in hint_for(caught.value)
    assert paths.schema_path() == paths.DEFAULT_SCHEMA_PATH  # the package's labels stay readable


def test_a_missing_project_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = _goldkit("--project", str(tmp_path / "nowhere"), "ingest", cwd=tmp_path)
    assert result.returncode == 1 and "no such folder" in result.stderr and "goldkit init" in result.stderr


def test_two_projects_sharing_one_venv_each_write_only_into_their_own(tmp_path: Path) -> None:
    """The bug of issue #14: run from a second clone, goldkit wrote into the first clone's folders."""
    repo_documents = REPO / "annotations" / "documents.jsonl"
    before = hashlib.sha256(repo_documents.read_bytes()).hexdigest()
    first, second = tmp_path / "first", tmp_path / "second"
    init_project(first)
    init_project(second)
    shutil.copy(EN_SEED, first / "corpus")
    shutil.copy(AR_SEED, second / "corpus")
    assert _goldkit("ingest", cwd=first / "corpus").returncode == 0  # from a subfolder, as git would
    assert _goldkit("ingest", cwd=second).returncode == 0
    assert _languages(first) == ["en"] and _languages(second) == ["ar"]
    other = tmp_path / "elsewhere"
    other.mkdir()
    moved = _goldkit("--project", str(first), "ingest", str(second / "corpus"), "--json", cwd=other)
    assert moved.returncode == 0, moved.stderr
    assert json.loads(moved.stdout)["out"] == str(first.resolve() / "annotations" / "documents.jsonl")
    assert _languages(second) == ["ar"], "--project first must not touch second"
    assert not any(other.iterdir())
    assert hashlib.sha256(repo_documents.read_bytes()).hexdigest() == before


def _languages(root: Path) -> list[str]:
    lines = (root / "annotations" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    return sorted(json.loads(line)["language"] for line in lines)


def test_the_schema_is_the_projects_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation, labels and rendering read the schema of the project they run in, not the package's copy."""
    custom = tmp_path / "custom"
    init_project(custom, languages=["en"])
    schema_file = custom / paths.SCHEMA_FILE
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    schema["$defs"]["EventType"]["oneOf"].append(
        {"const": "flood", "title": "Flood", "description": "Water covers land.", "x-roles": ["place", "time"]}
    )
    schema_file.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    monkeypatch.chdir(custom)
    assert "flood" in label_values("EventType")
    assert label_values("Language") == ["en"]
    monkeypatch.chdir(REPO)
    assert "flood" not in label_values("EventType") and "ar" in label_values("Language")
    monkeypatch.chdir(custom)
    assert cli_main.main(["schema", "render", "--check"]) == 1  # the edited schema has not been rendered
    assert cli_main.main(["schema", "render"]) == 0
    assert "flood" in (custom / "schema" / "labelstudio.en.xml").read_text(encoding="utf-8")
    assert not (custom / "schema" / "labelstudio.ar.xml").exists()


def test_the_packaged_default_schema_is_the_repositorys() -> None:
    """`goldkit init` copies the schema shipped in the package; it must be this project's schema."""
    assert paths.DEFAULT_SCHEMA_PATH.read_bytes() == (REPO / paths.SCHEMA_FILE).read_bytes(), (
        "copy it: cp schema/goldkit.schema.json tools/goldkit/schema/default.schema.json"
    )


def test_this_repository_is_a_project() -> None:
    assert paths.find_project(REPO / "tools" / "goldkit") == REPO
