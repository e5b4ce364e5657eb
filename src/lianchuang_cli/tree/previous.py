"""Last year's figures, read from an earlier ``grade-tree --format json`` output (--previous)."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lianchuang_cli.errors import InputError, Problem, os_reason

PreviousFigures = dict[tuple[str, str], tuple[Decimal, str]]
"""(unit code, indicator id) → (last year's figure, where it was read)."""


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
    for unit in units:
        if not isinstance(unit, dict) or not isinstance(unit.get("unit"), dict):
            continue
        code = str(unit["unit"].get("code", ""))
        year = unit["unit"].get("year")
        if isinstance(year, int):
            years.add(year)
        for item in unit.get("linked", []) or []:
            figure = _figure(item)
            if code and figure is not None:
                where = f"{name}（{unit.get('file', code)}，{item['indicator']}）"
                figures[(code, str(item["indicator"]))] = (figure, where)
    return figures, (min(years) if len(years) == 1 else None)


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
