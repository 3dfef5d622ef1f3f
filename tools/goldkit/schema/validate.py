"""Check records: their structure against the schema, then their meaning against their documents.

`validate_record(record, document=None)` checks one record and returns every problem found. Pass the
document record an annotation is about to also check what needs its text (offsets inside the text,
span text equal to text[start:end], document_sha256); without it those checks are skipped, not
reported: pull and convert pass the document they hold, and `validate_paths` looks documents up
itself and reports an annotation whose document cannot be found. Links are checked alone by
`validate_record` and against the annotation records they point into by `validate_links`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaViolation
from jsonschema.exceptions import best_match

from goldkit.errors import InputError, Problem, SchemaError, ValidationError
from goldkit.jsonio import iter_jsonl, read_json, read_records
from goldkit.paths import ADJUDICATION_SUFFIX, gold_dir
from goldkit.paths import documents_path as default_documents_path
from goldkit.schema.fastcheck import Predicate, Unsupported, compile_definition
from goldkit.schema.loading import (
    allowed_roles,
    definition,
    label_values,
    labels,
    load_schema,
    per_schema,
    schema_version,
)
from goldkit.schema.policy import claim_policy_problems
from goldkit.schema.records import SPAN_KEYS, Record

# The label values a rule below hinges on. Each is checked against the schema when first used, so
# renaming one in the schema fails loudly here instead of quietly switching a rule off.
CLAIMANT_IN_TEXT = ("ClaimantKind", "mention")  # claimant.entity must name an entity mention
UNCHECKED_VERDICT = ("Verdict", "unchecked")  # the one verdict that needs no evidence
# What LinkRelation's x-applies-to calls the mentions of each annotation array.
MENTION_KINDS = {"events": "event", "claims": "claim"}
# How messages name the items of each annotation array.
NOUNS = {"entities": "entity mention", "events": "event", "claims": "claim"}
# Files that folders hold beside records but that are not records (pull writes them).
NOT_RECORDS = frozenset({"manifest.json", "quarantine.jsonl"})
RECORD_SUFFIXES = frozenset({".json", ".jsonl"})


@dataclass(frozen=True)
class RecordCheck:
    """How one record type is checked: a fast yes/no, the validator that explains a no, its rules."""

    definition: str
    quick: Predicate | None
    full: Draft202012Validator


@per_schema
def record_checks() -> dict[str, RecordCheck]:
    """Compile, once, the checks for each record type of the schema's top-level oneOf."""
    schema = load_schema()
    checks: dict[str, RecordCheck] = {}
    for branch in schema["oneOf"]:
        name = branch["$ref"].removeprefix("#/$defs/")
        record_type = definition(name)["properties"]["record_type"]["const"]
        root = {"$schema": schema["$schema"], "$id": schema["$id"], "$defs": schema["$defs"], "$ref": branch["$ref"]}
        try:
            quick: Predicate | None = compile_definition(schema, name)
        except Unsupported:
            quick = None  # jsonschema alone: slower, never wrong
        checks[record_type] = RecordCheck(name, quick, Draft202012Validator(root, format_checker=_formats()))
    return checks


def _formats() -> FormatChecker:
    return FormatChecker(formats=["date"])


def record_type_of(definition_name: str) -> str:
    """Return the record_type value of the record defined at `$defs/definition_name`."""
    return next(rt for rt, check in record_checks().items() if check.definition == definition_name)


# ---- structure -------------------------------------------------------------------------------


def structure_problems(record: Any) -> list[Problem]:
    """Check a record against its schema definition; return one problem per fault, readable."""
    if not isinstance(record, dict):
        return [Problem("", "a record must be a JSON object", got=type(record).__name__, expected="object")]
    checks = record_checks()
    record_type = record.get("record_type")
    check = checks.get(record_type) if isinstance(record_type, str) else None
    if check is None:
        allowed = sorted(checks)
        message = (
            f"{record_type!r} is not a record type; allowed: {allowed}"
            if "record_type" in record
            else f"missing required field 'record_type'; allowed: {allowed}"
        )
        return [Problem("/record_type", message, got=record_type, expected=allowed)]
    if check.quick is not None and check.quick(record):
        return []
    problems: dict[tuple[str, str], Problem] = {}
    for error in check.full.iter_errors(record):
        for problem in _explain(error):
            problems.setdefault((problem.pointer, problem.message), problem)
    return sorted(problems.values(), key=lambda p: p.pointer)


