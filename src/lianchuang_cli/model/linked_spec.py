"""Linked indicators (三级联创): an indicator whose value is a figure over the units below.

A township's rubric may say "share of my villages rated 良好 or better"; the figure is computed by
``scoring.linked`` from the graded units one level down (or, for village facts such as the
secretary's education, from every village below). The rule that scores it never knows.
"""

from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from lianchuang_cli.decimals import fmt, round_score
from lianchuang_cli.model.rules import Frozen, Number

Figure = Literal[
    "share_rated",
    "secretary_college_share",
    "wealth_leader_share",
    "collective_income_below",
    "collective_income_at_least",
    "weak_identified",
    "weak_rectified_share",
    "criterion_mean",
    "vetoed_count",
    "organization_share",
    "secretary_trained_share",
    "secretary_pay_share",
    "operating_funds_mean",
    "premises_share",
]
LowerLevel = Literal["village", "township"]

Kind = Literal["share", "count", "points", "mean"]
FIGURE_KINDS: dict[str, Kind] = {
    "share_rated": "share",
    "secretary_college_share": "share",
    "wealth_leader_share": "share",
    "collective_income_below": "count",
    "collective_income_at_least": "count",
    "weak_identified": "count",
    "weak_rectified_share": "share",
    "criterion_mean": "points",
    "vetoed_count": "count",
    "organization_share": "share",
    "secretary_trained_share": "share",
    "secretary_pay_share": "share",
    "operating_funds_mean": "mean",
    "premises_share": "share",
}
KIND_UNITS: dict[str, str] = {"share": "%", "count": "个", "points": "分", "mean": "万元"}
"""The unit a figure of each kind is stated in (the only mean of a profile fact is 运转经费)."""

FACT_FIGURES: dict[str, tuple[str, ...]] = {
    "organization_share": ("organization_set_up", "election_on_time"),
    "secretary_trained_share": ("secretary_trained",),
    "secretary_pay_share": ("secretary_basic_pay", "rural_income_last_year"),
    "operating_funds_mean": ("operating_funds",),
    "premises_share": ("premises_area", "premises_functional"),
}
"""Figures over the optional support facts of the profile (field names they need). Every village
counted must have reported them: one that did not makes the figure uncomputable, never a guess
from the villages that did."""
# Figures read from the village profile (profile:) rather than from graded results.
PROFILE_FIGURES = frozenset(
    {
        "secretary_college_share",
        "wealth_leader_share",
        "collective_income_below",
        "collective_income_at_least",
        "weak_identified",
        "weak_rectified_share",
        *FACT_FIGURES,
    }
)
UNIT_WORDS = {"village": "村", "township": "乡镇"}


class LinkedSpec(Frozen):
    """Which figure over which lower level: ``{figure: share_rated, of: village, rating: 良好}``."""

    figure: Figure
    of: LowerLevel
    rating: Annotated[str, Field(min_length=1)] | None = None
    threshold: Annotated[Number, Field(ge=0)] | None = None
    measure: Literal["count", "share"] = "count"
    criterion: Annotated[str, Field(min_length=1)] | None = None
    multiple: Annotated[Number, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _arguments_fit_the_figure(self) -> Self:
        income = self.figure in ("collective_income_below", "collective_income_at_least")
        if income and self.threshold is None:
            raise ValueError(f"{self.figure} 需要 threshold（万元）")
        if self.figure == "premises_share" and self.threshold is None:
            raise ValueError("premises_share 需要 threshold（党群服务中心面积标准，平方米）")
        if not income and self.figure != "premises_share" and self.threshold is not None:
            raise ValueError(
                f"threshold 只用于集体经营性收入类指标和 premises_share，{self.figure} 不用"
            )
        if self.figure == "secretary_pay_share" and self.multiple is None:
            raise ValueError(
                "secretary_pay_share 需要 multiple（书记基本报酬不低于人均可支配收入的几倍）"
            )
        if self.figure != "secretary_pay_share" and self.multiple is not None:
            raise ValueError(f"multiple 只用于 secretary_pay_share，{self.figure} 不用")
        if self.figure == "criterion_mean" and self.criterion is None:
            raise ValueError("criterion_mean 需要 criterion（下级细则的考评项目 id）")
        if self.figure != "criterion_mean" and self.criterion is not None:
            raise ValueError(f"criterion 只用于 criterion_mean，{self.figure} 不用")
        if self.figure != "share_rated" and self.rating is not None:
            raise ValueError(f"rating 只用于 share_rated，{self.figure} 不用")
        if self.figure in PROFILE_FIGURES and self.of != "village":
            raise ValueError(f"{self.figure} 取自村级材料的 profile，of 应为 village")
        if self.measure == "share" and not income:
            raise ValueError("measure 只用于集体经营性收入类指标")
        return self

    @property
    def kind(self) -> Kind:
        """Whether the figure is a percentage, a number of units or a mean score."""
        if self.figure.startswith("collective_income"):
            return "share" if self.measure == "share" else "count"
        return FIGURE_KINDS[self.figure]

    @property
    def unit(self) -> str:
        """The unit the figure is stated in: %, 个, 分 or 万元."""
        return KIND_UNITS[self.kind]

    def describe(self) -> str:
        """The figure in Chinese, as ``rubric show``, templates and reports name it."""
        units = UNIT_WORDS[self.of]
        limit = fmt(self.threshold) if self.threshold is not None else ""
        share = "比例" if self.measure == "share" else "个数"
        multiple = fmt(self.multiple) if self.multiple is not None else ""
        names: dict[str, str] = {
            "share_rated": f"{units}评为“{self.rating}”及以上的比例"
            if self.rating
            else f"{units}评为最高等级（“五个好”）的比例",
            "secretary_college_share": "村党组织书记大专以上学历的比例",
            "wealth_leader_share": "村“两委”成员中致富带头人的比例",
            "collective_income_below": f"村集体经营性收入低于{limit}万元的村{share}",
            "collective_income_at_least": f"村集体经营性收入{limit}万元以上的村{share}",
            "weak_identified": "排查确定的软弱涣散村党组织个数",
            "weak_rectified_share": "软弱涣散村党组织当年整顿转化的比例",
            "criterion_mean": f"{units}考评项目“{self.criterion}”的平均得分",
            "vetoed_count": f"被一票否决的{units}个数",
            "organization_share": "村党组织按规定设置且按期换届的村比例",
            "secretary_trained_share": "书记年内参加县级集中轮训的村比例",
            "secretary_pay_share": f"书记基本报酬不低于上年度农村居民人均可支配收入{multiple}倍的村比例",
            "operating_funds_mean": "村级组织运转经费村均数",
            "premises_share": f"党群服务中心不小于{limit}平方米且功能齐全的村比例",
        }
        return names[self.figure]


class Unavailable:
    """A linked figure that could not be computed (no units below) and was not declared."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def percent(part: int, whole: int) -> Decimal:
    """A share in percent, exact to two decimals as score sheets show it."""
    return round_score(Decimal(part) * 100 / whole)
