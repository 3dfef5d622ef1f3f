"""How schema fields appear in Label Studio: the one table render (XML) and convert (results) share.

Every control name and the label set behind it is here; label *values* always come from the schema,
and so do the per-region choices (`region_choices`: read off each layer's $defs properties), so a
project's own claim or event attribute needs its schema and nothing in the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from goldkit.errors import SchemaError
from goldkit.schema.loading import Label, definition, labels, load_schema, per_schema

TEXT_NAME = "text"  # the <Text name=...> control, data key $text
DATA_KEYS = ("text", "doc_id", "sha256", "language", "title", "shown", "furniture")  # what push puts in task data
SHOWN_KEY = "shown"  # the article the labeling view shows: `text` with its furniture masked (labelstudio.furniture)
FURNITURE_KEY = "furniture"  # the furniture itself, readable, in a block no label points at

BOOLEAN_CHOICES = (
    Label("yes", "Yes", "True for this region."),
    Label("no", "No", "False for this region."),
)

Layer = Literal["entity", "event", "claim", "cue"]


@dataclass(frozen=True)
class SpanLayer:
    """A <Labels> control: regions of one layer of the record."""

    name: Layer
    label_set: str | None  # $defs name of its label values; None = the single label `single`
    single: str | None = None  # label value for layers with one label (claim, cue)
    record_key: str | None = None  # the record array its regions become; None: part of another item

    def values(self) -> list[Label]:
        if self.label_set:
            return labels(self.label_set)
        assert self.single is not None
        return [Label(self.single, self.single.capitalize(), "")]


SPAN_LAYERS: tuple[SpanLayer, ...] = (
    SpanLayer("entity", "EntityType", record_key="entities"),
    SpanLayer("event", "EventType", record_key="events"),
    SpanLayer("claim", None, single="claim", record_key="claims"),
    SpanLayer("cue", None, single="cue"),  # a claim's attribution cue, linked with the 'cue' relation
)


@dataclass(frozen=True)
class RegionChoice:
    """A per-region <Choices> shown only when a region of `layer` is selected."""

    name: str  # control name == the record field it fills
    layer: Layer
    label_set: str | None  # None: yes/no boolean
    multiple: bool = False

    def values(self) -> list[Label]:
        return labels(self.label_set) if self.label_set else list(BOOLEAN_CHOICES)


# A layer item's field becomes a per-region choice by its shape in the project's schema:
#   {"$ref": <label set>}                                  one value of the set (e.g. realis, verdict)
#   {"type": "array", "items": {"$ref": <label set>}}      several values (types)
#   {"type": "boolean"}                                    yes / no (check_worthy)
#   {"type": "object", "properties": {"kind": {"$ref": <label set>}, ...}}
#                                                          the object's kind; a relation fills the rest (claimant)
# where a label set is a $defs entry with a oneOf of consts. The layer's own label set (an entity's or
# event's type) is the region's label, not a choice. Every other field (id, spans, ids of other
# items, free text, lists of objects) is filled otherwise.


def _label_set(node: dict[str, Any], schema: dict[str, Any]) -> str | None:
    """The $defs name a node refers to when that definition is a label set, else None."""
    ref = node.get("$ref", "")
    if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return None
    name = ref.removeprefix("#/$defs/")
    return name if "oneOf" in schema["$defs"].get(name, {}) else None


def _field_choice(
    name: str, node: dict[str, Any], span_layer: SpanLayer, schema: dict[str, Any]
) -> RegionChoice | None:
    if (label_set := _label_set(node, schema)) is not None:
        return None if label_set == span_layer.label_set else RegionChoice(name, span_layer.name, label_set)
    if node.get("type") == "boolean":
        return RegionChoice(name, span_layer.name, None)
    if node.get("type") == "array" and (label_set := _label_set(node.get("items", {}), schema)):
        return RegionChoice(name, span_layer.name, label_set, multiple=True)
    kind = node.get("properties", {}).get("kind", {}) if node.get("type") == "object" else {}
    if (label_set := _label_set(kind, schema)) is not None:
        return RegionChoice(name, span_layer.name, label_set)
    return None


def item_definition(span_layer: SpanLayer, schema: dict[str, Any] | None = None) -> str | None:
    """The $defs name of the items a layer's regions become (Annotation's record array), None for parts."""
    if span_layer.record_key is None:
        return None
    array = definition("Annotation", schema)["properties"].get(span_layer.record_key, {})
    ref = array.get("items", {}).get("$ref", "") if isinstance(array, dict) else ""
    if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        pointer = f"/$defs/Annotation/properties/{span_layer.record_key}"
        raise SchemaError(f"{pointer} must be an array of {{'$ref': '#/$defs/…'}} items", pointer=pointer)
    return ref.removeprefix("#/$defs/")


@per_schema
def _all_region_choices() -> tuple[RegionChoice, ...]:
    schema = load_schema()
    found: list[RegionChoice] = []
    for span_layer in SPAN_LAYERS:
        item = item_definition(span_layer, schema)
        if item is None:
            continue
        for name, node in definition(item, schema).get("properties", {}).items():
            if isinstance(node, dict) and (choice := _field_choice(name, node, span_layer, schema)) is not None:
                found.append(choice)
    return tuple(found)


def region_choices(name: Layer | None = None) -> tuple[RegionChoice, ...]:
    """The per-region choices the project's schema gives one layer (all layers when None), in schema order:
    layers in SPAN_LAYERS order, each layer's fields in the order of its $defs properties."""
    found = _all_region_choices()
    return found if name is None else tuple(choice for choice in found if choice.layer == name)


@dataclass(frozen=True)
class RegionText:
    """A per-region <TextArea>: free text belonging to one region."""

    name: str
    layer: Layer
    help: str


REGION_TEXTS: tuple[RegionText, ...] = (
    RegionText("canonical", "entity", "Canonical key shared across documents, e.g. person.yerzhan_sadenov"),
    RegionText(
        "evidence",
        "claim",
        "One line per evidence item: 'document: ID', 'url: https://…' or 'reference: NAME', "
        "optionally followed by ' | note'",
    ),
)

# Relations: argument roles go from an event trigger to an entity mention; claim relations go from a
# claim to its claimant (entity), the event it is about, or its cue.
RELATION_LABEL_SETS = ("ArgumentRole", "ClaimRelation")


@dataclass(frozen=True)
class ClaimLink:
    """A ClaimRelation value: from a claim to a region of `target`, filling the claim field `field`."""

    relation: str
    target: Layer
    field: str


CLAIM_LINKS: tuple[ClaimLink, ...] = (  # one per $defs/ClaimRelation value (checked in tests/test_convert.py)
    ClaimLink("claimant", "entity", "claimant"),
    ClaimLink("about", "event", "event"),
    ClaimLink("cue", "cue", "cue"),
)


def relation_values() -> list[Label]:
    """All relation labels, in schema order."""
    return [label for name in RELATION_LABEL_SETS for label in labels(name)]


def layer(name: str) -> SpanLayer:
    for span_layer in SPAN_LAYERS:
        if span_layer.name == name:
            return span_layer
    raise KeyError(name)
