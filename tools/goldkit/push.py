"""Push ingested documents (and optional pre-annotations) to Label Studio, idempotently.

One project per language, titled `goldkit · <language>` (a config fixes the text direction, so Arabic
and English need projects of their own). Projects are found again by that title on the server — the
server is the one place that knows its ids, so nothing is written to the repository. Tasks are found
again by `data.doc_id`: a second push imports nothing, a new article is added, and a document whose id
exists with another sha256 is reported as a conflict and never overwritten.

Overlap (annotators per task, `maximum_annotations`): a new project gets `overlap` (default 2); an existing
project keeps its own unless `overlap` is given, and then the report says it changed (`overlap_before`).

A changed config is applied only when no existing annotation uses a label it removes; otherwise the
push is refused with every affected (task, annotation, label). Pre-annotations are validated locally
first, because the server silently drops invalid predictions.
"""

from __future__ import annotations

import functools
import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from goldkit.errors import ConflictError, InputError, Problem, ValidationError
from goldkit.generate import render, wording
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import furniture, task_index
from goldkit.labelstudio.convert import record_to_results
from goldkit.labelstudio.lock import project_lock
from goldkit.labelstudio.projects import DUPLICATE_HINT, PROJECT_PREFIX, find_project, project_title
from goldkit.schema import layers as lsmap

if TYPE_CHECKING:  # the SDK is heavy to import: only for type checking here
    from label_studio_sdk import LabelStudio

DEFAULT_OVERLAP = 2  # annotators per task of a new project when push is not told otherwise
IMPORT_BATCH = 1000  # each import call costs ~0.1 s on the server: 250/call ran at ~55% of 1000/call
DEFAULT_MODEL_VERSION = "goldkit-preannotation"
RELATIONS = "<relations>"  # pseudo control name for relation labels (relations carry no from_name)

Progress = Callable[[int, int | None], None]


@dataclass
class DocumentConflict:
    """A document id already in Label Studio with other text: reported, never overwritten."""

    doc_id: str
    task_id: int
    existing_sha256: str | None
    new_sha256: str


@dataclass
class LabelInUse:
    """An existing annotation that uses a label the new config no longer has."""

    task_id: int
    annotation_id: int
    control: str
    label: str


@dataclass
class ProjectPush:
    """What push did (or, with dry_run, would do) to one language's project."""

    language: str
    title: str
    project_id: int | None
    created: bool = False
    config_changed: bool = False
    settings_changed: list[str] = field(default_factory=list)
    overlap: int | None = None  # the project's maximum_annotations after this push
    overlap_before: int | None = None  # what it was, when this push changed it (asked with overlap=...)
    imported: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[DocumentConflict] = field(default_factory=list)
    predictions_imported: int = 0  # added (or, with dry_run, that would be)
    predictions_existing: int = 0  # tasks that already have a prediction of this model_version
    task_ids: dict[str, int] = field(default_factory=dict)  # doc_id -> task id, for every pushed document
    data_refreshed: list[int] = field(default_factory=list)  # tasks given the data keys a new config reads


@dataclass
class PushReport:
    url: str
    dry_run: bool
    overlap: int | None  # as asked; None: new projects get DEFAULT_OVERLAP, existing ones keep theirs
    model_version: str | None
    projects: list[ProjectPush]

    @property
    def imported(self) -> int:
        return sum(len(p.imported) for p in self.projects)

    @property
    def conflicts(self) -> list[DocumentConflict]:
        return [c for p in self.projects for c in p.conflicts]


def label_interface(config: str) -> Any:
    """Parse a labeling config with the SDK's offline LabelInterface (imported on first use: it is heavy)."""
    from label_studio_sdk.label_interface import LabelInterface

    return LabelInterface(config)


_FURNITURE_TITLES: dict[str, tuple[dict[str, Any], dict[str, str]]] = {}  # language -> (schema, titles)


