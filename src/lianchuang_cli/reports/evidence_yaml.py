"""Evidence values as a YAML evidence file (``convert --to yaml``), read back to the same values.

Text is written plain when the YAML reader would read it back as the same text, and quoted
otherwise (codes such as "0571", "true", "12:30", anything with YAML punctuation). Numbers are
written exactly (``88.2``, never ``88.19999``). Each indicator carries its name as a comment.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from lianchuang_cli.model.rubric import Rubric

_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`0-9+.~][^\n:#,\[\]{}]*")
# Words some YAML readers (YAML 1.1) take as booleans or null: quoted for every reader's sake.
_RESERVED = frozenset(
    {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "~", "nan", "inf"}
)
_BLOCK_KEYS = frozenset({"unit", "profile", "indicators"})


def scalar(value: Any) -> str:
    """One value as YAML text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    plain = _PLAIN.fullmatch(text) and text == text.rstrip() and text.lower() not in _RESERVED
    return text if plain else json.dumps(text, ensure_ascii=False)


def flow(value: Any) -> str:
    """A value on one line: ``{part: 4, whole: 5}``, ``[a.pdf, b.pdf]`` or a scalar."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    return scalar(value)


def _line(indent: str, key: str, value: Any) -> str:
    text = flow(value)
    return f"{indent}{scalar(key)}:{' ' + text if text else ''}\n"


def render_evidence_yaml(data: dict[str, Any], *, rubric: Rubric | None, source: str) -> str:
    """Evidence values (as read from a workbook) as the text of a YAML evidence file."""
    indicators = [i for _, i in rubric.indicators()] if rubric is not None else []
    names = {i.id: i.name for i in indicators}
    # A linked indicator left empty is computed by grade-tree; YAML says that by leaving it out.
    computed = {i.id for i in indicators if i.linked is not None}
    out = [f"# 由 {source} 转换而来（lianchuang convert）；可直接用 lianchuang score 评分。\n"]
    for key, value in data.items():
        if key in _BLOCK_KEYS and isinstance(value, dict):
            out.append(f"{scalar(key)}:\n")
            for inner, item in value.items():
                if key == "indicators" and inner in computed and item == {"value": None}:
                    continue
                if key == "indicators" and isinstance(item, dict):
                    name = names.get(inner)
                    out.append(f"  {scalar(inner)}:{f'   # {name}' if name else ''}\n")
                    out.extend(_line("    ", field, v) for field, v in item.items())
                else:
                    out.append(_line("  ", inner, item))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out.append(f"{scalar(key)}:\n")
            out.extend(f"  - {flow(item)}\n" for item in value)
        else:
            out.append(_line("", key, value))
    return "".join(out)
