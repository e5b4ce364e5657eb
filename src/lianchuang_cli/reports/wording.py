"""Wording shared by every human-readable report (table, HTML), so no format rewrites it.

The result objects carry each indicator's explanation and advice; what a report says around
them (the score formula, scaling, the next-rating advice, long-term work) is worded here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from lianchuang_cli.decimals import fmt
from lianchuang_cli.digests import short_digest
from lianchuang_cli.grading.rubrics import shipped_digest, shipped_version
from lianchuang_cli.model.rubric import RatingBand, Rubric
from lianchuang_cli.scoring.results import (
    NOT_PROPOSED,
    Adjustment,
    CriterionResult,
    GapCategory,
    IndicatorResult,
    Provenance,
    SkippedEntry,
    UnitFacts,
    UnitResult,
)

if TYPE_CHECKING:  # only for the type: ``score ONE_FILE`` never loads the batch summary
    from lianchuang_cli.scoring.ranking import Placement, RankedRow
    from lianchuang_cli.scoring.summary import BatchSummary

NOT_APPLICABLE_POLICY_NAMES: dict[str, str] = {
    "rescale": "缺项不计入应得分，其余指标得分按比例折算为总分",
    "full_marks": "缺项按该项满分计",
}


ROUNDING_NOTE = (
    "取舍：每项指标得分精确计算后四舍五入到0.01分（只一次），基础分为各项得分之和"
    "（有缺项折算时，折算结果再四舍五入一次），打印的各项得分相加即为基础分"
)
"""How totals are rounded (README 计分): each indicator once, then exact sums of the rounded rows."""


def band_share_text(band: RatingBand, rubric: Rubric) -> str:
    """A band's criterion-share condition: "各考评项目得分率不低于80%", or naming the criteria
    it binds when not all ("考评项目领导责任制落实好、……各项得分率不低于80%"); "" when none."""
    share = band.min_criterion_share
    if share is None:
        return ""
    if band.min_criterion_share_of is None:
        return f"各考评项目得分率不低于{fmt(share * 100)}%"
    names = "、".join(c.name for c in rubric.criteria if band.share_applies(c.id))
    return f"考评项目{names}各项得分率不低于{fmt(share * 100)}%（其余考评项目只计入总分）"


def band_conditions_text(band: RatingBand) -> str:
    """A band's conditions on the units below, as the rubric views state them ("" when none)."""
    from lianchuang_cli.scoring.conditions import condition_text

    if not band.requires:
        return ""
    wanted = "；".join(condition_text(c) for c in band.requires)
    return f"等级条件（由 grade-tree 据下级单位结果核算）：{wanted}"


def place(line: int, cell: str | None) -> str:
    """Where an indicator was filled in: "第12行" in a YAML file, "指标!H12" in a workbook."""
    return cell if cell is not None else f"第{line}行"


def unit_heading(result: UnitResult) -> str:
    """ "桃源村党总支（0571030101） · 桃源镇 · 青山县"."""
    where = " · ".join(x for x in (result.township, result.county) if x)
    return f"{result.unit_name}（{result.unit_code}）" + (f" · {where}" if where else "")


def rubric_name(rubric_id: str, version: str, sha256: str) -> str:
    """ "village 2026.2 · 3f2a9c1e": id, version and short content digest, and a note when the
    rubric is not the shipped one (an edited copy keeps the id and version it was copied with)."""
    name = f"{rubric_id} {version} · {short_digest(sha256)}"
    shipped_sha256 = shipped_digest(rubric_id)
    if shipped_sha256 is None:
        return f"{name}，非内置细则"
    if sha256 == shipped_sha256:
        return name
    shipped = shipped_version(rubric_id)  # loads the shipped rubric: only for another copy
    if version == shipped:
        return f"{name}，与内置细则 {rubric_id} {version} 内容不同"
    return f"{name}，非内置版本（内置为 {shipped}）"


def rubric_line(result: UnitResult) -> str:
    """Which rubric (see ``rubric_name``), which year."""
    name = rubric_name(result.rubric_id, result.rubric_version, result.rubric_sha256)
    return f"考评细则：{result.rubric_title}（{name}）　{result.year}年度"