def _furniture_titles(language: str) -> dict[str, str]:
    """The page-furniture kinds' titles in `language`, derived once per state of the schema files (the
    translated schema is the same object until a file changes); deriving them per document was half of
    task_data's CPU (bench/push_pull.py profile)."""
    schema = wording.translated_schema()
    cached = _FURNITURE_TITLES.get(language)
    if cached is None or cached[0] is not schema:
        kinds = wording.translated_labels("BoilerplateKind", language, schema)
        cached = _FURNITURE_TITLES[language] = (schema, {k.value: k.title for k in kinds})
    return cached[1]


def task_data(document: dict[str, Any]) -> dict[str, Any]:
    """The task `data` push sends for a document record: exactly lsmap.DATA_KEYS."""
    text, boilerplate = document["text"], document.get("boilerplate") or []
    source = {
        **document,
        "doc_id": document["id"],
        lsmap.SHOWN_KEY: furniture.shown_text(text, boilerplate),
        lsmap.FURNITURE_KEY: furniture.furniture_text(text, boilerplate, _furniture_titles(document["language"])),
    }
    return {key: source[key] for key in lsmap.DATA_KEYS}


def guidelines_html(language: str = wording.SOURCE_LANGUAGE) -> str:
    """The project instructions: the language's guidelines (else the English) as HTML, comments stripped."""
    path = render.guidelines_path(None, language)
    if not path.exists():
        path = render.guidelines_path()
    return _markdown_to_html(path.read_text(encoding="utf-8")) if path.exists() else ""


@functools.lru_cache(maxsize=4)
def _markdown_to_html(text: str) -> str:
    """Render once per text: every push compares the project's instructions with it."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(re.sub(r"<!--.*?-->\n?", "", text, flags=re.S))
    # Label Studio strips id attributes from instructions: send what it keeps (or every push sees a change),
    # and no in-page links, which would lead nowhere there (GUIDELINES*.md keep them)
    html = re.sub(r'<a id="[^"]*"></a>', "", html)
    return re.sub(r'<a href="#[^"]*">(.*?)</a>', r"\1", html)


# ---------------------------------------------------------------- checks that need no server


def group_documents(documents: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Group documents by language, refusing duplicate ids and a sha256 that does not match the text."""
    seen: set[str] = set()
    by_language: dict[str, list[dict[str, Any]]] = {}
    for index, document in enumerate(documents):
        missing = [key for key in ("id", "text", "sha256", "language", "title") if key not in document]
        if missing:
            raise InputError(f"document {index} lacks {', '.join(missing)}", index=index)
        doc_id = document["id"]
        if doc_id in seen:
            raise InputError(f"document id {doc_id} appears twice", doc_id=doc_id)
        seen.add(doc_id)
        if hashlib.sha256(document["text"].encode("utf-8")).hexdigest() != document["sha256"]:
            raise InputError(f"document {doc_id}: sha256 does not match its text", doc_id=doc_id)
        by_language.setdefault(document["language"], []).append(document)
    return by_language


def config_labels(config: str) -> dict[str, set[str]]:
    """Map each control of a config to the labels it offers (text areas: empty), plus relation labels."""
    interface = label_interface(config)
    out = {control.name: set(getattr(control, "labels", None) or []) for control in interface.controls}
    root = ET.fromstring(config)
    out[RELATIONS] = {node.attrib["value"] for node in root.iter("Relation")}
    return out


def result_labels(result: dict[str, Any]) -> Iterable[tuple[str, str | None]]:
    """Yield (control, label) for each label or choice a result uses; (control, None) for free text."""
    if result.get("type") == "relation":
        for label in result.get("labels") or []:
            yield RELATIONS, label
        return
    value = result.get("value") or {}
    values = (value.get("labels") or []) + (value.get("choices") or [])
    if not values:
        yield result.get("from_name", ""), None
    for label in values:
        yield result.get("from_name", ""), label


