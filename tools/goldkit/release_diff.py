"""Compare two releases: documents added/removed/changed, labels changed per document and layer, schema change.

Rows are read back from each release's Parquet and decoded with that release's own Features (the label
order may differ between schema versions). Span texts are left out of the comparison: offsets and the
document's sha256 already pin them, so a stand-off release compares equal to the same data with text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from datasets import ClassLabel, Features, List

from goldkit.jsonio import read_json

SPLIT = "test"
LAYERS = ("entities", "events", "claims")
SCHEMA_COPY = Path("schema") / "goldkit.schema.json"


@dataclass
class ItemChanges:
    """Ids of items added, removed and changed between two releases."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, list[str]]:
        return {"added": self.added, "removed": self.removed, "changed": self.changed}


@dataclass
class ReleaseDiff:
    """Everything that differs between release `old` and release `new`."""

    old: str
    new: str
    old_schema: str
    new_schema: str
    schema_changed: bool
    documents_added: list[str] = field(default_factory=list)
    documents_removed: list[str] = field(default_factory=list)
    documents_changed: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, dict[str, ItemChanges]] = field(default_factory=dict)
    links: ItemChanges = field(default_factory=ItemChanges)
    annotations: ItemChanges = field(default_factory=ItemChanges)

    def is_empty(self) -> bool:
        return not (
            self.schema_changed
            or self.documents_added
            or self.documents_removed
            or self.documents_changed
            or self.labels
            or self.links
            or self.annotations
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "schema": {"old": self.old_schema, "new": self.new_schema, "changed": self.schema_changed},
            "documents": {
                "added": self.documents_added,
                "removed": self.documents_removed,
                "changed": self.documents_changed,
            },
            "labels": {doc: {layer: c.to_dict() for layer, c in layers.items()} for doc, layers in self.labels.items()},
            "links": self.links.to_dict(),
            "annotations": self.annotations.to_dict(),
            "empty": self.is_empty(),
        }


def _decoder(feature: Any) -> Any:
    """Compile a Features node into a function turning ClassLabel ids back into names."""
    if isinstance(feature, ClassLabel):
        names = feature.names
        return lambda value: None if value is None else names[value]
    if isinstance(feature, List):
        item = _decoder(feature.feature)
        return lambda values: None if values is None else [item(v) for v in values]
    if isinstance(feature, dict):
        fields = {key: _decoder(sub) for key, sub in feature.items()}
        return lambda row: None if row is None else {k: dec(row.get(k)) for k, dec in fields.items()}
    return lambda value: value


def read_config(release: Path, config: str) -> list[dict[str, Any]]:
    """Return a release's rows of one config with label names (empty if the release has no such config)."""
    path = release / config / f"{SPLIT}.parquet"
    if not path.is_file():
        return []
    table = pq.read_table(path)
    decode = _decoder(Features.from_arrow_schema(table.schema))
    return [decode(row) for row in table.to_pylist()]


def _without_text(value: Any) -> Any:
    if isinstance(value, list):
        return [_without_text(v) for v in value]
    if isinstance(value, dict):
        out = {k: _without_text(v) for k, v in value.items()}
        if "text" in out and ("start" in out or "sha256" in out):
            out["text"] = None
        return out
    return value


def _compare(old: dict[str, Any], new: dict[str, Any]) -> ItemChanges:
    return ItemChanges(
        added=sorted(new.keys() - old.keys()),
        removed=sorted(old.keys() - new.keys()),
        changed=sorted(k for k in old.keys() & new.keys() if old[k] != new[k]),
    )


def _keyed(rows: list[dict[str, Any]], key: Any) -> dict[str, Any]:
    return {key(row): _without_text(row) for row in rows}


def _by_document(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    grouped: dict[str, dict[str, Any]] = {}
    for row in rows:
        grouped.setdefault(row["document_id"], {})[row["id"]] = _without_text(row)
    return grouped


def _schema_version(release: Path) -> str:
    return str(read_json(release / SCHEMA_COPY)["version"])


def diff_releases(old: Path, new: Path) -> ReleaseDiff:
    """Compare the data and schema of two release folders."""
    old_schema, new_schema = old / SCHEMA_COPY, new / SCHEMA_COPY
    diff = ReleaseDiff(
        old=old.name,
        new=new.name,
        old_schema=_schema_version(old),
        new_schema=_schema_version(new),
        schema_changed=old_schema.read_bytes() != new_schema.read_bytes(),
    )
    docs = _compare(*(_keyed(read_config(r, "documents"), lambda row: row["id"]) for r in (old, new)))
    old_sha = {row["id"]: row["sha256"] for row in read_config(old, "documents")}
    new_sha = {row["id"]: row["sha256"] for row in read_config(new, "documents")}
    diff.documents_added, diff.documents_removed = docs.added, docs.removed
    diff.documents_changed = [{"id": d, "old_sha256": old_sha[d], "new_sha256": new_sha[d]} for d in docs.changed]
    for layer in LAYERS:
        old_rows, new_rows = (_by_document(read_config(r, layer)) for r in (old, new))
        for doc_id in sorted(old_rows.keys() | new_rows.keys()):
            changes = _compare(old_rows.get(doc_id, {}), new_rows.get(doc_id, {}))
            if changes:
                diff.labels.setdefault(doc_id, {})[layer] = changes
    diff.links = _compare(*(_keyed(read_config(r, "links"), lambda row: row["id"]) for r in (old, new)))
    diff.annotations = _compare(
        *(
            _keyed(read_config(r, "annotations"), lambda row: f"{row['annotator']}/{row['document_id']}")
            for r in (old, new)
        )
    )
    return diff
