"""Issue #13's attack cases, one test (or a named pointer to one) per case: nothing silently wrong, nothing crashes.

Conversion, metrics and faults here; ATTACKS below lists every case of the issue with the test that holds
it and the outcome it checks (a test here checks each pointer names a test that exists). The broader
property-based differential test is tests/labelstudio/test_convert_properties.py, span text rules
tests/labelstudio/test_spantext.py, the CoNLL reference cases tests/evaluate/test_coref*.py,
Krippendorff's examples tests/agreement/test_published_examples.py, the ingest cases tests/ingest/,
read-only output as an unprivileged user tests/test_readonly_output.py.
"""

from __future__ import annotations

import copy
import errno
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from goldkit import pull
from goldkit.cli.main import main
from goldkit.errors import AuthError, LabelStudioError
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio.convert import results_to_record
from goldkit.links.agreement import link_agreement
from goldkit.matching import match_spans

DATA = Path(__file__).parent / "data"


def _golden() -> tuple[dict[str, Any], dict[str, Any]]:
    folder = DATA / "convert_english"
    return tuple(json.loads((folder / f"{n}.json").read_text(encoding="utf-8")) for n in ("task", "annotation"))  # type: ignore[return-value]


# ---------------------------------------------------------------- conversion

SIX_SHAPES = {  # the export shapes that made the compiled converter raise TypeError and crash the pull
    "string annotation id": ({}, {"id": "abc"}),
    "string task id": ({"id": "101"}, {}),
    "string lead_time": ({}, {"lead_time": "3.5"}),
    "integer updated_at": ({}, {"updated_at": 12345}),
    "ground_truth null": ({}, {"ground_truth": None}),
    "string task project": ({"project": "7"}, {}),
}


@pytest.mark.parametrize("shape", sorted(SIX_SHAPES))
def test_compiled_typeerror_shapes_are_quarantined_and_the_pull_goes_on(shape: str) -> None:
    task, annotation = _golden()
    task_changes, annotation_changes = SIX_SHAPES[shape]
    bad_task, bad = {**task, **task_changes, "id": task_changes.get("id", 102)}, {**annotation, **annotation_changes}
    conversion = results_to_record(bad_task, bad)  # type: ignore[arg-type]
    assert conversion.record is None and [p.reason for p in conversion.problems] == ["malformed_annotation"]
    good = {**copy.deepcopy(annotation), "id": 9001}
    report = pull.PullReport("p", Path("unused"), "2026-01-01T00:00:00+00:00", "http://x", None)
    tasks = [{**task, "annotations": [good]}, {**bad_task, "annotations": [bad]}]
    out = pull.sort_annotations(report, [(7, "goldkit-en", tasks)], emails={})
    pull.reconcile(report, out)  # counts add up: nothing lost
    assert len(out.records) == 1 and len(out.quarantine) == 1


# ---------------------------------------------------------------- metrics


def test_overlap_matching_smallest_greedy_case_gives_two_matches() -> None:
    assert len(match_spans([(0, 6), (6, 8)], [(2, 7), (0, 2)], "overlap")) == 2


def test_links_agreement_when_nothing_corefers_is_one_not_zero_over_zero() -> None:
    def link(i: int, who: str) -> dict[str, Any]:
        return {"id": f"link-event-p{i}", "relation": "unrelated", "source": {"document_id": "en", "id": f"e{i}"},
                "target": {"document_id": "ar", "id": f"e{i}"}, "provenance": {"annotator": who}}  # fmt: skip

    scores = link_agreement([link(i, who) for i in (1, 2, 3) for who in ("x", "y")]).coreference["x | y"]
    assert scores["mentions"] == 6 and scores["b_cubed"]["f1"] == 1.0


# ---------------------------------------------------------------- faults and messages


