"""The claim policy gold keeps (schema/policy.py): verdicts need outside evidence, unverifiable claims stay
unchecked, claimant and attribution agree, anonymous or unverifiable sources are not identities (#18)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from record_builders import author_claim

from goldkit.schema.policy import claim_policy_problems, outside_evidence
from goldkit.schema.validate import validate_gold, validate_paths, validate_record

REPO = Path(__file__).resolve().parents[2]
HISTORY = REPO / "annotations" / "history" / "1.0.0"
POLICY = ["outside-evidence", "unverifiable-unchecked", "claimant-attribution", "unverified-sources"]
OUTSIDE = {"kind": "url", "ref": "https://www.spa.gov.sa/w2213344", "note": "Saudi Press Agency, 2025-12-18"}


def schema_with(policy: list[str] | None) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((REPO / "schema" / "goldkit.schema.json").read_text(encoding="utf-8"))
    schema["$defs"]["Claim"].pop("x-policy", None)
    if policy is not None:
        schema["$defs"]["Claim"]["x-policy"] = policy
    return schema


@pytest.fixture(autouse=True)
def _policy_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose schema opts in to every rule (the repository's schema does from 1.1.0 on)."""
    root = tmp_path / "project"
    (root / "schema").mkdir(parents=True)
    (root / "schema" / "goldkit.schema.json").write_text(json.dumps(schema_with(POLICY)), encoding="utf-8")
    monkeypatch.setenv("GOLDKIT_ROOT", str(root))
    return root


def record(*claims: dict[str, Any], entities: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"record_type": "annotation", "claims": list(claims), "entities": entities or [], "events": []}


def claim(**fields: Any) -> dict[str, Any]:
    return author_claim("c1", {"start": 0, "end": 4, "text": "Talk"}, None) | fields


def pointers(rec: dict[str, Any]) -> list[str]:
    return [p.pointer for p in claim_policy_problems(rec)]


def test_a_plain_unchecked_claim_keeps_the_policy() -> None:
    assert pointers(record(claim())) == []


@pytest.mark.parametrize(
    "evidence",
    [
        [],
        [{"kind": "document", "ref": "003_5fb4ba3b4aa07823-31bdab38"}],  # the other report of the same event
        [{"kind": "url", "ref": "https://www.spa.gov.sa/x"}],  # no source name, no date
        [{"kind": "url", "ref": "https://www.spa.gov.sa/x", "note": "2025-12-18"}],  # a date, no name
        [{"kind": "url", "ref": "spa.gov.sa", "note": "Saudi Press Agency, 2025-12-18"}],  # not an address
        [{"kind": "reference", "ref": "Annual report", "note": "Ministry, 2025-12-18"}],  # no URL
    ],
)
def test_a_verdict_without_outside_evidence_is_a_problem(evidence: list[dict[str, Any]]) -> None:
    rec = record(claim(verdict="supported", evidence=evidence))
    assert pointers(rec) == ["/claims/0/verdict"]
    assert "outside evidence" in claim_policy_problems(rec)[0].message


def test_a_verdict_with_a_named_dated_source_is_kept() -> None:
    assert outside_evidence(OUTSIDE)
    evidence = [{"kind": "document", "ref": "003_5fb4ba3b4aa07823-31bdab38"}, OUTSIDE]
    assert pointers(record(claim(verdict="refuted", evidence=evidence))) == []
    for verdict in ("unchecked", "not_enough_evidence"):
        assert pointers(record(claim(verdict=verdict))) == []


def test_a_claim_that_is_not_verifiable_has_no_verdict() -> None:
    assert pointers(record(claim(verifiable=False, verdict="not_enough_evidence"))) == ["/claims/0/verdict"]
    assert pointers(record(claim(verifiable=False, verdict="supported", evidence=[OUTSIDE]))) == ["/claims/0/verdict"]
    assert pointers(record(claim(verifiable=False))) == []


