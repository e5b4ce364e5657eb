"""Village facts the county counts (issue 14 item 6): entered once in the village profile, computed
for the county, and compared where the county file still declares them."""

from __future__ import annotations

import io
import itertools
import json
import shutil
from decimal import Decimal
from pathlib import Path

import jsonschema
import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from pydantic import ValidationError

from lianchuang_cli.commands.cli import main
from lianchuang_cli.forms import xlsx_layout as layout
from lianchuang_cli.grading.pipeline import load_evidence
from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.model.linked_spec import LinkedSpec
from lianchuang_cli.model.profile import SUPPORT_FACTS, VillageProfile
from lianchuang_cli.model.rubric import resolve_rubric
from lianchuang_cli.reading.yaml_reader import read_yaml
from lianchuang_cli.reports.evidence_schema import evidence_schema
from lianchuang_cli.reports.template import render_template
from lianchuang_cli.reports.xlsx_template import render_workbook
from lianchuang_cli.scoring.results import IndicatorResult, UnitResult
from lianchuang_cli.tree.grade import grade_tree
from lianchuang_cli.tree.tree_result import TreeResult
from tests.test_tree import DEMO, edit
from tests.xlsx_fill import fill_from_yaml

FACT_INDICATORS = ("organization_setup", "secretary_training", "village_funding", "cadre_pay")


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """A writable copy of the demo county."""
    return Path(shutil.copytree(DEMO, tmp_path / "青山县"))


def declare(county: Path, entry: str) -> int:
    """Write ``entry`` (an indicator of the county file) back in; return its value's line."""
    anchor = "  # premises（村级活动场所）：由下级核算\n"
    return edit(county / "county.yaml", anchor, anchor + entry) + 2


def line_of(path: Path, text: str) -> int:
    """The 1-based line where ``text`` starts."""
    content = path.read_text(encoding="utf-8")
    return content[: content.index(text)].count("\n") + 1


def indicator(result: UnitResult | None, indicator_id: str) -> IndicatorResult:
    """One indicator's result."""
    assert result is not None
    return next(r for r in result.indicators if r.id == indicator_id)


def errors(tree: TreeResult, code: str) -> list[tuple[str, int]]:
    """(file name, line) of each error with ``code``."""
    return [(Path(p.file).name, p.line) for p in tree.errors if p.code == code]


def test_zhukeng_premises_are_counted_from_its_own_file() -> None:
    """The county typed 12 of 13 villages with adequate premises; 竹坑村 and 白水坑村 both say
    40平方米、功能不全, so the figure computed from the villages is 11 of 13 and names them."""
    tree = grade_tree(DEMO)
    assert not tree.errors
    premises = indicator(tree.county, "premises")
    provenance = premises.provenance
    assert provenance is not None
    assert provenance.source == "computed"
    assert (provenance.part, provenance.whole) == (11, 13)
    assert len(provenance.files) == 13
    assert "竹坑村党支部（40平方米、功能不全）" in provenance.description
    assert "白水坑村党支部（40平方米、功能不全）" in provenance.description
    assert premises.score == Decimal("0.46")  # 2 − 15.38 points × 0.1
    for indicator_id in FACT_INDICATORS:
        assert indicator(tree.county, indicator_id).provenance.source == "computed"  # type: ignore[union-attr]


def test_a_county_file_still_declaring_the_number_is_an_error_at_both_places(
    county: Path,
) -> None:
    """The 2026.2 demo's own premises line, 12/13, against 11/13 from the villages: an error at the
    county value and at the two villages counted short (the county thought one of them fine)."""
    line = declare(county, "  premises:\n    value: {part: 12, whole: 13}\n")
    tree = grade_tree(county)
    area = line_of(county / "yunling" / "zhukeng.yaml", "  premises_area:")
    assert errors(tree, "tree-fact-mismatch") == [
        ("county.yaml", line),
        ("baishuikeng.yaml", line_of(county / "yunling" / "baishuikeng.yaml", "  premises_area:")),
        ("zhukeng.yaml", area),
    ]
    county_error = next(p for p in tree.errors if p.file.endswith("county.yaml"))
    assert "青山县委填报12/13，而据各村材料的村情基本信息核算为11/13" in county_error.message
    village_error = next(p for p in tree.errors if p.file.endswith("zhukeng.yaml"))
    assert "本村 党群服务中心40平方米、功能不全，计为未达到" in village_error.message
    premises = indicator(tree.county, "premises")
    assert premises.provenance is not None
    assert premises.provenance.source == "computed"  # scored on the villages' count
    assert premises.provenance.declared == "12/13"


def test_a_declared_number_that_agrees_is_no_error(county: Path) -> None:
    """Declared 11/13, the villages' count: listed beside it, nothing reported."""
    declare(county, "  premises:\n    value: {part: 11, whole: 13}\n")
    tree = grade_tree(county)
    assert not tree.errors
    assert indicator(tree.county, "premises").provenance.declared == "11/13"  # type: ignore[union-attr]


