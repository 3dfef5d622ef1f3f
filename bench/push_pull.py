"""Benchmark goldkit push and pull on a real Label Studio against the plain SDK paths (not a test).

    .venv/bin/python bench/push_pull.py [--docs 10000] [--quick] [--database sqlite|postgresql]

Starts its own Label Studio (the repo's .goldkit/ls-venv, a fresh data folder under a temp dir) and
stops it at the end. Makes DOCS synthetic articles, half English and half Arabic (document records from
goldkit.ingest.build_document), each annotated twice (a paragraph-sized record per language: 3
entities, one event with 2 arguments, one claim, as bench/bench_convert.py's "paragraph"), and
measures, all in the same run:

- push:      goldkit.push.push of all documents (two new projects) vs a raw `projects.import_tasks`
             loop of the same task data into fresh projects, at several batch sizes (ratio vs the fastest)
- re-push:   push of the same, unchanged documents (imports nothing) vs the first push
- pull:      goldkit.pull.pull (export, convert, validate, write) of DOCS/2 tasks with 2 annotations
             each vs paging the same project with the SDK's `tasks.list(fields="all")`, 100 per page
- convert+validate: goldkit.convert.results_to_record (incl. validation) over the pulled export,
             annotations per CPU second
- status:    goldkit.status.status (Label Studio's counters, per-annotator counts, no export) of the
             two annotated projects vs the full pull of the same projects
- memory:    peak RSS of a pull in a fresh subprocess at DOCS/2 and DOCS tasks, less the RSS of a
             subprocess that only imports and connects, against the export size in bytes

`--pull-memory 2000,10000,20000` measures only the pull's memory: one project grown to each size in
turn (annotated tasks imported, 2 annotations each), a pull in a fresh subprocess at each size, its
peak RSS above its start (the target: flat, <= +250 MB at every size).

`--database postgresql` runs the server on a PostgreSQL cluster goldkit starts itself (see
goldkit.labelstudio.postgres); run the script once per database to compare them.

The annotated tasks are imported WITH their annotations (`completed_by` = the annotators' user ids): one
by one through the API they would take ~5 annotations/s. Rates are wall-clock unless marked CPU; the
machine may be shared, so small differences are noise.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from label_studio_sdk.core.api_error import ApiError  # noqa: E402

from goldkit import push  # noqa: E402
from goldkit.generate import render  # noqa: E402
from goldkit.ingest.documents import build_document  # noqa: E402
from goldkit.jsonio import rare_collections  # noqa: E402
from goldkit.labelstudio import client as lsclient  # noqa: E402
from goldkit.labelstudio import server  # noqa: E402
from goldkit.labelstudio.convert import record_to_results, results_to_record  # noqa: E402
from goldkit.labelstudio.projects import project_title  # noqa: E402

LS_VENV = ROOT / ".goldkit" / "ls-venv"
DATA = ROOT / "tests" / "data"
ANNOTATORS = ("bench1@goldkit.local", "bench2@goldkit.local")
RAW_BATCHES = (250, 1000, 5000)
ANNOTATED_BATCH = 500
FILLER = {
    "en": (
        "Officials in Astana said on day {i} that talks on the {k}th agreement would continue next week.",
        "Analysts expect {k} new projects in the region, according to a report published on day {i}.",
        "The ministry did not comment on figure {i}, but {k} delegations attended the meeting.",
    ),
    "ar": (
        "قال مسؤولون في أستانا في اليوم {i} إن المحادثات بشأن الاتفاق رقم {k} ستستمر الأسبوع المقبل.",
        "يتوقع المحللون {k} مشروعا جديدا في المنطقة وفقا لتقرير نشر في اليوم {i}.",
        "لم تعلق الوزارة على الرقم {i} لكن {k} وفدا حضروا الاجتماع.",
    ),
}
GOLDEN = {"en": "convert_english", "ar": "convert_arabic"}


# ---------------------------------------------------------------- synthetic data


def _template(language: str) -> tuple[str, dict[str, Any]]:
    """The golden text of a language on one line (a long first paragraph: no header) and a paragraph record."""
    case = DATA / GOLDEN[language]
    text = json.loads((case / "task.json").read_text(encoding="utf-8"))["data"]["text"].replace("\n", " ")
    record = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    kept = {e["id"] for e in record["entities"][:3]}
    record["entities"] = record["entities"][:3]
    for event in record["events"]:
        event["arguments"] = [a for a in event["arguments"] if a["entity"] in kept][:2]
    record["claims"] = [c for c in record["claims"] if (c.get("claimant") or {}).get("entity") in kept | {None}][-1:]
    for claim in record["claims"]:
        claim["event"] = None
    return text, record


def make_documents(n: int) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Return n document records (even: English, odd: Arabic) and the annotation results per language."""
    templates = {language: _template(language) for language in GOLDEN}
    documents = []
    for i in range(n):
        language = "en" if i % 2 == 0 else "ar"
        head, _ = templates[language]
        sentences = [FILLER[language][j % 3].format(i=i, k=7 * j + i % 97) for j in range(16)]
        paragraphs = [" ".join(sentences[at : at + 5]) for at in (1, 6, 11)]
        text = f"{head} {sentences[0]}\n\n" + "\n".join(paragraphs) + "\n"
        document = build_document(text, [], f"bench-{i:06d}.txt")
        assert document["language"] == language, (i, document["language"])
        documents.append(document)
    results = {}
    for language, (_, record) in templates.items():
        sample = next(d for d in documents if d["language"] == language)
        record = {**copy.deepcopy(record), "document_id": sample["id"], "document_sha256": sample["sha256"]}
        results[language] = record_to_results(record)
        annotation = {"id": 1, "completed_by": 1, "result": results[language]}
        check = results_to_record({"id": 1, "data": push.task_data(sample)}, annotation)
        assert check.record is not None, check.problems
    return documents, results


