"""Pull annotations from Label Studio into annotations/pulls/<pull-id>/, quarantining what cannot be a record.

Each goldkit project (found by title, as push finds it) is read with the full JSON export, never
JSON_MIN. Every annotation ends up in exactly one place: a record (records.jsonl), a quarantine line
with its reasons and the raw annotation (quarantine.jsonl), or the cancelled count. Beside the
records, spans.jsonl holds each one's span digest (pulls.span_digest), line for line, for
`goldkit status`. The counts must add up to the annotations Label Studio reports, or nothing is
written (ReconcileError). The folder is written under a temporary name and renamed, so a pull folder
is either complete or absent.

Memory does not grow with the project: the export arrives in batches (labelstudio/export.py parses it
incrementally), and records, quarantine lines, drafts and seen.jsonl lines are spooled to disk as they
are made and sorted there in bounded memory (jsonio.SortedSpool, one SpoolBudget for them all);
the per-annotator rule runs on the sorted records, one document and annotator at a time. The
previous pulls are read streamed too (pulls.iter_current_records_from, pulls.chain_tasks); what a
pull holds per task is a few ids.

`--since-last`: the pull folder holds only the annotations created or updated since the previous pull
(its base, named in the manifest), judged by Label Studio's own `updated_at` against the latest
`updated_at` the base saw (its high-water mark), but never later than the server's clock when the
base's export started (its `Date` header): a task exported early in a long pull and changed, or
stripped of an annotation, before that pull ended is asked for again. The server's clock on both
sides, so a skewed local clock loses nothing; an annotation stamped exactly at the mark is pulled
again rather than missed.
Only the tasks Label Studio stamped as changed since the mark, less an overlap window
(labelstudio/export.py: changed_task_ids, OVERLAP), are exported, so the pull costs what changed;
the other tasks' annotations are counted unchanged from the project's counters, and every existing
task id is read (the task index) so that deleted tasks are still reported. A changed task that lost an
annotation the chain saw on it is pulled whole (so an annotator's older annotation, left after their
newer one was deleted, becomes their record).

Deletions. Each pull writes seen.jsonl: every task it exported with its annotations (id, annotator,
cancelled or not). Label Studio 1.23.2 stamps a task's `updated_at` and lowers its counters when an
annotation is deleted (one by one or by the data manager's action), so a since-last pull exports that
task; a pull lists under `deleted_annotations` every annotation the chain last saw on a task it
exported (the newest seen.jsonl line of that task) or whose record is current, and that the export
no longer has: records, quarantined and cancelled ones alike, with annotator, task and document, the
pull it was last seen in, and `replaced_by` (the annotation of the annotator's new record of the
document: deleted and made again) or `record_kept`. A record nothing replaced is kept, as a deleted
task's are: a full pull copies it (`kept_deleted`), a since-last pull keeps it through its base.

Drift: a task whose text is not its document record's text (edited in Label Studio, or a hand-made
task reusing a real document id and sha256) is not trusted: its annotations are quarantined with reason
`task_text_changed`, the manifest lists every such task (`text_changed_tasks`, annotated or not) and
the push's memory of that project is forgotten, so the next push lists it and reports the conflict. A
task deleted in Label Studio whose annotations the previous pull had is listed in the manifest
(`deleted_tasks`); a full pull keeps those records (copied from the current records, counted as
`kept_deleted`), a since-last pull keeps them through its base. Drafts (saved, never submitted) are
counted per project; `drafts=True` (`pull --drafts`) also pulls them into drafts.jsonl, each record's
provenance naming its draft (`ls_draft`): never in records.jsonl, so nothing uses a draft unless asked.
An annotation with a region over its document's page furniture (greyed out on the screen,
labelstudio.furniture) is quarantined with reason `span_in_boilerplate`.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import tempfile
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from goldkit import __version__
from goldkit.config import project_config, stamp_roster
from goldkit.errors import ConflictError, NotFound, ReconcileError
from goldkit.generate import render
from goldkit.jsonio import SortedSpool, SpoolBudget, dumps, iter_jsonl, rare_collections, write_folder
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import drafts as lsdrafts
from goldkit.labelstudio import export as lsexport
from goldkit.labelstudio import projects as ls_projects
from goldkit.labelstudio import server as ls_server
from goldkit.labelstudio import task_index
from goldkit.labelstudio.convert import Conversion, ConversionProblem, annotator, results_to_record
from goldkit.labelstudio.envelope import server_time
from goldkit.labelstudio.furniture import spans_in_boilerplate
from goldkit.paths import (
    DRAFT_QUARANTINE_FILE,
    DRAFTS_FILE,
    MANIFEST_FILE,
    QUARANTINE_FILE,
    RECORDS_FILE,
    SEEN_FILE,
    SPANS_FILE,
    documents_path,
    pulls_dir,
)
from goldkit.pulls import (
    SECOND_ANNOTATION,
    annotator_key,
    chain_tasks,
    iter_current_records_from,
    latest_manifest,
    recency,
    span_digest,
)
from goldkit.schema.loading import definition, schema_version
from goldkit.schema.provenance import ADJUDICATED, REVIEW_STRATEGY

if TYPE_CHECKING:  # the SDK is heavy to import: only for type checking here
    from label_studio_sdk import LabelStudio

Progress = Callable[[int, int | None], None]
CONVERSION_FAILED = "conversion_failed"  # a pull-level reason: the converter raised on this annotation
MANIFEST, RECORDS, QUARANTINE = MANIFEST_FILE, RECORDS_FILE, QUARANTINE_FILE
TEXT_SHA256 = "text_sha256"  # _documents: the hash of a document's text, in place of the text
TASK_TEXT_CHANGED = "task_text_changed"  # quarantine reason: the task's text is not its document's


@dataclass
class ProjectCounts:
    """How one project's annotations were sorted. annotations = valid + quarantined + cancelled + unchanged."""

    project_id: int
    title: str
    tasks: int = 0
    annotations: int = 0  # as Label Studio counts them (its per-task counters), all of them
    valid: int = 0
    quarantined: int = 0
    cancelled: int = 0
    unchanged: int = 0  # since-last: not created or updated since the base pull
    drafts: int = 0  # saved but not submitted: not annotations, counted so none goes unseen
    drafts_pulled: int = 0  # pull --drafts: drafts that became records (drafts.jsonl)
    kept_deleted: int = 0  # records of tasks or annotations deleted in Label Studio, kept from the current records
    tasks_exported: int | None = None  # since-last: the tasks changed since the mark (the others not exported)

    def balanced(self) -> bool:
        return self.annotations == self.valid + self.quarantined + self.cancelled + self.unchanged


