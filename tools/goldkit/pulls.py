"""The store of pulled records: which pull is the latest, how since-last pulls chain, the current records.

`pull` writes pull folders; everything that reads them (agreement, adjudication, links, release, the
demo) reads them through here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from goldkit.errors import InputError
from goldkit.jsonio import iter_jsonl, read_json, read_records
from goldkit.paths import (
    ADJUDICATION_SUFFIX,
    DRAFTS_FILE,
    LINKS_FILE,
    MANIFEST_FILE,
    QUARANTINE_FILE,
    RECORDS_FILE,
    link_pulls_dir,
    pulls_dir,
)
from goldkit.schema.provenance import LABEL_STUDIO

Record = dict[str, Any]
SECOND_ANNOTATION = "second_annotation"  # a pull-level reason: one record per annotator per document


def annotator_key(record: Mapping[str, Any]) -> tuple[str, str, str]:
    """(document, annotator, method): a reviewer's adjudicated record is not a second annotation of theirs."""
    return record["document_id"], record["provenance"]["annotator"], record["provenance"]["method"]


def recency(record: Mapping[str, Any]) -> tuple[str, int]:
    """The order of one annotator's annotations of a document: the latest (by the server's clock) wins."""
    prov = record.get("provenance") or {}
    return (str(prov.get("updated_at") or prov.get("created_at") or ""), int(prov.get("ls_annotation") or 0))


def latest_manifest(root: Path | None = None) -> dict[str, Any] | None:
    """Return the manifest of the most recent complete pull, or None."""
    folder = root or pulls_dir()
    manifests = [read_json(p) for p in folder.glob(f"*/{MANIFEST_FILE}") if not p.parent.name.startswith(".")]
    return max(manifests, key=lambda m: (m["time"], m["pull_id"]), default=None)


def current_records(root: Path | None = None) -> list[Record]:
    """The current records: the newest pull merged over its chain of bases, down to a full pull.

    A later pull's record (or quarantine line) for the same document and annotator replaces the earlier
    record, so an annotation changed into something invalid is not answered with its stale version.
    """
    folder = root or pulls_dir()
    manifest = latest_manifest(folder)
    chain: list[Path] = []
    while manifest is not None:
        chain.append(folder / manifest["pull_id"])
        base = manifest.get("base")
        manifest = read_json(folder / base / MANIFEST_FILE) if base else None
    current: dict[tuple[str, str, str], Record | None] = {}
    for pull_folder in reversed(chain):
        for _, record in iter_jsonl(pull_folder / RECORDS_FILE):
            current[annotator_key(record)] = record
        for _, line in iter_jsonl(pull_folder / QUARANTINE_FILE):
            if line.get("document_id") and SECOND_ANNOTATION not in {r["reason"] for r in line["reasons"]}:
                current[(line["document_id"], line["annotator"], LABEL_STUDIO)] = None
    return sorted((r for r in current.values() if r), key=annotator_key)


def current_drafts(root: Path | None = None) -> list[Record]:
    """The draft records of the newest pull (pull --drafts fetches every draft each time: never chained)."""
    folder = root or pulls_dir()
    manifest = latest_manifest(folder)
    path = folder / manifest["pull_id"] / DRAFTS_FILE if manifest else None
    return [r for _, r in iter_jsonl(path)] if path is not None and path.is_file() else []


def with_drafts(records: Sequence[Record], drafts: Sequence[Record]) -> list[Record]:
    """The records, and the draft of each annotator who submitted nothing for that document (never over one)."""
    submitted = {(r["document_id"], r["provenance"]["annotator"]) for r in records}
    extra = [d for d in drafts if (d["document_id"], d["provenance"]["annotator"]) not in submitted]
    return sorted([*records, *extra], key=annotator_key)


def _newest_folder(root: Path, holding: str, missing: str, hint: str) -> Path:
    folders = sorted(p for p in root.glob("*") if (p / holding).is_file()) if root.is_dir() else []
    if not folders:
        raise InputError(f"{missing} under {root}", path=str(root), hint=hint)
    return folders[-1]


def newest_pull_folder(root: Path | None = None) -> Path:
    """Return the newest pull folder holding records (by name; pull ids sort by time)."""
    hint = "pull annotations from Label Studio first: goldkit pull"
    return _newest_folder(root or pulls_dir(), RECORDS_FILE, f"no pull folder with {RECORDS_FILE}", hint)


def newest_link_pull_folder(root: Path | None = None) -> Path:
    """Return the newest link pull folder."""
    hint = "pull the link answers first with: goldkit pull --links"
    return _newest_folder(root or link_pulls_dir(), LINKS_FILE, "no link pull", hint)


def records_from(sources: Sequence[Path], *, drafts: bool = False) -> tuple[list[Path], list[Record]]:
    """Records of the given sources; with none, the current pulled records (the newest pull merged over
    its since-last chain, so a partial pull never hides the annotations it did not change).

    `drafts`: add the pulled drafts (pull --drafts) of annotators who submitted nothing for a document.
    """
    if sources:
        found = [s / DRAFTS_FILE for s in sources if (s / DRAFTS_FILE).is_file()] if drafts else []
        return list(sources), with_drafts(load_records(sources), load_records(found))
    newest = newest_pull_folder()
    if not (newest / MANIFEST_FILE).is_file():  # a folder of records made by hand, not by goldkit pull
        return [newest], load_records([newest])
    records = current_records(newest.parent)
    return [newest], with_drafts(records, current_drafts(newest.parent)) if drafts else records


def load_records(sources: Sequence[Path]) -> list[Record]:
    """Read annotation records from pull folders (records.jsonl), .jsonl/.json files or folders of .json."""
    records: list[Record] = []
    for source in sources:
        if source.is_dir():
            files = [source / RECORDS_FILE] if (source / RECORDS_FILE).is_file() else sorted(source.glob("*.json"))
            files = [f for f in files if not f.name.endswith(ADJUDICATION_SUFFIX)]
        else:
            files = [source]
        for path in files:
            records += [obj for _, obj in read_records(path) if isinstance(obj, dict)]
    return records
