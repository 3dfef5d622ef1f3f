"""Measure convert+validate throughput on small synthetic annotations (target: >= 20,000 annotations/s).

Run: .venv/bin/python bench/bench_convert.py [N]
Each annotation: 3 entities (one with a canonical key), 1 event with 2 arguments, 1 claim with a cue and
evidence — what one annotator marks in a short paragraph. Prints annotations/s and the ratio to a
plain json round trip of the same annotations measured in the same run (the machine's baseline).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from goldkit.convert import record_to_results, results_to_record  # noqa: E402

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "data" / "convert_english"


def synthetic(n: int) -> list[tuple[dict, dict]]:
    """Make n small (task, annotation) pairs from the English golden record, ids varied per copy."""
    task = json.loads((GOLDEN / "task.json").read_text(encoding="utf-8"))
    record = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))
    record["entities"] = record["entities"][:3]
    record["events"][0]["arguments"] = [a for a in record["events"][0]["arguments"] if a["entity"] in ("e1", "e2")]
    record["claims"] = record["claims"][1:]
    results = record_to_results(record)
    pairs = []
    for i in range(n):
        annotation = {"id": i, "completed_by": {"id": i % 7, "email": f"a{i % 7}@x"}, "result": json.loads(json.dumps(results))}
        pairs.append(({**task, "id": 1000 + i}, annotation))
    return pairs


def main(n: int = 20_000) -> None:
    pairs = synthetic(n)
    t0 = time.perf_counter()
    converted = [results_to_record(task, annotation) for task, annotation in pairs]
    elapsed = time.perf_counter() - t0
    assert all(c.record is not None for c in converted), converted[0].problems
    t0 = time.perf_counter()
    for _, annotation in pairs:
        json.loads(json.dumps(annotation))
    baseline = time.perf_counter() - t0
    print(f"convert+validate: {n} annotations in {elapsed:.2f} s = {n / elapsed:,.0f} annotations/s")
    print(f"json dumps+loads of the same annotations: {n / baseline:,.0f}/s (convert is {elapsed / baseline:.1f}x slower)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
