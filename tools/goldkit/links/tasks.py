"""The Label Studio side of cross-document linking: project configs, tasks, and answers → link records.

A link task shows two mentions in their context side by side, each in its own writing direction,
and asks one question whose answers are the schema's link relations for that kind of mention. Since
Label Studio fixes text direction in the config (task variables are not substituted in `style`),
there is one linking project per (kind, source direction, target direction).
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from xml.sax.saxutils import quoteattr

from goldkit.errors import Problem
from goldkit.generate import wording
from goldkit.generate.render import direction
from goldkit.labelstudio.convert import provenance
from goldkit.labelstudio.wire import Annotation, Task
from goldkit.links.candidates import Candidate, MentionRef
from goldkit.schema.loading import labels, link_relations_for, schema_version

CONTEXT_CHARS = 280
RELATION_CONTROL = "relation"
NOTE_CONTROL = "note"
NOTE_PROMPT = "Note (optional): what decided it"


QUESTIONS = {
    "event": (
        "Do the two highlighted events refer to the same real-world event?",
        "هل يشير الحدثان المظللان إلى الحدث نفسه؟",
    ),
    "claim": ("How does the left claim relate to the right claim?", "ما علاقة الادعاء الأول بالادعاء الثاني؟"),
}
_HOW = (
    "Each task shows two mentions from two different articles, marked ⟦like this⟧ in their context, each in "
    "its own writing direction. Read both, then pick the one answer that fits best. 'Cannot tell' is a "
    "good answer when the texts do not settle it; add a short note on what decided it.",
    "تعرض كل مهمة ذكرين من مقالين مختلفين، محاطين ⟦هكذا⟧ في سياقهما، كلٌّ باتجاه كتابته. اقرأ الاثنين ثم اختر "
    "الإجابة الأنسب. «لا يمكن الحكم» إجابة جيدة حين لا يحسم النص الأمر؛ وأضف ملاحظة قصيرة عمّا حسم قرارك.",
)


def _side(prefix: str, text_dir: str) -> str:
    align = "right" if text_dir == "rtl" else "left"
    return (
        f'    <View style="flex: 1; min-width: 0; direction: {text_dir}; text-align: {align}; '
        f'padding: 0.5em; border: 1px solid #ddd">\n'
        f'      <Header value="${prefix}_title" size="5"/>\n'
        f'      <Header value="${prefix}_mention" size="4"/>\n'
        f'      <Text name="{prefix}" value="${prefix}_context"/>\n'
        f"    </View>\n"
    )


def shown_choices(kind: str) -> list[dict[str, str]]:
    """The answers a link task of this kind offers, as the annotator sees them: value, title and hint."""
    relations = set(link_relations_for(kind))
    return [
        {"value": label.value, "title": label.title, "hint": f"{label.title}: {label.description}"}
        for label in labels("LinkRelation")
        if label.value in relations
    ]


def link_label_config(kind: str, source_dir: str, target_dir: str) -> str:
    """Return the labeling config of a linking project, its answers read from the schema."""
    choices = "".join(
        f"    <Choice value={quoteattr(c['value'])} html={quoteattr(html.escape(c['title'], quote=False))} "
        f"hint={quoteattr(c['hint'])}/>\n"
        for c in shown_choices(kind)
    )
    question = QUESTIONS[kind][0]
    return (
        "<View>\n"
        f"  <Header value={quoteattr(question)}/>\n"
        '  <View style="display: flex; gap: 1em; align-items: flex-start">\n'
        f"{_side('source', source_dir)}{_side('target', target_dir)}"
        "  </View>\n"
        '  <Header value="Why goldkit proposed this pair: $reasons" size="6"/>\n'
        f'  <Choices name="{RELATION_CONTROL}" toName="source" choice="single" required="true" showInline="false">\n'
        f"{choices}"
        "  </Choices>\n"
        f'  <TextArea name="{NOTE_CONTROL}" toName="source" placeholder={quoteattr(NOTE_PROMPT)} '
        'maxSubmissions="1" rows="2"/>\n'
        "</View>\n"
    )


def link_instructions(kind: str, source_dir: str, target_dir: str) -> str:
    """The instructions of a linking project (HTML): the question and every answer, in each side's language."""
    relations = set(link_relations_for(kind))
    parts = []
    for language, text_dir, index in (("en", "ltr", 0), ("ar", "rtl", 1)):
        if text_dir == "rtl" and "rtl" not in (source_dir, target_dir):
            continue
        schema = wording.translated_schema()
        answers = "".join(
            f"<li><b>{html.escape(label.title)}</b>: {html.escape(label.description)}</li>"
            for label in wording.translated_labels("LinkRelation", language, schema)
            if label.value in relations
        )
        question, how = QUESTIONS[kind][index], _HOW[index]
        parts.append(
            f'<div dir="{text_dir}" lang="{language}"><h3>{html.escape(question)}</h3>'
            f"<p>{html.escape(how)}</p><ul>{answers}</ul></div>"
        )
    return "".join(parts)