@dataclass
class PullReport:
    """What a pull wrote (or, on ReconcileError, would have)."""

    pull_id: str
    folder: Path
    time: str
    url: str
    ls_version: str | None
    since: str | None = None
    base: str | None = None
    high_water: str | None = None
    projects: list[ProjectCounts] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    # project id -> document id -> its task ids, where one document has several tasks (e.g. two pushes at
    # once from other machines): reported, every annotation still pulled (a second one of an annotator
    # is quarantined as second_annotation)
    duplicate_tasks: dict[int, dict[str, list[int]]] = field(default_factory=dict)
    export_copies_removed: int = 0  # the embedded server's copies of this pull's exports, removed
    # project id -> task ids whose text is not their document's (quarantined annotations, or none yet)
    text_changed_tasks: dict[int, list[int]] = field(default_factory=dict)
    # project id -> task id -> what the current records held of a task no longer in Label Studio
    deleted_tasks: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)
    # project id -> annotation id -> what goldkit last had of an annotation Label Studio no longer has, on a
    # task it still has (DeletedAnnotation's fields)
    deleted_annotations: dict[int, dict[Any, dict[str, Any]]] = field(default_factory=dict)
    drafts: bool = False  # pull --drafts
    records_bytes: int | None = None  # the size of the records.jsonl written, of which spans.jsonl is the digest

    def total(self, name: str) -> int:
        return sum(getattr(p, name) for p in self.projects)

    def manifest(self) -> dict[str, Any]:
        """The manifest.json written beside the records."""
        names = ("tasks", "annotations", "valid", "quarantined", "cancelled", "unchanged", "drafts", "drafts_pulled",
                 "kept_deleted")  # fmt: skip
        return {
            "pull_id": self.pull_id,
            "time": self.time,
            "mode": "since_last" if self.since is not None or self.base is not None else "full",
            "since": self.since,
            "base": self.base,
            "high_water": self.high_water,
            "label_studio": {"url": self.url, "version": self.ls_version},
            "goldkit_version": __version__,
            "schema_version": schema_version(),
            "projects": [asdict(p) for p in self.projects],
            "counts": {name: self.total(name) for name in names},
            "reasons": dict(self.reasons.most_common()),
            "duplicate_tasks": {str(p): docs for p, docs in sorted(self.duplicate_tasks.items())},
            "text_changed_tasks": {str(p): ids for p, ids in sorted(self.text_changed_tasks.items())},
            "deleted_tasks": {str(p): [ts[t] for t in sorted(ts)] for p, ts in sorted(self.deleted_tasks.items())},
            "deleted_annotations": {
                str(p): sorted(gone.values(), key=lambda e: (_id_order(e["task_id"]), _id_order(e["annotation_id"])))
                for p, gone in sorted(self.deleted_annotations.items())
            },
            "drafts_pulled": self.drafts,
            "spans": {"file": SPANS_FILE, "records_bytes": self.records_bytes},
        }


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class IdSet:
    """Integer ids held compactly (8 bytes each, not a set's ~60), asked with `in` once they are added."""

    def __init__(self) -> None:
        self._ids = array("q")
        self._ordered = True

    def add(self, value: Any) -> None:
        if type(value) is not int:
            return  # not a Label Studio id (quarantined for it): never asked for
        if self._ids and value < self._ids[-1]:
            self._ordered = False
        self._ids.append(value)

    def __contains__(self, value: object) -> bool:
        if type(value) is not int:
            return False
        if not self._ordered:
            self._ids, self._ordered = array("q", sorted(self._ids)), True
        at = bisect_left(self._ids, value)
        return at < len(self._ids) and self._ids[at] == value

    def __len__(self) -> int:
        return len(self._ids)


