"""Hugging Face `Features` for each released dataset config, derived from the schema.

Closed label sets become `ClassLabel` with the schema's values in schema order; lists of structs use
`List`. These are the row shapes the release writes:

- documents:   one row per document, title = headline, published = date, each null if unknown; no text if stand-off
- entities:    one row per gold entity mention
- events:      one row per gold event mention; arguments resolved to the entity's span
- claims:      one row per gold claim; claimant resolved to the entity's span when it is a mention
- links:       one row per cross-document link: both mentions' document, layer, type, span; `cluster_id`: event cluster
- annotations: one row per (annotator, document) with every layer, for agreement research

Span texts are null in a stand-off release; offsets and hashes stay.

Row formats: a release records the shapes it was written with in release.json (`row_format`; absent
means 1), so a published version rebuilds byte for byte while new releases get the current shapes:

- 1 (release 1.0.0): `published` a string; link mentions carry document_id, id and language only; a
  document without a headline was given the first sentence of its body as title.
- 2: `published` a date (Arrow date32); link mentions also carry `layer`, `event_type`, `claim_types`
  and `span` from the gold records (no join needed); `title` null when there is no headline.
"""

from __future__ import annotations

from typing import Any

from datasets import ClassLabel, Features, List, Value

from goldkit.errors import SchemaError
from goldkit.schema import layers as lsmap
from goldkit.schema.loading import definition, label_values, labels

CONFIGS = ("documents", "entities", "events", "claims", "links", "annotations")
ROW_FORMAT = 2  # the row shapes a new release is written with (see the module docstring)
ROW_FORMATS = (1, 2)


def class_label(label_set: str) -> ClassLabel:
    """A ClassLabel whose names are the schema's label set, in schema order."""
    return ClassLabel(names=label_values(label_set))


def span() -> dict[str, Any]:
    return {"start": Value("int32"), "end": Value("int32"), "text": Value("string")}


def _entity() -> dict[str, Any]:
    """The entity columns in the order of $defs/Entity's properties; every per-region choice is one column."""
    fixed = {"id": Value("string"), "span": span(), "type": class_label("EntityType"), "canonical": Value("string")}
    return _columns("entity", {name: {name: feature} for name, feature in fixed.items()})


def _event() -> dict[str, Any]:
    """The event columns in the order of $defs/Event's properties; every per-region choice is one column."""
    return _columns(
        "event",
        {
            "id": {"id": Value("string")},
            "type": {"type": class_label("EventType")},
            "trigger": {"trigger": span()},
            "arguments": {
                "arguments": List({"role": class_label("ArgumentRole"), "entity_id": Value("string"), "span": span()})
            },
        },
    )


def choice_feature(choice: lsmap.RegionChoice) -> Any:
    """A per-region choice as a column: its label set as ClassLabel (a list when several may be chosen), or bool."""
    if choice.label_set is None:
        return Value("bool")
    label = class_label(choice.label_set)
    return List(label) if choice.multiple else label


def _claim() -> dict[str, Any]:
    """The claim columns in the order of $defs/Claim's properties; every per-region choice is one column."""
    return _columns(
        "claim",
        {
            "id": {"id": Value("string")},
            "span": {"span": span()},
            "claimant": {  # a choice (its kind) plus a relation to the entity: three columns
                "claimant_kind": class_label("ClaimantKind"),
                "claimant_entity_id": Value("string"),
                "claimant_span": span(),
            },
            "cue": {"cue": span()},
            "evidence": {
                "evidence": List({"kind": class_label("EvidenceKind"), "ref": Value("string"), "note": Value("string")})
            },
            "event": {"event_id": Value("string")},
        },
    )


def _columns(name: lsmap.Layer, not_choices: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A layer's columns in the order of its $defs properties: the fixed ones, then each per-region choice."""
    span_layer = lsmap.layer(name)
    item = lsmap.item_definition(span_layer)
    assert item is not None  # layers with a record array only
    choices = {choice.name: choice for choice in lsmap.region_choices(name)}
    columns: dict[str, Any] = {}
    for field in definition(item)["properties"]:
        if field in not_choices:
            columns |= not_choices[field]
        elif field in choices:
            columns[field] = choice_feature(choices[field])
        else:
            raise SchemaError(
                f"$defs/{item}/properties/{field} has no column: a field goldkit shows annotators is a label set "
                "($ref), a list of one, a boolean, or an object with a 'kind' label set",
                pointer=f"/$defs/{item}/properties/{field}",
            )
    return columns


def _in_document() -> dict[str, Any]:
    return {"document_id": Value("string"), "language": class_label("Language")}


def link_layers() -> list[str]:
    """The layers a link may join (every x-applies-to of the schema's link relations, in schema order)."""
    layers: list[str] = []
    for label in labels("LinkRelation"):
        layers += [layer for layer in label.applies_to if layer not in layers]
    return layers


def _link_mention(row_format: int) -> dict[str, Any]:
    mention = {"document_id": Value("string"), "id": Value("string"), "language": class_label("Language")}
    if row_format < 2:
        return mention
    return mention | {
        "layer": ClassLabel(names=link_layers()),
        "event_type": class_label("EventType"),  # null for a claim
        "claim_types": List(class_label("ClaimType")),  # empty for an event
        "span": span(),  # the event's trigger or the claim's span
    }


def config_features(row_format: int = ROW_FORMAT) -> dict[str, Features]:
    """Return the Features of every dataset config, keyed by config name, in a release row format."""
    if row_format not in ROW_FORMATS:
        raise SchemaError(f"unknown release row format {row_format}; goldkit knows {list(ROW_FORMATS)}")
    document = {
        "id": Value("string"),
        "language": class_label("Language"),
        "title": Value("string"),
        "text": Value("string"),
        "sha256": Value("string"),
        "source_file": Value("string"),
        "published": Value("date32") if row_format >= 2 else Value("string"),
        "author": Value("string"),
        "dateline": Value("string"),
        "boilerplate": List(
            {
                "start": Value("int32"),
                "end": Value("int32"),
                "text": Value("string"),
                "kind": class_label("BoilerplateKind"),
            }
        ),
        "normalizations": List(class_label("Normalization")),
    }
    mention = _link_mention(row_format)
    link = {
        "id": Value("string"),
        "relation": class_label("LinkRelation"),
        "source": mention,
        "target": mention,
        "note": Value("string"),
        "cluster_id": Value("string"),
    }
    annotation = {
        "annotator": Value("string"),
        **_in_document(),
        "entities": List(_entity()),
        "events": List(_event()),
        "claims": List(_claim()),
    }
    return {
        "documents": Features(document),
        "entities": Features({**_in_document(), **_entity()}),
        "events": Features({**_in_document(), **_event()}),
        "claims": Features({**_in_document(), **_claim()}),
        "links": Features(link),
        "annotations": Features(annotation),
    }
