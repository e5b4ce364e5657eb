"""What every command shares: exit codes, console width and colour, rubric loading, problem output."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from lianchuang_cli.errors import Problem
    from lianchuang_cli.model.rubric import LoadedRubric

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_INPUT_ERROR = 2
EXIT_INTERNAL_ERROR = 3
EXIT_INTERRUPTED = 130


def color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def width() -> int:
    """The console width to lay tables out for."""
    if sys.stdout.isatty():
        return max(60, shutil.get_terminal_size((100, 24)).columns)
    return 120


def echo_problems(problems: Iterable[Problem]) -> None:
    """Print located problems to stderr, one per line."""
    from lianchuang_cli.reports.table import render_problems

    click.echo(render_problems(problems), err=True, nl=False)


def fail(message: str, code: int = EXIT_INPUT_ERROR) -> NoReturn:
    """Print one Chinese line to stderr and exit."""
    click.echo(message, err=True)
    sys.exit(code)


def load_rubric_or_exit(name: str) -> LoadedRubric:
    """Load a shipped rubric id or a rubric file, or print its problems and exit 2."""
    from lianchuang_cli.errors import InputError
    from lianchuang_cli.model.rubric import load_rubric, resolve_rubric, shipped_rubric_ids

    path = resolve_rubric(name)
    if not path.is_file():
        shipped = "、".join(shipped_rubric_ids()) or "无"
        raise click.UsageError(f"找不到考评细则“{name}”；内置细则：{shipped}，或给出细则文件路径")
    try:
        return load_rubric(path)
    except InputError as exc:
        echo_problems(exc.problems)
        fail("考评细则有误，无法继续。")


def parse_decimal(value: str | None, option: str) -> Decimal | None:
    """Read a finite number given on the command line."""
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise click.BadParameter(f"“{value}”不是数字", param_hint=option) from None
    if not number.is_finite():
        raise click.BadParameter(f"“{value}”不是有限的数字", param_hint=option)
    return number
