"""Label Studio's database when it is PostgreSQL: a cluster goldkit runs itself, or one given by URL.

A managed cluster lives in the state folder (`.goldkit/postgres/data`), listens on 127.0.0.1 only (no
Unix socket), on a port checked free at each start, and belongs to an unprivileged system user
(`goldkit-pg`; PostgreSQL refuses to run as root) when goldkit runs as root, else to the user running
goldkit. Its passwords are kept in the credentials file (0600) beside the admin's. Label Studio reads
`DJANGO_DB=postgresql` and `POSTGRE_NAME/USER/PASSWORD/HOST/PORT` (core/settings/base.py, 1.23.2).
"""

from __future__ import annotations

import os
import pwd
import secrets
import socket
import stat
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from goldkit.errors import ConfigError, LabelStudioError

DATABASES = ("sqlite", "postgresql")
SYSTEM_USER = "goldkit-pg"
HOST = "127.0.0.1"
SUPERUSER = "goldkit"  # owns the cluster; Label Studio connects as its own, unprivileged role
APP_USER = APP_DATABASE = "labelstudio"
START_TIMEOUT_S = 120


class PostgresError(LabelStudioError):
    """The PostgreSQL under Label Studio could not be set up, started or stopped."""

    hint = "read the PostgreSQL log named above; install it with: apt-get install postgresql"


@dataclass
class DatabaseSettings:
    """Where Label Studio keeps its data when it is PostgreSQL; stored in the credentials file."""

    host: str
    port: int
    name: str
    user: str
    password: str
    managed: bool  # True: goldkit's own cluster in the state folder, started and stopped with the server
    superuser_password: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "postgresql", **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DatabaseSettings:
        return cls(**{k: v for k, v in data.items() if k != "kind"})

    @classmethod
    def from_url(cls, url: str) -> DatabaseSettings:
        """Read `postgresql://user:password@host:port/name` (an existing server, not managed)."""
        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        if parts.scheme not in ("postgresql", "postgres") or not parts.hostname or not parts.username or not name:
            raise ConfigError(
                "--database-url must look like postgresql://USER:PASSWORD@HOST:PORT/DATABASE",
                hint="give the user, host and database name of an existing PostgreSQL",
                got=redact(url),
            )
        password = unquote(parts.password or "")
        return cls(parts.hostname, parts.port or 5432, name, unquote(parts.username), password, managed=False)

    def describe(self) -> str:
        """The database without its password, e.g. `postgresql://labelstudio@127.0.0.1:5433/labelstudio`."""
        who = "managed by goldkit" if self.managed else "external"
        return f"postgresql://{quote(self.user)}@{self.host}:{self.port}/{self.name} ({who})"

    def label_studio_env(self) -> dict[str, str]:
        return {
            "DJANGO_DB": "postgresql",
            "POSTGRE_NAME": self.name,
            "POSTGRE_USER": self.user,
            "POSTGRE_PASSWORD": self.password,
            "POSTGRE_HOST": self.host,
            "POSTGRE_PORT": str(self.port),
        }


def redact(url: str) -> str:
    """The URL with its password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def choose(
    recorded: dict[str, Any] | None, database: str | None, url: str | None, has_sqlite_data: bool
) -> DatabaseSettings | None:
    """Return the PostgreSQL to use (None: SQLite) from what the state folder uses and what was asked.

    A state folder keeps the database it was created with: asking for another one is an error rather
    than a silently empty server.
    """
    if database is not None and database not in DATABASES:
        raise ConfigError(f"unknown database {database!r}", hint=f"choose one of: {', '.join(DATABASES)}")
    wanted = "postgresql" if url else database
    current = "postgresql" if recorded else ("sqlite" if has_sqlite_data else None)
    if wanted and current and wanted != current:
        raise ConfigError(
            f"this state folder's Label Studio keeps its data in {current}, not {wanted}",
            hint="start it without --database, or start afresh in another project folder (or make clean-state)",
            database=current,
        )
    if recorded:
        settings = DatabaseSettings.from_dict(recorded)
        if url and DatabaseSettings.from_url(url).describe() != settings.describe():
            raise ConfigError(
                f"this state folder's Label Studio uses {settings.describe()}, not {redact(url)}",
                hint="start it without --database-url, or start afresh in another project folder",
            )
        return settings
    if url:
        return DatabaseSettings.from_url(url)
    if wanted == "postgresql":
        return DatabaseSettings(
            HOST, 0, APP_DATABASE, APP_USER, secrets.token_hex(16), True, superuser_password=secrets.token_hex(16)
        )
    return None


# ---------------------------------------------------------------- the managed cluster


@dataclass(frozen=True)
class Cluster:
    """A managed cluster's folder in the state folder: data (PGDATA) and its log."""

    root: Path

    @classmethod
    def of(cls, state: Path) -> Cluster:
        return cls(state / "postgres")

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists()


