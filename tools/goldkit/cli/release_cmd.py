"""`goldkit release`, `goldkit diff`, `goldkit attach`: versioned Hugging Face dataset releases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.markdown import Markdown
from rich.table import Table

from goldkit.cli.output import JsonOption, console, progress_bar, show
from goldkit.paths import corpus_dir, export_dir


def release_cli(
    version: Annotated[str, typer.Argument(help="The new version, MAJOR.MINOR.PATCH (a leading 'v' is allowed).")],
    gold: Annotated[
        Path | None, typer.Option("--gold", help="Gold records folder (default: annotations/gold).")
    ] = None,
    documents: Annotated[
        Path | None, typer.Option("--documents", help="Document records (default: annotations/documents.jsonl).")
    ] = None,
    annotations: Annotated[
        Path | None,
        typer.Option("--annotations", help="A pull folder or records.jsonl: adds the 'annotations' config."),
    ] = None,
    agreement: Annotated[Path | None, typer.Option("--agreement", help="Agreement JSON to report in the card.")] = None,
    no_text: Annotated[
        bool, typer.Option("--no-text", help="Stand-off release: offsets and hashes, no texts.")
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Folder of releases (default: export/).")] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Release date for the card (default: from provenance).")
    ] = None,
    license_id: Annotated[
        str | None,
        typer.Option(
            "--license", help="License of the annotations (default: goldkit.toml [release] license, else cc-by-4.0)."
        ),
    ] = None,
    citation: Annotated[
        str | None,
        typer.Option("--citation", help="How to cite the dataset, for the card (default: goldkit.toml [release])."),
    ] = None,
    pretty_name: Annotated[
        str | None, typer.Option("--pretty-name", help="The card's title (default: goldkit.toml [release]).")
    ] = None,
    annotations_creators: Annotated[
        str | None,
        typer.Option("--annotations-creators", help="HF annotations_creators (default: from provenance)."),
    ] = None,
    record_pseudonyms: Annotated[
        bool | None,
        typer.Option(
            "--record-pseudonyms/--no-record-pseudonyms",
            help="Save new annotators' pseudonyms in annotations/pseudonyms.json (default: only for export/).",
        ),
    ] = None,
    push_to_hub: Annotated[
        str | None, typer.Option("--push-to-hub", help="Also publish to this Hub dataset repo.")
    ] = None,
    private: Annotated[bool, typer.Option("--private", help="Create the Hub repo as private.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --push-to-hub: print the Hub calls, send none.")
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """Build export/VERSION/ from the gold: Parquet per config, dataset card, changelog, checksums.

    An existing version is never overwritten; a release with nothing new is refused.

    Example: goldkit release 1.0.0 --annotations annotations/pulls/2026-03-01 --push-to-hub my-org/news-claims
    """
    from goldkit.release import hub  # datasets and pyarrow load with these: only when a command runs
    from goldkit.release.build import ReleaseOptions, build_release

    options = ReleaseOptions(
        gold=gold,
        documents=documents,
        annotations=annotations,
        agreement=agreement,
        no_text=no_text,
        out=out,
        date=date,
        license=license_id,
        citation=citation,
        pretty_name=pretty_name,
        repo_id=push_to_hub,
        annotations_creators=annotations_creators,
        record_pseudonyms=record_pseudonyms,
    )
    with progress_bar("writing configs", enabled=not as_json, in_logs=True) as progress:
        report = build_release(version, options, progress=progress)
    result = report.to_dict()
    if push_to_hub:
        operations = hub.plan_push(report.path, push_to_hub, private=private)
        result["hub"] = {"repo_id": push_to_hub, "dry_run": dry_run, "operations": [op.to_dict() for op in operations]}
        if not dry_run:
            hub.push(operations)
    show(result, as_json, lambda: _print_release(result))


def _print_release(result: dict) -> None:
    table = Table(title=f"Release {result['version']}", box=box.SIMPLE_HEAD)
    table.add_column("config")
    table.add_column("rows", justify="right")
    for config, rows in result["rows"].items():
        table.add_row(config, str(rows))
    console.print(table)
    for warning in result["warnings"]:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    since = f" (changes since {result['previous']} in CHANGELOG.md)" if result["previous"] else ""
    console.print(f"wrote {result['path']}{since}", highlight=False)
    if result["pseudonyms_recorded"]:
        console.print(
            f"new pseudonyms saved in annotations/pseudonyms.json: {', '.join(result['pseudonyms_recorded'])}"
        )
    if hub_result := result.get("hub"):
        verb = "would send" if hub_result["dry_run"] else "sent"
        console.print(f"Hub ({hub_result['repo_id']}): {verb}:", highlight=False)
        for op in hub_result["operations"]:
            args = ", ".join(f"{k}={v!r}" for k, v in op["kwargs"].items())
            console.print(f"  HfApi().{op['method']}({args})", highlight=False, markup=False)


def diff_cli(
    old: Annotated[str, typer.Argument(help="Older release: a version in export/ or a release folder.")],
    new: Annotated[str, typer.Argument(help="Newer release: a version in export/ or a release folder.")],
    out: Annotated[Path | None, typer.Option("--out", help="Folder of releases (default: export/).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Compare two releases: documents, labels per document and layer, links, schema.

    Example: goldkit diff 1.0.0 1.1.0
    """
    export = out or export_dir()
    from goldkit.release.build import resolve_release
    from goldkit.release.card import diff_lines
    from goldkit.release.diff import diff_releases

    diff = diff_releases(resolve_release(old, export), resolve_release(new, export))

    def print_diff() -> None:
        console.print(Markdown(f"## {diff.old} → {diff.new}\n\n" + "\n".join(diff_lines(diff))))
        if diff.is_empty():
            console.print("no differences in data or schema")

    show(diff.to_dict(), as_json, print_diff)


def attach_cli(
    release: Annotated[str, typer.Argument(help="A stand-off release: a version in export/ or a release folder.")],
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help="Your copy of the articles (default: corpus/).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the release with texts.")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Re-attach article texts to a stand-off release, checking every text against its sha256.

    Example: goldkit attach export/1.0.0 --corpus corpus/ --out export-with-text/1.0.0
    """
    from goldkit.release.build import attach, resolve_release

    folder = resolve_release(release)
    target = out or folder.parent / f"{folder.name}-with-text"
    report = attach(folder, corpus or corpus_dir(), target)
    attached = f"attached {report.documents} texts; wrote {report.out}"
    show(report.to_dict(), as_json, lambda: console.print(attached, highlight=False))


def register(app: typer.Typer) -> None:
    app.command("release")(release_cli)
    app.command("diff")(diff_cli)
    app.command("attach")(attach_cli)
