"""`goldkit push`: send ingested documents (and pre-annotations) to Label Studio."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from goldkit import paths
from goldkit.cli.options import JsonOption, ProjectPrefixOption, UrlOption
from goldkit.cli.output import console, err_console, progress_bar, show
from goldkit.errors import ConflictError
from goldkit.jsonio import read_records
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio.projects import configured_prefix
from goldkit.push import PushReport, push

if TYPE_CHECKING:
    from goldkit.links.sync import LinkPushReport

DocumentsOption = Annotated[
    Path | None, typer.Option("--documents", help="Document records (JSONL); default: annotations/documents.jsonl.")
]
PredictionsOption = Annotated[
    Path | None, typer.Option("--predictions", help="Pre-annotation records (a .json/.jsonl file or a folder).")
]
RecordsOption = Annotated[
    Path | None,
    typer.Option(
        "--records", help="With --links: annotation records to propose pairs from (default: annotations/gold/)."
    ),
]


def register(app: typer.Typer) -> None:
    app.command("push")(push_cli)


def _load(path: Path) -> list[dict[str, Any]]:
    if path.is_dir():
        return [record for file in sorted(path.glob("*.json*")) for record in _load(file)]
    return [record for _, record in read_records(path)]


def push_cli(
    documents: DocumentsOption = None,
    overlap: int | None = typer.Option(
        None,
        "--overlap",
        min=1,
        help="Annotators per task (maximum_annotations). New projects: default 2; an existing project's is "
        "changed only when given (push says so).",
    ),
    predictions: PredictionsOption = None,
    model_version: str | None = typer.Option(None, "--model-version", help="model_version for the predictions."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would happen; change nothing."),
    url: str | None = UrlOption,
    project_prefix: str | None = ProjectPrefixOption,
    links: bool = typer.Option(
        False, "--links", help="Push cross-document link candidates (from --records) to the linking projects."
    ),
    records: RecordsOption = None,
    min_score: float | None = typer.Option(
        None, "--min-score", help="With --links: ask pairs scoring this much (default: the ranking's cut, 0.40)."
    ),
    per_mention: int | None = typer.Option(
        None, "--per-mention", min=0, help="With --links: at most this many new pairs per mention (0: no cap)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Create one Label Studio project per language and import the documents not there yet.

    Running it again imports nothing; new articles are added; a document whose id exists with other
    text is reported as a conflict and left alone. With --links, goldkit proposes event and claim pairs
    across documents and imports them as link tasks (one project per kind and text directions); a pair
    already answered (in the gold links or any link pull, on any server) is never asked again, so a
    further round for pairs the ranking dropped is the same command with a lower --min-score.

    Example: goldkit push --overlap 2 --dry-run
    Example: goldkit push --links --records annotations/gold/
    Example: goldkit push --links --min-score 0.39 --dry-run
    """
    project_prefix = configured_prefix(project_prefix)
    if links:
        _push_links(documents, records, overlap, dry_run, url, project_prefix, as_json, (min_score, per_mention))
        return
    docs = _load(documents or paths.documents_path())
    preds = _load(predictions) if predictions else None
    client = lsclient.connect(url)
    with progress_bar("importing tasks", enabled=not as_json, in_logs=True) as progress:
        report = push(
            docs,
            overlap=overlap,
            predictions=preds,
            model_version=model_version,
            dry_run=dry_run,
            progress=progress,
            client=client,
            project_prefix=project_prefix,
        )
    show({**asdict(report), "imported": report.imported}, as_json, lambda: _print(report))
    if report.conflicts:
        raise ConflictError(
            f"{len(report.conflicts)} document(s) already in Label Studio with other text were left alone: "
            + ", ".join(f"{c.doc_id} (task {c.task_id})" for c in report.conflicts[:20]),
            hint="re-ingest so changed text gets a new id (goldkit ingest corpus/), then run: goldkit push",
            conflicts=report.conflicts,
        )


def _push_links(
    documents: Path | None,
    records: Path | None,
    overlap: int | None,
    dry_run: bool,
    url: str | None,
    project_prefix: str,
    as_json: bool,
    ranking: tuple[float | None, int | None],
) -> None:
    from goldkit.cli.links_cmd import answered_before
    from goldkit.ingest.documents import load_documents
    from goldkit.links import candidates
    from goldkit.links.sync import push_links

    source = records or paths.gold_dir()
    annotation_records = [r for r in _load(source) if r.get("record_type") == "annotation"]
    answered = answered_before()
    min_score, per_mention = ranking
    docs = load_documents(documents)
    client = lsclient.connect(url)
    with progress_bar("importing link tasks", enabled=not as_json, in_logs=True) as progress:
        report = push_links(
            annotation_records,
            docs,
            overlap=overlap,
            dry_run=dry_run,
            client=client,
            progress=progress,
            project_prefix=project_prefix,
            min_score=candidates.MIN_SCORE if min_score is None else min_score,
            per_mention=candidates.PER_MENTION if per_mention is None else (per_mention or None),
            answered=answered,
        )
    show(report.to_dict(), as_json, lambda: _print_links(report))


def _print_links(report: LinkPushReport) -> None:
    cands = report.candidates
    console.print(
        f"{len(cands.groups)} story group(s); compared {cands.compared_event_pairs} event and "
        f"{cands.compared_claim_pairs} claim pair(s); {len(cands.candidates)} candidate(s) "
        f"(score ≥ {cands.min_score:.2f}, ≤ {cands.per_mention or 'any'} per mention), "
        f"{len(cands.answered)} answered before and not asked again",
        highlight=False,
    )
    would = "would " if report.dry_run else ""
    for project in report.projects:
        if project.created:
            console.print(f"{project.title}: {would}create it, overlap {project.overlap}", highlight=False)
        if project.overlap_before is not None:
            console.print(
                f"{project.title}: {would}change overlap from {project.overlap_before} to {project.overlap} "
                "(--overlap)",
                highlight=False,
            )
        console.print(
            f"{project.title}: {would}import {project.imported}, {project.unchanged} already there "
            f"(overlap {project.overlap})",
            highlight=False,
        )
    if not report.dry_run:
        err_console.print(f"→ answer the link tasks at {report.url}, then run: goldkit pull --links")


def _print(report: PushReport) -> None:
    would = "would " if report.dry_run else ""
    for project in report.projects:
        where = f"project {project.project_id}" if project.project_id else "a new project"
        head = f"{project.title} ({where})"
        if project.created:
            console.print(f"{head}: {would}create it, overlap {project.overlap}", highlight=False)
        if project.config_changed:
            console.print(f"{head}: {would}update the labeling config", highlight=False)
        if project.overlap_before is not None:
            console.print(
                f"{head}: {would}change overlap from {project.overlap_before} to {project.overlap} (--overlap)",
                highlight=False,
            )
        others = [key for key in project.settings_changed if key != "maximum_annotations"]
        if others:
            console.print(f"{head}: {would}update {', '.join(others)}", highlight=False)
        console.print(
            f"{head}: {would}import {len(project.imported)} document(s), {len(project.unchanged)} already there, "
            f"{len(project.conflicts)} conflict(s), {project.predictions_imported} prediction(s) added",
            highlight=False,
        )
    if not report.dry_run:
        err_console.print(f"→ annotate at {report.url}, then run: goldkit pull")
