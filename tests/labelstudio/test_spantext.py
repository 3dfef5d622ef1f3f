"""Span text checked, never replaced silently: loose copies agree, stated repairs are recorded, the rest quarantined."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from goldkit.labelstudio import spantext
from goldkit.labelstudio.convert import results_to_record
from goldkit.schema.loading import label_values
from goldkit.schema.validate import span_problems

DATA = Path(__file__).resolve().parents[1] / "data"


def _load(case: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return tuple(json.loads((DATA / case / f"{n}.json").read_text(encoding="utf-8")) for n in ("task", "annotation"))  # type: ignore[return-value]


def _region(annotation: dict[str, Any], region_id: str) -> dict[str, Any]:
    return next(r for r in annotation["result"] if r.get("id") == region_id and r["type"] == "labels")


def test_the_rules_are_the_schemas_offset_repairs() -> None:
    assert list(spantext.RULES) == label_values("OffsetRepair")


def test_label_studios_loose_copies_agree() -> None:
    # label-studio #3078: newlines as a literal backslash-n, runs of spaces collapsed (or doubled)
    assert spantext.agrees("Yerzhan  Sadenov", "Yerzhan Sadenov")
    assert spantext.agrees("news 😀\\nThe ministers", "news 😀\r\nThe ministers")
    assert spantext.agrees(None, "anything")  # no copy: nothing to check
    assert not spantext.agrees("YerzhanSadenov", "Yerzhan Sadenov")  # a space is not nothing
    assert not spantext.agrees("trust", "ith is to trust")


def test_utf16_offsets_after_an_emoji_are_repaired_and_recorded() -> None:
    task, annotation = _load("convert_emoji_crlf_rtl")
    expected = results_to_record(task, annotation).record
    text = task["data"]["text"]
    broken = copy.deepcopy(annotation)
    value = _region(broken, "m1")["value"]
    start, end = value["start"], value["end"]
    value["start"], value["end"] = (len(text[:i].encode("utf-16-le")) // 2 for i in (start, end))
    assert (value["start"], value["end"]) != (start, end)  # the emoji before it count twice in UTF-16
    conversion = results_to_record(task, broken)
    assert conversion.problems == [] and conversion.record is not None
    assert conversion.record["entities"] == expected["entities"]  # type: ignore[index]
    got = {"start": value["start"], "end": value["end"]}
    assert conversion.record["provenance"]["repairs"] == [
        {"region": "m1", "rule": "utf16_offsets", "from": got, "to": {"start": start, "end": end}}
    ]


def test_the_unique_nearest_occurrence_is_used_and_recorded() -> None:
    # the SDK fixture's shape: value.text "trust" with offsets holding "ith is to trust"
    text = "Trust me with is to trust you, they said."
    assert text[10:25] == "ith is to trust"
    assert spantext.repaired(text, 10, 25, "trust") == (20, 25, spantext.NEAREST)
    # two occurrences equally near: no rule picks one
    assert spantext.repaired("ab trust cd  trust", 8, 10, "trust") is None  # at 3 and 13
    # not in the text at all
    assert spantext.repaired(text, 10, 25, "distrust") is None


def test_a_disagreeing_copy_without_a_rule_is_quarantined_as_text_mismatch() -> None:
    task, annotation = _load("convert_english")
    _region(annotation, "e4")["value"]["text"] = "Friday"  # the text says Thursday there, and no Friday anywhere
    conversion = results_to_record(task, annotation)
    assert conversion.record is None
    assert [(p.reason, p.region_id, p.got, p.expected) for p in conversion.problems] == [
        ("text_mismatch", "e4", "Friday", "Thursday")
    ]


def test_a_moved_span_is_recorded_never_silent() -> None:
    task, annotation = _load("convert_english")
    value = _region(annotation, "e4")["value"]  # "Thursday" at [100:108]
    value["start"], value["end"] = 98, 106
    conversion = results_to_record(task, annotation)
    assert conversion.record is not None
    repairs = conversion.record["provenance"]["repairs"]
    assert repairs == [
        {
            "region": "e4",
            "rule": "nearest_occurrence",
            "from": {"start": 98, "end": 106},
            "to": {"start": 100, "end": 108},
        }
    ]


def test_a_json_true_is_never_an_offset() -> None:
    task, annotation = _load("convert_english")
    _region(annotation, "e1")["value"].update(start=True, end=6, text="iyadh")  # True would read as 1
    conversion = results_to_record(task, annotation)
    assert conversion.record is None and [p.reason for p in conversion.problems] == ["span_offsets"]


def test_validate_flags_whitespace_only_spans() -> None:
    problems = span_problems("/entities/0/span", {"start": 6, "end": 7, "text": " "}, "Riyadh – Saudi")
    assert [p.pointer for p in problems] == ["/entities/0/span/text"] and "whitespace" in problems[0].message
    task, annotation = _load("convert_english")
    text = task["data"]["text"]
    space = text.index(" ")
    _region(annotation, "e1")["value"].update(start=space, end=space + 1, text=" ")
    conversion = results_to_record(task, annotation)
    assert conversion.record is None and [p.reason for p in conversion.problems] == ["schema"]
