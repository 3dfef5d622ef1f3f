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

import math
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from goldkit.schema.loading import label_values

Record = dict[str, Any]
PairEnds = tuple[tuple[str, str], tuple[str, str]]  # ((source document_id, id), (target document_id, id))

# Ranking and caps (measured on the seeds: see the commit that set them). A pair below MIN_SCORE has only
# weak reasons (two claims that both speak of "a statement"); PER_MENTION keeps one talkative mention
# from filling an annotator's queue.
MIN_SCORE = 0.4
PER_MENTION = 6
RARE_TYPE_SCORE = 0.45  # two claims about the same, rare, event type (an agreement in a story of meetings)
NUMBER_SCORE = 0.4  # two claims giving the same number are worth comparing (and checking)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


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

    def ends(self) -> PairEnds:
        """The pair's two mentions, (document_id, id) each: what a link record's source and target name."""
        return (self.source.document_id, self.source.id), (self.target.document_id, self.target.id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source.to_dict(),
            "target": self.target.to_dict(),
            "score": round(self.score, 4),
            "reasons": self.reasons,
        }


@dataclass
class Dropped:
    """A pair that had reasons but is not asked about, and why not."""

    candidate: Candidate
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.candidate.to_dict(), "dropped": self.why}


@dataclass
class CandidateReport:
    groups: list[list[str]]
    candidates: list[Candidate] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    compared_event_pairs: int = 0
    compared_claim_pairs: int = 0
    min_score: float = 0.0
    per_mention: int | None = None
    answered: list[Candidate] = field(default_factory=list)  # pairs left out before ranking: already answered

    def to_dict(self) -> dict[str, Any]:
        return {
            "groups": self.groups,
            "compared_event_pairs": self.compared_event_pairs,
            "compared_claim_pairs": self.compared_claim_pairs,
            "min_score": self.min_score,
            "per_mention": self.per_mention,
            "candidates": [c.to_dict() for c in self.candidates],
            "dropped": [d.to_dict() for d in self.dropped],
            "answered": [c.to_dict() for c in self.answered],
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
            score = len(common) / len(union) + (0.2 if ev_a["type"] == ev_b["type"] else 0.0)
            score += 0.1 if ev_a["realis"] == ev_b["realis"] else 0.0
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


@dataclass(frozen=True)
class _ClaimSide:
    events: dict[str, str]
    keys: set[str]
    numbers: set[str]


def _claim_reasons(
    side_a: _ClaimSide,
    side_b: _ClaimSide,
    event_pairs: Mapping[tuple[str, str], float],
    type_share: dict[str, float],
    key_weight: Mapping[str, float],
) -> tuple[float, list[str]]:
    events_a, events_b, keys_a, keys_b = side_a.events, side_b.events, side_a.keys, side_b.keys
    numbers_a, numbers_b = side_a.numbers, side_b.numbers
    reasons: list[str] = []
    score = 0.0
    linked = sorted((a, b) for a in events_a for b in events_b if (a, b) in event_pairs)
    if linked:
        reasons.append("about the candidate event pair(s) " + ", ".join(f"{a} ~ {b}" for a, b in linked))
        score += 0.5 * min(1.0, max(event_pairs[pair] for pair in linked))  # as sure as the event pair
    catch_all = label_values("EventType")[-1]
    shared_types = (set(events_a.values()) & set(events_b.values())) - {catch_all}
    if shared_types and not linked:
        named = "/".join(sorted(shared_types))
        reasons.append(f"both speak of {'an' if named[0] in 'aeiou' else 'a'} {named} event")
        score += RARE_TYPE_SCORE * max(1.0 - type_share.get(t, 0.0) for t in shared_types)  # a rare type says more
    common = keys_a & keys_b
    if common:
        reasons.append(f"mention the same entities: {', '.join(sorted(common))}")
        score += 1.0 - math.prod(1.0 - key_weight.get(k, 1.0) for k in common)  # noisy-or: rare keys count
    numbers = numbers_a & numbers_b
    if numbers:
        reasons.append(f"share the number(s) {', '.join(sorted(numbers, key=int))}")
        score += NUMBER_SCORE
    return score, reasons


def _key_weights(*claim_keys: dict[str, set[str]]) -> dict[str, float]:
    """Informativeness of each key in [0, 1]: its IDF over the claims of both documents, scaled by the largest.

    The two countries of a bilateral story are in many claims and weigh little; a minister's name or a
    place named in three claims weighs much.
    """
    counts: dict[str, int] = defaultdict(int)
    total = 0
    for by_claim in claim_keys:
        for found in by_claim.values():
            total += 1
            for key in found:
                counts[key] += 1
    return {key: (math.log(total / n) / math.log(max(2, total))) ** 2 for key, n in counts.items()}


def claim_numbers(text: str) -> set[str]:
    """The numbers written in a text, Arabic-Indic digits read as Western ones ('١٢' -> '12')."""
    return {str(int(n)) for n in re.findall(r"\d+", text.translate(_DIGITS)) if n.isascii()}


def _claim_sides(record: Record) -> dict[str, _ClaimSide]:
    keys, events = _claim_keys(record, _entity_keys(record)), _claim_events(record)
    return {
        c["id"]: _ClaimSide(events[c["id"]], keys[c["id"]], claim_numbers(c["span"]["text"]))
        for c in record.get("claims", [])
    }


def _claim_candidates(
    doc_a: str, rec_a: Record, doc_b: str, rec_b: Record, event_pairs: Mapping[tuple[str, str], float]
) -> tuple[list[Candidate], int]:
    sides_a, sides_b = _claim_sides(rec_a), _claim_sides(rec_b)
    share_a = _type_share({k: v.events for k, v in sides_a.items()})
    share_b = _type_share({k: v.events for k, v in sides_b.items()})
    type_share = {t: max(share_a.get(t, 0.0), share_b.get(t, 0.0)) for t in share_a.keys() | share_b.keys()}
    weights = _key_weights({k: v.keys for k, v in sides_a.items()}, {k: v.keys for k, v in sides_b.items()})
    found, compared = [], 0
    for a, side_a in sides_a.items():
        for b, side_b in sides_b.items():
            compared += 1
            score, reasons = _claim_reasons(side_a, side_b, event_pairs, type_share, weights)
            if reasons:
                found.append(Candidate("claim", MentionRef(doc_a, a), MentionRef(doc_b, b), score, reasons))
    return found, compared


def candidate_pairs(
    records: Iterable[Record],
    *,
    max_df: float = 0.5,
    min_score: float = MIN_SCORE,
    per_mention: int | None = PER_MENTION,
    answered: Collection[PairEnds] = (),
) -> CandidateReport:
    """Propose event and claim pairs across documents, grouped by story first, ranked and capped.

    A pair is asked about when its score reaches `min_score` and neither of its mentions already has
    `per_mention` better-scored pairs (None: no cap); every other pair with a reason is in `dropped`
    with why, so `goldkit links candidates --explain` can say it. Pairs whose two ends are in `answered`
    (links already answered, in an earlier round) go to `report.answered` before the ranking: a further
    round asks only new pairs, and the cap counts this round's pairs, not the ones answered before.
    """
    by_doc = {r["document_id"]: r for r in records}
    done = set(answered)
    report = CandidateReport(
        groups=group_documents(by_doc, max_df=max_df), min_score=min_score, per_mention=per_mention
    )
    for group in report.groups:
        for doc_a, doc_b in combinations(group, 2):
            events, n_events = _event_candidates(doc_a, by_doc[doc_a], doc_b, by_doc[doc_b])
            pairs = {(c.source.id, c.target.id): c.score for c in events}
            claims, n_claims = _claim_candidates(doc_a, by_doc[doc_a], doc_b, by_doc[doc_b], pairs)
            report.compared_event_pairs += n_events
            report.compared_claim_pairs += n_claims
            for found in (events, claims):
                report.answered += [c for c in found if c.ends() in done]
                found = [c for c in found if c.ends() not in done]
                kept, dropped = _rank_and_cap(found, min_score, per_mention)
                report.candidates += kept
                report.dropped += dropped
    return report


def _rank_and_cap(
    candidates: list[Candidate], min_score: float, per_mention: int | None
) -> tuple[list[Candidate], list[Dropped]]:
    """Keep pairs by score, best first, while both mentions have room; say why each other one went."""
    kept: list[Candidate] = []
    dropped: list[Dropped] = []
    used: dict[MentionRef, list[Candidate]] = defaultdict(list)
    for cand in sorted(candidates, key=lambda c: (-c.score, c.source.id, c.target.id)):
        full = [ref for ref in (cand.source, cand.target) if per_mention is not None and len(used[ref]) >= per_mention]
        if cand.score < min_score:
            dropped.append(Dropped(cand, f"score {cand.score:.2f} is below the threshold {min_score:.2f}"))
        elif full:
            better = ", ".join(f"{c.source.id} ~ {c.target.id} ({c.score:.2f})" for c in used[full[0]])
            dropped.append(Dropped(cand, f"{full[0].id} already has {per_mention} better pair(s): {better}"))
        else:
            kept.append(cand)
            used[cand.source].append(cand)
            used[cand.target].append(cand)
    return kept, dropped
