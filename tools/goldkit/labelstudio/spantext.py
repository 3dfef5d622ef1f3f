"""A span's `value.text` against the task text: agree, repair by a stated rule, or say they disagree.

Label Studio stores a copy of the span's text in `value.text` and never checks it against the offsets
(field notes, "Result JSON"); goldkit always slices the task text, so the copy is the one witness that
the offsets mean what the annotator saw. The copy is loose in known ways — a newline written as a
literal backslash-n, runs of spaces collapsed (label-studio #3078) — so the two agree when they are
equal after `loose()`. When they do not, offsets are repaired only by these rules, tried in order, and
each repair is recorded in the record's provenance (`repairs`):

- `utf16_offsets`: the offsets count UTF-16 code units (what some API clients and older tools write
  after an emoji); the same offsets read as UTF-16 and turned into code points hold the copy.
- `nearest_occurrence`: the offsets fit the text, the copy occurs in it, and one occurrence is
  strictly nearer to the given start than every other; the span moves there.

Otherwise the annotation is quarantined (`text_mismatch`).
"""

from __future__ import annotations

import re
from typing import Any

# The rules, in the order they are tried; the schema's OffsetRepair names the same (a test keeps them equal).
# Not read from the schema at import: a project's own schema may predate them.
UTF16, NEAREST = "utf16_offsets", "nearest_occurrence"
RULES = (UTF16, NEAREST)
_LITERAL_WHITESPACE = re.compile(r"\\[nrt]")


def loose(text: str) -> str:
    """Text as value.text may carry it: literal \\n, \\r, \\t read as whitespace, runs of whitespace one space."""
    return " ".join(_LITERAL_WHITESPACE.sub(" ", text).split())


def agrees(claimed: Any, actual: str) -> bool:
    """Whether a span's value.text (None: not given) fits the text sliced at its offsets."""
    return claimed is None or claimed == actual or (type(claimed) is str and loose(claimed) == loose(actual))


def _utf16_offsets(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Code-point offsets of UTF-16 offsets into text, or None when they do not fall between characters."""
    units = text.encode("utf-16-le")
    if not 0 <= start < end <= len(units) // 2:
        return None
    try:
        head = units[: 2 * start].decode("utf-16-le")
        body = units[2 * start : 2 * end].decode("utf-16-le")
    except UnicodeDecodeError:  # an offset inside a surrogate pair
        return None
    return len(head), len(head) + len(body)


def _pattern(claimed: str) -> re.Pattern[str] | None:
    words = loose(claimed).split(" ")
    if words == [""]:
        return None
    return re.compile(r"(?=(" + r"\s+".join(map(re.escape, words)) + "))")


def _nearest_occurrence(text: str, start: int, claimed: str) -> tuple[int, int] | None:
    pattern = _pattern(claimed)
    if pattern is None:
        return None
    found = [(abs(m.start(1) - start), m.start(1), m.end(1)) for m in pattern.finditer(text)]
    found.sort()
    if not found or (len(found) > 1 and found[0][0] == found[1][0]):
        return None  # not there, or two equally near: no rule picks one
    return found[0][1], found[0][2]


def repaired(text: str, start: int, end: int, claimed: str) -> tuple[int, int, str] | None:
    """New (start, end, rule) for a span whose value.text disagrees with text[start:end], or None."""
    converted = _utf16_offsets(text, start, end)
    if converted is not None and converted != (start, end) and agrees(claimed, text[converted[0] : converted[1]]):
        return converted[0], converted[1], UTF16
    if not 0 <= start < end <= len(text):
        return None  # offsets that fit nothing are not a place to be near to
    nearest = _nearest_occurrence(text, start, claimed)
    if nearest is not None and nearest != (start, end):
        return nearest[0], nearest[1], NEAREST
    return None
