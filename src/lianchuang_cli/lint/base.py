"""What a lint check is: a stable code, a severity, a one-line description and one function.

A check never builds a ``Problem`` itself: it yields ``Finding``s (a path in the rubric file and
a Chinese message) and the engine stamps the check's code and severity on them, so a check cannot
report under the wrong code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lianchuang_cli.errors import Severity
from lianchuang_cli.lint.finding import Finding as Finding

if TYPE_CHECKING:
    from lianchuang_cli.lint.context import RubricContext


@dataclass(frozen=True, slots=True)
class Check:
    """One registered lint check."""

    code: str
    severity: Severity
    description: str
    run: Callable[[RubricContext], Iterator[Finding]]
