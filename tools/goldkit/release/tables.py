"""Turn the checked gold into each dataset config's Arrow table, column by column.

The large configs (documents, entities, events, claims) go from the records to Arrow in one conversion
per layer: pyarrow reads the records' own dicts, so no Python dict is made per row. The entity spans that
claims and event arguments carry are looked up column-wise by (document, entity id). Links and annotations
are small and go through goldkit.release_rows' row dicts. Label names become ClassLabel ids here, also
column-wise. Row order: documents by id, mentions by document then the records' canonical order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from datasets import ClassLabel, Features, List

from goldkit.errors import ReleaseError
from goldkit.generate.features import ROW_FORMAT, config_features
from goldkit.ingest.documents import lead_sentence
from goldkit.release import rows as release_rows
from goldkit.schema.layers import region_choices
from goldkit.schema.loading import per_schema

Columns = dict[str, pa.Array]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_KEY_SEPARATOR = "\x00"  # never in an id (schema $defs/Id), so "document\0entity" keys are unique


# ---- label names <-> ClassLabel ids --------------------------------------------------------------


def _has_label(feature: Any) -> bool:
    if isinstance(feature, ClassLabel):
        return True
    if isinstance(feature, List):
        return _has_label(feature.feature)
    return isinstance(feature, dict) and any(_has_label(sub) for sub in feature.values())


def names_type(feature: Any) -> pa.DataType:
    """The Arrow type of a Features node with every ClassLabel still as its string name."""
    if isinstance(feature, ClassLabel):
        return pa.string()
    if isinstance(feature, List):
        return pa.list_(names_type(feature.feature))
    if isinstance(feature, dict):
        return pa.struct([(key, names_type(sub)) for key, sub in feature.items()])
    return feature.pa_type


def _map_labels(array: pa.Array, feature: Any, leaf: Callable[[pa.Array, ClassLabel], pa.Array]) -> pa.Array:
    """Apply `leaf` to every ClassLabel column of an Arrow array, through lists and structs."""
    if isinstance(feature, ClassLabel):
        return leaf(array, feature)
    if isinstance(feature, List) and _has_label(feature.feature):
        values = _map_labels(array.values, feature.feature, leaf)
        return pa.ListArray.from_arrays(array.offsets, values, mask=array.is_null())
    if isinstance(feature, dict) and _has_label(feature):
        children = [_map_labels(array.field(key), sub, leaf) for key, sub in feature.items()]
        return pa.StructArray.from_arrays(children, names=list(feature), mask=array.is_null())
    return array


def _ids(array: pa.Array, feature: ClassLabel) -> pa.Array:
    ids = pc.index_in(array, value_set=pa.array(feature.names))
    if ids.null_count != array.null_count:
        unknown = pc.filter(array, pc.and_(pc.is_null(ids), pc.is_valid(array)))
        raise ReleaseError(f"label(s) {unknown.unique().to_pylist()} are not in {feature.names}")
    return ids.cast(pa.int64())


def _names(array: pa.Array, feature: ClassLabel) -> pa.Array:
    return pa.array(feature.names, pa.string()).take(array)


def to_ids(array: pa.Array, feature: Any) -> pa.Array:
    """Turn label names into ClassLabel ids inside an Arrow array, column-wise (no per-row Python)."""
    return _map_labels(array, feature, _ids)


def to_names(array: pa.Array, feature: Any) -> pa.Array:
    """Turn ClassLabel ids back into label names inside an Arrow array (the inverse of to_ids)."""
    return _map_labels(array, feature, _names)


def encode(columns: Columns, features: Features) -> pa.Table:
    """Return label-name columns as a table with the config's schema (ClassLabel ids) and HF metadata."""
    arrays = [to_ids(columns[key], sub) for key, sub in features.items()]
    return pa.Table.from_arrays(arrays, schema=features.arrow_schema)


def to_table(rows: list[dict[str, Any]], features: Features) -> pa.Table:
    """Return rows (label names) as an Arrow table with the config's schema and HF metadata."""
    names = pa.schema([(key, names_type(sub)) for key, sub in features.items()])
    table = pa.Table.from_pylist(rows, schema=names)
    return encode({key: table.column(key).combine_chunks() for key in features}, features)


# ---- the tables ----------------------------------------------------------------------------------


