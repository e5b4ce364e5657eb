"""Scoring rule kinds: each is a small model selected by ``kind:`` with one ``score()`` method.

A rule knows the shape of the evidence value it scores (``value_schema``), any check of that value
that depends on the indicator (``check_value``), its best possible outcome (``best``, which the
rubric loader compares with the indicator's points), how to explain a score in Chinese, and how
it is named, filled, read and remembered (``RuleBase``'s docstring lists each declaration).
Adding a rule kind means adding one module here and naming it in ``Rule``; the workbook, the
fill hints, the fast reader, the memo and the JSON Schema take it from its declarations.
"""

from __future__ import annotations

from typing import Annotated, get_args

from pydantic import Field

from lianchuang_cli.model.rules.base import (
    Frozen,
    Judgement,
    Number,
    Outcome,
    Points,
    Ratio,
    RuleBase,
    Score,
)
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
"""The registry of rule kinds: adding a kind is its module and one line here."""

RULE_CLASSES: tuple[type[RuleBase], ...] = get_args(get_args(Rule)[0])
"""Every rule kind's class, in the registry's order."""


def _kind_of(rule_class: type[RuleBase]) -> str:
    kind: str = get_args(rule_class.model_fields["kind"].annotation)[0]
    return kind


RULE_CLASS_BY_KIND: dict[str, type[RuleBase]] = {_kind_of(c): c for c in RULE_CLASSES}
RULE_KIND_NAMES: dict[str, str] = {kind: c.kind_name for kind, c in RULE_CLASS_BY_KIND.items()}
"""What each rule kind is called in anything a user reads (``rubric show``, templates)."""

RULE_KINDS = tuple(RULE_KIND_NAMES)

__all__ = [
    "RULE_CLASSES",
    "RULE_CLASS_BY_KIND",
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
    "RuleBase",
    "Score",
    "Tier",
    "TiersRule",
]
