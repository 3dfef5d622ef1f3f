"""The card's metadata checked offline against the Hub's YAML rules, and its rights, sources, sizes, citation.

The Hub validates card metadata on upload (`DatasetCard.validate()` posts it to the Hub: not possible here).
The rules that need no network are checked instead: known values from the lists `datasets` ships
(datasets/utils/resources: languages, size categories, multilinguality, creators), the Hub's license rules
(a known license id, or `other` with a `license_name` slug and a `license_link` to a file of the repo —
huggingface.co/docs/hub/repositories-licenses), `configs` whose data files exist, and `dataset_info`
that `datasets` reads back into the release's Features with the split sizes it would compute.
"""
# ruff: noqa: F811

from __future__ import annotations

import json
import re
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard, DatasetCardData
from release_fixtures import FIXTURE, load, project  # noqa: F401

from goldkit.generate.features import config_features
from goldkit.paths import release_config_files
from goldkit.release.build import ReleaseOptions, build_release

RESOURCES = Path(datasets.__file__).parent / "utils" / "resources"
# The Hub's license identifiers (huggingface.co/docs/hub/repositories-licenses), the ones a goldkit card may use.
HUB_LICENSES = {
    "apache-2.0", "mit", "cc0-1.0", "cc-by-2.0", "cc-by-3.0", "cc-by-4.0", "cc-by-sa-3.0", "cc-by-sa-4.0",
    "cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nc-nd-4.0", "cc-by-nd-4.0", "odc-by", "odbl", "pddl", "unknown", "other",
}  # fmt: skip
SLUG = re.compile(r"^[a-z0-9][a-z0-9.-]*$")


def _resource(name: str) -> dict:
    return json.loads((RESOURCES / name).read_text(encoding="utf-8"))


def hub_problems(data: DatasetCardData, release: Path) -> list[str]:
    """Every rule of the Hub's dataset-card YAML that can be checked offline, as a list of problems."""
    d = data.to_dict()
    problems = []
    if d.get("license") not in HUB_LICENSES:
        problems.append(f"license {d.get('license')!r} is not a Hub license id")
    if d.get("license") == "other":
        if not SLUG.match(str(d.get("license_name", ""))):
            problems.append(f"license other needs a license_name slug, got {d.get('license_name')!r}")
        link = str(d.get("license_link", ""))
        if not (link.startswith("https://") or (release / link).is_file()):
            problems.append(f"license_link {link!r} is neither a URL nor a file of the release")
    problems += [
        f"unknown language {lang!r}" for lang in d.get("language", []) if lang not in _resource("languages.json")
    ]
    problems += [
        f"unknown size category {c!r}"
        for c in d.get("size_categories", [])
        if c not in _resource("size_categories.json")
    ]
    if d.get("multilinguality") not in _resource("multilingualities.json"):
        problems.append(f"unknown multilinguality {d.get('multilinguality')!r}")
    creators = _resource("creators.json")
    problems += [
        f"unknown annotations_creators {c!r}"
        for c in d.get("annotations_creators", [])
        if c not in creators["annotations"]
    ]
    problems += [
        f"unknown language_creators {c!r}" for c in d.get("language_creators", []) if c not in creators["language"]
    ]
    for name, config in MetadataConfigs.from_dataset_card_data(data).items():
        for files in config["data_files"]:
            if not [path for path in release.glob(files["path"]) if path.is_file()]:  # a file, or a glob of shards
                problems.append(f"config {name}: data file {files['path']} does not exist")
    return problems


@pytest.mark.parametrize("no_text", [False, True])
def test_card_metadata_passes_the_hubs_offline_rules(project, no_text):
    report = build_release("1.0.0", ReleaseOptions(annotations=FIXTURE / "pull", no_text=no_text))
    card = DatasetCard((report.path / "README.md").read_text(encoding="utf-8"))
    assert hub_problems(card.data, report.path) == []
    infos = DatasetInfosDict.from_dataset_card_data(card.data)
    assert {c: i.features for c, i in infos.items()} == config_features()


def test_hub_rules_catch_what_they_should(project, tmp_path):
    bad = DatasetCardData(license="cc-by-4.0-ish", language=["english"], size_categories=["tiny"], multilinguality="x")
    bad.license_name = "Bad Name"
    problems = hub_problems(bad, tmp_path)
    assert len(problems) == 4 and any("license" in p for p in problems) and any("english" in p for p in problems)
    other = DatasetCardData(license="other", multilinguality="monolingual")
    other.license_name, other.license_link = "Not A Slug", "MISSING.md"
    assert len(hub_problems(other, tmp_path)) == 2


