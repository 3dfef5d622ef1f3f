"""`goldkit status`: where the campaign stands per language and annotator, without exporting anything."""

from __future__ import annotations

import typer
from rich.table import Table

from goldkit.cli.options import JsonOption, ProjectPrefixOption, UrlOption
from goldkit.cli.output import console, show
from goldkit.labelstudio.projects import configured_prefix
from goldkit.status import CampaignStatus, status


def register(app: typer.Typer) -> None:
    app.command("status")(status_cli)


def _f1(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _print(report: CampaignStatus) -> None:
    table = Table(title=f"Campaign at {report.url}", title_justify="left")
    for column in ("language", "tasks", "overlap", "done", "started", "not started", "submitted", "skipped", "to go"):
        table.add_column(column, justify="left" if column == "language" else "right")
    for s in report.languages:
        p = s.progress
        table.add_row(
            s.language, str(p.tasks), str(p.overlap), str(p.tasks_done), str(p.tasks_started - p.tasks_done),
            str(p.tasks_not_started), str(p.annotations), str(p.skipped), str(p.annotations_to_go),
        )  # fmt: skip
    console.print(table)
    people = Table(title="Annotators (tasks submitted or skipped; last activity on the server)", title_justify="left")
    for column in ("language", "annotator", "tasks", "last activity"):
        people.add_column(column, justify="right" if column == "tasks" else "left")
    for s in report.languages:
        for who in s.progress.annotators:
            people.add_row(s.language, who.email, str(who.tasks), who.last_activity or "—")
    console.print(people if people.rows else "no annotations yet")
    if report.pull is None:
        console.print("agreement: no pull yet → pull the annotations with: goldkit pull")
        return
    for s in report.languages:
        a = s.agreement
        if a is None or not a.span_f1:
            shared = f"{a.multi_annotated} of {a.documents} documents" if a else "no documents"
            console.print(f"agreement {s.language}: not yet ({shared} with two annotators in the pull)")
            continue
        scores = ", ".join(f"{layer} {_f1(m.get('exact'))}/{_f1(m.get('overlap'))}" for layer, m in a.span_f1.items())
        console.print(
            f"agreement {s.language} (span F1 exact/overlap, {a.multi_annotated} documents): {scores}", highlight=False
        )
    console.print(f"as of pull {report.pull['pull_id']} — details: goldkit agree", highlight=False)


def status_cli(
    url: str | None = UrlOption,
    project_prefix: str | None = ProjectPrefixOption,
    as_json: bool = JsonOption,
) -> None:
    """Show per language: tasks done, started and not started toward the overlap, submitted and skipped
    annotations, each annotator's tasks and last activity, and the agreement of the newest pull.

    Reads Label Studio's counters (a few requests per project and annotator), never a full export.

    Example: goldkit status --json
    """
    project_prefix = configured_prefix(project_prefix)
    report = status(url=url, project_prefix=project_prefix)
    show(report.to_dict(), as_json, lambda: _print(report))
