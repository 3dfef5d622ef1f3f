"""The learned pre-annotator: lexicons from the gold, scored regions, and held-out recall against the rules."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from goldkit.cli.main import main
from goldkit.evaluate.preannotations import evaluate_preannotator
from goldkit.ingest.documents import build_document, load_documents
from goldkit.preannotate import learned
from goldkit.preannotate.models import REGISTRY, preannotate
from goldkit.preannotate.rules import load_gold
from goldkit.schema.validate import validate_record

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_campaign import ARTICLES, planned_record  # noqa: E402 - the campaign's generated articles

A = "Officials met in Astana. The Astana talks were held on Monday.\n"
B = "Ministers met again in Astana. Astana hosted the talks.\n"


def _record(document: dict[str, Any], entities: list, events: list | None = None, claims: list | None = None) -> dict:
    return {"record_type": "annotation", "schema_version": "1.0.0", "document_id": document["id"],
            "document_sha256": document["sha256"], "provenance": {"annotator": "gold", "method": "manual"},
            "entities": entities, "events": events or [], "claims": claims or []}  # fmt: skip


def _span(text: str, part: str, nth: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return {"start": start, "end": start + len(part), "text": part}


@pytest.fixture
def pair() -> tuple[dict, dict, dict]:
    a, b = build_document(A, [], "a.txt"), build_document(B, [], "b.txt")
    astana = {"id": "e1", "span": _span(A, "Astana"), "type": "gpe", "canonical": "gpe.astana"}  # 1 of 2 marked
    met = {"id": "v1", "type": "meeting", "trigger": _span(A, "met"), "realis": "actual", "polarity": "positive",
           "arguments": []}  # fmt: skip
    talk = {**met, "id": "v2", "trigger": _span(A, "talks")}
    return a, b, _record(a, [astana], [met, talk])


def test_what_one_document_taught_is_found_in_another_with_its_precision_as_score(pair: tuple) -> None:
    a, b, gold_a = pair
    [record] = preannotate({b["id"]: b}, "learned", {a["id"]: gold_a}, training_documents={a["id"]: a})
    assert validate_record(record) == []
    assert record["provenance"]["model_version"] == learned.LEARNED_VERSION
    assert [(e["span"]["text"], e["type"], e["canonical"]) for e in record["entities"]] == [
        ("Astana", "gpe", "gpe.astana"), ("Astana", "gpe", "gpe.astana")]  # fmt: skip
    assert [(v["trigger"]["text"], v["type"]) for v in record["events"]] == [("met", "meeting"), ("talks", "meeting")]
    scores = {item["region"]: item["score"] for item in record["provenance"]["region_scores"]}
    # 'Astana' was marked once where it occurs twice in the training text: (1 + 1) / (2 + 2)
    assert scores["pre-e1"] == pytest.approx(0.5) and scores["pre-v1"] == pytest.approx((1 + 1) / (1 + 2), abs=1e-4)
    assert record["provenance"]["score"] == pytest.approx(sum(scores.values()) / len(scores), abs=1e-4)


def test_names_read_off_canonical_keys_carry_across_languages() -> None:
    ar_text = "وصل الوزير إلى كازاخستان اليوم.\n"
    ar = build_document(ar_text, [], "ar.txt")
    en = build_document("Talks in Kazakhstan and with Yerzhan Sadenov; Sadenov spoke.\n", [], "en.txt")
    entities = [{"id": "e1", "span": _span(ar_text, "كازاخستان"), "type": "gpe", "canonical": "gpe.kazakhstan"}]
    gold = _record(ar, entities)
    gold["entities"].append({"id": "e2", "span": _span(ar_text, "الوزير"), "type": "person",
                             "canonical": "person.yerzhan_sadenov"})  # fmt: skip
    [record] = preannotate({en["id"]: en}, "learned", {ar["id"]: gold}, training_documents={ar["id"]: ar})
    found = [(e["span"]["text"], e["canonical"]) for e in record["entities"]]
    assert found == [("Kazakhstan", "gpe.kazakhstan"), ("Yerzhan Sadenov", "person.yerzhan_sadenov"),
                     ("Sadenov", "person.yerzhan_sadenov")]  # fmt: skip
    assert learned.key_names("unverified.security_expert_1") == []  # a pseudonym names nobody


def test_nothing_is_suggested_inside_furniture(pair: tuple) -> None:
    a, _, gold_a = pair
    text = "Astana met\n" + B
    furnished = build_document(text, [], "f.txt")
    furnished["boilerplate"] = [{"kind": "breadcrumb", "start": 0, "end": 10, "text": text[:10]}]
    [record] = preannotate({furnished["id"]: furnished}, "learned", {a["id"]: gold_a}, training_documents={a["id"]: a})
    assert all(e["span"]["start"] >= 10 for e in record["entities"])
    assert all(v["trigger"]["start"] >= 10 for v in record["events"])


def test_the_registry_offers_both_models() -> None:
    assert set(REGISTRY) == {"rules", "learned"}


# ---- held-out documents: recall per layer, rules before, learned after --------------------------


def _recall(documents: dict, gold: dict, name: str) -> dict[str, float]:
    """Exact-match recall per layer when each document is suggested for by a model that never saw its gold."""
    report = evaluate_preannotator(documents, gold, name)
    rows = report.scores["leave-one-out"]
    return {s.layer: s.recall or 0.0 for s in rows if s.label == "*" and s.mode == "exact"}


def test_on_the_seeds_held_out_the_learned_model_finds_more_entities_and_loses_nothing() -> None:
    documents, gold = load_documents(None), load_gold()
    before, after = _recall(documents, gold, "rules"), _recall(documents, gold, "learned")
    print("seeds, leave-one-document-out recall:", {"rules": before, "learned": after})
    assert after["entities"] > before["entities"]  # the Arabic gold's keys name the English article's places
    assert all(after[layer] >= before[layer] for layer in before)


def _campaign() -> tuple[dict, dict]:
    """The seeds plus the campaign test's eight generated articles (en+ar) with their agreed annotations."""
    documents, gold = dict(load_documents(None)), dict(load_gold())
    for key, (title, body) in ARTICLES.items():
        document = build_document(f"{title}\n\n{body}", [], f"{key}.txt")
        documents[document["id"]] = document
        gold[document["id"]] = planned_record(document, key)
    return documents, gold


def test_with_the_campaign_articles_held_out_the_learned_model_finds_events_the_rules_cannot() -> None:
    documents, gold = _campaign()
    before, after = _recall(documents, gold, "rules"), _recall(documents, gold, "learned")
    print("seeds + campaign articles, leave-one-document-out recall:", {"rules": before, "learned": after})
    assert before["events"] == 0.0 and after["events"] > 0.0  # the rules suggest no events at all
    assert after["entities"] > before["entities"]
    assert all(after[layer] >= before[layer] for layer in before)


def test_cli_runs_the_learned_model_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "learned.jsonl"
    assert main(["preannotate", "--model", "learned", "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["annotator"] == "learned"
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["provenance"]["model_version"] for r in records} == {learned.LEARNED_VERSION}
    assert all(0.0 <= r["provenance"]["score"] <= 1.0 for r in records)
    assert main(["preannotate", "--model", "learned", "--evaluate", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["model_version"] == learned.LEARNED_VERSION and set(report["scores"]) == {"all", "leave-one-out"}
