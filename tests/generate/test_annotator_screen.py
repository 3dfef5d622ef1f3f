"""The annotator's screen in a real Label Studio and headless Chromium: titles shown, values stored.

Uses the helpers of tests/labelstudio/test_browser.py (same browser, login, selection by DOM Range).
Screenshots go to $GOLDKIT_SHOTS when it is set (for people to look at; nothing is asserted on pixels).
"""

from __future__ import annotations

import html
import os
import sys
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "labelstudio"))
from test_browser import (  # noqa: E402
    _ARTICLE_LINES_JS,
    _log_in,
    _open_task,
    _screen,
    _select,
    _submit,
    _tail,
)

from goldkit import paths, pull, push  # noqa: E402
from goldkit.generate import render  # noqa: E402
from goldkit.jsonio import iter_jsonl  # noqa: E402
from goldkit.labelstudio import client as lsclient  # noqa: E402
from goldkit.labelstudio import furniture  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.integration]


# The first line of every label button, read in the instant the task's text shows beside them (the
# editor is mounted again while a task loads; see test_browser._open_task); null until then.
_LABELS_WITH_TEXT_JS = """needle => {
    const lines = [...document.querySelectorAll('.lsf-richtext__line')];
    const labels = [...document.querySelectorAll('.lsf-label')];
    if (!labels.length || !lines.some(l => l.textContent.includes(needle))) return null;
    return labels.map(l => l.innerText.split('\\n')[0].trim());
}"""


def _label_titles_shown(page: Any, text: str) -> list[str]:
    return list(page.wait_for_function(_LABELS_WITH_TEXT_JS, arg=_tail(text)).json_value())


