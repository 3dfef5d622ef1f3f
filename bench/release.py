"""Benchmark `goldkit release` against plain pyarrow on the same synthetic gold (not a test).

    nice -n 15 .venv/bin/python bench/release.py [--claims 1000000] [--per-doc 20] [--steps release,json+arrow]

Makes synthetic documents and gold records (PER_DOC claims per document, one entity each and one event
per document) at two sizes, CLAIMS/10 and CLAIMS (--small N to choose the first), and times, each in a
fresh subprocess (so peak RSS is that step's own):

- write_table:  pyarrow.parquet.write_table of the claims table, built beforehand (untimed)
- json+arrow:   read the gold JSON, build the claims rows, Table.from_pylist, write_table (claims only)
- release:      goldkit's build_release: checks, every config, card, changelog, checksums, rename
- next release: one claim changed, then build_release of the next version (the same, plus the diff
                against the release before it for the changelog)

and prints wall and CPU seconds, the ratio of each step to json+arrow at the same size, peak memory (RSS)
per size, the ratio of the release's peak memory between the two sizes, the load average around each
step and whether goldkit's validator ran compiled (mypyc, goldkit.compiled) or as pure Python. The
machine may be shared: CPU seconds are the steadier figure when others run things at the same time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAMES = ("Minister", "Sadenov", "Officials", "Analysts", "Ambassador")
STEPS = ("write_table", "json+arrow", "release", "next release")


def make_project(root: Path, claims: int, per_doc: int) -> None:
    """Write annotations/documents.jsonl and annotations/gold/*.json with `claims` claims."""
    gold = root / "annotations" / "gold"
    gold.mkdir(parents=True)
    with (root / "annotations" / "documents.jsonl").open("w", encoding="utf-8") as docs:
        for d in range(claims // per_doc):
            sentences = [
                f"{NAMES[(d + i) % 5]} said the agreement will bring {i + 2} new projects next year ({d}-{i})."
                for i in range(per_doc)
            ]
            text = "\n".join(sentences) + "\n"
            sha = hashlib.sha256(text.encode()).hexdigest()
            doc_id = f"doc{d:06d}-{sha[:8]}"
            document = {
                "record_type": "document", "schema_version": "1.0.0", "id": doc_id,
                "language": "en" if d % 2 else "ar", "title": sentences[0], "text": text, "sha256": sha,
                "source_file": f"doc{d:06d}.txt", "published": None, "author": None, "dateline": None,
                "boilerplate": [], "normalizations": [],
            }  # fmt: skip
            docs.write(json.dumps(document, ensure_ascii=False) + "\n")
            (gold / f"{doc_id}.json").write_text(json.dumps(_record(doc_id, sha, sentences)), encoding="utf-8")


def _record(doc_id: str, sha: str, sentences: list[str]) -> dict:
    entities, claims, offset = [], [], 0
    for i, sentence in enumerate(sentences):
        minister = {"start": offset, "end": offset + len(sentence.split()[0]), "text": sentence.split()[0]}
        said = sentence.index("said")
        entities.append({"id": f"e{i}", "span": minister, "type": "person", "canonical": None})
        claims.append({
            "id": f"c{i}", "span": {"start": offset + said + 5, "end": offset + len(sentence) - 1,
                                    "text": sentence[said + 5 : -1]},
            "types": ["prediction", "numerical"], "claimant": {"kind": "mention", "entity": f"e{i}"},
            "cue": {"start": offset + said, "end": offset + said + 4, "text": "said"},
            "attribution": "named_official", "modality": "asserted", "check_worthy": True, "verifiable": True,
            "verdict": "unchecked", "evidence": [], "event": "ev0",
        })  # fmt: skip
        offset += len(sentence) + 1
    said = sentences[0].index("said")
    event = {"id": "ev0", "type": "statement", "trigger": {"start": said, "end": said + 4, "text": "said"},
             "realis": "actual", "polarity": "positive", "arguments": [{"role": "agent", "entity": "e0"}]}  # fmt: skip
    return {
        "record_type": "annotation", "schema_version": "1.0.0", "document_id": doc_id, "document_sha256": sha,
        "provenance": {"annotator": "bench", "method": "manual"}, "entities": entities, "events": [event],
        "claims": claims,
    }  # fmt: skip


# ---- steps (each runs in its own subprocess) ---------------------------------------------------


def _claim_rows(root: Path) -> list[dict]:
    from goldkit.release.rows import layer_rows

    rows = []
    for path in sorted((root / "annotations" / "gold").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        head = {"document_id": record["document_id"], "language": "en"}
        rows.extend(head | row for row in layer_rows(record, keep_text=True)["claims"])
    return rows


def step(name: str, root: Path) -> dict:
    """Run one step in this process; return its wall and CPU seconds and this process's peak RSS."""
    import pyarrow.parquet as pq

    from goldkit.generate.features import config_features
    from goldkit.release.build import PARQUET_OPTIONS, ReleaseOptions, build_release
    from goldkit.release.tables import to_table

    out = root / "out"
    out.mkdir(exist_ok=True)
    if name == "write_table":
        table = to_table(_claim_rows(root), config_features()["claims"])
    elif name == "next release":
        _change_one_claim(root)
    start, cpu = time.perf_counter(), time.process_time()
    if name == "write_table":
        pq.write_table(table, out / "claims.parquet", **PARQUET_OPTIONS)
    elif name == "json+arrow":
        table = to_table(_claim_rows(root), config_features()["claims"])
        pq.write_table(table, out / "claims.parquet", **PARQUET_OPTIONS)
    else:
        build_release("1.0.0" if name == "release" else "1.1.0", ReleaseOptions(out=root / "export"))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu": cpu, "peak_mib": peak, "compiled": _compiled()}


def _compiled() -> bool:
    """Whether goldkit's compiled (mypyc) validator ran, or the pure Python one (goldkit.compiled)."""
    import goldkit

    return goldkit.COMPILED


def _change_one_claim(root: Path) -> None:
    path = min((root / "annotations" / "gold").glob("*.json"))
    record = json.loads(path.read_text(encoding="utf-8"))
    record["claims"][0]["check_worthy"] = not record["claims"][0]["check_worthy"]
    path.write_text(json.dumps(record), encoding="utf-8")


def run_step(name: str, root: Path) -> dict:
    env = os.environ | {"GOLDKIT_ROOT": str(root)}
    code = f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import release as b; "
    code += f"from pathlib import Path; print(json.dumps(b.step({name!r}, Path({str(root)!r}))))"
    load = os.getloadavg()[0]
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1]) | {"load": (load, os.getloadavg()[0])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000, help="the larger size (default 100,000)")
    parser.add_argument("--small", type=int, default=None, help="the smaller size (default CLAIMS/10)")
    parser.add_argument("--per-doc", type=int, default=20)
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of {', '.join(STEPS)}")
    args = parser.parse_args()
    steps = [name for name in STEPS if name in args.steps.split(",")]
    small = args.small or args.claims // 10
    results = {}
    for claims in (small, args.claims):
        with tempfile.TemporaryDirectory(prefix="goldkit-bench-") as tmp:
            root = Path(tmp)
            start = time.perf_counter()
            make_project(root, claims, args.per_doc)
            print(f"{claims} claims: synthetic gold written in {time.perf_counter() - start:.0f} s", flush=True)
            results[claims] = {}
            for name in steps:
                results[claims][name] = run_step(name, root)
                print(f"  {name}: {json.dumps(results[claims][name])}", flush=True)
    head = f"{'claims':>8} {'step':<13} {'seconds':>8} {'cpu s':>6} {'peak MiB':>9}  {'/json+arrow':>11} {'cpu':>6}"
    print(head + "  load before/after")
    for claims, done in results.items():
        base = done.get("json+arrow")
        for name, r in done.items():
            ratios = f"{r['seconds'] / base['seconds']:>10.2f}x {r['cpu'] / base['cpu']:>5.2f}x" if base else " " * 18
            loads = f"{r['load'][0]:.1f}/{r['load'][1]:.1f}"
            figures = f"{r['seconds']:>8.2f} {r['cpu']:>6.2f} {r['peak_mib']:>9.0f}"
            print(f"{claims:>8} {name:<13} {figures}  {ratios}  {loads}")
    for name in ("release", "next release", "json+arrow"):
        if name in results[small] and name in results[args.claims]:
            ratio = results[args.claims][name]["peak_mib"] / results[small][name]["peak_mib"]
            print(f"{name} peak memory: x{ratio:.2f} for x{args.claims / small:g} the claims")
    ran = {r["compiled"] for done in results.values() for name, r in done.items() if name != "json+arrow"}
    print("goldkit ran " + " and ".join(sorted("compiled (mypyc)" if c else "pure Python" for c in ran)))


if __name__ == "__main__":
    main()
