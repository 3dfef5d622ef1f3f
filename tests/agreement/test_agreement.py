"""Agreement metrics on hand-made fixtures; every expected number is worked out by hand below.

Fixture text (tests/data/agree_*/input): "Sadenov met Saudi officials in Riyadh on Thursday."
Offsets: Sadenov 0-7, met 8-11, Saudi 12-17, Saudi officials 12-27, Riyadh 31-37, Thursday 41-49.
"""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goldkit.agreement import spans as agreement
from goldkit.agreement.spans import agree, build_study
from goldkit.agreement.unitizing import unitizing_alpha
from goldkit.cli import main as cli_main
from goldkit.errors import InputError
from goldkit.matching import align_units, match_spans
from goldkit.pulls import load_records

DATA = Path(__file__).resolve().parents[1] / "data"


def study(case: str) -> agreement.Study:
    return build_study(load_records([DATA / case / "input"]))


def row(report: agreement.AgreementReport, metric: str, **where: str) -> object:
    found = [r for r in report.rows(metric) if all(getattr(r, k) == v for k, v in where.items())]
    assert len(found) == 1, (where, found)
    return found[0]


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    return cli_main.main(args)


# --- matching ---------------------------------------------------------------------------------


def test_exact_matching_pairs_equal_spans_once() -> None:
    assert match_spans([(0, 5), (0, 5), (6, 9)], [(0, 5), (6, 8)], "exact") == [(0, 0)]


def test_overlap_matching_is_one_to_one_and_maximum() -> None:
    # Greedy by largest overlap made 2 pairs (a1-b0 overlap 6, a0-b1 overlap 4); three pairs exist:
    # a0=(0,5)-b1=(0,4), a1=(4,12)-b2=(6,7), a2=(5,6)-b0=(3,10). Touching spans share no code point.
    assert match_spans([(0, 5), (4, 12), (5, 6)], [(3, 10), (0, 4), (6, 7)], "overlap") == [(0, 1), (1, 2), (2, 0)]
    assert match_spans([(5, 6)], [(6, 7)], "overlap") == []


def test_overlap_ties_go_to_the_closer_boundaries() -> None:
    # both a spans overlap b by 3; (2,5) differs from (2,6) by 1, (1,5) by 2
    assert match_spans([{"start": 1, "end": 5}, {"start": 2, "end": 5}], [{"start": 2, "end": 6}], "overlap") == [
        (1, 0)
    ]


def test_unknown_match_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        match_spans([], [], "fuzzy")


def test_align_units_groups_three_annotators() -> None:
    items = {
        "a": [{"span": {"start": 0, "end": 7}}],
        "b": [{"span": {"start": 0, "end": 5}}, {"span": {"start": 20, "end": 25}}],
        "c": [{"span": {"start": 21, "end": 24}}],
    }
    assert align_units(items, "entities") == [{"a": 0, "b": 0}, {"b": 1, "c": 0}]


# --- span F1 ----------------------------------------------------------------------------------


def test_span_f1_two_annotators_partial_overlap() -> None:
    report = agree(study("agree_two"), ["span_f1"])
    # alice: person 0-7, organization 12-27, gpe 31-37, datetime 41-49 (4); bob: person 0-7, gpe 12-17,
    # location 31-37 (3). Labelled, exact or overlap: only person matches -> P 1/3, R 1/4, F1 2/7.
    for mode in ("exact", "overlap"):
        s = row(report, "span_f1", layer="entities", label="*", pair="alice~bob", mode=mode)
        assert (s.reference, s.predicted, s.matched) == (4, 3, 1)
        assert s.precision == pytest.approx(1 / 3) and s.recall == pytest.approx(1 / 4)
        assert s.f1 == pytest.approx(2 / 7)
    # Span only: exact 0-7 and 31-37 -> F1 4/7; overlap adds 12-27~12-17 -> F1 6/7.
    assert row(report, "span_f1", layer="entities", label="(span)", pair="alice~bob", mode="exact").f1 == pytest.approx(
        4 / 7
    )
    assert row(report, "span_f1", layer="entities", label="(span)", pair="pooled", mode="overlap").f1 == pytest.approx(
        6 / 7
    )
    # per label: person 1/1 matched -> 1.0; gpe 1 vs 1 at different places -> 0.0
    assert row(report, "span_f1", layer="entities", label="person", pair="alice~bob", mode="exact").f1 == 1.0
    assert row(report, "span_f1", layer="entities", label="gpe", pair="alice~bob", mode="overlap").f1 == 0.0
    # claims 0-49 vs 0-37: no exact match, overlap match
    assert row(report, "span_f1", layer="claims", label="*", pair="alice~bob", mode="exact").f1 == 0.0
    assert row(report, "span_f1", layer="claims", label="*", pair="alice~bob", mode="overlap").f1 == 1.0


