"""Compare published results with recomputed ones, field by field, unit by unit.

Both sides are the results JSON a pack holds (``{summary, results, invalid, …}``). Units are
matched by file (relative path), list items by their id (indicator, gap, criterion, rating …),
so a difference is named as a unit and a field path: ``indicators[party_congress].score``.
Keys only the recomputed side has are new fields of a newer tool, not differences; the tool
version itself is reported apart (``tool_version`` is not compared).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

IGNORED_KEYS = frozenset({"tool_version"})
PROBLEM_WORDING = frozenset({"message"})
"""Which files could not be graded, and where each problem is (line, column, cell, code), are
compared; the wording of a problem is not: it names the rubric file graded with (the pack's copy
now, the installed one then) and changes between tool versions."""
ITEM_KEYS = ("file", "id", "indicator", "rating", "code")
"""Keys that identify an item of a list, tried in this order."""
MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class Difference:
    """One published value that the recomputation does not reproduce."""

    unit: str
    """The unit (``名称（代码），文件``) or the part of the report (汇总 …)."""
    field: str
    published: Any
    recomputed: Any


def compare_results(published: Any, recomputed: Any) -> list[Difference]:
    """Every difference between two results documents, units in published order."""
    if not isinstance(published, dict) or not isinstance(recomputed, dict):
        return [Difference("结果", "（整个文件）", _short(published), _short(recomputed))]
    differences: list[Difference] = []
    units_then = _by_file(published.get("results"))
    units_now = _by_file(recomputed.get("results"))
    for file, unit in units_then.items():
        label = _label(unit, file)
        now = units_now.get(file, MISSING)
        if now is MISSING:
            differences.append(Difference(label, "（单位）", "已评分", "未评分"))
            continue
        differences.extend(
            Difference(label, path, a, b) for path, a, b in _walk(unit, now, "", IGNORED_KEYS)
        )
    for file, unit in units_now.items():
        if file not in units_then:
            differences.append(Difference(_label(unit, file), "（单位）", "未评分", "已评分"))
    for key in published:
        if key in ("results", *IGNORED_KEYS) or key not in published:
            continue
        then, now = published[key], recomputed.get(key, MISSING)
        ignored = IGNORED_KEYS | PROBLEM_WORDING if key in ("invalid", "problems") else IGNORED_KEYS
        differences.extend(
            Difference(_PART.get(key, str(key)), path, a, b)
            for path, a, b in _walk(then, now, "", ignored)
        )
    return differences


_PART: dict[str, str] = {
    "summary": "汇总",
    "invalid": "无法评分的文件",
    "tree": "上下级归属",
    "problems": "一致性问题",
}


def _by_file(results: Any) -> dict[str, Any]:
    if not isinstance(results, list):
        return {}
    found: dict[str, Any] = {}
    for index, unit in enumerate(results):
        key = _normal(unit.get("file")) if isinstance(unit, dict) else None
        found[key if isinstance(key, str) else f"#{index + 1}"] = unit
    return found


def _normal(path: Any) -> Any:
    """A file as the manifest writes it (``/`` between folders, whatever the system)."""
    return path.replace("\\", "/") if isinstance(path, str) else path


def _label(unit: Any, file: str) -> str:
    info = unit.get("unit") if isinstance(unit, dict) else None
    if isinstance(info, dict) and info.get("name"):
        return f"{info['name']}（{info.get('code', '')}），{file}"
    return file


def _walk(
    then: Any, now: Any, path: str, ignored: frozenset[str]
) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(then, dict) and isinstance(now, dict):
        for key, value in then.items():
            if key in ignored:
                continue
            yield from _walk(
                value, now.get(key, MISSING), f"{path}.{key}" if path else key, ignored
            )
        return
    if isinstance(then, list) and isinstance(now, list):
        key = _item_key(then, now)
        if key is None:
            for index, value in enumerate(then):
                other = now[index] if index < len(now) else MISSING
                yield from _walk(value, other, f"{path}[{index}]", ignored)
            for index in range(len(then), len(now)):
                yield f"{path}[{index}]", MISSING, _short(now[index])
            return
        ours = {_normal(item[key]): item for item in then}
        theirs = {_normal(item[key]): item for item in now}
        for name, item in ours.items():
            yield from _walk(item, theirs.get(name, MISSING), f"{path}[{name}]", ignored)
        for name, item in theirs.items():
            if name not in ours:
                yield f"{path}[{name}]", MISSING, _short(item)
        if list(ours) != [name for name in theirs if name in ours]:
            yield f"{path}（顺序）", list(ours), [name for name in theirs if name in ours]
        return
    if now is MISSING:
        yield path, _short(then), MISSING
    elif then != now or isinstance(then, bool) is not isinstance(now, bool):
        yield path, _short(then), _short(now)


def _item_key(then: list[Any], now: list[Any]) -> str | None:
    """The key that identifies every item of both lists (each item a dict, values unique)."""
    items = then + now
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for key in ITEM_KEYS:
        for side in (then, now):
            values = [item.get(key) for item in side]
            if any(not isinstance(v, str | int) for v in values) or len(set(values)) != len(values):
                break
        else:
            return key
    return None


def _short(value: Any) -> Any:
    """Values as printed: containers by size, not in full."""
    if isinstance(value, dict):
        return f"{{…{len(value)}项}}"
    if isinstance(value, list):
        return f"[…{len(value)}项]"
    return value
