"""`goldkit demo`'s pipeline on the session's real Label Studio: gold in, gold out, released, loaded; twice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from goldkit.demo import DEMO_OVERLAP, DEMO_PREFIX, run_demo
from goldkit.generate import render
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import projects

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parent.parent


def test_demo_round_trips_the_gold_and_a_second_run_duplicates_nothing(
    ls_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder in ("corpus", "schema", "annotations/gold"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    monkeypatch.setenv("LABEL_STUDIO_URL", ls_server.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server.api_key)
    annotator = ls_server.annotators[1]
    steps: list[str] = []
    # a real project of the same language, as a team lead has it: overlap 2, one task, nobody's annotation
    client = lsclient.connect(ls_server.url, ls_server.api_key)
    real = projects.find_project(client, "en") or client.projects.create(
        title=projects.project_title("en"), label_config=render.label_config("en"), maximum_annotations=2
    )
    client.projects.update(id=real.id, maximum_annotations=2)
    before = client.projects.get(id=real.id)

    first = run_demo(lambda name, detail: steps.append(name), existing=(ls_server.url, annotator))
    assert steps == ["ingest", "schema", "gold", "server", "push", "annotate", "pull", "release"]
    assert (first.pushed, first.gold_submitted, first.gold_already_there) == (2, 2, 0)
    assert first.pulled_equal_gold
    gold = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((REPO / "annotations" / "gold").glob("*-*.json"))]
    expected = {key: sum(len(g[key]) for g in gold) for key in ("entities", "events", "claims")}
    links = (REPO / "annotations" / "gold" / "links.jsonl").read_text(encoding="utf-8").splitlines()
    assert first.counts == {"documents": len(gold), **expected, "links": len(links)}
    assert {s["language"] for s in first.sample_claims} == {"en", "ar"}
    assert (tmp_path / "annotations" / "documents.jsonl").read_text(encoding="utf-8") == (
        REPO / "annotations" / "documents.jsonl"
    ).read_text(encoding="utf-8")  # ingest of the same corpus gives the committed documents

    assert first.predictions_attached == 2 and "2 rule-based pre-annotation(s) attached" in first.steps[4]["detail"]

    again = run_demo(existing=(ls_server.url, annotator))
    assert (again.pushed, again.gold_submitted, again.gold_already_there) == (0, 0, 2)
    assert again.pulled_equal_gold
    # a rerun attached nothing and says so (it used to print "pre-annotations attached" regardless)
    assert again.predictions_attached == 0 and "attached as predictions" not in again.steps[4]["detail"]
    # the demo worked in projects of its own; the real one kept its overlap and saw no task or annotation
    demo_en = projects.find_project(client, "en", DEMO_PREFIX)
    assert demo_en is not None and demo_en.maximum_annotations == DEMO_OVERLAP and demo_en.id != real.id
    after = client.projects.get(id=real.id)
    assert (after.maximum_annotations, after.task_number, after.num_tasks_with_annotations) == (
        before.maximum_annotations, before.task_number, before.num_tasks_with_annotations)  # fmt: skip
