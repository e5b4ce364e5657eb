"""Structural diff of two rubric versions: criteria, indicators, items and bands, matched by id.

Every field is compared generically (``model_dump``), so a field added to the rubric format later
shows up in the diff without touching this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from lianchuang_cli.decimals import fmt
from lianchuang_cli.model.rubric import Rubric

Section = Literal["rubric", "criterion", "indicator", "penalty", "bonus", "veto", "rating"]
Kind = Literal["added", "removed", "reweighted", "rule_changed", "changed"]

SECTION_NAMES: dict[str, str] = {
    "rubric": "细则",
    "criterion": "考评项目",
    "indicator": "指标",
    "penalty": "扣分项",
    "bonus": "加分项",
    "veto": "一票否决",
    "rating": "等级",
}
KIND_NAMES: dict[str, str] = {
    "added": "新增",
    "removed": "删除",
    "reweighted": "分值调整",
    "rule_changed": "规则调整",
    "changed": "修改",
}


@dataclass(frozen=True, slots=True)
class Change:
    """One thing that differs between the two versions."""

    section: Section
    key: str
    name: str
    kinds: tuple[Kind, ...]
    details: tuple[str, ...]
    old_points: Decimal | None = None
    new_points: Decimal | None = None

    @property
    def summary(self) -> str:
        """The kinds and details in one Chinese line."""
        kinds = "、".join(KIND_NAMES[k] for k in self.kinds)
        return f"{kinds}：{'；'.join(self.details)}" if self.details else kinds


@dataclass(frozen=True, slots=True)
class RubricDiff:
    """Everything that differs, in rubric order (criteria and indicators first)."""

    old_label: str
    new_label: str
    changes: tuple[Change, ...]

    def indicator(self, key: str) -> Change | None:
        """The change to indicator ``key``, if it changed."""
        return next((c for c in self.changes if c.section == "indicator" and c.key == key), None)


def diff_rubrics(old: Rubric, new: Rubric, *, labels: tuple[str, str] | None = None) -> RubricDiff:
    """Compare two rubric versions; ``labels`` name them (default: id and version)."""
    changes: list[Change] = []
    top = _field_details(old, new, skip={"criteria", "penalties", "bonuses", "vetoes", "ratings"})
    if top:
        changes.append(Change("rubric", new.id, new.title, ("changed",), tuple(top)))
    changes.extend(
        _matched(
            "criterion",
            {c.id: c for c in old.criteria},
            {c.id: c for c in new.criteria},
            skip={"indicators"},
        )
    )
    old_indicators = {i.id: (c.id, i) for c, i in old.indicators()}
    new_indicators = {i.id: (c.id, i) for c, i in new.indicators()}
    for key in _union(old_indicators, new_indicators):
        changes.extend(_indicator_change(key, old_indicators.get(key), new_indicators.get(key)))
    items: tuple[tuple[Section, str], ...] = (
        ("penalty", "penalties"),
        ("bonus", "bonuses"),
        ("veto", "vetoes"),
    )
    for section, attribute in items:
        changes.extend(
            _matched(
                section,
                {i.id: i for i in getattr(old, attribute)},
                {i.id: i for i in getattr(new, attribute)},
            )
        )
    changes.extend(
        _matched("rating", {b.name: b for b in old.ratings}, {b.name: b for b in new.ratings})
    )
    return (
        RubricDiff(*labels, tuple(changes))
        if labels
        else RubricDiff(f"{old.id} {old.version}", f"{new.id} {new.version}", tuple(changes))
    )


def _union(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    return [*old, *(key for key in new if key not in old)]


def _points(part: BaseModel | None) -> Decimal | None:
    value = getattr(part, "points", None)
    return value if isinstance(value, Decimal) else None


def _matched(
    section: Section,
    old: Mapping[str, BaseModel],
    new: Mapping[str, BaseModel],
    *,
    skip: frozenset[str] | set[str] = frozenset(),
) -> Iterator[Change]:
    for key in _union(old, new):
        before, after = old.get(key), new.get(key)
        name = str(getattr(after or before, "name", key))
        if before is None or after is None:
            kind: Kind = "added" if before is None else "removed"
            yield Change(section, key, name, (kind,), (), _points(before), _points(after))
            continue
        details = _field_details(before, after, skip=skip)
        if details:
            kinds: tuple[Kind, ...] = (
                ("reweighted",) if _points(before) != _points(after) else ("changed",)
            )
            yield Change(section, key, name, kinds, tuple(details), _points(before), _points(after))


def _indicator_change(
    key: str, old: tuple[str, BaseModel] | None, new: tuple[str, BaseModel] | None
) -> Iterator[Change]:
    (old_criterion, before), (new_criterion, after) = old or ("", None), new or ("", None)
    part = after or before
    name = str(getattr(part, "name", key))
    if before is None or after is None:
        kind: Kind = "added" if before is None else "removed"
        where = new_criterion or old_criterion
        yield Change(
            "indicator", key, name, (kind,), (f"考评项目 {where}",), _points(before), _points(after)
        )
        return
    details = []
    kinds: list[Kind] = []
    if _points(before) != _points(after):
        kinds.append("reweighted")
    rule_details = _field_details(before, after, only={"rule"})
    if rule_details:
        kinds.append("rule_changed")
    if old_criterion != new_criterion:
        details.append(f"所属考评项目 {old_criterion} → {new_criterion}")
    details.extend(_field_details(before, after, skip={"rule"}))
    details.extend(rule_details)
    if details and not kinds:
        kinds.append("changed")
    if details:
        yield Change(
            "indicator", key, name, tuple(kinds), tuple(details), _points(before), _points(after)
        )


def _field_details(
    old: BaseModel,
    new: BaseModel,
    *,
    skip: frozenset[str] | set[str] = frozenset(),
    only: set[str] | None = None,
) -> list[str]:
    before = _flatten(old.model_dump(mode="json"), "")
    after = _flatten(new.model_dump(mode="json"), "")
    before, after = _entries_only(before, after), _entries_only(after, before)
    details = []
    for path in _union(before, after):
        field = re.split(r"[.\[]", path, maxsplit=1)[0]
        if field in skip or (only is not None and field not in only):
            continue
        if before.get(path) != after.get(path):
            details.append(f"{path} {_show(before.get(path))} → {_show(after.get(path))}")
    return details


def _entries_only(flat: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """``flat`` without an empty list whose entries the other side lists one by one.

    A list of entries flattens to one path per field (``quotas[0].rating``), an empty one to the
    list's own path: compared as they are, a first entry would also read "quotas [] → （无）".
    """
    listed = {path.split("[", 1)[0] for path in other if "[" in path}
    return {p: v for p, v in flat.items() if not (v == [] and p in listed)}


def _flatten(value: Any, prefix: str) -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        flat = {}
        for index, item in enumerate(value):
            flat.update(_flatten(item, f"{prefix}[{index}]"))
        return flat
    return {prefix: value}


def _show(value: Any) -> str:
    if value is None:
        return "（无）"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + "、".join(_show(v) for v in value) + "]"
    if isinstance(value, str):
        try:
            return fmt(Decimal(value))
        except ArithmeticError:
            return value
    return str(value)
