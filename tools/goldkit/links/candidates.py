"""Propose cross-document link candidates: which events and claims in different documents to compare.

Documents are first grouped into stories by blocking on shared canonical entity keys (an inverted
index from key to documents, ignoring keys so common they join everything), so the pairs compared
grow with the size of the stories, not with the square of the corpus. Inside a story:

- event pairs: compatible types (equal, or one is the taxonomy's catch-all) and at least one shared
  argument (same canonical key for a participant, place, time …);
- claim pairs: claims about the two events of an event candidate, or claims whose spans mention the
  same canonical entities.

Every candidate carries the reasons it was proposed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from goldkit.schema.loading import label_values

Record = dict[str, Any]


@dataclass(frozen=True)
class MentionRef:
    document_id: str
    id: str

    def to_dict(self) -> dict[str, str]:
        return {"document_id": self.document_id, "id": self.id}


@dataclass
class Candidate:
    """A pair worth showing to an annotator, with why."""

    kind: str  # "event" or "claim"
    source: MentionRef
    target: MentionRef
    score: float
    reasons: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source.to_dict(),
            "target": self.target.to_dict(),
            "score": round(self.score, 4),
            "reasons": self.reasons,
        }


@dataclass
class CandidateReport:
    groups: list[list[str]]
    candidates: list[Candidate] = field(default_factory=list)
    compared_event_pairs: int = 0
    compared_claim_pairs: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "groups": self.groups,
            "compared_event_pairs": self.compared_event_pairs,
            "compared_claim_pairs": self.compared_claim_pairs,
            "candidates": [c.to_dict() for c in self.candidates],
        }


def _entity_keys(record: Record) -> dict[str, str]:
    """Map entity id -> canonical key (entities without a key are left out)."""
    return {e["id"]: e["canonical"] for e in record.get("entities", []) if e.get("canonical")}


def group_documents(records: Mapping[str, Record], *, max_df: float = 0.5, min_shared: int = 1) -> list[list[str]]:
    """Group documents into stories: connected by at least `min_shared` shared, not-too-common keys."""
    doc_ids = sorted(records)
    index: dict[str, set[str]] = defaultdict(set)
    for doc_id in doc_ids:
        for key in set(_entity_keys(records[doc_id]).values()):
            index[key].add(doc_id)
    limit = max(2, int(max_df * len(doc_ids)))
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for docs in index.values():
        if len(docs) > limit:
            continue  # a key in most documents (a country name) says nothing about the story
        for a, b in combinations(sorted(docs), 2):
            shared[(a, b)] += 1
    parent = {d: d for d in doc_ids}

    def find(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    for (a, b), count in shared.items():
        if count >= min_shared:
            parent[find(a)] = find(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in doc_ids:
        groups[find(doc_id)].append(doc_id)
    return sorted(groups.values())


def _compatible(type_a: str, type_b: str) -> bool:
    catch_all = label_values("EventType")[-1]
    return type_a == type_b or catch_all in (type_a, type_b)


def _event_args(record: Record, keys: Mapping[str, str]) -> dict[str, set[str]]:
    """Map event id -> canonical keys of its arguments."""
    return {
        ev["id"]: {keys[a["entity"]] for a in ev.get("arguments", []) if a["entity"] in keys}
        for ev in record.get("events", [])
    }


def _event_candidates(doc_a: str, rec_a: Record, doc_b: str, rec_b: Record) -> tuple[list[Candidate], int]:
    args_a = _event_args(rec_a, _entity_keys(rec_a))
    args_b = _event_args(rec_b, _entity_keys(rec_b))
    found, compared = [], 0
    for ev_a in rec_a.get("events", []):
        for ev_b in rec_b.get("events", []):
            compared += 1
            if not _compatible(ev_a["type"], ev_b["type"]):
                continue
            common = args_a[ev_a["id"]] & args_b[ev_b["id"]]
            if not common:
                continue
            union = args_a[ev_a["id"]] | args_b[ev_b["id"]]
            reasons = [f"types {ev_a['type']} / {ev_b['type']}", f"shared arguments: {', '.join(sorted(common))}"]
            if ev_a["realis"] == ev_b["realis"]:
                reasons.append(f"same realis ({ev_a['realis']})")
            score = len(common) / len(union) + (0.1 if ev_a["type"] == ev_b["type"] else 0.0)
            found.append(
                Candidate("event", MentionRef(doc_a, ev_a["id"]), MentionRef(doc_b, ev_b["id"]), score, reasons)
            )
    return found, compared


def _claim_keys(record: Record, keys: Mapping[str, str], max_share: float = 0.5) -> dict[str, set[str]]:
    """Map claim id -> informative canonical keys of the entities inside its span or named as its claimant.

    A key found in more than `max_share` of the document's claims (the two countries of a bilateral
    story) tells claims apart no better than chance and is left out.
    """
    spans = [
        (e["span"]["start"], e["span"]["end"], keys[e["id"]]) for e in record.get("entities", []) if e["id"] in keys
    ]
    out: dict[str, set[str]] = {}
    for claim in record.get("claims", []):
        start, end = claim["span"]["start"], claim["span"]["end"]
        inside = {key for s, e, key in spans if s >= start and e <= end}
        claimant = claim.get("claimant", {}).get("entity")
        if claimant in keys:
            inside.add(keys[claimant])
        out[claim["id"]] = inside
    counts: dict[str, int] = defaultdict(int)
    for found in out.values():
        for key in found:
            counts[key] += 1
    common = {key for key, n in counts.items() if n > max(1, max_share * len(out))}
    return {claim_id: found - common for claim_id, found in out.items()}


def _claim_events(record: Record) -> dict[str, dict[str, str]]:
    """Map claim id -> {event id: event type} for its `event` and every event trigger inside its span."""
    events = record.get("events", [])
    types = {ev["id"]: ev["type"] for ev in events}
    out: dict[str, dict[str, str]] = {}
    for claim in record.get("claims", []):
        start, end = claim["span"]["start"], claim["span"]["end"]
        found = {
            ev["id"]: ev["type"] for ev in events if ev["trigger"]["start"] >= start and ev["trigger"]["end"] <= end
        }
        if claim.get("event") in types:
            found[claim["event"]] = types[claim["event"]]
        out[claim["id"]] = found
    return out


def _type_share(claim_events: dict[str, dict[str, str]]) -> dict[str, float]:
    """Share of a document's claims that speak of each event type."""
    counts: dict[str, int] = defaultdict(int)
    for found in claim_events.values():
        for event_type in set(found.values()):
            counts[event_type] += 1
    return {event_type: n / max(1, len(claim_events)) for event_type, n in counts.items()}


