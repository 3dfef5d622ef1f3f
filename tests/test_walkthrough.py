"""The README's "After the demo" walkthrough, as a new user runs it, with no hand step (issue #12).

`make demo`'s state (the embedded server with the demo's projects holding the gold, submitted by the demo
annotator), then a second annotator's work through the API (examples/second_annotator.py, the script the
README runs), then pull → agree → adjudicate → validate → release of a free version → load_dataset, all
through goldkit's entry point, in a scratch copy of the project whose state folder is the session
server's (as a user's project holds its embedded server). The repository's own export/ is never written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from goldkit import demo
from goldkit.cli.main import main
from goldkit.jsonio import iter_jsonl, read_json
from goldkit.labelstudio import server
from goldkit.release.build import list_releases

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture, *args: str) -> Any:
    capsys.readouterr()
    code = main([*args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, f"goldkit {' '.join(args)} exited {code}: {err}"
    return json.loads(out)


def test_after_the_demo_a_second_annotator_then_pull_agree_adjudicate_release_load(
    ls_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    root = tmp_path / "project"
    for folder in ("corpus", "schema", "annotations", "export", "examples"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copyfile(REPO / "goldkit.toml", root / "goldkit.toml")
    (root / ".goldkit").symlink_to(ls_server.paths.state)  # the project's embedded server: the session's
    repo_export = sorted(str(p.relative_to(REPO)) for p in (REPO / "export").rglob("*"))
    monkeypatch.setenv("GOLDKIT_ROOT", str(root))
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)  # found like a user's: from the state folder
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    prefix = f"goldkit-demo-{uuid.uuid4().hex[:6]}"  # the demo's projects, apart from other tests' demo runs
    monkeypatch.setattr(demo, "DEMO_PREFIX", prefix)
    gold_before = {p.name: read_json(p) for p in (root / "annotations" / "gold").glob("*.json")}

    # make demo (what it leaves: its projects hold the gold, submitted by the demo annotator)
    shown = run_demo_state()
    assert shown.pulled_equal_gold and shown.gold_submitted == len(gold_before)

    # a second annotator's work through the API: the README's script, as a user runs it
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    script = [sys.executable, "examples/second_annotator.py", "annotator2@example.org", "--project-prefix", prefix]
    done = subprocess.run(script, cwd=root, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    second = json.loads(done.stdout)
    assert sorted(second["submitted"]) == sorted(r["document_id"] for r in gold_before.values())

    pulled = run(capsys, "pull", "--project-prefix", prefix)
    assert (pulled["counts"]["valid"], pulled["counts"]["quarantined"]) == (2 * len(gold_before), 0)
    agreement = run(capsys, "agree")
    entities = sum(len(g["entities"]) for g in gold_before.values())
    pair = "~".join(sorted([demo.DEMO_ANNOTATOR, "annotator2@example.org"]))
    (overall,) = [r for r in agreement["results"]["span_f1"]
                  if (r["layer"], r["label"], r["mode"], r["pair"]) == ("entities", "*", "exact", pair)]  # fmt: skip
    assert overall["f1"] == pytest.approx((entities - 1) / entities)  # the one planned boundary disagreement
    adjudicated = run(capsys, "adjudicate", "--strategy", "majority", "--force")
    language = {d["id"]: d["language"] for _, d in iter_jsonl(root / "annotations" / "documents.jsonl")}
    english, arabic = (next(g["document_id"] for g in gold_before.values() if language[g["document_id"]] == lang)
                       for lang in ("en", "ar"))  # fmt: skip
    assert [Path(p).stem for p in adjudicated["written"]] == [arabic]
    assert {u["document_id"] for u in adjudicated["unresolved"]} == {english}  # keeps its committed gold
    run(capsys, "validate", str(root / "annotations" / "gold"))
    latest = list_releases(REPO / "export")[-1]  # any free version does in a scratch copy: the next minor
    major, minor, _ = (int(part) for part in latest.split("."))
    version = f"{major}.{minor + 1}.0"
    released = run(capsys, "release", version)
    assert Path(released["path"]) == root / "export" / version and released["previous"] == latest

    import datasets

    for config, rows in released["rows"].items():
        loaded = datasets.load_dataset(released["path"], config, split="test", cache_dir=str(tmp_path / "hf" / config))
        assert loaded.num_rows == rows
    gold_ar = read_json(root / "annotations" / "gold" / f"{arabic}.json")
    assert gold_ar["provenance"]["method"] == "adjudicated" and len(gold_ar["provenance"]["annotators"]) == 2
    assert sorted(str(p.relative_to(REPO)) for p in (REPO / "export").rglob("*")) == repo_export


def run_demo_state() -> demo.DemoReport:
    """What `make demo` runs, on the project's embedded server (already up: the session's)."""
    url = server.running_server()
    assert url is not None, "the project's state folder should name the session server"
    account = server.create_user(demo.DEMO_ANNOTATOR)
    return demo.run_demo(existing=(url["url"], account))
