"""`goldkit schema render|show`: the files generated from the schema, and the label sets it defines."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from goldkit.cli.output import JsonOption, console, show
from goldkit.errors import SchemaError
from goldkit.generate import files as generated
from goldkit.generate import render
from goldkit.paths import project_root, schema_path
from goldkit.schema.loading import Label, definition, labels, schema_version

schema_app = typer.Typer(
    help="The label schema: render the files generated from it, show its label sets.\n\n"
    "Example: goldkit schema render --check",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


@schema_app.command("render")
def render_cli(
    check: bool = typer.Option(False, "--check", help="Write nothing; fail (exit 1) if a generated file is stale."),
    as_json: bool = JsonOption,
) -> None:
    """Write the Label Studio configs, GUIDELINES.md and features.json generated from the schema.

    Example: goldkit schema render --check
    """
    root = project_root()
    if check:
        stale = [_shown(path, root) for path in generated.check_drift(root)]
        if stale:
            raise SchemaError(
                "generated files are out of date with schema/goldkit.schema.json:\n"
                + "\n".join(f"  • {name}" for name in stale),
                paths=stale,
                hint="regenerate them with: goldkit schema render",
            )
        files = [_shown(path, root) for path in generated.render_all(root)]
        show(
            {"stale": [], "checked": files},
            as_json,
            lambda: console.print(f"[green]✓[/] {len(files)} generated files match the schema"),
        )
        return
    changed = {_shown(path, root): flag for path, flag in generated.write_all(root).items()}
    written = {"written": [n for n, f in changed.items() if f], "unchanged": [n for n, f in changed.items() if not f]}
    show(written, as_json, lambda: _print_written(changed))


def _print_written(changed: dict[str, bool]) -> None:
    for name, flag in changed.items():
        console.print(f"{'[yellow]wrote[/]    ' if flag else '[dim]unchanged[/]'} {name}", highlight=False)


@schema_app.command("show")
def show_cli(
    name: str | None = typer.Argument(None, help="A label set ($defs name, e.g. EventType); none: the version."),
    as_json: bool = JsonOption,
) -> None:
    """Print the schema version and its label sets, or the values of one label set.

    Example: goldkit schema show EventType
    """
    schema = render.read_schema(schema_path())
    sets = render.label_set_names(schema)
    if name is None:
        version = schema_version(schema)
        show({"version": version, "label_sets": sets}, as_json, lambda: _print_sets(version, sets))
        return
    if name not in sets:
        raise SchemaError(
            f"no label set named {name!r}",
            pointer=f"/$defs/{name}",
            got=name,
            expected=sets,
            hint=f"list them with: goldkit schema show (one of {', '.join(sets)})",
        )
    items = labels(name, schema)
    values = [{"value": x.value, "title": x.title, "description": x.description, "roles": list(x.roles)} for x in items]
    show(values, as_json, lambda: _print_labels(str(definition(name, schema).get("title", name)), items))


def _print_sets(version: str, sets: list[str]) -> None:
    console.print(f"schema version [bold]{version}[/]")
    console.print("label sets: " + ", ".join(sets), highlight=False)


def _print_labels(title: str, items: list[Label]) -> None:
    with_roles = any(x.roles for x in items)
    table = Table(title=title)
    for column in ("value", "title", "description", *(["roles"] if with_roles else [])):
        table.add_column(column, overflow="fold")
    for x in items:
        table.add_row(x.value, x.title, x.description, *([", ".join(x.roles)] if with_roles else []))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(schema_app, name="schema")
