"""ingest: article files -> document records (text kept exactly, furniture marked), and `goldkit ingest`."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from goldkit.cli import main as cli_main
from goldkit.errors import InputError
from goldkit.ingest.documents import ingest, lead_sentence, load_documents, write_documents
from goldkit.jsonio import iter_jsonl
from goldkit.schema.loading import load_schema

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest_seeds"
SEEDS = DATA / "input"
EN_SEED = SEEDS / "000_a681de6f3d5f1a0d.txt"
AR_SEED = SEEDS / "003_5fb4ba3b4aa07823.txt"
SENTINEL = '{"untouched": true}\n'


@pytest.fixture(autouse=True)
def _project_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run `goldkit ARGS…` through the real entry point; return (exit code, stdout, stderr)."""

    def _run(*args: str) -> tuple[int, str, str]:
        code = cli_main.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def _document_validator() -> Draft202012Validator:
    schema = load_schema()
    return Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/Document"})


def _by_source(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["source_file"]: d for d in documents}


def _check_spans(document: dict[str, Any]) -> None:
    for span in document["boilerplate"]:
        assert document["text"][span["start"] : span["end"]] == span["text"]


# ---- the two seeds -----------------------------------------------------------------------------


def test_seeds_match_golden_documents() -> None:
    expected = [record for _, record in iter_jsonl(DATA / "expected" / "documents.jsonl")]
    assert ingest([SEEDS]).documents == expected


def test_english_seed() -> None:
    document = _by_source(ingest([SEEDS]).documents)[EN_SEED.name]
    assert document["language"] == "en"
    assert document["dateline"] == "RIYADH"
    # the file has no headline line (it opens with the dateline and the lead paragraph): no title, and the
    # lead sentence is still there for release row format 1, which used it as a stand-in
    assert document["title"] is None
    lead = lead_sentence(document["text"], "en")
    assert lead.startswith("Saudi Arabia and Kazakhstan are strengthening") and lead.endswith("on Thursday.")
    assert document["author"] is None and document["published"] is None
    headings = [s["text"] for s in document["boilerplate"] if s["kind"] == "section_heading"]
    assert headings == [
        "Boosting Security Cooperation Between Saudi Arabia and Kazakhstan",
        "Shared Security Concerns and Regional Dynamics",
        "Economic Ties and Their Impact on Security",
    ]
    assert {s["kind"] for s in document["boilerplate"]} == {"section_heading"}


def test_arabic_seed() -> None:
    document = _by_source(ingest([SEEDS]).documents)[AR_SEED.name]
    lines = AR_SEED.read_text(encoding="utf-8").split("\n")
    assert document["language"] == "ar"
    assert document["title"] == lines[1]
    assert document["author"] == "أمجد الحبيشي"
    assert document["published"] == "2025-12-20"
    assert document["dateline"] is None
    kinds = {s["kind"]: s for s in document["boilerplate"]}
    assert list(kinds) == ["breadcrumb", "duplicate_title", "byline", "share"]
    assert kinds["breadcrumb"]["start"] == 0 and kinds["breadcrumb"]["text"] == lines[0]
    assert kinds["duplicate_title"]["text"] == lines[1]
    assert kinds["duplicate_title"]["start"] > len(lines[0]) + len(lines[1])  # the repeat, not the title
    assert "verified icon" in kinds["byline"]["text"]
    assert kinds["share"]["text"] == "شارك الخبر"
    assert kinds["share"]["end"] == len(document["text"])


@pytest.mark.parametrize("seed", [EN_SEED, AR_SEED], ids=["en", "ar"])
def test_seed_text_id_and_schema(seed: Path) -> None:
    document = _by_source(ingest([seed]).documents)[seed.name]
    raw = seed.read_bytes()
    assert document["text"].encode("utf-8") == raw
    assert document["sha256"] == hashlib.sha256(raw).hexdigest()
    assert document["id"] == f"{seed.stem}-{document['sha256'][:8]}"
    assert re.fullmatch(r"\d{3}_[0-9a-f]{16}-[0-9a-f]{8}", document["id"])
    assert document["normalizations"] == []
    _check_spans(document)
    assert list(_document_validator().iter_errors(document)) == []


def test_headline_byline_and_dateline_in_english(tmp_path: Path) -> None:
    article = tmp_path / "story.txt"
    article.write_text(
        "Ministers Meet in London\nBy Jane Doe | March 3, 2024\n\n"
        "LONDON – The ministers met on Monday to discuss the plan and the budget for the year. "
        "They agreed on a timetable that is expected to be published in the spring, officials said.\n",
        encoding="utf-8",
    )
    document = ingest([article]).documents[0]
    assert (document["title"], document["author"], document["published"]) == (
        "Ministers Meet in London",
        "Jane Doe",
        "2024-03-03",
    )
    assert document["dateline"] == "LONDON"
    assert [s["kind"] for s in document["boilerplate"]] == ["byline"]
    assert list(_document_validator().iter_errors(document)) == []