def config_names(gold: release_rows.Gold) -> list[str]:
    """The configs a release of this gold has ('annotations' only with a pull)."""
    return ["documents", "entities", "events", "claims", "links"] + (["annotations"] if gold.pull else [])


@per_schema
def release_features(row_format: int = ROW_FORMAT) -> dict[str, Features]:
    """config_features(row_format), made once per schema: a release asks for them for every chunk it writes.

    Read-only: every caller shares the same Features objects.
    """
    return config_features(row_format)


@per_schema
def _names_types(row_format: int) -> dict[str, dict[str, pa.DataType]]:
    features = release_features(row_format)
    return {config: {key: names_type(sub) for key, sub in features[config].items()} for config in features}


def build_tables(
    gold: release_rows.Gold, keep_text: bool, row_format: int = ROW_FORMAT
) -> Iterator[tuple[str, pa.Table]]:
    """Yield (config, table) for every config of config_names(gold), in that order, in a row format."""
    documents = [document for _, document in sorted(gold.documents.items())]
    yield from record_tables(gold.records, documents, keep_text, row_format)
    yield from small_tables(gold, keep_text, row_format)


def record_tables(
    records: list[dict[str, Any]], documents: list[dict[str, Any]], keep_text: bool, row_format: int = ROW_FORMAT
) -> Iterator[tuple[str, pa.Table]]:
    """Yield the documents, entities, events and claims tables of some gold records (by document id) and their
    documents (the same ids, in that order): the whole gold, or one chunk of it (goldkit.release.stream)."""
    features, types = release_features(row_format), _names_types(row_format)
    yield "documents", encode(_documents(documents, keep_text, types["documents"], row_format), features["documents"])
    layers = _Layers(records, {d["id"]: d["language"] for d in documents}, keep_text)
    entities = layers.entities(types["entities"])
    yield "entities", encode(entities, features["entities"])
    yield "events", encode(layers.events(types["events"], entities), features["events"])
    yield "claims", encode(layers.claims(types["claims"], entities), features["claims"])


def small_tables(
    gold: release_rows.Gold, keep_text: bool, row_format: int = ROW_FORMAT
) -> Iterator[tuple[str, pa.Table]]:
    """Yield the links table and, with a pull, the annotations table (built whole: they are small)."""
    features = config_features(row_format)
    yield "links", to_table(release_rows.link_rows(gold, keep_text, row_format), features["links"])
    if gold.pull:
        yield "annotations", to_table(release_rows.annotation_rows(gold, keep_text), features["annotations"])


def _documents(
    documents: list[dict[str, Any]], keep_text: bool, types: dict[str, pa.DataType], row_format: int
) -> Columns:
    rows = [_document_row(document, row_format) for document in documents]
    array = pa.array(rows, type=pa.struct(list(types.items())))
    array = array if keep_text else without_text(array)  # the document text and its boilerplate spans' texts
    return {key: array.field(key) for key in types}


def _document_row(document: dict[str, Any], row_format: int) -> dict[str, Any]:
    """A document record in a row format: 1 gives a headline-less document its lead sentence as title; 2 dates."""
    if row_format < 2:
        return document | {"title": document["title"] or lead_sentence(document["text"], document["language"])}
    return document | {"published": publication_date(document)}


def publication_date(document: dict[str, Any]) -> date | None:
    """The document's `published` as a date (None when unknown); a value that is no YYYY-MM-DD date is refused."""
    value = document.get("published")
    if value is None:
        return None
    try:
        if not _ISO_DATE.fullmatch(str(value)):
            raise ValueError(value)
        return date.fromisoformat(str(value))
    except ValueError as e:
        raise ReleaseError(
            f"document {document['id']}: published {value!r} is not a date (YYYY-MM-DD)",
            hint="fix 'published' in annotations/documents.jsonl (null when unknown), then release again",
            expected="YYYY-MM-DD or null",
            got=value,
        ) from e


