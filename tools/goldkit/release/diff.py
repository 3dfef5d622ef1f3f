"""Compare two releases: documents added/removed/changed, labels changed per document and layer, schema change.

Rows are read back from each release's Parquet and decoded with that release's own Features (the label
order may differ between schema versions), column-wise in Arrow. Span texts are left out of the comparison:
offsets and the document's sha256 already pin them, so a stand-off release compares equal to the same data
with text. Labels are matched by what they are (document, layer, type, span: release/labeldiff.py), not by
id, so a new campaign's ids do not turn every label into removed + added.

The large configs (documents and the three layers) are read BATCH_ROWS rows at a time and walked document
by document, both releases side by side (each writes its rows by document id), so a diff holds one batch
per config and release, and what differs; links and annotations are small and read whole. A release whose
rows are not in document order is read whole and sorted instead (the same result).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from datasets import Features

from goldkit.jsonio import read_json
from goldkit.paths import release_config_files
from goldkit.release.labeldiff import LabelChanges, compare_layer, compare_links
from goldkit.release.shards import read_config_table
from goldkit.release.tables import to_names, without_text

SPLIT = "test"
BATCH_ROWS = 8192  # rows decoded at once per config and release (a row group is read in such batches)
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
    return None if table is None else _decode(table, Features.from_arrow_schema(table.schema))


def _decode(table: pa.Table, features: Features) -> pa.StructArray | None:
    """Rows with label names; only the features' columns the table has (a diff reads documents without text)."""
    keys = [key for key in features if key in table.column_names]
    columns = [to_names(table.column(key).combine_chunks(), features[key]) for key in keys]
    return pa.StructArray.from_arrays(columns, names=keys) if columns else None


class _Unsorted(Exception):
    """A release's rows of a config are not grouped by document in id order: it is read whole instead."""


def _read_columns(config: str, schema: pa.Schema) -> list[str]:
    return [name for name in schema.names if not (config == "documents" and name == "text")]


def _comparable_batches(release: Path, config: str, other: pa.DataType | None = None) -> Iterator[pa.StructArray]:
    """_comparable's rows BATCH_ROWS at a time (documents without their text: a diff never compares it), reduced
    to the fields they share with the other release's rows of type `other` when it differs (as _aligned does)."""
    for path in release_config_files(release, config, SPLIT):
        parquet = pq.ParquetFile(path)
        features = Features.from_arrow_schema(parquet.schema_arrow)
        columns = _read_columns(config, parquet.schema_arrow)
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns, use_threads=False):
            rows = _decode(pa.Table.from_batches([batch]), features)
            if rows is not None and len(rows):
                rows = without_text(rows)
                yield rows if other is None or rows.type == other else _project(rows, other)


def _comparable_type(release: Path, config: str) -> pa.DataType | None:
    """The type of _comparable_batches' rows (None when the release has no such config)."""
    files = release_config_files(release, config, SPLIT)
    if not files:
        return None
    schema = pq.read_schema(files[0])
    rows = _decode(schema.empty_table().select(_read_columns(config, schema)), Features.from_arrow_schema(schema))
    return None if rows is None else without_text(rows).type


class _ByDocument:
    """Rows that come grouped by document in id order, handed out one document at a time as their ids are asked for.

    key: the field naming a row's document (documents: their id). Raises _Unsorted when the order breaks.
    """

    def __init__(self, batches: Iterable[pa.StructArray], key: str = "document_id") -> None:
        self.batches, self.key = iter(batches), key
        self.runs: list[tuple[str, pa.StructArray]] = []  # the current batch's documents, in order, not yet taken
        self.greatest: str | None = None  # the last document id of the batches read so far

    def peek(self) -> str | None:
        """The next document's id (None when every row was taken)."""
        while not self.runs:
            batch = next(self.batches, None)
            if batch is None:
                return None
            self.runs = self._runs(batch)
        return self.runs[0][0]

    def take(self, doc_id: str) -> pa.StructArray | None:
        """doc_id's rows if it is the next document (None: it has none); a document cut between batches is joined."""
        if self.peek() != doc_id:
            return None
        parts = [self.runs.pop(0)[1]]
        while self.peek() == doc_id:
            parts.append(self.runs.pop(0)[1])
        return parts[0] if len(parts) == 1 else pa.concat_arrays(parts)

    def _runs(self, batch: pa.StructArray) -> list[tuple[str, pa.StructArray]]:
        documents = batch.field(self.key)
        runs = pc.run_end_encode(documents)
        ids, ends = runs.values.to_pylist(), runs.run_ends.to_pylist()
        if any(a >= b for a, b in zip(ids, ids[1:], strict=False)) or (
            self.greatest is not None and ids[0] < self.greatest
        ):
            raise _Unsorted
        self.greatest = ids[-1]
        return [
            (doc, batch.slice(start, end - start)) for doc, start, end in zip(ids, [0, *ends[:-1]], ends, strict=True)
        ]


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


