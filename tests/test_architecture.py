"""Architecture rules: the import-linter contracts in pyproject.toml hold, and no module imports itself back.

Cycles are counted with grimp (import-linter's graph, which includes imports inside functions) as strongly
connected components of more than one module in `goldkit`'s module graph.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "tools" / "goldkit"


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of size > 1 (Tarjan), each sorted."""
    modules = sorted(m for m in graph.modules if not m.startswith("goldkit._compiled"))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(module: str) -> None:
        nonlocal counter
        index[module] = low[module] = counter
        counter += 1
        stack.append(module)
        on_stack.add(module)
        for nxt in sorted(graph.find_modules_directly_imported_by(module)):
            if nxt not in index:
                visit(nxt)
                low[module] = min(low[module], low[nxt])
            elif nxt in on_stack:
                low[module] = min(low[module], index[nxt])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in modules:
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_in_the_package() -> None:
    graph = grimp.build_graph("goldkit", cache_dir=None)
    assert len(graph.modules) > 40  # the whole package was read
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from cyclic import b\n")
    (package / "b.py").write_text("def f():\n    from cyclic import a  # inside a function: still a cycle\n")
    (package / "c.py").write_text("from cyclic import a\n")
    sys.path.insert(0, str(tmp_path))
    try:
        assert import_cycles(grimp.build_graph("cyclic", cache_dir=None)) == [["cyclic.a", "cyclic.b"]]
    finally:
        sys.path.remove(str(tmp_path))


def test_the_layer_and_independence_contracts_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Contracts: 4 kept, 0 broken." in done.stdout


def test_at_most_fifteen_modules_sit_directly_in_the_package_and_each_room_says_what_it_owns() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 15, top
    rooms = sorted(p for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file())
    assert len(rooms) >= 9
    for room in rooms:
        doc = (room / "__init__.py").read_text(encoding="utf-8").split('"""')
        assert len(doc) >= 3 and doc[1].strip() and "\n" not in doc[1].strip(), f"{room.name}: one-line docstring"
