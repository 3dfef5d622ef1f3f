"""The diff of two releases read in batches, document by document (release/diff.py), equals the diff read whole."""
# ruff: noqa: F811  (pytest fixtures imported from release_fixtures are redefined as arguments)

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from release_fixtures import AR, EN, FIXTURE, project  # noqa: F401

from goldkit.jsonio import read_json, write_json
from goldkit.release import diff, shards
from goldkit.release.build import ReleaseOptions, build_release

EXPORT = Path(__file__).resolve().parents[2] / "export"


def _whole(old: Path, new: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """diff_releases as if neither release were in document order: every config read whole and sorted."""

    def unsorted(*args: Any) -> Any:
        raise diff._Unsorted

    with monkeypatch.context() as patch:
        patch.setattr(diff, "_streamed_documents", unsorted)
        patch.setattr(diff, "_comparable_batches", unsorted)
        return diff.diff_releases(old, new).to_dict()


def _two_releases(project: Path, out: Path) -> tuple[Path, Path]:
    """1.0.0 of the fixture, then 1.1.0 with a claim's verdict and an entity's span changed and the Arabic
    document's record removed, both written in row groups of two rows (documents cut between them)."""
    first = build_release("1.0.0", ReleaseOptions(annotations=FIXTURE / "pull", out=out))
    gold = project / "annotations" / "gold"
    record = read_json(gold / f"{EN}.json")
    record["claims"][0]["verdict"] = "unchecked" if record["claims"][0]["verdict"] != "unchecked" else "supported"
    record["entities"][-1]["span"]["end"] -= 1
    record["entities"][-1]["span"]["text"] = record["entities"][-1]["span"]["text"][:-1]
    write_json(gold / f"{EN}.json", record)
    (gold / f"{AR}.json").unlink()
    (gold / "links.jsonl").unlink()
    second = build_release("1.1.0", ReleaseOptions(out=out))
    return first.path, second.path


def test_the_diff_walked_row_by_row_is_the_diff_read_whole(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shards, "ROW_GROUP_ROWS", 2)
    monkeypatch.setattr(shards, "SHARD_ROWS", 3)
    monkeypatch.setattr(diff, "BATCH_ROWS", 1)
    old, new = _two_releases(project, tmp_path / "export")
    streamed = diff.diff_releases(old, new).to_dict()
    assert streamed == _whole(old, new, monkeypatch)
    assert streamed["documents"]["removed"] == [AR] and EN in streamed["labels"]
    assert "verdict" in str(streamed["labels"][EN]["claims"]["changed"])
    assert diff.diff_releases(new, old).to_dict() == _whole(new, old, monkeypatch)  # and the other way round


def test_the_published_releases_diff_the_same_streamed_and_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    streamed = diff.diff_releases(EXPORT / "1.0.0", EXPORT / "1.1.0").to_dict()
    assert streamed == _whole(EXPORT / "1.0.0", EXPORT / "1.1.0", monkeypatch) and streamed["labels"]


def test_rows_out_of_document_order_are_noticed() -> None:
    def rows(*documents: str) -> pa.StructArray:
        return pa.array([{"document_id": d, "id": f"x{i}"} for i, d in enumerate(documents)])

    walk = diff._ByDocument([rows("a", "a", "b"), rows("b", "c")])
    assert walk.peek() == "a" and walk.take("b") is None and len(walk.take("a") or []) == 2
    both = walk.take("b")  # cut between the two batches: joined
    assert both is not None and both.field("id").to_pylist() == ["x2", "x0"] and walk.take("c") and walk.peek() is None
    with pytest.raises(diff._Unsorted):
        diff._ByDocument([rows("a", "b", "a")]).peek()
    with pytest.raises(diff._Unsorted):  # a document before the last one of the batch before
        diff._ByDocument([rows("b"), rows("a")]).take("b")
