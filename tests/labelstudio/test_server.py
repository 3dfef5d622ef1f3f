"""The embedded Label Studio: ports, environment, credentials, pid handling, and the real session server."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from goldkit.cli.errors import hint_for
from goldkit.cli.main import main
from goldkit.errors import ConfigError
from goldkit.labelstudio import server

# ---------------------------------------------------------------- unit


@pytest.fixture
def paths(tmp_path: Path) -> server.ServerPaths:
    return server.ServerPaths(tmp_path / "state", tmp_path / "venv")


def test_busy_requested_port_is_refused_with_a_hint() -> None:
    with socket.socket() as sock:
        sock.bind((server.HOST, 0))
        sock.listen()
        busy = sock.getsockname()[1]
        with pytest.raises(ConfigError) as caught:
            server.pick_port(busy)
    assert str(busy) in caught.value.message
    assert "--port" in hint_for(caught.value)


def test_busy_preferred_port_is_replaced_by_a_free_one() -> None:
    with socket.socket() as sock:
        sock.bind((server.HOST, 0))
        sock.listen()
        busy = sock.getsockname()[1]
        chosen = server.pick_port(None, preferred=busy)
        assert chosen != busy
        assert server.port_is_free(chosen)


def test_server_env_is_built_from_scratch(paths: server.ServerPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("USERNAME", "PASSWORD", "HOST", "PORT", "DEBUG", "DJANGO_DB"):
        monkeypatch.setenv(key, "stray")
    credentials = server.Credentials.generate()
    env = server.server_env(paths, credentials, 8123)
    assert not {"USERNAME", "PASSWORD", "HOST", "PORT", "DEBUG", "DJANGO_DB"} & env.keys()
    fixed = {"PATH", "HOME", "LANG", "COLLECT_ANALYTICS", "LATEST_VERSION_CHECK", "SENTRY_DSN"}
    fixed.add("DJANGO_SETTINGS_MODULE")  # gunicorn loads the WSGI app by this
    assert set(env) <= fixed | {k for k in env if k.startswith(("LABEL_STUDIO_", "FRONTEND_"))}
    assert env["LABEL_STUDIO_USER_TOKEN"] == credentials.admin.token
    assert env["LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK"] == "true"
    assert env["PATH"].startswith(str(paths.venv / "bin"))


def test_generated_token_is_40_hex_and_secrets_differ() -> None:
    one, two = server.Credentials.generate(), server.Credentials.generate()
    assert one.admin.token and len(one.admin.token) == 40
    int(one.admin.token, 16)
    assert one.admin.token != two.admin.token and one.admin.password != two.admin.password


def test_credentials_file_is_private_and_round_trips(paths: server.ServerPaths) -> None:
    credentials = server.Credentials.generate()
    credentials.annotators.append(server.Account("a@x.org", "pw", "tok", 3))
    server.save_credentials(paths, credentials)
    assert stat.S_IMODE(paths.credentials.stat().st_mode) == 0o600
    assert server.load_credentials(paths) == credentials


def test_database_without_credentials_is_an_error(paths: server.ServerPaths) -> None:
    paths.data_dir.mkdir(parents=True)
    (paths.data_dir / "label_studio.sqlite3").write_bytes(b"")
    (paths.venv / "bin").mkdir(parents=True)
    (paths.venv / "bin" / "label-studio").write_text("#!/bin/sh\n")
    (paths.venv / "bin" / "gunicorn").write_text("#!/bin/sh\n")
    with pytest.raises(ConfigError) as caught:
        server.start(paths)
    assert "credentials" in caught.value.message


def test_start_without_install_says_how_to_install(paths: server.ServerPaths) -> None:
    with pytest.raises(server.ServerError) as caught:
        server.start(paths)
    assert hint_for(caught.value) == "install it with: goldkit server install"


def test_stop_never_kills_a_process_that_is_not_our_server(paths: server.ServerPaths) -> None:
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        paths.state.mkdir(parents=True)
        paths.pid_file.write_text(json.dumps({"pid": stranger.pid, "port": 1, "url": "http://127.0.0.1:1"}))
        result = server.stop(paths)
        assert result["stopped"] is False and "not our server" in result["reason"]
        assert stranger.poll() is None  # still alive
        assert not paths.pid_file.exists()
    finally:
        stranger.kill()
        stranger.wait()


def _fake_server(paths: server.ServerPaths) -> subprocess.Popen[bytes]:
    """A process whose command line looks like our server's (label-studio … --data-dir DATA)."""
    paths.executable.parent.mkdir(parents=True, exist_ok=True)
    paths.executable.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(120)\n")
    paths.executable.chmod(0o755)
    paths.gunicorn.symlink_to(paths.executable)
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    command = [str(paths.executable), "start", "--data-dir", str(paths.data_dir)]
    return subprocess.Popen(command, start_new_session=True)


