"""Plainly valid values read without pydantic: what the models of an evidence file's parts use.

A valid evidence file's unit, ``rubric_version``, ``profile``, penalties, bonuses and vetoes, and
the mappings some rule kinds take as values (a judgement, counts, a comparison with last year),
are nearly always written plainly: the expected keys, each with a value of exactly the type asked
for. Such a part is read by its model's ``read_plain`` (``model.rules.base.Frozen``) from the
readers below, one a field (``plain_fields``), into the very model validation would give (built
with ``model_construct``, the model's own after-validators then run on it). Anything else, and
any doubt, is ``DECLINED``: the full validation then runs as if this module did not exist, and
says what is wrong. A reader never reports anything itself.

For ``score ONE_FILE`` this means a plain file needs no pydantic validator at all: none is built,
and pydantic's plugin loader (``importlib.metadata`` and what it imports) is never imported
(README 性能). ``tests/test_plain.py`` compares every model's ``read_plain`` with its validation
on generated values.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from lianchuang_cli.decimals import MAX_MAGNITUDE

DECLINED: Any = object()
"""What a reader returns for a value it leaves to the full validation."""

Reader = Callable[[Any], Any]
"""Returns a plainly valid value as validation would give it, or ``DECLINED``."""

_LARGEST_INT = int(MAX_MAGNITUDE)


def anything(value: Any) -> Any:
    """Any value at all (a field typed ``Any``), as it is."""
    return value


def text(value: Any) -> Any:
    """Any text (``str``)."""
    return value if type(value) is str else DECLINED


def filled(value: Any) -> Any:
    """Text of at least one character (``min_length=1``)."""
    return value if type(value) is str and value else DECLINED


def code(value: Any) -> Any:
    """A code: text, or a whole number written without quotes (read as its digits)."""
    if type(value) is int:
        return str(value)
    return value if type(value) is str else DECLINED


def filled_code(value: Any) -> Any:
    """A code of at least one character."""
    read = code(value)
    return read if read else DECLINED


def flag(value: Any) -> Any:
    """A yes/no (strict: only true or false)."""
    return value if type(value) is bool else DECLINED


def whole(low: int, high: int) -> Reader:
    """A whole number from ``low`` to ``high`` (strict: no true/false, no text)."""

    def read(value: Any) -> Any:
        return value if type(value) is int and low <= value <= high else DECLINED

    return read


def number(value: Any) -> Any:
    """A finite number within the magnitude bound (``rules.base.Number``), as a ``Decimal``."""
    given = type(value)
    if given is int and -_LARGEST_INT < value < _LARGEST_INT:
        return Decimal(value)
    if given is Decimal and value.is_finite() and abs(value) < MAX_MAGNITUDE:
        return value
    return DECLINED


def at_least_zero(value: Any) -> Any:
    """A ``number`` not below zero (``ge=0``)."""
    read = number(value)
    return read if read is not DECLINED and read >= 0 else DECLINED


def above_zero(value: Any) -> Any:
    """A ``number`` above zero (``gt=0``)."""
    read = number(value)
    return read if read is not DECLINED and read > 0 else DECLINED


def score(value: Any) -> Any:
    """A score (``rules.base.Score``): not below zero, at most two decimal places."""
    read = at_least_zero(value)
    if read is DECLINED:
        return DECLINED
    exponent = read.as_tuple().exponent
    return read if type(exponent) is int and exponent >= -2 else DECLINED


def one_of(*options: str) -> Reader:
    """One of the given words (a ``Literal``)."""
    allowed = frozenset(options)

    def read(value: Any) -> Any:
        return value if type(value) is str and value in allowed else DECLINED

    return read


def texts(value: Any) -> Any:
    """A list of texts (attachments), as a new list."""
    if type(value) is not list:
        return DECLINED
    for item in value:
        if type(item) is not str:
            return DECLINED
    return list(value)


def optional(reader: Reader) -> Reader:
    """``reader``'s value, or None written out."""

    def read(value: Any) -> Any:
        return None if value is None else reader(value)

    return read


def each(reader: Reader) -> Reader:
    """A list read item by item into a new list (as validation gives it), or ``DECLINED`` if any
    item is."""

    def read(value: Any) -> Any:
        if type(value) is not list:
            return DECLINED
        items = []
        for item in value:
            found = reader(item)
            if found is DECLINED:
                return DECLINED
            items.append(found)
        return items

    return read
