"""The claim policy the guidelines state, checked across a claim's attributes (issue #18).

- A verdict other than unchecked / not_enough_evidence rests on outside evidence: an evidence item of kind
  `url` with an http(s) address and a note that names the source and its date (YYYY-MM-DD). Another
  document of the corpus (kind `document`) never counts: two reports of one event do not support each other.
- A claim that is not verifiable has no verdict (it stays unchecked).
- The claimant and the attribution agree: the author's own assertion has attribution none; an unattributed
  claim ('experts expect') and a claim of a named mention have a source, so never none.
- A claimant whose attribution is anonymous or an unverifiable source is not an identity: its entity's
  canonical key is null or starts with 'unverified.'.

A schema opts in to each rule by naming it in `$defs/Claim`'s `x-policy` list (goldkit's schema names all
four since 1.1.0; a release made with an older schema, e.g. 1.0.0's copy, is checked without them), and a
rule whose label values the schema lacks is not applied.
"""

from __future__ import annotations

import re
from typing import Any

from goldkit.errors import Problem, SchemaError
from goldkit.schema.loading import definition, label_values, per_schema
from goldkit.schema.records import Record

# The label values each rule hinges on: (label set, values).
NO_EVIDENCE_VERDICTS = ("Verdict", ("unchecked", "not_enough_evidence"))  # verdicts that need no evidence
UNCHECKED = ("Verdict", ("unchecked",))  # what an unverifiable claim's verdict stays
OUTSIDE_EVIDENCE = ("EvidenceKind", ("url",))  # evidence from outside the articles, by its address
# claimant kind -> the attributions it may have
CLAIMANT_ATTRIBUTION = {
    "author": ("none",),
    "unattributed": ("anonymous", "unverifiable_source"),
    "mention": ("named_official", "named_expert", "unverifiable_source", "anonymous"),
}
NOT_AN_IDENTITY = ("AttributionQuality", ("anonymous", "unverifiable_source"))
UNVERIFIED_PREFIX = "unverified."
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _values(label_set: str) -> frozenset[str]:
    try:
        return frozenset(label_values(label_set))
    except SchemaError:
        return frozenset()


@per_schema
def _rules() -> dict[str, Any]:
    """The rules this schema supports: each only when every label value it names is in the schema."""
    verdicts, kinds = _values("Verdict"), _values("EvidenceKind")
    claimants, attributions = _values("ClaimantKind"), _values("AttributionQuality")
    pairs = {kind: allowed for kind, allowed in CLAIMANT_ATTRIBUTION.items()}
    fits = all(k in claimants and set(a) <= attributions for k, a in pairs.items())
    try:
        declared = set(definition("Claim").get("x-policy") or [])
    except SchemaError:
        declared = set()
    return {
        "evidence": "outside-evidence" in declared
        and set(NO_EVIDENCE_VERDICTS[1]) <= verdicts
        and set(OUTSIDE_EVIDENCE[1]) <= kinds,
        "unverifiable": "unverifiable-unchecked" in declared and set(UNCHECKED[1]) <= verdicts,
        "attribution": pairs if fits and "claimant-attribution" in declared else {},
        "identity": "unverified-sources" in declared and set(NOT_AN_IDENTITY[1]) <= attributions,
    }


def outside_evidence(item: Any) -> bool:
    """Whether an evidence item is a named outside source with its address and date."""
    if not isinstance(item, dict) or item.get("kind") not in OUTSIDE_EVIDENCE[1]:
        return False
    note = str(item.get("note") or "")
    named = bool(_DATE.sub("", note).strip(" ,;:.-"))
    return bool(_URL.match(str(item.get("ref") or ""))) and bool(_DATE.search(note)) and named


def claim_policy_problems(record: Record) -> list[Problem]:
    """Every claim that breaks the verdict, attribution or identity policy, with a JSON pointer."""
    rules = _rules()
    claims = [c for c in record.get("claims") or [] if isinstance(c, dict)]
    problems: list[Problem] = []
    for i, claim in enumerate(record.get("claims") or []):
        if isinstance(claim, dict):
            problems += _verdict(f"/claims/{i}", claim, rules)
            problems += _attribution(f"/claims/{i}", claim, rules)
    if rules["identity"]:
        problems += _identities(record, claims)
    return problems


def _verdict(base: str, claim: dict[str, Any], rules: dict[str, Any]) -> list[Problem]:
    verdict, problems = claim.get("verdict"), []
    if rules["unverifiable"] and claim.get("verifiable") is False and verdict not in UNCHECKED[1]:
        message = f"a claim that is not verifiable has no verdict: {verdict!r} must be 'unchecked'"
        problems.append(Problem(f"{base}/verdict", message, got=verdict, expected=list(UNCHECKED[1])))
    elif rules["evidence"] and isinstance(verdict, str) and verdict not in NO_EVIDENCE_VERDICTS[1]:
        given = claim.get("evidence")
        evidence: list[Any] = given if isinstance(given, list) else []
        if not any(outside_evidence(item) for item in evidence):
            kinds = sorted({str(e.get("kind")) for e in evidence if isinstance(e, dict)})
            message = (
                f"verdict {verdict!r} needs outside evidence: an evidence item of kind 'url' with an http(s) ref "
                "and a note naming the source and its date (YYYY-MM-DD); another document of the corpus never "
                f"counts (got kinds {kinds}); without it use {' or '.join(map(repr, NO_EVIDENCE_VERDICTS[1]))}"
            )
            problems.append(Problem(f"{base}/verdict", message, got=verdict, expected=list(NO_EVIDENCE_VERDICTS[1])))
    return problems


def _attribution(base: str, claim: dict[str, Any], rules: dict[str, Any]) -> list[Problem]:
    kind = (claim.get("claimant") or {}).get("kind") if isinstance(claim.get("claimant"), dict) else None
    allowed = rules["attribution"].get(kind)
    got = claim.get("attribution")
    if allowed is None or got in allowed or not isinstance(got, str):
        return []
    message = f"claimant {kind!r} cannot have attribution {got!r}: use one of {list(allowed)}"
    return [Problem(f"{base}/attribution", message, got=got, expected=list(allowed))]


def _identities(record: Record, claims: list[dict[str, Any]]) -> list[Problem]:
    """Entities that speak as anonymous or unverifiable sources keep null or an 'unverified.' key."""
    speakers = {
        (c.get("claimant") or {}).get("entity")
        for c in claims
        if isinstance(c.get("claimant"), dict) and c.get("attribution") in NOT_AN_IDENTITY[1]
    }
    problems = []
    for j, entity in enumerate(record.get("entities") or []):
        if not isinstance(entity, dict) or entity.get("id") not in speakers:
            continue
        key = entity.get("canonical")
        if isinstance(key, str) and not key.startswith(UNVERIFIED_PREFIX):
            message = (
                f"entity {entity.get('id')!r} speaks as an anonymous or unverifiable source: its canonical key "
                f"must be null or start with {UNVERIFIED_PREFIX!r}, not name an identity"
            )
            expected = f"null or {UNVERIFIED_PREFIX}<key>"
            problems.append(Problem(f"/entities/{j}/canonical", message, got=key, expected=expected))
    return problems
