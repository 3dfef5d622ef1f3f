"""Label Studio drafts (saved, never submitted): fetched whole, and read in an annotation's shape.

The full JSON export lists a task's drafts by id only; `GET /api/drafts/<id>/` gives one draft with its
result, user (the account's email), the annotation it is a draft of (or null), times and lead time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from goldkit.labelstudio import client as lsclient

if TYPE_CHECKING:  # the SDK is heavy to import: only for type checking here
    from label_studio_sdk import LabelStudio


def as_annotation(draft: Mapping[str, Any]) -> dict[str, Any]:
    """A draft (`GET /api/drafts/<id>/`) in an annotation's shape, for the one converter."""
    user = draft.get("user")
    return {
        "id": draft.get("id"),
        "completed_by": {"email": user} if isinstance(user, str) else user,
        "result": draft.get("result") or [],
        "created_at": draft.get("created_at"),
        "updated_at": draft.get("updated_at"),
        "lead_time": draft.get("lead_time"),
        "was_cancelled": False,
        "ground_truth": False,
    }


def fetch_drafts(client: LabelStudio, tasks: list[dict[str, Any]], emails: Mapping[int, str]) -> None:
    """Replace each task's draft ids by the drafts themselves (one request a draft), in place."""
    wrapper = client._client_wrapper
    http, url = wrapper.httpx_client.httpx_client, lsclient.client_url(client)
    for task in tasks:
        whole = []
        for draft_id in task.get("drafts") or []:
            if isinstance(draft_id, dict):
                whole.append(draft_id)
                continue
            with lsclient.errors_mapped(client, what=f"read draft {draft_id} of task {task.get('id')}"):
                response = http.get(f"{url}/api/drafts/{draft_id}/", headers=wrapper.get_headers())
                if response.status_code >= 400:
                    raise lsclient.api_error()(
                        status_code=response.status_code, headers=dict(response.headers), body=response.text
                    )
            draft = response.json()
            if isinstance(draft.get("user"), int) and draft["user"] in emails:
                draft["user"] = emails[draft["user"]]
            whole.append(draft)
        task["drafts"] = whole