def bin_dir() -> Path:
    """The newest Debian PostgreSQL's programs (/usr/lib/postgresql/<major>/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise PostgresError(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)",
            hint="install Debian's package: apt-get install postgresql (make test does it when run as root)",
        )
    return found[-1].parent


def owner() -> str:
    """Who runs the cluster: goldkit-pg when goldkit runs as root (created once), else the current user."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        done = subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/usr/sbin/nologin", SYSTEM_USER],
            capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise PostgresError(f"could not create the system user {SYSTEM_USER}: {done.stderr.strip()}") from None
    return SYSTEM_USER


def check_reachable(folder: Path, user: str) -> None:
    """The owner must be able to enter every folder above the cluster (PostgreSQL opens it by path)."""
    account = pwd.getpwnam(user)
    groups = {account.pw_gid, *os.getgrouplist(user, account.pw_gid)}
    for parent in [folder, *folder.parents]:
        info = parent.stat()
        if info.st_uid == account.pw_uid:
            allowed = info.st_mode & stat.S_IXUSR
        elif info.st_gid in groups:
            allowed = info.st_mode & stat.S_IXGRP
        else:
            allowed = info.st_mode & stat.S_IXOTH
        if not allowed:
            raise PostgresError(
                f"PostgreSQL runs as {user}, who cannot enter {parent} (mode {stat.filemode(info.st_mode)})",
                hint=f"let it pass through with: chmod o+x {parent} — or keep the project in a folder others can enter",
                path=str(parent),
            )


