"""Adjudication strategies on hand-made fixtures; the expected gold is reasoned out in comments.

Text: "Sadenov met Saudi officials in Riyadh on Thursday."  Sadenov 0-7, met 8-11, Saudi 12-17,
Riyadh 31-37, Thursday 41-49.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from goldkit.adjudicate import strategies as adj
from goldkit.agreement.spans import build_study
from goldkit.cli import main as cli_main
from goldkit.errors import ReconcileError
from goldkit.pulls import load_records
from goldkit.schema.validate import validate_record

DATA = Path(__file__).resolve().parents[1] / "data"


def result(case: str, strategy: str, min_votes: int | None = None) -> adj.DocumentResult:
    report = adj.adjudicate(build_study(load_records([DATA / case / "input"])), strategy, min_votes)
    assert len(report.documents) == 1
    return report.documents[0]


def spans(items: list[dict], key: str = "span") -> list[tuple[int, int]]:
    return [(x[key]["start"], x[key]["end"]) for x in items]


def accounted(doc: adj.DocumentResult, by: dict) -> None:
    """Every input span is in exactly one of gold / rejected / unresolved."""
    inputs = {(who, layer, i) for who, rec in by.items() for layer in ("entities", "events", "claims")
              for i in range(len(rec[layer]))}  # fmt: skip
    buckets = doc.placed
    assert buckets["gold"] | buckets["rejected"] | buckets["unresolved"] == inputs
    assert not (buckets["gold"] & buckets["rejected"]) and not (buckets["gold"] & buckets["unresolved"])


def test_majority_three_annotators() -> None:
    doc = result("adjudicate_majority", "majority")
    gold = doc.gold
    assert gold is not None and validate_record(gold) == []
    # Sadenov: alice 0-7, bob 0-7, carol 0-11 -> kept (3 >= 2), boundary 0-7 by 2 of 3
    # Riyadh: gpe, gpe, location -> gpe;  Saudi (bob) and Thursday (alice): 1 of 3 -> rejected
    assert [(e["span"]["start"], e["span"]["end"], e["type"]) for e in gold["entities"]] == [
        (0, 7, "person"),
        (31, 37, "gpe"),
    ]
    assert sorted((r["span"]["text"], tuple(r["voters"])) for r in doc.rejected) == [
        ("Saudi", ("bob",)),
        ("Thursday", ("alice",)),
    ]
    # met: realis actual, actual, planned -> actual; participant 3 of 3, place 2 of 3
    (event,) = gold["events"]
    assert event["realis"] == "actual"
    # gold ids are the voters' ids (all differ here: the smallest), so the round trip keeps them
    assert event["arguments"] == [{"role": "participant", "entity": "a1"}, {"role": "place", "entity": "a2"}]
    # claim 0-37 by 2 of 3; claimant Sadenov (2 of 3); types: event_property 3/3, quote 1/3 -> dropped
    (claim,) = gold["claims"]
    assert (spans([claim]), claim["claimant"], claim["types"], claim["event"]) == (
        [(0, 37)], {"kind": "mention", "entity": "a1"}, ["event_property"], "a4")  # fmt: skip
    assert doc.unresolved == []
    assert gold["provenance"] == {"annotator": "gold", "method": "adjudicated", "annotators": ["alice", "bob", "carol"],
                                  "strategy": "majority"}  # fmt: skip
    sidecar = {i["id"]: i for i in doc.sidecar()["items"]}
    assert sidecar["a1"]["voters"] == ["alice", "bob", "carol"]
    assert sidecar["a1"]["votes"]["span"] == {'{"end": 7, "start": 0, "text": "Sadenov"}': ["alice", "bob"],
                                              '{"end": 11, "start": 0, "text": "Sadenov met"}': ["carol"]}  # fmt: skip
    accounted(doc, build_study(load_records([DATA / "adjudicate_majority" / "input"]))
              .docs[doc.document_id])  # fmt: skip


def test_majority_min_votes_three_leaves_minority_spans_open() -> None:
    # k = 3 of 3: Saudi (bob) and Thursday (alice) have 1 vote for, 2 against: neither side reaches 3
    # -> unresolved presence, not guessed; the claim was marked by all three (0-37, 0-37, 0-49) -> kept
    doc = result("adjudicate_majority", "majority", min_votes=3)
    presence = sorted(u["span"]["text"] for u in doc.unresolved if u["field"] == "presence")
    assert presence == ["Saudi", "Thursday"] and doc.rejected == []
    assert [spans(doc.gold["claims"])] == [[(0, 37)]]


def test_majority_ties_are_unresolved_never_guessed() -> None:
    doc = result("adjudicate_tie", "majority")
    # n = 2, k = 2: Riyadh marked by both but gpe vs location -> type tie; Thursday 1 of 2 -> presence tie
    assert sorted((u["span"]["text"], u["field"], json.dumps(u["votes"], sort_keys=True)) for u in doc.unresolved) == [
        ("Riyadh", "type", '{"gpe": ["alice"], "location": ["bob"]}'),
        ("Thursday", "presence", '{"marked": ["bob"], "not marked": ["alice"]}'),
    ]
    assert [e["type"] for e in doc.gold["entities"]] == ["person"]


def test_ground_truth_wins_its_document() -> None:
    doc = result("adjudicate_ground_truth", "ground-truth")
    gold = doc.gold
    assert validate_record(gold) == []
    # bob flagged ground_truth: his 2 entities and 1 event are gold; alice's Sadenov matches bob's (a vote for it);
    # alice's Thursday is not in bob's record -> rejected
    assert spans(gold["entities"]) == [(0, 7), (31, 37)] and len(gold["events"]) == 1
    assert [(r["span"]["text"], r["voters"]) for r in doc.rejected] == [("Thursday", ["alice"])]
    assert gold["provenance"]["strategy"] == "ground-truth" and gold["provenance"]["method"] == "adjudicated"
    assert doc.unresolved == []


def test_ground_truth_missing_leaves_everything_unresolved() -> None:
    records = load_records([DATA / "adjudicate_ground_truth" / "input"])
    for record in records:
        record["provenance"]["ground_truth"] = False
    doc = adj.ground_truth(records[0]["document_id"], {r["provenance"]["annotator"]: r for r in records})
    assert doc.gold is None and {u["field"] for u in doc.unresolved} == {"ground_truth"}
    assert len(doc.placed["unresolved"]) == 5  # 2 + 2 entities, 1 event: all of them


def test_accounting_error_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    # a strategy bug that forgets a span must stop adjudication, not write gold
    monkeypatch.setattr(adj._Document, "reject", lambda self, layer, unit, reason: None)
    with pytest.raises(ReconcileError, match="lost"):
        result("adjudicate_majority", "majority")


def test_write_gold_and_sidecar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    src = str(DATA / "adjudicate_majority" / "input")
    assert cli_main.main(["adjudicate", src, "--strategy", "majority", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (doc_id,) = [d["document_id"] for d in out["documents"]]
    gold_path = tmp_path / "annotations" / "gold" / f"{doc_id}.json"
    assert out["written"] == [str(gold_path)]
    gold = json.loads(gold_path.read_text())
    assert validate_record(gold) == [] and gold["provenance"]["method"] == "adjudicated"
    sidecar = json.loads((tmp_path / "annotations" / "adjudication" / f"{doc_id}.adjudication.json").read_text())
    assert {i["id"] for i in sidecar["items"]} == {"a1", "a2", "a4", "a5"} and len(sidecar["rejected"]) == 2
    # same again: identical gold is fine; a different strategy's gold needs --force
    assert cli_main.main(["adjudicate", src, "--strategy", "majority"]) == 0
    gold_path.write_text(json.dumps({**gold, "entities": gold["entities"][:1]}))
    assert cli_main.main(["adjudicate", src, "--strategy", "majority"]) == 1
    assert "--force" in capsys.readouterr().err
    assert cli_main.main(["adjudicate", src, "--strategy", "majority", "--force"]) == 0


def test_unresolved_documents_get_no_gold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    assert cli_main.main(["adjudicate", str(DATA / "adjudicate_tie" / "input"), "--strategy", "majority"]) == 0
    out = capsys.readouterr().out
    assert "Unresolved" in out and "location: bob" in out
    assert not (tmp_path / "annotations" / "gold").exists()


def test_the_cli_offers_exactly_the_registered_strategies(capsys: pytest.CaptureFixture) -> None:
    assert cli_main.main(["adjudicate", "--strategy", "no-such-strategy"]) == 2
    offered = capsys.readouterr().err.split("is not one of ")[1].rstrip().rstrip(".")
    assert offered == ", ".join(repr(name) for name in adj.STRATEGIES)


def test_adjudicate_then_validate_then_release_needs_no_hand_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    # the vote sidecars and the unresolved list used to land in annotations/gold/, where validate and
    # release read them as gold records ("missing required field 'record_type'") and refused the folder
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    src = DATA / "adjudicate_majority" / "input"
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "documents.jsonl").write_bytes((src / "documents.jsonl").read_bytes())
    assert cli_main.main(["adjudicate", str(src), "--strategy", "majority", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    gold = tmp_path / "annotations" / "gold"
    assert sorted(p.name for p in gold.iterdir()) == [Path(p).name for p in out["written"]]
    sidecars = tmp_path / "annotations" / "adjudication"
    assert sorted(str(p) for p in sidecars.iterdir()) == sorted(out["sidecars"])
    assert json.loads((sidecars / "unresolved.json").read_text())["unresolved"] == out["unresolved"]
    assert cli_main.main(["validate", str(gold)]) == 0
    capsys.readouterr()
    assert cli_main.main(["release", "0.1.0", "--json"]) == 0
    released = json.loads(capsys.readouterr().out)
    assert released["rows"]["documents"] == 1


def test_legacy_sidecars_in_the_gold_folder_are_not_read_as_gold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    # gold folders adjudicated by an earlier goldkit still hold <doc>.adjudication.json beside the gold
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    src = DATA / "adjudicate_majority" / "input"
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "documents.jsonl").write_bytes((src / "documents.jsonl").read_bytes())
    assert cli_main.main(["adjudicate", str(src), "--strategy", "majority"]) == 0
    for sidecar in (tmp_path / "annotations" / "adjudication").glob("*.adjudication.json"):
        sidecar.rename(tmp_path / "annotations" / "gold" / sidecar.name)
    capsys.readouterr()
    assert cli_main.main(["validate", str(tmp_path / "annotations" / "gold"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["files"] == 1


def _one_annotator(tmp_path: Path) -> Path:
    records = [json.loads(line) for line in (DATA / "adjudicate_majority" / "input" / "records.jsonl").open()]
    path = tmp_path / "alice.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records if r["provenance"]["annotator"] == "alice"))
    return path


def test_majority_over_one_annotator_is_refused_and_says_how_to_release_it_honestly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    # it used to write {"method": "adjudicated"} gold from one annotator (default min-votes n//2+1 = 1)
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    source = _one_annotator(tmp_path)
    assert cli_main.main(["adjudicate", str(source), "--strategy", "majority"]) == 1
    err = capsys.readouterr().err
    assert "one annotator" in err and "goldkit adjudicate --strategy single" in err
    assert not (tmp_path / "annotations" / "gold").exists()
    # the single pass, said to be one: the annotator's own provenance, strategy single_annotator
    assert cli_main.main(["adjudicate", str(source), "--strategy", "single", "--json"]) == 0
    (written,) = json.loads(capsys.readouterr().out)["written"]
    gold = json.loads(Path(written).read_text())
    source_record = json.loads(source.read_text())
    assert gold["provenance"] == {**source_record["provenance"], "strategy": "single_annotator"}
    assert gold["entities"] == source_record["entities"] and validate_record(gold) == []


def test_majority_leaves_a_document_with_one_annotator_unresolved(tmp_path: Path) -> None:
    # among documents with two annotators, one with a single annotator is neither gold nor refused
    records = load_records([DATA / "adjudicate_majority" / "input"])
    alone = [{**r, "document_id": "other"} for r in records if r["provenance"]["annotator"] == "alice"]
    report = adj.adjudicate(build_study(records + alone), "majority")
    by_doc = {d.document_id: d for d in report.documents}
    assert by_doc["other"].gold is None and by_doc["other"].items == []
    assert {u["field"] for u in by_doc["other"].unresolved} == {"annotators"}
    assert len(by_doc["other"].unresolved) == sum(len(alone[0][layer]) for layer in ("entities", "events", "claims"))
    assert by_doc[records[0]["document_id"]].gold is not None


def test_single_refuses_documents_with_several_annotators() -> None:
    doc = result("adjudicate_majority", "single")
    assert doc.gold is None and {u["field"] for u in doc.unresolved} == {"annotators"}


def test_gold_ids_survive_adjudicating_the_gold_round_trip_again() -> None:
    # majority used to renumber (c-meeting -> c1, ev-meeting-1 -> v1), breaking links made on gold ids
    records = load_records([DATA / "adjudicate_majority" / "input"])
    first = adj.adjudicate(build_study(records), "majority").documents[0].gold
    assert first is not None
    named = json.loads(json.dumps(first).replace('"a1"', '"sadenov"').replace('"a4"', '"ev-meeting-1"'))
    again = [{**named, "provenance": {"annotator": who, "method": "label_studio"}} for who in ("ann", "ben")]
    regold = adj.adjudicate(build_study(again), "majority").documents[0].gold
    assert regold is not None
    assert {layer: [i["id"] for i in regold[layer]] for layer in ("entities", "events", "claims")} == {
        layer: [i["id"] for i in named[layer]] for layer in ("entities", "events", "claims")}  # fmt: skip
    assert regold["claims"][0]["event"] == "ev-meeting-1" and regold["claims"][0]["claimant"]["entity"] == "sadenov"


def test_a_gold_id_taken_twice_falls_back_to_a_fresh_one() -> None:
    # two units whose voters used one id (alice's a1 is bob's b1 elsewhere): ids stay unique in the record
    records = load_records([DATA / "adjudicate_majority" / "input"])
    clash = json.loads(json.dumps(records).replace('"b2"', '"a1"').replace('"c2"', '"a1"'))
    gold = adj.adjudicate(build_study(clash), "majority").documents[0].gold
    assert gold is not None and validate_record(gold) == []
    ids = [i["id"] for layer in ("entities", "events", "claims") for i in gold[layer]]
    assert len(ids) == len(set(ids))
