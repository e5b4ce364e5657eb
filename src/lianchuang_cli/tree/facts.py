"""Village facts the level above counts (保障有力, 设置换届): each entered once, and where it is
entered twice, compared.

A county figure over the villages' reported facts is computed from their profiles
(``scoring.linked``). Two things grade-tree then reports as errors, at their place in the files:
a village that did not report a fact such a figure needs (the figure is not computed, not guessed
from the rest), and a unit whose own file still declares the figure with another value than its
villages report (at the declared value and at the villages that make the difference).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from msgspec.structs import replace

from lianchuang_cli.decimals import fmt
from lianchuang_cli.errors import Problem
from lianchuang_cli.model.evidence_data import Evidence
from lianchuang_cli.model.linked_spec import FACT_FIGURES, LinkedSpec
from lianchuang_cli.model.profile import SUPPORT_FACTS
from lianchuang_cli.model.rubric import Indicator, LoadedRubric
from lianchuang_cli.scoring.linked import declared_differs, numeric, shown
from lianchuang_cli.scoring.results import Provenance
from lianchuang_cli.scoring.village_facts import fact_met, fact_shown


def fact_problems(
    loaded: LoadedRubric,
    evidence: Evidence,
    values: Mapping[str, tuple[Any, Provenance]],
    villages: Sequence[Evidence],
) -> list[Problem]:
    """Missing and contradicted village facts behind the unit's linked figures (see module)."""
    problems: list[Problem] = []
    for _, indicator in loaded.rubric.indicators():
        spec = indicator.linked
        if spec is None or spec.figure not in FACT_FIGURES or indicator.id not in values:
            continue
        provenance = values[indicator.id][1]
        if provenance.source == "unavailable" and provenance.excluded:
            problems.extend(_unreported(evidence, indicator, spec, villages))
        declared = evidence.values.get(indicator.id)
        computed = provenance.source == "computed"
        if computed and declared is not None and declared_differs(declared, provenance):
            problems.extend(_contradicted(evidence, indicator, declared, provenance, villages))
        if computed and spec.figure == "secretary_pay_share":
            problems.extend(_one_reference_income(evidence, villages))
    return problems


def _one_reference_income(evidence: Evidence, villages: Sequence[Evidence]) -> list[Problem]:
    """上年度当地农村居民人均可支配收入 is one published figure, typed by every village: a village
    that typed another than the others is an error (else it could lower its own pay line)."""
    incomes = Counter(
        v.profile.rural_income_last_year
        for v in villages
        if v.profile is not None and v.profile.rural_income_last_year is not None
    )
    if len(incomes) < 2:
        return []
    (first, most), (_, next_most) = incomes.most_common(2)
    usual = first if most > next_most else None
    typed = "、".join(f"{fmt(income)}元（{n}个村）" for income, n in incomes.most_common())
    problems = []
    for village in villages:
        income = village.profile.rural_income_last_year if village.profile else None
        if income is None or income == usual:
            continue
        message = (
            f"本村填报的上年度当地农村居民人均可支配收入为{fmt(income)}元，而{evidence.unit.name}所辖"
            f"各村填报的是：{typed}；这是统计部门公布的同一个数（书记基本报酬按它的倍数衡量），"
            "各村应填同一个数，请核实后更正"
        )
        at = village.doc.problem(["profile", "rural_income_last_year"], message)
        problems.append(replace(at, code="tree-fact-mismatch"))
    return problems


def _unreported(
    evidence: Evidence, indicator: Indicator, spec: LinkedSpec, villages: Sequence[Evidence]
) -> list[Problem]:
    problems = []
    for village in villages:
        profile = village.profile
        fields = FACT_FIGURES[spec.figure]
        missing = fields if profile is None else profile.missing(fields)
        if not missing:
            continue
        named = "、".join(
            f"profile.{f}（{SUPPORT_FACTS[f].name}"
            + (f"，{SUPPORT_FACTS[f].unit}）" if SUPPORT_FACTS[f].unit else "，是/否）")
            for f in missing
        )
        message = (
            f"未填写 {named}：{evidence.unit.name}的“{indicator.name}”据所辖全部村填报的村情基本信息"
            "核算，有村未填时无法核算、该项不得分（不按其他村推算）；请在本村材料的 profile 中补填"
        )
        # An absent field has no place of its own: the error sits at ``profile:`` (or the top).
        at = village.doc.problem(["profile"], message, key=True)
        problems.append(replace(at, code="tree-fact-missing"))
    return problems


def _contradicted(
    evidence: Evidence,
    indicator: Indicator,
    declared: Any,
    provenance: Provenance,
    villages: Sequence[Evidence],
) -> list[Problem]:
    spec = indicator.linked
    assert spec is not None
    computed = (
        f"{provenance.part}/{provenance.whole}"
        if provenance.part is not None
        else fmt(provenance.value)
        if provenance.value is not None
        else ""
    )
    both = (
        f"“{indicator.name}”{evidence.unit.name}填报{shown(declared)}，"
        f"而据各村材料的村情基本信息核算为{computed}"
    )
    fix = "同一事实只认一个数：本项按各村材料核算计分；请核实后删去县（乡镇）材料中本项的 value，或更正各村材料"
    problems = [
        replace(
            evidence.doc.problem(
                ["indicators", indicator.id, "value"], f"{both}（{provenance.description}）；{fix}"
            ),
            code="tree-fact-mismatch",
        )
    ]
    field = FACT_FIGURES[spec.figure][0]
    for village in _villages_to_check(spec, declared, provenance, villages):
        assert village.profile is not None
        message = (
            f"{both}；本村 {fact_shown(spec, village.profile)}，"
            f"{_counted_as(spec, village)}；请核实本村 profile.{field} 与{evidence.doc.name}"
        )
        problems.append(
            replace(village.doc.problem(["profile", field], message), code="tree-fact-mismatch")
        )
    return problems


def _villages_to_check(
    spec: LinkedSpec, declared: Any, provenance: Provenance, villages: Sequence[Evidence]
) -> list[Evidence]:
    """The villages where the two figures part: those counted short of the figure when the
    declared figure is higher, those that meet it when it is lower; every village for a mean."""
    reported = [v for v in villages if v.profile is not None]
    if spec.kind == "mean":
        return reported
    declared_part = getattr(declared, "part", None)
    if declared_part is not None and provenance.part is not None:
        higher = declared_part > provenance.part
    else:
        number = numeric(declared)
        value = provenance.value
        higher = number is not None and value is not None and number > value
    return [v for v in reported if v.profile is not None and fact_met(spec, v.profile) != higher]


def _counted_as(spec: LinkedSpec, village: Evidence) -> str:
    if spec.kind == "mean":
        return "计入村均数"
    assert village.profile is not None
    return "计为达到" if fact_met(spec, village.profile) else "计为未达到"
