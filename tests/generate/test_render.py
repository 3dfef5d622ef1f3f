"""Files generated from the schema: Label Studio configs, guidelines, features; drift check and CLI."""

from __future__ import annotations

import copy
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk.label_interface import LabelInterface

from goldkit.cli import main as cli_main
from goldkit.errors import SchemaError
from goldkit.generate import files, guidelines, render, wording
from goldkit.schema import layers as lsmap
from goldkit.schema.loading import label_values, load_schema

REPO = Path(__file__).resolve().parents[2]  # this repository is a goldkit project (goldkit.toml)
SCHEMA_PATH = REPO / "schema" / "goldkit.schema.json"
TINY = Path(__file__).resolve().parents[1] / "data" / "render_tiny"
LANGUAGES = ("en", "ar")


def _tiny_schema() -> dict[str, Any]:
    return json.loads((TINY / "input" / "goldkit.schema.json").read_text(encoding="utf-8"))


def _tree(xml: str) -> ET.Element:
    return ET.fromstring(xml)


def _expected_controls(schema: dict[str, Any] | None = None) -> dict[str, list[str]]:
    """Control name -> label values, from lsmap and the schema (what the XML must offer)."""
    schema = schema or load_schema()
    controls = {layer.name: [x.value for x in render.layer_labels(layer, schema)] for layer in lsmap.SPAN_LAYERS}
    controls |= {c.name: [x.value for x in render.choice_labels(c, schema)] for c in lsmap.region_choices()}
    controls |= {t.name: [] for t in lsmap.REGION_TEXTS}
    return controls


# --- golden: the committed files are the render output (the drift test) ----------------------------


def test_committed_generated_files_match_the_schema() -> None:
    rendered = files.render_all(REPO)
    assert {path.name for path in rendered} == {
        "labelstudio.en.xml",
        "labelstudio.ar.xml",
        "GUIDELINES.md",
        "GUIDELINES.ar.md",
        "features.json",
    }
    for path, content in rendered.items():
        assert path.exists(), f"{path} is missing: run `goldkit schema render`"
        assert path.read_text(encoding="utf-8") == content, f"{path} is stale: run `goldkit schema render`"
    assert files.check_drift(REPO) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_tiny_schema_renders_the_expected_config(language: str) -> None:
    expected = (TINY / "expected" / f"labelstudio.{language}.xml").read_text(encoding="utf-8")
    assert render.label_config(language, _tiny_schema()) == expected


def test_tiny_schema_renders_the_expected_guidelines() -> None:
    expected = (TINY / "expected" / "GUIDELINES.md").read_text(encoding="utf-8")
    assert guidelines.guidelines(_tiny_schema()) == expected


def test_features_json_is_the_features_of_every_config() -> None:
    from goldkit.generate.features import config_features

    committed = json.loads((REPO / "schema" / "features.json").read_text(encoding="utf-8"))
    assert committed == {name: f.to_dict() for name, f in config_features().items()}
    assert committed["events"]["type"]["names"] == label_values("EventType")


