"""`goldkit pull`: Label Studio annotations -> annotations/pulls/<pull-id>/, with a summary table."""

from __future__ import annotations

from typing import Annotated

import typer

from goldkit.cli.output import JsonOption, console, emit_json, progress_bar
from goldkit.cli.reports import summary_table
from goldkit.labelstudio import projects
from goldkit.pull import pull

ProjectOption = Annotated[
    list[int] | None,
    typer.Option("--project", metavar="ID", help="Pull only this Label Studio project id (repeatable)."),
]


def register(app: typer.Typer) -> None:
    app.command("pull")(pull_cli)


def pull_cli(
    since_last: bool = typer.Option(
        False, "--since-last", help="Only annotations created or updated since the previous pull (its base)."
    ),
    project: ProjectOption = None,
    url: str | None = typer.Option(None, "--url", help="Label Studio URL (default: $LABEL_STUDIO_URL or embedded)."),
    project_prefix: str = typer.Option(
        projects.PROJECT_PREFIX, "--project-prefix", help="Projects are titled '<prefix> · <language>'."
    ),
    links: bool = typer.Option(
        False, "--links", help="Pull the linking projects' answers instead (annotations/pulls/links/<id>/)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Export every goldkit project and write valid records, quarantined annotations and a manifest.

    Nothing is dropped: an annotation that cannot become a valid record goes to quarantine.jsonl with
    its reasons and the raw annotation; cancelled ones are counted. If the counts do not add up to
    what Label Studio reports, nothing is written.

    Example: goldkit pull --since-last
    Example: goldkit pull --links
    """
    if links:
        from goldkit.cli.links_cmd import pull_links_cli

        return pull_links_cli(url, project_prefix, as_json)
    with progress_bar("exporting and converting", enabled=not as_json) as progress:
        report = pull(
            projects=project, since_last=since_last, progress=progress, url=url, project_prefix=project_prefix
        )
    if as_json:
        emit_json({"folder": str(report.folder), **report.manifest()})
        return
    console.print(summary_table(report))
    console.print(f"wrote {report.folder}", highlight=False, soft_wrap=True)
