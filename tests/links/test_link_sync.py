"""Linking on a real Label Studio: candidates pushed as link tasks, answered by two annotators, pulled,
scored and adjudicated; plus the pure sorting of a linking project's export."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import datasets
import pytest

from goldkit.cli.main import main
from goldkit.labelstudio import client as lsclient
from goldkit.links.sync import link_projects, sort_link_tasks

REPO = Path(__file__).resolve().parents[2]
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


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    assert main([*args, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def _gold_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ls_server: Any) -> Path:
    """A project with the repository's gold and documents but no gold links (answered pairs are not asked
    again, so every pair is asked), pointed at the session's Label Studio."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "annotations" / "gold", root / "annotations" / "gold")
    shutil.copy(REPO / "annotations" / "documents.jsonl", root / "annotations" / "documents.jsonl")
    (root / "annotations" / "gold" / "links.jsonl").unlink()
    monkeypatch.setenv("GOLDKIT_ROOT", str(root))
    monkeypatch.setenv("LABEL_STUDIO_URL", ls_server.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server.api_key)
    return root


def _triggers(root: Path, pair: tuple[str, str]) -> tuple[str, ...]:
    """The trigger texts of an (English, Arabic) event pair in the gold (ids change with each gold release)."""
    english, arabic = (
        json.loads(f.read_text(encoding="utf-8")) for f in sorted((root / "annotations" / "gold").glob("0*.json"))
    )
    return tuple(
        next((e["trigger"]["text"] for e in record["events"] if e["id"] == event_id), "")
        for record, event_id in zip((english, arabic), pair, strict=True)
    )


