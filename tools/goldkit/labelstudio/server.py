"""The embedded Label Studio: install it in its own venv, start, stop and report on it, add annotators.

Label Studio is run like a database: its own virtual environment (`.goldkit/ls-venv`), its own data
folder (`.goldkit/data`), a clean explicit environment and credentials goldkit generates on first boot
(`.goldkit/credentials.json`, mode 0600). goldkit talks to it over HTTP only.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

from goldkit.errors import ConfigError, GoldkitError, ServerError
from goldkit.jsonio import atomic_write_text, dumps
from goldkit.labelstudio import invites, postgres
from goldkit.paths import state_dir

LS_VERSION = "1.23.2"
LS_PACKAGE = f"label-studio=={LS_VERSION}"
# Label Studio's own `start` serves through Django's development server: one process, so one export
# holds the whole server (GIL) and annotators wait. goldkit serves the same WSGI app with gunicorn,
# as production deployments do (Label Studio's image uses uwsgi): WORKERS processes, THREADS each.
GUNICORN_VERSION = "23.0.0"
SERVER_PACKAGES = (LS_PACKAGE, f"gunicorn=={GUNICORN_VERSION}")
WORKERS, THREADS = 2, 4
DEFAULT_PORT = 8080
HOST = "127.0.0.1"
ADMIN_EMAIL = "admin@goldkit.local"
BOOT_TIMEOUT_S = 420.0  # first boot runs migrations: ~80 s on 2 cores, more on a busy machine

# (seconds waited, what is happening) — the CLI draws it; tests ignore it
BootProgress = Callable[[float, str], None]


@dataclass
class Account:
    """A Label Studio user goldkit created: can log in (email, password) and call the API (token)."""

    email: str
    password: str
    token: str | None = None
    user_id: int | None = None


@dataclass
class Credentials:
    """What goldkit generated for the embedded server; kept in credentials.json (0600), never printed."""

    admin: Account
    annotators: list[Account] = field(default_factory=list)
    database: dict[str, Any] | None = None  # PostgreSQL settings (postgres.DatabaseSettings); None: SQLite

    def to_dict(self) -> dict[str, Any]:
        out = {"admin": asdict(self.admin), "annotators": [asdict(a) for a in self.annotators]}
        return out if self.database is None else {**out, "database": self.database}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Credentials:
        annotators = [Account(**a) for a in data.get("annotators", [])]
        return cls(Account(**data["admin"]), annotators, data.get("database"))

    @classmethod
    def generate(cls) -> Credentials:
        """Make a fresh admin: random password and a 40-hex-digit legacy API token."""
        return cls(Account(ADMIN_EMAIL, secrets.token_urlsafe(18), secrets.token_hex(20)))


@dataclass(frozen=True)
class ServerPaths:
    """Where one embedded server keeps its venv and its state (tests use a tmp state folder)."""

    state: Path
    venv: Path

    @classmethod
    def default(cls) -> ServerPaths:
        return cls(state_dir(), state_dir() / "ls-venv")

    @property
    def data_dir(self) -> Path:
        return self.state / "data"

    @property
    def credentials(self) -> Path:
        return self.state / "credentials.json"

    @property
    def pid_file(self) -> Path:
        return self.state / "server.pid"

    @property
    def log(self) -> Path:
        return self.state / "server.log"

    @property
    def last_port_file(self) -> Path:
        """The port the last start bound: the next start reuses it, so the annotators' URL stays."""
        return self.state / "last-port"

    @property
    def executable(self) -> Path:
        return self.venv / "bin" / "label-studio"

    @property
    def gunicorn(self) -> Path:
        return self.venv / "bin" / "gunicorn"

    def installed(self) -> bool:
        return self.executable.exists() and self.gunicorn.exists()


@dataclass
class InstallReport:
    venv: str
    version: str
    installed_now: bool
    seconds: float
    installer: str


@dataclass
class ServerStatus:
    """What `goldkit server status` shows; never the token."""

    running: bool
    healthy: bool
    url: str | None
    pid: int | None
    version: str | None
    credentials_path: str
    data_dir: str
    log_path: str
    admin_email: str | None = None
    annotators: list[str] = field(default_factory=list)
    database: str = "sqlite"


