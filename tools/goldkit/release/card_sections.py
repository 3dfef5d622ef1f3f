"""The card's rights, sources, sizes, citation and scoring sections: what a researcher needs to use a release.

- Rights: the annotations carry the license given to `goldkit release --license`; the article texts are
  their publishers'. A release with the texts says `license: other` with `license_name` and a
  `license_link` to its LICENSE.md (both parts spelled out); a stand-off release holds annotations only
  and says their license.
- Sources: per document, the source URL, publisher and date when the document records carry them, and
  "unknown" where they do not (schema 1.0.0 documents have no URL or publisher field).
- Sizes: each split's `num_bytes` is the Arrow size of its table read back from the Parquet file, the
  `download_size` the Parquet file's bytes; `dataset_size` the num_bytes summed over the split.
- Tags: a git/Hub tag is named only when the release is being published (`--push-to-hub` creates
  `vVERSION`); otherwise the card says none exists yet.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from goldkit.paths import release_config_files
from goldkit.release.shards import Shard, arrow_bytes

LICENSE_FILE = "LICENSE.md"
UNKNOWN = "unknown"


def license_metadata(annotations_license: str, stand_off: bool) -> dict[str, str]:
    """The card's license fields: the annotations' license alone for stand-off, `other` when texts are included."""
    if stand_off:
        return {"license": annotations_license}
    slug = re.sub(r"[^a-z0-9.-]+", "-", annotations_license.lower()).strip("-")
    return {
        "license": "other",
        "license_name": f"{slug}-annotations-publishers-texts",
        "license_link": LICENSE_FILE,
    }


def license_lines(annotations_license: str, stand_off: bool) -> list[str]:
    """Markdown: who holds which rights (the card's License section and LICENSE.md)."""
    annotations = f"- **Annotations** (labels, offsets, links, everything goldkit made): `{annotations_license}`."
    if stand_off:
        texts = (
            "- **Article texts**: not in this release. They belong to their publishers; attach your own copy with "
            "`goldkit attach` (each text is checked against its sha256)."
        )
    else:
        texts = (
            "- **Article texts** (`documents.text` and the `text` of every span): they belong to their "
            "publishers, and are not covered by the annotations' license. They are included for research use "
            "only; redistributing them needs the publishers' permission. Where a publisher is unknown (see the "
            "card's Documents table), so is the holder of the rights."
        )
    return [annotations, texts]


def render_license(annotations_license: str, stand_off: bool, version: str) -> str:
    """LICENSE.md of a release (the target of `license_link`)."""
    lines = [f"# License of goldkit release v{version}", "", *license_lines(annotations_license, stand_off)]
    return "\n".join(lines) + "\n"


def document_sources(document: dict[str, Any]) -> dict[str, str]:
    """Source URL, publisher and date of a document; 'unknown' where its record carries none."""
    source = document.get("source") or {}  # what ingest kept from the page, crawl record or dump row
    return {
        "url": str(document.get("url") or source.get("url") or UNKNOWN),
        "publisher": str(document.get("publisher") or source.get("site_name") or UNKNOWN),
        "published": str(document.get("published") or UNKNOWN),
    }


def unknown_sources_note(unknown: list[str]) -> str:
    """The note naming the source fields (of url, publisher, published) that no document has."""
    if not unknown:
        return ""
    return (
        f"Unknown for every document: {', '.join(unknown)} — the article files these documents were ingested from "
        "carry no such field, so the release cannot say more."
    )


def measure_sizes(folder: Path, configs: list[str], split: str) -> dict[str, dict[str, int]]:
    """Per config, as written: num_bytes (the Arrow size of its rows read back with pyarrow, a row group at a
    time; `datasets`' own copy differs by a few bytes), download_size (the Parquet files' bytes), dataset_size
    (num_bytes summed over the one split)."""
    sizes = {}
    for config in configs:
        num_bytes = arrow_bytes(folder, config, split)
        download = sum(path.stat().st_size for path in release_config_files(folder, config, split))
        sizes[config] = {"num_bytes": num_bytes, "dataset_size": num_bytes, "download_size": download}
    return sizes


def files_lines(files: dict[str, list[Shard]]) -> list[str]:
    """Markdown: every Parquet file of the release, per config, with its rows and bytes (SHA256SUMS has the sums)."""
    lines = ["| config | file | rows | bytes |", "| --- | --- | ---: | ---: |"]
    lines += [f"| `{c}` | `{s.file}` | {s.rows} | {s.bytes} |" for c, shards in files.items() for s in shards]
    return lines


def replace_files_section(card_text: str, files: dict[str, list[Shard]]) -> str:
    """The card with its Files section listing `files` (after goldkit attach rewrote them); unchanged without one."""
    head, found, rest = card_text.partition("## Files\n")
    if not found:
        return card_text
    after = rest.split("\n## ", 1)
    section = "\n".join(["", *files_lines(files), ""])
    return head + found + section + ("\n## " + after[1] if len(after) > 1 else "")


def project_citation_lines(citation: str | None) -> list[str]:
    """Markdown: how the project asks to be cited (goldkit.toml [release] citation), before this version's entry."""
    if not citation:
        return []
    given = ["```bibtex", citation, "```"] if citation.lstrip().startswith("@") else [citation]
    return ["Please cite the dataset as:", "", *given, "", "This version:", ""]


def citation_lines(
    manifest: dict[str, Any], repo_id: str | None, pretty_name: str, annotations_license: str
) -> list[str]:
    """Markdown: a BibTeX entry for this version."""
    version = manifest["version"]
    key = "goldkit_news_events_claims_v" + version.replace(".", "_")
    where = f"https://huggingface.co/datasets/{repo_id}" if repo_id else f"goldkit release, folder export/{version}"
    fields = {
        "title": f"{{{pretty_name}}}",
        "author": "{goldkit contributors}",  # braces: a name BibTeX must not split into first/last
        "year": manifest["date"][:4] if manifest.get("date") else None,
        "version": version,
        "howpublished": where if not repo_id else f"\\url{{{where}}}",
        "note": f"Annotations under {annotations_license}; article texts belong to their publishers",
    }
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items() if value is not None)
    lines = ["```bibtex", f"@misc{{{key},", body, "}", "```"]
    if not manifest.get("date"):
        lines.append("(No year: the release date is not recorded in the inputs.)")
    return lines


