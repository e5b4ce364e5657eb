"""How to fill one indicator, in the words of the form being filled (YAML keys or workbook columns)."""

from __future__ import annotations

from lianchuang_cli.decimals import fmt
from lianchuang_cli.model.rubric import Indicator
from lianchuang_cli.model.rules import (
    BreachesRule,
    ChangeRule,
    CheckRule,
    ChoiceRule,
    JudgementRule,
    PercentageRule,
)
from lianchuang_cli.reading import xlsx_layout as layout


def fill_hint(indicator: Indicator, form: str) -> str:
    """The value hint for a YAML file (``form`` "yaml") or a workbook row ("xlsx")."""
    return cell_hint(indicator) if form == "xlsx" else indicator.rule.value_hint


def value_field(form: str) -> str:
    """What the value is called in that form."""
    return f"“{layout.COL_VALUE}”" if form == "xlsx" else " value"


def cell_hint(indicator: Indicator) -> str:
    """How to fill one indicator's row, in the workbook's own terms."""
    rule = indicator.rule
    if isinstance(rule, CheckRule):
        hint = f"已落实选“{layout.YES}”，未落实选“{layout.NO}”"
    elif isinstance(rule, PercentageRule):
        hint = (
            f"“填写值”填百分比数字（如{fmt(rule.threshold)}，不带%也可）；"
            f"或在“达标数”“总数”分别填达标{rule.unit}数和总{rule.unit}数"
        )
    elif isinstance(rule, ChoiceRule):
        hint = "从下拉列表选择：" + "、".join(rule.options)
    elif isinstance(rule, JudgementRule):
        hint = (
            f"“填写值”填评定分数（0–{fmt(indicator.points)}），低于满分时必须在“评定理由”写明理由"
        )
        if rule.guidance:
            hint += f"；{rule.guidance}"
    elif isinstance(rule, BreachesRule):
        hint = (
            f"在“{layout.COL_WHOLE}”填全年{rule.subject}{rule.unit}数，在“{layout.COL_BREACHES}”"
            f"填其中{rule.breach}的{rule.unit}数；全年没有{rule.subject}的都填0"
        )
    elif isinstance(rule, ChangeRule):
        hint = f"“填写值”填本年数值，“{layout.COL_PREVIOUS}”填上年数值（单位：{rule.unit}）"
    else:
        hint = rule.value_hint
    if indicator.linked is not None:
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
