"""Link rounds: each server's newest link pull counts, servers combine by pair and annotator, never by LS ids.

The committed Gold 1.1.0 link round (annotations/pulls/links: two pulls of one server, projects 5 and 6) is
combined here with a second round made on a fresh server whose projects, tasks and annotations are numbered
again from the same numbers, and `goldkit adjudicate --links` is run through the real entry point.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from goldkit.cli.main import main
from goldkit.jsonio import iter_jsonl
from goldkit.links.candidates import MentionRef
from goldkit.links.rounds import answered_pairs, current_link_answers, ends, servers
from goldkit.links.tasks import pair_id

REPO = Path(__file__).resolve().parents[2]
LINK_PULLS = REPO / "annotations" / "pulls" / "links"
EN, AR = "000_a681de6f3d5f1a0d-2b33dde5", "003_5fb4ba3b4aa07823-31bdab38"
A, B, ADJ = "pass.a@goldkit.local", "pass.b@goldkit.local", "adjudicator@goldkit.local"
URL = "http://127.0.0.1:8391"  # the first round's server; the fresh one answers on the same address here
CLAIMS = "goldkit links · claim · ltr→rtl"


def _link(source: str, target: str, who: str, relation: str, task: int, annotation: int, project: int = 5) -> dict:
    return {
        "record_type": "link",
        "schema_version": "1.0.0",
        "id": pair_id("claim", MentionRef(EN, source), MentionRef(AR, target)),
        "relation": relation,
        "source": {"document_id": EN, "id": source},
        "target": {"document_id": AR, "id": target},
        "provenance": {
            "annotator": who,
            "method": "label_studio",
            "ls_project": project,
            "ls_task": task,
            "ls_annotation": annotation,
            "created_at": "2026-12-02T07:00:00Z",
        },
    }


def _pull(root: Path, pull_id: str, links: list[dict], projects: list[dict] | None) -> Path:
    """A link pull folder; `projects` (id, title, created_at) as goldkit now records them, None: an older manifest."""
    folder = root / pull_id
    folder.mkdir(parents=True)
    (folder / "links.jsonl").write_text("".join(json.dumps(lk) + "\n" for lk in links), encoding="utf-8")
    manifest: dict[str, Any] = {
        "pull_id": pull_id,
        "time": f"{pull_id[:4]}-{pull_id[4:6]}-{pull_id[6:8]}T{pull_id[9:11]}:{pull_id[11:13]}:{pull_id[13:15]}",
        "label_studio": {"url": URL},
        "projects": [{"project_id": p["id"], "title": p["title"]} for p in projects or [{"id": 5, "title": CLAIMS}]],
        "kind": "links",
    }
    if projects is not None:
        manifest["server"] = {"projects": projects}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_each_servers_newest_pull_counts_and_servers_combine_by_pair_not_by_label_studio_ids(tmp_path: Path) -> None:
    first = [_link("c1", "c1", A, "supports", 1, 1), _link("c1", "c1", B, "elaborates", 1, 2),
             _link("c2", "c2", A, "unrelated", 2, 3)]  # fmt: skip
    _pull(tmp_path, "20261202T002435Z", first, None)
    # the same server later: the adjudicator's third vote, and A's answer on task 2 deleted in Label Studio
    _pull(tmp_path, "20261202T002855Z", [*first[:2], _link("c1", "c1", ADJ, "supports", 1, 4)], None)
    # a fresh server: project 5 again (same title, same address), task 1 and annotations 1, 2 again, other pairs
    fresh = [{"id": 5, "title": CLAIMS, "created_at": "2026-12-02T06:00:00+00:00"}]
    second = [_link("c8", "c2", A, "contradicts", 1, 1), _link("c8", "c2", B, "contradicts", 1, 2)]
    _pull(tmp_path, "20261202T070000Z", second, fresh)

    rounds = current_link_answers(root=tmp_path)

    assert rounds.servers == [["20261202T002435Z", "20261202T002855Z"], ["20261202T070000Z"]]
    assert rounds.read == ["20261202T002855Z", "20261202T070000Z"]
    answers = {(lk["source"]["id"], lk["target"]["id"], lk["provenance"]["annotator"]): lk["relation"]
               for lk in rounds.links}  # fmt: skip
    assert answers == {
        ("c1", "c1", A): "supports", ("c1", "c1", B): "elaborates", ("c1", "c1", ADJ): "supports",
        ("c8", "c2", A): "contradicts", ("c8", "c2", B): "contradicts",
    }  # fmt: skip
    assert rounds.reanswered == []
    # the same (project, task, annotation) numbers name two different answers: both are kept
    numbered = [(lk["provenance"]["ls_task"], lk["provenance"]["ls_annotation"]) for lk in rounds.links]
    assert numbered.count((1, 1)) == 2


def test_a_pair_answered_again_on_a_later_server_counts_once_and_is_named(tmp_path: Path) -> None:
    _pull(tmp_path, "20261202T002435Z", [_link("c1", "c1", A, "supports", 1, 1)], None)
    later = [{"id": 1, "title": CLAIMS, "created_at": "2026-12-02T06:00:00+00:00"}]
    _pull(tmp_path, "20261202T070000Z", [_link("c1", "c1", A, "cannot_tell", 3, 7, project=1)], later)

    rounds = current_link_answers(root=tmp_path)

    assert [lk["relation"] for lk in rounds.links] == ["cannot_tell"]
    assert [(r["annotator"], r["before"], r["after"]) for r in rounds.reanswered] == [(A, "supports", "cannot_tell")]


def test_pulls_sharing_a_project_are_one_server_though_the_server_added_projects(tmp_path: Path) -> None:
    claims = {"id": 1, "title": CLAIMS, "created_at": "2026-12-02T06:00:00+00:00"}
    events = {"id": 2, "title": "goldkit links · event · ltr→rtl", "created_at": "2026-12-02T06:30:00+00:00"}
    older = _pull(tmp_path, "20261202T060000Z", [], [claims])
    newer = _pull(tmp_path, "20261202T070000Z", [], [claims, events])
    stranger = _pull(tmp_path, "20261202T080000Z", [], [{**claims, "created_at": "2026-12-02T07:59:00+00:00"}])
    assert servers([stranger, newer, older]) == [[older, newer], [stranger]]


FIRST_ROUND = sorted(p for p in LINK_PULLS.iterdir() if p.name.startswith("20261202T00"))  # port 8391, projects 5, 6


def test_the_committed_first_round_is_one_server_and_every_pair_it_answered_is_in_gold() -> None:
    rounds = current_link_answers(FIRST_ROUND)
    assert rounds.servers == [[p.name for p in FIRST_ROUND]] and rounds.read == [FIRST_ROUND[-1].name]
    gold = [lk for _, lk in iter_jsonl(REPO / "annotations" / "gold" / "links.jsonl")]
    first_round = {ends(lk) for lk in rounds.links}
    assert len(first_round) == 55 and {ends(lk) for lk in gold} >= first_round == answered_pairs([], rounds)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's annotations as the first link round left them (gold, documents, its two pulls)."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "annotations" / "gold", root / "annotations" / "gold")
    shutil.copy(REPO / "annotations" / "documents.jsonl", root / "annotations" / "documents.jsonl")
    for folder in FIRST_ROUND:
        shutil.copytree(folder, root / "annotations" / "pulls" / "links" / folder.name)
    asked = answered_pairs([], current_link_answers(FIRST_ROUND))
    gold_links = root / "annotations" / "gold" / "links.jsonl"  # the gold links as the first round left them
    kept = [line for line in gold_links.read_text(encoding="utf-8").splitlines() if ends(json.loads(line)) in asked]
    gold_links.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    monkeypatch.setenv("GOLDKIT_ROOT", str(root))
    return root


def _second_round(root: Path) -> list[dict]:
    """A fresh server's round: project 5 and task/annotation ids 1.. again, two pairs the first round never asked."""
    fresh = [{"id": 5, "title": CLAIMS, "created_at": "2026-12-02T06:00:00+00:00"}]
    answers = [_link("c8", "c2", A, "contradicts", 1, 1), _link("c8", "c2", B, "contradicts", 1, 2),
               _link("c28", "c2", A, "unrelated", 2, 3), _link("c28", "c2", B, "cannot_tell", 2, 4)]  # fmt: skip
    _pull(root / "annotations" / "pulls" / "links", "20261202T070000Z", answers, fresh)
    return answers


