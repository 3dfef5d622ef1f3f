"""Read-only output as a real unprivileged user, not fault injection: ingest, release and pull each give one
clear error naming what they could not write and how to fix it, and leave nothing behind.

The project belongs to the user `nobody` (run with runuser; needs root to switch users, else these tests
skip and say so), and the folder a command writes into is made read-only for its owner (0555), as a user
might find a mounted or protected folder. goldkit runs from this tree through the interpreter of this
venv's version that `nobody` may execute (a venv's own interpreter under /root is not).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import goldkit
from goldkit.ingest.documents import load_documents

REPO = Path(__file__).resolve().parent.parent
USER = "nobody"
# goldkit's CLI from this tree, with this venv's packages (its .pth files too), in a fresh interpreter
BOOT = """import site, sys
site.addsitedir(sys.argv.pop(1))
sys.path.insert(0, sys.argv.pop(1))
from goldkit.cli.main import main
sys.exit(main(sys.argv[1:]))"""


def _as_user(*command: str) -> bool:
    return subprocess.run(["runuser", "-u", USER, "--", *command], capture_output=True, timeout=60).returncode == 0


def _interpreter() -> str | None:
    """An interpreter of this Python's version that the unprivileged user can run."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (os.path.realpath(sys.executable), f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"):
        if Path(candidate).exists() and _as_user(candidate, "-c", f"import sys; assert sys.version[:4] == '{version}'"):
            return candidate
    return None


@pytest.fixture(scope="module")
def interpreter() -> str:
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("switching to an unprivileged user needs root and runuser (util-linux)")
    try:
        pwd.getpwnam(USER)
    except KeyError:
        pytest.skip(f"there is no user {USER!r} to run as")
    tools = Path(goldkit.__file__).resolve().parents[1]
    site_packages = sysconfig.get_paths()["purelib"]
    if not (_as_user("test", "-r", str(tools / "goldkit" / "__init__.py")) and _as_user("test", "-r", site_packages)):
        pytest.skip(f"{USER} cannot read {tools} or {site_packages}")
    found = _interpreter()
    if found is None:
        pytest.skip(f"no Python {sys.version_info.major}.{sys.version_info.minor} that {USER} may run")
    return found


@pytest.fixture
def project() -> Iterator[Path]:
    """A copy of this project owned by the unprivileged user, in a folder it can reach (pytest's is 0700)."""
    root = Path(tempfile.mkdtemp(prefix="goldkit-readonly-"))
    root.chmod(0o755)
    for folder in ("schema", "corpus"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copyfile(REPO / "goldkit.toml", root / "goldkit.toml")
    (root / "annotations").mkdir()
    shutil.copytree(REPO / "annotations" / "gold", root / "annotations" / "gold")
    shutil.copyfile(REPO / "annotations" / "documents.jsonl", root / "annotations" / "documents.jsonl")
    (root / "export").mkdir()
    subprocess.run(["chown", "-R", f"{USER}:", str(root)], check=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _goldkit_as_user(interpreter: str, project: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    tools = str(Path(goldkit.__file__).resolve().parents[1])
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(project),
        "HF_HOME": str(project / ".hf"),
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "GOLDKIT_PURE": "1",  # whichever build: the output folder is what is tested here
        **(env or {}),
    }
    site_packages = sysconfig.get_paths()["purelib"]
    command = ["runuser", "-u", USER, "--", "env", "-i", *(f"{k}={v}" for k, v in environment.items())]
    command += [interpreter, "-c", BOOT, site_packages, tools, *args]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=1200)


def _read_only(folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.chown(folder, USER)
    folder.chmod(0o555)
    return sorted(os.listdir(folder))


def _one_clear_error(done: Any, path: Path) -> None:
    err = done.stderr
    assert done.returncode == 1, (done.returncode, err)
    assert err.count("error:") == 1 and "internal error" not in err and "Traceback" not in err, err
    assert f"cannot write at {path}: Permission denied" in err, err
    assert "make that folder writable for you (chmod/chown) or write elsewhere" in err, err


def test_ingest_into_a_read_only_annotations_folder(interpreter: str, project: Path) -> None:
    documents = project / "annotations" / "documents.jsonl"
    documents.unlink()
    before = _read_only(project / "annotations")
    done = _goldkit_as_user(interpreter, project, "ingest", "corpus/")
    _one_clear_error(done, documents)
    assert sorted(os.listdir(project / "annotations")) == before  # no temporary file left


def test_release_into_a_read_only_export_folder(interpreter: str, project: Path) -> None:
    before = _read_only(project / "export")
    done = _goldkit_as_user(interpreter, project, "release", "1.0.0")
    _one_clear_error(done, project / "export" / "1.0.0")
    assert sorted(os.listdir(project / "export")) == before  # no half-built release


@pytest.mark.integration
def test_pull_into_a_read_only_pulls_folder(interpreter: str, project: Path, ls_server: Any) -> None:
    from goldkit import push
    from goldkit.labelstudio import client as lsclient

    prefix = f"readonly-{uuid.uuid4().hex[:6]}"
    admin = lsclient.connect(ls_server.url, ls_server.api_key)
    documents = list(load_documents(project / "annotations" / "documents.jsonl").values())
    push.push(documents, client=admin, project_prefix=prefix)
    pulls = project / "annotations" / "pulls"
    before = _read_only(pulls)
    server = {"LABEL_STUDIO_URL": ls_server.url, "LABEL_STUDIO_API_KEY": ls_server.api_key}  # never on argv
    done = _goldkit_as_user(interpreter, project, "pull", "--project-prefix", prefix, env=server)
    assert done.returncode == 1 and f"cannot write at {pulls}/" in done.stderr, done.stderr
    written = done.stderr.split(f"cannot write at {pulls}/")[1].split(":")[0]
    _one_clear_error(done, pulls / written)  # the pull folder it was making, by its pull id
    assert sorted(os.listdir(pulls)) == before
