"""Coreference metrics against the CoNLL reference scorer's test cases TC-D to TC-N (TC-A is in test_coref.py).

Source: github.com/conll/reference-coreference-scorers (v8.01), test/CorefMetricTestConfig.pm (last
changed in commit 21339da) with the key and response files test/DataFiles/TC-<case>.key and
TC-<case>-<n>.response. The clusters below are those files' coreference columns written out: a
mention is named by its token (a .. f as in TC-A), `word@part.token` for a response's extra
mentions, or its line number (TC-D to TC-L, two-column files). Expected [recall, precision, F1] are
copied from the config, fractions as written there; cases it gives only BLANC for are not here.
The same metrics score link agreement (goldkit agree --links), over every mention both annotators saw.
"""

from __future__ import annotations

import pytest

from goldkit.evaluate.coref import b_cubed, ceaf_e, clusters_of, coref_scores, muc

CLUSTERS = {
    "TC-D": "1 3 5 7 9 | 13 15 | 19 21 23 25 27",
    "TC-D-1": "1 3 5 7 9 | 13 15 19 21 23 25 27",
    "TC-E": "1 3 5 7 9 | 13 15 | 19 21 23 25 27",
    "TC-E-1": "1 19 21 23 25 27 3 5 7 9 | 13 15",
    "TC-F": "1 3 5 7",
    "TC-F-1": "1 3 | 5 7",
    "TC-G": "1 3 | 5 7",
    "TC-G-1": "1 3 5 7",
    "TC-H": "1 3 5 7",
    "TC-H-1": "1 3 5 7",
    "TC-I": "1 3 5 7",
    "TC-I-1": "1 3 | 5 7",
    "TC-J": "1 3 5",
    "TC-J-1": "1 5",
    "TC-K": "13 15 19 3 5 7 9",
    "TC-K-1": "1 3 5 | 11 7 9 | 13 15 17",
    "TC-L": "1 3 5 | 11 13 7 9",
    "TC-L-1": "1 3 | 5 7 | 11 13 15",
    "TC-M": "a b c d e f",
    "TC-M-1": "a b c d e f",
    "TC-M-2": "a | b | c | d | e | f",
    "TC-M-5": "a | b | c | jnk@2.1 | jnk@2.4 | jnk@2.6",
    "TC-N": "a | b | c | d | e | f",
    "TC-N-1": "a | b | c | d | e | f",
    "TC-N-2": "a b c d e f",
    "TC-N-4": "a | b | c | jnk@2.1 | jnk@2.4 | jnk@2.6",
}


def f1(r: float, p: float) -> float:
    return 2 * r * p / (r + p)


# case -> metric -> [recall, precision, F1], as in CorefMetricTestConfig.pm
EXPECTED: dict[str, dict[str, list[float]]] = {
    "D1": {"muc": [9 / 9, 9 / 10, f1(9 / 9, 9 / 10)], "bcub": [12 / 12, 16 / 21, f1(12 / 12, 16 / 21)]},
    "E1": {"muc": [9 / 9, 9 / 10, f1(9 / 9, 9 / 10)], "bcub": [1, 7 / 12, f1(1, 7 / 12)]},
    "F1": {"muc": [2 / 3, 2 / 2, f1(2 / 3, 2 / 2)]},
    "G1": {"muc": [2 / 2, 2 / 3, f1(2 / 2, 2 / 3)]},
    "H1": {"muc": [1, 1, 1]},
    "I1": {"muc": [2 / 3, 2 / 2, f1(2 / 3, 2 / 2)]},
    "J1": {"muc": [1 / 2, 1 / 1, f1(1 / 2, 1 / 1)]},
    "K1": {"muc": [3 / 6, 3 / 6, 3 / 6]},
    "L1": {"muc": [2 / 5, 2 / 4, f1(2 / 5, 2 / 4)]},
    "M1": {"muc": [1, 1, 1], "bcub": [1, 1, 1], "ceafe": [1, 1, 1]},
    "M2": {"muc": [0, 0, 0]},
    "M5": {"muc": [0, 0, 0]},
    "N1": {"muc": [0, 0, 0]},
    "N2": {"muc": [0, 0, 0]},
    "N4": {"muc": [0, 0, 0]},
}  # fmt: skip
METRICS = {"muc": muc, "bcub": b_cubed, "ceafe": ceaf_e}


def clusters(case: str) -> list[list[str]]:
    return [part.split() for part in CLUSTERS[case].split(" | ")]


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_matches_the_reference_scorers_test_case(case: str) -> None:
    letter, number = case[0], case[1:]
    key, response = clusters_of(clusters(f"TC-{letter}")), clusters_of(clusters(f"TC-{letter}-{number}"))
    for metric, (recall, precision, f) in EXPECTED[case].items():
        got = METRICS[metric](key, response)
        # the config's decimals have 5 places (the scorer's own test tolerance)
        assert [got.recall, got.precision, got.f1] == pytest.approx([recall, precision, f], abs=1e-5), metric


def test_agreeing_that_nothing_corefers_scores_one_on_b_cubed_and_ceaf_e() -> None:
    """TC-N-1 (all singletons, both sides): B³ and CEAF-e 1; MUC 0, no links to count (the config says 0)."""
    scores = coref_scores(clusters("TC-N"), clusters("TC-N-1"))
    assert scores["b_cubed"].f1 == scores["ceaf_e"].f1 == 1.0 and scores["muc"].f1 == 0.0
