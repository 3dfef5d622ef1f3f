"""The dataset card: YAML the Hub's card tools parse back, a body read honestly from the inputs."""
# ruff: noqa: F811  (pytest fixtures imported from release_fixtures are redefined as arguments)

from __future__ import annotations

from pathlib import Path

from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard, DatasetCardData
from release_fixtures import AR, EN, FIXTURE, project  # noqa: F401

from goldkit.generate.features import config_features
from goldkit.jsonio import read_json, write_json
from goldkit.release.build import ReleaseOptions, build_release
from goldkit.schema.loading import labels, schema_version


def _card(project: Path, **options) -> str:  # type: ignore[no-untyped-def]
    report = build_release("1.0.0", ReleaseOptions(**options))
    return (report.path / "README.md").read_text(encoding="utf-8")


def test_card_metadata_round_trips_through_huggingface_hub(project: Path) -> None:
    text = _card(project, annotations=FIXTURE / "pull")
    card = DatasetCard(text)
    data = card.data
    assert data.language == ["en", "ar"]
    assert (data.license, data.license_name, data.license_link) == (
        "other",
        "cc-by-4.0-annotations-publishers-texts",
        "LICENSE.md",
    )  # texts included: the publishers' rights too
    assert data.task_categories == ["token-classification", "text-classification"]
    assert data.size_categories == ["n<1K"] and data.pretty_name
    again = DatasetCardData(**data.to_dict())
    assert again.to_yaml() == data.to_yaml()
    assert DatasetCard(str(card)).data.to_dict() == data.to_dict()


def test_card_configs_and_features_are_what_load_dataset_reads(project: Path) -> None:
    data = DatasetCard(_card(project, annotations=FIXTURE / "pull")).data
    configs = MetadataConfigs.from_dataset_card_data(data)
    features = config_features()
    assert set(configs) == set(features)
    # layout 2: every shard of the config's split, by the Hub's own glob (a 1.0.0 card names claims/test.parquet)
    assert configs["claims"]["data_files"] == [{"split": "test", "path": "data/claims/test-*-of-*.parquet"}]
    assert configs["claims"].get("default") is True
    infos = DatasetInfosDict.from_dataset_card_data(data)
    for config, expected in features.items():
        assert infos[config].features == expected, config
    assert infos["claims"].splits["test"].num_examples == 3


def test_card_says_single_annotator_not_adjudicated_when_provenance_says_so(project: Path) -> None:
    text = _card(project)
    assert "**Single annotator, not adjudicated.**" in text
    assert "> single annotator, an AI assistant, not adjudicated (5 record(s))" in text
    assert "- `manual`: 5 record(s)" in text
    assert "None: the gold has one annotator" in text
    assert "**Adjudicated.**" not in text
    assert "goldkit.local" not in text  # the account is a pseudonym in the card too


def test_card_reports_adjudication_and_agreement_from_provenance(project: Path) -> None:
    for doc_id in (EN, AR):
        path = project / "annotations" / "gold" / f"{doc_id}.json"
        record = read_json(path)
        record["provenance"] = {
            "annotator": "gold",
            "method": "adjudicated",
            "annotators": ["zoe@example.org", "adam@example.org"],
            "strategy": "majority",
        }
        write_json(path, record)
    text = _card(project, agreement=FIXTURE / "agreement.json")
    assert "**Adjudicated.** 2 of 5 gold records and links were adjudicated" in text
    assert "`majority` (2)" in text
    assert "| metrics.verdict_alpha | 0.61 |" in text
    assert "Single annotator" not in text


def test_card_defines_every_label_from_the_schema_and_counts_them(project: Path) -> None:
    text = _card(project)
    for label in labels("EntityType") + labels("Verdict") + labels("LinkRelation"):
        assert f"| `{label.value}` | {label.title} | {label.description} |" in text
    counts = text[text.index("**entities.type**") :]
    assert "| `gpe` | 2 | 1 | 3 |" in counts
    assert "| `person` | 2 | 2 | 4 |" in counts


def test_card_states_license_split_loading_and_history(project: Path) -> None:
    text = _card(project, no_text=True, repo_id="org/news")
    assert 'load_dataset("org/news", "claims", revision="v1.0.0", split="test")' in text
    assert "**Annotations** (labels, offsets, links, everything goldkit made): `cc-by-4.0`." in text
    assert "**Article texts**: not in this release" in text
    assert DatasetCard(text).data.license == "cc-by-4.0"  # stand-off: annotations only
    assert "one split, `test`" in text
    assert f"| v1.0.0 | 2026-03-02 | {schema_version()} | 2 | 3 |" in text
    assert "goldkit attach" in text


def test_card_lists_the_documents_and_how_many_stories_and_event_clusters(project: Path) -> None:
    text = _card(project)
    documents = text.split("## Documents", 1)[1].split("##", 1)[0]
    assert f"`{EN}` | en" in documents and f"`{AR}` | ar" in documents
    limitations = text.split("## Limitations", 1)[1].split("##", 1)[0]
    assert "The 2 documents tell 1 story" in limitations
    assert "cross-document event cluster(s)" in limitations


def test_card_shows_alpha_with_its_interval_from_agree_output(project: Path, tmp_path: Path) -> None:
    from goldkit.agreement.spans import agree, build_study
    from goldkit.jsonio import iter_jsonl

    records = [record for _, record in iter_jsonl(FIXTURE / "pull" / "records.jsonl")]
    report = agree(build_study(records)).to_dict()
    write_json(tmp_path / "agreement.json", report)
    text = _card(project, agreement=tmp_path / "agreement.json")
    rows = [r for r in report["results"]["attribute_alpha"]]
    assert "| layer | attribute | α | 95% CI | pairable units |" in text
    for row in rows:
        line = next(line for line in text.splitlines() if line.startswith(f"| {row['layer']} | {row['attribute']} |"))
        ci = row["alpha_ci"]
        if ci and ci["low"] is not None:
            assert f"{ci['low']:.3f} … {ci['high']:.3f}" in line
        else:
            assert line.endswith(f"| n/a | {row['pairable']} |")
    assert "percentile bootstrap over units (1000 resamples of the pairable units, seed 0" in text
    assert "results.span_f1" not in text  # agree output is not dumped number by number
