"""How a rule kind's answer sits in the evidence workbook's indicator row.

Each rule kind declares, beside its scoring, the cells its answer is typed in (``KindCells``) and
the validation each of those cells gets in the template (``CellCheck``). The template writer and
the workbook reader interpret these declarations; neither knows any rule kind by name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Literal

from msgspec import Struct

COL_VALUE: Final = "填写值"
COL_PART: Final = "达标数"
COL_WHOLE: Final = "总数"
COL_PREVIOUS: Final = "上年数值"
COL_BREACHES: Final = "其中违规数"
COL_REASON: Final = "评定理由"

YES: Final = "是"
NO: Final = "否"

Reading = Literal["text", "rule unit", "number", "yes/no"]
"""How a cell becomes a value: as text (a choice, a reason), as typed (the rule's unit reads
"93%", "10万元", "１２次" exactly as in YAML), as a number, or 是/否 as a boolean."""


class CellField(Struct, frozen=True):
    """One key of a mapping value and the column it is typed in."""

    key: str
    column: str
    reading: Reading = "number"
    """How the cell is read (a field in 填写值 is read as the kind's ``reading`` says)."""


class KindCells(Struct, frozen=True):
    """Where one rule kind's answer is typed in its indicator row, and how it is read.

    A kind with ``fields`` has a mapping value ({part, whole}, {current, previous}…) spread over
    those columns: it is built when any of them is filled. Where the fields leave 填写值 out, a
    value typed there is either the other way to answer (a percentage beside 达标数/总数) or,
    without ``value_cell``, no answer at all; ``misplaced`` then says what to do instead.
    """

    reading: Reading
    """How the 填写值 cell becomes a value."""
    fields: tuple[CellField, ...] = ()
    value_cell: bool = True
    """Whether 填写值 is an input of this kind."""
    misplaced: str = ""
    """The message for 填写值 filled where the fields are meant (beside them, or at all)."""
    omit_empty: bool = False
    """Whether empty cells are left out of the mapping (a judgement without a reason)."""

    @property
    def inputs(self) -> tuple[str, ...]:
        """The answer's input columns (open and tinted in the template; others are locked)."""
        columns = [COL_VALUE] if self.value_cell else []
        columns += [f.column for f in self.fields if f.column not in columns]
        return tuple(columns)

    @property
    def field_columns(self) -> dict[str, str]:
        """Each key of the mapping value and its column."""
        return {f.key: f.column for f in self.fields}


class CellCheck(Struct, frozen=True):
    """The template's validation of one input cell: a drop-down list or a number range."""

    column: str
    kind: Literal["list", "whole", "decimal"]
    error: str | None = None
    """What Excel says to a wrong entry; None: the fill hint itself."""
    low: Decimal | int | None = None
    high: Decimal | int | None = None
    options: tuple[str, ...] = ()
    prompt: bool = True
    """Whether selecting the cell shows the fill hint."""


WHOLE_NUMBER_ERROR: Final = "请填写不小于0的整数"
