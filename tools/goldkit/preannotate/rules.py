"""Pre-annotation: suggest annotation records that annotators correct instead of starting blank.

A pre-annotator is a callable(document, context) -> annotation record with provenance.method
'preannotation' (by name in goldkit.preannotate.models.REGISTRY). The rule-based one ('rules',
model_version 'rules-1') suggests:

- quantities: a number in Western, Arabic-Indic or Persian digits, with the word after it when that
  word is what it counts ('12 مسؤولاً', '9000 كيلومتر'); clock times are skipped;
- dates: weekday and month names, numeric dates and relative expressions ('in the coming months',
  'اليوم', 'خلال الأشهر المقبلة') from per-language patterns;
- known entities: every surface form the gold records give a canonical key (the gazetteer), found
  at word boundaries (Arabic: also after a one-letter proclitic such as 'ل' in 'لكازاخستان');
- claims: quoted speech ("…", “…”, «…») with the reporting verb before it as cue, and indirect speech
  (cue + 'that' / 'أن' up to the end of the clause); a known person just before the cue is the
  claimant; and the clause around each quantity as a numerical claim.

Nothing is suggested inside boilerplate. Suggestions are scored against the gold by the release
scorer (goldkit.evaluate.preannotations).

The labels come from the project's schema when the rules run (`vocabulary()`), never at import: a
project whose schema lacks one (no `quantity` entity type, no `hedged` modality, a claim attribute the
rules cannot fill) gets the other suggestions, and what is left out is said (`skipped_suggestions`,
and the record's provenance note). Dates and reporting cues have patterns for English and Arabic;
other languages get numbers, known names and quotes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldkit.jsonio import read_json
from goldkit.paths import annotations_dir, gold_dir
from goldkit.preannotate.vocabulary import vocabulary
from goldkit.schema.loading import schema_version
from goldkit.schema.records import Record, canonicalize

RULES_VERSION = "rules-1"

PREANNOTATION = "preannotation"  # a Provenance.method enum value (not a label set)


def skipped_suggestions(languages: Iterable[str] = ()) -> list[str]:
    """What the rule-based pre-annotator leaves out for this schema and these document languages, and why."""
    reasons = list(vocabulary().skipped)
    for language in sorted(set(languages)):
        if language not in DATE_PATTERNS:
            reasons.append(f"dates and reporting cues in {language!r}: the rules have patterns for en and ar only")
    return reasons


DIGITS = "0-9٠-٩۰-۹"
NUMBER = re.compile(rf"[{DIGITS}]+(?:[.,٫٬][{DIGITS}]+)*")
MARKS = "\u064b-\u065f\u0670"  # Arabic vowel marks (tanwin, shadda …) belong to a word but are not \w
WORD = re.compile(rf"[^\W\d_](?:[^\W\d_]|[{MARKS}])*")
CLAUSE_END = re.compile(r"[.!?؟؛;،,\n]")
QUOTES = re.compile(r"\"([^\"\n]{2,400})\"|“([^”\n]{2,400})”|«([^»\n]{2,400})»")
ARABIC_PROCLITICS = "وفبلك"

MONTHS = {
    "en": "January|February|March|April|May|June|July|August|September|October|November|December",
    "ar": "يناير|فبراير|مارس|أبريل|إبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر",
}
DATE_PATTERNS = {
    "en": [
        r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b",
        rf"\b(?:\d{{1,2}} )?(?:{MONTHS['en']}) \d{{1,2}}(?:, \d{{4}})?\b",
        rf"\b\d{{1,2}} (?:{MONTHS['en']})(?: \d{{4}})?\b",
        rf"\b(?:{MONTHS['en']}) \d{{4}}\b",
        r"\b(?:today|yesterday|tomorrow|tonight)\b",
        r"\b(?:earlier|later) this (?:week|month|year)\b",
        r"\b(?:last|next|this) (?:week|month|year)\b",
        r"\bin (?:the )?(?:coming|next|past|last|recent) (?:days|weeks|months|years)\b",
    ],
    "ar": [
        r"(?:يوم )?(?:الأحد|الاثنين|الإثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت)",
        rf"[{DIGITS}]{{1,2}} (?:{MONTHS['ar']})(?: [{DIGITS}]{{4}})?",
        r"اليوم|أمس|غداً|غدا",
        r"(?:خلال |في )?(?:الأيام|الأسابيع|الأشهر|الشهور|السنوات|الأعوام) (?:المقبلة|القادمة|الماضية|الأخيرة)",
    ],
}
CUES = {
    "en": r"said|says|stressed|stresses|added|noted|stated|told|described|suggest|suggests|suggested|warned|"
    r"according to|emphasized|emphasised|argued|believes|expects|expect",
    "ar": r"أكد|أكدت|وصف|وصفت|قال|قالت|أضاف|أضافت|أشار|مشيراً|مشيرا|مؤكداً|مؤكدا|يعتبر|اعتبر|صرح|أوضح|"
    r"يتوقعون|يتوقع|توقع|لوحظ",
}
THAT = {"en": r"\s+that\s+", "ar": r"\s+(?:إلى\s+)?أن\s+"}
ACCORDING_TO = re.compile(r"(?<!\w)(?P<cue>[Aa]ccording to|وفقاً ل|وفقا ل|بحسب)[^,،\n]{1,60}[,،] ")
HEDGES = {"en": r"\b(?:suggest\w*|likely|may|might|could|expect\w*)\b", "ar": r"يتوقع|ربما|قد "}


@dataclass(frozen=True)
class GazetteerEntry:
    """One surface form the gold gives a canonical key, with what a claim by it is usually worth."""

    surface: str
    type: str
    canonical: str
    attribution: str | None = None


@dataclass
class Context:
    """What a pre-annotator may use besides the document: the gazetteer, the gold it may learn from, a clock.

    `training` is the gold (document id -> annotation record) a learning pre-annotator may use, never the
    gold of the document being suggested for when scoring; `documents` holds their texts.
    """

    gazetteer: list[GazetteerEntry] = field(default_factory=list)
    created_at: str | None = None
    training: Mapping[str, Record] = field(default_factory=dict)
    documents: Mapping[str, Record] = field(default_factory=dict)


PreAnnotator = Callable[[Record, Context], Record]


# ---- gazetteer ---------------------------------------------------------------------------------


def build_gazetteer(records: Iterable[Record]) -> list[GazetteerEntry]:
    """Collect every (surface, type, canonical) of the gold, longest surface first."""
    entries: dict[tuple[str, str], GazetteerEntry] = {}
    for record in records:
        attribution = _attribution_by_entity(record)
        for entity in record.get("entities", []):
            if not entity.get("canonical"):
                continue
            key = (entity["span"]["text"], entity["type"])
            known = entries.get(key)
            entries[key] = GazetteerEntry(
                key[0],
                key[1],
                entity["canonical"],
                attribution.get(entity["id"]) or (known.attribution if known else None),
            )
    return sorted(entries.values(), key=lambda e: (-len(e.surface), e.surface, e.type))


def _attribution_by_entity(record: Record) -> dict[str, str]:
    return {c["claimant"]["entity"]: c["attribution"] for c in record.get("claims", []) if c["claimant"].get("entity")}


def load_gold(folder: Path | None = None) -> dict[str, Record]:
    """Read gold annotation records (annotations/gold/*.json) as document_id -> record."""
    folder = folder or gold_dir()
    records = [read_json(path) for path in sorted(folder.glob("*.json"))]
    return {r["document_id"]: r for r in records if isinstance(r, dict) and r.get("record_type") == "annotation"}


def default_out_path(name: str) -> Path:
    return annotations_dir() / "preannotations" / f"{name}.jsonl"


# ---- spans -------------------------------------------------------------------------------------


def _span(text: str, start: int, end: int) -> dict[str, Any]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return {"start": start, "end": end, "text": text[start:end]}


def _free(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= s or e <= start for s, e in spans)


def _in_word(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char) == "Mn"


def _at_word_start(text: str, start: int, language: str) -> bool:
    if start == 0 or not _in_word(text[start - 1]):
        return True
    one_letter_prefix = start == 1 or not _in_word(text[start - 2])
    return language == "ar" and text[start - 1] in ARABIC_PROCLITICS and one_letter_prefix


def _at_word_end(text: str, end: int) -> bool:
    return end == len(text) or not _in_word(text[end])


def find_quantities(text: str, language: str) -> list[dict[str, Any]]:
    """Numbers with the word they count; clock times and parts of dates are left to find_dates."""
    spans = []
    months = re.compile(MONTHS[language]) if language in MONTHS else None
    for match in NUMBER.finditer(text):
        start, end = match.span()
        if text[end : end + 1] == ":" or text[start - 1 : start] == ":":
            continue
        word = WORD.match(text, end + 1) if text[end : end + 1] == " " else None
        if word and not (months and months.fullmatch(word.group())):
            end = word.end()
        spans.append(_span(text, start, end))
    return spans


def find_dates(text: str, language: str) -> list[dict[str, Any]]:
    """Date expressions from DATE_PATTERNS, longest first, not overlapping each other."""
    found: list[tuple[int, int]] = []
    candidates = [m.span() for p in DATE_PATTERNS.get(language, []) for m in re.finditer(p, text)]
    for start, end in sorted(candidates, key=lambda se: (se[0] - se[1], se[0])):
        if _at_word_start(text, start, language) and _at_word_end(text, end) and _free(found, start, end):
            found.append((start, end))
    return [_span(text, s, e) for s, e in sorted(found)]


def find_known(text: str, language: str, gazetteer: list[GazetteerEntry]) -> list[tuple[GazetteerEntry, dict]]:
    """Gazetteer surfaces at word boundaries; a longer match hides shorter ones of the same type."""
    taken: dict[str, list[tuple[int, int]]] = {}
    hits = []
    for entry in gazetteer:
        for match in re.finditer(re.escape(entry.surface), text):
            start, end = match.span()
            spans = taken.setdefault(entry.type, [])
            if _at_word_start(text, start, language) and _at_word_end(text, end) and _free(spans, start, end):
                spans.append((start, end))
                hits.append((entry, _span(text, start, end)))
    return sorted(hits, key=lambda h: (h[1]["start"], h[1]["end"]))


def _sentence_start(text: str, pos: int) -> int:
    return max(text.rfind(ch, 0, pos) for ch in ".!?؟\n") + 1


def _sentence_end(text: str, pos: int) -> int:
    ends = [i for i in (text.find(ch, pos) for ch in ".!?؟؛;\n") if i >= 0]
    return min(ends, default=len(text))


def _cue_before(text: str, start: int, language: str, cue_words: str | None = None) -> dict[str, Any] | None:
    cue_words = cue_words or CUES.get(language)
    if not cue_words:
        return None
    window_start = max(_sentence_start(text, start), start - 80)
    cues = list(re.finditer(rf"(?<!\w)(?:{cue_words})(?!\w)", text[window_start:start], re.IGNORECASE))
    if not cues:
        return None
    return _span(text, window_start + cues[-1].start(), window_start + cues[-1].end())


def _claimant(cue: dict | None, people: list[tuple[GazetteerEntry | None, dict]], text: str) -> tuple:
    """Return (claimant kind, entity index or None, attribution) for a claim with this cue."""
    words = vocabulary()
    if cue is None:
        return words["author"], None, words["no_source"]
    sentence = _sentence_start(text, cue["start"])
    near = [
        (i, entry)
        for i, (entry, span) in enumerate(people)
        if sentence <= span["start"] and 0 <= cue["start"] - span["end"] <= 60
    ]
    if near:
        index, entry = near[-1]
        return words["mention"], index, (entry.attribution if entry and entry.attribution else words["unverifiable"])
    return words["unattributed"], None, words["anonymous"]


def _claim(text: str, language: str, span: dict, types: list[str], cue: dict | None, claimant: tuple) -> dict:
    words = vocabulary()
    hedges = HEDGES.get(language)
    hedged = hedges and re.search(hedges, span["text"] + " " + (cue or {}).get("text", ""), re.IGNORECASE)
    numerical = words["numerical"] in types
    claim = {
        "span": span,
        "types": types,
        "claimant": {"kind": claimant[0], "entity": claimant[1]},
        "cue": cue,
        "attribution": claimant[2],
        "modality": words["hedged"] if hedged else words["asserted"],
        "check_worthy": numerical,
        "verifiable": numerical,
        "verdict": words["unchecked"],
        "evidence": [],
        "event": None,
    }
    return {**{k: claim[k] for k in words.claim_fields if k in claim}, **words.claim_defaults}


def find_claims(
    text: str, language: str, people: list, quantities: list[dict], cue_words: str | None = None
) -> list[dict[str, Any]]:
    """Quoted and indirect speech with cue and claimant, then the clause around each quantity.

    `people` are (gazetteer entry or None, span) pairs; a claimant entity is given as its index there.
    `cue_words` is a regex alternation of reporting verbs (default: CUES[language]).
    """
    cue_words = cue_words or CUES.get(language)
    claims: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    words = vocabulary()
    quote, numerical = words["quote"] or "", words["numerical"] or ""  # "": that kind of claim is not suggested
    if not words.claims:
        return claims

    def add(span: dict, types: list[str], cue: dict | None) -> None:
        if span["text"] and _free(taken, span["start"], span["end"]):
            taken.append((span["start"], span["end"]))
            claims.append(_claim(text, language, span, types, cue, _claimant(cue, people, text)))

    for match in QUOTES.finditer(text) if quote else ():
        group = next(g for g in range(1, 4) if match.group(g) is not None)
        quoted = _span(text, match.start(group), match.end(group))
        add(quoted, [quote], _cue_before(text, match.start(), language, cue_words))
    indirect = f"(?<!\\w)(?:{cue_words})(?:{THAT[language]})" if quote and cue_words and language in THAT else None
    for match in re.finditer(indirect, text, re.IGNORECASE) if indirect else ():
        if text[match.end() : match.end() + 1] in '"“«':
            continue
        cue = re.match(rf"(?:{cue_words})", match.group(), re.IGNORECASE)
        cue_end = match.start() + (len(cue.group()) if cue else 0)
        add(_span(text, match.end(), _sentence_end(text, match.end())), [quote], _span(text, match.start(), cue_end))
    for match in ACCORDING_TO.finditer(text) if quote else ():
        add(_span(text, match.end(), _sentence_end(text, match.end())), [quote], _span(text, *match.span("cue")))
    for quantity in quantities if numerical else ():
        left = max(text.rfind(ch, 0, quantity["start"]) for ch in ".!?؟؛;،,\n") + 1
        right = min((i for i in (text.find(ch, quantity["end"]) for ch in ".!?؟؛;،,\n") if i >= 0), default=len(text))
        add(_span(text, left, right), [numerical], None)
    return sorted(claims, key=lambda c: (c["span"]["start"], c["span"]["end"]))


# ---- the rule-based pre-annotator --------------------------------------------------------------


def _outside(boilerplate: list[dict[str, Any]], span: dict[str, Any]) -> bool:
    return all(span["end"] <= b["start"] or b["end"] <= span["start"] for b in boilerplate)


def rules_preannotator(document: Record, context: Context) -> Record:
    """Suggest quantities, dates, gazetteer entities and quote/number claims for one document."""
    text, language = document["text"], document["language"]
    words = vocabulary()
    keep = lambda span: span["text"] and _outside(document.get("boilerplate", []), span)  # noqa: E731
    dates = [s for s in find_dates(text, language) if keep(s)]
    quantities = [
        q
        for q in find_quantities(text, language)
        if keep(q) and all(_free([(d["start"], d["end"])], q["start"], q["end"]) for d in dates)
    ]
    known = [(e, s) for e, s in find_known(text, language, context.gazetteer) if keep(s)]
    entities: list[tuple[GazetteerEntry | None, str, dict[str, Any]]] = []
    if (datetime_type := words["datetime"]) is not None:
        entities += [(None, datetime_type, s) for s in dates]
    if (quantity_type := words["quantity"]) is not None:
        entities += [(None, quantity_type, q) for q in quantities]
    entities += [(entry, entry.type, span) for entry, span in known]
    entities.sort(key=lambda item: (item[2]["start"], item[2]["end"], item[1]))
    ids = [f"pre-e{n}" for n in range(1, len(entities) + 1)]
    person = words["person"]
    people = [(entry, span) for entry, typ, span in entities if person is not None and typ == person]
    person_ids = [ids[i] for i, (_, typ, _) in enumerate(entities) if person is not None and typ == person]
    claims = []
    for n, claim in enumerate((c for c in find_claims(text, language, people, quantities) if keep(c["span"])), 1):
        if claim.get("claimant", {}).get("entity") is not None:
            claim["claimant"]["entity"] = person_ids[claim["claimant"]["entity"]]
        claims.append({"id": f"pre-c{n}", **claim})
    return suggestion_record(
        document,
        {
            "annotator": "goldkit-preannotate:rules",
            "method": PREANNOTATION,
            "model_version": RULES_VERSION,
            "created_at": context.created_at,
            "note": "Rule-based suggestions (numbers, dates, gold gazetteer, quotes); to be corrected by people."
            + "".join(f" Not suggested: {reason}." for reason in skipped_suggestions([language])),
        },
        [
            {"id": ids[i], "span": span, "type": typ, "canonical": entry.canonical if entry else None}
            for i, (entry, typ, span) in enumerate(entities)
        ],
        [],
        claims,
    )


def suggestion_record(
    document: dict[str, Any],
    provenance: dict[str, Any],
    entities: list[dict[str, Any]],
    events: list[dict[str, Any]],
    claims: list[dict[str, Any]],
) -> dict[str, Any]:
    """One pre-annotator's suggestions for a document as an annotation record (every model's envelope)."""
    return canonicalize(
        {
            "record_type": "annotation",
            "schema_version": schema_version(),
            "document_id": document["id"],
            "document_sha256": document["sha256"],
            "provenance": provenance,
            "entities": entities,
            "events": events,
            "claims": claims,
        }
    )
