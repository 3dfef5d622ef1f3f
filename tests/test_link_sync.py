"""Linking on a real Label Studio: candidates pushed as link tasks, answered by two annotators, pulled,
scored and adjudicated; plus the pure sorting of a linking project's export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from goldkit import lsclient
from goldkit.ingest import load_documents
from goldkit.link_agreement import adjudicate_links, link_agreement
from goldkit.link_sync import link_projects, push_links, sort_link_tasks

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "annotations" / "gold"


def _gold() -> list[dict[str, Any]]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(GOLD.glob("*.json"))
        if not p.name.endswith(".adjudication.json")
    ]


def _answer(relation: str) -> list[dict[str, Any]]:
    return [{"from_name": "relation", "to_name": "source", "type": "choices", "value": {"choices": [relation]}}]


def _task(task_id: int, data: dict[str, Any], *annotations: dict[str, Any]) -> dict[str, Any]:
    return {"id": task_id, "data": data, "annotations": list(annotations)}


def test_sorting_counts_every_answer():
    data = {
        "pair_id": "link-event-1",
        "kind": "event",
        "source_document_id": "en-1",
        "source_id": "e1",
        "target_document_id": "ar-1",
        "target_id": "e9",
    }
    tasks = [
        _task(
            1,
            data,
            {"id": 10, "completed_by": 3, "result": _answer("same_event")},
            {"id": 11, "completed_by": 4, "result": _answer("supports")},  # not an event relation
            {"id": 12, "completed_by": 4, "result": [], "was_cancelled": True},
        )
    ]
    out = sort_link_tasks(5, tasks, {3: "a@x.org", 4: "b@x.org"})
    assert out.balanced() and (out.annotations, len(out.links), len(out.quarantine), out.cancelled) == (3, 1, 1, 1)
    assert out.links[0]["provenance"]["annotator"] == "a@x.org" and out.links[0]["provenance"]["ls_project"] == 5
    assert (
        out.quarantine[0]["annotation_id"] == 11
        and "cannot join two events" in out.quarantine[0]["reasons"][0]["message"]
    )
    assert out.quarantine[0]["annotation"]["result"] == _answer("supports")  # the raw answer is kept


@pytest.mark.integration
def test_link_round_trip_on_the_real_server(ls_server) -> None:  # type: ignore[no-untyped-def]
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    documents = load_documents(REPO / "annotations" / "documents.jsonl")
    first = push_links(_gold(), documents, client=admin)
    assert first.imported == len(first.candidates.candidates) > 0
    again = push_links(_gold(), documents, client=admin)
    assert again.imported == 0 and sum(p.unchanged for p in again.projects) == first.imported

    projects = dict(link_projects(admin))
    event_project = next(pid for pid, title in projects.items() if "· event ·" in title)
    tasks = lsclient.export_project_json(admin, event_project)
    by_pair = {(t["data"]["source_id"], t["data"]["target_id"]): t for t in tasks}
    meeting = by_pair[("ev-meeting-1", "ev-received")]  # English meeting ~ Arabic 'استقبل'
    other = next(t for key, t in by_pair.items() if key != ("ev-meeting-1", "ev-received"))
    one, two = (lsclient.connect(ls_server.url, a.token) for a in ls_server.annotators[:2])
    one.annotations.create(id=meeting["id"], result=_answer("same_event"))
    two.annotations.create(id=meeting["id"], result=_answer("same_event"))
    one.annotations.create(id=other["id"], result=_answer("same_event"))
    two.annotations.create(id=other["id"], result=_answer("unrelated"))
    two.annotations.create(id=other["id"], result=_answer("contradicts"))  # wrong kind: quarantined, kept

    emails = {a.user_id: a.email for a in ls_server.annotators}
    sorted_out = sort_link_tasks(event_project, lsclient.export_project_json(admin, event_project), emails)
    assert sorted_out.balanced()
    assert (len(sorted_out.links), len(sorted_out.quarantine)) == (4, 1)
    report = link_agreement(sorted_out.links)
    assert report.units == 2 and report.pairable_units == 2 and report.observed == pytest.approx(0.5)
    adjudicated = adjudicate_links(sorted_out.links, min_votes=2)
    assert [(g["source"]["id"], g["target"]["id"], g["relation"]) for g in adjudicated.gold] == [
        ("ev-meeting-1", "ev-received", "same_event")
    ]
    assert adjudicated.unresolved[0]["reason"] == "tie"
