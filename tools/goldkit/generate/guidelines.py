"""The annotator guidelines, one per language, generated from the schema and its translations.

Written for the people who annotate: the titles and descriptions they see on the screen (English from
the schema, another language from schema/goldkit.l10n.json), the hotkeys, and the steps — never a
schema keyword. Every rule a description states is printed in full. Each quoted example ('…', «…»)
is set in its own direction (<bdi dir=…>), so an Arabic example stays readable in an English line and
the other way round; the Arabic guidelines are right to left as a whole. A contents list links to
every label's own section (anchors `label-LAYER-VALUE`), and Label Studio shows the guidelines as
the project's instructions. Everything taken from the schema is HTML-escaped: a description's markup
stays text.
"""

from __future__ import annotations

import html
import re
from typing import Any

from goldkit.generate import render, wording
from goldkit.generate.wording import word
from goldkit.schema import layers as lsmap
from goldkit.schema.loading import Label, definition, labels, schema_version

GENERATED_NOTE = render.GENERATED_NOTE
# A sentence or clause about a schema keyword ('x-roles lists …') is for developers, not annotators.
_KEYWORD_CLAUSE = re.compile(r"(?:^|(?<=[.;]))\s*[^.;]*\bx-[a-z-]+\b[^.;]*[.;]?")
_QUOTED = re.compile(r"(?<!\w)'([^'\n]+?)'(?!\w)|«([^»\n]+)»|(?<!\w)\"([^\"\n]+?)\"(?!\w)")
_RTL_CHAR = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_DEVELOPER_SETS = ("Language", "Normalization", "SourceFormat", "OffsetRepair")  # what ingest/pull record


def _dir(text: str) -> str:
    return "rtl" if _RTL_CHAR.search(text) else "ltr"


_shown_titles: dict[str, str] = {}  # stored value -> the title on the screen, for the guidelines being written


def prose(text: str) -> str:
    """Schema words for annotators: keyword clauses dropped, escaped, each quoted example in its own direction.

    A quoted stored value ('not_enough_evidence') is given as the title the screen shows for it.
    """
    text = _KEYWORD_CLAUSE.sub("", text).strip()
    out, at = [], 0
    for match in _QUOTED.finditer(text):
        example = next(g for g in match.groups() if g is not None)
        out.append(html.escape(text[at : match.start()], quote=False))
        quote = match.group(0)[0], match.group(0)[-1]
        example = _shown_titles.get(example, example)
        # the quote marks follow the sentence's direction, the example inside them its own
        opening, closing = (html.escape(q, quote=False) for q in quote)
        out.append(f'{opening}<bdi dir="{_dir(example)}">{html.escape(example, quote=False)}</bdi>{closing}')
        at = match.end()
    out.append(html.escape(text[at:], quote=False))
    return "".join(out).replace("|", "\\|")


def screen_titles(schema: dict[str, Any], language: str) -> dict[str, str]:
    """Every stored value an annotator meets, with the title the screen shows for it in `language`."""
    titles: dict[str, str] = {}
    for name in wording.annotator_label_sets():
        if name in schema.get("$defs", {}):
            titles.update({x.value: x.title for x in wording.translated_labels(name, language, schema)})
    return titles


def anchor(layer: str, value: str) -> str:
    return f"label-{layer}-{value}"


def _heading(level: int, title: str, anchor_id: str | None = None) -> list[str]:
    mark = f'<a id="{anchor_id}"></a>' if anchor_id else ""
    return [f"{'#' * level} {mark}{html.escape(title, quote=False)}", ""]


def _items(items: list[Label], extra: dict[str, str] | None = None) -> list[str]:
    """A label list: bold title, then its description (and an extra note by value)."""
    extra = extra or {}
    lines = [
        f"- **{html.escape(i.title, quote=False)}**: {prose(i.description)}{extra.get(i.value, '')}" for i in items
    ]
    return [*lines, ""]


