"""What an evidence workbook's cell holds, read as what its owner meant.

Excel stores every number as a float, a percent-formatted cell holds 0.93 for "93%", WPS and
pasted data leave numbers as text ("12", "９３%"), dates arrive as datetimes, and yes/no is typed
in several ways; these functions turn such cell contents into the values a YAML file would hold.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any

from lianchuang_cli.decimals import to_halfwidth
from lianchuang_cli.forms import xlsx_layout as layout

_INT_RE = re.compile(r"[-+]?[0-9]+\Z")
_DECIMAL_RE = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)\Z")
_THOUSANDS_RE = re.compile(r"[-+]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?\Z")
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_TRUE_WORDS = frozenset({"是", "√", "✓", "true", "yes", "y", "1"})
_FALSE_WORDS = frozenset({"否", "×", "✗", "false", "no", "n", "0"})
_LIST_SEPARATORS = re.compile(r"[；;\n]+")


def number_from_float(value: float, percent: bool) -> int | Decimal:
    """A number cell's float as the number typed (×100 in a percent-formatted cell)."""
    # Excel keeps 15 significant digits; more would only show binary noise (0.1+0.2).
    number = Decimal(f"{value:.15g}")
    if percent:
        number *= 100
    if number == number.to_integral_value():
        return int(number)
    return number.normalize()


def is_percent_format(number_format: str) -> bool:
    """Whether a number format shows the value as a percentage (not a quoted "%" literal)."""
    return "%" in _FORMAT_LITERALS.sub("", number_format)


def number_from_text(text: str) -> int | Decimal | str:
    """Read a number typed as text ("12", "９３%", "1,200", " 8.6 "); other text is returned as is."""
    # The same full-width folding the model applies to values (decimals.to_halfwidth).
    plain = to_halfwidth(text).strip().replace(" ", "").replace("\u3000", "")
    plain = plain.removesuffix("%")
    if _THOUSANDS_RE.match(plain):
        plain = plain.replace(",", "")
    if _INT_RE.match(plain):
        return int(plain)
    if _DECIMAL_RE.match(plain):
        number = Decimal(plain)
        return int(number) if number == number.to_integral_value() and "." not in plain else number
    return text.strip()


def cell_text(value: Any) -> str | None:
    """A cell shown as text: numbers as written, dates as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, bool):
        return layout.YES if value else layout.NO
    if isinstance(value, float):
        return str(number_from_float(value, False))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def truth(value: Any) -> Any:
    """是/否 (and true/false, √/×) as a boolean; anything else unchanged for validation to explain."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        word = unicodedata.normalize("NFKC", value).strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return value


def split_list(text: str | None) -> list[str]:
    """Attachments in one cell: one per line, or separated by "；"/";"."""
    if text is None:
        return []
    return [part.strip() for part in _LIST_SEPARATORS.split(text) if part.strip()]
