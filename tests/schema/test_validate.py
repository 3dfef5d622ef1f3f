"""goldkit.schema.validate: a good fixture passes; each negative case (one thing broken) gives exactly its problems."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from goldkit.cli import main as cli_main
from goldkit.errors import InputError, ValidationError
from goldkit.jsonio import read_records
from goldkit.schema.fastcheck import Unsupported, compile_definition
from goldkit.schema.loading import label_values, load_schema
from goldkit.schema.validate import (
    ensure_valid,
    record_checks,
    validate_links,
    validate_paths,
    validate_record,
)

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = DATA / "validate_good"
NEGATIVE = DATA / "validate_negative"
CASES = sorted(p.name for p in NEGATIVE.iterdir() if p.is_dir())
EN_FILE = next(GOOD.glob("gold/oman_jordan_en-*.json"))
AR_FILE = next(GOOD.glob("gold/oman_jordan_ar-*.json"))


@pytest.fixture(autouse=True)
def _empty_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No default documents file and no gold folder unless a test makes them."""
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    return tmp_path


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _documents() -> dict[str, dict[str, Any]]:
    return {doc["id"]: doc for _, doc in read_records(GOOD / "documents.jsonl")}


def _case_inputs(folder: Path) -> list[Path]:
    return [folder / "documents.jsonl", folder / "gold"]


def _file_name(location: str | None) -> str:
    assert location is not None
    return Path(location.split(":")[0].split("[")[0]).name


def test_good_fixture_has_no_problem() -> None:
    report = validate_paths(_case_inputs(GOOD))
    assert report.problems == []
    assert report.checked == {"document": 2, "annotation": 2, "link": 2}
    assert report.files == 4


def test_there_are_enough_negative_cases() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES)
def test_negative_case_breaks_one_file(case: str) -> None:
    """Each case is a copy of the good fixture with one file changed."""
    expected = _read(NEGATIVE / case / "expected.json")
    changed = [
        str(path.relative_to(GOOD))
        for path in sorted(GOOD.rglob("*"))
        if path.is_file() and path.read_bytes() != (NEGATIVE / case / path.relative_to(GOOD)).read_bytes()
    ]
    assert changed == [expected["broken"]]


@pytest.mark.parametrize("case", CASES)
def test_negative_case_reports_its_problems(case: str) -> None:
    expected = _read(NEGATIVE / case / "expected.json")["problems"]
    problems = validate_paths(_case_inputs(NEGATIVE / case)).problems
    got = sorted((_file_name(p.path), p.pointer, p.message) for p in problems)
    assert len(got) == len(expected), got
    for want in expected:
        matches = [g for g in got if g[:2] == (Path(want["file"]).name, want["pointer"])]
        assert matches, f"no problem at {want['pointer']} in {want['file']}: {got}"
        assert any(want["message"] in message for _, _, message in matches), matches


def test_label_error_reads_like_label_studio() -> None:
    record = _read(EN_FILE)
    record["claims"][1]["modality"] = "hedge"
    [problem] = validate_record(record)
    allowed = label_values("Modality")
    assert problem.message == f"'hedge' is not a Modality; allowed: {allowed}"
    assert (problem.pointer, problem.got, problem.expected) == ("/claims/1/modality", "hedge", allowed)


def test_text_checks_need_the_document() -> None:
    record = _read(EN_FILE)
    record["entities"][0]["span"]["end"] = 999
    assert validate_record(record) == []
    document = _documents()[record["document_id"]]
    [problem] = validate_record(record, document, location="here.json")
    assert (problem.path, problem.pointer, problem.got) == ("here.json", "/entities/0/span/end", 999)


def test_record_checked_against_another_document() -> None:
    record = _read(EN_FILE)
    other = next(doc for doc_id, doc in _documents().items() if doc_id != record["document_id"])
    pointers = {p.pointer for p in validate_record(record, other)}
    assert {"/document_id", "/document_sha256"} <= pointers


def test_unknown_record_type_lists_the_known_ones() -> None:
    [problem] = validate_record({"record_type": "annotations"})
    assert problem.pointer == "/record_type"
    assert problem.expected == sorted(record_checks())
    [problem] = validate_record(["not", "an", "object"])
    assert problem.expected == "object"


def test_older_schema_major_says_to_convert() -> None:
    record = _read(EN_FILE)
    record["schema_version"] = "0.9.0"
    [problem] = validate_record(record)
    assert problem.pointer == "/schema_version" and "convert the records" in problem.message


