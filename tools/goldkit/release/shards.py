"""Write one config's rows as Parquet shards, a row group at a time, and list the shards a release holds.

Layout 2 (release.json `"layout": 2`, every new release): each config's split is written as
data/<config>/<split>-NNNNN-of-NNNNN.parquet (goldkit.paths.release_shard_name), the Hub's own layout, so
`load_dataset` and the Hub's viewer read them through the card's data_files glob. Rows arrive as Arrow
tables of any size; they are cut into row groups of at most ROW_GROUP_ROWS rows (fewer once the rows
waiting reach ROW_GROUP_BYTES of Arrow data) and a shard is closed after SHARD_ROWS rows or once it holds
SHARD_BYTES of Arrow data, so the writer holds at most one row group and what the caller hands it. Cuts
depend on the rows and on the tables given, both fixed by the inputs, and the writer options are fixed, so
a rebuild writes the same bytes. Layout 1 (no `layout`: 1.0.0) is one file per config written whole.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from goldkit.errors import ReleaseError
from goldkit.paths import release_config_files, release_shard_name

FLAT, SHARDED = 1, 2
LAYOUT = SHARDED  # what new releases are written in
ROW_GROUP_ROWS = 64 * 1024
# A row group waits whole in memory and is copied once while written: 16 MiB keeps a release of a million
# claims as flat as one of 100,000 (the documents config, with texts, is the one that reaches it).
ROW_GROUP_BYTES = 16 * 1024 * 1024
SHARD_ROWS = 500_000
SHARD_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Shard:
    """One Parquet file of a release: its path inside the release ('/'-separated), rows and bytes on disk."""

    file: str
    rows: int
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "rows": self.rows, "bytes": self.bytes}


class ShardWriter:
    """Write a stream of Arrow tables (one schema) as the shards of one config's split inside `release`."""

    def __init__(self, release: Path, config: str, split: str, schema: pa.Schema, options: dict[str, Any]) -> None:
        self.release, self.config, self.split, self.schema = release, config, split, schema
        self.options = {k: v for k, v in options.items() if k != "row_group_size"}
        self.waiting: list[pa.Table] = []
        self.waiting_rows = self.waiting_bytes = 0
        self.written: list[tuple[Path, int]] = []  # closed shards under their temporary names, with rows
        self.writer: pq.ParquetWriter | None = None
        self.partial = release  # the open shard's temporary file (set when one is opened)
        self.shard_rows = self.shard_bytes = 0

    def write(self, table: pa.Table) -> None:
        """Add rows after those already written; a full row group goes to disk at once."""
        if table.schema != self.schema:
            raise ReleaseError(
                f"{self.config}: rows of another schema given to its shard writer",
                expected=str(self.schema),
                got=str(table.schema),
            )
        self.waiting.append(table)
        self.waiting_rows += table.num_rows
        self.waiting_bytes += table.nbytes
        while self.waiting_rows >= ROW_GROUP_ROWS or (self.waiting_rows and self.waiting_bytes >= ROW_GROUP_BYTES):
            self._flush(min(self.waiting_rows, ROW_GROUP_ROWS))

    def close(self) -> list[Shard]:
        """Write what is left, give the shards their final names (…-NNNNN-of-NNNNN) and return them in order."""
        while self.waiting_rows:
            self._flush(min(self.waiting_rows, ROW_GROUP_ROWS))
        if not self.written and self.writer is None:  # no rows: one empty shard keeps the config loadable
            self._open()
        self._close_shard()
        shards = []
        for index, (partial, rows) in enumerate(self.written):
            name = release_shard_name(self.config, self.split, index, len(self.written))
            os.replace(partial, self.release / name)
            shards.append(Shard(name, rows, (self.release / name).stat().st_size))
        return shards

    def _flush(self, rows: int) -> None:
        """Write the first `rows` waiting rows as one row group (split at a shard's end)."""
        waiting = pa.concat_tables(self.waiting) if len(self.waiting) > 1 else self.waiting[0]  # no copy
        group, rest = waiting.slice(0, rows), waiting.slice(rows)
        self.waiting = [rest] if rest.num_rows else []
        self.waiting_rows, self.waiting_bytes = rest.num_rows, rest.nbytes if rest.num_rows else 0
        while group.num_rows:
            writer = self.writer or self._open()
            take = min(group.num_rows, SHARD_ROWS - self.shard_rows)
            part = group.slice(0, take).combine_chunks()  # one row group's copy: its bytes never depend on chunks
            writer.write_table(part, row_group_size=take)
            self.shard_rows += take
            self.shard_bytes += part.nbytes
            group = group.slice(take)
            if self.shard_rows >= SHARD_ROWS or self.shard_bytes >= SHARD_BYTES:
                self._close_shard()

    def _open(self) -> pq.ParquetWriter:
        folder = (self.release / release_shard_name(self.config, self.split, 0, 1)).parent
        folder.mkdir(parents=True, exist_ok=True)
        self.partial = folder / f".{self.split}-{len(self.written):05d}.partial"
        self.writer = pq.ParquetWriter(self.partial, self.schema, **self.options)
        return self.writer

    def _close_shard(self) -> None:
        if self.writer is None:
            return
        self.writer.close()
        self.written.append((self.partial, self.shard_rows))
        self.writer, self.shard_rows, self.shard_bytes = None, 0, 0


def write_shards(
    release: Path, config: str, split: str, tables: Any, schema: pa.Schema, options: dict[str, Any]
) -> list[Shard]:
    """Write an iterable of Arrow tables as one config's shards; return the shards in row order."""
    writer = ShardWriter(release, config, split, schema, options)
    for table in tables:
        writer.write(table)
    return writer.close()


def list_shards(release: Path, config: str, split: str) -> list[Shard]:
    """The Parquet files of one config's split in a release (either layout), with rows and bytes."""
    return [
        Shard(path.relative_to(release).as_posix(), pq.read_metadata(path).num_rows, path.stat().st_size)
        for path in release_config_files(release, config, split)
    ]


def read_config_table(release: Path, config: str, split: str) -> pa.Table | None:
    """One config's split of a release as one Arrow table (either layout); None when the release has no such config."""
    files = release_config_files(release, config, split)
    if not files:
        return None
    return pa.concat_tables(pq.read_table(path) for path in files) if len(files) > 1 else pq.read_table(files[0])


def arrow_bytes(release: Path, config: str, split: str) -> int:
    """The Arrow size of one config's split read back, a row group at a time (bounded memory)."""
    total = 0
    for path in release_config_files(release, config, split):
        parquet = pq.ParquetFile(path)
        for group in range(parquet.num_row_groups):
            total += parquet.read_row_group(group, use_threads=False).nbytes
            pa.default_memory_pool().release_unused()  # else the allocator keeps every group's pages for a while
        if parquet.num_row_groups == 0:
            total += parquet.schema_arrow.empty_table().nbytes
    return total
