"""Krippendorff's nominal α with a bootstrap confidence interval over units.

α = 1 - (n - 1) · Σ_u D_u / (n² - Σ_c n_c²), with D_u = (m_u² - Σ_c n_uc²) / (m_u - 1) for a unit of m_u
pairable values, n_c the values of category c and n every pairable value (Krippendorff 2011, nominal
metric; the same figure as the `krippendorff` package). The interval resamples the pairable units with
replacement (RESAMPLES times, numpy's default_rng(SEED)), recomputes α on each resample, and takes the
percentiles of the level asked (a percentile bootstrap, Efron & Tibshirani 1993, ch. 13); resamples where α
is undefined (one category only) are left out and counted. With fewer than MIN_UNITS pairable units no
interval is given: every resample would repeat the same few units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

RESAMPLES = 1000
SEED = 0
LEVEL = 0.95
MIN_UNITS = 2
METHOD = "percentile bootstrap over units"


@dataclass(frozen=True)
class Interval:
    """A confidence interval of α and how it was obtained."""

    low: float | None
    high: float | None
    level: float
    resamples: int  # resamples drawn
    defined: int  # resamples where α was defined (the ones the percentiles are taken over)
    units: int  # pairable units resampled
    seed: int
    method: str = METHOD
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def method() -> dict[str, Any]:
    """How every interval of a report is computed (stated once beside the figures)."""
    return {"method": METHOD, "resamples": RESAMPLES, "seed": SEED, "level": LEVEL, "min_units": MIN_UNITS}


def _counts(columns: Sequence[Sequence[Any]]) -> np.ndarray:
    """Units × categories counts of the pairable units (values compared by repr, as nominal_alpha does)."""
    pairable = [values for values in columns if len(values) >= 2]
    codes = {key: i for i, key in enumerate(sorted({repr(v) for values in pairable for v in values}))}
    counts = np.zeros((len(pairable), len(codes)), dtype=np.float64)
    for u, values in enumerate(pairable):
        for value in values:
            counts[u, codes[repr(value)]] += 1
    return counts


def _alphas(weights: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """α for each row of unit weights (how often each unit is drawn); NaN where α is undefined."""
    m = counts.sum(axis=1)
    disagreement = (m**2 - (counts**2).sum(axis=1)) / (m - 1)
    n = weights @ m
    per_category = weights @ counts
    expected = n**2 - (per_category**2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - (n - 1) * (weights @ disagreement) / expected
    return np.where(expected > 0, alpha, np.nan)


def nominal_alpha_value(columns: Sequence[Sequence[Any]]) -> float | None:
    """Nominal α over units of values (units with fewer than two values left out); None when undefined."""
    counts = _counts(columns)
    if not len(counts):
        return None
    alpha = _alphas(np.ones((1, len(counts))), counts)[0]
    return None if np.isnan(alpha) else float(alpha)


def alpha_interval(
    columns: Sequence[Sequence[Any]], resamples: int = RESAMPLES, seed: int = SEED, level: float = LEVEL
) -> Interval:
    """The bootstrap interval of nominal α over the pairable units of `columns`."""
    counts = _counts(columns)
    units = len(counts)
    if units < MIN_UNITS or counts.shape[1] < 2:
        why = f"fewer than {MIN_UNITS} pairable units" if units < MIN_UNITS else "one value only: α undefined"
        return Interval(None, None, level, 0, 0, units, seed, note=f"no interval: {why}")
    drawn = np.random.default_rng(seed).integers(0, units, size=(resamples, units))
    flat = (np.arange(resamples)[:, None] * units + drawn).ravel()
    weights = np.bincount(flat, minlength=resamples * units).reshape(resamples, units).astype(np.float64)
    alphas = _alphas(weights, counts)
    alphas = alphas[~np.isnan(alphas)]
    if not len(alphas):
        return Interval(None, None, level, resamples, 0, units, seed, note="α undefined in every resample")
    tail = (1 - level) / 2
    low, high = np.quantile(alphas, [tail, 1 - tail])
    return Interval(float(low), float(high), level, resamples, len(alphas), units, seed)


def interval_text(interval: Interval | None) -> str:
    """'low…high' of an α interval (two decimals), or '—' when there is none."""
    if interval is None or interval.low is None or interval.high is None:
        return "—"
    return f"{interval.low:.2f}…{interval.high:.2f}"


def method_line(method: dict[str, Any]) -> str:
    """One line saying how the α intervals of a report were computed."""
    return (
        f"α CI: {method['level']:.0%} {method['method']}, {method['resamples']} resamples, seed {method['seed']}"
        f" (none with fewer than {method['min_units']} pairable units)"
    )
