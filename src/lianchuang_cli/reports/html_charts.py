"""Bar charts for the printable report, as plain geometry that a template draws as inline SVG.

No script and no font is fetched: the page prints the same offline. Sizes are in SVG user units;
the template scales the chart to the page width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from lianchuang_cli.decimals import fmt
from lianchuang_cli.scoring.summary import BatchSummary

WIDTH = 680
LABEL_WIDTH = 170
VALUE_WIDTH = 110
BAR_HEIGHT = 18
GAP = 8
TOP = 6
MOST_UNITS_CHARTED = 40
"""A ranking chart with more units than this shows the score distribution instead."""


@dataclass(frozen=True, slots=True)
class Bar:
    """One labelled bar: its place, length, the figure written after it, and its colour class."""

    label: str
    value_text: str
    y: float
    length: float
    css: str


@dataclass(frozen=True, slots=True)
class BarChart:
    """A horizontal bar chart: title, bars, overall size, and where the bars start."""

    title: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    bar_x: int
    bar_height: int
    value_x_gap: int
    note: str = ""

    @property
    def bar_area(self) -> int:
        """Room for the longest bar."""
        return self.width - self.bar_x - VALUE_WIDTH


def bar_chart(
    title: str,
    items: Sequence[tuple[str, Decimal, str, str]],
    *,
    maximum: Decimal,
    note: str = "",
) -> BarChart:
    """Bars for ``(label, value, value text, css class)`` items, scaled to ``maximum``."""
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, (label, value, text, css) in enumerate(items):
        share = value / maximum if maximum > 0 else Decimal(0)
        length = float(max(Decimal(0), min(Decimal(1), share)) * area)
        bars.append(Bar(label, text, TOP + index * (BAR_HEIGHT + GAP), length, css))
    height = TOP * 2 + len(bars) * (BAR_HEIGHT + GAP)
    return BarChart(title, tuple(bars), WIDTH, height, LABEL_WIDTH, BAR_HEIGHT, 6, note)


def rating_class(rating: str, ratings: Sequence[str], vetoed: bool = False) -> str:
    """A colour class for a rating: best, lowest (or vetoed), or in between."""
    if vetoed or (ratings and rating == ratings[-1]):
        return "bad"
    if ratings and rating == ratings[0]:
        return "good"
    return "mid"


def rating_distribution(summary: BatchSummary) -> BarChart:
    """How many units got each rating."""
    ratings = summary.rubric.ratings if summary.rubric else ()
    most = max((c.count for c in summary.ratings), default=0)
    items = [
        (
            c.rating,
            Decimal(c.count),
            f"{c.count}个 · {fmt(c.percent)}%",
            rating_class(c.rating, ratings),
        )
        for c in summary.ratings
    ]
    return bar_chart("等级分布", items, maximum=Decimal(most))


def criterion_averages(summary: BatchSummary) -> BarChart:
    """Each criterion's mean score as a share of its points."""
    items = [
        (
            c.name,
            c.mean / c.max_score if c.max_score else Decimal(0),
            f"{fmt(c.mean)} / {fmt(c.max_score)}",
            "mid",
        )
        for c in summary.criteria
    ]
    return bar_chart("各考评项目平均分（占该项分值）", items, maximum=Decimal(1))


def score_bands(scores: Sequence[Decimal]) -> list[tuple[int, int]]:
    """How many scores fall in each 10-point band, highest band first, empty bands included
    (a histogram that skips them reads 80–90 next to 50–60 as neighbours)."""
    counts: dict[int, int] = {}
    for score in scores:
        band = int(score // 10) * 10
        counts[band] = counts.get(band, 0) + 1
    if not counts:
        return []
    return [(band, counts.get(band, 0)) for band in range(max(counts), min(counts) - 1, -10)]


def ranking_chart(summary: BatchSummary) -> BarChart:
    """Each unit's total in rank order; for large batches, how many units fall in each band."""
    ratings = summary.rubric.ratings if summary.rubric else ()
    ranking = summary.ranking
    if len(ranking) <= MOST_UNITS_CHARTED:
        top = max((r.row.score for r in ranking), default=Decimal(0))
        items = [
            (
                f"{r.placement.rank}. {r.row.unit_name}",
                r.row.score,
                f"{fmt(r.row.score)} {r.placement.rating}",
                rating_class(r.placement.rating, ratings, r.row.vetoed),
            )
            for r in ranking
        ]
        return bar_chart("排名（总分）", items, maximum=max(top, Decimal(100)))
    bands = score_bands([ranked.row.score for ranked in ranking])
    most = max((count for _, count in bands), default=0)
    items = [
        (f"{band}–{band + 10}分", Decimal(count), f"{count}个", "mid") for band, count in bands
    ]
    note = f"参评单位{len(ranking)}个，按总分每10分一档统计；各单位名次见下表。"
    return bar_chart("总分分布", items, maximum=Decimal(most), note=note)