def test_progress_is_reported_per_file() -> None:
    calls: list[tuple[int, int | None]] = []
    ingest([SEEDS], progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]


def test_undated_by_line_before_the_headline_is_the_headline(tmp_path: Path) -> None:
    article = tmp_path / "numbers.txt"
    article.write_text(
        "By the numbers: Saudi trade\nBy Jane Doe\n\n"
        "The trade between the two countries grew by a third in the year, and officials said that it was "
        "expected to grow further as new routes open for goods and for travellers from the region.\n",
        encoding="utf-8",
    )
    document = ingest([article]).documents[0]
    assert (document["title"], document["author"], document["published"]) == (
        "By the numbers: Saudi trade",
        "Jane Doe",
        None,
    )


# ---- normalizations ----------------------------------------------------------------------------


def test_bom_and_crlf_are_removed_and_declared(tmp_path: Path) -> None:
    seed_text = AR_SEED.read_text(encoding="utf-8")
    delivered = tmp_path / AR_SEED.name
    delivered.write_bytes(b"\xef\xbb\xbf" + seed_text.replace("\n", "\r\n").encode("utf-8"))
    document = ingest([delivered]).documents[0]
    seed_document = ingest([AR_SEED]).documents[0]
    assert document["normalizations"] == ["bom_removed", "crlf_to_lf"]
    assert document["text"] == seed_text
    assert document["id"] == seed_document["id"]  # the id hashes the normalized text
    assert document["boilerplate"] == seed_document["boilerplate"]
    _check_spans(document)
    assert list(_document_validator().iter_errors(document)) == []


def test_only_what_is_present_is_declared(tmp_path: Path) -> None:
    delivered = tmp_path / "a.txt"
    delivered.write_bytes(EN_SEED.read_bytes().replace(b"\n", b"\r\n"))
    document = ingest([delivered]).documents[0]
    assert document["normalizations"] == ["crlf_to_lf"]
    assert document["text"] == EN_SEED.read_text(encoding="utf-8")


# ---- bad input ---------------------------------------------------------------------------------

NOT_UTF8_PREFIX = b"The minister said on Monday that "


def _bad_input(case: str, folder: Path) -> tuple[list[Path], Path, str]:
    """Build one bad input in folder; return (paths to ingest, the file to be named, expected words)."""
    good = folder / "good.txt"
    good.write_bytes(EN_SEED.read_bytes())
    bad = folder / "bad.txt"
    if case == "empty":
        bad.write_bytes(b"")
        return [folder], bad, "empty file"
    if case == "blank":
        bad.write_bytes(b"\xef\xbb\xbf \n\r\n")
        return [folder], bad, "empty file"
    if case == "binary":
        bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
        return [folder], bad, "binary file (NUL byte at byte 8)"
    if case == "not_utf8":
        bad.write_bytes(NOT_UTF8_PREFIX + "وزير الداخلية".encode("cp1256"))
        return [folder], bad, f"not UTF-8 at byte {len(NOT_UTF8_PREFIX)}"
    if case == "duplicate":
        copy = folder / "good_copy.txt"
        copy.write_bytes(EN_SEED.read_bytes())
        return [folder], copy, f"same text as {good}"
    if case == "too_big":
        bad.write_bytes(b"x" * 8000)  # the good file has about 6,000
        return [folder], bad, "8,000 bytes, over the limit of 7,000"
    if case == "missing":
        return [good, folder / "nope.txt"], folder / "nope.txt", "no such file or folder"
    if case == "no_txt":
        (folder / "sub").mkdir()
        (folder / "sub" / "notes.md").write_text("# notes", encoding="utf-8")
        return [good, folder / "sub"], folder / "sub", "no article files"
    if case == "unsupported_language":
        bad.write_text("Министр внутренних дел встретился с коллегой в Эр-Рияде в четверг.", encoding="utf-8")
        return [folder], bad, "language not supported (mostly Cyrillic script)"
    if case == "latin_not_english":
        bad.write_text("Le ministre de l'Intérieur a rencontré son homologue à Riyad jeudi.", encoding="utf-8")
        return [folder], bad, "language not supported (mostly Latin script)"
    if case == "bad_name":
        named = folder / "مقال 1.txt"
        named.write_bytes(EN_SEED.read_bytes())
        return [folder], named, "makes an invalid id"
    raise AssertionError(case)