def test_span_f1_three_annotators_pooled() -> None:
    report = agree(study("agree_three"), ["span_f1"])
    # alice = bob = {person 0-7, gpe 31-37}; carol = {person 0-7, location 31-37, datetime 41-49}
    # alice~bob 2/2 -> 1.0; alice~carol and bob~carol: ref 2, pred 3, matched 1 -> 2/5
    assert row(report, "span_f1", layer="entities", label="*", pair="alice~bob", mode="exact").f1 == 1.0
    assert row(report, "span_f1", layer="entities", label="*", pair="bob~carol", mode="exact").f1 == pytest.approx(0.4)
    # pooled: ref 2+2+2=6, pred 2+3+3=8, matched 2+1+1=4 -> P 1/2, R 2/3, F1 8/14
    s = row(report, "span_f1", layer="entities", label="*", pair="pooled", mode="overlap")
    assert (s.reference, s.predicted, s.matched) == (6, 8, 4)
    assert s.f1 == pytest.approx(8 / 14)


def test_perfect_and_zero_agreement() -> None:
    perfect = agree(study("agree_perfect"))
    assert {s.f1 for s in perfect.rows("span_f1") if s.f1 is not None} == {1.0}
    assert row(perfect, "attribute_alpha", layer="entities", attribute="type").alpha == 1.0
    assert row(perfect, "relation_f1", label="arguments", pair="pooled", mode="exact").f1 == 1.0
    assert {u.alpha for u in perfect.rows("unitizing_alpha") if u.layer != "claims"} == {1.0}
    zero = agree(study("agree_zero"))
    assert {s.f1 for s in zero.rows("span_f1") if s.f1 is not None} == {0.0}
    typ = row(zero, "attribute_alpha", layer="entities", attribute="type")
    # two units, one value each: nothing pairable, and both holes counted
    assert (typ.alpha, typ.units, typ.pairable, typ.missing_no_span) == (None, 2, 0, 2)


# --- attribute α ------------------------------------------------------------------------------


def test_attribute_alpha_two_annotators_by_hand_and_by_package() -> None:
    report = agree(study("agree_two"), ["attribute_alpha"])
    typ = row(report, "attribute_alpha", layer="entities", attribute="type")
    # Units (overlap alignment): person/person, organization/gpe, gpe/location, datetime/- (bob: no span).
    # Coincidences over the 3 pairable units (n = 6 values): o(p,p)=2, o(o,g)=o(g,o)=1, o(g,l)=o(l,g)=1.
    # Observed agreement 2/6; D_o = 4/6; n_c: p 2, o 1, g 2, l 1 -> D_e = (36 - 10) / (6*5) = 26/30
    # alpha = 1 - (4/6)/(26/30) = 1 - 20/26 = 6/26
    assert typ.alpha == pytest.approx(6 / 26)
    assert typ.observed == pytest.approx(1 / 3)
    assert (typ.units, typ.pairable, typ.values, typ.missing_no_span, typ.missing_empty) == (4, 3, 6, 1, 0)
    data = [[0, 1, 2, 3], [0, 2, 4, np.nan]]  # person=0 organization=1 gpe=2 datetime=3 location=4
    assert typ.alpha == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    # realis actual vs planned on one unit: D_o = 1, D_e = (4-2)/2 = 1 -> alpha 0
    assert row(report, "attribute_alpha", attribute="realis").alpha == 0.0
    # claim types per type, binary: quote only bob -> disagreement; event_property both -> one value, undefined
    assert row(report, "attribute_alpha", attribute="types:quote").observed == 0.0
    ep = row(report, "attribute_alpha", attribute="types:event_property")
    assert (ep.alpha, ep.observed) == (None, 1.0)


def test_attribute_alpha_three_annotators_with_missing_values() -> None:
    report = agree(study("agree_three"), ["attribute_alpha"])
    typ = row(report, "attribute_alpha", layer="entities", attribute="type")
    # Units: 0-7 person x3; 31-37 gpe, gpe, location; 41-49 datetime (carol only: 2 x no span).
    # Coincidences (each ordered pair weighted 1/(m-1) = 1/2): o(p,p) = 6/2 = 3; o(g,g) = 1, o(g,l) = o(l,g) = 1.
    # n = 6; observed agreement 4/6; D_o = 2/6; D_e = (36 - (9+4+1)) / 30 = 22/30; alpha = 1 - 10/22 = 12/22
    assert typ.alpha == pytest.approx(12 / 22)
    assert typ.observed == pytest.approx(4 / 6)
    assert (typ.units, typ.pairable, typ.missing_no_span) == (3, 2, 2)
    data = [[0, 1, np.nan], [0, 1, np.nan], [0, 2, 3]]
    assert typ.alpha == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    realis = row(report, "attribute_alpha", layer="events", attribute="realis")
    # carol left realis empty: counted, not dropped; the other two agree -> a single value, alpha undefined
    assert (realis.missing_empty, realis.values, realis.alpha, realis.observed) == (1, 2, None, 1.0)