def removed_labels_in_use(tasks: list[dict[str, Any]], new_config: str) -> list[LabelInUse]:
    """List every existing annotation result whose control or label the new config drops."""
    allowed = config_labels(new_config)
    affected = []
    for task in tasks:
        for annotation in task.get("annotations") or []:
            for result in annotation.get("result") or []:
                for control, label in result_labels(result):
                    if control not in allowed or (label is not None and label not in allowed[control]):
                        affected.append(LabelInUse(task["id"], annotation["id"], control, label or "(text)"))
    return affected


def prediction_results(
    predictions: list[dict[str, Any]], documents: dict[str, dict[str, Any]], configs: dict[str, str]
) -> dict[str, list[Any]]:
    """Convert pre-annotation records to LS results per document, validated locally; raise listing every problem."""
    problems: list[Problem] = []
    out: dict[str, list[Any]] = {}
    for index, record in enumerate(predictions):
        where = f"/{index}"
        method = (record.get("provenance") or {}).get("method")
        document = documents.get(record.get("document_id", ""))
        if method != "preannotation":
            problems.append(Problem(f"{where}/provenance/method", "not a pre-annotation", method, "preannotation"))
        elif document is None:
            problems.append(Problem(f"{where}/document_id", "no such document in this push", record.get("document_id")))
        elif record.get("document_sha256") != document["sha256"]:
            problems.append(Problem(f"{where}/document_sha256", "made for other text", record.get("document_sha256")))
        elif record["document_id"] in out:
            problems.append(Problem(f"{where}/document_id", "second pre-annotation for one document", document["id"]))
        else:
            results = with_region_scores(record_to_results(record), record.get("provenance") or {})
            problems += prediction_problems(results, configs[document["language"]], where)
            out[document["id"]] = results
    if problems:
        raise ValidationError(
            f"{len(problems)} problem(s) in the pre-annotations; nothing was pushed",
            problems,
            hint="fix the pre-annotation records listed above, then run: goldkit push --predictions PATH",
        )
    return out


def with_region_scores(results: list[Any], provenance: dict[str, Any]) -> list[Any]:
    """Give each result item the score its pre-annotator gave its region (provenance.region_scores)."""
    scores = {item["region"]: item["score"] for item in provenance.get("region_scores") or []}
    return [{**item, "score": scores[item["id"]]} if item.get("id") in scores else item for item in results]


def prediction_score(results: list[Any]) -> float | None:
    """The prediction's score: the mean of its regions' scores (None when no region has one)."""
    scores = {item["id"]: item["score"] for item in results if "score" in item and item.get("id")}
    return round(sum(scores.values()) / len(scores), 4) if scores else None


def prediction_problems(results: list[Any], config: str, where: str) -> list[Problem]:
    messages = label_interface(config).validate_prediction({"result": results}, return_errors=True)
    problems = [Problem(where, str(message)) for message in messages or []]
    relation_labels = config_labels(config)[RELATIONS]
    for result in results:
        for label in result.get("labels", []) if result.get("type") == "relation" else []:
            if label not in relation_labels:
                problems.append(Problem(where, "relation label not in the config", label, sorted(relation_labels)))
    return problems


# ---------------------------------------------------------------- talking to the server


def push(
    documents: list[dict[str, Any]],
    *,
    overlap: int | None = None,
    predictions: list[dict[str, Any]] | None = None,
    model_version: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    client: LabelStudio | None = None,
    project_prefix: str = PROJECT_PREFIX,
) -> PushReport:
    """Create or update one project per language and import the documents not there yet."""
    if overlap is not None and overlap < 1:
        raise InputError(f"overlap must be at least 1, got {overlap}", got=overlap)
    by_language = group_documents(documents)
    configs = {language: render.label_config(language) for language in by_language}
    for config in configs.values():
        label_interface(config)  # offline parse; the server validates again on create and update
    documents_by_id = {d["id"]: d for d in documents}
    results = prediction_results(predictions or [], documents_by_id, configs)
    if results and model_version is None:
        model_version = DEFAULT_MODEL_VERSION
    client = client or lsclient.connect()
    if dry_run:
        return _push(client, by_language, configs, results, overlap, model_version, True, progress, project_prefix)
    with project_lock(lsclient.client_url(client), project_prefix):  # a second push at once would duplicate
        return _push(client, by_language, configs, results, overlap, model_version, False, progress, project_prefix)


