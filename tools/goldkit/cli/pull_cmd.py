"""`goldkit pull`: Label Studio annotations -> annotations/pulls/<pull-id>/, with a summary table."""

from __future__ import annotations

from typing import Annotated

import typer

from goldkit.cli.options import JsonOption, ProjectPrefixOption, UrlOption
from goldkit.cli.output import progress_bar, show
from goldkit.cli.reports import print_summary
from goldkit.labelstudio.projects import configured_prefix
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
    url: str | None = UrlOption,
    project_prefix: str | None = ProjectPrefixOption,
    links: bool = typer.Option(
        False, "--links", help="Pull the linking projects' answers instead (annotations/pulls/links/<id>/)."
    ),
    drafts: bool = typer.Option(
        False,
        "--drafts",
        help="Also pull drafts (saved, never submitted) into drafts.jsonl; never used as gold "
        "unless adjudicate is given --drafts.",
    ),
    as_json: bool = JsonOption,
) -> None:
    """Export every goldkit project and write valid records, quarantined annotations and a manifest.

    Nothing is dropped: an annotation that cannot become a valid record goes to quarantine.jsonl with
    its reasons and the raw annotation; cancelled ones are counted. If the counts do not add up to
    what Label Studio reports, nothing is written. Tasks deleted in Label Studio or whose text changed,
    and annotations deleted on tasks that remain, are named in the manifest (and on screen); drafts
    are counted, and pulled with --drafts.

    Example: goldkit pull --since-last
    Example: goldkit pull --links
    Example: goldkit pull --drafts
    """
    project_prefix = configured_prefix(project_prefix)
    if links:
        from goldkit.cli.links_cmd import pull_links_cli

        return pull_links_cli(url, project_prefix, as_json)
    with progress_bar("exporting and converting", enabled=not as_json, in_logs=True) as progress:
        report = pull(
            projects=project,
            since_last=since_last,
            progress=progress,
            url=url,
            project_prefix=project_prefix,
            drafts=drafts,
        )
    show({"folder": str(report.folder), **report.manifest()}, as_json, lambda: print_summary(report))
