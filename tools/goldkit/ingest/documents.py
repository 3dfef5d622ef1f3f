"""Turn delivered article files into document records: text kept exactly, page furniture marked.

Reading a file: the bytes must be non-empty UTF-8 text within the size limit. The only changes made
are a leading BOM removed and CRLF turned into LF, each declared in `normalizations`; offsets count
code points into the normalized text.

Reading an article (language-neutral rules over lines):
- The *header* is the run of leading short lines (at most 25 words) before the first paragraph or
  dateline line. In it: a first line of ' / '-separated crumbs is a `breadcrumb`; a line carrying a full
  date (dateparser, in the article's language) or starting with 'By …' is the `byline` (author = the
  words before the date, without a 'Label:' prefix or icons rendered as '<word> icon'); the first other
  line is the headline, and later header lines equal to it are `duplicate_title`.
- Title: the headline when there is one (or the source's metadata title), else null: a lead sentence is
  not a title (`lead_sentence` gives it; release row format 1 used it as a stand-in).
- Dateline: an upper-case place (or one or two Arabic words) followed by a dash, e.g. 'RIYADH – '.
- After the header: a trailing short line starting with a share word is the `share` footer; a short
  line (2-12 words) without end punctuation between paragraphs is a `section_heading`.
Nothing is deleted: each of these is a boilerplate span with offsets into the text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldkit.errors import GoldkitError, InputError, Problem
from goldkit.ingest.files import FORMATS, FileProblem, checked_target, decode_text, read_limited, safe, source_format
from goldkit.ingest.hf_dataset import is_dataset_folder
from goldkit.ingest.sources import Skipped, Source, read_sources
from goldkit.jsonio import iter_jsonl, write_jsonl
from goldkit.paths import corpus_dir, documents_path
from goldkit.schema.loading import definition, label_values, schema_value, schema_version

DEFAULT_MAX_BYTES = 5_000_000  # per document: a text file, a page, a WARC record's payload, a dump row's text
INGEST_COMMAND = "goldkit ingest corpus/"
DATASET = "dataset"  # the SourceFormat of a Hugging Face dataset folder (a folder, not a file)

# Writing system of the letters -> the schema language written with it. Checked against $defs/Language.
SCRIPT_LANGUAGE = {"LATIN": "en", "ARABIC": "ar"}
# Guards so a script does not stand for every language written in it (French, Persian, Urdu …).
_ENGLISH_FUNCTION_WORDS = frozenset(
    {"the", "and", "of", "to", "that", "for", "with", "was", "were", "is", "are", "it", "its", "from", "by", "this"}
    | {"which", "has", "have"}
)
_NOT_ARABIC_LETTERS = frozenset("پچژگکیےٹڈڑں")

_HEADER_MAX_WORDS = 25
_HEADER_MAX_LINES = 8
_HEADING_WORDS = range(2, 13)
_END_PUNCTUATION = tuple(".!?؟:;…\"”'’»)")
_SHARE_WORDS = ("share", "شارك", "مشاركة")
_BYLINE_LEADS = re.compile(r"^(?:by|بقلم|كتب)\s+", re.IGNORECASE)
_BYLINE_LABEL = re.compile(r"^[^:\n]{1,20}:\s*")
_ICON_WORDS = re.compile(r"\b[a-z]+ icon\b", re.IGNORECASE)
_CRUMB_SEPARATOR = re.compile(r"\s+[/›»>]\s+")
_DATELINES = {
    "LATIN": re.compile(r"^(?P<place>[A-Z][A-Z.'’-]+(?:[ ,]+[A-Z][A-Z.'’-]+)*)\s*(?:\([^)\n]*\)\s*)?[–—-]+\s+"),
    "ARABIC": re.compile(r"^(?P<place>[\u0621-\u064A]+(?: [\u0621-\u064A]+)?)\s*(?:\([^)\n]*\)\s*)?[–—-]\s+"),
}
_SENTENCE_END = re.compile(r"[.!?؟…](?=\s|$)")


@dataclass
class IngestReport:
    """What ingest read: one document record per article (file, page, record or row), in id order."""

    documents: list[dict[str, Any]]
    files: list[Path] = field(default_factory=list)
    skipped: dict[str, dict[str, int]] = field(default_factory=dict)  # container file -> reason -> records
    notes: list[str] = field(default_factory=list)  # e.g. symlinks followed inside the corpus


@dataclass
class MergeReport:
    """How a run's documents went into the documents file: nothing already there is dropped silently."""

    path: Path
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # there before, not part of this run: kept
    removed: list[str] = field(default_factory=list)  # only with replace=True, and reported

    @property
    def total(self) -> int:
        return len(self.added) + len(self.unchanged) + len(self.kept)


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


