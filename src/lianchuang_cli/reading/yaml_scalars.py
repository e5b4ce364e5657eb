"""How a YAML scalar becomes a value: YAML 1.2 core-schema typing, one definition for every reader.

Plain (unquoted) scalars follow YAML 1.2: only ``true``/``false`` are booleans, so ``NO`` and
``on`` stay text, ``0571`` stays the text "0571" (a code, not octal 377), ``12:30`` stays text,
and numbers with a fraction become exact ``Decimal`` values, never floats. Quoted scalars are
always text. Both the libyaml path and the fast line reader (``yaml_fast``) type through here.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from lianchuang_cli.decimals import shorten, to_halfwidth

MAX_NUMBER_DIGITS = 30
"""Longest digit string read as a number; longer ones are refused (Python refuses ints of more
than 4,300 digits, and no score or count needs more than a few)."""

TAG_PREFIX = "tag:yaml.org,2002:"
STR_TAG = TAG_PREFIX + "str"
INT_TAG = TAG_PREFIX + "int"
FLOAT_TAG = TAG_PREFIX + "float"
BOOL_TAG = TAG_PREFIX + "bool"
NULL_TAG = TAG_PREFIX + "null"
SEQ_TAG = TAG_PREFIX + "seq"
MAP_TAG = TAG_PREFIX + "map"

NULLS = frozenset({"", "~", "null", "Null", "NULL"})
TRUES = frozenset({"true", "True", "TRUE"})
FALSES = frozenset({"false", "False", "FALSE"})
# A leading zero keeps a scalar as text: administrative codes such as 0571 must not change.
INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
FLOAT_RE = re.compile(
    r"[-+]?(?:(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)\Z"
)

TYPED_STARTS = frozenset("0123456789+-.~nNtTfF０１２３４５６７８９．－−＋")
"""The first characters a plain scalar needs to be anything but text: a plain scalar starting
with any other character is text, whatever follows (``resolve_plain`` relies on this)."""


def resolve_plain(value: str) -> str:
    """Tag a plain (unquoted) scalar the way YAML 1.2's core schema would.

    Full-width digits, point and sign (typed with a Chinese input method) count as their ASCII
    forms: ``１１`` looks exactly like 11 and means it.
    """
    if value and value[0] not in TYPED_STARTS:
        return STR_TAG  # most scalars are Chinese text: skip the patterns
    if not value.isascii():
        value = to_halfwidth(value)
    if value in NULLS:
        return NULL_TAG
    if value in TRUES or value in FALSES:
        return BOOL_TAG
    if INT_RE.match(value):
        return INT_TAG
    if FLOAT_RE.match(value):
        return FLOAT_TAG
    return STR_TAG


def scalar_value(tag: str, text: str) -> tuple[Any, str | None]:
    """The value of a scalar of ``tag`` written as ``text``, or None and why it has none."""
    if tag == STR_TAG:
        return text, None
    if tag == NULL_TAG and text in NULLS:
        return None, None
    if tag == BOOL_TAG and (text in TRUES or text in FALSES):
        return text in TRUES, None
    if tag in (INT_TAG, FLOAT_TAG):
        if not text.isascii():
            text = to_halfwidth(text)
        digits = sum(char.isdigit() for char in text)
        if digits > MAX_NUMBER_DIGITS:
            message = (
                f"数字“{shorten(text)}”有{digits}位，超出可处理的范围；"
                "如果这是文字（如编号），请加引号"
            )
            return None, message
        if tag == INT_TAG and INT_RE.match(text):
            return int(text), None
        if tag == FLOAT_TAG:
            try:
                return Decimal(text), None
            except InvalidOperation:
                pass
    if tag in (NULL_TAG, BOOL_TAG, INT_TAG, FLOAT_TAG):
        return None, f"“{text}”不是有效的 !!{tag.removeprefix(TAG_PREFIX)} 值"
    return None, unsupported_tag(tag)


def unsupported_tag(tag: str) -> str:
    """The message for a tag other than the standard scalar and collection ones."""
    shown = "!!" + tag.removeprefix(TAG_PREFIX) if tag.startswith(TAG_PREFIX) else tag
    return f"不支持的 YAML 标签{shown}；请去掉标签，直接写值"
