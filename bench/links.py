"""Benchmark (not a test): link candidate generation grows with the stories, not the corpus squared.

Synthetic corpus: S stories × D documents each; every document has 4 events and 8 claims over its
story's people, plus a country key shared by every document (which blocking must ignore). Prints, for
growing S, the pairs compared by goldkit's story blocking against the pairs an all-pairs comparison
would make, and the time of both measured in the same run.

    .venv/bin/python bench/links.py
"""

from __future__ import annotations

import random
import time
from itertools import combinations

from goldkit.links.candidates import _claim_candidates, _event_candidates, candidate_pairs

DOCS_PER_STORY = 3


def _document(story: int, doc: int, rng: random.Random) -> dict:
    people = [f"person.s{story}_{i}" for i in range(4)]
    entities = [
        {"id": f"e{i}", "span": {"start": 10 * i, "end": 10 * i + 5, "text": "x"}, "type": "person", "canonical": key}
        for i, key in enumerate(people)
    ]
    entities.append(
        {"id": "g", "span": {"start": 90, "end": 95, "text": "x"}, "type": "gpe", "canonical": "gpe.country"}
    )
    events = [
        {
            "id": f"v{i}",
            "type": rng.choice(["meeting", "agreement", "statement"]),
            "trigger": {"start": 0, "end": 1, "text": "x"},
            "realis": "actual",
            "polarity": "positive",
            "arguments": [{"role": "participant", "entity": f"e{rng.randrange(4)}"}, {"role": "place", "entity": "g"}],
        }
        for i in range(4)
    ]
    claims = [
        {
            "id": f"c{i}",
            "span": {"start": 0, "end": 40, "text": "x"},
            "claimant": {"kind": "author", "entity": None},
            "event": f"v{rng.randrange(4)}",
        }
        for i in range(8)
    ]
    return {"document_id": f"s{story}-d{doc}", "entities": entities, "events": events, "claims": claims}


def _all_pairs(records: list[dict]) -> int:
    compared = 0
    for a, b in combinations(records, 2):
        events, n_events = _event_candidates(a["document_id"], a, b["document_id"], b)
        pairs = {(c.source.id, c.target.id) for c in events}
        _, n_claims = _claim_candidates(a["document_id"], a, b["document_id"], b, pairs)
        compared += n_events + n_claims
    return compared


def main() -> None:
    print(
        f"{'stories':>8} {'docs':>6} {'compared (blocked)':>19} {'compared (all pairs)':>21} {'ratio':>7} "
        f"{'time blocked s':>15} {'time all s':>11} {'time ratio':>11}"
    )
    for stories in (10, 40, 100):
        rng = random.Random(stories)
        records = [_document(s, d, rng) for s in range(stories) for d in range(DOCS_PER_STORY)]
        t0 = time.perf_counter()
        report = candidate_pairs(records)
        t_blocked = time.perf_counter() - t0
        t0 = time.perf_counter()
        all_pairs = _all_pairs(records)
        t_all = time.perf_counter() - t0
        blocked = report.compared_event_pairs + report.compared_claim_pairs
        print(
            f"{stories:>8} {len(records):>6} {blocked:>19} {all_pairs:>21} {blocked / all_pairs:>7.4f} "
            f"{t_blocked:>15.3f} {t_all:>11.3f} {t_blocked / t_all:>11.4f}"
        )


if __name__ == "__main__":
    main()