def _push(
    client: LabelStudio,
    by_language: dict[str, list[dict[str, Any]]],
    configs: dict[str, str],
    results: dict[str, list[Any]],
    overlap: int | None,
    model_version: str | None,
    dry_run: bool,
    progress: Progress | None,
    project_prefix: str,
) -> PushReport:
    report = PushReport(lsclient.client_url(client), dry_run, overlap, model_version, [])
    known: dict[str, list[dict[str, Any]]] = {}  # language -> the project's tasks before this push
    titles = {language: project_title(language, project_prefix) for language in by_language}
    found = lsclient.projects_by_title(client, titles.values(), hint=DUPLICATE_HINT)  # one listing for all
    for language, docs in sorted(by_language.items()):
        settings = project_settings(overlap, model_version, language)
        project = push_language(
            client, language, project_prefix, docs, configs[language], settings, results, dry_run, known,
            found[titles[language]],
        )  # fmt: skip
        report.projects.append(project)
    if not dry_run:
        _import_all(client, report, by_language, results, model_version, progress, known)
    return report


def project_settings(
    overlap: int | None, model_version: str | None, language: str = wording.SOURCE_LANGUAGE
) -> dict[str, Any]:
    """Project settings push keeps in line: overlap (when given), instructions, the model version annotators see."""
    settings: dict[str, Any] = {"expert_instruction": guidelines_html(language), "show_instruction": True}
    if overlap is not None:
        settings["maximum_annotations"] = overlap
    if model_version:
        settings["model_version"] = model_version
    return settings


def push_language(
    client: LabelStudio,
    language: str,
    prefix: str,
    docs: list[dict[str, Any]],
    config: str,
    settings: dict[str, Any],
    results: dict[str, list[dict[str, Any]]],
    dry_run: bool,
    known: dict[str, list[dict[str, Any]]] | None = None,
    found: Any = ...,
) -> ProjectPush:
    """Find (unless given) or create the project, apply config and settings, and plan what to import."""
    title = project_title(language, prefix)
    model_version = settings.get("model_version")
    if found is ...:
        found = find_project(client, language, prefix)
    if found is None:
        settings = {"maximum_annotations": DEFAULT_OVERLAP, **settings}
        plan = ProjectPush(language, title, None, created=True, imported=[d["id"] for d in docs])
        plan.overlap = settings["maximum_annotations"]
        plan.predictions_imported = sum(1 for doc_id in plan.imported if doc_id in results)
        if not dry_run:
            with lsclient.errors_mapped(client, what=f"create project {title!r}"):
                plan.project_id = client.projects.create(title=title, label_config=config, **settings).id
        return plan
    project_id: int = found.id
    project = found  # the project list carries the config, the settings and the task count
    plan = ProjectPush(language, title, project_id)
    total = getattr(project, "task_number", None)
    tasks = task_index.known_tasks(client, project_id, total)  # remembered between pushes when nothing changed
    if known is not None:
        known[language] = tasks
    stale: dict[int, dict[str, Any]] = {}
    if _normalized(project.label_config) != _normalized(config):
        # only a config change needs the annotations: the full export, several times slower, just then
        exported = lsclient.export_project_json(client, project_id)
        _refuse_removed_labels(exported, config, project_id, title)
        plan.config_changed = True
        stale = _stale_task_data(exported, docs)
        plan.data_refreshed = sorted(stale)
    plan.settings_changed = [key for key, value in settings.items() if getattr(project, key, None) != value]
    plan.overlap = settings.get("maximum_annotations", getattr(project, "maximum_annotations", None))
    if "maximum_annotations" in plan.settings_changed:
        plan.overlap_before = getattr(project, "maximum_annotations", None)
    _plan_documents(plan, tasks, docs)
    existing = _existing_prediction_tasks(client, project_id, model_version) if results else set()
    plan.predictions_existing = len(existing)
    plan.predictions_imported = sum(1 for doc_id in plan.imported if doc_id in results) + sum(
        1 for doc_id in plan.unchanged if doc_id in results and plan.task_ids[doc_id] not in existing
    )
    if not dry_run:
        # the server refuses a model_version no prediction has yet: config first, then predictions, then settings
        _update_project(client, project_id, {"label_config": config} if plan.config_changed else {})
        for task_id, data in stale.items():  # tasks pushed before the config read these keys would show blank
            with lsclient.errors_mapped(client, what=f"update the data of task {task_id}", project_id=project_id):
                client.tasks.update(id=str(task_id), data=data)
        _add_predictions_to_existing(client, plan, results, existing, model_version)
        _update_project(client, project_id, {key: settings[key] for key in plan.settings_changed})
    return plan


