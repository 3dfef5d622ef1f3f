"""The store of pulled records: which pull is the latest, how since-last pulls chain, the current records.

`pull` writes pull folders; everything that reads them (agreement, adjudication, links, release, the
demo) reads them through here.

The chain is read streamed, whatever its size: a pull's records.jsonl is in (document, annotator)
order, so the current records are a merge of the chain's files (the quarantine lines that void a
record are put in that order on disk first, jsonio.SortedSpool), one document and annotator at a
time; a pull's seen.jsonl (each task it exported, with its annotations) is in (project, task) order,
so the chain's newest view of every task is a merge too.
"""

from __future__ import annotations

import heapq
import itertools
import json
import re
import tempfile
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from goldkit.errors import InputError
from goldkit.jsonio import SortedSpool, iter_jsonl, read_json, read_records
from goldkit.paths import (
    ADJUDICATION_SUFFIX,
    DRAFTS_FILE,
    LINKS_FILE,
    MANIFEST_FILE,
    QUARANTINE_FILE,
    RECORDS_FILE,
    SEEN_FILE,
    SPANS_FILE,
    link_pulls_dir,
    pulls_dir,
)
from goldkit.schema.provenance import LABEL_STUDIO
from goldkit.schema.records import SPAN_KEYS

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


def pull_chain(root: Path | None = None) -> list[Path]:
    """The newest pull's folder and its bases', newest first, down to a full pull (none: [])."""
    folder = root or pulls_dir()
    manifest = latest_manifest(folder)
    chain: list[Path] = []
    while manifest is not None:
        chain.append(folder / manifest["pull_id"])
        base = manifest.get("base")
        manifest = read_json(folder / base / MANIFEST_FILE) if base else None
    return chain


def current_records(root: Path | None = None) -> list[Record]:
    """The current records: the newest pull merged over its chain of bases, down to a full pull.

    A later pull's record (or quarantine line) for the same document and annotator replaces the earlier
    record, so an annotation changed into something invalid is not answered with its stale version.
    """
    return list(iter_current_records(root))


def iter_current_records(root: Path | None = None, *, spans_only: bool = False) -> Iterator[Record]:
    """current_records one at a time, in annotator_key order, holding one document and annotator at a time.

    `spans_only`: each record as its span digest (`span_digest`), read from the pulls' spans.jsonl (a pull
    without a trusted one: its records.jsonl, whole records) — what span agreement needs, a fraction of the
    bytes to read and parse.
    """
    for _, record in iter_current_records_from(root, spans_only=spans_only):
        yield record


_DIGEST_HEAD = ("record_type", "schema_version", "document_id", "document_sha256", "provenance")


def span_digest(record: Mapping[str, Any]) -> Record:
    """A record cut to what span agreement reads: its head (type, versions, document, provenance: the fields
    the store merges by, in the record's order) and each layer's items as their type and span offsets."""
    digest: Record = {}
    for key, value in record.items():
        if key in SPAN_KEYS:
            where = SPAN_KEYS[key]
            digest[key] = [
                {**({"type": item["type"]} if "type" in item else {}),
                 where: {"start": item[where]["start"], "end": item[where]["end"]}}
                for item in value
            ]  # fmt: skip
        elif key in _DIGEST_HEAD:
            digest[key] = value
    return digest


def spans_file(folder: Path) -> Path:
    """A pull's spans.jsonl if it is the digest of the records.jsonl there as pull wrote it (the manifest gives
    that file's size: an edited records.jsonl is read itself), else its records.jsonl."""
    records, spans = folder / RECORDS_FILE, folder / SPANS_FILE
    try:
        written = read_json(folder / MANIFEST_FILE).get("spans", {}).get("records_bytes")
        if spans.is_file() and written is not None and records.stat().st_size == written:
            return spans
    except (InputError, OSError, AttributeError):
        pass
    return records


Wanted = Callable[[Any, Any, Any], bool]  # (ls_project, ls_task, ls_annotation) -> is the record needed


def iter_current_records_from(
    root: Path | None = None, wanted: Wanted | None = None, *, spans_only: bool = False
) -> Iterator[tuple[str, Record]]:
    """(the pull it comes from, record) for each current record, in annotator_key order.

    `wanted`: only the current records it accepts (by their Label Studio ids) are parsed and given; the
    others are merged by their first characters (document, annotator, method, ids: _RECORD_HEAD) alone.
    `spans_only`: read each pull's spans_file (span digests, in the same order) instead of its records.
    """
    chain = list(reversed(pull_chain(root)))  # oldest first: a later pull's word is the last one
    with tempfile.TemporaryDirectory(prefix="goldkit-current-") as tmp:
        voided = SortedSpool(Path(tmp), "voided")  # quarantine lines in (document, annotator) order
        for age, pull_folder in enumerate(chain):
            for _, line in iter_jsonl(pull_folder / QUARANTINE_FILE):
                if line.get("document_id") and SECOND_ANNOTATION not in {r["reason"] for r in line["reasons"]}:
                    voided.add([str(line["document_id"]), str(line["annotator"])], str(age))
        files = [spans_file(folder) if spans_only else folder / RECORDS_FILE for folder in chain]
        streams = [_ordered_records(path, age) for age, path in enumerate(files)]
        voids = ((tuple(key), int(age), 1, None) for key, (age,) in voided.rows())
        for (document, who), group in itertools.groupby(heapq.merge(*streams, voids, key=_merge_key), key=_merge_key):
            current: dict[tuple[str, str, str], tuple[int, _Pulled] | None] = {}
            for _, age, _, pulled in sorted(group, key=lambda row: (row[1], row[2])):  # pull by pull, records first
                if pulled is not None:
                    current[(document, who, pulled.method)] = (age, pulled)
                else:
                    current[(document, who, LABEL_STUDIO)] = None
            for key in sorted(current):
                if (found := current[key]) is not None and (wanted is None or wanted(*found[1].ids)):
                    yield chain[found[0]].name, found[1].record()