class Sorted:
    """Where a pull's annotations went: records and quarantine lines, spooled to disk in their final order.

    Rows are sorted in bounded memory (jsonio.SortedSpool) in a temporary folder of their own; `finish`
    keeps each annotator's latest annotation of a document (the others become second_annotation lines)
    and writes records.jsonl and quarantine.jsonl there, for write_pull to put in the pull folder, with
    seen.jsonl (each exported task and its annotations, what the next pull compares against to find
    deleted annotations) and the drafts' files. `records`, `quarantine`, `drafts` and
    `draft_quarantine` read them back (for small pulls and tests).
    """

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="goldkit-pull-")
        self.folder = Path(self._tmp.name)
        budget = SpoolBudget()  # one run's worth of text held between them, whichever grows
        self._records = SortedSpool(self.folder, "records", budget=budget)
        self._quarantine = SortedSpool(self.folder, "quarantine", budget=budget)
        self._seen = SortedSpool(self.folder, "seen", budget=budget)  # one line per exported task, (project, task)
        self._drafts = SortedSpool(self.folder, "drafts", budget=budget)  # pull --drafts: draft records
        self._draft_quarantine = SortedSpool(self.folder, "draft-quarantine", budget=budget)  # drafts not records
        self._documents = SortedSpool(self.folder, "documents", budget=budget)  # (project, doc_id) -> task id
        # converted records of the chunk being sorted, with where they came from: (record, project, task, raw)
        self.pending: list[tuple[dict[str, Any], int, dict[str, Any], dict[str, Any]]] = []
        self.finished = False
        self.valid: Counter[int] = Counter()  # project id -> records written
        self.quarantined: Counter[int] = Counter()  # project id -> quarantine lines
        self.reasons: Counter[str] = Counter()
        self.written = (0, 0)  # (records, quarantine lines) in the finished files
        self.kept: list[dict[str, Any]] = []  # records of deleted tasks or annotations kept from the current records
        self.tasks_seen: dict[int, IdSet] = {}  # since-last: project id -> every task that exists (the task index)
        self.exported: dict[int, IdSet] = {}  # project id -> the task ids exported
        self.present = IdSet()  # the annotation ids exported (Label Studio's ids are unique across projects)
        self.text_changed: dict[int, list[Any]] = {}  # project id -> tasks whose text drifted

    def add_seen(self, project_id: int, task: Mapping[str, Any], annotations: list[dict[str, Any]]) -> None:
        """Note an exported task and its annotations ({id, annotator, was_cancelled}) for seen.jsonl."""
        task_id = task.get("id")
        if type(task_id) is not int:
            return
        self.exported.setdefault(project_id, IdSet()).add(task_id)
        for annotation in annotations:
            self.present.add(annotation["id"])
        line = {"project_id": project_id, "task_id": task_id, "document_id": (task.get("data") or {}).get("doc_id"),
                "annotations": annotations}  # fmt: skip
        self._seen.add([project_id, task_id], _text(line))

    def add_document(self, project_id: int, task: Mapping[str, Any]) -> None:
        """Note which document an exported task holds (duplicate_documents finds the documents in two tasks)."""
        doc_id, task_id = (task.get("data") or {}).get("doc_id"), task.get("id")
        if doc_id is not None and type(task_id) is int:
            self._documents.add([project_id, str(doc_id)], str(task_id))

    def duplicate_documents(self) -> dict[int, dict[str, list[int]]]:
        """Project id -> doc_id -> its task ids, for the documents more than one task holds (read sorted from
        disk: what is held is one document's tasks)."""
        found: dict[int, dict[str, list[int]]] = {}
        for (project_id, doc_id), group in itertools.groupby(self._documents.rows(), key=lambda row: tuple(row[0])):
            task_ids = [int(fields[0]) for _, fields in group]
            if len(task_ids) > 1:
                found.setdefault(project_id, {})[doc_id] = sorted(task_ids)
        return found

    def add_draft(self, record: dict[str, Any]) -> None:
        self._drafts.add([record["document_id"], record["provenance"]["annotator"]], _text(record))

    def add_draft_quarantine(self, line: dict[str, Any]) -> None:
        self._draft_quarantine.add(0, _text(line))  # one key: in the order met

    def add_record(self, record: dict[str, Any], project_id: int, task: dict[str, Any], raw: dict[str, Any]) -> None:
        """Hold a converted record until its chunk is marked (mark_reviews), then spool_pending."""
        self.pending.append((record, project_id, task, raw))

    def spool_pending(self) -> None:
        for record, project_id, task, raw in self.pending:
            document, who, method = annotator_key(record)  # sorted by document and annotator, the rule per method
            meta = [method, list(recency(record)), record["provenance"].get("ls_annotation")]
            stub = {"id": task.get("id"), "data": {"doc_id": (task.get("data") or {}).get("doc_id")}}
            where = _text([project_id, stub, raw])
            self._records.add([document, who], _text(meta), _text(record), where, _text(span_digest(record)))
        self.pending = []

    def add_quarantine(self, line: dict[str, Any]) -> None:
        self._quarantine.add([_id_order(line["task_id"]), _id_order(line["annotation_id"])], _text(line))
        self.quarantined[line["project_id"]] += 1
        self.reasons.update({reason["reason"] for reason in line["reasons"]})

    def finish(self) -> None:
        """Apply the one-per-annotator rule and write both files in their final order (once)."""
        if self.finished:
            return
        self.spool_pending()
        records = 0
        with (
            (self.folder / RECORDS).open("w", encoding="utf-8", newline="\n") as fh,
            (self.folder / SPANS_FILE).open("w", encoding="utf-8", newline="\n") as spans,
        ):
            for _, group in itertools.groupby(self._records.rows(), key=lambda row: row[0]):
                for winner, fields in _latest_per_method([fields for _, fields in group]):
                    if winner is None:
                        fh.write(fields[1] + "\n")
                        spans.write(fields[3] + "\n")
                        records += 1
                        self.valid[json.loads(fields[2])[0]] += 1
                    else:
                        self._second_annotation(fields, winner[0])
        for spool, name in ((self._quarantine, QUARANTINE), (self._seen, SEEN_FILE), (self._drafts, DRAFTS_FILE),
                            (self._draft_quarantine, DRAFT_QUARANTINE_FILE)):  # fmt: skip
            with (self.folder / name).open("w", encoding="utf-8", newline="\n") as fh:
                fh.writelines(line + "\n" for _, (line,) in spool.rows())
        self.written, self.finished = (records, self._quarantine.count), True

    def record_annotations(self, wanted: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], Any]:
        """The annotation id of each wanted annotator key's record in the finished records (one streamed read)."""
        self.finish()
        if not wanted:
            return {}
        return {
            key: r["provenance"].get("ls_annotation")
            for _, r in iter_jsonl(self.folder / RECORDS)
            if (key := annotator_key(r)) in wanted
        }

    def records_file(self) -> Path:
        """The finished records.jsonl, with the kept records of deleted tasks merged in order."""
        return self._merged(RECORDS, lambda record: record)

    def spans_file(self) -> Path:
        """The digest of records_file, line for line (pulls.span_digest)."""
        return self._merged(SPANS_FILE, span_digest)

    def _merged(self, name: str, shape: Callable[[dict[str, Any]], dict[str, Any]]) -> Path:
        """The finished file `name`, with the kept records (as `shape` makes them) merged in order."""
        self.finish()
        if not self.kept:
            return self.folder / name
        merged = self.folder / f"merged-{len(self.kept)}-{name}"
        if not merged.exists():
            order = sorted(self.kept, key=_record_order)
            with (self.folder / name).open(encoding="utf-8") as pulled, merged.open("w", encoding="utf-8") as fh:
                rows = ((_record_order(json.loads(line)), 0, line) for line in pulled)
                kept = ((_record_order(r), 1, _text(shape(r)) + "\n") for r in order)
                fh.writelines(line for *_, line in heapq.merge(rows, kept, key=lambda row: row[:2]))
        return merged

    @property
    def records(self) -> list[dict[str, Any]]:
        return [record for _, record in iter_jsonl(self.records_file())]

    @property
    def quarantine(self) -> list[dict[str, Any]]:
        self.finish()
        return [line for _, line in iter_jsonl(self.folder / QUARANTINE)]

    @property
    def drafts(self) -> list[dict[str, Any]]:
        self.finish()
        return [record for _, record in iter_jsonl(self.folder / DRAFTS_FILE)]

    @property
    def draft_quarantine(self) -> list[dict[str, Any]]:
        self.finish()
        return [line for _, line in iter_jsonl(self.folder / DRAFT_QUARANTINE_FILE)]

    @property
    def seen(self) -> list[dict[str, Any]]:
        self.finish()
        return [line for _, line in iter_jsonl(self.folder / SEEN_FILE)]

    def close(self) -> None:
        self._tmp.cleanup()

    def _second_annotation(self, fields: list[str], winner: Any) -> None:
        record, (project_id, task, annotation) = json.loads(fields[1]), json.loads(fields[2])
        who = record["provenance"]["annotator"]
        reason = {
            "reason": SECOND_ANNOTATION,
            "message": f"{who} has a later annotation ({winner}) of this document",
            "task_id": task.get("id"),
            "annotation_id": annotation.get("id"),
        }
        self.add_quarantine(_quarantine_line(project_id, task, annotation, [reason], who))


