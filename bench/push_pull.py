"""Benchmark goldkit push, pull and status on a real Label Studio against the server's own paths (not a test).

    .venv/bin/python bench/push_pull.py --docs 100000 --sizes 10000,50000,100000 --database sqlite|postgresql
    .venv/bin/python bench/push_pull.py --classic --docs 10000     # the older measures (re-push, SDK paging)

Starts its own Label Studio (the repo's .goldkit/ls-venv, a fresh data folder under a temp dir, or the
state folder given with --state, which --keep-server leaves running for the next run) and stops it at
the end. Run it once per database, one after the other (a free core matters for the export). The
documents are synthetic articles, half English and half Arabic (goldkit.ingest.build_document), each
annotated twice (a paragraph-sized record per language: 3 entities, one event with 2 arguments, one
claim; the second annotator's differs on half the documents: its first entity ends one character earlier
and it has no claim, so the agreement `goldkit status` reports is below 1). One run measures every target
of issue #15 on ONE server, each against a baseline measured in the same run, with the 1-minute load
average at the start and end of each phase:

- push:      goldkit.push.push of DOCS new documents (two new projects) between two raw
             `projects.import_tasks` loops of the same task data into fresh projects (1000 per call
             before, 5000 after); the ratio is against the faster loop (target >= 80%)
- pull memory: one annotated project grown to each of SIZES (tasks imported WITH their 2
             annotations, `completed_by` = two annotators' user ids, through the API: one by one they
             would take ~5 annotations/s), a full pull in a fresh subprocess at each size, its peak RSS
             above its own start (after imports and connecting); target <= +250 MB at every size
- ceiling:   at the largest size, the server's JSON export of the same tasks as pull asks for them
             (the same id chunks, the same requests in flight, bodies counted and dropped) vs that
             full pull (target: pull >= 90% of the export's rate)
- since-last: 1% of the tasks get a new annotation (the admin's, through the API), then
             `pull --since-last` on the full pull vs the full pull (target <= 5% of its time). The
             overlap window is 0 here (the tasks were imported minutes before the base pull: the
             10-minute window would export the last imports again); the task index is written as push
             would have (the bench imports without push). A second, profiled run on a copy of the base
             prints its top functions (cProfile).
- status:    goldkit.status.status with the pull folder (Label Studio's counters, per-annotator counts,
             the agreement of the newest pull) vs the same full pull (target <= 5%), also without the
             pulls (counters only), then one profiled run.

`--recheck-ceiling PROJECT --state DIR` exports, pulls, exports and pulls again an annotated project of a
kept server: the ceiling ratio from alternating runs (a single export/pull pair under load is noisy).

`--recheck-since-last PROJECT --state DIR`: on a kept server's campaign project, a full pull, 1% other tasks
get an annotation, pull --since-last and status (the task index written as push would have).

`--classic` runs the earlier set: push vs raw at 250/1000/5000 per call, re-push of unchanged
documents, pull vs SDK `tasks.list` paging, convert+validate per CPU second, status, pull memory at
DOCS/2 and DOCS tasks.

`--pin` (2 cores or more): once the server is up, every thread of its processes (the gunicorn master and
workers, and the PostgreSQL goldkit started) runs on one core, this script and its pull children on
another, re-pinned before each timed export and pull (gunicorn may replace a worker): the ceiling "with a
free core" on a 2-core machine. The table says whether the run was pinned.

`--database postgresql` runs the server on a PostgreSQL cluster goldkit starts itself (see
goldkit.labelstudio.postgres). Rates are wall-clock unless marked CPU; the machine may be shared, so
read the ratios within a run, with the load beside them.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import cProfile
import datetime
import io
import json
import os
import pstats
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
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
from goldkit.labelstudio import export as lsexport  # noqa: E402
from goldkit.labelstudio import postgres, server, task_index  # noqa: E402
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


Results = dict[str, list[dict[str, Any]]]  # language -> Label Studio annotation results


def make_documents(n: int) -> tuple[list[dict[str, Any]], Results, Results]:
    """Return n document records (even: English, odd: Arabic), the annotation results per language and a
    disagreeing variant of them (the first entity one code point shorter at its end, no claim)."""
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
    results: Results = {}
    variants: Results = {}
    for language, (_, record) in templates.items():
        sample = next(d for d in documents if d["language"] == language)
        record = {**copy.deepcopy(record), "document_id": sample["id"], "document_sha256": sample["sha256"]}
        variant = copy.deepcopy(record)
        span = variant["entities"][0]["span"]
        span["end"] -= 1  # every document of the language holds the template's head at the same offsets
        span["text"] = sample["text"][span["start"] : span["end"]]
        variant["claims"] = []
        for kept, made in ((results, record), (variants, variant)):
            kept[language] = record_to_results(made)
            annotation = {"id": 1, "completed_by": 1, "result": kept[language]}
            check = results_to_record({"id": 1, "data": push.task_data(sample)}, annotation)
            assert check.record is not None, check.problems
    return documents, results, variants


def annotated_tasks(
    documents: list[dict[str, Any]], results: Results, variants: Results, users: list[int]
) -> list[dict]:
    """Import payloads: each document's task data with one annotation per annotator; the last annotator's is the
    variant on every other document of each language (the 3rd and 4th of every 4: the languages alternate)."""

    def result(n: int, user: int, language: str) -> list[dict[str, Any]]:
        return (variants if user == users[-1] and n // 2 % 2 == 1 else results)[language]

    return [
        {
            "data": push.task_data(d),
            "annotations": [{"result": result(n, user, d["language"]), "completed_by": user} for user in users],
        }
        for n, d in enumerate(documents)
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


class _Sink(io.RawIOBase):
    """A binary sink that only counts the bytes written to it."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, block: Any) -> int:
        self.size += len(block)
        return len(block)


