"""Adjudication: several annotators' records of a document -> one gold record, nothing lost.

Spans of one layer are grouped into units by `agreement.align_units` (unlabelled overlap matching).
Every input span ends in exactly one place, and `_check_accounting` raises ReconcileError if not:
the gold record (its unit was kept), `rejected` (its unit was voted out) or `unresolved` (the
votes do not decide; each entry says the document, layer, span, field and votes per value).

Per-item vote provenance cannot go into the gold record (Entity/Event/Claim allow no extra keys),
so it goes to a sidecar `annotations/adjudication/<document_id>.adjudication.json` (paths.adjudication_dir:
never inside the gold folder, which validate and release read as gold): for every gold item its id,
span, voters and votes per field, plus the rejected units; `unresolved.json` beside the sidecars lists
what the last run left open. Gold is written only for documents with nothing unresolved.

Strategies (STRATEGIES):
- ground-truth: the one record flagged provenance.ground_truth wins; units it has are kept, the
  others rejected; no flag, or flags from two annotators, leaves the document unresolved.
- majority: a unit is kept when >= k annotators of the document marked it, rejected when >= k did
  not, unresolved otherwise (k = --min-votes, default a strict majority of n and at least 2, so one
  annotator's spans are never called adjudicated; a document with one annotator stays unresolved, and
  a study where no document has two is refused: release such a pass with `single`). Each field of a kept
  unit (boundary, type, attributes, links) takes the value more than half of the unit's voters gave;
  anything less is unresolved, never guessed. Claim types vote per type.
- single: one annotator's pass taken as it is, for documents that have exactly one annotator. The
  gold keeps that annotator, method and ids, with strategy `single_annotator`: the card then says the
  gold is single-annotator work, not adjudicated.
- review: majority's verdict only says which documents need a reviewer; no gold is written here.
  goldkit.review sends them to Label Studio review projects and collects the reviewer's answer.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from goldkit.agreement.spans import Study
from goldkit.errors import ConflictError, InputError, ReconcileError, ValidationError
from goldkit.jsonio import read_json, write_json
from goldkit.matching import align_units, item_span
from goldkit.paths import ADJUDICATION_SUFFIX, UNRESOLVED_FILE, adjudication_dir, gold_dir
from goldkit.schema.loading import schema_version
from goldkit.schema.records import SPAN_KEYS, Record, canonicalize

GOLD_ANNOTATOR = "gold"
MIN_VOTES = 2  # majority's least --min-votes: one annotator's spans are never "adjudicated"
SINGLE_ANNOTATOR = "single_annotator"  # Provenance.strategy of gold taken from one annotator's pass
ID_PREFIX = {"entities": "e", "events": "v", "claims": "c"}
NOT_IN_GOLD = "(not in gold)"
SpanKey = tuple[str, str, int]  # (annotator, layer, index in that annotator's array)


@dataclass
class DocumentResult:
    """What adjudication decided for one document."""

    document_id: str
    strategy: str
    annotators: list[str]
    gold: Record | None = None
    items: list[dict[str, Any]] = field(default_factory=list)  # sidecar: gold item id, voters, votes
    rejected: list[dict[str, Any]] = field(default_factory=list)
    unresolved: list[dict[str, Any]] = field(default_factory=list)
    placed: dict[str, set[SpanKey]] = field(
        default_factory=lambda: {"gold": set(), "rejected": set(), "unresolved": set()}
    )

    def sidecar(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "strategy": self.strategy,
            "annotators": self.annotators,
            "items": self.items,
            "rejected": self.rejected,
        }


@dataclass
class AdjudicationReport:
    """Per-document results and the files written."""

    strategy: str
    documents: list[DocumentResult]
    written: list[str] = field(default_factory=list)
    sidecars: list[str] = field(default_factory=list)  # vote sidecars and the unresolved list, outside the gold
    superseded: list[dict[str, Any]] = field(default_factory=list)

    @property
    def unresolved(self) -> list[dict[str, Any]]:
        return [u for d in self.documents for u in d.unresolved]

    def to_dict(self) -> dict[str, Any]:
        docs = [{k: v for k, v in asdict(d).items() if k != "placed"} for d in self.documents]
        return {"strategy": self.strategy, "written": self.written, "sidecars": self.sidecars,
                "superseded": self.superseded,
                "documents": docs, "unresolved": self.unresolved}  # fmt: skip


def _key(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def vote(values: Mapping[str, Any]) -> tuple[bool, Any, dict[str, list[str]]]:
    """Return (decided, winner, votes per value): decided when more than half the voters agree."""
    votes: dict[str, list[str]] = {}
    for who in sorted(values):
        votes.setdefault(_key(values[who]), []).append(who)
    best = max(votes, key=lambda k: len(votes[k]))
    shown = {_shown(k): who for k, who in votes.items()}
    if len(votes[best]) * 2 > len(values):
        return True, json.loads(best), shown
    return False, None, shown


def _shown(key: str) -> str:
    """Show a voted value as people read it: label values bare, anything else as JSON."""
    value = json.loads(key)
    return value if isinstance(value, str) else key


def _span_of(layer: str, item: Mapping[str, Any]) -> dict[str, Any]:
    span = item_span(layer, item)
    return {"start": span["start"], "end": span["end"], "text": span["text"]}


class _Document:
    """Builds one document's result: units in, gold items / rejected / unresolved out."""

    def __init__(self, doc_id: str, by: Mapping[str, Record], strategy: str) -> None:
        self.by = by
        self.result = DocumentResult(doc_id, strategy, sorted(by))
        self.gold_ids: dict[tuple[str, str, str], str] = {}  # (annotator, layer, input id) -> gold id

    def items(self, who: str, layer: str) -> list[dict[str, Any]]:
        return self.by[who].get(layer) or []

    def units(self, layer: str) -> list[dict[str, int]]:
        return align_units({who: self.items(who, layer) for who in self.by}, layer)

    def seed_span(self, layer: str, unit: Mapping[str, int]) -> dict[str, Any]:
        who = sorted(unit)[0]
        return _span_of(layer, self.items(who, layer)[unit[who]])

    def place(self, bucket: str, layer: str, unit: Mapping[str, int]) -> None:
        self.result.placed[bucket] |= {(who, layer, i) for who, i in unit.items()}

    def reject(self, layer: str, unit: Mapping[str, int], reason: str) -> None:
        self.place("rejected", layer, unit)
        absent = sorted(set(self.by) - set(unit))
        self.result.rejected.append(
            {
                "layer": layer,
                "span": self.seed_span(layer, unit),
                "voters": sorted(unit),
                "absent": absent,
                "reason": reason,
            }
        )

    def unresolve(self, layer: str, unit: Mapping[str, int], disagreements: dict[str, dict[str, list[str]]]) -> None:
        self.place("unresolved", layer, unit)
        span = self.seed_span(layer, unit)
        for name, votes in disagreements.items():
            self.result.unresolved.append(
                {"document_id": self.result.document_id, "layer": layer, "span": span, "field": name, "votes": votes}
            )

    def keep(self, layer: str, unit: Mapping[str, int], item: dict[str, Any], votes: dict[str, Any]) -> None:
        self.place("gold", layer, unit)
        for who, i in unit.items():
            self.gold_ids[(who, layer, self.items(who, layer)[i]["id"])] = item["id"]
        self.result.items.append({"layer": layer, "id": item["id"], "span": _span_of(layer, item),
                                  "voters": sorted(unit), "votes": votes})  # fmt: skip

    def mapped(self, who: str, layer: str, input_id: str | None) -> str | None:
        """Translate an annotator's id of an entity/event into the gold id ('(not in gold)' if none)."""
        if input_id is None:
            return None
        return self.gold_ids.get((who, layer, input_id), NOT_IN_GOLD)

    def record(self, items: dict[str, list[dict[str, Any]]], provenance: dict[str, Any]) -> Record:
        first = self.by[sorted(self.by)[0]]
        return canonicalize(
            {
                "record_type": "annotation",
                "schema_version": schema_version(),
                "document_id": self.result.document_id,
                "document_sha256": first["document_sha256"],
                "provenance": provenance,
                **{layer: items.get(layer, []) for layer in SPAN_KEYS},
            }
        )


