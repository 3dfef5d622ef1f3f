"""Build versioned dataset releases from the gold: export/<VERSION>/, loadable with datasets.load_dataset.

A release is built in a hidden folder inside export/ and renamed into place at the very end, so a crash
leaves no partial version. The Parquet files depend only on the inputs (stable row order, fixed writer
options, no timestamps), so the same inputs give byte-identical files.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from goldkit.config import DEFAULT_LICENSE, current_config
from goldkit.errors import ConflictError, InputError, ReleaseError
from goldkit.generate.features import ROW_FORMAT
from goldkit.jsonio import atomic_write_text, rare_collections, read_json, write_json
from goldkit.paths import export_dir, pseudonyms_path, release_config_files, schema_path
from goldkit.release import rows as release_rows
from goldkit.release import shards as release_shards
from goldkit.release import stream as release_stream
from goldkit.release import tables as release_tables
from goldkit.release.stats import TableStats
from goldkit.schema.loading import load_schema, pinned_schema, schema_version

SPLIT = "test"  # gold is evaluation data: see the card's "Splits" section
MANIFEST = "release.json"
CHANGELOG = "CHANGELOG.md"
CHECKSUMS = "SHA256SUMS"
SCHEMA_COPY = Path("schema") / "goldkit.schema.json"
BUILDING_PREFIX = ".building-"
PAUSE_ENV = "GOLDKIT_TEST_PAUSE_BEFORE_RENAME"  # a file descriptor: tests kill a release midway (below)
# Fixed so the bytes depend on the data only (pyarrow records its own version in the footer).
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "row_group_size": 64 * 1024,
}
_SEMVER = re.compile(r"v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


@dataclass(frozen=True)
class ReleaseOptions:
    """Where the inputs are and how to build the release (None: the project's default paths)."""

    gold: Path | None = None
    documents: Path | None = None
    annotations: Path | None = None
    agreement: Path | None = None
    no_text: bool = False
    out: Path | None = None
    date: str | None = None
    # None: goldkit.toml's [release] says (license, citation, pretty_name), else goldkit's default
    license: str | None = None
    citation: str | None = None
    pretty_name: str | None = None
    repo_id: str | None = None
    annotations_creators: str | None = None
    # Save the pseudonyms of new annotators in annotations/pseudonyms.json (a tracked file outside the
    # release): None = only when releasing into the project's own export/ folder, never for --out elsewhere.
    record_pseudonyms: bool | None = None
    # The row shapes to write (goldkit.generate.features: ROW_FORMAT for new releases; 1 rebuilds 1.0.0).
    row_format: int = ROW_FORMAT
    # How the files are laid out (goldkit.release.shards: LAYOUT, shards under data/, for new releases; 1, one
    # <config>/test.parquet each, rebuilds 1.0.0). recorded_format() reads both from a release's release.json.
    layout: int = release_shards.LAYOUT


@dataclass
class ReleaseReport:
    """What a release wrote: where, how many rows per config, and how it differs from the previous one."""

    version: str
    path: Path
    previous: str | None
    rows: dict[str, int]
    files: dict[str, str]
    changes: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    pseudonyms_recorded: list[str] = field(default_factory=list)  # pseudonyms added to annotations/pseudonyms.json

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "path": str(self.path),
            "previous": self.previous,
            "rows": self.rows,
            "files": self.files,
            "changes": self.changes,
            "warnings": self.warnings,
            "pseudonyms_recorded": self.pseudonyms_recorded,
        }


# ---- versions ----------------------------------------------------------------------------------


def parse_version(version: str) -> tuple[int, int, int]:
    """Return (major, minor, patch) of 'X.Y.Z' or 'vX.Y.Z'; raise ReleaseError otherwise."""
    match = _SEMVER.fullmatch(version.strip())
    if not match:
        raise ReleaseError(f"{version!r} is not a semantic version", expected="MAJOR.MINOR.PATCH", got=version)
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def version_name(version: str) -> str:
    """Return the folder name of a version: 'v1.2.0' -> '1.2.0'."""
    return "{}.{}.{}".format(*parse_version(version))


def list_releases(export: Path | None = None) -> list[str]:
    """Return the versions released in export/, oldest first (hidden build folders are not versions)."""
    export = export or export_dir()
    if not export.is_dir():
        return []
    names = [p.name for p in export.iterdir() if p.is_dir() and _SEMVER.fullmatch(p.name) and p.name[0] != "v"]
    return sorted(names, key=parse_version)