def annotated_tasks(documents: list[dict[str, Any]], results: dict[str, Any], users: list[int]) -> list[dict]:
    """Import payloads: each document's task data with one annotation per annotator."""
    return [
        {
            "data": push.task_data(d),
            "annotations": [{"result": results[d["language"]], "completed_by": user} for user in users],
        }
        for d in documents
    ]


# ---------------------------------------------------------------- measurements


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def import_loop(client: Any, title: str, payloads: dict[str, list[dict]], batch: int) -> float:
    """Import the payloads of each language into a new project, `batch` tasks per call; return the seconds."""
    projects = {
        lang: client.projects.create(title=f"{title} {lang}", label_config=render.label_config(lang)).id
        for lang in payloads
    }
    start = time.perf_counter()
    for lang, tasks in payloads.items():
        for at in range(0, len(tasks), batch):
            client.projects.import_tasks(id=projects[lang], request=tasks[at : at + batch], return_task_ids=True)
    return time.perf_counter() - start


def sdk_paging(client: Any, project_id: int, page_size: int = 100) -> tuple[int, int]:
    """Page through a project with the SDK's tasks.list (full tasks); return (tasks, annotations) seen."""
    tasks = annotations = 0
    try:
        for task in client.tasks.list(project=project_id, fields="all", page_size=page_size):
            tasks += 1
            annotations += len(task.annotations or [])
    except ApiError as e:  # the pager asks for one page past the end (label-studio-sdk #148)
        if e.status_code != 404:
            raise
    return tasks, annotations


def raw_export(client: Any, project_id: int) -> tuple[float, int, list[dict]]:
    """Time the plain JSON export of a project; return (seconds, bytes, tasks)."""
    wrapper = client._client_wrapper
    http = wrapper.httpx_client.httpx_client
    url = f"{lsclient.client_url(client)}/api/projects/{project_id}/export"
    start = time.perf_counter()
    response = http.get(url, params={"exportType": "JSON", "download_all_tasks": "true"}, headers=wrapper.get_headers())
    response.raise_for_status()
    body = response.content
    seconds = time.perf_counter() - start
    return seconds, len(body), json.loads(body)