def _by_document(rows: pa.StructArray | None) -> list[pa.StructArray]:
    """A layer's rows read whole as _ByDocument's one batch (grouped by document: sorted stably if not)."""
    if rows is None or len(rows) == 0:
        return []
    documents = rows.field("document_id")
    if not pc.all(pc.less_equal(documents[:-1], documents[1:])).as_py():
        rows = rows.take(pc.sort_indices(documents))
    return [rows]


def _label_changes(old: dict[str, pa.StructArray | None], new: dict[str, pa.StructArray | None]) -> dict:
    """Labels added, removed and changed per document and layer, matched by what they are (labeldiff).

    old and new map each layer to its rows; a document whose rows of a layer are equal is skipped there.
    """
    as_read = {
        side: {layer: _by_document(rows) for layer, rows in layers.items()}
        for side, layers in (("old", old), ("new", new))
    }
    return _matched_labels(as_read["old"], as_read["new"])[0]


def _matched_labels(
    old: Mapping[str, Iterable[pa.StructArray]], new: Mapping[str, Iterable[pa.StructArray]]
) -> tuple[dict[str, dict[str, LabelChanges]], dict[tuple[str, str], str | None]]:
    """_label_changes over each layer's rows in batches by document, and (document, old id) -> the new id it
    was matched with (None: removed), for the documents whose labels differ (any other id stands for itself)."""
    streams = {
        (side, layer): _ByDocument(rows.get(layer, ()))
        for side, rows in (("old", old), ("new", new))
        for layer in LAYERS
    }
    changes: dict[str, dict[str, LabelChanges]] = {}
    renamed: dict[tuple[str, str], str | None] = {}
    while (doc_id := min((d for d in (s.peek() for s in streams.values()) if d is not None), default=None)) is not None:
        rows = {key: stream.take(doc_id) for key, stream in streams.items()}
        for layer in LAYERS:
            before, after = rows["old", layer], rows["new", layer]
            if before is None and after is None or before is not None and after is not None and before.equals(after):
                continue  # equal rows: every id stands for itself
            events = [_pylist(rows[side, "events"]) for side in ("old", "new")]
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
    try:
        _streamed_documents(old, new, diff)
    except _Unsorted:
        _whole_documents(old, new, diff)
    try:
        diff.labels, renamed = _matched_labels(*({layer: _comparable_batches(release, layer) for layer in LAYERS}
                                                 for release in (old, new)))  # fmt: skip
    except _Unsorted:
        diff.labels, renamed = _matched_labels(*({layer: _by_document(_comparable(release, layer)) for layer in LAYERS}
                                                 for release in (old, new)))  # fmt: skip
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


def _changed_document(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    fields = sorted(k for k in old if old[k] != new.get(k))
    return {"id": old["id"], "old_sha256": old["sha256"], "new_sha256": new["sha256"], "fields": fields}


def _whole_documents(old: Path, new: Path, diff: ReleaseDiff) -> None:
    """Documents added, removed and changed, both releases' documents read whole (any row order)."""
    old_rows, new_rows = _aligned(_comparable(old, "documents"), _comparable(new, "documents"))
    old_docs, new_docs = (_keyed(rows, lambda row: row["id"]) for rows in (old_rows, new_rows))
    docs = _compare(old_docs, new_docs)
    diff.documents_added, diff.documents_removed = docs.added, docs.removed
    diff.documents_changed = [_changed_document(old_docs[d], new_docs[d]) for d in docs.changed]


def _document_rows(release: Path, other: pa.DataType | None) -> Iterator[dict[str, Any]]:
    """A release's comparable document rows one at a time, by id; _Unsorted when they are not strictly by id."""
    last = None
    for rows in _comparable_batches(release, "documents", other):
        for row in rows.to_pylist():
            if last is not None and row["id"] <= last:
                raise _Unsorted
            last = row["id"]
            yield row


def _streamed_documents(old: Path, new: Path, diff: ReleaseDiff) -> None:
    """_whole_documents, both releases' documents walked side by side by id, BATCH_ROWS at a time."""
    old_type, new_type = _comparable_type(old, "documents"), _comparable_type(new, "documents")
    aligned = old_type is None or new_type is None or old_type == new_type
    old_rows = _document_rows(old, None if aligned else new_type)
    new_rows = _document_rows(new, None if aligned else old_type)
    before, after = next(old_rows, None), next(new_rows, None)
    while before is not None or after is not None:
        if before is not None and (after is None or before["id"] < after["id"]):
            diff.documents_removed.append(before["id"])
            before = next(old_rows, None)
        elif after is not None and (before is None or after["id"] < before["id"]):
            diff.documents_added.append(after["id"])
            after = next(new_rows, None)
        elif before is not None and after is not None:
            if before != after:
                diff.documents_changed.append(_changed_document(before, after))
            before, after = next(old_rows, None), next(new_rows, None)
