"""What a lint check is: a stable code, a severity, a one-line description and one function.

A check never builds a ``Problem`` itself: it yields ``Finding``s (a path in the rubric file and
a Chinese message) and the engine stamps the check's code and severity on them, so a check cannot
report under the wrong code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lianchuang_cli.errors import Severity

if TYPE_CHECKING:
    from lianchuang_cli.lint.context import RubricContext


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found: where in the file (a key path) and what is wrong."""

    loc: Sequence[str | int]
    message: str
    key: bool = False


@dataclass(frozen=True, slots=True)
class Check:
    """One registered lint check."""

    code: str
    severity: Severity
    description: str
    run: Callable[[RubricContext], Iterator[Finding]]
