"""`goldkit validate PATH…`: check document, annotation and link records; list every problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from goldkit.cli.output import JsonOption, console, progress_bar, show
from goldkit.schema.validate import ValidationReport, validate_paths

MAX_CELL = 80  # characters of a got/expected value shown in the table; --json has them whole


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _summary(report: ValidationReport) -> str:
    counts = ", ".join(f"{count} {record_type}(s)" for record_type, count in report.checked.items())
    return f"checked {counts} in {report.files} file(s): {len(report.problems)} problem(s)"


def _print_report(report: ValidationReport) -> None:
    if report.problems:
        table = Table(show_lines=False, header_style="bold")
        table.add_column("location", overflow="fold")
        table.add_column("pointer", no_wrap=True)  # copy-pasted into editors and jq: keep it whole
        for column in ("message", "got", "expected"):
            table.add_column(column, overflow="fold", ratio=2 if column == "message" else 1)
        for problem in report.problems:
            table.add_row(
                problem.path or "", problem.pointer or "/", problem.message, _cell(problem.got), _cell(problem.expected)
            )
        console.print(table)
    mark = "[green]✓[/]" if report.ok else "[red]✗[/]"
    console.print(f"{mark} {_summary(report)}", highlight=False)


PathsArgument = typer.Argument(..., help="Record files (.json object or list, .jsonl) or folders to walk.")
DocumentsOption = typer.Option(
    None, "--documents", help="Document records (JSONL); default: annotations/documents.jsonl."
)


def validate_cli(
    paths: list[Path] = PathsArgument,
    documents: Path | None = DocumentsOption,
    as_json: bool = JsonOption,
) -> None:
    """Check records against the schema and their documents; exit 1 if any problem is found.

    Structure comes from schema/goldkit.schema.json; meaning: offsets and span text against the
    document text, document_sha256, references (arguments, claimants, events, link ends), argument
    roles per event type, unique ids, schema version, evidence for verdicts.

    Example: goldkit validate annotations/gold/ --documents annotations/documents.jsonl
    """
    with progress_bar("validating", enabled=not as_json) as progress:
        report = validate_paths(paths, documents_path=documents, progress=progress)
    show(report.to_dict(), as_json, lambda: _print_report(report))
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `goldkit validate` to the CLI."""
    app.command("validate")(validate_cli)
