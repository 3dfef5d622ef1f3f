"""What a pull holds does not grow with the project: the chain it reconciles with, and the drafts it pulls.

Peak traced memory (tracemalloc) at two sizes, ten times apart, in the style of test_pull's memory
test: no timing, the larger size must not cost much more than the smaller one and far less than the
files it reads or writes.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_pull import _draft, _many

from goldkit import jsonio, paths, pull

SIZES = (40, 400)  # batches of export()'s three tasks: 120 and 1,200 tasks


@pytest.fixture(scope="module")
def chains(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, tuple[Path, int, pull.Sorted]]]:
    """Per size, a pulls folder holding one full pull of that many batches, its bytes, and what it sorted."""
    made = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsonio, "RUN_BYTES", 256 * 1024)  # sorted runs of 256 KB: the sizes here spill
        patch.setattr(jsonio, "MERGE_FAN_IN", 4)
        for batches in SIZES:
            root = tmp_path_factory.mktemp(f"chain-{batches}")
            report = _report(root, "p1", "2026-01-01T00:00:00+00:00")
            out = pull.sort_annotations(report, _many(batches), emails={})
            pull.write_pull(report, out)
            names = (paths.RECORDS_FILE, paths.QUARANTINE_FILE, paths.SEEN_FILE)
            made[batches] = root, sum((report.folder / name).stat().st_size for name in names), out
        yield made
    for _, _, out in made.values():
        out.close()


def _report(root: Path, pull_id: str, time: str) -> pull.PullReport:
    return pull.PullReport(pull_id, root / pull_id, time, "http://ls.test", "1.23.2")


def _one_changed_batch(batch: int) -> list[dict[str, Any]]:
    """Batch `batch` of _many again, its first task's first annotation deleted meanwhile."""
    (_, _, tasks), *_ = (row for b, row in enumerate(_many(batch + 1)) if b == batch)
    first = tasks[0]
    first["annotations"] = first["annotations"][1:]
    first["total_annotations"] -= 1
    return tasks


