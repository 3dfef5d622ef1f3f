"""Convert goldkit annotation records to Label Studio results and back: the only place this happens.

Control names and label sets come from goldkit.schema.layers (the table the XML is rendered from). A region's
id is the record item's id, so record -> results -> record keeps ids. Span text is always sliced from
the task text. An annotation that cannot become a valid record is quarantined with every reason found,
never dropped or repaired silently.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, cast

from goldkit.errors import Problem
from goldkit.labelstudio import spantext
from goldkit.labelstudio.envelope import field_problems
from goldkit.labelstudio.wire import Annotation, Result, Task
from goldkit.schema import layers as lsmap
from goldkit.schema.loading import definition, label_values, per_schema, schema_version
from goldkit.schema.records import SPAN_KEYS, Record, canonicalize, sort_canonically
from goldkit.schema.validate import validate_record

METHOD = "label_studio"

# Why an annotation was quarantined: reason code -> what it means (pull reports count them by code).
REASONS: dict[str, str] = {
    "task_data": "the task lacks the text or document id push puts in its data",
    "span_offsets": "a span's offsets do not fit the task text",
    "unknown_label": "a label, choice or evidence kind the schema does not have",
    "unknown_control": "a result from a control or of a type goldkit's config does not define",
    "region_conflict": "one region id carries two spans, layers or labels",
    "choice_without_region": "a per-region choice or text whose span region does not exist",
    "relation_missing_region": "a relation to or from a region that does not exist",
    "bad_relation": "a relation without a label, or with a label that does not fit the two regions",
    "missing_attribute": "a required attribute of a region is not set",
    "bad_text": "a per-region text that cannot be read (canonical key, evidence line)",
    "schema": "the converted record breaks the schema or its rules",
    "malformed_result": "a result item whose shape Label Studio never produces (wrong types, doubled relations)",
    "malformed_annotation": "an annotation or task field (ids, times, lead_time, ground_truth, project) of a type "
    "Label Studio never writes",
    "text_mismatch": "a span's value.text is not the task text at its offsets, and no stated rule repairs it",
}


@dataclass
class ConversionProblem:
    """Why one annotation cannot become a record: reason code, where (task, annotation, region, field)."""

    reason: str
    message: str
    task_id: Any = None  # as exported: an id of the wrong type is itself a reason to quarantine
    annotation_id: Any = None
    region_id: Any = None
    field: Any = None  # a control name as exported: any JSON value
    got: Any = None
    expected: Any = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"task {self.task_id} annotation {self.annotation_id}"
        if self.region_id is not None:
            where += f" region {self.region_id}"
        if self.field:
            where += f" {self.field}"
        return f"{where}: {self.message} [{self.reason}]"


@dataclass
class Conversion:
    """The record made from one annotation, or None with the problems that prevented it."""

    record: Record | None
    problems: list[ConversionProblem] = field(default_factory=list)


@dataclass(frozen=True)
class _Vocabulary:
    layer_labels: dict[str, frozenset[str]]
    choices: dict[str, lsmap.RegionChoice]  # the schema's per-region choices by control name
    layer_choices: dict[str, tuple[lsmap.RegionChoice, ...]]  # and by layer, in schema order
    choice_values: dict[str, frozenset[str]]
    roles: frozenset[str]
    evidence_kinds: frozenset[str]
    id_pattern: re.Pattern[str]
    schema_version: str


@per_schema
def _vocabulary() -> _Vocabulary:
    return _Vocabulary(
        layer_labels={s.name: frozenset(v.value for v in s.values()) for s in lsmap.SPAN_LAYERS},
        choices={c.name: c for c in lsmap.region_choices()},
        layer_choices={s.name: lsmap.region_choices(s.name) for s in lsmap.SPAN_LAYERS},
        choice_values={c.name: frozenset(v.value for v in c.values()) for c in lsmap.region_choices()},
        roles=frozenset(label_values("ArgumentRole")),
        evidence_kinds=frozenset(label_values("EvidenceKind")),
        id_pattern=re.compile(definition("Id")["pattern"]),
        schema_version=schema_version(),
    )


_LAYERS = {s.name: s for s in lsmap.SPAN_LAYERS}
_TEXTS = {t.name: t for t in lsmap.REGION_TEXTS}
_LINKS = {link.relation: link for link in lsmap.CLAIM_LINKS}
_YES, _NO = (choice.value for choice in lsmap.BOOLEAN_CHOICES)
_EVIDENCE_SEP, _NOTE_SEP = ": ", " | "
# 'kind: ref | note': a '|' is a separator only with a space before it, so URLs may contain '|'
# (the fullmatch of (?P<kind>[^:\s]+)\s*:\s*(?P<ref>\S.*?)(?:\s+\|(?P<note>\s.*|))? without its backtracking)
_EVIDENCE_HEAD = re.compile(r"([^:\s]+)\s*:\s*(?=\S)")
_EVIDENCE_NOTE = re.compile(r"\s+\|(?=\s|$)")
CUE_SUFFIX = "-cue"  # region id of a claim's cue: the claim id plus this


# ---------------------------------------------------------------- record -> results


def _span_value(span: dict[str, Any]) -> dict[str, Any]:
    return {"start": span["start"], "end": span["end"], "text": span["text"]}


def _region(kind: str, control: str, region_id: str, span: dict[str, Any], key: str, values: Any) -> Result:
    value = {**_span_value(span), key: values}
    return cast(
        Result, {"id": region_id, "from_name": control, "to_name": lsmap.TEXT_NAME, "type": kind, "value": value}
    )


def _relation(from_id: str, to_id: str, labels: list[str]) -> Result:
    return {"type": "relation", "from_id": from_id, "to_id": to_id, "direction": "right", "labels": labels}


def _choice_values(value: Any) -> list[str] | None:
    if isinstance(value, bool):
        return [_YES if value else _NO]
    if isinstance(value, dict):  # an object field is chosen by its kind (claimant)
        value = value.get("kind")
    if value is None:
        return None
    return list(value) if isinstance(value, list) else [value]


def _choices(item: dict[str, Any], layer: str, span: dict[str, Any]) -> list[Result]:
    out = []
    for choice in _vocabulary().layer_choices[layer]:
        values = _choice_values(item.get(choice.name))
        if values:
            out.append(_region("choices", choice.name, item["id"], span, "choices", values))
    return out


def _evidence_fields(line: str) -> tuple[str, str, str | None] | None:
    """Split a stripped evidence line into kind, ref and note (None without ' | '), or None if it is not one."""
    head = _EVIDENCE_HEAD.match(line)
    if head is None:
        return None
    start = head.end()
    note = _EVIDENCE_NOTE.search(line, start + 1)  # the first ' |' that ends the line or has a space after it
    if note is None:
        return head[1], line[start:], None
    return head[1], line[start : note.start()], line[note.end() :]


def _evidence_item(fields: tuple[str, str, str | None]) -> dict[str, str]:
    kind, ref, note = fields
    return {"kind": kind, "ref": ref} if note is None else {"kind": kind, "ref": ref, "note": note.strip()}


def _lines(texts: list[str]) -> list[str]:
    """Return the stripped non-empty lines of a per-region text (one evidence item or key per line)."""
    return [line.strip() for text in texts for line in text.splitlines() if line.strip()]


def _choice_value(choice: lsmap.RegionChoice, values: list[str]) -> Any:
    """Return the record value of a per-region choice (one value unless `multiple`, all of them known)."""
    if choice.multiple:
        return list(dict.fromkeys(values))
    if choice.label_set is None:
        return values[0] == _YES
    if choice.name in _LINK_FIELDS:  # an object field: the choice is its kind, a relation fills the rest
        return {"kind": values[0], "entity": None}
    return values[0]


def _evidence_line(item: dict[str, Any]) -> str:
    line = f"{item['kind']}{_EVIDENCE_SEP}{item['ref']}"
    return line + f"{_NOTE_SEP}{item['note']}" if "note" in item else line


def _claim_results(claim: dict[str, Any]) -> list[Result]:
    region_id, span = claim["id"], claim["span"]
    out = [_region("labels", "claim", region_id, span, "labels", [lsmap.layer("claim").single])]
    out += _choices(claim, "claim", span)
    if claim.get("evidence"):
        lines = [_evidence_line(item) for item in claim["evidence"]]
        out.append(_region("textarea", "evidence", region_id, span, "text", lines))
    targets: dict[str, str | None] = {
        "claimant": (claim.get("claimant") or {}).get("entity"),
        "event": claim.get("event"),
        "cue": region_id + CUE_SUFFIX if claim.get("cue") else None,
    }
    if claim.get("cue"):
        out.append(
            _region("labels", "cue", region_id + CUE_SUFFIX, claim["cue"], "labels", [lsmap.layer("cue").single])
        )
    for link in lsmap.CLAIM_LINKS:
        target = targets[link.field]
        if target:
            out.append(_relation(region_id, target, [link.relation]))
    return out


def record_to_results(record: Record) -> list[Result]:
    """Turn an annotation record into Label Studio results (annotation or prediction `result`)."""
    out: list[Result] = []
    for entity in record.get("entities", []):
        out.append(_region("labels", "entity", entity["id"], entity["span"], "labels", [entity["type"]]))
        if entity.get("canonical") is not None:
            out.append(_region("textarea", "canonical", entity["id"], entity["span"], "text", [entity["canonical"]]))
    for event in record.get("events", []):
        out.append(_region("labels", "event", event["id"], event["trigger"], "labels", [event["type"]]))
        out += _choices(event, "event", event["trigger"])
        roles_by_entity: dict[str, list[str]] = defaultdict(list)
        for argument in event.get("arguments", []):
            roles_by_entity[argument["entity"]].append(argument["role"])
        out += [_relation(event["id"], entity, roles) for entity, roles in roles_by_entity.items()]
    for claim in record.get("claims", []):
        out += _claim_results(claim)
    return out


# ---------------------------------------------------------------- results -> record


@dataclass(slots=True)
class _Region:
    id: str
    layer: lsmap.Layer
    label: str
    span: dict[str, Any]
    record_id: str  # the id its record item gets (regions of layers without items keep theirs)
    attributes: dict[str, list[str]]  # its per-region choices and texts, by control name


_LINK_FIELDS = frozenset(link.field for link in lsmap.CLAIM_LINKS)
_ITEM_LAYERS: dict[str, str] = {
    s.name: s.record_key for s in lsmap.SPAN_LAYERS if s.record_key
}  # layer -> record array


class _Reader:
    """Read one annotation's results, collecting every problem instead of stopping at the first."""

    def __init__(self, task: Task, annotation: Annotation) -> None:
        raw_task: dict[str, Any] = cast(dict[str, Any], task)
        raw_annotation: dict[str, Any] = cast(dict[str, Any], annotation)
        self.task_id: Any = raw_task.get("id")
        self.annotation_id: Any = raw_annotation.get("id")
        self.text: str = _task_text(task)
        self.vocab = _vocabulary()
        self.problems: list[ConversionProblem] = []
        self.repairs: list[dict[str, Any]] = []  # offsets repaired by a spantext rule, for the provenance
        self.regions: dict[str, _Region] = {}
        self.seen_ids: set[str] = set()  # every span id, also the rejected ones (no echo problems)
        self.broken_ids: set[str] = set()  # regions with a malformed result (no echo of a missing attribute)
        self.relations: list[tuple[_Region, _Region, list[str]]] = []

    def problem(self, reason: str, message: str, region_id: Any = None, **facts: Any) -> None:
        self.problems.append(ConversionProblem(reason, message, self.task_id, self.annotation_id, region_id, **facts))

    def read(self, results: list[Any]) -> None:
        """Sort the results by type in one pass, then read spans before what refers to them."""
        spans: list[dict[str, Any]] = []
        choices: list[dict[str, Any]] = []
        texts: list[dict[str, Any]] = []
        relations: list[dict[str, Any]] = []
        by_type: dict[Any, list[dict[str, Any]]] = {
            "labels": spans,
            "choices": choices,
            "textarea": texts,
            "relation": relations,
        }
        for index, result in enumerate(results):
            if not isinstance(result, dict):
                self.problem("malformed_result", f"result {index} is not an object", got=result)
                continue
            if not isinstance(result.get("value", {}), dict):
                self.malformed(result, f"result {index}: its value is not an object", result.get("value"))
                continue
            kind = result.get("type")
            bucket = by_type.get(kind) if isinstance(kind, str) else None
            if bucket is not None:
                bucket.append(result)
            else:
                self.problem("unknown_control", f"result {index} has type {kind!r}", result.get("id"))
        for result in spans:
            self.read_span(result)
        for result in choices:
            self.read_choice(result)
        for result in texts:
            self.read_text(result)
        for result in relations:
            self.read_relation(result)

    def read_span(self, result: dict[str, Any]) -> None:
        region_id, control, value = str(result.get("id")), result.get("from_name"), result.get("value") or {}
        labels = value.get("labels") or []
        first_time = region_id not in self.seen_ids
        self.seen_ids.add(region_id)
        if control not in _LAYERS:
            return self.problem("unknown_control", f"span from unknown control {control!r}", region_id, field=control)
        if len(labels) != 1:
            return self.problem("region_conflict", f"span has {len(labels)} labels", region_id, got=labels)
        label, allowed = labels[0], self.vocab.layer_labels[control]
        if label not in allowed:
            expected = sorted(allowed)
            return self.problem(
                "unknown_label", f"{control} label {label!r}", region_id, field=control, expected=expected
            )
        if not first_time:
            return self.problem("region_conflict", "two spans with the same id", region_id, field=control)
        span = self.span(region_id, value)
        if span is None:
            return None
        record_id = _record_id(region_id) if control in _ITEM_LAYERS else region_id
        self.regions[region_id] = _Region(region_id, control, label, span, record_id, {})

    def span(self, region_id: str, value: dict[str, Any]) -> dict[str, Any] | None:
        """The span of a region's value, its offsets checked against value.text (and repaired by a stated rule)."""
        start, end, text, claimed = value.get("start"), value.get("end"), self.text, value.get("text")
        if type(start) is not int or type(end) is not int:  # a JSON true is not an offset
            got = {"start": start, "end": end}
            self.problem("span_offsets", "span offsets are not integers", region_id, got=got)
            return None
        fits = 0 <= start < end <= len(text)
        if fits and spantext.agrees(claimed, text[start:end]):
            return {"start": start, "end": end, "text": text[start:end]}
        if claimed is not None and type(claimed) is not str:
            self.problem("malformed_result", "value.text is not a string", region_id, got=claimed)
            return None
        repair = spantext.repaired(text, start, end, claimed) if claimed else None
        if repair is not None:
            new_start, new_end, rule = repair
            got = {"start": start, "end": end}
            self.repairs.append(
                {"region": region_id, "rule": rule, "from": got, "to": {"start": new_start, "end": new_end}}
            )
            return {"start": new_start, "end": new_end, "text": text[new_start:new_end]}
        if not fits:
            got = {"start": start, "end": end, "text_length": len(text)}
            self.problem("span_offsets", "span offsets do not fit the task text", region_id, got=got)
            return None
        expected = text[start:end]
        message = f"value.text {claimed!r} is not the task text {expected!r} at [{start}:{end}] and no rule repairs it"
        self.problem("text_mismatch", message, region_id, got=claimed, expected=expected)
        return None

    def attribute_region(
        self, result: dict[str, Any], spec: lsmap.RegionChoice | lsmap.RegionText | None
    ) -> _Region | None:
        """Return the span region a per-region choice or text belongs to, or None after a problem."""
        region_id, control = str(result.get("id")), result.get("from_name")
        region = self.regions.get(region_id)
        if spec is None:
            self.problem("unknown_control", f"{result['type']} from unknown control {control!r}", region_id)
        elif region is None and region_id not in self.seen_ids:
            self.problem(
                "choice_without_region", f"{control} for a region that does not exist", region_id, field=control
            )
        elif region is not None and region.layer != spec.layer:
            self.problem("unknown_control", f"{control} on a {region.layer} region", region_id, field=control)
        else:
            return region
        return None

    def read_choice(self, result: dict[str, Any]) -> None:
        control = result.get("from_name")
        region = self.attribute_region(result, self.vocab.choices.get(control))  # type: ignore[arg-type]
        if region is None:
            return None
        values = self.strings(result, "choices")
        if values is None:
            return None
        allowed = self.vocab.choice_values[control]  # type: ignore[index]
        if not allowed.issuperset(values):
            unknown = [v for v in values if v not in allowed]
            return self.problem(
                "unknown_label", f"{control} {unknown}", region.id, field=control, expected=sorted(allowed)
            )
        region.attributes[control] = values  # type: ignore[index]
        return None

    def read_text(self, result: dict[str, Any]) -> None:
        control = result.get("from_name")
        region = self.attribute_region(result, _TEXTS.get(control))  # type: ignore[arg-type]
        texts = self.strings(result, "text") if region is not None else None
        if region is not None and texts is not None:
            region.attributes[control] = texts  # type: ignore[index]

    def read_relation(self, result: dict[str, Any]) -> None:
        from_id, to_id = str(result.get("from_id")), str(result.get("to_id"))
        if result.get("direction") == "left":
            from_id, to_id = to_id, from_id
        missing = [i for i in (from_id, to_id) if i not in self.seen_ids and i not in self.broken_ids]
        if missing:
            return self.problem(
                "relation_missing_region", f"relation {from_id}->{to_id}: no region {missing}", missing[0]
            )
        source, target = self.regions.get(from_id), self.regions.get(to_id)
        if source is None or target is None:
            return None  # its region was already reported
        labels = self.strings(result, "labels")
        if labels is None:
            return None
        if not labels:
            return self.problem("bad_relation", f"relation {from_id}->{to_id} has no label", from_id)
        self.relations.append((source, target, labels))
        return None

    def malformed(self, result: dict[str, Any], message: str, got: Any) -> None:
        """Report a result of a shape Label Studio never writes; its region raises no echo problems."""
        region_id = str(result.get("id"))
        self.broken_ids.add(region_id)
        self.problem("malformed_result", message, region_id, field=result.get("from_name"), got=got)

    def strings(self, result: dict[str, Any], key: str) -> list[str] | None:
        """The list of strings a choice, text or relation carries (None after a problem if it is not a list)."""
        holder = result if key == "labels" else result.get("value") or {}
        values = holder.get(key) or []
        if not isinstance(values, list):
            self.malformed(result, f"{key} is a {type(values).__name__}, not a list", values)
            return None
        return list(map(str, values))

    def lines(self, region: _Region, control: str) -> list[str]:
        return _lines(region.attributes.get(control, []))

    def choice(self, region: _Region, choice: lsmap.RegionChoice) -> Any:
        values = region.attributes.get(choice.name)
        if not values and region.id in self.broken_ids:
            return None  # its malformed result was reported
        if not values:
            return self.problem(
                "missing_attribute", f"{region.layer} has no {choice.name}", region.id, field=choice.name
            )
        if choice.multiple:
            return list(dict.fromkeys(values))
        if len(values) != 1:
            return self.problem("region_conflict", f"{len(values)} {choice.name} values", region.id, got=values)
        return _choice_value(choice, values)

    def canonical(self, region: _Region) -> str | None:
        lines = self.lines(region, "canonical")
        if len(lines) > 1:
            self.problem("bad_text", f"canonical has {len(lines)} lines, expected one", region.id, field="canonical")
        return lines[0] if lines else None

    def evidence(self, region: _Region) -> list[dict[str, str]]:
        items = []
        for line in self.lines(region, "evidence"):
            fields = _evidence_fields(line)
            if fields is None:
                self.problem(
                    "bad_text", f"evidence line {line!r} is not 'kind: ref | note'", region.id, field="evidence"
                )
            elif fields[0] not in self.vocab.evidence_kinds:
                expected = sorted(self.vocab.evidence_kinds)
                self.problem(
                    "unknown_label", f"evidence kind {fields[0]!r}", region.id, field="evidence", expected=expected
                )
            else:
                items.append(_evidence_item(fields))
        return items

    def item(self, region: _Region) -> dict[str, Any]:
        """Make the record item of one span region (relations are added later)."""
        item = _new_item(region.layer, region.record_id, region.label, region.span)
        for choice in self.vocab.layer_choices[region.layer]:
            item[choice.name] = self.choice(region, choice)
        if region.layer == "entity":
            item["canonical"] = self.canonical(region)
        elif region.layer == "claim":
            item["evidence"] = self.evidence(region)
        return item

    def link(self, items: dict[str, dict[str, Any]], source: _Region, target: _Region, labels: list[str]) -> None:
        """Put one relation into the items it connects."""
        item = items[source.id]
        if source.layer == "event" and target.layer == "entity":
            arguments = item["arguments"]
            for role in labels:
                argument = {"role": role, "entity": target.record_id}
                if role not in self.vocab.roles:
                    self.problem("bad_relation", f"{role!r} is not an argument role", source.id, field="arguments")
                elif argument not in arguments:
                    arguments.append(argument)
            return
        if source.layer != "claim":
            self.problem("bad_relation", f"a relation from {source.layer} to {target.layer}", source.id, got=labels)
            return
        for label in labels:
            link = _LINKS.get(label)
            if link is None or link.target != target.layer:
                expected = [x.relation for x in lsmap.CLAIM_LINKS if x.target == target.layer]
                self.problem("bad_relation", f"{label!r} from claim to {target.layer}", source.id, expected=expected)
                continue
            value = target.record_id if target.layer in _ITEM_LAYERS else target.span
            self.fill(item, link.field, value, source.id)

    def fill(self, item: dict[str, Any], field_name: str, value: Any, region_id: str) -> None:
        holder, key = (item[field_name], "entity") if isinstance(item[field_name], dict) else (item, field_name)
        if holder[key] is not None and holder[key] != value:
            self.problem("bad_relation", f"two {field_name} relations", region_id, field=field_name)
        holder[key] = value

    def items(self) -> dict[str, list[dict[str, Any]]]:
        """Build the record arrays from the regions and relations read."""
        items = {region_id: self.item(r) for region_id, r in self.regions.items() if r.layer in _ITEM_LAYERS}
        linked_cues = set()
        for source, target, labels in self.relations:
            self.link(items, source, target, labels)
            linked_cues.add(target.id)
        for region in self.regions.values():
            if region.layer not in _ITEM_LAYERS and region.id not in linked_cues:
                self.problem("bad_relation", f"{region.layer} region not linked to a claim", region.id)
        arrays: dict[str, list[dict[str, Any]]] = {key: [] for key in _ITEM_LAYERS.values()}
        for region_id, item in items.items():
            arrays[_ITEM_LAYERS[self.regions[region_id].layer]].append(item)
        return arrays