def test_a_gunicorn_server_and_its_workers_are_found_as_one(paths: server.ServerPaths) -> None:
    """The command line serve_command runs is recognised, and a forked worker is not reported as a server."""
    paths.data_dir.mkdir(parents=True)
    (paths.venv / "bin").mkdir(parents=True)
    fork_a_worker = "import os, time\nif os.fork() == 0:\n    time.sleep(60)\nelse:\n    time.sleep(60)\n"
    paths.gunicorn.write_text(f"#!{sys.executable}\n{fork_a_worker}")
    paths.gunicorn.chmod(0o755)
    data = f"LABEL_STUDIO_BASE_DATA_DIR={paths.data_dir.resolve()}"
    master = subprocess.Popen([str(paths.gunicorn), "core.wsgi:application", "--env", data], start_new_session=True)
    try:
        for _ in range(50):  # until the worker is forked
            if _children(master.pid):
                break
            time.sleep(0.1)
        assert _children(master.pid), "the fake worker did not start"
        assert server._servers_on_data_dir(paths) == [master.pid]
    finally:
        os.killpg(master.pid, signal.SIGKILL)
        master.wait()


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_stop_ends_our_server_and_removes_the_pid_file(paths: server.ServerPaths) -> None:
    fake = _fake_server(paths)
    try:
        paths.pid_file.write_text(json.dumps({"pid": fake.pid, "port": 1, "url": "http://127.0.0.1:1"}))
        assert server.status(paths).running
        assert server.stop(paths)["stopped"] is True
        assert fake.wait(timeout=10) is not None
        assert not paths.pid_file.exists()
    finally:
        fake.kill()
        fake.wait()


def test_start_refuses_a_second_server_on_the_same_data_dir(paths: server.ServerPaths) -> None:
    fake = _fake_server(paths)
    try:
        with pytest.raises(server.ServerError) as caught:
            server.start(paths)  # no pid file: found by its command line
        assert str(fake.pid) in caught.value.message
    finally:
        fake.kill()
        fake.wait()


def test_stop_without_pid_file_reports_not_running(paths: server.ServerPaths) -> None:
    assert server.stop(paths) == {"stopped": False, "reason": "not running (no pid file)"}


def test_status_of_a_stopped_server(paths: server.ServerPaths) -> None:
    report = server.status(paths)
    assert not report.running and not report.healthy and report.url is None
    assert report.credentials_path == str(paths.credentials)


def test_installed_version_reads_package_metadata(paths: server.ServerPaths) -> None:
    site = paths.venv / "lib" / "python3.11" / "site-packages" / "label_studio-9.9.9.dist-info"
    site.mkdir(parents=True)
    (site / "METADATA").write_text("Metadata-Version: 2.1\nName: label-studio\nVersion: 9.9.9\n")
    assert server.installed_version(paths) == "9.9.9"


