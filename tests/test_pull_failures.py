"""A Label Studio that dies in the middle of a pull: a clear error naming the server and the fix, no
partial pull folder, and the next pull (server back) gets every annotation.

The failure is real: a small HTTP relay in front of the session's real server forwards requests until
the first export starts, then cuts every connection, as a crashed or restarted server does.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from goldkit import pull, push
from goldkit.cli.errors import hint_for
from goldkit.errors import LabelStudioError
from goldkit.ingest.documents import load_documents
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio.convert import record_to_results

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parent.parent


class _Relay(BaseHTTPRequestHandler):
    upstream = ""
    dead = threading.Event()

    def _relay(self) -> None:
        if "/export" in self.path:
            self.dead.set()  # the server "dies" as the export starts
        if self.dead.is_set():
            self.close_connection = True
            self.connection.shutdown(2)  # no answer at all
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        answer = httpx.request(self.command, self.upstream + self.path, headers=headers, content=body, timeout=60)
        self.send_response(answer.status_code)
        for key, value in answer.headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "content-encoding", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = do_PATCH = _relay

    def log_message(self, *args: Any) -> None:
        pass


def test_server_dying_midway_leaves_no_partial_pull_and_loses_nothing(ls_server: Any, tmp_path: Path) -> None:
    prefix = f"dies-{uuid.uuid4().hex[:6]}"
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    documents = load_documents(REPO / "annotations" / "documents.jsonl")
    english = next(d for d in documents.values() if d["language"] == "en")
    report = push.push([english], client=admin, project_prefix=prefix)
    task_id = report.projects[0].task_ids[english["id"]]
    record = json.loads((REPO / "annotations" / "gold" / f"{english['id']}.json").read_text(encoding="utf-8"))
    lsclient.connect(ls_server.url, ls_server.annotators[0].token).annotations.create(
        id=task_id, result=record_to_results(record)
    )

    _Relay.upstream, _Relay.dead = ls_server.url, threading.Event()
    relay = ThreadingHTTPServer(("127.0.0.1", 0), _Relay)
    threading.Thread(target=relay.serve_forever, daemon=True).start()
    relay_url = f"http://127.0.0.1:{relay.server_address[1]}"
    try:
        with pytest.raises(LabelStudioError) as error:
            pull.pull(client=lsclient.connect(relay_url, ls_server.api_key), out_root=tmp_path, project_prefix=prefix)
    finally:
        relay.shutdown()
    assert relay_url in error.value.message and "export project" in error.value.message
    assert "goldkit server start" in hint_for(error.value) or "LABEL_STUDIO_URL" in hint_for(error.value)
    assert not [p for p in tmp_path.iterdir()], "a failed pull must leave nothing behind"

    again = pull.pull(client=admin, out_root=tmp_path, project_prefix=prefix)  # the server is back
    assert again.total("valid") == 1 and again.total("quarantined") == 0
