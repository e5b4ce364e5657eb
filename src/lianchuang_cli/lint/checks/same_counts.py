"""``same-counts``: each place a ``same_counts`` population names gives a whole number of it.

Evidence files are compared at these places (``model/same_counts.py``); a place naming no
indicator, a field the indicator's value does not have, or an indicator counting in another unit
(户 where the population is counted in 人) would compare nothing, or compare apples with pears,
without a word.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext
from lianchuang_cli.model.profile import VillageProfile
from lianchuang_cli.model.rubric import SameCount
from lianchuang_cli.model.rules import RuleBase
from lianchuang_cli.model.same_counts import Place


def run(ctx: RubricContext) -> Iterator[Finding]:
    indicators = {indicator.id: indicator for _, indicator in ctx.indicators()}
    for fact in ctx.rubric.same_counts:
        places = [("equal", i, text) for i, text in enumerate(fact.equal)]
        places += [("within", i, text) for i, text in enumerate(fact.within)]
        if len(places) < 2:
            message = f"“{fact.name}”只列了一处，没有可以比较的；至少列出两处（equal 或 within）"
            yield ctx.at(fact, "equal", message=message)
        seen: set[str] = set()
        for section, index, text in places:
            if text in seen:
                message = f"“{text}”在“{fact.name}”中重复列出"
                yield ctx.at(fact, section, index, message=message)
            seen.add(text)
            complaint = _complaint(Place.parse(text), fact, indicators, ctx.rubric.level)
            if complaint:
                yield ctx.at(fact, section, index, message=f"“{text}”{complaint}")


def _complaint(place: Place, fact: SameCount, indicators: dict[str, Any], level: str) -> str:
    """Why ``place`` gives no whole number of ``fact``'s population, or ""."""
    if place.in_profile:
        if level != "village":
            return "：村情基本信息（profile）只用于村级细则"
        if place.key not in _profile_counts():
            return "不是村情基本信息（profile）中的人数或个数字段"
        return ""
    indicator = indicators.get(place.key)
    if indicator is None:
        return "：细则中没有这个指标"
    rule = indicator.rule
    kind: type[RuleBase] = type(rule)
    whole, fields = _value_counts(kind)
    if place.field is None:
        if not whole:
            named = f"，请写成“指标.字段”（{'、'.join(sorted(fields))}）" if fields else ""
            return f"：指标“{indicator.name}”的填报值不是整数个数{named}"
    elif place.field not in fields:
        return f"：指标“{indicator.name}”的填报值没有整数字段“{place.field}”"
    unit = getattr(rule, "unit", "")
    if unit and unit != fact.unit:
        return f"：指标“{indicator.name}”以“{unit}”计，“{fact.name}”以“{fact.unit}”计"
    return ""


@cache
def _profile_counts() -> frozenset[str]:
    # A pure memo: the profile's schema is fixed by the code (building it is most of this check).
    return frozenset(_whole_numbers(VillageProfile.model_json_schema()))


@cache
def _value_counts(kind: type[RuleBase]) -> tuple[bool, frozenset[str]]:
    """Whether a kind's value is itself a whole number, and its whole-number fields."""
    # A pure memo keyed by the kind, whose value schema is fixed by the code.
    schema = kind.value_schema.json_schema()
    return schema.get("type") == "integer", frozenset(_whole_numbers(schema))


def _whole_numbers(schema: dict[str, Any]) -> set[str]:
    """Names of the integer properties anywhere in a JSON Schema (its ``$defs`` included)."""
    found: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for name, spec in node.get("properties", {}).items():
                if isinstance(spec, dict) and spec.get("type") == "integer":
                    found.add(name)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


CHECK = Check(
    "same-counts",
    "error",
    "同一总体（`same_counts`）列出的每一处都是该细则中给出整数个数的地方，单位一致",
    run,
)
