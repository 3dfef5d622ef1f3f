"""A project's settings: goldkit.toml at its root (name, languages, Label Studio, release defaults, ingest)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldkit.errors import ConfigError
from goldkit.paths import PROJECT_FILE, project_root

DIRECTIONS = ("ltr", "rtl")
INGEST_FIELDS = ("text", "id", "title", "date", "url", "language", "author")  # a dump's field map: --<key>-field


@dataclass(frozen=True)
class ProjectConfig:
    """What goldkit.toml says; every table is optional and falls back to goldkit's defaults."""

    name: str
    languages: dict[str, str] = field(default_factory=dict)  # language tag -> text direction
    labelstudio: dict[str, Any] = field(default_factory=dict)
    release: dict[str, Any] = field(default_factory=dict)
    ingest: dict[str, str] = field(default_factory=dict)  # field map for dumps: text_field = "body", ...
    path: Path | None = None


_read: dict[tuple[Path, int, int], ProjectConfig] = {}


def project_config(root: Path | None = None) -> ProjectConfig:
    """Read the project's goldkit.toml (cached while the file is unchanged); a folder without one has defaults."""
    root = root or project_root()
    path = root / PROJECT_FILE
    try:
        stat = path.stat()
    except FileNotFoundError:
        return ProjectConfig(name=root.name)
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _read:
        _read[key] = _parse(path, root)
    return _read[key]


def _parse(path: Path, root: Path) -> ProjectConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path} is not valid TOML: {e}", path=str(path), hint=f"fix {path} and run again") from e
    project = _table(data, "project", path)
    languages: dict[str, str] = {}
    for tag, value in _table(data, "languages", path).items():
        direction = value.get("direction") if isinstance(value, dict) else value
        if direction not in DIRECTIONS:
            raise ConfigError(
                f"{path}: [languages] {tag}: direction {direction!r} is not one of {', '.join(DIRECTIONS)}",
                path=str(path),
                got=direction,
                expected=list(DIRECTIONS),
                hint=f'write e.g. {tag} = {{ direction = "ltr" }} in {path}',
            )
        languages[str(tag)] = direction
    ingest = _table(data, "ingest", path)
    unknown = sorted(set(ingest) - {f"{name}_field" for name in INGEST_FIELDS})
    if unknown:
        raise ConfigError(
            f"{path}: [ingest] has unknown keys {unknown}",
            path=str(path),
            got=unknown,
            expected=[f"{name}_field" for name in INGEST_FIELDS],
            hint="the [ingest] table maps a dump's fields: " + ", ".join(f"{n}_field" for n in INGEST_FIELDS),
        )
    return ProjectConfig(
        name=str(project.get("name") or root.name),
        languages=languages,
        labelstudio=_table(data, "labelstudio", path),
        release=_table(data, "release", path),
        ingest={key: str(value) for key, value in ingest.items()},
        path=path,
    )


def _table(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: {name} must be a table ([{name}])", path=str(path), hint=f"fix {path}")
    return value