@lru_cache(maxsize=65536)  # ids recur (e1, ev1, ...): a cache hit costs a quarter of the regex
def _record_id(region_id: str) -> str:
    """Use the region id as item id; UI ids may start with '_' or '-', which Id does not allow."""
    id_pattern = _vocabulary().id_pattern
    if id_pattern.match(region_id) or not id_pattern.match("r" + region_id):
        return region_id
    return "r" + region_id


# What conversion fills in an item besides id, span and the layer's per-region choices.
_ITEM_FIELDS = {
    "entity": ("type", "canonical"),
    "event": ("type", "arguments"),
    "claim": ("evidence", "cue", "event"),  # no type: claims have one label; their kinds are the `types` choice
}
_SPAN_FIELDS = {layer: SPAN_KEYS[key] for layer, key in _ITEM_LAYERS.items()}  # events are located by a trigger


@per_schema
def _field_orders() -> dict[str, tuple[str, ...]]:
    """Map each item layer to its definition's property order (records read and diff the same everywhere)."""
    properties = definition("Annotation")["properties"]
    refs = {layer: properties[key]["items"]["$ref"].removeprefix("#/$defs/") for layer, key in _ITEM_LAYERS.items()}
    return {layer: tuple(definition(name)["properties"]) for layer, name in refs.items()}


