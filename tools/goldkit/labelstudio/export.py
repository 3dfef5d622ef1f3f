"""Download a project's tasks with their annotations: id chunks exported concurrently, in task order.

One JSON export of a big project keeps one server worker busy for the whole project (~3 ms a task on
Label Studio 1.23.2, bench/push_pull.py) while goldkit waits, then converts. The export endpoint takes
`ids[]`, so goldkit asks for the project in chunks of task ids, CONCURRENCY at a time: a server with
several workers (the embedded one runs two) exports them in parallel — each request on a connection
of its own, so no worker is left idle (client.export_project_to) — and goldkit converts one chunk
while the next ones are being exported. A small project is still one request.

Chunks are id ranges when the project's ids are dense (two one-task requests find the first and last
id; ids of other projects in a range are filtered out by the server); when they are sparse, the ids
are listed (or read from the task index push keeps). Tasks added while the chunks are exported are
fetched at the end, so a pull never stops short of the tasks that existed when it finished listing.

Bounded memory, whatever the project's size: each response is written to an anonymous temporary file
as it arrives (never held as bytes), at most CONCURRENCY + 1 chunks are downloaded ahead of the one
being converted, and a chunk is parsed back from its file incrementally with ijson (a task at a
time; BATCH tasks are handed on together), so what is held is one batch of parsed tasks, not the
export.

Changed tasks only (pull --since-last): Label Studio stamps a task's `updated_at` whenever one of its
annotations is saved or deleted (Annotation.save/delete call update_task in 1.23.2), so the data
manager's filter on it finds the tasks changed since a time, and only those ids are exported. The time
asked for is OVERLAP earlier than the mark: clocks of several app servers, and transactions that commit
after a later one, can stamp a change a little before a mark already seen.
"""

from __future__ import annotations

import json
import tempfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import IO, TYPE_CHECKING, Any

import ijson

from goldkit.errors import LabelStudioError
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import task_index

if TYPE_CHECKING:  # the SDK is heavy to import: only for type checking here
    from label_studio_sdk import LabelStudio

CHUNK = 200  # task ids per request: ~3.6 KB of query string, under common 4-8 KB request-line limits
CONCURRENCY = 2  # requests in flight: the embedded server's worker count
DENSE = 2  # id ranges while the span of ids is at most this many times the task count
ROUNDS = 3  # times the project is re-read for tasks added during the export
BATCH = 50  # parsed tasks handed on at a time (long articles: a task can be ~100 KB)
OVERLAP = timedelta(minutes=10)  # changed-task filter: this much before the mark is asked for again
ID_PAGE = 5000  # task ids per page when listing the changed tasks
DM_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # the data manager's Datetime filter format (UTC)

Tasks = list[dict[str, Any]]


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[at : at + CHUNK] for at in range(0, len(ids), CHUNK)]


def _planned_ids(client: LabelStudio, project_id: int, count: int, first: int, last: int) -> list[int]:
    """Every id to ask for: the whole range when ids are dense, else the project's listed ids."""
    if last - first + 1 <= DENSE * count:
        return list(range(first, last + 1))
    return sorted(t["id"] for t in task_index.known_tasks(client, project_id, count))


def _download(client: LabelStudio, project_id: int, chunk: list[int] | None) -> IO[bytes]:
    """The export of one chunk (None: the whole project) in an anonymous temporary file, rewound."""
    body = tempfile.TemporaryFile(prefix="goldkit-export-")  # noqa: SIM115 - handed on open, closed by _fetch
    try:
        if chunk is None or chunk:  # no ids[] at all would mean every task
            lsclient.export_project_to(client, project_id, chunk, body)
        else:
            body.write(b"[]")
        body.seek(0)
    except BaseException:
        body.close()
        raise
    return body


def parse_tasks(body: IO[bytes], project_id: int, url: str = "") -> Iterator[Tasks]:
    """Yield the exported tasks of a JSON list read incrementally from body, BATCH at a time (an empty
    list: one empty batch, so the project is still seen)."""
    head = body.read(64).lstrip()
    if not head.startswith(b"["):
        raise LabelStudioError(f"export of project {project_id} at {url} is not a JSON list", url=url)
    body.seek(0)
    batch: Tasks = []
    batches = 0
    try:
        for task in ijson.items(body, "item", use_float=True):
            batch.append(task)
            if len(batch) == BATCH:
                yield batch
                batch, batches = [], batches + 1
    except ijson.JSONError as e:
        raise LabelStudioError(f"export of project {project_id} at {url} is not valid JSON: {e}", url=url) from e
    if batch or not batches:
        yield batch