def _export_chunk(client: Any, project_id: int, chunk: list[int]) -> int:
    sink = _Sink()
    lsclient.export_project_to(client, project_id, chunk, sink)  # type: ignore[arg-type]
    return sink.size


def server_export(client: Any, project_id: int) -> int:
    """The project's JSON export as pull asks for it (its id range in chunks of lsexport.CHUNK, CONCURRENCY in
    flight), nothing parsed or kept; return the bytes."""
    _, first, last = task_index.id_span(client, project_id)
    ids = list(range(first, last + 1))
    chunks = [ids[at : at + lsexport.CHUNK] for at in range(0, len(ids), lsexport.CHUNK)]
    with ThreadPoolExecutor(lsexport.CONCURRENCY) as pool:
        return sum(pool.map(lambda chunk: _export_chunk(client, project_id, chunk), chunks))


def top_functions(profile: Path, title: str, limit: int = 16) -> str:
    """goldkit's functions with the most cumulative time in a cProfile dump, then the top ones by own time."""
    parts = [title]
    for order, restriction in (("cumulative", r"goldkit/"), ("tottime", "")):
        text = io.StringIO()
        pstats.Stats(str(profile), stream=text).sort_stats(order).print_stats(restriction, limit)
        lines = [line.replace(str(ROOT / "tools") + "/", "") for line in text.getvalue().splitlines() if line.strip()]
        at = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        if order == "cumulative":
            parts.append(next((line.strip() for line in lines if "function calls" in line), ""))
        parts += [f"by {order}:", *lines[at:]]
    return "\n".join(parts)


def process_tree(roots: list[int]) -> list[int]:
    """The root processes and all their descendants (parent pids from /proc/<pid>/stat)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # ended meanwhile
        children.setdefault(parent, []).append(int(stat.parent.name))
    found: set[int] = set()
    todo = list(roots)
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo += [c for c in children.get(pid, []) if c not in found]
    return sorted(found)


def pin(pids: list[int], cpu: int) -> list[int]:
    """Run every thread of each process on one CPU (the affinity is per thread); return the pids still alive."""
    pinned = []
    for pid in pids:
        try:
            threads = [int(t.name) for t in Path(f"/proc/{pid}/task").iterdir()]
        except FileNotFoundError:
            continue
        for tid in threads:
            with contextlib.suppress(ProcessLookupError):  # a thread that ended meanwhile
                os.sched_setaffinity(tid, {cpu})
        pinned.append(pid)
    return pinned


class Load:
    """The 1-minute load average at a phase's start; `done()` says it with the one at its end."""

    def __init__(self) -> None:
        self.start = os.getloadavg()[0]

    def done(self) -> str:
        return f"{self.start:.1f} -> {os.getloadavg()[0]:.1f}"


KEY_ENV = "GOLDKIT_BENCH_API_KEY"  # the child's API key: in its environment, never on its command line (ps)
STATE_ENV = "GOLDKIT_BENCH_STATE"  # the server's state folder: pull removes the export copies it leaves there


def child(args: list[str], key: str | None = None, state: Path | None = None) -> dict[str, Any]:
    """Run this script as a subprocess step (the API key passed in the environment); return its JSON answer."""
    env = {**os.environ, KEY_ENV: key, STATE_ENV: str(state or "")} if key else None
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


