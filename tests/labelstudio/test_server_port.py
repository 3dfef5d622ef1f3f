"""The embedded server keeps its address: the port it bound last is reused, a taken one is reported."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from goldkit.labelstudio import server


@pytest.fixture
def paths(tmp_path: Path) -> server.ServerPaths:
    (tmp_path / "state").mkdir()
    return server.ServerPaths(tmp_path / "state", tmp_path / "venv")


@contextmanager
def busy_port(port: int = 0) -> Iterator[int]:
    """Hold a port (a listening socket) for the duration of the block."""
    with socket.socket() as sock:
        sock.bind((server.HOST, port))
        sock.listen()
        yield sock.getsockname()[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((server.HOST, 0))
        return int(sock.getsockname()[1])


def test_without_memory_the_preferred_port_is_used(paths: server.ServerPaths) -> None:
    preferred = free_port()
    assert server.last_port(paths) is None
    assert server.choose_port(paths, None, preferred) == (preferred, None)


def test_the_remembered_port_wins_over_the_default(paths: server.ServerPaths) -> None:
    remembered = free_port()
    paths.last_port_file.write_text(f"{remembered}\n")
    with busy_port() as default:
        assert server.choose_port(paths, None, default) == (remembered, None)


def test_a_taken_remembered_port_is_replaced_and_named(paths: server.ServerPaths) -> None:
    with busy_port() as taken:
        paths.last_port_file.write_text(f"{taken}\n")
        chosen, wanted = server.choose_port(paths, None, free_port())
    assert wanted == taken and chosen != taken


def test_an_explicit_port_ignores_the_memory(paths: server.ServerPaths) -> None:
    paths.last_port_file.write_text(f"{free_port()}\n")
    explicit = free_port()
    assert server.choose_port(paths, explicit) == (explicit, None)


@pytest.mark.parametrize("text", ["", "abc", "0", "70000", "-3"])
def test_a_damaged_memory_is_ignored(paths: server.ServerPaths, text: str) -> None:
    paths.last_port_file.write_text(text)
    assert server.last_port(paths) is None


@pytest.mark.integration
def test_restart_with_the_default_port_busy_keeps_the_url(ls_server) -> None:  # type: ignore[no-untyped-def]
    """The session server started with its default port busy; restarted with it busy again, same URL."""
    first = ls_server.start_report
    assert first.wanted_port == ls_server.facts["busy_port"]  # the first start said what it replaced
    assert server.last_port(ls_server.paths) == first.port
    server.stop(ls_server.paths)
    with busy_port() as default:
        second = server.start(ls_server.paths, preferred_port=default)
    assert second.url == first.url and second.wanted_port is None and not second.already_running
    assert httpx.get(f"{second.url}/health", timeout=10).status_code == 200
    ls_server.start_report = second  # later tests read the live server's pid
