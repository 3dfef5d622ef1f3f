"""Match two releases' labels by what they are, not by their ids, and say which attributes changed.

Ids are the annotators' (a new campaign gives new ones), so a document's labels of one layer are paired in
three rounds, each over what the rounds before left unpaired: the same type and exact span; the same type
and overlapping spans (goldkit.matching's maximum matching: most pairs, then most overlap, then closest
boundaries); the same exact span whatever the type (a relabelled span). A pair whose attributes differ is
changed, with each attribute's old and new value. References to other labels (an event's arguments, a
claim's claimant and its event) are compared by what they point at (the span, and an event's type), so a
renamed id alone is no change. Rows come without texts (see diff.py): spans compare by their offsets.

Links are matched by their two ends, each old end renamed to the label it was matched with (an end whose
label was removed ends the link), and compared on their relation and note (a cluster id is named after one
of its mentions' ids, so it is not compared).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from goldkit.matching import match_items

Row = Mapping[str, Any]
ROUNDS = (("exact", True), ("overlap", True), ("exact", False))  # (span match mode, same type only)
SKIPPED = frozenset({"document_id", "language", "id", "claimant_entity_id"})  # claimant_span says who
LINK_FIELDS = ("relation", "note")
_TRAILING_NUMBER = re.compile(r"^(.*?)(\d+)$")


@dataclass
class ChangedLabel:
    """One label in both releases whose attributes differ: each attribute's (old, new) value."""

    old_id: str
    new_id: str
    fields: dict[str, tuple[Any, Any]]

    def to_dict(self) -> dict[str, Any]:
        changes = {name: {"old": old, "new": new} for name, (old, new) in self.fields.items()}
        return {"old_id": self.old_id, "new_id": self.new_id, "changes": changes}

    def describe(self) -> str:
        """'c-meeting → c3: verdict supported → unchecked; ...' (one id when it did not change)."""
        ids = self.new_id if self.old_id == self.new_id else f"{self.old_id} → {self.new_id}"
        parts = [f"{name} {shown(old)} → {shown(new)}" for name, (old, new) in self.fields.items()]
        return f"{ids}: " + "; ".join(parts)


@dataclass
class LabelChanges:
    """A document's labels of one layer: added (new ids), removed (old ids), changed, and how many are equal."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[ChangedLabel] = field(default_factory=list)
    unchanged: int = 0
    renamed: dict[str, str] = field(default_factory=dict, repr=False)  # old id -> the new id it was matched with

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": [c.to_dict() for c in self.changed],
            "unchanged": self.unchanged,
        }


def id_sorted(ids: Iterable[str]) -> list[str]:
    """Ids in reading order: by the text before a trailing number, then the number ('v4' before 'v10')."""

    def key(i: str) -> tuple[str, int]:
        found = _TRAILING_NUMBER.match(i)
        return (found[1], int(found[2])) if found else (i, -1)

    return sorted(ids, key=key)


def match_labels(old: Sequence[Row], new: Sequence[Row], layer: str) -> list[tuple[int, int]]:
    """Pair old and new rows of one document and layer one-to-one, in ROUNDS; (old index, new index) sorted."""
    pairs: list[tuple[int, int]] = []
    left_old, left_new = list(range(len(old))), list(range(len(new)))
    for mode, labelled in ROUNDS:
        found = match_items([old[i] for i in left_old], [new[j] for j in left_new], layer, mode, labelled)
        found_pairs = [(left_old[i], left_new[j]) for i, j in found]
        pairs += found_pairs
        used_old, used_new = {i for i, _ in found_pairs}, {j for _, j in found_pairs}
        left_old = [i for i in left_old if i not in used_old]
        left_new = [j for j in left_new if j not in used_new]
    return sorted(pairs)


def _span(value: Any) -> list[int] | None:
    return [int(value["start"]), int(value["end"])] if isinstance(value, Mapping) else None


def _comparable(name: str, value: Any, events: Mapping[str, Any]) -> Any:
    """A row's attribute as it is compared and shown: spans as [start, end], references by what they name."""
    if isinstance(value, Mapping) and "start" in value:
        return _span(value)
    if name == "arguments":
        return sorted([a["role"], *(_span(a.get("span")) or [])] for a in value or [])
    if name == "event_id":
        return events.get(value) if value is not None else None
    if name == "types":
        return sorted(value or [])
    if name == "evidence":
        return [{k: v for k, v in item.items() if v is not None} for item in value or []]
    return value


