"""Score a predictions file against a release: the library side of `goldkit evaluate`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from goldkit.errors import InputError
from goldkit.evaluate.predictions import read_predictions
from goldkit.evaluate.reference import SCORED_CONFIGS, load_reference
from goldkit.evaluate.scores import Evaluation, evaluate


def evaluate_release(predictions: Path, release: Path, configs: Iterable[str] = SCORED_CONFIGS) -> Evaluation:
    """Read the release and the predictions, check every line, and score the chosen configs.

    `configs` narrows what is reported (entities, events, claims, links; events include arguments and
    their attributes, links include event coreference).
    """
    chosen = list(configs) or list(SCORED_CONFIGS)
    unknown = sorted(set(chosen) - set(SCORED_CONFIGS))
    if unknown:
        raise InputError(
            f"unknown config(s) {', '.join(unknown)}", hint=f"choose from: {', '.join(SCORED_CONFIGS)}", got=unknown
        )
    reference = load_reference(release)
    read = read_predictions(predictions, reference)
    result = evaluate(
        reference.gold,
        read.annotations,
        reference.documents,
        meta={
            "release": str(release),
            "version": reference.version,
            "predictions": str(predictions),
            "lines": read.lines,
            "formats": sorted(read.formats),
            "configs": chosen,
        },
    )
    result.spans = [s for s in result.spans if s.layer in chosen]
    result.attributes = [a for a in result.attributes if a.layer in chosen]
    if "events" not in chosen:
        result.arguments = []
    if "links" not in chosen:
        result.links, result.coreference = [], {}
    return result
