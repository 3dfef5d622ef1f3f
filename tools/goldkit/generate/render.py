"""Files generated from the schema and committed: Label Studio configs, annotator guidelines, HF features.

Everything here is derived from `schema/goldkit.schema.json` and the control table in `goldkit.lsmap`;
`check_drift` compares the committed files with a fresh render (the drift test).
"""

from __future__ import annotations

import colorsys
import hashlib
import html
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from goldkit.config import project_config
from goldkit.errors import Problem, ProjectNotFound, SchemaError
from goldkit.generate import wording
from goldkit.jsonio import atomic_write_text, dumps
from goldkit.paths import project_root, schema_path
from goldkit.schema import layers as lsmap
from goldkit.schema.loading import Label, definition, labels, load_schema, schema_version

SCHEMA_FILE = Path("schema") / "goldkit.schema.json"
GENERATED_NOTE = "Generated from schema/goldkit.schema.json by `goldkit schema render`; do not edit by hand."
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"})  # scripts, not labels
RTL_STYLE = "direction: rtl; text-align: right"
# Room between the article's lines for the relation labels Label Studio draws over the text.
SCREEN_CSS = ".lsf-richtext__line { line-height: 2.3; }"
# One keyboard row per span layer (SPAN_LAYERS order). No 'u': Label Studio uses it to unselect a region.
HOTKEY_ROWS = ("123456789", "qwertyiop", "asdfghjkl", "zxcvbnm")


def config_path(language: str, root: Path | None = None) -> Path:
    """Where the Label Studio config for one language direction is committed."""
    return (root or project_root()) / "schema" / f"labelstudio.{language}.xml"


def guidelines_path(root: Path | None = None) -> Path:
    return (root or project_root()) / "schema" / "GUIDELINES.md"


def features_path(root: Path | None = None) -> Path:
    return (root or project_root()) / "schema" / "features.json"


def read_schema(path: Path) -> dict[str, Any]:
    """Read a schema file without the cache (render may run on a copy being edited)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise SchemaError(
            f"schema file not found: {path}",
            path=str(path),
            hint="run goldkit inside the project folder (or pass --project DIR), or create one with: goldkit init DIR",
        ) from e
    except json.JSONDecodeError as e:
        raise SchemaError(f"{path}:{e.lineno}:{e.colno}: schema is not JSON: {e.msg}", path=str(path)) from e


# --- checking the schema -------------------------------------------------------------------------


def _label_sets(schema: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {
        name: node["oneOf"]
        for name, node in schema.get("$defs", {}).items()
        if isinstance(node.get("oneOf"), list) and all("const" in item for item in node["oneOf"])
    }


def label_set_names(schema: dict[str, Any]) -> list[str]:
    """Names of the closed label sets ($defs with a oneOf of const), in schema order."""
    return list(_label_sets(schema))


def schema_problems(schema: dict[str, Any]) -> list[Problem]:
    """Collect every problem that would make the generated files wrong."""
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    problems = [
        Problem("/" + "/".join(map(str, e.absolute_path)), f"not valid Draft 2020-12: {e.message}")
        for e in meta.iter_errors(schema)
    ]
    sets = _label_sets(schema)
    roles = {item["const"] for item in sets.get("ArgumentRole", [])}
    for name, items in sets.items():
        seen: set[str] = set()
        for i, item in enumerate(items):
            pointer = f"/$defs/{name}/oneOf/{i}"
            for key in ("title", "description"):
                if not isinstance(item.get(key), str) or not item[key].strip():
                    problems.append(Problem(pointer, f"label {item['const']!r} has no {key}", expected="text"))
            if item["const"] in seen:
                problems.append(Problem(pointer, f"label {item['const']!r} appears twice", got=item["const"]))
            seen.add(item["const"])
            for role in item.get("x-roles", []):
                if role not in roles:
                    problems.append(Problem(f"{pointer}/x-roles", "not an ArgumentRole value", role, sorted(roles)))
    needed = [layer.label_set for layer in lsmap.SPAN_LAYERS] + [c.label_set for c in lsmap.REGION_CHOICES]
    for name in [n for n in needed if n] + list(lsmap.RELATION_LABEL_SETS) + ["Language"]:
        if name not in sets:
            problems.append(Problem(f"/$defs/{name}", "label set used by goldkit.lsmap is missing", expected="oneOf"))
    project_languages = [item["const"] for item in sets.get("Language", [])]
    return problems + wording.translation_problems(schema, project_languages)


def check_schema(schema: dict[str, Any], path: Path | None = None) -> None:
    """Raise SchemaError listing every problem of the schema, if it has any."""
    problems = schema_problems(schema)
    if problems:
        for problem in problems:
            problem.path = str(path) if path else None
        listing = "\n".join(f"  • {p}" for p in problems)
        raise SchemaError(
            f"the schema has {len(problems)} problem(s):\n{listing}",
            path=str(path) if path else None,
            problems=problems,
            hint="fix schema/goldkit.schema.json, then run: goldkit schema render",
        )


# --- shared derivations ----------------------------------------------------------------------------


def languages(schema: dict[str, Any] | None = None) -> list[str]:
    """Language tags the schema allows: one Label Studio config each."""
    return [label.value for label in labels("Language", schema)]


def direction(language: str) -> str:
    """A language's text direction: the project's goldkit.toml [languages] when it says, else by its script."""
    try:
        configured = project_config().languages.get(language)
    except ProjectNotFound:
        configured = None
    return configured or ("rtl" if language.split("-")[0] in RTL_LANGUAGES else "ltr")


def layer_labels(
    layer: lsmap.SpanLayer, schema: dict[str, Any], language: str = wording.SOURCE_LANGUAGE
) -> list[Label]:
    """The labels of a span layer in `language`; a single-label layer's label is described by the layer."""
    if layer.label_set:
        return wording.translated_labels(layer.label_set, language, schema)
    prop = _layer_property(layer, schema)
    return [
        Label(
            x.value,
            wording.localized(prop, "title", language, x.title),
            x.description or layer_description(layer, schema, language),
        )
        for x in layer.values()
    ]


