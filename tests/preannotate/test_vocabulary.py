"""The rules take their labels from the project's schema: what it lacks is left out, and said; import never fails."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from goldkit.ingest.documents import build_document
from goldkit.paths import DEFAULT_SCHEMA_PATH, PROJECT_FILE, SCHEMA_FILE
from goldkit.preannotate.models import preannotate
from goldkit.preannotate.rules import skipped_suggestions
from goldkit.preannotate.vocabulary import vocabulary
from goldkit.schema.validate import validate_record

EN_TEXT = (
    "RIYADH – The ministers met on Thursday with 12 officials. "
    'The minister said "the talks went well" and analysts suggest that progress is slow.\n'
)
FR_TEXT = (
    "PARIS – Les ministres se sont réunis jeudi avec 12 responsables. "
    "Le ministre a déclaré « les discussions se sont bien passées » et les analystes sont prudents.\n"
)


def _schema() -> dict[str, Any]:
    return json.loads(DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8"))


def _drop(schema: dict[str, Any], label_set: str, value: str) -> None:
    items = schema["$defs"][label_set]["oneOf"]
    schema["$defs"][label_set]["oneOf"] = [item for item in items if item["const"] != value]


def _project(root: Path, schema: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Path:
    (root / SCHEMA_FILE).parent.mkdir(parents=True)
    (root / SCHEMA_FILE).write_text(json.dumps(schema), encoding="utf-8")
    (root / PROJECT_FILE).write_text('[project]\nname = "own"\n', encoding="utf-8")
    monkeypatch.setenv("GOLDKIT_ROOT", str(root))
    return root


def _run(text: str, name: str, language: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    document = build_document(text, [], name, language=language)
    [record] = preannotate({document["id"]: document})
    return document, record


def test_the_default_schema_leaves_nothing_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, _schema(), monkeypatch)
    assert vocabulary().skipped == () and vocabulary().claims
    document, record = _run(EN_TEXT, "en.txt")
    assert {e["type"] for e in record["entities"]} >= {"datetime", "quantity"} and record["claims"]
    assert "Not suggested" not in record["provenance"]["note"]
    assert validate_record(record, document) == []


def test_what_the_schema_lacks_is_left_out_and_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = _schema()
    _drop(schema, "EntityType", "quantity")
    _drop(schema, "Modality", "hedged")
    _project(tmp_path, schema, monkeypatch)
    document, record = _run(EN_TEXT, "en.txt")
    types = {e["type"] for e in record["entities"]}
    assert "quantity" not in types and "datetime" in types
    assert record["claims"] == []  # a claim needs a modality the rules can choose between
    reasons = skipped_suggestions()
    assert "quantity: $defs/EntityType has no 'quantity'" in reasons
    assert any(r.startswith("claims:") and "$defs/Modality has no 'hedged'" in r for r in reasons)
    assert "$defs/Modality has no 'hedged'" in record["provenance"]["note"]
    assert validate_record(record, document) == []


def test_a_required_claim_attribute_is_filled_from_its_default_or_claims_are_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = _schema()
    schema["$defs"]["Sourcing"] = {
        "title": "Sourcing",
        "description": "How the claim is sourced.",
        "oneOf": [
            {"const": "named", "title": "Named", "description": "A named source."},
            {"const": "unnamed", "title": "Unnamed", "description": "No name given."},
        ],
    }
    claim = schema["$defs"]["Claim"]
    claim["properties"]["sourcing"] = {"$ref": "#/$defs/Sourcing"}
    claim["required"].append("sourcing")
    _project(tmp_path / "no-default", schema, monkeypatch)
    _, record = _run(EN_TEXT, "en.txt")
    assert record["claims"] == [] and record["entities"]
    assert "$defs/Claim requires 'sourcing', which the rules cannot suggest" in " ".join(skipped_suggestions())
    with_default = copy.deepcopy(schema)
    with_default["$defs"]["Claim"]["properties"]["sourcing"]["default"] = "unnamed"
    _project(tmp_path / "default", with_default, monkeypatch)
    document, record = _run(EN_TEXT, "en.txt")
    assert record["claims"] and {c["sourcing"] for c in record["claims"]} == {"unnamed"}
    assert validate_record(record, document) == []


def test_a_language_without_patterns_gets_numbers_and_quotes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = _schema()
    schema["$defs"]["Language"]["oneOf"].append({"const": "fr", "title": "French", "description": "Articles in fr."})
    _project(tmp_path, schema, monkeypatch)
    document, record = _run(FR_TEXT, "fr.txt", language="fr")
    assert [e["span"]["text"] for e in record["entities"]] == ["12 responsables"]
    assert [c["span"]["text"] for c in record["claims"] if c["types"] == ["quote"]] == [
        "les discussions se sont bien passées"
    ]
    assert "dates and reporting cues in 'fr'" in record["provenance"]["note"]
    assert validate_record(record, document) == []


def test_importing_the_rules_never_reads_a_label(tmp_path: Path) -> None:
    # rules.py used to check 14 label names at import: a project without them could not even run --help
    schema = _schema()
    for label_set, value in (("EntityType", "person"), ("ClaimType", "quote"), ("Verdict", "unchecked")):
        _drop(schema, label_set, value)
    root = tmp_path / "own"
    root.mkdir()
    (root / SCHEMA_FILE).parent.mkdir()
    (root / SCHEMA_FILE).write_text(json.dumps(schema), encoding="utf-8")
    (root / PROJECT_FILE).write_text('[project]\nname = "own"\n', encoding="utf-8")
    code = "import goldkit.preannotate.rules as r; print(r.skipped_suggestions())"
    done = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "GOLDKIT_ROOT": str(root)}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "person: $defs/EntityType has no 'person'" in done.stdout and "Verdict has no 'unchecked'" in done.stdout
