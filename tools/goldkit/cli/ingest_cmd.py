"""`goldkit ingest`: article files -> annotations/documents.jsonl, with a summary table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from goldkit.cli.output import JsonOption, console, progress_bar, show
from goldkit.config import project_config
from goldkit.ingest.documents import DEFAULT_MAX_BYTES, IngestReport, MergeReport
from goldkit.ingest.files import safe
from goldkit.ingest.merge import ingest_into
from goldkit.jsonio import iter_jsonl
from goldkit.paths import corpus_dir

# Below this many files a progress bar only flickers.
_PROGRESS_MIN_FILES = 20


PathsArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Article files (.txt .html .warc(.gz) .jsonl .csv .parquet) or folders of them (default: corpus/)."
    ),
]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="The documents file to merge into (default: annotations/documents.jsonl).")
]
MaxBytesOption = Annotated[
    int, typer.Option("--max-bytes", min=1, help="Refuse a document (file, WARC record, dump row) larger than this.")
]
ReplaceOption = Annotated[
    bool, typer.Option("--replace", help="Write only this run's documents (those removed are listed).")
]
LanguageOption = Annotated[
    str | None, typer.Option("--language", help="Language of every document (default: declared, else detected).")
]


def _field_option(name: str) -> Any:
    return typer.Option(None, f"--{name}-field", help=f"A dump's field holding the {name} (goldkit.toml [ingest]).")


def ingest_cli(
    paths: PathsArgument = None,
    out: OutOption = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
    replace: ReplaceOption = False,
    language: LanguageOption = None,
    text_field: str | None = _field_option("text"),
    id_field: str | None = _field_option("id"),
    title_field: str | None = _field_option("title"),
    date_field: str | None = _field_option("date"),
    url_field: str | None = _field_option("url"),
    language_field: str | None = _field_option("language"),
    author_field: str | None = _field_option("author"),
    as_json: bool = JsonOption,
) -> None:
    """Read articles into document records, merged into the documents file; page furniture is marked.

    Saved HTML pages and WARC records are extracted with trafilatura; dumps are read with a field map.
    All bad files and records are reported together and nothing is written unless every one is good.

    Example: goldkit ingest corpus/ --text-field body --id-field guid
    """
    paths = paths or [corpus_dir()]
    given = {
        "text": text_field,
        "id": id_field,
        "title": title_field,
        "date": date_field,
        "url": url_field,
        "language": language_field,
        "author": author_field,
    }
    configured = {key.removesuffix("_field"): value for key, value in project_config().ingest.items()}
    fields = configured | {key: value for key, value in given.items() if value}
    many = sum(len(list(p.iterdir())) if p.is_dir() else 1 for p in paths) >= _PROGRESS_MIN_FILES
    with progress_bar("ingesting", enabled=many and not as_json) as progress:
        run = ingest_into(
            paths, out, replace=replace, max_bytes=max_bytes, progress=progress, fields=fields, language=language
        )
    report, merged = run.ingest, run.merge
    result = {
        "out": str(merged.path),
        "count": len(run.summaries),
        "added": merged.added,
        "unchanged": merged.unchanged,
        "kept": merged.kept,
        "removed": merged.removed,
        "skipped": report.skipped,
        "notes": report.notes,
    }
    if as_json:  # every record of the run, read back from the file: only --json holds them all
        ours = {summary["id"] for summary in run.summaries}
        result["documents"] = [d for _, d in iter_jsonl(merged.path) if d["id"] in ours]
    show(result, as_json, lambda: _print_summary(report, merged, run.summaries))


def _print_summary(report: IngestReport, merged: MergeReport, summaries: list[dict[str, Any]]) -> None:
    console.print(_summary_table(summaries, console))
    for file, reasons in report.skipped.items():
        counts = ", ".join(f"{count} {reason}" for reason, count in reasons.items())
        console.print(Text(f"skipped in {safe(file)}: {counts}"))
    for note in report.notes:
        console.print(Text(safe(note)))
    console.print(
        Text(
            f"{safe(merged.path)}: {len(merged.added)} added, {len(merged.unchanged)} unchanged, "
            f"{len(merged.kept)} kept from before"
            + (f", {len(merged.removed)} removed (--replace): {', '.join(merged.removed)}" if merged.removed else "")
            + f" — {merged.total} documents"
        )
    )


def _summary_table(documents: list[dict[str, Any]], console: Console) -> Table:
    """Return one line per document (its summary); titles and names are cut to the room the other columns leave."""
    rows = [[d["id"], d["language"], "", "", d["published"] or "—", str(d["boilerplate"])] for d in documents]
    others = Measurement.get(console, console.options, _table(rows)).maximum - len("title") - len("author")
    room = max(console.width - others, 8)
    for row, document in zip(rows, documents, strict=True):
        row[2] = _cut(document["title"] or "—", room - room // 4)
        row[3] = _cut(document["author"] or "—", room // 4)
    return _table(rows)


def _table(rows: list[list[str]]) -> Table:
    table = Table(title="Ingested documents", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for column in ("id", "lang", "title", "author", "date", "boilerplate"):
        table.add_column(column, no_wrap=True, justify="right" if column == "boilerplate" else "left")
    for row in rows:
        table.add_row(*(Text(safe(cell)) for cell in row))  # titles come from the articles: no markup, no escapes
    return table


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_cli)
