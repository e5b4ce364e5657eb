"""A fast line reader for the plain subset of YAML that evidence files are written in.

Composing a libyaml node tree and turning it into values costs more than a millisecond for a
village file, several times what reading its lines costs. ``scan`` reads the common subset
directly, line by line:

* block mappings with simple ASCII keys (``name:``), block sequences (``- x``, ``- key: value``),
  comments and blank lines, any consistent indentation;
* on one line: plain scalars, single-quoted scalars, double-quoted scalars without escapes, and
  flow sequences and mappings of such scalars (``[a.pdf, b.pdf]``, ``{score: 3, reason: "…"}``).

Anything else, and anything it is not certain to read exactly as libyaml would, makes it
*decline* (return None) and the caller falls back to the libyaml reader, which also reports
every problem: tabs, odd characters or line breaks, directives and document markers, anchors,
aliases and tags, block scalars, multi-line scalars, escapes, nested flow collections, duplicate
keys, numbers it would refuse. Scalars are typed by ``yaml_scalars``, as on the libyaml path.
"""

from __future__ import annotations

import re
from typing import Any

from lianchuang_cli.reading.yaml_scalars import TYPED_STARTS, resolve_plain, scalar_value

MAX_LINES = 20_000
"""Longer texts are left to libyaml (an evidence file has about 250 lines)."""

MAX_DEPTH = 16
"""Deeper nesting is left to libyaml (an evidence file nests three levels)."""

KeyPath = tuple[str, ...]
"""The keys leading from the root to a block mapping, through mappings only."""

KeyPositions = dict[KeyPath, tuple[int, dict[str, int]]]
"""For each block mapping reached through mappings only: the 1-based column of its keys, and
the 1-based line of each key."""

# Only what libyaml accepts as printable, less the line breaks other than \n (\x85, \u2028,
# \u2029) and the byte order mark; \r is dealt with before. Written as the complement of
# "\n -~\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff": the
# same characters (a test compares every code point), but compiled in a tenth of the time
# (the negated form cost ~3 ms at every start).
_ODD = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")

# A simple key, its colon, then a space or the end of the line.
_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}):(?:\Z| +(.*))")

_SINGLE = re.compile(r"'((?:[^']|'')*)'")

# One plain scalar of a one-line flow collection: it may not start with an indicator (a "-" only
# before a digit or a point), and holds none of ",[]{}#:". Its trailing spaces are stripped.
_FLOW_PLAIN = r"""(?:[^ ,\[\]{}#&*!|>'"%@`?:\-][^,\[\]{}#:]*|-[0-9.][^,\[\]{}#:]*)"""
# One entry of a one-line flow sequence or mapping, with what ends it ("," or the bracket).
_FLOW_SCALAR = r"""(?:"([^"\\]*)"|'((?:[^']|'')*)'|(""" + _FLOW_PLAIN + """)) *([,\\]}]?)"""
_SEQ_ENTRY = re.compile(" *" + _FLOW_SCALAR)
_MAP_ENTRY = re.compile(r" *([A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}): +" + _FLOW_SCALAR)
_FLOW_EMPTY = re.compile(r"[\[{] *[\]}]")

# A plain scalar in a block may not start with these (a "-" is allowed before a digit or point).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


class _Decline(Exception):
    """The text is outside the subset read here."""


def scan(text: str) -> tuple[Any, KeyPositions] | None:
    """Read ``text`` into plain values and key positions, or return None to decline."""
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")
    if _ODD.search(text) is not None:
        return None
    lines = text.split("\n")
    if len(lines) > MAX_LINES:
        return None
    rows: list[tuple[int, int, str]] = []
    for number, line in enumerate(lines, 1):
        content = line.lstrip(" ")
        if content and content[0] != "#":
            indent = len(line) - len(content)
            if not indent and content.startswith(("---", "...", "%")):
                return None
            rows.append((number, indent, content))
    if not rows:
        return None
    end = len(rows)
    rows.append((0, -1, ""))
    reader = _Reader(rows)
    try:
        data = reader.block(rows[0][1], (), 0)
    except _Decline:
        return None
    if reader.at != end:
        return None
    return data, reader.keys


_TYPED: dict[str, Any] = {}
"""Values of the short typed scalars met so far (``3``, ``95.1``, ``true``): they repeat from
file to file, and every one of them is immutable."""

_TYPED_KEPT = 4096
"""At most this many are kept (a village file has about 60 different ones)."""


def _typed(text: str) -> Any:
    """The value of a plain scalar (never empty), as ``yaml_scalars`` types it."""
    if text[0] not in TYPED_STARTS:
        return text  # what resolve_plain and scalar_value give any text starting so
    try:
        return _TYPED[text]
    except KeyError:
        pass
    value, problem = scalar_value(resolve_plain(text), text)
    if problem is not None:
        raise _Decline
    if len(_TYPED) < _TYPED_KEPT and len(text) <= 16:
        _TYPED[text] = value
    return value


def _check_tail(tail: str) -> None:
    """After a quoted scalar or a flow collection, only spaces and a comment may follow."""
    if tail:
        if tail[0] != " ":
            raise _Decline
        rest = tail.lstrip(" ")
        if rest and rest[0] != "#":
            raise _Decline


