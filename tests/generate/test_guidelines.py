"""The annotator guidelines per language: every rule kept, no schema keywords, examples in their own direction."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from goldkit.generate import guidelines, render, wording
from goldkit.schema import layers as lsmap
from goldkit.schema.loading import definition, label_values

LANGUAGES = ("en", "ar")


def _visible(markdown: str) -> str:
    """What a reader sees: tags and Markdown link targets dropped, entities decoded, spaces collapsed."""
    text = re.sub(r"<!--.*?-->", "", markdown, flags=re.S)
    text = re.sub(r"\]\(#[^)]*\)", "]", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\\|", "|")
    return " ".join(text.split())


def _said(text: str, titles: dict[str, str]) -> str:
    """A description as the guidelines must say it: whole, less any clause about a schema keyword, and a
    quoted stored value given as its title on the screen."""
    text = guidelines._KEYWORD_CLAUSE.sub("", text)
    text = re.sub(r"(?<!\w)'([a-z_]+)'(?!\w)", lambda m: f"'{titles.get(m.group(1), m.group(1))}'", text)
    return " ".join(text.split())


def _descriptions(schema: dict[str, Any], language: str) -> list[tuple[str, str]]:
    """Every description an annotator must read: label sets, their labels, and the fields they fill."""
    found = []
    for name in wording.annotator_label_sets():
        if name == "Language":
            continue
        found.append((name, wording.set_description(name, language, schema)))
        found += [(f"{name}/{x.value}", x.description) for x in wording.translated_labels(name, language, schema)]
    node = wording.property_node("Entity", "canonical", schema)
    found.append(("Entity/canonical", wording.localized(node, "description", language)))
    found.append(("Link", wording.localized(definition("Link", schema), "description", language)))
    titles = guidelines.screen_titles(schema, language)
    return [(where, _said(text, titles)) for where, text in found if text.strip()]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_rule_the_schema_states_is_in_the_guidelines(language: str) -> None:
    schema = wording.translated_schema()
    text = _visible(guidelines.guidelines(schema, language))
    missing = [where for where, said in _descriptions(schema, language) if said not in text]
    assert missing == []


def test_the_newest_rules_are_there_in_both_languages() -> None:
    english = _visible(guidelines.guidelines(None, "en"))
    assert "Another report of the same event never supports or refutes a claim" in english  # the verdict rule
    assert "gets a key that starts with 'unverified.'" in english  # the canonical key rule
    arabic = _visible(guidelines.guidelines(None, "ar"))
    assert "تقرير آخر عن الحدث نفسه لا يؤيد الادعاء ولا يدحضه أبدًا" in arabic
    assert "'unverified.'" in arabic and "unverified.security_expert_1" in arabic


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_schema_keyword_or_stored_value_is_shown(language: str) -> None:
    text = _visible(guidelines.guidelines(None, language))
    assert not re.search(r"\bx-[a-z]", text)
    values = {v for name in ("EntityType", "Verdict", "AttributionQuality", "ClaimType") for v in label_values(name)}
    shown = {v for v in values if "_" in v and re.search(rf"(?<![\w.]){re.escape(v)}(?![\w])", text)}
    assert shown == set()  # titles only: 'Title / role', never title_role


def test_each_example_is_set_in_its_own_direction() -> None:
    for language in LANGUAGES:
        markdown = guidelines.guidelines(None, language)
        examples = re.findall(r'<bdi dir="(rtl|ltr)">(.*?)</bdi>', markdown)
        assert len(examples) > 40
        for direction, example in examples:
            arabic = re.search(r"[\u0600-\u06ff]", html.unescape(example)) is not None
            assert direction == ("rtl" if arabic else "ltr"), example
    arabic_page = guidelines.guidelines(None, "ar")
    assert arabic_page.split("\n")[2] == '<div dir="rtl">' and arabic_page.rstrip().endswith("</div>")
    assert '<div dir="rtl">' not in guidelines.guidelines(None, "en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_label_has_its_section_and_a_link_to_it(language: str) -> None:
    markdown = guidelines.guidelines(None, language)
    for layer in lsmap.SPAN_LAYERS:
        for label in render.layer_labels(layer, wording.translated_schema(), language):
            target = guidelines.anchor(layer.name, label.value)
            assert f'<a id="{target}"></a>{html.escape(label.title, quote=False)}' in markdown
            assert f"](#{target})" in markdown


def test_the_arabic_guidelines_say_every_sentence_in_arabic(monkeypatch: pytest.MonkeyPatch) -> None:
    untranslated = []

    def word(english: str, language: str) -> str:
        if english not in wording.UI_WORDS.get(language, {}):
            untranslated.append(english)
        return wording.word(english, language)

    monkeypatch.setattr(guidelines, "word", word)
    guidelines.guidelines(None, "ar")
    assert untranslated == []


def test_push_gives_each_language_its_own_guidelines() -> None:
    from goldkit import push

    arabic, english = push.guidelines_html("ar"), push.guidelines_html("en")
    assert "إرشادات التوسيم" in arabic and "Annotation guidelines" in english
    # the contents name every label; Label Studio strips ids, so in-page links would lead nowhere there
    assert "دولة / مدينة" in arabic and "Geo-political entity" in english
    assert not re.search(r'href="#|<a id=', arabic + english)
    assert push.guidelines_html("fr") == english  # a language without its own falls back to the English
