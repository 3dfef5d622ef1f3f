"""The committed releases in export/: they load with `datasets`, verify, and hold the gold they say."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest

from goldkit.generate.features import config_features
from goldkit.release.build import list_releases, verify_checksums

REPO = Path(__file__).resolve().parent.parent
EXPORT = REPO / "export"
RELEASES = list_releases(EXPORT)


def test_there_is_a_release():
    assert "1.0.0" in RELEASES


@pytest.mark.parametrize("version", RELEASES)
def test_release_files_match_their_checksums(version: str) -> None:
    assert verify_checksums(EXPORT / version) == []


@pytest.mark.parametrize("version", RELEASES)
def test_every_config_loads_with_the_schema_features(version: str, tmp_path: Path) -> None:
    manifest = json.loads((EXPORT / version / "release.json").read_text(encoding="utf-8"))
    for config, rows in manifest["rows"].items():
        loaded = datasets.load_dataset(str(EXPORT / version), config, split="test", cache_dir=str(tmp_path))
        assert loaded.features == config_features(manifest.get("row_format", 1))[config], config
        assert len(loaded) == rows, config


def test_the_latest_release_holds_the_current_gold(tmp_path: Path) -> None:
    """A gold edit is not published until it is released: this fails until `goldkit release` is run."""
    gold = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((REPO / "annotations" / "gold").glob("*.json"))
        if not p.name.endswith(".adjudication.json")
    ]
    latest = EXPORT / RELEASES[-1]
    claims = datasets.load_dataset(str(latest), "claims", split="test", cache_dir=str(tmp_path))
    assert sorted(claims["id"]) == sorted(c["id"] for record in gold for c in record["claims"])
    card = (latest / "README.md").read_text(encoding="utf-8")
    assert "**Adjudicated.**" in card and "AI assistant (Claude) acting as annotator A" in card
    assert "two runs of one model share its blind spots" in card  # what the agreement figures mean here