def scoring_lines(version: str) -> list[str]:
    """Markdown: how to score a system against this release with the scorer goldkit ships."""
    return [
        "Score a system's output with the scorer that ships with goldkit, so figures are comparable:",
        "",
        "```sh",
        f"goldkit evaluate predictions.jsonl --release export/{version} [--config claims] [--json]",
        "```",
        "",
        "`predictions.jsonl` holds one object per line: rows shaped like this release's `entities`, `events`, "
        "`claims` and `links` configs (label names or ids; span texts optional), or goldkit annotation and link "
        "records. Reported: precision/recall/F1 per layer and label with exact and overlap matching (one-to-one), "
        "event arguments per role, accuracy and macro-F1 of each attribute over matched spans, link relations, "
        "and event coreference (MUC, B³, CEAF-e, CoNLL F1; every event mention, singletons included). A bad "
        "line is reported with its number; nothing is scored until all are fixed.",
    ]


def tag_lines(version: str, repo_id: str | None) -> str:
    """The version line's words about tags: only a tag that the publishing step creates."""
    if repo_id:
        return f"tag `v{version}` on the Hub repository `{repo_id}`, created when it is published"
    return "not published: no git or Hub tag exists for it yet; `goldkit release --push-to-hub` creates one"


def attached_card(card_text: str, version: str, sizes: dict[str, dict[str, int]]) -> tuple[str, str]:
    """The card and LICENSE.md of a stand-off release once `goldkit attach` put the texts back.

    The annotations keep the license the card gave them; the texts now in the files are the publishers',
    so the metadata becomes `license: other` (with license_name and license_link) and the sizes are measured again.
    """
    from huggingface_hub import DatasetCard  # loaded only when a card is rewritten

    card = DatasetCard(card_text)
    annotations_license = str(getattr(card.data, "license", None) or "unknown")
    rights = license_metadata(annotations_license, stand_off=False)
    for key, value in rights.items():
        setattr(card.data, key, value)
    for info in card.data.to_dict().get("dataset_info") or []:
        size = sizes.get(info.get("config_name"), {})
        for split in info.get("splits", []):
            split["num_bytes"] = size.get("num_bytes", split.get("num_bytes"))
        info.update({k: size[k] for k in ("dataset_size", "download_size") if k in size})
        _replace_info(card, info)
    body = card.text
    head, _, rest = body.partition("## License\n")
    if _:
        after = rest.split("\n## ", 1)
        section = ["", *license_lines(annotations_license, False), "",
                   f"Texts attached with `goldkit attach` from the user's own copy (sha256 checked); both parts "
                   f"are in `{LICENSE_FILE}`.", ""]  # fmt: skip
        body = head + "## License\n" + "\n".join(section) + ("\n## " + after[1] if len(after) > 1 else "")
    body = body.replace(
        "- Text: not included (stand-off: offsets, sha256, source files)",
        "- Text: attached with `goldkit attach` from the user's own copy of the articles (each checked by sha256)",
    )
    card.text = body
    return str(card), render_license(annotations_license, False, version)


def _replace_info(card: Any, info: dict[str, Any]) -> None:
    infos = card.data.dataset_info
    if isinstance(infos, dict):
        card.data.dataset_info = info
        return
    card.data.dataset_info = [info if i.get("config_name") == info.get("config_name") else i for i in infos]


def alpha_lines(agreement: dict[str, Any]) -> list[str]:
    """Markdown: the α per attribute of a `goldkit agree --json` output, with its interval and how it was made."""
    rows = (agreement.get("results") or {}).get("attribute_alpha") or []
    method = agreement.get("alpha_interval_method")
    if not rows:
        return []

    def number(value: Any) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    level = f"{method['level']:.0%}" if method else "95%"
    lines = [f"| layer | attribute | α | {level} CI | pairable units |", "| --- | --- | ---: | ---: | ---: |"]
    for row in rows:
        interval = row.get("alpha_ci") or {}
        ci = f"{number(interval['low'])} … {number(interval['high'])}" if interval.get("low") is not None else "n/a"
        lines.append(f"| {row['layer']} | {row['attribute']} | {number(row['alpha'])} | {ci} | {row['pairable']} |")
    lines.append("")
    if method:
        lines += [
            f"α is Krippendorff's α (nominal) over the spans both annotators marked; the interval is a {level}"
            f" {method['method']} ({method['resamples']} resamples of the pairable units, seed {method['seed']};"
            f" none with fewer than {method['min_units']} pairable units). n/a: undefined (fewer than two values,"
            " or no variation).",
            "",
        ]
    return lines
