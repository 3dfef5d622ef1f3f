"""Inter-annotator agreement on annotation records, the way INCEpTION reports it.

Span layers are the record arrays (`entities`, `events` by trigger, `claims`), matched one-to-one by
`goldkit.matching.match_spans(a, b, mode)`.

Matching happens inside one layer; "labelled" matching also requires the same type (per-label F1),
"unlabelled" matching does not (it aligns spans so their types and attributes can be compared).
Pairwise F1 takes the first annotator of the (sorted) pair as reference: precision = matched /
second's spans, recall = matched / first's spans, F1 = 2·matched / (both counts). "pooled" sums
the counts of every pair.

Attributes are compared on units (`align_units`: the annotators' spans of one layer grouped by
unlabelled overlap matching) with Krippendorff's α, nominal; claim types are multi-label, so each
type is a binary attribute (marked / not marked on that claim). A unit an annotator did not mark
(`missing_no_span`) or whose attribute they left empty (`missing_empty`) gives no value: it is
counted, and α uses only units with two or more values (`pairable`). Relations (event arguments,
claimant and claim→event links) are scored as F1 over (matched source, label, matched target).
The chance-corrected span figure is Krippendorff's unitizing α (see goldkit.unitizing for why).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from goldkit.agreement import bootstrap
from goldkit.agreement.unitizing import unitizing_alpha
from goldkit.errors import InputError
from goldkit.jsonio import read_records
from goldkit.matching import MATCH_MODES, MATCHERS, align_units, item_label, item_span, match_items, start_end
from goldkit.paths import documents_path
from goldkit.pulls import recency
from goldkit.schema.provenance import ANNOTATOR_METHODS
from goldkit.schema.records import SPAN_KEYS, Record

ALL_LABELS = "*"  # row label: every label of the layer, labelled matching
SPAN_ONLY = "(span)"  # row label: every label of the layer, unlabelled matching
POOLED = "pooled"


@dataclass
class Study:
    """Annotators' records grouped by document: docs[document_id][annotator] = record."""

    docs: dict[str, dict[str, Record]]
    superseded: list[dict[str, Any]] = field(default_factory=list)  # older duplicates, not used
    skipped: dict[str, int] = field(default_factory=dict)  # records not from annotators, by method
    doc_lengths: dict[str, int] = field(default_factory=dict)

    @property
    def annotators(self) -> list[str]:
        return sorted({a for by in self.docs.values() for a in by})

    def pairs(self) -> list[tuple[str, str]]:
        """Annotator pairs that share at least one document."""
        return sorted({p for by in self.docs.values() for p in itertools.combinations(sorted(by), 2)})

    def shared(self, a: str, b: str) -> list[str]:
        return sorted(d for d, by in self.docs.items() if a in by and b in by)

    def multi_annotated(self) -> list[str]:
        return sorted(d for d, by in self.docs.items() if len(by) >= 2)


def annotator_of(record: Record) -> str:
    return str((record.get("provenance") or {}).get("annotator", "?"))


def build_study(records: Iterable[Record], doc_lengths: Mapping[str, int] | None = None) -> Study:
    """Group annotation records by document and annotator; keep each annotator's latest record."""
    study = Study(docs={}, doc_lengths=dict(doc_lengths or {}))
    for record in records:
        if record.get("record_type") != "annotation":
            continue
        method = str((record.get("provenance") or {}).get("method"))
        if method not in ANNOTATOR_METHODS:
            study.skipped[method] = study.skipped.get(method, 0) + 1
            continue
        by = study.docs.setdefault(str(record["document_id"]), {})
        who = annotator_of(record)
        if who in by:
            old, new = sorted([by[who], record], key=recency)
            by[who] = new
            study.superseded.append({"document_id": record["document_id"], "annotator": who, **_ids(old)})
        else:
            by[who] = record
    return study


def _ids(record: Record) -> dict[str, Any]:
    prov = record.get("provenance") or {}
    return {"ls_task": prov.get("ls_task"), "ls_annotation": prov.get("ls_annotation")}


def document_lengths() -> dict[str, int]:
    """Return len(text) of every ingested document (the u-α continuum), or {} before ingest."""
    path = documents_path()
    if not path.is_file():
        return {}
    return {str(doc["id"]): len(doc["text"]) for _, doc in read_records(path)}


