"""`goldkit evaluate` through the real entry point: perfect and shifted systems, both formats, bad files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from goldkit.cli.main import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "release"))
from release_fixtures import project  # noqa: E402, F401 - a fixture

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "export" / "1.0.0"


def _release_rows(release: Path) -> list[dict]:
    return [row for c in ("entities", "events", "claims", "links") for row in pq.read_table(release / c).to_pylist()]


def _write(path: Path, objects: list[dict]) -> Path:
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8")
    return path


def _evaluate(capsys, *args: str) -> tuple[int, dict]:
    code = main(["evaluate", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def _all_figures(result: dict) -> list[float | None]:
    figures = [
        s[k]
        for section in ("spans", "arguments", "links")
        for s in result[section]
        for k in ("precision", "recall", "f1")
    ]
    figures += [a[k] for a in result["attributes"] if a["pairs"] for k in ("accuracy", "macro_f1")]
    figures += [
        result["coreference"][m][k] for m in ("muc", "b_cubed", "ceaf_e") for k in ("recall", "precision", "f1")
    ]
    return figures + [result["coreference"]["conll"]["f1"]]


def test_the_release_itself_scores_one_everywhere(tmp_path, capsys):
    predictions = _write(tmp_path / "perfect.jsonl", _release_rows(COMMITTED))
    code, result = _evaluate(capsys, str(predictions), "--release", str(COMMITTED))
    assert code == 0
    assert result["formats"] == ["rows"] and result["lines"] == 265
    assert {s["layer"] for s in result["spans"]} == {"entities", "events", "claims"}
    assert set(_all_figures(result)) == {1.0}


def test_gold_records_score_one_against_the_release_built_from_them(project, tmp_path, capsys):  # noqa: F811
    assert main(["release", "1.0.0"]) == 0
    capsys.readouterr()
    records = [json.loads(p.read_text()) for p in sorted((project / "annotations" / "gold").glob("*.json"))]
    links_file = project / "annotations" / "gold" / "links.jsonl"
    links = [json.loads(line) for line in links_file.read_text().splitlines()] if links_file.exists() else []
    predictions = _write(tmp_path / "records.jsonl", records + links)
    code, result = _evaluate(capsys, str(predictions), "--release", "1.0.0")
    assert code == 0 and result["formats"] == ["records"]
    assert set(_all_figures(result)) == {1.0}


def test_shifted_spans_fail_exact_and_pass_overlap(tmp_path, capsys):
    rows = _release_rows(COMMITTED)
    for row in rows:
        if "span" in row and "type" in row and "trigger" not in row:  # entity rows only
            span = row["span"]
            span["start"] += 1 if span["end"] - span["start"] > 1 else 0
            span["end"] += 0 if span["end"] - span["start"] > 1 else 1
    code, result = _evaluate(capsys, str(_write(tmp_path / "shifted.jsonl", rows)), "--release", str(COMMITTED))
    assert code == 0
    entities = {s["mode"]: s for s in result["spans"] if s["layer"] == "entities" and s["label"] == "*"}
    assert (entities["exact"]["matched"], entities["exact"]["f1"]) == (0, 0.0)
    assert (entities["overlap"]["matched"], entities["overlap"]["f1"]) == (111, 1.0)
    others = [s["f1"] for s in result["spans"] if s["layer"] != "entities"]
    assert set(others) == {1.0}
    arguments = {s["mode"]: s["f1"] for s in result["arguments"] if s["label"] == "*"}
    assert arguments == {"exact": 0.0, "overlap": 1.0}  # arguments are located by their entity's span


def test_config_narrows_the_report(tmp_path, capsys):
    predictions = _write(tmp_path / "p.jsonl", _release_rows(COMMITTED))
    code, result = _evaluate(capsys, str(predictions), "--release", str(COMMITTED), "--config", "claims")
    assert code == 0
    assert {s["layer"] for s in result["spans"]} == {"claims"}
    assert result["links"] == [] and result["coreference"] == {} and result["arguments"] == []
    assert {a["layer"] for a in result["attributes"]} == {"claims"}


def test_a_bad_file_gets_every_problem_with_its_line(tmp_path, capsys):
    rows = _release_rows(COMMITTED)[:3]
    doc = rows[0]["document_id"]
    lines = [json.dumps(rows[0]), "{not json", json.dumps([1, 2]), json.dumps({"foo": 1})]
    lines.append(json.dumps({**rows[1], "span": {"start": 5, "end": 10**6}}))
    lines.append(json.dumps({**rows[2], "type": "spaceship"}))
    lines.append(json.dumps({**rows[2], "id": "x", "document_id": "nope"}))
    lines.append(json.dumps({"relation": "same_event", "source": {"document_id": doc, "id": "ghost"},
                             "target": {"document_id": doc, "id": rows[0]["id"]}}))  # fmt: skip
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["evaluate", str(path), "--release", str(COMMITTED)])
    err = capsys.readouterr().err
    assert code == 1
    for lineno, words in [
        (2, "not valid JSON"),
        (3, "one JSON object"),
        (4, "not a prediction in a known format"),
        (5, "out of range"),
        (6, "unknown EntityType value"),
        (7, "no such document"),
        (8, "no predicted event or claim"),
    ]:
        assert any(f"bad.jsonl:{lineno}:" in line and words in line for line in err.splitlines()), (lineno, err)
    assert "bad.jsonl:1:" not in err
    assert "nothing was scored" in err


def test_a_missing_file_and_an_unknown_release(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path / "none.jsonl"), "--release", str(COMMITTED)]) == 1
    assert "no such file" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path / "none.jsonl"), "--release", "9.9.9"]) == 1
    assert "no release" in capsys.readouterr().err


@pytest.mark.parametrize("config", ["documents", "bogus"])
def test_unknown_config_is_refused(tmp_path, capsys, config):
    predictions = _write(tmp_path / "p.jsonl", _release_rows(COMMITTED)[:1])
    assert main(["evaluate", str(predictions), "--release", str(COMMITTED), "--config", config]) == 1
    assert "unknown config" in capsys.readouterr().err


def test_the_preannotators_output_is_scored_against_the_release(tmp_path, capsys):
    out = tmp_path / "rules.jsonl"
    assert main(["preannotate", "--out", str(out), "--json"]) == 0
    capsys.readouterr()
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    code, result = _evaluate(capsys, str(out), "--release", str(COMMITTED))
    assert code == 0 and result["formats"] == ["records"]
    rows = {(s["layer"], s["label"], s["mode"]): s for s in result["spans"]}
    released = {c: pq.read_table(COMMITTED / c).num_rows for c in ("entities", "claims")}
    for layer in ("entities", "claims"):
        exact, overlap = rows[(layer, "*", "exact")], rows[(layer, "*", "overlap")]
        assert exact["gold"] == released[layer]
        assert exact["predicted"] == sum(len(r[layer]) for r in records if r["document_id"] in result["documents"])
        assert 0 < exact["matched"] <= overlap["matched"] <= min(exact["gold"], exact["predicted"])