class Phases:
    """Where one pull's time goes (the pull child wraps the export module's functions, pure Python): the
    server's busy time (the union of the chunk downloads' intervals, on the worker threads), the time the
    pull waited on the export generator (downloads not yet in, plus parsing them), when the last batch was
    handed on (the rest is sorting and writing), and the CPU time of the pull (its process's, every thread,
    from just before the pull)."""

    def __init__(self) -> None:
        self.downloads: list[tuple[float, float]] = []
        self.waited = 0.0
        self.exported_at: float | None = None
        self.cpu_at_start = 0.0

    @staticmethod
    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def install(self) -> None:
        download, export_tasks, export_ids = lsexport._download, lsexport.export_tasks, lsexport.export_ids

        def timed_download(*args: Any) -> Any:
            began = time.perf_counter()
            try:
                return download(*args)
            finally:
                self.downloads.append((began, time.perf_counter()))

        def watched(batches: Any) -> Any:
            while True:
                began = time.perf_counter()
                try:
                    batch = next(batches)
                except StopIteration:
                    self.waited += time.perf_counter() - began
                    self.exported_at = time.perf_counter()
                    return
                self.waited += time.perf_counter() - began
                yield batch

        lsexport._download = timed_download  # type: ignore[assignment]
        self.cpu_at_start = self.cpu()
        lsexport.export_tasks = lambda *a, **k: watched(export_tasks(*a, **k))
        lsexport.export_ids = lambda *a, **k: watched(export_ids(*a, **k))

    def busy(self) -> float:
        """Seconds in which at least one chunk was being downloaded."""
        total, end = 0.0, float("-inf")
        for began, done in sorted(self.downloads):
            if done > end:
                total += done - max(began, end)
                end = done
        return total

    def summary(self, started: float, seconds: float) -> dict[str, float]:
        exported = (self.exported_at - started) if self.exported_at is not None else seconds
        return {
            "export_phase_s": exported,
            "after_export_s": seconds - exported,
            "server_busy_s": self.busy(),
            "waited_on_export_s": self.waited,
            "cpu_s": self.cpu() - self.cpu_at_start,
        }


def _child_main(argv: list[str]) -> None:
    """Subprocess step `_pull URL OUT IDS [since-last [PROFILE]]` (key in $GOLDKIT_BENCH_API_KEY): time one pull and its
    peak RSS. `since-last`: a since-last pull with no overlap window (the bench's tasks were all imported
    minutes before the mark, so the 10-minute window would export them all again)."""
    from goldkit.labelstudio import export as lsexport
    from goldkit.pull import pull

    url, out, ids = argv[1:4]
    since_last = argv[4:5] == ["since-last"]
    profile = argv[5] if len(argv) > 5 else None
    if since_last:
        lsexport.OVERLAP = datetime.timedelta(0)
    key = os.environ[KEY_ENV]
    client = lsclient.connect(url, key)
    before = _memory_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
    projects = [int(i) for i in ids.split(",")]
    state = os.environ.get(STATE_ENV)
    paths = server.ServerPaths(Path(state), LS_VENV) if state else None
    run = {"projects": projects, "out_root": Path(out), "client": client, "since_last": since_last}
    run["server_paths"] = paths
    phases = Phases()
    phases.install()
    started = time.perf_counter()
    if profile:
        profiler = cProfile.Profile()
        seconds, report = timed(profiler.runcall, pull, **run)
        profiler.dump_stats(profile)
    else:
        seconds, report = timed(pull, **run)
    peak = _memory_kb("VmHWM")
    totals = {name: report.total(name) for name in ("tasks", "valid", "quarantined", "unchanged")}
    totals["exported"] = sum(p.tasks_exported if p.tasks_exported is not None else p.tasks for p in report.projects)
    cpus = sorted(os.sched_getaffinity(0))  # --pin: the bench's CPU, inherited through fork and exec
    answer = {"seconds": seconds, "start_mb": before / 1024, "peak_mb": peak / 1024, "cpus": cpus, **totals}
    print(json.dumps({**answer, "phases": phases.summary(started, seconds)}))


# ---------------------------------------------------------------- the run


