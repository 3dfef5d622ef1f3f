"""Ingest into the documents file in bounded memory: records spooled to disk as they are read, then merged.

`documents.ingest` returns every record of a run; a crawl of 10,000 pages held that way is the whole
corpus in memory, twice while it was written. Here each record goes to a sorted spool (`jsonio.SortedSpool`,
sorted runs on disk) as soon as it is made, the documents already in the file are spooled the same way,
and the merged file is written line by line from the two, atomically. Only ids, where each document came
from and a short summary per document (for the ingest table) are held. The rules are `merge_documents`'
(a changed source is refused unless --replace; documents of other runs are kept), and the file written is
byte for byte the one `merge_documents` writes.
"""

from __future__ import annotations

import heapq
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldkit.ingest.documents import (
    DEFAULT_MAX_BYTES,
    IngestReport,
    MergeReport,
    iter_documents,
    read_documents,
    sort_run,
)
from goldkit.jsonio import SortedSpool, atomic_write_lines
from goldkit.paths import documents_path

SPOOL_BYTES = 8 << 20  # memory of held records before a sorted run is written to disk
SUMMARY_KEYS = ("id", "language", "title", "author", "published")


@dataclass
class IngestRun:
    """What one streamed ingest read and how it went into the documents file."""

    ingest: IngestReport  # its `documents` stay empty: they are in the file, not in memory
    merge: MergeReport
    summaries: list[dict[str, Any]] = field(default_factory=list)  # per document: SUMMARY_KEYS and boilerplate count


def ingest_into(
    paths: list[Path],
    path: Path | None = None,
    *,
    replace: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int | None], None] | None = None,
    fields: dict[str, str] | None = None,
    language: str | None = None,
) -> IngestRun:
    """Read articles as `ingest` does and merge them into the documents file (default
    annotations/documents.jsonl) as `merge_documents` does, holding neither the records nor the file."""
    path = path or documents_path()
    report = IngestReport(documents=[])
    with tempfile.TemporaryDirectory(prefix="goldkit-ingest-") as scratch:
        new = SortedSpool(Path(scratch), "new", SPOOL_BYTES)
        summaries = []
        documents = read_documents(
            paths, report, max_bytes=max_bytes, progress=progress, fields=fields, language=language
        )
        for document in documents:  # raises every problem once all are read, before anything is written
            new.add(document["id"], json.dumps(_origin(document)), json.dumps(document, ensure_ascii=False))
            summaries.append(
                {**{key: document[key] for key in SUMMARY_KEYS}, "boilerplate": len(document["boilerplate"])}
            )
        merged = _merge(new, path, replace, Path(scratch))
    summaries.sort(key=lambda summary: summary["id"])
    return IngestRun(report, merged, summaries)


def _origin(document: dict[str, Any]) -> list[str | None]:
    source = document.get("source") or {}
    return [document["source_file"], source.get("record")]


def _merge(new: SortedSpool, path: Path, replace: bool, scratch: Path) -> MergeReport:
    old = SortedSpool(scratch, "old", SPOOL_BYTES)
    old_ids, where = _spool_old(path, old) if path.is_file() else (set(), {})
    report = MergeReport(path)
    run = ((doc_id, tuple(json.loads(origin_text))) for doc_id, (origin_text, _) in _last_of_each(new.rows()))
    new_ids = sort_run(report, run, old_ids, where, replace=replace)
    if report.added or report.removed or not path.is_file():
        atomic_write_lines(path, _merged_lines(new, None if replace else old, new_ids))
    return report


def _spool_old(path: Path, old: SortedSpool) -> tuple[set[str], dict[tuple[Any, ...], str]]:
    """Spool the documents file's records by id; return their ids and where each came from."""
    ids: set[str] = set()
    where: dict[tuple[Any, ...], str] = {}
    for document in iter_documents(path):
        doc_id = document["id"]
        ids.add(doc_id)
        where[tuple(_origin(document))] = doc_id
        old.add(doc_id, json.dumps(document, ensure_ascii=False))
    return ids, where


def _last_of_each(rows: Iterator[tuple[Any, list[str]]]) -> Iterator[tuple[Any, list[str]]]:
    """Rows in key order with one per key, the last added (a run's repeated id: the last record wins)."""
    held: tuple[Any, list[str]] | None = None
    for row in rows:
        if held is not None and held[0] != row[0]:
            yield held
        held = row
    if held is not None:
        yield held


def _merged_lines(new: SortedSpool, old: SortedSpool | None, new_ids: set[str]) -> Iterator[str]:
    """The file's lines in id order: this run's records, and the old ones it does not replace."""
    ours = ((doc_id, line) for doc_id, (_, line) in _last_of_each(new.rows()))
    theirs = ((doc_id, line) for doc_id, (line,) in (old.rows() if old else ()) if doc_id not in new_ids)
    for _, line in heapq.merge(ours, theirs, key=lambda row: row[0]):
        yield line + "\n"
