"""No generated code and no class swapping in the package (issue 15 item 3): a result is built
and decoded by plain calls a reader can follow, and a test names any new use at once."""

from __future__ import annotations

import ast
from pathlib import Path

import lianchuang_cli

PACKAGE = Path(lianchuang_cli.__file__).parent

# Modules still using one of these mechanisms, to be made plain (none, when the item is done).
KNOWN: set[str] = set()


def _uses(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"exec", "eval", "compile"}
        ):
            found.append(f"{node.lineno}: {node.func.id}()")
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Call) and any(
            isinstance(arg, ast.Constant) and arg.value == "__class__" for arg in node.args
        ):
            found.append(f"{node.lineno}: setattr of __class__")
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "__class__":
                found.append(f"{target.lineno}: __class__ assignment")
    return found


def test_no_generated_code_and_no_class_swapping() -> None:
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        uses = _uses(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        if uses and name not in KNOWN:
            offenders[name] = uses
    assert offenders == {}


def test_the_scan_sees_each_mechanism() -> None:
    """The scan itself finds what it looks for (so an empty result above means something)."""
    source = (
        "exec('x = 1')\n"
        "eval('1')\n"
        "obj.__class__ = Other\n"
        "object.__setattr__(obj, '__class__', Other)\n"
        "setattr(obj, '__class__', Other)\n"
        "compile('1', 'f', 'eval')\n"
        "exec('')\n"
    )
    assert len(_uses(ast.parse(source))) == 7
