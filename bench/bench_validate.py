"""Throughput of validate_record on a small annotation record, against jsonschema alone (same run).

Pull converts and validates every annotation it exports; the target is >= 20,000 records/s.
Run: .venv/bin/python bench/bench_validate.py
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from goldkit.schema.validate import record_checks, validate_record

GOOD = Path(__file__).resolve().parent.parent / "tests" / "data" / "validate_good"


def _rate(check: Callable[[], Any], seconds: float = 1.0) -> float:
    """Return calls per second, best of three runs of about `seconds` each."""
    best = 0.0
    for _ in range(3):
        calls, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            for _ in range(200):
                check()
            calls += 200
        best = max(best, calls / elapsed)
    return best


def main() -> None:
    record = json.loads(next(GOOD.glob("gold/oman_jordan_en-*.json")).read_text(encoding="utf-8"))
    documents = [json.loads(line) for line in (GOOD / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    document = next(d for d in documents if d["id"] == record["document_id"])
    assert validate_record(record, document) == []
    full = record_checks()["annotation"].full
    spans = sum(len(record[key]) for key in ("entities", "events", "claims"))
    baseline = _rate(lambda: list(full.iter_errors(record)), seconds=0.5)
    ours = _rate(lambda: validate_record(record, document))
    quick = _rate(lambda: record_checks()["annotation"].quick(record))  # type: ignore[misc]
    print(f"record: {spans} spans, {len(json.dumps(record))} bytes of JSON")
    print(f"jsonschema alone (structure only): {baseline:>9,.0f} records/s")
    print(f"fastcheck alone (structure only):  {quick:>9,.0f} records/s")
    print(f"validate_record (structure+meaning, document): {ours:>9,.0f} records/s = {ours / baseline:.1f}x jsonschema")
    print(f"target >= 20,000 records/s: {'met' if ours >= 20_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
