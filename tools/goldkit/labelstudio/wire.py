"""Label Studio's wire JSON as small types: what the server sends in exports and accepts in imports.

Shapes checked against real exports and imports of Label Studio 1.23.2 (spans, per-region choices, relations).
Only the keys goldkit reads or writes are listed; the server adds more and they are kept as they are.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

Direction = Literal["right", "left", "bi"]


class SpanValue(TypedDict):
    """Where a region sits in the text. `text` is a copy the server never checks: slice the task text."""

    start: int
    end: int
    text: NotRequired[Any]


class LabelsValue(SpanValue):
    labels: list[str]


class ChoicesValue(SpanValue):
    choices: list[str]


class TextAreaValue(TypedDict):
    """A per-region TextArea: `text` is the list of submitted strings (it overwrites the span copy)."""

    start: NotRequired[int]
    end: NotRequired[int]
    text: list[str]


class SpanRegion(TypedDict):
    """A labelled span: `{"id", "from_name", "to_name", "type": "labels", "value": {...}}`."""

    id: str
    from_name: str
    to_name: str
    type: Literal["labels"]
    value: LabelsValue
    origin: NotRequired[str]


class RegionChoices(TypedDict):
    """Per-region choices: a separate item with the SAME id as its span; value repeats start/end/text."""

    id: str
    from_name: str
    to_name: str
    type: Literal["choices"]
    value: ChoicesValue


class RegionTextArea(TypedDict):
    """Per-region free text: a separate item with the same id as its span."""

    id: str
    from_name: str
    to_name: str
    type: Literal["textarea"]
    value: TextAreaValue


class Relation(TypedDict):
    """A relation between two regions; it has no id and no from_name."""

    type: Literal["relation"]
    from_id: str
    to_id: str
    direction: Direction
    labels: list[str]


Result = SpanRegion | RegionChoices | RegionTextArea | Relation


class User(TypedDict, total=False):
    """`completed_by` when the export is asked for full users (else just the user id)."""

    id: int
    email: str
    first_name: str
    last_name: str


class Annotation(TypedDict, total=False):
    """One annotator's submitted (or cancelled) annotation of a task."""

    id: int
    completed_by: int | User
    result: list[Result]
    was_cancelled: bool
    ground_truth: bool
    created_at: str
    updated_at: str
    lead_time: float | None
    task: int
    project: int


class Prediction(TypedDict, total=False):
    """A model's (or goldkit's pre-annotation) suggestion, shown to annotators of the same model_version."""

    model_version: str
    score: float
    result: list[Result]


class TaskData(TypedDict, total=False):
    """What push puts in `task.data` (keys in goldkit.lsmap.DATA_KEYS)."""

    text: str
    doc_id: str
    sha256: str
    language: str
    title: str
    shown: str
    furniture: str


class Task(TypedDict, total=False):
    """A task as the API returns it, or as goldkit imports it (then without id)."""

    id: int
    project: int
    data: TaskData
    annotations: list[Annotation]
    predictions: list[Prediction]


class ExportItem(Task, total=False):
    """One item of the full JSON export (`exportType=JSON`, never JSON_MIN)."""

    created_at: str
    updated_at: str
    total_annotations: int
    cancelled_annotations: int
