"""The shape of the code: no import cycles between our own modules, and the pure domain modules
load without Flask or the database."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Folders that are not the app: tests and benchmarks may import anything.
NOT_THE_APP = {".venv", "tests", "bench", "__pycache__"}


def project_modules(root: Path) -> dict[str, Path]:
    """Every module below root by dotted name: each .py outside .venv, tests, bench and hidden folders."""
    modules = {}
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [d for d in subfolders if d not in NOT_THE_APP and not d.startswith(".")]
        for file in files:
            if file.endswith(".py"):
                path = Path(folder, file)
                name = ".".join(path.relative_to(root).with_suffix("").parts)
                modules[name.removesuffix(".__init__")] = path
    return modules


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The module of ours a dotted name lands in ("db.now" is db), or None for other code."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(name: str, modules: dict[str, Path]) -> set[str]:
    """Our modules that module `name` imports, at module level or inside a function."""
    path = modules[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from reports import store" imports the module reports.store; "from db import now", db.
            targets = [f"{base}.{alias.name}" if base else alias.name for alias in node.names]
        else:
            continue
        found.update(module for module in (_known(t, modules) for t in targets) if module)
    found.discard(name)
    return found


def import_cycles(root: Path) -> list[list[str]]:
    """The import cycles among the modules below root, each as a path that ends where it starts."""
    modules = project_modules(root)
    graph = {name: imports_of(name, modules) for name in modules}
    cycles, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_no_import_cycles():
    cycles = import_cycles(ROOT)
    assert not cycles, "Import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("files", "cycles"),
    [
        ({"a.py": "import b\n", "b.py": "x = 1\n"}, []),
        ({"a.py": "import b\n", "b.py": "def f():\n    from a import g\n"}, [["a", "b", "a"]]),
        (
            {
                "app.py": "from p import cli\n",
                "p/__init__.py": "",
                "p/cli.py": "from app import create_app\n",
            },
            [["app", "p.cli", "app"]],
        ),
        (
            {"p/__init__.py": "", "p/a.py": "from . import b\n", "p/b.py": "from .a import x\n"},
            [["p.a", "p.b", "p.a"]],
        ),
        ({"a.py": "from b import now\n", "b.py": "import json\n", "tests/t.py": "import a\nimport b\n"}, []),
        (
            {"a.py": "import b\n", "b.py": "import a\n", "bench/x.py": "", ".venv/a.py": "import b\n"},
            [["a", "b", "a"]],
        ),
    ],
)
def test_import_cycles_are_found_and_named(tmp_path, files, cycles):
    assert import_cycles(_tree(tmp_path, files)) == cycles


# Domain modules (DESIGN.md: "pure logic in plain modules with no Flask import").
PURE = [
    "errors",
    "checklists.model",
    "checklists.spec",
    "checklists.scoring",
    "audits.document",
    "reports.periods",
    "reports.charts",
    "standards.quizzes",
    "standards.catalogue",
    "surveys.nps",
]


@pytest.mark.parametrize("module", PURE)
def test_pure_module_loads_without_flask_or_the_database(module):
    check = (
        "import importlib, sys; importlib.import_module(sys.argv[1]); "
        "print(' '.join(m for m in ('flask', 'werkzeug', 'sqlite_utils', 'db') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check, module], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"importing {module} loads {result.stdout.strip()}"
