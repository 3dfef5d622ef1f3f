"""goldkit submit: an annotation pass made outside Label Studio becomes that account's annotations (#18)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from goldkit.errors import ConfigError, ValidationError
from goldkit.jsonio import iter_jsonl
from goldkit.labelstudio import server
from goldkit.labelstudio.submit import account_token, submit

REPO = Path(__file__).resolve().parents[2]
HISTORY = REPO / "annotations" / "history" / "1.0.0"


def _documents() -> dict[str, dict[str, Any]]:
    return {d["id"]: d for _, d in iter_jsonl(HISTORY / "documents.jsonl")}


def _gold() -> list[tuple[str, Any]]:
    return [(str(p), json.loads(p.read_text(encoding="utf-8"))) for p in sorted((HISTORY / "gold").glob("*.json"))]


def test_nothing_is_submitted_when_a_record_is_bad() -> None:
    (first, good), (second, other) = _gold()
    broken = json.loads(json.dumps(other))
    broken["entities"][0]["span"]["end"] += 1  # its text no longer slices the document
    with pytest.raises(ValidationError) as caught:  # raised before any connection is made
        submit([(first, good), (second, broken)], "a@x.org", _documents(), url="http://127.0.0.1:9")
    assert [p.pointer for p in caught.value.problems] == ["/entities/0/span/text"]
    unknown = json.loads(json.dumps(good)) | {"document_id": "nope"}
    with pytest.raises(ValidationError, match="nothing was submitted"):
        submit([(first, unknown)], "a@x.org", _documents(), url="http://127.0.0.1:9")


def test_an_account_goldkit_did_not_create_has_no_token(tmp_path: Path) -> None:
    paths = server.ServerPaths(tmp_path, tmp_path / "venv")
    server.save_credentials(paths, server.Credentials(server.Account("admin@x.org", "pw", "t" * 40)))
    with pytest.raises(ConfigError, match="no API token for a@x.org") as caught:
        account_token("a@x.org", paths)
    assert caught.value.hint == "create the account first with: goldkit server add-user a@x.org"


@pytest.mark.integration
def test_a_pass_submitted_as_its_account_pulls_back_as_its_records(
    ls_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from goldkit.pull import pull
    from goldkit.push import push

    root = tmp_path / "project"
    shutil.copytree(REPO / "schema", root / "schema")
    (root / "annotations").mkdir(parents=True)
    shutil.copy(HISTORY / "documents.jsonl", root / "annotations" / "documents.jsonl")
    monkeypatch.setenv("GOLDKIT_ROOT", str(root))
    monkeypatch.setenv("LABEL_STUDIO_URL", ls_server.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server.api_key)
    prefix = f"submit-{tmp_path.name[-6:]}"
    annotator = ls_server.annotators[0]
    roster = (
        f'[annotators."{annotator.email}"]\nkind = "ai_assistant"\ndescription = "AI assistant acting as annotator A"\n'
    )
    (root / "goldkit.toml").write_text(roster, encoding="utf-8")
    push(list(_documents().values()), project_prefix=prefix, overlap=2)
    records = _gold()
    made = submit(records, annotator.email, _documents(), project_prefix=prefix, token=annotator.token)
    assert sorted(made.submitted) == sorted(r["document_id"] for _, r in records) and made.already_there == {}
    again = submit(records, annotator.email, _documents(), project_prefix=prefix, token=annotator.token)
    assert again.submitted == {} and again.already_there == {d: [a] for d, a in made.submitted.items()}
    pulled = pull(out_root=tmp_path / "pulls", project_prefix=prefix)
    back = {r["document_id"]: r for _, r in iter_jsonl(pulled.folder / "records.jsonl")}
    for _, record in records:
        mine = back[record["document_id"]]
        assert mine["provenance"]["annotator"] == annotator.email
        assert (
            mine["provenance"]["note"] == "ai assistant: AI assistant acting as annotator A"
        )  # pull stamped the roster
        for layer in ("entities", "events", "claims"):  # the pass's own ids, as region ids
            assert [x["id"] for x in mine[layer]] == [x["id"] for x in record[layer]]