class Bench:
    def __init__(
        self, docs: int, tmp: Path, database: str = "sqlite", state: Path | None = None, pin: bool = False
    ) -> None:
        self.docs, self.tmp, self.database = docs, tmp, database
        allowed = sorted(os.sched_getaffinity(0))
        # --pin: (the server's CPU, goldkit's CPU); the first two this process may use (0 and 1 on a plain machine)
        self.cpus = (allowed[0], allowed[1]) if pin and (os.cpu_count() or 1) >= 2 and len(allowed) >= 2 else None
        if pin and not self.cpus:
            say(f"--pin needs 2 cores, this process may use {len(allowed)}: not pinned")
        self.pinning = f"pinned: server cpu {self.cpus[0]}, goldkit cpu {self.cpus[1]}" if self.cpus else "not pinned"
        self.pinned: list[int] = []
        self.paths = server.ServerPaths(state or tmp / "state", LS_VENV)
        self.prefix = f"bench{int(time.time())}"  # this run's projects (a kept server holds earlier runs')
        self.task_index = True  # False: no task index, a since-last pull then lists every task id
        self.annotated = f"{self.prefix}-annotated"  # the annotated project's title prefix (status finds it)
        self.rows: list[tuple[str, ...]] = []
        self.notes: list[str] = []

    def row(self, name: str, ours: str, base: str, ratio: str, target: str, met: bool | None, load: str = "") -> None:
        self.rows.append((name, ours, base, ratio, target, "n/a" if met is None else ("yes" if met else "NO"), load))
        say(f"  {name}: {ours} | {base} | {ratio} | target {target} | load {load}")

    def start(self) -> None:
        with socket.socket() as probe:  # a free port of our own: 8080 may belong to a server still booting
            probe.bind((server.HOST, 0))
            port = probe.getsockname()[1]
        seconds, report = timed(server.start, self.paths, database=self.database, preferred_port=port, timeout=1800)
        say(
            f"server {report.url} on {self.database} up in {seconds:.0f} s (first boot {report.first_boot}, "
            f"already running {report.already_running}; load {os.getloadavg()[0]:.1f})"
        )
        self.users = [server.create_user(email, paths=self.paths).user_id for email in ANNOTATORS]
        credentials = server.load_credentials(self.paths)
        assert credentials is not None and credentials.admin.token
        self.url, self.key = report.url, credentials.admin.token
        self.client = lsclient.connect(self.url, self.key)
        self.server_pid = report.pid
        self.pin_server()

    def pin_server(self) -> None:
        """--pin: every thread of the server's processes on its CPU, this process (so the pull children it starts
        and the export baseline's threads) on goldkit's. Called again before each timed export and pull:
        gunicorn may have replaced a worker."""
        if not self.cpus:
            return
        roots = [self.server_pid]
        postmaster = postgres.Cluster.of(self.paths.state).data / "postmaster.pid"
        if self.database == "postgresql" and postmaster.exists():  # the PostgreSQL goldkit started, its backends
            roots.append(int(postmaster.read_text().split()[0]))
        pids = pin(process_tree(roots), self.cpus[0])
        pin([os.getpid()], self.cpus[1])
        if pids != self.pinned:
            say(f"pinned Label Studio pids {' '.join(map(str, pids))} to cpu {self.cpus[0]}; "
                f"goldkit (bench pid {os.getpid()} and its pull children) to cpu {self.cpus[1]}")  # fmt: skip
            self.pinned = pids

    def pull_child(self, args: list[str]) -> dict[str, Any]:
        """A pull of this server in a fresh subprocess: `_pull URL` + args."""
        self.pin_server()
        answer = child(["_pull", self.url, *args], key=self.key, state=self.paths.state)
        assert not self.cpus or answer["cpus"] == [self.cpus[1]], (answer["cpus"], self.pinning)
        return answer

    def run(self) -> None:
        seconds, (self.documents, self.results, self.variants) = timed(make_documents, self.docs)
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
        first, report = timed(push.push, self.documents, client=self.client, project_prefix=self.prefix)
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
            seconds, report = timed(push.push, self.documents, client=self.client, project_prefix=self.prefix)
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
            title = project_title(("en", "ar")[n], self.annotated)  # goldkit titles: `goldkit status` finds them
            project = self.client.projects.create(title=title, label_config=render.label_config("en"))
            tasks = annotated_tasks(docs, self.results, self.variants, self.users)
            for at in range(0, len(tasks), ANNOTATED_BATCH):
                self.client.projects.import_tasks(id=project.id, request=tasks[at : at + ANNOTATED_BATCH])
            ids.append(project.id)
        say(f"{self.docs} annotated tasks imported in {time.perf_counter() - start:.0f} s")
        exports = []
        sizes = []
        for pid in ids:
            self.pin_server()
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
            answer = self.pull_child([str(out), ",".join(map(str, chosen))])
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

        runs = [timed(status, client=self.client, pulls_root=self.tmp / "no-pulls", project_prefix=self.annotated)]
        runs.append(timed(status, client=self.client, pulls_root=self.tmp / "no-pulls", project_prefix=self.annotated))
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

    # ---------------------------------------------------------------- one server, every target (issue #15)

    def campaign(self, push_docs: int, sizes: list[int]) -> None:
        """Every #15 target on one server: push vs raw, pull memory per size, the export ceiling, since-last, status."""
        sizes = sorted(sizes)
        seconds, (self.documents, self.results, self.variants) = timed(make_documents, max(push_docs, sizes[-1]))
        say(f"{len(self.documents)} documents made in {seconds:.1f} s")
        self.start()
        self.bench_push_vs_raw(self.documents[:push_docs])
        project, task_ids, out = self.grow_and_pull(sizes)
        self.bench_ceiling(project, sizes[-1], out)
        self.bench_changed(project, task_ids, out)
        self.bench_status(sizes[-1], out)
        task_index.forget(self.client, project.id)

    def bench_push_vs_raw(self, documents: list[dict[str, Any]]) -> None:
        """goldkit push of new documents between two raw import_tasks loops of the same task data."""
        n = len(documents)
        payloads: dict[str, list[dict]] = {}
        for d in documents:
            payloads.setdefault(d["language"], []).append({"data": push.task_data(d)})
        import_loop(self.client, f"{self.prefix} warm-up", {"en": payloads["en"][:100]}, 100)
        raw: dict[str, float] = {}
        load = Load()
        raw[f"{push.IMPORT_BATCH}/call, before"] = import_loop(
            self.client, f"{self.prefix} raw a", payloads, push.IMPORT_BATCH
        )
        first, report = timed(push.push, documents, client=self.client, project_prefix=self.prefix)
        assert report.imported == n, report.imported
        raw[f"{RAW_BATCHES[-1]}/call, after"] = import_loop(
            self.client, f"{self.prefix} raw b", payloads, RAW_BATCHES[-1]
        )
        for name, seconds in raw.items():
            say(f"  raw import_tasks loop, {name}: {n / seconds:,.0f} tasks/s")
        best = min(raw, key=lambda b: raw[b])
        ratio = raw[best] / first
        self.row(
            f"push, {n:,} new documents",
            f"{n / first:,.0f} tasks/s",
            f"{n / raw[best]:,.0f} tasks/s (raw import_tasks, {best}; other {n / max(raw.values()):,.0f})",
            f"{ratio:.0%}",
            ">= 80%",
            ratio >= 0.80,
            load.done(),
        )

    def grow_and_pull(self, sizes: list[int]) -> tuple[Any, list[int], Path]:
        """Grow one annotated project to each size (2 annotations a task, through the API); pull it at each size."""
        project = self.client.projects.create(
            title=project_title("en", self.annotated), label_config=render.label_config("en")
        )
        task_ids: list[int] = []
        known: list[dict[str, Any]] = []
        peaks: list[tuple[int, float]] = []
        done = 0
        for size in sizes:
            load = Load()
            start = time.perf_counter()
            docs = self.documents[done:size]
            tasks = annotated_tasks(docs, self.results, self.variants, self.users)
            for at in range(0, len(tasks), ANNOTATED_BATCH):
                imported = self.client.projects.import_tasks(
                    id=project.id, request=tasks[at : at + ANNOTATED_BATCH], return_task_ids=True
                )
                task_ids += getattr(imported, "task_ids", None) or []
            # what push would have remembered (a since-last pull reads every task id from this index)
            added = [{"id": i, "data": push.task_data(d)} for i, d in zip(task_ids[done:], docs, strict=True)]
            task_index.remember_imported(self.client, project.id, known, [task_index.slim(t) for t in added])
            known = task_index.known_tasks(self.client, project.id)
            grown = time.perf_counter() - start
            say(f"  project grown to {size:,} annotated tasks: {size - done:,} in {grown:.0f} s "
                f"({(size - done) / grown:.1f} tasks/s, load {load.done()})")  # fmt: skip
            done = size
            out = self.tmp / f"pulls-{size}"
            load = Load()
            answer = self.pull_child([str(out), str(project.id)])
            assert answer["tasks"] == size and answer["valid"] == 2 * size, answer
            records = (next(out.iterdir()) / "records.jsonl").stat().st_size
            above = answer["peak_mb"] - answer["start_mb"]
            peaks.append((size, above))
            self.full = answer
            self.row(
                f"pull peak memory, {size:,} tasks",
                f"+{above:.0f} MB (peak {answer['peak_mb']:.0f} MB)",
                f"start {answer['start_mb']:.0f} MB; records {records / 1e6:.0f} MB; "
                f"full pull {answer['seconds']:.0f} s ({size / answer['seconds']:.0f} tasks/s)",
                f"{above / max(records / 1e6, 1):.2f} MB per records MB",
                "<= +250 MB",
                above <= 250,
                load.done(),
            )
            self.notes.append(phase_text(f"full pull of {size:,} tasks", answer))
            say("  " + self.notes[-1])
            if size != sizes[-1]:
                shutil.rmtree(out)
        (small, low), (large, high) = peaks[0], peaks[-1]
        if len(peaks) > 1:
            self.row(
                f"pull memory growth, {small:,} -> {large:,} tasks",
                f"+{low:.0f} -> +{high:.0f} MB",
                f"x{large / small:.0f} the tasks",
                f"x{high / max(low, 1):.2f}",
                "flat (every size <= +250 MB)",
                all(above <= 250 for _, above in peaks),
                "",
            )
        return project, task_ids, out

    def bench_ceiling(self, project: Any, size: int, out: Path) -> None:
        """The server's own export of the same tasks, as the pull asks for them (same chunks, same requests in
        flight, bodies counted and dropped): what the pull cannot beat."""
        load = Load()
        copies = server.export_copies_dir(self.url, self.paths)
        before = set(copies.glob("*")) if copies and copies.is_dir() else set()
        self.pin_server()
        seconds, size_bytes = timed(server_export, self.client, project.id)
        for path in set(copies.glob(f"project-{project.id}-at-*")) - before if copies else ():
            path.unlink()  # Label Studio's copy of each export it served, as pull removes them
        full = self.full["seconds"]
        ratio = seconds / full
        self.row(
            f"full pull vs the server's export, {size:,} tasks",
            f"{size / full:,.0f} tasks/s ({full:.0f} s)",
            f"{size / seconds:,.0f} tasks/s ({seconds:.0f} s, {size_bytes / 1e6:,.0f} MB; "
            f"{lsexport.CHUNK} ids/request, {lsexport.CONCURRENCY} in flight; {self.pinning})",
            f"{ratio:.0%}",
            ">= 90%",
            ratio >= 0.90,
            load.done(),
        )

    def recheck_ceiling(self, project_id: int) -> None:
        """On a kept server: the server's export, a full pull, the export again, of an existing project (order
        and warm-up effects: the campaign pulls right after the import, then exports)."""
        self.start()
        size = task_index.id_span(self.client, project_id)[0]
        runs: list[tuple[str, float, str]] = []
        for n, step in enumerate(("export", "pull", "export", "pull")):
            load = Load()
            if step == "export":
                self.pin_server()
                seconds = timed(server_export, self.client, project_id)[0]
            else:
                out = self.tmp / f"recheck-{n}"
                answer = self.pull_child([str(out), str(project_id)])
                seconds = answer["seconds"]
                self.notes.append(phase_text(f"pull {n // 2 + 1} of {size:,} tasks (alternating)", answer))
                shutil.rmtree(out)
            runs.append((step, seconds, load.done()))
            say(f"  {step}: {size / seconds:,.0f} tasks/s ({seconds:.0f} s, load {runs[-1][2]})")
        exports = [r[1] for r in runs if r[0] == "export"]
        pulls = [r[1] for r in runs if r[0] == "pull"]
        ratio = (sum(exports) / len(exports)) / (sum(pulls) / len(pulls))
        self.row(
            f"full pull vs the server's export, {size:,} tasks (alternating)",
            " / ".join(f"{p:.0f} s" for p in pulls) + " (pulls 2nd, 4th)",
            " / ".join(f"{e:.0f} s" for e in exports) + f" (exports 1st, 3rd; {self.pinning})",
            f"{ratio:.0%} (mean export / mean pull)",
            ">= 90%",
            ratio >= 0.90,
            f"{runs[0][2].split(' ')[0]} -> {runs[-1][2].split(' ')[-1]}",
        )

    def recheck_since_last(self, project_id: int) -> None:
        """On a kept server: a full pull of an existing campaign project, then 1% of other tasks than the
        campaign's get a new annotation, then pull --since-last and status (the current pull code)."""
        self.start()
        size, first, last = task_index.id_span(self.client, project_id)
        assert last - first + 1 == size, "the campaign's project has dense task ids"
        self.documents, self.results, self.variants = make_documents(size)  # the same documents, in task order
        if self.task_index:  # what push would have remembered of the project (the campaign forgets it)
            added = [{"id": first + n, "data": push.task_data(d)} for n, d in enumerate(self.documents)]
            task_index.remember_imported(self.client, project_id, [], [task_index.slim(t) for t in added])
        out = self.tmp / "pulls-recheck"
        load = Load()
        self.full = self.pull_child([str(out), str(project_id)])
        say(f"  full pull of {size:,} tasks: {self.full['seconds']:.0f} s (load {load.done()})")
        project = self.client.projects.get(id=project_id)
        self.bench_changed(project, list(range(first, last + 1)), out, offset=50)
        self.annotated = project.title.rsplit(" · ", 1)[0]
        self.bench_status(size, out)
        task_index.forget(self.client, project_id)

    def bench_changed(self, project: Any, task_ids: list[int], out: Path, share: float = 0.01, offset: int = 0) -> None:
        """1% of the tasks get a new annotation (admin, through the API); pull --since-last vs the full pull."""
        load = Load()
        step = round(1 / share)
        changed = list(zip(task_ids[offset::step], self.documents[offset : len(task_ids) : step], strict=True))

        def annotate(pair: tuple[int, dict[str, Any]]) -> None:
            self.client.annotations.create(id=pair[0], result=self.results[pair[1]["language"]])

        seconds, _ = timed(lambda: list(ThreadPoolExecutor(4).map(annotate, changed)))
        say(f"  {len(changed)} new annotations in {seconds:.0f} s ({len(changed) / seconds:.1f}/s, load {load.done()})")
        spare = self.tmp / "pulls-profiled"
        shutil.copytree(out, spare)  # the same base, for a profiled run after the timed one
        load = Load()
        since = self.pull_child([str(out), str(project.id), "since-last"])
        assert since["valid"] >= len(changed), since
        full = self.full
        ratio = since["seconds"] / full["seconds"]
        self.row(
            f"pull --since-last, {len(changed):,} of {len(task_ids):,} tasks changed",
            f"{since['seconds']:.1f} s ({since['exported']:,} tasks exported; peak +"
            f"{since['peak_mb'] - since['start_mb']:.0f} MB)",
            f"{full['seconds']:.1f} s (full pull of the same {full['tasks']:,} tasks)",
            f"{ratio:.1%}",
            "<= 5%",
            ratio <= 0.05,
            load.done(),
        )
        profile = self.tmp / "since-last.prof"
        self.pull_child([str(spare), str(project.id), "since-last", str(profile)])
        self.notes.append(top_functions(profile, "pull --since-last (cProfile, a second run on a copy of the base)"))

    def bench_status(self, size: int, out: Path) -> None:
        """goldkit status (counters from Label Studio, agreement of the newest pull in `out`) vs the full pull."""
        from goldkit.status import status

        load = Load()
        # the first status after a pull computes that pull's agreement (reading every current record); the
        # next ones read it back from .goldkit/status/ until the next pull: both are timed, the first counts
        (first, report), (again, _) = (
            timed(status, client=self.client, pulls_root=out, project_prefix=self.annotated) for _ in range(2)
        )
        assert sum(s.progress.tasks for s in report.languages) == size, report
        assert all(s.agreement and s.agreement.multi_annotated for s in report.languages if s.progress.tasks), report
        bare = min(timed(status, client=self.client, pulls_root=self.tmp / "no-pulls", project_prefix=self.annotated)[0]
                   for _ in range(2))  # fmt: skip
        full = self.full["seconds"]
        for name, seconds in (("first after the pull", first), ("again (agreement read back)", again)):
            self.row(
                f"goldkit status, {size:,} tasks, {name}",
                f"{seconds:.2f} s (counters alone, no pulls: {bare:.2f} s, best of 2)",
                f"{full:.1f} s (full pull of the same {size:,} tasks)",
                f"{seconds / full:.1%}",
                "<= 5%",
                seconds / full <= 0.05,
                load.done(),
            )
        for state in report.languages:  # the seeded disagreement must show: no fast path may hide it
            f1 = state.agreement.span_f1 if state.agreement else {}
            scores = [f for modes in f1.values() for f in modes.values() if f is not None]
            if scores:
                self.row(
                    f"goldkit status agreement, {state.language} project",
                    "; ".join(
                        f"{layer} " + " ".join(f"{m} {f:.2f}" for m, f in modes.items() if f is not None)
                        for layer, modes in f1.items()
                    ),
                    "pooled span F1 of the 2 annotators",
                    "",
                    "< 1 (2nd annotator differs on half)",
                    min(scores) < 1,
                )
        from goldkit.status import _cache_path

        assert report.pull is not None
        _cache_path(out, report.pull["pull_id"]).unlink()  # profile the first-after-a-pull path
        profiler = cProfile.Profile()
        profiler.runcall(status, client=self.client, pulls_root=out, project_prefix=self.annotated)
        profile = self.tmp / "status.prof"
        profiler.dump_stats(profile)
        self.notes.append(top_functions(profile, "goldkit status, first after the pull (cProfile, one more run)"))

    def print_table(self) -> None:
        head = ("measure", "goldkit", "baseline (same run)", "ratio", "target", "met", "load (1 min)")
        widths = [max(len(r[i]) for r in [head, *self.rows]) for i in range(len(head))]
        print()
        for line in [head, tuple("-" * w for w in widths), *self.rows]:
            print("| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |")
        for note in self.notes:
            print(f"\n{note}")


