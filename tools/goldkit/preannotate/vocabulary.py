"""The schema's values for what the rule-based pre-annotator suggests, read from the project's schema.

Nothing here is read at import: a project's own schema may lack a label the rules use (no `quantity`
entity type, no `hedged` modality) or require a claim field they cannot fill; the rules then leave that
suggestion out, and `Vocabulary.skipped` says what and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from goldkit.errors import SchemaError
from goldkit.schema.loading import definition, label_values, per_schema

# What the rules suggest -> (label set, value) in the schema; a value the schema lacks leaves its rule out.
WANTED = {
    "person": ("EntityType", "person"),
    "datetime": ("EntityType", "datetime"),
    "quantity": ("EntityType", "quantity"),
    "quote": ("ClaimType", "quote"),
    "numerical": ("ClaimType", "numerical"),
    "mention": ("ClaimantKind", "mention"),
    "unattributed": ("ClaimantKind", "unattributed"),
    "author": ("ClaimantKind", "author"),
    "anonymous": ("AttributionQuality", "anonymous"),
    "unverifiable": ("AttributionQuality", "unverifiable_source"),
    "no_source": ("AttributionQuality", "none"),
    "asserted": ("Modality", "asserted"),
    "hedged": ("Modality", "hedged"),
    "unchecked": ("Verdict", "unchecked"),
}
# The claim fields the rules fill, and the values each needs (a field the schema's Claim lacks is left out).
CLAIM_FIELD_NEEDS = {
    "id": (),
    "span": (),
    "types": (),  # each kind of claim needs its own type: quote or numerical
    "claimant": ("mention", "unattributed", "author"),
    "cue": (),
    "attribution": ("anonymous", "unverifiable", "no_source"),
    "modality": ("asserted", "hedged"),
    "check_worthy": (),
    "verifiable": (),
    "verdict": ("unchecked",),
    "evidence": (),
    "event": (),
}


@dataclass(frozen=True)
class Vocabulary:
    """The schema's values for what the rules suggest (None: the schema lacks it) and what is left out."""

    values: dict[str, str | None]
    claim_fields: tuple[str, ...]  # the Claim properties the rules fill that the schema has
    claim_defaults: dict[str, Any]  # required Claim properties the rules do not know, from their schema default
    claims: bool  # False: no claims are suggested (skipped says why)
    skipped: tuple[str, ...]

    def __getitem__(self, name: str) -> str | None:
        return self.values[name]


def _schema_value(label_set: str, value: str) -> str | None:
    try:
        return value if value in label_values(label_set) else None
    except SchemaError:  # the schema has no such label set
        return None


@per_schema
def vocabulary() -> Vocabulary:
    """What the project's schema lets the rules suggest."""
    values = {name: _schema_value(*where) for name, where in WANTED.items()}
    skipped = [
        f"{name}: $defs/{label_set} has no {value!r}"
        for name, (label_set, value) in WANTED.items()
        if values[name] is None and name in ("person", "datetime", "quantity", "quote", "numerical")
    ]
    try:
        claim = definition("Claim")
    except SchemaError:
        claim = {}
    properties = claim.get("properties", {})
    fields = tuple(name for name in CLAIM_FIELD_NEEDS if name in properties)
    unknown = [name for name in claim.get("required", []) if name not in CLAIM_FIELD_NEEDS]
    defaults = {name: properties[name]["default"] for name in unknown if "default" in properties.get(name, {})}
    why = [f"$defs/Claim requires {name!r}, which the rules cannot suggest" for name in unknown if name not in defaults]
    why += [
        f"$defs/{WANTED[need][0]} has no {WANTED[need][1]!r}"
        for name in fields
        for need in CLAIM_FIELD_NEEDS[name]
        if values[need] is None
    ]
    if not properties:
        why.append("the schema has no $defs/Claim")
    if why:
        skipped.append("claims: " + "; ".join(why) + " (a default in the schema lets the rules fill a field)")
    return Vocabulary(values, fields, defaults, not why, tuple(skipped))