def over_maximum_note(result: UnitResult) -> str:
    """Said after the total when bonuses lift it over the maximum, else ""."""
    return "（含加分，可超过满分）" if result.score > result.max_score else ""


def score_notes(result: UnitResult) -> list[str]:
    """How the total was reached: formula, floor, 缺项 policy and scaling, bonus cap."""
    notes = []
    formula = [f"基础分{fmt(result.base_score)}"]
    if result.bonus:
        formula.append(f"+ 加分{fmt(result.bonus)}")
    if result.penalty:
        formula.append(f"- 扣分{fmt(result.penalty)}")
    if len(formula) > 1:
        notes.append(f"总分 = {' '.join(formula)} = {fmt(result.unfloored_score)}")
    if result.floor_applied:
        notes.append(
            f"总分{fmt(result.unfloored_score)}低于细则规定的最低分，"
            f"按最低分{fmt(result.score_floor)}分计"
        )
    notes.append(
        f"缺项处理（细则规定）：{NOT_APPLICABLE_POLICY_NAMES[result.not_applicable_policy]}"
    )
    notes.append(ROUNDING_NOTE)
    if result.scaled:
        skipped = [r.name for r in result.indicators if r.status == "not_applicable"]
        notes.append(
            f"缺项按比例折算：{'、'.join(skipped)}不适用；适用指标满分 "
            f"{fmt(result.applicable_points)}，得{fmt(result.raw_score)}，"
            f"折算为{fmt(result.raw_score)} ÷ {fmt(result.applicable_points)} × "
            f"{fmt(result.max_score)} = {fmt(result.base_score)}"
        )
    if result.bonus_capped:
        notes.append("加分已达上限，超出部分不计。")
    return notes


def veto_notes(result: UnitResult) -> list[str]:
    """One line per veto event."""
    return [f"一票否决：{reason}" for reason in result.veto_reasons]


def condition_notes(result: UnitResult) -> list[str]:
    """The rating-band conditions on the units below that decided the rating (reached by score,
    not met), and a line when they could not be checked (the unit graded alone)."""
    notes = [
        f"等级条件未满足，不评为“{c.rating}”：须{c.condition}；{c.description}"
        for c in result.band_conditions
        if c.decided
    ]
    unchecked = [c for c in result.band_conditions if c.met is None]
    if unchecked:
        wanted = "；".join(f"“{c.rating}”须{c.condition}" for c in unchecked)
        notes.append(f"等级条件未核算（{unchecked[0].description}）：{wanted}")
    return notes


def criterion_share(criterion: CriterionResult) -> str:
    """The criterion's score as a share of its points: "85%", or "—" when nothing applies."""
    if not criterion.max_score:
        return "—"
    return f"{fmt(criterion.score * 100 / criterion.max_score)}%"


def adjustment_label(adjustment: Adjustment) -> str:
    """The item's name, whether its cap was reached, and why it was limited."""
    note = "（已达该项上限）" if adjustment.capped else ""
    limited = f"\n{adjustment.limited}" if adjustment.limited else ""
    return f"{adjustment.name}{note}{limited}"


def adjustment_points(adjustment: Adjustment) -> str:
    """ "+1" for a bonus, "-2" for a penalty."""
    return f"{'+' if adjustment.kind == 'bonus' else '-'}{fmt(adjustment.points)}"


NO_GAPS = "差距：无，各项指标均得满分。"


def next_rating_text(result: UnitResult) -> str:
    """The next-rating advice: the unit's own gaps to close to reach the next better rating.

    An evidence file is the assessed year's account, graded after that year has ended, so the
    advice is the next year's work (never completing or correcting the assessed year's records).
    """
    step = result.next_rating
    if step is None:
        return f"升级：{result.next_rating_note}"
    names = {r.id: r.name for r in result.indicators}
    lost = {g.indicator: g.lost for g in result.gaps}
    items = "、".join(names[i] for i in step.indicators)
    recover = sum((lost[i] for i in step.indicators), Decimal(0))
    needed = f"本年度还差{fmt(step.points_needed)}分；" if step.points_needed else ""
    also = f"{result.next_rating_note}。" if result.next_rating_note else ""
    return (
        f"升级（{result.year + 1}年）：要达到“{step.rating}”，{needed}本单位至少须做好"
        f"{len(step.indicators)}项（{items}，共可多得{fmt(recover)}分），"
        f"其余各项保持本年度水平，总分可达{fmt(step.score_after)}。{also}"
    )


