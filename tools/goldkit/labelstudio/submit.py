"""Import an annotation pass made outside Label Studio: each record becomes that account's annotation.

A pass written as goldkit records (offline, by a person or an AI assistant) goes into Label Studio
through the API under the annotator's own token, so Label Studio records who made it (`completed_by`)
and goldkit's pull, agreement and adjudication treat it like work done in the browser. Region ids are the
records' own ids (record_to_results keeps them), so gold made from the pass keeps the pass's ids.
Nothing is submitted unless every record validates against its document and has a task to go to; a task
the account already annotated is left alone and reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from goldkit.errors import ConfigError, NotFound, Problem, ValidationError
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import projects as ls_projects
from goldkit.labelstudio import server
from goldkit.labelstudio.convert import record_to_results
from goldkit.labelstudio.task_index import existing_tasks
from goldkit.schema.validate import validate_record

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio


@dataclass
class SubmitReport:
    """What submit did per document: the annotation made, or why none was."""

    account: str
    url: str
    submitted: dict[str, int] = field(default_factory=dict)  # doc id -> new annotation id
    already_there: dict[str, list[int]] = field(default_factory=dict)  # doc id -> the account's annotation ids
    tasks: dict[str, int] = field(default_factory=dict)  # doc id -> task id

    def to_dict(self) -> dict[str, Any]:
        return {"account": self.account, "url": self.url, "submitted": self.submitted,
                "already_there": self.already_there, "tasks": self.tasks}  # fmt: skip


def account_token(email: str, paths: server.ServerPaths | None = None) -> str:
    """The API token of an annotator account goldkit created (`goldkit server add-user`), from the credentials."""
    credentials = server.load_credentials(paths)
    found = [a for a in (credentials.annotators if credentials else []) if a.email == email]
    if not found or not found[0].token:
        raise ConfigError(
            f"no API token for {email} in the embedded server's credentials",
            got=email,
            hint=f"create the account first with: goldkit server add-user {email}",
        )
    return found[0].token


def _plan(records: Sequence[tuple[str, Any]], documents: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Check every record (schema, offsets, its document); return them by document id or raise for all."""
    problems, by_doc = [], {}
    for location, record in records:
        doc_id = record.get("document_id") if isinstance(record, dict) else None
        document = documents.get(str(doc_id))
        found = validate_record(record, dict(document) if document else None, location=location)
        if document is None:
            found.append(Problem("/document_id", "no such document in documents.jsonl", doc_id, path=location))
        if str(doc_id) in by_doc:
            found.append(Problem("/document_id", "a second record of this document", doc_id, path=location))
        problems += found
        if not found:
            by_doc[str(doc_id)] = record
    if problems:
        raise ValidationError(f"{len(problems)} problem(s) in the records to submit; nothing was submitted", problems)
    return by_doc


def _task_ids(admin: LabelStudio, languages: set[str], prefix: str, review: bool) -> dict[str, int]:
    tasks: dict[str, int] = {}
    title_prefix = ls_projects.review_prefix(prefix) if review else prefix
    for language in sorted(languages):
        project = ls_projects.find_project(admin, language, title_prefix)
        if project is None:
            title = ls_projects.project_title(language, title_prefix)
            raise NotFound(f"no Label Studio project titled {title!r}", hint="push the documents first: goldkit push")
        for task in existing_tasks(admin, int(project.id)):
            doc_id = (task.get("data") or {}).get("doc_id")
            if doc_id is not None:
                tasks.setdefault(str(doc_id), int(task["id"]))
    return tasks


def submit(
    records: Sequence[tuple[str, Any]],
    account: str,
    documents: Mapping[str, Mapping[str, Any]],
    *,
    url: str | None = None,
    project_prefix: str = ls_projects.PROJECT_PREFIX,
    review: bool = False,
    token: str | None = None,
) -> SubmitReport:
    """Submit each record as `account`'s annotation of its document's task (review project with review=True)."""
    by_doc = _plan(records, documents)
    admin = lsclient.connect(url)
    base = lsclient.client_url(admin)
    mine = lsclient.connect(base, token or account_token(account))
    report = SubmitReport(account, base)
    languages = {str(documents[d]["language"]) for d in by_doc}
    tasks = _task_ids(admin, languages, project_prefix, review)
    missing = sorted(d for d in by_doc if d not in tasks)
    if missing:
        raise NotFound(f"no task for document(s) {missing} in the project(s)", hint="push them first: goldkit push")
    with lsclient.errors_mapped(mine, what=f"read who {account} is"):
        me = mine.users.whoami().id
    for doc_id, record in sorted(by_doc.items()):
        task_id = report.tasks[doc_id] = tasks[doc_id]
        with lsclient.errors_mapped(mine, what=f"read the annotations of task {task_id}"):
            existing = [a for a in mine.annotations.list(id=task_id) if author_id(a) == me]
        if existing:
            report.already_there[doc_id] = sorted(int(a.id) for a in existing)
            continue
        with lsclient.errors_mapped(mine, what=f"submit {doc_id} to task {task_id} as {account}"):
            made = mine.annotations.create(id=task_id, result=record_to_results(record), lead_time=0)
        report.submitted[doc_id] = int(made.id)
    return report


def author_id(annotation: Any) -> int | None:
    """The user id of who made an annotation (the SDK gives an id or a user object)."""
    who = getattr(annotation, "completed_by", None)
    return who if isinstance(who, int) else getattr(who, "id", None)
