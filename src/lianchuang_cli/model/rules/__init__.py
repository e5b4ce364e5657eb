"""Scoring rule kinds: each is a small model selected by ``kind:`` with one ``score()`` method.

A rule knows the shape of the evidence value it scores (``value_schema``), any check of that value
that depends on the indicator (``check_value``), its best possible outcome (``best``, which the
rubric loader compares with the indicator's points), and how to explain a score in Chinese.
Adding a rule kind means adding one module here and naming it in ``Rule``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from lianchuang_cli.model.rules.base import Frozen, Judgement, Number, Outcome, Points, Ratio, Score
from lianchuang_cli.model.rules.breaches import Breaches, BreachesRule
from lianchuang_cli.model.rules.change import Change, ChangeRule
from lianchuang_cli.model.rules.check import CheckRule
from lianchuang_cli.model.rules.choice import ChoiceRule
from lianchuang_cli.model.rules.count import CountRule
from lianchuang_cli.model.rules.judgement import JudgementRule
from lianchuang_cli.model.rules.linear import LinearRule
from lianchuang_cli.model.rules.percentage import PercentageRule
from lianchuang_cli.model.rules.tiers import Tier, TiersRule

Rule = Annotated[
    CheckRule
    | CountRule
    | PercentageRule
    | TiersRule
    | ChoiceRule
    | LinearRule
    | JudgementRule
    | ChangeRule
    | BreachesRule,
    Field(discriminator="kind"),
]
RULE_KIND_NAMES: dict[str, str] = {
    "check": "达标得分",
    "count": "计次扣分",
    "percentage": "百分比扣分",
    "tiers": "分档计分",
    "choice": "选项计分",
    "linear": "按比例计分",
    "judgement": "评议",
    "change": "逐年比较",
    "breaches": "违规件数扣分",
}
"""What each rule kind is called in anything a user reads (``rubric show``, templates)."""

RULE_KINDS = tuple(RULE_KIND_NAMES)

__all__ = [
    "RULE_KINDS",
    "RULE_KIND_NAMES",
    "Breaches",
    "BreachesRule",
    "Change",
    "ChangeRule",
    "CheckRule",
    "ChoiceRule",
    "CountRule",
    "Frozen",
    "Judgement",
    "JudgementRule",
    "LinearRule",
    "Number",
    "Outcome",
    "PercentageRule",
    "Points",
    "Ratio",
    "Rule",
    "Score",
    "Tier",
    "TiersRule",
]
