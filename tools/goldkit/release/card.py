"""Render a release's dataset card (README.md with YAML metadata) and its CHANGELOG.md.

Everything in the card is read from the inputs: label definitions from the schema, counts from the tables,
how the gold was made from the records' provenance (never claimed beyond what it says), and the version
history from earlier releases. Nothing here looks at the clock, so a rebuild gives the same bytes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from datasets import ClassLabel, DatasetInfo, List, SplitDict, SplitInfo
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard, DatasetCardData

from goldkit.config import project_config
from goldkit.generate import features as features_module
from goldkit.generate.features import config_features
from goldkit.links.agreement import event_clusters
from goldkit.links.candidates import group_documents
from goldkit.paths import release_data_pattern
from goldkit.release import card_sections
from goldkit.release import makers as makers_module
from goldkit.release.diff import ReleaseDiff
from goldkit.release.labeldiff import LabelChanges
from goldkit.release.rows import Gold, contributors
from goldkit.release.stats import COUNTED_CONFIGS, TableStats, counted_columns
from goldkit.release.summary import LISTED_DOCUMENTS, SOURCE_FIELDS, GoldSummary
from goldkit.schema.loading import definition, labels, load_schema, schema_value
from goldkit.schema.provenance import ADJUDICATED

SPLIT = "test"
DEFAULT_CONFIG = "claims"
PLACEHOLDER_REPO = "ORG/DATASET"
TASK_CATEGORIES = ["token-classification", "text-classification"]
TASK_IDS = ["named-entity-recognition", "fact-checking"]
_SIZES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")]


# ---- metadata ----------------------------------------------------------------------------------


def config_descriptions() -> dict[str, str]:
    """What one row of each config is, read from goldkit.generate.features' docstring (written once, there)."""
    doc = features_module.__doc__ or ""
    return dict(re.findall(r"^- (\w+):\s+(.+)$", doc, flags=re.MULTILINE))


def _size_category(rows: dict[str, int]) -> str:
    largest = max(rows.values(), default=0)
    return next((name for limit, name in _SIZES if largest < limit), "n>1M")


def gold_makers(gold: Gold) -> list[makers_module.Maker]:
    """Every account whose work is in the gold, with what goldkit.toml's roster declares it to be."""
    provenances = [p for p, _ in gold.summary.provenances()] + [link["provenance"] for link in gold.links]
    return makers_module.makers(provenances, project_config().annotators)


def annotations_creators(gold: Gold) -> list[str]:
    """HF `annotations_creators`, one per kind of maker the roster declares: machine-generated, expert-generated."""
    return makers_module.annotations_creators(gold_makers(gold))


def _creators(options: Any) -> list[str]:
    given = getattr(options, "annotations_creators", None)
    return [c.strip() for c in given.split(",") if c.strip()] if given else []


def pretty_name(languages: list[str], options: Any = None) -> str:
    """The card's title: the release's pretty_name (goldkit.toml [release]), else one naming the languages."""
    given = getattr(options, "pretty_name", None)
    return str(given) if given else f"goldkit news events and claims ({', '.join(languages)})"


