"""A project with a schema of its own — other event types and roles, one more claim attribute, a third
language — through the whole path.

init (en, ar, fr) → the schema edited (protests and elections instead of meetings, their own roles, a
`sourcing` attribute on claims, Arabic titles for them) → schema render → ingest of a dump in three
languages → push → one annotation per task through the API, made from goldkit records of the new labels →
pull → adjudicate → validate → release → load_dataset (the claims' `sourcing` a ClassLabel column), on the
session's real Label Studio. Nothing in the package names these labels.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from record_builders import SOURCING, author_claim, words_outside_furniture

from goldkit.cli.main import main

pytestmark = pytest.mark.integration

SEEDS = Path(__file__).resolve().parent / "data" / "ingest_seeds" / "input"
FR_TEXT = (
    "PARIS – Des milliers de manifestants ont défilé samedi dans le centre de la capitale.\n\n"
    "Le syndicat a organisé la manifestation pour protester contre la réforme des retraites, "
    "a déclaré son porte-parole Jean Martin.\n"
)
EVENT_TYPES = [
    {"const": "protest", "title": "Protest", "description": "People demonstrate for or against something.",
     "x-roles": ["organizer", "place"]},
    {"const": "election", "title": "Election", "description": "A vote chooses someone for an office.",
     "x-roles": ["candidate", "place"]},
]  # fmt: skip
ROLES = [
    {"const": "organizer", "title": "Organizer", "description": "Who called or led it."},
    {"const": "candidate", "title": "Candidate", "description": "Who stands for the office."},
    {"const": "place", "title": "Place", "description": "Where it happens."},
]
ARABIC = {
    "$defs/Sourcing": {"title": "الإسناد", "description": "إلى من يُسند الادعاء كما تسمّيه المقالة."},
    "$defs/Sourcing/named": {"title": "مسمّى", "description": "شخص أو جهة تسمّيها المقالة."},
    "$defs/Sourcing/anonymous": {"title": "مجهول", "description": "«مسؤولون»، «مصادر»، «خبراء»."},
    "$defs/EventType/protest": {"title": "احتجاج", "description": "يتظاهر الناس تأييداً لشيء أو رفضاً له."},
    "$defs/EventType/election": {"title": "انتخابات", "description": "تصويت يختار شخصاً لمنصب."},
    "$defs/ArgumentRole/organizer": {"title": "المنظِّم", "description": "من دعا إليه أو قاده."},
    "$defs/ArgumentRole/candidate": {"title": "المرشَّح", "description": "من يترشّح للمنصب."},
    "$defs/ArgumentRole/place": {"title": "المكان", "description": "أين يحدث."},
    "$defs/Language/fr": {"title": "الفرنسية", "description": "مقالات بالفرنسية."},
}


def _own_schema(project: Path) -> None:
    path = project / "schema" / "goldkit.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["$defs"]["EventType"]["oneOf"] = EVENT_TYPES
    schema["$defs"]["ArgumentRole"]["oneOf"] = ROLES
    schema["$defs"]["Sourcing"] = SOURCING  # one more claim attribute: the schema only, nothing in the package
    schema["$defs"]["Claim"]["properties"]["sourcing"] = {"$ref": "#/$defs/Sourcing"}
    schema["$defs"]["Claim"]["required"].append("sourcing")
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    l10n_path = project / "schema" / "goldkit.l10n.json"
    l10n = json.loads(l10n_path.read_text(encoding="utf-8"))
    kept = {k: v for k, v in l10n["ar"].items() if not k.startswith(("$defs/EventType/", "$defs/ArgumentRole/"))}
    assert not any(k.startswith("$defs/Sourcing") for k in kept)
    l10n["ar"] = {**kept, **ARABIC}
    l10n_path.write_text(json.dumps(l10n, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _record(document: dict[str, Any]) -> dict[str, Any]:
    """An annotation of the new labels: the first word after the furniture organizes a protest on the second,
    and the third is a claim about it, sourced to a named source."""
    from goldkit.schema.loading import label_values

    words = words_outside_furniture(document, 3)
    return {
        "record_type": "annotation",
        "schema_version": "1.1.0",
        "document_id": document["id"],
        "document_sha256": document["sha256"],
        "provenance": {"annotator": "tester", "method": "manual"},
        "entities": [{"id": "e1", "span": words[0], "type": "person", "canonical": None}],
        "events": [
            {
                "id": "v1",
                "type": "protest",
                "trigger": words[1],
                "realis": label_values("Realis")[0],
                "polarity": label_values("Polarity")[0],
                "arguments": [{"role": "organizer", "entity": "e1"}],
            }
        ],  # fmt: skip
        "claims": [{**author_claim("c1", words[2], "v1"), "sourcing": "named"}],
    }


def _annotate(url: str, api_key: str, prefix: str, documents: list[dict[str, Any]]) -> int:
    from goldkit.labelstudio import client as lsclient
    from goldkit.labelstudio.convert import record_to_results

    client = lsclient.connect(url, api_key)
    by_id = {d["id"]: d for d in documents}
    titles = {f"{prefix} · {language}" for language in ("en", "ar", "fr")}
    made = 0
    for project in client.projects.list():
        if project.title in titles:
            for task in client.tasks.list(project=project.id):
                results = record_to_results(_record(by_id[task.data["doc_id"]]))
                client.annotations.create(id=task.id, result=results, lead_time=1)
                made += 1
    return made


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    assert main([*args, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_a_schema_of_its_own_goes_from_push_to_load_dataset(  # type: ignore[no-untyped-def]
    ls_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import datasets

    project = tmp_path / "protests"
    assert main(["init", str(project), "--languages", "en,ar,fr"]) == 0
    capsys.readouterr()
    monkeypatch.chdir(project)  # as a user works: inside the project, relative paths its own
    monkeypatch.setenv("GOLDKIT_ROOT", str(project))
    monkeypatch.setenv("LABEL_STUDIO_URL", ls_server.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server.api_key)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    _own_schema(project)
    assert main(["schema", "render"]) == 0
    capsys.readouterr()
    arabic = (project / "schema" / "labelstudio.ar.xml").read_text(encoding="utf-8")
    assert 'value="protest" html="احتجاج"' in arabic and 'value="meeting"' not in arabic
    assert 'value="organizer"' in (project / "schema" / "labelstudio.fr.xml").read_text(encoding="utf-8")
    assert '<Choices name="sourcing"' in arabic and 'value="named" html="مسمّى"' in arabic
    assert "Sourcing" in (project / "schema" / "GUIDELINES.md").read_text(encoding="utf-8")

    rows = [
        {"id": "riyadh-en", "text": (SEEDS / "000_a681de6f3d5f1a0d.txt").read_text(encoding="utf-8"), "lang": "en"},
        {"id": "riyadh-ar", "text": (SEEDS / "003_5fb4ba3b4aa07823.txt").read_text(encoding="utf-8"), "lang": "ar"},
        {"id": "paris-fr", "text": FR_TEXT, "lang": "fr"},
    ]
    dump = project / "corpus" / "dump.jsonl"
    dump.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    ingested = _json(capsys, "ingest", "--id-field", "id", "--language-field", "lang")
    documents = ingested["documents"]
    assert sorted(d["language"] for d in documents) == ["ar", "en", "fr"]

    prefix = f"own-{uuid.uuid4().hex[:6]}"
    pushed = _json(capsys, "push", "--project-prefix", prefix)
    assert sorted(p["title"] for p in pushed["projects"]) == sorted(f"{prefix} · {x}" for x in ("ar", "en", "fr"))
    assert _annotate(ls_server.url, ls_server.api_key, prefix, documents) == 3
    pulled = _json(capsys, "pull", "--project-prefix", prefix)
    assert pulled["counts"]["valid"] == 3 and pulled["counts"]["quarantined"] == 0, pulled
    assert main(["adjudicate", "--strategy", "single"]) == 0
    assert main(["validate", "annotations/gold/"]) == 0
    assert main(["release", "1.0.0"]) == 0
    capsys.readouterr()

    release = str(project / "export" / "1.0.0")
    assert not (Path(__file__).resolve().parents[1] / "export" / "1.0.0" / "events" / "protests").exists()
    events = datasets.load_dataset(release, "events", split="test", cache_dir=str(tmp_path / "cache"))
    assert events.features["type"].names == ["protest", "election"]
    assert sorted(events.features["type"].int2str(t) for t in events["type"]) == ["protest"] * 3
    roles = [argument["role"] for row in events["arguments"] for argument in row]
    assert roles and {events.features["arguments"].feature["role"].int2str(r) for r in roles} == {"organizer"}
    claims = datasets.load_dataset(release, "claims", split="test", cache_dir=str(tmp_path / "cache"))
    assert claims.features["sourcing"].names == ["named", "anonymous"]
    assert [claims.features["sourcing"].int2str(v) for v in claims["sourcing"]] == ["named"] * 3
    loaded = datasets.load_dataset(release, "documents", split="test", cache_dir=str(tmp_path / "cache"))
    assert sorted(loaded["id"]) == sorted(d["id"] for d in documents)
    assert loaded.features["language"].names == ["en", "ar", "fr"]
