"""Read a system's predictions (JSONL) and check every line, naming the line of each problem.

Two formats, one object per line, mixed freely:
- release rows: a row of the release's entities, events, claims or links config (label names or ClassLabel
  ids), e.g. {"document_id": …, "id": "e1", "span": {"start": 0, "end": 6}, "type": "gpe"};
- goldkit records: an annotation record (record_type "annotation", one per document) or a link record
  (record_type "link").
Span texts are optional (offsets are what is scored). Fields a system does not predict may be left out;
they count as wrong where they are scored (attributes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldkit.errors import InputError, Problem, ValidationError
from goldkit.evaluate.reference import LAYERS, Annotations, Item, Reference, decode, item_from_row
from goldkit.generate.features import config_features
from goldkit.schema.layers import layer, region_choices
from goldkit.schema.loading import label_values

# the keys that tell which release config a row is from (checked in this order)
ROW_KEYS = {
    "links": ("relation", "source", "target"),
    "events": ("document_id", "id", "type", "trigger"),
    "claims": ("document_id", "id", "span", "claimant_kind"),
    "entities": ("document_id", "id", "span", "type"),
}
_LAYER_NAMES = {"entities": "entity", "events": "event", "claims": "claim"}


def label_fields(layer_key: str) -> dict[str, str]:
    """Record field -> schema label set, for the labelled fields of one layer (from schema.layers)."""
    span_layer = layer(_LAYER_NAMES[layer_key])
    fields = {"type": span_layer.label_set} if span_layer.label_set else {}
    for choice in region_choices():
        if choice.layer == span_layer.name and choice.label_set:
            fields[choice.name] = choice.label_set
    return fields


@dataclass
class Predictions:
    path: Path
    annotations: Annotations
    lines: int = 0
    formats: set[str] = field(default_factory=set)


def _row_config(obj: dict[str, Any]) -> str | None:
    for config, keys in ROW_KEYS.items():
        if all(k in obj for k in keys):
            return config
    return None


def _check_span(span: Any, text: str | None, pointer: str, where: str, problems: list[Problem]) -> None:
    if not isinstance(span, dict) or not all(isinstance(span.get(k), int) for k in ("start", "end")):
        problems.append(Problem(pointer, "a span needs integer 'start' and 'end'", span, path=where))
        return
    limit = len(text) if text is not None else None
    if not 0 <= span["start"] < span["end"] or (limit is not None and span["end"] > limit):
        bound = f"0 <= start < end <= {limit}" if limit is not None else "0 <= start < end"
        problems.append(Problem(pointer, "span offsets out of range", [span["start"], span["end"]], bound, where))


def _label_value(item: Item, name: str) -> Any:
    value = item.get(name)
    return value.get("kind") if isinstance(value, dict) else value  # claimant: the choice is its kind


def _check_item(
    layer_key: str, item: Item, text: str | None, pointer: str, where: str, problems: list[Problem]
) -> None:
    if not isinstance(item.get("id"), str):
        problems.append(Problem(f"{pointer}/id", "every item needs a string 'id'", item.get("id"), path=where))
    span_key = "trigger" if layer_key == "events" else "span"
    _check_span(item.get(span_key), text, f"{pointer}/{span_key}", where, problems)
    for name, label_set in label_fields(layer_key).items():
        allowed = label_values(label_set)
        value = _label_value(item, name)
        values = value if isinstance(value, list) else [value]
        for v in values:
            if v is not None and v not in allowed:
                problems.append(Problem(f"{pointer}/{name}", f"unknown {label_set} value", v, allowed, where))


class _Reader:
    def __init__(self, path: Path, reference: Reference) -> None:
        self.path, self.reference = path, reference
        self.problems: list[Problem] = []
        self.annotations = Annotations()
        self.record_lines: dict[str, int] = {}
        self.formats: set[str] = set()
        self.features = config_features()

    def read_line(self, lineno: int, line: str) -> None:
        where = f"{self.path}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            self.problems.append(Problem("", f"not valid JSON: {e.msg} (column {e.colno})", path=where))
            return
        if not isinstance(obj, dict):
            self.problems.append(Problem("", "each line must be one JSON object", type(obj).__name__, path=where))
            return
        kind = obj.get("record_type")
        if kind == "annotation":
            self._record(obj, lineno, where)
        elif kind == "link":
            self.formats.add("records")
            self._link(obj, where)
        elif (config := _row_config(obj)) is not None:
            self.formats.add("rows")
            row = decode(obj, dict(self.features[config]))
            if config == "links":
                self._link(item_from_row(config, row), where)
            elif self._document(row.get("document_id"), "/document_id", where) is not None:
                item = item_from_row(config, row)
                _check_item(config, item, self._text(row["document_id"]), "", where, self.problems)
                self.annotations.add(row["document_id"], config, item)
        else:
            expected = "record_type 'annotation' or 'link', or a row with the keys of one config: " + "; ".join(
                f"{c}: {', '.join(k)}" for c, k in ROW_KEYS.items()
            )
            self.problems.append(Problem("", "not a prediction in a known format", sorted(obj), expected, where))

    def _text(self, doc_id: str) -> str | None:
        return self.reference.documents[doc_id].text

    def _document(self, doc_id: Any, pointer: str, where: str) -> str | None:
        if doc_id in self.reference.documents:
            return str(doc_id)
        self.problems.append(
            Problem(pointer, "no such document in the release", doc_id, sorted(self.reference.documents), where)
        )
        return None

    def _record(self, record: dict[str, Any], lineno: int, where: str) -> None:
        self.formats.add("records")
        doc_id = self._document(record.get("document_id"), "/document_id", where)
        if doc_id is None:
            return
        if doc_id in self.record_lines:
            first = self.record_lines[doc_id]
            message = f"a second record for this document (first on line {first})"
            self.problems.append(Problem("/document_id", message, doc_id, path=where))
            return
        self.record_lines[doc_id] = lineno
        for key in LAYERS:
            items = record.get(key) or []
            if not isinstance(items, list):
                self.problems.append(Problem(f"/{key}", "must be a list", type(items).__name__, path=where))
                continue
            for index, item in enumerate(items):
                if not isinstance(item, dict):
                    self.problems.append(Problem(f"/{key}/{index}", "must be an object", item, path=where))
                    continue
                _check_item(key, item, self._text(doc_id), f"/{key}/{index}", where, self.problems)
                self.annotations.add(doc_id, key, item)

    def _link(self, link: Item, where: str) -> None:
        for end in ("source", "target"):
            ref = link.get(end)
            if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
                self.problems.append(Problem(f"/{end}", "needs {document_id, id}", ref, path=where))
                return
            if self._document(ref.get("document_id"), f"/{end}/document_id", where) is None:
                return
        allowed = label_values("LinkRelation")
        if link.get("relation") not in allowed:
            self.problems.append(
                Problem("/relation", "unknown LinkRelation value", link.get("relation"), allowed, where)
            )
            return
        self.annotations.links.append({**link, "_where": where})

    def check_links(self) -> None:
        """Every link end must name an event or claim of the predictions (resolved after all lines are read)."""
        known = {
            (doc_id, item["id"])
            for doc_id, layers in self.annotations.layers.items()
            for key in ("events", "claims")
            for item in layers[key]
            if isinstance(item.get("id"), str)
        }
        for link in self.annotations.links:
            where = link.pop("_where")
            for end in ("source", "target"):
                ref = (link[end]["document_id"], link[end]["id"])
                if ref not in known:
                    self.problems.append(
                        Problem(f"/{end}/id", "no predicted event or claim with this id in that document", ref[1],
                                path=where)
                    )  # fmt: skip


def read_predictions(path: Path, reference: Reference) -> Predictions:
    """Read and check a predictions file; raise one ValidationError listing every bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as e:
        raise InputError(f"{path}: no such file", path=str(path), hint="give the path of a predictions JSONL") from e
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 at byte {e.start}", path=str(path)) from e
    reader = _Reader(path, reference)
    count = 0
    for lineno, line in enumerate(lines, 1):
        if line.strip():
            count += 1
            reader.read_line(lineno, line)
    reader.check_links()
    _check_duplicate_ids(reader)
    if reader.problems:
        raise ValidationError(
            f"{len(reader.problems)} problem(s) in {path}; nothing was scored",
            reader.problems,
            hint="fix the lines named above (formats: goldkit evaluate --help), then run goldkit evaluate again",
            path=str(path),
        )
    return Predictions(path, reader.annotations, count, reader.formats)


def _check_duplicate_ids(reader: _Reader) -> None:
    for doc_id, layers in reader.annotations.layers.items():
        for key, items in layers.items():
            seen: set[Any] = set()
            for item in items:
                if item.get("id") in seen:
                    reader.problems.append(
                        Problem(f"/{key}", f"id {item['id']!r} used twice in document {doc_id}", path=str(reader.path))
                    )
                seen.add(item.get("id"))
