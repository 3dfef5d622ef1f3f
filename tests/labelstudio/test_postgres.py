"""Label Studio on PostgreSQL: settings, the cluster goldkit runs itself, and push/pull on both databases."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from goldkit import paths, pull, push
from goldkit.cli.main import main
from goldkit.errors import ConfigError
from goldkit.ingest.documents import ingest
from goldkit.jsonio import iter_jsonl
from goldkit.labelstudio import client as lsclient
from goldkit.labelstudio import postgres, server
from goldkit.labelstudio.convert import record_to_results
from goldkit.paths import corpus_dir

GOLD = Path(__file__).resolve().parents[2] / "annotations" / "gold"
HAS_POSTGRES = bool(list(Path("/usr/lib/postgresql").glob("*/bin/initdb")))

# ---------------------------------------------------------------- unit


def test_database_url_is_read_and_never_shown_with_its_password() -> None:
    settings = postgres.DatabaseSettings.from_url("postgresql://ls:s%40cret@db.internal:6543/labels")
    assert (settings.user, settings.password, settings.host, settings.port, settings.name) == (
        "ls", "s@cret", "db.internal", 6543, "labels"
    )  # fmt: skip
    assert not settings.managed
    assert "s@cret" not in settings.describe() and "secret" not in settings.describe()
    assert settings.label_studio_env() == {
        "DJANGO_DB": "postgresql", "POSTGRE_NAME": "labels", "POSTGRE_USER": "ls", "POSTGRE_PASSWORD": "s@cret",
        "POSTGRE_HOST": "db.internal", "POSTGRE_PORT": "6543",
    }  # fmt: skip
    assert postgres.redact("postgresql://ls:pw@h/d") == "postgresql://ls:***@h/d"


@pytest.mark.parametrize("url", ["mysql://u:p@h/d", "postgresql://h/d", "postgresql://u:p@h/", "not a url"])
def test_a_database_url_without_user_host_or_name_is_refused(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        postgres.DatabaseSettings.from_url(url)
    assert "postgresql://USER:PASSWORD@HOST:PORT/DATABASE" in caught.value.message
    assert ":p@" not in json.dumps(caught.value.to_dict())


def test_a_new_state_folder_gets_sqlite_unless_postgresql_is_asked_for() -> None:
    assert postgres.choose(None, None, None, has_sqlite_data=False) is None
    assert postgres.choose(None, "sqlite", None, has_sqlite_data=False) is None
    managed = postgres.choose(None, "postgresql", None, has_sqlite_data=False)
    assert managed is not None and managed.managed and managed.host == "127.0.0.1"
    other = postgres.choose(None, "postgresql", None, has_sqlite_data=False)
    assert other is not None and len(managed.password) == 32 and managed.password != other.password
    assert managed.superuser_password and managed.superuser_password != managed.password


def test_a_state_folder_keeps_the_database_it_was_made_with() -> None:
    recorded = postgres.DatabaseSettings("127.0.0.1", 5999, "labelstudio", "labelstudio", "pw", True, "su").to_dict()
    assert postgres.choose(recorded, None, None, has_sqlite_data=False) == postgres.DatabaseSettings.from_dict(recorded)
    with pytest.raises(ConfigError, match="keeps its data in postgresql, not sqlite"):
        postgres.choose(recorded, "sqlite", None, has_sqlite_data=False)
    with pytest.raises(ConfigError, match="keeps its data in sqlite, not postgresql"):
        postgres.choose(None, "postgresql", None, has_sqlite_data=True)
    with pytest.raises(ConfigError, match="uses postgresql://labelstudio@127.0.0.1"):
        postgres.choose(recorded, None, "postgresql://u:p@elsewhere/db", has_sqlite_data=False)
    with pytest.raises(ConfigError, match="unknown database 'mysql'"):
        postgres.choose(None, "mysql", None, has_sqlite_data=False)


def test_database_settings_live_in_the_private_credentials_file(tmp_path: Path) -> None:
    paths_ = server.ServerPaths(tmp_path / "state", tmp_path / "venv")
    credentials = server.Credentials.generate()
    settings = postgres.choose(None, "postgresql", None, has_sqlite_data=False)
    assert settings is not None
    credentials.database = settings.to_dict()
    server.save_credentials(paths_, credentials)
    assert stat.S_IMODE(paths_.credentials.stat().st_mode) == 0o600
    loaded = server.load_credentials(paths_)
    assert loaded is not None and loaded.database == settings.to_dict()
    report = server.status(paths_)
    assert report.database.startswith("postgresql (managed by goldkit") and "stopped" in report.database
    assert settings.password not in json.dumps(report.__dict__)
    plain = server.Credentials.from_dict({"admin": credentials.to_dict()["admin"]})  # a file from before: SQLite
    assert plain.database is None and "database" not in plain.to_dict()


def test_the_cluster_owner_must_be_able_to_enter_every_folder_above_it(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    (closed / "inside").mkdir(parents=True)
    closed.chmod(0o700)
    with pytest.raises(postgres.PostgresError) as caught:
        postgres.check_reachable(closed / "inside", "nobody")
    assert caught.value.facts["path"] == str(closed)
    assert f"chmod o+x {closed}" in caught.value.hint


# ---------------------------------------------------------------- the cluster alone (real PostgreSQL)


@pytest.fixture
def enterable_tmp() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="goldkit-pg-unit-"))
    root.chmod(0o711)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _psql(
    settings: postgres.DatabaseSettings, password: str, sql: str, user: str | None = None
) -> subprocess.CompletedProcess[str]:
    command = [str(postgres.bin_dir() / "psql"), "-X", "-At", "-h", settings.host, "-p", str(settings.port)]
    command += ["-U", user or settings.user, "-d", settings.name, "-c", sql]
    return subprocess.run(command, capture_output=True, text=True, env={"PGPASSWORD": password, "PATH": "/usr/bin"})


@pytest.mark.integration
@pytest.mark.skipif(not HAS_POSTGRES, reason="PostgreSQL is not installed (make postgres)")
def test_a_managed_cluster_is_private_loopback_only_and_stops(enterable_tmp: Path) -> None:
    state = enterable_tmp / "state"
    state.mkdir()
    settings = postgres.choose(None, "postgresql", None, has_sqlite_data=False)
    assert settings is not None
    try:
        assert postgres.bring_up(state, settings) is True
        cluster = postgres.Cluster.of(state)
        owner = pwd.getpwuid(cluster.data.stat().st_uid).pw_name
        assert owner == (postgres.SYSTEM_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name)
        assert stat.S_IMODE(cluster.data.stat().st_mode) == 0o700
        assert settings.port == postgres.running_port(cluster)
        show = "SHOW listen_addresses; SHOW unix_socket_directories;"
        answer = _psql(settings, str(settings.superuser_password), show, user=postgres.SUPERUSER)
        assert answer.returncode == 0, answer.stderr
        assert answer.stdout.split("\n")[:2] == ["127.0.0.1", ""]
        superuser = _psql(settings, settings.password, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert superuser.stdout.strip() == "f"  # Label Studio's role is not a superuser
        refused = _psql(settings, "wrong-password", "SELECT 1")
        assert refused.returncode != 0 and "password authentication failed" in refused.stderr
        assert postgres.bring_down(state, settings) is True
        assert postgres.running_port(cluster) is None
        assert postgres.bring_up(state, settings) is False  # the same cluster again, not a new one
        assert _psql(settings, settings.password, "SELECT current_database()").stdout.strip() == "labelstudio"
    finally:
        postgres.bring_down(state, settings)
    assert postgres.running_port(postgres.Cluster.of(state)) is None


# ---------------------------------------------------------------- push and pull on both databases


@pytest.fixture(params=["ls_server", "ls_server_pg"], scope="module")
def any_server(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(request.param)


def _documents() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The corpus documents that have gold, with their gold records."""
    documents = ingest([corpus_dir()]).documents
    return [(d, json.loads((GOLD / f"{d['id']}.json").read_text(encoding="utf-8"))) for d in documents]


