"""The fields around an exported annotation's result: ids, times, lead_time, ground_truth, project.

Label Studio writes them with one JSON type each (ids are integers, times ISO 8601 strings, lead_time a
number, ground_truth a boolean). Anything else comes from a hand-edited or foreign export (string ids
are in Label Studio's own editor fixtures) and is named here, field by field, so the converter can
quarantine the annotation instead of guessing; pure and compiled conversion then agree on every input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class FieldProblem:
    """One envelope field of the wrong type: where (`task.id`, `annotation.lead_time` ...), what came, what fits."""

    field: str
    got: Any
    expected: str


def server_time(value: Any) -> datetime | None:
    """Read a Label Studio timestamp (ISO 8601, 'Z' allowed; naive means UTC), or None if it is not one."""
    if type(value) is not str or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _integer(value: Any) -> bool:
    return type(value) is int


def _optional_integer(value: Any) -> bool:
    return value is None or type(value) is int


def _optional_time(value: Any) -> bool:
    return value is None or server_time(value) is not None


def _optional_number(value: Any) -> bool:
    return value is None or type(value) in (int, float)


def _boolean(value: Any) -> bool:
    return type(value) is bool


# (which object, key, required, test, what fits): `required` fields must be present; the others may be absent
_FIELDS = (
    ("task", "id", True, _integer, "an integer"),
    ("task", "project", False, _optional_integer, "an integer or null"),
    ("annotation", "id", True, _integer, "an integer"),
    ("annotation", "project", False, _optional_integer, "an integer or null"),
    ("annotation", "created_at", False, _optional_time, "an ISO 8601 time string or null"),
    ("annotation", "updated_at", False, _optional_time, "an ISO 8601 time string or null"),
    ("annotation", "lead_time", False, _optional_number, "a number of seconds or null"),
    ("annotation", "ground_truth", False, _boolean, "true or false"),
    ("annotation", "was_cancelled", False, _boolean, "true or false"),
)
_MISSING = object()


def field_problems(task: Mapping[str, Any], annotation: Mapping[str, Any]) -> list[FieldProblem]:
    """Name every envelope field of a task and its annotation that Label Studio would not have written."""
    objects = {"task": task, "annotation": annotation}
    problems = []
    for where, key, required, fits, expected in _FIELDS:
        value = objects[where].get(key, _MISSING)
        if value is _MISSING:
            if required:
                problems.append(FieldProblem(f"{where}.{key}", None, f"{expected} (it is missing)"))
        elif not fits(value):
            problems.append(FieldProblem(f"{where}.{key}", value, expected))
    return problems
