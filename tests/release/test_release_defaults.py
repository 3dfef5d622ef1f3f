"""`goldkit release` takes license, citation and the card's title from goldkit.toml [release]; its flags win."""
# ruff: noqa: F811  (pytest fixtures imported from release_fixtures are redefined as arguments)

from __future__ import annotations

import json
from pathlib import Path

import pytest
from huggingface_hub import DatasetCard
from release_fixtures import cli, project  # noqa: F401

from goldkit.config import DEFAULT_LICENSE
from goldkit.paths import PROJECT_FILE, SCHEMA_FILE, schema_path
from goldkit.release.build import ReleaseOptions, build_release

CITATION = "@article{newsroom2026,\n  title = {A newsroom's claims},\n  year = {2026}\n}"


def _settings(project: Path, release: str) -> None:
    schema = schema_path().read_bytes()  # a project with goldkit.toml reads its own schema
    (project / SCHEMA_FILE).parent.mkdir(parents=True, exist_ok=True)
    (project / SCHEMA_FILE).write_bytes(schema)
    (project / PROJECT_FILE).write_text(f'[project]\nname = "newsroom"\n\n[release]\n{release}', encoding="utf-8")


def _card(release: Path) -> str:
    return (release / "README.md").read_text(encoding="utf-8")


def test_the_card_says_what_goldkit_toml_says(project: Path) -> None:
    _settings(
        project, f'license = "cc-by-sa-4.0"\ncitation = {json.dumps(CITATION)}\npretty_name = "Newsroom claims"\n'
    )
    report = build_release("1.0.0", ReleaseOptions(no_text=True))
    card = DatasetCard(_card(report.path))
    assert card.data.license == "cc-by-sa-4.0" and card.data.pretty_name == "Newsroom claims"
    citation = card.text[card.text.index("## Citation") :]
    assert citation.index(CITATION) < citation.index("This version:") < citation.index("@misc{goldkit_")
    assert "title = {{Newsroom claims}}" in citation and "Annotations under cc-by-sa-4.0" in citation
    assert "`cc-by-sa-4.0`" in (report.path / "LICENSE.md").read_text(encoding="utf-8")


def test_without_settings_goldkit_s_defaults_hold(project: Path) -> None:
    report = build_release("1.0.0", ReleaseOptions(no_text=True))
    card = DatasetCard(_card(report.path))
    assert card.data.license == DEFAULT_LICENSE and card.data.pretty_name.startswith("goldkit news events")
    assert "Please cite the dataset as" not in card.text


def test_the_flags_override_goldkit_toml(project: Path, cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    _settings(project, 'license = "cc-by-sa-4.0"\ncitation = "Cite the newsroom."\npretty_name = "Newsroom"\n')
    args = ["release", "1.0.0", "--no-text", "--json", "--license", "cc0-1.0", "--pretty-name", "Flagged"]
    assert cli([*args, "--citation", "Cite the flag."]) == 0
    card = DatasetCard(_card(Path(json.loads(capsys.readouterr().out)["path"])))
    assert (card.data.license, card.data.pretty_name) == ("cc0-1.0", "Flagged")
    assert "Cite the flag." in card.text and "newsroom" not in card.text.lower()