def card_data(
    manifest: dict[str, Any],
    gold: Gold,
    options: Any,
    languages: list[str],
    sizes: dict[str, dict[str, int]] | None = None,
) -> DatasetCardData:
    """Return the card's YAML metadata: licenses, configs with data_files, dataset_info with Features and sizes."""
    rights = card_sections.license_metadata(options.license, manifest["stand_off"])
    data = DatasetCardData(
        pretty_name=pretty_name(languages, options),
        language=languages,
        license=rights["license"],
        multilinguality="multilingual" if len(languages) > 1 else "monolingual",
        task_categories=TASK_CATEGORIES,
        task_ids=TASK_IDS,
        annotations_creators=_creators(options) or annotations_creators(gold),
        language_creators=["found"],
        source_datasets=["original"],
        size_categories=[_size_category(manifest["rows"])],
        tags=["events", "claims", "fact-checking", "cross-document"],
    )
    for key in ("license_name", "license_link"):
        if key in rights:
            setattr(data, key, rights[key])  # CardData keeps extra fields as attributes and writes them out
    features = config_features(int(manifest.get("row_format", 1)))
    sizes = sizes or {}
    infos = {}
    for config, count in manifest["rows"].items():
        size = sizes.get(config, {})
        splits = SplitDict()
        splits.add(SplitInfo(name=SPLIT, num_examples=count, num_bytes=size.get("num_bytes", 0)))
        infos[config] = DatasetInfo(
            features=features[config],
            splits=splits,
            config_name=config,
            dataset_size=size.get("dataset_size"),
            download_size=size.get("download_size"),
        )
    DatasetInfosDict(infos).to_dataset_card_data(data)
    sharded = int(manifest.get("layout", 1)) > 1  # release.json's layout: shards under data/ (absent: 1.0.0's)

    def data_path(config: str) -> str:
        return release_data_pattern(config, SPLIT) if sharded else f"{config}/{SPLIT}.parquet"

    configs = {
        config: {"data_files": [{"split": SPLIT, "path": data_path(config)}]}
        | ({"default": True} if config == DEFAULT_CONFIG else {})
        for config in manifest["rows"]
    }
    MetadataConfigs(configs).to_dataset_card_data(data)
    return data


# ---- body --------------------------------------------------------------------------------------


def _label_sets() -> dict[tuple[str, ...], str]:
    """Map each closed label set's values to its `$defs` name."""
    defs = load_schema()["$defs"]
    return {
        tuple(item["const"] for item in node["oneOf"]): name
        for name, node in defs.items()
        if "oneOf" in node and all("const" in item for item in node["oneOf"])
    }


def _class_labels(feature: Any) -> list[ClassLabel]:
    if isinstance(feature, ClassLabel):
        return [feature]
    if isinstance(feature, List):
        return _class_labels(feature.feature)
    if isinstance(feature, dict):
        return [c for sub in feature.values() for c in _class_labels(sub)]
    return []


def label_definitions(config_names: list[str]) -> list[str]:
    """Markdown: every label set the released configs use, with the schema's titles and descriptions."""
    features = config_features()
    by_values = _label_sets()
    used: list[str] = []
    for config in config_names:
        for label in _class_labels(features[config]):
            name = by_values.get(tuple(label.names))  # None: a link mention's layer (the relations' x-applies-to)
            if name is not None and name not in used:
                used.append(name)
    lines = []
    for name in used:
        node = definition(name)
        lines += [f"### {node.get('title', name)} (`{name}`)", "", node.get("description", ""), ""]
        lines += ["| id | value | title | description |", "| --- | --- | --- | --- |"]
        lines += [f"| {i} | `{lab.value}` | {lab.title} | {lab.description} |" for i, lab in enumerate(labels(name))]
        lines.append("")
    return lines


def label_counts(stats: TableStats, languages: list[str]) -> list[str]:
    """Markdown tables: rows per label value and language, for each label column of each config."""
    features = config_features()
    language_ids = {name: i for i, name in enumerate(_language_order())}
    lines = []
    for config in COUNTED_CONFIGS:
        for column in counted_columns(config, features[config]):
            names = _class_labels(features[config][column])[0].names
            counts = stats.counts.get(config, {}).get(column, Counter())
            lines += [f"**{config}.{column}**", "", "| value | " + " | ".join(languages) + " | total |"]
            lines.append("| --- |" + " ---: |" * (len(languages) + 1))
            for label_id, name in enumerate(names):
                per = [counts.get((label_id, language_ids[lang]), 0) for lang in languages]
                lines.append(f"| `{name}` | " + " | ".join(map(str, per)) + f" | {sum(per)} |")
            lines.append("")
    return lines


def _pseudonymize(text: str, pseudonyms: dict[str, str]) -> str:
    for account in sorted(pseudonyms, key=len, reverse=True):
        text = text.replace(account, pseudonyms[account])
    return text


