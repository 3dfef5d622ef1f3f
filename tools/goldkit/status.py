"""Where the campaign stands, per language: Label Studio's counters now, agreement as of the newest pull.

Progress comes from `labelstudio.progress` (counters and counts, no export: cheap on a big project);
agreement so far is span F1 (pooled over annotator pairs, every label) on the current pulled records
(`pulls.current_records`: the newest pull over its since-last chain), per project.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from goldkit.agreement.spans import ALL_LABELS, POOLED, agree, build_study
from goldkit.errors import InputError, NotFound
from goldkit.generate import render
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import progress
from goldkit.labelstudio import projects as ls_projects
from goldkit.matching import MATCH_MODES
from goldkit.pulls import current_records, latest_manifest

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio


@dataclass
class Agreement:
    """Span F1 so far for one project, from the pulled records."""

    pull_id: str
    documents: int  # documents with a record in the pull
    multi_annotated: int  # of which annotated by two or more
    span_f1: dict[str, dict[str, float | None]] = field(default_factory=dict)  # layer -> mode -> pooled F1


@dataclass
class LanguageStatus:
    language: str
    progress: progress.ProjectProgress
    agreement: Agreement | None

    def to_dict(self) -> dict[str, Any]:
        agreement = self.agreement.__dict__ if self.agreement else None
        return {"language": self.language, **self.progress.to_dict(), "agreement": agreement}


@dataclass
class CampaignStatus:
    url: str
    languages: list[LanguageStatus]
    pull: dict[str, Any] | None  # the newest pull: id and time
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "pull": self.pull,
            "seconds": self.seconds,
            "languages": [s.to_dict() for s in self.languages],
        }


def agreement_of(records: list[dict[str, Any]], project_id: int, pull_id: str) -> Agreement | None:
    """Pooled span F1 on one project's records; None when no document has two annotators yet."""
    mine = [r for r in records if (r.get("provenance") or {}).get("ls_project") == project_id]
    if not mine:
        return None
    study = build_study(mine)
    summary = Agreement(pull_id, len(study.docs), len(study.multi_annotated()))
    if not summary.multi_annotated:
        return summary
    report = agree(study, ["span_f1"], MATCH_MODES)
    for row in report.rows("span_f1"):
        if row.pair == POOLED and row.label == ALL_LABELS:
            summary.span_f1.setdefault(row.layer, {})[row.mode] = row.f1
    return summary


def status(
    *,
    client: LabelStudio | None = None,
    url: str | None = None,
    pulls_root: Path | None = None,
    project_prefix: str = ls_projects.PROJECT_PREFIX,
) -> CampaignStatus:
    """Read each language's project counters from Label Studio and the agreement of the newest pull."""
    began = time.perf_counter()
    client = client or lsclient.connect(url)
    found = {language: ls_projects.find_project(client, language, project_prefix) for language in render.languages()}
    projects = {language: p for language, p in found.items() if p is not None}
    if not projects:
        raise NotFound(
            f"no goldkit projects at {lsclient.client_url(client)} "
            f"(titles like {ls_projects.project_title(render.languages()[0], project_prefix)!r})",
            hint="push the documents first with: goldkit push",
        )
    manifest = latest_manifest(pulls_root)
    try:
        records = current_records(pulls_root) if manifest else []
    except (InputError, FileNotFoundError):
        records = []
    users = progress.last_activity(client)
    languages = []
    for language, project in projects.items():
        counted = progress.project_progress(client, int(project.id), users)
        agreement = agreement_of(records, int(project.id), manifest["pull_id"]) if manifest else None
        languages.append(LanguageStatus(language, counted, agreement))
    pull = {"pull_id": manifest["pull_id"], "time": manifest["time"]} if manifest else None
    return CampaignStatus(lsclient.client_url(client), languages, pull, time.perf_counter() - began)
