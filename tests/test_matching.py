"""matching: overlap matching is a maximum matching with the stated tie rule; exact matching pairs equals."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from goldkit.matching import align_units, match_items, match_spans

Spans = list[tuple[int, int]]


def _overlap(x: tuple[int, int], y: tuple[int, int]) -> int:
    return min(x[1], y[1]) - max(x[0], y[0])


def _score(a: Spans, b: Spans, pairs: list[tuple[int, int]]) -> tuple[int, int, int]:
    """(pairs, total overlap, -total boundary difference): what the tie rule maximises, in that order."""
    overlap = sum(_overlap(a[i], b[j]) for i, j in pairs)
    difference = sum(abs(a[i][0] - b[j][0]) + abs(a[i][1] - b[j][1]) for i, j in pairs)
    return len(pairs), overlap, -difference


def _best_by_brute_force(a: Spans, b: Spans) -> tuple[int, int, int]:
    """Try every one-to-one assignment (small lists only)."""
    best = (0, 0, 0)
    small, large, flipped = (a, b, False) if len(a) <= len(b) else (b, a, True)
    for chosen in itertools.permutations(range(len(large)), len(small)):
        pairs = [(i, j) for i, j in enumerate(chosen) if _overlap(small[i], large[j]) > 0]
        if flipped:
            pairs = [(j, i) for i, j in pairs]
        best = max(best, _score(a, b, pairs))
    return best


def test_the_smallest_case_greedy_matching_got_wrong_has_two_matches() -> None:
    # greedy by largest overlap took [0,6)-[2,7) (overlap 4) and left [6,8) and [0,2) unmatched
    assert match_spans([(0, 6), (6, 8)], [(2, 7), (0, 2)], "overlap") == [(0, 1), (1, 0)]


def test_ties_prefer_more_overlap_then_closer_boundaries() -> None:
    assert match_spans([(0, 6)], [(0, 5), (0, 6)], "overlap") == [(0, 1)]  # overlap 6 over 5
    assert match_spans([(0, 6)], [(1, 7), (0, 7)], "overlap") == [(0, 1)]  # same overlap, closer boundaries


def test_touching_spans_do_not_overlap_and_exact_pairs_duplicates_in_order() -> None:
    assert match_spans([(0, 6)], [(6, 8)], "overlap") == []
    assert match_spans([(0, 2), (0, 2)], [(0, 2), (5, 6), (0, 2)], "exact") == [(0, 0), (1, 2)]


def test_a_group_of_one_span_each_pairs_only_when_they_share_a_code_point() -> None:
    # one span on each side: matched without the solver (the common case), still only on a real overlap
    assert match_spans([(3, 7)], [(5, 9)], "overlap") == [(0, 0)]
    assert match_spans([(5, 5)], [(3, 7)], "overlap") == []  # an empty span inside another shares nothing
    assert match_spans([(0, 4), (10, 12)], [(11, 15), (2, 3)], "overlap") == [(0, 1), (1, 0)]


def test_labelled_matching_pairs_only_items_of_the_same_type() -> None:
    def item(kind: str, start: int, end: int) -> dict:
        return {"type": kind, "span": {"start": start, "end": end}}

    a = [item("per", 0, 4), item("org", 10, 14), item("gpe", 20, 24)]
    b = [item("org", 0, 4), item("org", 10, 14), item("loc", 20, 24), item("per", 1, 3)]
    assert match_items(a, b, "entities", "overlap", labelled=True) == [(0, 3), (1, 1)]
    assert match_items(a, b, "entities", "exact", labelled=True) == [(1, 1)]
    assert match_items(a, b, "entities", "exact", labelled=False) == [(0, 0), (1, 1), (2, 2)]


spans = st.lists(st.tuples(st.integers(0, 30), st.integers(1, 12)).map(lambda t: (t[0], t[0] + t[1])), max_size=6)


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(spans, spans)
def test_overlap_matching_is_maximum_and_follows_the_tie_rule(a: Spans, b: Spans) -> None:
    pairs = match_spans(a, b, "overlap")
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})  # one-to-one
    assert all(_overlap(a[i], b[j]) > 0 for i, j in pairs)
    assert _score(a, b, pairs) == _best_by_brute_force(a, b)


def test_alignment_of_three_annotators_uses_maximum_matching() -> None:
    units = align_units(
        {
            "a": [{"span": {"start": 0, "end": 6}}, {"span": {"start": 6, "end": 8}}],
            "b": [{"span": {"start": 2, "end": 7}}, {"span": {"start": 0, "end": 2}}],
        },
        "entities",
    )
    assert units == [{"a": 0, "b": 1}, {"a": 1, "b": 0}]
