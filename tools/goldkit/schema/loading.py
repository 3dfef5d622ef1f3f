"""Load the goldkit JSON Schema and read label sets from it: the one place label names come from."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from jsonschema import Draft202012Validator

from goldkit.errors import SchemaError
from goldkit.paths import schema_path

T = TypeVar("T")


@dataclass(frozen=True)
class Label:
    """One value of a closed label set, with the words annotators read."""

    value: str
    title: str
    description: str
    roles: tuple[str, ...] = ()  # x-roles: argument roles an event type allows
    applies_to: tuple[str, ...] = ()  # x-applies-to: mention kinds a link relation may join


SchemaKey = tuple[Path, int, int]  # the schema file, its mtime (ns) and size: what a cached reading is valid for
_schemas: dict[SchemaKey, dict[str, Any]] = {}


_pinned: list[SchemaKey] = []  # pinned_schema's keys, innermost last


@contextmanager
def pinned_schema() -> Iterator[SchemaKey]:
    """Read which schema is in force once for a block that uses one schema throughout (a release).

    Everything cached per schema (per_schema) looks the key up on every call: a file stat and the project
    lookup, ~11 times per gold record checked. Inside the block the key read at its start is used instead.
    """
    _pinned.append(schema_key())
    try:
        load_schema()  # read under that key now: the block sees the file as it was at its start
        yield _pinned[-1]
    finally:
        _pinned.pop()


def schema_key(path: Path | None = None) -> SchemaKey:
    """Say which schema is in force: the project's file (see `paths.schema_path`) as it is now."""
    if path is None and _pinned:
        return _pinned[-1]
    path = path or schema_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return (path, -1, -1)  # _read_schema says it is missing
    return (path, stat.st_mtime_ns, stat.st_size)


def load_schema(path: Path | None = None) -> dict[str, Any]:
    """Read and check the schema file (default: the project's), once per path while the file is unchanged."""
    key = schema_key(path)
    if (schema := _schemas.get(key)) is None:
        schema = _schemas[key] = _read_schema(key[0])
    return schema


def per_schema(function: Callable[..., T]) -> Callable[..., T]:
    """Cache what `function` derives from the schema, per schema file (a process may see several projects).

    The schema file (path, mtime, size) is the key, so a process that moves to another project, or
    reads a schema edited since, never gets stale labels; arguments must be hashable, as for functools.cache.
    """
    results: dict[tuple[Any, ...], T] = {}

    @functools.wraps(function)
    def cached(*args: Any) -> T:
        key = (schema_key(), *args)
        try:
            return results[key]
        except KeyError:
            value = results[key] = function(*args)
            return value

    cached.cache_clear = results.clear  # type: ignore[attr-defined]
    return cached


def _read_schema(path: Path) -> dict[str, Any]:
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise SchemaError(f"schema file not found: {path}", path=str(path)) from e
    except json.JSONDecodeError as e:
        raise SchemaError(f"schema file is not JSON: {path}:{e.lineno}:{e.colno}: {e.msg}", path=str(path)) from e
    try:
        Draft202012Validator.check_schema(schema)
    except Exception as e:  # jsonschema.SchemaError
        raise SchemaError(f"{path} is not a valid Draft 2020-12 schema: {e}", path=str(path)) from e
    return schema


def schema_version(schema: dict[str, Any] | None = None) -> str:
    """Return the schema's own semver."""
    return str((schema or load_schema())["version"])


def definition(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return `$defs/name` of the schema."""
    defs = (schema or load_schema())["$defs"]
    if name not in defs:
        raise SchemaError(f"schema has no $defs/{name}", pointer=f"/$defs/{name}")
    return defs[name]


def labels(name: str, schema: dict[str, Any] | None = None) -> list[Label]:
    """Return the closed label set `$defs/name` in schema order."""
    node = definition(name, schema)
    if "oneOf" not in node:
        raise SchemaError(f"$defs/{name} is not a described label set (oneOf of const)", pointer=f"/$defs/{name}")
    return [
        Label(
            item["const"],
            item.get("title", item["const"]),
            item.get("description", ""),
            tuple(item.get("x-roles", ())),
            tuple(item.get("x-applies-to", ())),
        )
        for item in node["oneOf"]
    ]


def schema_value(label_set: str, value: str) -> str:
    """Return value if `$defs/label_set` has it, so the few label literals in code are checked, not trusted."""
    if value not in label_values(label_set):
        raise SchemaError(f"$defs/{label_set} has no value {value!r}", pointer=f"/$defs/{label_set}")
    return value


def label_values(name: str, schema: dict[str, Any] | None = None) -> list[str]:
    """Return just the values of a label set, in schema order."""
    return [label.value for label in labels(name, schema)]


def allowed_roles(schema: dict[str, Any] | None = None) -> dict[str, tuple[str, ...]]:
    """Map each event type to the argument roles it allows."""
    return {label.value: label.roles for label in labels("EventType", schema)}


def link_relations_for(kind: str, schema: dict[str, Any] | None = None) -> list[str]:
    """Return the link relations that may join two mentions of `kind` ('event' or 'claim')."""
    return [label.value for label in labels("LinkRelation", schema) if kind in label.applies_to]
