"""Read and check the gold a release is made from; the row dicts of the small configs (links, annotations).

Row shapes are those of goldkit.features.config_features(); label values stay names here and become
ClassLabel ids when the table is written (goldkit.release_tables, which also builds the large configs
column-wise). Annotator accounts are replaced by stable pseudonyms.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldkit.errors import InputError, Problem, ValidationError
from goldkit.ingest.documents import load_documents, read_article
from goldkit.jsonio import iter_jsonl, read_json
from goldkit.links.agreement import cluster_ids
from goldkit.paths import ADJUDICATION_SUFFIX, gold_dir, pseudonyms_path
from goldkit.pseudonyms import assign_pseudonyms
from goldkit.release.summary import GoldSummary, latest_date
from goldkit.schema.layers import region_choices
from goldkit.schema.records import canonicalize
from goldkit.schema.validate import validate_gold, validate_links, validate_record

Row = dict[str, Any]
LINKS_FILE = "links.jsonl"


@dataclass
class Gold:
    """The checked inputs of a release.

    `records` holds every gold record when read whole (load_gold); a streamed release (goldkit.release.stream)
    hands them to the writers in chunks instead and keeps none, and its `documents` reads a document's small
    fields again from documents.jsonl when asked. Both fill `summary` (goldkit.release.summary: what the card
    and release.json need of every record and document) and `linked` (the records of the documents that links
    point at, by document id). `documents` iterates by id.
    """

    documents: Mapping[str, dict[str, Any]]
    records: list[dict[str, Any]]
    links: list[dict[str, Any]]
    summary: GoldSummary = field(default_factory=GoldSummary)
    linked: dict[str, dict[str, Any]] = field(default_factory=dict)
    pull: list[dict[str, Any]] = field(default_factory=list)
    pseudonyms: dict[str, str] = field(default_factory=dict)
    agreement: Any = None
    date: str | None = None
    warnings: list[str] = field(default_factory=list)
    new_pseudonyms: dict[str, str] = field(default_factory=dict)  # accounts numbered by this release, not yet saved


# ---- reading and checking ----------------------------------------------------------------------


def load_gold(options: Any) -> Gold:
    """Read documents, gold records, links and (optionally) a pull; raise one ValidationError for all problems."""
    folder = options.gold or gold_dir()
    files = gold_files(folder)
    documents = load_documents(options.documents)
    problems: list[Problem] = []
    summary = GoldSummary()
    records = _read_gold_records(files, documents, problems, summary)
    gold_documents = {r["document_id"]: documents[r["document_id"]] for r in records if r["document_id"] in documents}
    by_document = {r["document_id"]: r for r in records}
    links = check_links(folder / LINKS_FILE, read_links(folder / LINKS_FILE), by_document, problems)
    gold = Gold(gold_documents, records, links, summary, by_document)
    return finish_gold(gold, options, gold_documents, problems, folder)


def finish_gold(
    gold: Gold, options: Any, documents: Mapping[str, dict[str, Any]], problems: list[Problem], folder: Path
) -> Gold:
    """Read the pull, raise one ValidationError for every problem found, then name the annotators and date the gold.

    documents: the gold's documents with their texts (a pull's records are checked against them).
    """
    if options.annotations:
        gold.pull = _read_pull(options.annotations, documents, problems, gold.warnings)
    if problems:
        raise ValidationError(
            f"{len(problems)} problem(s) in the release inputs; nothing was released",
            problems,
            hint=f"fix them, check with: goldkit validate {folder}, then release again",
        )
    known = read_json(pseudonyms_path()) if pseudonyms_path().is_file() else {}
    gold.pseudonyms = assign_pseudonyms(_accounts(gold), write=False)
    gold.new_pseudonyms = {a: p for a, p in gold.pseudonyms.items() if a not in known}
    gold.agreement = read_json(options.agreement) if options.agreement else None
    dates = [d for d in (gold.summary.date, latest_date(link["provenance"] for link in gold.links)) if d]
    gold.date = max(dates) if dates else None
    return gold


def _read_gold_records(
    files: list[Path], documents: dict[str, dict[str, Any]], problems: list[Problem], summary: GoldSummary
) -> list[dict[str, Any]]:
    records, checked = [], []
    for path in files:
        record = read_json(path)
        document = documents.get(_document_id(record))
        found = check_gold_record(record, document, path)
        problems.extend(found)
        if isinstance(record, dict) and isinstance(record.get("entities"), list):
            records.append(canonicalize(record))  # kept even when wrong, so links to it are not reported too
            if not found and document is not None:
                checked.append((records[-1], document))
    for record, document in sorted(checked, key=lambda pair: str(pair[0]["document_id"])):
        summary.add(record, document)
    return sorted(records, key=lambda r: str(r.get("document_id")))


def gold_files(folder: Path) -> list[Path]:
    """The gold record files of a folder (adjudication sidecars left out); InputError when there are none."""
    files = sorted(f for f in folder.glob("*.json") if not f.name.endswith(ADJUDICATION_SUFFIX))
    if not files:
        raise InputError(
            f"no gold records in {folder}", hint="adjudicate first with: goldkit adjudicate", path=str(folder)
        )
    return files


def check_gold_record(record: Any, document: dict[str, Any] | None, path: Path) -> list[Problem]:
    """Every problem of one gold file's record: the gold rules, its document, its file name."""
    found = validate_gold(record, document, location=str(path))
    if document is None:
        found.append(
            Problem("/document_id", "no such document in documents.jsonl", _document_id(record), path=str(path))
        )
    elif record["document_id"] != path.stem:
        found.append(Problem("/document_id", "must equal the file name", record["document_id"], path.stem, str(path)))
    return found