# --- the Label Studio config as Label Studio's SDK reads it ----------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_label_interface_sees_every_control_with_its_labels(language: str) -> None:
    interface = LabelInterface(render.config_path(language, REPO).read_text(encoding="utf-8"))  # as committed
    interface.validate()
    seen = {c.name: list(c.labels) for c in interface.controls}
    assert seen == _expected_controls()
    assert all(c.to_name == [lsmap.TEXT_NAME] for c in interface.controls)
    # the article (labels point at it, it shows the masked copy) and the furniture block no label points at
    assert [(o.tag, o.name, o.value) for o in interface.objects] == [
        ("Text", lsmap.TEXT_NAME, f"${lsmap.SHOWN_KEY}"),
        ("Text", lsmap.FURNITURE_KEY, f"${lsmap.FURNITURE_KEY}"),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_tiny_config_drift_between_lsmap_schema_and_xml_is_caught(language: str) -> None:
    schema = _tiny_schema()
    interface = LabelInterface(render.label_config(language, schema))
    interface.validate()
    assert {c.name: list(c.labels) for c in interface.controls} == _expected_controls(schema)
    assert _expected_controls(schema) != _expected_controls()  # the tiny schema really differs


def _region(rid: str, control: str, kind: str, values: list[str]) -> dict[str, Any]:
    span = {"start": 0, "end": 5, "text": "Saudi"}
    return {"id": rid, "from_name": control, "to_name": "text", "type": kind, "value": {**span, kind: values}}


def test_a_prediction_in_the_config_shape_validates_and_a_wrong_label_does_not() -> None:
    interface = LabelInterface(render.label_config("en"))
    role = label_values("ArgumentRole")[0]
    result = [
        _region("e1", "entity", "labels", label_values("EntityType")[:1]),
        _region("v1", "event", "labels", label_values("EventType")[:1]),
        _region("v1", "realis", "choices", label_values("Realis")[:1]),
        {"type": "relation", "from_id": "v1", "to_id": "e1", "direction": "right", "labels": [role]},
    ]
    assert interface.validate_prediction({"result": result}, return_errors=True) in (True, [])
    broken = copy.deepcopy(result)
    broken[0]["value"]["labels"] = ["no_such_label"]
    assert interface.validate_prediction({"result": broken}, return_errors=True) not in (True, [])


@pytest.mark.parametrize("language", LANGUAGES)
def test_relations_offer_every_relation_value(language: str) -> None:
    relations = _tree(render.label_config(language)).findall(".//Relations/Relation")
    assert [r.get("value") for r in relations] == [x.value for x in lsmap.relation_values()]


def test_per_region_controls_show_only_for_their_layer() -> None:
    root = _tree(render.label_config("en"))
    for choice in lsmap.region_choices():
        node = root.find(f".//Choices[@name='{choice.name}']")
        assert node is not None
        assert node.get("perRegion") == "true"
        assert (node.get("visibleWhen"), node.get("whenTagName")) == ("region-selected", choice.layer)
        assert node.get("choice") == ("multiple" if choice.multiple else "single")
    for text in lsmap.REGION_TEXTS:
        # TextArea has no visibleWhen of its own: the View around it carries it
        view = root.find(f".//View[@whenTagName='{text.layer}']")
        assert view is not None and view.find(f"TextArea[@name='{text.name}']") is not None
        assert view.find(f"TextArea[@name='{text.name}']").get("perRegion") == "true"


def test_article_is_text_never_hypertext_and_rtl_only_for_arabic() -> None:
    for language in LANGUAGES:
        xml = render.label_config(language)
        root = _tree(xml)
        assert root.find(".//HyperText") is None
        texts = root.findall(".//Text")
        assert [(t.get("name"), t.get("value")) for t in texts] == [
            (lsmap.TEXT_NAME, f"${lsmap.SHOWN_KEY}"),  # the article with its furniture masked
            (lsmap.FURNITURE_KEY, f"${lsmap.FURNITURE_KEY}"),  # the furniture, apart
        ]
        assert texts[1].get("selectionEnabled") == "false"
        rtl = [v for v in root.iter("View") if render.RTL_STYLE in v.get("style", "")]
        if language == "ar":  # the article, and the label buttons above it (right-aligned for Arabic readers)
            article = [v for v in rtl if v.find("Text") is not None]
            assert len(article) == 1 and article[0].find("View/Header").get("value") == "$title"
            parts = (".//Text", ".//Labels", ".//View[@visibleWhen]")  # article, label buttons, region details
            assert all(any(v.find(part) is not None for part in parts) for v in rtl)
        else:
            assert rtl == [] and "rtl" not in xml
        assert "$" not in "".join(v.get("style", "") for v in root.iter("View"))  # LS won't substitute there


def test_hotkeys_are_unique_across_the_config_and_cover_common_labels() -> None:
    root = _tree(render.label_config("en"))
    keys = [node.get("hotkey") for node in root.iter() if node.get("hotkey")]
    assert len(keys) == len(set(keys))
    assert "u" not in keys  # Label Studio's "unselect region"
    labelled = {(labels.get("name"), label.get("value")) for labels in root.iter("Labels") for label in labels}
    assert {("entity", v) for v in label_values("EntityType")} <= {k for k in labelled if k in render.hotkeys()}
    assert all(root.find(f".//Labels[@name='{k[0]}']/Label[@value='{k[1]}']").get("hotkey") for k in labelled)


def test_colours_are_valid_and_stable_per_label() -> None:
    full = _tree(render.label_config("en"))
    tiny = _tree(render.label_config("ar", _tiny_schema()))
    for labels in full.iter("Labels"):
        for label in labels:
            colour = label.get("background")
            assert colour == render.colour(labels.get("name"), label.get("value"))
            assert re.fullmatch(r"#[0-9a-f]{6}", colour), colour
            same = tiny.find(f".//Labels[@name='{labels.get('name')}']/Label[@value='{label.get('value')}']")
            if same is not None:  # fewer labels in the set: the survivors keep their colours
                assert same.get("background") == colour
    person, org = (full.find(f".//Label[@value='{v}']") for v in label_values("EntityType")[:2])
    assert person.get("background") != org.get("background")


def test_descriptions_with_quotes_markup_and_arabic_round_trip_through_the_xml() -> None:
    schema = _tiny_schema()
    tricky = schema["$defs"]["EntityType"]["oneOf"][0]
    root = _tree(render.label_config("en", schema))  # the Arabic config shows the x-l10n words instead
    hint = root.find(f".//Labels[@name='entity']/Label[@value='{tricky['const']}']").get("hint")
    assert hint == f"{tricky['title']}: {tricky['description']}"
    assert '"' in hint and "<" in hint and "أحمد" in hint


def test_config_for_a_language_the_schema_lacks_is_an_error() -> None:
    with pytest.raises(SchemaError) as error:
        render.label_config("fr")
    assert error.value.facts["expected"] == label_values("Language")


# --- guidelines ------------------------------------------------------------------------------------


def test_guidelines_keep_markup_in_descriptions_as_text() -> None:
    text = guidelines.guidelines(_tiny_schema())
    assert "&lt;b&gt;waves&lt;/b&gt;" in text and "<b>" not in text
    assert "\\| pipe" in text  # a '|' in a description stays text


# --- checking the schema itself --------------------------------------------------------------------


def test_schema_problems_name_every_broken_place() -> None:
    schema = copy.deepcopy(wording.translated_schema())
    assert render.schema_problems(schema) == []
    del schema["$defs"]["Realis"]["oneOf"][1]["description"]
    schema["$defs"]["EventType"]["oneOf"][0]["x-roles"].append("bystander")
    schema["$defs"]["Polarity"]["type"] = 5
    problems = {(p.pointer, p.got) for p in render.schema_problems(schema)}
    assert ("/$defs/Realis/oneOf/1", None) in problems
    assert ("/$defs/EventType/oneOf/0/x-roles", "bystander") in problems
    assert any(pointer.startswith("/$defs/Polarity") for pointer, _ in problems)


def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "schema").mkdir()
    shutil.copy(SCHEMA_PATH, tmp_path / "schema" / "goldkit.schema.json")
    shutil.copy(wording.translations_file(), tmp_path / "schema" / "goldkit.l10n.json")
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    return tmp_path