def _since_last(root: Path, batches: int) -> tuple[pull.PullReport, pull.Sorted]:
    """A since-last pull over root's chain in which one batch changed: what pull.pull runs after listing."""
    report = _report(root, "p2", "2026-01-02T00:00:00+00:00")
    report.base, report.since = "p1", "2026-01-01T00:00:00Z"
    view = pull.SinceLast(root, pull._parse_time(report.since))  # type: ignore[arg-type]
    tasks = _one_changed_batch(batches // 2)
    view.note_changed(7, [t["id"] for t in tasks])
    every_task = set(range(1000, 1000 + 3 * batches))
    view.unexported[7] = pull.Unexported(every_task, 6 * batches - 1)
    out = pull.sort_annotations(
        report, [(7, "goldkit · en", tasks)], emails={}, since=view.since, seen_before=view.seen_before
    )
    pull.count_unexported(report, out, view.unexported)
    pull.report_deleted(report, out, root)
    pull.reconcile(report, out)
    return report, out


def _peak(run: Any) -> tuple[int, Any]:
    tracemalloc.start()
    try:
        result = run()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def _bounded(sizes: dict[int, tuple[int, int]]) -> None:
    """The larger chain costs far less than the bytes it holds, and grows by far less than the bytes per task."""
    (small, small_read), (large, large_read) = sizes[SIZES[0]], sizes[SIZES[1]]
    # what grows: ids of the exported or existing tasks and annotations (a few ints each, not their records)
    assert large < 0.1 * large_read and large - small < 0.05 * (large_read - small_read), sizes


def test_a_since_last_pull_does_not_hold_the_chain_it_reconciles_with(
    chains: dict[int, tuple[Path, int, pull.Sorted]],
) -> None:
    # reporting deleted tasks read every current record of the chain into memory, once per pull
    sizes = {}
    for batches, (root, read, _) in chains.items():
        peak, (report, out) = _peak(lambda root=root, batches=batches: _since_last(root, batches))
        (gone,) = report.manifest()["deleted_annotations"]["7"]  # found: the deleted annotation is reported
        assert gone["record_kept"] and report.total("unchanged") > 0
        out.close()
        sizes[batches] = peak, read
    _bounded(sizes)


def test_a_full_pull_reconciles_with_the_chain_in_bounded_memory(
    chains: dict[int, tuple[Path, int, pull.Sorted]],
) -> None:
    sizes = {}
    for batches, (root, read, out) in chains.items():  # the same state pulled again: nothing deleted
        report = _report(root, "p2", "2026-01-02T00:00:00+00:00")
        report.projects = [pull.ProjectCounts(7, "goldkit · en", tasks=3 * batches)]
        peak, _ = _peak(lambda report=report, out=out, root=root: pull.report_deleted(report, out, root))
        assert report.deleted_annotations == {} and report.deleted_tasks == {} and not out.kept
        sizes[batches] = peak, read
    _bounded(sizes)


DRAFT_FILES = (paths.DRAFTS_FILE, paths.DRAFT_QUARANTINE_FILE)


def _with_drafts(batches: int) -> Iterator[tuple[int, str, list[dict[str, Any]]]]:
    for project_id, title, tasks in _many(batches):
        for task in tasks:
            who = f"drafter-{task['id']}@goldkit.local"
            task["drafts"] = [_draft(task["id"] * 10, "convert_english", who)]
        yield project_id, title, tasks


def _drafts_peak(batches: int, folder: str) -> tuple[int, int]:
    """Peak traced memory of a --drafts pull of `batches` batches, and the draft files' bytes it wrote."""
    jsonio.RUN_BYTES = 256 * 1024  # a fresh interpreter of its own (below): nothing to restore
    # a spool holds its run and, when it reads back, one row of each open run (a record row is ~20 KB here:
    # record, span digest, raw annotation); with 16 open runs that second term outweighs these small runs
    jsonio.MERGE_FAN_IN = 4
    root = Path(folder)
    pull.sort_annotations(_report(root, "w", "t"), _with_drafts(2), emails={}).close()  # converter loaded
    report = _report(root, f"d{batches}", "2026-01-01T00:00:00+00:00")
    report.drafts = True
    tracemalloc.start()
    out = pull.sort_annotations(report, _with_drafts(batches), emails={})
    held = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    try:
        assert report.total("drafts_pulled") == batches and len(out.draft_quarantine) == 2 * batches
        return held, sum((out.folder / name).stat().st_size for name in DRAFT_FILES)
    finally:
        out.close()


def test_pulled_drafts_are_not_held(tmp_path: Path) -> None:
    # pull --drafts kept every draft record and draft quarantine line it made until the pull was written.
    # Each size is pulled in a fresh interpreter, as `goldkit pull` runs: in one pytest process, after the
    # other pull tests, the 1,200-task peak read 7.5 MB instead of ~3.5 MB (not explained; the same
    # function alone, or after either half of test_pull.py, gave ~3.5 MB), which made this test depend on
    # what ran before it.
    import json
    import subprocess
    import sys

    def peak(batches: int) -> tuple[int, int]:
        folder = tmp_path / f"size-{batches}"
        folder.mkdir()
        code = (
            f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import test_pull_memory as m; "
            f"print(json.dumps(m._drafts_peak({batches}, {str(folder)!r})))"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        held, written = json.loads(done.stdout.strip().splitlines()[-1])
        return held, written

    # held drafts would cost more than their JSON text (a record's dicts outweigh its line); a fresh
    # interpreter measured 2.5 MB at 120 tasks and 3.3-4.1 MB at 1,200 against 8.1 MB written
    (small, _), (large, written) = peak(SIZES[0]), peak(SIZES[1])
    assert large < written and large < 2 * small, (small, large, written)