@pytest.mark.parametrize(
    ("kind", "attribution", "bad"),
    [
        ("unattributed", "none", True),  # 1.0.0's c-documents
        ("unattributed", "anonymous", False),
        ("unattributed", "unverifiable_source", False),
        ("author", "anonymous", True),
        ("author", "none", False),
    ],
)
def test_claimant_and_attribution_agree(kind: str, attribution: str, bad: bool) -> None:
    rec = record(claim(claimant={"kind": kind, "entity": None}, attribution=attribution))
    assert pointers(rec) == (["/claims/0/attribution"] if bad else [])


def test_a_named_mention_has_a_source() -> None:
    entity = {"id": "e1", "span": {"start": 0, "end": 4, "text": "Talk"}, "type": "person", "canonical": None}
    rec = record(claim(claimant={"kind": "mention", "entity": "e1"}, attribution="none"), entities=[entity])
    assert pointers(rec) == ["/claims/0/attribution"]


@pytest.mark.parametrize(
    ("canonical", "bad"),
    [("person.ahmed_al_muhallil", True), ("unverified.ahmed_security_analyst", False), (None, False)],
)
def test_an_unverifiable_source_is_not_an_identity(canonical: str | None, bad: bool) -> None:
    entity = {"id": "e1", "span": {"start": 0, "end": 4, "text": "Talk"}, "type": "person", "canonical": canonical}
    said = claim(claimant={"kind": "mention", "entity": "e1"}, attribution="unverifiable_source")
    assert pointers(record(said, entities=[entity])) == (["/entities/0/canonical"] if bad else [])
    named = claim(claimant={"kind": "mention", "entity": "e1"}, attribution="named_expert")
    assert pointers(record(named, entities=[entity])) == []  # a named expert may carry an identity


def test_annotators_records_are_not_held_to_the_gold_policy() -> None:
    """validate_record (pull, convert) leaves the policy to gold: one bad verdict must not quarantine a pass."""
    rec = record(claim(verdict="supported", evidence=[{"kind": "document", "ref": "other"}]))
    rec |= {"schema_version": "1.0.0", "document_id": "d", "document_sha256": "0" * 64,
            "provenance": {"annotator": "a1", "method": "manual"}}  # fmt: skip
    assert [p.pointer for p in validate_record(rec)] == []
    assert [p.pointer for p in validate_gold(rec)] == ["/claims/0/verdict"]


def test_the_1_0_0_gold_breaks_the_policy_where_the_review_said() -> None:
    """goldkit validate on 1.0.0's inputs names the errors of issue #18, one rule each."""
    gold = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((HISTORY / "gold").glob("*.json"))]
    by_id = {(r["document_id"], c["id"]): i for r in gold for i, c in enumerate(r["claims"])}
    found = {(p.path, p.pointer) for r in gold for p in validate_gold(r, location=r["document_id"])}
    en, ar = (r["document_id"] for r in gold)
    assert (ar, f"/claims/{by_id[(ar, 'c-documents')]}/attribution") in found
    assert (ar, f"/claims/{by_id[(ar, 'c-9000-km')]}/verdict") in found
    assert (en, f"/claims/{by_id[(en, 'c-meeting')]}/verdict") in found
    supported = [(r["document_id"], i) for r in gold for i, c in enumerate(r["claims"]) if c["verdict"] == "supported"]
    assert len(supported) == 8 and all((d, f"/claims/{i}/verdict") in found for d, i in supported)
    assert any(p.endswith("/canonical") for d, p in found if d == ar)  # the pseudonymous experts
    report = validate_paths([HISTORY / "gold"], documents_path=HISTORY / "documents.jsonl")
    assert len(report.problems) >= len(found)


def test_a_schema_without_the_policy_is_checked_without_it(_policy_schema: Path) -> None:
    """Releases made with an older schema (1.0.0's copy names no x-policy) rebuild: the rules are opt-in."""
    path = _policy_schema / "schema" / "goldkit.schema.json"
    path.write_text(json.dumps(schema_with(None)), encoding="utf-8")
    assert pointers(record(claim(verdict="supported"))) == []
    path.write_text(json.dumps(schema_with(["outside-evidence"])), encoding="utf-8")
    assert pointers(record(claim(verdict="supported"), claim(verifiable=False, verdict="not_enough_evidence"))) == [
        "/claims/0/verdict"
    ]