class _Layers:
    """The entity, event and claim mentions of every gold record, one Arrow conversion per layer."""

    def __init__(self, records: list[dict[str, Any]], languages: dict[str, str], keep_text: bool) -> None:
        self.records = records
        self.keep_text = keep_text
        self.document_ids = pa.array([r["document_id"] for r in self.records], pa.string())
        self.languages = pa.array([languages[r["document_id"]] for r in self.records], pa.string())

    def _items(self, layer: str, item_type: pa.StructType) -> tuple[pa.StructArray, Columns]:
        """Every record's items of one layer, and their document_id and language columns."""
        lists = pa.array([r[layer] for r in self.records], type=pa.list_(item_type))
        parents = pc.list_parent_indices(lists)
        head = {"document_id": self.document_ids.take(parents), "language": self.languages.take(parents)}
        return lists.flatten(), head

    def _span(self, spans: pa.Array) -> pa.Array:
        return spans if self.keep_text else without_text(spans)

    def entities(self, types: dict[str, pa.DataType]) -> Columns:
        items, columns = self._items("entities", _struct(types, ("id", "span", "type", "canonical")))
        columns |= {key: items.field(key) for key in ("id", "type", "canonical")}
        return columns | {"span": self._span(items.field("span"))}

    def events(self, types: dict[str, pa.DataType], entities: Columns) -> Columns:
        argument = pa.struct([("role", pa.string()), ("entity", pa.string())])
        same = ("id", "type", "realis", "polarity")
        event = _struct(types, (*same, "trigger"), arguments=pa.list_(argument))
        items, columns = self._items("events", event)
        columns |= {key: items.field(key) for key in same}
        arguments = items.field("arguments")
        values = arguments.flatten()
        document_ids = columns["document_id"].take(pc.list_parent_indices(arguments))
        spans = _entity_spans(entities, document_ids, values.field("entity"))
        resolved = pa.StructArray.from_arrays(
            [values.field("role"), values.field("entity"), spans], names=["role", "entity_id", "span"]
        )
        offsets = pc.subtract(arguments.offsets, arguments.offsets[0])
        return columns | {
            "trigger": self._span(items.field("trigger")),
            "arguments": pa.ListArray.from_arrays(offsets, resolved),
        }

    def claims(self, types: dict[str, pa.DataType], entities: Columns) -> Columns:
        claimant = pa.struct([("kind", pa.string()), ("entity", pa.string())])
        same = ("id", "span", "cue", *(c.name for c in region_choices("claim") if c.name != "claimant"))
        claim = _struct(types, (*same, "evidence"), claimant=claimant, event=pa.string())
        items, columns = self._items("claims", claim)
        columns |= {key: items.field(key) for key in same} | {"evidence": items.field("evidence")}
        claimant_ids = items.field("claimant").field("entity")
        return columns | {
            "span": self._span(columns["span"]),
            "cue": self._span(columns["cue"]),
            "claimant_kind": items.field("claimant").field("kind"),
            "claimant_entity_id": claimant_ids,
            "claimant_span": _entity_spans(entities, columns["document_id"], claimant_ids),
            "event_id": items.field("event"),
        }


def _struct(types: dict[str, pa.DataType], keys: tuple[str, ...], **renamed: pa.DataType) -> pa.StructType:
    """The Arrow type of a record item: the row's columns `keys`, plus the fields rows name differently."""
    return pa.struct([(key, types[key]) for key in keys] + list(renamed.items()))


def _entity_spans(entities: Columns, document_ids: pa.Array, entity_ids: pa.Array) -> pa.Array:
    """The span of each (document, entity id); null where the entity id is null (a claimant that is no mention)."""
    known = pc.binary_join_element_wise(entities["document_id"], entities["id"], _KEY_SEPARATOR)
    wanted = pc.binary_join_element_wise(document_ids, entity_ids, _KEY_SEPARATOR)
    return entities["span"].take(pc.index_in(wanted, value_set=known))


def without_text(array: pa.Array) -> pa.Array:
    """Null every 'text' of a struct that also has 'start' (a span) or 'sha256' (a document), at any depth."""
    if isinstance(array, pa.ListArray):
        values = without_text(array.flatten())
        offsets = pc.subtract(array.offsets, array.offsets[0])
        return pa.ListArray.from_arrays(offsets, values, mask=array.is_null() if array.null_count else None)
    if not isinstance(array, pa.StructArray):
        return array
    names = [field.name for field in array.type]
    blank = "text" in names and ("start" in names or "sha256" in names)
    children = [
        pa.nulls(len(array), pa.string()) if blank and name == "text" else without_text(array.field(name))
        for name in names
    ]
    return pa.StructArray.from_arrays(children, names=names, mask=array.is_null() if array.null_count else None)
