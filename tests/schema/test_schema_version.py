"""The schema's version: bumped when it changes, minor only when additive, changelogged; older minors stay valid."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from goldkit.release.build import list_releases
from goldkit.schema.validate import validate_record

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "schema" / "goldkit.schema.json"
CHANGELOG = REPO / "schema" / "CHANGELOG.md"
EXPORT = REPO / "export"
GOOD = REPO / "tests" / "data" / "validate_good"


def _version(schema: dict[str, Any]) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in schema["version"].split("."))
    return major, minor, patch


def _consts(node: dict[str, Any]) -> set[str]:
    return {item["const"] for item in node.get("oneOf", []) if isinstance(item, dict) and "const" in item}


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What in new would make a record valid under old invalid (definitions, properties, required, values)."""
    found = []
    for name, before in old["$defs"].items():
        after = new["$defs"].get(name)
        if after is None:
            found.append(f"$defs/{name} removed")
            continue
        properties, required = after.get("properties", {}), set(after.get("required", []))
        found += [f"$defs/{name}/properties/{p} removed" for p in before.get("properties", {}) if p not in properties]
        found += [f"$defs/{name} requires {p}" for p in sorted(required - set(before.get("required", [])))]
        found += [f"$defs/{name} value {v!r} removed" for v in sorted(_consts(before) - _consts(after))]
        if before.get("additionalProperties") is not False and after.get("additionalProperties") is False:
            found.append(f"$defs/{name} closed to additional properties")
    return found


WORDING = frozenset({"title", "description", "$comment", "examples"})


def _shape(node: Any) -> Any:
    """A schema node without its wording (titles, descriptions, comments, examples): what a patch may not change."""
    if isinstance(node, dict):
        return {k: _shape(v) for k, v in node.items() if k not in WORDING}
    if isinstance(node, list):
        return [_shape(v) for v in node]
    return node


def test_a_patch_may_change_wording_but_not_shape() -> None:
    before = {"X": {"description": "old", "oneOf": [{"const": "a", "title": "A"}]}}
    assert _shape(before) == _shape({"X": {"description": "new", "oneOf": [{"const": "a", "title": "Ay"}]}})
    assert _shape(before) != _shape({"X": {"description": "old", "oneOf": [{"const": "a"}, {"const": "b"}]}})


def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def test_the_schema_changed_since_a_release_only_with_a_higher_version() -> None:
    schema = _schema()
    for version in list_releases(EXPORT):
        released = json.loads((EXPORT / version / "schema" / "goldkit.schema.json").read_text(encoding="utf-8"))
        if released == schema:
            continue
        assert _version(schema) > _version(released), f"schema differs from export/{version}'s: bump its version"
        if _version(schema)[0] == _version(released)[0]:
            assert breaking_changes(released, schema) == [], "a change within one major must be additive"
            assert _version(schema)[1] > _version(released)[1] or _shape(schema["$defs"]) == _shape(
                released["$defs"]
            ), "new definitions or fields need a minor bump, not a patch (a patch changes wording only)"


def test_the_id_names_the_version_and_the_changelog_has_an_entry_for_it() -> None:
    schema = _schema()
    assert f"/{schema['version']}/" in schema["$id"]
    assert f"\n## {schema['version']} — " in CHANGELOG.read_text(encoding="utf-8")


def test_the_additive_check_sees_what_breaks_old_records() -> None:
    old = _schema()
    new = copy.deepcopy(old)
    assert breaking_changes(old, new) == []
    new["$defs"]["Document"]["required"].append("source")
    new["$defs"]["Verdict"]["oneOf"].pop()
    del new["$defs"]["Offsets"]
    assert len(breaking_changes(old, new)) == 3


@pytest.mark.parametrize("older", ["1.0.0", "1.0.7"])
def test_records_of_an_older_minor_stay_valid(older: str) -> None:
    assert _schema()["version"] != older
    documents = {}
    for line in (GOOD / "documents.jsonl").read_text(encoding="utf-8").splitlines():
        document = json.loads(line)
        documents[document["id"]] = document
    for path in sorted((GOOD / "gold").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        record["schema_version"] = older
        assert validate_record(record, documents.get(record.get("document_id", ""))) == [], path.name
    for document in documents.values():
        assert validate_record({**document, "schema_version": older}) == []


def test_the_1_0_0_release_still_says_schema_1_0_0() -> None:
    # its release.json and schema copy are checked byte for byte by the rebuild test in tests/release
    manifest = json.loads((EXPORT / "1.0.0" / "release.json").read_text(encoding="utf-8"))
    copied = json.loads((EXPORT / "1.0.0" / "schema" / "goldkit.schema.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == copied["version"] == "1.0.0"
