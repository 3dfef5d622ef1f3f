"""Coreference metrics over clusters of hashable mentions: MUC, B³, CEAF-e and their CoNLL average.

Semantics follow the CoNLL reference scorer (Pradhan et al. 2014, conll/reference-coreference-scorers):
mentions are identified by key (the scorer's boundaries), a mention the response does not have counts as
missing, one it adds counts as spurious; a mention listed twice in one clustering is counted once (the
scorer's de-duplication). MUC (Vilain et al. 1995) counts links, so singletons add nothing; B³ (Bagga &
Baldwin 1998) averages per mention; CEAF-e (Luo 2005) aligns clusters one-to-one with φ4 similarity
2|K∩R| / (|K| + |R|) by maximum-weight matching (the Hungarian method, `max_weight_assignment`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass

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

    The Hungarian method with potentials (Kuhn 1955, Munkres 1957), O(n³) on the matrix padded square.
    """
    rows = len(weights)
    cols = len(weights[0]) if rows else 0
    n = max(rows, cols)
    if n == 0:
        return []
    top = max((w for row in weights for w in row), default=0.0)
    cost = [[top - (weights[i][j] if i < rows and j < cols else 0.0) for j in range(n)] for i in range(n)]
    u, v = [0.0] * (n + 1), [0.0] * (n + 1)
    owner = [0] * (n + 1)  # owner[j]: the row (1-based) assigned to column j; 0 = free
    for i in range(1, n + 1):
        owner[0], column = i, 0
        least = [float("inf")] * (n + 1)
        previous = [0] * (n + 1)
        used = [False] * (n + 1)
        while owner[column]:
            used[column] = True
            row, delta, next_column = owner[column], float("inf"), 0
            for j in range(1, n + 1):
                if not used[j]:
                    reduced = cost[row - 1][j - 1] - u[row] - v[j]
                    if reduced < least[j]:
                        least[j], previous[j] = reduced, column
                    if least[j] < delta:
                        delta, next_column = least[j], j
            for j in range(n + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    least[j] -= delta
            column = next_column
        while column:
            owner[column] = owner[previous[column]]
            column = previous[column]
    pairs = [(owner[j] - 1, j - 1) for j in range(1, n + 1)]
    return sorted((i, j) for i, j in pairs if i < rows and j < cols)


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
