"""Benchmark (not a test): goldkit ingest of HTML pages and of a WARC crawl, against trafilatura alone.

The pages are real ones (tests/data/ingest_html/, from trafilatura's own test material, or the folder
given with --pages-dir); each copy gets one paragraph of its own, so no two texts are equal. In the
same run it times:

- trafilatura: `bare_extraction` of every page's bytes (with metadata, as goldkit calls it) — the baseline;
- goldkit ingest of the folder of pages (file checks, reading, extraction, language, structure,
  document records) and the merge into documents.jsonl;
- the same for one WARC file holding every page as an HTML response record, against warcio's iteration
  plus trafilatura's extraction of each payload.

Each is run --rounds times, alternating with its baseline in the order goldkit, trafilatura,
trafilatura, goldkit, goldkit, trafilatura ... so that a load changing during the run weighs on both
alike. Times are this process's CPU seconds (time.process_time: everything runs in this one process),
so documents/s means documents per CPU-second: on a shared machine the wall clock measures mostly how
much of a core the scheduler gave the run. It prints documents per CPU-second over all runs, goldkit's
overhead over the extractor (issue #14 asks for <= 20%) and each round's overhead.

    PYTHONPATH=tools nice -n 15 .venv/bin/python bench/ingest.py --pages 10000 --rounds 3
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import trafilatura
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from goldkit.ingest.documents import ingest, merge_documents

PAGES = Path(__file__).resolve().parents[1] / "tests" / "data" / "ingest_html"


def _pages(source: Path, count: int) -> list[bytes]:
    """`count` pages: the real ones in turn, each with one paragraph naming its copy number."""
    originals = [path.read_bytes() for path in sorted(source.glob("*.html"))]
    cuts = [_longest_paragraph_end(page) for page in originals]
    pages = []
    for number in range(count):
        page, cut = originals[number % len(originals)], cuts[number % len(originals)]
        marker = f" This is copy {number} of the page.".encode()
        pages.append(page[:cut] + marker + page[cut:])
    return pages


def _longest_paragraph_end(page: bytes) -> int:
    """Where the page's longest <p> ends: a sentence put there stays in the main text."""
    paragraphs = list(re.finditer(rb"<p[ >].*?(</p>)", page, flags=re.S))
    if not paragraphs:
        raise SystemExit("a page without <p> paragraphs: give pages of news articles")
    return max(paragraphs, key=lambda m: len(m.group())).start(1)


def _baseline_pages(pages: list[bytes]) -> float:
    began = time.process_time()
    for page in pages:
        trafilatura.bare_extraction(page, with_metadata=True, include_comments=False)
    return time.process_time() - began


def _write_warc(path: Path, pages: list[bytes]) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for number, page in enumerate(pages):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            uri = f"https://example.org/news/page-{number}"
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(page), http_headers=http))


def _baseline_warc(path: Path) -> float:
    began = time.process_time()
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                trafilatura.bare_extraction(record.content_stream().read(), with_metadata=True, include_comments=False)
    return time.process_time() - began


def _goldkit(paths: list[Path], out: Path) -> tuple[float, int]:
    began = time.process_time()
    report = ingest(paths)
    merge_documents(report.documents, out)
    return time.process_time() - began, len(report.documents)


def _rounds(count: int, first: str) -> list[str]:
    """The order of the timed runs: the two alternate, and each round starts with the one the last ended with
    (goldkit, trafilatura | trafilatura, goldkit | ...), so a load that rises or falls during the run
    weighs on both alike."""
    other = "trafilatura" if first == "goldkit" else "goldkit"
    order = []
    for number in range(count):
        order += [first, other] if number % 2 == 0 else [other, first]
    return order


def _measure(name: str, order: list[str], extractor, ours) -> dict:  # type: ignore[no-untyped-def]
    times: dict[str, list[float]] = {"goldkit": [], "trafilatura": []}
    count = 0
    for step, who in enumerate(order, 1):
        if who == "goldkit":
            seconds, count = ours(step)
        else:
            seconds = extractor()
        times[who].append(seconds)
        print(f"  {name}: run {step}/{len(order)} {who:<11} {seconds:8.1f} CPU s", file=sys.stderr, flush=True)
    return {"name": name, "documents": count, **times}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (goldkit, trafilatura), order alternating")
    parser.add_argument("--pages-dir", type=Path, default=PAGES, help="folder of real .html pages (English)")
    args = parser.parse_args()
    order = _rounds(args.rounds, "goldkit")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        os.environ["GOLDKIT_ROOT"] = str(root)
        corpus = root / "corpus"
        corpus.mkdir()
        pages = _pages(args.pages_dir, args.pages)
        for number, page in enumerate(pages):
            (corpus / f"page-{number:05d}.html").write_bytes(page)
        warc = root / "crawl.warc.gz"
        _write_warc(warc, pages)
        rows = [
            _measure(
                "HTML pages",
                order,
                lambda: _baseline_pages(pages),
                lambda step: _goldkit([corpus], root / f"pages-{step}.jsonl"),
            ),
            _measure(
                "WARC records",
                order,
                lambda: _baseline_warc(warc),
                lambda step: _goldkit([warc], root / f"warc-{step}.jsonl"),
            ),
        ]
    print(f"{args.rounds} rounds, order {', '.join(order)}")
    header = f"{'input':<13} {'documents':>9} {'trafilatura docs/CPU-s':>23} {'goldkit docs/CPU-s':>19} {'overhead':>9}"
    print(header + f" {'per round':>30}")
    for row in rows:
        count, ours, extractor = row["documents"], sum(row["goldkit"]), sum(row["trafilatura"])
        per_round = [g / t - 1 for g, t in zip(row["goldkit"], row["trafilatura"], strict=True)]
        rounds = " ".join(f"{r:+.1%}" for r in per_round)
        runs = len(row["goldkit"])
        print(
            f"{row['name']:<13} {count:>9,} {count * runs / extractor:>23.1f} {count * runs / ours:>19.1f} "
            f"{ours / extractor - 1:>9.1%} {rounds:>30}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
