"""How the CLI talks: rich text for people, JSON for scripts, progress on stderr (bars, or plain lines in logs)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from goldkit.cli.options import JsonOption

__all__ = ["JsonOption", "console", "emit_json", "err_console", "progress_bar", "show", "status"]

console = Console()
err_console = Console(stderr=True)

ProgressCallback = Callable[[int, int | None], None]
StatusCallback = Callable[[float, str], None]

PLAIN_STEPS = 10  # a plain progress line at every tenth of the total
PLAIN_SECONDS = 10  # a plain status line every ten seconds of waiting


def emit_json(data: Any) -> None:
    """Print data as JSON to stdout, one document."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def show(data: Any, as_json: bool, human: Callable[[], object]) -> None:
    """The one place a command's result goes: `data` as JSON for --json, otherwise what `human` prints."""
    if as_json:
        emit_json(data)
    else:
        human()


def _plain(line: str) -> None:
    err_console.print(line, highlight=False, markup=False, soft_wrap=True)


@contextmanager
def progress_bar(description: str, enabled: bool = True, in_logs: bool = False) -> Iterator[ProgressCallback]:
    """Yield a callback(done, total) that drives a rich bar on a terminal's stderr.

    Off a terminal (CI logs, pipes) it is silent, or with `in_logs` (the long steps) prints plain lines.
    """
    if not enabled:
        yield lambda done, total: None
        return
    if not err_console.is_terminal:
        yield _plain_progress(description) if in_logs else (lambda done, total: None)
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def _plain_progress(description: str) -> ProgressCallback:
    """A line at the start, at every tenth of the total and at the end (at each doubling if no total is known)."""
    last_step = -1

    def update(done: int, total: int | None) -> None:
        nonlocal last_step
        step = min(done * PLAIN_STEPS // total, PLAIN_STEPS) if total else done.bit_length()
        if step > last_step:
            last_step = step
            _plain(f"{description}: {done}/{total}" if total is not None else f"{description}: {done}")

    return update


@contextmanager
def status(description: str) -> Iterator[StatusCallback]:
    """Yield a callback(waited seconds, phase) for a wait: a rich spinner on a terminal, plain lines otherwise."""
    if err_console.is_terminal:
        with err_console.status(description) as spinner:
            yield lambda waited, phase: spinner.update(f"{phase} — {waited:.0f} s")
        return
    _plain(description)
    shown: tuple[str, int] | None = None

    def update(waited: float, phase: str) -> None:
        nonlocal shown
        mark = (phase, int(waited // PLAIN_SECONDS))
        if mark != shown:
            shown = mark
            _plain(f"{phase} — {waited:.0f} s")

    yield update