@dataclass
class SpanScore:
    """Span matching counts and P/R/F1 for one layer, label, annotator pair and match mode."""

    layer: str
    label: str
    pair: str
    mode: str
    reference: int  # spans of the pair's first annotator
    predicted: int  # spans of the second
    matched: int
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None

    def __post_init__(self) -> None:
        self.precision = self.matched / self.predicted if self.predicted else None
        self.recall = self.matched / self.reference if self.reference else None
        total = self.reference + self.predicted
        self.f1 = 2 * self.matched / total if total else None


def pair_name(a: str, b: str) -> str:
    return f"{a}~{b}"


def pair_counts(a: Record, b: Record, layer: str, mode: str, unlabelled: bool = True) -> Counter[tuple[str, str]]:
    """Count (label, ref|pred|matched) of one document's two records, labelled and (unless
    `unlabelled=False`) span-only: the unit every span F1 figure sums."""
    counts: Counter[tuple[str, str]] = Counter()
    items_a = a.get(layer) or []
    items_b = b.get(layer) or []
    for label, n in Counter(item_label(layer, x) for x in items_a).items():
        counts[(label, "ref")] += n
    for label, n in Counter(item_label(layer, x) for x in items_b).items():
        counts[(label, "pred")] += n
    for i, _ in match_items(items_a, items_b, layer, mode, labelled=True):
        counts[(item_label(layer, items_a[i]), "matched")] += 1
    if unlabelled:
        counts[(SPAN_ONLY, "ref")] += len(items_a)
        counts[(SPAN_ONLY, "pred")] += len(items_b)
        counts[(SPAN_ONLY, "matched")] += len(match_items(items_a, items_b, layer, mode, labelled=False))
    return counts


def labelled_matches(a: Mapping[str, list[tuple[int, int]]], b: Mapping[str, list[tuple[int, int]]], mode: str) -> int:
    """How many pairs labelled matching makes between two label_spans (pair_counts' "matched" summed over
    labels; a maximum matching's size does not depend on the spans' order). Two equal span lists match
    whole: every span itself (exact), every span that covers a code point (overlap)."""
    matched = 0
    for label in a.keys() & b.keys():
        x, y = a[label], b[label]
        if x == y:
            matched += len(x) if mode == "exact" else sum(1 for start, end in x if end > start)
        else:
            matched += len(MATCHERS[mode](x, y))
    return matched


def pair_totals(
    items_a: Sequence[Mapping[str, Any]], items_b: Sequence[Mapping[str, Any]], layer: str, modes: Sequence[str]
) -> tuple[int, int, list[int]]:
    """ref, pred and matched per mode of two annotators' items of one layer, labelled: what pair_counts gives
    summed over every label (goldkit status's pooled figures, counted without the per-label tallies)."""
    if items_a == items_b:  # the same items: each matches itself (overlap: each that covers a code point)
        covering = sum(1 for item in items_a if (ends := start_end(item_span(layer, item)))[1] > ends[0])
        return len(items_a), len(items_a), [len(items_a) if mode == "exact" else covering for mode in modes]
    spans_a, spans_b = label_spans(items_a, layer), label_spans(items_b, layer)
    return len(items_a), len(items_b), [labelled_matches(spans_a, spans_b, mode) for mode in modes]


def add_pair_totals(
    totals: dict[tuple[str, str], list[int]], by: Mapping[str, Record], modes: Sequence[str] = MATCH_MODES
) -> None:
    """Add one document's pair_totals (every pair of its annotators' records, every layer and mode) to
    totals[(layer, mode)] = [ref, pred, matched]: goldkit status's pooled span F1, one document at a time."""
    who = sorted(by)
    for i, a in enumerate(who):
        for b in who[i + 1 :]:
            for layer in SPAN_KEYS:
                ref, pred, matched = pair_totals(by[a].get(layer) or [], by[b].get(layer) or [], layer, modes)
                for mode, n in zip(modes, matched, strict=True):
                    tally = totals.get((layer, mode))
                    if tally is None:
                        tally = totals[(layer, mode)] = [0, 0, 0]
                    tally[0] += ref
                    tally[1] += pred
                    tally[2] += n


def label_spans(items: Sequence[Mapping[str, Any]], layer: str) -> dict[str, list[tuple[int, int]]]:
    """Items of a layer as label -> their (start, end) spans, sorted: what labelled matching reads."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for item in items:
        spans.setdefault(item_label(layer, item), []).append(start_end(item_span(layer, item)))
    for found in spans.values():
        found.sort()
    return spans


def _layer_counts(study: Study, a: str, b: str, layer: str, mode: str) -> Counter[tuple[str, str]]:
    """Count (label, ref|pred|matched) over the pair's shared documents, labelled and unlabelled."""
    counts: Counter[tuple[str, str]] = Counter()
    for doc in study.shared(a, b):
        counts.update(pair_counts(study.docs[doc][a], study.docs[doc][b], layer, mode))
    return counts


