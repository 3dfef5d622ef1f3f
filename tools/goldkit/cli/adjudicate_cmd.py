"""`goldkit adjudicate`: annotators' records -> gold records, with rejected and unresolved lists."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from goldkit.adjudicate import review
from goldkit.adjudicate.strategies import STRATEGIES, AdjudicationReport, adjudicate, write_gold
from goldkit.agreement.spans import build_study
from goldkit.cli.output import JsonOption, console, emit_json
from goldkit.errors import InputError
from goldkit.ingest.documents import load_documents
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import projects
from goldkit.paths import documents_path
from goldkit.pulls import records_from

StrategyName = Enum("StrategyName", {name: name for name in STRATEGIES}, type=str)  # type: ignore[misc]

_SOURCES = typer.Argument(None, help="Pull folder(s) or record files; default: the newest pull.")
_STRATEGY = typer.Option(..., "--strategy", "-s", help="How disagreements are settled.")
_MIN_VOTES = typer.Option(
    None, "--min-votes", "-k", min=1, help="majority: votes a span needs (default n//2+1, at least 2)."
)
_OUT = typer.Option(None, "--out", help="Folder for gold records (default: annotations/gold).")
_FORCE = typer.Option(False, "--force", help="Replace gold records that differ from the new ones.")
_ALL = typer.Option(False, "--all", help="review: send every document, not only those majority leaves unresolved.")
_COLLECT = typer.Option(
    False, "--collect", help="review: write the reviewers' submissions (pulled with goldkit pull) as gold."
)
_URL = typer.Option(None, "--url", help="review: Label Studio URL (default: $LABEL_STUDIO_URL or embedded).")
_PREFIX = typer.Option(
    None,
    "--project-prefix",
    help="review: projects are titled '<prefix>-review · <language>' (default: goldkit.toml [labelstudio] "
    "project_prefix, else 'goldkit').",
)


def _print(report: AdjudicationReport) -> None:
    table = Table(title=f"Adjudication ({report.strategy})")
    for col in ("document", "annotators", "gold items", "rejected", "unresolved"):
        table.add_column(col)
    for d in report.documents:
        table.add_row(
            d.document_id, ", ".join(d.annotators), str(len(d.items)), str(len(d.rejected)), str(len(d.unresolved))
        )
    console.print(table)
    if report.unresolved:
        table = Table(title="Unresolved: settle these in Label Studio or with another strategy")
        for col in ("document", "layer", "span", "field", "votes"):
            table.add_column(col)
        for u in report.unresolved:
            span = f"{u['span']['start']}-{u['span']['end']} {u['span']['text']!r}"
            votes = "; ".join(f"{value}: {', '.join(who)}" for value, who in u["votes"].items())
            table.add_row(u["document_id"], u["layer"], span, u["field"], votes)
        console.print(table)
    for path in report.written:
        console.print(f"wrote {path}", highlight=False)
    if report.sidecars:
        console.print(f"votes and unresolved list: {Path(report.sidecars[-1]).parent}", highlight=False)


def _print_review(sent: review.ReviewPush) -> None:
    table = Table(title="Review projects: documents added / already there, annotators' versions added")
    table.add_column("project", no_wrap=True)
    for col in ("id", "created", "added", "there", "versions"):
        table.add_column(col)
    for p in sent.projects:
        row = (p.title, p.project_id, "yes" if p.created else "no", len(p.imported), len(p.unchanged))
        table.add_row(*map(str, row), str(p.predictions_imported))
    console.print(table)
    for doc_id, annotators in sent.documents.items():
        console.print(f"{doc_id}: versions of {', '.join(annotators)}", highlight=False)
    console.print(f"next: {review.NEXT_STEPS}", highlight=False)


def adjudicate_cli(
    sources: list[Path] = _SOURCES,
    strategy: StrategyName = _STRATEGY,
    min_votes: int | None = _MIN_VOTES,
    out: Path | None = _OUT,
    force: bool = _FORCE,
    all_documents: bool = _ALL,
    collect: bool = _COLLECT,
    url: str | None = _URL,
    project_prefix: str | None = _PREFIX,
    links: bool = typer.Option(
        False,
        "--links",
        help="Adjudicate cross-document links (majority per pair) into annotations/gold/links.jsonl: "
        "every link round's answers (each server's newest link pull), or the given pulls.",
    ),
    drafts: bool = typer.Option(
        False,
        "--drafts",
        help="Count drafts pulled with `goldkit pull --drafts` as votes, for annotators who "
        "submitted nothing on a document (never otherwise).",
    ),
    as_json: bool = JsonOption,
) -> None:
    """Settle annotators' disagreements into gold records (annotations/gold/<document_id>.json).

    `--strategy review` sends the documents majority leaves unresolved (or --all) to Label Studio review
    projects, each annotator's version a prediction; after the reviewers submit, `goldkit pull` and
    `goldkit adjudicate --strategy review --collect` write their answers as gold.

    Example: goldkit adjudicate --strategy majority --min-votes 2
    Example: goldkit adjudicate --links --strategy majority
    """
    if links:
        if strategy.value != "majority":
            raise InputError("links are adjudicated by majority", hint="goldkit adjudicate --links --strategy majority")
        from goldkit.cli.links_cmd import adjudicate_links_cli

        return adjudicate_links_cli(list(sources or []), min_votes, out, force, as_json)
    if (collect or all_documents) and strategy.value != review.STRATEGY:
        raise InputError("--collect and --all belong to --strategy review", hint="goldkit adjudicate --strategy review")
    _, records = records_from(list(sources or []), drafts=drafts)
    if collect:
        report = review.collect(records, load_documents() if documents_path().is_file() else {})
        write_gold(report, out, force=force)
        return emit_json(report.to_dict()) if as_json else _print(report)
    study = build_study(records)
    report = adjudicate(study, strategy.value, min_votes)
    write_gold(report, out, force=force)
    if strategy.value == review.STRATEGY:
        sent = review.push_review(report, study.docs, load_documents(),
                                  all_documents=all_documents, client=lsclient.connect(url),
                                  project_prefix=projects.configured_prefix(project_prefix))  # fmt: skip
        if as_json:
            return emit_json({**report.to_dict(), "review": sent.to_dict()})
        _print(report)
        return _print_review(sent)
    if as_json:
        emit_json(report.to_dict())
    else:
        _print(report)


def register(app: typer.Typer) -> None:
    app.command("adjudicate")(adjudicate_cli)
