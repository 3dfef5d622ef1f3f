"""Label Studio project titles and lookup: the one place a goldkit project's title is built or recognised.

Projects are found again by title: `<prefix> · <language>` for a language's documents,
`<prefix>-review · <language>` for its review round, `<prefix> links · <kind> · <dir>→<dir>` for linking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from goldkit.config import current_config
from goldkit.labelstudio import client as lsclient

if TYPE_CHECKING:  # the SDK is heavy to import: only for type checking here
    from label_studio_sdk import LabelStudio

PROJECT_PREFIX = "goldkit"  # the real projects; tests and the demo use prefixes of their own
PROJECT_TITLE = "{prefix} · {language}"
REVIEW_SUFFIX = "-review"
REVIEWED_KEY = "reviewed_annotators"  # review task data: whose versions the task shows as predictions
DUPLICATE_HINT = "rename or delete the extra ones in Label Studio, then run: goldkit push"


def configured_prefix(given: str | None = None) -> str:
    """The title prefix to use: the one given (--project-prefix), else goldkit.toml's [labelstudio] project_prefix."""
    return given or current_config().labelstudio.project_prefix or PROJECT_PREFIX


def project_title(language: str, prefix: str = PROJECT_PREFIX) -> str:
    """Title of the project for one language, e.g. 'goldkit · en' (tests use their own prefix)."""
    return PROJECT_TITLE.format(prefix=prefix, language=language)


def find_project(client: LabelStudio, language: str, prefix: str = PROJECT_PREFIX) -> Any | None:
    """Return the goldkit project for `language` (found by title), or None; two with that title is an error."""
    title = project_title(language, prefix)
    return lsclient.projects_by_title(client, [title], hint=DUPLICATE_HINT)[title]


def review_prefix(prefix: str = PROJECT_PREFIX) -> str:
    """Title prefix of the review projects that go with the projects titled `prefix · <language>`."""
    return prefix + REVIEW_SUFFIX


def is_review_title(title: str) -> bool:
    """Say whether a project title is a review project's ('<prefix>-review · <language>')."""
    prefix, separator, _ = title.rpartition(project_title(language="", prefix=""))
    return bool(separator) and prefix.endswith(REVIEW_SUFFIX)


def links_title_prefix(prefix: str = PROJECT_PREFIX) -> str:
    """What every linking project's title starts with (prefix as the document projects', e.g. 'goldkit')."""
    return f"{prefix} links · "


def link_project_title(kind: str, source_dir: str, target_dir: str, prefix: str = PROJECT_PREFIX) -> str:
    """Title a linking project is found again by."""
    return f"{links_title_prefix(prefix)}{kind} · {source_dir}→{target_dir}"
