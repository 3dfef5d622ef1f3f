"""Rich tables for the reports that several commands print (a pull's summary: pull and pull --links)."""

from __future__ import annotations

from rich import box
from rich.table import Table

from goldkit.cli.output import console
from goldkit.paths import QUARANTINE_FILE
from goldkit.pull import PullReport

TOP_REASONS = 3


def summary_table(report: PullReport) -> Table:
    """One row per project: valid, quarantined (with the top reasons), cancelled, unchanged."""
    title = f"Pull {report.pull_id}" + (f" (since {report.since}, base {report.base})" if report.base else "")
    table = Table(title=title, box=box.SIMPLE_HEAD)
    table.add_column("project", overflow="fold")
    for column in ("tasks", "annotations", "valid", "quarantined", "cancelled", "unchanged"):
        table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    for p in report.projects:
        row = (p.tasks, p.annotations, p.valid, p.quarantined, p.cancelled, p.unchanged)
        table.add_row(f"{p.title} ({p.project_id})", *map(str, row))
    totals = ("tasks", "annotations", "valid", "quarantined", "cancelled", "unchanged")
    table.add_row("total", *(str(report.total(name)) for name in totals), style="bold")
    reasons = ", ".join(f"{reason} ×{n}" for reason, n in report.reasons.most_common(TOP_REASONS))
    if reasons:
        table.caption = f"top quarantine reasons: {reasons} — see {report.folder.name}/{QUARANTINE_FILE}"
    return table


def print_summary(report: PullReport) -> None:
    """The summary table of a pull (of annotations or of links) and the folder it wrote."""
    console.print(summary_table(report))
    drafts = report.total("drafts")
    if drafts and report.drafts:
        pulled = report.total("drafts_pulled")
        console.print(
            f"{drafts} draft(s) saved in Label Studio but not submitted: {pulled} pulled into drafts.jsonl "
            f"({drafts - pulled} could not be records), used by adjudicate only with --drafts",
            highlight=False,
        )
    elif drafts:
        console.print(
            f"{drafts} draft(s) saved in Label Studio but not submitted: not pulled (goldkit pull --drafts)",
            highlight=False,
        )
    for project_id, task_ids in report.text_changed_tasks.items():
        console.print(
            f"[yellow]warning:[/] project {project_id}: the text of task(s) {', '.join(map(str, task_ids[:20]))} is "
            "not their document's any more (edited in Label Studio?): their annotations are quarantined as "
            "task_text_changed, and goldkit push reports them as conflicts",
            highlight=False,
        )
    for project_id, tasks in report.deleted_tasks.items():
        kept = sum(t["records_kept"] for t in tasks.values())
        console.print(
            f"[yellow]warning:[/] project {project_id}: task(s) {', '.join(map(str, list(tasks)[:20]))} were deleted "
            f"in Label Studio; {kept} record(s) of theirs kept from pull "
            f"{next(iter(tasks.values()))['from_pull']} (listed in the manifest as deleted_tasks)",
            highlight=False,
        )
    for project_id, gone in report.deleted_annotations.items():
        kept = sum(1 for e in gone.values() if e["record_kept"])
        replaced = sum(1 for e in gone.values() if e["replaced_by"] is not None)
        console.print(
            f"[yellow]warning:[/] project {project_id}: annotation(s) {', '.join(map(str, list(gone)[:20]))} were "
            f"deleted in Label Studio; {kept} record(s) of theirs kept, {replaced} replaced by a newer annotation "
            "of the same annotator (listed in the manifest as deleted_annotations)",
            highlight=False,
        )
    for project_id, docs in report.duplicate_tasks.items():
        shown = "; ".join(f"{doc} in tasks {', '.join(map(str, ids))}" for doc, ids in list(docs.items())[:10])
        console.print(
            f"[yellow]warning:[/] project {project_id}: {len(docs)} document(s) have several tasks ({shown}) — "
            "delete the extra tasks in Label Studio",
            highlight=False,
        )
    console.print(f"wrote {report.folder}", highlight=False, soft_wrap=True)
