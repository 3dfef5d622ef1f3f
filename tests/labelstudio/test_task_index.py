"""The task index push plans with: remembered between pushes, listed again whenever the task set changed."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from goldkit import push
from goldkit.ingest.documents import build_document
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import task_index

pytestmark = pytest.mark.integration


def _documents(n: int) -> list[dict[str, Any]]:
    return [build_document(f"Report {i}: the ministers met in Riyadh.\n", [], f"index-{i}.txt") for i in range(n)]


def _no_listing(*_: Any) -> list[dict[str, Any]]:
    raise AssertionError("the task list was fetched although nothing changed")


def test_re_push_uses_the_index_until_the_task_set_changes(
    ls_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))  # the index lives in this test's state folder
    client = lsclient.connect(ls_server.url, ls_server.api_key)
    prefix = f"index-{uuid.uuid4().hex[:6]}"
    documents = _documents(3)
    first = push.push(documents, client=client, project_prefix=prefix)
    project_id = first.projects[0].project_id
    assert first.imported == 3 and project_id is not None

    with monkeypatch.context() as patch:
        patch.setattr(task_index, "existing_tasks", _no_listing)
        again = push.push(documents, client=client, project_prefix=prefix)  # from the index: no listing
    assert again.imported == 0 and sorted(again.projects[0].unchanged) == sorted(d["id"] for d in documents)

    client.tasks.delete(id=first.projects[0].task_ids[documents[1]["id"]])  # someone deletes a task in LS
    healed = push.push(documents, client=client, project_prefix=prefix)
    assert healed.projects[0].imported == [documents[1]["id"]]  # count changed: listed again, re-imported

    client.projects.import_tasks(id=project_id, request=[{"data": push.task_data(_documents(4)[3])}])  # added by hand
    listed = push.push(documents, client=client, project_prefix=prefix)
    assert listed.imported == 0
    assert task_index.fingerprint(client, project_id)[0] == 4
