"""How to fill one indicator, in the words of the form being filled (YAML keys or workbook columns)."""

from __future__ import annotations

from lianchuang_cli.forms import xlsx_layout as layout
from lianchuang_cli.model.rubric import Indicator


def fill_hint(indicator: Indicator, form: str) -> str:
    """The value hint a problem quotes, for a YAML file (``form`` "yaml") or a workbook ("xlsx").

    Without the linked note in either form: a problem about a missing linked value says that
    itself (``evidence.LINKED_HINT``), and the template's row said it twice.
    """
    return cell_hint(indicator, linked=False) if form == "xlsx" else indicator.rule.value_hint


def value_field(form: str) -> str:
    """What the value is called in that form."""
    return f"“{layout.COL_VALUE}”" if form == "xlsx" else " value"


def cell_hint(indicator: Indicator, *, linked: bool = True) -> str:
    """How to fill one indicator's row, in the workbook's own terms (the 填写方法 column)."""
    hint = indicator.rule.cell_hint(indicator.points)
    if linked and indicator.linked is not None:
        hint += (
            "；本项由下级单位结果核算：用 lianchuang grade-tree 汇总时可不填，单独评分时填写申报值"
        )
    if indicator.not_applicable_when:
        situations = "；".join(indicator.not_applicable_when)
        hint += (
            f"；仅在以下情形可按缺项处理：{situations}。确属其一时清空“填写值”，"
            f"在“{layout.COL_NOT_APPLICABLE}”选择情形（可在后面加“：说明”）"
        )
    return hint
