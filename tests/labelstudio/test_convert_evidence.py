"""labelstudio.convert evidence lines: the split without backtracking reads lines as the documented pattern does."""

from __future__ import annotations

import random
import re

import pytest

from goldkit.labelstudio.convert import _evidence_fields

# What an evidence line is: 'kind: ref', optionally ' | note' (a '|' separates only with a space before it).
DOCUMENTED = re.compile(r"(?P<kind>[^:\s]+)\s*:\s*(?P<ref>\S.*?)(?:\s+\|(?P<note>\s.*|))?")


def _documented(line: str) -> tuple[str, str, str | None] | None:
    match = DOCUMENTED.fullmatch(line)
    return None if match is None else (match["kind"], match["ref"], match["note"])


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("url: https://x.org/a?b=1|2 | no figures", ("url", "https://x.org/a?b=1|2", " no figures")),
        ("reference: SCO annual report 2024", ("reference", "SCO annual report 2024", None)),
        ("document :  d-1 |", ("document", "d-1", "")),
        ("url: a |b | c", ("url", "a |b", " c")),
        ("no kind here", None),
        ("url:", None),
    ],
)
def test_evidence_lines_split_into_kind_ref_note(line: str, fields: tuple[str, str, str | None] | None) -> None:
    assert _evidence_fields(line) == fields == _documented(line)


def test_random_lines_split_as_the_documented_pattern_does() -> None:
    rng = random.Random(7)
    alphabet = ["a", "b", ":", " ", "|", "\t", "/", "\u2028", "\u00a0", "é"]
    checked = 0
    for _ in range(20_000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 14))).strip()  # lines come stripped
        if line:
            assert _evidence_fields(line) == _documented(line), repr(line)
            checked += 1
    assert checked > 15_000