# ---- files -------------------------------------------------------------------------------------


def _collect_files(paths: Iterable[Path], problems: list[Problem]) -> list[tuple[Path, str]]:
    """Expand folders to the files goldkit reads; return (file, source_file) pairs, each file once."""
    found: dict[Path, str] = {}
    for path in paths:
        if is_dataset_folder(path):
            found.setdefault(path.absolute(), _source_name(path))
        elif path.is_dir() and not path.is_symlink():
            files = sorted(entry for entry in path.iterdir() if _format(entry))
            if not files:
                what = f"{', '.join(FORMATS)}, or a Hugging Face dataset folder"
                problems.append(_problem(path, f"folder has no article files ({what}) — put them here"))
            for file in files:
                found.setdefault(file.absolute(), file.relative_to(path).as_posix())
        elif path.is_symlink() or path.exists():
            if not source_format(path):
                problems.append(_problem(path, f"not a file goldkit reads — name it with one of: {', '.join(FORMATS)}"))
                continue
            found.setdefault(path.absolute(), _source_name(path))
        else:
            problems.append(_problem(path, "no such file or folder — check the path"))
    return sorted(found.items(), key=lambda item: (item[1], str(item[0])))


def _format(path: Path) -> str | None:
    """The SourceFormat of a file or of a Hugging Face dataset folder (None: nothing goldkit reads)."""
    return schema_value("SourceFormat", DATASET) if is_dataset_folder(path) else source_format(path)


def _source_name(path: Path) -> str:
    try:
        return path.absolute().relative_to(corpus_dir().absolute()).as_posix()
    except (ValueError, GoldkitError):
        return path.name


def _problem(path: Path, message: str, got: Any = None) -> Problem:
    return Problem(pointer="", message=safe(message), got=got, path=safe(path))


def read_article(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, list[str]]:
    """Return a text file's text and the normalizations applied; raise FileProblem when it is unusable."""
    target, _ = checked_target(path, [path.parent])
    return decode_text(read_limited(target, max_bytes))


# ---- language ----------------------------------------------------------------------------------


def detect_language(text: str) -> str:
    """Return the schema language of text from its dominant script; raise FileProblem if unsupported."""
    scripts = Counter(unicodedata.name(ch, "?").split(" ")[0] for ch in text if ch.isalpha())
    supported = label_values("Language")
    if not scripts:
        raise FileProblem(f"no letters, so no language — goldkit reads articles in: {', '.join(supported)}")
    script, count = scripts.most_common(1)[0]
    language = SCRIPT_LANGUAGE.get(script)
    if language and not _script_fits(script, text, count):
        language = None
    if language is None or language not in supported:
        raise FileProblem(
            f"language not supported (mostly {script.title()} script) — goldkit reads: {', '.join(supported)}"
        )
    return language


def _script_fits(script: str, text: str, letters: int) -> bool:
    if script == "LATIN":
        words = re.findall(r"[^\W\d_]+", text.lower())
        return sum(word in _ENGLISH_FUNCTION_WORDS for word in words) >= 0.08 * max(len(words), 1)
    if script == "ARABIC":
        return sum(ch in _NOT_ARABIC_LETTERS for ch in text) <= 0.03 * letters
    return True


def _script(language: str) -> str:
    # a project's own language (given with --language or by the source) reads its dateline like Latin text
    return next((script for script, lang in SCRIPT_LANGUAGE.items() if lang == language), "LATIN")


# ---- article structure -------------------------------------------------------------------------


def _lines(text: str) -> list[_Line]:
    """Return the non-blank lines with offsets of their stripped content."""
    lines, offset = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = offset + raw.index(stripped)
            lines.append(_Line(start, start + len(stripped), stripped))
        offset += len(raw) + 1
    return lines


def _span(line: _Line, kind: str) -> dict[str, Any]:
    return {"start": line.start, "end": line.end, "text": line.text, "kind": schema_value("BoilerplateKind", kind)}


def _dateline(line: _Line | None, language: str) -> str | None:
    match = _DATELINES[_script(language)].match(line.text) if line else None
    return match.group("place").strip(" ,") if match else None


