"""The words annotators read, per language: titles and short descriptions of layers, fields and labels.

English comes from each schema node's `title`/`description`; another language from
`schema/goldkit.l10n.json` (`{lang: {"$defs/SET/VALUE": {title, description}}}`), merged into the
schema in memory as `x-l10n` (a schema node may also carry `x-l10n` itself). The translations live
beside the schema, not in it, so a release's copy of the schema does not change with wording.
Stored values never change with the language: only the words shown beside them do. Strings that
are not in the schema (yes/no, placeholders) are in `UI_WORDS`, once per language.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from goldkit.errors import Problem, SchemaError
from goldkit.paths import schema_path
from goldkit.schema import layers as lsmap
from goldkit.schema.loading import Label, definition, labels, load_schema

SOURCE_LANGUAGE = "en"  # the language of the schema's own title/description
L10N_KEY = "x-l10n"

# Words of the annotation screen that no schema node carries, by language (English is the key).
UI_WORDS: dict[str, dict[str, str]] = {
    "ar": {
        "Yes": "نعم",
        # the guidelines (goldkit.generate.guidelines)
        "Annotation guidelines": "إرشادات التوسيم",
        "Contents": "المحتويات",
        "How to work": "طريقة العمل",
        "Read the whole article first. Then pick a label (click it or press its hotkey) and select the words; "
        "the region appears in the list on the right.": (
            "اقرأ المقال كاملًا أولًا. ثم اختر وسمًا (انقر عليه أو اضغط مفتاحه) وظلّل الكلمات؛ "
            "يظهر المقطع في القائمة على الجانب."
        ),
        "Select a region to fill in its details below the labels; draw relations between regions "
        "(see 'Relations'). Submit when the article is done.": (
            "اختر مقطعًا لتملأ تفاصيله تحت الوسوم، وارسم العلاقات بين المقاطع (انظر «العلاقات»). "
            "اضغط «إرسال» حين تنتهي من المقال."
        ),
        "Page furniture": "عناصر الصفحة",
        "On the screen it is shown apart, in a grey box above the article, and greyed out (░) in the article "
        "itself: never put a region on it. An annotation with a region there is sent back.": (
            "تظهر على الشاشة منفصلة في مربع رمادي فوق المقال، ومظللة (░) في نص المقال نفسه: لا تضع عليها مقطعًا "
            "أبدًا. التوسيم الذي فيه مقطع عليها يُعاد إليك."
        ),
        "Mark the trigger: the word or short phrase that says the event happens.": (
            "ظلّل كلمة الحدث: الكلمة أو العبارة القصيرة التي تقول إن الحدث يقع."
        ),
        "Hotkey": "المفتاح",
        "Who or what can take part": "من أو ما يمكن أن يشارك",
        "Details of a selected region": "تفاصيل المقطع المختار",
        "choose one": "اختر واحدًا",
        "choose all that apply": "اختر كل ما ينطبق",
        "free text": "نص حر",
        "Relations": "العلاقات",
        "Select the first region, press alt+r (or the relation button), click the second region, then pick the "
        "relation's label. Always draw from the first-named region to the second.": (
            "اختر المقطع الأول، واضغط alt+r (أو زر العلاقة)، ثم انقر المقطع الثاني، واختر وسم العلاقة. "
            "ارسم دائمًا من المقطع المذكور أولًا إلى الثاني."
        ),
        "Use only the roles the event's type allows (listed under each event type).": (
            "استعمل فقط الأدوار التي يسمح بها نوع الحدث (مذكورة تحت كل نوع)."
        ),
        "Each one is drawn at most once per claim.": "تُرسم كل واحدة منها مرة واحدة على الأكثر لكل ادعاء.",
        "On the screen": "على الشاشة",
        "After an emoji, Label Studio may draw a highlight a little shifted; the saved region is right: do not "
        "move it to follow the drawing.": (
            "بعد رمز تعبيري قد يرسم Label Studio التظليل منزاحًا قليلًا؛ المقطع المحفوظ صحيح: لا تحرّكه ليتبع الرسم."
        ),
        "Page furniture: greyed out in the article below, never annotated": (
            "عناصر الصفحة: مظللة في نص المقال أدناه، ولا تُوسَم أبداً"
        ),
        "No": "لا",
        "True for this region.": "ينطبق على هذا المقطع.",
        "False for this region.": "لا ينطبق على هذا المقطع.",
        "Canonical key shared across documents, e.g. person.yerzhan_sadenov": (
            "مفتاح موحد مشترك بين المقالات، مثل person.yerzhan_sadenov"
        ),
        "One line per evidence item: 'document: ID', 'url: https://…' or 'reference: NAME', "
        "optionally followed by ' | note'": (
            "سطر لكل دليل: ‎'document: ID'‎ أو ‎'url: https://…'‎ أو ‎'reference: NAME'‎، ويمكن أن يليه ‎' | ملاحظة'‎"
        ),
    },
}


def translations_file(schema_file: Path | None = None) -> Path:
    """Where the translations of a schema file live: beside it, `NAME.schema.json` -> `NAME.l10n.json`."""
    schema_file = schema_file or schema_path()
    return schema_file.with_name(schema_file.name.removesuffix(".schema.json").removesuffix(".json") + ".l10n.json")


def read_translations(path: Path) -> dict[str, dict[str, dict[str, str]]]:
    """Read a translations file ({} when there is none: an English-only project)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except json.JSONDecodeError as e:
        raise SchemaError(f"{path}:{e.lineno}:{e.colno}: translations are not JSON: {e.msg}", path=str(path)) from e
    return {lang: entries for lang, entries in data.items() if not lang.startswith("$")}