def _pointer(parts: Sequence[Any]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _label_values(alternatives: Any) -> list[str] | None:
    if (
        isinstance(alternatives, list)
        and alternatives
        and all(isinstance(a, dict) and "const" in a for a in alternatives)
    ):
        return [a["const"] for a in alternatives]
    return None


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


_EXPECTED: dict[str, Callable[[Any], Any]] = {
    "minimum": lambda v: f">= {v}",
    "minLength": lambda v: f"at least {v} character(s)",
    "minItems": lambda v: f"at least {v} item(s)",
    "pattern": lambda v: f"a string matching {v}",
    "uniqueItems": lambda v: "no repeated items",
}


def _fitting_branch(error: SchemaViolation) -> list[SchemaViolation]:
    """Return the errors of the one alternative whose type fits the value (else jsonschema's best match)."""
    branches: dict[Any, list[SchemaViolation]] = defaultdict(list)
    for sub in error.context or []:
        branches[sub.relative_schema_path[0]].append(sub)
    fitting = [errors for errors in branches.values() if not any(e.validator == "type" and not e.path for e in errors)]
    if len(fitting) == 1:
        return fitting[0]
    best = best_match(error.context or [])
    return [best] if best is not None else []


def _explain(error: SchemaViolation) -> list[Problem]:
    """Turn one jsonschema error into problems that say where, what came and what would do."""
    pointer, keyword = _pointer(error.absolute_path), error.validator
    instance: Any = error.instance
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    rule: Any = error.validator_value
    if keyword == "required":
        missing = [name for name in rule if name not in instance]
        return [Problem(f"{pointer}/{name}", f"missing required field {name!r}", expected=name) for name in missing]
    if keyword == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        return [
            Problem(
                _pointer([*error.absolute_path, key]),
                f"unknown field {key!r}; allowed: {allowed}",
                got=instance[key],
                expected=allowed,
            )
            for key in instance
            if key not in allowed
        ]
    if keyword in ("oneOf", "anyOf"):
        values = _label_values(rule)
        if values is not None:
            title = schema.get("title", "label")
            return [
                Problem(pointer, f"{instance!r} is not {_a(title)}; allowed: {values}", got=instance, expected=values)
            ]
        fitting = _fitting_branch(error)
        if fitting:
            return [problem for sub in fitting for problem in _explain(sub)]
    if keyword == "format":
        return [Problem(pointer, f"{instance!r} is not a valid {rule} (YYYY-MM-DD)", got=instance,
                        expected=rule)]  # fmt: skip
    expected = _EXPECTED.get(str(keyword), lambda v: v)(rule)
    return [Problem(pointer, error.message, got=instance, expected=expected)]


# ---- meaning -----------------------------------------------------------------------------------


@per_schema
def _rule_label(rule: tuple[str, str]) -> str:
    label_set, value = rule
    if value not in label_values(label_set):
        raise SchemaError(
            f"goldkit.schema.validate needs {value!r} in $defs/{label_set}", pointer=f"/$defs/{label_set}"
        )
    return value


@per_schema
def _roles() -> tuple[dict[str, tuple[str, ...]], frozenset[str], frozenset[str]]:
    return allowed_roles(), frozenset(label_values("ArgumentRole")), frozenset(label_values("Verdict"))


@per_schema
def applies_to() -> dict[str, tuple[str, ...]]:
    """Map each link relation to the mention kinds (event, claim) it may join (schema x-applies-to)."""
    relations = {label.value: label.applies_to for label in labels("LinkRelation")}
    for relation, kinds in relations.items():
        if not kinds or not set(kinds) <= set(MENTION_KINDS.values()):
            raise SchemaError(f"LinkRelation {relation!r} needs x-applies-to from {sorted(MENTION_KINDS.values())}")
    return relations


@per_schema
def _our_major() -> int:
    return int(schema_version().split(".")[0])


def _version_problems(record: Record) -> list[Problem]:
    got = record.get("schema_version")
    head = got.split(".")[0] if isinstance(got, str) else ""
    if not head.isdigit() or int(head) == _our_major():
        return []  # a malformed version is a structure problem
    ours = schema_version()
    advice = (
        "upgrade goldkit to a release that reads it"
        if int(head) > _our_major()
        else f"convert the records to schema {ours} (pull or ingest them again with this goldkit)"
    )
    message = f"schema version {got} is major {head}; this goldkit reads {_our_major()}.x ({ours}): {advice}"
    return [Problem("/schema_version", message, got=got, expected=f"{_our_major()}.x.x")]


def _items(container: Any, key: str) -> list[Any]:
    value = container.get(key) if isinstance(container, dict) else None
    return value if isinstance(value, list) else []


def span_problems(pointer: str, span: dict[str, Any], text: str | None) -> list[Problem]:
    """Check a span's offsets (and, given the text, that they hold span.text)."""
    start, end = span.get("start"), span.get("end")
    if type(start) is not int or type(end) is not int:
        return []  # structure problem
    if end <= start:
        return [
            Problem(f"{pointer}/end", f"end {end} must be greater than start {start}", got=end, expected=f"> {start}")
        ]
    claimed = span.get("text")
    if isinstance(claimed, str) and claimed and not claimed.strip():
        message = f"span [{start}:{end}] holds only whitespace; mark a word, not the space around it"
        return [Problem(f"{pointer}/text", message, got=claimed, expected="text with a non-space character")]
    if text is None:
        return []
    if end > len(text):
        message = f"end {end} is past the end of the document text ({len(text)} characters)"
        return [Problem(f"{pointer}/end", message, got=end, expected=f"<= {len(text)}")]
    actual = text[start:end]
    if span.get("text") != actual:
        message = f"span text differs from the document text at [{start}:{end}]"
        return [Problem(f"{pointer}/text", message, got=span.get("text"), expected=actual)]
    return []


def _span_fits(span: dict[str, Any], text: str | None) -> bool:
    """Return whether span_problems finds nothing, without building the pointer it would report at."""
    start, end = span.get("start"), span.get("end")
    if type(start) is not int or type(end) is not int:
        return True  # structure problem
    claimed = span.get("text")
    if start >= end or (isinstance(claimed, str) and claimed and not claimed.strip()):
        return False
    return text is None or (end <= len(text) and claimed == text[start:end])


def _walk_items(record: Record, text: str | None) -> tuple[dict[str, str], list[Problem], list[Problem]]:
    """Map each id to its array and check each span, in one pass over entities, events and claims.

    Entities, events and claims share one id space (as LS regions do), so a second use of an id is
    reported. Returns (id -> array, duplicate id problems, span problems).
    """
    kinds: dict[str, str] = {}
    duplicates: list[Problem] = []
    spans: list[Problem] = []
    for array, span_key in SPAN_KEYS.items():
        for index, item in enumerate(_items(record, array)):
            if not isinstance(item, dict):
                continue
            item_id = item.get("id")
            if isinstance(item_id, str) and item_id in kinds:
                duplicates.append(_duplicate_id(record, f"/{array}/{index}/id", item_id))
            elif isinstance(item_id, str):
                kinds[item_id] = array
            span = item.get(span_key)
            if isinstance(span, dict) and not _span_fits(span, text):
                spans += span_problems(f"/{array}/{index}/{span_key}", span, text)
    return kinds, duplicates, spans


def _duplicate_id(record: Record, pointer: str, item_id: str) -> Problem:
    first_use = next(
        f"/{array}/{index}/id"
        for array in SPAN_KEYS
        for index, item in enumerate(_items(record, array))
        if isinstance(item, dict) and item.get("id") == item_id
    )
    message = f"duplicate id {item_id!r}, already used at {first_use} (entities, events and claims share one id space)"
    return Problem(pointer, message, got=item_id, expected="an id used once in the record")


def _dangling(pointer: str, got: str, want: str, kinds: dict[str, str]) -> Problem:
    """Report a reference that names no `want` item (entities, events) of the record."""
    noun = NOUNS[want]
    expected = sorted(i for i, kind in kinds.items() if kind == want)
    if got in kinds:
        return Problem(pointer, f"{got!r} is one of the {kinds[got]}, not {_a(noun)}", got=got, expected=expected)
    return Problem(pointer, f"no {noun} with id {got!r} in this record", got=got, expected=expected)


def _event_problems(record: Record, kinds: dict[str, str]) -> list[Problem]:
    roles_by_type, known_roles, _ = _roles()
    problems = []
    for i, event in enumerate(_items(record, "events")):
        event_type = event.get("type") if isinstance(event, dict) else None
        allowed = roles_by_type.get(event_type) if isinstance(event_type, str) else None
        for j, argument in enumerate(_items(event, "arguments")):
            if not isinstance(argument, dict):
                continue
            role, entity = argument.get("role"), argument.get("entity")
            if allowed is not None and role in known_roles and role not in allowed:
                article = _a(event["type"]).split()[0]
                message = (
                    f"role {role!r} is not allowed for {article} {event['type']!r} event; allowed: {list(allowed)}"
                )
                pointer = f"/events/{i}/arguments/{j}/role"
                problems.append(Problem(pointer, message, got=role, expected=list(allowed)))
            if isinstance(entity, str) and kinds.get(entity) != "entities":
                problems.append(_dangling(f"/events/{i}/arguments/{j}/entity", entity, "entities", kinds))
    return problems


def _claim_problems(record: Record, kinds: dict[str, str], text: str | None) -> list[Problem]:
    in_text, unchecked = _rule_label(CLAIMANT_IN_TEXT), _rule_label(UNCHECKED_VERDICT)
    verdicts = _roles()[2]
    problems = []
    for i, claim in enumerate(_items(record, "claims")):
        if not isinstance(claim, dict):
            continue
        base = f"/claims/{i}"
        if isinstance(claim.get("cue"), dict) and not _span_fits(claim["cue"], text):
            problems += span_problems(f"{base}/cue", claim["cue"], text)
        claimant: dict[str, Any] = claim["claimant"] if isinstance(claim.get("claimant"), dict) else {}
        kind, entity = claimant.get("kind"), claimant.get("entity")
        if kind == in_text and entity is None:
            message = f"claimant kind {kind!r} needs the id of the entity mention it names"
            expected = sorted(k for k, array in kinds.items() if array == "entities")
            problems.append(Problem(f"{base}/claimant/entity", message, got=None, expected=expected))
        elif kind == in_text and isinstance(entity, str) and kinds.get(entity) != "entities":
            problems.append(_dangling(f"{base}/claimant/entity", entity, "entities", kinds))
        elif isinstance(kind, str) and kind != in_text and entity is not None:
            message = f"claimant kind {kind!r} takes no entity (only {in_text!r} does): use null"
            problems.append(Problem(f"{base}/claimant/entity", message, got=entity, expected=None))
        if isinstance(claim.get("event"), str) and kinds.get(claim["event"]) != "events":
            problems.append(_dangling(f"{base}/event", claim["event"], "events", kinds))
        verdict = claim.get("verdict")
        if verdict in verdicts and verdict != unchecked and claim.get("evidence") == []:
            message = f"verdict {verdict!r} needs at least one evidence item (or verdict {unchecked!r})"
            problems.append(Problem(f"{base}/evidence", message, got=[], expected="at least 1 evidence item"))
    return problems


def _document_match(record: Record, document: Record) -> list[Problem]:
    problems = []
    doc_id, got_id = document.get("id"), record.get("document_id")
    if got_id != doc_id:
        message = f"record is about document {got_id!r} but was checked against document {doc_id!r}"
        problems.append(Problem("/document_id", message, got=got_id, expected=doc_id))
    sha = document.get("sha256")
    if isinstance(sha, str) and isinstance(record.get("document_sha256"), str) and record["document_sha256"] != sha:
        message = "document_sha256 is not the document's sha256: the text changed after this was annotated"
        problems.append(Problem("/document_sha256", message, got=record["document_sha256"], expected=sha))
    return problems


def _annotation_problems(record: Record, document: Record | None) -> list[Problem]:
    text, document_problems = None, []
    if document is not None:
        document_problems = _document_match(record, document)
        text = document.get("text") if isinstance(document.get("text"), str) else None
    kinds, duplicates, spans = _walk_items(record, text)
    problems = duplicates + document_problems + spans
    return problems + _event_problems(record, kinds) + _claim_problems(record, kinds, text)


def _document_problems(record: Record, document: Record | None) -> list[Problem]:
    text = record.get("text")
    if not isinstance(text, str):
        return []
    problems = []
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if record.get("sha256") != sha:
        problems.append(
            Problem("/sha256", "sha256 is not the sha256 of the text", got=record.get("sha256"), expected=sha)
        )
    doc_id = record.get("id")
    if isinstance(doc_id, str) and not doc_id.endswith(f"-{sha[:8]}"):
        message = f"document id must end with '-{sha[:8]}', the first 8 hex digits of the text's sha256"
        problems.append(Problem("/id", message, got=doc_id, expected=f"<file stem>-{sha[:8]}"))
    for index, item in enumerate(_items(record, "boilerplate")):
        if isinstance(item, dict):
            problems += span_problems(f"/boilerplate/{index}", item, text)
    return problems


def _link_problems(record: Record, document: Record | None) -> list[Problem]:
    source, target = record.get("source"), record.get("target")
    if not isinstance(source, dict) or not isinstance(target, dict):
        return []
    doc_id = source.get("document_id")
    if isinstance(doc_id, str) and doc_id == target.get("document_id"):
        message = f"a link joins two different documents; source and target are both in {doc_id!r}"
        return [Problem("/target/document_id", message, got=doc_id, expected=f"a document other than {doc_id!r}")]
    return []


MEANING_RULES: dict[str, Callable[[Record, Record | None], list[Problem]]] = {
    "Document": _document_problems,
    "Annotation": _annotation_problems,
    "Link": _link_problems,
}


# ---- public API ----------------------------------------------------------------------------------


def validate_record(record: Any, document: Record | None = None, *, location: str | None = None) -> list[Problem]:
    """Return every structure and meaning problem of one record (text checks only given its document)."""
    problems = structure_problems(record)
    if isinstance(record, dict) and record.get("record_type") in record_checks():
        rules = MEANING_RULES[record_checks()[record["record_type"]].definition]
        meaning = _version_problems(record) + rules(record, document)
        # a value the schema already rejects needs no second message about what it means
        rejected = {problem.pointer for problem in problems}
        problems += [problem for problem in meaning if problem.pointer not in rejected] if rejected else meaning
    if location is not None:
        for problem in problems:
            problem.path = location
    return problems


def validate_gold(record: Any, document: Record | None = None, *, location: str | None = None) -> list[Problem]:
    """Return validate_record's problems plus the claim policy gold must keep (schema.policy).

    Annotators' records are checked with validate_record alone: a verdict without outside evidence in one
    annotator's work is a disagreement to adjudicate, not a reason to quarantine the whole annotation.
    """
    problems = validate_record(record, document, location=location)
    if isinstance(record, dict) and record.get("record_type") == record_type_of("Annotation"):
        rejected = {problem.pointer for problem in problems}
        for problem in claim_policy_problems(record):
            if problem.pointer not in rejected:
                problem.path = location
                problems.append(problem)
    return problems


def ensure_valid(record: Any, document: Record | None = None, *, location: str | None = None) -> Record:
    """Return the record if it has no problem; else raise ValidationError listing them all."""
    problems = validate_record(record, document, location=location)
    if problems:
        raise ValidationError(f"{location or 'record'}: {len(problems)} problem(s)", problems, path=location)
    return record


def _mention_kinds(records: Record | Sequence[Record]) -> dict[str, str]:
    """Map event and claim ids of a document's annotation record(s) to 'event' / 'claim'."""
    kinds: dict[str, str] = {}
    for record in [records] if isinstance(records, dict) else records:
        for array, kind in MENTION_KINDS.items():
            for item in _items(record, array):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    kinds.setdefault(item["id"], kind)
    return kinds


def _endpoint_problems(side: str, ref: Any, relation: Any, known: Mapping[str, dict[str, str]]) -> list[Problem]:
    if not isinstance(ref, dict) or not isinstance(ref.get("document_id"), str) or not isinstance(ref.get("id"), str):
        return []  # structure problem
    doc_id, mention_id = ref["document_id"], ref["id"]
    if doc_id not in known:
        message = f"no annotation record for document {doc_id!r} among the records given"
        return [Problem(f"/{side}/document_id", message, got=doc_id, expected="a document with a gold record")]
    kinds = known[doc_id]
    if mention_id not in kinds:
        message = f"no event or claim {mention_id!r} in document {doc_id!r}"
        return [Problem(f"/{side}/id", message, got=mention_id, expected=sorted(kinds))]
    joins = applies_to().get(relation) if isinstance(relation, str) else None
    if joins is not None and kinds[mention_id] not in joins:
        message = f"{mention_id!r} is a {kinds[mention_id]}; a {relation!r} link joins {' or '.join(joins)} mentions"
        return [Problem(f"/{side}/id", message, got=kinds[mention_id], expected=list(joins))]
    return []


def validate_links(
    links: Sequence[Record],
    records_by_document: Mapping[str, Record | Sequence[Record]],
    *,
    locations: Sequence[str | None] | None = None,
) -> list[Problem]:
    """Check that links resolve: each end names an event or claim of the kind its relation joins.

    records_by_document maps a document id to its (gold) annotation record, or to several records, in
    which case a mention resolves if any of them has it. Problems carry `locations[i]` as path and
    pointers inside the link; without locations, pointers start with the link's index (/3/source/id).
    """
    known = {doc_id: _mention_kinds(records) for doc_id, records in records_by_document.items()}
    problems: list[Problem] = []
    first_use: dict[str, int] = {}
    for index, link in enumerate(links):
        if not isinstance(link, dict):
            continue
        found = [
            p
            for side in ("source", "target")
            for p in _endpoint_problems(side, link.get(side), link.get("relation"), known)
        ]
        link_id = link.get("id")
        if isinstance(link_id, str) and link_id in first_use:
            message = f"duplicate link id {link_id!r}, already used by link {first_use[link_id]}"
            found.append(Problem("/id", message, got=link_id, expected="a link id used once"))
        elif isinstance(link_id, str):
            first_use[link_id] = index
        for problem in found:
            if locations is not None:
                problem.path = locations[index]
            else:
                problem.pointer = f"/{index}{problem.pointer}"
        problems += found
    return problems


@dataclass
class ValidationReport:
    """What validate_paths checked (records per record type, files) and every problem it found."""

    checked: dict[str, int] = field(default_factory=dict)
    files: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"checked": dict(self.checked), "files": self.files, "problems": [p.to_dict() for p in self.problems]}

    def raise_for_problems(self) -> None:
        """Raise ValidationError with every problem, if there is any."""
        if self.problems:
            raise ValidationError(f"{len(self.problems)} problem(s) in {self.files} file(s)", self.problems)


