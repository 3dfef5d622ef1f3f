"""goldkit release / diff / attach: round trip through load_dataset, promises of versions, stand-off texts."""
# ruff: noqa: F811  (pytest fixtures imported from release_fixtures are redefined as arguments)

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from datasets import Features
from release_fixtures import AR, EN, FIXTURE, cli, load, project  # noqa: F401

from goldkit.errors import ConflictError, InputError, ReleaseError, ValidationError
from goldkit.generate.features import config_features
from goldkit.jsonio import read_json, write_json
from goldkit.paths import release_config_files
from goldkit.release.build import (
    BUILDING_PREFIX,
    PAUSE_ENV,
    ReleaseOptions,
    build_release,
    list_releases,
    read_manifest,
    recorded_format,
    verify_checksums,
)
from goldkit.release.diff import read_config

WITH_PULL = ReleaseOptions(annotations=FIXTURE / "pull", agreement=FIXTURE / "agreement.json")


def _gold(project: Path, doc_id: str) -> dict:
    return read_json(project / "annotations" / "gold" / f"{doc_id}.json")


def _edit_gold(project: Path, doc_id: str, edit) -> None:  # type: ignore[no-untyped-def]
    path = project / "annotations" / "gold" / f"{doc_id}.json"
    record = read_json(path)
    edit(record)
    write_json(path, record)


# ---- round trip --------------------------------------------------------------------------------


def test_every_config_loads_with_load_dataset_and_the_schema_features(project: Path) -> None:
    report = build_release("1.0.0", WITH_PULL)
    features = config_features()
    assert set(report.rows) == set(features)
    for config, expected in features.items():
        (parquet,) = release_config_files(report.path, config, "test")
        assert Features.from_arrow_schema(pq.read_schema(parquet)) == expected  # 'huggingface' metadata
        loaded = load(report.path, config)
        assert loaded.features == expected, config
        assert len(loaded) == report.rows[config]


def test_loaded_claims_are_the_gold_claims(project: Path) -> None:
    report = build_release("1.0.0", ReleaseOptions())
    loaded = load(report.path, "claims")
    verdict, types = loaded.features["verdict"], loaded.features["types"].feature
    rows = {(r["document_id"], r["id"]): r for r in loaded}
    for doc_id in (EN, AR):
        record = _gold(project, doc_id)
        entities = {e["id"]: e for e in record["entities"]}
        for claim in record["claims"]:
            row = rows.pop((doc_id, claim["id"]))
            assert row["span"] == claim["span"]
            assert verdict.int2str(row["verdict"]) == claim["verdict"]
            assert [types.int2str(t) for t in row["types"]] == claim["types"]
            assert row["event_id"] == claim["event"]
            assert row["cue"] == claim["cue"]
            claimant = claim["claimant"]["entity"]
            assert row["claimant_span"] == (entities[claimant]["span"] if claimant else None)
    assert rows == {}


def test_event_arguments_are_resolved_to_entity_spans(project: Path) -> None:
    report = build_release("1.0.0", ReleaseOptions())
    events = {(r["document_id"], r["id"]): r for r in read_config(report.path, "events")}
    meeting = events[(EN, "ev1")]
    assert [(a["role"], a["entity_id"], a["span"]["text"]) for a in meeting["arguments"]] == [
        ("participant", "e3", "Yerzhan Sadenov"),
        ("place", "e1", "RIYADH"),
        ("time", "e4", "Thursday"),
    ]


def test_same_event_links_form_clusters_and_other_links_have_none(project: Path) -> None:
    report = build_release("1.0.0", ReleaseOptions())
    links = {row["id"]: row for row in read_config(report.path, "links")}
    assert links["l1"]["cluster_id"] == f"{AR}:ev1"
    assert links["l2"]["cluster_id"] == f"{AR}:ev2"
    assert links["l3"]["cluster_id"] is None
    assert {k: links["l1"]["source"][k] for k in ("document_id", "id", "language")} == {
        "document_id": EN,
        "id": "ev1",
        "language": "en",
    }