@per_schema
def _empty_items() -> dict[str, dict[str, None]]:
    """Map each item layer to an item with every field conversion fills unset, in schema order."""
    empty, layer_choices = {}, _vocabulary().layer_choices
    for layer, order in _field_orders().items():
        fields = {"id", _SPAN_FIELDS[layer], *_ITEM_FIELDS[layer], *(c.name for c in layer_choices[layer])}
        empty[layer] = dict.fromkeys(key for key in order if key in fields)
    return empty


def _new_item(layer: str, record_id: str, label: str, span: dict[str, Any]) -> dict[str, Any]:
    """Start the item of a span region; choices, texts and relations fill the rest of its fields."""
    item: dict[str, Any] = _empty_items()[layer].copy()  # copied, not built key by key: fields stay in schema order
    item["id"] = record_id
    item[_SPAN_FIELDS[layer]] = span
    if "type" in _ITEM_FIELDS[layer]:
        item["type"] = label
    if layer == "event":
        item["arguments"] = []
    elif layer == "claim":
        item["evidence"] = []
    return item


# ---------------------------------------------------------------- results -> record, the quick way


class _Unusual(Exception):
    """Something the quick reader leaves to _Reader, which names every problem."""


def _quick_arrays(text: str, results: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Convert the results of a well-formed annotation; raise on anything _Reader would report.

    Nearly every annotation is well formed, so this path keeps no regions or messages: spans become
    items at once and the rest fills them. It makes the items _Reader would make or raises (_Unusual,
    or the error a malformed result causes), and the caller then lets _Reader explain.
    """
    layer_labels = _vocabulary().layer_labels
    items: dict[str, dict[str, Any]] = {}  # span region id -> its item, in result order
    layers: dict[str, str] = {}  # every span region id -> its layer
    cue_spans: dict[str, dict[str, Any]] = {}  # regions that are part of another item (cues)
    later = []  # relations (they need both ends), and attributes met before their span
    for result in results:
        if result["type"] != "labels":
            if result["type"] != "relation" and result["id"] in items:
                _quick_attribute(items[result["id"]], layers[result["id"]], result)
            else:
                later.append(result)
            continue
        region_id, control, value = result["id"], result["from_name"], result["value"]
        labels, start, end = value["labels"], value["start"], value["end"]
        if type(region_id) is not str or region_id in layers or type(labels) is not list or len(labels) != 1:
            raise _Unusual
        if labels[0] not in layer_labels[control] or not (type(start) is int and type(end) is int):
            raise _Unusual
        if not 0 <= start < end <= len(text):
            raise _Unusual
        span = {"start": start, "end": end, "text": text[start:end]}
        claimed = value.get("text")
        if claimed is not None and claimed != span["text"]:
            raise _Unusual  # a loose copy, a repair or a mismatch: _Reader says which
        layers[region_id] = control
        if control in _ITEM_LAYERS:
            items[region_id] = _new_item(control, _record_id(region_id), labels[0], span)
        else:
            cue_spans[region_id] = span
    relations = [result for result in later if result["type"] == "relation"]
    for result in later:
        if result["type"] != "relation":
            _quick_attribute(items[result["id"]], layers[result["id"]], result)
    layer_choices = _vocabulary().layer_choices
    for region_id, item in items.items():
        for choice in layer_choices[layers[region_id]]:
            if item[choice.name] is None:
                raise _Unusual  # a missing per-region choice
    linked = {_quick_link(items, layers, cue_spans, result) for result in relations}
    if not linked.issuperset(cue_spans):
        raise _Unusual  # a cue no claim points to
    arrays: dict[str, list[dict[str, Any]]] = {key: [] for key in _ITEM_LAYERS.values()}
    for region_id, item in items.items():
        arrays[_ITEM_LAYERS[layers[region_id]]].append(item)
    return arrays


def _quick_attribute(item: dict[str, Any], layer: str, result: dict[str, Any]) -> None:
    """Fill an item's field from a per-region choice or text, as _Reader.choice/canonical/evidence do."""
    control, value = result["from_name"], result["value"]
    if result["type"] == "choices":
        choice, values = _vocabulary().choices[control], value["choices"]
        if choice.layer != layer or type(values) is not list or not values:
            raise _Unusual
        if not (choice.multiple or len(values) == 1) or not _vocabulary().choice_values[control].issuperset(values):
            raise _Unusual
        item[control] = _choice_value(choice, values)
        return
    if result["type"] != "textarea" or _TEXTS[control].layer != layer:
        raise _Unusual
    if type(value["text"]) is not list:
        raise _Unusual
    lines = _lines(list(map(str, value["text"])))
    if control == "canonical" and len(lines) <= 1:
        item["canonical"] = lines[0] if lines else None
    elif control == "evidence":
        found = [_evidence_fields(line) for line in lines]
        kinds = _vocabulary().evidence_kinds
        if not all(fields is not None and fields[0] in kinds for fields in found):
            raise _Unusual
        item["evidence"] = [_evidence_item(fields) for fields in found]  # type: ignore[arg-type]
    else:
        raise _Unusual


def _quick_link(
    items: dict[str, dict[str, Any]], layers: dict[str, str], cue_spans: dict[str, Any], result: dict[str, Any]
) -> str:
    """Put one relation into the items it connects, as _Reader.link does; return the target region id."""
    from_id, to_id, labels = result["from_id"], result["to_id"], result["labels"]
    if result.get("direction") == "left":
        from_id, to_id = to_id, from_id
    if type(from_id) is not str or type(to_id) is not str or type(labels) is not list or not labels:
        raise _Unusual
    source, target = layers[from_id], layers[to_id]
    item = items[from_id]
    if source == "event" and target == "entity" and _vocabulary().roles.issuperset(labels):
        arguments = item["arguments"]
        for role in labels:
            argument = {"role": role, "entity": items[to_id]["id"]}
            if argument not in arguments:
                arguments.append(argument)
        return to_id
    if source != "claim":
        raise _Unusual
    for label in labels:
        link = _LINKS[label]
        if link.target != target:
            raise _Unusual
        value = items[to_id]["id"] if target in _ITEM_LAYERS else cue_spans[to_id]
        holder, key = (item[link.field], "entity") if isinstance(item[link.field], dict) else (item, link.field)
        if holder[key] is not None and holder[key] != value:
            raise _Unusual  # two relations fill one field
        holder[key] = value
    return to_id


def annotator(annotation: Mapping[str, Any]) -> str:
    """Who made an annotation: the user's email when the export gives it, else the user id."""
    who: Any = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    return "" if who is None else str(who)


def provenance(
    task: Task, annotation: Annotation, project_id: int | None = None, repairs: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Where a pulled record came from: annotator, Label Studio ids and times (and any offsets repaired).

    The envelope's types are not assumed (envelope.field_problems checks them before a record is made):
    the values are read as Any, so a wrong type is a schema problem, never a TypeError of compiled code.
    """
    raw_task: dict[str, Any] = cast(dict[str, Any], task)
    raw: dict[str, Any] = cast(dict[str, Any], annotation)
    out: dict[str, Any] = {
        "annotator": annotator(annotation),
        "method": METHOD,
        "ls_project": project_id if project_id is not None else raw_task.get("project", raw.get("project")),
        "ls_task": raw_task.get("id"),
        "ls_annotation": raw.get("id"),
        "created_at": raw.get("created_at"),
        "updated_at": raw.get("updated_at"),
        "lead_time": raw.get("lead_time"),
        "ground_truth": raw.get("ground_truth", False),
    }
    if repairs:
        out["repairs"] = repairs
    return out


def _task_text(task: Task) -> str:
    """The task's text, or "" when its data has none (or not as a string)."""
    data: Any = cast(dict[str, Any], task).get("data")
    text: Any = data.get("text") if isinstance(data, dict) else None
    return text if isinstance(text, str) else ""


def _task_doc_id(task: Task) -> str:
    data: Any = cast(dict[str, Any], task).get("data")
    doc_id: Any = data.get("doc_id") if isinstance(data, dict) else None
    sha: Any = data.get("sha256") if isinstance(data, dict) else None
    return doc_id if isinstance(doc_id, str) and (sha is None or isinstance(sha, str)) else ""


def results_to_record(task: Task, annotation: Annotation, *, project_id: int | None = None) -> Conversion:
    """Turn one Label Studio annotation of a task into a goldkit record, or say why it cannot be one."""
    text, results = _task_text(task), cast(dict[str, Any], annotation).get("result") or []
    if text and _task_doc_id(task) and not field_problems(task, annotation):
        try:
            arrays = _quick_arrays(text, cast(list[dict[str, Any]], results))
        except (_Unusual, LookupError, TypeError, AttributeError, ValueError):
            pass  # _Reader below finds what is wrong and says it
        else:
            record = _record(task, annotation, project_id, arrays)
            sort_canonically(record)  # validity does not depend on order: the record is checked as returned
            if not validate_annotation(record, _document(record, text)):
                return Conversion(record)
    return _explained(task, annotation, project_id)


def _explained(task: Task, annotation: Annotation, project_id: int | None) -> Conversion:
    """Convert one annotation with _Reader, which names every problem that keeps it from being a record."""
    reader = _Reader(task, annotation)
    if not reader.text or not _task_doc_id(task):
        reader.problem("task_data", "task data has no text or no doc_id as strings (was it pushed by goldkit?)")
        return Conversion(None, reader.problems)
    for wrong in field_problems(task, annotation):
        message = f"{wrong.field} is {wrong.got!r}, expected {wrong.expected}"
        reader.problem("malformed_annotation", message, field=wrong.field, got=wrong.got, expected=wrong.expected)
    try:
        results: Any = cast(dict[str, Any], annotation).get("result") or []
        if not isinstance(results, list):
            raise TypeError(f"result is a {type(results).__name__}, not a list")
        reader.read(results)
        arrays = reader.items()
    except (KeyError, TypeError, AttributeError, ValueError):
        # An export edited by hand or by another tool: quarantine the annotation, never crash the pull. The
        # message does not quote the error: compiled code raises TypeError where Python raises AttributeError.
        reader.problem(
            "malformed_result", "the result list cannot be read: a field of a type Label Studio never writes"
        )
        return Conversion(None, reader.problems)
    if reader.problems:
        return Conversion(None, reader.problems)
    record = _record(task, annotation, project_id, arrays, reader.repairs)
    for problem in validate_annotation(record, _document(record, reader.text)):
        reader.problem("schema", problem.message, field=problem.pointer, got=problem.got, expected=problem.expected)
    return Conversion(None if reader.problems else canonicalize(record), reader.problems)


def _record(
    task: Task,
    annotation: Annotation,
    project_id: int | None,
    arrays: dict[str, Any],
    repairs: list[dict[str, Any]] | None = None,
) -> Record:
    data: dict[str, Any] = cast(dict[str, Any], task)["data"]
    return {
        "record_type": "annotation",
        "schema_version": _vocabulary().schema_version,
        "document_id": data["doc_id"],
        "document_sha256": data.get("sha256") or hashlib.sha256(data["text"].encode("utf-8")).hexdigest(),
        "provenance": provenance(task, annotation, project_id, repairs),
        **arrays,
    }


def _document(record: Record, text: str) -> Record:
    return {"id": record["document_id"], "text": text, "sha256": record["document_sha256"]}


def validate_annotation(record: Record, document: Record) -> list[Problem]:
    """Check a converted record against the schema and its rules, and its spans against the document."""
    return validate_record(record, document)