def test_a_declared_mean_that_differs_points_at_every_village(county: Path) -> None:
    """运转经费 is a mean of all 13 villages: each of them is a place to check."""
    line = declare(county, "  village_funding:\n    value: 9.5\n")
    tree = grade_tree(county)
    found = errors(tree, "tree-fact-mismatch")
    assert found[0] == ("county.yaml", line)
    assert len(found) == 14
    assert "核算为8.6" in tree.errors[0].message or any(
        "核算为8.6" in p.message for p in tree.errors
    )


def test_a_declared_share_lower_than_the_villages_points_at_those_that_meet_it(
    county: Path,
) -> None:
    """The county says 9 of 13 secretaries were paid twice the income; the villages say 12: the
    12 that report enough pay are where the two disagree."""
    declare(county, "  cadre_pay:\n    value: {part: 9, whole: 13}\n")
    tree = grade_tree(county)
    villages = [name for name, _ in errors(tree, "tree-fact-mismatch") if name != "county.yaml"]
    assert len(villages) == 12
    assert "zhukeng.yaml" not in villages


def test_a_village_paying_below_twice_the_income_is_counted_short(county: Path) -> None:
    """桃源村's secretary at 40000元 against 2 × 21680元: one more village below the line."""
    edit(
        county / "taoyuan" / "taoyuan.yaml",
        "secretary_basic_pay: 62000",
        "secretary_basic_pay: 40000",
    )
    tree = grade_tree(county)
    pay = indicator(tree.county, "cadre_pay")
    assert pay.provenance is not None
    assert (pay.provenance.part, pay.provenance.whole) == (11, 13)
    assert "桃源村党总支（40000元，低于43360元）" in pay.provenance.description
    assert pay.score == Decimal("1.46")  # 3 − 15.38 × 0.1


def test_pay_exactly_at_the_line_meets_it(county: Path) -> None:
    """不低于2倍: 43360元 against 21680元 counts as meeting."""
    edit(
        county / "yunling" / "zhukeng.yaml",
        "secretary_basic_pay: 36000",
        "secretary_basic_pay: 43360",
    )
    pay = indicator(grade_tree(county).county, "cadre_pay")
    assert pay.provenance is not None
    assert (pay.provenance.part, pay.provenance.whole) == (13, 13)


def test_a_village_lowering_its_own_pay_line_is_an_error(county: Path) -> None:
    """竹坑村 types its own village's income (17000元) as the reference: 36000元 would pass 2×.
    The reference is one published figure; the village typing another is told where."""
    path = county / "yunling" / "zhukeng.yaml"
    edit(path, "rural_income_last_year: 21680", "rural_income_last_year: 17000")
    tree = grade_tree(county)
    line = line_of(path, "  rural_income_last_year:")
    assert errors(tree, "tree-fact-mismatch") == [("zhukeng.yaml", line)]
    assert "21680元（12个村）、17000元（1个村）" in tree.errors[0].message


def test_a_village_missing_a_fact_makes_the_figure_an_error_not_a_guess(county: Path) -> None:
    """高坪村 leaves out its premises area: the county figure is not computed from the other 12
    (nor taken from the county's own line); 无法核算, and the village is told where to fill it."""
    path = county / "yunling" / "gaoping.yaml"
    edit(path, "  premises_area: 230\n", "")
    line = line_of(path, "profile:")
    declare(county, "  premises:\n    value: {part: 12, whole: 13}\n")
    tree = grade_tree(county)
    assert errors(tree, "tree-fact-missing") == [("gaoping.yaml", line)]
    assert not errors(tree, "tree-fact-mismatch")
    message = tree.errors[0].message
    assert "未填写 profile.premises_area（党群服务中心面积，平方米）" in message
    assert "不按其他村推算" in message
    premises = indicator(tree.county, "premises")
    assert premises.score == 0
    assert premises.found == "无法核算"
    assert premises.provenance is not None
    assert premises.provenance.source == "unavailable"
    assert "1个村未填报" in premises.explanation
    # the other figures still count every village
    assert indicator(tree.county, "cadre_pay").provenance.whole == 13  # type: ignore[union-attr]


def test_a_village_without_profile_fails_every_fact_figure(county: Path) -> None:
    """No profile at all: each of the five figures is uncomputable and reported at the village."""
    path = county / "taoyuan" / "nantang.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("profile:\n"), text.index("indicators:\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    tree = grade_tree(county)
    assert [name for name, _ in errors(tree, "tree-fact-missing")] == ["nantang.yaml"] * 5
    for indicator_id in (*FACT_INDICATORS, "premises"):
        assert indicator(tree.county, indicator_id).found == "无法核算"


