"""The report's campaign page: goldkit status's figures when a server answers, a note on the index when not."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from goldkit import push
from goldkit.cli.main import main
from goldkit.ingest.documents import ingest
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio.convert import record_to_results
from goldkit.labelstudio.progress import AnnotatorProgress, ProjectProgress
from goldkit.paths import corpus_dir, gold_dir
from goldkit.report.render import write_report
from goldkit.report.source import ReportSource
from goldkit.status import CampaignStatus, LanguageStatus, status

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "export" / "1.0.0"


def _source() -> ReportSource:
    from goldkit.evaluate.reference import load_reference

    reference = load_reference(COMMITTED)
    return ReportSource("release", "release 1.0.0", reference.documents, {"gold": reference.gold})


def test_campaign_page_shows_each_language_and_annotator(tmp_path: Path) -> None:
    en = ProjectProgress(3, "goldkit · en", 2, tasks=4, annotations=5, skipped=1, tasks_done=2, tasks_started=3,
                         annotators=[AnnotatorProgress(7, "annotator_1", 3, "2026-12-01T10:00:00Z")])  # fmt: skip
    ar = ProjectProgress(4, "goldkit · ar", 2, tasks=1, annotations=0, skipped=0, tasks_done=0, tasks_started=0)
    report = CampaignStatus("http://ls.example", [LanguageStatus("en", en, None), LanguageStatus("ar", ar, None)],
                            None, 0.1)  # fmt: skip
    write_report(_source(), tmp_path, report.to_dict())
    page = (tmp_path / "campaign.html").read_text(encoding="utf-8")
    assert 'data-language="en" data-annotator="annotator_1"' in page and "no annotations yet" in page
    assert "no pull yet" in page and 'href="campaign.html"' in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_without_a_server_the_index_says_why_and_no_stale_page_stays(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "campaign.html").write_text("old", encoding="utf-8")
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")  # the discard port: nothing answers
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "0" * 40)
    assert main(["report", str(COMMITTED), "--out", str(tmp_path / "out"), "--json"]) == 0
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'data-campaign="absent"' in index and "127.0.0.1:9" in index
    assert not (tmp_path / "out" / "campaign.html").exists()
    assert main(["report", str(COMMITTED), "--out", str(tmp_path / "quiet"), "--no-campaign"]) == 0
    assert "not asked (--no-campaign)" in (tmp_path / "quiet" / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- the real server, in Chromium


@pytest.fixture(scope="module")
def campaign(ls_server: Any) -> dict[str, Any]:
    """The seeds pushed (overlap 2); the first annotator does the English one, the second skips it."""
    prefix = f"reportcampaign-{uuid.uuid4().hex[:6]}"
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    seeds = ingest([corpus_dir()]).documents
    pushed = push.push(seeds, client=admin, project_prefix=prefix, overlap=2)
    task_ids = {doc_id: tid for p in pushed.projects for doc_id, tid in p.task_ids.items()}
    english = next(d for d in seeds if d["language"] == "en")
    gold = json.loads((gold_dir() / f"{english['id']}.json").read_text(encoding="utf-8"))
    first, second = (lsclient.connect(ls_server.url, a.token) for a in ls_server.annotators)
    first.annotations.create(id=task_ids[english["id"]], result=record_to_results(gold))
    second.annotations.create(id=task_ids[english["id"]], result=[], was_cancelled=True)
    return {"prefix": prefix, "admin": admin, "server": ls_server}


@pytest.mark.integration
@pytest.mark.browser
def test_campaign_page_in_chromium_equals_goldkit_status(campaign, chromium_browser, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os
    import shutil

    server = campaign["server"]
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", server.api_key)
    expected = status(client=campaign["admin"], pulls_root=tmp_path / "none", project_prefix=campaign["prefix"])
    out = tmp_path / "report"
    args = ["report", str(COMMITTED), "--out", str(out), "--url", server.url, "--project-prefix", campaign["prefix"]]
    assert main(args) == 0
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto((out / "index.html").as_uri())
    page.click("text=Campaign")
    assert page.url.endswith("campaign.html")
    rows = page.eval_on_selector_all(
        'table[data-table="languages"] tbody tr', "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
    )
    want = [
        [s.language, str(s.progress.tasks), str(s.progress.overlap), str(s.progress.tasks_done)]
        for s in expected.languages
    ]
    assert [row[:4] for row in rows] == want
    people = page.eval_on_selector_all(
        'table[data-table="annotators"] tbody tr[data-annotator]',
        "rows => rows.map(r => [r.dataset.annotator, r.cells[2].textContent])",
    )
    en = next(s for s in expected.languages if s.language == "en").progress
    assert sorted(int(tasks) for _, tasks in people) == sorted(a.tasks for a in en.annotators) == [1, 1]
    assert all(who.startswith("annotator_") for who, _ in people)  # pseudonyms, not the accounts
    assert server.annotators[0].email not in page.content()
    shot = tmp_path / "campaign.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("GOLDKIT_REPORT_SHOTS"):
        Path(os.environ["GOLDKIT_REPORT_SHOTS"]).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, Path(os.environ["GOLDKIT_REPORT_SHOTS"]) / "release-campaign.png")
    page.close()
