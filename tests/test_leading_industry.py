"""Issue 14.10: the village 主导产业 is a three-level choice with declared thresholds, and the
2026.2 answers (true/false) are refused with the option each corresponds to."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.model.rules import ChoiceRule, Rule
from lianchuang_cli.scoring.results import FileFailure, UnitResult
from tests.conftest import EXAMPLES, RUBRICS

RULE: TypeAdapter[Rule] = TypeAdapter(Rule)
LIUXI = EXAMPLES / "village" / "liuxi_almost_excellent.yaml"


def graded(path: Path) -> UnitResult:
    """The result of grading ``path``, which must grade."""
    outcome = grade_file(path)
    assert isinstance(outcome, UnitResult), outcome
    return outcome


def problems(path: Path) -> list[str]:
    """The messages of a file that must fail, as ``文件:行:列 消息``."""
    outcome = grade_file(path)
    assert isinstance(outcome, FileFailure)
    return [f"{p.line}:{p.column} {p.message}" for p in outcome.problems]


def test_three_levels_with_declared_thresholds() -> None:
    """形成规模 2, 初具规模 1, 无 0; the requirement states the 30 % and 10 % lines."""
    loaded = load_rubric(RUBRICS / "village.yaml")
    _, indicator = loaded.indicator_index["leading_industry"]
    assert isinstance(indicator.rule, ChoiceRule)
    assert indicator.rule.options == {
        "形成规模": Decimal(2),
        "初具规模": Decimal(1),
        "无": Decimal(0),
    }
    assert indicator.rule.earlier_values == {"true": "形成规模", "false": "无"}
    for line in ("30%以上为形成规模", "10%（含）至30%为初具规模"):
        assert line in indicator.requirement


def test_partial_industry_earns_one_point(tmp_path: Path) -> None:
    """柳溪村 (no leading industry) stays 良好 at 96.84; an industry 初具规模 earns the one point
    that lifts 小康建设业绩好 to 80 %, by a defined level instead of an undefined yes/no."""
    before = graded(LIUXI)
    assert (before.score, before.rating) == (Decimal("96.84"), "良好")
    text = LIUXI.read_text(encoding="utf-8")
    marker = "  leading_industry:\n    value: 无\n"
    assert marker in text
    partial = tmp_path / "liuxi.yaml"
    partial.write_text(text.replace(marker, marker.replace("无", "初具规模")), encoding="utf-8")
    after = graded(partial)
    assert (after.score, after.rating) == (Decimal("97.84"), "优秀")


@pytest.mark.parametrize(("old", "option"), [("true", "形成规模"), ("false", "无")])
def test_old_answer_names_its_option(tmp_path: Path, old: str, option: str) -> None:
    """A 2026.2 true/false is an error at the value naming the option, never graded silently."""
    text = LIUXI.read_text(encoding="utf-8")
    line = text.splitlines().index("  leading_industry:") + 2
    path = tmp_path / "old.yaml"
    path.write_text(
        text.replace(
            "  leading_industry:\n    value: 无", f"  leading_industry:\n    value: {old}"
        ),
        encoding="utf-8",
    )
    (found,) = problems(path)
    assert found.startswith(f"{line}:12 “{old}”是本项上一版细则的填法")
    assert f"上一版的“{old}”对应“{option}”" in found


def test_file_of_the_old_version_is_told_how_to_update(tmp_path: Path) -> None:
    """A file still declaring 2026.2 names both versions and says what to change."""
    path = tmp_path / "old.yaml"
    text = LIUXI.read_text(encoding="utf-8")
    assert 'rubric_version: "2026.3"' in text
    path.write_text(text.replace('"2026.3"', '"2026.2"'), encoding="utf-8")
    (found,) = problems(path)
    assert "“2026.2”" in found
    assert "把 rubric_version 改为“2026.3”" in found


def choice(**extra: Any) -> ChoiceRule:
    """A choice rule of a made-up rubric (not the village one): 达标 / 未达标."""
    rule = RULE.validate_python({"kind": "choice", "options": {"达标": 2, "未达标": 0}, **extra})
    assert isinstance(rule, ChoiceRule)
    return rule


def test_any_choice_may_name_earlier_values() -> None:
    """The mapping is the rubric's: any earlier word (here 是/否 and a bool) names its option."""
    rule = choice(earlier_values={"是": "达标", "否": "未达标", "true": "达标"})
    for given, option in (("是", "达标"), ("否", "未达标"), (True, "达标")):
        value = rule.value_schema.validate_python(given)
        message = rule.check_value(value, Decimal(2))
        assert message is not None
        assert f"对应“{option}”" in message
    assert rule.check_value("达标", Decimal(2)) is None
    plain = rule.check_value(rule.value_schema.validate_python(False), Decimal(2))
    assert plain is not None
    assert plain.startswith("“false”不是可选项")


@pytest.mark.parametrize(
    ("earlier", "complaint"),
    [({"true": "合格"}, "“合格”不是选项"), ({"达标": "未达标"}, "仍是现在的选项")],
)
def test_earlier_values_must_name_options(earlier: dict[str, str], complaint: str) -> None:
    """An earlier value mapped to no option, or one that is still an option, is a rubric error."""
    with pytest.raises(ValidationError, match=complaint):
        choice(earlier_values=earlier)