@pytest.mark.integration
def test_link_round_trip_on_the_real_server(
    ls_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """push --links → two annotators answer → pull --links → agree --links → adjudicate --links → release."""
    root = _gold_project(tmp_path, monkeypatch, ls_server)  # gold links come from the adjudication here

    prefix = ["--project-prefix", f"links-{uuid.uuid4().hex[:6]}"]  # this test's own projects on the shared server
    first = _run(["push", "--links", *prefix], capsys)
    assert first["imported"] == first["candidates"] > 0
    assert _run(["push", "--links", *prefix], capsys)["imported"] == 0  # idempotent

    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    projects = dict(link_projects(admin, prefix[1]))
    event_project = next(pid for pid, title in projects.items() if "· event ·" in title)
    by_pair = {
        (t["data"]["source_id"], t["data"]["target_id"]): t for t in lsclient.export_project_json(admin, event_project)
    }
    pair = next(key for key in sorted(by_pair) if _triggers(root, key) == ("meeting", "استقبل"))  # the visit
    meeting = by_pair[pair]  # English 'meeting' ~ Arabic 'استقبل'
    other = next(t for key, t in by_pair.items() if key != pair)
    one, two = (lsclient.connect(ls_server.url, a.token) for a in ls_server.annotators[:2])
    one.annotations.create(id=meeting["id"], result=_answer("same_event"))
    two.annotations.create(id=meeting["id"], result=_answer("same_event"))
    one.annotations.create(id=other["id"], result=_answer("same_event"))
    two.annotations.create(id=other["id"], result=_answer("unrelated"))
    two.annotations.create(id=other["id"], result=_answer("contradicts"))  # wrong kind: quarantined, kept

    pulled = _run(["pull", "--links", *prefix], capsys)
    assert pulled["counts"]["valid"] == 4 and pulled["counts"]["quarantined"] == 1
    quarantine = Path(pulled["folder"]) / "quarantine.jsonl"
    assert json.loads(quarantine.read_text(encoding="utf-8"))["annotation"]["result"] == _answer("contradicts")

    agreement = _run(["agree", "--links"], capsys)
    assert agreement["units"] == 2 and agreement["observed"] == pytest.approx(0.5)
    assert len(agreement["b_cubed"]) == 1

    adjudicated = _run(["adjudicate", "--links", "--strategy", "majority"], capsys)
    assert adjudicated["gold"] == 1 and adjudicated["unresolved"][0]["reason"] == "tie"
    gold_links = (root / "annotations" / "gold" / "links.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["relation"] for line in gold_links] == ["same_event"]

    released = _run(["release", "1.0.0"], capsys)
    links = datasets.load_dataset(released["path"], "links", split="test", cache_dir=str(tmp_path / "hf"))
    assert links[0]["cluster_id"] == f"{links[0]['source']['document_id']}:{pair[0]}"


@pytest.mark.integration
def test_push_links_keeps_an_existing_projects_overlap_unless_asked_and_reports_it(
    ls_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    # push --links took `--overlap or 2`, used it only when creating, said nothing of overlap, and ignored an
    # --overlap asked for an existing linking project
    _gold_project(tmp_path, monkeypatch, ls_server)  # answered pairs are not asked again: ask them all
    prefix = ["--project-prefix", f"overlap-{uuid.uuid4().hex[:6]}"]
    admin = lsclient.connect(ls_server.url, ls_server.api_key)

    first = _run(["push", "--links", *prefix], capsys)
    assert first["projects"] and all(p["created"] and p["overlap"] == 2 for p in first["projects"])
    project_id = first["projects"][0]["project_id"]
    admin.projects.update(id=project_id, maximum_annotations=1)  # e.g. set by hand in Label Studio
    kept = _run(["push", "--links", *prefix], capsys)
    (mine,) = [p for p in kept["projects"] if p["project_id"] == project_id]
    assert (mine["overlap"], mine["overlap_before"]) == (1, None)
    assert admin.projects.get(id=project_id).maximum_annotations == 1
    asked = _run(["push", "--links", "--overlap", "3", *prefix], capsys)
    (mine,) = [p for p in asked["projects"] if p["project_id"] == project_id]
    assert (mine["overlap"], mine["overlap_before"]) == (3, 1)
    assert admin.projects.get(id=project_id).maximum_annotations == 3
    assert main(["push", "--links", *prefix]) == 0
    assert "(overlap 3)" in capsys.readouterr().out


@pytest.mark.integration
def test_offline_answers_go_in_as_the_annotators_own_and_pull_like_browser_work(
    ls_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """links sheet → answers per task id → links submit as each account → pull --links reads them as theirs."""
    from goldkit.links.sheet import submit_answers

    _gold_project(tmp_path, monkeypatch, ls_server)
    prefix = ["--project-prefix", f"sheet-{uuid.uuid4().hex[:6]}"]
    pushed = _run(["push", "--links", *prefix], capsys)

    sheet = _run(["links", "sheet", "--out", str(tmp_path / "tasks.json"), *prefix], capsys)
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))["tasks"]
    assert sheet["tasks"] == len(tasks) == pushed["candidates"]
    first, second = tasks[0], next(t for t in tasks if t["kind"] != tasks[0]["kind"])
    one, two = ls_server.annotators[:2]
    answers = {str(first["task"]): {"choice": "cannot_tell", "note": "the texts do not say"},
               str(second["task"]): {"choice": "unrelated"}}  # fmt: skip
    made = submit_answers(answers, one.email, project_prefix=prefix[1], token=one.token)
    assert sorted(made.submitted) == sorted([first["task"], second["task"]])
    again = submit_answers(answers, one.email, project_prefix=prefix[1], token=one.token)
    assert again.submitted == {} and sorted(again.already_there) == sorted(made.submitted)
    submit_answers({str(first["task"]): {"choice": "unrelated"}}, two.email, project_prefix=prefix[1], token=two.token)

    pulled = _run(["pull", "--links", *prefix], capsys)
    assert (pulled["counts"]["annotations"], pulled["counts"]["valid"]) == (3, 3)
    links = [json.loads(line) for line in (Path(pulled["folder"]) / "links.jsonl").read_text().splitlines()]
    answered = {(lk["provenance"]["ls_task"], lk["provenance"]["annotator"]): lk for lk in links}
    mine = answered[(first["task"], one.email)]
    assert (mine["relation"], mine["note"]) == ("cannot_tell", "the texts do not say")
    assert answered[(first["task"], two.email)]["relation"] == "unrelated"
    manifest = json.loads((Path(pulled["folder"]) / "manifest.json").read_text(encoding="utf-8"))
    assert {p["id"] for p in manifest["server"]["projects"]} == {p["project_id"] for p in pushed["projects"]}
    assert all(p["created_at"] for p in manifest["server"]["projects"])