def adjudicated_provenance(annotators: Sequence[str], strategy: str, **extra: Any) -> dict[str, Any]:
    return {"annotator": GOLD_ANNOTATOR, "method": "adjudicated", "annotators": sorted(annotators),
            "strategy": strategy, **extra}  # fmt: skip


def _check_accounting(doc: _Document) -> None:
    """Every input span is in exactly one of gold, rejected, unresolved; else raise ReconcileError."""
    inputs = {(who, layer, i) for who in doc.by for layer in SPAN_KEYS for i in range(len(doc.items(who, layer)))}
    placed = doc.result.placed
    seen = placed["gold"] | placed["rejected"] | placed["unresolved"]
    twice = (placed["gold"] & placed["rejected"]) | (placed["gold"] & placed["unresolved"])
    twice |= placed["rejected"] & placed["unresolved"]
    if seen != inputs or twice:
        raise ReconcileError(
            f"{doc.result.document_id}: spans lost or counted twice by adjudication",
            document_id=doc.result.document_id,
            lost=sorted(map(list, inputs - seen)),
            extra=sorted(map(list, seen - inputs)),
            twice=sorted(map(list, twice)),
        )


def ground_truth(doc_id: str, by: Mapping[str, Record], min_votes: int | None = None) -> DocumentResult:
    """The record flagged ground_truth wins; other annotators' spans count as votes for or against."""
    doc = _Document(doc_id, by, "ground-truth")
    flagged = [who for who in sorted(by) if (by[who].get("provenance") or {}).get("ground_truth")]
    for layer in SPAN_KEYS:
        for unit in doc.units(layer):
            if len(flagged) != 1:
                votes = {"true": flagged, "false": sorted(set(by) - set(flagged))}
                doc.unresolve(layer, unit, {"ground_truth": votes})
            elif flagged[0] in unit:
                doc.keep(layer, unit, doc.items(flagged[0], layer)[unit[flagged[0]]], {})
            else:
                doc.reject(layer, unit, "not in the ground-truth annotation")
    if len(flagged) == 1:
        winner = by[flagged[0]]
        prov = adjudicated_provenance(sorted(by), "ground-truth", note=f"ground truth: {flagged[0]}")
        for key in ("ls_project", "ls_task", "ls_annotation"):
            prov[key] = (winner.get("provenance") or {}).get(key)
        doc.result.gold = doc.record({layer: winner.get(layer) or [] for layer in SPAN_KEYS}, prov)
    _check_accounting(doc)
    return doc.result


