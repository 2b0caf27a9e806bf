"""The layout keeps its promises (docs/architecture.md): no import circles, lower layers never
import higher ones, the core imports neither Flask nor click, and modules stay small.

Imports are read from the source (every ``import`` and ``from … import`` anywhere in a module,
inside functions and ``TYPE_CHECKING`` blocks too: a circle that only type checking sees is
still a circle for a reader)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("registry", "loaders", "endpoint", "ogpreg")

#: The layers, lowest first. A module belongs to the most specific prefix listed; it may import
#: modules of its own layer (without circles) and of lower layers, never of higher ones.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "foundation",
        (
            "registry",  # the package itself: TOOL
            "registry.i18n",
            "registry.validation.report",
            "registry.errors",
            "registry.settings",
            "registry.namespaces",
            "registry.uris",
            "registry.actors",
        ),
    ),
    ("rdf, sparql text, shacl", ("registry.rdf", "registry.sparql", "registry.validation")),
    ("storage", ("registry.store",)),
    ("handle", ("registry.handle",)),
    ("domain", ("registry.history", "registry.model", "registry.lifecycle")),
    ("loading", ("registry.loading",)),
    ("the registry", ("registry.service",)),
    ("operations", ("registry.access", "registry.publish", "registry.backup", "registry.erase")),
    ("submissions", ("loaders",)),
    ("adapters", ("endpoint", "ogpreg")),
]

#: Modules may grow to about this many lines; split by concept before.
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    mods: dict[str, Path] = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            mods[".".join(parts)] = path
    return mods


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str) -> Iterator[tuple[str, int]]:
    """The project modules ``module`` imports, with the line of each import."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                target = full if full in MODULES else _resolve(node.module)
                if target and target != module:
                    yield target, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                target = _resolve(alias.name)
                if target and target != module:
                    yield target, node.lineno


def _graph() -> dict[str, set[str]]:
    return {m: {t for t, _ in _imports(m)} for m in MODULES}


def _layer(module: str) -> int:
    best, index = -1, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if len(prefix) > best:
                    best, index = len(prefix), i
    assert index >= 0, f"{module} is in no layer of tests/test_architecture.py"
    return index


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def test_the_analysis_sees_the_imports() -> None:
    """The checks below are only as good as the import reading: it must see a known import."""
    graph = _graph()
    assert "registry.errors" in graph["registry.service"]
    assert "endpoint.app" in graph["endpoint.health"]
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]


def test_no_import_circles() -> None:
    cycles = _cycles(_graph())
    assert not cycles, "import circles: " + "; ".join(" ↔ ".join(c) for c in cycles)


def test_lower_layers_never_import_higher_ones() -> None:
    wrong = []
    for module in sorted(MODULES):
        for target, line in _imports(module):
            if _layer(target) > _layer(module):
                wrong.append(
                    f"{MODULES[module].relative_to(ROOT)}:{line}: {module} "
                    f"({LAYERS[_layer(module)][0]}) imports {target} "
                    f"({LAYERS[_layer(target)][0]})"
                )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("package", ["registry", "loaders"])
def test_the_core_knows_no_transport(package: str) -> None:
    """registry/ and loaders/ import neither Flask, click nor waitress."""
    wrong = []
    for module, path in MODULES.items():
        if module.split(".")[0] != package:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                if name.split(".")[0] in ("flask", "click", "waitress", "werkzeug"):
                    wrong.append(f"{module}:{node.lineno} imports {name}")
    assert not wrong, wrong


def test_modules_stay_small() -> None:
    big = {
        str(path.relative_to(ROOT)): n
        for path in MODULES.values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not big, f"modules over {MAX_LINES} lines (split them by concept): {big}"


def test_every_package_says_what_lives_there() -> None:
    """Each subpackage's __init__ has a docstring: a newcomer reads the folder's purpose."""
    missing = [
        str(path.relative_to(ROOT))
        for module, path in MODULES.items()
        if path.name == "__init__.py" and "." in module and not ast.get_docstring(
            ast.parse(path.read_text(encoding="utf-8"))
        )
    ]
    assert not missing, missing
