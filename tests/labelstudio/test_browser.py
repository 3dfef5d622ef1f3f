"""The annotator's path in a real headless Chromium: select spans in the Label Studio UI, submit, pull.

The browser is conftest's `chromium_browser` (Debian's chromium; in CI a missing one fails the run).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from goldkit import paths, pull, push
from goldkit.generate import render
from goldkit.jsonio import iter_jsonl
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import furniture
from goldkit.schema import layers as lsmap
from goldkit.schema.loading import label_values, labels

pytestmark = [pytest.mark.browser, pytest.mark.integration]

EMOJI_TEXT = "Emoji check 😀🇸🇦 and the minister 🚀 met Yerzhan Sadenov.\nIn Astana on Friday.\n"
XSS_TEXT = (
    "Escaping check.\n<script>window.__goldkit_xss = 'script'</script>\n"
    '<img src="x" onerror="window.__goldkit_xss = \'img\'">\nThe end.\n'
)


@pytest.fixture(scope="module")
def seeded(ls_server: Any) -> dict[str, Any]:
    """Push the corpus plus an emoji document and an HTML-injection document under a fresh prefix."""
    from goldkit.ingest.documents import ingest
    from goldkit.paths import corpus_dir

    prefix = f"browser-{uuid.uuid4().hex[:6]}"
    emoji, xss = _document(EMOJI_TEXT, "emoji-browser"), _document(XSS_TEXT, "xss-browser")
    documents = ingest([corpus_dir()]).documents + [emoji, xss]
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    report = push.push(documents, client=admin, project_prefix=prefix)
    projects = {p.language: p.project_id for p in report.projects}
    tasks = {doc_id: (projects[p.language], tid) for p in report.projects for doc_id, tid in p.task_ids.items()}
    arabic, english = (next(d for d in documents if d["language"] == lang and _gold(d)) for lang in ("ar", "en"))
    return {
        "prefix": prefix,
        "admin": admin,
        "tasks": tasks,
        "arabic": arabic,
        "english": english,
        "emoji": emoji,
        "xss": xss,
        "url": ls_server.url,
        "annotator": ls_server.annotators[0],
    }


def _document(text: str, stem: str) -> dict[str, Any]:
    """A document record for push (English: the project the test text goes to)."""
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    language = label_values("Language")[0]
    return {"id": f"{stem}-{sha[:8]}", "text": text, "sha256": sha, "language": language, "title": stem}


# Hang guards only, never what a test waits for: every wait below is for an element or a state of the page.
# Generous because two busy cores made Label Studio's editor take over a minute to show a task.
HANG_GUARD_MS = 300_000


def _log_in(browser: Any, url: str, account: Any) -> Any:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.set_default_timeout(HANG_GUARD_MS)  # clicks and locators wait for their element up to this
    page.goto(f"{url}/user/login/")
    page.fill("input[name=email]", account.email)
    page.fill("input[name=password]", account.password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/user/login" not in u)
    return page


# The article's lines, not those of the page-furniture block shown apart (render.FURNITURE_CLASS).
_ARTICLE_LINES_JS = (
    f"[...document.querySelectorAll('.lsf-richtext__line')].filter(l => !l.closest('.{render.FURNITURE_CLASS}'))"
)
_SHOWS_JS = f"s => {_ARTICLE_LINES_JS}.some(l => l.textContent.includes(s))"
# The directions of the lines showing these texts, read in the same instant that finds them all (null
# until then): the editor is mounted, unmounted and mounted again while a task loads, so a read in a
# later call could find no lines at all.
_DIRECTIONS_OF_JS = """needles => {
    const lines = ARTICLE_LINES;
    const found = needles.map(s => lines.find(l => l.textContent.includes(s)));
    return found.every(Boolean) ? found.map(l => getComputedStyle(l).direction) : null;
}""".replace("ARTICLE_LINES", _ARTICLE_LINES_JS)
# Checked on 1.23.2 with a MutationObserver on the page: opening a task mounts the editor once the task
# arrives, unmounts it when the data manager loads the task again (label-stream-history, then the task),
# mounts it again, and asks for the user labels (/api/label_links): the last request of that chain.
_LAST_LOAD_REQUEST = "/api/label_links"


def _screen(document: dict[str, Any]) -> str:
    """The article as the labeling view shows it: its text with the page furniture masked (same offsets)."""
    return str(push.task_data(document)[lsmap.SHOWN_KEY])


def _tail(text: str) -> str:
    """What of a task text to look for on the page: the start of its last line (rendered last)."""
    return text.strip().splitlines()[-1][:30]


def _open_task(page: Any, url: str, project_id: int, task_id: int, *texts: str) -> None:
    """Open a task, wait until it has finished loading and *this* task's texts show; never for a time."""
    assert texts, "name the task's texts: a read before they render sees another task or none"
    with page.expect_response(lambda response: _LAST_LOAD_REQUEST in response.url):
        page.goto(f"{url}/projects/{project_id}/data?task={task_id}")
    for text in texts:
        page.wait_for_function(_SHOWS_JS, arg=_tail(text))


