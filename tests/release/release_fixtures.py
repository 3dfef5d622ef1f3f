"""Shared fixtures of the release tests (imported by test_release, test_card, test_hub)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "release_gold"
EN = "meeting_en-1eab485f"
AR = "meeting_ar-be9fe12d"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A goldkit project in tmp_path with the release fixtures; HF caches kept inside it."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("annotations", "corpus"):
        shutil.copytree(FIXTURE / name, root / name)
    monkeypatch.setenv("GOLDKIT_ROOT", str(root))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf" / "datasets"))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return root


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run goldkit's real entry point."""
    import goldkit.cli.main as main_module

    return main_module.main


_loads = iter(range(1_000_000))


def load(release: Path, config: str):  # type: ignore[no-untyped-def]
    """datasets.load_dataset on a release folder, with a fresh cache (its cache key ignores the folder's place)."""
    import datasets

    cache = Path(os.environ["HF_DATASETS_CACHE"]) / f"load-{next(_loads)}"
    return datasets.load_dataset(str(release), config, split="test", cache_dir=str(cache))
