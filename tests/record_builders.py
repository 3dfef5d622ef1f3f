"""Pieces of annotation records shared by tests that build records by hand (one place for a claim's defaults)."""

from __future__ import annotations

from typing import Any


def author_claim(claim_id: str, span: dict[str, Any], event: str | None) -> dict[str, Any]:
    """A check-worthy, unchecked event_property claim the author asserts, about `event`."""
    return {
        "id": claim_id,
        "span": span,
        "types": ["event_property"],
        "claimant": {"kind": "author", "entity": None},
        "cue": None,
        "attribution": "none",
        "modality": "asserted",
        "check_worthy": True,
        "verifiable": True,
        "verdict": "unchecked",
        "evidence": [],
        "event": event,
    }


def words_outside_furniture(document: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """The first `count` words of a document outside its page furniture (a region on furniture is quarantined)."""
    import re

    furniture = [(b["start"], b["end"]) for b in document.get("boilerplate") or []]
    return [
        {"start": m.start(), "end": m.end(), "text": m.group()}
        for m in re.finditer(r"\S+", document["text"])
        if not any(start < m.end() and m.start() < end for start, end in furniture)
    ][:count]
