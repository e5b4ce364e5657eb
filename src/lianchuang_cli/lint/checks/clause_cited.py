"""``clause-cited``: every criterion and indicator names the clause of the policy it encodes."""

from __future__ import annotations

from collections.abc import Iterator

from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext


def run(ctx: RubricContext) -> Iterator[Finding]:
    for criterion in ctx.rubric.criteria:
        if not criterion.clause:
            message = f"考评项目“{criterion.name}”没有写 clause（出自文件的哪一条，如“二(一)1”）"
            yield ctx.at(criterion, "id", message=message, key=True)
        for indicator in criterion.indicators:
            if not indicator.clause:
                message = f"指标“{indicator.name}”没有写 clause（出自文件的哪一条，如“二(一)1”）"
                yield ctx.at(indicator, "id", message=message, key=True)


CHECK = Check("clause-cited", "warning", "每个考评项目和指标都写明出处条款 `clause`", run)