# --- relations --------------------------------------------------------------------------------


def test_relation_f1() -> None:
    report = agree(study("agree_two"), ["relation_f1"])
    # alice: meeting -> participant Sadenov, place Riyadh, time Thursday; bob: participant, place -> 2 of 3/2
    args = row(report, "relation_f1", label="arguments", pair="alice~bob", mode="exact")
    assert (args.reference, args.predicted, args.matched, args.f1) == (3, 2, 2, pytest.approx(0.8))
    # claimant: alice's claim is the author's (no link), bob links Sadenov -> 0 of 0/1
    assert row(report, "relation_f1", label="claimant", pair="pooled", mode="overlap").f1 == 0.0
    # claim -> event: claims only match by overlap (0-49 vs 0-37)
    assert row(report, "relation_f1", label="claim_event", pair="pooled", mode="exact").f1 == 0.0
    assert row(report, "relation_f1", label="claim_event", pair="pooled", mode="overlap").f1 == 1.0


# --- unitizing α ------------------------------------------------------------------------------


def test_unitizing_alpha_by_hand() -> None:
    # L = 10, rater 1 unit [2,5), rater 2 unit [3,5).
    # Sections: r1 gap 0-2, unit 2-5, gap 5-10; r2 gap 0-3, unit 3-5, gap 5-10.
    # Only unit/unit overlaps disagree: (2-3)² + (5-5)² = 1 -> D_o = 2*1 / (2*1*10²) = 0.01
    # D_e: N_c = 2, lengths 3 and 2, gaps 2, 5, 3, 5.
    #   l=3: (2*27 - 27 + 3)/3 = 10; gaps >= 3: (5-3+1)+(3-3+1)+(5-3+1) = 7 -> 9*7 = 63; total 73
    #   l=2: (16 - 12 + 2)/3 = 2;   gaps >= 2: 1+4+2+4 = 11 -> 4*11 = 44; total 46
    #   D_e = (2/10) * 119 / (20*19 - (3*2 + 2*1)) = 23.8 / 372
    result = unitizing_alpha([[(2, 5, "X")], [(3, 5, "X")]], 10)
    assert result.observed == pytest.approx(0.01)
    assert result.expected == pytest.approx(23.8 / 372)
    assert result.alpha == pytest.approx(1 - 0.01 / (23.8 / 372))


def test_unitizing_alpha_perfect_and_absent_units() -> None:
    assert unitizing_alpha([[(2, 5, "X")], [(2, 5, "X")]], 10).alpha == 1.0
    # one rater marks a unit the other does not: the unit lies in the other's gap -> D_o = 2*9/200
    lone = unitizing_alpha([[(2, 5, "X")], []], 10)
    assert lone.observed == pytest.approx(0.09)
    assert lone.alpha is not None and lone.alpha < 0.5


def test_unitizing_alpha_counts_overlapping_units_of_one_rater() -> None:
    assert unitizing_alpha([[(0, 5, "X"), (3, 6, "X")], [(0, 5, "X")]], 10).overlaps_skipped == 1


def test_unitizing_uses_document_length_when_known() -> None:
    text_length = len("Sadenov met Saudi officials in Riyadh on Thursday.")
    st = build_study(load_records([DATA / "agree_two" / "input"]))
    report = agree(st, ["unitizing_alpha"])
    assert row(report, "unitizing_alpha", layer="events", pair="alice~bob").estimated_lengths == 1
    doc_id = next(iter(st.docs))
    st = build_study(load_records([DATA / "agree_two" / "input"]), {doc_id: text_length})
    report = agree(st, ["unitizing_alpha"])
    events = row(report, "unitizing_alpha", layer="events", pair="alice~bob")
    assert (events.estimated_lengths, events.alpha) == (0, 1.0)


# --- errors and study -------------------------------------------------------------------------


def test_fewer_than_two_annotators_is_an_error() -> None:
    with pytest.raises(InputError, match="two annotators"):
        agree(study("agree_single"))


def test_duplicate_annotation_keeps_the_newest_and_reports_it() -> None:
    records = load_records([DATA / "agree_two" / "input"])
    older = json.loads(json.dumps(records[0]))
    older["provenance"].update(updated_at="2024-01-01T00:00:00Z", ls_annotation=99)
    older["entities"] = []
    st = build_study([older, *records])
    assert st.superseded == [{"document_id": records[0]["document_id"], "annotator": "alice", "ls_task": 1,
                              "ls_annotation": 99}]  # fmt: skip
    assert len(st.docs[records[0]["document_id"]]["alice"]["entities"]) == 4