def _header_size(lines: list[_Line], language: str) -> int:
    """Count the leading short lines before the first paragraph or dateline."""
    size = 0
    for line in lines[:_HEADER_MAX_LINES]:
        if line.words > _HEADER_MAX_WORDS or _dateline(line, language):
            break
        size += 1
    return size


def _byline(line: _Line, language: str, after_title: bool) -> tuple[str | None, str | None] | None:
    """Return (author, published ISO date) if the line is a byline, else None.

    A dated line is a byline anywhere in the header; an undated 'By Jane Doe' only after the headline,
    so a headline such as 'By the numbers: …' stays a headline.
    """
    from dateparser.search import search_dates  # slow import: only when an article has a header

    found = search_dates(line.text, languages=[language], settings={"REQUIRE_PARTS": ["day", "month", "year"]})
    found = [(words, when) for words, when in found or [] if any(ch.isdigit() for ch in words)]
    if not found and not (after_title and line.words <= 6 and _BYLINE_LEADS.match(line.text)):
        return None
    before = line.text[: line.text.find(found[0][0])] if found else line.text
    author = _ICON_WORDS.sub(" ", _BYLINE_LEADS.sub("", _BYLINE_LABEL.sub("", before, count=1)))
    author = " ".join(author.split()).strip(" |-–—,،")
    return author or None, found[0][1].date().isoformat() if found else None


def _first_sentence(line: _Line, dateline: str | None, language: str) -> str:
    text = line.text
    if dateline:
        text = text[_DATELINES[_script(language)].match(text).end() :]  # type: ignore[union-attr]
    for match in _SENTENCE_END.finditer(text):
        word = text[: match.start()].rsplit(maxsplit=1)[-1] if text[: match.start()].strip() else ""
        if len(word) > 3 or (word and not word[0].isupper() and len(word) > 1):
            return text[: match.end()].strip()
    return text.strip() or line.text


def lead_sentence(text: str, language: str) -> str:
    """The first sentence of an article's body, after any dateline (release row format 1's stand-in title)."""
    lines = _lines(text)
    size = _header_size(lines, language)
    header, body = lines[:size], lines[size:]
    if not body:
        return header[0].text
    return _first_sentence(body[0], _dateline(body[0], language), language)


def read_structure(text: str, language: str) -> dict[str, Any]:
    """Return title, author, published, dateline and boilerplate spans of an article's text."""
    lines = _lines(text)
    size = _header_size(lines, language)
    header, body = lines[:size], lines[size:]
    spans: list[dict[str, Any]] = []
    author = published = title = None
    for index, line in enumerate(header):
        if index == 0 and len(_CRUMB_SEPARATOR.findall(line.text)) >= 2:
            spans.append(_span(line, "breadcrumb"))
        elif title is not None and line.text == title:
            spans.append(_span(line, "duplicate_title"))
        elif author is None and published is None and (found := _byline(line, language, title is not None)):
            author, published = found
            spans.append(_span(line, "byline"))
        elif title is None:
            title = line.text
    dateline = _dateline(body[0] if body else None, language)
    spans += _body_spans(body)
    spans.sort(key=lambda span: (span["start"], span["end"]))
    return {"title": title, "author": author, "published": published, "dateline": dateline, "boilerplate": spans}


def _body_spans(body: list[_Line]) -> list[dict[str, Any]]:
    spans = []
    if body and body[-1].words <= 6 and body[-1].text.casefold().startswith(_SHARE_WORDS):
        spans.append(_span(body[-1], "share"))
        body = body[:-1]
    for line in body[1:-1]:
        if line.words in _HEADING_WORDS and not line.text.endswith(_END_PUNCTUATION):
            spans.append(_span(line, "section_heading"))
    return spans


# ---- documents ---------------------------------------------------------------------------------