def _directions(page: Any, *texts: str) -> list[str]:
    """The computed direction of the line showing each text, read once every one of them shows."""
    return list(page.wait_for_function(_DIRECTIONS_OF_JS, arg=[_tail(t) for t in texts]).json_value())


# Select text[start:end] inside the annotation text (not the data manager's copy on the left): find the
# same occurrence of the span's text as in Python (the n-th, counting in document order), put a DOM
# Range on it and dispatch a bubbling mouseup, as a mouse selection would.
_SELECT_JS = """([needle, nth]) => {
    let seen = 0;
    for (const line of ARTICLE_LINES) {
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let at = node.data.indexOf(needle); at >= 0; at = node.data.indexOf(needle, at + 1)) {
                if (seen++ < nth) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + needle.length);
                window.getSelection().removeAllRanges();
                window.getSelection().addRange(range);
                line.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                return true;
            }
        }
    }
    return false;
}""".replace("ARTICLE_LINES", _ARTICLE_LINES_JS)


def _select(page: Any, text: str, start: int, end: int) -> None:
    needle = text[start:end]
    nth = sum(1 for i in range(start) if text.startswith(needle, i))
    assert page.evaluate(_SELECT_JS, [needle, nth]), f"{needle!r} not found on the page"


Region = tuple[tuple[int, int], str, list[str], dict[str, str]]  # span, label, choices, texts


def _shown(control: str, value: str, language: str) -> str:
    """The title a label or choice button shows in the project of `language` (it stores `value`)."""
    import xml.etree.ElementTree as ET

    from goldkit.generate import render

    root = ET.fromstring(render.label_config(language))
    item = next(x for c in root.iter() if c.get("name") == control for x in c if x.get("value") == value)
    return html.unescape(item.get("html") or value)


def _values(control: Any) -> list[str]:
    return [x.value for x in control.values()]


def _annotate(page: Any, text: str, regions: list[Region], language: str = "en") -> None:
    """Make every region first, then select each to tick its choices and fill its texts.

    On 1.23.2, in this scripted path, a second region made with another <Labels> control was saved with
    the first region's label value under its own control name (quarantined by pull as unknown_label),
    so the tests make one region per task.
    """
    items = page.locator(".lsf-outliner-item")
    before = items.count()  # regions already there: a task's pre-annotations fill a new annotation
    for count, (span, label, _, _) in enumerate(regions, before + 1):
        title = next(_shown(layer.name, label, language) for layer in lsmap.SPAN_LAYERS if label in _values(layer))
        page.locator(".lsf-label").filter(has=page.get_by_text(title, exact=True)).first.click()  # the tool
        page.wait_for_function("() => document.querySelectorAll('.lsf-label_selected').length === 1")
        _select(page, text, *span)  # makes the region and puts the tool down
        page.wait_for_function(f"() => document.querySelectorAll('.lsf-outliner-item').length === {count}")
    for index, (_, _, choices, texts) in enumerate(regions, before):
        items.nth(index).click()  # select the region: its choices and texts show
        for value in choices:
            shown = _shown(next(c.name for c in lsmap.region_choices() if value in _values(c)), value, language)
            page.locator(".lsf-choice__checkbox").filter(has_text=re.compile(f"^{re.escape(shown)}")).first.click()
        for name, value in texts.items():
            box = page.locator(f"textarea[name={name}], input[name={name}]").first
            box.fill(value)
            box.press("Enter")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")  # Escape must reach LS
        page.keyboard.press("Escape")
        page.wait_for_function(_NOTHING_SELECTED)


