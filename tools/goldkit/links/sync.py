"""Push link candidates to Label Studio linking projects and sort their answers into link records.

`push_links` proposes candidate pairs from per-document records (gold or pulled), builds link tasks,
and imports them into one linking project per (kind, source direction, target direction), found
again by title. It is idempotent like the document push: tasks are keyed by `data.pair_id`, so a
second run imports nothing and new candidates are added. Overlap follows the document push's rule: a
new linking project gets `overlap` (default DEFAULT_OVERLAP), an existing one keeps its own unless
`overlap` is given, and then the report names the change (`overlap_before`).

`sort_link_tasks` turns one linking project's export into link records, quarantine entries (with the
raw answer and the reasons) and counts that reconcile: annotations = valid + quarantined + cancelled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from goldkit.config import stamp_roster
from goldkit.errors import NotFound, ReconcileError
from goldkit.jsonio import dumps, jsonl_text, write_folder
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import task_index
from goldkit.labelstudio.projects import PROJECT_PREFIX, link_project_title, links_title_prefix
from goldkit.links import candidates as ranking
from goldkit.links.candidates import CandidateReport, PairEnds, candidate_pairs
from goldkit.links.tasks import (
    LinkTask,
    answer_to_link,
    build_tasks,
    link_instructions,
    link_label_config,
)
from goldkit.paths import LINKS_FILE, MANIFEST_FILE, QUARANTINE_FILE, link_pulls_dir
from goldkit.push import DEFAULT_OVERLAP
from goldkit.schema.validate import validate_record

if TYPE_CHECKING:  # the SDK is heavy to import: only for type checking here
    from label_studio_sdk import LabelStudio

    from goldkit.pull import PullReport

IMPORT_BATCH = 250
Progress = Callable[[int, int | None], None]


@dataclass
class LinkProjectPush:
    title: str
    project_id: int | None
    created: bool = False
    imported: int = 0
    unchanged: int = 0
    overlap: int | None = None  # the project's maximum_annotations after this push (None: not created, dry run)
    overlap_before: int | None = None  # what it was, when this push changed it (asked with overlap=...)


@dataclass
class LinkPushReport:
    url: str
    dry_run: bool
    candidates: CandidateReport
    projects: list[LinkProjectPush] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return sum(p.imported for p in self.projects)

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "dry_run": self.dry_run,
            "groups": self.candidates.groups,
            "candidates": len(self.candidates.candidates),
            "answered_before": len(self.candidates.answered),
            "min_score": self.candidates.min_score,
            "per_mention": self.candidates.per_mention,
            "compared_event_pairs": self.candidates.compared_event_pairs,
            "compared_claim_pairs": self.candidates.compared_claim_pairs,
            "imported": self.imported,
            "projects": [p.__dict__ for p in self.projects],
        }


def find_by_title(client: LabelStudio, title: str) -> Any | None:
    """Return the one project with exactly this title, or None; two is a conflict the user must settle."""
    hint = "rename or delete the extra ones in Label Studio, then run: goldkit push --links"
    return lsclient.projects_by_title(client, [title], hint=hint)[title]


def push_links(
    records: Iterable[Mapping[str, Any]],
    documents: Mapping[str, Mapping[str, Any]],
    *,
    overlap: int | None = None,
    dry_run: bool = False,
    client: LabelStudio | None = None,
    progress: Progress | None = None,
    project_prefix: str = PROJECT_PREFIX,
    min_score: float = ranking.MIN_SCORE,
    per_mention: int | None = ranking.PER_MENTION,
    answered: Iterable[PairEnds] = (),
) -> LinkPushReport:
    """Propose candidate pairs and import the new ones as link tasks, one project per kind and directions.

    `answered`: pairs answered before (the gold links, earlier rounds' pulls: goldkit.links.rounds), never
    asked again, whatever server they were answered on; `min_score` and `per_mention` rank this round's pairs.
    """
    by_doc = {r["document_id"]: dict(r) for r in records}
    candidates = candidate_pairs(by_doc.values(), min_score=min_score, per_mention=per_mention, answered=set(answered))
    grouped: dict[tuple[str, str, str], list[LinkTask]] = defaultdict(list)
    for task in build_tasks(candidates.candidates, by_doc, documents):
        grouped[(task.kind, task.source_dir, task.target_dir)].append(task)
    client = client or lsclient.connect()
    report = LinkPushReport(lsclient.client_url(client), dry_run, candidates)
    done, total = 0, sum(len(t) for t in grouped.values())
    for (kind, source_dir, target_dir), tasks in sorted(grouped.items()):
        title = link_project_title(kind, source_dir, target_dir, project_prefix)
        project = find_by_title(client, title)
        plan = LinkProjectPush(title, project.id if project else None, created=project is None)
        existing = _existing_pairs(client, plan.project_id) if plan.project_id else set()
        new = [t for t in tasks if t.data["pair_id"] not in existing]
        plan.imported, plan.unchanged = len(new), len(tasks) - len(new)
        report.projects.append(plan)
        if project is not None:
            _keep_or_change_overlap(client, project, plan, overlap, dry_run)
        else:
            plan.overlap = DEFAULT_OVERLAP if overlap is None else overlap
        if dry_run or not new:
            continue
        if plan.project_id is None:
            config = link_label_config(kind, source_dir, target_dir)
            with lsclient.errors_mapped(client, what=f"create project {title!r}"):
                plan.project_id = client.projects.create(
                    title=title,
                    label_config=config,
                    maximum_annotations=plan.overlap,
                    expert_instruction=link_instructions(kind, source_dir, target_dir),
                    show_instruction=True,
                ).id
        for start in range(0, len(new), IMPORT_BATCH):
            batch = [{"data": t.data} for t in new[start : start + IMPORT_BATCH]]
            with lsclient.errors_mapped(client, what=f"import link tasks into project {plan.project_id}"):
                client.projects.import_tasks(id=cast(int, plan.project_id), request=cast(Any, batch))
            done += len(batch)
            if progress:
                progress(done, total)
    return report


def _keep_or_change_overlap(
    client: LabelStudio, project: Any, plan: LinkProjectPush, overlap: int | None, dry_run: bool
) -> None:
    """An existing linking project keeps its overlap unless one is asked for; a change is reported."""
    current = getattr(project, "maximum_annotations", None)
    plan.overlap = current if overlap is None else overlap
    if overlap is None or overlap == current:
        return
    plan.overlap_before = current
    if not dry_run:
        with lsclient.errors_mapped(client, what=f"update project {project.id}", project_id=project.id):
            client.projects.update(id=project.id, maximum_annotations=overlap)


def _existing_pairs(client: LabelStudio, project_id: int) -> set[str]:
    return {t["data"].get("pair_id") for t in task_index.existing_tasks(client, project_id) if t.get("data")}


def link_projects(client: LabelStudio, project_prefix: str = PROJECT_PREFIX) -> list[tuple[int, str]]:
    """(id, title) of every linking project on the server whose title starts with the prefix's."""
    return [(p["id"], p["title"]) for p in _listed_link_projects(client, project_prefix)]


def _listed_link_projects(client: LabelStudio, project_prefix: str) -> list[dict[str, Any]]:
    """id, title and creation time of each linking project: the creation time tells a fresh server's project 1
    from an earlier server's (goldkit.links.rounds)."""
    start = links_title_prefix(project_prefix)
    with lsclient.errors_mapped(client, what="list projects"):
        listed = cast(Any, client.projects.list())
        found = [p for p in listed if (p.title or "").startswith(start)]
    return sorted(({"id": p.id, "title": p.title, "created_at": _created(p)} for p in found), key=lambda p: p["id"])


def _created(project: Any) -> str:
    created: Any = getattr(project, "created_at", None)
    return str(created.isoformat() if hasattr(created, "isoformat") else created)


@dataclass
class LinkSort:
    links: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    annotations: int = 0
    cancelled: int = 0

    def balanced(self) -> bool:
        return self.annotations == len(self.links) + len(self.quarantine) + self.cancelled


def sort_link_tasks(project_id: int, tasks: Iterable[Mapping[str, Any]], emails: Mapping[int, str]) -> LinkSort:
    """Turn a linking project's exported tasks into link records and quarantine entries; count everything."""
    from goldkit.pull import with_email

    out = LinkSort()
    for task in tasks:
        for annotation in task.get("annotations") or []:
            out.annotations += 1
            if annotation.get("was_cancelled"):
                out.cancelled += 1
                continue
            annotation = with_email(annotation, emails)
            record, problems = answer_to_link({**task, "project": project_id}, annotation)
            if record is not None:
                problems = validate_record(record, location=f"project {project_id} task {task.get('id')}")
            if record is None or problems:
                out.quarantine.append(
                    {
                        "project_id": project_id,
                        "task_id": task.get("id"),
                        "annotation_id": annotation.get("id"),
                        "reasons": [p.to_dict() for p in problems],
                        "annotation": annotation,
                    }
                )
            else:
                out.links.append(record)
    return out


def pull_links(
    *,
    out_root: Path | None = None,
    client: LabelStudio | None = None,
    url: str | None = None,
    project_prefix: str = PROJECT_PREFIX,
) -> PullReport:
    """Export every linking project and write link records, quarantine and a manifest in one new folder.

    Counts reconcile per project (annotations = valid + quarantined + cancelled) or nothing is written.
    """
    from goldkit.pull import ProjectCounts, PullReport, ls_version, new_pull_id, user_emails

    root = out_root or link_pulls_dir()
    client = client or lsclient.connect(url)
    now = datetime.now(UTC)
    pull_id = new_pull_id(root, now)
    report = PullReport(pull_id, root / pull_id, now.isoformat(), lsclient.client_url(client), ls_version(client))
    listed = _listed_link_projects(client, project_prefix)
    projects = [(p["id"], p["title"]) for p in listed]
    if not projects:
        raise NotFound(
            f"no linking projects at {report.url}", hint="push link candidates first with: goldkit push --links"
        )
    emails = user_emails(client)
    links: list[dict[str, Any]] = []
    quarantine: list[dict[str, Any]] = []
    for project_id, title in projects:
        tasks = lsclient.export_project_json(client, project_id)
        out = sort_link_tasks(project_id, tasks, emails)
        counts = ProjectCounts(project_id, title, len(tasks), out.annotations, len(out.links), len(out.quarantine))
        counts.cancelled = out.cancelled
        report.projects.append(counts)
        report.reasons.update(r.get("message", "").split(": ", 1)[-1] for q in out.quarantine for r in q["reasons"])
        if not out.balanced():
            raise ReconcileError(
                f"link pull {pull_id}: project {project_id} does not add up", manifest=report.manifest()
            )
        links += out.links
        quarantine += out.quarantine
    stamp_roster(links)  # what made each answer, as goldkit.toml's [annotators] declares it
    manifest = {**report.manifest(), "kind": "links", "server": {"projects": listed}}
    write_folder(
        report.folder,
        {
            LINKS_FILE: jsonl_text(sorted(links, key=lambda r: (r["id"], r["provenance"]["annotator"]))),
            QUARANTINE_FILE: jsonl_text(sorted(quarantine, key=lambda q: (q["task_id"], q["annotation_id"]))),
            MANIFEST_FILE: dumps(manifest),
        },
    )
    return report