def check_version(version: str, export: Path, new_schema: str) -> str | None:
    """Check the promises a new version makes; return the previous version (None for the first)."""
    released = list_releases(export)
    if version in released:
        raise ConflictError(
            f"release {version} already exists in {export / version}; a published version is never overwritten",
            hint=f"release a new version instead, e.g.: goldkit release {_bump(released[-1], 2)}",
            path=str(export / version),
        )
    previous = released[-1] if released else None
    if previous is None:
        return None
    if parse_version(version) < parse_version(previous):
        raise ReleaseError(
            f"version {version} is lower than the latest release {previous}",
            hint=f"use a higher version, e.g.: goldkit release {_bump(previous, 2)}",
            expected=f"> {previous}",
            got=version,
        )
    old_schema = read_manifest(export / previous)["schema_version"]
    if (
        parse_version(new_schema)[0] > parse_version(old_schema)[0]
        and parse_version(version)[0] <= parse_version(previous)[0]
    ):
        raise ReleaseError(
            f"the schema went from {old_schema} to {new_schema} (a major change): the release needs a major bump",
            hint=f"run: goldkit release {_bump(previous, 0)}",
            expected=f">= {_bump(previous, 0)}",
            got=version,
        )
    return previous


def _bump(version: str, part: int) -> str:
    numbers = list(parse_version(version))
    numbers[part] += 1
    numbers[part + 1 :] = [0] * (2 - part)
    return "{}.{}.{}".format(*numbers)


def read_manifest(release_dir: Path) -> dict[str, Any]:
    """Read a release's release.json."""
    return read_json(release_dir / MANIFEST)