def _adjudicate(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code = main(["adjudicate", "--links", "--strategy", "majority", "--min-votes", "2", *args, "--json"])
    assert code == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_adjudicating_a_second_round_keeps_every_link_of_the_first(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    links_file = project / "annotations" / "gold" / "links.jsonl"
    before = links_file.read_text(encoding="utf-8").splitlines()
    assert len(before) == 55
    _second_round(project)

    result = _adjudicate(capsys)

    after = links_file.read_text(encoding="utf-8").splitlines()
    assert result["links_in_gold"] == 56 and set(before) < set(after)  # all 55 lines, byte for byte
    (new,) = [json.loads(line) for line in after if line not in before]
    assert (new["source"]["id"], new["target"]["id"], new["relation"]) == ("c8", "c2", "contradicts")
    assert new["provenance"]["annotators"] == [A, B]
    assert [(u["source"][1], u["target"][1], u["reason"]) for u in result["unresolved"]] == [("c28", "c2", "tie")]


def test_the_gold_links_are_rebuilt_from_both_rounds_pulls_alone(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # before: adjudicate --links read only the newest link pull, the fresh server's, and the first round's 55
    # answers were gone unless they were already in gold
    links_file = project / "annotations" / "gold" / "links.jsonl"
    committed = _without_version(links_file)
    links_file.unlink()
    _second_round(project)

    result = _adjudicate(capsys)

    rebuilt = _without_version(links_file)  # made now, under the schema in force, not the first round's
    assert result["links_in_gold"] == 56 and len(committed) == 55 and committed < rebuilt


def _without_version(path: Path) -> set[str]:
    return {json.dumps({k: v for k, v in lk.items() if k != "schema_version"}) for _, lk in iter_jsonl(path)}
