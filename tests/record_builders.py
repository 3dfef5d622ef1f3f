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
