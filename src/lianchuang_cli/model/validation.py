"""Turn pydantic validation errors into located Chinese problems."""

from __future__ import annotations

import difflib
import types
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from lianchuang_cli.decimals import shorten
from lianchuang_cli.errors import Problem
from lianchuang_cli.model.field_labels import field_label
from lianchuang_cli.reading.document import Document

_TEMPLATES = {
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能带小数",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "decimal_max_places": "最多保留 {decimal_places} 位小数",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多只能有 {max_length} 项",
    "dict_type": "应为映射（每行“键: 值”）",
    "model_type": "应为映射（每行“键: 值”）",
    "model_attributes_type": "应为映射（每行“键: 值”）",
    "list_type": "应为列表（每项以“- ”开头）",
    "literal_error": "应为以下之一：{expected}",
    "union_tag_invalid": "kind 应为以下之一：{expected_tags}",
    "union_tag_not_found": "缺少 kind（规则类型）",
    "string_pattern_mismatch": "格式不对：只能用小写英文字母、数字和下划线，并以字母开头",
    "string_too_short": "不能为空",
}


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | Decimal)


def describe_error(error: ErrorDetails, loc: Sequence[str | int] | None = None) -> str:
    """Return the Chinese message for one pydantic error (``loc``: its place in the whole file)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    where = error["loc"] if loc is None else loc
    if kind == "missing":
        return f"缺少必填项：{field_label(where)}" if error["loc"] else "缺少必填项"
    if kind == "extra_forbidden":
        return f"未知的键“{error['loc'][-1]}”；请检查拼写，或删除这一项"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if error.get("input") == "" and error["loc"]:
        return f"{field_label(where)}未填写"
    template = _TEMPLATES.get(kind)
    if template is None:
        return f"取值不符合要求（{error['msg']}）"
    shown_ctx = {k: _show(v) for k, v in ctx.items()}
    for key in ("expected", "expected_tags"):
        if key in shown_ctx:
            shown_ctx[key] = (
                shown_ctx[key].replace("'", "").replace(" or ", "、").replace(", ", "、")
            )
    message = template.format(**shown_ctx)
    shown = error.get("input")
    if _is_scalar(shown) and kind not in ("union_tag_invalid", "too_short", "too_long"):
        return f"“{_show(shown)}”{message}" if shown is not None else f"未填写，{message}"
    return message


def _show(value: Any) -> str:
    if value is None:
        return "空"
    if isinstance(value, bool):
        return "true" if value else "false"
    return shorten(str(value))


def problems_from(
    error: ValidationError,
    doc: Document,
    base: Sequence[str | int] = (),
    *,
    model: type[BaseModel] | None = None,
) -> list[Problem]:
    """Locate every error of ``error`` in ``doc``; ``base`` is where the validated value sits.

    Given the ``model`` that was validated, an unknown key is matched against the keys allowed
    at its place and the closest one is suggested.
    """
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for detail in error.errors(include_url=False):
        loc = (*base, *detail["loc"])
        kind = detail["type"]
        message = describe_error(detail, loc)
        if kind == "extra_forbidden" and model is not None and detail["loc"]:
            allowed = allowed_keys(model, detail["loc"][:-1])
            close = difflib.get_close_matches(str(detail["loc"][-1]), allowed, n=1, cutoff=0.6)
            if close:
                message = f"未知的键“{detail['loc'][-1]}”；是否想写“{close[0]}”？"
        if kind == "missing":
            problem = doc.problem(loc[:-1], message)
        else:
            problem = doc.problem(loc, message, key=kind == "extra_forbidden")
        marker = (problem.where, problem.message)
        if marker not in seen:
            seen.add(marker)
            problems.append(problem)
    return doc.in_order(problems)


def allowed_keys(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The keys a mapping may have at ``loc`` (a pydantic error location) inside ``model``."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    current = _strip(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _strip(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _step(annotation: Any, part: str | int) -> Any:
    annotation = _strip(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(part))
        return field.annotation if field is not None else None
    origin = get_origin(annotation)
    if origin in (list, tuple):
        return get_args(annotation)[0] if isinstance(part, int) else None
    if origin is dict:
        return get_args(annotation)[1]
    if origin in (Union, types.UnionType):
        # pydantic names the union member it tried: a model's ``kind`` tag, or a type name.
        for member in map(_strip, get_args(annotation)):
            if isinstance(member, type) and issubclass(member, BaseModel):
                kind = member.model_fields.get("kind")
                if (
                    kind is not None
                    and get_origin(kind.annotation) is Literal
                    and part in get_args(kind.annotation)
                ):
                    return member
                if part == member.__name__:
                    return member
        return None
    return None


def not_a_mapping(doc: Document, *, what: str, keys: str, hint: str) -> Problem:
    """Say plainly what a file should contain when it is empty, a list or a single value."""
    expected = f"{what}文件应逐行写出{keys}，每行“键: 值”；{hint}"
    if doc.data is None:
        return doc.problem([], f"文件是空的；{expected}")
    if isinstance(doc.data, list):
        return doc.problem([], f"整个文件是一个列表（各项以“- ”开头）；{expected}")
    return doc.problem([], f"整个文件只有一个值“{_show(doc.data)}”；{expected}")
