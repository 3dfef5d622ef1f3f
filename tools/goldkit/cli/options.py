"""The options several commands share, declared once; `shared_parameters` puts -h and --debug on every command."""

from __future__ import annotations

from typing import Any

import typer

HELP_OPTION_NAMES = ["-h", "--help"]
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": HELP_OPTION_NAMES}

JsonOption = typer.Option(False, "--json", help="Print the result as JSON on stdout (for scripts).")
# read by cli.main from the arguments (the traceback is printed where the error is caught), so no command sees it
DebugOption = typer.Option(False, "--debug", expose_value=False, help="Show the full traceback when something fails.")
UrlOption = typer.Option(None, "--url", help="Label Studio URL (default: $LABEL_STUDIO_URL or embedded).")
ProjectPrefixOption = typer.Option(
    None,
    "--project-prefix",
    help="Projects are titled '<prefix> · <language>' (default: goldkit.toml [labelstudio] project_prefix, "
    "else 'goldkit').",
)


def shared_parameters(root: Any) -> Any:
    """Give every command under the root click command the root's --debug, and examples on their own lines."""
    debug = next(param for param in root.params if "--debug" in param.opts)

    def walk(command: Any) -> None:
        if not any("--debug" in param.opts for param in command.params):
            command.params.insert(0, debug)
        command.help = examples_on_their_own_lines(command.help)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(root)
    return root


def examples_on_their_own_lines(help_text: str | None) -> str | None:
    """Mark each run of `Example:` lines as a paragraph click must not re-wrap (click's `\\b` marker)."""
    if not help_text or "Example:" not in help_text:
        return help_text
    lines: list[str] = []
    in_examples = False
    for line in help_text.splitlines():
        is_example = line.strip().startswith("Example:")
        if is_example and not in_examples:
            if lines and lines[-1].strip():
                lines.append("")
            lines.append("\b")
        elif not is_example and in_examples and line.strip():
            lines.append("")
        lines.append(line)
        in_examples = is_example
    return "\n".join(lines)