def is_adjudicated(provenance: dict[str, Any]) -> bool:
    """Adjudicated means settled between two or more annotators' annotations, not one pass relabelled."""
    return provenance.get("method") == ADJUDICATED and len(provenance.get("annotators") or []) >= 2


def gold_provenance(gold: Gold) -> dict[str, Any]:
    """Summarize how the gold was made, from the provenance of its records and links."""
    counted = [*gold.summary.provenances(), *((link["provenance"], 1) for link in gold.links)]  # (provenance, how many)
    provenances = [p for p, _ in counted]
    people = sorted({gold.pseudonyms[a] for p in provenances for a in contributors(p)}, key=lambda s: (len(s), s))
    return {
        "records": gold.summary.records,
        "links": len(gold.links),
        "annotators": people,
        "adjudicated": sum(n for p, n in counted if is_adjudicated(p)),
        "adjudicators": sorted(
            {gold.pseudonyms[a] for p in provenances if is_adjudicated(p) for a in contributors(p)},
            key=lambda s: (len(s), s),
        ),  # fmt: skip
        "methods": _weighted((p["method"], n) for p, n in counted),
        "strategies": _weighted((p["strategy"], n) for p, n in counted if p.get("strategy")),
        "notes": _weighted((_pseudonymize(p["note"], gold.pseudonyms), n) for p, n in counted if p.get("note")),
        "models": sorted({p["model_version"] for p in provenances if p.get("model_version")}),
    }


def _weighted(pairs: Any) -> Counter[Any]:
    """A Counter of (value, how many) pairs, its keys in the order first seen (as Counter(values) would be)."""
    found: Counter[Any] = Counter()
    for value, count in pairs:
        found[value] += count
    return found


def how_made(summary: dict[str, Any]) -> list[str]:
    """Markdown: how the gold was made, saying no more than the provenance does."""
    n, people = summary["records"] + summary["links"], summary["annotators"]
    if summary["adjudicated"] == 0 and len(people) == 1:
        lead = (
            f"**Single annotator, not adjudicated.** Every gold record ({summary['records']} documents) and link "
            f"({summary['links']}) was made by one annotator, `{people[0]}`. No second annotator labelled these "
            "documents and nothing was adjudicated, so the labels are that one annotator's reading."
        )
    elif summary["adjudicated"] == 0:
        lead = (
            f"**Not adjudicated.** The gold comes from {len(people)} annotators ({', '.join(people)}), but each "
            "record is one annotator's work: no record was adjudicated from several annotations."
        )
    else:
        lead = (
            f"**Adjudicated.** {summary['adjudicated']} of {n} gold records and links were adjudicated from the "
            f"annotations of {', '.join(summary['adjudicators'])}."
        )
        if summary["adjudicated"] < n:
            lead += (
                f" The other {n - summary['adjudicated']} are one annotator's work each, not adjudicated "
                "(method and strategy below)."
            )
    method_help = definition("Provenance")["properties"]["method"]["description"]
    lines = [lead, "", f"Method, as each record's provenance states it ({method_help}):", ""]
    lines += [f"- `{method}`: {count} record(s)" for method, count in sorted(summary["methods"].items())]
    if summary["strategies"]:
        lines += ["", "Adjudication strategies: " + ", ".join(f"`{s}` ({c})" for s, c in summary["strategies"].items())]
    if summary["notes"]:
        lines += ["", "Notes in the provenance, quoted:", ""]
        lines += [f"> {note} ({count} record(s))" for note, count in sorted(summary["notes"].items())]
    if summary["models"]:
        lines += ["", "Model versions named in the provenance: " + ", ".join(f"`{m}`" for m in summary["models"])]
    lines += ["", "Annotators appear under stable pseudonyms (`annotator_N`); the mapping is not released."]
    return lines


