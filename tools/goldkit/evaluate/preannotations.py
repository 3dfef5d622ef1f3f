"""Score a pre-annotator against the gold with the release scorer (`goldkit preannotate --evaluate`).

The pre-annotator runs on the gold's documents under each gazetteer policy; its records are scored by
goldkit.evaluate.scores, the same code `goldkit evaluate` uses against a release.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from goldkit.evaluate.reference import annotations_from_records
from goldkit.evaluate.scores import AttributeScore, Score, attribute_scores, span_scores
from goldkit.preannotate.models import GAZETTEER_POLICIES, preannotate
from goldkit.schema.records import Record


@dataclass
class PreannotationReport:
    """Scores of one pre-annotator against the gold, under each gazetteer policy."""

    annotator: str
    model_version: str
    documents: list[str]
    scores: dict[str, list[Score]]
    attributes: dict[str, list[AttributeScore]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotator": self.annotator,
            "model_version": self.model_version,
            "documents": self.documents,
            "scores": {policy: [s.to_dict() for s in rows] for policy, rows in self.scores.items()},
            "attributes": {policy: [a.to_dict() for a in rows if a.pairs] for policy, rows in self.attributes.items()},
        }


def score_records(predictions: list[Record], gold: Mapping[str, Record]) -> list[Score]:
    """Span P/R/F1 of predicted records against gold records, over the gold's documents."""
    return span_scores(annotations_from_records(gold.values()), annotations_from_records(predictions), sorted(gold))


def evaluate_preannotator(
    documents: Mapping[str, Record], gold: Mapping[str, Record], name: str = "rules"
) -> PreannotationReport:
    """Pre-annotate the gold's documents under every gazetteer policy and score each run."""
    shared = {d: documents[d] for d in sorted(gold) if d in documents}
    gold_shared = {d: gold[d] for d in shared}
    runs = {policy: preannotate(shared, name, gold, policy) for policy in GAZETTEER_POLICIES}
    version = runs["all"][0]["provenance"].get("model_version") if runs["all"] else None
    reference = annotations_from_records(gold_shared.values())
    return PreannotationReport(
        name,
        str(version),
        sorted(shared),
        {policy: score_records(records, gold_shared) for policy, records in runs.items()},
        {
            policy: attribute_scores(reference, annotations_from_records(records), sorted(shared))
            for policy, records in runs.items()
        },
    )