def _claim_reasons(
    events_a: dict[str, str],
    events_b: dict[str, str],
    keys_a: set[str],
    keys_b: set[str],
    event_pairs: set[tuple[str, str]],
    type_share: dict[str, float],
) -> tuple[float, list[str]]:
    reasons: list[str] = []
    score = 0.0
    linked = sorted((a, b) for a in events_a for b in events_b if (a, b) in event_pairs)
    if linked:
        reasons.append("about the candidate event pair(s) " + ", ".join(f"{a} ~ {b}" for a, b in linked))
        score += 0.5
    catch_all = label_values("EventType")[-1]
    shared_types = (set(events_a.values()) & set(events_b.values())) - {catch_all}
    if shared_types and not linked:
        reasons.append(f"both speak of a {'/'.join(sorted(shared_types))} event")
        score += 0.3 * max(1.0 - type_share.get(t, 0.0) for t in shared_types)  # a rare type says more
    common = keys_a & keys_b
    if common:
        reasons.append(f"mention the same entities: {', '.join(sorted(common))}")
        score += len(common) / len(keys_a | keys_b)
    return score, reasons


def _claim_candidates(
    doc_a: str, rec_a: Record, doc_b: str, rec_b: Record, event_pairs: set[tuple[str, str]]
) -> tuple[list[Candidate], int]:
    keys_a, keys_b = _claim_keys(rec_a, _entity_keys(rec_a)), _claim_keys(rec_b, _entity_keys(rec_b))
    events_a, events_b = _claim_events(rec_a), _claim_events(rec_b)
    share_a, share_b = _type_share(events_a), _type_share(events_b)
    type_share = {t: max(share_a.get(t, 0.0), share_b.get(t, 0.0)) for t in share_a.keys() | share_b.keys()}
    found, compared = [], 0
    for cl_a in rec_a.get("claims", []):
        for cl_b in rec_b.get("claims", []):
            compared += 1
            a, b = cl_a["id"], cl_b["id"]
            score, reasons = _claim_reasons(events_a[a], events_b[b], keys_a[a], keys_b[b], event_pairs, type_share)
            if reasons:
                found.append(Candidate("claim", MentionRef(doc_a, a), MentionRef(doc_b, b), score, reasons))
    return found, compared


def candidate_pairs(records: Iterable[Record], *, max_df: float = 0.5, per_claim: int = 5) -> CandidateReport:
    """Propose event and claim pairs across documents, grouped by story first."""
    by_doc = {r["document_id"]: r for r in records}
    report = CandidateReport(groups=group_documents(by_doc, max_df=max_df))
    for group in report.groups:
        for doc_a, doc_b in combinations(group, 2):
            events, n_events = _event_candidates(doc_a, by_doc[doc_a], doc_b, by_doc[doc_b])
            pairs = {(c.source.id, c.target.id) for c in events}
            claims, n_claims = _claim_candidates(doc_a, by_doc[doc_a], doc_b, by_doc[doc_b], pairs)
            report.compared_event_pairs += n_events
            report.compared_claim_pairs += n_claims
            report.candidates += sorted(events, key=lambda c: -c.score)
            report.candidates += _top_per_source(claims, per_claim)
    return report


def _top_per_source(candidates: list[Candidate], k: int) -> list[Candidate]:
    """Keep the k best candidates of each source claim, so a talkative claim does not flood the queue."""
    by_source: dict[MentionRef, list[Candidate]] = defaultdict(list)
    for cand in candidates:
        by_source[cand.source].append(cand)
    kept = [c for cands in by_source.values() for c in sorted(cands, key=lambda c: -c.score)[:k]]
    return sorted(kept, key=lambda c: (-c.score, c.source.id, c.target.id))
