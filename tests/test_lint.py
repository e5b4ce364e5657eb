"""Rubric lint: one data folder and one line per check, plus the engine's promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lianchuang_cli.errors import InputError
from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.lint.checks import CHECKS
from lianchuang_cli.lint.engine import SCHEMA_CODE, YAML_CODE, lint_file
from tests.conftest import DATA, ROOT, RUBRICS

LINT_DATA = DATA / "lint"
EXPECTED = re.compile(r"^# 预期(?:错误|警告)：(\d+):(\d+)", re.MULTILINE)


def assert_check(code: str) -> None:
    """Every file in ``tests/data/lint/CODE/`` reports ``code``, and only it, where its header says."""
    files = sorted((LINT_DATA / code).glob("*.yaml"))
    assert files, f"no test data for {code}"
    for path in files:
        text = path.read_text(encoding="utf-8")
        expected = {(int(line), int(column)) for line, column in EXPECTED.findall(text)}
        problems = lint_file(path, load=load_rubric).problems
        assert {p.code for p in problems} == {code}, [str(p) for p in problems]
        assert {(p.line, p.column) for p in problems} == expected, [str(p) for p in problems]


def test_criteria_total() -> None:
    """Criteria points add up to the total."""
    assert_check("criteria-total")


def test_indicator_sum() -> None:
    """Indicator points add up to their criterion."""
    assert_check("indicator-sum")


def test_rule_best() -> None:
    """A rule's best outcome equals its indicator's points."""
    assert_check("rule-best")


def test_rule_worst() -> None:
    """A rule never scores below zero."""
    assert_check("rule-worst")


def test_duplicate_id() -> None:
    """Ids are unique across criteria, indicators and items."""
    assert_check("duplicate-id")


def test_choice_options() -> None:
    """Choice options differ by more than spaces and width."""
    assert_check("choice-options")


def test_tiers_order() -> None:
    """Tiers run downwards without overlap, points not rising."""
    assert_check("tiers-order")


def test_tiers_range() -> None:
    """Every tier is reachable within the value range."""
    assert_check("tiers-range")


def test_rating_order() -> None:
    """Rating bands run from best to worst."""
    assert_check("rating-order")


def test_quota_rating() -> None:
    """Quotas cap ratings the rubric has, never the lowest, each once."""
    assert_check("quota-rating")


def test_rating_coverage() -> None:
    """The lowest band starts at zero unconditionally."""
    assert_check("rating-coverage")


def test_rating_reachable() -> None:
    """A band shadowed by a better one is reported."""
    assert_check("rating-reachable")


def test_not_applicable_criterion() -> None:
    """No criterion may be wholly not applicable."""
    assert_check("not-applicable-criterion")


def test_adjustment_caps() -> None:
    """Penalty and bonus caps are sane."""
    assert_check("adjustment-caps")


def test_not_applicable_cap() -> None:
    """No indicator alone exceeds the 缺项 cap."""
    assert_check("not-applicable-cap")


def test_penalty_veto_overlap() -> None:
    """A penalty and a veto on one kind of event share no level."""
    assert_check("penalty-veto-overlap")


def test_band_conditions() -> None:
    """A band's conditions read a lower level, within the figure's range, never on the lowest band."""
    assert_check("band-conditions")


def test_level_event_overlap() -> None:
    """A county penalty on a township leader's 留党察看 repeats the township's veto (issue 14, 9)."""
    assert_check("level-event-overlap")


def test_shipped_county_penalty_stops_below_the_township_veto() -> None:
    """The county's discipline penalty covers only levels the township rubric does not veto."""
    county = load_rubric(RUBRICS / "county.yaml").rubric
    township = load_rubric(RUBRICS / "township.yaml").rubric
    (penalty,) = [p for p in county.penalties if p.event and p.event.kind == "leader_discipline"]
    (veto,) = [v for v in township.vetoes if v.event and v.event.kind == "leader_discipline"]
    assert penalty.event is not None
    assert penalty.event.of == "township"
    assert veto.event is not None
    assert not set(penalty.event.levels) & set(veto.event.levels)
    assert "留党察看" in veto.event.levels


def test_practice_marked() -> None:
    """Figures in a rule without a 实践值 note are a warning."""
    assert_check("practice-marked")


def test_clause_cited() -> None:
    """An indicator without its clause is a warning."""
    assert_check("clause-cited")


def test_linked_level() -> None:
    """A linked indicator draws on a lower level."""
    assert_check("linked-level")


def test_schema() -> None:
    """Unknown keys suggest the closest allowed one; wrong types are located."""
    assert_check(SCHEMA_CODE)


def test_bonus_groups() -> None:
    """A bonus group has two or more levels, each worth different points."""
    assert_check("bonus-groups")


def test_duplicate_key() -> None:
    """A key written twice is reported, and the rest is still checked."""
    assert_check("duplicate-key")


def test_every_check_has_test_data() -> None:
    """No registered check is left without its data folder (and no folder is orphaned)."""
    folders = {p.name for p in LINT_DATA.iterdir() if p.is_dir()}
    assert set(CHECKS) <= folders
    assert folders - set(CHECKS) == {SCHEMA_CODE, "duplicate-key"}


