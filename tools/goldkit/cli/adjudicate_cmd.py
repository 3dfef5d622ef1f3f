"""`goldkit adjudicate`: annotators' records -> gold records, with rejected and unresolved lists."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from goldkit.adjudicate import STRATEGIES, AdjudicationReport, adjudicate, write_gold
from goldkit.agreement import build_study, latest_pull, load_records
from goldkit.cli.output import JsonOption, console, emit_json

StrategyName = Enum("StrategyName", {name: name for name in STRATEGIES}, type=str)  # type: ignore[misc]

_SOURCES = typer.Argument(None, help="Pull folder(s) or record files; default: the newest pull.")
_STRATEGY = typer.Option(..., "--strategy", "-s", help="How disagreements are settled.")
_MIN_VOTES = typer.Option(None, "--min-votes", "-k", min=1, help="majority: votes a span needs (default n//2+1).")
_OUT = typer.Option(None, "--out", help="Folder for gold records (default: annotations/gold).")
_FORCE = typer.Option(False, "--force", help="Replace gold records that differ from the new ones.")


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


def adjudicate_cli(
    sources: list[Path] = _SOURCES,
    strategy: StrategyName = _STRATEGY,
    min_votes: int | None = _MIN_VOTES,
    out: Path | None = _OUT,
    force: bool = _FORCE,
    as_json: bool = JsonOption,
) -> None:
    """Settle annotators' disagreements into gold records (annotations/gold/<document_id>.json).

    Example: goldkit adjudicate --strategy majority --min-votes 2
    """
    paths = list(sources) if sources else [latest_pull()]
    study = build_study(load_records(paths))
    report = adjudicate(study, strategy.value, min_votes)
    write_gold(report, out, force=force)
    if as_json:
        emit_json(report.to_dict())
    else:
        _print(report)


def register(app: typer.Typer) -> None:
    app.command("adjudicate")(adjudicate_cli)
