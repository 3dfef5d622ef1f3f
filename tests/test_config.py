"""goldkit.toml is read: [labelstudio] and [release] settings become the commands' defaults; flags override."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from pathlib import Path

import pytest

from goldkit.cli.main import main
from goldkit.config import DEFAULT_LICENSE, current_config, project_config
from goldkit.errors import ConfigError
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio.projects import PROJECT_PREFIX, configured_prefix
from goldkit.paths import PROJECT_FILE

TEXT = "The ministers met in Riyadh on Thursday and agreed to work together on security and trade."


def _project(root: Path, body: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / PROJECT_FILE).write_text('[project]\nname = "t"\n\n' + body, encoding="utf-8")
    return root


@pytest.fixture
def in_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def make(body: str) -> Path:
        root = _project(tmp_path / "project", body)
        monkeypatch.setenv("GOLDKIT_ROOT", str(root))
        return root

    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    return make


def test_the_tables_become_settings_and_empty_strings_mean_unset(in_project) -> None:  # type: ignore[no-untyped-def]
    root = in_project(
        '[labelstudio]\nurl = "http://ls.example:8080"\nproject_prefix = ""\n\n'
        '[release]\nlicense = "cc-by-sa-4.0"\ncitation = "Cite us."\n'
    )
    config = project_config(root)
    assert config.labelstudio.url == "http://ls.example:8080" and config.labelstudio.project_prefix is None
    assert config.release.license == "cc-by-sa-4.0" and config.release.citation == "Cite us."
    assert config.release.pretty_name is None


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ('[release]\nlicence = "mit"\n', "licence"),  # a typo is named, not ignored
        ("[labelstudio]\nproject_prefix = 3\n", "project_prefix"),
        ('[labelstudio]\nurl = ["http://a", "http://b"]\n', "url"),
    ],
)
def test_a_wrong_setting_names_the_file_and_the_key(in_project, body: str, named: str) -> None:  # type: ignore[no-untyped-def]
    root = in_project(body)
    with pytest.raises(ConfigError) as error:
        project_config(root)
    assert str(root / PROJECT_FILE) in error.value.message and named in error.value.message


def test_outside_a_project_the_settings_are_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOLDKIT_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert current_config().labelstudio.url is None and configured_prefix() == PROJECT_PREFIX


def test_the_label_studio_url_is_the_flag_then_the_environment_then_goldkit_toml(  # type: ignore[no-untyped-def]
    in_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_project('[labelstudio]\nurl = "http://from-toml:8080/"\n')
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "k" * 40)
    assert lsclient.resolve() == ("http://from-toml:8080", "k" * 40)
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://from-env:8080")
    assert lsclient.resolve()[0] == "http://from-env:8080"
    assert lsclient.resolve("http://from-flag:8080")[0] == "http://from-flag:8080"


def test_the_project_prefix_is_the_flag_then_goldkit_toml_then_goldkit(in_project) -> None:  # type: ignore[no-untyped-def]
    in_project('[labelstudio]\nproject_prefix = "newsroom"\n')
    assert configured_prefix() == "newsroom" and configured_prefix("other") == "other"
    in_project('[labelstudio]\nproject_prefix = ""\n')
    assert configured_prefix() == PROJECT_PREFIX


def test_init_writes_every_setting_goldkit_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "new"), "--languages", "en", "--name", "newsroom"]) == 0
    capsys.readouterr()
    config = project_config(tmp_path / "new")
    assert config.labelstudio.project_prefix == "newsroom" and config.release.license == DEFAULT_LICENSE
    written = (tmp_path / "new" / PROJECT_FILE).read_text(encoding="utf-8")
    for name in ("url", "project_prefix", "license", "citation", "pretty_name"):
        assert f"\n{name} = " in written, name


@pytest.mark.integration
def test_push_takes_the_server_and_the_prefix_from_goldkit_toml(  # type: ignore[no-untyped-def]
    ls_server, in_project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = f"toml-{uuid.uuid4().hex[:8]}"
    root = in_project("")
    (root / PROJECT_FILE).unlink()
    assert main(["init", str(root), "--languages", "en"]) == 0
    capsys.readouterr()
    toml = (root / PROJECT_FILE).read_text(encoding="utf-8")
    toml = re.sub(r'\nurl = "".*', f'\nurl = "{ls_server.url}"', toml)
    toml = re.sub(r"\nproject_prefix = .*", f'\nproject_prefix = "{prefix}"', toml)
    (root / PROJECT_FILE).write_text(toml, encoding="utf-8")
    assert project_config(root).labelstudio.url == ls_server.url
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server.api_key)
    document = {
        "id": "meeting-" + hashlib.sha256(TEXT.encode()).hexdigest()[:8],
        "text": TEXT,
        "sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
        "language": "en",
        "title": "Ministers meet",
    }
    documents = root / "documents.jsonl"
    documents.write_text(json.dumps(document) + "\n", encoding="utf-8")
    assert main(["push", "--documents", str(documents), "--dry-run", "--json"]) == 0
    planned = json.loads(capsys.readouterr().out)
    assert planned["url"] == ls_server.url and [p["title"] for p in planned["projects"]] == [f"{prefix} · en"]
    assert main(["push", "--documents", str(documents), "--dry-run", "--json", "--project-prefix", "flag-x"]) == 0
    assert [p["title"] for p in json.loads(capsys.readouterr().out)["projects"]] == ["flag-x · en"]
    assert main(["status", "--json"]) == 1  # status reads the same prefix: no project titled '<prefix> · en' yet
    assert prefix in capsys.readouterr().err