def _contents(schema: dict[str, Any], language: str) -> list[str]:
    lines = [*_heading(2, word("Contents", language))]
    for layer in lsmap.SPAN_LAYERS:
        links = [
            f"[{html.escape(x.title, quote=False)}](#{anchor(layer.name, x.value)})"
            for x in render.layer_labels(layer, schema, language)
        ]
        lines.append(f"- {html.escape(render.layer_title(layer, schema, language), quote=False)}: {' · '.join(links)}")
    return [*lines, ""]


def _start(schema: dict[str, Any], language: str) -> list[str]:
    furniture = wording.translated_labels("BoilerplateKind", language, schema)
    return [
        *_heading(2, word("How to work", language)),
        word(
            "Read the whole article first. Then pick a label (click it or press its hotkey) and select the "
            "words; the region appears in the list on the right.",
            language,
        ),
        "",
        word(
            "Select a region to fill in its details below the labels; draw relations between regions "
            "(see 'Relations'). Submit when the article is done.",
            language,
        ),
        "",
        *_heading(3, word("Page furniture", language), "page-furniture"),
        prose(wording.set_description("BoilerplateKind", language, schema))
        + " "
        + word(
            "On the screen it is shown apart, in a grey box above the article, and greyed out (░) in the "
            "article itself: never put a region on it. An annotation with a region there is sent back.",
            language,
        ),
        "",
        *_items(furniture),
    ]


def _layers(schema: dict[str, Any], language: str) -> list[str]:
    keys = render.hotkeys(schema)
    roles = {r.value: r.title for r in wording.translated_labels("ArgumentRole", language, schema)}
    lines: list[str] = []
    for layer in lsmap.SPAN_LAYERS:
        lines += _heading(2, render.record_title(layer, schema, language))
        lines += [prose(render.layer_description(layer, schema, language)), ""]
        if layer.name == "event":
            lines += [word("Mark the trigger: the word or short phrase that says the event happens.", language), ""]
        for label in render.layer_labels(layer, schema, language):
            lines += _heading(3, label.title, anchor(layer.name, label.value))
            lines += [prose(label.description), ""]
            key = keys.get((layer.name, label.value))  # one keyboard row per layer: a long layer runs out
            facts = [f"{word('Hotkey', language)}: `{key}`"] if key else []
            if label.roles:
                taking_part = ", ".join(roles.get(r, r) for r in label.roles)
                facts.append(f"{word('Who or what can take part', language)}: {taking_part}")
            lines += [" · ".join(facts), ""] if facts else []
    return lines


def _details(schema: dict[str, Any], language: str) -> list[str]:
    lines = [*_heading(2, word("Details of a selected region", language))]
    for choice in lsmap.region_choices():
        many = word("choose all that apply" if choice.multiple else "choose one", language)
        layer_name = render.record_title(lsmap.layer(choice.layer), schema, language)
        lines += _heading(3, f"{render.field_title(choice, schema, language)} ({layer_name}; {many})")
        if choice.label_set:
            lines += [prose(render.field_description(choice, schema, language)), ""]
        lines += _items(render.choice_labels(choice, schema, language))
    for text in lsmap.REGION_TEXTS:
        record = render.record_title(lsmap.layer(text.layer), schema, language)
        lines += _heading(3, f"{render.text_title(text, schema, language)} ({record}; {word('free text', language)})")
        name = render._record_name(lsmap.layer(text.layer), schema) or ""
        node = wording.property_node(name, text.name, schema)
        lines += [
            prose(wording.localized(node, "description", language)),
            "",
            prose(word(text.help, language)) + ".",
            "",
        ]
    title = html.escape(wording.set_title("EvidenceKind", language, schema), quote=False)
    lines += [f"{title}: {prose(wording.set_description('EvidenceKind', language, schema))}", ""]
    return lines + _items(wording.translated_labels("EvidenceKind", language, schema))


