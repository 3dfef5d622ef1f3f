"""Where the campaign stands, per language: Label Studio's counters now, agreement as of the newest pull.

Progress comes from `labelstudio.progress` (counters and counts, no export: cheap on a big project);
agreement so far is span F1 (pooled over annotator pairs, every label) on the current pulled records
(`pulls.iter_current_records`: the newest pull over its since-last chain, read one document at a time, as
the span digests pull writes beside the records: labels and offsets only), per project. A pull folder
never changes once written, so that agreement is computed once per newest pull and kept in the state
folder (`.goldkit/status/`, keyed by the pulls folder and the pull id): a second `goldkit status` before
the next pull reads it back instead of reading every current record again (a cache goldkit may always
drop).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from goldkit.agreement.spans import ALL_LABELS, POOLED, SpanScore, add_pair_totals, build_study
from goldkit.errors import InputError, NotFound
from goldkit.generate import render
from goldkit.jsonio import atomic_write_text
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import progress
from goldkit.labelstudio import projects as ls_projects
from goldkit.matching import MATCH_MODES
from goldkit.paths import pulls_dir, state_dir
from goldkit.pulls import annotator_key, iter_current_records, latest_manifest
from goldkit.schema.records import SPAN_KEYS

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


def agreements_of(
    records: Iterable[dict[str, Any]], project_ids: Sequence[int], pull_id: str, modes: Sequence[str] = MATCH_MODES
) -> dict[int, Agreement | None]:
    """Pooled span F1 (every label) per project, from records in document order (as
    `pulls.iter_current_records` gives them), one document at a time: the same figures as `goldkit agree`'s
    pooled all-labels rows, without holding the records. None for a project with no record."""
    wanted = set(project_ids)
    seen: set[int] = set()
    documents: Counter[int] = Counter()
    multi: Counter[int] = Counter()
    totals: dict[int, dict[tuple[str, str], list[int]]] = {}  # project -> (layer, mode) -> [ref, pred, matched]
    previous: str | None = None
    for document, group in itertools.groupby(records, key=lambda r: str(r["document_id"])):
        if previous is not None and document <= previous:
            raise ValueError(f"records are not in document order: {document!r} after {previous!r}")
        previous = document
        mine: dict[int, list[dict[str, Any]]] = {}
        for record in group:
            project = (record.get("provenance") or {}).get("ls_project")
            if project in wanted:
                mine.setdefault(project, []).append(record)
        for project, held in mine.items():
            seen.add(project)
            for by in build_study(held).docs.values():
                documents[project] += 1
                if len(by) < 2:
                    continue
                multi[project] += 1
                add_pair_totals(totals.setdefault(project, {}), by, modes)
    found: dict[int, Agreement | None] = {}
    for project in project_ids:
        if project not in seen:
            found[project] = None
            continue
        summary = found[project] = Agreement(pull_id, documents[project], multi[project])
        for layer, mode in itertools.product(SPAN_KEYS, modes) if summary.multi_annotated else ():
            ref, pred, matched = totals.get(project, {}).get((layer, mode), (0, 0, 0))
            score = SpanScore(layer, ALL_LABELS, POOLED, mode, ref, pred, matched)
            summary.span_f1.setdefault(layer, {})[mode] = score.f1
    return found


def agreement_of(records: Sequence[dict[str, Any]], project_id: int, pull_id: str) -> Agreement | None:
    """Pooled span F1 on one project's records (in any order); None when it has no record."""
    return agreements_of(sorted(records, key=annotator_key), [project_id], pull_id)[project_id]


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
    agreements = pull_agreements(pulls_root, manifest, [int(p.id) for p in projects.values()]) if manifest else {}
    users = progress.last_activity(client)
    languages = []
    for language, project in projects.items():
        counted = progress.project_progress(client, int(project.id), users)
        languages.append(LanguageStatus(language, counted, agreements.get(int(project.id))))
    pull = {"pull_id": manifest["pull_id"], "time": manifest["time"]} if manifest else None
    return CampaignStatus(lsclient.client_url(client), languages, pull, time.perf_counter() - began)


CACHE_FORMAT = 1  # bump when what agreement_of computes changes: older cache files are then ignored


def _cache_path(pulls_root: Path | None, pull_id: str) -> Path:
    folder = str((pulls_root or pulls_dir()).resolve())
    return state_dir() / "status" / f"{hashlib.sha256(folder.encode()).hexdigest()[:16]}-{pull_id}.json"


def pull_agreements(
    pulls_root: Path | None, manifest: dict[str, Any], project_ids: list[int]
) -> dict[int, Agreement | None]:
    """Agreement per project as of the newest pull: from the cache when this pull's is there, else computed
    (every current record read once) and cached. A cache file that cannot be read or does not match is
    ignored, and one that cannot be written is skipped: the figures are the same either way."""
    pull_id = str(manifest["pull_id"])
    path = _cache_path(pulls_root, pull_id)
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if cached.get("format") == CACHE_FORMAT and cached.get("pull_id") == pull_id:
            found = cached["projects"]
            if all(str(p) in found for p in project_ids):
                return {p: Agreement(**found[str(p)]) if found[str(p)] else None for p in project_ids}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass
    try:
        agreements = agreements_of(iter_current_records(pulls_root, spans_only=True), project_ids, pull_id)
    except (InputError, FileNotFoundError):
        return {}
    body = {"format": CACHE_FORMAT, "pull_id": pull_id,
            "projects": {str(p): asdict(a) if a else None for p, a in agreements.items()}}  # fmt: skip
    with contextlib.suppress(OSError):  # a read-only state folder: status still answers, computing again next time
        atomic_write_text(path, json.dumps(body, sort_keys=True))
    return agreements
