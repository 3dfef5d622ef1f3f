"""Benchmark (not a test): goldkit ingest of HTML pages and of a WARC crawl, against trafilatura alone.

The pages are real ones (tests/data/ingest_html/, from trafilatura's own test material, or the folder
given with --pages-dir); each copy gets one paragraph of its own, so no two texts are equal. In the
same run it times:

- trafilatura: `bare_extraction` of every page's bytes (with metadata, as goldkit calls it) — the baseline;
- goldkit ingest of the folder of pages (file checks, reading, extraction, language, structure,
  document records) and the merge into documents.jsonl;
- the same for one WARC file holding every page as an HTML response record, against warcio's iteration
  plus trafilatura's extraction of each payload.

It prints documents/s and goldkit's overhead over the extractor (issue #14 asks for <= 20%).

    PYTHONPATH=tools .venv/bin/python bench/ingest.py --pages 10000
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
    began = time.perf_counter()
    for page in pages:
        trafilatura.bare_extraction(page, with_metadata=True, include_comments=False)
    return time.perf_counter() - began


def _write_warc(path: Path, pages: list[bytes]) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for number, page in enumerate(pages):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            uri = f"https://example.org/news/page-{number}"
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(page), http_headers=http))


def _baseline_warc(path: Path) -> float:
    began = time.perf_counter()
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                trafilatura.bare_extraction(record.content_stream().read(), with_metadata=True, include_comments=False)
    return time.perf_counter() - began


def _goldkit(paths: list[Path], out: Path) -> tuple[float, int]:
    began = time.perf_counter()
    report = ingest(paths)
    merge_documents(report.documents, out)
    return time.perf_counter() - began, len(report.documents)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--pages-dir", type=Path, default=PAGES, help="folder of real .html pages (English)")
    args = parser.parse_args()
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
        rows = []
        extractor = _baseline_pages(pages)
        ours, count = _goldkit([corpus], root / "pages.jsonl")
        rows.append(("HTML pages", count, extractor, ours))
        extractor = _baseline_warc(warc)
        ours, count = _goldkit([warc], root / "warc.jsonl")
        rows.append(("WARC records", count, extractor, ours))
    print(f"{'input':<13} {'documents':>9} {'trafilatura docs/s':>19} {'goldkit docs/s':>15} {'overhead':>9}")
    for name, count, extractor, ours in rows:
        overhead = ours / extractor - 1
        print(f"{name:<13} {count:>9,} {count / extractor:>19.1f} {count / ours:>15.1f} {overhead:>9.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
