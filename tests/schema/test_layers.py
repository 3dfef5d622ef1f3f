"""A project's own attribute needs its schema and nothing else: the per-region choices come from the schema.

The test copies the package (unedited) and the schema into tmp_path, adds an enum `$defs/Sourcing` and a
`sourcing` property on Claim, and an enum `$defs/Scale` and a `scale` property on Event, to the schema copy
only, then runs the copy in a fresh interpreter (every cache built from the edited schema) and follows
both attributes into the Label Studio config, a converted record, validation, the HF Features, the
guidelines, the card and agreement. The default schema derives exactly the table the package had.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from record_builders import SOURCING

from goldkit.paths import DEFAULT_SCHEMA_PATH, PACKAGE_DIR, SCHEMA_FILE
from goldkit.schema import layers
from goldkit.schema.layers import RegionChoice

CASE = Path(__file__).resolve().parents[1] / "data" / "convert_english"
SCALE = {
    "title": "Scale",
    "description": "How many people the event involves.",
    "type": "string",
    "oneOf": [
        {"const": "few", "title": "A few people", "description": "Up to a handful of people."},
        {"const": "many", "title": "Many people", "description": "A crowd, a country, an alliance."},
    ],
}

PROBE = r"""
import json, sys
import xml.etree.ElementTree as ET
from label_studio_sdk.label_interface import LabelInterface
from goldkit.generate import render
from goldkit.generate.features import config_features
from goldkit.generate.guidelines import guidelines
from goldkit.labelstudio.convert import record_to_results, results_to_record
from goldkit.agreement.spans import attributes
from goldkit.release.card import label_definitions
from goldkit.schema.validate import validate_record

task, annotation, record = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:4])
for number, claim in enumerate(record["claims"]):
    claim["sourcing"] = ("named", "anonymous")[number % 2]
for number, event in enumerate(record["events"]):
    event["scale"] = ("many", "few")[number % 2]
config = render.label_config(task["data"]["language"])
def shown(name):
    choices = ET.fromstring(config).find(f".//Choices[@name='{name}']")
    return [c.get("value") for c in choices] if choices is not None else None
