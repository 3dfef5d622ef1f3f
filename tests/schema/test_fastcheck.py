"""goldkit.schema.fastcheck: the generated predicates say "valid" exactly when jsonschema does."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from goldkit.jsonio import read_records
from goldkit.schema.fastcheck import Unsupported, compile_definition, definition_source
from goldkit.schema.loading import load_schema
from goldkit.schema.validate import record_checks

GOOD = Path(__file__).resolve().parents[1] / "data" / "validate_good"
# Values a mutation puts in place of any value: every JSON type, edge numbers and strings.
REPLACEMENTS: list[Any] = [None, 0, -1, 1.5, True, "", "x", "_x", "2024-02-30", "mention", [], ["quote", "quote"], {}]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _mutate(record: Any, path: tuple[Any, ...], how: str, replacement: Any) -> Any:
    """Return a copy of record with the value at path replaced, removed, or given an extra key."""
    mutated = copy.deepcopy(record)
    parent = mutated
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "extra" and isinstance(parent[last], dict):
        parent[last]["unexpected"] = replacement
    elif how == "extra" and isinstance(parent[last], list):
        parent[last].append(replacement)
    else:
        parent[last] = replacement
    return mutated


def _records() -> list[dict[str, Any]]:
    return [record for path in sorted(GOOD.rglob("*.json*")) for _, record in read_records(path)]


def _agree(schema: dict[str, Any], name: str, instances: list[Any], unsure: tuple[Any, ...] = ()) -> None:
    """Assert the predicate and jsonschema agree; on `unsure` values the predicate says no, jsonschema yes."""
    root = {**schema, "$ref": f"#/$defs/{name}"}
    root.pop("oneOf", None)
    full = Draft202012Validator(root, format_checker=FormatChecker(formats=["date"]))
    quick = compile_definition(schema, name)
    for instance in instances:
        assert quick(instance) == full.is_valid(instance), instance
    for instance in unsure:  # a "no" only sends the record to jsonschema, which decides
        assert not quick(instance) and full.is_valid(instance), instance


def test_mutations_of_every_record_type_agree_with_jsonschema() -> None:
    """Sampled single mutations (replace, delete, extra key or item) anywhere in the good fixture."""
    rng = random.Random(20240501)
    checks = record_checks()
    verdicts = set()
    for record in _records():
        check = checks[record["record_type"]]
        assert check.quick is not None and check.quick(record)
        paths = [path for path in _paths(record) if path]
        for path in rng.sample(paths, min(len(paths), 40)):
            for how in ("replace", "delete", "extra"):
                mutated = _mutate(record, path, how, rng.choice(REPLACEMENTS))
                verdict = check.full.is_valid(mutated)
                assert check.quick(mutated) == verdict, (path, how)
                verdicts.add(verdict)
    assert verdicts == {True, False}  # the sample holds both kinds


def test_labels_regexes_and_formats_agree_on_edge_values() -> None:
    schema = load_schema()
    _agree(schema, "Id", ["a", "a" * 128, "a" * 129, "-a", "a b", "a\n", "é", 5, None])
    _agree(schema, "EntityType", ["person", "Person", "person ", 1, None, ["person"]])
    _agree(schema, "Span", [{"start": 0, "end": 1, "text": "x"}, {"start": 0, "end": 0, "text": "x"},
                            {"start": -1, "end": 1, "text": "x"}, {"start": 0, "end": 1, "text": ""},
                            {"start": True, "end": 1, "text": "x"}],
           unsure=({"start": 0.0, "end": 1, "text": "x"},))  # fmt: skip


def test_generated_source_quotes_schema_strings() -> None:
    """Property names and labels from the schema reach the source only through repr()."""
    hostile = "x'] or __import__('os').exit(3) or v['\n"
    schema = {
        "$defs": {
            "Thing": {
                "type": "object",
                "required": [hostile],
                "additionalProperties": False,
                "properties": {hostile: {"enum": ["a'\"b", "c\\"]}, "pattern": {"type": "string", "pattern": "^'$"}},
            }
        }
    }
    source = definition_source(schema, "Thing")
    assert repr(hostile) in source and hostile not in source.replace(repr(hostile), "")
    _agree(schema, "Thing", [{hostile: "a'\"b"}, {hostile: "c\\"}, {hostile: "c"}, {hostile: "c\\", "pattern": "'"},
                             {hostile: "c\\", "pattern": "x"}, {"other": 1}, []])  # fmt: skip


def test_recursive_definitions_call_themselves() -> None:
    schema = {
        "$defs": {
            "Tree": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}},
                },
            }
        }
    }
    deep: dict[str, Any] = {"name": "leaf"}
    for depth in range(5):
        deep = {"name": str(depth), "children": [deep, {"name": "x"}]}
    broken = copy.deepcopy(deep)
    broken["children"][0]["children"][0]["children"][0]["name"] = 3
    _agree(schema, "Tree", [deep, broken, {"name": "x", "children": [1]}, {"children": []}])


@pytest.mark.parametrize(
    "node",
    [{"type": "string", "maxLength": 3}, {"type": "string", "format": "email"}, {"type": "tuple"},
     {"const": 3}, {"type": "object", "additionalProperties": {"type": "string"}}, {"$ref": "#/$defs/Nowhere"}],
)  # fmt: skip
def test_unknown_keywords_and_values_are_refused(node: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        compile_definition({"$defs": {"Thing": node}}, "Thing")
