"""The report's pages, read as files: every span cut at its offsets, directions, furniture, undefined cells."""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from goldkit.cli.main import main
from goldkit.evaluate.reference import Document
from goldkit.report.render import Mark, segments

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "export" / "1.0.0"
PULL_FIXTURE = REPO / "tests" / "data" / "release_gold"
sys.path.insert(0, str(REPO / "tests" / "release"))


def test_segments_cover_the_text_and_each_mark_exactly():
    text = "Saudi Minister of Interior met"
    marks = [
        Mark("a", "entity", 0, 5, "gpe"),
        Mark("b", "entity", 6, 26, "title_role"),
        Mark("c", "claim", 0, 26, "claim"),
        Mark("d", "trigger", 27, 30, "meeting"),
    ]
    pieces = segments(text, marks)
    assert "".join(p.text for p in pieces) == text
    for mark in marks:
        covering = [p for p in pieces if mark in p.marks]
        assert "".join(p.text for p in covering) == text[mark.start : mark.end]
        assert (covering[0].start, covering[-1].end) == (mark.start, mark.end)
        assert all(a.end == b.start for a, b in zip(covering, covering[1:], strict=False))  # contiguous


class _Pages(HTMLParser):
    """Collect the .doctext containers and segments of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[dict[str, str]] = []
        self.segs: list[dict[str, str]] = []
        self._in_seg = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "doctext" in (a.get("class") or "").split():
            self.texts.append(a)
        if tag == "span" and "data-s" in a:
            self.segs.append({**a, "text": ""})
            self._in_seg = True

    def handle_endtag(self, tag):
        self._in_seg = False

    def handle_data(self, data):
        if self._in_seg:
            self.segs[-1]["text"] += data


def _parse(path: Path) -> _Pages:
    parser = _Pages()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_release_report_draws_every_segment_at_its_offsets(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", str(COMMITTED), "--out", str(out), "--json"]) == 0
    pages = json.loads(capsys.readouterr().out)["pages"]
    assert {Path(p).name for p in pages} >= {"index.html", "links.html", "agreement.html"}
    from goldkit.evaluate.reference import load_reference

    reference = load_reference(COMMITTED)
    for doc_id, document in reference.documents.items():
        page = _parse(out / f"doc-{doc_id}.html")
        assert [t["dir"] for t in page.texts] == ["rtl" if document.language == "ar" else "ltr"]
        assert (
            "".join(s["text"] for s in page.segs if "seg" in s["class"] and s.get("data-marks") is not None)
            == document.text
        )
        for seg in page.segs:
            assert seg["text"] == document.text[int(seg["data-s"]) : int(seg["data-e"])]
        greyed = [s for s in page.segs if "m-furniture" in s["class"]]
        assert bool(greyed) == bool(document.boilerplate)
    agreement = (out / "agreement.html").read_text(encoding="utf-8")
    assert "No agreement to show" in agreement


def test_pull_report_has_side_by_side_pages_and_marks_undefined_cells(tmp_path, capsys):
    out = tmp_path / "report"
    documents = PULL_FIXTURE / "annotations" / "documents.jsonl"
    assert main(["report", str(PULL_FIXTURE / "pull"), "--documents", str(documents), "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"disagree-meeting_en-1eab485f.html", "disagree-meeting_ar-be9fe12d.html"} <= names
    side = _parse(out / "disagree-meeting_ar-be9fe12d.html")
    assert [t["dir"] for t in side.texts] == ["rtl", "rtl"]  # one text per annotator
    assert len({t["data-who"] for t in side.texts}) == 2
    agreement = (out / "agreement.html").read_text(encoding="utf-8")
    assert "Krippendorff" in agreement and "Legend" in agreement
    assert re.search(r'class="undef"[^>]*>n/a<', agreement)  # undefined α or F1 cells are marked, not blank


def test_report_text_is_escaped(tmp_path, monkeypatch):
    from goldkit.evaluate.reference import Annotations
    from goldkit.report.render import write_report
    from goldkit.report.source import ReportSource

    text = "<script>alert(1)</script> said the minister"
    gold = Annotations()
    gold.add("d", "entities", {"id": "e", "span": {"start": 31, "end": 43}, "type": "person"})
    source = ReportSource("release", "test", {"d": Document("d", "en", text)}, {"gold": gold})
    write_report(source, tmp_path)
    html = (tmp_path / "doc-d.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_report_of_nothing_names_the_fix(tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing"), "--out", str(tmp_path / "r")]) == 1
    assert "no release" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["index.html", "links.html"])
def test_pages_link_to_the_stylesheet(tmp_path, name):
    assert main(["report", str(COMMITTED), "--out", str(tmp_path)]) == 0
    assert 'href="report.css"' in (tmp_path / name).read_text(encoding="utf-8")


def test_pull_report_names_annotators_by_pseudonym_unless_asked(tmp_path, capsys, monkeypatch):
    (tmp_path / "project").mkdir()
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path / "project"))  # no pseudonyms.json: numbered in sorted order
    documents = PULL_FIXTURE / "annotations" / "documents.jsonl"
    args = ["report", str(PULL_FIXTURE / "pull"), "--documents", str(documents)]
    assert main([*args, "--out", str(tmp_path / "plain")]) == 0
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "plain").glob("*.html"))
    assert "@example.org" not in pages and "annotator_1" in pages and "annotator_2" in pages
    assert not (tmp_path / "project" / "annotations" / "pseudonyms.json").exists()  # a report never records them
    assert main([*args, "--out", str(tmp_path / "emails"), "--show-emails"]) == 0
    assert "zoe@example.org" in (tmp_path / "emails" / "disagree-meeting_ar-be9fe12d.html").read_text(encoding="utf-8")


def test_agreement_page_shows_alpha_with_its_bootstrap_interval(tmp_path):
    from goldkit.agreement import bootstrap

    documents = PULL_FIXTURE / "annotations" / "documents.jsonl"
    assert main(["report", str(PULL_FIXTURE / "pull"), "--documents", str(documents), "--out", str(tmp_path)]) == 0
    page = (tmp_path / "agreement.html").read_text(encoding="utf-8")
    assert f"{bootstrap.RESAMPLES} resamples of the pairable units, seed {bootstrap.SEED}" in page
    assert "95% CI" in page


def test_a_release_in_row_format_2_shows_no_headline_and_links_with_claim_types(tmp_path, monkeypatch):
    import shutil

    from goldkit.release.build import ReleaseOptions, build_release

    root = tmp_path / "project"
    root.mkdir()
    for name in ("annotations", "schema"):
        shutil.copytree(REPO / name, root / name)
    monkeypatch.setenv("GOLDKIT_ROOT", str(root))
    release = build_release("2.0.0", ReleaseOptions(out=tmp_path / "export")).path
    assert main(["report", str(release), "--out", str(tmp_path / "r"), "--no-campaign"]) == 0
    english = next((tmp_path / "r").glob("doc-000_*.html")).read_text(encoding="utf-8")
    assert '<span class="no-headline">(no headline)</span>' in english  # the seed has no headline line
    links = (tmp_path / "r" / "links.html").read_text(encoding="utf-8")
    assert "claim same_claim" not in links and re.search(r"claim [a-z_]+(, [a-z_]+)* · <a", links)