def _record_order(record: Mapping[str, Any]) -> tuple[str, str]:
    return record["document_id"], record["provenance"]["annotator"]


def _latest_per_method(rows: list[list[str]]) -> Iterator[tuple[tuple[Any] | None, list[str]]]:
    """One annotator's records of one document, in order, each with None when it is the latest of its
    method (by recency; the first of equals), else (the latest one's annotation id,)."""
    metas = [json.loads(fields[0]) for fields in rows]
    latest: dict[str, int] = {}
    for n, (method, rank, _) in enumerate(metas):
        if method not in latest or rank > metas[latest[method]][1]:
            latest[method] = n
    for n, fields in enumerate(rows):
        best = latest[metas[n][0]]
        yield (None if best == n else (metas[best][2],)), fields


def _parse_time(value: Any) -> datetime | None:
    """A server time, or None when there is none or it is not one (the converter quarantines the latter)."""
    return server_time(value)


def ls_version(client: LabelStudio) -> str | None:
    """The server's release, for the manifest (None when it does not say)."""
    with lsclient.errors_mapped(client, what="read the server version"):
        answer = client.versions.get()
    return getattr(answer, "release", None) or getattr(answer, "label_studio_os_package", {}).get("version")


def user_emails(client: LabelStudio) -> dict[int, str]:
    """Map user id -> email with one users.list call (the plain export gives only ids)."""
    with lsclient.errors_mapped(client, what="list users"):
        return {user.id: user.email for user in client.users.list() if user.email}


def goldkit_projects(
    client: LabelStudio, ids: list[int] | None = None, prefix: str = ls_projects.PROJECT_PREFIX
) -> list[tuple[int, str]]:
    """Return (id, title) of the projects to pull: the given ids, else every language's goldkit project."""
    if ids:
        out = []
        for project_id in ids:
            with lsclient.errors_mapped(client, what=f"read project {project_id}", project_id=project_id):
                out.append((project_id, client.projects.get(id=project_id).title or ""))
        return out
    prefixes = (prefix, ls_projects.review_prefix(prefix))  # review projects: their records become adjudicated ones
    found = [ls_projects.find_project(client, language, p) for p in prefixes for language in render.languages()]
    projects = [(p.id, p.title) for p in found if p is not None]
    if not projects:
        raise NotFound(
            f"no goldkit projects at {lsclient.client_url(client)} "
            f"(titles like {ls_projects.project_title(render.languages()[0], prefix)!r})",
            hint="push the documents first with: goldkit push",
        )
    return projects


def _ls_count(task: dict[str, Any]) -> int:
    """How many annotations Label Studio says the task has (its own counters), else the exported list."""
    total, cancelled = task.get("total_annotations"), task.get("cancelled_annotations")
    if isinstance(total, int) and isinstance(cancelled, int):
        return total + cancelled
    return len(task.get("annotations") or [])


def _quarantine_line(
    project_id: int, task: dict[str, Any], raw: Any, reasons: list[dict[str, Any]], who: str
) -> dict[str, Any]:
    """One quarantine.jsonl line: where, who, why, and the annotation exactly as exported."""
    return {
        "project_id": project_id,
        "task_id": task.get("id"),
        "annotation_id": raw.get("id") if isinstance(raw, dict) else None,
        "document_id": (task.get("data") or {}).get("doc_id"),
        "annotator": who,
        "reasons": reasons,
        "annotation": raw,
    }


def with_email(annotation: dict[str, Any], emails: Mapping[int, str]) -> dict[str, Any]:
    """The annotation with `completed_by` as {id, email} when the export gave only the user id."""
    who = annotation.get("completed_by")
    if isinstance(who, int) and who in emails:
        return {**annotation, "completed_by": {"id": who, "email": emails[who]}}
    return annotation