def span_f1(study: Study, modes: Sequence[str] = MATCH_MODES) -> list[SpanScore]:
    """P/R/F1 per layer, label (plus all labels and span-only), annotator pair and pooled."""
    scores = []
    for layer, mode in itertools.product(SPAN_KEYS, modes):
        pooled: Counter[tuple[str, str]] = Counter()
        per_pair = {}
        for a, b in study.pairs():
            per_pair[pair_name(a, b)] = counts = _layer_counts(study, a, b, layer, mode)
            pooled.update(counts)
        per_pair[POOLED] = pooled
        every = sorted({label for label, _ in pooled if label != SPAN_ONLY})
        shown = [label for label in every if label != layer]  # claims have no type: only the total row
        for pair, counts in per_pair.items():

            def score(label: str, labels: Sequence[str]) -> SpanScore:
                ref, pred, m = (sum(counts[(x, k)] for x in labels) for k in ("ref", "pred", "matched"))  # noqa: B023
                return SpanScore(layer, label, pair, mode, ref, pred, m)  # noqa: B023

            scores += [score(label, [label]) for label in shown]
            scores.append(score(ALL_LABELS, every))
            if shown:  # span-only differs from all labels only when there are types
                scores.append(score(SPAN_ONLY, [SPAN_ONLY]))
    return scores


@dataclass(frozen=True)
class Attribute:
    """A nominal attribute of a layer's items; `value` returns None when the item leaves it empty."""

    name: str
    layer: str
    value: Callable[[Mapping[str, Any]], Any]


