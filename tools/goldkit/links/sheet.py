"""Link tasks for annotators who answer offline, and their answers back into Label Studio as their own.

`answer_sheet` writes the linking projects' tasks as Label Studio shows them to an annotator (the project's
instructions; per task the question, both mentions in their context with their article and writing direction,
why goldkit proposed the pair, the choices with their hints, the note field), keyed by Label Studio task id.
Nothing else from the task data goes in: no mention ids, pair ids, scores or earlier answers.

`submit_answers` takes one annotator's answers to such a sheet — `{task id: {"choice": relation, "note": text}}`
— and makes each an annotation of that task with the annotator's own token, exactly the result a browser
answer has (the relation choice, the note), so `goldkit pull --links` reads it like work done in the browser.
Every answer is checked first (a linking task of this server, a relation its kind allows); nothing is submitted
if one fails. A task the account already answered is left alone and reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from goldkit.errors import Problem, ValidationError
from goldkit.generate.render import direction
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import task_index
from goldkit.labelstudio.projects import PROJECT_PREFIX
from goldkit.labelstudio.submit import account_token, author_id
from goldkit.links.sync import link_projects
from goldkit.links.tasks import NOTE_CONTROL, NOTE_PROMPT, QUESTIONS, RELATION_CONTROL, link_instructions, shown_choices

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio


def _side(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    language = data[f"{prefix}_language"]
    return {
        "article": data[f"{prefix}_title"],
        "language": language,
        "direction": direction(language),
        "mention": data[f"{prefix}_mention"],
        "context": data[f"{prefix}_context"],
    }


def shown_task(task_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """One link task as its annotator sees it in Label Studio (left: source, right: target)."""
    kind = data["kind"]
    return {
        "task": task_id,
        "kind": kind,
        "question": QUESTIONS[kind][0],
        "left": _side(data, "source"),
        "right": _side(data, "target"),
        "why_proposed": data.get("reasons", ""),
        "choices": shown_choices(kind),
        "note": NOTE_PROMPT,
    }


def _link_tasks(client: LabelStudio, project_prefix: str) -> list[tuple[int, dict[str, Any]]]:
    """(project id, task) of every task of the server's linking projects, by task id."""
    found = [(pid, task) for pid, _ in link_projects(client, project_prefix)
             for task in task_index.existing_tasks(client, pid)]  # fmt: skip
    return sorted(found, key=lambda pt: int(pt[1]["id"]))


def answer_sheet(client: LabelStudio | None = None, project_prefix: str = PROJECT_PREFIX) -> dict[str, Any]:
    """The linking projects' tasks as annotators see them, with each kind's instructions."""
    client = client or lsclient.connect()
    tasks = [shown_task(int(task["id"]), task["data"]) for _, task in _link_tasks(client, project_prefix)]
    kinds = sorted({t["kind"] for t in tasks})
    return {
        "instructions_html": {kind: link_instructions(kind, "ltr", "rtl") for kind in kinds},
        "tasks": tasks,
    }


@dataclass
class LinkSubmitReport:
    account: str
    url: str
    submitted: dict[int, int] = field(default_factory=dict)  # task id -> new annotation id
    already_there: dict[int, list[int]] = field(default_factory=dict)  # task id -> the account's annotation ids

    def to_dict(self) -> dict[str, Any]:
        return {"account": self.account, "url": self.url, "submitted": self.submitted,
                "already_there": self.already_there}  # fmt: skip


def answer_result(choice: str, note: str | None) -> list[dict[str, Any]]:
    """The result of one link answer, as the linking project's controls make it in the browser."""
    result: list[dict[str, Any]] = [
        {"from_name": RELATION_CONTROL, "to_name": "source", "type": "choices", "value": {"choices": [choice]}}
    ]
    if note and note.strip():
        result.append({"from_name": NOTE_CONTROL, "to_name": "source", "type": "textarea",
                       "value": {"text": [note.strip()]}})  # fmt: skip
    return result


def _check(answers: Mapping[str, Any], tasks: Mapping[int, dict[str, Any]]) -> dict[int, tuple[str, str | None]]:
    problems, planned = [], {}
    for key, answer in answers.items():
        where = f"/{key}"
        task = tasks.get(int(key)) if str(key).isdigit() else None
        if task is None:
            problems.append(Problem(where, "no linking task with this id on the server", key, sorted(tasks)[:20]))
            continue
        if not isinstance(answer, Mapping) or not isinstance(answer.get("choice"), str):
            problems.append(Problem(where, "an answer is an object with a 'choice' (and an optional 'note')", answer))
            continue
        allowed = [c["value"] for c in shown_choices(task["data"]["kind"])]
        if answer["choice"] not in allowed:
            problems.append(Problem(f"{where}/choice", "not a choice of this task", answer["choice"], allowed))
            continue
        note = answer.get("note")
        if note is not None and not isinstance(note, str):
            problems.append(Problem(f"{where}/note", "a note is text", note))
            continue
        planned[int(key)] = (answer["choice"], note)
    if problems:
        raise ValidationError(f"{len(problems)} problem(s) in the link answers; nothing was submitted", problems)
    return planned


def submit_answers(
    answers: Mapping[str, Any],
    account: str,
    *,
    url: str | None = None,
    project_prefix: str = PROJECT_PREFIX,
    token: str | None = None,
) -> LinkSubmitReport:
    """Submit one annotator's answers (task id -> choice and note) as that account's annotations."""
    admin = lsclient.connect(url)
    base = lsclient.client_url(admin)
    tasks = {int(task["id"]): task for _, task in _link_tasks(admin, project_prefix)}
    planned = _check(answers, tasks)
    mine = lsclient.connect(base, token or account_token(account))
    report = LinkSubmitReport(account, base)
    with lsclient.errors_mapped(mine, what=f"read who {account} is"):
        me = mine.users.whoami().id
    for task_id, (choice, note) in sorted(planned.items()):
        with lsclient.errors_mapped(mine, what=f"read the annotations of task {task_id}"):
            existing = [a for a in mine.annotations.list(id=task_id) if author_id(a) == me]
        if existing:
            report.already_there[task_id] = sorted(int(a.id) for a in existing)
            continue
        with lsclient.errors_mapped(mine, what=f"submit the answer to link task {task_id} as {account}"):
            made = mine.annotations.create(id=task_id, result=answer_result(choice, note), lead_time=0)
        report.submitted[task_id] = int(made.id)
    return report
