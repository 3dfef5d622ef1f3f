"""`goldkit ingest`: article files -> annotations/documents.jsonl, with a summary table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from goldkit.cli.output import JsonOption, console, progress_bar, show
from goldkit.ingest.documents import DEFAULT_MAX_BYTES, ingest, write_documents
from goldkit.paths import corpus_dir

# Below this many files a progress bar only flickers.
_PROGRESS_MIN_FILES = 20


PathsArgument = Annotated[
    list[Path] | None, typer.Argument(help="Article .txt files or folders of them (default: corpus/).")
]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Where to write the documents (default: annotations/documents.jsonl).")
]
MaxBytesOption = Annotated[int, typer.Option("--max-bytes", min=1, help="Refuse files larger than this.")]


def ingest_cli(
    paths: PathsArgument = None,
    out: OutOption = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
    as_json: bool = JsonOption,
) -> None:
    """Read article files into document records, marking page furniture (nothing is deleted).

    All bad files are reported together and nothing is written unless every file is good.

    Example: goldkit ingest corpus/ --out annotations/documents.jsonl
    """
    paths = paths or [corpus_dir()]
    many = sum(len(list(p.glob("*.txt"))) if p.is_dir() else 1 for p in paths) >= _PROGRESS_MIN_FILES
    with progress_bar("ingesting", enabled=many and not as_json) as progress:
        report = ingest(paths, max_bytes=max_bytes, progress=progress)
    written = write_documents(report.documents, out)
    result = {"out": str(written), "count": len(report.documents), "documents": report.documents}
    show(result, as_json, lambda: _print_summary(report.documents, written))


def _print_summary(documents: list[dict[str, Any]], written: Path) -> None:
    console.print(_summary_table(documents, console))
    console.print(f"wrote {len(documents)} documents to {written}", highlight=False)


def _summary_table(documents: list[dict[str, Any]], console: Console) -> Table:
    """Return one line per document; titles and names are cut to the room the other columns leave."""
    rows = [[d["id"], d["language"], "", "", d["published"] or "—", str(len(d["boilerplate"]))] for d in documents]
    others = Measurement.get(console, console.options, _table(rows)).maximum - len("title") - len("author")
    room = max(console.width - others, 8)
    for row, document in zip(rows, documents, strict=True):
        row[2] = _cut(document["title"], room - room // 4)
        row[3] = _cut(document["author"] or "—", room // 4)
    return _table(rows)


def _table(rows: list[list[str]]) -> Table:
    table = Table(title="Ingested documents", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for column in ("id", "lang", "title", "author", "date", "boilerplate"):
        table.add_column(column, no_wrap=True, justify="right" if column == "boilerplate" else "left")
    for row in rows:
        table.add_row(*row)
    return table


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_cli)
