"""Offline link answers: the sheet shows a task as Label Studio does, and an answer becomes the browser's result."""

from __future__ import annotations

import re

import pytest
from test_link_tasks import _fixture

from goldkit.errors import ValidationError
from goldkit.links.sheet import _check, answer_result, shown_task
from goldkit.links.tasks import answer_to_link, build_tasks, link_label_config


def _task():
    docs, records, cand = _fixture()
    (task,) = build_tasks([cand], records, docs)
    return task


def test_the_sheet_shows_what_the_config_shows_and_no_ids() -> None:
    task = _task()
    shown = shown_task(4, task.data)
    assert shown["left"] == {"article": "EN", "language": "en", "direction": "ltr", "mention": "met",
                             "context": task.data["source_context"]}  # fmt: skip
    assert shown["right"]["direction"] == "rtl" and shown["right"]["context"].startswith("⟦التقى⟧")
    assert shown["why_proposed"] == "shared arguments: gpe.riyadh"
    config = link_label_config("event", "ltr", "rtl")
    assert f'value="{shown["question"]}"' in config
    assert [c["value"] for c in shown["choices"]] == re.findall(r'<Choice value="([^"]+)"', config)
    assert all(f'hint="{c["hint"]}"' in config for c in shown["choices"])
    assert f'placeholder="{shown["note"]}"' in config
    text = repr(shown)
    for hidden in (task.data["pair_id"], "ev1", "ev9", "en-1", "ar-1"):  # ids the annotator never sees
        assert hidden not in text


def test_an_offline_answer_is_the_result_a_browser_answer_has() -> None:
    task = _task()
    annotation = {"id": 9, "completed_by": {"id": 3, "email": "a@example.org"},
                  "result": answer_result("same_event", "  same day, same place ")}  # fmt: skip
    record, problems = answer_to_link({"id": 4, "data": task.data}, annotation)
    assert problems == [] and record is not None
    assert (record["relation"], record["note"]) == ("same_event", "same day, same place")
    assert answer_result("unrelated", " ") == answer_result("unrelated", None)  # an empty note is no note


def test_every_problem_of_an_answer_file_is_reported_before_anything_is_submitted() -> None:
    task = _task()
    tasks = {4: {"id": 4, "data": task.data}}
    assert _check({"4": {"choice": "cannot_tell", "note": "x"}}, tasks) == {4: ("cannot_tell", "x")}
    with pytest.raises(ValidationError) as caught:
        _check({"4": {"choice": "supports"}, "5": {"choice": "unrelated"}, "x": "unrelated"}, tasks)
    found = {(p.pointer, p.got) for p in caught.value.problems}
    assert found == {("/4/choice", "supports"), ("/5", "5"), ("/x", "x")}
