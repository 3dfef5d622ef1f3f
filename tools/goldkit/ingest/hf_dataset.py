"""Hugging Face dataset folders as ingest input, read with `datasets`.

Two layouts are recognised:
- a folder written by `Dataset.save_to_disk` / `DatasetDict.save_to_disk` (`state.json` and
  `dataset_info.json`, or `dataset_dict.json`), read with `datasets.load_from_disk`;
- a folder laid out as on the Hub: a dataset card (`README.md` opening with YAML metadata) beside
  Parquet or JSONL data files, read with `datasets.load_dataset(folder, config)` for each config the
  card declares (or the default one), every split in turn.

Each row is one document through the same field map as JSONL/CSV/Parquet dumps. Nothing is fetched:
`load_dataset` runs with the Hub offline and a throw-away cache, so the user's cache is not written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from goldkit.ingest.files import FileProblem, safe

SAVED_MARKERS = (("state.json", "dataset_info.json"), ("dataset_dict.json",))
DATA_SUFFIXES = (".parquet", ".jsonl", ".json")
CARD = "README.md"

Row = tuple[str, bytes, dict[str, Any] | FileProblem]


def is_saved_to_disk(folder: Path) -> bool:
    return any(all((folder / name).is_file() for name in names) for names in SAVED_MARKERS)


def is_hub_layout(folder: Path) -> bool:
    card = folder / CARD
    if not card.is_file() or card.is_symlink():
        return False
    with card.open("rb") as stream:
        if stream.read(4).rstrip(b"\r\n") != b"---":
            return False
    return any(path.suffix in DATA_SUFFIXES and path.is_file() for path in folder.rglob("*") if path.name != CARD)


def is_dataset_folder(path: Path) -> bool:
    """Say whether `path` is a real folder (not a link) holding a Hugging Face dataset goldkit can read."""
    return path.is_dir() and not path.is_symlink() and (is_saved_to_disk(path) or is_hub_layout(path))


@contextmanager
def _offline() -> Iterator[Path]:
    """Hub calls off and a cache of its own for the duration of a read."""
    saved = {key: os.environ.get(key) for key in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE")}
    os.environ.update({key: "1" for key in saved})
    try:
        with tempfile.TemporaryDirectory(prefix="goldkit-hf-") as cache:
            yield Path(cache)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _splits(folder: Path, cache: Path) -> Iterator[tuple[str, Any]]:
    """(name, Dataset) of every split of every config, in the folder's order."""
    import datasets

    if is_saved_to_disk(folder):
        loaded = datasets.load_from_disk(str(folder))
        if isinstance(loaded, datasets.DatasetDict):
            yield from loaded.items()
        else:
            yield "", loaded
        return
    configs = datasets.get_dataset_config_names(str(folder))
    for config in configs:
        loaded = datasets.load_dataset(str(folder), config, cache_dir=str(cache))
        for split, dataset in loaded.items():
            yield (f"{config}/{split}" if len(configs) > 1 else split), dataset


def dataset_rows(folder: Path) -> Iterator[Row]:
    """Yield (place, the bytes its sha256 is of, row) for every row; a folder datasets cannot read is one problem."""
    try:
        with _offline() as cache:
            number = 0
            for split, dataset in _splits(folder, cache):
                for row in dataset:
                    number += 1
                    where = f"{split} row {number}" if split else f"row {number}"
                    yield where, json.dumps(row, sort_keys=True, ensure_ascii=False, default=str).encode(), row
    except (ValueError, OSError, FileNotFoundError) as e:
        yield "", b"", FileProblem(f"not a dataset datasets can read ({safe(str(e)[:300])}) — check the folder")
    except Exception as e:  # datasets raises its own types (DatasetGenerationError, ...) for broken data files
        if type(e).__module__.split(".")[0] != "datasets":
            raise
        yield "", b"", FileProblem(f"not a dataset datasets can read ({type(e).__name__}: {safe(str(e)[:300])})")
