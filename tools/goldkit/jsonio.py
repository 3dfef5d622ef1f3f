"""Read and write JSON / JSONL atomically: a crash never leaves half a file."""

from __future__ import annotations

import gc
import heapq
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from goldkit.errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def dumps(obj: Any) -> str:
    """Serialize the one way goldkit writes JSON: UTF-8 text, stable key order as given, no ASCII escapes."""
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def atomic_write_text(path: Path, text: str) -> None:
    """Write text to path via a temporary file in the same folder and a rename."""
    atomic_write_lines(path, (text,))


def atomic_write_lines(path: Path, lines: Iterable[str]) -> None:
    """Write text given piece by piece (nothing held but the piece) to path, as atomic_write_text does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:  # name the file being written, not the temporary name nobody asked for
        raise OSError(e.errno, e.strerror, str(path)) from e
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(lines)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a data file gets the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _place_file(source: Path, target: Path) -> None:
    """Put a finished file at target: a hard link when on one file system (no copy), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    os.chmod(target, 0o666 & ~_umask())


def write_folder(folder: Path, files: dict[str, str | Path]) -> None:
    """Create `folder` holding `files` all at once: built beside it, then renamed into place.

    Each file is given as its text, or as the Path of a finished file (written elsewhere in bounded
    memory, e.g. by a SortedSpool) that is linked or copied in.
    """
    if folder.exists():
        raise FileExistsError(f"{folder} exists already; goldkit never writes into an existing folder")
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    except OSError as e:
        raise OSError(e.errno, e.strerror, str(folder)) from e
    try:
        for name, content in files.items():
            if isinstance(content, Path):
                _place_file(content, tmp / name)
            else:
                atomic_write_text(tmp / name, content)
        os.chmod(tmp, 0o777 & ~_umask())
        try:
            os.rename(tmp, folder)
        except OSError as e:
            if folder.exists():  # made meanwhile by another process (renaming onto a full folder fails)
                raise FileExistsError(f"{folder} exists already; goldkit never writes into an existing folder") from e
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def jsonl_text(rows: Iterable[Any]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, dumps(obj))


def write_jsonl(path: Path, rows: Iterable[Any]) -> None:
    atomic_write_text(path, jsonl_text(rows))


