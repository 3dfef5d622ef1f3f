"""Build the report's pages: every span drawn at its offsets, Arabic right-to-left, furniture greyed.

A document's text is cut at every boundary of every span (entities, event triggers, claims, cues,
boilerplate); each piece is one <span class="seg"> that names (data-marks) every annotation covering
it, so overlapping and nested spans are all drawn and a test can rebuild each annotation's text from
the page. Templates are jinja2 package data (goldkit/report/templates), autoescaped: text is never HTML.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from goldkit.evaluate.reference import Annotations, Document
from goldkit.jsonio import atomic_write_text
from goldkit.matching import align_units, item_span
from goldkit.report.source import ReportSource
from goldkit.schema.layers import region_choices
from goldkit.schema.loading import label_values

RTL_LANGUAGES = {"ar", "fa", "he", "ur"}
CONTEXT = 60  # characters of context either side of a linked mention


@dataclass
class Mark:
    """One drawn annotation: its key in data-marks, what it is, where."""

    key: str
    layer: str  # entity | trigger | claim | cue | furniture
    start: int
    end: int
    label: str
    item_id: str = ""


@dataclass
class Segment:
    start: int
    end: int
    text: str
    marks: list[Mark] = field(default_factory=list)

    @property
    def classes(self) -> str:
        layers = {m.layer for m in self.marks}
        out = ["seg"] + [f"m-{layer}" for layer in sorted(layers)]
        entities = sorted((m for m in self.marks if m.layer == "entity"), key=lambda m: m.end - m.start)
        if entities:
            out.append(f"ent-{entities[0].label}")  # the innermost entity's colour
        return " ".join(out)

    @property
    def keys(self) -> str:
        return " ".join(m.key for m in self.marks)

    @property
    def title(self) -> str:
        return "; ".join(f"{m.layer}: {m.label}" for m in self.marks)


def direction(language: str) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def marks_of(annotations: Annotations, doc_id: str, prefix: str) -> list[Mark]:
    """Marks for one annotator's (or the gold's) items in one document."""
    marks = []
    for n, e in enumerate(annotations.items(doc_id, "entities")):
        marks.append(Mark(f"{prefix}e{n}", "entity", e["span"]["start"], e["span"]["end"], str(e.get("type")), e["id"]))
    for n, ev in enumerate(annotations.items(doc_id, "events")):
        t = ev["trigger"]
        marks.append(Mark(f"{prefix}v{n}", "trigger", t["start"], t["end"], str(ev.get("type")), ev["id"]))
    for n, c in enumerate(annotations.items(doc_id, "claims")):
        marks.append(Mark(f"{prefix}c{n}", "claim", c["span"]["start"], c["span"]["end"], "claim", c["id"]))
        if c.get("cue"):
            marks.append(Mark(f"{prefix}q{n}", "cue", c["cue"]["start"], c["cue"]["end"], "cue", c["id"]))
    return marks


def furniture_marks(document: Document) -> list[Mark]:
    return [
        Mark(f"f{n}", "furniture", b["start"], b["end"], str(b.get("kind")), "")
        for n, b in enumerate(document.boilerplate)
    ]


def segments(text: str, marks: Iterable[Mark]) -> list[Segment]:
    """Cut text at every mark boundary; each piece lists the marks that cover it."""
    marks = list(marks)
    cuts = sorted({0, len(text)} | {m.start for m in marks} | {m.end for m in marks})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a < b:
            out.append(Segment(a, b, text[a:b], [m for m in marks if m.start <= a and b <= m.end]))
    return out


def _text(document: Document, span: dict[str, Any] | None) -> str:
    return "" if not span or document.text is None else document.text[span["start"] : span["end"]]


def item_views(annotations: Annotations, document: Document, prefix: str) -> dict[str, list[dict[str, Any]]]:
    """The side lists: entities, events with arguments, claims with attributes and claimant."""
    entities = {e["id"]: e for e in annotations.items(document.id, "entities")}

    def entity_text(entity_id: str | None) -> str:
        entity = entities.get(entity_id or "")
        return _text(document, entity["span"]) if entity else ""

    claim_choices = region_choices("claim")
    event_choices = region_choices("event")
    views: dict[str, list[dict[str, Any]]] = {"entities": [], "events": [], "claims": []}
    for n, e in enumerate(annotations.items(document.id, "entities")):
        views["entities"].append({"key": f"{prefix}e{n}", "item": e, "text": _text(document, e["span"])})
    for n, ev in enumerate(annotations.items(document.id, "events")):
        arguments = [
            {"role": a.get("role"), "text": entity_text(a.get("entity")) or _text(document, a.get("span"))}
            for a in ev.get("arguments") or []
        ]
        attributes = {c.name: ev.get(c.name) for c in event_choices}
        views["events"].append({"key": f"{prefix}v{n}", "item": ev, "text": _text(document, ev["trigger"]),
                                "arguments": arguments, "attributes": attributes})  # fmt: skip
    for n, c in enumerate(annotations.items(document.id, "claims")):
        claimant = c.get("claimant") or {}
        attributes = {ch.name: c.get(ch.name) for ch in claim_choices if ch.name != "claimant"}
        views["claims"].append({
            "key": f"{prefix}c{n}", "item": c, "text": _text(document, c["span"]), "attributes": attributes,
            "claimant_kind": claimant.get("kind"), "claimant_text": entity_text(claimant.get("entity")),
            "cue_text": _text(document, c.get("cue")),
        })  # fmt: skip
    return views


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("goldkit.report", "templates"), autoescape=select_autoescape(["html"]))
    env.filters["fmt"] = lambda v: "—" if v is None else f"{v:.3f}"
    env.globals["direction"] = direction
    return env


def page_name(kind: str, doc_id: str) -> str:
    return f"{kind}-{doc_id}.html"


def _mention(source: ReportSource, ref: dict[str, str]) -> dict[str, Any]:
    document = source.documents.get(ref["document_id"])
    gold = next(iter(source.by_annotator.values()))
    for layer in ("events", "claims"):
        for item in gold.items(ref["document_id"], layer) if document else []:
            if item["id"] == ref["id"]:
                span, text = item_span(layer, item), document.text or ""  # type: ignore[union-attr]
                return {
                    "document": document, "layer": layer, "id": ref["id"],
                    "type": item.get("type") or ", ".join(item.get("types") or []),
                    "before": text[max(0, span["start"] - CONTEXT) : span["start"]],
                    "text": text[span["start"] : span["end"]],
                    "after": text[span["end"] : span["end"] + CONTEXT], "start": span["start"], "end": span["end"],
                }  # fmt: skip
    return {"document": document, "layer": "?", "type": "?", "id": ref["id"], "text": "", "before": "", "after": ""}


def _units(source: ReportSource, doc_id: str) -> list[dict[str, Any]]:
    """Per layer, the annotators' items aligned into units, each flagged when they disagree."""
    document = source.documents[doc_id]
    annotators = source.annotators_of(doc_id)
    rows = []
    for layer in ("entities", "events", "claims"):
        items = {who: source.by_annotator[who].items(doc_id, layer) for who in annotators}
        for unit in align_units(items, layer):
            cells: dict[str, dict[str, Any]] = {}
            for who in annotators:
                if who in unit:
                    item = items[who][unit[who]]
                    label = str(item.get("type", "claim"))
                    cells[who] = {"text": _text(document, item_span(layer, item)), "label": label,
                                  "span": item_span(layer, item)}  # fmt: skip
            values = {(c["label"], c["span"]["start"], c["span"]["end"]) for c in cells.values()}
            rows.append({"layer": layer, "cells": cells, "agree": len(cells) == len(annotators) and len(values) == 1})
    return rows