def _node_at(schema: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The schema node a translation path names: `$defs/SET`, `$defs/SET/VALUE`, `$defs/REC/properties/F`."""
    node: Any = schema
    for step in path.split("/"):
        if not isinstance(node, dict):
            return None
        items = node.get("oneOf")
        if isinstance(items, list) and step not in node:
            node = next((i for i in items if isinstance(i, dict) and i.get("const") == step), None)
        else:
            node = node.get(step)
    return node if isinstance(node, dict) else None


def names_a_node(schema: dict[str, Any], path: str) -> bool:
    """Say whether a translation path (`$defs/SET/VALUE` ...) names a node of the schema."""
    return _node_at(schema, path) is not None


def with_translations(
    schema: dict[str, Any], translations: dict[str, dict[str, dict[str, str]]], path: Path | None = None
) -> dict[str, Any]:
    """A copy of the schema whose nodes carry `x-l10n` from `translations`; unknown paths are an error."""
    merged = copy.deepcopy(schema)
    unknown = []
    for language, entries in translations.items():
        for where, entry in entries.items():
            node = _node_at(merged, where)
            if node is None:
                unknown.append(Problem(f"/{language}/{where}", "names no node of the schema", got=where))
                continue
            node.setdefault(L10N_KEY, {})[language] = entry
    if unknown:
        listing = "\n".join(f"  • {p}" for p in unknown)
        raise SchemaError(
            f"{path or 'translations'}: {len(unknown)} translation(s) for schema nodes that do not exist:\n{listing}",
            path=str(path) if path else None,
            problems=unknown,
            hint="rename or delete those entries to match the schema, then run: goldkit schema render",
        )
    return merged


_merged: dict[tuple[Path, float, int, float, int], dict[str, Any]] = {}


def translated_schema(schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """The given schema, or the project's schema with its translations merged in (cached per file state)."""
    if schema is not None:
        return schema
    path = schema_path()
    l10n = translations_file(path)
    own, words = path.stat(), (l10n.stat() if l10n.exists() else None)
    key = (path, own.st_mtime, own.st_size, words.st_mtime if words else 0.0, words.st_size if words else 0)
    if key not in _merged:
        _merged[key] = with_translations(load_schema(path), read_translations(l10n), l10n)
    return _merged[key]


def word(english: str, language: str) -> str:
    """`english` in `language`, if UI_WORDS has it (else the English)."""
    return UI_WORDS.get(language, {}).get(english, english)


def localized(node: dict[str, Any], key: str, language: str, default: str = "") -> str:
    """A node's `title` or `description` in `language`: its x-l10n entry, else the English."""
    if language != SOURCE_LANGUAGE:
        text = node.get(L10N_KEY, {}).get(language, {}).get(key)
        if isinstance(text, str) and text.strip():
            return text
    return str(node.get(key, default))


def translated_labels(name: str, language: str, schema: dict[str, Any]) -> list[Label]:
    """The label set `$defs/name` with titles and descriptions in `language` (values unchanged)."""
    items = {item["const"]: item for item in definition(name, schema)["oneOf"]}
    return [
        Label(
            label.value,
            localized(items[label.value], "title", language, label.title),
            localized(items[label.value], "description", language, label.description),
            label.roles,
            label.applies_to,
        )
        for label in labels(name, schema)
    ]


def set_title(name: str, language: str, schema: dict[str, Any]) -> str:
    return localized(definition(name, schema), "title", language, name)


def set_description(name: str, language: str, schema: dict[str, Any]) -> str:
    return localized(definition(name, schema), "description", language)


def property_node(record: str, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The schema node of `record`'s property `name` (empty if it has none)."""
    return dict(definition(record, schema).get("properties", {}).get(name, {}))


def boolean_labels(language: str) -> list[Label]:
    """Yes/no of a boolean field, in `language`."""
    return [Label(b.value, word(b.title, language), word(b.description, language)) for b in lsmap.BOOLEAN_CHOICES]


def annotator_label_sets() -> list[str]:
    """The label sets an annotator sees (span layers, region fields, relations, links, evidence, furniture)."""
    names = [layer.label_set for layer in lsmap.SPAN_LAYERS] + [c.label_set for c in lsmap.region_choices()]
    names += [*lsmap.RELATION_LABEL_SETS, "LinkRelation", "EvidenceKind", "BoilerplateKind", "Language"]
    return list(dict.fromkeys(n for n in names if n))


def translated_languages(schema: dict[str, Any], languages: list[str]) -> list[str]:
    """The project languages other than the schema's own that have translations (their own guidelines)."""
    defs = schema.get("$defs", {})
    return [lang for lang in languages if lang != SOURCE_LANGUAGE and _has_translations(defs, lang)]


def _has_translations(defs: dict[str, Any], language: str) -> bool:
    return any(language in node.get(L10N_KEY, {}) for node in defs.values() if isinstance(node, dict))


def translation_problems(schema: dict[str, Any], languages: list[str]) -> list[Problem]:
    """Every annotator-facing label (and its set) lacking a title or description in a translated language.

    A project language with no translations at all is shown in English (a new project's); one that
    has some must have them all, so a label added to the schema cannot go untranslated.
    """
    problems = []
    defs = schema.get("$defs", {})
    others = [lang for lang in languages if lang != SOURCE_LANGUAGE and _has_translations(defs, lang)]
    for name in annotator_label_sets():
        node = defs.get(name)
        if not isinstance(node, dict) or not isinstance(node.get("oneOf"), list):
            continue
        places = [(f"/$defs/{name}", node, name)]
        places += [(f"/$defs/{name}/oneOf/{i}", item, item.get("const")) for i, item in enumerate(node["oneOf"])]
        for pointer, item, what in places:
            for language in others:
                entry = item.get(L10N_KEY, {}).get(language, {})
                for key in ("title", "description"):
                    if not isinstance(entry.get(key), str) or not entry[key].strip():
                        problems.append(
                            Problem(
                                f"{pointer}/{L10N_KEY}/{language}/{key}",
                                f"{what!r} has no {key} in {language!r} (annotators of that language read it)",
                                expected="text",
                            )
                        )
    return problems