CATEGORY_LABELS: dict[GapCategory, str] = {
    "own": "本单位",
    "lower_level": "取决于下级",
    "assessor": "由考评人员评定",
    "long_term": "长期工作",
}
"""Who can close a gap (``Gap.category``), in a word: the workbook's 由谁改进 column."""

CATEGORY_HEADINGS: dict[GapCategory, str] = {
    "lower_level": "取决于下级（联创指标，不列入升级建议）",
    "assessor": "由考评人员评定（不列入升级建议）",
    "long_term": "长期工作（一年内无法改变，不列入升级建议）",
}
"""The heading of each category of gaps the next rating never proposes (``NOT_PROPOSED``)."""


def not_proposed(result: UnitResult) -> list[tuple[str, str]]:
    """The gaps the unit cannot close itself, one (heading, items) pair per category present."""
    lines = []
    for category in NOT_PROPOSED:
        heading = CATEGORY_HEADINGS[category]
        gaps = [g for g in result.gaps if g.category == category]
        if gaps:
            # Names only: the gap list just above gives each one's points lost.
            lines.append((heading, "、".join(g.name for g in gaps)))
    return lines


def not_proposed_texts(result: UnitResult) -> list[str]:
    """``not_proposed`` as one line each: "长期工作（…）：主导产业（失2分）"."""
    return [f"{heading}：{items}" for heading, items in not_proposed(result)]


def rating_reason_text(result: UnitResult) -> str:
    """Said right after the rating when it is below what the total alone gives, else ""."""
    return f"（{result.rating_reason}）" if result.rating_reason else ""


def rated_because(unit_name: str, rating: str, reason: str) -> str:
    """ "南塘村评为良好：总分已达…": a unit rated below what its total alone gives, and why."""
    return f"{unit_name}评为{rating}：{reason}"


def ranking_note(ranked: RankedRow) -> str:
    """A ranking row's 备注 in full: the veto reasons; else why the rating by score is below what
    the total alone gives and what a quota did, each when it applies."""
    row, placement = ranked.row, ranked.placement
    if row.vetoed:
        return "一票否决：" + "；".join(row.veto_reasons)
    return "；".join(note for note in (row.rating_reason, placement.quota_note) if note)


def short_ranking_note(ranked: RankedRow) -> str:
    """The 备注 of a ranking on screen, in a few words (the full text is listed below it)."""
    if ranked.row.vetoed:
        return "一票否决"
    placement = ranked.placement
    reason = "单项得分率不足" if ranked.row.rating_reason else ""
    if not placement.quota_note:
        return reason
    quota = quota_mark(placement, ranked.row.rating_by_score)
    return "；".join(note for note in (reason, quota) if note)


def rating_text(result: UnitResult) -> str:
    """The rating, with the reason it is below what the total alone gives if it is."""
    return result.rating + rating_reason_text(result)


def self_score_shown(score: Decimal | None) -> str:
    """A verified score beside a self-assessed one: "缺项" when not applicable."""
    return "缺项" if score is None else fmt(score)


VETO_MARK = "（否决）"
"""Written after the rating of a vetoed unit in a ranking."""


def ranked_rating(result: UnitResult) -> str:
    """A unit's rating in a ranking: "不合格（否决）" when vetoed."""
    return result.rating + (VETO_MARK if result.vetoed else "")