def phase_text(what: str, answer: dict[str, Any]) -> str:
    """One pull child's Phases, as a line."""
    p = answer["phases"]
    return (
        f"{what}: {answer['seconds']:.0f} s = export phase {p['export_phase_s']:.0f} s (server busy "
        f"{p['server_busy_s']:.0f} s, the pull waiting on it {p['waited_on_export_s']:.0f} s) + after the export "
        f"{p['after_export_s']:.0f} s (sorting, writing); the pull's CPU {p['cpu_s']:.0f} s"
    )


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_pull":
        _child_main(sys.argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="documents pushed (default 10000)")
    parser.add_argument(
        "--sizes", default="10000,50000,100000", help="annotated project sizes pulled (default 10000,50000,100000)"
    )
    parser.add_argument("--classic", action="store_true", help="the older paths: re-push, SDK paging, convert rate")
    parser.add_argument("--quick", action="store_true", help="--classic on 1000 articles, to try the script")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (server data, pulls)")
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql"), default="sqlite", help="Label Studio's database"
    )
    parser.add_argument("--state", type=Path, help="use (or boot) the server of this state folder, not a temp one")
    parser.add_argument(
        "--recheck-ceiling", type=int, metavar="PROJECT", help="with --state: export, pull, export, pull a project"
    )
    parser.add_argument(
        "--recheck-since-last", type=int, metavar="PROJECT", help="with --state: full pull, 1%% new, since-last, status"
    )
    parser.add_argument("--keep-server", action="store_true", help="with --state: leave that server running")
    parser.add_argument("--pin", action="store_true", help="the server on one core, goldkit on another (2+ cores)")
    args = parser.parse_args()
    docs = 1000 if args.quick else args.docs
    if not (LS_VENV / "bin" / "label-studio").exists():
        sys.exit(f"Label Studio is not installed in {LS_VENV}: run `make server-install`")
    tmp = Path(tempfile.mkdtemp(prefix="goldkit-bench-"))
    tmp.chmod(0o711)  # the PostgreSQL cluster's owner (goldkit-pg when run as root) must pass through
    bench = Bench(docs, tmp, args.database, args.state, args.pin)
    began = time.perf_counter()
    sizes = [int(n) for n in args.sizes.split(",")]
    try:
        if args.recheck_since_last:
            bench.recheck_since_last(args.recheck_since_last)
        elif args.recheck_ceiling:
            bench.recheck_ceiling(args.recheck_ceiling)
        elif args.classic or args.quick:
            bench.run()
        else:
            bench.campaign(docs, sizes)
    finally:
        if not (args.state and args.keep_server):
            server.stop(bench.paths)
        if args.keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    bench.print_table()
    grown = ", ".join(f"{n:,}" for n in sorted(sizes))
    what = f"{docs} documents pushed; one project of {grown} annotated tasks"
    if args.classic or args.quick:
        what = f"{docs} documents ({docs // 2} English, {docs - docs // 2} Arabic)"
    elif args.recheck_ceiling or args.recheck_since_last:
        what = f"project {args.recheck_ceiling or args.recheck_since_last} of the kept server"
    print(f"\n{what}, 2 annotations each, Label Studio on {args.database}, {bench.pinning}; "
          f"whole run {time.perf_counter() - began:.0f} s; load at the end {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
