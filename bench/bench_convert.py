"""Measure convert+validate throughput on small synthetic annotations (target: >= 20,000 annotations/s).

Run: .venv/bin/python bench/bench_convert.py [N]
Three sizes: "paragraph" = 3 entities (one with a canonical key), 1 event with 2 arguments, 1 claim with a
cue and evidence (21 results); "tiny" = 1 entity and 1 event with realis, polarity and one argument
(6 results); "large" = the 10-span English gold record of tests/data/validate_good. Prints
annotations/s (CPU time, best of `repeat` runs) and the ratio to a plain json round trip of the same
annotations measured in the same run (the machine's baseline: it moves with load on a shared machine).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from goldkit.labelstudio.convert import record_to_results, results_to_record  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
GOLDEN = DATA / "convert_english"
LARGE = DATA / "validate_good"


def _large() -> tuple[dict, dict]:
    """Return the (task, record) of the 10-span English gold record and its document."""
    record = json.loads(next((LARGE / "gold").glob("oman_jordan_en-*.json")).read_text(encoding="utf-8"))
    lines = (LARGE / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    document = next(d for d in map(json.loads, lines) if d["id"] == record["document_id"])
    data = {"text": document["text"], "doc_id": document["id"], "sha256": document["sha256"]}
    return {"id": 1, "project": 7, "data": data}, record


def synthetic(n: int, size: str = "paragraph") -> list[tuple[dict, dict]]:
    """Make n (task, annotation) pairs of one size, ids varied per copy."""
    task = json.loads((GOLDEN / "task.json").read_text(encoding="utf-8"))
    record = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))
    if size == "large":
        task, record = _large()
    elif size in ("paragraph", "tiny"):
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


def measure(n: int, size: str, repeat: int = 3) -> None:
    pairs = synthetic(n, size)
    results = len(pairs[0][1]["result"])
    elapsed = baseline = float("inf")
    for _ in range(repeat):  # interleaved, best of each: both see the same load
        t0 = time.process_time()
        converted = [results_to_record(task, annotation) for task, annotation in pairs]
        elapsed = min(elapsed, time.process_time() - t0)
        assert all(c.record is not None for c in converted), converted[0].problems
        t0 = time.process_time()
        for _, annotation in pairs:
            json.loads(json.dumps(annotation))
        baseline = min(baseline, time.process_time() - t0)
    print(
        f"{size} ({results} results): convert+validate {n / elapsed:,.0f} annotations/s; "
        f"json dumps+loads {n / baseline:,.0f}/s (convert takes {elapsed / baseline:.2f}x the json round trip)"
    )


def main(n: int = 20_000) -> None:
    for size in ("tiny", "paragraph", "large"):
        measure(n, size)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
