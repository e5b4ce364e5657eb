"""The village profile (村情基本信息): facts the township and county figures are computed from.

These are read from the village's own file, never guessed from its indicator values: a secretary's
education is one fact whatever the village rubric scores for it, and the 致富带头人 count or the
软弱涣散 status are not indicators of the village rubric at all.

The support facts (保障和组织情况: premises, the secretary's pay and training, 运转经费, 设置和换届)
were added later and are optional: a village that leaves one out is not guessed at; a county
figure that needs it cannot be computed (``scoring.linked``) and grade-tree reports the village.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, ClassVar, Literal, NamedTuple, Self, get_args

from pydantic import Field, model_validator

from lianchuang_cli.model import plain
from lianchuang_cli.model.field_labels import FIELD_LABELS
from lianchuang_cli.model.rules import Frozen, Number
from lianchuang_cli.model.rules.base import MAX_COUNT

SAME_FACTS: dict[str, tuple[str, str, str]] = {
    "collective_operating_income": ("collective_income", "村集体经营性收入", "万元"),
}
"""Profile fields that a village indicator also reports (field → indicator id, name, unit): one
fact typed twice, so the two entries must agree (the township and county count the profile)."""


class Fact(NamedTuple):
    """A profile field as people read it: its Chinese name and unit ("" for a yes/no)."""

    name: str
    unit: str = ""


SUPPORT_FACTS: dict[str, Fact] = {
    field: Fact(FIELD_LABELS[field], unit)
    for field, unit in (
        ("organization_set_up", ""),
        ("election_on_time", ""),
        ("secretary_trained", ""),
        ("secretary_basic_pay", "元"),
        ("rural_income_last_year", "元"),
        ("operating_funds", "万元"),
        ("premises_area", "平方米"),
        ("premises_functional", ""),
    )
}
"""Optional profile facts the county's 保障有力 and 设置换届 figures are computed from (unit ""
for a yes/no), in the order templates show them."""

Education = Literal["研究生", "本科", "大专", "高中", "初中及以下"]
COLLEGE_OR_ABOVE: frozenset[str] = frozenset({"研究生", "本科", "大专"})


class WeakAndLax(Frozen):
    """软弱涣散村党组织: identified in this year's 排查, and whether rectified (整顿转化) in the year."""

    identified: Annotated[bool, Field(strict=True)]
    rectified: Annotated[bool, Field(strict=True)] = False

    plain_fields: ClassVar[Mapping[str, plain.Reader] | None] = {
        "identified": plain.flag,
        "rectified": plain.flag,
    }

    @model_validator(mode="after")
    def _rectified_only_if_identified(self) -> Self:
        if self.rectified and not self.identified:
            raise ValueError("未被确定为软弱涣散的村不填 rectified: true（identified 应为 true）")
        return self


class VillageProfile(Frozen):
    """``profile:`` in a village evidence file."""

    secretary_education: Education
    committee_size: Annotated[int, Field(strict=True, gt=0, le=MAX_COUNT)]
    wealth_leaders: Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]
    collective_operating_income: Annotated[Number, Field(ge=0)]
    # Built without validation: validating would build WeakAndLax's validator at import.
    weak_and_lax: WeakAndLax = WeakAndLax.model_construct(identified=False)
    organization_set_up: Annotated[bool, Field(strict=True)] | None = None
    election_on_time: Annotated[bool, Field(strict=True)] | None = None
    secretary_trained: Annotated[bool, Field(strict=True)] | None = None
    secretary_basic_pay: Annotated[Number, Field(ge=0)] | None = None
    rural_income_last_year: Annotated[Number, Field(gt=0)] | None = None
    operating_funds: Annotated[Number, Field(ge=0)] | None = None
    premises_area: Annotated[Number, Field(ge=0)] | None = None
    premises_functional: Annotated[bool, Field(strict=True)] | None = None

    plain_fields: ClassVar[Mapping[str, plain.Reader] | None] = {
        "secretary_education": plain.one_of(*get_args(Education)),
        "committee_size": plain.whole(1, MAX_COUNT),
        "wealth_leaders": plain.whole(0, MAX_COUNT),
        "collective_operating_income": plain.at_least_zero,
        "weak_and_lax": WeakAndLax.read_plain,
        "organization_set_up": plain.optional(plain.flag),
        "election_on_time": plain.optional(plain.flag),
        "secretary_trained": plain.optional(plain.flag),
        "secretary_basic_pay": plain.optional(plain.at_least_zero),
        "rural_income_last_year": plain.optional(plain.above_zero),
        "operating_funds": plain.optional(plain.at_least_zero),
        "premises_area": plain.optional(plain.at_least_zero),
        "premises_functional": plain.optional(plain.flag),
    }

    @model_validator(mode="after")
    def _leaders_within_committee(self) -> Self:
        if self.wealth_leaders > self.committee_size:
            raise ValueError(
                f"致富带头人（wealth_leaders: {self.wealth_leaders}）不能多于"
                f"两委成员总数（committee_size: {self.committee_size}）"
            )
        return self

    @property
    def secretary_college(self) -> bool:
        """Whether the secretary has 大专 or higher education."""
        return self.secretary_education in COLLEGE_OR_ABOVE

    def missing(self, fields: tuple[str, ...]) -> tuple[str, ...]:
        """Those of ``fields`` this village left out."""
        return tuple(f for f in fields if getattr(self, f) is None)

    @property
    def income(self) -> Decimal:
        """Collective operating income in 万元."""
        return self.collective_operating_income
