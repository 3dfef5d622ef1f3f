"""The committed gold (annotations/gold/) validates, slices exactly and says honestly who made it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from goldkit.ingest.documents import build_document
from goldkit.jsonio import write_jsonl
from goldkit.schema.loading import allowed_roles, load_schema
from goldkit.schema.records import iter_spans
from goldkit.schema.validate import validate_paths

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "annotations" / "gold"
CORPUS = REPO / "corpus"
MINISTERS = ("person.abdulaziz_bin_saud_bin_naif", "person.yerzhan_sadenov")


def _validator(name: str) -> Draft202012Validator:
    schema = {key: value for key, value in load_schema().items() if key != "oneOf"}
    return Draft202012Validator({**schema, "$ref": f"#/$defs/{name}"})


def _documents() -> dict[str, dict[str, Any]]:
    documents = {}
    for path in sorted(CORPUS.glob("*.txt")):
        document = build_document(path.read_text(encoding="utf-8"), [], path.name)
        documents[document["id"]] = document
    return documents


DOCUMENTS = _documents()
RECORDS = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(GOLD.glob("*.json"))}
LINKS = [json.loads(line) for line in (GOLD / "links.jsonl").read_text(encoding="utf-8").splitlines() if line]


def test_every_seed_document_has_one_gold_record_named_by_its_id() -> None:
    assert set(RECORDS) == set(DOCUMENTS)
    for name, record in RECORDS.items():
        assert record["document_id"] == name
        text = DOCUMENTS[name]["text"]
        assert record["document_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
        assert name == f"{DOCUMENTS[name]['source_file'][:-4]}-{record['document_sha256'][:8]}"


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_gold_record_matches_the_schema(name: str) -> None:
    errors = [
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator("Annotation").iter_errors(RECORDS[name])
    ]
    assert errors == []


def test_links_match_the_schema() -> None:
    validator = _validator("Link")
    assert [e.message for link in LINKS for e in validator.iter_errors(link)] == []
    assert len({link["id"] for link in LINKS}) == len(LINKS)


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_every_span_and_cue_slices_the_text_exactly(name: str) -> None:
    text = DOCUMENTS[name]["text"]
    spans = [span for _, _, _, span in iter_spans(RECORDS[name])]
    spans += [claim["cue"] for claim in RECORDS[name]["claims"] if claim["cue"]]
    assert spans
    assert [s for s in spans if text[s["start"] : s["end"]] != s["text"]] == []


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_no_span_falls_in_boilerplate(name: str) -> None:
    furniture = [(b["start"], b["end"]) for b in DOCUMENTS[name]["boilerplate"]]
    spans = [span for _, _, _, span in iter_spans(RECORDS[name])]
    inside = [s["text"] for s in spans if any(s["start"] < end and start < s["end"] for start, end in furniture)]
    assert inside == []


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_references_inside_a_record_resolve_and_roles_fit_event_types(name: str) -> None:
    record = RECORDS[name]
    entity_ids = {e["id"] for e in record["entities"]}
    event_ids = {e["id"] for e in record["events"]}
    ids = [x["id"] for key in ("entities", "events", "claims") for x in record[key]]
    assert len(ids) == len(set(ids))
    roles = allowed_roles()
    for event in record["events"]:
        for argument in event["arguments"]:
            assert argument["entity"] in entity_ids
            assert argument["role"] in roles[event["type"]], (event["id"], argument["role"])
    for claim in record["claims"]:
        claimant = claim["claimant"]
        assert (claimant["kind"] == "mention") == (claimant["entity"] is not None), claim["id"]
        assert claimant["entity"] is None or claimant["entity"] in entity_ids
        assert claim["event"] is None or claim["event"] in event_ids


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_verdicts_rest_on_named_evidence(name: str) -> None:
    for claim in RECORDS[name]["claims"]:
        assert (claim["verdict"] != "unchecked") == bool(claim["evidence"]), claim["id"]
        for evidence in claim["evidence"]:
            if evidence["kind"] == "document":
                assert evidence["ref"] in DOCUMENTS and evidence["ref"] != name


def test_ministers_share_canonical_keys_across_languages() -> None:
    languages = {}
    for name, record in RECORDS.items():
        keys = {e["canonical"] for e in record["entities"] if e["type"] == "person"}
        languages[DOCUMENTS[name]["language"]] = keys
    assert set(languages) == {"en", "ar"}
    for key in MINISTERS:
        assert key in languages["en"] and key in languages["ar"]


def _layer(ref: dict[str, str]) -> str:
    record = RECORDS[ref["document_id"]]
    return next(key for key in ("events", "claims") if ref["id"] in {x["id"] for x in record[key]})


def test_links_join_mentions_of_one_layer_in_two_different_documents() -> None:
    claim_relations = {"supports", "contradicts", "elaborates", "same_claim"}
    for link in LINKS:
        source, target = link["source"], link["target"]
        assert source["document_id"] != target["document_id"]
        layers = {_layer(source), _layer(target)}
        assert len(layers) == 1, link["id"]
        if link["relation"] == "same_event":
            assert layers == {"events"}, link["id"]
        if link["relation"] in claim_relations:
            assert layers == {"claims"}, link["id"]


def test_the_meeting_is_linked_as_one_event_across_languages() -> None:
    def event(ref: dict[str, str]) -> dict[str, Any]:
        return next(e for e in RECORDS[ref["document_id"]]["events"] if e["id"] == ref["id"])

    meetings = [
        (event(link["source"]), event(link["target"]))
        for link in LINKS
        if link["relation"] == "same_event" and event(link["source"])["type"] == "meeting"
    ]
    assert meetings
    assert all(a["type"] == b["type"] == "meeting" for a, b in meetings)
    linked_triggers = {e["trigger"]["text"] for pair in meetings for e in pair}
    assert {"meeting", "لقاءً", "استقبل"} <= linked_triggers


def test_provenance_says_adjudicated_from_two_declared_passes() -> None:
    """Gold 1.1.0 (#18): both documents adjudicated in a review round from the two passes, links by majority."""
    from goldkit.config import project_config

    roster = project_config(REPO).annotators
    passes = ["pass.a@goldkit.local", "pass.b@goldkit.local"]
    for record in RECORDS.values():
        provenance = record["provenance"]
        assert (provenance["method"], provenance["strategy"]) == ("adjudicated", "review")
        assert provenance["annotators"] == passes and provenance["annotator"] == "adjudicator@goldkit.local"
        assert provenance["note"].startswith("ai assistant: AI assistant (Claude) acting as team lead and adjudicator")
    for link in LINKS:
        provenance = link["provenance"]
        assert (provenance["method"], provenance["strategy"]) == ("adjudicated", "majority")
        assert len(provenance["annotators"]) >= 2 and set(provenance["annotators"]) <= {
            *passes,
            "adjudicator@goldkit.local",
        }
    assert all(roster[a].kind == "ai_assistant" for a in [*passes, "adjudicator@goldkit.local"])


def test_goldkit_validate_finds_no_problem_in_structure_or_meaning(tmp_path: Path) -> None:
    documents = tmp_path / "documents.jsonl"
    write_jsonl(documents, DOCUMENTS.values())
    report = validate_paths([GOLD], documents_path=documents)
    assert [str(p) for p in report.problems] == []
    assert report.checked["annotation"] == len(DOCUMENTS) and report.checked["link"] == len(LINKS)