def sort_project(
    project_id: int,
    tasks: list[dict[str, Any]],
    counts: ProjectCounts,
    out: Sorted,
    *,
    emails: dict[int, str],
    since: datetime | None = None,
    documents: Mapping[str, Mapping[str, Any]] | None = None,
    seen_before: Mapping[tuple[int, Any], Sequence[Any]] | None = None,
) -> None:
    """Convert each annotation of the exported tasks into a record, a quarantine line or a count.

    `seen_before` (since-last: (project, task) -> the annotation ids the chain last saw there): a task
    that lost one of them is pulled whole, so an older annotation of the same annotator becomes the record.
    """
    for task in tasks:
        counts.tasks += 1
        counts.annotations += _ls_count(task)
        counts.drafts += len(task.get("drafts") or [])
        out.add_document(project_id, task)
        drift = text_drift(task, documents or {})
        if drift is not None:
            out.text_changed.setdefault(project_id, []).append(task.get("id"))
        sort_drafts(project_id, task, counts, out, drift)
        annotations = [a if isinstance(a, dict) else {"result": a} for a in task.get("annotations") or []]
        out.add_seen(project_id, task, [_seen_entry(a, emails) for a in annotations])
        ids = {a.get("id") for a in annotations}
        lost = seen_before is not None and any(i not in ids for i in seen_before.get((project_id, task.get("id")), ()))
        task_since = None if lost else since
        for exported, raw in zip(task.get("annotations") or [], annotations, strict=True):  # raw: a dict to read
            updated = _parse_time(raw.get("updated_at") or raw.get("created_at"))
            if task_since is not None and updated is not None and updated < task_since:
                counts.unchanged += 1
            elif raw.get("was_cancelled") is True:
                counts.cancelled += 1
            elif drift is not None:
                out.add_quarantine(_quarantine_line(project_id, task, exported, [drift], annotator(raw)))
            elif over_furniture := spans_in_boilerplate(task, raw, _boilerplate(task, documents or {})):
                out.add_quarantine(_quarantine_line(project_id, task, exported, over_furniture, annotator(raw)))
            else:
                annotation = with_email(raw, emails)
                conversion = _converted(project_id, task, annotation)
                if conversion.record is not None:
                    out.add_record(conversion.record, project_id, task, raw)
                else:
                    reasons = [p.to_dict() for p in conversion.problems]
                    who = annotator(annotation)
                    out.add_quarantine(_quarantine_line(project_id, task, exported, reasons, who))


def _seen_entry(annotation: dict[str, Any], emails: Mapping[int, str]) -> dict[str, Any]:
    """What seen.jsonl keeps of an exported annotation: its id, annotator and whether it was cancelled."""
    who = annotator(with_email(annotation, emails))
    return {"id": annotation.get("id"), "annotator": who, "was_cancelled": annotation.get("was_cancelled") is True}


def sort_drafts(
    project_id: int, task: dict[str, Any], counts: ProjectCounts, out: Sorted, drift: dict[str, Any] | None
) -> None:
    """pull --drafts: each draft fetched whole becomes a draft record or a draft quarantine line (ids: counted only)."""
    for draft in task.get("drafts") or []:
        if not isinstance(draft, dict):
            continue  # the export gives draft ids; pull fetches them whole only when asked
        annotation = lsdrafts.as_annotation(draft)
        who = annotator(annotation)
        conversion = None if drift is not None else _converted(project_id, task, annotation)
        if conversion is None or conversion.record is None:
            reasons = [drift] if drift is not None else [p.to_dict() for p in conversion.problems]  # type: ignore[union-attr]
            out.add_draft_quarantine({**_quarantine_line(project_id, task, draft, reasons, who), "draft": True})
            continue
        record = conversion.record
        order = list(definition("Provenance")["properties"])
        provenance = {**record["provenance"], "ls_annotation": draft.get("annotation"), "ls_draft": draft.get("id")}
        record["provenance"] = {key: provenance[key] for key in order if key in provenance}
        out.add_draft(record)
        counts.drafts_pulled += 1


def deleted_seen(report: PullReport, out: Sorted, chain: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
    """List the annotations the chain last saw on a task this pull exported that the export no longer has.

    `chain`: (pull id, seen.jsonl line) of the tasks this pull exported (pulls.chain_tasks): whatever the
    annotation was (a record, a quarantine line, cancelled), the manifest names it (`deleted_annotations`).
    """
    for pull_id, line in chain:
        project_id, task_id = line["project_id"], line["task_id"]
        if task_id not in out.exported.get(project_id, ()):
            continue
        for seen in line["annotations"]:
            if seen.get("id") is not None and seen["id"] not in out.present:
                entry = _deleted_annotation(report, project_id, task_id, line.get("document_id"), seen["id"])
                entry |= {"annotator": seen.get("annotator"), "was_cancelled": seen.get("was_cancelled") is True,
                          "from_pull": pull_id}  # fmt: skip


def _deleted_annotation(
    report: PullReport, project_id: int, task_id: Any, document_id: Any, annotation_id: Any
) -> dict[str, Any]:
    return report.deleted_annotations.setdefault(project_id, {}).setdefault(
        annotation_id,
        {"task_id": task_id, "annotation_id": annotation_id, "document_id": document_id, "annotator": None,
         "was_cancelled": False, "record_kept": False, "replaced_by": None, "from_pull": None},
    )  # fmt: skip


def keep_deleted(
    report: PullReport, out: Sorted, current: Iterable[tuple[str, dict[str, Any]]], previous_pull: str | None
) -> None:
    """Reconcile the current records (pull id, record) with what Label Studio still has; a full pull keeps
    the records of deleted tasks and annotations unless the annotator has a newer record of the document.

    A record whose task is gone is listed under `deleted_tasks`; one whose task this pull exported
    without its annotation, under `deleted_annotations` (with `replaced_by`: the annotation of the
    annotator's new record of that document, when there is one). A since-last pull keeps them through
    its base. Only the records of deleted tasks or annotations are held, never the current records.
    """
    pulled = {counts.project_id: counts for counts in report.projects}
    gone_tasks: list[dict[str, Any]] = []
    gone_annotations: list[tuple[str, dict[str, Any]]] = []
    for source, record in current:
        prov = record.get("provenance") or {}
        gone = _gone(out, pulled, prov.get("ls_project"), prov.get("ls_task"), prov.get("ls_annotation"))
        if gone == "task":
            gone_tasks.append(record)
        elif gone == "annotation":
            gone_annotations.append((source, record))
    newer = out.record_annotations({annotator_key(r) for r in [*gone_tasks, *(r for _, r in gone_annotations)]})
    full = report.base is None
    for record in gone_tasks:
        prov = record["provenance"]
        project_id, task_id = prov.get("ls_project"), prov.get("ls_task")
        entry = report.deleted_tasks.setdefault(project_id, {}).setdefault(
            task_id,
            {"task_id": task_id, "document_id": record["document_id"], "annotators": [], "records_kept": 0,
             "from_pull": previous_pull},
        )  # fmt: skip
        entry["annotators"] = sorted({*entry["annotators"], prov.get("annotator")})
        if full and annotator_key(record) not in newer:
            out.kept.append(record)
            pulled[project_id].kept_deleted += 1
        entry["records_kept"] += 1
    for source, record in gone_annotations:
        prov = record["provenance"]
        project_id, replaced_by = prov["ls_project"], newer.get(annotator_key(record))
        entry = _deleted_annotation(
            report, project_id, prov["ls_task"], record["document_id"], prov.get("ls_annotation")
        )
        entry |= {"annotator": prov.get("annotator"), "record_kept": replaced_by is None, "replaced_by": replaced_by,
                  "from_pull": source}  # fmt: skip
        if full and replaced_by is None:
            out.kept.append(record)
            pulled[project_id].kept_deleted += 1


def report_deleted(report: PullReport, out: Sorted, root: Path) -> None:
    """Find what was deleted in Label Studio since the chain saw it: tasks, and annotations on exported tasks.

    Both reads are streamed: the chain's seen.jsonl files merged (only the exported tasks' lines are
    looked at) and the current records merged (only those of deleted tasks or annotations are held).
    """
    previous = latest_manifest(root)
    deleted_seen(report, out, chain_tasks(root, out.exported))
    pulled = {counts.project_id for counts in report.projects}
    current = iter_current_records_from(root, lambda *ids: _gone(out, pulled, *ids) is not None)
    keep_deleted(report, out, current, previous["pull_id"] if previous else None)


def _gone(out: Sorted, pulled: Container[int], project_id: Any, task_id: Any, annotation_id: Any) -> str | None:
    """Whether a current record's task ("task") or annotation ("annotation") is gone from Label Studio."""
    if project_id not in pulled or task_id is None:
        return None  # a project this pull did not look at
    exported = task_id in out.exported.get(project_id, ())
    if not exported and task_id not in out.tasks_seen.get(project_id, ()):
        return "task"
    return "annotation" if exported and annotation_id is not None and annotation_id not in out.present else None


def _converted(project_id: int, task: dict[str, Any], annotation: dict[str, Any]) -> Conversion:
    """Convert one annotation; a converter fault quarantines it (with the error) and the pull goes on."""
    try:
        return results_to_record(task, annotation, project_id=project_id)  # type: ignore[arg-type]
    except Exception as e:  # noqa: BLE001 - one annotation must never stop the pull; the reason names the error
        message = f"goldkit could not convert it ({type(e).__name__}: {e}); please report this annotation"
        return Conversion(None, [ConversionProblem(CONVERSION_FAILED, message, task.get("id"), annotation.get("id"))])


def _boilerplate(task: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any]]) -> list[Any]:
    """The page furniture of the task's document (none when the document is not known here)."""
    data = task.get("data") or {}
    document = documents.get(str(data.get("doc_id"))) if isinstance(data, dict) else None
    return list((document or {}).get("boilerplate") or [])