def makers_section(gold: Gold) -> list[str]:
    """Markdown: who made the gold, as goldkit.toml's [annotators] roster declares each account (never guessed)."""
    found = gold_makers(gold)
    if not found:
        return []
    names = dict(gold.pseudonyms)
    reviewers = sorted(m.account for m in found if m.account not in names)
    names |= {account: f"reviewer_{i}" for i, account in enumerate(reviewers, 1)}
    lines = ["Who made it, as the project's roster (`[annotators]` in goldkit.toml) declares each account:", ""]
    for maker in found:
        kind = maker.kind.replace("_", " ")
        described = _pseudonymize(maker.description, names)
        lines.append(f"- `{names.get(maker.account, maker.account)}` ({kind}; {', '.join(maker.roles)}): {described}")
    machines, total = makers_module.machine_share(found)
    if machines and machines == total:
        lines += [
            "",
            "Every maker of this gold is a machine (AI assistants or models); no person annotated, reviewed or "
            "adjudicated it. Agreement between two passes of one AI assistant measures how consistently that "
            "assistant applies the guidelines to these texts, not how far two people would agree: two runs of one "
            "model share its blind spots, so high agreement here is weaker evidence of correct labels than the same "
            "figure between two trained people.",
        ]
    return lines


def agreement_section(gold: Gold, summary: dict[str, Any]) -> list[str]:
    """Markdown: agreement figures when given, otherwise why there are none."""
    if gold.agreement is not None:
        lines = ["Agreement between annotators, as given to this release (`--agreement`):", ""]
        alphas = card_sections.alpha_lines(gold.agreement)
        if alphas:
            lines += alphas
        else:
            lines += ["| measure | value |", "| --- | ---: |"]
            lines += [f"| {key} | {value:.4g} |" for key, value in sorted(_numbers(gold.agreement))] + [""]
        if summary["adjudicated"] == 0:
            lines += [
                "These figures are about the annotators' own labels; the gold itself was not adjudicated from them.",
                "",
            ]
        return lines
    if summary["adjudicated"] == 0 and len(summary["annotators"]) <= 1:
        return ["None: the gold has one annotator, so there was no second annotation to agree with.", ""]
    return ["No agreement figures were given to this release (pass them with `goldkit release --agreement`).", ""]


def _numbers(value: Any, prefix: str = "") -> list[tuple[str, float]]:
    if isinstance(value, dict):
        return [pair for key, sub in value.items() for pair in _numbers(sub, f"{prefix}{key}.")]
    if isinstance(value, list):
        return [pair for i, sub in enumerate(value) for pair in _numbers(sub, f"{prefix}{i}.")]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [(prefix.rstrip("."), float(value))]
    return []


def render_card(
    manifest: dict[str, Any],
    gold: Gold,
    stats: TableStats,
    history: list[dict[str, Any]],
    options: Any,
    sizes: dict[str, dict[str, int]] | None = None,
    files: dict[str, list[Any]] | None = None,
) -> str:
    """Return README.md: YAML metadata and a body derived from the inputs.

    sizes: card_sections.measure_sizes; files: each config's Parquet files (goldkit.release.shards.list_shards).
    """
    languages = [lang for lang in _language_order() if lang in gold.summary.languages]
    data = card_data(manifest, gold, options, languages, sizes)
    summary = gold_provenance(gold)
    body = _body(manifest, gold, stats, history, options, languages, summary, files)
    return f"---\n{data.to_yaml()}\n---\n\n" + "\n".join(body).rstrip() + "\n"


def _language_order() -> list[str]:
    return [label.value for label in labels("Language")]


