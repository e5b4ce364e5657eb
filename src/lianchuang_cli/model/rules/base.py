"""Shared pieces of the rule kinds: number types, the frozen base model, outcomes, advice wording."""

from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, Self

from msgspec import Struct
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    model_validator,
)

from lianchuang_cli.decimals import ZERO, fmt, out_of_range, round_score, shorten
from lianchuang_cli.model import plain
from lianchuang_cli.model.plain import DECLINED, Reader
from lianchuang_cli.model.rules.cells import COL_VALUE, CellCheck, KindCells


def _reject_bool(value: Any) -> Any:
    # pydantic's lax mode reads true/false as 1/0; a yes/no answer is never a number here.
    if isinstance(value, bool):
        raise ValueError("应填写数字，而不是 true/false")
    return value


def _within_range(value: Decimal) -> Decimal:
    # Checked before any arithmetic: a number like 1e26 would make rounding to cents fail.
    if out_of_range(value):
        raise ValueError(f"“{shorten(str(value))}”超出可处理的范围（绝对值应小于1万亿）")
    return value


MAX_COUNT = 1_000_000
"""Largest count (of meetings, members, events…) accepted; keeps products of counts exact."""

_Ranged = AfterValidator(_within_range)
Number = Annotated[Decimal, BeforeValidator(_reject_bool), Field(allow_inf_nan=False), _Ranged]
Points = Annotated[
    Decimal,
    BeforeValidator(_reject_bool),
    Field(allow_inf_nan=False, gt=0),
    _Ranged,
    Field(decimal_places=2),
]
Score = Annotated[
    Decimal,
    BeforeValidator(_reject_bool),
    Field(allow_inf_nan=False, ge=0),
    _Ranged,
    Field(decimal_places=2),
]
SignedScore = Annotated[
    Decimal,
    BeforeValidator(_reject_bool),
    Field(allow_inf_nan=False),
    _Ranged,
    Field(decimal_places=2),
]
Count = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]
plain_count = plain.whole(0, MAX_COUNT)
"""A ``Count``'s plain reading (``model.plain``)."""


DEFERRED = ConfigDict(defer_build=True)
"""A ``TypeAdapter``'s config: its validator is built on first use, not at import (start-up)."""


class Frozen(BaseModel):
    """Base for every model read from a file: immutable, and unknown keys are errors.

    Validators are built on first use (``defer_build``): ``score`` validates a few evidence
    models and restores its rubric from the rubric cache without validating it
    (``model.restore``), so most models never need one in a run. The modules that declare
    models do without ``from __future__ import annotations``: pydantic then takes each field's
    type as Python evaluated it instead of compiling its text (3% of ``score``'s start-up).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    plain_fields: ClassVar[Mapping[str, Reader] | None] = None
    """How each field's plainly valid value is read without validation (``model.plain``), for
    the models of an evidence file's parts; None: every value is validated."""

    @classmethod
    def read_plain(cls, data: Any) -> Any:
        """``data`` as validation reads it when it is plainly valid, else ``plain.DECLINED``.

        The model is built with ``model_construct`` from the fields' readers (the keys given are
        the fields set, as validation counts them) and its own after-validators run on it.
        """
        readers = cls.plain_fields
        if readers is None or type(data) is not dict or not data.keys() <= readers.keys():
            return DECLINED
        values = {}
        for name, value in data.items():
            read = readers[name](value)
            if read is DECLINED:
                return DECLINED
            values[name] = read
        if not _required(cls) <= values.keys():
            return DECLINED
        model = cls.model_construct(**values)
        try:
            for validator in cls.__pydantic_decorators__.model_validators:
                getattr(model, validator)()
        except ValueError:
            return DECLINED
        return model


@cache  # a pure memo: a model's fields do not change
def _required(model: type[Frozen]) -> frozenset[str]:
    """The fields of ``model`` without a default; checks that its validators can all be run on a
    built model (after-validators only, no field validators)."""
    decorators = model.__pydantic_decorators__
    if decorators.field_validators or any(
        info.info.mode != "after" for info in decorators.model_validators.values()
    ):
        raise TypeError(f"{model.__name__}: only after-validators can run on a plain reading")
    return frozenset(name for name, field in model.model_fields.items() if field.is_required())


