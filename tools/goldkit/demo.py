"""The main job end to end on the embedded Label Studio: what `make demo` runs.

Steps: ingest the corpus → check the generated files → validate the gold → install and start the
embedded server → pre-annotate and push the articles with their suggestions → submit the committed
gold through the API as an annotator (the stand-in for a person annotating) → pull it back and check
the pulled records equal the gold → build a release in a scratch folder → load it with `datasets`.

The demo works in projects of its own, titled `goldkit-demo · <language>` (DEMO_PREFIX), with overlap 1:
the real projects' settings, queues and annotator counts are never touched, and a real `goldkit pull`
(prefix `goldkit`) never sees the demo annotator.

Re-running is safe: push imports nothing new and the gold is submitted once per task. Pulls and the
scratch release go under the state folder (.goldkit/demo/), so the repository is not touched beyond
annotations/documents.jsonl, which ingest rewrites only when it changes.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldkit import paths
from goldkit.errors import GoldkitError, ReconcileError, SchemaError
from goldkit.jsonio import iter_jsonl
from goldkit.schema.loading import schema_value
from goldkit.schema.records import canonicalize

DEMO_ANNOTATOR = "demo.annotator@goldkit.local"
DEMO_PREFIX = "goldkit-demo"  # project titles '<prefix> · <language>', apart from the real 'goldkit · …' ones
DEMO_OVERLAP = 1  # one stand-in annotator submits the gold
DEMO_VERSION = "1.0.0"
Step = Callable[[str, str], None]


@dataclass
class DemoReport:
    url: str = ""
    login: dict[str, str] = field(default_factory=dict)
    credentials_file: str = ""
    documents: list[str] = field(default_factory=list)
    pushed: int = 0
    predictions_attached: int = 0
    gold_submitted: int = 0
    gold_already_there: int = 0
    pull_folder: str = ""
    pulled_equal_gold: bool = False
    release_folder: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    sample_claims: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def demo_dir() -> Path:
    return paths.state_dir() / "demo"


def _ingest(report: DemoReport) -> dict[str, dict[str, Any]]:
    from goldkit.ingest.documents import ingest, load_documents, write_documents

    documents = ingest(sorted(paths.corpus_dir().glob("*.txt"))).documents
    target = paths.documents_path()
    current = load_documents(target) if target.exists() else {}
    if current != {d["id"]: d for d in documents}:
        write_documents(documents, target)
    report.documents = [d["id"] for d in documents]
    return {d["id"]: d for d in documents}


def _check_generated() -> None:
    from goldkit.generate.files import check_drift

    stale = check_drift()
    if stale:
        raise SchemaError(
            f"generated files differ from the schema: {', '.join(str(p) for p in stale)}",
            hint="regenerate them with: goldkit schema render",
        )


def _load_gold(documents: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    from goldkit.schema.validate import validate_paths

    validate_paths([paths.gold_dir()], documents_path=paths.documents_path()).raise_for_problems()
    from goldkit.preannotate.rules import load_gold

    gold = load_gold()
    missing = sorted(set(documents) - set(gold))
    if missing:
        raise GoldkitError(f"no gold record for {missing}", hint="add annotations/gold/<document_id>.json")
    return gold


def _start_server(report: DemoReport, on_boot: Callable[[float, str], None] | None) -> Any:
    from goldkit.labelstudio import server

    server.install()
    started = server.start(progress=on_boot)
    report.url = started.url
    annotator = server.create_user(DEMO_ANNOTATOR)
    report.login = {"email": annotator.email, "password": annotator.password}
    report.credentials_file = str(server.ServerPaths.default().credentials)
    return annotator


def _push(documents: dict[str, dict[str, Any]], report: DemoReport) -> dict[str, int]:
    from goldkit.preannotate.models import preannotate
    from goldkit.push import push

    predictions = preannotate(documents)
    model_version = predictions[0]["provenance"].get("model_version") if predictions else None
    pushed = push(list(documents.values()), overlap=DEMO_OVERLAP, predictions=predictions,
                  model_version=model_version, project_prefix=DEMO_PREFIX)  # fmt: skip
    report.pushed = pushed.imported
    report.predictions_attached = sum(p.predictions_imported for p in pushed.projects)
    return {doc_id: task_id for project in pushed.projects for doc_id, task_id in project.task_ids.items()}


def _submit_gold(gold: dict[str, dict[str, Any]], task_ids: dict[str, int], annotator: Any, report: DemoReport) -> None:
    from goldkit.labelstudio import client as lsclient
    from goldkit.labelstudio.convert import record_to_results

    client = lsclient.connect(report.url, annotator.token)
    for doc_id, record in sorted(gold.items()):
        task_id = task_ids[doc_id]
        with lsclient.errors_mapped(client, what=f"read annotations of task {task_id}"):
            existing = client.annotations.list(id=task_id)
        if any(_user_id(a) == annotator.user_id for a in existing):
            report.gold_already_there += 1
            continue
        with lsclient.errors_mapped(client, what=f"submit the gold of {doc_id} to task {task_id}"):
            client.annotations.create(id=task_id, result=record_to_results(record), lead_time=0)
        report.gold_submitted += 1


def _user_id(annotation: Any) -> int | None:
    who = getattr(annotation, "completed_by", None)
    return who if isinstance(who, int) else getattr(who, "id", None)


def _content(record: dict[str, Any]) -> dict[str, Any]:
    """What an annotator said, without who/when: the part a round trip must keep.

    `schema_version` is left out too: a pull stamps the schema it converted with (1.1.0), the committed
    gold keeps the one it was written under (1.0.0), and both read alike under the same major.
    """
    return {k: v for k, v in canonicalize(record).items() if k not in ("provenance", "schema_version")}


def _pull_and_compare(gold: dict[str, dict[str, Any]], annotator: Any, report: DemoReport) -> None:
    from goldkit.pull import pull

    pulled = pull(out_root=demo_dir() / "pulls", url=report.url, project_prefix=DEMO_PREFIX)
    report.pull_folder = str(pulled.folder)
    mine = {
        rec["document_id"]: rec
        for _, rec in iter_jsonl(pulled.folder / "records.jsonl")
        if rec["provenance"]["annotator"] == annotator.email
    }
    differing = sorted(doc for doc in gold if doc not in mine or _content(mine[doc]) != _content(gold[doc]))
    if differing:
        raise ReconcileError(
            f"pulled records differ from the gold for {differing} (pull folder {pulled.folder})",
            hint="compare the two with: goldkit validate " + str(pulled.folder),
        )
    report.pulled_equal_gold = True


def _release(report: DemoReport) -> None:
    import datasets

    from goldkit.release.build import ReleaseOptions, build_release

    datasets.disable_progress_bars()
    out = demo_dir() / "export"
    shutil.rmtree(out, ignore_errors=True)  # scratch: rebuilt every run
    built = build_release(DEMO_VERSION, ReleaseOptions(out=out))
    report.release_folder = str(built.path)
    loaded = {name: datasets.load_dataset(str(built.path), name) for name in built.rows}
    report.counts = {name: sum(len(split) for split in ds.values()) for name, ds in loaded.items()}
    claims = next(iter(loaded["claims"].values()))
    report.sample_claims = [_sample_claim(claims, language) for language in claims.features["language"].names]


def _sample_claim(claims: Any, language: str) -> dict[str, Any]:
    """Pick a telling claim of one language: attributed to someone in the text, checked if possible."""
    names = claims.features

    def label(row: dict[str, Any], column: str) -> str:
        return str(names[column].int2str(row[column]))

    rows = [r for r in claims if label(r, "language") == language]
    mention, unchecked = schema_value("ClaimantKind", "mention"), schema_value("Verdict", "unchecked")
    rows.sort(key=lambda r: (label(r, "claimant_kind") != mention, label(r, "verdict") == unchecked))
    row = rows[0]
    claimant = row["claimant_span"]["text"] if row["claimant_span"] else label(row, "claimant_kind")
    return {
        "language": language,
        "claim": row["span"]["text"],
        "claimant": claimant,
        "attribution": label(row, "attribution"),
        "verdict": label(row, "verdict"),
    }


def run_demo(
    step: Step | None = None,
    on_boot: Callable[[float, str], None] | None = None,
    *,
    existing: tuple[str, Any] | None = None,
) -> DemoReport:
    """Run the whole pipeline on the embedded server and return what happened.

    `existing` = (URL, annotator account) runs it on a server that is already up instead (the tests'
    session server; push and pull then find the API key in LABEL_STUDIO_API_KEY).
    """
    report = DemoReport()

    def done(name: str, detail: str) -> None:
        report.steps.append({"step": name, "detail": detail})
        if step:
            step(name, detail)

    documents = _ingest(report)
    done("ingest", f"{len(documents)} documents")
    _check_generated()
    done("schema", "generated files match the schema")
    gold = _load_gold(documents)
    done("gold", f"{len(gold)} gold records valid")
    if existing is None:
        annotator = _start_server(report, on_boot)
    else:
        report.url, annotator = existing
        report.login = {"email": annotator.email, "password": annotator.password}
    done("server", "Label Studio answers (its URL is printed at the end)")
    task_ids = _push(documents, report)
    attached = (
        f"{report.predictions_attached} rule-based pre-annotation(s) attached as predictions"
        if report.predictions_attached
        else "no pre-annotation to attach (every task has them already)"
    )
    done("push", f"{report.pushed} new task(s) in the {DEMO_PREFIX} projects; {attached}")
    _submit_gold(gold, task_ids, annotator, report)
    done(
        "annotate",
        f"gold submitted as {annotator.email}: {report.gold_submitted} new, {report.gold_already_there} there",
    )
    _pull_and_compare(gold, annotator, report)
    done("pull", "pulled records equal the gold")
    _release(report)
    done("release", f"{report.release_folder} loads with datasets")
    return report
