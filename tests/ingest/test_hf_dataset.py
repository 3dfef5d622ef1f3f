"""ingest of Hugging Face dataset folders (save_to_disk, and Parquet/JSONL with a card as the Hub lays them out)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import datasets
import pytest
from record_builders import EN_SEED, seed_dump_rows

from goldkit.cli import main as cli_main
from goldkit.errors import InputError
from goldkit.ingest.documents import ingest
from goldkit.schema.validate import validate_record

DATA = Path(__file__).resolve().parents[1] / "data"
MAP = ["--text-field", "body", "--id-field", "guid", "--title-field", "headline", "--date-field", "when",
       "--url-field", "link", "--language-field", "lang"]  # fmt: skip
CARD = """---
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*.parquet
  - split: test
    path: data/test-*.parquet
---
# A news dump laid out as on the Hub
"""


@pytest.fixture(autouse=True)
def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # where a stray cache write would land
    (tmp_path / "corpus").mkdir()
    return tmp_path / "corpus"


def _ingested(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, dict[str, Any]]:
    assert cli_main.main(["ingest", *MAP, "--json", *args]) == 0
    return {d["id"].rsplit("-", 1)[0]: d for d in json.loads(capsys.readouterr().out)["documents"]}


def _check(documents: dict[str, dict[str, Any]], folder: str, records: dict[str, str]) -> None:
    assert set(documents) == {"en-1", "ar-1"}
    english, arabic = documents["en-1"], documents["ar-1"]
    assert english["text"] == EN_SEED.read_text(encoding="utf-8") and arabic["language"] == "ar"
    assert english["title"] == "Security cooperation" and english["published"] == "2025-12-18"
    assert arabic["source"]["url"] == "https://example.org/ar-1"
    for key, document in documents.items():
        assert document["source"]["format"] == "dataset" and document["source_file"] == folder
        assert document["source"]["record"] == records[key]
        assert validate_record(document) == []


def test_a_dataset_saved_to_disk_is_read_row_by_row(
    _project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    datasets.Dataset.from_list(seed_dump_rows()).save_to_disk(str(_project / "news-saved"))
    documents = _ingested(capsys)
    _check(documents, "news-saved", {"en-1": "row 1", "ar-1": "row 2"})
    # the row's sha256 is of the row as read, so the same row gives the same source hash
    again = _ingested(capsys, str(_project / "news-saved"))
    assert again["en-1"]["source"]["sha256"] == documents["en-1"]["source"]["sha256"]
    assert not (tmp_path / "hf-home").exists()


def test_every_split_of_a_saved_dataset_dict(_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    english, arabic = seed_dump_rows()
    splits = {"train": datasets.Dataset.from_list([english]), "test": datasets.Dataset.from_list([arabic])}
    datasets.DatasetDict(splits).save_to_disk(str(_project / "news-splits"))
    _check(_ingested(capsys), "news-splits", {"en-1": "train row 1", "ar-1": "test row 2"})


def test_parquet_with_a_card_as_the_hub_lays_it_out(
    _project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _project / "news-hub"
    (folder / "data").mkdir(parents=True)
    (folder / "README.md").write_text(CARD, encoding="utf-8")
    english, arabic = seed_dump_rows()
    datasets.Dataset.from_list([english]).to_parquet(str(folder / "data" / "train-00000-of-00001.parquet"))
    datasets.Dataset.from_list([arabic]).to_parquet(str(folder / "data" / "test-00000-of-00001.parquet"))
    _check(_ingested(capsys), "news-hub", {"en-1": "train row 1", "ar-1": "test row 2"})
    assert not (tmp_path / "hf-home").exists()  # loaded with a throw-away cache, the Hub offline
    # the folder's own data files are read through datasets, once, not also as loose dumps
    report = ingest([folder], fields={"text": "body", "id": "guid"})
    assert [d["source"]["format"] for d in report.documents] == ["dataset", "dataset"]


def test_jsonl_files_named_by_split_with_a_card(_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _project / "news-wire"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: cc-by-4.0\n---\n# Wire copy\n", encoding="utf-8")
    english, arabic = seed_dump_rows()
    (folder / "train.jsonl").write_text(json.dumps(english, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "test.jsonl").write_text(json.dumps(arabic, ensure_ascii=False) + "\n", encoding="utf-8")
    records = {d: r["source"]["record"] for d, r in _ingested(capsys).items()}
    # each row is named by the split its file gave it (datasets decides the order of the splits)
    assert records["en-1"].startswith("train row ") and records["ar-1"].startswith("test row ")
    assert sorted(int(r.rsplit(" ", 1)[1]) for r in records.values()) == [1, 2]


def test_the_field_map_errors_name_the_folder_and_the_row(_project: Path) -> None:
    rows = seed_dump_rows()
    rows[1]["body"] = ""
    datasets.Dataset.from_list(rows).save_to_disk(str(_project / "news-bad"))
    with pytest.raises(InputError) as caught:
        ingest([_project / "news-bad"], fields={"text": "body", "id": "guid"})
    assert f"{_project / 'news-bad'}: row 2: text field 'body' is str" in caught.value.message


def test_a_broken_saved_dataset_is_one_clear_problem(_project: Path) -> None:
    folder = _project / "news-broken"
    datasets.Dataset.from_list(seed_dump_rows()).save_to_disk(str(folder))
    for arrow in folder.glob("*.arrow"):
        arrow.write_bytes(b"not arrow")
    with pytest.raises(InputError) as caught:
        ingest([folder])
    assert f"{folder}: not a dataset datasets can read" in caught.value.message