def test_every_code_is_documented() -> None:
    """README's table lists every code ``check`` can report."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in (*CHECKS, SCHEMA_CODE, YAML_CODE, "duplicate-key", "expected-result"):
        assert f"| `{code}` |" in readme, code


def test_checks_are_described() -> None:
    """Each check has a kebab-case code, a severity and a Chinese one-line description."""
    for code, check in CHECKS.items():
        assert check.code == code
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code)
        assert check.severity in ("error", "warning")
        assert not check.description.isascii()


@pytest.mark.parametrize("path", sorted(RUBRICS.glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_rubric_is_clean(path: Path) -> None:
    """Shipped rubrics have no errors and no warnings, and keep their source positions."""
    linted = lint_file(path, load=load_rubric)
    assert linted.problems == ()
    loaded = linted.loaded
    assert loaded is not None
    criterion = loaded.rubric.criteria[0]
    line, _ = loaded.position(criterion.indicators[0], "rule")
    text = path.read_text(encoding="utf-8").splitlines()
    # A block-style rule is located at its first key, on the line below ``rule:``.
    assert text[line - 1].strip().startswith(("rule", "kind"))


def test_semantics_run_past_schema_errors(tmp_path: Path) -> None:
    """A typo in one indicator does not hide a wrong total elsewhere."""
    source = (DATA / "rubrics" / "mini.yaml").read_text(encoding="utf-8")
    broken = source.replace("rule: {kind: check}", "rule: {kind: chek}").replace(
        "{name: 合格, min_score: 12}", "{name: 合格, min_score: 19}"
    )
    path = tmp_path / "r.yaml"
    path.write_text(broken, encoding="utf-8")
    codes = [p.code for p in lint_file(path, load=load_rubric).problems]
    assert codes == [SCHEMA_CODE, "rating-order"]


def test_grading_refuses_a_rubric_with_errors_but_not_warnings(tmp_path: Path) -> None:
    """Loading for grading runs the same checks: errors stop it, warnings do not."""
    warned = LINT_DATA / "clause-cited" / "mini.yaml"
    assert load_rubric(warned).rubric.id == "mini"
    with pytest.raises(InputError) as caught:
        load_rubric(LINT_DATA / "rating-order" / "mini.yaml")
    assert [p.code for p in caught.value.problems] == ["rating-order"]


def mutations(lines: list[str]) -> list[list[str]]:
    """Each line deleted, and each number replaced by text, by a negative and by zero."""
    found = []
    for index, line in enumerate(lines):
        found.append(lines[:index] + lines[index + 1 :])
        number = re.search(r": (\d+(?:\.\d+)?)", line)
        if number:
            for replacement in (": 很多", f": -{number.group(1)}", ": 0"):
                changed = line.replace(number.group(0), replacement, 1)
                found.append([*lines[:index], changed, *lines[index + 1 :]])
    return found


@pytest.mark.parametrize("path", sorted(RUBRICS.glob("*.yaml")), ids=lambda p: p.stem)
def test_damaged_rubrics_are_reported_never_crash(path: Path, tmp_path: Path) -> None:
    """A sample of single-line damages: lint never raises, and a damage it accepts still loads."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    target = tmp_path / path.name
    for damaged in mutations(lines)[::5]:
        target.write_text("".join(damaged), encoding="utf-8")
        linted = lint_file(target, load=load_rubric)
        assert all(p.line >= 1 and p.column >= 1 and p.message for p in linted.problems)
        assert (linted.loaded is None) == bool(linted.errors)


@pytest.mark.parametrize("path", sorted(RUBRICS.glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_modified(tmp_path: Path, path: Path) -> None:
    """Issue 16.5: an edited copy that keeps the shipped id and version is warned about at its
    ``version:``; an unedited copy, or an edit with a new version, is not."""
    text = path.read_text(encoding="utf-8")
    assert "threshold: 100," in text
    edited = tmp_path / "edited.yaml"
    edited.write_text(text.replace("threshold: 100,", "threshold: 99,", 1), encoding="utf-8")
    problems = lint_file(edited, load=load_rubric).problems
    assert [p.code for p in problems] == ["shipped-modified"], [str(p) for p in problems]
    version_line = text.splitlines().index(
        next(x for x in text.splitlines() if x.startswith("version:"))
    )
    assert (problems[0].line, problems[0].severity) == (version_line + 1, "warning")
    copy = tmp_path / "copy.yaml"
    copy.write_bytes(path.read_bytes())
    assert lint_file(copy, load=load_rubric).problems == ()
    renamed = tmp_path / "renamed.yaml"
    bumped = re.sub(
        r'^version: "[^"]+"', 'version: "2099.1"', edited.read_text("utf-8"), flags=re.M
    )
    renamed.write_text(bumped, encoding="utf-8")
    assert lint_file(renamed, load=load_rubric).problems == ()


def test_same_counts() -> None:
    """Each place a same_counts population names gives a whole number of it, in its unit."""
    assert_check("same-counts")
