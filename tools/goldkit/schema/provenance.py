"""How a record was made: the `Provenance.method` values, read from the schema and checked here once.

Code names a method through these constants; a method the schema does not define fails at import, so a
renamed enum value cannot leave a stale string behind.
"""

from __future__ import annotations

from goldkit.schema.loading import definition


def _method(value: str) -> str:
    allowed = definition("Provenance")["properties"]["method"]["enum"]
    if value not in allowed:
        raise AssertionError(f"{value!r} is not a Provenance.method in the schema ({allowed})")
    return value


LABEL_STUDIO = _method("label_studio")  # pulled from Label Studio: one annotator's annotation
MANUAL = _method("manual")  # written as a record by hand
ADJUDICATED = _method("adjudicated")  # made by goldkit adjudicate (or a reviewer's answer in a review round)
PREANNOTATION = _method("preannotation")  # a model's or a rule's suggestion
ANNOTATOR_METHODS = (LABEL_STUDIO, MANUAL)  # whose records are annotators' work
GOLD_ANNOTATOR = "gold"  # Provenance.annotator of adjudicated records
REVIEW_STRATEGY = "review"  # Provenance.strategy of a reviewer's answer in a review round