def text_drift(task: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any]]) -> dict[str, Any] | None:
    """A `task_text_changed` reason when the task's text is not its document's, else None.

    The texts themselves are compared when the document record is known (a stale or forged sha256 in
    either cannot hide an edit), else the task's text against the sha256 its data carries.
    """
    data = task.get("data") or {}
    text = data.get("text")
    if not isinstance(text, str):
        return None  # not a document task (a link task): nothing to compare
    doc_id = data.get("doc_id")
    got = hashlib.sha256(text.encode("utf-8")).hexdigest()
    document = documents.get(str(doc_id))
    expected: Any
    if document is not None and isinstance(document.get("text"), str):
        if text == document["text"]:
            return None
        expected = hashlib.sha256(document["text"].encode("utf-8")).hexdigest()
    elif document is not None and isinstance(document.get(TEXT_SHA256), str):  # the text's own hash, from _documents
        expected = document[TEXT_SHA256]
        if got == expected:
            return None
    else:
        expected = document["sha256"] if document is not None else data.get("sha256")
        if expected is None or got == expected:
            return None
    return {
        "reason": TASK_TEXT_CHANGED,
        "message": f"task {task.get('id')}: its text no longer matches document {doc_id} (sha256 {got[:12]}…, "
        f"the document's is {str(expected)[:12]}…); its annotations are not trusted",
        "task_id": task.get("id"),
        "got": got,
        "expected": expected,
    }


def _finish_counts(report: PullReport, out: Sorted) -> None:
    out.finish()  # the one-per-annotator rule: each annotator's latest annotation of a document
    for counts in report.projects:
        counts.valid, counts.quarantined = out.valid[counts.project_id], out.quarantined[counts.project_id]
    report.reasons.update(out.reasons)


def reconcile(report: PullReport, out: Sorted) -> None:
    """Raise ReconcileError unless every annotation Label Studio counts is in exactly one place."""
    unbalanced = [p for p in report.projects if not p.balanced()]
    kept = report.total("valid") + report.total("kept_deleted")
    written = (out.written[0] + len(out.kept), out.written[1]) == (kept, report.total("quarantined"))
    if unbalanced or not written:
        detail = "; ".join(
            f"project {p.project_id}: Label Studio counts {p.annotations}, pulled {p.valid} valid + "
            f"{p.quarantined} quarantined + {p.cancelled} cancelled + {p.unchanged} unchanged"
            for p in unbalanced or report.projects
        )
        raise ReconcileError(f"pull {report.pull_id} does not add up: {detail}", manifest=report.manifest())


def _documents() -> dict[str, dict[str, Any]]:
    """The ingested documents (id -> record), the reference for task_text_changed; {} before ingest.

    A text is kept as the sha256 of the text itself (TEXT_SHA256, computed here, so a stale or forged
    `sha256` field hides nothing): a big corpus's texts are not held while the pull runs.
    """
    path = documents_path()
    if not path.is_file():
        return {}
    documents = {}
    for _, d in iter_jsonl(path):
        if isinstance(d, dict) and isinstance(d.get("id"), str):
            text = d.pop("text", None)
            if isinstance(text, str):
                d[TEXT_SHA256] = hashlib.sha256(text.encode("utf-8")).hexdigest()
            documents[d["id"]] = d
    return documents


