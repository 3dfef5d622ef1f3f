"""The `review` adjudication strategy: disagreements go back to Label Studio, the reviewer's answer is gold.

Round trip:
1. `push_review` sends each document that majority leaves unresolved (or every document, `all_documents`)
   to a REVIEW project, one per language, titled `<prefix>-review · <language>` (found, created and
   updated like push's projects, with the same config and guidelines). Every annotator's version of the
   document is a prediction whose `model_version` is the annotator's name as in the records, so the
   reviewer sees them side by side and submits one annotation. The task data also lists those names
   (`reviewed_annotators`): the JSON export gives a task's predictions as bare ids.
2. `goldkit pull` pulls the review projects with the others; `pull.mark_reviews` stamps
   their records as adjudicated: strategy `review`, `annotators` = the reviewed annotators,
   `annotator` = the reviewer. Agreement ignores them (they are not annotators' work).
3. `collect` picks those records out of a pull (the latest per document), checks them against the
   document text and hands them to `adjudicate.write_gold`, with a sidecar naming for every gold item the
   annotators whose span it matches, and the annotators' spans the reviewer left out.

Re-running `push_review` adds missing documents and predictions; a prediction already there for an
annotator is not replaced (delete the task in Label Studio to send a newer version).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, cast

from goldkit import push
from goldkit.adjudicate.strategies import AdjudicationReport, DocumentResult
from goldkit.agreement.spans import build_study
from goldkit.errors import InputError, Problem, ValidationError
from goldkit.generate import render
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio.convert import record_to_results
from goldkit.labelstudio.projects import PROJECT_PREFIX, REVIEWED_KEY, review_prefix
from goldkit.matching import item_span
from goldkit.pulls import recency
from goldkit.schema.provenance import ADJUDICATED, REVIEW_STRATEGY
from goldkit.schema.records import SPAN_KEYS, Record

if TYPE_CHECKING:  # the SDK is heavy to import: only for type checking here
    from label_studio_sdk import LabelStudio

STRATEGY = REVIEW_STRATEGY
METHOD = ADJUDICATED
REVIEWERS_PER_TASK = 1
NEXT_STEPS = (
    "submit the reviews in Label Studio, then run: goldkit pull && goldkit adjudicate --strategy review --collect"
)


@dataclass
class ReviewPush:
    """What push_review sent: the review projects, and per document the annotators shown as predictions."""

    url: str
    projects: list[push.ProjectPush]
    documents: dict[str, list[str]] = field(default_factory=dict)  # doc_id -> annotators (model versions)
    settled: list[str] = field(default_factory=list)  # documents majority settles, not sent
    predictions_added: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- sending documents for review


def needs_review(report: AdjudicationReport, all_documents: bool = False) -> list[str]:
    """Documents to review: those with unresolved items (or all of them)."""
    return [d.document_id for d in report.documents if all_documents or d.unresolved]


def review_predictions(
    by: Mapping[str, Record], document: Record, config: str, where: str
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """One prediction per annotator (model_version = annotator), validated locally against the config."""
    predictions, problems = [], []
    for who, record in sorted(by.items()):
        if record.get("document_sha256") != document["sha256"]:
            problems.append(
                Problem(f"{where}/{who}/document_sha256", "made for other text", record.get("document_sha256"))
            )
            continue
        results = record_to_results(record)
        problems += push.prediction_problems(results, config, f"{where}/{who}")
        predictions.append({"model_version": who, "result": results})
    return predictions, problems


def push_review(
    report: AdjudicationReport,
    annotations: Mapping[str, Mapping[str, Record]],
    documents: Mapping[str, Record],
    *,
    all_documents: bool = False,
    client: LabelStudio | None = None,
    project_prefix: str = PROJECT_PREFIX,
) -> ReviewPush:
    """Create or update the review projects and add each document under review with its annotators' versions."""
    chosen = needs_review(report, all_documents)
    missing = [doc_id for doc_id in chosen if doc_id not in documents]
    if missing:
        raise InputError(
            f"{len(missing)} document(s) to review are not in the documents file: {missing[:5]}",
            document_ids=missing, hint="ingest them first with: goldkit ingest corpus/",
        )  # fmt: skip
    by_language = push.group_documents([documents[doc_id] for doc_id in chosen])
    configs = {language: render.label_config(language) for language in by_language}
    predictions: dict[str, list[dict[str, Any]]] = {}
    problems: list[Problem] = []
    for language, docs in by_language.items():
        for document in docs:
            where = f"/{document['id']}"
            predictions[document["id"]], found = review_predictions(
                annotations[document["id"]], document, configs[language], where
            )
            problems += found
    if problems:
        raise ValidationError(f"{len(problems)} problem(s) in the versions to review; nothing was pushed", problems)
    client = client or lsclient.connect()
    settled = [d.document_id for d in report.documents if d.document_id not in set(chosen)]
    out = ReviewPush(lsclient.client_url(client), [], settled=settled)
    out.documents = {doc_id: [p["model_version"] for p in predictions[doc_id]] for doc_id in chosen}
    prefix = review_prefix(project_prefix)
    for language, docs in sorted(by_language.items()):
        settings = push.project_settings(REVIEWERS_PER_TASK, None, language)  # the language's guidelines
        plan = push.push_language(client, language, prefix, docs, configs[language], settings, {}, False)
        out.projects.append(plan)
        plan.predictions_imported = _import(client, plan, docs, predictions) + _add_missing(
            client, plan, docs, predictions
        )
        out.predictions_added += plan.predictions_imported
    return out


