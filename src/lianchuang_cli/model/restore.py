"""A model rebuilt from its own JSON dump without validating it: for data already validated.

The rubric cache (``caching.rubric_cache``) keeps a rubric that loaded without errors as
``Rubric.model_dump_json()``, sealed with the folder's key. Validating that JSON again on every
run would build the validator of every rubric model (the models defer building it,
``model.rules.base.Frozen``), several times what reading the rubric costs; this module turns the
JSON back into the same models with pydantic's ``model_construct``, field by field from the
models' own declarations: nested models, lists, mappings, optional values and the rule kinds
(picked by ``kind``) are rebuilt, decimals read from their text, everything else kept as it is.

Only for data this code dumped itself: nothing is checked. The cache stores an entry only after
restoring it gave back exactly the rubric it stores (``tests/test_restore.py`` also
restores every shipped and test rubric), and reads it only under a valid seal.
``UnsupportedField`` is raised for a declaration this module does not know how to rebuild.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel

ModelT = TypeVar("ModelT", bound=BaseModel)

Rebuild = Callable[[Any], Any]
"""Turns a field's dumped JSON value back into the value validation gave."""

Plan = tuple[tuple[str, Rebuild | None], ...]
"""A model's fields, each with how it is rebuilt (None: kept as it is)."""

_plans: dict[type[BaseModel], Plan] = {}
"""A pure memo: each model class's fields and how each is rebuilt (None: kept as it is)."""


class UnsupportedField(TypeError):
    """A field declared with a type that ``restore`` cannot rebuild."""


def restore(model: type[ModelT], data: dict[str, Any]) -> ModelT:
    """``model`` built from ``data``, its ``model_dump(mode="json")``, without validation.

    Raises ``UnsupportedField`` (for any model reachable from ``model``, on first use) when a
    declaration cannot be rebuilt; anything else raised means ``data`` is not such a dump.
    """
    return _built(model, _plan(model), data)


def _built(model: type[ModelT], plan: Plan, data: dict[str, Any]) -> ModelT:
    values = dict(data)
    for name, rebuild in plan:
        if rebuild is not None:
            values[name] = rebuild(values[name])
    return model.model_construct(**values)


def _plan(model: type[BaseModel]) -> Plan:
    """The fields of ``model`` and how each is rebuilt, worked out once with every model inside."""
    plan = _plans.get(model)
    if plan is None:
        steps = []
        for name, field in model.model_fields.items():
            where = f"{model.__name__}.{name}"
            if field.alias is not None or field.validation_alias is not None:
                raise UnsupportedField(f"{where}: aliases are not restored")
            steps.append((name, _rebuild(field.annotation, field.discriminator, where)))
        plan = _plans[model] = tuple(steps)
    return plan


def _rebuild(annotation: Any, discriminator: Any, where: str) -> Rebuild | None:
    """How a value of type ``annotation`` is rebuilt from JSON; None when it is kept as it is."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _rebuild(get_args(annotation)[0], discriminator, where)
    if annotation in (str, int, bool, Any) or origin is Literal:
        return None
    if annotation is Decimal:
        return Decimal
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        model, plan = annotation, _plan(annotation)
        return lambda value: _built(model, plan, value)
    if origin is list:
        each = _rebuild(get_args(annotation)[0], None, where)
        if each is None:
            return None
        item: Rebuild = each
        return lambda value: [item(entry) for entry in value]
    if origin is dict:
        key, item_type = get_args(annotation)
        if key is not str:
            raise UnsupportedField(f"{where}: mapping keys other than text")
        each = _rebuild(item_type, None, where)
        if each is None:
            return None
        field: Rebuild = each
        return lambda value: {name: field(entry) for name, entry in value.items()}
    if origin in (Union, types.UnionType):
        members = [member for member in get_args(annotation) if member is not type(None)]
        if len(members) == 1:
            inner = _rebuild(members[0], discriminator, where)
            if inner is None:
                return None
            return lambda value: None if value is None else inner(value)
        if isinstance(discriminator, str):
            return _by_kind(members, discriminator, where)
    raise UnsupportedField(f"{where}: {annotation!r}")


def _by_kind(members: list[Any], discriminator: str, where: str) -> Rebuild:
    """A union of models told apart by the literal field ``discriminator`` (the rule kinds)."""
    by_tag: dict[Any, tuple[type[BaseModel], Plan]] = {}
    for member in members:
        if not (isinstance(member, type) and issubclass(member, BaseModel)):
            raise UnsupportedField(f"{where}: a tagged union of non-models")
        tag = member.model_fields[discriminator].annotation
        if get_origin(tag) is not Literal:
            raise UnsupportedField(f"{where}: {member.__name__}.{discriminator} is not a literal")
        for value in get_args(tag):
            by_tag[value] = (member, _plan(member))

    def rebuild(value: Any) -> Any:
        model, plan = by_tag[value[discriminator]]
        return _built(model, plan, value)

    return rebuild
