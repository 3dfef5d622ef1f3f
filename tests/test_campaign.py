"""The whole annotation campaign on a real Label Studio: the spine every change keeps green (issue #12).

A temporary copy of the project (GOLDKIT_ROOT, its own git repository) holds the two seed articles and
eight articles made here (four English, four Arabic). Three annotators work through the API with planned
agreements and disagreements; every goldkit step runs through the real CLI entry point. At each step the
counts reconcile, `goldkit validate` passes on the gold, and `git status` shows only what that step means
to write.

The plan (P: the person, C: the city, D: the day, all three entities; M: the meeting event; claim K):

| document | annotators | planned difference | majority says |
| --- | --- | --- | --- |
| gen_en_1 | a1 a2 | none | gold |
| gen_en_2 | a1 a2 | a2 marks only P's surname (boundary); a1 edits to match after pull 1 | gold after the edit |
| gen_en_3 | a1 a2 a3 | a3 labels C `location` (label) | gold, C `gpe` |
| gen_en_4 | a1 a2 a3 | a3 says M is `planned` (attribute); a2 leaves out M's place (relation) | gold |
| gen_ar_1 | a1 a2 | none | gold |
| gen_ar_2 | a2 a3 | none | gold |
| gen_ar_3 | a1 (a2 leaves a draft) | one annotator | unresolved -> review round |
| gen_ar_4 | a1, then a3 after pull 1 | none | gold |
| seed en | a3 skips it | cancelled | (gold from 1.0.0) |
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from record_builders import author_claim

from goldkit.cli.main import main
from goldkit.jsonio import iter_jsonl, read_json
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import server
from goldkit.labelstudio.convert import record_to_results
from goldkit.schema.loading import schema_version

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parent.parent

EN = "{p} met Saudi officials in {c} on Thursday. Officials said the talks covered trade and security.\n"
AR = "التقى {p} مسؤولين سعوديين في {c} يوم الخميس. وقال المسؤولون إن المحادثات تناولت التجارة والأمن.\n"
ARTICLES = {
    "gen_en_1": ("Sadenov in Riyadh", EN.format(p="Yerzhan Sadenov", c="Riyadh")),
    "gen_en_2": ("Tokayev in Jeddah", EN.format(p="Kassym Tokayev", c="Jeddah")),
    "gen_en_3": ("Nazarbayev in Dammam", EN.format(p="Dariga Nazarbayeva", c="Dammam")),
    "gen_en_4": ("Smailov in Mecca", EN.format(p="Alikhan Smailov", c="Mecca")),
    "gen_ar_1": ("ساديونوف في الرياض", AR.format(p="يرجان ساديونوف", c="الرياض")),
    "gen_ar_2": ("توكاييف في جدة", AR.format(p="قاسم توكاييف", c="جدة")),
    "gen_ar_3": ("سمايلوف في الدمام", AR.format(p="عليخان سمايلوف", c="الدمام")),
    "gen_ar_4": ("نزارباييفا في مكة", AR.format(p="داريغا نزارباييفا", c="مكة")),
}
PEOPLE = {"gen_en_1": "Yerzhan Sadenov", "gen_en_2": "Kassym Tokayev", "gen_en_3": "Dariga Nazarbayeva",
          "gen_en_4": "Alikhan Smailov", "gen_ar_1": "يرجان ساديونوف", "gen_ar_2": "قاسم توكاييف",
          "gen_ar_3": "عليخان سمايلوف", "gen_ar_4": "داريغا نزارباييفا"}  # fmt: skip
CITIES = {"gen_en_1": "Riyadh", "gen_en_2": "Jeddah", "gen_en_3": "Dammam", "gen_en_4": "Mecca",
          "gen_ar_1": "الرياض", "gen_ar_2": "جدة", "gen_ar_3": "الدمام", "gen_ar_4": "مكة"}  # fmt: skip


# ---- helpers ---------------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture, *args: str, code: int = 0) -> Any:
    """Run goldkit through its entry point with --json; return the parsed output."""
    capsys.readouterr()
    got = main([*args, "--json"])
    out, err = capsys.readouterr()
    assert got == code, f"goldkit {' '.join(args)} exited {got}: {err}"
    return json.loads(out) if out.strip() else None


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True)
    return done.stdout


def step_wrote(root: Path, allowed: tuple[str, ...]) -> list[str]:
    """The paths this step changed (git status), checked against what it means to write; then committed."""
    changed = [line[3:].strip('"') for line in git(root, "status", "--porcelain", "--untracked-files=all").splitlines()]
    stray = [p for p in changed if not p.startswith(allowed)]
    assert stray == [], f"wrote outside {allowed}: {stray}"
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "step")
    return changed


def span(text: str, part: str, after: int = 0) -> dict[str, Any]:
    start = text.index(part, after)
    return {"start": start, "end": start + len(part), "text": part}


def planned_record(doc: dict[str, Any], key: str) -> dict[str, Any]:
    """The agreed annotation of a generated article: P, C, D, the meeting M, the claim K."""
    text, person, city = doc["text"], PEOPLE[key], CITIES[key]
    body = text.index("\n\n") + 2  # the title repeats the surname and the city: spans are in the body
    day, trigger = ("Thursday", "met") if doc["language"] == "en" else ("الخميس", "التقى")
    claim_start = body
    claim_text = text[claim_start : text.index(city, body) + len(city)]
    return {
        "record_type": "annotation",
        "schema_version": schema_version(),
        "document_id": doc["id"],
        "document_sha256": doc["sha256"],
        "provenance": {"annotator": "planned", "method": "manual"},
        "entities": [
            {"id": "ent-person", "span": span(text, person, body), "type": "person", "canonical": None},
            {"id": "ent-city", "span": span(text, city, body), "type": "gpe", "canonical": None},
            {"id": "ent-day", "span": span(text, day, body), "type": "datetime", "canonical": None},
        ],
        "events": [
            {
                "id": "ev-meeting",
                "type": "meeting",
                "trigger": span(text, trigger, body),
                "realis": "actual",
                "polarity": "positive",
                "arguments": [{"role": "participant", "entity": "ent-person"}, {"role": "place", "entity": "ent-city"}],
            },
        ],  # fmt: skip
        "claims": [author_claim("cl-meeting", span(text, claim_text, claim_start), "ev-meeting")],
    }


def surname_only(record: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(record))
    person = out["entities"][0]
    surname = person["span"]["text"].split(" ")[-1]
    person["span"] = {"start": person["span"]["end"] - len(surname), "end": person["span"]["end"], "text": surname}
    return out


def city_as_location(record: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(record))
    out["entities"][1]["type"] = "location"
    return out


def meeting_planned(record: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(record))
    out["events"][0]["realis"] = "planned"
    return out


def no_place(record: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(record))
    out["events"][0]["arguments"] = out["events"][0]["arguments"][:1]
    return out


def entity_f1(agreement: dict[str, Any], pair: str, mode: str, label: str = "*") -> float:
    (row,) = [r for r in agreement["results"]["span_f1"]
              if (r["layer"], r["label"], r["pair"], r["mode"]) == ("entities", label, pair, mode)]  # fmt: skip
    return float(row["f1"])


def project_for(push_report: dict[str, Any], language: str) -> dict[str, Any]:
    (project,) = [p for p in push_report["projects"] if p["language"] == language]
    return project


# ---- the campaign ----------------------------------------------------------------------------------


def test_campaign(
    ls_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:  # noqa: PLR0915
    root = tmp_path / "project"
    for folder in ("corpus", "schema", "annotations", "export"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copyfile(REPO / ".gitignore", root / ".gitignore")
    for key, (title, body) in ARTICLES.items():
        (root / "corpus" / f"{key}.txt").write_text(f"{title}\n\n{body}", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "config", "user.email", "campaign@example.org")
    git(root, "config", "user.name", "campaign")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the project before the campaign")
    monkeypatch.setenv("GOLDKIT_ROOT", str(root))
    monkeypatch.setenv("LABEL_STUDIO_URL", ls_server.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server.api_key)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    prefix = f"campaign-{tmp_path.name[-6:]}"
    pf = ("--project-prefix", prefix)
    gold_dir = root / "annotations" / "gold"
    seed_gold = sorted(p.name for p in gold_dir.glob("*.json"))

    # 1. corpus: two seeds + eight articles -> documents
    run(capsys, "ingest", str(root / "corpus"))
    step_wrote(root, ("annotations/documents.jsonl",))
    documents = {d["id"]: d for _, d in iter_jsonl(root / "annotations" / "documents.jsonl")}
    assert len(documents) == 10
    by_key = {d["source_file"].removesuffix(".txt"): d for d in documents.values()}
    assert {d["language"] for k, d in by_key.items() if k.startswith("gen_ar")} == {"ar"}
    seeds = sorted(d for d, doc in documents.items() if not doc["source_file"].startswith("gen_"))
    seed_en = next(d for d in seeds if documents[d]["language"] == "en")

    # 2. pre-annotations, push with overlap 2; three annotators who can log in
    run(capsys, "preannotate")
    preannotation_files = step_wrote(root, ("annotations/preannotations/",))
    (predictions,) = preannotation_files
    pushed = run(capsys, "push", "--overlap", "2", "--predictions", str(root / predictions), *pf)
    step_wrote(root, ())
    assert pushed["imported"] == 10 and all(p["conflicts"] == [] for p in pushed["projects"])
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    task_of: dict[str, tuple[int, int]] = {}  # doc id -> (project id, task id)
    for project in pushed["projects"]:
        assert project["created"] and project["overlap"] == 2
        assert admin.projects.get(id=project["project_id"]).maximum_annotations == 2
        task_of |= {doc: (project["project_id"], task) for doc, task in project["task_ids"].items()}
    attached = sum(p["predictions_imported"] for p in pushed["projects"])
    with_predictions = {r["document_id"] for _, r in iter_jsonl(root / predictions)}
    assert attached == len(with_predictions) > 0
    again = run(capsys, "push", "--predictions", str(root / predictions), *pf)
    assert again["imported"] == 0 and sum(p["predictions_imported"] for p in again["projects"]) == 0
    assert all("maximum_annotations" not in p["settings_changed"] for p in again["projects"])
    third = server.create_user(f"annotator3-{prefix}@goldkit.local", paths=ls_server.paths)
    a1, a2, a3 = ls_server.annotators[0], ls_server.annotators[1], third
    clients = {a.email: lsclient.connect(ls_server.url, a.token) for a in (a1, a2, a3)}

    # 3. annotators submit through the API
    plan = {key: planned_record(by_key[key], key) for key in ARTICLES}
    submitted: dict[tuple[str, str], int] = {}  # (annotator, doc) -> annotation id

    def submit(who: Any, key: str, record: dict[str, Any]) -> None:
        doc_id = by_key[key]["id"]
        answer = clients[who.email].annotations.create(id=task_of[doc_id][1], result=record_to_results(record),
                                                       lead_time=12.5)  # fmt: skip
        submitted[(who.email, doc_id)] = answer.id

    for who, key, make in [
        (a1, "gen_en_1", None), (a2, "gen_en_1", None),
        (a1, "gen_en_2", None), (a2, "gen_en_2", surname_only),
        (a1, "gen_en_3", None), (a2, "gen_en_3", None), (a3, "gen_en_3", city_as_location),
        (a1, "gen_en_4", None), (a2, "gen_en_4", no_place), (a3, "gen_en_4", meeting_planned),
        (a1, "gen_ar_1", None), (a2, "gen_ar_1", None),
        (a2, "gen_ar_2", None), (a3, "gen_ar_2", None),
        (a1, "gen_ar_3", None),
        (a1, "gen_ar_4", None),
    ]:  # fmt: skip
        submit(who, key, make(plan[key]) if make else plan[key])
    clients[a3.email].annotations.create(id=task_of[seed_en][1], result=[], was_cancelled=True)  # skipped
    http = admin._client_wrapper.httpx_client.httpx_client  # drafts have no SDK call: the API the UI uses
    draft = http.post(f"{ls_server.url}/api/tasks/{task_of[by_key['gen_ar_3']['id']][1]}/drafts",
                      json={"result": record_to_results(plan["gen_ar_3"]), "lead_time": 3},
                      headers={"Authorization": f"Token {a2.token}"})  # fmt: skip
    assert draft.status_code in (200, 201), draft.text

    # 4. pull; then more work and an edit; pull --since-last
    first = run(capsys, "pull", *pf)
    step_wrote(root, ("annotations/pulls/",))
    counts = first["counts"]
    assert (counts["valid"], counts["quarantined"], counts["cancelled"]) == (16, 0, 1)
    assert counts["annotations"] == counts["valid"] + counts["quarantined"] + counts["cancelled"]
    assert counts["drafts"] == 1  # a2's unsubmitted gen_ar_3: counted, not pulled
    pulled = [r for _, r in iter_jsonl(root / "annotations" / "pulls" / first["pull_id"] / "records.jsonl")]
    assert len(pulled) == 16
    for record in pulled:  # ids survive the round trip: the ids the annotators' regions carried
        assert [e["id"] for e in record["entities"]] == ["ent-person", "ent-city", "ent-day"]
        assert [e["id"] for e in record["events"]] == ["ev-meeting"]
        assert record["claims"][0]["event"] == "ev-meeting"
    agreement = run(capsys, "agree")
    step_wrote(root, ("annotations/pulls/",))  # its chart, beside the pull it measures
    pair12, pair13 = "~".join(sorted([a1.email, a2.email])), "~".join(sorted([a1.email, a3.email]))
    # a1~a2 share en_1..en_4 and ar_1: 15 entities each, all but a2's surname-only P match exactly
    assert entity_f1(agreement, pair12, "exact") == pytest.approx(14 / 15)
    assert entity_f1(agreement, pair12, "overlap") == pytest.approx(1.0)
    # a1~a3 share en_3 and en_4: 6 entities each; a3's C is `location` in en_3: unlabelled all match
    assert entity_f1(agreement, pair13, "exact") == pytest.approx(5 / 6)
    assert entity_f1(agreement, pair13, "exact", "(span)") == pytest.approx(1.0)

    submit(a3, "gen_ar_4", plan["gen_ar_4"])
    edited = plan["gen_en_2"]
    clients[a1.email].annotations.update(id=submitted[(a1.email, by_key["gen_en_2"]["id"])],
                                         result=record_to_results(surname_only(edited)))  # fmt: skip
    second = run(capsys, "pull", "--since-last", *pf)
    step_wrote(root, ("annotations/pulls/",))
    counts = second["counts"]
    # 18 in all: 2 new or edited; a3's skip was the newest of pull 1, stamped at its high-water mark, and an
    # annotation at the mark is read again rather than missed (pull's rule): counted cancelled once more
    assert (counts["valid"], counts["cancelled"], counts["unchanged"]) == (2, 1, 15)
    manifest = read_json(root / "annotations" / "pulls" / second["pull_id"] / "manifest.json")
    assert manifest["base"] == first["pull_id"]

    # 5. agreement over the merged pulls, against the hand count
    agreement = run(capsys, "agree")
    step_wrote(root, ("annotations/pulls/",))
    assert entity_f1(agreement, pair12, "exact") == pytest.approx(1.0)  # the edit made en_2 agree
    assert entity_f1(agreement, pair13, "exact") == pytest.approx(8 / 9)  # ar_4 added, 3 of 3 match

    # 6. majority with two votes, then a review round for what it leaves open
    majority = run(capsys, "adjudicate", "--strategy", "majority", "--min-votes", "2")
    wrote = step_wrote(root, ("annotations/gold/", "annotations/adjudication/"))
    assert not any(p.startswith("annotations/gold/") and p.endswith(".adjudication.json") for p in wrote)
    written = {Path(p).stem for p in majority["written"]}
    expected = {by_key[k]["id"] for k in ARTICLES if k != "gen_ar_3"}
    assert written == expected
    assert {u["document_id"] for u in majority["unresolved"]} == {by_key["gen_ar_3"]["id"]}
    run(capsys, "validate", str(gold_dir))
    for doc_id in written:
        gold = read_json(gold_dir / f"{doc_id}.json")
        assert gold["provenance"]["method"] == "adjudicated" and len(gold["provenance"]["annotators"]) >= 2
        assert [e["id"] for e in gold["entities"]] == ["ent-person", "ent-city", "ent-day"]
    en3 = read_json(gold_dir / f"{by_key['gen_en_3']['id']}.json")
    assert en3["entities"][1]["type"] == "gpe"  # 2 of 3
    en4 = read_json(gold_dir / f"{by_key['gen_en_4']['id']}.json")
    assert en4["events"][0]["realis"] == "actual" and len(en4["events"][0]["arguments"]) == 2

    review = run(capsys, "adjudicate", "--strategy", "review", "--min-votes", "2", *pf)
    step_wrote(root, ("annotations/adjudication/",))
    assert list(review["review"]["documents"]) == [by_key["gen_ar_3"]["id"]]
    (review_project,) = [p for p in review["review"]["projects"] if p["imported"] or p["unchanged"]]
    review_task = review_project["task_ids"][by_key["gen_ar_3"]["id"]]
    admin.annotations.create(id=review_task, result=record_to_results(plan["gen_ar_3"]), lead_time=30)
    third_pull = run(capsys, "pull", *pf)
    step_wrote(root, ("annotations/pulls/",))
    assert third_pull["counts"]["quarantined"] == 0
    collected = run(capsys, "adjudicate", "--strategy", "review", "--collect")
    step_wrote(root, ("annotations/gold/", "annotations/adjudication/"))
    assert [Path(p).stem for p in collected["written"]] == [by_key["gen_ar_3"]["id"]]
    run(capsys, "validate", str(gold_dir))
    assert sorted(p.name for p in gold_dir.glob("*.json")) == sorted(seed_gold + [f"{d}.json" for d in documents
                                                                                  if d not in seeds])  # fmt: skip

    # 8. a release on top of 1.0.0, the diff, every config loaded, the card's provenance
    released = run(capsys, "release", "1.1.0")
    step_wrote(root, ("export/1.1.0/", "annotations/pseudonyms.json"))
    assert released["previous"] == "1.0.0" and released["rows"]["documents"] == 10
    # the three annotators (the review's gold rests on a1's annotation; the reviewer is its annotator, not a source)
    assert len(released["pseudonyms_recorded"]) == 3
    diff = run(capsys, "diff", "1.0.0", "1.1.0")
    assert sorted(diff["documents"]["added"]) == sorted(d for d in documents if d not in seeds)
    import datasets

    for config, rows in released["rows"].items():
        loaded = datasets.load_dataset(str(root / "export" / "1.1.0"), config, split="test",
                                       cache_dir=str(tmp_path / "hf" / config))  # fmt: skip
        assert loaded.num_rows == rows
    card = (root / "export" / "1.1.0" / "README.md").read_text(encoding="utf-8")
    assert "annotations_creators:\n- expert-generated\n- machine-generated\n" in card
    links = len((gold_dir / "links.jsonl").read_text(encoding="utf-8").splitlines())
    assert f"**Adjudicated.** 7 of {10 + links} gold records and links were adjudicated" in card
    for email in (a1.email, a2.email, a3.email, ls_server.api_key):
        assert email not in card
    assert git(root, "status", "--porcelain") == ""
