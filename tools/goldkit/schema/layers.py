"""How schema fields appear in Label Studio: the one table render (XML) and convert (results) share.

Every control name and the label set behind it is here; label *values* always come from the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from goldkit.schema.loading import Label, labels

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


REGION_CHOICES: tuple[RegionChoice, ...] = (
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


def region_choices(name: Layer) -> tuple[RegionChoice, ...]:
    """The per-region choices of one layer, in table order."""
    return tuple(choice for choice in REGION_CHOICES if choice.layer == name)


def layer(name: str) -> SpanLayer:
    for span_layer in SPAN_LAYERS:
        if span_layer.name == name:
            return span_layer
    raise KeyError(name)
