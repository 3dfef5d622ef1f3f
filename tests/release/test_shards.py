"""Sharded releases (layout 2): data/<config>/test-NNNNN-of-NNNNN.parquet, bounded row groups, same bytes on rebuild."""
# ruff: noqa: F811  (pytest fixtures imported from release_fixtures are redefined as arguments)

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import DatasetCard
from release_fixtures import FIXTURE, load, project  # noqa: F401

from goldkit.paths import release_config_files
from goldkit.release import shards
from goldkit.release.build import PARQUET_OPTIONS, ReleaseOptions, build_release, read_manifest, verify_checksums
from goldkit.release.diff import read_config

WITH_PULL = ReleaseOptions(annotations=FIXTURE / "pull")
CONFIGS = ["documents", "entities", "events", "claims", "links", "annotations"]
SHARD_NAME = re.compile(r"data/(\w+)/test-(\d{5})-of-(\d{5})\.parquet")


def _files(release: Path) -> list[str]:
    return sorted(p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file())


def test_a_new_release_is_laid_out_in_shards_as_the_hub_does(project: Path) -> None:
    report = build_release("1.0.0", WITH_PULL)
    manifest = read_manifest(report.path)
    assert manifest["layout"] == shards.SHARDED and manifest["row_format"] == 2
    expected = [f"data/{config}/test-00000-of-00001.parquet" for config in CONFIGS]
    top = ["CHANGELOG.md", "LICENSE.md", "README.md", "SHA256SUMS", "release.json", "schema/goldkit.schema.json"]
    assert _files(report.path) == sorted(expected + top)  # no flat <config>/test.parquet, no leftover partial file
    assert verify_checksums(report.path) == [] and set(report.files) == set(_files(report.path)) - {"SHA256SUMS"}
    card = (report.path / "README.md").read_text(encoding="utf-8")
    for config in CONFIGS:
        (path,) = release_config_files(report.path, config, "test")
        rows, size = pq.read_metadata(path).num_rows, path.stat().st_size
        assert rows == manifest["rows"][config]
        assert f"| `{config}` | `data/{config}/test-00000-of-00001.parquet` | {rows} | {size} |" in card, config


def test_a_rebuild_writes_the_same_bytes(project: Path, tmp_path: Path) -> None:
    first = build_release("1.0.0", ReleaseOptions(annotations=FIXTURE / "pull", out=tmp_path / "a"))
    second = build_release("1.0.0", ReleaseOptions(annotations=FIXTURE / "pull", out=tmp_path / "b"))
    assert _files(first.path) == _files(second.path)
    for name in _files(first.path):
        assert (first.path / name).read_bytes() == (second.path / name).read_bytes(), name


def test_many_small_shards_hold_every_row_once_in_order_and_load(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = build_release("1.0.0", ReleaseOptions(annotations=FIXTURE / "pull", out=tmp_path / "whole"))
    monkeypatch.setattr(shards, "SHARD_ROWS", 3)
    monkeypatch.setattr(shards, "ROW_GROUP_ROWS", 2)
    small = build_release("1.0.0", ReleaseOptions(annotations=FIXTURE / "pull", out=tmp_path / "small"))
    card = DatasetCard((small.path / "README.md").read_text(encoding="utf-8"))
    listed = re.findall(r"^\| `(\w+)` \| `(data/[^`]+)` \| (\d+) \| (\d+) \|$", card.text, flags=re.MULTILINE)
    for config in CONFIGS:
        files = release_config_files(small.path, config, "test")
        rows = small.rows[config]
        assert len(files) == max(1, -(-rows // 3)), config  # ceil(rows / 3) shards, one (empty) when no rows
        names = [SHARD_NAME.fullmatch(p.relative_to(small.path).as_posix()) for p in files]
        assert all(m and m[1] == config for m in names)
        assert [(int(m[2]), int(m[3])) for m in names if m] == [(i, len(files)) for i in range(len(files))]
        for path in files:
            metadata = pq.read_metadata(path)
            assert metadata.num_rows <= 3
            assert all(metadata.row_group(i).num_rows <= 2 for i in range(metadata.num_row_groups))
        assert [(c, f, int(n), int(b)) for c, f, n, b in listed if c == config] == [
            (config, p.relative_to(small.path).as_posix(), pq.read_metadata(p).num_rows, p.stat().st_size)
            for p in files
        ]
        # every row once, in the order of the one-shard release, read back through the shards and through datasets
        assert read_config(small.path, config) == read_config(whole.path, config), config
        assert load(small.path, config).to_list() == load(whole.path, config).to_list(), config
    assert sum(len(release_config_files(small.path, c, "test")) for c in CONFIGS) > len(CONFIGS)
    assert verify_checksums(small.path) == []


def test_load_dataset_reads_the_default_config_from_the_shards(project: Path) -> None:
    import datasets

    report = build_release("1.0.0", WITH_PULL)
    loaded = datasets.load_dataset(str(report.path), split="test", cache_dir=str(project / ".cache"))
    assert len(loaded) == report.rows["claims"] and "claimant_kind" in loaded.features  # claims is the default


def _table(values: list[int]) -> pa.Table:
    return pa.table({"n": pa.array(values, pa.int64()), "s": pa.array([f"row {v}" for v in values], pa.string())})


def test_the_shards_bytes_do_not_depend_on_how_the_rows_were_handed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shards, "SHARD_ROWS", 10)
    monkeypatch.setattr(shards, "ROW_GROUP_ROWS", 4)
    values = list(range(23))
    one = shards.write_shards(tmp_path / "one", "c", "test", [_table(values)], _table([]).schema, PARQUET_OPTIONS)
    pieces = [_table(values[a:b]) for a, b in ((0, 1), (1, 7), (7, 7), (7, 20), (20, 23))]
    many = shards.write_shards(tmp_path / "many", "c", "test", pieces, _table([]).schema, PARQUET_OPTIONS)
    assert [s.rows for s in one] == [10, 10, 3] and one == many
    for shard in one:
        assert (tmp_path / "one" / shard.file).read_bytes() == (tmp_path / "many" / shard.file).read_bytes()
    back = pa.concat_tables(pq.read_table(tmp_path / "one" / s.file) for s in one)
    assert back.column("n").to_pylist() == values
    assert sorted(p.name for p in (tmp_path / "one" / "data" / "c").iterdir()) == [Path(s.file).name for s in one]


def test_a_config_without_rows_is_one_empty_shard(tmp_path: Path) -> None:
    (shard,) = shards.write_shards(tmp_path, "links", "test", [], _table([]).schema, PARQUET_OPTIONS)
    assert shard.file == "data/links/test-00000-of-00001.parquet" and shard.rows == 0
    assert pq.read_table(tmp_path / shard.file).schema == _table([]).schema


def test_a_table_of_another_schema_is_refused(tmp_path: Path) -> None:
    writer = shards.ShardWriter(tmp_path, "c", "test", _table([]).schema, PARQUET_OPTIONS)
    with pytest.raises(ValueError, match="c: rows of another schema"):
        writer.write(pa.table({"n": pa.array([1], pa.int32())}))