def test_the_cli_offers_exactly_the_registry_and_runs_each_metric_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    assert cli_main.main(["agree", "--metric", "no-such-metric"]) == 2
    offered = capsys.readouterr().err.split("is not one of ")[1].rstrip().rstrip(".")
    assert offered == ", ".join(repr(name) for name in agreement.REGISTRY)
    for name in agreement.REGISTRY:
        args = ["agree", str(DATA / "agree_two" / "input"), "--metric", name, "--no-chart", "--json"]
        assert cli_main.main(args) == 0, capsys.readouterr().err
        assert list(json.loads(capsys.readouterr().out)["results"]) == [name]


# --- CLI --------------------------------------------------------------------------------------


def test_cli_json_and_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    pull = tmp_path / "annotations" / "pulls" / "20250101T000000Z"
    pull.mkdir(parents=True)
    (pull / "records.jsonl").write_text((DATA / "agree_two" / "input" / "records.jsonl").read_text())
    assert run_cli(["agree", "--json", "--metric", "span_f1"], monkeypatch) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["annotators"] == ["alice", "bob"] and list(out["results"]) == ["span_f1"]
    assert (pull / "agreement.png").read_bytes()[:4] == b"\x89PNG"
    assert out["chart"] == str(pull / "agreement.png")


def test_cli_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    assert run_cli(["agree", str(DATA / "agree_three" / "input"), "--no-chart"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "Krippendorff" in out and "bob~carol" in out and "0.545" in out


def test_cli_single_annotator_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    assert run_cli(["agree", str(DATA / "agree_single" / "input"), "--no-chart"], monkeypatch) == 1
    err = capsys.readouterr().err
    assert "two annotators" in err and "goldkit pull" in err


def test_cli_no_pull_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    assert run_cli(["agree"], monkeypatch) == 1
    assert "goldkit pull" in capsys.readouterr().err


def test_cli_default_reads_the_current_records_across_a_since_last_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """A since-last pull holds only what changed; agree must still see every annotator's current record."""
    monkeypatch.setenv("GOLDKIT_ROOT", str(tmp_path))
    pulls = tmp_path / "annotations" / "pulls"
    alice, bob = (DATA / "agree_two" / "input" / "records.jsonl").read_text().splitlines()
    for pull_id, time, base, lines in (
        ("20250101T000000Z", "2025-01-01T00:00:00Z", None, [alice, bob]),
        ("20250102T000000Z", "2025-01-02T00:00:00Z", "20250101T000000Z", [bob]),  # only bob changed
    ):
        (pulls / pull_id).mkdir(parents=True)
        (pulls / pull_id / "records.jsonl").write_text("\n".join(lines) + "\n")
        (pulls / pull_id / "quarantine.jsonl").write_text("")
        manifest = {"pull_id": pull_id, "time": time, "base": base, "mode": "since_last" if base else "full"}
        (pulls / pull_id / "manifest.json").write_text(json.dumps(manifest))
    assert run_cli(["agree", "--json", "--metric", "span_f1", "--no-chart"], monkeypatch) == 0
    assert json.loads(capsys.readouterr().out)["annotators"] == ["alice", "bob"]


_typed_spans = st.lists(
    st.tuples(st.sampled_from(["person", "org"]), st.integers(0, 20), st.integers(0, 6)), max_size=7
)  # zero-length spans included: they never overlap, even an equal one


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(_typed_spans, _typed_spans, st.sampled_from(["other", "same", "reordered"]))
def test_status_totals_are_pair_counts_summed_over_labels(a: list, b: list, how: str) -> None:
    # goldkit status counts ref, pred and matched per pair with pair_totals (its fast paths for equal items
    # and equal span lists included); they must be what `goldkit agree`'s pair_counts sums to over every label
    def record(items: list) -> dict:
        return {"entities": [{"type": t, "span": {"start": s, "end": s + n}} for t, s, n in items]}

    x, y = record(a), record({"other": b, "same": a, "reordered": list(reversed(a))}[how])
    ref, pred, matched = agreement.pair_totals(x["entities"], y["entities"], "entities", ("exact", "overlap"))
    for mode, found in zip(("exact", "overlap"), matched, strict=True):
        counts = agreement.pair_counts(x, y, "entities", mode, False)
        expected = [sum(n for (_, kind), n in counts.items() if kind == k) for k in ("ref", "pred", "matched")]
        assert [ref, pred, found] == expected, (mode, x, y)