def new_pull_id(root: Path, now: datetime) -> str:
    """A pull id from the time, unique under root."""
    stem = now.strftime("%Y%m%dT%H%M%SZ")
    pull_id, n = stem, 1
    while (root / pull_id).exists():
        n += 1
        pull_id = f"{stem}-{n}"
    return pull_id


def _id_order(value: Any) -> tuple[int, int, str]:
    """Sort ids as numbers, and ids of other types (quarantined for it) after them, by their JSON text."""
    return (0, value, "") if type(value) is int else (1, 0, dumps(value))


def write_pull_unique(report: PullReport, out: Sorted, root: Path, now: datetime, attempts: int = 20) -> None:
    """Write the pull under a fresh id: a pull started in the same second by another process took this one."""
    for _ in range(attempts):
        try:
            return write_pull(report, out)
        except FileExistsError:
            report.pull_id = new_pull_id(root, now)
            report.folder = root / report.pull_id
    raise ConflictError(
        f"{attempts} pull folders named after {now:%Y%m%dT%H%M%SZ} already exist in {root}", path=str(root)
    )


def write_pull(report: PullReport, out: Sorted) -> None:
    """Put records, quarantine (finished on disk by `out`) and manifest in a temporary folder, then rename it."""
    records = out.records_file()
    report.records_bytes = records.stat().st_size
    files: dict[str, str | Path] = {RECORDS: records, SPANS_FILE: out.spans_file(), QUARANTINE: out.folder / QUARANTINE}
    files |= {SEEN_FILE: out.folder / SEEN_FILE, MANIFEST: dumps(report.manifest())}
    if report.drafts:
        files |= {name: out.folder / name for name in (DRAFTS_FILE, DRAFT_QUARANTINE_FILE)}
    write_folder(report.folder, files)


def _high_water(tasks: list[dict[str, Any]], mark: str | None) -> str | None:
    stamps = [a.get("updated_at") for t in tasks for a in t.get("annotations") or [] if a.get("updated_at")]
    if mark:
        stamps.append(mark)
    return max(stamps, key=lambda s: _parse_time(s) or datetime.min.replace(tzinfo=UTC), default=None)


def capped_mark(mark: str | None, started: datetime | None) -> str | None:
    """The high-water mark, but never later than the server's clock when the export started (none seen: that)."""
    if started is None:
        return mark
    latest = _parse_time(mark) if mark else None
    if latest is not None and latest <= started:
        return mark
    return started.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def mark_reviews(title: str, tasks: Sequence[Mapping[str, Any]], records: Sequence[dict[str, Any]]) -> None:
    """Stamp records pulled from a review project as adjudicated by the reviewer (in place)."""
    if not ls_projects.is_review_title(title):
        return
    reviewed = {task.get("id"): reviewed_annotators(task) for task in tasks}
    order = list(definition("Provenance")["properties"])
    for record in records:
        provenance = record["provenance"]
        provenance |= {
            "method": ADJUDICATED,
            "strategy": REVIEW_STRATEGY,
            "annotators": reviewed.get(provenance.get("ls_task"), []),
        }
        record["provenance"] = {key: provenance[key] for key in order if key in provenance}


def reviewed_annotators(task: Mapping[str, Any]) -> list[str]:
    """Whose versions a review task shows: its data says; else full predictions' model versions, if exported."""
    listed = (task.get("data") or {}).get(ls_projects.REVIEWED_KEY)
    if listed is None:
        listed = [p.get("model_version") for p in task.get("predictions") or [] if isinstance(p, dict)]
    return sorted({str(who) for who in listed if who})


def sort_annotations(
    report: PullReport,
    exports: Iterable[tuple[int, str, list[dict[str, Any]]]],
    *,
    emails: dict[int, str],
    since: datetime | None = None,
    documents: Mapping[str, Mapping[str, Any]] | None = None,
    seen_before: Mapping[tuple[int, Any], Sequence[Any]] | None = None,
) -> Sorted:
    """Sort every exported annotation of (project id, title, tasks) into records, quarantine and counts."""
    out = Sorted()
    roster = project_config().annotators  # what made each record, as goldkit.toml's [annotators] declares it
    mark = report.since
    by_project: dict[int, ProjectCounts] = {}
    for project_id, title, tasks in exports:  # a project may come in several chunks
        if project_id not in by_project:
            by_project[project_id] = ProjectCounts(project_id, title)
            report.projects.append(by_project[project_id])
        counts = by_project[project_id]
        sort_project(
            project_id, tasks, counts, out, emails=emails, since=since, documents=documents, seen_before=seen_before
        )
        chunk = [record for record, *_ in out.pending]
        mark_reviews(title, tasks, chunk)
        stamp_roster(chunk, roster)  # before spooling: the records are on disk from here on
        out.spool_pending()
        mark = _high_water(tasks, mark)
    report.high_water = mark
    report.duplicate_tasks = out.duplicate_documents()
    report.text_changed_tasks = {p: sorted(ids, key=_id_order) for p, ids in out.text_changed.items()}
    _finish_counts(report, out)
    return out


@dataclass
class Unexported:
    """A since-last pull's view of a project beyond the changed tasks it exports: the server's counters."""

    task_ids: set[int]  # every task the project has (the task index: two requests when nothing was added)
    annotations: int  # every annotation it has, cancelled ones included (the project's counters)


@dataclass
class SinceLast:
    """What a since-last pull gathers before exporting: per project its counters, per changed task the
    annotation ids the chain last saw on it (pulls.chain_tasks: proportional to the changed tasks)."""

    root: Path
    since: datetime
    unexported: dict[int, Unexported] = field(default_factory=dict)
    seen_before: dict[tuple[int, Any], list[Any]] = field(default_factory=dict)

    def changed(self, client: LabelStudio, project_id: int) -> list[int]:
        """The project's tasks changed since the mark, noting its counters and what the chain saw on them."""
        ids = _changed_only(client, project_id, self.since, self.unexported)
        self.note_changed(project_id, ids)
        return ids

    def note_changed(self, project_id: int, task_ids: Iterable[int]) -> None:
        """Note the annotation ids the chain last saw on these tasks (one streamed read of its seen.jsonl files)."""
        for _, line in chain_tasks(self.root, {project_id: set(task_ids)}):
            self.seen_before[(project_id, line["task_id"])] = [a.get("id") for a in line["annotations"]]