def build_document(
    text: str,
    normalizations: list[str],
    source_file: str,
    *,
    source: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
    stem: str | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """Return the document record of one article's (normalized) text.

    `meta` is what the source said (title, author, published, language): it wins over what the text's
    own header shows; `language` (ingest --language) wins over both.
    """
    meta = meta or {}
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    doc_id = f"{stem or Path(source_file).stem}-{sha[:8]}"
    if not re.fullmatch(definition("Id")["pattern"], doc_id):
        raise FileProblem(
            f"the file name makes an invalid id {doc_id!r} — rename it with letters, digits, '_', '.', '-'"
        )
    language = language or _declared_language(meta) or detect_language(text)
    structure = read_structure(text, language)
    document = {
        "record_type": "document",
        "schema_version": schema_version(),
        "id": doc_id,
        "language": language,
        "title": meta.get("title") or structure["title"],
        "author": meta.get("author") or structure["author"],
        "published": meta.get("published") or structure["published"],
        "dateline": structure["dateline"],
        "source_file": source_file,
        "sha256": sha,
        "normalizations": normalizations,
        "boilerplate": structure["boilerplate"],
        "text": text,
    }
    if source is not None:
        document["source"] = source
    return document


def _declared_language(meta: dict[str, Any]) -> str | None:
    """The schema language a page or row declares (e.g. 'en-GB' -> 'en'); FileProblem if the schema lacks it."""
    declared = meta.get("language")
    if not declared:
        return None
    supported = label_values("Language")
    for tag in (declared, declared.split("-")[0].split("_")[0].lower()):
        if tag in supported:
            return tag
    raise FileProblem(
        f"language {safe(declared)!r} (from {meta.get('language_from', 'the source')}) is not one of the schema's "
        f"languages ({', '.join(supported)}) — add it to $defs/Language in the schema, or pass --language"
    )


def ingest(
    paths: list[Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int | None], None] | None = None,
    fields: dict[str, str] | None = None,
    language: str | None = None,
) -> IngestReport:
    """Read article files (text, HTML, WARC, JSONL/CSV/Parquet dumps) and folders of them into document
    records; raise one InputError for every bad file or record (nothing is returned half-read).

    Every record is held: for a corpus of any size, `ingest.merge.ingest_into` streams them to the file."""
    report = IngestReport(documents=[])
    documents = read_documents(paths, report, max_bytes=max_bytes, progress=progress, fields=fields, language=language)
    report.documents.extend(documents)
    report.documents.sort(key=lambda d: d["id"])
    return report


