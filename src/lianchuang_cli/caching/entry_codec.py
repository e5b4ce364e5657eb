"""A parsed evidence entry of ``--cache`` as JSON text, and back, exactly.

What reading a YAML evidence file produced (its plain values) and where each indicator's key is
(line, column). Decimals are written as ``{"$d": "2.50"}`` so that they come back with the same
digits; a real key starting with "$" gets one more "$". Anything else JSON cannot hold exactly is
not encoded (the file is then simply not cached).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from lianchuang_cli.reading.document import Location

DECIMAL = "$d"
"""The one key of the object standing for a decimal; real keys starting with "$" get one more."""


def encode_entry(data: Any, keys: dict[str, list[int]]) -> bytes | None:
    """An entry's UTF-8 JSON: the values and the indicator keys' [line, column]; None when a
    value cannot be held exactly."""
    payload = {"data": data, "keys": keys}
    try:
        text = _dumps_fast(payload)
        if text is None:  # some key or text starts with "$": escape keys, the slow exact way
            text = json.dumps(encode_values(payload), ensure_ascii=False)
    except TypeError:
        return None
    # surrogateescape: a file name with undecodable bytes stays exact through the round trip.
    return text.encode("utf-8", "surrogateescape")


def decode_entry(text: bytes) -> tuple[Any, dict[str, Location]] | None:
    """A parsed entry's values and indicator key positions; None if it does not decode."""
    try:
        # Escaped "$" keys are rare: only entries that have them pay for the full key check.
        hook = decode_object if b'"$$' in text else _decode_decimal
        stored = json.loads(text, object_hook=hook)
        keys = {key: Location(line, column) for key, (line, column) in stored["keys"].items()}
        return stored["data"], keys
    except (ValueError, ArithmeticError, KeyError, TypeError):
        return None


def _dumps_fast(payload: Any) -> str | None:
    """The entry through the C encoder, decimals tagged by its fallback hook; None if unsure.

    Every ``"$`` in the text is then a decimal tag unless a key or a text starts with "$": when
    the count differs from the decimals tagged, the caller escapes keys with ``encode_values``.
    """
    tagged = 0

    def tag(value: Any) -> Any:
        nonlocal tagged
        if type(value) is not Decimal:
            raise TypeError(type(value).__name__)
        tagged += 1
        return {DECIMAL: str(value)}

    text = json.dumps(payload, ensure_ascii=False, default=tag)
    return text if text.count('"$') == tagged else None


def encode_values(value: Any) -> Any:
    """Plain values as JSON-ready values: decimals tagged, keys starting with "$" escaped."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is Decimal:
        return {DECIMAL: str(value)}
    if kind is dict:
        if any(type(k) is not str for k in value):
            raise TypeError("key")
        return {(f"${k}" if k.startswith("$") else k): encode_values(v) for k, v in value.items()}
    if kind is list:
        return [encode_values(item) for item in value]
    raise TypeError(kind.__name__)


def _decode_decimal(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and DECIMAL in obj:
        return Decimal(obj[DECIMAL])
    return obj


def decode_object(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and DECIMAL in obj:
        return Decimal(obj[DECIMAL])
    if any(key.startswith("$") for key in obj):
        return {(key[1:] if key.startswith("$") else key): value for key, value in obj.items()}
    return obj