@dataclass
class StartReport:
    url: str
    port: int
    pid: int
    already_running: bool
    first_boot: bool
    seconds: float
    requested_port: int | None
    wanted_port: int | None = None  # the remembered (or default) port, when it was taken and another was chosen
    remembered: bool = False  # the port came from the last start


# ---------------------------------------------------------------- install


def installed_version(paths: ServerPaths) -> str | None:
    """Read label-studio's version from the server venv's package metadata (never runs it)."""
    for site in sorted(paths.venv.glob("lib/python*/site-packages")):
        for dist in metadata.distributions(path=[str(site)]):
            if (dist.metadata["Name"] or "").lower().replace("_", "-") == "label-studio":
                return dist.version
    return None


def install(paths: ServerPaths | None = None) -> InstallReport:
    """Install the pinned Label Studio into its own venv, once; a second call only checks it."""
    paths = paths or ServerPaths.default()
    began = time.monotonic()
    version = installed_version(paths)
    if version == LS_VERSION and paths.installed():
        return InstallReport(str(paths.venv), version, False, time.monotonic() - began, "none")
    uv = Path(sys.executable).parent / "uv"
    if uv.exists():
        commands = [
            [str(uv), "venv", "-q", "--allow-existing", "--python", sys.executable, str(paths.venv)],
            [str(uv), "pip", "install", "-q", "--python", str(paths.venv / "bin" / "python"), *SERVER_PACKAGES],
        ]
    else:
        commands = [
            [sys.executable, "-m", "venv", str(paths.venv)],
            [str(paths.venv / "bin" / "python"), "-m", "pip", "install", "-q", *SERVER_PACKAGES],
        ]
    paths.state.mkdir(parents=True, exist_ok=True)
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise ServerError(
                f"installing {LS_PACKAGE} failed: {' '.join(command[:3])} …: {done.stderr.strip()[-800:]}",
                venv=str(paths.venv),
            )
    version = installed_version(paths)
    if version != LS_VERSION:
        raise ServerError(f"{paths.venv} holds label-studio {version}, expected {LS_VERSION}", venv=str(paths.venv))
    return InstallReport(str(paths.venv), version, True, time.monotonic() - began, "uv" if uv.exists() else "pip")


# ---------------------------------------------------------------- credentials and pid file


def private_folders(paths: ServerPaths) -> None:
    """Make the state folder and the server's data folder 0700, and what is already in the data folder 0600/0700.

    Label Studio's SQLite database holds every API token in clear; created under the server's default
    umask it was 0644, readable by any local user although credentials.json is 0600. A PostgreSQL cluster
    goldkit runs in the state folder belongs to its own system user, which must pass through the state
    folder: there it is 0711 (others may enter, never list or read; everything inside keeps its own 0700/0600).
    """
    for folder in (paths.state, paths.data_dir):
        folder.mkdir(parents=True, exist_ok=True)
    paths.state.chmod(0o711 if postgres.Cluster.of(paths.state).root.is_dir() else 0o700)
    paths.data_dir.chmod(0o700)
    for path in paths.data_dir.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o700 if path.is_dir() else 0o600)
    if paths.log.exists():
        paths.log.chmod(0o600)


def load_credentials(paths: ServerPaths | None = None) -> Credentials | None:
    paths = paths or ServerPaths.default()
    if not paths.credentials.exists():
        return None
    return Credentials.from_dict(json.loads(paths.credentials.read_text(encoding="utf-8")))


