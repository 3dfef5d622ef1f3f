"""The pre-annotators by name (`goldkit preannotate --model NAME`) and the one way to run them.

'rules' (goldkit.preannotate.rules) uses patterns and a gazetteer of the gold's canonical names;
'learned' (goldkit.preannotate.learned) learns lexicons from the gold itself. Both see the gold through
a policy: 'all' (every gold record; optimistic when the suggested document is itself gold) or
'leave-one-out' (each document is suggested for by a model that never saw its gold: held-out scoring).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from goldkit.preannotate.learned import learned_preannotator
from goldkit.preannotate.rules import Context, PreAnnotator, build_gazetteer, rules_preannotator
from goldkit.schema.records import Record

REGISTRY: dict[str, PreAnnotator] = {"rules": rules_preannotator, "learned": learned_preannotator}
GAZETTEER_POLICIES = ("all", "leave-one-out")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def preannotate(
    documents: Mapping[str, Record],
    name: str = "rules",
    gold: Mapping[str, Record] | None = None,
    gazetteer: str = "all",
    training_documents: Mapping[str, Record] | None = None,
) -> list[Record]:
    """Run pre-annotator `name` over documents; 'leave-one-out' hides each document's own gold from it.

    `training_documents` holds the texts of the gold's documents (default: `documents`).
    """
    if name not in REGISTRY:
        raise ValueError(f"unknown pre-annotator {name!r}; choose from {sorted(REGISTRY)}")
    if gazetteer not in GAZETTEER_POLICIES:
        raise ValueError(f"unknown gazetteer policy {gazetteer!r}; choose from {GAZETTEER_POLICIES}")
    gold = gold or {}
    texts = {**(training_documents or {}), **documents}
    created_at = _now()
    shared = build_gazetteer(gold.values())
    records = []
    for doc_id in sorted(documents):
        entries, training = shared, gold
        if gazetteer == "leave-one-out":
            training = {d: r for d, r in gold.items() if d != doc_id}
            entries = build_gazetteer(training.values())
        context = Context(entries, created_at, training, texts)
        records.append(REGISTRY[name](documents[doc_id], context))
    return records
