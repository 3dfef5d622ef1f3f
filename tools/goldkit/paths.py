"""Where things live: the project's folders and the names of the files goldkit writes in them."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_FROM_PACKAGE = PACKAGE_DIR.parent.parent


def project_root() -> Path:
    """Return the goldkit project folder: $GOLDKIT_ROOT, else the repo this package lives in."""
    env = os.environ.get("GOLDKIT_ROOT")
    return Path(env).resolve() if env else _REPO_FROM_PACKAGE


SCHEMA_PATH = _REPO_FROM_PACKAGE / "schema" / "goldkit.schema.json"


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
    return project_root() / ".goldkit"


def pseudonyms_path() -> Path:
    """Annotator account -> stable pseudonym; kept out of every release."""
    return annotations_dir() / "pseudonyms.json"


# File names inside those folders: typed here once, imported everywhere else.
RECORDS_FILE = "records.jsonl"  # a pull's valid records, one per annotator per document
QUARANTINE_FILE = "quarantine.jsonl"  # a pull's annotations that could not be records, each with its reasons
MANIFEST_FILE = "manifest.json"  # a pull's counts, server, base pull
LINKS_FILE = "links.jsonl"  # link records: a link pull's, or the gold links in annotations/gold/
ADJUDICATION_SUFFIX = ".adjudication.json"  # adjudicate's vote sidecar per document, in adjudication_dir()
UNRESOLVED_FILE = "unresolved.json"  # what the last adjudication left open, in adjudication_dir()
RELEASE_MANIFEST = "release.json"  # a release's own manifest in export/<VERSION>/
CHANGELOG_FILE = "CHANGELOG.md"
