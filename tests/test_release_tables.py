"""goldkit.release_tables: the column-wise tables hold exactly the rows goldkit.release_rows describes."""
# ruff: noqa: F811  (pytest fixtures imported from release_fixtures are redefined as arguments)

from __future__ import annotations

from pathlib import Path

import pytest
from release_fixtures import FIXTURE, project  # noqa: F401

from goldkit.features import config_features
from goldkit.jsonio import read_json, write_json
from goldkit.release import ReleaseOptions
from goldkit.release_rows import layer_rows, load_gold
from goldkit.release_tables import build_tables, config_names, to_table


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