def test_sizes_are_measured_and_every_config_still_loads(project):
    report = build_release("1.0.0", ReleaseOptions(annotations=FIXTURE / "pull"))
    infos = DatasetInfosDict.from_dataset_card_data(DatasetCard((report.path / "README.md").read_text()).data)
    for config, info in infos.items():
        (path,) = release_config_files(report.path, config, "test")  # a small release: one shard per config
        table = pq.read_table(path)
        assert info.splits["test"].num_bytes == table.nbytes > 0, config
        assert info.dataset_size == table.nbytes and info.download_size == path.stat().st_size, config
        dataset = load(report.path, config)
        assert dataset.num_rows == table.num_rows == info.splits["test"].num_examples
        # datasets holds its own Arrow copy (other list field names, buffer layout): close, not equal
        # (measured on the annotations config: 3,383 bytes in datasets vs 3,414 read back with pyarrow)
        assert abs(dataset.data.nbytes - table.nbytes) <= 0.05 * table.nbytes, config


def test_license_file_sources_citation_scoring_and_no_invented_tag(project):
    report = build_release("1.0.0", ReleaseOptions())
    text = (report.path / "README.md").read_text(encoding="utf-8")
    assert "git tag" not in text and "no git or Hub tag exists" in text
    assert 'revision="v1.0.0"' not in text.split("```python", 1)[1].split("```", 1)[0].split("# not on the Hub")[0]
    license_md = (report.path / "LICENSE.md").read_text(encoding="utf-8")
    assert "`cc-by-4.0`" in license_md and "belong to their" in license_md
    assert "LICENSE.md" in (report.path / "SHA256SUMS").read_text()
    documents = text.split("## Documents", 1)[1].split("\n## ", 1)[0]
    assert "| source URL | publisher |" in documents and "Unknown for every document: url, publisher" in documents
    citation = text.split("## Citation", 1)[1].split("\n## ", 1)[0]
    bibtex = citation.split("```bibtex", 1)[1].split("```", 1)[0].strip()
    assert bibtex.startswith("@misc{goldkit_news_events_claims_v1_0_0,") and bibtex.count("{") == bibtex.count("}")
    assert "version = {1.0.0}" in bibtex and "year = {2026}" in bibtex
    assert "goldkit evaluate predictions.jsonl --release export/1.0.0" in text


def test_a_published_release_names_its_tag(project):
    report = build_release("1.0.0", ReleaseOptions(repo_id="org/news"))
    text = (report.path / "README.md").read_text(encoding="utf-8")
    assert "tag `v1.0.0` on the Hub repository `org/news`" in text
    assert 'load_dataset("org/news", "claims", revision="v1.0.0", split="test")' in text
    assert "\\url{https://huggingface.co/datasets/org/news}" in text


def test_an_attached_copy_says_the_texts_are_the_publishers(project, tmp_path, cli=None):
    from goldkit.cli.main import main
    from goldkit.release.build import verify_checksums

    standoff = build_release("1.0.0", ReleaseOptions(no_text=True, annotations=FIXTURE / "pull"))
    before = DatasetCard((standoff.path / "README.md").read_text(encoding="utf-8"))
    assert before.data.license == "cc-by-4.0"
    out = tmp_path / "attached"
    assert main(["attach", "1.0.0", "--corpus", str(project / "corpus"), "--out", str(out)]) == 0
    after = DatasetCard((out / "README.md").read_text(encoding="utf-8"))
    assert (after.data.license, after.data.license_link) == ("other", "LICENSE.md")
    assert hub_problems(after.data, out) == []
    assert "belong to their publishers" in (out / "LICENSE.md").read_text(encoding="utf-8")
    assert "Text: attached with `goldkit attach`" in after.text and "not in this release" not in after.text
    infos = DatasetInfosDict.from_dataset_card_data(after.data)
    for config, info in infos.items():
        (path,) = release_config_files(out, config, "test")
        assert info.splits["test"].num_bytes == pq.read_table(path).nbytes, config
    documents = DatasetInfosDict.from_dataset_card_data(before.data)["documents"].splits["test"].num_bytes
    assert infos["documents"].splits["test"].num_bytes > documents  # the texts are in now
    assert verify_checksums(out) == []
    assert load(out, "documents")["text"][0]