results = record_to_results(record)
converted = results_to_record(task, {**annotation, "result": results})
without = json.loads(json.dumps(record)); del without["claims"][0]["sourcing"]
wrong = json.loads(json.dumps(record)); wrong["events"][0]["scale"] = "huge"
claims, events = config_features()["claims"], config_features()["events"]
text = guidelines()
print(json.dumps({
    "config_choices": shown("sourcing"),
    "config_event_choices": shown("scale"),
    "config_accepts_results": LabelInterface(config).validate_prediction({"result": results}, return_errors=True),
    "result_choices": sorted(r["value"]["choices"][0] for r in results if r.get("from_name") == "sourcing"),
    "problems": [str(p) for p in converted.problems],
    "converted": [c.get("sourcing") for c in (converted.record or {}).get("claims", [])],
    "converted_events": [e.get("scale") for e in (converted.record or {}).get("events", [])],
    "wanted": [c["sourcing"] for c in record["claims"]],
    "wanted_events": [e["scale"] for e in record["events"]],
    "valid": [str(p) for p in validate_record(record)],
    "missing": [(p.pointer, p.message) for p in validate_record(without)],
    "wrong": [(p.pointer, p.got) for p in validate_record(wrong)],
    "feature": getattr(claims.get("sourcing"), "names", None),
    "event_feature": getattr(events.get("scale"), "names", None),
    "columns_after_verdict": list(claims)[list(claims).index("verdict") + 1],
    "guidelines": [line for line in text.splitlines() if "Sourcing" in line or "Anonymous" in line or "Scale" in line],
    "card": [line for line in label_definitions(["claims"]) if "Sourcing" in line],
    "agreement": [a.name for a in attributes() if a.name in ("sourcing", "scale")],
}))
"""


def _copy(tmp_path: Path, schema: dict[str, Any]) -> Path:
    """tmp_path/repo: the package as it is and the given schema, the project a fresh interpreter runs."""
    repo = tmp_path / "repo"
    shutil.copytree(PACKAGE_DIR, repo / "tools" / "goldkit", ignore=shutil.ignore_patterns("_compiled", "__pycache__"))
    (repo / SCHEMA_FILE).parent.mkdir()
    (repo / SCHEMA_FILE).write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    return repo


def _with_property(schema: dict[str, Any], item: str, name: str, after: str, node: dict[str, Any]) -> None:
    definition = schema["$defs"][item]
    properties = list(definition["properties"].items())
    place = [key for key, _ in properties].index(after) + 1
    definition["properties"] = dict([*properties[:place], (name, node), *properties[place:]])
    definition["required"].append(name)


def _schema_with_attributes() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8"))
    schema["$defs"] |= {"Sourcing": SOURCING, "Scale": SCALE}
    _with_property(schema, "Claim", "sourcing", "verdict", {"$ref": "#/$defs/Sourcing"})
    _with_property(schema, "Event", "scale", "polarity", {"$ref": "#/$defs/Scale"})
    return schema


def _run(repo: Path, *args: str, code: str = PROBE) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(repo / "tools"), "GOLDKIT_ROOT": str(repo), "GOLDKIT_PURE": "1"}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=repo, timeout=300
    )


def test_attributes_in_the_schema_reach_config_record_validation_features_guidelines_card_and_agreement(
    tmp_path: Path,
) -> None:
    repo = _copy(tmp_path, _schema_with_attributes())
    assert (repo / "tools" / "goldkit").is_dir() and not (repo / "tools" / "goldkit" / "_compiled").exists()
    done = _run(repo, *(str(CASE / f"{name}.json") for name in ("task", "annotation", "expected")))
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    values = [item["const"] for item in SOURCING["oneOf"]]
    assert seen["config_choices"] == values  # the Label Studio config shows the choice
    assert seen["config_event_choices"] == [item["const"] for item in SCALE["oneOf"]]
    assert seen["config_accepts_results"] == []  # and accepts the results convert makes for them
    assert seen["result_choices"] == sorted(seen["wanted"])
    assert seen["problems"] == [] and seen["converted"] == seen["wanted"]  # back into a valid record
    assert seen["wanted_events"] and seen["converted_events"] == seen["wanted_events"]
    assert seen["valid"] == []
    assert [pointer for pointer, _ in seen["missing"]] == ["/claims/0/sourcing"]  # validation requires it
    assert seen["wrong"] == [["/events/0/scale", "huge"]]  # and checks its values
    assert seen["feature"] == values and seen["columns_after_verdict"] == "sourcing"  # a ClassLabel column
    assert seen["event_feature"] == [item["const"] for item in SCALE["oneOf"]]
    guideline_text = "\n".join(seen["guidelines"])
    assert "Sourcing" in guideline_text and "Anonymous" in guideline_text and "Scale" in guideline_text
    assert any("(`Sourcing`)" in line for line in seen["card"])  # the card's label definitions
    assert seen["agreement"] == ["scale", "sourcing"]  # compared between annotators


def test_the_default_schema_gives_the_choices_the_table_listed() -> None:
    """Derived from the default schema, the choices are those the hand-written table had, in its order."""
    assert layers.region_choices() == (
        RegionChoice("realis", "event", "Realis"),
        RegionChoice("polarity", "event", "Polarity"),
        RegionChoice("types", "claim", "ClaimType", multiple=True),
        RegionChoice("claimant", "claim", "ClaimantKind"),
        RegionChoice("attribution", "claim", "AttributionQuality"),
        RegionChoice("modality", "claim", "Modality"),
        RegionChoice("check_worthy", "claim", None),
        RegionChoice("verifiable", "claim", None),
        RegionChoice("verdict", "claim", "Verdict"),
    )
    assert layers.region_choices("entity") == () and layers.region_choices("cue") == ()


def test_a_field_goldkit_cannot_show_is_named_with_the_shapes_it_can(tmp_path: Path) -> None:
    """A claim field of no shape goldkit shows (a number) is an error naming its pointer, not a silent gap."""
    schema = _schema_with_attributes()
    _with_property(schema, "Claim", "confidence", "verdict", {"type": "number"})
    repo = _copy(tmp_path, schema)
    done = _run(repo, code="from goldkit.generate.features import config_features; config_features()")
    assert done.returncode != 0
    assert "$defs/Claim/properties/confidence has no column" in done.stderr and "a label set ($ref)" in done.stderr