def quota_mark(placement: Placement, rating_by_score: str) -> str:
    """A quota's effect on a unit in a few words ("名额线并列", "名额顺延（按得分为优秀）"), or ""."""
    if not placement.quota_note:
        return ""
    moved = placement.rating != rating_by_score
    if placement.tied:
        return "名额线并列；名额顺延" if moved else "名额线并列"
    return f"名额顺延（按得分为{rating_by_score}）"


def placement_notes(placement: Placement | None) -> tuple[str, ...]:
    """A unit's rating after a tree level's quotas, when a quota moved or tied it."""
    if placement is None or not placement.quota_note:
        return ()
    return (f"名额后等级 {placement.rating}：{placement.quota_note}",)


def quota_marked(placement: Placement, rating_by_score: str) -> str:
    """A rating after quotas with the quota's mark: "优秀（名额线并列）", "良好" when untouched."""
    mark = quota_mark(placement, rating_by_score)
    return placement.rating + (f"（{mark}）" if mark else "")


def placed_rating(result: UnitResult | UnitFacts, placement: Placement) -> str:
    """A unit's rating after quotas in a ranking: marked when vetoed or moved by a quota."""
    return result.rating + VETO_MARK if result.vetoed else quota_marked(placement, result.rating)


def rating_counts(distribution: Iterable[tuple[str, int]]) -> str:
    """ "优秀2　良好2　合格0　不合格1", or "—" when nothing was rated."""
    return "　".join(f"{rating}{count}" for rating, count in distribution) or "—"


def linked_value(provenance: Provenance) -> str:
    """A linked figure and, for a rule comparing with last year, last year's: "23.08（上年15.38）".

    Every grade-tree format takes this wording, so what a missing previous year means is said
    the same way everywhere.
    """
    value = "—" if provenance.value is None else fmt(provenance.value)
    if provenance.previous is not None:
        return f"{value}（上年{fmt(provenance.previous)}）"
    if provenance.compares_previous and provenance.previous_source:
        return f"{value}（上年数据自相矛盾，未比较）"  # the source says where
    if provenance.compares_previous:
        return f"{value}（无上年数据）"
    return value


def linked_score(indicator: IndicatorResult) -> str:
    """ "0.69/3": the linked indicator's score over its points ("缺项" or "—" when not scored)."""
    if indicator.status == "not_applicable":
        return f"缺项/{fmt(indicator.max_score)}"
    score = "—" if indicator.score is None else fmt(indicator.score)
    return f"{score}/{fmt(indicator.max_score)}"


def linked_source(provenance: Provenance) -> str:
    """Where the figure came from: how it was counted, the unit's own declared value, and the
    lower units left out with why."""
    source = provenance.description or provenance.label
    if provenance.source != "computed":
        source = (
            f"{provenance.label}：{provenance.description}"
            if provenance.description
            else provenance.label
        )
    if provenance.declared and provenance.source == "computed":
        source += f"；本单位申报{provenance.declared}"
    if provenance.excluded:
        source += f"；未计入：{'；'.join(provenance.excluded)}"
    return source


def counts_line(summary: BatchSummary) -> str:
    """One sentence with every count of the batch."""
    text = (
        f"共{summary.files}个文件：已评分{summary.graded}个"
        f"（其中一票否决{summary.vetoed}个），无效{summary.invalid}个"
    )
    if summary.skipped:
        text += f"；另跳过{summary.skipped}项" + skipped_detail(summary.skipped_entries)
    return text + "。"


SKIPPED_NAMED = 5
"""Entries named per reason; a folder of attachments can hold hundreds (all are in the JSON)."""


def skipped_detail(entries: Sequence[SkippedEntry]) -> str:
    """The skipped entries grouped by why, each group naming its first few: ``（why：a、b等3项）``."""
    if not entries:
        return ""
    groups: dict[str, list[str]] = {}
    for entry in entries:
        groups.setdefault(entry.reason, []).append(entry.path)
    parts = []
    for reason, paths in groups.items():
        named = "、".join(paths[:SKIPPED_NAMED])
        more = f"等{len(paths)}项" if len(paths) > SKIPPED_NAMED else ""
        parts.append(f"{reason}：{named}{more}")
    return "（" + "；".join(parts) + "）"
