"""Agreement and adjudication for cross-document links, and event clusters from same-event links.

- Pair labels: every link task is one unit; each annotator's relation for it is one nominal value;
  Krippendorff's α (nominal) and observed agreement over units with two or more answers.
- Event clusters: the connected components of `same_event` links (cross-document event hoppers).
  Two annotators' clusterings are compared over the right universe: every mention of every event
  pair both were asked (a pair's kind comes from its id, whatever was answered), singletons
  included, each clustering built from those pairs only. Scores: MUC, B³, CEAF-e and their mean,
  the CoNLL F1 (goldkit.evaluate.coref, checked against the CoNLL reference scorer's test cases).
  Two annotators who agree that nothing corefers get B³ = CEAF-e = 1 (MUC counts links: 0, as the
  reference scorer reports it).
- Adjudication: a pair's relation is kept when at least `min_votes` annotators chose it and no other
  relation has as many votes; ties are unresolved, never guessed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from goldkit.agreement import bootstrap
from goldkit.agreement.spans import nominal_alpha, nominal_observed_agreement
from goldkit.clusters import connected_components
from goldkit.evaluate import coref
from goldkit.links.tasks import kind_of_pair_id
from goldkit.schema.loading import label_values, labels, schema_version

Mention = tuple[str, str]  # (document_id, id)
PairKey = tuple[Mention, Mention]


def _mention(ref: dict[str, str]) -> Mention:
    return ref["document_id"], ref["id"]


def pair_key(link: dict[str, Any]) -> PairKey:
    return _mention(link["source"]), _mention(link["target"])


def votes(links: Iterable[dict[str, Any]]) -> dict[PairKey, dict[str, str]]:
    """Map each pair to {annotator: relation}; an annotator's later answer for a pair replaces an earlier one."""
    table: dict[PairKey, dict[str, str]] = defaultdict(dict)
    for link in links:
        table[pair_key(link)][link["provenance"]["annotator"]] = link["relation"]
    return dict(table)


def pair_kind(answers: Iterable[str]) -> str | None:
    """'event' or 'claim' when some answer is a relation only that kind allows, else None."""
    kinds = {kind for relation in answers for kind in _only_kind().get(relation, ())}
    return kinds.pop() if len(kinds) == 1 else None


def _only_kind() -> dict[str, tuple[str, ...]]:
    return {label.value: label.applies_to for label in labels("LinkRelation") if len(label.applies_to) == 1}


def event_clusters(links: Iterable[dict[str, Any]]) -> list[list[Mention]]:
    """Connected components of same-event links, each sorted, the list sorted (singletons left out)."""
    same_event = label_values("LinkRelation")[0]
    pairs = [pair_key(link) for link in links if link["relation"] == same_event]
    return sorted(sorted(group) for group in connected_components([], pairs))


def cluster_ids(links: Iterable[dict[str, Any]]) -> dict[Mention, str]:
    """Give each clustered mention a stable cluster id: its smallest member as 'document_id:id'."""
    return {m: ":".join(cluster[0]) for cluster in event_clusters(links) for m in cluster}


def _with_singletons(clusters: Sequence[Sequence[Mention]], universe: Sequence[Mention]) -> list[list[Mention]]:
    """The clusters cut to the universe, plus a singleton for each mention of it no cluster holds."""
    inside = set(universe)
    cut = [[m for m in c if m in inside] for c in clusters]
    held = {m for c in cut for m in c}
    return [c for c in cut if c] + [[m] for m in universe if m not in held]


def coreference(
    a: Sequence[Sequence[Mention]], b: Sequence[Sequence[Mention]], mentions: Iterable[Mention]
) -> dict[str, Any]:
    """MUC, B³, CEAF-e (recall, precision, F1) and the CoNLL F1 of clustering `b` against `a` over `mentions`."""
    universe = sorted(set(mentions))
    scores = coref.coref_scores(_with_singletons(a, universe), _with_singletons(b, universe))
    out: dict[str, Any] = {name: scores[name].to_dict() for name in coref.METRICS}
    return {**out, "conll_f1": scores["conll"].f1, "mentions": len(universe)}


def b_cubed(
    a: Sequence[Sequence[Mention]], b: Sequence[Sequence[Mention]], mentions: Iterable[Mention]
) -> dict[str, float]:
    """B³ precision, recall and F1 of clustering `b` against `a` over `mentions` (singletons implied)."""
    scores = coreference(a, b, mentions)
    return {**scores["b_cubed"], "mentions": scores["mentions"]}


@dataclass
class LinkAgreement:
    units: int
    pairable_units: int
    alpha: float | None
    observed: float | None
    note: str
    b_cubed: dict[str, dict[str, float]] = field(default_factory=dict)  # "a | b" -> scores
    coreference: dict[str, dict[str, Any]] = field(default_factory=dict)  # "a | b" -> MUC, B³, CEAF-e, CoNLL F1
    alpha_ci: bootstrap.Interval | None = None  # bootstrap over link tasks (goldkit.agreement.bootstrap)

    def to_dict(self) -> dict[str, Any]:
        out = self.__dict__.copy()
        out["alpha_ci"] = self.alpha_ci.to_dict() if self.alpha_ci else None
        return out


