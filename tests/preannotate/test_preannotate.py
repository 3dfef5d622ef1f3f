"""Rule-based pre-annotation: what the rules find, that records validate, and P/R/F1 computed by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from goldkit.cli.main import main
from goldkit.evaluate.preannotations import score_records
from goldkit.ingest.documents import build_document
from goldkit.jsonio import write_json, write_jsonl
from goldkit.preannotate.models import REGISTRY, preannotate
from goldkit.preannotate.rules import (
    Context,
    GazetteerEntry,
    build_gazetteer,
    find_dates,
    find_quantities,
)
from goldkit.schema.validate import validate_record

AR_TEXT = (
    "خبر أمني\n\n"
    'وصل ١٢ مسؤولاً إلى الرياض اليوم. خالد التحليلي يعتبر اللقاء "بداية مرحلة جديدة". '
    "ويمتد التعاون لكازاخستان عبر 9000 كيلومتر خلال الأشهر المقبلة، وفق النشرة اليومية.\n"
)
EN_TEXT = (
    "RIYADH – The ministers met on Thursday at 10:00 with 12 officials. "
    "Some analysts suggest that progress is slow. More news is expected in the coming months.\n"
)


def _span(text: str, s: str, nth: int = 1) -> dict[str, Any]:
    start = -1
    for _ in range(nth):
        start = text.index(s, start + 1)
    return {"start": start, "end": start + len(s), "text": s}


def _texts(items: list[dict[str, Any]], key: str = "span") -> list[str]:
    return [item[key]["text"] for item in items]


def _gold_entity(text: str, id_: str, s: str, type_: str, canonical: str | None) -> dict[str, Any]:
    return {"id": id_, "span": _span(text, s), "type": type_, "canonical": canonical}


def _gold_record(document: dict[str, Any], entities: list[dict], claims: list[dict] | None = None) -> dict[str, Any]:
    return {
        "record_type": "annotation",
        "schema_version": "1.0.0",
        "document_id": document["id"],
        "document_sha256": document["sha256"],
        "provenance": {"annotator": "tester", "method": "manual"},
        "entities": entities,
        "events": [],
        "claims": claims or [],
    }


@pytest.fixture
def ar_doc() -> dict[str, Any]:
    return build_document(AR_TEXT, [], "ar_fixture.txt")


@pytest.fixture
def en_doc() -> dict[str, Any]:
    return build_document(EN_TEXT, [], "en_fixture.txt")


@pytest.fixture
def ar_gold(ar_doc: dict[str, Any]) -> dict[str, Any]:
    entities = [
        _gold_entity(AR_TEXT, "e1", "خالد التحليلي", "person", "person.khalid_al_tahlili"),
        _gold_entity(AR_TEXT, "e2", "كازاخستان", "gpe", "gpe.kazakhstan"),
        _gold_entity(AR_TEXT, "e3", "الرياض", "gpe", "gpe.riyadh"),
    ]
    return _gold_record(ar_doc, entities)


def test_quantities_take_the_counted_word_in_any_digits_and_skip_clock_times() -> None:
    assert _texts_of(find_quantities(AR_TEXT, "ar")) == ["١٢ مسؤولاً", "9000 كيلومتر"]
    assert _texts_of(find_quantities(EN_TEXT, "en")) == ["12 officials"]


def _texts_of(spans: list[dict[str, Any]]) -> list[str]:
    return [s["text"] for s in spans]


def test_dates_from_patterns_at_word_boundaries() -> None:
    assert _texts_of(find_dates(AR_TEXT, "ar")) == ["اليوم", "خلال الأشهر المقبلة"]  # not inside 'اليومية'
    assert _texts_of(find_dates(EN_TEXT, "en")) == ["Thursday", "in the coming months"]


def test_rules_find_gazetteer_names_after_arabic_proclitics_and_quotes_with_their_speaker(
    ar_doc: dict[str, Any], ar_gold: dict[str, Any]
) -> None:
    record = REGISTRY["rules"](ar_doc, Context(build_gazetteer([ar_gold])))
    by_text = {e["span"]["text"]: e for e in record["entities"]}
    assert by_text["كازاخستان"]["canonical"] == "gpe.kazakhstan"  # found inside 'لكازاخستان'
    assert by_text["كازاخستان"]["span"] == _span(AR_TEXT, "كازاخستان")
    assert by_text["١٢ مسؤولاً"]["type"] == "quantity"
    quote = next(c for c in record["claims"] if c["types"] == ["quote"])
    assert quote["span"] == _span(AR_TEXT, "بداية مرحلة جديدة")
    assert quote["cue"] == _span(AR_TEXT, "يعتبر")
    assert quote["claimant"] == {"kind": "mention", "entity": by_text["خالد التحليلي"]["id"]}
    numerical = [c["span"]["text"] for c in record["claims"] if c["types"] == ["numerical"]]
    assert numerical == [
        "وصل ١٢ مسؤولاً إلى الرياض اليوم",
        "ويمتد التعاون لكازاخستان عبر 9000 كيلومتر خلال الأشهر المقبلة",
    ]


def test_rules_find_indirect_speech_hedged_and_unattributed(en_doc: dict[str, Any]) -> None:
    record = REGISTRY["rules"](en_doc, Context())
    claim = next(c for c in record["claims"] if c["cue"] and c["cue"]["text"] == "suggest")
    assert claim["span"] == _span(EN_TEXT, "progress is slow")
    assert (claim["claimant"]["kind"], claim["attribution"], claim["modality"]) == (
        "unattributed",
        "anonymous",
        "hedged",
    )
    assert "10" not in _texts(record["entities"])  # the clock time is not a quantity


def test_records_validate_and_say_they_are_preannotations(ar_doc: dict, en_doc: dict, ar_gold: dict) -> None:
    records = preannotate({ar_doc["id"]: ar_doc, en_doc["id"]: en_doc}, "rules", {ar_doc["id"]: ar_gold})
    assert [r["document_id"] for r in records] == sorted([ar_doc["id"], en_doc["id"]])
    for record in records:
        document = ar_doc if record["document_id"] == ar_doc["id"] else en_doc
        assert validate_record(record, document) == []
        assert record["provenance"]["method"] == "preannotation"
        assert record["provenance"]["model_version"] == "rules-1"


def test_nothing_is_suggested_inside_boilerplate(ar_doc: dict[str, Any]) -> None:
    furniture = dict(ar_doc, boilerplate=[{**_span(AR_TEXT, "وصل ١٢ مسؤولاً"), "kind": "other"}])
    record = REGISTRY["rules"](furniture, Context())
    assert "١٢ مسؤولاً" not in _texts(record["entities"])


def test_leave_one_out_gazetteer_hides_the_documents_own_gold(ar_doc: dict, ar_gold: dict) -> None:
    gold = {ar_doc["id"]: ar_gold}
    with_own = preannotate({ar_doc["id"]: ar_doc}, "rules", gold, "all")[0]
    without = preannotate({ar_doc["id"]: ar_doc}, "rules", gold, "leave-one-out")[0]
    assert "خالد التحليلي" in _texts(with_own["entities"])
    assert "خالد التحليلي" not in _texts(without["entities"])


def test_gazetteer_entries_carry_canonical_and_attribution_of_the_gold() -> None:
    record = {
        "entities": [
            {"id": "p", "span": {"start": 0, "end": 1, "text": "أ"}, "type": "person", "canonical": "person.a"}
        ],
        "claims": [{"claimant": {"kind": "mention", "entity": "p"}, "attribution": "unverifiable_source"}],
    }
    assert build_gazetteer([record]) == [GazetteerEntry("أ", "person", "person.a", "unverifiable_source")]


# ---- evaluation, computed by hand ----------------------------------------------------------------


def _item(id_: str, start: int, end: int, type_: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": id_, "span": {"start": start, "end": end, "text": "x" * (end - start)}}
    return item | ({"type": type_} if type_ else {})


GOLD = {
    "d": {
        "document_id": "d",
        "entities": [_item("a", 0, 5, "gpe"), _item("b", 10, 15, "person"), _item("c", 20, 30, "quantity")],
        "events": [],
        "claims": [_item("x", 0, 30)],
    }
}
PREDICTED = [
    {
        "document_id": "d",
        "entities": [_item("a2", 0, 5, "gpe"), _item("b2", 10, 14, "person"), _item("d2", 40, 45, "gpe")],
        "events": [],
        "claims": [_item("y", 0, 20)],
    }
]
# (layer, label, mode): (gold, predicted, matched, P, R, F1)
EXPECTED = {
    ("entities", "*", "exact"): (3, 3, 1, 1 / 3, 1 / 3, 1 / 3),
    ("entities", "*", "overlap"): (3, 3, 2, 2 / 3, 2 / 3, 2 / 3),
    ("entities", "gpe", "exact"): (1, 2, 1, 1 / 2, 1.0, 2 / 3),
    ("entities", "person", "exact"): (1, 1, 0, 0.0, 0.0, 0.0),
    ("entities", "person", "overlap"): (1, 1, 1, 1.0, 1.0, 1.0),
    ("entities", "quantity", "overlap"): (1, 0, 0, None, 0.0, 0.0),
    ("claims", "*", "exact"): (1, 1, 0, 0.0, 0.0, 0.0),
    ("claims", "*", "overlap"): (1, 1, 1, 1.0, 1.0, 1.0),
}


def test_evaluation_counts_and_scores_match_hand_computation() -> None:
    scores = {(s.layer, s.label, s.mode): s for s in score_records(PREDICTED, GOLD)}
    for key, (gold, predicted, matched, precision, recall, f1) in EXPECTED.items():
        s = scores[key]
        assert (s.gold, s.predicted, s.matched) == (gold, predicted, matched), key
        assert s.precision is None if precision is None else s.precision == pytest.approx(precision), key
        assert (s.recall, s.f1) == (pytest.approx(recall), pytest.approx(f1)), key
    assert ("events", "*", "exact") not in scores  # nothing on either side: no row


# ---- CLI -------------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ar_doc: dict, en_doc: dict, ar_gold: dict) -> Path:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    write_jsonl(tmp_path / "annotations" / "documents.jsonl", [ar_doc, en_doc])
    write_json(tmp_path / "annotations" / "gold" / f"{ar_doc['id']}.json", ar_gold)
    return tmp_path


def test_cli_writes_records(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = project / "pre.jsonl"
    assert main(["preannotate", "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 2
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["provenance"]["method"] for r in records} == {"preannotation"}


def test_cli_evaluate_reports_both_gazetteer_policies(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preannotate", "--evaluate", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {p: {(r["layer"], r["label"], r["mode"]): r for r in rows} for p, rows in report["scores"].items()}
    assert rows["all"][("entities", "person", "exact")]["recall"] == 1.0  # own gazetteer: found
    assert rows["leave-one-out"][("entities", "person", "exact")]["recall"] == 0.0  # no other gold
    assert not (project / "annotations" / "preannotations").exists()  # evaluating writes nothing


def test_cli_without_documents_names_the_next_command(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    assert main(["preannotate"]) == 1
    assert "goldkit ingest" in capsys.readouterr().err
