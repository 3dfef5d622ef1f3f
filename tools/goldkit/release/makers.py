"""Who made the gold: each contributing account's kind and how it worked, from the declared roster.

The roster is goldkit.toml's `[annotators."<account>"]` tables (kind = person | ai_assistant | model, and a
description). Nothing is guessed from words in provenance notes: an account the roster does not declare is
reported as undeclared, and only a record whose method is `preannotation` or that names a model version
counts as a model's without a roster entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from goldkit.config import Annotator
from goldkit.release.rows import contributors
from goldkit.schema.provenance import PREANNOTATION, REVIEW_STRATEGY

# HF annotations_creators for each declared kind; an undeclared account counts as a person's work.
HF_CREATORS = {"person": "expert-generated", "ai_assistant": "machine-generated", "model": "machine-generated"}
UNDECLARED = "undeclared"


@dataclass(frozen=True)
class Maker:
    """One account whose work is in the gold: what the roster says it is, and what it did."""

    account: str
    kind: str  # a roster kind, or UNDECLARED
    description: str
    roles: tuple[str, ...]  # annotator, reviewer


def reviewer_of(provenance: Mapping[str, Any]) -> str | None:
    """The account that answered a review round for this record, if it came from one."""
    if provenance.get("strategy") == REVIEW_STRATEGY and provenance.get("annotator") not in (None, "gold"):
        return str(provenance["annotator"])
    return None


def makers(provenances: Sequence[Mapping[str, Any]], roster: Mapping[str, Annotator]) -> list[Maker]:
    """Every account that made or decided part of the gold, with its declared kind and roles."""
    roles: dict[str, set[str]] = {}
    model_made: set[str] = set()
    for provenance in provenances:
        for account in contributors(dict(provenance)):
            roles.setdefault(account, set()).add("annotator")
            if provenance.get("method") == PREANNOTATION or provenance.get("model_version"):
                model_made.add(account)
        reviewer = reviewer_of(provenance)
        if reviewer:
            roles.setdefault(reviewer, set()).add("reviewer")
    out = []
    for account in sorted(roles):
        entry = roster.get(account)
        if entry is not None:
            kind, description = entry.kind, entry.description
        elif account in model_made:
            kind, description = "model", "a model's suggestions (its provenance names the method or model version)"
        else:
            kind, description = UNDECLARED, "not declared in goldkit.toml's [annotators] roster"
        out.append(Maker(account, kind, description, tuple(sorted(roles[account]))))
    return out


def annotations_creators(found: Sequence[Maker]) -> list[str]:
    """HF `annotations_creators`: one value per kind of maker found (undeclared accounts count as people)."""
    kinds = {HF_CREATORS.get(m.kind, HF_CREATORS["person"]) for m in found}
    return sorted(kinds) or [HF_CREATORS["person"]]


def machine_share(found: Sequence[Maker]) -> tuple[int, int]:
    """How many of the makers are machines (AI assistants or models), out of how many."""
    return sum(1 for m in found if m.kind in ("ai_assistant", "model")), len(found)
