"""A pre-annotator that learns from the project's own gold: lexicons matched with Aho-Corasick.

Trained on gold (or adjudicated) annotation records and their documents' texts, it keeps per language:

- entity surfaces with their type and canonical key (every gold entity mention, not only keyed ones);
- names read off canonical keys (`gpe.saudi_arabia` -> 'saudi arabia', a person's surname too), which
  carry across languages: keys made on Arabic gold find the English names;
- event triggers with their type, realis and polarity (a trigger may take a short inflection: 'talks');
- claim cue verbs, added to the rule-based claim finder's own.

Dates, numbers and quote/number claims still come from the rules (goldkit.preannotate.rules). Each
suggested region gets a score: how often its surface, wherever it occurs in the training texts, was
annotated so — (labelled + 1) / (seen + 2), a smoothed precision — and the record's score is the mean,
so Label Studio can show the least certain tasks first. Nothing is downloaded: the model is the gold.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from goldkit.preannotate import rules
from goldkit.preannotate.vocabulary import vocabulary
from goldkit.schema.records import Record

LEARNED_VERSION = "learned-1"
RULE_SCORE = 0.5  # a region the rules found (dates, numbers, claims): no lexicon evidence either way
KEY_SCORE = 0.5  # a name read off a canonical key, never seen written in the training texts
MIN_SCORE = 0.25  # surfaces annotated less often than this where they occur are not suggested
NAMED_TYPES = {"person", "organization", "gpe", "location", "facility"}
KEY_PREFIXES = {"org": "organization"}  # canonical key prefixes that are not the type's own name
MAX_INFLECTION = 2  # letters a trigger may gain ('talk' -> 'talks', 'اجتماع' -> 'اجتماعات' is 2)
LAYERS = ("entities", "events", "claims")
PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "this", "that", "هو", "هي", "هم"}


@dataclass
class Entry:
    """What a surface was annotated as, how often, and how often it occurs in the training texts."""

    labels: Counter[tuple[str, ...]] = field(default_factory=Counter)
    seen: int = 0

    @property
    def label(self) -> tuple[str, ...]:
        return self.labels.most_common(1)[0][0]

    @property
    def score(self) -> float:
        labelled = sum(self.labels.values())
        return (labelled + 1) / (max(self.seen, labelled) + 2)


@dataclass
class Model:
    """Lexicons per language: layer ('entity', 'event', 'cue') -> lowercased surface -> Entry.

    `keys` holds the names read off canonical keys (any language's gold), matched in Latin-script text.
    """

    lexicons: dict[str, dict[str, dict[str, Entry]]] = field(default_factory=dict)
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (type, canonical)
    documents: int = 0

    def lexicon(self, language: str, layer: str) -> dict[str, Entry]:
        return self.lexicons.setdefault(language, {}).setdefault(layer, {})


def _fold(text: str) -> str:
    """Lowercase without changing the length (offsets into the folded text are offsets into the text)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def key_names(canonical: str) -> list[str]:
    """Names a canonical key spells: 'person.yerzhan_sadenov' -> ['yerzhan sadenov', 'sadenov']."""
    kind, _, name = canonical.partition(".")
    if kind == "unverified" or not name:
        return []
    words = [w for w in re.split(r"[_\-.]+", name) if w]
    names = [" ".join(words)]
    if kind == "person" and len(words) >= 2 and len(words[-1]) >= 4:
        names.append(words[-1])
    return names


def train(gold: Iterable[Record], documents: Mapping[str, Record]) -> Model:
    """Count what the gold annotates, then how often each surface occurs in its documents' texts."""
    model = Model()
    texts: dict[str, list[Record]] = defaultdict(list)
    for record in gold:
        document = documents.get(record["document_id"])
        if document is None:
            continue
        model.documents += 1
        language = document["language"]
        texts[language].append(document)
        for entity in record.get("entities", []):
            surface, canonical = _fold(entity["span"]["text"]), entity.get("canonical") or ""
            if surface not in PRONOUNS:
                model.lexicon(language, "entity").setdefault(surface, Entry()).labels[(entity["type"], canonical)] += 1
            if entity["type"] in NAMED_TYPES and canonical:
                for name in key_names(canonical):
                    model.keys.setdefault(name, (entity["type"], canonical))
        for event in record.get("events", []):
            entry = model.lexicon(language, "event").setdefault(_fold(event["trigger"]["text"]), Entry())
            entry.labels[(event["type"], event["realis"], event["polarity"])] += 1
        for claim in record.get("claims", []):
            if claim.get("cue"):
                model.lexicon(language, "cue").setdefault(_fold(claim["cue"]["text"]), Entry()).labels[("cue",)] += 1
    for language, docs in texts.items():
        for layer, lexicon in model.lexicons.get(language, {}).items():
            automaton = _automaton(lexicon)
            for document in docs:
                for _, _, surface in _matches(automaton, document, language, layer):
                    lexicon[surface].seen += 1
    return model


def _automaton(lexicon: Mapping[str, Any]) -> Any:
    automaton = ahocorasick.Automaton()
    for surface in lexicon:
        automaton.add_word(surface, surface)
    if len(automaton):
        automaton.make_automaton()
    return automaton


def _matches(automaton: Any, document: Record, language: str, layer: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, surface) at word boundaries outside the furniture, longest first."""
    if not len(automaton):
        return []
    text = document["text"]
    folded = _fold(text)
    found = []
    for last, surface in automaton.iter(folded):
        start, end = last - len(surface) + 1, last + 1
        if layer == "event" and len(surface) >= 4:
            while end < len(text) and end - last - 1 < MAX_INFLECTION and rules._in_word(text[end]):
                end += 1
        if rules._at_word_start(text, start, language) and rules._at_word_end(text, end):
            found.append((start, end, surface))
    furniture = document.get("boilerplate", [])
    taken: list[tuple[int, int]] = []
    kept = []
    for start, end, surface in sorted(found, key=lambda m: (m[0] - m[1], m[0])):
        span = {"start": start, "end": end}
        if rules._free(taken, start, end) and rules._outside(furniture, span):
            taken.append((start, end))
            kept.append((start, end, surface))
    return sorted(kept)


def _suggest(automaton: Any, lexicon: Mapping[str, Entry], document: Record, layer: str) -> list[tuple]:
    """(start, end, entry) for lexicon surfaces found in the document whose score clears MIN_SCORE."""
    found = _matches(automaton, document, document["language"], layer)
    return [(s, e, lexicon[surface]) for s, e, surface in found if lexicon[surface].score >= MIN_SCORE]


def _cue_words(model: Model, language: str) -> str:
    learned = [re.escape(c) for c in sorted(model.lexicon(language, "cue"), key=lambda c: (-len(c), c))]
    return "|".join([*learned, *([rules.CUES[language]] if language in rules.CUES else [])])


@dataclass
class _Found:
    entities: list[tuple[int, int, str, str | None, float]] = field(default_factory=list)  # start end type key

    def add(self, start: int, end: int, typ: str, canonical: str | None, score: float) -> None:
        if all(end <= s or e <= start for s, e, *_ in self.entities):
            self.entities.append((start, end, typ, canonical, score))


def _entities(model: Model, document: Record, automata: dict[str, Any]) -> list[tuple]:
    """Lexicon entities first, then names read off keys, then the rules' dates and numbers, never overlapping."""
    text, language = document["text"], document["language"]
    keep = lambda s: s["text"] and rules._outside(document.get("boilerplate", []), s)  # noqa: E731
    found = _Found()
    lexicon = model.lexicon(language, "entity")
    for start, end, entry in _suggest(automata["entity"], lexicon, document, "entity"):
        typ, canonical = entry.label
        found.add(start, end, typ, canonical or None, entry.score)
    if model.keys and not re.search(r"[\u0600-\u06ff]", text):  # names from keys are Latin script
        for start, end, name in _matches(automata["key"], document, language, "key"):
            found.add(start, end, *model.keys[name], KEY_SCORE)
    words = vocabulary()  # a project schema without dates or numbers gets neither
    for typ, spans in ((words["datetime"], rules.find_dates), (words["quantity"], rules.find_quantities)):
        for span in spans(text, language) if typ else ():
            if typ and keep(span):
                found.add(span["start"], span["end"], typ, None, RULE_SCORE)
    return sorted(found.entities)


def _attributions(training: Iterable[Record]) -> dict[str, str]:
    """Canonical key -> the attribution quality the gold gave claims by that entity."""
    out = {}
    for record in training:
        keys = {e["id"]: e.get("canonical") for e in record.get("entities", [])}
        for claim in record.get("claims", []):
            key = keys.get(claim["claimant"].get("entity") or "")
            if key:
                out[key] = claim["attribution"]
    return out


def _person(entity: dict[str, Any], attributions: Mapping[str, str]) -> rules.GazetteerEntry:
    canonical = entity["canonical"] or ""
    return rules.GazetteerEntry(entity["span"]["text"], entity["type"], canonical, attributions.get(canonical))


def predict(model: Model, document: Record, attributions: Mapping[str, str], created_at: str | None) -> Record:
    """One annotation record of suggestions, each region scored, the record scored by their mean."""
    text, language = document["text"], document["language"]
    automata = {layer: _automaton(model.lexicon(language, layer)) for layer in ("entity", "event")}
    automata["key"] = _automaton(model.keys)
    scores: dict[str, float] = {}
    entities = []
    for n, (start, end, typ, canonical, score) in enumerate(_entities(model, document, automata), 1):
        entities.append({"id": f"pre-e{n}", "span": rules._span(text, start, end), "type": typ, "canonical": canonical})
        scores[f"pre-e{n}"] = score
    events = []
    lexicon = model.lexicon(language, "event")
    for n, (start, end, entry) in enumerate(_suggest(automata["event"], lexicon, document, "event"), 1):
        typ, realis, polarity = entry.label
        span = rules._span(text, start, end)
        events.append({"id": f"pre-v{n}", "type": typ, "trigger": span, "realis": realis, "polarity": polarity,
                       "arguments": []})  # fmt: skip
        scores[f"pre-v{n}"] = entry.score
    words = vocabulary()
    people = [(_person(e, attributions), e["span"]) for e in entities if e["type"] == words["person"]]
    person_ids = [e["id"] for e in entities if e["type"] == words["person"]]
    cues = model.lexicon(language, "cue")
    claims: list[dict[str, Any]] = []
    found = rules.find_claims(text, language, people, [e["span"] for e in entities if e["type"] == words["quantity"]],
                              _cue_words(model, language))  # fmt: skip
    for claim in (c for c in found if rules._outside(document.get("boilerplate", []), c["span"])):
        if claim.get("claimant", {}).get("entity") is not None:
            claim["claimant"]["entity"] = person_ids[claim["claimant"]["entity"]]
        claim_id = f"pre-c{len(claims) + 1}"
        claims.append({"id": claim_id, **claim})
        cue = claim.get("cue")
        scores[claim_id] = cues[_fold(cue["text"])].score if cue and _fold(cue["text"]) in cues else RULE_SCORE
    return rules.suggestion_record(
        document,
        {
            "annotator": "goldkit-preannotate:learned",
            "method": rules.PREANNOTATION,
            "model_version": LEARNED_VERSION,
            "created_at": created_at,
            "score": round(sum(scores.values()) / len(scores), 4) if scores else 0.0,
            "region_scores": [{"region": k, "score": round(v, 4)} for k, v in scores.items()],
            "note": f"Learned from {model.documents} gold record(s) of this project (lexicons of entities, "
            "triggers and cues) plus the rules' dates, numbers and claims; to be corrected by people.",
        },
        entities,
        events,
        claims,
    )


_models: dict[tuple, tuple[Model, dict[str, str]]] = {}


def learned_preannotator(document: Record, context: rules.Context) -> Record:
    """Train on the context's gold (cached per training set) and suggest for one document."""
    key = tuple(
        sorted(
            (doc_id, id(record), record.get("document_sha256"), *(len(record.get(k, [])) for k in LAYERS))
            for doc_id, record in context.training.items()
        )
    )
    if key not in _models:
        _models.clear()  # one training set at a time: leave-one-out runs them in turn
        _models[key] = (train(context.training.values(), context.documents), _attributions(context.training.values()))
    model, attributions = _models[key]
    return predict(model, document, attributions, context.created_at)
