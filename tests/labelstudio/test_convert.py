"""Records <-> Label Studio results: golden cases, round trips, and one quarantine case per reason."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk.label_interface import LabelInterface

from goldkit.labelstudio.convert import (
    CUE_SUFFIX,
    REASONS,
    Conversion,
    _explained,
    record_to_results,
    results_to_record,
)
from goldkit.schema import layers as lsmap
from goldkit.schema.loading import label_values
from goldkit.schema.records import canonicalize

DATA = Path(__file__).resolve().parents[1] / "data"
CASES = sorted(p.name for p in DATA.glob("convert_*") if (p / "expected.json").exists())
LANGUAGE_CONFIG = Path(__file__).resolve().parents[2] / "schema" / "labelstudio.{}.xml"


def load(case: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    folder = DATA / case
    return tuple(
        json.loads((folder / f"{name}.json").read_text(encoding="utf-8")) for name in ("task", "annotation", "expected")
    )  # type: ignore[return-value]


def test_there_are_golden_cases_for_english_arabic_and_emoji() -> None:
    assert {"convert_english", "convert_arabic", "convert_emoji_crlf_rtl"} <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_results_to_record_matches_golden(case: str) -> None:
    task, annotation, expected = load(case)
    conversion = results_to_record(task, annotation)
    assert conversion.problems == []
    assert conversion.record == expected


@pytest.mark.parametrize("case", CASES)
def test_every_span_is_sliced_from_the_task_text(case: str) -> None:
    task, _, expected = load(case)
    text = task["data"]["text"]
    spans = [e["span"] for e in expected["entities"]] + [e["trigger"] for e in expected["events"]]
    spans += [c["span"] for c in expected["claims"]] + [c["cue"] for c in expected["claims"] if c["cue"]]
    assert spans and all(text[s["start"] : s["end"]] == s["text"] for s in spans)


def test_untrustworthy_value_text_is_ignored() -> None:
    task, annotation, expected = load("convert_emoji_crlf_rtl")
    sent = {r["id"]: r["value"]["text"] for r in annotation["result"] if r.get("type") == "labels"}
    got = {e["id"]: e["span"]["text"] for e in expected["entities"]}
    assert sent["m5"] != got["m5"] and "\r\n" in got["m5"]  # the export's copy had a literal "\n"


@pytest.mark.parametrize("case", CASES)
def test_round_trip_record_results_record_is_identity(case: str) -> None:
    task, annotation, expected = load(case)
    results = record_to_results(expected)
    again = results_to_record(task, {**annotation, "result": results})
    assert again.problems == []
    assert again.record == expected
    assert record_to_results(again.record) == results


@pytest.mark.parametrize("case", CASES)
def test_results_are_valid_for_the_rendered_config(case: str) -> None:
    task, _, expected = load(case)
    config = LabelInterface(Path(str(LANGUAGE_CONFIG).format(task["data"]["language"])).read_text(encoding="utf-8"))
    assert config.validate_prediction({"result": record_to_results(expected)}, return_errors=True) == []


def test_per_region_choices_share_the_region_id_and_repeat_the_span() -> None:
    _, _, expected = load("convert_english")
    results = record_to_results(expected)
    spans = {r["id"]: r["value"] for r in results if r["type"] == "labels"}
    attributes = [r for r in results if r["type"] in ("choices", "textarea")]
    assert attributes
    for item in attributes:
        assert {k: item["value"][k] for k in ("start", "end")} == {k: spans[item["id"]][k] for k in ("start", "end")}
    relations = [r for r in results if r["type"] == "relation"]
    assert all(r["from_id"] in spans and r["to_id"] in spans for r in relations)
    cue_ids = {r["id"] for r in results if r["type"] == "labels" and r["from_name"] == "cue"}
    assert cue_ids == {c["id"] + CUE_SUFFIX for c in expected["claims"] if c["cue"]}


def test_one_relation_with_two_roles_gives_two_arguments_and_back() -> None:
    task, annotation, expected = load("convert_english")
    record = copy.deepcopy(expected)
    event = record["events"][0]
    event["type"] = "other"  # allows every role
    event["arguments"].append({"role": "agent", "entity": "e2"})
    results = record_to_results(record)
    to_e2 = [r for r in results if r["type"] == "relation" and r["to_id"] == "e2" and r["from_id"] == event["id"]]
    assert [sorted(r["labels"]) for r in to_e2] == [["agent", "participant"]]
    assert results_to_record(task, {**annotation, "result": results}).record == canonicalize(record)


def test_ui_region_ids_that_break_the_id_pattern_get_a_prefix() -> None:
    _, annotation, expected = load("convert_english")
    assert any(r.get("id") == "_k3Zx9Qp1a" for r in annotation["result"])
    assert "r_k3Zx9Qp1a" in {e["id"] for e in expected["entities"]}


def test_provenance_names_annotator_and_label_studio_ids() -> None:
    _, _, english = load("convert_english")
    assert english["provenance"]["annotator"] == "annotator1@goldkit.local"
    assert english["provenance"]["ls_task"] == 101 and english["provenance"]["ls_annotation"] == 5001
    task, annotation, arabic = load("convert_arabic")
    assert arabic["provenance"]["annotator"] == "4"  # plain export: only the user id
    assert results_to_record(task, annotation, project_id=99).record["provenance"]["ls_project"] == 99


def test_claim_links_cover_every_claim_relation() -> None:
    assert [link.relation for link in lsmap.CLAIM_LINKS] == label_values("ClaimRelation")


# ---------------------------------------------------------------- quarantine: one broken field per reason


def _by_id(annotation: dict[str, Any], region_id: str, kind: str = "labels") -> dict[str, Any]:
    return next(r for r in annotation["result"] if r.get("id") == region_id and r["type"] == kind)


def _drop(annotation: dict[str, Any], region_id: str, control: str) -> None:
    annotation["result"] = [
        r for r in annotation["result"] if (r.get("id"), r.get("from_name")) != (region_id, control)
    ]


def _relation(annotation: dict[str, Any], from_id: str, to_id: str) -> dict[str, Any]:
    return next(r for r in annotation["result"] if r.get("from_id") == from_id and r.get("to_id") == to_id)


Breaker = Callable[[dict[str, Any], dict[str, Any]], None]
BROKEN: dict[str, tuple[Breaker, str | None, str | None]] = {
    # reason: (break one thing, region id named, field named)
    "task_data": (lambda t, a: t["data"].pop("doc_id"), None, None),
    "span_offsets": (lambda t, a: _by_id(a, "e1")["value"].update(end=True), "e1", None),  # true is not 1
    "unknown_label": (lambda t, a: _by_id(a, "e1")["value"].update(labels=["planet"]), "e1", "entity"),
    "unknown_control": (lambda t, a: _by_id(a, "e1").update(from_name="sentiment"), "e1", "sentiment"),
    "region_conflict": (lambda t, a: _by_id(a, "e1")["value"].update(labels=["gpe", "location"]), "e1", None),
    "choice_without_region": (
        lambda t, a: a["result"].append({**_by_id(a, "ev1", "choices"), "id": "ghost"}),
        "ghost",
        "realis",
    ),
    "relation_missing_region": (lambda t, a: _relation(a, "ev1", "e1").update(to_id="ghost"), "ghost", None),
    "bad_relation": (lambda t, a: _relation(a, "c2", "e2").update(labels=[]), "c2", None),
    "missing_attribute": (lambda t, a: _drop(a, "ev1", "realis"), "ev1", "realis"),
    "bad_text": (lambda t, a: _by_id(a, "c1", "textarea")["value"].update(text=["no kind here"]), "c1", "evidence"),
    "schema": (
        lambda t, a: _by_id(a, "e2", "textarea")["value"].update(text=["Not A Key!"]),
        None,
        "/entities/1/canonical",
    ),
    "malformed_result": (lambda t, a: _by_id(a, "ev1", "choices").update(value="actual"), "ev1", "realis"),
    "malformed_annotation": (lambda t, a: a.update(lead_time="301.5"), None, "annotation.lead_time"),
    "text_mismatch": (lambda t, a: _by_id(a, "e1")["value"].update(text="Jeddah"), "e1", None),
}


MALFORMED: dict[str, Breaker] = {
    # shapes Label Studio never writes, but a hand-edited or foreign export may hold
    "value is not an object": lambda t, a: _by_id(a, "e1").update(value=["Riyadh"]),
    "choices is not a list": lambda t, a: _by_id(a, "ev1", "choices")["value"].update(choices=7),
    "textarea text is not a list": lambda t, a: _by_id(a, "e2", "textarea")["value"].update(text=5),
    "two cue relations from one claim": lambda t, a: a["result"].append({**_relation(a, "c1", "k1"), "to_id": "k2"}),
    "result item is not an object": lambda t, a: a["result"].append("region"),
}


@pytest.mark.parametrize("shape", sorted(MALFORMED))
def test_malformed_results_are_quarantined_never_a_crash(shape: str) -> None:
    task, annotation, _ = load("convert_english")
    MALFORMED[shape](task, annotation)
    conversion = results_to_record(task, annotation)
    assert conversion.record is None and conversion.problems, shape
    assert all(p.reason in REASONS for p in conversion.problems)


def test_every_reason_has_a_broken_case() -> None:
    assert set(BROKEN) == set(REASONS)


@pytest.mark.parametrize("reason", sorted(BROKEN))
def test_broken_annotation_is_quarantined_with_its_reason(reason: str) -> None:
    task, annotation, _ = load("convert_english")
    breaker, region_id, field = BROKEN[reason]
    breaker(task, annotation)
    conversion = results_to_record(task, annotation)
    assert isinstance(conversion, Conversion) and conversion.record is None
    assert [p.reason for p in conversion.problems] == [reason], [str(p) for p in conversion.problems]
    problem = conversion.problems[0]
    assert (problem.task_id, problem.annotation_id) == (101, 5001)
    assert (problem.region_id, problem.field) == (region_id, field)
    assert "task 101 annotation 5001" in str(problem)


def test_a_claim_relation_to_the_wrong_layer_names_the_allowed_one() -> None:
    task, annotation, _ = load("convert_english")
    _relation(annotation, "c2", "ev1").update(labels=["claimant"])
    problems = results_to_record(task, annotation).problems
    assert [(p.reason, p.expected) for p in problems] == [("bad_relation", ["about"])]


def test_left_relations_are_read_in_their_direction() -> None:
    task, annotation, expected = load("convert_english")
    assert _relation(annotation, "e4", "ev1")["direction"] == "left"
    assert {"role": "time", "entity": "e4"} in expected["events"][0]["arguments"]


def test_all_problems_are_collected_not_just_the_first() -> None:
    task, annotation, _ = load("convert_english")
    _drop(annotation, "ev1", "realis")
    _by_id(annotation, "e1")["value"].update(labels=["planet"])
    assert sorted(p.reason for p in results_to_record(task, annotation).problems) == [
        "missing_attribute",
        "unknown_label",
    ]


def test_gold_records_round_trip_through_label_studio_results() -> None:
    from goldkit.ingest.documents import ingest
    from goldkit.paths import corpus_dir, gold_dir

    documents = {d["id"]: d for d in ingest([corpus_dir()]).documents}
    gold = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold_dir().glob("*.json"))]
    assert gold
    for index, record in enumerate(gold):
        document = documents[record["document_id"]]
        task = {"id": index, "data": {"text": document["text"], "doc_id": document["id"], "sha256": document["sha256"]}}
        annotation = {"id": index, "completed_by": 1, "result": record_to_results(record)}
        conversion = results_to_record(task, annotation)
        assert conversion.problems == []
        # the gold was written under schema 1.0.0; a conversion writes the current version (1.x records stay valid)
        restamped = {"provenance": None, "schema_version": None}
        assert {**conversion.record, **restamped} == {**record, **restamped}


# ---------------------------------------------------------------- the quick path agrees with _Reader

# Values a mutation puts anywhere in a result: every JSON type, ids, labels and near-miss shapes.
REPLACEMENTS: list[Any] = [None, 0, 7, -1, True, "", "e1", "_x", "ev1", "c1-cue", "left", "gpe", "yes",
                           "mention", [], ["gpe"], ["gpe", "gpe"], ["actual", "planned"], ["url: x", "bad"], {},
                           [["x"]]]  # fmt: skip


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [path] if path else []
    if isinstance(value, dict):
        paths += [p for key, item in value.items() for p in _leaves(item, (*path, key))]
    elif isinstance(value, list):
        paths += [p for index, item in enumerate(value) for p in _leaves(item, (*path, index))]
    return paths


def _mutations(annotation: dict[str, Any], rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Copies of the annotation with one value replaced or removed, or results moved or doubled."""
    out = []
    paths = _leaves(annotation["result"])
    for path in rng.sample(paths, min(count, len(paths))):
        for how in ("replace", "delete"):
            results = copy.deepcopy(annotation["result"])
            parent = results
            for part in path[:-1]:
                parent = parent[part]
            if how == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(rng.choice(REPLACEMENTS))
            out.append({**annotation, "result": results})
    results = copy.deepcopy(annotation["result"])
    out.append({**annotation, "result": results[::-1]})  # attributes and relations before their spans
    out.append({**annotation, "result": results + [copy.deepcopy(rng.choice(results))]})
    return out


@pytest.mark.parametrize("case", CASES)
def test_the_quick_path_and_the_reader_give_the_same_conversion(case: str) -> None:
    """results_to_record tries a quick path first; whatever it returns, _Reader alone returns too."""
    task, annotation, _ = load(case)
    rng = random.Random(20261122)
    outcomes = set()
    for mutated in [annotation, *_mutations(annotation, rng, 120)]:
        quick, explained = results_to_record(task, mutated), _explained(task, mutated, None)
        assert quick.record == explained.record, mutated["result"]
        assert [p.to_dict() for p in quick.problems] == [p.to_dict() for p in explained.problems]
        outcomes.add(quick.record is None)
    assert outcomes == {True, False}  # the sample holds both kinds
