"""goldkit as a user gets it: built as a wheel, installed in a fresh venv outside the repository, run on a
project of its own — init → ingest (HTML page, WARC, JSONL dump) → schema render → push → annotate → pull
→ adjudicate → validate → release → load_dataset — against the real Label Studio of the session.

The fresh venv reuses the test venv's installed dependencies through a .pth line (no network here), but
not its goldkit: the wheel is installed with --no-deps, and the test checks that the goldkit it runs is
the wheel's and that the default schema came out of the wheel's package data.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import site
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from record_builders import words_outside_furniture

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "tests" / "data" / "ingest_html" / "salon.com.emissions.html"
SEEDS = REPO / "tests" / "data" / "ingest_seeds" / "input"

pytestmark = pytest.mark.integration


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the repository with goldkit installed from a freshly built wheel."""
    scratch = tmp_path_factory.mktemp("wheel")
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GOLDKIT_ROOT", "VIRTUAL_ENV")}
    built = scratch / "dist"
    source = scratch / "source"  # a copy, so the build leaves nothing (build/, egg-info) in the repository
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".venv", ".goldkit", "export", "_compiled", ".git"))
    uv = Path(sys.executable).parent / "uv"  # installed beside goldkit by `make install`
    if not uv.exists():
        pytest.fail(f"uv is missing from {uv.parent}: run `make install`")
    _run([str(uv), "build", "-q", "--wheel", "--out-dir", str(built), str(source)], cwd=scratch, env=clean)
    (wheel,) = built.glob("goldkit-*.whl")
    venv = scratch / "venv"
    _run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], cwd=scratch, env=clean)
    (own_site,) = (venv / "lib").glob("python3*/site-packages")
    shared = [path for path in site.getsitepackages() if Path(path).is_dir()]
    (own_site / "shared-deps.pth").write_text("\n".join(shared) + "\n")  # plain paths: their .pth files stay unread
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
         cwd=scratch, env=clean)  # fmt: skip
    return venv


def test_the_wheel_runs_the_whole_pipeline_on_a_project_of_its_own(installed: Path, ls_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GOLDKIT_ROOT", "VIRTUAL_ENV")}
    env |= {"LABEL_STUDIO_URL": ls_server.url, "LABEL_STUDIO_API_KEY": ls_server.api_key}
    python, goldkit = str(installed / "bin" / "python"), str(installed / "bin" / "goldkit")
    where = _run([python, "-c", "import goldkit, goldkit.paths as p; print(goldkit.__file__); "
                  "print(p.DEFAULT_SCHEMA_PATH.is_file())"], cwd=tmp_path, env=env).stdout.split()  # fmt: skip
    assert where[0].startswith(str(installed)) and where[1] == "True", where

    project = tmp_path / "claims-watch"
    _run([goldkit, "init", str(project), "--languages", "en,ar", "--name", "claims-watch"], cwd=tmp_path, env=env)
    corpus = project / "corpus"
    shutil.copy(PAGE, corpus / "emissions.html")
    _warc(corpus / "crawl.warc.gz", (SEEDS / "000_a681de6f3d5f1a0d.txt").read_text(encoding="utf-8"))
    row = {"id": "riyadh-ar", "text": (SEEDS / "003_5fb4ba3b4aa07823.txt").read_text(encoding="utf-8")}
    (corpus / "dump.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")

    ingested = json.loads(_run([goldkit, "ingest", "--json"], cwd=corpus, env=env).stdout)
    formats = sorted(d["source"]["format"] for d in ingested["documents"])
    assert formats == ["html", "jsonl", "warc"], formats
    _run([goldkit, "schema", "render", "--check"], cwd=project, env=env)

    prefix = f"wheel-{uuid.uuid4().hex[:6]}"
    _run([goldkit, "push", "--project-prefix", prefix], cwd=project, env=env)
    _annotate(ls_server, prefix, ingested["documents"])
    _run([goldkit, "pull", "--project-prefix", prefix], cwd=project, env=env)
    _run([goldkit, "adjudicate", "--strategy", "single"], cwd=project, env=env)
    _run([goldkit, "validate", "annotations/gold/"], cwd=project, env=env)
    _run([goldkit, "release", "1.0.0"], cwd=project, env=env)
    loaded = _run([python, "-c", "import datasets, json; ds = datasets.load_dataset('export/1.0.0', 'documents'); "
                   "print(json.dumps(sorted(r['id'] for split in ds.values() for r in split)))"],
                  cwd=project, env=env).stdout  # fmt: skip
    assert sorted(json.loads(loaded.strip().splitlines()[-1])) == sorted(d["id"] for d in ingested["documents"])
    assert not (REPO / "export" / "1.0.0" / "documents" / "claims-watch").exists()


def _warc(path: Path, text: str) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    head = '<html lang="en"><head><title>Riyadh meeting</title></head>'
    page = f"{head}<body><article>{paragraphs}</article></body></html>"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        payload = io.BytesIO(page.encode("utf-8"))
        writer.write_record(writer.create_warc_record("https://example.org/riyadh", "response", payload=payload,
                                                      http_headers=http))  # fmt: skip


def _annotate(ls_server, prefix: str, documents: list[dict]) -> None:  # type: ignore[no-untyped-def]
    """One annotation per task, as an annotator would submit it: the first word outside the furniture as a person."""
    from goldkit.labelstudio import client as lsclient

    client = lsclient.connect(ls_server.url, ls_server.api_key)
    by_id = {d["id"]: d for d in documents}
    titles = {f"{prefix} · en", f"{prefix} · ar"}
    for project in client.projects.list():
        if project.title not in titles:
            continue
        for task in client.tasks.list(project=project.id):
            word = words_outside_furniture(by_id[task.data["doc_id"]], 1)[0]
            region = {"id": "r1", "from_name": "entity", "to_name": "text", "type": "labels",
                      "value": {**word, "labels": ["person"]}}  # fmt: skip
            client.annotations.create(id=task.id, result=[region], lead_time=1)
