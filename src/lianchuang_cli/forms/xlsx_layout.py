"""The evidence workbook's layout, shared by the template writer and the reader.

Sheets and columns are found by their Chinese titles, not by position, so a workbook keeps
working when someone widens, hides or reorders columns. The 评分方式 column names each
indicator's rule kind, which is what lets a workbook be read (and converted) on its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from lianchuang_cli.model.field_labels import UNIT_FIELD_LABELS
from lianchuang_cli.model.rules import RULE_KIND_NAMES

# The answer's columns and 是/否, named where the rule kinds declare their cells.
from lianchuang_cli.model.rules.cells import COL_BREACHES as COL_BREACHES
from lianchuang_cli.model.rules.cells import COL_PART as COL_PART
from lianchuang_cli.model.rules.cells import COL_PREVIOUS as COL_PREVIOUS
from lianchuang_cli.model.rules.cells import COL_REASON as COL_REASON
from lianchuang_cli.model.rules.cells import COL_VALUE as COL_VALUE
from lianchuang_cli.model.rules.cells import COL_WHOLE as COL_WHOLE
from lianchuang_cli.model.rules.cells import NO as NO
from lianchuang_cli.model.rules.cells import YES as YES

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


def is_workbook(path: str | Path) -> bool:
    """Whether a file is read as a workbook (by its suffix).

    Here rather than in ``xlsx_reader`` so that grading a YAML file never imports the reader.
    """
    return Path(path).suffix.lower() in XLSX_SUFFIXES


SHEET_GUIDE: Final = "填写说明"
SHEET_UNIT: Final = "单位信息"
SHEET_INDICATORS: Final = "指标"
SHEET_PENALTIES: Final = "扣分项"
SHEET_BONUSES: Final = "加分项"
SHEET_VETOES: Final = "一票否决"
SHEET_LISTS: Final = "选项"
"""Hidden sheet holding the drop-down lists that are too long for an inline list."""

EVIDENCE_SHEETS: Final = (
    SHEET_UNIT,
    SHEET_INDICATORS,
    SHEET_PENALTIES,
    SHEET_BONUSES,
    SHEET_VETOES,
)

UNIT_FIELDS: Final = tuple(UNIT_FIELD_LABELS.items())
"""Rows of the unit sheet: data key and the label in column A (values in column B)."""
UNIT_TOP_LEVEL: Final = frozenset({"rubric", "rubric_version"})
UNIT_OPTIONAL: Final = frozenset({"township", "county", "township_code", "county_code"})
"""Unit fields that may be left empty, and rows that only some levels' workbooks have."""
UNIT_ROWS_BY_LEVEL: Final = {
    "village": frozenset({"township_code"}),
    "township": frozenset({"county_code"}),
    "county": frozenset(),
}
"""The parent-code row each level's workbook shows (grade-tree links units by it)."""

PROFILE_TITLE: Final = "村情基本信息"
PROFILE_FIELDS: Final = (
    (("secretary_education",), "书记学历"),
    (("committee_size",), "两委成员总数"),
    (("wealth_leaders",), "其中致富带头人"),
    (("collective_operating_income",), "村集体经营性收入（万元）"),
    (("weak_and_lax", "identified"), "是否软弱涣散村"),
    (("weak_and_lax", "rectified"), "年内是否整顿转化"),
    (("organization_set_up",), "村党组织按规定设置"),
    (("election_on_time",), "村党组织按期换届"),
    (("secretary_trained",), "书记年内参加县级集中轮训"),
    (("secretary_basic_pay",), "书记年基本报酬（元）"),
    (("rural_income_last_year",), "上年度当地农村居民人均可支配收入（元）"),
    (("operating_funds",), "村级组织运转经费（万元）"),
    (("premises_area",), "党群服务中心面积（平方米）"),
    (("premises_functional",), "党群服务中心功能齐全"),
)
"""Rows of the village profile (``profile:``), below the unit rows of the unit sheet."""
PROFILE_FLAGS: Final = frozenset({"identified", "rectified"})
PROFILE_YES_NO: Final = frozenset(
    {"organization_set_up", "election_on_time", "secretary_trained", "premises_functional"}
)
"""Profile rows answered 是/否 outside ``weak_and_lax``."""
PROFILE_OPTIONAL: Final = frozenset(
    {
        *PROFILE_YES_NO,
        "secretary_basic_pay",
        "rural_income_last_year",
        "operating_funds",
        "premises_area",
    }
)
"""Profile rows added with the support facts (model.profile.SUPPORT_FACTS): a workbook made
from an older template has none of them and is read as not reporting them."""
UNIT_LABEL_HEADER: Final = "项目"
UNIT_VALUE_HEADER: Final = "填写内容"

