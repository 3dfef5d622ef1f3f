"""The schema loader: label sets in schema order, roles per event type, link relations per kind, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from goldkit.errors import SchemaError
from goldkit.schema.loading import allowed_roles, definition, label_values, labels, link_relations_for, load_schema

SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "goldkit.schema.json"


def test_the_schema_is_draft_2020_12_with_an_id_and_a_semver():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("/2020-12/schema") and schema["$id"]
    assert [int(part) for part in schema["version"].split(".")]


def test_label_values_come_in_schema_order_with_their_descriptions():
    raw = json.loads(SCHEMA.read_text(encoding="utf-8"))["$defs"]["Verdict"]["oneOf"]
    assert label_values("Verdict") == [item["const"] for item in raw]
    assert all(label.description for label in labels("Verdict"))


def test_every_event_type_allows_only_known_roles():
    roles = set(label_values("ArgumentRole"))
    allowed = allowed_roles()
    assert set(allowed) == set(label_values("EventType"))
    assert all(allowed[t] and set(allowed[t]) <= roles for t in allowed)


def test_link_relations_split_by_the_mentions_they_join():
    event, claim = set(link_relations_for("event")), set(link_relations_for("claim"))
    assert event | claim == set(label_values("LinkRelation"))
    assert "same_event" in event - claim and "contradicts" in claim - event


def test_a_name_that_is_not_a_label_set_is_a_schema_error():
    with pytest.raises(SchemaError, match="Span"):
        labels("Span")
    with pytest.raises(SchemaError, match="NoSuchThing"):
        definition("NoSuchThing")


def test_broken_schema_files_name_the_file(tmp_path: Path):
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(SchemaError, match="broken.json"):
        load_schema(bad)
    with pytest.raises(SchemaError, match="not found"):
        load_schema(tmp_path / "missing.json")


def test_a_pinned_schema_is_the_one_read_at_the_start_of_the_block(tmp_path: Path, monkeypatch) -> None:
    from goldkit.schema.loading import pinned_schema, schema_key

    repo_schema = Path(__file__).resolve().parents[2] / "schema" / "goldkit.schema.json"
    (tmp_path / "goldkit.toml").write_text("", encoding="utf-8")
    (tmp_path / "schema").mkdir()
    path = tmp_path / "schema" / "goldkit.schema.json"
    schema = json.loads(repo_schema.read_text(encoding="utf-8"))
    path.write_text(json.dumps(schema), encoding="utf-8")
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    with pinned_schema() as key:
        assert key == schema_key() and key[0] == path
        schema["title"] = "edited inside the block"
        path.write_text(json.dumps(schema, indent=1), encoding="utf-8")
        assert schema_key() == key and load_schema().get("title") != "edited inside the block"
        assert schema_key(path) != key  # an explicit path is always read as it is now
    assert schema_key() != key and load_schema()["title"] == "edited inside the block"
