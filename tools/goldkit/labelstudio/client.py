"""Talk to Label Studio: one `connect()` that finds the URL and token, and maps failures to goldkit errors.

URL and key come from the arguments, else LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY, else (the URL)
the project's goldkit.toml [labelstudio] url, else the embedded server's credentials file. The key
is a legacy token (40 hex, sent as `Token …`) or a personal access token (a JWT refresh token: the
SDK trades it for access tokens at /api/token/refresh/ and sends `Bearer …`). The key is never printed.

Retries: only idempotent GETs are retried (transport errors, 429, 502–504, with backoff); the SDK's
own retry, which would repeat POSTs, is switched off.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

import httpx

from goldkit.config import current_config
from goldkit.errors import AuthError, ConfigError, LabelStudioError, NotFound, ServerNotRunning

if TYPE_CHECKING:  # the SDK is heavy to import: loaded when a client is made
    from label_studio_sdk import LabelStudio
    from label_studio_sdk.core.api_error import ApiError

TIMEOUT_S = 600.0  # big exports take minutes; the SDK's default 60 s is too short
GET_RETRIES = 3
RETRY_STATUSES = {429, 502, 503, 504}

T = TypeVar("T")


class GetRetryTransport(httpx.HTTPTransport):
    """Retry GET requests on transport errors and 429/502/503/504 with exponential backoff; nothing else."""

    def __init__(self, retries: int = GET_RETRIES, backoff_s: float = 0.25, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.retries = retries
        self.backoff_s = backoff_s

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET":
            return super().handle_request(request)
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = super().handle_request(request)
            except (httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError):
                if last:
                    raise
            else:
                if response.status_code not in RETRY_STATUSES or last:
                    return response
                response.close()
            time.sleep(self.backoff_s * 2**attempt)
        raise AssertionError("unreachable")


def api_error() -> type[ApiError]:
    """The SDK's ApiError class (imported on first use: the SDK is heavy)."""
    from label_studio_sdk.core.api_error import ApiError

    return ApiError


def token_kind(api_key: str) -> str:
    """Name the kind of key: a JWT has three dot-separated parts, a legacy token is one hex string."""
    return "personal access token (JWT)" if api_key.count(".") == 2 else "legacy token"


def resolve(url: str | None = None, api_key: str | None = None) -> tuple[str, str]:
    """Find the URL and key: arguments, then the environment, then the embedded server's credentials."""
    from goldkit.labelstudio import server

    url = url or os.environ.get("LABEL_STUDIO_URL") or current_config().labelstudio.url
    api_key = api_key or os.environ.get("LABEL_STUDIO_API_KEY")
    if not url or not api_key:
        running = server.running_server()
        credentials = server.load_credentials()
        if not url and running:
            url = running["url"]
        if not api_key and credentials and (not url or url == (running or {}).get("url")):
            api_key = credentials.admin.token
    if not url:
        raise ServerNotRunning(
            "no Label Studio URL: LABEL_STUDIO_URL is not set and the embedded server is not running"
        )
    if not api_key:
        raise ConfigError(
            f"no API key for {url}: LABEL_STUDIO_API_KEY is not set",
            missing="LABEL_STUDIO_API_KEY",
            url=url,
        )
    return url.rstrip("/"), api_key


def connect(url: str | None = None, api_key: str | None = None, *, check: bool = True) -> LabelStudio:
    """Return a LabelStudio client for url/key (found as `resolve` says); check they work unless told not to."""
    url, api_key = resolve(url, api_key)
    http = httpx.Client(timeout=TIMEOUT_S, follow_redirects=True, transport=GetRetryTransport())
    from label_studio_sdk import LabelStudio

    try:  # the SDK reads a personal access token's expiry here and refuses an expired one
        client = LabelStudio(base_url=url, api_key=api_key, timeout=TIMEOUT_S, max_retries=0, httpx_client=http)
    except api_error() as e:
        raise translate(e, url, api_key, "read the API key") from e
    client.goldkit_url = url  # type: ignore[attr-defined]  # for error messages
    if check:
        check_label_studio(http, url)
        try:
            call(client, lambda: client.users.whoami(), what="check the API key")
        except ValueError as e:  # an answer that is not Label Studio's JSON (a token refresh included)
            raise not_label_studio(url, "its API answered with something that is not Label Studio's JSON") from e
    return client