def _fetch(client: LabelStudio, project_id: int, chunks: list[list[int]] | list[None]) -> Iterator[Tasks]:
    """Download the chunks CONCURRENCY at a time, at most CONCURRENCY + 1 ahead; yield tasks in chunk order."""
    url = lsclient.client_url(client)
    pool = ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="goldkit-export")
    pending: deque[Future[IO[bytes]]] = deque()
    todo = list(reversed(chunks))
    try:
        while True:
            while len(pending) <= CONCURRENCY and todo:
                pending.append(pool.submit(_download, client, project_id, todo.pop()))
            if not pending:
                return
            with pending.popleft().result() as body:
                yield from parse_tasks(body, project_id, url)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for future in pending:  # downloaded, never read: close their files
            if future.done() and not future.cancelled() and future.exception() is None:
                future.result().close()


def export_tasks(client: LabelStudio, project_id: int) -> Iterator[Tasks]:
    """Yield every task of a project (full JSON export: annotations, predictions) in batches, in id order."""
    count, first, last = task_index.id_span(client, project_id)
    if count <= CHUNK:
        yield from _fetch(client, project_id, [None])
        return
    yield from _fetch(client, project_id, _chunks(_planned_ids(client, project_id, count, first, last)))
    for _ in range(ROUNDS):
        _, _, newest = task_index.id_span(client, project_id)
        if newest <= last:
            return
        yield from _fetch(client, project_id, _chunks(list(range(last + 1, newest + 1))))
        last = newest


def changed_task_ids(client: LabelStudio, project_id: int, since: datetime) -> list[int]:
    """Ids of the project's tasks whose `updated_at` is at or after `since` - OVERLAP (data manager filter)."""
    value = (since - OVERLAP).astimezone(UTC).strftime(DM_TIME)
    query = {"filters": {"conjunction": "and", "items": [
        {"filter": "filter:tasks:updated_at", "operator": "greater_or_equal", "type": "Datetime", "value": value}
    ]}}  # fmt: skip
    wrapper = client._client_wrapper
    http, url = wrapper.httpx_client.httpx_client, lsclient.client_url(client)
    ids: list[int] = []
    with lsclient.errors_mapped(client, what=f"list changed tasks of project {project_id}", project_id=project_id):
        for page in range(1, 1_000_000):
            params: dict[str, Any] = {"project": project_id, "fields": "task_only", "include": "id",
                                      "page": page, "page_size": ID_PAGE, "query": json.dumps(query)}  # fmt: skip
            response = http.get(f"{url}/api/tasks", params=params, headers=wrapper.get_headers())
            if response.status_code == 404 and ids:  # asked one page past the end
                break
            if response.status_code >= 400:
                raise lsclient.api_error()(
                    status_code=response.status_code, headers=dict(response.headers), body=response.text
                )
            answer = response.json()
            ids += [int(t["id"]) for t in answer["tasks"]]
            if not answer["tasks"] or len(ids) >= int(answer["total"]):
                break
    return sorted(set(ids))


def server_clock(client: LabelStudio) -> datetime | None:
    """The server's clock now, from its `Date` header (whole seconds, rounded down); None when it sends none.

    A pull's mark is never later than the server's clock when its export started: a task exported early
    in a long pull and changed (or had an annotation deleted) before the pull ended is asked for again.
    """
    wrapper = client._client_wrapper
    http, url = wrapper.httpx_client.httpx_client, lsclient.client_url(client)
    with lsclient.errors_mapped(client, what="read the server's clock"):
        response = http.get(f"{url}/api/version", headers=wrapper.get_headers())
    try:
        return parsedate_to_datetime(response.headers["date"]).astimezone(UTC)
    except (KeyError, TypeError, ValueError):
        return None


def export_ids(client: LabelStudio, project_id: int, ids: list[int]) -> Iterator[Tasks]:
    """Yield the tasks of these ids (full JSON export) in batches; no ids: one empty batch."""
    if not ids:
        yield []
        return
    yield from _fetch(client, project_id, _chunks(sorted(ids)))
