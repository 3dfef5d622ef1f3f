"""`goldkit demo`: the whole pipeline on the embedded Label Studio (what `make demo` runs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.table import Table

from goldkit.cli.output import JsonOption, console, err_console, show, status

if TYPE_CHECKING:
    from goldkit.demo import DemoReport


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_cli)


def demo_cli(as_json: bool = JsonOption) -> None:
    """Ingest, push with pre-annotations, annotate (gold via the API), pull, check, release, load.

    Starts the embedded Label Studio if it is not running; safe to run again (nothing is duplicated).

    Example: goldkit demo
    """
    from goldkit.demo import run_demo

    with status("goldkit demo …") as progress:

        def step(name: str, detail: str) -> None:
            if not as_json:
                err_console.print(f"[green]✓[/] {name:<9} {detail}", highlight=False)

        report = run_demo(step=step, on_boot=lambda waited, phase: progress(waited, f"Label Studio: {phase}"))
    show(report.to_dict(), as_json, lambda: _print_demo(report))


def _print_demo(report: DemoReport) -> None:
    console.print(f"\nRelease built in {report.release_folder} and loaded with datasets:", highlight=False)
    counts = Table(show_header=True)
    counts.add_column("config")
    counts.add_column("rows", justify="right")
    for name, rows in report.counts.items():
        counts.add_row(name, str(rows))
    console.print(counts)
    for sample in report.sample_claims:
        console.print(
            f"[bold]{sample['language']}[/] claim: {sample['claim']!r}\n"
            f"   claimant: {sample['claimant']} ({sample['attribution']}), verdict: {sample['verdict']}",
            highlight=False,
        )
    console.print("\nAnnotate in Label Studio (annotators open this address):", highlight=False)
    console.print(report.url, soft_wrap=True, highlight=False)  # whole on its line: a wrapped URL breaks a click
    console.print(
        f"login {report.login.get('email')} / {report.login.get('password')}; admin login in "
        f"{report.credentials_file}\nStop the server with: goldkit server stop",
        highlight=False,
    )