def _body(
    manifest: dict[str, Any],
    gold: Gold,
    stats: TableStats,
    history: list[dict[str, Any]],
    options: Any,
    languages: list[str],
    summary: dict[str, Any],
    files: dict[str, list[Any]] | None = None,
) -> list[str]:
    version = manifest["version"]
    descriptions = config_descriptions()
    counts = manifest["rows"]
    summary_text = (
        f"News articles in {', '.join(languages)} with gold annotations: {counts['entities']} entity mentions, "
        f"{counts['events']} event mentions with their arguments, {counts['claims']} claims with claimant, "
        f"attribution, check-worthiness and verdict, and {counts['links']} cross-document links between events "
        f"and claims. Labels follow the goldkit schema {manifest['schema_version']} (copied in `schema/`)."
    )
    lines = [f"# goldkit news events and claims — v{version}", "", summary_text, ""]
    lines += [
        f"- Version: `{version}` ({card_sections.tag_lines(version, getattr(options, 'repo_id', None))}), "
        f"schema `{manifest['schema_version']}`",
        f"- Date: {manifest['date'] or 'not recorded in the inputs'} (from the records' provenance, not the clock)",
        f"- Languages: {', '.join(languages)}; {len(gold.documents)} documents",
        "- Text: "
        + ("not included (stand-off: offsets, sha256, source files)" if manifest["stand_off"] else "included"),
        "",
        "## Configs",
        "",
        "| config | rows | one row is |",
        "| --- | ---: | --- |",
    ]
    lines += [f"| `{c}` | {n} | {descriptions.get(c, '')} |" for c, n in manifest["rows"].items()]
    if files:
        lines += ["", "## Files", "", *card_sections.files_lines(files)]
    lines += ["", "## Documents", "", *documents_section(gold)]
    lines += ["", "## Split", "", *_split_text(), "", "## How to load", "", *_load_text(version, options), ""]
    lines += ["## How to score a system against this release", "", *card_sections.scoring_lines(version), ""]
    lines += [
        "## How the gold was made",
        "",
        *how_made(summary),
        "",
        *makers_section(gold),
        "",
        "## Agreement",
        "",
        *agreement_section(gold, summary),
    ]
    if "annotations" in stats.rows:
        pseudonyms = sorted(stats.annotators, key=lambda s: (len(s), s))
        lines += [f"The `annotations` config holds each annotator's own labels ({', '.join(pseudonyms)}).", ""]
    lines += ["## Counts per label and language", "", *label_counts(stats, languages)]
    lines += ["## Label definitions", "", *label_definitions(list(manifest["rows"]))]
    lines += ["## Limitations", "", *_limitations(manifest, stats, summary, gold), ""]
    lines += ["## License", "", *_license_text(manifest, options), ""]
    repo_id = getattr(options, "repo_id", None)
    lines += [
        "## Citation",
        "",
        *card_sections.project_citation_lines(getattr(options, "citation", None)),
        *card_sections.citation_lines(manifest, repo_id, pretty_name(languages, options), options.license),
        "",
    ]
    lines += ["## Version history", "", *_history(history), ""]
    return lines


def _split_text() -> list[str]:
    return [
        f"Everything is in one split, `{SPLIT}`: this is hand-made gold meant for evaluating systems, and it is "
        "too small to train on. Use it as a test set; if you must tune on it, use cross-validation by document "
        "and say so."
    ]


def _load_text(version: str, options: Any) -> list[str]:
    repo = getattr(options, "repo_id", None)
    hub = (
        [f'claims = load_dataset("{repo}", "claims", revision="v{version}", split="{SPLIT}")']
        if repo
        else [
            f'# not on the Hub yet; once published: load_dataset("{PLACEHOLDER_REPO}", "claims", revision="v{version}")'
        ]
    )
    return [
        "```python",
        "from datasets import load_dataset",
        "",
        f'claims = load_dataset("export/{version}", "claims", split="{SPLIT}")  # this folder',
        'print(claims.features["verdict"].int2str(claims[0]["verdict"]))  # labels are ClassLabel ids',
        *hub,
        "```",
        "",
        "Pin `revision` to the version's tag once it is published: later versions may change labels.",
        "`SHA256SUMS` lists the sha256 of every file (`sha256sum -c SHA256SUMS`); `schema/goldkit.schema.json` "
        "is the schema the labels follow.",
    ]


MAX_LISTED_DOCUMENTS = LISTED_DOCUMENTS  # the summary keeps as many


