"""Domain errors: every problem carries where it is, how serious it is, and a Chinese message.

A location is either a text position (1-based line and column, for YAML) or a workbook cell
(``cell`` = ``Sheet!C12``, for xlsx evidence); ``where`` renders whichever applies, so reporters
never need to know which kind of file a problem came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
SEVERITY_NAMES: dict[Severity, str] = {"error": "错误", "warning": "警告"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file, located in its source."""

    file: str
    line: int
    column: int
    message: str
    severity: Severity = "error"
    code: str = ""
    cell: str | None = None

    @property
    def where(self) -> str:
        """``file:line:column`` for text files, ``file!Sheet!C12`` for workbook cells."""
        if self.cell is not None:
            return f"{self.file}!{self.cell}"
        return f"{self.file}:{self.line}:{self.column}"

    def __str__(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        return f"{self.where}: {SEVERITY_NAMES[self.severity]}{code}: {self.message}"


class InputError(Exception):
    """An input file could not be used; ``problems`` lists everything found wrong with it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
