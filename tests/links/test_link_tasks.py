"""Link tasks: generated config, task data, and answers converted to link records."""

from __future__ import annotations

import pytest
from label_studio_sdk.label_interface import LabelInterface

from goldkit.links.candidates import Candidate, MentionRef
from goldkit.links.tasks import answer_to_link, build_tasks, context, direction, link_label_config, pair_id
from goldkit.schema.loading import link_relations_for


@pytest.mark.parametrize("kind", ["event", "claim"])
def test_config_offers_exactly_the_schema_relations_for_the_kind(kind):
    xml = link_label_config(kind, "ltr", "rtl")
    interface = LabelInterface(xml)
    assert interface.get_control("relation").labels == link_relations_for(kind)
    assert "direction: ltr" in xml and "direction: rtl" in xml
    assert "HyperText" not in xml


def test_direction_and_context():
    assert direction("ar") == "rtl" and direction("en") == "ltr" and direction("en-GB") == "ltr"
    text = "first line\nThe ministers met in Riyadh on Thursday.\nlast"
    start = text.index("met")
    assert context(text, start, start + 3, width=8) == "…nisters ⟦met⟧ in Riya…"
    # context never crosses a line end
    assert context(text, start, start + 3) == "The ministers ⟦met⟧ in Riyadh on Thursday."


def _fixture():
    docs = {
        "en-1": {"language": "en", "title": "EN", "text": "The ministers met in Riyadh."},
        "ar-1": {"language": "ar", "title": "AR", "text": "التقى الوزيران في الرياض."},
    }
    trig_en = {"start": 14, "end": 17, "text": "met"}
    trig_ar = {"start": 0, "end": 5, "text": "التقى"}
    records = {
        "en-1": {"document_id": "en-1", "events": [{"id": "ev1", "trigger": trig_en}], "claims": []},
        "ar-1": {"document_id": "ar-1", "events": [{"id": "ev9", "trigger": trig_ar}], "claims": []},
    }
    cand = Candidate(
        "event", MentionRef("en-1", "ev1"), MentionRef("ar-1", "ev9"), 1.0, ["shared arguments: gpe.riyadh"]
    )
    return docs, records, cand


def test_tasks_carry_both_mentions_and_directions():
    docs, records, cand = _fixture()
    (task,) = build_tasks([cand], records, docs)
    assert (task.source_dir, task.target_dir) == ("ltr", "rtl")
    assert task.data["source_mention"] == "met" and task.data["target_mention"] == "التقى"
    assert task.data["target_context"].startswith("⟦التقى⟧")
    assert task.data["pair_id"] == pair_id("event", cand.source, cand.target)
    assert task.data["reasons"] == "shared arguments: gpe.riyadh"


def _answer(*choices, note=None):
    result = [{"from_name": "relation", "to_name": "source", "type": "choices", "value": {"choices": list(choices)}}]
    if note:
        result.append({"from_name": "note", "to_name": "source", "type": "textarea", "value": {"text": [note]}})
    return {"id": 7, "completed_by": {"id": 3, "email": "a@example.org"}, "result": result}


def test_answer_becomes_a_valid_link_record():
    docs, records, cand = _fixture()
    (task,) = build_tasks([cand], records, docs)
    record, problems = answer_to_link({"id": 11, "data": task.data}, _answer("same_event", note="same date"))
    assert problems == []
    assert record["relation"] == "same_event" and record["note"] == "same date"
    assert record["source"] == {"document_id": "en-1", "id": "ev1"}
    assert record["provenance"]["annotator"] == "a@example.org"
    assert record["provenance"]["ls_task"] == 11 and record["provenance"]["ls_annotation"] == 7


@pytest.mark.parametrize(
    "answer, fragment",
    [(_answer("supports"), "cannot join two events"), (_answer(), "exactly one"), (_answer("a", "b"), "exactly one")],
)
def test_wrong_answers_are_problems_not_records(answer, fragment):
    docs, records, cand = _fixture()
    (task,) = build_tasks([cand], records, docs)
    record, problems = answer_to_link({"id": 11, "data": task.data}, answer)
    assert record is None
    assert fragment in problems[0].message and "task 11 annotation 7" in problems[0].message


def test_link_projects_get_instructions_in_the_languages_they_show() -> None:
    import re as _re

    from goldkit.generate import wording
    from goldkit.links.tasks import link_instructions, link_label_config
    from goldkit.schema.loading import labels as _labels
    from goldkit.schema.loading import link_relations_for

    for kind in ("event", "claim"):
        allowed = set(link_relations_for(kind))
        mixed, english = link_instructions(kind, "ltr", "rtl"), link_instructions(kind, "ltr", "ltr")
        assert 'dir="rtl"' in mixed and 'dir="rtl"' not in english
        arabic = wording.translated_labels("LinkRelation", "ar", wording.translated_schema())
        for label in _labels("LinkRelation"):
            assert (f"<b>{label.title}</b>" in english) == (label.value in allowed)
        assert all(f"<b>{a.title}</b>" in mixed for a in arabic if a.value in allowed)
        config = link_label_config(kind, "ltr", "rtl")
        values = _re.findall(r'<Choice value="([^"]+)" html="([^"]+)"', config)
        assert {v for v, _ in values} == allowed  # stored: the schema values; shown: their titles
        assert all(shown != value for value, shown in values)