_NOTHING_SELECTED = """() => !document.querySelector('.lsf-tree-treenode-selected')
    && !document.querySelector('.lsf-label_selected')"""


def _submit(page: Any) -> None:
    page.get_by_role("button", name="Submit").click()
    page.locator("button", has_text="Update").wait_for()  # saved: Submit became Update


def _gold(document: dict[str, Any]) -> dict[str, Any] | None:
    path = Path(__file__).resolve().parents[2] / "annotations" / "gold" / f"{document['id']}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _event_region(document: dict[str, Any]) -> Region:
    """The gold record's first event trigger (else the word 'met'), with the first realis and polarity."""
    choices = [c.values()[0].value for c in lsmap.region_choices() if c.layer == "event"]
    gold = _gold(document)
    if gold:
        event = gold["events"][0]
        return (event["trigger"]["start"], event["trigger"]["end"]), event["type"], choices, {}
    start = document["text"].index("met")
    return (start, start + 3), lsmap.layer("event").values()[0].value, choices, {}


def _entity_region(document: dict[str, Any]) -> Region:
    """The gold record's first entity with a canonical key, given as a per-region text."""
    entity = next(e for e in (_gold(document) or {})["entities"] if e.get("canonical"))
    return (entity["span"]["start"], entity["span"]["end"]), entity["type"], [], {"canonical": entity["canonical"]}


def test_spans_made_in_the_ui_pull_with_exact_offsets(
    chromium_browser: Any, seeded: dict[str, Any], tmp_path: Path
) -> None:
    """Arabic seed task, a task with emoji before the span, an English entity with its canonical key."""
    page = _log_in(chromium_browser, seeded["url"], seeded["annotator"])
    cases = [
        (seeded["arabic"], _event_region(seeded["arabic"])),
        (seeded["emoji"], _event_region(seeded["emoji"])),
        (seeded["english"], _entity_region(seeded["english"])),
    ]
    for document, region in cases:  # one region per task (see _annotate)
        _open_task(page, seeded["url"], *seeded["tasks"][document["id"]], _screen(document))
        _annotate(page, _screen(document), [region], document["language"])
        _submit(page)
    report = pull.pull(client=seeded["admin"], out_root=tmp_path, project_prefix=seeded["prefix"])
    assert report.total("quarantined") == 0, list(iter_jsonl(report.folder / paths.QUARANTINE_FILE))
    records = {r["document_id"]: r for _, r in iter_jsonl(report.folder / paths.RECORDS_FILE)}
    for document, ((start, end), label, choices, texts) in cases:
        record = records[document["id"]]
        assert record["provenance"]["annotator"] == seeded["annotator"].email
        [item] = record["events"] + record["entities"]
        span = item.get("trigger") or item["span"]
        assert (item["type"], span["start"], span["end"]) == (label, start, end)
        assert span["text"] == document["text"][start:end]
        assert [item[c.name] for c in lsmap.region_choices() if c.name in item] == choices
        assert {t.name: item[t.name] for t in lsmap.REGION_TEXTS if t.name in item} == texts


# The text shown and the elements inside it, read in the instant the task's text is found (see _DIRECTIONS_OF_JS)
_TEXT_AND_TAGS_JS = """needle => {
    const lines = [...document.querySelectorAll('.lsf-richtext__line')];
    if (!lines.some(l => l.textContent.includes(needle))) return null;
    return {text: lines.map(l => l.innerText).join('\\n'),
            tags: document.querySelectorAll('.lsf-richtext__line img, .lsf-richtext__line script').length};
}"""