def not_label_studio(url: str, why: str) -> LabelStudioError:
    """The error for a URL where some HTTP server answers, but not Label Studio."""
    return LabelStudioError(
        f"the server at {url} is not Label Studio: {why}",
        hint="check LABEL_STUDIO_URL (or --url): the address you open Label Studio at, e.g. http://127.0.0.1:8080",
        url=url,
        not_label_studio=True,
    )


def check_label_studio(http: httpx.Client, url: str) -> None:
    """Raise unless `url` answers like Label Studio: GET /api/version gives its release (401/403: whoami says)."""
    try:
        response = http.get(f"{url}/api/version")
    except httpx.HTTPError as e:
        raise translate(e, url, what="read the server version") from e
    if response.status_code in (401, 403):
        return  # it wants a login: the key check that follows names the problem
    kind = response.headers.get("content-type", "?").split(";")[0]
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code != 200 or not isinstance(answer, dict) or "release" not in answer:
        raise not_label_studio(url, f"GET /api/version answered HTTP {response.status_code} ({kind}), not its version")


def client_url(client: LabelStudio) -> str:
    return str(getattr(client, "goldkit_url", None) or client._client_wrapper.get_base_url())


def _api_key(client: LabelStudio) -> str:
    return str(client._client_wrapper._tokens_client.api_key)


def translate(
    error: Exception, url: str, api_key: str = "", what: str = "", project_id: int | None = None
) -> Exception:
    """Turn a transport or API failure into the goldkit error that says what to do next."""
    doing = f" ({what})" if what else ""
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
        return ServerNotRunning(
            f"Label Studio is not answering at {url} — start it with: goldkit server start",
            hint="or use another server: set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY (or pass --url)",
            url=url,
        )
    if isinstance(error, httpx.TimeoutException):
        return ServerNotRunning(f"Label Studio at {url} did not answer in time{doing}", url=url)
    if isinstance(error, api_error()):
        body = error.body if isinstance(error.body, str) else json.dumps(error.body, default=str)[:500]
        if error.status_code == 401:
            kind = token_kind(api_key) if api_key else "API key"
            return AuthError(f"Label Studio at {url} refused the {kind}{doing}: {body}", url=url, token_kind=kind)
        if error.status_code == 404 and project_id is not None:
            return NotFound(f"Label Studio at {url} has no project {project_id}", url=url, project_id=project_id)
        if error.status_code == 404:
            return NotFound(f"not found at {url}{doing}: {body}", url=url)
        return LabelStudioError(f"Label Studio at {url} answered HTTP {error.status_code}{doing}: {body}", url=url)
    if isinstance(error, httpx.HTTPError):
        return LabelStudioError(f"talking to Label Studio at {url} failed{doing}: {error}", url=url)
    return error


def call(client: LabelStudio, fn: Callable[[], T], *, what: str = "", project_id: int | None = None) -> T:
    """Run one SDK call, raising goldkit errors instead of httpx/SDK ones."""
    try:
        return fn()
    except (api_error(), httpx.HTTPError) as e:
        raise translate(e, client_url(client), _api_key(client), what, project_id) from e


@contextmanager
def errors_mapped(client: LabelStudio, what: str = "", project_id: int | None = None) -> Iterator[None]:
    """Map httpx/SDK failures in the block to goldkit errors."""
    try:
        yield
    except (api_error(), httpx.HTTPError) as e:
        raise translate(e, client_url(client), _api_key(client), what, project_id) from e


