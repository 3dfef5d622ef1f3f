"""What a report shows, read from a release (export/VERSION) or a pull (annotations/pulls/ID).

Both become one shape: documents, each annotator's (or the gold's) items per document, the
cross-document links, and — for a pull with two annotators on a document — the agreement study.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldkit.agreement.spans import AgreementReport, Study, agree, annotator_of, build_study
from goldkit.errors import InputError
from goldkit.evaluate.reference import Annotations, Document, annotations_from_records, load_reference
from goldkit.ingest.documents import load_documents
from goldkit.pseudonyms import assign_pseudonyms
from goldkit.pulls import load_records

GOLD = "gold"


@dataclass
class ReportSource:
    """Everything a report draws."""

    kind: str  # "release" or "pull"
    name: str
    documents: dict[str, Document]
    by_annotator: dict[str, Annotations]  # "gold" for a release; account names for a pull
    links: list[dict[str, Any]] = field(default_factory=list)
    study: Study | None = None
    agreement: AgreementReport | None = None

    def annotators_of(self, doc_id: str) -> list[str]:
        return [who for who, annotations in self.by_annotator.items() if doc_id in annotations.layers]


def _document(record: dict[str, Any]) -> Document:
    return Document(
        record["id"], record["language"], record.get("text"), record.get("boilerplate") or [], record.get("title")
    )


def pseudonymised(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records with each account replaced by its release pseudonym (goldkit.pseudonyms; nothing is saved)."""
    accounts = {annotator_of(r) for r in records} | {
        a for r in records for a in r["provenance"].get("annotators") or []
    }
    names = assign_pseudonyms(accounts, write=False)
    out = []
    for record in records:
        provenance = dict(record["provenance"])
        provenance["annotator"] = names[annotator_of(record)]
        if provenance.get("annotators"):
            provenance["annotators"] = [names[a] for a in provenance["annotators"]]
        out.append({**record, "provenance": provenance})
    return out


def pseudonymised_campaign(campaign: dict[str, Any]) -> dict[str, Any]:
    """goldkit status's report (as a dict) with each annotator's e-mail replaced by their pseudonym."""
    accounts = {a["email"] for language in campaign["languages"] for a in language["annotators"]}
    names = assign_pseudonyms(accounts, write=False)
    languages = [
        {**language, "annotators": [{**a, "email": names[a["email"]]} for a in language["annotators"]]}
        for language in campaign["languages"]
    ]
    return {**campaign, "languages": languages}


def load_source(path: Path, documents: Path | None = None, *, show_emails: bool = False) -> ReportSource:
    """Read a release folder (it has release.json) or a pull folder / records file.

    A pull's annotators are shown under their pseudonyms (annotator_N, as a release names them) unless
    show_emails is set.
    """
    if (path / "release.json").is_file():
        reference = load_reference(path)
        if any(doc.text is None for doc in reference.documents.values()):
            raise InputError(
                f"{path} is a stand-off release (no texts): there is nothing to draw spans on",
                hint=f"attach the texts first with: goldkit attach {path} --corpus corpus/",
                path=str(path),
            )
        return ReportSource("release", f"release {reference.version}", reference.documents,
                            {GOLD: reference.gold}, reference.gold.links)  # fmt: skip
    if not path.exists():
        raise InputError(f"{path}: no such release or pull", path=str(path),
                         hint="give export/VERSION or annotations/pulls/ID")  # fmt: skip
    records = [r for r in load_records([path]) if r.get("record_type") == "annotation"]
    if not records:
        raise InputError(f"{path}: no annotation records", path=str(path), hint="pull first with: goldkit pull")
    if not show_emails:
        records = pseudonymised(records)
    docs = {doc_id: _document(doc) for doc_id, doc in load_documents(documents).items()}
    study = build_study(records, {d: len(doc.text or "") for d, doc in docs.items()})
    missing = sorted(set(study.docs) - set(docs))
    if missing:
        raise InputError(
            f"{len(missing)} pulled document(s) are not in the ingested documents: {', '.join(missing[:5])}",
            hint="pass the documents file the pull was made from with --documents",
        )
    by_annotator: dict[str, Annotations] = {}
    for by in study.docs.values():
        for who, record in by.items():
            by_annotator.setdefault(who, Annotations()).layers.update(annotations_from_records([record]).layers)
    agreement = agree(study) if study.multi_annotated() else None
    used = {d: docs[d] for d in sorted(study.docs)}
    return ReportSource("pull", f"pull {path.name}", used, dict(sorted(by_annotator.items())), [], study, agreement)


__all__ = ["GOLD", "ReportSource", "annotator_of", "load_source"]