def pair_id(kind: str, source: MentionRef, target: MentionRef) -> str:
    """A stable id for a candidate pair, used as the task key and the link record id."""
    digest = hashlib.sha256(f"{kind}|{source.document_id}|{source.id}|{target.document_id}|{target.id}".encode())
    return f"link-{kind}-{digest.hexdigest()[:16]}"


def kind_of_pair_id(link_id: str) -> str | None:
    """The kind ('event', 'claim') a pair_id was made for, or None for an id pair_id did not make."""
    head, _, rest = link_id.partition("-")
    kind, _, digest = rest.partition("-")
    return kind if head == "link" and digest and kind in ("event", "claim") else None


def _mention(record: Mapping[str, Any], kind: str, mention_id: str) -> dict[str, Any]:
    key, span_key = ("events", "trigger") if kind == "event" else ("claims", "span")
    for item in record.get(key, []):
        if item["id"] == mention_id:
            return item[span_key]
    raise KeyError(f"{kind} {mention_id} not in {record.get('document_id')}")


def context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """The mention with up to `width` characters either side, cut at line ends, marked with ⟦ ⟧."""
    left = max(text.rfind("\n", 0, start) + 1, start - width)
    right_nl = text.find("\n", end)
    right = min(right_nl if right_nl != -1 else len(text), end + width)
    before = ("…" if left > 0 and text[left - 1] != "\n" else "") + text[left:start]
    after = text[end:right] + ("…" if right < len(text) and text[right] != "\n" else "")
    return f"{before}⟦{text[start:end]}⟧{after}"


@dataclass
class LinkTask:
    kind: str
    source_dir: str
    target_dir: str
    data: dict[str, Any]


def build_tasks(
    candidates: list[Candidate], records: Mapping[str, Mapping[str, Any]], documents: Mapping[str, Mapping[str, Any]]
) -> list[LinkTask]:
    """Turn candidates into link tasks (task data carries everything the answer needs to become a record)."""
    tasks = []
    for cand in candidates:
        data: dict[str, Any] = {"pair_id": pair_id(cand.kind, cand.source, cand.target), "kind": cand.kind}
        dirs = []
        for prefix, ref in (("source", cand.source), ("target", cand.target)):
            doc = documents[ref.document_id]
            span = _mention(records[ref.document_id], cand.kind, ref.id)
            data |= {
                f"{prefix}_document_id": ref.document_id,
                f"{prefix}_id": ref.id,
                f"{prefix}_language": doc["language"],
                f"{prefix}_title": doc["title"] or doc["id"],  # a document without a headline shows its id
                f"{prefix}_mention": span["text"],
                f"{prefix}_context": context(doc["text"], span["start"], span["end"]),
            }
            dirs.append(direction(doc["language"]))
        data["reasons"] = "; ".join(cand.reasons)
        tasks.append(LinkTask(cand.kind, dirs[0], dirs[1], data))
    return tasks


def answer_to_link(
    task: Mapping[str, Any], annotation: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Convert one submitted answer of a link task into a link record, or problems saying why not."""
    data = task.get("data", {})
    where = f"task {task.get('id')} annotation {annotation.get('id')}"
    chosen = [
        r["value"].get("choices", []) for r in annotation.get("result", []) if r.get("from_name") == RELATION_CONTROL
    ]
    notes = [r["value"].get("text", []) for r in annotation.get("result", []) if r.get("from_name") == NOTE_CONTROL]
    allowed = link_relations_for(data.get("kind", ""))
    if len(chosen) != 1 or len(chosen[0]) != 1:
        return None, [Problem("/result", f"{where}: expected exactly one relation choice", chosen, allowed)]
    relation = chosen[0][0]
    if relation not in allowed:
        return None, [
            Problem("/result/relation", f"{where}: '{relation}' cannot join two {data.get('kind')}s", relation, allowed)
        ]
    missing = [
        k for k in ("pair_id", "source_document_id", "source_id", "target_document_id", "target_id") if k not in data
    ]
    if missing:
        return None, [Problem("/data", f"{where}: task data lacks {missing}", None, missing)]
    record: dict[str, Any] = {
        "record_type": "link",
        "schema_version": schema_version(),
        "id": data["pair_id"],
        "relation": relation,
        "source": {"document_id": data["source_document_id"], "id": data["source_id"]},
        "target": {"document_id": data["target_document_id"], "id": data["target_id"]},
        "provenance": provenance(cast(Task, task), cast(Annotation, annotation), task.get("project")),
    }
    note = " ".join(t for texts in notes for t in texts).strip()
    if note:
        record["note"] = note
    return record, []
