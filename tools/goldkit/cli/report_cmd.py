"""`goldkit report`: a static HTML report of a release or a pull (opens from disk, no server)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from goldkit.cli.output import JsonOption, console, emit_json


def report_cli(
    source: Annotated[
        str | None,
        typer.Argument(help="A release (export/VERSION or a version) or a pull folder (default: newest pull)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the pages into.")] = Path("report"),
    documents: Annotated[
        Path | None,
        typer.Option("--documents", help="For a pull: ingested documents (default: annotations/documents.jsonl)."),
    ] = None,
    show_emails: Annotated[
        bool, typer.Option("--show-emails", help="Name a pull's annotators by account (default: annotator_N).")
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """Write a static HTML report: each document's text with entities, events (trigger and arguments)
    and claims (attributes, claimant) drawn at their offsets, Arabic right-to-left, page furniture greyed;
    the cross-document links; an agreement page (α per attribute, F1 per label and pair); and for a pull
    with two annotators a page per document with them side by side. Annotators appear under the
    pseudonyms a release gives them (annotations/pseudonyms.json, never written here) unless --show-emails.

    Example: goldkit report export/1.0.0 --out report/ && xdg-open report/index.html
    """
    from goldkit.pulls import newest_pull_folder
    from goldkit.release.build import resolve_release
    from goldkit.report.render import write_report
    from goldkit.report.source import load_source

    if source is None:
        path = newest_pull_folder()
    elif Path(source).exists():
        path = Path(source)
    else:
        path = resolve_release(source)
    report = load_source(path, documents, show_emails=show_emails)
    written = write_report(report, out)
    pages = [str(p) for p in written if p.suffix == ".html"]
    if as_json:
        emit_json({"source": str(path), "kind": report.kind, "out": str(out), "pages": pages})
        return
    console.print(f"wrote {len(pages)} pages for {report.name} to {out}/ — open {out / 'index.html'}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("report")(report_cli)
