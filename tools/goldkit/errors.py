"""One error hierarchy for goldkit. Errors carry their facts; the CLI turns them into messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Problem:
    """One problem found in a record: where (JSON pointer), what was got and what was expected."""

    pointer: str
    message: str
    got: Any = None
    expected: Any = None
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "pointer": self.pointer,
            "message": self.message,
            "got": self.got,
            "expected": self.expected,
        }

    def __str__(self) -> str:
        where = f"{self.path}:" if self.path else ""
        text = f"{where}{self.pointer or '/'}: {self.message}"
        if self.expected is not None:
            text += f" (expected {self.expected!r})"
        return text


class GoldkitError(Exception):
    """Base of every error goldkit raises on purpose: a message and the facts (fields) behind it.

    The CLI composes the next thing to do from the type and the facts (goldkit.cli.errors); `hint` is for
    the rare situation no fact describes.
    """

    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None, **facts: Any) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint
        self.facts = facts

    def to_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": self.message, "hint": self.hint, **_jsonable(self.facts)}


def _jsonable(facts: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in facts.items():
        if isinstance(value, list):
            out[key] = [v.to_dict() if hasattr(v, "to_dict") else v for v in value]
        else:
            out[key] = value.to_dict() if hasattr(value, "to_dict") else value
    return out


class SchemaError(GoldkitError, ValueError):
    """The schema itself, or a file generated from it, is wrong or out of date."""


class ValidationError(GoldkitError, ValueError):
    """One or more records break the schema or its rules; `problems` lists every one."""

    def __init__(self, message: str, problems: list[Problem], **facts: Any) -> None:
        super().__init__(message, problems=problems, **facts)
        self.problems = problems


class InputError(GoldkitError, ValueError):
    """An input file cannot be read as what it should be (encoding, emptiness, size, duplicates)."""


class ConfigError(GoldkitError, ValueError):
    """A setting, option or environment variable is missing or wrong."""


class ProjectNotFound(ConfigError):
    """No goldkit project here: no goldkit.toml in the working directory or above, or a bad --project."""


class LabelStudioError(GoldkitError, ConnectionError):
    """Talking to Label Studio failed."""


class ServerNotRunning(LabelStudioError):
    """Label Studio does not answer at the URL goldkit was given."""


class AuthError(LabelStudioError):
    """Label Studio refused the API token."""


class NotFound(LabelStudioError):
    """A project or task that should exist in Label Studio does not."""


class ServerError(LabelStudioError):
    """The embedded Label Studio could not be installed, started or stopped."""


class ConflictError(GoldkitError, ValueError):
    """Doing this would overwrite or lose something that already exists."""


class ReconcileError(GoldkitError, RuntimeError):
    """Counts do not add up: something would have been lost."""


class ReleaseError(GoldkitError, ValueError):
    """A release cannot be built as asked (version exists, semver, nothing changed)."""


class HubError(GoldkitError, ConnectionError):
    """The Hugging Face Hub refused or failed an operation."""