def _relations(schema: dict[str, Any], language: str) -> list[str]:
    event, entity = (render.record_title(lsmap.layer(n), schema, language) for n in ("event", "entity"))
    lines = [
        *_heading(2, word("Relations", language)),
        word(
            "Select the first region, press alt+r (or the relation button), click the second region, then "
            "pick the relation's label. Always draw from the first-named region to the second.",
            language,
        ),
        "",
        *_heading(3, wording.set_title("ArgumentRole", language, schema)),
        f"{event} → {entity}. {prose(wording.set_description('ArgumentRole', language, schema))} "
        + word("Use only the roles the event's type allows (listed under each event type).", language),
        "",
        *_items(wording.translated_labels("ArgumentRole", language, schema)),
        *_heading(3, wording.set_title("ClaimRelation", language, schema)),
        prose(wording.set_description("ClaimRelation", language, schema))
        + " "
        + word("Each one is drawn at most once per claim.", language),
        "",
    ]
    targets = {link.relation: link for link in lsmap.CLAIM_LINKS}
    claim = render.record_title(lsmap.layer("claim"), schema, language)
    notes = {}
    for item in wording.translated_labels("ClaimRelation", language, schema):
        link = targets.get(item.value)
        if link:
            notes[item.value] = f" ({claim} → {render.record_title(lsmap.layer(link.target), schema, language)})"
    return lines + _items(wording.translated_labels("ClaimRelation", language, schema), notes)


def _links(schema: dict[str, Any], language: str) -> list[str]:
    link = definition("Link", schema)
    kinds = {
        "event": render.record_title(lsmap.layer("event"), schema, language),
        "claim": render.record_title(lsmap.layer("claim"), schema, language),
    }
    items = wording.translated_labels("LinkRelation", language, schema)
    notes = {i.value: f" ({', '.join(kinds.get(k, k) for k in i.applies_to)})" for i in items if i.applies_to}
    return [
        *_heading(2, wording.localized(link, "title", language, "Link")),
        prose(wording.localized(link, "description", language))
        + " "
        + prose(wording.set_description("LinkRelation", language, schema)),
        "",
        *_items(items, notes),
    ]


def _screen_notes(language: str) -> list[str]:
    return [
        *_heading(2, word("On the screen", language)),
        word(
            "After an emoji, Label Studio may draw a highlight a little shifted; the saved region is right: "
            "do not move it to follow the drawing.",
            language,
        ),
        "",
    ]


def _background(schema: dict[str, Any]) -> list[str]:
    """What the records also say (English only): not needed to annotate, kept so no rule is lost."""
    lines = [*_heading(2, "Background: what the records also hold"), prose(str(schema.get("description", ""))), ""]
    lines += [f"{prose(str(definition('Document', schema).get('description', '')))} The text is never changed.", ""]
    for name in _DEVELOPER_SETS:
        if name in schema.get("$defs", {}):
            node = definition(name, schema)
            lines += [*_heading(3, str(node.get("title", name))), prose(str(node.get("description", ""))), ""]
            lines += _items(labels(name, schema))
    return lines


def guidelines(schema: dict[str, Any] | None = None, language: str = wording.SOURCE_LANGUAGE) -> str:
    """Return the annotator guidelines in `language` (Markdown with a little HTML for direction and anchors)."""
    schema = wording.translated_schema(schema)
    _shown_titles.clear()
    _shown_titles.update(screen_titles(schema, language))
    body = _contents(schema, language) + _start(schema, language) + _layers(schema, language)
    body += _details(schema, language) + _relations(schema, language) + _links(schema, language)
    body += _screen_notes(language)
    if language == wording.SOURCE_LANGUAGE:
        body += _background(schema)
    note = f"<!-- {GENERATED_NOTE} Schema {schema_version(schema)}, language {language}. -->"
    lines = [f"# {word('Annotation guidelines', language)}", "", *body]
    if render.direction(language) == "rtl":  # the whole text right to left; examples keep their own direction
        lines = ['<div dir="rtl">', "", *lines, "</div>"]
    return "\n".join([note, "", *lines]).rstrip("\n") + "\n"
