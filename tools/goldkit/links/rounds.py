"""The link answers of every round: the newest link pull of each Label Studio server, the servers together.

A link pull (`goldkit pull --links`) is a full export of one server's linking projects, so a later pull of
the same server holds every answer of an earlier one (and leaves out what was deleted there): per server,
only its newest pull counts. A new server (a fresh machine, a further link round) numbers its projects,
tasks and annotations from 1 again: its pulls hold only its own tasks, and its ids say nothing about an
earlier server's. So the servers' answers are combined by what an answer is — its pair (the two mentions)
and its annotator — never by Label Studio ids; an annotator who answered one pair on two servers has
answered it again, and the later server's answer counts (a changed answer is named in `reanswered`, never
silently).

Which pulls come from one server: a link pull's manifest names its linking projects (`server.projects`:
id and creation time); two pulls sharing a project (same id, same creation time) are one server. A pull
written before the manifest carried that (no `server`) is known by its URL and its projects' ids and titles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldkit.clusters import connected_components
from goldkit.jsonio import iter_jsonl, read_json
from goldkit.paths import LINKS_FILE, MANIFEST_FILE, link_pulls_dir
from goldkit.pulls import newest_link_pull_folder

PairEnds = tuple[tuple[str, str], tuple[str, str]]


def ends(link: dict[str, Any]) -> PairEnds:
    """A link's two mentions, (document_id, id) each."""
    return (link["source"]["document_id"], link["source"]["id"]), (link["target"]["document_id"], link["target"]["id"])


@dataclass
class LinkRounds:
    """The link answers that count, and where they came from."""

    links: list[dict[str, Any]]  # one per (pair, annotator)
    servers: list[list[str]] = field(default_factory=list)  # each server's pulls (folder names), oldest first
    read: list[str] = field(default_factory=list)  # the pull read for each server (its newest), in that order
    reanswered: list[dict[str, Any]] = field(default_factory=list)  # a pair one annotator answered on two servers

    def to_dict(self) -> dict[str, Any]:
        return {"answers": len(self.links), "servers": self.servers, "read": self.read,
                "reanswered": self.reanswered}  # fmt: skip


def _stamps(folder: Path) -> set[tuple[str, ...]]:
    """What tells this pull's server apart: its linking projects (id, creation time), else URL, id and title."""
    manifest = read_json(folder / MANIFEST_FILE) if (folder / MANIFEST_FILE).is_file() else None
    if manifest is None:
        return {("file", str(folder))}  # a folder of link records made by hand: a server of its own
    server = manifest.get("server") or {}
    if server.get("projects"):
        return {("project", str(p["id"]), str(p["created_at"])) for p in server["projects"]}
    url = str((manifest.get("label_studio") or {}).get("url"))
    return {("legacy", url, str(p["project_id"]), str(p["title"])) for p in manifest.get("projects") or []}


def _time(folder: Path) -> tuple[str, str]:
    manifest = read_json(folder / MANIFEST_FILE) if (folder / MANIFEST_FILE).is_file() else {}
    return str(manifest.get("time", "")), folder.name


def link_pull_folders(root: Path | None = None) -> list[Path]:
    """Every link pull folder under the link pulls' root, by name (pull ids sort by time)."""
    root = root or link_pulls_dir()
    return sorted(p for p in root.glob("*") if (p / LINKS_FILE).is_file()) if root.is_dir() else []


def servers(folders: Sequence[Path]) -> list[list[Path]]:
    """Group pull folders by the server they were pulled from; each group oldest first, groups by their newest."""
    by_stamp: dict[tuple[str, ...], list[Path]] = {}
    for folder in folders:
        for stamp in _stamps(folder):
            by_stamp.setdefault(stamp, []).append(folder)
    joined = [(a, b) for group in by_stamp.values() for a, b in zip(group, group[1:], strict=False)]
    groups = [sorted(g, key=_time) for g in connected_components(list(folders), joined)]
    return sorted(groups, key=lambda g: _time(g[-1]))


def current_link_answers(sources: Sequence[Path] = (), root: Path | None = None) -> LinkRounds:
    """The answers that count: each server's newest pull (of `sources`, else of every link pull), combined.

    A file in `sources` (not a pull folder) is read whole, as one server of its own.
    """
    folders = [s for s in sources if s.is_dir()] if sources else link_pull_folders(root)
    if not sources and not folders:
        newest_link_pull_folder(root)  # raises: no link pull yet, with the hint to make one
    files = [s for s in sources if not s.is_dir()]
    groups = servers(folders)
    rounds = LinkRounds([], [[f.name for f in g] for g in groups], [g[-1].name for g in groups])
    current: dict[tuple[PairEnds, str], dict[str, Any]] = {}
    for name, links in [(str(g[-1]), _read(g[-1] / LINKS_FILE)) for g in groups] + [(str(f), _read(f)) for f in files]:
        this_round: dict[tuple[PairEnds, str], dict[str, Any]] = {}
        for link in links:
            this_round[(ends(link), link["provenance"]["annotator"])] = link  # a later line of one pull wins
        for key, link in this_round.items():
            if key in current and current[key]["relation"] != link["relation"]:
                before = current[key]["relation"]
                rounds.reanswered.append({"source": key[0][0], "target": key[0][1], "annotator": key[1],
                                          "before": before, "after": link["relation"], "pull": name})  # fmt: skip
            current[key] = link
    rounds.links = sorted(current.values(), key=lambda lk: (lk["id"], lk["provenance"]["annotator"]))
    return rounds


def _read(path: Path) -> list[dict[str, Any]]:
    return [link for _, link in iter_jsonl(path)]


def answered_pairs(gold_links: Iterable[dict[str, Any]], rounds: LinkRounds | None = None) -> set[PairEnds]:
    """The pairs a further round must not ask again: every gold link's, and every pair anyone answered."""
    return {ends(link) for link in gold_links} | {ends(link) for link in (rounds.links if rounds else [])}