def test_links_carry_both_mentions_layer_type_and_span_from_the_gold(project: Path) -> None:
    import datasets

    report = build_release("1.0.0", ReleaseOptions())
    gold = {
        (r["document_id"], layer, item["id"]): item
        for r in (read_json(p) for p in (project / "annotations" / "gold").glob("*.json"))
        for layer in ("events", "claims")
        for item in r[layer]
    }
    loaded = datasets.load_dataset(str(report.path), "links", split="test", cache_dir=str(project / ".cache"))
    features = loaded.features["source"]
    texts = {row["id"]: row["text"] for row in read_config(report.path, "documents")}
    seen = set()
    for row in loaded:
        for side in ("source", "target"):
            mention = row[side]
            layer = features["layer"].int2str(mention["layer"])
            item = gold[(mention["document_id"], f"{layer}s", mention["id"])]
            span = item["trigger"] if layer == "event" else item["span"]
            assert (mention["span"]["start"], mention["span"]["end"]) == (span["start"], span["end"])
            assert mention["span"]["text"] == texts[mention["document_id"]][span["start"] : span["end"]]
            if layer == "event":
                assert features["event_type"].int2str(mention["event_type"]) == item["type"]
                assert mention["claim_types"] == []
            else:
                assert mention["event_type"] is None
                assert [features["claim_types"].feature.int2str(t) for t in mention["claim_types"]] == item["types"]
            seen.add(layer)
    assert seen == {"event", "claim"}


