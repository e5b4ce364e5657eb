"""``lianchuang diff`` output: the structural diff and the corpus effect as a table, JSON or Markdown.

Each format is a pure function of the same two results; Markdown is meant to be pasted as a
review comment (GitHub-flavoured tables, a heading per part).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from rich.table import Table
from rich.text import Text

from lianchuang_cli.decimals import fmt
from lianchuang_cli.diffing.corpus import CorpusDiff, DriverTotal, UnitChange
from lianchuang_cli.diffing.structure import KIND_NAMES, SECTION_NAMES, Change, RubricDiff
from lianchuang_cli.reports.console_layout import WrappedTable
from lianchuang_cli.reports.escaping import json_shown, markdown_text, plain
from lianchuang_cli.reports.table import render_text

TOP = 10
"""How many of the largest score changes and drivers are listed."""


def _signed(value: Decimal) -> str:
    return f"+{fmt(value)}" if value > 0 else fmt(value)


def _points(change: Change) -> str:
    if change.old_points is None and change.new_points is None:
        return ""
    old = fmt(change.old_points) if change.old_points is not None else "—"
    new = fmt(change.new_points) if change.new_points is not None else "—"
    return old if old == new else f"{old} → {new}"


def _driver_name(driver: DriverTotal, code: str = "") -> str:
    """An indicator with its id; the parts no indicator explains by name only."""
    if driver.key == driver.name:
        return driver.name
    return f"{driver.name}（{code}{driver.key}{code}）"


def _drivers(unit: UnitChange, limit: int = 3) -> str:
    return "；".join(f"{d.name} {_signed(d.delta)}" for d in unit.drivers[:limit])


def _headline(diff: RubricDiff, corpus: CorpusDiff | None) -> str:
    line = f"考评细则 {diff.old_label} → {diff.new_label}：{len(diff.changes)}处变化"
    if corpus is not None:
        line += f"；{len(corpus.units)}个单位中{corpus.changed_rating}个等级变化"
    return line


def _transition_rows(corpus: CorpusDiff) -> Iterator[list[str]]:
    counts = {(a, b): n for a, b, n in corpus.transitions}
    for old in corpus.ratings:
        if any(counts.get((old, new)) for new in corpus.ratings):
            yield [old, *(str(counts.get((old, new), "")) for new in corpus.ratings)]


def render_diff_table(
    diff: RubricDiff, corpus: CorpusDiff | None, *, width: int = 120, color: bool = False
) -> str:
    """A console report."""
    parts: list[Any] = [Text(_headline(diff, corpus), style="bold")]
    changes = WrappedTable(title="结构变化", title_justify="left", expand=False)
    for column in ("类别", "id", "名称", "变化", "分值", "说明"):
        changes.add_column(column, overflow="fold")
    for c in diff.changes:
        kinds = "、".join(KIND_NAMES[k] for k in c.kinds)
        changes.add_row(
            SECTION_NAMES[c.section], c.key, c.name, kinds, _points(c), "；".join(c.details)
        )
    parts.append(changes if diff.changes else Text("两个版本没有结构差异。"))
    if corpus is not None:
        parts.extend(_corpus_tables(corpus))
    return render_text(parts, width=width, color=color)


def _corpus_tables(corpus: CorpusDiff) -> Iterator[Any]:
    matrix = Table(title="等级变化（行：旧版，列：新版）", title_justify="left")
    matrix.add_column("旧版 \\ 新版")
    for name in corpus.ratings:
        matrix.add_column(name, justify="right")
    for row in _transition_rows(corpus):
        matrix.add_row(*row)
    yield matrix
    moved = [u for u in corpus.units if u.delta][:TOP]
    if moved:
        table = WrappedTable(title=f"分数变化最大的{len(moved)}个单位", title_justify="left")
        for column in ("单位", "文件", "旧版", "新版", "变化", "主要原因"):
            # A score and its rating read as one: "51.64 不合格" never breaks.
            table.add_column(column, overflow="fold", no_wrap=column in ("旧版", "新版", "变化"))
        for u in moved:
            table.add_row(
                plain(u.unit_name),
                plain(u.file),
                f"{fmt(u.old_score)} {u.old_rating}",
                f"{fmt(u.new_score)} {u.new_rating}",
                _signed(u.delta),
                _drivers(u),
            )
        yield table
    if corpus.drivers:
        table = WrappedTable(title="各项变化的影响（全部单位合计）", title_justify="left")
        for column in ("指标", "影响单位数", "合计分数变化", "其中等级变化的单位"):
            table.add_column(column, overflow="fold")
        for d in corpus.drivers[:TOP]:
            table.add_row(_driver_name(d), str(d.units), _signed(d.total), str(d.rating_changes))
        yield table
    for line in _notes(corpus):
        yield Text(line)


def _notes(corpus: CorpusDiff) -> Iterator[str]:
    if not corpus.units:
        yield "语料中没有两版都能评分的材料。"
    for u in corpus.ungradable:
        version = f"{u.version}细则下" if u.version else ""
        yield plain(f"{version}无法评分：{u.file}，{u.reason}")
    if corpus.skipped:
        yield f"另有{corpus.skipped}个文件属于其他细则，未比较。"


def render_diff_markdown(diff: RubricDiff, corpus: CorpusDiff | None) -> str:
    """A review comment."""
    out = [f"### {_headline(diff, corpus)}", ""]
    if diff.changes:
        out += ["| 类别 | id | 名称 | 变化 | 分值 | 说明 |", "|---|---|---|---|---|---|"]
        for c in diff.changes:
            kinds = "、".join(KIND_NAMES[k] for k in c.kinds)
            details = "；".join(c.details).replace("|", "\\|")
            out.append(
                f"| {SECTION_NAMES[c.section]} | `{c.key}` | {c.name} | {kinds} | {_points(c)} | {details} |"
            )
    else:
        out.append("两个版本没有结构差异。")
    if corpus is not None:
        out += ["", "#### 等级变化（行：旧版，列：新版）", ""]
        out.append("| 旧版 \\ 新版 | " + " | ".join(corpus.ratings) + " |")
        out.append("|---|" + "---:|" * len(corpus.ratings))
        out += ["| " + " | ".join(row) + " |" for row in _transition_rows(corpus)]
        moved = [u for u in corpus.units if u.delta][:TOP]
        if moved:
            out += ["", f"#### 分数变化最大的{len(moved)}个单位", ""]
            out += ["| 单位 | 旧版 | 新版 | 变化 | 主要原因 |", "|---|---|---|---:|---|"]
            for u in moved:
                out.append(
                    f"| {markdown_text(u.unit_name)} | {fmt(u.old_score)} {u.old_rating} | "
                    f"{fmt(u.new_score)} {u.new_rating} | {_signed(u.delta)} | {_drivers(u)} |"
                )
        if corpus.drivers:
            out += ["", "#### 各项变化的影响（全部单位合计）", ""]
            out += [
                "| 指标 | 影响单位数 | 合计分数变化 | 其中等级变化的单位 |",
                "|---|---:|---:|---:|",
            ]
            for d in corpus.drivers[:TOP]:
                out.append(
                    f"| {_driver_name(d, code='`')} | {d.units} | {_signed(d.total)} | {d.rating_changes} |"
                )
        notes = list(_notes(corpus))
        if notes:
            out += ["", *(f"- {markdown_text(line)}" for line in notes)]
    return "\n".join(out) + "\n"


def diff_payload(diff: RubricDiff, corpus: CorpusDiff | None) -> dict[str, Any]:
    """The JSON document (numbers as strings with two decimals at most, like the score report)."""
    payload: dict[str, Any] = {
        "old": diff.old_label,
        "new": diff.new_label,
        "changes": [
            {
                "section": c.section,
                "id": c.key,
                "name": c.name,
                "kinds": list(c.kinds),
                "details": list(c.details),
                "old_points": fmt(c.old_points) if c.old_points is not None else None,
                "new_points": fmt(c.new_points) if c.new_points is not None else None,
            }
            for c in diff.changes
        ],
        "corpus": None,
    }
    if corpus is not None:
        payload["corpus"] = {
            "ratings": list(corpus.ratings),
            "transitions": [{"old": a, "new": b, "units": n} for a, b, n in corpus.transitions],
            "units": [
                {
                    "file": u.file,
                    "unit_name": u.unit_name,
                    "old_score": fmt(u.old_score),
                    "new_score": fmt(u.new_score),
                    "delta": fmt(u.delta),
                    "old_rating": u.old_rating,
                    "new_rating": u.new_rating,
                    "drivers": [
                        {"id": d.key, "name": d.name, "delta": fmt(d.delta)} for d in u.drivers
                    ],
                }
                for u in corpus.units
            ],
            "drivers": [
                {
                    "id": d.key,
                    "name": d.name,
                    "units": d.units,
                    "total": fmt(d.total),
                    "rating_changes": d.rating_changes,
                }
                for d in corpus.drivers
            ],
            "ungradable": [
                {"file": u.file, "version": u.version, "reason": u.reason}
                for u in corpus.ungradable
            ],
            "skipped": corpus.skipped,
        }
    return payload


def render_diff_json(diff: RubricDiff, corpus: CorpusDiff | None) -> str:
    """The JSON document as text."""
    return json_shown(json.dumps(diff_payload(diff, corpus), ensure_ascii=False, indent=2)) + "\n"
