"""Pieces of test data shared by tests that build it by hand: a claim's defaults, words to annotate, dump rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parent / "data" / "ingest_seeds" / "input"
EN_SEED, AR_SEED = SEEDS / "000_a681de6f3d5f1a0d.txt", SEEDS / "003_5fb4ba3b4aa07823.txt"

# one more claim attribute, for the tests of a project schema that adds one (nothing in the package names it)
SOURCING = {
    "title": "Sourcing",
    "description": "Who the claim is sourced to, as the article names them.",
    "type": "string",
    "oneOf": [
        {"const": "named", "title": "Named", "description": "A person or body named in the article."},
        {"const": "anonymous", "title": "Anonymous", "description": "'Officials', 'sources', 'experts'."},
    ],
}


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


def seed_dump_rows() -> list[dict[str, Any]]:
    """The two seed articles as rows of a news dump with its own field names (guid, body, headline, when, ...)."""
    return [
        {"guid": "en-1", "body": EN_SEED.read_text(encoding="utf-8"), "headline": "Security cooperation",
         "when": "2025-12-18T10:00:00Z", "link": "https://example.org/en-1", "lang": "en"},
        {"guid": "ar-1", "body": AR_SEED.read_text(encoding="utf-8"), "headline": "تعاون أمني",
         "when": "2025-12-18", "link": "https://example.org/ar-1", "lang": "ar"},
    ]  # fmt: skip
