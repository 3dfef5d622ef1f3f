"""`goldkit init`: a new project with its settings, the default schema narrowed to its languages, its folders."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from goldkit import paths
from goldkit.cli import main as cli_main
from goldkit.config import project_config
from goldkit.generate import files, render
from goldkit.scaffold import init_project


@pytest.fixture(autouse=True)
def _no_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.ROOT_ENV, raising=False)


def test_init_writes_a_project_that_goldkit_finds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "news-claims"
    assert cli_main.main(["init", str(target), "--languages", "en,ar,fa", "--name", "News claims", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["languages"] == {"en": "ltr", "ar": "rtl", "fa": "rtl"}
    settings = tomllib.loads((target / "goldkit.toml").read_text(encoding="utf-8"))
    assert settings["project"]["name"] == "News claims"
    assert settings["languages"]["fa"] == {"direction": "rtl"}
    assert settings["release"]["license"] and "citation" in settings["release"]
    assert "project_prefix" in settings["labelstudio"]
    for folder in ("corpus", "annotations/gold", "export", "schema"):
        assert (target / folder).is_dir()
    assert ".goldkit/" in (target / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "goldkit ingest corpus/" in (target / "README.md").read_text(encoding="utf-8")
    schema = json.loads((target / "schema" / "goldkit.schema.json").read_text(encoding="utf-8"))
    assert [item["const"] for item in schema["$defs"]["Language"]["oneOf"]] == ["en", "ar", "fa"]
    assert paths.find_project(target / "corpus") == target.resolve()
    with paths.in_project(target):
        assert project_config().languages == {"en": "ltr", "ar": "rtl", "fa": "rtl"}
        assert files.check_drift() == []  # the generated files were rendered from its own schema
        assert "direction: rtl" in (target / "schema" / "labelstudio.fa.xml").read_text(encoding="utf-8")


def test_init_never_overwrites_a_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init_project(tmp_path)
    toml = (tmp_path / "goldkit.toml").read_bytes()
    assert cli_main.main(["init", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "never overwrites" in err and "goldkit.toml" in err
    assert (tmp_path / "goldkit.toml").read_bytes() == toml


@pytest.mark.parametrize("languages", ["", "en,en", "EN", "en,../x"])
def test_bad_languages_are_refused(tmp_path: Path, languages: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main(["init", str(tmp_path / "p"), "--languages", languages]) == 1
    assert "--languages" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_a_direction_in_goldkit_toml_wins(tmp_path: Path) -> None:
    init_project(tmp_path, languages=["en"])
    toml = tmp_path / "goldkit.toml"
    rtl = toml.read_text(encoding="utf-8").replace('en = { direction = "ltr" }', 'en = { direction = "rtl" }')
    toml.write_text(rtl, encoding="utf-8")
    with paths.in_project(tmp_path):
        assert render.direction("en") == "rtl"


def test_a_broken_goldkit_toml_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init_project(tmp_path, languages=["en"])
    (tmp_path / "goldkit.toml").write_text("[languages]\nen = { direction = 'up' }\n")
    assert cli_main.main(["--project", str(tmp_path), "schema", "render"]) == 1
    assert "direction 'up'" in capsys.readouterr().err


def test_init_copies_the_translations_so_the_configs_have_their_titles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Path(__file__).resolve().parents[1] / "schema"
    assert cli_main.main(["init", str(tmp_path / "both"), "--languages", "en,ar"]) == 0
    capsys.readouterr()
    l10n = json.loads((tmp_path / "both" / "schema" / "goldkit.l10n.json").read_text(encoding="utf-8"))
    assert l10n["ar"] == json.loads((repo / "goldkit.l10n.json").read_text(encoding="utf-8"))["ar"]
    # the same schema and words as this repository's: the same Arabic screen, Arabic titles included
    arabic = (tmp_path / "both" / "schema" / "labelstudio.ar.xml").read_text(encoding="utf-8")
    assert arabic == (repo / "labelstudio.ar.xml").read_text(encoding="utf-8")
    assert f'html="{l10n["ar"]["$defs/EventType/meeting"]["title"]}"' in arabic
    # a project without Arabic keeps no Arabic words (they would name a language its schema lacks)
    assert cli_main.main(["init", str(tmp_path / "enfa"), "--languages", "en,fa"]) == 0
    capsys.readouterr()
    l10n = json.loads((tmp_path / "enfa" / "schema" / "goldkit.l10n.json").read_text(encoding="utf-8"))
    assert set(l10n) == {"$comment"}
    assert (tmp_path / "enfa" / "schema" / "labelstudio.fa.xml").is_file()
    with paths.in_project(tmp_path / "enfa"):
        assert files.check_drift(tmp_path / "enfa") == []


def test_a_language_the_translations_lack_is_named_by_its_tag_and_said(tmp_path: Path) -> None:
    report = init_project(tmp_path / "p", languages=["en", "ar", "fa"])
    assert report.untranslated == ["ar: $defs/Language/fa"]
    l10n = json.loads((tmp_path / "p" / "schema" / "goldkit.l10n.json").read_text(encoding="utf-8"))
    assert l10n["ar"]["$defs/Language/fa"] == {"title": "fa", "description": "fa"}
    assert "$defs/EventType/meeting" in l10n["ar"] and "fa" not in l10n