def test_html_in_a_task_is_shown_as_text_and_never_runs(chromium_browser: Any, seeded: dict[str, Any]) -> None:
    page = _log_in(chromium_browser, seeded["url"], seeded["annotator"])
    _open_task(page, seeded["url"], *seeded["tasks"][seeded["xss"]["id"]], seeded["xss"]["text"])
    # control, and the barrier instead of a timer: an <img onerror> put into the page as HTML after the task
    # rendered does run here, so by the time it has, one inside the task text would have run too
    page.evaluate(
        """() => document.body.insertAdjacentHTML('beforeend', '<img src="x" onerror="window.__probe = 1">')"""
    )
    page.wait_for_function("() => window.__probe === 1")
    shown = page.wait_for_function(_TEXT_AND_TAGS_JS, arg=_tail(seeded["xss"]["text"])).json_value()
    assert "<script>" in shown["text"] and "onerror" in shown["text"]
    assert shown["tags"] == 0  # no <img> or <script> element inside the task text
    for frame in page.frames:
        assert frame.evaluate("() => window.__goldkit_xss === undefined")


def test_a_link_task_answered_in_the_ui_pulls_as_a_link(
    chromium_browser: Any, seeded: dict[str, Any], tmp_path: Path
) -> None:
    """Both mentions side by side (Arabic right-to-left), one answer clicked, submitted, pulled as a link."""
    from goldkit.generate.render import direction
    from goldkit.ingest.documents import load_documents
    from goldkit.links.sync import LINKS_FILE, link_projects, pull_links, push_links

    gold_dir = Path(__file__).resolve().parents[2] / "annotations" / "gold"
    gold = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold_dir.glob("*-*.json"))]
    admin = seeded["admin"]
    records = [g for g in gold if g.get("record_type") == "annotation"]
    push_links(records, load_documents(), client=admin, project_prefix=seeded["prefix"])
    project_id = next(pid for pid, title in link_projects(admin, seeded["prefix"]) if "· event ·" in title)
    task = next(t for t in lsclient.export_project_json(admin, project_id) if not t.get("annotations"))
    answer = label_values("LinkRelation")[0]  # same_event

    page = _log_in(chromium_browser, seeded["url"], seeded["annotator"])
    sides = ("source", "target")
    _open_task(page, seeded["url"], project_id, task["id"], *(task["data"][f"{side}_context"] for side in sides))
    shown_directions = dict(
        zip(sides, _directions(page, *(task["data"][f"{side}_context"] for side in sides)), strict=True)
    )
    # each mention in its own language's direction: the seeds pair the English article with the Arabic one
    assert shown_directions == {side: direction(task["data"][f"{side}_language"]) for side in sides}
    assert set(shown_directions.values()) == {"ltr", "rtl"}
    shown = next(label.title for label in labels("LinkRelation") if label.value == answer)  # the button's title
    page.locator(".lsf-choice__checkbox").filter(has_text=re.compile(f"^{re.escape(shown)}")).first.click()
    _submit(page)

    report = pull_links(client=admin, out_root=tmp_path, project_prefix=seeded["prefix"])
    links = [link for _, link in iter_jsonl(report.folder / LINKS_FILE) if link["provenance"]["ls_task"] == task["id"]]
    assert [(link["relation"], link["provenance"]["annotator"]) for link in links] == [
        (answer, seeded["annotator"].email)
    ]
    assert (links[0]["source"]["id"], links[0]["target"]["id"]) == (
        task["data"]["source_id"],
        task["data"]["target_id"],
    )


def test_arabic_articles_show_right_to_left_and_english_left_to_right(
    chromium_browser: Any, seeded: dict[str, Any]
) -> None:
    page = _log_in(chromium_browser, seeded["url"], seeded["annotator"])
    seen = {}
    for language in ("arabic", "english"):
        document = seeded[language]
        screen = _screen(document)
        _open_task(page, seeded["url"], *seeded["tasks"][document["id"]], screen)
        lines = [line for line in screen.splitlines() if line.strip() and furniture.MASK not in line]
        seen[language] = set(_directions(page, *lines))  # every line of the article, where it shows
    assert seen == {"arabic": {"rtl"}, "english": {"ltr"}}