def _stale_task_data(tasks: list[dict[str, Any]], docs: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Task id -> fresh data, for tasks of these documents (same text) that lack a key of lsmap.DATA_KEYS."""
    by_id = {d["id"]: d for d in docs}
    stale = {}
    for task in tasks:
        data: dict[str, Any] = task["data"] if isinstance(task.get("data"), dict) else {}
        document = by_id.get(str(data.get("doc_id")))
        if document and data.get("sha256") == document["sha256"] and not set(lsmap.DATA_KEYS) <= set(data):
            stale[int(task["id"])] = {**data, **task_data(document)}
    return stale


def _update_project(client: LabelStudio, project_id: int, changes: dict[str, Any]) -> None:
    """PATCH the project; the server validates a new label_config against existing annotations too."""
    if changes:
        with lsclient.errors_mapped(client, what=f"update project {project_id}", project_id=project_id):
            client.projects.update(id=project_id, **changes)


def _normalized(config: str | None) -> str:
    return "\n".join(line.strip() for line in (config or "").strip().splitlines())


def _refuse_removed_labels(tasks: list[dict[str, Any]], config: str, project_id: int, title: str) -> None:
    affected = removed_labels_in_use(tasks, config)
    if affected:
        listing = "\n".join(
            f"  • task {a.task_id}, annotation {a.annotation_id}: {a.control} = {a.label}" for a in affected[:50]
        )
        raise ConflictError(
            f"the new config for {title!r} (project {project_id}) drops labels that {len(affected)} existing "
            f"annotation result(s) use; nothing was changed:\n{listing}",
            hint="keep those labels in the schema (rename by adding the new one first), or fix the annotations in "
            "Label Studio, then run: goldkit push",
            project_id=project_id,
            affected=[a.__dict__ for a in affected],
        )


def _plan_documents(plan: ProjectPush, tasks: list[dict[str, Any]], docs: list[dict[str, Any]]) -> None:
    existing = {t["data"].get("doc_id"): t for t in tasks if isinstance(t.get("data"), dict)}
    for document in docs:
        task = existing.get(document["id"])
        if task is None:
            plan.imported.append(document["id"])
            continue
        claimed, listed = task["data"].get("sha256"), _listed_sha256(task)
        if document["sha256"] != claimed or document["sha256"] != listed:
            got = listed if listed != document["sha256"] else claimed  # a text edited in Label Studio: as it is now
            plan.conflicts.append(DocumentConflict(document["id"], task["id"], got, document["sha256"]))
        else:
            plan.unchanged.append(document["id"])
            plan.task_ids[document["id"]] = task["id"]


def _listed_sha256(task: dict[str, Any]) -> str | None:
    """The sha256 of the task's text as last listed; a memory from before text hashes: what its data claims."""
    data = task["data"]
    listed = data.get(task_index.TEXT_SHA256, data.get("sha256"))
    return listed if isinstance(listed, str) else None


def _existing_prediction_tasks(client: LabelStudio, project_id: int, model_version: str | None) -> set[int]:
    with lsclient.errors_mapped(client, what=f"list predictions of project {project_id}", project_id=project_id):
        return {p.task for p in client.predictions.list(project=project_id) if p.model_version == model_version}


def _add_predictions_to_existing(
    client: LabelStudio,
    plan: ProjectPush,
    results: dict[str, list[dict[str, Any]]],
    existing: set[int],
    model_version: str | None,
) -> None:
    for doc_id in plan.unchanged:
        task_id = plan.task_ids[doc_id]
        if doc_id in results and task_id not in existing:
            with lsclient.errors_mapped(client, what=f"add a prediction to task {task_id}"):
                score = prediction_score(results[doc_id])
                scored = {"score": score} if score is not None else {}
                client.predictions.create(task=task_id, result=results[doc_id], model_version=model_version, **scored)


def _import_all(
    client: LabelStudio,
    report: PushReport,
    by_language: dict[str, list[dict[str, Any]]],
    results: dict[str, list[dict[str, Any]]],
    model_version: str | None,
    progress: Progress | None,
    known: dict[str, list[dict[str, Any]]],
) -> None:
    """Import every planned document in batches, with its prediction if it has one; remember the new tasks.

    One batch is on the server while the next one's payload (and its task-index rows) is made here: the
    client's work hides in the server's. Batches still go one at a time and in order, and a batch that
    fails stops the import before the next is sent, as a plain loop would."""
    total = report.imported
    done = 0
    with ThreadPoolExecutor(1, thread_name_prefix="goldkit-import") as sender:
        for plan in report.projects:
            wanted = set(plan.imported)
            docs = [d for d in by_language[plan.language] if d["id"] in wanted]
            rows: list[dict[str, Any]] = []  # the task index's rows of the imported tasks (ids filled in after)
            in_flight: tuple[list[dict[str, Any]], Future[Any]] | None = None
            for start in range(0, len(docs) + IMPORT_BATCH, IMPORT_BATCH):
                batch = docs[start : start + IMPORT_BATCH]
                payload = [_task_payload(d, results.get(d["id"]), model_version) for d in batch]
                rows += [task_index.slim({"id": None, "data": p["data"]}) for p in payload]
                if in_flight is not None:
                    sent, answer = in_flight[0], in_flight[1].result()
                    task_ids = getattr(answer, "task_ids", None) or []
                    plan.task_ids.update(zip((d["id"] for d in sent), task_ids, strict=False))
                    done += len(sent)
                    if progress:
                        progress(done, total)
                in_flight = (batch, sender.submit(_import_batch, client, plan, payload)) if batch else None
            if docs and plan.project_id is not None:
                for row, d in zip(rows, docs, strict=True):
                    row["id"] = plan.task_ids.get(d["id"])
                task_index.remember_imported(client, plan.project_id, known.get(plan.language, []), rows)


def _import_batch(client: LabelStudio, plan: ProjectPush, payload: list[dict[str, Any]]) -> Any:
    assert plan.project_id is not None  # created in push_language unless dry_run
    with lsclient.errors_mapped(client, what=f"import tasks into project {plan.project_id}"):
        return client.projects.import_tasks(id=plan.project_id, request=cast(Any, payload), return_task_ids=True)


def _task_payload(document: dict[str, Any], results: list[dict[str, Any]] | None, model_version: str | None) -> dict:
    payload: dict[str, Any] = {"data": task_data(document)}
    if results is not None:
        prediction: dict[str, Any] = {"result": results, "model_version": model_version}
        score = prediction_score(results)
        if score is not None:
            prediction["score"] = score  # Label Studio can order tasks by it, least certain first
        payload["predictions"] = [prediction]
    return payload
