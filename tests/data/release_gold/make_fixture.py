"""Regenerate the release fixtures from corpus/: python tests/data/release_gold/make_fixture.py.

Offsets are found with str.find so the spans always match the texts; the output is committed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from goldkit.ingest.documents import build_document, read_article
from goldkit.jsonio import write_json, write_jsonl

HERE = Path(__file__).resolve().parent
GOLD_PROVENANCE = {
    "annotator": "assistant@goldkit.local",
    "method": "manual",
    "note": "single annotator, an AI assistant, not adjudicated",
    "created_at": "2026-03-01T10:00:00Z",
    "updated_at": "2026-03-02T09:30:00Z",
}


def span(text: str, part: str, nth: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(nth + 1):
        start = text.find(part, start + 1)
    assert start >= 0, part
    return {"start": start, "end": start + len(part), "text": part}


def claim(cid: str, sp: dict, types: list[str], claimant: dict, cue: dict | None, **kw: Any) -> dict[str, Any]:
    base = {
        "id": cid,
        "span": sp,
        "types": types,
        "claimant": claimant,
        "cue": cue,
        "attribution": "named_official",
        "modality": "asserted",
        "check_worthy": True,
        "verifiable": True,
        "verdict": "unchecked",
        "evidence": [],
        "event": None,
    }
    return base | kw


def english(doc: dict[str, Any]) -> dict[str, Any]:
    t = doc["text"]
    return {
        "entities": [
            {"id": "e1", "span": span(t, "RIYADH"), "type": "gpe", "canonical": "gpe.riyadh"},
            {"id": "e2", "span": span(t, "Kazakhstan"), "type": "gpe", "canonical": "gpe.kazakhstan"},
            {"id": "e3", "span": span(t, "Yerzhan Sadenov"), "type": "person", "canonical": "person.yerzhan_sadenov"},
            {"id": "e4", "span": span(t, "Thursday"), "type": "datetime", "canonical": None},
            {"id": "e5", "span": span(t, "Both ministers"), "type": "person", "canonical": None},
            {"id": "e6", "span": span(t, "12 working groups"), "type": "quantity", "canonical": None},
        ],
        "events": [
            {
                "id": "ev1",
                "type": "meeting",
                "trigger": span(t, "met"),
                "realis": "actual",
                "polarity": "positive",
                "arguments": [
                    {"role": "participant", "entity": "e3"},
                    {"role": "place", "entity": "e1"},
                    {"role": "time", "entity": "e4"},
                ],
            },
            {
                "id": "ev2",
                "type": "agreement",
                "trigger": span(t, "agreed", 0),
                "realis": "actual",
                "polarity": "positive",
                "arguments": [{"role": "participant", "entity": "e5"}],
            },
        ],
        "claims": [
            claim(
                "c1",
                span(t, "the two countries agreed on a joint security plan"),
                ["event_property"],
                {"kind": "mention", "entity": "e5"},
                span(t, "stressed"),
                event="ev2",
                verdict="supported",
                evidence=[
                    {"kind": "document", "ref": "meeting_ar-be9fe12d", "note": "the Arabic report"},
                    # a verdict rests on an outside, named and dated source (schema x-policy, #18)
                    {"kind": "url", "ref": "https://www.spa.gov.sa/N2216000", "note": "Saudi Press Agency, 2025-12-18"},
                ],
            ),
            claim(
                "c2",
                span(t, "12 working groups will be set up in the coming months"),
                ["numerical", "prediction"],
                {"kind": "unattributed", "entity": None},
                span(t, "said"),
                attribution="anonymous",
                modality="hedged",
            ),
        ],
    }


def arabic(doc: dict[str, Any]) -> dict[str, Any]:
    t = doc["text"]
    return {
        "entities": [
            {"id": "e1", "span": span(t, "الرياض"), "type": "gpe", "canonical": "gpe.riyadh"},
            {"id": "e2", "span": span(t, "يرجان سادينوف"), "type": "person", "canonical": "person.yerzhan_sadenov"},
            {"id": "e3", "span": span(t, "يوم الخميس"), "type": "datetime", "canonical": None},
            {"id": "e4", "span": span(t, "الوزيران"), "type": "person", "canonical": None},
        ],
        "events": [
            {
                "id": "ev1",
                "type": "meeting",
                "trigger": span(t, "التقى"),
                "realis": "actual",
                "polarity": "positive",
                "arguments": [
                    {"role": "participant", "entity": "e2"},
                    {"role": "place", "entity": "e1"},
                    {"role": "time", "entity": "e3"},
                ],
            },
            {
                "id": "ev2",
                "type": "agreement",
                "trigger": span(t, "الاتفاق"),
                "realis": "actual",
                "polarity": "positive",
                "arguments": [{"role": "participant", "entity": "e4"}],
            },
        ],
        "claims": [
            claim(
                "c1",
                span(t, "الاتفاق على خطة أمنية مشتركة بين البلدين"),
                ["event_property"],
                {"kind": "mention", "entity": "e4"},
                span(t, "أكد"),
                event="ev2",
            )
        ],
    }


def annotation(doc: dict[str, Any], layers: dict[str, Any], provenance: dict[str, Any]) -> dict[str, Any]:
    head = {"record_type": "annotation", "schema_version": doc["schema_version"], "document_id": doc["id"]}
    return head | {"document_sha256": doc["sha256"], "provenance": provenance} | layers


def link(lid: str, relation: str, source: tuple[str, str], target: tuple[str, str]) -> dict[str, Any]:
    return {
        "record_type": "link",
        "schema_version": "1.0.0",
        "id": lid,
        "relation": relation,
        "source": {"document_id": source[0], "id": source[1]},
        "target": {"document_id": target[0], "id": target[1]},
        "provenance": GOLD_PROVENANCE,
    }


def main() -> None:
    corpus = HERE / "corpus"
    docs = [build_document(*read_article(corpus / name), name) for name in ("meeting_ar.txt", "meeting_en.txt")]
    ar, en = docs
    write_jsonl(HERE / "annotations" / "documents.jsonl", sorted(docs, key=lambda d: d["id"]))
    gold = HERE / "annotations" / "gold"
    for doc, layers in ((en, english(en)), (ar, arabic(ar))):
        write_json(gold / f"{doc['id']}.json", annotation(doc, layers, GOLD_PROVENANCE))
    write_jsonl(
        gold / "links.jsonl",
        [
            link("l1", "same_event", (en["id"], "ev1"), (ar["id"], "ev1")),
            link("l2", "same_event", (en["id"], "ev2"), (ar["id"], "ev2")),
            link("l3", "same_claim", (en["id"], "c1"), (ar["id"], "c1")),
        ],
    )
    pull = []
    for account in ("zoe@example.org", "adam@example.org"):
        prov = {"annotator": account, "method": "label_studio", "ls_project": 1, "ls_task": 1}
        for doc, layers in ((en, english(en)), (ar, arabic(ar))):
            if account == "zoe@example.org":
                layers = layers | {"claims": layers["claims"][:1]}
            pull.append(annotation(doc, layers, prov))
    write_jsonl(HERE / "pull" / "records.jsonl", pull)
    write_json(
        HERE / "agreement.json",
        {"documents": 2, "annotators": 2, "metrics": {"entities_f1": 1.0, "claims_f1": 0.8, "verdict_alpha": 0.61}},
    )


if __name__ == "__main__":
    main()