def _layer_property(layer: lsmap.SpanLayer, schema: dict[str, Any]) -> dict[str, Any]:
    """The Claim property a single-label layer fills (claim → span, cue → cue)."""
    return wording.property_node("Claim", "span" if layer.record_key else layer.name, schema)


def layer_title(layer: lsmap.SpanLayer, schema: dict[str, Any], language: str = wording.SOURCE_LANGUAGE) -> str:
    if layer.label_set:
        return wording.set_title(layer.label_set, language, schema)
    return layer_labels(layer, schema, language)[0].title


def claim_property(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The Claim record's property `name` (per-region fields of the claim layer live there)."""
    return wording.property_node("Claim", name, schema)


def layer_description(layer: lsmap.SpanLayer, schema: dict[str, Any], language: str = wording.SOURCE_LANGUAGE) -> str:
    """What one region of the layer is, in the schema's words."""
    if layer.label_set:
        return wording.set_description(layer.label_set, language, schema)
    return wording.localized(_layer_property(layer, schema), "description", language)


def field_title(choice: lsmap.RegionChoice, schema: dict[str, Any], language: str = wording.SOURCE_LANGUAGE) -> str:
    if choice.label_set:
        return wording.set_title(choice.label_set, language, schema)
    return wording.localized(claim_property(choice.name, schema), "title", language, _words(choice.name))


def field_description(
    choice: lsmap.RegionChoice, schema: dict[str, Any], language: str = wording.SOURCE_LANGUAGE
) -> str:
    if choice.label_set:
        return wording.set_description(choice.label_set, language, schema)
    return wording.localized(claim_property(choice.name, schema), "description", language)


def choice_labels(
    choice: lsmap.RegionChoice, schema: dict[str, Any], language: str = wording.SOURCE_LANGUAGE
) -> list[Label]:
    """The values of a per-region choice; yes/no of a boolean field carry the field's description."""
    if choice.label_set:
        return wording.translated_labels(choice.label_set, language, schema)
    about = field_description(choice, schema, language)
    return [Label(b.value, b.title, f"{b.description} {about}".strip()) for b in wording.boolean_labels(language)]


def _words(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _record_name(layer: lsmap.SpanLayer, schema: dict[str, Any]) -> str | None:
    """The $defs name of the record item a region of the layer becomes ('Event'), if any."""
    if not layer.record_key:
        return None
    ref = definition("Annotation", schema)["properties"][layer.record_key]["items"].get("$ref", "")
    name = str(ref.rsplit("/", 1)[-1])
    return name if name in schema.get("$defs", {}) else None


def record_title(layer: lsmap.SpanLayer, schema: dict[str, Any], language: str = wording.SOURCE_LANGUAGE) -> str:
    """Title of the record item a region becomes ('Event mention'), else of the layer."""
    name = _record_name(layer, schema)
    if name:
        return wording.localized(definition(name, schema), "title", language, layer_title(layer, schema, language))
    return layer_title(layer, schema, language)


def text_title(text: lsmap.RegionText, schema: dict[str, Any], language: str = wording.SOURCE_LANGUAGE) -> str:
    """Title of a per-region free-text field (from its record property, e.g. Entity.canonical)."""
    name = _record_name(lsmap.layer(text.layer), schema)
    node = wording.property_node(name, text.name, schema) if name else {}
    return wording.localized(node, "title", language, _words(text.name))


def hotkeys(schema: dict[str, Any] | None = None) -> dict[tuple[str, str], str]:
    """Map (layer, label value) to its hotkey: one keyboard row per layer, unique across the config."""
    schema = schema or load_schema()
    keys: dict[tuple[str, str], str] = {}
    for layer, row in zip(lsmap.SPAN_LAYERS, HOTKEY_ROWS, strict=False):
        for label, key in zip(layer_labels(layer, schema), row, strict=False):
            keys[(layer.name, label.value)] = key
    return keys


def colour(kind: str, value: str) -> str:
    """A stable background colour for a label: the same label keeps its colour when others change."""
    digest = hashlib.sha256(f"{kind}/{value}".encode()).digest()
    hue = int.from_bytes(digest[:4], "big") % 360 / 360
    lightness = 0.38 + digest[4] % 12 / 100
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, 0.62)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


# --- Label Studio labeling config -----------------------------------------------------------------


def _add(parent: ET.Element, tag: str, **attrs: str | None) -> ET.Element:
    return ET.SubElement(parent, tag, {key: value for key, value in attrs.items() if value is not None})


def _shown(parent: ET.Element, tag: str, label: Label, **attrs: str | None) -> ET.Element:
    """A <Label>/<Choice> that stores the schema value and shows its title (`html`), the description on hover."""
    text = html.escape(label.title, quote=False)
    return _add(parent, tag, value=label.value, html=text, hint=f"{label.title}: {label.description}", **attrs)


def _span_controls(parent: ET.Element, schema: dict[str, Any], language: str) -> None:
    keys = hotkeys(schema)
    for layer in lsmap.SPAN_LAYERS:
        _add(parent, "Header", value=layer_title(layer, schema, language), size="6")
        control = _add(parent, "Labels", name=layer.name, toName=lsmap.TEXT_NAME)
        for label in layer_labels(layer, schema, language):
            _shown(
                control,
                "Label",
                label,
                hotkey=keys.get((layer.name, label.value)),
                background=colour(layer.name, label.value),
            )


def _article(parent: ET.Element, language: str) -> None:
    style = RTL_STYLE if direction(language) == "rtl" else None
    article = _add(parent, "View", style=style)
    _add(article, "Header", value="$title", size="4")
    _add(article, "Text", name=lsmap.TEXT_NAME, value="$text")


def _region_details(parent: ET.Element, schema: dict[str, Any], language: str) -> None:
    for layer in lsmap.SPAN_LAYERS:
        choices = [c for c in lsmap.REGION_CHOICES if c.layer == layer.name]
        texts = [t for t in lsmap.REGION_TEXTS if t.layer == layer.name]
        if not choices and not texts:
            continue
        view = _add(parent, "View", visibleWhen="region-selected", whenTagName=layer.name)
        _add(view, "Header", value=record_title(layer, schema, language), size="5")
        for choice in choices:
            _add(view, "Header", value=field_title(choice, schema, language), size="6")
            control = _add(
                view,
                "Choices",
                name=choice.name,
                toName=lsmap.TEXT_NAME,
                perRegion="true",
                choice="multiple" if choice.multiple else "single",
                showInline="true",
                visibleWhen="region-selected",
                whenTagName=layer.name,
            )
            for label in choice_labels(choice, schema, language):
                _shown(control, "Choice", label)
        for text in texts:
            _add(view, "Header", value=text_title(text, schema, language), size="6")
            _add(
                view,
                "TextArea",
                name=text.name,
                toName=lsmap.TEXT_NAME,
                perRegion="true",
                editable="true",
                placeholder=wording.word(text.help, language),
            )


def _relations(parent: ET.Element, schema: dict[str, Any]) -> None:
    control = _add(parent, "Relations")
    for name in lsmap.RELATION_LABEL_SETS:
        for label in labels(name, schema):
            _add(control, "Relation", value=label.value, background=colour("relation", label.value))


def label_config(language: str, schema: dict[str, Any] | None = None) -> str:
    """Return the Label Studio labeling config (XML) for articles in `language`."""
    schema = wording.translated_schema(schema)
    allowed = languages(schema)
    if language not in allowed:
        raise SchemaError(
            f"no Label Studio config for language {language!r}",
            pointer="/$defs/Language",
            got=language,
            expected=allowed,
            hint=f"use one of {', '.join(allowed)}, or add the language to $defs/Language first",
        )
    root = ET.Element("View")
    _add(root, "Style").text = SCREEN_CSS
    columns = _add(root, "View", style="display: flex; align-items: flex-start; gap: 1.5em")
    main = _add(columns, "View", style="flex: 1; min-width: 0")
    _span_controls(_add(main, "View", style=RTL_STYLE if direction(language) == "rtl" else None), schema, language)
    _article(main, language)
    details = "flex: 0 0 19em; position: sticky; top: 0"  # fixed width: the article takes the rest
    if direction(language) == "rtl":
        details += f"; {RTL_STYLE}"
    _region_details(_add(columns, "View", style=details), schema, language)
    _relations(root, schema)
    ET.indent(root, space="  ")
    note = f"<!-- {GENERATED_NOTE} Schema {schema_version(schema)}, language {language} ({direction(language)}). -->"
    return f"{note}\n{ET.tostring(root, encoding='unicode')}\n"


# --- annotator guidelines -------------------------------------------------------------------------


def _escape_html(line: str) -> str:
    return html.escape(line, quote=False)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _label_table(items: list[Label], extra: dict[str, list[str]] | None = None) -> list[str]:
    """A label set as a table: value, title, description (plus extra columns keyed by value)."""
    extra = extra or {}
    header = ["Value", "Title", "Description", *extra.get("", [])]
    rows = [[f"`{item.value}`", item.title, item.description, *extra.get(item.value, [])] for item in items]
    return _table(header, rows)


def _def_text(name: str, schema: dict[str, Any]) -> str:
    node = definition(name, schema)
    return str(node.get("description") or node.get("title") or name)


def _overview(schema: dict[str, Any]) -> list[str]:
    claim = lsmap.layer("claim")
    return [
        "## What you annotate",
        "",
        f"- **Document**: {_def_text('Document', schema)} The text is never changed after ingest.",
        f"- **{record_title(lsmap.layer('entity'), schema)}**: {_def_text('EntityType', schema)}",
        f"- **{record_title(lsmap.layer('event'), schema)}**: mark the trigger word or phrase. "
        f"{_def_text('EventType', schema)}",
        f"- **{record_title(claim, schema)}**: {layer_description(claim, schema)}",
        f"- **{definition('Link', schema).get('title', 'Link')}**: {_def_text('Link', schema)}",
        "",
        f"Schema version {schema_version(schema)}. {schema.get('description', '')}",
        "",
    ]


def _layers_section(schema: dict[str, Any]) -> list[str]:
    keys = hotkeys(schema)
    lines = [
        "## Label Studio: span labels",
        "",
        "Pick a label (click it or press its hotkey), then select the text. One keyboard row per layer.",
        "",
    ]
    for layer in lsmap.SPAN_LAYERS:
        lines += [f"### {layer_title(layer, schema)} (`{layer.name}`)", "", layer_description(layer, schema), ""]
        items = layer_labels(layer, schema)
        extra: dict[str, list[str]] = {"": ["Hotkey"]}
        for item in items:
            extra[item.value] = [f"`{keys[(layer.name, item.value)]}`" if (layer.name, item.value) in keys else ""]
            if item.roles:
                extra[""] = ["Hotkey", "Allowed argument roles"]
        if extra[""][-1] == "Allowed argument roles":
            for item in items:
                extra[item.value].append(", ".join(f"`{role}`" for role in item.roles))
        lines += _label_table(items, extra)
    return lines


def _details_section(schema: dict[str, Any]) -> list[str]:
    lines = ["## Label Studio: details of a selected region", ""]
    lines += ["Select a region to see the fields of its layer in the right-hand panel.", ""]
    for choice in lsmap.REGION_CHOICES:
        many = "choose all that apply" if choice.multiple else "choose one"
        title = field_title(choice, schema)
        lines += [f"### {title} (`{choice.name}`, {choice.layer}; {many})", "", field_description(choice, schema), ""]
        lines += _label_table(choice_labels(choice, schema))
    for text in lsmap.REGION_TEXTS:
        lines += [f"### {text.name.replace('_', ' ').capitalize()} (`{text.name}`, {text.layer}; free text)", ""]
        lines += [text.help + ".", ""]
    lines += ["Evidence kinds (the word before ':' on an evidence line):", ""]
    return lines + _label_table(labels("EvidenceKind", schema))


def _relations_section(schema: dict[str, Any]) -> list[str]:
    lines = [
        "## Label Studio: relations",
        "",
        "To relate two regions: select the first region, press `alt+r` (or the relation button), click the "
        "second region, then pick the relation's label in the region panel. Direction matters: always draw "
        "from the first-named region to the second.",
        "",
        f"**Argument roles** go from an event trigger (`event`) to an entity mention (`entity`). "
        f"{_def_text('ArgumentRole', schema)} Use only the roles the event type allows (table above).",
        "",
    ]
    lines += _label_table(labels("ArgumentRole", schema))
    lines += [f"**Claim relations** go from a claim (`claim`) to another region. {_def_text('ClaimRelation', schema)}"]
    lines += [""]
    targets = {link.relation: link for link in lsmap.CLAIM_LINKS}
    extra: dict[str, list[str]] = {"": ["Draw to", "Fills the claim's field"]}
    for item in labels("ClaimRelation", schema):
        link = targets.get(item.value)
        extra[item.value] = [f"`{link.target}` region", f"`{link.field}`"] if link else ["", ""]
    lines += _label_table(labels("ClaimRelation", schema), extra)
    lines += [
        "Each claim relation is drawn at most once per claim: the field it fills holds one region.",
        "",
    ]
    return lines


def _rules_section(schema: dict[str, Any]) -> list[str]:
    lines = [
        "## Offsets",
        "",
        "Offsets count Unicode code points (Python `text[start:end]`); a line break counts as one. "
        "Label Studio saves code points even where it draws a highlight shifted (after an emoji): "
        "do not move a correct span to follow the drawing. Arabic articles are shown right to left.",
        "",
        "## Boilerplate is marked, never annotated",
        "",
        f"{_def_text('BoilerplateKind', schema)} Ingest marks these stretches; never put a span inside them.",
        "",
    ]
    return lines + _label_table(labels("BoilerplateKind", schema))


def _other_sets(schema: dict[str, Any], covered: set[str]) -> list[str]:
    lines = ["## Other label sets", ""]
    for name in _label_sets(schema):
        if name in covered:
            continue
        node = definition(name, schema)
        lines += [f"### {node.get('title', name)} (`{name}`)", "", str(node.get("description", "")), ""]
        items = labels(name, schema)
        applies = {i["const"]: i.get("x-applies-to") for i in node["oneOf"] if i.get("x-applies-to")}
        extra = {"": ["Joins"], **{v: [", ".join(applies.get(v, []))] for v in (i.value for i in items)}}
        lines += _label_table(items, extra if applies else None)
    return lines


def guidelines(schema: dict[str, Any] | None = None) -> str:
    """Return the annotator guidelines (Markdown), generated from the schema's descriptions."""
    schema = schema or load_schema()
    covered = {layer.label_set for layer in lsmap.SPAN_LAYERS} | {c.label_set for c in lsmap.REGION_CHOICES}
    covered |= {*lsmap.RELATION_LABEL_SETS, "EvidenceKind", "BoilerplateKind"}
    body = _overview(schema) + _layers_section(schema) + _details_section(schema)
    body += _relations_section(schema) + _rules_section(schema) + _other_sets(schema, {str(c) for c in covered})
    # Label Studio shows the guidelines as HTML: markup in a schema description must stay text.
    lines = ["# Annotation guidelines", "", f"<!-- {GENERATED_NOTE} -->", "", *map(_escape_html, body)]
    return "\n".join(lines).rstrip("\n") + "\n"


# --- all generated files ----------------------------------------------------------------------------


def features_json() -> str:
    """The HF Features of every dataset config as JSON ({config: Features.to_dict()})."""
    from goldkit.generate.features import config_features  # imports `datasets`: only when rendering

    return dumps({name: features.to_dict() for name, features in config_features().items()})


def render_all(root: Path | None = None) -> dict[Path, str]:
    """Render every generated file of the project at `root` from its schema: {path: content}."""
    path = root / SCHEMA_FILE if root else schema_path()
    root = root or project_root()
    l10n = wording.translations_file(path)
    schema = wording.with_translations(read_schema(path), wording.read_translations(l10n), l10n)
    check_schema(schema, path)
    files = {config_path(language, root): label_config(language, schema) for language in languages(schema)}
    files[guidelines_path(root)] = guidelines(schema)
    files[features_path(root)] = features_json()
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
