"""Hugging Face Features derived from the schema."""

from __future__ import annotations

import json
from pathlib import Path

from datasets import ClassLabel, Features, List

from goldkit.generate.features import CONFIGS, config_features
from goldkit.schema.loading import label_values

COMMITTED = Path(__file__).resolve().parents[2] / "schema" / "features.json"


def test_every_config_has_features():
    assert set(config_features()) == set(CONFIGS)


def test_closed_label_sets_are_class_labels_with_the_schema_names_in_order():
    claims = config_features()["claims"]
    assert claims["verdict"] == ClassLabel(names=label_values("Verdict"))
    assert claims["types"] == List(ClassLabel(names=label_values("ClaimType")))
    events = config_features()["events"]
    assert isinstance(events["arguments"], List)  # a list of structs, not the legacy Sequence of dicts
    assert events["arguments"].feature["role"].names == label_values("ArgumentRole")


def test_committed_features_json_is_what_the_schema_gives():
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert {name: Features.from_dict(data) for name, data in committed.items()} == config_features()