def documents_section(gold: Gold) -> list[str]:
    """List the documents (up to MAX_LISTED_DOCUMENTS) with what the gold marks in each."""
    by_doc = gold.summary.counts
    lines = [
        "| document | language | title | published | author | source URL | publisher | entities | events | claims |",
        "| --- | --- | --- | --- | --- | --- | --- | ---: | ---: | ---: |",
    ]
    for doc in gold.summary.listed_documents():
        doc_id = doc["id"]
        source = card_sections.document_sources(doc)
        record = by_doc.get(doc_id, {})
        title = str(doc["title"] or "(no headline)").replace("|", "\\|")
        title = title if len(title) <= 90 else title[:89] + "…"
        counts = " | ".join(str(record.get(key, 0)) for key in ("entities", "events", "claims"))
        lines.append(
            f"| `{doc_id}` | {doc['language']} | {title} | {source['published']} | "
            f"{doc.get('author') or 'unknown'} | {source['url']} | {source['publisher']} | {counts} |"
        )
    if len(gold.documents) > MAX_LISTED_DOCUMENTS:
        lines.append(f"| … {len(gold.documents) - MAX_LISTED_DOCUMENTS} more | | | | | | | | | |")
    unknown = [key for key in SOURCE_FIELDS if key not in gold.summary.known_sources]
    note = card_sections.unknown_sources_note(unknown)
    return lines + (["", note] if note else [])


def _stories_and_clusters(gold: Gold) -> str:
    stories = group_documents(_EntityKeys(gold.summary))
    clusters = event_clusters(gold.links)
    sizes = ", ".join(str(len(c)) for c in clusters) or "none"
    return (
        f"- The {len(gold.documents)} documents tell {len(stories)} stor{'y' if len(stories) == 1 else 'ies'} "
        f"(grouped by shared canonical entities); same-event links join their event mentions into "
        f"{len(clusters)} cross-document event cluster(s) (mentions per cluster: {sizes}). Figures from so few "
        "events do not generalise."
    )


class _EntityKeys(Mapping[str, dict[str, Any]]):
    """Every gold document with its entities' canonical keys (none for most), as group_documents reads records."""

    def __init__(self, summary: GoldSummary) -> None:
        self.summary = summary

    def __getitem__(self, doc_id: str) -> dict[str, Any]:
        keys = self.summary.entity_keys.get(doc_id, {})
        return {"entities": [{"id": i, "canonical": key} for i, key in keys.items()]}

    def __iter__(self) -> Iterator[str]:
        return iter(self.summary.shas)

    def __len__(self) -> int:
        return len(self.summary.shas)


def _limitations(manifest: dict[str, Any], stats: TableStats, summary: dict[str, Any], gold: Gold) -> list[str]:
    unchecked = schema_value("Verdict", "unchecked")
    lines = [
        f"- Small: {stats.rows['documents']} documents. Counts per label above show which labels are rare or absent.",
        _stories_and_clusters(gold),
        f"- {stats.open_claims} of {stats.rows['claims']} claims have verdict `{unchecked}`: no one checked them yet.",
        "- Offsets count Unicode code points (`text[start:end]` in Python), not bytes or UTF-16 units.",
        "- Boilerplate (page furniture) is marked in `documents.boilerplate`, not removed from the text.",
    ]
    if summary["adjudicated"] == 0 and len(summary["annotators"]) <= 1:
        lines.append("- One annotator and no adjudication: expect that annotator's systematic errors.")
    if manifest["stand_off"]:
        lines.append(
            "- Texts are not included: re-attach them with `goldkit attach` from your own copy of the articles."
        )
    return lines


def _license_text(manifest: dict[str, Any], options: Any) -> list[str]:
    lines = card_sections.license_lines(options.license, manifest["stand_off"])
    if not manifest["stand_off"]:
        lines += [
            "",
            f"The metadata says `license: other` for that reason; both parts are in `{card_sections.LICENSE_FILE}`.",
        ]
    return lines


