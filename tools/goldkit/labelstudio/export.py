"""Download a project's tasks with their annotations: id chunks exported concurrently, in task order.

One JSON export of a big project keeps one server worker busy for the whole project (~3 ms a task on
Label Studio 1.23.2, bench/push_pull.py) while goldkit waits, then converts. The export endpoint takes
`ids[]`, so goldkit asks for the project in chunks of task ids, CONCURRENCY at a time: a server with
several workers (the embedded one runs two) exports them in parallel, and goldkit converts one chunk
while the next ones are being exported. A small project is still one request.

Chunks are id ranges when the project's ids are dense (two one-task requests find the first and last
id; ids of other projects in a range are filtered out by the server); when they are sparse, the ids
are listed (or read from the task index push keeps). Tasks added while the chunks are exported are
fetched at the end, so a pull never stops short of the tasks that existed when it finished listing.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import task_index

if TYPE_CHECKING:  # the SDK is heavy to import: only for type checking here
    from label_studio_sdk import LabelStudio

CHUNK = 200  # task ids per request: ~3.6 KB of query string, under common 4-8 KB request-line limits
CONCURRENCY = 2  # requests in flight: the embedded server's worker count
DENSE = 2  # id ranges while the span of ids is at most this many times the task count
ROUNDS = 3  # times the project is re-read for tasks added during the export

Tasks = list[dict[str, Any]]


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[at : at + CHUNK] for at in range(0, len(ids), CHUNK)]


def _planned_ids(client: LabelStudio, project_id: int, count: int, first: int, last: int) -> list[int]:
    """Every id to ask for: the whole range when ids are dense, else the project's listed ids."""
    if last - first + 1 <= DENSE * count:
        return list(range(first, last + 1))
    return sorted(t["id"] for t in task_index.known_tasks(client, project_id, count))


def _fetch(client: LabelStudio, project_id: int, chunks: list[list[int]]) -> Iterator[Tasks]:
    """Export the chunks CONCURRENCY at a time; yield each one's tasks in chunk order."""
    pool = ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="goldkit-export")
    try:
        futures = [pool.submit(lsclient.export_project_json, client, project_id, chunk) for chunk in chunks]
        for future in futures:
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def export_tasks(client: LabelStudio, project_id: int) -> Iterator[Tasks]:
    """Yield every task of a project (full JSON export: annotations, predictions) in chunks."""
    count, first, last = task_index.id_span(client, project_id)
    if count <= CHUNK:
        yield lsclient.export_project_json(client, project_id)
        return
    yield from _fetch(client, project_id, _chunks(_planned_ids(client, project_id, count, first, last)))
    for _ in range(ROUNDS):
        _, _, newest = task_index.id_span(client, project_id)
        if newest <= last:
            return
        yield from _fetch(client, project_id, _chunks(list(range(last + 1, newest + 1))))
        last = newest
