"""`goldkit init`: a dataset project of one's own (goldkit.toml, schema, folders, README)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from goldkit.cli.output import JsonOption, console, emit_json
from goldkit.scaffold import init_project

TargetArgument = Annotated[Path, typer.Argument(help="Folder of the new project (created if missing).")]
LanguagesOption = Annotated[
    str, typer.Option("--languages", help="Comma-separated language tags; one Label Studio project each.")
]
NameOption = Annotated[str | None, typer.Option("--name", help="Project name (default: the folder's name).")]


def init_cli(
    target: TargetArgument, languages: LanguagesOption = "en,ar", name: NameOption = None, as_json: bool = JsonOption
) -> None:
    """Create a goldkit project: goldkit.toml, schema/ (the default schema), corpus/, annotations/, export/.

    Every goldkit command run inside the folder (or below it) then works on that project.

    Example: goldkit init my-dataset --languages en,ar --name my-dataset
    """
    report = init_project(target, languages=[tag.strip() for tag in languages.split(",") if tag.strip()], name=name)
    if as_json:
        emit_json(
            {
                "root": str(report.root),
                "name": report.name,
                "languages": report.languages,
                "written": report.written,
                "untranslated": report.untranslated,
            }
        )
        return
    for rel in report.written:
        console.print(f"[green]wrote[/] {escape(rel)}", highlight=False)
    if report.untranslated:
        console.print(
            f"[yellow]note:[/] {len(report.untranslated)} title(s) show the language tag until translated in "
            f"schema/goldkit.l10n.json: {escape(', '.join(report.untranslated))}",
            highlight=False,
        )
    console.print(f"project {escape(report.name)!s} in {escape(str(report.root))}", highlight=False)
    console.print(
        f"→ next: cd {escape(str(target))} && copy articles into corpus/, then: goldkit ingest corpus/", highlight=False
    )


def register(app: typer.Typer) -> None:
    app.command("init")(init_cli)
