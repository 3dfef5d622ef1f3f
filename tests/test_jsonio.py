"""Atomic writes and readable JSON errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from goldkit.errors import InputError
from goldkit.jsonio import atomic_write_text, iter_jsonl, read_json, read_records, write_folder, write_jsonl


def test_atomic_write_leaves_no_temporary_file_and_keeps_umask_permissions(tmp_path: Path):
    target = tmp_path / "sub" / "file.json"
    atomic_write_text(target, "{}\n")
    assert target.read_text() == "{}\n" and os.listdir(target.parent) == ["file.json"]
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_failed_write_keeps_the_old_file(tmp_path: Path):
    target = tmp_path / "data.jsonl"
    write_jsonl(target, [{"a": 1}])

    def rows():
        yield {"a": 2}
        raise RuntimeError("killed midway")

    with pytest.raises(RuntimeError):
        write_jsonl(target, rows())
    assert [row for _, row in iter_jsonl(target)] == [{"a": 1}] and os.listdir(tmp_path) == ["data.jsonl"]


def test_write_folder_is_all_or_nothing(tmp_path: Path):
    write_folder(tmp_path / "pull", {"a.jsonl": "1\n", "manifest.json": "{}\n"})
    assert sorted(os.listdir(tmp_path / "pull")) == ["a.jsonl", "manifest.json"]
    with pytest.raises(FileExistsError):
        write_folder(tmp_path / "pull", {"a.jsonl": "2\n"})  # never merged into an existing folder
    assert (tmp_path / "pull" / "a.jsonl").read_text() == "1\n"
    assert sorted(os.listdir(tmp_path)) == ["pull"]


def test_json_errors_name_file_line_and_column(tmp_path: Path):
    broken = tmp_path / "records.jsonl"
    broken.write_text('{"ok": 1}\n\n{"broken": \n', encoding="utf-8")
    with pytest.raises(InputError, match=r"records.jsonl:3:"):
        list(iter_jsonl(broken))
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"x": "é"}'.encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8 at byte 7"):
        read_json(latin)
    with pytest.raises(InputError, match="no such file"):
        read_records(tmp_path / "missing.json")


def test_rare_collections_raises_the_thresholds_and_restores_them_even_on_error() -> None:
    import gc

    from goldkit.jsonio import GC_THRESHOLDS, rare_collections

    before = gc.get_threshold()
    with pytest.raises(RuntimeError), rare_collections():
        assert gc.get_threshold() == GC_THRESHOLDS != before
        raise RuntimeError("midway")
    assert gc.get_threshold() == before


def test_sorted_spool_gives_rows_in_key_order_ties_in_arrival_order_across_runs(tmp_path: Path):
    from goldkit.jsonio import SortedSpool

    rows = [([f"doc-{(i * 7919) % 13:02d}", i % 3], json.dumps({"n": i, "text": "é\tline\nbreak"})) for i in range(500)]
    spool = SortedSpool(tmp_path, "rows", run_bytes=2_000)  # a run every few dozen rows
    for key, text in rows:
        spool.add(key, text, '"second field"')
    assert spool.runs > 10  # it did spill
    got = [(key, json.loads(fields[0])["n"], fields[1]) for key, fields in spool.rows()]
    expected = sorted(((key, json.loads(text)["n"]) for key, text in rows), key=lambda row: row[0])  # stable
    assert [(k, n) for k, n, _ in got] == expected and {f for _, _, f in got} == {'"second field"'}
    assert spool.count == 500 and json.loads(next(spool.rows())[1][0])["text"] == "é\tline\nbreak"


def test_spools_sharing_a_budget_hold_at_most_its_bytes_together(tmp_path: Path):
    # a pull's records, quarantine and seen spools each held up to RUN_BYTES: its memory grew with the
    # project until all of them were full. Sharing one budget, they hold one run's worth between them.
    from goldkit.jsonio import SortedSpool, SpoolBudget

    budget = SpoolBudget(run_bytes=5_000)
    spools = [SortedSpool(tmp_path, name, budget=budget) for name in ("big", "small", "rare")]
    most = 0
    for i in range(3_000):
        spools[0].add([i % 17, i], json.dumps("x" * 40))
        if i % 3 == 0:
            spools[1].add([-i], json.dumps("y" * 20))
        if i % 100 == 0:
            spools[2].add(i, "null")
        most = max(most, budget.held, sum(spool._held for spool in spools))
    assert most < 5_000 + 500 and budget.held == sum(spool._held for spool in spools)  # at most one row over
    assert spools[0].runs > 10 and spools[1].runs >= 1  # the largest spills first, the others in their turn
    assert [key for key, _ in spools[0].rows()] == sorted([[i % 17, i] for i in range(3_000)])
    assert [key for key, _ in spools[1].rows()] == sorted([[-i] for i in range(0, 3_000, 3)])
    assert [key for key, _ in spools[2].rows()] == list(range(0, 3_000, 100))


def test_sorted_spool_keys_of_mixed_types_compare_as_json_reads_them(tmp_path: Path):
    from goldkit.jsonio import SortedSpool

    spool = SortedSpool(tmp_path, "q", run_bytes=1)  # every row its own run
    for key in ([1, 0, '"x"'], [0, 12, ""], [0, 3, ""], (0, 3, "")):  # a tuple key equals its list
        spool.add(key, "null")
    assert [key for key, _ in spool.rows()] == [[0, 3, ""], [0, 3, ""], [0, 12, ""], [1, 0, '"x"']]


def test_a_spool_of_small_rows_holds_its_budget_in_memory_not_in_characters(tmp_path: Path):
    # seen.jsonl's and the documents' rows are short: counted by their text, 20,000 of them (~0.5 MB of
    # characters) stayed under a 1 MB budget while their strings, tuples and parsed keys took ~9 MB
    import tracemalloc

    from goldkit.jsonio import SortedSpool

    tracemalloc.start()
    try:
        spool = SortedSpool(tmp_path, "small", run_bytes=1_000_000)
        for i in range(20_000):
            spool.add([7, f"doc-{i:07d}"], str(i))
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert spool.runs >= 5 and held < 2_000_000, (spool.runs, held)
    assert [key for key, _ in spool.rows()] == [[7, f"doc-{i:07d}"] for i in range(20_000)]