def _flow(text: str) -> tuple[Any, str]:
    """Read the one-line flow collection ``text`` starts with; return it and what follows."""
    empty = _FLOW_EMPTY.match(text)
    if empty is not None:
        if (text[0] == "[") != (text[empty.end() - 1] == "]"):
            raise _Decline
        return ([] if text[0] == "[" else {}), text[empty.end() :]
    position = 1
    if text[0] == "[":
        items: list[Any] = []
        while True:
            match = _SEQ_ENTRY.match(text, position)
            if match is None:
                raise _Decline
            double, single, plain, end = match.groups()
            if plain is not None:
                items.append(_typed(plain.rstrip(" ")))
            elif double is not None:
                items.append(double)
            else:
                items.append(single.replace("''", "'"))
            position = match.end()
            if end == "]":
                return items, text[position:]
            if end != ",":
                raise _Decline
    mapping: dict[str, Any] = {}
    while True:
        match = _MAP_ENTRY.match(text, position)
        if match is None:
            raise _Decline
        key, double, single, plain, end = match.groups()
        if key in mapping:
            raise _Decline
        if plain is not None:
            mapping[key] = _typed(plain.rstrip(" "))
        elif double is not None:
            mapping[key] = double
        else:
            mapping[key] = single.replace("''", "'")
        position = match.end()
        if end == "}":
            return mapping, text[position:]
        if end != ",":
            raise _Decline


def _inline(text: str) -> Any:
    """The value written on the rest of a line (not empty, not a comment)."""
    first = text[0]
    if first in _INDICATORS:
        if first == '"':
            end = text.find('"', 1)
            if end < 0:
                raise _Decline
            value: Any = text[1:end]
            if "\\" in value:
                raise _Decline
            _check_tail(text[end + 1 :])
            return value
        if first == "'":
            single = _SINGLE.match(text)
            if single is None:
                raise _Decline
            _check_tail(text[single.end() :])
            return single.group(1).replace("''", "'")
        if first == "[" or first == "{":
            value, tail = _flow(text)
            _check_tail(tail)
            return value
        if first != "-" or text[1:2] not in _NUMBER_SECOND:
            raise _Decline
    # A plain scalar: it ends at a comment, and holds no ": " (that would be a mapping).
    comment = text.find(" #")
    if comment >= 0:
        text = text[:comment]
    text = text.rstrip(" ")
    if ": " in text or text[-1] == ":":
        raise _Decline
    return _typed(text)


_NUMBER_SECOND = frozenset("0123456789.")


def _is_item(content: str) -> bool:
    """Whether a line's content is a block sequence entry ("- " or a lone "-")."""
    return content[0] == "-" and (len(content) == 1 or content[1] == " ")


class _Reader:
    """Reads the rows (line number, indentation, content) of non-blank, non-comment lines."""

    __slots__ = ("at", "keys", "rows")

    def __init__(self, rows: list[tuple[int, int, str]]) -> None:
        self.rows = rows
        self.at = 0
        self.keys: KeyPositions = {}

    def block(self, indent: int, path: KeyPath | None, depth: int) -> Any:
        """The block collection whose first row (at ``self.at``) is indented by ``indent``."""
        if depth > MAX_DEPTH:
            raise _Decline
        if _is_item(self.rows[self.at][2]):
            return self.sequence(indent, depth)
        return self.mapping(indent, path, depth)

    def mapping(self, indent: int, path: KeyPath | None, depth: int) -> dict[str, Any]:
        rows = self.rows
        result: dict[str, Any] = {}
        lines: dict[str, int] = {}
        if path is not None:
            self.keys[path] = (indent + 1, lines)
        at = self.at
        while True:
            number, row_indent, content = rows[at]  # the last row is a sentinel, indented -1
            if row_indent != indent:
                break
            match = _KEY.match(content)
            if match is None:
                raise _Decline
            key, rest = match.groups()
            if key in result:
                raise _Decline
            lines[key] = number
            at += 1
            if rest and rest[0] != "#":
                result[key] = _inline(rest)
                if rows[at][1] > indent:
                    raise _Decline  # a continuation line, or a bad indentation
                continue
            below = rows[at][1]
            if below > indent or (below == indent and _is_item(rows[at][2])):
                self.at = at
                inner = None if path is None else (*path, key)
                result[key] = self.block(below, inner, depth + 1)
                at = self.at
            else:
                result[key] = None
        self.at = at
        return result

    def sequence(self, indent: int, depth: int) -> list[Any]:
        rows = self.rows
        items: list[Any] = []
        at = self.at
        while True:
            number, row_indent, content = rows[at]
            if row_indent != indent or not _is_item(content):
                break
            rest = content[1:].lstrip(" ")
            if not rest or rest[0] == "#" or _is_item(rest):
                raise _Decline  # an empty entry, or a sequence in a sequence
            if _KEY.match(rest) is not None:
                # "- key: value" starts a mapping indented to its key.
                inner = indent + len(content) - len(rest)
                rows[at] = (number, inner, rest)
                self.at = at
                items.append(self.mapping(inner, None, depth + 1))
                at = self.at
            else:
                items.append(_inline(rest))
                at += 1
                if rows[at][1] > indent:
                    raise _Decline
        self.at = at
        return items
