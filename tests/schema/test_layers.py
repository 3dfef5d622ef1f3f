"""A new claim attribute needs the schema plus one line in schema/layers.py, and nothing else.

The test copies the package and the schema into tmp_path, adds an enum `$defs/Sourcing` and a `sourcing`
property on Claim to the schema copy and ONE `RegionChoice` line to the copy's layers table, then runs
the copy in a fresh interpreter (every cache and module-level table built from the edited files) and
follows the attribute into the Label Studio config, a converted record, the HF Features, the card
and agreement.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from goldkit.paths import DEFAULT_SCHEMA_PATH, PACKAGE_DIR, SCHEMA_FILE

CASE = Path(__file__).resolve().parents[1] / "data" / "convert_english"
TABLE_LINE = '    RegionChoice("verdict", "claim", "Verdict"),\n'
NEW_LINE = '    RegionChoice("sourcing", "claim", "Sourcing"),\n'
SOURCING = {
    "title": "Sourcing",
    "description": "Who the claim is sourced to, as the article names them.",
    "type": "string",
    "oneOf": [
        {"const": "named", "title": "Named", "description": "A person or body named in the article."},
        {"const": "anonymous", "title": "Anonymous", "description": "'Officials', 'sources', 'experts'."},
    ],
}

PROBE = r"""
import json, sys
import xml.etree.ElementTree as ET
from label_studio_sdk.label_interface import LabelInterface
from goldkit.generate import render
from goldkit.generate.features import config_features
from goldkit.labelstudio.convert import record_to_results, results_to_record
from goldkit.agreement.spans import attributes
from goldkit.release.card import label_definitions

task, annotation, record = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:4])
for number, claim in enumerate(record["claims"]):
    claim["sourcing"] = ("named", "anonymous")[number % 2]
config = render.label_config(task["data"]["language"])
choices = ET.fromstring(config).find(".//Choices[@name='sourcing']")
results = record_to_results(record)
converted = results_to_record(task, {**annotation, "result": results})
claims = config_features()["claims"]
print(json.dumps({
    "config_choices": [c.get("value") for c in choices] if choices is not None else None,
    "config_accepts_results": LabelInterface(config).validate_prediction({"result": results}, return_errors=True),
    "result_choices": sorted(r["value"]["choices"][0] for r in results if r.get("from_name") == "sourcing"),
    "problems": [str(p) for p in converted.problems],
    "converted": [c.get("sourcing") for c in (converted.record or {}).get("claims", [])],
    "wanted": [c["sourcing"] for c in record["claims"]],
    "feature": getattr(claims.get("sourcing"), "names", None),
    "columns_after_verdict": list(claims)[list(claims).index("verdict") + 1],
    "card": [line for line in label_definitions(["claims"]) if "Sourcing" in line],
    "agreement": [a.name for a in attributes() if a.name == "sourcing"],
}))
"""


def _edited_copy(tmp_path: Path) -> Path:
    """tmp_path/repo: the package and the schema, with Sourcing in the schema and one line in the table."""
    repo = tmp_path / "repo"
    shutil.copytree(PACKAGE_DIR, repo / "tools" / "goldkit", ignore=shutil.ignore_patterns("_compiled", "__pycache__"))
    schema: dict[str, Any] = json.loads(DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8"))
    schema["$defs"]["Sourcing"] = SOURCING
    claim = schema["$defs"]["Claim"]
    properties = list(claim["properties"].items())
    after = [name for name, _ in properties].index("verdict") + 1
    claim["properties"] = dict([*properties[:after], ("sourcing", {"$ref": "#/$defs/Sourcing"}), *properties[after:]])
    claim["required"].append("sourcing")
    (repo / SCHEMA_FILE).parent.mkdir()
    (repo / SCHEMA_FILE).write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    table = repo / "tools" / "goldkit" / "schema" / "layers.py"
    source = table.read_text(encoding="utf-8")
    assert source.count(TABLE_LINE) == 1
    table.write_text(source.replace(TABLE_LINE, TABLE_LINE + NEW_LINE), encoding="utf-8")
    return repo


def test_a_claim_attribute_reaches_config_record_features_card_and_agreement(tmp_path: Path) -> None:
    repo = _edited_copy(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(repo / "tools"), "GOLDKIT_ROOT": str(repo), "GOLDKIT_PURE": "1"}
    files = [str(CASE / f"{name}.json") for name in ("task", "annotation", "expected")]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *files], capture_output=True, text=True, env=env, cwd=repo, timeout=300
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    values = [item["const"] for item in SOURCING["oneOf"]]
    assert seen["config_choices"] == values  # the Label Studio config shows the choice
    assert seen["config_accepts_results"] == []  # and accepts the results convert makes for it
    assert seen["result_choices"] == sorted(seen["wanted"])
    assert seen["problems"] == [] and seen["converted"] == seen["wanted"]  # back into a valid record
    assert seen["feature"] == values and seen["columns_after_verdict"] == "sourcing"  # a ClassLabel column
    assert any("(`Sourcing`)" in line for line in seen["card"])  # the card's label definitions
    assert seen["agreement"] == ["sourcing"]  # compared between annotators


def test_the_unedited_copy_has_no_sourcing(tmp_path: Path) -> None:
    """The probe is not fooled: without the table line the attribute stays out of the config and the columns."""
    repo = _edited_copy(tmp_path)
    table = repo / "tools" / "goldkit" / "schema" / "layers.py"
    table.write_text(table.read_text(encoding="utf-8").replace(NEW_LINE, ""), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(repo / "tools"), "GOLDKIT_ROOT": str(repo), "GOLDKIT_PURE": "1"}
    code = "from goldkit.generate.features import config_features; config_features()"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode != 0 and "add it to REGION_CHOICES in goldkit/schema/layers.py" in done.stderr
