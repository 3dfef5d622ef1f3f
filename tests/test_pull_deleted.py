"""Annotations deleted in Label Studio on tasks that still exist: reported by full and since-last pulls.

Each pull here runs the steps pull.pull runs after the export (sort, count the unexported, reconcile
with the chain, write) on exports made from the golden convert cases, into one pulls folder, so each
pull's base is the one before it.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_pull import EMAILS, _annotation, _task, export

from goldkit import paths, pull, pulls, push
from goldkit.jsonio import iter_jsonl, read_json
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio.convert import record_to_results

EN, AR, EMOJI = 101, 102, 103  # export()'s tasks


def _pull(root: Path, n: int, tasks: list[dict[str, Any]], since_last: bool = False) -> pull.PullReport:
    """Pull number n of these exported tasks into root (since-last: only these tasks changed, every task exists)."""
    report = pull.PullReport(f"p{n}", root / f"p{n}", f"2026-01-0{n}T00:00:00+00:00", "http://ls.test", "1.23.2")
    base = pulls.latest_manifest(root)
    since_last_view = None
    if since_last:
        assert base is not None
        report.base, report.since = base["pull_id"], base["high_water"]
        since_last_view = pull.SinceLast(root, pull._parse_time(report.since))  # type: ignore[arg-type]
        since_last_view.note_changed(7, [t["id"] for t in tasks])
        total = sum(pull._ls_count(t) for t in tasks)
        since_last_view.unexported[7] = pull.Unexported({EN, AR, EMOJI}, total)
    out = pull.sort_annotations(
        report,
        [(7, "goldkit · en", tasks)],
        emails=EMAILS,
        since=since_last_view.since if since_last_view else None,
        seen_before=since_last_view.seen_before if since_last_view else None,
    )
    pull.count_unexported(report, out, since_last_view.unexported if since_last_view else {})
    pull.report_deleted(report, out, root)
    pull.reconcile(report, out)
    pull.write_pull(report, out)
    return report


def _after_deletions() -> list[dict[str, Any]]:
    """export() after: 5011 (quarantined) and 5012 (cancelled) deleted on the English task, 5002 (a record,
    the Arabic task's only annotation) deleted, 5003 (annotator1's emoji record) deleted and re-created as 5099."""
    tasks = export()
    english, _, emoji = tasks
    english["annotations"] = english["annotations"][:1]
    english["total_annotations"], english["cancelled_annotations"] = 1, 0
    arabic = _task("convert_arabic")
    recreated = _annotation("convert_emoji_crlf_rtl", 5099, 3, "2026-01-02T12:00:00Z")
    emoji["annotations"] = [recreated, emoji["annotations"][1]]
    return [english, arabic, emoji]


def _deleted(report: pull.PullReport) -> dict[int, dict[str, Any]]:
    manifest = read_json(report.folder / paths.MANIFEST_FILE)
    return {e["annotation_id"]: e for e in manifest["deleted_annotations"].get("7", [])}


def _record_annotations(report: pull.PullReport) -> list[int]:
    return sorted(r["provenance"]["ls_annotation"] for _, r in iter_jsonl(report.folder / paths.RECORDS_FILE))


def test_a_full_pull_reports_deleted_annotations_of_every_kind_and_keeps_a_lone_record(tmp_path: Path) -> None:
    # an annotation deleted on a task that still exists vanished from the next pull without a word
    first = _pull(tmp_path, 1, export())
    assert _deleted(first) == {} and _record_annotations(first) == [5001, 5002, 5003]
    second = _pull(tmp_path, 2, _after_deletions())
    deleted = _deleted(second)
    assert sorted(deleted) == [5002, 5003, 5011, 5012]
    assert deleted[5002] == {"task_id": AR, "annotation_id": 5002, "document_id": export()[1]["data"]["doc_id"],
                             "annotator": EMAILS[4], "was_cancelled": False, "record_kept": True,
                             "replaced_by": None, "from_pull": "p1"}  # fmt: skip
    assert (deleted[5003]["record_kept"], deleted[5003]["replaced_by"]) == (False, 5099)  # re-created: the new one
    assert (deleted[5011]["annotator"], deleted[5011]["record_kept"]) == (EMAILS[4], False)  # was quarantined
    assert (deleted[5012]["was_cancelled"], deleted[5012]["task_id"]) == (True, EN)  # a skip, deleted
    assert _record_annotations(second) == [5001, 5002, 5099]  # nothing the annotator submitted is lost
    assert second.total("kept_deleted") == 1 and second.total("annotations") == 3 and not second.deleted_tasks
    assert [a["id"] for line in read_json_lines(second) for a in line["annotations"]] == [5001, 5099, 5013]
    third = _pull(tmp_path, 3, _after_deletions())  # nothing changed: the kept record is kept (and named) again
    assert sorted(_deleted(third)) == [5002] and _deleted(third)[5002]["from_pull"] == "p2"
    assert _record_annotations(third) == [5001, 5002, 5099]


def read_json_lines(report: pull.PullReport) -> list[dict[str, Any]]:
    return [line for _, line in iter_jsonl(report.folder / paths.SEEN_FILE)]


def test_a_since_last_pull_reports_them_and_keeps_the_record_through_its_base(tmp_path: Path) -> None:
    _pull(tmp_path, 1, export())
    changed = _pull(tmp_path, 2, _after_deletions(), since_last=True)
    deleted = _deleted(changed)
    assert sorted(deleted) == [5002, 5003, 5011, 5012]
    assert (deleted[5002]["record_kept"], deleted[5003]["replaced_by"]) == (True, 5099)
    assert _record_annotations(changed) == [5001, 5099]  # the English task lost two: pulled whole, 5001 with it
    assert changed.total("kept_deleted") == 0  # kept through the base, not copied
    current = {r["provenance"]["ls_annotation"] for r in pulls.current_records(tmp_path)}
    assert current == {5001, 5002, 5099}  # the same records as the full pull gives
    again = _pull(tmp_path, 3, _after_deletions()[2:], since_last=True)  # the emoji task changed again
    assert _deleted(again) == {}  # what was reported is not reported again; 5002's task was not exported


def test_a_since_last_pull_pulls_a_task_whole_when_an_annotation_of_it_was_deleted(tmp_path: Path) -> None:
    # annotator1's newest emoji annotation 5003 deleted, their older 5013 left: 5013 is now their annotation,
    # though it is older than the mark (a since-last pull would count it unchanged and keep serving 5003)
    _pull(tmp_path, 1, export())
    tasks = export()
    emoji = tasks[2]
    emoji["annotations"] = emoji["annotations"][1:]
    emoji["total_annotations"] = 1
    changed = _pull(tmp_path, 2, [emoji], since_last=True)
    assert _record_annotations(changed) == [5013]
    assert (_deleted(changed)[5003]["replaced_by"], _deleted(changed)[5003]["record_kept"]) == (5013, False)
    current = {r["document_id"]: r["provenance"]["ls_annotation"] for r in pulls.current_records(tmp_path)
               if r["provenance"]["annotator"] == EMAILS[3]}  # fmt: skip
    assert current[emoji["data"]["doc_id"]] == 5013
    full = _pull(tmp_path, 3, [tasks[0], tasks[1], emoji])  # a full pull of the same state agrees
    assert 5013 in _record_annotations(full) and 5003 not in _record_annotations(full)


def test_a_cancelled_annotation_is_not_a_deleted_one(tmp_path: Path) -> None:
    # a skip is neither a record nor a quarantine line: only seen.jsonl knows it, so it must not look deleted
    _pull(tmp_path, 1, export())
    assert _deleted(_pull(tmp_path, 2, export())) == {}
    assert _deleted(_pull(tmp_path, 3, export()[:1], since_last=True)) == {}
    tasks = export()
    english = tasks[0]
    submitted = {
        "was_cancelled": False,
        "result": _annotation("convert_english", 0, 4, "")["result"],
        "updated_at": "2026-01-03T12:00:00Z",
    }  # the skip, submitted later
    english["annotations"][2] = {**english["annotations"][2], **submitted}
    english["total_annotations"], english["cancelled_annotations"] = 3, 0
    after = _pull(tmp_path, 4, [english], since_last=True)
    assert _deleted(after) == {} and 5012 in _record_annotations(after)


def test_the_chain_view_is_the_newest_pull_that_exported_each_task(tmp_path: Path) -> None:
    _pull(tmp_path, 1, export())
    _pull(tmp_path, 2, _after_deletions()[1:2], since_last=True)  # the Arabic task, now without annotations
    view = {line["task_id"]: (pull_id, [a["id"] for a in line["annotations"]]) for pull_id, line in
            pulls.chain_tasks(tmp_path)}  # fmt: skip
    assert view == {EN: ("p1", [5001, 5011, 5012]), AR: ("p2", []), EMOJI: ("p1", [5003, 5013])}
    assert [line["task_id"] for _, line in pulls.chain_tasks(tmp_path, {7: {AR}})] == [AR]


def test_current_records_streamed_are_the_chain_merged_as_before(tmp_path: Path) -> None:
    _pull(tmp_path, 1, export())
    tasks = export()
    tasks[0]["annotations"][0]["result"][0]["value"]["start"] = -1  # annotator1's English: now quarantined
    tasks[2]["annotations"][0]["lead_time"] = 99.0
    for task in tasks:
        for annotation in task["annotations"]:
            annotation["updated_at"] = "2026-01-02T00:00:00Z"
    _pull(tmp_path, 2, [tasks[0], tasks[2]], since_last=True)
    expected = _current_records_in_memory(tmp_path)
    assert list(pulls.iter_current_records(tmp_path)) == expected == pulls.current_records(tmp_path)
    assert len(expected) == 2  # the English record voided by its newer quarantine line


def _current_records_in_memory(root: Path) -> list[dict[str, Any]]:
    """The merge as current_records did it before it was streamed (every record held in a dict)."""
    current: dict[tuple[str, str, str], dict[str, Any] | None] = {}
    for folder in reversed(pulls.pull_chain(root)):
        for _, record in iter_jsonl(folder / paths.RECORDS_FILE):
            current[pulls.annotator_key(record)] = record
        for _, line in iter_jsonl(folder / paths.QUARANTINE_FILE):
            if line.get("document_id") and pulls.SECOND_ANNOTATION not in {r["reason"] for r in line["reasons"]}:
                current[(line["document_id"], line["annotator"], "label_studio")] = None
    return sorted((r for r in current.values() if r), key=pulls.annotator_key)


# ---------------------------------------------------------------- against the real Label Studio


@pytest.mark.integration
def test_deleted_annotations_on_the_real_server(ls_server: Any, tmp_path: Path) -> None:
    # Label Studio 1.23.2 stamps the task's updated_at and lowers its counters when an annotation is deleted,
    # one by one (DELETE /api/annotations/{id}) or by the data manager's "Delete annotations" action
    from test_pull import _documents, _gold, _small

    documents = [d for d in _documents() if _gold(d) is not None]  # the two seeds: one English, one Arabic
    prefix = f"deleted-{uuid.uuid4().hex[:6]}"
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    pushed = push.push(documents, client=admin, project_prefix=prefix)
    task_of = {doc: (p.project_id, task) for p in pushed.projects for doc, task in p.task_ids.items()}
    english, arabic = (d["id"] for d in sorted(documents, key=lambda d: d["language"] != "en"))
    first, second = (lsclient.connect(ls_server.url, a.token) for a in ls_server.annotators)
    gold = {d["id"]: record_to_results(_gold(d)) for d in documents}
    ids = {
        "first-en": first.annotations.create(id=task_of[english][1], result=gold[english]).id,
        "second-en": second.annotations.create(
            id=task_of[english][1], result=record_to_results(_small(_gold(documents[0]), 2))
        ).id,
        "first-ar": first.annotations.create(id=task_of[arabic][1], result=gold[arabic]).id,
        "second-ar-skip": second.annotations.create(id=task_of[arabic][1], result=[], was_cancelled=True).id,
    }
    base = pull.pull(client=admin, out_root=tmp_path, project_prefix=prefix)
    assert (base.total("valid"), base.total("cancelled"), base.deleted_annotations) == (3, 1, {})

    admin.annotations.delete(id=ids["first-en"])  # one by one
    admin.annotations.delete(id=ids["second-ar-skip"])  # a skip
    admin.annotations.delete(id=ids["first-ar"])  # deleted and made again
    recreated = first.annotations.create(id=task_of[arabic][1], result=gold[arabic]).id
    assert recreated not in ids.values()  # ids are not reused (SQLite AUTOINCREMENT, PostgreSQL sequences)
    http = admin._client_wrapper.httpx_client.httpx_client
    answer = http.post(f"{ls_server.url}/api/dm/actions", params={"id": "delete_tasks_annotations",
                       "project": task_of[english][0]},
                       json={"selectedItems": {"all": False, "included": [task_of[english][1]]},
                             "annotator": ls_server.annotators[1].user_id},
                       headers=admin._client_wrapper.get_headers())  # fmt: skip
    assert answer.status_code == 200 and answer.json()["processed_items"] == 1, answer.text

    changed = pull.pull(client=admin, out_root=tmp_path, since_last=True, project_prefix=prefix)
    deleted = {e["annotation_id"]: e for gone in changed.manifest()["deleted_annotations"].values() for e in gone}
    assert sorted(deleted) == sorted([ids["first-en"], ids["second-en"], ids["first-ar"], ids["second-ar-skip"]])
    emails = [a.email for a in ls_server.annotators]
    assert deleted[ids["first-en"]] | {"from_pull": None} == {
        "task_id": task_of[english][1], "annotation_id": ids["first-en"], "document_id": english,
        "annotator": emails[0], "was_cancelled": False, "record_kept": True, "replaced_by": None, "from_pull": None,
    }  # fmt: skip
    assert deleted[ids["second-en"]]["record_kept"] and deleted[ids["second-en"]]["annotator"] == emails[1]
    assert (deleted[ids["first-ar"]]["replaced_by"], deleted[ids["first-ar"]]["record_kept"]) == (recreated, False)
    assert deleted[ids["second-ar-skip"]]["was_cancelled"] and not deleted[ids["second-ar-skip"]]["record_kept"]
    assert sum(p.tasks_exported or 0 for p in changed.projects) == 2 and changed.total("annotations") == 1
    current = {(r["document_id"], r["provenance"]["annotator"]): r["provenance"]["ls_annotation"]
               for r in pulls.current_records(tmp_path)}  # fmt: skip
    assert current == {(english, emails[0]): ids["first-en"], (english, emails[1]): ids["second-en"],
                       (arabic, emails[0]): recreated}  # fmt: skip

    full = pull.pull(client=admin, out_root=tmp_path, project_prefix=prefix)  # reconciled with the chain
    assert (full.total("valid"), full.total("kept_deleted"), full.total("annotations")) == (1, 2, 1)
    kept = {e["annotation_id"]: e["record_kept"] for gone in full.manifest()["deleted_annotations"].values()
            for e in gone}  # fmt: skip
    assert kept == {ids["first-en"]: True, ids["second-en"]: True}
    records = [r for _, r in iter_jsonl(full.folder / paths.RECORDS_FILE)]
    assert {r["provenance"]["ls_annotation"] for r in records} == {ids["first-en"], ids["second-en"], recreated}


def test_the_mark_is_never_later_than_the_servers_clock_when_the_export_started() -> None:
    started = datetime(2026, 1, 2, 10, 0, 0, tzinfo=UTC)
    assert pull.capped_mark("2026-01-02T09:59:59.5Z", started) == "2026-01-02T09:59:59.5Z"
    assert pull.capped_mark("2026-01-02T10:00:00.25Z", started) == "2026-01-02T10:00:00.000000Z"
    assert pull.capped_mark(None, started) == "2026-01-02T10:00:00.000000Z"  # nothing seen: the start
    assert pull.capped_mark("2026-01-02T10:00:00.25Z", None) == "2026-01-02T10:00:00.25Z"


@pytest.mark.integration
def test_an_annotation_deleted_while_a_pull_runs_is_reported_by_the_next_since_last_pull(
    ls_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the mark was the newest annotation the pull saw: one made in a project exported later than a task whose
    # annotation was deleted meanwhile put the mark past that deletion, and no since-last pull looked again
    from test_pull import _documents, _gold

    from goldkit.labelstudio import export as lsexport

    monkeypatch.setattr(lsexport, "OVERLAP", timedelta(0))  # no window: only the mark decides
    documents = [d for d in _documents() if _gold(d) is not None]
    prefix = f"during-{uuid.uuid4().hex[:6]}"
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    pushed = push.push(documents, client=admin, project_prefix=prefix)
    task_in = {p.project_id: next(iter(p.task_ids.values())) for p in pushed.projects}
    first = lsclient.connect(ls_server.url, ls_server.annotators[0].token)
    by_task = {
        task: d for d in documents for p in pushed.projects for doc, task in p.task_ids.items() if doc == d["id"]
    }
    made = {task: first.annotations.create(id=task, result=record_to_results(_gold(by_task[task]))).id
            for task in task_in.values()}  # fmt: skip
    order = [pid for pid, _ in pull.goldkit_projects(admin, None, prefix)]  # the order pull exports them in
    early, late = task_in[order[0]], task_in[order[1]]
    state: dict[str, int] = {}

    def meanwhile(done: int, total: int | None) -> None:  # between the two projects' exports
        if done == 1:
            admin.annotations.delete(id=made[early])
            state["new"] = first.annotations.create(id=late, result=record_to_results(_gold(by_task[late]))).id

    base = pull.pull(client=admin, out_root=tmp_path, project_prefix=prefix, progress=meanwhile)
    assert state["new"] in {r["provenance"]["ls_annotation"] for _, r in iter_jsonl(base.folder / paths.RECORDS_FILE)}
    after = pull.pull(client=admin, out_root=tmp_path, since_last=True, project_prefix=prefix)
    deleted = [e["annotation_id"] for gone in after.manifest()["deleted_annotations"].values() for e in gone]
    assert deleted == [made[early]]


def test_a_records_head_gives_the_fields_the_chain_merge_needs_as_the_whole_record_does(tmp_path: Path) -> None:
    # the chain is merged by each line's first characters; only the records a pull needs are parsed whole
    report = pull.PullReport("p1", tmp_path / "p1", "2026-01-01T00:00:00+00:00", "http://ls.test", "1.23.2")
    records = pull.sort_annotations(report, [(7, "t", export())], emails=EMAILS).records
    review = {
        **records[0],
        "provenance": {
            "annotator": "rev@x",
            "method": "adjudicated",
            "annotators": ["a", "b"],
            "strategy": "review",
            "ls_project": 9,
            "ls_task": 4,
            "ls_annotation": 5,
        },
    }
    odd = {**records[1], "document_id": 'd"\\ ü\t1', "provenance": {**records[1]["provenance"], "annotator": "é@x"}}
    reordered = {"document_id": "d2", **{k: v for k, v in records[2].items() if k != "document_id"}}
    no_ids = {**records[2], "provenance": {"annotator": "x@y", "method": "label_studio", "note": "n"}}
    for record in [*records, review, odd, reordered, no_ids]:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        head = pulls._Pulled(line)
        prov = record["provenance"]
        assert head.key == (record["document_id"], prov["annotator"]) and head.method == prov["method"]
        assert head.ids == (prov.get("ls_project"), prov.get("ls_task"), prov.get("ls_annotation"))
        assert head.record() == record
    assert pulls._RECORD_HEAD.match(json.dumps(records[0], ensure_ascii=False)) is not None  # the fast path
