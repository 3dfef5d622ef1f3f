"""Read and check the gold one file at a time, handing the checked records on in chunks with their documents.

goldkit.release.rows.load_gold holds every record and every document text at once; a sharded release
(goldkit.release.shards) instead reads each gold file once, checks it, and gives it to the table writers
in chunks of CHUNK_RECORDS records, adding each record up in a GoldSummary (goldkit.release.summary, bounded
but for a sha256 per document), plus the records of the documents that links point at (a link check needs
them). documents.jsonl is read once for each document's place in the file (the one other thing kept per
document); a document is read again from its place when its record is checked, and dropped with its chunk.
Problems are collected from every file, as load_gold does: the first one stops the writing (the release
fails), not the checking.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from goldkit.errors import InputError, Problem
from goldkit.jsonio import read_json
from goldkit.paths import LINKS_FILE, documents_path, gold_dir
from goldkit.release import rows as release_rows
from goldkit.release.summary import GoldSummary, small_fields
from goldkit.schema.records import canonicalize

CHUNK_RECORDS = 500  # gold records handed to the writers at once
INGEST_COMMAND = "goldkit ingest"

Chunk = list[tuple[dict[str, Any], dict[str, Any]]]  # (canonical gold record, its document), by document id


class DocumentIndex(Mapping[str, dict[str, Any]]):
    """documents.jsonl by id: each document's place in the file, the whole record read again when asked for."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or documents_path()
        if not self.path.is_file():
            raise InputError(
                f"no ingested documents at {self.path}",
                hint=f"ingest the articles first with: {INGEST_COMMAND}",
                path=str(self.path),
            )
        self.places: dict[str, int] = {}
        self.handle: Any = None  # documents.jsonl, opened at the first document asked for (close() closes it)
        with self.path.open("rb") as fh:
            for lineno, (offset, document) in enumerate(self._lines(fh), 1):
                if document is None:
                    continue
                doc_id = document.get("id") if isinstance(document, dict) else None
                if not isinstance(doc_id, str) or doc_id in self.places:
                    problem = "has no id" if not isinstance(doc_id, str) else f"repeats id {doc_id}"
                    raise InputError(
                        f"{self.path}:{lineno}: document {problem}",
                        hint=f"regenerate the file with: {INGEST_COMMAND}",
                        path=str(self.path),
                        line=lineno,
                    )
                self.places[doc_id] = offset

    def _lines(self, fh: Any) -> Iterator[tuple[int, Any]]:
        offset = 0
        for lineno, line in enumerate(fh, 1):
            yield offset, self._parse(line, lineno) if line.strip() else None
            offset += len(line)

    def _parse(self, line: bytes, lineno: int) -> Any:
        try:
            return json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise InputError(f"{self.path}:{lineno}: not valid JSON: {e}", path=str(self.path), line=lineno) from e

    def __getitem__(self, doc_id: str) -> dict[str, Any]:
        """The whole document record, text included, read again from its place in the file."""
        place = self.places[doc_id]
        self.handle = self.handle or self.path.open("rb")
        self.handle.seek(place)
        return dict(json.loads(self.handle.readline()))

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.places

    def __iter__(self) -> Iterator[str]:
        return iter(self.places)

    def __len__(self) -> int:
        return len(self.places)


class GoldDocuments(Mapping[str, dict[str, Any]]):
    """The gold's documents by id (those of summary.shas), each one's small fields read again through the index.

    Only a few are asked for (the documents of links and of a pull), so the ones read are kept.
    """

    def __init__(self, index: DocumentIndex, ids: Mapping[str, str]) -> None:
        self.index, self.ids = index, ids
        self.read: dict[str, dict[str, Any]] = {}

    def __getitem__(self, doc_id: str) -> dict[str, Any]:
        if doc_id not in self.ids:
            raise KeyError(doc_id)
        if doc_id not in self.read:
            self.read[doc_id] = small_fields(self.index[doc_id])
            self.index.close()
        return self.read[doc_id]

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.ids

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.ids))

    def __len__(self) -> int:
        return len(self.ids)


class _Texts(Mapping[str, dict[str, Any]]):
    """The gold's documents with their texts, read through the index (a pull's records are checked against them)."""

    def __init__(self, index: DocumentIndex, ids: Mapping[str, str]) -> None:
        self.index, self.ids = index, ids

    def __getitem__(self, doc_id: str) -> dict[str, Any]:
        if doc_id not in self.ids:
            raise KeyError(doc_id)
        return self.index[doc_id]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.ids))

    def __len__(self) -> int:
        return len(self.ids)


def stream_gold(options: Any, on_chunk: Callable[[Chunk], None]) -> release_rows.Gold:
    """Check every gold file and give the checked records to on_chunk, CHUNK_RECORDS at a time, by document id.

    Returns the Gold without `records` (its documents hold the small fields only); raises one ValidationError
    for every problem, as load_gold does. on_chunk is not called again once a problem was found.
    """
    folder = options.gold or gold_dir()
    # document ids are the file names (checked below), so files by name are records by document id
    files = sorted(release_rows.gold_files(folder), key=lambda path: path.stem)
    index = DocumentIndex(options.documents)
    try:
        return _stream(options, on_chunk, folder, files, index)
    finally:
        index.close()


def _stream(
    options: Any, on_chunk: Callable[[Chunk], None], folder: Path, files: list[Path], index: DocumentIndex
) -> release_rows.Gold:
    numbered = release_rows.read_links(folder / LINKS_FILE)
    wanted = release_rows.linked_documents(numbered)
    problems: list[Problem] = []
    summary = GoldSummary()
    linked: dict[str, dict[str, Any]] = {}
    chunk: Chunk = []
    for path in files:
        record = read_json(path)
        doc_id = record.get("document_id") if isinstance(record, dict) else None
        document = index[doc_id] if isinstance(doc_id, str) and doc_id in index else None
        found = release_rows.check_gold_record(record, document, path)
        problems.extend(found)
        if not (isinstance(record, dict) and isinstance(record.get("entities"), list)):
            continue
        record = canonicalize(record)  # kept even when wrong, so links to it are not reported too
        if document is not None and not found:
            summary.add(record, document)
        if doc_id in wanted:
            linked[str(doc_id)] = record
        if document is not None and not problems:
            chunk.append((record, document))
            if len(chunk) >= CHUNK_RECORDS:
                on_chunk(chunk)
                chunk = []
    if chunk and not problems:
        on_chunk(chunk)
    links = release_rows.check_links(folder / LINKS_FILE, numbered, linked, problems)
    gold = release_rows.Gold(GoldDocuments(index, summary.shas), [], links, summary, linked)
    return release_rows.finish_gold(gold, options, _Texts(index, summary.shas), problems, folder)
