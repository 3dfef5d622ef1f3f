"""`goldkit links candidates`, and the --links parts of pull, agree and adjudicate: cross-document links."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from goldkit import paths
from goldkit.cli.options import CONTEXT_SETTINGS, JsonOption, ProjectPrefixOption, UrlOption
from goldkit.cli.output import console, emit_json, err_console, show
from goldkit.jsonio import dumps, iter_jsonl, read_json, read_records, write_jsonl
from goldkit.labelstudio.projects import configured_prefix

links_app = typer.Typer(
    help="Cross-document links: candidate pairs of events and claims across documents and languages.\n\n"
    "Example: goldkit links candidates",
    no_args_is_help=True,
    context_settings=CONTEXT_SETTINGS,
)

RecordsArgument = Annotated[
    Path | None,
    typer.Option("--records", help="Annotation records to propose pairs from (default: annotations/gold/)."),
]


def register(app: typer.Typer) -> None:
    app.add_typer(links_app, name="links")


def annotation_records(source: Path | None) -> list[dict[str, Any]]:
    """Annotation records from a folder or file (gold sidecars and link files are skipped)."""
    source = source or paths.gold_dir()
    files = sorted(source.glob("*.json*")) if source.is_dir() else [source]
    return [
        record
        for file in files
        if not file.name.endswith(paths.ADJUDICATION_SUFFIX)
        for _, record in read_records(file)
        if isinstance(record, dict) and record.get("record_type") == "annotation"
    ]


@links_app.command("candidates")
def candidates_cli(
    records: RecordsArgument = None,
    limit: int = typer.Option(30, "--limit", help="Rows to show (the report keeps them all)."),
    min_score: float | None = typer.Option(None, "--min-score", help="Ask only about pairs scoring this much."),
    per_mention: int | None = typer.Option(
        None, "--per-mention", min=0, help="At most this many pairs per mention (0: no cap)."
    ),
    explain: bool = typer.Option(False, "--explain", help="Also list the dropped pairs and why each went."),
    new_only: bool = typer.Option(
        False, "--new-only", help="Leave out pairs already answered (gold links, link pulls), as push --links does."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Show the event and claim pairs goldkit would ask annotators to link, with the reasons.

    Pairs are ranked by score and capped (a score threshold and a limit per mention); --explain says
    for every other pair why it was dropped. --new-only shows what `goldkit push --links` would ask
    now: the pairs answered before are left out first (and counted).

    Example: goldkit links candidates --explain --limit 10
    Example: goldkit links candidates --new-only --min-score 0.39
    """
    from goldkit.links import candidates as ranking

    report = ranking.candidate_pairs(
        annotation_records(records),
        min_score=ranking.MIN_SCORE if min_score is None else min_score,
        per_mention=ranking.PER_MENTION if per_mention is None else (per_mention or None),
        answered=answered_before() if new_only else (),
    )
    if as_json:
        emit_json(report.to_dict())
        return
    console.print(
        f"{len(report.groups)} story group(s); compared {report.compared_event_pairs} event and "
        f"{report.compared_claim_pairs} claim pair(s); {len(report.candidates)} candidate(s) kept "
        f"(score ≥ {report.min_score:.2f}, ≤ {report.per_mention or 'any'} per mention), {len(report.dropped)} dropped"
        + (f", {len(report.answered)} answered before" if new_only else ""),
        highlight=False,
    )
    rows = [(c, "kept: " + "; ".join(c.reasons)) for c in report.candidates[:limit]]
    if explain:
        rows += [(d.candidate, f"dropped: {d.why} (had: {'; '.join(d.candidate.reasons)})") for d in report.dropped]
    table = Table()
    for column in ("kind", "source", "target", "score", "why"):
        table.add_column(column, overflow="fold")
    for cand, why in rows:
        source, target = (f"{ref.document_id}:{ref.id}" for ref in (cand.source, cand.target))
        table.add_row(cand.kind, source, target, f"{cand.score:.2f}", why)
    console.print(table)


_SHEET_OUT = typer.Option(..., "--out", help="JSON file to write the link tasks to.")
_ANSWERS = typer.Argument(..., help='JSON: {"<task id>": {"choice": "<relation>", "note": "..."}, ...}.')
_ACCOUNT = typer.Option(..., "--as", help="The annotator account the answers are made by.")


@links_app.command("sheet")
def sheet_cli(
    out: Path = _SHEET_OUT,
    url: str | None = UrlOption,
    project_prefix: str | None = ProjectPrefixOption,
    as_json: bool = JsonOption,
) -> None:
    """Write the linking projects' tasks as Label Studio shows them, for annotators who answer offline.

    Per task: its Label Studio id, the question, both mentions in their context (article, language, writing
    direction), why goldkit proposed the pair, the choices with their hints; and each kind's instructions.
    No mention or pair ids, no scores, no earlier answers. Answers come back with `goldkit links submit`.

    Example: goldkit links sheet --out link-tasks.json
    """
    from goldkit.links.sheet import answer_sheet

    sheet = answer_sheet(project_prefix=configured_prefix(project_prefix), client=_client(url))
    out.write_text(dumps(sheet), encoding="utf-8")
    show(
        {"out": str(out), "tasks": len(sheet["tasks"])},
        as_json,
        lambda: console.print(
            f"{len(sheet['tasks'])} link task(s) → {out}; answers go in with: goldkit links submit", highlight=False
        ),
    )


