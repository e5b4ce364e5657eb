"""The rows every grade-tree report shows, built once from the tree.

The table and the HTML page lay out these rows (the JSON carries the same figures as numbers),
so a figure or a sentence cannot differ between formats: the townships with their villages'
rating counts, each township's ranked villages, and each unit's linked figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from lianchuang_cli.decimals import fmt
from lianchuang_cli.reports import summary_view, wording
from lianchuang_cli.scoring.results import UnitResult
from lianchuang_cli.tree.tree_result import TownshipNode, TreeResult


@dataclass(frozen=True, slots=True)
class TownshipRow:
    """A township in the county overview: its total, rating and its villages' rating counts."""

    name: str
    code: str
    score: str
    rating: str
    villages: str
    counts: tuple[tuple[str, int], ...]

    @property
    def distribution(self) -> str:
        """The counts in one cell: "优秀2　良好2　合格0　不合格1"."""
        return wording.rating_counts(self.counts)


@dataclass(frozen=True, slots=True)
class VillageRow:
    """A village in its township's ranking."""

    rank: str
    name: str
    code: str
    score: str
    rating: str
    file: str


@dataclass(frozen=True, slots=True)
class LinkedRow:
    """A linked indicator: its figure, its score and where the figure came from."""

    name: str
    value: str
    score: str
    source: str


def township_name(node: TownshipNode) -> str:
    """The township's name, or its code and file when its own material could not be graded."""
    if node.result is not None:
        return node.result.unit_name
    return f"{node.code}（{node.file}，未能评分）"


def village_ratings(tree: TreeResult) -> tuple[str, ...]:
    """The villages' rating names, best first, as the townships' distributions count them."""
    ratings: dict[str, None] = {}
    for node in tree.townships:
        ratings.update((rating, None) for rating, _ in node.distribution)
    return tuple(ratings)


def township_rows(tree: TreeResult) -> list[TownshipRow]:
    """One row per township, in the tree's order."""
    ratings = village_ratings(tree)
    rows = []
    for node in tree.townships:
        result = node.result
        counts = dict(node.distribution)
        rows.append(
            TownshipRow(
                name=township_name(node),
                code=node.code,
                score=fmt(result.score) if result is not None else "—",
                rating=(
                    wording.quota_marked(node.placement, result.rating)
                    if result is not None and node.placement is not None
                    else "—"
                ),
                villages=f"{len(node.villages)}/{node.villages_found}",
                counts=tuple((rating, counts.get(rating, 0)) for rating in ratings),
            )
        )
    return rows


def village_rows(node: TownshipNode) -> list[VillageRow]:
    """The township's graded villages in rank order, their ratings after quotas, a vetoed one
    or one a quota moved or tied marked."""
    return [
        VillageRow(
            str(rank),
            village.unit_name,
            village.unit_code,
            fmt(village.score),
            wording.placed_rating(village, placement),
            village.file,
        )
        for rank, (village, placement) in enumerate(
            zip(node.villages, node.placements, strict=True), start=1
        )
    ]


LEVEL_QUOTAS = (("township", "乡镇的名额"), ("village", "村的名额"))


def quota_lines(tree: TreeResult) -> list[str]:
    """Each level's quotas as ``batch`` states them: the caps, the rule, each unit moved or tied
    (ranks among the county's units of that level); nothing when no level has a quota."""
    lines: list[str] = []
    for level, title in LEVEL_QUOTAS:
        summary = tree.levels[level]
        if summary.quotas:
            lines.append(f"{title}（{summary.graded}个参评）")
            lines.extend(summary_view.quota_lines(summary))
    return lines


def villages_left_out(node: TownshipNode) -> str:
    """Said under a ranking when some villages' files could not be graded, else ""."""
    missing = node.villages_found - len(node.villages)
    if not missing:
        return ""
    return f"另有{missing}个村的材料无法评分，未计入排名和本乡镇的核算"


def rating_reasons(node: TownshipNode) -> str:
    """Said under a ranking for each village rated below what its total alone gives, else ""."""
    return "\n".join(
        wording.rated_because(village.unit_name, village.rating, village.rating_reason)
        for village in node.villages
        if village.rating_reason
    )


def linked_rows(result: UnitResult) -> list[LinkedRow]:
    """Each linked indicator of ``result`` (none for a unit without linked indicators)."""
    return [
        LinkedRow(
            indicator.name,
            wording.linked_value(indicator.provenance),
            wording.linked_score(indicator),
            wording.linked_source(indicator.provenance),
        )
        for indicator in result.indicators
        if indicator.provenance is not None
    ]


def previous_lines(tree: TreeResult) -> list[str]:
    """What checking last year's file (``--previous``) found: its contradictions, its units
    against this year's tree, its year; each at its ``file:line:column``. Nothing when clean."""
    found = [
        p for p in tree.problems if p.code.startswith("previous-") or p.code == "tree-previous-year"
    ]
    if not found:
        return []
    errors = sum(p.severity == "error" for p in found)
    head = (
        f"上年结果核对（{tree.previous_file}）：错误{errors}处、提示{len(found) - errors}处"
        "（提示是撤并、新设、更名等实际变化，不影响退出码；错误须更正）"
    )
    return [head, *(str(p) for p in found)]
