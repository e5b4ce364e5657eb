"""``rubric show``: the criteria and indicator tree of a rubric, with points and rules."""

from __future__ import annotations

from rich.console import RenderableType
from rich.tree import Tree

from lianchuang_cli.decimals import fmt
from lianchuang_cli.model.rubric import LEVEL_NAMES, Rubric
from lianchuang_cli.model.rules import RULE_KIND_NAMES
from lianchuang_cli.reports.console_layout import Wrapped
from lianchuang_cli.reports.table import render_text
from lianchuang_cli.reports.wording import (
    NOT_APPLICABLE_POLICY_NAMES,
    band_conditions_text,
    band_share_text,
)


def rubric_tree(rubric: Rubric) -> RenderableType:
    """Build the tree: rubric → criteria → indicators, then penalties, bonuses, vetoes, ratings."""
    root = Tree(
        Wrapped(
            f"{rubric.title}（{rubric.id} {rubric.version}，{LEVEL_NAMES[rubric.level]}级，"
            f"{rubric.year}年度，总分{fmt(rubric.total_points)}）",
            style="bold",
        )
    )
    for criterion in rubric.criteria:
        clause = f"　[{criterion.clause}]" if criterion.clause else ""
        branch = root.add(Wrapped(f"{criterion.name}　{fmt(criterion.points)}分{clause}"))
        for indicator in criterion.indicators:
            long_term = "　长期指标" if indicator.long_term else ""
            if indicator.awarded_by is not None:
                long_term += f"　由{indicator.awarded_by}评定"
            na = (
                f"\n可按缺项处理的情形：{'；'.join(indicator.not_applicable_when)}"
                if indicator.not_applicable_when
                else ""
            )
            linked = (
                f"\n由下级核算：{indicator.linked.describe()}"
                if indicator.linked is not None
                else ""
            )
            branch.add(
                Wrapped(
                    f"{indicator.name}（{indicator.id}）　{fmt(indicator.points)}分　"
                    f"{RULE_KIND_NAMES[indicator.rule.kind]}{long_term}\n"
                    f"{indicator.requirement}{na}{linked}"
                )
            )
    if rubric.penalties:
        branch = root.add("扣分项")
        for item in rubric.penalties:
            cap = f"，最多扣{fmt(item.cap)}分" if item.cap is not None else ""
            branch.add(Wrapped(f"{item.name}（{item.id}）　每次 -{fmt(item.points)}{cap}"))
    if rubric.bonuses:
        cap_total = f"（合计最多{fmt(rubric.bonus_cap)}分）" if rubric.bonus_cap else ""
        branch = root.add(Wrapped(f"加分项{cap_total}"))
        for item in rubric.bonuses:
            cap = f"，最多加{fmt(item.cap)}分" if item.cap is not None else ""
            times = f"，每年最多计{item.max_times}次" if item.max_times is not None else ""
            group = f"，同组（{item.group}）只计最高级别" if item.group is not None else ""
            branch.add(
                Wrapped(f"{item.name}（{item.id}）　每次 +{fmt(item.points)}{cap}{times}{group}")
            )
    if rubric.vetoes:
        branch = root.add("一票否决")
        for veto in rubric.vetoes:
            branch.add(Wrapped(f"{veto.name}（{veto.id}）"))
    root.add(Wrapped(f"总分最低为{fmt(rubric.score_floor)}分（扣分再多也不低于此分）"))
    na_cap = rubric.not_applicable_max_share
    root.add(
        Wrapped(
            f"缺项处理：{NOT_APPLICABLE_POLICY_NAMES[rubric.not_applicable_policy]}"
            + (f"；缺项合计不超过总分的{fmt(na_cap * 100)}%" if na_cap is not None else "")
            + "；只有指标列明的情形可按缺项处理"
        )
    )
    branch = root.add("等级")
    for band in rubric.ratings:
        share = band_share_text(band, rubric)
        share = f"，且{share}" if share else ""
        conditions = band_conditions_text(band)
        conditions = f"；{conditions}" if conditions else ""
        branch.add(Wrapped(f"{band.name}：总分 ≥ {fmt(band.min_score)}{share}{conditions}"))
    root.add(Wrapped(quota_text(rubric)))
    return root


def quota_text(rubric: Rubric) -> str:
    """The rubric's quotas, its rule for ties at a cut-off and, for villages, over which units
    grade-tree counts them: the choices the rubric declares, shown whether or not set."""
    from lianchuang_cli.scoring.placing import QUOTA_POOLS
    from lianchuang_cli.scoring.quotas import QUOTA_TIE_RULES

    quotas = "、".join(f"“{q.rating}”不超过{fmt(q.max_percent)}%" for q in rubric.quotas)
    hint = (
        "细则未设（可用 batch 的 --quota 在多个县之间设定；grade-tree 只评一个县，不对县设名额）"
        if rubric.level == "county"
        else "细则未设（可用 batch、grade-tree 的 --quota 设定）"
    )
    text = f"名额：{quotas or hint}；"
    text += f"名额线上并列时{QUOTA_TIE_RULES[rubric.quota_ties]}"
    if rubric.level == "village":
        text += "；grade-tree 中" + QUOTA_POOLS[("village", rubric.quota_scope)]
    return text if text.endswith("。") else text + "。"


def render_rubric(rubric: Rubric, *, width: int = 100, color: bool = False) -> str:
    """Render the rubric tree as text."""
    return render_text([rubric_tree(rubric)], width=width, color=color)
