"""`goldkit report`: a static HTML report of a release or a pull (opens from disk, no server)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from goldkit.cli.options import ProjectPrefixOption, UrlOption
from goldkit.cli.output import JsonOption, console, emit_json
from goldkit.errors import GoldkitError


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
    url: str | None = UrlOption,
    project_prefix: str = ProjectPrefixOption,
    no_campaign: Annotated[
        bool, typer.Option("--no-campaign", help="Do not ask Label Studio for the campaign page.")
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """Write a static HTML report: each document's text with entities, events (trigger and arguments)
    and claims (attributes, claimant) drawn at their offsets, Arabic right-to-left, page furniture greyed;
    the cross-document links; an agreement page (α per attribute, F1 per label and pair); and for a pull
    with two annotators a page per document with them side by side. Annotators appear under the
    pseudonyms a release gives them (annotations/pseudonyms.json, never written here) unless --show-emails.
    When a Label Studio server answers (--url, $LABEL_STUDIO_URL or the embedded one), a campaign page shows
    progress per language and annotator (goldkit status); otherwise the index says why there is none.

    Example: goldkit report export/1.0.0 --out report/ && xdg-open report/index.html
    """
    from goldkit.pulls import newest_pull_folder
    from goldkit.release.build import resolve_release
    from goldkit.report.render import write_report
    from goldkit.report.source import load_source, pseudonymised_campaign

    if source is None:
        path = newest_pull_folder()
    elif Path(source).exists():
        path = Path(source)
    else:
        path = resolve_release(source)
    report = load_source(path, documents, show_emails=show_emails)
    campaign, note = (None, "not asked (--no-campaign)") if no_campaign else _campaign(url, project_prefix)
    if campaign is not None and not show_emails:
        campaign = pseudonymised_campaign(campaign)
    written = write_report(report, out, campaign, note)
    pages = [str(p) for p in written if p.suffix == ".html"]
    if as_json:
        emit_json({"source": str(path), "kind": report.kind, "out": str(out), "pages": pages, "campaign_note": note})
        return
    console.print(f"wrote {len(pages)} pages for {report.name} to {out}/ — open {out / 'index.html'}", highlight=False)
    if note:
        console.print(f"no campaign page: {note}", highlight=False)


def _campaign(url: str | None, project_prefix: str) -> tuple[dict[str, Any] | None, str | None]:
    """goldkit status's report as a dict, or why there is none (no server, no projects, no access)."""
    from goldkit.status import status

    try:
        return status(url=url, project_prefix=project_prefix).to_dict(), None
    except GoldkitError as e:
        return None, e.message


def register(app: typer.Typer) -> None:
    app.command("report")(report_cli)
