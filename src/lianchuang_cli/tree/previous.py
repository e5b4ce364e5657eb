"""Last year's figures, read from an earlier ``grade-tree --format json`` output (--previous)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lianchuang_cli.errors import InputError, Problem, os_reason
from lianchuang_cli.grading.rubrics import PLAIN, RubricLoader
from lianchuang_cli.model.rubric import shipped_rubrics_dir
from lianchuang_cli.tree.tree_result import SeenUnit, TreeResult

PreviousFigures = dict[tuple[str, str], tuple[Decimal | None, str]]
"""(unit code, indicator id) → (last year's figure, where it was read); a figure the file itself
contradicts is None, with the contradiction in place of the source."""


def top_township_rating(rubric: Path | None = None, *, loader: RubricLoader = PLAIN) -> str:
    """The top rating of the township rubric (the shipped one unless given): a share of 五个好
    townships in last year's file is checked against its township rows rated so."""
    path = rubric or shipped_rubrics_dir() / "township.yaml"
    return loader.load(path).rubric.ratings[0].name


def load_previous(
    path: Path, *, name: str = "", top_rating: str | None = None
) -> tuple[PreviousFigures, int | None]:
    """Read each county's and township's linked figures and the year they belong to.

    ``name`` is how the file is cited in sources and problems (its path unless given);
    ``top_rating`` as ``top_township_rating`` gives it (by default, the shipped rubric's). A
    figure the file contradicts is left out, as ``previous_problems`` reports it.
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
    if top_rating is None:
        top_rating = top_township_rating()
    text = path.read_text(encoding="utf-8-sig")
    _, contradicted = _contradictions(text, units, name, top_rating)
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


LEVEL_WORDS = {"county": "县", "township": "乡镇", "village": "村"}
PARENT_LEVEL = {"township": "county", "village": "township"}


@dataclass(frozen=True, slots=True)
class _Row:
    """A unit as last year's file names it, and where (``line``, ``column`` of its ``code``)."""

    code: str
    name: str
    parent: str  # ``linked_to``; "" when the file does not say (an excerpt)
    parent_name: str  # its township's or county's name, as its file wrote it
    line: int
    column: int


def check_against(
    tree: TreeResult, path: Path, *, name: str = "", top_rating: str | None = None
) -> TreeResult:
    """``tree`` with what checking last year's file finds: where it contradicts itself
    (``previous_problems``, with ``load_previous``'s ``top_rating``) and its units against this
    year's (``unit_problems``)."""
    name = name or str(path)
    top = top_township_rating() if top_rating is None else top_rating
    found = [
        *previous_problems(path, name=name, top_rating=top),
        *unit_problems(tree, path, name=name),
    ]
    if not found:
        return tree
    problems = sorted((*tree.problems, *found), key=lambda p: (p.file, p.line, p.column))
    return replace(tree, problems=tuple(problems))


def unit_problems(tree: TreeResult, path: Path, *, name: str) -> list[Problem]:
    """Last year's units against this year's tree, each finding at the unit's ``code`` in the
    previous file (a unit new this year: at its own file's code).

    Real life is said, not refused (warnings): a unit gone (撤并), new (新设), renamed, re-coded
    (same name, new code: its year-on-year figures find no previous one), moved to another
    township or county. Errors are comparisons that would be silently wrong: last year's file is
    another county's, or a code that named one unit last year names another this year while the
    first kept its name under a new code (codes crossed).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return []  # load_previous reports why the file cannot be read
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        return []
    last = _rows(text, data["results"])
    # A unit new this year has no place in last year's file: its finding is at "results".
    at = max(0, text.find('"results"'))
    listed = _Row(
        "", "", "", "", text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
    )
    this: dict[str, dict[str, SeenUnit]] = {level: {} for level in LEVEL_WORDS}
    for unit in tree.seen:
        if unit.level in this:
            this[unit.level].setdefault(unit.code, unit)
    counties_then, counties_now = last["county"], this["county"]
    if len(counties_then) == 1 and len(counties_now) == 1:
        [(code, row)], [(now_code, county)] = counties_then.items(), counties_now.items()
        if code != now_code and row.name != county.name:
            message = (
                f"上年结果中的县为“{row.name}”（代码{code}），本次评分的县为“{county.name}”（代码{now_code}）："
                "不是同一个县，县和各乡镇的逐年比较都找不到上年数据（按缺项处理）。"
                "请改用本县上年 grade-tree --format json 的输出"
            )
            return [Problem(name, row.line, row.column, message, code="previous-other-county")]
    problems: list[Problem] = []
    recoded: dict[str, dict[str, str]] = {}
    for level, word in LEVEL_WORDS.items():
        then, now = last[level], this[level]
        if not then:
            continue  # an excerpt without this level (the demo keeps county and townships)
        by_name = {unit.name: unit for unit in now.values()}
        names_then = {row.name for row in then.values()}
        recoded[level] = {}
        for code, row in then.items():
            found = now.get(code)
            moved_to = by_name.get(row.name)
            if found is None and moved_to is not None and moved_to.code not in then:
                recoded[level][code] = moved_to.code
                message = (
                    f"{word}“{row.name}”上年代码为{code}，本年为{moved_to.code}（{moved_to.file}）："
                    "逐年比较按代码对应，本年该单位没有上年数据，相关“逐年提高”指标按缺项处理。"
                    "如系代码调整，属正常；如本年代码填错，请更正本年材料的 code"
                )
                problems.append(_note(name, row, message, "previous-unit-recoded"))
            elif found is None:
                message = (
                    f"上年结果中的{word}“{row.name}”（代码{code}）本年文件夹中没有：如已撤并或撤销，"
                    f"属正常，上级比例的上年值仍按上年的{word}计算；如是漏交材料，请补交本年材料"
                )
                problems.append(_note(name, row, message, "previous-unit-gone"))
            elif found.name != row.name and row.name in by_name and by_name[row.name].code != code:
                other = by_name[row.name]
                message = (
                    f"代码{code}上年为{word}“{row.name}”，本年为“{found.name}”（{found.file}），"
                    f"而“{row.name}”本年的代码为{other.code}（{other.file}）：按代码比较会把"
                    f"“{found.name}”与“{row.name}”的上年数据相比。请核对两份材料的 code，更正填错的一方"
                )
                problems.append(
                    Problem(name, row.line, row.column, message, code="previous-code-crossed")
                )
            elif found.name != row.name:
                message = (
                    f"代码{code}上年为{word}“{row.name}”，本年为“{found.name}”（{found.file}）："
                    "如系更名，属正常，仍按同一单位逐年比较；如本年代码填错，请更正本年材料的 code"
                )
                problems.append(_note(name, row, message, "previous-unit-renamed"))
        for code, unit in now.items():
            if (
                code not in then
                and code not in recoded[level].values()
                and unit.name not in names_then
            ):
                message = (
                    f"{word}“{unit.name}”（代码{code}，{unit.file}）在上年结果中没有：如为本年新设或新划入，"
                    "属正常，其“逐年提高”类指标没有上年数据，按缺项处理；如上年用的是另一个代码，请核对本年材料的 code"
                )
                problems.append(_note(name, listed, message, "previous-unit-new"))
    for level, parent_level in PARENT_LEVEL.items():
        then, now = last[level], this[level]
        mapping = recoded.get(parent_level, {})
        for code, row in then.items():
            seen = now.get(code)
            if seen is None:
                continue
            parent_now = seen.county if level == "township" else seen.township
            if row.parent and seen.parent:
                moved = mapping.get(row.parent, row.parent) != seen.parent
            else:
                moved = bool(row.parent_name and parent_now and row.parent_name != parent_now)
            if moved:
                word, above = LEVEL_WORDS[level], LEVEL_WORDS[parent_level]
                was = row.parent_name or row.parent
                message = (
                    f"{word}“{seen.name}”上年属于{above}“{was}”，本年属于“{parent_now or seen.parent}”"
                    f"（{seen.file}）：如系区划调整，属正常，本{word}自身的逐年比较照常，{above}级比例的上年值"
                    f"按上年的范围计算；如本年的所属{above}填错，请更正本年材料"
                )
                problems.append(_note(name, row, message, "previous-unit-moved"))
    return problems


def _note(name: str, row: _Row, message: str, code: str) -> Problem:
    return Problem(name, row.line, row.column, message, "warning", code)


def _rows(text: str, results: list[Any]) -> dict[str, dict[str, _Row]]:
    """Last year's units by level and code (left-out ones skipped), each located at its code."""
    rows: dict[str, dict[str, _Row]] = {level: {} for level in LEVEL_WORDS}
    start = max(0, text.find('"results"'))  # a summary before it names the same codes
    for result in results:
        unit = result.get("unit") if isinstance(result, dict) else None
        if not isinstance(unit, dict) or result.get("left_out"):
            continue
        level, code = unit.get("level"), _text(unit.get("code"))
        if level not in rows or not code:
            continue
        found = re.compile(r'"code"\s*:\s*' + re.escape(json.dumps(code, ensure_ascii=False)))
        match = found.search(text, start) or found.search(text)
        at = match.start() if match else 0
        start = match.end() if match else start
        line = text.count("\n", 0, at) + 1
        parent_name = unit.get("county" if level == "township" else "township")
        rows[level].setdefault(
            code,
            _Row(
                code,
                _text(unit.get("name")) or code,
                _text(result.get("linked_to")),
                _text(parent_name),
                line,
                at - (text.rfind("\n", 0, at) + 1) + 1,
            ),
        )
    return rows


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, bool) else str(value).strip()
