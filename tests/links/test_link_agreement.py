"""Link agreement (α on pair labels, B³ on same-event clusters) and link adjudication, computed by hand."""

from __future__ import annotations

import pytest

from goldkit.links.agreement import adjudicate_links, b_cubed, cluster_ids, event_clusters, link_agreement


def _link(src: str, tgt: str, relation: str, annotator: str, kind: str = "event") -> dict:
    sd, si = src.split(":")
    td, ti = tgt.split(":")
    return {
        "record_type": "link",
        "id": f"link-{kind}-{si}-{ti}",
        "relation": relation,
        "source": {"document_id": sd, "id": si},
        "target": {"document_id": td, "id": ti},
        "provenance": {"annotator": annotator, "method": "label_studio"},
    }


def test_clusters_are_connected_components_of_same_event_links():
    links = [
        _link("en:e1", "ar:e1", "same_event", "x"),
        _link("ar:e1", "fr:e7", "same_event", "x"),
        _link("en:e2", "ar:e2", "unrelated", "x"),
    ]
    assert event_clusters(links) == [[("ar", "e1"), ("en", "e1"), ("fr", "e7")]]
    ids = cluster_ids(links)
    assert ids[("en", "e1")] == ids[("fr", "e7")] == "ar:e1"
    assert ("en", "e2") not in ids


def test_b_cubed_by_hand():
    # mentions a,b,c,d. Key: {a,b,c} {d}. Response: {a,b} {c,d}.
    # precision per mention (|C_key ∩ C_resp| / |C_resp|): a 2/2, b 2/2, c 1/2, d 1/2 → 3/4
    # recall per mention (/ |C_key|):                     a 2/3, b 2/3, c 1/3, d 1/1 → (8/3)/4 = 2/3
    # F1 = 2·(3/4)·(2/3) / (3/4 + 2/3) = 1 / (17/12) = 12/17
    m = [("d", x) for x in "abcd"]
    scores = b_cubed([[m[0], m[1], m[2]]], [[m[0], m[1]], [m[2], m[3]]], m)
    assert scores["precision"] == pytest.approx(3 / 4)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(12 / 17)
    assert b_cubed([[m[0], m[1]]], [[m[0], m[1]]], m)["f1"] == 1.0


def test_alpha_on_pair_labels_by_hand():
    # 3 units, 2 annotators: (same, same), (same, unrelated), (unrelated, unrelated).
    # values n=6: same×3, unrelated×3. Coincidences o_same,same=2, o_unr,unr=2, o_same,unr=o_unr,same=1.
    # D_o = 2/6 (off-diagonal); D_e = 2·3·3 / (6·5) = 18/30 = 0.6; α = 1 - (1/3)/0.6 = 4/9.
    links = [
        _link("en:e1", "ar:e1", "same_event", "x"),
        _link("en:e1", "ar:e1", "same_event", "y"),
        _link("en:e2", "ar:e2", "same_event", "x"),
        _link("en:e2", "ar:e2", "unrelated", "y"),
        _link("en:e3", "ar:e3", "unrelated", "x"),
        _link("en:e3", "ar:e3", "unrelated", "y"),
    ]
    report = link_agreement(links)
    assert report.units == 3 and report.pairable_units == 3
    assert report.alpha == pytest.approx(4 / 9)
    assert report.observed == pytest.approx(4 / 6)
    # B³ over every mention of every event pair both were asked (the pair's kind is in its id, so the e3 pair
    # both answered 'unrelated' counts too): x: {en:e1, ar:e1} {en:e2, ar:e2}, en:e3, ar:e3 singletons;
    # y: {en:e1, ar:e1}, the other four singletons. Precision of y vs x: every y cluster ⊂ an x cluster → 1;
    # recall: e1 pair 1, 1; e2 pair 1/2, 1/2; e3 pair 1, 1 → 5/6.
    scores = report.b_cubed["x | y"]
    assert scores["mentions"] == 6
    assert scores["precision"] == pytest.approx(1.0) and scores["recall"] == pytest.approx(5 / 6)
    # MUC (Vilain 1995): x has 2 links, y 1, shared 1 → recall 1/2, precision 1;
    # CEAF-e: y's 5 clusters against x's 4, φ4 = 1 (e1) + 2/3 (e2 pair vs one of its singletons) + 1 + 1 → 11/3
    coref = report.coreference["x | y"]
    assert (coref["muc"]["recall"], coref["muc"]["precision"]) == (pytest.approx(1 / 2), pytest.approx(1.0))
    assert coref["ceaf_e"]["recall"] == pytest.approx((11 / 3) / 4) and coref["ceaf_e"]["precision"] == pytest.approx(
        (11 / 3) / 5
    )
    f1 = [coref[name]["f1"] for name in ("muc", "b_cubed", "ceaf_e")]
    assert coref["conll_f1"] == pytest.approx(sum(f1) / 3) and coref["pairs"] == 3


def test_annotators_who_agree_nothing_corefers_agree_fully_on_b_cubed():
    """The issue's case: both answer 'unrelated' to every event pair. Before: 0.0 over 0 mentions."""
    links = [_link(f"en:e{i}", f"ar:e{i}", "unrelated", who) for i in (1, 2) for who in ("x", "y")]
    coref = link_agreement(links).coreference["x | y"]
    assert coref["mentions"] == 4 and coref["b_cubed"]["f1"] == 1.0 and coref["ceaf_e"]["f1"] == 1.0
    assert coref["muc"]["f1"] == 0.0  # no links to count, as the CoNLL reference scorer reports it


def test_adjudication_majority_ties_and_accounting():
    links = [
        _link("en:c1", "ar:c1", "contradicts", "x", "claim"),
        _link("en:c1", "ar:c1", "contradicts", "y", "claim"),
        _link("en:c1", "ar:c1", "supports", "z", "claim"),
        _link("en:c2", "ar:c2", "supports", "x", "claim"),
        _link("en:c2", "ar:c2", "elaborates", "y", "claim"),
        _link("en:c3", "ar:c3", "same_claim", "x", "claim"),
    ]
    result = adjudicate_links(links, min_votes=2)
    assert [(g["source"]["id"], g["relation"]) for g in result.gold] == [("c1", "contradicts")]
    assert result.gold[0]["provenance"]["annotators"] == ["x", "y"]
    assert result.gold[0]["id"] == "link-claim-c1-c1"
    assert result.rejected[0]["outvoted"] == {"z": "supports"}
    reasons = {u["source"][1]: u["reason"] for u in result.unresolved}
    assert reasons == {"c2": "tie", "c3": "1 vote(s) < 2"}