def _document_id(record: Any) -> Any:
    return record.get("document_id") if isinstance(record, dict) else None


def read_links(path: Path) -> list[tuple[int, Any]]:
    """The gold links file's (line number, link) pairs; none without the file."""
    return list(iter_jsonl(path)) if path.is_file() else []


def linked_documents(numbered: list[tuple[int, Any]]) -> set[str]:
    """The documents the links' ends name (the records a link check needs)."""
    ends = [link.get(side) for _, link in numbered if isinstance(link, dict) for side in ("source", "target")]
    return {str(end.get("document_id")) for end in ends if isinstance(end, dict)}


def check_links(
    path: Path, numbered: list[tuple[int, Any]], by_document: Mapping[str, dict[str, Any]], problems: list[Problem]
) -> list[dict[str, Any]]:
    """The links of read_links(path), by id, after adding every problem of them to `problems`.

    by_document: the gold records of (at least) the documents the links name.
    """
    if not numbered:
        return []
    links = [link for _, link in numbered]
    problems.extend(validate_links(links, by_document, locations=[f"{path}:{n}" for n, _ in numbered]))
    return sorted(links, key=lambda link: str(link.get("id")))


def _read_pull(
    source: Path, documents: Mapping[str, dict[str, Any]], problems: list[Problem], warnings: list[str]
) -> list[dict[str, Any]]:
    path = source / "records.jsonl" if source.is_dir() else source
    records = []
    for lineno, record in iter_jsonl(path):
        where = f"{path}:{lineno}"
        doc_id = _document_id(record)
        if doc_id not in documents:
            warnings.append(f"{where}: document {doc_id} has no gold record; left out of 'annotations'")
            continue
        found = validate_record(record, documents[doc_id], location=where)
        problems.extend(found)
        if not found:
            records.append(canonicalize(record))
    return records


# ---- pseudonyms, dates -------------------------------------------------------------------------


def _accounts(gold: Gold) -> set[str]:
    accounts: set[str] = set()
    records = [provenance for provenance, _ in gold.summary.provenances()]
    for provenance in records + [r["provenance"] for r in gold.links + gold.pull]:
        accounts.update(contributors(provenance))
    return accounts


def contributors(provenance: dict[str, Any]) -> list[str]:
    """Whose annotations a record rests on: the adjudicated-from accounts, else its annotator."""
    return list(provenance.get("annotators") or [provenance["annotator"]])


# ---- rows --------------------------------------------------------------------------------------


def _span(span: dict[str, Any] | None, keep_text: bool) -> Row | None:
    if span is None:
        return None
    return {"start": span["start"], "end": span["end"], "text": span["text"] if keep_text else None}


def layer_rows(record: dict[str, Any], keep_text: bool) -> dict[str, list[Row]]:
    """Return the entities, events and claims of one record as rows (without document columns)."""
    entities = {e["id"]: e for e in record["entities"]}

    def entity_span(entity_id: str | None) -> Row | None:
        return _span(entities[entity_id]["span"], keep_text) if entity_id else None

    return {
        "entities": [
            {"id": e["id"], "span": _span(e["span"], keep_text), "type": e["type"], "canonical": e.get("canonical")}
            for e in record["entities"]
        ],
        "events": [
            {
                "id": ev["id"],
                "type": ev["type"],
                "trigger": _span(ev["trigger"], keep_text),
                "realis": ev["realis"],
                "polarity": ev["polarity"],
                "arguments": [
                    {"role": a["role"], "entity_id": a["entity"], "span": entity_span(a["entity"])}
                    for a in ev["arguments"]
                ],
            }
            for ev in record["events"]
        ],
        "claims": [_claim_row(c, entity_span, keep_text) for c in record["claims"]],
    }