def read_json(path: Path) -> Any:
    """Read one JSON file; errors name the file, line and column."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError(f"{path}: no such file", path=str(path)) from e
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 at byte {e.start}", path=str(path), byte=e.start) from e
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}", path=str(path)) from e


def iter_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """Yield (line number, object) for each non-blank line; a broken line raises with its number."""
    try:
        fh = path.open(encoding="utf-8")
    except FileNotFoundError as e:
        raise InputError(f"{path}: no such file", path=str(path)) from e
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield lineno, json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(
                    f"{path}:{lineno}:{e.colno}: not valid JSON: {e.msg}", path=str(path), line=lineno
                ) from e


def read_records(path: Path) -> list[tuple[str, Any]]:
    """Read records from a .json (object or list) or .jsonl file as (location, record) pairs."""
    if path.suffix == ".jsonl":
        return [(f"{path}:{n}", obj) for n, obj in iter_jsonl(path)]
    data = read_json(path)
    if isinstance(data, list):
        return [(f"{path}[{i}]", obj) for i, obj in enumerate(data)]
    return [(str(path), data)]


RUN_BYTES = 32 * 2**20  # memory a SortedSpool's held rows may take before it writes a sorted run
# what a held row costs beyond its line's and key text's str objects: its tuple, arrival number and parsed
# key (measured with tracemalloc: 454 B a row of a [document, annotator] key and a 10-character field, of
# which the line and key text 221); counted so that many small rows (seen, documents) stay bounded too
ROW_OVERHEAD = 240
MERGE_FAN_IN = 16  # runs read at once: more are first merged into one (each open run holds its read buffer)


class SpoolBudget:
    """Rows that several SortedSpools hold between them: when their total reaches `run_bytes`, the
    spool holding the most writes its run. A pull's spools (records, quarantine, seen, drafts) share one, so
    its memory is one run's worth whichever of them grows (each with its own budget: up to one run each,
    and a bigger project fills more of them)."""

    def __init__(self, run_bytes: int | None = None) -> None:
        self.run_bytes = RUN_BYTES if run_bytes is None else run_bytes
        self.held = 0
        self.spools: list[SortedSpool] = []

    def spill(self) -> None:
        max(self.spools, key=lambda spool: spool._held)._spill()


class SortedSpool:
    """Rows put in key order in bounded memory: sorted runs spilled to files, merged when read back.

    A row is a key (any JSON value; rows compare by their keys as JSON reads them back, ties keep the
    order rows were added in) and fields, each one JSON text (json.dumps escapes newlines and tabs, so
    a row is one tab-separated line). At most `run_bytes` of held rows (their strings and containers,
    ROW_OVERHEAD a row) is held at a time, and at most MERGE_FAN_IN runs are open at once (when there
    are more, they are merged into one first): a pull of any size sorts its records and quarantine this
    way without holding them. With a `budget`, the spools sharing it hold at most its run_bytes together.
    """

    def __init__(
        self, folder: Path, name: str, run_bytes: int | None = None, budget: SpoolBudget | None = None
    ) -> None:
        self.budget = budget or SpoolBudget(run_bytes)
        self.budget.spools.append(self)
        self.folder, self.name, self.run_bytes = folder, name, self.budget.run_bytes
        self.count = 0
        self._buffer: list[tuple[Any, int, str]] = []  # (key, arrival number, "number\tkey\tfields")
        self._held = 0
        self._runs: list[Path] = []
        self.runs = 0  # sorted runs written so far (merges included)

    def add(self, key: Any, *fields: str) -> None:
        key_text = json.dumps(key, ensure_ascii=False)
        line = "\t".join((str(self.count), key_text, *fields))
        self._buffer.append((json.loads(key_text), self.count, line))
        self.count += 1
        cost = sys.getsizeof(line) + sys.getsizeof(key_text) + ROW_OVERHEAD  # bytes held, not characters
        self._held += cost
        self.budget.held += cost
        if self.budget.held >= self.run_bytes:
            self.budget.spill()

    def _spill(self) -> None:
        if len(self._runs) + 1 >= MERGE_FAN_IN:
            self._runs = [self._write_run(self._merged_runs())]
        self._buffer.sort(key=lambda row: (row[0], row[1]))
        self._runs.append(self._write_run(line for _, _, line in self._buffer))
        self.budget.held -= self._held
        self._buffer, self._held = [], 0

    def _write_run(self, lines: Iterable[str]) -> Path:
        path = self.folder / f"{self.name}-run-{self.runs:05d}.tsv"
        self.runs += 1
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(line + "\n" for line in lines)
        return path

    def _merged_runs(self) -> Iterator[str]:
        """The lines of every run so far, merged in order; each run's file is removed once read."""
        runs = [self._read_lines(path) for path in self._runs]
        for _, _, line in heapq.merge(*runs, key=lambda row: (row[0], row[1])):
            yield line
        for path in self._runs:
            path.unlink()

    @staticmethod
    def _read_lines(path: Path) -> Iterator[tuple[Any, int, str]]:
        with path.open(encoding="utf-8", newline="\n") as fh:
            for line in fh:
                number, key_text, _ = line.split("\t", 2)
                yield json.loads(key_text), int(number), line.rstrip("\n")

    @classmethod
    def _read_run(cls, path: Path) -> Iterator[tuple[Any, int, list[str]]]:
        for key, number, line in cls._read_lines(path):
            yield key, number, line.split("\t")[2:]

    def rows(self) -> Iterator[tuple[Any, list[str]]]:
        """Every row as (key, fields), in key order (ties: in the order added)."""
        self._buffer.sort(key=lambda row: (row[0], row[1]))
        held = ((key, number, line.split("\t")[2:]) for key, number, line in self._buffer)
        runs = [self._read_run(path) for path in self._runs]
        for key, _, fields in heapq.merge(*runs, held, key=lambda row: (row[0], row[1])):
            yield key, fields


GC_THRESHOLDS = (200_000, 30, 30)  # gc.set_threshold while holding much parsed JSON, as mypy's build sets it


@contextmanager
def rare_collections() -> Iterator[None]:
    """Run Python's cycle collector rarely inside the block, then as before.

    Parsed JSON is millions of small containers, none in a cycle. With the default thresholds (700, 10,
    10) the collector keeps walking all of them again: 1.1 s of a 4.1 s release of 100,000 claims, and
    a quarter of converting a 10,000-task export while it is held. mypy raises them the same way.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
