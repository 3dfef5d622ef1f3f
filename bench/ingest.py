"""Benchmark (not a test): goldkit ingest of HTML pages and of a WARC crawl, against trafilatura alone.

The pages are made from real ones (tests/data/ingest_html/, from trafilatura's own test material, or
the folder given with --pages-dir): page N is real page N mod 3 with a sentence of its own put in its
longest paragraph — words drawn from that paragraph by a generator seeded with N, and the copy's
number — so no two texts are equal and no cache of any text helps. They are written to a folder of
.html files and, as HTTP 200 text/html response records, to one .warc.gz (warcio), one page at a time.
In the same run it times:

- trafilatura: reading each page and `bare_extraction` of its bytes (with metadata, as goldkit calls it)
  — the baseline; for the WARC, warcio's iteration plus the same extraction of each record's payload;
- goldkit: what `goldkit ingest` runs (`ingest.merge.ingest_into`) on the folder: file checks, reading,
  extraction, language, structure, document records spooled to disk and merged into a documents.jsonl;
  the same for the WARC file.

Each timed run is its own child process (so its peak memory is its own), run --rounds times
alternating with its baseline in the order goldkit, trafilatura, trafilatura, goldkit, goldkit … so
that a load changing during the run weighs on both alike. A child imports everything and extracts one
page before its clock starts (warm-up outside the timing for both). Times are the child's CPU
seconds (time.process_time), so documents/s means documents per CPU-second: on a shared machine the
wall clock measures mostly how much of a core the scheduler gave the run. Peak memory is the child's
maximum resident set (getrusage), and its growth above what the child held when the clock started.
It prints documents per CPU-second over all runs, goldkit's overhead over the extractor (issue #14
asks for <= 20%), each round's overhead, and the peaks.

    PYTHONPATH=tools nice -n 15 .venv/bin/python bench/ingest.py --pages 10000 --rounds 1
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PAGES = Path(__file__).resolve().parents[1] / "tests" / "data" / "ingest_html"
KINDS = {"HTML pages": "html", "WARC records": "warc"}


# ---- the input ---------------------------------------------------------------------------------------


def _originals(source: Path) -> list[tuple[bytes, int, list[str]]]:
    """Each real page, where its longest <p> ends, and that paragraph's words."""
    originals = []
    for path in sorted(source.glob("*.html")):
        page = path.read_bytes()
        paragraphs = list(re.finditer(rb"<p[ >](.*?)(</p>)", page, flags=re.S))
        if not paragraphs:
            raise SystemExit(f"{path}: a page without <p> paragraphs: give pages of news articles")
        longest = max(paragraphs, key=lambda m: len(m.group()))
        words = re.sub(rb"<[^>]*>", b" ", longest.group(1)).decode("utf-8", "replace").split()
        originals.append((page, longest.start(2), [word for word in words if word.isalpha()] or ["news"]))
    if not originals:
        raise SystemExit(f"no .html pages in {source}")
    return originals


def _page(originals: list[tuple[bytes, int, list[str]]], number: int) -> bytes:
    page, cut, words = originals[number % len(originals)]
    draw = random.Random(number)
    sentence = " ".join(draw.choice(words) for _ in range(draw.randint(12, 30)))
    marker = f" {sentence.capitalize()}, said copy {number} of the page.".encode()
    return page[:cut] + marker + page[cut:]


