"""goldkit.release.tables: the column-wise tables hold exactly the rows goldkit.release_rows describes."""
# ruff: noqa: F811  (pytest fixtures imported from release_fixtures are redefined as arguments)

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from datasets import ClassLabel, List
from release_fixtures import FIXTURE, project  # noqa: F401

from goldkit.generate.features import config_features
from goldkit.jsonio import read_json, write_json
from goldkit.release.build import ReleaseOptions
from goldkit.release.rows import layer_rows, load_gold
from goldkit.release.tables import build_tables, config_names, to_table


def _drop_optional_keys(project: Path) -> None:
    """Leave out what the schema lets a record leave out: cue, evidence note, canonical."""
    for path in sorted((project / "annotations" / "gold").glob("*.json"))[:1]:
        record = read_json(path)
        for claim in record["claims"]:
            claim.pop("cue", None)
            claim["evidence"] = [{"kind": "document", "ref": record["document_id"]}]
        for entity in record["entities"]:
            entity.pop("canonical", None)
        write_json(path, record)


@pytest.mark.parametrize("keep_text", [True, False])
def test_mention_tables_equal_the_row_by_row_tables(project: Path, keep_text: bool) -> None:
    _drop_optional_keys(project)
    gold = load_gold(ReleaseOptions(annotations=FIXTURE / "pull"))
    tables = dict(build_tables(gold, keep_text))
    assert list(tables) == config_names(gold) == [*config_features()]
    features = config_features()
    for layer in ("entities", "events", "claims"):
        rows = [
            {"document_id": r["document_id"], "language": gold.documents[r["document_id"]]["language"]} | row
            for r in gold.records
            for row in layer_rows(r, keep_text)[layer]
        ]
        assert rows, layer
        assert tables[layer].equals(to_table(rows, features[layer]), check_metadata=True), layer
    claims = tables["claims"].to_pylist()
    assert any(c["cue"] is None for c in claims) and any(c["claimant_span"] is None for c in claims)
    assert any(c["evidence"] and c["evidence"][0]["note"] is None for c in claims)


@pytest.mark.parametrize("keep_text", [True, False])
def test_document_rows_are_the_documents_sorted_by_id(project: Path, keep_text: bool) -> None:
    gold = load_gold(ReleaseOptions())
    rows = dict(build_tables(gold, keep_text))["documents"].to_pylist()
    documents = [d for _, d in sorted(gold.documents.items())]
    assert [r["id"] for r in rows] == [d["id"] for d in documents]
    for row, document in zip(rows, documents, strict=True):
        assert row["text"] == (document["text"] if keep_text else None)
        assert [b["text"] for b in row["boilerplate"]] == [
            b["text"] if keep_text else None for b in document["boilerplate"]
        ]
        assert row["sha256"] == document["sha256"] and row["dateline"] == document.get("dateline")


def test_to_names_undoes_to_ids_at_every_depth(project: Path) -> None:
    from goldkit.release.tables import to_names

    gold = load_gold(ReleaseOptions(annotations=FIXTURE / "pull"))
    features = config_features()
    for config, table in build_tables(gold, keep_text=True):
        rows = table.to_pylist()
        for key, feature in features[config].items():
            names = to_names(table.column(key).combine_chunks(), feature).to_pylist()
            assert names == [_decoded(row[key], feature) for row in rows], (config, key)


def _decoded(value: Any, feature: Any) -> Any:
    """ClassLabel ids to names, one value at a time (the reference to_names must agree with)."""
    if value is None:
        return None
    if isinstance(feature, ClassLabel):
        return feature.int2str(value)
    if isinstance(feature, List):
        return [_decoded(v, feature.feature) for v in value]
    if isinstance(feature, dict):
        return {k: _decoded(value[k], sub) for k, sub in feature.items()}
    return value
