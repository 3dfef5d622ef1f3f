"""Small shared helpers on annotation records (plain dicts shaped by the schema)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from goldkit.schema.loading import label_values, per_schema

Record = dict[str, Any]

# record array -> the key of its span (events are located by their trigger)
SPAN_KEYS = {"entities": "span", "events": "trigger", "claims": "span"}


def iter_spans(record: Record) -> Iterator[tuple[str, int, dict[str, Any], dict[str, Any]]]:
    """Yield (array name, index, item, span) for every span-bearing item of an annotation record."""
    for key, span_key in SPAN_KEYS.items():
        for index, item in enumerate(record.get(key) or []):
            span = item.get(span_key) if isinstance(item, dict) else None
            if isinstance(span, dict):
                yield key, index, item, span


def _span_order(span_key: str):
    return lambda item: (item[span_key]["start"], item[span_key]["end"], item["id"])


@per_schema
def _ranks() -> tuple[dict[str, int], dict[str, int]]:
    """Schema order of argument roles and claim types (cached: canonicalize runs once per pulled record)."""
    roles = {role: i for i, role in enumerate(label_values("ArgumentRole"))}
    return roles, {t: i for i, t in enumerate(label_values("ClaimType"))}


def canonicalize(record: Record) -> Record:
    """Return the record in goldkit's canonical order, so equal annotations compare and diff equal.

    Arrays sorted by (start, end, id); event arguments by (schema role order, entity id);
    claim types in schema order. Field values are not changed.
    """
    out = dict(record)
    for key in SPAN_KEYS:
        if key in out:
            out[key] = list(out[key])
    if "events" in out:
        out["events"] = [{**event, "arguments": list(event.get("arguments", []))} for event in out["events"]]
    if "claims" in out:
        out["claims"] = [{**claim, "types": list(claim.get("types", []))} for claim in out["claims"]]
    sort_canonically(out)
    return out


def sort_canonically(record: Record) -> None:
    """Put a record's arrays in canonical order in place (see canonicalize), for a record just built."""
    role_rank, type_rank = _ranks()
    for key, span_key in SPAN_KEYS.items():
        if key in record:
            record[key].sort(key=_span_order(span_key))
    for event in record.get("events", []):
        if "arguments" in event:
            event["arguments"].sort(key=lambda a: (role_rank.get(a["role"], 99), a["entity"]))
    for claim in record.get("claims", []):
        if "types" in claim:
            claim["types"].sort(key=lambda t: type_rank.get(t, 99))
