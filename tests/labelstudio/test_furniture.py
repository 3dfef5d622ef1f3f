"""Page furniture on the screen: masked with offsets kept, shown apart, and refused on pull."""

from __future__ import annotations

from typing import Any

import pytest

from goldkit import pull, push
from goldkit.labelstudio import furniture
from goldkit.schema import layers as lsmap

TEXT = "Home / News\nRIYADH – Officials met.\nShare this\n"
BOILERPLATE = [
    {"kind": "breadcrumb", "start": 0, "end": 11, "text": "Home / News"},
    {"kind": "share", "start": 36, "end": 46, "text": "Share this"},
]


def test_the_mask_keeps_every_offset_and_hides_only_the_furniture() -> None:
    shown = furniture.shown_text(TEXT, BOILERPLATE)
    assert len(shown) == len(TEXT)
    assert shown[:11] == "░░░░ ░ ░░░░"  # spaces kept: the mask has the furniture's shape and wraps like it
    assert shown[11:36] == TEXT[11:36]  # the article itself is untouched, so a span there is the text's span
    assert shown[36:46] == "░░░░░ ░░░░" and shown[46:] == "\n"
    assert "Home" not in shown and "Share" not in shown


def test_the_furniture_block_lists_each_span_with_its_kind() -> None:
    block = furniture.furniture_text(TEXT, BOILERPLATE, {"breadcrumb": "Breadcrumb", "share": "Share footer"})
    assert block == "Breadcrumb: Home / News\nShare footer: Share this"


def _annotation(start: int, end: int) -> dict[str, Any]:
    value = {"start": start, "end": end, "text": TEXT[start:end], "labels": ["gpe"]}
    return {
        "id": 7,
        "result": [{"id": "r1", "from_name": "entity", "to_name": "text", "type": "labels", "value": value}],
    }


def test_a_region_touching_furniture_gets_a_reason_naming_it() -> None:
    assert furniture.spans_in_boilerplate({"id": 1}, _annotation(12, 18), BOILERPLATE) == []  # RIYADH
    assert furniture.spans_in_boilerplate({"id": 1}, _annotation(11, 12), BOILERPLATE) == []  # touching is fine
    [reason] = furniture.spans_in_boilerplate({"id": 1}, _annotation(7, 18), BOILERPLATE)
    assert reason["reason"] == furniture.SPAN_IN_BOILERPLATE
    assert reason["region"] == "r1" and reason["got"] == [7, 18]
    assert "breadcrumb [0, 11)" in reason["message"]


def _document() -> dict[str, Any]:
    import hashlib

    sha = hashlib.sha256(TEXT.encode()).hexdigest()
    return {"id": f"doc-{sha[:8]}", "sha256": sha, "text": TEXT, "language": "en", "title": "T",
            "boilerplate": BOILERPLATE}  # fmt: skip


def test_push_sends_the_masked_copy_and_the_block_beside_the_real_text() -> None:
    data = push.task_data(_document())
    assert data["text"] == TEXT  # pull checks this one against the document
    assert data[lsmap.SHOWN_KEY] == furniture.shown_text(TEXT, BOILERPLATE)
    assert data[lsmap.FURNITURE_KEY].splitlines() == ["Breadcrumb: Home / News", "Share footer: Share this"]


def test_pull_quarantines_an_annotation_over_furniture_and_keeps_the_others() -> None:
    document = _document()
    task = {"id": 1, "data": push.task_data(document), "annotations": [
        {**_annotation(7, 18), "id": 7, "completed_by": 1, "created_at": "2026-01-01T00:00:00Z"},
        {**_annotation(12, 18), "id": 8, "completed_by": 2, "created_at": "2026-01-01T00:00:00Z"},
    ]}  # fmt: skip
    out = pull.Sorted()
    counts = pull.ProjectCounts(project_id=3, title="goldkit · en")
    pull.sort_project(3, [task], counts, out, emails={1: "a@x", 2: "b@x"}, documents={document["id"]: document})
    [line] = out.quarantine
    assert line["annotation_id"] == 7 and [r["reason"] for r in line["reasons"]] == [furniture.SPAN_IN_BOILERPLATE]
    [record] = out.records
    assert record["entities"][0]["span"] == {"start": 12, "end": 18, "text": "RIYADH"}


def _config_before_furniture(language: str) -> str:
    """The labeling config as goldkit rendered it before the furniture block: the article shows `$text`."""
    import xml.etree.ElementTree as ET

    from goldkit.generate import render

    root = ET.fromstring(render.label_config(language))
    for parent in root.iter():
        for child in list(parent):
            if child.get("className") == render.FURNITURE_CLASS:
                parent.remove(child)
            elif child.tag == "Text":
                child.set("value", "$text")
    return ET.tostring(root, encoding="unicode")


@pytest.mark.integration
def test_a_push_with_the_furniture_config_gives_older_tasks_the_keys_it_reads(ls_server: Any) -> None:
    """A project made before the masked copy existed: push changes the config and fills the tasks' new keys."""
    import uuid

    from goldkit import paths
    from goldkit.ingest.documents import ingest
    from goldkit.labelstudio import client as lsclient
    from goldkit.labelstudio.projects import project_title

    prefix = f"furniture-{uuid.uuid4().hex[:6]}"
    arabic = next(d for d in ingest([paths.corpus_dir()]).documents if d["language"] == "ar")
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    project = admin.projects.create(title=project_title("ar", prefix), label_config=_config_before_furniture("ar"))
    old = {key: push.task_data(arabic)[key] for key in ("text", "doc_id", "sha256", "language", "title")}
    [task_id] = admin.projects.import_tasks(id=project.id, request=[{"data": old}], return_task_ids=True).task_ids

    [plan] = push.push([arabic], client=admin, project_prefix=prefix).projects
    assert plan.config_changed and plan.unchanged == [arabic["id"]] and plan.data_refreshed == [task_id]
    data = admin.tasks.get(id=task_id).data
    assert data["text"] == arabic["text"]  # the text pull checks is untouched
    assert data[lsmap.SHOWN_KEY] == furniture.shown_text(arabic["text"], arabic["boilerplate"])
    assert "verified icon" in data[lsmap.FURNITURE_KEY]
    [again] = push.push([arabic], client=admin, project_prefix=prefix).projects
    assert not again.config_changed and again.data_refreshed == []