def convert_rate(exports: list[tuple[int, list[dict]]], repeat: int = 2) -> tuple[int, float]:
    """Convert and validate every exported annotation; return (annotations, best CPU seconds)."""
    pairs = [(pid, t, a) for pid, tasks in exports for t in tasks for a in t.get("annotations") or []]
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        with rare_collections():  # as pull converts: the whole export is held meanwhile
            converted = [results_to_record(task, annotation, project_id=pid) for pid, task, annotation in pairs]
        best = min(best, time.process_time() - start)
    bad = [c.problems for c in converted if c.record is None]
    assert not bad, bad[:2]
    return len(pairs), best


KEY_ENV = "GOLDKIT_BENCH_API_KEY"  # the child's API key: in its environment, never on its command line (ps)


def child(args: list[str], key: str | None = None) -> dict[str, Any]:
    """Run this script as a subprocess step (the API key passed in the environment); return its JSON answer."""
    env = {**os.environ, KEY_ENV: key} if key else None
    command = [sys.executable, __file__, *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _memory_kb(field: str) -> int:
    """A VmRSS/VmHWM figure of this process from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _child_main(argv: list[str]) -> None:
    """Subprocess step `_pull URL OUT IDS [since-last]` (key in $GOLDKIT_BENCH_API_KEY): time one pull and its
    peak RSS. `since-last`: a since-last pull with no overlap window (the bench's tasks were all imported
    minutes before the mark, so the 10-minute window would export them all again)."""
    from goldkit.labelstudio import export as lsexport
    from goldkit.pull import pull

    url, out, ids = argv[1:4]
    since_last = argv[4:5] == ["since-last"]
    if since_last:
        lsexport.OVERLAP = datetime.timedelta(0)
    key = os.environ[KEY_ENV]
    client = lsclient.connect(url, key)
    before = _memory_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
    projects = [int(i) for i in ids.split(",")]
    seconds, report = timed(pull, projects=projects, out_root=Path(out), client=client, since_last=since_last)
    peak = _memory_kb("VmHWM")
    totals = {name: report.total(name) for name in ("tasks", "valid", "quarantined", "unchanged")}
    totals["exported"] = sum(p.tasks_exported if p.tasks_exported is not None else p.tasks for p in report.projects)
    print(json.dumps({"seconds": seconds, "start_mb": before / 1024, "peak_mb": peak / 1024, **totals}))


# ---------------------------------------------------------------- the run


class Bench:
    def __init__(self, docs: int, tmp: Path, database: str = "sqlite") -> None:
        self.docs, self.tmp, self.database = docs, tmp, database
        self.paths = server.ServerPaths(tmp / "state", LS_VENV)
        self.rows: list[tuple[str, str, str, str, str, str]] = []
        self.notes: list[str] = []

    def row(self, name: str, ours: str, base: str, ratio: str, target: str, met: bool | None) -> None:
        self.rows.append((name, ours, base, ratio, target, "n/a" if met is None else ("yes" if met else "NO")))
        say(f"  {name}: {ours} | {base} | {ratio} | target {target}")

    def start(self) -> None:
        with socket.socket() as probe:  # a free port of our own: 8080 may belong to a server still booting
            probe.bind((server.HOST, 0))
            port = probe.getsockname()[1]
        seconds, report = timed(server.start, self.paths, database=self.database, preferred_port=port, timeout=1800)
        say(f"server {report.url} on {self.database} up in {seconds:.0f} s (first boot {report.first_boot})")
        self.users = [server.create_user(email, paths=self.paths).user_id for email in ANNOTATORS]
        credentials = server.load_credentials(self.paths)
        assert credentials is not None and credentials.admin.token
        self.url, self.key = report.url, credentials.admin.token
        self.client = lsclient.connect(self.url, self.key)

    def run(self) -> None:
        seconds, (self.documents, self.results) = timed(make_documents, self.docs)
        say(f"{self.docs} documents made in {seconds:.1f} s")
        self.start()
        self.bench_push()
        self.bench_pull()

    def bench_push(self) -> None:
        payloads: dict[str, list[dict]] = {}
        for d in self.documents:
            payloads.setdefault(d["language"], []).append({"data": push.task_data(d)})
        per_language = max(len(p) for p in payloads.values())
        import_loop(self.client, "warm-up", {"en": payloads["en"][:100]}, 100)
        batches = sorted({min(b, per_language) for b in RAW_BATCHES})
        raw: dict[int, float] = {}
        for batch in batches[:1]:
            raw[batch] = import_loop(self.client, f"raw {batch}", payloads, batch)
        first, report = timed(push.push, self.documents, client=self.client, project_prefix="bench")
        assert report.imported == self.docs, report.imported
        for batch in batches[1:]:
            raw[batch] = import_loop(self.client, f"raw {batch}", payloads, batch)
        for batch, seconds in raw.items():
            say(f"  raw import_tasks loop, {batch} per call: {self.docs / seconds:,.0f} tasks/s")
        best = min(raw, key=lambda b: raw[b])
        ratio = raw[best] / first
        self.row(
            "push (new documents)",
            f"{self.docs / first:,.0f} tasks/s",
            f"{self.docs / raw[best]:,.0f} tasks/s (raw loop, {best}/call)",
            f"{ratio:.0%}",
            ">= 70%",
            ratio >= 0.70,
        )
        again = []
        for _ in range(2):
            seconds, report = timed(push.push, self.documents, client=self.client, project_prefix="bench")
            assert report.imported == 0 and sum(len(p.unchanged) for p in report.projects) == self.docs
            again.append(seconds)
        ratio = min(again) / first
        self.row(
            "re-push (unchanged)",
            f"{min(again):.2f} s (best of 2)",
            f"{first:.2f} s (first push)",
            f"{ratio:.0%}",
            "<= 10%",
            ratio <= 0.10,
        )

    def bench_pull(self) -> None:
        half = self.docs // 2
        halves = [self.documents[:half], self.documents[half:]]
        ids = []
        start = time.perf_counter()
        for n, docs in enumerate(halves):
            title = project_title(("en", "ar")[n], "annotated")  # goldkit titles: `goldkit status` finds them
            project = self.client.projects.create(title=title, label_config=render.label_config("en"))
            tasks = annotated_tasks(docs, self.results, self.users)
            for at in range(0, len(tasks), ANNOTATED_BATCH):
                self.client.projects.import_tasks(id=project.id, request=tasks[at : at + ANNOTATED_BATCH])
            ids.append(project.id)
        say(f"{self.docs} annotated tasks imported in {time.perf_counter() - start:.0f} s")
        exports = []
        sizes = []
        for pid in ids:
            seconds, size, tasks = raw_export(self.client, pid)
            say(f"  plain JSON export of project {pid}: {len(tasks)} tasks, {size / 1e6:.1f} MB in {seconds:.1f} s")
            exports.append((pid, tasks))
            sizes.append(size)
        annotations, cpu = convert_rate(exports)
        self.row(
            "convert+validate",
            f"{annotations / cpu:,.0f} annotations/s (CPU)",
            f"{annotations} annotations ({sum(sizes) / annotations / 1e3:.1f} export KB each)",
            "",
            ">= 20,000/s",
            annotations / cpu >= 20_000,
        )
        del exports
        pulls = []
        for chosen in (ids[:1], ids):
            out = self.tmp / f"pulls-{len(chosen)}"
            answer = child(["_pull", self.url, str(out), ",".join(map(str, chosen))], key=self.key)
            assert answer["quarantined"] == 0 and answer["valid"] == 2 * answer["tasks"], answer
            pulls.append(answer)
            say(
                f"  pull of {answer['tasks']} tasks: {answer['seconds']:.1f} s, "
                f"RSS {answer['start_mb']:.0f} MB before, peak {answer['peak_mb']:.0f} MB"
            )
        seconds, (tasks, seen) = timed(sdk_paging, self.client, ids[0])
        assert tasks == half and seen == 2 * half, (tasks, seen)
        ratio = seconds / pulls[0]["seconds"]
        self.row(
            "pull",
            f"{half / pulls[0]['seconds']:,.0f} tasks/s ({2 * half / pulls[0]['seconds']:,.0f} annotations/s)",
            f"{half / seconds:,.0f} tasks/s (SDK tasks.list, 100/page)",
            f"{ratio:.1f}x",
            ">= 2x",
            ratio >= 2,
        )
        self.memory_row(pulls, sizes)
        self.status_row(pulls[1]["seconds"], 2 * half)

    def status_row(self, pull_seconds: float, tasks: int) -> None:
        from goldkit.status import status

        runs = [timed(status, client=self.client, pulls_root=self.tmp / "no-pulls", project_prefix="annotated")]
        runs.append(timed(status, client=self.client, pulls_root=self.tmp / "no-pulls", project_prefix="annotated"))
        seconds, report = min(runs, key=lambda r: r[0])
        assert sum(s.progress.tasks for s in report.languages) == tasks, report
        assert sum(s.progress.annotations for s in report.languages) == 2 * tasks, report
        ratio = seconds / pull_seconds
        self.row(
            "goldkit status",
            f"{seconds:.2f} s (best of 2)",
            f"{pull_seconds:.1f} s (full pull of the same {tasks} tasks)",
            f"{ratio:.1%}",
            "<= 5%",
            ratio <= 0.05,
        )

    def memory_row(self, pulls: list[dict[str, Any]], sizes: list[int]) -> None:
        small, large = (p["peak_mb"] - p["start_mb"] for p in pulls)
        size_small, size_large = sizes[0], sum(sizes)
        growth, size_growth = large / small, size_large / size_small
        self.row(
            "pull peak memory (above start)",
            f"+{small:.0f} MB at {size_small / 1e6:.0f} MB export, +{large:.0f} MB at {size_large / 1e6:.0f} MB",
            f"start {pulls[0]['start_mb']:.0f} MB (imports + connect)",
            f"x{growth:.2f} for export x{size_growth:.2f} ({large * 1e6 / size_large:.1f} MB per export MB)",
            "growth <= export growth",
            growth <= size_growth * 1.05,
        )

    def bench_pull_memory(self, sizes: list[int]) -> None:
        """Grow one annotated project to each size; pull it whole in a fresh subprocess at each."""
        seconds, (self.documents, self.results) = timed(make_documents, max(sizes))
        say(f"{max(sizes)} documents made in {seconds:.1f} s")
        self.start()
        project = self.client.projects.create(
            title=project_title("en", "memory"), label_config=render.label_config("en")
        )
        done = 0
        for size in sorted(sizes):
            start = time.perf_counter()
            tasks = annotated_tasks(self.documents[done:size], self.results, self.users)
            for at in range(0, len(tasks), ANNOTATED_BATCH):
                self.client.projects.import_tasks(id=project.id, request=tasks[at : at + ANNOTATED_BATCH])
            done = size
            say(f"  project grown to {size} annotated tasks in {time.perf_counter() - start:.0f} s")
            out = self.tmp / f"pulls-{size}"
            answer = child(["_pull", self.url, str(out), str(project.id)], key=self.key)
            assert answer["tasks"] == size and answer["valid"] == 2 * size, answer
            records = (next(out.iterdir()) / "records.jsonl").stat().st_size
            shutil.rmtree(out)
            above = answer["peak_mb"] - answer["start_mb"]
            self.row(
                f"pull peak memory, {size:,} tasks",
                f"+{above:.0f} MB (peak {answer['peak_mb']:.0f} MB)",
                f"start {answer['start_mb']:.0f} MB; records {records / 1e6:.0f} MB; pull {answer['seconds']:.0f} s",
                f"{above / max(records / 1e6, 1):.2f} MB per records MB",
                "<= +250 MB",
                above <= 250,
            )

    def bench_since_last(self, size: int, share: float = 0.01) -> None:
        """Full pull of `size` annotated tasks, then `share` of them get a new annotation, then pull --since-last."""
        seconds, (self.documents, self.results) = timed(make_documents, size)
        say(f"{size} documents made in {seconds:.1f} s")
        self.start()
        title = project_title("en", "since")
        project = self.client.projects.create(title=title, label_config=render.label_config("en"))
        tasks = annotated_tasks(self.documents, self.results, self.users)
        task_ids: list[int] = []
        for at in range(0, len(tasks), ANNOTATED_BATCH):
            batch = tasks[at : at + ANNOTATED_BATCH]
            task_ids += self.client.projects.import_tasks(id=project.id, request=batch, return_task_ids=True).task_ids
        out = self.tmp / "pulls-since"
        full = child(["_pull", self.url, str(out), str(project.id)], key=self.key)
        changed = task_ids[:: int(1 / share)]
        for task_id, document in zip(changed, self.documents[:: int(1 / share)], strict=True):
            self.client.annotations.create(id=task_id, result=self.results[document["language"]])
        since = child(["_pull", self.url, str(out), str(project.id), "since-last"], key=self.key)
        assert since["valid"] >= len(changed), since
        ratio = since["seconds"] / full["seconds"]
        self.row(
            f"pull --since-last, {len(changed)} of {size:,} tasks changed",
            f"{since['seconds']:.1f} s ({since['exported']} tasks exported, {since['valid']} records)",
            f"{full['seconds']:.1f} s (full pull of the same {full['tasks']:,} tasks)",
            f"{ratio:.1%}",
            "<= 5%",
            ratio <= 0.05,
        )

    def print_table(self) -> None:
        head = ("measure", "goldkit", "baseline (same run)", "ratio", "target", "met")
        widths = [max(len(r[i]) for r in [head, *self.rows]) for i in range(6)]
        print()
        for line in [head, tuple("-" * w for w in widths), *self.rows]:
            print("| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_pull":
        _child_main(sys.argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="synthetic articles (default 10000)")
    parser.add_argument("--quick", action="store_true", help="1000 articles, to try the script")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (server data, pulls)")
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql"), default="sqlite", help="Label Studio's database"
    )
    parser.add_argument("--since-last", type=int, metavar="TASKS", help="only pull --since-last after 1%% changed")
    parser.add_argument("--pull-memory", metavar="SIZES", help="only pull memory, at these task counts (2000,10000)")
    args = parser.parse_args()
    docs = 1000 if args.quick else args.docs
    if not (LS_VENV / "bin" / "label-studio").exists():
        sys.exit(f"Label Studio is not installed in {LS_VENV}: run `make server-install`")
    tmp = Path(tempfile.mkdtemp(prefix="goldkit-bench-"))
    tmp.chmod(0o711)  # the PostgreSQL cluster's owner (goldkit-pg when run as root) must pass through
    bench = Bench(docs, tmp, args.database)
    began = time.perf_counter()
    try:
        if args.since_last:
            bench.bench_since_last(args.since_last)
        elif args.pull_memory:
            bench.bench_pull_memory([int(n) for n in args.pull_memory.split(",")])
        else:
            bench.run()
    finally:
        server.stop(bench.paths)
        if args.keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    bench.print_table()
    print(f"\n{docs} documents ({docs // 2} English, {docs - docs // 2} Arabic), 2 annotations each, "
          f"Label Studio on {args.database}; "
          f"whole run {time.perf_counter() - began:.0f} s")  # fmt: skip


if __name__ == "__main__":
    main()
