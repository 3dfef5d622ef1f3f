"""The `goldkit` entry point and its one error boundary."""

from __future__ import annotations

import errno
import functools
import importlib
import sys
import traceback
import types
from pathlib import Path
from typing import Any

import typer
from click import exceptions as click_exceptions
from rich.markup import escape

from goldkit import __version__, paths
from goldkit.cli.errors import error_document, hint_for
from goldkit.cli.options import CONTEXT_SETTINGS, DebugOption, shared_parameters
from goldkit.cli.output import emit_json, err_console
from goldkit.errors import GoldkitError, ValidationError

# typer ≥ 0.2x carries its own copy of click; catch that one's exceptions, and plain click's
_typer_click: types.ModuleType
try:
    from typer._click import exceptions as _typer_click
except ImportError:  # older typer uses click itself
    _typer_click = click_exceptions
_EXIT = (click_exceptions.Exit, typer.Exit)
_ABORT = (click_exceptions.Abort, typer.Abort)
_USAGE = (click_exceptions.ClickException, _typer_click.ClickException)

app = typer.Typer(
    name="goldkit",
    help=(
        "Turn news articles into a versioned gold dataset of events and claims.\n\n"
        "Pipeline: ingest → schema render → push (Label Studio) → pull → agree → adjudicate → release.\n\n"
        "Example: goldkit ingest corpus/ && goldkit validate annotations/gold/"
    ),
    no_args_is_help=True,
    context_settings=CONTEXT_SETTINGS,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Each module registers its commands; one line per stage, so stages can grow independently.
COMMAND_MODULES = [
    "init_cmd",
    "schema_cmd",
    "ingest_cmd",
    "validate_cmd",
    "server_cmd",
    "push_cmd",
    "pull_cmd",
    "agree_cmd",
    "adjudicate_cmd",
    "release_cmd",
    "preannotate_cmd",
    "demo_cmd",
    "links_cmd",
    "evaluate_cmd",
    "report_cmd",
    "status_cmd",
    "submit_cmd",
]


_registered: list[str] = []


def _register() -> None:
    """Add every stage's commands to the app, once per process."""
    for name in COMMAND_MODULES:
        if name not in _registered:
            importlib.import_module(f"goldkit.cli.{name}").register(app)
            _registered.append(name)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"goldkit {__version__}")
        raise typer.Exit(0)


ProjectOption = typer.Option(
    None, "--project", help="The project folder (default: the folder holding goldkit.toml, found upward)."
)


@app.callback()
def _root(
    debug: bool = DebugOption,
    version: bool = typer.Option(
        False, "--version", is_eager=True, callback=_print_version, help="Print goldkit's version and exit."
    ),
    project: Path | None = ProjectOption,
) -> None:
    """Options before the command name; --debug works after it too."""
    paths.use_project(project)


@functools.cache
def command() -> Any:
    """The click command behind `goldkit`: every stage registered, -h and --debug on every command."""
    _register()
    return shared_parameters(typer.main.get_command(app))


def _print_error(error: GoldkitError, as_json: bool) -> None:
    if as_json:
        emit_json(error_document(error))
    err_console.print(f"[bold red]error:[/] {escape(error.message)}", highlight=False, soft_wrap=True)
    if isinstance(error, ValidationError):
        for problem in error.problems[:50]:
            err_console.print(f"  • {problem}", highlight=False, markup=False, soft_wrap=True)
        if len(error.problems) > 50:
            err_console.print(f"  … and {len(error.problems) - 50} more (use --json for all)")
    if hint := hint_for(error):
        err_console.print(f"[bold]→[/] {escape(hint)}", highlight=False, soft_wrap=True)


# OS errors that are the disk's or the folder's, not goldkit's: errno -> what to do
_OUTPUT_ERRNOS = {
    errno.ENOSPC: "free space on that disk (or write elsewhere, e.g. --out), then run the command again",
    errno.EDQUOT: "free space within your disk quota, then run the command again",
    errno.EROFS: "that file system is read-only: write elsewhere (e.g. --out) or mount it writable",
    errno.EACCES: "make that folder writable for you (chmod/chown) or write elsewhere (e.g. --out)",
    errno.EPERM: "make that folder writable for you (chmod/chown) or write elsewhere (e.g. --out)",
}


def _internal_error(e: Exception, debug: bool) -> int:
    if debug:
        traceback.print_exc()
    err_console.print(f"[bold red]internal error:[/] {escape(f'{type(e).__name__}: {e}')}", highlight=False)
    err_console.print("→ run again with --debug for the traceback, and report it")
    return 70


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map every goldkit error to a message that ends with the fix."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    as_json = "--json" in args
    try:
        _register()
        result = command().main(args=args, prog_name="goldkit", standalone_mode=False)
        # with standalone_mode off, click returns (not raises) the code of a `typer.Exit(1)`
        return result if type(result) is int else 0
    except GoldkitError as error:
        if debug:
            traceback.print_exc()
        _print_error(error, as_json)
        return getattr(error, "exit_code", 1)
    except _EXIT as e:
        return int(e.exit_code)
    except _ABORT:
        err_console.print("aborted")
        return 130
    except _USAGE as e:
        e.show()
        return int(e.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted; nothing partial was written")
        return 130
    except OSError as e:
        if e.errno not in _OUTPUT_ERRNOS:
            return _internal_error(e, debug)
        if debug:
            traceback.print_exc()
        where = f" at {e.filename}" if e.filename else ""
        message = f"[bold red]error:[/] cannot write{escape(where)}: {escape(e.strerror or str(e))}"
        err_console.print(message, highlight=False, soft_wrap=True)
        err_console.print(f"→ {_OUTPUT_ERRNOS[e.errno]}; nothing partial was kept", soft_wrap=True)
        return 1
    except Exception as e:  # the boundary: a bug, not a user error
        return _internal_error(e, debug)
    finally:
        paths.use_project(None)  # --project holds for one command (main may run again in this process)


if __name__ == "__main__":
    sys.exit(main())