def read_documents(
    paths: list[Path],
    report: IngestReport,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int | None], None] | None = None,
    fields: dict[str, str] | None = None,
    language: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the document record of each article as it is read (files in name order), noting in `report`
    the files, skipped records and notes; once all are read, raise one InputError for every bad file or
    record, so a caller that writes only after the last one writes nothing half-read."""
    if language is not None:
        schema_value("Language", language)
    problems: list[Problem] = []
    files = _collect_files(paths, problems)
    report.files = [path for path, _ in files]
    first_by_sha: dict[str, str] = {}
    roots = [path if path.is_dir() else path.parent for path in paths] + _corpus_roots()
    for done, (path, source_file) in enumerate(files, 1):
        try:
            for item, where in _sources(path, source_file, roots, max_bytes, fields or {}, report):
                if isinstance(item, FileProblem):
                    problems.append(_problem(path, str(item)))
                    continue
                try:
                    document = build_document(
                        item.text,
                        item.normalizations,
                        item.source_file,
                        source=item.source,
                        meta=item.meta,
                        stem=item.stem,
                        language=language,
                    )
                except FileProblem as e:
                    problems.append(_problem(path, f"{where}{e}"))
                    continue
                label = f"{path}{' ' + where.rstrip(': ') if where else ''}"
                if (first := first_by_sha.setdefault(document["sha256"], label)) != label:
                    problems.append(
                        _problem(path, f"{where}same text as {first} (sha256 {document['sha256'][:8]}) — keep one")
                    )
                    continue
                yield document
        except FileProblem as e:
            problems.append(_problem(path, str(e)))
        finally:
            if progress:
                progress(done, len(files))
    if problems:
        raise _input_error(problems, paths)


def _corpus_roots() -> list[Path]:
    try:
        return [corpus_dir()]
    except GoldkitError:  # outside a project: only the folders given
        return []


def _sources(
    path: Path, source_file: str, roots: list[Path], max_bytes: int, fields: dict[str, str], report: IngestReport
) -> Iterable[tuple[Source | FileProblem, str]]:
    """Yield each Source of one file (or its problems) with its place in the file for messages."""
    fmt = _format(path)
    target, note = (path, None) if fmt == DATASET else checked_target(path, roots)  # a real folder, not a link
    if note:
        report.notes.append(f"{path}: {note}")
    assert fmt is not None  # _collect_files kept only files of a known format
    skipped = Skipped()
    for item in read_sources(target, source_file, fmt, max_bytes, fields, skipped):
        if isinstance(item, FileProblem):
            yield item, ""  # its message says where in the file
            continue
        record, url = item.source.get("record"), item.source.get("url")
        yield item, f"{safe(url if fmt == 'warc' else record)}: " if record else ""
    if skipped.reasons:
        report.skipped[str(path)] = dict(sorted(skipped.reasons.items()))


def _input_error(problems: list[Problem], paths: list[Path]) -> InputError:
    count = len(problems)
    lines = "\n".join(f"  {safe(problem.path)}: {safe(problem.message)}" for problem in problems)
    again = "goldkit ingest " + " ".join(safe(path) for path in paths)
    return InputError(
        f"{count} input file{'s' if count > 1 else ''} cannot be ingested; nothing was written:\n{lines}",
        hint=f"fix or remove the file{'s' if count > 1 else ''} named above, then run: {again}",
        problems=problems,
    )


def write_documents(documents: Iterable[dict[str, Any]], path: Path | None = None) -> Path:
    """Write document records atomically as JSONL sorted by id (default annotations/documents.jsonl)."""
    path = path or documents_path()
    write_jsonl(path, sorted(documents, key=lambda d: d["id"]))
    return path


def sort_run(
    report: MergeReport,
    run: Iterable[tuple[str, tuple[str, str | None]]],
    old_ids: set[str],
    where: dict[tuple[str, str | None], str],
    *,
    replace: bool,
) -> set[str]:
    """The merge rules, for a run's (id, origin) in id order against the file's ids and origins: fill the
    report's unchanged / added / kept / removed and return the run's ids; a changed source (an origin ingested
    before under another id) is refused, unless `replace`, before anything is written."""
    new_ids: set[str] = set()
    conflicts = []
    for doc_id, origin in run:
        new_ids.add(doc_id)
        if doc_id in old_ids:
            report.unchanged.append(doc_id)
            continue
        before = where.get(origin)
        if before is not None and not replace:
            message = f"changed since it was ingested as {before} (now {doc_id})"
            conflicts.append(Problem("", message, path=safe(origin[0])))
        report.added.append(doc_id)
    if conflicts:
        raise InputError(
            f"{len(conflicts)} source(s) changed since they were ingested; nothing was written:\n"
            + "\n".join(f"  {p.path}: {p.message}" for p in conflicts),
            hint="restore the original files, or re-ingest the whole corpus with --replace "
            "(documents not in this run are then removed, and listed)",
            problems=conflicts,
        )
    if replace:
        report.removed = sorted(old_ids - new_ids)
    else:
        report.kept = sorted(old_ids - new_ids)
    return new_ids


def merge_documents(documents: list[dict[str, Any]], path: Path | None = None, *, replace: bool = False) -> MergeReport:
    """Merge a run's documents into the documents file (default annotations/documents.jsonl), atomically.

    Documents already there stay (`kept`) unless `replace`, which writes only this run's and lists the
    ones it removes. A source ingested before whose text has changed (same file and record, new id) is
    refused: its old document may be annotated, so replacing it is the user's decision (--replace).
    """
    path = path or documents_path()
    old = load_documents(path) if path.is_file() else {}
    report = MergeReport(path)
    new = {d["id"]: d for d in documents}
    where = {_origin(d): doc_id for doc_id, d in old.items()}
    sort_run(report, ((doc_id, _origin(d)) for doc_id, d in new.items()), set(old), where, replace=replace)
    merged = new if replace else old | new
    if report.added or report.removed or not path.is_file():
        write_jsonl(path, sorted(merged.values(), key=lambda d: d["id"]))
    return report


def _origin(document: dict[str, Any]) -> tuple[str, str | None]:
    source = document.get("source") or {}
    return (document["source_file"], source.get("record"))


def load_documents(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Read ingested documents as id -> document record."""
    path = path or documents_path()
    if not path.is_file():
        raise InputError(
            f"no ingested documents at {path}", hint=f"ingest the articles first with: {INGEST_COMMAND}", path=str(path)
        )
    return {document["id"]: document for document in iter_documents(path)}


def iter_documents(path: Path) -> Iterator[dict[str, Any]]:
    """A documents file's records one at a time, each with an id of its own (else an error naming the line)."""
    ids: set[str] = set()
    for lineno, document in iter_jsonl(path):
        doc_id = document.get("id") if isinstance(document, dict) else None
        if not isinstance(doc_id, str) or doc_id in ids:
            problem = "has no id" if not isinstance(doc_id, str) else f"repeats id {doc_id}"
            raise InputError(
                f"{path}:{lineno}: document {problem}",
                hint=f"regenerate the file with: {INGEST_COMMAND}",
                path=str(path),
                line=lineno,
            )
        ids.add(doc_id)
        yield document
