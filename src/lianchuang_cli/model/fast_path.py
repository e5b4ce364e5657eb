"""The common case of evidence validation, without the machinery that reports problems.

Nearly every indicator entry in a real batch is plainly valid: ``value`` (a bool, a whole number,
a decimal, an option's name or a small mapping), a ``note`` and a list of ``attachments``. For
each indicator of a rubric, worked out once per rubric, a *reader* takes such an entry and returns
the value its rule will score, exactly what the full check in ``evidence`` returns for it, or
``DECLINED``: then the full check runs on the entry as if this module did not exist, and says what
is wrong (or accepts what the reader did not know). A reader never reports anything itself.

What a reader accepts, and what it returns:

* only entries whose keys are among ``value``, ``note`` and ``attachments``, with text notes and
  a list of texts as attachments (so that the entry model is sure to accept them; it is built
  later, only if someone asks for it);
* for a kind read "as typed" (``quick_read``), a value the rule ``takes_as_typed`` (a ``check``
  value that is a bool, a ``count`` a whole number within range, a ``choice`` one of its
  options): the value itself, as pydantic returns it in strict mode;
* for a kind read as a "number" or a "percentage" (``tiers``, ``linear``, ``percentage``): a
  finite ``Decimal`` (returned as it is, digits included) or a whole number (as ``Decimal(n)``),
  under the magnitude bound, between 0 and 100 for a percentage; then the rule's own
  ``check_value`` and the 0.96-for-96 % test decide;
* any other value except text: the rule's ``read_value`` (``model.plain``: a plainly valid
  value read without building a validator), else its schema; then ``check_value`` and the
  fraction test, as the full check runs them. Text for a rule that reads units (``93%``, ``12次``) is declined.

tests/test_fast_path.py checks every reader against the full check on generated entries.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from weakref import WeakKeyDictionary

from pydantic import ValidationError

from lianchuang_cli.decimals import MAX_MAGNITUDE
from lianchuang_cli.model import plain
from lianchuang_cli.model.rubric import Indicator, LoadedRubric
from lianchuang_cli.model.values import fraction_complaint

DECLINED: Any = plain.DECLINED
"""What a reader returns for an entry it leaves to the full check."""

PLAIN_KEYS = frozenset(("value", "note", "attachments"))

_UNWRITTEN: Any = object()

_LARGEST_INT = int(MAX_MAGNITUDE)

Reader = Callable[[dict[str, Any]], Any]

_readers: WeakKeyDictionary[LoadedRubric, dict[str, Reader]] = WeakKeyDictionary()
"""A pure memo: each (immutable) rubric's readers, built from it alone; gone with the rubric."""


def readers(loaded: LoadedRubric) -> dict[str, Reader]:
    """Each indicator's reader, by indicator id (made on first use, then kept with the rubric)."""
    made = _readers.get(loaded)
    if made is None:
        made = _readers.setdefault(
            loaded,
            {key: reader(indicator) for key, (_, indicator) in loaded.indicator_index.items()},
        )
    return made


def plain_entry(entry: dict[str, Any]) -> bool:
    """Whether an entry has only ``value``, text ``note`` and texts in ``attachments``."""
    if not entry.keys() <= PLAIN_KEYS or type(entry.get("note", "")) is not str:
        return False
    attachments = entry.get("attachments")
    if attachments is None:
        return "attachments" not in entry
    if type(attachments) is not list:
        return False
    for name in attachments:  # noqa: SIM110 - a loop costs less than all() over a generator
        if type(name) is not str:
            return False
    return True


_MEMO_LIMIT = 512
"""Mapping values remembered per indicator (judgements repeat: a score and a stock reason)."""


def _mapping_key(value: dict[str, Any]) -> tuple[object, ...] | None:
    """A key equal only for mappings that read the same, or None: then not remembered.

    Decimals are keyed by their text (3 and 3.0 are read as different decimals); only plain
    scalars take part, so equal keys mean equal, same-typed input in the same order.
    """
    key: list[object] = []
    for name, item in value.items():
        kind = type(item)
        if kind is Decimal:
            key.append((name, kind, str(item)))
        elif kind is str or kind is int or kind is bool or item is None:
            key.append((name, kind, item))
        else:
            return None
    return tuple(key)


def reader(indicator: Indicator) -> Reader:
    """The reader of one indicator's entries (see the module docstring)."""
    rule = indicator.rule
    points = indicator.points
    schema = type(rule).value_schema.validate_python
    check_value = rule.check_value
    reference = rule.percent_reference
    reads_units = rule.number_unit is not None

    def checked(value: Any) -> Any:
        # The full check's order: the rule's complaint first, then the fraction test.
        complaint = check_value(value, points)
        if complaint is None:
            complaint = fraction_complaint(value, reference)
        return DECLINED if complaint else value

    read_value = rule.read_value

    def validated(value: Any) -> Any:
        found = read_value(value)  # a plainly valid value needs no validator (``model.plain``)
        if found is not DECLINED:
            return checked(found)
        try:
            value = schema(value)
        except ValidationError:
            return DECLINED
        return checked(value)

    memo: dict[tuple[object, ...], Any] = {}

    def general(value: Any) -> Any:
        if value is None or (reads_units and isinstance(value, str)):
            return DECLINED
        if type(value) is not dict:
            return validated(value)
        # Validating a mapping (counts, a judgement) is the slow part: remember what it gave.
        key = _mapping_key(value)
        if key is None:
            return validated(value)
        found = memo.get(key)
        if found is None:
            found = validated(value)
            if found is not DECLINED:
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                memo[key] = found
        return found

    shape = rule.quick_read
    if shape == "as typed" and reference is None:
        takes = rule.takes_as_typed

        def read(entry: dict[str, Any]) -> Any:
            if not plain_entry(entry):
                return DECLINED
            value: Any = entry.get("value")
            return value if takes(value) else general(value)

    elif shape in ("number", "percentage"):
        percentage = shape == "percentage"

        def read(entry: dict[str, Any]) -> Any:
            if not plain_entry(entry):
                return DECLINED
            value: Any = entry.get("value")
            given = type(value)
            if given is int and -_LARGEST_INT < value < _LARGEST_INT:
                number = Decimal(value)
            elif given is Decimal and value.is_finite() and abs(value) < MAX_MAGNITUDE:
                number = value
            else:
                return general(value)
            if percentage and not 0 <= number <= 100:
                return general(value)
            return checked(number)

    else:

        def read(entry: dict[str, Any]) -> Any:
            if not plain_entry(entry):
                return DECLINED
            value: Any = entry.get("value")
            return general(value)

    return read