def save_credentials(paths: ServerPaths, credentials: Credentials) -> None:
    """Write the credentials file readable by its owner only: 0600 from creation, renamed into place."""
    paths.state.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=paths.state, prefix=".credentials.", suffix=".tmp")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dumps(credentials.to_dict()))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, paths.credentials)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_pid_file(paths: ServerPaths) -> dict[str, Any] | None:
    try:
        return json.loads(paths.pid_file.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _is_alive(pid: int) -> bool:
    try:  # reap it if it is our own child that already exited
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _is_our_server(pid: int, paths: ServerPaths) -> bool:
    """True when pid is alive and is the label-studio we started for this data folder."""
    if not _is_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return False
    args = [a.decode(errors="replace") for a in cmdline]
    data_dirs = {str(paths.data_dir), str(paths.data_dir.resolve())}  # a symlinked state folder is the same one
    program = any(a.endswith(("/label-studio", "/gunicorn")) for a in args)
    return program and any(a in data_dirs or a.endswith(tuple("=" + d for d in data_dirs)) for a in args)


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (FileNotFoundError, IndexError, ValueError):
        return None


def _servers_on_data_dir(paths: ServerPaths) -> list[int]:
    """Pids of any label-studio running on this data folder (found even when the pid file was lost)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if _is_our_server(int(proc.name), paths):
                found.append(int(proc.name))
        except (OSError, ValueError):
            continue
    return [pid for pid in found if _parent(pid) not in found]  # the server, not its workers


def running_server(paths: ServerPaths | None = None) -> dict[str, Any] | None:
    """Return the pid file's facts when the server it names is alive and ours, else None."""
    paths = paths or ServerPaths.default()
    info = _read_pid_file(paths)
    if info and _is_our_server(int(info["pid"]), paths):
        return info
    return None


# ---------------------------------------------------------------- start


def export_copies_dir(url: str, paths: ServerPaths | None = None) -> Path | None:
    """Where the embedded server at `url` leaves a copy of every export it serves; None if it is not ours.

    Label Studio writes each synchronous JSON export (and an -info.json beside it) into its data folder's
    export/ "for logging" and never removes them: 24 MB after 12 pulls of a small project.
    """
    info = running_server(paths)
    if info and str(info.get("url", "")).rstrip("/") == url.rstrip("/"):
        return Path(str(info.get("data_dir") or (paths or ServerPaths.default()).data_dir)) / "export"
    return None


def port_is_free(port: int, host: str = HOST) -> bool:
    """True when nothing listens on the port (connections in TIME_WAIT do not count, as for the server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def pick_port(requested: int | None, preferred: int = DEFAULT_PORT) -> int:
    """Return the requested port if free (error if busy), else `preferred` if free, else any free port."""
    if requested is not None:
        if not port_is_free(requested):
            raise ConfigError(
                f"port {requested} on {HOST} is already in use",
                port=requested,
            )
        return requested
    if port_is_free(preferred):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def last_port(paths: ServerPaths) -> int | None:
    """The port the previous start of this server bound, if one is remembered."""
    try:
        text = paths.last_port_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() and 0 < int(text) < 65536 else None


def choose_port(paths: ServerPaths, requested: int | None, preferred: int = DEFAULT_PORT) -> tuple[int, int | None]:
    """Return (port to bind, the wanted port that was taken or None): --port, else the last one, else `preferred`."""
    if requested is not None:
        return pick_port(requested), None
    wanted = last_port(paths) or preferred
    chosen = pick_port(None, wanted)
    return chosen, (wanted if chosen != wanted else None)


def _package_dir(paths: ServerPaths) -> Path:
    """The installed `label_studio` package folder (the WSGI app's working directory)."""
    found = sorted(paths.venv.glob("lib/python*/site-packages/label_studio"))
    if not found:
        raise ServerError(f"no label_studio package in {paths.venv}", hint="reinstall with: goldkit server install")
    return found[-1]


def serve_command(paths: ServerPaths, port: int) -> list[str]:
    """`label-studio init` (migrations, the admin from the environment), then gunicorn in its place.

    One shell that execs gunicorn: the pid goldkit records is the gunicorn master, the process group
    holds its workers, and the command line names the data folder (how stray servers are found).
    """
    data_dir = str(paths.data_dir.resolve())
    init = [str(paths.executable), "init", "-q", "--data-dir", data_dir, "--enable-legacy-api-token"]
    serve = [str(paths.gunicorn), "core.wsgi:application", "--bind", f"{HOST}:{port}"]
    serve += ["--workers", str(WORKERS), "--threads", str(THREADS), "--timeout", "900", "--graceful-timeout", "10"]
    serve += ["--limit-request-line", "8190"]  # id-chunked exports put up to ~4 KB of ids in the URL
    serve += ["--chdir", str(_package_dir(paths)), "--env", f"LABEL_STUDIO_BASE_DATA_DIR={data_dir}"]
    return ["/bin/sh", "-c", f'{shlex.join(init)} && exec "$@"', "sh", *serve]


def server_env(paths: ServerPaths, credentials: Credentials, port: int) -> dict[str, str]:
    """Build the server's environment from scratch: nothing from the parent leaks in (USERNAME, PORT…)."""
    return {
        "PATH": f"{paths.venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", str(paths.state)),
        "LANG": "C.UTF-8",
        "LABEL_STUDIO_HOST": f"http://{HOST}:{port}",
        "LABEL_STUDIO_BASE_DATA_DIR": str(paths.data_dir),
        "LABEL_STUDIO_USERNAME": credentials.admin.email,
        "LABEL_STUDIO_PASSWORD": credentials.admin.password,
        "LABEL_STUDIO_USER_TOKEN": credentials.admin.token or "",
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
        "LABEL_STUDIO_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "core.settings.label_studio",
        "COLLECT_ANALYTICS": "false",
        "LATEST_VERSION_CHECK": "false",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
    }


def _first_boot_credentials(paths: ServerPaths) -> tuple[Credentials, bool]:
    first_boot = not any(paths.data_dir.glob("*.sqlite3"))
    credentials = load_credentials(paths)
    if credentials is None:
        if not first_boot:
            raise ConfigError(
                f"{paths.data_dir} holds a Label Studio database but {paths.credentials} is missing",
                hint="restore the credentials file, or start afresh with: make clean-state && goldkit server start",
                path=str(paths.credentials),
            )
        credentials = Credentials.generate()
        save_credentials(paths, credentials)
    return credentials, first_boot


def start(
    paths: ServerPaths | None = None,
    *,
    port: int | None = None,
    preferred_port: int = DEFAULT_PORT,
    progress: BootProgress | None = None,
    timeout: float = BOOT_TIMEOUT_S,
    database: str | None = None,
    database_url: str | None = None,
) -> StartReport:
    """Start the embedded server (or report the one already running) and wait until it answers.

    `database="postgresql"` keeps Label Studio's data in a PostgreSQL goldkit runs in the state folder,
    `database_url` in an existing one; a state folder keeps the database it was first started with.
    """
    paths = paths or ServerPaths.default()
    began = time.monotonic()
    running = running_server(paths)
    if running:
        return StartReport(running["url"], running["port"], running["pid"], True, False, 0.0, port)
    if not paths.installed():
        raise ServerError(f"Label Studio is not installed in {paths.venv}", installed=False, venv=str(paths.venv))
    strays = _servers_on_data_dir(paths)
    if strays:
        raise ServerError(
            f"a Label Studio not recorded in {paths.pid_file} already uses {paths.data_dir} (pid {strays[0]})",
            pid=strays[0],
            data_dir=str(paths.data_dir),
        )
    credentials, first_boot = _first_boot_credentials(paths)
    remembered = port is None and last_port(paths) is not None
    chosen, wanted = choose_port(paths, port, preferred_port)
    has_sqlite = any(paths.data_dir.glob("*.sqlite3"))
    settings = postgres.choose(credentials.database, database, database_url, has_sqlite)
    if settings:
        first_boot = postgres.bring_up(paths.state, settings) or (first_boot and not settings.managed)
        credentials.database = settings.to_dict()
        save_credentials(paths, credentials)
    private_folders(paths)
    command = serve_command(paths, chosen)
    env = {**server_env(paths, credentials, chosen), **(settings.label_studio_env() if settings else {})}
    with paths.log.open("ab") as log:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=paths.state,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends it and its children only
            umask=0o077,  # the database (API tokens in clear), media and logs: readable by this user only
        )
    url = f"http://{HOST}:{chosen}"
    info = {"pid": process.pid, "port": chosen, "url": url, "data_dir": str(paths.data_dir), "started": time.time()}
    atomic_write_text(paths.pid_file, dumps(info))
    try:
        _wait_until_healthy(process, url, paths, progress, timeout, first_boot)
        _check_it_is_ours(url, credentials, paths)
    except BaseException:
        _terminate(process.pid)
        paths.pid_file.unlink(missing_ok=True)
        if settings:
            postgres.bring_down(paths.state, settings)
        raise
    atomic_write_text(paths.last_port_file, f"{chosen}\n")
    seconds = time.monotonic() - began
    return StartReport(url, chosen, process.pid, False, first_boot, seconds, port, wanted, remembered)