def test_stand_off_links_keep_offsets_and_attach_fills_their_texts(project: Path, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = build_release("1.0.0", ReleaseOptions(no_text=True))
    stand_off = read_config(report.path, "links")
    assert all(
        row[side]["span"]["text"] is None and row[side]["span"]["end"] > 0
        for row in stand_off
        for side in ("source", "target")
    )
    out = tmp_path / "attached"
    assert cli(["attach", str(report.path), "--corpus", str(project / "corpus"), "--out", str(out)]) == 0
    texts = {row["id"]: row["text"] for row in read_config(out, "documents")}
    for row in read_config(out, "links"):
        for side in ("source", "target"):
            span = row[side]["span"]
            assert span["text"] == texts[row[side]["document_id"]][span["start"] : span["end"]]


def test_published_is_a_date_and_a_missing_headline_a_null_title(project: Path) -> None:
    import datetime

    import datasets
    import pyarrow.parquet as pq

    documents = project / "annotations" / "documents.jsonl"
    rows = [json.loads(line) for line in documents.read_text(encoding="utf-8").splitlines()]
    rows[0]["title"] = None
    rows[0]["published"] = "2025-12-20"
    rows[1]["published"] = None
    documents.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    report = build_release("1.0.0", ReleaseOptions())
    (documents_file,) = release_config_files(report.path, "documents", "test")
    assert pq.read_table(documents_file).schema.field("published").type == "date32[day]"
    loaded = datasets.load_dataset(str(report.path), "documents", split="test", cache_dir=str(project / ".cache"))
    by_id = {row["id"]: row for row in loaded}
    assert by_id[rows[0]["id"]]["published"] == datetime.date(2025, 12, 20)
    assert by_id[rows[1]["id"]]["published"] is None
    assert by_id[rows[0]["id"]]["title"] is None  # no headline: no title, not the lead sentence
    assert "(no headline)" in (report.path / "README.md").read_text(encoding="utf-8")


def test_a_published_value_that_is_no_date_is_refused_naming_the_document(project: Path) -> None:
    documents = project / "annotations" / "documents.jsonl"
    rows = [json.loads(line) for line in documents.read_text(encoding="utf-8").splitlines()]
    rows[0]["published"] = "20 December 2025"
    documents.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(ReleaseError) as raised:
        build_release("1.0.0", ReleaseOptions())
    assert rows[0]["id"] in raised.value.message and "'20 December 2025'" in raised.value.message


def test_row_format_1_keeps_1_0_0s_shapes_and_a_release_in_format_2_says_what_changed(project: Path) -> None:
    first = build_release("1.0.0", ReleaseOptions(row_format=1))
    assert "row_format" not in read_manifest(first.path)
    features = config_features(1)
    assert features["documents"]["published"].dtype == "string" and "span" not in features["links"]["source"]
    assert read_config(first.path, "links")[0]["source"].keys() == {"document_id", "id", "language"}
    second = build_release("1.1.0", ReleaseOptions())
    assert read_manifest(second.path)["row_format"] == 2
    changes = second.changes or {}
    assert changes["row_format"] == {"old": 1, "new": 2}
    links = len(read_config(second.path, "links"))
    assert changes["links"] == {"added": [], "removed": [], "changed": [], "unchanged": links}  # compared where shared
    assert changes["documents"]["changed"] == []  # same text, dates equal as dates
    assert "Row format: 1 → 2" in (second.path / "CHANGELOG.md").read_text(encoding="utf-8")


def test_annotators_get_stable_pseudonyms_and_accounts_stay_out_of_the_release(project: Path) -> None:
    report = build_release("1.0.0", WITH_PULL)
    mapping = read_json(project / "annotations" / "pseudonyms.json")
    assert mapping == {
        "adam@example.org": "annotator_1",
        "assistant@goldkit.local": "annotator_2",
        "zoe@example.org": "annotator_3",
    }
    rows = read_config(report.path, "annotations")
    assert sorted({r["annotator"] for r in rows}) == ["annotator_1", "annotator_3"]
    zoe = [r for r in rows if r["annotator"] == "annotator_3" and r["document_id"] == EN]
    assert len(zoe[0]["claims"]) == 1  # zoe's pull has one claim fewer
    for path in report.path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"example.org" not in data and b"goldkit.local" not in data, path
    mapping["new@example.org"] = "annotator_9"  # hand edit kept; a later account continues the numbering
    write_json(project / "annotations" / "pseudonyms.json", mapping)
    from goldkit.release.rows import assign_pseudonyms

    again = assign_pseudonyms({"adam@example.org", "aaron@example.org"})
    assert again["adam@example.org"] == "annotator_1" and again["aaron@example.org"] == "annotator_5"


def test_the_release_carries_schema_checksums_and_manifest(project: Path) -> None:
    report = build_release("1.0.0", ReleaseOptions())
    copied = read_json(report.path / "schema" / "goldkit.schema.json")
    assert copied["version"] == read_json(report.path / "release.json")["schema_version"]
    assert verify_checksums(report.path) == []
    sums = (report.path / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == len(report.files) and all("  " in line for line in sums)
    out = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=report.path, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout
    (report.path / "data" / "claims" / "test-00000-of-00001.parquet").write_bytes(b"tampered")
    assert verify_checksums(report.path) == ["data/claims/test-00000-of-00001.parquet"]


# ---- versions are promises ---------------------------------------------------------------------


def test_an_existing_version_is_never_overwritten(project: Path, cli, capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli(["release", "1.0.0"]) == 0
    before = (project / "export" / "1.0.0" / "SHA256SUMS").read_bytes()
    _edit_gold(project, EN, lambda r: r["claims"][0].update(verdict="refuted"))
    capsys.readouterr()
    assert cli(["release", "1.0.0"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert (project / "export" / "1.0.0" / "SHA256SUMS").read_bytes() == before
    with pytest.raises(ConflictError):
        build_release("v1.0.0", ReleaseOptions())


def test_versions_must_go_up_and_bring_something_new(project: Path) -> None:
    build_release("1.2.0", ReleaseOptions())
    with pytest.raises(ReleaseError, match="lower than the latest"):
        build_release("1.1.9", ReleaseOptions())
    with pytest.raises(ReleaseError, match="nothing changed"):
        build_release("1.2.1", ReleaseOptions())
    with pytest.raises(ReleaseError, match="not a semantic version"):
        build_release("1.2", ReleaseOptions())
    assert list_releases() == ["1.2.0"]
    assert not list((project / "export").glob(f"{BUILDING_PREFIX}*"))


def test_a_schema_major_change_needs_a_major_bump(project: Path) -> None:
    build_release("0.9.0", ReleaseOptions())
    manifest_path = project / "export" / "0.9.0" / "release.json"
    write_json(manifest_path, read_json(manifest_path) | {"schema_version": "0.9.0"})  # built on an older schema
    with pytest.raises(ReleaseError, match="major bump") as error:
        build_release("0.10.0", ReleaseOptions())
    assert error.value.facts["expected"] == ">= 1.0.0"
    _edit_gold(project, EN, lambda r: r["claims"][0].update(verdict="refuted"))
    assert build_release("1.0.0", ReleaseOptions()).previous == "0.9.0"


HANG_GUARD_S = 1800  # only against a hang: the test waits for the child's own word that it paused


def test_a_release_killed_midway_leaves_no_version(project: Path) -> None:
    import select

    paused, pause_writer = os.pipe()
    env = os.environ | {PAUSE_ENV: str(pause_writer)}
    code = "import sys; from goldkit.release.build import build_release; build_release('1.0.0')"
    child = subprocess.Popen([sys.executable, "-c", code], env=env, pass_fds=(pause_writer,))
    os.close(pause_writer)  # the child holds the only writer: its death ends the pipe
    building = project / "export" / f"{BUILDING_PREFIX}1.0.0-{child.pid}"
    try:
        ready, _, _ = select.select([paused], [], [], HANG_GUARD_S)
        said = os.read(paused, 100) if ready else b""
        assert said == b"paused before the rename\n", f"release never reached the pause (exit {child.poll()})"
        assert (building / "SHA256SUMS").exists()  # everything is written; only the rename is left
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        os.close(paused)
    assert list_releases() == []
    assert not (project / "export" / "1.0.0").exists()
    report = build_release("1.0.0", ReleaseOptions())  # the next release clears the dead build
    assert report.path.is_dir() and not building.exists()


def test_the_same_inputs_give_byte_identical_files(project: Path, tmp_path: Path) -> None:
    first = build_release("1.0.0", ReleaseOptions(out=tmp_path / "a", annotations=FIXTURE / "pull"))
    second = build_release("1.0.0", ReleaseOptions(out=tmp_path / "b", annotations=FIXTURE / "pull"))
    assert first.files == second.files
    for name in first.files:
        assert (first.path / name).read_bytes() == (second.path / name).read_bytes(), name


def test_the_collector_runs_rarely_during_a_release_and_as_before_after_it(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from goldkit.jsonio import GC_THRESHOLDS
    from goldkit.release import stream as release_stream

    before = gc.get_threshold()
    seen = []
    stream_gold = release_stream.stream_gold
    monkeypatch.setattr(
        release_stream,
        "stream_gold",
        lambda options, on_chunk: seen.append(gc.get_threshold()) or stream_gold(options, on_chunk),
    )
    build_release("1.0.0", ReleaseOptions(out=tmp_path / "a"))
    assert seen == [GC_THRESHOLDS] and gc.get_threshold() == before
    with pytest.raises(ConflictError):  # a failed release restores them too
        build_release("1.0.0", ReleaseOptions(out=tmp_path / "a"))
    assert gc.get_threshold() == before


def test_bad_gold_is_refused_with_every_problem_and_nothing_written(project: Path) -> None:
    def break_record(record: dict) -> None:
        record["entities"][0]["span"]["text"] = "Jeddah"
        record["claims"][0]["event"] = "ev99"
        record["events"][0]["type"] = "party"

    _edit_gold(project, EN, break_record)
    with pytest.raises(ValidationError) as error:
        build_release("1.0.0", ReleaseOptions())
    pointers = {p.pointer for p in error.value.problems}
    assert "/events/0/type" in pointers
    assert not (project / "export" / "1.0.0").exists()
    _edit_gold(project, EN, lambda r: r["events"][0].update(type="meeting"))
    with pytest.raises(ValidationError) as error:
        build_release("1.0.0", ReleaseOptions())
    assert {p.pointer for p in error.value.problems} == {"/entities/0/span/text", "/claims/0/event"}


# ---- changelog and diff ------------------------------------------------------------------------


def _known_change(record: dict) -> None:
    record["claims"][1]["verdict"] = "refuted"  # en c2
    record["claims"][1]["evidence"] = [
        {"kind": "url", "ref": "https://example.org/report", "note": "Example Org, 2025-12-19"}
    ]
    record["entities"] = [e for e in record["entities"] if e["id"] != "e6"]


def test_changelog_lists_a_known_change(project: Path, cli, capsys) -> None:  # type: ignore[no-untyped-def]
    build_release("1.0.0", ReleaseOptions())
    _edit_gold(project, EN, _known_change)
    report = build_release("1.1.0", ReleaseOptions())
    labels = report.changes["labels"]
    assert labels.keys() == {EN} and labels[EN].keys() == {"entities", "claims"}
    assert (labels[EN]["entities"]["removed"], labels[EN]["entities"]["changed"]) == (["e6"], [])
    (c2,) = labels[EN]["claims"]["changed"]
    assert (c2["old_id"], c2["new_id"], sorted(c2["changes"])) == ("c2", "c2", ["evidence", "verdict"])
    assert c2["changes"]["verdict"]["new"] == "refuted"
    changelog = (report.path / "CHANGELOG.md").read_text()
    assert f"  - {EN} claims: changed 1; unchanged " in changelog
    assert f"    - c2: verdict {c2['changes']['verdict']['old']} → refuted; evidence " in changelog
    assert f"  - {EN} entities: removed e6; unchanged " in changelog
    assert changelog.index("## v1.1.0") < changelog.index("## v1.0.0 — first release")
    capsys.readouterr()
    assert cli(["diff", "1.0.0", "v1.1.0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["labels"] == report.changes["labels"]
    assert cli(["diff", "1.0.0", "1.1.0"]) == 0
    assert "c2: verdict" in capsys.readouterr().out


def test_diff_reports_added_documents_and_schema(project: Path, tmp_path: Path) -> None:
    from goldkit.release.diff import diff_releases

    old = build_release("1.0.0", ReleaseOptions(out=tmp_path / "one"))
    (project / "annotations" / "gold" / f"{AR}.json").rename(tmp_path / "ar.json")
    links = project / "annotations" / "gold" / "links.jsonl"
    links.rename(tmp_path / "links.jsonl")
    new = build_release("1.0.0", ReleaseOptions(out=tmp_path / "two"))
    diff = diff_releases(new.path, old.path)
    assert diff.documents_added == [AR] and diff.documents_removed == []
    assert diff.links.added == ["l1", "l2", "l3"]
    assert not diff.schema_changed and diff.new_schema == diff.old_schema


# ---- stand-off ---------------------------------------------------------------------------------


def test_no_text_release_attaches_back_to_the_full_release(project: Path, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    standoff = build_release("1.0.0", ReleaseOptions(no_text=True, annotations=FIXTURE / "pull"))
    full = build_release("1.0.0", ReleaseOptions(out=tmp_path / "full", annotations=FIXTURE / "pull"))
    docs = load(standoff.path, "documents")
    assert docs["text"] == [None, None] and all(len(s) == 64 for s in docs["sha256"])
    claims = read_config(standoff.path, "claims")
    assert all(c["span"]["text"] is None and c["span"]["end"] > 0 for c in claims)
    out = tmp_path / "attached"
    assert cli(["attach", "1.0.0", "--corpus", str(project / "corpus"), "--out", str(out)]) == 0
    for config in config_features():
        assert read_config(out, config) == read_config(full.path, config), config
    assert verify_checksums(out) == []


def test_attach_names_the_document_whose_text_differs(project: Path, cli, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    build_release("1.0.0", ReleaseOptions(no_text=True))
    article = project / "corpus" / "meeting_ar.txt"
    article.write_text(article.read_text().replace("الخميس", "الجمعة"))
    out = tmp_path / "attached"
    assert cli(["attach", "1.0.0", "--corpus", str(project / "corpus"), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert AR in err and "sha256 differs" in err and EN not in err
    assert not out.exists()
    with pytest.raises(InputError):
        from goldkit.release.build import attach

        attach(project / "export" / "1.0.0", tmp_path / "empty", tmp_path / "x")


# ---- CLI ---------------------------------------------------------------------------------------


def test_cli_release_json_and_dry_run_push(project: Path, cli, capsys) -> None:  # type: ignore[no-untyped-def]
    args = ["release", "1.0.0", "--annotations", str(FIXTURE / "pull"), "--push-to-hub", "org/news", "--dry-run"]
    assert cli([*args, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["rows"]["annotations"] == 4
    methods = [op["method"] for op in result["hub"]["operations"]]
    assert methods == ["create_repo", "upload_folder", "create_tag"] and result["hub"]["dry_run"]
    assert result["hub"]["operations"][2]["kwargs"]["tag"] == "v1.0.0"


def test_label_names_become_class_label_ids_column_wise_and_unknown_names_fail() -> None:
    from goldkit.errors import ReleaseError
    from goldkit.generate.features import config_features
    from goldkit.release.tables import to_table

    features = config_features()["events"]
    span = {"start": 0, "end": 3, "text": "met"}
    arguments = [{"role": "place", "entity_id": "x", "span": span}, {"role": "time", "entity_id": "y", "span": None}]
    row = {"document_id": "d", "language": "ar", "id": "e1", "type": "meeting", "trigger": span,
           "realis": "planned", "polarity": "positive", "arguments": arguments}  # fmt: skip
    table = to_table([row, {**row, "arguments": None}], features)
    assert table.column("realis").to_pylist() == [features["realis"].str2int("planned")] * 2
    roles = [[features["arguments"].feature["role"].int2str(a["role"]) for a in args or []]
             for args in table.column("arguments").to_pylist()]  # fmt: skip
    assert roles == [["place", "time"], []]
    assert table.column("arguments").to_pylist()[1] is None  # a null list stays null
    with pytest.raises(ReleaseError, match="party"):
        to_table([{**row, "type": "party"}], features)


def test_diff_compares_mentions_per_document_whatever_their_row_order() -> None:
    import pyarrow as pa

    from goldkit.release.diff import _label_changes

    def rows(*items: tuple[str, str, str, int]) -> dict[str, pa.StructArray]:
        return {"entities": pa.array([{"document_id": d, "id": i, "type": t, "span": {"start": s, "end": s + 3}}
                                      for d, i, t, s in items])}  # fmt: skip

    old = rows(("a", "e1", "gpe", 0), ("a", "e2", "person", 5), ("b", "e1", "gpe", 0), ("c", "e1", "gpe", 0))
    new = rows(("b", "e1", "gpe", 0), ("a", "e2", "org", 5), ("d", "e1", "gpe", 0), ("a", "e3", "gpe", 20),
               ("b", "e2", "gpe", 5))  # fmt: skip
    changes = {doc: c["entities"].to_dict() for doc, c in _label_changes(old, new).items()}
    type_change = {"old_id": "e2", "new_id": "e2", "changes": {"type": {"old": "person", "new": "org"}}}
    assert changes == {
        "a": {"added": ["e3"], "removed": ["e1"], "changed": [type_change], "unchanged": 0},
        "b": {"added": ["e2"], "removed": [], "changed": [], "unchanged": 1},
        "c": {"added": [], "removed": ["e1"], "changed": [], "unchanged": 0},
        "d": {"added": ["e1"], "removed": [], "changed": [], "unchanged": 0},
    }
    assert _label_changes(old, old) == {} and _label_changes({"entities": None}, {"entities": None}) == {}


def test_release_logs_plain_progress_lines_when_stderr_is_not_a_terminal(project: Path, cli, capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli(["release", "1.0.0"]) == 0
    logged = [line for line in capsys.readouterr().err.splitlines() if line.startswith("writing configs: ")]
    assert logged and logged[-1].split(": ")[1].split("/")[0] == logged[-1].split("/")[1]  # ends at done == total


REPO = Path(__file__).resolve().parents[2]


def test_the_committed_1_0_0_data_rebuilds_byte_identical(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # the card said expert-generated on a rebuild (the committed one was made with --annotations-creators
    # machine-generated): annotations_creators now comes from the records' provenance, which says an AI made them
    import shutil

    root = tmp_path / "project"
    root.mkdir()
    # annotations/gold moves on with later releases; 1.0.0's inputs are kept, as they were, in annotations/history
    shutil.copytree(REPO / "annotations" / "history" / "1.0.0", root / "annotations")
    committed = REPO / "export" / "1.0.0"
    # the schema is an input of a release: 1.0.0 was made with the schema it carries, not today's
    shutil.copytree(committed / "schema", root / "schema")
    monkeypatch.setenv("GOLDKIT_ROOT", str(root))
    pseudonyms = (root / "annotations" / "pseudonyms.json").read_bytes()
    # 1.0.0 was written in row format 1 (release.json has no row_format): its rows rebuild in that format
    # and in its flat layout (release.json has no layout): what it recorded decides, not today's defaults
    recorded = recorded_format(read_manifest(committed))
    assert recorded == {"row_format": 1, "layout": 1}
    report = build_release("1.0.0", ReleaseOptions(out=tmp_path / "rebuilt", **recorded))
    # the card (README.md, the new LICENSE.md, and so SHA256SUMS) was rewritten by #16 (license, sources,
    # sizes, citation): 1.0.0 keeps the card it was released with; its data must still rebuild byte for byte
    card_files = {Path("README.md"), Path("LICENSE.md"), Path("SHA256SUMS")}
    ours = sorted(p.relative_to(report.path) for p in report.path.rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert [p for p in ours if p not in card_files] == [p for p in theirs if p not in card_files]
    for name in ours:
        if name not in card_files:
            assert (report.path / name).read_bytes() == (committed / name).read_bytes(), name
    assert (root / "annotations" / "pseudonyms.json").read_bytes() == pseudonyms


def test_goldkit_release_of_a_published_version_elsewhere_rebuilds_it_as_it_was_written(  # type: ignore[no-untyped-def]
    tmp_path: Path, monkeypatch, cli
) -> None:
    # the CLI takes no format options: a version already in export/ is rebuilt as its release.json says
    # (1.0.0: row format 1, flat layout), not in today's shards
    import shutil

    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(REPO / "annotations" / "history" / "1.0.0", root / "annotations")
    committed = REPO / "export" / "1.0.0"
    shutil.copytree(committed / "schema", root / "schema")
    shutil.copytree(committed, root / "export" / "1.0.0")
    monkeypatch.setenv("GOLDKIT_ROOT", str(root))
    assert cli(["release", "1.0.0", "--out", str(tmp_path / "rebuilt")]) == 0
    data = sorted(p.relative_to(committed) for p in committed.glob("*/test.parquet"))
    assert len(data) == 5 and not (tmp_path / "rebuilt" / "1.0.0" / "data").exists()
    for name in data:
        assert (tmp_path / "rebuilt" / "1.0.0" / name).read_bytes() == (committed / name).read_bytes(), name
    assert read_manifest(tmp_path / "rebuilt" / "1.0.0") == read_manifest(committed)


def test_a_release_elsewhere_leaves_the_pseudonyms_file_alone(project: Path, tmp_path: Path) -> None:
    # a release into another folder used to add its annotators' e-mails to the tracked pseudonyms.json
    path = project / "annotations" / "pseudonyms.json"
    before = path.read_bytes() if path.is_file() else None
    report = build_release("1.0.0", ReleaseOptions(annotations=FIXTURE / "pull", out=tmp_path / "elsewhere"))
    assert (path.read_bytes() if path.is_file() else None) == before and report.pseudonyms_recorded == []
    # into the project's own export/ the new pseudonyms are saved, and the report says which
    report = build_release("1.0.0", ReleaseOptions(annotations=FIXTURE / "pull"))
    assert report.pseudonyms_recorded and set(read_json(path).values()) >= set(report.pseudonyms_recorded)


def test_the_committed_1_1_0_release_rebuilds_byte_identical(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Gold 1.1.0 (#18) rebuilds from the repository's own inputs: gold, documents, pseudonyms, the passes'
    pull (the annotations config), the agreement figures, the roster in goldkit.toml and the schema it carries."""
    import shutil

    root = tmp_path / "project"
    root.mkdir()
    committed = REPO / "export" / "1.1.0"
    shutil.copytree(REPO / "annotations", root / "annotations")
    shutil.copytree(committed / "schema", root / "schema")
    shutil.copytree(REPO / "export" / "1.0.0", tmp_path / "rebuilt" / "1.0.0")  # the previous release, beside it
    shutil.copy(REPO / "goldkit.toml", root / "goldkit.toml")
    monkeypatch.setenv("GOLDKIT_ROOT", str(root))
    passes = root / "annotations" / "pulls" / "20261201T234035Z"
    agreement = root / "annotations" / "agreement" / "passes-1.1.0.json"
    options = ReleaseOptions(out=tmp_path / "rebuilt", annotations=passes, agreement=agreement)
    report = build_release("1.1.0", options)
    ours = sorted(p.relative_to(report.path) for p in report.path.rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert ours == theirs
    for name in ours:
        assert (report.path / name).read_bytes() == (committed / name).read_bytes(), name
