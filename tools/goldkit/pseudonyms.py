"""Annotator pseudonyms ('annotator_N'): the one mapping from accounts, kept in annotations/pseudonyms.json."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from goldkit.jsonio import read_json, write_json
from goldkit.paths import pseudonyms_path


def assign_pseudonyms(accounts: Iterable[str], path: Path | None = None, *, write: bool = True) -> dict[str, str]:
    """Return account -> 'annotator_N': earlier assignments kept, new accounts numbered on in sorted order.

    With write=False the new numbers are returned but not saved (release saves them once it is in place,
    and only into the project it releases: see release.build.ReleaseOptions.record_pseudonyms; a report
    never saves them).
    """
    path = path or pseudonyms_path()
    mapping: dict[str, str] = read_json(path) if path.is_file() else {}
    new = sorted(set(accounts) - mapping.keys())
    if new:
        for number, account in enumerate(new, len(mapping) + 1):
            mapping[account] = f"annotator_{number}"
        if write:
            write_json(path, mapping)
    return mapping
