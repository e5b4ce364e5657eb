"""The Chinese wording of publication packs: what ``publish`` and ``verify`` say, and the 复核
sheet of one unit (the pack's 说明.txt is ``pack_readme``). Pure: data in, text out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from lianchuang_cli.decimals import fmt
from lianchuang_cli.reports.pack_readme import MODE_WORDS

if TYPE_CHECKING:
    from rich.console import RenderableType

    from lianchuang_cli.publishing.compare import Difference
    from lianchuang_cli.publishing.pack import Published
    from lianchuang_cli.publishing.verify import Verification
    from lianchuang_cli.scoring.results import UnitResult

EVIDENCE_WORDS = {"changed": "发布后被改动", "missing": "已不在材料文件夹中", "added": "发布后新增"}
PACK_WORDS = {"changed": "内容与清单记录的摘要不符（被改动过）", "missing": "缺失"}
NONE = "（无）"
SAME_UNIT = "本单位的每个分数、等级、名次和差距与公示结果相同。"


def published_lines(published: Published) -> Iterator[str]:
    """What ``publish`` says on stderr, then the 公示摘要 line."""
    manifest = published.manifest
    yield f"评分方式：{MODE_WORDS[manifest.mode]}。"
    yield (
        f"佐证材料{len(manifest.evidence.files)}份，已评分单位{manifest.units}个，"
        f"无法评分的文件{manifest.invalid}个；考评细则："
        + "、".join(f"{r.id} {r.version}" for r in manifest.rubrics)
        + "。"
    )
    yield f"已写入公示包{published.pack}。"


def verification_lines(result: Verification) -> Iterator[str]:
    """The report of ``verify``: one line when identical, else every difference."""
    manifest = result.manifest
    yield f"公示摘要（manifest.json 的 SHA-256）：{result.digest}，请与公示通知中的摘要核对。"
    if not result.same_tool:
        yield (
            f"注意：公示包由 lianchuang {manifest.tool.version} 生成，本机为 {result.tool_version}；"
            "照常比对，下列不一致可能来自版本差异。"
        )
    for file, problem in result.pack_files:
        yield f"{file}: 公示包内的文件{PACK_WORDS[problem]}"
    for file, change in result.evidence:
        yield f"{file}: 佐证材料{EVIDENCE_WORDS[change]}"
    yield from grouped_lines(result.differences)
    if result.identical:
        yield (
            f"一致：{manifest.units}个单位的分数、等级、名次和差距与公示结果完全相同"
            f"（材料{len(manifest.evidence.files)}份、细则{len(manifest.rubrics)}份均未改动）。"
        )
    else:
        yield (
            f"不一致：包内文件{len(result.pack_files)}处、佐证材料{len(result.evidence)}处、"
            f"结果{len(result.differences)}处。"
        )


GROUP_FROM = 4
"""The same change in this many units or more is said once (an edited rubric changes every unit's
``rubric.sha256``), naming the first few units."""


def grouped_lines(differences: Sequence[Difference]) -> Iterator[str]:
    """Each difference on its own line, the same change in many units on one."""
    groups: dict[tuple[str, str, str], list[Difference]] = {}
    for difference in differences:
        key = (difference.field, repr(difference.published), repr(difference.recomputed))
        groups.setdefault(key, []).append(difference)
    said: set[tuple[str, str, str]] = set()
    for difference in differences:
        key = (difference.field, repr(difference.published), repr(difference.recomputed))
        group = groups[key]
        if len(group) < GROUP_FROM:
            yield difference_line(difference)
        elif key not in said:
            said.add(key)
            names = "、".join(d.unit.split("（")[0] for d in group[:3])
            yield (
                f"{len(group)}处（{names}等）: {difference.field}: "
                f"{_value(difference.published)} → {_value(difference.recomputed)}"
            )


def difference_line(difference: Difference) -> str:
    """``单位: 字段: 公示值 → 重新计算值``."""
    return (
        f"{difference.unit}: {difference.field}: "
        f"{_value(difference.published)} → {_value(difference.recomputed)}"
    )


def _value(value: Any) -> str:
    from lianchuang_cli.publishing.compare import MISSING

    if value is MISSING or value is None:
        return NONE
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return f"“{value}”"
    return str(value)


def review_indicators(result: UnitResult, published: Any) -> RenderableType:
    """The 复核 table: every indicator recomputed, beside its published score, with how it was
    scored (the table layout of ``reports.table``; stacked blocks when narrow)."""
    from lianchuang_cli.reports.console_layout import Column, section

    then: dict[str, Any] = {}
    if isinstance(published, dict) and isinstance(published.get("indicators"), list):
        then = {str(i.get("id")): i for i in published["indicators"] if isinstance(i, dict)}
    rows = []
    for indicator in result.indicators:
        now = "缺项" if indicator.score is None else fmt(indicator.score)
        old = then.get(indicator.id)
        shown = NONE if old is None else "缺项" if old.get("score") is None else str(old["score"])
        same = old is not None and (
            shown == now
            or (old.get("score") is not None and _same_number(old["score"], indicator.score))
        )
        rows.append(
            (
                f"{indicator.name}\n{indicator.id}",
                fmt(indicator.max_score),
                now,
                shown,
                "相同" if same else "不同",
                indicator.explanation,
            )
        )
    columns = (
        Column("指标", 2),
        Column("分值"),
        Column("重新计算"),
        Column("公示"),
        Column("核对"),
        Column("计分说明", 4),
    )
    return section("逐项复核（重新计算 与 公示）", columns, rows)


def _same_number(published: Any, recomputed: Decimal | None) -> bool:
    if recomputed is None or isinstance(published, bool):
        return False
    try:
        return Decimal(str(published)) == recomputed
    except InvalidOperation:
        return False


def review_heading(result: UnitResult, published: Any) -> str:
    """The 复核 sheet's first line: the published total and rating beside the recomputed ones."""
    line = f"复核：{result.unit_name}（{result.unit_code}），重新计算总分{fmt(result.score)}、等级{result.rating}"
    if isinstance(published, dict):
        line += f"；公示总分{published.get('score')}、等级{published.get('rating')}"
    return line + "。"


def render_review_table(
    result: Verification, unit: UnitResult, published: Any, *, width: int, color: bool
) -> str:
    """``verify --unit``'s 复核表 as text: the heading, the unit's panel, every indicator beside its
    published score, and the unit's differences (or that there are none)."""
    from lianchuang_cli.reports.table import render_text, unit_panel

    sheet: list[RenderableType] = [
        review_heading(unit, published),
        unit_panel(unit),
        review_indicators(unit, published),
    ]
    text = render_text(sheet, width=width, color=color)
    mine = [d for d in result.differences if d.unit.endswith(f"，{unit.file}")]
    lines = [difference_line(d) for d in mine] or [SAME_UNIT]
    return text + "".join(f"{line}\n" for line in lines)


def render_review_html(result: Verification, unit: UnitResult, published: Any) -> str:
    """``verify --unit --format html``: the unit's recomputed, printable score sheet (the paper
    form's columns), titled 复核表; the differences go with the summary lines."""
    from lianchuang_cli.reports.html_report import render_page, unit_sheet

    del result, published  # the same signature as the table: the sheet shows the recomputation
    return render_page(title=f"{unit.unit_name} · 复核表", sheets=[unit_sheet(unit)])