def _write_input(source: Path, count: int, corpus: Path, warc: Path) -> None:
    """The folder of pages and the WARC of the same pages, written one page at a time."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    originals = _originals(source)
    corpus.mkdir()
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for number in range(count):
            page = _page(originals, number)
            (corpus / f"page-{number:05d}.html").write_bytes(page)
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            uri = f"https://example.org/news/page-{number:05d}"
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(page), http_headers=http))


# ---- one timed run (a child process) -------------------------------------------------------------------


def _extract(data: bytes) -> None:
    import trafilatura

    trafilatura.bare_extraction(data, with_metadata=True, include_comments=False)


def _trafilatura(kind: str, target: Path) -> int:
    count = 0
    if kind == "html":
        for path in sorted(target.iterdir()):
            _extract(path.read_bytes())
            count += 1
        return count
    from warcio.archiveiterator import ArchiveIterator

    with target.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                _extract(record.content_stream().read())
                count += 1
    return count


def _goldkit(kind: str, target: Path, out: Path) -> int:
    from goldkit.ingest.merge import ingest_into

    return len(ingest_into([target], out).summaries)  # what `goldkit ingest` runs


def _child(who: str, kind: str, root: Path, out: Path) -> dict[str, Any]:
    """Warm up outside the clock, then time one run; its CPU seconds, documents and memory."""
    target = root / ("corpus" if kind == "html" else "crawl.warc.gz")
    warm = root / "warm-up"
    if who == "goldkit":
        _goldkit("html", warm, out.with_suffix(".warm.jsonl"))
    else:
        _trafilatura("html", warm)
    held = _rss_mib()
    began = time.process_time()
    count = _goldkit(kind, target, out) if who == "goldkit" else _trafilatura(kind, target)
    seconds = time.process_time() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"seconds": seconds, "documents": count, "peak_mib": peak, "held_mib": held}


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ---- the run -------------------------------------------------------------------------------------------


def _rounds(count: int, first: str) -> list[str]:
    """The order of the timed runs: the two alternate, and each round starts with the one the last ended with
    (goldkit, trafilatura | trafilatura, goldkit | ...), so a load that rises or falls during the run
    weighs on both alike."""
    other = "trafilatura" if first == "goldkit" else "goldkit"
    order = []
    for number in range(count):
        order += [first, other] if number % 2 == 0 else [other, first]
    return order


def _command(who: str, name: str, step: int, root: Path) -> list[str]:
    out = root / f"{KINDS[name]}-{who}-{step}.jsonl"
    return [sys.executable, __file__, "--child", who, KINDS[name], str(root), str(out)]


def _report(name: str, step: int, steps: int, who: str, run: dict[str, Any], wall: float) -> None:
    print(
        f"  {name}: run {step}/{steps} {who:<11} {run['documents']:>6} docs {run['seconds']:8.1f} CPU s "
        f"({wall:6.0f} s wall) peak {run['peak_mib']:6.0f} MiB "
        f"(+{run['peak_mib'] - run['held_mib']:.0f} over the start)",
        file=sys.stderr,
        flush=True,
    )


def _result(name: str, who: str, done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    if done.returncode != 0:
        raise SystemExit(f"{name}: {who} run failed:\n{done.stderr}")
    return dict(json.loads(done.stdout))


def _measure(name: str, order: list[str], root: Path) -> dict[str, Any]:
    """The runs of one input one after the other, in `order`."""
    runs: dict[str, list[dict[str, Any]]] = {"goldkit": [], "trafilatura": []}
    for step, who in enumerate(order, 1):
        began = time.monotonic()
        done = subprocess.run(_command(who, name, step, root), capture_output=True, text=True, check=False)
        runs[who].append(_result(name, who, done))
        _report(name, step, len(order), who, runs[who][-1], time.monotonic() - began)
    return {"name": name, **runs}


def _measure_together(names: list[str], rounds: int, root: Path) -> list[dict[str, Any]]:
    """Each round's runs (goldkit and trafilatura, of every input) started at once: one load for all."""
    rows = {name: {"name": name, "goldkit": [], "trafilatura": []} for name in names}
    for step in range(1, rounds + 1):
        began = time.monotonic()
        started = {
            (name, who): subprocess.Popen(
                _command(who, name, step, root), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for name in names
            for who in ("goldkit", "trafilatura")
        }
        for (name, who), child in started.items():
            stdout, stderr = child.communicate()
            done = subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)
            rows[name][who].append(_result(name, who, done))
            _report(name, step, rounds, who, rows[name][who][-1], time.monotonic() - began)
    return list(rows.values())


def _table(rows: list[dict[str, Any]], rounds: int, order: list[str]) -> None:
    print(f"{rounds} round(s): {', '.join(order)}; CPU seconds of each run's own process")
    print(
        f"{'input':<13} {'documents':>9} {'trafilatura docs/CPU-s':>23} {'goldkit docs/CPU-s':>19} {'overhead':>9}"
        f" {'per round':>20} {'peak MiB (trafilatura, goldkit)':>32} {'goldkit growth MiB':>19}"
    )
    for row in rows:
        ours, theirs = row["goldkit"], row["trafilatura"]
        count = ours[0]["documents"]
        if any(run["documents"] != count for run in ours + theirs):
            raise SystemExit(f"{row['name']}: the runs saw different numbers of documents")
        ours_s, theirs_s = sum(r["seconds"] for r in ours), sum(r["seconds"] for r in theirs)
        per_round = " ".join(f"{g['seconds'] / t['seconds'] - 1:+.1%}" for g, t in zip(ours, theirs, strict=True))
        peaks = f"{max(r['peak_mib'] for r in theirs):.0f}, {max(r['peak_mib'] for r in ours):.0f}"
        growth = max(r["peak_mib"] - r["held_mib"] for r in ours)
        print(
            f"{row['name']:<13} {count:>9,} {count * len(theirs) / theirs_s:>23.1f} {count * len(ours) / ours_s:>19.1f}"
            f" {ours_s / theirs_s - 1:>9.1%} {per_round:>20} {peaks:>32} {growth:>19.0f}"
        )


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        who, kind, root, out = sys.argv[2:6]
        os.environ["GOLDKIT_ROOT"] = root
        print(json.dumps(_child(who, kind, Path(root), Path(out))))
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1, help="rounds of (goldkit, trafilatura), order alternating")
    parser.add_argument("--pages-dir", type=Path, default=PAGES, help="folder of real .html pages (English)")
    parser.add_argument("--only", choices=sorted(KINDS), action="append", help="time only this input (repeatable)")
    parser.add_argument(
        "--together",
        action="store_true",
        help="start each round's runs (both inputs, goldkit and trafilatura) at once instead of one after the other",
    )
    args = parser.parse_args()
    order = _rounds(args.rounds, "goldkit")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        began = time.monotonic()
        _write_input(args.pages_dir, args.pages, root / "corpus", root / "crawl.warc.gz")
        (root / "warm-up").mkdir()
        (root / "warm-up" / "warm-up.html").write_bytes(_page(_originals(args.pages_dir), args.pages))
        size = (root / "crawl.warc.gz").stat().st_size
        print(
            f"  {args.pages:,} pages and a {size / 2**20:.0f} MiB WARC written in {time.monotonic() - began:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        names = [name for name in KINDS if not args.only or name in args.only]
        if args.together:
            rows = _measure_together(names, args.rounds, root)
        else:
            rows = [_measure(name, order, root) for name in names]
    _table(rows, args.rounds, ["all at once"] * args.rounds if args.together else order)
    return 0


if __name__ == "__main__":
    sys.exit(main())
