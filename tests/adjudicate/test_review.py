"""review strategy, hermetic: what goes to review, the predictions, pull's stamping, collecting gold.

Fixture adjudicate_tie: "Sadenov met Saudi officials in Riyadh on Thursday." alice and bob agree on
Sadenov (person); Riyadh is gpe for alice, location for bob; only bob marked Thursday. With two
annotators majority leaves Riyadh's type and Thursday's presence open, so the document goes to review.
The reviewer (rev@goldkit.local) keeps Sadenov and Riyadh as gpe and leaves Thursday out.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from goldkit import pull, push
from goldkit.adjudicate import review
from goldkit.adjudicate import strategies as adj
from goldkit.agreement.spans import build_study
from goldkit.cli import main as cli_main
from goldkit.errors import InputError, ValidationError
from goldkit.generate import render
from goldkit.ingest.documents import load_documents
from goldkit.jsonio import read_json, write_jsonl
from goldkit.labelstudio import projects
from goldkit.labelstudio.convert import record_to_results
from goldkit.pulls import load_records
from goldkit.schema.validate import validate_record

TIE = Path(__file__).resolve().parents[1] / "data" / "adjudicate_tie" / "input"
REVIEWER_ID, REVIEWER = 9, "rev@goldkit.local"
REVIEW_PROJECT = 77


def tie_records() -> list[dict[str, Any]]:
    return load_records([TIE])


def document() -> dict[str, Any]:
    return load_documents(TIE / "documents.jsonl")["story-ef5f91f8"]


def review_export() -> list[dict[str, Any]]:
    """The review task as the JSON export gives it: data naming the versions, prediction ids, the review."""
    by = build_study(tie_records()).docs["story-ef5f91f8"]
    chosen = by["alice"]  # Sadenov person, Riyadh gpe; no Thursday
    annotation = {"id": 501, "completed_by": REVIEWER_ID, "result": record_to_results(chosen), "was_cancelled": False,
                  "ground_truth": False, "created_at": "2025-02-01T10:00:00Z", "updated_at": "2025-02-01T10:00:00Z",
                  "lead_time": 30.0}  # fmt: skip
    data = {**push.task_data(document()), projects.REVIEWED_KEY: ["alice", "bob"]}
    task = {"id": 12, "project": REVIEW_PROJECT, "data": data, "predictions": [31, 32],
            "annotations": [annotation], "total_annotations": 1, "cancelled_annotations": 0}  # fmt: skip
    return [task]


def pulled(title: str = "goldkit-review · en") -> pull.Sorted:
    report = pull.PullReport("p1", Path("/nonexistent/p1"), datetime.now(UTC).isoformat(), "http://ls.test", None)
    return pull.sort_annotations(report, [(REVIEW_PROJECT, title, review_export())], emails={REVIEWER_ID: REVIEWER})


def test_review_titles_follow_the_project_prefix() -> None:
    assert projects.review_prefix("goldkit") == "goldkit-review"
    assert projects.is_review_title(projects.project_title("ar", projects.review_prefix("t-1")))
    assert not projects.is_review_title(projects.project_title("ar", "t-1"))
    assert not projects.is_review_title("goldkit-review")  # no language part: not one of ours


def test_review_strategy_is_registered_and_writes_no_gold(tmp_path: Path) -> None:
    report = adj.adjudicate(build_study(tie_records()), "review")
    (doc,) = report.documents
    assert doc.strategy == "review" and doc.gold is None
    majority = adj.adjudicate(build_study(tie_records()), "majority").documents[0]
    assert doc.unresolved == majority.unresolved and {u["field"] for u in doc.unresolved} == {"type", "presence"}
    assert adj.write_gold(report, tmp_path) == [] and list(tmp_path.iterdir()) == []


def test_only_documents_with_unresolved_items_go_to_review_unless_all() -> None:
    data = Path(__file__).resolve().parents[1] / "data" / "adjudicate_majority" / "input"
    settled = [{**r, "document_id": "settled-ef5f91f8"} for r in load_records([data])]  # three agree enough
    records = tie_records() + settled
    report = adj.adjudicate(build_study(records), "review")
    assert [d.document_id for d in report.documents if not d.unresolved] == ["settled-ef5f91f8"]
    assert review.needs_review(report) == ["story-ef5f91f8"]
    assert review.needs_review(report, all_documents=True) == sorted(build_study(records).docs)


def test_each_annotator_is_a_validated_prediction_named_after_them() -> None:
    by = build_study(tie_records()).docs["story-ef5f91f8"]
    predictions, problems = review.review_predictions(by, document(), render.label_config("en"), "/story")
    assert problems == []
    assert [p["model_version"] for p in predictions] == ["alice", "bob"]
    assert predictions[1]["result"] == record_to_results(by["bob"])
    other = {**document(), "sha256": "0" * 64}
    _, problems = review.review_predictions(by, other, render.label_config("en"), "/story")
    assert [p.pointer for p in problems] == ["/story/alice/document_sha256", "/story/bob/document_sha256"]


def test_pull_stamps_review_project_records_as_adjudicated() -> None:
    (record,) = pulled().records
    provenance = record["provenance"]
    assert (provenance["annotator"], provenance["method"], provenance["strategy"]) == (
        REVIEWER,
        "adjudicated",
        "review",
    )
    assert provenance["annotators"] == ["alice", "bob"] and provenance["ls_annotation"] == 501
    assert validate_record(record, document()) == []
    assert list(provenance)[:3] == ["annotator", "method", "annotators"]  # schema order


def test_reviewed_annotators_come_from_task_data_else_full_predictions() -> None:
    assert pull.reviewed_annotators(review_export()[0]) == ["alice", "bob"]
    full = [{"id": 1, "model_version": "bob"}, {"id": 2, "model_version": "alice"}, {"id": 3, "model_version": None}]
    assert pull.reviewed_annotators({"data": {}, "predictions": full}) == ["alice", "bob"]
    assert pull.reviewed_annotators({"data": {}, "predictions": [1, 2]}) == []


def test_records_of_other_projects_are_left_alone() -> None:
    (record,) = pulled("goldkit · en").records
    assert record["provenance"]["method"] == "label_studio" and "strategy" not in record["provenance"]


def test_a_reviewer_who_also_annotated_keeps_both_records() -> None:
    task = review_export()[0]
    own = {**task, "id": 3, "project": 1, "predictions": [],
           "annotations": [{**task["annotations"][0], "id": 400, "updated_at": "2025-01-01T00:00:00Z"}]}  # fmt: skip
    report = pull.PullReport("p1", Path("/nonexistent/p1"), datetime.now(UTC).isoformat(), "http://ls.test", None)
    exports = [(1, "goldkit · en", [own]), (REVIEW_PROJECT, "goldkit-review · en", [task])]
    out = pull.sort_annotations(report, exports, emails={REVIEWER_ID: REVIEWER})
    assert out.quarantine == []
    assert sorted(r["provenance"]["method"] for r in out.records) == ["adjudicated", "label_studio"]
    assert build_study(out.records).skipped == {"adjudicated": 1}  # agreement does not count the review


def test_collect_makes_the_review_gold_with_voters_and_rejected(tmp_path: Path) -> None:
    records = tie_records() + pulled().records
    report = review.collect(records, {"story-ef5f91f8": document()})
    (doc,) = report.documents
    assert doc.gold is not None and doc.gold["provenance"]["annotator"] == REVIEWER
    assert [(e["span"]["text"], e["type"]) for e in doc.gold["entities"]] == [("Sadenov", "person"), ("Riyadh", "gpe")]
    assert [(i["span"]["text"], i["voters"]) for i in doc.items] == [("Sadenov", ["alice", "bob"]),
                                                                     ("Riyadh", ["alice", "bob"])]  # fmt: skip
    assert [(r["span"]["text"], r["voters"]) for r in doc.rejected] == [("Thursday", ["bob"])]
    written = adj.write_gold(report, tmp_path / "gold")
    assert written == [str(tmp_path / "gold" / "story-ef5f91f8.json")]
    assert read_json(tmp_path / "gold" / "story-ef5f91f8.json") == doc.gold
    assert read_json(tmp_path / "gold.adjudication" / "story-ef5f91f8.adjudication.json")["strategy"] == "review"


def test_collect_takes_the_latest_review_of_a_document() -> None:
    (first,) = pulled().records
    later = json.loads(json.dumps(first))
    later["provenance"] |= {"ls_annotation": 502, "updated_at": "2025-02-02T10:00:00Z"}
    later["entities"] = later["entities"][:1]
    report = review.collect([later, first])
    assert report.documents[0].gold is not None and report.documents[0].gold["provenance"]["ls_annotation"] == 502


def test_collect_without_reviews_says_what_to_do() -> None:
    with pytest.raises(InputError) as caught:
        review.collect(tie_records())
    assert "goldkit adjudicate --strategy review --collect" in caught.value.hint


def test_collect_refuses_a_review_that_does_not_fit_the_text() -> None:
    (record,) = pulled().records
    record["entities"][0]["span"]["text"] = "Sadenox"
    with pytest.raises(ValidationError) as caught:
        review.collect([record], {"story-ef5f91f8": document()})
    assert any("/entities/0/span" in p.pointer for p in caught.value.problems)


def test_cli_collect_writes_gold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    source = tmp_path / "pull" / "records.jsonl"
    write_jsonl(source, tie_records() + pulled().records)
    assert cli_main.main(["adjudicate", str(source.parent), "--strategy", "review", "--collect", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    gold = tmp_path / "annotations" / "gold" / "story-ef5f91f8.json"
    assert out["written"] == [str(gold)] and read_json(gold)["provenance"]["strategy"] == "review"


def test_cli_collect_belongs_to_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    assert cli_main.main(["adjudicate", str(TIE), "--strategy", "majority", "--collect"]) != 0
    assert "--strategy review" in capsys.readouterr().err
    assert not (tmp_path / "annotations").exists()


def test_cli_collect_prints_a_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps table cells to the terminal width
    source = tmp_path / "pull" / "records.jsonl"
    write_jsonl(source, tie_records() + pulled().records)
    assert cli_main.main(["adjudicate", str(source.parent), "--strategy", "review", "--collect"]) == 0
    out = capsys.readouterr().out
    assert "Adjudication (review)" in out and "alice, bob" in out and "story-ef5f91f8.json" in out


def test_review_push_summary_names_projects_versions_and_the_next_step(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from goldkit.cli import adjudicate_cmd

    monkeypatch.setenv("COLUMNS", "200")

    project = push.ProjectPush("en", "goldkit-review · en", 5, created=True, imported=["story-ef5f91f8"])
    project.predictions_imported = 2
    adjudicate_cmd._print_review(review.ReviewPush("http://ls.test", [project], {"story-ef5f91f8": ["alice", "bob"]}))
    out = capsys.readouterr().out
    assert "goldkit-review · en" in out and "story-ef5f91f8: versions of alice, bob" in out
    assert review.NEXT_STEPS in " ".join(out.split())
