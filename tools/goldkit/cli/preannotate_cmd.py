"""`goldkit preannotate`: suggestions as annotation records (rules or learned), and their P/R/F1 against the gold."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from goldkit.cli.evaluate_cmd import print_scores
from goldkit.cli.output import JsonOption, console, emit_json
from goldkit.errors import InputError
from goldkit.ingest.documents import load_documents
from goldkit.jsonio import write_jsonl
from goldkit.preannotate.models import REGISTRY, preannotate
from goldkit.preannotate.rules import default_out_path, load_gold, skipped_suggestions

if TYPE_CHECKING:
    from goldkit.evaluate.preannotations import PreannotationReport

Annotator = Enum("Annotator", {name: name for name in REGISTRY}, type=str)  # type: ignore[misc]
DEFAULT = Annotator(next(iter(REGISTRY)))

DocumentsOption = Annotated[
    Path | None, typer.Option("--documents", help="Ingested documents (default: annotations/documents.jsonl).")
]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", help="Where to write the records (default: annotations/preannotations/NAME.jsonl)."),
]


def _print_evaluation(report: PreannotationReport) -> None:
    for policy, scores in report.scores.items():
        print_scores(f"{report.annotator} ({report.model_version}) vs gold — gazetteer: {policy}", scores)
    console.print(
        "gazetteer 'all' includes the scored document's own gold (optimistic); "
        "'leave-one-out' builds it from the other documents only."
    )


def preannotate_cli(
    documents: DocumentsOption = None,
    out: OutOption = None,
    annotator: Annotated[
        Annotator,
        typer.Option(
            "--model",
            "--annotator",
            help="Which pre-annotator: 'rules' (patterns, gold gazetteer) or 'learned' (lexicons from the gold).",
        ),
    ] = DEFAULT,
    evaluate: Annotated[bool, typer.Option("--evaluate", help="Score against the gold instead of writing.")] = False,
    as_json: bool = JsonOption,
) -> None:
    """Suggest entities (numbers, dates, known names) and quote/number claims as annotation records.

    The records carry provenance.method 'preannotation' and can be imported as Label Studio predictions.
    With --evaluate, print precision/recall/F1 per layer and label against annotations/gold/ (exact and
    overlap matching) instead of writing.

    Example: goldkit preannotate --documents annotations/documents.jsonl --evaluate
    """
    docs = load_documents(documents)
    gold = load_gold()
    name = annotator.value
    if evaluate:
        if not gold:
            raise InputError("no gold records to evaluate against", hint="add gold records to annotations/gold/")
        from goldkit.evaluate.preannotations import evaluate_preannotator  # loads pyarrow: only when scoring

        report = evaluate_preannotator(docs, gold, name)
        emit_json(report.to_dict()) if as_json else _print_evaluation(report)
        return
    records = preannotate(docs, name, gold)
    path = out or default_out_path(name)
    write_jsonl(path, records)
    skipped = skipped_suggestions(doc["language"] for doc in docs.values()) if name == "rules" else []
    if as_json:
        emit_json({"out": str(path), "count": len(records), "annotator": name, "not_suggested": skipped})
        return
    for reason in skipped:
        console.print(f"[yellow]note:[/] not suggested — {escape(reason)}", highlight=False)
    for record in records:
        console.print(
            f"{record['document_id']}: {len(record['entities'])} entities, {len(record['claims'])} claims",
            highlight=False,
        )
    console.print(f"wrote {len(records)} records to {path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("preannotate")(preannotate_cli)
