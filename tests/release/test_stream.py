"""The streamed gold (release/stream.py): what a sharded release reads, chunk by chunk, equals the gold read whole."""

# ruff: noqa: F811  (pytest fixtures imported from release_fixtures are redefined as arguments)
from __future__ import annotations

import json
from pathlib import Path

import pytest
from release_fixtures import EN, FIXTURE, project  # noqa: F401

from goldkit.errors import InputError, ValidationError
from goldkit.jsonio import read_json, write_json
from goldkit.release import stream
from goldkit.release.build import ReleaseOptions, build_release
from goldkit.release.rows import load_gold
from goldkit.release.summary import HEAVY_FIELDS
from goldkit.release.tables import build_tables, record_tables

WITH_PULL = ReleaseOptions(annotations=FIXTURE / "pull")


def _files(release: Path) -> dict[str, bytes]:
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in sorted(release.rglob("*")) if p.is_file()}


def test_the_streamed_gold_is_the_gold_read_whole_less_the_records(project: Path) -> None:
    chunks: list[stream.Chunk] = []
    streamed = stream.stream_gold(WITH_PULL, chunks.append)
    whole = load_gold(WITH_PULL)
    assert streamed.records == [] and [record for chunk in chunks for record, _ in chunk] == whole.records
    assert [document for chunk in chunks for _, document in chunk] == [d for _, d in sorted(whole.documents.items())]
    assert streamed.summary == whole.summary and streamed.links == whole.links and streamed.pull == whole.pull
    assert streamed.linked == {d: r for d, r in whole.linked.items() if d in streamed.linked} and streamed.linked
    assert (streamed.pseudonyms, streamed.date, streamed.warnings) == (whole.pseudonyms, whole.date, whole.warnings)
    # the streamed documents keep their small fields; their texts were handed on with their chunk only
    for doc_id, document in whole.documents.items():
        assert streamed.documents[doc_id] == {k: v for k, v in document.items() if k not in HEAVY_FIELDS}
    assert list(streamed.documents) == list(whole.documents) and len(streamed.documents) == len(whole.documents)


def test_chunks_of_one_record_write_the_tables_of_the_whole_gold(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "CHUNK_RECORDS", 1)
    chunks: list[stream.Chunk] = []
    stream.stream_gold(WITH_PULL, chunks.append)
    assert len(chunks) == 2 and all(len(chunk) == 1 for chunk in chunks)
    pieces: dict[str, list] = {}
    for chunk in chunks:
        records, documents = [r for r, _ in chunk], [d for _, d in chunk]
        for config, table in record_tables(records, documents, keep_text=True):
            pieces.setdefault(config, []).extend(table.to_pylist())
    whole = dict(build_tables(load_gold(WITH_PULL), keep_text=True))
    assert pieces == {config: whole[config].to_pylist() for config in pieces}


def test_a_release_in_chunks_of_one_record_writes_the_same_bytes(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = build_release("1.0.0", ReleaseOptions(annotations=FIXTURE / "pull", out=tmp_path / "default"))
    monkeypatch.setattr(stream, "CHUNK_RECORDS", 1)
    one = build_release("1.0.0", ReleaseOptions(annotations=FIXTURE / "pull", out=tmp_path / "one"))
    assert _files(one.path) == _files(default.path)


def test_a_bad_record_stops_the_writing_and_every_problem_is_reported(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "CHUNK_RECORDS", 1)
    gold = project / "annotations" / "gold"
    first = min(p for p in gold.glob("*.json"))
    record = read_json(first)
    record["events"][0]["type"] = "party"
    write_json(first, record)
    (gold / "zz_not_a_document.json").write_text(json.dumps(record | {"document_id": "zz_nowhere"}), encoding="utf-8")
    chunks: list[stream.Chunk] = []
    with pytest.raises(ValidationError) as error:
        stream.stream_gold(ReleaseOptions(), chunks.append)
    assert chunks == []  # the first file was bad: nothing was handed on
    found = {(Path(p.path or "").name, p.pointer) for p in error.value.problems}
    assert (first.name, "/events/0/type") in found and ("zz_not_a_document.json", "/document_id") in found
    with pytest.raises(ValidationError):
        build_release("1.0.0", ReleaseOptions(out=project / "fresh" / "export"))
    assert not (project / "fresh" / "export").exists()  # a failed release leaves no export folder it made


def test_the_document_index_reads_a_document_again_from_its_place(tmp_path: Path) -> None:
    path = tmp_path / "documents.jsonl"
    rows = [
        {"id": "a", "text": "first text", "language": "en"},
        {"id": "b", "text": "zweiter Text ü", "language": "de"},
    ]
    path.write_text(json.dumps(rows[0]) + "\n\n" + json.dumps(rows[1], ensure_ascii=False) + "\n", encoding="utf-8")
    index = stream.DocumentIndex(path)
    assert list(index) == ["a", "b"] and "b" in index and "c" not in index and len(index) == 2
    assert index["b"] == rows[1] and index["a"] == rows[0]


def test_the_document_index_refuses_a_repeated_id_and_a_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "documents.jsonl"
    path.write_text('{"id": "a"}\n{"id": "a"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"documents.jsonl:2: document repeats id a"):
        stream.DocumentIndex(path)
    path.write_text('{"id": "a"}\n{"id": \n', encoding="utf-8")
    with pytest.raises(InputError, match=r"documents.jsonl:2: not valid JSON"):
        stream.DocumentIndex(path)
    with pytest.raises(InputError, match="no ingested documents"):
        stream.DocumentIndex(tmp_path / "missing.jsonl")


def test_a_record_of_the_english_document_is_in_a_chunk_with_its_text(project: Path) -> None:
    chunks: list[stream.Chunk] = []
    stream.stream_gold(ReleaseOptions(), chunks.append)
    (document,) = [d for chunk in chunks for r, d in chunk if r["document_id"] == EN]
    assert document["text"] and document["id"] == EN
