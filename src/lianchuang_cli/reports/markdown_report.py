"""The markdown format: the batch summary as a document (for reports, wikis and merge requests).

For ``score`` (``unit_panels``) each unit's details come first, as in the table's panels: one
file is a score sheet, not a batch summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, TYPE_CHECKING

from lianchuang_cli.decimals import fmt
from lianchuang_cli.reports.batch_report import Report
from lianchuang_cli.reports.escaping import markdown_text
from lianchuang_cli.reports.rows import (
    INVALID_HEADER,
    Cell,
    invalid_rows,
    ranking_header,
    ranking_row,
)
from lianchuang_cli.reports.wording import (
    NO_GAPS,
    adjustment_label,
    adjustment_points,
    condition_notes,
    counts_line,
    criterion_share,
    next_rating_text,
    not_proposed_texts,
    over_maximum_note,
    place,
    rating_reason_text,
    rubric_line,
    rubric_name,
    score_notes,
    self_score_shown,
    unit_heading,
    veto_notes,
)

if TYPE_CHECKING:
    from lianchuang_cli.scoring.results import UnitResult


def _cell(value: Cell) -> str:
    # User text (unit names, notes, file names, messages) is escaped: no raw HTML, no links,
    # no table breaks (``escaping.markdown_text``).
    return fmt(value) if isinstance(value, Decimal) else markdown_text(str(value))


def _table(stream: IO[str], header: list[str], rows: Iterable[Sequence[Cell]]) -> None:
    stream.write("| " + " | ".join(_cell(name) for name in header) + " |\n")
    stream.write("|" + "---|" * len(header) + "\n")
    for row in rows:
        stream.write("| " + " | ".join(_cell(c) for c in row) + " |\n")
    stream.write("\n")


def write_markdown(report: Report, stream: IO[str]) -> None:
    """Counts, rating shares, statistics, criteria, 共性问题, ranking, vetoes, quotas, invalid files."""
    summary = report.summary
    rubric = summary.rubric
    if report.options.unit_panels:
        for ranked in report.results():
            write_unit(ranked.result, stream)
        if summary.graded == 1:
            _invalid_section(report, stream)
            return
    stream.write("# 批量评分汇总\n\n")
    if rubric is not None:
        name = rubric_name(rubric.id, rubric.version, rubric.sha256)
        title = markdown_text(f"{rubric.title}（{name}）")
        stream.write(f"考评细则：{title}\n\n")
    stream.write(counts_line(summary) + "\n\n")
    if summary.graded:
        stream.write("## 等级分布\n\n")
        _table(
            stream,
            ["等级", "单位数", "占比"],
            ([c.rating, c.count, f"{fmt(c.percent)}%"] for c in summary.ratings),
        )
        if summary.stats is not None:
            s = summary.stats
            stream.write("## 总分\n\n")
            _table(
                stream,
                ["平均", "中位数", "最低", "最高"],
                [[s.mean, s.median, s.minimum, s.maximum]],
            )
        stream.write("## 各考评项目平均分\n\n")
        _table(
            stream,
            ["考评项目", "平均分", "满分"],
            ([c.name, c.mean, c.max_score] for c in summary.criteria),
        )
        if summary.common_problems:
            names = dict(rubric.criteria) if rubric else {}
            stream.write("## 共性问题\n\n失分最多的指标（按合计失分从多到少）。\n\n")
            _table(
                stream,
                ["指标", "考评项目", "失分单位数", "合计失分"],
                (
                    [p.name, names.get(p.criterion, p.criterion), p.units, p.lost]
                    for p in summary.common_problems
                ),
            )
        stream.write("## 排名\n\n")
        stream.write(summary.tie_rule + "\n\n")
        _table(stream, ranking_header(summary), (ranking_row(r) for r in summary.ranking))
        if summary.quotas:
            stream.write("## 名额\n\n" + summary.quota_rule + "\n\n")
            _table(
                stream,
                ["等级", "比例", "名额", "顺延单位数"],
                ([q.rating, f"{fmt(q.percent)}%", q.cap, q.demoted] for q in summary.quotas),
            )
    vetoed = summary.vetoed_ranking()
    if vetoed:
        stream.write("## 一票否决\n\n")
        _table(
            stream,
            ["名次", "单位", "否决事项", "文件"],
            ([r.placement.rank, r.row.unit_name, "；".join(r.row.veto_reasons), r.row.file]
             for r in vetoed),
        )  # fmt: skip
    _invalid_section(report, stream)


def _invalid_section(report: Report, stream: IO[str]) -> None:
    if report.invalid:
        stream.write(f"## 无效文件（{len(report.invalid)}个）\n\n")
        _table(stream, INVALID_HEADER, invalid_rows(report))


def write_unit(result: UnitResult, stream: IO[str]) -> None:
    """One unit's score sheet: the sections of its table panel, in the same words."""
    stream.write(f"# {_cell(unit_heading(result))}\n\n{_cell(rubric_line(result))}\n\n")
    stream.write(
        f"**总分 {fmt(result.score)} / {fmt(result.max_score)}**{over_maximum_note(result)}"
        f"　**等级 {_cell(result.rating)}**{_cell(rating_reason_text(result))}\n\n"
    )
    notes = [*score_notes(result), *veto_notes(result), *condition_notes(result)]
    stream.write("".join(f"- {_cell(note)}\n" for note in notes) + "\n")
    if result.not_applicable:
        stream.write("## 缺项（请逐项复核）\n\n")
        _table(
            stream,
            ["指标", "位置", "分值", "情形", "说明"],
            (
                [i.name, place(i.line, i.cell), i.points, i.situation, i.remark]
                for i in result.not_applicable
            ),
        )
    stream.write("## 各项得分\n\n")
    _table(
        stream,
        ["考评项目", "得分", "满分", "得分率"],
        ([c.name, c.score, c.max_score, criterion_share(c)] for c in result.criteria),
    )
    if result.adjustments:
        stream.write("## 加分与扣分\n\n")
        _table(
            stream,
            ["事项", "次数", "分值"],
            ([adjustment_label(a), a.count, adjustment_points(a)] for a in result.adjustments),
        )
    if result.gaps:
        stream.write("## 差距（按失分从多到少）\n\n")
        _table(
            stream,
            ["指标", "位置", "失分", "评分标准", "实际情况", "如何补齐"],
            (
                [g.name, place(g.line, g.cell), g.lost, g.requirement, g.explanation, g.advice]
                for g in result.gaps
            ),
        )
    else:
        stream.write(NO_GAPS + "\n\n")
    stream.write(_cell(next_rating_text(result)) + "\n\n")
    for line in not_proposed_texts(result):
        stream.write(_cell(line) + "\n\n")
    if result.self_score_differences:
        stream.write("## 自评分与核定分不一致\n\n")
        _table(
            stream,
            ["指标", "自评分", "核定分"],
            (
                [d.name, fmt(d.self_score), self_score_shown(d.score)]
                for d in result.self_score_differences
            ),
        )
