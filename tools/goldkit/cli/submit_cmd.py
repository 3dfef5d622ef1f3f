"""`goldkit submit RECORDS --as EMAIL`: import an annotation pass made outside Label Studio."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from goldkit.cli.options import JsonOption, ProjectPrefixOption, UrlOption
from goldkit.cli.output import console, show
from goldkit.ingest.documents import load_documents
from goldkit.jsonio import read_records
from goldkit.labelstudio.submit import SubmitReport, submit
from goldkit.schema.validate import record_files


def register(app: typer.Typer) -> None:
    app.command("submit")(submit_cli)


def submit_cli(
    records: Annotated[Path, typer.Argument(help="A record file (.json, .jsonl) or a folder of them.")],
    account: str = typer.Option(..., "--as", help="The annotator account the annotations are made by."),
    review: bool = typer.Option(False, "--review", help="Submit to the review projects (a review round's answers)."),
    url: str | None = UrlOption,
    project_prefix: str = ProjectPrefixOption,
    as_json: bool = JsonOption,
) -> None:
    """Submit annotation records made outside Label Studio as one account's annotations, through the API.

    Each record becomes an annotation of its document's task, made with the account's own token (from
    the embedded server's credentials, as `goldkit server add-user` stored it), so Label Studio records
    who made it and `goldkit pull` reads it like browser work. Region ids are the records' ids. Every
    record is validated against its document first; nothing is submitted if one fails. A task the
    account already annotated is left alone and reported.

    Example: goldkit submit passes/A/ --as pass.a@goldkit.local
    Example: goldkit submit review-answers.jsonl --as adjudicator@goldkit.local --review
    """
    loaded = [pair for file in record_files([records]) for pair in read_records(file)]
    report = submit(loaded, account, load_documents(), url=url, project_prefix=project_prefix, review=review)
    show(report.to_dict(), as_json, lambda: _print(report))


def _print(report: SubmitReport) -> None:
    for doc_id, annotation in sorted(report.submitted.items()):
        console.print(f"{doc_id}: annotation {annotation} on task {report.tasks[doc_id]} as {report.account}")
    for doc_id, existing in sorted(report.already_there.items()):
        console.print(
            f"{doc_id}: {report.account} already annotated task {report.tasks[doc_id]} ({existing}); left alone"
        )
    console.print(f"submitted {len(report.submitted)}, already there {len(report.already_there)} → next: goldkit pull")