def _import(
    client: LabelStudio, plan: push.ProjectPush, docs: list[Record], predictions: dict[str, list[dict[str, Any]]]
) -> int:
    """Import the documents the plan says are new, each with all its predictions; return predictions sent."""
    wanted = [d for d in docs if d["id"] in set(plan.imported)]
    assert plan.project_id is not None  # push.push_language created it
    for start in range(0, len(wanted), push.IMPORT_BATCH):
        batch = wanted[start : start + push.IMPORT_BATCH]
        payload = [{"data": _data(d, predictions[d["id"]]), "predictions": predictions[d["id"]]} for d in batch]
        with lsclient.errors_mapped(client, what=f"import review tasks into project {plan.project_id}"):
            answer = client.projects.import_tasks(id=plan.project_id, request=cast(Any, payload), return_task_ids=True)
        plan.task_ids.update(zip((d["id"] for d in batch), getattr(answer, "task_ids", None) or [], strict=False))
    return sum(len(predictions[d["id"]]) for d in wanted)


def _data(document: Record, predictions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {**push.task_data(document), REVIEWED_KEY: sorted({str(p["model_version"]) for p in predictions})}


def _add_missing(
    client: LabelStudio, plan: push.ProjectPush, docs: list[Record], predictions: dict[str, list[dict[str, Any]]]
) -> int:
    """Add to tasks already under review the annotators' versions they lack (and their names to the data)."""
    if not plan.unchanged or plan.project_id is None:
        return 0
    with lsclient.errors_mapped(client, what=f"list predictions of project {plan.project_id}"):
        existing = {(p.task, p.model_version) for p in client.predictions.list(project=plan.project_id)}
    added = 0
    by_id = {d["id"]: d for d in docs}
    for doc_id in plan.unchanged:
        task_id = plan.task_ids[doc_id]
        missing = [p for p in predictions[doc_id] if (task_id, p["model_version"]) not in existing]
        for prediction in missing:
            with lsclient.errors_mapped(client, what=f"add a prediction to review task {task_id}"):
                client.predictions.create(task=task_id, **prediction)
        if missing:
            shown = [{"model_version": version} for task, version in existing if task == task_id]
            with lsclient.errors_mapped(client, what=f"update the data of review task {task_id}"):
                client.tasks.update(id=str(task_id), data=_data(by_id[doc_id], shown + predictions[doc_id]))
        added += len(missing)
    plan.predictions_existing = len(existing)
    return added


# ---------------------------------------------------------------- pulling and collecting reviews


def is_review(record: Record) -> bool:
    provenance = record.get("provenance") or {}
    return provenance.get("method") == METHOD and provenance.get("strategy") == STRATEGY


def _spans(layer: str, items: Sequence[Mapping[str, Any]]) -> dict[tuple[int, int], Mapping[str, Any]]:
    return {(item_span(layer, x)["start"], item_span(layer, x)["end"]): x for x in items}


def _result(gold: Record, annotators: Mapping[str, Record]) -> DocumentResult:
    """Wrap a reviewed record as a DocumentResult: gold items with the annotators whose span they match."""
    provenance = gold["provenance"]
    result = DocumentResult(gold["document_id"], STRATEGY, list(provenance.get("annotators") or []), gold)
    for layer in SPAN_KEYS:
        kept = _spans(layer, gold.get(layer) or [])
        theirs = {who: _spans(layer, record.get(layer) or []) for who, record in annotators.items()}
        for (start, end), item in kept.items():
            voters = sorted(who for who, spans in theirs.items() if (start, end) in spans)
            result.items.append({"layer": layer, "id": item["id"], "span": item_span(layer, item), "voters": voters,
                                 "votes": {"reviewer": provenance["annotator"]}})  # fmt: skip
        left_out = {key for spans in theirs.values() for key in spans} - set(kept)
        for key in sorted(left_out):
            voters = sorted(who for who, spans in theirs.items() if key in spans)
            span = item_span(layer, theirs[voters[0]][key])
            result.rejected.append({"layer": layer, "span": span, "voters": voters, "absent": [],
                                    "reason": f"left out by the reviewer {provenance['annotator']}"})  # fmt: skip
    return result


def collect(records: Sequence[Record], documents: Mapping[str, Record] | None = None) -> AdjudicationReport:
    """Turn the reviewed records among `records` into an adjudication report (the latest per document)."""
    latest: dict[str, Record] = {}
    for record in sorted((r for r in records if is_review(r)), key=recency):
        latest[record["document_id"]] = record
    if not latest:
        raise InputError(
            "no reviewed records (method adjudicated, strategy review) in the records read", hint=NEXT_STEPS
        )
    from goldkit.schema.validate import validate_gold

    documents = documents or {}
    problems = [
        p for doc_id, gold in latest.items() for p in validate_gold(gold, documents.get(doc_id), location=doc_id)
    ]
    if problems:
        raise ValidationError(f"{len(problems)} problem(s) in the reviewed records; nothing was written", problems)
    study = build_study(records)
    results = [_result(latest[doc_id], study.docs.get(doc_id, {})) for doc_id in sorted(latest)]
    return AdjudicationReport(STRATEGY, results, superseded=study.superseded)