@links_app.command("submit")
def submit_cli(
    answers: Path = _ANSWERS,
    account: str = _ACCOUNT,
    url: str | None = UrlOption,
    project_prefix: str | None = ProjectPrefixOption,
    as_json: bool = JsonOption,
) -> None:
    """Submit one annotator's link answers made offline as that account's annotations, through the API.

    Each answer becomes an annotation of its link task made with the account's own token (as
    `goldkit server add-user` stored it): the relation choice and the note, as the browser makes them.
    Every answer is checked first (a linking task, a relation its kind allows); nothing is submitted if
    one fails. A task the account already answered is left alone and reported.

    Example: goldkit links submit answers-A.json --as pass.a@goldkit.local
    """
    from goldkit.links.sheet import submit_answers

    report = submit_answers(read_json(answers), account, url=url, project_prefix=configured_prefix(project_prefix))

    def talk() -> None:
        for task_id, existing in sorted(report.already_there.items()):
            console.print(f"task {task_id}: {account} already answered it ({existing}); left alone", highlight=False)
        console.print(
            f"submitted {len(report.submitted)}, already there {len(report.already_there)} as {account} "
            "→ next: goldkit pull --links",
            highlight=False,
        )

    show(report.to_dict(), as_json, talk)


def _client(url: str | None) -> Any:
    from goldkit.labelstudio import client as lsclient

    return lsclient.connect(url)


def answered_before() -> set[tuple[tuple[str, str], tuple[str, str]]]:
    """The pairs answered before: the gold links' and every pair in the link pulls (each server's newest)."""
    from goldkit.links.rounds import answered_pairs, current_link_answers, link_pull_folders

    gold = paths.gold_dir() / paths.LINKS_FILE
    gold_links = [link for _, link in iter_jsonl(gold)] if gold.is_file() else []
    return answered_pairs(gold_links, current_link_answers() if link_pull_folders() else None)


def pull_links_cli(url: str | None, project_prefix: str, as_json: bool) -> None:
    """`goldkit pull --links`."""
    from goldkit.cli.reports import print_summary
    from goldkit.links.sync import pull_links

    report = pull_links(url=url, project_prefix=project_prefix)
    show({"folder": str(report.folder), **report.manifest(), "kind": "links"}, as_json, lambda: print_summary(report))


def _links(sources: list[Path]) -> list[dict[str, Any]]:
    """The link answers that count: each server's newest pull of `sources` (default: every link pull), combined."""
    from goldkit.links.rounds import current_link_answers

    rounds = current_link_answers(sources)
    for item in rounds.reanswered:
        err_console.print(
            f"answered again: {item['source'][1]} ~ {item['target'][1]} by {item['annotator']}: "
            f"{item['before']} → {item['after']} ({item['pull']}); the later answer counts",
            highlight=False,
        )
    return rounds.links


def agree_links_cli(sources: list[Path], as_json: bool) -> None:
    """`goldkit agree --links`: α on the pair labels; MUC, B³, CEAF-e and CoNLL F1 on same-event clusters."""
    from goldkit.links.agreement import link_agreement

    report = link_agreement(_links(sources))
    if as_json:
        emit_json(report.to_dict())
        return
    from goldkit.agreement.bootstrap import interval_text, method, method_line

    alpha = "—" if report.alpha is None else f"{report.alpha:.3f}"
    observed = "—" if report.observed is None else f"{report.observed:.3f}"
    console.print(
        f"Link pairs: {report.units} ({report.pairable_units} with two or more answers); "
        f"Krippendorff's α (nominal) {alpha}, 95% CI {interval_text(report.alpha_ci)}, "
        f"observed agreement {observed} {report.note}",
        highlight=False,
    )
    console.print(method_line(method()), highlight=False)
    table = Table(title="Same-event clusters between annotators (F1; every mention of the event pairs both answered)")
    for column in ("pair", "MUC", "B³", "CEAF-e", "CoNLL F1", "mentions"):
        table.add_column(column)
    for pair, s in report.coreference.items():
        f1 = [f"{s[name]['f1']:.3f}" for name in ("muc", "b_cubed", "ceaf_e")]
        table.add_row(pair, *f1, f"{s['conll_f1']:.3f}", str(s["mentions"]))
    console.print(table)


def adjudicate_links_cli(
    sources: list[Path], min_votes: int | None, out: Path | None, force: bool, as_json: bool
) -> None:
    """`goldkit adjudicate --links --strategy majority`: majority per pair into the gold links."""
    from goldkit.errors import ValidationError
    from goldkit.links.agreement import adjudicate_links, merge_gold_links
    from goldkit.schema.validate import validate_links

    result = adjudicate_links(_links(sources), min_votes=min_votes or 2)
    target = (out or paths.gold_dir()) / "links.jsonl"
    existing = [link for _, link in iter_jsonl(target)] if target.is_file() else []
    merged = merge_gold_links(existing, result.gold, force=force)
    records = {r["document_id"]: r for r in annotation_records(out or paths.gold_dir())}
    problems = validate_links(merged, records)
    if problems:
        raise ValidationError(f"{len(problems)} problem(s) in the adjudicated links; nothing written", problems)
    write_jsonl(target, merged)
    summary = {"gold": len(result.gold), "unresolved": result.unresolved, "rejected": result.rejected,
               "written": str(target), "links_in_gold": len(merged)}  # fmt: skip
    if as_json:
        emit_json(summary)
        return
    console.print(
        f"{len(result.gold)} link(s) adjudicated into {target} ({len(merged)} in gold); "
        f"{len(result.unresolved)} unresolved, {len(result.rejected)} with outvoted answers",
        highlight=False,
    )
    for item in result.unresolved:
        console.print(
            f"  unresolved {item['source'][1]} ~ {item['target'][1]}: {item['reason']}, votes {item['votes']}"
        )