def test_ensure_valid_raises_with_every_problem() -> None:
    record = _read(EN_FILE)
    assert ensure_valid(record) is record
    record["claims"][1]["modality"] = "hedge"
    record["events"][0]["arguments"][0]["entity"] = "e99"
    with pytest.raises(ValidationError) as caught:
        ensure_valid(record, location="x.json")
    assert sorted(p.pointer for p in caught.value.problems) == ["/claims/1/modality", "/events/0/arguments/0/entity"]


def test_validate_links_without_locations_points_into_the_list() -> None:
    links = [record for _, record in read_records(GOOD / "gold" / "links.jsonl")]
    records = {r["document_id"]: r for r in (_read(EN_FILE), _read(AR_FILE))}
    assert validate_links(links, records) == []
    links = copy.deepcopy(links)
    links[1]["target"]["id"] = "c99"
    [problem] = validate_links(links, records)
    assert problem.pointer == "/1/target/id" and problem.path is None


def test_annotation_without_its_document_is_reported() -> None:
    report = validate_paths([GOOD / "gold"])
    assert {(p.pointer, _file_name(p.path)) for p in report.problems} == {
        ("/document_id", EN_FILE.name),
        ("/document_id", AR_FILE.name),
    }


def test_documents_and_gold_come_from_the_project(_empty_root: Path) -> None:
    annotations = _empty_root / "annotations"
    shutil.copytree(GOOD / "gold", annotations / "gold")
    shutil.copy(GOOD / "documents.jsonl", annotations / "documents.jsonl")
    assert validate_paths([annotations / "gold" / "links.jsonl"]).problems == []
    assert validate_paths([annotations / "gold"]).problems == []


def test_missing_paths_and_documents_file_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        validate_paths([tmp_path / "nope"])
    with pytest.raises(InputError):
        validate_paths([GOOD / "gold"], documents_path=tmp_path / "documents.jsonl")


def _all_fixture_records() -> list[dict[str, Any]]:
    records = []
    for folder in [GOOD, *(NEGATIVE / case for case in CASES)]:
        for path in sorted(folder.rglob("*.json*")):
            if path.name != "expected.json":
                records += [record for _, record in read_records(path)]
    return records


def test_fast_check_agrees_with_jsonschema() -> None:
    """The fast path may only say "valid" when jsonschema does; checked on every fixture and mutations."""
    records = _all_fixture_records()
    mutated = copy.deepcopy(records[:6])
    for record in mutated:
        record["schema_version"] = 1
        record["extra"] = True
    checks = record_checks()
    for record in records + mutated:
        check = checks[record["record_type"]]
        assert check.quick is not None
        assert check.quick(record) == check.full.is_valid(record), record


def test_fast_check_refuses_keywords_it_does_not_know() -> None:
    schema = copy.deepcopy(load_schema())
    schema["$defs"]["Span"]["properties"]["text"]["maxLength"] = 10
    with pytest.raises(Unsupported):
        compile_definition(schema, "Annotation")


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The real entry point, with only this stage's commands registered (others may be half-done)."""
    return cli_main.main


def test_cli_clean_exits_0(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["validate", str(GOOD)]) == 0
    out = capsys.readouterr().out
    assert "2 document(s), 2 annotation(s), 2 link(s)" in out and "0 problem(s)" in out


def test_cli_problems_exit_1_with_table(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    case = NEGATIVE / "role_not_allowed"
    assert cli(["validate", *map(str, _case_inputs(case))]) == 1
    out = capsys.readouterr().out
    assert "/events/0/arguments/0/role" in out and "1 problem(s)" in out


def test_cli_json(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    case = NEGATIVE / "same_event_between_claims"
    code = cli(["validate", str(case / "gold"), "--documents", str(case / "documents.jsonl"), "--json"])
    assert code == 1
    result = json.loads(capsys.readouterr().out)
    assert result["checked"] == {"document": 0, "annotation": 2, "link": 2}
    assert sorted(p["pointer"] for p in result["problems"]) == ["/source/id", "/target/id"]
    assert all(p["expected"] == ["event"] and p["path"].endswith("links.jsonl:2") for p in result["problems"])


def test_cli_missing_path_exits_1(cli: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli(["validate", str(tmp_path / "nope")]) == 1
    assert "no such file or folder" in " ".join(capsys.readouterr().err.split())


def test_an_article_file_is_not_a_record_file_and_the_error_says_what_to_run(capsys) -> None:  # type: ignore[no-untyped-def]
    from goldkit.cli.main import main

    article = Path(__file__).resolve().parents[2] / "corpus" / "000_a681de6f3d5f1a0d.txt"
    assert main(["validate", str(article)]) == 1
    err = capsys.readouterr().err
    assert "reads record files" in err and "goldkit ingest" in err
