"""Measure convert+validate throughput on small synthetic annotations (target: >= 20,000 annotations/s).

Run: .venv/bin/python bench/bench_convert.py [N]
Two sizes: "paragraph" = 3 entities (one with a canonical key), 1 event with 2 arguments, 1 claim with a
cue and evidence (21 results); "tiny" = 1 entity and 1 event with realis, polarity and one argument
(5 results). Prints annotations/s (CPU time) and the ratio to a plain json round trip of the same
annotations measured in the same run (the machine's baseline: it moves with load on a shared machine).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from goldkit.convert import record_to_results, results_to_record  # noqa: E402

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "data" / "convert_english"


def synthetic(n: int, size: str = "paragraph") -> list[tuple[dict, dict]]:
    """Make n small (task, annotation) pairs from the English golden record, ids varied per copy."""
    task = json.loads((GOLDEN / "task.json").read_text(encoding="utf-8"))
    record = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))
    keep = ("e1", "e2") if size == "paragraph" else ("e2",)
    record["entities"] = record["entities"][:3] if size == "paragraph" else record["entities"][1:2]
    record["events"][0]["arguments"] = [a for a in record["events"][0]["arguments"] if a["entity"] in keep]
    record["claims"] = record["claims"][1:] if size == "paragraph" else []
    results = record_to_results(record)
    pairs = []
    for i in range(n):
        annotation = {
            "id": i,
            "completed_by": {"id": i % 7, "email": f"a{i % 7}@x"},
            "result": json.loads(json.dumps(results)),
        }
        pairs.append(({**task, "id": 1000 + i}, annotation))
    return pairs


def measure(n: int, size: str) -> None:
    pairs = synthetic(n, size)
    results = len(pairs[0][1]["result"])
    t0 = time.process_time()
    converted = [results_to_record(task, annotation) for task, annotation in pairs]
    elapsed = time.process_time() - t0
    assert all(c.record is not None for c in converted), converted[0].problems
    t0 = time.process_time()
    for _, annotation in pairs:
        json.loads(json.dumps(annotation))
    baseline = time.process_time() - t0
    print(
        f"{size} ({results} results): convert+validate {n / elapsed:,.0f} annotations/s; "
        f"json dumps+loads {n / baseline:,.0f}/s (convert is {elapsed / baseline:.1f}x slower)"
    )


def main(n: int = 20_000) -> None:
    for size in ("tiny", "paragraph"):
        measure(n, size)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
