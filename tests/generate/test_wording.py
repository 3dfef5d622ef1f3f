"""The words on the annotation screen: titles per language shown, schema values stored."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from label_studio_sdk.label_interface import LabelInterface

from goldkit.errors import SchemaError
from goldkit.generate import render, wording
from goldkit.schema import layers as lsmap
from goldkit.schema.loading import label_values, load_schema

ARABIC = re.compile(r"[\u0600-\u06FF]")
REPO_SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "goldkit.schema.json"


def _shown(language: str) -> dict[tuple[str, str], str]:
    """(control name, stored value) -> the text the button shows, for every Label and Choice."""
    root = ET.fromstring(render.label_config(language))
    shown = {}
    for control in root.iter():
        for child in control:
            if child.tag in ("Label", "Choice"):
                shown[(control.get("name", ""), child.get("value", ""))] = child.get("html", "")
    return shown


def _stored_values() -> dict[str, list[str]]:
    values = {layer.name: [x.value for x in layer.values()] for layer in lsmap.SPAN_LAYERS}
    return values | {c.name: [x.value for x in c.values()] for c in lsmap.region_choices()}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_label_and_choice_stores_the_schema_value_and_shows_a_title(language: str) -> None:
    shown = _shown(language)
    expected = {(name, value) for name, values in _stored_values().items() for value in values}
    assert set(shown) == expected
    assert all(text.strip() for text in shown.values())


def test_the_arabic_project_shows_arabic_titles_and_the_english_one_english() -> None:
    arabic, english = _shown("ar"), _shown("en")
    assert all(ARABIC.search(text) for text in arabic.values()), [k for k, t in arabic.items() if not ARABIC.search(t)]
    assert not any(ARABIC.search(text) for text in english.values())
    assert english[("entity", "title_role")] == "Title / role" and arabic[("entity", "title_role")] == "لقب / منصب"
    assert english[("verdict", "not_enough_evidence")] == "Not enough evidence"


def test_arabic_headers_and_hints_are_arabic() -> None:
    root = ET.fromstring(render.label_config("ar"))
    headers = [h.get("value", "") for h in root.iter("Header") if not h.get("value", "").startswith("$")]
    assert headers and all(ARABIC.search(h) for h in headers), headers
    assert all(ARABIC.search(x.get("hint", "")) for x in root.iter() if x.tag in ("Label", "Choice"))


@pytest.mark.parametrize("language", ["en", "ar"])
def test_label_interface_sees_schema_values_not_titles(language: str) -> None:
    interface = LabelInterface(render.label_config(language))
    assert sorted(interface.get_control("entity").labels) == sorted(label_values("EntityType"))
    prediction = {
        "result": [
            {
                "id": "r1",
                "from_name": "entity",
                "to_name": "text",
                "type": "labels",
                "value": {"start": 0, "end": 4, "text": "abcd", "labels": ["title_role"]},
            }
        ]
    }
    assert interface.validate_prediction(prediction)
    prediction["result"][0]["value"]["labels"] = ["لقب / منصب"]
    assert not interface.validate_prediction(prediction)


def test_a_title_with_markup_is_shown_as_text() -> None:
    schema = copy.deepcopy(wording.translated_schema())
    schema["$defs"]["EntityType"]["oneOf"][0]["title"] = "<b>Person</b> & co"
    root = ET.fromstring(render.label_config("en", schema))
    person = next(x for x in root.iter("Label") if x.get("value") == "person")
    assert person.get("html") == "&lt;b&gt;Person&lt;/b&gt; &amp; co"


def test_a_missing_translation_is_a_problem_naming_its_place() -> None:
    schema = copy.deepcopy(wording.translated_schema())
    assert wording.translation_problems(schema, ["en", "ar"]) == []
    del schema["$defs"]["Verdict"]["oneOf"][2]["x-l10n"]["ar"]["title"]
    schema["$defs"]["LinkRelation"]["x-l10n"]["ar"]["description"] = " "
    pointers = {p.pointer for p in render.schema_problems(schema)}
    assert "/$defs/Verdict/oneOf/2/x-l10n/ar/title" in pointers
    assert "/$defs/LinkRelation/x-l10n/ar/description" in pointers
    assert wording.translation_problems(schema, ["en"]) == []  # an English-only project needs none


def test_hotkeys_are_unique_and_the_same_in_both_languages() -> None:
    def keys(language: str) -> dict[str, str]:
        root = ET.fromstring(render.label_config(language))
        return {f"{c.get('name')}/{x.get('value')}": x.get("hotkey", "") for c in root.iter("Labels") for x in c}

    english = keys("en")
    assert english == keys("ar")
    assert len(set(english.values())) == len(english)


def test_translations_live_beside_the_schema_and_unknown_paths_are_refused() -> None:
    translations = wording.read_translations(wording.translations_file())
    assert "ar" in translations and "$comment" not in translations
    assert "x-l10n" not in json.dumps(load_schema())  # the schema a release copies stays free of wording
    with pytest.raises(SchemaError) as error:
        wording.with_translations(load_schema(), {"ar": {"$defs/EntityType/alien": {"title": "x"}}})
    assert "/ar/$defs/EntityType/alien" in error.value.message


def test_the_packaged_translations_are_the_repositorys() -> None:
    """`goldkit init` starts from the package's default schema; its translations ship beside it."""
    from goldkit import paths

    packaged = wording.translations_file(paths.DEFAULT_SCHEMA_PATH)
    assert packaged.name == "default.l10n.json"
    assert packaged.read_bytes() == wording.translations_file(REPO_SCHEMA).read_bytes(), (
        "copy it: cp schema/goldkit.l10n.json tools/goldkit/schema/default.l10n.json"
    )


def test_a_language_without_any_translation_is_shown_in_english_without_a_problem() -> None:
    schema = copy.deepcopy(load_schema(REPO_SCHEMA))  # no translations merged
    schema["$defs"]["Language"]["oneOf"].append({"const": "fr", "title": "French", "description": "Articles in fr."})
    assert wording.translation_problems(schema, ["en", "ar", "fr"]) == []
    shown = ET.fromstring(render.label_config("ar", schema))
    person = next(x for x in shown.iter("Label") if x.get("value") == "person")
    assert person.get("html") == "Person"
