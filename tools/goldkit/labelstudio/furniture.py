"""Page furniture on the annotator's screen: masked in the article, shown apart, and refused on pull.

Label Studio's <Text> draws a task's text as plain lines, with no way to grey or lock a stretch of
it. So the labeling view shows a copy of the text (task data lsmap.SHOWN_KEY) in which every visible
character of a boilerplate span is replaced by MASK, keeping its length (whitespace and line breaks
stay), so every offset an annotator makes is an offset into the real text (`data.text`, which pull
checks against the document). The furniture itself is shown readable, greyed, in a block of its own
that no label can point at (task data lsmap.FURNITURE_KEY).

An annotator can still drag a selection across the mask; pull quarantines such an annotation with
reason SPAN_IN_BOILERPLATE, naming the region and the furniture it touches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MASK = "░"  # light shade: a grey bar in the furniture's own shape, never a letter anyone would label
SPAN_IN_BOILERPLATE = "span_in_boilerplate"  # quarantine reason


def _spans(boilerplate: Iterable[Mapping[str, Any]]) -> list[tuple[int, int, str]]:
    return sorted((int(b["start"]), int(b["end"]), str(b.get("kind", "other"))) for b in boilerplate)


def shown_text(text: str, boilerplate: Iterable[Mapping[str, Any]]) -> str:
    """The text with each boilerplate span's visible characters replaced by MASK: same length, same offsets."""
    chars = list(text)
    for start, end, _ in _spans(boilerplate):
        for i in range(max(start, 0), min(end, len(chars))):
            if not chars[i].isspace():
                chars[i] = MASK
    return "".join(chars)


def furniture_text(text: str, boilerplate: Iterable[Mapping[str, Any]], titles: Mapping[str, str]) -> str:
    """One line per boilerplate span, in text order: its kind's title, then its text on one line."""
    lines = []
    for start, end, kind in _spans(boilerplate):
        words = " ".join(text[start:end].split())
        lines.append(f"{titles.get(kind, kind)}: {words}")
    return "\n".join(lines)


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    return [s for s in spans if start < s[1] and s[0] < end]


def spans_in_boilerplate(
    task: Mapping[str, Any], annotation: Mapping[str, Any], boilerplate: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """A SPAN_IN_BOILERPLATE reason for each region of the annotation that covers part of the furniture."""
    spans = _spans(boilerplate)
    reasons: list[dict[str, Any]] = []
    seen: set[Any] = set()
    for result in annotation.get("result") or []:
        value = result.get("value") if isinstance(result, dict) else None
        start, end = (value.get("start"), value.get("end")) if isinstance(value, dict) else (None, None)
        if type(start) is not int or type(end) is not int or result.get("id") in seen:
            continue
        hit = _overlaps(start, end, spans)
        if hit:
            seen.add(result.get("id"))
            where = ", ".join(f"{kind} [{s}, {e})" for s, e, kind in hit)
            reasons.append(
                {
                    "reason": SPAN_IN_BOILERPLATE,
                    "message": f"task {task.get('id')}: region {result.get('id')} [{start}, {end}) of "
                    f"{result.get('from_name')} covers page furniture ({where}), which is never annotated; "
                    "move the region off the greyed-out stretch in Label Studio and submit again",
                    "task_id": task.get("id"),
                    "region": result.get("id"),
                    "got": [start, end],
                },
            )
    return reasons