def _run_as(user: str, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    as_other = user != pwd.getpwuid(os.geteuid()).pw_name
    return subprocess.run(
        command,
        user=user if as_other else None,
        group=pwd.getpwnam(user).pw_gid if as_other else None,
        extra_groups=[] if as_other else None,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **kwargs.pop("env", {})},
        cwd="/",
        capture_output=True,
        text=True,
        **kwargs,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def running_port(cluster: Cluster) -> int | None:
    """The port of the postmaster running on this cluster (postmaster.pid, line 4), or None."""
    try:
        lines = (cluster.data / "postmaster.pid").read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (FileNotFoundError, PermissionError, IndexError, ValueError):
        return None
    return port if Path(f"/proc/{pid}").exists() else None


def _initdb(cluster: Cluster, settings: DatabaseSettings, user: str) -> None:
    account = pwd.getpwnam(user)
    cluster.root.mkdir(parents=True, exist_ok=True)
    os.chown(cluster.root, account.pw_uid, account.pw_gid)
    cluster.root.chmod(0o700)
    check_reachable(cluster.root, user)
    pwfile = cluster.root / ".pwfile"
    pwfile.write_text(str(settings.superuser_password) + "\n")
    os.chown(pwfile, account.pw_uid, account.pw_gid)
    pwfile.chmod(0o600)
    try:
        done = _run_as(
            user,
            [str(bin_dir() / "initdb"), "-D", str(cluster.data), "-U", SUPERUSER, "--pwfile", str(pwfile),
             "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8"],
        )  # fmt: skip
    finally:
        pwfile.unlink(missing_ok=True)
    if done.returncode != 0:
        raise PostgresError(f"initdb failed in {cluster.data}: {done.stderr.strip()[-800:]}", path=str(cluster.data))


def _pg_ctl_start(cluster: Cluster, user: str, port: int) -> None:
    options = f"-p {port} -c listen_addresses={HOST} -c unix_socket_directories=''"
    command = [str(bin_dir() / "pg_ctl"), "start", "-D", str(cluster.data), "-l", str(cluster.log), "-w"]
    done = _run_as(user, [*command, "-t", str(START_TIMEOUT_S), "-o", options], start_new_session=True)
    if done.returncode != 0:
        tail = cluster.log.read_text(errors="replace").splitlines()[-10:] if cluster.log.exists() else []
        raise PostgresError(
            f"PostgreSQL did not start on {HOST}:{port}: {done.stderr.strip()}\n" + "\n".join(tail),
            log=str(cluster.log),
        )


def _create_app_database(settings: DatabaseSettings, user: str) -> None:
    """Create Label Studio's role and database (the password goes through stdin, never the command line)."""
    sql = (
        f"CREATE ROLE {APP_USER} LOGIN PASSWORD '{settings.password}';\n"
        f"CREATE DATABASE {APP_DATABASE} OWNER {APP_USER} ENCODING 'UTF8';\n"
    )
    psql = [str(bin_dir() / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", HOST, "-p", str(settings.port)]
    done = _run_as(
        user,
        [*psql, "-U", SUPERUSER, "-d", "postgres", "-f", "-"],
        input=sql,
        env={"PGPASSWORD": str(settings.superuser_password)},
    )
    if done.returncode != 0:
        raise PostgresError(f"creating Label Studio's database failed: {done.stderr.strip()[-800:]}")


def bring_up(state: Path, settings: DatabaseSettings) -> bool:
    """Start the managed cluster (created on first use) or check an external one; True when it is new.

    For a managed cluster `settings.port` becomes the port it listens on now.
    """
    if not settings.managed:
        _check_external(settings)
        return False
    cluster = Cluster.of(state)
    user = owner()
    created = not cluster.initialised()
    if created:
        _initdb(cluster, settings, user)
    port = running_port(cluster)
    if port is None:
        port = _free_port()
        _pg_ctl_start(cluster, user, port)
    settings.port = port
    if created:
        _create_app_database(settings, user)
    return created


def _check_external(settings: DatabaseSettings) -> None:
    """Fail early, with the address, when an external PostgreSQL does not accept connections."""
    try:
        ready = bin_dir() / "pg_isready"
    except PostgresError:
        return  # no client programs here: Label Studio's own error will tell
    done = subprocess.run(
        [str(ready), "-h", settings.host, "-p", str(settings.port), "-d", settings.name, "-t", "10"],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    if done.returncode != 0:
        raise PostgresError(
            f"PostgreSQL at {settings.host}:{settings.port} does not accept connections: {done.stdout.strip()}",
            hint="start that PostgreSQL, or check --database-url",
        )


def bring_down(state: Path, settings: DatabaseSettings, wait_s: float = 60) -> bool:
    """Stop the managed cluster (fast shutdown); an external one is never touched. True when stopped."""
    cluster = Cluster.of(state)
    if not settings.managed or running_port(cluster) is None:
        return False
    command = [str(bin_dir() / "pg_ctl"), "stop", "-D", str(cluster.data), "-m", "fast", "-w", "-t", str(int(wait_s))]
    done = _run_as(owner(), command)
    deadline = time.monotonic() + 5
    while running_port(cluster) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    if done.returncode != 0 or running_port(cluster) is not None:
        raise PostgresError(f"PostgreSQL in {cluster.data} did not stop: {done.stderr.strip()}", log=str(cluster.log))
    return True


def describe(state: Path, settings: DatabaseSettings | None) -> str:
    """What `server status` says about the database (never a password)."""
    if settings is None:
        return "sqlite"
    if settings.managed:
        port = running_port(Cluster.of(state))
        where = f"{Cluster.of(state).data}, " + (f"listening on {HOST}:{port}" if port else "stopped")
        return f"postgresql (managed by goldkit: {where}; database {settings.name}, role {settings.user})"
    return settings.describe()