# --- majority ---------------------------------------------------------------------------------

FieldValue = Callable[[_Document, str, dict[str, Any]], Any]  # (doc, annotator, item) -> value to vote on


def _plain(name: str) -> FieldValue:
    return lambda doc, who, item: item.get(name)


def _arguments(doc: _Document, who: str, item: dict[str, Any]) -> Any:
    return sorted([a["role"], doc.mapped(who, "entities", a["entity"])] for a in item.get("arguments") or [])


def _claimant(doc: _Document, who: str, item: dict[str, Any]) -> Any:
    claimant = item.get("claimant") or {}
    return {"kind": claimant.get("kind"), "entity": doc.mapped(who, "entities", claimant.get("entity"))}


def _event_link(doc: _Document, who: str, item: dict[str, Any]) -> Any:
    return doc.mapped(who, "events", item.get("event"))


def _fields(layer: str) -> dict[str, FieldValue]:
    """The fields voted on for each layer (claim types and event arguments vote per member)."""
    from goldkit.schema.loading import definition

    name = {"entities": "Entity", "events": "Event", "claims": "Claim"}[layer]
    special: dict[str, FieldValue] = {"arguments": _arguments, "claimant": _claimant, "event": _event_link}
    skip = {"id", SPAN_KEYS[layer], "types"}
    return {key: special.get(key, _plain(key)) for key in definition(name)["properties"] if key not in skip}


def _members(doc: _Document, layer: str, unit: Mapping[str, int], key: str) -> tuple[list[Any], dict[str, dict]]:
    """Vote on each member of a set-valued field: kept with > half the voters, unresolved at exactly half."""
    sets = {who: doc.items(who, layer)[i].get(key) or [] for who, i in unit.items()}
    if key == "arguments":
        sets = {who: [tuple(x) for x in _arguments(doc, who, doc.items(who, layer)[unit[who]])] for who in unit}
    kept, ties = [], {}
    for member in sorted({_key(m) for s in sets.values() for m in s}):
        voters = sorted(who for who, s in sets.items() if member in {_key(m) for m in s})
        if len(voters) * 2 > len(unit):
            kept.append(json.loads(member))
        elif len(voters) * 2 == len(unit):
            ties[f"{key}:{json.loads(member)}"] = {"marked": voters, "not marked": sorted(set(unit) - set(voters))}
    return kept, ties


