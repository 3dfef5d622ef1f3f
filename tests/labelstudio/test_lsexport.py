"""lsexport: a project comes back whole, once, in task order, whichever way it is chunked (real server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import export as lsexport

CONFIG = '<View><Labels name="l" toName="text"><Label value="A"/></Labels><Text name="text" value="$text"/></View>'


@pytest.fixture(autouse=True)
def _hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    monkeypatch.setattr(lsexport, "CHUNK", 4)  # small chunks, so a dozen tasks take several requests


def _project(admin: Any, title: str, texts: list[str]) -> tuple[int, list[int]]:
    project = admin.projects.create(title=title, label_config=CONFIG)
    created = admin.projects.import_tasks(
        id=project.id, request=[{"data": {"text": t}} for t in texts], return_task_ids=True
    )
    return project.id, list(created.task_ids)


def _exported(admin: Any, project_id: int) -> tuple[list[int], int]:
    """(task ids in the order yielded, number of chunks)."""
    chunks = list(lsexport.export_tasks(admin, project_id))
    return [t["id"] for chunk in chunks for t in chunk], len(chunks)


@pytest.mark.integration
def test_dense_project_comes_back_whole_in_id_ranges(ls_server) -> None:  # type: ignore[no-untyped-def]
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    project_id, ids = _project(admin, "lsexport dense", [f"text {i}" for i in range(13)])
    annotator = lsclient.connect(ls_server.url, ls_server.annotators[0].token)
    result = [{"id": "r1", "from_name": "l", "to_name": "text", "type": "labels",
               "value": {"start": 0, "end": 4, "text": "text", "labels": ["A"]}}]  # fmt: skip
    annotator.annotations.create(id=ids[5], result=result)
    exported, chunks = _exported(admin, project_id)
    assert exported == sorted(ids) and chunks == 4  # 13 ids in chunks of 4
    tasks = [t for chunk in lsexport.export_tasks(admin, project_id) for t in chunk]
    assert [a["result"][0]["id"] for a in next(t for t in tasks if t["id"] == ids[5])["annotations"]] == ["r1"]


@pytest.mark.integration
def test_sparse_ids_are_listed_and_other_projects_tasks_never_come_back(ls_server) -> None:  # type: ignore[no-untyped-def]
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    ours, ids = _project(admin, "lsexport sparse", ["first"])
    _project(admin, "lsexport other", [f"other {i}" for i in range(30)])  # a gap of 30 foreign ids
    for i in range(6):
        ids += admin.projects.import_tasks(
            id=ours, request=[{"data": {"text": f"more {i}"}}], return_task_ids=True
        ).task_ids
    exported, chunks = _exported(admin, ours)
    assert exported == sorted(ids) and chunks == 2  # 7 listed ids, not a 37-id range: no foreign task


@pytest.mark.integration
def test_tasks_added_during_the_export_are_fetched_too(ls_server, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    project_id, ids = _project(admin, "lsexport growing", [f"text {i}" for i in range(9)])
    real_export = lsclient.export_project_to
    added: list[int] = []

    def export_then_add_a_task(client: Any, pid: int, task_ids: Any, sink: Any) -> None:
        real_export(client, pid, task_ids, sink)
        if not added:  # an annotator's colleague imports a task while the pull runs
            added.extend(
                admin.projects.import_tasks(id=pid, request=[{"data": {"text": "late"}}], return_task_ids=True).task_ids
            )

    monkeypatch.setattr(lsclient, "export_project_to", export_then_add_a_task)
    exported, _ = _exported(admin, project_id)
    assert added and exported == sorted(ids + added)


@pytest.mark.integration
def test_a_small_project_is_one_request(ls_server) -> None:  # type: ignore[no-untyped-def]
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    project_id, ids = _project(admin, "lsexport small", ["one", "two", "three"])
    assert _exported(admin, project_id) == (ids, 1)
    empty = admin.projects.create(title="lsexport empty", label_config=CONFIG).id
    assert _exported(admin, empty) == ([], 1)


def test_an_empty_id_list_asks_for_nothing() -> None:
    assert lsclient.export_project_json(None, 1, []) == []  # type: ignore[arg-type]


@pytest.mark.integration
def test_each_export_request_has_a_connection_of_its_own(ls_server) -> None:  # type: ignore[no-untyped-def]
    """Every export asks the real server to close its connection (and the server does), so the chunks in
    flight are accepted by whichever worker is free rather than queueing on one kept-alive connection's."""
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    project_id, ids = _project(admin, "lsexport connections", [f"text {n}" for n in range(10)])
    answers: list[tuple[str, str | None, str | None]] = []

    def record(response: httpx.Response) -> None:
        request = response.request
        if request.url.path.endswith(f"/projects/{project_id}/export"):
            answers.append((request.url.path, request.headers.get("connection"), response.headers.get("connection")))

    http = admin._client_wrapper.httpx_client.httpx_client
    http.event_hooks = {**http.event_hooks, "response": [*http.event_hooks["response"], record]}
    assert _exported(admin, project_id)[0] == ids
    assert len(answers) >= 3  # one export per chunk of 4 ids
    assert {(asked, answered) for _, asked, answered in answers} == {("close", "close")}