def _field(name: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda item: item.get(name)


def _claimant_kind(item: Mapping[str, Any]) -> Any:
    return (item.get("claimant") or {}).get("kind")


def _has_type(claim_type: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda item: (claim_type in item["types"]) if item.get("types") else None


def attributes() -> list[Attribute]:
    """Every attribute compared on matched spans; claim types one binary attribute per type."""
    from goldkit.schema.loading import definition, label_values

    def enum_fields(defn: str) -> list[str]:
        props = definition(defn)["properties"]
        return [k for k, v in props.items() if "$ref" in v and k not in ("span", "trigger", "id")] + [
            k for k, v in props.items() if v.get("type") == "boolean"
        ]

    found = [Attribute(name, "entities", _field(name)) for name in enum_fields("Entity")]
    found += [Attribute(name, "events", _field(name)) for name in enum_fields("Event")]
    found += [Attribute(f"types:{t}", "claims", _has_type(t)) for t in label_values("ClaimType")]
    found.append(Attribute("claimant", "claims", _claimant_kind))
    found += [Attribute(name, "claims", _field(name)) for name in enum_fields("Claim")]
    return found


@dataclass
class AttributeScore:
    """Krippendorff's α (nominal) for one attribute, with the counts behind it."""

    layer: str
    attribute: str
    alpha: float | None
    observed: float | None  # observed agreement 1 - D_o over pairable values
    units: int  # aligned spans of the layer
    pairable: int  # units with >= 2 values: the ones α uses
    values: int  # values in pairable units
    missing_no_span: int  # an annotator of the document did not mark this unit
    missing_empty: int  # marked, but left the attribute empty
    note: str = ""
    alpha_ci: bootstrap.Interval | None = None  # bootstrap over units (goldkit.agreement.bootstrap)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _unit_values(study: Study, layer: str, attribute: Attribute) -> tuple[list[list[Any]], int, int]:
    """Return each unit's list of values plus the two missing counts."""
    columns, no_span, empty = [], 0, 0
    for doc in study.multi_annotated():
        by = study.docs[doc]
        items = {who: rec.get(layer) or [] for who, rec in by.items()}
        for unit in align_units(items, layer):
            values = []
            for who in by:
                if who not in unit:
                    no_span += 1
                    continue
                value = attribute.value(items[who][unit[who]])
                if _empty(value):
                    empty += 1
                else:
                    values.append(value)
            columns.append(values)
    return columns, no_span, empty


def nominal_observed_agreement(columns: Sequence[Sequence[Any]]) -> float | None:
    """Return 1 - D_o from the coincidence matrix: Σ_u Σ_{c=k pairs} 1/(m_u - 1) over n values."""
    agree, n = 0.0, 0
    for values in columns:
        m = len(values)
        if m < 2:
            continue
        n += m
        agree += sum(c * (c - 1) for c in Counter(map(repr, values)).values()) / (m - 1)
    return agree / n if n else None


def nominal_alpha(columns: list[list[Any]]) -> tuple[float | None, str]:
    import krippendorff
    import numpy as np

    pairable = [v for v in columns if len(v) >= 2]
    if not pairable:
        return None, "no unit has two values"
    codes = {key: i for i, key in enumerate(sorted({repr(x) for v in pairable for x in v}))}
    if len(codes) < 2:
        return None, "one value only: α undefined"
    width = max(len(v) for v in pairable)
    data = np.full((width, len(pairable)), np.nan)
    for u, values in enumerate(pairable):
        for r, value in enumerate(values):
            data[r, u] = codes[repr(value)]
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")), ""


def attribute_alpha(study: Study, modes: Sequence[str] = MATCH_MODES) -> list[AttributeScore]:
    """Krippendorff's α (nominal) per attribute over units aligned by overlap matching (any `modes`)."""
    scores = []
    for attribute in attributes():
        columns, no_span, empty = _unit_values(study, attribute.layer, attribute)
        alpha, note = nominal_alpha(columns)
        pairable = [v for v in columns if len(v) >= 2]
        scores.append(
            AttributeScore(
                attribute.layer,
                attribute.name,
                alpha,
                nominal_observed_agreement(columns),
                len(columns),
                len(pairable),
                sum(len(v) for v in pairable),
                no_span,
                empty,
                note,
                bootstrap.alpha_interval(columns) if alpha is not None else None,
            )
        )
    return scores


Link = tuple[int, str, Any]  # (source item index, label, target) in one annotator's coordinates


def _links(record: Record, relation: str) -> list[Link]:
    """Return a record's links of one relation: event arguments, claimant or claim→event links."""
    entity_index = {e["id"]: i for i, e in enumerate(record.get("entities") or [])}
    event_index = {e["id"]: i for i, e in enumerate(record.get("events") or [])}
    if relation == "arguments":
        return [
            (i, arg["role"], entity_index.get(arg["entity"]))
            for i, event in enumerate(record.get("events") or [])
            for arg in event.get("arguments") or []
        ]
    links = []
    for i, claim in enumerate(record.get("claims") or []):
        if relation == "claimant" and (claim.get("claimant") or {}).get("entity"):
            links.append((i, relation, entity_index.get(claim["claimant"]["entity"])))
        if relation == "claim_event" and claim.get("event"):
            links.append((i, relation, event_index.get(claim["event"])))
    return links


RELATIONS = {
    "arguments": ("events", "entities"),
    "claimant": ("claims", "entities"),
    "claim_event": ("claims", "events"),
}


def _relation_counts(a: Record, b: Record, relation: str, mode: str) -> tuple[int, int, int]:
    """Count a's links, b's links, and b's links that land on a link of a after span matching."""
    source_layer, target_layer = RELATIONS[relation]
    src = {
        j: i for i, j in match_items(a.get(source_layer) or [], b.get(source_layer) or [], source_layer, mode, False)
    }
    tgt = {
        j: i for i, j in match_items(a.get(target_layer) or [], b.get(target_layer) or [], target_layer, mode, False)
    }
    links_a, links_b = _links(a, relation), _links(b, relation)
    translated: Counter[Link] = Counter((src[s], label, tgt[t]) for s, label, t in links_b if s in src and t in tgt)
    matched = sum((Counter(links_a) & translated).values())
    return len(links_a), len(links_b), matched


def relation_f1(study: Study, modes: Sequence[str] = MATCH_MODES) -> list[SpanScore]:
    """F1 of event arguments (trigger, role, argument span) and claim links, per pair and pooled."""
    scores = []
    for relation, mode in itertools.product(RELATIONS, modes):
        pooled = [0, 0, 0]
        for a, b in study.pairs():
            counts = [0, 0, 0]
            for doc in study.shared(a, b):
                for k, n in enumerate(_relation_counts(study.docs[doc][a], study.docs[doc][b], relation, mode)):
                    counts[k] += n
                    pooled[k] += n
            scores.append(SpanScore("relations", relation, pair_name(a, b), mode, *counts))
        scores.append(SpanScore("relations", relation, POOLED, mode, *pooled))
    return scores


@dataclass
class UnitizingScore:
    """Krippendorff's u-α for one layer (all its labels) and annotator pair, or all annotators."""

    layer: str
    pair: str
    alpha: float | None
    observed: float
    expected: float
    documents: int
    units: int
    overlaps_skipped: int
    estimated_lengths: int  # documents whose length was taken from the last span (no documents.jsonl)


def _continuum(
    study: Study, docs: Sequence[str], raters: Sequence[str], layer: str
) -> tuple[list[list[tuple[int, int, str]]], int, int]:
    """Concatenate documents into one continuum; return each rater's units, the length, estimates."""
    units: list[list[tuple[int, int, str]]] = [[] for _ in raters]
    offset, estimated = 0, 0
    for doc in docs:
        spans = [(r, item) for r, who in enumerate(raters) for item in study.docs[doc][who].get(layer) or []]
        length = study.doc_lengths.get(doc)
        if length is None:
            estimated += 1
            length = max([item_span(layer, x)["end"] for _, x in spans], default=1)
        for r, item in spans:
            start, end = start_end(item_span(layer, item))
            units[r].append((offset + start, offset + end, item_label(layer, item)))
        offset += length
    return units, offset, estimated


def unitizing(study: Study, modes: Sequence[str] = MATCH_MODES) -> list[UnitizingScore]:
    """u-α per layer for each annotator pair, and for all annotators on the documents all of them did."""
    scores = []
    groups = [(pair_name(a, b), [a, b], study.shared(a, b)) for a, b in study.pairs()]
    everyone = study.annotators
    if len(everyone) > 2:
        groups.append(("all", everyone, sorted(d for d, by in study.docs.items() if set(everyone) <= set(by))))
    for layer in SPAN_KEYS:
        for name, raters, docs in groups:
            if not docs:
                continue
            units, length, estimated = _continuum(study, docs, raters, layer)
            result = unitizing_alpha(units, length)
            scores.append(
                UnitizingScore(
                    layer,
                    name,
                    result.alpha,
                    result.observed,
                    result.expected,
                    len(docs),
                    result.units,
                    result.overlaps_skipped,
                    estimated,
                )
            )
    return scores


MetricFunction = Callable[[Study, Sequence[str]], list[Any]]

REGISTRY: dict[str, MetricFunction] = {
    "span_f1": span_f1,
    "attribute_alpha": attribute_alpha,
    "relation_f1": relation_f1,
    "unitizing_alpha": unitizing,
}


@dataclass
class AgreementReport:
    """Everything `goldkit agree` measured, with the facts needed to read it."""

    documents: int
    multi_annotated: int
    annotators: list[str]
    pairs: list[str]
    modes: list[str]
    superseded: list[dict[str, Any]]
    skipped: dict[str, int]
    results: dict[str, list[Any]]  # metric name -> its rows
    source: str = ""
    alpha_interval_method: dict[str, Any] = field(default_factory=bootstrap.method)  # how every α interval was computed

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["results"] = {name: [asdict(row) for row in rows] for name, rows in self.results.items()}
        return out

    def rows(self, metric: str) -> list[Any]:
        return self.results.get(metric, [])


def agree(study: Study, metrics: Sequence[str] | None = None, modes: Sequence[str] = MATCH_MODES) -> AgreementReport:
    """Run the chosen metrics (default: all of REGISTRY) on a study of two or more annotators."""
    multi = study.multi_annotated()
    if not multi:
        raise InputError(
            f"agreement needs two annotators on a document; none of the {len(study.docs)} documents has two"
            f" (annotators: {', '.join(study.annotators) or 'none'})",
            documents=len(study.docs),
            annotators=study.annotators,
            hint="set the project's overlap so two people annotate each task, then pull again: goldkit pull",
        )
    chosen = list(metrics or REGISTRY)
    unknown = [m for m in chosen if m not in REGISTRY]
    if unknown:
        raise InputError(f"unknown metric(s) {unknown}; choose from {sorted(REGISTRY)}", got=unknown)
    if not set(modes) <= set(MATCHERS) or not modes:
        raise InputError(f"unknown match mode(s) {list(modes)}; choose from {sorted(MATCHERS)}", got=list(modes))
    return AgreementReport(
        documents=len(study.docs),
        multi_annotated=len(multi),
        annotators=study.annotators,
        pairs=[pair_name(a, b) for a, b in study.pairs()],
        modes=list(modes),
        superseded=study.superseded,
        skipped=study.skipped,
        results={name: REGISTRY[name](study, modes) for name in chosen},
    )