# Indicator sheet columns: data key (None = shown only) and title.
COL_ID: Final = "指标编号"
COL_CRITERION: Final = "考评项目"
COL_NAME: Final = "考评内容"
COL_POINTS: Final = "分值"
COL_REQUIREMENT: Final = "评分标准"
COL_KIND: Final = "评分方式"
COL_HINT: Final = "填写方法"
COL_NOT_APPLICABLE: Final = "缺项理由"
COL_NOTE: Final = "情况说明"
COL_ATTACHMENTS: Final = "佐证材料"
COL_SELF_SCORE: Final = "自评分"

INDICATOR_COLUMNS: Final = (
    COL_ID,
    COL_CRITERION,
    COL_NAME,
    COL_POINTS,
    COL_REQUIREMENT,
    COL_KIND,
    COL_HINT,
    COL_VALUE,
    COL_PART,
    COL_WHOLE,
    COL_PREVIOUS,
    COL_BREACHES,
    COL_REASON,
    COL_NOT_APPLICABLE,
    COL_NOTE,
    COL_ATTACHMENTS,
    COL_SELF_SCORE,
)


KIND_NAMES: Final = RULE_KIND_NAMES
KINDS_BY_NAME: Final = {name: kind for kind, name in KIND_NAMES.items()}

# Event sheets: id column, then shown columns, then the inputs.
COL_EVENT_ID: Final = "事项编号"
COL_EVENT_NAME: Final = "事项"
COL_EVENT_POINTS: Final = "每次分值"
COL_EVENT_CAP: Final = "上限"
COL_EVENT_BASIS: Final = "依据"
COL_EVENT_COUNT: Final = "发生次数"
COL_EVENT_HAPPENED: Final = "是否发生"

ADJUSTMENT_COLUMNS: Final = (
    COL_EVENT_ID,
    COL_EVENT_NAME,
    COL_EVENT_POINTS,
    COL_EVENT_CAP,
    COL_EVENT_BASIS,
    COL_EVENT_COUNT,
    COL_NOTE,
    COL_ATTACHMENTS,
)
VETO_COLUMNS: Final = (
    COL_EVENT_ID,
    COL_EVENT_NAME,
    COL_EVENT_BASIS,
    COL_EVENT_HAPPENED,
    COL_NOTE,
    COL_ATTACHMENTS,
)

FIELD_TITLES: Final = {
    "value": COL_VALUE,
    "current": COL_VALUE,
    "score": COL_VALUE,
    "previous": COL_PREVIOUS,
    "part": COL_PART,
    "whole": COL_WHOLE,
    "total": COL_WHOLE,
    "breaches": COL_BREACHES,
    "reason": COL_REASON,
    "not_applicable": COL_NOT_APPLICABLE,
    "note": COL_NOTE,
    "attachments": COL_ATTACHMENTS,
    "self_score": COL_SELF_SCORE,
    "count": COL_EVENT_COUNT,
    "true": YES,
    "false": NO,
}
"""Evidence keys as the workbook calls them: messages are worded for YAML keys, and a workbook
user sees column titles instead."""
_FIELD_WORDS = re.compile(
    # Spaces set a Latin key off Chinese text; around a quoted Chinese title they go.
    r" ?“?(?<![A-Za-z_])("
    + "|".join(sorted(FIELD_TITLES, key=len, reverse=True))
    + r")(?![A-Za-z_])”? ?"
)


_LABELLED_KEY = re.compile(r"([^\s“”（）：；，。、]+)（([a-z_]+)）")
"""A Chinese label with its YAML key beside it, "评定理由（reason）", as messages name fields."""


def workbook_words(message: str) -> str:
    """A message naming the workbook's columns (“填写值”) where it names evidence keys."""
    message = _LABELLED_KEY.sub(lambda m: f"“{FIELD_TITLES.get(m.group(2), m.group(1))}”", message)
    return _FIELD_WORDS.sub(lambda m: f"“{FIELD_TITLES[m.group(1)]}”", message)


EVENT_SHEETS: Final = (
    ("penalties", SHEET_PENALTIES),
    ("bonuses", SHEET_BONUSES),
    ("vetoes", SHEET_VETOES),
)
