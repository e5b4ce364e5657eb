"""Building result objects quickly: scoring makes about 60 frozen dataclasses per graded file.

A frozen dataclass's ``__init__`` sets every field through ``object.__setattr__`` (to get past
the class's own ``__setattr__``, which refuses), one call per field: building an
``IndicatorResult`` costs about five times what it costs for the same class unfrozen. A builder
is a plain (unfrozen) twin class with the same slots, whose ``__init__`` sets the fields and
then turns the object into the frozen class by assigning its ``__class__``, which Python allows
between classes with identical slot layouts.
The object is then in every way one the frozen class built itself: same type, same field values,
equal, same ``repr``, same pickle. Nothing runs in between, and nobody else holds the twin.

Builders are made on first use (a twin class costs a few tens of microseconds to make), so
importing this module costs nothing; a class the trick does not fit is returned as its own builder.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_builders: dict[type, Callable[..., Any]] = {}


def builder(cls: type[T]) -> Callable[..., T]:
    """A function taking ``cls``'s fields (positional or by name) and returning ``cls(...)``."""
    made = _builders.get(cls)
    if made is None:
        made = _builders.setdefault(cls, _make_builder(cls))
    return made


def _make_builder(cls: type[T]) -> Callable[..., T]:
    if not _fits(cls):
        return cls
    twin = _unfrozen_twin(cls)
    try:
        made = twin(*(None for _ in dataclasses.fields(cls)))  # type: ignore[arg-type]
    except TypeError:  # layouts Python does not accept as the same
        return cls
    return twin if type(made) is cls else cls


def _unfrozen_twin(cls: type) -> type:
    """A plain class with ``cls``'s slots whose ``__init__`` takes ``cls``'s fields, defaults
    included, sets them, and then makes the object a ``cls`` (the twin is never seen)."""
    fields = dataclasses.fields(cls)
    defaults = {f"_d_{f.name}": f.default for f in fields if f.default is not dataclasses.MISSING}
    params = ", ".join(
        f.name if f.default is dataclasses.MISSING else f"{f.name}=_d_{f.name}" for f in fields
    )
    body = "".join(f"\n    self.{f.name} = {f.name}" for f in fields)
    namespace: dict[str, Any] = {}
    source = f"def __init__(self, {params}):{body}\n    self.__class__ = _frozen"
    exec(source, {**defaults, "_frozen": cls}, namespace)
    slots = cls.__slots__  # type: ignore[attr-defined]
    return type(f"_Unfrozen{cls.__name__}", (), {"__slots__": slots, **namespace})


def _fits(cls: type) -> bool:
    """A frozen, slotted dataclass built only by its generated ``__init__``, straight from object."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        return False
    if cls.__bases__ != (object,) or hasattr(cls, "__post_init__"):
        return False
    return all(
        f.default_factory is dataclasses.MISSING and f.init and not f.kw_only
        for f in dataclasses.fields(cls)
    )
