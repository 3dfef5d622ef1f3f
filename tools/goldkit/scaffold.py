"""`goldkit init`: scaffold a dataset project of one's own — goldkit.toml, the default schema, the folders."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldkit.config import DEFAULT_LICENSE
from goldkit.errors import ConfigError, ConflictError
from goldkit.generate import files as generated
from goldkit.generate import render, wording
from goldkit.jsonio import atomic_write_text
from goldkit.paths import DEFAULT_SCHEMA_PATH, PROJECT_FILE, SCHEMA_FILE, STATE_FOLDER, in_project
from goldkit.schema.loading import load_schema

DEFAULT_LANGUAGES = ("en", "ar")
FOLDERS = ("corpus", "annotations", "annotations/gold", "export")
L10N_FILE = wording.translations_file(SCHEMA_FILE)  # schema/goldkit.l10n.json: the titles annotators read
UNTRANSLATED = "$untranslated"  # marks, while init runs, the entries it worded by a tag
_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
# Names for tags the default schema does not describe; any other tag is titled by itself.
_LANGUAGE_NAMES = {"fr": "French", "de": "German", "es": "Spanish", "fa": "Persian", "ur": "Urdu", "he": "Hebrew"}


@dataclass
class InitReport:
    """What `init` made: the project folder and every file written (relative to it)."""

    root: Path
    name: str
    languages: dict[str, str]  # tag -> direction
    written: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)  # "<lang>: <node>" worded by its tag until translated


def init_project(target: Path, *, languages: list[str] | None = None, name: str | None = None) -> InitReport:
    """Create a goldkit project in `target` (created if missing); refuse to overwrite anything there."""
    tags = _check_languages(list(DEFAULT_LANGUAGES if languages is None else languages))
    root = target.resolve()
    name = name or root.name
    kept = (PROJECT_FILE, str(SCHEMA_FILE), str(L10N_FILE), "README.md", ".gitignore")
    existing = [rel for rel in kept if (root / rel).exists()]
    if existing:
        raise ConflictError(
            f"{root} already holds {', '.join(existing)}: goldkit init never overwrites a project",
            path=str(root),
            got=existing,
            hint=f"pick an empty folder, or work in this one: cd {root} && goldkit ingest corpus/",
        )
    schema = project_schema(tags)
    translations = project_translations(tags, schema)
    untranslated = _untranslated(translations)  # before the file is written: takes the marks out
    directions = {tag: "rtl" if tag.split("-")[0] in render.RTL_LANGUAGES else "ltr" for tag in tags}
    files = {
        PROJECT_FILE: project_toml(name, directions),
        str(SCHEMA_FILE): json.dumps(schema, ensure_ascii=False, indent=2) + "\n",
        str(L10N_FILE): json.dumps(translations, ensure_ascii=False, indent=2) + "\n",
        ".gitignore": f"# goldkit's state: the embedded Label Studio, its data and credentials\n{STATE_FOLDER}/\n",
        "README.md": readme(name, directions),
    }
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    report = InitReport(root, name, directions, untranslated=untranslated)
    for rel, content in files.items():
        atomic_write_text(root / rel, content)
        report.written.append(rel)
    with in_project(root):
        for path in generated.write_all(root):
            report.written.append(path.relative_to(root).as_posix())
    return report


def _check_languages(tags: list[str]) -> list[str]:
    bad = [tag for tag in tags if not _TAG.fullmatch(tag)]
    if bad or not tags or len(set(tags)) != len(tags):
        raise ConfigError(
            f"--languages {','.join(tags)}: give distinct BCP-47 tags such as en,ar"
            + (f" ({', '.join(map(repr, bad))} is not one)" if bad else ""),
            got=tags,
            hint="for example: goldkit init my-dataset --languages en,ar",
        )
    return tags


def project_schema(tags: list[str]) -> dict[str, Any]:
    """The default schema with $defs/Language narrowed or extended to the project's languages."""
    schema = copy.deepcopy(load_schema(DEFAULT_SCHEMA_PATH))
    known = {item["const"]: item for item in schema["$defs"]["Language"]["oneOf"]}
    schema["$defs"]["Language"]["oneOf"] = [
        known.get(tag) or {"const": tag, "title": _LANGUAGE_NAMES.get(tag, tag), "description": f"Articles in {tag}."}
        for tag in tags
    ]
    return schema


