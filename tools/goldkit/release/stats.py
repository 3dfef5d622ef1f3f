"""What the card counts in the released rows, added up table by table as the rows are written.

A release's configs are written in pieces (goldkit.release.shards), so the card never sees a whole table:
each piece is counted as it goes by (rows, label ids per language, open claims, annotators), and the sums
equal the counts over the whole table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from datasets import ClassLabel, Features, List

from goldkit.release.tables import release_features
from goldkit.schema.loading import schema_value

COUNTED_CONFIGS = ("documents", "entities", "events", "claims", "links")


def counted_columns(config: str, features: Features) -> list[str]:
    """The label columns the card counts per language (documents: their language)."""
    if config == "documents":
        return ["language"]
    return [
        name
        for name, feature in features.items()
        if name != "language"
        and (isinstance(feature, ClassLabel) or (isinstance(feature, List) and isinstance(feature.feature, ClassLabel)))
    ]


def id_counts(values: pa.Array, language: pa.Array) -> dict[tuple[int, int], int]:
    """Count (label id, language id) pairs; a list column counts each of its items with its row's language."""
    if isinstance(values, pa.ListArray):
        language = language.take(pc.list_parent_indices(values))
        values = values.flatten()
    pairs = pa.table({"value": values, "language": language}).group_by(["value", "language"])
    counted = pairs.aggregate([([], "count_all")]).to_pydict()
    return dict(zip(zip(counted["value"], counted["language"], strict=True), counted["count_all"], strict=True))


@dataclass
class TableStats:
    """Rows per config, (label id, language id) counts per counted column, open claims, annotators."""

    rows: Counter[str] = field(default_factory=Counter)
    counts: dict[str, dict[str, Counter[tuple[int, int]]]] = field(default_factory=dict)
    open_claims: int = 0
    annotators: set[str] = field(default_factory=set)

    def add(self, config: str, table: pa.Table) -> None:
        """Count one piece of a config's rows (ClassLabel ids, as written)."""
        self.rows[config] += table.num_rows
        if config in COUNTED_CONFIGS:
            features = release_features()[config]
            language = table.column("source" if config == "links" else "language").combine_chunks()
            if config == "links":
                language = language.field("language")  # a link counts under its source's language
            per_column = self.counts.setdefault(config, {})
            for column in counted_columns(config, features):
                found = id_counts(table.column(column).combine_chunks(), language)
                per_column.setdefault(column, Counter()).update(found)
        if config == "claims":
            unchecked = release_features()["claims"]["verdict"].str2int(schema_value("Verdict", "unchecked"))
            self.open_claims += pc.sum(pc.equal(table.column("verdict"), unchecked)).as_py() or 0
        if config == "annotations":
            self.annotators.update(table.column("annotator").unique().to_pylist())

    @classmethod
    def of(cls, tables: dict[str, pa.Table]) -> TableStats:
        """The counts of whole tables (each counted as one piece)."""
        stats = cls()
        for config, table in tables.items():
            stats.add(config, table)
        return stats
