"""The formats news comes in, each read into `Source`s: text plus what the file said about it.

- `.txt`: the text as delivered (UTF-8; see `files.decode_text`).
- `.html`/`.htm`: trafilatura's main text and metadata (title, author, date, language from `<html lang>`
  or the page's metadata, canonical URL, site name); the characters of visible page text it removed as
  furniture are counted (`removed_characters`).
- `.warc`/`.warc.gz` (warcio): each HTML response record (HTTP 200, text/html) is extracted like a page,
  with its target URI and crawl date; every other record is counted under its reason and skipped.
- `.jsonl`/`.csv`/`.parquet` dumps: one document per row, fields named by a field map
  (`--text-field …` or the `[ingest]` table of goldkit.toml).
- Hugging Face dataset folders (`save_to_disk`, or Parquet/JSONL files with a dataset card as the Hub lays
  them out), read with `datasets` (see `hf_dataset`): one document per row, through the same field map.
A bad record is a problem naming the file and the record; the other records are still read, so all
problems are reported together.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldkit.ingest.files import FileProblem, decode_text, open_regular, read_limited, safe
from goldkit.ingest.hf_dataset import dataset_rows

DEFAULT_FIELDS = {"text": "text"}  # a dump's field map: what goldkit reads -> the dump's column
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_SLUG = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class Source:
    """One document's worth of input: its text, where it came from and what the source said about it."""

    text: str
    normalizations: list[str]
    source_file: str  # relative to the corpus folder
    stem: str  # the id's first part
    source: dict[str, Any]  # the document's `source`: format, sha256, record, url, site_name, …
    meta: dict[str, Any] = field(default_factory=dict)  # title, author, published, language when the source says


@dataclass
class Skipped:
    """Records of a container file that are not documents, counted by reason."""

    reasons: Counter[str] = field(default_factory=Counter)


Item = Source | FileProblem  # a record's problem carries its place in the message


def read_sources(
    path: Path, source_file: str, fmt: str, max_bytes: int, fields: dict[str, str], skipped: Skipped
) -> Iterator[Item]:
    """Yield the Sources (or the problems) of one regular file of format `fmt`."""
    if fmt == "text":
        data = read_limited(path, max_bytes)
        text, normalizations = decode_text(data)
        yield Source(text, normalizations, source_file, _stem(source_file), _source(fmt, data))
    elif fmt == "html":
        data = read_limited(path, max_bytes)
        yield _page(data, source_file, _stem(source_file), _source(fmt, data), None)
    elif fmt == "warc":
        yield from _warc(path, source_file, max_bytes, skipped)
    else:
        yield from _dump(path, source_file, fmt, max_bytes, {**DEFAULT_FIELDS, **fields})


def _source(fmt: str, data: bytes, **facts: Any) -> dict[str, Any]:
    return {"format": fmt, "sha256": hashlib.sha256(data).hexdigest(), **facts}


