"""Result objects built by ``scoring.building`` are the ones their classes build."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable
from decimal import Decimal

import pytest

from lianchuang_cli import results
from lianchuang_cli.scoring.building import builder

RESULT_CLASSES = [
    cls
    for cls in vars(results).values()
    if isinstance(cls, type)
    and dataclasses.is_dataclass(cls)
    and cls.__module__ == results.__name__
]


def _sample(cls: type, *, all_fields: bool) -> dict[str, object]:
    values: dict[str, object] = {}
    for number, field in enumerate(dataclasses.fields(cls)):
        if not all_fields and field.default is not dataclasses.MISSING:
            continue
        values[field.name] = (f"{field.name}{number}", Decimal(number).scaleb(-2), number)
    return values


@pytest.mark.parametrize("cls", RESULT_CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("all_fields", [True, False])
def test_built_objects_are_the_class_own(cls: type, all_fields: bool) -> None:
    values = _sample(cls, all_fields=all_fields)
    build: Callable[..., object] = builder(cls)
    expected = cls(**values)
    for made in (build(**values), build(*values.values())):
        assert type(made) is cls
        assert made == expected
        assert repr(made) == repr(expected)
        assert hash(made) == hash(expected)
        assert pickle.dumps(made) == pickle.dumps(expected)
        assert pickle.loads(pickle.dumps(made)) == expected
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.__setattr__(next(iter(values)), None)


def test_the_hot_result_classes_get_a_faster_builder() -> None:
    for cls in (results.IndicatorResult, results.Gap, results.CriterionResult, results.UnitResult):
        assert builder(cls) is not cls
    assert builder(results.UnitResult) is builder(results.UnitResult)


def test_classes_the_trick_does_not_fit_build_themselves() -> None:
    @dataclasses.dataclass(slots=True)
    class Mutable:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            if self.a < 0:
                raise ValueError("negative")

    @dataclasses.dataclass(frozen=True)
    class Unslotted:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Listed:
        a: list[int] = dataclasses.field(default_factory=list)

    for cls in (Mutable, Checked, Unslotted, Listed):
        assert builder(cls) is cls
    with pytest.raises(ValueError, match="negative"):
        builder(Checked)(-1)