def _changed_only(
    client: LabelStudio, project_id: int, since: datetime, unexported: dict[int, Unexported]
) -> list[int]:
    """Read the project's task ids and annotation counters, then list the tasks changed since the mark."""
    with lsclient.errors_mapped(client, what=f"read project {project_id}", project_id=project_id):
        project = client.projects.get(id=project_id)
    total = int(getattr(project, "total_annotations_number", 0) or 0) + int(
        getattr(project, "skipped_annotations_number", 0) or 0
    )
    known = task_index.known_task_ids(client, project_id)  # ids only: never the tasks' data
    unexported[project_id] = Unexported(known, total)
    return lsexport.changed_task_ids(client, project_id, since)


def count_unexported(report: PullReport, out: Sorted, unexported: Mapping[int, Unexported]) -> None:
    """Count the tasks and annotations a since-last pull did not export as unchanged (the server's counters).

    The exported tasks are reconciled annotation by annotation as in a full pull; the rest are Label
    Studio's project counters less what the exported tasks hold. Every existing task counts as seen, so
    only tasks really gone are reported deleted.
    """
    for counts in report.projects:
        view = unexported.get(counts.project_id)
        if view is None:
            continue
        rest = max(0, view.annotations - counts.annotations)
        counts.tasks_exported, counts.tasks = counts.tasks, max(counts.tasks, len(view.task_ids))
        counts.annotations += rest
        counts.unchanged += rest
        seen = out.tasks_seen.setdefault(counts.project_id, IdSet())
        for task_id in view.task_ids:
            seen.add(task_id)


def _exports(
    client: LabelStudio,
    projects: list[tuple[int, str]],
    emails: dict[int, str],
    progress: Progress | None,
    drafts: bool = False,
    since_last: SinceLast | None = None,
) -> Iterator[tuple[int, str, list[dict[str, Any]]]]:
    """Export each project in turn, in chunks; look emails up (once) when the export gives only user ids.

    With `since_last` (filled in here), only the tasks changed since its mark are exported.
    """
    for done, (project_id, title) in enumerate(projects):
        if progress:
            progress(done, len(projects))
        if since_last is not None:
            batches = lsexport.export_ids(client, project_id, since_last.changed(client, project_id))
        else:
            batches = lsexport.export_tasks(client, project_id)
        for tasks in batches:
            ids = any(isinstance(a.get("completed_by"), int) for t in tasks for a in t.get("annotations") or [])
            if ids and not emails:
                emails.update(user_emails(client))
            if drafts and any(t.get("drafts") for t in tasks):
                lsdrafts.fetch_drafts(client, tasks, emails)
            yield project_id, title, tasks
    if progress:
        progress(len(projects), len(projects))


def pull(
    *,
    projects: list[int] | None = None,
    since_last: bool = False,
    out_root: Path | None = None,
    progress: Progress | None = None,
    client: LabelStudio | None = None,
    url: str | None = None,
    project_prefix: str = ls_projects.PROJECT_PREFIX,
    server_paths: ls_server.ServerPaths | None = None,
    drafts: bool = False,
) -> PullReport:
    """Export each goldkit project, convert every annotation and write one pull folder (atomically).

    On goldkit's embedded server (server_paths, default the project's) the export copies Label Studio
    keeps of each export are removed afterwards. `drafts`: also pull the drafts into drafts.jsonl.
    """
    root = out_root or pulls_dir()
    base = latest_manifest(root) if since_last else None
    client = client or lsclient.connect(url)
    now = datetime.now(UTC)
    pull_id = new_pull_id(root, now)
    report = PullReport(pull_id, root / pull_id, now.isoformat(), lsclient.client_url(client), ls_version(client))
    report.drafts = drafts
    if base is not None:
        report.base, report.since = base["pull_id"], base.get("high_water") or base["time"]
    chosen = goldkit_projects(client, projects, project_prefix)
    emails: dict[int, str] = {}
    copies = ls_server.export_copies_dir(report.url, server_paths)
    before = set(copies.glob("*.json")) if copies is not None and copies.is_dir() else set()
    try:
        _sort_and_write(client, report, chosen, emails, progress, root, now)
    finally:
        if copies is not None:
            report.export_copies_removed = remove_export_copies(copies, before, [pid for pid, _ in chosen])
    return report


def remove_export_copies(folder: Path, before: set[Path], project_ids: Sequence[int]) -> int:
    """Remove the copies the server made of this pull's exports (new `project-<id>-at-*.json` files)."""
    removed = 0
    for path in set(folder.glob("*.json")) - before if folder.is_dir() else set():
        if any(path.name.startswith(f"project-{pid}-at-") for pid in project_ids):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _sort_and_write(
    client: LabelStudio,
    report: PullReport,
    chosen: list[tuple[int, str]],
    emails: dict[int, str],
    progress: Progress | None,
    root: Path,
    now: datetime,
) -> None:
    started = lsexport.server_clock(client)  # the mark never passes it: what changes while exporting comes again
    since = _parse_time(report.since)
    since_last = SinceLast(root, since) if since is not None else None
    seen_before = since_last.seen_before if since_last is not None else None
    with rare_collections():  # many small acyclic containers are made and dropped while converting
        exports = _exports(client, chosen, emails, progress, report.drafts, since_last)
        out = sort_annotations(
            report, exports, emails=emails, since=since, documents=_documents(), seen_before=seen_before
        )
        count_unexported(report, out, since_last.unexported if since_last is not None else {})
        report_deleted(report, out, root)
    report.high_water = capped_mark(report.high_water, started)
    for project_id in report.text_changed_tasks:  # the next push lists the project again and sees the conflict
        task_index.forget(client, project_id)
    reconcile(report, out)
    write_pull_unique(report, out, root, now)
