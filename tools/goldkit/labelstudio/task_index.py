"""What tasks a Label Studio project holds: listed cheaply, and remembered between pushes.

Listing a project's tasks costs the server ~0.3 ms a task whatever fields are asked for, about what
importing them cost, so a re-push that lists everything is as slow as the first push. goldkit
therefore keeps, per server and project, the (task id, doc_id, sha256) it knows of in the state
folder, with a fingerprint of the task set: (task count, highest task id). Two one-task requests
read the fingerprint; when it matches, the remembered list is used, else the tasks are listed again.
Task ids only grow, so a task deleted and another added changes the highest id, and a deletion alone
changes the count. What the fingerprint cannot see is task *data* edited inside Label Studio: a push
after such an edit does not report the conflict until the next full listing (any import or
deletion makes one, and a pull that finds a task's text changed forgets the project). A listing keeps
the sha256 of each task's text as it is (`text_sha256`), so the conflict is seen whatever sha256 the
task's data still claims.
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ijson

from goldkit.jsonio import read_json, write_json
from goldkit.labelstudio import client as lsclient
from goldkit.paths import state_dir

if TYPE_CHECKING:  # the SDK is heavy to import: only for type checking here
    from label_studio_sdk import LabelStudio

LIST_PAGE = 5000  # tasks per page when listing a project's existing tasks
KEPT_DATA = ("doc_id", "sha256", "pair_id")  # what push needs of a task's data to plan
TEXT_SHA256 = "text_sha256"  # beside them: the sha256 of the task's text as listed (not as its data claims)


def _page(client: LabelStudio, project_id: int, page: int, size: int, include: str) -> dict[str, Any]:
    """One page of the data manager's task list (`GET /api/tasks`, ordered by id)."""
    wrapper = client._client_wrapper
    params: dict[str, str | int] = {
        "project": project_id,
        "fields": "task_only",
        "include": include,
        "resolve_uri": "false",
        "page": page,
        "page_size": size,
    }
    response = wrapper.httpx_client.httpx_client.get(
        f"{lsclient.client_url(client)}/api/tasks",
        params=params,
        headers=wrapper.get_headers(),
    )
    if response.status_code >= 400:
        raise lsclient.api_error()(status_code=response.status_code, headers=dict(response.headers), body=response.text)
    answer: dict[str, Any] = response.json()
    return answer


def existing_tasks(client: LabelStudio, project_id: int) -> list[dict[str, Any]]:
    """List the id and data of every task of a project, without annotations or predictions.

    The data manager's task list took ~6x less server time than the full JSON export on 10,000 tasks
    (bench/push_pull.py).
    """
    tasks: list[dict[str, Any]] = []
    with lsclient.errors_mapped(client, what=f"list the tasks of project {project_id}", project_id=project_id):
        for page in itertools.count(1):
            answer = _page(client, project_id, page, LIST_PAGE, "id,data")
            tasks += answer["tasks"]
            if not answer["tasks"] or len(tasks) >= answer["total"]:
                return tasks
    raise AssertionError("unreachable")


def fingerprint(client: LabelStudio, project_id: int, total: int | None = None) -> list[int]:
    """(task count, highest task id) of a project, from one-task requests (one when the count is known)."""
    with lsclient.errors_mapped(client, what=f"count the tasks of project {project_id}", project_id=project_id):
        if total is None:
            total = int(_page(client, project_id, 1, 1, "id")["total"])
        if total == 0:
            return [0, 0]
        last = _page(client, project_id, total, 1, "id")["tasks"]
    return [total, int(last[0]["id"]) if last else -1]


def id_span(client: LabelStudio, project_id: int) -> tuple[int, int, int]:
    """(task count, lowest id, highest id) of a project, from one-task requests; (0, 0, 0) when empty."""
    with lsclient.errors_mapped(client, what=f"count the tasks of project {project_id}", project_id=project_id):
        head = _page(client, project_id, 1, 1, "id")
        total = int(head["total"])
        if total == 0 or not head["tasks"]:
            return 0, 0, 0
        last = _page(client, project_id, total, 1, "id")["tasks"] if total > 1 else head["tasks"]
    first = int(head["tasks"][0]["id"])
    return total, first, int(last[0]["id"]) if last else first


def _cache_path(client: LabelStudio, project_id: int) -> Path:
    server = hashlib.sha256(lsclient.client_url(client).encode()).hexdigest()[:12]
    return state_dir() / "task-index" / f"{server}-{project_id}.json"


def slim(task: dict[str, Any]) -> dict[str, Any]:
    """What the index keeps of a task: its id, the data push plans with, the sha256 of its text."""
    data = task.get("data") or {}
    slim = {k: data[k] for k in KEPT_DATA if k in data}
    if isinstance(data.get("text"), str):
        slim[TEXT_SHA256] = hashlib.sha256(data["text"].encode("utf-8")).hexdigest()
    return {"id": task["id"], "data": slim}


def forget(client: LabelStudio, project_id: int) -> None:
    """Forget what is remembered of a project's tasks: the next push lists them again."""
    _cache_path(client, project_id).unlink(missing_ok=True)


def known_tasks(client: LabelStudio, project_id: int, total: int | None = None) -> list[dict[str, Any]]:
    """The project's tasks (id and the data push plans with): remembered when the fingerprint matches.

    `total` is the project's task count when the caller has it (the project list gives `task_number`).
    """
    path = _cache_path(client, project_id)
    current = fingerprint(client, project_id, total)
    if path.is_file():
        cached = read_json(path)
        if cached.get("fingerprint") == current:
            return list(cached["tasks"])
    tasks = [slim(t) for t in existing_tasks(client, project_id)]
    if len(tasks) == current[0]:  # nothing changed while listing
        write_json(path, {"fingerprint": current, "tasks": tasks})
    return tasks


def known_task_ids(client: LabelStudio, project_id: int) -> set[int]:
    """The ids of the project's tasks: from the remembered list when the fingerprint matches, else listed.

    Only ids are read (a since-last pull needs no task data): the remembered list is parsed a task id
    at a time (ijson), and a listing asks for ids alone, LIST_PAGE at a time.
    """
    path = _cache_path(client, project_id)
    current = fingerprint(client, project_id)
    if path.is_file():
        with path.open("rb") as fh:
            remembered = next(ijson.items(fh, "fingerprint"), None)
        if remembered == current:
            with path.open("rb") as fh:
                return {int(task_id) for task_id in ijson.items(fh, "tasks.item.id")}
    ids: set[int] = set()
    with lsclient.errors_mapped(client, what=f"list the tasks of project {project_id}", project_id=project_id):
        for page in itertools.count(1):
            answer = _page(client, project_id, page, LIST_PAGE, "id")
            ids.update(int(t["id"]) for t in answer["tasks"])
            if not answer["tasks"] or len(ids) >= answer["total"]:
                return ids
    raise AssertionError("unreachable")


def remember_imported(
    client: LabelStudio,
    project_id: int,
    before: list[dict[str, Any]],
    added: list[dict[str, Any]],
) -> None:
    """After an import, remember the new tasks too, given as `slim` rows (or forget the project when the
    ids are unknown)."""
    path = _cache_path(client, project_id)
    if not added or any(t.get("id") is None for t in added):
        path.unlink(missing_ok=True)
        return
    tasks = before + added
    write_json(path, {"fingerprint": [len(tasks), max(t["id"] for t in tasks)], "tasks": tasks})
