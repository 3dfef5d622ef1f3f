"""Agreement and adjudication against the session's real Label Studio, through the CLI.

push the English seed -> two annotators annotate it through the API with their own tokens (annotator 1:
the gold record; annotator 2: its first three entities only) -> pull -> agree -> adjudicate majority
(the spans only annotator 1 marked are open: two annotators, one vote each side) -> adjudicate review
(a review project with both versions as predictions) -> the admin submits a review (annotator 1's
version without claims) -> pull -> adjudicate review --collect -> that review is the gold record.
GOLDKIT_ROOT is tmp_path and the projects carry a fresh prefix, so nothing touches the repo or other tests.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from goldkit import push
from goldkit.cli.main import main
from goldkit.jsonio import iter_jsonl, read_json, write_jsonl
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import projects
from goldkit.labelstudio.convert import record_to_results
from goldkit.labelstudio.server import ADMIN_EMAIL
from goldkit.schema.validate import validate_record

REPO = Path(__file__).resolve().parents[2]
SEED = "000_a681de6f3d5f1a0d-2b33dde5"  # the English seed article, with a gold record in the repo


def run(capsys: pytest.CaptureFixture, *args: str) -> dict[str, Any]:
    """Run a goldkit command with --json; return its parsed output (exit code 0 required)."""
    code = main([*args, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def spans(record: dict[str, Any], layer: str, key: str = "span") -> list[tuple[int, int]]:
    return [(x[key]["start"], x[key]["end"]) for x in record[layer]]


@pytest.mark.integration
def test_agree_majority_review_collect_round_trip(
    ls_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    monkeypatch.setenv("LABEL_STUDIO_URL", ls_server.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server.api_key)
    document = next(d for _, d in iter_jsonl(REPO / "annotations" / "documents.jsonl") if d["id"] == SEED)
    write_jsonl(tmp_path / "annotations" / "documents.jsonl", [document])
    gold = read_json(REPO / "annotations" / "gold" / f"{SEED}.json")
    prefix = f"revtest-{uuid.uuid4().hex[:6]}"
    admin = lsclient.connect(ls_server.url, ls_server.api_key)

    (task_id,) = push.push([document], client=admin, project_prefix=prefix).projects[0].task_ids.values()
    first, second = (lsclient.connect(ls_server.url, a.token) for a in ls_server.annotators)
    first.annotations.create(id=task_id, result=record_to_results(gold))
    sparse = {**gold, "entities": gold["entities"][:3], "events": [], "claims": []}
    second.annotations.create(id=task_id, result=record_to_results(sparse))
    emails = sorted(a.email for a in ls_server.annotators)
    run(capsys, "pull", "--project-prefix", prefix)

    agreement = run(capsys, "agree")
    assert agreement["annotators"] == emails and agreement["multi_annotated"] == 1
    entity_rows = [r for r in agreement["results"]["span_f1"] if r["layer"] == "entities" and r["mode"] == "exact"]
    expected_f1 = 2 * 3 / (len(gold["entities"]) + 3)  # annotator 2 marked 3 of annotator 1's entities, exactly
    assert any(r["label"] == "(span)" and r["f1"] == pytest.approx(expected_f1) for r in entity_rows)
    assert Path(agreement["chart"]).is_file()

    majority = run(capsys, "adjudicate", "--strategy", "majority")
    assert majority["written"] == [] and {u["field"] for u in majority["unresolved"]} >= {"presence"}

    sent = run(capsys, "adjudicate", "--strategy", "review", "--project-prefix", prefix)["review"]
    assert sent["documents"] == {SEED: emails}
    (project,) = sent["projects"]
    assert project["title"] == projects.project_title("en", projects.review_prefix(prefix)) and project["created"]
    predictions = admin.predictions.list(project=project["project_id"])
    assert sorted(p.model_version for p in predictions) == emails
    review_task = project["task_ids"][SEED]
    assert admin.tasks.get(id=str(review_task)).data[projects.REVIEWED_KEY] == emails
    # a second run adds nothing but what is missing: here one annotator's version, deleted on purpose
    admin.predictions.delete(id=next(p.id for p in predictions if p.model_version == emails[1]))
    again = run(capsys, "adjudicate", "--strategy", "review", "--project-prefix", prefix)["review"]
    assert again["projects"][0]["project_id"] == project["project_id"] and not again["projects"][0]["created"]
    assert again["predictions_added"] == 1 and again["projects"][0]["imported"] == []
    assert sorted(p.model_version for p in admin.predictions.list(project=project["project_id"])) == emails

    reviewed = {**gold, "claims": []}
    admin.annotations.create(id=review_task, result=record_to_results(reviewed))
    pulled = run(capsys, "pull", "--project-prefix", prefix)
    assert [p["title"] for p in pulled["projects"]] == [projects.project_title("en", prefix), project["title"]]
    assert pulled["counts"]["valid"] == 3 and pulled["counts"]["quarantined"] == 0

    out = tmp_path / "gold-out"
    collected = run(capsys, "adjudicate", "--strategy", "review", "--collect", "--out", str(out))
    assert collected["written"] == [str(out / f"{SEED}.json")]
    written = read_json(out / f"{SEED}.json")
    assert validate_record(written, document) == []
    provenance = written["provenance"]
    assert (provenance["annotator"], provenance["method"], provenance["strategy"]) == (
        ADMIN_EMAIL, "adjudicated", "review")  # fmt: skip
    assert provenance["annotators"] == emails and provenance["ls_project"] == project["project_id"]
    assert spans(written, "entities") == spans(gold, "entities") and written["claims"] == []
    assert spans(written, "events", "trigger") == spans(gold, "events", "trigger")
    sidecar = read_json(tmp_path / "gold-out.adjudication" / f"{SEED}.adjudication.json")
    assert len([r for r in sidecar["rejected"] if r["layer"] == "claims"]) == len(set(spans(gold, "claims")))
