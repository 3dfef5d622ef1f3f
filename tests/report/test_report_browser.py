"""The report opened from disk in a real headless Chromium: DOM checks and screenshots.

Screenshots go to tmp_path, and also to $GOLDKIT_REPORT_SHOTS when it is set (to look at them).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from goldkit.cli.main import main
from goldkit.evaluate.reference import load_reference
from goldkit.matching import item_span

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "export" / "1.0.0"
PULL_FIXTURE = REPO / "tests" / "data" / "release_gold"
# For every listed item: the segments of the same panel's text that name it, rebuilt.
DRAWN = """
() => [...document.querySelectorAll('li.item[data-mark]')].map(li => {
  const who = li.closest('.items').dataset.who;
  const text = document.querySelector(`.doctext[data-who="${CSS.escape(who)}"]`);
  const segs = [...text.querySelectorAll('span.seg')].filter(s => s.dataset.marks.split(' ').includes(li.dataset.mark));
  const contiguous = segs.every((s, i) => i === 0 || segs[i - 1].dataset.e === s.dataset.s);
  const visible = segs.every(s => s.getBoundingClientRect().width > 0);
  return {layer: li.dataset.layer, id: li.dataset.id, start: segs.length ? +segs[0].dataset.s : null,
          end: segs.length ? +segs[segs.length - 1].dataset.e : null, text: segs.map(s => s.textContent).join(''),
          contiguous, visible};
})
"""


def _shoot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 10_000  # a drawn page, not a blank one
    if os.environ.get("GOLDKIT_REPORT_SHOTS"):
        Path(os.environ["GOLDKIT_REPORT_SHOTS"]).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(os.environ["GOLDKIT_REPORT_SHOTS"]) / path.name)
    return path


def test_release_pages_draw_every_span_at_its_offsets(chromium_browser, tmp_path):
    out = tmp_path / "report"
    assert main(["report", str(COMMITTED), "--out", str(out)]) == 0
    reference = load_reference(COMMITTED)
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 1000})
    for doc_id, document in reference.documents.items():
        page.goto((out / f"doc-{doc_id}.html").as_uri())
        assert page.eval_on_selector(".doctext", "e => getComputedStyle(e).direction") == (
            "rtl" if document.language == "ar" else "ltr"
        )
        assert page.eval_on_selector(".doctext", "e => e.textContent") == document.text
        drawn = {(d["layer"], d["id"]): d for d in page.evaluate(DRAWN)}
        expected = {
            (layer, item["id"]): item_span(layer, item)
            for layer in ("entities", "events", "claims")
            for item in reference.gold.items(doc_id, layer)
        }
        assert drawn.keys() == expected.keys()
        for key, span in expected.items():
            d = drawn[key]
            assert (d["start"], d["end"]) == (span["start"], span["end"]), key
            assert d["text"] == document.text[span["start"] : span["end"]], key
            assert d["contiguous"] and d["visible"], key
        if document.boilerplate:
            grey = page.eval_on_selector(".seg.m-furniture", "e => getComputedStyle(e).color")
            assert grey == "rgb(154, 154, 154)"
        _shoot(page, tmp_path, f"release-{document.language}")
    page.goto((out / "links.html").as_uri())
    rows = page.eval_on_selector_all("tr[data-link]", "rows => rows.length")
    assert rows == len(reference.gold.links)
    directions = page.eval_on_selector_all("td.mention", "cells => cells.map(c => getComputedStyle(c).direction)")
    assert set(directions) == {"ltr", "rtl"}  # the English and the Arabic mention of each link
    _shoot(page, tmp_path, "release-links")
    page.close()


def test_pull_pages_show_annotators_side_by_side(chromium_browser, tmp_path):
    out = tmp_path / "report"
    documents = PULL_FIXTURE / "annotations" / "documents.jsonl"
    assert main(["report", str(PULL_FIXTURE / "pull"), "--documents", str(documents), "--out", str(out)]) == 0
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto((out / "disagree-meeting_ar-be9fe12d.html").as_uri())
    panels = page.eval_on_selector_all(
        ".side-by-side .doctext",
        "els => els.map(e => [e.dataset.who, getComputedStyle(e).direction, e.getBoundingClientRect().left])",
    )
    assert len(panels) == 2 and {p[1] for p in panels} == {"rtl"}
    assert panels[0][2] != panels[1][2]  # next to each other, not stacked
    _shoot(page, tmp_path, "pull-disagreement-ar")
    page.goto((out / "disagree-meeting_en-1eab485f.html").as_uri())
    assert page.locator("tr.disagree").count() >= 1  # the fixture's annotators differ on the numerical claim
    _shoot(page, tmp_path, "pull-disagreement-en")
    page.goto((out / "agreement.html").as_uri())
    assert page.locator("td.undef").count() >= 1 and page.locator(".legend").count() >= 2
    _shoot(page, tmp_path, "pull-agreement")
    page.close()
