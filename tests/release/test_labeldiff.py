"""goldkit diff matches labels by what they are (release/labeldiff.py): golden case, and 1.0.0 vs 1.1.0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from goldkit.release.diff import LAYERS, _label_changes, diff_releases
from goldkit.release.labeldiff import compare_layer, compare_links, match_labels

DATA = Path(__file__).resolve().parents[1] / "data" / "diff_labels"
EXPORT = Path(__file__).resolve().parents[2] / "export"


def _release_rows(name: str) -> dict[str, pa.StructArray | None]:
    """A fixture's rows per layer as diff reads a release: Arrow struct arrays, texts left out."""
    rows = json.loads((DATA / name).read_text(encoding="utf-8"))
    for items in rows.values():
        for row in items:
            for value in row.values():
                if isinstance(value, dict) and "start" in value:
                    value["text"] = None
    return {layer: pa.array(rows[layer]) if rows.get(layer) else None for layer in LAYERS}


def test_labels_are_matched_by_type_and_span_and_their_changed_attributes_named() -> None:
    changes = _label_changes(_release_rows("old.json"), _release_rows("new.json"))
    got = {doc: {layer: c.to_dict() for layer, c in layers.items()} for doc, layers in changes.items()}
    assert got == json.loads((DATA / "expected.json").read_text(encoding="utf-8"))


def test_the_same_rows_under_new_ids_are_no_change() -> None:
    old = _release_rows("old.json")
    renamed = {layer: rows.to_pylist() if rows is not None else [] for layer, rows in old.items()}
    names = {row["id"]: f"x{i}" for layer in LAYERS for i, row in enumerate(renamed[layer])}
    for layer in LAYERS:
        for row in renamed[layer]:
            row["id"] = names[row["id"]]
            for argument in row.get("arguments") or []:
                argument["entity_id"] = names[argument["entity_id"]]
            for key in ("claimant_entity_id", "event_id"):
                if row.get(key):
                    row[key] = names[row[key]]
    assert _label_changes(old, {layer: pa.array(rows) for layer, rows in renamed.items()}) == {}


def test_an_exact_match_is_taken_before_an_overlapping_one() -> None:
    def entity(i: str, start: int, end: int, etype: str = "gpe") -> dict[str, Any]:
        return {"id": i, "span": {"start": start, "end": end}, "type": etype, "canonical": None}

    old = [entity("a", 0, 10), entity("b", 5, 10)]
    new = [entity("x", 5, 10), entity("y", 0, 8)]
    assert match_labels(old, new, "entities") == [(0, 1), (1, 0)]  # b = x exactly, a ~ y by overlap
    # a relabelled span pairs only after both same-type rounds found nothing for it
    assert match_labels([entity("a", 0, 4, "gpe")], [entity("x", 0, 4, "location")], "entities") == [(0, 0)]
    change = compare_layer([entity("a", 0, 4, "gpe")], [entity("x", 0, 4, "location")], "entities")
    assert change.changed[0].describe() == "a → x: type gpe → location"


def test_1_0_0_to_1_1_0_shows_changed_labels_not_only_removed_and_added() -> None:
    """Every id changed between the two releases; matching by span still finds most labels in both."""
    diff = diff_releases(EXPORT / "1.0.0", EXPORT / "1.1.0")
    changed = [label for layers in diff.labels.values() for c in layers.values() for label in c.changed]
    matched = sum(len(c.changed) + c.unchanged for layers in diff.labels.values() for c in layers.values())
    removed = sum(len(c.removed) for layers in diff.labels.values() for c in layers.values())
    assert changed and matched > removed
    verdicts = [label for label in changed if "verdict" in label.fields]
    assert verdicts and all(label.fields["verdict"][1] in ("unchecked", "not_enough_evidence") for label in verdicts)
    assert any(label.old_id == "c-documents" and "attribution" in label.fields for label in changed)


def test_links_are_matched_by_their_ends_through_the_labels_matched() -> None:
    def link(i: str, source: str, target: str, relation: str) -> dict[str, Any]:
        ends = {"source": {"document_id": "d1", "id": source}, "target": {"document_id": "d2", "id": target}}
        return {"id": i, "relation": relation, "note": None, **ends}

    renamed = {("d1", "ev-met"): "v1", ("d1", "c-met"): "c1", ("d1", "gone"): None}
    old = [link("l1", "ev-met", "x1", "same_event"), link("l2", "c-met", "x2", "supports"),
           link("l3", "gone", "x3", "same_event")]  # fmt: skip
    new = [
        link("k1", "v1", "x1", "same_event"),
        link("k2", "c1", "x2", "contradicts"),
        link("k3", "v9", "x3", "same_event"),
    ]
    changes = compare_links(old, new, lambda d, i: renamed.get((d, i), i))
    assert (changes.added, changes.removed, changes.unchanged) == (["k3"], ["l3"], 1)
    assert [c.describe() for c in changes.changed] == ["l2 → k2: relation supports → contradicts"]


def test_1_0_0_to_1_1_0_links_the_meeting_day_as_a_contradiction_where_it_was_a_support() -> None:
    diff = diff_releases(EXPORT / "1.0.0", EXPORT / "1.1.0")
    relations = [c.fields["relation"] for c in diff.links.changed if "relation" in c.fields]
    assert ("supports", "contradicts") in relations
