"""What a release keeps of the gold records and their documents besides the rows, in bounded memory.

The card and release.json need, of the whole gold: who made it and how (provenance), the latest date, the
languages, which source fields no document has, the first LISTED_DOCUMENTS documents with their counts,
the canonical entity keys (for the story count) and every document's sha256 (release.json lists them). A
streamed release (goldkit.release.stream) sees each record once, so GoldSummary adds them up as they pass:
provenance is counted by who and how (its per-record fields, Label Studio ids, times and scores, are not
kept), so it grows with the kinds of provenance, not with the records. Per document only the sha256 is kept,
and the entity keys of the documents that have some.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from goldkit.release.card_sections import UNKNOWN, document_sources

LISTED_DOCUMENTS = 50  # the card's Documents table lists this many, by id
HEAVY_FIELDS = ("text", "boilerplate", "normalizations")  # what is not kept of a listed document
KEPT_PROVENANCE = ("annotator", "annotators", "method", "strategy", "note", "model_version")  # who and how
DATE_KEYS = ("updated_at", "created_at")
SOURCE_FIELDS = ("url", "publisher", "published")  # what card_sections.document_sources names
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def latest_date(provenances: Any) -> str | None:
    """The latest YYYY-MM-DD among the provenances' updated_at and created_at (None when none has one)."""
    stamps = [str(p.get(key))[:10] for p in provenances for key in DATE_KEYS if p.get(key)]
    dates = [s for s in stamps if _DATE.fullmatch(s)]
    return max(dates) if dates else None


def small_fields(document: dict[str, Any]) -> dict[str, Any]:
    """A document record without its text and the spans over it."""
    return {k: v for k, v in document.items() if k not in HEAVY_FIELDS}


@dataclass
class GoldSummary:
    """The gold's checked records added up one at a time, with their documents, by document id."""

    records: int = 0
    # provenance (KEPT_PROVENANCE only) as canonical JSON -> [that provenance, records], in first-seen order
    provenance_counts: dict[str, list[Any]] = field(default_factory=dict)
    date: str | None = None
    languages: set[str] = field(default_factory=set)
    known_sources: set[str] = field(default_factory=set)  # SOURCE_FIELDS some document has
    listed: list[dict[str, Any]] = field(default_factory=list)  # the first LISTED_DOCUMENTS documents, small fields
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # entities, events, claims of the listed ones
    entity_keys: dict[str, dict[str, str]] = field(default_factory=dict)  # doc -> entity id -> key, where any
    shas: dict[str, str] = field(default_factory=dict)  # document id -> sha256, in the order added

    def add(self, record: dict[str, Any], document: dict[str, Any]) -> None:
        """Count one checked record and its document."""
        doc_id = str(record["document_id"])
        self.records += 1
        provenance = record.get("provenance") or {}
        kept = {key: provenance[key] for key in KEPT_PROVENANCE if key in provenance}
        self.provenance_counts.setdefault(json.dumps(kept, sort_keys=True), [kept, 0])[1] += 1
        found = latest_date([provenance])
        if found and (self.date is None or found > self.date):
            self.date = found
        self.languages.add(document["language"])
        if len(self.known_sources) < len(SOURCE_FIELDS):
            sources = document_sources(document)
            self.known_sources.update(key for key in SOURCE_FIELDS if sources[key] != UNKNOWN)
        self._list(doc_id, record, document)
        keys = {e["id"]: e["canonical"] for e in record.get("entities") or [] if e.get("canonical")}
        if keys:
            self.entity_keys[doc_id] = keys
        self.shas[doc_id] = document["sha256"]

    def _list(self, doc_id: str, record: dict[str, Any], document: dict[str, Any]) -> None:
        """Keep the LISTED_DOCUMENTS smallest ids (records come by id, so this is mostly the first ones)."""
        if len(self.listed) >= LISTED_DOCUMENTS:
            if doc_id >= max(self.counts):  # the usual case, by id: one comparison of strings (counts: 50 keys)
                return
            last = max(self.counts)
            self.listed = [d for d in self.listed if str(d["id"]) != last]
            del self.counts[last]
        self.listed.append(small_fields(document))
        self.counts[doc_id] = {key: len(record.get(key) or []) for key in ("entities", "events", "claims")}

    def listed_documents(self) -> list[dict[str, Any]]:
        """The first LISTED_DOCUMENTS documents by id (small fields)."""
        return sorted(self.listed, key=lambda d: str(d["id"]))

    def provenances(self) -> Iterator[tuple[dict[str, Any], int]]:
        """Each kind of provenance (who and how) with the number of records that carry it, first seen first."""
        return ((provenance, count) for provenance, count in self.provenance_counts.values())
