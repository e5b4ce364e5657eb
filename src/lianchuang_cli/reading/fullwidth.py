"""Spot full-width punctuation typed by a Chinese input method where YAML needs its ASCII form.

A full-width colon after a key (``value：6``), full-width spaces used as indentation, full-width
brackets, commas or Chinese quotes around a value all look right on screen but are plain text
to YAML, so the file either fails to parse a line or two later or a value has the wrong shape.
These checks run only on lines where something already went wrong, so valid files cost nothing.
"""

from __future__ import annotations

import re

_FULLWIDTH: dict[str, tuple[str, str, str]] = {
    # character: (what it is, the ASCII character meant, what else to do)
    "：": ("全角冒号", "半角冒号“:”", "并在其后加一个空格"),
    "\u3000": ("全角空格", "半角空格", "（缩进和冒号后只能用半角空格）"),
    "［": ("全角方括号", "半角方括号“[”", ""),
    "］": ("全角方括号", "半角方括号“]”", ""),
    "｛": ("全角花括号", "半角花括号“{”", ""),
    "｝": ("全角花括号", "半角花括号“}”", ""),
    "，": ("全角逗号", "半角逗号“,”", "并在其后加一个空格"),
    "“": ("中文引号", '半角引号“"”', "，或者去掉引号"),
    "”": ("中文引号", '半角引号“"”', "，或者去掉引号"),
    "‘": ("中文引号", "半角引号“'”", "，或者去掉引号"),
    "’": ("中文引号", "半角引号“'”", "，或者去掉引号"),
    "－": ("全角减号", "半角减号“-”", "并在其后加一个空格"),
}

# Indentation, then any list dashes (ASCII or full-width), then an ASCII key.
_LEAD = re.compile(r"[ ]*(?:[-－][ \u3000]+)*")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


def split_lines(text: str) -> list[str]:
    """Split text at exactly the line breaks libyaml counts, so line numbers agree."""
    return _LINE_BREAKS.split(text)


def fullwidth_message(line: int, column: int, char: str) -> str:
    """Say which full-width character stands where, and what to type instead."""
    name, meant, extra = _FULLWIDTH[char]
    shown = "" if char == "\u3000" else f"“{char}”"
    return f"第{line}行第{column}列是{name}{shown}，请改为{meant}{extra}"


def find_fullwidth(line: str, *, quotes: bool = False) -> int | None:
    """Return the 0-based index of a full-width character standing where YAML syntax belongs.

    ``quotes`` also reports Chinese quotes around a whole value, which only matters once that
    value has been found wrong (in a note they are ordinary text).
    """
    lead = _LEAD.match(line)
    index = lead.end() if lead else 0
    dash = line.find("－", 0, index)
    if dash >= 0:
        return dash
    if line.startswith("\u3000", index):
        return index
    key = _KEY.match(line, index)
    if key is None:
        return _in_value(line, index, quotes)
    index = key.end()
    while index < len(line) and line[index] in " \u3000":
        index += 1
    if line.startswith("：", index):
        return index
    if not line.startswith(":", index):
        return None
    index += 1
    if line.startswith("\u3000", index):
        return index
    while index < len(line) and line[index] == " ":
        index += 1
    return _in_value(line, index, quotes)


def _in_value(line: str, index: int, quotes: bool) -> int | None:
    if index >= len(line):
        return None
    first = line[index]
    if first in "［｛":
        return index
    if quotes and first in "“‘":
        return index
    if first in "[{":
        # Inside a flow collection: a full-width comma or colon outside ASCII quotes.
        quote = ""
        for position in range(index + 1, len(line)):
            char = line[position]
            if quote:
                if char == quote:
                    quote = ""
            elif char in "\"'":
                quote = char
            elif char in "，：］｝":
                return position
            elif char == "#":
                break
    return None
