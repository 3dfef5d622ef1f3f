"""lsclient: where URL and key come from, which failures become which goldkit errors, GET-only retries."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from label_studio_sdk.core.api_error import ApiError

from goldkit.cli.errors import hint_for
from goldkit.errors import AuthError, ConfigError, LabelStudioError, NotFound, ServerNotRunning
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import server


@pytest.fixture(autouse=True)
def _hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_token_kind_tells_jwt_from_legacy() -> None:
    assert lsclient.token_kind("a" * 40) == "legacy token"
    assert lsclient.token_kind("eyJh.eyJz.sig") == "personal access token (JWT)"


def test_resolve_prefers_arguments_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://env:1/")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "envkey")
    assert lsclient.resolve() == ("http://env:1", "envkey")
    assert lsclient.resolve("http://arg:2", "argkey") == ("http://arg:2", "argkey")


def test_resolve_without_anything_says_how_to_start() -> None:
    with pytest.raises(ServerNotRunning) as caught:
        lsclient.resolve()
    assert "goldkit server start" in hint_for(caught.value)


def test_resolve_with_url_but_no_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        lsclient.resolve("http://127.0.0.1:1")
    assert "LABEL_STUDIO_API_KEY" in caught.value.message


def test_resolve_does_not_send_the_embedded_token_to_another_url() -> None:
    server.save_credentials(server.ServerPaths.default(), server.Credentials.generate())
    with pytest.raises(ConfigError):
        lsclient.resolve("http://elsewhere.example:8080")


def test_translate_maps_each_failure() -> None:
    url = "http://127.0.0.1:9"
    refused = lsclient.translate(httpx.ConnectError("refused"), url)
    assert isinstance(refused, ServerNotRunning)
    assert refused.message == f"Label Studio is not answering at {url} — start it with: goldkit server start"
    auth = lsclient.translate(ApiError(status_code=401, body={"detail": "Invalid token."}), url, "a.b.c")
    assert isinstance(auth, AuthError) and "personal access token (JWT)" in auth.message
    assert "LABEL_STUDIO_API_KEY" in hint_for(auth)
    missing = lsclient.translate(ApiError(status_code=404, body="gone"), url, "k", project_id=7)
    assert isinstance(missing, NotFound) and "project 7" in missing.message
    other = lsclient.translate(ApiError(status_code=500, body="boom"), url, "k")
    assert type(other) is LabelStudioError and "500" in other.message


def test_connect_to_a_closed_port_raises_server_not_running() -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(ServerNotRunning) as caught:
        lsclient.connect(url, "x" * 40)
    assert url in caught.value.message


def test_only_get_requests_are_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(lsclient.time, "sleep", sleeps.append)
    url = f"http://127.0.0.1:{_free_port()}/api/x"
    with httpx.Client(transport=lsclient.GetRetryTransport(retries=3, backoff_s=0.1)) as http:
        with pytest.raises(httpx.ConnectError):
            http.post(url, json={})
        assert sleeps == []
        with pytest.raises(httpx.ConnectError):
            http.get(url)
    assert sleeps == [0.1, 0.2, 0.4]


# ---------------------------------------------------------------- integration


@pytest.mark.integration
def test_connect_with_the_admin_token(ls_server) -> None:  # type: ignore[no-untyped-def]
    client = lsclient.connect(ls_server.url, ls_server.api_key)
    assert client.users.whoami().email == server.ADMIN_EMAIL


@pytest.mark.integration
def test_bad_token_is_an_auth_error_naming_the_kind(ls_server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AuthError) as caught:
        lsclient.connect(ls_server.url, "0" * 40)
    assert "refused the legacy token" in caught.value.message
    assert ls_server.api_key not in caught.value.message


@pytest.mark.integration
def test_environment_key_is_used(ls_server, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LABEL_STUDIO_URL", ls_server.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server.annotators[0].token)
    assert lsclient.connect().users.whoami().email == ls_server.annotators[0].email


@pytest.mark.integration
def test_export_of_a_missing_project_is_not_found(ls_server) -> None:  # type: ignore[no-untyped-def]
    client = lsclient.connect(ls_server.url, ls_server.api_key)
    with pytest.raises(NotFound) as caught:
        lsclient.export_project_json(client, 987654)
    assert "987654" in caught.value.message


@pytest.mark.integration
def test_export_returns_tasks_with_full_annotations(ls_server) -> None:  # type: ignore[no-untyped-def]
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    config = '<View><Labels name="l" toName="text"><Label value="A"/></Labels><Text name="text" value="$text"/></View>'
    project = admin.projects.create(title="lsclient export test", label_config=config)
    created = admin.projects.import_tasks(
        id=project.id, request=[{"data": {"text": "hello world"}}], return_task_ids=True
    )
    span = {"start": 0, "end": 5, "text": "hello", "labels": ["A"]}
    result = [{"id": "r1", "from_name": "l", "to_name": "text", "type": "labels", "value": span}]
    annotator = ls_server.annotators[1]
    lsclient.connect(ls_server.url, annotator.token).annotations.create(id=created.task_ids[0], result=result)
    tasks = lsclient.export_project_json(admin, project.id)
    assert [t["data"]["text"] for t in tasks] == ["hello world"]
    (annotation,) = tasks[0]["annotations"]
    assert annotation["result"][0]["id"] == "r1" and annotation["completed_by"] == annotator.user_id


@pytest.mark.integration
def test_personal_access_token_jwt_works(ls_server) -> None:  # type: ignore[no-untyped-def]
    annotator = ls_server.annotators[1]
    jwt = lsclient.connect(ls_server.url, annotator.token).tokens.create().token
    assert lsclient.token_kind(jwt) == "personal access token (JWT)"
    assert lsclient.connect(ls_server.url, jwt).users.whoami().email == annotator.email
