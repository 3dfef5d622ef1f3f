"""What a system is scored against: a release's documents, records and links, read from its Parquet files.

Release rows (the shapes of goldkit.generate.features.config_features) become record-shaped items — the
shape of goldkit annotation records — so gold from a release, gold from annotations/gold/ and a system's
predictions in either format are all scored by the same code. ClassLabel ids become names here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from datasets import ClassLabel, Features, List, Sequence

from goldkit.errors import InputError
from goldkit.generate.features import config_features
from goldkit.paths import RELEASE_DATA_DIR

Item = dict[str, Any]
SCORED_CONFIGS = ("entities", "events", "claims", "links")
LAYERS = ("entities", "events", "claims")


@dataclass
class Document:
    id: str
    language: str
    text: str | None  # None in a stand-off release
    boilerplate: list[dict[str, Any]] = field(default_factory=list)
    title: str | None = None


@dataclass
class Annotations:
    """Items per document and layer ({document_id: {"entities": [...], ...}}) and cross-document links."""

    layers: dict[str, dict[str, list[Item]]] = field(default_factory=dict)
    links: list[Item] = field(default_factory=list)

    def items(self, document_id: str, layer: str) -> list[Item]:
        return self.layers.get(document_id, {}).get(layer, [])

    def add(self, document_id: str, layer: str, item: Item) -> None:
        self.layers.setdefault(document_id, {key: [] for key in LAYERS})[layer].append(item)


@dataclass
class Reference:
    """A release read for scoring."""

    path: Path
    version: str
    documents: dict[str, Document]
    gold: Annotations


def decode(value: Any, feature: Any) -> Any:
    """Return a row value with every ClassLabel id replaced by its name (names are kept as they are)."""
    if value is None:
        return None
    if isinstance(feature, ClassLabel):
        return feature.int2str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(feature, List | Sequence):
        return [decode(v, feature.feature) for v in value] if isinstance(value, list) else value
    if isinstance(feature, list):
        return [decode(v, feature[0]) for v in value] if isinstance(value, list) else value
    if isinstance(feature, dict):
        if not isinstance(value, dict):
            return value
        return {k: decode(v, feature[k]) if k in feature else v for k, v in value.items()}
    return value


def _span(span: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if span is None else {"start": span["start"], "end": span["end"], "text": span.get("text")}


def item_from_row(config: str, row: dict[str, Any]) -> Item:
    """Turn a release row (label names) of entities/events/claims/links into a record-shaped item."""
    if config == "entities":
        return {"id": row["id"], "span": _span(row["span"]), "type": row["type"], "canonical": row.get("canonical")}
    if config == "events":
        arguments = [
            {"role": a.get("role"), "entity": a.get("entity_id"), "span": _span(a.get("span"))}
            for a in row.get("arguments") or []
        ]
        return {
            "id": row["id"],
            "type": row["type"],
            "trigger": _span(row["trigger"]),
            "realis": row.get("realis"),
            "polarity": row.get("polarity"),
            "arguments": arguments,
        }
    if config == "claims":
        return {
            "id": row["id"],
            "span": _span(row["span"]),
            "types": list(row.get("types") or []),
            "claimant": {"kind": row.get("claimant_kind"), "entity": row.get("claimant_entity_id")},
            "cue": _span(row.get("cue")),
            "attribution": row.get("attribution"),
            "modality": row.get("modality"),
            "check_worthy": row.get("check_worthy"),
            "verifiable": row.get("verifiable"),
            "verdict": row.get("verdict"),
            "event": row.get("event_id"),
        }
    if config == "links":
        return {
            "id": row.get("id"),
            "relation": row["relation"],
            "source": {"document_id": row["source"]["document_id"], "id": row["source"]["id"]},
            "target": {"document_id": row["target"]["document_id"], "id": row["target"]["id"]},
            "cluster_id": row.get("cluster_id"),
        }
    raise ValueError(f"not a scored config: {config}")


def read_config(release: Path, config: str) -> list[dict[str, Any]]:
    """Read every split of one config of a release as rows with label names."""
    # shards under data/<config>/ (layout 2), or one file per split in <config>/ (1.0.0)
    sharded = sorted((release / RELEASE_DATA_DIR / config).glob("*.parquet"))
    files = sharded or sorted((release / config).glob("*.parquet"))
    rows: list[dict[str, Any]] = []
    for path in files:
        table = pq.read_table(path)
        features = Features.from_arrow_schema(table.schema) if table.schema.metadata else config_features()[config]
        rows += [decode(row, dict(features)) for row in table.to_pylist()]
    return rows


def annotations_from_rows(rows_by_config: dict[str, Iterable[dict[str, Any]]]) -> Annotations:
    annotations = Annotations()
    for config, rows in rows_by_config.items():
        for row in rows:
            if config == "links":
                annotations.links.append(item_from_row(config, row))
            else:
                annotations.add(row["document_id"], config, item_from_row(config, row))
    return annotations


def load_reference(release: Path) -> Reference:
    """Read a release folder (export/VERSION) for scoring; raise InputError when it is not one."""
    if not ((release / "documents").is_dir() or (release / RELEASE_DATA_DIR / "documents").is_dir()):
        raise InputError(
            f"{release} is not a release folder (no documents/ config)",
            hint="give a release folder, e.g. --release export/1.0.0",
            path=str(release),
        )
    documents = {
        row["id"]: Document(row["id"], row["language"], row.get("text"), row.get("boilerplate") or [], row.get("title"))
        for row in read_config(release, "documents")
    }
    gold = annotations_from_rows({config: read_config(release, config) for config in SCORED_CONFIGS})
    for doc_id in documents:
        gold.layers.setdefault(doc_id, {key: [] for key in LAYERS})
    return Reference(release, release.name, documents, gold)


def annotations_from_records(records: Iterable[dict[str, Any]], links: Iterable[Item] = ()) -> Annotations:
    """Annotation records (and link records) as Annotations, items unchanged."""
    annotations = Annotations()
    for record in records:
        annotations.layers[record["document_id"]] = {key: list(record.get(key) or []) for key in LAYERS}
    annotations.links = list(links)
    return annotations
