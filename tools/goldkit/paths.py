"""Where things live: the project's folders and the names of the files goldkit writes in them.

A goldkit project is the folder holding `goldkit.toml`. Like git finds `.git`, goldkit finds it from
the working directory upward; `--project DIR` (the CLI calls `use_project`) and `$GOLDKIT_ROOT`
override the search, in that order. The package's own location never decides where goldkit writes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from goldkit.errors import ProjectNotFound

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_FILE = "goldkit.toml"  # marks a project's root folder
ROOT_ENV = "GOLDKIT_ROOT"
SCHEMA_FILE = Path("schema") / "goldkit.schema.json"  # a project's schema, relative to its root
DEFAULT_SCHEMA_PATH = PACKAGE_DIR / "schema" / "default.schema.json"  # package data: what `goldkit init` copies
INIT_COMMAND = "goldkit init DIR"

_chosen: Path | None = None  # set by --project
_found: dict[tuple[str | None, str | None, str], Path | None] = {}  # (--project, $GOLDKIT_ROOT, cwd) -> root
_schemas: dict[Path, Path] = {}  # root -> its schema file


def use_project(root: Path | None) -> None:
    """Make `root` the project of this process (the CLI's --project); None goes back to the search."""
    global _chosen
    if root is not None and not root.is_dir():
        raise ProjectNotFound(
            f"--project {root}: no such folder", path=str(root), hint=f"create a project with: goldkit init {root}"
        )
    _chosen = root.resolve() if root is not None else None


def find_project(start: Path) -> Path | None:
    """Return the nearest folder at or above `start` that holds goldkit.toml, or None."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def project_root() -> Path:
    """Return the project folder: --project, else $GOLDKIT_ROOT, else goldkit.toml found upward from here."""
    root, cwd = _lookup()
    if root is None:
        raise ProjectNotFound(
            f"not inside a goldkit project: no {PROJECT_FILE} in {cwd or 'the working directory'} "
            "or any folder above it",
            path=cwd,
            hint=f"create one with: {INIT_COMMAND} (or pass --project DIR, or set {ROOT_ENV})",
        )
    return root


def _lookup() -> tuple[Path | None, str]:
    """Find the project once per (--project, $GOLDKIT_ROOT, working directory): schema lookups call this often."""
    env = os.environ.get(ROOT_ENV) or None
    try:
        cwd = os.getcwd()
    except FileNotFoundError:  # the working directory was deleted
        cwd = ""
    key = (str(_chosen) if _chosen else None, env, cwd)
    if key in _found:
        return _found[key], cwd
    if _chosen is not None:
        root: Path | None = _chosen
    elif env:
        root = Path(env).resolve()
        if not root.is_dir():
            raise ProjectNotFound(
                f"{ROOT_ENV}={env} is not a folder", path=env, hint=f"unset {ROOT_ENV}, or create it: {INIT_COMMAND}"
            )
    else:
        root = find_project(Path(cwd)) if cwd else None
    _found[key] = root
    return root, cwd


def schema_path() -> Path:
    """The schema everything reads: the project's schema/goldkit.schema.json.

    Where there is no project's schema — outside any project (so `--help` and the package's own label
    literals still read one), or in a folder given by $GOLDKIT_ROOT or --project that has neither
    goldkit.toml nor a schema (a scratch folder, as tests use) — the default schema shipped in the
    package is read. A project with goldkit.toml always reads its own (a missing one is an error).
    """
    root, _ = _lookup()
    if root is None:
        return DEFAULT_SCHEMA_PATH
    if (path := _schemas.get(root)) is None:
        own = root / SCHEMA_FILE
        path = _schemas[root] = own if own.is_file() or (root / PROJECT_FILE).is_file() else DEFAULT_SCHEMA_PATH
    return path


def project_file() -> Path:
    return project_root() / PROJECT_FILE


def corpus_dir() -> Path:
    return project_root() / "corpus"


def annotations_dir() -> Path:
    return project_root() / "annotations"


def documents_path() -> Path:
    """Ingested document records (JSONL, sorted by id), read by push and release."""
    return annotations_dir() / "documents.jsonl"


def gold_dir() -> Path:
    return annotations_dir() / "gold"


def adjudication_dir(gold: Path | None = None) -> Path:
    """Adjudication's vote sidecars and unresolved list, kept apart from the gold they explain.

    For the project's gold (annotations/gold) this is annotations/adjudication; for another gold folder
    `X` it is its sibling `X.adjudication`, so a gold folder only ever holds gold records and links.
    """
    if gold is None or gold.resolve() == gold_dir().resolve():
        return annotations_dir() / "adjudication"
    return gold.with_name(f"{gold.name}.adjudication")


def pulls_dir() -> Path:
    return annotations_dir() / "pulls"


def link_pulls_dir() -> Path:
    """Pulls of the linking projects: annotations/pulls/links/<pull-id>/ (links.jsonl, quarantine, manifest)."""
    return pulls_dir() / "links"


def export_dir() -> Path:
    return project_root() / "export"


def state_dir() -> Path:
    """Git-ignored state: the embedded Label Studio's venv, data, logs and credentials."""
    return project_root() / STATE_FOLDER


