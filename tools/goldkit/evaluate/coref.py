"""Coreference metrics over clusters of hashable mentions: MUC, B³, CEAF-e and their CoNLL average.

Semantics follow the CoNLL reference scorer (Pradhan et al. 2014, conll/reference-coreference-scorers):
mentions are identified by key (the scorer's boundaries), a mention the response does not have counts as
missing, one it adds counts as spurious; a mention listed twice in one clustering is counted once (the
scorer's de-duplication). MUC (Vilain et al. 1995) counts links, so singletons add nothing; B³ (Bagga &
Baldwin 1998) averages per mention; CEAF-e (Luo 2005) aligns clusters one-to-one with φ4 similarity
2|K∩R| / (|K| + |R|) by maximum-weight matching (`max_weight_assignment`: scipy's linear_sum_assignment).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

Cluster = frozenset[Hashable]


@dataclass(frozen=True)
class PRF:
    """Recall, precision and F1 of one metric (0 where undefined, as the reference scorer prints)."""

    recall: float
    precision: float
    f1: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def _prf(recall_num: float, recall_den: float, precision_num: float, precision_den: float) -> PRF:
    recall = recall_num / recall_den if recall_den else 0.0
    precision = precision_num / precision_den if precision_den else 0.0
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    return PRF(recall, precision, f1)


def clusters_of(groups: Iterable[Iterable[Hashable]]) -> list[Cluster]:
    """Return groups as disjoint non-empty clusters; a mention already placed is dropped from later groups."""
    seen: set[Hashable] = set()
    clusters = []
    for group in groups:
        cluster = frozenset(m for m in group if m not in seen)
        seen |= cluster
        if cluster:
            clusters.append(cluster)
    return clusters


def _partitions(cluster: Cluster, other: dict[Hashable, int]) -> int:
    """How many parts `cluster` falls into under the other clustering (absent mentions each alone)."""
    parts = {other[m] for m in cluster if m in other}
    return len(parts) + sum(1 for m in cluster if m not in other)


def _index(clusters: Sequence[Cluster]) -> dict[Hashable, int]:
    return {m: i for i, cluster in enumerate(clusters) for m in cluster}


def muc(key: Sequence[Cluster], response: Sequence[Cluster]) -> PRF:
    """MUC: links shared, over links in the key (recall) and in the response (precision)."""
    key_index, response_index = _index(key), _index(response)
    recall_num = sum(len(k) - _partitions(k, response_index) for k in key)
    precision_num = sum(len(r) - _partitions(r, key_index) for r in response)
    return _prf(recall_num, sum(len(k) - 1 for k in key), precision_num, sum(len(r) - 1 for r in response))


def b_cubed(key: Sequence[Cluster], response: Sequence[Cluster]) -> PRF:
    """B³: per mention, the share of its cluster the other clustering also puts with it."""
    key_index, response_index = _index(key), _index(response)

    def score(clusters: Sequence[Cluster], other_index: dict[Hashable, int], other: Sequence[Cluster]) -> float:
        total = 0.0
        for cluster in clusters:
            for mention in cluster:
                if mention in other_index:
                    total += len(cluster & other[other_index[mention]]) / len(cluster)
        return total

    recall_num = score(key, response_index, response)
    precision_num = score(response, key_index, key)
    return _prf(recall_num, len(key_index), precision_num, len(response_index))


def max_weight_assignment(weights: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """Return the (row, column) pairs of a one-to-one assignment with the largest total weight.

    scipy's linear_sum_assignment (the same solver goldkit.matching uses), on the rectangular matrix.
    """
    if not weights or not weights[0]:
        return []
    rows, columns = linear_sum_assignment(np.asarray(weights, dtype=np.float64), maximize=True)
    return sorted((int(i), int(j)) for i, j in zip(rows, columns, strict=True))


def ceaf_e(key: Sequence[Cluster], response: Sequence[Cluster]) -> PRF:
    """CEAF-e: the best one-to-one cluster alignment under φ4, over the number of key / response clusters."""
    similarity = [[2 * len(k & r) / (len(k) + len(r)) for r in response] for k in key]
    total = sum(similarity[i][j] for i, j in max_weight_assignment(similarity))
    return _prf(total, len(key), total, len(response))


METRICS = {"muc": muc, "b_cubed": b_cubed, "ceaf_e": ceaf_e}


def coref_scores(key: Iterable[Iterable[Hashable]], response: Iterable[Iterable[Hashable]]) -> dict[str, PRF]:
    """Every metric of METRICS plus 'conll' (the mean F1 of MUC, B³ and CEAF-e, as in CoNLL-2012)."""
    key_clusters, response_clusters = clusters_of(key), clusters_of(response)
    scores = {name: metric(key_clusters, response_clusters) for name, metric in METRICS.items()}
    conll = sum(s.f1 for s in scores.values()) / len(scores)
    scores["conll"] = PRF(conll, conll, conll)  # an average of F1s: recall and precision are not defined apart
    return scores
