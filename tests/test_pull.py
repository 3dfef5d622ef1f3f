"""pull: every annotation lands in records, quarantine or a count; written atomically; since-last.

Hermetic tests sort a full JSON export made from the golden convert cases; integration tests (marker
`integration`) push to the session's real Label Studio, annotate through the API as two annotators,
and pull.
"""

from __future__ import annotations

import copy
import json
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from goldkit import jsonio, paths, pull, pulls, push
from goldkit.cli.main import main
from goldkit.config import Annotator, ProjectConfig
from goldkit.errors import ReconcileError
from goldkit.jsonio import iter_jsonl, read_json
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio.convert import record_to_results

DATA = Path(__file__).parent / "data"
EMAILS = {3: "annotator1@goldkit.local", 4: "annotator2@goldkit.local"}


def _case(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    folder = DATA / name
    return tuple(json.loads((folder / f"{f}.json").read_text(encoding="utf-8")) for f in ("task", "annotation"))  # type: ignore[return-value]


def _task(name: str, *annotations: dict[str, Any]) -> dict[str, Any]:
    task, _ = _case(name)
    cancelled = sum(1 for a in annotations if a.get("was_cancelled"))
    return {**task, "annotations": list(annotations), "total_annotations": len(annotations) - cancelled,
            "cancelled_annotations": cancelled}  # fmt: skip


def _annotation(name: str, annotation_id: int, who: Any, updated_at: str, **changes: Any) -> dict[str, Any]:
    _, annotation = _case(name)
    return {**copy.deepcopy(annotation), "id": annotation_id, "completed_by": who, "updated_at": updated_at, **changes}


def export() -> list[dict[str, Any]]:
    """Three tasks: valid, broken offsets, cancelled, an id-only annotator, an annotator's second annotation."""
    broken = _annotation("convert_english", 5011, 4, "2025-12-20T11:00:00Z")
    broken["result"][0]["value"]["end"] = 10_000
    return [
        _task(
            "convert_english",
            _annotation("convert_english", 5001, 3, "2025-12-20T10:05:00Z"),
            broken,
            _annotation("convert_english", 5012, 4, "2025-12-20T12:00:00Z", was_cancelled=True, result=[]),
        ),
        _task("convert_arabic", _annotation("convert_arabic", 5002, 4, "2025-12-21T09:00:00.123456Z")),
        _task(
            "convert_emoji_crlf_rtl",
            _annotation("convert_emoji_crlf_rtl", 5003, 3, "2025-12-22T09:00:00Z"),
            _annotation("convert_emoji_crlf_rtl", 5013, 3, "2025-12-20T08:00:00Z"),  # older: second annotation
        ),
    ]


def _report(tmp_path: Path) -> pull.PullReport:
    return pull.PullReport("p1", tmp_path / "p1", datetime.now(UTC).isoformat(), "http://ls.test", "1.23.2")


def test_every_annotation_is_a_record_a_quarantine_line_or_cancelled(tmp_path: Path) -> None:
    report = _report(tmp_path)
    tasks = export()
    out = pull.sort_annotations(report, [(7, "goldkit · en", tasks)], emails=EMAILS)
    pull.reconcile(report, out)
    counts = report.projects[0]
    assert (counts.annotations, counts.valid, counts.quarantined, counts.cancelled) == (6, 3, 2, 1)
    assert sorted(r["provenance"]["ls_annotation"] for r in out.records) == [5001, 5002, 5003]
    assert {r["provenance"]["annotator"] for r in out.records} == set(EMAILS.values())
    lines = {q["annotation_id"]: q for q in out.quarantine}
    assert [r["reason"] for r in lines[5011]["reasons"]] == ["span_offsets"]
    assert [r["reason"] for r in lines[5013]["reasons"]] == [pulls.SECOND_ANNOTATION]
    assert lines[5011]["task_id"] == 101 and lines[5011]["reasons"][0]["region_id"] == "e1"
    assert lines[5011]["annotation"] == tasks[0]["annotations"][1]  # exactly as exported: nothing lost
    assert lines[5011]["annotator"] == EMAILS[4]
    assert report.reasons == {"span_offsets": 1, pulls.SECOND_ANNOTATION: 1}


def test_counts_that_do_not_add_up_raise_and_write_nothing(tmp_path: Path) -> None:
    report = _report(tmp_path)
    tasks = export()
    tasks[1]["total_annotations"] += 1  # Label Studio counts one the export did not give
    out = pull.sort_annotations(report, [(7, "goldkit · en", tasks)], emails=EMAILS)
    with pytest.raises(ReconcileError, match="project 7: Label Studio counts 7"):
        pull.reconcile(report, out)
    assert not report.folder.exists()


def test_write_is_complete_or_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report(tmp_path)
    out = pull.sort_annotations(report, [(7, "goldkit · en", export())], emails=EMAILS)
    pull.write_pull(report, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p1"]
    assert sorted(p.name for p in report.folder.iterdir()) == [
        paths.MANIFEST_FILE,
        paths.QUARANTINE_FILE,
        paths.RECORDS_FILE,
        paths.SEEN_FILE,
        paths.SPANS_FILE,
    ]
    records = [r for _, r in iter_jsonl(report.folder / paths.RECORDS_FILE)]
    assert [r["document_id"] for r in records] == sorted(r["document_id"] for r in records)
    spans = [r for _, r in iter_jsonl(report.folder / paths.SPANS_FILE)]
    assert spans == [pulls.span_digest(r) for r in records]  # line for line
    manifest = read_json(report.folder / paths.MANIFEST_FILE)
    assert manifest["counts"] | {"tasks": 0} == {
        "tasks": 0, "annotations": 6, "valid": 3, "quarantined": 2, "cancelled": 1, "unchanged": 0, "drafts": 0,
        "drafts_pulled": 0, "kept_deleted": 0,
    }  # fmt: skip
    assert manifest["label_studio"] == {"url": "http://ls.test", "version": "1.23.2"}
    assert manifest["high_water"] == "2025-12-22T09:00:00Z" and manifest["mode"] == "full"

    failing = _report(tmp_path)
    failing.pull_id, failing.folder = "p2", tmp_path / "p2"

    from goldkit import jsonio

    write = jsonio.atomic_write_text

    def disk_full(path: Path, text: str) -> None:  # the records and quarantine are written, the manifest fails
        if path.name == paths.MANIFEST_FILE:
            raise OSError("disk full")
        write(path, text)

    monkeypatch.setattr(jsonio, "atomic_write_text", disk_full)
    with pytest.raises(OSError):
        pull.write_pull(failing, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p1"]


def _many(batches: int) -> Iterator[tuple[int, str, list[dict[str, Any]]]]:
    """The export() tasks `batches` times over, as a streamed export gives them: new task and annotation ids,
    other annotators each time (so every record is kept), one batch at a time."""
    for b in range(batches):
        tasks = export()
        for t, task in enumerate(tasks):
            task["id"] = 1000 + 3 * b + t
            for annotation in task["annotations"]:
                who = annotation["completed_by"]
                annotation["id"] = annotation["id"] * 100_000 + b
                annotation["completed_by"] = {"id": who, "email": f"a{who}-{b}@goldkit.local"}
        yield 7, "goldkit · en", tasks


def test_a_pull_sorted_in_many_small_runs_writes_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = pull.sort_annotations(_report(tmp_path), _many(40), emails={})
    monkeypatch.setattr(jsonio, "RUN_BYTES", 4_000)  # a run every few records: the merge does the sorting
    spilled = pull.sort_annotations(_report(tmp_path), _many(40), emails={})
    assert spilled._records.runs > 10
    for name in (paths.RECORDS_FILE, paths.QUARANTINE_FILE):
        assert (spilled.folder / name).read_bytes() == (held.folder / name).read_bytes()
    records = spilled.records
    assert len(records) == 3 * 40 and spilled.written == (120, 80)  # per batch: 3 valid, broken + second
    assert records == sorted(records, key=lambda r: (r["document_id"], r["provenance"]["annotator"]))
    lines = spilled.quarantine
    assert [(q["task_id"], q["annotation_id"]) for q in lines] == sorted(
        (q["task_id"], q["annotation_id"]) for q in lines
    )


def test_pull_memory_does_not_grow_with_the_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the pull held every record, its task and raw annotation until the end: memory grew with the project
    monkeypatch.setattr(jsonio, "RUN_BYTES", 256 * 1024)
    monkeypatch.setattr(jsonio, "MERGE_FAN_IN", 4)
    pull.sort_annotations(_report(tmp_path), _many(2), emails={}).close()  # schema and converter loaded

    def peak(batches: int) -> tuple[int, int]:
        tracemalloc.start()
        out = pull.sort_annotations(_report(tmp_path), _many(batches), emails={})
        try:
            assert out.written[0] == 3 * batches
            written = sum((out.folder / name).stat().st_size for name in (paths.RECORDS_FILE, paths.QUARANTINE_FILE))
            return tracemalloc.get_traced_memory()[1], written
        finally:
            tracemalloc.stop()
            out.close()

    (small, _), (large, written) = peak(40), peak(400)  # ten times the export
    # holding the records and quarantine lines as Python objects takes several times their JSON text; what
    # still grows here is the converter's bounded caches of recurring strings (these ids and emails are new)
    assert large < 0.5 * written and large < 2 * small, (small, large, written)


def test_pulled_records_carry_the_roster_note_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the roster was stamped onto a copy read back from the spool, so no pulled record ever had its note
    roster = {EMAILS[3]: Annotator(EMAILS[3], "ai_assistant", "AI assistant acting as annotator A")}
    monkeypatch.setattr(pull, "project_config", lambda: ProjectConfig(name="t", annotators=roster))
    report = _report(tmp_path)
    pull.write_pull(report, pull.sort_annotations(report, [(7, "t", export())], emails=EMAILS))
    notes = {
        r["provenance"]["annotator"]: r["provenance"].get("note")
        for _, r in iter_jsonl(report.folder / paths.RECORDS_FILE)
    }
    assert notes == {EMAILS[3]: "ai assistant: AI assistant acting as annotator A", EMAILS[4]: None}


def test_since_keeps_only_annotations_updated_at_or_after_it(tmp_path: Path) -> None:
    report = _report(tmp_path)
    report.since, report.base = "2025-12-21T09:00:00.123456Z", "p0"
    since = datetime.fromisoformat("2025-12-21T09:00:00.123456+00:00")
    out = pull.sort_annotations(report, [(7, "t", export())], emails=EMAILS, since=since)
    counts = report.projects[0]
    assert (counts.valid, counts.quarantined, counts.cancelled, counts.unchanged) == (2, 0, 0, 4)
    assert sorted(r["provenance"]["ls_annotation"] for r in out.records) == [5002, 5003]  # 5002: exactly at the mark
    assert report.manifest()["mode"] == "since_last" and counts.balanced()


def test_latest_pull_is_the_newest_complete_manifest(tmp_path: Path) -> None:
    assert pulls.latest_manifest(tmp_path) is None
    for pull_id, stamp in (("a", "2025-12-20T10:00:00+00:00"), ("b", "2025-12-21T10:00:00+00:00")):
        (tmp_path / pull_id).mkdir()
        (tmp_path / pull_id / paths.MANIFEST_FILE).write_text(json.dumps({"pull_id": pull_id, "time": stamp}))
    (tmp_path / ".c.tmp").mkdir()  # a half-written pull is not a base
    (tmp_path / ".c.tmp" / paths.MANIFEST_FILE).write_text(
        json.dumps({"pull_id": "c", "time": "2030-01-01T00:00:00+00:00"})
    )
    assert pulls.latest_manifest(tmp_path)["pull_id"] == "b"


def test_current_records_merge_a_since_last_pull_over_its_base(tmp_path: Path) -> None:
    base = _report(tmp_path)
    pull.write_pull(base, pull.sort_annotations(base, [(7, "t", export())], emails=EMAILS))
    tasks = export()
    changed = tasks[0]["annotations"][0]  # annotator1, English: now with a broken offset -> quarantined
    changed["result"][0]["value"]["start"] = -1
    tasks[2]["annotations"][0]["lead_time"] = 99.0  # annotator1, emoji: edited, still valid
    delta = _report(tmp_path)
    delta.pull_id, delta.folder, delta.base = "p2", tmp_path / "p2", "p1"
    delta.time = "9999-01-01T00:00:00+00:00"  # newer than the base
    out = pull.sort_annotations(delta, [(7, "t", [tasks[0], tasks[2]])], emails=EMAILS)
    pull.write_pull(delta, out)
    current = {(r["document_id"], r["provenance"]["annotator"]): r for r in pulls.current_records(tmp_path)}
    english, arabic, emoji = (t["data"]["doc_id"] for t in export())
    assert (english, EMAILS[3]) not in current  # its newest version is in quarantine, the stale one is not served
    assert current[(emoji, EMAILS[3])]["provenance"]["lead_time"] == 99.0
    assert current[(arabic, EMAILS[4])]["provenance"]["ls_annotation"] == 5002  # from the base
    # what status reads: the same merge over the span digests, the same records cut to labels and offsets
    whole = pulls.current_records(tmp_path)
    assert list(pulls.iter_current_records(tmp_path, spans_only=True)) == [pulls.span_digest(r) for r in whole]
    assert all(pulls.spans_file(tmp_path / p).name == paths.SPANS_FILE for p in ("p1", "p2"))


def test_an_edited_records_file_is_read_itself_not_its_stale_span_digest(tmp_path: Path) -> None:
    report = _report(tmp_path)
    pull.write_pull(report, pull.sort_annotations(report, [(7, "t", export())], emails=EMAILS))
    path = report.folder / paths.RECORDS_FILE
    records = [r for _, r in iter_jsonl(path)]
    records[0]["entities"] = records[0]["entities"][:1]  # a hand edit: the digest no longer says what it holds
    jsonio.write_jsonl(path, records)
    assert pulls.spans_file(report.folder) == path
    assert list(pulls.iter_current_records(tmp_path, spans_only=True)) == records


# ---------------------------------------------------------------- against the real Label Studio


def _documents() -> list[dict[str, Any]]:
    from goldkit.ingest.documents import build_document, ingest
    from goldkit.paths import corpus_dir

    emoji = build_document("Emoji test 😀 in Astana\nThe minister 🇸🇦 said 12 officials met.\n", [], "emoji-test.txt")
    return ingest([corpus_dir()]).documents + [emoji]


def _gold(document: dict[str, Any]) -> dict[str, Any] | None:
    path = Path(__file__).parent.parent / "annotations" / "gold" / f"{document['id']}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _small(record: dict[str, Any], keep: int) -> dict[str, Any]:
    """A second annotator's sparser take: the first `keep` entities only, no events or claims."""
    return {**record, "entities": record["entities"][:keep], "events": [], "claims": []}


def _next_server_second() -> None:
    """Wait for the clock's second to turn: a pull's mark is capped at the server's `Date` header (whole
    seconds, rounded down), so a base pull in the same second as the newest annotation marks below it and
    the next since-last pull takes that second's annotations again (safe, not what these tests count)."""
    time.sleep(1.01 - time.time() % 1)


@pytest.fixture(scope="module")
def seeded(ls_server: Any) -> dict[str, Any]:
    """Push the corpus plus an emoji document under a fresh prefix; annotate through the API as two annotators."""
    prefix = f"pulltest-{uuid.uuid4().hex[:6]}"
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    documents = _documents()
    report = push.push(documents, client=admin, project_prefix=prefix)
    task_ids = {doc_id: tid for p in report.projects for doc_id, tid in p.task_ids.items()}
    first, second = (lsclient.connect(ls_server.url, a.token) for a in ls_server.annotators)
    created: dict[str, int] = {}
    for document in documents:
        gold = _gold(document)
        if gold is None:
            continue
        task_id = task_ids[document["id"]]
        created[f"first:{document['id']}"] = first.annotations.create(id=task_id, result=record_to_results(gold)).id
        second_result = record_to_results(_small(gold, 3))
        created[f"second:{document['id']}"] = second.annotations.create(id=task_id, result=second_result).id
    emoji = next(d for d in documents if d["id"].startswith("emoji-test"))
    text = emoji["text"]
    offsets = {"start": 0, "end": len(text) + 40, "text": "beyond the end", "labels": ["person"]}
    broken = [{"id": "bad1", "from_name": "entity", "to_name": "text", "type": "labels", "value": offsets}]
    created["broken"] = first.annotations.create(id=task_ids[emoji["id"]], result=broken).id
    created["cancelled"] = second.annotations.create(id=task_ids[emoji["id"]], result=[], was_cancelled=True).id
    return {"prefix": prefix, "admin": admin, "task_ids": task_ids, "created": created, "documents": documents,
            "annotators": ls_server.annotators, "url": ls_server.url, "api_key": ls_server.api_key}  # fmt: skip


@pytest.mark.integration
def test_pull_reconciles_two_annotators_quarantine_and_cancelled(seeded: dict[str, Any], tmp_path: Path) -> None:
    report = pull.pull(client=seeded["admin"], out_root=tmp_path, project_prefix=seeded["prefix"])
    assert report.total("annotations") == len(seeded["created"]) == 6
    assert (report.total("valid"), report.total("quarantined"), report.total("cancelled")) == (4, 1, 1)
    assert report.ls_version and report.ls_version.startswith("1.")
    records = [r for _, r in iter_jsonl(report.folder / paths.RECORDS_FILE)]
    emails = {a.email for a in seeded["annotators"]}
    assert {r["provenance"]["annotator"] for r in records} == emails
    documents = {d["id"]: d for d in seeded["documents"]}
    for record in records:
        text = documents[record["document_id"]]["text"]
        assert all(text[e["span"]["start"] : e["span"]["end"]] == e["span"]["text"] for e in record["entities"])
        if record["provenance"]["annotator"] == seeded["annotators"][0].email:
            gold = _gold(documents[record["document_id"]])
            assert {k: record[k] for k in ("entities", "events", "claims")} == {
                k: gold[k] for k in ("entities", "events", "claims")
            }
    quarantined = [q for _, q in iter_jsonl(report.folder / paths.QUARANTINE_FILE)]
    assert [q["annotation_id"] for q in quarantined] == [seeded["created"]["broken"]]
    reason = quarantined[0]["reasons"][0]
    assert (reason["reason"], reason["region_id"]) == ("span_offsets", "bad1")
    assert quarantined[0]["annotation"]["result"][0]["value"]["end"] > 40  # the raw annotation is kept


@pytest.mark.integration
def test_since_last_pulls_only_what_changed(seeded: dict[str, Any], tmp_path: Path) -> None:
    _next_server_second()
    base = pull.pull(client=seeded["admin"], out_root=tmp_path, project_prefix=seeded["prefix"])
    second = lsclient.connect(seeded["url"], seeded["annotators"][1].token)
    emoji = next(d for d in seeded["documents"] if d["id"].startswith("emoji-test"))
    text = emoji["text"]
    start = text.index("Astana")
    span = {"start": start, "end": start + len("Astana"), "text": "Astana", "labels": ["gpe"]}
    result = [{"id": "g1", "from_name": "entity", "to_name": "text", "type": "labels", "value": span}]
    new_id = second.annotations.create(id=seeded["task_ids"][emoji["id"]], result=result).id
    changed = pull.pull(client=seeded["admin"], out_root=tmp_path, since_last=True, project_prefix=seeded["prefix"])
    manifest = read_json(changed.folder / paths.MANIFEST_FILE)
    assert manifest["base"] == base.pull_id and manifest["since"] == base.high_water
    records = [r for _, r in iter_jsonl(changed.folder / paths.RECORDS_FILE)]
    assert [r["provenance"]["ls_annotation"] for r in records] == [new_id]
    assert records[0]["entities"][0]["span"]["text"] == "Astana"
    # the base's newest annotation is stamped exactly at the mark: pulled again rather than risk missing a twin
    assert changed.total("unchanged") == base.total("annotations") - 1
    assert changed.total("valid") + changed.total("quarantined") + changed.total("cancelled") == 2
    assert changed.total("annotations") == base.total("annotations") + 1


@pytest.mark.integration
def test_pull_cli_prints_a_summary_and_json(
    seeded: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", seeded["api_key"])
    args = ["pull", "--url", seeded["url"], "--project-prefix", seeded["prefix"]]
    assert main([*args, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert Path(answer["folder"]).parent == tmp_path / "annotations" / "pulls"
    assert answer["counts"]["quarantined"] >= 1 and answer["reasons"]["span_offsets"] >= 1
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "quarantined" in out and "span_offsets" in out and "wrote" in out


def test_a_task_whose_text_changed_is_quarantined_as_task_text_changed(tmp_path: Path) -> None:
    # a text edited in Label Studio used to pull as valid records (spans are checked against the task's own text)
    tasks = export()
    tasks[1]["data"]["text"] = tasks[1]["data"]["text"] + " "  # edited in Label Studio: sha256 no longer its hash
    report = _report(tmp_path)
    out = pull.sort_annotations(report, [(7, "goldkit · en", tasks)], emails=EMAILS)
    pull.reconcile(report, out)
    (line,) = [q for q in out.quarantine if q["annotation_id"] == 5002]
    assert [r["reason"] for r in line["reasons"]] == [pull.TASK_TEXT_CHANGED]
    assert line["annotation"] == tasks[1]["annotations"][0] and 5002 not in {
        r["provenance"]["ls_annotation"] for r in out.records}  # fmt: skip
    assert report.reasons[pull.TASK_TEXT_CHANGED] == 1


def test_a_task_consistent_with_itself_but_not_with_the_document_record_is_quarantined(tmp_path: Path) -> None:
    # a hand-made task reusing a real document id, with its own text and that text's sha256
    tasks = export()
    doc_id = tasks[1]["data"]["doc_id"]
    documents = {doc_id: {"id": doc_id, "sha256": "0" * 64}}
    report = _report(tmp_path)
    out = pull.sort_annotations(report, [(7, "goldkit · en", tasks)], emails=EMAILS, documents=documents)
    pull.reconcile(report, out)
    assert report.reasons[pull.TASK_TEXT_CHANGED] == 1
    untouched = _report(tmp_path)  # the same tasks against their true documents: nothing flagged
    truth = {t["data"]["doc_id"]: {"sha256": t["data"]["sha256"]} for t in export()}
    pull.sort_annotations(untouched, [(7, "goldkit · en", export())], emails=EMAILS, documents=truth)
    assert pull.TASK_TEXT_CHANGED not in untouched.reasons


def test_drafts_are_counted_in_the_manifest(tmp_path: Path) -> None:
    # drafts were neither pulled nor counted: an annotator's unsubmitted work went unseen
    tasks = export()
    tasks[0]["drafts"], tasks[2]["drafts"] = [71, 72], [73]
    report = _report(tmp_path)
    out = pull.sort_annotations(report, [(7, "goldkit · en", tasks)], emails=EMAILS)
    pull.reconcile(report, out)
    assert report.projects[0].drafts == 3 and report.manifest()["counts"]["drafts"] == 3


def test_a_task_whose_text_differs_from_the_document_text_is_quarantined_whatever_the_sha256s_say(
    tmp_path: Path,
) -> None:
    # only sha256 values were compared: a document record whose stored sha256 is the task's let an edit through
    tasks = export()
    task = tasks[1]
    doc_id, stored = task["data"]["doc_id"], task["data"]["sha256"]
    documents = {doc_id: {"id": doc_id, "sha256": stored, "text": task["data"]["text"].replace("،", ",", 1) + "!"}}
    report = _report(tmp_path)
    out = pull.sort_annotations(report, [(7, "goldkit · ar", tasks)], emails=EMAILS, documents=documents)
    pull.reconcile(report, out)
    assert report.reasons[pull.TASK_TEXT_CHANGED] == 1
    assert report.manifest()["text_changed_tasks"] == {"7": [task["id"]]}
    same = {doc_id: {"id": doc_id, "sha256": "0" * 64, "text": task["data"]["text"]}}  # the texts agree
    untouched = _report(tmp_path)
    pull.sort_annotations(untouched, [(7, "goldkit · ar", export())], emails=EMAILS, documents=same)
    assert pull.TASK_TEXT_CHANGED not in untouched.reasons and untouched.manifest()["text_changed_tasks"] == {}


def test_a_deleted_task_with_annotations_is_reported_and_its_records_kept(tmp_path: Path) -> None:
    # an annotation on a task deleted in Label Studio disappeared from the next pull without a word
    first = _report(tmp_path)
    out = pull.sort_annotations(first, [(7, "goldkit · en", export())], emails=EMAILS)
    previous = list(out.records)
    gone = export()[1]  # the Arabic task: its one record (annotation 5002) came from it
    report = _report(tmp_path)
    report.pull_id, report.folder = "p2", tmp_path / "p2"
    tasks = [t for t in export() if t["id"] != gone["id"]]
    out = pull.sort_annotations(report, [(7, "goldkit · en", tasks)], emails=EMAILS)
    pull.keep_deleted(report, out, [("p1", r) for r in previous], "p1")
    pull.reconcile(report, out)
    (entry,) = report.manifest()["deleted_tasks"]["7"]
    assert entry == {"task_id": gone["id"], "document_id": gone["data"]["doc_id"], "annotators": [EMAILS[4]],
                     "records_kept": 1, "from_pull": "p1"}  # fmt: skip
    assert report.manifest()["counts"]["kept_deleted"] == 1
    assert 5002 in {r["provenance"]["ls_annotation"] for r in out.records}
    pull.write_pull(report, out)
    assert 5002 in {r["provenance"]["ls_annotation"] for _, r in iter_jsonl(report.folder / paths.RECORDS_FILE)}
    kept = [r for _, r in iter_jsonl(report.folder / paths.RECORDS_FILE)]
    assert [r for _, r in iter_jsonl(report.folder / paths.SPANS_FILE)] == [pulls.span_digest(r) for r in kept]
    since = _report(tmp_path)  # a since-last pull keeps them through its base: named, not copied
    since.base, since.pull_id = "p1", "p3"
    out = pull.sort_annotations(since, [(7, "goldkit · en", tasks)], emails=EMAILS)
    pull.keep_deleted(since, out, [("p1", r) for r in previous], "p1")
    pull.reconcile(since, out)
    assert since.manifest()["deleted_tasks"]["7"][0]["task_id"] == gone["id"]
    assert 5002 not in {r["provenance"]["ls_annotation"] for r in out.records}


def _draft(draft_id: int, name: str, user: str, annotation: int | None = None) -> dict[str, Any]:
    _, whole = _case(name)
    return {"id": draft_id, "user": user, "result": whole["result"], "annotation": annotation, "lead_time": 4,
            "created_at": "2025-12-23T10:00:00Z", "updated_at": "2025-12-23T10:01:00Z"}  # fmt: skip


def test_drafts_pulled_on_request_are_draft_records_apart_from_the_records(tmp_path: Path) -> None:
    # drafts were only counted: `pull --drafts` brings them, marked as drafts, never into records.jsonl
    tasks = export()
    tasks[1]["drafts"] = [_draft(71, "convert_arabic", "drafter@goldkit.local")]
    bad = _draft(72, "convert_english", "drafter@goldkit.local")
    bad["result"][0]["value"]["end"] = 10_000
    tasks[0]["drafts"] = [bad]
    report = _report(tmp_path)
    report.drafts = True
    out = pull.sort_annotations(report, [(7, "goldkit · en", tasks)], emails=EMAILS)
    pull.reconcile(report, out)
    assert report.manifest()["counts"]["drafts"] == 2 and report.manifest()["counts"]["drafts_pulled"] == 1
    (draft,) = out.drafts
    assert draft["provenance"]["ls_draft"] == 71 and draft["provenance"]["ls_annotation"] is None
    assert draft["provenance"]["annotator"] == "drafter@goldkit.local"
    assert [q["annotation_id"] for q in out.draft_quarantine] == [72] and out.draft_quarantine[0]["draft"] is True
    assert 71 not in {r["provenance"]["ls_annotation"] for r in out.records} and len(out.records) == 3
    pull.write_pull(report, out)
    assert [r["provenance"]["ls_draft"] for _, r in iter_jsonl(report.folder / paths.DRAFTS_FILE)] == [71]
    records = pulls.current_records(tmp_path)
    assert all("ls_draft" not in r["provenance"] for r in records)
    _, with_drafts = pulls.records_from([report.folder], drafts=True)
    assert len(with_drafts) == len(records) + 1
    from goldkit.schema.validate import validate_record

    assert validate_record(draft, location="draft") == []


def test_duplicated_tasks_are_reported_in_the_manifest(tmp_path: Path) -> None:
    # two pushes at once used to leave every task twice, and no pull noticed
    tasks = export()
    twin = {**copy.deepcopy(tasks[1]), "id": 999, "annotations": [], "total_annotations": 0}
    report = _report(tmp_path)
    out = pull.sort_annotations(report, [(7, "goldkit · en", [*tasks, twin])], emails=EMAILS)
    pull.reconcile(report, out)
    doc_id = tasks[1]["data"]["doc_id"]
    assert report.manifest()["duplicate_tasks"] == {"7": {doc_id: sorted([tasks[1]["id"], 999])}}
    clean = _report(tmp_path)
    pull.sort_annotations(clean, [(7, "goldkit · en", export())], emails=EMAILS)
    assert clean.manifest()["duplicate_tasks"] == {}


def test_duplicated_tasks_are_found_across_sorted_runs_and_projects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the documents' task ids are sorted on disk (a pull holds no doc_id per task): with a run every few
    # rows, a document's tasks meet only in the merge
    monkeypatch.setattr(jsonio, "RUN_BYTES", 2_000)
    batches = []
    for b in range(30):
        tasks = []
        for t in range(3):
            task = {"id": 100 * b + t, "data": {"doc_id": f"doc-{(b * 3 + t) % 40:03d}"}, "annotations": []}
            tasks.append({**task, "total_annotations": 0})
        batches.append((7 + b % 2, "goldkit · en", tasks))
    report = _report(tmp_path)
    out = pull.sort_annotations(report, batches, emails=EMAILS)
    assert out._documents.runs > 5
    expected: dict[int, dict[str, list[int]]] = {}
    for project, _, tasks in batches:
        for task in tasks:
            expected.setdefault(project, {}).setdefault(task["data"]["doc_id"], []).append(task["id"])
    wanted = {p: {d: sorted(ids) for d, ids in docs.items() if len(ids) > 1} for p, docs in expected.items()}
    assert report.duplicate_tasks == {p: docs for p, docs in wanted.items() if docs} and report.duplicate_tasks


@pytest.mark.integration
def test_pull_removes_the_export_copies_the_embedded_server_keeps(
    ls_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every pull used to leave a full export copy in the server's data/export/ (24 MB after 12 pulls)
    documents = _documents()[:1]
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    prefix = f"copies-{uuid.uuid4().hex[:6]}"
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    pushed = push.push(documents, client=admin, project_prefix=prefix)
    (project_id,) = [p.project_id for p in pushed.projects]
    report = pull.pull(client=admin, out_root=tmp_path / "pulls", project_prefix=prefix, server_paths=ls_server.paths)
    assert report.export_copies_removed >= 1  # the server did write copies of this pull's export
    folder = ls_server.data_dir / "export"
    assert [p.name for p in folder.glob(f"project-{project_id}-at-*")] == []


@pytest.mark.integration
def test_drafts_edited_texts_and_deleted_tasks_on_the_real_server(
    ls_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a text edited in Label Studio pulled as valid records and re-push said "unchanged"; an annotation on a
    # deleted task vanished from the next pull unreported; drafts could not be pulled at all
    from goldkit.jsonio import write_jsonl

    documents = [d for d in _documents() if _gold(d) is not None]  # the two seeds: one English, one Arabic
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    write_jsonl(tmp_path / "annotations" / "documents.jsonl", documents)
    prefix = f"drift-{uuid.uuid4().hex[:6]}"
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    pushed = push.push(documents, client=admin, project_prefix=prefix)
    task_of = {doc: (p.project_id, task) for p in pushed.projects for doc, task in p.task_ids.items()}
    edited, deleted = (d["id"] for d in documents)
    first, second = (lsclient.connect(ls_server.url, a.token) for a in ls_server.annotators)
    for document in documents:
        first.annotations.create(id=task_of[document["id"]][1], result=record_to_results(_gold(document)))
    http = admin._client_wrapper.httpx_client.httpx_client  # drafts have no SDK call: the API the UI uses
    answer = http.post(f"{ls_server.url}/api/tasks/{task_of[deleted][1]}/drafts",
                       json={"result": record_to_results(_small(_gold(documents[1]), 2)), "lead_time": 3},
                       headers={"Authorization": f"Token {ls_server.annotators[1].token}"})  # fmt: skip
    assert answer.status_code in (200, 201), answer.text
    root = tmp_path / "annotations" / "pulls"

    before = pull.pull(client=admin, out_root=root, project_prefix=prefix, drafts=True)
    assert (before.total("valid"), before.total("drafts"), before.total("drafts_pulled")) == (2, 1, 1)
    (draft,) = [r for _, r in iter_jsonl(before.folder / paths.DRAFTS_FILE)]
    assert draft["document_id"] == deleted and draft["provenance"]["annotator"] == ls_server.annotators[1].email
    assert draft["provenance"]["ls_draft"] == answer.json()["id"] and len(draft["entities"]) == 2
    assert {r["provenance"]["annotator"] for r in pulls.current_records(root)} == {ls_server.annotators[0].email}

    task = admin.tasks.get(id=task_of[edited][1])
    admin.tasks.update(id=task.id, data={**task.data, "text": task.data["text"].replace("Riyadh", "Jeddah", 1)})
    admin.tasks.delete(id=task_of[deleted][1])
    after = pull.pull(client=admin, out_root=root, project_prefix=prefix)
    assert (after.total("valid"), after.total("quarantined"), after.total("kept_deleted")) == (0, 1, 1)
    assert after.reasons[pull.TASK_TEXT_CHANGED] == 1
    manifest = read_json(after.folder / paths.MANIFEST_FILE)
    assert manifest["text_changed_tasks"] == {str(task_of[edited][0]): [task_of[edited][1]]}
    (gone,) = manifest["deleted_tasks"][str(task_of[deleted][0])]
    assert (gone["task_id"], gone["document_id"], gone["records_kept"]) == (task_of[deleted][1], deleted, 1)
    assert gone["from_pull"] == before.pull_id
    assert [r["document_id"] for r in pulls.current_records(root)] == [deleted]  # kept; the edited one is not

    again = push.push(documents, client=admin, project_prefix=prefix)
    assert [c.doc_id for c in again.conflicts] == [edited]
    assert [d for p in again.projects for d in p.imported] == [deleted]  # its task is gone: pushed anew


def test_the_summary_warns_of_edited_texts_deleted_tasks_and_drafts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from goldkit.cli.reports import print_summary

    report = _report(tmp_path)
    tasks = export()
    tasks[0]["drafts"] = [71]
    out = pull.sort_annotations(report, [(7, "goldkit · en", tasks)], emails=EMAILS)
    report.text_changed_tasks = {7: [41]}
    report.deleted_tasks = {7: {42: {"task_id": 42, "document_id": "d", "annotators": ["a"], "records_kept": 2,
                                     "from_pull": "p0"}}}  # fmt: skip
    report.deleted_annotations = {7: {
        51: {"task_id": 43, "annotation_id": 51, "record_kept": True, "replaced_by": None},
        52: {"task_id": 43, "annotation_id": 52, "record_kept": False, "replaced_by": 53},
    }}  # fmt: skip
    pull.reconcile(report, out)
    print_summary(report)
    shown = " ".join(capsys.readouterr().out.split())
    assert "the text of task(s) 41 is not their document's" in shown and "task_text_changed" in shown
    assert "task(s) 42 were deleted in Label Studio; 2 record(s) of theirs kept from pull p0" in shown
    assert "1 draft(s) saved in Label Studio but not submitted: not pulled (goldkit pull --drafts)" in shown
    assert "annotation(s) 51, 52 were deleted in Label Studio; 1 record(s) of theirs kept, 1 replaced" in shown


def test_a_since_last_pull_counts_the_tasks_it_did_not_export_from_the_servers_counters(tmp_path: Path) -> None:
    report = _report(tmp_path)
    report.since, report.base = "2025-12-22T09:00:00Z", "p0"
    tasks = export()[2:]  # only the third task changed: 2 annotations exported
    out = pull.sort_annotations(
        report, [(7, "goldkit · en", tasks)], emails=EMAILS, since=pull._parse_time(report.since)
    )
    pull.count_unexported(report, out, {7: pull.Unexported({101, 102, 103, 104}, annotations=6)})
    pull.reconcile(report, out)
    counts = report.projects[0]
    assert (counts.tasks, counts.tasks_exported, counts.annotations) == (4, 1, 6)
    assert (counts.valid, counts.quarantined, counts.unchanged) == (1, 0, 5)  # 5013 is older: 1 + 4 not exported
    assert all(task in out.tasks_seen[7] for task in (101, 102, 103, 104))  # existing tasks are not reported deleted


@pytest.mark.integration
def test_since_last_exports_only_the_tasks_changed_and_reports_a_deleted_one(
    seeded: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from goldkit.labelstudio import export as lsexport

    monkeypatch.setattr(lsexport, "OVERLAP", timedelta(0))  # no window: exactly the tasks stamped since the mark
    admin = seeded["admin"]
    _next_server_second()
    base = pull.pull(client=admin, out_root=tmp_path, project_prefix=seeded["prefix"])
    tasks = base.total("tasks")
    second = lsclient.connect(seeded["url"], seeded["annotators"][1].token)
    plain = next(d for d in seeded["documents"] if not d["id"].startswith("emoji-test") and d["language"] == "en")
    start = plain["text"].index(plain["text"].split()[0])
    word = plain["text"].split()[0]
    span = {"start": start, "end": start + len(word), "text": word, "labels": ["gpe"]}
    result = [{"id": "s1", "from_name": "entity", "to_name": "text", "type": "labels", "value": span}]
    new_id = second.annotations.create(id=seeded["task_ids"][plain["id"]], result=result).id
    changed = pull.pull(client=admin, out_root=tmp_path, since_last=True, project_prefix=seeded["prefix"])
    exported = sum(p.tasks_exported or 0 for p in changed.projects)
    assert exported <= 2 < tasks and changed.total("tasks") == tasks  # the new one, and the task at the mark
    records = [r for _, r in iter_jsonl(changed.folder / paths.RECORDS_FILE)]
    assert new_id in [r["provenance"]["ls_annotation"] for r in records]
    assert changed.total("annotations") == base.total("annotations") + 1 and not changed.deleted_tasks
    gone = seeded["task_ids"][plain["id"]]
    admin.tasks.delete(id=gone)
    after = pull.pull(client=admin, out_root=tmp_path, since_last=True, project_prefix=seeded["prefix"])
    deleted = [t for ts in after.deleted_tasks.values() for t in ts]
    assert deleted == [gone] and after.total("tasks") == tasks - 1
