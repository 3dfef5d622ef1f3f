"""Coreference metrics against the CoNLL reference scorer's own test cases.

Source: conll/reference-coreference-scorers, test/CorefMetricTestConfig.pm (expected [recall, precision, F1])
and test/TestCases.README (the clusters of each case). Key TC-A: {a} {bc} {def}. Upper-case B is a
different mention from b (another span, "overlapping mention"); TC-A-7..9's duplicated b collapses to
one mention (the scorer's de-duplication), which a set of mentions does by construction.
"""

from __future__ import annotations

import itertools
import random

import pytest

from goldkit.evaluate.coref import b_cubed, ceaf_e, clusters_of, coref_scores, max_weight_assignment, muc

KEY = ["a", "bc", "def"]

# id: (response, muc R/P/F, bcub R/P/F, ceafe R/P/F or None where the config leaves it out)
CASES = {
    "A1": (["a", "bc", "def"], (1, 1, 1), (1, 1, 1), (1, 1, 1)),
    "A2": (["a", "de"], (1 / 3, 1, 0.5), ((7 / 3) / 6, 1, 14 / 25), (0.6, 0.9, 0.72)),
    "A3": (["a", "bcx", "defy", "z"], (1, 3 / 5, 0.75), (1, (4 + 7 / 12) / 9, 110 / 163), (0.88571, 0.66429, 0.75918)),
    "A4": (
        ["a", "bcx", "dy", "z"],
        (1 / 3, 1 / 3, 1 / 3),
        ((3 + 1 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 7, 2 * (5 / 9) * (17 / 42) / ((5 / 9) + (17 / 42))),
        (0.73333, 0.55, 0.62857),
    ),
    "A5": (
        ["a", "bcxB", "dy", "z"],
        (1 / 3, 1 / 4, 2 / 7),
        ((3 + 1 / 3) / 6, 2.5 / 8, 2 * (5 / 9) * (5 / 16) / ((5 / 9) + (5 / 16))),
        (0.68889, 0.51667, 0.59048),
    ),
    "A6": (
        ["a", "bcx", "dy", "Bz"],
        (1 / 3, 1 / 4, 2 / 7),
        ((10 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 8, 2 * (5 / 9) * (17 / 48) / ((5 / 9) + (17 / 48))),
        (0.73333, 0.55, 0.62857),
    ),
    "A7": (  # duplicate b in the same cluster: de-duplicated
        ["a", "bcxb", "dy", "z"],
        (1 / 3, 1 / 3, 1 / 3),
        ((10 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 7, 2 * (5 / 9) * (17 / 42) / ((5 / 9) + (17 / 42))),
        (0.73333, 0.55, 0.62857),
    ),
    "A8": (  # duplicate b in another cluster: the first one stays
        ["a", "bcx", "dy", "bz"],
        (1 / 3, 1 / 3, 1 / 3),
        ((10 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 7, 2 * (5 / 9) * (17 / 42) / ((5 / 9) + (17 / 42))),
        (0.73333, 0.55, 0.62857),
    ),
    "A9": (
        ["a", "bcx", "dy", "b" * 10 + "z"],
        (1 / 3, 1 / 3, 1 / 3),
        ((10 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 7, 2 * (5 / 9) * (17 / 42) / ((5 / 9) + (17 / 42))),
        (0.73333, 0.55, 0.62857),
    ),
    "A10": (list("abcdef"), (0, 0, 0), (3 / 6, 1, 2 / 3), None),
    "A11": (["abcdef"], (1, 3 / 5, 6 / 8), (1, (1 / 6 + 2 * 2 / 6 + 3 * 3 / 6) / 6, 14 / 25), None),
    "A12": (
        list("axycdez"),
        (0, 0, 0),
        ((1 + 1 / 2 + 2 / 3) / 6, 4 / 7, 2 * (13 / 36) * (4 / 7) / ((13 / 36) + (4 / 7))),
        None,
    ),
    "A13": (
        ["axycdez"],
        (1 / 3, 1 / 6, 2 / 9),
        (
            (1 + 1 / 2 + 2 * 2 / 3) / 6,
            (1 / 7 + 1 / 7 + 2 * 2 / 7) / 7,
            2 * (17 / 36) * (6 / 49) / ((17 / 36) + (6 / 49)),
        ),
        None,
    ),
}


def _triple(prf):
    return (prf.recall, prf.precision, prf.f1)


@pytest.mark.parametrize("case", sorted(CASES))
def test_reference_scorer_cases(case):
    response, expected_muc, expected_bcub, expected_ceafe = CASES[case]
    key, rsp = clusters_of(KEY), clusters_of(response)
    assert _triple(muc(key, rsp)) == pytest.approx(expected_muc, abs=1e-5)
    assert _triple(b_cubed(key, rsp)) == pytest.approx(expected_bcub, abs=1e-5)
    if expected_ceafe is not None:  # the config rounds CEAF to 5 places
        assert _triple(ceaf_e(key, rsp)) == pytest.approx(expected_ceafe, abs=1e-5)


def test_conll_is_the_mean_of_the_three_f1():
    scores = coref_scores(KEY, CASES["A4"][0])
    assert scores["conll"].f1 == pytest.approx((1 / 3 + scores["b_cubed"].f1 + 0.62857) / 3, abs=1e-5)


def test_empty_response_scores_zero_not_an_error():
    scores = coref_scores(KEY, [])
    assert all(s.f1 == 0 for s in scores.values())


@pytest.mark.parametrize("seed", range(30))
def test_assignment_is_the_best_one_brute_force(seed):
    rng = random.Random(seed)
    rows, cols = rng.randint(1, 5), rng.randint(1, 5)
    weights = [[rng.choice([0.0, 0.25, 0.5, rng.random()]) for _ in range(cols)] for _ in range(rows)]
    pairs = max_weight_assignment(weights)
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
    got = sum(weights[i][j] for i, j in pairs)
    best = (
        max(
            sum(weights[i][j] for i, j in zip(perm_rows, cols_perm, strict=False))
            for perm_rows in itertools.permutations(range(rows))
            for cols_perm in [range(cols)]
        )
        if rows >= cols
        else max(
            sum(weights[i][j] for i, j in zip(range(rows), perm, strict=False))
            for perm in itertools.permutations(range(cols))
        )
    )
    assert got == pytest.approx(best)
