"""α's bootstrap interval: the vectorised resampling equals a plain loop calling the krippendorff package."""

from __future__ import annotations

import random

import numpy as np
import pytest

from goldkit.agreement.bootstrap import MIN_UNITS, alpha_interval, nominal_alpha_value
from goldkit.agreement.spans import nominal_alpha

# Krippendorff (2011), section C (as in test_published_examples): observers A-D, twelve units, None = not coded
RELIABILITY_DATA = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]

EXAMPLE = [[row[u] for row in RELIABILITY_DATA if row[u] is not None] for u in range(12)]


def test_point_alpha_is_krippendorffs_0_743():
    assert nominal_alpha_value(EXAMPLE) == pytest.approx(0.743, abs=5e-4)


@pytest.mark.parametrize("seed", range(15))
def test_point_alpha_equals_the_krippendorff_package(seed):
    rng = random.Random(seed)
    columns = [[rng.choice("abcd"[: rng.randint(2, 4)]) for _ in range(rng.randint(1, 4))] for _ in range(20)]
    expected, _ = nominal_alpha(columns)
    assert nominal_alpha_value(columns) == pytest.approx(expected)


def _loop_interval(columns, resamples, seed, level):
    """The same draws as alpha_interval, one resample at a time, α from the krippendorff package."""
    pairable = [v for v in columns if len(v) >= 2]
    drawn = np.random.default_rng(seed).integers(0, len(pairable), size=(resamples, len(pairable)))
    alphas = []
    for row in drawn:
        alpha, _ = nominal_alpha([pairable[i] for i in row])
        if alpha is not None:
            alphas.append(alpha)
    tail = (1 - level) / 2
    return np.quantile(alphas, [tail, 1 - tail]), len(alphas)


def test_interval_equals_a_loop_over_resamples_with_the_krippendorff_package():
    interval = alpha_interval(EXAMPLE, resamples=200, seed=7, level=0.9)
    (low, high), defined = _loop_interval(EXAMPLE, 200, 7, 0.9)
    assert (interval.low, interval.high, interval.defined) == (pytest.approx(low), pytest.approx(high), defined)
    assert interval.low < nominal_alpha_value(EXAMPLE) < interval.high
    assert (interval.units, interval.resamples, interval.seed, interval.level) == (11, 200, 7, 0.9)


def test_same_seed_same_interval_other_seed_other_interval():
    assert alpha_interval(EXAMPLE, seed=1) == alpha_interval(EXAMPLE, seed=1)
    assert alpha_interval(EXAMPLE, seed=1).low != alpha_interval(EXAMPLE, seed=2).low


def test_more_units_of_the_same_kind_narrow_the_interval():
    few, many = alpha_interval(EXAMPLE), alpha_interval(EXAMPLE * 10)
    assert many.high - many.low < few.high - few.low


def test_no_interval_from_too_few_units_or_one_value():
    assert alpha_interval([["a", "b"]]).note == f"no interval: fewer than {MIN_UNITS} pairable units"
    one_value = alpha_interval([["a", "a"], ["a", "a"], ["a"]])
    assert one_value.low is None and "one value only" in one_value.note
