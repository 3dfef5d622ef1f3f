"""Score predictions against gold: spans, event arguments, attributes, link relations, event coreference.

- Spans (per layer and label, exact and overlap): one-to-one matching from goldkit.matching within each
  label; the '*' row sums every label (a span counts only with the right label), as seqeval's micro
  average and nervaluate's 'strict' (exact) and 'ent_type' (overlap) schemas do.
- Event arguments (per role): an argument counts when its event's trigger is matched (same mode, any
  type), the role is the same and the entity spans match (same mode).
- Attributes (the schema's per-region choices: realis, polarity, claim types, claimant, …) over the
  spans matched in each mode regardless of label: accuracy, and macro-F1 over the values found in gold
  or predictions (sklearn's f1_score(average="macro"); multi-valued fields per value, one-vs-rest).
  A missing prediction counts as wrong and adds no value of its own.
- Links: per relation P/R/F1 over unordered mention pairs, a mention being its document, layer and
  exact span. Event coreference: every event mention (singletons included) clustered by same-event
  links, scored with MUC, B³, CEAF-e and CoNLL F1 (goldkit.evaluate.coref).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from goldkit.clusters import connected_components
from goldkit.evaluate.coref import coref_scores
from goldkit.evaluate.reference import LAYERS, Annotations, Item
from goldkit.matching import MATCH_MODES, item_span, match_items, match_spans
from goldkit.schema.layers import RegionChoice, layer, region_choices
from goldkit.schema.loading import label_values, labels

ALL = "*"
_LAYER_NAMES = {"entities": "entity", "events": "event", "claims": "claim"}


@dataclass
class Score:
    """Counts and P/R/F1 of one (layer, label, match mode), summed over documents (None where undefined)."""

    layer: str
    label: str
    mode: str
    gold: int = 0
    predicted: int = 0
    matched: int = 0

    @property
    def precision(self) -> float | None:
        return self.matched / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        total = self.gold + self.predicted
        return 2 * self.matched / total if total else None

    def add(self, gold: int, predicted: int, matched: int) -> None:
        self.gold, self.predicted, self.matched = self.gold + gold, self.predicted + predicted, self.matched + matched

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "precision": self.precision, "recall": self.recall, "f1": self.f1}


def layer_labels(layer_key: str) -> list[str]:
    """ALL, then the layer's label values in schema order (none for single-label layers)."""
    label_set = layer(_LAYER_NAMES[layer_key]).label_set
    return [ALL] + (label_values(label_set) if label_set else [])


def _with_label(items: list[Item], label: str) -> list[Item]:
    return items if label == ALL else [x for x in items if x.get("type") == label]


def span_scores(gold: Annotations, predicted: Annotations, documents: Iterable[str]) -> list[Score]:
    """P/R/F1 per layer, label and match mode over the given documents."""
    scores = {
        (key, label, mode): Score(key, label, mode)
        for key in LAYERS
        for label in layer_labels(key)
        for mode in MATCH_MODES
    }
    labelled = {key: layer(_LAYER_NAMES[key]).label_set is not None for key in LAYERS}
    for doc_id in documents:
        for (key, label, mode), score in scores.items():
            g, p = _with_label(gold.items(doc_id, key), label), _with_label(predicted.items(doc_id, key), label)
            score.add(len(g), len(p), len(match_items(g, p, key, mode, labelled=labelled[key])))
    return [s for s in scores.values() if s.gold or s.predicted]


def _arguments(annotations: Annotations, doc_id: str, event: Item) -> list[tuple[str, dict[str, Any]]]:
    """(role, entity span) of an event's arguments: the span of the entity named, else the argument's own."""
    entities = {e.get("id"): e for e in annotations.items(doc_id, "entities")}
    out = []
    for argument in event.get("arguments") or []:
        span = (entities.get(argument.get("entity")) or {}).get("span") or argument.get("span")
        if span is not None:
            out.append((str(argument.get("role")), span))
    return out


def _of_role(arguments: list[tuple[str, dict[str, Any]]], role: str) -> list[dict[str, Any]]:
    return [span for r, span in arguments if role in (ALL, r)]


