"""``choice-options``: a choice rule's options are distinct even to a reader (spaces, 全角/半角)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext
from lianchuang_cli.model.rules import ChoiceRule


def _normal(option: str) -> str:
    return "".join(unicodedata.normalize("NFKC", option).split()).casefold()


def run(ctx: RubricContext) -> Iterator[Finding]:
    for _, indicator in ctx.indicators():
        rule = indicator.rule
        if not isinstance(rule, ChoiceRule):
            continue
        seen: dict[str, str] = {}
        for option in rule.options:
            same = seen.setdefault(_normal(option), option)
            if same != option:
                message = (
                    f"指标“{indicator.name}”的选项“{option}”与“{same}”只差空格、全角半角或大小写，"
                    "填报时无法区分；请合并或改名"
                )
                yield ctx.at(rule, "options", option, message=message, key=True)


CHECK = Check("choice-options", "error", "选项互不相同（忽略空格、全角半角、大小写）", run)
