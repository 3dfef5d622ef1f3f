"""The Label Studio labeling configs, generated from the schema, and the derivations other files share.

Everything here is derived from `schema/goldkit.schema.json` and the control table in `goldkit.lsmap`;
goldkit.generate.files writes every generated file and checks them for drift.
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
from goldkit.paths import project_root
from goldkit.schema import layers as lsmap
from goldkit.schema.loading import Label, definition, labels, load_schema, schema_version

SCHEMA_FILE = Path("schema") / "goldkit.schema.json"
GENERATED_NOTE = "Generated from schema/goldkit.schema.json by `goldkit schema render`; do not edit by hand."
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"})  # scripts, not labels
RTL_STYLE = "direction: rtl; text-align: right"
# Room between the article's lines for the relation labels Label Studio draws over the text.
SCREEN_CSS = " ".join(
    (
        ".lsf-richtext__line { line-height: 2.3; }",
        # relation labels (drawn by Label Studio over the text) stay faint until pointed at, so text shows
        "svg[class*='relations-overlay'] g[class*='relationItem'] g { opacity: 0.3; }",
        "svg[class*='relations-overlay'] g[class*='relationItem']:hover g { opacity: 1; }",
        "svg[class*='relations-overlay'] path { stroke-width: 1.2px; }",
        # the region list: a long claim wraps instead of being cut
        ".lsf-outliner-item__text { white-space: normal; overflow: visible; line-height: 1.35; }",
        ".lsf-outliner-item__title .lsf-labels-list { flex-shrink: 0; }",
    )
)
SIDE_STYLE = "flex: 0 0 19em; position: sticky; top: 0; max-height: 92vh; overflow-y: auto"
FURNITURE_CLASS = "goldkit-furniture"  # the block tests and CSS find the furniture by
FURNITURE_HEADER = "Page furniture: greyed out in the article below, never annotated"
FURNITURE_STYLE = "color: #777; background: #f4f4f4; border-radius: 4px; padding: 0.2em 0.8em; font-size: 0.9em"
# One keyboard row per span layer (SPAN_LAYERS order). No 'u': Label Studio uses it to unselect a region.
HOTKEY_ROWS = ("123456789", "qwertyiop", "asdfghjkl", "zxcvbnm")


def config_path(language: str, root: Path | None = None) -> Path:
    """Where the Label Studio config for one language direction is committed."""
    return (root or project_root()) / "schema" / f"labelstudio.{language}.xml"


def guidelines_path(root: Path | None = None, language: str = wording.SOURCE_LANGUAGE) -> Path:
    """The guidelines of one language: GUIDELINES.md in the schema's own language, else GUIDELINES.<lang>.md."""
    name = "GUIDELINES.md" if language == wording.SOURCE_LANGUAGE else f"GUIDELINES.{language}.md"
    return (root or project_root()) / "schema" / name


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
    needed = [layer.label_set for layer in lsmap.SPAN_LAYERS] + [c.label_set for c in lsmap.region_choices()]
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
    """The headline, the page furniture apart (greyed, not selectable) and the article with it masked.

    The article <Text> shows task data `shown` (the text with furniture masked, same length), so an
    offset into it is an offset into `text`; pull checks `text` and refuses spans over the mask.
    """
    style = "display: flex; flex-direction: column" + (f"; {RTL_STYLE}" if direction(language) == "rtl" else "")
    article = _add(parent, "View", style=style)
    _add(_add(article, "View", style="order: -2"), "Header", value="$title", size="4")
    # the article comes first in the config (the data manager previews the first text), drawn second
    _add(article, "Text", name=lsmap.TEXT_NAME, value=f"${lsmap.SHOWN_KEY}")
    block = _add(article, "View", className=FURNITURE_CLASS, style=f"order: -1; {FURNITURE_STYLE}")
    _add(block, "Header", value=wording.word(FURNITURE_HEADER, language), size="6")
    _add(block, "Text", name=lsmap.FURNITURE_KEY, value=f"${lsmap.FURNITURE_KEY}", selectionEnabled="false")


def _region_details(parent: ET.Element, schema: dict[str, Any], language: str) -> None:
    for layer in lsmap.SPAN_LAYERS:
        choices = lsmap.region_choices(layer.name)
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
    rtl = f"; {RTL_STYLE}" if direction(language) == "rtl" else ""
    # Two columns: the article, from the top, taking the width; beside it one sticky column with the label
    # buttons and, under them, the details of the selected region (mirrored for right-to-left readers).
    columns = _add(root, "View", style=f"display: flex; align-items: flex-start; gap: 1.5em{rtl}")
    _article(_add(columns, "View", style="flex: 1; min-width: 0"), language)
    side = _add(columns, "View", style=SIDE_STYLE + rtl)
    _span_controls(side, schema, language)
    _region_details(side, schema, language)
    _relations(root, schema)
    ET.indent(root, space="  ")
    note = f"<!-- {GENERATED_NOTE} Schema {schema_version(schema)}, language {language} ({direction(language)}). -->"
    return f"{note}\n{ET.tostring(root, encoding='unicode')}\n"