def pseudonyms_path() -> Path:
    """Annotator account -> stable pseudonym; kept out of every release."""
    return annotations_dir() / "pseudonyms.json"


# File names inside those folders: typed here once, imported everywhere else.
STATE_FOLDER = ".goldkit"  # a project's git-ignored state folder
RECORDS_FILE = "records.jsonl"  # a pull's valid records, one per annotator per document
QUARANTINE_FILE = "quarantine.jsonl"  # a pull's annotations that could not be records, each with its reasons
MANIFEST_FILE = "manifest.json"  # a pull's counts, server, base pull
DRAFTS_FILE = "drafts.jsonl"  # pull --drafts: records of drafts (saved, never submitted), never in records.jsonl
DRAFT_QUARANTINE_FILE = "drafts.quarantine.jsonl"  # pull --drafts: drafts that could not be records, with reasons
SPANS_FILE = "spans.jsonl"  # a pull's records cut to their heads and span offsets (what `goldkit status` counts)
SEEN_FILE = "seen.jsonl"  # a pull's view of each task it exported: its annotations (id, annotator, cancelled)
LINKS_FILE = "links.jsonl"  # link records: a link pull's, or the gold links in annotations/gold/
ADJUDICATION_SUFFIX = ".adjudication.json"  # adjudicate's vote sidecar per document, in adjudication_dir()
UNRESOLVED_FILE = "unresolved.json"  # what the last adjudication left open, in adjudication_dir()
RELEASE_MANIFEST = "release.json"  # a release's own manifest in export/<VERSION>/
CHANGELOG_FILE = "CHANGELOG.md"
RELEASE_DATA_DIR = "data"  # layout 2 releases: data/<config>/<split>-NNNNN-of-NNNNN.parquet, as the Hub lays shards


def release_shard_name(config: str, split: str, index: int, count: int) -> str:
    """The path of shard `index` of `count` of one config's split inside a release (layout 2), '/'-separated."""
    return f"{RELEASE_DATA_DIR}/{config}/{split}-{index:05d}-of-{count:05d}.parquet"


def release_data_pattern(config: str, split: str) -> str:
    """The data_files glob of one config's split in a release's card (layout 2): every shard, nothing else."""
    return f"{RELEASE_DATA_DIR}/{config}/{split}-*-of-*.parquet"


def release_config_files(release: Path, config: str, split: str) -> list[Path]:
    """The Parquet files of one config's split in a release, in row order; [] when the release has no such config.

    Layout 2 writes shards (release_shard_name); releases before it (no `layout` in release.json, e.g. 1.0.0)
    hold one file, <config>/<split>.parquet.
    """
    shards = sorted((release / RELEASE_DATA_DIR / config).glob(f"{split}-*-of-*.parquet"))
    if shards:
        return shards
    flat = release / config / f"{split}.parquet"
    return [flat] if flat.is_file() else []


@contextmanager
def in_project(root: Path) -> Iterator[Path]:
    """Run a block with `root` as the project (as --project would), then go back to the one before."""
    global _chosen
    before = _chosen
    use_project(root)
    try:
        yield root.resolve()
    finally:
        _chosen = before