def _matched_arguments(
    gold: list[tuple[str, dict[str, Any]]], pred: list[tuple[str, dict[str, Any]]], role: str, mode: str
) -> int:
    """Arguments of one matched event pair that agree on role and entity span ('*': role by role)."""
    roles = label_values("ArgumentRole") if role == ALL else [role]
    return sum(len(match_spans(_of_role(gold, r), _of_role(pred, r), mode)) for r in roles)


def argument_scores(gold: Annotations, predicted: Annotations, documents: Iterable[str]) -> list[Score]:
    """P/R/F1 of event arguments per role and mode (see the module docstring)."""
    roles = [ALL] + label_values("ArgumentRole")
    scores = {(role, mode): Score("arguments", role, mode) for role in roles for mode in MATCH_MODES}
    for doc_id in documents:
        g_events, p_events = gold.items(doc_id, "events"), predicted.items(doc_id, "events")
        g_args = [_arguments(gold, doc_id, e) for e in g_events]
        p_args = [_arguments(predicted, doc_id, e) for e in p_events]
        for mode in MATCH_MODES:
            pairs = match_items(g_events, p_events, "events", mode, labelled=False)
            for role in roles:
                scores[(role, mode)].add(
                    sum(len(_of_role(a, role)) for a in g_args),
                    sum(len(_of_role(a, role)) for a in p_args),
                    sum(_matched_arguments(g_args[i], p_args[j], role, mode) for i, j in pairs),
                )
    return [s for s in scores.values() if s.gold or s.predicted]


@dataclass
class AttributeScore:
    """Accuracy and macro-F1 of one attribute over the spans matched in one mode."""

    layer: str
    attribute: str
    mode: str
    pairs: int
    correct: int
    macro_f1: float | None
    labels: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.pairs if self.pairs else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "accuracy": self.accuracy}


def attribute_value(item: Item, choice: RegionChoice) -> Any:
    """The value of a per-region choice in a record item (the claimant choice is the claimant's kind)."""
    value = item.get(choice.name)
    if isinstance(value, dict):
        value = value.get("kind")
    if choice.multiple:
        return frozenset(str(v) for v in value or [])
    return value


def _name(value: Any) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def macro_f1(pairs: list[tuple[Any, Any]], multiple: bool) -> tuple[float | None, list[str]]:
    """Mean one-vs-rest F1 over the values found in gold or (non-missing) predictions."""

    def as_set(value: Any) -> set[str]:
        if multiple:
            return {_name(v) for v in value}
        return set() if value is None else {_name(value)}

    sets = [(as_set(g), as_set(p)) for g, p in pairs]
    values = sorted(set().union(*(g | p for g, p in sets))) if sets else []
    f1s = []
    for value in values:
        tp = sum(1 for g, p in sets if value in g and value in p)
        fp = sum(1 for g, p in sets if value not in g and value in p)
        fn = sum(1 for g, p in sets if value in g and value not in p)
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return (sum(f1s) / len(f1s) if f1s else None), values


def attribute_scores(gold: Annotations, predicted: Annotations, documents: Iterable[str]) -> list[AttributeScore]:
    """Accuracy and macro-F1 of every per-region choice of the schema, per match mode."""
    keys = {name: key for key, name in _LAYER_NAMES.items()}
    out = []
    for choice in region_choices():
        key = keys[choice.layer]
        for mode in MATCH_MODES:
            pairs = []
            for doc_id in documents:
                g, p = gold.items(doc_id, key), predicted.items(doc_id, key)
                for i, j in match_items(g, p, key, mode, labelled=False):
                    pairs.append((attribute_value(g[i], choice), attribute_value(p[j], choice)))
            correct = sum(1 for a, b in pairs if a == b)
            f1, values = macro_f1(pairs, choice.multiple)
            out.append(AttributeScore(key, choice.name, mode, len(pairs), correct, f1, values))
    return out


Mention = tuple[str, str, int, int]  # (document_id, layer, start, end)


