"""Push to the Hub: the planned HfApi calls, and their execution order against a recording stand-in.

No network here: the real upload is not exercised; the calls and their arguments are.
"""
# ruff: noqa: F811  (pytest fixtures imported from release_fixtures are redefined as arguments)

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from release_fixtures import project  # noqa: F401

from goldkit.errors import ConfigError
from goldkit.release import hub
from goldkit.release.build import ReleaseOptions, build_release


class RecordingApi:
    """Stands in for huggingface_hub.HfApi: records each call, returns what the Hub would."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, method: str):  # type: ignore[no-untyped-def]
        def call(**kwargs: Any) -> Any:
            self.calls.append((method, kwargs))
            return SimpleNamespace(oid="abc123") if method == "upload_folder" else None

        return call


def test_plan_is_create_repo_upload_folder_create_tag(project: Path) -> None:
    release = build_release("1.2.0", ReleaseOptions()).path
    plan = [op.to_dict() for op in hub.plan_push(release, "org/news")]
    assert plan == [
        {
            "method": "create_repo",
            "kwargs": {"repo_id": "org/news", "repo_type": "dataset", "private": False, "exist_ok": True},
        },
        {
            "method": "upload_folder",
            "kwargs": {
                "repo_id": "org/news",
                "repo_type": "dataset",
                "folder_path": str(release),
                "commit_message": "Release v1.2.0",
                "delete_patterns": ["*"],
            },
        },
        {
            "method": "create_tag",
            "kwargs": {
                "repo_id": "org/news",
                "repo_type": "dataset",
                "tag": "v1.2.0",
                "revision": hub.UPLOADED_COMMIT,
                "tag_message": "Release v1.2.0",
            },
        },
    ]


def test_push_tags_the_commit_the_upload_made(project: Path) -> None:
    release = build_release("1.0.0", ReleaseOptions()).path
    api = RecordingApi()
    hub.push(hub.plan_push(release, "org/news", private=True), api=api)
    assert [name for name, _ in api.calls] == ["create_repo", "upload_folder", "create_tag"]
    assert api.calls[0][1]["private"] is True
    assert api.calls[2][1]["revision"] == "abc123"


def test_push_refuses_bad_repo_ids_and_edited_releases(project: Path) -> None:
    release = build_release("1.0.0", ReleaseOptions()).path
    with pytest.raises(ConfigError, match="not a Hub repo id"):
        hub.plan_push(release, "news")
    (release / "README.md").write_text("edited after release\n")
    with pytest.raises(ConfigError, match="does not match its SHA256SUMS: README.md"):
        hub.plan_push(release, "org/news")


def test_a_failing_hub_call_is_a_goldkit_error(project: Path) -> None:
    release = build_release("1.0.0", ReleaseOptions()).path

    class Refusing(RecordingApi):
        def create_repo(self, **kwargs: Any) -> None:
            raise OSError("401 Unauthorized")

    with pytest.raises(hub.HubError, match="create_repo failed on org/news: 401"):
        hub.push(hub.plan_push(release, "org/news"), api=Refusing())
