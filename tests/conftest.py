"""Shared fixtures: one real Label Studio per test session (`ls_server`), started from the repo's ls-venv, and
a real headless Chromium (`chromium_browser`)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from goldkit.labelstudio import server
from goldkit.labelstudio.server import Account

REPO = Path(__file__).resolve().parent.parent
LS_VENV = REPO / ".goldkit" / "ls-venv"  # installed by `make server-install`
ANNOTATOR_EMAILS = ("annotator1@goldkit.local", "annotator2@goldkit.local")
# Set in the parent environment while the session server starts: none of them may reach Label Studio.
SESSION_BOOT_TIMEOUT_S = 1200.0  # first boots (migrations) took 420-500 s with several sessions on 2 cores
STRAY_ENV = {"USERNAME": "intruder@example.com", "PASSWORD": "intruder", "HOST": "http://evil.invalid", "DEBUG": "1"}
CHROMIUM = Path("/usr/bin/chromium")  # Debian's: Playwright's own browser download does not work here
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
CHROMIUM_HINT = "install Debian's chromium for the browser tests: sudo apt-get install chromium (or: make browser)"


@dataclass
class LSServer:
    """The session's Label Studio: URL, admin API key (legacy token), two annotators who can log in."""

    url: str
    api_key: str
    annotators: list[Account]
    data_dir: Path
    paths: server.ServerPaths | None = None
    start_report: server.StartReport | None = None
    facts: dict[str, object] = field(default_factory=dict)  # how the start went, for test_server.py


def _unavailable(message: str, kind: str = "integration") -> None:
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"{message} (CI=true: {kind} tests must not be skipped)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """A headless Debian chromium driven by Python playwright (one per test module); in CI a missing one fails."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found: {CHROMIUM_HINT}", "browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Python playwright is missing: .venv/bin/uv pip install playwright", "browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def ls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LSServer]:
    """Start a real Label Studio once per session on its own data folder and port; stop it at the end.

    The parent environment carries stray USERNAME/PASSWORD/HOST/DEBUG values and the default port is
    held busy while it starts, so test_server.py can check that neither leaks nor confuses the start.
    """
    if not (LS_VENV / "bin" / "label-studio").exists():
        _unavailable(f"Label Studio is not installed in {LS_VENV}: run `make server-install`")
    paths = server.ServerPaths(tmp_path_factory.mktemp("ls-state"), LS_VENV)
    blocker = socket.socket()
    blocker.bind((server.HOST, 0))
    blocker.listen()
    busy_port = blocker.getsockname()[1]
    saved = {k: os.environ.get(k) for k in STRAY_ENV}
    os.environ.update(STRAY_ENV)
    try:
        try:
            report = server.start(paths, preferred_port=busy_port, timeout=SESSION_BOOT_TIMEOUT_S)  # busy: another
        except server.GoldkitError as e:
            _unavailable(f"the session Label Studio did not start: {e.message}")
            raise
    finally:
        blocker.close()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    try:
        annotators = [server.create_user(email, paths=paths) for email in ANNOTATOR_EMAILS]
        credentials = server.load_credentials(paths)
        assert credentials is not None and credentials.admin.token
        yield LSServer(
            report.url,
            credentials.admin.token,
            annotators,
            paths.data_dir,
            paths,
            report,
            {"busy_port": busy_port, "stray_env": dict(STRAY_ENV), "environ_before": saved},
        )
    finally:
        server.stop(paths)


@pytest.fixture(scope="session")
def ls_server_pg() -> Iterator[LSServer]:
    """A second real Label Studio for the session, on a PostgreSQL cluster goldkit starts itself.

    Its state folder is made outside pytest's tmp root (mode 0700), which the unprivileged cluster
    owner could not enter: a folder of its own, enterable (0711) but not listable by others.
    """
    import shutil
    import tempfile

    if not (LS_VENV / "bin" / "label-studio").exists():
        _unavailable(f"Label Studio is not installed in {LS_VENV}: run `make server-install`")
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        _unavailable("PostgreSQL is not installed: run `make postgres` (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="goldkit-pg-test-"))
    root.chmod(0o711)
    paths = server.ServerPaths(root / "state", LS_VENV)
    try:
        try:
            with socket.socket() as probe:  # not 8080: other sessions' servers may be booting for it
                probe.bind((server.HOST, 0))
                free = probe.getsockname()[1]
            report = server.start(paths, database="postgresql", preferred_port=free, timeout=SESSION_BOOT_TIMEOUT_S)
        except server.GoldkitError as e:
            _unavailable(f"the PostgreSQL Label Studio did not start: {e.message}")
            raise
        annotators = [server.create_user(email, paths=paths) for email in ANNOTATOR_EMAILS]
        credentials = server.load_credentials(paths)
        assert credentials is not None and credentials.admin.token
        yield LSServer(report.url, credentials.admin.token, annotators, paths.data_dir, paths, report)
    finally:
        server.stop(paths)
        shutil.rmtree(root, ignore_errors=True)
