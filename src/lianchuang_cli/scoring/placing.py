"""Ranks and quotas of one level of a county tree, by the batch's own summary (one rule).

``grade-tree`` places each level's graded units as ``batch`` places a folder: ranked by
``ranking.TIE_RULE``, quotas (``--quota`` over the rubric's ``quotas``) applied in rank order,
units tied across a cut-off reported as 并列 under the rubric's ``quota_ties``. Over which units a
quota is counted is declared, never implied: the villages' rubric says ``quota_scope`` (the whole
county, or each township apart); townships share the county's quotas. The county itself is the
only unit of its level, so a quota cannot apply to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from lianchuang_cli.model.rubric import Rubric
from lianchuang_cli.scoring.quotas import QuotaError
from lianchuang_cli.scoring.ranking import Placement
from lianchuang_cli.scoring.results import UnitFacts, UnitResult
from lianchuang_cli.scoring.summary import BatchSummary, SummaryBuilder

QUOTA_POOLS: dict[tuple[str, str], str] = {
    ("village", "county"): "村的名额按全县参评的村计算（细则 quota_scope: county）。",
    ("village", "township"): "村的名额按各乡镇所辖参评的村分别计算（细则 quota_scope: township）。",
    ("township", "county"): "乡镇的名额按全县参评的乡镇计算。",
    ("batch", "township"): (
        "本次批量评分按所给的全部单位计算名额；细则的 quota_scope: township（村的名额按乡镇分别计算）"
        "只在 grade-tree 中施加，要按乡镇计算请用 grade-tree 评分整个县。"
    ),
}
"""Over which units a level's quotas are counted, as the quota rule says first (``batch``: a
folder's units, said only where the rubric declares a pool a batch cannot honour)."""


def level_quotas(rubric: Rubric | None, quotas: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """The quotas that apply to a level: its rubric's ``quotas``, each ``--quota`` (``quotas``)
    naming one of its ratings above the lowest taking precedence."""
    if rubric is None:
        return {}
    names = [band.name for band in rubric.ratings]
    declared = {quota.rating: quota.max_percent for quota in rubric.quotas}
    given = {name: percent for name, percent in quotas.items() if name in names[:-1]}
    return {**declared, **given}


def check_tree_quotas(quotas: Mapping[str, Decimal], levels: Mapping[str, Rubric]) -> None:
    """Raise ``QuotaError`` for a ``--quota`` no village or township rating can take."""
    placed = {name for level in ("village", "township") if level in levels
              for name in [band.name for band in levels[level].ratings][:-1]}  # fmt: skip
    county = levels.get("county")
    for name in quotas:
        if name in placed:
            continue
        if county is not None and name in {band.name for band in county.ratings}:
            raise QuotaError(
                f"“{name}”是县级等级：grade-tree 只评一个县，县级名额由上级在各县之间掌握，"
                "不能在此设名额；名额用于村和乡镇的等级"
            )
        choices = "、".join(sorted(placed)) or "无"
        raise QuotaError(
            f"名额中的等级“{name}”不是村或乡镇细则中可设名额的等级（最低一级除外）；可选：{choices}"
        )


def place_level(
    results: Sequence[UnitResult | UnitFacts],
    *,
    level: str,
    rubric: Rubric | None,
    quotas: Mapping[str, Decimal],
    invalid: int = 0,
    groups: Sequence[str] = (),
) -> BatchSummary:
    """One level's units (in the tree's order) ranked, quotas applied, statistics computed.

    ``groups`` (one per result) counts the quotas over each group apart: the townships' names
    when the villages' rubric declares ``quota_scope: township``.
    """
    builder = SummaryBuilder()
    for index, result in enumerate(results):
        builder.add(index, result)
    scope = "township" if groups else "county"
    return builder.finish(
        files=len(results) + invalid,
        invalid=invalid,
        skipped=0,
        quotas=level_quotas(rubric, quotas),
        quota_ties=rubric.quota_ties if rubric is not None else "committee",
        groups=groups,
        quota_pool=QUOTA_POOLS.get((level, scope), ""),
    )


def placed_alone(result: UnitResult | UnitFacts) -> Placement:
    """The place of a unit ranked on its own (the county, a unit left out of the tree): first,
    with no quota, by the same rule as every level."""
    builder = SummaryBuilder()
    builder.add(0, result)
    return builder.finish(files=1, invalid=0, skipped=0, quotas={}).placements[0]