@pytest.fixture
def html_server() -> Iterator[str]:
    """A real HTTP server on loopback that is not Label Studio (a web page on every path)."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = b"<html><body>Welcome to nginx!</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_server_that_is_not_label_studio_is_named_so(html_server: str) -> None:
    with pytest.raises(LabelStudioError) as caught:
        lsclient.connect(html_server, "0" * 40)
    assert caught.value.facts.get("not_label_studio") is True
    assert html_server in caught.value.message and "<html" not in caught.value.message


def test_an_expired_personal_access_token_is_an_auth_error(html_server: str) -> None:
    import jwt

    expired = jwt.encode({"token_type": "refresh", "exp": int(time.time()) - 3600}, "k" * 32, algorithm="HS256")
    with pytest.raises(AuthError, match="expired"):
        lsclient.connect(html_server, expired)


def test_two_pulls_in_the_same_second_get_two_folders(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    taken = pull.new_pull_id(tmp_path, now)
    first = pull.PullReport(taken, tmp_path / taken, now.isoformat(), "http://x", None)
    second = pull.PullReport(taken, tmp_path / taken, now.isoformat(), "http://x", None)  # chose before the first wrote
    pull.write_pull_unique(first, pull.Sorted(), tmp_path, now)
    pull.write_pull_unique(second, pull.Sorted(), tmp_path, now)
    assert first.folder != second.folder and first.folder.is_dir() and second.folder.is_dir()


def test_disk_full_is_a_clear_error_not_an_internal_one(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    # fault injection: the OS says the disk is full while a command writes (ENOSPC, with the path)
    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/data/annotations/pulls/x")

    monkeypatch.setattr("goldkit.cli.main._register", full)
    code = main(["validate"])
    err = capsys.readouterr().err
    assert code == 1 and "/data/annotations/pulls/x" in err and "free space" in err and "internal error" not in err


# ---------------------------------------------------------------- the cases, by name

# outcome: what the test checks happens instead of the silently wrong result or the crash
CLEAR_ERROR, QUARANTINED, REPAIRED, CORRECT = "clear error", "quarantined", "repaired and recorded", "correct result"
_SHAPES = "tests/test_attacks.py::test_compiled_typeerror_shapes_are_quarantined_and_the_pull_goes_on"
_FILES = "tests/ingest/test_files.py::"
ATTACKS: list[tuple[str, str, str]] = [
    *((f"compiled converter: {shape}", f"{_SHAPES}[{shape}]", QUARANTINED) for shape in sorted(SIX_SHAPES)),
    ("any generated export shape: compiled equals pure, no exception escapes a pull",
     "tests/labelstudio/test_convert_properties.py::test_generated_exports_never_crash_a_pull_and_compiled_equals_pure",
     QUARANTINED),
    ("UTF-16 offsets after an emoji",
     "tests/labelstudio/test_spantext.py::test_utf16_offsets_after_an_emoji_are_repaired_and_recorded", REPAIRED),
    ("SDK fixture: 'trust' at [10:25]",
     "tests/labelstudio/test_spantext.py::test_the_unique_nearest_occurrence_is_used_and_recorded", REPAIRED),
    ("value.text disagreeing with no rule",
     "tests/labelstudio/test_spantext.py::test_a_disagreeing_copy_without_a_rule_is_quarantined_as_text_mismatch",
     QUARANTINED),
    ("JSON true as an offset", "tests/labelstudio/test_spantext.py::test_a_json_true_is_never_an_offset", QUARANTINED),
    ("whitespace-only entity span", "tests/labelstudio/test_spantext.py::test_validate_flags_whitespace_only_spans",
     CLEAR_ERROR),
    ("greedy overlap matching: [0,6),[6,8) vs [2,7),[0,2)",
     "tests/test_attacks.py::test_overlap_matching_smallest_greedy_case_gives_two_matches", CORRECT),
    ("greedy overlap matching on random span lists",
     "tests/test_matching.py::test_overlap_matching_is_maximum_and_follows_the_tie_rule", CORRECT),
    ("agree --links B3 universe when nothing corefers",
     "tests/test_attacks.py::test_links_agreement_when_nothing_corefers_is_one_not_zero_over_zero", CORRECT),
    ("coreference scores against the CoNLL reference scorer's cases",
     "tests/evaluate/test_coref_reference_files.py::test_matches_the_reference_scorers_test_case", CORRECT),
    ("a .txt symlink to /dev/zero", f"{_FILES}test_a_symlink_to_dev_zero_does_not_grow", CLEAR_ERROR),
    ("a FIFO named pipe.txt", f"{_FILES}test_a_fifo_is_refused_at_once_never_read", CLEAR_ERROR),
    ("a folder named sub.txt, a broken symlink",
     f"{_FILES}test_a_folder_named_like_an_article_and_a_broken_link_are_named", CLEAR_ERROR),
    ("a symlink to a file outside the corpus",
     f"{_FILES}test_links_are_followed_only_inside_the_corpus_and_said_so", CLEAR_ERROR),
    ("goldkit ingest FILE dropping the other documents",
     f"{_FILES}test_ingesting_one_file_merges_into_the_documents", CORRECT),
    ("UTF-16 called binary, Latin-1 hinted as cp1256",
     f"{_FILES}test_utf16_and_latin1_are_named_with_the_right_iconv", CLEAR_ERROR),
    ("terminal escape sequences in messages", f"{_FILES}test_control_characters_never_reach_the_terminal",
     CLEAR_ERROR),
    ("disk full", "tests/test_attacks.py::test_disk_full_is_a_clear_error_not_an_internal_one", CLEAR_ERROR),
    ("read-only output: ingest", "tests/test_readonly_output.py::test_ingest_into_a_read_only_annotations_folder",
     CLEAR_ERROR),
    ("read-only output: release", "tests/test_readonly_output.py::test_release_into_a_read_only_export_folder",
     CLEAR_ERROR),
    ("read-only output: pull", "tests/test_readonly_output.py::test_pull_into_a_read_only_pulls_folder",
     CLEAR_ERROR),
    ("an expired personal access token",
     "tests/test_attacks.py::test_an_expired_personal_access_token_is_an_auth_error", CLEAR_ERROR),
    ("two pulls in the same second", "tests/test_attacks.py::test_two_pulls_in_the_same_second_get_two_folders",
     CORRECT),
    ("a non-Label-Studio HTTP server at the URL",
     "tests/test_attacks.py::test_a_server_that_is_not_label_studio_is_named_so", CLEAR_ERROR),
    ("the Makefile skipping the pure-source rerun",
     "tests/test_makefile.py::test_a_failure_in_either_run_fails_and_the_rerun_still_runs", CORRECT),
    ("browser test reading before the task rendered",
     "tests/labelstudio/test_browser.py::test_arabic_articles_show_right_to_left_and_english_left_to_right", CORRECT),
    ("the server's SQLite database readable by others",
     "tests/labelstudio/test_server_security.py::test_state_and_data_are_readable_by_their_owner_only", CORRECT),
    ("an invite link goldkit used still creating accounts",
     "tests/labelstudio/test_server_security.py::test_the_invite_link_used_to_create_an_account_never_works_again",
     CORRECT),
    ("the admin token on the bench child's command line",
     "tests/labelstudio/test_server_security.py::test_the_bench_passes_the_admin_token_in_the_environment_not_argv",
     CORRECT),
]  # fmt: skip


def test_every_case_names_a_test_that_exists() -> None:
    import ast

    root = Path(__file__).resolve().parent.parent
    for case, node, outcome in ATTACKS:
        path, name = node.split("::")
        defined = {f.name for f in ast.walk(ast.parse((root / path).read_text(encoding="utf-8")))
                   if isinstance(f, ast.FunctionDef)}  # fmt: skip
        assert name.split("[")[0] in defined, case
        assert outcome in (CLEAR_ERROR, QUARANTINED, REPAIRED, CORRECT), case
    assert len({node for _, node, _ in ATTACKS}) == len(ATTACKS)  # one test per case, none counted twice
