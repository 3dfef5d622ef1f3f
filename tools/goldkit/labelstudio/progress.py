"""Where a project stands, from Label Studio's own counters: no export, a few requests per project.

One `GET /api/projects/{id}/` gives the project's counters (tasks, submitted and skipped annotations,
tasks that reached the overlap); `GET /api/projects/{id}/annotators/` lists who annotated; per annotator
one data-manager count (`GET /api/tasks?page_size=1` filtered on `tasks:annotators contains <id>`,
read from the page's `total`) gives the tasks they annotated (submitted or skipped); `GET /api/users/`
gives each user's last activity on the server (Label Studio 1.23.2 keeps no per-project activity).
Requests grow with projects × annotators, not with tasks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from goldkit.labelstudio import client as lsclient

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio


@dataclass
class AnnotatorProgress:
    user_id: int
    email: str
    tasks: int  # tasks of the project this annotator submitted or skipped
    last_activity: str | None  # the server's last request by this user (any project)


@dataclass
class ProjectProgress:
    project_id: int
    title: str
    overlap: int  # annotators wanted per task (maximum_annotations)
    tasks: int
    annotations: int  # submitted (not skipped)
    skipped: int
    tasks_done: int  # tasks that reached the overlap
    tasks_started: int  # tasks with at least one annotation
    annotators: list[AnnotatorProgress] = field(default_factory=list)

    @property
    def tasks_remaining(self) -> int:
        return max(0, self.tasks - self.tasks_done)

    @property
    def tasks_not_started(self) -> int:
        return max(0, self.tasks - self.tasks_started)

    @property
    def annotations_to_go(self) -> int:
        """Submitted annotations still missing for every task to reach the overlap (counters only)."""
        return max(0, self.overlap * self.tasks - self.annotations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "project_id": self.project_id,
            "title": self.title,
            "overlap": self.overlap,
            "tasks": self.tasks,
            "annotations": self.annotations,
            "skipped": self.skipped,
            "tasks_done": self.tasks_done,
            "tasks_started": self.tasks_started,
            "tasks_remaining": self.tasks_remaining,
            "tasks_not_started": self.tasks_not_started,
            "annotations_to_go": self.annotations_to_go,
            "annotators": [a.__dict__ for a in self.annotators],
        }


def _get(client: LabelStudio, path: str, params: dict[str, Any] | None = None, what: str = "") -> Any:
    wrapper = client._client_wrapper
    http = wrapper.httpx_client.httpx_client
    with lsclient.errors_mapped(client, what=what or f"GET {path}"):
        response = http.get(f"{lsclient.client_url(client)}{path}", params=params, headers=wrapper.get_headers())
        if response.status_code >= 400:
            raise lsclient.api_error()(
                status_code=response.status_code, headers=dict(response.headers), body=response.text
            )
        return response.json()


def last_activity(client: LabelStudio) -> dict[int, tuple[str, str | None]]:
    """User id -> (email, last activity) for every user, in one request."""
    users = _get(client, "/api/users/", what="list users")
    return {int(u["id"]): (str(u.get("email") or ""), u.get("last_activity")) for u in users}


def tasks_annotated_by(client: LabelStudio, project_id: int, user_id: int) -> int:
    """How many of the project's tasks hold an annotation (submitted or skipped) by this user."""
    item = {"filter": "filter:tasks:annotators", "operator": "contains", "type": "List", "value": user_id}
    query = {"filters": {"conjunction": "and", "items": [item]}, "selectedItems": {"all": True, "excluded": []}}
    params = {"project": project_id, "page_size": 1, "page": 1, "query": json.dumps(query)}
    page = _get(client, "/api/tasks", params, what=f"count the tasks of user {user_id} in project {project_id}")
    return int(page["total"])


def project_progress(
    client: LabelStudio, project_id: int, users: dict[int, tuple[str, str | None]] | None = None
) -> ProjectProgress:
    """Read one project's counters and its annotators' task counts."""
    project = _get(client, f"/api/projects/{project_id}/", what=f"read project {project_id}")
    users = users if users is not None else last_activity(client)
    annotators = _get(client, f"/api/projects/{project_id}/annotators/", what=f"list project {project_id}'s annotators")
    skipped = int(project.get("skipped_annotations_number") or 0)
    progress = ProjectProgress(
        project_id=project_id,
        title=str(project.get("title") or ""),
        overlap=int(project.get("maximum_annotations") or 1),
        tasks=int(project.get("task_number") or 0),
        annotations=int(project.get("total_annotations_number") or 0),
        skipped=skipped,
        tasks_done=int(project.get("finished_task_number") or 0),
        tasks_started=int(project.get("num_tasks_with_annotations") or 0),
    )
    for user in annotators:
        uid = int(user["id"])
        email, seen = users.get(uid, (str(user.get("email") or uid), None))
        progress.annotators.append(AnnotatorProgress(uid, email, tasks_annotated_by(client, project_id, uid), seen))
    progress.annotators.sort(key=lambda a: a.email)
    return progress
