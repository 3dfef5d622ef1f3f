"""Span matching: which spans of two annotators (or of a system and the gold) are the same unit.

Used by agreement, adjudication, review and pre-annotation scoring alike. Two span lists are matched
one-to-one by `match_spans(a, b, mode)`:

- exact: equal (start, end); duplicates pair up in order.
- overlap: every pair sharing at least one code point is a candidate; candidates are taken greedily
  by largest overlap (min(end) - max(start)), ties by the smaller boundary difference
  |Δstart| + |Δend|, then by position in a, then in b; a span is used at most once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

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


def _overlap_matches(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    candidates = []
    for (i, (sa, ea)), (j, (sb, eb)) in itertools.product(enumerate(a), enumerate(b)):
        overlap = min(ea, eb) - max(sa, sb)
        if overlap > 0:
            candidates.append((-overlap, abs(sa - sb) + abs(ea - eb), i, j))
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for _, _, i, j in sorted(candidates):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j))
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
    pairs = []
    for label in sorted({item_label(layer, x) for x in a} | {item_label(layer, x) for x in b}):
        ia = [i for i, x in enumerate(a) if item_label(layer, x) == label]
        ib = [j for j, x in enumerate(b) if item_label(layer, x) == label]
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
