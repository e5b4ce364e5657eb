"""The JSON Schema of a rubric's evidence files, for editors with a YAML language server.

Each indicator becomes a property with its Chinese name, points, requirement and how to fill it;
its ``value`` schema comes from the rule's own value type (``value_schema``), narrowed by the rule
itself (``narrow_json_schema``: choices, the value range, the indicator's points), so that a new
rule kind needs nothing here.
"""

from __future__ import annotations

import json
import re
from typing import Any, get_args

from lianchuang_cli.decimals import fmt
from lianchuang_cli.model.field_labels import FIELD_LABELS
from lianchuang_cli.model.profile import SUPPORT_FACTS, Education
from lianchuang_cli.model.rubric import LEVEL_NAMES, Indicator, Rubric

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}
_NUMBER_OR_TEXT = [{"type": "number"}, {"type": "string"}]


def schema_file_name(rubric: Rubric) -> str:
    """The file name ``template`` refers to and ``schema -o`` is meant to write."""
    return f"{rubric.id}-{rubric.version}.schema.json"


def evidence_schema(rubric: Rubric) -> dict[str, Any]:
    """The schema as a JSON-ready dictionary."""
    indicators: dict[str, Any] = {}
    for criterion, indicator in rubric.indicators():
        entry = _indicator_schema(indicator)
        entry["description"] = f"【{criterion.name}】" + entry["description"]
        indicators[indicator.id] = entry
    return {
        "$schema": DIALECT,
        "title": f"{rubric.title}（{rubric.id} {rubric.version}）佐证材料",
        "description": f"{LEVEL_NAMES[rubric.level]}级佐证材料；依据：{rubric.source}",
        "type": "object",
        "required": ["rubric", "unit", "indicators"],
        "additionalProperties": False,
        "properties": {
            "rubric": {"const": rubric.id, "description": "所用考评细则"},
            "rubric_version": {"const": rubric.version, "description": "细则版本"},
            "unit": _unit_schema(rubric),
            "profile": _profile_schema(),
            "indicators": {
                "type": "object",
                "description": "每项指标一条，键为指标 id",
                "properties": indicators,
                "required": [i.id for _, i in rubric.indicators() if i.linked is None],
                "additionalProperties": False,
            },
            "penalties": _events(rubric.penalties, "扣分项", counted=True),
            "bonuses": _events(rubric.bonuses, "加分项", counted=True),
            "vetoes": _events(rubric.vetoes, "一票否决事项", counted=False),
        },
    }


def render_schema(rubric: Rubric) -> str:
    """The schema as JSON text."""
    return json.dumps(evidence_schema(rubric), ensure_ascii=False, indent=2) + "\n"


def _profile_schema() -> dict[str, Any]:
    """``profile:`` (村级): the facts the township and county figures are counted from."""
    flag = {"type": "boolean"}
    properties: dict[str, Any] = {
        "secretary_education": {"enum": list(get_args(Education))},
        "committee_size": {"type": "integer", "minimum": 1},
        "wealth_leaders": {"type": "integer", "minimum": 0},
        "collective_operating_income": {"type": "number", "minimum": 0},
        "weak_and_lax": {
            "type": "object",
            "required": ["identified"],
            "additionalProperties": False,
            "properties": {"identified": flag, "rectified": flag},
        },
    }
    for name, schema in properties.items():
        schema["description"] = FIELD_LABELS[name]
    for name, fact in SUPPORT_FACTS.items():
        if not fact.unit:
            properties[name] = {**flag, "description": f"{fact.name}（可不填）"}
            continue
        bound = "exclusiveMinimum" if name == "rural_income_last_year" else "minimum"
        description = f"{fact.name}（{fact.unit}，可不填）"
        properties[name] = {"type": "number", bound: 0, "description": description}
    return {
        "type": "object",
        "description": "村情基本信息（只用于村级材料，供乡镇、县核算联创指标；保障和组织情况可不填，"
        "但县级对应指标须所辖村全部填报才能核算）",
        "required": list(properties)[:4],
        "additionalProperties": False,
        "properties": properties,
    }