def _resolve_unit(doc: _Document, layer: str, unit: Mapping[str, int], gold_id: str) -> tuple[dict | None, dict, dict]:
    """Return (gold item or None, votes per field, disagreements per field) for a kept unit."""
    item: dict[str, Any] = {"id": gold_id}
    votes: dict[str, Any] = {}
    open_fields: dict[str, dict[str, list[str]]] = {}
    span_values = {who: _span_of(layer, doc.items(who, layer)[i]) for who, i in unit.items()}
    candidates = [(SPAN_KEYS[layer], lambda d, w, x: span_values[w])] + list(_fields(layer).items())
    for name, value in candidates:
        if name == "arguments":
            continue
        decided, winner, votes[name] = vote({who: value(doc, who, doc.items(who, layer)[i]) for who, i in unit.items()})
        if not decided or NOT_IN_GOLD in _key(winner):
            open_fields[name] = votes[name]
        item[name] = winner
    if layer == "claims":
        item["types"], ties = _members(doc, layer, unit, "types")
        open_fields |= ties if item["types"] or ties else {"types": {"(none by majority)": sorted(unit)}}
    if layer == "events":
        arguments, ties = _members(doc, layer, unit, "arguments")
        if any(entity == NOT_IN_GOLD for _, entity in arguments):
            ties["arguments"] = {_key(arguments): sorted(unit)}
        item["arguments"] = [{"role": role, "entity": entity} for role, entity in arguments]
        open_fields |= ties
    return (None if open_fields else item), votes, open_fields


def _gold_id(doc: _Document, layer: str, unit: Mapping[str, int], used: set[str]) -> str:
    """The id the unit's voters gave their items (most voters, then the smallest), else the next `e<n>`.

    Keeping the annotators' ids keeps gold ids stable across the Label Studio round trip (region ids
    are the record ids, and Label Studio keeps them): gold pushed as predictions or annotations and
    adjudicated again comes back under the same ids, so links made on them stay valid.
    """
    ids = Counter(str(doc.items(who, layer)[i]["id"]) for who, i in unit.items())
    for candidate, _ in sorted(ids.items(), key=lambda kv: (-kv[1], kv[0])):
        if candidate not in used:
            used.add(candidate)
            return candidate
    number = 1
    while f"{ID_PREFIX[layer]}{number}" in used or _any_input_id(doc, f"{ID_PREFIX[layer]}{number}"):
        number += 1
    used.add(f"{ID_PREFIX[layer]}{number}")
    return f"{ID_PREFIX[layer]}{number}"


def _any_input_id(doc: _Document, item_id: str) -> bool:
    """Whether some annotator uses this id (a generated id must not take one a later unit keeps)."""
    return any(item.get("id") == item_id for who in doc.by for layer in SPAN_KEYS for item in doc.items(who, layer))