def link_agreement(links: Sequence[dict[str, Any]]) -> LinkAgreement:
    """Krippendorff's α on pair labels and pairwise MUC, B³, CEAF-e and CoNLL F1 on same-event clusters."""
    table = votes(links)
    ids = {pair_key(link): str(link.get("id", "")) for link in links}
    columns = [list(answers.values()) for answers in table.values()]
    alpha, note = nominal_alpha(columns)
    by_annotator: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in links:
        by_annotator[link["provenance"]["annotator"]].append(link)
    scores: dict[str, dict[str, Any]] = {}
    for x, y in combinations(sorted(by_annotator), 2):
        both = {key for key, answers in table.items() if x in answers and y in answers}
        events = {key for key in both if (kind_of_pair_id(ids[key]) or pair_kind(table[key].values())) == "event"}
        mentions = {m for key in events for m in key}
        clusters = [event_clusters(lk for lk in by_annotator[who] if pair_key(lk) in events) for who in (x, y)]
        scores[f"{x} | {y}"] = {**coreference(clusters[0], clusters[1], mentions), "pairs": len(events)}
    pairable = sum(1 for c in columns if len(c) >= 2)
    b3 = {pair: {**s["b_cubed"], "mentions": s["mentions"]} for pair, s in scores.items()}
    interval = bootstrap.alpha_interval(columns) if alpha is not None else None
    return LinkAgreement(len(table), pairable, alpha, nominal_observed_agreement(columns), note, b3, scores, interval)


@dataclass
class LinkAdjudication:
    gold: list[dict[str, Any]]
    unresolved: list[dict[str, Any]]
    rejected: list[dict[str, Any]]


def adjudicate_links(links: Sequence[dict[str, Any]], *, min_votes: int = 2) -> LinkAdjudication:
    """Majority vote per pair; ties and pairs short of `min_votes` are unresolved; every pair is accounted for."""
    table = votes(links)
    ids = {pair_key(link): link["id"] for link in links}
    gold, unresolved, rejected = [], [], []
    for key, answers in sorted(table.items()):
        ranked = Counter(answers.values()).most_common()
        tally = dict(ranked)
        top, count = ranked[0]
        tied = len(ranked) > 1 and ranked[1][1] == count
        if tied or count < min_votes:
            reason = "tie" if tied else f"{count} vote(s) < {min_votes}"
            unresolved.append({"source": key[0], "target": key[1], "votes": answers, "reason": reason})
            continue
        gold.append(_gold_link(ids[key], key, top, sorted(a for a, r in answers.items() if r == top)))
        losers = {a: r for a, r in answers.items() if r != top}
        if losers:
            rejected.append({"source": key[0], "target": key[1], "kept": top, "tally": tally, "outvoted": losers})
    return LinkAdjudication(gold, unresolved, rejected)


def _gold_link(link_id: str, key: PairKey, relation: str, annotators: list[str]) -> dict[str, Any]:
    (source_doc, source_id), (target_doc, target_id) = key
    return {
        "record_type": "link",
        "schema_version": schema_version(),
        "id": link_id,
        "relation": relation,
        "source": {"document_id": source_doc, "id": source_id},
        "target": {"document_id": target_doc, "id": target_id},
        "provenance": {"annotator": "gold", "method": "adjudicated", "annotators": annotators, "strategy": "majority"},
    }


def merge_gold_links(
    existing: Sequence[dict[str, Any]], adjudicated: Sequence[dict[str, Any]], *, force: bool = False
) -> list[dict[str, Any]]:
    """Put adjudicated links into the gold links: new pairs added, the same answer kept (the gold record as it
    was, so adjudicating a later round again leaves every earlier link byte for byte), a different answer for a
    pair already in gold refused unless `force` (then replaced)."""
    from goldkit.errors import ConflictError

    merged = {pair_key(link): link for link in existing}
    clashes = [
        link
        for link in adjudicated
        if pair_key(link) in merged and merged[pair_key(link)]["relation"] != link["relation"]
    ]
    if clashes and not force:
        listing = ", ".join(
            f"{k[0][1]}~{k[1][1]}: gold {merged[k]['relation']} vs {link['relation']}"
            for link in clashes[:10]
            for k in [pair_key(link)]
        )
        raise ConflictError(
            f"{len(clashes)} adjudicated link(s) disagree with the gold links already there ({listing})",
            hint="check them, then replace with: goldkit adjudicate --links --force",
        )
    for link in adjudicated:
        kept = merged.get(pair_key(link))
        if kept is None or kept["relation"] != link["relation"]:  # the same answer keeps its record as it was
            merged[pair_key(link)] = link
    return sorted(merged.values(), key=lambda link: link["id"])
