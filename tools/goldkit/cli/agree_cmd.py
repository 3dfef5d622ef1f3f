"""`goldkit agree`: inter-annotator agreement on a pull (or any records), as tables, JSON and a chart."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from goldkit.agreement import bootstrap
from goldkit.agreement.spans import (
    ALL_LABELS,
    MATCH_MODES,
    POOLED,
    REGISTRY,
    AgreementReport,
    SpanScore,
    agree,
    build_study,
    document_lengths,
)
from goldkit.cli.output import JsonOption, console, emit_json
from goldkit.pulls import records_from

Metric = Enum("Metric", {name: name for name in REGISTRY}, type=str)  # type: ignore[misc]


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def chart_path(sources: list[Path]) -> Path:
    """Put the chart next to the pull: <pull>/agreement.png, or <file stem>.agreement.png."""
    first = sources[0]
    return first / "agreement.png" if first.is_dir() else first.with_name(f"{first.stem}.agreement.png")


def write_chart(report: AgreementReport, path: Path) -> Path | None:
    """Draw F1 per (layer, label) × annotator pair as heat maps, one per match mode; None if no rows."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [s for s in report.rows("span_f1") + report.rows("relation_f1")]
    if not rows:
        return None
    labels = list(dict.fromkeys(f"{s.layer}:{s.label}" for s in rows))
    pairs = list(dict.fromkeys(s.pair for s in rows))
    fig, axes = plt.subplots(
        1, len(report.modes), sharey=True, figsize=(3 + 1.6 * len(pairs) * len(report.modes), 1 + 0.35 * len(labels))
    )
    for ax, mode in zip(axes if len(report.modes) > 1 else [axes], report.modes, strict=True):
        grid = [[float("nan")] * len(pairs) for _ in labels]
        for s in rows:
            if s.mode == mode and s.f1 is not None:
                grid[labels.index(f"{s.layer}:{s.label}")][pairs.index(s.pair)] = s.f1
        image = ax.imshow(grid, vmin=0, vmax=1, cmap="viridis", aspect="auto")
        ax.set_xticks(range(len(pairs)), pairs, rotation=30, ha="right")
        if mode == report.modes[0]:  # the axes share y: label it once
            ax.set_yticks(range(len(labels)), labels)
        ax.set_title(f"F1, {mode} match")
        for i, line in enumerate(grid):
            for j, value in enumerate(line):
                if value == value:  # not NaN
                    ax.text(j, i, f"{value:.2f}", ha="center", va="center", color="white" if value < 0.6 else "black")
    fig.colorbar(image, ax=axes)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def _print(report: AgreementReport, chart: Path | None) -> None:
    console.print(
        f"[bold]{report.multi_annotated}[/] of {report.documents} documents have ≥ 2 annotators; "
        f"annotators: {', '.join(report.annotators)}"
    )
    if report.superseded:
        console.print(f"{len(report.superseded)} older duplicate annotation(s) superseded by a newer one")
    if report.skipped:
        console.print(f"not annotators' work, left out: {report.skipped}")
    spans = [s for s in report.rows("span_f1") + report.rows("relation_f1")]
    if spans:
        table = Table(title="Span and relation F1 (first of the pair = reference)")
        for col in ("layer", "label", "pair", *(f"F1 {m}" for m in report.modes), "spans", "matched"):
            table.add_column(col)
        by_key: dict[tuple[str, str, str], dict[str, SpanScore]] = {}
        for s in spans:
            by_key.setdefault((s.layer, s.label, s.pair), {})[s.mode] = s
        for (layer, label, pair), per_mode in by_key.items():
            first = next(iter(per_mode.values()))
            matched = " / ".join(str(per_mode[m].matched) for m in report.modes if m in per_mode)
            style = "bold" if pair == POOLED and label == ALL_LABELS else None
            table.add_row(
                layer,
                label,
                pair,
                *(_fmt(per_mode[m].f1) if m in per_mode else "" for m in report.modes),
                f"{first.reference}+{first.predicted}",
                matched,
                style=style,
            )
        console.print(table)
    if report.rows("attribute_alpha"):
        table = Table(title="Attributes on matched spans: Krippendorff's α (nominal)")
        ci = f"{bootstrap.LEVEL:.0%} CI"
        for col in ("layer", "attribute", "α", ci, "observed", "units", "pairable", "values", "missing", "note"):
            table.add_column(col)
        for a in report.rows("attribute_alpha"):
            table.add_row(
                a.layer,
                a.attribute,
                _fmt(a.alpha),
                bootstrap.interval_text(a.alpha_ci),
                _fmt(a.observed),
                str(a.units),
                str(a.pairable),
                str(a.values),
                f"{a.missing_no_span}+{a.missing_empty}",
                a.note,
            )
        console.print(table)
        console.print("missing: no span + span without the attribute")
        console.print(bootstrap.method_line(report.alpha_interval_method))
    if report.rows("unitizing_alpha"):
        table = Table(title="Krippendorff's unitizing α (boundaries and labels)")
        for col in ("layer", "raters", "u-α", "D_o", "D_e", "documents", "units"):
            table.add_column(col)
        for u in report.rows("unitizing_alpha"):
            table.add_row(
                u.layer, u.pair, _fmt(u.alpha), f"{u.observed:.4f}", f"{u.expected:.4f}", str(u.documents), str(u.units)
            )
        console.print(table)
    if chart:
        console.print(f"chart: {chart}")


_SOURCES = typer.Argument(None, help="Pull folder(s) or record files; default: the newest pull.")
_METRIC = typer.Option(None, "--metric", "-m", help="Metric to run (repeat); default: all.")
_MODE = typer.Option(list(MATCH_MODES), "--mode", help="Span match mode(s): exact, overlap.")
_CHART = typer.Option(None, "--chart", help="Where to write the PNG (default: next to the pull).")
_NO_CHART = typer.Option(False, "--no-chart", help="Do not write the PNG chart.")


def agree_cli(
    sources: list[Path] = _SOURCES,
    metric: list[Metric] = _METRIC,
    mode: list[str] = _MODE,
    chart: Path | None = _CHART,
    no_chart: bool = _NO_CHART,
    links: bool = typer.Option(
        False, "--links", help="Agreement on cross-document links (each server's newest link pull, or the given pulls)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Measure inter-annotator agreement: span F1, attribute α, relation F1 and unitizing α.

    With --links: Krippendorff's α on the link answers; MUC, B³, CEAF-e, CoNLL F1 on same-event clusters.

    Example: goldkit agree annotations/pulls/20250101T120000Z --metric span_f1 --json
    Example: goldkit agree --links
    """
    if links:
        from goldkit.cli.links_cmd import agree_links_cli

        return agree_links_cli(list(sources or []), as_json)
    paths, records = records_from(list(sources or []))
    study = build_study(records, document_lengths())
    report = agree(study, [m.value for m in metric] if metric else None, tuple(mode))
    report.source = ", ".join(map(str, paths))
    written = None if no_chart else write_chart(report, chart or chart_path(paths))
    if as_json:
        emit_json({**report.to_dict(), "chart": str(written) if written else None})
    else:
        _print(report, written)


def register(app: typer.Typer) -> None:
    app.command("agree")(agree_cli)
