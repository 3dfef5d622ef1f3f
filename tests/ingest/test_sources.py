"""ingest of the formats news comes in: saved HTML pages, WARC crawls, JSONL/CSV/Parquet dumps."""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from jsonschema import Draft202012Validator
from record_builders import AR_SEED, EN_SEED, seed_dump_rows

from goldkit import paths
from goldkit.cli import main as cli_main
from goldkit.errors import InputError
from goldkit.ingest.documents import ingest
from goldkit.schema.loading import load_schema

DATA = Path(__file__).resolve().parents[1] / "data"
PAGES = DATA / "ingest_html"  # real pages from trafilatura's test material, see SOURCE.md there
SALON = PAGES / "salon.com.emissions.html"


@pytest.fixture(autouse=True)
def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))


def _valid(document: dict[str, Any]) -> None:
    schema = load_schema()
    errors = list(Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/Document"}).iter_errors(document))
    assert not errors, [e.message for e in errors]
    for span in document["boilerplate"]:
        assert document["text"][span["start"] : span["end"]] == span["text"]


def test_saved_news_pages_give_main_text_and_metadata() -> None:
    documents = {d["source_file"]: d for d in ingest([PAGES]).documents}
    assert set(documents) == {p.name for p in PAGES.glob("*.html")}
    salon = documents["salon.com.emissions.html"]
    assert salon["title"] == "Despite everything, U.S. emissions dipped in 2019"
    assert salon["author"] == "Nathanael Johnson" and salon["published"] == "2020-01-10"
    assert salon["language"] == "en"
    assert salon["source"]["url"].startswith("https://www.salon.com/2020/01/10/")
    assert salon["source"]["site_name"] == "Salon.com"
    assert salon["source"]["format"] == "html" and salon["source"]["extractor"].startswith("trafilatura ")
    assert salon["source"]["removed_characters"] > 0  # the page's navigation and footer are gone, and counted
    assert "Just a week into the new year" in salon["text"] and "<" not in salon["text"]
    import hashlib

    assert salon["source"]["sha256"] == hashlib.sha256(SALON.read_bytes()).hexdigest()
    for document in documents.values():
        _valid(document)
    from goldkit.release.card_sections import document_sources

    assert document_sources(salon) == {
        "url": salon["source"]["url"],
        "publisher": "Salon.com",
        "published": "2020-01-10",
    }


def _arabic_page() -> bytes:
    """The Arabic seed as a right-to-left page with furniture around it (made here, from the seed's own text)."""
    paragraphs = "".join(f"<p>{line}</p>" for line in AR_SEED.read_text(encoding="utf-8").splitlines() if line.strip())
    return (
        '<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>وزير الداخلية يلتقي نظيره الكازاخستاني</title>'
        "</head><body><nav><a href='/'>الرئيسية</a> / <a href='/local'>محليات</a></nav>"
        f"<article>{paragraphs}</article><footer>شارك الخبر · جميع الحقوق محفوظة</footer></body></html>"
    ).encode()


def test_an_arabic_right_to_left_page(tmp_path: Path) -> None:
    page = tmp_path / "corpus" / "riyadh.html"
    page.parent.mkdir()
    page.write_bytes(_arabic_page())
    (document,) = ingest([page]).documents
    assert document["language"] == "ar"
    assert document["source"]["removed_characters"] > 0
    assert "جميع الحقوق محفوظة" not in document["text"]
    _valid(document)


def test_a_page_in_a_language_the_schema_lacks_is_named(tmp_path: Path) -> None:
    page = tmp_path / "de.html"
    page.write_bytes(_arabic_page().replace(b'lang="ar"', b'lang="de"'))
    with pytest.raises(InputError) as caught:
        ingest([page])
    assert "language 'de' (from the page's lang attribute)" in caught.value.message
    assert "$defs/Language" in caught.value.message


def _warc(path: Path, gz: bool) -> None:
    """A crawl file: three real pages, a 404, an image, a request record (what a crawler writes)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gz)

        def response(uri: str, status: str, content_type: str, body: bytes) -> None:
            http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http))

        for page in sorted(PAGES.glob("*.html")):
            response(f"https://example.org/news/{page.stem}", "200 OK", "text/html; charset=utf-8", page.read_bytes())
        response("https://example.org/missing", "404 Not Found", "text/html", b"<html><body>gone</body></html>")
        response("https://example.org/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n")
        writer.write_record(writer.create_warc_record("https://example.org/", "request", payload=io.BytesIO(b"GET /")))


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_each_html_response_of_a_warc_is_a_document_and_the_rest_is_counted(tmp_path: Path, name: str) -> None:
    warc = tmp_path / name
    _warc(warc, gz=name.endswith(".gz"))
    report = ingest([warc])
    assert len(report.documents) == 3
    assert report.skipped[str(warc)] == {
        "HTTP status 404 (not 200)": 1,
        "not HTML (image/png)": 1,
        "request record (not a response)": 1,
    }
    salon = next(d for d in report.documents if "salon" in d["id"])
    assert salon["source"]["format"] == "warc" and salon["source"]["url"].endswith("salon.com.emissions")
    assert salon["source"]["crawl_date"] and salon["source"]["record"].startswith("<urn:uuid:")
    assert salon["title"] == "Despite everything, U.S. emissions dipped in 2019"
    for document in report.documents:
        _valid(document)


def test_a_broken_warc_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(gzip.compress(b"this is not a WARC record\r\n\r\n"))
    with pytest.raises(InputError) as caught:
        ingest([broken])
    assert "broken.warc.gz: not a readable WARC file" in caught.value.message


MAP = ["--text-field", "body", "--id-field", "guid", "--title-field", "headline", "--date-field", "when",
       "--url-field", "link", "--language-field", "lang"]  # fmt: skip


def _write_dump(path: Path, rows: list[dict[str, Any]]) -> None:
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    elif path.suffix == ".csv":
        import csv

        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_dumps_are_read_through_the_field_map(tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]) -> None:
    dump = tmp_path / "corpus" / f"dump{suffix}"
    dump.parent.mkdir()
    _write_dump(dump, seed_dump_rows())
    assert cli_main.main(["ingest", *MAP, "--json"]) == 0
    documents = {d["id"].rsplit("-", 1)[0]: d for d in json.loads(capsys.readouterr().out)["documents"]}
    assert set(documents) == {"en-1", "ar-1"}
    assert documents["en-1"]["title"] == "Security cooperation" and documents["en-1"]["published"] == "2025-12-18"
    assert documents["ar-1"]["language"] == "ar" and documents["ar-1"]["source"]["url"] == "https://example.org/ar-1"
    assert documents["en-1"]["text"] == EN_SEED.read_text(encoding="utf-8")
    assert documents["en-1"]["source"]["format"] == suffix[1:]
    for document in documents.values():
        _valid(document)


def test_the_field_map_can_live_in_goldkit_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "goldkit.toml").write_text('[ingest]\ntext_field = "body"\nid_field = "guid"\n', encoding="utf-8")
    (tmp_path / "schema").mkdir()
    shutil.copy(paths.DEFAULT_SCHEMA_PATH, tmp_path / paths.SCHEMA_FILE)
    dump = tmp_path / "corpus" / "dump.jsonl"
    dump.parent.mkdir()
    _write_dump(dump, seed_dump_rows())
    assert cli_main.main(["ingest", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["documents"]) == 2


def test_bad_rows_are_named_by_line_and_field(tmp_path: Path) -> None:
    rows = seed_dump_rows()
    rows[1]["body"] = "   "
    rows.append({"guid": "x", "body": "Some text of an article that is written in English with the words."})
    dump = tmp_path / "dump.jsonl"
    _write_dump(dump, rows)
    dump.write_text(dump.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        ingest([dump], fields={"text": "body", "id": "guid", "date": "when"})
    message = caught.value.message
    assert f"{dump}: line 2: text field 'body' is str" in message
    assert f"{dump}: line 4: not JSON" in message
    assert f"{dump}: line 1:" not in message and f"{dump}: line 3:" not in message
    with pytest.raises(InputError) as caught:
        ingest([dump], fields={"text": "content"})
    assert "text field 'content' is missing — fields here: ['body', 'guid'" in caught.value.message
