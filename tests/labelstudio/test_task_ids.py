"""A since-last pull reads the project's task ids only: from the remembered index, else listed without data."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest

from goldkit.jsonio import write_json
from goldkit.labelstudio import task_index


def test_task_ids_come_from_the_index_when_it_matches_else_from_an_ids_only_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the since-last pull listed every task with its data (article texts) when the index was stale
    cache = tmp_path / "index.json"
    tasks = [{"id": 5, "data": {"doc_id": "a", "text_sha256": "0" * 64}}, {"id": 7, "data": {"doc_id": "b"}}]
    write_json(cache, {"fingerprint": [2, 7], "tasks": tasks})
    monkeypatch.setattr(task_index, "_cache_path", lambda client, project_id: cache)
    asked: list[tuple[int, str]] = []

    def page(client: Any, project_id: int, number: int, size: int, include: str) -> dict[str, Any]:
        asked.append((number, include))
        ids = [[{"id": 5}, {"id": 7}], [{"id": 9}], []][number - 1]
        return {"tasks": ids, "total": 3}

    monkeypatch.setattr(task_index, "_page", page)
    monkeypatch.setattr(task_index, "fingerprint", lambda client, project_id: [2, 7])
    assert task_index.known_task_ids(None, 1) == {5, 7} and asked == []  # type: ignore[arg-type]
    monkeypatch.setattr(task_index, "fingerprint", lambda client, project_id: [3, 9])  # a task was added
    monkeypatch.setattr(task_index.lsclient, "errors_mapped", lambda *a, **k: nullcontext())
    assert task_index.known_task_ids(None, 1) == {5, 7, 9}  # type: ignore[arg-type]
    assert asked == [(1, "id"), (2, "id")]  # ids only, page by page