def test_cli_status_never_prints_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    credentials = server.Credentials.generate()
    server.save_credentials(server.ServerPaths.default(), credentials)
    assert main(["server", "status", "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["running"] is False
    assert credentials.admin.token not in out and credentials.admin.password not in out


# ---------------------------------------------------------------- integration (the session server)


@pytest.mark.integration
def test_start_picked_a_free_port_and_verified_it(ls_server) -> None:  # type: ignore[no-untyped-def]
    report = ls_server.start_report
    assert report.port != ls_server.facts["busy_port"]
    assert report.url == f"http://{server.HOST}:{report.port}"
    assert httpx.get(f"{report.url}/health", timeout=10).status_code == 200


@pytest.mark.integration
def test_stray_environment_did_not_reach_the_server(ls_server) -> None:  # type: ignore[no-untyped-def]
    env = dict(
        item.split("=", 1)
        for item in Path(f"/proc/{ls_server.start_report.pid}/environ").read_text().split("\0")
        if "=" in item
    )
    for key in ls_server.facts["stray_env"]:
        assert key not in env
    who = httpx.get(f"{ls_server.url}/api/current-user/whoami", headers={"Authorization": f"Token {ls_server.api_key}"})
    assert who.json()["email"] == server.ADMIN_EMAIL


@pytest.mark.integration
def test_second_start_reports_the_running_server(ls_server) -> None:  # type: ignore[no-untyped-def]
    again = server.start(ls_server.paths)
    assert again.already_running and again.pid == ls_server.start_report.pid and again.url == ls_server.url


@pytest.mark.integration
def test_status_of_the_running_server(ls_server) -> None:  # type: ignore[no-untyped-def]
    report = server.status(ls_server.paths)
    assert report.running and report.healthy and report.url == ls_server.url
    assert report.version == server.LS_VERSION
    assert [a.email for a in ls_server.annotators] == report.annotators
    assert stat.S_IMODE(ls_server.paths.credentials.stat().st_mode) == 0o600


@pytest.mark.integration
def test_annotators_can_log_in_and_use_their_tokens(ls_server) -> None:  # type: ignore[no-untyped-def]
    for account in ls_server.annotators:
        with httpx.Client(base_url=ls_server.url, follow_redirects=True, timeout=30) as browser:
            page = browser.get("/user/login/")
            csrf = browser.cookies["csrftoken"]
            browser.post(
                "/user/login/",
                data={"csrfmiddlewaretoken": csrf, "email": account.email, "password": account.password},
                headers={"Referer": f"{ls_server.url}/user/login/"},
            )
            assert page.status_code == 200
            assert browser.get("/api/current-user/whoami").json()["email"] == account.email
        who = httpx.get(f"{ls_server.url}/api/current-user/whoami", headers={"Authorization": f"Token {account.token}"})
        assert who.json()["id"] == account.user_id


@pytest.mark.integration
def test_create_user_twice_returns_the_same_account(ls_server) -> None:  # type: ignore[no-untyped-def]
    first = ls_server.annotators[0]
    assert server.create_user(first.email, paths=ls_server.paths) == first


@pytest.mark.integration
def test_open_signup_is_closed(ls_server) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=ls_server.url, timeout=30) as browser:
        browser.get("/user/signup/")
        csrf = browser.cookies.get("csrftoken", "")
        answer = browser.post(
            "/user/signup/",
            data={"csrfmiddlewaretoken": csrf, "email": "walk-in@example.com", "password": "walk-in-pass-123"},
            headers={"Referer": f"{ls_server.url}/user/signup/"},
        )
    assert answer.status_code == 403


@pytest.mark.integration
def test_environment_is_restored_after_the_session_start(ls_server) -> None:  # type: ignore[no-untyped-def]
    """The session fixture set stray USERNAME/PASSWORD/HOST/DEBUG while the server started; they are gone again."""
    before = ls_server.facts["environ_before"]
    assert set(before) == set(ls_server.facts["stray_env"])
    assert {key: os.environ.get(key) for key in before} == before
