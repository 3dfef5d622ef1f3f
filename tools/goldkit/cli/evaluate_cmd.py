"""`goldkit evaluate`: score a system's predictions against a release (the scorer shipped with the data)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from goldkit.cli.output import JsonOption, console, emit_json


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def print_scores(title: str, scores: list[Any]) -> None:
    """Table of Score rows (layer, label, mode, counts, P/R/F1); '—' where a figure is undefined."""
    table = Table(title=title)
    for column in ("layer", "label", "match", "gold", "pred", "matched", "P", "R", "F1"):
        table.add_column(column, justify="left" if column in ("layer", "label", "match") else "right")
    for s in scores:
        table.add_row(
            s.layer, s.label, s.mode, str(s.gold), str(s.predicted), str(s.matched),
            _fmt(s.precision), _fmt(s.recall), _fmt(s.f1),
        )  # fmt: skip
    console.print(table)


def _print(result: Any) -> None:
    meta = result.meta
    console.print(
        f"{meta['predictions']} ({meta['lines']} lines, {', '.join(meta['formats']) or 'empty'}) "
        f"against release {meta['version']} ({len(result.documents)} documents)",
        highlight=False,
    )
    print_scores("spans", result.spans)
    if result.arguments:
        print_scores("event arguments (trigger matched, same role, entity span matched)", result.arguments)
    table = Table(title="attributes over matched spans")
    for column in ("layer", "attribute", "match", "pairs", "accuracy", "macro-F1"):
        table.add_column(column, justify="left" if column in ("layer", "attribute", "match") else "right")
    for a in result.attributes:
        table.add_row(a.layer, a.attribute, a.mode, str(a.pairs), _fmt(a.accuracy), _fmt(a.macro_f1))
    console.print(table)
    if result.links:
        print_scores("cross-document links (unordered mention pairs, exact spans)", result.links)
    if result.coreference:
        coref = result.coreference
        table = Table(title=f"event coreference ({coref['mentions']['gold']} gold / {coref['mentions']['predicted']} "
                            "predicted mentions, singletons included)")  # fmt: skip
        for column in ("metric", "R", "P", "F1"):
            table.add_column(column, justify="left" if column == "metric" else "right")
        for name in ("muc", "b_cubed", "ceaf_e"):
            table.add_row(name, _fmt(coref[name]["recall"]), _fmt(coref[name]["precision"]), _fmt(coref[name]["f1"]))
        table.add_row("CoNLL F1", "", "", _fmt(coref["conll"]["f1"]))
        console.print(table)


def evaluate_cli(
    predictions: Annotated[Path, typer.Argument(help="Predictions JSONL: release rows or goldkit records.")],
    release: Annotated[str, typer.Option("--release", help="The release to score against: a version or a folder.")],
    config: Annotated[
        list[str] | None,
        typer.Option("--config", help="Score only these configs (entities, events, claims, links); repeatable."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Score a system's predictions against a release: P/R/F1 per layer and label (exact and overlap
    matching), event arguments, attribute accuracy and macro-F1, links, event coreference (MUC, B³,
    CEAF-e, CoNLL F1).

    Predictions are JSONL, one object per line, in either format (mixed freely):
    rows of the release's entities / events / claims / links configs (label names or ClassLabel ids;
    span texts optional), or goldkit annotation records (one per document) and link records.
    Every bad line is reported with its number; nothing is scored until all are fixed.

    Example: goldkit evaluate system.jsonl --release export/1.0.0 --config claims --json
    """
    from goldkit.evaluate.run import evaluate_release  # pyarrow and datasets load only when the command runs
    from goldkit.release.build import resolve_release

    result = evaluate_release(predictions, resolve_release(release), config or [])
    emit_json(result.to_dict()) if as_json else _print(result)


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate_cli)