def _merge_key(row: tuple[Any, ...]) -> Any:
    return row[0]


_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'  # a JSON string as json.dumps writes it (unrolled: no backtracking)
_RECORD_HEAD = re.compile(  # how a pull writes a record's first fields (schema and Provenance order)
    rf'\{{"record_type": {_STRING}, "schema_version": {_STRING}, "document_id": (?P<document>{_STRING}), '
    rf'(?:"document_sha256": {_STRING}, )?"provenance": \{{"annotator": (?P<annotator>{_STRING}), '
    rf'"method": (?P<method>{_STRING})(?:, "annotators": \[(?:{_STRING}(?:, {_STRING})*)?\])?'
    rf'(?:, "strategy": {_STRING})?(?:, "ls_project": (?P<project>-?\d+))?(?:, "ls_task": (?P<task>-?\d+))?'
    r'(?:, "ls_annotation": (?P<annotation>-?\d+))?[,}]'
)


class _Pulled:
    """A record of a records.jsonl line: its merge fields read from the line's head, parsed whole on demand."""

    __slots__ = ("_line", "_record", "ids", "key", "method")

    def __init__(self, line: str) -> None:
        self._line, self._record = line, None
        self.ids: tuple[Any, Any, Any]
        head = _RECORD_HEAD.match(line)
        if head is None:  # another layout: read it whole
            record = self._record = json.loads(line)
            prov = record["provenance"]
            self.key = (str(record["document_id"]), str(prov["annotator"]))
            self.method = str(prov["method"])
            self.ids = (prov.get("ls_project"), prov.get("ls_task"), prov.get("ls_annotation"))
            return
        self.key = (_string(head["document"]), _string(head["annotator"]))
        self.method = _string(head["method"])
        project, task, annotation = (
            None if head[n] is None else int(head[n]) for n in ("project", "task", "annotation")
        )
        self.ids = (project, task, annotation)

    def record(self) -> Record:
        if self._record is None:
            self._record = json.loads(self._line)
        return self._record


def _string(json_text: str) -> str:
    """A JSON string's value (most have no escapes: their characters between the quotes)."""
    return json_text[1:-1] if "\\" not in json_text else str(json.loads(json_text))


def _ordered_records(path: Path, age: int) -> Iterator[tuple[tuple[str, str], int, int, _Pulled | None]]:
    """A pull's records (or their digests) as merge rows ((document, annotator), age, 0, record); a file out of
    order raises."""
    last: tuple[str, str] | None = None
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                pulled = _Pulled(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{path}:{lineno}:{e.colno}: not valid JSON: {e.msg}", path=str(path)) from e
            if last is not None and pulled.key < last:
                raise InputError(
                    f"{path}:{lineno}: records are not in (document, annotator) order (goldkit writes them sorted: "
                    "was the file edited?)",
                    path=str(path),
                    line=lineno,
                )
            last = pulled.key
            yield pulled.key, age, 0, pulled


def chain_tasks(
    root: Path | None = None, wanted: Mapping[int, Container[int]] | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pull id, seen.jsonl line) of every task the chain exported, from the newest pull that exported it,
    in (project, task) order; `wanted` (project -> task ids): only those tasks.

    A pull without seen.jsonl (written before goldkit kept it) gives nothing.
    """
    chain = pull_chain(root)  # newest first: rank 0 wins a task
    streams = [_seen_rows(folder, rank, wanted) for rank, folder in enumerate(chain) if (folder / SEEN_FILE).is_file()]
    for _, group in itertools.groupby(heapq.merge(*streams, key=_merge_key), key=_merge_key):
        _, rank, line = next(group)
        yield chain[rank].name, line


def _seen_rows(
    folder: Path, rank: int, wanted: Mapping[int, Container[int]] | None
) -> Iterator[tuple[tuple[int, int], int, dict[str, Any]]]:
    """A seen.jsonl's lines as merge rows; with `wanted`, a line of another task is skipped unparsed."""
    path = folder / SEEN_FILE
    with path.open(encoding="utf-8") as fh:
        for lineno, text in enumerate(fh, 1):
            if not text.strip():
                continue
            ids = _SEEN_IDS.match(text) if wanted is not None else None
            if ids is not None and wanted is not None and int(ids[2]) not in wanted.get(int(ids[1]), ()):
                continue
            try:
                line = json.loads(text)
            except json.JSONDecodeError as e:
                raise InputError(f"{path}:{lineno}:{e.colno}: not valid JSON: {e.msg}", path=str(path)) from e
            project_id, task_id = line["project_id"], line["task_id"]
            if wanted is None or task_id in wanted.get(project_id, ()):
                yield (project_id, task_id), rank, line


_SEEN_IDS = re.compile(r'\{"project_id": (\d+), "task_id": (\d+),')  # how pull writes a seen.jsonl line


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