BAD_CASES = [
    "empty",
    "blank",
    "binary",
    "not_utf8",
    "duplicate",
    "too_big",
    "missing",
    "no_txt",
    "unsupported_language",
    "latin_not_english",
    "bad_name",
]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_is_named_and_nothing_is_written(case: str, tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "corpus"
    folder.mkdir()
    paths, named, words = _bad_input(case, folder)
    max_bytes = ["--max-bytes", "7000"] if case == "too_big" else []
    with pytest.raises(InputError) as raised:
        ingest(paths, max_bytes=7000 if case == "too_big" else 5_000_000)
    assert f"{named}: " in raised.value.message and words in raised.value.message
    assert [problem.path for problem in raised.value.facts["problems"]] == [str(named)]

    out = tmp_path / "documents.jsonl"
    out.write_text(SENTINEL, encoding="utf-8")
    code, stdout, stderr = run("ingest", *map(str, paths), "--out", str(out), *max_bytes)
    assert code == 1
    unwrapped = re.sub(r"\s+", "", stderr)  # rich wraps long lines at the terminal width
    assert re.sub(r"\s+", "", str(named)) in unwrapped and "nothingwaswritten" in unwrapped
    assert "thenrun:goldkitingest" in unwrapped  # the hint ends with the command to run again
    assert out.read_text(encoding="utf-8") == SENTINEL
    assert stdout == ""


def test_every_bad_file_is_reported_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a_empty.txt").write_bytes(b"")
    (folder / "b_good.txt").write_bytes(AR_SEED.read_bytes())
    (folder / "c_binary.txt").write_bytes(b"\x00\x01\x02")
    (folder / "d_latin1.txt").write_bytes("Caf\u00e9 society and the minister".encode("latin-1"))
    with pytest.raises(InputError) as raised:
        ingest([folder])
    named = [problem.path for problem in raised.value.facts["problems"]]
    assert named == [str(folder / name) for name in ("a_empty.txt", "c_binary.txt", "d_latin1.txt")]
    assert raised.value.message.startswith("3 input files cannot be ingested")
    assert "not UTF-8 at byte 3 (0xe9)" in raised.value.message


def test_json_error_lists_problems(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "empty.txt").write_bytes(b"")
    code, stdout, _ = run("ingest", str(tmp_path / "empty.txt"), "--json")
    assert code == 1
    error = json.loads(stdout)
    assert error["error"] == "InputError"
    assert error["problems"][0]["path"] == str(tmp_path / "empty.txt")


# ---- writing and loading -----------------------------------------------------------------------


def test_write_and_load_documents(tmp_path: Path) -> None:
    documents = ingest([SEEDS]).documents
    path = write_documents(list(reversed(documents)))
    assert path == tmp_path / "annotations" / "documents.jsonl"
    assert [record["id"] for _, record in iter_jsonl(path)] == sorted(d["id"] for d in documents)
    assert load_documents() == {d["id"]: d for d in documents}


def test_load_documents_when_missing_says_how_to_make_them(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        load_documents()
    assert str(tmp_path / "annotations" / "documents.jsonl") in raised.value.message
    assert raised.value.hint.endswith("goldkit ingest corpus/")


def test_load_documents_rejects_repeated_ids(tmp_path: Path) -> None:
    document = ingest([EN_SEED]).documents[0]
    path = tmp_path / "docs.jsonl"
    path.write_text((json.dumps(document) + "\n") * 2, encoding="utf-8")
    with pytest.raises(InputError, match=r"docs\.jsonl:2: document repeats id"):
        load_documents(path)


# ---- CLI ---------------------------------------------------------------------------------------


def test_cli_json_writes_and_prints_documents(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out" / "documents.jsonl"
    code, stdout, _ = run("ingest", str(SEEDS), "--out", str(out), "--json")
    assert code == 0
    result = json.loads(stdout)
    assert result["out"] == str(out) and result["count"] == 2
    written = [record for _, record in iter_jsonl(out)]
    assert result["documents"] == written
    assert [d["language"] for d in written] == ["en", "ar"]
    validator = _document_validator()
    assert [list(validator.iter_errors(d)) for d in written] == [[], []]


def test_cli_defaults_to_corpus_and_prints_a_table(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "corpus").mkdir()
    for seed in (EN_SEED, AR_SEED):
        (tmp_path / "corpus" / seed.name).write_bytes(seed.read_bytes())
    code, stdout, _ = run("ingest")
    assert code == 0
    documents = load_documents()
    assert sorted(documents) == sorted(d["id"] for d in ingest([SEEDS]).documents)
    for document in documents.values():
        assert document["id"] in stdout
    assert "2025-12-20" in stdout and "2 added" in stdout


def test_cli_help_has_an_example(run) -> None:  # type: ignore[no-untyped-def]
    code, stdout, _ = run("ingest", "--help")
    assert code == 0 and "Example: goldkit ingest" in stdout
