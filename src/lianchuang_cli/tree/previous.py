"""Last year's figures, read from an earlier ``grade-tree --format json`` output (--previous)."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lianchuang_cli.errors import InputError, Problem, os_reason

PreviousFigures = dict[tuple[str, str], tuple[Decimal | None, str]]
"""(unit code, indicator id) → (last year's figure, where it was read); a figure the file itself
contradicts is None, with the contradiction in place of the source."""


def load_previous(path: Path, *, name: str = "") -> tuple[PreviousFigures, int | None]:
    """Read each county's and township's linked figures and the year they belong to.

    ``name`` is how the file is cited in sources and problems (its path unless given).
    """
    name = name or str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(
            [Problem(name, 1, 1, "找不到上年结果文件；请检查 --previous 的路径")]
        ) from None
    except OSError as exc:
        message = f"无法读取上年结果文件（{os_reason(exc)}）"
        raise InputError([Problem(name, 1, 1, message)]) from None
    except UnicodeDecodeError:
        message = "上年结果文件不是 UTF-8 文本；--previous 应为上年 grade-tree --format json 的输出"
        raise InputError([Problem(name, 1, 1, message)]) from None
    except json.JSONDecodeError as exc:
        message = (
            f"不是有效的 JSON（{exc.msg}）；--previous 应为上年 grade-tree --format json 的输出"
        )
        raise InputError([Problem(name, exc.lineno, exc.colno, message)]) from None
    units = _units(data)
    if units is None:
        message = '不是 grade-tree --format json 的输出（应有 kind: "tree" 和 results）'
        raise InputError([Problem(name, 1, 1, message)])
    figures: PreviousFigures = {}
    years: set[int] = set()
    _, contradicted = _contradictions(path.read_text(encoding="utf-8-sig"), units, name)
    for key, line in contradicted.items():
        figures[key] = (None, f"{name}第{line}行：上年结果自相矛盾（见该处的错误），未作比较")
    for unit in units:
        if not isinstance(unit, dict) or not isinstance(unit.get("unit"), dict):
            continue
        code = str(unit["unit"].get("code", ""))
        year = unit["unit"].get("year")
        if isinstance(year, int):
            years.add(year)
        for item in unit.get("linked", []) or []:
            figure = _figure(item)
            if code and figure is not None and (code, str(item["indicator"])) not in contradicted:
                where = f"{name}（{unit.get('file', code)}，{item['indicator']}）"
                figures[(code, str(item["indicator"]))] = (figure, where)
    return figures, (min(years) if len(years) == 1 else None)


def previous_problems(path: Path, *, name: str = "", top_rating: str = "") -> list[Problem]:
    """Where a readable previous-year file contradicts itself (see ``_contradictions``).

    The contradicted figures are not used by ``load_previous``: their trend is compared with
    nothing (无上年数据) rather than with a figure the file itself disputes.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
        units = _units(json.loads(text))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return []  # load_previous reports why the file cannot be read
    if units is None:
        return []
    problems, _ = _contradictions(text, units, name or str(path), top_rating)
    return problems


def _contradictions(
    text: str, units: list[Any], name: str, top_rating: str = ""
) -> tuple[list[Problem], dict[tuple[str, str], int]]:
    """A county figure that is a count over villages or townships against its township rows:
    the rows' parts and wholes must add up to the county's, and a share of townships at the top
    rating must count the township rows rated so. Each contradiction at the county's ``part``."""
    rows = [u for u in units if isinstance(u.get("unit"), dict)]
    townships = [u for u in rows if u["unit"].get("level") == "township"]
    problems: list[Problem] = []
    contradicted: dict[tuple[str, str], int] = {}
    for county in (u for u in rows if u["unit"].get("level") == "county"):
        code = str(county["unit"].get("code", ""))
        for item in county.get("linked", []) or []:
            counted = _counts(item)
            if counted is None:
                continue
            indicator = str(item["indicator"])
            parts = [
                (t, _counts(i))
                for t in townships
                for i in t.get("linked", []) or []
                if isinstance(i, dict)
                and i.get("indicator") == indicator
                and i.get("figure") == item.get("figure")
            ]
            message = ""
            if parts and len(parts) == len(townships) and all(c for _, c in parts):
                part = sum(c[0] for _, c in parts if c)
                whole = sum(c[1] for _, c in parts if c)
                if (part, whole) != counted:
                    each = "、".join(
                        f"{t['unit'].get('name', '')}{c[0]}/{c[1]}" for t, c in parts if c
                    )
                    message = (
                        f"上年县级{item.get('name', indicator)}为{counted[0]}/{counted[1]}，"
                        f"而各乡镇行合计为{part}/{whole}（{each}）"
                    )
            elif (
                top_rating
                and item.get("figure") == "share_rated"
                and townships
                and counted[1] == len(townships)
            ):
                rated = [t for t in townships if t.get("rating") == top_rating]
                if len(rated) != counted[0]:
                    names = "、".join(t["unit"].get("name", "") for t in rated) or "无"
                    message = (
                        f"上年县级{item.get('name', indicator)}为{counted[0]}/{counted[1]}，"
                        f"而乡镇行中评为“{top_rating}”的有{len(rated)}个（{names}）"
                    )
            if message:
                line, column = _place(text, code, indicator)
                problems.append(
                    Problem(
                        name,
                        line,
                        column,
                        f"{message}；上年结果自相矛盾，本年该项按无上年数据处理。请改用上年"
                        " grade-tree --format json 的原始输出，或核实后更正此处与乡镇行",
                        code="previous-contradiction",
                    )
                )
                contradicted[(code, indicator)] = line
    return problems, contradicted


def _counts(item: Any) -> tuple[int, int] | None:
    if not isinstance(item, dict) or "indicator" not in item:
        return None
    part, whole = item.get("part"), item.get("whole")
    if type(part) is int and type(whole) is int:
        return part, whole
    return None


def _place(text: str, code: str, indicator: str) -> tuple[int, int]:
    """Line and column of the county's ``part`` for ``indicator`` (its unit's start if not found)."""
    start = max(0, text.find(f'"code": "{code}"'))
    at = text.find(f'"indicator": "{indicator}"', start)
    if at >= 0:
        part = text.find('"part"', at)
        at = part if part >= 0 else at
    else:
        at = start
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def _units(data: Any) -> list[Any] | None:
    """The township and county results of a grade-tree JSON output."""
    if not isinstance(data, dict) or data.get("kind") != "tree":
        return None
    results = data.get("results")
    if not isinstance(results, list):
        return None
    return [
        r
        for r in results
        if isinstance(r, dict)
        and isinstance(r.get("unit"), dict)
        and r["unit"].get("level") in ("township", "county")
        and not r.get("left_out")
    ]


def _figure(item: Any) -> Decimal | None:
    if not isinstance(item, dict) or item.get("source") != "computed" or "indicator" not in item:
        return None
    value = item.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