class Outcome(Struct, frozen=True):
    """The score one rule gives one evidence value, with the words that justify it.

    ``action`` says what would recover the lost points in the next year ("做到4次"), empty
    at full marks; the scoring step turns it into advice worth points on the total's scale.
    """

    score: Decimal
    found: str
    explanation: str
    action: str


class Ratio(Frozen):
    """A share given as counts, e.g. 5 of the 7 两委 members."""

    part: Count
    whole: Annotated[int, Field(strict=True, gt=0, le=MAX_COUNT)]

    plain_fields: ClassVar[Mapping[str, Reader] | None] = {
        "part": plain_count,
        "whole": plain.whole(1, MAX_COUNT),
    }

    @model_validator(mode="after")
    def _part_within_whole(self) -> Self:
        if self.part > self.whole:
            raise ValueError(f"part（{self.part}）不能大于 whole（{self.whole}）")
        return self


class Judgement(Frozen):
    """An assessor's score within the indicator's range, with the reason written down."""

    score: Score
    reason: str = ""

    plain_fields: ClassVar[Mapping[str, Reader] | None] = {
        "score": plain.score,
        "reason": plain.text,
    }


def action_if_lost(points: Decimal, earned: Decimal, action: str) -> str:
    """The recovering action for an indicator scored below its points, or "" at full marks."""
    return action if earned < points else ""


QuickRead = Literal["as typed", "number", "percentage", "schema"]
"""How the common case of a YAML entry is read without the full check (``model/fast_path``): a
value the kind ``takes_as_typed``, a plain number, a plain number within 0–100, or the schema."""


def scalar_key(value: Any) -> tuple[object, ...] | None:
    """The memo key of a plain value: decimals by their text (2.5 and 2.50 never share)."""
    kind = type(value)
    if kind is Decimal:
        return (kind, str(value))
    if kind is bool or kind is int or kind is str:
        return (kind, value)
    return None


class RuleBase(Frozen):
    """What most rule kinds share: full marks at best, zero at worst, no check beyond the value's type.

    A rule kind overrides only what differs (a tiered rule's best band, a range check, the unit a
    number may carry); ``number_unit`` and ``percent_reference`` are read by the value normaliser.
    ``assessor_grade`` is true for a kind whose value is an assessor's grade: the unit cannot
    change it itself, so the next-rating advice never proposes it.

    Every kind describes itself (tests/test_rule_kinds.py checks each one): its Chinese name
    (``kind_name``), the shape of its value (``value_schema``, narrowed for editors by
    ``narrow_json_schema``), its workbook cells (``cells``) and their validation
    (``cell_checks``), how to fill it in a workbook (``cell_hint``) and in YAML (``value_hint``),
    how its entries are read quickly (``quick_read``), how a plainly valid value is read without
    a validator (``read_value``, ``model.plain``) and how its outcomes are remembered
    (``value_key``). A kind that can score a figure counted from the units below (a linked
    indicator) says so with ``scores_figures`` and turns the figure into its value with
    ``figure_value``; ``compares_previous`` marks the kind that sets it against last year's.
    """

    assessor_grade: ClassVar[bool] = False
    scores_figures: ClassVar[bool] = False
    compares_previous: ClassVar[bool] = False
    kind_name: ClassVar[str]
    """What the kind is called in anything a user reads (``rubric show``, the 评分方式 column)."""
    value_schema: ClassVar[TypeAdapter[Any]]
    cells: ClassVar[KindCells]
    quick_read: ClassVar[QuickRead]

    def value_key(self, value: Any) -> tuple[object, ...] | None:
        """A key equal only for values that score identically, or None: scored without memo."""
        return scalar_key(value)

    def read_value(self, value: Any) -> Any:
        """``value`` as ``value_schema`` gives it when it is plainly valid, read without a
        validator (``model.plain``), else ``plain.DECLINED`` (then the schema validates it)."""
        return DECLINED

    def takes_as_typed(self, value: Any) -> bool:
        """Whether a YAML value is, as it is, the value to score (``quick_read`` "as typed").

        Only for values the schema returns unchanged and ``check_value`` accepts: the fast
        reader then skips both (tests/test_fast_path.py compares it with the full check).
        """
        return False

    def cell_hint(self, points: Decimal) -> str:
        """How to fill the indicator's row of the workbook (the YAML hint, unless it differs)."""
        return str(getattr(self, "value_hint"))  # noqa: B009 - a property or a ClassVar

    def cell_checks(self, points: Decimal) -> tuple[CellCheck, ...]:
        """The template's validation of the answer's cells."""
        raise NotImplementedError(type(self).__name__)

    def narrow_json_schema(self, schema: dict[str, Any], points: Decimal) -> None:
        """Add to the value's JSON Schema what the rule knows beyond the value's type."""

    @property
    def number_unit(self) -> str | None:
        """The unit a number may be written with (``93%``, ``12次``), or None for non-numbers."""
        return None

    @property
    def percent_reference(self) -> Decimal | None:
        """The rule's headline percentage, by which a bare ``0.96`` is recognised as a fraction."""
        return None

    def best(self, points: Decimal) -> Decimal:
        """The highest score this rule can give an indicator worth ``points``."""
        return points

    def worst(self, points: Decimal) -> Decimal:
        """The lowest score this rule can give."""
        return ZERO

    def check_value(self, value: Any, points: Decimal) -> str | None:
        """A Chinese message when a well-typed value is still impossible for this indicator."""
        return None

    def figure_value(
        self, figure: Decimal, part: int | None, whole: int | None, previous: Decimal | None
    ) -> Any:
        """The value this rule scores for a figure counted from the units below.

        ``part``/``whole`` are the counts behind a share and ``previous`` last year's figure.
        Only kinds with ``scores_figures`` are ever linked (the rubric refuses the others).
        """
        raise TypeError(f"“{self.kind_name}”不能由下级单位核算")

    def not_applicable_without_previous(self) -> bool:
        """Whether a comparison with no previous figure is taken out as 缺项."""
        return False


