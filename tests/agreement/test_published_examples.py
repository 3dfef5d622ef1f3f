"""Krippendorff's α and unitizing α against the worked examples their author published, values as printed there.

- α (nominal): Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability", Annenberg School
  for Communication, University of Pennsylvania (repository.upenn.edu/asc_papers/43), section C: four
  observers A-D, twelve units, values 1-5 with missing data; α_nominal = 0.743.
- unitizing α: Krippendorff, K. (2004). Content Analysis, 2nd ed., Sage, p. 254: two observers on a
  continuum from 150 to 450, categories c and k; D_o(c) = 0.0144, D_e(c) = 0.0532, α(c) = 0.7286,
  α(k) = 1, α over both = 0.8591 (the figures DKPro Statistics tests its implementation with,
  org/dkpro/statistics/agreement/unitizing/Krippendorff2004Test.java).
"""

from __future__ import annotations

import pytest

from goldkit.agreement.spans import nominal_alpha
from goldkit.agreement.unitizing import unitizing_alpha

# Krippendorff (2011): rows are observers A, B, C, D; None = the observer did not code the unit
RELIABILITY_DATA = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def test_nominal_alpha_of_krippendorffs_2011_example_is_0_743() -> None:
    columns = [[row[u] for row in RELIABILITY_DATA if row[u] is not None] for u in range(12)]
    alpha, note = nominal_alpha(columns)
    assert note == "" and alpha == pytest.approx(0.743, abs=5e-4)


# Krippendorff (2004, p. 254), shifted so the continuum starts at 0: (start, end, category) per observer
OFFSET, LENGTH = 150, 300
OBSERVERS = [
    [(225, 295, "c"), (370, 400, "c"), (180, 240, "k"), (300, 350, "k")],
    [(220, 300, "c"), (355, 375, "c"), (400, 420, "c"), (180, 240, "k"), (300, 350, "k")],
]
UNITS = [[(s - OFFSET, e - OFFSET, c) for s, e, c in units] for units in OBSERVERS]


def test_unitizing_alpha_of_krippendorffs_2004_example() -> None:
    c = unitizing_alpha(UNITS, LENGTH, "c")
    assert (c.observed, c.expected, c.alpha) == (
        pytest.approx(0.0144, abs=1e-4),
        pytest.approx(0.0532, abs=1e-4),
        pytest.approx(0.7286, abs=1e-4),
    )
    k = unitizing_alpha(UNITS, LENGTH, "k")
    assert k.observed == 0.0 and k.expected == pytest.approx(0.0490, abs=1e-4) and k.alpha == pytest.approx(1.0)
    assert unitizing_alpha(UNITS, LENGTH).alpha == pytest.approx(0.8591, abs=5e-4)