def test_grade_tree_exits_2_and_every_format_says_where_the_figure_came_from(
    county: Path,
) -> None:
    """Table and JSON carry the villages counted and those short; a disagreement exits 2."""
    runner = CliRunner()
    clean = runner.invoke(main, ["grade-tree", str(county), "--format", "json"])
    assert clean.exit_code == 0, clean.stderr
    figure = next(
        f for f in json.loads(clean.stdout)["results"][0]["linked"] if f["indicator"] == "premises"
    )
    assert (figure["figure"], figure["part"], figure["whole"]) == ("premises_share", 11, 13)
    assert len(figure["files"]) == 13
    assert "竹坑村党支部（40平方米、功能不全）" in figure["description"]
    html = runner.invoke(main, ["grade-tree", str(county), "--format", "html"])
    assert "竹坑村党支部（40平方米、功能不全）" in html.stdout
    declare(county, "  premises:\n    value: {part: 12, whole: 13}\n")
    table = runner.invoke(main, ["grade-tree", str(county)])
    assert table.exit_code == 2
    assert "county.yaml:" in table.stderr
    area = line_of(county / "yunling" / "zhukeng.yaml", "  premises_area:")
    assert f"zhukeng.yaml:{area}:" in table.stderr


def test_support_facts_are_optional_and_checked_when_given() -> None:
    """A profile without them is valid; given, they have the right type and range."""
    base = {
        "secretary_education": "高中",
        "committee_size": 5,
        "wealth_leaders": 1,
        "collective_operating_income": 3,
    }
    profile = VillageProfile.model_validate(base)
    assert profile.missing(tuple(SUPPORT_FACTS)) == tuple(SUPPORT_FACTS)
    for field, bad in (
        ("premises_functional", "是"),
        ("premises_area", -1),
        ("rural_income_last_year", 0),
        ("secretary_trained", 1),
    ):
        with pytest.raises(ValidationError):
            VillageProfile.model_validate({**base, field: bad})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"figure": "premises_share"}, "premises_share 需要 threshold"),
        ({"figure": "secretary_pay_share"}, "secretary_pay_share 需要 multiple"),
        ({"figure": "secretary_trained_share", "multiple": 2}, "multiple 只用于"),
        ({"figure": "operating_funds_mean", "threshold": 5}, "threshold 只用于"),
        ({"figure": "premises_share", "threshold": 200, "of": "township"}, "of 应为 village"),
    ],
)
def test_fact_figures_declare_their_standard_in_the_rubric(
    fields: dict[str, object], message: str
) -> None:
    """The area and pay standards are the rubric's (实践值), never the tool's."""
    with pytest.raises(ValidationError, match=message):
        LinkedSpec.model_validate({"of": "village", **fields})


# ── the forms a village fills: YAML template, workbook, JSON Schema ──


def test_yaml_template_profile_lines_give_every_support_fact() -> None:
    """Uncommented as the template says, the profile lines are a valid profile with all facts."""
    text = render_template(load_rubric(resolve_rubric("village")).rubric)
    block = text[text.index("# profile:\n") :].splitlines()
    lines = [block[0][2:]]
    lines += [line[2:] for line in itertools.takewhile(lambda x: x.startswith("#   "), block[1:])]
    data = yaml.safe_load("\n".join(lines))
    profile = VillageProfile.model_validate(data["profile"])
    assert profile.missing(tuple(SUPPORT_FACTS)) == ()


def test_workbook_rows_carry_the_facts_and_older_workbooks_still_read(tmp_path: Path) -> None:
    """是/否 rows read as yes/no, numbers as numbers; a workbook made before the rows existed
    reads as a village that did not report them (grade-tree then says so)."""
    zhukeng = DEMO / "yunling" / "zhukeng.yaml"
    template = render_workbook(load_rubric(resolve_rubric("village")).rubric)
    book = openpyxl.load_workbook(io.BytesIO(fill_from_yaml(template, str(zhukeng))))
    path = tmp_path / "zhukeng.xlsx"
    book.save(path)
    _, evidence = load_evidence(path)
    assert evidence.profile is not None
    assert evidence.profile.premises_area == 40
    assert evidence.profile.premises_functional is False
    assert evidence.profile.secretary_trained is False
    sheet = book[layout.SHEET_UNIT]
    added = {label for p, label in layout.PROFILE_FIELDS if p[0] in layout.PROFILE_OPTIONAL}
    new_rows = [c.row for c in sheet["A"] if c.value in added]
    for row in sorted(new_rows, reverse=True):
        sheet.delete_rows(row)
    book.save(path)
    _, older = load_evidence(path)
    assert older.profile is not None
    assert older.profile.missing(tuple(SUPPORT_FACTS)) == tuple(SUPPORT_FACTS)
    assert older.profile.collective_operating_income == 2
    assert set(SUPPORT_FACTS) == layout.PROFILE_OPTIONAL


def test_json_schema_knows_the_profile() -> None:
    """The demo villages pass the editor's schema; a negative area or 是 for a yes/no does not."""
    schema = evidence_schema(load_rubric(resolve_rubric("village")).rubric)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(DEMO.glob("*/*.yaml")):
        data = read_yaml(path).data
        if data["rubric"] == "village":
            assert not list(validator.iter_errors(data)), path
    data = read_yaml(DEMO / "yunling" / "zhukeng.yaml").data
    for field, bad in (("premises_area", -40), ("premises_functional", "否"), ("premise", 1)):
        broken = {**data, "profile": {**data["profile"], field: bad}}
        assert list(validator.iter_errors(broken)), field