# ---- writing -----------------------------------------------------------------------------------


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write a table with the fixed options that make the bytes reproducible."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, **PARQUET_OPTIONS)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksums(folder: Path) -> dict[str, str]:
    """Write SHA256SUMS (sha256sum -c format) over every file of folder; return path -> sha256."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != CHECKSUMS)
    sums = {p.relative_to(folder).as_posix(): sha256_file(p) for p in files}
    atomic_write_text(folder / CHECKSUMS, "".join(f"{sha}  {name}\n" for name, sha in sums.items()))
    return sums


def verify_checksums(folder: Path) -> list[str]:
    """Return the files of a release whose sha256 no longer matches SHA256SUMS (missing files included)."""
    bad = []
    for line in (folder / CHECKSUMS).read_text(encoding="utf-8").splitlines():
        sha, name = line.split("  ", 1)
        if not (folder / name).is_file() or sha256_file(folder / name) != sha:
            bad.append(name)
    return bad


# ---- the release -------------------------------------------------------------------------------


def build_release(
    version: str, options: ReleaseOptions = ReleaseOptions(), progress: Callable[[int, int | None], None] | None = None
) -> ReleaseReport:
    """Build export/<version>/ from the gold; refuse to overwrite, to go backwards or to release nothing new."""
    with rare_collections(), pinned_schema():
        return _build_release(version, as_published(version, with_project_defaults(options)), progress)


def as_published(version: str, options: ReleaseOptions) -> ReleaseOptions:
    """A version already in the project's export/, rebuilt into another folder, keeps the row format and layout its
    release.json recorded (a rebuild gives its bytes back); options asking for another format are left alone."""
    published = export_dir() / version_name(version)
    current = (options.row_format, options.layout) == (ROW_FORMAT, release_shards.LAYOUT)
    if options.out is None or not current or not (published / MANIFEST).is_file():
        return options
    recorded = recorded_format(read_manifest(published))
    return replace(options, row_format=recorded["row_format"], layout=recorded["layout"])


def with_project_defaults(options: ReleaseOptions) -> ReleaseOptions:
    """Fill what the options leave unset from goldkit.toml's [release] table, then from goldkit's defaults."""
    settings = current_config().release
    return replace(
        options,
        license=options.license or settings.license or DEFAULT_LICENSE,
        citation=options.citation or settings.citation,
        pretty_name=options.pretty_name or settings.pretty_name,
    )


def _build_release(
    version: str, options: ReleaseOptions, progress: Callable[[int, int | None], None] | None
) -> ReleaseReport:
    from goldkit.release import card, card_sections
    from goldkit.release import diff as release_diff  # these load datasets and huggingface_hub: only to build

    version = version_name(version)
    export = options.out or export_dir()
    schema = load_schema()
    previous = check_version(version, export, schema_version(schema))
    # 1.0.0's flat layout is rebuilt from the whole gold, as it was written; shards are written as the gold is read
    whole = release_rows.load_gold(options) if options.layout == release_shards.FLAT else None
    created = not export.exists()
    export.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(export)
    building = export / f"{BUILDING_PREFIX}{version}-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    try:
        gold, stats = _write_tables(whole, options, building, progress)
        (building / SCHEMA_COPY).parent.mkdir(parents=True)
        shutil.copyfile(schema_path(), building / SCHEMA_COPY)
        changes = release_diff.diff_releases(export / previous, building, options.row_format) if previous else None
        if changes is not None and changes.is_empty():
            raise ReleaseError(
                f"nothing changed since release {previous}: same data and same schema",
                hint="change the gold or the schema first, then run: goldkit release " + _bump(previous or version, 2),
            )
        manifest = _manifest(version, previous, gold, stats, options)
        write_json(building / MANIFEST, manifest)
        old_log = (export / previous / CHANGELOG).read_text(encoding="utf-8") if previous else None
        atomic_write_text(building / CHANGELOG, card.render_changelog(manifest, changes, old_log))
        history = [read_manifest(export / v) for v in list_releases(export)] + [manifest]
        sizes = card_sections.measure_sizes(building, list(manifest["rows"]), SPLIT)
        shards = {config: release_shards.list_shards(building, config, SPLIT) for config in manifest["rows"]}
        readme = card.render_card(manifest, gold, stats, history, options, sizes, shards)
        atomic_write_text(building / "README.md", readme)
        atomic_write_text(
            building / card_sections.LICENSE_FILE,
            card_sections.render_license(options.license or DEFAULT_LICENSE, manifest["stand_off"], version),
        )
        files = write_checksums(building)
        _pause_for_tests()
        _move_into_place(building, export / version)
    except OSError as e:
        shutil.rmtree(building, ignore_errors=True)
        if e.filename and Path(e.filename).is_relative_to(building):  # name the release, not the build folder
            raise OSError(e.errno, e.strerror, str(export / version)) from e
        raise
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        if created and not any(export.iterdir()):  # a release that failed leaves no export/ it made
            export.rmdir()
        raise
    changed = changes.to_dict() if changes else None
    report = ReleaseReport(version, export / version, previous, manifest["rows"], files, changed, gold.warnings)
    record = options.record_pseudonyms
    if gold.new_pseudonyms and (record or (record is None and export.resolve() == export_dir().resolve())):
        write_json(pseudonyms_path(), gold.pseudonyms)
        report.pseudonyms_recorded = sorted(gold.new_pseudonyms.values(), key=lambda s: (len(s), s))
    return report


def _write_tables(
    whole: release_rows.Gold | None,
    options: ReleaseOptions,
    folder: Path,
    progress: Callable[[int, int | None], None] | None,
) -> tuple[release_rows.Gold, TableStats]:
    """Write every config into folder: the whole gold's tables in one file each (layout 1, `whole` given), else
    shards written chunk by chunk as goldkit.release.stream reads the gold. Returns the gold and the card's counts."""
    keep_text, row_format, stats = not options.no_text, options.row_format, TableStats()
    if whole is not None:
        total = len(release_tables.config_names(whole))
        for done, (config, table) in enumerate(release_tables.build_tables(whole, keep_text, row_format), 1):
            write_parquet(table, folder / config / f"{SPLIT}.parquet")
            stats.add(config, table)
            if progress:
                progress(done, total)
        return whole, stats
    features = release_tables.release_features(row_format)
    writers: dict[str, release_shards.ShardWriter] = {}

    def write(config: str, table: pa.Table) -> None:
        if config not in writers:
            writers[config] = release_shards.ShardWriter(
                folder, config, SPLIT, features[config].arrow_schema, PARQUET_OPTIONS
            )
        writers[config].write(table)
        stats.add(config, table)

    def write_chunk(chunk: release_stream.Chunk) -> None:
        records, documents = [record for record, _ in chunk], [document for _, document in chunk]
        for config, table in release_tables.record_tables(records, documents, keep_text, row_format):
            write(config, table)

    gold = release_stream.stream_gold(options, write_chunk)
    configs = release_tables.config_names(gold)
    for config, table in release_tables.small_tables(gold, keep_text, row_format):
        write(config, table)
    for done, config in enumerate(configs, 1):
        if config not in writers:  # a config no chunk reached: its rows are none, written as one empty shard
            write(config, features[config].arrow_schema.empty_table())
        writers[config].close()
        if progress:
            progress(done, len(configs))
    return gold, stats


def _manifest(
    version: str, previous: str | None, gold: release_rows.Gold, stats: TableStats, options: ReleaseOptions
) -> dict[str, Any]:
    return {
        "version": version,
        "previous": previous,
        "schema_version": schema_version(),
        "date": options.date or gold.date,
        "split": SPLIT,
        "stand_off": options.no_text,
        "rows": {config: stats.rows[config] for config in release_tables.config_names(gold)},
        "documents": dict(sorted(gold.summary.shas.items())),
    } | recorded_keys(options.row_format, options.layout)


def recorded_keys(row_format: int, layout: int) -> dict[str, int]:
    """What release.json records of the format: row_format and layout, each only past 1 (1.0.0's has neither)."""
    return ({"row_format": row_format} if row_format > 1 else {}) | ({"layout": layout} if layout > 1 else {})