def record_files(paths: Sequence[Path]) -> list[Path]:
    """Expand folders (recursively) into their .json/.jsonl record files, skipping hidden files.

    Adjudication vote sidecars (`*.adjudication.json`, written beside the gold by goldkit before they moved
    to annotations/adjudication/) are not records and are skipped too.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                f
                for f in path.rglob("*")
                if f.is_file()
                and f.suffix in RECORD_SUFFIXES
                and f.name not in NOT_RECORDS
                and not f.name.endswith(ADJUDICATION_SUFFIX)
                and not any(part.startswith(".") for part in f.relative_to(path).parts)
            )
        elif path.is_file() and path.suffix not in RECORD_SUFFIXES:
            raise InputError(
                f"{path}: goldkit validate reads record files (.json, .jsonl), not {path.suffix or 'this'} files",
                path=str(path),
                suffix=path.suffix,
            )
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(
                f"{path}: no such file or folder",
                path=str(path),
                missing="records",
            )
    return files


def _read_documents(path: Path | None, *, required: bool) -> dict[str, Record]:
    """Read document records leniently (broken lines are validate's to report, not a reason to stop)."""
    path = path or default_documents_path()
    if not path.is_file():
        if required:
            raise InputError(f"{path}: no such documents file", path=str(path), missing="documents")
        return {}
    return {doc["id"]: doc for _, doc in iter_jsonl(path) if isinstance(doc, dict) and isinstance(doc.get("id"), str)}


def _missing_document(doc_id: Any, location: str) -> Problem:
    message = f"document {doc_id!r} not found in the documents file or the paths given: its text was not checked"
    return Problem("/document_id", message, got=doc_id, expected="an ingested document id", path=location)


def _gold_fallback(doc_id: str) -> list[Record]:
    """Read annotations/gold/<doc_id>.json when a link points into a document not among the paths."""
    path = gold_dir() / f"{doc_id}.json"
    return [read_json(path)] if path.is_file() else []


def validate_paths(
    paths: Sequence[Path],
    *,
    documents_path: Path | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> ValidationReport:
    """Check every record in the files and folders given; documents come from the documents file and the paths."""
    files = record_files(paths)
    report = ValidationReport(checked={record_type: 0 for record_type in record_checks()}, files=len(files))
    loaded: list[tuple[str, Any]] = []
    for file in files:
        try:
            loaded += read_records(file)
        except InputError as error:
            report.problems.append(Problem("", error.message, path=str(file)))
    documents = _read_documents(documents_path, required=documents_path is not None)
    document_type, annotation_type, link_type = (record_type_of(name) for name in ("Document", "Annotation", "Link"))
    documents |= {
        r["id"]: r
        for _, r in loaded
        if isinstance(r, dict) and r.get("record_type") == document_type and isinstance(r.get("id"), str)
    }  # noqa: E501
    by_document: dict[str, list[Record]] = defaultdict(list)
    links: list[tuple[str, Record]] = []
    for done, (location, record) in enumerate(loaded, 1):
        record_type = record.get("record_type") if isinstance(record, dict) else None
        document = None
        if record_type in report.checked:
            report.checked[record_type] += 1
        if record_type == annotation_type:
            document = documents.get(record.get("document_id"))
            if document is None:
                report.problems.append(_missing_document(record.get("document_id"), location))
            if isinstance(record.get("document_id"), str):
                by_document[record["document_id"]].append(record)
        elif record_type == link_type:
            links.append((location, record))
        report.problems += validate_gold(record, document, location=location)
        if progress is not None:
            progress(done, len(loaded))
    for _, link in links:
        for side in ("source", "target"):
            doc_id = link.get(side, {}).get("document_id") if isinstance(link.get(side), dict) else None
            if isinstance(doc_id, str) and doc_id not in by_document and (gold := _gold_fallback(doc_id)):
                by_document[doc_id] = gold
    report.problems += validate_links([r for _, r in links], by_document, locations=[loc for loc, _ in links])
    return report
