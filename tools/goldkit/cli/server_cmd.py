"""`goldkit server install | start | stop | status | add-user`: the embedded Label Studio."""

from __future__ import annotations

from dataclasses import asdict

import typer

from goldkit.cli.options import CONTEXT_SETTINGS, JsonOption
from goldkit.cli.output import console, err_console, show, status
from goldkit.labelstudio import server

server_app = typer.Typer(
    help="Run the embedded Label Studio (own venv and data in .goldkit/).\n\nExample: goldkit server start",
    no_args_is_help=True,
    context_settings=CONTEXT_SETTINGS,
)


def register(app: typer.Typer) -> None:
    app.add_typer(server_app, name="server")


@server_app.command("install")
def install_cli(as_json: bool = JsonOption) -> None:
    """Install the pinned Label Studio into .goldkit/ls-venv (first time only).

    Example: goldkit server install
    """
    with status(f"installing {server.LS_PACKAGE} into its own venv …"):
        report = server.install()
    verb = (
        f"installed in {report.seconds:.0f} s with {report.installer}" if report.installed_now else "already installed"
    )
    show(asdict(report), as_json, lambda: console.print(f"Label Studio {report.version} {verb}: {report.venv}"))


@server_app.command("start")
def start_cli(
    port: int | None = typer.Option(None, "--port", help="Port on 127.0.0.1 (default 8080, or a free one)."),
    database: str | None = typer.Option(
        None,
        "--database",
        help="sqlite (default for a new state folder) or postgresql (a cluster goldkit runs in .goldkit/postgres).",
    ),
    database_url: str | None = typer.Option(
        None, "--database-url", help="An existing PostgreSQL: postgresql://USER:PASSWORD@HOST:PORT/DATABASE."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Start the embedded Label Studio (installing it into its own venv the first time) and wait until it answers.

    Example: goldkit server start --port 8080 --database postgresql
    """
    if not server.ServerPaths.default().installed():  # also an older install without gunicorn
        with status(f"installing {server.LS_PACKAGE} into its own venv (first time only) …"):
            server.install()
    with status("starting Label Studio …") as progress:
        report = server.start(
            port=port,
            progress=lambda waited, phase: progress(waited, f"Label Studio: {phase}"),
            database=database,
            database_url=database_url,
        )
    show(asdict(report), as_json, lambda: _print_started(report))


def _print_started(report: server.StartReport) -> None:
    if report.wanted_port:
        why = "the port used last time" if report.remembered else "the default port"
        err_console.print(
            f"port {report.wanted_port} ({why}) is taken; using port {report.port} instead, "
            "remembered for the next start",
            highlight=False,
        )
    if report.already_running:
        console.print(f"Label Studio is already running (pid {report.pid}); annotators open:", highlight=False)
    else:
        console.print(f"Label Studio is running (pid {report.pid}, ready in {report.seconds:.0f} s); annotators open:")
    console.print(report.url, soft_wrap=True, highlight=False)  # whole on one line: a wrapped URL breaks a click
    if not report.already_running:
        console.print(f"credentials: {server.ServerPaths.default().credentials} — next: goldkit push", highlight=False)


@server_app.command("stop")
def stop_cli(as_json: bool = JsonOption) -> None:
    """Stop the embedded Label Studio that goldkit started.

    Example: goldkit server stop
    """
    result = server.stop()
    if result["stopped"]:
        database = " and the PostgreSQL it ran on" if result.get("database_stopped") else ""
        stopped = f"stopped Label Studio (pid {result['pid']}){database}"
    else:
        stopped = ""
    show(result, as_json, lambda: console.print(stopped or f"nothing to stop: {result['reason']}"))


@server_app.command("status")
def status_cli(as_json: bool = JsonOption) -> None:
    """Show URL, version, health, which database and where the credentials are (never the token).

    Example: goldkit server status --json
    """
    report = server.status()
    show(asdict(report), as_json, lambda: _print_status(report))


def _print_status(report: server.ServerStatus) -> None:
    state = "running" if report.running else "stopped"
    console.print(f"Label Studio {report.version or '(not installed)'}: {state}", highlight=False)
    if report.url:
        console.print(f"  url:         {report.url} ({'healthy' if report.healthy else 'NOT answering /health'})")
    console.print(f"  credentials: {report.credentials_path} (admin {report.admin_email or '—'})")
    console.print(f"  annotators:  {', '.join(report.annotators) or '—'}")
    console.print(f"  database:    {report.database}", highlight=False)
    console.print(f"  data:        {report.data_dir}")
    console.print(f"  log:         {report.log_path}")
    if not report.running:
        console.print("→ start it with: goldkit server start")


@server_app.command("add-user")
def add_user_cli(
    email: str = typer.Argument(..., help="The annotator's email (their login)."),
    as_json: bool = JsonOption,
) -> None:
    """Create an annotator account that can log in; its password goes to the credentials file.

    Example: goldkit server add-user annotator1@example.org
    """
    account = server.create_user(email)
    credentials = server.ServerPaths.default().credentials
    created = f"created {account.email} (user {account.user_id}); password in {credentials}"
    show(
        {"email": account.email, "user_id": account.user_id, "has_token": bool(account.token)},
        as_json,
        lambda: console.print(created),
    )