def project_translations(tags: list[str], schema: dict[str, Any]) -> dict[str, Any]:
    """The default translations (goldkit.l10n.json) of the project's languages, for the nodes its schema has."""
    path = wording.translations_file(DEFAULT_SCHEMA_PATH)
    packaged = json.loads(path.read_text(encoding="utf-8"))
    kept: dict[str, Any] = {key: value for key, value in packaged.items() if key.startswith("$")}
    for language, entries in wording.read_translations(path).items():
        if language in tags:
            kept[language] = {where: entry for where, entry in entries.items() if wording.names_a_node(schema, where)}
            for tag in tags:  # a language the default schema lacks is named by its tag until someone translates it
                by_tag = {"title": tag, "description": tag, UNTRANSLATED: True}
                kept[language].setdefault(f"$defs/Language/{tag}", by_tag)
    return kept


def _untranslated(translations: dict[str, Any]) -> list[str]:
    found = []
    for language, entries in translations.items():
        for where, entry in entries.items() if not language.startswith("$") else ():
            if entry.pop(UNTRANSLATED, False):
                found.append(f"{language}: {where}")
    return found


def project_toml(name: str, directions: dict[str, str]) -> str:
    """goldkit.toml of a new project: every setting goldkit reads, with its default."""
    lines = [
        "# goldkit project settings. goldkit finds the project from the working directory upward by this file.",
        "",
        "[project]",
        f"name = {json.dumps(name, ensure_ascii=False)}",
        "",
        "# Text direction of each language (the languages themselves are $defs/Language in the schema);",
        "# one Label Studio project, and config, per language.",
        "[languages]",
        *(f'{tag} = {{ direction = "{direction}" }}' for tag, direction in directions.items()),
        "",
        "[labelstudio]",
        'url = ""  # empty: the embedded server (goldkit server start); --url and LABEL_STUDIO_URL win over it',
        f"project_prefix = {json.dumps(name, ensure_ascii=False)}",
        "",
        "[release]  # defaults of goldkit release (its --license, --citation, --pretty-name override them)",
        f'license = "{DEFAULT_LICENSE}"  # of the annotations; the article texts stay their publishers\'',
        'citation = ""  # how to cite the dataset (a BibTeX entry or a sentence), shown in the card',
        'pretty_name = ""  # the card\'s title; empty: one naming the languages',
        "",
        "[ingest]  # field map for JSONL/CSV/Parquet dumps (the --text-field ... options override it)",
        'text_field = "text"',
        "",
    ]
    return "\n".join(lines)


def readme(name: str, directions: dict[str, str]) -> str:
    languages = ", ".join(f"{tag} ({direction})" for tag, direction in directions.items())
    return f"""# {name}

A gold dataset of events and claims made with goldkit. Languages: {languages}.

| folder | holds |
| --- | --- |
| `corpus/` | the articles as delivered: .txt, .html, .warc(.gz), .jsonl, .csv, .parquet (never edited) |
| `schema/` | the label schema (`goldkit.schema.json`) and the files generated from it |
| `annotations/` | ingested documents, pulls, `gold/` |
| `export/` | released dataset versions |

Next commands, from this folder:

```sh
goldkit ingest corpus/          # articles -> annotations/documents.jsonl
goldkit schema render           # after editing schema/goldkit.schema.json
goldkit server start            # the embedded Label Studio
goldkit push                    # one Label Studio project per language
goldkit pull                    # annotations -> annotations/pulls/<id>/
goldkit agree && goldkit adjudicate --strategy majority
goldkit release 1.0.0           # export/1.0.0/, loadable with datasets.load_dataset
```
"""