def f1_grid(rows: list[Any]) -> dict[str, Any]:
    """Pivot SpanScore rows: one row per (layer, label), one column per (pair, mode)."""
    columns = sorted({(r.pair, r.mode) for r in rows})
    table: dict[tuple[str, str], dict[tuple[str, str], Any]] = {}
    for r in rows:
        table.setdefault((r.layer, r.label), {})[(r.pair, r.mode)] = r
    return {"columns": columns, "rows": [{"layer": k[0], "label": k[1], "cells": v} for k, v in table.items()]}


def write_report(
    source: ReportSource, out: Path, campaign: dict[str, Any] | None = None, campaign_note: str | None = None
) -> list[Path]:
    """Write the report's pages into out/ (created or refreshed); return the files written.

    campaign: goldkit status's report as a dict (CampaignStatus.to_dict) for a campaign page; without it
    the index says why there is none (campaign_note). A stale campaign.html from an earlier run is removed.
    """
    env = _environment()
    out.mkdir(parents=True, exist_ok=True)
    static = Path(__file__).parent / "templates" / "report.css"
    shutil.copyfile(static, out / "report.css")
    written = [out / "report.css"]
    legend = {"entity_types": label_values("EntityType")}
    common = {"source": source, "legend": legend, "page_name": page_name, "campaign": campaign}

    def write(name: str, template: str, **context: Any) -> None:
        atomic_write_text(out / name, env.get_template(template).render(**common, **context))
        written.append(out / name)

    for doc_id, document in source.documents.items():
        layers = []
        for n, who in enumerate(source.annotators_of(doc_id)):
            prefix = f"a{n}-"
            marks = marks_of(source.by_annotator[who], doc_id, prefix) + furniture_marks(document)
            layers.append({"who": who, "segments": segments(document.text or "", marks),
                           "views": item_views(source.by_annotator[who], document, prefix)})  # fmt: skip
        write(page_name("doc", doc_id), "document.html", document=document, layers=layers[:1], all_layers=layers)
        if len(layers) >= 2:
            write(page_name("disagree", doc_id), "disagreement.html", document=document, layers=layers,
                  units=_units(source, doc_id))  # fmt: skip
    links = [
        {"link": link, "source": _mention(source, link["source"]), "target": _mention(source, link["target"])}
        for link in source.links
    ]
    write("links.html", "links.html", links=links)
    agreement = source.agreement
    write(
        "agreement.html",
        "agreement.html",
        agreement=agreement,
        spans=f1_grid(agreement.rows("span_f1")) if agreement else None,
        relations=f1_grid(agreement.rows("relation_f1")) if agreement else None,
    )
    if campaign is not None:
        write("campaign.html", "campaign.html")
    else:
        (out / "campaign.html").unlink(missing_ok=True)
    write("index.html", "index.html", has_links=bool(links), campaign_note=campaign_note)
    return written
