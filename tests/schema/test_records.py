"""Record helpers: canonical order and span iteration."""

from __future__ import annotations

from goldkit.schema.records import canonicalize, iter_spans


def _span(start: int, end: int) -> dict:
    return {"start": start, "end": end, "text": "x" * (end - start)}


def test_canonical_order_sorts_items_arguments_and_claim_types_without_changing_values():
    arguments = [{"role": "time", "entity": "a"}, {"role": "participant", "entity": "b"}]
    record = {
        "entities": [
            {"id": "b", "span": _span(5, 6)},
            {"id": "a", "span": _span(5, 6)},
            {"id": "c", "span": _span(0, 2)},
        ],
        "events": [{"id": "v", "trigger": _span(3, 4), "arguments": arguments}],
        "claims": [{"id": "k", "span": _span(0, 9), "types": ["quote", "numerical"]}],
    }
    out = canonicalize(record)
    assert [e["id"] for e in out["entities"]] == ["c", "a", "b"]  # by start, end, then id
    assert [a["role"] for a in out["events"][0]["arguments"]] == ["participant", "time"]  # schema role order
    assert out["claims"][0]["types"] == ["numerical", "quote"]  # schema order
    assert record["entities"][0]["id"] == "b"  # the input is not changed
    assert canonicalize(out) == out


def test_iter_spans_yields_entity_spans_event_triggers_and_claim_spans():
    record = {"entities": [{"id": "e", "span": _span(0, 1)}], "events": [{"id": "v", "trigger": _span(2, 3)}],
              "claims": [{"id": "c", "span": _span(4, 5)}]}  # fmt: skip
    assert [(key, item["id"], span["start"]) for key, _, item, span in iter_spans(record)] == [
        ("entities", "e", 0),
        ("events", "v", 2),
        ("claims", "c", 4),
    ]
