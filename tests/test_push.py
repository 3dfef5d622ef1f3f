"""push: documents grouped per language, idempotent imports, conflicts, config changes, predictions."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest

from goldkit import push
from goldkit.cli.main import main
from goldkit.errors import ConflictError, InputError, ValidationError
from goldkit.generate import render
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import projects
from goldkit.labelstudio.convert import record_to_results
from goldkit.schema import layers as lsmap
from goldkit.schema.loading import label_values

DATA = Path(__file__).parent / "data"


def _document(case: str, **changes: Any) -> dict[str, Any]:
    """A document record built from a golden task's data (optionally with other text)."""
    data = {**json.loads((DATA / case / "task.json").read_text(encoding="utf-8"))["data"], **changes}
    return {
        "id": data["doc_id"],
        "text": data["text"],
        "sha256": hashlib.sha256(data["text"].encode("utf-8")).hexdigest(),
        "language": data["language"],
        "title": data["title"],
    }


def _preannotation(document: dict[str, Any]) -> dict[str, Any]:
    record = json.loads((DATA / "convert_emoji_crlf_rtl" / "expected.json").read_text(encoding="utf-8"))
    record["document_id"], record["document_sha256"] = document["id"], document["sha256"]
    record["provenance"] = {"annotator": "model-x", "method": "preannotation"}
    return record


@pytest.fixture
def english() -> dict[str, Any]:
    return _document("convert_emoji_crlf_rtl")


@pytest.fixture
def arabic() -> dict[str, Any]:
    return _document("convert_arabic")


# ---------------------------------------------------------------- unit


class _Untouchable:
    """A client that only has a URL: the lock must refuse before push says anything to a server."""

    goldkit_url = "http://127.0.0.1:9"

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"push talked to the server ({name}) while another push held the lock")