def majority(doc_id: str, by: Mapping[str, Record], min_votes: int | None = None) -> DocumentResult:
    """Keep units that >= k annotators marked, with fields more than half of their voters agree on."""
    doc = _Document(doc_id, by, "majority")
    n = len(by)
    k = min_votes or max(MIN_VOTES, n // 2 + 1)
    items: dict[str, list[dict[str, Any]]] = {}
    used: set[str] = set()  # entities, events and claims share one id space
    if n < k:  # nobody can outvote anybody: the document needs more annotators (or `single`)
        for layer in SPAN_KEYS:
            for unit in doc.units(layer):
                doc.unresolve(layer, unit, {"annotators": {f"{n} of the {k} votes needed": sorted(by)}})
        _check_accounting(doc)
        return doc.result
    for layer in SPAN_KEYS:  # entities first: events and claims point at them
        for unit in doc.units(layer):
            if len(unit) < k and n - len(unit) >= k:
                doc.reject(layer, unit, f"marked by {len(unit)} of {n}, fewer than {k}")
                continue
            if len(unit) < k:
                doc.unresolve(
                    layer, unit, {"presence": {"marked": sorted(unit), "not marked": sorted(set(by) - set(unit))}}
                )
                continue
            gold_id = _gold_id(doc, layer, unit, used)
            item, votes, open_fields = _resolve_unit(doc, layer, unit, gold_id)
            if item is None:
                doc.unresolve(layer, unit, open_fields)
            else:
                doc.keep(layer, unit, item, votes)
                items.setdefault(layer, []).append(item)
    doc.result.gold = doc.record(items, adjudicated_provenance(sorted(by), "majority"))
    _check_accounting(doc)
    return doc.result


def single(doc_id: str, by: Mapping[str, Record], min_votes: int | None = None) -> DocumentResult:
    """Take the one annotator's record as gold, said to be single-annotator work (strategy single_annotator)."""
    doc = _Document(doc_id, by, SINGLE_ANNOTATOR)
    if len(by) != 1:
        for layer in SPAN_KEYS:
            for unit in doc.units(layer):
                doc.unresolve(layer, unit, {"annotators": {f"{len(by)} annotators, single takes one": sorted(by)}})
        _check_accounting(doc)
        return doc.result
    (who,) = by
    record = by[who]
    for layer in SPAN_KEYS:
        for unit in doc.units(layer):
            doc.keep(layer, unit, doc.items(who, layer)[unit[who]], {})
    provenance = {**(record.get("provenance") or {}), "strategy": SINGLE_ANNOTATOR}
    doc.result.gold = doc.record({layer: record.get(layer) or [] for layer in SPAN_KEYS}, provenance)
    _check_accounting(doc)
    return doc.result


def review(doc_id: str, by: Mapping[str, Record], min_votes: int | None = None) -> DocumentResult:
    """Decide nothing: say what majority leaves open; a reviewer settles it in Label Studio (goldkit.review)."""
    result = majority(doc_id, by, min_votes)
    result.strategy, result.gold = "review", None
    return result


Strategy = Callable[[str, Mapping[str, Record], int | None], DocumentResult]

STRATEGIES: dict[str, Strategy] = {
    "ground-truth": ground_truth,
    "majority": majority,
    "single": single,
    "review": review,
}


def adjudicate(study: Study, strategy: str, min_votes: int | None = None) -> AdjudicationReport:
    """Adjudicate every document of the study with one strategy (`review` writes no gold: see goldkit.review).

    Raises InputError when majority (or review) is asked to vote with one annotator per document and no
    --min-votes: that would publish one person's reading as adjudicated gold.
    """
    run = STRATEGIES[strategy]
    if strategy in ("majority", "review") and min_votes is None and study.docs and not study.multi_annotated():
        raise InputError(
            f"every document has one annotator ({', '.join(study.annotators)}): majority needs >= {MIN_VOTES} votes",
            strategy=strategy,
            annotators=study.annotators,
            hint="get a second annotator, or release the single pass as what it is with: "
            "goldkit adjudicate --strategy single (its gold records strategy single_annotator)",
        )
    results = [run(doc_id, study.docs[doc_id], min_votes) for doc_id in sorted(study.docs)]
    return AdjudicationReport(strategy, results, superseded=study.superseded)


def write_gold(report: AdjudicationReport, out: Path | None = None, *, force: bool = False) -> list[str]:
    """Write gold records for documents with nothing unresolved (checked first); sidecars go to adjudication_dir."""
    from goldkit.schema.validate import validate_gold

    folder = out or gold_dir()
    sidecars = adjudication_dir(out)
    ready = [d for d in report.documents if d.gold is not None and not d.unresolved]
    problems = [p for d in ready for p in validate_gold(d.gold, location=f"{d.document_id} (gold)")]
    if problems:
        raise ValidationError(f"{len(problems)} problem(s) in adjudicated gold; nothing was written", problems)
    for d in ready:
        path = folder / f"{d.document_id}.json"
        if path.exists() and not force and read_json(path) != d.gold:
            raise ConflictError(
                f"{path} already holds a different gold record", path=str(path),
                hint="review the difference, then run again with --force to replace it: goldkit adjudicate --force",
            )  # fmt: skip
    for d in ready:
        write_json(folder / f"{d.document_id}.json", d.gold)
        write_json(sidecars / f"{d.document_id}{ADJUDICATION_SUFFIX}", d.sidecar())
        report.written.append(str(folder / f"{d.document_id}.json"))
        report.sidecars.append(str(sidecars / f"{d.document_id}{ADJUDICATION_SUFFIX}"))
    write_json(sidecars / UNRESOLVED_FILE, {"strategy": report.strategy, "unresolved": report.unresolved})
    report.sidecars.append(str(sidecars / UNRESOLVED_FILE))
    return report.written