def test_render_all_refuses_a_broken_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, monkeypatch)
    schema = json.loads((root / "schema" / "goldkit.schema.json").read_text(encoding="utf-8"))
    del schema["$defs"]["Modality"]["oneOf"][0]["title"]
    (root / "schema" / "goldkit.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(SchemaError) as error:
        files.render_all(root)
    assert "/$defs/Modality/oneOf/0" in error.value.message
    assert not (root / "schema" / "GUIDELINES.md").exists()


# --- CLI -------------------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """goldkit's real entry point."""
    return cli_main.main


def test_cli_render_writes_then_check_passes(tmp_path, monkeypatch, cli, capsys) -> None:  # type: ignore[no-untyped-def]
    root = _project(tmp_path, monkeypatch)
    assert cli(["schema", "render", "--check"]) == 1  # nothing generated yet
    capsys.readouterr()
    assert cli(["schema", "render", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(report["written"]) == sorted(
        f"schema/{n}"
        for n in ("labelstudio.en.xml", "labelstudio.ar.xml", "GUIDELINES.md", "GUIDELINES.ar.md", "features.json")
    )
    assert (root / "schema" / "labelstudio.ar.xml").read_text(encoding="utf-8") == render.label_config("ar")
    assert cli(["schema", "render", "--check"]) == 0
    assert "match the schema" in capsys.readouterr().out


def test_cli_check_names_each_stale_file_and_the_fix(tmp_path, monkeypatch, cli, capsys) -> None:  # type: ignore[no-untyped-def]
    root = _project(tmp_path, monkeypatch)
    assert cli(["schema", "render"]) == 0
    edited = root / "schema" / "labelstudio.en.xml"
    edited.write_text(edited.read_text(encoding="utf-8").replace('hotkey="1"', 'hotkey="0"'), encoding="utf-8")
    (root / "schema" / "GUIDELINES.md").unlink()
    capsys.readouterr()
    assert cli(["schema", "render", "--check"]) == 1
    err = capsys.readouterr().err
    assert "schema/labelstudio.en.xml" in err and "schema/GUIDELINES.md" in err
    assert "schema/labelstudio.ar.xml" not in err
    assert "goldkit schema render" in err
    assert 'hotkey="0"' in edited.read_text(encoding="utf-8")  # --check writes nothing
    assert cli(["schema", "render", "--check", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["paths"] == ["schema/labelstudio.en.xml", "schema/GUIDELINES.md"]


def test_cli_show_prints_version_and_label_sets(tmp_path, monkeypatch, cli, capsys) -> None:  # type: ignore[no-untyped-def]
    _project(tmp_path, monkeypatch)
    assert cli(["schema", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["version"] == load_schema()["version"] and "EventType" in shown["label_sets"]
    assert cli(["schema", "show", "Realis", "--json"]) == 0
    assert [x["value"] for x in json.loads(capsys.readouterr().out)] == label_values("Realis")
    assert cli(["schema", "show", "EventType"]) == 0
    assert label_values("EventType")[0] in capsys.readouterr().out
    assert cli(["schema", "show", "Nope"]) == 1
    assert "no label set named 'Nope'" in capsys.readouterr().err