def _stem(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    for suffix in (".warc.gz", ".parquet", ".jsonl", ".html", ".warc", ".htm", ".txt", ".csv"):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return base


def _slug(value: str, fallback: str) -> str:
    slug = _SLUG.sub("-", value).strip("-._")[:80]
    return slug or fallback


# ---- HTML pages -------------------------------------------------------------------------------------


def extractor_name() -> str:
    import trafilatura

    return f"trafilatura {trafilatura.__version__}"


def _page(data: bytes, source_file: str, stem: str, source: dict[str, Any], where: str | None) -> Item:
    """Extract one HTML page (a file or a WARC record's payload) into a Source."""
    import trafilatura
    from trafilatura.utils import load_html

    place = f"{where}: " if where else ""
    tree = load_html(data)
    if tree is None:
        return FileProblem(f"{place}not an HTML page trafilatura can parse — check the file or remove it")
    visible = _visible_characters(tree)
    lang = (tree.get("lang") or tree.get("xml:lang") or "").strip()
    page: Any = trafilatura.bare_extraction(tree, url=source.get("url"), with_metadata=True, include_comments=False)
    text = (getattr(page, "text", None) or "").strip("\n") if page is not None else ""
    if not text.strip():
        return FileProblem(f"{place}trafilatura found no main text in this page — not an article; remove it")
    text = text.replace("\r\n", "\n")
    normalizations: list[str] = []
    meta = {
        "title": page.title or None,
        "author": page.author or None,
        "published": page.date[:10] if page.date and _DATE.match(page.date) else None,
        "language": lang or page.language or None,
        "language_from": "the page's lang attribute" if lang else "the page's metadata",
    }
    source |= {
        "url": source.get("url") or page.url or None,
        "site_name": page.sitename or None,
        "removed_characters": max(visible - _chars(text), 0),
        "extractor": extractor_name(),
    }
    return Source(text, normalizations, source_file, stem, source, meta)


def _visible_characters(tree: Any) -> int:
    """Characters of the page's visible text (not scripts or styles), before trafilatura prunes the tree."""
    texts = tree.xpath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")
    return _chars("".join(texts))  # one join, not a call per text node: a page has thousands


def _chars(text: str) -> int:
    return len("".join(text.split()))


# ---- WARC crawl files -------------------------------------------------------------------------------


def _warc(path: Path, source_file: str, max_bytes: int, skipped: Skipped) -> Iterator[Item]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    fd = open_regular(path)
    found = 0
    with os.fdopen(fd, "rb") as stream:
        try:
            for number, record in enumerate(ArchiveIterator(stream), 1):
                item = _warc_record(record, number, source_file, max_bytes, skipped)
                if item is not None:
                    found += 1
                    yield item
        except (ArchiveLoadFailed, ValueError, OSError, EOFError) as e:
            yield FileProblem(f"not a readable WARC file ({safe(e)}) — check that it is a WARC or WARC.gz crawl file")
            return
    if not found:
        seen = ", ".join(f"{count} {reason}" for reason, count in skipped.reasons.items()) or "no records at all"
        yield FileProblem(f"not a readable WARC file: no HTML response record in it ({seen}) — check the file")


def _warc_record(record: Any, number: int, source_file: str, max_bytes: int, skipped: Skipped) -> Item | None:
    headers = record.rec_headers
    if record.rec_type != "response":
        skipped.reasons[f"{record.rec_type} record (not a response)"] += 1
        return None
    uri = headers.get_header("WARC-Target-URI") or ""
    http = record.http_headers
    status = http.get_statuscode() if http else None
    if status != "200":
        skipped.reasons[f"HTTP status {status or 'missing'} (not 200)"] += 1
        return None
    content_type = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in ("text/html", "application/xhtml+xml"):
        skipped.reasons[f"not HTML ({content_type or 'no content type'})"] += 1
        return None
    where = f"record {number} ({safe(uri)})"
    payload = record.content_stream().read(max_bytes + 1)
    if len(payload) > max_bytes:
        record.content_stream().read()  # the iterator reads on from the record's end
        return FileProblem(f"{where}: over the limit of {max_bytes:,} bytes — raise --max-bytes")
    stem = _slug(uri.rstrip("/").rsplit("/", 1)[-1].split("?")[0], f"record{number}")
    source = _source(
        "warc",
        payload,
        record=headers.get_header("WARC-Record-ID"),
        url=uri or None,
        crawl_date=headers.get_header("WARC-Date"),
    )
    return _page(payload, source_file, f"{_stem(source_file)}.{stem}", source, where)


# ---- JSONL / CSV / Parquet dumps ----------------------------------------------------------------------


def _dump(path: Path, source_file: str, fmt: str, max_bytes: int, fields: dict[str, str]) -> Iterator[Item]:
    rows = {"jsonl": _jsonl_rows, "csv": _csv_rows, "parquet": _parquet_rows, "dataset": dataset_rows}[fmt](path)
    seen = 0
    for where, raw, row in rows:
        seen += 1
        if isinstance(row, FileProblem):
            yield row
            continue
        yield _row(row, raw, where, source_file, fmt, max_bytes, fields)
    if seen == 0:
        yield FileProblem("no rows — an empty dump; remove it")


def _jsonl_rows(path: Path) -> Iterator[tuple[str, bytes, dict[str, Any] | FileProblem]]:
    with os.fdopen(open_regular(path), "rb") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                row = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                yield where, line, FileProblem(f"{where}: not JSON ({safe(e)}) — fix the line or remove it")
                continue
            if not isinstance(row, dict):
                yield where, line, FileProblem(f"{where}: a JSON {type(row).__name__}, not an object — one per line")
                continue
            yield where, line, row


def _csv_rows(path: Path) -> Iterator[tuple[str, bytes, dict[str, Any] | FileProblem]]:
    csv.field_size_limit(1 << 30)
    with os.fdopen(open_regular(path), "rb") as binary:
        stream = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        try:
            for number, row in enumerate(csv.DictReader(stream), 2):  # line 1 is the header
                yield f"row {number}", json.dumps(row, sort_keys=True).encode(), row
        except UnicodeDecodeError as e:
            yield "", b"", FileProblem(f"not UTF-8 (byte {e.start} of a chunk) — re-save the CSV as UTF-8")
        except csv.Error as e:
            yield "", b"", FileProblem(f"not a readable CSV file ({safe(e)})")


def _parquet_rows(path: Path) -> Iterator[tuple[str, bytes, dict[str, Any] | FileProblem]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    open_regular_check = open_regular(path)
    os.close(open_regular_check)  # only the checks: pyarrow opens the file itself
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as e:
        yield "", b"", FileProblem(f"not a readable Parquet file ({safe(e)})")
        return
    number = 0
    for batch in parquet.iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            number += 1
            yield f"row {number}", json.dumps(row, sort_keys=True, default=str).encode(), row


def _row(
    row: dict[str, Any], raw: bytes, where: str, source_file: str, fmt: str, max_bytes: int, fields: dict[str, str]
) -> Item:
    text_field = fields["text"]
    text = row.get(text_field)
    if not isinstance(text, str) or not text.strip():
        found = "missing" if text_field not in row else f"{type(text).__name__} {safe(repr(text)[:40])}"
        return FileProblem(
            f"{where}: text field {text_field!r} is {found} — fields here: {safe(sorted(row))[:200]}; "
            "name the text field with --text-field (or text_field in goldkit.toml [ingest])"
        )
    if len(text.encode("utf-8")) > max_bytes:
        return FileProblem(f"{where}: text over the limit of {max_bytes:,} bytes — raise --max-bytes")
    try:
        text, normalizations = decode_text(text.encode("utf-8"))
    except FileProblem as e:
        return FileProblem(f"{where}: {e}")
    meta: dict[str, Any] = {}
    for key in ("title", "author", "language"):
        if key in fields and row.get(fields[key]) not in (None, ""):
            meta[key] = str(row[fields[key]])
    if "language" in meta:
        meta["language_from"] = f"the dump's {fields['language']!r} field"
    if "date" in fields and row.get(fields["date"]) not in (None, ""):
        published = _date(row[fields["date"]])
        if published is None:
            return FileProblem(
                f"{where}: date field {fields['date']!r} = {safe(repr(row[fields['date']])[:40])} is not a date "
                "(YYYY-MM-DD…) — fix it or drop --date-field"
            )
        meta["published"] = published
    row_id = row.get(fields["id"]) if "id" in fields else None
    number = where.rsplit(" ", 1)[-1]
    stem = _slug(str(row_id), f"{_stem(source_file)}-{number}") if row_id not in (None, "") else None
    url = str(row[fields["url"]]) if "url" in fields and row.get(fields["url"]) else None
    source = _source(fmt, raw, record=where, url=url)
    return Source(text, normalizations, source_file, stem or f"{_stem(source_file)}-{number}", source, meta)


def _date(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text[:10] if _DATE.match(text) else None