def projects_by_title(client: LabelStudio, titles: Iterable[str], *, hint: str) -> dict[str, Any | None]:
    """Find projects by exact title with one request; two projects with one title is a conflict.

    The server's `title` filter matches substrings, so one request with the titles' common prefix finds
    them all (the SDK's pager would also ask for a page past the last, which answers 404).
    """
    from goldkit.errors import ConflictError

    wanted = sorted(set(titles))
    wrapper = client._client_wrapper
    http = wrapper.httpx_client.httpx_client
    next_url: str | None = f"{client_url(client)}/api/projects/"
    params: dict[str, Any] | None = {"title": os.path.commonprefix(wanted), "page_size": 100}
    listed: list[dict[str, Any]] = []
    with errors_mapped(client, what="list projects"):
        while next_url:
            response = http.get(next_url, params=params, headers=wrapper.get_headers())
            if response.status_code >= 400:
                raise api_error()(status_code=response.status_code, headers=dict(response.headers), body=response.text)
            page = response.json()
            listed += page["results"]
            next_url, params = page.get("next"), None  # `next` carries the query
    found = {title: [SimpleNamespace(**p) for p in listed if p.get("title") == title] for title in wanted}
    for title, projects in found.items():
        if len(projects) > 1:
            raise ConflictError(
                f"{len(projects)} Label Studio projects are titled {title!r} (ids {[p.id for p in projects]})",
                hint=hint,
                project_ids=[p.id for p in projects],
            )
    return {title: projects[0] if projects else None for title, projects in found.items()}


EXPORT_HEADERS = {"Connection": "close"}  # one connection per export request: see export_project_to


def export_project_to(client: LabelStudio, project_id: int, task_ids: Sequence[int] | None, sink: BinaryIO) -> None:
    """Write the JSON export of a project (all tasks, or those of `task_ids`) into sink as it arrives.

    Uses `GET /api/projects/{id}/export?exportType=JSON&download_all_tasks=true[&ids[]=…]` (never
    JSON_MIN, which drops region ids and relations); ids of other projects are ignored by the server.
    The SDK's auth headers are reused, so JWT keys are refreshed. The body is never held whole here.
    Each export is asked on a connection of its own (`Connection: close`): a kept-alive connection
    stays with the server process that accepted it (a gunicorn worker; an app server, behind a load
    balancer that balances connections), so the chunks goldkit keeps in flight could queue on one
    process while another is idle.
    """
    url = client_url(client)
    wrapper = client._client_wrapper
    params: dict[str, Any] = {"exportType": "JSON", "download_all_tasks": "true"}
    if task_ids is not None:
        params["ids[]"] = list(task_ids)
    http = wrapper.httpx_client.httpx_client
    endpoint = f"{url}/api/projects/{project_id}/export"
    with (
        errors_mapped(client, what=f"export project {project_id}", project_id=project_id),
        http.stream("GET", endpoint, params=params, headers={**wrapper.get_headers(), **EXPORT_HEADERS}) as response,
    ):
        if response.status_code >= 400:
            response.read()
            raise api_error()(status_code=response.status_code, headers=dict(response.headers), body=response.text)
        for block in response.iter_bytes():
            sink.write(block)


def export_project_json(
    client: LabelStudio, project_id: int, task_ids: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """Download the tasks of a project (all, or those of `task_ids`) with full annotations and predictions.

    Held in memory whole: for small projects (push's checks, link projects). Pulls stream through
    goldkit.labelstudio.export instead.
    """
    if task_ids is not None and not task_ids:
        return []  # no ids[] at all would mean every task
    body = io.BytesIO()
    export_project_to(client, project_id, task_ids, body)
    tasks = json.loads(body.getvalue())
    if not isinstance(tasks, list):
        url = client_url(client)
        raise LabelStudioError(f"export of project {project_id} at {url} is not a JSON list", url=url)
    return tasks
