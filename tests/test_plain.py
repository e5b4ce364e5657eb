"""Plain readings (``model.plain``) give what validation gives, or leave the value to it."""

from __future__ import annotations

import random
import types
from decimal import Decimal
from typing import Any, Literal, Union, get_args, get_origin

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from lianchuang_cli.model import plain
from lianchuang_cli.model.evidence_data import Event, IndicatorEntry, Occurrence, UnitInfo, Version
from lianchuang_cli.model.profile import VillageProfile, WeakAndLax
from lianchuang_cli.model.rules import RULE_CLASSES, Breaches, Change, Judgement, Ratio, RuleBase
from lianchuang_cli.model.rules.base import MAX_COUNT
from tests.conftest import EXAMPLES, run_python
from tests.test_restore import assert_same, loaded_rubrics

TEXTS: list[Any] = ["", "村", "A1", "330521101", 7, True, None, Decimal("1"), ["x"]]
WHOLES: list[Any] = [0, 1, 2, 5, 1999, 2000, 2026, 2100, 2101, -1, MAX_COUNT, MAX_COUNT + 1]
WHOLES += [True, False, Decimal("3"), "3", 3.0, None]
NUMBERS: list[Any] = [Decimal(t) for t in ("0", "-0", "2.5", "2.50", "2.505", "2.500", "-1")]
NUMBERS += [Decimal(t) for t in ("99.99", "100", "100.01", "999999999999.99", "1E+12", "1E+2")]
NUMBERS += [Decimal("NaN"), Decimal("Infinity"), 0, 3, 100, 101, -5, 10**12, True, "5", 5.5, None]
FLAGS: list[Any] = [True, False, 0, 1, "true", None]
LISTS: list[Any] = [[], ["a.pdf"], ["a.pdf", "照片.jpg"], [1], "a.pdf", None]
ANYTHING = [*TEXTS, *WHOLES, *NUMBERS, *FLAGS, *LISTS, {"a": 1}]

PLAIN_MODELS = [UnitInfo, Occurrence, Event, IndicatorEntry, WeakAndLax, VillageProfile]
PLAIN_MODELS += [Ratio, Judgement, Breaches, Change]


POOLS: dict[Any, list[Any]] = {str: TEXTS, int: WHOLES, Decimal: NUMBERS, bool: FLAGS}
USUAL: dict[Any, list[Any]] = {
    str: ["村", "A1", "330521101"],
    int: [0, 1, 2, 5, 2026],
    Decimal: [Decimal("0"), Decimal("2.5"), Decimal("2.50"), 3, 100],
    bool: [True, False],
}
"""Values of each type that validation usually takes, drawn most of the time so that whole
mappings are often plainly valid."""


def sample(annotation: Any, rng: random.Random) -> Any:
    """A value for a field typed ``annotation``: often one validation takes, often not."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return sample(rng.choice(get_args(annotation)), rng)
    if origin is not None and origin is not Literal and hasattr(annotation, "__metadata__"):
        return sample(get_args(annotation)[0], rng)
    usual = rng.random() < 0.8
    if origin is Literal:
        return rng.choice([*get_args(annotation), *([] if usual else ["博士", "", 1, None])])
    if origin is list:
        return rng.choice(LISTS[:2] if usual else LISTS)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return mapping(annotation, rng)
    pools = USUAL if usual and annotation in USUAL else POOLS
    return rng.choice(pools.get(annotation, ANYTHING))


def mapping(model: type[BaseModel], rng: random.Random) -> dict[str, Any]:
    """A mapping for ``model``: most fields, now and then one left out or one too many."""
    data = {}
    for name, field in model.model_fields.items():
        if rng.random() < (0.97 if field.is_required() else 0.7):
            data[name] = sample(field.annotation, rng)
    if rng.random() < 0.05:
        data["extra"] = "x"
    return data


def compare(read: Any, schema: TypeAdapter[Any], value: Any) -> bool:
    """Whether the plain reading took ``value`` (then validation gives the very same)."""
    found = read(value)
    try:
        validated = schema.validate_python(value)
    except ValidationError:
        assert found is plain.DECLINED, value
        return False
    if found is plain.DECLINED:
        return False
    assert_same(found, validated, repr(value))
    return True


@pytest.mark.parametrize("model", PLAIN_MODELS, ids=lambda m: m.__name__)
def test_a_plain_reading_is_the_validation(model: type[Any]) -> None:
    """For generated mappings, ``read_plain`` gives exactly what validation gives (types and
    fields set included), or declines; it declines every mapping validation refuses."""
    rng = random.Random(model.__name__)
    schema = TypeAdapter(model)
    taken = sum(compare(model.read_plain, schema, mapping(model, rng)) for _ in range(1500))
    assert taken >= 30  # the readings are exercised, not only declined


def test_a_plain_version_is_the_validation() -> None:
    schema = TypeAdapter(Version)
    taken = sum(compare(plain.filled_code, schema, value) for value in ANYTHING)
    assert taken >= 5


def test_each_rule_kind_reads_its_plain_values_as_its_schema() -> None:
    """Every kind's ``read_value`` agrees with its ``value_schema`` (generated numbers, flags,
    words and mappings), and reads some values itself."""
    rules: dict[type[RuleBase], RuleBase] = {}
    for _, rubric in loaded_rubrics():
        for _, indicator in rubric.indicators():
            rules.setdefault(type(indicator.rule), indicator.rule)
    assert set(rules) == set(RULE_CLASSES)
    rng = random.Random(7)
    for kind, rule in rules.items():
        values = [*ANYTHING, "研究生", "本科", "大专"]
        values += [mapping(model, rng) for model in (Ratio, Judgement, Breaches, Change) * 200]
        taken = sum(compare(rule.read_value, kind.value_schema, value) for value in values)
        assert taken >= 2, kind.__name__


def test_a_plain_file_builds_no_validator() -> None:
    """``score`` on plainly written files (one with self scores and 缺项, one with a profile)
    builds no pydantic validator, so pydantic's plugin loader is never imported either."""
    examples = [
        EXAMPLES / "village" / "shiqiao_good.yaml",
        EXAMPLES / "village" / "qingshan_not_applicable.yaml",
        EXAMPLES / "county-demo" / "taoyuan" / "liuxi.yaml",
    ]
    code = (
        "import sys\n"
        "from lianchuang_cli.entry import run\n"
        f"for example in {[str(path) for path in examples]!r}:\n"
        "    sys.argv = ['lianchuang', 'score', example]\n"
        "    try:\n"
        "        run()\n"
        "    except SystemExit:\n"
        "        pass\n"
    )
    run_python(code)  # fills the rubric cache, as a user's first run
    loader = "assert 'pydantic.plugin._loader' not in sys.modules, 'a validator was built'\n"
    run_python(code + loader)
