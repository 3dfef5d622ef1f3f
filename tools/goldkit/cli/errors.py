"""The one table from a goldkit error (its type and its fields) to the next thing the user should run.

Library errors carry facts (`path`, `port`, `pid`, `url` …); this table composes the hint the CLI prints
after the message, as huggingface_hub's `cli/_errors.py` does. `hint_for` tries, in order: a rule whose
fields match, a hint the library gave for a situation no field describes, the rule for the error's type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from goldkit.errors import (
    AuthError,
    ConfigError,
    GoldkitError,
    HubError,
    InputError,
    LabelStudioError,
    NotFound,
    ProjectNotFound,
    ReconcileError,
    ReleaseError,
    SchemaError,
    ServerError,
    ServerNotRunning,
    ValidationError,
)

START_SERVER = "start it with: goldkit server start"
SEMVER = "MAJOR.MINOR.PATCH"


@dataclass(frozen=True)
class Rule:
    """Errors of `error` type whose fields satisfy `when` (every one of that type if None) get `hint`."""

    error: type[GoldkitError]
    hint: Callable[[dict[str, Any]], str]
    when: Callable[[dict[str, Any]], bool] | None = None


def _has(*names: str) -> Callable[[dict[str, Any]], bool]:
    return lambda facts: all(facts.get(name) is not None for name in names)


def _is(name: str, value: Any) -> Callable[[dict[str, Any]], bool]:
    return lambda facts: facts.get(name) == value


# Rules on fields: the situation is known from the facts the error carries.
BY_FIELDS: list[Rule] = [
    Rule(
        ServerNotRunning,
        lambda f: f"{START_SERVER} (or set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY)",
        lambda f: f.get("url") is None,
    ),
    Rule(
        ConfigError,
        lambda f: "set LABEL_STUDIO_API_KEY to a personal access token (Account & Settings in Label Studio)",
        _is("missing", "LABEL_STUDIO_API_KEY"),
    ),
    Rule(
        ConfigError,
        lambda f: "choose another port with --port, or leave --port out to let goldkit pick a free one",
        _has("port"),
    ),
    Rule(ServerError, lambda f: "install it with: goldkit server install", _is("installed", False)),
    Rule(ServerError, lambda f: START_SERVER, _is("running", False)),
    Rule(
        ServerError,
        lambda f: f"stop that process first (kill {f['pid']}), then run: goldkit server start",
        _has("pid", "data_dir"),
    ),
    Rule(ServerError, lambda f: f"stop it by hand: kill {f['pid']}", _has("pid")),
    Rule(
        InputError,
        lambda f: "turn articles into document records with: goldkit ingest corpus/, then validate those",
        _has("suffix"),
    ),
    Rule(InputError, lambda f: "ingest first with: goldkit ingest corpus/", _is("missing", "documents")),
    Rule(InputError, lambda f: "check the path, then run: goldkit validate PATH", _is("missing", "records")),
    Rule(ReleaseError, lambda f: f"give {SEMVER}, e.g.: goldkit release 1.0.0", _is("expected", SEMVER)),
    Rule(ConfigError, lambda f: "give OWNER/NAME, e.g. --push-to-hub my-org/news-claims", _has("repo_id")),
    Rule(ConfigError, lambda f: "build one first with: goldkit release 1.0.0", _is("release_folder", False)),
    Rule(
        ConfigError,
        lambda f: "a release must not be edited after it is built; build a new version instead",
        _has("broken"),
    ),
]

# Rules by type alone, most specific type first: what to do when nothing more is known.
BY_TYPE: list[Rule] = [
    Rule(SchemaError, lambda f: "regenerate the derived files with: goldkit schema render"),
    Rule(ValidationError, lambda f: "fix the fields listed above, then run: goldkit validate PATH"),
    Rule(InputError, lambda f: "fix or remove the file named above and run the command again"),
    Rule(ProjectNotFound, lambda f: "create a project with: goldkit init DIR"),
    Rule(ServerError, lambda f: "read the log named above; reinstall with: goldkit server install"),
    Rule(
        AuthError,
        lambda f: (
            "set LABEL_STUDIO_API_KEY to a personal access token (Account & Settings → Personal Access Token) "
            "or a legacy token if the server enables them; for the embedded server run: goldkit server status"
        ),
    ),
    Rule(
        NotFound, lambda f: "list projects with: goldkit push --dry-run, or push the documents first with: goldkit push"
    ),
    Rule(LabelStudioError, lambda f: "start the embedded server with: goldkit server start"),
    Rule(ReconcileError, lambda f: "nothing was written; report this with the manifest printed above"),
    Rule(HubError, lambda f: "check the token (huggingface-cli login or HF_TOKEN) and the repo name, then push again"),
]


def hint_for(error: GoldkitError) -> str:
    """The line the CLI prints after the error's message: what to run next ('' when nothing helps)."""
    for rule in BY_FIELDS:
        if isinstance(error, rule.error) and rule.when is not None and rule.when(error.facts):
            return rule.hint(error.facts)
    if error.hint:
        return error.hint
    for rule in BY_TYPE:
        if isinstance(error, rule.error):
            return rule.hint(error.facts)
    return ""


def error_document(error: GoldkitError) -> dict[str, Any]:
    """The error as --json prints it: its facts and the hint from this table."""
    return {**error.to_dict(), "hint": hint_for(error)}