def _history(history: list[dict[str, Any]]) -> list[str]:
    lines = ["| version | date | schema | documents | claims |", "| --- | --- | --- | ---: | ---: |"]
    for m in reversed(history):
        rows = m["rows"]
        lines.append(
            f"| v{m['version']} | {m['date'] or '—'} | {m['schema_version']} "
            f"| {rows['documents']} | {rows.get('claims', 0)} |"
        )
    return lines + ["", "What changed in each version is in `CHANGELOG.md`."]


# ---- changelog ---------------------------------------------------------------------------------


def diff_lines(diff: ReleaseDiff) -> list[str]:
    """Markdown list of what changed from diff.old to diff.new (shared by CHANGELOG.md and goldkit diff)."""
    schema = (
        f"{diff.old_schema} → {diff.new_schema}" + ("" if diff.old_schema != diff.new_schema else " (content changed)")
        if diff.schema_changed
        else f"{diff.new_schema} (unchanged)"
    )
    lines = [f"- Schema: {schema}"]
    if diff.old_row_format != diff.new_row_format:
        lines.append(
            f"- Row format: {diff.old_row_format} → {diff.new_row_format} (goldkit.generate.features: from 2,"
            " `published` is a date, link mentions carry layer, type and span, `title` is null without a headline)"
        )
    lines.append(f"- Documents added: {', '.join(diff.documents_added) or 'none'}")
    lines.append(f"- Documents removed: {', '.join(diff.documents_removed) or 'none'}")
    changed = [
        f"{d['id']} (sha256 {d['old_sha256'][:12]} → {d['new_sha256'][:12]})"
        if d["old_sha256"] != d["new_sha256"]
        else f"{d['id']} ({', '.join(d.get('fields') or [])})"
        for d in diff.documents_changed
    ]
    lines.append(f"- Documents changed: {', '.join(changed) or 'none'}")
    if not diff.labels:
        lines.append("- Labels changed: none")
    else:
        lines.append("- Labels changed (matched by document, layer, type and span, not by id):")
        for doc_id, layers in diff.labels.items():
            for layer, change in layers.items():
                lines += _label_lines(f"  - {doc_id} {layer}: ", "    ", change)
    if diff.links:
        lines += _label_lines("- Links (matched by their two ends): ", "  ", diff.links)
    else:
        lines.append("- Links: no change")
    parts = [f"{kind} {', '.join(ids)}" for kind, ids in diff.annotations.to_dict().items() if ids]
    lines.append("- Annotations: " + ("; ".join(parts) or "no change"))
    return lines


def _label_lines(head: str, indent: str, change: LabelChanges) -> list[str]:
    """'added ...; removed ...; changed N; unchanged M', then one line per changed label with its attributes."""
    parts = [f"{kind} {', '.join(ids)}" for kind, ids in (("added", change.added), ("removed", change.removed)) if ids]
    parts += [f"changed {len(change.changed)}"] if change.changed else []
    return [head + "; ".join([*parts, f"unchanged {change.unchanged}"])] + [
        f"{indent}- {label.describe()}" for label in change.changed
    ]


def render_changelog(manifest: dict[str, Any], diff: ReleaseDiff | None, previous_changelog: str | None) -> str:
    """Return CHANGELOG.md: this version's entry on top of the previous release's changelog."""
    if diff is None:
        counts = ", ".join(f"{n} {c}" for c, n in manifest["rows"].items())
        entry = [
            f"## v{manifest['version']} — first release",
            "",
            f"- {counts}",
            f"- Schema: {manifest['schema_version']}",
        ]
    else:
        entry = [f"## v{manifest['version']} — changes since v{diff.old}", "", *diff_lines(diff)]
    older = (previous_changelog or "").split("\n", 2)[2] if previous_changelog else ""
    return "# Changelog\n\n" + "\n".join(entry) + "\n\n" + older.lstrip("\n")


def parse_card(text: str) -> DatasetCard:
    """Parse a card as the Hub does locally (YAML front matter -> DatasetCardData)."""
    return DatasetCard(text)