def _titles(language: str, control: str) -> dict[str, str]:
    """Stored value -> shown title of one control's labels in the config of `language`."""
    root = ET.fromstring(render.label_config(language))
    labels = next(c for c in root.iter() if c.get("name") == control)
    return {x.get("value", ""): html.unescape(x.get("html", "")) for x in labels}


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("GOLDKIT_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


@pytest.fixture(scope="module")
def seeds(ls_server: Any) -> dict[str, Any]:
    """The seed articles pushed under a fresh prefix: {language: (project, task, document)}."""
    from goldkit.ingest.documents import ingest

    prefix = f"screen-{uuid.uuid4().hex[:6]}"
    documents = ingest([paths.corpus_dir()]).documents
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    report = push.push(documents, client=admin, project_prefix=prefix)
    by_id = {d["id"]: d for d in documents}
    tasks = {
        p.language: (p.project_id, task_id, by_id[doc_id])
        for p in report.projects
        for doc_id, task_id in p.task_ids.items()
    }
    return {
        "prefix": prefix,
        "admin": admin,
        "tasks": tasks,
        "url": ls_server.url,
        "annotator": ls_server.annotators[1],
    }


def test_arabic_labels_show_titles_and_a_span_after_furniture_pulls_schema_values(
    chromium_browser: Any,
    seeds: dict[str, Any],
    tmp_path: Path,
) -> None:
    """Arabic project: buttons show Arabic titles; a place named right after the byline block pulls as 'gpe'."""
    project_id, task_id, document = seeds["tasks"]["ar"]
    text, screen = document["text"], _screen(document)
    titles = _titles("ar", "entity")
    page = _log_in(chromium_browser, seeds["url"], seeds["annotator"])
    _open_task(page, seeds["url"], project_id, task_id, screen)
    shown = _label_titles_shown(page, screen)
    assert set(titles.values()) <= set(shown), shown
    assert not {"gpe", "title_role", "person"} & set(shown)  # no raw schema value on a button
    _shot(page, "arabic-labels")

    furniture_end = max(b["end"] for b in document["boilerplate"] if b["kind"] == "byline")
    article = "\n".join(page.evaluate(f"() => {_ARTICLE_LINES_JS}.map(l => l.textContent)"))
    assert "verified icon" not in article and furniture.MASK in article  # the byline is masked in the article
    assert "verified icon" in page.locator(f".{render.FURNITURE_CLASS}").inner_text()  # and readable apart
    place = "الرياض"
    start = text.index(place, furniture_end)  # the first place after the byline block
    page.locator(".lsf-label").filter(has=page.get_by_text(titles["gpe"], exact=True)).first.click()
    page.wait_for_function("() => document.querySelectorAll('.lsf-label_selected').length === 1")
    _select(page, screen, start, start + len(place))
    page.wait_for_function("() => document.querySelectorAll('.lsf-outliner-item').length === 1")
    _shot(page, "arabic-span-after-byline")
    _submit(page)

    report = pull.pull(client=seeds["admin"], out_root=tmp_path, project_prefix=seeds["prefix"])
    assert report.total("quarantined") == 0, list(iter_jsonl(report.folder / paths.QUARANTINE_FILE))
    [record] = [r for _, r in iter_jsonl(report.folder / paths.RECORDS_FILE) if r["document_id"] == document["id"]]
    [entity] = record["entities"]
    assert entity["type"] == "gpe"  # the stored value is the schema's, not the title shown
    assert (entity["span"]["start"], entity["span"]["end"]) == (start, start + len(place))
    assert text[entity["span"]["start"] : entity["span"]["end"]] == place


_SELECT_IN_FURNITURE_JS = f"""needle => {{
    const line = [...document.querySelectorAll('.{render.FURNITURE_CLASS} .lsf-richtext__line')]
        .find(l => l.textContent.includes(needle));
    const node = document.createTreeWalker(line, NodeFilter.SHOW_TEXT).nextNode();
    const range = document.createRange();
    range.setStart(node, node.data.indexOf(needle));
    range.setEnd(node, node.data.indexOf(needle) + needle.length);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    line.dispatchEvent(new MouseEvent('mouseup', {{bubbles: true}}));
    return true;
}}"""


def test_english_furniture_cannot_be_labelled_and_a_span_over_its_mask_is_quarantined(
    chromium_browser: Any,
    seeds: dict[str, Any],
    tmp_path: Path,
) -> None:
    """Titles shown; the furniture block makes no region; a span dragged over the mask is quarantined on pull."""
    project_id, task_id, document = seeds["tasks"]["en"]
    shown = _screen(document)
    page = _log_in(chromium_browser, seeds["url"], seeds["annotator"])
    _open_task(page, seeds["url"], project_id, task_id, shown)
    labels = set(_label_titles_shown(page, shown))
    assert {"Title / role", "Geo-political entity", "Meeting"} <= labels
    _shot(page, "english-labels")

    heading = next(b for b in document["boilerplate"] if b["kind"] == "section_heading")
    words = document["text"][heading["start"] : heading["end"]]
    page.locator(".lsf-label").filter(has=page.get_by_text("Geo-political entity", exact=True)).first.click()
    page.wait_for_function("() => document.querySelectorAll('.lsf-label_selected').length === 1")
    page.evaluate(_SELECT_IN_FURNITURE_JS, words.split()[-1])  # the heading's last word, in the readable block
    # then, with the tool still held, a selection over the heading's mask in the article
    start, end = heading["start"], heading["start"] + 8
    assert set(shown[start:end]) == {furniture.MASK}
    _select(page, shown, start, end)
    # one region: the selection in the furniture block made none (it would have been region 1)
    page.wait_for_function("() => document.querySelectorAll('.lsf-outliner-item').length === 1")
    _shot(page, "english-span-over-furniture")
    _submit(page)

    report = pull.pull(client=seeds["admin"], out_root=tmp_path, project_prefix=seeds["prefix"])
    lines = [q for _, q in iter_jsonl(report.folder / paths.QUARANTINE_FILE) if q["document_id"] == document["id"]]
    [line] = lines
    [reason] = line["reasons"]
    assert reason["reason"] == furniture.SPAN_IN_BOILERPLATE
    assert reason["got"] == [start, end]  # the offsets the screen gave are the mask's offsets in the text
    assert "section_heading" in reason["message"]
    assert not [r for _, r in iter_jsonl(report.folder / paths.RECORDS_FILE) if r["document_id"] == document["id"]]
