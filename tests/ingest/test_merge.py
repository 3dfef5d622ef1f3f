"""The streamed ingest (ingest.merge.ingest_into): the same file as ingest + merge_documents, in bounded memory."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from goldkit.errors import InputError
from goldkit.ingest import merge
from goldkit.ingest.documents import ingest, merge_documents

FIELDS = {"text": "body", "id": "guid", "language": "lang"}
WORDS = tuple(
    [
        "the",
        "minister",
        "said",
        "that",
        "the",
        "talks",
        "with",
        "the",
        "delegation",
        "of",
        "the",
        "other",
        "country",
        "were",
        "held",
        "in",
        "the",
        "capital",
    ]
)


def _dump(path: Path, rows: range, extra: str = "", size: int = 1) -> Path:
    """A JSONL dump: English paragraphs (over the header's 25 words, so no header), each row's its own."""
    with path.open("w", encoding="utf-8") as out:
        for number in rows:
            text = " ".join(WORDS * 3) + f" on day {number}{extra}. " + " ".join(WORDS[number % 7 :] * 6 * size) + ".\n"
            out.write(json.dumps({"guid": f"row-{number}", "body": text, "lang": "en"}) + "\n")
    return path


def _both(tmp_path: Path, paths: list[Path], before: Path | None = None, replace: bool = False) -> tuple[bytes, bytes]:
    """The documents file written by ingest + merge_documents and by ingest_into, from the same start."""
    written = []
    for name in ("held", "streamed"):
        out = tmp_path / f"{name}.jsonl"
        if before is not None:
            out.write_bytes(before.read_bytes())
        if name == "held":
            merge_documents(ingest(paths, fields=FIELDS).documents, out, replace=replace)
        else:
            merge.ingest_into(paths, out, fields=FIELDS, replace=replace)
        written.append(out.read_bytes())
    return written[0], written[1]


def test_the_streamed_ingest_writes_the_file_merge_documents_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(merge, "SPOOL_BYTES", 4_000)  # many sorted runs on disk, merged
    first = _dump(tmp_path / "first.jsonl", range(0, 60))
    held, streamed = _both(tmp_path, [first])
    assert held == streamed and held.count(b"\n") == 60
    before = tmp_path / "before.jsonl"
    before.write_bytes(held)
    second = _dump(tmp_path / "second.jsonl", range(40, 90))  # 20 texts again (same ids), 30 added, 40 kept
    held, streamed = _both(tmp_path, [second], before)
    assert held == streamed
    assert held.count(b"\n") == 90
    held, streamed = _both(tmp_path, [second], before, replace=True)  # only this run's
    assert held == streamed
    assert held.count(b"\n") == 50


def test_the_streamed_ingest_reports_what_it_merged(tmp_path: Path) -> None:
    first = _dump(tmp_path / "first.jsonl", range(0, 5))
    out = tmp_path / "documents.jsonl"
    merge.ingest_into([first], out, fields=FIELDS)
    run = merge.ingest_into([first, _dump(tmp_path / "second.jsonl", range(5, 7))], out, fields=FIELDS)
    assert len(run.merge.unchanged) == 5 and len(run.merge.added) == 2 and run.merge.kept == []
    assert [s["id"] for s in run.summaries] == sorted(s["id"] for s in run.summaries)
    assert run.summaries[0].keys() == {"id", "language", "title", "author", "published", "boilerplate"}
    assert run.ingest.documents == []  # in the file, not in memory


def test_a_changed_source_is_refused_and_nothing_written(tmp_path: Path) -> None:
    dump = _dump(tmp_path / "dump.jsonl", range(0, 3))
    out = tmp_path / "documents.jsonl"
    merge.ingest_into([dump], out, fields=FIELDS)
    before = out.read_bytes()
    _dump(dump, range(0, 3), extra=" again")
    with pytest.raises(InputError, match="changed since it was ingested") as caught:
        merge.ingest_into([dump], out, fields=FIELDS)
    assert {p.path for p in caught.value.facts["problems"]} == {"dump.jsonl"} and out.read_bytes() == before


def test_a_bad_record_writes_nothing(tmp_path: Path) -> None:
    dump = _dump(tmp_path / "dump.jsonl", range(0, 3))
    with dump.open("a", encoding="utf-8") as fh:
        fh.write('{"guid": "empty", "body": "", "lang": "en"}\n')
    out = tmp_path / "documents.jsonl"
    with pytest.raises(InputError, match="text field 'body'"):
        merge.ingest_into([dump], out, fields=FIELDS)
    assert not out.exists()


def _traced_peak(function: object, *args: object, **kwargs: object) -> int:
    tracemalloc.start()
    try:
        function(*args, **kwargs)  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_streamed_ingest_does_not_hold_the_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Traced peak of 2,000 records (~4 KB of text each) streamed: a small part of what they weigh as JSON,
    and of what holding them costs. What it holds per record is a summary (id, title, …), not the text."""
    monkeypatch.setattr(merge, "SPOOL_BYTES", 64_000)
    dump = _dump(tmp_path / "dump.jsonl", range(2_000), size=4)
    ingest([_dump(tmp_path / "warm.jsonl", range(3))], fields=FIELDS)  # imports and caches outside the tracing
    streamed = _traced_peak(merge.ingest_into, [dump], tmp_path / "streamed.jsonl", fields=FIELDS)
    written = (tmp_path / "streamed.jsonl").stat().st_size

    def held_path() -> None:
        merge_documents(ingest([dump], fields=FIELDS).documents, tmp_path / "held.jsonl")

    held = _traced_peak(held_path)
    assert (tmp_path / "held.jsonl").read_bytes() == (tmp_path / "streamed.jsonl").read_bytes()
    assert held > written  # holding them costs more than the file: what the streamed path avoids
    assert streamed < written / 3 and streamed < held / 8, (streamed, written, held)  # measured 1.6, 5.5, 18.3 MB
