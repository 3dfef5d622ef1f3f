"""Compare two releases: documents added/removed/changed, labels changed per document and layer, schema change.

Rows are read back from each release's Parquet and decoded with that release's own Features (the label
order may differ between schema versions), column-wise in Arrow. Span texts are left out of the comparison:
offsets and the document's sha256 already pin them, so a stand-off release compares equal to the same data
with text. Labels are matched by what they are (document, layer, type, span: release/labeldiff.py), not by
id, so a new campaign's ids do not turn every label into removed + added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from datasets import Features

from goldkit.jsonio import read_json
from goldkit.release.labeldiff import LabelChanges, compare_layer, compare_links
from goldkit.release.shards import read_config_table
from goldkit.release.tables import to_names, without_text

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
    labels: dict[str, dict[str, LabelChanges]] = field(default_factory=dict)
    links: LabelChanges = field(default_factory=LabelChanges)
    annotations: ItemChanges = field(default_factory=ItemChanges)
    old_row_format: int = 1
    new_row_format: int = 1

    def is_empty(self) -> bool:
        return not (
            self.schema_changed
            or self.old_row_format != self.new_row_format
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
            "row_format": {"old": self.old_row_format, "new": self.new_row_format},
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


def _decoded_rows(release: Path, config: str) -> pa.StructArray | None:
    """A release's rows of one config with label names, decoded column-wise (None if there is no such config)."""
    table = read_config_table(release, config, SPLIT)  # either layout: shards under data/, or 1.0.0's one file
    if table is None:
        return None
    features = Features.from_arrow_schema(table.schema)
    columns = [to_names(table.column(key).combine_chunks(), sub) for key, sub in features.items()]
    return pa.StructArray.from_arrays(columns, names=list(features)) if columns else None


def read_config(release: Path, config: str) -> list[dict[str, Any]]:
    """Return a release's rows of one config with label names (empty if the release has no such config)."""
    rows = _decoded_rows(release, config)
    return [] if rows is None else rows.to_pylist()


def _comparable(release: Path, config: str) -> pa.StructArray | None:
    """_decoded_rows with every text left out (span texts and the document text): what a diff compares."""
    rows = _decoded_rows(release, config)
    return None if rows is None else without_text(rows)


def _aligned(old: pa.StructArray | None, new: pa.StructArray | None) -> tuple[Any, Any]:
    """Both releases' rows reduced to the fields they share, dates compared as ISO strings (row formats differ)."""
    if old is None or new is None or old.type == new.type:
        return old, new
    return _project(old, new.type), _project(new, old.type)


def _project(array: pa.Array, other: pa.DataType) -> pa.Array:
    if pa.types.is_struct(array.type) and pa.types.is_struct(other):
        names = [f.name for f in array.type if other.get_field_index(f.name) >= 0]
        children = [_project(array.field(name), other.field(name).type) for name in names]
        return pa.StructArray.from_arrays(children, names=names, mask=array.is_null() if array.null_count else None)
    if pa.types.is_date(array.type) and not pa.types.is_date(other):
        return array.cast(pa.string())
    return array


def _row_format(release: Path) -> int:
    return int(read_json(release / "release.json").get("row_format", 1))


def _compare(old: dict[str, Any], new: dict[str, Any]) -> ItemChanges:
    return ItemChanges(
        added=sorted(new.keys() - old.keys()),
        removed=sorted(old.keys() - new.keys()),
        changed=sorted(k for k in old.keys() & new.keys() if old[k] != new[k]),
    )


def _keyed(rows: pa.StructArray | None, key: Any) -> dict[str, Any]:
    return {} if rows is None else {key(row): row for row in rows.to_pylist()}


def _changes(old: pa.StructArray | None, new: pa.StructArray | None, key: Any) -> ItemChanges:
    """Compare rows keyed by key(row); equal arrays hold equal rows, so they skip the row by row comparison."""
    if old is not None and new is not None and old.equals(new):
        return ItemChanges()
    return _compare(_keyed(old, key), _keyed(new, key))