def test_a_second_push_while_one_runs_is_refused(
    english: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # two pushes at once used to import every task twice, both exit 0
    from goldkit.labelstudio.lock import project_lock

    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    client: Any = _Untouchable()
    with project_lock(client.goldkit_url, "goldkit"):  # the first push, still running
        with pytest.raises(ConflictError, match="another goldkit push") as refused:
            push.push([english], client=client)
        assert refused.value.facts["pid"] == str(os.getpid())
        assert "wait for it to finish" in refused.value.hint
        with project_lock(client.goldkit_url, "other-prefix"):  # other projects are not held up
            pass
    with project_lock(client.goldkit_url, "goldkit"):  # released when the first push ends
        pass


def test_task_data_has_exactly_the_shared_keys(english: dict[str, Any]) -> None:
    data = push.task_data({**english, "source_file": "x.txt"})
    assert tuple(data) == lsmap.DATA_KEYS
    assert data["doc_id"] == english["id"] and data["text"] == english["text"]


def test_documents_are_grouped_by_language(english: dict[str, Any], arabic: dict[str, Any]) -> None:
    groups = push.group_documents([english, arabic])
    assert {language: [d["id"] for d in docs] for language, docs in groups.items()} == {
        "en": [english["id"]],
        "ar": [arabic["id"]],
    }


def test_duplicate_document_ids_are_refused(english: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="appears twice"):
        push.group_documents([english, dict(english)])


def test_sha256_must_match_the_text(english: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="sha256"):
        push.group_documents([{**english, "text": english["text"] + "!"}])


def test_config_labels_reads_controls_and_relations() -> None:
    labels = push.config_labels(render.label_config("en"))
    assert labels["entity"] == set(label_values("EntityType"))
    assert labels[push.RELATIONS] == {label.value for label in lsmap.relation_values()}


def test_removed_label_in_use_is_listed() -> None:
    config = render.label_config("en")
    removed = label_values("EntityType")[0]
    smaller = config.replace(f'value="{removed}"', 'value="something_else"', 1)
    span = {"start": 0, "end": 3, "text": "abc", "labels": [removed]}
    tasks = [
        {"id": 5, "annotations": [{"id": 9, "result": [{"from_name": "entity", "type": "labels", "value": span}]}]}
    ]
    assert push.removed_labels_in_use(tasks, config) == []
    assert push.removed_labels_in_use(tasks, smaller) == [push.LabelInUse(5, 9, "entity", removed)]


def test_valid_preannotation_converts(english: dict[str, Any]) -> None:
    record = _preannotation(english)
    results = push.prediction_results([record], {english["id"]: english}, {"en": render.label_config("en")})
    assert results == {english["id"]: record_to_results(record)}


def test_invalid_preannotations_are_all_reported(english: dict[str, Any]) -> None:
    bad_label = _preannotation(english)
    bad_label["entities"][0]["type"] = "not_a_type"
    not_a_preannotation = _preannotation(english)
    not_a_preannotation["provenance"]["method"] = "label_studio"
    other_text = {**_preannotation(english), "document_sha256": "0" * 64}
    with pytest.raises(ValidationError) as caught:
        push.prediction_results(
            [bad_label, not_a_preannotation, other_text],
            {english["id"]: english},
            {"en": render.label_config("en")},
        )
    pointers = [p.pointer for p in caught.value.problems]
    assert pointers == ["/0", "/1/provenance/method", "/2/document_sha256"]
    assert "not_a_type" in caught.value.problems[0].message


def test_bad_relation_label_is_caught_locally(english: dict[str, Any]) -> None:
    """LabelInterface does not check relation labels; push does."""
    record = _preannotation(english)
    record["events"][0]["arguments"][0]["role"] = "no_such_role"
    with pytest.raises(ValidationError) as caught:
        push.prediction_results([record], {english["id"]: english}, {"en": render.label_config("en")})
    assert any(p.got == "no_such_role" for p in caught.value.problems)


def test_overlap_below_one_is_refused(english: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="overlap"):
        push.push([english], overlap=0)


# ---------------------------------------------------------------- integration


@pytest.fixture
def prefix() -> str:
    """A project title prefix of its own, so tests sharing the session server never see each other's projects."""
    return f"test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def client(ls_server):  # type: ignore[no-untyped-def]
    return lsclient.connect(ls_server.url, ls_server.api_key)


@pytest.mark.integration
def test_push_creates_one_project_per_language(client, prefix, english, arabic) -> None:  # type: ignore[no-untyped-def]
    report = push.push([english, arabic], overlap=3, client=client, project_prefix=prefix)
    assert report.imported == 2 and not report.conflicts
    for plan in report.projects:
        project = client.projects.get(id=plan.project_id)
        assert project.title == f"{prefix} · {plan.language}"
        assert project.maximum_annotations == 3 and project.show_instruction
        assert project.expert_instruction == push.guidelines_html(plan.language) != ""
        assert project.label_config.strip() == render.label_config(plan.language).strip()
        (task,) = lsclient.export_project_json(client, plan.project_id)
        assert task["data"] == push.task_data(english if plan.language == "en" else arabic)
        assert plan.task_ids == {task["data"]["doc_id"]: task["id"]}


@pytest.mark.integration
def test_second_push_imports_nothing_and_new_articles_are_added(client, prefix, english, arabic) -> None:  # type: ignore[no-untyped-def]
    push.push([english], client=client, project_prefix=prefix)
    again = push.push([english], client=client, project_prefix=prefix)
    (plan,) = again.projects
    assert again.imported == 0 and plan.unchanged == [english["id"]]
    assert not plan.created and not plan.config_changed and plan.settings_changed == []
    newer = _document("convert_emoji_crlf_rtl", doc_id="emoji-11111111", text=english["text"] + " More.")
    added = push.push([english, newer], client=client, project_prefix=prefix)
    assert added.projects[0].imported == [newer["id"]]
    tasks = lsclient.export_project_json(client, plan.project_id)
    assert sorted(t["data"]["doc_id"] for t in tasks) == sorted([english["id"], newer["id"]])


@pytest.mark.integration
def test_same_id_with_other_text_is_a_conflict_not_an_overwrite(client, prefix, english) -> None:  # type: ignore[no-untyped-def]
    push.push([english], client=client, project_prefix=prefix)
    changed = _document("convert_emoji_crlf_rtl", text=english["text"].replace("Astana", "Astana city"))
    report = push.push([changed], client=client, project_prefix=prefix)
    (conflict,) = report.conflicts
    assert (conflict.doc_id, conflict.existing_sha256, conflict.new_sha256) == (
        english["id"],
        english["sha256"],
        changed["sha256"],
    )
    (task,) = lsclient.export_project_json(client, report.projects[0].project_id)
    assert task["data"]["text"] == english["text"]


@pytest.mark.integration
def test_dry_run_changes_nothing(client, prefix, english, arabic) -> None:  # type: ignore[no-untyped-def]
    planned = push.push([english], client=client, project_prefix=prefix, dry_run=True)
    assert planned.dry_run and planned.projects[0].created and planned.projects[0].project_id is None
    assert projects.find_project(client, "en", prefix) is None
    push.push([english], client=client, project_prefix=prefix)
    newer = _document("convert_emoji_crlf_rtl", doc_id="emoji-22222222", text=english["text"] + " Later.")
    planned = push.push([english, newer], client=client, project_prefix=prefix, dry_run=True)
    assert planned.projects[0].imported == [newer["id"]]
    assert len(lsclient.export_project_json(client, planned.projects[0].project_id)) == 1


def _annotate(ls_server, task_id: int, label: str) -> int:  # type: ignore[no-untyped-def]
    annotator = lsclient.connect(ls_server.url, ls_server.annotators[0].token)
    span = {"start": 0, "end": 8, "text": "Breaking", "labels": [label]}
    result = [{"id": "e1", "from_name": "entity", "to_name": lsmap.TEXT_NAME, "type": "labels", "value": span}]
    return int(annotator.annotations.create(id=task_id, result=result).id)


@pytest.mark.integration
def test_config_change_that_drops_a_used_label_is_refused(  # type: ignore[no-untyped-def]
    client, ls_server, prefix, english, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = push.push([english], client=client, project_prefix=prefix)
    plan = report.projects[0]
    used, unused = label_values("EntityType")[0], label_values("EntityType")[-1]
    annotation_id = _annotate(ls_server, plan.task_ids[english["id"]], used)
    original = render.label_config

    def without(label: str):  # type: ignore[no-untyped-def]
        return lambda language: original(language).replace(f'<Label value="{label}"', '<Label value="renamed_x"', 1)

    monkeypatch.setattr(push.render, "label_config", without(used))
    with pytest.raises(ConflictError) as caught:
        push.push([english], client=client, project_prefix=prefix)
    assert caught.value.facts["affected"] == [
        {"task_id": plan.task_ids[english["id"]], "annotation_id": annotation_id, "control": "entity", "label": used}
    ]
    assert client.projects.get(id=plan.project_id).label_config.strip() == original("en").strip()
    monkeypatch.setattr(push.render, "label_config", without(unused))  # unused label renamed: goes through
    changed = push.push([english], client=client, project_prefix=prefix)
    assert changed.projects[0].config_changed
    assert 'value="renamed_x"' in client.projects.get(id=plan.project_id).label_config


@pytest.mark.integration
def test_predictions_are_imported_and_shown(client, prefix, english, arabic) -> None:  # type: ignore[no-untyped-def]
    push.push([arabic], client=client, project_prefix=prefix)  # en project does not exist yet
    report = push.push(
        [english], predictions=[_preannotation(english)], model_version="m-1", client=client, project_prefix=prefix
    )
    plan = report.projects[0]
    assert plan.predictions_imported == 1
    assert client.projects.get(id=plan.project_id).model_version == "m-1"
    (prediction,) = client.predictions.list(project=plan.project_id)
    assert prediction.model_version == "m-1" and prediction.task == plan.task_ids[english["id"]]
    assert len(prediction.result) == len(record_to_results(_preannotation(english)))
    again = push.push(
        [english], predictions=[_preannotation(english)], model_version="m-1", client=client, project_prefix=prefix
    )
    assert again.projects[0].predictions_imported == 0 and again.projects[0].predictions_existing == 1
    assert len(client.predictions.list(project=plan.project_id)) == 1


@pytest.mark.integration
def test_prediction_for_an_existing_task_is_added(client, prefix, english) -> None:  # type: ignore[no-untyped-def]
    first = push.push([english], client=client, project_prefix=prefix)
    report = push.push([english], predictions=[_preannotation(english)], client=client, project_prefix=prefix)
    assert report.projects[0].predictions_imported == 1 and report.model_version == push.DEFAULT_MODEL_VERSION
    (prediction,) = client.predictions.list(project=first.projects[0].project_id)
    assert prediction.task == first.projects[0].task_ids[english["id"]]


@pytest.mark.integration
def test_invalid_prediction_stops_the_push_before_anything_is_sent(client, prefix, english) -> None:  # type: ignore[no-untyped-def]
    record = _preannotation(english)
    record["entities"][0]["type"] = "not_a_type"
    with pytest.raises(ValidationError):
        push.push([english], predictions=[record], client=client, project_prefix=prefix)
    assert projects.find_project(client, "en", prefix) is None


@pytest.mark.integration
def test_cli_push_json_and_rerun(  # type: ignore[no-untyped-def]
    ls_server, prefix, english, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server.api_key)
    documents = tmp_path / "documents.jsonl"
    documents.write_text(json.dumps(english) + "\n", encoding="utf-8")
    args = ["push", "--documents", str(documents), "--url", ls_server.url, "--project-prefix", prefix, "--json"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 1
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 0
    assert main([a for a in args if a != "--json"] + ["--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would import 0 document(s), 1 already there" in out


@pytest.mark.integration
def test_cli_conflict_exits_non_zero(  # type: ignore[no-untyped-def]
    ls_server, client, prefix, english, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    push.push([english], client=client, project_prefix=prefix)
    changed = _document("convert_emoji_crlf_rtl", text=english["text"] + " (corrected)")
    documents = tmp_path / "documents.jsonl"
    documents.write_text(json.dumps(changed) + "\n", encoding="utf-8")
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server.api_key)
    code = main(["push", "--documents", str(documents), "--url", ls_server.url, "--project-prefix", prefix])
    assert code == 1
    assert english["id"] in capsys.readouterr().err


def test_cli_push_with_server_down_says_how_to_start(  # type: ignore[no-untyped-def]
    english, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "0" * 40)
    documents = tmp_path / "documents.jsonl"
    documents.write_text(json.dumps(english) + "\n", encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert main(["push", "--documents", str(documents), "--url", f"http://127.0.0.1:{port}"]) == 1
    err = capsys.readouterr().err
    assert f"Label Studio is not answering at http://127.0.0.1:{port}" in err and "goldkit server start" in err


@pytest.mark.integration
def test_cli_push_with_bad_token_is_an_auth_error(  # type: ignore[no-untyped-def]
    ls_server, english, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "0" * 40)
    documents = tmp_path / "documents.jsonl"
    documents.write_text(json.dumps(copy.deepcopy(english)) + "\n", encoding="utf-8")
    assert main(["push", "--documents", str(documents), "--url", ls_server.url, "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["error"] == "AuthError"
    assert "refused the legacy token" in captured.err


@pytest.mark.integration
def test_push_keeps_an_existing_projects_overlap_unless_asked(client, prefix, english) -> None:  # type: ignore[no-untyped-def]
    # push used to set maximum_annotations to its default (2) on every run, flipping a project set to 1
    created = push.push([english], overlap=1, client=client, project_prefix=prefix)
    (plan,) = created.projects
    assert plan.created and plan.overlap == 1
    again = push.push([english], client=client, project_prefix=prefix)
    assert again.projects[0].settings_changed == [] and again.projects[0].overlap == 1
    assert client.projects.get(id=plan.project_id).maximum_annotations == 1
    asked = push.push([english], overlap=3, client=client, project_prefix=prefix)
    assert (asked.projects[0].overlap_before, asked.projects[0].overlap) == (1, 3)
    assert client.projects.get(id=plan.project_id).maximum_annotations == 3