def _mentions(annotations: Annotations) -> dict[tuple[str, str], Mention]:
    """(document_id, item id) -> the mention's key, for events and claims."""
    out = {}
    for doc_id, layers in annotations.layers.items():
        for key in ("events", "claims"):
            for item in layers[key]:
                span = item_span(key, item)
                out[(doc_id, str(item.get("id")))] = (doc_id, key, int(span["start"]), int(span["end"]))
    return out


def _link_pairs(annotations: Annotations) -> dict[str, set[frozenset[Mention]]]:
    mentions = _mentions(annotations)
    pairs: dict[str, set[frozenset[Mention]]] = {}
    for link in annotations.links:
        a = mentions.get((link["source"]["document_id"], link["source"]["id"]))
        b = mentions.get((link["target"]["document_id"], link["target"]["id"]))
        if a is not None and b is not None:
            pairs.setdefault(str(link["relation"]), set()).add(frozenset((a, b)))
    return pairs


def link_scores(gold: Annotations, predicted: Annotations) -> list[Score]:
    """P/R/F1 per link relation (and '*': every relation, counted with the right relation)."""
    g, p = _link_pairs(gold), _link_pairs(predicted)
    scores = []
    total = Score("links", ALL, "exact")
    for relation in label_values("LinkRelation"):
        score = Score("links", relation, "exact")
        score.add(
            len(g.get(relation, ())), len(p.get(relation, ())), len(g.get(relation, set()) & p.get(relation, set()))
        )
        total.add(score.gold, score.predicted, score.matched)
        if score.gold or score.predicted:
            scores.append(score)
    return [total] + scores if total.gold or total.predicted else scores


def same_event_relation() -> str:
    """The link relation that only event pairs may take and that says they corefer (schema x-applies-to)."""
    return next(label.value for label in labels("LinkRelation") if label.applies_to == ("event",))


def event_clusters(annotations: Annotations, documents: Iterable[str]) -> list[set[Mention]]:
    """Every event mention of the documents, clustered by same-event links (connected components)."""
    mentions: list[Mention] = [
        (doc_id, "events", event["trigger"]["start"], event["trigger"]["end"])
        for doc_id in documents
        for event in annotations.items(doc_id, "events")
    ]
    pairs = [
        (a, b)
        for a, b in (sorted(pair) for pair in _link_pairs(annotations).get(same_event_relation(), set()))
        if a[1] == b[1] == "events"
    ]
    return sorted(connected_components(mentions, pairs), key=lambda group: min(group))


def coreference_scores(gold: Annotations, predicted: Annotations, documents: Iterable[str]) -> dict[str, Any]:
    docs = list(documents)
    key, response = event_clusters(gold, docs), event_clusters(predicted, docs)
    scores = coref_scores(key, response)
    return {
        "mentions": {"gold": sum(map(len, key)), "predicted": sum(map(len, response))},
        "clusters": {"gold": len(key), "predicted": len(response)},
        **{name: s.to_dict() for name, s in scores.items()},
    }


@dataclass
class Evaluation:
    """Everything `goldkit evaluate` reports."""

    documents: list[str]
    spans: list[Score]
    arguments: list[Score]
    attributes: list[AttributeScore]
    links: list[Score]
    coreference: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.meta,
            "documents": self.documents,
            "spans": [s.to_dict() for s in self.spans],
            "arguments": [s.to_dict() for s in self.arguments],
            "attributes": [a.to_dict() for a in self.attributes],
            "links": [s.to_dict() for s in self.links],
            "coreference": self.coreference,
        }


def evaluate(
    gold: Annotations, predicted: Annotations, documents: Iterable[str], meta: Mapping[str, Any] = {}
) -> Evaluation:
    """Score predicted annotations against gold over the given documents (every layer, link and cluster)."""
    docs = sorted(documents)
    return Evaluation(
        docs,
        span_scores(gold, predicted, docs),
        argument_scores(gold, predicted, docs),
        attribute_scores(gold, predicted, docs),
        link_scores(gold, predicted),
        coreference_scores(gold, predicted, docs),
        dict(meta),
    )