def _event_refs(rows: Sequence[Row]) -> dict[str, Any]:
    """Event id -> [type, start, end] of its trigger: what a claim's event is compared by."""
    return {row["id"]: [row.get("type"), *(_span(row.get("trigger")) or [])] for row in rows}


def changed_fields(old: Row, new: Row, old_events: Mapping[str, Any], new_events: Mapping[str, Any]) -> dict:
    """The attributes both rows carry whose values differ: name -> (old, new), in the row's order."""
    out: dict[str, tuple[Any, Any]] = {}
    for name in old:
        if name in SKIPPED or name not in new:
            continue
        before, after = _comparable(name, old[name], old_events), _comparable(name, new[name], new_events)
        if before != after:
            out["event" if name == "event_id" else name] = (before, after)
    return out


def compare_layer(
    old: Sequence[Row],
    new: Sequence[Row],
    layer: str,
    old_events: Sequence[Row] = (),
    new_events: Sequence[Row] = (),
) -> LabelChanges:
    """Added, removed and changed labels of one document's layer (the events rows resolve claims' events)."""
    pairs = match_labels(old, new, layer)
    refs_old, refs_new = _event_refs(old_events), _event_refs(new_events)
    changes = LabelChanges(
        added=id_sorted(new[j]["id"] for j in set(range(len(new))) - {j for _, j in pairs}),
        removed=id_sorted(old[i]["id"] for i in set(range(len(old))) - {i for i, _ in pairs}),
    )
    for i, j in pairs:
        changes.renamed[old[i]["id"]] = new[j]["id"]
        fields = changed_fields(old[i], new[j], refs_old, refs_new)
        if fields:
            changes.changed.append(ChangedLabel(old[i]["id"], new[j]["id"], fields))
        else:
            changes.unchanged += 1
    return changes


def _ends(link: Row, rename: Callable[[str, str], str | None] | None = None) -> tuple[Any, ...]:
    ends = []
    for side in ("source", "target"):
        document, mention = link[side]["document_id"], link[side]["id"]
        ends += [document, rename(document, mention) if rename else mention]
    return tuple(ends)


def compare_links(old: Sequence[Row], new: Sequence[Row], rename: Callable[[str, str], str | None]) -> LabelChanges:
    """Links added, removed and changed, matched by their ends (old ends renamed: rename(doc, id) -> new id)."""
    by_ends = {_ends(link): j for j, link in enumerate(new)}
    reversed_ends = {(e[2], e[3], e[0], e[1]): j for e, j in by_ends.items()}  # a link whose ends swapped sides
    by_ends = reversed_ends | by_ends
    changes, matched = LabelChanges(), set()
    for link in old:
        ends = _ends(link, rename)
        j = by_ends.get(ends) if None not in ends else None
        if j is None or j in matched:
            changes.removed.append(link["id"])
            continue
        matched.add(j)
        fields = {k: (link.get(k), new[j].get(k)) for k in LINK_FIELDS if link.get(k) != new[j].get(k)}
        if fields:
            changes.changed.append(ChangedLabel(link["id"], new[j]["id"], fields))
        else:
            changes.unchanged += 1
    changes.added = id_sorted(new[j]["id"] for j in set(range(len(new))) - matched)
    changes.removed = id_sorted(changes.removed)
    return changes


def shown(value: Any) -> str:
    """An attribute value as the changelog prints it: spans as [start, end), lists joined, null for None."""
    if value is None:
        return "null"
    if isinstance(value, list) and not value:
        return "none"
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return f"[{value[0]}, {value[1]})"
    if isinstance(value, list) and len(value) == 3 and all(isinstance(v, int) for v in value[1:]):
        return f"{value[0]} [{value[1]}, {value[2]})"  # an argument (role) or a claim's event (type)
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values())  # an evidence item: kind ref note
    return str(value)
