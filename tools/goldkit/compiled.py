"""The hot modules compiled with mypyc (conversion, validation, record order), used only while fresh.

Pull converts and validates every annotation and release validates every gold record; in pure Python
that is ~80 µs per paragraph-sized annotation. mypyc (part of mypy, already goldkit's type checker;
mypy and black ship compiled the same way) turns the same typed source into a C extension about twice
as fast. The source stays the truth: `python -m goldkit.compiled` (run by `make install`) compiles a
copy of the package into `_compiled/` next to this file, with a manifest of the sources' digest.
`activate` puts the compiled modules in front of the sources only when that digest still matches the
package's sources (and Python), so an edited module is never shadowed by a stale build. `GOLDKIT_PURE=1` turns
the compiled modules off.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

# compiled together: they call each other. pulls, matching and agreement/spans: the pull store's merge and the
# span counting `goldkit status` runs over every current record after a pull
MODULES = ("labelstudio/convert", "schema/records", "schema/validate", "pulls", "matching", "agreement/spans")
PACKAGE_DIR = Path(__file__).resolve().parent
BUILD_DIR = PACKAGE_DIR / "_compiled"
MANIFEST = BUILD_DIR / "manifest.json"
PURE_ENV = "GOLDKIT_PURE"


def source_digest() -> str:
    """What a build is valid for: every source of the package (compiled code assumes the types of what it
    imports) and the Python that runs it. Hashing them costs about a millisecond per start."""
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "_compiled" not in path.parts:
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def is_fresh() -> bool:
    try:
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("digest") == source_digest()


ACTIVE = False  # set once by goldkit/__init__.py; the subpackages holding compiled modules follow it


def activate(package_path: list[str]) -> bool:
    """Put the compiled modules in front of the sources when their build is fresh; say whether it did."""
    global ACTIVE
    ACTIVE = False
    if os.environ.get(PURE_ENV) or not is_fresh():
        return False
    package_path.insert(0, str(BUILD_DIR / "goldkit"))
    sys.path.append(str(BUILD_DIR / "lib"))  # mypyc's shared runtime module is imported by its top-level name
    ACTIVE = True
    return True


def extend(package_path: list[str], subpackage: str) -> None:
    """Put a subpackage's compiled modules in front of its sources when the package activated its build."""
    if ACTIVE:
        package_path.insert(0, str(BUILD_DIR / "goldkit" / subpackage))


def build() -> Path:
    """Compile MODULES with mypyc from a copy of the package; replace `_compiled/` only on success."""
    import shutil  # only here: every goldkit start imports this module
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="goldkit-mypyc-") as tmp:
        work = Path(tmp)
        shutil.copytree(PACKAGE_DIR, work / "goldkit", ignore=shutil.ignore_patterns("_compiled", "__pycache__"))
        # as pyproject.toml has it for mypy (scipy ships no stubs): untyped imports are Any
        command = [
            sys.executable,
            "-m",
            "mypyc",
            "--ignore-missing-imports",
            *(f"goldkit/{name}.py" for name in MODULES),
        ]
        done = subprocess.run(command, cwd=work, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"mypyc failed:\n{(done.stdout + done.stderr)[-3000:]}")
        staged = work / "_compiled"
        (staged / "goldkit").mkdir(parents=True)
        (staged / "lib").mkdir()
        for name in MODULES:
            folder, _, module = f"goldkit/{name}".rpartition("/")
            (built,) = (work / folder).glob(f"{module}.*.so")
            (staged / folder).mkdir(parents=True, exist_ok=True)
            shutil.move(built, staged / folder / built.name)
        for shared in work.glob("*__mypyc.*.so"):
            shutil.move(shared, staged / "lib" / shared.name)
        (staged / "manifest.json").write_text(json.dumps({"digest": source_digest(), "modules": MODULES}) + "\n")
        shutil.rmtree(BUILD_DIR, ignore_errors=True)
        shutil.move(staged, BUILD_DIR)
    return BUILD_DIR


def main() -> int:
    """Build, or say why not (goldkit then runs its pure-Python modules, slower, same results)."""
    try:
        print(f"compiled {', '.join(MODULES)} with mypyc into {build()}")
    except (RuntimeError, OSError) as e:
        print(f"goldkit: compiled modules not built, using pure Python ({e})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
