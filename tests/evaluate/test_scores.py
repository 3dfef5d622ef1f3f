"""Span, attribute, link and coreference scoring on hand-made annotations, against outside references.

Expected span figures were computed with seqeval 1.2.2 (classification_report on the BIO tags of the
spans below, mode "default", per type and micro average) and nervaluate 1.2.1 (Evaluator(..., loader="dict")
with inclusive ends, schemas "strict" and "ent_type"), and the attribute figures with scikit-learn 1.9.1
(f1_score(average="macro"); multi-label through MultiLabelBinarizer). Those packages are not goldkit
dependencies: they were run once, outside the tests, and the values are written here with their source.
"""

from __future__ import annotations

import pytest

from goldkit.evaluate.reference import Annotations
from goldkit.evaluate.scores import (
    ALL,
    argument_scores,
    coreference_scores,
    link_scores,
    macro_f1,
    span_scores,
)

DOC = "doc-1"
GOLD_SPANS = [("person", 0, 5), ("organization", 10, 20), ("gpe", 30, 36), ("gpe", 50, 55)]
PRED_SPANS = [("person", 0, 5), ("organization", 12, 20), ("person", 30, 36), ("gpe", 40, 45), ("gpe", 50, 54)]


def _entities(spans):
    annotations = Annotations()
    for n, (label, start, end) in enumerate(spans):
        annotations.add(DOC, "entities", {"id": f"e{n}", "span": {"start": start, "end": end}, "type": label})
    return annotations


def _by(scores):
    return {(s.label, s.mode): (s.precision, s.recall, s.f1) for s in scores if s.layer == "entities"}


def test_exact_matches_seqeval_and_nervaluate_strict():
    got = _by(span_scores(_entities(GOLD_SPANS), _entities(PRED_SPANS), [DOC]))
    # seqeval classification_report == nervaluate strict, per type and micro
    assert got[(ALL, "exact")] == pytest.approx((0.2, 0.25, 0.222222), abs=1e-6)
    assert got[("person", "exact")] == pytest.approx((0.5, 1.0, 0.666667), abs=1e-6)
    assert got[("organization", "exact")] == pytest.approx((0.0, 0.0, 0.0))
    assert got[("gpe", "exact")] == pytest.approx((0.0, 0.0, 0.0))


def test_overlap_matches_nervaluate_ent_type():
    got = _by(span_scores(_entities(GOLD_SPANS), _entities(PRED_SPANS), [DOC]))
    assert got[(ALL, "overlap")] == pytest.approx((0.6, 0.75, 0.666667), abs=1e-6)
    assert got[("person", "overlap")] == pytest.approx((0.5, 1.0, 0.666667), abs=1e-6)
    assert got[("organization", "overlap")] == pytest.approx((1.0, 1.0, 1.0))
    assert got[("gpe", "overlap")] == pytest.approx((0.5, 0.5, 0.5))


def test_undefined_figures_are_none_not_zero():
    scores = span_scores(_entities(GOLD_SPANS), Annotations(), [DOC])
    person = next(s for s in scores if s.label == "person" and s.mode == "exact")
    assert (person.precision, person.recall, person.f1) == (None, 0.0, 0.0)


def test_macro_f1_single_valued_matches_sklearn():
    f1, values = macro_f1(list(zip(["a", "a", "b", "c"], ["a", "b", "b", "a"], strict=True)), multiple=False)
    assert values == ["a", "b", "c"]
    assert f1 == pytest.approx(0.388889, abs=1e-6)  # sklearn f1_score(average="macro")


def test_macro_f1_multi_valued_matches_sklearn():
    gold = [frozenset({"x"}), frozenset({"x", "y"}), frozenset({"z"})]
    pred = [frozenset({"x"}), frozenset({"y"}), frozenset({"x"})]
    f1, values = macro_f1(list(zip(gold, pred, strict=True)), multiple=True)
    assert (values, f1) == (["x", "y", "z"], pytest.approx(0.5))  # MultiLabelBinarizer + macro f1


def test_missing_prediction_is_wrong_but_no_value_of_its_own():
    f1, values = macro_f1([("a", None), ("a", "a")], multiple=False)
    assert values == ["a"] and f1 == pytest.approx(2 / 3)


def _events(doc, triggers, arguments=()):
    annotations = Annotations()
    for n, (start, end) in enumerate(triggers):
        annotations.add(
            doc,
            "events",
            {"id": f"ev{n}", "type": "meeting", "trigger": {"start": start, "end": end}, "arguments": list(arguments)},
        )
    return annotations


def test_arguments_need_the_trigger_the_role_and_the_entity():
    gold = _events(DOC, [(0, 4)], [{"role": "participant", "span": {"start": 10, "end": 15}}])
    right = _events(DOC, [(0, 4)], [{"role": "participant", "span": {"start": 10, "end": 15}}])
    wrong_role = _events(DOC, [(0, 4)], [{"role": "agent", "span": {"start": 10, "end": 15}}])
    shifted = _events(DOC, [(1, 4)], [{"role": "participant", "span": {"start": 11, "end": 15}}])

    def f1(pred, mode):
        return next(s.f1 for s in argument_scores(gold, pred, [DOC]) if s.label == ALL and s.mode == mode)

    assert f1(right, "exact") == 1.0
    assert f1(wrong_role, "exact") == 0.0
    assert (f1(shifted, "exact"), f1(shifted, "overlap")) == (0.0, 1.0)


def _linked(pairs, relation="same_event"):
    annotations = Annotations()
    for doc in ("d1", "d2"):
        for n in range(3):
            annotations.add(
                doc, "events", {"id": f"ev{n}", "type": "meeting", "trigger": {"start": n * 10, "end": n * 10 + 4}}
            )
    for a, b in pairs:
        annotations.links.append(
            {"relation": relation, "source": {"document_id": "d1", "id": a}, "target": {"document_id": "d2", "id": b}}
        )
    return annotations


def test_links_and_coreference():
    gold = _linked([("ev0", "ev0"), ("ev1", "ev1")])
    pred = _linked([("ev0", "ev0"), ("ev1", "ev2")])
    links = {s.label: (s.gold, s.predicted, s.matched) for s in link_scores(gold, pred)}
    assert links == {ALL: (2, 2, 1), "same_event": (2, 2, 1)}
    coref = coreference_scores(gold, pred, ["d1", "d2"])
    # key {d1.0 d2.0} {d1.1 d2.1} {d1.2} {d2.2}; response {d1.0 d2.0} {d1.1 d2.2} {d1.2} {d2.1}
    assert coref["muc"]["f1"] == pytest.approx(0.5)  # 1 of 2 links each way
    assert coref["b_cubed"]["recall"] == pytest.approx((1 + 1 + 0.5 + 0.5 + 1 + 1) / 6)
    assert coref["mentions"] == {"gold": 6, "predicted": 6}
    perfect = coreference_scores(gold, gold, ["d1", "d2"])
    assert all(perfect[m]["f1"] == 1.0 for m in ("muc", "b_cubed", "ceaf_e", "conll"))
