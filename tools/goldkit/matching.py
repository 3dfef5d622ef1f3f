"""Span matching: which spans of two annotators (or of a system and the gold) are the same unit.

Used by agreement, adjudication, review and pre-annotation scoring alike. Two span lists are matched
one-to-one by `match_spans(a, b, mode)`:

- exact: equal (start, end); duplicates pair up in order.
- overlap: a maximum matching of the pairs that share at least one code point — as many pairs as
  any one-to-one matching can make (a greedy pick by largest overlap can make fewer: [0,6),[6,8)
  against [2,7),[0,2) has two pairs, greedy finds one). Ties between maximum matchings: the largest
  total overlap (sum of min(end) - max(start)), then the smallest total boundary difference
  (sum of |Δstart| + |Δend|), then what scipy's linear_sum_assignment returns (the same input
  always gives the same pairs). Solved per connected group of overlapping spans, with integer
  weights that keep the three criteria strictly in that order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from goldkit.schema.records import SPAN_KEYS

MATCH_MODES = ("exact", "overlap")


def start_end(span: Mapping[str, Any] | Sequence[int]) -> tuple[int, int]:
    if isinstance(span, Mapping):
        return int(span["start"]), int(span["end"])
    return int(span[0]), int(span[1])


def _exact_matches(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    free: dict[tuple[int, int], list[int]] = {}
    for j, span in enumerate(b):
        free.setdefault(span, []).append(j)
    pairs = []
    for i, span in enumerate(a):
        if free.get(span):
            pairs.append((i, free[span].pop(0)))
    return pairs


def _overlapping_groups(
    a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]
) -> list[tuple[list[int], list[int]]]:
    """Split the spans into groups joined by overlaps (a sweep over starts): matching never crosses groups."""
    events = sorted([(s, e, 0, i) for i, (s, e) in enumerate(a)] + [(s, e, 1, j) for j, (s, e) in enumerate(b)])
    groups: list[tuple[list[int], list[int]]] = []
    reach = None  # the furthest end of the current group
    for start, end, side, index in events:
        if reach is None or start >= reach:
            groups.append(([], []))
            reach = end
        reach = max(reach, end)
        groups[-1][side].append(index)
    return [g for g in groups if g[0] and g[1]]


def _overlap_matches(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for ia, ib in _overlapping_groups(a, b):
        if len(ia) == 1 and len(ib) == 1:  # most groups: one pair or none, what the solver would return
            (start_a, end_a), (start_b, end_b) = a[ia[0]], b[ib[0]]
            if min(end_a, end_b) - max(start_a, start_b) > 0:
                pairs.append((ia[0], ib[0]))
            continue
        sa, ea = np.array([a[i] for i in ia], dtype=np.int64).T
        sb, eb = np.array([b[j] for j in ib], dtype=np.int64).T
        overlap = np.minimum(ea[:, None], eb[None, :]) - np.maximum(sa[:, None], sb[None, :])
        difference = np.abs(sa[:, None] - sb[None, :]) + np.abs(ea[:, None] - eb[None, :])
        candidate = overlap > 0
        # weight = pair * W1 + overlap * W2 - difference: W2 exceeds any total difference and W1 any total
        # of the rest, so the solver maximises pairs, then overlap, then minimises difference
        rank2 = int(difference[candidate].sum()) + 1
        rank1 = (int(overlap[candidate].sum()) + 1) * rank2
        if 2 * rank1 * min(len(ia), len(ib)) >= 2**52:  # past float64's exact integers: keep pairs, then overlap
            rank2, difference = 1, np.zeros_like(difference)
            rank1 = int(overlap[candidate].sum()) + 1
        weight = np.where(candidate, rank1 + overlap * rank2 - difference, 0).astype(np.float64)
        rows, columns = linear_sum_assignment(weight, maximize=True)
        pairs += [(ia[r], ib[c]) for r, c in zip(rows, columns, strict=True) if candidate[r, c]]
    return sorted(pairs)


MATCHERS: dict[str, Callable[[Sequence[tuple[int, int]], Sequence[tuple[int, int]]], list[tuple[int, int]]]] = {
    "exact": _exact_matches,
    "overlap": _overlap_matches,
}


def match_spans(a: Sequence[Any], b: Sequence[Any], mode: str = "exact") -> list[tuple[int, int]]:
    """Match two span lists one-to-one; return (index in a, index in b) pairs sorted by a.

    Spans are Span dicts ({"start", "end", ...}) or (start, end) pairs; mode is a MATCHERS key.
    """
    if mode not in MATCHERS:
        raise ValueError(f"unknown match mode {mode!r}; choose from {sorted(MATCHERS)}")
    return MATCHERS[mode]([start_end(s) for s in a], [start_end(s) for s in b])


def item_span(layer: str, item: Mapping[str, Any]) -> dict[str, Any]:
    """Return the span an item of a record array is located by (an event's trigger)."""
    return item[SPAN_KEYS[layer]]


def item_label(layer: str, item: Mapping[str, Any]) -> str:
    """Return the label an item is matched under: its type, or the layer name for claims."""
    return str(item.get("type", layer))


def match_items(
    a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]], layer: str, mode: str, labelled: bool
) -> list[tuple[int, int]]:
    """Match two annotators' items of one layer; labelled matching only pairs items of the same type."""
    if not labelled:
        return match_spans([item_span(layer, x) for x in a], [item_span(layer, x) for x in b], mode)
    by_a: dict[str, list[int]] = {}
    by_b: dict[str, list[int]] = {}
    for items, by in ((a, by_a), (b, by_b)):
        for i, x in enumerate(items):
            by.setdefault(item_label(layer, x), []).append(i)
    pairs = []
    for label in sorted(by_a.keys() & by_b.keys()):  # a label only one side has makes no pair
        ia, ib = by_a[label], by_b[label]
        sub = match_spans([item_span(layer, a[i]) for i in ia], [item_span(layer, b[j]) for j in ib], mode)
        pairs += [(ia[i], ib[j]) for i, j in sub]
    return sorted(pairs)


def align_units(
    items: Mapping[str, Sequence[Mapping[str, Any]]], layer: str, mode: str = "overlap"
) -> list[dict[str, int]]:
    """Group n annotators' items of one layer into units: {annotator: item index}, at most one each.

    Annotators are taken in sorted order; each one's items are matched (unlabelled, `mode`) to the
    first span of every unit so far; unmatched items open new units. Units come sorted by span.
    """
    units: list[dict[str, int]] = []
    seeds: list[dict[str, Any]] = []
    for annotator in sorted(items):
        spans = [item_span(layer, x) for x in items[annotator]]
        matched = dict((j, i) for i, j in match_spans(seeds, spans, mode))
        for j, span in enumerate(spans):
            if j in matched:
                units[matched[j]][annotator] = j
            else:
                units.append({annotator: j})
                seeds.append(span)
    order = sorted(range(len(units)), key=lambda u: start_end(seeds[u]))
    return [units[u] for u in order]