class Bounded(RuleBase):
    """A rule on a measured number, with the range a real value can take (e.g. 0–100 %)."""

    unit: str = ""
    min_value: Number | None = None
    max_value: Number | None = None

    cells: ClassVar[KindCells] = KindCells("rule unit")
    quick_read: ClassVar[QuickRead] = "number"
    scores_figures: ClassVar[bool] = True

    def figure_value(
        self, figure: Decimal, part: int | None, whole: int | None, previous: Decimal | None
    ) -> Any:
        return round_score(figure)

    def read_value(self, value: Any) -> Any:
        return plain.number(value)

    def cell_checks(self, points: Decimal) -> tuple[CellCheck, ...]:
        low, high = self.min_value, self.max_value
        error = "请填写数字"
        if low is not None or high is not None:
            shown = f"{fmt(low) if low is not None else ''}–{fmt(high) if high is not None else ''}"
            error += f"（范围{shown}）"
        return (CellCheck(COL_VALUE, "decimal", error, low, high),)

    def narrow_json_schema(self, schema: dict[str, Any], points: Decimal) -> None:
        if schema.get("type") == "number":
            if self.min_value is not None:
                schema["minimum"] = float(self.min_value)
            if self.max_value is not None:
                schema["maximum"] = float(self.max_value)

    @property
    def number_unit(self) -> str | None:
        """The value may be written with the rule's unit after it: ``93%``, ``10万元``."""
        return self.unit

    @property
    def value_hint(self) -> str:
        parts = [f"单位：{self.unit}"] if self.unit else []
        low, high = self.min_value, self.max_value
        if low is not None and high is not None:
            parts.append(f"范围{fmt(low)}–{fmt(high)}")
        elif low is not None:
            parts.append(f"不小于{fmt(low)}")
        elif high is not None:
            parts.append(f"不大于{fmt(high)}")
        return f"填写数值{'（' + '，'.join(parts) + '）' if parts else ''}"

    @model_validator(mode="after")
    def _range_is_ordered(self) -> Self:
        low, high = self.min_value, self.max_value
        if low is not None and high is not None and low >= high:
            raise ValueError("min_value 应小于 max_value")
        return self

    def check_value(self, value: Any, points: Decimal) -> str | None:
        if self.min_value is not None and value < self.min_value:
            return f"“{fmt(value)}”小于可能的最小值{fmt(self.min_value)}{self.unit}"
        if self.max_value is not None and value > self.max_value:
            return f"“{fmt(value)}”大于可能的最大值{fmt(self.max_value)}{self.unit}"
        return None