@pytest.mark.integration
def test_push_and_pull_reconcile_on_either_database(any_server: Any, tmp_path: Path) -> None:
    prefix = f"dbtest-{uuid.uuid4().hex[:6]}"
    admin = lsclient.connect(any_server.url, any_server.api_key)
    pairs = _documents()
    assert pairs and all(d["id"] == r["document_id"] for d, r in pairs)
    report = push.push([d for d, _ in pairs], client=admin, project_prefix=prefix)
    assert report.imported == len(pairs)
    again = push.push([d for d, _ in pairs], client=admin, project_prefix=prefix)
    assert again.imported == 0  # idempotent on this database too
    task_ids = {doc_id: tid for p in report.projects for doc_id, tid in p.task_ids.items()}
    first, second = (lsclient.connect(any_server.url, a.token) for a in any_server.annotators)
    for document, gold in pairs:
        first.annotations.create(id=task_ids[document["id"]], result=record_to_results(gold))
        second.annotations.create(id=task_ids[document["id"]], result=[], was_cancelled=True)
    pulled = pull.pull(client=admin, out_root=tmp_path, project_prefix=prefix)
    assert (pulled.total("valid"), pulled.total("quarantined"), pulled.total("cancelled")) == (
        len(pairs),
        0,
        len(pairs),
    )
    records = {r["document_id"]: r for _, r in iter_jsonl(pulled.folder / paths.RECORDS_FILE)}
    for document, gold in pairs:
        assert records[document["id"]]["entities"] == gold["entities"]
        assert records[document["id"]]["provenance"]["annotator"] == any_server.annotators[0].email


@pytest.mark.integration
def test_the_postgresql_server_keeps_its_data_in_postgresql(
    ls_server_pg: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not list(ls_server_pg.data_dir.glob("*.sqlite3"))
    credentials = server.load_credentials(ls_server_pg.paths)
    assert credentials is not None and credentials.database is not None
    settings = postgres.DatabaseSettings.from_dict(credentials.database)
    admin = lsclient.connect(ls_server_pg.url, ls_server_pg.api_key)
    project = admin.projects.create(title=f"pg check {uuid.uuid4().hex[:6]}")
    admin.projects.import_tasks(id=project.id, request=[{"data": {"text": "one"}}, {"data": {"text": "two"}}])
    counted = _psql(settings, settings.password, f"SELECT count(*) FROM task WHERE project_id = {project.id}")
    assert counted.stdout.strip() == "2", counted.stderr
    monkeypatch.setenv("GOLDKIT_ROOT", str(ls_server_pg.paths.state.parent))
    monkeypatch.setattr(server.ServerPaths, "default", classmethod(lambda cls: ls_server_pg.paths))
    assert main(["server", "status", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["running"] and answer["database"].startswith("postgresql (managed by goldkit")
    assert f"listening on 127.0.0.1:{settings.port}" in answer["database"]
    assert settings.password not in json.dumps(answer) and str(settings.superuser_password) not in json.dumps(answer)
    assert main(["server", "status"]) == 0
    assert "database:    postgresql" in capsys.readouterr().out