def _by_document(rows: pa.StructArray | None) -> dict[str, pa.StructArray]:
    """Split a layer's rows into one slice per document (rows are grouped by document: sorted stably if not)."""
    if rows is None or len(rows) == 0:
        return {}
    documents = rows.field("document_id")
    if not pc.all(pc.less_equal(documents[:-1], documents[1:])).as_py():
        rows = rows.take(pc.sort_indices(documents))
        documents = rows.field("document_id")
    runs = pc.run_end_encode(documents)
    ends = runs.run_ends.to_pylist()
    bounds = zip(runs.values.to_pylist(), [0, *ends[:-1]], ends, strict=True)
    return {doc: rows.slice(start, end - start) for doc, start, end in bounds}


def _label_changes(old: dict[str, pa.StructArray | None], new: dict[str, pa.StructArray | None]) -> dict:
    """Labels added, removed and changed per document and layer, matched by what they are (labeldiff).

    old and new map each layer to its rows; a document whose rows of a layer are equal is skipped there.
    """
    return _matched_labels(old, new)[0]


def _matched_labels(
    old: dict[str, pa.StructArray | None], new: dict[str, pa.StructArray | None]
) -> tuple[dict[str, dict[str, LabelChanges]], dict[tuple[str, str], str | None]]:
    """_label_changes, and (document, old id) -> the new id it was matched with (None: removed)."""
    old_docs = {layer: _by_document(rows) for layer, rows in old.items()}
    new_docs = {layer: _by_document(rows) for layer, rows in new.items()}
    changes: dict[str, dict[str, LabelChanges]] = {}
    renamed: dict[tuple[str, str], str | None] = {}
    documents = sorted({d for by_doc in (*old_docs.values(), *new_docs.values()) for d in by_doc})
    for doc_id in documents:
        for layer in LAYERS:
            before, after = old_docs.get(layer, {}).get(doc_id), new_docs.get(layer, {}).get(doc_id)
            if before is None and after is None or before is not None and after is not None and before.equals(after):
                continue  # equal rows: every id stands for itself
            events = [_pylist(docs.get("events", {}).get(doc_id)) for docs in (old_docs, new_docs)]
            old_rows = _pylist(before)
            found = compare_layer(old_rows, _pylist(after), layer, *events)
            renamed |= {(doc_id, row["id"]): found.renamed.get(row["id"]) for row in old_rows}
            if found:
                changes.setdefault(doc_id, {})[layer] = found
    return changes, renamed


def _pylist(rows: pa.StructArray | None) -> list[dict[str, Any]]:
    return [] if rows is None else rows.to_pylist()


def _schema_version(release: Path) -> str:
    return str(read_json(release / SCHEMA_COPY)["version"])


def diff_releases(old: Path, new: Path, new_row_format: int | None = None) -> ReleaseDiff:
    """Compare the data and schema of two release folders (new_row_format: of a release still being built)."""
    old_schema, new_schema = old / SCHEMA_COPY, new / SCHEMA_COPY
    diff = ReleaseDiff(
        old=old.name,
        new=new.name,
        old_schema=_schema_version(old),
        new_schema=_schema_version(new),
        schema_changed=old_schema.read_bytes() != new_schema.read_bytes(),
    )
    diff.old_row_format, diff.new_row_format = _row_format(old), new_row_format or _row_format(new)
    old_rows, new_rows = _aligned(_comparable(old, "documents"), _comparable(new, "documents"))
    old_docs, new_docs = (_keyed(rows, lambda row: row["id"]) for rows in (old_rows, new_rows))
    docs = _compare(old_docs, new_docs)
    diff.documents_added, diff.documents_removed = docs.added, docs.removed
    diff.documents_changed = [
        {
            "id": d,
            "old_sha256": old_docs[d]["sha256"],
            "new_sha256": new_docs[d]["sha256"],
            "fields": sorted(k for k in old_docs[d] if old_docs[d][k] != new_docs[d].get(k)),
        }
        for d in docs.changed
    ]
    diff.labels, renamed = _matched_labels({layer: _comparable(old, layer) for layer in LAYERS},
                                           {layer: _comparable(new, layer) for layer in LAYERS})  # fmt: skip
    old_links, new_links = _aligned(_comparable(old, "links"), _comparable(new, "links"))
    if old_links is not None and new_links is not None and old_links.equals(new_links):
        diff.links = LabelChanges(unchanged=len(new_links))
    else:
        diff.links = compare_links(_pylist(old_links), _pylist(new_links), lambda d, i: renamed.get((d, i), i))
    diff.annotations = _changes(
        _comparable(old, "annotations"),
        _comparable(new, "annotations"),
        lambda row: f"{row['annotator']}/{row['document_id']}",
    )
    return diff
