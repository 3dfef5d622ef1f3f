"""Read and write JSON / JSONL atomically: a crash never leaves half a file."""

from __future__ import annotations

import gc
import json
import os
import shutil
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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a data file gets the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_folder(folder: Path, files: dict[str, str]) -> None:
    """Create `folder` holding `files` (name -> text) all at once: built beside it, then renamed into place."""
    if folder.exists():
        raise FileExistsError(f"{folder} exists already; goldkit never writes into an existing folder")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    try:
        for name, text in files.items():
            atomic_write_text(tmp / name, text)
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
