"""A project's settings: goldkit.toml at its root (name, languages, Label Studio, release defaults, ingest).

The one loader of goldkit.toml: commands take their defaults from here and their flags override them.
Label Studio's URL: --url, then $LABEL_STUDIO_URL, then [labelstudio] url, then the embedded server.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from goldkit.errors import ConfigError, ProjectNotFound
from goldkit.paths import PROJECT_FILE, project_root

DIRECTIONS = ("ltr", "rtl")
DEFAULT_LICENSE = "cc-by-4.0"  # of a release's annotations, when neither --license nor [release] license says
INGEST_FIELDS = ("text", "id", "title", "date", "url", "language", "author")  # a dump's field map: --<key>-field
# What made an annotator account's work, declared in [annotators."<account>"]: the card says what the roster says.
ANNOTATOR_KINDS = ("person", "ai_assistant", "model")


@dataclass(frozen=True)
class Annotator:
    """One roster entry: an account, what it is (a person, an AI assistant, a model) and how it worked."""

    account: str
    kind: str
    description: str

    @property
    def machine(self) -> bool:
        return self.kind != "person"


@dataclass(frozen=True)
class LabelStudioSettings:
    """[labelstudio]: None (or an empty string in the file) leaves the command's own default."""

    url: str | None = None  # after --url and $LABEL_STUDIO_URL, before the embedded server
    project_prefix: str | None = None  # projects are titled '<prefix> · <language>'


@dataclass(frozen=True)
class ReleaseSettings:
    """[release]: defaults of `goldkit release` (its --license flag overrides license)."""

    license: str | None = None  # license of the annotations (else DEFAULT_LICENSE)
    citation: str | None = None  # how to cite the dataset (BibTeX or a sentence), shown in the card
    pretty_name: str | None = None  # the card's title


@dataclass(frozen=True)
class ProjectConfig:
    """What goldkit.toml says; every table is optional and falls back to goldkit's defaults."""

    name: str
    languages: dict[str, str] = field(default_factory=dict)  # language tag -> text direction
    labelstudio: LabelStudioSettings = field(default_factory=LabelStudioSettings)
    release: ReleaseSettings = field(default_factory=ReleaseSettings)
    ingest: dict[str, str] = field(default_factory=dict)  # field map for dumps: text_field = "body", ...
    annotators: dict[str, Annotator] = field(default_factory=dict)  # the declared roster, by account
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


def current_config() -> ProjectConfig:
    """The current project's goldkit.toml, or goldkit's defaults outside any project (commands that need none)."""
    try:
        return project_config()
    except ProjectNotFound:
        return ProjectConfig(name="")


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
        labelstudio=LabelStudioSettings(**_settings(data, "labelstudio", LabelStudioSettings, path)),
        release=ReleaseSettings(**_settings(data, "release", ReleaseSettings, path)),
        ingest={key: str(value) for key, value in ingest.items()},
        annotators=_roster(_table(data, "annotators", path), path),
        path=path,
    )


def _roster(table: dict[str, Any], path: Path) -> dict[str, Annotator]:
    """[annotators."<account>"] kind = person | ai_assistant | model, description = how it worked."""
    roster = {}
    for account, entry in table.items():
        kind = entry.get("kind") if isinstance(entry, dict) else None
        description = entry.get("description") if isinstance(entry, dict) else None
        if kind not in ANNOTATOR_KINDS or not isinstance(description, str) or not description.strip():
            raise ConfigError(
                f"{path}: [annotators.{account!r}] needs kind (one of {', '.join(ANNOTATOR_KINDS)}) and a description",
                path=str(path),
                got=entry,
                expected=list(ANNOTATOR_KINDS),
                hint=f'write [annotators."{account}"] kind = "person" and description = "..." in {path}',
            )
        roster[str(account)] = Annotator(str(account), kind, description.strip())
    return roster


def _table(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: {name} must be a table ([{name}])", path=str(path), hint=f"fix {path}")
    return value


def _settings(data: dict[str, Any], name: str, kind: type, path: Path) -> dict[str, str | None]:
    """The string settings of one table, checked against its dataclass's fields (empty strings: not set)."""
    table = _table(data, name, path)
    known = [f.name for f in fields(kind)]
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ConfigError(
            f"{path}: [{name}] has unknown keys {unknown}",
            path=str(path),
            got=unknown,
            expected=known,
            hint=f"the [{name}] table holds: {', '.join(known)}",
        )
    for key, value in table.items():
        if not isinstance(value, str):
            raise ConfigError(
                f"{path}: [{name}] {key} must be a string, got {value!r}",
                path=str(path),
                got=value,
                expected="string",
                hint=f'write {key} = "..." in {path}',
            )
    return {key: value.strip() or None for key, value in table.items()}


def roster_note(annotator: Annotator) -> str:
    """The provenance note that says what made a record: the roster's kind and description."""
    return f"{annotator.kind.replace('_', ' ')}: {annotator.description}"


def stamp_roster(records: list[dict[str, Any]], roster: dict[str, Annotator] | None = None) -> int:
    """Note in each record's provenance what its annotator is, per the roster (in place); return how many.

    A record that already carries a note keeps it (a reviewer's or an earlier stamp); only the roster's own
    words are written, so nothing is guessed.
    """
    roster = project_config().annotators if roster is None else roster
    stamped = 0
    for record in records:
        provenance = record.get("provenance")
        entry = roster.get(str(provenance.get("annotator"))) if isinstance(provenance, dict) else None
        if entry is not None and isinstance(provenance, dict) and not provenance.get("note"):
            provenance["note"] = roster_note(entry)
            stamped += 1
    return stamped