def row_format(release_dir: Path) -> int:
    """The row format a release was written in (release.json's row_format; absent: 1)."""
    return int(read_manifest(release_dir).get("row_format", 1))


def recorded_format(manifest: dict[str, Any]) -> dict[str, int]:
    """The ReleaseOptions that rebuild a release as it was written: its row format and file layout (absent: 1)."""
    return {"row_format": int(manifest.get("row_format", 1)), "layout": int(manifest.get("layout", 1))}


def _move_into_place(building: Path, target: Path) -> None:
    try:
        building.rename(target)  # atomic; fails if another process released the same version meanwhile
    except OSError as e:
        raise ConflictError(
            f"{target} appeared while this release was being built; it was not overwritten",
            hint="check who released it, then release a higher version",
            path=str(target),
        ) from e


def _remove_stale_builds(export: Path) -> None:
    """Remove build folders left by releases that were killed (their process is gone)."""
    for folder in export.glob(f"{BUILDING_PREFIX}*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pause_for_tests() -> None:
    """With PAUSE_ENV naming an inherited pipe: say so on it when only the rename is left, then wait to be killed.

    The test waits for that byte (an event, not a time), so however slow the machine it kills the release
    exactly between its last write and the rename.
    """
    if fd := os.environ.get(PAUSE_ENV):
        os.write(int(fd), b"paused before the rename\n")
        threading.Event().wait()


# ---- stand-off: attach the texts again ---------------------------------------------------------


@dataclass
class AttachReport:
    """Where the texts were attached and for how many documents."""

    release: Path
    out: Path
    documents: int

    def to_dict(self) -> dict[str, Any]:
        return {"release": str(self.release), "out": str(self.out), "documents": self.documents}


def attach(release: Path, corpus: Path, out: Path) -> AttachReport:
    """Copy a stand-off release to out/ with texts and span texts read from the user's corpus files."""
    if out.exists():
        raise ConflictError(f"{out} already exists; attach writes a new folder", hint="choose another --out")
    documents = release_shards.read_config_table(release, "documents", SPLIT)
    texts = release_rows.read_corpus_texts(documents.to_pylist() if documents else [], corpus)
    building = out.parent / f"{BUILDING_PREFIX}{out.name}-{os.getpid()}"
    shutil.copytree(release, building)
    try:
        configs = list(read_manifest(building)["rows"])
        parquets = [path for config in configs for path in release_config_files(building, config, SPLIT)]
        for parquet in parquets:  # each file keeps its name: a shard's rows stay in their shard
            table = pq.read_table(parquet)
            rows = [_attach_row(row, texts) for row in table.to_pylist()]
            write_parquet(pa.Table.from_pylist(rows, schema=table.schema), parquet)
        manifest = read_manifest(building) | {"stand_off": False, "attached_from": read_manifest(release)["version"]}
        write_json(building / MANIFEST, manifest)
        _attach_card(building, manifest["version"])
        write_checksums(building)
        building.rename(out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return AttachReport(release, out, len(texts))


def _attach_card(folder: Path, version: str) -> None:
    """Rewrite the copied card's rights and sizes for the texts now included (card_sections.attached_card)."""
    from goldkit.release import card_sections

    readme = folder / "README.md"
    if not readme.is_file():
        return
    configs = list(read_manifest(folder)["rows"])
    text, license_md = card_sections.attached_card(
        readme.read_text(encoding="utf-8"), version, card_sections.measure_sizes(folder, configs, SPLIT)
    )
    files = {config: release_shards.list_shards(folder, config, SPLIT) for config in configs}
    atomic_write_text(readme, card_sections.replace_files_section(text, files))
    atomic_write_text(folder / card_sections.LICENSE_FILE, license_md)


def _attach_row(row: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    if "document_id" in row:
        return release_rows.fill_texts(row, texts[row["document_id"]])
    if "sha256" in row:  # a document row
        return release_rows.fill_texts(row, texts[row["id"]]) | {"text": texts[row["id"]]}
    # links: from row format 2 each mention carries its span (format 1 mentions have none to fill)
    return {
        key: release_rows.fill_texts(value, texts[value["document_id"]])
        if isinstance(value, dict) and "document_id" in value
        else value
        for key, value in row.items()
    }


def resolve_release(name: str, export: Path | None = None) -> Path:
    """Return the folder of a release given as a version ('1.0.0', 'v1.0.0') or a path."""
    path = Path(name)
    if (path / MANIFEST).is_file():
        return path
    export = export or export_dir()
    if _SEMVER.fullmatch(name) and (export / version_name(name) / MANIFEST).is_file():
        return export / version_name(name)
    known = ", ".join(list_releases(export)) or "none yet"
    raise InputError(
        f"no release {name!r} (releases in {export}: {known})",
        hint="build one with: goldkit release 1.0.0",
        path=str(path),
    )
