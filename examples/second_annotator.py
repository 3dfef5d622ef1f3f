"""A second annotator's work through the Label Studio API, after `make demo` (README: "After the demo").

    python examples/second_annotator.py annotator2@example.org [--project-prefix goldkit-demo]

Signs the annotator up on the embedded server (as `goldkit server add-user` does; an account that
exists is reused), then submits, as that annotator, the committed gold of every document in the demo's
projects ('goldkit-demo · <language>'), with one planned disagreement: in the English article the
first entity nothing else refers to loses its first character. Tasks the annotator already did are
left alone, so a second run submits nothing. Prints one JSON line: what was submitted.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from goldkit import demo
from goldkit.generate.render import languages
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import projects, server
from goldkit.labelstudio.convert import record_to_results
from goldkit.preannotate.rules import load_gold


def unreferenced_entity(record: dict[str, Any]) -> int:
    """The index of the first entity no event, claim or other entity names (changing it breaks nothing)."""
    others = json.dumps([record.get("events", []), record.get("claims", [])])
    for index, entity in enumerate(record["entities"]):
        if f'"{entity["id"]}"' not in others:
            return index
    raise SystemExit(f"every entity of {record['document_id']} is referenced: pick another disagreement")


def with_boundary_disagreement(record: dict[str, Any], text: str) -> dict[str, Any]:
    out = json.loads(json.dumps(record))
    span = out["entities"][unreferenced_entity(out)]["span"]
    span["start"] += 1
    span["text"] = text[span["start"] : span["end"]]
    return out


def submit_as(email: str, project_prefix: str = demo.DEMO_PREFIX) -> dict[str, Any]:
    account = server.create_user(email)
    url, _ = lsclient.resolve()
    annotator = lsclient.connect(url, account.token)
    gold = load_gold()
    submitted, already = [], []
    for language in languages():
        project = projects.find_project(annotator, language, project_prefix)
        if project is None:
            continue
        for task in lsclient.export_project_json(annotator, project.id):
            doc_id = task["data"]["doc_id"]
            if any(a.get("completed_by") == account.user_id for a in task.get("annotations") or []):
                already.append(doc_id)
                continue
            record = gold[doc_id]
            if language == "en":
                record = with_boundary_disagreement(record, task["data"]["text"])
            annotator.annotations.create(id=task["id"], result=record_to_results(record), lead_time=60)
            submitted.append(doc_id)
    return {"annotator": email, "submitted": sorted(submitted), "already_there": sorted(already)}


if __name__ == "__main__":
    args = sys.argv[1:]
    prefix = demo.DEMO_PREFIX
    if args[1:2] == ["--project-prefix"] and len(args) == 3:
        args, prefix = args[:1], args[2]
    if len(args) != 1:
        raise SystemExit(__doc__)
    print(json.dumps(submit_as(args[0], prefix)))
