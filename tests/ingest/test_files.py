"""ingest against hostile files (issue #13): links, FIFOs, devices, growing files, encodings, escapes, merging."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from goldkit.cli import main as cli_main
from goldkit.errors import InputError
from goldkit.ingest.documents import ingest, merge_documents
from goldkit.ingest.files import safe

SEEDS = Path(__file__).resolve().parents[1] / "data" / "ingest_seeds" / "input"
EN_SEED = SEEDS / "000_a681de6f3d5f1a0d.txt"
AR_SEED = SEEDS / "003_5fb4ba3b4aa07823.txt"


@pytest.fixture(autouse=True)
def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    (tmp_path / "corpus").mkdir()
    shutil.copy(EN_SEED, tmp_path / "corpus" / "good.txt")
    return tmp_path


def _refused(paths: list[Path], **options: object) -> str:
    with pytest.raises(InputError) as caught:
        ingest(paths, **options)  # type: ignore[arg-type]
    return caught.value.message


def test_a_symlink_to_dev_zero_does_not_grow(tmp_path: Path) -> None:
    (tmp_path / "corpus" / "zero.txt").symlink_to("/dev/zero")
    message = _refused([tmp_path / "corpus"], max_bytes=10_000)
    assert "zero.txt: symlink to /dev/zero, outside the corpus" in message


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "corpus" / "big.txt"
    big.write_text("word " * 3000, encoding="utf-8")
    assert "15,000 bytes, over the limit of 10,000" in _refused([big], max_bytes=10_000)


def test_a_fifo_is_refused_at_once_never_read(tmp_path: Path) -> None:
    fifo = tmp_path / "corpus" / "pipe.txt"
    os.mkfifo(fifo)
    result: list[str] = []
    worker = threading.Thread(target=lambda: result.append(_refused([tmp_path / "corpus"])), daemon=True)
    worker.start()
    worker.join(120)  # generous: a hang is the failure, not slowness
    assert not worker.is_alive(), "ingest blocked on a FIFO"
    assert "pipe.txt: a named pipe (FIFO), not a regular file" in result[0]


def test_a_folder_named_like_an_article_and_a_broken_link_are_named(tmp_path: Path) -> None:
    (tmp_path / "corpus" / "sub.txt").mkdir()
    (tmp_path / "corpus" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    message = _refused([tmp_path / "corpus"])
    assert "sub.txt: a folder, not a regular file" in message
    assert "gone.txt: broken symlink" in message


def test_links_are_followed_only_inside_the_corpus_and_said_so(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    shutil.copy(AR_SEED, outside)
    (tmp_path / "corpus" / "away.txt").symlink_to(outside)
    assert "away.txt: symlink to" in _refused([tmp_path / "corpus"]) and "outside the corpus" in _refused(
        [tmp_path / "corpus"]
    )
    (tmp_path / "corpus" / "away.txt").unlink()
    (tmp_path / "corpus" / "archive").mkdir()
    shutil.move(outside, tmp_path / "corpus" / "archive" / "ar.txt")
    (tmp_path / "corpus" / "ar.txt").symlink_to(tmp_path / "corpus" / "archive" / "ar.txt")
    report = ingest([tmp_path / "corpus"])
    assert sorted(d["language"] for d in report.documents) == ["ar", "en"]
    assert any("symlink followed" in note and "inside the corpus" in note for note in report.notes)


def test_utf16_and_latin1_are_named_with_the_right_iconv(tmp_path: Path) -> None:
    text = EN_SEED.read_text(encoding="utf-8").replace("Kazakhstan", "Kazakhstán")
    (tmp_path / "corpus" / "wide.txt").write_bytes(text.encode("utf-16"))
    (tmp_path / "corpus" / "latin.txt").write_bytes(text.encode("latin-1", errors="replace"))
    (tmp_path / "corpus" / "arabic.txt").write_bytes(AR_SEED.read_text(encoding="utf-8").encode("cp1256", "replace"))
    message = _refused([tmp_path / "corpus"])
    lines = {line.split(": ", 1)[0].rsplit("/", 1)[-1]: line for line in message.splitlines()[1:]}
    assert "UTF-16" in lines["wide.txt"] and "iconv -f UTF-16 -t UTF-8" in lines["wide.txt"]
    assert "binary" not in lines["wide.txt"]
    assert "Latin-1" in lines["latin.txt"] and "iconv -f LATIN1" in lines["latin.txt"]
    assert "cp1256" not in lines["latin.txt"].lower()
    assert "Windows-1256" in lines["arabic.txt"] and "iconv -f CP1256" in lines["arabic.txt"]


def test_control_characters_never_reach_the_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = tmp_path / "corpus" / "\x1b[2Jevil\x07.txt"
    evil.write_bytes(b"")
    assert cli_main.main(["ingest"]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "\\x1b[2Jevil\\x07.txt" in err
    assert safe("a\u202eb\nc") == "a\\u202eb\\nc"


def test_an_article_title_with_escapes_is_printed_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = EN_SEED.read_text(encoding="utf-8")
    (tmp_path / "corpus" / "good.txt").write_text("\x1b]0;owned\x07 [bold]Headline[/bold]\n\n" + text, encoding="utf-8")
    assert cli_main.main(["ingest"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "[bold]Headline" in out


def test_ingesting_one_file_merges_into_the_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue #13: `goldkit ingest FILE` replaced the documents with that file alone (exit 0, no warning)."""
    shutil.copy(AR_SEED, tmp_path / "corpus" / "ar.txt")
    assert cli_main.main(["ingest"]) == 0
    capsys.readouterr()
    extra = tmp_path / "corpus" / "second.txt"
    extra.write_text(EN_SEED.read_text(encoding="utf-8").replace("Thursday", "Friday"), encoding="utf-8")
    assert cli_main.main(["ingest", str(extra), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["added"]) == 1 and len(report["kept"]) == 2 and report["removed"] == []
    documents = (tmp_path / "annotations" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(documents) == 3
    assert cli_main.main(["ingest", str(extra), "--replace", "--json"]) == 0
    replaced = json.loads(capsys.readouterr().out)
    assert len(replaced["removed"]) == 2  # said, never silent
    assert len((tmp_path / "annotations" / "documents.jsonl").read_text(encoding="utf-8").splitlines()) == 1


def test_a_changed_source_is_refused_not_replaced(tmp_path: Path) -> None:
    documents = ingest([tmp_path / "corpus"]).documents
    merge_documents(documents)
    before = (tmp_path / "annotations" / "documents.jsonl").read_bytes()
    (tmp_path / "corpus" / "good.txt").write_text(EN_SEED.read_text(encoding="utf-8") + "\nA new line.\n")
    with pytest.raises(InputError) as caught:
        merge_documents(ingest([tmp_path / "corpus"]).documents)
    assert "good.txt: changed since it was ingested" in caught.value.message and "--replace" in caught.value.hint
    assert (tmp_path / "annotations" / "documents.jsonl").read_bytes() == before
