"""Every file generated from the schema and committed, written together and checked for drift.

The Label Studio configs (one per language), the annotator guidelines (the schema's language, plus one
per translated language) and the Hugging Face features; `check_drift` compares the committed files
with a fresh render (the drift test).
"""

from __future__ import annotations

from pathlib import Path

from goldkit.generate import guidelines, render, wording
from goldkit.jsonio import atomic_write_text, dumps
from goldkit.paths import project_root, schema_path


def features_json() -> str:
    """The HF Features of every dataset config as JSON ({config: Features.to_dict()})."""
    from goldkit.generate.features import config_features  # imports `datasets`: only when rendering

    return dumps({name: features.to_dict() for name, features in config_features().items()})


def render_all(root: Path | None = None) -> dict[Path, str]:
    """Render every generated file of the project at `root` from its schema: {path: content}."""
    path = root / render.SCHEMA_FILE if root else schema_path()
    root = root or project_root()
    l10n = wording.translations_file(path)
    schema = wording.with_translations(render.read_schema(path), wording.read_translations(l10n), l10n)
    render.check_schema(schema, path)
    languages = render.languages(schema)
    files = {render.config_path(language, root): render.label_config(language, schema) for language in languages}
    for language in [wording.SOURCE_LANGUAGE, *wording.translated_languages(schema, languages)]:
        files[render.guidelines_path(root, language)] = guidelines.guidelines(schema, language)
    files[render.features_path(root)] = features_json()
    return files


def check_drift(root: Path | None = None) -> list[Path]:
    """Return the committed generated files that are missing or differ from a fresh render."""
    stale = []
    for path, content in render_all(root).items():
        try:
            current = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        if current != content:
            stale.append(path)
    return stale


def write_all(root: Path | None = None) -> dict[Path, bool]:
    """Write every generated file; return {path: whether it changed}."""
    changed = {}
    for path, content in render_all(root).items():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        changed[path] = old != content
        if changed[path]:
            atomic_write_text(path, content)
    return changed