def _log_tail(paths: ServerPaths, lines: int = 15) -> str:
    try:
        return "\n".join(paths.log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def _wait_until_healthy(
    process: subprocess.Popen[bytes],
    url: str,
    paths: ServerPaths,
    progress: BootProgress | None,
    timeout: float,
    first_boot: bool,
) -> None:
    began = time.monotonic()
    phase = "first boot: creating the database (about 80 s)" if first_boot else "starting (about 10 s)"
    while True:
        waited = time.monotonic() - began
        if progress:
            progress(waited, phase)
        if process.poll() is not None:
            raise ServerError(
                f"Label Studio exited with code {process.returncode} while starting; "
                f"last lines of {paths.log}:\n{_log_tail(paths)}",
                log=str(paths.log),
            )
        if health(url):
            return
        if waited > timeout:
            raise ServerError(
                f"Label Studio did not answer at {url}/health within {timeout:.0f} s; "
                f"last lines of {paths.log}:\n{_log_tail(paths)}",
                log=str(paths.log),
            )
        time.sleep(1.0)


def _check_it_is_ours(url: str, credentials: Credentials, paths: ServerPaths) -> None:
    """Make sure the server on this port is the one we started: it knows our admin token."""
    who = httpx.get(
        f"{url}/api/current-user/whoami", headers={"Authorization": f"Token {credentials.admin.token}"}, timeout=30
    )
    if who.status_code != 200 or who.json().get("email") != credentials.admin.email:
        raise ServerError(
            f"the server answering at {url} does not accept goldkit's admin token (HTTP {who.status_code}); "
            f"another Label Studio may be on this port, or {paths.credentials} does not belong to {paths.data_dir}",
            url=url,
        )


def health(url: str, timeout: float = 3.0) -> bool:
    """True when GET /health answers 200."""
    try:
        return httpx.get(f"{url}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


# ---------------------------------------------------------------- stop and status


def _terminate(pid: int, wait_s: float = 20.0) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not _is_alive(pid):
                return
            time.sleep(0.2)


def stop(paths: ServerPaths | None = None) -> dict[str, Any]:
    """Stop the server goldkit started (checked by pid and command line), then the PostgreSQL it started."""
    paths = paths or ServerPaths.default()
    result = _stop_label_studio(paths)
    credentials = load_credentials(paths)
    settings = database_settings(credentials) if credentials else None
    if settings:
        result["database_stopped"] = postgres.bring_down(paths.state, settings)
    return result


def database_settings(credentials: Credentials) -> postgres.DatabaseSettings | None:
    return postgres.DatabaseSettings.from_dict(credentials.database) if credentials.database else None


def _stop_label_studio(paths: ServerPaths) -> dict[str, Any]:
    info = _read_pid_file(paths)
    if info is None:
        return {"stopped": False, "reason": "not running (no pid file)"}
    pid = int(info["pid"])
    if not _is_our_server(pid, paths):
        paths.pid_file.unlink(missing_ok=True)
        return {"stopped": False, "pid": pid, "reason": "stale pid file: that process is gone or is not our server"}
    _terminate(pid)
    if _is_alive(pid):
        raise ServerError(f"Label Studio (pid {pid}) did not stop", pid=pid)
    paths.pid_file.unlink(missing_ok=True)
    return {"stopped": True, "pid": pid, "url": info.get("url")}


def status(paths: ServerPaths | None = None) -> ServerStatus:
    """Report on the embedded server: URL, version, health, where the credentials are."""
    paths = paths or ServerPaths.default()
    info = running_server(paths)
    credentials = load_credentials(paths)
    url = info["url"] if info else None
    return ServerStatus(
        running=info is not None,
        healthy=bool(url and health(url)),
        url=url,
        pid=info["pid"] if info else None,
        version=installed_version(paths),
        credentials_path=str(paths.credentials),
        data_dir=str(paths.data_dir),
        log_path=str(paths.log),
        admin_email=credentials.admin.email if credentials else None,
        annotators=[a.email for a in credentials.annotators] if credentials else [],
        database=postgres.describe(paths.state, database_settings(credentials) if credentials else None),
    )


# ---------------------------------------------------------------- annotator accounts

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')


def create_user(
    email: str, password: str | None = None, *, paths: ServerPaths | None = None, url: str | None = None
) -> Account:
    """Create an annotator who can log in, through the invite link and the signup form; store it.

    The community edition's `users.create(password=...)` gives no usable password, so goldkit signs the
    user up like a person would: `GET /api/invite` (admin token) gives the organization's signup link,
    the signup form is posted with that token, and the new session reads the user's own legacy API token
    (`GET /api/current-user/token`); then the invite link is reset, so the one used never works again
    (`labelstudio/invites.py`). Legacy tokens work for every member because the organization was
    created with them enabled. To submit annotations *as* this annotator, call
    `lsclient.connect(url, account.token).annotations.create(id=task_id, result=[...])`: the server sets
    `completed_by` from the token. Checked on 1.23.2: the admin may also send `completed_by=account.user_id`
    with its own token and the annotation is stored as that user's.
    """
    paths = paths or ServerPaths.default()
    credentials = load_credentials(paths)
    info = running_server(paths)
    url = url or (info["url"] if info else None)
    if credentials is None or url is None:
        raise ServerError("the embedded Label Studio is not running", running=False)
    if any(a.email == email for a in credentials.annotators):
        return next(a for a in credentials.annotators if a.email == email)
    password = password or secrets.token_urlsafe(12)
    account = _sign_up(url, credentials.admin.token or "", email, password)
    credentials.annotators.append(account)
    save_credentials(paths, credentials)
    return account


def _sign_up(url: str, admin_token: str, email: str, password: str) -> Account:
    org_token = invites.invite_token(url, admin_token)
    try:
        return _post_signup_form(url, org_token, email, password)
    finally:  # the link just used stops working, whether the signup worked or not
        invites.reset_invite_token(url, admin_token)


def _post_signup_form(url: str, org_token: str, email: str, password: str) -> Account:
    with httpx.Client(base_url=url, timeout=60, follow_redirects=True) as browser:
        form = browser.get(f"/user/signup/?token={org_token}")
        match = _CSRF_INPUT.search(form.text)
        csrf = match.group(1) if match else str(browser.cookies.get("csrftoken", ""))
        done = browser.post(
            f"/user/signup/?token={org_token}",
            data={"csrfmiddlewaretoken": csrf, "email": email, "password": password, "allow_newsletters": ""},
            headers={"Referer": f"{url}/user/signup/?token={org_token}", "X-CSRFToken": csrf},
        )
        who = browser.get("/api/current-user/whoami")
        if who.status_code != 200 or who.json().get("email") != email.lower():
            raise ServerError(
                f"signing up {email} failed (HTTP {done.status_code}); the form said: {_form_errors(done.text)}",
                email=email,
            )
        token = browser.get("/api/current-user/token").json().get("token")
    return Account(email.lower(), password, token, who.json().get("id"))


def _form_errors(html: str) -> str:
    found = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<', html)
    return "; ".join(s.strip() for s in found if s.strip()) or "no message"


def remove_state(paths: ServerPaths) -> None:
    """Delete a server's state folder (tests' tmp servers); refuses while that server runs."""
    if running_server(paths):
        raise GoldkitError(f"the server using {paths.state} is still running", hint="goldkit server stop")
    shutil.rmtree(paths.state, ignore_errors=True)