def _unit_schema(rubric: Rubric) -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "type": "object",
        "description": "考评对象",
        "required": ["name", "code", "year"],
        "additionalProperties": False,
        "properties": {
            "name": {**text, "minLength": 1, "description": "党组织名称"},
            "code": {
                "type": ["string", "integer"],
                "description": "单位代码（加引号以保留开头的0）",
            },
            "township": {**text, "description": "所属乡镇"},
            "county": {**text, "description": "所属县（市、区）"},
            "township_code": {"type": ["string", "integer"], "description": "所属乡镇代码"},
            "county_code": {"type": ["string", "integer"], "description": "所属县代码"},
            "year": {"const": rubric.year, "description": "考评年度"},
        },
    }


def _indicator_schema(indicator: Indicator) -> dict[str, Any]:
    points = float(indicator.points)
    properties: dict[str, Any] = {
        "value": _value_schema(indicator),
        "note": {"type": "string", "description": "简要说明"},
        "attachments": {
            "type": "array",
            "items": {"type": "string"},
            "description": "佐证材料文件",
        },
        "self_score": {"type": "number", "minimum": 0, "maximum": points, "description": "自评分"},
    }
    entry: dict[str, Any] = {
        "type": "object",
        "title": f"{indicator.name}（{fmt(indicator.points)}分）",
        "description": f"评分标准：{indicator.requirement}；填写：{indicator.rule.value_hint}",
        "properties": properties,
        "additionalProperties": False,
    }
    situations = indicator.not_applicable_when
    if situations:
        properties["not_applicable"] = {
            "type": "string",
            "pattern": "^(?:" + "|".join(re.escape(s) for s in situations) + ")",
            "description": "按缺项处理时填写，须以下列情形之一开头：" + "；".join(situations),
        }
    if indicator.linked is None:
        required = [{"required": ["value"]}]
        if situations:
            required.append({"required": ["not_applicable"]})
        entry["anyOf"] = required
    return entry


def _value_schema(indicator: Indicator) -> dict[str, Any]:
    rule = indicator.rule
    raw = rule.value_schema.json_schema()
    schema: dict[str, Any] = _standard(_inline(raw, raw.pop("$defs", {})))
    schema["description"] = rule.value_hint
    rule.narrow_json_schema(schema, indicator.points)
    return schema


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """Replace local ``$ref``s by their definitions: each value schema is embedded elsewhere."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _inline(defs[ref.removeprefix("#/$defs/")], defs)
    return {key: _inline(value, defs) for key, value in node.items()}


def _standard(node: Any) -> Any:
    """Pydantic's schema made plain JSON Schema: decimals as numbers, English notes dropped."""
    if isinstance(node, list):
        return [_standard(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "description", "decimal_places", "default"):
            continue
        if key == "anyOf" and value[:2] == _NUMBER_OR_TEXT:
            rest = value[2:]
            if rest:
                out["anyOf"] = [{"type": "number"}, *_standard(rest)]
            else:
                out["type"] = "number"
            continue
        out[_BOUNDS.get(str(key), str(key))] = _standard(value)
    return out


def _events(items: Any, label: str, *, counted: bool) -> dict[str, Any]:
    ids = [item.id for item in items]
    names = "；".join(f"{item.id}：{item.name}" for item in items)
    properties: dict[str, Any] = {
        "id": {"enum": ids} if ids else {"type": "string"},
        "note": {"type": "string"},
        "attachments": {"type": "array", "items": {"type": "string"}},
    }
    if counted:
        properties["count"] = {"type": "integer", "minimum": 1, "description": "发生次数"}
    return {
        "type": "array",
        "description": f"{label}（发生时填写）：{names}" if names else label,
        "items": {
            "type": "object",
            "required": ["id"],
            "additionalProperties": False,
            "properties": properties,
        },
    }
