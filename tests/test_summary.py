"""The pure batch summary: tie rule, quotas, statistics and 共性问题."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from msgspec.structs import replace

from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.scoring.quotas import QuotaError, check_quotas, quota_cap
from lianchuang_cli.scoring.results import UnitResult
from lianchuang_cli.scoring.summary import BatchSummary, SummaryBuilder
from tests.conftest import EXAMPLES

D = Decimal
EXCELLENT = EXAMPLES / "village" / "taoyuan_excellent.yaml"
FAILING = EXAMPLES / "village" / "baishui_failing.yaml"
VETOED = EXAMPLES / "village" / "hexi_vetoed.yaml"


def graded(path: Path) -> UnitResult:
    """Grade a shipped example."""
    outcome = grade_file(path)
    assert isinstance(outcome, UnitResult)
    return outcome


def summarise(results: list[UnitResult], quotas: dict[str, Decimal] | None = None) -> BatchSummary:
    """The summary of ``results`` in this input order."""
    builder = SummaryBuilder()
    for index, result in enumerate(results):
        builder.add(index, result)
    return builder.finish(files=len(results), invalid=0, skipped=0, quotas=quotas or {})


def unit(code: str, score: str, base: str | None = None, rating: str = "优秀") -> UnitResult:
    """The excellent example renamed and re-scored (ranking only reads these fields)."""
    return replace(
        graded(EXCELLENT),
        unit_code=code,
        unit_name=f"村{code}",
        file=f"{code}.yaml",
        score=D(score),
        base_score=D(base or score),
        rating=rating,
    )


def test_ties_follow_the_stated_rule() -> None:
    """Equal totals: higher base score first, then unit code; vetoed units come last."""
    vetoed = replace(graded(VETOED), score=D(100))
    results = [unit("03", "90"), vetoed, unit("02", "90", "89"), unit("01", "90"), unit("04", "95")]
    summary = summarise(results)
    order = [ranked.row.unit_code for ranked in summary.ranking]
    assert order == ["04", "01", "03", "02", vetoed.unit_code]
    assert [ranked.placement.rank for ranked in summary.ranking] == [1, 2, 3, 4, 5]
    assert summary.ranking[-1].placement.status == "vetoed"
    assert "单位代码" in summary.tie_rule


def test_quota_moves_the_lowest_ranked_down_and_says_why() -> None:
    """优秀 ≤ 40% of five units: two keep it, the others drop to 良好 with the reason."""
    results = [unit(f"0{i}", str(95 - i)) for i in range(5)]
    summary = summarise(results, {"优秀": D(40)})
    ratings = [ranked.placement.rating for ranked in summary.ranking]
    assert ratings == ["优秀", "优秀", "良好", "良好", "良好"]
    note = summary.ranking[2].placement.quota_note
    assert "“优秀”名额为参评单位的40%（2个）已满" in note
    assert "顺延为“良好”" in note
    assert summary.ranking[0].placement.quota_note == ""
    [outcome] = summary.quotas
    assert (outcome.cap, outcome.demoted) == (2, 3)
    assert [c.count for c in summary.ratings] == [2, 3, 0, 0]


def test_quotas_cascade() -> None:
    """A unit pushed into a capped band can be pushed on again."""
    results = [unit(f"0{i}", str(95 - i)) for i in range(4)]
    summary = summarise(results, {"优秀": D(25), "良好": D(25)})
    assert [r.placement.rating for r in summary.ranking] == ["优秀", "良好", "合格", "合格"]


@pytest.mark.parametrize(
    ("quotas", "message"),
    [({"五星": D(10)}, "不是细则中的等级"), ({"不合格": D(10)}, "无处顺延")],
)
def test_quota_errors(quotas: dict[str, Decimal], message: str) -> None:
    """A quota must name a rating above the lowest."""
    with pytest.raises(QuotaError, match=message):
        check_quotas(quotas, ("优秀", "良好", "合格", "不合格"))


@pytest.mark.parametrize(
    ("percent", "units", "cap"), [("10", 9, 0), ("10", 10, 1), ("12.5", 16, 2)]
)
def test_quota_cap_rounds_down(percent: str, units: int, cap: int) -> None:
    """The cap never lets the share exceed the quota."""
    assert quota_cap(D(percent), units) == cap


def test_statistics_and_common_problems() -> None:
    """Mean, median, extremes, criterion means and the indicators losing most points."""
    results = [graded(EXCELLENT), graded(FAILING), graded(VETOED)]
    summary = summarise(results)
    assert summary.stats is not None
    scores = sorted(r.score for r in results)
    assert summary.stats.median == scores[1]
    assert (summary.stats.minimum, summary.stats.maximum) == (scores[0], scores[-1])
    assert summary.stats.mean == (sum(scores, D(0)) / 3).quantize(D("0.01"))
    first = summary.criteria[0]
    assert first.mean == (sum((r.criteria[0].score for r in results), D(0)) / 3).quantize(D("0.01"))
    top = summary.common_problems[0]
    lost = [i.lost for r in results for i in r.indicators if i.id == top.id]
    assert top.lost == sum(lost, D(0))
    assert top.units == sum(1 for x in lost if x > 0)
    assert [p.lost for p in summary.common_problems] == sorted(
        (p.lost for p in summary.common_problems), reverse=True
    )
    assert summary.vetoed == 1
    assert sum(c.count for c in summary.ratings) == 3


def test_empty_batch() -> None:
    """No graded unit: no statistics, no ranking, no division by zero."""
    summary = summarise([])
    assert summary.stats is None
    assert list(summary.ranking) == []
    assert summary.ratings == ()


def test_rows_kept_in_a_file_read_back_as_in_memory(tmp_path: Path) -> None:
    """A batch's rows spooled to a file come back, in rank and in input order, as kept in memory;
    placements by input index agree with the ranking; quota notes survive the compact form."""
    from lianchuang_cli.scoring.row_store import RowStore

    results = [unit(f"0{i}", str(90 + i % 3)) for i in range(7)] + [graded(VETOED)]
    quotas = {"优秀": D(25), "良好": D(25)}
    in_memory = summarise(results, quotas)
    with (tmp_path / "rows").open("w+b") as file:
        builder = SummaryBuilder(RowStore(file))
        for index, result in enumerate(results):
            builder.add(index * 2, result)  # input indexes with gaps, as when files fail
        spooled = builder.finish(files=16, invalid=8, skipped=0, quotas=quotas)
        ranking = list(spooled.ranking)
        assert [r.row.unit_code for r in ranking] == [r.row.unit_code for r in in_memory.ranking]
        assert [r.placement for r in ranking] == [r.placement for r in in_memory.ranking]
        assert [r.row.index for r in spooled.ranking.in_input_order()] == list(range(0, 16, 2))
        for ranked in ranking:
            assert spooled.placements[ranked.row.index] == ranked.placement
        assert 1 not in spooled.placements
        assert spooled.ranking[-1].row.vetoed
        assert spooled.vetoed_ranking() == ranking[-1:]
        cascaded = [
            r.placement.quota_note for r in ranking if r.placement.quota_note.count("；") == 2
        ]
        assert cascaded, "a unit pushed down twice says both steps"


def test_units_tied_across_a_quota_cut_off_are_reported_not_settled_by_code() -> None:
    """杏花村's case: equal total and base score at the 优秀 cut-off: both keep 优秀, marked 并列."""
    results = [unit("02", "101.25"), unit("01", "101.25"), unit("03", "96"), unit("04", "90")]
    summary = summarise(results, {"优秀": D(25)})  # one place for four units
    ratings = {r.row.unit_code: r.placement.rating for r in summary.ranking}
    assert ratings == {"01": "优秀", "02": "优秀", "03": "良好", "04": "良好"}
    tied = [r for r in summary.ranking if r.placement.tied]
    assert [r.row.unit_code for r in tied] == ["01", "02"]
    assert all("并列：2个单位总分、基础分相同" in r.placement.quota_note for r in tied)
    assert all("考评领导小组研究确定" in r.placement.quota_note for r in tied)
    [outcome] = summary.quotas
    assert (outcome.cap, outcome.demoted, outcome.tied) == (1, 2, 1)
    # A different base score is no tie: the stated ranking rule decides.
    apart = summarise([unit("02", "101.25", "100"), unit("01", "101.25", "99")], {"优秀": D(50)})
    assert [r.placement.rating for r in apart.ranking] == ["优秀", "良好"]
    assert not any(r.placement.tied for r in apart.ranking)


def test_quota_ties_rule_named_by_the_rubric() -> None:
    """``keep_all`` keeps every tied unit and says so."""
    builder = SummaryBuilder()
    for index, result in enumerate([unit("02", "99"), unit("01", "99"), unit("03", "99")]):
        builder.add(index, result)
    summary = builder.finish(
        files=3, invalid=0, skipped=0, quotas={"优秀": D(50)}, quota_ties="keep_all"
    )
    assert [r.placement.rating for r in summary.ranking] == ["优秀"] * 3
    assert "并列者均保留该等级" in summary.ranking[2].placement.quota_note
    assert "quota_ties: keep_all" in summary.quota_rule
