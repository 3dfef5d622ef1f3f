"""Who made the gold comes from the declared roster ([annotators] in goldkit.toml), never from words (#18)."""

from __future__ import annotations

from pathlib import Path

import pytest

from goldkit.config import Annotator, project_config, stamp_roster
from goldkit.errors import ConfigError
from goldkit.release.makers import annotations_creators, makers

ROSTER = """
[annotators."a@x.org"]
kind = "ai_assistant"
description = "AI assistant acting as annotator A, from the guidelines only"

[annotators."rev@x.org"]
kind = "person"
description = "a trained annotator who answered the review round"
"""


def test_the_roster_is_read_from_goldkit_toml(tmp_path: Path) -> None:
    (tmp_path / "goldkit.toml").write_text('[project]\nname = "t"\n' + ROSTER, encoding="utf-8")
    roster = project_config(tmp_path).annotators
    assert roster["a@x.org"] == Annotator(
        "a@x.org", "ai_assistant", "AI assistant acting as annotator A, from the guidelines only"
    )
    assert roster["a@x.org"].machine and not roster["rev@x.org"].machine


@pytest.mark.parametrize(
    "entry", ['kind = "robot"\ndescription = "x"', 'kind = "person"', 'kind = "person"\ndescription = " "']
)
def test_a_roster_entry_needs_a_known_kind_and_a_description(tmp_path: Path, entry: str) -> None:
    (tmp_path / "goldkit.toml").write_text(f'[annotators."a@x.org"]\n{entry}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="needs kind"):
        project_config(tmp_path)


def test_pull_stamps_the_roster_into_provenance_notes() -> None:
    roster = {"a@x.org": Annotator("a@x.org", "ai_assistant", "AI assistant acting as annotator A")}
    records = [{"provenance": {"annotator": "a@x.org", "method": "label_studio"}},
               {"provenance": {"annotator": "b@x.org", "method": "label_studio"}},
               {"provenance": {"annotator": "a@x.org", "method": "label_studio", "note": "kept"}}]  # fmt: skip
    assert stamp_roster(records, roster) == 1
    assert records[0]["provenance"]["note"] == "ai assistant: AI assistant acting as annotator A"
    assert "note" not in records[1]["provenance"] and records[2]["provenance"]["note"] == "kept"


def test_makers_and_creators_come_from_the_roster_not_from_words() -> None:
    roster = {"a@x.org": Annotator("a@x.org", "ai_assistant", "AI"), "rev@x.org": Annotator("rev@x.org", "person", "p")}
    reviewed = {
        "annotator": "rev@x.org",
        "method": "adjudicated",
        "strategy": "review",
        "annotators": ["a@x.org", "b@x.org"],
    }
    found = {m.account: m for m in makers([reviewed], roster)}
    assert (found["a@x.org"].kind, found["a@x.org"].roles) == ("ai_assistant", ("annotator",))
    assert (found["rev@x.org"].kind, found["rev@x.org"].roles) == ("person", ("reviewer",))
    assert found["b@x.org"].kind == "undeclared"
    assert annotations_creators(list(found.values())) == ["expert-generated", "machine-generated"]
    # a note that says "AI assistant" does not make an undeclared account a machine: only the roster does
    worded = {"annotator": "c@x.org", "method": "manual", "note": "written by an AI assistant"}
    assert annotations_creators(makers([worded], {})) == ["expert-generated"]
    assert annotations_creators(makers([worded], {"c@x.org": Annotator("c@x.org", "model", "m")})) == [
        "machine-generated"
    ]
    suggested = {"annotator": "rules", "method": "preannotation"}
    assert [m.kind for m in makers([suggested], {})] == ["model"]


def test_the_project_roster_declares_every_account_in_the_gold() -> None:
    """This repository's gold: both passes, the adjudicator and 1.0.0's author are declared AI assistants."""
    import json

    repo = Path(__file__).resolve().parents[2]
    roster = project_config(repo).annotators
    gold = [json.loads(p.read_text(encoding="utf-8")) for p in (repo / "annotations" / "gold").glob("*.json")]
    history = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in (repo / "annotations" / "history" / "1.0.0" / "gold").glob("*.json")
    ]
    found = makers([r["provenance"] for r in gold + history], roster)
    assert found and all(m.kind == "ai_assistant" for m in found), [(m.account, m.kind) for m in found]