def _claim_row(claim: dict[str, Any], entity_span: Any, keep_text: bool) -> Row:
    return {
        "id": claim["id"],
        "span": _span(claim["span"], keep_text),
        "claimant_kind": claim["claimant"]["kind"],
        "claimant_entity_id": claim["claimant"]["entity"],
        "claimant_span": entity_span(claim["claimant"]["entity"]),
        "cue": _span(claim.get("cue"), keep_text),
        **{choice.name: claim[choice.name] for choice in region_choices("claim") if choice.name != "claimant"},
        "evidence": [{"kind": e["kind"], "ref": e["ref"], "note": e.get("note")} for e in claim["evidence"]],
        "event_id": claim["event"],
    }


def link_rows(gold: Gold, keep_text: bool = True, row_format: int = 1) -> list[Row]:
    """Return the links as rows, by id; `cluster_id` names each link's cross-document event cluster.

    From row format 2 each mention also carries its layer, type and span, read from the gold records.
    """
    language = {ref["document_id"]: gold.documents[ref["document_id"]]["language"] for ref in _ends(gold.links)}
    clusters = cluster_ids(gold.links)
    items = {
        (record["document_id"], item["id"]): (layer, item)
        for record in gold.linked.values()
        for layer, key in (("event", "events"), ("claim", "claims"))
        for item in record[key]
    }

    def mention(ref: dict[str, Any]) -> Row:
        row = {"document_id": ref["document_id"], "id": ref["id"], "language": language[ref["document_id"]]}
        if row_format < 2:
            return row
        layer, item = items[(ref["document_id"], ref["id"])]  # validate_links checked that it exists
        return row | {
            "layer": layer,
            "event_type": item["type"] if layer == "event" else None,
            "claim_types": list(item["types"]) if layer == "claim" else [],
            "span": _span(item["trigger"] if layer == "event" else item["span"], keep_text),
        }

    return [
        {
            "id": link["id"],
            "relation": link["relation"],
            "source": mention(link["source"]),
            "target": mention(link["target"]),
            "note": link.get("note"),
            "cluster_id": clusters.get((link["source"]["document_id"], link["source"]["id"])),
        }
        for link in gold.links
    ]


def _ends(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [link[side] for link in links for side in ("source", "target")]


def annotation_rows(gold: Gold, keep_text: bool) -> list[Row]:
    """Return one row per pulled (annotator, document) with every layer, by document then annotator number."""
    language = {doc_id: gold.documents[doc_id]["language"] for doc_id in {r["document_id"] for r in gold.pull}}
    rows = [
        {
            "annotator": gold.pseudonyms[record["provenance"]["annotator"]],
            "document_id": record["document_id"],
            "language": language[record["document_id"]],
            **layer_rows(record, keep_text),
        }
        for record in gold.pull
    ]
    return sorted(rows, key=lambda r: (r["document_id"], int(r["annotator"].rsplit("_", 1)[-1])))


# ---- stand-off texts ---------------------------------------------------------------------------


def read_corpus_texts(documents: list[Row], corpus: Path) -> dict[str, str]:
    """Read each document's text from corpus/<source_file>; raise naming every document whose hash differs."""
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for doc in documents:
        path = corpus / doc["source_file"]
        try:
            text, _ = read_article(path)
        except Exception as e:  # noqa: BLE001 - a missing file, or any of ingest's reasons a file is unusable
            problems.append(Problem("", f"document {doc['id']}: cannot read {path}: {e}", path=str(path)))
            continue
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if sha != doc["sha256"]:
            problems.append(
                Problem(
                    "",
                    f"document {doc['id']}: {path} is not the released text (sha256 differs)",
                    sha,
                    doc["sha256"],
                    str(path),
                )
            )
            continue
        texts[doc["id"]] = text
    if problems:
        lines = "\n".join(f"  {p.message}" for p in problems)
        raise InputError(
            f"{len(problems)} document(s) cannot be attached; nothing was written:\n{lines}",
            hint=f"put the original articles under {corpus} (named as source_file), then run goldkit attach again",
            problems=problems,
        )
    return texts


def fill_texts(value: Any, text: str) -> Any:
    """Return value with every span's text set to text[start:end] (spans: dicts with start, end, text)."""
    if isinstance(value, list):
        return [fill_texts(v, text) for v in value]
    if isinstance(value, dict):
        filled = {k: fill_texts(v, text) for k, v in value.items()}
        if {"start", "end", "text"} <= value.keys() and value["start"] is not None:
            filled["text"] = text[value["start"] : value["end"]]
        return filled
    return value
