"""No import cycle anywhere in the package, counting every import a module makes.

The graph is drawn from the source with ``ast``: imports at module level, inside functions and
under ``TYPE_CHECKING`` alike, absolute and relative, and ``from package import name`` counted as
an import of the submodule when ``name`` is one. A cycle that only closes at run time (an import
inside a function) still means two modules that cannot be understood, tested or moved apart.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path

import lianchuang_cli

PACKAGE = Path(lianchuang_cli.__file__).parent
NAME = "lianchuang_cli"


def module_names(package: Path = PACKAGE, name: str = NAME) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name, for ``__init__``)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join([name, *parts])] = path
    return found


def imported(module: str, path: Path, modules: Mapping[str, Path]) -> Iterator[str]:
    """The package's modules that ``module`` (at ``path``) imports, anywhere in its body."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield from _known(alias.name, modules)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            yield from _known(source, modules)
            for alias in node.names:
                if f"{source}.{alias.name}" in modules:
                    yield f"{source}.{alias.name}"


def _known(name: str, modules: Mapping[str, Path]) -> Iterator[str]:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    if name:
        yield name


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    return {
        module: set(imported(module, path, modules)) - {module} for module, path in modules.items()
    }


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One shortest cycle through each module that lies on a cycle, without repeats."""
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for start in sorted(graph):
        # breadth-first from start's imports back to start: the shortest cycle through start
        before: dict[str, str] = {}
        queue = deque(sorted(graph[start]))
        for first in queue:
            before[first] = start
        while queue:
            current = queue.popleft()
            if current == start:
                path = [start]
                step = before[start]
                while step != start:
                    path.append(step)
                    step = before[step]
                cycle = [start, *reversed(path[1:]), start]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    found.append(cycle)
                break
            for following in sorted(graph[current]):
                if following not in before:
                    before[following] = current
                    queue.append(following)
    return found


def test_the_package_has_no_import_cycle() -> None:
    found = cycles(import_graph(module_names()))
    shown = "\n".join(" → ".join(cycle) for cycle in found)
    assert not found, f"{len(found)} import cycles:\n{shown}"


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    """Function-level, TYPE_CHECKING, relative and submodule imports all draw edges."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .c import X\n"
    )
    (package / "sub" / "c.py").write_text("from .. import a\nimport os\n")
    (package / "d.py").write_text("import pkg.sub.c\nfrom pkg.a import f\n")
    modules = module_names(package, "pkg")
    graph = import_graph(modules)
    assert graph["pkg.a"] == {"pkg.sub", "pkg.sub.b"}
    assert graph["pkg.sub.b"] == {"pkg.sub.c"}
    assert graph["pkg.sub.c"] == {"pkg", "pkg.a"}
    assert graph["pkg.d"] == {"pkg.sub.c", "pkg.a"}
    assert cycles(graph) == [["pkg.a", "pkg.sub.b", "pkg.sub.c", "pkg.a"]]
