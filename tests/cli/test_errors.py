"""The error table: real library errors get their next command from their type and fields, in the CLI's output."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from goldkit.cli import main as cli_main
from goldkit.cli.errors import BY_FIELDS, BY_TYPE, hint_for
from goldkit.errors import ConfigError, GoldkitError, InputError, ReleaseError, ServerNotRunning
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import server
from goldkit.release import hub
from goldkit.release.build import parse_version


def _raised(call) -> GoldkitError:  # type: ignore[no-untyped-def]
    with pytest.raises(GoldkitError) as caught:
        call()
    return caught.value


def test_hints_composed_from_the_fields_of_real_errors(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind((server.HOST, 0))
        sock.listen()
        busy = _raised(lambda: server.pick_port(sock.getsockname()[1]))
    paths = server.ServerPaths(tmp_path / "state", tmp_path / "venv")
    expected = {
        _raised(lsclient.resolve): (
            "start it with: goldkit server start (or set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY)"
        ),
        _raised(lambda: lsclient.resolve("http://127.0.0.1:1")): (
            "set LABEL_STUDIO_API_KEY to a personal access token (Account & Settings in Label Studio)"
        ),
        busy: "choose another port with --port, or leave --port out to let goldkit pick a free one",
        _raised(lambda: server.start(paths)): "install it with: goldkit server install",
        _raised(lambda: server.create_user("a@example.org", paths=paths)): "start it with: goldkit server start",
        _raised(lambda: parse_version("1.2")): "give MAJOR.MINOR.PATCH, e.g.: goldkit release 1.0.0",
        _raised(lambda: hub.plan_push(tmp_path, "no-slash")): "give OWNER/NAME, e.g. --push-to-hub my-org/news-claims",
        _raised(lambda: hub.plan_push(tmp_path, "org/name")): "build one first with: goldkit release 1.0.0",
    }
    for error, hint in expected.items():
        assert error.hint == "", f"{type(error).__name__}: the library composed a hint ({error.hint!r})"
        assert hint_for(error) == hint, error.message


def test_field_rules_come_before_a_library_hint_and_that_before_the_type_rule() -> None:
    assert hint_for(InputError("x", path="p", missing="documents")) == "ingest first with: goldkit ingest corpus/"
    assert hint_for(InputError("x", hint="do this")) == "do this"
    assert hint_for(InputError("x")) == "fix or remove the file named above and run the command again"
    assert hint_for(ServerNotRunning("down", url="http://h:1")) == (
        "start the embedded server with: goldkit server start"  # LabelStudioError's rule, inherited
    )
    assert hint_for(ReleaseError("x")) == "" and hint_for(ConfigError("x")) == ""


def test_every_rule_names_a_goldkit_error_and_says_something() -> None:
    for rule in [*BY_FIELDS, *BY_TYPE]:
        assert issubclass(rule.error, GoldkitError)
    for rule in BY_TYPE:
        assert rule.hint({}).strip()


def test_the_cli_prints_the_hint_after_the_message_and_in_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    assert cli_main.main(["validate", str(missing)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "→ check the path, then run: goldkit validate PATH"
    assert cli_main.main(["validate", str(missing), "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["error"] == "InputError" and document["missing"] == "records"
    assert document["hint"] == "check the path, then run: goldkit validate PATH"
